//! Open any disk image by path: detect the container by magic (EWF, raw, split raw, qcow2, VHD, VHDX, VMDK)
//!
//! (Work in progress: see the issue tracker.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]
