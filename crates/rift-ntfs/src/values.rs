//! Typed attribute values.
//!
//! Sources: libfsntfs "MFT attribute" sections (standard information, file
//! name, attribute list, object identifier, volume name/information, index
//! root, reparse point, extended attributes, logged utility stream);
//! ntfs-3g `layout.h`; shared notes §4 (each layout verified on Windows-made
//! FILE records listed there). Every parser takes the attribute value bytes
//! and returns an error (with the offset inside the value) when they are too
//! short; fields are never read past the value.

use rift_io::bytes::{le_u16, le_u32, le_u64, slice, u8_at, utf16le_lossy};
use rift_io::time::FileTime;

use crate::error::{Error, Result};

/// An MFT file reference: 48-bit entry number + 16-bit sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileReference(pub u64);

impl FileReference {
    /// Builds a reference from entry and sequence numbers.
    pub fn new(entry: u64, sequence: u16) -> Self {
        FileReference((entry & 0xFFFF_FFFF_FFFF) | (u64::from(sequence) << 48))
    }
    /// MFT entry number (low 48 bits).
    pub fn entry(self) -> u64 {
        self.0 & 0xFFFF_FFFF_FFFF
    }
    /// Sequence number (high 16 bits).
    pub fn sequence(self) -> u16 {
        (self.0 >> 48) as u16
    }
}

impl std::fmt::Display for FileReference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.entry(), self.sequence())
    }
}

/// Attribute type code (`$STANDARD_INFORMATION` = 0x10 …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AttrType(pub u32);

#[allow(missing_docs)]
impl AttrType {
    pub const STANDARD_INFORMATION: AttrType = AttrType(0x10);
    pub const ATTRIBUTE_LIST: AttrType = AttrType(0x20);
    pub const FILE_NAME: AttrType = AttrType(0x30);
    pub const OBJECT_ID: AttrType = AttrType(0x40);
    pub const SECURITY_DESCRIPTOR: AttrType = AttrType(0x50);
    pub const VOLUME_NAME: AttrType = AttrType(0x60);
    pub const VOLUME_INFORMATION: AttrType = AttrType(0x70);
    pub const DATA: AttrType = AttrType(0x80);
    pub const INDEX_ROOT: AttrType = AttrType(0x90);
    pub const INDEX_ALLOCATION: AttrType = AttrType(0xA0);
    pub const BITMAP: AttrType = AttrType(0xB0);
    pub const REPARSE_POINT: AttrType = AttrType(0xC0);
    pub const EA_INFORMATION: AttrType = AttrType(0xD0);
    pub const EA: AttrType = AttrType(0xE0);
    pub const PROPERTY_SET: AttrType = AttrType(0xF0);
    pub const LOGGED_UTILITY_STREAM: AttrType = AttrType(0x100);
    pub const END: AttrType = AttrType(0xFFFF_FFFF);
}

impl AttrType {
    /// The attribute's conventional name (`$DATA`), or `"0x1234"`.
    pub fn name(self) -> std::borrow::Cow<'static, str> {
        let s = match self.0 {
            0x10 => "$STANDARD_INFORMATION",
            0x20 => "$ATTRIBUTE_LIST",
            0x30 => "$FILE_NAME",
            0x40 => "$OBJECT_ID",
            0x50 => "$SECURITY_DESCRIPTOR",
            0x60 => "$VOLUME_NAME",
            0x70 => "$VOLUME_INFORMATION",
            0x80 => "$DATA",
            0x90 => "$INDEX_ROOT",
            0xA0 => "$INDEX_ALLOCATION",
            0xB0 => "$BITMAP",
            0xC0 => "$REPARSE_POINT",
            0xD0 => "$EA_INFORMATION",
            0xE0 => "$EA",
            0xF0 => "$PROPERTY_SET",
            0x100 => "$LOGGED_UTILITY_STREAM",
            other => return format!("{other:#x}").into(),
        };
        s.into()
    }
}

