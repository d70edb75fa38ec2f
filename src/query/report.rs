//! The review pack's question: everything a monthly review shows, for one period
//! and (optionally) one queue — the KPIs in total, against the previous period of
//! the same length, by day, by hour, by week, by queue and by agent, the agents'
//! teams, and ticket compliance by month. Each part is the result of the query a
//! user would run for it (`kpi`, `tickets`), so every figure in the pack can be
//! traced to a command; the presenter (`crate::report`) draws and words them.

use super::kpi::{self, Group, KpiQuery, KpiReport};
use super::tickets::{self, TicketsQuery, TicketsReport};
use super::{By, PeriodQuery, QueryError, Result};
use crate::store::Store;
use crate::store::readers::read_agents;
use callboard_core::time::format_timestamp;
use std::collections::BTreeMap;

/// Whether the headline compares with the period before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compare {
    /// The period of the same length just before.
    #[default]
    Previous,
    /// No comparison.
    None,
}

/// The pack's request.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportQuery {
    /// The period (default: the store's calls, whole days).
    pub period: PeriodQuery,
    /// The comparison.
    pub compare: Compare,
    /// Only these queues (empty: all).
    pub queue: Vec<String>,
    /// Report time zone (IANA name or UTC).
    pub timezone: String,
    /// Service-level threshold, s.
    pub sl_seconds: f64,
}

impl Default for ReportQuery {
    fn default() -> Self {
        let k = KpiQuery::default();
        ReportQuery {
            period: PeriodQuery::default(),
            compare: Compare::Previous,
            queue: Vec::new(),
            timezone: k.timezone,
            sl_seconds: k.sl_seconds,
        }
    }
}

/// The pack's numbers.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// The request, defaults filled in.
    pub query: ReportQuery,
    /// The whole period.
    pub total: KpiReport,
    /// The period before, of the same length (with `Compare::Previous` and calls in it).
    pub previous: Option<KpiReport>,
    /// By day.
    pub by_day: KpiReport,
    /// By hour (60-minute intervals).
    pub by_hour: KpiReport,
    /// By ISO week.
    pub by_week: KpiReport,
    /// Per queue.
    pub by_queue: KpiReport,
    /// Per agent.
    pub by_agent: KpiReport,
    /// Agent id → team, from the agents table (empty without one).
    pub teams: BTreeMap<String, String>,
    /// Ticket compliance by month (`None` when the store holds no tickets).
    pub tickets: Option<TicketsReport>,
    /// What was left out and why.
    pub notes: Vec<String>,
}

/// Answers the pack's question: seven KPI reports, the teams and the tickets.
pub fn run(store: &Store, q: &ReportQuery) -> Result<ReportData> {
    // As `callboard kpi` asks (its default interval) but for the hours.
    let kpi_query = |period: PeriodQuery, by: By, group: Option<Group>| KpiQuery {
        period,
        by,
        interval: if by == By::Interval {
            "60m".into()
        } else {
            KpiQuery::default().interval
        },
        group,
        queue: q.queue.clone(),
        sl_seconds: q.sl_seconds,
        timezone: q.timezone.clone(),
        ..KpiQuery::default()
    };
    let total = kpi::run(store, &kpi_query(q.period.clone(), By::Total, None))?;
    // Every other part over exactly the resolved period.
    let (from_ms, to_ms) = (total.settings.from_ms, total.settings.to_ms);
    let period = PeriodQuery {
        from: Some(format_timestamp(from_ms)),
        to: Some(format_timestamp(to_ms)),
    };
    let part =
        |by: By, group: Option<Group>| kpi::run(store, &kpi_query(period.clone(), by, group));
    let mut notes = Vec::new();
    let previous = match q.compare {
        Compare::None => None,
        Compare::Previous => {
            let before = PeriodQuery {
                from: Some(format_timestamp(from_ms - (to_ms - from_ms))),
                to: Some(format_timestamp(from_ms)),
            };
            let r = kpi::run(store, &kpi_query(before, By::Total, None))?;
            if r.rows.iter().all(|row| row.counts.total == 0) {
                notes.push(format!(
                    "no calls in the previous period ({} … {}): the headline is not compared",
                    format_timestamp(from_ms - (to_ms - from_ms)),
                    format_timestamp(from_ms)
                ));
                None
            } else {
                Some(r)
            }
        }
    };
    let teams = read_agents(store)?
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| a.team.map(|t| (a.agent_id, t)))
        .collect();
    let tickets = match tickets::run(
        store,
        &TicketsQuery {
            period: period.clone(),
            timezone: q.timezone.clone(),
            by: By::Month,
            ..TicketsQuery::default()
        },
    ) {
        Ok(t) => Some(t),
        Err(QueryError::NoTickets { .. }) => {
            notes.push("the store holds no tickets: the ticket SLA section is left out".into());
            None
        }
        Err(e) => return Err(e),
    };
    Ok(ReportData {
        query: q.clone(),
        previous,
        by_day: part(By::Day, None)?,
        by_hour: part(By::Interval, None)?,
        by_week: part(By::Week, None)?,
        by_queue: part(By::Total, Some(Group::Queue))?,
        by_agent: part(By::Total, Some(Group::Agent))?,
        total,
        teams,
        tickets,
        notes,
    })
}
