//! One USN record: `USN_RECORD_V2`, `USN_RECORD_V3` and `USN_RECORD_V4`.
//!
//! Sources: [MSDOCS] `sdk-api-src/content/winioctl/ns-winioctl-usn_record_v2.md`,
//! `..._usn_record_v3.md`, `..._usn_record_v4.md`, `..._usn_record_extent.md`;
//! `docs/formats/ntfs.md` §7.2 (offsets verified on `dfir_ntfs_usnjrnlj.bin`
//! against Windows' own `fsutil usn readjournal`).
//!
//! ```text
//! off  V2 (60 + name)      V3 (76 + name)        V4 (64 + extents)
//!   0  u32 length          same                  same
//!   4  u16 major, minor    same                  same
//!   8  u64 file ref        u128 file id          u128 file id
//!  16  u64 parent ref
//!  24  i64 usn             u128 parent id        u128 parent id
//!  32  FILETIME
//!  40  u32 reason          i64 usn               i64 usn
//!  44  u32 source info
//!  48  u32 security id     FILETIME              u32 reason, u32 source info
//!  52  u32 attributes
//!  56  u16 name len/off    u32 reason            u32 remaining extents
//!  60  name                u32 source info       u16 extent count, u16 extent size
//!  64                      u32 security id       extents: i64 offset, i64 length
//!  68                      u32 attributes
//!  72                      u16 name len, u16 name offset
//! ```

use rift_io::bytes::{le_i64, le_u16, le_u32, le_u64, slice, utf16le_lossy};
use rift_io::time::FileTime;

use crate::flags::{FileAttributes, Reason, SourceInfo};
use crate::{Damage, DamageKind};

/// Records never straddle a page of this size (the journal is written in
/// 4 KiB pages; the rest of a page after its last record is zero-filled).
pub const USN_PAGE_SIZE: usize = 4096;

/// Fixed part of a V2 record (the name follows at offset 60).
pub const V2_HEADER_LEN: usize = 60;
/// Fixed part of a V3 record (the name follows at offset 76).
pub const V3_HEADER_LEN: usize = 76;
/// Fixed part of a V4 record (the extents follow at offset 64).
pub const V4_HEADER_LEN: usize = 64;

/// A file identifier as the journal stores it.
///
/// V2 records carry a 64-bit NTFS file reference (48-bit MFT entry number,
/// 16-bit sequence number); V3/V4 carry a 128-bit `FILE_ID_128`, which on
/// NTFS is the same reference zero-extended. The full 128 bits are kept so
/// that ReFS identifiers survive unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u128);

impl FileId {
    /// A 64-bit NTFS file reference.
    pub fn from_reference(reference: u64) -> Self {
        FileId(u128::from(reference))
    }

    /// An NTFS reference built from its parts.
    pub fn from_parts(entry: u64, sequence: u16) -> Self {
        FileId(u128::from(
            (entry & 0xFFFF_FFFF_FFFF) | (u64::from(sequence) << 48),
        ))
    }

    /// The low 64 bits: the NTFS file reference.
    pub fn reference(self) -> u64 {
        self.0 as u64
    }

    /// The MFT entry number (low 48 bits).
    pub fn entry(self) -> u64 {
        self.reference() & 0xFFFF_FFFF_FFFF
    }

    /// The MFT sequence number (bits 48..64).
    pub fn sequence(self) -> u16 {
        (self.reference() >> 48) as u16
    }

    /// `true` when the high 64 bits are zero, i.e. the id is an NTFS file
    /// reference that an `$MFT` lookup can resolve.
    pub fn is_ntfs_reference(self) -> bool {
        self.0 >> 64 == 0
    }
}

/// A byte range of a file modified while range tracking was on (V4 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extent {
    /// Offset of the range in the file.
    pub offset: i64,
    /// Length of the range.
    pub length: i64,
}

/// One decoded USN record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsnRecord {
    /// Byte offset of the record in its source: the `$J` stream (equal to
    /// the USN on an intact journal), or the image/volume for carved records.
    pub offset: u64,
    /// Record length as stored (8-aligned).
    pub length: u32,
    /// Major version: 2, 3 or 4.
    pub major: u16,
    /// Minor version (0 on every journal seen).
    pub minor: u16,
    /// The file the record is about.
    pub file_id: FileId,
    /// Its parent directory at the time of the record.
    pub parent_id: FileId,
    /// Update sequence number (the record's offset in `$J`).
    pub usn: i64,
    /// When the change was recorded; `FileTime(0)` for V4 records, which
    /// carry no time.
    pub timestamp: FileTime,
    /// Why the record was written.
    pub reason: Reason,
    /// Who made the change.
    pub source_info: SourceInfo,
    /// Key into `$Secure:$SII` (0 for V4).
    pub security_id: u32,
    /// File attributes (0 for V4).
    pub attributes: FileAttributes,
    /// File name (no path); empty for V4.
    pub name: String,
    /// V4 only: modified ranges in this record.
    pub extents: Vec<Extent>,
    /// V4 only: extents still to come in later V4 records.
    pub remaining_extents: u32,
}

