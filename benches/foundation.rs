//! Foundation benchmarks at real size: simulate 10 M calls, ingest them from CSV and
//! from Parquet, and the raw polars CSV read of the same file as the ceiling.
//!
//! ```sh
//! cargo bench --bench foundation                       # 10 M calls
//! cargo bench --bench foundation -- --calls 1000000    # quicker
//! cargo bench --bench foundation -- --dir /big/disk    # where the files go
//! ```
//!
//! The commands are run as a user runs them (the release `callboard` binary), each in
//! its own process so that its peak memory (VmHWM) is its own. Inputs are generated
//! with a fixed seed and deleted afterwards (unless `--keep`).

mod common;

use callboard_core::simulate::{self, CallRecord, SimConfig, SimSink};
use std::path::{Path, PathBuf};
use std::time::Instant;

struct Args {
    calls: u64,
    dir: PathBuf,
    keep: bool,
}

fn parse_args() -> Args {
    let mut args = Args {
        calls: 10_000_000,
        dir: std::env::temp_dir().join("callboard-bench"),
        keep: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--calls" => args.calls = it.next().and_then(|v| v.parse().ok()).expect("--calls N"),
            "--dir" => args.dir = PathBuf::from(it.next().expect("--dir DIR")),
            "--keep" => args.keep = true,
            _ => {} // cargo passes --bench
        }
    }
    args
}

/// A sink that only counts (the simulator's own speed).
#[derive(Default)]
struct Count {
    calls: u64,
    other: u64,
}

impl SimSink for Count {
    fn call(&mut self, _: &CallRecord) {
        self.calls += 1;
    }
    fn agent_state(&mut self, _: &simulate::StateRecord) {
        self.other += 1;
    }
    fn schedule(&mut self, _: &simulate::ScheduleRecord) {
        self.other += 1;
    }
    fn agent(&mut self, _: &simulate::AgentRecord) {}
    fn qa(&mut self, _: &simulate::QaRecord) {}
    fn cost(&mut self, _: &simulate::CostRecord) {}
    fn ticket(&mut self, _: &simulate::TicketRecord) {}
}

fn rows_of(path: &Path) -> u64 {
    let text = std::fs::File::open(path).expect("open");
    use std::io::BufRead;
    std::io::BufReader::new(text).lines().count() as u64 - 1
}

fn main() {
    let args = parse_args();
    let days = 28u32;
    let per_day = args.calls as f64 / f64::from(days);
    let agents = (per_day / 38.0).ceil().max(30.0) as u32;
    let _ = std::fs::remove_dir_all(&args.dir);
    std::fs::create_dir_all(&args.dir).expect("bench dir");
    let s = |p: &Path| p.display().to_string();
    println!(
        "# callboard foundation benchmark: ~{} calls ({days} days, {agents} agents)\n",
        args.calls
    );
    println!("| step | rows | seconds | rows/s | peak MB |\n|---|---:|---:|---:|---:|");

    // 1. The simulator alone, in process.
    let per_day = per_day.round();
    let cfg = SimConfig::realistic(20_514, days, 3, agents, Some(per_day), 7);
    let mut count = Count::default();
    let t = Instant::now();
    simulate::run(&cfg, &mut count);
    let secs = t.elapsed().as_secs_f64();
    println!(
        "| simulate (core, counting sink) | {} calls (+{} states/schedules) | {secs:.2} | {:.0} | – |",
        count.calls,
        count.other,
        count.calls as f64 / secs
    );

    // 2. simulate → CSV and → Parquet, every table.
    let csv_dir = args.dir.join("csv");
    let pq_dir = args.dir.join("parquet");
    let (days_s, agents_s, per_day_s) = (
        days.to_string(),
        agents.to_string(),
        format!("{per_day:.0}"),
    );
    let common = [
        "--days",
        days_s.as_str(),
        "--agents",
        agents_s.as_str(),
        "--calls-per-day",
        per_day_s.as_str(),
        "--seed",
        "7",
    ];
    for (dir, format) in [(&csv_dir, "csv"), (&pq_dir, "parquet")] {
        let d = s(dir);
        let mut a = vec!["simulate", "--out", d.as_str(), "--format", format];
        a.extend(common);
        let m = common::run(&a);
        let calls = count.calls;
        println!(
            "| simulate → {format} (all 7 tables) | {calls} calls | {:.2} | {:.0} | {:.0} |",
            m.seconds,
            calls as f64 / m.seconds,
            m.peak_mb
        );
    }
    let calls_csv = csv_dir.join("calls.csv");
    let calls_pq = pq_dir.join("calls.parquet");
    let rows = rows_of(&calls_csv);
    let bytes = std::fs::metadata(&calls_csv).map(|m| m.len()).unwrap_or(0);

    // 3. Ingest calls from CSV and from Parquet into empty stores: as a user runs it
    // (the load, then the report summaries), and the load alone (--no-summaries).
    for (file, label, store, bare) in [
        (&calls_csv, "csv", "store-csv", false),
        (&calls_csv, "csv", "store-csv-bare", true),
        (&calls_pq, "parquet", "store-parquet", false),
    ] {
        let data = s(&args.dir.join(store));
        let f = s(file);
        let mut cmd = vec!["ingest", "--data-dir", data.as_str(), "--kind", "calls"];
        if bare {
            cmd.push("--no-summaries");
        }
        cmd.push(f.as_str());
        let m = common::run(&cmd);
        let what = if bare {
            "load alone, --no-summaries"
        } else {
            "parse, validate, dedupe, write, report summaries"
        };
        println!(
            "| ingest calls from {label} ({what}) | {rows} | {:.2} | {:.0} | {:.0} |",
            m.seconds,
            rows as f64 / m.seconds,
            m.peak_mb
        );
    }
    // Re-ingest: every row a duplicate (the key index against a full store).
    let data = s(&args.dir.join("store-csv"));
    let f = s(&calls_csv);
    let m = common::run(&["ingest", "--data-dir", data.as_str(), f.as_str()]);
    println!(
        "| re-ingest the same CSV (all duplicates) | {rows} | {:.2} | {:.0} | {:.0} |",
        m.seconds,
        rows as f64 / m.seconds,
        m.peak_mb
    );

    // 4. The ceiling: polars' own multi-threaded CSV read of the same file.
    use polars::prelude::{CsvReadOptions, SerReader};
    let t = Instant::now();
    // Every column as text: the raw multi-threaded parse, no type inference to trip on.
    let df = CsvReadOptions::default()
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(calls_csv.clone()))
        .expect("reader")
        .finish()
        .expect("polars reads the CSV");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "| polars CSV read as text, no validation (ceiling) | {} | {secs:.2} | {:.0} | – |",
        df.height(),
        df.height() as f64 / secs
    );
    println!(
        "\nCSV file: {:.0} MB, {:.0} bytes a row.",
        bytes as f64 / 1e6,
        bytes as f64 / rows.max(1) as f64
    );
    if !args.keep {
        let _ = std::fs::remove_dir_all(&args.dir);
    }
}
