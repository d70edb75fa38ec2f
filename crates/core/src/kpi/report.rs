//! All 23 KPIs per bucket and group, from the tables' rows: the grouping limits,
//! missing tables and empty buckets of `domain.md` §1, and each value's status.

use super::agent_time::{
    AgentSlots, AgentStates, AgentTime, SLOT_MS, WorkRow, agent_time, agent_time_from_slots,
};
use super::buckets::{Bucketing, bucket_of, bucket_starts};
use super::calls::{CallAccum, CallCounts, CallRow, CallSettings, repeat_contact_resolution};
use super::catalog::{KPIS, Status, Unit, status};
use super::intern::Interner;
use super::staff_cost::{AgentRow, CostRow, Qa, QaRow, Turnover, prorated_costs, qa, turnover};
use crate::schema::Outcome;
use crate::time::{DAY_MS, TimeZoneSpec};
use std::collections::HashMap;

/// One call with what grouping and FCR need.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallIn<'a> {
    /// Arrival, ms.
    pub arrived_ms: i64,
    /// Queue.
    pub queue: &'a str,
    /// Answering agent.
    pub agent: Option<&'a str>,
    /// Caller, for repeat-contact FCR.
    pub caller: Option<&'a str>,
    /// The `resolved` column, if recorded.
    pub resolved: Option<bool>,
    /// The figures (its `resolved` is filled in here).
    pub row: CallRow,
}

/// No agent, no rings.
pub const NONE: u32 = u32::MAX;
/// No caller.
pub const NO_CALLER: u128 = u128::MAX;

/// The calls of a store as columns (about 60 bytes a call, no strings): queues,
/// agents and callers coded against name lists, absent numbers as NaN /
/// [`NONE`].
#[derive(Debug, Clone, Default)]
pub struct Calls {
    /// Queue names, indexed by code.
    pub queues: Vec<String>,
    /// Agent names, indexed by code.
    pub agents: Vec<String>,
    /// Arrival, ms.
    pub arrived_ms: Vec<i64>,
    /// Queue code.
    pub queue: Vec<u32>,
    /// Answering agent's code or [`NONE`].
    pub agent: Vec<u32>,
    /// Caller key: any numbering or a 128-bit hash of the caller id (equal keys are
    /// taken as the same caller), [`NO_CALLER`] when unknown.
    pub caller: Vec<u128>,
    /// Outcome.
    pub outcome: Vec<Outcome>,
    /// The `resolved` column: 0 false, 1 true, 2 not recorded.
    pub resolved: Vec<u8>,
    /// Transferred.
    pub transferred: Vec<bool>,
    /// Wait, s.
    pub wait_s: Vec<f64>,
    /// Talk, s (NaN: empty).
    pub talk_s: Vec<f64>,
    /// Hold, s (NaN: empty).
    pub hold_s: Vec<f64>,
    /// After-call work, s (NaN: empty).
    pub acw_s: Vec<f64>,
    /// Rings ([`NONE`]: empty).
    pub rings: Vec<u32>,
    /// Repeat-contact FCR per call when worked out beforehand (by
    /// [`repeat_contact_resolution`] over `caller` and `arrived_ms` with the report's
    /// window, e.g. on another thread while other columns were read); `None`:
    /// [`call_part`] works it out.
    pub repeat: Option<Vec<Option<bool>>>,
}

impl Calls {
    /// From named calls (tests and small inputs): names coded in first-seen order.
    pub fn from_named(calls: &[CallIn<'_>]) -> Self {
        let (mut q, mut a, mut c) = (
            Interner::default(),
            Interner::default(),
            Interner::default(),
        );
        let mut out = Self::default();
        for x in calls {
            let r = &x.row;
            out.arrived_ms.push(x.arrived_ms);
            out.queue.push(q.id(x.queue));
            out.agent.push(x.agent.map_or(NONE, |n| a.id(n)));
            out.caller
                .push(x.caller.map_or(NO_CALLER, |n| u128::from(c.id(n))));
            out.outcome.push(r.outcome);
            out.resolved.push(x.resolved.map_or(2, u8::from));
            out.transferred.push(r.transferred);
            out.wait_s.push(r.wait_s);
            out.talk_s.push(r.talk_s.unwrap_or(f64::NAN));
            out.hold_s.push(r.hold_s.unwrap_or(f64::NAN));
            out.acw_s.push(r.acw_s.unwrap_or(f64::NAN));
            out.rings.push(r.rings.unwrap_or(NONE));
        }
        let owned = |i: &Interner<'_>| i.names().iter().map(|n| (*n).to_owned()).collect();
        (out.queues, out.agents) = (owned(&q), owned(&a));
        out
    }

    /// Number of calls.
    pub fn len(&self) -> usize {
        self.arrived_ms.len()
    }

    /// No calls.
    pub fn is_empty(&self) -> bool {
        self.arrived_ms.is_empty()
    }

    /// Arrival times, ms.
    pub fn arrivals(&self) -> &[i64] {
        &self.arrived_ms
    }

    /// Call `i`'s figures (`resolved` left `None`).
    fn row(&self, i: usize) -> CallRow {
        let some = |x: f64| (!x.is_nan()).then_some(x);
        CallRow {
            outcome: self.outcome[i],
            wait_s: self.wait_s[i],
            talk_s: some(self.talk_s[i]),
            hold_s: some(self.hold_s[i]),
            acw_s: some(self.acw_s[i]),
            rings: (self.rings[i] != NONE).then_some(self.rings[i]),
            transferred: self.transferred[i],
            resolved: None,
        }
    }

    /// FCR flags by repeat contact over all the calls (unless given in `repeat`).
    fn repeat_flags(&self, window_ms: i64) -> std::borrow::Cow<'_, [Option<bool>]> {
        match &self.repeat {
            Some(r) => r.into(),
            None => {
                let last_arrival = self.arrived_ms.iter().copied().max().unwrap_or(0);
                repeat_contact_resolution(
                    &self.caller,
                    NO_CALLER,
                    &self.arrived_ms,
                    window_ms,
                    last_arrival,
                )
                .into()
            }
        }
    }

