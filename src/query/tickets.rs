//! Ticket SLAs: every ticket evaluated against a policy as of a moment — per rule
//! met, breached or open, compliance, times to answer / resolve / call back — with
//! the breach list, the tickets at risk, recurring problems and repeat calls.

use super::{By, PeriodQuery, QueryError, Result, duration_ms, moment, time_zone};
use crate::store::Store;
use crate::store::readers::{read_call_contacts, read_ticket_columns};
use callboard_core::schema::Table;
use callboard_core::tickets::{
    Contacts, Policy, PolicySpec, RuleCounts, Settings, Spread, Text, Ticket, TicketRow,
    latest_stamp, recurring, repeat_contacts, summarise,
};
use callboard_core::time::{TimeZoneSpec, format_timestamp};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use std::path::{Path, PathBuf};

/// The desk policy shipped in `policies/desk.toml`, used when no policy file is given.
const DESK_POLICY: &str = include_str!("../../policies/desk.toml");

/// Groups of a ticket report (a ticket column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TicketGroup {
    /// repair, complaint, enquiry, service.
    Kind,
    /// Category.
    Category,
    /// Complaint severity.
    Severity,
    /// Channel.
    Channel,
    /// Department.
    Department,
}

impl TicketGroup {
    fn text(self) -> Text {
        match self {
            TicketGroup::Kind => Text::Kind,
            TicketGroup::Category => Text::Category,
            TicketGroup::Severity => Text::Severity,
            TicketGroup::Channel => Text::Channel,
            TicketGroup::Department => Text::Department,
        }
    }
}

/// A ticket report as asked. `Default`: every ticket, the whole period of their
/// creation, evaluated as of the latest moment in the data against the desk
/// policy, one total row, UTC, "at risk" = due within 24 h.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TicketsQuery {
    /// Tickets created in this period; open ends come from the tickets.
    #[serde(flatten)]
    pub period: PeriodQuery,
    /// Evaluate as of this moment [default: the latest timestamp in the tickets].
    pub as_of: Option<String>,
    /// IANA zone of buckets and of "the same day".
    pub timezone: String,
    /// Buckets (by `created_at`); intervals are not offered.
    pub by: By,
    /// Rows per value of a ticket column.
    pub group: Option<TicketGroup>,
    /// SLA policy file (TOML) [default: the desk policy].
    pub policy: Option<PathBuf>,
    /// An open ticket-rule due within this is at risk (`24h`).
    pub at_risk: String,
    /// Count repeat calls while tickets were open (scans the store's calls; the
    /// review pack, which does not show them, turns it off).
    #[serde(skip)]
    pub repeat_contacts: bool,
}

impl Default for TicketsQuery {
    fn default() -> Self {
        TicketsQuery {
            period: PeriodQuery::default(),
            as_of: None,
            timezone: "UTC".into(),
            by: By::Total,
            group: None,
            policy: None,
            at_risk: "24h".into(),
            repeat_contacts: true,
        }
    }
}

/// Loads and compiles a policy file (or the shipped desk policy); `zone` is the
/// policy's calendar zone when it names none.
pub fn load_policy(path: Option<&Path>, zone: &TimeZoneSpec) -> Result<Policy> {
    let (text, name) = match path {
        Some(p) => (
            std::fs::read_to_string(p).map_err(|source| QueryError::PolicyFile {
                path: p.to_path_buf(),
                source,
            })?,
            p.display().to_string(),
        ),
        None => (DESK_POLICY.to_owned(), "the desk policy".to_owned()),
    };
    let spec: PolicySpec = toml::from_str(&text).map_err(|e| QueryError::PolicySyntax {
        name: name.clone(),
        message: e.to_string(),
    })?;
    Policy::compile(&spec, zone).map_err(|source| QueryError::Policy { name, source })
}

/// A breached or at-risk ticket-rule.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedRule {
    /// Ticket id.
    pub ticket_id: String,
    /// Rule id.
    pub rule: String,
    /// Due, ms.
    pub due_ms: i64,
    /// Breaches: how late, ms; at risk: time left, ms.
    pub by_ms: i64,
    /// Still without a stop time.
    pub open: bool,
}

/// A recurring problem: tickets of one category at one unit or building.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    /// `unit` or `building`.
    pub level: &'static str,
    /// The unit (or building).
    pub unit: String,
    /// Category.
    pub category: String,
    /// The tickets, by creation time.
    pub ticket_ids: Vec<String>,
    /// First creation time, ms.
    #[serde(serialize_with = "timestamp")]
    pub first: i64,
    /// Last creation time, ms.
    #[serde(serialize_with = "timestamp")]
    pub last: i64,
}

