//! Case database: schema, migrations, inserts, timeline build and exports.
//! Expected values are worked out by hand in each test.

use rift_io::time::{DisplayZone, FileTime};
use rift_testutil::TempDir;
use rift_timeline::*;

fn cols(db: &CaseDb, table: &str) -> Vec<String> {
    let mut st = db
        .conn()
        .prepare(&format!("PRAGMA table_info({table})"))
        .unwrap();
    st.query_map([], |r| r.get::<_, String>(1))
        .unwrap()
        .map(|c| c.unwrap())
        .filter(|c| c != "id")
        .collect()
}

macro_rules! check_rows {
    ($db:expr, $($t:ty),*) => {$(
        assert_eq!(
            cols($db, <$t as Row>::TABLE),
            <$t as Row>::COLUMNS.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            "columns of {}", <$t as Row>::TABLE
        );
        // A default row inserts cleanly.
        $db.insert(&[<$t>::default()]).unwrap();
    )*};
}

#[test]
fn row_structs_match_the_migrations() {
    let mut db = CaseDb::open_in_memory().unwrap();
    check_rows!(
        &mut db,
        VolumeRow,
        SourceRow,
        ParseErrorRow,
        MftRow,
        UsnRow,
        LogfileEventRow,
        RegistryValueRow,
        RegistryKeyRow,
        UserAssistRow,
        BamRow,
        ShimcacheRow,
        AmcacheRow,
        AutorunRow,
        ServiceRow,
        TaskRow,
        DefenderSettingRow,
        DefenderDetectionRow,
        UserProfileRow,
        PrefetchRow,
        EvtxRow,
        BrowserVisitRow,
        BrowserDownloadRow,
        BrowserSearchRow,
        ZoneIdentifierRow,
        LnkRow,
        JumplistRow,
        RecycleBinRow,
        FileSampleRow,
        TimelineRow,
        FindingRow
    );
    // Every table of the schema is listed in TABLES and vice versa.
    let mut st = db
        .conn()
        .prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN ('schema_version') ORDER BY name")
        .unwrap();
    let mut names: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let mut want: Vec<String> = TABLES.iter().map(|s| s.to_string()).collect();
    names.sort();
    want.sort();
    assert_eq!(names, want);
}

#[test]
fn migrations_folder_matches_embedded_list() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    files.sort();
    let embedded: Vec<String> = MIGRATIONS.iter().map(|m| format!("{}.sql", m.1)).collect();
    assert_eq!(files, embedded);
    for (i, m) in MIGRATIONS.iter().enumerate() {
        assert_eq!(m.0 as usize, i + 1, "versions are 1, 2, 3 …");
        assert!(m.1.starts_with(&format!("{:04}_", m.0)));
    }
    assert_eq!(MIGRATIONS.last().unwrap().0, SCHEMA_VERSION);
}

#[test]
fn create_open_and_wal() {
    let tmp = TempDir::new("rift-timeline-create");
    let p = tmp.path().join("case.sqlite");
    assert!(matches!(CaseDb::open(&p), Err(Error::NotFound(_))));
    {
        let mut db = CaseDb::create(&p).unwrap();
        assert_eq!(db.schema_version().unwrap(), SCHEMA_VERSION);
        let mode: String = db
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        db.set_info("image.path", "/x/disk.E01").unwrap();
        db.set_info("image.path", "/y/disk.E01").unwrap();
        db.finish().unwrap();
    }
    assert!(matches!(CaseDb::create(&p), Err(Error::Exists(_))));
    let db = CaseDb::open(&p).unwrap();
    assert_eq!(
        db.info("image.path").unwrap().as_deref(),
        Some("/y/disk.E01")
    );
    assert_eq!(db.info("missing").unwrap(), None);
    let ro = CaseDb::open_read_only(&p).unwrap();
    assert_eq!(ro.schema_version().unwrap(), SCHEMA_VERSION);
    // A database from a newer rift is refused.
    db.conn()
        .execute("INSERT INTO schema_version VALUES (99, 'future', 'x')", [])
        .unwrap();
    drop(db);
    assert!(matches!(
        CaseDb::open(&p),
        Err(Error::SchemaTooNew { found: 99, .. })
    ));
}

