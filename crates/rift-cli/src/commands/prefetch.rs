//! `rift prefetch`: Windows Prefetch files (XP to Windows 11, compressed
//! or not) into PECmd's CSV layout, its timeline layout, or JSON lines.
//!
//! Also holds the small input/output helpers the other shell-artifact
//! commands (`lnk`, `jumplist`, `recyclebin`) share: walking a file or a
//! folder, the source file's own times, and EZ-tools CSV writing (UTF-8
//! BOM, CRLF, `yyyy-MM-dd HH:mm:ss.fffffff` UTC).

use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use rift_io::time::{FileTime, format_ez, format_iso_utc};
use rift_prefetch::Prefetch;
use serde_json::json;

/// Arguments of `rift prefetch`.
#[derive(clap::Args)]
pub struct Args {
    /// A prefetch file, a folder searched recursively for `.pf` files (and
    /// files that start like prefetch: `MAM` or `SCCA`), or a disk image
    /// (its `Windows\Prefetch` folders).
    pub input: PathBuf,
    /// Write the PECmd-layout CSV here (`-` = stdout; the default when no
    /// other output is chosen).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write PECmd's timeline CSV (`RunTime,ExecutableName`, one row per
    /// run time) here.
    #[arg(long, value_name = "FILE")]
    pub timeline: Option<PathBuf>,
    /// Write one JSON object per prefetch file here (`-` = stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Volume selection when INPUT is a disk image.
    #[command(flatten)]
    pub volume: crate::common::VolumeArgs,
}

