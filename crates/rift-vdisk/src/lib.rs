//! Virtual-disk containers: qcow2, VHD, VHDX, VMDK and split raw, as positional readers
//!
//! (Work in progress: see the issue tracker.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
