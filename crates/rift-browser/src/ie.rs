//! Internet Explorer / legacy Edge WinINet cache index (`index.dat`,
//! "MSIE Cache File", format version 5.2): history (`History.IE5`, its
//! `MSHist01…` daily/weekly containers), cache (`Content.IE5`) and cookie
//! indexes.
//!
//! Layout (all little-endian; checked on `browser/plaso_ie/*` against
//! `msiecfexport`):
//!
//! * File header: `Client UrlCache MMF Ver 5.2\0` (28 bytes), file size
//!   (u32 @28), hash table offset (u32 @32), number of blocks (u32 @36),
//!   allocated blocks (u32 @40), number of cache directories (u32 @72)
//!   followed by 12-byte entries (u32 file count + 8-byte ASCII name), and
//!   the block allocation bitmap at 0x250 (one bit per 128-byte block from
//!   0x4000).
//! * Records start on 128-byte block boundaries from 0x4000, with a
//!   4-byte signature and a u32 block count. `URL ` / `LEAK`: secondary
//!   `FILETIME` @8 (last modified), primary `FILETIME` @16 (last access),
//!   expiry FAT date/time @24, cached size u32 @32, location offset u32
//!   @52, cache directory index u8 @56 (0xFE/0xFF = none), file name offset
//!   u32 @60, cache entry flags u32 @64, data offset/size u32 @68/@72, last
//!   checked FAT date/time @80, hit count u32 @84. `REDR`: location at @16.
//! * FAT date/time: date in the low 16 bits, time in the high 16 bits, in
//!   the local time of the machine.
//!
//! Records are found by walking every block (allocated or not), so records
//! in unallocated blocks are recovered and flagged `allocated = false`.
//!
//! Time zones: in the main `History.IE5` and `Content.IE5` indexes both
//! `FILETIME`s are UTC; in the daily/weekly `MSHist` containers one of them
//! is local time (Windows history quirk). rift keeps the raw values and
//! does not guess the zone; the container path tells the analyst which
//! case applies.
//!
//! Sources: Joachim Metz, libmsiecf "MSIE Cache File (index.dat) format"
//! (`documentation/MSIE Cache File (index.dat) format.asciidoc`); plaso
//! `parsers/msiecf.py` (record/event semantics).

use jiff::Timestamp;
use jiff::civil::DateTime;
use rift_io::bytes::{le_u32, le_u64, slice};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::{RawTime, Warning};

/// The file signature prefix (the version follows).
pub const MSIECF_MAGIC: &[u8] = b"Client UrlCache MMF Ver ";

const BLOCK: usize = 128;
const FIRST_BLOCK: usize = 0x4000;
const BITMAP_OFFSET: usize = 0x250;

/// What kind of record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IeRecordKind {
    /// `URL `: a history entry or a cached file.
    Url,
    /// `LEAK`: a URL record whose file could not be deleted.
    Leak,
    /// `REDR`: a redirect.
    Redirect,
}

/// One record of an `index.dat`.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct IeRecord {
    /// Byte offset of the record in the file.
    pub offset: u64,
    /// Record size in bytes (blocks × 128).
    pub size: u32,
    /// Kind.
    pub kind: IeRecordKind,
    /// Whether the allocation bitmap marks the first block as in use
    /// (`false` = recovered from unallocated blocks).
    pub allocated: bool,
    /// The location (URL; `Visited: user@url` in history indexes).
    pub location: String,
    /// Primary time (@16; last access/visit), a `FILETIME`.
    pub primary_time: Option<RawTime>,
    /// Secondary time (@8; last modified / visit in MSHist containers).
    pub secondary_time: Option<RawTime>,
    /// Expiry (FAT date/time, local time of the machine).
    pub expiration: Option<DateTime>,
    /// Last checked (FAT date/time, local time of the machine).
    pub last_checked: Option<DateTime>,
    /// Number of hits.
    pub hits: Option<u32>,
    /// Cached file name (cache indexes).
    pub file_name: Option<String>,
    /// Cache sub-folder name, from the directory index.
    pub cache_directory: Option<String>,
    /// Cached file size (low 32 bits).
    pub cached_size: Option<u32>,
    /// Cache entry flags.
    pub flags: Option<u32>,
}

