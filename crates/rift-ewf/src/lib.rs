//! EnCase EWF v1 (`.E01`/`.s01`/`.L01`) reader.
//!
//! An EWF image is a set of *segment files* (`case.E01`, `case.E02`, …). Each
//! starts with a 13-byte file header and holds a chain of *sections*, each
//! introduced by a 76-byte descriptor. The media is cut into fixed-size
//! *chunks* (usually 64 sectors = 32 KiB); each chunk is stored either
//! zlib-compressed (checked by zlib's own Adler-32) or raw followed by an
//! Adler-32. `table` sections (mirrored by `table2`) give every chunk's file
//! offset. Case metadata lives in the zlib-compressed `header2`/`header`
//! (and libewf's `xheader`) sections; `hash`/`digest` carry the MD5/SHA-1
//! the acquisition tool computed; `error2` lists sectors that could not be
//! read during acquisition.
//!
//! This crate parses all of that from positional readers ([`rift_io::ReadAt`],
//! one per segment) and exposes the media as a [`rift_io::ReadAt`] itself
//! ([`EwfImage`]): thread-safe, with a small sharded chunk cache, and a
//! parallel in-order streaming path ([`EwfImage::stream`]) for whole-image
//! work (hashing, conversion) that inflates chunks on every core.
//!
//! Damage is reported, not fatal where it can be avoided: a chunk that does
//! not inflate or whose checksum does not match reads as zeros and is
//! recorded as a [`BadChunk`] (chunk index, media offset, segment number,
//! file offset); a damaged `table` falls back to its `table2` mirror;
//! descriptor checksum failures and odd section chains become
//! [`Warning`]s. Only what makes the image unusable is an [`Error`]: no EWF
//! signature, no media description, a missing segment.
//!
//! Why our own reader: the `ewf` crate reads byte-identically but does not
//! verify chunk checksums on read, and is young and single-maintainer;
//! libewf is C. Evidence handling needs checksums verified on every read
//! and damage reported with positions.
//!
//! Sources:
//! - libyal/libewf, `documentation/Expert Witness Compression Format (EWF).asciidoc`
//!   (section descriptor, header/header2 categories, volume, table, hash,
//!   digest, error2, session layouts; segment naming).
//! - ASR Data, "Expert Witness Compression Format specification" (2002)
//!   (original layout, SMART volume section).
//! - Checked on the fixtures (see `docs/formats/containers.md` §1): the
//!   ewf-tools `ewfinfo`/`ewfexport` outputs are the test oracles.
//!
//! ```no_run
//! use std::sync::Arc;
//! use rift_io::{ReadAt, SharedReader};
//!
//! let paths = rift_ewf::discover_segments("case.E01".as_ref())?;
//! let mut segs: Vec<SharedReader> = Vec::new();
//! for p in &paths {
//!     segs.push(Arc::new(std::fs::File::open(p)?));
//! }
//! let img = rift_ewf::EwfImage::open(segs)?;
//! let mut mbr = [0u8; 512];
//! img.read_at(0, &mut mbr)?;
//! println!("case {:?}, {} bytes, {} bad chunks so far",
//!     img.info().metadata.case_number, img.size(), img.bad_chunks().len());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod cache;
mod chunk;
mod error;
mod header;
mod image;
mod records;
mod section;
mod segments;
mod stream;
mod table;
mod volume;

pub use chunk::{BadChunk, BadChunkReason};
pub use error::{Error, Result};
pub use header::{EwfTime, Metadata};
pub use image::{EwfImage, EwfInfo, SegmentInfo, Warning};
pub use records::SectorRange;
pub use records::Session;
pub use section::SectionInfo;
pub use segments::{discover_segments, segment_file_name};
pub use volume::MediaInfo;

/// Segment file signature of `.E01`/`.s01` files: `EVF\t\r\n\xff\0`.
pub const EVF_SIGNATURE: [u8; 8] = *b"EVF\x09\x0d\x0a\xff\x00";
/// Segment file signature of logical-evidence `.L01` files: `LVF\t\r\n\xff\0`.
pub const LVF_SIGNATURE: [u8; 8] = *b"LVF\x09\x0d\x0a\xff\x00";

/// True when `head` (the first bytes of a file) starts with an EWF v1
/// segment signature (`EVF…` or `LVF…`).
pub fn is_ewf(head: &[u8]) -> bool {
    head.starts_with(&EVF_SIGNATURE) || head.starts_with(&LVF_SIGNATURE)
}

/// Adler-32 as used everywhere in EWF (zlib's, initial value 1). zlib-rs's
/// implementation picks AVX2 at run time; it checks every uncompressed
/// chunk, so its speed shows in `verify`.
pub(crate) fn adler32(data: &[u8]) -> u32 {
    zlib_rs::adler32::adler32(1, data)
}
