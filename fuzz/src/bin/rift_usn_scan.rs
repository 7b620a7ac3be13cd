//! Fuzz the `$J` scanner and path resolution from raw bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let (records, _damage, _stats) = rift_usn::scan_bytes(data, 0);
    let _ = rift_usn::resolve_all(records, Vec::new(), rift_usn::NoMft, Vec::new(), Default::default());
    let _ = rift_usn::plausible_for_carving(data);
});
