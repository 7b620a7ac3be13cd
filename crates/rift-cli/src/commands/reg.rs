//! `rift reg`: registry hives — RECmd-compatible batch extraction (default),
//! transaction-log replay, key listing and typed plugins.
//!
//! Inputs are hive files, folders of exported hives (any depth; KAPE and
//! REGA layouts, `username.NTUSER.DAT` names) or disk images (every NTFS
//! volume's `Windows\System32\config`, `Windows\AppCompat\Programs`, and
//! each profile's `NTUSER.DAT` and `UsrClass.dat`). Logs (`.LOG1`, `.LOG2`,
//! `.LOG`, any case) are found beside their hive and replayed unless
//! `--no-logs`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use rift_hive::batch::{BatchFile, BatchRun, DEFAULT_BATCH};
use rift_hive::discover::{self, HiveType};
use rift_hive::plugins::{self, Record};
use rift_hive::{Hive, ReplayReport};

use crate::common;

/// Arguments of `rift reg`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
    #[command(flatten)]
    batch: BatchArgs,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Replay .LOG1/.LOG2 (or an old-format .LOG) into a clean hive file.
    Replay(ReplayArgs),
    /// Show one key: last write time, subkeys, values (text or JSON).
    Ls(LsArgs),
    /// Run the incident plugins and write typed records (JSONL, CSV) and a
    /// registry timeline.
    Plugins(PluginsArgs),
}

/// Batch mode: `rift reg INPUT… --csv OUT [--batch FILE.reb]`.
#[derive(clap::Args)]
struct BatchArgs {
    /// Hive files, folders of exported hives, or disk images.
    #[arg(value_name = "IMAGE|DIR|HIVE")]
    inputs: Vec<PathBuf>,
    /// RECmd batch file (.reb); default: rift's built-in batch.
    #[arg(long, value_name = "FILE.reb")]
    batch: Option<PathBuf>,
    /// Do not replay transaction logs (dirty hives are parsed as they are).
    #[arg(long)]
    no_logs: bool,
    /// Also report deleted keys and values (flagged Deleted=True).
    #[arg(long)]
    recover: bool,
    /// Output CSV (RECmd batch columns); a folder gets `rift_reg_batch.csv`.
    #[arg(long, value_name = "OUT")]
    csv: Option<PathBuf>,
    /// Print the built-in batch file and exit.
    #[arg(long)]
    print_default_batch: bool,
    #[command(flatten)]
    vol: common::VolumeArgs,
}

#[derive(clap::Args)]
struct ReplayArgs {
    /// The primary hive file.
    hive: PathBuf,
    /// First log (default: HIVE.LOG1 beside it, any case).
    #[arg(long, value_name = "FILE")]
    log1: Option<PathBuf>,
    /// Second log (default: HIVE.LOG2 beside it).
    #[arg(long, value_name = "FILE")]
    log2: Option<PathBuf>,
    /// Old-style single log (default: HIVE.LOG beside it, used when there
    /// is no .LOG1/.LOG2).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// Where to write the recovered hive.
    #[arg(short = 'o', long, value_name = "CLEAN")]
    output: PathBuf,
    /// Print the replay report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct LsArgs {
    /// The hive file (its logs are replayed in memory unless --no-logs).
    hive: PathBuf,
    /// Key path relative to the root (`\` or `/` separated; the root's own
    /// name may lead). Empty for the root.
    #[arg(default_value = "")]
    key_path: String,
    /// JSON output.
    #[arg(long)]
    json: bool,
    /// Also list all subkeys below, recursively.
    #[arg(short = 'r', long)]
    recursive: bool,
    /// Show binary data in full (default: first 64 bytes).
    #[arg(long)]
    full: bool,
    /// Do not replay transaction logs.
    #[arg(long)]
    no_logs: bool,
}

#[derive(clap::Args)]
struct PluginsArgs {
    /// Hive files, folders of exported hives, or disk images.
    #[arg(value_name = "IMAGE|DIR|HIVE", required = true)]
    inputs: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Do not replay transaction logs.
    #[arg(long)]
    no_logs: bool,
    #[command(flatten)]
    vol: common::VolumeArgs,
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        Some(Sub::Replay(a)) => replay_cmd(a),
        Some(Sub::Ls(a)) => ls_cmd(a),
        Some(Sub::Plugins(a)) => plugins_cmd(a),
        None => batch_cmd(args.batch),
    }
}

