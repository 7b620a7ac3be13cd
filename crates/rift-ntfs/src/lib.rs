//! NTFS: boot sector, FILE records, attributes, data runs, compression, indexes, paths, deleted entries
//!
//! (Work in progress: see the issue tracker.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
