//! Small helpers: times, paths, names.

/// Time (µs since 1970) standing for "unknown": far in the past so that
/// rules comparing it with real times never fire, and small enough that
/// differences with real times cannot overflow an `i64` (unlike
/// `i64::MIN`).
pub const UNKNOWN_T: i64 = i64::MIN / 4;

use jiff::Timestamp;

/// Unix µs from a database time.
pub fn us(t: &str) -> Option<i64> {
    t.parse::<Timestamp>().ok().map(|t| t.as_microsecond())
}

/// Findings time text (UTC, `Z`, six digits) from database text.
pub fn z(t: &str) -> Option<String> {
    t.parse::<Timestamp>()
        .ok()
        .map(rift_io::time::format_iso_utc)
}

/// Findings time text from µs.
pub fn z_us(us: i64) -> Option<String> {
    Timestamp::from_microsecond(us)
        .ok()
        .map(rift_io::time::format_iso_utc)
}

/// Seconds to µs.
pub const fn secs(s: i64) -> i64 {
    s * 1_000_000
}

/// The last component of a Windows or POSIX path.
pub fn base_name(p: &str) -> &str {
    let p = p.trim_end_matches(['\\', '/']);
    match p.rfind(['\\', '/']) {
        Some(i) => p.get(i + 1..).unwrap_or(p),
        None => p,
    }
}

/// The folder part of a path (without the trailing separator).
pub fn dir_name(p: &str) -> Option<&str> {
    p.rfind(['\\', '/']).and_then(|i| p.get(..i))
}

/// Extension with the dot, lowercase (`.docx`); `None` when the name has none.
pub fn ext_of(name: &str) -> Option<String> {
    let i = name.rfind('.')?;
    if i == 0 {
        return None;
    }
    let e = name.get(i..)?;
    if e.len() < 2 || e.len() > 24 || e.contains([' ', '\\', '/']) {
        return None;
    }
    Some(e.to_lowercase())
}

/// The name without the given extension (case-insensitive).
pub fn strip_ext<'a>(name: &'a str, ext: &str) -> Option<&'a str> {
    let n = name.len().checked_sub(ext.len())?;
    let tail = name.get(n..)?;
    if tail.eq_ignore_ascii_case(ext) && n > 0 {
        name.get(..n)
    } else {
        None
    }
}

/// Extensions of programs and scripts Windows runs directly.
pub const EXEC_EXTS: &[&str] = &[
    ".exe", ".dll", ".scr", ".com", ".pif", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js", ".jse",
    ".wsf", ".hta", ".msi", ".jar", ".cpl",
];

/// Whether a file name is a program or script.
pub fn is_exec_name(name: &str) -> bool {
    ext_of(name).is_some_and(|e| EXEC_EXTS.contains(&e.as_str()))
}

/// Lowercase path with `/` turned into `\`, for comparisons.
pub fn norm_path(p: &str) -> String {
    p.replace('/', "\\").to_lowercase()
}

/// Folders where Windows' own binaries live; a program run from there is
/// rarely the payload (attackers drop into user-writable folders).
pub fn is_system_location(path: &str) -> bool {
    let p = norm_path(path);
    [
        "\\windows\\system32\\",
        "\\windows\\syswow64\\",
        "\\windows\\winsxs\\",
        "\\program files\\",
        "\\program files (x86)\\",
        "\\windows\\servicing\\",
        "\\windows\\softwaredistribution\\",
    ]
    .iter()
    .any(|s| p.contains(s))
}

/// Folders any user can write to, where dropped payloads usually go.
pub fn is_user_writable(path: &str) -> bool {
    let p = norm_path(path);
    [
        "\\appdata\\",
        "\\temp\\",
        "\\downloads\\",
        "\\desktop\\",
        "\\users\\public\\",
        "\\programdata\\",
        "\\$recycle.bin\\",
    ]
    .iter()
    .any(|s| p.contains(s))
}

/// The user a path belongs to (`C:\Users\<user>\…`).
pub fn user_of_path(path: &str) -> Option<String> {
    let p = path.replace('/', "\\");
    let lower = p.to_lowercase();
    let i = lower.find("\\users\\")?;
    let rest = p.get(i + 7..)?;
    let user = rest.split('\\').next()?;
    if user.is_empty() || rest.len() == user.len() {
        return None;
    }
    Some(user.to_string())
}

/// Turns a prefetch-style path (`\VOLUME{…}\USERS\X\A.EXE`) or an NT
/// device path (`\Device\HarddiskVolume2\Users\x\a.exe`) into `C:\…` form;
/// other paths are returned unchanged.
pub fn friendly_path(p: &str) -> String {
    let lower = p.to_lowercase();
    for prefix in ["\\volume{", "\\device\\harddiskvolume"] {
        if lower.starts_with(prefix) {
            if let Some(rest) = p.get(1..).and_then(|r| {
                let skip = if prefix == "\\volume{" { 0 } else { 1 };
                r.split('\\')
                    .skip(1 + skip)
                    .collect::<Vec<_>>()
                    .join("\\")
                    .into()
            }) {
                return format!("C:\\{rest}");
            }
        }
    }
    p.to_string()
}

