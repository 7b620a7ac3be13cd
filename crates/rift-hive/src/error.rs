//! The one error type of `rift-hive`.
//!
//! Every variant that comes from evidence carries the byte position where
//! the problem was found, so an analyst can open the file in a hex editor.
//! Positions are **file offsets** (hive-bins data offset + 4096) unless the
//! field name says otherwise.

/// Errors from parsing hives, transaction logs and batch files.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is shorter than a structure that must be there.
    #[error("truncated {what} at byte position {position:#x}: need {need} bytes, have {have}")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// File offset of the structure.
        position: u64,
        /// Bytes needed.
        need: u64,
        /// Bytes available.
        have: u64,
    },
    /// A signature did not match.
    #[error("bad {what} signature at byte position {position:#x}: found {found:02x?}")]
    BadSignature {
        /// What was expected (`regf`, `hbin`, `nk`, ...).
        what: &'static str,
        /// File offset.
        position: u64,
        /// The bytes found there.
        found: Vec<u8>,
    },
    /// The file is a Windows 9x/ME `CREG` registry, not a regf hive.
    #[error("this is a Windows 9x/ME CREG registry file, not an NT regf hive (byte position 0)")]
    Win9xCreg,
    /// The base block is not usable in strict mode (bad checksum, dirty).
    #[error("base block problem at byte position {position:#x}: {reason}")]
    BaseBlock {
        /// File offset (0 for a primary file).
        position: u64,
        /// Why.
        reason: String,
    },
    /// A hive bin header is broken.
    #[error("bad hive bin at byte position {position:#x}: {reason}")]
    HiveBin {
        /// File offset of the bin.
        position: u64,
        /// Why.
        reason: String,
    },
    /// A cell offset points outside the hive bins or at a nonsensical size.
    #[error("bad cell at byte position {position:#x}: {reason}")]
    Cell {
        /// File offset of the cell.
        position: u64,
        /// Why.
        reason: String,
    },
    /// A record inside a cell is malformed.
    #[error("bad {what} record at byte position {position:#x}: {reason}")]
    Record {
        /// Record kind (`nk`, `vk`, `lf`, `db`, ...).
        what: &'static str,
        /// File offset of the cell holding it.
        position: u64,
        /// Why.
        reason: String,
    },
    /// The key tree is deeper than Windows allows or loops back on itself.
    #[error("key tree loop or excessive depth at byte position {position:#x}")]
    TreeLoop {
        /// File offset of the key node where the walk stopped.
        position: u64,
    },
    /// A key path was not found.
    #[error("key not found: {path}")]
    KeyNotFound {
        /// The requested path.
        path: String,
    },
    /// A transaction log is unusable.
    #[error("transaction log problem at byte position {position:#x}: {reason}")]
    Log {
        /// Offset in the log file.
        position: u64,
        /// Why.
        reason: String,
    },
    /// A batch (`.reb`) file could not be read.
    #[error("batch file: {reason}")]
    Batch {
        /// Why (YAML error with line/column, or a validation failure).
        reason: String,
    },
}

/// `Result` with [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
