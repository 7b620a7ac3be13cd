//! `rift recyclebin`: Recycle Bin `$I` files (Vista+) and XP `INFO2` into
//! RBCmd's CSV layout or JSON lines.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;

use super::prefetch::{ez_csv, ez_time, finish_csv, gather, iso_time, open_out};

/// Arguments of `rift recyclebin`.
#[derive(clap::Args)]
pub struct Args {
    /// A `$I…` or `INFO2` file, a folder (e.g. `$Recycle.Bin`) searched
    /// recursively for them, or a disk image (`$Recycle.Bin\<SID>` and
    /// `RECYCLER\<SID>`).
    pub input: PathBuf,
    /// Write the RBCmd-layout CSV here (`-` = stdout; the default).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write one JSON object per deleted item here (`-` = stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Volume selection when INPUT is a disk image.
    #[command(flatten)]
    pub volume: crate::common::VolumeArgs,
}

/// RBCmd's CSV header.
pub const RBCMD_HEADER: [&str; 5] = [
    "SourceName",
    "FileType",
    "FileName",
    "FileSize",
    "DeletedOn",
];

fn name_of(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn is_i_name(p: &Path) -> bool {
    name_of(p).starts_with("$I")
}

fn is_info2_name(p: &Path) -> bool {
    name_of(p).to_ascii_uppercase().ends_with("INFO2")
}

/// `$I` content check from the first bytes and the file size: version 1
/// files are 544 bytes; version 2 files are 28 bytes + the path.
fn looks_like_i(head: &[u8], len: u64) -> bool {
    let version = head
        .get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])));
    match version {
        Some(1) => len == 544,
        Some(2) => head
            .get(24..28)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap_or([0; 4])))
            .is_some_and(|chars| len == 28 + 2 * u64::from(chars)),
        _ => false,
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let single = args.input.is_file();
    let files = gather(
        &args.input,
        &args.volume,
        |p, head, len| is_i_name(p) || is_info2_name(p) || looks_like_i(head, len),
        &[r"$Recycle.Bin\*", r"RECYCLER\*", r"RECYCLED"],
        |n| n.starts_with("$I") || n.eq_ignore_ascii_case("INFO2"),
    )?;
    let mut csv = if args.csv.is_some() || args.json.is_none() {
        Some(ez_csv(
            args.csv.as_deref().unwrap_or(Path::new("-")),
            &RBCMD_HEADER,
        )?)
    } else {
        None
    };
    let mut json = match &args.json {
        Some(p) => Some(open_out(p)?),
        None => None,
    };
    let (mut ok, mut failed) = (0usize, 0usize);
    for input in files {
        let (source, bytes, _) = input.load()?;
        let path = Path::new(&source);
        // A single named file is parsed by content: INFO2 has a 20-byte
        // header with a record size of 800 or 280.
        let as_info2 = is_info2_name(path)
            || (single
                && !rift_shell::recyclebin::looks_like_recycle_i(&bytes)
                && rift_shell::parse_info2(&bytes).is_ok());
        let mut rows: Vec<(String, String, u64, rift_shell::FileTime, serde_json::Value)> =
            Vec::new();
        if as_info2 {
            match rift_shell::parse_info2(&bytes) {
                Ok(info) => {
                    for w in &info.warnings {
                        crate::common::status!(
                            "rift: {source}: warning at {:#x}: {}",
                            w.offset,
                            w.message
                        );
                    }
                    for r in &info.records {
                        let extra = json!({
                            "index": r.index,
                            "drive": r.drive,
                            "recycled_name": format!("Dc{}", r.index),
                            "removed_from_bin": r.removed(),
                        });
                        rows.push((
                            "INFO2".into(),
                            r.path().to_string(),
                            u64::from(r.size),
                            r.deleted,
                            extra,
                        ));
                    }
                }
                Err(e) => {
                    crate::common::status!("rift: {source}: {e}");
                    failed += 1;
                    continue;
                }
            }
        } else {
            match rift_shell::parse_recycle_i(&bytes) {
                Ok(e) => {
                    let data_name = name_of(path).replacen("$I", "$R", 1);
                    rows.push((
                        format!("$I Version {}", e.version),
                        e.path.clone(),
                        e.size,
                        e.deleted,
                        json!({"version": e.version, "data_file": data_name}),
                    ));
                }
                Err(e) => {
                    crate::common::status!("rift: {source}: {e}");
                    failed += 1;
                    continue;
                }
            }
        }
        ok += 1;
        for (kind, name, size, deleted, extra) in rows {
            if let Some(w) = csv.as_mut() {
                w.write_record([
                    source.clone(),
                    kind.clone(),
                    name.clone(),
                    size.to_string(),
                    ez_time(deleted),
                ])?;
            }
            if let Some(j) = json.as_mut() {
                let v = json!({
                    "source_file": source,
                    "type": kind,
                    "original_path": name,
                    "size": size,
                    "deleted": iso_time(deleted),
                    "details": extra,
                });
                serde_json::to_writer(&mut *j, &v)?;
                j.write_all(b"\n")?;
            }
        }
    }
    finish_csv(csv)?;
    if let Some(mut j) = json {
        j.flush()?;
    }
    crate::common::status!("rift recyclebin: {ok} parsed, {failed} failed");
    Ok(if ok == 0 && failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
