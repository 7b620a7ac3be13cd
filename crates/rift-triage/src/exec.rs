//! Execution evidence from every table that has some: Prefetch (run times
//! and the `.pf` creation in the journal), BAM, UserAssist, Amcache,
//! Security 4688, Sysmon 1, scheduled tasks, autoruns, services, and
//! programs dropped or deleted according to the journal.

use crate::util::UNKNOWN_T;
use std::sync::LazyLock;

use regex::Regex;
use rift_timeline::CaseDb;
use serde_json::Value;

use crate::Result;
use crate::fsevents::{FsHistory, Kind};
use crate::model::Evidence;
use crate::util::{
    base_name, friendly_path, is_exec_name, is_full_key, is_system_location, path_key, same_path,
    us, z,
};
use std::collections::HashMap;

/// What kind of evidence an [`Exec`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecKind {
    /// A Prefetch run time.
    PrefetchRun,
    /// A `.pf` file created (first run ≈ 10 s earlier).
    PfCreated,
    /// BAM last execution.
    Bam,
    /// UserAssist last run.
    UserAssist,
    /// Amcache entry written.
    Amcache,
    /// Security 4688 process creation.
    Evtx4688,
    /// Sysmon 1 process creation.
    Sysmon1,
    /// A scheduled task runs it.
    Task,
    /// An autorun value or service runs it.
    Autostart,
    /// Created (or renamed into this name) per the journal.
    Dropped,
    /// Deleted per the journal.
    Deleted,
}

impl ExecKind {
    /// Whether this kind says the program actually ran at that time.
    pub fn is_run(self) -> bool {
        matches!(
            self,
            ExecKind::PrefetchRun
                | ExecKind::PfCreated
                | ExecKind::Bam
                | ExecKind::UserAssist
                | ExecKind::Evtx4688
                | ExecKind::Sysmon1
        )
    }
}

/// One piece of execution evidence for a program.
#[derive(Debug, Clone)]
pub struct Exec {
    /// Program file name, lowercase.
    pub name: String,
    /// Full path as the artifact gives it (original case), when known.
    pub path: Option<String>,
    /// µs since 1970.
    pub t: i64,
    /// What it is.
    pub kind: ExecKind,
    /// Evidence pointer.
    pub ev: Evidence,
    /// For Prefetch rows: the referenced files (uppercase, as stored).
    pub files: Vec<String>,
}

static PF_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^(.+)-[0-9a-f]{8}\.pf$").expect("static regex"));

/// A program name from a prefetch executable field (max 29 characters
/// stored: a longer name is truncated, so matches use a prefix).
pub fn pf_exe_matches(pf_exe: &str, name: &str) -> bool {
    let a = pf_exe.to_lowercase();
    let b = name.to_lowercase();
    a == b || (a.chars().count() >= 29 && b.starts_with(&a))
}

fn ev(artifact: &str, table: &str, id: i64, time: Option<&str>, text: String) -> Evidence {
    Evidence {
        artifact: artifact.into(),
        table: Some(table.into()),
        id: Some(id),
        offset: None,
        time: time.and_then(z),
        text,
    }
}

/// Pulls the process image path out of an event's payload JSON or
/// `ExecutableInfo`.
fn process_image(payload: Option<&str>, keys: &[&str]) -> Option<String> {
    let v: Value = serde_json::from_str(payload?).ok()?;
    find_key(&v, keys)
}

fn find_key(v: &Value, keys: &[&str]) -> Option<String> {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if keys.iter().any(|w| k.eq_ignore_ascii_case(w)) {
                    if let Some(s) = x.as_str() {
                        return Some(s.to_string());
                    }
                }
            }
            // EventData lists: {"Name": "Image", "#text": "…"} style.
            if let (Some(n), Some(t)) = (m.get("Name").and_then(Value::as_str), m.get("#text")) {
                if keys.iter().any(|w| n.eq_ignore_ascii_case(w)) {
                    if let Some(s) = t.as_str() {
                        return Some(s.to_string());
                    }
                }
            }
            m.values().find_map(|x| find_key(x, keys))
        }
        Value::Array(a) => a.iter().find_map(|x| find_key(x, keys)),
        _ => None,
    }
}

/// The program a command line starts (first token, quotes removed).
pub fn command_program(cmd: &str) -> Option<String> {
    let c = cmd.trim();
    let prog = if let Some(rest) = c.strip_prefix('"') {
        rest.split('"').next()?
    } else {
        // Paths with spaces but no quotes: cut after the first executable extension.
        let lower = c.to_lowercase();
        let mut cut = c.len();
        for e in [
            ".exe", ".bat", ".cmd", ".ps1", ".vbs", ".js", ".com", ".scr", ".dll",
        ] {
            if let Some(i) = lower.find(e) {
                cut = cut.min(i + e.len());
            }
        }
        if cut == c.len() {
            c.split_whitespace().next()?
        } else {
            c.get(..cut)?
        }
    };
    Some(prog.to_string())
}

