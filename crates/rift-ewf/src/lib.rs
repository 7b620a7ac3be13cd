//! EnCase EWF v1 (E01/S01/L01) reader: segments, metadata, chunk tables, checksums, stored hashes, random access
//!
//! (Work in progress: see the issue tracker.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
