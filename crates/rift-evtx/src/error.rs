//! The crate's one error type.
//!
//! Only two things stop a whole log: the input cannot be read, or it is not
//! an event log at all. Everything inside a log that is damaged (a chunk
//! with a broken header, a record that does not decode) is counted and
//! reported with its byte position in [`crate::FileReport`] instead, and the
//! rest of the log is still read.

use std::io;

/// Errors of `rift-evtx`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the input failed.
    #[error("I/O error reading the event log at byte position {position:#x}: {source}")]
    Io {
        /// Where the read started.
        position: u64,
        /// The underlying error.
        source: io::Error,
    },

    /// Neither an `ElfFile` header nor any `ElfChnk` chunk was found.
    #[error(
        "not an EVTX file: no `ElfFile` header at byte position 0x0 and no `ElfChnk` chunk in {size} bytes"
    )]
    NotEvtx {
        /// Size of the input in bytes.
        size: u64,
    },

    /// A map file could not be loaded.
    #[error("map {name}: {message}")]
    Map {
        /// The map's file name.
        name: String,
        /// What is wrong with it (YAML error with line/column, bad XPath, bad regex).
        message: String,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
