//! Shell artifacts: LNK, jump lists, Recycle Bin, Zone.Identifier
//!
//! (Work in progress: see the issue tracker.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
