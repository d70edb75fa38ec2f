//! One agent's day: what they were scheduled to do, what their states say they
//! did, the calls they answered, and the day's KPIs for them (adherence,
//! occupancy, handle time) as `callboard kpi --group agent` computes them. The
//! server's `/agents/{id}` page is this question.

use super::kpi::{Group, KpiQuery};
use super::{PeriodQuery, QueryError, Result, time_zone};
use crate::store::Store;
use crate::store::readers::{agent_rows, float_column, millis_column, text_column};
use callboard_core::schema::Table;
use callboard_core::time::{DAY_MS, format_date, format_timestamp, parse_date};
use serde::Serialize;

/// The question.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentDayQuery {
    /// The agent's id (as in the store).
    pub agent_id: String,
    /// The local date (`YYYY-MM-DD`); `None`: the agent's latest day with states or
    /// calls.
    pub date: Option<String>,
    /// IANA zone of the day.
    pub timezone: String,
}

/// A span of the day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    /// What: a schedule activity (work, break, lunch, …) or a state (ready, talk,
    /// acw, not_ready, …).
    pub what: String,
    /// Pause reason (states only).
    pub reason: Option<String>,
    /// Start, ms since the epoch.
    pub start_ms: i64,
    /// End, ms.
    pub end_ms: i64,
}

