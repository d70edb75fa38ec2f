//! Volume and handle-time forecast per queue and interval, from the store's calls or
//! an interval-count file, with prediction intervals and the backtest behind the
//! method chosen (issue 12, first part: methods, automatic choice, intervals; no
//! special days, calendar effects or staffing yet).

use super::staffing::StaffQuery;
use super::{QueryError, Result, input_error, moment, open_csv, positive_duration_ms, time_zone};
use crate::store::Store;
use crate::store::readers::read_calls_for_report;
use callboard_core::erlang::StaffingRequest;
use callboard_core::forecast::{
    DayCounts, DayOfMonth, Dispersion, ForecastError, History, Method, SpecialDay, SpecialKind,
    TargetDay, WeeklyBacktest, backtest_methods, backtest_methods_by_calendar, choose,
    replay_choice,
};
use callboard_core::schema::Outcome;
use callboard_core::time::{DAY_MS, TimeZoneSpec, format_date, format_timestamp, weekday};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A forecast as asked. `Default`: the store's calls, 30-minute intervals, the two
/// weeks after the history, the method chosen per queue by an 8-week backtest, UTC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ForecastQuery {
    /// An interval-count file (`interval_start, calls`, optional `queue`, `aht_s`)
    /// instead of the store's calls.
    pub history: Option<PathBuf>,
    /// First forecast interval [default: the interval after the history ends].
    pub from: Option<String>,
    /// How far ahead (`14d`).
    pub horizon: String,
    /// Interval length: `15m`, `30m` or `60m`.
    pub interval: String,
    /// Only these queues (all when empty).
    pub queue: Vec<String>,
    /// `auto`, or one method's name (see [`METHODS`]).
    pub method: String,
    /// IANA zone of the centre's wall clock (the profiles' days and slots).
    pub timezone: String,
    /// Weekly origins of the backtest.
    pub backtest_weeks: usize,
    /// Agents and positions per row with these targets (`calls` and `aht_s` of the
    /// query are ignored: each row's forecast gives them; a positive `aht_s` is the
    /// handle time of rows without one).
    pub staffing: Option<StaffQuery>,
    /// What to staff to: the point forecast, or the upper bound of a band.
    pub staff_to: StaffTo,
    /// A CSV of special days (`date, kind, factor`; kind closed, holiday or
    /// campaign): left out of the profiles, forecast as closed or × factor.
    pub special_days: Option<PathBuf>,
    /// Leave days far below their weekday's level (unmarked holidays) out of the
    /// profiles, and say which.
    pub detect_holidays: bool,
    /// With staffing: measure shrinkage from the store over the 4 weeks before the
    /// history ends instead of taking the targets' value.
    pub measure_shrinkage: bool,
}

/// The calls staffing is sized for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StaffTo {
    /// The point forecast.
    #[default]
    Point,
    /// The 80 % band's upper bound (a buffer: 1 interval in 10 busier).
    P80,
    /// The 95 % band's upper bound.
    P95,
}

impl Default for ForecastQuery {
    fn default() -> Self {
        ForecastQuery {
            history: None,
            from: None,
            horizon: "14d".into(),
            interval: "30m".into(),
            queue: Vec::new(),
            method: "auto".into(),
            timezone: "UTC".into(),
            backtest_weeks: 8,
            staffing: None,
            staff_to: StaffTo::Point,
            special_days: None,
            detect_holidays: true,
            measure_shrinkage: false,
        }
    }
}

/// The methods `auto` chooses among, by name: the core's members, their median
/// combination, the top-down model and MSTL.
pub const METHODS: [Method; 8] = [
    Method::MEMBERS[0],
    Method::MEMBERS[1],
    Method::MEMBERS[2],
    Method::MEMBERS[3],
    Method::MEMBERS[4],
    Method::Combination,
    Method::TopDown { alpha: 0.3 },
    Method::Mstl { weeks: 8 },
];

/// A candidate of `auto`: a method, learning from the history as it is or with
/// the day-of-month effects taken out and put back (`+dom`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    method: Method,
    by_calendar: bool,
}

impl Candidate {
    fn plain(method: Method) -> Candidate {
        Candidate {
            method,
            by_calendar: false,
        }
    }

    /// `profile_mean_4`, `profile_mean_4+dom`, … (the backtest's names).
    fn name(&self) -> String {
        if self.by_calendar {
            format!("{}+dom", self.method.name())
        } else {
            self.method.name()
        }
    }

    /// The candidate a name stands for, among [`METHODS`].
    fn from_name(name: &str) -> Option<Candidate> {
        let (base, by_calendar) = match name.strip_suffix("+dom") {
            Some(base) => (base, true),
            None => (name, false),
        };
        METHODS
            .iter()
            .find(|m| m.name() == base)
            .map(|m| Candidate {
                method: *m,
                by_calendar,
            })
    }

