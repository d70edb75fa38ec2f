//! `callboard ingest`: files → the store, with a summary and a rejects file per file.

use super::DataDir;
use crate::ingest::{FileSummary, IngestOptions, Plan, ingest_file, plan};
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
    /// Table of every file: calls, agent_states, schedules, agents, qa, costs, tickets
    /// [default: guessed from each file's header].
    #[arg(long, value_name = "KIND")]
    kind: Option<String>,
    /// IANA time zone of timestamps written without an offset (and of plain dates).
    #[arg(long, default_value = "UTC", value_name = "TZ")]
    timezone: String,
    /// Check the files and report, writing nothing.
    #[arg(long)]
    dry_run: bool,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
    format: SummaryFormat,
    /// CSV or Parquet files.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// The JSON document of `ingest --format json`.
#[derive(Debug, Serialize)]
pub struct Report {
    /// One entry per file.
    pub files: Vec<FileSummary>,
    /// Sums over the files.
    pub totals: Totals,
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

/// Parses `--kind`.
pub fn parse_kind(kind: Option<&str>) -> Result<Option<Table>> {
    match kind {
        None => Ok(None),
        Some(k) => match Table::from_kind(k) {
            Some(t) => Ok(Some(t)),
            None => bail!(
                "unknown --kind {k:?}; use one of calls, agent_states, schedules, agents, qa, costs, tickets"
            ),
        },
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    let kind = parse_kind(args.kind.as_deref())?;
    let zone =
        TimeZoneSpec::parse(&args.timezone).map_err(|e| anyhow::anyhow!("--timezone: {e}"))?;
    let opts = IngestOptions {
        kind,
        zone,
        dry_run: args.dry_run,
        progress: args.format == SummaryFormat::Table,
    };
    let report = ingest_paths(&args.data.path(), &args.files, &opts)?;
    match args.format {
        SummaryFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        SummaryFormat::Table => print_report(&report, args.dry_run),
    }
    Ok(ExitCode::SUCCESS)
}

/// Plans every file first (refusing the whole command, before writing anything, if
/// one cannot be used), then ingests them one by one, each its own commit.
pub fn ingest_paths(data_dir: &Path, files: &[PathBuf], opts: &IngestOptions) -> Result<Report> {
    let plans: Vec<Plan> = files
        .iter()
        .map(|f| plan(f, opts.kind))
        .collect::<Result<_>>()?;
    let mut store = if opts.dry_run {
        Store::open_read(data_dir)?
    } else {
        Store::open_for_write(data_dir)?
    };
    let mut report = Report {
        files: Vec::new(),
        totals: Totals::default(),
    };
    for p in &plans {
        let id = store.next_ingest_id(chrono::Utc::now());
        let s = ingest_file(&mut store, p, opts, &id)?;
        let t = &mut report.totals;
        t.read += s.read;
        t.loaded += s.loaded;
        t.rejected += s.rejected;
        t.duplicates += s.duplicates;
        t.skipped += s.skipped;
        t.open += s.open;
        report.files.push(s);
    }
    Ok(report)
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
            if f.skipped > 0 {
                format!(" + {} skipped", f.skipped)
            } else {
                String::new()
            },
            if f.open > 0 {
                format!(" + {} open", f.open)
            } else {
                String::new()
            },
        );
        for w in &f.warnings {
            println!("  note: {w}");
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
            if t.skipped > 0 {
                format!(" + {} skipped", t.skipped)
            } else {
                String::new()
            },
            if t.open > 0 {
                format!(" + {} open", t.open)
            } else {
                String::new()
            },
        );
    }
    if dry_run {
        println!("dry run: nothing was written");
    }
}
