//! Windows registry hives: regf cells, transaction-log replay, deleted data, batch files and plugins
//!
//! (Work in progress: see the issue tracker.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