bitflags::bitflags! {
    /// `FILE_ATTRIBUTE_*` flags of $STANDARD_INFORMATION / $FILE_NAME.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct FileAttributes: u32 {
        /// `FILE_ATTRIBUTE_READONLY`.
        const READONLY = 0x1;
        /// `FILE_ATTRIBUTE_HIDDEN`.
        const HIDDEN = 0x2;
        /// `FILE_ATTRIBUTE_SYSTEM`.
        const SYSTEM = 0x4;
        /// `FILE_ATTRIBUTE_DIRECTORY`.
        const DIRECTORY = 0x10;
        /// `FILE_ATTRIBUTE_ARCHIVE`.
        const ARCHIVE = 0x20;
        /// `FILE_ATTRIBUTE_DEVICE`.
        const DEVICE = 0x40;
        /// `FILE_ATTRIBUTE_NORMAL`.
        const NORMAL = 0x80;
        /// `FILE_ATTRIBUTE_TEMPORARY`.
        const TEMPORARY = 0x100;
        /// `FILE_ATTRIBUTE_SPARSE_FILE`.
        const SPARSE_FILE = 0x200;
        /// `FILE_ATTRIBUTE_REPARSE_POINT`.
        const REPARSE_POINT = 0x400;
        /// `FILE_ATTRIBUTE_COMPRESSED`.
        const COMPRESSED = 0x800;
        /// `FILE_ATTRIBUTE_OFFLINE`.
        const OFFLINE = 0x1000;
        /// `FILE_ATTRIBUTE_NOT_CONTENT_INDEXED`.
        const NOT_CONTENT_INDEXED = 0x2000;
        /// `FILE_ATTRIBUTE_ENCRYPTED`.
        const ENCRYPTED = 0x4000;
        /// `FILE_ATTRIBUTE_INTEGRITY_STREAM`.
        const INTEGRITY_STREAM = 0x8000;
        /// `FILE_ATTRIBUTE_VIRTUAL`.
        const VIRTUAL = 0x10000;
        /// `FILE_ATTRIBUTE_NO_SCRUB_DATA`.
        const NO_SCRUB_DATA = 0x20000;
        /// `FILE_ATTRIBUTE_RECALL_ON_OPEN`.
        const RECALL_ON_OPEN = 0x40000;
        /// `FILE_ATTRIBUTE_PINNED`.
        const PINNED = 0x80000;
        /// `FILE_ATTRIBUTE_UNPINNED`.
        const UNPINNED = 0x100000;
        /// `FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS`.
        const RECALL_ON_DATA_ACCESS = 0x400000;
        /// NTFS-internal (in $FILE_NAME): the entry has an $I30 index.
        /// `FILE_ATTRIBUTE_DUP_FILE_NAME_INDEX_PRESENT`.
        const DUP_FILE_NAME_INDEX_PRESENT = 0x1000_0000;
        /// NTFS-internal (in $FILE_NAME): the entry has a view index.
        /// `FILE_ATTRIBUTE_DUP_VIEW_INDEX_PRESENT`.
        const DUP_VIEW_INDEX_PRESENT = 0x2000_0000;
        /// `FILE_ATTRIBUTE__`.
        const _ = !0;
    }
}

impl FileAttributes {
    /// Short names of the set flags, `|`-joined (`Hidden|System|Archive`),
    /// in the style MFTECmd uses for `SiFlags`.
    pub fn label(self) -> String {
        const NAMES: &[(u32, &str)] = &[
            (0x1, "ReadOnly"),
            (0x2, "Hidden"),
            (0x4, "System"),
            (0x10, "Directory"),
            (0x20, "Archive"),
            (0x40, "Device"),
            (0x80, "Normal"),
            (0x100, "Temporary"),
            (0x200, "SparseFile"),
            (0x400, "ReparsePoint"),
            (0x800, "Compressed"),
            (0x1000, "Offline"),
            (0x2000, "NotContentIndexed"),
            (0x4000, "Encrypted"),
            (0x8000, "IntegrityStream"),
            (0x10000, "Virtual"),
            (0x20000, "NoScrubData"),
            (0x40000, "RecallOnOpen"),
            (0x80000, "Pinned"),
            (0x100000, "Unpinned"),
            (0x400000, "RecallOnDataAccess"),
            (0x1000_0000, "IsDirectory"),
            (0x2000_0000, "IsIndexView"),
        ];
        let bits = self.bits();
        let mut out = String::new();
        for (b, n) in NAMES {
            if bits & b != 0 {
                if !out.is_empty() {
                    out.push('|');
                }
                out.push_str(n);
            }
        }
        let known: u32 = NAMES.iter().map(|(b, _)| b).fold(0, |a, b| a | b);
        if bits & !known != 0 {
            if !out.is_empty() {
                out.push('|');
            }
            out.push_str(&format!("{:#x}", bits & !known));
        }
        if out.is_empty() {
            out.push_str("None");
        }
        out
    }
}

