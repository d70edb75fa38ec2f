//! The review pack's question: everything a monthly review shows, for one period
//! and (optionally) one queue — the KPIs in total, against the previous period of
//! the same length, by day, by hour, by week, by queue and by agent, the agents'
//! teams, and ticket compliance by month. Each part is the result of the query a
//! user would run for it (`kpi`, `tickets`), so every figure in the pack can be
//! traced to a command; the presenter (`crate::report`) draws and words them.

use super::kpi::{self, Group, KpiQuery, KpiReport};
use super::staffing::StaffQuery;
use super::tickets::{self, TicketsQuery, TicketsReport};
use super::{By, PeriodQuery, QueryError, Result, input_error, open_csv};
use crate::store::Store;
use crate::store::readers::{ScheduleColumns, read_agents, read_schedules};
use callboard_core::time::{DAY_MS, format_date, format_timestamp, parse_date};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

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
    /// A forecast made for the period (`callboard forecast --output F.csv`), to set
    /// against what came.
    pub forecast: Option<PathBuf>,
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
            forecast: None,
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
    /// Per row of `by_week`: shrinkage, the share of scheduled paid time not spent
    /// ready or handling calls (1 − adherence × work ÷ paid, as `forecast
    /// --shrinkage measured` takes it); `None` without schedules that week.
    pub weekly_shrinkage: Vec<Option<f64>>,
    /// Per day of the period the forecast file covers: forecast against offered.
    pub forecast_days: Vec<ForecastDay>,
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
    /// Offered calls (short abandons left out, as domain.md defines offered).
    pub offered: u64,
    /// Mean handle time of the answered calls, s.
    pub aht_s: Option<f64>,
    /// Agents needed for 80 % within the threshold (`None` without a handle time).
    pub required: Option<u64>,
    /// Agents scheduled on work, time-averaged over the hour (`None`: no schedules).
    pub scheduled: Option<f64>,
}

/// One day of a forecast against what came: the forecast's calls summed over the
/// day's intervals (and the queues asked), with the sums of the interval bands.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ForecastDay {
    /// The local date.
    pub date: String,
    /// Forecast calls.
    pub forecast: f64,
    /// Sum of the intervals' 80 % lower bounds (a wider band than the day's own).
    pub lo80: Option<f64>,
    /// Sum of the intervals' 80 % upper bounds.
    pub hi80: Option<f64>,
    /// Calls offered (answered + abandoned + timed out).
    pub offered: u64,
}

/// A forecast file summed per local day of the period, against the offered calls
/// of `by_day`.
/// One row of a forecast file (`callboard forecast --output F.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastInterval {
    /// The interval's start, ms.
    pub start_ms: i64,
    /// Its queue (`None`: the file has no queue column).
    pub queue: Option<String>,
    /// Forecast calls.
    pub calls: f64,
    /// The 80 % band's bounds, when the file has them.
    pub lo80: Option<f64>,
    /// Upper bound.
    pub hi80: Option<f64>,
}

/// Reads a forecast file's rows; a bad row is an error naming the file and line.
pub fn read_forecast(
    path: &Path,
    zone: &callboard_core::time::TimeZoneSpec,
) -> Result<Vec<ForecastInterval>> {
    let bad = |line: u64, problem: String| input_error(path, line, problem);
    let (rows, header) = open_csv(path)?;
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(c_start), Some(c_calls)) = (col("interval_start"), col("calls")) else {
        return Err(bad(
            1,
            "a forecast file needs the columns interval_start and calls (as callboard forecast writes them)".into(),
        ));
    };
    let (c_queue, c_lo, c_hi) = (col("queue"), col("calls_lo80"), col("calls_hi80"));
    let mut out = Vec::new();
    for (line, rec) in rows {
        let field = |c: usize| rec.get(c).unwrap_or("").trim();
        let start_ms = callboard_core::time::parse_timestamp(field(c_start), zone)
            .map_err(|e| bad(line, format!("interval_start: {e}")))?;
        let number = |c: usize, what: &str| -> Result<f64> {
            field(c)
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| bad(line, format!("{what}: {:?} is not a number ≥ 0", field(c))))
        };
        out.push(ForecastInterval {
            start_ms,
            queue: c_queue.map(|c| field(c).to_owned()),
            calls: number(c_calls, "calls")?,
            lo80: c_lo.map(|c| number(c, "calls_lo80")).transpose()?,
            hi80: c_hi.map(|c| number(c, "calls_hi80")).transpose()?,
        });
    }
    Ok(out)
}