/// PECmd's main CSV header.
pub const PECMD_HEADER: [&str; 27] = [
    "Note",
    "SourceFilename",
    "SourceCreated",
    "SourceModified",
    "SourceAccessed",
    "ExecutableName",
    "Hash",
    "Size",
    "Version",
    "RunCount",
    "LastRun",
    "PreviousRun0",
    "PreviousRun1",
    "PreviousRun2",
    "PreviousRun3",
    "PreviousRun4",
    "PreviousRun5",
    "PreviousRun6",
    "Volume0Name",
    "Volume0Serial",
    "Volume0Created",
    "Volume1Name",
    "Volume1Serial",
    "Volume1Created",
    "Directories",
    "FilesLoaded",
    "ParsingError",
];

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let files = gather(
        &args.input,
        &args.volume,
        |p, head, _| has_ext(p, &["pf"]) || rift_prefetch::looks_like_prefetch(head),
        &[r"Windows\Prefetch"],
        |n| n.to_ascii_lowercase().ends_with(".pf"),
    )?;
    let want_csv = args.csv.is_some() || (args.timeline.is_none() && args.json.is_none());
    let mut csv = if want_csv {
        Some(ez_csv(
            args.csv.as_deref().unwrap_or(Path::new("-")),
            &PECMD_HEADER,
        )?)
    } else {
        None
    };
    let mut tl = match &args.timeline {
        Some(p) => Some(ez_csv(p, &["RunTime", "ExecutableName"])?),
        None => None,
    };
    let mut json = match &args.json {
        Some(p) => Some(open_out(p)?),
        None => None,
    };

    let mut ok = 0usize;
    let mut failed = 0usize;
    let mut timeline_rows: Vec<(FileTime, String)> = Vec::new();
    for input in files {
        let (source, bytes, src) = input.load()?;
        let pf = match rift_prefetch::parse(&bytes) {
            Ok(pf) => pf,
            Err(e) => {
                crate::common::status!("rift: {source}: {e}");
                failed += 1;
                continue;
            }
        };
        ok += 1;
        for w in &pf.warnings {
            crate::common::status!(
                "rift: {source}: warning at byte {:#x}: {}",
                w.offset,
                w.message
            );
        }
        if let Some(w) = csv.as_mut() {
            w.write_record(pecmd_row(&pf, &source, &src))?;
        }
        if tl.is_some() {
            for t in &pf.last_run_times {
                timeline_rows.push((*t, pf.executable_name.clone()));
            }
        }
        if let Some(j) = json.as_mut() {
            serde_json::to_writer(&mut *j, &prefetch_json(&pf, &source))?;
            j.write_all(b"\n")?;
        }
    }
    if let Some(w) = tl.as_mut() {
        // PECmd sorts the timeline by run time.
        timeline_rows.sort();
        for (t, exe) in timeline_rows {
            w.write_record([ez_time(t), exe])?;
        }
    }
    finish_csv(csv)?;
    finish_csv(tl)?;
    if let Some(mut j) = json {
        j.flush()?;
    }
    crate::common::status!("rift prefetch: {ok} parsed, {failed} failed");
    Ok(if ok == 0 && failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// One PECmd CSV row.
pub fn pecmd_row(pf: &Prefetch, source: &str, src: &SourceTimes) -> Vec<String> {
    let run = |i: usize| {
        pf.last_run_times
            .get(i)
            .map(|&t| ez_time(t))
            .unwrap_or_default()
    };
    let vol = |i: usize| pf.volumes.get(i);
    let vol_name = |i: usize| vol(i).map(|v| v.device_path.clone()).unwrap_or_default();
    let vol_serial = |i: usize| {
        vol(i)
            .map(|v| format!("{:X}", v.serial))
            .unwrap_or_default()
    };
    let vol_created = |i: usize| vol(i).map(|v| ez_time(v.created)).unwrap_or_default();
    let note = if pf.volumes.len() > 2 {
        "File contains > 2 volumes! Please inspect output from main program for full details!"
    } else {
        ""
    };
    let dirs: Vec<&str> = pf.directories().collect();
    vec![
        note.to_string(),
        source.to_string(),
        src.created.clone(),
        src.modified.clone(),
        src.accessed.clone(),
        pf.executable_name.clone(),
        format!("{:08X}", pf.hash),
        pf.file_size.to_string(),
        pf.version.label().to_string(),
        pf.run_count.to_string(),
        run(0),
        run(1),
        run(2),
        run(3),
        run(4),
        run(5),
        run(6),
        run(7),
        vol_name(0),
        vol_serial(0),
        vol_created(0),
        vol_name(1),
        vol_serial(1),
        vol_created(1),
        dirs.join(", "),
        pf.filenames.join(", "),
        bool_ez(!pf.warnings.is_empty()),
    ]
}

fn prefetch_json(pf: &Prefetch, source: &str) -> serde_json::Value {
    json!({
        "source_file": source,
        "executable_name": pf.executable_name,
        "hash": format!("{:08X}", pf.hash),
        "version": pf.version.raw(),
        "compressed": pf.compressed,
        "size": pf.file_size,
        "run_count": pf.run_count,
        "last_run_times": pf.last_run_times.iter().map(|&t| iso_time(t)).collect::<Vec<_>>(),
        "executable_path": pf.executable_path(),
        "volumes": pf.volumes.iter().map(|v| json!({
            "device_path": v.device_path,
            "serial": format!("{:08X}", v.serial),
            "created": iso_time(v.created),
            "directories": v.directories,
            "file_references": v.file_references.len(),
        })).collect::<Vec<_>>(),
        "files": pf.filenames,
        "warnings": pf.warnings.iter().map(|w| json!({"offset": w.offset, "message": w.message})).collect::<Vec<_>>(),
    })
}

// ---------------------------------------------------------------------
// Helpers shared by the shell-artifact commands.
// ---------------------------------------------------------------------

/// Files of `input`: the file itself, or every regular file under the
/// folder (recursively, sorted) for which `matches(path, first 64 bytes,
/// size)` holds.
pub(crate) fn collect_inputs(
    input: &Path,
    matches: impl Fn(&Path, &[u8], u64) -> bool,
) -> Result<Vec<PathBuf>> {
    let meta = fs::metadata(input).with_context(|| format!("cannot open {}", input.display()))?;
    if meta.is_file() {
        return Ok(vec![input.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![input.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) => {
                crate::common::status!("rift: {}: {e}", dir.display());
                continue;
            }
        };
        for entry in rd.flatten() {
            let p = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                stack.push(p);
            } else if ft.is_file() {
                let mut head = [0u8; 64];
                let n = fs::File::open(&p)
                    .and_then(|mut f| f.read(&mut head))
                    .unwrap_or(0);
                let len = entry.metadata().map(|m| m.len()).unwrap_or(0);
                if matches(&p, &head[..n], len) {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    if out.is_empty() {
        crate::common::status!("rift: no matching files under {}", input.display());
    }
    Ok(out)
}

/// Whether the file name ends with one of `exts` (case-insensitive).
pub(crate) fn has_ext(p: &Path, exts: &[&str]) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
}

/// Reads an input file, capped at 256 MiB (no shell artifact is larger).
pub(crate) fn read_file(p: &Path) -> Result<Vec<u8>> {
    const CAP: u64 = 256 << 20;
    let f = fs::File::open(p).with_context(|| format!("cannot open {}", p.display()))?;
    let mut buf = Vec::new();
    f.take(CAP)
        .read_to_end(&mut buf)
        .with_context(|| format!("cannot read {}", p.display()))?;
    Ok(buf)
}

/// The source file's own times (from the analyst's file system), EZ layout.
#[derive(Default, Clone)]
pub struct SourceTimes {
    /// Created.
    pub created: String,
    /// Modified.
    pub modified: String,
    /// Accessed.
    pub accessed: String,
}

impl SourceTimes {
    /// Reads the times of a host file.
    pub fn of(p: &Path) -> SourceTimes {
        let Ok(m) = fs::metadata(p) else {
            return SourceTimes::default();
        };
        let f = |t: io::Result<std::time::SystemTime>| {
            t.ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| {
                    let ticks = d.as_secs() * 10_000_000
                        + u64::from(d.subsec_nanos() / 100)
                        + rift_io::time::SECS_1601_TO_1970 as u64 * 10_000_000;
                    ez_time(FileTime(ticks))
                })
                .unwrap_or_default()
        };
        SourceTimes {
            created: f(m.created()),
            modified: f(m.modified()),
            accessed: f(m.accessed()),
        }
    }
}

/// A FILETIME in the EZ layout; empty for 0 or out of range.
pub(crate) fn ez_time(t: FileTime) -> String {
    t.to_timestamp().map(format_ez).unwrap_or_default()
}

/// A FILETIME as ISO 8601 UTC, or null.
pub(crate) fn iso_time(t: FileTime) -> Option<String> {
    t.to_timestamp().map(format_iso_utc)
}

/// EZ booleans.
pub(crate) fn bool_ez(b: bool) -> String {
    if b { "True" } else { "False" }.to_string()
}

/// An output stream: a file, or stdout for `-`.
pub(crate) fn open_out(p: &Path) -> Result<Box<dyn Write>> {
    if p == Path::new("-") {
        Ok(Box::new(BufWriter::new(io::stdout().lock())))
    } else {
        let f = fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?;
        Ok(Box::new(BufWriter::new(f)))
    }
}

/// A CSV writer in the EZ-tools conventions (UTF-8 BOM, CRLF), header written.
pub(crate) fn ez_csv(p: &Path, header: &[&str]) -> Result<csv::Writer<Box<dyn Write>>> {
    let mut out = open_out(p)?;
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(header)?;
    Ok(w)
}

/// Flushes an optional CSV writer.
pub(crate) fn finish_csv(w: Option<csv::Writer<Box<dyn Write>>>) -> Result<()> {
    if let Some(mut w) = w {
        w.flush()?;
    }
    Ok(())
}

/// One input record: a host file (read when used) or a file already read
/// from a disk image.
pub(crate) enum Input {
    /// A file on the analyst's machine.
    Host(PathBuf),
    /// A file read from an image: label (`p2:\Windows\Prefetch\X.pf`), its
    /// bytes and its `$STANDARD_INFORMATION` times.
    Image {
        label: String,
        bytes: Vec<u8>,
        times: SourceTimes,
    },
}

impl Input {
    /// Label, bytes and source times.
    pub(crate) fn load(self) -> Result<(String, Vec<u8>, SourceTimes)> {
        match self {
            Input::Host(p) => {
                let bytes = read_file(&p)?;
                Ok((p.display().to_string(), bytes, SourceTimes::of(&p)))
            }
            Input::Image {
                label,
                bytes,
                times,
            } => Ok((label, bytes, times)),
        }
    }
}

/// The inputs of a command: a file, a folder walked with `host_match`, or
/// an image whose NTFS volumes are searched along `image_paths`
/// (backslash-separated folder patterns; a `*` component matches every
/// subfolder) for files whose name satisfies `name_match`.
pub(crate) fn gather(
    input: &Path,
    volume: &crate::common::VolumeArgs,
    host_match: impl Fn(&Path, &[u8], u64) -> bool,
    image_paths: &[&str],
    name_match: impl Fn(&str) -> bool,
) -> Result<Vec<Input>> {
    use crate::common::{self, InputKind};
    match common::input_kind(input)? {
        InputKind::File | InputKind::Dir => Ok(collect_inputs(input, host_match)?
            .into_iter()
            .map(Input::Host)
            .collect()),
        InputKind::Image => {
            let vols = if volume.partition.is_some() || volume.offset.is_some() {
                vec![common::open_ntfs(input, volume)?.1]
            } else {
                common::open_all_ntfs(input)?.1
            };
            let mut out = Vec::new();
            for v in &vols {
                let prefix = match v.partition {
                    Some(p) => format!("p{p}:"),
                    None => format!("@{}:", v.start),
                };
                for pattern in image_paths {
                    let comps: Vec<&str> = pattern.split('\\').filter(|c| !c.is_empty()).collect();
                    walk_image(&v.ntfs, &prefix, "", &comps, &name_match, &mut out);
                }
            }
            if out.is_empty() {
                crate::common::status!("rift: no matching files on {}", input.display());
            }
            Ok(out)
        }
    }
}

fn walk_image(
    ntfs: &rift_ntfs::Ntfs,
    prefix: &str,
    dir: &str,
    comps: &[&str],
    name_match: &impl Fn(&str) -> bool,
    out: &mut Vec<Input>,
) {
    let Ok(Some(d)) = ntfs.find(if dir.is_empty() { "\\" } else { dir }) else {
        return;
    };
    let Ok(listing) = ntfs.read_dir(&d) else {
        crate::common::status!("rift: warning: {prefix}{dir}: cannot list");
        return;
    };
    let mut names: Vec<String> = listing.entries.into_iter().map(|e| e.name.name).collect();
    names.sort_by_key(|n| n.to_ascii_lowercase());
    names.dedup();
    let child = |n: &str| format!("{dir}\\{n}");
    match comps.split_first() {
        Some((&"*", rest)) => {
            for n in names.iter().filter(|n| *n != ".") {
                let p = child(n);
                if ntfs
                    .find(&p)
                    .ok()
                    .flatten()
                    .is_some_and(|e| e.is_directory())
                {
                    walk_image(ntfs, prefix, &p, rest, name_match, out);
                }
            }
        }
        Some((c, rest)) => {
            if let Some(n) = names.iter().find(|n| n.eq_ignore_ascii_case(c)) {
                walk_image(ntfs, prefix, &child(n), rest, name_match, out);
            }
        }
        None => {
            for n in names.iter().filter(|n| name_match(n)) {
                let p = child(n);
                let Some(e) = ntfs.find(&p).ok().flatten().filter(|e| !e.is_directory()) else {
                    continue;
                };
                let times = e
                    .standard_information()
                    .map(|si| SourceTimes {
                        created: ez_time(si.created),
                        modified: ez_time(si.modified),
                        accessed: ez_time(si.accessed),
                    })
                    .unwrap_or_default();
                let bytes = ntfs
                    .open_stream(&e, None)
                    .map_err(|err| err.to_string())
                    .and_then(|s| {
                        let len = s.size().min(256 << 20) as usize;
                        let mut buf = vec![0u8; len];
                        rift_io::read_exact_at(&s, 0, &mut buf).map_err(|err| err.to_string())?;
                        Ok(buf)
                    });
                match bytes {
                    Ok(bytes) => out.push(Input::Image {
                        label: format!("{prefix}{p}"),
                        bytes,
                        times,
                    }),
                    Err(err) => crate::common::status!("rift: warning: {prefix}{p}: {err}"),
                }
            }
        }
    }
}
