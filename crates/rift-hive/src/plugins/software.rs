//! SOFTWARE (and NTUSER Run) plugins: Run/RunOnce, TaskCache, ProfileList,
//! NetworkList, Windows Defender policy and exclusions.
//!
//! Sources: Microsoft "Run and RunOnce registry keys"; libyal/winreg-kb
//! `Task-scheduler.md` and `../shared/docs/formats/artifacts.md` §3.7
//! (Tree `Id`/`SD`, Tasks `Path`/`URI`/`Author`/`Actions`/`DynamicInfo`:
//! FILETIMEs at 4 (created), 12 (last run), 28 (last completed, 36-byte
//! form)); §3.6 ProfileList (ProfileImagePath, Sid, load/unload time
//! halves); libyal/winreg-kb `Network-list.md` (Profiles: ProfileName,
//! Category, NameType, DateCreated/DateLastConnected as SYSTEMTIME in
//! local time; Signatures\*: ProfileGuid, DefaultGatewayMac); Microsoft
//! Defender policy CSP / ADMX (DisableAntiSpyware, Real-Time Protection,
//! Exclusions\Paths|Extensions|Processes|IpAddresses with the exclusion as
//! the value name), artifacts.md §3.8.

use rift_io::time::FileTime;

use super::{Artifact, Event, PluginResults, Record, filetime_at, join, systemtime_to_filetime};
use crate::hive::Hive;
use crate::key::Key;
use crate::value::ValueData;

/// One Run/RunOnce entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunEntry {
    /// Key path.
    pub key_path: String,
    /// Value name.
    pub name: String,
    /// Command line.
    pub command: String,
    /// Key last written.
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

