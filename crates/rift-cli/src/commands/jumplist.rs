//! `rift jumplist`: automatic and custom destinations into JLECmd's CSV
//! layouts (one CSV per kind) or JSON lines.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use rift_shell::guid::format_mac;
use rift_shell::jumplist::{CategoryKind, DestListEntry};
use rift_shell::lnk::Lnk;
use serde_json::json;

use super::lnk::{lnk_columns, lnk_json};
use super::prefetch::{ez_csv, ez_time, finish_csv, gather, iso_time, open_out};

/// Arguments of `rift jumplist`.
#[derive(clap::Args)]
pub struct Args {
    /// A jump list file, a folder searched recursively for
    /// `*.automaticDestinations-ms` / `*.customDestinations-ms`, or a disk
    /// image (every user's `Recent\AutomaticDestinations` and
    /// `Recent\CustomDestinations`).
    pub input: PathBuf,
    /// CSV of automatic destinations (JLECmd `AutomaticDestinations` layout;
    /// `-` = stdout; the default when no output is chosen).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// CSV of custom destinations (JLECmd `CustomDestinations` layout).
    #[arg(long, value_name = "FILE")]
    pub custom_csv: Option<PathBuf>,
    /// Write one JSON object per entry/link here (`-` = stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Volume selection when INPUT is a disk image.
    #[command(flatten)]
    pub volume: crate::common::VolumeArgs,
}

const LNK_COLS: [&str; 22] = [
    "TargetCreated",
    "TargetModified",
    "TargetAccessed",
    "FileSize",
    "RelativePath",
    "WorkingDirectory",
    "FileAttributes",
    "HeaderFlags",
    "DriveType",
    "DriveSerialNumber",
    "DriveLabel",
    "LocalPath",
    "NetworkPath",
    "CommonPath",
    "Arguments",
    "TargetIDAbsolutePath",
    "TargetMFTEntryNumber",
    "TargetMFTSequenceNumber",
    "MachineID",
    "MachineMACAddress",
    "TrackerCreatedOn",
    "ExtraBlocksPresent",
];

fn auto_header() -> Vec<&'static str> {
    let mut h = vec![
        "SourceFile",
        "SourceCreated",
        "SourceModified",
        "SourceAccessed",
        "AppId",
        "AppIdDescription",
        "DestListVersion",
        "LastUsedEntryNumber",
        "EntryNumber",
        "CreationTime",
        "LastModified",
        "Hostname",
        "MacAddress",
        "Path",
        "PinStatus",
        "FileBirthDroid",
        "FileDroid",
        "VolumeBirthDroid",
        "VolumeDroid",
    ];
    h.extend(LNK_COLS);
    h
}

fn custom_header() -> Vec<&'static str> {
    let mut h = vec![
        "SourceFile",
        "SourceCreated",
        "SourceModified",
        "SourceAccessed",
        "AppId",
        "AppIdDescription",
        "EntryName",
    ];
    h.extend(LNK_COLS);
    h
}

/// JLECmd's link columns (it drops LECmd's `MACVendor`; NetworkPath and
/// Arguments are kept here, as in LECmd, so nothing is lost).
fn jl_lnk_cols(l: Option<&Lnk>) -> Vec<String> {
    match l {
        Some(l) => lnk_columns(l),
        None => vec![String::new(); LNK_COLS.len()],
    }
}

fn is_auto(p: &Path) -> bool {
    p.to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".automaticdestinations-ms")
}
fn is_custom(p: &Path) -> bool {
    p.to_string_lossy()
        .to_ascii_lowercase()
        .ends_with(".customdestinations-ms")
}

