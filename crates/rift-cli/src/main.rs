//! `rift` — Windows incident response from disk images.
//!
//! This binary is thin on purpose: each subcommand lives in its own module
//! under `commands/`, parses its arguments with clap and calls the library
//! crates. Only this crate uses `anyhow`.
//!
//! Exit codes: 0 success, 1 a negative answer (e.g. `verify` found a hash
//! mismatch or bad chunks), 2 an error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
mod common;

/// Windows incident response from disk images: open E01/raw/VM disks, read
/// NTFS, parse the evidence, build one timeline and answer the incident.
#[derive(Parser)]
#[command(name = "rift", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Container metadata, stored hashes, acquisition errors and partitions.
    Info(commands::info::Args),
    /// Recompute the media hashes and compare them with the stored ones.
    Verify(commands::verify::Args),
    /// Write the whole media as a raw image.
    Convert(commands::convert::Args),
    /// List files of an NTFS volume (like `fls -r -p`).
    Ls(commands::ls::Args),
    /// Show every attribute, time and run of one file (like `istat`).
    Stat(commands::stat::Args),
    /// Write one file or stream to stdout (like `icat`).
    Cat(commands::cat::Args),
    /// Export files or the incident-response triage set, with a manifest.
    Export(commands::export::Args),
    /// Parse $MFT into MFTECmd-compatible CSV and/or a TSK body file.
    Mft(commands::mft::Args),
    /// Parse $UsnJrnl:$J with full paths.
    Usn(commands::usn::Args),
    /// Parse $LogFile records and summarise them into file events.
    Logfile(commands::logfile::Args),
    /// Carve USN and FILE records from unallocated space.
    Carve(commands::carve::Args),
    /// Registry hives: batch extraction, log replay, key listing, plugins.
    Reg(commands::reg::Args),
    /// Windows event logs with EvtxECmd-compatible maps.
    Evtx(commands::evtx::Args),
    /// Prefetch files (XP to Windows 11, compressed or not).
    Prefetch(commands::prefetch::Args),
    /// Shell link (.lnk) files.
    Lnk(commands::lnk::Args),
    /// Jump lists (automatic and custom destinations).
    Jumplist(commands::jumplist::Args),
    /// Recycle Bin `$I` files and XP INFO2.
    Recyclebin(commands::recyclebin::Args),
    /// Browser history, downloads and searches (Chromium family, Firefox).
    Browser(commands::browser::Args),
    /// One command from a disk image to a super-timeline and findings.
    Analyze(commands::analyze::Args),
    /// Render a case's findings (text, markdown, HTML, JSON, CTF flags).
    Report(commands::report::Args),
}

/// Runs one parsed subcommand (also used by `analyze` to produce the
/// per-artifact CSVs of a case with the same code as the subcommands).
fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Info(a) => commands::info::run(a),
        Command::Verify(a) => commands::verify::run(a),
        Command::Convert(a) => commands::convert::run(a),
        Command::Ls(a) => commands::ls::run(a),
        Command::Stat(a) => commands::stat::run(a),
        Command::Cat(a) => commands::cat::run(a),
        Command::Export(a) => commands::export::run(a),
        Command::Mft(a) => commands::mft::run(a),
        Command::Usn(a) => commands::usn::run(a),
        Command::Logfile(a) => commands::logfile::run(a),
        Command::Carve(a) => commands::carve::run(a),
        Command::Reg(a) => commands::reg::run(a),
        Command::Evtx(a) => commands::evtx::run(a),
        Command::Prefetch(a) => commands::prefetch::run(a),
        Command::Lnk(a) => commands::lnk::run(a),
        Command::Jumplist(a) => commands::jumplist::run(a),
        Command::Recyclebin(a) => commands::recyclebin::run(a),
        Command::Browser(a) => commands::browser::run(a),
        Command::Analyze(a) => commands::analyze::run(a),
        Command::Report(a) => commands::report::run(a),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`rift cat … | head`) is not an error.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("rift: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
