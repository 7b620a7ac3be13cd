//! Which hive is this, where are its logs, whose is it.
//!
//! Registry Explorer / REGA decide the hive type from the root key's name,
//! the file name and known top-level keys. We do the same from a file name
//! (any path string, not opened here) and the hive's content, so the same
//! code types hives found in a folder, in an image or in a KAPE tree.
//!
//! Sources: msuhanov/regf specification §"Examples of hives and supporting
//! files" (log names); Windows default locations (`System32\config`,
//! `Users\<user>\NTUSER.DAT`, `AppData\Local\Microsoft\Windows\UsrClass.dat`,
//! `Windows\AppCompat\Programs\Amcache.hve`).

use crate::hive::Hive;

/// Hive types (the RECmd batch `HiveType` vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum HiveType {
    /// A user's NTUSER.DAT.
    NtUser,
    /// A user's UsrClass.dat.
    UsrClass,
    /// SAM.
    Sam,
    /// SECURITY.
    Security,
    /// SOFTWARE.
    Software,
    /// SYSTEM.
    System,
    /// COMPONENTS.
    Components,
    /// DRIVERS.
    Drivers,
    /// Amcache.hve.
    Amcache,
    /// Syscache.hve.
    Syscache,
    /// BCD.
    Bcd,
    /// DEFAULT (the default user profile hive).
    Default,
    /// Anything else.
    Other,
}

impl HiveType {
    /// The name RECmd's batch files use (`NTUSER`, `SOFTWARE`, …).
    pub fn batch_name(&self) -> &'static str {
        match self {
            HiveType::NtUser => "NTUSER",
            HiveType::UsrClass => "USRCLASS",
            HiveType::Sam => "SAM",
            HiveType::Security => "SECURITY",
            HiveType::Software => "SOFTWARE",
            HiveType::System => "SYSTEM",
            HiveType::Components => "COMPONENTS",
            HiveType::Drivers => "DRIVERS",
            HiveType::Amcache => "AMCACHE",
            HiveType::Syscache => "SYSCACHE",
            HiveType::Bcd => "BCD",
            HiveType::Default => "DEFAULT",
            HiveType::Other => "Other",
        }
    }

    /// The name RECmd writes in its CSV `HiveType` column (the .NET enum
    /// member name: `NtUser`, `Software`, `UsrClass`, …).
    pub fn csv_name(&self) -> &'static str {
        match self {
            HiveType::NtUser => "NtUser",
            HiveType::UsrClass => "UsrClass",
            HiveType::Sam => "Sam",
            HiveType::Security => "Security",
            HiveType::Software => "Software",
            HiveType::System => "System",
            HiveType::Components => "Components",
            HiveType::Drivers => "Drivers",
            HiveType::Amcache => "Amcache",
            HiveType::Syscache => "Syscache",
            HiveType::Bcd => "Bcd",
            HiveType::Default => "Default",
            HiveType::Other => "Other",
        }
    }

    /// Parses a batch-file `HiveType` (case insensitive; also accepts
    /// RECmd's aliases `User` and `UserClasses`).
    pub fn from_batch_name(s: &str) -> Option<HiveType> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "NTUSER" | "USER" => HiveType::NtUser,
            "USRCLASS" | "USERCLASSES" => HiveType::UsrClass,
            "SAM" => HiveType::Sam,
            "SECURITY" => HiveType::Security,
            "SOFTWARE" => HiveType::Software,
            "SYSTEM" => HiveType::System,
            "COMPONENTS" => HiveType::Components,
            "DRIVERS" => HiveType::Drivers,
            "AMCACHE" => HiveType::Amcache,
            "SYSCACHE" => HiveType::Syscache,
            "BCD" | "BCD-TEMPLATE" => HiveType::Bcd,
            "DEFAULT" => HiveType::Default,
            "OTHER" | "ELAM" | "USERDIFF" | "BBI" | "VSMIDK" | "SETTINGS" => HiveType::Other,
            _ => return None,
        })
    }
}

/// The last path component of a `/` or `\` separated path.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// Whether a file name is a transaction log (`*.LOG`, `*.LOG1`, `*.LOG2`).
pub fn is_log_name(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    l.ends_with(".log") || l.ends_with(".log1") || l.ends_with(".log2")
}

/// The type suggested by the file name alone (`username.NTUSER.DAT`, as
/// KAPE and REGA exports name them, counts as NTUSER).
pub fn type_from_name(path: &str) -> Option<HiveType> {
    let n = file_name(path).to_ascii_lowercase();
    let t = if n == "ntuser.dat"
        || n.ends_with(".ntuser.dat")
        || n.starts_with("ntuser") && n.ends_with(".dat")
    {
        HiveType::NtUser
    } else if n == "usrclass.dat" || n.ends_with(".usrclass.dat") || n.starts_with("usrclass") {
        HiveType::UsrClass
    } else if n == "sam" || n.ends_with("_sam") {
        HiveType::Sam
    } else if n == "security" {
        HiveType::Security
    } else if n == "software" {
        HiveType::Software
    } else if n == "system" {
        HiveType::System
    } else if n == "components" {
        HiveType::Components
    } else if n == "drivers" {
        HiveType::Drivers
    } else if n == "amcache.hve" {
        HiveType::Amcache
    } else if n == "syscache.hve" {
        HiveType::Syscache
    } else if n == "bcd" || n == "bcd-template" {
        HiveType::Bcd
    } else if n == "default" {
        HiveType::Default
    } else {
        return None;
    };
    Some(t)
}

