//! Ingest: input files → validated canonical rows → the store, with rejects.
//!
//! Per file: the format and table are settled first ([`plan`]; a file that cannot be
//! used at all is refused before anything is written). Then rows stream through the
//! validator in one pass; good rows are de-duplicated against the store's keys and
//! gathered per partition (UTC day) into columnar builders, which a background thread
//! writes to Parquet in `tmp/`; bad rows go to the rejects list with their line,
//! column and reason. At the end the rejects file is written and the batch committed
//! through the manifest, so the file is loaded wholly or not at all.
//!
//! `read = loaded + rejected + duplicates + skipped + open` holds for every file.

mod batch;
mod error;
mod load;
pub mod mapping;
pub mod queue_log;
mod rejects;
mod source;
mod updates;

pub use batch::{TableBuilder, stored_dtype};
pub use source::{Format, LineIndex, SourceFile};

use crate::store::{IngestRecord, KeyIndex, KeyPart, StagedFile, Store, key_hash, stage_parquet};
use callboard_core::schema::{Required, Table};
use callboard_core::time::{DAY_MS, TimeZoneSpec, format_date};
use callboard_core::validate::{Cell, IntervalIndex, RowValidator, Value};
use error::Result;
use rejects::Reject;
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;
use updates::UpdateState;

pub use error::{IngestError, On};
pub use load::{IngestReport, LoadRequest, Totals, load, parse_kind, refresh_summaries};

/// The partition key of tables stored in one partition.
const UNPARTITIONED: i32 = i32::MIN;

/// The partition's directory value: `YYYY-MM-DD`, or `all`.
fn partition_name(p: i32) -> String {
    if p == UNPARTITIONED {
        "all".to_owned()
    } else {
        format_date(p)
    }
}

/// Rows gathered in one partition before it is written out.
const FLUSH_ROWS: usize = 1 << 19;
/// Rows gathered over all partitions before every partition is written out.
const MAX_BUFFERED: usize = 1 << 21;

/// What one file's ingest did (the `files[]` entry of `cli.md`).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct FileSummary {
    /// The file as given.
    pub path: String,
    /// Table (or `queue_log`).
    pub kind: String,
    /// Data rows read.
    pub read: u64,
    /// Rows loaded (new rows and updates).
    pub loaded: u64,
    /// Rows rejected (see the rejects file).
    pub rejected: u64,
    /// Rows already stored (or repeated in the file).
    pub duplicates: u64,
    /// Rows a mapping rule dropped on purpose.
    pub skipped: u64,
    /// queue_log calls not yet ended, held back.
    pub open: u64,
    /// Of `loaded`, rows that updated a stored ticket or agent.
    pub updated: u64,
    /// Where the rejected rows are, if any were written.
    pub rejects_path: Option<String>,
    /// Things worth knowing that did not stop the load (ignored columns, …).
    pub warnings: Vec<String>,
    /// The first rejects, for the screen (not in JSON).
    #[serde(skip)]
    pub first_rejects: Vec<String>,
    /// queue_log: lines read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<u64>,
    /// queue_log: exact repeats of a line (counted once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duplicate_lines: Option<u64>,
    /// queue_log: lines of unfinished calls and agent sessions held back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_back_lines: Option<u64>,
    /// queue_log: lines that are not part of a call or agent state, by event name.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub events: std::collections::BTreeMap<String, u64>,
    /// queue_log: the calls it produced, as loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<Box<FileSummary>>,
    /// queue_log: the agent states it produced, as loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent_states: Option<Box<FileSummary>>,
}

/// Settings of one ingest run.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Table forced by `--kind`.
    pub kind: Option<Table>,
    /// Zone for timestamps without offset.
    pub zone: TimeZoneSpec,
    /// Validate and report without writing.
    pub dry_run: bool,
    /// Draw a progress bar.
    pub progress: bool,
    /// Read every file as an Asterisk queue_log (`--kind queue_log`).
    pub queue_log: bool,
    /// Seconds per ring when turning queue_log ring time into rings.
    pub ring_seconds: f64,
    /// Bring the report summaries up to date at the end of the command (when
    /// something they are made from changed).
    pub summaries: bool,
}