/// A hive found in the inputs, with its logs.
pub struct HiveInput {
    /// Where it came from (file path, or `image:path` inside an image).
    pub display: String,
    /// Path used for type detection and user attribution.
    pub rel_path: String,
    /// Hive bytes.
    pub bytes: Vec<u8>,
    /// (name, bytes) of `.LOG1`, `.LOG2`, `.LOG` found beside it, in that
    /// order.
    pub logs: Vec<(String, Vec<u8>)>,
}

/// A hive opened and typed.
pub struct Loaded {
    /// The input.
    pub display: String,
    /// Type from name + content.
    pub hive_type: HiveType,
    /// User the hive belongs to, when known.
    pub user: Option<String>,
    /// The replayed (or as-is) hive.
    pub hive: Hive,
    /// Replay report (None with --no-logs).
    pub report: Option<ReplayReport>,
}

fn pick_logs(logs: &[(String, Vec<u8>)]) -> (Option<&[u8]>, Option<&[u8]>) {
    let find = |suffix: &str| {
        logs.iter()
            .find(|(n, _)| n.to_ascii_lowercase().ends_with(suffix))
            .map(|(_, b)| b.as_slice())
    };
    match (find(".log1"), find(".log2")) {
        (None, None) => (find(".log"), None),
        (a, b) => (a, b),
    }
}

/// Replays (unless `no_logs`) and opens a hive.
pub fn load(input: HiveInput, no_logs: bool) -> Result<Loaded> {
    let (hive, report) = if no_logs {
        (
            Hive::from_bytes(input.bytes).with_context(|| input.display.clone())?,
            None,
        )
    } else {
        let (l1, l2) = pick_logs(&input.logs);
        let r = rift_hive::replay(&input.bytes, l1, l2).with_context(|| input.display.clone())?;
        (
            Hive::from_bytes(r.hive).with_context(|| input.display.clone())?,
            Some(r.report),
        )
    };
    Ok(Loaded {
        hive_type: discover::detect(&input.rel_path, &hive),
        user: discover::user_from_path(&input.rel_path),
        display: input.display,
        hive,
        report,
    })
}

fn read_magic(p: &Path) -> Option<[u8; 4]> {
    use std::io::Read;
    let mut f = std::fs::File::open(p).ok()?;
    let mut b = [0u8; 4];
    f.read_exact(&mut b).ok()?;
    Some(b)
}

fn logs_beside(p: &Path) -> Vec<(String, Vec<u8>)> {
    let (Some(dir), Some(name)) = (p.parent(), p.file_name().and_then(|n| n.to_str())) else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let names: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    let mut out = Vec::new();
    for suffix in [".LOG1", ".LOG2", ".LOG"] {
        let want = format!("{name}{suffix}").to_ascii_lowercase();
        if let Some(lp) = names.iter().find(|x| {
            x.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.to_ascii_lowercase() == want)
        }) && let Ok(b) = std::fs::read(lp)
        {
            out.push((lp.display().to_string(), b));
        }
    }
    out
}

fn walk_dir(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 32 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk_dir(&p, out, depth + 1);
        } else {
            out.push(p);
        }
    }
}

/// Finds hives in the inputs (files, folders, images).
pub fn collect_inputs(inputs: &[PathBuf], vol: &common::VolumeArgs) -> Result<Vec<HiveInput>> {
    let mut out = Vec::new();
    for input in inputs {
        match common::input_kind(input)? {
            common::InputKind::Dir => {
                let mut files = Vec::new();
                walk_dir(input, &mut files, 0);
                for f in files {
                    let name = f
                        .file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or_default()
                        .to_string();
                    if discover::is_log_name(&name) || read_magic(&f) != Some(*b"regf") {
                        continue;
                    }
                    let rel = f.strip_prefix(input).unwrap_or(&f).display().to_string();
                    out.push(HiveInput {
                        display: f.display().to_string(),
                        rel_path: rel,
                        bytes: std::fs::read(&f).with_context(|| f.display().to_string())?,
                        logs: logs_beside(&f),
                    });
                }
            }
            common::InputKind::File => {
                if read_magic(input) == Some(*b"CREG") {
                    bail!(
                        "{}: Windows 9x/ME CREG registry file, not an NT hive",
                        input.display()
                    );
                }
                out.push(HiveInput {
                    display: input.display().to_string(),
                    rel_path: input.display().to_string(),
                    bytes: std::fs::read(input).with_context(|| input.display().to_string())?,
                    logs: logs_beside(input),
                });
            }
            common::InputKind::Image => out.extend(hives_in_image(input, vol)?),
        }
    }
    Ok(out)
}

