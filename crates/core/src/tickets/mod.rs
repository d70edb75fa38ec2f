//! Ticket SLAs (`domain.md` §2): every ticket evaluated against a [`Policy`] — per
//! rule met, breached, open or not applicable, with the due time and the margin —
//! then summarised per bucket and group, with the breach list, the tickets at risk,
//! recurring problems and repeat contacts.
//!
//! A ticket-rule is **met** when stop ≤ due, **breached** when stop > due or when
//! there is no stop and `as_of` is past due, and **open** when there is no stop and due
//! is still ahead (`as_of` ≤ due). Compliance = met ÷ (met + breached).

pub mod policy;
mod recurring;

pub use policy::{DurationError, Policy, PolicyError, PolicySpec, parse_duration_ms};
pub use recurring::{Recurrence, recurring};

use crate::kpi::buckets::{Bucketing, bucket_of, bucket_starts};
use crate::kpi::intern::Interner;
use crate::time::TimeZoneSpec;

/// A ticket's timestamps, by column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    /// `created_at`.
    Created,
    /// `escalated_at`.
    Escalated,
    /// `answered_at`.
    Answered,
    /// `completed_at`.
    Completed,
    /// `resolved_at`.
    Resolved,
    /// `callback_at`.
    Callback,
    /// `requested_by`.
    Requested,
}

impl Stamp {
    /// All, in column order.
    pub const ALL: [Stamp; 7] = [
        Self::Created,
        Self::Escalated,
        Self::Answered,
        Self::Completed,
        Self::Resolved,
        Self::Callback,
        Self::Requested,
    ];

    /// The column name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Created => "created_at",
            Self::Escalated => "escalated_at",
            Self::Answered => "answered_at",
            Self::Completed => "completed_at",
            Self::Resolved => "resolved_at",
            Self::Callback => "callback_at",
            Self::Requested => "requested_by",
        }
    }

    /// From a column name.
    pub fn from_name(n: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == n)
    }
}

/// A ticket's text columns that rules and groups use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    /// `kind`.
    Kind,
    /// `category`.
    Category,
    /// `severity`.
    Severity,
    /// `channel`.
    Channel,
    /// `department`.
    Department,
}

impl Text {
    /// The column name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Category => "category",
            Self::Severity => "severity",
            Self::Channel => "channel",
            Self::Department => "department",
        }
    }
}

/// The columns of the `tickets` table a [`Ticket`] is made of (all but
/// `satisfaction`): the ids and text columns, then the timestamps in
/// [`Stamp::ALL`] order.
pub const COLUMNS: [&str; 16] = [
    "ticket_id",
    "kind",
    "category",
    "severity",
    "channel",
    "department",
    "unit",
    "customer_id",
    "call_id",
    "created_at",
    "escalated_at",
    "answered_at",
    "completed_at",
    "resolved_at",
    "callback_at",
    "requested_by",
];

/// One ticket (its current row after the update rule).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ticket<'a> {
    /// Id.
    pub id: &'a str,
    /// Kind.
    pub kind: &'a str,
    /// Category.
    pub category: Option<&'a str>,
    /// Severity.
    pub severity: Option<&'a str>,
    /// Channel.
    pub channel: Option<&'a str>,
    /// Department.
    pub department: Option<&'a str>,
    /// Unit (flat, building, address).
    pub unit: Option<&'a str>,
    /// Customer.
    pub customer: Option<&'a str>,
    /// The call that opened it.
    pub call_id: Option<&'a str>,
    /// The timestamps, ms, in [`Stamp::ALL`] order.
    pub stamps: [Option<i64>; 7],
}

impl<'a> Ticket<'a> {
    /// A timestamp.
    pub fn stamp(&self, s: Stamp) -> Option<i64> {
        self.stamps[s as usize]
    }
    /// A text column.
    pub fn text(&self, f: Text) -> Option<&'a str> {
        match f {
            Text::Kind => Some(self.kind),
            Text::Category => self.category,
            Text::Severity => self.severity,
            Text::Channel => self.channel,
            Text::Department => self.department,
        }
    }
    /// Creation time.
    pub fn created(&self) -> i64 {
        self.stamps[0].unwrap_or(0)
    }

    /// The ticket as it stood at `as_of`: `None` if not yet created; events stamped
    /// later (escalated, answered, completed, resolved, called back) not yet
    /// happened. The customer's `requested_by` is a deadline, not an event, and stays.
    pub fn seen_at(&self, as_of: i64) -> Option<Self> {
        if self.created() > as_of {
            return None;
        }
        let mut t = *self;
        for s in &mut t.stamps[1..6] {
            if s.is_some_and(|x| x > as_of) {
                *s = None;
            }
        }
        Some(t)
    }
}

