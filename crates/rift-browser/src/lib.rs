//! Browser history and downloads: Chromium family and Firefox
//!
//! (Work in progress: see the issue tracker.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
