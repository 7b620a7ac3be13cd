//! RECmd batch files (`.reb`) and the RECmd batch CSV.
//!
//! A batch file is YAML: `Description`, `Author`, `Version`, `Id`, then
//! `Keys`, each with `Description`, `HiveType`, `Category`, `KeyPath`
//! (`*` matches within one path component), optional `ValueName`,
//! `Recursive`, `DisablePlugin`, `IncludeBinary`, `BinaryConvert`
//! (`FILETIME`, `IP`, `EPOCH`, `SID`, `SYSTEMTIME`) and `Comment`.
//! Community batch files (Kroll_Batch.reb, DFIRBatch.reb) run unchanged.
//!
//! Behaviour follows RECmd's own source (EricZimmerman/RECmd
//! `ReBatch.cs`, `BatchCsvOut.cs`, `Program.cs` `ProcessBatch`,
//! `ProcessBatchKey`, `BuildBatchCsvOut`) and the value rendering of its
//! parser (EricZimmerman/Registry `VKCellRecord.cs`): value type names like
//! `RegSz`, `(default)` for the unnamed value, DWORDs in decimal, binary
//! data as `(Binary data)` unless `IncludeBinary`, then as `AA-BB-…` or
//! converted, multi-strings joined with a space, key paths prefixed with the
//! root key's name, `True`/`False` booleans, times as
//! `yyyy-MM-dd HH:mm:ss.fffffff` UTC. The CSV header is RECmd's, byte for
//! byte; we add a UTF-8 BOM and CRLF line ends like the other EZ tools and
//! quote fields that need it (RECmd's own writer does not, which breaks on
//! commas in data).
//!
//! Differences: RECmd's compiled plugins (`ValueType` `(plugin)`) are not
//! emulated here — rift's typed plugins run separately (`rift reg
//! plugins`); deleted keys are included (flagged `Deleted=True`) when
//! recovery is asked for, as RECmd `--recover` does.

use std::io::Write;

use rift_io::bytes::{le_u16, le_u32, le_u64};
use rift_io::time::{FileTime, format_ez};
use yaml_serde::Value as Yaml;

use crate::discover::HiveType;
use crate::hive::{Hive, eq_ignore_case};
use crate::key::Key;
use crate::recover::{DeletedValue, Recovered};
use crate::security::sid_to_string;
use crate::value::{Value, ValueType};
use crate::{Error, Result};

/// The exact RECmd batch CSV header.
pub const CSV_HEADER: &str = "HivePath,HiveType,Description,Category,KeyPath,ValueName,ValueType,ValueData,ValueData2,ValueData3,Comment,Recursive,Deleted,LastWriteTimestamp,PluginDetailFile";

/// rift's own default batch file (covers the keys of its plugins).
pub const DEFAULT_BATCH: &str = include_str!("../batch/rift_default.reb");

/// How to render binary data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryConvert {
    /// 64-bit FILETIME.
    FileTime,
    /// IPv4 address.
    Ip,
    /// 32-bit Unix seconds.
    Epoch,
    /// Binary SID.
    Sid,
    /// 16-byte SYSTEMTIME.
    SystemTime,
}

/// One `Keys` entry.
#[derive(Debug, Clone)]
pub struct BatchKey {
    /// Description column.
    pub description: String,
    /// Hive type it applies to.
    pub hive_type: HiveType,
    /// Category column.
    pub category: String,
    /// Key path (relative to the root; `*` wildcards).
    pub key_path: String,
    /// Only this value (case insensitive), or all values.
    pub value_name: Option<String>,
    /// Also every subkey below.
    pub recursive: bool,
    /// RECmd: do not run a plugin for this key.
    pub disable_plugin: bool,
    /// Render binary data instead of `(Binary data)`.
    pub include_binary: bool,
    /// Conversion of binary (or numeric) data.
    pub binary_convert: Option<BinaryConvert>,
    /// Comment column.
    pub comment: String,
}

/// A parsed batch file.
#[derive(Debug, Clone)]
pub struct BatchFile {
    /// Description.
    pub description: String,
    /// Author.
    pub author: String,
    /// Version (kept as text).
    pub version: String,
    /// Id (a GUID in RECmd's files).
    pub id: String,
    /// Keys.
    pub keys: Vec<BatchKey>,
}