/// The outcome of one rule for one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Stopped in time.
    Met,
    /// Stopped late, or not stopped and past due.
    Breached,
    /// Not stopped, due still ahead.
    Open,
    /// The rule does not apply (or gives no due time).
    NotApplicable,
}

/// One rule's evaluation of one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// Verdict.
    pub verdict: Verdict,
    /// Due time, ms.
    pub due_ms: Option<i64>,
    /// Due − (stop, or `as_of` when not stopped), ms: negative is late.
    pub margin_ms: Option<i64>,
}

/// Evaluates one rule for one ticket at `as_of`.
pub fn check(rule: &policy::Rule, cal: &policy::Calendar, t: &Ticket<'_>, as_of: i64) -> Check {
    let na = Check {
        verdict: Verdict::NotApplicable,
        due_ms: None,
        margin_ms: None,
    };
    if !rule.applies(t) {
        return na;
    }
    let Some(due) = rule.due(t, cal) else {
        return na;
    };
    let (verdict, at) = match t.stamp(rule.stop) {
        Some(stop) if stop <= due => (Verdict::Met, stop),
        Some(stop) => (Verdict::Breached, stop),
        None if as_of > due => (Verdict::Breached, as_of),
        None => (Verdict::Open, as_of),
    };
    Check {
        verdict,
        due_ms: Some(due),
        margin_ms: Some(due - at),
    }
}

/// Counts of one rule in one row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCounts {
    /// Met.
    pub met: u64,
    /// Breached.
    pub breached: u64,
    /// Open.
    pub open: u64,
    /// Not applicable.
    pub not_applicable: u64,
}

impl RuleCounts {
    /// met ÷ (met + breached), if any.
    pub fn compliance(&self) -> Option<f64> {
        let d = self.met + self.breached;
        (d > 0).then(|| self.met as f64 / d as f64)
    }
    fn add(&mut self, v: Verdict) {
        match v {
            Verdict::Met => self.met += 1,
            Verdict::Breached => self.breached += 1,
            Verdict::Open => self.open += 1,
            Verdict::NotApplicable => self.not_applicable += 1,
        }
    }
}

/// Median and 90th percentile of a duration, seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Spread {
    /// How many tickets.
    pub n: u64,
    /// Median, s.
    pub median_s: Option<f64>,
    /// 90th percentile, s.
    pub p90_s: Option<f64>,
}

/// Percentile by linear interpolation between closest ranks (`q` in 0..=1) of sorted
/// values.
fn percentile(sorted: &[i64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
    let w = pos - lo as f64;
    Some((sorted[lo] as f64 * (1.0 - w) + sorted[hi] as f64 * w) / 1000.0)
}

fn spread(mut v: Vec<i64>) -> Spread {
    v.sort_unstable();
    Spread {
        n: v.len() as u64,
        median_s: percentile(&v, 0.5),
        p90_s: percentile(&v, 0.9),
    }
}

/// One summary row.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketRow {
    /// Bucket start (`None`: whole period).
    pub bucket_start: Option<i64>,
    /// Group value (`None` without grouping; `""` when the ticket has none).
    pub group: Option<String>,
    /// Tickets created in the bucket.
    pub opened: u64,
    /// Of those, resolved by `as_of`.
    pub resolved: u64,
    /// Of those, still open at `as_of`.
    pub open: u64,
    /// Per rule, in policy order.
    pub rules: Vec<RuleCounts>,
    /// Created → answered.
    pub to_answer: Spread,
    /// Created → resolved.
    pub to_resolve: Spread,
    /// Completed (repairs) or resolved (others) → call-back.
    pub to_callback: Spread,
    /// Repairs completed (the call-back base).
    pub repairs_completed: u64,
    /// Of those, called back (at any time).
    pub repairs_called_back: u64,
}

impl TicketRow {
    /// Call-back coverage of completed repairs (the manual asks 100 %).
    pub fn callback_coverage(&self) -> Option<f64> {
        (self.repairs_completed > 0)
            .then(|| self.repairs_called_back as f64 / self.repairs_completed as f64)
    }
}

/// One breached or at-risk ticket-rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Flagged<'a> {
    /// Ticket id.
    pub ticket_id: &'a str,
    /// Rule id.
    pub rule: &'a str,
    /// Due, ms.
    pub due_ms: i64,
    /// Breaches: how late (stop or `as_of` − due), ms; at risk: time left, ms.
    pub by_ms: i64,
    /// Still without a stop time.
    pub open: bool,
}

/// Summary settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Tickets created from (inclusive), ms.
    pub from_ms: i64,
    /// …to (exclusive), ms.
    pub to_ms: i64,
    /// Evaluation time.
    pub as_of_ms: i64,
    /// Buckets (by `created_at`).
    pub by: Bucketing,
    /// Grouping column.
    pub group: Option<Text>,
    /// Report zone (bucket edges).
    pub zone: TimeZoneSpec,
    /// At risk: open and due within this much of `as_of`, ms.
    pub at_risk_ms: i64,
}