fn short(what: &'static str, need: usize, have: usize) -> Error {
    Error::BadValue {
        what,
        offset: have as u64,
        reason: format!("{have} bytes, need {need}"),
    }
}

/// `$STANDARD_INFORMATION` (0x10): 48 bytes (NTFS 1.2) or 72 bytes (3.0+).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardInformation {
    /// Creation time.
    pub created: FileTime,
    /// Last data modification.
    pub modified: FileTime,
    /// Last MFT record change.
    pub mft_modified: FileTime,
    /// Last access.
    pub accessed: FileTime,
    /// File attribute flags.
    pub attributes: FileAttributes,
    /// Maximum versions (0).
    pub max_versions: u32,
    /// Version number.
    pub version: u32,
    /// Class id.
    pub class_id: u32,
    /// Owner id (`$Quota:$O` key), 3.0+.
    pub owner_id: Option<u32>,
    /// Security id (key into `$Secure:$SII`), 3.0+.
    pub security_id: Option<u32>,
    /// Quota charged, 3.0+.
    pub quota_charged: Option<u64>,
    /// USN of the last journal record for this file, 3.0+.
    pub usn: Option<u64>,
}

impl StandardInformation {
    /// Parses the value (48 or 72 bytes; longer values are accepted).
    pub fn parse(b: &[u8]) -> Result<Self> {
        if b.len() < 48 {
            return Err(short("$STANDARD_INFORMATION", 48, b.len()));
        }
        let t = |o| FileTime(le_u64(b, o).unwrap_or(0));
        let ext = b.len() >= 72;
        Ok(StandardInformation {
            created: t(0),
            modified: t(8),
            mft_modified: t(16),
            accessed: t(24),
            attributes: FileAttributes::from_bits_retain(le_u32(b, 32).unwrap_or(0)),
            max_versions: le_u32(b, 36).unwrap_or(0),
            version: le_u32(b, 40).unwrap_or(0),
            class_id: le_u32(b, 44).unwrap_or(0),
            owner_id: ext.then(|| le_u32(b, 48).unwrap_or(0)),
            security_id: ext.then(|| le_u32(b, 52).unwrap_or(0)),
            quota_charged: ext.then(|| le_u64(b, 56).unwrap_or(0)),
            usn: ext.then(|| le_u64(b, 64).unwrap_or(0)),
        })
    }
}

/// $FILE_NAME namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Namespace(pub u8);

#[allow(missing_docs)]
impl Namespace {
    pub const POSIX: Namespace = Namespace(0);
    pub const WIN32: Namespace = Namespace(1);
    pub const DOS: Namespace = Namespace(2);
    pub const WIN32_AND_DOS: Namespace = Namespace(3);

    /// MFTECmd-style label (`Posix`, `Windows`, `Dos`, `DosWindows`).
    pub fn label(self) -> &'static str {
        match self.0 {
            0 => "Posix",
            1 => "Windows",
            2 => "Dos",
            3 => "DosWindows",
            _ => "Unknown",
        }
    }
}

