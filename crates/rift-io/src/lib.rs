//! Shared I/O plumbing for rift's parsers.
//!
//! Every evidence layer in rift is a reader stacked on another reader:
//! segment files → EWF media → partition window → NTFS stream → USN records.
//! This crate holds the few pieces all layers share:
//!
//! * [`ReadAt`] — positional, `&self` reads (`pread`). A positional reader can
//!   be shared between threads without a lock on a file cursor, which lets the
//!   analysis pipeline parse several artifacts of one image in parallel.
//!   [`ReadAtCursor`] turns any `ReadAt` into the `Read + Seek` that parser
//!   crates take; [`SubRange`] is a window (a partition, a file's data).
//! * [`bytes`] — bounds-checked little-endian reads on byte slices. Every
//!   length and offset read from evidence is hostile; these helpers return
//!   `None` instead of panicking so callers can attach a byte position to
//!   their own typed error.
//! * [`time`] — Windows time stamps (`FILETIME`, `SYSTEMTIME`-style) and
//!   browser epochs, converted to [`jiff::Timestamp`] and rendered in the
//!   layouts analysts load (EZ-tools CSV, ISO 8601).
//! * [`host`] — turning names found inside an image into safe names on the
//!   analyst's machine.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod bytes;
pub mod host;
mod read_at;
pub mod time;

pub use read_at::{ReadAt, ReadAtCursor, SharedReader, SubRange, read_exact_at};