    /// The forecast of `targets` from `history`, and the day-of-month effects used.
    fn forecast(
        &self,
        history: &History,
        targets: &[TargetDay],
    ) -> std::result::Result<(DayOfMonth, Vec<Vec<f64>>), ForecastError> {
        if self.by_calendar {
            DayOfMonth::forecast(&self.method, history, targets)
        } else {
            Ok((DayOfMonth::NONE, self.method.forecast(history, targets)?))
        }
    }
}

/// One forecast interval of one queue (a row of the forecast file, docs/cli.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastRow {
    /// Interval start, RFC 3339 UTC.
    pub interval_start: String,
    /// Queue.
    pub queue: String,
    /// Expected offered calls (≥ 0, fractional).
    pub calls: f64,
    /// 80 % prediction interval, lower bound.
    pub calls_lo80: f64,
    /// 80 % prediction interval, upper bound.
    pub calls_hi80: f64,
    /// 95 % prediction interval, lower bound.
    pub calls_lo95: f64,
    /// 95 % prediction interval, upper bound.
    pub calls_hi95: f64,
    /// Expected mean handle time of answered calls, s (`None` without handle times).
    pub aht_s: Option<f64>,
    /// The method used for the queue.
    pub method: String,
    /// Agents needed (with staffing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents: Option<u64>,
    /// Positions to schedule (with staffing).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positions: Option<u64>,
}

/// What was forecast for one queue, and how well the method did in the backtest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueueForecast {
    /// Queue.
    pub queue: String,
    /// The method used.
    pub method: String,
    /// Days of history.
    pub history_days: usize,
    /// Under two weeks of history: a profile of what exists, no backtest.
    pub thin_history: bool,
    /// Every candidate's backtest over the latest `backtest_origins` weekly
    /// origins (when there was a backtest).
    pub backtest: Vec<MethodScore>,
    /// Weekly origins the scores pool.
    pub backtest_origins: usize,
    /// The chosen method's pooled backtest WAPE.
    pub wape: Option<f64>,
    /// Its bias.
    pub bias: Option<f64>,
    /// The latest weekly origins the honest replay and the bands' out-of-sample
    /// coverage are counted on (each with earlier origins to learn from: half the
    /// origins when there are fewer than twice `--backtest-weeks`).
    pub checked_origins: usize,
    /// The automatic choice replayed honestly (`auto` only): at each origin, the
    /// method chosen on the weeks before it only, scored on its week. What `auto`
    /// can be expected to achieve; `wape` flatters the winner.
    pub auto_wape: Option<f64>,
    /// Its bias.
    pub auto_bias: Option<f64>,
    /// Out of sample: the share of actuals inside the 80 % band, each origin's
    /// band fitted on the weeks before it.
    pub coverage80: Option<f64>,
    /// … inside the 95 % band.
    pub coverage95: Option<f64>,
    /// The busiest forecast interval and its calls.
    pub peak_interval: Option<String>,
    /// Its calls.
    pub peak_calls: f64,
    /// Calls forecast in all.
    pub total_calls: f64,
    /// The most agents any interval needs (with staffing).
    pub peak_agents: Option<u64>,
    /// The most positions any interval needs (with staffing).
    pub peak_positions: Option<u64>,
    /// Days of the history left out of the profiles because the special-days file
    /// marks them.
    pub marked_days_left_out: Vec<String>,
    /// Days of the history left out because they look like unmarked holidays (far
    /// below their weekday's level).
    pub quiet_days_left_out: Vec<String>,
    /// The largest day-of-month effect estimated from the history, |factor − 1|
    /// (when it spans 90 days or more); methods are tried with the effects from 5 %.
    pub day_of_month_effect: Option<f64>,
    /// The day-of-month multipliers the forecast used (days 1 … 31), when the
    /// method learns with them (its name ends in `+dom`).
    pub day_of_month_factors: Option<Vec<f64>>,
}

/// A method's backtest score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodScore {
    /// Method name.
    pub method: String,
    /// Pooled WAPE.
    pub wape: f64,
    /// Pooled bias.
    pub bias: f64,
    /// MASE against seasonal naive.
    pub mase: Option<f64>,
}

/// A forecast: per-queue summaries and the rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastReport {
    /// First interval, RFC 3339.
    pub from: String,
    /// End (exclusive).
    pub to: String,
    /// Interval length, minutes.
    pub interval_minutes: i64,
    /// The wall clock's zone.
    pub timezone: String,
    /// The shrinkage staffing used (with staffing).
    pub shrinkage: Option<f64>,
    /// Whether it was measured from the store (the share of scheduled paid time not
    /// spent ready or handling calls, over the 4 weeks before the history ends).
    pub shrinkage_measured: bool,
    /// Per queue.
    pub queues: Vec<QueueForecast>,
    /// With staffing: per queue and local day, the busiest interval's agents and
    /// positions (queue-major, days ascending).
    pub daily_peaks: Vec<DailyPeak>,
    /// Per queue and interval, queue-major.
    pub rows: Vec<ForecastRow>,
}

