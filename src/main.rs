//! `callboard`: the command-line entry point. Parses, runs, prints an error once.

mod cli;
mod export;
mod ingest;
mod store;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
