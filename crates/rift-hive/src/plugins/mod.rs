//! Incident plugins: typed records from well-known keys.
//!
//! Each plugin reads one family of keys and returns typed records that keep
//! raw values (FILETIME ticks, DWORDs, flags) beside their meaning. Every
//! record lists its timestamps as [`Event`]s so the timeline can take them
//! without knowing the record type. Run them all with [`run_all`].
//!
//! Sources are cited per module; the key layouts are summarised in
//! `../shared/docs/formats/artifacts.md` §3.

use rift_io::time::FileTime;

use crate::discover::HiveType;
use crate::hive::Hive;
use crate::key::Key;

pub mod amcache;
pub mod shellbags;
pub mod shimcache;
pub mod software;
pub mod system;
pub mod user;

pub use amcache::{AmcacheApplication, AmcacheFile};
pub use shellbags::ShellBag;
pub use shimcache::ShimCacheEntry;
pub use software::{DefenderSetting, NetworkProfile, Profile, RunEntry, ScheduledTask};
pub use system::{Bam, ComputerName, MountedDevice, Service, TimeZone, UsbDevice};
pub use user::{RecentDoc, RunMru, TypedPath, UserAssist};

/// One point in time of a record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    /// The time (UTC FILETIME).
    #[serde(serialize_with = "crate::ser::filetime")]
    pub time: FileTime,
    /// What happened at that time (`Last run`, `Key last written`, …).
    pub what: &'static str,
}

/// Every record type the plugins produce.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "artifact")]
#[allow(missing_docs)]
pub enum Record {
    UserAssist(UserAssist),
    Bam(Bam),
    ShimCache(ShimCacheEntry),
    AmcacheFile(AmcacheFile),
    AmcacheApplication(AmcacheApplication),
    RecentDoc(RecentDoc),
    RunMru(RunMru),
    TypedPath(TypedPath),
    Run(RunEntry),
    Service(Service),
    ScheduledTask(ScheduledTask),
    ShellBag(ShellBag),
    MountedDevice(MountedDevice),
    Usb(UsbDevice),
    Profile(Profile),
    ComputerName(ComputerName),
    TimeZone(TimeZone),
    NetworkProfile(NetworkProfile),
    Defender(DefenderSetting),
}

macro_rules! each {
    ($self:ident, $r:ident => $e:expr) => {
        match $self {
            Record::UserAssist($r) => $e,
            Record::Bam($r) => $e,
            Record::ShimCache($r) => $e,
            Record::AmcacheFile($r) => $e,
            Record::AmcacheApplication($r) => $e,
            Record::RecentDoc($r) => $e,
            Record::RunMru($r) => $e,
            Record::TypedPath($r) => $e,
            Record::Run($r) => $e,
            Record::Service($r) => $e,
            Record::ScheduledTask($r) => $e,
            Record::ShellBag($r) => $e,
            Record::MountedDevice($r) => $e,
            Record::Usb($r) => $e,
            Record::Profile($r) => $e,
            Record::ComputerName($r) => $e,
            Record::TimeZone($r) => $e,
            Record::NetworkProfile($r) => $e,
            Record::Defender($r) => $e,
        }
    };
}

/// What every record type provides.
pub trait Artifact {
    /// Stable plugin/schema id (`registry/userassist`, …).
    const SCHEMA: &'static str;
    /// Timestamps of this record.
    fn events(&self) -> Vec<Event>;
    /// One line for humans and the timeline `description`.
    fn summary(&self) -> String;
    /// Full key path (relative to the hive root) it came from.
    fn key_path(&self) -> &str;
}

fn schema_of<T: Artifact>(_: &T) -> &'static str {
    T::SCHEMA
}

impl Record {
    /// Stable schema id.
    pub fn schema(&self) -> &'static str {
        each!(self, r => schema_of(r))
    }
    /// Timestamps.
    pub fn events(&self) -> Vec<Event> {
        each!(self, r => r.events())
    }
    /// One-line summary.
    pub fn summary(&self) -> String {
        each!(self, r => r.summary())
    }
    /// Key path (relative to the hive root).
    pub fn key_path(&self) -> &str {
        each!(self, r => r.key_path())
    }
}

