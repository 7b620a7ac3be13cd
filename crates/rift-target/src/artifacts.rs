//! Which files of a Windows volume are evidence, by path.
//!
//! The rules are the locations Windows itself uses (documented by
//! Microsoft and in every DFIR reference, e.g. SANS "Windows Forensic
//! Analysis" poster, KAPE target files); nothing here is specific to one
//! image. Paths are volume-relative, `\`-separated, compared
//! case-insensitively.

/// What kind of evidence a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ArtifactKind {
    /// A registry hive (type from its location).
    Hive(HiveKind),
    /// A hive transaction log (`.LOG`, `.LOG1`, `.LOG2`) — read with its hive.
    HiveLog,
    /// An event log.
    Evtx,
    /// A prefetch file.
    Prefetch,
    /// Chromium-family `History` database.
    ChromiumHistory,
    /// Firefox `places.sqlite`.
    FirefoxPlaces,
    /// Firefox (legacy) `downloads.sqlite`.
    FirefoxDownloads,
    /// Internet Explorer / WinINet `index.dat` (history, cache, cookies).
    IeIndex,
    /// SQLite side files (`-wal`, `-journal`) — read with their database.
    SqliteSide,
    /// A shell link.
    Lnk,
    /// An automatic-destinations jump list.
    JumplistAuto,
    /// A custom-destinations jump list.
    JumplistCustom,
    /// A Recycle Bin `$I` file.
    RecycleBinI,
    /// An XP `INFO2` Recycle Bin index.
    RecycleInfo2,
    /// A scheduled task definition (XML, `System32\Tasks`).
    TaskXml,
    /// A legacy scheduled task (`.job`).
    TaskJob,
    /// A Windows Defender DetectionHistory file.
    DefenderHistory,
}

/// Registry hive types (RECmd's HiveType names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HiveKind {
    /// `SYSTEM`.
    System,
    /// `SOFTWARE`.
    Software,
    /// `SAM`.
    Sam,
    /// `SECURITY`.
    Security,
    /// `DEFAULT`.
    Default,
    /// `COMPONENTS`.
    Components,
    /// `DRIVERS`.
    Drivers,
    /// A user's `NTUSER.DAT`.
    NtUser,
    /// A user's `UsrClass.dat`.
    UsrClass,
    /// `Amcache.hve`.
    Amcache,
}

impl HiveKind {
    /// RECmd's HiveType name.
    pub fn name(self) -> &'static str {
        match self {
            HiveKind::System => "SYSTEM",
            HiveKind::Software => "SOFTWARE",
            HiveKind::Sam => "SAM",
            HiveKind::Security => "SECURITY",
            HiveKind::Default => "DEFAULT",
            HiveKind::Components => "COMPONENTS",
            HiveKind::Drivers => "DRIVERS",
            HiveKind::NtUser => "NTUSER",
            HiveKind::UsrClass => "USRCLASS",
            HiveKind::Amcache => "AMCACHE",
        }
    }
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

/// Components of a volume-relative path, lowercased.
fn comps(path: &str) -> Vec<String> {
    path.split(['\\', '/'])
        .filter(|c| !c.is_empty())
        .map(lower)
        .collect()
}

/// The profile folder name for paths under `Users\<name>\…`.
pub fn user_of(path: &str) -> Option<String> {
    let mut it = path.split(['\\', '/']).filter(|c| !c.is_empty());
    let first = it.next()?;
    if first.eq_ignore_ascii_case("Users") || first.eq_ignore_ascii_case("Documents and Settings") {
        return it.next().map(str::to_string);
    }
    None
}

/// Classifies a volume-relative path (`Windows\Prefetch\CMD.EXE-1234.pf`).
/// `stream` is the named data stream, if any (artifacts live in the
/// unnamed stream; `Zone.Identifier` is handled separately).
pub fn classify(path: &str) -> Option<ArtifactKind> {
    let c = comps(path);
    let name = c.last()?.as_str();
    let n = c.len();
    let at = |i: usize| c.get(i).map(String::as_str).unwrap_or("");
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");

    // Registry: config hives.
    if n == 4 && at(0) == "windows" && at(1) == "system32" && at(2) == "config" {
        let kind = match name {
            "system" => Some(HiveKind::System),
            "software" => Some(HiveKind::Software),
            "sam" => Some(HiveKind::Sam),
            "security" => Some(HiveKind::Security),
            "default" => Some(HiveKind::Default),
            "components" => Some(HiveKind::Components),
            "drivers" => Some(HiveKind::Drivers),
            _ => None,
        };
        if let Some(k) = kind {
            return Some(ArtifactKind::Hive(k));
        }
        if is_hive_log(name) {
            return Some(ArtifactKind::HiveLog);
        }
    }
    if name == "amcache.hve" {
        return Some(ArtifactKind::Hive(HiveKind::Amcache));
    }
    if name == "ntuser.dat" {
        return Some(ArtifactKind::Hive(HiveKind::NtUser));
    }
    if name == "usrclass.dat" {
        return Some(ArtifactKind::Hive(HiveKind::UsrClass));
    }
    if is_hive_log(name)
        && (name.starts_with("ntuser.dat")
            || name.starts_with("usrclass.dat")
            || name.starts_with("amcache.hve"))
    {
        return Some(ArtifactKind::HiveLog);
    }

    if ext == "evtx" && c.iter().any(|x| x == "winevt") {
        return Some(ArtifactKind::Evtx);
    }
    if ext == "pf" && n >= 2 && at(n - 2) == "prefetch" {
        return Some(ArtifactKind::Prefetch);
    }
    if ext == "lnk" {
        return Some(ArtifactKind::Lnk);
    }
    if name.ends_with(".automaticdestinations-ms") {
        return Some(ArtifactKind::JumplistAuto);
    }
    if name.ends_with(".customdestinations-ms") {
        return Some(ArtifactKind::JumplistCustom);
    }
    if at(0) == "$recycle.bin" && name.starts_with("$i") {
        return Some(ArtifactKind::RecycleBinI);
    }
    if (at(0) == "recycler" || at(0) == "recycled") && name == "info2" {
        return Some(ArtifactKind::RecycleInfo2);
    }
    if at(0) == "windows" && at(1) == "system32" && at(2) == "tasks" && n >= 4 {
        return Some(ArtifactKind::TaskXml);
    }
    if at(0) == "windows" && at(1) == "tasks" && ext == "job" {
        return Some(ArtifactKind::TaskJob);
    }
    // ProgramData\Microsoft\Windows Defender\Scans\History\Service\
    // DetectionHistory\<n>\<GUID>: one file per detection.
    if n == 9
        && at(0) == "programdata"
        && at(2) == "windows defender"
        && at(3) == "scans"
        && at(6) == "detectionhistory"
    {
        return Some(ArtifactKind::DefenderHistory);
    }
    // Browsers: by file name inside a user profile's AppData.
    let in_appdata = c.iter().any(|x| x == "appdata") || c.iter().any(|x| x == "application data");
    if in_appdata || at(0) == "users" {
        if name == "history" {
            return Some(ArtifactKind::ChromiumHistory);
        }
        if name == "places.sqlite" {
            return Some(ArtifactKind::FirefoxPlaces);
        }
        if name == "downloads.sqlite" {
            return Some(ArtifactKind::FirefoxDownloads);
        }
        if name == "index.dat"
            && c.iter().any(|x| {
                x == "history.ie5"
                    || x == "content.ie5"
                    || x == "history"
                    || x == "cookies"
                    || x == "iecompat"
            })
        {
            return Some(ArtifactKind::IeIndex);
        }
        if ["history", "places.sqlite", "downloads.sqlite"]
            .iter()
            .any(|db| name == format!("{db}-wal") || name == format!("{db}-journal"))
        {
            return Some(ArtifactKind::SqliteSide);
        }
    }
    None
}