/// The staffing requirement's peak of one queue on one day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyPeak {
    /// Local date, YYYY-MM-DD.
    pub date: String,
    /// Queue.
    pub queue: String,
    /// Most agents any interval of the day needs.
    pub agents: u64,
    /// Most positions (agents ÷ (1 − shrinkage), rounded up) any interval needs.
    pub positions: u64,
}

/// Interval counts of one queue on the wall clock: per (local day, slot) the calls
/// and the distinct instants the slot began at (two for the hour an autumn DST
/// change repeats: its value is then the mean of the two intervals), and the
/// handle-time sum and count.
#[derive(Default)]
struct Cells {
    calls: BTreeMap<(i32, usize), (f64, Vec<i64>)>,
    handle: BTreeMap<(i32, usize), (f64, f64)>,
}

impl Cells {
    /// Adds `calls` at instant `t`, whose local slot begins at `slot_start`.
    fn add(&mut self, cell: (i32, usize), slot_start: i64, calls: f64) {
        let e = self.calls.entry(cell).or_insert((0.0, Vec::new()));
        e.0 += calls;
        if !e.1.contains(&slot_start) {
            e.1.push(slot_start);
        }
    }
}

/// The UTC instant at which the local slot holding `t` began.
fn slot_start(t: i64, zone: &TimeZoneSpec, slot_ms: i64) -> i64 {
    t - (t + zone.offset_ms_at(t)).rem_euclid(slot_ms)
}

/// A history's intervals, one entry per queue.
struct Observed {
    queues: BTreeMap<String, Cells>,
    /// Intervals absent from the input are zeros (a call log), not missing (a file
    /// of interval counts).
    absent_is_zero: bool,
    /// The end of the last observed interval, ms.
    end_ms: i64,
    first_ms: i64,
}

impl ForecastReport {
    /// Writes the rows as Parquet (the columns of the CSV; `interval_start` as text
    /// in RFC 3339, as in the CSV).
    pub fn write_parquet(&self, path: &std::path::Path) -> Result<()> {
        use polars::prelude::{DataFrame, IntoColumn, NamedFrom, ParquetWriter, Series};
        let r = &self.rows;
        let text = |name: &str, f: &dyn Fn(&ForecastRow) -> &str| {
            Series::new(name.into(), r.iter().map(f).collect::<Vec<&str>>()).into_column()
        };
        let float = |name: &str, f: &dyn Fn(&ForecastRow) -> Option<f64>| {
            Series::new(name.into(), r.iter().map(f).collect::<Vec<Option<f64>>>()).into_column()
        };
        let count = |name: &str, f: &dyn Fn(&ForecastRow) -> Option<u64>| {
            Series::new(name.into(), r.iter().map(f).collect::<Vec<Option<u64>>>()).into_column()
        };
        let mut columns = vec![
            text("interval_start", &|x| &x.interval_start),
            text("queue", &|x| &x.queue),
            float("calls", &|x| Some(x.calls)),
            float("calls_lo80", &|x| Some(x.calls_lo80)),
            float("calls_hi80", &|x| Some(x.calls_hi80)),
            float("calls_lo95", &|x| Some(x.calls_lo95)),
            float("calls_hi95", &|x| Some(x.calls_hi95)),
            float("aht_s", &|x| x.aht_s),
            text("method", &|x| &x.method),
        ];
        if r.iter().any(|x| x.agents.is_some()) {
            columns.push(count("agents", &|x| x.agents));
            columns.push(count("positions", &|x| x.positions));
        }
        let fail = |e: polars::prelude::PolarsError| QueryError::OutputFile {
            path: path.to_path_buf(),
            problem: e.to_string(),
        };
        let mut df = DataFrame::new(r.len(), columns).map_err(fail)?;
        let file = std::fs::File::create(path).map_err(|e| QueryError::OutputFile {
            path: path.to_path_buf(),
            problem: e.to_string(),
        })?;
        ParquetWriter::new(file).finish(&mut df).map_err(fail)?;
        Ok(())
    }
}

/// The wall-clock position of an instant: (local day, slot of the day).
fn local_slot(t: i64, zone: &TimeZoneSpec, slot_ms: i64) -> (i32, usize) {
    let local = t + zone.offset_ms_at(t);
    (
        local.div_euclid(DAY_MS) as i32,
        (local.rem_euclid(DAY_MS) / slot_ms) as usize,
    )
}

