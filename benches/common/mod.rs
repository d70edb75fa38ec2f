//! Shared by the bench binaries that time `callboard` end to end. Each binary
//! compiles its own copy of this module and uses part of it.
#![allow(dead_code)]

use std::process::Command;
use std::time::Instant;

/// Wall time and peak memory of one `callboard` process.
pub struct Measured {
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Peak resident set, MB (NaN if the process did not report it).
    pub peak_mb: f64,
}

/// Runs `callboard args…` as its own process (so its peak memory is its own), insists
/// on success, and returns its wall time and the peak it reports on stderr.
pub fn run(args: &[&str]) -> Measured {
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_callboard"))
        .args(args)
        .env("CALLBOARD_REPORT_PEAK_MEM", "1")
        .output()
        .expect("callboard runs");
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "callboard {args:?} failed: {stderr}");
    let kb: f64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kb: "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(f64::NAN);
    Measured {
        seconds,
        peak_mb: kb / 1024.0,
    }
}

/// The size flag (`--calls N`, `--tickets N`, …: `size_flag` with its `default`) and
/// the scratch directory (`--dir DIR`, default a `name` folder in the temp dir) of a
/// bench binary's command line, the directory emptied.
pub fn size_and_dir(size_flag: &str, default: u64, name: &str) -> (u64, std::path::PathBuf) {
    let (mut size, mut dir) = (default, std::env::temp_dir().join(name));
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        if a == size_flag {
            size = it
                .next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{size_flag} N"));
        } else if a == "--dir" {
            dir = std::path::PathBuf::from(it.next().expect("--dir DIR"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    (size, dir)
}

/// Simulates a 28-day centre of `per_day` calls a day (one agent per 38 daily calls,
/// at least 30) into `out`, in `format` (`csv`, `parquet` or `queue_log`).
pub fn simulate_centre(out: &std::path::Path, per_day: u64, seed: u64, format: &str) -> Measured {
    let agents = (per_day / 38).max(30).to_string();
    let (per_day, seed) = (per_day.to_string(), seed.to_string());
    let out = out.display().to_string();
    run(&[
        "simulate",
        "--out",
        out.as_str(),
        "--days",
        "28",
        "--agents",
        agents.as_str(),
        "--calls-per-day",
        per_day.as_str(),
        "--seed",
        seed.as_str(),
        "--format",
        format,
    ])
}

/// Simulates a 28-day centre of `calls` calls (seeded) into `dir/centre`, ingests
/// all its tables into `dir/store`, prints the load time, drops the CSV files and
/// returns the store's directory.
pub fn centre_store(dir: &std::path::Path, calls: u64, seed: u64) -> std::path::PathBuf {
    let centre = dir.join("centre");
    let data = dir.join("store");
    let d = data.display().to_string();
    simulate_centre(&centre, calls / 28, seed, "csv");
    let files: Vec<String> = TABLES
        .iter()
        .map(|t| centre.join(format!("{t}.csv")).display().to_string())
        .collect();
    let mut ingest = vec!["ingest", "--data-dir", d.as_str()];
    ingest.extend(files.iter().map(String::as_str));
    let m = run(&ingest);
    println!(
        "loaded {calls} calls (and the other tables) in {:.1} s",
        m.seconds
    );
    let _ = std::fs::remove_dir_all(&centre);
    data
}

/// The tables `callboard simulate` writes, in load order (headcount and plans
/// before activity).
pub const TABLES: [&str; 7] = [
    "agents",
    "schedules",
    "agent_states",
    "calls",
    "qa_evaluations",
    "costs",
    "tickets",
];
