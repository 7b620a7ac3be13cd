//! Key nodes (`nk`) and subkey lists (`li`, `lf`, `lh`, `ri`).
//!
//! Sources: msuhanov/regf specification §"Key node", §"Index leaf",
//! §"Fast leaf", §"Hash leaf", §"Index root" (an `ri` never points to
//! another `ri`); `../shared/docs/formats/artifacts.md` §1.3 (nk layout and
//! flags, checked on `regipy_NTUSER.DAT`, `yarp_UnicodeHive`,
//! `yarp_ManySubkeysHive`).

use std::borrow::Cow;

use bitflags::bitflags;
use rift_io::bytes::{le_u16, le_u32, le_u64};
use rift_io::time::FileTime;

use crate::hive::{Hive, NIL, eq_ignore_case};
use crate::security::Security;
use crate::value::Value;
use crate::{Error, Result};

bitflags! {
    /// `nk` flags (offset 2).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct KeyFlags: u16 {
        /// Volatile key (never on disk in practice).
        const VOLATILE = 0x0001;
        /// Mount point of another hive.
        const HIVE_EXIT = 0x0002;
        /// Root key of this hive.
        const HIVE_ENTRY = 0x0004;
        /// Cannot be deleted.
        const NO_DELETE = 0x0008;
        /// Symbolic link (target in value `SymbolicLinkValue`).
        const SYM_LINK = 0x0010;
        /// Name stored as 8-bit Latin-1 ("compressed").
        const COMP_NAME = 0x0020;
        /// Predefined handle.
        const PREDEF_HANDLE = 0x0040;
        /// Virtualization source.
        const VIRTUAL_SOURCE = 0x0080;
        /// Virtualization target.
        const VIRTUAL_TARGET = 0x0100;
        /// Virtual store.
        const VIRTUAL_STORE = 0x0200;
    }
}

/// Minimum size of an `nk` record before its name.
pub(crate) const NK_FIXED: usize = 76;

/// A parsed `nk` record, borrowing its name from the hive.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Nk<'h> {
    pub flags: u16,
    pub last_written: u64,
    pub access_bits: u32,
    pub parent: u32,
    pub subkey_count: u32,
    pub subkey_list: u32,
    pub value_count: u32,
    pub value_list: u32,
    pub security: u32,
    pub class: u32,
    pub class_len: u16,
    pub name_raw: &'h [u8],
    /// Bytes of the cell after the record (slack).
    pub slack: &'h [u8],
}

impl<'h> Nk<'h> {
    /// Parses an `nk` record from cell data. `position` is for errors.
    pub(crate) fn parse(d: &'h [u8], position: u64) -> Result<Nk<'h>> {
        let bad = |reason: &str| Error::Record {
            what: "nk",
            position,
            reason: reason.into(),
        };
        if d.get(..2) != Some(b"nk") {
            return Err(Error::BadSignature {
                what: "nk",
                position,
                found: d.get(..2).unwrap_or_default().to_vec(),
            });
        }
        if d.len() < NK_FIXED {
            return Err(bad("cell too small for a key node"));
        }
        let u = |o| le_u32(d, o).unwrap_or(NIL);
        let name_len = le_u16(d, 72).unwrap_or(0) as usize;
        let name_raw = d
            .get(NK_FIXED..NK_FIXED + name_len)
            .ok_or_else(|| bad("name runs past the cell"))?;
        Ok(Nk {
            flags: le_u16(d, 2).unwrap_or(0),
            last_written: le_u64(d, 4).unwrap_or(0),
            access_bits: u(12),
            parent: u(16),
            subkey_count: u(20),
            subkey_list: u(28),
            value_count: u(36),
            value_list: u(40),
            security: u(44),
            class: u(48),
            class_len: le_u16(d, 74).unwrap_or(0),
            name_raw,
            slack: d.get(NK_FIXED + name_len..).unwrap_or_default(),
        })
    }

    pub(crate) fn name(&self) -> String {
        decode_name(self.name_raw, self.flags & KeyFlags::COMP_NAME.bits() != 0)
    }
}

/// Decodes a key or value name: Latin-1 when "compressed", else UTF-16LE.
pub(crate) fn decode_name(raw: &[u8], compressed: bool) -> String {
    if compressed {
        raw.iter().map(|&b| b as char).collect()
    } else {
        rift_io::bytes::utf16le_lossy(raw)
    }
}

/// A registry key (a handle on an `nk` cell of a [`Hive`]).
#[derive(Debug, Clone, Copy)]
pub struct Key<'h> {
    hive: &'h Hive,
    offset: u32,
    allocated: bool,
    pub(crate) nk: Nk<'h>,
}

