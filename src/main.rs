//! `callboard`: the command-line entry point. Parses, runs, prints an error once;
//! everything else is the library (`callboard::cli::run`).

use std::process::ExitCode;

/// mimalloc instead of glibc's malloc: the row loops allocate and free many small
/// strings, and glibc's free lists were a third of the queue_log ingest profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let code = match callboard::cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", chain_message(&e));
            ExitCode::FAILURE
        }
    };
    report_peak_memory();
    code
}

/// The error and its causes joined by ": ", each said once: a cause whose words the
/// message already holds (an error that shows its source in its own text) is not
/// repeated.
fn chain_message(e: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

/// `callboard … | head` closes stdout early; like other Unix tools, stop quietly then
/// instead of reporting a panic (Rust ignores SIGPIPE, so `println!` panics).
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
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