/// Repeat calls while tickets were open.
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatContacts {
    /// The counts.
    pub counts: Contacts,
    /// Per ticket with repeat calls: (ticket id, repeat calls), most first.
    pub tickets: Vec<(String, u64)>,
}

/// A ticket report; it serialises to the JSON of `docs/cli.md`.
#[derive(Debug, Clone)]
pub struct TicketsReport {
    /// The query, with its defaults filled in.
    pub query: TicketsQuery,
    /// The policy the tickets were evaluated against.
    pub policy: Policy,
    /// Resolved period, as-of moment, buckets and zone.
    pub settings: Settings,
    /// Rows, bucket-major, groups sorted; per rule in policy order.
    pub rows: Vec<TicketRow>,
    /// Breached ticket-rules, latest first.
    pub breaches: Vec<FlaggedRule>,
    /// Open ticket-rules due within the at-risk window, soonest first.
    pub at_risk: Vec<FlaggedRule>,
    /// Recurring problems.
    pub recurring: Vec<Problem>,
    /// Repeat calls while open (`None` when the store has no calls).
    pub repeat_contacts: Option<RepeatContacts>,
}

/// Evaluates the store's tickets.
pub fn run(store: &Store, q: &TicketsQuery) -> Result<TicketsReport> {
    let zone = time_zone(&q.timezone)?;
    let policy = load_policy(q.policy.as_deref(), &zone)?;
    let at_risk_ms = duration_ms(&q.at_risk, "the at-risk window")?;
    let no_tickets = || QueryError::NoTickets {
        dir: store.root().to_path_buf(),
    };
    let Some(cols) = read_ticket_columns(store)? else {
        return Err(no_tickets());
    };
    // Rows of one ticket fold into one, unless no ingest ever updated a ticket.
    let tickets = cols.current_tickets(!store.never_updated(Table::Tickets));
    let first = tickets.iter().map(Ticket::created).min();
    let last = tickets.iter().map(Ticket::created).max();
    let Some(last) = last else {
        return Err(no_tickets());
    };
    let period = q.period.resolve(&zone, first, Some(last), no_tickets)?;
    // The latest event in the data: the default as-of, and (when as-of is at or
    // after it) the sign that no ticket needs its as-of view.
    let latest = latest_stamp(&tickets);
    let as_of_ms = match &q.as_of {
        Some(t) => moment(t, &zone, "the as-of moment")?,
        None => latest.unwrap_or(last),
    };
    if q.by == By::Interval {
        return Err(QueryError::TicketsByInterval);
    }
    let by = q.by.bucketing("")?;
    let settings = Settings {
        from_ms: period.from_ms,
        to_ms: period.to_ms,
        as_of_ms,
        by,
        group: q.group.map(TicketGroup::text),
        zone,
        at_risk_ms,
    };
    let (from_ms, to_ms) = (period.from_ms, period.to_ms);
    // The summary on this thread, recurring problems and repeat contacts on another.
    let (summary, problems, contacts) = std::thread::scope(|scope| {
        let others = scope.spawn(|| -> Result<_> {
            // Tickets of the period as they stood at as-of (later events not yet
            // happened); nothing to change in the usual case of the latest as-of.
            let inside = |t: &Ticket<'_>| t.created() >= from_ms && t.created() < to_ms;
            let unchanged = latest.is_none_or(|l| l <= as_of_ms);
            let in_period: std::borrow::Cow<'_, [Ticket<'_>]> =
                if unchanged && tickets.iter().all(inside) {
                    std::borrow::Cow::Borrowed(&tickets)
                } else {
                    tickets
                        .iter()
                        .filter(|t| inside(t))
                        .filter_map(|t| t.seen_at(as_of_ms))
                        .collect()
                };
            let problems: Vec<Problem> = recurring(&in_period, &policy.recurring)
                .into_iter()
                .map(|p| Problem {
                    level: p.level,
                    unit: p.place.to_owned(),
                    category: p.category.to_owned(),
                    ticket_ids: p.ticket_ids.iter().map(|s| (*s).to_owned()).collect(),
                    first: p.first_ms,
                    last: p.last_ms,
                })
                .collect();
            let contacts = if q.repeat_contacts {
                contacts(store, &in_period, as_of_ms)?
            } else {
                None
            };
            let contacts = contacts.map(|c| RepeatContacts {
                tickets: c
                    .per_ticket
                    .iter()
                    .map(|&(i, n)| (in_period[i].id.to_owned(), n))
                    .collect(),
                counts: c,
            });
            Ok((problems, contacts))
        });
        let s = summarise(&tickets, &policy, &settings);
        let owned = |f: &callboard_core::tickets::Flagged<'_>| FlaggedRule {
            ticket_id: f.ticket_id.to_owned(),
            rule: f.rule.to_owned(),
            due_ms: f.due_ms,
            by_ms: f.by_ms,
            open: f.open,
        };
        let summary = (
            s.rows,
            s.breaches.iter().map(owned).collect::<Vec<_>>(),
            s.at_risk.iter().map(owned).collect::<Vec<_>>(),
        );
        let (problems, contacts) = others.join().map_err(|_| QueryError::Worker {
            what: "recurring-problem",
        })??;
        Ok::<_, QueryError>((summary, problems, contacts))
    })?;
    let (rows, breaches, at_risk) = summary;
    Ok(TicketsReport {
        query: q.clone(),
        policy,
        settings,
        rows,
        breaches,
        at_risk,
        recurring: problems,
        repeat_contacts: contacts,
    })
}

