//! Staffing: the agents (or lines) an interval needs to meet its targets, by
//! Erlang C, Erlang A or Erlang B — for one interval, or for every row of a file of
//! intervals (CSV or Parquet), the rows written back with the answer added.

use super::{QueryError, Result};
use callboard_core::erlang::{Model, Staffing, StaffingRequest, Targets, Traffic};
use callboard_core::time::{TimeZoneSpec, parse_timestamp};
use polars::prelude::{
    Column, DataFrame, DataType, IntoColumn, NamedFrom, ParquetReader, ParquetWriter, SerReader,
    Series,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A reason in words, before the file it is about is named.
type Fallible<T> = std::result::Result<T, String>;

/// Queueing model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Callers wait as long as it takes (the classic calculator).
    #[default]
    ErlangC,
    /// Callers hang up after an exponential patience.
    ErlangA,
    /// Lines/trunks for a blocking target.
    ErlangB,
}

/// A staffing question: the interval's load and the targets. For a file of
/// intervals, the values of the columns a file lacks. `Default` holds every
/// default: 80 % within 20 s, Erlang C, no shrinkage, 30-minute intervals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StaffQuery {
    /// Calls offered in the interval.
    pub calls: f64,
    /// Average handle time (talk + hold + after-call work), seconds.
    pub aht_s: f64,
    /// Interval length, minutes (`None`: 30, or a file's spacing).
    pub interval_minutes: Option<f64>,
    /// Fraction of calls to answer within `sl_seconds`.
    pub sl_target: f64,
    /// Service-level threshold, seconds.
    pub sl_seconds: f64,
    /// Queueing model.
    pub model: ModelKind,
    /// Callers' mean patience, seconds (Erlang A).
    pub patience_s: Option<f64>,
    /// Cap on the abandon rate (Erlang A).
    pub max_abandon: Option<f64>,
    /// Cap on the average speed of answer, seconds.
    pub max_asa_s: Option<f64>,
    /// Blocking target (Erlang B).
    pub max_blocking: Option<f64>,
    /// Share of paid time not on the phones.
    pub shrinkage: f64,
    /// Cap on occupancy.
    pub max_occupancy: Option<f64>,
}

impl Default for StaffQuery {
    fn default() -> Self {
        StaffQuery {
            calls: 0.0,
            aht_s: 0.0,
            interval_minutes: None,
            sl_target: 0.8,
            sl_seconds: 20.0,
            model: ModelKind::ErlangC,
            patience_s: None,
            max_abandon: None,
            max_asa_s: None,
            max_blocking: None,
            shrinkage: 0.0,
            max_occupancy: None,
        }
    }
}

/// Interval length when neither the query nor a file's spacing gives one, minutes.
pub const DEFAULT_INTERVAL_MINUTES: f64 = 30.0;

impl StaffQuery {
    fn model_with(&self, patience: Option<f64>) -> Result<Model> {
        Ok(match self.model {
            ModelKind::ErlangC => Model::ErlangC,
            ModelKind::ErlangB => Model::ErlangB,
            ModelKind::ErlangA => match patience {
                Some(p) => Model::ErlangA { patience_s: p },
                None => return Err(QueryError::NoPatience),
            },
        })
    }

    fn targets_with(&self, sl_target: f64, sl_seconds: f64, max_occupancy: Option<f64>) -> Targets {
        Targets {
            service_level: if self.model == ModelKind::ErlangB {
                None
            } else {
                Some(sl_target)
            },
            sl_seconds,
            max_asa_s: self.max_asa_s,
            max_abandon: self.max_abandon,
            max_occupancy,
            max_blocking: self.max_blocking,
        }
    }

    /// The checked request of one interval.
    pub fn request(&self) -> Result<StaffingRequest> {
        let interval = self.interval_minutes.unwrap_or(DEFAULT_INTERVAL_MINUTES);
        let traffic = Traffic::new(self.calls, self.aht_s, interval)?;
        let model = self.model_with(self.patience_s)?;
        let targets = self.targets_with(self.sl_target, self.sl_seconds, self.max_occupancy);
        Ok(StaffingRequest::new(
            traffic,
            model,
            targets,
            self.shrinkage,
        )?)
    }
}

