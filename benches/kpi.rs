//! KPI speed at size: a simulated centre of ~10 M calls with its agent states,
//! schedules, QA and costs in a store; `callboard kpi --by total` and
//! `--by interval --interval 30m --group queue`, each its own process (peak memory),
//! against a bare polars scan of the columns they read (the ceiling).
//!
//! ```sh
//! cargo bench --bench kpi                        # ~10 M calls (several GB of scratch)
//! cargo bench --bench kpi -- --calls 1000000     # quicker
//! ```

mod common;

use polars::prelude::*;
use std::time::Instant;

fn run(args: &[&str]) -> (f64, f64) {
    let m = common::run(args);
    (m.seconds, m.peak_mb)
}

fn main() {
    let (calls, dir) = common::size_and_dir("--calls", 10_000_000, "callboard-bench-kpi");
    let centre = dir.join("centre");
    let data = dir.join("store");
    let d = data.display().to_string();
    common::simulate_centre(&centre, calls / 28, 11, "csv");
    let files: Vec<String> = [
        "agents",
        "schedules",
        "agent_states",
        "calls",
        "qa_evaluations",
        "costs",
    ]
    .iter()
    .map(|t| centre.join(format!("{t}.csv")).display().to_string())
    .collect();
    let mut ingest = vec!["ingest", "--data-dir", d.as_str()];
    ingest.extend(files.iter().map(String::as_str));
    let (secs, mb) = run(&ingest);
    println!("loaded the store in {secs:.1} s (peak {mb:.0} MB)\n");
    let _ = std::fs::remove_dir_all(&centre);
    println!("| query | seconds | peak MB |\n|---|---:|---:|");
    for (label, extra) in [
        ("kpi --by total", vec!["--by", "total"]),
        (
            "kpi --by interval --interval 30m --group queue",
            vec!["--by", "interval", "--interval", "30m", "--group", "queue"],
        ),
    ] {
        let mut args = vec!["kpi", "--data-dir", d.as_str(), "--format", "json"];
        args.extend(extra);
        let (secs, mb) = run(&args);
        println!("| {label} | {secs:.2} | {mb:.0} |");
    }
    // Ceilings: polars reading the columns the queries use — the calls' alone (all
    // a per-queue query reads) and with the agent-side tables (what --by total reads).
    let scan = |table: &str, cols: &[&str]| -> usize {
        let pattern = data.join("tables").join(table).join("*").join("*.parquet");
        let lf = LazyFrame::scan_parquet(
            PlRefPath::new(pattern.display().to_string()),
            ScanArgsParquet::default(),
        )
        .expect("scan");
        lf.select(cols.iter().map(|c| col(*c)).collect::<Vec<_>>())
            .collect()
            .expect("collect")
            .height()
    };
    let call_cols = [
        "arrived_at",
        "queue",
        "outcome",
        "wait_s",
        "agent_id",
        "talk_s",
        "hold_s",
        "acw_s",
        "rings",
        "transferred",
        "resolved",
        "caller_id",
    ];
    let t = Instant::now();
    let calls_rows = scan("calls", &call_cols);
    let calls_s = t.elapsed().as_secs_f64();
    println!("| bare polars scan of the call columns ({calls_rows} rows) | {calls_s:.2} | – |");
    let t = Instant::now();
    let rows = scan("agent_states", &["agent_id", "state", "start", "end"])
        + scan("schedules", &["agent_id", "start", "end", "activity"]);
    println!(
        "| … plus agent states and schedules ({} rows) | {:.2} | – |",
        calls_rows + rows,
        calls_s + t.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