/// A file ready to ingest: its source, table, and column map.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The source.
    pub source: SourceFile,
    /// The table it loads into.
    pub table: Table,
    /// `map[j]` = the file column of spec column `j`.
    pub map: Vec<Option<usize>>,
    /// Warnings found while planning.
    pub warnings: Vec<String>,
}

/// Opens `path` and settles its table and columns. Refuses, with one sentence naming
/// the file, a file that cannot be used at all.
pub fn plan(path: &Path, kind: Option<Table>) -> Result<Plan> {
    let source = SourceFile::open(path)?;
    let shown = path.display();
    let mut seen = HashMap::new();
    for (i, h) in source.header.iter().enumerate() {
        if let Some(prev) = seen.insert(h.as_str(), i) {
            return Err(IngestError::at_line(
                &shown,
                1,
                format!(
                    "column {h:?} appears twice (columns {} and {}); rename or remove one",
                    prev + 1,
                    i + 1
                ),
            ));
        }
    }
    let table = match kind {
        Some(t) => t,
        None => Table::guess_from_header(&source.header).ok_or_else(|| {
            IngestError::input(&shown, format!("cannot tell which table this is from its header ({}); name it with --kind (calls, agent_states, schedules, agents, qa, costs, tickets)",
                source.header.join(", ")
            ))
        })?,
    };
    let spec = table.spec();
    let map: Vec<Option<usize>> = spec
        .columns
        .iter()
        .map(|c| seen.get(c.name).copied())
        .collect();
    let missing: Vec<&str> = spec
        .columns
        .iter()
        .zip(&map)
        .filter(|(c, m)| c.required == Required::Yes && m.is_none())
        .map(|(c, _)| c.name)
        .collect();
    if !missing.is_empty() {
        return Err(IngestError::input(
            &shown,
            format!(
                "missing required column{} {} for the {table} table; add {} to the header (see docs/data-model.md)",
                if missing.len() > 1 { "s" } else { "" },
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if missing.len() > 1 { "them" } else { "it" }
            ),
        ));
    }
    let unknown: Vec<&str> = source
        .header
        .iter()
        .filter(|h| spec.index_of(h).is_none())
        .map(String::as_str)
        .collect();
    let mut warnings = Vec::new();
    if !unknown.is_empty() {
        warnings.push(format!(
            "ignored columns not in the {table} table: {}",
            unknown.join(", ")
        ));
    }
    Ok(Plan {
        source,
        table,
        map,
        warnings,
    })
}

