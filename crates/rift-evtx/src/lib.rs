//! Windows event logs (EVTX) through the evtx crate, with EvtxECmd-compatible maps
//!
//! (Work in progress: see the issue tracker.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
