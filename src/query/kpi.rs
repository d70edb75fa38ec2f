//! The 23 KPIs over a period, bucketed (total, interval, day, week, month) and
//! grouped (queue, team, agent), each with its status against the manual's target:
//! from the store's per-slot summaries where they answer exactly, else from the rows.

use super::{By, PeriodQuery, QueryError, Result, positive_duration_ms, time_zone};
use crate::store::readers::{
    read_agent_states, read_agents, read_calls_for_report, read_costs, read_qa_scores,
    read_schedules,
};
use crate::store::summaries::Summaries;
use crate::store::{Store, StoreError};
use callboard_core::kpi::agent_time::SLOT_MS;
use callboard_core::kpi::calls::{CallSettings, DEFAULT_FCR_WINDOW_MS, SlAbandons};
use callboard_core::kpi::catalog::{KPIS, KpiDef as Kpi};
use callboard_core::kpi::report::{
    AGENT_SLOT_MS, CallPart, CallSlot, Grouping, Inputs, Row, Settings, call_part, compute,
    whole_spans,
};
use callboard_core::kpi::staff_cost::AgentRow;
use callboard_core::time::{DAY_MS, format_timestamp};
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::HashMap;

/// Groups of a KPI report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// By queue.
    Queue,
    /// By the agents' team.
    Team,
    /// By agent.
    Agent,
}

impl Group {
    fn grouping(self) -> Grouping {
        match self {
            Group::Queue => Grouping::Queue,
            Group::Team => Grouping::Team,
            Group::Agent => Grouping::Agent,
        }
    }
}

/// How abandoned calls enter the service level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SlProfile {
    /// Abandons are failures (the manual's definition).
    #[default]
    Negative,
    /// Abandons are left out of the denominator.
    Ignore,
    /// Abandons within the threshold are successes.
    Positive,
}

impl SlProfile {
    fn core(self) -> SlAbandons {
        match self {
            SlProfile::Negative => SlAbandons::Negative,
            SlProfile::Ignore => SlAbandons::Ignore,
            SlProfile::Positive => SlAbandons::Positive,
        }
    }
}

/// A KPI report as asked. `Default` is the home of every default: the whole period
/// of the calls, one total row, UTC, the manual's call settings (service level
/// within 20 s, abandons within 5 s are misdials, FCR window 7 days).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct KpiQuery {
    /// The period; open ends come from the calls.
    #[serde(flatten)]
    pub period: PeriodQuery,
    /// Buckets.
    pub by: By,
    /// Interval length for [`By::Interval`]: `15m`, `30m` or `60m`.
    pub interval: String,
    /// Rows per queue, team or agent.
    pub group: Option<Group>,
    /// Only these queues (all when empty).
    pub queue: Vec<String>,
    /// Service-level threshold, seconds.
    pub sl_seconds: f64,
    /// Abandons at or under this wait are misdials, left out of every KPI, seconds.
    pub short_abandon_seconds: f64,
    /// How abandons enter the service level.
    pub sl_abandons: SlProfile,
    /// First-contact resolution window (`7d`, `48h`).
    pub fcr_window: String,
    /// IANA zone of the buckets.
    pub timezone: String,
    /// Compute from the rows even where the summaries could answer.
    pub from_rows: bool,
}

impl Default for KpiQuery {
    fn default() -> Self {
        let calls = CallSettings::default();
        KpiQuery {
            period: PeriodQuery::default(),
            by: By::Total,
            interval: "30m".into(),
            group: None,
            queue: Vec::new(),
            sl_seconds: calls.sl_seconds,
            short_abandon_seconds: calls.short_abandon_seconds,
            sl_abandons: SlProfile::Negative,
            fcr_window: format!("{}d", DEFAULT_FCR_WINDOW_MS / DAY_MS),
            timezone: "UTC".into(),
            from_rows: false,
        }
    }
}

/// Where a report's figures came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServedFrom {
    /// Every side from the store's per-slot summaries.
    Summaries,
    /// Every side from the rows.
    Rows,
    /// Agent time from the summaries, the calls from the rows (per team or agent,
    /// or call settings other than the summaries').
    SummariesAndRows,
}

impl ServedFrom {
    /// `summaries`, `rows` or `summaries+rows`.
    pub fn as_str(self) -> &'static str {
        match self {
            ServedFrom::Summaries => "summaries",
            ServedFrom::Rows => "rows",
            ServedFrom::SummariesAndRows => "summaries+rows",
        }
    }
}

