//! `callboard staff`: agents (or lines) needed for one interval, or for every row of
//! a file of intervals.

use anyhow::{Context, Result, bail};
use callboard_core::erlang::{Metrics, Model, Staffing, StaffingRequest, Targets, Traffic};
use callboard_core::time::{TimeZoneSpec, parse_timestamp};
use polars::prelude::{
    Column, CsvReadOptions, CsvWriter, DataFrame, DataType, IntoColumn, NamedFrom, ParquetReader,
    ParquetWriter, SerReader, SerWriter, Series,
};
use serde::Serialize;
use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Queueing model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelArg {
    /// Callers wait as long as it takes (the classic calculator).
    ErlangC,
    /// Callers hang up after an exponential patience (--patience); fewer agents
    /// than the load can suffice.
    ErlangA,
    /// Lines/trunks for a blocking target (--max-blocking).
    ErlangB,
}

/// Output format for one interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A table with the trade-off around the answer.
    Table,
    /// The JSON of docs/cli.md.
    Json,
}

/// Flags of `callboard staff`.
///
/// How many agents an interval needs to meet its targets, by Erlang C (callers wait),
/// Erlang A (callers hang up) or Erlang B (lines for a blocking target). The answer is
/// the fewest agents meeting every target given, computed exactly (no float rounding
/// of 119.00000000000001 to 120); positions = agents ÷ (1 − shrinkage), rounded up.
#[derive(Debug, clap::Args)]
#[command(
    allow_negative_numbers = true,
    after_help = "Examples:
  callboard staff --calls 100 --aht 180 --interval-minutes 30 --sl-target 0.8 --sl-seconds 20
  callboard staff --calls 100 --aht 180 --model erlang-a --patience 300 --max-abandon 0.05
  callboard staff --calls 100 --aht 180 --model erlang-b --max-blocking 0.01
  callboard staff --input forecast.csv --output staffing.csv --shrinkage 0.3

A file has the columns interval_start, calls, aht_s and optionally queue, sl_target,
sl_seconds, patience_s, shrinkage, max_occupancy; flags give the values of the columns
a file lacks. The interval length is read from the spacing of interval_start unless
--interval-minutes is given."
)]
pub struct Args {
    /// Calls offered in the interval.
    #[arg(long, value_name = "N", required_unless_present = "input")]
    calls: Option<f64>,
    /// Average handle time (talk + hold + after-call work), seconds.
    #[arg(long, value_name = "S", required_unless_present = "input")]
    aht: Option<f64>,
    /// Interval length, minutes [default: 30, or the spacing of the file's intervals].
    #[arg(long, value_name = "M")]
    interval_minutes: Option<f64>,
    /// Fraction of calls to answer within --sl-seconds (0.8 = 80 %).
    #[arg(long, default_value_t = 0.8, value_name = "F")]
    sl_target: f64,
    /// Service-level threshold, seconds.
    #[arg(long, default_value_t = 20.0, value_name = "S")]
    sl_seconds: f64,
    /// Queueing model.
    #[arg(long, value_enum, default_value_t = ModelArg::ErlangC)]
    model: ModelArg,
    /// Callers' mean patience before hanging up, seconds (Erlang A).
    #[arg(long, value_name = "S")]
    patience: Option<f64>,
    /// Cap on the abandon rate (Erlang A), e.g. 0.05.
    #[arg(long, value_name = "F")]
    max_abandon: Option<f64>,
    /// Cap on the average speed of answer, seconds.
    #[arg(long, value_name = "S")]
    max_asa: Option<f64>,
    /// Blocking target for Erlang B, e.g. 0.01 (1 % of calls hear busy).
    #[arg(long, value_name = "F")]
    max_blocking: Option<f64>,
    /// Share of paid time not on the phones (breaks, training, absence), e.g. 0.3.
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    shrinkage: f64,
    /// Cap on occupancy, e.g. 0.85.
    #[arg(long, value_name = "F")]
    max_occupancy: Option<f64>,
    /// Output format for one interval.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also report the fractional agents (continuous Erlang B/C) that meet the target
    /// exactly, for adding up several queues before rounding once.
    #[arg(long)]
    fractional: bool,
    /// A CSV or Parquet file of intervals (see below).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["calls", "aht"])]
    input: Option<PathBuf>,
    /// Where to write the staffed intervals (.csv or .parquet) [default: CSV on stdout].
    #[arg(long, value_name = "FILE", requires = "input")]
    output: Option<PathBuf>,
}

