//! One ingest, start to finish: every file planned first (the command is refused
//! before anything is written if one cannot be used), then loaded one by one, each
//! its own commit, then the report summaries brought up to date. The CLI, `--follow`,
//! `demo` and any other front end call [`load`]; nothing else orchestrates an ingest.

use super::error::{IngestError, On, Result};
use super::{FileSummary, IngestOptions, Plan, ingest_file, mapping, plan, queue_log};
use crate::store::Store;
use crate::store::summaries::{self, Refreshed};
use callboard_core::schema::Table;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What to load.
#[derive(Debug, Clone)]
pub struct LoadRequest {
    /// CSV, Parquet or queue_log files.
    pub files: Vec<PathBuf>,
    /// Read every file through this vendor mapping (TOML).
    pub mapping: Option<PathBuf>,
    /// Table, zone, dry run, summaries, …
    pub options: IngestOptions,
}

/// The summary of an ingest (`ingest --format json`, docs/cli.md).
#[derive(Debug, Serialize)]
pub struct IngestReport {
    /// One entry per file.
    pub files: Vec<FileSummary>,
    /// Sums over the files.
    pub totals: Totals,
    /// What bringing the store's per-slot summaries up to date took (`None`: they
    /// were current, or a dry run, or summaries were not asked for).
    #[serde(skip)]
    pub summaries: Option<Refreshed>,
}

/// Sums over files: `read = loaded + rejected + duplicates + skipped + open`.
#[derive(Debug, Default, Serialize)]
pub struct Totals {
    /// Rows read.
    pub read: u64,
    /// Rows loaded.
    pub loaded: u64,
    /// Rows refused, with reasons in the rejects files.
    pub rejected: u64,
    /// Rows already stored.
    pub duplicates: u64,
    /// Rows a mapping drops on purpose.
    pub skipped: u64,
    /// queue_log calls not yet ended, held back.
    pub open: u64,
}

impl IngestReport {
    fn add(&mut self, s: FileSummary) {
        let t = &mut self.totals;
        t.read += s.read;
        t.loaded += s.loaded;
        t.rejected += s.rejected;
        t.duplicates += s.duplicates;
        t.skipped += s.skipped;
        t.open += s.open;
        self.files.push(s);
    }
}

/// Parses a kind word: a table, or `(None, true)` for `queue_log`.
pub fn parse_kind(kind: Option<&str>) -> Result<(Option<Table>, bool)> {
    match kind {
        None => Ok((None, false)),
        Some("queue_log") => Ok((None, true)),
        Some(k) => match Table::from_kind(k) {
            Some(t) => Ok((Some(t), false)),
            None => Err(IngestError::UnknownKind {
                given: k.to_owned(),
            }),
        },
    }
}

/// Loads the files into the store at `data_dir`, then (unless a dry run or
/// `options.summaries` is off) brings the report summaries up to date.
pub fn load(data_dir: &Path, req: &LoadRequest) -> Result<IngestReport> {
    let opts = &req.options;
    let (mut report, store) = match &req.mapping {
        Some(m) => load_mapped(data_dir, m, &req.files, opts)?,
        None => load_files(data_dir, &req.files, opts)?,
    };
    // Still holding the writer's lock: no other ingest commits meanwhile.
    if opts.summaries && !opts.dry_run {
        report.summaries = summaries::refresh(&store)?;
    }
    Ok(report)
}

/// Brings the store's report summaries up to the store's files (what every ingest
/// does at its end); `None` when they were current.
pub fn refresh_summaries(data_dir: &Path) -> Result<Option<Refreshed>> {
    if !data_dir.join(crate::store::MANIFEST).exists() {
        return Err(IngestError::input(
            data_dir.display(),
            "holds no store yet; load data first",
        ));
    }
    let store = Store::open_for_write(data_dir)?;
    Ok(summaries::refresh(&store)?)
}

fn load_files(
    data_dir: &Path,
    files: &[PathBuf],
    opts: &IngestOptions,
) -> Result<(IngestReport, Store)> {
    // Settle every file first: refuse the command, before writing anything, if one
    // cannot be used at all.
    enum Job {
        Table(Plan),
        QueueLog(PathBuf, queue_log::Dialect),
    }
    let jobs: Vec<Job> = files
        .iter()
        .map(|f| {
            let sniffed = if opts.kind.is_none() { queue_log::sniff(f) } else { None };
            match (opts.queue_log, sniffed) {
                (_, Some(d)) => Ok(Job::QueueLog(f.clone(), d)),
                (true, None) => {
                    std::fs::metadata(f).on(f.display(), "cannot open the file")?;
                    Err(IngestError::input(f.display(), "not a queue_log file (neither the raw epoch|callid|queue|agent|event lines, nor a database or PBXware export with callid and event columns)"))
                }
                (false, None) => plan(f, opts.kind).map(Job::Table),
            }
        })
        .collect::<Result<_>>()?;
    let mut store = open(data_dir, opts)?;
    let mut report = empty_report();
    for job in &jobs {
        let id = store.next_ingest_id(chrono::Utc::now());
        let s = match job {
            Job::Table(p) => ingest_file(&mut store, p, opts, &id)?,
            Job::QueueLog(path, dialect) => {
                queue_log::ingest(&mut store, path, *dialect, opts, &id, opts.ring_seconds)?
            }
        };
        report.add(s);
    }
    Ok((report, store))
}

fn load_mapped(
    data_dir: &Path,
    mapping_file: &Path,
    files: &[PathBuf],
    opts: &IngestOptions,
) -> Result<(IngestReport, Store)> {
    let mapping = mapping::Mapping::load(mapping_file)?;
    for f in files {
        std::fs::metadata(f).on(f.display(), "cannot open the file")?;
    }
    let mut store = open(data_dir, opts)?;
    let mut report = empty_report();
    for f in files {
        let id = store.next_ingest_id(chrono::Utc::now());
        let s = mapping::ingest(&mut store, &mapping, f, opts, &id)?;
        report.add(s);
    }
    Ok((report, store))
}

fn open(data_dir: &Path, opts: &IngestOptions) -> Result<Store> {
    Ok(if opts.dry_run {
        Store::open_read(data_dir)?
    } else {
        Store::open_for_write(data_dir)?
    })
}

fn empty_report() -> IngestReport {
    IngestReport {
        files: Vec::new(),
        totals: Totals::default(),
        summaries: None,
    }
}
