//! Values (`vk`), their data (resident, in a cell, or split in `db` big
//! data) and typed decoding.
//!
//! Sources: msuhanov/regf specification §"Key value" (data size bit 31 =
//! resident data), §"Big data" (only when the minor version is above 3 and
//! the data is larger than 16344 bytes), §"Data types";
//! `../shared/docs/formats/artifacts.md` §1.3 (checked on
//! `regipy_NTUSER.DAT` resident DWORDs and `yarp_BigDataHive`).

use std::borrow::Cow;

use rift_io::bytes::{le_u16, le_u32};

use crate::hive::{Hive, NIL};
use crate::key::decode_name;
use crate::{Error, Result};

/// Largest data held by one big-data segment.
pub const BIG_DATA_SEGMENT: usize = 16344;

/// Registry value types (raw number kept in [`Value::raw_type`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum ValueType {
    /// 0 REG_NONE.
    None,
    /// 1 REG_SZ.
    Sz,
    /// 2 REG_EXPAND_SZ.
    ExpandSz,
    /// 3 REG_BINARY.
    Binary,
    /// 4 REG_DWORD (little endian).
    Dword,
    /// 5 REG_DWORD_BIG_ENDIAN.
    DwordBigEndian,
    /// 6 REG_LINK.
    Link,
    /// 7 REG_MULTI_SZ.
    MultiSz,
    /// 8 REG_RESOURCE_LIST.
    ResourceList,
    /// 9 REG_FULL_RESOURCE_DESCRIPTOR.
    FullResourceDescriptor,
    /// 10 REG_RESOURCE_REQUIREMENTS_LIST.
    ResourceRequirementsList,
    /// 11 REG_QWORD.
    Qword,
    /// Any other number (applications and device properties use their own).
    Other(u32),
}

impl ValueType {
    /// From the raw type number.
    pub fn from_raw(t: u32) -> ValueType {
        match t {
            0 => ValueType::None,
            1 => ValueType::Sz,
            2 => ValueType::ExpandSz,
            3 => ValueType::Binary,
            4 => ValueType::Dword,
            5 => ValueType::DwordBigEndian,
            6 => ValueType::Link,
            7 => ValueType::MultiSz,
            8 => ValueType::ResourceList,
            9 => ValueType::FullResourceDescriptor,
            10 => ValueType::ResourceRequirementsList,
            11 => ValueType::Qword,
            o => ValueType::Other(o),
        }
    }

    /// The Windows constant name (`REG_SZ`, ...).
    pub fn reg_name(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            ValueType::None => "REG_NONE",
            ValueType::Sz => "REG_SZ",
            ValueType::ExpandSz => "REG_EXPAND_SZ",
            ValueType::Binary => "REG_BINARY",
            ValueType::Dword => "REG_DWORD",
            ValueType::DwordBigEndian => "REG_DWORD_BIG_ENDIAN",
            ValueType::Link => "REG_LINK",
            ValueType::MultiSz => "REG_MULTI_SZ",
            ValueType::ResourceList => "REG_RESOURCE_LIST",
            ValueType::FullResourceDescriptor => "REG_FULL_RESOURCE_DESCRIPTOR",
            ValueType::ResourceRequirementsList => "REG_RESOURCE_REQUIREMENTS_LIST",
            ValueType::Qword => "REG_QWORD",
            ValueType::Other(n) => return Cow::Owned(format!("0x{n:x}")),
        })
    }
}

/// Decoded value data.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum ValueData {
    /// REG_NONE (bytes kept).
    None(Vec<u8>),
    /// REG_SZ, trimmed at the first NUL.
    Sz(String),
    /// REG_EXPAND_SZ, trimmed at the first NUL (not expanded).
    ExpandSz(String),
    /// REG_BINARY.
    Binary(Vec<u8>),
    /// REG_DWORD.
    Dword(u32),
    /// REG_DWORD_BIG_ENDIAN.
    DwordBigEndian(u32),
    /// REG_LINK (UTF-16 target path).
    Link(String),
    /// REG_MULTI_SZ (empty strings at the end dropped).
    MultiSz(Vec<String>),
    /// REG_RESOURCE_LIST / FULL_RESOURCE_DESCRIPTOR /
    /// RESOURCE_REQUIREMENTS_LIST (kept as bytes).
    Resource(Vec<u8>),
    /// REG_QWORD.
    Qword(u64),
    /// Unknown type (bytes kept).
    Other(Vec<u8>),
}

/// Decodes UTF-16LE up to the first NUL (odd trailing byte ignored).
pub fn utf16_str(d: &[u8]) -> String {
    rift_io::bytes::utf16le_nul_terminated(d)
}

