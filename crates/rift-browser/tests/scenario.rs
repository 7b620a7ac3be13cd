//! The staged incident image: the victim's Chrome `History` is cut out of
//! `scenario/public/disk.E01` with The Sleuth Kit (`fls -r -p` + `icat`,
//! over the raw media `ewfexport` produced), parsed, and the tool download
//! compared with the answer key `truth.json`.

use rift_browser::{Origin, parse_chromium_history, timeline};
use rift_io::time::DisplayZone;
use rift_testutil::{fixture, raw_image, require_tool};

/// C: starts at sector 206848 (scenario README).
const C_SECTOR: &str = "206848";

fn icat_by_path(raw: &str, wanted: &str) -> Vec<u8> {
    let listing = rift_testutil::run_tool("fls", &["-r", "-p", "-o", C_SECTOR, raw]);
    // Lines look like `r/r 568-128-2:\tUsers/.../History`; skip deleted
    // entries (`-/r * …`).
    let inode = listing
        .lines()
        .filter(|l| l.starts_with("r/r "))
        .find_map(|l| {
            let (meta, path) = l.split_once(":\t")?;
            (path == wanted).then(|| meta.trim_start_matches("r/r ").to_string())
        })
        .unwrap_or_else(|| panic!("{wanted} not in the fls listing"));
    require_tool("icat");
    let out = std::process::Command::new("icat")
        .args(["-o", C_SECTOR, raw, &inode])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

/// `2023-08-17T16:56:13` in +09:00 from a UTC timestamp.
fn kst_seconds(ts: jiff::Timestamp) -> String {
    DisplayZone::parse("+09:00").unwrap().format_seconds(ts)
}

#[test]
fn scenario_tool_download_matches_truth() {
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("scenario/public/truth.json")).unwrap())
            .unwrap();
    let raw = raw_image("scenario/public/disk.E01");
    let path = format!(
        "Users/{}/AppData/Local/Google/Chrome/User Data/Default/History",
        truth["victim_user"].as_str().unwrap()
    );
    let db = icat_by_path(raw.to_str().unwrap(), &path);

    let origin = Origin::from_path(&path);
    let h = parse_chromium_history(&db, None, &origin.label()).unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);

    let url = truth["download_url"].as_str().unwrap();
    let d = h
        .downloads
        .iter()
        .find(|d| d.url() == Some(url))
        .unwrap_or_else(|| panic!("no download of {url}: {:#?}", h.downloads));
    let chain: Vec<&str> = truth["download_url_chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(d.url_chain, chain);
    assert_eq!(d.referrer.as_deref(), truth["download_referrer"].as_str());
    assert_eq!(
        d.target_path.as_deref(),
        truth["downloaded_file_path"].as_str()
    );
    assert_eq!(
        kst_seconds(d.start_time.unwrap().time),
        truth["download_start_kst"].as_str().unwrap()
    );
    assert_eq!(
        kst_seconds(d.end_time.unwrap().time),
        truth["download_end_kst"].as_str().unwrap()
    );
    assert_eq!(d.state, Some(1));
    assert_eq!(d.received_bytes, d.total_bytes);

    // The same download as a timeline row and a Timesketch event.
    let rows = timeline::chromium_rows(&h, &origin);
    let row = rows
        .iter()
        .find(|r| r.row_type == "download" && r.url == url)
        .unwrap();
    assert_eq!(row.value, truth["downloaded_file_path"].as_str().unwrap());
    let ev = row.timesketch().unwrap();
    assert_eq!(ev["data_type"], "chrome:history:file_downloaded");
    assert_eq!(ev["timestamp_desc"], "File Downloaded");
    assert_eq!(ev["url_chain"][0], url);
    assert_eq!(ev["user"], truth["victim_user"]);

    // The benign earlier download is there too (truth: Chrome downloads id=1).
    assert!(h.downloads.iter().any(|d| d.id == 1));
}
