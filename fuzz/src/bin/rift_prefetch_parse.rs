//! Prefetch: MAM container + SCCA structure from arbitrary bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = rift_prefetch::parse(data);
    let _ = rift_prefetch::parse_uncompressed(data);
});
