//! `callboard schema`: the canonical tables as Markdown (the generated part of
//! `docs/data-model.md`).

use anyhow::Result;
use std::process::ExitCode;

/// Flags of `callboard schema`.
#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> Result<ExitCode> {
    print!("{}", callboard_core::schema::data_model_markdown());
    Ok(ExitCode::SUCCESS)
}
