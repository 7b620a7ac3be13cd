//! Fuzzes the EWF section parser: the bytes are one segment file (section
//! chain, header/volume/table/hash/error2 payloads), then the media is read
//! through the chunk tables.
#![no_main]

use std::sync::Arc;

use rift_io::{ReadAt, SharedReader};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let seg: SharedReader = Arc::new(data.to_vec());
    if let Ok(img) = rift_ewf::EwfImage::open(vec![seg]) {
        let _ = img.info();
        let mut buf = vec![0u8; 1 << 16];
        let mut off = 0u64;
        while off < img.size().min(1 << 20) {
            let _ = img.read_at(off, &mut buf);
            off += buf.len() as u64;
        }
        let _ = img.bad_chunks();
    }
});
