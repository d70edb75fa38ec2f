//! `callboard`: the command-line entry point. Parses, runs, prints an error once.

mod cli;
mod export;
mod ingest;
mod store;

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = match cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    };
    report_peak_memory();
    code
}

/// With `CALLBOARD_REPORT_PEAK_MEM=1` (used by the benchmarks), prints the process's
/// peak resident memory to stderr as `peak_rss_kb: N`.
fn report_peak_memory() {
    if std::env::var_os("CALLBOARD_REPORT_PEAK_MEM").is_none() {
        return;
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status")
        && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
    {
        let kb = line.split_whitespace().nth(1).unwrap_or("0");
        eprintln!("peak_rss_kb: {kb}");
    }
}
