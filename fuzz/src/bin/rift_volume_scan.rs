//! Partition-table scan over arbitrary media bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = rift_volume::scan(&data.to_vec(), 512);
    let _ = rift_volume::sniff_bytes(data);
});