impl<'h> Key<'h> {
    /// The key whose `nk` cell is at hive-bins offset `offset`.
    pub fn at(hive: &'h Hive, offset: u32) -> Result<Key<'h>> {
        let cell = hive.cell(offset)?;
        let nk = Nk::parse(cell.data, cell.file_offset as u64)?;
        Ok(Key {
            hive,
            offset,
            allocated: cell.allocated,
            nk,
        })
    }

    /// The hive this key belongs to.
    pub fn hive(&self) -> &'h Hive {
        self.hive
    }

    /// Hive-bins-relative offset of the `nk` cell.
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// File offset of the `nk` cell.
    pub fn file_offset(&self) -> u64 {
        u64::from(self.offset) + 4096
    }

    /// Whether the `nk` cell is allocated (false for keys read from free
    /// space, i.e. deleted or half-written).
    pub fn is_allocated(&self) -> bool {
        self.allocated
    }

    /// The key name.
    pub fn name(&self) -> String {
        self.nk.name()
    }

    /// The raw name bytes as stored.
    pub fn name_raw(&self) -> &'h [u8] {
        self.nk.name_raw
    }

    /// Flags.
    pub fn flags(&self) -> KeyFlags {
        KeyFlags::from_bits_retain(self.nk.flags)
    }

    /// Last written time.
    pub fn last_written(&self) -> FileTime {
        FileTime(self.nk.last_written)
    }

    /// Access bits (Windows 8+; low byte).
    pub fn access_bits(&self) -> u32 {
        self.nk.access_bits & 0xFF
    }

    /// Offset of the parent `nk`.
    pub fn parent_offset(&self) -> u32 {
        self.nk.parent
    }

    /// The parent key (None at the root or when the pointer is bad).
    pub fn parent(&self) -> Option<Key<'h>> {
        if self.flags().contains(KeyFlags::HIVE_ENTRY)
            || self.offset == self.hive.base_block().root_cell_offset
        {
            return None;
        }
        Key::at(self.hive, self.nk.parent).ok()
    }

    /// Number of subkeys the key node declares.
    pub fn subkey_count(&self) -> u32 {
        self.nk.subkey_count
    }

    /// Number of values the key node declares.
    pub fn value_count(&self) -> u32 {
        self.nk.value_count
    }

    /// Slack bytes after the record inside its cell.
    pub fn slack(&self) -> &'h [u8] {
        self.nk.slack
    }

    /// The class name, if any.
    pub fn class_name(&self) -> Result<Option<String>> {
        if self.nk.class == NIL || self.nk.class_len == 0 {
            return Ok(None);
        }
        let cell = self.hive.cell(self.nk.class)?;
        let raw = cell
            .data
            .get(..self.nk.class_len as usize)
            .ok_or(Error::Record {
                what: "class name",
                position: cell.file_offset as u64,
                reason: "class name longer than its cell".into(),
            })?;
        Ok(Some(rift_io::bytes::utf16le_lossy(raw)))
    }

    /// The security descriptor (`sk` cell).
    pub fn security(&self) -> Result<Option<Security<'h>>> {
        if self.nk.security == NIL {
            return Ok(None);
        }
        Security::at(self.hive, self.nk.security).map(Some)
    }

    /// Offsets of the subkey `nk` cells, from the subkey list(s). A bad
    /// list yields one error and the other lists are still read.
    pub fn subkey_offsets(&self) -> Vec<Result<u32>> {
        let mut out = Vec::new();
        if self.nk.subkey_count == 0 || self.nk.subkey_list == NIL {
            return out;
        }
        read_list(self.hive, self.nk.subkey_list, 0, &mut out);
        out
    }

    /// The subkeys, in list order. One bad subkey yields an error item; the
    /// rest are still returned.
    pub fn subkeys(&self) -> impl Iterator<Item = Result<Key<'h>>> + 'h {
        let hive = self.hive;
        self.subkey_offsets()
            .into_iter()
            .map(move |r| r.and_then(|o| Key::at(hive, o)))
    }

    /// A subkey by name (case insensitive).
    pub fn subkey(&self, name: &str) -> Result<Option<Key<'h>>> {
        for k in self.subkeys() {
            let k = k?;
            let n = k.name();
            if eq_ignore_case(&n, name) {
                return Ok(Some(k));
            }
        }
        Ok(None)
    }

    /// Offsets of the value (`vk`) cells from the value list.
    pub fn value_offsets(&self) -> Result<Vec<u32>> {
        let n = self.nk.value_count as usize;
        if n == 0 || self.nk.value_list == NIL {
            return Ok(Vec::new());
        }
        let cell = self.hive.cell(self.nk.value_list)?;
        let avail = cell.data.len() / 4;
        if n > avail {
            return Err(Error::Record {
                what: "value list",
                position: cell.file_offset as u64,
                reason: format!("key declares {n} values, list cell holds {avail}"),
            });
        }
        Ok((0..n).filter_map(|i| le_u32(cell.data, i * 4)).collect())
    }

    /// Offsets after the declared count in the value list cell that still
    /// look like value pointers (remnants of deleted values).
    pub fn value_list_remnants(&self) -> Vec<u32> {
        let n = self.nk.value_count as usize;
        if self.nk.value_list == NIL {
            return Vec::new();
        }
        let Ok(cell) = self.hive.cell(self.nk.value_list) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut i = n;
        while let Some(o) = le_u32(cell.data, i * 4) {
            if o < 8 || o % 8 != 0 || o == NIL {
                break;
            }
            out.push(o);
            i += 1;
        }
        out
    }

    /// The values. A bad value yields an error item.
    pub fn values(&self) -> Vec<Result<Value<'h>>> {
        match self.value_offsets() {
            Ok(offs) => offs.into_iter().map(|o| Value::at(self.hive, o)).collect(),
            Err(e) => vec![Err(e)],
        }
    }

    /// A value by name (case insensitive; `""` is the default value).
    pub fn value(&self, name: &str) -> Option<Value<'h>> {
        self.values()
            .into_iter()
            .flatten()
            .find(|v| eq_ignore_case(&v.name(), name))
    }

    /// Data of a value decoded as UTF-16 text (SZ/EXPAND_SZ/LINK), trimmed
    /// at the first NUL. Convenience for plugins.
    pub fn string(&self, name: &str) -> Option<String> {
        self.value(name)
            .and_then(|v| v.data().ok())
            .map(|d| crate::value::utf16_str(&d))
    }

    /// A DWORD (or the first 4 bytes of any value) by name.
    pub fn dword(&self, name: &str) -> Option<u32> {
        let v = self.value(name)?;
        let d = v.data().ok()?;
        le_u32(&d, 0)
    }

    /// Raw data of a value by name.
    pub fn binary(&self, name: &str) -> Option<Cow<'h, [u8]>> {
        self.value(name)?.data().ok()
    }

    /// The path from the root by following parent pointers (the root's own
    /// name excluded). Loops and broken pointers end the path early.
    pub fn path(&self) -> String {
        let mut parts = vec![self.name()];
        let mut cur = *self;
        for _ in 0..crate::hive::MAX_DEPTH {
            match cur.parent() {
                Some(p) => {
                    if p.offset == self.hive.base_block().root_cell_offset {
                        break;
                    }
                    parts.push(p.name());
                    cur = p;
                }
                None => break,
            }
        }
        if self.offset == self.hive.base_block().root_cell_offset {
            return String::new();
        }
        parts.reverse();
        parts.join("\\")
    }
}

