//! Real browser databases from the fixtures, checked against an independent
//! reading: the `sqlite3` command-line shell runs our own SQL on the same
//! file (opened `immutable=1`, so nothing is written beside the fixture),
//! and the epochs are converted by hand here. A few values are also
//! written out from a manual inspection (see the comments).

use std::collections::BTreeMap;
use std::path::Path;

use rift_browser::{
    Browser, Epoch, Origin, Parsed, parse_chromium_history, parse_database,
    parse_firefox_downloads, parse_firefox_places,
};
use rift_testutil::{fixture, fixture_bytes, run_tool};

/// Seconds from 1601-01-01 to 1970-01-01.
const WEBKIT_TO_UNIX_S: i64 = 11_644_473_600;

const CHROME_FIXTURES: &[&str] = &[
    "browser/hindsight_profile01/History",
    "browser/hindsight_profile10/History",
    "browser/hindsight_profile20/History",
    "browser/hindsight_profile30/History",
    "browser/hindsight_profile60/History",
    "browser/plaso_chrome/History",
    "browser/plaso_chrome/History-57.0.2987.133",
    "browser/plaso_chrome/History-58.0.3029.96",
    "browser/plaso_chrome/History-59.0.3071.86",
];

/// Runs `sql` with the sqlite3 shell on a fixture, read-only and
/// immutable; rows split on U+001E, columns on U+001F.
fn sqlite3(path: &Path, sql: &str) -> Vec<Vec<String>> {
    let uri = format!("file:{}?immutable=1", path.display());
    let out = run_tool(
        "sqlite3",
        &[
            "-readonly",
            "-separator",
            "\x1f",
            "-newline",
            "\x1e",
            &uri,
            sql,
        ],
    );
    out.split('\x1e')
        .filter(|r| !r.is_empty())
        .map(|r| r.split('\x1f').map(str::to_string).collect())
        .collect()
}

fn columns(path: &Path, table: &str) -> Vec<String> {
    sqlite3(path, &format!("PRAGMA table_info({table})"))
        .into_iter()
        .map(|r| r[1].clone())
        .collect()
}

fn int(s: &str) -> Option<i64> {
    s.parse().ok()
}

/// Hand conversion: WebKit µs → Unix µs.
fn webkit_to_unix_us(w: i64) -> i64 {
    w - WEBKIT_TO_UNIX_S * 1_000_000
}

#[test]
fn chromium_downloads_match_sqlite3_in_every_schema_version() {
    for rel in CHROME_FIXTURES {
        let path = fixture(rel);
        let h = parse_chromium_history(&fixture_bytes(rel), None, "test")
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert!(h.warnings.is_empty(), "{rel}: {:?}", h.warnings);

        let cols = columns(&path, "downloads");
        let has = |c: &str| cols.iter().any(|x| x == c);
        // Chrome 26 (schema 24) split full_path into current/target path,
        // moved the URL into downloads_url_chains and switched the times
        // from Unix seconds to WebKit microseconds (fixture README).
        let modern = has("target_path");
        let end = if has("end_time") { "end_time" } else { "''" };
        let sql = if modern {
            format!(
                "SELECT d.id, d.target_path, d.start_time, {end}, d.received_bytes, d.total_bytes, d.state, \
                 (SELECT group_concat(url, char(10)) FROM (SELECT url FROM downloads_url_chains c \
                  WHERE c.id = d.id ORDER BY chain_index)) FROM downloads d ORDER BY d.id"
            )
        } else {
            format!(
                "SELECT id, full_path, start_time, {end}, received_bytes, total_bytes, state, url \
                 FROM downloads ORDER BY id"
            )
        };
        let expected = sqlite3(&path, &sql);
        assert!(!expected.is_empty(), "{rel}: fixture has downloads");
        assert_eq!(h.downloads.len(), expected.len(), "{rel}");
        let to_us = |raw: &str| -> Option<i64> {
            let v = int(raw)?;
            if v == 0 {
                return None;
            }
            Some(if modern {
                webkit_to_unix_us(v)
            } else {
                v * 1_000_000
            })
        };
        for (d, e) in h.downloads.iter().zip(&expected) {
            assert_eq!(d.id.to_string(), e[0], "{rel}");
            assert_eq!(
                d.target_path.as_deref(),
                Some(e[1].as_str()),
                "{rel} id {}",
                d.id
            );
            assert_eq!(
                d.start_time.map(|t| t.time.as_microsecond()),
                to_us(&e[2]),
                "{rel} start"
            );
            assert_eq!(
                d.end_time.map(|t| t.time.as_microsecond()),
                to_us(&e[3]),
                "{rel} end"
            );
            assert_eq!(d.received_bytes, int(&e[4]), "{rel}");
            assert_eq!(d.total_bytes, int(&e[5]), "{rel}");
            assert_eq!(d.state, int(&e[6]), "{rel}");
            let chain: Vec<&str> = e[7].split('\n').collect();
            assert_eq!(d.url_chain, chain, "{rel} url chain");
            let epoch = d.start_time.map(|t| t.epoch);
            let want = if modern {
                Epoch::WebkitMicros
            } else {
                Epoch::UnixSeconds
            };
            assert_eq!(epoch, Some(want), "{rel}");
        }
        // Columns that only newer schemas have must be read when present.
        for d in &h.downloads {
            assert_eq!(d.danger_type.is_some(), has("danger_type"), "{rel}");
            assert_eq!(d.opened.is_some(), has("opened"), "{rel}");
            assert_eq!(d.mime_type.is_some(), has("mime_type"), "{rel}");
        }
    }
}

