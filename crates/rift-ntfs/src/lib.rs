//! NTFS for forensics: boot sector, FILE records, attributes, data runs,
//! compression, directory indexes, full paths, deleted entries.
//!
//! `rift-ntfs` reads an NTFS volume through any [`rift_io::ReadAt`] (a
//! partition window of an E01, a raw volume, a VM disk). It is written for
//! evidence: corrupt structures are reported and parsing goes on, nothing
//! on disk is trusted for a length or an allocation, and deleted entries
//! are first-class. See `README.md` in the crate for an API tour.
//!
//! # Getting started
//!
//! ```no_run
//! use rift_ntfs::Ntfs;
//! # fn main() -> rift_ntfs::Result<()> {
//! let volume = std::fs::File::open("volume.raw").expect("open");
//! let ntfs = Ntfs::open(volume)?;
//! // Look a file up by path (case-insensitive through $UpCase).
//! if let Some(entry) = ntfs.find("Windows/System32/config/SYSTEM")? {
//!     let stream = ntfs.open_stream(&entry, None)?; // ReadAt + 'static
//!     println!("{} bytes", stream.size());
//! }
//! // Every entry, in use or deleted, with its full path.
//! let paths = ntfs.paths();
//! for entry in ntfs.entries() {
//!     let entry = entry?;
//!     println!("{} {}", entry.number, paths.path(entry.number));
//! }
//! # Ok(()) }
//! ```
//!
//! # Design notes
//!
//! * [`Ntfs`] is `Send + Sync` and cheap to clone; methods take `&self`.
//!   Streams ([`NtfsStream`]) own an `Arc` of the volume and implement
//!   `ReadAt`, so they can be handed to other parsers.
//! * LZNT1 is implemented here (see [`lznt1`]) because NTFS needs
//!   "stop at the unit size" semantics and positioned errors; WOF XPRESS
//!   chunks use the `xpress-huffman` crate (pure Rust, `forbid(unsafe)`);
//!   WOF LZX is reported as [`Error::Unsupported`].
//! * Hostile input: run lists, attribute lists, index nodes and parent
//!   chains are bounded (caps are constants in each module) and never
//!   panic; see the tests and the fuzz targets `rift-ntfs_*`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod boot;
mod entry;
mod error;
pub mod index;
pub mod lznt1;
mod mft;
pub mod paths;
pub mod record;
pub mod runs;
pub mod secure;
mod stream;
mod upcase;
pub mod values;
mod volume;

pub use boot::BootSector;
pub use entry::MftEntry;
pub use error::{Error, Result};
pub use index::{DirEntry, DirListing};
pub use mft::{MftFile, detect_record_size};
pub use paths::{PathMap, PathStatus};
pub use record::{
    AttrBody, AttrFlags, Attribute, FixupStatus, NonResident, Record, RecordFlags, RecordHeader,
    Signature, parse_record,
};
pub use runs::{Run, decode_runs};
pub use secure::SecureMap;
pub use stream::{AllocatedRange, NtfsStream, StreamKind};
pub use upcase::UpCase;
pub use values::{AttrType, FileAttributes, FileName, FileReference, StandardInformation};
pub use volume::{Entries, Ntfs, entries, par_chunks_ordered};
