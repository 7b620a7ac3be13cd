//! `rift carve`: USN and FILE records from unallocated space.
//!
//! By default the volume's free clusters (from `$Bitmap`) are scanned;
//! `--whole-volume` scans every cluster, `--whole-image` the whole media.
//! Carved USN records not present in the live journal are written with
//! full paths (resolved through the live journal, the carved records
//! themselves and the `$MFT`) in rift's `$J` layout with `Carved=True`;
//! FILE records are listed with their image offset and how they compare
//! with the live `$MFT` entry of the same number.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use rift_carve::{CarveOptions, LiveStatus, NtfsMftLookup, carve, mark_live, unallocated_ranges};
use rift_usn::csv::{CsvWriter, Layout, ez_time, push_field};

use crate::common::{self, VolumeArgs};

/// Arguments of `rift carve`.
#[derive(clap::Args)]
pub struct Args {
    /// A disk image (E01, raw, VM disk).
    pub input: PathBuf,
    /// Carve USN records (default: both kinds).
    #[arg(long)]
    pub usn: bool,
    /// Carve FILE (MFT) records (default: both kinds).
    #[arg(long)]
    pub mft: bool,
    /// Output folder (`usn_carved.csv`, `mft_carved.csv`).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Scan every cluster of the volume, not only free ones.
    #[arg(long, conflicts_with = "whole_image")]
    pub whole_volume: bool,
    /// Scan the whole media (all partitions and gaps).
    #[arg(long)]
    pub whole_image: bool,
    /// Volume selection.
    #[command(flatten)]
    pub volume: VolumeArgs,
}

/// Header of `mft_carved.csv`.
pub const MFT_CARVED_HEADER: &str = "ImageOffset,EntryNumber,SequenceNumber,InUse,IsDirectory,LiveStatus,FileName,ParentEntryNumber,ParentSequenceNumber,ParentPath,FileSize,Created0x10,LastModified0x10,LastRecordChange0x10,LastAccess0x10,Created0x30,LastModified0x30,LogfileSequenceNumber";

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let (want_usn, want_mft) = match (args.usn, args.mft) {
        (false, false) => (true, true),
        x => x,
    };
    common::ensure_outside(&args.out, &args.input)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let (ev, vol) = common::open_ntfs(&args.input, &args.volume)?;
    let ntfs = &vol.ntfs;
    let ranges: Vec<std::ops::Range<u64>> = if args.whole_image {
        std::iter::once(0..ev.image.size).collect()
    } else if args.whole_volume {
        std::iter::once(vol.start..vol.start + vol.len).collect()
    } else {
        unallocated_ranges(ntfs)
            .iter()
            .map(|r| vol.start + r.start..vol.start + r.end)
            .collect()
    };
    let total: u64 = ranges.iter().map(|r| r.end - r.start).sum();
    let progress = common::Progress::new("carve", Some(total), "bytes", false);
    let opts = CarveOptions {
        usn: want_usn,
        file_records: want_mft,
        record_size: ntfs.record_size(),
    };
    let mut c = carve(&*ev.image.reader, &ranges, 0, &opts);
    progress.finish(&format!(
        "{} bytes scanned, {} USN and {} FILE records",
        c.bytes_scanned,
        c.usn.len(),
        c.file_records.len()
    ));
    for (off, e) in &c.read_errors {
        eprintln!("rift: warning: read error at {off:#x}: {e}");
    }
    let source = args.input.display().to_string();
    if want_usn {
        // Resolve paths with the live journal; keep only what it lacks.
        let carved = std::mem::take(&mut c.usn);
        let j = match rift_carve::read_usn_journal(ntfs, carved.clone()) {
            Ok(j) => j,
            Err(rift_carve::Error::NoJournal) => rift_usn::resolve_all(
                Vec::new(),
                carved,
                NtfsMftLookup::new(ntfs),
                Vec::new(),
                Default::default(),
            ),
            Err(e) => return Err(e.into()),
        };
        let path = args.out.join("usn_carved.csv");
        let mut w = CsvWriter::new(common::create_output(&path)?, Layout::Rift)?;
        let mut n = 0;
        for r in j.records.iter().filter(|r| r.carved) {
            w.write(r, &source)?;
            n += 1;
        }
        w.finish()?;
        eprintln!(
            "rift: carve: {n} USN records not in the live journal ({} duplicates of live records) -> {}",
            j.carved_duplicates,
            path.display()
        );
    }
    if want_mft {
        mark_live(ntfs, &mut c.file_records);
        let path = args.out.join("mft_carved.csv");
        let mut out = common::create_output(&path)?;
        out.write_all(rift_usn::csv::BOM)?;
        out.write_all(MFT_CARVED_HEADER.as_bytes())?;
        out.write_all(b"\r\n")?;
        let paths = ntfs.paths();
        for r in &c.file_records {
            let e = &r.entry;
            let f = e.best_file_name();
            let si = e.standard_information();
            let mut l = String::new();
            let status = match r.live {
                LiveStatus::Unknown => "Unknown",
                LiveStatus::SameAsLive => "SameAsLive",
                LiveStatus::DiffersFromLive => "DiffersFromLive",
                LiveStatus::NotInMft => "NotInMft",
            };
            let cells = [
                r.image_offset.to_string(),
                if r.has_number {
                    e.number.to_string()
                } else {
                    String::new()
                },
                e.sequence().to_string(),
                tf(e.in_use()).into(),
                tf(e.is_directory()).into(),
                status.into(),
                f.as_ref().map(|f| f.name.clone()).unwrap_or_default(),
                f.as_ref()
                    .map(|f| f.parent.entry().to_string())
                    .unwrap_or_default(),
                f.as_ref()
                    .map(|f| f.parent.sequence().to_string())
                    .unwrap_or_default(),
                f.as_ref()
                    .map(|f| paths.dir_path(f.parent).0)
                    .unwrap_or_default(),
                e.data_size().to_string(),
                si.as_ref().map(|s| ez_time(s.created)).unwrap_or_default(),
                si.as_ref().map(|s| ez_time(s.modified)).unwrap_or_default(),
                si.as_ref()
                    .map(|s| ez_time(s.mft_modified))
                    .unwrap_or_default(),
                si.as_ref().map(|s| ez_time(s.accessed)).unwrap_or_default(),
                f.as_ref().map(|f| ez_time(f.created)).unwrap_or_default(),
                f.as_ref().map(|f| ez_time(f.modified)).unwrap_or_default(),
                e.header.lsn.to_string(),
            ];
            for (i, cell) in cells.iter().enumerate() {
                if i > 0 {
                    l.push(',');
                }
                push_field(&mut l, cell);
            }
            l.push_str("\r\n");
            out.write_all(l.as_bytes())?;
        }
        out.flush()?;
        let differing = c
            .file_records
            .iter()
            .filter(|r| r.live != LiveStatus::SameAsLive)
            .count();
        eprintln!(
            "rift: carve: {} FILE records ({differing} not identical to the live $MFT) -> {}",
            c.file_records.len(),
            path.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn tf(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}