fn text(v: Option<&Yaml>) -> Option<String> {
    match v? {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        Yaml::Null => None,
        _ => None,
    }
}

fn boolean(v: Option<&Yaml>) -> bool {
    match v {
        Some(Yaml::Bool(b)) => *b,
        Some(Yaml::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn get<'a>(m: &'a yaml_serde::Mapping, name: &str) -> Option<&'a Yaml> {
    m.iter()
        .find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
        .map(|(_, v)| v)
}

impl BatchFile {
    /// Parses and validates a batch file (the rules of RECmd's validator:
    /// Description, Author, Version, Id and at least one key; each key needs
    /// Description, HiveType, Category and KeyPath).
    pub fn parse(yaml: &str) -> Result<BatchFile> {
        let doc: Yaml = yaml_serde::from_str(yaml).map_err(|e| Error::Batch {
            reason: e.to_string(),
        })?;
        let m = doc.as_mapping().ok_or(Error::Batch {
            reason: "top level is not a mapping".into(),
        })?;
        let need = |n: &str| {
            text(get(m, n)).ok_or_else(|| Error::Batch {
                reason: format!("'{n}' is missing"),
            })
        };
        let mut keys = Vec::new();
        let list = get(m, "Keys")
            .and_then(Yaml::as_sequence)
            .ok_or(Error::Batch {
                reason: "'Keys' is missing".into(),
            })?;
        for (i, k) in list.iter().enumerate() {
            let km = k.as_mapping().ok_or_else(|| Error::Batch {
                reason: format!("key #{i} is not a mapping"),
            })?;
            let kneed = |n: &str| {
                text(get(km, n)).ok_or_else(|| Error::Batch {
                    reason: format!(
                        "key #{} ({:?}): '{n}' is missing",
                        i + 1,
                        text(get(km, "Description"))
                    ),
                })
            };
            let ht = kneed("HiveType")?;
            let hive_type = HiveType::from_batch_name(&ht).ok_or_else(|| Error::Batch {
                reason: format!("key #{}: unknown HiveType '{ht}'", i + 1),
            })?;
            let binary_convert =
                match text(get(km, "BinaryConvert")).map(|s| s.to_ascii_uppercase()) {
                    None => None,
                    Some(s) => match s.as_str() {
                        "FILETIME" => Some(BinaryConvert::FileTime),
                        "IP" => Some(BinaryConvert::Ip),
                        "EPOCH" => Some(BinaryConvert::Epoch),
                        "SID" => Some(BinaryConvert::Sid),
                        "SYSTEMTIME" => Some(BinaryConvert::SystemTime),
                        "NONE" => None,
                        other => {
                            return Err(Error::Batch {
                                reason: format!("key #{}: unknown BinaryConvert '{other}'", i + 1),
                            });
                        }
                    },
                };
            keys.push(BatchKey {
                description: kneed("Description")?,
                hive_type,
                category: kneed("Category")?,
                key_path: kneed("KeyPath")?,
                value_name: text(get(km, "ValueName")).filter(|s| !s.is_empty()),
                recursive: boolean(get(km, "Recursive")),
                disable_plugin: boolean(get(km, "DisablePlugin")),
                include_binary: boolean(get(km, "IncludeBinary")),
                binary_convert,
                comment: text(get(km, "Comment")).unwrap_or_default(),
            });
        }
        if keys.is_empty() {
            return Err(Error::Batch {
                reason: "'Keys' is empty".into(),
            });
        }
        Ok(BatchFile {
            description: need("Description")?,
            author: need("Author")?,
            version: need("Version")?,
            id: need("Id")?,
            keys,
        })
    }
}

/// One CSV row (RECmd's columns).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchRow {
    /// The hive file as given.
    pub hive_path: String,
    /// RECmd CSV hive type name (`NtUser`, …).
    pub hive_type: String,
    /// From the batch key.
    pub description: String,
    /// From the batch key.
    pub category: String,
    /// Full key path including the root key's name.
    pub key_path: String,
    /// Value name (`(default)` for the unnamed value; empty for key rows).
    pub value_name: String,
    /// `RegSz`, `RegDword`, …
    pub value_type: String,
    /// Rendered data.
    pub value_data: String,
    /// Plugin column 2 (unused for raw rows).
    pub value_data2: String,
    /// Plugin column 3 (unused for raw rows).
    pub value_data3: String,
    /// From the batch key.
    pub comment: String,
    /// From the batch key.
    pub recursive: bool,
    /// Key recovered from free space.
    pub deleted: bool,
    /// Key last written time.
    #[serde(skip)]
    pub last_write: Option<FileTime>,
    /// Plugin detail file (unused for raw rows).
    pub plugin_detail_file: String,
}