fn t(s: &str) -> Option<DbTime> {
    Some(DbTime::parse(s).unwrap())
}

#[test]
#[allow(clippy::type_complexity)]
fn timeline_macb_and_links() {
    let mut db = CaseDb::open_in_memory().unwrap();
    db.set_info("host.computer_name", "PC1").unwrap();
    // SI: created = modified = 10:00, changed 11:00, accessed 12:00.
    // FN: all four 09:00 (differs from SI, so FN events appear: one MACB).
    db.insert_mft(&[MftRow {
        entry: 42,
        seq: Some(3),
        in_use: Some(false),
        name: Some("a.txt".into()),
        full_path: Some(r"C:\a.txt".into()),
        si_created: t("2023-01-01T10:00:00Z"),
        si_modified: t("2023-01-01T10:00:00Z"),
        si_mft_modified: t("2023-01-01T11:00:00Z"),
        si_accessed: t("2023-01-01T12:00:00Z"),
        fn_created: t("2023-01-01T09:00:00Z"),
        fn_modified: t("2023-01-01T09:00:00Z"),
        fn_mft_modified: t("2023-01-01T09:00:00Z"),
        fn_accessed: t("2023-01-01T09:00:00Z"),
        ..Default::default()
    }])
    .unwrap();
    db.insert_prefetch(&[PrefetchRow {
        exe: Some("X.EXE".into()),
        pf_name: Some("X.EXE-01234567.pf".into()),
        run_count: Some(2),
        last_run: t("2023-01-02T00:00:02Z"),
        run_times: json_text(&[
            "2023-01-02T00:00:02.0000000Z",
            "2023-01-02T00:00:01.0000000Z",
        ]),
        ..Default::default()
    }])
    .unwrap();
    let n = db.build_timeline().unwrap();
    assert_eq!(n, 3 + 1 + 2);
    let mut st = db
        .conn()
        .prepare("SELECT time, source, artifact, macb, host, src_table, src_id, ts FROM timeline ORDER BY ts, id")
        .unwrap();
    let got: Vec<(
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        i64,
        i64,
    )> = st
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let short: Vec<(&str, &str, Option<&str>)> = got
        .iter()
        .map(|g| (g.1.as_str(), g.2.as_str(), g.3.as_deref()))
        .collect();
    assert_eq!(
        short,
        vec![
            ("FILE", "$MFT $FN", Some("MACB")),
            ("FILE", "$MFT $SI", Some("M..B")),
            ("FILE", "$MFT $SI", Some("..C.")),
            ("FILE", "$MFT $SI", Some(".A..")),
            ("EXEC", "Prefetch", None),
            ("EXEC", "Prefetch", None),
        ]
    );
    assert_eq!(got[1].0, "2023-01-01T10:00:00.0000000Z");
    // 2023-01-01T10:00:00Z = 1672567200 s.
    assert_eq!(got[1].7, 1_672_567_200_000_000);
    assert_eq!(got[0].4.as_deref(), Some("PC1"));
    assert_eq!((got[0].5.as_str(), got[0].6), ("mft", 1));
    drop(st);
    // Rebuilding replaces, never duplicates.
    assert_eq!(db.build_timeline().unwrap(), n);
    assert_eq!(db.count("timeline").unwrap(), n as i64);
}

