//! `rift export`: copy files out of an NTFS volume, or the incident-response
//! triage set (`--target triage`), with a manifest of hashes and times.
//!
//! Safety rules (the evidence is never written; nothing extracted can run):
//! * names from the image go through `rift_io::host::sanitize_component`
//!   (no `..`, separators, NUL, reserved device names); output files that
//!   would collide (case-insensitively) get a `~N` suffix;
//! * files are created with `create_new` (an existing file or symlink is
//!   never followed or overwritten) and mode 0644 (no execute bit);
//!   directories are created one component at a time and a component that
//!   is a symlink on the host is refused;
//! * sparse regions stay sparse (holes), while hashes cover the logical
//!   content (zeros included).

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use md5::Digest;
use rift_io::ReadAt;
use rift_io::host::sanitize_component;
use rift_io::time::{FileTime, format_iso_utc};
use rift_ntfs::{AttrType, MftEntry, Ntfs, NtfsStream, StreamKind};

use super::ls::{Node, Source, Tree, VolumeOpts, open_source, scan_nodes};

/// Arguments of `rift export`.
#[derive(clap::Args)]
pub struct Args {
    /// Disk image (E01, raw, VM disk) or bare NTFS volume.
    pub image: PathBuf,
    /// Output folder (created; must not exist or be empty).
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// Files or folders to export (paths inside the volume; folders recurse;
    /// `*` wildcards allowed in components; `path:stream` for one ADS).
    pub paths: Vec<String>,
    /// A predefined set: `triage` (the incident-response artifacts).
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
    /// Also write file slack (bytes after the end of data up to the end of
    /// the last cluster) as `<name>.slack`.
    #[arg(long)]
    pub slack: bool,
    /// Include deleted files (matching deleted entries, data as now on disk).
    #[arg(long)]
    pub deleted: bool,
    #[command(flatten)]
    pub volume: VolumeOpts,
}

/// The triage set: path patterns relative to the volume root (`*` matches
/// within one component, `**` any depth), case-insensitive.
pub const TRIAGE: &[&str] = &[
    // NTFS metadata
    "$MFT",
    "$LogFile",
    "$Boot",
    "$Extend/$UsnJrnl:$J",
    "$Extend/$UsnJrnl:$Max",
    "$Secure:$SDS",
    // registry hives with their transaction logs
    "Windows/System32/config/SAM*",
    "Windows/System32/config/SECURITY*",
    "Windows/System32/config/SOFTWARE*",
    "Windows/System32/config/SYSTEM*",
    "Windows/System32/config/DEFAULT*",
    "Windows/System32/config/COMPONENTS*",
    "Windows/System32/config/RegBack/*",
    "Windows/ServiceProfiles/*/NTUSER.DAT*",
    "Users/*/NTUSER.DAT*",
    "Users/*/AppData/Local/Microsoft/Windows/UsrClass.dat*",
    "Windows/AppCompat/Programs/Amcache.hve*",
    // event logs, prefetch, tasks
    "Windows/System32/winevt/Logs/*.evtx",
    "Windows/Prefetch/*.pf",
    "Windows/System32/Tasks/**",
    "Windows/Tasks/*",
    // browsers
    "Users/*/AppData/Local/Google/Chrome/User Data/*/History*",
    "Users/*/AppData/Local/Google/Chrome/User Data/*/Cookies*",
    "Users/*/AppData/Local/Google/Chrome/User Data/*/Network/Cookies*",
    "Users/*/AppData/Local/Google/Chrome/User Data/*/Web Data*",
    "Users/*/AppData/Local/Google/Chrome/User Data/*/Login Data*",
    "Users/*/AppData/Local/Google/Chrome/User Data/*/Bookmarks*",
    "Users/*/AppData/Local/Google/Chrome/User Data/*/Preferences",
    "Users/*/AppData/Local/Google/Chrome/User Data/*/Shortcuts*",
    "Users/*/AppData/Local/Google/Chrome/User Data/*/Top Sites*",
    "Users/*/AppData/Local/Microsoft/Edge/User Data/*/History*",
    "Users/*/AppData/Local/Microsoft/Edge/User Data/*/Cookies*",
    "Users/*/AppData/Local/Microsoft/Edge/User Data/*/Network/Cookies*",
    "Users/*/AppData/Local/Microsoft/Edge/User Data/*/Web Data*",
    "Users/*/AppData/Local/Microsoft/Edge/User Data/*/Login Data*",
    "Users/*/AppData/Local/Microsoft/Edge/User Data/*/Bookmarks*",
    "Users/*/AppData/Local/Microsoft/Edge/User Data/*/Preferences",
    "Users/*/AppData/Local/Microsoft/Edge/User Data/*/Shortcuts*",
    "Users/*/AppData/Roaming/Mozilla/Firefox/Profiles/*/*.sqlite*",
    "Users/*/AppData/Roaming/Mozilla/Firefox/Profiles/*/sessionstore*",
    "Users/*/AppData/Roaming/Mozilla/Firefox/Profiles/*/sessionstore-backups/*",
    // Recycle Bin, LNK, jump lists
    "$Recycle.Bin/*/$I*",
    "Users/*/AppData/Roaming/Microsoft/Windows/Recent/*.lnk",
    "Users/*/AppData/Roaming/Microsoft/Windows/Recent/AutomaticDestinations/*",
    "Users/*/AppData/Roaming/Microsoft/Windows/Recent/CustomDestinations/*",
    "Users/*/AppData/Roaming/Microsoft/Office/Recent/*",
    "Users/*/Desktop/*.lnk",
];

