//! `callboard forecast`: flags → [`query::forecast`] → a summary table, and the
//! forecast as CSV or JSON (on stdout or to `--output`).

use super::{DataDir, Format, print_json};
use crate::query::forecast::{ForecastQuery, ForecastReport, StaffTo};
use crate::query::open_store;
use crate::query::staffing::StaffQuery;
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

fn defaults() -> ForecastQuery {
    ForecastQuery::default()
}

/// Flags of `callboard forecast`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  callboard forecast                                  # two weeks after the store's calls
  callboard forecast --interval 15m --horizon 28d --output forecast.csv
  callboard forecast --history acd_intervals.csv --timezone Europe/London --format json
  callboard forecast --method profile_median_4 --queue sales
  callboard forecast --staffing --staff-to p80 --shrinkage measured --sl-seconds 30

The history file has interval_start (RFC 3339, or local time in --timezone) and
calls, optionally queue and aht_s; a missing interval is no data, a 0 is a real zero.
From the store, the history is the offered calls (answered, abandoned, timeout) per
queue and interval, and the answered calls' handle times.

Methods: seasonal_naive (same interval last week); weekday x interval profiles
(profile_mean_4, profile_median_4, profile_ewma_8_0.3, profile_mean_8); their
median (combination_median); top_down_ses_0.3 (smoothed daily totals x intraday
shares); mstl_8 (daily and weekly seasons by MSTL). With 90 days of history and a
day-of-month effect of 5 % or more (pay days, billing runs), each is also tried
learning with the effects (its name then ends in +dom). auto keeps profile_mean_4
unless a method beats it by more than the noise over the last --backtest-weeks weekly
origins, and prints what that choice really scored when replayed week by week on
earlier weeks. The 80 % and 95 % bands are negative binomial, fitted on the
backtest's errors; their coverage is checked out of sample. --staffing adds agents
and positions per interval with the targets of `callboard staff` (--sl-target,
--model, --shrinkage or --shrinkage measured, ...), sized for the point forecast
or, with --staff-to p80|p95, for a band's upper bound; the summary tables the
positions each day's busiest interval needs.

A special-days file has date (YYYY-MM-DD), kind (closed, holiday, campaign) and
factor (e.g. 0.4 for a holiday, 1.3 for a campaign). Days of the history under half
their weekday's usual level are left out as unmarked holidays and named.")]
pub struct Args {
    #[command(flatten)]
    data: DataDir,
    /// An interval-count file to forecast from instead of the store's calls.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// First forecast interval (RFC 3339, or a date = midnight in --timezone)
    /// [default: the interval after the history ends].
    #[arg(long, value_name = "T")]
    from: Option<String>,
    /// How far ahead (e.g. 14d, 48h).
    #[arg(long, default_value_t = defaults().horizon, value_name = "LEN")]
    horizon: String,
    /// Interval length: 15m, 30m or 60m.
    #[arg(long, default_value_t = defaults().interval, value_name = "LEN")]
    interval: String,
    /// Only these queues (repeatable).
    #[arg(long, value_name = "NAME")]
    queue: Vec<String>,
    /// auto, or a method's name (see below).
    #[arg(long, default_value_t = defaults().method, value_name = "NAME")]
    method: String,
    /// IANA zone of the centre's wall clock (the profiles' days and intervals).
    #[arg(long, default_value_t = defaults().timezone, value_name = "TZ")]
    timezone: String,
    /// Weekly origins of the backtest that chooses the method and fits the bands.
    #[arg(long, default_value_t = defaults().backtest_weeks, value_name = "N")]
    backtest_weeks: usize,
    /// Write the forecast rows to this file (.csv, .parquet or .json); the summary
    /// goes to stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Output format on stdout: the summary table, or every row as CSV or JSON.
    #[arg(long, default_value = "table", value_parser = Format::among(&[Format::Table, Format::Json, Format::Csv]))]
    format: Format,
    /// Indent the JSON even when it does not go to a terminal.
    #[arg(long)]
    pretty: bool,
    /// Add agents and positions per interval (the targets below, as `callboard
    /// staff` takes them; the interval's forecast gives calls and handle time).
    #[arg(long)]
    staffing: bool,
    /// With --staffing: staff to the point forecast, or to the upper bound of the
    /// 80 % or 95 % band (a buffer for the busier intervals).
    #[arg(long, value_enum, default_value_t = StaffToArg::Point, requires = "staffing")]
    staff_to: StaffToArg,
    /// With --staffing: the handle time of intervals the history gives none for
    /// (an interval file without aht_s), seconds.
    #[arg(long, value_name = "S", requires = "staffing")]
    aht: Option<f64>,
    /// Special days: a CSV of date, kind (closed, holiday, campaign) and factor.
    /// They are left out of the profiles and forecast as closed (0) or × factor.
    #[arg(long, value_name = "FILE")]
    special_days: Option<PathBuf>,
    /// Keep days far below their weekday's level in the profiles (by default they
    /// are left out as unmarked holidays, and named in the summary).
    #[arg(long)]
    keep_quiet_days: bool,
    #[command(flatten)]
    targets: super::staff::Targets,
}