/// Computes the forecast.
pub fn run(store: Option<&Store>, q: &ForecastQuery) -> Result<ForecastReport> {
    let zone = time_zone(&q.timezone)?;
    let slot_minutes: i64 = match q.interval.as_str() {
        "15m" => 15,
        "30m" => 30,
        "60m" | "1h" => 60,
        other => {
            return Err(QueryError::IntervalLength {
                given: other.to_owned(),
            });
        }
    };
    let slot_ms = slot_minutes * 60_000;
    let slots = (DAY_MS / slot_ms) as usize;
    let horizon_ms = positive_duration_ms(&q.horizon, "the forecast horizon")?;
    let method_asked = match q.method.as_str() {
        "auto" => None,
        name => Some(Candidate::from_name(name).ok_or_else(|| {
            QueryError::UnknownMethod {
                given: name.to_owned(),
                names: METHODS
                    .iter()
                    .flat_map(|m| [m.name(), format!("{}+dom", m.name())])
                    .collect(),
            }
        })?),
    };
    let observed = match (&q.history, store) {
        (Some(path), _) => read_history_file(path, &zone, slot_ms)?,
        (None, Some(store)) => store_history(store, &zone, slot_ms)?,
        (None, None) => return Err(QueryError::NoHistory),
    };
    let from_ms = match &q.from {
        Some(t) => moment(t, &zone, "the forecast start")?,
        None => observed.end_ms,
    };
    let from_ms = slot_start(from_ms, &zone, slot_ms);
    let specials = match &q.special_days {
        Some(path) => read_special_days(path)?,
        None => Vec::new(),
    };
    let to_ms = from_ms + horizon_ms;
    let first_day = local_slot(observed.first_ms, &zone, slot_ms).0;
    let (end_day, end_slot) = local_slot(observed.end_ms, &zone, slot_ms);
    // The last day with data: the day the history ends in, unless it ends at its
    // midnight.
    let last_day = if end_slot == 0 { end_day - 1 } else { end_day };

    let ctx = QueueContext {
        q,
        method_asked,
        specials: &specials,
        zone: &zone,
        slots,
        slot_ms,
        from_ms,
        to_ms,
        first_day,
        last_day,
        end_day,
        end_slot,
        absent_is_zero: observed.absent_is_zero,
    };
    // Queues are independent: forecast them in parallel, keep their order.
    let per_queue: Vec<(QueueForecast, Vec<ForecastRow>)> = observed
        .queues
        .par_iter()
        .filter(|(name, _)| q.queue.is_empty() || q.queue.contains(name))
        .map(|(name, cells)| forecast_queue(&ctx, name, cells))
        .collect::<Result<_>>()?;
    let mut queues = Vec::with_capacity(per_queue.len());
    let mut rows = Vec::new();
    for (summary, queue_rows) in per_queue {
        queues.push(summary);
        rows.extend(queue_rows);
    }
    if queues.is_empty() {
        return Err(QueryError::NoHistory);
    }
    let mut shrinkage = None;
    if let Some(targets) = &q.staffing {
        let mut targets = targets.clone();
        if q.measure_shrinkage {
            let store = store.ok_or(QueryError::NoShrinkageData)?;
            targets.shrinkage =
                measured_shrinkage(store, observed.end_ms - 28 * DAY_MS, observed.end_ms)?;
        }
        shrinkage = Some(targets.shrinkage);
        staff(&mut rows, &mut queues, &targets, q.staff_to, slot_minutes)?;
    }
    let daily_peaks = daily_peaks(&rows, &zone, slot_ms);
    Ok(ForecastReport {
        shrinkage,
        shrinkage_measured: q.measure_shrinkage && q.staffing.is_some(),
        from: format_timestamp(from_ms),
        to: format_timestamp(to_ms),
        interval_minutes: slot_minutes,
        timezone: zone.name().to_owned(),
        queues,
        daily_peaks,
        rows,
    })
}

/// The busiest interval's agents and positions per queue and local day (with
/// staffing; empty without).
fn daily_peaks(rows: &[ForecastRow], zone: &TimeZoneSpec, slot_ms: i64) -> Vec<DailyPeak> {
    let utc = TimeZoneSpec::utc();
    let mut peaks: Vec<DailyPeak> = Vec::new();
    for r in rows {
        let (Some(agents), Some(positions)) = (r.agents, r.positions) else {
            continue;
        };
        let Ok(t) = callboard_core::time::parse_timestamp(&r.interval_start, &utc) else {
            continue;
        };
        let date = format_date(local_slot(t, zone, slot_ms).0);
        match peaks.last_mut() {
            Some(p) if p.queue == r.queue && p.date == date => {
                p.agents = p.agents.max(agents);
                p.positions = p.positions.max(positions);
            }
            _ => peaks.push(DailyPeak {
                date,
                queue: r.queue.clone(),
                agents,
                positions,
            }),
        }
    }
    peaks
}

/// What every queue's forecast shares.
struct QueueContext<'a> {
    q: &'a ForecastQuery,
    method_asked: Option<Candidate>,
    specials: &'a [SpecialDay],
    zone: &'a TimeZoneSpec,
    slots: usize,
    slot_ms: i64,
    from_ms: i64,
    to_ms: i64,
    /// The history's first and last local days with data.
    first_day: i32,
    last_day: i32,
    /// The local day and slot the history ends at (exclusive).
    end_day: i32,
    end_slot: usize,
    absent_is_zero: bool,
}