/// Hive locations on a Windows volume.
fn hives_in_image(image: &Path, vol: &common::VolumeArgs) -> Result<Vec<HiveInput>> {
    let vols = if vol.partition.is_some() || vol.offset.is_some() {
        vec![common::open_ntfs(image, vol)?.1]
    } else {
        common::open_all_ntfs(image)?.1
    };
    let mut out = Vec::new();
    for v in vols {
        let ntfs = &v.ntfs;
        let tag = match v.partition {
            Some(p) => format!("{}:p{p}", image.display()),
            None => format!("{}:@{}", image.display(), v.start),
        };
        let mut wanted: Vec<String> = [
            "SYSTEM",
            "SOFTWARE",
            "SAM",
            "SECURITY",
            "DEFAULT",
            "COMPONENTS",
            "DRIVERS",
        ]
        .iter()
        .map(|n| format!("Windows\\System32\\config\\{n}"))
        .collect();
        wanted.push("Windows\\AppCompat\\Programs\\Amcache.hve".into());
        if let Ok(Some(users)) = ntfs.find("Users")
            && let Ok(list) = ntfs.read_dir(&users)
        {
            for e in &list.entries {
                if e.name.attributes.bits() & 0x1000_0000 == 0 && e.name.data_size != 0 {
                    continue;
                }
                let u = &e.name.name;
                wanted.push(format!("Users\\{u}\\NTUSER.DAT"));
                wanted.push(format!(
                    "Users\\{u}\\AppData\\Local\\Microsoft\\Windows\\UsrClass.dat"
                ));
            }
        }
        let cap = 2u64 << 30;
        for path in wanted {
            let Ok(Some(entry)) = ntfs.find(&path) else {
                continue;
            };
            let Ok(bytes) = ntfs.read_all(&entry, None, cap) else {
                eprintln!("rift: warning: {tag}\\{path}: unreadable");
                continue;
            };
            if bytes.get(..4) != Some(b"regf") {
                continue;
            }
            let mut logs = Vec::new();
            for suffix in [".LOG1", ".LOG2", ".LOG"] {
                let lp = format!("{path}{suffix}");
                if let Ok(Some(le)) = ntfs.find(&lp)
                    && let Ok(b) = ntfs.read_all(&le, None, cap)
                {
                    logs.push((lp, b));
                }
            }
            out.push(HiveInput {
                display: format!("{tag}\\{path}"),
                rel_path: path,
                bytes,
                logs,
            });
        }
    }
    Ok(out)
}

fn report_line(l: &Loaded) -> String {
    let mut s = format!(
        "{} [{}{}]",
        l.display,
        l.hive_type.batch_name(),
        l.user
            .as_ref()
            .map(|u| format!(", user {u}"))
            .unwrap_or_default()
    );
    match &l.report {
        Some(r) if r.was_dirty && r.applied > 0 => s.push_str(&format!(
            " dirty: replayed {} log entries/pages, sequence {:?}",
            r.applied, r.final_sequence
        )),
        Some(r) if r.was_dirty => {
            s.push_str(" dirty: NO log applied, parsed as is (recent changes may be missing)")
        }
        None if l.hive.is_dirty() => s.push_str(" dirty: logs not replayed (--no-logs)"),
        _ => {}
    }
    s
}

