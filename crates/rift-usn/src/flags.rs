//! Typed flag words of a USN record: reasons, source info and file
//! attributes.
//!
//! The raw `u32` is always kept (`bits()`, unknown bits retained through
//! `from_bits_retain`); names are produced only at the output edge.
//!
//! Sources: [MSDOCS] `ns-winioctl-usn_record_v2.md` (Reason, SourceInfo),
//! MS-FSCC §2.6 (file attributes); `docs/formats/ntfs.md` §7.3. The CSV names
//! follow MFTECmd's `UpdateReasonFlag` / `FileAttributeFlag` spellings so
//! that Timeline Explorer filters written for MFTECmd output keep working.

use bitflags::bitflags;

bitflags! {
    /// `USN_REASON_*`: why the record was written. Reasons accumulate while
    /// a handle is open; the record carrying [`Reason::CLOSE`] has the union.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct Reason: u32 {
        /// Data in the unnamed stream was overwritten.
        const DATA_OVERWRITE = 0x0000_0001;
        /// The unnamed stream was extended.
        const DATA_EXTEND = 0x0000_0002;
        /// The unnamed stream was truncated.
        const DATA_TRUNCATION = 0x0000_0004;
        /// Data in a named stream was overwritten.
        const NAMED_DATA_OVERWRITE = 0x0000_0010;
        /// A named stream was extended.
        const NAMED_DATA_EXTEND = 0x0000_0020;
        /// A named stream was truncated.
        const NAMED_DATA_TRUNCATION = 0x0000_0040;
        /// The file or directory was created.
        const FILE_CREATE = 0x0000_0100;
        /// The file or directory was deleted.
        const FILE_DELETE = 0x0000_0200;
        /// Extended attributes changed.
        const EA_CHANGE = 0x0000_0400;
        /// The security descriptor changed.
        const SECURITY_CHANGE = 0x0000_0800;
        /// Renamed; the record holds the old name and old parent.
        const RENAME_OLD_NAME = 0x0000_1000;
        /// Renamed; the record holds the new name and new parent.
        const RENAME_NEW_NAME = 0x0000_2000;
        /// The not-content-indexed attribute changed.
        const INDEXABLE_CHANGE = 0x0000_4000;
        /// Attributes or time stamps changed.
        const BASIC_INFO_CHANGE = 0x0000_8000;
        /// A hard link was added or removed.
        const HARD_LINK_CHANGE = 0x0001_0000;
        /// Compression state changed.
        const COMPRESSION_CHANGE = 0x0002_0000;
        /// Encryption state changed.
        const ENCRYPTION_CHANGE = 0x0004_0000;
        /// The object id changed.
        const OBJECT_ID_CHANGE = 0x0008_0000;
        /// A reparse point was added, changed or removed.
        const REPARSE_POINT_CHANGE = 0x0010_0000;
        /// A named stream was added, removed or renamed.
        const STREAM_CHANGE = 0x0020_0000;
        /// Changed through a TxF transaction.
        const TRANSACTED_CHANGE = 0x0040_0000;
        /// The integrity-stream state changed (ReFS).
        const INTEGRITY_CHANGE = 0x0080_0000;
        /// The desired storage class changed.
        const DESIRED_STORAGE_CLASS_CHANGE = 0x0100_0000;
        /// The handle was closed; the record carries the accumulated reasons.
        const CLOSE = 0x8000_0000;
    }
}

bitflags! {
    /// `USN_SOURCE_*`: who caused the change.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct SourceInfo: u32 {
        /// The OS changed the file without changing its data as seen by the user.
        const DATA_MANAGEMENT = 0x1;
        /// A private stream was added (e.g. an anti-virus checksum).
        const AUXILIARY_DATA = 0x2;
        /// Replication (DFS-R/FRS) brought the file in line with a replica.
        const REPLICATION_MANAGEMENT = 0x4;
        /// Cloud sync on a client brought the file in line with the cloud.
        const CLIENT_REPLICATION_MANAGEMENT = 0x8;
    }
}

bitflags! {
    /// `FILE_ATTRIBUTE_*` as carried in a USN record (and `$FILE_NAME`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct FileAttributes: u32 {
        /// Read-only.
        const READONLY = 0x1;
        /// Hidden.
        const HIDDEN = 0x2;
        /// System.
        const SYSTEM = 0x4;
        /// Volume label (obsolete).
        const VOLUME_LABEL = 0x8;
        /// Directory.
        const DIRECTORY = 0x10;
        /// Archive.
        const ARCHIVE = 0x20;
        /// Device.
        const DEVICE = 0x40;
        /// Normal (no other attribute).
        const NORMAL = 0x80;
        /// Temporary.
        const TEMPORARY = 0x100;
        /// Sparse file.
        const SPARSE_FILE = 0x200;
        /// Reparse point.
        const REPARSE_POINT = 0x400;
        /// Compressed.
        const COMPRESSED = 0x800;
        /// Offline.
        const OFFLINE = 0x1000;
        /// Not content indexed.
        const NOT_CONTENT_INDEXED = 0x2000;
        /// Encrypted (EFS).
        const ENCRYPTED = 0x4000;
        /// Integrity stream.
        const INTEGRITY_STREAM = 0x8000;
        /// Virtual.
        const VIRTUAL = 0x1_0000;
        /// No scrub data.
        const NO_SCRUB_DATA = 0x2_0000;
        /// Has extended attributes / recall on open.
        const EA_OR_RECALL_ON_OPEN = 0x4_0000;
        /// Pinned (cloud files).
        const PINNED = 0x8_0000;
        /// Unpinned (cloud files).
        const UNPINNED = 0x10_0000;
        /// Recall on data access (cloud placeholder).
        const RECALL_ON_DATA_ACCESS = 0x40_0000;
        /// NTFS-internal: has an `$I30` index (directory).
        const IS_DIRECTORY = 0x1000_0000;
        /// NTFS-internal: has a view index.
        const IS_INDEX_VIEW = 0x2000_0000;
    }
}