/// RECmd's value type names.
pub fn recmd_type_name(raw: u32) -> &'static str {
    match raw & 0xFFF {
        0 => "RegNone",
        1 => "RegSz",
        2 => "RegExpandSz",
        3 => "RegBinary",
        4 => "RegDword",
        5 => "RegDwordBigEndian",
        6 => "RegLink",
        7 => "RegMultiSz",
        8 => "RegResourceList",
        9 => "RegFullResourceDescription",
        10 => "RegResourceRequirementsList",
        11 => "RegQword",
        0x10 => "RegFileTime",
        _ => "RegUnknown",
    }
}

fn dashed_hex(d: &[u8]) -> String {
    let mut s = String::with_capacity(d.len() * 3);
    for (i, b) in d.iter().enumerate() {
        if i > 0 {
            s.push('-');
        }
        s.push_str(&format!("{b:02X}"));
    }
    s
}

fn time_text(ft: u64) -> String {
    FileTime(ft)
        .to_timestamp()
        .map(format_ez)
        .unwrap_or_default()
}

fn systemtime(d: &[u8]) -> Option<String> {
    let f = |i: usize| le_u16(d, i * 2);
    let (y, mo, day, h, mi, s, ms) = (f(0)?, f(1)?, f(3)?, f(4)?, f(5)?, f(6)?, f(7)?);
    Some(format!(
        "{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}.{:07}",
        u32::from(ms) * 10_000
    ))
}

/// Renders value data the way RECmd does (see module docs).
pub fn render_value(
    raw_type: u32,
    data: &[u8],
    include_binary: bool,
    convert: Option<BinaryConvert>,
) -> String {
    let t = raw_type & 0xFFF;
    let utf16 = |d: &[u8]| {
        let s = rift_io::bytes::utf16le_lossy(d);
        let s = match s.find("\0\0") {
            Some(i) => s
                .get(..i)
                .unwrap_or_default()
                .split('\0')
                .collect::<Vec<_>>()
                .join(" "),
            None => s,
        };
        s.trim_matches('\0').to_string()
    };
    let epoch = |d: &[u8]| {
        le_u32(d, 0)
            .and_then(|v| rift_io::time::unix_seconds(i64::from(v)))
            .map(format_ez)
            .unwrap_or_default()
    };
    if t == 3 {
        if !include_binary {
            return "(Binary data)".into();
        }
        let conv = match convert {
            Some(BinaryConvert::FileTime) => le_u64(data, 0).map(time_text),
            Some(BinaryConvert::Ip) => data
                .get(..4)
                .and_then(|s| <[u8; 4]>::try_from(s).ok())
                .map(|[a, b, c, d]| format!("{a}.{b}.{c}.{d}")),
            Some(BinaryConvert::Epoch) => le_u32(data, 0).map(|_| epoch(data)),
            Some(BinaryConvert::Sid) => sid_to_string(data),
            Some(BinaryConvert::SystemTime) => systemtime(data),
            None => None,
        };
        return conv.unwrap_or_else(|| dashed_hex(data));
    }
    match convert {
        Some(BinaryConvert::Epoch) if le_u32(data, 0).is_some() => return epoch(data),
        Some(BinaryConvert::FileTime) if le_u64(data, 0).is_some() => {
            return le_u64(data, 0).map(time_text).unwrap_or_default();
        }
        _ => {}
    }
    match t {
        1 | 2 | 7 => utf16(data),
        4 => if data.len() == 4 {
            le_u32(data, 0).unwrap_or(0)
        } else {
            0
        }
        .to_string(),
        5 => data
            .get(..4)
            .and_then(|s| <[u8; 4]>::try_from(s).ok())
            .map(u32::from_be_bytes)
            .unwrap_or(0)
            .to_string(),
        11 => if data.len() == 8 {
            le_u64(data, 0).unwrap_or(0)
        } else {
            0
        }
        .to_string(),
        6 => rift_io::bytes::utf16le_lossy(data)
            .replace('\0', " ")
            .trim()
            .to_string(),
        0x10 => le_u64(data, 0).map(time_text).unwrap_or_default(),
        _ => dashed_hex(data),
    }
}

fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let n: Vec<char> = name.to_lowercase().chars().collect();
    // Iterative wildcard match with backtracking on the last '*'.
    let (mut pi, mut ni, mut star, mut mark) = (0usize, 0usize, None, 0usize);
    while ni < n.len() {
        if pi < p.len() && p.get(pi) != Some(&'*') && p.get(pi) == n.get(ni) {
            pi += 1;
            ni += 1;
        } else if p.get(pi) == Some(&'*') {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    while p.get(pi) == Some(&'*') {
        pi += 1;
    }
    pi == p.len()
}

/// Keys matching a batch `KeyPath` (relative to the root, `*` wildcards),
/// with their paths relative to the root.
pub fn expand_key_path<'h>(hive: &'h Hive, pattern: &str) -> Vec<(String, Key<'h>)> {
    let Ok(root) = hive.root() else {
        return Vec::new();
    };
    let trimmed = pattern.trim_matches(|c| c == '\\' || c == '/');
    if trimmed == "*" || trimmed.is_empty() {
        return vec![(String::new(), root)];
    }
    let mut parts: Vec<&str> = trimmed.split('\\').collect();
    if parts.len() > 1
        && parts
            .first()
            .is_some_and(|f| !f.contains('*') && eq_ignore_case(f, &root.name()))
        && parts
            .first()
            .and_then(|f| root.subkey(f).ok().flatten())
            .is_none()
    {
        parts.remove(0);
    }
    let mut cur = vec![(String::new(), root)];
    for part in parts {
        let mut next = Vec::new();
        for (path, key) in &cur {
            let join = |n: &str| {
                if path.is_empty() {
                    n.to_string()
                } else {
                    format!("{path}\\{n}")
                }
            };
            if part.contains('*') {
                for k in key.subkeys().flatten() {
                    let n = k.name();
                    if glob_match(part, &n) {
                        next.push((join(&n), k));
                    }
                }
            } else if let Ok(Some(k)) = key.subkey(part) {
                next.push((join(&k.name()), k));
            }
        }
        cur = next;
        if cur.is_empty() {
            break;
        }
    }
    cur
}

/// Runs a batch file over one hive.
pub struct BatchRun<'a> {
    /// The hive path written in the CSV.
    pub hive_path: &'a str,
    /// The hive's type (keys of other types are skipped).
    pub hive_type: HiveType,
    /// Deleted data to include (RECmd `--recover`).
    pub recovered: Option<&'a Recovered>,
}