#[test]
fn chromium_hand_checked_downloads() {
    // hindsight_profile01 (schema 16), downloads row 1 read with the
    // sqlite3 shell: start_time 1370406510 (Unix seconds) =
    // 2013-06-05T04:28:30Z; full_path C:\Users\Ryan\Documents\Downloads\
    // Hard_disk.jpg; 1387537 of 1387537 bytes; state 1.
    let h = parse_chromium_history(
        &fixture_bytes("browser/hindsight_profile01/History"),
        None,
        "p01",
    )
    .unwrap();
    let d = &h.downloads[0];
    assert_eq!(h.schema_version, Some(16));
    assert_eq!(
        d.start_time.unwrap().time.to_string(),
        "2013-06-05T04:28:30Z"
    );
    assert_eq!(d.end_time, None);
    assert_eq!(
        d.url(),
        Some("http://upload.wikimedia.org/wikipedia/commons/7/7a/Hard_disk.jpg")
    );
    assert_eq!(
        d.target_path.as_deref(),
        Some(r"C:\Users\Ryan\Documents\Downloads\Hard_disk.jpg")
    );

    // hindsight_profile30 (schema 28), row 1: start 13025229449397160,
    // end 13025229456367044 (WebKit µs). 13025229449397160 / 1e6 -
    // 11644473600 = 1380755849.397160 s = 2013-10-02T23:17:29.39716Z;
    // end 1380755856.367044 = 2013-10-02T23:17:36.367044Z. referrer =
    // the image URL itself, etag "ea6b7682ed897a3e9cf22274e431a455".
    let h = parse_chromium_history(
        &fixture_bytes("browser/hindsight_profile30/History"),
        None,
        "p30",
    )
    .unwrap();
    let d = &h.downloads[0];
    assert_eq!(
        d.start_time.unwrap().time.to_string(),
        "2013-10-02T23:17:29.39716Z"
    );
    assert_eq!(
        d.end_time.unwrap().time.to_string(),
        "2013-10-02T23:17:36.367044Z"
    );
    assert_eq!(d.etag.as_deref(), Some("ea6b7682ed897a3e9cf22274e431a455"));
    assert_eq!(d.danger_type, Some(0));
    assert_eq!(d.interrupt_reason, Some(0));
    assert_eq!(d.opened, Some(false));

    // hindsight_profile60 (schema 36), row 1 (sqlite3 -line): referrer and
    // tab_url both the image URL, site_url https://google.com/,
    // tab_referrer_url https://en.wikipedia.org/, mime image/jpeg.
    let h = parse_chromium_history(
        &fixture_bytes("browser/hindsight_profile60/History"),
        None,
        "p60",
    )
    .unwrap();
    let d = &h.downloads[0];
    let img = "https://upload.wikimedia.org/wikipedia/commons/7/7a/Hard_disk.jpg";
    assert_eq!(d.referrer.as_deref(), Some(img));
    assert_eq!(d.tab_url.as_deref(), Some(img));
    assert_eq!(d.site_url.as_deref(), Some("https://google.com/"));
    assert_eq!(
        d.tab_referrer_url.as_deref(),
        Some("https://en.wikipedia.org/")
    );
    assert_eq!(d.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        d.guid.as_deref(),
        Some("60CAA82A-C19B-46D9-ACFD-24020DBFA7A3")
    );
    assert_eq!(h.schema_version, Some(36));
}