/// A KPI report: the period, the settings it was computed with, and its rows. It
/// serialises to the JSON of `docs/cli.md`.
#[derive(Debug, Clone)]
pub struct KpiReport {
    /// The query, with its defaults filled in.
    pub query: KpiQuery,
    /// The core settings the rows were computed with (resolved period, zone, …).
    pub settings: Settings,
    /// One row per bucket and group, 23 KPIs each in catalog order.
    pub rows: Vec<Row>,
    /// Where the figures came from.
    pub served_from: ServedFrom,
    /// Things worth telling the reader that did not stop the report (damaged
    /// summaries answered from the rows, …).
    pub notes: Vec<String>,
}

/// The catalog entries `which` names: one id, or every KPI for `all`.
pub fn catalog(which: &str) -> Result<Vec<&'static Kpi>> {
    let chosen: Vec<&Kpi> = KPIS
        .iter()
        .filter(|k| which == "all" || k.id == which)
        .collect();
    if chosen.is_empty() {
        return Err(QueryError::UnknownKpi {
            given: which.to_owned(),
            ids: KPIS.iter().map(|k| k.id).collect(),
        });
    }
    Ok(chosen)
}

/// The service-level definition of a profile, in words.
pub fn service_level_definition(p: SlAbandons) -> &'static str {
    match p {
        SlAbandons::Negative => "answered within sl_seconds ÷ offered; short abandons removed",
        SlAbandons::Ignore => {
            "answered within sl_seconds ÷ (offered − abandoned); short abandons removed"
        }
        SlAbandons::Positive => {
            "(answered + abandoned) within sl_seconds ÷ offered; short abandons removed"
        }
    }
}