    /// Call `i`'s figures with its FCR: the `resolved` column where recorded, else
    /// the repeat-contact flag (answered calls only).
    fn row_with_fcr(&self, i: usize, repeat: &[Option<bool>]) -> CallRow {
        let mut row = self.row(i);
        row.resolved = if row.outcome == Outcome::Answered {
            self.resolved(i).or(repeat[i])
        } else {
            None
        };
        row
    }

    /// Call `i`'s recorded `resolved`.
    fn resolved(&self, i: usize) -> Option<bool> {
        match self.resolved[i] {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

/// The tables, each `None` when the store has none.
#[derive(Debug, Clone, Default)]
pub struct Inputs<'a> {
    /// The calls' side, from [`call_part`] with the same settings.
    pub calls: Option<&'a CallPart>,
    /// Agent states.
    pub states: Option<&'a AgentStates>,
    /// Scheduled work segments (`None` when no schedules table).
    pub work: Option<&'a [WorkRow<'a>]>,
    /// Agent time already summed per slot ([`super::agent_time::agent_slots`]), in
    /// place of `states` and `work`; only for buckets made of whole slots.
    pub agent_slots: Option<&'a AgentSlots>,
    /// QA evaluations.
    pub qa: Option<&'a [QaRow<'a>]>,
    /// Costs.
    pub costs: Option<&'a [CostRow]>,
    /// Headcount.
    pub agents: Option<&'a [AgentRow<'a>]>,
    /// Agent → team.
    pub teams: HashMap<&'a str, &'a str>,
}

/// How rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// One group: everything.
    None,
    /// By queue.
    Queue,
    /// By the answering agent's team.
    Team,
    /// By answering agent.
    Agent,
}

/// Report settings (echoed in outputs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Period start, ms (inclusive).
    pub from_ms: i64,
    /// Period end, ms (exclusive).
    pub to_ms: i64,
    /// Buckets.
    pub by: Bucketing,
    /// Groups.
    pub group: Grouping,
    /// Report zone.
    pub zone: TimeZoneSpec,
    /// SL threshold and short abandons.
    pub calls: CallSettings,
    /// FCR repeat window, ms.
    pub fcr_window_ms: i64,
}

/// One KPI of one row.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiValue {
    /// KPI id.
    pub id: &'static str,
    /// Value.
    pub value: Option<f64>,
    /// Unit.
    pub unit: Unit,
    /// Status against the target.
    pub status: Status,
    /// Why the value is null.
    pub reason: Option<String>,
}

/// One output row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Bucket start (`None` for the whole period).
    pub bucket_start: Option<i64>,
    /// Group (`None` without grouping).
    pub group: Option<String>,
    /// Raw call counts.
    pub counts: CallCounts,
    /// The 23 KPIs in catalog order.
    pub kpis: Vec<KpiValue>,
}

/// Whether every bucket of the report starts, and the period ends, on a multiple
/// of `span_ms` (UTC-aligned): then summaries of that span serve it exactly.
pub fn whole_spans(s: &Settings, span_ms: i64) -> bool {
    period_starts(s)
        .iter()
        .chain([&s.to_ms])
        .all(|t| t.rem_euclid(span_ms) == 0)
}

/// The bucket starts clipped to the period: a first week or month that begins
/// before `from` counts only from `from` (its row is still labelled with the
/// bucket's own start), just as the last bucket ends at `to`.
pub fn period_starts(s: &Settings) -> Vec<i64> {
    let mut starts = bucket_starts(s.from_ms, s.to_ms, s.by, &s.zone);
    if let Some(first) = starts.first_mut() {
        *first = (*first).max(s.from_ms);
    }
    starts
}

/// Marks a call outside the period or without a group.
const NO_GROUP: u32 = u32::MAX;

/// The calls' side of a report: their figures accumulated per bucket and group, so
/// the calls themselves can be dropped before the other tables are read.
#[derive(Debug, Clone)]
pub struct CallPart {
    /// Group names the calls in the period produced, by provisional id.
    names: Vec<String>,
    /// `[bucket][provisional group]`.
    acc: Vec<Vec<CallAccum>>,
    /// The settings it was computed with ([`compute`] must get the same).
    settings: Settings,
}

