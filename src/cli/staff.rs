//! `callboard staff`: agents (or lines) needed for one interval, or for every row of
//! a file of intervals.

use anyhow::{Context, Result, bail};
use callboard_core::erlang::{Metrics, Model, Staffing, StaffingRequest, Targets, Traffic};
use callboard_core::time::{TimeZoneSpec, parse_timestamp};
use polars::prelude::{
    Column, DataFrame, DataType, IntoColumn, NamedFrom, ParquetReader, ParquetWriter, SerReader,
    Series,
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

/// The input columns staffing reads, one value per row.
#[derive(Default)]
struct Inputs {
    starts: Vec<Option<i64>>,
    calls: Vec<Option<f64>>,
    aht: Vec<Option<f64>>,
    sl_target: Option<Vec<Option<f64>>>,
    sl_seconds: Option<Vec<Option<f64>>>,
    patience: Option<Vec<Option<f64>>>,
    shrinkage: Option<Vec<Option<f64>>>,
    max_occupancy: Option<Vec<Option<f64>>>,
    /// Queue of each row as a small number (for the interval-length guess).
    queue: Option<Vec<u32>>,
}

/// Where the rows came from, for writing them back out.
enum Source {
    /// A CSV file in memory, with each data row's byte span (newline excluded).
    Csv {
        bytes: Vec<u8>,
        spans: Vec<(usize, usize)>,
    },
    /// A Parquet file.
    Parquet(DataFrame),
}

/// A file of intervals: header, parsed inputs, and the source rows.
struct Intervals {
    header: Vec<String>,
    inputs: Inputs,
    source: Source,
    /// Line (CSV, header = 1) or row (Parquet) of data row 0.
    first_line: usize,
}

const NUMERIC: [&str; 7] = [
    "calls",
    "aht_s",
    "sl_target",
    "sl_seconds",
    "patience_s",
    "shrinkage",
    "max_occupancy",
];

fn parse_number(field: &[u8]) -> Option<f64> {
    let t = std::str::from_utf8(field).ok()?.trim();
    if t.is_empty() { None } else { t.parse().ok() }
}

fn parse_start(field: &[u8]) -> Option<i64> {
    parse_timestamp(std::str::from_utf8(field).ok()?.trim(), &TimeZoneSpec::Utc).ok()
}

/// Reads a CSV file (in one pass over its bytes, keeping each row's original text)
/// or a Parquet file (with polars).
fn read_intervals(input: &Path) -> Result<Intervals> {
    let shown = input.display();
    let bytes = std::fs::read(input).with_context(|| format!("{shown}: cannot read the file"))?;
    if bytes.starts_with(b"PAR1") {
        return read_parquet_intervals(input);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bytes.as_slice());
    let header: Vec<String> = rdr
        .headers()
        .with_context(|| format!("{shown}:1: cannot read the header row"))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    let data_start = rdr.position().byte() as usize;
    let cols = ColumnsOf::new(&header);
    // Two halves on two threads when a newline is a safe cut (no quoted fields).
    let halves: Vec<(usize, usize)> = match bytes[data_start..].iter().position(|&b| b == b'"') {
        None if bytes.len() - data_start > 1 << 16 => {
            let mid = data_start + (bytes.len() - data_start) / 2;
            let cut = bytes[mid..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |p| mid + p + 1);
            vec![(data_start, cut), (cut, bytes.len())]
        }
        _ => vec![(data_start, bytes.len())],
    };
    let parts: Vec<Result<ParsedRegion>> = std::thread::scope(|scope| {
        let handles: Vec<_> = halves
            .iter()
            .map(|&(a, b)| {
                let (bytes, cols) = (&bytes, &cols);
                scope.spawn(move || parse_csv_region(bytes, a, b, cols))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("parsing threads do not panic"))
            .collect()
    });
    let mut inputs = Inputs::default();
    let mut spans = Vec::new();
    for part in parts {
        let (i, sp) = part.map_err(|e| anyhow::anyhow!("{shown}: {e:#}"))?;
        inputs.append(i);
        spans.extend(sp);
    }
    Ok(Intervals {
        header,
        inputs,
        source: Source::Csv { bytes, spans },
        first_line: 2,
    })
}

/// A parsed stretch of CSV rows: their inputs and byte spans.
type ParsedRegion = (Inputs, Vec<(usize, usize)>);

/// Where the columns staffing reads are in a CSV header.
struct ColumnsOf {
    numeric: Vec<Option<usize>>,
    start: Option<usize>,
    queue: Option<usize>,
}

impl ColumnsOf {
    fn new(header: &[String]) -> Self {
        let col = |n: &str| header.iter().position(|h| h == n);
        ColumnsOf {
            numeric: NUMERIC.iter().map(|n| col(n)).collect(),
            start: col("interval_start"),
            queue: col("queue"),
        }
    }
}

impl Inputs {
    fn append(&mut self, other: Inputs) {
        fn join<T>(a: &mut Option<Vec<T>>, b: Option<Vec<T>>) {
            match (a.as_mut(), b) {
                (Some(x), Some(y)) => x.extend(y),
                (None, Some(y)) => *a = Some(y),
                _ => {}
            }
        }
        self.starts.extend(other.starts);
        self.calls.extend(other.calls);
        self.aht.extend(other.aht);
        join(&mut self.sl_target, other.sl_target);
        join(&mut self.sl_seconds, other.sl_seconds);
        join(&mut self.patience, other.patience);
        join(&mut self.shrinkage, other.shrinkage);
        join(&mut self.max_occupancy, other.max_occupancy);
        join(&mut self.queue, other.queue);
    }
}

/// Parses the CSV rows in `bytes[from..to]` (whole lines, no header).
fn parse_csv_region(
    bytes: &[u8],
    from: usize,
    to: usize,
    cols: &ColumnsOf,
) -> Result<(Inputs, Vec<(usize, usize)>)> {
    let region = &bytes[from..to];
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(region);
    let mut columns: Vec<Vec<Option<f64>>> = vec![Vec::new(); NUMERIC.len()];
    let mut starts = Vec::new();
    let mut queue = cols.queue.map(|_| Vec::new());
    // Queue names as hashes: the same name gets the same number in both halves.
    let mut spans = Vec::new();
    let mut rec = csv::ByteRecord::new();
    loop {
        let begin = rdr.position().byte() as usize;
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => bail!("not readable as CSV ({e})"),
        }
        let mut end = rdr.position().byte() as usize;
        while end > begin && matches!(region[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        spans.push((from + begin, from + end));
        starts.push(cols.start.and_then(|c| rec.get(c)).and_then(parse_start));
        for (j, c) in cols.numeric.iter().enumerate() {
            if let Some(c) = c {
                columns[j].push(rec.get(*c).and_then(parse_number));
            }
        }
        if let (Some(q), Some(c)) = (&mut queue, cols.queue) {
            let name = rec.get(c).unwrap_or(b"");
            q.push(xxhash_rust::xxh3::xxh3_64(name) as u32);
        }
    }
    let mut take = |j: usize| cols.numeric[j].map(|_| std::mem::take(&mut columns[j]));
    let inputs = Inputs {
        calls: take(0).unwrap_or_default(),
        aht: take(1).unwrap_or_default(),
        sl_target: take(2),
        sl_seconds: take(3),
        patience: take(4),
        shrinkage: take(5),
        max_occupancy: take(6),
        starts,
        queue,
    };
    Ok((inputs, spans))
}

fn read_parquet_intervals(input: &Path) -> Result<Intervals> {
    let shown = input.display();
    let df =
        ParquetReader::new(File::open(input).with_context(|| format!("{shown}: cannot open"))?)
            .finish()
            .map_err(anyhow::Error::from)
            .with_context(|| format!("{shown}: not a readable Parquet file"))?;
    let header: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let numbers = |name: &str| -> Result<Option<Vec<Option<f64>>>> {
        let Ok(c) = df.column(name) else {
            return Ok(None);
        };
        let s = c.as_materialized_series();
        Ok(Some(match s.dtype() {
            DataType::String => s
                .str()?
                .iter()
                .map(|v| v.and_then(|t| parse_number(t.as_bytes())))
                .collect(),
            _ => s.cast(&DataType::Float64)?.f64()?.iter().collect(),
        }))
    };
    let starts = match df.column("interval_start") {
        Ok(c) => {
            let s = c
                .as_materialized_series()
                .cast(&DataType::String)
                .map_err(anyhow::Error::from)?;
            s.str()?
                .iter()
                .map(|v| v.and_then(|t| parse_start(t.as_bytes())))
                .collect()
        }
        Err(_) => Vec::new(),
    };
    let queue = match df.column("queue") {
        Ok(c) => {
            let s = c
                .as_materialized_series()
                .cast(&DataType::String)
                .map_err(anyhow::Error::from)?;
            let mut ids: HashMap<String, u32> = HashMap::new();
            Some(
                s.str()?
                    .iter()
                    .map(|v| {
                        let next = ids.len() as u32;
                        *ids.entry(v.unwrap_or("").to_owned()).or_insert(next)
                    })
                    .collect(),
            )
        }
        Err(_) => None,
    };
    let inputs = Inputs {
        starts,
        calls: numbers("calls")?.unwrap_or_default(),
        aht: numbers("aht_s")?.unwrap_or_default(),
        sl_target: numbers("sl_target")?,
        sl_seconds: numbers("sl_seconds")?,
        patience: numbers("patience_s")?,
        shrinkage: numbers("shrinkage")?,
        max_occupancy: numbers("max_occupancy")?,
        queue,
    };
    Ok(Intervals {
        header,
        inputs,
        source: Source::Parquet(df),
        first_line: 1,
    })
}

/// The most common spacing between consecutive interval starts of a queue, minutes.
fn infer_interval_minutes(starts: &[Option<i64>], queues: Option<&Vec<u32>>) -> Option<f64> {
    let mut last: HashMap<u32, i64> = HashMap::new();
    let mut counts: HashMap<i64, usize> = HashMap::new();
    for (i, s) in starts.iter().enumerate() {
        let Some(t) = s else { continue };
        let q = queues.map_or(0, |q| q[i]);
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
    let t0 = std::time::Instant::now();
    let timings = std::env::var_os("CALLBOARD_TIMINGS").is_some();
    let lap = |what: &str| {
        if timings {
            eprintln!("  {what}: {:.1} ms", t0.elapsed().as_secs_f64() * 1e3);
        }
    };
    let shown = input.display();
    let table = read_intervals(input)?;
    lap("read");
    for required in ["interval_start", "calls", "aht_s"] {
        if !table.header.iter().any(|h| h == required) {
            bail!(
                "{shown}: missing required column `{required}`; a staffing file needs interval_start, calls, aht_s"
            );
        }
    }
    let inp = &table.inputs;
    let rows = inp.calls.len();
    let interval = args
        .interval_minutes
        .or_else(|| infer_interval_minutes(&inp.starts, inp.queue.as_ref()))
        .unwrap_or(30.0);
    let to_parquet = args.output.as_ref().is_some_and(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
    });
    if table.header.iter().any(|h| ADDED.contains(&h.as_str())) {
        bail!(
            "{shown}: the file already has a column named like an output column ({}); rename it",
            ADDED.join(", ")
        );
    }
    // Rows in two halves, each staffed (and, for CSV output, formatted) on its own core.
    let halves: Vec<std::ops::Range<usize>> = if rows > 8192 {
        vec![0..rows / 2, rows / 2..rows]
    } else {
        std::iter::once(0..rows).collect()
    };
    let results: Vec<Half> = std::thread::scope(|scope| {
        let handles: Vec<_> = halves
            .iter()
            .cloned()
            .map(|range| {
                let table = &table;
                scope.spawn(move || staff_rows(args, table, interval, range, !to_parquet))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("staffing threads do not panic"))
            .collect()
    });
    lap("solved");
    let staffed: usize = results.iter().map(|h| h.staffed).sum();
    let rejects: Vec<(usize, String)> = results
        .iter()
        .flat_map(|h| h.rejects.iter().cloned())
        .collect();
    if to_parquet {
        let keep: Vec<usize> = results
            .iter()
            .flat_map(|h| h.keep.iter().copied())
            .collect();
        let values: Vec<[Option<f64>; 9]> = results
            .iter()
            .flat_map(|h| h.values.iter().copied())
            .collect();
        write_parquet(
            args.output.as_deref().expect("checked"),
            &table,
            &keep,
            &values,
        )?;
    } else {
        let mut sink: Box<dyn Write> = match &args.output {
            Some(path) => Box::new(
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
            ),
            None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
        };
        sink.write_all(&csv_header(&table.header)?)?;
        for h in &results {
            sink.write_all(&h.lines)?;
        }
        sink.flush().context("cannot write the output")?;
    }
    lap("written");
    eprintln!(
        "{shown}: {rows} intervals ({interval} min each): {staffed} staffed, {} rejected",
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
            let mut w = csv::Writer::from_path(&rpath)
                .with_context(|| format!("cannot create {}", rpath.display()))?;
            w.write_record(["line", "reason"])?;
            for (line, why) in &rejects {
                w.write_record([line.to_string().as_str(), why.as_str()])?;
            }
            w.flush()?;
            eprintln!("  rejected rows with reasons: {}", rpath.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What one thread made of its rows.
struct Half {
    keep: Vec<usize>,
    values: Vec<[Option<f64>; 9]>,
    lines: Vec<u8>,
    rejects: Vec<(usize, String)>,
    staffed: usize,
}

/// Validates, staffs and (for CSV output) formats the rows in `range`.
fn staff_rows(
    args: &Args,
    table: &Intervals,
    interval: f64,
    range: std::ops::Range<usize>,
    format_csv: bool,
) -> Half {
    let inp = &table.inputs;
    let get = |c: &Option<Vec<Option<f64>>>, i: usize| c.as_ref().and_then(|v| v[i]);
    let mut half = Half {
        keep: Vec::new(),
        values: Vec::new(),
        lines: Vec::new(),
        rejects: Vec::new(),
        staffed: 0,
    };
    let mut floats = ryu::Buffer::new();
    let parquet_text: Option<Vec<Series>> = match (&table.source, format_csv) {
        (Source::Parquet(df), true) => df
            .columns()
            .iter()
            .map(|c| c.as_materialized_series().cast(&DataType::String).ok())
            .collect(),
        _ => None,
    };
    let mut requests: Vec<StaffingRequest> = Vec::with_capacity(1024);
    let mut rows: Vec<usize> = Vec::with_capacity(1024);
    let flush = |requests: &mut Vec<StaffingRequest>,
                 rows: &mut Vec<usize>,
                 half: &mut Half,
                 floats: &mut ryu::Buffer| {
        for ((&i, req), s) in rows
            .iter()
            .zip(requests.iter())
            .zip(StaffingRequest::solve_many(requests))
        {
            let v = added_values(req, &s);
            half.staffed += 1;
            if !format_csv {
                half.keep.push(i);
                half.values.push(v);
                continue;
            }
            match (&table.source, &parquet_text) {
                (Source::Csv { bytes, spans }, _) => {
                    half.lines.extend_from_slice(&bytes[spans[i].0..spans[i].1])
                }
                (Source::Parquet(_), Some(cols)) => {
                    let fields: Vec<&str> = cols
                        .iter()
                        .map(|c| c.str().ok().and_then(|x| x.get(i)).unwrap_or(""))
                        .collect();
                    let mut w = csv::Writer::from_writer(&mut half.lines);
                    let _ = w.write_record(&fields);
                    let _ = w.flush();
                    drop(w);
                    half.lines.pop();
                }
                _ => {}
            }
            push_added(&mut half.lines, v, floats);
        }
        requests.clear();
        rows.clear();
    };
    for i in range {
        let request = || -> Result<StaffingRequest, String> {
            if inp.starts[i].is_none() {
                return Err("interval_start: missing or not a timestamp (use RFC 3339, e.g. 2026-03-02T08:00:00Z)".into());
            }
            let calls = inp.calls[i].ok_or("calls: missing or not a number")?;
            let aht = inp.aht[i].ok_or("aht_s: missing or not a number")?;
            let traffic = Traffic::new(calls, aht, interval).map_err(|e| e.to_string())?;
            let model = args
                .model(get(&inp.patience, i).or(args.patience))
                .map_err(|e| e.to_string())?;
            let targets = args.targets(
                get(&inp.sl_target, i).unwrap_or(args.sl_target),
                get(&inp.sl_seconds, i).unwrap_or(args.sl_seconds),
                get(&inp.max_occupancy, i).or(args.max_occupancy),
            );
            let shrink = get(&inp.shrinkage, i).unwrap_or(args.shrinkage);
            StaffingRequest::new(traffic, model, targets, shrink).map_err(|e| e.to_string())
        };
        match request() {
            Ok(req) => {
                requests.push(req);
                rows.push(i);
                if requests.len() == 1024 {
                    flush(&mut requests, &mut rows, &mut half, &mut floats);
                }
            }
            Err(reason) => half.rejects.push((table.first_line + i, reason)),
        }
    }
    flush(&mut requests, &mut rows, &mut half, &mut floats);
    half
}

/// The output header: the input's columns, then the added ones.
fn csv_header(header: &[String]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header.iter().map(String::as_str).chain(ADDED))?;
    w.into_inner()
        .map_err(|e| anyhow::anyhow!("cannot encode the header: {e}"))
}

/// The columns added to every staffed row, in order.
const ADDED: [&str; 9] = [
    "traffic_erlangs",
    "agents",
    "positions",
    "service_level",
    "asa_s",
    "probability_of_waiting",
    "occupancy",
    "abandon_rate",
    "blocking",
];

fn added_values(req: &StaffingRequest, s: &Staffing) -> [Option<f64>; 9] {
    let m = &s.metrics;
    [
        Some(req.traffic().erlangs()),
        Some(m.agents as f64),
        Some(s.positions as f64),
        m.service_level,
        m.asa_s,
        m.probability_of_waiting,
        Some(m.occupancy),
        m.abandon_rate,
        m.blocking,
    ]
}

/// Appends `,v1,v2,…` for the added columns to `line`.
fn push_added(line: &mut Vec<u8>, values: [Option<f64>; 9], floats: &mut ryu::Buffer) {
    for (j, v) in values.into_iter().enumerate() {
        line.push(b',');
        match v {
            None => {}
            Some(x) if j == 1 || j == 2 => {
                line.extend_from_slice((x as u64).to_string().as_bytes())
            }
            Some(x) => line.extend_from_slice(floats.format_finite(x).as_bytes()),
        }
    }
    line.push(b'\n');
}

/// Writes the kept rows with the added columns as Parquet.
fn write_parquet(
    path: &Path,
    table: &Intervals,
    keep: &[usize],
    values: &[[Option<f64>; 9]],
) -> Result<()> {
    let mut columns: Vec<Column> = match &table.source {
        Source::Parquet(df) => {
            let idx = polars::prelude::IdxCa::from_vec(
                "idx".into(),
                keep.iter()
                    .map(|&i| i as polars::prelude::IdxSize)
                    .collect(),
            );
            df.take(&idx)
                .map_err(anyhow::Error::from)?
                .columns()
                .to_vec()
        }
        Source::Csv { bytes, spans } => text_columns(&table.header, bytes, spans, keep)?,
    };
    for (j, name) in ADDED.iter().enumerate() {
        let series = if j == 1 || j == 2 {
            Series::new(
                (*name).into(),
                values
                    .iter()
                    .map(|v| v[j].map(|x| x as u64))
                    .collect::<Vec<Option<u64>>>(),
            )
        } else {
            Series::new(
                (*name).into(),
                values.iter().map(|v| v[j]).collect::<Vec<Option<f64>>>(),
            )
        };
        columns.push(series.into_column());
    }
    let mut df = DataFrame::new(keep.len(), columns).map_err(anyhow::Error::from)?;
    let f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    ParquetWriter::new(f)
        .finish(&mut df)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The kept CSV rows' fields as text columns (for Parquet output from CSV input).
fn text_columns(
    header: &[String],
    bytes: &[u8],
    spans: &[(usize, usize)],
    keep: &[usize],
) -> Result<Vec<Column>> {
    let mut cols: Vec<Vec<String>> = vec![Vec::with_capacity(keep.len()); header.len()];
    let mut rec = csv::StringRecord::new();
    for &i in keep {
        let (a, b) = spans[i];
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&bytes[a..b]);
        rdr.read_record(&mut rec)?;
        for (c, col) in cols.iter_mut().enumerate() {
            col.push(rec.get(c).unwrap_or("").to_owned());
        }
    }
    Ok(header
        .iter()
        .zip(cols)
        .map(|(h, v)| Series::new(h.as_str().into(), v).into_column())
        .collect())
}
