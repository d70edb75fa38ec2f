//! Asterisk `queue_log` files in their three dialects → events → calls and agent
//! states (the replay is `callboard_core::queue_log`), loaded like any other file.
//!
//! * **raw**: the pipe file `epoch|callid|queue|agent|EVENT|data1|…|data5`;
//! * **database**: the realtime table exported as CSV (`time, callid, queuename, agent,
//!   event, data1…data5`, or one `data` column joined by `|`), `time` as epoch or
//!   `YYYY-MM-DD HH:MM:SS` in `--timezone`;
//! * **pbxware**: PBXware's table export (`uid,date_time,callid,queue_name,type,event,
//!   param1,param2,param3,entpos,expos,htime,ttime,time`), whose parameters are
//!   re-packed per event; they are mapped back onto the stock data1…data5.

use super::error::{IngestError, On, Result};
use super::rejects::{self, Reject};
use super::{FileSummary, IngestOptions, Loader};
use crate::store::{BacklogEvent, Store};
use callboard_core::queue_log::{
    Assembled, AssembledCall, AssemblyOptions, LiveState, QueueLogEvent, assemble,
};
use callboard_core::schema::Table;
use callboard_core::time::{TimeZoneSpec, parse_timestamp};
use callboard_core::validate::Cell;
use std::io::Read;
use std::path::Path;

/// A queue_log file layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `epoch|callid|queue|agent|event|data…`
    Raw,
    /// The realtime database table as CSV.
    Database,
    /// PBXware's table export.
    Pbxware,
}

/// Tells whether `path` looks like a queue_log file, and which dialect.
pub fn sniff(path: &Path) -> Option<Dialect> {
    let mut head = vec![0u8; 4096];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .ok()?;
    let text = String::from_utf8_lossy(&head[..n]);
    let first = text
        .lines()
        .next()?
        .trim_start_matches('\u{feff}')
        .to_ascii_lowercase();
    let cols: Vec<&str> = first
        .split(',')
        .map(|c| c.trim().trim_matches('"'))
        .collect();
    let has = |c: &str| cols.contains(&c);
    if has("uid") && has("date_time") && has("queue_name") && has("event") {
        return Some(Dialect::Pbxware);
    }
    if has("callid") && has("event") && (has("queuename") || has("queue_name")) && has("time") {
        return Some(Dialect::Database);
    }
    let fields: Vec<&str> = first.split('|').collect();
    if fields.len() >= 5 && fields[0].trim().parse::<f64>().is_ok() {
        return Some(Dialect::Raw);
    }
    None
}

fn epoch(s: &str, zone: &TimeZoneSpec) -> Result<i64, String> {
    let t = s.trim();
    let secs = match t.parse::<f64>() {
        Ok(x) if x.is_finite() => x.floor() as i64,
        _ => parse_timestamp(t, zone)
            .map(|ms| ms.div_euclid(1000))
            .map_err(|e| e.to_string())?,
    };
    // Epochs beyond ±3 000 years from 1970 cannot be times of calls.
    if secs.abs() > 100_000_000_000 {
        return Err(format!("{t} is out of range for an epoch"));
    }
    Ok(secs)
}

fn data5(fields: &[&str]) -> [String; 5] {
    std::array::from_fn(|i| fields.get(i).map_or(String::new(), |s| s.trim().to_owned()))
}

