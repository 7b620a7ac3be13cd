//! rift-shell `parse_detection_history` on arbitrary bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = rift_shell::parse_detection_history(data);
});