/// Splits REG_MULTI_SZ data into its strings (stops at an empty string, as
/// Windows does; trailing garbage after the double NUL is ignored).
pub fn multi_sz(d: &[u8]) -> Vec<String> {
    let units: Vec<u16> = d
        .chunks_exact(2)
        .filter_map(|c| <[u8; 2]>::try_from(c).ok().map(u16::from_le_bytes))
        .collect();
    let mut out = Vec::new();
    for s in units.split(|&u| u == 0) {
        if s.is_empty() {
            break;
        }
        out.push(
            char::decode_utf16(s.iter().copied())
                .map(|r| r.unwrap_or('\u{FFFD}'))
                .collect(),
        );
    }
    out
}

impl ValueData {
    /// Decodes `data` as type `t`.
    pub fn decode(t: ValueType, data: &[u8]) -> ValueData {
        let u32_or0 = |d: &[u8]| {
            let mut b = [0u8; 4];
            for (dst, src) in b.iter_mut().zip(d) {
                *dst = *src;
            }
            b
        };
        match t {
            ValueType::None => ValueData::None(data.to_vec()),
            ValueType::Sz => ValueData::Sz(utf16_str(data)),
            ValueType::ExpandSz => ValueData::ExpandSz(utf16_str(data)),
            ValueType::Binary => ValueData::Binary(data.to_vec()),
            ValueType::Dword => ValueData::Dword(u32::from_le_bytes(u32_or0(data))),
            ValueType::DwordBigEndian => {
                ValueData::DwordBigEndian(u32::from_be_bytes(u32_or0(data)))
            }
            ValueType::Link => ValueData::Link(rift_io::bytes::utf16le_lossy(data)),
            ValueType::MultiSz => ValueData::MultiSz(multi_sz(data)),
            ValueType::ResourceList
            | ValueType::FullResourceDescriptor
            | ValueType::ResourceRequirementsList => ValueData::Resource(data.to_vec()),
            ValueType::Qword => {
                let mut b = [0u8; 8];
                for (dst, src) in b.iter_mut().zip(data) {
                    *dst = *src;
                }
                ValueData::Qword(u64::from_le_bytes(b))
            }
            ValueType::Other(_) => ValueData::Other(data.to_vec()),
        }
    }

    /// A one-line text rendering (strings as is, numbers in decimal,
    /// bytes as lowercase hex, multi-strings joined with `|`).
    pub fn to_text(&self) -> String {
        match self {
            ValueData::Sz(s) | ValueData::ExpandSz(s) | ValueData::Link(s) => s.clone(),
            ValueData::Dword(v) | ValueData::DwordBigEndian(v) => v.to_string(),
            ValueData::Qword(v) => v.to_string(),
            ValueData::MultiSz(v) => v.join("|"),
            ValueData::None(b)
            | ValueData::Binary(b)
            | ValueData::Resource(b)
            | ValueData::Other(b) => hex::encode(b),
        }
    }
}

/// Minimum `vk` record size before the name.
pub(crate) const VK_FIXED: usize = 20;

/// A registry value (a handle on a `vk` cell).
#[derive(Debug, Clone, Copy)]
pub struct Value<'h> {
    hive: &'h Hive,
    offset: u32,
    allocated: bool,
    name_raw: &'h [u8],
    flags: u16,
    size_raw: u32,
    data_offset: u32,
    raw_type: u32,
    slack: &'h [u8],
}

impl<'h> Value<'h> {
    /// The value whose `vk` cell is at hive-bins offset `offset`.
    pub fn at(hive: &'h Hive, offset: u32) -> Result<Value<'h>> {
        let cell = hive.cell(offset)?;
        Value::parse(
            hive,
            offset,
            cell.data,
            cell.allocated,
            cell.file_offset as u64,
        )
    }

    pub(crate) fn parse(
        hive: &'h Hive,
        offset: u32,
        d: &'h [u8],
        allocated: bool,
        position: u64,
    ) -> Result<Value<'h>> {
        if d.get(..2) != Some(b"vk") {
            return Err(Error::BadSignature {
                what: "vk",
                position,
                found: d.get(..2).unwrap_or_default().to_vec(),
            });
        }
        let name_len = le_u16(d, 2).unwrap_or(0) as usize;
        let name_raw = d.get(VK_FIXED..VK_FIXED + name_len).ok_or(Error::Record {
            what: "vk",
            position,
            reason: "name runs past the cell".into(),
        })?;
        Ok(Value {
            hive,
            offset,
            allocated,
            name_raw,
            flags: le_u16(d, 16).unwrap_or(0),
            size_raw: le_u32(d, 4).unwrap_or(0),
            data_offset: le_u32(d, 8).unwrap_or(NIL),
            raw_type: le_u32(d, 12).unwrap_or(0),
            slack: d.get(VK_FIXED + name_len..).unwrap_or_default(),
        })
    }

