//! Roster coverage: interval by interval, the agents the calls that came needed
//! (Erlang C on the interval's offered calls and mean handle time, for the
//! service-level target) against the agents the store's schedules put on `work`
//! (time-averaged over the interval). The review pack's "required vs scheduled"
//! hours and the server's `/api/roster/coverage` are this question.

use super::kpi::{KpiQuery, KpiReport};
use super::staffing::{self, StaffQuery};
use super::{By, PeriodQuery, QueryError, Result};
use crate::store::Store;
use crate::store::readers::{ScheduleColumns, read_schedules};
use callboard_core::time::format_timestamp;
use serde::Serialize;

/// The question. `Default`: the whole store, 30-minute intervals, UTC, 80 % in 20 s.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageQuery {
    /// The period (open ends: the calls' first and last days).
    pub period: PeriodQuery,
    /// `15m`, `30m` or `60m`.
    pub interval: String,
    /// Only these queues' calls (all when empty).
    pub queue: Vec<String>,
    /// IANA zone of the period's dates.
    pub timezone: String,
    /// Service-level threshold, seconds.
    pub sl_seconds: f64,
    /// Share of calls to answer within the threshold.
    pub sl_target: f64,
}

impl Default for CoverageQuery {
    fn default() -> Self {
        CoverageQuery {
            period: PeriodQuery::default(),
            interval: "30m".into(),
            queue: Vec::new(),
            timezone: "UTC".into(),
            sl_seconds: 20.0,
            sl_target: 0.8,
        }
    }
}

/// One interval: required against scheduled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalCoverage {
    /// The interval's start (RFC 3339).
    pub interval_start: String,
    /// Offered calls (answered + abandoned + timed out; short abandons left out).
    pub offered: u64,
    /// Mean handle time of the answered calls, s.
    pub aht_s: Option<f64>,
    /// Agents Erlang C needs for the target (`None`: calls but no handle time).
    pub required: Option<u64>,
    /// Agents on `work` in the schedules, time-averaged over the interval.
    pub scheduled: f64,
    /// `scheduled − required` (negative: short).
    pub gap: Option<f64>,
}

/// Sums over the intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageTotals {
    /// Intervals in the period.
    pub intervals: usize,
    /// Intervals with fewer agents scheduled than required.
    pub short_intervals: usize,
    /// Σ required × interval length, agent-hours.
    pub required_agent_hours: f64,
    /// Σ scheduled × interval length, agent-hours.
    pub scheduled_agent_hours: f64,
}

/// The settings used, defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageSettings {
    /// Period start (RFC 3339).
    pub from: String,
    /// Period end, exclusive.
    pub to: String,
    /// Interval length, minutes.
    pub interval_minutes: u32,
    /// IANA zone.
    pub timezone: String,
    /// Service-level threshold, s.
    pub sl_seconds: f64,
    /// Service-level target.
    pub sl_target: f64,
    /// Queues asked for (all when empty).
    pub queue: Vec<String>,
}

/// The answer (`/api/roster/coverage`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageReport {
    /// The settings.
    pub settings: CoverageSettings,
    /// One row per interval of the period.
    pub rows: Vec<IntervalCoverage>,
    /// Sums.
    pub totals: CoverageTotals,
}

/// Required (Erlang C) against scheduled for each row of `by_interval` whose start
/// `keep` accepts; `interval_ms` is the rows' length.
pub fn interval_coverage(
    schedules: Option<&ScheduleColumns>,
    by_interval: &KpiReport,
    interval_ms: i64,
    keep: impl Fn(i64) -> bool,
    sl_seconds: f64,
    sl_target: f64,
) -> Result<Vec<(i64, IntervalCoverage)>> {
    let work = schedules.map(|s| s.work_segments());
    let mut out = Vec::new();
    for r in &by_interval.rows {
        let Some(t) = r.bucket_start else { continue };
        if !keep(t) {
            continue;
        }
        // Short abandons (misdials) leave every formula (domain.md).
        let offered =
            r.counts.answered + r.counts.abandoned - r.counts.short_abandons + r.counts.timeout;
        let aht_s = r
            .kpis
            .iter()
            .find(|k| k.id == "average_handle_time")
            .and_then(|k| k.value);
        let required = match aht_s {
            Some(aht) if aht > 0.0 && offered > 0 => Some(
                staffing::run(
                    &StaffQuery {
                        calls: offered as f64,
                        aht_s: aht,
                        interval_minutes: Some(interval_ms as f64 / 60_000.0),
                        sl_seconds,
                        sl_target,
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
        let end = t + interval_ms;
        let scheduled = work.as_ref().map_or(0.0, |w| {
            w.iter()
                .map(|s| (s.end_ms.min(end) - s.start_ms.max(t)).max(0) as f64)
                .sum::<f64>()
                / interval_ms as f64
        });
        out.push((
            t,
            IntervalCoverage {
                interval_start: format_timestamp(t),
                offered,
                aht_s,
                required,
                scheduled,
                gap: required.map(|r| scheduled - r as f64),
            },
        ));
    }
    Ok(out)
}

/// Answers the question; a store without schedules is [`QueryError::NoSchedules`].
pub fn run(store: &Store, q: &CoverageQuery) -> Result<CoverageReport> {
    if !(q.sl_target > 0.0 && q.sl_target < 1.0) {
        return Err(QueryError::NotPositive {
            what: "the service-level target (a fraction between 0 and 1)",
        });
    }
    let schedules = read_schedules(store)?.ok_or_else(|| QueryError::NoSchedules {
        dir: store.root().to_path_buf(),
    })?;
    let by = KpiQuery {
        period: q.period.clone(),
        by: By::Interval,
        interval: q.interval.clone(),
        queue: q.queue.clone(),
        sl_seconds: q.sl_seconds,
        timezone: q.timezone.clone(),
        ..KpiQuery::default()
    };
    let report = super::kpi::run(store, &by)?;
    let minutes = match report.settings.by {
        callboard_core::kpi::buckets::Bucketing::Interval(m) => m,
        _ => unreachable!("asked by interval"),
    };
    let interval_ms = i64::from(minutes) * 60_000;
    let rows: Vec<IntervalCoverage> = interval_coverage(
        Some(&schedules),
        &report,
        interval_ms,
        |_| true,
        q.sl_seconds,
        q.sl_target,
    )?
    .into_iter()
    .map(|(_, r)| r)
    .collect();
    let hours = interval_ms as f64 / 3_600_000.0;
    let totals = CoverageTotals {
        intervals: rows.len(),
        short_intervals: rows
            .iter()
            .filter(|r| r.gap.is_some_and(|g| g < 0.0))
            .count(),
        required_agent_hours: rows
            .iter()
            .filter_map(|r| r.required)
            .map(|r| r as f64 * hours)
            .sum(),
        scheduled_agent_hours: rows.iter().map(|r| r.scheduled * hours).sum(),
    };
    Ok(CoverageReport {
        settings: CoverageSettings {
            from: format_timestamp(report.settings.from_ms),
            to: format_timestamp(report.settings.to_ms),
            interval_minutes: minutes,
            timezone: q.timezone.clone(),
            sl_seconds: q.sl_seconds,
            sl_target: q.sl_target,
            queue: q.queue.clone(),
        },
        rows,
        totals,
    })
}
