//! Any bytes as a mapping-pairs (data run) list and as LZNT1 data: never
//! panic, never produce more than the requested output.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = rift_ntfs::decode_runs(data, 0);
    let _ = rift_ntfs::runs::decode_runs_lenient(data, u64::MAX - 16);
    let mut out = Vec::new();
    let _ = rift_ntfs::lznt1::decompress(data, 65536, &mut out);
    assert!(out.len() <= 65536);
});