/// The index of the plain profile (the 4-week mean) among [`METHODS`]: the
/// baseline `auto` keeps unless another method beats it beyond noise.
const BASELINE: usize = 1;

/// One queue's forecast: history, special days, backtest, choice, bands, rows.
fn forecast_queue(
    ctx: &QueueContext,
    name: &str,
    cells: &Cells,
) -> Result<(QueueForecast, Vec<ForecastRow>)> {
    let (q, slots) = (ctx.q, ctx.slots);
    let fail = |e: ForecastError| QueryError::Forecast {
        queue: name.to_owned(),
        problem: e.to_string(),
    };
    // The history: every day from the first observation to the last one's day;
    // slots after the end of the data are unknown, not closed.
    let days: Vec<DayCounts> = (ctx.first_day..=ctx.last_day)
        .map(|day| DayCounts {
            day,
            weekday: weekday(day),
            counts: (0..slots)
                .map(|s| match cells.calls.get(&(day, s)) {
                    Some((c, starts)) => c / starts.len().max(1) as f64,
                    None if day == ctx.end_day && s >= ctx.end_slot => f64::NAN,
                    None if ctx.absent_is_zero => 0.0,
                    None => f64::NAN,
                })
                .collect(),
        })
        .collect();
    let history_days = days.len();
    let history = History::new(slots, days).map_err(fail)?;
    // Special days and days that look like unmarked holidays teach the profiles
    // nothing.
    let marked: Vec<i32> = ctx
        .specials
        .iter()
        .map(|s| s.day)
        .filter(|d| (ctx.first_day..=ctx.last_day).contains(d))
        .collect();
    let quiet: Vec<i32> = if q.detect_holidays {
        history.without(&marked).unusually_quiet_days(QUIET_SHARE)
    } else {
        Vec::new()
    };
    let left_out: Vec<i32> = marked.iter().chain(&quiet).copied().collect();
    let history = history.without(&left_out);
    let thin = history_days < 14;

    // Backtest every candidate (or the one asked for) from twice the weekly
    // origins asked: the later half scores the methods and fits the bands; the
    // earlier half lets the automatic choice and the bands be replayed out of
    // sample on the later half. Where the history shows day-of-month effects of
    // 5 % or more, each method is also tried learning with them (`+dom`); smaller
    // ones are within a day's forecast noise and would only add selection noise.
    let calendar_estimate = DayOfMonth::estimate(&history);
    let by_calendar = calendar_estimate
        .as_ref()
        .is_some_and(|c| c.largest_effect() >= MATERIAL_DAY_OF_MONTH_EFFECT);
    let candidates: Vec<Candidate> = match ctx.method_asked {
        Some(c) => vec![c],
        None if by_calendar => METHODS
            .iter()
            .copied()
            .map(Candidate::plain)
            .chain(METHODS.iter().map(|m| Candidate {
                method: *m,
                by_calendar: true,
            }))
            .collect(),
        None => METHODS.iter().copied().map(Candidate::plain).collect(),
    };
    let weeks = q.backtest_weeks.max(1);
    let backtests: Vec<WeeklyBacktest> = if thin {
        Vec::new()
    } else {
        // The plain candidates, then those by calendar (`candidates`' own order).
        let methods = |by_calendar: bool| -> Vec<Method> {
            candidates
                .iter()
                .filter(|c| c.by_calendar == by_calendar)
                .map(|c| c.method)
                .collect()
        };
        let (plain, dom) = (methods(false), methods(true));
        let mut all = Vec::new();
        if !plain.is_empty() {
            all.extend(backtest_methods(&history, &plain, 2 * weeks).unwrap_or_default());
        }
        if !dom.is_empty() {
            all.extend(backtest_methods_by_calendar(&history, &dom, 2 * weeks).unwrap_or_default());
        }
        all.into_iter()
            .filter_map(|b| b.ok())
            .filter(|b| b.score.wape.is_finite())
            .collect()
    };
    let origins = backtests.first().map_or(0, |b| b.origins.len());
    let recent = origins.saturating_sub(weeks)..origins;
    let baseline = match ctx.method_asked {
        Some(_) => usize::MAX,
        None => backtests
            .iter()
            .position(|b| b.method == METHODS[BASELINE].name())
            .unwrap_or(usize::MAX),
    };
    let method = match (ctx.method_asked, backtests.is_empty()) {
        (Some(c), _) => c,
        (None, false) => {
            let i = choose(&backtests, baseline, recent.clone());
            *candidates
                .iter()
                .find(|c| c.name() == backtests[i].method)
                .expect("a candidate")
        }
        // Too little history to choose: the plain profile of what exists.
        (None, true) => Candidate::plain(METHODS[BASELINE]),
    };
    let chosen = backtests.iter().find(|b| b.method == method.name());
    // Out-of-sample checks need origins before the tested ones: with fewer than
    // twice `weeks`, half are tested.
    let tested = weeks.min(origins / 2);
    let honest_auto = match ctx.method_asked {
        None if tested > 0 => replay_choice(&backtests, baseline, origins - tested, tested),
        _ => None,
    };
    let dispersion = chosen.map_or(Dispersion::POISSON, |b| {
        Dispersion::fit(b.pairs_of(recent.clone()).iter().copied())
    });
    let coverage = chosen.and_then(|b| b.out_of_sample_coverage(origins - tested, tested));
    let aht = handle_profile(cells, ctx.first_day, ctx.last_day);

    // The target days: those after the history in one call (all of it known);
    // a day the history reaches into (a forecast from mid-day), from the days
    // before it.
    let (d0, _) = local_slot(ctx.from_ms, ctx.zone, ctx.slot_ms);
    let (d1, _) = local_slot(ctx.to_ms - 1, ctx.zone, ctx.slot_ms);
    let target = |day| TargetDay {
        day,
        weekday: weekday(day),
    };
    let mut per_day: BTreeMap<i32, Vec<f64>> = BTreeMap::new();
    for day in d0..=d1.min(ctx.last_day) {
        let (_, f) = method
            .forecast(&history.before(day), &[target(day)])
            .map_err(fail)?;
        per_day.insert(day, f.into_iter().next().unwrap_or_default());
    }
    let after: Vec<TargetDay> = (d0.max(ctx.last_day + 1)..=d1).map(target).collect();
    let mut calendar = DayOfMonth::NONE;
    if !after.is_empty() {
        let (used, f) = method.forecast(&history, &after).map_err(fail)?;
        calendar = used;
        per_day.extend(after.iter().map(|t| t.day).zip(f));
    }
    for (day, f) in per_day.iter_mut() {
        if let Some(sp) = ctx.specials.iter().find(|s| s.day == *day) {
            let factor = match sp.kind {
                SpecialKind::Closed => 0.0,
                SpecialKind::Holiday | SpecialKind::Campaign => sp.factor,
            };
            f.iter_mut().for_each(|v| *v *= factor);
        }
    }
    let scores = |b: &WeeklyBacktest| b.window(recent.clone()).score;
    let mut summary = QueueForecast {
        queue: name.to_owned(),
        method: method.name(),
        history_days,
        thin_history: thin,
        backtest: backtests
            .iter()
            .map(|b| {
                let s = scores(b);
                MethodScore {
                    method: b.method.clone(),
                    wape: s.wape,
                    bias: s.bias,
                    mase: s.mase,
                }
            })
            .collect(),
        backtest_origins: recent.len(),
        wape: chosen.map(|b| scores(b).wape),
        bias: chosen.map(|b| scores(b).bias),
        checked_origins: tested,
        auto_wape: honest_auto.as_ref().map(|(b, _)| b.score.wape),
        auto_bias: honest_auto.as_ref().map(|(b, _)| b.score.bias),
        coverage80: coverage.map(|c| c.0),
        coverage95: coverage.map(|c| c.1),
        peak_interval: None,
        peak_calls: 0.0,
        total_calls: 0.0,
        peak_agents: None,
        peak_positions: None,
        marked_days_left_out: marked.iter().map(|d| format_date(*d)).collect(),
        quiet_days_left_out: quiet.iter().map(|d| format_date(*d)).collect(),
        day_of_month_factors: (!calendar.is_none()).then(|| calendar.factors.to_vec()),
        day_of_month_effect: calendar_estimate.as_ref().map(DayOfMonth::largest_effect),
    };
    let mut rows = Vec::new();
    let mut t = ctx.from_ms;
    while t < ctx.to_ms {
        let (day, slot) = local_slot(t, ctx.zone, ctx.slot_ms);
        let calls = per_day
            .get(&day)
            .and_then(|v| v.get(slot))
            .copied()
            .unwrap_or(0.0);
        let band = dispersion.band(calls);
        if calls > summary.peak_calls {
            summary.peak_calls = calls;
            summary.peak_interval = Some(format_timestamp(t));
        }
        summary.total_calls += calls;
        rows.push(ForecastRow {
            interval_start: format_timestamp(t),
            queue: name.to_owned(),
            calls,
            calls_lo80: band.lo80,
            calls_hi80: band.hi80,
            calls_lo95: band.lo95,
            calls_hi95: band.hi95,
            aht_s: aht(weekday(day), slot),
            method: method.name(),
            agents: None,
            positions: None,
        });
        t += ctx.slot_ms;
    }
    Ok((summary, rows))
}