    /// Hive-bins offset of the `vk` cell.
    pub fn offset(&self) -> u32 {
        self.offset
    }

    /// Whether the `vk` cell is allocated.
    pub fn is_allocated(&self) -> bool {
        self.allocated
    }

    /// The name (`""` for the default value).
    pub fn name(&self) -> String {
        decode_name(self.name_raw, self.flags & 1 != 0)
    }

    /// Raw name bytes.
    pub fn name_raw(&self) -> &'h [u8] {
        self.name_raw
    }

    /// `vk` flags (bit 0 compressed name, bit 1 tombstone).
    pub fn flags(&self) -> u16 {
        self.flags
    }

    /// The raw type number.
    pub fn raw_type(&self) -> u32 {
        self.raw_type
    }

    /// The type.
    pub fn value_type(&self) -> ValueType {
        ValueType::from_raw(self.raw_type)
    }

    /// The declared data size (bit 31 masked).
    pub fn data_size(&self) -> u32 {
        self.size_raw & 0x7FFF_FFFF
    }

    /// Whether the data sits in the `vk` record itself.
    pub fn is_resident(&self) -> bool {
        self.size_raw & 0x8000_0000 != 0
    }

    /// Raw offset of the data cell (or the resident data).
    pub fn data_offset(&self) -> u32 {
        self.data_offset
    }

    /// Slack bytes after the record in its cell.
    pub fn record_slack(&self) -> &'h [u8] {
        self.slack
    }

    /// The data bytes.
    pub fn data(&self) -> Result<Cow<'h, [u8]>> {
        let size = self.data_size() as usize;
        if self.is_resident() {
            let b = self.data_offset.to_le_bytes();
            return Ok(Cow::Owned(
                b.get(..size.min(4)).unwrap_or_default().to_vec(),
            ));
        }
        if size == 0 {
            return Ok(Cow::Borrowed(&[]));
        }
        let cell = self.hive.cell(self.data_offset)?;
        if size > BIG_DATA_SEGMENT
            && self.hive.minor_version() > 3
            && cell.data.get(..2) == Some(b"db")
        {
            return self
                .big_data(cell.data, cell.file_offset as u64, size)
                .map(Cow::Owned);
        }
        cell.data
            .get(..size)
            .map(Cow::Borrowed)
            .ok_or(Error::Record {
                what: "value data",
                position: cell.file_offset as u64,
                reason: format!(
                    "data size {size:#x} exceeds its cell ({:#x})",
                    cell.data.len()
                ),
            })
    }

    /// Bytes of the data cell after the data (slack), for non-resident
    /// single-cell data.
    pub fn data_slack(&self) -> &'h [u8] {
        let size = self.data_size() as usize;
        if self.is_resident() || size == 0 {
            return &[];
        }
        match self.hive.cell(self.data_offset) {
            Ok(c) if c.data.get(..2) != Some(b"db") || size <= BIG_DATA_SEGMENT => {
                c.data.get(size..).unwrap_or_default()
            }
            _ => &[],
        }
    }

    fn big_data(&self, db: &[u8], pos: u64, size: usize) -> Result<Vec<u8>> {
        let segs = le_u16(db, 2).unwrap_or(0) as usize;
        let list_off = le_u32(db, 4).unwrap_or(NIL);
        let list = self.hive.cell(list_off)?;
        if segs * 4 > list.data.len() {
            return Err(Error::Record {
                what: "db",
                position: pos,
                reason: format!("{segs} segments do not fit the list"),
            });
        }
        // The size is bounded by the hive bins, so this cannot be a wild
        // allocation.
        let mut out = Vec::with_capacity(size.min(self.hive.bins_end()));
        for i in 0..segs {
            let Some(o) = le_u32(list.data, i * 4) else {
                break;
            };
            let seg = self.hive.cell(o)?;
            let take = (size - out.len()).min(BIG_DATA_SEGMENT).min(seg.data.len());
            out.extend_from_slice(seg.data.get(..take).unwrap_or_default());
            if out.len() >= size {
                break;
            }
        }
        if out.len() < size {
            return Err(Error::Record {
                what: "db",
                position: pos,
                reason: format!("big data has {:#x} of {size:#x} bytes", out.len()),
            });
        }
        Ok(out)
    }

    /// The data decoded by type.
    pub fn decoded(&self) -> Result<ValueData> {
        Ok(ValueData::decode(self.value_type(), &self.data()?))
    }
}