/// One interval's answer: the JSON of `docs/cli.md`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffAnswer {
    /// `erlang-c`, `erlang-a` or `erlang-b`.
    pub model: &'static str,
    /// Offered load, Erlangs.
    pub traffic_erlangs: f64,
    /// The fewest agents (lines) meeting every target.
    pub agents: u64,
    /// Service level at `agents`.
    pub service_level: Option<f64>,
    /// Probability of waiting.
    pub probability_of_waiting: Option<f64>,
    /// Mean wait of answered calls, s.
    pub asa_s: Option<f64>,
    /// Occupancy.
    pub occupancy: f64,
    /// Abandon rate (Erlang A).
    pub abandon_rate: Option<f64>,
    /// Mean wait of every caller, abandoners included (Erlang A), s.
    pub wait_all_s: Option<f64>,
    /// Blocking (Erlang B).
    pub blocking: Option<f64>,
    /// Positions to schedule.
    pub positions: u64,
    /// The target that decided the answer.
    pub binding: &'static str,
    /// Fractional agents meeting the target exactly (when asked; not for Erlang A).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fractional_agents: Option<f64>,
}

/// One interval answered: the request (for a table of the trade-off around the
/// answer), the solution and its JSON.
#[derive(Debug, Clone)]
pub struct StaffResult {
    /// The checked request.
    pub request: StaffingRequest,
    /// The solution.
    pub staffing: Staffing,
    /// The answer as JSON carries it.
    pub answer: StaffAnswer,
}

/// Staffs one interval; with `fractional`, also the continuous answer.
pub fn run(q: &StaffQuery, fractional: bool) -> Result<StaffResult> {
    let request = q.request()?;
    let staffing = request.solve();
    let m = &staffing.metrics;
    let answer = StaffAnswer {
        model: request.model().name(),
        traffic_erlangs: request.traffic().erlangs(),
        agents: m.agents,
        service_level: m.service_level,
        probability_of_waiting: m.probability_of_waiting,
        asa_s: m.asa_s,
        occupancy: m.occupancy,
        abandon_rate: m.abandon_rate,
        wait_all_s: m.wait_all_s,
        blocking: m.blocking,
        positions: staffing.positions,
        binding: staffing.binding.as_str(),
        fractional_agents: if fractional {
            request.solve_fractional()
        } else {
            None
        },
    };
    Ok(StaffResult {
        request,
        staffing,
        answer,
    })
}

/// Where a file's staffed rows go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// CSV: the input rows as they were, the answer's columns added.
    Csv,
    /// Parquet.
    Parquet,
}

/// A file of intervals staffed.
pub struct StaffedFile {
    table: Intervals,
    halves: Vec<Half>,
    /// Interval length used, minutes.
    pub interval_minutes: f64,
    /// Rows read.
    pub rows: usize,
    /// Rows staffed.
    pub staffed: usize,
    /// Rows refused: (line, reason).
    pub rejects: Vec<(usize, String)>,
}

/// Staffs every row of `input` (CSV or Parquet: `interval_start, calls, aht_s`,
/// optional per-row targets), the query giving the values of the columns the file
/// lacks; rows that cannot be staffed are refused with their line and reason.
pub fn run_file(q: &StaffQuery, input: &Path, output: OutputKind) -> Result<StaffedFile> {
    let file_error = |problem: String| QueryError::IntervalFile {
        path: input.to_path_buf(),
        problem,
    };
    let table = read_intervals(input).map_err(file_error)?;
    for required in ["interval_start", "calls", "aht_s"] {
        if !table.header.iter().any(|h| h == required) {
            return Err(file_error(format!(
                "missing required column `{required}`; a staffing file needs interval_start, calls, aht_s"
            )));
        }
    }
    if table.header.iter().any(|h| ADDED.contains(&h.as_str())) {
        return Err(file_error(format!(
            "the file already has a column named like an output column ({}); rename it",
            ADDED.join(", ")
        )));
    }
    let inp = &table.inputs;
    let rows = inp.calls.len();
    let interval = q
        .interval_minutes
        .or_else(|| infer_interval_minutes(&inp.starts, inp.queue.as_ref()))
        .unwrap_or(DEFAULT_INTERVAL_MINUTES);
    let csv_out = output == OutputKind::Csv;
    // Rows in two halves, each staffed (and, for CSV output, formatted) on its own core.
    let ranges: Vec<std::ops::Range<usize>> = if rows > 8192 {
        vec![0..rows / 2, rows / 2..rows]
    } else {
        std::iter::once(0..rows).collect()
    };
    let halves: Vec<Half> = std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .iter()
            .cloned()
            .map(|range| {
                let table = &table;
                scope.spawn(move || staff_rows(q, table, interval, range, csv_out))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| QueryError::Worker { what: "staffing" })
            })
            .collect::<Result<_>>()
    })?;
    Ok(StaffedFile {
        interval_minutes: interval,
        rows,
        staffed: halves.iter().map(|h| h.staffed).sum(),
        rejects: halves
            .iter()
            .flat_map(|h| h.rejects.iter().cloned())
            .collect(),
        table,
        halves,
    })
}