fn is_hive_log(name: &str) -> bool {
    name.ends_with(".log") || name.ends_with(".log1") || name.ends_with(".log2")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_locations() {
        use ArtifactKind::*;
        let cases = [
            (
                "Windows\\System32\\config\\SYSTEM",
                Some(Hive(HiveKind::System)),
            ),
            (
                "WINDOWS\\system32\\CONFIG\\software",
                Some(Hive(HiveKind::Software)),
            ),
            ("Windows\\System32\\config\\SYSTEM.LOG1", Some(HiveLog)),
            ("Windows\\System32\\config\\RegBack\\SYSTEM", None),
            ("Users\\a b\\NTUSER.DAT", Some(Hive(HiveKind::NtUser))),
            ("Users\\x\\ntuser.dat.LOG2", Some(HiveLog)),
            (
                "Users\\x\\AppData\\Local\\Microsoft\\Windows\\UsrClass.dat",
                Some(Hive(HiveKind::UsrClass)),
            ),
            (
                "Windows\\AppCompat\\Programs\\Amcache.hve",
                Some(Hive(HiveKind::Amcache)),
            ),
            ("Windows\\System32\\winevt\\Logs\\Security.evtx", Some(Evtx)),
            ("Windows\\Prefetch\\CMD.EXE-087B4001.pf", Some(Prefetch)),
            (
                "ProgramData\\Microsoft\\Windows Defender\\Scans\\History\\Service\\DetectionHistory\\02\\6AFE33A0-19BA-4FFF-892F-B700539D7D63",
                Some(DefenderHistory),
            ),
            (
                "ProgramData\\Microsoft\\Windows Defender\\Scans\\History\\Service\\DetectionHistory\\02",
                None,
            ),
            (
                "Users\\u\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\History",
                Some(ChromiumHistory),
            ),
            (
                "Users\\u\\AppData\\Local\\Google\\Chrome\\User Data\\Default\\History-journal",
                Some(SqliteSide),
            ),
            (
                "Users\\u\\AppData\\Roaming\\Mozilla\\Firefox\\Profiles\\x.default\\places.sqlite",
                Some(FirefoxPlaces),
            ),
            (
                "Users\\u\\AppData\\Roaming\\Microsoft\\Windows\\Recent\\a.lnk",
                Some(Lnk),
            ),
            (
                "Users\\u\\AppData\\Roaming\\Microsoft\\Windows\\Recent\\AutomaticDestinations\\1b4dd67f29cb1962.automaticDestinations-ms",
                Some(JumplistAuto),
            ),
            (
                "$Recycle.Bin\\S-1-5-21-1-2-3-1001\\$I103S5F.jpg",
                Some(RecycleBinI),
            ),
            ("$Recycle.Bin\\S-1-5-21-1-2-3-1001\\$R103S5F.jpg", None),
            (
                "Windows\\System32\\Tasks\\Microsoft\\Windows\\Defrag\\ScheduledDefrag",
                Some(TaskXml),
            ),
            ("Windows\\Tasks\\At1.job", Some(TaskJob)),
            ("Program Files\\App\\History", None),
            (
                "Users\\u\\AppData\\Local\\Microsoft\\Windows\\History\\History.IE5\\index.dat",
                Some(IeIndex),
            ),
            ("Users\\u\\Desktop\\index.dat", None),
        ];
        for (p, want) in cases {
            assert_eq!(classify(p), want, "{p}");
        }
    }

    #[test]
    fn users() {
        assert_eq!(
            user_of("Users\\jane doe\\NTUSER.DAT").as_deref(),
            Some("jane doe")
        );
        assert_eq!(user_of("Windows\\x"), None);
    }
}
