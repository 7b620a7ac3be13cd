//! Jump lists: automatic (`*.automaticDestinations-ms`, a compound file
//! with a `DestList` stream and one LNK stream per entry) and custom
//! (`*.customDestinations-ms`, categories of concatenated LNKs).
//!
//! Sources: libyal/dtformats `documentation/Jump lists format.asciidoc`
//! (DestList header and entry layouts v1 and v3/v4, custom destinations
//! categories and the 0xBABFFBAB footer); artifacts.md §5.2 (DestList v1
//! and the custom layout checked on the fixtures). The v3/v4 entry layout
//! (Windows 10) follows dtformats; no Windows 10 fixture checks it here.

use rift_io::bytes::{le_i32, le_u16, le_u32, le_u64, slice, utf16le_lossy};
use rift_io::time::FileTime;

use crate::cfb::CompoundFile;
use crate::guid::Guid;
use crate::lnk::{LNK_CLSID, Lnk, parse_lnk};
use crate::{Error, Result, Warning, latin1_nul};

/// The DestList header.
#[derive(Debug, Clone, PartialEq)]
pub struct DestListHeader {
    /// Format version (1 = Windows 7/8, 3 or 4 = Windows 10+).
    pub version: u32,
    /// Number of entries.
    pub entry_count: u32,
    /// Number of pinned entries.
    pub pinned_count: u32,
    /// Highest entry number issued.
    pub last_entry_number: u32,
    /// Revision counter.
    pub last_revision: u32,
}

/// One DestList entry: a recently or frequently used target.
#[derive(Debug, Clone, PartialEq)]
pub struct DestListEntry {
    /// Byte position of the entry in the DestList stream.
    pub offset: u64,
    /// Entry checksum/hash (meaning unknown).
    pub hash: u64,
    /// Volume droid of the target.
    pub droid_volume: Guid,
    /// File droid of the target (UUID v1: MAC and time).
    pub droid_file: Guid,
    /// Birth volume droid.
    pub birth_volume: Guid,
    /// Birth file droid.
    pub birth_file: Guid,
    /// NetBIOS name of the machine the target was on.
    pub hostname: String,
    /// Entry number; the LNK stream is named by it in lowercase hex.
    pub entry_number: u32,
    /// Access score.
    pub access_score: f32,
    /// Last access (or modification) time.
    pub last_access: FileTime,
    /// Pin status: -1 unpinned, ≥ 0 pin position.
    pub pin_status: i32,
    /// Access count (v3/v4 only).
    pub access_count: Option<u32>,
    /// Target path or URL.
    pub path: String,
}

impl DestListEntry {
    /// The name of the LNK stream for this entry.
    pub fn stream_name(&self) -> String {
        format!("{:x}", self.entry_number)
    }

    /// MAC address from the file droid (or the birth droid).
    pub fn mac_address(&self) -> Option<[u8; 6]> {
        self.droid_file
            .mac_address()
            .or_else(|| self.birth_file.mac_address())
    }
}

/// A parsed automatic jump list.
#[derive(Debug, Clone)]
pub struct AutomaticJumpList {
    /// DestList header, when the stream was readable.
    pub header: Option<DestListHeader>,
    /// DestList entries.
    pub entries: Vec<DestListEntry>,
    /// Every LNK stream (name, parsed link), in directory order.
    pub links: Vec<(String, Lnk)>,
    /// Streams or entries that could not be read.
    pub warnings: Vec<Warning>,
}

impl AutomaticJumpList {
    /// The LNK stream that belongs to a DestList entry.
    pub fn link_for(&self, entry: &DestListEntry) -> Option<&Lnk> {
        let name = entry.stream_name();
        self.links.iter().find(|(n, _)| *n == name).map(|(_, l)| l)
    }
}

