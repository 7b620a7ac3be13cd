//! FILE records (MFT entries): header, update-sequence fixups, attributes.
//!
//! Sources: libfsntfs "MFT entry header", "The fix-up values", "MFT
//! attribute"; ntfs-3g `layout.h` (`MFT_RECORD`, `ATTR_RECORD`); shared
//! notes §2–§3 (torn record `mft-rs_entry_102130_fixup_issue.bin`, 4 KiB
//! records with USA count 9, NT4-style headers without a record number).
//!
//! Parsing is lenient: a torn record (a fixup stride that does not carry the
//! update sequence number) is still decoded and flagged in
//! [`FixupStatus`]; a malformed attribute stops the attribute walk and is
//! reported in [`Record::attribute_errors`] while earlier attributes are
//! kept. Only a record without any usable header is an error.

use rift_io::bytes::{le_i64, le_u16, le_u32, le_u64, slice, u8_at, utf16le_lossy};

use crate::error::{Error, Result};
use crate::runs::{Run, decode_runs_lenient};
use crate::values::{AttrType, FileReference};

/// Stride of the update sequence array: always 512 bytes, independent of
/// the sector size (verified on 4096-byte records of a 4Kn volume).
pub const FIXUP_STRIDE: usize = 512;

bitflags::bitflags! {
    /// FILE record header flags.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct RecordFlags: u16 {
        /// The entry is allocated.
        const IN_USE = 0x1;
        /// The entry has an $I30 index (a directory).
        const DIRECTORY = 0x2;
        /// Informational ("in $Extend"); not set on every $Extend child.
        const IS_4 = 0x4;
        /// The entry has a view index.
        const VIEW_INDEX = 0x8;
        const _ = !0;
    }
}

bitflags::bitflags! {
    /// Attribute header flags.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct AttrFlags: u16 {
        /// Compressed (the low byte is the method; 1 = LZNT1).
        const COMPRESSED = 0x0001;
        /// Encrypted (EFS).
        const ENCRYPTED = 0x4000;
        /// Sparse.
        const SPARSE = 0x8000;
        const _ = !0;
    }
}

/// Record signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signature {
    /// `FILE`.
    File,
    /// `BAAD`: chkdsk found a torn multi-sector write.
    Baad,
    /// Anything else (zeroed / never used / garbage).
    Other([u8; 4]),
}

/// Outcome of applying the update sequence array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixupStatus {
    /// Every stride carried the update sequence number and was restored.
    Ok,
    /// Some strides did not match (torn write); bit `i` of the mask is set
    /// for stride `i` (0-based). Matching strides were restored, the others
    /// keep their on-disk bytes (stale by at most 2 bytes).
    Torn {
        /// Mismatching strides.
        mask: u64,
    },
    /// The array is missing (count 0) or lies outside the record: nothing
    /// was restored.
    Invalid,
}

/// FILE record header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHeader {
    /// Signature.
    pub signature: Signature,
    /// Update sequence array offset.
    pub usa_offset: u16,
    /// Update sequence array count (1 + strides).
    pub usa_count: u16,
    /// $LogFile sequence number of the last logged change.
    pub lsn: u64,
    /// Sequence number (incremented when the entry is freed).
    pub sequence: u16,
    /// Hard-link count.
    pub link_count: u16,
    /// Offset of the first attribute.
    pub first_attribute_offset: u16,
    /// Flags.
    pub flags: RecordFlags,
    /// Bytes in use.
    pub used_size: u32,
    /// Bytes allocated (the record size).
    pub allocated_size: u32,
    /// Base record reference (0 for a base record).
    pub base_reference: FileReference,
    /// Next attribute instance id.
    pub next_instance: u16,
    /// The record's own number (NTFS 3.1+ headers; `None` for NT4 layout).
    pub record_number: Option<u32>,
}

/// Body of an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttrBody {
    /// Resident value.
    Resident {
        /// The value bytes.
        value: Vec<u8>,
        /// The "indexed" flag (1 for $FILE_NAME).
        indexed: bool,
    },
    /// Non-resident: data runs on the volume.
    NonResident(NonResident),
}

