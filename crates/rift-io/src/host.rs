//! Making names found in evidence safe to use on the analyst's machine.
//!
//! A file name inside an image is attacker-controlled data. Before it
//! becomes part of a host path it must not be able to climb out of the
//! output folder (`..`, separators of either kind, drive letters, absolute
//! paths), name a device (`CON`, `NUL`, `COM1` … on Windows, where the
//! analyst may run rift), carry control characters, or be too long for the
//! host file system. Every rule here applies on every host OS so that an
//! export made on Linux can be copied to Windows unchanged.

/// Longest component we write, in bytes (most file systems allow 255).
pub const MAX_COMPONENT_BYTES: usize = 200;

const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
    "COM8", "COM9", "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    "CONIN$", "CONOUT$",
];

/// Turns one name from an image into a single safe path component.
///
/// Separators (`/`, `\`), `:` and the other characters Windows forbids,
/// and control characters become `_`; `.` and `..` become `_` and `__`;
/// trailing dots and spaces (which Windows strips) are replaced; reserved
/// device names get a `_` prefix; over-long names are shortened keeping
/// the extension and adding a short hash of the full name so two long
/// names stay distinct. Never returns an empty string.
pub fn sanitize_component(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    if out.is_empty() {
        return "_".into();
    }
    if out.chars().all(|c| c == '.') {
        return "_".repeat(out.len().min(8));
    }
    // Windows silently strips trailing dots and spaces; keep the name as
    // written by replacing the last one.
    if out.ends_with('.') || out.ends_with(' ') {
        out.pop();
        out.push('_');
    }
    let stem = out.split('.').next().unwrap_or("").trim_end();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        out.insert(0, '_');
    }
    if out.len() > MAX_COMPONENT_BYTES {
        out = shorten(&out, name);
    }
    out
}

fn shorten(safe: &str, original: &str) -> String {
    let hash = fnv1a(original.as_bytes());
    let tag = format!("~{hash:08x}");
    let ext = safe
        .rfind('.')
        .map(|i| &safe[i..])
        .filter(|e| e.len() <= 32)
        .unwrap_or("");
    let budget = MAX_COMPONENT_BYTES - tag.len() - ext.len();
    let mut cut = budget.min(safe.len());
    while !safe.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{tag}{ext}", &safe[..cut])
}

fn fnv1a(b: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &x in b {
        h ^= u32::from(x);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Sanitises every component of an image path (split on `\` and `/`),
/// dropping empty components and drive prefixes like `C:`.
pub fn sanitize_relative_path(path: &str) -> Vec<String> {
    path.split(['\\', '/'])
        .filter(|c| !c.is_empty())
        .enumerate()
        .filter(|(i, c)| !(*i == 0 && c.len() == 2 && c.ends_with(':')))
        .map(|(_, c)| sanitize_component(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names() {
        assert_eq!(sanitize_component(".."), "__");
        assert_eq!(sanitize_component("."), "_");
        assert_eq!(sanitize_component(""), "_");
        assert_eq!(sanitize_component("../../etc/passwd"), ".._.._etc_passwd");
        assert_eq!(sanitize_component("a\\b"), "a_b");
        assert_eq!(sanitize_component("C:"), "C_");
        assert_eq!(sanitize_component("x\0y\n"), "x_y_");
        assert_eq!(sanitize_component("CON"), "_CON");
        assert_eq!(sanitize_component("nul.txt"), "_nul.txt");
        assert_eq!(sanitize_component("COM1.tar.gz"), "_COM1.tar.gz");
        assert_eq!(sanitize_component("console"), "console");
        assert_eq!(sanitize_component("name. "), "name._");
        assert_eq!(sanitize_component("Zone.Identifier"), "Zone.Identifier");
        assert_eq!(sanitize_component("계약서_15.hwp"), "계약서_15.hwp");
    }

    #[test]
    fn long_names_are_shortened_and_distinct() {
        let a = format!("{}.docx", "가".repeat(200));
        let b = format!("{}b.docx", "가".repeat(199));
        let sa = sanitize_component(&a);
        let sb = sanitize_component(&b);
        assert!(sa.len() <= MAX_COMPONENT_BYTES);
        assert!(sa.ends_with(".docx"));
        assert_ne!(sa, sb);
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            sanitize_relative_path("C:\\Users\\..\\x/y"),
            vec!["Users", "__", "x", "y"]
        );
        assert_eq!(sanitize_relative_path("\\\\?\\x"), vec!["_", "x"]);
    }
}