/// `$FILE_NAME` (0x30), also the key of `$I30` index entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    /// Parent directory reference.
    pub parent: FileReference,
    /// Creation time.
    pub created: FileTime,
    /// Modification time.
    pub modified: FileTime,
    /// MFT record change time.
    pub mft_modified: FileTime,
    /// Access time.
    pub accessed: FileTime,
    /// Allocated size (as of the last name update).
    pub allocated_size: u64,
    /// Data size (as of the last name update).
    pub data_size: u64,
    /// File attribute flags.
    pub attributes: FileAttributes,
    /// Reparse tag (when `REPARSE_POINT` is set) or packed EA size in the low word.
    pub reparse_or_ea: u32,
    /// Namespace.
    pub namespace: Namespace,
    /// Name (UTF-16 decoded; unpaired surrogates become U+FFFD).
    pub name: String,
    /// Raw UTF-16 name units (for $UpCase comparisons).
    pub name_utf16: Vec<u16>,
}

impl FileName {
    /// Parses the value (66 bytes + 2 × name length).
    pub fn parse(b: &[u8]) -> Result<Self> {
        if b.len() < 66 {
            return Err(short("$FILE_NAME", 66, b.len()));
        }
        let n = usize::from(u8_at(b, 64).unwrap_or(0));
        let raw = slice(b, 66, n * 2).ok_or_else(|| short("$FILE_NAME", 66 + n * 2, b.len()))?;
        let name_utf16: Vec<u16> = raw
            .chunks_exact(2)
            .map(|c| {
                u16::from_le_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ])
            })
            .collect();
        let t = |o| FileTime(le_u64(b, o).unwrap_or(0));
        Ok(FileName {
            parent: FileReference(le_u64(b, 0).unwrap_or(0)),
            created: t(8),
            modified: t(16),
            mft_modified: t(24),
            accessed: t(32),
            allocated_size: le_u64(b, 40).unwrap_or(0),
            data_size: le_u64(b, 48).unwrap_or(0),
            attributes: FileAttributes::from_bits_retain(le_u32(b, 56).unwrap_or(0)),
            reparse_or_ea: le_u32(b, 60).unwrap_or(0),
            namespace: Namespace(u8_at(b, 65).unwrap_or(0)),
            name: utf16le_lossy(raw),
            name_utf16,
        })
    }
}

/// One `$ATTRIBUTE_LIST` (0x20) entry: where an attribute extent lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeListEntry {
    /// Attribute type.
    pub type_code: AttrType,
    /// Attribute name.
    pub name: String,
    /// Lowest VCN of the extent.
    pub lowest_vcn: u64,
    /// FILE record holding the extent.
    pub record: FileReference,
    /// Attribute instance id in that record.
    pub instance: u16,
}

/// Parses a whole `$ATTRIBUTE_LIST` value. Stops at the first malformed
/// entry and returns the entries before it plus the error.
pub fn parse_attribute_list(b: &[u8]) -> (Vec<AttributeListEntry>, Option<Error>) {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos + 26 <= b.len() {
        let len = usize::from(le_u16(b, pos + 4).unwrap_or(0));
        if len < 26 || pos + len > b.len() {
            return (
                out,
                Some(Error::BadValue {
                    what: "$ATTRIBUTE_LIST",
                    offset: pos as u64,
                    reason: format!("entry length {len}"),
                }),
            );
        }
        let name_len = usize::from(u8_at(b, pos + 6).unwrap_or(0));
        let name_off = usize::from(u8_at(b, pos + 7).unwrap_or(0));
        let name = slice(b, pos + name_off, name_len * 2)
            .map(utf16le_lossy)
            .unwrap_or_default();
        out.push(AttributeListEntry {
            type_code: AttrType(le_u32(b, pos).unwrap_or(0)),
            name,
            lowest_vcn: le_u64(b, pos + 8).unwrap_or(0),
            record: FileReference(le_u64(b, pos + 16).unwrap_or(0)),
            instance: le_u16(b, pos + 24).unwrap_or(0),
        });
        pos += len;
    }
    (out, None)
}

/// A GUID, stored little-endian as Windows does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Guid(pub [u8; 16]);

impl std::fmt::Display for Guid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let b = &self.0;
        let d1 = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let d2 = u16::from_le_bytes([b[4], b[5]]);
        let d3 = u16::from_le_bytes([b[6], b[7]]);
        write!(
            f,
            "{d1:08x}-{d2:04x}-{d3:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
            b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]
        )
    }
}

