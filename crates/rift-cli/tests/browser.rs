//! `rift browser` end to end: the scenario image (answer key `truth.json`)
//! and a folder of fixture databases (row counts from the `sqlite3` shell).

use std::process::{Command, Output};

use rift_testutil::{TempDir, fixture, run_tool};

fn rift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(args)
        .output()
        .expect("run rift")
}

fn count(db: &std::path::Path, table: &str) -> usize {
    let uri = format!("file:{}?immutable=1", db.display());
    run_tool(
        "sqlite3",
        &["-readonly", &uri, &format!("SELECT count(*) FROM {table}")],
    )
    .trim()
    .parse()
    .unwrap()
}

#[test]
fn image_input_finds_the_tool_download() {
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("scenario/public/truth.json")).unwrap())
            .unwrap();
    let dir = TempDir::new("cli-browser-image");
    let csv = dir.path().join("b.csv");
    let json = dir.path().join("b.jsonl");
    let image = fixture("scenario/public/disk.E01");
    let out = rift(&[
        "browser",
        image.to_str().unwrap(),
        "--tz",
        "+09:00",
        "--csv",
        csv.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let url = truth["download_url"].as_str().unwrap();
    let jsonl = std::fs::read_to_string(&json).unwrap();
    let ev: serde_json::Value = jsonl
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["data_type"] == "chrome:history:file_downloaded" && e["url"] == url)
        .expect("tool download event");
    assert_eq!(ev["timestamp_desc"], "File Downloaded");
    assert_eq!(ev["full_path"], truth["downloaded_file_path"]);
    assert_eq!(ev["referrer"], truth["download_referrer"]);
    assert_eq!(ev["user"], truth["victim_user"]);

    // CSV: UTF-8 BOM, Hindsight-like header, times shown in +09:00.
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with("\u{feff}Type,Timestamp (+09:00),URL,"));
    let start = truth["download_start_kst"]
        .as_str()
        .unwrap()
        .replace('T', " ");
    let row = text
        .lines()
        .find(|l| l.starts_with("download,") && l.contains(url))
        .expect("download row");
    assert!(row.contains(&start), "{row} lacks {start}");
}

#[test]
fn folder_input_reads_every_named_database() {
    let root = fixture("browser");
    let dir = TempDir::new("cli-browser-folder");
    let json = dir.path().join("all.jsonl");
    let out = rift(&[
        "browser",
        root.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--only",
        "download",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let n = std::fs::read_to_string(&json).unwrap().lines().count();
    // Files found by name: five hindsight profiles + plaso History (Chrome),
    // places.sqlite (no download annotations) and downloads.sqlite.
    let mut want = count(&root.join("plaso_chrome/History"), "downloads")
        + count(
            &root.join("plaso_firefox/downloads.sqlite"),
            "moz_downloads",
        );
    for p in ["01", "10", "20", "30", "60"] {
        want += count(
            &root.join(format!("hindsight_profile{p}/History")),
            "downloads",
        );
    }
    assert_eq!(n, want);

    // Garbage input is a clear error, not a panic.
    let junk = dir.path().join("History");
    std::fs::write(
        &junk,
        b"SQLite format 3\0 but not really a database at all......",
    )
    .unwrap();
    let out = rift(&["browser", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an SQLite database"));
}
