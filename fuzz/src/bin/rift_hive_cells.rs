//! Any bytes as a hive: open (lenient), walk every key, decode every value,
//! run every plugin and the deleted-data scan. Must never panic or hang.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(h) = rift_hive::Hive::from_bytes(data.to_vec()) else { return };
    let _ = h.walk(|_, k| {
        let _ = k.class_name();
        let _ = k.security().map(|s| s.map(|s| s.owner()));
        for v in k.values().into_iter().flatten() {
            let _ = v.decoded();
        }
    });
    for t in [
        rift_hive::HiveType::NtUser,
        rift_hive::HiveType::UsrClass,
        rift_hive::HiveType::System,
        rift_hive::HiveType::Software,
        rift_hive::HiveType::Amcache,
    ] {
        let _ = rift_hive::plugins::run_all(&h, t);
    }
    let _ = rift_hive::recover::recover(&h);
});