/// Repeat contacts, when the store has calls. Only the calls that matter are kept:
/// those the tickets name, and those of the tickets' customers (the rest of a large
/// store is scanned, not held).
fn contacts(store: &Store, tickets: &[Ticket<'_>], as_of: i64) -> Result<Option<Contacts>> {
    use rustc_hash::FxHashSet;
    let Some(c) = read_call_contacts(store)? else {
        return Ok(None);
    };
    let (id, caller, at) = (&c.call_id, &c.caller_id, &c.arrived_ms);
    // Ids as 128-bit hashes (as the store keys rows): set lookups compare numbers.
    let h = |x: &str| xxhash_rust::xxh3::xxh3_128(x.as_bytes());
    let named: FxHashSet<u128> = tickets.iter().filter_map(|t| t.call_id.map(h)).collect();
    let mut customers: FxHashSet<u128> = tickets.iter().filter_map(|t| t.customer.map(h)).collect();
    // Pass 1: the calls tickets name (their callers become customers too).
    let mut keep = vec![false; id.len()];
    if !named.is_empty() {
        for (i, x) in id.iter().enumerate() {
            if x.is_some_and(|x| named.contains(&h(x))) {
                keep[i] = true;
                if let Some(c) = caller.get(i) {
                    customers.insert(h(c));
                }
            }
        }
    }
    // Pass 2: every call of those customers.
    for (i, c) in caller.iter().enumerate() {
        if c.is_some_and(|c| customers.contains(&h(c))) {
            keep[i] = true;
        }
    }
    let calls: Vec<(&str, Option<&str>, i64)> = keep
        .iter()
        .enumerate()
        .filter(|(_, k)| **k)
        .map(|(i, _)| {
            (
                id.get(i).unwrap_or(""),
                caller.get(i),
                at.get(i).unwrap_or(0),
            )
        })
        .collect();
    Ok(Some(repeat_contacts(tickets, &calls, as_of)))
}

fn timestamp<S: Serializer>(ms: &i64, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&format_timestamp(*ms))
}

/// A ratio rounded to 4 decimals, as the JSON carries it.
fn ratio(x: Option<f64>) -> Option<f64> {
    x.map(|v| (v * 10_000.0).round() / 10_000.0)
}

impl Serialize for TicketsReport {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let st = &self.settings;
        let mut o = s.serialize_struct("TicketsReport", 10)?;
        o.serialize_field("from", &format_timestamp(st.from_ms))?;
        o.serialize_field("to", &format_timestamp(st.to_ms))?;
        o.serialize_field("as_of", &format_timestamp(st.as_of_ms))?;
        o.serialize_field("policy", &self.policy.name)?;
        o.serialize_field("timezone", st.zone.name())?;
        let rule_ids: Vec<&str> = self.policy.rules.iter().map(|r| r.id.as_str()).collect();
        o.serialize_field(
            "rows",
            &Rows {
                rows: &self.rows,
                rule_ids: &rule_ids,
            },
        )?;
        o.serialize_field("breaches", &Flags(&self.breaches, "late_by_s"))?;
        o.serialize_field("at_risk", &Flags(&self.at_risk, "due_in_s"))?;
        o.serialize_field("recurring", &self.recurring)?;
        o.serialize_field(
            "repeat_contacts",
            &self.repeat_contacts.as_ref().map(RepeatJson),
        )?;
        o.end()
    }
}

