//! Any bytes split into a primary hive and two transaction logs: replay
//! must return Ok or Err, never panic, hang or allocate without bound.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let a = usize::from(u16::from_le_bytes([data[0], data[1]])) * 16 % data.len();
    let b = usize::from(u16::from_le_bytes([data[2], data[3]])) * 16 % data.len();
    let (x, y) = (a.min(b).max(4), a.max(b).max(4));
    let primary = &data[4..x];
    let log1 = &data[x..y];
    let log2 = &data[y..];
    if let Ok(r) = rift_hive::replay(primary, Some(log1), Some(log2)) {
        let _ = rift_hive::Hive::from_bytes(r.hive);
    }
    let _ = rift_hive::log::scan_entries(log1);
});