/// A path reduced for identity comparisons: lowercase, `\` separators, no
/// `\\?\` prefix and no drive letter (artifacts disagree on the letter:
/// Prefetch and BAM name volumes, not letters).
pub fn path_key(p: &str) -> String {
    let mut n = friendly_path(p.trim().trim_matches('"'))
        .replace('/', "\\")
        .to_lowercase();
    for pre in ["\\\\?\\", "\\??\\"] {
        if let Some(r) = n.strip_prefix(pre) {
            n = r.to_string();
        }
    }
    let b = n.as_bytes();
    if b.len() >= 2 && b.first().is_some_and(u8::is_ascii_alphabetic) && b.get(1) == Some(&b':') {
        n = n.get(2..).unwrap_or("").to_string();
    }
    n
}

/// Whether a [`path_key`] is a full path (from the volume root), as
/// opposed to an environment-variable form (`%userprofile%\…`), an
/// unresolved journal path (`?\…`) or a bare name.
pub fn is_full_key(k: &str) -> bool {
    k.starts_with('\\') && !k.contains('%')
}

/// The part of a non-full path key that names folders under a variable
/// root (`%localappdata%\temp\x.exe` → `\temp\x.exe`; `?\123\x.exe` →
/// `\x.exe`; `x.exe` → `\x.exe`).
fn tail_of(k: &str) -> String {
    if let Some(r) = k.strip_prefix('%') {
        if let Some(i) = r.find('%') {
            return r.get(i + 1..).unwrap_or("").to_string();
        }
    }
    if let Some(r) = k.strip_prefix("?\\") {
        return format!("\\{}", base_name(r));
    }
    if k.starts_with('\\') {
        return k.to_string();
    }
    format!("\\{k}")
}

/// Whether two artifact paths can name the same file: equal keys, or a
/// non-full form whose tail ends the other (`%USERPROFILE%\Downloads\x.exe`
/// and `C:\Users\u\Downloads\x.exe`). Two different full paths never match.
pub fn same_path(a: &str, b: &str) -> bool {
    let (ka, kb) = (path_key(a), path_key(b));
    if ka == kb {
        return true;
    }
    match (is_full_key(&ka), is_full_key(&kb)) {
        (true, true) => false,
        (true, false) => {
            let t = tail_of(&kb);
            t.len() > 1 && ka.ends_with(&t)
        }
        (false, true) => {
            let t = tail_of(&ka);
            t.len() > 1 && kb.ends_with(&t)
        }
        (false, false) => {
            let (ta, tb) = (tail_of(&ka), tail_of(&kb));
            ta.len() > 1 && tb.len() > 1 && (ta.ends_with(&tb) || tb.ends_with(&ta))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(base_name(r"C:\a\b.exe"), "b.exe");
        assert_eq!(dir_name(r"C:\a\b.exe"), Some(r"C:\a"));
        assert_eq!(ext_of("a.DOCX.Lock"), Some(".lock".into()));
        assert_eq!(ext_of(".hidden"), None);
        assert_eq!(strip_ext("a.docx.LOCK", ".lock"), Some("a.docx"));
        assert_eq!(user_of_path(r"C:\Users\kim\Desktop\a"), Some("kim".into()));
        assert_eq!(user_of_path(r"C:\Users\kim"), None);
        assert_eq!(
            friendly_path(r"\VOLUME{01d9-84}\USERS\K\A.EXE"),
            r"C:\USERS\K\A.EXE"
        );
        assert_eq!(
            friendly_path(r"\Device\HarddiskVolume2\Users\k\a.exe"),
            r"C:\Users\k\a.exe"
        );
        assert!(is_system_location(r"C:\Windows\System32\svchost.exe"));
        assert!(!is_system_location(r"C:\Users\a\AppData\Local\Temp\x.exe"));
        assert!(is_user_writable(r"C:\Users\a\AppData\Local\Temp\x.exe"));
    }

    #[test]
    fn path_identity() {
        assert_eq!(
            path_key(r"\Device\HarddiskVolume2\Users\K\A.exe"),
            r"\users\k\a.exe"
        );
        assert_eq!(path_key(r"\\?\C:\X\y.EXE"), r"\x\y.exe");
        assert!(same_path(
            r"\VOLUME{01d9-84}\USERS\K\DOWNLOADS\T.EXE",
            r"C:\Users\k\Downloads\t.exe"
        ));
        assert!(same_path(
            r"%USERPROFILE%\Downloads\t.exe",
            r"C:\Users\k\Downloads\t.exe"
        ));
        assert!(same_path(r"?\77\t.exe", r"C:\Users\k\Downloads\t.exe"));
        assert!(!same_path(
            r"C:\Windows\System32\svchost.exe",
            r"C:\Users\k\AppData\Roaming\svchost.exe"
        ));
        assert!(!same_path(
            r"%USERPROFILE%\Downloads\t.exe",
            r"C:\Users\k\Desktop\t.exe"
        ));
    }
}
