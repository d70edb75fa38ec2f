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
use std::time::Instant;

fn main() {
    let (calls, dir) = common::size_and_dir("--calls", 3_300_000, "callboard-bench-ql");
    std::fs::create_dir_all(&dir).expect("dir");
    let out = dir.join("centre");
    let m = common::simulate_centre(&out, calls / 28, 3, "queue_log");
    println!(
        "simulated {calls} calls as a queue_log in {:.1} s",
        m.seconds
    );
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
