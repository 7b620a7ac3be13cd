//! Any bytes as an NTFS volume: boot sector, $MFT mapping, listing the
//! root and reading a few streams must return Ok or Err, never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(ntfs) = rift_ntfs::Ntfs::open(data.to_vec()) else {
        return;
    };
    for e in ntfs.entries().take(64).flatten() {
        if let Ok(s) = ntfs.open_stream(&e, None) {
            let _ = s.read_all(1 << 16);
        }
        if e.has_i30() {
            let _ = ntfs.read_dir(&e);
        }
    }
    let _ = ntfs.find("a/b");
});
