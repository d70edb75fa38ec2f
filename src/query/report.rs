//! The review pack's question: everything a monthly review shows, for one period
//! and (optionally) one queue — the KPIs in total, against the previous period of
//! the same length, by day, by hour, by week, by queue and by agent, the agents'
//! teams, and ticket compliance by month. Each part is the result of the query a
//! user would run for it (`kpi`, `tickets`), so every figure in the pack can be
//! traced to a command; the presenter (`crate::report`) draws and words them.

use super::kpi::{self, Group, KpiQuery, KpiReport};
use super::staffing::{self, StaffQuery};
use super::tickets::{self, TicketsQuery, TicketsReport};
use super::{By, PeriodQuery, QueryError, Result};
use crate::store::Store;
use crate::store::readers::{read_agents, read_schedules};
use callboard_core::time::{DAY_MS, format_timestamp, parse_date};
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
    /// The day shown hour by hour (a date in the zone; default: the period's day
    /// of the lowest service level).
    pub day: Option<String>,
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
            day: None,
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
    /// The day shown hour by hour (local days since 1970), if any day had calls.
    pub focus_day: Option<i32>,
    /// That day's hours: the agents Erlang C needed for the calls that came (80 %
    /// in the report's threshold) against the agents the schedules put on work.
    pub staffing: Vec<HourStaffing>,
    /// What was left out and why.
    pub notes: Vec<String>,
}

/// One hour of the focus day: required (Erlang C on the actual offered calls and
/// handle time) against scheduled (time-average agents on `work` in the
/// schedules).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HourStaffing {
    /// The hour's start (RFC 3339).
    pub hour_start: String,
    /// Offered calls.
    pub offered: u64,
    /// Mean handle time of the answered calls, s.
    pub aht_s: Option<f64>,
    /// Agents needed for 80 % within the threshold (`None` without a handle time).
    pub required: Option<u64>,
    /// Agents scheduled on work, time-averaged over the hour (`None`: no schedules).
    pub scheduled: Option<f64>,
}

/// The local day of the lowest service level with calls offered (the first of
/// equals), from a by-day report.
pub fn lowest_service_day(by_day: &KpiReport) -> Option<i32> {
    let zone = &by_day.settings.zone;
    by_day
        .rows
        .iter()
        .filter_map(|r| {
            let t = r.bucket_start?;
            let sl = r.kpis.iter().find(|k| k.id == "service_level")?.value?;
            Some(((t + zone.offset_ms_at(t)).div_euclid(DAY_MS) as i32, sl))
        })
        .reduce(|best, d| if d.1 < best.1 { d } else { best })
        .map(|(d, _)| d)
}

/// Required against scheduled agents for each hour of `day`.
fn day_staffing(
    store: &Store,
    by_hour: &KpiReport,
    day: i32,
    sl_seconds: f64,
) -> Result<Vec<HourStaffing>> {
    let zone = &by_hour.settings.zone;
    let schedules = read_schedules(store)?;
    let work = schedules.as_ref().map(|s| s.work_segments());
    let mut out = Vec::new();
    for r in &by_hour.rows {
        let Some(t) = r.bucket_start else { continue };
        if (t + zone.offset_ms_at(t)).div_euclid(DAY_MS) as i32 != day {
            continue;
        }
        let offered = r.counts.answered + r.counts.abandoned + r.counts.timeout;
        let aht_s = r
            .kpis
            .iter()
            .find(|k| k.id == "average_handle_time")
            .and_then(|k| k.value);
        let required = match aht_s {
            Some(aht) if aht > 0.0 => Some(
                staffing::run(
                    &StaffQuery {
                        calls: offered as f64,
                        aht_s: aht,
                        interval_minutes: Some(60.0),
                        sl_seconds,
                        ..StaffQuery::default()
                    },
                    false,
                )?
                .answer
                .agents,
            ),
            _ if offered == 0 => Some(0),
            _ => None,
        };
        let end = t + 3_600_000;
        let scheduled = work.as_ref().map(|w| {
            w.iter()
                .map(|s| (s.end_ms.min(end) - s.start_ms.max(t)).max(0) as f64)
                .sum::<f64>()
                / 3_600_000.0
        });
        out.push(HourStaffing {
            hour_start: format_timestamp(t),
            offered,
            aht_s,
            required,
            scheduled,
        });
    }
    Ok(out)
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
    let by_day = part(By::Day, None)?;
    let by_hour = part(By::Interval, None)?;
    let focus_day = match &q.day {
        Some(text) => Some(parse_date(text).ok_or_else(|| QueryError::Date {
            what: "--day",
            given: text.clone(),
        })?),
        None => lowest_service_day(&by_day),
    };
    let staffing = match focus_day {
        Some(day) => day_staffing(store, &by_hour, day, q.sl_seconds)?,
        None => Vec::new(),
    };
    Ok(ReportData {
        query: q.clone(),
        previous,
        by_day,
        by_hour,
        focus_day,
        staffing,
        by_week: part(By::Week, None)?,
        by_queue: part(By::Total, Some(Group::Queue))?,
        by_agent: part(By::Total, Some(Group::Agent))?,
        total,
        teams,
        tickets,
        notes,
    })
}
