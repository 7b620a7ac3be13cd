//! Fuzz `$LogFile` parsing and the event summary from raw bytes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let log = rift_logfile::LogFile::from_bytes(data.to_vec());
    let a = rift_logfile::analyze(&log);
    let _ = rift_logfile::csv::write_events(std::io::sink(), &a.events);
});