impl UsnRecord {
    /// The extension as MFTECmd prints it (`Path.GetExtension`): the last
    /// `.` and what follows, empty when there is none or it ends the name.
    pub fn extension(&self) -> &str {
        extension_of(&self.name)
    }
}

/// `Path.GetExtension` semantics on a bare name.
pub fn extension_of(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i + 1 < name.len() => name.get(i..).unwrap_or(""),
        _ => "",
    }
}

fn damage(offset: u64, kind: DamageKind, length: u32, major: u16) -> Damage {
    Damage {
        offset,
        kind,
        length,
        major,
    }
}

/// Checks the fixed fields of a record at the start of `buf` without
/// decoding it: the length is 8-aligned, within `buf`, long enough for the
/// version's fixed part, and the name or extents lie inside the record.
///
/// `buf` should end at the page end so that a length reaching past the page
/// is rejected. Returns the record length on success.
pub fn check_record(buf: &[u8]) -> Result<usize, DamageKind> {
    let length = le_u32(buf, 0).ok_or(DamageKind::Truncated)? as usize;
    let major = le_u16(buf, 4).ok_or(DamageKind::Truncated)?;
    let minor = le_u16(buf, 6).ok_or(DamageKind::Truncated)?;
    if length == 0 {
        return Err(DamageKind::ZeroLength);
    }
    if length % 8 != 0 {
        return Err(DamageKind::Misaligned);
    }
    if length > buf.len() {
        return Err(DamageKind::PastPage);
    }
    if minor != 0 {
        return Err(DamageKind::UnknownVersion);
    }
    let (fixed, name_at) = match major {
        2 => (V2_HEADER_LEN, 56),
        3 => (V3_HEADER_LEN, 72),
        4 => (V4_HEADER_LEN, 0),
        _ => return Err(DamageKind::UnknownVersion),
    };
    if length < fixed {
        return Err(DamageKind::TooShort);
    }
    if major == 4 {
        let count = usize::from(le_u16(buf, 60).ok_or(DamageKind::Truncated)?);
        let size = usize::from(le_u16(buf, 62).ok_or(DamageKind::Truncated)?);
        if count > 0 && size < 16 {
            return Err(DamageKind::BadExtents);
        }
        let end = count
            .checked_mul(size)
            .and_then(|n| n.checked_add(fixed))
            .ok_or(DamageKind::BadExtents)?;
        if end > length {
            return Err(DamageKind::BadExtents);
        }
        return Ok(length);
    }
    let name_len = usize::from(le_u16(buf, name_at).ok_or(DamageKind::Truncated)?);
    let name_off = usize::from(le_u16(buf, name_at + 2).ok_or(DamageKind::Truncated)?);
    if name_off < fixed || name_len % 2 != 0 || name_off + name_len > length {
        return Err(DamageKind::BadName);
    }
    Ok(length)
}