/// Collects all execution evidence.
pub fn collect(db: &CaseDb, fs: &FsHistory) -> Result<Vec<Exec>> {
    let conn = db.conn();
    let mut out = Vec::new();
    // `.pf` file name (lowercase) → program path, for the journal's `.pf`
    // creations.
    let mut pf_paths: HashMap<String, String> = HashMap::new();

    // Prefetch run times.
    {
        let mut st =
            conn.prepare("SELECT id, exe, pf_name, last_run, run_times, files FROM prefetch")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let exe: Option<String> = r.get(1)?;
            let pf: Option<String> = r.get(2)?;
            let last: Option<String> = r.get(3)?;
            let runs: Option<String> = r.get(4)?;
            let files: Option<String> = r.get(5)?;
            let exe = match exe.or_else(|| {
                pf.as_deref()
                    .and_then(|p| PF_NAME.captures(p))
                    .and_then(|c| c.get(1))
                    .map(|m| m.as_str().to_string())
            }) {
                Some(e) => e,
                None => continue,
            };
            let files: Vec<String> = files
                .as_deref()
                .and_then(|f| serde_json::from_str(f).ok())
                .unwrap_or_default();
            let path = files
                .iter()
                .find(|f| pf_exe_matches(&exe, base_name(f)))
                .map(|f| friendly_path(f));
            if let (Some(pf), Some(p)) = (pf.as_deref(), path.as_deref()) {
                pf_paths.insert(pf.to_lowercase(), p.to_string());
            }
            let mut times: Vec<String> = runs
                .as_deref()
                .and_then(|f| serde_json::from_str(f).ok())
                .unwrap_or_default();
            if times.is_empty() {
                times.extend(last);
            }
            for (i, tm) in times.iter().enumerate() {
                let Some(t) = us(tm) else { continue };
                out.push(Exec {
                    name: path
                        .as_deref()
                        .map(base_name)
                        .unwrap_or(&exe)
                        .to_lowercase(),
                    path: path.clone(),
                    t,
                    kind: ExecKind::PrefetchRun,
                    ev: ev(
                        "prefetch",
                        "prefetch",
                        id,
                        Some(tm),
                        format!(
                            "{} {} ({})",
                            exe,
                            if i == 0 { "last run" } else { "previous run" },
                            pf.as_deref().unwrap_or("")
                        ),
                    ),
                    files: if i == 0 { files.clone() } else { Vec::new() },
                });
            }
        }
    }

    // .pf files created in the journal (first run of a program).
    for e in &fs.events {
        if e.kind != Kind::Created {
            continue;
        }
        if let Some(c) = PF_NAME.captures(&e.name) {
            if let Some(m) = c.get(1) {
                let path = pf_paths.get(&e.name.to_lowercase()).cloned();
                out.push(Exec {
                    name: path
                        .as_deref()
                        .map(base_name)
                        .unwrap_or(m.as_str())
                        .to_lowercase(),
                    path,
                    t: e.t,
                    kind: ExecKind::PfCreated,
                    ev: Evidence {
                        artifact: "usn".into(),
                        table: Some("usn".into()),
                        id: Some(e.row),
                        offset: Some(e.usn),
                        time: e.time_z(),
                        text: format!("prefetch file {} created (first run)", e.name),
                    },
                    files: Vec::new(),
                });
            }
        }
    }

    // Programs created/renamed into place, and deleted.
    for e in &fs.events {
        if e.is_dir || !is_exec_name(&e.name) {
            continue;
        }
        let (kind, what) = match &e.kind {
            Kind::Created => (ExecKind::Dropped, "created"),
            Kind::Renamed { .. } => (ExecKind::Dropped, "renamed into place"),
            Kind::Deleted => (ExecKind::Deleted, "deleted"),
        };
        let path = fs.path_in(e.parent, &e.name);
        out.push(Exec {
            name: e.name.to_lowercase(),
            path: Some(path.clone()),
            t: e.t,
            kind,
            ev: Evidence {
                artifact: "usn".into(),
                table: Some("usn".into()),
                id: Some(e.row),
                offset: Some(e.usn),
                time: e.time_z(),
                text: format!("{path} {what}"),
            },
            files: Vec::new(),
        });
    }

    // Simple (table, path expr, time expr, label) sources.
    let simple: [(&str, &str, &str, ExecKind, &str); 4] = [
        (
            "bam",
            "COALESCE(resolved_path, path)",
            "last_run",
            ExecKind::Bam,
            "BAM last execution",
        ),
        (
            "userassist",
            "COALESCE(resolved_path, name)",
            "last_run",
            ExecKind::UserAssist,
            "UserAssist last run",
        ),
        (
            "amcache",
            "COALESCE(path, name)",
            "key_last_write",
            ExecKind::Amcache,
            "Amcache entry written",
        ),
        (
            "tasks",
            "command",
            "COALESCE(registered, key_last_write)",
            ExecKind::Task,
            "scheduled task",
        ),
    ];
    for (table, pexpr, texpr, kind, label) in simple {
        let mut st = conn.prepare(&format!(
            "SELECT id, {pexpr}, {texpr} FROM {table} WHERE {pexpr} IS NOT NULL"
        ))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let p: String = r.get(1)?;
            let tm: Option<String> = r.get(2)?;
            let p = if kind == ExecKind::Task {
                match command_program(&p) {
                    Some(x) => x,
                    None => continue,
                }
            } else {
                friendly_path(&p)
            };
            let t = tm.as_deref().and_then(us).unwrap_or(UNKNOWN_T);
            out.push(Exec {
                name: base_name(&p).to_lowercase(),
                path: Some(p.clone()),
                t,
                kind,
                ev: ev(table, table, id, tm.as_deref(), format!("{label}: {p}")),
                files: Vec::new(),
            });
        }
    }
    for (table, cmd, label) in [
        ("autoruns", "command", "autostart"),
        ("services", "image_path", "service"),
    ] {
        let mut st = conn.prepare(&format!(
            "SELECT id, {cmd}, key_last_write FROM {table} WHERE {cmd} IS NOT NULL"
        ))?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let c: String = r.get(1)?;
            let tm: Option<String> = r.get(2)?;
            let Some(p) = command_program(&c) else {
                continue;
            };
            out.push(Exec {
                name: base_name(&p).to_lowercase(),
                path: Some(p.clone()),
                t: tm.as_deref().and_then(us).unwrap_or(UNKNOWN_T),
                kind: ExecKind::Autostart,
                ev: ev(table, table, id, tm.as_deref(), format!("{label}: {c}")),
                files: Vec::new(),
            });
        }
    }

    // Process creation events.
    {
        let mut st = conn.prepare(
            "SELECT id, event_id, provider, time, executable_info, payload, payload_data1, payload_data2 FROM evtx
             WHERE (event_id = 4688 AND COALESCE(provider, '') LIKE '%Security-Auditing%')
                OR (event_id = 1 AND COALESCE(provider, '') LIKE '%Sysmon%')",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let eid: i64 = r.get(1)?;
            let tm: Option<String> = r.get(3)?;
            let exe_info: Option<String> = r.get(4)?;
            let payload: Option<String> = r.get(5)?;
            let keys: &[&str] = if eid == 4688 {
                &["NewProcessName"]
            } else {
                &["Image"]
            };
            let image = process_image(payload.as_deref(), keys)
                .or_else(|| exe_info.as_deref().and_then(command_program));
            let Some(image) = image else { continue };
            let Some(t) = tm.as_deref().and_then(us) else {
                continue;
            };
            let kind = if eid == 4688 {
                ExecKind::Evtx4688
            } else {
                ExecKind::Sysmon1
            };
            out.push(Exec {
                name: base_name(&image).to_lowercase(),
                path: Some(image.clone()),
                t,
                kind,
                ev: ev(
                    "evtx",
                    "evtx",
                    id,
                    tm.as_deref(),
                    format!(
                        "{} process created: {}",
                        if eid == 4688 { "4688" } else { "Sysmon 1" },
                        exe_info.as_deref().unwrap_or(&image)
                    ),
                ),
                files: Vec::new(),
            });
        }
    }
    Ok(out)
}