fn guid_at(b: &[u8], off: usize) -> Option<Guid> {
    slice(b, off, 16).and_then(|s| s.try_into().ok()).map(Guid)
}

/// `$OBJECT_ID` (0x40): object GUID and optional birth ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectId {
    /// Object id (the "droid" file id used by link tracking).
    pub object_id: Guid,
    /// Birth volume id.
    pub birth_volume_id: Option<Guid>,
    /// Birth object id.
    pub birth_object_id: Option<Guid>,
    /// Domain id.
    pub domain_id: Option<Guid>,
}

impl ObjectId {
    /// Parses 16 or 64 bytes.
    pub fn parse(b: &[u8]) -> Result<Self> {
        let object_id = guid_at(b, 0).ok_or_else(|| short("$OBJECT_ID", 16, b.len()))?;
        Ok(ObjectId {
            object_id,
            birth_volume_id: guid_at(b, 16),
            birth_object_id: guid_at(b, 32),
            domain_id: guid_at(b, 48),
        })
    }
}

/// A Windows security identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Sid {
    /// Revision (1).
    pub revision: u8,
    /// 48-bit identifier authority.
    pub authority: u64,
    /// Sub-authorities.
    pub sub_authorities: Vec<u32>,
}

impl Sid {
    /// Parses a binary SID at the start of `b`.
    pub fn parse(b: &[u8]) -> Option<Sid> {
        let revision = u8_at(b, 0)?;
        let count = usize::from(u8_at(b, 1)?);
        if count > 15 {
            return None;
        }
        let auth = slice(b, 2, 6)?;
        let authority = auth.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x));
        let mut sub_authorities = Vec::with_capacity(count);
        for i in 0..count {
            sub_authorities.push(le_u32(b, 8 + 4 * i)?);
        }
        Some(Sid {
            revision,
            authority,
            sub_authorities,
        })
    }
}

impl std::fmt::Display for Sid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "S-{}-{}", self.revision, self.authority)?;
        for s in &self.sub_authorities {
            write!(f, "-{s}")?;
        }
        Ok(())
    }
}

/// A self-relative security descriptor (`$SECURITY_DESCRIPTOR` 0x50 or a
/// `$Secure:$SDS` entry): the owner and group SIDs are decoded, the ACLs
/// are kept raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityDescriptor {
    /// Control flags.
    pub control: u16,
    /// Owner SID.
    pub owner: Option<Sid>,
    /// Group SID.
    pub group: Option<Sid>,
    /// The whole descriptor.
    pub raw: Vec<u8>,
}

impl SecurityDescriptor {
    /// Parses a self-relative descriptor (20-byte header + offsets).
    pub fn parse(b: &[u8]) -> Result<Self> {
        if b.len() < 20 {
            return Err(short("security descriptor", 20, b.len()));
        }
        let sid_at = |o: u32| {
            if o == 0 {
                None
            } else {
                b.get(o as usize..).and_then(Sid::parse)
            }
        };
        Ok(SecurityDescriptor {
            control: le_u16(b, 2).unwrap_or(0),
            owner: sid_at(le_u32(b, 4).unwrap_or(0)),
            group: sid_at(le_u32(b, 8).unwrap_or(0)),
            raw: b.to_vec(),
        })
    }
}

/// `$VOLUME_INFORMATION` (0x70).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VolumeInformation {
    /// Major NTFS version (3).
    pub major: u8,
    /// Minor NTFS version (1).
    pub minor: u8,
    /// Volume flags (0x1 dirty, 0x8000 modified by chkdsk, …).
    pub flags: u16,
}

impl VolumeInformation {
    /// Parses the 12-byte value.
    pub fn parse(b: &[u8]) -> Result<Self> {
        if b.len() < 12 {
            return Err(short("$VOLUME_INFORMATION", 12, b.len()));
        }
        Ok(VolumeInformation {
            major: u8_at(b, 8).unwrap_or(0),
            minor: u8_at(b, 9).unwrap_or(0),
            flags: le_u16(b, 10).unwrap_or(0),
        })
    }
}