/// Decodes the record at the start of `buf` (which should end at the page
/// end). `offset` is the absolute position of `buf[0]`, used for the
/// record's [`UsnRecord::offset`] and for errors.
pub fn parse_record(buf: &[u8], offset: u64) -> Result<UsnRecord, Damage> {
    let major = le_u16(buf, 4).unwrap_or(0);
    let length_raw = le_u32(buf, 0).unwrap_or(0);
    let length = check_record(buf).map_err(|k| damage(offset, k, length_raw, major))?;
    let rec =
        slice(buf, 0, length).ok_or(damage(offset, DamageKind::PastPage, length_raw, major))?;
    let t = || damage(offset, DamageKind::Truncated, length_raw, major);
    let u32_at = |o: usize| le_u32(rec, o).ok_or_else(t);
    let name_at = |len_at: usize| -> Result<String, Damage> {
        let n = usize::from(le_u16(rec, len_at).ok_or_else(t)?);
        let o = usize::from(le_u16(rec, len_at + 2).ok_or_else(t)?);
        Ok(utf16le_lossy(slice(rec, o, n).ok_or_else(t)?))
    };
    let id128 = |o: usize| -> Result<FileId, Damage> {
        let lo = le_u64(rec, o).ok_or_else(t)?;
        let hi = le_u64(rec, o + 8).ok_or_else(t)?;
        Ok(FileId(u128::from(lo) | (u128::from(hi) << 64)))
    };
    let mut r = UsnRecord {
        offset,
        length: length_raw,
        major,
        minor: 0,
        file_id: FileId::default(),
        parent_id: FileId::default(),
        usn: 0,
        timestamp: FileTime(0),
        reason: Reason::empty(),
        source_info: SourceInfo::empty(),
        security_id: 0,
        attributes: FileAttributes::empty(),
        name: String::new(),
        extents: Vec::new(),
        remaining_extents: 0,
    };
    match major {
        2 => {
            r.file_id = FileId::from_reference(le_u64(rec, 8).ok_or_else(t)?);
            r.parent_id = FileId::from_reference(le_u64(rec, 16).ok_or_else(t)?);
            r.usn = le_i64(rec, 24).ok_or_else(t)?;
            r.timestamp = FileTime(le_u64(rec, 32).ok_or_else(t)?);
            r.reason = Reason::from_bits_retain(u32_at(40)?);
            r.source_info = SourceInfo::from_bits_retain(u32_at(44)?);
            r.security_id = u32_at(48)?;
            r.attributes = FileAttributes::from_bits_retain(u32_at(52)?);
            r.name = name_at(56)?;
        }
        3 => {
            r.file_id = id128(8)?;
            r.parent_id = id128(24)?;
            r.usn = le_i64(rec, 40).ok_or_else(t)?;
            r.timestamp = FileTime(le_u64(rec, 48).ok_or_else(t)?);
            r.reason = Reason::from_bits_retain(u32_at(56)?);
            r.source_info = SourceInfo::from_bits_retain(u32_at(60)?);
            r.security_id = u32_at(64)?;
            r.attributes = FileAttributes::from_bits_retain(u32_at(68)?);
            r.name = name_at(72)?;
        }
        _ => {
            r.file_id = id128(8)?;
            r.parent_id = id128(24)?;
            r.usn = le_i64(rec, 40).ok_or_else(t)?;
            r.reason = Reason::from_bits_retain(u32_at(48)?);
            r.source_info = SourceInfo::from_bits_retain(u32_at(52)?);
            r.remaining_extents = u32_at(56)?;
            let count = usize::from(le_u16(rec, 60).ok_or_else(t)?);
            let size = usize::from(le_u16(rec, 62).ok_or_else(t)?);
            r.extents.reserve(count.min(length / 16));
            for i in 0..count {
                let at = V4_HEADER_LEN + i * size;
                r.extents.push(Extent {
                    offset: le_i64(rec, at).ok_or_else(t)?,
                    length: le_i64(rec, at + 8).ok_or_else(t)?,
                });
            }
        }
    }
    Ok(r)
}

