//! `rift logfile`: `$LogFile` records and the file events they add up to.
//!
//! Input is a disk image (the NTFS volume's `$LogFile` is read, and the
//! volume's `$MFT` names files the log never names) or an extracted
//! `$LogFile` (optionally with `--mft`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use rift_logfile::{LogFile, NameInfo, analyze_with_names};
use rift_ntfs::MftFile;

use crate::common::{self, InputKind, VolumeArgs};

/// Arguments of `rift logfile`.
#[derive(clap::Args)]
pub struct Args {
    /// A disk image (E01, raw, VM disk) or an extracted `$LogFile`.
    pub input: PathBuf,
    /// Write one row per log record here (`-` = stdout).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write the summarised file events here (create, delete, rename, move,
    /// writes, time and attribute changes).
    #[arg(long, value_name = "FILE")]
    pub events: Option<PathBuf>,
    /// The volume's `$MFT` (for an extracted `$LogFile`): names of files the
    /// log does not name.
    #[arg(long, value_name = "MFT")]
    pub mft: Option<PathBuf>,
    /// Volume selection.
    #[command(flatten)]
    pub volume: VolumeArgs,
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.csv.is_none() && args.events.is_none() {
        anyhow::bail!("choose an output: --csv FILE (records) and/or --events FILE");
    }
    let source = args.input.display().to_string();
    let (log, analysis) = match common::input_kind(&args.input)? {
        InputKind::Image => {
            let (_ev, vol) = common::open_ntfs(&args.input, &args.volume)?;
            rift_carve::read_logfile(&vol.ntfs)
                .with_context(|| format!("reading $LogFile of {source}"))?
        }
        InputKind::File => {
            let f =
                std::fs::File::open(&args.input).with_context(|| format!("opening {source}"))?;
            let log = LogFile::parse(&f).with_context(|| format!("reading {source}"))?;
            let names = match &args.mft {
                Some(m) => {
                    let mf = std::fs::File::open(m)
                        .with_context(|| format!("opening {}", m.display()))?;
                    names_from_mft(&MftFile::open(mf))
                }
                None => HashMap::new(),
            };
            let a = analyze_with_names(&log, names);
            (log, a)
        }
        InputKind::Dir => anyhow::bail!("{source} is a folder: give a disk image or a $LogFile"),
    };
    for w in &log.warnings {
        eprintln!("rift: warning: $LogFile at {:#x}: {}", w.offset, w.message);
    }
    if let Some(p) = &args.csv {
        rift_logfile::csv::write_records(common::create_output(p)?, &log, &analysis)?;
    }
    if let Some(p) = &args.events {
        rift_logfile::csv::write_events(common::create_output(p)?, &analysis.events)?;
    }
    match (log.restart(), log.lsn_range()) {
        (Some(rp), Some((lo, hi))) => eprintln!(
            "rift: logfile: LFS {}.{}, {} records, LSN {lo}..{hi}, {} events",
            rp.major,
            rp.minor,
            log.records.len(),
            analysis.events.len()
        ),
        _ => eprintln!("rift: logfile: no records (empty or reset log)"),
    }
    Ok(ExitCode::SUCCESS)
}

fn names_from_mft(m: &MftFile) -> HashMap<u64, NameInfo> {
    let mut out = HashMap::new();
    for e in m.entries().flatten() {
        if let Some(f) = e.best_file_name() {
            out.insert(
                e.number,
                NameInfo {
                    name: f.name,
                    parent: f.parent.0,
                },
            );
        }
    }
    out
}