/// Shrinkage measured from the store over `[from_ms, to_ms)`: the share of
/// scheduled paid time (work, break, training, meeting) not spent ready or
/// handling calls = 1 − adherence × work ÷ paid, where adherence (KPI 13) is the
/// ready/talk/hold/acw time inside scheduled work ÷ scheduled work.
pub fn measured_shrinkage(store: &Store, from_ms: i64, to_ms: i64) -> Result<f64> {
    let Some(schedules) = crate::store::readers::read_schedules(store)? else {
        return Err(QueryError::NoShrinkageData);
    };
    let (paid, work) = schedules.paid_and_work_ms(from_ms, to_ms);
    if paid <= 0 || work <= 0 {
        return Err(QueryError::NoShrinkageData);
    }
    let report = super::kpi::run(
        store,
        &super::kpi::KpiQuery {
            period: super::PeriodQuery {
                from: Some(format_timestamp(from_ms)),
                to: Some(format_timestamp(to_ms)),
            },
            ..Default::default()
        },
    )?;
    let adherence = report
        .rows
        .first()
        .and_then(|r| r.kpis.iter().find(|k| k.id == "schedule_adherence"))
        .and_then(|k| k.value)
        .ok_or(QueryError::NoShrinkageData)?;
    Ok((1.0 - adherence * work as f64 / paid as f64).clamp(0.0, 0.95))
}