/// MFTECmd's names for reason bits, in ascending bit order.
const REASON_NAMES: &[(u32, &str)] = &[
    (0x1, "DataOverwrite"),
    (0x2, "DataExtend"),
    (0x4, "DataTruncation"),
    (0x10, "NamedDataOverwrite"),
    (0x20, "NamedDataExtend"),
    (0x40, "NamedDataTruncation"),
    (0x100, "FileCreate"),
    (0x200, "FileDelete"),
    (0x400, "EaChange"),
    (0x800, "SecurityChange"),
    (0x1000, "RenameOldName"),
    (0x2000, "RenameNewName"),
    (0x4000, "IndexableChange"),
    (0x8000, "BasicInfoChange"),
    (0x1_0000, "HardLinkChange"),
    (0x2_0000, "CompressionChange"),
    (0x4_0000, "EncryptionChange"),
    (0x8_0000, "ObjectIdChange"),
    (0x10_0000, "ReparsePointChange"),
    (0x20_0000, "StreamChange"),
    (0x40_0000, "TransactedChange"),
    (0x80_0000, "IntegrityChange"),
    (0x100_0000, "DesiredStorageClassChange"),
    (0x8000_0000, "Close"),
];

/// MFTECmd's names for attribute bits, in ascending bit order.
const ATTRIBUTE_NAMES: &[(u32, &str)] = &[
    (0x1, "ReadOnly"),
    (0x2, "Hidden"),
    (0x4, "System"),
    (0x8, "VolumeLabel"),
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
    (0x1_0000, "Virtual"),
    (0x2_0000, "NoScrubData"),
    (0x4_0000, "HasEa"),
    (0x8_0000, "Pinned"),
    (0x10_0000, "Unpinned"),
    (0x40_0000, "RecallOnDataAccess"),
    (0x1000_0000, "IsDirectory"),
    (0x2000_0000, "IsIndexView"),
];

/// MFTECmd's names for source-info bits.
const SOURCE_NAMES: &[(u32, &str)] = &[
    (0x1, "DataManagement"),
    (0x2, "AuxiliaryData"),
    (0x4, "ReplicationManagement"),
    (0x8, "ClientReplicationManagement"),
];

/// Joins the names of the set bits with `|` (ascending bit order, as .NET
/// prints a `[Flags]` enum); bits without a name are appended as one hex
/// number; `0` gives `zero`.
fn join(bits: u32, table: &[(u32, &str)], zero: &str) -> String {
    let mut out = String::new();
    push_joined(&mut out, bits, table, zero);
    out
}

/// [`join`] appending to `out` (the CSV hot path: no allocation).
fn push_joined(out: &mut String, bits: u32, table: &[(u32, &str)], zero: &str) {
    if bits == 0 {
        out.push_str(zero);
        return;
    }
    let start = out.len();
    let mut rest = bits;
    for &(bit, name) in table {
        if bits & bit != 0 {
            if out.len() > start {
                out.push('|');
            }
            out.push_str(name);
            rest &= !bit;
        }
    }
    if rest != 0 {
        if out.len() > start {
            out.push('|');
        }
        use std::fmt::Write as _;
        let _ = write!(out, "0x{rest:X}");
    }
}

impl Reason {
    /// `|`-joined MFTECmd names, e.g. `FileCreate|Close`.
    pub fn names(self) -> String {
        join(self.bits(), REASON_NAMES, "0")
    }

    /// [`Reason::names`] appended to `out`.
    pub fn push_names(self, out: &mut String) {
        push_joined(out, self.bits(), REASON_NAMES, "0")
    }
}

impl FileAttributes {
    /// `|`-joined MFTECmd names, e.g. `Archive|NotContentIndexed`.
    pub fn names(self) -> String {
        join(self.bits(), ATTRIBUTE_NAMES, "0")
    }

    /// [`FileAttributes::names`] appended to `out`.
    pub fn push_names(self, out: &mut String) {
        push_joined(out, self.bits(), ATTRIBUTE_NAMES, "0")
    }
}

impl SourceInfo {
    /// `|`-joined names; `Na` when no bit is set (MFTECmd's spelling).
    pub fn names(self) -> String {
        join(self.bits(), SOURCE_NAMES, "Na")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_joined_in_bit_order_and_keep_unknown_bits() {
        assert_eq!(
            Reason::from_bits_retain(0x8000_0100).names(),
            "FileCreate|Close"
        );
        assert_eq!(
            Reason::from_bits_retain(0x8000_8103).names(),
            "DataOverwrite|DataExtend|FileCreate|BasicInfoChange|Close"
        );
        assert_eq!(
            Reason::from_bits_retain(0x4000_0001).names(),
            "DataOverwrite|0x40000000"
        );
        assert_eq!(Reason::empty().names(), "0");
        assert_eq!(
            FileAttributes::from_bits_retain(0x2020).names(),
            "Archive|NotContentIndexed"
        );
        assert_eq!(SourceInfo::empty().names(), "Na");
    }
}