/// PBXware's columns, mapped onto the stock data1…data5 of each event.
fn pbxware_data(event: &str, f: &dyn Fn(&str) -> String) -> [String; 5] {
    let v = |names: &[&str]| -> [String; 5] {
        std::array::from_fn(|i| {
            names.get(i).map_or(String::new(), |n| {
                if n.is_empty() { String::new() } else { f(n) }
            })
        })
    };
    match event {
        "ENTERQUEUE" => v(&["", "param1", "entpos"]),
        "CONNECT" => v(&["htime", "param2", "param3"]),
        "COMPLETEAGENT" | "COMPLETECALLER" => v(&["htime", "ttime", "entpos"]),
        "ABANDON" | "EXITWITHTIMEOUT" | "EXITEMPTY" | "WITHDRAW" => {
            v(&["expos", "entpos", "htime"])
        }
        "EXITWITHKEY" => v(&["param1", "expos", "entpos", "htime"]),
        "TRANSFER" | "BLINDTRANSFER" | "ATTENDEDTRANSFER" => {
            v(&["param1", "param2", "htime", "ttime", "entpos"])
        }
        "RINGNOANSWER" | "RINGCANCELED" => v(&["htime"]),
        _ => v(&["param1", "param2", "param3"]),
    }
}

/// Parses raw `epoch|callid|queue|agent|event|data…` lines (see
/// [`callboard_core::queue_log::parse_raw_lines`]) and turns their problems into rejects.
pub fn parse_raw_lines(
    text: &str,
    first_line: u64,
    zone: &TimeZoneSpec,
) -> (Vec<QueueLogEvent>, Vec<Reject>, u64) {
    let (events, problems, lines) =
        callboard_core::queue_log::parse_raw_lines(text, first_line, zone);
    let rejects = problems
        .into_iter()
        .map(|p| Reject {
            line: p.line,
            byte: None,
            column: None,
            reason: p.reason,
            rendered: Some(p.text),
        })
        .collect();
    (events, rejects, lines)
}

/// Parses the file into events; unreadable lines become rejects with their line.
pub fn parse(
    path: &Path,
    dialect: Dialect,
    zone: &TimeZoneSpec,
) -> Result<(Vec<QueueLogEvent>, Vec<Reject>, u64)> {
    let shown = path.display();
    let mut events = Vec::new();
    let mut rejects = Vec::new();
    let mut lines = 0u64;
    let mut reject = |line: u64, reason: String, text: String| {
        rejects.push(Reject {
            line,
            byte: None,
            column: None,
            reason,
            rendered: Some(text),
        });
    };
    match dialect {
        Dialect::Raw => {
            let bytes = std::fs::read(path).on(&shown, "cannot read the file")?;
            let text = String::from_utf8_lossy(&bytes);
            let (ev, rj, n) = parse_raw_lines(&text, 1, zone);
            events = ev;
            lines = n;
            for r in rj {
                reject(r.line, r.reason, r.rendered.unwrap_or_default());
            }
        }
        Dialect::Database | Dialect::Pbxware => {
            let mut rdr = csv::ReaderBuilder::new()
                .flexible(true)
                .from_path(path)
                .on(&shown, "cannot open the file")?;
            let header: Vec<String> = rdr
                .headers()
                .on(format!("{shown}:1"), "cannot read the header row")?
                .iter()
                .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
                .collect();
            let col = |n: &str| header.iter().position(|h| h == n);
            let need = |n: &[&str]| {
                n.iter().find_map(|x| col(x)).ok_or_else(|| {
                    IngestError::input(
                        &shown,
                        format!("missing column `{}` for a queue_log export", n[0]),
                    )
                })
            };
            let (c_time, c_call, c_queue, c_agent, c_event) = match dialect {
                Dialect::Pbxware => (
                    need(&["date_time"])?,
                    need(&["callid"])?,
                    need(&["queue_name"])?,
                    need(&["type"])?,
                    need(&["event"])?,
                ),
                _ => (
                    need(&["time"])?,
                    need(&["callid"])?,
                    need(&["queuename", "queue_name"])?,
                    need(&["agent"])?,
                    need(&["event"])?,
                ),
            };
            let data_cols: Vec<Option<usize>> = (1..=5).map(|i| col(&format!("data{i}"))).collect();
            let joined = col("data");
            let ends = super::source::Lines::probe(path).on(&shown, "cannot read the file")?;
            let mut rec = csv::StringRecord::new();
            loop {
                match rdr.read_record(&mut rec) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => {
                        let line = e.position().map_or(0, |p| p.line());
                        return Err(IngestError::at_line(
                            &shown,
                            line,
                            format!("cannot read the file further ({e})"),
                        ));
                    }
                }
                lines += 1;
                let line = ends.start(
                    super::source::newlines(rec.as_slice().as_bytes()),
                    rdr.position(),
                );
                let get = |c: usize| rec.get(c).unwrap_or("").trim().to_owned();
                let text = rec.iter().collect::<Vec<_>>().join(",");
                let t = match epoch(&get(c_time), zone) {
                    Ok(t) => t,
                    Err(e) => {
                        reject(line, format!("time: {e}"), text);
                        continue;
                    }
                };
                let event = get(c_event);
                if event.is_empty() {
                    reject(line, "event: missing".into(), text);
                    continue;
                }
                let data = match dialect {
                    Dialect::Pbxware => {
                        pbxware_data(&event, &|name| col(name).map_or(String::new(), get))
                    }
                    _ => match joined {
                        Some(j) if data_cols.iter().all(Option::is_none) => {
                            let all = get(j);
                            data5(&all.split('|').collect::<Vec<_>>())
                        }
                        _ => std::array::from_fn(|i| data_cols[i].map_or(String::new(), get)),
                    },
                };
                events.push(QueueLogEvent::new(
                    line,
                    t,
                    &get(c_call),
                    &get(c_queue),
                    &get(c_agent),
                    &event,
                    std::array::from_fn(|i| data[i].as_str()),
                ));
            }
        }
    }
    Ok((events, rejects, lines))
}

