//! rift-shell `parse_job` on arbitrary bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = rift_shell::parse_job(data);
});
