//! The crate's error type.

use std::io;
use std::path::PathBuf;

/// Errors that make an EWF image unusable. Damage that still leaves most of
/// the media readable is reported as [`crate::Warning`]s and
/// [`crate::BadChunk`]s instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading a segment file failed.
    #[error("I/O error in EWF segment {segment} at byte position {position:#x}: {source}")]
    Io {
        /// Segment number (1-based).
        segment: u32,
        /// Byte position in the segment file.
        position: u64,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// No segment readers were given.
    #[error("no EWF segment files given")]
    NoSegments,
    /// A segment does not start with the EWF v1 signature.
    #[error(
        "EWF segment {segment} is not an EWF v1 segment file: signature {found:02x?} at byte position 0{hint}"
    )]
    NotEwf {
        /// Segment number (1-based position in the given list).
        segment: u32,
        /// The first bytes found.
        found: Vec<u8>,
        /// Extra explanation when the signature is a known other format.
        hint: &'static str,
    },
    /// A segment's header says it holds a different segment number than its
    /// place in the set.
    #[error(
        "EWF segment file {position_in_set} of the set says it is segment number {found} (byte position 0x9); expected {expected}"
    )]
    SegmentNumber {
        /// 1-based place in the given list.
        position_in_set: u32,
        /// The number we expected there.
        expected: u32,
        /// The number the header holds.
        found: u32,
    },
    /// The set is incomplete: the last segment given ends with a `next`
    /// section, so segment `number` must exist.
    #[error("EWF segment {number} is missing{}", match .expected_path { Some(p) => format!(": expected file {}", p.display()), None => String::new() })]
    MissingSegment {
        /// The missing segment number (1-based).
        number: u32,
        /// The file name where it was expected, when known (set by path-aware
        /// callers such as `rift-image`).
        expected_path: Option<PathBuf>,
    },
    /// No usable `volume`/`disk`/`data` section: the media geometry is
    /// unknown.
    #[error("no usable volume/disk/data section in the EWF set{}", if .detail.is_empty() { String::new() } else { format!(": {}", .detail) })]
    NoVolume {
        /// What was wrong with the candidates found.
        detail: String,
    },
    /// A format we recognise but do not read.
    #[error("unsupported EWF variant in segment {segment}: {what}")]
    Unsupported {
        /// Segment number (1-based).
        segment: u32,
        /// What it is.
        what: &'static str,
    },
    /// Listing the folder of the first segment failed.
    #[error("cannot find EWF segments next to {path}: {source}")]
    Discover {
        /// The first segment's path.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The path given does not have an EWF segment extension.
    #[error("{path}: not an EWF segment name (expected an extension like .E01, .s01, .L01, .EAA)")]
    NotSegmentName {
        /// The path.
        path: PathBuf,
    },
}

/// Result with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