struct Rows<'a> {
    rows: &'a [TicketRow],
    rule_ids: &'a [&'a str],
}

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.rows.iter().map(|r| RowJson(r, self.rule_ids)))
    }
}

struct RowJson<'a>(&'a TicketRow, &'a [&'a str]);

impl Serialize for RowJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Counts {
            opened: u64,
            resolved: u64,
            open: u64,
        }
        #[derive(Serialize)]
        struct Times<'a> {
            to_answer: &'a Spread,
            to_resolve: &'a Spread,
            to_callback: &'a Spread,
        }
        #[derive(Serialize)]
        struct Coverage {
            completed: u64,
            called_back: u64,
            coverage: Option<f64>,
        }
        let (r, ids) = (self.0, self.1);
        let mut o = s.serialize_map(None)?;
        if let Some(b) = r.bucket_start {
            o.serialize_entry("bucket_start", &format_timestamp(b))?;
        }
        if let Some(g) = &r.group {
            o.serialize_entry("group", g)?;
        }
        o.serialize_entry(
            "counts",
            &Counts {
                opened: r.opened,
                resolved: r.resolved,
                open: r.open,
            },
        )?;
        o.serialize_entry("rules", &RulesJson(ids, &r.rules))?;
        o.serialize_entry(
            "times",
            &Times {
                to_answer: &r.to_answer,
                to_resolve: &r.to_resolve,
                to_callback: &r.to_callback,
            },
        )?;
        o.serialize_entry(
            "repair_callback_coverage",
            &Coverage {
                completed: r.repairs_completed,
                called_back: r.repairs_called_back,
                coverage: ratio(r.callback_coverage()),
            },
        )?;
        o.end()
    }
}

struct RulesJson<'a>(&'a [&'a str], &'a [RuleCounts]);

impl Serialize for RulesJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Rule {
            met: u64,
            breached: u64,
            open: u64,
            not_applicable: u64,
            compliance: Option<f64>,
        }
        let mut o = s.serialize_map(Some(self.0.len()))?;
        for (id, c) in self.0.iter().zip(self.1) {
            o.serialize_entry(
                id,
                &Rule {
                    met: c.met,
                    breached: c.breached,
                    open: c.open,
                    not_applicable: c.not_applicable,
                    compliance: ratio(c.compliance()),
                },
            )?;
        }
        o.end()
    }
}

/// A list of flagged ticket-rules; `by` names the field of `by_ms` in seconds.
struct Flags<'a>(&'a [FlaggedRule], &'static str);

impl Serialize for Flags<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        struct One<'a>(&'a FlaggedRule, &'static str);
        impl Serialize for One<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                let f = self.0;
                let mut o = s.serialize_map(Some(5))?;
                o.serialize_entry("ticket_id", &f.ticket_id)?;
                o.serialize_entry("rule", &f.rule)?;
                o.serialize_entry("due", &format_timestamp(f.due_ms))?;
                o.serialize_entry(self.1, &(f.by_ms / 1000))?;
                o.serialize_entry("open", &f.open)?;
                o.end()
            }
        }
        s.collect_seq(self.0.iter().map(|f| One(f, self.1)))
    }
}

struct RepeatJson<'a>(&'a RepeatContacts);

impl Serialize for RepeatJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Ticket<'a> {
            ticket_id: &'a str,
            repeat_calls: u64,
        }
        let c = &self.0.counts;
        let mut o = s.serialize_map(Some(7))?;
        o.serialize_entry("tickets_with_customer", &c.tickets)?;
        o.serialize_entry("with_repeat_calls", &c.with_repeat)?;
        o.serialize_entry("repeat_calls", &c.repeat_calls)?;
        o.serialize_entry("resolved_first_time", &ratio(c.resolved_first_time()))?;
        o.serialize_entry("linked_to_calls", &c.linked)?;
        o.serialize_entry("call_id_not_found", &c.unlinked)?;
        o.serialize_entry(
            "tickets",
            &self
                .0
                .tickets
                .iter()
                .map(|(id, n)| Ticket {
                    ticket_id: id,
                    repeat_calls: *n,
                })
                .collect::<Vec<_>>(),
        )?;
        o.end()
    }
}