/// The AppID is the file name's stem (a CRC-64 of the application path).
fn app_id(p: &Path) -> String {
    p.file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.split('.').next())
        .unwrap_or_default()
        .to_string()
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let files = gather(
        &args.input,
        &args.volume,
        |p, _, _| is_auto(p) || is_custom(p),
        &[
            r"Users\*\AppData\Roaming\Microsoft\Windows\Recent\AutomaticDestinations",
            r"Users\*\AppData\Roaming\Microsoft\Windows\Recent\CustomDestinations",
        ],
        |n| is_auto(Path::new(n)) || is_custom(Path::new(n)),
    )?;
    let default_csv = args.csv.is_none() && args.custom_csv.is_none() && args.json.is_none();
    let mut auto_csv = match (&args.csv, default_csv) {
        (Some(p), _) => Some(ez_csv(p, &auto_header())?),
        (None, true) => Some(ez_csv(Path::new("-"), &auto_header())?),
        _ => None,
    };
    let mut custom_csv = match &args.custom_csv {
        Some(p) => Some(ez_csv(p, &custom_header())?),
        None => None,
    };
    let mut json = match &args.json {
        Some(p) => Some(open_out(p)?),
        None => None,
    };
    let (mut ok, mut failed) = (0usize, 0usize);
    for input in files {
        let (source, bytes, src) = input.load()?;
        let path = Path::new(&source);
        let base = vec![
            source.clone(),
            src.created.clone(),
            src.modified.clone(),
            src.accessed.clone(),
            app_id(path),
            String::new(),
        ];
        // Custom files are not compound files; decide by content first.
        if rift_shell::cfb::looks_like_cfb(&bytes) {
            let jl = match rift_shell::parse_automatic(&bytes) {
                Ok(j) => j,
                Err(e) => {
                    crate::common::status!("rift: {source}: {e}");
                    failed += 1;
                    continue;
                }
            };
            ok += 1;
            for w in &jl.warnings {
                crate::common::status!("rift: {source}: warning at {:#x}: {}", w.offset, w.message);
            }
            let (ver, last) = jl
                .header
                .as_ref()
                .map(|h| (h.version.to_string(), h.last_entry_number.to_string()))
                .unwrap_or_default();
            for e in &jl.entries {
                let l = jl.link_for(e);
                if let Some(w) = auto_csv.as_mut() {
                    let mut row = base.clone();
                    row.extend([ver.clone(), last.clone()]);
                    row.extend(entry_cols(e));
                    row.extend(jl_lnk_cols(l));
                    w.write_record(&row)?;
                }
                if let Some(j) = json.as_mut() {
                    let v = json!({
                        "source_file": source,
                        "kind": "automatic",
                        "app_id": app_id(path),
                        "destlist_version": jl.header.as_ref().map(|h| h.version),
                        "entry_number": e.entry_number,
                        "path": e.path,
                        "last_modified": iso_time(e.last_access),
                        "droid_created": e.droid_file.v1_time().and_then(iso_time),
                        "hostname": e.hostname,
                        "mac_address": e.mac_address().map(format_mac),
                        "pin_status": e.pin_status,
                        "access_count": e.access_count,
                        "access_score": e.access_score,
                        "link": l.map(|l| lnk_json(l, &source)),
                    });
                    serde_json::to_writer(&mut *j, &v)?;
                    j.write_all(b"\n")?;
                }
            }
        } else {
            let jl = match rift_shell::parse_custom(&bytes) {
                Ok(j) => j,
                Err(e) => {
                    crate::common::status!("rift: {source}: {e}");
                    failed += 1;
                    continue;
                }
            };
            ok += 1;
            for w in &jl.warnings {
                crate::common::status!("rift: {source}: warning at {:#x}: {}", w.offset, w.message);
            }
            let mut links: Vec<(String, &Lnk)> = Vec::new();
            for c in &jl.categories {
                let name = match &c.kind {
                    CategoryKind::Custom { name } => name.clone(),
                    CategoryKind::Known { id: 1 } => "Frequent".into(),
                    CategoryKind::Known { id: 2 } => "Recent".into(),
                    CategoryKind::Known { id } => format!("Known {id}"),
                    CategoryKind::Tasks => "Tasks".into(),
                };
                links.extend(c.links.iter().map(|l| (name.clone(), l)));
            }
            links.extend(
                jl.recovered_links
                    .iter()
                    .map(|(_, l)| ("Recovered".into(), l)),
            );
            for (cat, l) in links {
                if let Some(w) = custom_csv.as_mut() {
                    let mut row = base.clone();
                    row.push(cat.clone());
                    row.extend(jl_lnk_cols(Some(l)));
                    w.write_record(&row)?;
                }
                if let Some(j) = json.as_mut() {
                    let v = json!({
                        "source_file": source,
                        "kind": "custom",
                        "app_id": app_id(path),
                        "category": cat,
                        "link": lnk_json(l, &source),
                    });
                    serde_json::to_writer(&mut *j, &v)?;
                    j.write_all(b"\n")?;
                }
            }
        }
    }
    finish_csv(auto_csv)?;
    finish_csv(custom_csv)?;
    if let Some(mut j) = json {
        j.flush()?;
    }
    crate::common::status!("rift jumplist: {ok} parsed, {failed} failed");
    Ok(if ok == 0 && failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn entry_cols(e: &DestListEntry) -> Vec<String> {
    vec![
        e.entry_number.to_string(),
        e.droid_file.v1_time().map(ez_time).unwrap_or_default(),
        ez_time(e.last_access),
        e.hostname.clone(),
        e.mac_address().map(format_mac).unwrap_or_default(),
        e.path.clone(),
        if e.pin_status >= 0 { "True" } else { "False" }.into(),
        e.birth_file.to_string(),
        e.droid_file.to_string(),
        e.birth_volume.to_string(),
        e.droid_volume.to_string(),
    ]
}