#[test]
fn chromium_visits_and_searches_match_sqlite3() {
    for rel in CHROME_FIXTURES {
        let path = fixture(rel);
        let h = parse_chromium_history(&fixture_bytes(rel), None, "test").unwrap();
        let has_duration = columns(&path, "visits")
            .iter()
            .any(|c| c == "visit_duration");
        let dur = if has_duration {
            "v.visit_duration"
        } else {
            "''"
        };
        let src = if columns(&path, "visit_source").is_empty() {
            "''".to_string()
        } else {
            "(SELECT source FROM visit_source s WHERE s.id = v.id)".to_string()
        };
        let expected = sqlite3(
            &path,
            &format!(
                "SELECT v.id, u.url, v.visit_time, v.transition, {dur}, {src}, u.title \
                 FROM visits v LEFT JOIN urls u ON u.id = v.url ORDER BY v.id"
            ),
        );
        assert_eq!(h.visits.len(), expected.len(), "{rel}");
        for (v, e) in h.visits.iter().zip(&expected) {
            assert_eq!(v.id.to_string(), e[0], "{rel}");
            assert_eq!(v.url, e[1], "{rel}");
            let want = int(&e[2]).filter(|w| *w != 0).map(webkit_to_unix_us);
            assert_eq!(
                v.visit_time.map(|t| t.time.as_microsecond()),
                want,
                "{rel} visit {}",
                v.id
            );
            assert_eq!(
                v.transition.map(|t| i64::from(t.0)),
                int(&e[3]).map(|t| t & 0xFFFF_FFFF),
                "{rel}"
            );
            assert_eq!(v.visit_duration_us, int(&e[4]), "{rel}");
            assert_eq!(v.visit_source, int(&e[5]), "{rel}");
            assert_eq!(v.title.as_deref().unwrap_or(""), e[6], "{rel}");
        }

        let expected = sqlite3(
            &path,
            "SELECT k.term, u.url, u.last_visit_time FROM keyword_search_terms k \
             LEFT JOIN urls u ON u.id = k.url_id",
        );
        let mut want: Vec<(String, String, Option<i64>)> = expected
            .into_iter()
            .map(|e| {
                (
                    e[0].clone(),
                    e[1].clone(),
                    int(&e[2]).map(webkit_to_unix_us),
                )
            })
            .collect();
        let mut got: Vec<(String, String, Option<i64>)> = h
            .searches
            .iter()
            .map(|s| {
                (
                    s.term.clone(),
                    s.url.clone().unwrap_or_default(),
                    s.last_visit_time.map(|t| t.time.as_microsecond()),
                )
            })
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{rel}");
    }
    // hindsight_profile60 holds 5 search terms, e.g. "computer forensics"
    // (sqlite3 shell, keyword_search_terms).
    let h = parse_chromium_history(
        &fixture_bytes("browser/hindsight_profile60/History"),
        None,
        "p",
    )
    .unwrap();
    assert_eq!(h.searches.len(), 5);
    assert!(h.searches.iter().any(|s| s.term == "computer forensics"));
    // Transition 0x32000005 seen in this profile decodes as generated +
    // address bar + chain start/end (artifacts.md §6.1).
    assert!(
        h.visits
            .iter()
            .any(|v| v.transition.map(|t| t.0) == Some(0x3200_0005))
    );
}