impl Artifact for RunEntry {
    const SCHEMA: &'static str = "registry/run";
    fn events(&self) -> Vec<Event> {
        vec![Event {
            time: self.key_last_written,
            what: "Autorun key last written",
        }]
    }
    fn summary(&self) -> String {
        format!(
            "Autorun {}\\{} = {}",
            self.key_path, self.name, self.command
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// Run/RunOnce under `prefix` (`""` for SOFTWARE, `Software\` for NTUSER).
pub fn run_keys(hive: &Hive, out: &mut PluginResults, prefix: &str) {
    let mut paths = Vec::new();
    for base in [
        "Microsoft\\Windows\\CurrentVersion",
        "WOW6432Node\\Microsoft\\Windows\\CurrentVersion",
    ] {
        for k in [
            "Run",
            "RunOnce",
            "RunServices",
            "RunServicesOnce",
            "Policies\\Explorer\\Run",
        ] {
            paths.push(format!("{prefix}{base}\\{k}"));
        }
    }
    for p in paths {
        let Ok(k) = hive.open(&p) else { continue };
        for v in k.values().into_iter().flatten() {
            let Ok(d) = v.decoded() else { continue };
            let command = match d {
                ValueData::Sz(s) | ValueData::ExpandSz(s) => s,
                other => other.to_text(),
            };
            out.records.push(Record::Run(RunEntry {
                key_path: p.clone(),
                name: v.name(),
                command,
                key_last_written: k.last_written(),
            }));
        }
    }
}

/// One scheduled task from the TaskCache.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScheduledTask {
    /// Key path of `Tasks\{GUID}` (or of the Tree entry when orphaned).
    pub key_path: String,
    /// Task GUID.
    pub id: String,
    /// Task path (`\Microsoft\Windows\…\Name`).
    pub path: Option<String>,
    /// URI.
    pub uri: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Registration date text (`Date`).
    pub date: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Commands and arguments found in `Actions` (UTF-16 strings).
    pub actions: Vec<String>,
    /// DynamicInfo: created / registered.
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub created: Option<FileTime>,
    /// DynamicInfo: last run.
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub last_run: Option<FileTime>,
    /// DynamicInfo: last completed (Windows 8+).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub last_completed: Option<FileTime>,
    /// Tree entry key path.
    pub tree_path: Option<String>,
    /// Tree key last written (task registration or change).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub tree_last_written: Option<FileTime>,
    /// The Tree entry has no `SD` value (hidden from `schtasks`).
    pub hidden: bool,
    /// Tasks key last written.
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub key_last_written: Option<FileTime>,
}

impl Artifact for ScheduledTask {
    const SCHEMA: &'static str = "registry/taskcache";
    fn events(&self) -> Vec<Event> {
        let mut v = Vec::new();
        if let Some(t) = self.tree_last_written {
            v.push(Event {
                time: t,
                what: "Task registered/changed (TaskCache Tree)",
            });
        }
        if let Some(t) = self.created {
            v.push(Event {
                time: t,
                what: "Task created (DynamicInfo)",
            });
        }
        if let Some(t) = self.last_run {
            v.push(Event {
                time: t,
                what: "Task last run (DynamicInfo)",
            });
        }
        if let Some(t) = self.last_completed {
            v.push(Event {
                time: t,
                what: "Task last completed (DynamicInfo)",
            });
        }
        v
    }
    fn summary(&self) -> String {
        format!(
            "Scheduled task {} {}{}",
            self.path
                .as_deref()
                .or(self.tree_path.as_deref())
                .unwrap_or(&self.id),
            self.actions.join(" "),
            if self.hidden { " (hidden: no SD)" } else { "" }
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// UTF-16 strings of at least 3 printable characters in binary data.
pub(crate) fn utf16_strings(d: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in d.chunks_exact(2) {
        let u = u16::from_le_bytes([
            c.first().copied().unwrap_or(0),
            c.get(1).copied().unwrap_or(0),
        ]);
        match char::from_u32(u32::from(u)) {
            Some(ch) if u >= 0x20 && u != 0xFFFF && !ch.is_control() => cur.push(ch),
            _ => {
                if cur.chars().count() >= 3 {
                    out.push(std::mem::take(&mut cur));
                } else {
                    cur.clear();
                }
            }
        }
    }
    if cur.chars().count() >= 3 {
        out.push(cur);
    }
    out
}

fn walk_tree<'h>(k: Key<'h>, path: &str, depth: usize, out: &mut Vec<(String, Key<'h>)>) {
    if depth > 64 {
        return;
    }
    for s in k.subkeys().flatten() {
        let p = join(path, &s.name());
        if s.value("Id").is_some() {
            out.push((p.clone(), s));
        }
        walk_tree(s, &p, depth + 1, out);
    }
}

/// TaskCache.
pub fn task_cache(hive: &Hive, out: &mut PluginResults) {
    let base = "Microsoft\\Windows NT\\CurrentVersion\\Schedule\\TaskCache";
    let mut tree = Vec::new();
    if let Ok(t) = hive.open(&format!("{base}\\Tree")) {
        walk_tree(t, &format!("{base}\\Tree"), 0, &mut tree);
    }
    let tasks = hive.open(&format!("{base}\\Tasks")).ok();
    let mut used = std::collections::HashSet::new();
    if let Some(tasks) = tasks {
        for t in tasks.subkeys().flatten() {
            let id = t.name();
            let te = tree
                .iter()
                .find(|(_, k)| k.string("Id").is_some_and(|i| i.eq_ignore_ascii_case(&id)));
            if let Some((p, _)) = te {
                used.insert(p.clone());
            }
            let dynamic = t
                .binary("DynamicInfo")
                .map(|d| d.into_owned())
                .unwrap_or_default();
            out.records.push(Record::ScheduledTask(ScheduledTask {
                key_path: format!("{base}\\Tasks\\{id}"),
                path: t.string("Path"),
                uri: t.string("URI"),
                author: t.string("Author"),
                date: t.string("Date"),
                description: t.string("Description"),
                actions: t
                    .binary("Actions")
                    .map(|d| utf16_strings(&d))
                    .unwrap_or_default(),
                created: filetime_at(&dynamic, 4),
                last_run: filetime_at(&dynamic, 12),
                last_completed: if dynamic.len() >= 36 {
                    filetime_at(&dynamic, 28)
                } else {
                    None
                },
                tree_path: te.map(|(p, _)| p.clone()),
                tree_last_written: te.map(|(_, k)| k.last_written()),
                hidden: te.is_some_and(|(_, k)| k.value("SD").is_none()),
                key_last_written: Some(t.last_written()),
                id,
            }));
        }
    }
    // Tree entries whose Tasks key is gone.
    for (p, k) in &tree {
        if used.contains(p) {
            continue;
        }
        out.records.push(Record::ScheduledTask(ScheduledTask {
            key_path: p.clone(),
            id: k.string("Id").unwrap_or_default(),
            path: None,
            uri: None,
            author: None,
            date: None,
            description: None,
            actions: Vec::new(),
            created: None,
            last_run: None,
            last_completed: None,
            tree_path: Some(p.clone()),
            tree_last_written: Some(k.last_written()),
            hidden: k.value("SD").is_none(),
            key_last_written: None,
        }));
    }
}

/// One user profile.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Profile {
    /// Key path.
    pub key_path: String,
    /// SID (subkey name, `.bak` removed).
    pub sid: String,
    /// The subkey ends in `.bak` (temporary-profile repair).
    pub bak: bool,
    /// ProfileImagePath.
    pub profile_path: Option<String>,
    /// User name = last component of the profile path.
    pub user: Option<String>,
    /// State.
    pub state: Option<u32>,
    /// Flags.
    pub flags: Option<u32>,
    /// Last profile load.
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub last_load: Option<FileTime>,
    /// Last profile unload.
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub last_unload: Option<FileTime>,
    /// Key last written (profile load/unload).
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

impl Artifact for Profile {
    const SCHEMA: &'static str = "registry/profilelist";
    fn events(&self) -> Vec<Event> {
        let mut v = vec![Event {
            time: self.key_last_written,
            what: "Profile key last written",
        }];
        if let Some(t) = self.last_load {
            v.push(Event {
                time: t,
                what: "Profile loaded",
            });
        }
        if let Some(t) = self.last_unload {
            v.push(Event {
                time: t,
                what: "Profile unloaded",
            });
        }
        v
    }
    fn summary(&self) -> String {
        format!(
            "Profile {} = {}",
            self.sid,
            self.profile_path.as_deref().unwrap_or("?")
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// Reads ProfileList (SID → user) of a SOFTWARE hive.
pub fn read_profiles(hive: &Hive) -> Vec<Profile> {
    let base = "Microsoft\\Windows NT\\CurrentVersion\\ProfileList";
    let Ok(pl) = hive.open(base) else {
        return Vec::new();
    };
    let halves = |k: &Key<'_>, n: &str| {
        let hi = k.dword(&format!("{n}High"))?;
        let lo = k.dword(&format!("{n}Low"))?;
        let v = (u64::from(hi) << 32) | u64::from(lo);
        (v != 0).then_some(FileTime(v))
    };
    pl.subkeys()
        .flatten()
        .map(|k| {
            let name = k.name();
            let bak = name.to_ascii_lowercase().ends_with(".bak");
            let profile_path = k.string("ProfileImagePath");
            Profile {
                key_path: join(base, &name),
                sid: name
                    .get(..name.len() - if bak { 4 } else { 0 })
                    .unwrap_or(&name)
                    .to_string(),
                bak,
                user: profile_path
                    .as_deref()
                    .and_then(|p| p.rsplit('\\').next())
                    .map(str::to_string),
                profile_path,
                state: k.dword("State"),
                flags: k.dword("Flags"),
                last_load: halves(&k, "LocalProfileLoadTime"),
                last_unload: halves(&k, "LocalProfileUnloadTime"),
                key_last_written: k.last_written(),
            }
        })
        .collect()
}

/// ProfileList.
pub fn profile_list(hive: &Hive, out: &mut PluginResults) {
    out.records
        .extend(read_profiles(hive).into_iter().map(Record::Profile));
}

/// One network profile.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NetworkProfile {
    /// Key path.
    pub key_path: String,
    /// Profile GUID.
    pub guid: String,
    /// ProfileName (SSID or network name).
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Category (0 public, 1 private, 2 domain).
    pub category: Option<u32>,
    /// NameType (6 wired, 23 VPN, 71 wireless, 243 mobile broadband).
    pub name_type: Option<u32>,
    /// DateCreated (SYSTEMTIME, machine local time, converted as if UTC).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub created_local: Option<FileTime>,
    /// DateLastConnected (machine local time, converted as if UTC).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub last_connected_local: Option<FileTime>,
    /// Default gateway MAC (from Signatures).
    pub gateway_mac: Option<String>,
    /// DNS suffix (from Signatures).
    pub dns_suffix: Option<String>,
}

impl Artifact for NetworkProfile {
    const SCHEMA: &'static str = "registry/networklist";
    fn events(&self) -> Vec<Event> {
        // Local times: not put on the UTC timeline without the zone.
        Vec::new()
    }
    fn summary(&self) -> String {
        format!(
            "Network {} (gateway {})",
            self.name.as_deref().unwrap_or(&self.guid),
            self.gateway_mac.as_deref().unwrap_or("?")
        )
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// NetworkList profiles.
pub fn network_list(hive: &Hive, out: &mut PluginResults) {
    let base = "Microsoft\\Windows NT\\CurrentVersion\\NetworkList";
    let Ok(p) = hive.open(&format!("{base}\\Profiles")) else {
        return;
    };
    let mut sigs: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    for kind in ["Managed", "Unmanaged"] {
        if let Ok(s) = hive.open(&format!("{base}\\Signatures\\{kind}")) {
            for k in s.subkeys().flatten() {
                let mac = k.binary("DefaultGatewayMac").map(|d| {
                    d.iter()
                        .map(|b| format!("{b:02X}"))
                        .collect::<Vec<_>>()
                        .join(":")
                });
                if let Some(g) = k.string("ProfileGuid") {
                    sigs.push((g, mac, k.string("DnsSuffix")));
                }
            }
        }
    }
    for k in p.subkeys().flatten() {
        let guid = k.name();
        let sig = sigs.iter().find(|s| s.0.eq_ignore_ascii_case(&guid));
        out.records.push(Record::NetworkProfile(NetworkProfile {
            key_path: format!("{base}\\Profiles\\{guid}"),
            name: k.string("ProfileName"),
            description: k.string("Description"),
            category: k.dword("Category"),
            name_type: k.dword("NameType"),
            created_local: k
                .binary("DateCreated")
                .and_then(|d| systemtime_to_filetime(&d)),
            last_connected_local: k
                .binary("DateLastConnected")
                .and_then(|d| systemtime_to_filetime(&d)),
            gateway_mac: sig.and_then(|s| s.1.clone()),
            dns_suffix: sig.and_then(|s| s.2.clone()),
            guid,
        }));
    }
}

/// One Windows Defender setting or exclusion.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DefenderSetting {
    /// Key path.
    pub key_path: String,
    /// `policy` (Policies\Microsoft\Windows Defender) or `local`.
    pub scope: &'static str,
    /// Setting name (`DisableAntiSpyware`, `Exclusion:Paths`, …).
    pub setting: String,
    /// Value (DWORD as text, or the excluded item).
    pub value: String,
    /// True when this weakens protection (Disable* = 1, an exclusion,
    /// TamperProtection off).
    pub weakens_protection: bool,
    /// Key last written (when the setting was made).
    #[serde(serialize_with = "crate::ser::filetime")]
    pub key_last_written: FileTime,
}

impl Artifact for DefenderSetting {
    const SCHEMA: &'static str = "registry/defender";
    fn events(&self) -> Vec<Event> {
        vec![Event {
            time: self.key_last_written,
            what: if self.weakens_protection {
                "Defender protection weakened (key last written)"
            } else {
                "Defender setting key last written"
            },
        }]
    }
    fn summary(&self) -> String {
        format!("Defender {} {} = {}", self.scope, self.setting, self.value)
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

/// Windows Defender policy, settings and exclusions.
pub fn defender(hive: &Hive, out: &mut PluginResults) {
    for (scope, base) in [
        ("policy", "Policies\\Microsoft\\Windows Defender"),
        ("local", "Microsoft\\Windows Defender"),
    ] {
        let Ok(root) = hive.open(base) else { continue };
        let mut stack = vec![(base.to_string(), root, 0usize)];
        while let Some((path, k, depth)) = stack.pop() {
            let lname = path.rsplit('\\').next().unwrap_or_default().to_string();
            let in_exclusions = path.to_ascii_lowercase().contains("\\exclusions\\");
            for v in k.values().into_iter().flatten() {
                let name = v.name();
                let data = v.decoded().map(|d| d.to_text()).unwrap_or_default();
                let (setting, value, weak) = if in_exclusions {
                    (format!("Exclusion:{lname}"), name.clone(), true)
                } else {
                    let n = name.to_ascii_lowercase();
                    let on = data == "1";
                    let weak = (n.starts_with("disable") && on)
                        || (n == "tamperprotection" && data != "5")
                        || ((n == "spynetreporting" || n == "submitsamplesconsent")
                            && data == "0"
                            && scope == "policy");
                    (name.clone(), data, weak)
                };
                // Keep only settings an analyst cares about from the local
                // (non-policy) tree: Disable*, exclusions, tamper protection.
                if scope == "local"
                    && !in_exclusions
                    && !(setting.to_ascii_lowercase().starts_with("disable")
                        || setting.eq_ignore_ascii_case("TamperProtection"))
                {
                    continue;
                }
                out.records.push(Record::Defender(DefenderSetting {
                    key_path: path.clone(),
                    scope,
                    setting,
                    value,
                    weakens_protection: weak,
                    key_last_written: k.last_written(),
                }));
            }
            if depth < 4 {
                for s in k.subkeys().flatten() {
                    stack.push((join(&path, &s.name()), s, depth + 1));
                }
            }
        }
    }
}
