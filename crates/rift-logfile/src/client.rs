//! NTFS client data inside LFS records: the redo/undo operation record,
//! the NTFS restart area, and the small structures their payloads carry
//! (FILE record images, attributes, index entries, `$FILE_NAME`,
//! `$STANDARD_INFORMATION`, open attribute table entries, USN records).
//!
//! ```text
//! client record: 0 u16 redo op | 2 u16 undo op | 4 u16 redo offset | 6 u16 redo length
//!   8 u16 undo offset | 10 u16 undo length | 12 u16 target attribute (OAT offset)
//!   14 u16 LCNs to follow | 16 u16 record offset | 18 u16 attribute offset
//!   20 u16 cluster block offset (512-byte units) | 22 u16 target block size
//!   24 u64 target VCN | 32 u64 × n LCNs
//! ```
//!
//! Sources: `docs/formats/ntfs.md` §8.6–§8.7 ([DFIR_NTFS] `LogFile.py`,
//! [JSCHICHT] `LogFileParser.au3`, [NTFS3G] `logfile.h` `LOG_RECORD`),
//! §2.1, §3.1, §4.1, §4.3, §4.8 (FILE record, attribute, `$SI`, `$FN`,
//! index entry layouts).

use rift_io::bytes::{le_u16, le_u32, le_u64, slice, u8_at, utf16le_lossy};
use rift_io::time::FileTime;

use crate::ops::Op;

/// Most LCNs kept per record (the field is a u16; real records have 0–2).
const MAX_LCNS: usize = 64;

/// A decoded NTFS client (type 1) record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientRecord {
    /// Redo operation.
    pub redo_op: Op,
    /// Undo operation.
    pub undo_op: Op,
    /// Redo payload.
    pub redo: Vec<u8>,
    /// Undo payload.
    pub undo: Vec<u8>,
    /// Redo length as stored (the payload may be cut if the record is).
    pub redo_length: u16,
    /// Undo length as stored.
    pub undo_length: u16,
    /// Byte offset of the target's entry in the open attribute table.
    pub target_attribute: u16,
    /// Number of LCNs that follow.
    pub lcns_to_follow: u16,
    /// Offset of the changed structure in the target block (e.g. the
    /// attribute's offset in a FILE record).
    pub record_offset: u16,
    /// Offset inside that structure.
    pub attribute_offset: u16,
    /// Offset of the target block from the target VCN, in 512-byte units.
    pub cluster_block_offset: u16,
    /// Target block size in 512-byte units (0 when not given).
    pub target_block_size: u16,
    /// Target VCN.
    pub target_vcn: u64,
    /// Target LCNs.
    pub lcns: Vec<u64>,
}

impl ClientRecord {
    /// Decodes a complete client record.
    pub fn parse(d: &[u8]) -> Option<ClientRecord> {
        let mut r = Self::parse_partial(d)?;
        let redo_off = usize::from(le_u16(d, 4)?);
        let undo_off = usize::from(le_u16(d, 8)?);
        r.redo = slice(d, redo_off, usize::from(r.redo_length))
            .unwrap_or_default()
            .to_vec();
        r.undo = slice(d, undo_off, usize::from(r.undo_length))
            .unwrap_or_default()
            .to_vec();
        Some(r)
    }

    /// Decodes the fixed part only (payloads left empty).
    pub fn parse_partial(d: &[u8]) -> Option<ClientRecord> {
        let n = usize::from(le_u16(d, 14)?);
        let lcns = (0..n.min(MAX_LCNS))
            .map_while(|i| le_u64(d, 32 + i * 8))
            .collect();
        Some(ClientRecord {
            redo_op: Op::from_code(le_u16(d, 0)?),
            undo_op: Op::from_code(le_u16(d, 2)?),
            redo: Vec::new(),
            undo: Vec::new(),
            redo_length: le_u16(d, 6)?,
            undo_length: le_u16(d, 10)?,
            target_attribute: le_u16(d, 12)?,
            lcns_to_follow: le_u16(d, 14)?,
            record_offset: le_u16(d, 16)?,
            attribute_offset: le_u16(d, 18)?,
            cluster_block_offset: le_u16(d, 20)?,
            target_block_size: le_u16(d, 22)?,
            target_vcn: le_u64(d, 24)?,
            lcns,
        })
    }
}