/// Accumulates the calls of the period per bucket and group (`teams` maps agents to
/// teams for `Grouping::Team`). FCR by the `resolved` column where recorded, else by
/// repeat contact over all the calls given.
pub fn call_part(calls: &Calls, teams: &HashMap<&str, &str>, s: &Settings) -> CallPart {
    let starts = period_starts(s);
    // Group of every call in the period (`NO_GROUP` otherwise), as dense ids in
    // first-seen order. The key is found once per queue or agent code, not per call.
    let mut names = Interner::default();
    if s.group == Grouping::None {
        names.id("");
    }
    let codes = match s.group {
        Grouping::Queue => &calls.queue,
        _ => &calls.agent,
    };
    let key = |code: usize| -> Option<&str> {
        match s.group {
            Grouping::None => Some(""),
            Grouping::Queue => Some(&calls.queues[code]),
            Grouping::Agent => Some(&calls.agents[code]),
            Grouping::Team => teams.get(calls.agents[code].as_str()).copied(),
        }
    };
    const UNSEEN: u32 = NO_GROUP - 1;
    let mut by_code = vec![UNSEEN; calls.queues.len().max(calls.agents.len())];
    let in_period = |t: i64| t >= s.from_ms && t < s.to_ms;
    let call_group: Vec<u32> = (0..calls.len())
        .map(|i| match s.group {
            _ if !in_period(calls.arrived_ms[i]) => NO_GROUP,
            Grouping::None => 0,
            _ if codes[i] == NONE => NO_GROUP,
            _ => {
                let c = codes[i] as usize;
                if by_code[c] == UNSEEN {
                    by_code[c] = key(c).map_or(NO_GROUP, |k| names.id(k));
                }
                by_code[c]
            }
        })
        .collect();

    let repeat = calls.repeat_flags(s.fcr_window_ms);
    let mut acc = vec![vec![CallAccum::default(); names.names().len()]; starts.len()];
    for (i, &t) in calls.arrived_ms.iter().enumerate() {
        let Some(b) = bucket_of(&starts, s.to_ms, t) else {
            continue;
        };
        let g = call_group[i];
        if g == NO_GROUP {
            continue;
        }
        acc[b][g as usize].add(&calls.row_with_fcr(i, &repeat), &s.calls);
    }
    CallPart {
        names: names.names().iter().map(|n| (*n).to_owned()).collect(),
        acc,
        settings: *s,
    }
}

/// The calls of one queue in one 15-minute slot (UTC-aligned), accumulated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallSlot {
    /// Slot start, ms.
    pub slot_ms: i64,
    /// Queue code (index into [`Calls::queues`]).
    pub queue: u32,
    /// First and last arrival in the slot, ms (the default period comes from them).
    pub first_ms: i64,
    /// See `first_ms`.
    pub last_ms: i64,
    /// The slot's figures.
    pub acc: CallAccum,
}

/// The span of the per-agent call slots: an hour (UTC-aligned), since an agent
/// takes only a few calls in 15 minutes; reports per agent or team whose buckets
/// are whole hours are served from them.
pub const AGENT_SLOT_MS: i64 = 3_600_000;

/// The calls one agent took in one hour (UTC-aligned, [`AGENT_SLOT_MS`]),
/// accumulated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgentCallSlot {
    /// Slot start, ms.
    pub slot_ms: i64,
    /// Agent code (index into [`Calls::agents`]).
    pub agent: u32,
    /// The slot's figures for the agent.
    pub acc: CallAccum,
}

/// The calls accumulated per 15-minute slot, by queue and by agent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlotSums {
    /// Per queue and slot: every call; sorted by slot, then queue.
    pub queues: Vec<CallSlot>,
    /// Per agent and hour: the calls an agent took (the others belong to no
    /// agent); sorted by slot, then agent.
    pub agents: Vec<AgentCallSlot>,
}

/// Every call accumulated per queue and 15-minute slot, and per agent and hour,
/// with the call settings and FCR window given (the repeat contacts found once for
/// both). [`CallPart::from_slots`] turns the first into any report whose buckets
/// are whole slots, in total or per queue; [`CallPart::from_agent_slots`] the
/// second into one per agent or team.
pub fn call_slots(calls: &Calls, cs: &CallSettings, fcr_window_ms: i64) -> SlotSums {
    let repeat = calls.repeat_flags(fcr_window_ms);
    let mut at: rustc_hash::FxHashMap<(i64, u32), usize> = Default::default();
    let mut by_agent: rustc_hash::FxHashMap<(i64, u32), usize> = Default::default();
    let mut out = SlotSums::default();
    for (i, &t) in calls.arrived_ms.iter().enumerate() {
        let slot_ms = t.div_euclid(SLOT_MS) * SLOT_MS;
        let queue = calls.queue[i];
        let row = calls.row_with_fcr(i, &repeat);
        let k = *at.entry((slot_ms, queue)).or_insert_with(|| {
            out.queues.push(CallSlot {
                slot_ms,
                queue,
                first_ms: t,
                last_ms: t,
                acc: CallAccum::default(),
            });
            out.queues.len() - 1
        });
        let c = &mut out.queues[k];
        c.first_ms = c.first_ms.min(t);
        c.last_ms = c.last_ms.max(t);
        c.acc.add(&row, cs);
        let agent = calls.agent[i];
        if agent != NONE {
            let slot_ms = t.div_euclid(AGENT_SLOT_MS) * AGENT_SLOT_MS;
            let k = *by_agent.entry((slot_ms, agent)).or_insert_with(|| {
                out.agents.push(AgentCallSlot {
                    slot_ms,
                    agent,
                    acc: CallAccum::default(),
                });
                out.agents.len() - 1
            });
            out.agents[k].acc.add(&row, cs);
        }
    }
    out.queues.sort_unstable_by_key(|c| (c.slot_ms, c.queue));
    out.agents.sort_unstable_by_key(|c| (c.slot_ms, c.agent));
    out
}

