//! The review pack at size (issue 14's figure): a simulated 28-day centre of ~10 M
//! calls with agent states, schedules, QA, costs and tickets in a store, then
//! `callboard report` for its month — every file (index.html, 10 charts as PNG and
//! SVG, kpis.xlsx, report.json) — three times, each its own process; beside it
//! the same pack without PNGs and the `kpi` queries alone, to see where the time
//! goes. Target: < 3 s.
//!
//! ```sh
//! cargo bench --bench report                       # ~10 M calls (several GB of scratch)
//! cargo bench --bench report -- --calls 1000000    # quicker
//! ```

mod common;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let (calls, dir) = common::size_and_dir("--calls", 10_000_000, "callboard-bench-report");
    let data = common::centre_store(&dir, calls, 14);
    let d = data.display().to_string();
    let out = dir.join("pack");
    let o = out.display().to_string();
    let time = |extra: &[&str]| {
        let runs: Vec<(f64, f64)> = (0..3)
            .map(|_| {
                let mut args = vec!["report", "--data-dir", d.as_str(), "--out", o.as_str()];
                args.extend(extra);
                let m = common::run(&args);
                (m.seconds, m.peak_mb)
            })
            .collect();
        (
            median(runs.iter().map(|r| r.0).collect()),
            runs.iter().map(|r| r.1).fold(0.0, f64::max),
        )
    };
    let (all, mb) = time(&[]);
    let (no_png, _) = time(&["--format", "html", "--format", "svg", "--format", "xlsx"]);
    let kpi: f64 = [
        vec!["--by", "total"],
        vec!["--by", "day"],
        vec!["--by", "interval", "--interval", "60m"],
        vec!["--by", "week"],
        vec!["--group", "queue"],
        vec!["--group", "agent"],
    ]
    .iter()
    .map(|extra| {
        let mut args = vec!["kpi", "--data-dir", d.as_str(), "--format", "json"];
        args.extend(extra.iter().copied());
        common::run(&args).seconds
    })
    .sum();
    let tickets = common::run(&[
        "tickets",
        "--data-dir",
        d.as_str(),
        "--by",
        "month",
        "--format",
        "json",
    ])
    .seconds;
    println!(
        "report, the whole pack: {all:.2} s (median of 3, peak {mb:.0} MB; target < 3 s)\n  without the PNGs: {no_png:.2} s\n  the six kpi queries it asks, each its own process: {kpi:.2} s in all; tickets by month {tickets:.2} s"
    );
    if std::env::args().any(|a| a == "--keep") {
        println!("files kept in {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
