//! NTFS change journal (`$UsnJrnl:$J`): records V2/V3/V4 with full paths.
//!
//! * [`record`]: one `USN_RECORD_V2`/`V3`/`V4` ([`parse_record`]); V3/V4
//!   128-bit file ids are kept whole ([`FileId`]), so the sequence number
//!   survives.
//! * [`scan`]: [`UsnScanner`] walks a `$J` stream given its allocated ranges,
//!   so the sparse prefix (often hundreds of MB) is never read; damaged
//!   records are reported with their offset ([`Damage`]) and the scan
//!   resynchronises on the next plausible record.
//! * [`paths`]: a full path for every record from the journal's own history
//!   (renames, deleted and reused parents keyed by entry + sequence) and an
//!   optional `$MFT` ([`MftLookup`], implemented by the caller).
//! * [`journal`]: [`read_journal`] does all of it at once and merges records
//!   carved from unallocated space (de-duplicated against live ones).
//! * [`csv`]: MFTECmd's `$J` CSV layout and rift's own.
//! * [`flags`]: typed reason / source / attribute flags.
//!
//! No existing crate was good enough: the ones published are V2-only or
//! drop the V3 sequence number, and none resolves paths through the
//! journal's history. The format is small; owning it lets every bad byte be
//! reported instead of dropped.
//!
//! ```
//! use rift_usn::{UsnScanner, NoMft, read_journal};
//! // An empty (all-zero) page decodes to no records and no damage.
//! let page = vec![0u8; 4096];
//! let j = read_journal(&page[..], &[0..4096], NoMft, Vec::new()).unwrap();
//! assert!(j.records.is_empty() && j.damage.is_empty());
//! assert_eq!(UsnScanner::whole(&page[..]).count(), 0);
//! ```
//!
//! Sources: [MSDOCS] `ns-winioctl-usn_record_v2.md`, `_v3.md`, `_v4.md`;
//! `docs/formats/ntfs.md` §7 (verified on `dfir_ntfs_usnjrnlj.bin` against
//! Windows' `fsutil usn readjournal`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod csv;
pub mod flags;
pub mod journal;
pub mod paths;
pub mod record;
pub mod scan;

pub use flags::{FileAttributes, Reason, SourceInfo};
pub use journal::{
    Journal, PathedRecord, StreamSummary, for_each_record, read_journal, resolve_all,
};
pub use paths::{History, MftLookup, MftName, NoMft, ResolvedPath, Resolver};
pub use record::{Extent, FileId, UsnRecord, parse_record, plausible_for_carving};
pub use scan::{ScanStats, UsnScanner, scan_bytes};

/// What was wrong with a damaged spot in the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DamageKind {
    /// Fewer bytes than a record header.
    Truncated,
    /// Record length 0 where a record was expected.
    ZeroLength,
    /// Record length not a multiple of 8.
    Misaligned,
    /// Record length reaches past the page end.
    PastPage,
    /// Major version not 2, 3 or 4, or minor version not 0.
    UnknownVersion,
    /// Record shorter than its version's fixed part.
    TooShort,
    /// Name offset/length outside the record.
    BadName,
    /// V4 extent count/size outside the record.
    BadExtents,
    /// Non-zero bytes where the page should be zero padding.
    Garbage,
}

impl std::fmt::Display for DamageKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = match self {
            DamageKind::Truncated => "truncated header",
            DamageKind::ZeroLength => "zero record length",
            DamageKind::Misaligned => "record length not 8-aligned",
            DamageKind::PastPage => "record length past the page end",
            DamageKind::UnknownVersion => "unknown record version",
            DamageKind::TooShort => "record shorter than its fixed part",
            DamageKind::BadName => "name outside the record",
            DamageKind::BadExtents => "extents outside the record",
            DamageKind::Garbage => "non-zero bytes in page padding",
        };
        f.write_str(s)
    }
}

/// A damaged spot: where, what, and the raw length/version fields read there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Damage {
    /// Byte offset in the stream (or image, when carving).
    pub offset: u64,
    /// What was wrong.
    pub kind: DamageKind,
    /// The record-length field read there.
    pub length: u32,
    /// The major-version field read there.
    pub major: u16,
}

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A damaged record (the scan goes on after it).
    #[error("damaged USN record at byte {:#x}: {} (length {}, version {})", .0.offset, .0.kind, .0.length, .0.major)]
    Damaged(Damage),
    /// The underlying reader failed.
    #[error("reading the journal at byte {offset:#x}: {source}")]
    Io {
        /// Where the read was attempted.
        offset: u64,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