#[test]
fn exports_csv_jsonl_body() {
    let mut db = CaseDb::open_in_memory().unwrap();
    // 133367329252992500 ticks = 2023-08-17T08:02:05.2992500Z
    // ((1692259325 + 11644473600) * 10^7 + 2992500).
    let when = DbTime::from_filetime(FileTime(133_367_329_252_992_500));
    db.insert_usn(&[UsnRow {
        usn: Some(8),
        time: when.clone(),
        entry: Some(5),
        seq: Some(1),
        name: Some("b \"q\".docx".into()),
        full_path: Some(r#"C:\U\b, "q".docx"#.into()),
        reasons: 0x100,
        reasons_text: Some("FileCreate".into()),
        ..Default::default()
    }])
    .unwrap();
    db.insert_mft(&[MftRow {
        entry: 5,
        seq: Some(1),
        in_use: Some(true),
        size: Some(10),
        full_path: Some(r"C:\U\x.docx".into()),
        si_created: when.clone(),
        si_modified: when.clone(),
        si_mft_modified: when.clone(),
        si_accessed: when,
        ..Default::default()
    }])
    .unwrap();
    db.build_timeline().unwrap();

    let mut csv_out = Vec::new();
    let n = export_csv(&db, &mut csv_out, &DisplayZone::parse("+09:00").unwrap()).unwrap();
    assert_eq!(n, 2);
    let text = String::from_utf8(csv_out).unwrap();
    assert!(text.starts_with("\u{feff}datetime,timezone,datetime_utc,macb,"));
    assert!(text.contains("\r\n"));
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert!(lines[1].starts_with(
        "2023-08-17T17:02:05.2992500+09:00,+09:00,2023-08-17T08:02:05.2992500Z,MACB,FILE,"
    ));
    // Quotes and commas are CSV-escaped.
    assert!(text.contains(r#""C:\U\b, ""q"".docx""#));

    let mut jl = Vec::new();
    export_jsonl(&db, &mut jl).unwrap();
    let first: serde_json::Value =
        serde_json::from_str(String::from_utf8(jl).unwrap().lines().nth(1).unwrap()).unwrap();
    assert_eq!(first["datetime"], "2023-08-17T08:02:05.2992500Z");
    assert_eq!(first["timestamp"], 1_692_259_325_299_250i64);
    assert_eq!(first["timestamp_desc"], "Journal Record");
    assert_eq!(first["usn"], 8);
    assert_eq!(first["src_table"], "usn");

    let mut body = Vec::new();
    assert_eq!(export_bodyfile(&db, &mut body).unwrap(), 1);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "0|C:\\U\\x.docx|5-1|r/rrwxrwxrwx|0|0|10|1692259325.2992500|1692259325.2992500|1692259325.2992500|1692259325.2992500\n"
    );
}

#[test]
fn batch_insert_many_rows() {
    let tmp = TempDir::new("rift-timeline-batch");
    let mut db = CaseDb::create(tmp.path().join("c.sqlite")).unwrap();
    let rows: Vec<UsnRow> = (0..50_000)
        .map(|i| UsnRow {
            usn: Some(i),
            time: Some(DbTime::from_timestamp(
                jiff::Timestamp::from_second(1_692_000_000 + i).unwrap(),
            )),
            entry: Some(i % 1000),
            name: Some(format!("f{i}.txt")),
            reasons: 0x100,
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(SUGGESTED_BATCH) {
        db.insert_usn(chunk).unwrap();
    }
    assert_eq!(db.count("usn").unwrap(), 50_000);
    assert!(db.count("no_such_table").is_err());
}

#[test]
fn a_version_1_case_is_upgraded_on_open() {
    let dir = TempDir::new("case-db-upgrade");
    let path = dir.path().join("case.sqlite");
    {
        // A case written by a rift that knew only the first migration.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL);",
        )
        .unwrap();
        c.execute_batch(MIGRATIONS[0].2).unwrap();
        c.execute(
            "INSERT INTO schema_version VALUES (1, '0001_initial', '2026-01-01T00:00:00.0000000Z')",
            [],
        )
        .unwrap();
        c.execute(
            "INSERT INTO registry_values (key_path, value_name) VALUES ('ROOT\\Run', 'x')",
            [],
        )
        .unwrap();
    }
    let mut db = CaseDb::open(&path).unwrap();
    assert_eq!(db.schema_version().unwrap(), SCHEMA_VERSION);
    const { assert!(SCHEMA_VERSION >= 2) };
    db.insert(&[RegistryKeyRow {
        key_path: Some("Software".into()),
        ..Default::default()
    }])
    .unwrap();
    let kept: i64 = db
        .conn()
        .query_row("SELECT count(*) FROM registry_values", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, 1, "old rows survive the upgrade");
}