/// Ingests one queue_log file: replays it after the lines held back last time, loads
/// the finished calls and the agent states in one commit, and holds back what is still
/// in progress.
pub fn ingest(
    store: &mut Store,
    path: &Path,
    dialect: Dialect,
    opts: &IngestOptions,
    ingest_id: &str,
    ring_seconds: f64,
) -> Result<FileSummary> {
    if dialect == Dialect::Raw {
        return ingest_raw(store, path, opts, ingest_id, ring_seconds);
    }
    let (events, parse_rejects, lines) = parse(path, dialect, &opts.zone)?;
    ingest_events(
        store,
        &path.display().to_string(),
        events,
        parse_rejects,
        lines,
        opts,
        ingest_id,
        ring_seconds,
    )
}

/// Replays `events` after the lines held back last time, loads the finished calls and
/// the agent states in one commit, and holds back what is still in progress.
#[allow(clippy::too_many_arguments)]
pub fn ingest_events(
    store: &mut Store,
    shown: &str,
    events: Vec<QueueLogEvent>,
    parse_rejects: Vec<Reject>,
    lines: u64,
    opts: &IngestOptions,
    ingest_id: &str,
    ring_seconds: f64,
) -> Result<FileSummary> {
    let mut load = QueueLogLoad::new(store, shown, opts, ingest_id, ring_seconds)?;
    load.feed(events, parse_rejects, lines)?;
    Ok(load.finish(store)?.0)
}

/// What one batch of a followed queue_log did, for a live view: the ingest summary,
/// the replay's state at its last line (calls in progress, every agent's state) and
/// the calls it finished (stored now, or already stored by an earlier batch).
#[derive(Debug, Clone)]
pub struct FollowBatch {
    /// The batch's ingest summary.
    pub summary: FileSummary,
    /// Calls waiting or with an agent, and the agents, after the batch's last line.
    pub live: LiveState,
    /// The calls the batch's replay finished (duplicates of stored calls included).
    pub finished: Vec<AssembledCall>,
}

/// Lines per replay window when reading a raw queue_log: memory stays bounded
/// whatever the file's size; calls still open at a window's end are carried into the
/// next window (as they are into the next ingest).
const WINDOW_LINES: usize = 500_000;