/// Case-insensitive wildcard match of one component (`*` and `?`).
pub(crate) fn wild(pat: &str, name: &str) -> bool {
    let p: Vec<char> = pat.to_lowercase().chars().collect();
    let n: Vec<char> = name.to_lowercase().chars().collect();
    // Iterative matcher with backtracking on the last `*`.
    let (mut i, mut j) = (0usize, 0usize);
    let (mut star, mut mark) = (None, 0usize);
    while j < n.len() {
        match p.get(i) {
            Some('*') => {
                star = Some(i);
                mark = j;
                i += 1;
            }
            Some(c) if *c == '?' || Some(c) == n.get(j) => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some(s) => {
                    i = s + 1;
                    mark += 1;
                    j = mark;
                }
                None => return false,
            },
        }
    }
    while p.get(i) == Some(&'*') {
        i += 1;
    }
    i == p.len()
}

/// One file (or stream) selected for export.
#[derive(Debug, Clone)]
pub(crate) struct Selected {
    pub entry: u64,
    /// Path inside the volume (`/`-separated).
    pub path: String,
    /// The path's components (names may themselves contain `/`).
    pub comps: Vec<String>,
    /// Stream (`None` = unnamed data).
    pub stream: Option<String>,
}

/// Expands patterns over the tree.
pub(crate) fn select(
    tree: &Tree,
    patterns: &[String],
    deleted: bool,
) -> (Vec<Selected>, Vec<String>) {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    let Some(root) = tree.node(5) else {
        return (out, patterns.to_vec());
    };
    for pat in patterns {
        let (p, stream) = super::cat::split_stream(pat);
        let comps: Vec<&str> = p
            .split(['/', '\\'])
            .filter(|c| !c.is_empty() && *c != ".")
            .collect();
        let before = out.len();
        walk_pattern(
            tree,
            root,
            &[],
            &comps,
            stream.as_deref(),
            deleted,
            &mut out,
        );
        if out.len() == before {
            missing.push(pat.clone());
        }
    }
    // De-duplicate (entry, stream).
    let mut seen = HashSet::new();
    out.retain(|s| seen.insert((s.entry, s.stream.clone())));
    (out, missing)
}

fn walk_pattern(
    tree: &Tree,
    dir: &Node,
    prefix: &[String],
    comps: &[&str],
    stream: Option<&str>,
    deleted: bool,
    out: &mut Vec<Selected>,
) {
    let Some((first, rest)) = comps.split_first() else {
        // The pattern named this node: a file, or a folder to recurse.
        add_node(tree, dir, prefix, stream, deleted, out, 0);
        return;
    };
    if *first == "**" {
        // Zero or more directories.
        walk_pattern(tree, dir, prefix, rest, stream, deleted, out);
        for (c, l) in tree.kids(dir, deleted) {
            let p = join(prefix, &l.name);
            if c.is_dir {
                walk_pattern(tree, c, &p, comps, stream, deleted, out);
            } else if rest.is_empty() {
                add_node(tree, c, &p, stream, deleted, out, 0);
            }
        }
        return;
    }
    for (c, l) in tree.kids(dir, deleted) {
        if wild(first, &l.name) {
            walk_pattern(tree, c, &join(prefix, &l.name), rest, stream, deleted, out);
        }
    }
}