/// Ingests one planned file into `store` (or only validates it, with `dry_run`).
pub fn ingest_file(
    store: &mut Store,
    plan: &Plan,
    opts: &IngestOptions,
    ingest_id: &str,
) -> Result<FileSummary> {
    let mut loader = Loader::new(
        store,
        plan.table,
        opts,
        ingest_id,
        plan.source.path.display().to_string(),
        plan.warnings.clone(),
    )?;
    let bar = progress_bar(opts.progress, &plan.source);
    let read = plan.source.for_each_row(
        &plan.map,
        &opts.zone,
        |done| {
            if let Some(b) = &bar {
                b.set_position(done);
            }
        },
        |pos, cells, problem| loader.on_row(pos, cells, problem),
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let read = match read {
        Ok(r) => r,
        Err(e) => {
            // A dead writer thread is the root cause of a failed send: report it.
            return Err(loader.abandon().unwrap_or(e));
        }
    };
    loader.summary.read = read;
    let (summary, staged, currency) = loader.finish(store, ingest_id, Some(&plan.source))?;
    if opts.dry_run {
        return Ok(summary);
    }
    if let Some(c) = currency {
        store.set_currency(&c);
    }
    store
        .commit(staged, vec![summary.record(ingest_id, plan.table)], None)
        .map_err(IngestError::Commit)?;
    Ok(summary)
}

impl FileSummary {
    /// The manifest's record of this load.
    pub fn record(&self, ingest_id: &str, table: Table) -> IngestRecord {
        IngestRecord {
            id: ingest_id.to_owned(),
            source: self.path.clone(),
            table: table.name().to_owned(),
            read: self.read,
            loaded: self.loaded,
            rejected: self.rejected,
            duplicates: self.duplicates,
            updated: Some(self.updated),
        }
    }
}

fn progress_bar(enabled: bool, source: &SourceFile) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() || source.size < 4 << 20 {
        return None;
    }
    let (len, template) = match source.format {
        Format::Csv { .. } => (
            source.size,
            "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        ),
        Format::Parquet => (0, "{msg} {pos} rows {per_sec}"),
    };
    let bar = if len > 0 {
        indicatif::ProgressBar::new(len)
    } else {
        indicatif::ProgressBar::no_length()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(template)
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(source.path.display().to_string());
    Some(bar)
}

struct Loader {
    validator: RowValidator,
    keys: KeyIndex,
    updates: Option<UpdateState>,
    intervals: Option<IntervalIndex>,
    /// Stored files whose keys are read when a row of their day first comes (tables
    /// whose key holds the partition column, so a duplicate can only be in its day).
    key_days: Option<DayFiles>,
    /// Stored agent-state files read when a new interval could overlap them, and
    /// the longest stored interval (how far back from its day one can reach).
    interval_days: Option<(DayFiles, i64)>,
    key_idx: Vec<usize>,
    partition_idx: Option<usize>,
    currency_idx: Option<usize>,
    agent_idx: Option<usize>,
    currency: Option<String>,
    /// Builders by partition (days since 1970-01-01; [`UNPARTITIONED`] for one).
    builders: HashMap<i32, TableBuilder>,
    buffered: usize,
    writer: Option<StageWriter>,
    rejects: Vec<Reject>,
    summary: FileSummary,
    keybuf: Vec<u8>,
}

/// A table's stored files by partition day, each read into an index the first
/// time a row needs its day: loading one day into a year of data reads that day,
/// not the year.
struct DayFiles(std::collections::BTreeMap<i32, Vec<std::path::PathBuf>>);

impl DayFiles {
    /// `None` when a stored file has no day (then everything is read up front).
    fn new(store: &Store, table: Table) -> Option<DayFiles> {
        let mut by_day: std::collections::BTreeMap<i32, Vec<std::path::PathBuf>> =
            Default::default();
        for (f, path) in store.manifest().files(table).iter().zip(store.files(table)) {
            by_day.entry(f.day()?).or_default().push(path);
        }
        Some(DayFiles(by_day))
    }

    /// The files of days `lo..=hi` not taken before.
    fn take(&mut self, lo: i32, hi: i32) -> Vec<std::path::PathBuf> {
        if self.0.is_empty() || lo > hi {
            return Vec::new();
        }
        let days: Vec<i32> = self.0.range(lo..=hi).map(|(d, _)| *d).collect();
        days.into_iter()
            .flat_map(|d| self.0.remove(&d).unwrap_or_default())
            .collect()
    }
}

/// What a finished (not dry-run) load leaves to commit: its summary, its staged
/// files, and the currency it fixed.
type Finished = (FileSummary, Vec<StagedFile>, Option<String>);

impl Loader {
    /// A loader of `table` rows into `store` (reading its keys, update state and
    /// agent intervals as the table needs).
    fn new(
        store: &Store,
        table: Table,
        opts: &IngestOptions,
        ingest_id: &str,
        path: String,
        warnings: Vec<String>,
    ) -> Result<Loader> {
        let spec = table.spec();
        // Agent states are keyed by (agent, start), which the overlap index holds
        // anyway: a stored start is a duplicate there, and no key set is kept.
        let key_days = (!spec.updates
            && table != Table::AgentStates
            && spec.partition_by.is_some_and(|p| spec.key.contains(&p)))
        .then(|| DayFiles::new(store, table))
        .flatten();
        // Lazily only when every stored file says how long its longest interval is.
        let interval_days = (table == Table::AgentStates)
            .then(|| {
                let spans: Option<Vec<i64>> = store
                    .manifest()
                    .files(table)
                    .iter()
                    .map(|f| f.max_span_ms)
                    .collect();
                let longest = spans?.into_iter().max().unwrap_or(0);
                DayFiles::new(store, table).map(|d| (d, longest))
            })
            .flatten();
        Ok(Loader {
            validator: RowValidator::new(spec, opts.zone),
            keys: if spec.updates || key_days.is_some() || table == Table::AgentStates {
                KeyIndex::default()
            } else {
                KeyIndex::load(store, table)?
            },
            updates: if spec.updates {
                Some(UpdateState::load(store, table)?)
            } else {
                None
            },
            intervals: match (table, &interval_days) {
                (Table::AgentStates, Some(_)) => Some(IntervalIndex::new()),
                (Table::AgentStates, None) => Some(updates::load_intervals(store)?),
                _ => None,
            },
            key_days,
            interval_days,
            key_idx: spec
                .key
                .iter()
                .map(|k| spec.index_of(k).expect("keys name columns"))
                .collect(),
            partition_idx: spec
                .partition_by
                .map(|p| spec.index_of(p).expect("partition names a column")),
            currency_idx: (table == Table::Costs)
                .then(|| spec.index_of("currency").expect("costs have a currency")),
            agent_idx: spec.index_of("agent_id"),
            currency: store.manifest().currency.clone(),
            builders: HashMap::new(),
            buffered: 0,
            writer: if opts.dry_run {
                None
            } else {
                Some(StageWriter::spawn(
                    store.tmp_dir(),
                    table,
                    ingest_id.to_owned(),
                ))
            },
            rejects: Vec::new(),
            summary: FileSummary {
                path,
                kind: table.name().to_owned(),
                warnings,
                ..FileSummary::default()
            },
            keybuf: Vec::with_capacity(64),
        })
    }

    /// Checks the counts, writes what is buffered and the rejects file (a dry run
    /// writes nothing and stages no files).
    fn finish(
        self,
        store: &Store,
        ingest_id: &str,
        source: Option<&SourceFile>,
    ) -> Result<Finished> {
        let table = self.validator.spec().table;
        let Loader {
            mut summary,
            rejects,
            writer,
            mut builders,
            currency,
            ..
        } = self;
        let s = &summary;
        if s.read != s.loaded + s.rejected + s.duplicates + s.skipped + s.open {
            return Err(IngestError::Counts {
                file: s.path.clone(),
            });
        }
        summary.first_rejects = rejects.iter().take(10).map(Reject::describe).collect();
        let Some(writer) = writer else {
            return Ok((summary, Vec::new(), None));
        };
        let mut parts: Vec<i32> = builders.keys().copied().collect();
        parts.sort_unstable();
        for p in parts {
            let b = builders.get_mut(&p).expect("listed partition");
            if !b.is_empty() {
                writer.send(&partition_name(p), b.take())?;
            }
        }
        let staged = writer.finish()?;
        if !rejects.is_empty() {
            let rel = format!("rejects/{}/{ingest_id}.csv", table.name());
            rejects::write(&store.root().join(&rel), source, &rejects)?;
            summary.rejects_path = Some(store.root().join(&rel).display().to_string());
        }
        Ok((summary, staged, currency))
    }

    fn reject(
        &mut self,
        pos: source::RowPosition,
        column: Option<&str>,
        reason: String,
        cells: &[Cell<'_>],
    ) {
        self.summary.rejected += 1;
        self.rejects.push(Reject {
            line: pos.line,
            byte: pos.byte,
            column: column.map(str::to_owned),
            reason,
            rendered: if pos.byte.is_none() {
                Some(source::cells_as_text(cells))
            } else {
                None
            },
        });
    }

    fn on_row(
        &mut self,
        pos: source::RowPosition,
        cells: &[Cell<'_>],
        problem: Option<&str>,
    ) -> Result<()> {
        if let Some(p) = problem {
            let col = p
                .split(':')
                .next()
                .filter(|c| !c.contains(' '))
                .map(str::to_owned);
            self.reject(pos, col.as_deref(), p.to_owned(), cells);
            return Ok(());
        }
        let spec = self.validator.spec();
        let checked = if self.updates.is_some() {
            self.validator.parse_fields(cells)
        } else {
            self.validator.validate(cells)
        };
        let row = match checked {
            Ok(r) => r,
            Err(e) => {
                let col = e.column.map(|c| spec.columns[c].name);
                self.reject(pos, col, e.reason, cells);
                return Ok(());
            }
        };
        let width = spec.columns.len();
        let day = match self.partition_idx.map(|p| row[p]) {
            Some(Value::TimestampMs(t)) => Some(t.div_euclid(DAY_MS) as i32),
            _ => None,
        };
        if let Some(kd) = &mut self.key_days {
            // This day's stored keys (all of them for a row without a day).
            let (lo, hi) = day.map_or((i32::MIN, i32::MAX), |d| (d, d));
            for path in kd.take(lo, hi) {
                self.keys.add_file(spec.table, &path)?;
            }
        }
        let parts: [KeyPart<'_>; 3] =
            std::array::from_fn(|i| match self.key_idx.get(i).map(|&k| row[k]) {
                Some(Value::Str(s)) => KeyPart::Str(s),
                Some(Value::TimestampMs(t)) => KeyPart::Int(t),
                Some(Value::DateDays(d)) => KeyPart::Int(i64::from(d)),
                _ => KeyPart::Null,
            });
        let h = key_hash(&parts[..self.key_idx.len()], &mut self.keybuf);
        if let Some(state) = &mut self.updates {
            match state.apply(h, &row[..width], &self.validator) {
                updates::Applied::Duplicate => {
                    self.summary.duplicates += 1;
                    return Ok(());
                }
                updates::Applied::Invalid(e) => {
                    let col = e.column.map(|c| spec.columns[c].name);
                    let reason = format!(
                        "{} (checked on the row merged with the stored one)",
                        e.reason
                    );
                    self.reject(pos, col, reason, cells);
                    return Ok(());
                }
                updates::Applied::Updated => self.summary.updated += 1,
                updates::Applied::New => {}
            }
        } else if self.intervals.is_none() && !self.keys.insert_new(h) {
            // Recorded at once (one probe of the set, not two); taken back below if
            // the row is refused after all.
            self.summary.duplicates += 1;
            return Ok(());
        }
        if let (Some(iv), Some(a)) = (&mut self.intervals, self.agent_idx) {
            let agent = row[a].as_str().unwrap_or_default();
            let (s, e) = (
                row[2].timestamp_ms().unwrap_or(0),
                row[3].timestamp_ms().unwrap_or(0),
            );
            if let Some((days, longest)) = &mut self.interval_days {
                // Stored intervals that can overlap [s, e) start after s − longest.
                let lo = s.saturating_sub(*longest).div_euclid(DAY_MS) as i32;
                let hi = (e.max(s + 1) - 1).div_euclid(DAY_MS) as i32;
                for path in days.take(lo, hi) {
                    updates::add_intervals(iv, &path)?;
                }
            }
            if iv.starts_at(agent, s) {
                // The key (agent, start) is stored or loaded earlier in this file.
                self.summary.duplicates += 1;
                return Ok(());
            }
            if let Some((os, oe)) = iv.overlapping(agent, s, e) {
                let reason = format!(
                    "start: overlaps this agent's interval {} – {} loaded earlier",
                    callboard_core::time::format_timestamp(os),
                    callboard_core::time::format_timestamp(oe)
                );
                // (Agent states keep no key set: nothing to take back.)
                self.reject(pos, Some("start"), reason, cells);
                return Ok(());
            }
            iv.insert(agent, s, e);
        }
        if let Some(ci) = self.currency_idx
            && let Some(c) = row[ci].as_str()
        {
            match &self.currency {
                Some(store) if store != c => {
                    let reason = format!(
                        "currency: {c} differs from the store's currency {store}; one currency per store"
                    );
                    self.reject(pos, Some("currency"), reason, cells);
                    if self.updates.is_none() {
                        self.keys.remove(h);
                    }
                    return Ok(());
                }
                Some(_) => {}
                None => self.currency = Some(c.to_owned()),
            }
        }
        let partition = match self.partition_idx.map(|p| row[p]) {
            Some(Value::TimestampMs(t)) => t.div_euclid(DAY_MS) as i32,
            _ => UNPARTITIONED,
        };
        self.summary.loaded += 1;
        if self.writer.is_none() {
            return Ok(()); // dry run: validate and count only
        }
        let b = self
            .builders
            .entry(partition)
            .or_insert_with(|| TableBuilder::new(spec, 4096));
        b.push(&row[..width]);
        self.buffered += 1;
        if b.len() >= FLUSH_ROWS {
            let df = b.take();
            self.buffered -= df.height();
            self.send(partition, df)?;
        }
        if self.buffered >= MAX_BUFFERED {
            let mut parts: Vec<i32> = self.builders.keys().copied().collect();
            parts.sort_unstable();
            for p in parts {
                let df = self.builders.get_mut(&p).expect("listed partition").take();
                if df.height() > 0 {
                    self.send(p, df)?;
                }
            }
            self.buffered = 0;
        }
        Ok(())
    }

    fn send(&mut self, partition: i32, df: polars::prelude::DataFrame) -> Result<()> {
        match &self.writer {
            Some(w) => w.send(&partition_name(partition), df),
            None => Ok(()),
        }
    }

    /// Stops the writer and deletes what it staged (the next writer would clear
    /// `tmp/` anyway); returns the writer's own error, if it failed.
    fn abandon(&mut self) -> Option<IngestError> {
        match self.writer.take()?.finish() {
            Ok(staged) => {
                for s in staged {
                    // Best effort: the next writer clears tmp/ in any case.
                    let _leftover = std::fs::remove_file(s.tmp_path);
                }
                None
            }
            Err(e) => Some(e),
        }
    }
}

/// Writes partitions to Parquet on a second thread while the first parses.
struct StageWriter {
    tx: SyncSender<(String, polars::prelude::DataFrame)>,
    handle: JoinHandle<Result<Vec<StagedFile>>>,
}

impl StageWriter {
    fn spawn(tmp_dir: std::path::PathBuf, table: Table, ingest_id: String) -> Self {
        let (tx, rx) = sync_channel::<(String, polars::prelude::DataFrame)>(2);
        let handle = std::thread::spawn(move || {
            let mut staged = Vec::new();
            for (seq, (partition, mut df)) in rx.into_iter().enumerate() {
                staged.push(stage_parquet(
                    &tmp_dir, table, &partition, &ingest_id, seq, &mut df,
                )?);
            }
            Ok(staged)
        });
        StageWriter { tx, handle }
    }

    fn send(&self, partition: &str, df: polars::prelude::DataFrame) -> Result<()> {
        // A closed channel means the writer failed; its error comes out of `finish`.
        self.tx
            .send((partition.to_owned(), df))
            .map_err(|_| IngestError::Worker {
                what: "Parquet writer",
            })
    }

    fn finish(self) -> Result<Vec<StagedFile>> {
        drop(self.tx);
        self.handle.join().map_err(|_| IngestError::Worker {
            what: "Parquet writer thread",
        })?
    }
}
