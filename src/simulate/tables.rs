//! Writes canonical tables to files: the simulator's records as CSV or Parquet, one
//! file per table (`calls.csv`, `agent_states.csv`, …), columns in the order and with
//! the names of the core schema.
//!
//! Every record becomes a row of schema [`Value`]s first; the same row then goes to a
//! CSV line or to a columnar Parquet batch, so both formats hold the same data.

use crate::ingest::stored_dtype;
use crate::store::{At, Result, StoreError};
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
    /// One raw Asterisk queue_log file (`queue_log`): the calls and agents' logins,
    /// pauses and calls as app_queue would have logged them.
    #[value(name = "queue_log")]
    QueueLog,
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
    error: Option<StoreError>,
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
        std::fs::create_dir_all(dir).at("cannot create", dir)?;
        let mut outs = Vec::new();
        let mut paths = Vec::new();
        for t in Table::ALL {
            let spec = t.spec();
            let ext = match format {
                OutFormat::Csv => "csv",
                OutFormat::Parquet | OutFormat::QueueLog => "parquet",
            };
            let path = dir.join(format!("{}.{ext}", t.name()));
            let file = File::create(&path).at("cannot create", &path)?;
            outs.push(match format {
                OutFormat::Csv => {
                    let mut out = BufWriter::with_capacity(1 << 20, file);
                    let header: Vec<&str> = spec.columns.iter().map(|c| c.name).collect();
                    writeln!(out, "{}", header.join(",")).at("cannot write", &path)?;
                    TableOut::Csv {
                        out,
                        line: Vec::with_capacity(256),
                        stamps: TimestampFormatter::default(),
                    }
                }
                OutFormat::Parquet | OutFormat::QueueLog => {
                    let schema = Schema::from_iter(spec.columns.iter().map(|c| {
                        Field::new(PlSmallStr::from_static(c.name), stored_dtype(c.column_type))
                    }));
                    let writer = ParquetWriter::new(file)
                        .with_compression(ParquetCompression::Zstd(None))
                        .batched(&schema)
                        .at("cannot start", &path)?;
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
                TableOut::Csv { mut out, .. } => out.flush().at("cannot write", path)?,
                TableOut::Parquet {
                    mut writer,
                    mut builder,
                } => {
                    if !builder.is_empty() {
                        writer
                            .write_batch(&builder.take())
                            .at("cannot write", path)?;
                    }
                    writer.finish().at("cannot finish", path)?;
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
                out.write_all(line).at("cannot write", &self.paths[i])
            }
            TableOut::Parquet { writer, builder } => {
                builder.push(row);
                if builder.len() >= PARQUET_BATCH {
                    writer
                        .write_batch(&builder.take())
                        .at("cannot write", &self.paths[i])
                } else {
                    Ok(())
                }
            }
        };
        if let Err(e) = result {
            self.error = Some(e);
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
            let _writer_gone = tx.send(full);
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
            .map_err(|_| StoreError::Worker {
                what: "file writer thread",
            })
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

/// A [`SimSink`] writing a raw queue_log (`epoch|uniqueid|queue|agent|EVENT|data…`).
///
/// Calls: ENTERQUEUE at arrival (caller id in data2), then CONNECT (hold time, bridged
/// channel, ring time = rings × 6 s) and COMPLETECALLER/COMPLETEAGENT (hold, talk) or
/// TRANSFER, or ABANDON / EXITWITHTIMEOUT with the wait; blocked calls are FULL lines;
/// IVR-only calls never reach a queue and write nothing. Agents: ADDMEMBER at the start
/// of each logged-in stretch, REMOVEMEMBER at its end, PAUSE/UNPAUSE around breaks.
/// The uniqueid of call `n` arriving at epoch `t` is `t.n`. Lines are sorted by time.
pub struct QueueLogSink {
    path: PathBuf,
    queue_names: Vec<String>,
    lines: Vec<(i64, u64, String)>,
    seq: u64,
    /// Per agent: end of its last state (to spot logins) and whether on a break.
    agents: std::collections::HashMap<u32, (i64, bool)>,
    calls: u64,
}

impl QueueLogSink {
    /// A sink writing `<dir>/queue_log` on [`QueueLogSink::finish`].
    pub fn new(dir: &Path, queue_names: Vec<String>) -> Result<Self> {
        std::fs::create_dir_all(dir).at("cannot create", dir)?;
        Ok(QueueLogSink {
            path: dir.join("queue_log"),
            queue_names,
            lines: Vec::new(),
            seq: 0,
            agents: Default::default(),
            calls: 0,
        })
    }

    fn line(&mut self, t_ms: i64, text: String) {
        self.seq += 1;
        self.lines.push((t_ms.div_euclid(1000), self.seq, text));
    }

    fn queue(&self, q: u16) -> String {
        self.queue_names
            .get(q as usize)
            .cloned()
            .unwrap_or_else(|| "queue".into())
    }

    /// Closes every open agent session and writes the sorted file; returns (path, lines, calls).
    pub fn finish(mut self) -> Result<(PathBuf, usize, u64)> {
        let open: Vec<(u32, i64)> = self.agents.iter().map(|(a, (end, _))| (*a, *end)).collect();
        for (a, end) in open {
            let who = agent_interface(a);
            for q in self.queue_names.clone() {
                self.line(
                    end,
                    format!("{}|NONE|{q}|{who}|REMOVEMEMBER|", end.div_euclid(1000)),
                );
            }
        }
        self.lines.sort_by_key(|(t, seq, _)| (*t, *seq));
        let mut out = BufWriter::new(File::create(&self.path).at("cannot create", &self.path)?);
        for (_, _, l) in &self.lines {
            writeln!(out, "{l}").at("cannot write", &self.path)?;
        }
        out.flush().at("cannot write", &self.path)?;
        Ok((self.path, self.lines.len(), self.calls))
    }
}

fn agent_interface(a: u32) -> String {
    let mut s = String::from("SIP/");
    names::agent(&mut s, a);
    s
}

impl SimSink for QueueLogSink {
    fn call(&mut self, r: &CallRecord) {
        let t = r.arrived_ms.div_euclid(1000);
        let mut uid = String::new();
        names::customer(&mut uid, r.caller);
        let caller = uid;
        let unique = format!("{t}.{}", r.id);
        let q = self.queue(r.queue);
        let secs = |ms: i64| (ms as f64 / 1000.0).round() as i64;
        match r.outcome {
            Outcome::Ivr => return,
            Outcome::Blocked => {
                self.line(r.arrived_ms, format!("{t}|{unique}|{q}|NONE|FULL|"));
                self.calls += 1;
                return;
            }
            _ => {}
        }
        self.calls += 1;
        self.line(
            r.arrived_ms,
            format!("{t}|{unique}|{q}|NONE|ENTERQUEUE||{caller}|1"),
        );
        let wait = secs(r.wait_ms);
        let end_wait = r.arrived_ms + r.wait_ms;
        match r.outcome {
            Outcome::Answered => {
                let who = agent_interface(r.agent.unwrap_or(0));
                let ring = i64::from(r.rings) * 6;
                self.line(
                    end_wait,
                    format!(
                        "{}|{unique}|{q}|{who}|CONNECT|{wait}|{unique}b|{ring}",
                        end_wait.div_euclid(1000)
                    ),
                );
                let done = end_wait + r.talk_ms + r.hold_ms;
                let talk = secs(r.talk_ms);
                let ev = if r.transferred {
                    format!("TRANSFER|100|default|{wait}|{talk}|1")
                } else if r.id.is_multiple_of(2) {
                    format!("COMPLETECALLER|{wait}|{talk}|1")
                } else {
                    format!("COMPLETEAGENT|{wait}|{talk}|1")
                };
                self.line(
                    done,
                    format!("{}|{unique}|{q}|{who}|{ev}", done.div_euclid(1000)),
                );
            }
            Outcome::Abandoned => self.line(
                end_wait,
                format!(
                    "{}|{unique}|{q}|NONE|ABANDON|1|1|{wait}",
                    end_wait.div_euclid(1000)
                ),
            ),
            _ => self.line(
                end_wait,
                format!(
                    "{}|{unique}|{q}|NONE|EXITWITHTIMEOUT|1|1|{wait}",
                    end_wait.div_euclid(1000)
                ),
            ),
        }
    }

    fn agent_state(&mut self, r: &StateRecord) {
        let who = agent_interface(r.agent);
        let queues = self.queue_names.clone();
        let (last_end, on_break) = self
            .agents
            .get(&r.agent)
            .copied()
            .unwrap_or((i64::MIN, false));
        if r.start_ms != last_end {
            // A new logged-in stretch: close the previous one, open this one.
            if last_end != i64::MIN {
                for q in &queues {
                    self.line(
                        last_end,
                        format!("{}|NONE|{q}|{who}|REMOVEMEMBER|", last_end.div_euclid(1000)),
                    );
                }
            }
            for q in &queues {
                self.line(
                    r.start_ms,
                    format!("{}|NONE|{q}|{who}|ADDMEMBER|", r.start_ms.div_euclid(1000)),
                );
            }
        }
        let breaking = matches!(r.state, AgentState::Break | AgentState::Lunch);
        if breaking && !on_break {
            self.line(
                r.start_ms,
                format!(
                    "{}|NONE|NONE|{who}|PAUSEALL|{}",
                    r.start_ms.div_euclid(1000),
                    r.state.as_str()
                ),
            );
        }
        if !breaking && on_break {
            self.line(
                r.start_ms,
                format!(
                    "{}|NONE|NONE|{who}|UNPAUSEALL|",
                    r.start_ms.div_euclid(1000)
                ),
            );
        }
        self.agents.insert(r.agent, (r.end_ms, breaking));
    }

    fn schedule(&mut self, _: &ScheduleRecord) {}
    fn agent(&mut self, _: &AgentRecord) {}
    fn qa(&mut self, _: &QaRecord) {}
    fn cost(&mut self, _: &CostRecord) {}
    fn ticket(&mut self, _: &TicketRecord) {}
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
