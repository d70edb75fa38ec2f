//! Ticket SLA speed at size: about a million simulated tickets (the simulator opens
//! one for ~12 % of answered calls, plus walk-ins) in a store; `callboard tickets
//! --by month` (table and JSON) and `--by week --group severity`, each its own
//! process, against a bare polars scan of the ticket columns (the ceiling).
//!
//! ```sh
//! cargo bench --bench tickets                         # ~1 M tickets
//! cargo bench --bench tickets -- --tickets 100000     # quicker
//! ```

mod common;

use polars::prelude::*;
use std::time::Instant;

fn main() {
    let (tickets, dir) = common::size_and_dir("--tickets", 1_000_000, "callboard-bench-tickets");
    let centre = dir.join("centre");
    let data = dir.join("store");
    let d = data.display().to_string();
    // 0.122 tickets per call, measured on the simulator's output.
    let m = common::simulate_centre(&centre, (tickets as f64 / 0.122 / 28.0) as u64, 21, "csv");
    println!("simulated in {:.1} s", m.seconds);
    let file = centre.join("tickets.csv").display().to_string();
    let m = common::run(&["ingest", "--data-dir", d.as_str(), file.as_str()]);
    println!(
        "loaded the tickets in {:.1} s (peak {:.0} MB)\n",
        m.seconds, m.peak_mb
    );
    let _ = std::fs::remove_dir_all(&centre);
    println!("| query | seconds | peak MB |\n|---|---:|---:|");
    for (label, extra) in [
        ("tickets --by month (table)", vec!["--by", "month"]),
        (
            "tickets --by month --format json",
            vec!["--by", "month", "--format", "json"],
        ),
        (
            "tickets --by week --group severity --format csv",
            vec!["--by", "week", "--group", "severity", "--format", "csv"],
        ),
    ] {
        let mut args = vec!["tickets", "--data-dir", d.as_str()];
        args.extend(extra);
        let m = common::run(&args);
        println!("| {label} | {:.2} | {:.0} |", m.seconds, m.peak_mb);
    }
    // Ceiling: polars reading the ticket columns the command uses.
    let t = Instant::now();
    let pattern = data.join("tables/tickets/*/*.parquet");
    let cols = callboard_core::tickets::COLUMNS;
    let df = LazyFrame::scan_parquet(
        PlRefPath::new(pattern.display().to_string()),
        ScanArgsParquet::default(),
    )
    .expect("scan")
    .select(cols.iter().map(|c| col(*c)).collect::<Vec<_>>())
    .collect()
    .expect("collect");
    println!(
        "| bare polars scan of those columns ({} tickets) | {:.2} | – |",
        df.height(),
        t.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
