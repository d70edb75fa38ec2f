//! Writes canonical tables to files: the simulator's records as CSV or Parquet, one
//! file per table (`calls.csv`, `agent_states.csv`, …), columns in the order and with
//! the names of the core schema.
//!
//! Every record becomes a row of schema [`Value`]s first; the same row then goes to a
//! CSV line or to a columnar Parquet batch, so both formats hold the same data.

use crate::ingest::stored_dtype;
use anyhow::{Context, Result};
use callboard_core::schema::{Table, TableSpec};
use callboard_core::simulate::*;
use callboard_core::time::{DAY_MS, TimestampFormatter, write_date};
use callboard_core::validate::Value;
use polars::prelude::{Field, ParquetCompression, ParquetWriter, PlSmallStr, Schema};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Output format of `simulate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    /// RFC 4180 CSV with a header row.
    Csv,
    /// Apache Parquet (zstd).
    Parquet,
}

const PARQUET_BATCH: usize = 1 << 18;

enum TableOut {
    Csv {
        out: BufWriter<File>,
        line: Vec<u8>,
        stamps: TimestampFormatter,
    },
    Parquet {
        writer: Box<polars::io::parquet::write::BatchedWriter<File>>,
        builder: crate::ingest::TableBuilder,
    },
}

/// A [`SimSink`] writing every table to `<dir>/<table>.<ext>`.
pub struct FileSink {
    outs: Vec<TableOut>,
    paths: Vec<PathBuf>,
    counts: [u64; 7],
    queue_names: Arc<Vec<String>>,
    scratch: String,
    error: Option<anyhow::Error>,
}

fn idx(t: Table) -> usize {
    Table::ALL
        .iter()
        .position(|x| *x == t)
        .expect("every table is listed")
}

impl FileSink {
    /// Creates the seven files in `dir`.
    pub fn create(dir: &Path, format: OutFormat, queue_names: Vec<String>) -> Result<FileSink> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let mut outs = Vec::new();
        let mut paths = Vec::new();
        for t in Table::ALL {
            let spec = t.spec();
            let ext = match format {
                OutFormat::Csv => "csv",
                OutFormat::Parquet => "parquet",
            };
            let path = dir.join(format!("{}.{ext}", t.name()));
            let file =
                File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
            outs.push(match format {
                OutFormat::Csv => {
                    let mut out = BufWriter::with_capacity(1 << 20, file);
                    let header: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
                    writeln!(out, "{}", header.join(","))
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    TableOut::Csv {
                        out,
                        line: Vec::with_capacity(256),
                        stamps: TimestampFormatter::default(),
                    }
                }
                OutFormat::Parquet => {
                    let schema = Schema::from_iter(spec.columns.iter().map(|c| {
                        Field::new(PlSmallStr::from_static(c.name), stored_dtype(c.column_type))
                    }));
                    let writer = ParquetWriter::new(file)
                        .with_compression(ParquetCompression::Zstd(None))
                        .batched(&schema)
                        .with_context(|| format!("cannot start {}", path.display()))?;
                    TableOut::Parquet {
                        writer: Box::new(writer),
                        builder: crate::ingest::TableBuilder::new(spec, PARQUET_BATCH),
                    }
                }
            });
            paths.push(path);
        }
        Ok(FileSink {
            outs,
            paths,
            counts: [0; 7],
            queue_names: Arc::new(queue_names),
            scratch: String::with_capacity(128),
            error: None,
        })
    }

    /// Rows written per table, in [`Table::ALL`] order.
    pub fn counts(&self) -> [u64; 7] {
        self.counts
    }

    /// The files written.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// Flushes and closes every file; the first write error, if any.
    pub fn finish(mut self) -> Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        for (out, path) in self.outs.into_iter().zip(&self.paths) {
            match out {
                TableOut::Csv { mut out, .. } => out
                    .flush()
                    .with_context(|| format!("cannot write {}", path.display()))?,
                TableOut::Parquet {
                    mut writer,
                    mut builder,
                } => {
                    if !builder.is_empty() {
                        writer
                            .write_batch(&builder.take())
                            .with_context(|| format!("cannot write {}", path.display()))?;
                    }
                    writer
                        .finish()
                        .with_context(|| format!("cannot finish {}", path.display()))?;
                }
            }
        }
        Ok(())
    }

    fn emit(&mut self, table: Table, row: &[Value<'_>]) {
        if self.error.is_some() {
            return;
        }
        let i = idx(table);
        self.counts[i] += 1;
        let result = match &mut self.outs[i] {
            TableOut::Csv { out, line, stamps } => {
                line.clear();
                write_csv_row(line, table.spec(), row, stamps);
                out.write_all(line).map_err(anyhow::Error::from)
            }
            TableOut::Parquet { writer, builder } => {
                builder.push(row);
                if builder.len() >= PARQUET_BATCH {
                    writer
                        .write_batch(&builder.take())
                        .map_err(anyhow::Error::from)
                } else {
                    Ok(())
                }
            }
        };
        if let Err(e) = result {
            self.error = Some(e.context(format!("cannot write {}", self.paths[i].display())));
        }
    }
}

/// Appends one CSV line (with newline) for a schema row.
fn write_csv_row(
    line: &mut Vec<u8>,
    spec: &TableSpec,
    row: &[Value<'_>],
    stamps: &mut TimestampFormatter,
) {
    for (j, _) in spec.columns.iter().enumerate() {
        if j > 0 {
            line.push(b',');
        }
        match row[j] {
            Value::Null => {}
            Value::Str(s) => {
                if s.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
                    line.push(b'"');
                    for b in s.bytes() {
                        if b == b'"' {
                            line.push(b'"');
                        }
                        line.push(b);
                    }
                    line.push(b'"');
                } else {
                    line.extend_from_slice(s.as_bytes());
                }
            }
            Value::Float(x) => write_float(line, x),
            Value::Count(c) => push_digits(line, u64::from(c)),
            Value::Bool(b) => line.extend_from_slice(if b { b"true" } else { b"false" }),
            Value::TimestampMs(t) => stamps.write(line, t),
            Value::DateDays(d) => write_date(line, d),
        }
    }
    line.push(b'\n');
}

/// Appends the decimal digits of `n`.
fn push_digits(line: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut n = n;
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    line.extend_from_slice(&digits[i..]);
}

/// Floats with at most 3 decimals exact (durations in ms), others in Rust's shortest form.
fn write_float(line: &mut Vec<u8>, x: f64) {
    let milli = x * 1000.0;
    if milli.fract() == 0.0 && milli.abs() < 9e15 {
        let m = milli as i64;
        let (neg, m) = (m < 0, m.unsigned_abs());
        if neg {
            line.push(b'-');
        }
        push_digits(line, m / 1000);
        let frac = m % 1000;
        if frac != 0 {
            let digits = [
                b'0' + (frac / 100) as u8,
                b'0' + (frac / 10 % 10) as u8,
                b'0' + (frac % 10) as u8,
            ];
            let keep = if frac % 100 == 0 {
                1
            } else if frac % 10 == 0 {
                2
            } else {
                3
            };
            line.push(b'.');
            line.extend_from_slice(&digits[..keep]);
        }
    } else {
        line.extend_from_slice(x.to_string().as_bytes());
    }
}

fn secs(ms: i64) -> Value<'static> {
    Value::Float(ms as f64 / 1000.0)
}

/// Identifiers as written: `C00000042`, `A007`, `CU0001234`, `T000042`, `B03-1201`.
mod names {
    /// Appends `prefix` and `v` zero-padded to `width` digits (no formatting machinery:
    /// this runs for every simulated row).
    fn padded(s: &mut String, prefix: &str, v: u64, width: usize) {
        s.push_str(prefix);
        let mut digits = [b'0'; 20];
        let mut n = v;
        let mut i = digits.len();
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let used = digits.len() - i;
        for _ in used..width {
            s.push('0');
        }
        s.push_str(std::str::from_utf8(&digits[i..]).expect("ASCII digits"));
    }
    pub fn call(s: &mut String, id: u64) {
        padded(s, "C", id, 8);
    }
    pub fn agent(s: &mut String, a: u32) {
        padded(s, "A", u64::from(a) + 1, 3);
    }
    pub fn customer(s: &mut String, c: u64) {
        padded(s, "CU", c, 7);
    }
    pub fn ticket(s: &mut String, t: u64) {
        padded(s, "T", t, 6);
    }
}

/// One simulated record of any table, for handing batches to a writer thread.
#[derive(Debug, Clone, Copy)]
enum Record {
    Call(CallRecord),
    State(StateRecord),
    Schedule(ScheduleRecord),
    Agent(AgentRecord),
    Qa(QaRecord),
    Cost(CostRecord),
    Ticket(TicketRecord),
}

const BATCH: usize = 8192;

/// A [`SimSink`] that hands records, in order, to a [`FileSink`] on another thread,
/// so that simulating and formatting use both cores. The files are the same bytes as
/// with the [`FileSink`] alone.
pub struct ThreadedSink {
    batch: Vec<Record>,
    tx: Option<std::sync::mpsc::SyncSender<Vec<Record>>>,
    writer: Option<std::thread::JoinHandle<FileSink>>,
}

impl ThreadedSink {
    /// Starts the writer thread around `sink`.
    pub fn new(mut sink: FileSink) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Record>>(4);
        let writer = std::thread::spawn(move || {
            for batch in rx {
                for r in &batch {
                    match r {
                        Record::Call(x) => sink.call(x),
                        Record::State(x) => sink.agent_state(x),
                        Record::Schedule(x) => sink.schedule(x),
                        Record::Agent(x) => sink.agent(x),
                        Record::Qa(x) => sink.qa(x),
                        Record::Cost(x) => sink.cost(x),
                        Record::Ticket(x) => sink.ticket(x),
                    }
                }
            }
            sink
        });
        ThreadedSink {
            batch: Vec::with_capacity(BATCH),
            tx: Some(tx),
            writer: Some(writer),
        }
    }

    fn push(&mut self, r: Record) {
        self.batch.push(r);
        if self.batch.len() == BATCH {
            self.send();
        }
    }

    fn send(&mut self) {
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        if let Some(tx) = &self.tx {
            // A send fails only if the writer died; its error comes out of `finish`.
            let _ = tx.send(full);
        }
    }

    /// Sends what is left, waits for the writer and returns its sink.
    pub fn finish(mut self) -> Result<FileSink> {
        self.send();
        drop(self.tx.take());
        self.writer
            .take()
            .expect("finish runs once")
            .join()
            .map_err(|_| anyhow::anyhow!("the file writer thread panicked"))
    }
}

impl SimSink for ThreadedSink {
    fn call(&mut self, r: &CallRecord) {
        self.push(Record::Call(*r));
    }
    fn agent_state(&mut self, r: &StateRecord) {
        self.push(Record::State(*r));
    }
    fn schedule(&mut self, r: &ScheduleRecord) {
        self.push(Record::Schedule(*r));
    }
    fn agent(&mut self, r: &AgentRecord) {
        self.push(Record::Agent(*r));
    }
    fn qa(&mut self, r: &QaRecord) {
        self.push(Record::Qa(*r));
    }
    fn cost(&mut self, r: &CostRecord) {
        self.push(Record::Cost(*r));
    }
    fn ticket(&mut self, r: &TicketRecord) {
        self.push(Record::Ticket(*r));
    }
}

impl SimSink for FileSink {
    fn call(&mut self, r: &CallRecord) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        names::call(&mut s, r.id);
        let a = s.len();
        if let Some(ag) = r.agent {
            names::agent(&mut s, ag);
        }
        let b = s.len();
        names::customer(&mut s, r.caller);
        let answered = r.outcome == Outcome::Answered;
        let names = Arc::clone(&self.queue_names);
        let queue = names
            .get(r.queue as usize)
            .map(String::as_str)
            .unwrap_or("queue");
        let row = [
            Value::Str(&s[..a]),
            Value::Str(queue),
            Value::TimestampMs(r.arrived_ms),
            Value::Str(r.outcome.as_str()),
            secs(r.wait_ms),
            if answered {
                Value::Str(&s[a..b])
            } else {
                Value::Null
            },
            if answered {
                secs(r.talk_ms)
            } else {
                Value::Null
            },
            if answered {
                secs(r.hold_ms)
            } else {
                Value::Null
            },
            if answered {
                secs(r.acw_ms)
            } else {
                Value::Null
            },
            if answered {
                Value::Count(r.rings)
            } else {
                Value::Null
            },
            Value::Bool(r.transferred),
            Value::Null,
            Value::Str(&s[b..]),
        ];
        self.emit(Table::Calls, &row);
        self.scratch = s;
    }

    fn agent_state(&mut self, r: &StateRecord) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        names::agent(&mut s, r.agent);
        let row = [
            Value::Str(&s),
            Value::Str(r.state.as_str()),
            Value::TimestampMs(r.start_ms),
            Value::TimestampMs(r.end_ms),
            Value::Null,
        ];
        self.emit(Table::AgentStates, &row);
        self.scratch = s;
    }

    fn schedule(&mut self, r: &ScheduleRecord) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        names::agent(&mut s, r.agent);
        let row = [
            Value::Str(&s),
            Value::TimestampMs(r.start_ms),
            Value::TimestampMs(r.end_ms),
            Value::Str(r.activity.as_str()),
        ];
        self.emit(Table::Schedules, &row);
        self.scratch = s;
    }

    fn agent(&mut self, r: &AgentRecord) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        names::agent(&mut s, r.agent);
        let a = s.len();
        let _ = write!(s, "Agent {}", r.agent + 1);
        let names = Arc::clone(&self.queue_names);
        let queue = names
            .get(r.queue as usize)
            .map(String::as_str)
            .unwrap_or("team");
        let row = [
            Value::Str(&s[..a]),
            Value::Str(&s[a..]),
            Value::Str(queue),
            Value::DateDays(r.hired_on),
            r.left_on.map_or(Value::Null, Value::DateDays),
            Value::Bool(r.full_time),
        ];
        self.emit(Table::Agents, &row);
        self.scratch = s;
    }

    fn qa(&mut self, r: &QaRecord) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        names::agent(&mut s, r.agent);
        let a = s.len();
        names::call(&mut s, r.call);
        let row = [
            Value::Str(&s[..a]),
            Value::TimestampMs(r.evaluated_ms),
            Value::Float(r.score),
            Value::Str(&s[a..]),
        ];
        self.emit(Table::QaEvaluations, &row);
        self.scratch = s;
    }

    fn cost(&mut self, r: &CostRecord) {
        let start = i64::from(r.day) * DAY_MS;
        let row = [
            Value::TimestampMs(start),
            Value::TimestampMs(start + DAY_MS),
            Value::Float(r.amount),
            Value::Str(CURRENCY),
            Value::Str(r.category.as_str()),
        ];
        self.emit(Table::Costs, &row);
    }

    fn ticket(&mut self, r: &TicketRecord) {
        let mut s = std::mem::take(&mut self.scratch);
        s.clear();
        names::ticket(&mut s, r.id);
        let a = s.len();
        names::customer(&mut s, r.customer);
        let b = s.len();
        let _ = write!(s, "B{:02}-{:04}", r.building, r.flat);
        let c = s.len();
        if let Some(call) = r.call {
            names::call(&mut s, call);
        }
        let ts = |t: Option<i64>| t.map_or(Value::Null, Value::TimestampMs);
        let row = [
            Value::Str(&s[..a]),
            Value::TimestampMs(r.created_ms),
            Value::Str(r.kind.as_str()),
            Value::Str(r.category),
            r.severity.map_or(Value::Null, Value::Str),
            Value::Str(r.channel),
            Value::Str(&s[a..b]),
            Value::Str(&s[b..c]),
            Value::Str(r.department),
            if r.call.is_some() {
                Value::Str(&s[c..])
            } else {
                Value::Null
            },
            ts(r.escalated_ms),
            ts(r.answered_ms),
            ts(r.completed_ms),
            ts(r.resolved_ms),
            ts(r.callback_ms),
            ts(r.requested_ms),
            r.satisfaction.map_or(Value::Null, Value::Float),
        ];
        self.emit(Table::Tickets, &row);
        self.scratch = s;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_written_exactly() {
        let mut v = Vec::new();
        for x in [0.0, 12.5, 300.0, 0.001, 84.3, 1e-9] {
            v.clear();
            write_float(&mut v, x);
            let s = String::from_utf8(v.clone()).expect("ascii");
            assert_eq!(s.parse::<f64>().expect("number"), x, "{s}");
        }
    }

    #[test]
    fn every_record_row_has_its_table_width() {
        // The rows built above are written positionally; a schema change must change them.
        assert_eq!(Table::Calls.spec().columns.len(), 13);
        assert_eq!(Table::AgentStates.spec().columns.len(), 5);
        assert_eq!(Table::Schedules.spec().columns.len(), 4);
        assert_eq!(Table::Agents.spec().columns.len(), 6);
        assert_eq!(Table::QaEvaluations.spec().columns.len(), 4);
        assert_eq!(Table::Costs.spec().columns.len(), 5);
        assert_eq!(Table::Tickets.spec().columns.len(), 17);
    }
}
