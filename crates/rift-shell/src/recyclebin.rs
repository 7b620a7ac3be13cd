//! Recycle Bin metadata: Vista+ `$I` files (versions 1 and 2) and the
//! XP/2003 `INFO2` index.
//!
//! Sources: libyal/dtformats `documentation/Windows Recycle.Bin file
//! formats.asciidoc` and `Windows Recycler file formats.asciidoc`;
//! artifacts.md §5.3 (checked on the three fixtures).

use rift_io::bytes::{le_u32, le_u64, slice, utf16le_nul_terminated};
use rift_io::time::FileTime;

use crate::{Error, Result, Warning, latin1_nul};

/// A `$I` file: what was deleted, from where, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecycleEntry {
    /// Format version (1 = Vista–8.1, 2 = Windows 10+).
    pub version: u64,
    /// Original file size.
    pub size: u64,
    /// Deletion time.
    pub deleted: FileTime,
    /// Original full path.
    pub path: String,
}

/// Parses a `$I` file.
pub fn parse_recycle_i(bytes: &[u8]) -> Result<RecycleEntry> {
    let version = le_u64(bytes, 0).ok_or(Error::Truncated {
        what: "$I header",
        offset: 0,
    })?;
    let size = le_u64(bytes, 8).ok_or(Error::Truncated {
        what: "$I header",
        offset: 8,
    })?;
    let deleted = FileTime(le_u64(bytes, 16).ok_or(Error::Truncated {
        what: "$I header",
        offset: 16,
    })?);
    let path = match version {
        // Fixed 520-byte (260-character) UTF-16 path.
        1 => {
            let raw = bytes.get(24..bytes.len().min(24 + 520)).unwrap_or_default();
            if raw.is_empty() {
                return Err(Error::Truncated {
                    what: "$I v1 path",
                    offset: 24,
                });
            }
            utf16le_nul_terminated(raw)
        }
        // u32 character count (including the NUL), then the path.
        2 => {
            let chars = le_u32(bytes, 24).ok_or(Error::Truncated {
                what: "$I v2 path length",
                offset: 24,
            })? as usize;
            let avail = bytes.len().saturating_sub(28) / 2;
            let raw = slice(bytes, 28, chars.min(avail) * 2).unwrap_or_default();
            utf16le_nul_terminated(raw)
        }
        _ => {
            return Err(Error::BadSignature {
                what: "$I version (expected 1 or 2)",
                offset: 0,
            });
        }
    };
    Ok(RecycleEntry {
        version,
        size,
        deleted,
        path,
    })
}

/// One `INFO2` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info2Record {
    /// Byte position of the record.
    pub offset: u64,
    /// Record index (the deleted file is `Dc<index>.<ext>`).
    pub index: u32,
    /// Drive number (0 = A:, 2 = C:).
    pub drive: u32,
    /// Deletion time.
    pub deleted: FileTime,
    /// Size (rounded to clusters).
    pub size: u32,
    /// Original path (ANSI copy).
    pub path_ansi: String,
    /// Original path (Unicode copy; absent in 280-byte Windows 9x records).
    pub path_unicode: Option<String>,
}

impl Info2Record {
    /// The best path (Unicode when present and not empty).
    pub fn path(&self) -> &str {
        self.path_unicode
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or(&self.path_ansi)
    }

    /// Whether the ANSI path's first byte was zeroed: Windows does this
    /// when the file was restored or purged from the bin.
    pub fn removed(&self) -> bool {
        self.path_ansi.is_empty()
    }
}

/// A parsed `INFO2` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info2 {
    /// Header version field (5 on XP).
    pub version: u32,
    /// Record size (800, or 280 on 9x).
    pub record_size: u32,
    /// Records.
    pub records: Vec<Info2Record>,
    /// Problems.
    pub warnings: Vec<Warning>,
}

/// Parses an XP `INFO2` file.
pub fn parse_info2(bytes: &[u8]) -> Result<Info2> {
    let h = slice(bytes, 0, 20).ok_or(Error::Truncated {
        what: "INFO2 header",
        offset: 0,
    })?;
    let version = le_u32(h, 0).unwrap_or(0);
    let record_size = le_u32(h, 12).unwrap_or(0);
    if record_size != 800 && record_size != 280 {
        return Err(Error::Corrupt {
            what: "INFO2 record size (expected 800 or 280)",
            offset: 12,
        });
    }
    let rs = record_size as usize;
    let mut out = Info2 {
        version,
        record_size,
        records: Vec::new(),
        warnings: Vec::new(),
    };
    let mut pos = 20usize;
    while pos < bytes.len() {
        let Some(r) = slice(bytes, pos, rs) else {
            out.warnings.push(Warning {
                offset: pos as u64,
                message: format!("trailing {} bytes: partial record", bytes.len() - pos),
            });
            break;
        };
        // The ANSI path is 260 bytes; a restored/purged record has its
        // first byte zeroed, so read the rest of the name too.
        let ansi_raw = r.get(..260).unwrap_or_default();
        let path_ansi = latin1_nul(ansi_raw);
        out.records.push(Info2Record {
            offset: pos as u64,
            index: le_u32(r, 260).unwrap_or(0),
            drive: le_u32(r, 264).unwrap_or(0),
            deleted: FileTime(le_u64(r, 268).unwrap_or(0)),
            size: le_u32(r, 276).unwrap_or(0),
            path_ansi,
            path_unicode: (rs == 800)
                .then(|| utf16le_nul_terminated(r.get(280..800).unwrap_or_default())),
        });
        pos += rs;
    }
    Ok(out)
}

/// Whether the bytes look like a `$I` file (version 1 or 2 and a
/// plausible size for it).
pub fn looks_like_recycle_i(bytes: &[u8]) -> bool {
    match le_u64(bytes, 0) {
        Some(1) => bytes.len() == 544,
        Some(2) => {
            let chars = le_u32(bytes, 24).unwrap_or(0) as usize;
            bytes.len() == 28 + chars * 2
        }
        _ => false,
    }
}