/// Output of [`run_all`].
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PluginResults {
    /// Records.
    pub records: Vec<Record>,
    /// Non-fatal problems (`plugin: message`).
    pub warnings: Vec<String>,
}

/// Runs every plugin that applies to `hive_type`.
pub fn run_all(hive: &Hive, hive_type: HiveType) -> PluginResults {
    let mut out = PluginResults::default();
    let r = &mut out;
    match hive_type {
        HiveType::NtUser => {
            user::userassist(hive, r);
            user::recent_docs(hive, r);
            user::run_mru(hive, r);
            user::typed_paths(hive, r);
            software::run_keys(hive, r, "Software\\");
            shellbags::shellbags(hive, r, "Software\\Microsoft\\Windows\\Shell\\BagMRU");
        }
        HiveType::UsrClass => {
            shellbags::shellbags(
                hive,
                r,
                "Local Settings\\Software\\Microsoft\\Windows\\Shell\\BagMRU",
            );
        }
        HiveType::System => {
            system::bam(hive, r);
            shimcache::shimcache(hive, r);
            system::services(hive, r);
            system::mounted_devices(hive, r);
            system::usb(hive, r);
            system::computer_name(hive, r);
            system::time_zone(hive, r);
        }
        HiveType::Software => {
            software::run_keys(hive, r, "");
            software::task_cache(hive, r);
            software::profile_list(hive, r);
            software::network_list(hive, r);
            software::defender(hive, r);
        }
        HiveType::Amcache => amcache::amcache(hive, r),
        _ => {}
    }
    out
}

/// The control set in use: `Select\Current` → `ControlSet00N`, else
/// `ControlSet001`, else `CurrentControlSet` (live exports).
pub fn current_control_set(hive: &Hive) -> Option<(String, Key<'_>)> {
    let n = hive.open("Select").ok().and_then(|k| k.dword("Current"));
    let mut names = Vec::new();
    if let Some(n) = n {
        names.push(format!("ControlSet{n:03}"));
    }
    names.push("ControlSet001".into());
    names.push("CurrentControlSet".into());
    names
        .into_iter()
        .find_map(|n| hive.open(&n).ok().map(|k| (n, k)))
}

/// All `ControlSetNNN` keys.
pub fn control_sets(hive: &Hive) -> Vec<(String, Key<'_>)> {
    let Ok(root) = hive.root() else {
        return Vec::new();
    };
    root.subkeys()
        .flatten()
        .filter_map(|k| {
            let n = k.name();
            n.to_ascii_lowercase()
                .starts_with("controlset")
                .then_some((n, k))
        })
        .collect()
}

/// ROT13 over ASCII letters only (UserAssist value names).
pub fn rot13(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' => (((c as u8 - b'a') + 13) % 26 + b'a') as char,
            'A'..='Z' => (((c as u8 - b'A') + 13) % 26 + b'A') as char,
            _ => c,
        })
        .collect()
}

