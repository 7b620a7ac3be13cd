//! `rift browser`: browser history, downloads and searches (Chromium
//! family and Firefox) as a Hindsight-like timeline CSV and/or Timesketch
//! JSONL.
//!
//! The input is a database file (`History`, `places.sqlite`,
//! `downloads.sqlite`, or any SQLite file of those kinds; Internet
//! Explorer `index.dat`), a profile
//! folder, a folder to search, or a disk image (every user's Chrome,
//! Edge, Brave, Opera, Vivaldi, Chromium and Firefox profiles on the
//! selected NTFS volume, or on all of them). Databases are read into memory
//! with their `-wal` / `-journal` companions and parsed on private copies
//! (see `rift-browser`); nothing is written beside the evidence.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use rift_browser::ie::is_msiecf;
use rift_browser::timeline::{self, TimelineRow};
use rift_browser::{DbKind, Origin, Parsed, is_sqlite, parse_database};
use rift_io::time::DisplayZone;
use rift_ntfs::{MftEntry, Ntfs};

use crate::common::{self, InputKind, VolumeArgs};

/// Arguments of `rift browser`.
#[derive(clap::Args)]
pub struct Args {
    /// A `History` / `places.sqlite` / `downloads.sqlite` / IE `index.dat`
    /// file, a profile folder, a folder searched recursively, or a disk image.
    pub input: PathBuf,
    /// Write the Hindsight-like timeline CSV here (`-` = stdout; the
    /// default when no other output is chosen).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Write Timesketch JSONL (one event per line) here (`-` = stdout).
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Keep only these row types (comma-separated: url, download, search,
    /// cache, redirect).
    #[arg(long, value_delimiter = ',', value_name = "TYPES")]
    pub only: Vec<String>,
    /// Time zone for the CSV timestamps (`UTC`, `+09:00`, `Asia/Seoul`);
    /// JSONL `datetime` is always UTC.
    #[arg(long, default_value = "UTC", value_parser = common::parse_tz)]
    pub tz: DisplayZone,
    /// Image input: which NTFS volume (default: every NTFS volume).
    #[command(flatten)]
    pub volume: VolumeArgs,
}

/// One database found, with its companions, ready to parse.
struct Found {
    /// Where it was found (host path or `volume:\path`).
    path: String,
    db: Vec<u8>,
    wal: Option<Vec<u8>>,
    journal: Option<Vec<u8>>,
}

/// Largest database read from an image (a `History` of several GiB is
/// possible but rare; above this the file is reported and skipped).
const MAX_DB: u64 = 4 << 30;

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    for t in &args.only {
        if !matches!(
            t.as_str(),
            "url" | "download" | "search" | "cache" | "redirect"
        ) {
            anyhow::bail!(
                "--only: unknown row type {t:?} (use url, download, search, cache, redirect)"
            );
        }
    }
    for out in args.csv.iter().chain(args.json.iter()) {
        if out.as_os_str() != "-" {
            common::ensure_outside(out, &args.input)?;
        }
    }
    let found = gather(&args)?;
    if found.is_empty() {
        if crate::common::embedded() {
            // Inside `analyze`: no browser is not a problem worth a warning.
            return Ok(ExitCode::SUCCESS);
        }
        anyhow::bail!(
            "{}: no browser database found (History, places.sqlite, downloads.sqlite, index.dat)",
            args.input.display()
        );
    }