fn join(a: &[String], b: &str) -> Vec<String> {
    let mut v = a.to_vec();
    v.push(b.to_string());
    v
}

fn add_node(
    tree: &Tree,
    n: &Node,
    path: &[String],
    stream: Option<&str>,
    deleted: bool,
    out: &mut Vec<Selected>,
    depth: usize,
) {
    if n.is_dir && stream.is_none() {
        if depth > 256 {
            return;
        }
        for (c, l) in tree.kids(n, deleted) {
            add_node(tree, c, &join(path, &l.name), None, deleted, out, depth + 1);
        }
        return;
    }
    match stream {
        Some(s) => out.push(Selected {
            entry: n.number,
            path: path.join("/"),
            comps: path.to_vec(),
            stream: Some(s.to_string()),
        }),
        None => {
            for st in &n.streams {
                if st.type_code == AttrType::DATA.0 {
                    out.push(Selected {
                        entry: n.number,
                        path: path.join("/"),
                        comps: path.to_vec(),
                        stream: st.name.clone(),
                    });
                }
            }
        }
    }
}

/// Creates `rel` (sanitized components) under `root`, refusing symlinked
/// components; returns the file path with a collision-free name.
fn safe_target(
    root: &Path,
    rel: &[String],
    stream: Option<&str>,
    used: &mut HashSet<String>,
) -> anyhow::Result<PathBuf> {
    // Each name from the image is one component, even when it holds `/`.
    let mut comps: Vec<String> = rel.iter().map(|c| sanitize_component(c)).collect();
    if comps.is_empty() {
        comps.push("_".into());
    }
    let last = comps.pop().unwrap_or_default();
    let mut dir = root.to_path_buf();
    for c in comps {
        dir.push(c);
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => {
                bail!("refusing to follow symlink {}", dir.display())
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => bail!("{} exists and is not a folder", dir.display()),
            Err(_) => fs::create_dir(&dir).with_context(|| format!("create {}", dir.display()))?,
        }
    }
    let name = match stream {
        Some(s) => sanitize_component(&format!("{last}:{s}")),
        None => last,
    };
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (
            name.get(..i).unwrap_or(&name).to_string(),
            name.get(i..).unwrap_or("").to_string(),
        ),
        _ => (name.clone(), String::new()),
    };
    let mut candidate = dir.join(&name);
    let mut n = 2;
    while used.contains(&candidate.to_string_lossy().to_lowercase())
        || fs::symlink_metadata(&candidate).is_ok()
    {
        candidate = dir.join(format!("{stem}~{n}{ext}"));
        n += 1;
    }
    used.insert(candidate.to_string_lossy().to_lowercase());
    Ok(candidate)
}

fn create_file(p: &Path) -> anyhow::Result<File> {
    let mut o = OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o644);
    }
    o.open(p).with_context(|| format!("create {}", p.display()))
}

/// Hashes of one exported stream.
pub(crate) struct Hashes {
    pub md5: String,
    pub sha1: String,
    pub sha256: String,
}

/// Writes a stream to `f` keeping sparse regions as holes; returns hashes.
pub(crate) fn write_stream(s: &NtfsStream, f: &mut File) -> anyhow::Result<Hashes> {
    let size = s.size();
    let mut md5 = md5::Md5::new();
    let mut sha1 = sha1::Sha1::new();
    let mut sha256 = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let zeros = vec![0u8; 1 << 20];
    // Only clusters that exist are read from disk; holes are hashed as zeros.
    let ranges: Vec<(u64, u64)> = if s.kind() == StreamKind::NonResident {
        s.allocated_ranges()
            .iter()
            .map(|r| (r.offset, r.offset + r.length))
            .collect()
    } else {
        vec![(0, size)]
    };
    let mut pos = 0u64;
    let hash_zeros =
        |n: u64, md5: &mut md5::Md5, sha1: &mut sha1::Sha1, sha256: &mut sha2::Sha256| {
            let mut left = n;
            while left > 0 {
                let k = left.min(zeros.len() as u64) as usize;
                let z = zeros.get(..k).unwrap_or_default();
                md5.update(z);
                sha1.update(z);
                sha256.update(z);
                left -= k as u64;
            }
        };
    for (start, end) in ranges {
        let end = end.min(size);
        if start > pos {
            hash_zeros(start - pos, &mut md5, &mut sha1, &mut sha256);
            pos = start;
        }
        while pos < end {
            let n = (end - pos).min(buf.len() as u64) as usize;
            let b = buf.get_mut(..n).unwrap_or_default();
            rift_io::read_exact_at(s, pos, b).with_context(|| format!("read stream at {pos}"))?;
            md5.update(&*b);
            sha1.update(&*b);
            sha256.update(&*b);
            if b.iter().all(|&x| x == 0) {
                // leave a hole
            } else {
                f.seek(SeekFrom::Start(pos))?;
                f.write_all(b)?;
            }
            pos += n as u64;
        }
    }
    if pos < size {
        hash_zeros(size - pos, &mut md5, &mut sha1, &mut sha256);
    }
    f.set_len(size)?;
    Ok(Hashes {
        md5: hex::encode(md5.finalize()),
        sha1: hex::encode(sha1.finalize()),
        sha256: hex::encode(sha256.finalize()),
    })
}