/// Well-known reparse tags.
#[allow(missing_docs)]
pub mod reparse_tag {
    pub const MOUNT_POINT: u32 = 0xA000_0003;
    pub const SYMLINK: u32 = 0xA000_000C;
    pub const WOF: u32 = 0x8000_0017;
    pub const DEDUP: u32 = 0x8000_0013;
    pub const APPEXECLINK: u32 = 0x8000_001B;
    pub const WCI: u32 = 0x8000_0018;
}

/// `$REPARSE_POINT` (0xC0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReparsePoint {
    /// Reparse tag.
    pub tag: u32,
    /// GUID of third-party (non-Microsoft, bit 31 clear) tags.
    pub guid: Option<Guid>,
    /// Reparse data (after the header / GUID).
    pub data: Vec<u8>,
}

/// Decoded target of a junction or symbolic link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTarget {
    /// Substitute name (`\??\C:\target`).
    pub substitute: String,
    /// Print name (`C:\target`).
    pub print: String,
    /// Symlink flag 1 = relative.
    pub relative: bool,
}

/// WOF (Windows Overlay Filter) reparse data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WofInfo {
    /// WOF version (1).
    pub version: u32,
    /// Provider: 1 = WIM (WIMBoot), 2 = file (system compression).
    pub provider: u32,
    /// For provider 2: 0 XPRESS4K, 1 LZX, 2 XPRESS8K, 3 XPRESS16K.
    pub format: Option<u32>,
}

impl WofInfo {
    /// Human label of the compression format.
    pub fn format_name(&self) -> &'static str {
        match (self.provider, self.format) {
            (2, Some(0)) => "XPRESS4K",
            (2, Some(1)) => "LZX",
            (2, Some(2)) => "XPRESS8K",
            (2, Some(3)) => "XPRESS16K",
            (1, _) => "WIM",
            _ => "unknown",
        }
    }
}

impl ReparsePoint {
    /// Parses the value.
    pub fn parse(b: &[u8]) -> Result<Self> {
        if b.len() < 8 {
            return Err(short("$REPARSE_POINT", 8, b.len()));
        }
        let tag = le_u32(b, 0).unwrap_or(0);
        let len = usize::from(le_u16(b, 4).unwrap_or(0));
        let (guid, start) = if tag & 0x8000_0000 == 0 {
            (guid_at(b, 8), 24)
        } else {
            (None, 8)
        };
        let end = (start + len).min(b.len());
        let data = b.get(start.min(end)..end).unwrap_or_default().to_vec();
        Ok(ReparsePoint { tag, guid, data })
    }

    /// Target of a junction / symlink.
    pub fn link_target(&self) -> Option<LinkTarget> {
        let (base, relative) = match self.tag {
            reparse_tag::MOUNT_POINT => (8usize, false),
            reparse_tag::SYMLINK => (12usize, le_u32(&self.data, 8)? & 1 == 1),
            _ => return None,
        };
        let d = &self.data;
        let so = usize::from(le_u16(d, 0)?);
        let sl = usize::from(le_u16(d, 2)?);
        let po = usize::from(le_u16(d, 4)?);
        let pl = usize::from(le_u16(d, 6)?);
        Some(LinkTarget {
            substitute: slice(d, base + so, sl)
                .map(utf16le_lossy)
                .unwrap_or_default(),
            print: slice(d, base + po, pl)
                .map(utf16le_lossy)
                .unwrap_or_default(),
            relative,
        })
    }

    /// WOF parameters when the tag is WOF.
    pub fn wof(&self) -> Option<WofInfo> {
        if self.tag != reparse_tag::WOF {
            return None;
        }
        let version = le_u32(&self.data, 0)?;
        let provider = le_u32(&self.data, 4)?;
        let format = if provider == 2 {
            le_u32(&self.data, 12)
        } else {
            None
        };
        Some(WofInfo {
            version,
            provider,
            format,
        })
    }
}