/// Parses an automatic destinations file.
pub fn parse_automatic(bytes: &[u8]) -> Result<AutomaticJumpList> {
    let cf = CompoundFile::open(bytes)?;
    let mut out = AutomaticJumpList {
        header: None,
        entries: Vec::new(),
        links: Vec::new(),
        warnings: Vec::new(),
    };
    if let Some(e) = cf.stream("DestList") {
        match cf.read(e) {
            Ok(d) => parse_destlist(&d, &mut out),
            Err(err) => out.warnings.push(Warning {
                offset: 0,
                message: err.to_string(),
            }),
        }
    } else {
        out.warnings.push(Warning {
            offset: 0,
            message: "no DestList stream".into(),
        });
    }
    for e in cf.streams() {
        if e.name == "DestList" {
            continue;
        }
        let data = match cf.read(e) {
            Ok(d) => d,
            Err(err) => {
                out.warnings.push(Warning {
                    offset: 0,
                    message: err.to_string(),
                });
                continue;
            }
        };
        match parse_lnk(&data) {
            Ok(l) => out.links.push((e.name.clone(), l)),
            Err(err) => out.warnings.push(Warning {
                offset: 0,
                message: format!("stream {:?}: {err}", e.name),
            }),
        }
    }
    Ok(out)
}

fn parse_destlist(d: &[u8], out: &mut AutomaticJumpList) {
    let Some(h) = slice(d, 0, 32) else {
        out.warnings.push(Warning {
            offset: 0,
            message: "DestList header truncated".into(),
        });
        return;
    };
    let f = |o| le_u32(h, o).unwrap_or(0);
    let header = DestListHeader {
        version: f(0),
        entry_count: f(4),
        pinned_count: f(8),
        last_entry_number: f(16),
        last_revision: f(24),
    };
    let v3 = header.version >= 2;
    let mut pos = 32usize;
    // Each entry is at least 114 bytes, so the loop ends with the data.
    while pos < d.len() {
        let fixed = if v3 { 130 } else { 114 };
        let Some(e) = slice(d, pos, fixed) else {
            out.warnings.push(Warning {
                offset: pos as u64,
                message: "DestList entry truncated".into(),
            });
            break;
        };
        let chars_at = if v3 { 128 } else { 112 };
        let chars = usize::from(le_u16(e, chars_at).unwrap_or(0));
        let Some(path_bytes) = slice(d, pos + fixed, chars * 2) else {
            out.warnings.push(Warning {
                offset: pos as u64,
                message: "DestList entry path runs past the end of the stream".into(),
            });
            break;
        };
        let g = |o| Guid::read(e, o).unwrap_or_default();
        out.entries.push(DestListEntry {
            offset: pos as u64,
            hash: le_u64(e, 0).unwrap_or(0),
            droid_volume: g(8),
            droid_file: g(24),
            birth_volume: g(40),
            birth_file: g(56),
            hostname: latin1_nul(e.get(72..88).unwrap_or_default()),
            entry_number: le_u32(e, 88).unwrap_or(0),
            access_score: f32::from_bits(le_u32(e, 96).unwrap_or(0)),
            last_access: FileTime(le_u64(e, 100).unwrap_or(0)),
            pin_status: le_i32(e, 108).unwrap_or(-1),
            access_count: if v3 { le_u32(e, 116) } else { None },
            path: utf16le_lossy(path_bytes),
        });
        pos += fixed + chars * 2 + if v3 { 4 } else { 0 };
    }
    if out.entries.len() != header.entry_count as usize {
        out.warnings.push(Warning {
            offset: 4,
            message: format!(
                "DestList header declares {} entries, {} read",
                header.entry_count,
                out.entries.len()
            ),
        });
    }
    out.header = Some(header);
}

/// Kind of a custom destinations category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryKind {
    /// An application-defined category with a name.
    Custom {
        /// Category name (may be an indirect `@resource` string).
        name: String,
    },
    /// A known category (1 = frequent, 2 = recent); holds no entries.
    Known {
        /// Known category id.
        id: u32,
    },
    /// The user tasks category.
    Tasks,
}

/// One category of a custom jump list.
#[derive(Debug, Clone)]
pub struct Category {
    /// Byte position of the category.
    pub offset: u64,
    /// Kind.
    pub kind: CategoryKind,
    /// Its links.
    pub links: Vec<Lnk>,
}

/// A parsed custom destinations file.
#[derive(Debug, Clone)]
pub struct CustomJumpList {
    /// Format version (2).
    pub version: u32,
    /// Categories.
    pub categories: Vec<Category>,
    /// Links found by scanning for LNK headers after the structure broke
    /// down (empty when the structure parsed cleanly).
    pub recovered_links: Vec<(u64, Lnk)>,
    /// Problems.
    pub warnings: Vec<Warning>,
}

