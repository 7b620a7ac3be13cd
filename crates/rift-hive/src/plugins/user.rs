//! NTUSER plugins: UserAssist, RecentDocs, RunMRU, TypedPaths.
//!
//! Sources: libyal/winreg-kb `User-assist.md` (ROT13 names, version 3
//! 16-byte and version 5 72-byte records, `Settings\NoEncrypt`);
//! `../shared/docs/formats/artifacts.md` §3.1 (checked on
//! `regipy_NTUSER.DAT` and `plaso_NTUSER-WIN7.DAT`); libyal/winreg-kb
//! `MRU-keys.md` (RecentDocs `MRUListEx`, RunMRU `MRUList` and the `\1`
//! suffix, TypedPaths `url1` = most recent).

use rift_io::bytes::{le_u32, utf16le_nul_terminated};
use rift_io::time::FileTime;

use super::{
    Artifact, Event, PluginResults, Record, filetime_at, join, resolve_known_folder, rot13,
};
use crate::hive::Hive;

const UA: &str = "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\UserAssist";

/// One UserAssist entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UserAssist {
    /// Key path.
    pub key_path: String,
    /// The `{GUID}` folder the entry is under.
    pub guid: String,
    /// What that GUID means (`Executable File Execution`, …).
    pub guid_meaning: &'static str,
    /// Value name as stored (ROT13 unless `NoEncrypt`).
    pub raw_name: String,
    /// Decoded name (may start with a KnownFolder GUID).
    pub name: String,
    /// Name with a leading KnownFolder GUID replaced by its path.
    pub resolved_path: Option<String>,
    /// Record version (3 or 5).
    pub version: u32,
    /// Session id.
    pub session: u32,
    /// Run count (v3: stored count − 5 when ≥ 5).
    pub run_count: u32,
    /// Focus count (v5).
    pub focus_count: Option<u32>,
    /// Focus time in milliseconds (v5).
    pub focus_time_ms: Option<u32>,
    /// Last run.
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub last_run: Option<FileTime>,
}

fn ua_guid_meaning(g: &str) -> &'static str {
    match g.to_ascii_uppercase().as_str() {
        "{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}" => "Executable File Execution",
        "{F4E57C4B-2036-45F0-A9AB-443BCFE33D9F}" => "Shortcut File Execution",
        "{75048700-EF1F-11D0-9888-006097DEACF9}" => "Active Desktop (XP/Vista)",
        "{5E6AB780-7743-11CF-A12B-00AA004AE837}" => "Internet Explorer toolbar (XP/Vista)",
        _ => "Unknown",
    }
}