impl BatchRun<'_> {
    /// Produces the rows for `batch` over `hive`.
    pub fn run(&self, batch: &BatchFile, hive: &Hive) -> Vec<BatchRow> {
        let mut rows = Vec::new();
        let root_name = hive.root().map(|r| r.name()).unwrap_or_default();
        let full = |p: &str| {
            if p.is_empty() {
                root_name.clone()
            } else {
                format!("{root_name}\\{p}")
            }
        };
        for bk in &batch.keys {
            if bk.hive_type != self.hive_type {
                continue;
            }
            let matches = expand_key_path(hive, &bk.key_path);
            let mut seen = std::collections::HashSet::new();
            for (path, key) in &matches {
                if let Some(vn) = &bk.value_name
                    && bk.key_path.contains('*')
                    && key.value(vn).is_none()
                {
                    // RECmd skips wildcard matches that lack the value.
                    continue;
                }
                self.process(bk, key, path, 0, &full, &mut rows, &mut seen);
            }
            if let Some(rec) = self.recovered {
                self.deleted_rows(bk, rec, &matches, &full, &mut rows);
            }
        }
        rows
    }

    #[allow(clippy::too_many_arguments)]
    fn process(
        &self,
        bk: &BatchKey,
        key: &Key<'_>,
        path: &str,
        depth: usize,
        full: &dyn Fn(&str) -> String,
        rows: &mut Vec<BatchRow>,
        seen: &mut std::collections::HashSet<u32>,
    ) {
        if depth > crate::hive::MAX_DEPTH || !seen.insert(key.offset()) {
            return;
        }
        let base = |value_name: String, value_type: String, value_data: String| BatchRow {
            hive_path: self.hive_path.to_string(),
            hive_type: self.hive_type.csv_name().to_string(),
            description: bk.description.clone(),
            category: bk.category.clone(),
            key_path: full(path),
            value_name,
            value_type,
            value_data,
            value_data2: String::new(),
            value_data3: String::new(),
            comment: bk.comment.clone(),
            recursive: bk.recursive,
            deleted: !key.is_allocated(),
            last_write: Some(key.last_written()),
            plugin_detail_file: String::new(),
        };
        let values: Vec<Value<'_>> = key.values().into_iter().flatten().collect();
        let row_for = |v: &Value<'_>| {
            let data = v.data().map(|d| d.into_owned()).unwrap_or_default();
            let name = v.name();
            base(
                if name.is_empty() {
                    "(default)".into()
                } else {
                    name
                },
                recmd_type_name(v.raw_type()).into(),
                render_value(v.raw_type(), &data, bk.include_binary, bk.binary_convert),
            )
        };
        match &bk.value_name {
            Some(vn) => {
                let want = if vn.eq_ignore_ascii_case("(default)") {
                    ""
                } else {
                    vn.as_str()
                };
                if let Some(v) = values.iter().find(|v| eq_ignore_case(&v.name(), want)) {
                    rows.push(row_for(v));
                }
            }
            None => {
                if values.is_empty() {
                    rows.push(base(String::new(), String::new(), String::new()));
                }
                for v in &values {
                    rows.push(row_for(v));
                }
            }
        }
        if bk.recursive {
            for sub in key.subkeys().flatten() {
                let n = sub.name();
                let p = if path.is_empty() {
                    n
                } else {
                    format!("{path}\\{n}")
                };
                self.process(bk, &sub, &p, depth + 1, full, rows, seen);
            }
        }
    }

    fn deleted_rows(
        &self,
        bk: &BatchKey,
        rec: &Recovered,
        matches: &[(String, Key<'_>)],
        full: &dyn Fn(&str) -> String,
        rows: &mut Vec<BatchRow>,
    ) {
        let pat: Vec<&str> = bk.key_path.trim_matches('\\').split('\\').collect();
        for dk in rec.keys.iter().filter(|k| k.path_complete) {
            let parts: Vec<&str> = dk.path.split('\\').collect();
            let direct =
                parts.len() == pat.len() && parts.iter().zip(&pat).all(|(n, p)| glob_match(p, n));
            let under = bk.recursive
                && matches.iter().any(|(mp, _)| {
                    let prefix = if mp.is_empty() {
                        String::new()
                    } else {
                        format!("{}\\", mp.to_lowercase())
                    };
                    dk.path.to_lowercase().starts_with(&prefix)
                });
            if !(direct || under) {
                continue;
            }
            let mk = |v: Option<&DeletedValue>| BatchRow {
                hive_path: self.hive_path.to_string(),
                hive_type: self.hive_type.csv_name().to_string(),
                description: bk.description.clone(),
                category: bk.category.clone(),
                key_path: full(&dk.path),
                value_name: v
                    .map(|v| {
                        if v.name.is_empty() {
                            "(default)".to_string()
                        } else {
                            v.name.clone()
                        }
                    })
                    .unwrap_or_default(),
                value_type: v
                    .map(|v| recmd_type_name(v.raw_type).to_string())
                    .unwrap_or_default(),
                value_data: v
                    .map(|v| {
                        render_value(v.raw_type, &v.data, bk.include_binary, bk.binary_convert)
                    })
                    .unwrap_or_default(),
                value_data2: String::new(),
                value_data3: String::new(),
                comment: bk.comment.clone(),
                recursive: bk.recursive,
                deleted: true,
                last_write: Some(dk.last_written),
                plugin_detail_file: String::new(),
            };
            match &bk.value_name {
                Some(vn) => {
                    if let Some(v) = dk.values.iter().find(|v| eq_ignore_case(&v.name, vn)) {
                        rows.push(mk(Some(v)));
                    }
                }
                None if dk.values.is_empty() => rows.push(mk(None)),
                None => rows.extend(dk.values.iter().map(|v| mk(Some(v)))),
            }
        }
    }
}

fn b(v: bool) -> &'static str {
    if v { "True" } else { "False" }
}