/// The type from the hive's content: root key name and well-known
/// top-level keys. `None` when nothing is conclusive.
pub fn type_from_content(hive: &Hive) -> Option<HiveType> {
    let root = hive.root().ok()?;
    let names: Vec<String> = root
        .subkeys()
        .flatten()
        .map(|k| k.name().to_ascii_lowercase())
        .collect();
    let has = |n: &str| names.iter().any(|x| x == n);
    if has("root")
        && root.subkey("Root").ok().flatten().is_some_and(|r| {
            r.subkey("InventoryApplicationFile")
                .ok()
                .flatten()
                .is_some()
                || r.subkey("File").ok().flatten().is_some()
                || r.subkey("Programs").ok().flatten().is_some()
        })
    {
        return Some(HiveType::Amcache);
    }
    if has("select") && (has("controlset001") || has("mounteddevices")) {
        return Some(HiveType::System);
    }
    if has("sam") && names.len() <= 2 {
        return Some(HiveType::Sam);
    }
    if has("policy") && (has("cache") || has("rxact") || has("sam")) {
        return Some(HiveType::Security);
    }
    if has("objects") && has("description") {
        return Some(HiveType::Bcd);
    }
    if has("local settings") && has("wow6432node")
        || has("local settings") && names.iter().any(|n| n.starts_with('.'))
    {
        return Some(HiveType::UsrClass);
    }
    if names.iter().any(|n| n.starts_with('.') || n == "clsid") && !has("microsoft") {
        return Some(HiveType::UsrClass);
    }
    if has("microsoft")
        && (has("classes") || has("policies"))
        && (has("wow6432node") || has("clients") || has("registeredapplications"))
    {
        return Some(HiveType::Software);
    }
    if has("software")
        && (has("control panel") || has("environment") || has("console") || has("appevents"))
    {
        return Some(HiveType::NtUser);
    }
    if has("deployment") && has("canonicaldata") {
        return Some(HiveType::Components);
    }
    None
}

/// The type from name and content: the content wins when it is
/// conclusive (renamed exports), else the name, else [`HiveType::Other`].
pub fn detect(path: &str, hive: &Hive) -> HiveType {
    match (type_from_content(hive), type_from_name(path)) {
        // UsrClass and NTUSER both look "user"; trust a conclusive name.
        (Some(c), _) => c,
        (None, Some(n)) => n,
        (None, None) => HiveType::Other,
    }
}

/// The user a user hive belongs to, from its path: `Users\<u>\NTUSER.DAT`,
/// `Documents and Settings\<u>\NTUSER.DAT`, `Users\<u>\AppData\Local\
/// Microsoft\Windows\UsrClass.dat`, or an export named `<u>.NTUSER.DAT` /
/// `<u>.UsrClass.dat` / `NTUSER_<u>.DAT`.
pub fn user_from_path(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let name = *parts.last()?;
    let lower = name.to_ascii_lowercase();
    for marker in [
        ".ntuser.dat",
        "_ntuser.dat",
        ".usrclass.dat",
        "_usrclass.dat",
    ] {
        if let Some(stem) = lower.strip_suffix(marker) {
            return name.get(..stem.len()).map(str::to_string);
        }
    }
    if let Some(rest) = lower.strip_prefix("ntuser_")
        && let Some(u) = rest.strip_suffix(".dat")
    {
        return name.get(7..7 + u.len()).map(str::to_string);
    }
    for (i, p) in parts.iter().enumerate() {
        let l = p.to_ascii_lowercase();
        if (l == "users" || l == "documents and settings") && i + 2 < parts.len() {
            return parts.get(i + 1).map(|s| s.to_string());
        }
    }
    None
}

/// Candidate log file names for a hive file name, in the order Windows
/// uses them: `.LOG1`, `.LOG2`, then the single `.LOG`.
pub fn log_names(hive_file_name: &str) -> [String; 3] {
    [
        format!("{hive_file_name}.LOG1"),
        format!("{hive_file_name}.LOG2"),
        format!("{hive_file_name}.LOG"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_users() {
        assert_eq!(
            type_from_name(r"C:\Users\bob\NTUSER.DAT"),
            Some(HiveType::NtUser)
        );
        assert_eq!(type_from_name("bob.NTUSER.DAT"), Some(HiveType::NtUser));
        assert_eq!(type_from_name("UsrClass.dat"), Some(HiveType::UsrClass));
        assert_eq!(
            type_from_name("Windows/System32/config/SOFTWARE"),
            Some(HiveType::Software)
        );
        assert_eq!(type_from_name("Amcache.hve"), Some(HiveType::Amcache));
        assert_eq!(type_from_name("notes.txt"), None);
        assert_eq!(
            user_from_path(r"C:\Users\bob\NTUSER.DAT").as_deref(),
            Some("bob")
        );
        assert_eq!(
            user_from_path("x/Users/alice/AppData/Local/Microsoft/Windows/UsrClass.dat").as_deref(),
            Some("alice")
        );
        assert_eq!(
            user_from_path("export/Carol.NTUSER.DAT").as_deref(),
            Some("Carol")
        );
        assert_eq!(
            user_from_path("export/NTUSER_Dave.DAT").as_deref(),
            Some("Dave")
        );
        assert_eq!(user_from_path("Windows/System32/config/SYSTEM"), None);
        assert!(
            is_log_name("SYSTEM.LOG1") && is_log_name("ntuser.dat.log") && !is_log_name("SYSTEM")
        );
        assert_eq!(
            HiveType::from_batch_name("UsrClass"),
            Some(HiveType::UsrClass)
        );
        assert_eq!(HiveType::from_batch_name("ntuser"), Some(HiveType::NtUser));
    }
}