/// Everything `callboard tickets` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary<'a> {
    /// Rows, bucket-major, groups sorted.
    pub rows: Vec<TicketRow>,
    /// Breached ticket-rules of tickets in the period, latest first.
    pub breaches: Vec<Flagged<'a>>,
    /// Open ticket-rules due within the at-risk window, soonest first.
    pub at_risk: Vec<Flagged<'a>>,
}

/// Evaluates and summarises the tickets created in the period, each as it stood at
/// `as_of` (see [`Ticket::seen_at`]).
pub fn summarise<'a>(tickets: &[Ticket<'a>], policy: &'a Policy, s: &Settings) -> Summary<'a> {
    let starts = bucket_starts(s.from_ms, s.to_ms, s.by, &s.zone);
    let nrules = policy.rules.len();
    // Group keys: names sorted, then ids.
    // Group of every ticket of the period (others: none), numbered in first-seen
    // order, then by name.
    let mut group_of: Vec<u32> = Vec::new();
    let mut names: Vec<&str> = vec![""];
    if let Some(f) = s.group {
        let mut ids = Interner::default();
        let inside = |t: &Ticket<'_>| t.created() >= s.from_ms && t.created() < s.to_ms;
        group_of = tickets
            .iter()
            .map(|t| {
                if inside(t) {
                    ids.id(t.text(f).unwrap_or(""))
                } else {
                    u32::MAX
                }
            })
            .collect();
        let rank;
        (names, rank) = ids.by_name();
        for g in group_of.iter_mut().filter(|g| **g != u32::MAX) {
            *g = rank[*g as usize];
        }
        if names.is_empty() {
            names.push("");
        }
    }
    let cells = starts.len() * names.len();
    let mut counts = vec![(0u64, 0u64, 0u64, 0u64, 0u64); cells];
    let mut rules = vec![RuleCounts::default(); cells * nrules];
    let mut times: Vec<[Vec<i64>; 3]> = vec![Default::default(); cells];
    let (mut breaches, mut at_risk) = (Vec::new(), Vec::new());
    for (i, t) in tickets.iter().enumerate() {
        if t.created() < s.from_ms {
            continue; // a month or week bucket may start before the period
        }
        // As it stood at as-of (a copy only when something lies after it).
        let seen;
        let t = if t.stamps[..6].iter().flatten().all(|&x| x <= s.as_of_ms) {
            t
        } else {
            match t.seen_at(s.as_of_ms) {
                Some(x) => {
                    seen = x;
                    &seen
                }
                None => continue,
            }
        };
        let Some(b) = bucket_of(&starts, s.to_ms, t.created()) else {
            continue;
        };
        let g = group_of.get(i).map_or(0, |&g| g as usize);
        let cell = b * names.len() + g;
        let resolved = t.stamp(Stamp::Resolved).is_some_and(|r| r <= s.as_of_ms);
        let c = &mut counts[cell];
        c.0 += 1;
        c.1 += u64::from(resolved);
        c.2 += u64::from(!resolved);
        let created = t.created();
        let tm = &mut times[cell];
        if let Some(a) = t.stamp(Stamp::Answered) {
            tm[0].push(a - created);
        }
        if let Some(r) = t.stamp(Stamp::Resolved) {
            tm[1].push(r - created);
        }
        let callback_from = if t.kind == "repair" {
            t.stamp(Stamp::Completed)
        } else {
            t.stamp(Stamp::Resolved)
        };
        if let (Some(a), Some(cb)) = (callback_from, t.stamp(Stamp::Callback)) {
            tm[2].push(cb - a);
        }
        if t.kind == "repair" && t.stamp(Stamp::Completed).is_some() {
            c.3 += 1;
            c.4 += u64::from(t.stamp(Stamp::Callback).is_some());
        }
        for (k, rule) in policy.rules.iter().enumerate() {
            let ch = check(rule, &policy.calendar, t, s.as_of_ms);
            rules[cell * nrules + k].add(ch.verdict);
            let (Some(due), Some(margin)) = (ch.due_ms, ch.margin_ms) else {
                continue;
            };
            let flag = |by_ms| Flagged {
                ticket_id: t.id,
                rule: &rule.id,
                due_ms: due,
                by_ms,
                open: t.stamp(rule.stop).is_none(),
            };
            match ch.verdict {
                Verdict::Breached => breaches.push(flag(-margin)),
                Verdict::Open if margin <= s.at_risk_ms => at_risk.push(flag(margin)),
                _ => {}
            }
        }
    }
    breaches.sort_unstable_by(|a: &Flagged<'_>, b| {
        (b.by_ms, a.ticket_id, a.rule).cmp(&(a.by_ms, b.ticket_id, b.rule))
    });
    at_risk.sort_unstable_by(|a: &Flagged<'_>, b| {
        (a.by_ms, a.ticket_id, a.rule).cmp(&(b.by_ms, b.ticket_id, b.rule))
    });
    let mut rows = Vec::with_capacity(cells);
    for (b, &start) in starts.iter().enumerate() {
        for (g, name) in names.iter().enumerate() {
            let cell = b * names.len() + g;
            let c = counts[cell];
            let [a, r, cb] = std::mem::take(&mut times[cell]);
            rows.push(TicketRow {
                bucket_start: (s.by != Bucketing::Total).then_some(start),
                group: s.group.map(|_| (*name).to_owned()),
                opened: c.0,
                resolved: c.1,
                open: c.2,
                rules: rules[cell * nrules..(cell + 1) * nrules].to_vec(),
                to_answer: spread(a),
                to_resolve: spread(r),
                to_callback: spread(cb),
                repairs_completed: c.3,
                repairs_called_back: c.4,
            });
        }
    }
    Summary {
        rows,
        breaches,
        at_risk,
    }
}

