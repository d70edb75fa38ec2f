//! Shared by the bench binaries that time `callboard` end to end.

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