/// Non-resident attribute header and runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonResident {
    /// Lowest VCN of this extent.
    pub lowest_vcn: u64,
    /// Highest VCN of this extent (−1 when empty).
    pub highest_vcn: i64,
    /// Compression unit exponent (clusters = 2^n; 0 = none).
    pub compression_unit: u16,
    /// Allocated size (valid in the VCN-0 extent).
    pub allocated_size: u64,
    /// Data (file) size (valid in the VCN-0 extent).
    pub data_size: u64,
    /// Initialized (valid data) size.
    pub initialized_size: u64,
    /// Total allocated ("compressed size"), present with a compression unit.
    pub total_allocated: Option<u64>,
    /// Decoded runs (merged across extents in an [`crate::MftEntry`]).
    pub runs: Vec<Run>,
    /// A problem decoding the run list (runs before it are kept).
    pub run_error: Option<String>,
    /// Number of extents merged into this attribute (1 without an attribute list).
    pub extents: u32,
}

/// One attribute of a FILE record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Type code.
    pub type_code: AttrType,
    /// Name (empty for unnamed attributes).
    pub name: String,
    /// Flags.
    pub flags: AttrFlags,
    /// Instance id (unique within the record; TSK's `type-id` second number).
    pub instance: u16,
    /// MFT entry holding the attribute (differs from the base for extents
    /// found through an attribute list).
    pub record: u64,
    /// Offset of the attribute inside that record.
    pub offset: u16,
    /// Resident value or non-resident runs.
    pub body: AttrBody,
}

impl Attribute {
    /// Whether the attribute is resident.
    pub fn is_resident(&self) -> bool {
        matches!(self.body, AttrBody::Resident { .. })
    }

    /// The resident value, if resident.
    pub fn resident_value(&self) -> Option<&[u8]> {
        match &self.body {
            AttrBody::Resident { value, .. } => Some(value),
            AttrBody::NonResident(_) => None,
        }
    }

    /// The non-resident header, if non-resident.
    pub fn non_resident(&self) -> Option<&NonResident> {
        match &self.body {
            AttrBody::NonResident(n) => Some(n),
            AttrBody::Resident { .. } => None,
        }
    }

    /// Logical size of the value (resident length or data size).
    pub fn data_size(&self) -> u64 {
        match &self.body {
            AttrBody::Resident { value, .. } => value.len() as u64,
            AttrBody::NonResident(n) => n.data_size,
        }
    }

    /// Allocated size on disk (resident: the value length).
    pub fn allocated_size(&self) -> u64 {
        match &self.body {
            AttrBody::Resident { value, .. } => value.len() as u64,
            AttrBody::NonResident(n) => n.allocated_size,
        }
    }
}

/// A parsed FILE record (one MFT record, not merged with extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The record number this record was read as.
    pub number: u64,
    /// Header.
    pub header: RecordHeader,
    /// Fixup outcome.
    pub fixup: FixupStatus,
    /// Attributes in on-disk order.
    pub attributes: Vec<Attribute>,
    /// Problems found walking the attributes (the walk stops at the first).
    pub attribute_errors: Vec<String>,
}

impl Record {
    /// Whether the entry is allocated.
    pub fn in_use(&self) -> bool {
        self.header.flags.contains(RecordFlags::IN_USE)
    }
    /// Whether the directory flag is set.
    pub fn is_directory(&self) -> bool {
        self.header.flags.contains(RecordFlags::DIRECTORY)
    }
    /// Whether this is an extension record (non-zero base reference).
    pub fn is_extension(&self) -> bool {
        self.header.base_reference.0 != 0
    }
}

/// Applies the update sequence array to `buf` in place.
pub fn apply_fixups(buf: &mut [u8]) -> FixupStatus {
    let (Some(usa_off), Some(usa_count)) = (le_u16(buf, 4), le_u16(buf, 6)) else {
        return FixupStatus::Invalid;
    };
    let usa_off = usize::from(usa_off);
    let usa_count = usize::from(usa_count);
    if usa_count == 0 {
        return FixupStatus::Invalid;
    }
    if usa_off
        .checked_add(usa_count * 2)
        .is_none_or(|e| e > buf.len())
        || usa_off < 8
    {
        return FixupStatus::Invalid;
    }
    let Some(usn) = le_u16(buf, usa_off) else {
        return FixupStatus::Invalid;
    };
    let strides = (usa_count - 1).min(buf.len() / FIXUP_STRIDE);
    let mut mask = 0u64;
    for i in 0..strides {
        let pos = (i + 1) * FIXUP_STRIDE - 2;
        let Some(saved) = le_u16(buf, usa_off + 2 + 2 * i) else {
            break;
        };
        if le_u16(buf, pos) != Some(usn) {
            if i < 64 {
                mask |= 1 << i;
            }
            continue;
        }
        if let Some(dst) = buf.get_mut(pos..pos + 2) {
            dst.copy_from_slice(&saved.to_le_bytes());
        }
    }
    if mask == 0 {
        FixupStatus::Ok
    } else {
        FixupStatus::Torn { mask }
    }
}