impl IeRecord {
    /// For `Visited: user@url` locations: `(user, url)`.
    pub fn visited(&self) -> Option<(&str, &str)> {
        let rest = self.location.strip_prefix("Visited: ")?;
        rest.split_once('@')
    }
}

/// A parsed `index.dat`.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct IeCache {
    /// Format version from the signature (`5.2`).
    pub version: String,
    /// Cache sub-folder names.
    pub cache_directories: Vec<String>,
    /// URL, LEAK and REDR records, allocated and recovered, in file order.
    pub records: Vec<IeRecord>,
    /// Records that could not be read.
    pub warnings: Vec<Warning>,
}

/// Whether `data` starts like an MSIE cache file.
pub fn is_msiecf(data: &[u8]) -> bool {
    data.starts_with(MSIECF_MAGIC)
}

/// Parses an `index.dat` from its bytes.
///
/// ```
/// assert!(rift_browser::ie::parse_ie_index(b"garbage").is_err());
/// ```
pub fn parse_ie_index(data: &[u8]) -> Result<IeCache> {
    if !is_msiecf(data) {
        let head = data.get(..data.len().min(28)).unwrap_or(&[]);
        return Err(Error::NotMsiecf {
            found: head.escape_ascii().to_string(),
        });
    }
    let version = slice(data, MSIECF_MAGIC.len(), 4)
        .map(|v| {
            String::from_utf8_lossy(v)
                .trim_end_matches('\0')
                .to_string()
        })
        .unwrap_or_default();
    let mut out = IeCache {
        version,
        ..Default::default()
    };
    // Cache directories: count @72, entries of 12 bytes from @76. At most
    // 32 fit before the bitmap; more means a damaged header.
    let dirs = le_u32(data, 72).unwrap_or(0).min(32) as usize;
    for i in 0..dirs {
        let name = slice(data, 76 + i * 12 + 4, 8)
            .map(|n| {
                String::from_utf8_lossy(n)
                    .trim_end_matches('\0')
                    .to_string()
            })
            .unwrap_or_default();
        out.cache_directories.push(name);
    }

    let mut pos = FIRST_BLOCK;
    while pos + 8 <= data.len() {
        let sig = slice(data, pos, 4).unwrap_or(&[]);
        let blocks = le_u32(data, pos + 4).unwrap_or(0) as usize;
        let remaining = (data.len() - pos) / BLOCK;
        let kind = match sig {
            b"URL " => Some(IeRecordKind::Url),
            b"LEAK" => Some(IeRecordKind::Leak),
            b"REDR" => Some(IeRecordKind::Redirect),
            _ => None,
        };
        let sane = blocks >= 1 && blocks <= remaining;
        match kind {
            Some(kind) if sane => {
                let rec = slice(data, pos, blocks * BLOCK).unwrap_or(&[]);
                match parse_record(rec, kind, pos, &out.cache_directories, data) {
                    Some(r) => out.records.push(r),
                    None => out.warnings.push(Warning::row(
                        "index.dat",
                        Some(pos as i64),
                        "record too short for its fields",
                    )),
                }
                pos += blocks * BLOCK;
            }
            _ if sig == b"HASH" && sane => pos += blocks * BLOCK,
            _ => pos += BLOCK,
        }
    }
    Ok(out)
}

fn allocated(data: &[u8], pos: usize) -> bool {
    let block = (pos - FIRST_BLOCK) / BLOCK;
    data.get(BITMAP_OFFSET + block / 8)
        .is_some_and(|b| b & (1 << (block % 8)) != 0)
}

/// A NUL-terminated ASCII/ANSI string at `off` inside `rec` (lossy).
fn cstr(rec: &[u8], off: usize) -> Option<String> {
    let tail = rec.get(off..)?;
    let end = tail.iter().position(|&b| b == 0).unwrap_or(tail.len());
    let s = tail.get(..end)?;
    Some(String::from_utf8_lossy(s).into_owned())
}