/// Computes the report.
pub fn run(store: &Store, q: &KpiQuery) -> Result<KpiReport> {
    let zone = time_zone(&q.timezone)?;
    let by = q.by.bucketing(&q.interval)?;
    if !(q.sl_seconds.is_finite() && q.sl_seconds >= 0.0) {
        return Err(QueryError::Negative {
            what: "the service-level threshold",
        });
    }
    if !(q.short_abandon_seconds.is_finite() && q.short_abandon_seconds >= 0.0) {
        return Err(QueryError::Negative {
            what: "the short-abandon threshold",
        });
    }
    let fcr_window_ms = positive_duration_ms(&q.fcr_window, "the FCR window")?;
    let mut notes = Vec::new();

    // The store's per-slot summaries, when current: the period's default ends come
    // from them, and most reports are answered from them. Damaged summaries are
    // only a slower report, not a failed one.
    let mut ignore = |e: StoreError| {
        notes.push(format!(
            "computing from the rows, the store's summaries cannot be read ({}); `callboard ingest --summaries` rebuilds them",
            super::error_chain(&e)
        ));
    };
    let summaries = if q.from_rows {
        None
    } else {
        Summaries::open(store).unwrap_or_else(|e| {
            ignore(e);
            None
        })
    };
    let wanted = |name: &str| q.queue.is_empty() || q.queue.iter().any(|x| x == name);
    let call_slots: Option<Vec<CallSlot>> = summaries.as_ref().and_then(|sm| {
        let queues = &sm.meta.queues;
        match sm.calls() {
            Ok(slots) => Some(
                slots
                    .into_iter()
                    .filter(|c| wanted(&queues[c.queue as usize]))
                    .collect(),
            ),
            Err(e) => {
                ignore(e);
                None
            }
        }
    });
    let summaries = summaries.filter(|_| call_slots.is_some());
    let mut calls = match &call_slots {
        Some(_) => None,
        None => read_calls_for_report(store, &q.queue, Some(fcr_window_ms), true)?,
    };
    let (first, last) = match (&call_slots, &calls) {
        (Some(slots), _) => (
            slots.iter().map(|c| c.first_ms).min(),
            slots.iter().map(|c| c.last_ms).max(),
        ),
        (None, Some(c)) => (
            c.arrivals().iter().copied().min(),
            c.arrivals().iter().copied().max(),
        ),
        (None, None) => (None, None),
    };
    let period = q
        .period
        .resolve(&zone, first, last, || QueryError::NoCallsForPeriod)?;

    // Headcount first (small; teams group the calls), then the calls' side of the
    // report, so the calls are dropped before the agent states are read. Per
    // queue, every KPI from agent states, schedules, QA, costs and headcount is
    // "not defined per queue" whatever those tables hold: they are not read.
    let per_queue = q.group == Some(Group::Queue);
    let agent_records = if per_queue { None } else { read_agents(store)? };
    let teams: HashMap<&str, &str> = agent_records
        .iter()
        .flatten()
        .filter_map(|a| Some((a.agent_id.as_str(), a.team.as_deref()?)))
        .collect();
    let midnight = |days: i64| zone.local_midnight_ms(days as i32).unwrap_or(days * DAY_MS);
    let agents: Option<Vec<AgentRow<'_>>> = agent_records.as_ref().map(|records| {
        records
            .iter()
            .map(|a| AgentRow {
                agent: &a.agent_id,
                hired_ms: a.hired_days.map(midnight),
                left_ms: a.left_days.map(midnight),
                full_time: a.full_time.unwrap_or(true),
            })
            .collect()
    });

    let group = q.group.map_or(Grouping::None, Group::grouping);
    let settings = Settings {
        from_ms: period.from_ms,
        to_ms: period.to_ms,
        by,
        group,
        zone,
        calls: CallSettings {
            sl_seconds: q.sl_seconds,
            short_abandon_seconds: q.short_abandon_seconds,
            sl_abandons: q.sl_abandons.core(),
        },
        fcr_window_ms,
    };
    // The summaries serve buckets made of whole 15-minute slots; their call
    // counters only the settings they were built with — in total or per queue
    // from the queues' slots, per agent or team from the agents' hours (which have
    // no queue: per agent or team for some queues only, or in buckets of part of
    // an hour, the calls are read).
    let summaries = summaries.filter(|_| whole_spans(&settings, SLOT_MS));
    let per_agent = matches!(group, Grouping::Agent | Grouping::Team);
    let slots_for_calls = summaries
        .as_ref()
        .is_some_and(|sm| sm.fits(q.sl_seconds, q.short_abandon_seconds, fcr_window_ms))
        && (!per_agent || (q.queue.is_empty() && whole_spans(&settings, AGENT_SLOT_MS)));
    // Per agent or team, the calls' side straight from the agents' hours (read
    // one at a time: a large store has millions).
    let mut from_agent_hours = None;
    if let Some(sm) = summaries
        .as_ref()
        .filter(|sm| slots_for_calls && per_agent && sm.meta.has_calls)
    {
        match sm.agent_calls_into(|rows| {
            CallPart::from_agent_slots(rows, &sm.meta.call_agents, &teams, &settings)
        }) {
            Ok(part) => from_agent_hours = Some(part),
            Err(e) => ignore(e),
        }
    }
    // Agent hours that could not be read send the calls to the rows.
    let slots_for_calls = slots_for_calls
        && !(per_agent
            && from_agent_hours.is_none()
            && summaries.as_ref().is_some_and(|sm| sm.meta.has_calls));
    let call_side: Option<CallPart> = match (&call_slots, &summaries) {
        // No calls table: its KPIs "need calls", as from the rows.
        (Some(_), Some(sm)) if slots_for_calls && !sm.meta.has_calls => None,
        (Some(_), Some(_)) if slots_for_calls && per_agent => from_agent_hours,
        (Some(slots), Some(sm)) if slots_for_calls => {
            Some(CallPart::from_slots(slots, &sm.meta.queues, &settings))
        }
        _ => {
            drop(call_slots);
            if calls.is_none() {
                calls = read_calls_for_report(store, &q.queue, Some(fcr_window_ms), true)?;
            }
            calls.map(|c| call_part(&c, &teams, &settings))
        }
    };
    let agent_slots = match &summaries {
        Some(sm) if !per_queue => match sm.agent_slots(group == Grouping::None) {
            Ok(slots) => slots,
            Err(e) => {
                ignore(e);
                None
            }
        },
        _ => None,
    };
    let agent_rows = agent_slots.is_none() && !per_queue;
    let served_from = match (slots_for_calls, per_queue, agent_slots.is_some()) {
        (true, true, _) | (true, false, true) => ServedFrom::Summaries,
        (false, true, _) | (false, false, false) => ServedFrom::Rows,
        _ => ServedFrom::SummariesAndRows,
    };
    let states = if agent_rows {
        read_agent_states(store)?
    } else {
        None
    };
    let sched = if agent_rows {
        read_schedules(store)?
    } else {
        None
    };
    let work = sched.as_ref().map(|s| s.work_segments());
    let qa_columns = if per_queue {
        None
    } else {
        read_qa_scores(store)?
    };
    let qa = qa_columns.as_ref().map(|c| c.rows());
    let costs = if per_queue { None } else { read_costs(store)? };

    let inputs = Inputs {
        calls: call_side.as_ref(),
        states: states.as_ref(),
        work: work.as_deref(),
        agent_slots: agent_slots.as_ref(),
        qa: qa.as_deref(),
        costs: costs.as_deref(),
        agents: agents.as_deref(),
        teams,
    };
    let rows = compute(&inputs, &settings);
    Ok(KpiReport {
        query: q.clone(),
        settings,
        rows,
        served_from,
        notes,
    })
}