/// Day-of-month effects from this size (|factor − 1|) are tried by `auto`.
const MATERIAL_DAY_OF_MONTH_EFFECT: f64 = 0.05;

/// A day under this share of its weekday's median looks like an unmarked holiday.
const QUIET_SHARE: f64 = 0.5;

/// Reads a special-days file: `date` (YYYY-MM-DD), `kind` (closed, holiday,
/// campaign), `factor` (needed for holiday and campaign).
fn read_special_days(path: &std::path::Path) -> Result<Vec<SpecialDay>> {
    let bad = |line: u64, problem: String| input_error(path, line, problem);
    let (rows, header) = open_csv(path)?;
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(c_date), Some(c_kind)) = (col("date"), col("kind")) else {
        return Err(bad(
            1,
            "a special-days file needs the columns date and kind (and factor for holidays and campaigns)".into(),
        ));
    };
    let c_factor = col("factor");
    let mut out = Vec::new();
    for (line, rec) in rows {
        let field = |c: usize| rec.get(c).unwrap_or("").trim();
        let day = callboard_core::time::parse_date(field(c_date))
            .ok_or_else(|| bad(line, format!("date: {:?} is not YYYY-MM-DD", field(c_date))))?;
        let kind = match field(c_kind) {
            "closed" => SpecialKind::Closed,
            "holiday" => SpecialKind::Holiday,
            "campaign" => SpecialKind::Campaign,
            other => {
                return Err(bad(
                    line,
                    format!("kind: {other:?} is not closed, holiday or campaign"),
                ));
            }
        };
        let factor = match (kind, c_factor.map(field).filter(|f| !f.is_empty())) {
            (SpecialKind::Closed, _) => 0.0,
            (_, Some(f)) => f
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| bad(line, format!("factor: {f:?} is not a number ≥ 0")))?,
            (_, None) => {
                return Err(bad(
                    line,
                    "a holiday or campaign needs its factor (e.g. 0.4 or 1.3)".into(),
                ));
            }
        };
        out.push(SpecialDay { day, kind, factor });
    }
    Ok(out)
}

/// Adds agents and positions to every row through the batch Erlang engine, sized
/// for the point forecast or a band's upper bound; peaks per queue.
fn staff(
    rows: &mut [ForecastRow],
    queues: &mut [QueueForecast],
    targets: &StaffQuery,
    staff_to: StaffTo,
    slot_minutes: i64,
) -> Result<()> {
    let requests = rows
        .iter()
        .map(|r| {
            let calls = match staff_to {
                StaffTo::Point => r.calls,
                StaffTo::P80 => r.calls_hi80,
                StaffTo::P95 => r.calls_hi95,
            };
            let aht_s = r
                .aht_s
                .or((targets.aht_s > 0.0).then_some(targets.aht_s))
                .ok_or_else(|| QueryError::NoHandleTime {
                    queue: r.queue.clone(),
                })?;
            StaffQuery {
                calls,
                aht_s,
                interval_minutes: Some(slot_minutes as f64),
                ..targets.clone()
            }
            .request()
        })
        .collect::<Result<Vec<_>>>()?;
    for (row, staffing) in rows.iter_mut().zip(StaffingRequest::solve_many(&requests)) {
        row.agents = Some(staffing.metrics.agents);
        row.positions = Some(staffing.positions);
        if let Some(q) = queues.iter_mut().find(|q| q.queue == row.queue) {
            q.peak_agents = q.peak_agents.max(Some(staffing.metrics.agents));
            q.peak_positions = q.peak_positions.max(Some(staffing.positions));
        }
    }
    Ok(())
}