/// The latest timestamp in the ticket data (customers' own deadlines left out): the
/// default `as_of`.
pub fn latest_stamp(tickets: &[Ticket<'_>]) -> Option<i64> {
    tickets
        .iter()
        .flat_map(|t| t.stamps[..6].iter().flatten().copied())
        .max()
}

/// Repeat contacts of one ticket: calls from its customer after it was created and
/// before it was resolved (or `as_of`), the call that opened it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contacts {
    /// Tickets whose customer is known (directly or through their call).
    pub tickets: u64,
    /// Of those, with a repeat call while open.
    pub with_repeat: u64,
    /// Repeat calls in all.
    pub repeat_calls: u64,
    /// Tickets carrying a `call_id` found among the calls.
    pub linked: u64,
    /// Tickets carrying a `call_id` not found.
    pub unlinked: u64,
    /// Per ticket with repeat calls: (index into the tickets given, repeat calls),
    /// most first.
    pub per_ticket: Vec<(usize, u64)>,
}

impl Contacts {
    /// Share of tickets with no repeat call while open (first-contact resolution as
    /// the desk measures it).
    pub fn resolved_first_time(&self) -> Option<f64> {
        (self.tickets > 0).then(|| 1.0 - self.with_repeat as f64 / self.tickets as f64)
    }
}

/// Repeat contacts. `calls` are (call id, caller, arrival ms); each ticket's customer
/// is its `customer`, else the caller of its `call_id`.
pub fn repeat_contacts(
    tickets: &[Ticket<'_>],
    calls: &[(&str, Option<&str>, i64)],
    as_of_ms: i64,
) -> Contacts {
    use rustc_hash::FxHashMap;
    let by_id: FxHashMap<&str, (Option<&str>, i64)> =
        calls.iter().map(|&(id, c, t)| (id, (c, t))).collect();
    let mut by_caller: FxHashMap<&str, Vec<i64>> = FxHashMap::default();
    for &(_, c, t) in calls {
        if let Some(c) = c {
            by_caller.entry(c).or_default().push(t);
        }
    }
    for v in by_caller.values_mut() {
        v.sort_unstable();
    }
    let mut out = Contacts::default();
    for (i, t) in tickets.iter().enumerate() {
        let call = t.call_id.map(|c| by_id.get(c));
        match call {
            Some(Some(_)) => out.linked += 1,
            Some(None) => out.unlinked += 1,
            None => {}
        }
        let opening = call.flatten().map(|x| x.1);
        let Some(customer) = t.customer.or(call.flatten().and_then(|x| x.0)) else {
            continue;
        };
        out.tickets += 1;
        let end = t.stamp(Stamp::Resolved).unwrap_or(as_of_ms).min(as_of_ms);
        let created = t.created();
        // The opening call may end after `created_at` is stamped: it is the one
        // carried in `call_id` and never counts.
        let n = by_caller.get(customer).map_or(0, |v| {
            let from = v.partition_point(|&x| x <= created);
            let to = v.partition_point(|&x| x <= end);
            let mut n = to.saturating_sub(from) as u64;
            if opening.is_some_and(|o| o > created && o <= end) {
                n = n.saturating_sub(1);
            }
            n
        });
        out.with_repeat += u64::from(n > 0);
        out.repeat_calls += n;
        if n > 0 {
            out.per_ticket.push((i, n));
        }
    }
    out.per_ticket
        .sort_by_key(|&(i, n)| (std::cmp::Reverse(n), i));
    out
}

#[cfg(test)]
mod tests;