/// The NTFS client restart area (type 2 record), written at each checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NtfsRestart {
    /// Major version (0 on Windows 7, 1 on Windows 8+).
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Start-of-checkpoint LSN.
    pub checkpoint_lsn: u64,
    /// LSN of the open attribute table dump.
    pub open_attribute_table_lsn: u64,
    /// LSN of the attribute names dump.
    pub attribute_names_lsn: u64,
    /// LSN of the dirty page table dump.
    pub dirty_page_table_lsn: u64,
    /// LSN of the transaction table dump.
    pub transaction_table_lsn: u64,
    /// Bytes per cluster (0 when the area is too short to hold it).
    pub bytes_per_cluster: u32,
    /// `$UsnJrnl` file reference (0 when absent).
    pub usn_journal_reference: u64,
}

impl NtfsRestart {
    /// Decodes the restart area.
    pub fn parse(d: &[u8]) -> Option<NtfsRestart> {
        Some(NtfsRestart {
            major: le_u32(d, 0)?,
            minor: le_u32(d, 4)?,
            checkpoint_lsn: le_u64(d, 8)?,
            open_attribute_table_lsn: le_u64(d, 16)?,
            attribute_names_lsn: le_u64(d, 24)?,
            dirty_page_table_lsn: le_u64(d, 32)?,
            transaction_table_lsn: le_u64(d, 40)?,
            bytes_per_cluster: le_u32(d, 80).unwrap_or(0),
            usn_journal_reference: le_u64(d, 88).unwrap_or(0),
        })
    }
}

/// `$FILE_NAME` value (also the key of an `$I30` index entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileNameValue {
    /// Parent directory reference.
    pub parent: u64,
    /// Created, modified, MFT changed, accessed.
    pub times: [FileTime; 4],
    /// Data size.
    pub data_size: u64,
    /// File attributes.
    pub attributes: u32,
    /// Namespace: 0 POSIX, 1 Win32, 2 DOS, 3 Win32+DOS.
    pub namespace: u8,
    /// The name.
    pub name: String,
}

impl FileNameValue {
    /// Decodes a `$FILE_NAME` value.
    pub fn parse(v: &[u8]) -> Option<FileNameValue> {
        let len = usize::from(u8_at(v, 64)?);
        if len == 0 {
            return None;
        }
        Some(FileNameValue {
            parent: le_u64(v, 0)?,
            times: [
                FileTime(le_u64(v, 8)?),
                FileTime(le_u64(v, 16)?),
                FileTime(le_u64(v, 24)?),
                FileTime(le_u64(v, 32)?),
            ],
            data_size: le_u64(v, 48)?,
            attributes: le_u32(v, 56)?,
            namespace: u8_at(v, 65)?,
            name: utf16le_lossy(slice(v, 66, len * 2)?),
        })
    }
}

/// `$STANDARD_INFORMATION` times and attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StandardInfo {
    /// Created, modified, MFT changed, accessed.
    pub times: [FileTime; 4],
    /// File attributes.
    pub attributes: u32,
}

impl StandardInfo {
    /// Decodes the first 36 bytes of a `$STANDARD_INFORMATION` value.
    pub fn parse(v: &[u8]) -> Option<StandardInfo> {
        Some(StandardInfo {
            times: [
                FileTime(le_u64(v, 0)?),
                FileTime(le_u64(v, 8)?),
                FileTime(le_u64(v, 16)?),
                FileTime(le_u64(v, 24)?),
            ],
            attributes: le_u32(v, 32)?,
        })
    }
}

/// An `$I30` index entry: the child's reference and its `$FILE_NAME` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexEntry {
    /// The child's file reference.
    pub file_reference: u64,
    /// The key.
    pub key: FileNameValue,
}