impl CustomJumpList {
    /// All links (structured and recovered).
    pub fn links(&self) -> impl Iterator<Item = &Lnk> {
        self.categories
            .iter()
            .flat_map(|c| c.links.iter())
            .chain(self.recovered_links.iter().map(|(_, l)| l))
    }
}

const FOOTER: u32 = 0xBABF_FBAB;

/// Parses a custom destinations file. When the category structure is
/// damaged, the remaining bytes are scanned for LNK headers so links are
/// not lost.
pub fn parse_custom(bytes: &[u8]) -> Result<CustomJumpList> {
    let version = le_u32(bytes, 0).ok_or(Error::Truncated {
        what: "custom destinations header",
        offset: 0,
    })?;
    let count = le_u32(bytes, 4).ok_or(Error::Truncated {
        what: "custom destinations header",
        offset: 4,
    })?;
    if version != 2 {
        return Err(Error::BadSignature {
            what: "custom destinations version (expected 2)",
            offset: 0,
        });
    }
    let mut out = CustomJumpList {
        version,
        categories: Vec::new(),
        recovered_links: Vec::new(),
        warnings: Vec::new(),
    };
    let mut pos = 12usize;
    let mut broken = None;
    'cats: for _ in 0..count {
        let start = pos;
        let Some(kind) = le_u32(bytes, pos) else {
            broken = Some(pos);
            break;
        };
        pos += 4;
        let (kind, entries) = match kind {
            0 => {
                let chars = usize::from(le_u16(bytes, pos).unwrap_or(0));
                let Some(name) = slice(bytes, pos + 2, chars * 2) else {
                    broken = Some(pos);
                    break;
                };
                let name = utf16le_lossy(name);
                pos += 2 + chars * 2;
                let n = le_u32(bytes, pos).unwrap_or(0);
                pos += 4;
                (CategoryKind::Custom { name }, n)
            }
            1 => {
                let id = le_u32(bytes, pos).unwrap_or(0);
                pos += 4;
                (CategoryKind::Known { id }, 0)
            }
            2 => {
                let n = le_u32(bytes, pos).unwrap_or(0);
                pos += 4;
                (CategoryKind::Tasks, n)
            }
            _ => {
                broken = Some(start);
                break;
            }
        };
        let mut links = Vec::new();
        for _ in 0..entries {
            if bytes.get(pos..pos + 16) != Some(&LNK_CLSID[..]) {
                broken = Some(pos);
                out.categories.push(Category {
                    offset: start as u64,
                    kind,
                    links,
                });
                break 'cats;
            }
            match parse_lnk(bytes.get(pos + 16..).unwrap_or_default()) {
                Ok(l) if l.warnings.is_empty() => {
                    pos += 16 + l.size;
                    links.push(l);
                }
                _ => {
                    broken = Some(pos);
                    out.categories.push(Category {
                        offset: start as u64,
                        kind,
                        links,
                    });
                    break 'cats;
                }
            }
        }
        out.categories.push(Category {
            offset: start as u64,
            kind,
            links,
        });
        if le_u32(bytes, pos) == Some(FOOTER) {
            pos += 4;
        } else {
            out.warnings.push(Warning {
                offset: pos as u64,
                message: "category footer 0xBABFFBAB missing".into(),
            });
        }
    }
    if let Some(at) = broken {
        out.warnings.push(Warning {
            offset: at as u64,
            message: "custom destinations structure damaged; scanning for links".into(),
        });
        scan_links(bytes, at, &mut out.recovered_links);
    }
    Ok(out)
}

/// Finds LNK headers (size 0x4C + CLSID) from `from` on and parses each.
fn scan_links(bytes: &[u8], from: usize, out: &mut Vec<(u64, Lnk)>) {
    let mut pos = from;
    while let Some(rest) = bytes.get(pos..) {
        let Some(i) = memchr::memmem::find(rest, &[0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0x00]) else {
            break;
        };
        let at = pos + i;
        match parse_lnk(bytes.get(at..).unwrap_or_default()) {
            Ok(l) => {
                pos = at + l.size.max(1);
                out.push((at as u64, l));
            }
            Err(_) => pos = at + 1,
        }
    }
}