    // JSONL needs no global order (Timesketch sorts on import), so events
    // are written database by database; only the CSV rows, without the
    // typed JSON fields, are kept for the final sort.
    let want_csv = args.csv.is_some() || args.json.is_none();
    let mut json_out = match &args.json {
        Some(p) => Some(common::create_output(p)?),
        None => None,
    };
    let mut json_skipped = 0usize;
    let mut json_written = 0usize;
    let keep = |r: &TimelineRow| args.only.is_empty() || args.only.iter().any(|t| t == r.row_type);
    let mut rows: Vec<TimelineRow> = Vec::new();
    let mut parsed_ok = 0usize;
    let total = found.len();
    // Consume the list so each database's bytes are freed once parsed.
    for f in found {
        let origin = Origin::from_path(&f.path);
        let parsed = match parse_database(&f.db, f.wal.as_deref(), f.journal.as_deref(), &origin) {
            Ok(p) => p,
            Err(e) => {
                crate::common::status!("rift: browser: {}: {e}", f.path);
                continue;
            }
        };
        parsed_ok += 1;
        crate::common::status!("rift: browser: {}: {}", f.path, summary(&parsed, &f));
        for w in parsed.warnings() {
            crate::common::status!("rift: browser: {}: warning: {w}", f.path);
        }
        let mut failed: Option<std::io::Error> = None;
        let with_extra = json_out.is_some();
        timeline::for_each_row(&parsed, &origin, with_extra, &mut |mut row| {
            if failed.is_some() || !keep(&row) {
                return;
            }
            if let Some(out) = json_out.as_mut() {
                match row.timesketch() {
                    Some(ev) => {
                        let res = serde_json::to_writer(&mut *out, &ev)
                            .map_err(std::io::Error::from)
                            .and_then(|()| out.write_all(b"\n"));
                        match res {
                            Ok(()) => json_written += 1,
                            Err(e) => failed = Some(e),
                        }
                    }
                    None => json_skipped += 1,
                }
            }
            if want_csv {
                row.extra = Default::default();
                rows.push(row);
            }
        });
        if let Some(e) = failed {
            return Err(anyhow::Error::from(e).context("writing the JSONL output"));
        }
    }
    if let Some(mut out) = json_out {
        out.flush()?;
        if json_skipped > 0 {
            crate::common::status!(
                "rift: browser: {json_skipped} rows without a time left out of the JSONL (Timesketch needs one)"
            );
        }
    }
    if want_csv {
        timeline::sort(&mut rows);
        let path = args.csv.clone().unwrap_or_else(|| PathBuf::from("-"));
        write_csv(&path, &rows, &args.tz)?;
    }
    crate::common::status!(
        "rift: browser: {parsed_ok} of {total} databases parsed, {} CSV rows, {json_written} JSONL events",
        rows.len()
    );
    Ok(if parsed_ok == 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn summary(p: &Parsed, f: &Found) -> String {
    let side = match (&f.wal, &f.journal) {
        (Some(_), Some(_)) => " (+wal, +journal)",
        (Some(_), None) => " (+wal)",
        (None, Some(_)) => " (+journal)",
        (None, None) => "",
    };
    match p {
        Parsed::ChromiumHistory(h) => format!(
            "Chromium History schema {}{side}: {} visits, {} downloads, {} searches",
            h.schema_version
                .map(|v| v.to_string())
                .unwrap_or("?".into()),
            h.visits.len(),
            h.downloads.len(),
            h.searches.len()
        ),
        Parsed::FirefoxPlaces(pl) => format!(
            "Firefox places{side}: {} visits, {} downloads",
            pl.visits.len(),
            pl.downloads.len()
        ),
        Parsed::FirefoxDownloads { downloads, .. } => {
            format!(
                "Firefox downloads.sqlite{side}: {} downloads",
                downloads.len()
            )
        }
        _ => "parsed".into(),
    }
}

fn write_csv(path: &Path, rows: &[TimelineRow], zone: &DisplayZone) -> Result<()> {
    let mut out = common::create_output(path)?;
    // UTF-8 BOM + CRLF, like the EZ-tools CSVs: Excel and Timeline
    // Explorer then show non-ASCII URLs and paths correctly.
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(timeline::csv_header(zone))?;
    for r in rows {
        w.write_record(r.csv_record(zone))?;
    }
    w.flush()?;
    Ok(())
}

/// Finds the databases the input holds.
fn gather(args: &Args) -> Result<Vec<Found>> {
    let input = &args.input;
    let meta = fs::metadata(input).with_context(|| format!("reading {}", input.display()))?;
    if meta.is_dir() {
        let mut out = Vec::new();
        walk_dir(input, &mut out, 0)?;
        return Ok(out);
    }
    // A SQLite file is never an image; check the magic before asking the
    // image classifier (which reads the partition table).
    let mut head = [0u8; 28];
    let is_db = fs::File::open(input)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && known_magic(&head);
    if is_db {
        return Ok(vec![read_host_db(input)?]);
    }
    match common::input_kind(input)? {
        InputKind::Image => gather_image(args),
        _ => anyhow::bail!(
            "{}: neither a browser database, a folder nor a disk image",
            input.display()
        ),
    }
}

/// SQLite database or MSIE cache file.
fn known_magic(head: &[u8]) -> bool {
    is_sqlite(head) || is_msiecf(head)
}

/// Reads a host database and its `-wal` / `-journal` siblings.
fn read_host_db(path: &Path) -> Result<Found> {
    let db = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let side = |suffix: &str| {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        fs::read(PathBuf::from(p)).ok().filter(|b| !b.is_empty())
    };
    Ok(Found {
        path: path.display().to_string(),
        wal: side("-wal"),
        journal: side("-journal"),
        db,
    })
}

/// Recursive folder search by file name + SQLite magic; symbolic links are
/// not followed (no loops, no escaping the folder).
fn walk_dir(dir: &Path, out: &mut Vec<Found>, depth: usize) -> Result<()> {
    if depth > 64 {
        return Ok(());
    }
    let mut entries: Vec<_> = match fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok()).collect(),
        Err(e) => {
            crate::common::status!("rift: browser: {}: {e}", dir.display());
            return Ok(());
        }
    };
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let Ok(ft) = e.file_type() else { continue };
        let path = e.path();
        if ft.is_dir() {
            walk_dir(&path, out, depth + 1)?;
        } else if ft.is_file() {
            let name = e.file_name().to_string_lossy().into_owned();
            if DbKind::from_file_name(&name).is_none() {
                continue;
            }
            let mut head = [0u8; 28];
            let ok = fs::File::open(&path)
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
                .is_ok();
            if ok && known_magic(&head) {
                match read_host_db(&path) {
                    Ok(f) => out.push(f),
                    Err(e) => crate::common::status!("rift: browser: {e:#}"),
                }
            }
        }
    }
    Ok(())
}

