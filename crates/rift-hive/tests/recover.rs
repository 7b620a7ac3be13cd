//! Deleted-data recovery, checked against the expectations of yarp's own
//! test suite (`test_cases.py`: test_deleted, test_remnants,
//! test_deleted_tree_no_root_flag, test_deleted_tree_partial_path,
//! test_deleted_value_assoc, test_hive_slack, test_sqlite).

mod common;
use common::*;
use rift_hive::{Hive, ValueType, recover::recover};

fn utf16z(s: &str) -> Vec<u8> {
    let mut v: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    v.extend([0, 0]);
    v
}

#[test]
fn deleted_data_hive() {
    let h = Hive::from_bytes(reg("yarp_DeletedDataHive")).unwrap();
    let r = recover(&h);
    // yarp: 2 deleted values (v2 = "456", v = "123456", both REG_SZ) and one
    // deleted key "456" holding value v = "123456".
    let mut names: Vec<(&str, &[u8])> = r
        .values
        .iter()
        .map(|v| (v.name.as_str(), v.data.as_slice()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            ("v", utf16z("123456").as_slice()),
            ("v2", utf16z("456").as_slice())
        ]
    );
    assert!(r.values.iter().all(|v| v.value_type == ValueType::Sz));
    assert_eq!(r.keys.len(), 1, "{:#?}", r.keys);
    let k = &r.keys[0];
    assert_eq!(k.name, "456");
    assert_eq!(k.values.len(), 1);
    assert_eq!(k.values[0].name, "v");
    assert_eq!(k.values[0].data, utf16z("123456"));
    // test_deleted_value_assoc: v2 is a remnant in live key "123"'s list.
    let v2 = r.values.iter().find(|v| v.name == "v2").unwrap();
    assert_eq!(v2.key_path.as_deref(), Some("123"));
    assert!(!v2.key_deleted);
}

#[test]
fn deleted_trees() {
    let full = [
        "1\\2\\3",
        "1\\2\\3\\4",
        "1\\2\\3\\4\\5",
        "1\\2\\3\\4\\New Key #1",
    ];
    for f in ["yarp_DeletedTreeHive", "yarp_DeletedTreeNoRootFlagHive"] {
        let h = Hive::from_bytes(reg(f)).unwrap();
        let r = recover(&h);
        let mut paths: Vec<&str> = r.keys.iter().map(|k| k.path.as_str()).collect();
        paths.sort();
        assert_eq!(paths, full, "{f}");
        assert!(r.keys.iter().all(|k| k.path_complete));
        assert!(r.values.is_empty(), "{f}: {:?}", r.values);
    }
    let h = Hive::from_bytes(reg("yarp_DeletedTreePartialPathHive")).unwrap();
    let r = recover(&h);
    let mut paths: Vec<&str> = r.keys.iter().map(|k| k.path.as_str()).collect();
    paths.sort();
    assert_eq!(paths, ["3", "3\\4", "3\\4\\5", "3\\4\\New Key #1"]);
    assert!(r.keys.iter().all(|k| !k.path_complete));
    // Timestamps from yarp's test_sqlite for this hive.
    let t = |n: &str| r.keys.iter().find(|k| k.name == n).unwrap().last_written.0;
    assert_eq!(t("3"), 131345184953072285);
    assert_eq!(t("5"), 131345184913496045);
    assert_eq!(t("New Key #1"), 131345184906594029);
}

#[test]
fn healed_and_remnants_and_slack() {
    let h = Hive::from_bytes(reg("yarp_HealedHive")).unwrap();
    let r = recover(&h);
    assert!(r.keys.iter().any(|k| k.name == "cccc"), "{:#?}", r.keys);
    for k in &r.keys {
        assert_eq!(k.name, "cccc");
        for v in &k.values {
            assert_eq!(
                (v.name.as_str(), v.value_type, v.data.as_slice()),
                ("123", ValueType::Sz, utf16z("test").as_slice())
            );
        }
    }
    for v in &r.values {
        assert_eq!(
            (v.name.as_str(), v.data.as_slice()),
            ("123", utf16z("test").as_slice())
        );
    }

    let h = Hive::from_bytes(reg("yarp_RemnantsHive")).unwrap();
    let r = recover(&h);
    assert!(r.keys.is_empty());
    assert_eq!(r.values.len(), 1, "{:#?}", r.values);
    assert_eq!(r.values[0].name, "");
    assert_eq!(r.values[0].value_type, ValueType::Dword);
    assert_eq!(r.values[0].data, 1u32.to_le_bytes());

    let h = Hive::from_bytes(reg("yarp_SlackHive")).unwrap();
    let r = recover(&h);
    assert!(
        r.slack
            .iter()
            .any(|s| s.bytes.windows(4).any(|w| w == b"SLCK")),
        "{} slack regions",
        r.slack.len()
    );
    // A clean, never-edited hive has no deleted keys in the trees yarp tests.
    let h = Hive::from_bytes(reg("yarp_BigDataHive")).unwrap();
    assert!(recover(&h).keys.is_empty());
}