impl CallPart {
    /// The calls' side of a report from [`call_slots`] output (`queues` names their
    /// queue codes; give only the slots of the queues wanted). Only for reports with
    /// no grouping or grouped by queue, whose bucket starts and end fall on slot
    /// boundaries, and computed with the same call settings and FCR window as the
    /// slots (the service-level profile may differ: it only reads the counters).
    pub fn from_slots<'s>(
        slots: impl IntoIterator<Item = &'s CallSlot>,
        queues: &[String],
        s: &Settings,
    ) -> CallPart {
        debug_assert!(matches!(s.group, Grouping::None | Grouping::Queue));
        let items = slots.into_iter().map(|c| {
            let name = match s.group {
                Grouping::Queue => queues[c.queue as usize].as_str(),
                _ => "",
            };
            (c.slot_ms, Some(name), c.acc)
        });
        CallPart::from_slot_figures(items, s)
    }

    /// The calls' side of a report per agent or team from [`SlotSums::agents`]
    /// (`agents` names their codes; `teams` gives an agent's team, agents without
    /// one are left out per team, as [`call_part`] leaves them). The conditions of
    /// [`CallPart::from_slots`], with buckets of whole hours.
    pub fn from_agent_slots(
        slots: impl IntoIterator<Item = AgentCallSlot>,
        agents: &[String],
        teams: &HashMap<&str, &str>,
        s: &Settings,
    ) -> CallPart {
        debug_assert!(matches!(s.group, Grouping::Agent | Grouping::Team));
        let items = slots.into_iter().map(|c| {
            let name = agents[c.agent as usize].as_str();
            let group = match s.group {
                Grouping::Team => teams.get(name).copied(),
                _ => Some(name),
            };
            (c.slot_ms, group, c.acc)
        });
        CallPart::from_slot_figures(items, s)
    }

    /// Each slot's figures (slot start, group name — `None`: left out — and the
    /// figures) added into the report's bucket holding the slot, in its group; the
    /// figures re-read with the report's rule for abandons in the service level.
    fn from_slot_figures<'a>(
        items: impl Iterator<Item = (i64, Option<&'a str>, CallAccum)>,
        s: &Settings,
    ) -> CallPart {
        let starts = period_starts(s);
        let mut names = Interner::default();
        if s.group == Grouping::None {
            names.id("");
        }
        let mut acc: Vec<Vec<CallAccum>> = vec![Vec::new(); starts.len()];
        for (slot_ms, name, figures) in items {
            let (Some(b), Some(name)) = (bucket_of(&starts, s.to_ms, slot_ms), name) else {
                continue;
            };
            let g = names.id(name) as usize;
            let row = &mut acc[b];
            if row.len() <= g {
                row.resize(g + 1, CallAccum::default());
            }
            let mut a = CallAccum::from_fields(&figures.fields(), s.calls.sl_abandons);
            a.merge(&row[g]);
            row[g] = a;
        }
        let groups = names.names().len();
        for row in &mut acc {
            row.resize(groups, CallAccum::default());
        }
        CallPart {
            names: names.names().iter().map(|n| (*n).to_owned()).collect(),
            acc,
            settings: *s,
        }
    }
}

