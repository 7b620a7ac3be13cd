//! Databases built here with the `sqlite3` shell, for layouts the fixtures
//! lack: Firefox 26+ download annotations, a Chromium History whose newest
//! rows live only in the `-wal`, and a schema with columns rift has never
//! seen. Expected values are the ones the SQL below inserts, converted by
//! hand in the comments.

use rift_browser::{
    Epoch, FirefoxDownloadSource, parse_chromium_history, parse_chromium_history_with_journal,
    parse_firefox_places, timeline,
};
use rift_testutil::{TempDir, run_tool};

fn build(dir: &TempDir, name: &str, sql: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    run_tool("sqlite3", &[path.to_str().unwrap(), sql]);
    path
}

#[test]
fn firefox_download_annotations() {
    let dir = TempDir::new("browser-ff-annos");
    // Firefox 26+ layout (places schema with moz_annos holding the
    // downloads/* annotations written by DownloadHistory).
    let path = build(
        &dir,
        "places.sqlite",
        r#"
        PRAGMA user_version = 52;
        CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url LONGVARCHAR, title LONGVARCHAR,
            rev_host LONGVARCHAR, visit_count INTEGER DEFAULT 0, hidden INTEGER DEFAULT 0 NOT NULL,
            typed INTEGER DEFAULT 0 NOT NULL, frecency INTEGER DEFAULT -1 NOT NULL,
            last_visit_date INTEGER, guid TEXT, foreign_count INTEGER DEFAULT 0 NOT NULL,
            url_hash INTEGER DEFAULT 0 NOT NULL, description TEXT, preview_image_url TEXT,
            origin_id INTEGER);
        CREATE TABLE moz_historyvisits (id INTEGER PRIMARY KEY, from_visit INTEGER,
            place_id INTEGER, visit_date INTEGER, visit_type INTEGER, session INTEGER);
        CREATE TABLE moz_anno_attributes (id INTEGER PRIMARY KEY, name VARCHAR(32) UNIQUE NOT NULL);
        CREATE TABLE moz_annos (id INTEGER PRIMARY KEY, place_id INTEGER NOT NULL,
            anno_attribute_id INTEGER, content LONGVARCHAR, flags INTEGER DEFAULT 0,
            expiration INTEGER DEFAULT 0, type INTEGER DEFAULT 0, dateAdded INTEGER DEFAULT 0,
            lastModified INTEGER DEFAULT 0);
        INSERT INTO moz_places (id, url, title, visit_count) VALUES
            (1, 'https://example.org/tools', 'Tools', 1),
            (2, 'https://dl.example.org/tool.exe', NULL, 1),
            (3, 'https://dl.example.org/gone.zip', NULL, 1);
        INSERT INTO moz_historyvisits VALUES
            (1, 0, 1, 1692258900000000, 1, 0),
            (2, 1, 2, 1692258973000000, 7, 0),
            (3, 0, 3, 1692259000000000, 7, 0);
        INSERT INTO moz_anno_attributes VALUES
            (1, 'downloads/destinationFileURI'), (2, 'downloads/metaData'),
            (3, 'bookmarkProperties/description');
        INSERT INTO moz_annos (place_id, anno_attribute_id, content, dateAdded) VALUES
            (2, 1, 'file:///C:/Users/u/Downloads/tool%20x.exe', 1692258973760672),
            (2, 2, '{"state":1,"endTime":1692258976448,"fileSize":392188}', 1692258976448000),
            (3, 1, 'file:///C:/Users/u/Downloads/gone.zip', 1692259000000000),
            (3, 2, '{"state":3,"endTime":1692259001000,"fileSize":0,"deleted":true}', 1692259001000000),
            (3, 3, 'not a download annotation', 1);
        "#,
    );
    let p = parse_firefox_places(&std::fs::read(&path).unwrap(), None, "ff").unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(p.visits.len(), 3);
    assert_eq!(p.schema_version, Some(52));
    assert_eq!(p.downloads.len(), 2);

    let d = &p.downloads[0];
    assert_eq!(d.source, FirefoxDownloadSource::PlacesAnnotation);
    assert_eq!(d.url, "https://dl.example.org/tool.exe");
    assert_eq!(
        d.target_path.as_deref(),
        Some(r"C:\Users\u\Downloads\tool x.exe")
    );
    // dateAdded 1692258973760672 µs = 2023-08-17T07:56:13.760672Z.
    assert_eq!(
        d.start_time.unwrap().time.to_string(),
        "2023-08-17T07:56:13.760672Z"
    );
    // endTime 1692258976448 ms = 2023-08-17T07:56:16.448Z.
    let end = d.end_time.unwrap();
    assert_eq!(end.time.to_string(), "2023-08-17T07:56:16.448Z");
    assert_eq!(end.epoch, Epoch::UnixMillis);
    assert_eq!(
        (d.state, d.total_bytes, d.received_bytes),
        (Some(1), Some(392188), Some(392188))
    );
    // The download visit (type 7) came from visit 1.
    assert_eq!(d.referrer.as_deref(), Some("https://example.org/tools"));
    // 1692258973000000 µs = 2023-08-17T07:56:13Z.
    assert_eq!(
        d.visit_time.unwrap().time.to_string(),
        "2023-08-17T07:56:13Z"
    );

    let g = &p.downloads[1];
    assert_eq!((g.state, g.deleted), (Some(3), Some(true)));

    let rows = timeline::firefox_places_rows(&p, &rift_browser::Origin::default());
    let dl: Vec<_> = rows.iter().filter(|r| r.row_type == "download").collect();
    assert_eq!(dl.len(), 2);
    assert_eq!(dl[0].title, "finished - 100% [392188/392188]");
    assert_eq!(dl[1].state, "canceled");
}

