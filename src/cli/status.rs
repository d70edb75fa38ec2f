//! `callboard status`: what the store holds, and (`--verify`) whether every live file
//! reads back whole.

use super::DataDir;
use crate::store::Store;
use anyhow::{Context, Result, bail};
use callboard_core::schema::Table;
use polars::prelude::{ParquetReader, SerReader};
use serde::Serialize;
use std::collections::BTreeMap;
use std::process::ExitCode;

/// Flags of `callboard status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataDir,
    /// Read every live file in full and check its rows against the manifest.
    #[arg(long)]
    verify: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = super::ingest::SummaryFormat::Table)]
    format: super::ingest::SummaryFormat,
}

/// One table's figures.
#[derive(Debug, Serialize)]
struct TableStatus {
    rows: u64,
    files: usize,
    partitions: usize,
    first_day: Option<String>,
    last_day: Option<String>,
}

/// The JSON document of `status --format json`.
#[derive(Debug, Serialize)]
struct Status {
    data_dir: String,
    manifest_version: u64,
    ingests: usize,
    verified: bool,
    tables: BTreeMap<String, TableStatus>,
    /// `current`, `out of date` (reports read the rows until `ingest --summaries`),
    /// or `none` (no calls, agent states or schedules yet).
    summaries: &'static str,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let dir = args.data.path();
    let store = Store::open_read(&dir)?;
    let mut tables = BTreeMap::new();
    for t in Table::ALL {
        let files = store.manifest().files(t);
        let days: std::collections::BTreeSet<&str> = files
            .iter()
            .map(|f| f.partition.as_str())
            .filter(|p| *p != "all")
            .collect();
        tables.insert(
            t.name().to_owned(),
            TableStatus {
                rows: store.row_count(t),
                files: files.len(),
                partitions: files
                    .iter()
                    .map(|f| f.partition.as_str())
                    .collect::<std::collections::BTreeSet<_>>()
                    .len(),
                first_day: days.first().map(|s| s.to_string()),
                last_day: days.last().map(|s| s.to_string()),
            },
        );
        if args.verify {
            for (f, path) in files.iter().zip(store.files(t)) {
                let file = std::fs::File::open(&path).with_context(|| {
                    format!(
                        "{}: listed in the manifest but cannot be opened",
                        path.display()
                    )
                })?;
                let df = ParquetReader::new(file)
                    .finish()
                    .map_err(anyhow::Error::from)
                    .with_context(|| format!("{}: cannot be read", path.display()))?;
                if df.height() as u64 != f.rows {
                    bail!(
                        "{}: holds {} rows, the manifest says {}",
                        path.display(),
                        df.height(),
                        f.rows
                    );
                }
                if !crate::store::key_file_agrees(t, &df, &path)? {
                    bail!(
                        "{}: its key file does not match its rows; delete the .keys file (the keys are then read from the Parquet file)",
                        path.display()
                    );
                }
            }
        }
    }
    let status = Status {
        data_dir: dir.display().to_string(),
        manifest_version: store.manifest().version,
        ingests: store.manifest().ingests.len(),
        verified: args.verify,
        tables,
        summaries: match super::summaries::Summaries::open(&store) {
            Ok(Some(_)) => "current",
            _ if [Table::Calls, Table::AgentStates, Table::Schedules]
                .iter()
                .all(|t| store.row_count(*t) == 0) =>
            {
                "none"
            }
            _ => "out of date",
        },
    };
    match args.format {
        super::ingest::SummaryFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&status)?)
        }
        super::ingest::SummaryFormat::Table => {
            println!(
                "store {} (manifest version {}, {} ingests)",
                status.data_dir, status.manifest_version, status.ingests
            );
            for (name, t) in &status.tables {
                let span = match (&t.first_day, &t.last_day) {
                    (Some(a), Some(b)) => format!("{a} … {b}"),
                    _ => String::new(),
                };
                println!(
                    "  {name:<15} {:>10} rows  {:>5} files  {span}",
                    t.rows, t.files
                );
            }
            match status.summaries {
                "current" => println!("report summaries: current"),
                "out of date" => println!(
                    "report summaries: out of date (reports read the rows, slower); `callboard ingest --summaries` rebuilds them"
                ),
                _ => {}
            }
            if args.verify {
                println!("verified: every live file reads back with the rows the manifest lists");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
