//! Open every container kind over arbitrary bytes and read a few places.
#![no_main]
use std::sync::Arc;

use rift_io::{ReadAt, SharedReader};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let r: SharedReader = Arc::new(data.to_vec());
    for kind in [
        rift_vdisk::VdiskKind::Qcow2,
        rift_vdisk::VdiskKind::Vhd,
        rift_vdisk::VdiskKind::Vhdx,
        rift_vdisk::VdiskKind::VmdkSparse,
        rift_vdisk::VdiskKind::VmdkDescriptor,
    ] {
        if let Ok(v) = rift_vdisk::open(kind, r.clone(), &rift_vdisk::no_extents) {
            let mut buf = vec![0u8; 4096];
            let size = v.size();
            for off in [0, size / 2, size.saturating_sub(100)] {
                let _ = v.read_at(off, &mut buf);
            }
        }
    }
});
