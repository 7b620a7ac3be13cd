//! Windows Prefetch (SCCA versions 17-31) including Win10 MAM / Xpress Huffman compression
//!
//! (Work in progress: see the issue tracker.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
