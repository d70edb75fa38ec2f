//! `callboard demo`: the main job on the bundled sample data.

use super::ingest::{ingest_paths, print_report};
use crate::ingest::IngestOptions;
use crate::store::{MANIFEST, Store};
use anyhow::{Context, Result, bail};
use callboard_core::schema::Table;
use callboard_core::time::TimeZoneSpec;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Flags of `callboard demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Store to (re)create for the demo. An existing directory is only replaced if it
    /// is empty or a callboard store.
    #[arg(long, default_value = "callboard-demo-data", value_name = "DIR")]
    data_dir: PathBuf,
    /// The sample data [default: ./sample_data, else the one next to the sources].
    #[arg(long, value_name = "DIR")]
    sample_dir: Option<PathBuf>,
}

fn sample_dir(flag: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(d) = flag {
        return Ok(d);
    }
    let local = PathBuf::from("sample_data");
    if local.join("calls.csv").exists() {
        return Ok(local);
    }
    let built_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_data");
    if built_in.join("calls.csv").exists() {
        return Ok(built_in);
    }
    bail!(
        "cannot find sample_data/ (looked in . and {}); run from the callboard checkout or pass --sample-dir",
        built_in.display()
    )
}

fn fresh_store(dir: &Path) -> Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .next()
            .is_none();
        if !empty && !dir.join(MANIFEST).exists() {
            bail!(
                "{} exists and is not a callboard store; pass another --data-dir",
                dir.display()
            );
        }
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    Ok(())
}

pub fn run(args: Args) -> Result<ExitCode> {
    let samples = sample_dir(args.sample_dir)?;
    // Headcount and plans first, then activity, so each file can be checked against them.
    let order = [
        Table::Agents,
        Table::Schedules,
        Table::AgentStates,
        Table::Calls,
        Table::QaEvaluations,
        Table::Costs,
        Table::Tickets,
    ];
    let files: Vec<PathBuf> = order
        .iter()
        .map(|t| samples.join(format!("{}.csv", t.name())))
        .filter(|p| p.exists())
        .collect();
    if files.is_empty() {
        bail!(
            "{} holds no sample tables (calls.csv, …)",
            samples.display()
        );
    }
    fresh_store(&args.data_dir)?;
    println!(
        "callboard demo: loading the sample centre from {} into {}\n",
        samples.display(),
        args.data_dir.display()
    );
    let began = Instant::now();
    let opts = IngestOptions {
        kind: None,
        zone: TimeZoneSpec::Utc,
        dry_run: false,
        progress: true,
        queue_log: false,
        ring_seconds: 6.0,
        summaries: true,
    };
    let report = ingest_paths(&args.data_dir, &files, &opts)?;
    print_report(&report, false);
    let store = Store::open_read(&args.data_dir)?;
    println!(
        "\nstore {} after {:.2} s:",
        args.data_dir.display(),
        began.elapsed().as_secs_f64()
    );
    for t in Table::ALL {
        let files = store.manifest().files(t);
        let days: std::collections::BTreeSet<&str> =
            files.iter().map(|f| f.partition.as_str()).collect();
        let span = match (days.first(), days.last()) {
            (Some(a), Some(b)) if *a != "all" => format!("{a} … {b}"),
            _ => String::new(),
        };
        println!(
            "  {:<15} {:>8} rows in {:>3} partitions  {}",
            t.name(),
            store.row_count(t),
            days.len(),
            span
        );
    }
    if let Some(calls) = store.scan(Table::Calls)? {
        use polars::prelude::{DataType, SortMultipleOptions, col, len};
        let by_outcome = calls
            .group_by([col("outcome")])
            .agg([len().alias("calls")])
            .sort(
                ["calls"],
                SortMultipleOptions::default().with_order_descending(true),
            )
            .collect()
            .map_err(anyhow::Error::from)
            .context("cannot summarise the calls")?;
        let total = store.row_count(Table::Calls).max(1) as f64;
        let outcomes = by_outcome.column("outcome")?.str()?.clone();
        let counts = by_outcome
            .column("calls")?
            .as_materialized_series()
            .cast(&DataType::UInt64)?;
        println!("\ncalls by outcome:");
        for (o, n) in outcomes.iter().zip(counts.u64()?.iter()) {
            let n = n.unwrap_or(0);
            println!(
                "  {:<10} {:>8}  {:>5.1} %",
                o.unwrap_or("?"),
                n,
                n as f64 / total * 100.0
            );
        }
    }
    println!();
    super::kpi::print_summary(args.data_dir.clone())?;
    println!("\nticket SLAs (policies/desk.toml):\n");
    super::tickets::print_summary(args.data_dir.clone())?;
    println!(
        "\nnext: callboard kpi --data-dir {d} --by day --group queue   (see callboard kpi --help)\n      callboard tickets --data-dir {d} --by month --group severity",
        d = args.data_dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
