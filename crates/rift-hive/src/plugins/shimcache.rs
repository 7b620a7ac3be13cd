//! AppCompatCache (ShimCache) from SYSTEM, all Windows layouts, and the
//! AppCompatCacheParser CSV.
//!
//! Sources: libyal/winreg-kb `Application-compatibility-cache.md` (XP
//! `0xDEADBEEF`, 2003/Vista `0xBADC0FFE`, 7 `0xBADC0FEE`, 8.0 `00ts`,
//! 8.1 `10ts` with a package name, 10/11 header 0x30/0x34 with `10ts`
//! entries); `../shared/docs/formats/artifacts.md` §3.3 (Windows 10 layout
//! checked on two SYSTEM fixtures, where the header's entry count is wrong:
//! entries are walked until the value ends or a signature breaks).
//! CSV columns: EricZimmerman/AppCompatCacheParser, as listed in
//! `../shared/docs/FORMATS.md`.

use std::io::Write;

use rift_io::bytes::{le_u16, le_u32, le_u64, slice, utf16le_lossy};
use rift_io::time::{FileTime, format_ez};

use super::{Artifact, Event, PluginResults, Record, control_sets, filetime_at};
use crate::hive::Hive;

/// One cache entry.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ShimCacheEntry {
    /// Key path.
    pub key_path: String,
    /// Control set number (1 for ControlSet001).
    pub control_set: u32,
    /// 0-based position (0 = most recently added/updated).
    pub position: usize,
    /// Path as stored.
    pub path: String,
    /// The file's $STANDARD_INFORMATION modification time when cached
    /// (not an execution time).
    #[serde(serialize_with = "crate::ser::opt_filetime")]
    pub last_modified: Option<FileTime>,
    /// Insertion flag 0x2 ("executed"), only on Windows 7/8.
    pub executed: Option<bool>,
    /// Same path and time already listed in an earlier control set.
    pub duplicate: bool,
    /// Layout (`win10`, `win8`, `win81`, `win7_x64`, …).
    pub layout: &'static str,
}

impl Artifact for ShimCacheEntry {
    const SCHEMA: &'static str = "registry/appcompatcache";
    fn events(&self) -> Vec<Event> {
        self.last_modified
            .map(|t| Event {
                time: t,
                what: "File modified (ShimCache entry)",
            })
            .into_iter()
            .collect()
    }
    fn summary(&self) -> String {
        format!("ShimCache #{}: {}", self.position, self.path)
    }
    fn key_path(&self) -> &str {
        &self.key_path
    }
}

struct Raw {
    path: String,
    mtime: Option<FileTime>,
    executed: Option<bool>,
}

/// Parses an AppCompatCache value. Returns the layout name and entries.
pub fn parse_value(d: &[u8]) -> (&'static str, Vec<Result<RawEntry, String>>) {
    let sig = le_u32(d, 0).unwrap_or(0);
    let (layout, v) = match sig {
        0x30 | 0x34 => ("win10", ts_entries(d, sig as usize, false)),
        0x80 => match d.get(128..132) {
            Some(b"00ts") => ("win8", ts_entries(d, 128, true)),
            _ => ("win81", ts_entries(d, 128, true)),
        },
        0xBADC_0FEE => win7(d),
        0xBADC_0FFE => vista(d),
        0xDEAD_BEEF => ("xp", xp(d)),
        _ => (
            "unknown",
            vec![Err(format!("unknown AppCompatCache signature {sig:#x}"))],
        ),
    };
    (
        layout,
        v.into_iter()
            .map(|r| {
                r.map(|x| RawEntry {
                    path: x.path,
                    last_modified: x.mtime,
                    executed: x.executed,
                })
            })
            .collect(),
    )
}

/// A parsed entry before control-set bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEntry {
    /// Path.
    pub path: String,
    /// Modification time.
    pub last_modified: Option<FileTime>,
    /// Executed flag where the layout has one.
    pub executed: Option<bool>,
}

fn ts_entries(d: &[u8], start: usize, win8: bool) -> Vec<Result<Raw, String>> {
    let mut out = Vec::new();
    let mut pos = start;
    while pos + 12 <= d.len() {
        let sig = d.get(pos..pos + 4).unwrap_or_default();
        if sig != b"10ts" && sig != b"00ts" {
            if pos != d.len() {
                out.push(Err(format!(
                    "entry signature broken at value offset {pos:#x}"
                )));
            }
            break;
        }
        let size = le_u32(d, pos + 8).unwrap_or(0) as usize;
        let Some(e) = slice(d, pos + 12, size) else {
            out.push(Err(format!(
                "entry at {pos:#x} ({size} bytes) runs past the value"
            )));
            break;
        };
        let plen = le_u16(e, 0).unwrap_or(0) as usize;
        let path = utf16le_lossy(e.get(2..2 + plen).unwrap_or_default());
        let mut p = 2 + plen;
        let mut executed = None;
        if win8 {
            if sig == b"10ts" {
                // 8.1: package name length + package name.
                let pk = le_u16(e, p).unwrap_or(0) as usize;
                p += 2 + pk;
            }
            let ins = le_u32(e, p).unwrap_or(0);
            executed = Some(ins & 2 != 0);
            p += 8;
        }
        out.push(Ok(Raw {
            path,
            mtime: filetime_at(e, p),
            executed,
        }));
        pos += 12 + size;
    }
    out
}