/// File slack of the unnamed `$DATA`: bytes from the data size to the end
/// of the last allocated cluster.
fn file_slack(ntfs: &Ntfs, e: &MftEntry) -> Option<Vec<u8>> {
    let a = e.attribute(AttrType::DATA, "")?;
    let n = a.non_resident()?;
    if a.flags.bits() & 0x0001 != 0
        || n.allocated_size <= n.data_size
        || n.allocated_size - n.data_size > 64 << 20
    {
        return None;
    }
    let cl = ntfs.cluster_size();
    let vcn = n.data_size / cl;
    let run = n.runs.iter().find(|r| r.vcn <= vcn && vcn < r.end_vcn())?;
    let lcn = run.lcn? + (vcn - run.vcn);
    let start = lcn * cl + n.data_size % cl;
    let len = cl - n.data_size % cl;
    if len == cl {
        return None;
    }
    let mut v = vec![0u8; len as usize];
    ntfs.volume().read_at(start, &mut v).ok()?;
    Some(v)
}

fn ts(t: FileTime) -> String {
    t.to_timestamp().map(format_iso_utc).unwrap_or_default()
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut patterns: Vec<String> = args.paths.clone();
    match args.target.as_deref() {
        None => {}
        Some("triage") => patterns.extend(TRIAGE.iter().map(|s| s.to_string())),
        Some(other) => bail!("unknown --target {other:?} (known: triage)"),
    }
    if patterns.is_empty() {
        bail!("nothing to export: give PATHs or --target triage");
    }
    // The evidence is never written: refuse an output that is the image.
    if let (Ok(a), Ok(b)) = (args.image.canonicalize(), args.out.canonicalize()) {
        if a == b || a.starts_with(&b) && b.is_file() {
            bail!("--out must not be the evidence");
        }
    }
    if args.out.exists()
        && fs::read_dir(&args.out)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        bail!("{} exists and is not empty", args.out.display());
    }
    fs::create_dir_all(&args.out).with_context(|| format!("create {}", args.out.display()))?;
    let src = open_source(&args.image, &args.volume, false)?;
    let Source::Volume(ntfs) = &src else {
        bail!("rift export needs a disk image or volume");
    };
    let tree = Tree::build(scan_nodes(&src));
    let (sel, missing) = select(&tree, &patterns, args.deleted);
    let mut used = HashSet::new();
    let mut rows: Vec<serde_json::Value> = Vec::new();
    let mut csv = String::from(
        "\u{feff}ImagePath,Stream,Entry,Sequence,InUse,OutputPath,Size,MD5,SHA1,SHA256,SiCreated,SiModified,SiRecordChange,SiAccessed,FnCreated,FnModified,FnRecordChange,FnAccessed,Status\r\n",
    );
    let mut entries: HashMap<u64, MftEntry> = HashMap::new();
    let (mut ok, mut failed) = (0u64, 0u64);
    for s in &sel {
        let e = match entries.get(&s.entry) {
            Some(e) => e.clone(),
            None => match ntfs.entry(s.entry) {
                Ok(e) => {
                    entries.insert(s.entry, e.clone());
                    e
                }
                Err(err) => {
                    eprintln!("rift: warning: {}: {err}", s.path);
                    failed += 1;
                    continue;
                }
            },
        };
        let target = safe_target(&args.out, &s.comps, s.stream.as_deref(), &mut used)?;
        let rel = target
            .strip_prefix(&args.out)
            .unwrap_or(&target)
            .to_string_lossy()
            .replace('\\', "/");
        let result = (|| -> anyhow::Result<(u64, Hashes)> {
            let stream = ntfs.open_stream(&e, s.stream.as_deref())?;
            let mut f = create_file(&target)?;
            let h = write_stream(&stream, &mut f)?;
            Ok((stream.size(), h))
        })();
        let si = e.standard_information();
        let fname = e.best_file_name();
        let (size, h, status) = match result {
            Ok((size, h)) => {
                ok += 1;
                (size, Some(h), "ok".to_string())
            }
            Err(err) => {
                failed += 1;
                eprintln!("rift: warning: {}: {err:#}", s.path);
                let _ = fs::remove_file(&target);
                (0, None, format!("error: {err:#}"))
            }
        };
        let times = |f: Option<[FileTime; 4]>| f.map(|t| t.map(ts)).unwrap_or_default();
        let sit = times(
            si.as_ref()
                .map(|s| [s.created, s.modified, s.mft_modified, s.accessed]),
        );
        let fnt = times(
            fname
                .as_ref()
                .map(|f| [f.created, f.modified, f.mft_modified, f.accessed]),
        );
        let image_path = s.path.replace('/', "\\");
        let stream = s.stream.clone().unwrap_or_default();
        let (md5, sha1, sha256) = h
            .as_ref()
            .map(|h| (h.md5.clone(), h.sha1.clone(), h.sha256.clone()))
            .unwrap_or_default();
        for (i, v) in [
            image_path.as_str(),
            &stream,
            &s.entry.to_string(),
            &e.sequence().to_string(),
            if e.in_use() { "True" } else { "False" },
            &rel,
            &size.to_string(),
            &md5,
            &sha1,
            &sha256,
        ]
        .iter()
        .chain(sit.iter().map(|x| x as &str).collect::<Vec<_>>().iter())
        .chain(fnt.iter().map(|x| x as &str).collect::<Vec<_>>().iter())
        .chain([status.as_str()].iter())
        .enumerate()
        {
            if i > 0 {
                csv.push(',');
            }
            super::mft::push_csv(&mut csv, v);
        }
        csv.push_str("\r\n");
        rows.push(serde_json::json!({
            "image_path": image_path, "stream": s.stream, "entry": s.entry, "sequence": e.sequence(), "in_use": e.in_use(),
            "output_path": rel, "size": size, "md5": md5, "sha1": sha1, "sha256": sha256,
            "si_created": sit[0], "si_modified": sit[1], "si_record_change": sit[2], "si_accessed": sit[3],
            "fn_created": fnt[0], "fn_modified": fnt[1], "fn_record_change": fnt[2], "fn_accessed": fnt[3],
            "status": status,
        }));
        if args.slack && s.stream.is_none() {
            if let Some(slack) = file_slack(ntfs, &e) {
                let mut c = s.comps.clone();
                if let Some(last) = c.last_mut() {
                    last.push_str(".slack");
                }
                let p = safe_target(&args.out, &c, None, &mut used)?;
                let mut f = create_file(&p)?;
                f.write_all(&slack)?;
            }
        }
    }
    let manifest = serde_json::json!({
        "image": args.image.display().to_string(),
        "volume_serial": ntfs.boot_sector().serial_string(),
        "files": rows,
        "not_found": missing,
    });
    create_file(&args.out.join("manifest.csv"))?.write_all(csv.as_bytes())?;
    create_file(&args.out.join("manifest.json"))?
        .write_all(serde_json::to_string_pretty(&manifest)?.as_bytes())?;
    eprintln!(
        "rift export: {ok} streams written, {failed} failed, {} patterns matched nothing",
        missing.len()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[cfg(test)]
mod tests {
    use super::wild;

    #[test]
    fn wildcards() {
        assert!(wild("NTUSER.DAT*", "ntuser.dat.LOG1"));
        assert!(wild("*.evtx", "Security.evtx"));
        assert!(!wild("*.evtx", "Security.evtx.bak"));
        assert!(wild("$I*", "$IABC.txt"));
        assert!(wild("a?c", "abc"));
        assert!(!wild("SAM*", "xSAM"));
    }
}