/// A History with a modern-looking schema (including a column rift does
/// not know) whose second download is committed only in the WAL.
#[test]
fn chromium_wal_rows_are_read_from_the_wal() {
    let dir = TempDir::new("browser-wal");
    let path = build(
        &dir,
        "History",
        r#"
        PRAGMA journal_mode = WAL;
        CREATE TABLE meta (key LONGVARCHAR NOT NULL UNIQUE PRIMARY KEY, value LONGVARCHAR);
        INSERT INTO meta VALUES ('version', '70');
        CREATE TABLE urls (id INTEGER PRIMARY KEY AUTOINCREMENT, url LONGVARCHAR, title LONGVARCHAR,
            visit_count INTEGER DEFAULT 0 NOT NULL, typed_count INTEGER DEFAULT 0 NOT NULL,
            last_visit_time INTEGER NOT NULL, hidden INTEGER DEFAULT 0 NOT NULL);
        CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER NOT NULL, visit_time INTEGER NOT NULL,
            from_visit INTEGER, transition INTEGER DEFAULT 0 NOT NULL, segment_id INTEGER,
            visit_duration INTEGER DEFAULT 0 NOT NULL, opener_visit INTEGER,
            some_future_column BLOB);
        CREATE TABLE downloads (id INTEGER PRIMARY KEY, guid VARCHAR NOT NULL,
            current_path LONGVARCHAR NOT NULL, target_path LONGVARCHAR NOT NULL,
            start_time INTEGER NOT NULL, received_bytes INTEGER NOT NULL, total_bytes INTEGER NOT NULL,
            state INTEGER NOT NULL, danger_type INTEGER NOT NULL, interrupt_reason INTEGER NOT NULL,
            hash BLOB NOT NULL, end_time INTEGER NOT NULL, opened INTEGER NOT NULL,
            last_access_time INTEGER NOT NULL, transient INTEGER NOT NULL, referrer VARCHAR NOT NULL,
            site_url VARCHAR NOT NULL, embedder_download_data VARCHAR NOT NULL, tab_url VARCHAR NOT NULL,
            tab_referrer_url VARCHAR NOT NULL, http_method VARCHAR NOT NULL, by_ext_id VARCHAR NOT NULL,
            by_ext_name VARCHAR NOT NULL, by_web_app_id VARCHAR NOT NULL DEFAULT '',
            etag VARCHAR NOT NULL, last_modified VARCHAR NOT NULL, mime_type VARCHAR(255) NOT NULL,
            original_mime_type VARCHAR(255) NOT NULL);
        CREATE TABLE downloads_url_chains (id INTEGER NOT NULL, chain_index INTEGER NOT NULL,
            url LONGVARCHAR NOT NULL, PRIMARY KEY (id, chain_index));
        INSERT INTO urls VALUES (1, 'https://a.example/', 'A', 1, 1, 13336732500000000, 0);
        INSERT INTO visits VALUES (1, 1, 13336732500000000, 0, 805306369, 0, 1500000, 0, x'00');
        INSERT INTO downloads VALUES (1, 'G1', 'C:\d\one.crdownload', 'C:\d\one.bin',
            13336732573760672, 10, 100, 0, 0, 0, x'', 0, 0, 0, 0, 'https://a.example/', '', '',
            '', '', 'GET', '', '', '', '', '', 'application/octet-stream', '');
        INSERT INTO downloads_url_chains VALUES (1, 0, 'https://a.example/one.bin');
        "#,
    );
    // Second session: keep the WAL on close so the new rows live only there.
    run_tool(
        "sqlite3",
        &[
            path.to_str().unwrap(),
            ".dbconfig no_ckpt_on_close on",
            r"INSERT INTO downloads VALUES (2, 'G2', 'C:\d\two.exe', 'C:\d\two.exe',
                13336732573760672, 392188, 392188, 1, 0, 0, x'abcd', 13336732576448573, 1, 0, 0,
                'https://a.example/', '', '', '', '', 'GET', '', '', '', '', '',
                'application/x-msdownload', '');
              INSERT INTO downloads_url_chains VALUES (2, 0, 'http://a.example/two'),
                (2, 1, 'https://cdn.example/two.exe');",
        ],
    );
    let wal = std::fs::read(dir.path().join("History-wal")).unwrap();
    assert!(!wal.is_empty(), "the shell left the WAL behind");
    let main = std::fs::read(&path).unwrap();

    let without = parse_chromium_history(&main, None, "p").unwrap();
    assert_eq!(without.downloads.len(), 1);
    assert_eq!(without.schema_version, Some(70));
    let d = &without.downloads[0];
    // In progress: 10 of 100 bytes, current path the .crdownload.
    assert_eq!(d.current_path.as_deref(), Some(r"C:\d\one.crdownload"));
    assert_eq!(
        (d.state, d.received_bytes, d.total_bytes),
        (Some(0), Some(10), Some(100))
    );
    assert_eq!(d.end_time, None);
    // visit: transition 805306369 = 0x30000001 (typed, chain start+end),
    // duration 1.5 s.
    let v = &without.visits[0];
    assert_eq!(
        v.transition.unwrap().describe(),
        "typed; chain start, chain end"
    );
    assert_eq!(v.visit_duration_us, Some(1_500_000));

    let with = parse_chromium_history(&main, Some(&wal), "p").unwrap();
    assert_eq!(with.downloads.len(), 2);
    let d = &with.downloads[1];
    assert_eq!(
        d.url_chain,
        ["http://a.example/two", "https://cdn.example/two.exe"]
    );
    assert_eq!(d.url(), Some("https://cdn.example/two.exe"));
    // 13336732576448573 µs WebKit - 11644473600 s = 1692258976.448573 s
    // = 2023-08-17T07:56:16.448573Z.
    assert_eq!(
        d.end_time.unwrap().time.to_string(),
        "2023-08-17T07:56:16.448573Z"
    );
    assert_eq!(d.hash.as_deref(), Some("abcd"));
    assert_eq!(d.opened, Some(true));
    // The evidence copy was not touched: no -shm beside it from us, and
    // the WAL is byte-identical.
    assert_eq!(std::fs::read(dir.path().join("History-wal")).unwrap(), wal);

    // A stale, non-hot journal is harmless.
    let j = parse_chromium_history_with_journal(&main, None, Some(&[0u8; 512]), "p").unwrap();
    assert_eq!(j.downloads.len(), 1);
}

