//! Fuzzes a whole event log through rift-evtx: chunk walk, salvage, hidden
//! record search, rendering, the shipped maps and both output layouts.
#![no_main]

use std::sync::OnceLock;

static MAPS: OnceLock<rift_evtx::MapSet> = OnceLock::new();

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let maps = MAPS.get_or_init(rift_evtx::MapSet::shipped);
    let opts = rift_evtx::ParseOptions {
        recover: data.first().is_some_and(|b| b & 1 == 1),
        ..Default::default()
    };
    let _ = rift_evtx::parse_evtx_bytes(data, "fuzz.evtx", maps, &opts, |r| {
        let _ = rift_evtx::csv_row(&r);
        let _ = rift_evtx::json_line(&r);
    });
});