impl IndexEntry {
    /// Decodes an index entry (0 u64 reference, 8 u16 length, 10 u16 key
    /// length, 12 u32 flags, 16 key).
    pub fn parse(e: &[u8]) -> Option<IndexEntry> {
        let key_len = usize::from(le_u16(e, 10)?);
        if key_len < 66 {
            return None;
        }
        let key = FileNameValue::parse(slice(e, 16, key_len)?)?;
        Some(IndexEntry {
            file_reference: le_u64(e, 0)?,
            key,
        })
    }
}

/// One attribute of a FILE record image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeImage<'a> {
    /// Offset of the attribute in the record.
    pub offset: usize,
    /// Attribute type.
    pub type_code: u32,
    /// Resident value (None for non-resident).
    pub value: Option<&'a [u8]>,
}

/// Decodes one attribute record at the start of `a`.
pub fn attribute_at(a: &[u8], offset: usize) -> Option<AttributeImage<'_>> {
    let type_code = le_u32(a, 0)?;
    let non_resident = u8_at(a, 8)? != 0;
    let value = if non_resident {
        None
    } else {
        let len = le_u32(a, 16)? as usize;
        let off = usize::from(le_u16(a, 20)?);
        Some(slice(a, off, len)?)
    };
    Some(AttributeImage {
        offset,
        type_code,
        value,
    })
}

/// A FILE record image (InitializeFileRecordSegment redo).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecordImage {
    /// Sequence number.
    pub sequence: u16,
    /// Header flags (0x1 in use, 0x2 directory).
    pub flags: u16,
    /// Base record reference (0 for a base record).
    pub base_reference: u64,
    /// Record number stored at 44 (NTFS 3.1).
    pub record_number: Option<u32>,
    /// `$STANDARD_INFORMATION`, when present.
    pub standard_info: Option<StandardInfo>,
    /// `$FILE_NAME` values (all namespaces).
    pub file_names: Vec<FileNameValue>,
    /// (offset, type) of every attribute.
    pub attributes: Vec<(usize, u32)>,
}

impl FileRecordImage {
    /// Decodes a FILE record image (fixups are not applied in the log; the
    /// attributes written are short enough not to cross a 512-byte stride
    /// in practice, and a damaged one only loses that attribute).
    pub fn parse(d: &[u8]) -> Option<FileRecordImage> {
        if d.get(0..4)? != b"FILE" {
            return None;
        }
        let usa = le_u16(d, 4)?;
        let mut img = FileRecordImage {
            sequence: le_u16(d, 16)?,
            flags: le_u16(d, 22)?,
            base_reference: le_u64(d, 32).unwrap_or(0),
            record_number: (usa >= 48).then(|| le_u32(d, 44)).flatten(),
            standard_info: None,
            file_names: Vec::new(),
            attributes: Vec::new(),
        };
        let mut off = usize::from(le_u16(d, 20)?);
        for _ in 0..64 {
            let Some(a) = d.get(off..) else { break };
            let ty = le_u32(a, 0).unwrap_or(0xFFFF_FFFF);
            let len = le_u32(a, 4).unwrap_or(0) as usize;
            if ty == 0xFFFF_FFFF || len < 16 || len % 8 != 0 {
                break;
            }
            img.attributes.push((off, ty));
            if let Some(attr) = attribute_at(a.get(..len.min(a.len())).unwrap_or_default(), off) {
                match (ty, attr.value) {
                    (0x10, Some(v)) => img.standard_info = StandardInfo::parse(v),
                    (0x30, Some(v)) => img.file_names.extend(FileNameValue::parse(v)),
                    _ => {}
                }
            }
            off += len;
        }
        Some(img)
    }

    /// The primary (non-DOS) name, else any.
    pub fn primary_name(&self) -> Option<&FileNameValue> {
        self.file_names
            .iter()
            .find(|f| f.namespace != 2)
            .or_else(|| self.file_names.first())
    }
}

