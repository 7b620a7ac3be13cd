//! NTFS `$LogFile`: LFS 1.1 and 2.0 restart and record pages, NTFS redo/undo
//! operations mapped to MFT entries and files, and file events.
//!
//! * [`LogFile::parse`] reads a whole log from any [`rift_io::ReadAt`]:
//!   both restart pages (the newer by current LSN is used), `RCRD` pages with
//!   fixups, LFS 1.1 tail pages and 2.0 buffer pages laid over the circular
//!   area, the ring wrap, and client records that span pages. Records are
//!   found by position (their LSN maps back to their offset), so records in
//!   page slack from an older pass of the ring are recovered too.
//! * [`ClientRecord`] decodes the NTFS redo/undo operation ([`Op`]) and its
//!   target; [`analyze`] rebuilds the open attribute table, maps every record
//!   to an MFT entry / attribute / VCN / file name, and summarises records
//!   into [`FileEvent`]s (create incl. tunnelling, delete, rename, move,
//!   resident and non-resident writes, time and attribute changes).
//! * [`csv`] writes a records CSV and an events CSV.
//!
//! No crate was good enough: the one published `$LogFile` module assumes
//! 4 KiB pages and drops records that span pages; no EZ tool parses the
//! log at all.
//!
//! ```
//! // A freshly reset log is all 0xFF: it parses to nothing, without error.
//! let log = rift_logfile::LogFile::from_bytes(vec![0xFF; 32768]);
//! assert!(log.records.is_empty() && log.restart().is_none() && log.warnings.is_empty());
//! ```
//!
//! Sources: `docs/formats/ntfs.md` §8 ([NTFS3G] `logfile.h`, [DFIR_NTFS]
//! `LogFile.py`, [JSCHICHT] `LogFileParser`), verified on the Windows 7,
//! Windows 10, downgraded and 20H1 logs in the fixtures.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod client;
pub mod csv;
pub mod events;
pub mod fixup;
pub mod log;
pub mod ops;
pub mod restart;

pub use client::{ClientRecord, NtfsRestart};
pub use events::{Analysis, EventKind, FileEvent, NameInfo, Target, analyze, analyze_with_names};
pub use log::{LogFile, LogRecord, PageSource, Warning};
pub use ops::Op;
pub use restart::{LsnMath, RestartArea, RestartPage};

/// Errors of this crate.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The reader failed.
    #[error("reading $LogFile at byte {offset:#x}: {source}")]
    Io {
        /// Where.
        offset: u64,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The input is larger than any `$LogFile` NTFS creates.
    #[error("$LogFile of {size} bytes is larger than the 4 GiB NTFS allows")]
    TooLarge {
        /// Size of the input.
        size: u64,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