/// A raw queue_log read in windows of lines, one commit at the end.
fn ingest_raw(
    store: &mut Store,
    path: &Path,
    opts: &IngestOptions,
    ingest_id: &str,
    ring_seconds: f64,
) -> Result<FileSummary> {
    use std::io::BufRead;
    let shown = path.display().to_string();
    let file = std::fs::File::open(path).on(&shown, "cannot open the file")?;
    let mut load = QueueLogLoad::new(store, &shown, opts, ingest_id, ring_seconds)?;
    // A second thread reads, parses and replays window after window (the replay only
    // needs the previous window's carry); this one validates and loads the rows.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<(Assembled, Vec<Reject>, u64)>>(1);
    let mut carry = std::mem::take(&mut load.carry);
    let zone = opts.zone;
    let options = load.options;
    let shown_for_thread = shown.clone();
    let worker = std::thread::spawn(move || {
        let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
        let mut next_line = 1u64;
        let mut buf: Vec<u8> = Vec::with_capacity(64 << 20);
        loop {
            buf.clear();
            let mut n = 0usize;
            while n < WINDOW_LINES {
                match reader.read_until(b'\n', &mut buf) {
                    Ok(0) => break,
                    Ok(_) => n += 1,
                    Err(e) => {
                        // The receiver gone means the ingest already failed.
                        let _receiver_gone = tx.send(Err(IngestError::Io {
                            file: shown_for_thread.clone(),
                            what: "cannot read the file",
                            source: e,
                        }));
                        return;
                    }
                }
            }
            if n == 0 {
                return;
            }
            let text = String::from_utf8_lossy(&buf);
            let (mut events, rejects, lines) = parse_raw_lines(&text, next_line, &zone);
            next_line += n as u64;
            events.append(&mut carry);
            let assembled = assemble(events, &options);
            carry = assembled.open.clone();
            if tx.send(Ok((assembled, rejects, lines))).is_err() {
                return;
            }
        }
    });
    for message in rx {
        let (assembled, rejects, lines) = message?;
        load.feed_assembled(assembled, rejects, lines)?;
    }
    worker.join().map_err(|_| IngestError::Worker {
        what: "queue_log reader thread",
    })?;
    Ok(load.finish(store)?.0)
}

/// Feeds queue_log events (in windows) into the calls and agent-state loaders.
struct QueueLogLoad {
    shown: String,
    ingest_id: String,
    dry_run: bool,
    options: AssemblyOptions,
    calls: Loader,
    states: Loader,
    carry: Vec<QueueLogEvent>,
    held: u64,
    parse_rejects: Vec<Reject>,
    lines: u64,
    duplicate_lines: u64,
    events: std::collections::BTreeMap<String, u64>,
    open_calls: u64,
    live: LiveState,
    /// Keep the finished calls (a followed log's live view counts them).
    keep_finished: bool,
    finished: Vec<AssembledCall>,
}

impl QueueLogLoad {
    fn new(
        store: &Store,
        shown: &str,
        opts: &IngestOptions,
        ingest_id: &str,
        ring_seconds: f64,
    ) -> Result<Self> {
        let carry: Vec<QueueLogEvent> = store
            .manifest()
            .queue_log_backlog
            .iter()
            .map(|b| {
                QueueLogEvent::new(
                    0,
                    b.time_s,
                    &b.callid,
                    &b.queue,
                    &b.agent,
                    &b.event,
                    std::array::from_fn(|i| b.data[i].as_str()),
                )
            })
            .collect();
        Ok(QueueLogLoad {
            shown: shown.to_owned(),
            ingest_id: ingest_id.to_owned(),
            dry_run: opts.dry_run,
            options: AssemblyOptions { ring_seconds },
            calls: Loader::new(
                store,
                Table::Calls,
                opts,
                ingest_id,
                format!("{shown} → calls"),
                Vec::new(),
            )?,
            states: Loader::new(
                store,
                Table::AgentStates,
                opts,
                ingest_id,
                format!("{shown} → agent_states"),
                Vec::new(),
            )?,
            held: carry.len() as u64,
            carry,
            parse_rejects: Vec::new(),
            lines: 0,
            duplicate_lines: 0,
            events: Default::default(),
            open_calls: 0,
            live: LiveState::default(),
            keep_finished: false,
            finished: Vec::new(),
        })
    }