/// An open attribute table entry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpenAttribute {
    /// File reference of the attribute's file.
    pub file_reference: u64,
    /// Attribute type code.
    pub type_code: u32,
    /// Attribute name (from the open's undo data or the names dump).
    pub name: String,
}

/// Decodes an open attribute table entry: 40 bytes (Windows 8+: 0 marker,
/// 4 bytes per index buffer, 8 type, 16 file reference, 24 LSN) or 44 bytes
/// (Windows 7: 8 file reference, 16 LSN, 28 type).
pub fn open_attribute_entry(e: &[u8], entry_size: usize) -> Option<OpenAttribute> {
    if entry_size == 44 {
        Some(OpenAttribute {
            file_reference: le_u64(e, 8)?,
            type_code: le_u32(e, 28)?,
            name: String::new(),
        })
    } else {
        Some(OpenAttribute {
            file_reference: le_u64(e, 16)?,
            type_code: le_u32(e, 8)?,
            name: String::new(),
        })
    }
}

/// Decodes an `OpenAttributeTableDump` restart table into (OAT offset,
/// entry) pairs. Header: 0 u16 entry size, 2 u16 entries, 4 u16 allocated,
/// entries from 24; allocated entries start with 0xFFFFFFFF.
pub fn open_attribute_table(d: &[u8]) -> Vec<(u16, OpenAttribute)> {
    let mut out = Vec::new();
    let (Some(size), Some(count)) = (le_u16(d, 0), le_u16(d, 2)) else {
        return out;
    };
    let size = usize::from(size);
    if !(40..=64).contains(&size) {
        return out;
    }
    for i in 0..usize::from(count) {
        let at = 24 + i * size;
        let Some(e) = slice(d, at, size) else { break };
        if le_u32(e, 0) != Some(0xFFFF_FFFF) {
            continue;
        }
        if let (Some(a), Ok(key)) = (open_attribute_entry(e, size), u16::try_from(at)) {
            out.push((key, a));
        }
    }
    out
}

/// Decodes an `AttributeNamesDump`: repeated {u16 OAT offset, u16 name byte
/// length, name, u16 NUL}.
pub fn attribute_names(d: &[u8]) -> Vec<(u16, String)> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while let (Some(key), Some(len)) = (le_u16(d, at), le_u16(d, at + 2)) {
        if key == 0 {
            break;
        }
        let len = usize::from(len);
        let Some(name) = slice(d, at + 4, len) else {
            break;
        };
        out.push((key, utf16le_lossy(name)));
        at += 4 + len + 2;
    }
    out
}

/// The few fields of a `USN_RECORD_V2` logged as the redo of an
/// `UpdateNonresidentValue` on `$J` (decoded here rather than through
/// rift-usn: parser crates do not depend on each other).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedUsn {
    /// File reference.
    pub file_reference: u64,
    /// Parent reference.
    pub parent_reference: u64,
    /// USN.
    pub usn: i64,
    /// Time.
    pub timestamp: FileTime,
    /// Reason bits.
    pub reason: u32,
    /// Name.
    pub name: String,
}

impl LoggedUsn {
    /// Decodes a V2 record at the start of `d` (strictly: version 2.0, name
    /// at 60 and inside the record).
    pub fn parse(d: &[u8]) -> Option<LoggedUsn> {
        let len = le_u32(d, 0)? as usize;
        if le_u16(d, 4)? != 2 || le_u16(d, 6)? != 0 || le_u16(d, 58)? != 60 || len < 60 {
            return None;
        }
        let nlen = usize::from(le_u16(d, 56)?);
        if 60 + nlen > len {
            return None;
        }
        Some(LoggedUsn {
            file_reference: le_u64(d, 8)?,
            parent_reference: le_u64(d, 16)?,
            usn: le_u64(d, 24)? as i64,
            timestamp: FileTime(le_u64(d, 32)?),
            reason: le_u32(d, 40)?,
            name: utf16le_lossy(slice(d, 60, nlen)?),
        })
    }
}