/// Computes every row.
pub fn compute<'a>(inputs: &Inputs<'a>, s: &Settings) -> Vec<Row> {
    let labels = bucket_starts(s.from_ms, s.to_ms, s.by, &s.zone);
    let starts = period_starts(s);
    debug_assert!(inputs.calls.is_none_or(|c| c.settings == *s));
    // Groups: those of the calls (their provisional ids first), then for agents and
    // teams those of the agent-time tables; renumbered so they come out sorted.
    let mut names = Interner::default();
    if s.group == Grouping::None {
        names.id("");
    }
    for n in inputs.calls.map_or(&[][..], |c| &c.names[..]) {
        names.id(n);
    }
    let slots = inputs.agent_slots;
    let has_states = inputs.states.is_some() || slots.is_some_and(|x| x.has_states);
    let has_work = inputs.work.is_some() || slots.is_some_and(|x| x.has_work);
    if matches!(s.group, Grouping::Agent | Grouping::Team) {
        for a in inputs
            .states
            .map_or(&[][..], |x| x.names())
            .iter()
            .chain(slots.map_or(&[][..], |x| &x.names[..]))
            .map(String::as_str)
            .chain(inputs.work.unwrap_or(&[]).iter().map(|w| w.agent))
        {
            let k = match s.group {
                Grouping::Agent => Some(a),
                _ => inputs.teams.get(a).copied(),
            };
            if let Some(k) = k {
                names.id(k);
            }
        }
    }
    let (ordered, rank) = names.by_name();
    let index: HashMap<&str, usize> = ordered.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let groups = ordered.len();
    let agent_group_index = |a: &str| -> Option<usize> {
        match s.group {
            Grouping::None => Some(0),
            Grouping::Agent => index.get(a).copied(),
            Grouping::Team => inputs.teams.get(a).and_then(|t| index.get(*t).copied()),
            Grouping::Queue => None,
        }
    };
    let mut acc = vec![vec![CallAccum::default(); groups]; starts.len()];
    if let Some(part) = inputs.calls {
        // The calls' provisional ids are the first ids of `names`.
        for (b, row) in part.acc.iter().enumerate() {
            for (g, a) in row.iter().enumerate() {
                acc[b][rank[g] as usize] = *a;
            }
        }
    }
    let time: Option<Vec<Vec<AgentTime>>> = match (slots, inputs.states) {
        (Some(x), _) if x.has_states => Some(agent_time_from_slots(
            x,
            &starts,
            s.to_ms,
            groups,
            &agent_group_index,
            &s.zone,
        )),
        (_, Some(st)) => Some(agent_time(
            st,
            inputs.work.unwrap_or(&[]),
            &starts,
            s.to_ms,
            groups,
            &agent_group_index,
            &s.zone,
        )),
        _ => None,
    };
    let qa_acc: Option<Vec<Vec<Qa>>> = inputs
        .qa
        .map(|q| qa(q, &starts, s.to_ms, groups, &agent_group_index));
    let costs: Option<Vec<f64>> = inputs.costs.map(|c| prorated_costs(c, &starts, s.to_ms));
    let team_of_agent = |a: &str| -> Option<usize> {
        match s.group {
            Grouping::None => Some(0),
            Grouping::Team => inputs.teams.get(a).and_then(|t| index.get(*t).copied()),
            _ => None,
        }
    };
    let staff: Option<Vec<Vec<Turnover>>> = inputs
        .agents
        .map(|a| turnover(a, &starts, s.to_ms, groups, &team_of_agent));

    let mut rows = Vec::with_capacity(starts.len() * groups);
    for (b, (&start, &label)) in starts.iter().zip(&labels).enumerate() {
        let end = starts.get(b + 1).copied().unwrap_or(s.to_ms);
        let short_bucket = end - start < DAY_MS - 2 * 3_600_000; // DST days still count as days
        for (g, name) in ordered.iter().enumerate() {
            let a = &acc[b][g];
            let figures: HashMap<&str, super::calls::Figure> = a.figures().into_iter().collect();
            let per_queue = s.group == Grouping::Queue;
            let per_person = matches!(s.group, Grouping::Agent | Grouping::Team);
            let mut kpis = Vec::with_capacity(23);
            for k in &KPIS {
                let not_per = |what: &str| (None, Some(format!("not defined per {what}")));
                let needs = |table: &str| (None, Some(format!("needs {table}")));
                let (value, reason): (Option<f64>, Option<String>) = match k.id {
                    "schedule_adherence" | "calls_per_agent_hour" | "occupancy" | "attendance"
                        if per_queue =>
                    {
                        not_per("queue")
                    }
                    "monitoring_score" | "cost_per_call" | "agent_turnover" if per_queue => {
                        not_per("queue")
                    }
                    "average_time_to_abandon"
                    | "abandon_rate"
                    | "blocked_call_rate"
                    | "queued_call_rate"
                    | "answered_call_rate"
                    | "service_level"
                    | "cost_per_call"
                        if per_person =>
                    {
                        not_per("agent or team")
                    }
                    "agent_turnover" if s.group == Grouping::Agent => not_per("agent"),
                    "attendance" if short_bucket => (
                        None,
                        Some("not defined for buckets shorter than a day".into()),
                    ),
                    "schedule_adherence" | "attendance" if !has_work => needs("schedules"),
                    "schedule_adherence" | "occupancy" | "attendance" | "calls_per_agent_hour"
                        if !has_states =>
                    {
                        needs("agent_states")
                    }
                    "schedule_adherence" => time.as_ref().map_or(needs("agent_states"), |t| {
                        with_reason(t[b][g].adherence(), "no scheduled work")
                    }),
                    "occupancy" => time.as_ref().map_or(needs("agent_states"), |t| {
                        with_reason(t[b][g].occupancy(), "no agent time")
                    }),
                    "attendance" => time.as_ref().map_or(needs("agent_states"), |t| {
                        with_reason(t[b][g].attendance(), "no scheduled work")
                    }),
                    "calls_per_agent_hour" => time.as_ref().map_or(needs("agent_states"), |t| {
                        with_reason(
                            t[b][g].calls_per_hour(a.counts.answered),
                            "no logged-in time",
                        )
                    }),
                    "monitoring_score" => qa_acc.as_ref().map_or(needs("qa_evaluations"), |q| {
                        with_reason(q[b][g].mean(), "no evaluations")
                    }),
                    "cost_per_call" => match &costs {
                        None => needs("costs"),
                        Some(c) => {
                            let handled = a.counts.answered + a.counts.ivr;
                            with_reason(
                                (handled > 0).then(|| c[b] / handled as f64),
                                "no calls answered by agents or the IVR",
                            )
                        }
                    },
                    "agent_turnover" => staff.as_ref().map_or(needs("agents"), |t| {
                        with_reason(t[b][g].value(), "no full-time headcount")
                    }),
                    "total_calls" if per_person => (Some(a.counts.answered as f64), None),
                    id => {
                        if inputs.calls.is_none() {
                            needs("calls")
                        } else {
                            let f = &figures[id];
                            (f.value, f.reason.map(str::to_owned))
                        }
                    }
                };
                let judged = if k.id == "agent_turnover" {
                    staff
                        .as_ref()
                        .and_then(|t| t[b][g].annualised())
                        .filter(|_| value.is_some())
                } else {
                    value
                };
                kpis.push(KpiValue {
                    id: k.id,
                    value,
                    unit: k.unit,
                    status: status(k.target.as_ref(), judged),
                    reason,
                });
            }
            rows.push(Row {
                bucket_start: (s.by != Bucketing::Total).then_some(label),
                group: (s.group != Grouping::None).then(|| (*name).to_owned()),
                counts: a.counts,
                kpis,
            });
        }
    }
    rows
}