/// The handle-time forecast of a queue: per weekday and slot the mean handle time
/// of the answered calls of its latest 4 same weekdays, else the queue's mean; `None`
/// without handle times.
fn handle_profile(
    cells: &Cells,
    first_day: i32,
    end_day: i32,
) -> impl Fn(u8, usize) -> Option<f64> + '_ {
    let (sum, n) = cells
        .handle
        .values()
        .fold((0.0, 0.0), |(s, k), (a, b)| (s + a, k + b));
    let overall = (n > 0.0).then(|| sum / n);
    let recent_from = move |wd: u8| {
        // The 4th latest day of weekday `wd` in the history.
        (first_day..=end_day)
            .rev()
            .filter(|d| weekday(*d) == wd)
            .nth(3)
            .unwrap_or(first_day)
    };
    move |wd: u8, slot: usize| {
        let from = recent_from(wd);
        let (s, k) = (from..=end_day)
            .filter(|d| weekday(*d) == wd)
            .filter_map(|d| cells.handle.get(&(d, slot)))
            .fold((0.0, 0.0), |(s, k), (a, b)| (s + a, k + b));
        // Thin cells (under 5 answered calls) fall back to the queue's mean.
        if k >= 5.0 { Some(s / k) } else { overall }
    }
}

/// Offered calls (answered, abandoned, timeout) per queue and interval by
/// `arrived_at`, and the answered calls' handle times, from the store.
fn store_history(store: &Store, zone: &TimeZoneSpec, slot_ms: i64) -> Result<Observed> {
    let Some(calls) = read_calls_for_report(store, &[], None, false)? else {
        return Err(QueryError::NoHistory);
    };
    let mut queues: BTreeMap<String, Cells> = BTreeMap::new();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for i in 0..calls.len() {
        let offered = matches!(
            calls.outcome[i],
            Outcome::Answered | Outcome::Abandoned | Outcome::Timeout
        );
        if !offered {
            continue;
        }
        let t = calls.arrived_ms[i];
        first = first.min(t);
        last = last.max(t);
        let cell = local_slot(t, zone, slot_ms);
        let q = queues
            .entry(calls.queues[calls.queue[i] as usize].clone())
            .or_default();
        q.add(cell, slot_start(t, zone, slot_ms), 1.0);
        if calls.outcome[i] == Outcome::Answered {
            let part = |x: f64| if x.is_finite() { x } else { 0.0 };
            let talk = calls.talk_s[i];
            if talk.is_finite() {
                let h = talk + part(calls.hold_s[i]) + part(calls.acw_s[i]);
                let e = q.handle.entry(cell).or_insert((0.0, 0.0));
                e.0 += h;
                e.1 += 1.0;
            }
        }
    }
    if queues.is_empty() {
        return Err(QueryError::NoHistory);
    }
    Ok(Observed {
        queues,
        absent_is_zero: true,
        end_ms: slot_start(last, zone, slot_ms) + slot_ms,
        first_ms: first,
    })
}

/// An interval-count file: `interval_start` (RFC 3339, or local time in the zone),
/// `calls`, optional `queue` and `aht_s`. A missing interval is no data, not zero.
fn read_history_file(
    path: &std::path::Path,
    zone: &TimeZoneSpec,
    slot_ms: i64,
) -> Result<Observed> {
    let bad = |line: u64, problem: String| input_error(path, line, problem);
    let (rows, header) = open_csv(path)?;
    let col = |n: &str| header.iter().position(|h| h == n);
    let (Some(c_start), Some(c_calls)) = (col("interval_start"), col("calls")) else {
        return Err(bad(
            1,
            "a history file needs the columns interval_start and calls (optional: queue, aht_s)"
                .into(),
        ));
    };
    let (c_queue, c_aht) = (col("queue"), col("aht_s"));
    let mut queues: BTreeMap<String, Cells> = BTreeMap::new();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    for (line, rec) in rows {
        let field = |c: usize| rec.get(c).unwrap_or("").trim();
        let t = callboard_core::time::parse_timestamp(field(c_start), zone)
            .map_err(|e| bad(line, format!("interval_start: {e}")))?;
        let calls: f64 = field(c_calls)
            .parse()
            .ok()
            .filter(|x: &f64| x.is_finite() && *x >= 0.0)
            .ok_or_else(|| {
                bad(
                    line,
                    format!("calls: {:?} is not a count ≥ 0", field(c_calls)),
                )
            })?;
        let queue = c_queue.map_or("all", |c| field(c)).to_owned();
        let cell = local_slot(t, zone, slot_ms);
        first = first.min(t);
        last = last.max(t);
        let q = queues.entry(queue).or_default();
        // A finer file (five-minute rows into half-hour slots) sums into its slot.
        q.add(cell, slot_start(t, zone, slot_ms), calls);
        if let Some(a) = c_aht.and_then(|c| field(c).parse::<f64>().ok())
            && a.is_finite()
            && a > 0.0
            && calls > 0.0
        {
            let h = q.handle.entry(cell).or_insert((0.0, 0.0));
            h.0 += a * calls;
            h.1 += calls;
        }
    }
    if queues.is_empty() {
        return Err(bad(2, "the file holds no intervals".into()));
    }
    Ok(Observed {
        queues,
        absent_is_zero: false,
        end_ms: slot_start(last, zone, slot_ms) + slot_ms,
        first_ms: first,
    })
}