fn filetime(v: Option<u64>) -> Option<RawTime> {
    v.and_then(RawTime::filetime)
}

/// FAT date (low 16 bits) + time (high 16 bits) → civil date-time.
fn fat(v: u32) -> Option<DateTime> {
    if v == 0 {
        return None;
    }
    let date = v & 0xFFFF;
    let time = v >> 16;
    let year = 1980 + (date >> 9) as i16;
    let month = ((date >> 5) & 0xF) as i8;
    let day = (date & 0x1F) as i8;
    let hour = (time >> 11) as i8;
    let minute = ((time >> 5) & 0x3F) as i8;
    let second = ((time & 0x1F) * 2) as i8;
    DateTime::new(year, month, day, hour, minute, second, 0).ok()
}

fn parse_record(
    rec: &[u8],
    kind: IeRecordKind,
    pos: usize,
    dirs: &[String],
    data: &[u8],
) -> Option<IeRecord> {
    let mut r = IeRecord {
        offset: pos as u64,
        size: u32::try_from(rec.len()).unwrap_or(u32::MAX),
        kind,
        allocated: allocated(data, pos),
        location: String::new(),
        primary_time: None,
        secondary_time: None,
        expiration: None,
        last_checked: None,
        hits: None,
        file_name: None,
        cache_directory: None,
        cached_size: None,
        flags: None,
    };
    if kind == IeRecordKind::Redirect {
        r.location = cstr(rec, 16)?;
        return Some(r);
    }
    if rec.len() < 88 {
        return None;
    }
    r.secondary_time = filetime(le_u64(rec, 8));
    r.primary_time = filetime(le_u64(rec, 16));
    r.expiration = le_u32(rec, 24).and_then(fat);
    r.cached_size = le_u32(rec, 32);
    let loc = le_u32(rec, 52).unwrap_or(0) as usize;
    r.location = if loc > 0 {
        cstr(rec, loc).unwrap_or_default()
    } else {
        String::new()
    };
    let dir = rec.get(56).copied().unwrap_or(0xFF);
    r.cache_directory = dirs.get(usize::from(dir)).cloned();
    let name = le_u32(rec, 60).unwrap_or(0) as usize;
    r.file_name = (name > 0).then(|| cstr(rec, name)).flatten();
    r.flags = le_u32(rec, 64);
    r.last_checked = le_u32(rec, 80).and_then(fat);
    r.hits = le_u32(rec, 84);
    Some(r)
}

/// The UTC timestamp of an optional time.
pub fn ft(t: Option<RawTime>) -> Option<Timestamp> {
    t.map(|t| t.time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fat_times() {
        // 0x58AA4719 from plaso_ie History.IE5 record @0x5000:
        // date 0x4719 = 2015-08-25, time 0x58AA = 11:05:20 (msiecfexport
        // "Last checked time: Aug 25, 2015 11:05:20").
        assert_eq!(fat(0x58AA_4719).unwrap().to_string(), "2015-08-25T11:05:20");
        assert_eq!(fat(0), None);
        assert_eq!(fat(0xFFFF_FFFF), None);
    }

    #[test]
    fn hostile_headers() {
        let mut d = vec![0u8; 0x4000 + 256];
        d[..28].copy_from_slice(b"Client UrlCache MMF Ver 5.2\0");
        d[72] = 0xFF; // absurd directory count: capped
        // A URL record claiming 2^32-1 blocks is skipped, not trusted.
        d[0x4000..0x4004].copy_from_slice(b"URL ");
        d[0x4004..0x4008].copy_from_slice(&u32::MAX.to_le_bytes());
        // A short REDR with no NUL in its block still yields a location.
        d[0x4080..0x4084].copy_from_slice(b"REDR");
        d[0x4084] = 1;
        for b in &mut d[0x4090..0x4100] {
            *b = b'a';
        }
        let c = parse_ie_index(&d).unwrap();
        assert_eq!(c.cache_directories.len(), 32);
        assert_eq!(c.records.len(), 1);
        assert_eq!(c.records[0].location.len(), 0x70);
    }
}
