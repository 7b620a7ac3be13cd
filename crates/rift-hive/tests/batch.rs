//! RECmd batch engine on real hives: rows checked against hivex's reading.

mod common;
use common::*;
use rift_hive::batch::{BatchFile, BatchRun, CSV_HEADER, DEFAULT_BATCH, write_csv};
use rift_hive::{Hive, HiveType, recover::recover};

#[test]
fn default_batch_parses_and_covers_hive_types() {
    let b = BatchFile::parse(DEFAULT_BATCH).unwrap();
    for t in [
        HiveType::NtUser,
        HiveType::UsrClass,
        HiveType::System,
        HiveType::Software,
        HiveType::Amcache,
    ] {
        assert!(b.keys.iter().any(|k| k.hive_type == t), "{t:?}");
    }
    // RECmd's validator rules.
    assert!(BatchFile::parse("Description: x\nAuthor: y\nVersion: 1\nId: z\nKeys: []\n").is_err());
    assert!(BatchFile::parse("Description: x\nAuthor: y\nVersion: 1\nKeys:\n  - {Description: a, HiveType: SYSTEM, Category: c, KeyPath: Select}\n").is_err());
    assert!(BatchFile::parse("Description: x\nAuthor: y\nVersion: 1\nId: z\nKeys:\n  - {Description: a, HiveType: NOPE, Category: c, KeyPath: Select}\n").is_err());
    assert!(BatchFile::parse(":\n  - [").is_err());
}

#[test]
fn default_batch_on_system_matches_hivex() {
    let p = rift_testutil::fixture("registry/regipy_SYSTEM_B");
    let h = Hive::from_bytes(reg("regipy_SYSTEM_B")).unwrap();
    let hx = hivex_dump(&p);
    let b = BatchFile::parse(DEFAULT_BATCH).unwrap();
    let rows = BatchRun {
        hive_path: "SYSTEM",
        hive_type: HiveType::System,
        recovered: None,
    }
    .run(&b, &h);
    let root = h.root().unwrap().name();
    // Every Services ImagePath row equals hivex's string for that key.
    let mut n = 0;
    for r in rows.iter().filter(|r| r.description == "Services") {
        let rel = r
            .key_path
            .strip_prefix(&format!("{root}\\"))
            .unwrap()
            .to_lowercase();
        let v = hx[&rel]
            .values
            .iter()
            .find(|v| v.name == "ImagePath")
            .unwrap();
        assert_eq!(Some(&r.value_data), v.value.as_ref(), "{rel}");
        assert!(r.value_type == "RegExpandSz" || r.value_type == "RegSz");
        assert_eq!(hx_time(r.last_write.unwrap()), hx[&rel].mtime);
        n += 1;
    }
    assert!(n > 300, "{n}");
    // TimeZone Bias: DWORD in decimal as hivex prints it.
    let bias = rows
        .iter()
        .find(|r| r.description == "Time zone" && r.value_name == "Bias")
        .unwrap();
    assert_eq!(bias.value_data, "300");
    // CSV: BOM + exact header + CRLF.
    let mut out = Vec::new();
    write_csv(&mut out, &rows, true).unwrap();
    assert!(out.starts_with(format!("\u{feff}{CSV_HEADER}\r\n").as_bytes()));
    assert!(out.ends_with(b"\r\n"));
}

#[test]
fn recover_adds_deleted_keys_under_batch_paths() {
    let h = Hive::from_bytes(reg("yarp_DeletedTreeHive")).unwrap();
    let rec = recover(&h);
    let b = BatchFile::parse("Description: t\nAuthor: a\nVersion: 1\nId: i\nKeys:\n  - Description: tree\n    HiveType: NTUSER\n    Category: c\n    KeyPath: 1\\2\n    Recursive: true\n").unwrap();
    let rows = BatchRun {
        hive_path: "h",
        hive_type: HiveType::NtUser,
        recovered: Some(&rec),
    }
    .run(&b, &h);
    let root = h.root().unwrap().name();
    let deleted: Vec<&str> = rows
        .iter()
        .filter(|r| r.deleted)
        .map(|r| r.key_path.as_str())
        .collect();
    // yarp: the deleted keys are 1\2\3, 1\2\3\4, 1\2\3\4\5, 1\2\3\4\New Key #1.
    for p in [
        "1\\2\\3",
        "1\\2\\3\\4",
        "1\\2\\3\\4\\5",
        "1\\2\\3\\4\\New Key #1",
    ] {
        assert!(
            deleted.contains(&format!("{root}\\{p}").as_str()),
            "{p}: {deleted:?}"
        );
    }
    assert!(
        rows.iter()
            .any(|r| !r.deleted && r.key_path == format!("{root}\\1\\2"))
    );
}