impl Serialize for KpiReport {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut o = s.serialize_struct("KpiReport", 4)?;
        o.serialize_field("from", &format_timestamp(self.settings.from_ms))?;
        o.serialize_field("to", &format_timestamp(self.settings.to_ms))?;
        o.serialize_field("settings", &SettingsJson(self))?;
        o.serialize_field("rows", &RowsJson(&self.rows))?;
        o.end()
    }
}

/// The `settings` object: the call settings, echoes of the query, and where the
/// figures came from.
struct SettingsJson<'a>(&'a KpiReport);

impl Serialize for SettingsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let (r, q) = (self.0, &self.0.query);
        let c = &r.settings.calls;
        let mut o = s.serialize_struct("Settings", 11)?;
        o.serialize_field("sl_seconds", &c.sl_seconds)?;
        o.serialize_field("short_abandon_seconds", &c.short_abandon_seconds)?;
        o.serialize_field(
            "fcr_window_days",
            &(r.settings.fcr_window_ms as f64 / DAY_MS as f64),
        )?;
        o.serialize_field("timezone", r.settings.zone.name())?;
        o.serialize_field("by", q.by.as_str())?;
        o.serialize_field("interval", &q.interval)?;
        o.serialize_field("group", &q.group)?;
        o.serialize_field("queues", &q.queue)?;
        o.serialize_field("sl_abandons", c.sl_abandons.as_str())?;
        o.serialize_field("service_level", service_level_definition(c.sl_abandons))?;
        o.serialize_field("served_from", r.served_from.as_str())?;
        o.end()
    }
}

struct RowsJson<'a>(&'a [Row]);

impl Serialize for RowsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(RowJson))
    }
}

/// A row: `bucket_start` (absent for the total), `group` (absent without
/// grouping), `counts`, and `kpis` keyed by id.
struct RowJson<'a>(&'a Row);

impl Serialize for RowJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let r = self.0;
        let mut o = s.serialize_map(None)?;
        if let Some(b) = r.bucket_start {
            o.serialize_entry("bucket_start", &format_timestamp(b))?;
        }
        if let Some(g) = &r.group {
            o.serialize_entry("group", g)?;
        }
        o.serialize_entry("counts", &CountsJson(&r.counts))?;
        o.serialize_entry("kpis", &KpisJson(r))?;
        o.end()
    }
}

struct CountsJson<'a>(&'a callboard_core::kpi::calls::CallCounts);

impl Serialize for CountsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use callboard_core::kpi::calls::CallCounts;
        let mut o = s.serialize_map(Some(CallCounts::NAMES.len()))?;
        for (name, v) in CallCounts::NAMES.iter().zip(self.0.values()) {
            o.serialize_entry(name, &v)?;
        }
        o.end()
    }
}

struct KpisJson<'a>(&'a Row);

impl Serialize for KpisJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut o = s.serialize_map(Some(self.0.kpis.len()))?;
        for v in &self.0.kpis {
            o.serialize_entry(v.id, &KpiJson(v))?;
        }
        o.end()
    }
}

/// `{"value": …, "unit": …, "status": …, "reason": …}` (reason only when there
/// is one).
struct KpiJson<'a>(&'a callboard_core::kpi::report::KpiValue);

impl Serialize for KpiJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let v = self.0;
        let mut o = s.serialize_map(None)?;
        o.serialize_entry("value", &v.value)?;
        o.serialize_entry("unit", v.unit.as_str())?;
        o.serialize_entry("status", v.status.as_str())?;
        if let Some(reason) = &v.reason {
            o.serialize_entry("reason", reason)?;
        }
        o.end()
    }
}
