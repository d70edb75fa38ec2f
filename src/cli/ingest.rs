//! `callboard ingest`: files → the store, with a summary and a rejects file per file.

use super::{DataDir, Format, print_json};
use crate::ingest::{
    IngestOptions, IngestReport, LoadRequest, load, parse_kind, queue_log, refresh_summaries,
};
use anyhow::{Result, bail};
use callboard_core::time::TimeZoneSpec;
use std::path::PathBuf;
use std::process::ExitCode;

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
    #[arg(long, default_value = "table", value_parser = Format::among(&[Format::Table, Format::Json]))]
    format: Format,
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

/// Runs `callboard ingest`.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.summaries {
        if !args.files.is_empty() {
            bail!(
                "--summaries loads nothing: drop the file arguments (every ingest refreshes the summaries itself)"
            );
        }
        match refresh_summaries(&args.data.path())? {
            Some(done) => println!("{done}"),
            None => println!("report summaries are up to date"),
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (kind, queue_log) =
        parse_kind(args.kind.as_deref()).map_err(|e| anyhow::anyhow!("--kind: {e}"))?;
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
        progress: args.format == Format::Table,
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
        let json = args.format == Format::Json;
        queue_log::follow(
            &args.data.path(),
            file,
            &opts,
            std::time::Duration::from_millis(args.poll_ms.max(10)),
            |s| {
                if json {
                    // One line per batch, flushed: a reader follows it line by line.
                    match serde_json::to_string(s) {
                        Ok(line) => println!("{line}"),
                        Err(e) => eprintln!("cannot encode the batch summary: {e}"),
                    }
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
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let dry_run = opts.dry_run;
    let report = load(
        &args.data.path(),
        &LoadRequest {
            files: args.files,
            mapping: args.mapping,
            options: opts,
        },
    )?;
    match args.format {
        Format::Json => print_json(&report, true)?,
        _ => print_report(&report, dry_run),
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the human-readable summary.
pub fn print_report(report: &IngestReport, dry_run: bool) {
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
