//! All 23 KPIs per bucket and group, from the tables' rows: the grouping limits,
//! missing tables and empty buckets of `domain.md` §1, and each value's status.

use super::agent_time::{AgentStates, AgentTime, WorkRow, agent_time};
use super::buckets::{Bucketing, bucket_of, bucket_starts};
use super::calls::{CallAccum, CallCounts, CallRow, CallSettings, repeat_contact_resolution};
use super::catalog::{KPIS, Status, Unit, status};
use super::intern::Interner;
use super::staff_cost::{AgentRow, CostRow, Qa, QaRow, Turnover, prorated_costs, qa, turnover};
use crate::simulate::Outcome;
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
    let starts = bucket_starts(s.from_ms, s.to_ms, s.by, &s.zone);
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

    // FCR: the resolved column where recorded, else repeat contact over all calls.
    let computed;
    let repeat = match &calls.repeat {
        Some(r) => r,
        None => {
            let last_arrival = calls.arrived_ms.iter().copied().max().unwrap_or(0);
            computed = repeat_contact_resolution(
                &calls.caller,
                NO_CALLER,
                &calls.arrived_ms,
                s.fcr_window_ms,
                last_arrival,
            );
            &computed
        }
    };

    let mut acc = vec![vec![CallAccum::default(); names.names().len()]; starts.len()];
    for (i, &t) in calls.arrived_ms.iter().enumerate() {
        let Some(b) = bucket_of(&starts, s.to_ms, t) else {
            continue;
        };
        let g = call_group[i];
        if g == NO_GROUP {
            continue;
        }
        let mut row = calls.row(i);
        row.resolved = if row.outcome == Outcome::Answered {
            calls.resolved(i).or(repeat[i])
        } else {
            None
        };
        acc[b][g as usize].add(&row, &s.calls);
    }
    CallPart {
        names: names.names().iter().map(|n| (*n).to_owned()).collect(),
        acc,
        settings: *s,
    }
}

/// Computes every row.
pub fn compute<'a>(inputs: &Inputs<'a>, s: &Settings) -> Vec<Row> {
    let starts = bucket_starts(s.from_ms, s.to_ms, s.by, &s.zone);
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
    if matches!(s.group, Grouping::Agent | Grouping::Team) {
        for a in inputs
            .states
            .map_or(&[][..], |x| x.names())
            .iter()
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
    let time: Option<Vec<Vec<AgentTime>>> = inputs.states.map(|st| {
        agent_time(
            st,
            inputs.work.unwrap_or(&[]),
            &starts,
            s.to_ms,
            groups,
            &agent_group_index,
            &s.zone,
        )
    });
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
    for (b, &start) in starts.iter().enumerate() {
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
                    "schedule_adherence" | "attendance" if inputs.work.is_none() => {
                        needs("schedules")
                    }
                    "schedule_adherence" | "occupancy" | "attendance" | "calls_per_agent_hour"
                        if inputs.states.is_none() =>
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
                bucket_start: (s.by != Bucketing::Total).then_some(start),
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
        // resolved. The other calls' 7-day windows run past the last call (censored),
        // so one call is decided.
        let mut calls = vec![
            call(0, "sales", Some("a"), Outcome::Answered, 3.0),
            call(3_600_000, "sales", Some("a"), Outcome::Answered, 3.0),
            call(DAY_MS, "sales", Some("b"), Outcome::Answered, 3.0),
        ];
        calls[0].caller = Some("c");
        calls[1].caller = Some("c");
        calls[2].caller = Some("d");
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
        // One decided call (the first, repeated: not resolved) → FCR 0.
        assert_eq!(kpi(&a[0], "first_call_resolution").value, Some(0.0));
    }
}