impl Args {
    fn model(&self, patience: Option<f64>) -> Result<Model> {
        Ok(match self.model {
            ModelArg::ErlangC => Model::ErlangC,
            ModelArg::ErlangB => Model::ErlangB,
            ModelArg::ErlangA => match patience {
                Some(p) => Model::ErlangA { patience_s: p },
                None => bail!(
                    "Erlang A needs the callers' mean patience: add --patience SECONDS (or a patience_s column)"
                ),
            },
        })
    }

    fn targets(&self, sl_target: f64, sl_seconds: f64, max_occupancy: Option<f64>) -> Targets {
        Targets {
            service_level: if self.model == ModelArg::ErlangB {
                None
            } else {
                Some(sl_target)
            },
            sl_seconds,
            max_asa_s: self.max_asa,
            max_abandon: self.max_abandon,
            max_occupancy,
            max_blocking: self.max_blocking,
        }
    }
}

/// The JSON of one interval (docs/cli.md).
#[derive(Debug, Serialize)]
struct Answer {
    model: &'static str,
    traffic_erlangs: f64,
    agents: u64,
    service_level: Option<f64>,
    probability_of_waiting: Option<f64>,
    asa_s: Option<f64>,
    occupancy: f64,
    abandon_rate: Option<f64>,
    wait_all_s: Option<f64>,
    blocking: Option<f64>,
    positions: u64,
    binding: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fractional_agents: Option<f64>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(input) = args.input.clone() {
        return run_file(&args, &input);
    }
    let (calls, aht) = (
        args.calls.expect("clap requires --calls"),
        args.aht.expect("clap requires --aht"),
    );
    let interval = args.interval_minutes.unwrap_or(30.0);
    let traffic = Traffic::new(calls, aht, interval).map_err(|e| anyhow::anyhow!("{e}"))?;
    let model = args.model(args.patience)?;
    let targets = args.targets(args.sl_target, args.sl_seconds, args.max_occupancy);
    let req = StaffingRequest::new(traffic, model, targets, args.shrinkage)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let s = req.solve();
    match args.format {
        Format::Json => {
            let mut out = answer(&req, &s);
            if args.fractional {
                out.fractional_agents = req.solve_fractional();
            }
            println!("{}", serde_json::to_string_pretty(&out)?)
        }
        Format::Table => {
            print_table(&req, &s, &args);
            if args.fractional {
                match req.solve_fractional() {
                    Some(x) => println!("fractional agents meeting the target exactly: {x:.4}"),
                    None => println!("fractional agents: not available for Erlang A"),
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn answer(req: &StaffingRequest, s: &Staffing) -> Answer {
    let m = &s.metrics;
    Answer {
        model: req.model().name(),
        traffic_erlangs: req.traffic().erlangs(),
        agents: m.agents,
        service_level: m.service_level,
        probability_of_waiting: m.probability_of_waiting,
        asa_s: m.asa_s,
        occupancy: m.occupancy,
        abandon_rate: m.abandon_rate,
        wait_all_s: m.wait_all_s,
        blocking: m.blocking,
        positions: s.positions,
        binding: s.binding.as_str(),
        fractional_agents: None,
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{:.1} %", v * 100.0))
}

fn secs(x: Option<f64>) -> String {
    x.map_or("∞".into(), |v| format!("{v:.1} s"))
}

fn print_table(req: &StaffingRequest, s: &Staffing, args: &Args) {
    let t = req.traffic();
    let what = if req.model() == Model::ErlangB {
        "lines"
    } else {
        "agents"
    };
    println!(
        "{}: {} calls in {} min, AHT {} s → {:.3} Erlangs",
        req.model().name(),
        t.calls(),
        t.interval_s() / 60.0,
        t.aht_s(),
        t.erlangs()
    );
    let tg = req.targets();
    let mut goals = Vec::new();
    if let Some(sl) = tg.service_level {
        goals.push(format!(
            "{:.1} % answered within {} s",
            sl * 100.0,
            tg.sl_seconds
        ));
    }
    if let Some(x) = tg.max_asa_s {
        goals.push(format!("ASA ≤ {x} s"));
    }
    if let Some(x) = tg.max_abandon {
        goals.push(format!("abandon ≤ {:.1} %", x * 100.0));
    }
    if let Some(x) = tg.max_occupancy {
        goals.push(format!("occupancy ≤ {:.1} %", x * 100.0));
    }
    if let Some(x) = tg.max_blocking {
        goals.push(format!("blocking ≤ {:.2} %", x * 100.0));
    }
    println!("targets: {}", goals.join(", "));
    let n = s.metrics.agents;
    let rows: Vec<Metrics> = (n.saturating_sub(1)..=n + 1)
        .map(|k| req.evaluate(k))
        .collect();
    if req.model() == Model::ErlangB {
        println!("\n  {what:>7}  blocking  occupancy");
        for m in &rows {
            let mark = if m.agents == n { "▶" } else { " " };
            println!(
                "{mark} {:>7}  {:>8}  {:>9}",
                m.agents,
                m.blocking
                    .map_or("–".into(), |b| format!("{:.2} %", b * 100.0)),
                pct(Some(m.occupancy))
            );
        }
    } else {
        let abandon = matches!(req.model(), Model::ErlangA { .. });
        println!(
            "\n  {what:>7}  {:>13}  {:>8}  {:>9}  {:>9}{}",
            "service level",
            "P(wait)",
            "ASA",
            "occupancy",
            if abandon { "  abandoned" } else { "" }
        );
        for m in &rows {
            let mark = if m.agents == n { "▶" } else { " " };
            println!(
                "{mark} {:>7}  {:>13}  {:>8}  {:>9}  {:>9}{}",
                m.agents,
                pct(m.service_level),
                pct(m.probability_of_waiting),
                secs(m.asa_s),
                pct(Some(m.occupancy)),
                if abandon {
                    format!("  {:>9}", pct(m.abandon_rate))
                } else {
                    String::new()
                }
            );
        }
    }
    println!(
        "\n{n} {what} needed (binding target: {}); {} positions to schedule at {:.0} % shrinkage",
        s.binding.as_str().replace('_', " "),
        s.positions,
        args.shrinkage * 100.0
    );
}

/// One input column read as numbers (None where empty or not a number).
fn numbers(df: &DataFrame, name: &str) -> Result<Option<Vec<Option<f64>>>> {
    let Ok(col) = df.column(name) else {
        return Ok(None);
    };
    let s = col.as_materialized_series();
    let values: Vec<Option<f64>> = match s.dtype() {
        DataType::String => s
            .str()?
            .iter()
            .map(|v| v.and_then(|t| t.trim().parse::<f64>().ok()))
            .collect(),
        _ => s.cast(&DataType::Float64)?.f64()?.iter().collect(),
    };
    Ok(Some(values))
}

fn texts(df: &DataFrame, name: &str) -> Result<Option<Vec<Option<String>>>> {
    let Ok(col) = df.column(name) else {
        return Ok(None);
    };
    let s = col.as_materialized_series().cast(&DataType::String)?;
    Ok(Some(
        s.str()?.iter().map(|v| v.map(str::to_owned)).collect(),
    ))
}

/// The most common spacing between consecutive interval starts of a queue, minutes.
fn infer_interval_minutes(
    starts: &[Option<i64>],
    queues: Option<&Vec<Option<String>>>,
) -> Option<f64> {
    let mut last: HashMap<Option<&str>, i64> = HashMap::new();
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for (i, s) in starts.iter().enumerate() {
        let Some(t) = s else { continue };
        let q = queues.and_then(|q| q[i].as_deref());
        if let Some(prev) = last.insert(q, *t) {
            let d = t - prev;
            if d > 0 {
                *counts.entry(d).or_default() += 1;
            }
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(d, n)| (n, -d))
        .map(|(d, _)| d as f64 / 60_000.0)
}

fn run_file(args: &Args, input: &Path) -> Result<ExitCode> {
    let shown = input.display();
    let is_parquet = {
        let mut magic = [0u8; 4];
        let mut f = File::open(input).with_context(|| format!("{shown}: cannot open the file"))?;
        std::io::Read::read(&mut f, &mut magic).ok();
        &magic == b"PAR1"
    };
    let df = if is_parquet {
        ParquetReader::new(File::open(input).with_context(|| format!("{shown}: cannot open"))?)
            .finish()
            .map_err(anyhow::Error::from)
            .with_context(|| format!("{shown}: not a readable Parquet file"))?
    } else {
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .try_into_reader_with_file_path(Some(input.to_path_buf()))
            .map_err(anyhow::Error::from)
            .with_context(|| format!("{shown}: cannot open"))?
            .finish()
            .map_err(anyhow::Error::from)
            .with_context(|| format!("{shown}: not a readable CSV file"))?
    };
    for required in ["interval_start", "calls", "aht_s"] {
        if df.column(required).is_err() {
            bail!(
                "{shown}: missing required column `{required}`; a staffing file needs interval_start, calls, aht_s"
            );
        }
    }
    let height = df.height();
    let calls = numbers(&df, "calls")?.expect("checked above");
    let aht = numbers(&df, "aht_s")?.expect("checked above");
    let sl_target = numbers(&df, "sl_target")?;
    let sl_seconds = numbers(&df, "sl_seconds")?;
    let patience = numbers(&df, "patience_s")?;
    let shrinkage = numbers(&df, "shrinkage")?;
    let max_occupancy = numbers(&df, "max_occupancy")?;
    let queues = texts(&df, "queue")?;
    let start_text = texts(&df, "interval_start")?.expect("checked above");
    let starts: Vec<Option<i64>> = start_text
        .iter()
        .map(|s| {
            s.as_deref()
                .and_then(|t| parse_timestamp(t.trim(), &TimeZoneSpec::Utc).ok())
        })
        .collect();
    let interval = args
        .interval_minutes
        .or_else(|| infer_interval_minutes(&starts, queues.as_ref()))
        .unwrap_or(30.0);
    let pick = |col: &Option<Vec<Option<f64>>>, i: usize, default: Option<f64>| {
        col.as_ref().and_then(|c| c[i]).or(default)
    };

    let mut keep = Vec::with_capacity(height);
    let mut requests: Vec<StaffingRequest> = Vec::with_capacity(height);
    let mut erlangs = Vec::with_capacity(height);
    let mut rejects: Vec<(usize, String)> = Vec::new();
    for i in 0..height {
        // Line numbers of a CSV: the header is line 1 (Parquet: row i + 1).
        let line = if is_parquet { i + 1 } else { i + 2 };
        let row = || -> Result<StaffingRequest, String> {
            if starts[i].is_none() {
                return Err(format!(
                    "interval_start: {:?} is not a timestamp",
                    start_text[i].as_deref().unwrap_or("")
                ));
            }
            let c = calls[i].ok_or("calls: missing or not a number")?;
            let h = aht[i].ok_or("aht_s: missing or not a number")?;
            let traffic = Traffic::new(c, h, interval).map_err(|e| e.to_string())?;
            let p = pick(&patience, i, args.patience);
            let model = args.model(p).map_err(|e| e.to_string())?;
            let targets = args.targets(
                pick(&sl_target, i, Some(args.sl_target)).unwrap_or(args.sl_target),
                pick(&sl_seconds, i, Some(args.sl_seconds)).unwrap_or(args.sl_seconds),
                pick(&max_occupancy, i, args.max_occupancy),
            );
            let shrink = pick(&shrinkage, i, Some(args.shrinkage)).unwrap_or(args.shrinkage);
            StaffingRequest::new(traffic, model, targets, shrink).map_err(|e| e.to_string())
        };
        match row() {
            Ok(req) => {
                keep.push(i as u32);
                erlangs.push(req.traffic().erlangs());
                requests.push(req);
            }
            Err(reason) => rejects.push((line, reason)),
        }
    }

    let out: Vec<Staffing> = StaffingRequest::solve_many(&requests);
    let idx = polars::prelude::IdxCa::from_vec(
        "idx".into(),
        keep.iter()
            .map(|&i| i as polars::prelude::IdxSize)
            .collect(),
    );
    let mut result = df.take(&idx).map_err(anyhow::Error::from)?;
    let m = |f: &dyn Fn(&Staffing) -> Option<f64>| out.iter().map(f).collect::<Vec<Option<f64>>>();
    let new_columns: Vec<Column> = vec![
        Series::new("traffic_erlangs".into(), erlangs).into_column(),
        Series::new(
            "agents".into(),
            out.iter().map(|s| s.metrics.agents).collect::<Vec<u64>>(),
        )
        .into_column(),
        Series::new(
            "positions".into(),
            out.iter().map(|s| s.positions).collect::<Vec<u64>>(),
        )
        .into_column(),
        Series::new("service_level".into(), m(&|s| s.metrics.service_level)).into_column(),
        Series::new("asa_s".into(), m(&|s| s.metrics.asa_s)).into_column(),
        Series::new(
            "probability_of_waiting".into(),
            m(&|s| s.metrics.probability_of_waiting),
        )
        .into_column(),
        Series::new("occupancy".into(), m(&|s| Some(s.metrics.occupancy))).into_column(),
        Series::new("abandon_rate".into(), m(&|s| s.metrics.abandon_rate)).into_column(),
        Series::new("blocking".into(), m(&|s| s.metrics.blocking)).into_column(),
    ];
    for c in new_columns {
        if result.column(c.name()).is_ok() {
            result
                .drop_in_place(c.name())
                .map_err(anyhow::Error::from)?;
        }
        result.with_column(c).map_err(anyhow::Error::from)?;
    }
    match &args.output {
        Some(path)
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet")) =>
        {
            let f =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            ParquetWriter::new(f)
                .finish(&mut result)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Some(path) => {
            let mut f =
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            CsvWriter::new(&mut f)
                .finish(&mut result)
                .map_err(anyhow::Error::from)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            CsvWriter::new(&mut lock)
                .finish(&mut result)
                .map_err(anyhow::Error::from)
                .context("cannot write to stdout")?;
        }
    }
    eprintln!(
        "{shown}: {height} intervals ({} min each): {} staffed, {} rejected",
        interval,
        out.len(),
        rejects.len()
    );
    if !rejects.is_empty() {
        for (line, why) in rejects.iter().take(10) {
            eprintln!("  line {line}: {why}");
        }
        if rejects.len() > 10 {
            eprintln!("  … and {} more", rejects.len() - 10);
        }
        if let Some(path) = &args.output {
            let rpath = path.with_extension("rejects.csv");
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["line", "reason"])?;
            for (line, why) in &rejects {
                w.write_record([line.to_string().as_str(), why.as_str()])?;
            }
            let mut f = File::create(&rpath)
                .with_context(|| format!("cannot create {}", rpath.display()))?;
            f.write_all(&w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
            eprintln!("  rejected rows with reasons: {}", rpath.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