/// Reads one subkey list (recursing once through `ri`).
fn read_list(hive: &Hive, off: u32, depth: u8, out: &mut Vec<Result<u32>>) {
    let cell = match hive.cell(off) {
        Ok(c) => c,
        Err(e) => {
            out.push(Err(e));
            return;
        }
    };
    let d = cell.data;
    let pos = cell.file_offset as u64;
    let count = le_u16(d, 2).unwrap_or(0) as usize;
    let sig = d.get(..2).unwrap_or_default();
    let stride = match sig {
        b"li" | b"ri" => 4,
        b"lf" | b"lh" => 8,
        _ => {
            out.push(Err(Error::BadSignature {
                what: "subkey list",
                position: pos,
                found: sig.to_vec(),
            }));
            return;
        }
    };
    if 4 + count * stride > d.len() {
        out.push(Err(Error::Record {
            what: "subkey list",
            position: pos,
            reason: format!("{count} elements do not fit in the cell"),
        }));
        return;
    }
    for i in 0..count {
        let Some(o) = le_u32(d, 4 + i * stride) else {
            break;
        };
        if sig == b"ri" {
            if depth > 0 {
                out.push(Err(Error::Record {
                    what: "ri",
                    position: pos,
                    reason: "index root inside index root".into(),
                }));
                return;
            }
            read_list(hive, o, depth + 1, out);
        } else {
            out.push(Ok(o));
        }
    }
}
