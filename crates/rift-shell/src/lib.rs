//! Shell and user-activity artifacts: shell links (`.lnk`), jump lists
//! (automatic and custom destinations), Recycle Bin metadata (`$I`,
//! `INFO2`), `Zone.Identifier` streams, scheduled tasks (Task Scheduler 2.0
//! XML and legacy `.job` files).
//!
//! Every parser takes bytes and never a path: the caller (CLI or
//! `rift-target`) reads the file from a folder or an image.
//!
//! | artifact | entry point |
//! |---|---|
//! | `.lnk` | [`lnk::parse_lnk`] |
//! | `*.automaticDestinations-ms` | [`jumplist::parse_automatic`] |
//! | `*.customDestinations-ms` | [`jumplist::parse_custom`] |
//! | `$I…` | [`recyclebin::parse_recycle_i`] |
//! | `INFO2` | [`recyclebin::parse_info2`] |
//! | `Zone.Identifier` | [`zone::parse_zone_identifier`] |
//! | `Windows\System32\Tasks\…` | [`tasks::parse_task_xml`] |
//! | `Windows\Tasks\*.job` | [`tasks::parse_job`] |
//! | Defender `DetectionHistory\…` | [`defender::parse_detection_history`] |
//!
//! Hostile input never panics: lengths and offsets are checked against the
//! data, chains and lists are bounded by the input size, and a damaged
//! optional part becomes a [`Warning`] with its byte offset while the rest
//! is still returned.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod cfb;
pub mod defender;
pub mod guid;
pub mod jumplist;
pub mod lnk;
pub mod recyclebin;
pub mod shell_items;
pub mod tasks;
pub mod zone;

pub use defender::parse_detection_history;
pub use jumplist::{parse_automatic, parse_custom};
pub use lnk::parse_lnk;
pub use recyclebin::{parse_info2, parse_recycle_i};
pub use rift_io::time::FileTime;
pub use tasks::{parse_job, parse_task_xml};
pub use zone::parse_zone_identifier;

/// Errors for input that is not the artifact at all, or too damaged to
/// read anything from.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A required structure runs past the end of the data.
    #[error("{what} at byte {offset:#x} is truncated")]
    Truncated {
        /// The structure.
        what: &'static str,
        /// Byte position.
        offset: u64,
    },
    /// A required structure holds impossible values.
    #[error("{what} at byte {offset:#x} is corrupt")]
    Corrupt {
        /// What is wrong.
        what: &'static str,
        /// Byte position.
        offset: u64,
    },
    /// A signature or version that says "not this artifact".
    #[error("not recognised: bad {what} at byte {offset:#x}")]
    BadSignature {
        /// Which signature.
        what: &'static str,
        /// Byte position.
        offset: u64,
    },
    /// A compound-file stream whose sector chain ends early.
    #[error("stream {name:?}: sector chain ends after {read} of {declared} bytes")]
    StreamTruncated {
        /// Stream name.
        name: String,
        /// Declared size.
        declared: u64,
        /// Bytes reachable.
        read: u64,
    },
    /// XML that does not parse.
    #[error("XML error at byte {offset:#x}: {message}")]
    Xml {
        /// Byte position in the decoded text (approximate for UTF-16 input).
        offset: u64,
        /// Parser message.
        message: String,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A problem in an optional part of an otherwise readable artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Byte position (in the artifact, or in the stream it was read from).
    pub offset: u64,
    /// What could not be read.
    pub message: String,
}

/// ASCII/ANSI text up to the first NUL, each byte taken as its Latin-1
/// code point (the code page is unknown on another machine).
pub(crate) fn latin1_nul(buf: &[u8]) -> String {
    rift_io::bytes::latin1_nul_terminated(buf)
}

#[cfg(test)]
mod tests;