    fn feed(
        &mut self,
        mut events: Vec<QueueLogEvent>,
        rejects: Vec<Reject>,
        lines: u64,
    ) -> Result<()> {
        events.append(&mut self.carry);
        let assembled = assemble(events, &self.options);
        self.feed_assembled(assembled, rejects, lines)
    }

    /// Loads a replayed window; its `open` lines become the carry.
    fn feed_assembled(
        &mut self,
        assembled: Assembled,
        rejects: Vec<Reject>,
        lines: u64,
    ) -> Result<()> {
        self.lines += lines;
        self.parse_rejects.extend(rejects);
        for c in &assembled.calls {
            let cells = [
                Cell::Text(&c.call_id),
                Cell::Text(&c.queue),
                Cell::TimestampMs(c.arrived_s * 1000),
                Cell::Text(c.outcome),
                Cell::Float(c.wait_s),
                c.agent_id.as_deref().map_or(Cell::Null, Cell::Text),
                c.talk_s.map_or(Cell::Null, Cell::Float),
                Cell::Null,
                Cell::Null,
                c.rings.map_or(Cell::Null, |r| Cell::Int(i64::from(r))),
                Cell::Bool(c.transferred),
                Cell::Null,
                c.caller_id.as_deref().map_or(Cell::Null, Cell::Text),
            ];
            self.calls.on_row(
                super::source::RowPosition {
                    line: c.line,
                    byte: None,
                },
                &cells,
                None,
            )?;
        }
        self.calls.summary.read += assembled.calls.len() as u64;
        for s in &assembled.states {
            let cells = [
                Cell::Text(&s.agent_id),
                Cell::Text(s.state),
                Cell::TimestampMs(s.start_s * 1000),
                Cell::TimestampMs(s.end_s * 1000),
                s.reason.as_deref().map_or(Cell::Null, Cell::Text),
            ];
            self.states.on_row(
                super::source::RowPosition {
                    line: s.line,
                    byte: None,
                },
                &cells,
                None,
            )?;
        }
        self.states.summary.read += assembled.states.len() as u64;
        self.duplicate_lines += assembled.duplicates;
        for (e, n) in assembled.skipped {
            *self.events.entry(e).or_default() += n;
        }
        self.open_calls = assembled.open_calls;
        self.carry = assembled.open;
        self.live = assembled.live;
        if self.keep_finished {
            self.finished.extend(assembled.calls);
        }
        Ok(())
    }