/// What staffing is sized for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StaffToArg {
    /// The point forecast.
    Point,
    /// The 80 % band's upper bound.
    P80,
    /// The 95 % band's upper bound.
    P95,
}

/// Runs `callboard forecast`.
pub fn run(args: Args) -> Result<ExitCode> {
    let q = ForecastQuery {
        history: args.history.clone(),
        from: args.from.clone(),
        horizon: args.horizon.clone(),
        interval: args.interval.clone(),
        queue: args.queue.clone(),
        method: args.method.clone(),
        timezone: args.timezone.clone(),
        backtest_weeks: args.backtest_weeks,
        staffing: args.staffing.then(|| StaffQuery {
            aht_s: args.aht.unwrap_or(0.0),
            ..args.targets.query()
        }),
        special_days: args.special_days.clone(),
        detect_holidays: !args.keep_quiet_days,
        measure_shrinkage: args.targets.shrinkage_measured(),
        staff_to: match args.staff_to {
            StaffToArg::Point => StaffTo::Point,
            StaffToArg::P80 => StaffTo::P80,
            StaffToArg::P95 => StaffTo::P95,
        },
    };
    let store = match &q.history {
        Some(_) => None,
        None => Some(open_store(&args.data.path())?),
    };
    let report = crate::query::forecast::run(store.as_ref(), &q).map_err(|e| match e {
        crate::query::QueryError::NoHandleTime { .. } => {
            anyhow::anyhow!("{e}: add --aht SECONDS")
        }
        e => e.into(),
    })?;
    if let Some(path) = &args.output {
        write_file(&report, path)?;
    }
    match args.format {
        Format::Json => print_json(&report, args.pretty)?,
        Format::Csv => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write_csv(&report, &mut out)?;
            out.flush()?;
        }
        Format::Table => print_summary(&report, args.output.as_ref()),
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the rows to `path` as its extension says (.csv, .parquet, .json); the
/// file is only created once the extension is known.
fn write_file(report: &ForecastReport, path: &std::path::Path) -> Result<()> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if !matches!(ext, "csv" | "json" | "parquet") {
        bail!(
            "{}: write the forecast as .csv, .parquet or .json (not {ext:?})",
            path.display()
        );
    }
    if ext == "parquet" {
        return Ok(report.write_parquet(path)?);
    }
    // Replaced whole: a run killed midway leaves the old file, not half a new one.
    crate::store::replace_by(path, |tmp| {
        let mut out = std::io::BufWriter::new(std::fs::File::create(tmp)?);
        match ext {
            "csv" => write_csv(report, &mut out)?,
            _ => serde_json::to_writer(&mut out, report)?,
        }
        Ok::<(), anyhow::Error>(out.flush()?)
    })
    .with_context(|| format!("cannot write {}", path.display()))
}