/// A hot rollback journal: the shell updates every URL inside a
/// transaction with a tiny page cache (so changed pages spill into the
/// database file), copies the database and its journal mid-transaction,
/// then rolls back. The copy alone is torn; with its journal, SQLite rolls
/// it back (on rift's private copy) to the committed state.
#[test]
fn chromium_hot_journal_is_rolled_back_on_the_copy() {
    let dir = TempDir::new("browser-hot-journal");
    let db = build(
        &dir,
        "t.db",
        "PRAGMA page_size = 1024;
         CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT, visit_count INT,
             typed_count INT, last_visit_time INT, hidden INT);
         CREATE TABLE visits (id INTEGER PRIMARY KEY, url INT, visit_time INT, from_visit INT,
             transition INT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
         INSERT INTO urls SELECT i, 'https://old.example/' || i, 'old', 1, 0,
             13336732500000000 + i, 0 FROM n;
         INSERT INTO visits SELECT id, id, last_visit_time, 0, 1 FROM urls;",
    );
    let d = dir.path().display();
    let script = format!(
        "PRAGMA cache_size = 2;\nBEGIN;\nUPDATE urls SET url = 'https://new.example/' || id, title = 'new';\n\
         .system cp {d}/t.db {d}/snap.db\n.system cp {d}/t.db-journal {d}/snap.db-journal\nROLLBACK;\n"
    );
    let script_path = dir.path().join("script.sql");
    std::fs::write(&script_path, script).unwrap();
    run_tool(
        "sqlite3",
        &[
            db.to_str().unwrap(),
            &format!(".read {}", script_path.display()),
        ],
    );
    let snap = std::fs::read(dir.path().join("snap.db")).unwrap();
    let journal = std::fs::read(dir.path().join("snap.db-journal")).unwrap();
    assert!(!journal.is_empty());

    let torn = parse_chromium_history(&snap, None, "p").unwrap();
    let new = torn
        .urls
        .iter()
        .filter(|u| u.title.as_deref() == Some("new"))
        .count();
    assert!(new > 0, "the snapshot should hold uncommitted pages");

    let rolled = parse_chromium_history_with_journal(&snap, None, Some(&journal), "p").unwrap();
    assert_eq!(rolled.urls.len(), 2000);
    assert!(
        rolled
            .urls
            .iter()
            .all(|u| u.title.as_deref() == Some("old"))
    );
    assert_eq!(rolled.visits.len(), 2000);
    // The evidence copies are untouched.
    assert_eq!(std::fs::read(dir.path().join("snap.db")).unwrap(), snap);
    assert_eq!(
        std::fs::read(dir.path().join("snap.db-journal")).unwrap(),
        journal
    );
}