fn forecast_days(path: &Path, q: &ReportQuery, by_day: &KpiReport) -> Result<Vec<ForecastDay>> {
    let zone = by_day.settings.zone;
    let (from_ms, to_ms) = (by_day.settings.from_ms, by_day.settings.to_ms);
    let day_of = |t: i64| (t + zone.offset_ms_at(t)).div_euclid(DAY_MS) as i32;
    // Per day: forecast, lo, hi (None once a row lacks its band).
    let mut days: BTreeMap<i32, (f64, Option<f64>, Option<f64>)> = BTreeMap::new();
    for f in read_forecast(path, &zone)? {
        if let Some(queue) = &f.queue
            && !q.queue.is_empty()
            && !q.queue.iter().any(|x| x == queue)
        {
            continue;
        }
        if f.start_ms < from_ms || f.start_ms >= to_ms {
            continue;
        }
        let e = days
            .entry(day_of(f.start_ms))
            .or_insert((0.0, Some(0.0), Some(0.0)));
        e.0 += f.calls;
        e.1 = e.1.zip(f.lo80).map(|(a, b)| a + b);
        e.2 = e.2.zip(f.hi80).map(|(a, b)| a + b);
    }
    let offered: BTreeMap<i32, u64> = by_day
        .rows
        .iter()
        .filter_map(|r| {
            Some((
                day_of(r.bucket_start?),
                r.counts.answered + r.counts.abandoned + r.counts.timeout,
            ))
        })
        .collect();
    Ok(days
        .into_iter()
        .map(|(d, (forecast, lo80, hi80))| ForecastDay {
            date: format_date(d),
            forecast,
            lo80,
            hi80,
            offered: offered.get(&d).copied().unwrap_or(0),
        })
        .collect())
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
    schedules: Option<&ScheduleColumns>,
    by_hour: &KpiReport,
    day: i32,
    sl_seconds: f64,
) -> Result<Vec<HourStaffing>> {
    let zone = by_hour.settings.zone;
    let rows = super::coverage::interval_coverage(
        schedules,
        by_hour,
        3_600_000,
        |t| (t + zone.offset_ms_at(t)).div_euclid(DAY_MS) as i32 == day,
        sl_seconds,
        StaffQuery::default().sl_target,
    )?;
    Ok(rows
        .into_iter()
        .map(|(_, r)| HourStaffing {
            hour_start: r.interval_start,
            offered: r.offered,
            aht_s: r.aht_s,
            required: r.required,
            scheduled: schedules.map(|_| r.scheduled),
        })
        .collect())
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
    // The tickets read their rows and the per-agent report the largest summaries
    // (every agent's hours): the two heavy ones beside the others.
    let ((by_agent, tickets), (by_day, by_hour, by_week, by_queue, schedules)) = rayon::join(
        || {
            // The two slowest parts, each on its own thread; repeat contacts are
            // not in the pack, so the tickets skip the scan of every call they
            // need.
            rayon::join(
                || part(By::Total, Some(Group::Agent)),
                || {
                    tickets::run(
                        store,
                        &TicketsQuery {
                            period: period.clone(),
                            timezone: q.timezone.clone(),
                            by: By::Month,
                            repeat_contacts: false,
                            ..TicketsQuery::default()
                        },
                    )
                },
            )
        },
        || {
            (
                part(By::Day, None),
                part(By::Interval, None),
                part(By::Week, None),
                part(By::Total, Some(Group::Queue)),
                read_schedules(store),
            )
        },
    );
    let (by_agent, by_day, by_hour, by_week, by_queue, schedules) = (
        by_agent?, by_day?, by_hour?, by_week?, by_queue?, schedules?,
    );
    let tickets = match tickets {
        Ok(t) => Some(t),
        Err(QueryError::NoTickets { .. }) => {
            notes.push("the store holds no tickets: the ticket SLA section is left out".into());
            None
        }
        Err(e) => return Err(e),
    };
    let focus_day = match &q.day {
        Some(text) => Some(parse_date(text).ok_or_else(|| QueryError::Date {
            what: "--day",
            given: text.clone(),
        })?),
        None => lowest_service_day(&by_day),
    };
    let forecast_days = match &q.forecast {
        Some(path) => {
            let days = forecast_days(path, q, &by_day)?;
            if days.is_empty() {
                notes.push(format!(
                    "{} has no intervals in the period: forecast against actual is left out",
                    path.display()
                ));
            }
            days
        }
        None => Vec::new(),
    };
    let weekly_shrinkage = by_week
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let from = r.bucket_start?.max(from_ms);
            let to = by_week
                .rows
                .get(i + 1)
                .and_then(|n| n.bucket_start)
                .unwrap_or(to_ms)
                .min(to_ms);
            let (paid, work) = schedules.as_ref()?.paid_and_work_ms(from, to);
            let adherence = r
                .kpis
                .iter()
                .find(|k| k.id == "schedule_adherence")?
                .value?;
            (paid > 0 && work > 0)
                .then(|| (1.0 - adherence * work as f64 / paid as f64).clamp(0.0, 1.0))
        })
        .collect();
    let staffing = match focus_day {
        Some(day) => day_staffing(schedules.as_ref(), &by_hour, day, q.sl_seconds)?,
        None => Vec::new(),
    };
    Ok(ReportData {
        query: q.clone(),
        previous,
        by_day,
        by_hour,
        focus_day,
        forecast_days,
        staffing,
        by_week,
        weekly_shrinkage,
        by_queue,
        by_agent,
        total,
        teams,
        tickets,
        notes,
    })
}
