//! The one error type of `rift-ntfs`.
//!
//! Every variant that comes from on-disk data carries the byte position
//! (relative to the start of the volume, or of the standalone input) so an
//! analyst can look at the corruption in a hex editor.

use std::io;

/// Errors of the NTFS reader.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the underlying volume failed.
    #[error("I/O error at byte {offset:#x}: {source}")]
    Io {
        /// Byte position of the failed read.
        offset: u64,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// Neither the boot sector nor its backup describe an NTFS volume.
    #[error("no valid NTFS boot sector at byte {offset:#x}: {reason}")]
    BadBootSector {
        /// Where the (last tried) boot sector was read.
        offset: u64,
        /// What was wrong with it.
        reason: String,
    },
    /// A FILE record could not be parsed at all.
    #[error("FILE record {record} at byte {offset:#x}: {reason}")]
    BadRecord {
        /// MFT entry number (or index in the input).
        record: u64,
        /// Byte position of the record.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// An attribute inside a FILE record is malformed.
    #[error("attribute at offset {offset:#x} of FILE record {record}: {reason}")]
    BadAttribute {
        /// MFT entry number holding the attribute.
        record: u64,
        /// Offset of the attribute inside the record.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// A mapping-pairs (data run) list is malformed.
    #[error("data run list at byte {offset:#x}: {reason}")]
    BadRunList {
        /// Offset of the offending run header inside the run list.
        offset: u64,
        /// What was wrong.
        reason: &'static str,
    },
    /// A typed attribute value is too short or inconsistent.
    #[error("{what} value at byte {offset:#x}: {reason}")]
    BadValue {
        /// Which attribute or structure.
        what: &'static str,
        /// Offset inside the value (or volume) where the problem is.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// An index ($I30 or view index) node is malformed.
    #[error("index node at byte {offset:#x}: {reason}")]
    BadIndex {
        /// Byte position of the node (in the index stream) or entry.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// An entry number outside the MFT.
    #[error("MFT entry {entry} is out of range (the MFT holds {count} entries)")]
    EntryOutOfRange {
        /// Requested entry.
        entry: u64,
        /// Number of entries in the MFT.
        count: u64,
    },
    /// The requested stream does not exist in the entry.
    #[error("MFT entry {entry} has no stream {name:?}")]
    NoSuchStream {
        /// The entry.
        entry: u64,
        /// The stream name (`""` = the unnamed data stream).
        name: String,
    },
    /// LZNT1, XPRESS or WOF data could not be decompressed.
    #[error("compressed data at byte {offset:#x}: {reason}")]
    Decompress {
        /// Byte position (logical, in the stream) of the failing unit/chunk.
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// A valid but unsupported feature (e.g. WOF LZX, EFS-encrypted data).
    #[error("unsupported: {what}")]
    Unsupported {
        /// What is not supported.
        what: String,
    },
    /// A size read from disk is larger than the caller's cap.
    #[error("{what} is {size} bytes, more than the cap of {cap} bytes")]
    TooLarge {
        /// What was too large.
        what: &'static str,
        /// Its size.
        size: u64,
        /// The cap.
        cap: u64,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(offset: u64, source: io::Error) -> Error {
        Error::Io { offset, source }
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> io::Error {
        match e {
            Error::Io { source, .. } => source,
            other => io::Error::new(io::ErrorKind::InvalidData, other),
        }
    }
}
