//! NTFS change journal ($UsnJrnl:$J) records V2/V3/V4 with full-path resolution
//!
//! (Work in progress: see the issue tracker.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