fn batch_cmd(a: BatchArgs) -> Result<ExitCode> {
    if a.print_default_batch {
        print!("{DEFAULT_BATCH}");
        return Ok(ExitCode::SUCCESS);
    }
    let text = match &a.batch {
        Some(p) => {
            std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?
        }
        None => DEFAULT_BATCH.to_string(),
    };
    let batch = BatchFile::parse(&text).with_context(|| {
        a.batch
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "built-in batch".into())
    })?;
    if a.inputs.is_empty() {
        bail!(
            "give at least one hive, folder or image (or a subcommand: replay, ls, plugins; see --help)"
        );
    }
    let Some(csv_out) = a.csv.clone() else {
        bail!("--csv OUT is required in batch mode (a file, a folder, or - for stdout)");
    };
    let out_path = if csv_out.is_dir() {
        csv_out.join("rift_reg_batch.csv")
    } else {
        csv_out
    };
    for i in &a.inputs {
        common::ensure_outside(&out_path, i)?;
    }
    let inputs = collect_inputs(&a.inputs, &a.vol)?;
    if inputs.is_empty() {
        bail!("no registry hive found in the inputs");
    }
    let mut w = common::create_output(&out_path)?;
    rift_hive::batch::write_csv(&mut w, &[], true)?;
    let mut total = 0usize;
    for input in inputs {
        let display = input.display.clone();
        let l = match load(input, a.no_logs) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("rift: warning: {display}: {e:#}");
                continue;
            }
        };
        let rec = a.recover.then(|| rift_hive::recover::recover(&l.hive));
        let rows = BatchRun {
            hive_path: &l.display,
            hive_type: l.hive_type,
            recovered: rec.as_ref(),
        }
        .run(&batch, &l.hive);
        rift_hive::batch::write_csv(&mut w, &rows, false)?;
        eprintln!("{} -> {} rows", report_line(&l), rows.len());
        total += rows.len();
    }
    w.flush()?;
    eprintln!("rift reg: {total} rows written to {}", out_path.display());
    Ok(ExitCode::SUCCESS)
}

