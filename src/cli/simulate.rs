//! `callboard simulate`: a seeded synthetic centre written as the seven canonical tables.

use crate::simulate::tables::{FileSink, OutFormat, QueueLogSink, ThreadedSink};
use anyhow::{Result, bail};
use callboard_core::schema::Table;
use callboard_core::simulate::{SimConfig, run as simulate};
use callboard_core::time::parse_date;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Flags of `callboard simulate`.
///
/// The same flags and seed always give the same files, byte for byte. The centre has
/// time-varying arrivals (busy Monday mornings, quiet nights and weekends), callers who
/// hang up, misdials, blocked calls, IVR-only calls, transfers and repeat callers;
/// agents work 9-hour shifts with breaks and lunch, start late, are sometimes absent,
/// and some leave. QA scores, daily costs and tickets (repairs and complaints with
/// deadlines sometimes missed) come with it.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  callboard simulate --out /tmp/centre --days 7 --seed 1\n  callboard ingest /tmp/centre/*.csv"
)]
pub struct Args {
    /// Directory to write calls.csv, agent_states.csv, schedules.csv, agents.csv,
    /// qa_evaluations.csv, costs.csv and tickets.csv into (created if missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Days to simulate.
    #[arg(long, default_value_t = 28, value_parser = clap::value_parser!(u32).range(1..=3660))]
    days: u32,
    /// First day (YYYY-MM-DD, UTC).
    #[arg(long, default_value = "2026-03-02")]
    start: String,
    /// Number of queues (1–6): sales, support, repairs, billing, complaints, general.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=6))]
    queues: u32,
    /// Agents on the headcount at the start (leavers are replaced).
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    agents: u32,
    /// Mean calls per day [default: what the agents can answer at about 80 % occupancy].
    #[arg(long, value_name = "N")]
    calls_per_day: Option<f64>,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output format: the seven tables as CSV or Parquet, or one raw Asterisk
    /// queue_log file.
    #[arg(long, value_enum, default_value_t = OutFormat::Csv)]
    format: OutFormat,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let Some(start_day) = parse_date(&args.start).filter(|_| args.start.len() == 10) else {
        bail!(
            "--start {:?} is not a date; use YYYY-MM-DD, e.g. 2026-03-02",
            args.start
        );
    };
    if let Some(c) = args.calls_per_day
        && !(c.is_finite() && (0.0..=1e8).contains(&c))
    {
        bail!("--calls-per-day {c} must be a number from 0 to 100000000");
    }
    let cfg = SimConfig::realistic(
        start_day,
        args.days,
        args.queues as usize,
        args.agents,
        args.calls_per_day,
        args.seed,
    );
    let names = cfg.queues.iter().map(|q| q.name.clone()).collect();
    let began = Instant::now();
    if args.format == OutFormat::QueueLog {
        let mut sink = QueueLogSink::new(&args.out, names)?;
        simulate(&cfg, &mut sink);
        let (path, lines, calls) = sink.finish()?;
        println!(
            "simulated {} days, {} queues, {} agents (seed {}) in {:.2} s: {calls} queued or blocked calls, {lines} queue_log lines in {}",
            args.days,
            cfg.queues.len(),
            args.agents,
            args.seed,
            began.elapsed().as_secs_f64(),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut sink = ThreadedSink::new(FileSink::create(&args.out, args.format, names)?);
    simulate(&cfg, &mut sink);
    let sink = sink.finish()?;
    let counts = sink.counts();
    let paths: Vec<PathBuf> = sink.paths().to_vec();
    sink.finish()?;
    let secs = began.elapsed().as_secs_f64();
    println!(
        "simulated {} days, {} queues, {} agents, about {:.0} calls a day (seed {}) in {secs:.2} s",
        args.days,
        cfg.queues.len(),
        args.agents,
        cfg.calls_per_day,
        args.seed
    );
    for ((t, n), p) in Table::ALL.iter().zip(counts).zip(paths) {
        println!("  {:<15} {:>10} rows  {}", t.name(), n, p.display());
    }
    Ok(ExitCode::SUCCESS)
}