/// Parses the header of a record (after fixups).
pub fn parse_header(b: &[u8], number: u64, offset: u64) -> Result<RecordHeader> {
    let bad = |reason: &str| Error::BadRecord {
        record: number,
        offset,
        reason: reason.to_string(),
    };
    let sig: [u8; 4] = slice(b, 0, 4)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| bad("record shorter than its header"))?;
    if b.len() < 42 {
        return Err(bad("record shorter than its header"));
    }
    let signature = match &sig {
        b"FILE" => Signature::File,
        b"BAAD" => Signature::Baad,
        _ => Signature::Other(sig),
    };
    let usa_offset = le_u16(b, 4).unwrap_or(0);
    let first_attribute_offset = le_u16(b, 20).unwrap_or(0);
    // NTFS 3.1 headers (USA at 48 or later) carry the record number at 44.
    let record_number = if usa_offset >= 48 && first_attribute_offset >= 48 {
        le_u32(b, 44)
    } else {
        None
    };
    Ok(RecordHeader {
        signature,
        usa_offset,
        usa_count: le_u16(b, 6).unwrap_or(0),
        lsn: le_u64(b, 8).unwrap_or(0),
        sequence: le_u16(b, 16).unwrap_or(0),
        link_count: le_u16(b, 18).unwrap_or(0),
        first_attribute_offset,
        flags: RecordFlags::from_bits_retain(le_u16(b, 22).unwrap_or(0)),
        used_size: le_u32(b, 24).unwrap_or(0),
        allocated_size: le_u32(b, 28).unwrap_or(0),
        base_reference: FileReference(le_u64(b, 32).unwrap_or(0)),
        next_instance: le_u16(b, 40).unwrap_or(0),
        record_number,
    })
}

/// Parses one FILE record from bytes (copied; fixups applied on the copy).
///
/// `number` is the entry number to report (e.g. the index in the MFT, or
/// the header's own number for carved records). Only `FILE` and `BAAD`
/// signatures are accepted; anything else (including an all-zero, never
/// used record) is an error.
pub fn parse_record(bytes: &[u8], number: u64) -> Result<Record> {
    let mut buf = bytes.to_vec();
    parse_record_in_place(&mut buf, number, 0)
}

/// Like [`parse_record`], applying fixups in `buf` itself (no copy).
/// `offset` is the record's byte position, used in errors.
pub fn parse_record_in_place(buf: &mut [u8], number: u64, offset: u64) -> Result<Record> {
    let sig = slice(buf, 0, 4);
    if sig != Some(b"FILE") && sig != Some(b"BAAD") {
        return Err(Error::BadRecord {
            record: number,
            offset,
            reason: if buf.iter().take(64).all(|&b| b == 0) {
                "empty (zeroed) record".into()
            } else {
                "no FILE signature".into()
            },
        });
    }
    let fixup = apply_fixups(buf);
    let buf: &[u8] = buf;
    let header = parse_header(buf, number, offset)?;
    let mut attributes = Vec::new();
    let mut attribute_errors = Vec::new();
    // The walk is bounded by the used size (when sane) and the buffer.
    let used = (header.used_size as usize).min(buf.len());
    let limit = if used >= usize::from(header.first_attribute_offset) + 8 {
        used
    } else {
        buf.len()
    };
    let mut pos = usize::from(header.first_attribute_offset);
    if pos < 24 {
        attribute_errors.push(format!("first attribute offset {pos} inside the header"));
    } else {
        while pos + 4 <= limit {
            let Some(t) = le_u32(buf, pos) else { break };
            if t == 0xFFFF_FFFF {
                break;
            }
            match parse_attribute(buf, pos, limit, number) {
                Ok((a, len)) => {
                    attributes.push(a);
                    pos += len;
                }
                Err(e) => {
                    attribute_errors.push(e.to_string());
                    break;
                }
            }
        }
    }
    Ok(Record {
        number,
        header,
        fixup,
        attributes,
        attribute_errors,
    })
}