fn win7(d: &[u8]) -> (&'static str, Vec<Result<Raw, String>>) {
    let count = le_u32(d, 4).unwrap_or(0) as usize;
    // 64-bit entries are 48 bytes with 4 bytes of padding after the two
    // lengths; 32-bit entries are 32 bytes.
    let x64 = le_u32(d, 128 + 4) == Some(0)
        && le_u64(d, 128 + 8).is_some_and(|o| o < d.len() as u64 && o > 0);
    let (stride, layout) = if x64 {
        (48, "win7_x64")
    } else {
        (32, "win7_x86")
    };
    let mut out = Vec::new();
    for i in 0..count.min(d.len() / stride) {
        let b = 128 + i * stride;
        let Some(e) = slice(d, b, stride) else { break };
        let len = le_u16(e, 0).unwrap_or(0) as usize;
        let (off, mt, ins) = if x64 {
            (le_u64(e, 8).unwrap_or(0) as usize, 16, 24)
        } else {
            (le_u32(e, 4).unwrap_or(0) as usize, 8, 16)
        };
        match slice(d, off, len) {
            Some(p) => out.push(Ok(Raw {
                path: utf16le_lossy(p),
                mtime: filetime_at(e, mt),
                executed: Some(le_u32(e, ins).unwrap_or(0) & 2 != 0),
            })),
            None => out.push(Err(format!("entry {i}: path outside the value"))),
        }
    }
    (layout, out)
}

fn vista(d: &[u8]) -> (&'static str, Vec<Result<Raw, String>>) {
    let count = le_u32(d, 4).unwrap_or(0) as usize;
    let x64 = le_u32(d, 8 + 4) == Some(0);
    let (stride, layout) = if x64 {
        (32, "vista_x64")
    } else {
        (24, "vista_x86")
    };
    let mut out = Vec::new();
    for i in 0..count.min(d.len() / stride) {
        let Some(e) = slice(d, 8 + i * stride, stride) else {
            break;
        };
        let len = le_u16(e, 0).unwrap_or(0) as usize;
        let (off, mt) = if x64 {
            (le_u64(e, 8).unwrap_or(0) as usize, 16)
        } else {
            (le_u32(e, 4).unwrap_or(0) as usize, 8)
        };
        match slice(d, off, len) {
            Some(p) => out.push(Ok(Raw {
                path: utf16le_lossy(p),
                mtime: filetime_at(e, mt),
                executed: None,
            })),
            None => out.push(Err(format!("entry {i}: path outside the value"))),
        }
    }
    (layout, out)
}

fn xp(d: &[u8]) -> Vec<Result<Raw, String>> {
    let count = le_u32(d, 4).unwrap_or(0) as usize;
    let mut out = Vec::new();
    for i in 0..count.min(96) {
        let Some(e) = slice(d, 400 + i * 552, 552) else {
            break;
        };
        out.push(Ok(Raw {
            path: rift_io::bytes::utf16le_nul_terminated(e.get(..528).unwrap_or_default()),
            mtime: filetime_at(e, 528),
            executed: None,
        }));
    }
    out
}

/// AppCompatCache of every control set.
pub fn shimcache(hive: &Hive, out: &mut PluginResults) {
    let mut seen = std::collections::HashSet::new();
    for (cs, k) in control_sets(hive) {
        let n: u32 = cs
            .trim_start_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .unwrap_or(0);
        let _ = k;
        let Ok(acc) = hive.open(&format!("{cs}\\Control\\Session Manager\\AppCompatCache")) else {
            continue;
        };
        let Some(data) = acc.binary("AppCompatCache") else {
            continue;
        };
        let key_path = format!("{cs}\\Control\\Session Manager\\AppCompatCache");
        let (layout, entries) = parse_value(&data);
        let mut mine = Vec::new();
        for (i, e) in entries.into_iter().enumerate() {
            match e {
                Ok(e) => {
                    let id = (e.path.to_ascii_lowercase(), e.last_modified);
                    let duplicate = seen.contains(&id);
                    mine.push(id);
                    out.records.push(Record::ShimCache(ShimCacheEntry {
                        key_path: key_path.clone(),
                        control_set: n,
                        position: i,
                        path: e.path,
                        last_modified: e.last_modified,
                        executed: e.executed,
                        duplicate,
                        layout,
                    }));
                }
                Err(m) => out.warnings.push(format!("appcompatcache {cs}: {m}")),
            }
        }
        seen.extend(mine);
    }
}

/// The AppCompatCacheParser CSV header.
pub const CSV_HEADER: &str =
    "ControlSet,CacheEntryPosition,Path,LastModifiedTimeUTC,Executed,Duplicate,SourceFile";

/// Writes entries as AppCompatCacheParser CSV (BOM, CRLF).
pub fn write_csv<W: Write>(
    mut w: W,
    entries: &[&ShimCacheEntry],
    source_file: &str,
) -> std::io::Result<()> {
    w.write_all(b"\xEF\xBB\xBF")?;
    w.write_all(CSV_HEADER.as_bytes())?;
    w.write_all(b"\r\n")?;
    let mut cw = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .has_headers(false)
        .from_writer(w);
    for e in entries {
        cw.write_record([
            e.control_set.to_string(),
            e.position.to_string(),
            e.path.clone(),
            e.last_modified
                .and_then(|t| t.to_timestamp())
                .map(format_ez)
                .unwrap_or_default(),
            match e.executed {
                Some(true) => "Yes",
                Some(false) => "No",
                None => "NA",
            }
            .into(),
            if e.duplicate { "True" } else { "False" }.into(),
            source_file.into(),
        ])?;
    }
    cw.flush()
}