/// Chromium-family user-data roots under a user profile folder; each holds
/// profile folders (`Default`, `Profile N`) with a `History`.
const CHROMIUM_ROOTS: &[&str] = &[
    r"AppData\Local\Google\Chrome\User Data",
    r"AppData\Local\Google\Chrome Beta\User Data",
    r"AppData\Local\Google\Chrome Dev\User Data",
    r"AppData\Local\Google\Chrome SxS\User Data",
    r"AppData\Local\Microsoft\Edge\User Data",
    r"AppData\Local\Microsoft\Edge Beta\User Data",
    r"AppData\Local\Microsoft\Edge Dev\User Data",
    r"AppData\Local\Microsoft\Edge SxS\User Data",
    r"AppData\Local\BraveSoftware\Brave-Browser\User Data",
    r"AppData\Local\Vivaldi\User Data",
    r"AppData\Local\Chromium\User Data",
    // Opera keeps the profile directly in these folders (and newer
    // versions add profile subfolders), so both levels are searched.
    r"AppData\Roaming\Opera Software\Opera Stable",
    r"AppData\Roaming\Opera Software\Opera GX Stable",
    // Windows XP layout.
    r"Local Settings\Application Data\Google\Chrome\User Data",
];

/// Internet Explorer WinINet index folders under a user profile folder
/// (each holds an `index.dat`; history folders also hold `MSHist…`
/// sub-containers, searched one level down).
const IE_ROOTS: &[&str] = &[
    r"AppData\Local\Microsoft\Windows\History\History.IE5",
    r"AppData\Local\Microsoft\Windows\History\Low\History.IE5",
    r"AppData\Local\Microsoft\Windows\Temporary Internet Files\Content.IE5",
    r"AppData\Local\Microsoft\Windows\Temporary Internet Files\Low\Content.IE5",
    r"AppData\Roaming\Microsoft\Windows\Cookies",
    r"Local Settings\History\History.IE5",
    r"Local Settings\Temporary Internet Files\Content.IE5",
    r"Cookies",
];

/// Firefox profile parents under a user profile folder.
const FIREFOX_ROOTS: &[&str] = &[
    r"AppData\Roaming\Mozilla\Firefox\Profiles",
    r"Application Data\Mozilla\Firefox\Profiles",
];