fn with_reason(v: Option<f64>, why: &str) -> (Option<f64>, Option<String>) {
    let reason = v.is_none().then(|| why.to_owned());
    (v, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(
        t: i64,
        queue: &'static str,
        agent: Option<&'static str>,
        outcome: Outcome,
        wait: f64,
    ) -> CallIn<'static> {
        CallIn {
            arrived_ms: t,
            queue,
            agent,
            caller: None,
            resolved: None,
            row: CallRow {
                outcome,
                wait_s: wait,
                talk_s: agent.map(|_| 100.0),
                hold_s: None,
                acw_s: None,
                rings: None,
                transferred: false,
                resolved: None,
            },
        }
    }

    fn settings(by: Bucketing, group: Grouping) -> Settings {
        Settings {
            from_ms: 0,
            to_ms: 2 * DAY_MS,
            by,
            group,
            zone: TimeZoneSpec::Utc,
            calls: CallSettings::default(),
            fcr_window_ms: 7 * DAY_MS,
        }
    }

    /// The rows for calls alone.
    fn run(calls: &[CallIn<'_>], s: Settings) -> Vec<Row> {
        let part = call_part(&Calls::from_named(calls), &HashMap::new(), &s);
        let inputs = Inputs {
            calls: Some(&part),
            ..Inputs::default()
        };
        compute(&inputs, &s)
    }

    fn kpi<'r>(r: &'r Row, id: &str) -> &'r KpiValue {
        r.kpis.iter().find(|k| k.id == id).expect("every id")
    }

    #[test]
    fn every_row_has_all_23_and_missing_tables_are_explained() {
        let calls = [
            call(10, "sales", Some("a"), Outcome::Answered, 3.0),
            call(DAY_MS + 10, "sales", None, Outcome::Abandoned, 30.0),
        ];
        let rows = run(&calls, settings(Bucketing::Day, Grouping::None));
        assert_eq!(rows.len(), 2);
        for r in &rows {
            assert_eq!(r.kpis.len(), 23);
        }
        assert_eq!(kpi(&rows[0], "service_level").value, Some(1.0));
        assert_eq!(kpi(&rows[0], "service_level").status, Status::Good);
        assert_eq!(kpi(&rows[1], "abandon_rate").value, Some(1.0));
        assert_eq!(kpi(&rows[1], "abandon_rate").status, Status::Poor);
        let occ = kpi(&rows[0], "occupancy");
        assert_eq!(
            (occ.value, occ.reason.as_deref(), occ.status),
            (None, Some("needs agent_states"), Status::Unknown)
        );
        assert_eq!(
            kpi(&rows[0], "cost_per_call").reason.as_deref(),
            Some("needs costs")
        );
    }

    #[test]
    fn empty_buckets_are_reported_with_reasons() {
        let calls = [call(10, "sales", Some("a"), Outcome::Answered, 3.0)];
        let rows = run(&calls, settings(Bucketing::Interval(60), Grouping::None));
        assert_eq!(rows.len(), 48);
        assert_eq!(rows[5].counts.total, 0);
        assert_eq!(
            kpi(&rows[5], "service_level").reason.as_deref(),
            Some("no offered calls")
        );
        assert_eq!(kpi(&rows[5], "total_calls").value, Some(0.0));
        assert_eq!(
            kpi(&rows[0], "attendance").reason.as_deref(),
            Some("not defined for buckets shorter than a day")
        );
    }

    #[test]
    fn grouping_limits_follow_the_manual() {
        let calls = [
            call(10, "sales", Some("a"), Outcome::Answered, 3.0),
            call(20, "support", Some("b"), Outcome::Answered, 30.0),
            call(30, "sales", None, Outcome::Abandoned, 30.0),
        ];
        let by_queue = run(&calls, settings(Bucketing::Total, Grouping::Queue));
        assert_eq!(
            by_queue
                .iter()
                .map(|r| r.group.clone().unwrap_or_default())
                .collect::<Vec<_>>(),
            ["sales", "support"]
        );
        assert_eq!(kpi(&by_queue[0], "answered_call_rate").value, Some(0.5));
        assert_eq!(
            kpi(&by_queue[0], "occupancy").reason.as_deref(),
            Some("not defined per queue")
        );
        let by_agent = run(&calls, settings(Bucketing::Total, Grouping::Agent));
        assert_eq!(by_agent.len(), 2, "the unanswered call belongs to no agent");
        assert_eq!(
            kpi(&by_agent[1], "average_speed_of_answer").value,
            Some(30.0)
        );
        assert_eq!(kpi(&by_agent[1], "total_calls").value, Some(1.0));
        assert_eq!(
            kpi(&by_agent[1], "service_level").reason.as_deref(),
            Some("not defined per agent or team")
        );
        assert_eq!(
            kpi(&by_agent[1], "agent_turnover").reason.as_deref(),
            Some("not defined per agent")
        );
    }

    #[test]
    fn fcr_worked_out_beforehand_gives_the_same_rows() {
        // Caller c calls at 0 and again an hour later: the first call is not
        // resolved, the second is (no c call in the next 7 days, which end before
        // the last call at day 8). d's window ends exactly at day 8: decided,
        // resolved. e's call at day 8 is censored. FCR = 2 of 3 decided calls.
        let mut calls = vec![
            call(0, "sales", Some("a"), Outcome::Answered, 3.0),
            call(3_600_000, "sales", Some("a"), Outcome::Answered, 3.0),
            call(DAY_MS, "sales", Some("b"), Outcome::Answered, 3.0),
            call(8 * DAY_MS, "sales", Some("b"), Outcome::Answered, 3.0),
        ];
        calls[0].caller = Some("c");
        calls[1].caller = Some("c");
        calls[2].caller = Some("d");
        calls[3].caller = Some("e");
        let s = settings(Bucketing::Total, Grouping::None);
        let plain = Calls::from_named(&calls);
        let mut given = plain.clone();
        let last = given.arrived_ms.iter().copied().max().unwrap_or(0);
        given.repeat = Some(repeat_contact_resolution(
            &given.caller,
            NO_CALLER,
            &given.arrived_ms,
            s.fcr_window_ms,
            last,
        ));
        given.caller = Vec::new();
        let rows = |c: &Calls| {
            let part = call_part(c, &HashMap::new(), &s);
            compute(
                &Inputs {
                    calls: Some(&part),
                    ..Inputs::default()
                },
                &s,
            )
        };
        let (a, b) = (rows(&plain), rows(&given));
        assert_eq!(a, b);
        let fcr = kpi(&a[0], "first_call_resolution")
            .value
            .expect("decided calls");
        assert!((fcr - 2.0 / 3.0).abs() < 1e-12, "{fcr}");
    }

    #[test]
    fn fcr_of_a_period_whose_calls_are_all_censored_is_null_not_zero() {
        // c calls at 0 and again at 1 h; the data end at 1 h, so both windows run
        // past it. The repeat does not make the first call a counted failure.
        let mut calls = vec![
            call(0, "sales", Some("a"), Outcome::Answered, 3.0),
            call(3_600_000, "sales", Some("a"), Outcome::Answered, 3.0),
        ];
        calls[0].caller = Some("c");
        calls[1].caller = Some("c");
        let s = settings(Bucketing::Total, Grouping::None);
        let part = call_part(&Calls::from_named(&calls), &HashMap::new(), &s);
        let rows = compute(
            &Inputs {
                calls: Some(&part),
                ..Inputs::default()
            },
            &s,
        );
        let fcr = kpi(&rows[0], "first_call_resolution");
        assert_eq!(fcr.value, None);
        assert_eq!(
            fcr.reason.as_deref(),
            Some("no answered calls with a known resolution")
        );
    }

    #[test]
    fn a_week_that_starts_before_from_counts_only_from_from() {
        // 1970-01-05 was a Monday (day 4); the period starts Wednesday (day 6).
        // Monday: ready 09–10 (before the period: left out). Wednesday: ready 09–10,
        // talk 10–11 → occupancy 1 h busy ÷ 2 h = 0.5 (1 ÷ 3 if Monday counted).
        let h = 3_600_000;
        let states = AgentStates::from_named(&[
            ("a", "ready", 4 * DAY_MS + 9 * h, 4 * DAY_MS + 10 * h),
            ("a", "ready", 6 * DAY_MS + 9 * h, 6 * DAY_MS + 10 * h),
            ("a", "talk", 6 * DAY_MS + 10 * h, 6 * DAY_MS + 11 * h),
        ]);
        let s = Settings {
            from_ms: 6 * DAY_MS,
            to_ms: 8 * DAY_MS,
            ..settings(Bucketing::Week, Grouping::None)
        };
        let rows = compute(
            &Inputs {
                states: Some(&states),
                ..Inputs::default()
            },
            &s,
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].bucket_start, Some(4 * DAY_MS), "labelled Monday");
        assert_eq!(kpi(&rows[0], "occupancy").value, Some(0.5));
        // No calls over 2 logged-in hours.
        assert_eq!(kpi(&rows[0], "calls_per_agent_hour").value, Some(0.0));
    }

    mod slots {
        //! The per-slot summaries give the rows' figures exactly, for every bucketing
        //! whose buckets are whole slots, in zones with half-hour offsets and DST.
        use super::*;
        use crate::kpi::agent_time::agent_slots;
        use crate::kpi::calls::SlAbandons;
        use proptest::prelude::*;

        const OUTCOMES: [Outcome; 5] = [
            Outcome::Answered,
            Outcome::Answered,
            Outcome::Abandoned,
            Outcome::Blocked,
            Outcome::Ivr,
        ];
        const QUEUES: [&str; 3] = ["sales", "billing", "repairs"];
        const AGENTS: [&str; 4] = ["a", "b", "c", "d"];
        const CALLERS: [&str; 4] = ["p", "q", "r", "s"];
        const STATES: [&str; 6] = ["ready", "talk", "hold", "acw", "break", "not_ready"];
        const ZONES: [&str; 4] = [
            "UTC",
            "Asia/Kolkata",
            "America/New_York",
            "Australia/Adelaide",
        ];

        /// (arrival ms, queue, agent, caller, outcome, wait ms, talk ms, rings)
        type RawCall = (i64, usize, usize, usize, usize, i64, i64, u32);

        fn calls_strategy() -> impl Strategy<Value = Vec<RawCall>> {
            prop::collection::vec(
                (
                    0..6 * DAY_MS,
                    0..3usize,
                    0..5usize,
                    0..5usize,
                    0..5usize,
                    0..120_000i64,
                    0..900_000i64,
                    0..6u32,
                ),
                0..60,
            )
        }

        /// Per agent: (agent, gap ms, length ms, state) runs, back to back.
        type Runs = Vec<(usize, i64, i64, usize)>;
        /// Scheduled work: (agent, start, length).
        type Shifts = Vec<(usize, i64, i64)>;

        fn time_strategy() -> impl Strategy<Value = (Runs, Shifts)> {
            (
                prop::collection::vec(
                    (
                        0..4usize,
                        0..4 * 3_600_000i64,
                        1..3 * 3_600_000i64,
                        0..6usize,
                    ),
                    0..80,
                ),
                prop::collection::vec((0..5usize, 0..6 * DAY_MS, 1..10 * 3_600_000i64), 0..20),
            )
        }

        fn bucketing(i: usize) -> Bucketing {
            [
                Bucketing::Total,
                Bucketing::Interval(15),
                Bucketing::Interval(30),
                Bucketing::Interval(60),
                Bucketing::Day,
                Bucketing::Week,
                Bucketing::Month,
            ][i]
        }

        proptest! {
            #[test]
            fn slots_give_the_rows_figures(
                raw in calls_strategy(),
                (runs, shifts) in time_strategy(),
                by in 0..7usize,
                group in 0..4usize,
                zone in 0..4usize,
                from_day in 0..3i32,
                days in 1..5i32,
                sl_abandons in 0..3usize,
            ) {
                let named: Vec<CallIn<'_>> = raw
                    .iter()
                    .map(|&(t, q, a, c, o, wait, talk, rings)| {
                        let outcome = OUTCOMES[o];
                        let answered = outcome == Outcome::Answered;
                        CallIn {
                            arrived_ms: t,
                            queue: QUEUES[q],
                            agent: (answered && a < 4).then(|| AGENTS[a]),
                            caller: (c < 4).then(|| CALLERS[c]),
                            resolved: None,
                            row: CallRow {
                                outcome,
                                wait_s: wait as f64 / 1000.0,
                                talk_s: answered.then(|| talk as f64 / 1000.0),
                                hold_s: (answered && talk % 3 == 0).then(|| talk as f64 / 7000.0),
                                acw_s: answered.then(|| wait as f64 / 3000.0),
                                rings: (answered && rings > 0).then_some(rings),
                                transferred: talk % 5 == 0,
                                resolved: None,
                            },
                        }
                    })
                    .collect();
                let calls = Calls::from_named(&named);
                // Each agent's states back to back with gaps, from day 0.
                let mut at = [0i64; 4];
                let mut rows: Vec<(&str, &str, i64, i64)> = Vec::new();
                for &(a, gap, len, st) in &runs {
                    let start = at[a] + gap;
                    rows.push((AGENTS[a], STATES[st], start, start + len));
                    at[a] = start + len;
                }
                let states = AgentStates::from_named(&rows);
                let work: Vec<WorkRow<'_>> = shifts
                    .iter()
                    .map(|&(a, start, len)| WorkRow {
                        agent: ["a", "b", "c", "d", "e"][a],
                        start_ms: start,
                        end_ms: start + len,
                    })
                    .collect();
                let zone = TimeZoneSpec::parse(ZONES[zone]).expect("zone");
                let from_ms = zone.local_midnight_ms(from_day).expect("midnight");
                let to_ms = zone.local_midnight_ms(from_day + days).expect("midnight");
                let s = Settings {
                    from_ms,
                    to_ms,
                    by: bucketing(by),
                    group: [Grouping::None, Grouping::Queue, Grouping::Agent, Grouping::Team][group],
                    zone,
                    calls: CallSettings {
                        sl_abandons: [SlAbandons::Negative, SlAbandons::Ignore, SlAbandons::Positive][sl_abandons],
                        ..CallSettings::default()
                    },
                    fcr_window_ms: DAY_MS,
                };
                let teams: HashMap<&str, &str> =
                    [("a", "red"), ("b", "red"), ("c", "blue"), ("e", "blue")].into_iter().collect();
                let from_rows = call_part(&calls, &teams, &s);
                let by_rows = compute(
                    &Inputs {
                        calls: Some(&from_rows),
                        states: Some(&states),
                        work: Some(&work),
                        teams: teams.clone(),
                        ..Inputs::default()
                    },
                    &s,
                );
                let mut slots = agent_slots(Some(&states), Some(&work));
                prop_assert!(slots.exact);
                if s.group == Grouping::None && from_day % 2 == 0 {
                    // Without grouping, the sums over all agents do as well.
                    slots.totals = slots.summed();
                    slots.slots.clear();
                }
                // The calls' side from the slots too: in total or per queue from the
                // queues' slots, per agent or team from the agents'.
                let sums = call_slots(&calls, &s.calls, s.fcr_window_ms);
                let part = if matches!(s.group, Grouping::None | Grouping::Queue) {
                    CallPart::from_slots(&sums.queues, &calls.queues, &s)
                } else if whole_spans(&s, AGENT_SLOT_MS) {
                    CallPart::from_agent_slots(sums.agents.iter().copied(), &calls.agents, &teams, &s)
                } else {
                    // Buckets of part of an hour (or a zone off the hour): the
                    // per-agent hours cannot serve them; kpi reads the rows.
                    from_rows.clone()
                };
                let by_slots = compute(
                    &Inputs {
                        calls: Some(&part),
                        agent_slots: Some(&slots),
                        teams,
                        ..Inputs::default()
                    },
                    &s,
                );
                prop_assert_eq!(by_rows, by_slots);
            }

            #[test]
            fn call_accumulators_go_through_their_fields_unchanged(raw in calls_strategy()) {
                let named: Vec<CallIn<'_>> = raw
                    .iter()
                    .map(|&(t, q, _, _, o, wait, talk, _)| {
                        let mut c = call(t, QUEUES[q], Some("a"), OUTCOMES[o], wait as f64 / 1000.0);
                        c.row.talk_s = Some(talk as f64 / 1000.0);
                        c
                    })
                    .collect();
                let mut a = CallAccum::default();
                for c in &named {
                    a.add(&c.row, &CallSettings::default());
                }
                prop_assert_eq!(CallAccum::from_fields(&a.fields(), SlAbandons::Negative), a);
            }
        }
    }
}
