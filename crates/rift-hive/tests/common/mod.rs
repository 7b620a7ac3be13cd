//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::collections::BTreeMap;

use rift_hive::Hive;

/// Bytes of `registry/<name>`.
pub fn reg(name: &str) -> Vec<u8> {
    rift_testutil::fixture_bytes(&format!("registry/{name}"))
}

/// key path -> (key last written, sorted [(value name, raw type, data)])
pub type Snapshot = BTreeMap<String, (u64, Vec<(String, u32, Vec<u8>)>)>;

/// Every key, value and data reachable from the root.
pub fn snapshot(h: &Hive) -> Snapshot {
    let mut out = Snapshot::new();
    let errs = h.walk(|path, key| {
        let mut vals: Vec<(String, u32, Vec<u8>)> = key
            .values()
            .into_iter()
            .map(|v| {
                let v = v.expect("value");
                (v.name(), v.raw_type(), v.data().expect("data").into_owned())
            })
            .collect();
        vals.sort();
        out.insert(path.to_string(), (key.last_written().0, vals));
    });
    assert!(errs.is_empty(), "walk errors: {errs:?}");
    out
}

/// (keys, values) counted by a walk.
pub fn counts(h: &Hive) -> (usize, usize) {
    let (mut k, mut v) = (0, 0);
    let errs = h.walk(|_, key| {
        k += 1;
        v += key.values().len();
    });
    assert!(errs.is_empty(), "walk errors: {errs:?}");
    (k, v)
}