/// A call the agent answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentCall {
    /// Call id.
    pub call_id: String,
    /// Queue.
    pub queue: String,
    /// Arrival (RFC 3339).
    pub arrived_at: String,
    /// Wait, s.
    pub wait_s: f64,
    /// Talk, s.
    pub talk_s: Option<f64>,
    /// After-call work, s.
    pub acw_s: Option<f64>,
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentDay {
    /// The agent.
    pub agent_id: String,
    /// The local date shown.
    pub date: String,
    /// The day's start, ms (local midnight).
    pub day_start_ms: i64,
    /// The day's end, ms.
    pub day_end_ms: i64,
    /// Scheduled segments overlapping the day, by start.
    pub schedule: Vec<Span>,
    /// State intervals overlapping the day, by start.
    pub states: Vec<Span>,
    /// Answered calls that arrived that day, by arrival.
    pub calls: Vec<AgentCall>,
    /// The day's KPIs for the agent (id, value), as `kpi --group agent`.
    pub kpis: Vec<(&'static str, Option<f64>)>,
}

fn spans(
    store: &Store,
    table: Table,
    agent: &str,
    what: &str,
    reason: Option<&str>,
    (from, to): (i64, i64),
) -> Result<Vec<Span>> {
    let mut columns = vec![what, "start", "end"];
    columns.extend(reason);
    let Some(df) = agent_rows(store, table, agent, &columns)? else {
        return Ok(Vec::new());
    };
    let w = text_column(&df, table, what)?;
    let a = millis_column(&df, table, "start")?;
    let b = millis_column(&df, table, "end")?;
    let r = reason.map(|c| text_column(&df, table, c)).transpose()?;
    let mut out: Vec<Span> = (0..df.height())
        .filter_map(|i| {
            let (start_ms, end_ms) = (a.get(i)?, b.get(i)?);
            (end_ms > from && start_ms < to).then(|| Span {
                what: w.get(i).unwrap_or("").to_owned(),
                reason: r.as_ref().and_then(|r| r.get(i)).map(str::to_owned),
                start_ms,
                end_ms,
            })
        })
        .collect();
    out.sort_by_key(|s| s.start_ms);
    Ok(out)
}

/// Answers the question; an agent with no rows at all is [`QueryError::NoAgent`].
pub fn run(store: &Store, q: &AgentDayQuery) -> Result<AgentDay> {
    let zone = time_zone(&q.timezone)?;
    let local_day = |ms: i64| (ms + zone.offset_ms_at(ms)).div_euclid(DAY_MS) as i32;
    let day = match &q.date {
        Some(d) => parse_date(d).ok_or_else(|| QueryError::Date {
            what: "the date",
            given: d.clone(),
        })?,
        None => {
            let latest = agent_rows(store, Table::AgentStates, &q.agent_id, &["start"])?
                .filter(|df| df.height() > 0)
                .map(|df| millis_column(&df, Table::AgentStates, "start"))
                .transpose()?
                .and_then(|c| c.iter().flatten().max());
            local_day(latest.ok_or_else(|| QueryError::NoAgent {
                agent: q.agent_id.clone(),
            })?)
        }
    };
    let start = |d: i32| {
        let guess = i64::from(d) * DAY_MS;
        guess - zone.offset_ms_at(guess)
    };
    let (from, to) = (start(day), start(day + 1));
    let schedule = spans(
        store,
        Table::Schedules,
        &q.agent_id,
        "activity",
        None,
        (from, to),
    )?;
    let states = spans(
        store,
        Table::AgentStates,
        &q.agent_id,
        "state",
        Some("reason"),
        (from, to),
    )?;
    let mut calls = Vec::new();
    if let Some(df) = agent_rows(
        store,
        Table::Calls,
        &q.agent_id,
        &[
            "call_id",
            "queue",
            "arrived_at",
            "wait_s",
            "talk_s",
            "acw_s",
        ],
    )? {
        let t = Table::Calls;
        let (id, queue) = (
            text_column(&df, t, "call_id")?,
            text_column(&df, t, "queue")?,
        );
        let arrived = millis_column(&df, t, "arrived_at")?;
        let (wait, talk, acw) = (
            float_column(&df, t, "wait_s")?,
            float_column(&df, t, "talk_s")?,
            float_column(&df, t, "acw_s")?,
        );
        let mut rows: Vec<(i64, AgentCall)> = (0..df.height())
            .filter_map(|i| {
                let at = arrived.get(i)?;
                (at >= from && at < to).then(|| {
                    (
                        at,
                        AgentCall {
                            call_id: id.get(i).unwrap_or("").to_owned(),
                            queue: queue.get(i).unwrap_or("").to_owned(),
                            arrived_at: format_timestamp(at),
                            wait_s: wait.get(i).unwrap_or(0.0),
                            talk_s: talk.get(i),
                            acw_s: acw.get(i),
                        },
                    )
                })
            })
            .collect();
        rows.sort_by_key(|r| r.0);
        calls = rows.into_iter().map(|r| r.1).collect();
    }
    if schedule.is_empty() && states.is_empty() && calls.is_empty() {
        let known = agent_rows(store, Table::AgentStates, &q.agent_id, &["start"])?
            .is_some_and(|df| df.height() > 0)
            || agent_rows(store, Table::Schedules, &q.agent_id, &["start"])?
                .is_some_and(|df| df.height() > 0);
        if !known {
            return Err(QueryError::NoAgent {
                agent: q.agent_id.clone(),
            });
        }
    }
    let ids = [
        "schedule_adherence",
        "occupancy",
        "average_handle_time",
        "average_talk_time",
        "after_call_work_time",
    ];
    let kpis = match super::kpi::run(
        store,
        &KpiQuery {
            period: PeriodQuery {
                from: Some(format_timestamp(from)),
                to: Some(format_timestamp(to)),
            },
            group: Some(Group::Agent),
            timezone: q.timezone.clone(),
            ..KpiQuery::default()
        },
    ) {
        Ok(report) => {
            let row = report
                .rows
                .iter()
                .find(|r| r.group.as_deref() == Some(q.agent_id.as_str()));
            ids.iter()
                .map(|id| {
                    (
                        *id,
                        row.and_then(|r| r.kpis.iter().find(|k| k.id == *id))
                            .and_then(|k| k.value),
                    )
                })
                .collect()
        }
        // A store without calls still has the agent's day to show.
        Err(QueryError::EmptyStore { .. } | QueryError::NoCallsForPeriod) => {
            ids.iter().map(|id| (*id, None)).collect()
        }
        Err(e) => return Err(e),
    };
    Ok(AgentDay {
        agent_id: q.agent_id.clone(),
        date: format_date(day),
        day_start_ms: from,
        day_end_ms: to,
        schedule,
        states,
        calls,
        kpis,
    })
}