impl StaffedFile {
    /// Writes the staffed rows as CSV (run with [`OutputKind::Csv`]).
    pub fn write_csv(&self, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(&csv_header(&self.table.header))?;
        for h in &self.halves {
            out.write_all(&h.lines)?;
        }
        out.flush()
    }

    /// Writes the staffed rows as Parquet to `path` (run with [`OutputKind::Parquet`]).
    pub fn write_parquet(&self, path: &Path) -> Result<()> {
        let keep: Vec<usize> = self
            .halves
            .iter()
            .flat_map(|h| h.keep.iter().copied())
            .collect();
        let values: Vec<Added> = self
            .halves
            .iter()
            .flat_map(|h| h.values.iter().copied())
            .collect();
        write_parquet(path, &self.table, &keep, &values).map_err(|e| QueryError::IntervalFile {
            path: path.to_path_buf(),
            problem: format!("cannot write ({e})"),
        })
    }

    /// Writes the refused rows (`line, reason`) as CSV to `path`.
    pub fn write_rejects(&self, path: &PathBuf) -> Result<()> {
        let fail = |e: csv::Error| QueryError::IntervalFile {
            path: path.clone(),
            problem: format!("cannot write the rejected rows ({e})"),
        };
        let mut w = csv::Writer::from_path(path).map_err(fail)?;
        w.write_record(["line", "reason"]).map_err(fail)?;
        for (line, why) in &self.rejects {
            w.write_record([line.to_string().as_str(), why.as_str()])
                .map_err(fail)?;
        }
        w.flush().map_err(|e| fail(e.into()))
    }
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
fn read_intervals(input: &Path) -> Fallible<Intervals> {
    let bytes = std::fs::read(input).map_err(|e| format!("cannot read the file ({e})"))?;
    if bytes.starts_with(b"PAR1") {
        return read_parquet_intervals(input);
    }
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(bytes.as_slice());
    let header: Vec<String> = rdr
        .headers()
        .map_err(|e| format!("line 1: cannot read the header row ({e})"))?
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
    let parts: Vec<Fallible<ParsedRegion>> = std::thread::scope(|scope| {
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
        let (i, sp) = part?;
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
) -> Fallible<(Inputs, Vec<(usize, usize)>)> {
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
            Err(e) => return Err(format!("not readable as CSV ({e})")),
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

fn read_parquet_intervals(input: &Path) -> Fallible<Intervals> {
    let file = File::open(input).map_err(|e| format!("cannot open ({e})"))?;
    let df = ParquetReader::new(file)
        .finish()
        .map_err(|e| format!("not a readable Parquet file ({e})"))?;
    let bad = |e: polars::prelude::PolarsError| e.to_string();
    let header: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let numbers = |name: &str| -> Fallible<Option<Vec<Option<f64>>>> {
        let Ok(c) = df.column(name) else {
            return Ok(None);
        };
        let s = c.as_materialized_series();
        Ok(Some(match s.dtype() {
            DataType::String => s
                .str()
                .map_err(bad)?
                .iter()
                .map(|v| v.and_then(|t| parse_number(t.as_bytes())))
                .collect(),
            _ => s
                .cast(&DataType::Float64)
                .map_err(bad)?
                .f64()
                .map_err(bad)?
                .iter()
                .collect(),
        }))
    };
    let starts = match df.column("interval_start") {
        Ok(c) => {
            let s = c
                .as_materialized_series()
                .cast(&DataType::String)
                .map_err(bad)?;
            s.str()
                .map_err(bad)?
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
                .map_err(bad)?;
            let mut ids: HashMap<String, u32> = HashMap::new();
            Some(
                s.str()
                    .map_err(bad)?
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

/// What one thread made of its rows.
struct Half {
    keep: Vec<usize>,
    values: Vec<Added>,
    lines: Vec<u8>,
    rejects: Vec<(usize, String)>,
    staffed: usize,
}

/// Validates, staffs and (for CSV output) formats the rows in `range`.
fn staff_rows(
    args: &StaffQuery,
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
                    // Writing into a Vec cannot fail; the record is whole or absent.
                    let mut w = csv::Writer::from_writer(&mut half.lines);
                    if w.write_record(&fields)
                        .and_then(|()| Ok(w.flush()?))
                        .is_ok()
                    {
                        drop(w);
                        half.lines.pop();
                    }
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
                .model_with(get(&inp.patience, i).or(args.patience_s))
                .map_err(|e| e.to_string())?;
            let targets = args.targets_with(
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
fn csv_header(header: &[String]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    // Writing into a Vec cannot fail.
    let _written = w.write_record(header.iter().map(String::as_str).chain(ADDED));
    w.into_inner().unwrap_or_default()
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

/// The values added to a staffed row, in [`ADDED`] order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Added {
    /// Offered load, Erlangs.
    pub traffic_erlangs: f64,
    /// Agents (or lines) needed.
    pub agents: u64,
    /// Positions to schedule (agents ÷ (1 − shrinkage), rounded up).
    pub positions: u64,
    /// Service level at `agents`.
    pub service_level: Option<f64>,
    /// Average speed of answer, s.
    pub asa_s: Option<f64>,
    /// Probability of waiting.
    pub probability_of_waiting: Option<f64>,
    /// Occupancy.
    pub occupancy: f64,
    /// Abandon rate (Erlang A).
    pub abandon_rate: Option<f64>,
    /// Blocking (Erlang B).
    pub blocking: Option<f64>,
}

impl Added {
    /// The fractional columns after `agents` and `positions`, in [`ADDED`] order.
    fn fractions(&self) -> [Option<f64>; 6] {
        [
            self.service_level,
            self.asa_s,
            self.probability_of_waiting,
            Some(self.occupancy),
            self.abandon_rate,
            self.blocking,
        ]
    }
}

fn added_values(req: &StaffingRequest, s: &Staffing) -> Added {
    let m = &s.metrics;
    Added {
        traffic_erlangs: req.traffic().erlangs(),
        agents: m.agents,
        positions: s.positions,
        service_level: m.service_level,
        asa_s: m.asa_s,
        probability_of_waiting: m.probability_of_waiting,
        occupancy: m.occupancy,
        abandon_rate: m.abandon_rate,
        blocking: m.blocking,
    }
}

/// Appends `,v1,v2,…` for the added columns to `line`.
fn push_added(line: &mut Vec<u8>, v: Added, floats: &mut ryu::Buffer) {
    line.push(b',');
    line.extend_from_slice(floats.format_finite(v.traffic_erlangs).as_bytes());
    for n in [v.agents, v.positions] {
        line.push(b',');
        line.extend_from_slice(n.to_string().as_bytes());
    }
    for x in v.fractions() {
        line.push(b',');
        if let Some(x) = x {
            line.extend_from_slice(floats.format_finite(x).as_bytes());
        }
    }
    line.push(b'\n');
}

/// Writes the kept rows with the added columns as Parquet.
fn write_parquet(
    path: &Path,
    table: &Intervals,
    keep: &[usize],
    values: &[Added],
) -> polars::prelude::PolarsResult<()> {
    let mut columns: Vec<Column> = match &table.source {
        Source::Parquet(df) => {
            let idx = polars::prelude::IdxCa::from_vec(
                "idx".into(),
                keep.iter()
                    .map(|&i| i as polars::prelude::IdxSize)
                    .collect(),
            );
            df.take(&idx)?.columns().to_vec()
        }
        Source::Csv { bytes, spans } => text_columns(&table.header, bytes, spans, keep)?,
    };
    let floats = |name: &str, f: &dyn Fn(&Added) -> Option<f64>| {
        Series::new(
            name.into(),
            values.iter().map(f).collect::<Vec<Option<f64>>>(),
        )
        .into_column()
    };
    let counts = |name: &str, f: &dyn Fn(&Added) -> u64| {
        Series::new(
            name.into(),
            values
                .iter()
                .map(|v| Some(f(v)))
                .collect::<Vec<Option<u64>>>(),
        )
        .into_column()
    };
    columns.push(floats(ADDED[0], &|v| Some(v.traffic_erlangs)));
    columns.push(counts(ADDED[1], &|v| v.agents));
    columns.push(counts(ADDED[2], &|v| v.positions));
    for (k, name) in ADDED[3..].iter().enumerate() {
        columns.push(floats(name, &|v| v.fractions()[k]));
    }
    let mut df = DataFrame::new(keep.len(), columns)?;
    let f = File::create(path).map_err(|e| polars::prelude::PolarsError::IO {
        error: std::sync::Arc::new(e),
        msg: None,
    })?;
    ParquetWriter::new(f).finish(&mut df)?;
    Ok(())
}

/// The kept CSV rows' fields as text columns (for Parquet output from CSV input).
fn text_columns(
    header: &[String],
    bytes: &[u8],
    spans: &[(usize, usize)],
    keep: &[usize],
) -> polars::prelude::PolarsResult<Vec<Column>> {
    let mut cols: Vec<Vec<String>> = vec![Vec::with_capacity(keep.len()); header.len()];
    let mut rec = csv::StringRecord::new();
    for &i in keep {
        let (a, b) = spans[i];
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&bytes[a..b]);
        rdr.read_record(&mut rec)
            .map_err(|e| polars::prelude::PolarsError::ComputeError(e.to_string().into()))?;
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