/// Windows KnownFolder GUIDs seen in UserAssist and shell items, with
/// their usual paths (Microsoft KNOWNFOLDERID documentation).
pub fn known_folder(guid: &str) -> Option<&'static str> {
    let g = guid
        .trim_matches(|c| c == '{' || c == '}')
        .to_ascii_uppercase();
    Some(match g.as_str() {
        "1AC14E77-02E7-4E5D-B744-2EB1AE5198B7" => "C:\\Windows\\System32",
        "D65231B0-B2F1-4857-A4CE-A8E7C6EA7D27" => "C:\\Windows\\SysWOW64",
        "F38BF404-1D43-42F2-9305-67DE0B28FC23" => "C:\\Windows",
        "6D809377-6AF0-444B-8957-A3773F02200E" => "C:\\Program Files",
        "7C5A40EF-A0FB-4BFC-874A-C0F2E0B9FA8E" => "C:\\Program Files (x86)",
        "905E63B6-C1BF-494E-B29C-65B732D3D21A" => "C:\\Program Files",
        "F7F1ED05-9F6D-47A2-AAAE-29D317C6F066" => "C:\\Program Files\\Common Files",
        "6365D5A7-0F0D-45E5-87F6-0DA56B6A4F7D" => "C:\\Program Files (x86)\\Common Files",
        "374DE290-123F-4565-9164-39C4925E467B" => "%USERPROFILE%\\Downloads",
        "B4BFCC3A-DB2C-424C-B029-7FE99A87C641" => "%USERPROFILE%\\Desktop",
        "FDD39AD0-238F-46AF-ADB4-6C85480369C7" => "%USERPROFILE%\\Documents",
        "F1B32785-6FBA-4FCF-9D55-7B8E7F157091" => "%LOCALAPPDATA%",
        "3EB685DB-65F9-4CF6-A03A-E3EF65729F3D" => "%APPDATA%",
        "A77F5D77-2E2B-44C3-A6A2-ABA601054A51" => {
            "%APPDATA%\\Microsoft\\Windows\\Start Menu\\Programs"
        }
        "0139D44E-6AFE-49F2-8690-3DAFCAE6FFB8" => {
            "C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs"
        }
        "9E3995AB-1F9C-4F13-B827-48B24B6C7174" => {
            "%APPDATA%\\Microsoft\\Internet Explorer\\Quick Launch\\User Pinned"
        }
        "5E6C858F-0E22-4760-9AFE-EA3317B67173" => "%USERPROFILE%",
        "62AB5D82-FDC1-4DC3-A9DD-070D1D495D97" => "C:\\ProgramData",
        "33E28130-4E1E-4676-835A-98395C3BC3BB" => "%USERPROFILE%\\Pictures",
        "4BD8D571-6D19-48D3-BE97-422220080E43" => "%USERPROFILE%\\Music",
        "18989B1D-99B5-455B-841C-AB7C74E4DDFC" => "%USERPROFILE%\\Videos",
        _ => return None,
    })
}

/// Replaces a leading `{KnownFolderGUID}` with its path.
pub fn resolve_known_folder(name: &str) -> Option<String> {
    let rest = name.strip_prefix('{')?;
    let end = rest.find('}')?;
    let guid = rest.get(..end)?;
    let tail = rest.get(end + 1..).unwrap_or_default();
    known_folder(guid).map(|p| format!("{p}{tail}"))
}

/// Reads a FILETIME at `off` of `d`; `None` when zero or absent.
pub(crate) fn filetime_at(d: &[u8], off: usize) -> Option<FileTime> {
    rift_io::bytes::le_u64(d, off)
        .filter(|&v| v != 0)
        .map(FileTime)
}

/// `HKLM`-style path join.
pub(crate) fn join(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}\\{b}")
    }
}

/// Decodes a 16-byte SYSTEMTIME into FILETIME (no time-zone shift).
pub(crate) fn systemtime_to_filetime(d: &[u8]) -> Option<FileTime> {
    use rift_io::bytes::le_u16;
    let y = le_u16(d, 0)?;
    let mo = le_u16(d, 2)?;
    let day = le_u16(d, 6)?;
    let h = le_u16(d, 8)?;
    let mi = le_u16(d, 10)?;
    let s = le_u16(d, 12)?;
    let ms = le_u16(d, 14)?;
    let date = jiff::civil::Date::new(
        i16::try_from(y).ok()?,
        i8::try_from(mo).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let dt = date.at(
        i8::try_from(h).ok()?,
        i8::try_from(mi).ok()?,
        i8::try_from(s).ok()?,
        i32::from(ms) * 1_000_000,
    );
    let ts = dt.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp();
    FileTime::from_timestamp(ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rot13_and_folders() {
        assert_eq!(
            rot13("{374QR290-123S-4565-9164-39P4925R467O}\\QrsraqrePbageby.rkr"),
            "{374DE290-123F-4565-9164-39C4925E467B}\\DefenderControl.exe"
        );
        assert_eq!(
            resolve_known_folder(
                "{6D809377-6AF0-444B-8957-A3773F02200E}\\Google\\Chrome\\Application\\chrome.exe"
            )
            .as_deref(),
            Some("C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe")
        );
        assert_eq!(resolve_known_folder("Microsoft.Windows.Explorer"), None);
        let st = [
            0xE7u8, 0x07, 8, 0, 4, 0, 17, 0, 7, 0, 57, 0, 37, 0, 0xF4, 0x01,
        ];
        let ft = systemtime_to_filetime(&st).unwrap();
        assert_eq!(crate::ser::iso(ft).unwrap(), "2023-08-17T07:57:37.500000Z");
    }
}
