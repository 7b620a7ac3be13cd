//! NTFS $LogFile (LFS 1.1 and 2.0): restart and record pages, redo/undo operations, file events
//!
//! (Work in progress: see the issue tracker.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
