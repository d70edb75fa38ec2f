//! KPI speed at size: a simulated centre of ~10 M calls with its agent states,
//! schedules, QA and costs in a store; `callboard kpi --by total`,
//! `--by interval --interval 30m --group queue` and `--by day --group team`, each
//! its own process (peak memory), from the store's report summaries (the default)
//! and from the rows (`--from-rows`), against bare polars scans of what each reads
//! (the ceilings); the time to build the summaries; and the interval × queue
//! report as JSON against the same as CSV.
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
    // Every table but the tickets.
    let files: Vec<String> = common::TABLES[..6]
        .iter()
        .map(|t| centre.join(format!("{t}.csv")).display().to_string())
        .collect();
    let mut ingest = vec!["ingest", "--data-dir", d.as_str()];
    ingest.extend(files.iter().map(String::as_str));
    let (secs, mb) = run(&ingest);
    println!("loaded the store in {secs:.1} s (peak {mb:.0} MB), report summaries included");
    let _ = std::fs::remove_dir_all(&centre);
    // The summaries alone, rebuilt from the stored rows.
    let _ = std::fs::remove_dir_all(data.join("summaries"));
    let (secs, mb) = run(&["ingest", "--data-dir", d.as_str(), "--summaries"]);
    println!("report summaries rebuilt alone in {secs:.1} s (peak {mb:.0} MB)\n");
    println!(
        "| query | from summaries s | peak MB | from rows s | peak MB |\n|---|---:|---:|---:|---:|"
    );
    for (label, extra) in [
        ("kpi --by total", vec!["--by", "total"]),
        (
            "kpi --by interval --interval 30m --group queue",
            vec!["--by", "interval", "--interval", "30m", "--group", "queue"],
        ),
        (
            "kpi --by day --group team",
            vec!["--by", "day", "--group", "team"],
        ),
    ] {
        let mut args = vec!["kpi", "--data-dir", d.as_str(), "--format", "json"];
        args.extend(extra);
        let (secs, mb) = run(&args);
        args.push("--from-rows");
        let (rows_secs, rows_mb) = run(&args);
        println!("| {label} | {secs:.2} | {mb:.0} | {rows_secs:.2} | {rows_mb:.0} |");
    }
    println!();
    // The same report written as JSON and as CSV (issue 11's target: JSON no slower
    // than 1.5× the CSV), alternating so drift hits both; medians of five.
    let report = [
        "kpi",
        "--data-dir",
        d.as_str(),
        "--by",
        "interval",
        "--interval",
        "30m",
        "--group",
        "queue",
        "--format",
    ];
    let (mut json, mut csv) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let mut a = report.to_vec();
        a.push("json");
        json.push(run(&a).0);
        let mut a = report.to_vec();
        a.push("csv");
        csv.push(run(&a).0);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (j, c) = (median(&mut json), median(&mut csv));
    println!(
        "kpi --by interval --interval 30m --group queue: JSON {j:.3} s, CSV {c:.3} s, JSON ÷ CSV = {:.2} (target ≤ 1.5)\n",
        j / c
    );
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
    // And the summary files the default reports read instead.
    let set = std::fs::read_dir(data.join("summaries"))
        .expect("summaries")
        .map(|e| e.expect("entry").path())
        .find(|p| p.join("meta.json").exists())
        .expect("a summary set");
    let file = |name: &str| -> usize {
        let lf = LazyFrame::scan_parquet(
            PlRefPath::new(set.join(name).display().to_string()),
            ScanArgsParquet::default(),
        )
        .expect("scan");
        lf.collect().expect("collect").height()
    };
    let t = Instant::now();
    let n = file("calls.parquet") + file("everyone.parquet") + file("segments.parquet");
    println!(
        "| bare polars read of the summaries --by total uses ({n} rows) | {:.3} | – |",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let n = file("calls.parquet");
    println!(
        "| … of those a per-queue report uses ({n} rows) | {:.3} | – |",
        t.elapsed().as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
