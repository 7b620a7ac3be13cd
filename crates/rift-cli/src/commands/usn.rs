//! `rift usn`: `$UsnJrnl:$J` with a full path for every record.
//!
//! Input is a disk image (the NTFS volume is opened and `$J` read through
//! its allocated ranges, so the sparse head is skipped) or an extracted
//! `$J` file (optionally with the volume's `$MFT` for names the journal
//! does not carry). Paths come from the journal's own history first, then
//! the `$MFT` (see `rift_usn::paths`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use rift_carve::{CarveOptions, NtfsMftLookup};
use rift_ntfs::MftFile;
use rift_usn::csv::{CsvWriter, Layout};
use rift_usn::scan::detect_phase;
use rift_usn::{MftLookup, MftName, NoMft, PathedRecord, for_each_record};

use crate::common::{self, InputKind, VolumeArgs};

/// Arguments of `rift usn`.
#[derive(clap::Args)]
pub struct Args {
    /// A disk image (E01, raw, VM disk) or an extracted `$J` file.
    pub input: PathBuf,
    /// The volume's `$MFT` (for an extracted `$J`): names and parents of
    /// directories the journal does not mention.
    #[arg(long, value_name = "MFT")]
    pub mft: Option<PathBuf>,
    /// Write MFTECmd's `$J` CSV layout here (`-` = stdout).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write rift's layout (MFTECmd's columns + FullPath, PathComplete,
    /// Carved, raw reason/attribute bits, versions, 128-bit ids, extents).
    #[arg(long, value_name = "FILE")]
    pub rift_csv: Option<PathBuf>,
    /// Also carve USN records from unallocated clusters (image input) and
    /// add those the live journal no longer holds (`Carved=True`).
    #[arg(long)]
    pub carve: bool,
    /// Volume selection.
    #[command(flatten)]
    pub volume: VolumeArgs,
}

/// `$MFT` lookups from a standalone `$MFT` file.
struct MftFileLookup(MftFile);

impl MftLookup for MftFileLookup {
    fn lookup(&self, entry: u64) -> Option<MftName> {
        let e = self.0.entry(entry).ok()?;
        rift_carve::volume::mft_name(&e)
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    if args.csv.is_none() && args.rift_csv.is_none() {
        anyhow::bail!("choose an output: --csv FILE (MFTECmd layout) and/or --rift-csv FILE");
    }
    let source = args.input.display().to_string();
    let mut mftecmd = match &args.csv {
        Some(p) => Some(CsvWriter::new(
            common::create_output_threaded(p)?,
            Layout::MftEcmd,
        )?),
        None => None,
    };
    let mut rift = match &args.rift_csv {
        Some(p) => Some(CsvWriter::new(
            common::create_output_threaded(p)?,
            Layout::Rift,
        )?),
        None => None,
    };
    let mut records = 0u64;
    let mut incomplete = 0u64;
    let mut io_error: Option<std::io::Error> = None;
    let mut sink = |p: PathedRecord| {
        records += 1;
        incomplete += u64::from(!p.path_complete);
        for w in [mftecmd.as_mut(), rift.as_mut()].into_iter().flatten() {
            if io_error.is_none() {
                if let Err(e) = w.write(&p, &source) {
                    io_error = Some(e);
                }
            }
        }
    };
    let summary = match common::input_kind(&args.input)? {
        InputKind::Image => {
            let (ev, vol) = common::open_ntfs(&args.input, &args.volume)?;
            let carved = if args.carve {
                let free = rift_carve::unallocated_ranges(&vol.ntfs);
                let ranges: Vec<_> = free
                    .iter()
                    .map(|r| vol.start + r.start..vol.start + r.end)
                    .collect();
                let opts = CarveOptions {
                    usn: true,
                    file_records: false,
                    record_size: vol.ntfs.record_size(),
                };
                rift_carve::carve(&*ev.image.reader, &ranges, 0, &opts).usn
            } else {
                Vec::new()
            };
            let src = rift_carve::find_usn_journal(&vol.ntfs)?
                .with_context(|| format!("{source}: the volume has no $Extend\\$UsnJrnl:$J"))?;
            let lookup = NtfsMftLookup::new(&vol.ntfs);
            for_each_record(&src.stream, &src.ranges, 0, &lookup, carved, &mut sink)
                .with_context(|| format!("reading $UsnJrnl:$J of {source}"))?
        }
        InputKind::File => {
            let f =
                std::fs::File::open(&args.input).with_context(|| format!("opening {source}"))?;
            let size = rift_io::ReadAt::size(&f);
            let phase = detect_phase(&f);
            let whole = 0..size;
            let ranges = std::slice::from_ref(&whole);
            match &args.mft {
                Some(m) => {
                    let mf = std::fs::File::open(m)
                        .with_context(|| format!("opening {}", m.display()))?;
                    let lookup = MftFileLookup(MftFile::open(mf));
                    for_each_record(&f, ranges, phase, &lookup, Vec::new(), &mut sink)?
                }
                None => for_each_record(&f, ranges, phase, NoMft, Vec::new(), &mut sink)?,
            }
        }
        InputKind::Dir => anyhow::bail!("{source} is a folder: give a disk image or a $J file"),
    };
    if let Some(e) = io_error {
        return Err(e).context("writing CSV");
    }
    for w in [mftecmd, rift].into_iter().flatten() {
        w.finish()?;
    }
    for d in &summary.damage {
        eprintln!(
            "rift: warning: damaged USN record at {:#x}: {} (length {}, version {})",
            d.offset, d.kind, d.length, d.major
        );
    }
    eprintln!(
        "rift: usn: {records} records ({} carved, {incomplete} with incomplete paths), {} damaged, {} sparse bytes skipped",
        summary.carved_kept,
        summary.damage.len(),
        summary.stats.sparse_bytes
    );
    Ok(ExitCode::SUCCESS)
}
