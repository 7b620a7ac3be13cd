//! rift-shell `parse_custom` on arbitrary bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = rift_shell::parse_custom(data);
});
