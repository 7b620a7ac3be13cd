//! rift-shell `parse_task_xml` on arbitrary bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = rift_shell::parse_task_xml(data);
});