impl Artifact for UserAssist {
    const SCHEMA: &'static str = "registry/userassist";
    fn events(&self) -> Vec<Event> {
        self.last_run
            .map(|t| Event {
                time: t,
                what: "Last run (UserAssist)",
            })
            .into_iter()
            .collect()
    }
    fn summary(&self) -> String {
        format!(
            "UserAssist: {} run {} time(s){}",
            self.resolved_path.as_deref().unwrap_or(&self.name),
            self.run_count,
            self.focus_time_ms
                .map(|f| format!(", focus {f} ms"))
                .unwrap_or_default()
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// UserAssist.
pub fn userassist(hive: &Hive, out: &mut PluginResults) {
    let Ok(ua) = hive.open(UA) else { return };
    let no_encrypt = ua
        .subkey("Settings")
        .ok()
        .flatten()
        .and_then(|s| s.dword("NoEncrypt"))
        == Some(1);
    for g in ua.subkeys().flatten() {
        let guid = g.name();
        let Ok(Some(count)) = g.subkey("Count") else {
            continue;
        };
        let key_path = join(&join(UA, &guid), "Count");
        for v in count.values() {
            let v = match v {
                Ok(v) => v,
                Err(e) => {
                    out.warnings.push(format!("userassist: {e}"));
                    continue;
                }
            };
            let Ok(d) = v.data() else { continue };
            let raw_name = v.name();
            let name = if no_encrypt {
                raw_name.clone()
            } else {
                rot13(&raw_name)
            };
            let (version, session, run_count, focus_count, focus_time_ms, last_run) = match d.len()
            {
                72 => (
                    5,
                    le_u32(&d, 0).unwrap_or(0),
                    le_u32(&d, 4).unwrap_or(0),
                    le_u32(&d, 8),
                    le_u32(&d, 12),
                    filetime_at(&d, 60),
                ),
                16 => {
                    let c = le_u32(&d, 4).unwrap_or(0);
                    (
                        3,
                        le_u32(&d, 0).unwrap_or(0),
                        if c >= 5 { c - 5 } else { c },
                        None,
                        None,
                        filetime_at(&d, 8),
                    )
                }
                // UEME_CTLSESSION and other bookkeeping values.
                _ => continue,
            };
            out.records.push(Record::UserAssist(UserAssist {
                key_path: key_path.clone(),
                guid: guid.clone(),
                guid_meaning: ua_guid_meaning(&guid),
                resolved_path: resolve_known_folder(&name),
                raw_name,
                name,
                version,
                session,
                run_count,
                focus_count,
                focus_time_ms,
                last_run,
            }));
        }
    }
}

/// Parses `MRUListEx` (u32 indexes, ended by 0xFFFFFFFF).
pub(crate) fn mru_list_ex(d: &[u8]) -> Vec<u32> {
    d.chunks_exact(4)
        .filter_map(|c| <[u8; 4]>::try_from(c).ok().map(u32::from_le_bytes))
        .take_while(|&v| v != u32::MAX)
        .collect()
}

/// One RecentDocs item.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RecentDoc {
    /// Key path.
    pub key_path: String,
    /// Extension subkey (`.docx`, `Folder`) or empty for the main key.
    pub extension: String,
    /// Value name (the MRU slot number).
    pub slot: String,
    /// Position in `MRUListEx` (0 = most recent).
    pub mru_position: Option<usize>,
    /// File or folder name.
    pub name: String,
    /// Key last written time; it dates the opening of position 0.
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

impl Artifact for RecentDoc {
    const SCHEMA: &'static str = "registry/recentdocs";
    fn events(&self) -> Vec<Event> {
        if self.mru_position == Some(0) {
            vec![Event {
                time: self.key_last_written,
                what: "Opened (RecentDocs, most recent)",
            }]
        } else {
            Vec::new()
        }
    }
    fn summary(&self) -> String {
        format!(
            "RecentDocs {}: {} (MRU {:?})",
            if self.extension.is_empty() {
                "(all)"
            } else {
                &self.extension
            },
            self.name,
            self.mru_position
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// RecentDocs (main key and per-extension subkeys).
pub fn recent_docs(hive: &Hive, out: &mut PluginResults) {
    let base = "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs";
    let Ok(rd) = hive.open(base) else { return };
    let mut keys = vec![(String::new(), base.to_string(), rd)];
    for s in rd.subkeys().flatten() {
        let n = s.name();
        keys.push((n.clone(), join(base, &n), s));
    }
    for (ext, path, k) in keys {
        let order = k
            .binary("MRUListEx")
            .map(|d| mru_list_ex(&d))
            .unwrap_or_default();
        for v in k.values().into_iter().flatten() {
            let slot = v.name();
            if slot.eq_ignore_ascii_case("MRUListEx") {
                continue;
            }
            let Ok(d) = v.data() else { continue };
            let pos = slot
                .parse::<u32>()
                .ok()
                .and_then(|n| order.iter().position(|&o| o == n));
            out.records.push(Record::RecentDoc(RecentDoc {
                key_path: path.clone(),
                extension: ext.clone(),
                slot,
                mru_position: pos,
                name: utf16le_nul_terminated(&d),
                key_last_written: k.last_written(),
            }));
        }
    }
}

/// One RunMRU command.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunMru {
    /// Key path.
    pub key_path: String,
    /// Letter slot.
    pub slot: String,
    /// Position in `MRUList` (0 = most recent).
    pub mru_position: Option<usize>,
    /// The command (trailing `\1` removed).
    pub command: String,
    /// Key last written (dates position 0).
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

impl Artifact for RunMru {
    const SCHEMA: &'static str = "registry/runmru";
    fn events(&self) -> Vec<Event> {
        if self.mru_position == Some(0) {
            vec![Event {
                time: self.key_last_written,
                what: "Typed in Run dialog (most recent)",
            }]
        } else {
            Vec::new()
        }
    }
    fn summary(&self) -> String {
        format!("RunMRU: {}", self.command)
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// RunMRU.
pub fn run_mru(hive: &Hive, out: &mut PluginResults) {
    let base = "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RunMRU";
    let Ok(k) = hive.open(base) else { return };
    let order = k.string("MRUList").unwrap_or_default();
    for v in k.values().into_iter().flatten() {
        let slot = v.name();
        if slot.eq_ignore_ascii_case("MRUList") {
            continue;
        }
        let Ok(d) = v.data() else { continue };
        let cmd = utf16le_nul_terminated(&d);
        let command = cmd.strip_suffix("\\1").unwrap_or(&cmd).to_string();
        let pos = slot
            .chars()
            .next()
            .and_then(|c| order.chars().position(|o| o == c));
        out.records.push(Record::RunMru(RunMru {
            key_path: base.into(),
            slot,
            mru_position: pos,
            command,
            key_last_written: k.last_written(),
        }));
    }
}

/// One TypedPaths entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TypedPath {
    /// Key path.
    pub key_path: String,
    /// `url1`, `url2`, … (`url1` is the most recent).
    pub slot: String,
    /// The typed path.
    pub path: String,
    /// Key last written (dates `url1`).
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

impl Artifact for TypedPath {
    const SCHEMA: &'static str = "registry/typedpaths";
    fn events(&self) -> Vec<Event> {
        if self.slot.eq_ignore_ascii_case("url1") {
            vec![Event {
                time: self.key_last_written,
                what: "Typed in Explorer address bar (most recent)",
            }]
        } else {
            Vec::new()
        }
    }
    fn summary(&self) -> String {
        format!("TypedPaths {}: {}", self.slot, self.path)
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// TypedPaths.
pub fn typed_paths(hive: &Hive, out: &mut PluginResults) {
    let base = "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\TypedPaths";
    let Ok(k) = hive.open(base) else { return };
    for v in k.values().into_iter().flatten() {
        let Ok(d) = v.data() else { continue };
        out.records.push(Record::TypedPath(TypedPath {
            key_path: base.into(),
            slot: v.name(),
            path: utf16le_nul_terminated(&d),
            key_last_written: k.last_written(),
        }));
    }
}
