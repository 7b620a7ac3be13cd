//! NTFS journals on a live volume, and records carved from free space.
//!
//! A stacking crate: it joins `rift-ntfs` (the volume) with `rift-usn` and
//! `rift-logfile` (the journals), which know nothing of each other.
//!
//! * [`volume`]: [`read_usn_journal`] finds `$Extend\$UsnJrnl:$J`, reads only
//!   its allocated ranges and resolves a full path for every record through
//!   the journal's history and the `$MFT` ([`NtfsMftLookup`]);
//!   [`read_logfile`] parses `$LogFile` and summarises its events with
//!   names from the `$MFT` for files the log never names.
//! * [`carve`]: scans byte ranges (by default the volume's unallocated
//!   clusters from `$Bitmap`, optionally the whole volume or image) for
//!   `USN_RECORD_V2`/`V3` and `FILE` records. Carved items carry their image
//!   offset; USN records are de-duplicated against the live journal
//!   ([`rift_usn::resolve_all`]), FILE records are compared with the live
//!   `$MFT` entry of the same number ([`LiveStatus`]).
//!
//! Sources: `docs/formats/ntfs.md` §2 (FILE records; record number at 44
//! lets a carved record be re-placed), §7 (USN records, sparse `$J`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod carve;
pub mod volume;

pub use carve::{
    CarveOptions, Carved, CarvedFileRecord, LiveStatus, carve, mark_live, unallocated_ranges,
};
pub use volume::{
    NtfsMftLookup, UsnSource, find_usn_journal, logfile_names, read_logfile, read_usn_journal,
};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The NTFS layer failed.
    #[error(transparent)]
    Ntfs(#[from] rift_ntfs::Error),
    /// The USN layer failed (a read error inside `$J`).
    #[error(transparent)]
    Usn(#[from] rift_usn::Error),
    /// The `$LogFile` layer failed.
    #[error(transparent)]
    Logfile(#[from] rift_logfile::Error),
    /// The volume has no `$Extend\$UsnJrnl` with a `$J` stream.
    #[error("the volume has no $Extend\\$UsnJrnl:$J")]
    NoJournal,
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