/// Parses the attribute at `pos`; returns it and its length.
fn parse_attribute(b: &[u8], pos: usize, limit: usize, record: u64) -> Result<(Attribute, usize)> {
    let bad = |reason: String| Error::BadAttribute {
        record,
        offset: pos as u64,
        reason,
    };
    let type_code = AttrType(le_u32(b, pos).ok_or_else(|| bad("truncated header".into()))?);
    let len = le_u32(b, pos + 4).ok_or_else(|| bad("truncated header".into()))? as usize;
    if len < 16 || len % 8 != 0 || pos.checked_add(len).is_none_or(|e| e > limit) {
        return Err(bad(format!(
            "length {len} invalid or past the record's used size"
        )));
    }
    let a = slice(b, pos, len).ok_or_else(|| bad("truncated".into()))?;
    let non_resident = u8_at(a, 8).unwrap_or(0);
    let name_len = usize::from(u8_at(a, 9).unwrap_or(0));
    let name_off = usize::from(le_u16(a, 10).unwrap_or(0));
    let flags = AttrFlags::from_bits_retain(le_u16(a, 12).unwrap_or(0));
    let instance = le_u16(a, 14).unwrap_or(0);
    let name = if name_len == 0 {
        String::new()
    } else {
        slice(a, name_off, name_len * 2)
            .map(utf16le_lossy)
            .ok_or_else(|| bad("name runs past the attribute".into()))?
    };
    let body = match non_resident {
        0 => {
            let vlen =
                le_u32(a, 16).ok_or_else(|| bad("truncated resident header".into()))? as usize;
            let voff = usize::from(le_u16(a, 20).unwrap_or(0));
            let value = slice(a, voff, vlen).ok_or_else(|| {
                bad(format!(
                    "resident value ({vlen} bytes at {voff}) runs past the attribute"
                ))
            })?;
            AttrBody::Resident {
                value: value.to_vec(),
                indexed: u8_at(a, 22).unwrap_or(0) != 0,
            }
        }
        1 => {
            if len < 64 {
                return Err(bad("non-resident header shorter than 64 bytes".into()));
            }
            let lowest_vcn = le_i64(a, 16).unwrap_or(0);
            if lowest_vcn < 0 {
                return Err(bad("negative lowest VCN".into()));
            }
            let highest_vcn = le_i64(a, 24).unwrap_or(-1);
            let mp_off = usize::from(le_u16(a, 32).unwrap_or(0));
            let cu = le_u16(a, 34).unwrap_or(0);
            let total_allocated = if cu != 0 && len >= 72 {
                le_u64(a, 64)
            } else {
                None
            };
            let (runs, run_error) = match a.get(mp_off..) {
                Some(mp) if mp_off >= 64 => {
                    let (r, e) = decode_runs_lenient(mp, lowest_vcn as u64);
                    (r, e.map(|e| e.to_string()))
                }
                _ => (
                    Vec::new(),
                    Some(format!(
                        "mapping pairs offset {mp_off} outside the attribute"
                    )),
                ),
            };
            AttrBody::NonResident(NonResident {
                lowest_vcn: lowest_vcn as u64,
                highest_vcn,
                compression_unit: cu,
                allocated_size: le_u64(a, 40).unwrap_or(0),
                data_size: le_u64(a, 48).unwrap_or(0),
                initialized_size: le_u64(a, 56).unwrap_or(0),
                total_allocated,
                runs,
                run_error,
                extents: 1,
            })
        }
        other => return Err(bad(format!("non-resident flag {other}"))),
    };
    Ok((
        Attribute {
            type_code,
            name,
            flags,
            instance,
            record,
            offset: pos as u16,
            body,
        },
        len,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_size_fixup_array_is_flagged_not_fatal() {
        let mut r = vec![0u8; 1024];
        r[..4].copy_from_slice(b"FILE");
        r[4..6].copy_from_slice(&48u16.to_le_bytes());
        r[6..8].copy_from_slice(&0u16.to_le_bytes()); // USA count 0
        r[20..22].copy_from_slice(&56u16.to_le_bytes());
        r[24..28].copy_from_slice(&64u32.to_le_bytes());
        r[56..60].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        let rec = parse_record(&r, 7).unwrap();
        assert_eq!(rec.fixup, FixupStatus::Invalid);
        assert!(rec.attributes.is_empty());
    }
}
