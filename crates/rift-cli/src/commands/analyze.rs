//! `rift analyze` (not implemented yet).

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `rift analyze`.
#[derive(clap::Args)]
pub struct Args {
    /// Input path.
    pub input: Option<PathBuf>,
}

/// Runs the subcommand.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rift analyze` is not implemented yet")
}
