//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;

use rift_hive::Hive;

/// Bytes of `registry/<name>`.
pub fn reg(name: &str) -> Vec<u8> {
    rift_testutil::fixture_bytes(&format!("registry/{name}"))
}

/// key path -> (key last written, sorted [(value name, raw type, data)])
pub type Snapshot = BTreeMap<String, (u64, Vec<(String, u32, Vec<u8>)>)>;

/// Every key, value and data reachable from the root.
pub fn snapshot(h: &Hive) -> Snapshot {
    let mut out = Snapshot::new();
    let errs = h.walk(|path, key| {
        let mut vals: Vec<(String, u32, Vec<u8>)> = key
            .values()
            .into_iter()
            .map(|v| {
                let v = v.expect("value");
                (v.name(), v.raw_type(), v.data().expect("data").into_owned())
            })
            .collect();
        vals.sort();
        out.insert(path.to_string(), (key.last_written().0, vals));
    });
    assert!(errs.is_empty(), "walk errors: {errs:?}");
    out
}

/// (keys, values) counted by a walk.
pub fn counts(h: &Hive) -> (usize, usize) {
    let (mut k, mut v) = (0, 0);
    let errs = h.walk(|_, key| {
        k += 1;
        v += key.values().len();
    });
    assert!(errs.is_empty(), "walk errors: {errs:?}");
    (k, v)
}

/// One value as hivex (`hivexml`) reads it.
#[derive(Debug, Clone)]
pub struct HxValue {
    /// Name (`""` for the default value).
    pub name: String,
    /// hivexml type (`string`, `expand`, `int32`, `int64`, `binary`,
    /// `none`, `string-list`, ...).
    pub ty: String,
    /// The `value` attribute (decimal for ints, text for strings, base64
    /// for binary).
    pub value: Option<String>,
    /// `string-list` items.
    pub strings: Vec<String>,
}

impl HxValue {
    /// Bytes of a base64-encoded value.
    pub fn bytes(&self) -> Vec<u8> {
        b64(self.value.as_deref().unwrap_or(""))
    }
}

/// One key as hivex reads it.
#[derive(Debug, Clone)]
pub struct HxKey {
    /// `mtime` text (`2012-04-04T16:03:44Z`, seconds).
    pub mtime: String,
    /// Values.
    pub values: Vec<HxValue>,
}

/// Base64 decoder (standard alphabet, whitespace ignored).
pub fn b64(s: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// Runs `hivexml` (libhivex-bin, an independent parser) over a hive file
/// and returns lowercase key path (relative to the root) -> key.
pub fn hivex_dump(path: &std::path::Path) -> BTreeMap<String, HxKey> {
    rift_testutil::require_tool("hivexml");
    let out = std::process::Command::new("hivexml")
        .arg(path)
        .output()
        .expect("run hivexml");
    assert!(
        out.status.success(),
        "hivexml failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = String::from_utf8(out.stdout).expect("utf8");
    let doc = roxmltree::Document::parse_with_options(
        &xml,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            nodes_limit: u32::MAX,
            ..Default::default()
        },
    )
    .expect("xml");
    let mut map = BTreeMap::new();
    fn rec(n: roxmltree::Node<'_, '_>, path: &str, root: bool, map: &mut BTreeMap<String, HxKey>) {
        let name = n.attribute("name").unwrap_or("");
        let p = if root {
            String::new()
        } else if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}\\{name}")
        };
        let mut key = HxKey {
            mtime: String::new(),
            values: Vec::new(),
        };
        for c in n.children().filter(|c| c.is_element()) {
            match c.tag_name().name() {
                "mtime" => key.mtime = c.text().unwrap_or("").to_string(),
                "value" => key.values.push(HxValue {
                    name: if c.attribute("default") == Some("1") {
                        String::new()
                    } else {
                        c.attribute("key").unwrap_or("").to_string()
                    },
                    ty: c.attribute("type").unwrap_or("").to_string(),
                    value: c.attribute("value").map(str::to_string),
                    strings: c
                        .children()
                        .filter(|s| s.has_tag_name("string"))
                        .map(|s| s.text().unwrap_or("").to_string())
                        .collect(),
                }),
                "node" => rec(c, &p, false, map),
                _ => {}
            }
        }
        map.insert(p.to_lowercase(), key);
    }
    let root = doc
        .root_element()
        .children()
        .find(|c| c.has_tag_name("node"))
        .expect("root node");
    rec(root, "", true, &mut map);
    map
}

/// `FileTime` as hivexml prints it (seconds, `Z`).
pub fn hx_time(t: rift_io::time::FileTime) -> String {
    let ts = t.to_timestamp().expect("time");
    let s = rift_io::time::format_iso_utc(ts);
    format!("{}Z", &s[..19])
}

/// Writes bytes to a temp file and returns its path (kept in `dir`).
pub fn write_temp(dir: &rift_testutil::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).expect("write temp");
    p
}

/// A file of the scenario image's C: volume, extracted with The Sleuth
/// Kit (`fls`/`icat`, an independent NTFS reader) and cached.
pub fn scenario_file(path: &str) -> Vec<u8> {
    let raw = rift_testutil::raw_image("scenario/public/disk.E01");
    let raw_s = raw.to_string_lossy().to_string();
    let cache = rift_testutil::cache_dir();
    let listing = cache.join("scenario_public_fls_c.txt");
    if !listing.exists() {
        let out = rift_testutil::run_tool("fls", &["-r", "-p", "-o", "206848", &raw_s]);
        let tmp = rift_testutil::unique_tmp(&listing);
        std::fs::write(&tmp, out).expect("write listing");
        let _ = std::fs::rename(&tmp, &listing);
    }
    let text = std::fs::read_to_string(&listing).expect("listing");
    let line = text
        .lines()
        .find(|l| {
            l.split('\t')
                .nth(1)
                .is_some_and(|p| p.eq_ignore_ascii_case(path))
                && l.starts_with("r/r ")
                && !l.contains('*')
        })
        .unwrap_or_else(|| panic!("{path} not in the scenario image"));
    let inode = line
        .split_whitespace()
        .nth(1)
        .expect("inode")
        .trim_end_matches(':')
        .to_string();
    rift_testutil::require_tool("icat");
    let out = std::process::Command::new("icat")
        .args(["-o", "206848", &raw_s, &inode])
        .output()
        .expect("icat");
    assert!(out.status.success(), "icat {inode} failed");
    out.stdout
}

/// The scenario's answer key.
pub fn truth() -> serde_json::Value {
    serde_json::from_slice(&rift_testutil::fixture_bytes("scenario/public/truth.json"))
        .expect("truth.json")
}
