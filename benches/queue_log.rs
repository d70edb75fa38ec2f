//! queue_log speed: parse a ~10 M-line simulated raw queue_log on one core, replay it
//! into calls and agent states, and the whole `callboard ingest` into an empty store.
//!
//! ```sh
//! cargo bench --bench queue_log                        # ~10 M lines
//! cargo bench --bench queue_log -- --calls 300000      # quicker
//! ```

mod common;

use callboard_core::queue_log::{AssemblyOptions, assemble, parse_raw_lines};
use callboard_core::time::TimeZoneSpec;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

fn main() {
    let mut calls: u64 = 3_300_000;
    let mut dir = std::env::temp_dir().join("callboard-bench-ql");
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--calls" => calls = it.next().and_then(|v| v.parse().ok()).expect("--calls N"),
            "--dir" => dir = PathBuf::from(it.next().expect("--dir DIR")),
            _ => {}
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let days = 28u64;
    let per_day = calls / days;
    let agents = (per_day / 38).max(30);
    let out = dir.join("centre");
    let bin = env!("CARGO_BIN_EXE_callboard");
    let (d, a, c, o) = (
        days.to_string(),
        agents.to_string(),
        per_day.to_string(),
        out.display().to_string(),
    );
    let st = Command::new(bin)
        .args([
            "simulate",
            "--format",
            "queue_log",
            "--days",
            d.as_str(),
            "--agents",
            a.as_str(),
            "--calls-per-day",
            c.as_str(),
            "--seed",
            "3",
            "--out",
            o.as_str(),
        ])
        .status()
        .expect("simulate runs");
    assert!(st.success());
    let path = out.join("queue_log");
    let text = std::fs::read_to_string(&path).expect("read");
    println!("| step | lines | seconds | lines/s | peak MB |\n|---|---:|---:|---:|---:|");
    // In windows of 500 000 lines, as `callboard ingest` reads a raw log.
    let windows: Vec<&str> = {
        let mut out = Vec::new();
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let mut cut = 0;
            for _ in 0..500_000 {
                match rest[cut..].find('\n') {
                    Some(p) => cut += p + 1,
                    None => {
                        cut = rest.len();
                        break;
                    }
                }
            }
            out.push(&rest[..cut]);
            rest = &rest[cut..];
        }
        out
    };
    let t = Instant::now();
    let mut lines = 0u64;
    for w in &windows {
        let (events, problems, n) = parse_raw_lines(w, 1, &TimeZoneSpec::Utc);
        assert!(problems.is_empty());
        lines += n;
        std::hint::black_box(events);
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "| parse (core, one thread, 500 000-line windows) | {lines} | {secs:.2} | {:.0} | – |",
        lines as f64 / secs
    );
    let t = Instant::now();
    let (mut calls_n, mut states_n) = (0usize, 0usize);
    let mut carry = Vec::new();
    for w in &windows {
        let (mut events, _, _) = parse_raw_lines(w, 1, &TimeZoneSpec::Utc);
        events.append(&mut carry);
        let a = assemble(events, &AssemblyOptions::default());
        calls_n += a.calls.len();
        states_n += a.states.len();
        carry = a.open;
    }
    let secs2 = t.elapsed().as_secs_f64();
    println!(
        "| parse + replay into calls and agent states | {lines} | {secs2:.2} | {:.0} | – |",
        lines as f64 / secs2
    );
    println!("| (calls: {calls_n}, agent-state intervals: {states_n}) | | | | |");
    drop(windows);
    drop(text);
    let data = dir.join("store");
    let m = common::run(&[
        "ingest",
        "--kind",
        "queue_log",
        "--data-dir",
        data.to_str().expect("utf-8"),
        path.to_str().expect("utf-8"),
    ]);
    let (secs3, mb) = (m.seconds, m.peak_mb);
    println!(
        "| callboard ingest, end to end | {lines} | {secs3:.2} | {:.0} | {:.0} |",
        lines as f64 / secs3,
        mb
    );
    let _ = std::fs::remove_dir_all(&dir);
}