/// Stricter test used when carving unallocated space, where random bytes
/// must not pass for a record: V2/V3 only, the name starts right after the
/// fixed part, the length is exactly the 8-aligned fixed part + name, the
/// name is non-empty, the time lies between 1990 and 2100, the USN is
/// non-negative and 8-aligned, and no unknown reason bits are set.
pub fn plausible_for_carving(buf: &[u8]) -> bool {
    let Ok(length) = check_record(buf) else {
        return false;
    };
    let Some(major) = le_u16(buf, 4) else {
        return false;
    };
    let (fixed, name_at, usn_at, time_at, reason_at, ref_check) = match major {
        2 => (V2_HEADER_LEN, 56, 24, 32, 40, true),
        3 => (V3_HEADER_LEN, 72, 40, 48, 56, false),
        _ => return false,
    };
    let (Some(name_len), Some(name_off)) = (le_u16(buf, name_at), le_u16(buf, name_at + 2)) else {
        return false;
    };
    let (name_len, name_off) = (usize::from(name_len), usize::from(name_off));
    if name_off != fixed || name_len == 0 || length != (fixed + name_len + 7) & !7 {
        return false;
    }
    // 1990-01-01 .. 2100-01-01 in FILETIME ticks.
    const MIN_TIME: u64 = 0x01B4_2E72_0C5C_4000;
    const MAX_TIME: u64 = 0x0257_8C9E_1F0E_4000;
    let time_ok = le_u64(buf, time_at).is_some_and(|t| (MIN_TIME..MAX_TIME).contains(&t));
    let usn_ok = le_i64(buf, usn_at).is_some_and(|u| u >= 0 && u % 8 == 0);
    let known = Reason::all().bits();
    let reason_ok = le_u32(buf, reason_at).is_some_and(|r| r != 0 && r & !known == 0);
    // V2 references: the entry number of a real volume fits in 32 bits.
    let refs_ok = !ref_check
        || (le_u64(buf, 8).is_some_and(|r| r & 0xFFFF_0000_0000 == 0)
            && le_u64(buf, 16).is_some_and(|r| r & 0xFFFF_0000_0000 == 0));
    let name_ok = slice(buf, name_off, name_len).is_some_and(|n| {
        n.chunks_exact(2)
            .filter_map(|c| c.try_into().ok().map(u16::from_le_bytes))
            .all(|u| u >= 0x20)
    });
    time_ok && usn_ok && reason_ok && refs_ok && name_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A V2 record written out by hand from the layout table above.
    pub(crate) fn v2(name: &str, file: u64, parent: u64, usn: i64, reason: u32) -> Vec<u8> {
        let name: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let len = (60 + name.len() + 7) & !7;
        let mut b = vec![0u8; len];
        b[0..4].copy_from_slice(&(len as u32).to_le_bytes());
        b[4..6].copy_from_slice(&2u16.to_le_bytes());
        b[8..16].copy_from_slice(&file.to_le_bytes());
        b[16..24].copy_from_slice(&parent.to_le_bytes());
        b[24..32].copy_from_slice(&usn.to_le_bytes());
        b[32..40].copy_from_slice(&0x01D4_B29A_6F9C_C0E9u64.to_le_bytes());
        b[40..44].copy_from_slice(&reason.to_le_bytes());
        b[52..56].copy_from_slice(&0x20u32.to_le_bytes());
        b[56..58].copy_from_slice(&(name.len() as u16).to_le_bytes());
        b[58..60].copy_from_slice(&60u16.to_le_bytes());
        b[60..60 + name.len()].copy_from_slice(&name);
        b
    }

    #[test]
    fn v2_by_hand() {
        let b = v2("a.txt", (3 << 48) | 40, (5 << 48) | 5, 4096, 0x8000_0100);
        let r = parse_record(&b, 4096).unwrap();
        assert_eq!(r.name, "a.txt");
        assert_eq!((r.file_id.entry(), r.file_id.sequence()), (40, 3));
        assert_eq!((r.parent_id.entry(), r.parent_id.sequence()), (5, 5));
        assert_eq!(r.reason, Reason::FILE_CREATE | Reason::CLOSE);
        assert_eq!(r.extension(), ".txt");
        assert!(plausible_for_carving(&b));
    }

    #[test]
    fn v3_keeps_128_bit_ids_and_sequence() {
        let name: Vec<u8> = "x".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let mut b = vec![0u8; 80];
        b[0..4].copy_from_slice(&80u32.to_le_bytes());
        b[4..6].copy_from_slice(&3u16.to_le_bytes());
        b[8..16].copy_from_slice(&((7u64 << 48) | 99).to_le_bytes());
        b[16..24].copy_from_slice(&0xAAu64.to_le_bytes());
        b[24..32].copy_from_slice(&((5u64 << 48) | 5).to_le_bytes());
        b[40..48].copy_from_slice(&128i64.to_le_bytes());
        b[48..56].copy_from_slice(&0x01D4_B29A_6F9C_C0E9u64.to_le_bytes());
        b[56..60].copy_from_slice(&0x100u32.to_le_bytes());
        b[72..74].copy_from_slice(&2u16.to_le_bytes());
        b[74..76].copy_from_slice(&76u16.to_le_bytes());
        b[76..78].copy_from_slice(&name);
        let r = parse_record(&b, 0).unwrap();
        assert_eq!(r.file_id.0, (0xAAu128 << 64) | ((7u128 << 48) | 99));
        assert_eq!(r.file_id.sequence(), 7);
        assert!(!r.file_id.is_ntfs_reference());
        assert_eq!(r.usn, 128);
        assert_eq!(r.name, "x");
    }

    #[test]
    fn hostile_lengths_are_damage_not_panics() {
        let mut b = v2("abc", 1, 5, 0, 0x100);
        b[58] = 0xF0; // name offset far past the record
        assert_eq!(check_record(&b), Err(DamageKind::BadName));
        let mut b = v2("abc", 1, 5, 0, 0x100);
        b[0..4].copy_from_slice(&0xFFFF_FFF8u32.to_le_bytes());
        assert_eq!(check_record(&b), Err(DamageKind::PastPage));
        assert_eq!(check_record(&[0u8; 8]), Err(DamageKind::ZeroLength));
        assert_eq!(check_record(&[1u8; 3]), Err(DamageKind::Truncated));
    }
}
