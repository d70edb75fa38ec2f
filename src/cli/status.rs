//! `callboard status`: flags → [`query::status`] → lines or JSON.

use super::{DataDir, Format, print_json};
use crate::query::open_any_store;
use crate::query::status::{StatusQuery, SummaryState};
use anyhow::Result;
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
    #[arg(long, default_value = "table", value_parser = Format::among(&[Format::Table, Format::Json]))]
    format: Format,
}

/// Runs `callboard status`.
pub fn run(args: Args) -> Result<ExitCode> {
    let store = open_any_store(&args.data.path())?;
    let status = crate::query::status::run(
        &store,
        &StatusQuery {
            verify: args.verify,
        },
    )?;
    if args.format == Format::Json {
        print_json(&status, true)?;
        return Ok(ExitCode::SUCCESS);
    }
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
        SummaryState::Current => println!("report summaries: current"),
        SummaryState::OutOfDate => println!(
            "report summaries: out of date (reports read the rows, slower); `callboard ingest --summaries` rebuilds them"
        ),
        SummaryState::None => {}
    }
    if args.verify {
        println!("verified: every live file reads back with the rows the manifest lists");
    }
    Ok(ExitCode::SUCCESS)
}