/// Writes rows as RECmd batch CSV: UTF-8 BOM, the exact header, CRLF.
/// `with_header` false appends rows only (several hives, one file).
pub fn write_csv<W: Write>(w: W, rows: &[BatchRow], with_header: bool) -> std::io::Result<()> {
    let mut w = w;
    if with_header {
        w.write_all(b"\xEF\xBB\xBF")?;
        w.write_all(CSV_HEADER.as_bytes())?;
        w.write_all(b"\r\n")?;
    }
    let mut cw = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .has_headers(false)
        .from_writer(w);
    for r in rows {
        cw.write_record([
            r.hive_path.as_str(),
            &r.hive_type,
            &r.description,
            &r.category,
            &r.key_path,
            &r.value_name,
            &r.value_type,
            &r.value_data,
            &r.value_data2,
            &r.value_data3,
            &r.comment,
            b(r.recursive),
            b(r.deleted),
            &r.last_write
                .and_then(|t| t.to_timestamp())
                .map(format_ez)
                .unwrap_or_default(),
            &r.plugin_detail_file,
        ])?;
    }
    cw.flush()?;
    Ok(())
}

/// `ValueType` of a value, RECmd's way (for callers that render values).
pub fn value_type_name(t: ValueType) -> &'static str {
    let raw = match t {
        ValueType::None => 0,
        ValueType::Sz => 1,
        ValueType::ExpandSz => 2,
        ValueType::Binary => 3,
        ValueType::Dword => 4,
        ValueType::DwordBigEndian => 5,
        ValueType::Link => 6,
        ValueType::MultiSz => 7,
        ValueType::ResourceList => 8,
        ValueType::FullResourceDescriptor => 9,
        ValueType::ResourceRequirementsList => 10,
        ValueType::Qword => 11,
        ValueType::Other(n) => n,
    };
    recmd_type_name(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globbing() {
        assert!(glob_match("ControlSet00*", "ControlSet001"));
        assert!(glob_match("*", "anything"));
        assert!(glob_match("a*c", "abbbc"));
        assert!(!glob_match("a*c", "abbbd"));
        assert!(glob_match("S-1-5-21-*", "s-1-5-21-1-2-3"));
    }

    #[test]
    fn rendering() {
        let sz: Vec<u8> = "ab\0"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(render_value(1, &sz, false, None), "ab");
        let msz: Vec<u8> = "a\0bb\0\0"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(render_value(7, &msz, false, None), "a bb");
        assert_eq!(render_value(4, &7u32.to_le_bytes(), false, None), "7");
        assert_eq!(render_value(3, &[1, 0xAB], false, None), "(Binary data)");
        assert_eq!(render_value(3, &[1, 0xAB], true, None), "01-AB");
        // 2012-04-03 22:06:58 UTC = 129779644180000000 ticks (python datetime)
        let ft = 129_779_644_180_000_000u64.to_le_bytes();
        assert_eq!(
            render_value(3, &ft, true, Some(BinaryConvert::FileTime)),
            "2012-04-03 22:06:58.0000000"
        );
        assert_eq!(
            render_value(3, &[192, 168, 1, 2], true, Some(BinaryConvert::Ip)),
            "192.168.1.2"
        );
        assert_eq!(
            render_value(
                4,
                &1_600_000_000u32.to_le_bytes(),
                false,
                Some(BinaryConvert::Epoch)
            ),
            "2020-09-13 12:26:40.0000000"
        );
    }
}
