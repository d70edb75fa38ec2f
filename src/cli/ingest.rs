//! `callboard ingest`: files → the store, with a summary and a rejects file per file.

use super::DataDir;
use crate::ingest::{FileSummary, IngestOptions, Plan, ingest_file, plan, queue_log};
use crate::store::Store;
use anyhow::{Result, bail};
use callboard_core::schema::Table;
use callboard_core::time::TimeZoneSpec;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Output format of summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SummaryFormat {
    /// Human-readable lines.
    Table,
    /// The JSON shape of docs/cli.md.
    Json,
}

/// Flags of `callboard ingest`.
///
/// Every row is checked against the rules of docs/data-model.md. Good rows are
/// loaded; bad rows are not, and go with their line, column and reason to
/// <data-dir>/rejects/<table>/<ingest-id>.csv. Rows already stored (same call_id,
/// agent + start, …) are counted as duplicates, so loading a file twice is harmless.
/// A file is loaded wholly or not at all, even if the process is killed.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  callboard ingest calls.csv agent_states.csv\n  callboard ingest --kind calls --timezone Europe/Paris export.csv\n  callboard ingest --dry-run --format json calls.parquet"
)]
pub struct Args {
    #[command(flatten)]
    data: DataDir,
    /// Table of every file: calls, agent_states, schedules, agents, qa, costs, tickets,
    /// or queue_log (Asterisk's queue log: raw pipe file, database export or PBXware
    /// export) [default: guessed from each file's header or content].
    #[arg(long, value_name = "KIND")]
    kind: Option<String>,
    /// Read every file through this mapping (a TOML file describing a vendor export;
    /// see docs/mappings.md and the mappings/ folder).
    #[arg(long, value_name = "FILE", conflicts_with = "kind")]
    mapping: Option<PathBuf>,
    /// Keep reading one growing raw queue_log as Asterisk appends to it, loading calls
    /// as they complete; survives log rotation. Runs until interrupted (Ctrl-C leaves
    /// the store consistent).
    #[arg(long, conflicts_with_all = ["mapping", "dry_run"])]
    follow: bool,
    /// With --follow: how often to look for new lines, milliseconds.
    #[arg(long, default_value_t = 1000, value_name = "MS", requires = "follow")]
    poll_ms: u64,
    /// queue_log: seconds per ring, to turn ring time into rings heard.
    #[arg(long, default_value_t = 6.0, value_name = "S")]
    ring_seconds: f64,
    /// IANA time zone of timestamps written without an offset (and of plain dates).
    #[arg(long, default_value = "UTC", value_name = "TZ")]
    timezone: String,
    /// Check the files and report, writing nothing.
    #[arg(long)]
    dry_run: bool,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
    format: SummaryFormat,
    /// Load nothing: only bring the store's report summaries up to date (every
    /// ingest does this itself; use it after an ingest was interrupted, or on a store
    /// written by an older callboard). `callboard kpi` is correct without them, only
    /// slower.
    #[arg(long, conflicts_with_all = ["follow", "dry_run", "mapping", "kind", "no_summaries"])]
    summaries: bool,
    /// Do not update the report summaries after loading: for a bulk load split over
    /// many commands, finished with `callboard ingest --summaries` (each update reads
    /// the days the new rows reach; reports are correct meanwhile, from the rows).
    #[arg(long)]
    no_summaries: bool,
    /// CSV or Parquet files.
    #[arg(required_unless_present = "summaries", value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// The JSON document of `ingest --format json`.
#[derive(Debug, Serialize)]
pub struct Report {
    /// One entry per file.
    pub files: Vec<FileSummary>,
    /// Sums over the files.
    pub totals: Totals,
    /// What bringing the store's per-slot summaries up to date took (`None`: they
    /// were current, or a dry run, or `--no-summaries`).
    #[serde(skip)]
    pub summaries: Option<super::summaries::Refreshed>,
}

/// Sums over files.
#[derive(Debug, Default, Serialize)]
pub struct Totals {
    read: u64,
    loaded: u64,
    rejected: u64,
    duplicates: u64,
    skipped: u64,
    open: u64,
}

/// Parses `--kind`: a table, or `(None, true)` for queue_log.
pub fn parse_kind(kind: Option<&str>) -> Result<(Option<Table>, bool)> {
    match kind {
        None => Ok((None, false)),
        Some("queue_log") => Ok((None, true)),
        Some(k) => match Table::from_kind(k) {
            Some(t) => Ok((Some(t), false)),
            None => bail!(
                "unknown --kind {k:?}; use one of calls, agent_states, schedules, agents, qa, costs, tickets, queue_log"
            ),
        },
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.summaries {
        if !args.files.is_empty() {
            bail!(
                "--summaries loads nothing: drop the file arguments (every ingest refreshes the summaries itself)"
            );
        }
        let dir = args.data.path();
        if !dir.join(crate::store::MANIFEST).exists() {
            bail!(
                "{} holds no store yet; load data with `callboard ingest FILE…`",
                dir.display()
            );
        }
        let store = Store::open_for_write(&dir)?;
        match super::summaries::refresh(&store)? {
            Some(done) => println!("{done}"),
            None => println!("report summaries are up to date"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (kind, queue_log) = parse_kind(args.kind.as_deref())?;
    let zone =
        TimeZoneSpec::parse(&args.timezone).map_err(|e| anyhow::anyhow!("--timezone: {e}"))?;
    if !(args.ring_seconds.is_finite() && args.ring_seconds > 0.0) {
        bail!(
            "--ring-seconds must be more than 0 (got {})",
            args.ring_seconds
        );
    }
    let opts = IngestOptions {
        kind,
        zone,
        dry_run: args.dry_run,
        progress: args.format == SummaryFormat::Table,
        queue_log,
        ring_seconds: args.ring_seconds,
        summaries: !args.no_summaries,
    };
    if args.follow {
        let [file] = args.files.as_slice() else {
            bail!("--follow reads one file; give exactly one queue_log path");
        };
        let raw = matches!(queue_log::sniff(file), Some(queue_log::Dialect::Raw));
        let empty_declared = opts.queue_log && std::fs::metadata(file).is_ok_and(|m| m.len() == 0);
        if !(raw || empty_declared) {
            bail!(
                "{}: --follow reads a raw queue_log (epoch|callid|queue|agent|event lines); this file is not one",
                file.display()
            );
        }
        let json = args.format == SummaryFormat::Json;
        queue_log::follow(
            &args.data.path(),
            file,
            &opts,
            std::time::Duration::from_millis(args.poll_ms.max(10)),
            |s| {
                if json {
                    println!("{}", serde_json::to_string(s).unwrap_or_default());
                } else {
                    println!(
                        "{}: {} new calls ({} already stored), {} still open, {} agent-state intervals",
                        chrono::Utc::now().format("%H:%M:%S"),
                        s.loaded,
                        s.duplicates,
                        s.open,
                        s.agent_states.as_ref().map_or(0, |a| a.loaded)
                    );
                }
            },
            // Each batch updates the report summaries from the minutes it added, so
            // reports on a followed log stay fast.
            |store| {
                if opts.summaries {
                    super::summaries::refresh(store)?;
                }
                Ok(())
            },
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let report = match &args.mapping {
        Some(m) => ingest_mapped(&args.data.path(), m, &args.files, &opts)?,
        None => ingest_paths(&args.data.path(), &args.files, &opts)?,
    };
    match args.format {
        SummaryFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        SummaryFormat::Table => print_report(&report, args.dry_run),
    }
    Ok(ExitCode::SUCCESS)
}

/// Plans every file first (refusing the whole command, before writing anything, if
/// one cannot be used), then ingests them one by one, each its own commit.
pub fn ingest_paths(data_dir: &Path, files: &[PathBuf], opts: &IngestOptions) -> Result<Report> {
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
                    std::fs::metadata(f).map_err(|e| anyhow::anyhow!("{}: cannot open the file ({e})", f.display()))?;
                    bail!("{}: not a queue_log file (neither the raw epoch|callid|queue|agent|event lines, nor a database or PBXware export with callid and event columns)", f.display())
                }
                (false, None) => plan(f, opts.kind).map(Job::Table),
            }
        })
        .collect::<Result<_>>()?;
    let mut store = if opts.dry_run {
        Store::open_read(data_dir)?
    } else {
        Store::open_for_write(data_dir)?
    };
    let mut report = Report {
        files: Vec::new(),
        totals: Totals::default(),
        summaries: None,
    };
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
    if opts.summaries && !opts.dry_run {
        report.summaries = super::summaries::refresh(&store)?;
    }
    Ok(report)
}

/// Ingests every file through one mapping.
pub fn ingest_mapped(
    data_dir: &Path,
    mapping: &Path,
    files: &[PathBuf],
    opts: &IngestOptions,
) -> Result<Report> {
    let mapping = crate::ingest::mapping::Mapping::load(mapping)?;
    for f in files {
        std::fs::metadata(f)
            .map_err(|e| anyhow::anyhow!("{}: cannot open the file ({e})", f.display()))?;
    }
    let mut store = if opts.dry_run {
        Store::open_read(data_dir)?
    } else {
        Store::open_for_write(data_dir)?
    };
    let mut report = Report {
        files: Vec::new(),
        totals: Totals::default(),
        summaries: None,
    };
    for f in files {
        let id = store.next_ingest_id(chrono::Utc::now());
        let s = crate::ingest::mapping::ingest(&mut store, &mapping, f, opts, &id)?;
        report.add(s);
    }
    if opts.summaries && !opts.dry_run {
        report.summaries = super::summaries::refresh(&store)?;
    }
    Ok(report)
}

impl Report {
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

/// Prints the human-readable summary.
pub fn print_report(report: &Report, dry_run: bool) {
    for f in &report.files {
        println!(
            "{} → {}: {} read = {} loaded{} + {} rejected + {} duplicates{}{}",
            f.path,
            f.kind,
            f.read,
            f.loaded,
            if f.updated > 0 {
                format!(" ({} updates)", f.updated)
            } else {
                String::new()
            },
            f.rejected,
            f.duplicates,
            plus(f.skipped, "skipped"),
            plus(f.open, "open"),
        );
        for w in &f.warnings {
            println!("  note: {w}");
        }
        for sub in [&f.calls, &f.agent_states].into_iter().flatten() {
            println!(
                "  {}: {} rows = {} loaded + {} rejected + {} duplicates",
                sub.kind, sub.read, sub.loaded, sub.rejected, sub.duplicates
            );
        }
        if let (Some(lines), Some(held)) = (f.lines, f.held_back_lines) {
            let other: Vec<String> = f.events.iter().map(|(e, n)| format!("{e} {n}")).collect();
            println!(
                "  {lines} lines: {} repeated, {held} held back until the log continues; other events (not calls): {}",
                f.duplicate_lines.unwrap_or(0),
                if other.is_empty() {
                    "none".into()
                } else {
                    other.join(", ")
                }
            );
        }
        if let Some(p) = &f.rejects_path {
            println!("  rejected rows with reasons: {p}");
        }
        for r in &f.first_rejects {
            println!("    {r}");
        }
        if f.rejected > f.first_rejects.len() as u64 {
            println!(
                "    … and {} more",
                f.rejected - f.first_rejects.len() as u64
            );
        }
    }
    if report.files.len() > 1 {
        let t = &report.totals;
        println!(
            "total: {} read = {} loaded + {} rejected + {} duplicates{}{}",
            t.read,
            t.loaded,
            t.rejected,
            t.duplicates,
            plus(t.skipped, "skipped"),
            plus(t.open, "open"),
        );
    }
    if let Some(done) = report.summaries {
        println!("{done}");
    }
    if dry_run {
        println!("dry run: nothing was written");
    }
}

/// ` + N what` for a count worth mentioning, else nothing.
fn plus(n: u64, what: &str) -> String {
    if n > 0 {
        format!(" + {n} {what}")
    } else {
        String::new()
    }
}