#[test]
fn firefox_legacy_downloads_match_sqlite3() {
    let rel = "browser/plaso_firefox/downloads.sqlite";
    let (downloads, warnings) = parse_firefox_downloads(&fixture_bytes(rel), None).unwrap();
    assert!(warnings.is_empty());
    let expected = sqlite3(
        &fixture(rel),
        "SELECT id, source, target, startTime, endTime, currBytes, maxBytes, state, mimeType \
         FROM moz_downloads ORDER BY id",
    );
    assert_eq!(downloads.len(), expected.len());
    for (d, e) in downloads.iter().zip(&expected) {
        assert_eq!(d.id.to_string(), e[0]);
        assert_eq!(d.url, e[1]);
        assert_eq!(d.target_uri.as_deref(), Some(e[2].as_str()));
        // PRTime is already Unix microseconds.
        assert_eq!(d.start_time.map(|t| t.time.as_microsecond()), int(&e[3]));
        assert_eq!(d.end_time.map(|t| t.time.as_microsecond()), int(&e[4]));
        assert_eq!(d.received_bytes, int(&e[5]));
        assert_eq!(d.total_bytes, int(&e[6]));
        assert_eq!(d.state, int(&e[7]));
        assert_eq!(d.mime_type.as_deref(), Some(e[8].as_str()));
    }
    // By hand (artifacts.md §6.2): startTime 1374173999312000 =
    // 2013-07-18T18:59:59.312Z, target file:///D:/plaso-static-1.0.1-win32-vs2008.zip.
    let d = &downloads[0];
    assert_eq!(
        d.start_time.unwrap().time.to_string(),
        "2013-07-18T18:59:59.312Z"
    );
    assert_eq!(
        d.target_path.as_deref(),
        Some(r"D:\plaso-static-1.0.1-win32-vs2008.zip")
    );
    assert_eq!(d.state, Some(1));
}

#[test]
fn firefox_places_visits_match_sqlite3() {
    let rel = "browser/plaso_firefox/places.sqlite";
    let p = parse_firefox_places(&fixture_bytes(rel), None, "ff").unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    let expected = sqlite3(
        &fixture(rel),
        "SELECT v.id, p.url, v.visit_date, v.visit_type FROM moz_historyvisits v \
         LEFT JOIN moz_places p ON p.id = v.place_id ORDER BY v.id",
    );
    assert_eq!(p.visits.len(), expected.len());
    for (v, e) in p.visits.iter().zip(&expected) {
        assert_eq!(v.id.to_string(), e[0]);
        assert_eq!(v.url, e[1]);
        assert_eq!(v.visit_time.map(|t| t.time.as_microsecond()), int(&e[2]));
        assert_eq!(v.visit_type, int(&e[3]));
    }
    assert_eq!(p.schema_version, Some(10));
    // The fixture predates download annotations (its anno attributes are
    // bookmark/livemark only).
    assert!(p.downloads.is_empty());
}

#[test]
fn parse_database_dispatches_on_tables() {
    let cases: BTreeMap<&str, &str> = [
        ("browser/hindsight_profile20/History", "chromium"),
        ("browser/plaso_firefox/places.sqlite", "places"),
        ("browser/plaso_firefox/downloads.sqlite", "downloads"),
    ]
    .into_iter()
    .collect();
    for (rel, kind) in cases {
        let origin = Origin::from_path(rel);
        let parsed = parse_database(&fixture_bytes(rel), None, None, &origin).unwrap();
        let got = match parsed {
            Parsed::ChromiumHistory(_) => "chromium",
            Parsed::FirefoxPlaces(_) => "places",
            Parsed::FirefoxDownloads { .. } => "downloads",
            _ => "other",
        };
        assert_eq!(got, kind, "{rel}");
    }
    // A Chromium database that is not History (Cookies) is refused with a
    // clear error.
    let err = parse_database(
        &fixture_bytes("browser/plaso_chrome/Cookies-68.0.3440.106"),
        None,
        None,
        &Origin::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("cookies"), "{err}");
    assert_eq!(
        Origin::from_path("browser/plaso_firefox/places.sqlite").browser,
        Browser::Firefox
    );
}