fn gather_image(args: &Args) -> Result<Vec<Found>> {
    let (label, vols) = if args.volume.partition.is_some() || args.volume.offset.is_some() {
        let (ev, v) = common::open_ntfs(&args.input, &args.volume)?;
        (ev.path, vec![v])
    } else {
        let (ev, vs) = common::open_all_ntfs(&args.input)?;
        (ev.path, vs)
    };
    let _ = label;
    let mut out = Vec::new();
    for v in &vols {
        let prefix = match v.partition {
            Some(p) => format!("p{p}:"),
            None => format!("@{}:", v.start),
        };
        scan_volume(&v.ntfs, &prefix, &mut out);
    }
    Ok(out)
}

fn dir_children(ntfs: &Ntfs, dir: &MftEntry) -> Vec<String> {
    match ntfs.read_dir(dir) {
        Ok(l) => l.entries.into_iter().map(|e| e.name.name).collect(),
        Err(_) => Vec::new(),
    }
}

fn scan_volume(ntfs: &Ntfs, prefix: &str, out: &mut Vec<Found>) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for users in ["Users", "Documents and Settings"] {
        let Ok(Some(users_dir)) = ntfs.find(users) else {
            continue;
        };
        for user in dir_children(ntfs, &users_dir) {
            let home = format!(r"{users}\{user}");
            for root in CHROMIUM_ROOTS {
                let root_path = format!(r"{home}\{root}");
                let Ok(Some(root_dir)) = ntfs.find(&root_path) else {
                    continue;
                };
                if !root_dir.is_directory() {
                    continue;
                }
                try_image_db(
                    ntfs,
                    prefix,
                    &format!(r"{root_path}\History"),
                    &mut seen,
                    out,
                );
                for profile in dir_children(ntfs, &root_dir) {
                    let p = format!(r"{root_path}\{profile}\History");
                    try_image_db(ntfs, prefix, &p, &mut seen, out);
                }
            }
            for root in IE_ROOTS {
                let root_path = format!(r"{home}\{root}");
                let Ok(Some(root_dir)) = ntfs.find(&root_path) else {
                    continue;
                };
                try_image_db(
                    ntfs,
                    prefix,
                    &format!(r"{root_path}\index.dat"),
                    &mut seen,
                    out,
                );
                for sub in dir_children(ntfs, &root_dir) {
                    if sub.to_ascii_lowercase().starts_with("mshist") {
                        let p = format!(r"{root_path}\{sub}\index.dat");
                        try_image_db(ntfs, prefix, &p, &mut seen, out);
                    }
                }
            }
            for root in FIREFOX_ROOTS {
                let root_path = format!(r"{home}\{root}");
                let Ok(Some(root_dir)) = ntfs.find(&root_path) else {
                    continue;
                };
                for profile in dir_children(ntfs, &root_dir) {
                    for db in ["places.sqlite", "downloads.sqlite"] {
                        let p = format!(r"{root_path}\{profile}\{db}");
                        try_image_db(ntfs, prefix, &p, &mut seen, out);
                    }
                }
            }
        }
    }
}

fn read_image_file(ntfs: &Ntfs, path: &str) -> Option<Vec<u8>> {
    let e = ntfs.find(path).ok()??;
    if e.is_directory() {
        return None;
    }
    match ntfs.read_all(&e, None, MAX_DB) {
        Ok(b) => Some(b),
        Err(err) => {
            crate::common::status!("rift: browser: {path}: {err}");
            None
        }
    }
}

fn try_image_db(
    ntfs: &Ntfs,
    prefix: &str,
    path: &str,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<Found>,
) {
    if !seen.insert(path.to_ascii_lowercase()) {
        return;
    }
    let Some(db) = read_image_file(ntfs, path) else {
        return;
    };
    if !known_magic(&db) {
        return;
    }
    let side = |s: &str| read_image_file(ntfs, &format!("{path}{s}")).filter(|b| !b.is_empty());
    out.push(Found {
        path: format!(r"{prefix}\{path}"),
        wal: side("-wal"),
        journal: side("-journal"),
        db,
    });
}