/// One program on disk: every piece of execution evidence that names the
/// same file. Evidence is grouped by file name, then split by full path
/// (a `svchost.exe` in a user folder is not the one in `System32`);
/// evidence without a full path joins the one program it can name.
#[derive(Debug, Clone)]
pub struct Program<'a> {
    /// File name, lowercase.
    pub name: String,
    /// Full path key ([`path_key`]) when known.
    pub key: Option<String>,
    /// Best path for display (original case where an artifact kept it).
    pub path: Option<String>,
    /// The evidence.
    pub items: Vec<&'a Exec>,
}

fn display_rank(k: ExecKind) -> u8 {
    // Journal/MFT (original case) > BAM/4688/Sysmon > tasks/UserAssist >
    // Amcache (lowercase) > Prefetch (uppercase).
    match k {
        ExecKind::Dropped | ExecKind::Deleted => 0,
        ExecKind::Bam | ExecKind::Evtx4688 | ExecKind::Sysmon1 => 1,
        ExecKind::Task | ExecKind::Autostart | ExecKind::UserAssist => 2,
        ExecKind::Amcache => 3,
        _ => 4,
    }
}

/// Groups execution evidence into programs (see [`Program`]).
pub fn programs(execs: &[Exec]) -> Vec<Program<'_>> {
    let mut by_name: HashMap<String, Vec<&Exec>> = HashMap::new();
    for x in execs {
        if !x.name.is_empty() {
            by_name.entry(x.name.clone()).or_default().push(x);
        }
    }
    // Prefetch names are truncated at 29 characters: fold them into the
    // one full name they start, when there is exactly one.
    let names: Vec<String> = by_name.keys().cloned().collect();
    for n in &names {
        if n.chars().count() == 29 {
            let full: Vec<&String> = names
                .iter()
                .filter(|m| *m != n && pf_exe_matches(n, m))
                .collect();
            if let [full] = full.as_slice() {
                if let Some(v) = by_name.remove(n) {
                    by_name.entry((*full).clone()).or_default().extend(v);
                }
            }
        }
    }
    let mut out = Vec::new();
    let mut names: Vec<String> = by_name.keys().cloned().collect();
    names.sort();
    for name in names {
        let Some(list) = by_name.remove(&name) else {
            continue;
        };
        let mut groups: Vec<Program<'_>> = Vec::new();
        let mut loose: Vec<&Exec> = Vec::new();
        for x in list {
            let key = x.path.as_deref().map(path_key);
            match key {
                Some(k) if is_full_key(&k) => {
                    match groups
                        .iter_mut()
                        .find(|g| g.key.as_deref() == Some(k.as_str()))
                    {
                        Some(g) => g.items.push(x),
                        None => groups.push(Program {
                            name: name.clone(),
                            key: Some(k),
                            path: None,
                            items: vec![x],
                        }),
                    }
                }
                _ => loose.push(x),
            }
        }
        let mut rest: Vec<&Exec> = Vec::new();
        for x in loose {
            let fits: Vec<usize> = groups
                .iter()
                .enumerate()
                .filter(|(_, g)| match (x.path.as_deref(), g.key.as_deref()) {
                    (Some(p), Some(k)) => same_path(p, k),
                    (None, _) => true,
                    _ => false,
                })
                .map(|(i, _)| i)
                .collect();
            // Ambiguous evidence goes to the one program outside Windows'
            // own folders, if there is exactly one.
            let pick = match fits.as_slice() {
                [i] => Some(*i),
                [] => None,
                many => {
                    let user: Vec<usize> = many
                        .iter()
                        .copied()
                        .filter(|&i| {
                            groups
                                .get(i)
                                .and_then(|g| g.key.as_deref())
                                .is_some_and(|k| !is_system_location(k))
                        })
                        .collect();
                    match user.as_slice() {
                        [i] => Some(*i),
                        _ => None,
                    }
                }
            };
            match pick.and_then(|i| groups.get_mut(i)) {
                Some(g) => g.items.push(x),
                None => rest.push(x),
            }
        }
        if !rest.is_empty() {
            groups.push(Program {
                name: name.clone(),
                key: None,
                path: None,
                items: rest,
            });
        }
        for mut g in groups {
            g.path = g
                .items
                .iter()
                .filter(|x| {
                    x.path
                        .as_deref()
                        .is_some_and(|p| !p.starts_with('?') && is_full_key(&path_key(p)))
                })
                .min_by_key(|x| display_rank(x.kind))
                .or_else(|| {
                    g.items
                        .iter()
                        .filter(|x| x.path.as_deref().is_some_and(|p| !p.starts_with('?')))
                        .min_by_key(|x| display_rank(x.kind))
                })
                .and_then(|x| x.path.clone());
            out.push(g);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines() {
        assert_eq!(
            command_program(r#""C:\Program Files\a b\x.exe" -k"#).as_deref(),
            Some(r"C:\Program Files\a b\x.exe")
        );
        assert_eq!(
            command_program(r"C:\Users\u\App Data\y.exe /s").as_deref(),
            Some(r"C:\Users\u\App Data\y.exe")
        );
        assert_eq!(command_program("cmd /c x").as_deref(), Some("cmd"));
        assert!(pf_exe_matches("SVCHOST.EXE", "svchost.exe"));
        assert!(pf_exe_matches(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZABC",
            "abcdefghijklmnopqrstuvwxyzabcdef.exe"
        ));
        assert!(!pf_exe_matches("ABC.EXE", "abcd.exe"));
    }

    #[test]
    fn payload_keys() {
        let p = r##"{"EventData":{"Data":[{"Name":"Image","#text":"C:\\x\\a.exe"}]}}"##;
        assert_eq!(
            process_image(Some(p), &["Image"]).as_deref(),
            Some(r"C:\x\a.exe")
        );
        let p = r#"{"NewProcessName":"C:\\y.exe"}"#;
        assert_eq!(
            process_image(Some(p), &["NewProcessName"]).as_deref(),
            Some(r"C:\y.exe")
        );
    }
}