/// `$EA_INFORMATION` (0xD0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EaInformation {
    /// Packed EA size.
    pub packed_size: u16,
    /// Number of EAs with the NEED_EA flag.
    pub need_ea_count: u16,
    /// Unpacked size (= $EA value length).
    pub unpacked_size: u32,
}

impl EaInformation {
    /// Parses the 8-byte value.
    pub fn parse(b: &[u8]) -> Result<Self> {
        if b.len() < 8 {
            return Err(short("$EA_INFORMATION", 8, b.len()));
        }
        Ok(EaInformation {
            packed_size: le_u16(b, 0).unwrap_or(0),
            need_ea_count: le_u16(b, 2).unwrap_or(0),
            unpacked_size: le_u32(b, 4).unwrap_or(0),
        })
    }
}

/// One extended attribute of `$EA` (0xE0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtendedAttribute {
    /// Flags (0x80 = NEED_EA).
    pub flags: u8,
    /// ASCII name (e.g. `$LXUID`, `LXATTRB`).
    pub name: String,
    /// Value bytes.
    pub value: Vec<u8>,
}

/// Parses a packed `$EA` list; stops at the first malformed entry.
pub fn parse_ea_list(b: &[u8]) -> (Vec<ExtendedAttribute>, Option<Error>) {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos + 8 <= b.len() {
        let next = le_u32(b, pos).unwrap_or(0) as usize;
        let flags = u8_at(b, pos + 4).unwrap_or(0);
        let nlen = usize::from(u8_at(b, pos + 5).unwrap_or(0));
        let vlen = usize::from(le_u16(b, pos + 6).unwrap_or(0));
        let (Some(name), Some(value)) =
            (slice(b, pos + 8, nlen), slice(b, pos + 8 + nlen + 1, vlen))
        else {
            return (
                out,
                Some(Error::BadValue {
                    what: "$EA",
                    offset: pos as u64,
                    reason: "entry runs past the value".into(),
                }),
            );
        };
        out.push(ExtendedAttribute {
            flags,
            name: String::from_utf8_lossy(name).into_owned(),
            value: value.to_vec(),
        });
        if next == 0 {
            break;
        }
        pos += next;
    }
    (out, None)
}

/// `$INDEX_ROOT` (0x90) header fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexRootHeader {
    /// Indexed attribute type (0x30 for $I30, 0 for view indexes).
    pub indexed_type: AttrType,
    /// Collation rule.
    pub collation_rule: u32,
    /// Index record (INDX) size in bytes.
    pub index_record_size: u32,
    /// Clusters (or 512-byte blocks) per index record.
    pub clusters_per_index_record: u8,
}

impl IndexRootHeader {
    /// Parses the first 16 bytes of an $INDEX_ROOT value.
    pub fn parse(b: &[u8]) -> Result<Self> {
        if b.len() < 32 {
            return Err(short("$INDEX_ROOT", 32, b.len()));
        }
        Ok(IndexRootHeader {
            indexed_type: AttrType(le_u32(b, 0).unwrap_or(0)),
            collation_rule: le_u32(b, 4).unwrap_or(0),
            index_record_size: le_u32(b, 8).unwrap_or(0),
            clusters_per_index_record: u8_at(b, 12).unwrap_or(0),
        })
    }
}

/// Which `$LOGGED_UTILITY_STREAM` (0x100) this is.
pub fn logged_utility_stream_kind(name: &str) -> &'static str {
    match name {
        "$EFS" => "EFS metadata (file is encrypted)",
        "$TXF_DATA" => "TxF transaction data",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_reference_split() {
        let r = FileReference::new(57676, 1);
        assert_eq!(r.entry(), 57676);
        assert_eq!(r.sequence(), 1);
        assert_eq!(r.to_string(), "57676-1");
    }

    #[test]
    fn sid_and_guid_format() {
        let sid = [1u8, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0];
        assert_eq!(Sid::parse(&sid).unwrap().to_string(), "S-1-5-32-544");
        let g = Guid([
            0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
            0xee, 0xff,
        ]);
        assert_eq!(g.to_string(), "00112233-4455-6677-8899-aabbccddeeff");
    }
}
