//! `rift export` (not implemented yet).

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `rift export`.
#[derive(clap::Args)]
pub struct Args {
    /// Input path.
    pub input: Option<PathBuf>,
}

/// Runs the subcommand.
pub fn run(_args: Args) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`rift export` is not implemented yet")
}
