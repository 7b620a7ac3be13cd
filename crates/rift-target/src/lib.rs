//! Stacks the evidence layers and runs every artifact parser over an image.
//!
//! This is the only crate that knows all the others. It follows
//! dissect.target's shape — container → volumes → file systems → artifacts:
//!
//! * [`Evidence`] opens an image by path (any container `rift-image`
//!   knows), scans its partition table (`rift-volume`) and opens NTFS
//!   volumes (`rift-ntfs`) as shared, thread-safe readers.
//! * [`classify_input`] tells a command-line path apart: a folder, a disk
//!   image, or a single artifact file.
//!
//! Parser crates stay independent of each other and of paths; everything
//! that needs "find the hives on C:" lives here.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod artifacts;
mod evidence;
pub mod pipeline;

pub use evidence::{Evidence, InputKind, NtfsVolume, VolumeSelect, classify_input};

/// Errors of the stacking layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The image could not be opened.
    #[error(transparent)]
    Image(#[from] rift_image::Error),
    /// The partition table could not be read.
    #[error("{path}: reading the partition table: {source}")]
    Volume {
        /// The image.
        path: std::path::PathBuf,
        /// The underlying error.
        #[source]
        source: rift_volume::Error,
    },
    /// A volume is not NTFS or could not be opened as NTFS.
    #[error("volume at byte offset {offset:#x}: {source}")]
    Ntfs {
        /// Start of the volume in the media.
        offset: u64,
        /// The underlying error.
        #[source]
        source: rift_ntfs::Error,
    },
    /// No volume matches the selection.
    #[error("{0}")]
    NoVolume(String),
    /// Reading a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