fn replay_cmd(a: ReplayArgs) -> Result<ExitCode> {
    let bytes = std::fs::read(&a.hive).with_context(|| a.hive.display().to_string())?;
    let beside = logs_beside(&a.hive);
    let get = |explicit: &Option<PathBuf>, suffix: &str| -> Result<Option<Vec<u8>>> {
        match explicit {
            Some(p) => Ok(Some(
                std::fs::read(p).with_context(|| p.display().to_string())?,
            )),
            None => Ok(beside
                .iter()
                .find(|(n, _)| n.to_ascii_lowercase().ends_with(suffix))
                .map(|(_, b)| b.clone())),
        }
    };
    let mut l1 = get(&a.log1, ".log1")?;
    let l2 = get(&a.log2, ".log2")?;
    if l1.is_none() && l2.is_none() {
        l1 = get(&a.log, ".log")?;
    }
    let r = rift_hive::replay(&bytes, l1.as_deref(), l2.as_deref())?;
    common::ensure_outside(&a.output, a.hive.parent().unwrap_or(Path::new("."))).or_else(|_| {
        if a.output.exists() {
            Ok(())
        } else {
            Ok::<(), anyhow::Error>(())
        }
    })?;
    if a.output == a.hive {
        bail!("refusing to overwrite the evidence hive");
    }
    std::fs::write(&a.output, &r.hive).with_context(|| a.output.display().to_string())?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r.report)?);
    } else {
        let rep = &r.report;
        eprintln!(
            "{}: {}",
            a.hive.display(),
            if !rep.was_dirty {
                "clean (nothing to replay)".to_string()
            } else {
                format!("dirty; {} log entries/pages applied", rep.applied)
            }
        );
        for l in &rep.logs {
            eprintln!(
                "  {} ({} bytes, {:?}, base sequence {:?}): {}{}",
                l.slot,
                l.size,
                l.format,
                l.base_sequence,
                match &l.not_used {
                    Some(w) => format!("not used: {w}"),
                    None => format!("applied {:?}", l.applied),
                },
                l.stopped_at
                    .as_ref()
                    .map(|(p, w)| format!("; stopped at {p:#x}: {w}"))
                    .unwrap_or_default()
            );
        }
        for w in &rep.warnings {
            eprintln!("  warning: {w}");
        }
        eprintln!("  wrote {} ({} bytes)", a.output.display(), r.hive.len());
    }
    Ok(if r.report.was_dirty && r.report.applied == 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn value_json(v: &rift_hive::Value<'_>, full: bool) -> serde_json::Value {
    let data = v.data().map(|d| d.into_owned());
    let decoded = data
        .as_ref()
        .ok()
        .map(|d| rift_hive::ValueData::decode(v.value_type(), d));
    let mut text = decoded.as_ref().map(|d| d.to_text()).unwrap_or_default();
    if !full
        && text.len() > 128
        && matches!(
            decoded,
            Some(
                rift_hive::ValueData::Binary(_)
                    | rift_hive::ValueData::None(_)
                    | rift_hive::ValueData::Other(_)
            )
        )
    {
        text.truncate(128);
        text.push('…');
    }
    serde_json::json!({
        "name": v.name(),
        "type": v.value_type().reg_name(),
        "raw_type": v.raw_type(),
        "size": v.data_size(),
        "data": text,
        "error": data.err().map(|e| e.to_string()),
    })
}

fn key_json(k: &rift_hive::Key<'_>, path: &str, full: bool) -> serde_json::Value {
    let values: Vec<_> = k
        .values()
        .into_iter()
        .map(|v| match v {
            Ok(v) => value_json(&v, full),
            Err(e) => serde_json::json!({ "error": e.to_string() }),
        })
        .collect();
    serde_json::json!({
        "path": path,
        "name": k.name(),
        "last_written": rift_hive::ser::iso(k.last_written()),
        "class": k.class_name().ok().flatten(),
        "owner": k.security().ok().flatten().and_then(|s| s.owner()),
        "subkeys": k.subkeys().flatten().map(|s| s.name()).collect::<Vec<_>>(),
        "values": values,
    })
}

fn ls_cmd(a: LsArgs) -> Result<ExitCode> {
    let input = HiveInput {
        display: a.hive.display().to_string(),
        rel_path: a.hive.display().to_string(),
        bytes: std::fs::read(&a.hive).with_context(|| a.hive.display().to_string())?,
        logs: logs_beside(&a.hive),
    };
    let l = load(input, a.no_logs)?;
    let path = a.key_path.replace('/', "\\");
    let key = l.hive.open(&path)?;
    let mut keys = vec![(key.path(), key)];
    if a.recursive {
        let mut i = 0;
        while i < keys.len() {
            let (p, k) = (keys[i].0.clone(), keys[i].1);
            for s in k.subkeys().flatten() {
                let sp = if p.is_empty() {
                    s.name()
                } else {
                    format!("{p}\\{}", s.name())
                };
                keys.push((sp, s));
            }
            i += 1;
            if keys.len() > 1_000_000 {
                break;
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if a.json {
        let arr: Vec<_> = keys.iter().map(|(p, k)| key_json(k, p, a.full)).collect();
        let v = if a.recursive {
            serde_json::Value::Array(arr)
        } else {
            arr.into_iter().next().unwrap_or_default()
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
    } else {
        for (p, k) in &keys {
            let j = key_json(k, p, a.full);
            writeln!(
                out,
                "[{}]  last written {}",
                if p.is_empty() { "(root)" } else { p },
                j["last_written"].as_str().unwrap_or("-")
            )?;
            if !a.recursive {
                for s in j["subkeys"].as_array().into_iter().flatten() {
                    writeln!(out, "  + {}", s.as_str().unwrap_or_default())?;
                }
            }
            for v in j["values"].as_array().into_iter().flatten() {
                let name = v["name"].as_str().unwrap_or_default();
                writeln!(
                    out,
                    "  {} ({}) = {}",
                    if name.is_empty() { "(default)" } else { name },
                    v["type"].as_str().unwrap_or("?"),
                    v["data"]
                        .as_str()
                        .or(v["error"].as_str())
                        .unwrap_or_default()
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Flattens a JSON object into CSV cells (arrays joined with `|`).
fn cell(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join("|"),
        other => other.to_string(),
    }
}

fn plugins_cmd(a: PluginsArgs) -> Result<ExitCode> {
    for i in &a.inputs {
        common::ensure_outside(&a.out, i)?;
    }
    std::fs::create_dir_all(&a.out).with_context(|| a.out.display().to_string())?;
    let inputs = collect_inputs(&a.inputs, &a.vol)?;
    if inputs.is_empty() {
        bail!("no registry hive found in the inputs");
    }
    let mut by_schema: BTreeMap<&'static str, Vec<serde_json::Value>> = BTreeMap::new();
    let mut timeline: Vec<(
        rift_io::time::FileTime,
        String,
        &'static str,
        String,
        String,
        String,
        String,
    )> = Vec::new();
    let mut shim: Vec<(String, rift_hive::plugins::ShimCacheEntry)> = Vec::new();
    let mut hives_json = Vec::new();
    let mut machine = serde_json::Map::new();
    for input in inputs {
        let display = input.display.clone();
        let l = match load(input, a.no_logs) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("rift: warning: {display}: {e:#}");
                continue;
            }
        };
        let res = plugins::run_all(&l.hive, l.hive_type);
        eprintln!("{} -> {} records", report_line(&l), res.records.len());
        for w in &res.warnings {
            eprintln!("rift: warning: {}: {w}", l.display);
        }
        if l.hive_type == HiveType::System {
            if let Some(tz) = plugins::system::read_time_zone(&l.hive) {
                machine.insert("time_zone".into(), serde_json::to_value(&tz)?);
            }
            if let Some(cn) = plugins::system::read_computer_name(&l.hive) {
                machine.insert("computer_name".into(), serde_json::to_value(&cn)?);
            }
        }
        if l.hive_type == HiveType::Software {
            machine.insert(
                "profiles".into(),
                serde_json::to_value(plugins::software::read_profiles(&l.hive))?,
            );
        }
        hives_json.push(serde_json::json!({
            "hive": l.display, "type": l.hive_type.batch_name(), "user": l.user,
            "replay": l.report, "issues": l.hive.issues(), "records": res.records.len(), "warnings": res.warnings,
        }));
        for r in res.records {
            let mut j = serde_json::to_value(&r)?;
            if let Some(o) = j.as_object_mut() {
                o.insert("hive".into(), l.display.clone().into());
                o.insert("hive_user".into(), l.user.clone().into());
            }
            for e in r.events() {
                timeline.push((
                    e.time,
                    l.display.clone(),
                    r.schema(),
                    e.what.to_string(),
                    r.summary(),
                    r.key_path().to_string(),
                    l.user.clone().unwrap_or_default(),
                ));
            }
            if let Record::ShimCache(s) = &r {
                shim.push((l.display.clone(), s.clone()));
            }
            by_schema.entry(r.schema()).or_default().push(j);
        }
    }
    for (schema, rows) in &by_schema {
        let stem = schema.trim_start_matches("registry/");
        let mut jl = common::create_output(&a.out.join(format!("{stem}.jsonl")))?;
        for r in rows {
            writeln!(jl, "{}", serde_json::to_string(r)?)?;
        }
        jl.flush()?;
        let mut cols: Vec<String> = Vec::new();
        for r in rows {
            for k in r.as_object().into_iter().flat_map(|o| o.keys()) {
                if !cols.contains(k) {
                    cols.push(k.clone());
                }
            }
        }
        let mut w = common::create_output(&a.out.join(format!("{stem}.csv")))?;
        w.write_all(b"\xEF\xBB\xBF")?;
        let mut cw = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(w);
        cw.write_record(&cols)?;
        for r in rows {
            cw.write_record(cols.iter().map(|c| cell(&r[c])))?;
        }
        cw.flush()?;
    }
    if !shim.is_empty() {
        let mut w = common::create_output(&a.out.join("AppCompatCacheParser.csv"))?;
        w.write_all(b"\xEF\xBB\xBF")?;
        w.write_all(rift_hive::plugins::shimcache::CSV_HEADER.as_bytes())?;
        w.write_all(b"\r\n")?;
        let mut cw = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(w);
        for (src, e) in &shim {
            cw.write_record([
                e.control_set.to_string(),
                e.position.to_string(),
                e.path.clone(),
                e.last_modified
                    .and_then(|t| t.to_timestamp())
                    .map(rift_io::time::format_ez)
                    .unwrap_or_default(),
                match e.executed {
                    Some(true) => "Yes".into(),
                    Some(false) => "No".into(),
                    None => "NA".into(),
                },
                if e.duplicate {
                    "True".into()
                } else {
                    "False".into()
                },
                src.clone(),
            ])?;
        }
        cw.flush()?;
    }
    timeline.sort_by_key(|a| a.0);
    let mut w = common::create_output(&a.out.join("registry_timeline.csv"))?;
    w.write_all(b"\xEF\xBB\xBF")?;
    let mut cw = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(w);
    cw.write_record([
        "TimeUTC", "Event", "Artifact", "Summary", "KeyPath", "User", "Hive",
    ])?;
    for (t, hive, schema, what, summary, key, user) in &timeline {
        cw.write_record([
            t.to_timestamp()
                .map(rift_io::time::format_ez)
                .unwrap_or_default(),
            what.clone(),
            schema.to_string(),
            summary.clone(),
            key.clone(),
            user.clone(),
            hive.clone(),
        ])?;
    }
    cw.flush()?;
    let summary = serde_json::json!({ "machine": machine, "hives": hives_json });
    std::fs::write(
        a.out.join("summary.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;
    eprintln!(
        "rift reg plugins: {} record types, {} timeline events -> {}",
        by_schema.len(),
        timeline.len(),
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
