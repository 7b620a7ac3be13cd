//! Open any disk image by path.
//!
//! [`open`] looks at the file's first bytes (and last sector, for VHD), not
//! its extension, and stacks the right reader:
//!
//! | format | detected by | reader |
//! |---|---|---|
//! | EWF v1 (`.E01`, `.s01`, `.L01`, split sets) | `EVF\t\r\n\xff\0` / `LVF…` | [`rift_ewf::EwfImage`] |
//! | qcow2, VHD, VHDX, VMDK | `QFI\xfb`, `conectix` footer, `vhdxfile`, `KDMV` / descriptor | [`rift_vdisk`] |
//! | split raw (`.001 .002 …`, `.aa .ab …`) | raw data + sibling names | [`rift_vdisk::SplitRaw`] |
//! | raw (`.dd`, `.raw`, `.img`, anything else) | no known signature | the file |
//!
//! The result is an [`Image`]: the media bytes as a shared positional reader
//! plus what the container says about the evidence ([`ImageInfo`]: case
//! metadata, stored hashes, acquisition errors, the files of the set).
//! [`Image::stream`] reads the whole media in order as fast as the
//! container allows (EWF chunks inflate on every core) and [`hash_media`]
//! computes MD5 and SHA-1 from it on two threads.
//!
//! ```no_run
//! let img = rift_image::open("case.E01".as_ref())?;
//! println!("{} {} bytes", img.format, img.size);
//! # Ok::<(), rift_image::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod detect;
mod hash;
mod open;

pub use detect::{ImageFormat, detect_format};
pub use hash::{MediaHashes, hash_media};
pub use open::{Image, ImageInfo, open};
pub use rift_vdisk::SplitRaw;

use std::path::PathBuf;

/// Errors opening an image.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file of the image could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The EWF reader refused the set.
    #[error("{path}: {source}")]
    Ewf {
        /// The file given.
        path: PathBuf,
        /// The EWF error.
        #[source]
        source: rift_ewf::Error,
    },
    /// A segment of a split set is missing.
    #[error("{path}: segment {number} of the set is missing: expected file {expected}")]
    MissingSegment {
        /// The file given.
        path: PathBuf,
        /// Missing segment number.
        number: u32,
        /// The file name expected.
        expected: PathBuf,
    },
    /// A recognised container that this build cannot read yet.
    #[error("{path}: {format} images are not supported yet")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// The container format.
        format: ImageFormat,
    },
    /// The virtual-disk reader refused the image.
    #[error("{path}: {message}")]
    Vdisk {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The file is empty: there is no media to read.
    #[error("{path}: empty file (0 bytes), not a disk image")]
    Empty {
        /// The file.
        path: PathBuf,
    },
}

/// Result with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