/// The forecast file of docs/cli.md: one row per queue and interval.
pub fn write_csv(report: &ForecastReport, out: &mut dyn Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for r in &report.rows {
        w.serialize(r)?;
    }
    if report.rows.is_empty() {
        // No rows: the header alone (without the staffing columns).
        w.write_record([
            "interval_start",
            "queue",
            "calls",
            "calls_lo80",
            "calls_hi80",
            "calls_lo95",
            "calls_hi95",
            "aht_s",
            "method",
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// The staffing requirement as a table: a row per day, a column per queue, each
/// cell the positions the day's busiest interval needs (its agents in brackets).
pub fn print_daily_peaks(report: &ForecastReport) {
    if report.daily_peaks.is_empty() {
        return;
    }
    let mut queues: Vec<&str> = Vec::new();
    let mut dates: Vec<&str> = Vec::new();
    for p in &report.daily_peaks {
        if !queues.contains(&p.queue.as_str()) {
            queues.push(&p.queue);
        }
        if !dates.contains(&p.date.as_str()) {
            dates.push(&p.date);
        }
    }
    dates.sort_unstable();
    println!("positions to schedule at each day's busiest interval (agents on the phones):");
    print!("  {:<15}", "day");
    for q in &queues {
        print!(" {q:>12}");
    }
    println!();
    for d in &dates {
        let weekday = callboard_core::time::parse_date(d)
            .map(|day| {
                &callboard_core::forecast::WEEKDAYS[usize::from(callboard_core::time::weekday(day))]
                    [..3]
            })
            .unwrap_or("");
        print!("  {weekday} {d:<11}");
        for q in &queues {
            match report
                .daily_peaks
                .iter()
                .find(|p| p.date == *d && p.queue == *q)
            {
                Some(p) => print!(" {:>12}", format!("{} ({})", p.positions, p.agents)),
                None => print!(" {:>12}", "–"),
            }
        }
        println!();
    }
}

fn print_summary(report: &ForecastReport, output: Option<&PathBuf>) {
    println!(
        "forecast {} … {} ({}-minute intervals, {})",
        report.from, report.to, report.interval_minutes, report.timezone
    );
    if let Some(s) = report.shrinkage {
        println!(
            "staffing at {:.1} % shrinkage{}",
            s * 100.0,
            if report.shrinkage_measured {
                " (measured: scheduled paid time not spent ready or on calls, last 4 weeks)"
            } else {
                ""
            }
        );
    }
    for q in &report.queues {
        println!(
            "\n{}: {} ({} days of history{})",
            q.queue,
            q.method,
            q.history_days,
            if q.thin_history {
                "; under two weeks: a profile of what exists, no backtest"
            } else {
                ""
            }
        );
        println!(
            "  {:.0} calls forecast; peak {:.1} at {}",
            q.total_calls,
            q.peak_calls,
            q.peak_interval.as_deref().unwrap_or("–")
        );
        if !q.marked_days_left_out.is_empty() {
            println!(
                "  special days left out of the profiles: {}",
                q.marked_days_left_out.join(", ")
            );
        }
        if !q.quiet_days_left_out.is_empty() {
            println!(
                "  left out as unmarked holidays (under half their weekday's level): {}",
                q.quiet_days_left_out.join(", ")
            );
        }
        match (&q.day_of_month_factors, q.day_of_month_effect) {
            (Some(f), _) => {
                let notable: Vec<String> = f
                    .iter()
                    .enumerate()
                    .filter(|(_, x)| (*x - 1.0).abs() >= 0.05)
                    .map(|(d, x)| format!("{}: {:+.0} %", d + 1, (x - 1.0) * 100.0))
                    .collect();
                println!("  day-of-month effects used: {}", notable.join(", "));
            }
            (None, Some(e)) if e < 0.05 => println!(
                "  day-of-month effects at most {:.1} %: too small to try (from 5 %)",
                e * 100.0
            ),
            (None, Some(e)) => println!(
                "  day-of-month effects up to {:.0} % tried; the forecast is better without them",
                e * 100.0
            ),
            (None, None) => {}
        }
        if let (Some(a), Some(p)) = (q.peak_agents, q.peak_positions) {
            println!("  staffing: at most {a} agents, {p} positions in one interval");
        }
        if let (Some(w), Some(b)) = (q.wape, q.bias) {
            println!(
                "  backtest ({} weekly origins): WAPE {}, bias {:+.1} %",
                q.backtest_origins,
                super::percent(Some(w)),
                b * 100.0,
            );
        }
        if let (Some(w), Some(b)) = (q.auto_wape, q.auto_bias) {
            println!(
                "  auto replayed honestly on the last {} week(s), each chosen on the weeks before it: WAPE {}, bias {:+.1} %",
                q.checked_origins,
                super::percent(Some(w)),
                b * 100.0,
            );
        }
        if q.coverage80.is_some() {
            println!(
                "  bands out of sample on the last {} week(s), fitted on earlier weeks: 80 % covered {}, 95 % covered {}",
                q.checked_origins,
                super::percent(q.coverage80),
                super::percent(q.coverage95)
            );
        }
        if q.backtest.len() > 1 {
            let all: Vec<String> = q
                .backtest
                .iter()
                .map(|m| format!("{} {}", m.method, super::percent(Some(m.wape))))
                .collect();
            println!("  candidates' WAPE: {}", all.join(", "));
        }
    }
    let days = report
        .daily_peaks
        .iter()
        .map(|p| p.date.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    if days > 31 {
        println!("\nthe staffing peaks of all {days} days are in --format json (daily_peaks)");
    } else if days > 0 {
        println!();
        print_daily_peaks(report);
    }
    match output {
        Some(p) => println!("\n{} rows written to {}", report.rows.len(), p.display()),
        None => println!(
            "\n{} rows: add --output FILE.csv (or --format csv) for the intervals",
            report.rows.len()
        ),
    }
}