    /// Commits the load; also hands back the replay's live state and finished calls
    /// (the latter only when asked for with `keep_finished`).
    fn finish(self, store: &mut Store) -> Result<(FileSummary, LiveState, Vec<AssembledCall>)> {
        let QueueLogLoad {
            shown,
            ingest_id,
            dry_run,
            calls,
            states,
            carry,
            held,
            parse_rejects,
            lines,
            duplicate_lines,
            events,
            open_calls,
            live,
            finished,
            ..
        } = self;
        let ingest_id = ingest_id.as_str();
        let (call_summary, mut staged, _) = calls.finish(store, ingest_id, None)?;
        let (state_summary, more, _) = states.finish(store, ingest_id, None)?;
        staged.extend(more);
        let mut summary = FileSummary {
            path: shown.clone(),
            kind: "queue_log".into(),
            read: call_summary.read + parse_rejects.len() as u64 + open_calls,
            loaded: call_summary.loaded,
            rejected: call_summary.rejected + parse_rejects.len() as u64,
            duplicates: call_summary.duplicates,
            open: open_calls,
            lines: Some(lines),
            held_back_lines: Some(carry.len() as u64),
            duplicate_lines: Some(duplicate_lines),
            events,
            ..FileSummary::default()
        };
        if held > 0 {
            summary.warnings.push(format!(
                "replayed {held} lines held back from an earlier queue_log ingest"
            ));
        }
        summary.first_rejects = parse_rejects
            .iter()
            .take(10)
            .map(Reject::describe)
            .chain(call_summary.first_rejects.iter().cloned())
            .take(10)
            .collect();
        if !parse_rejects.is_empty() && !dry_run {
            let rel = format!("rejects/queue_log/{ingest_id}.csv");
            rejects::write(&store.root().join(&rel), None, &parse_rejects)?;
            summary.rejects_path = Some(store.root().join(&rel).display().to_string());
        } else if call_summary.rejects_path.is_some() {
            summary.rejects_path = call_summary.rejects_path.clone();
        }
        summary.agent_states = Some(Box::new(state_summary.clone()));
        summary.calls = Some(Box::new(call_summary.clone()));
        if dry_run {
            return Ok((summary, live, finished));
        }
        let backlog: Vec<BacklogEvent> = carry
            .into_iter()
            .map(|e| BacklogEvent {
                time_s: e.time_s,
                callid: e.callid().to_owned(),
                queue: e.queue().to_owned(),
                agent: e.agent().to_owned(),
                event: e.event().to_owned(),
                data: e.data_fields().map(str::to_owned),
            })
            .collect();
        let records = vec![
            call_summary.record(ingest_id, Table::Calls),
            state_summary.record(ingest_id, Table::AgentStates),
        ];
        store
            .commit(staged, records, Some(backlog))
            .map_err(IngestError::Commit)?;
        Ok((summary, live, finished))
    }
}

/// Follows a growing raw queue_log (`--follow`): every `poll` it reads the complete
/// lines appended since the last look and loads them (one commit per batch, taking the
/// store's writer lock only for that moment). A file that shrinks (truncated) or is
/// replaced (a new inode: rotated) is finished from the old handle and then read from
/// its start. Runs until interrupted; every batch is committed whole, so stopping at
/// any moment (Ctrl-C, kill) leaves the store consistent, and lines read twice are
/// duplicates, so each call is stored exactly once. With `opts.summaries` each batch
/// also brings the report summaries up to date.
pub fn follow(
    data_dir: &Path,
    path: &Path,
    opts: &IngestOptions,
    poll: std::time::Duration,
    mut report: impl FnMut(&FileSummary),
) -> Result<()> {
    let never = std::sync::atomic::AtomicBool::new(false);
    follow_until(data_dir, path, opts, poll, &never, |b| report(&b.summary))
}

/// [`follow`] until `stop` is set (looked at every `poll`), handing each batch's
/// summary, live state and finished calls to `report`. The first batch is the whole
/// file as it stands (its calls already stored count as duplicates), so the live
/// state is known from the first poll.
pub fn follow_until(
    data_dir: &Path,
    path: &Path,
    opts: &IngestOptions,
    poll: std::time::Duration,
    stop: &std::sync::atomic::AtomicBool,
    mut report: impl FnMut(FollowBatch),
) -> Result<()> {
    use std::io::{Seek, SeekFrom};
    use std::os::unix::fs::MetadataExt;
    use std::sync::atomic::Ordering;
    let shown = path.display().to_string();
    let open = || -> Result<(std::fs::File, u64)> {
        let f = std::fs::File::open(path).on(&shown, "cannot open the file")?;
        let ino = f.metadata().map(|m| m.ino()).unwrap_or(0);
        Ok((f, ino))
    };
    let (mut file, mut ino) = open()?;
    let mut offset = 0u64;
    let mut pending: Vec<u8> = Vec::new();
    let mut next_line = 1u64;
    while !stop.load(Ordering::Relaxed) {
        // New bytes of the current file.
        let mut chunk = Vec::new();
        file.seek(SeekFrom::Start(offset))
            .on(&shown, "cannot seek")?;
        file.read_to_end(&mut chunk).on(&shown, "cannot read")?;
        offset += chunk.len() as u64;
        pending.extend_from_slice(&chunk);
        // Rotation: the path now names another file, or this one shrank.
        let rotated = match std::fs::metadata(path) {
            Ok(m) => m.ino() != ino || m.len() < offset,
            Err(_) => false, // between a rename and the new file's creation
        };
        let complete = pending
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        if complete > 0 || rotated {
            let take = if rotated { pending.len() } else { complete };
            let batch: Vec<u8> = pending.drain(..take).collect();
            let text = String::from_utf8_lossy(&batch);
            let (events, rejects, lines) = parse_raw_lines(&text, next_line, &opts.zone);
            next_line += text.lines().count() as u64;
            if lines > 0 {
                let mut store = Store::open_for_write(data_dir)?;
                let id = store.next_ingest_id(chrono::Utc::now());
                let mut load = QueueLogLoad::new(&store, &shown, opts, &id, opts.ring_seconds)?;
                load.keep_finished = true;
                load.feed(events, rejects, lines)?;
                let (summary, live, finished) = load.finish(&mut store)?;
                // Each batch updates the report summaries from the minutes it added, so
                // reports on a followed log stay fast.
                if opts.summaries {
                    crate::store::summaries::refresh(&store)?;
                }
                drop(store);
                report(FollowBatch {
                    summary,
                    live,
                    finished,
                });
            }
        }
        if rotated && std::fs::metadata(path).is_ok() {
            let (f, i) = open()?;
            file = f;
            ino = i;
            offset = 0;
            pending.clear();
            next_line = 1;
            continue;
        }
        std::thread::sleep(poll);
    }
    Ok(())
}

