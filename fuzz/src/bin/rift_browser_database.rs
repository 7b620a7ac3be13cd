//! Any bytes as a browser database (and, when the first byte is odd, the
//! tail as its `-wal`): must return Ok or Err, never panic or hang.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let origin = rift_browser::Origin::default();
    let (db, wal) = match data.first() {
        Some(b) if b % 2 == 1 && data.len() > 2 => {
            let cut = usize::from(data[1]) * 64 % data.len();
            (&data[2..cut.max(2)], Some(&data[cut.max(2)..]))
        }
        _ => (data, None),
    };
    if let Ok(parsed) = rift_browser::parse_database(db, wal, None, &origin) {
        let _ = rift_browser::timeline::rows(&parsed, &origin);
    }
});