#[cfg(test)]
mod fuzz {
    //! Arbitrary input never panics the queue_log parser or the replay, and every line
    //! is accounted for. Run longer with `PROPTEST_CASES=100000 cargo test fuzz`.

    use super::*;
    use proptest::prelude::*;

    fn line_like() -> impl Strategy<Value = String> {
        let events = prop::sample::select(vec![
            "ENTERQUEUE",
            "CONNECT",
            "COMPLETEAGENT",
            "COMPLETECALLER",
            "TRANSFER",
            "ATTENDEDTRANSFER",
            "ABANDON",
            "EXITWITHTIMEOUT",
            "EXITWITHKEY",
            "FULL",
            "ADDMEMBER",
            "REMOVEMEMBER",
            "PAUSE",
            "UNPAUSE",
            "QUEUESTART",
            "X",
        ]);
        (
            0i64..50,
            0u8..4,
            events,
            prop::collection::vec("[0-9a-z|]{0,6}", 0..6),
        )
            .prop_map(|(t, c, e, data)| {
                format!(
                    "{}|c{c}|q|SIP/{c}|{e}|{}",
                    1_700_000_000 + t,
                    data.join("|")
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
            let (events, rejects, lines) = parse_raw_lines(&text, 1, &TimeZoneSpec::Utc);
            prop_assert_eq!(events.len() as u64 + rejects.len() as u64, lines);
            let a = assemble(events, &AssemblyOptions::default());
            prop_assert!(a.calls.iter().all(|c| c.wait_s >= 0.0));
        }

        #[test]
        fn plausible_logs_account_for_every_line(lines in prop::collection::vec(line_like(), 0..60)) {
            let text = lines.join("\n");
            let (events, rejects, n) = parse_raw_lines(&text, 1, &TimeZoneSpec::Utc);
            prop_assert_eq!(rejects.len(), 0);
            let count = events.len() as u64;
            prop_assert_eq!(count, n);
            let a = assemble(events, &AssemblyOptions::default());
            let skipped: u64 = a.skipped.values().sum();
            prop_assert_eq!(a.used + a.duplicates + skipped + a.open_input_lines, count);
            for c in &a.calls {
                prop_assert!(c.wait_s.is_finite() && c.wait_s >= 0.0);
                prop_assert!(c.talk_s.is_none_or(|t| t.is_finite() && t >= 0.0));
            }
            for s in &a.states {
                prop_assert!(s.end_s > s.start_s);
            }
        }
    }
}
