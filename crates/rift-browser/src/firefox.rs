//! Firefox: `places.sqlite` (history, and since Firefox 26 the downloads
//! as page annotations) and the legacy `downloads.sqlite` (Firefox 3–25).
//!
//! Times are PRTime (microseconds since 1970-01-01 UTC), except the
//! `endTime` inside the `downloads/metaData` JSON annotation, which is
//! milliseconds since 1970 (JavaScript `Date.now()`).
//!
//! Sources: Mozilla `toolkit/components/places/Database.cpp` /
//! `nsPlacesTables.h` (moz_places, moz_historyvisits, moz_annos,
//! moz_anno_attributes), `toolkit/components/downloads/DownloadHistory.jsm`
//! (annotation names `downloads/destinationFileURI`, `downloads/metaData`
//! with `state`, `endTime`, `fileSize`, `deleted`), legacy
//! `nsIDownloadManager.idl` (moz_downloads columns and `DOWNLOAD_*` state
//! values); `docs/formats/artifacts.md` §6.2.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::sqlite::{DbCopy, Row};
use crate::{RawTime, Warning};

/// Everything read from one `places.sqlite`.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct FirefoxPlaces {
    /// The profile label the caller gave.
    pub profile: String,
    /// `PRAGMA user_version` (the places schema version).
    pub schema_version: Option<i64>,
    /// Rows of `moz_historyvisits`, each joined with its place.
    pub visits: Vec<FirefoxVisit>,
    /// Downloads recorded as page annotations (Firefox 26+).
    pub downloads: Vec<FirefoxDownload>,
    /// Rows or tables that could not be read.
    pub warnings: Vec<Warning>,
}

/// One row of `moz_historyvisits` with its `moz_places` row.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct FirefoxVisit {
    /// `moz_historyvisits.id`.
    pub id: i64,
    /// `place_id` (→ `moz_places.id`).
    pub place_id: i64,
    /// The URL.
    pub url: String,
    /// The page title.
    pub title: Option<String>,
    /// `visit_date` (PRTime).
    pub visit_time: Option<RawTime>,
    /// `from_visit` (0 = none).
    pub from_visit: Option<i64>,
    /// `visit_type` (see [`visit_type_label`]).
    pub visit_type: Option<i64>,
    /// `moz_places.visit_count`.
    pub visit_count: Option<i64>,
    /// `moz_places.typed`.
    pub typed: Option<bool>,
    /// `moz_places.hidden`.
    pub hidden: Option<bool>,
}

/// Where a [`FirefoxDownload`] was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FirefoxDownloadSource {
    /// `places.sqlite` annotations (Firefox 26+).
    PlacesAnnotation,
    /// Legacy `downloads.sqlite` `moz_downloads` (Firefox 3–25).
    DownloadsSqlite,
}

/// One Firefox download.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct FirefoxDownload {
    /// Which database it came from.
    pub source: FirefoxDownloadSource,
    /// `moz_downloads.id`, or the `moz_places.id` of the downloaded URL.
    pub id: i64,
    /// The download URL.
    pub url: String,
    /// The page that linked it (legacy `referrer`; for annotations the URL
    /// of the visit the download visit came from, when recorded).
    pub referrer: Option<String>,
    /// File name (legacy `name`, or `downloads/destinationFileName`).
    pub name: Option<String>,
    /// The destination as stored (`file:///…` URI).
    pub target_uri: Option<String>,
    /// The destination decoded to a path (`C:\Users\…\file.exe`).
    pub target_path: Option<String>,
    /// Start (legacy `startTime`; annotation `dateAdded`).
    pub start_time: Option<RawTime>,
    /// End (legacy `endTime`; `metaData.endTime`).
    pub end_time: Option<RawTime>,
    /// Bytes received (legacy `currBytes`; `metaData.fileSize` when
    /// finished).
    pub received_bytes: Option<i64>,
    /// Size expected (legacy `maxBytes`; `metaData.fileSize`).
    pub total_bytes: Option<i64>,
    /// State (see [`download_state_label`]).
    pub state: Option<i64>,
    /// MIME type (legacy only).
    pub mime_type: Option<String>,
    /// `metaData.deleted`: the user removed the file from the downloads
    /// panel ("Delete").
    pub deleted: Option<bool>,
    /// `metaData.reputationCheckVerdict` (e.g. `MALWARE`).
    pub reputation_verdict: Option<String>,
    /// Time of the download's `visit_type = 7` visit, when present.
    pub visit_time: Option<RawTime>,
}

/// Label of `moz_historyvisits.visit_type`.
pub fn visit_type_label(t: i64) -> String {
    match t {
        1 => "link".into(),
        2 => "typed".into(),
        3 => "bookmark".into(),
        4 => "embed".into(),
        5 => "redirect permanent".into(),
        6 => "redirect temporary".into(),
        7 => "download".into(),
        8 => "framed link".into(),
        9 => "reload".into(),
        other => format!("unknown ({other})"),
    }
}

/// Label of a Firefox download state (`moz_downloads.state`,
/// `metaData.state`; both use the `nsIDownloadManager` values).
pub fn download_state_label(state: i64) -> String {
    match state {
        -1 => "not started".into(),
        0 => "downloading".into(),
        1 => "finished".into(),
        2 => "failed".into(),
        3 => "canceled".into(),
        4 => "paused".into(),
        5 => "queued".into(),
        6 => "blocked (parental)".into(),
        7 => "scanning".into(),
        8 => "dirty (blocked, malware)".into(),
        9 => "blocked (policy)".into(),
        other => format!("unknown ({other})"),
    }
}

/// Parses a Firefox `places.sqlite` (with its `-wal` when present).
pub fn parse_firefox_places(db: &[u8], wal: Option<&[u8]>, profile: &str) -> Result<FirefoxPlaces> {
    let copy = DbCopy::open(db, wal, None)?;
    read_places(&copy, profile)
}

/// Parses a legacy Firefox `downloads.sqlite` (with its `-wal` when
/// present).
pub fn parse_firefox_downloads(
    db: &[u8],
    wal: Option<&[u8]>,
) -> Result<(Vec<FirefoxDownload>, Vec<Warning>)> {
    let copy = DbCopy::open(db, wal, None)?;
    read_legacy_downloads(&copy)
}

fn user_version(copy: &DbCopy) -> Option<i64> {
    copy.conn()
        .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
        .ok()
}

fn collect(
    warnings: &mut Vec<Warning>,
    table: &str,
    result: (Vec<Row>, Option<String>),
) -> Vec<Row> {
    let (rows, err) = result;
    if let Some(message) = err {
        warnings.push(Warning {
            table: table.to_string(),
            row_id: None,
            message,
        });
    }
    rows
}

struct Place {
    url: String,
    title: Option<String>,
    visit_count: Option<i64>,
    typed: Option<bool>,
    hidden: Option<bool>,
}

pub(crate) fn read_places(copy: &DbCopy, profile: &str) -> Result<FirefoxPlaces> {
    let tables = copy.tables()?;
    for needed in ["moz_places", "moz_historyvisits"] {
        if !tables.contains(needed) {
            return Err(Error::MissingTable {
                expected: "Firefox places",
                table: needed,
            });
        }
    }
    let mut out = FirefoxPlaces {
        profile: profile.to_string(),
        schema_version: user_version(copy),
        ..Default::default()
    };
    let rows = copy.select(
        "moz_places",
        &["id", "url", "title", "visit_count", "typed", "hidden"],
        "",
    )?;
    let mut places: HashMap<i64, Place> = HashMap::new();
    for row in collect(&mut out.warnings, "moz_places", rows) {
        let Some(id) = row.int("id") else {
            out.warnings.push(Warning::row(
                "moz_places",
                None,
                "row without an integer id",
            ));
            continue;
        };
        places.insert(
            id,
            Place {
                url: row.text("url").unwrap_or_default(),
                title: row.nonempty("title"),
                visit_count: row.int("visit_count"),
                typed: row.int("typed").map(|v| v != 0),
                hidden: row.int("hidden").map(|v| v != 0),
            },
        );
    }

    let rows = copy.select(
        "moz_historyvisits",
        &["id", "from_visit", "place_id", "visit_date", "visit_type"],
        "ORDER BY id",
    )?;
    for row in collect(&mut out.warnings, "moz_historyvisits", rows) {
        let (Some(id), Some(place_id)) = (row.int("id"), row.int("place_id")) else {
            out.warnings.push(Warning::row(
                "moz_historyvisits",
                row.int("id"),
                "row without id or place_id",
            ));
            continue;
        };
        let place = places.get(&place_id);
        out.visits.push(FirefoxVisit {
            id,
            place_id,
            url: place.map(|p| p.url.clone()).unwrap_or_default(),
            title: place.and_then(|p| p.title.clone()),
            visit_time: row.int("visit_date").and_then(RawTime::unix_micros),
            from_visit: row.int("from_visit"),
            visit_type: row.int("visit_type"),
            visit_count: place.and_then(|p| p.visit_count),
            typed: place.and_then(|p| p.typed),
            hidden: place.and_then(|p| p.hidden),
        });
    }

    if tables.contains("moz_annos") && tables.contains("moz_anno_attributes") {
        read_annotation_downloads(copy, &tables, &places, &mut out)?;
    }
    Ok(out)
}

#[derive(Default)]
struct AnnoDownload {
    uri: Option<String>,
    name: Option<String>,
    added: Option<i64>,
    meta: Option<String>,
}

fn read_annotation_downloads(
    copy: &DbCopy,
    _tables: &BTreeSet<String>,
    places: &HashMap<i64, Place>,
    out: &mut FirefoxPlaces,
) -> Result<()> {
    let rows = copy.select("moz_anno_attributes", &["id", "name"], "")?;
    let mut attr: HashMap<i64, String> = HashMap::new();
    for row in collect(&mut out.warnings, "moz_anno_attributes", rows) {
        if let (Some(id), Some(name)) = (row.int("id"), row.text("name")) {
            attr.insert(id, name);
        }
    }
    if !attr.values().any(|n| n.starts_with("downloads/")) {
        return Ok(());
    }
    let rows = copy.select(
        "moz_annos",
        &[
            "id",
            "place_id",
            "anno_attribute_id",
            "content",
            "dateAdded",
        ],
        "ORDER BY id",
    )?;
    let mut by_place: HashMap<i64, AnnoDownload> = HashMap::new();
    for row in collect(&mut out.warnings, "moz_annos", rows) {
        let (Some(place_id), Some(attr_id)) = (row.int("place_id"), row.int("anno_attribute_id"))
        else {
            continue;
        };
        let Some(name) = attr.get(&attr_id) else {
            continue;
        };
        let slot = || AnnoDownload::default();
        match name.as_str() {
            "downloads/destinationFileURI" => {
                let d = by_place.entry(place_id).or_insert_with(slot);
                d.uri = row.nonempty("content");
                d.added = row.int("dateAdded");
            }
            "downloads/destinationFileName" => {
                by_place.entry(place_id).or_insert_with(slot).name = row.nonempty("content");
            }
            "downloads/metaData" => {
                by_place.entry(place_id).or_insert_with(slot).meta = row.nonempty("content");
            }
            _ => {}
        }
    }

    // The download visit (visit_type 7) and the visit it came from give a
    // time and a referrer when Firefox recorded them.
    let by_id: HashMap<i64, &FirefoxVisit> = out.visits.iter().map(|v| (v.id, v)).collect();
    let mut download_visit: HashMap<i64, &FirefoxVisit> = HashMap::new();
    for v in &out.visits {
        if v.visit_type == Some(7) {
            download_visit.insert(v.place_id, v);
        }
    }

    let mut ids: Vec<i64> = by_place.keys().copied().collect();
    ids.sort_unstable();
    let mut downloads = Vec::new();
    for place_id in ids {
        let Some(a) = by_place.remove(&place_id) else {
            continue;
        };
        let mut d = FirefoxDownload {
            source: FirefoxDownloadSource::PlacesAnnotation,
            id: place_id,
            url: places
                .get(&place_id)
                .map(|p| p.url.clone())
                .unwrap_or_default(),
            referrer: None,
            target_path: a.uri.as_deref().and_then(file_uri_to_path),
            name: a.name,
            target_uri: a.uri,
            start_time: a.added.and_then(RawTime::unix_micros),
            end_time: None,
            received_bytes: None,
            total_bytes: None,
            state: None,
            mime_type: None,
            deleted: None,
            reputation_verdict: None,
            visit_time: None,
        };
        if let Some(meta) = a.meta {
            match serde_json::from_str::<serde_json::Value>(&meta) {
                Ok(m) => {
                    d.state = m.get("state").and_then(serde_json::Value::as_i64);
                    d.end_time = m
                        .get("endTime")
                        .and_then(serde_json::Value::as_i64)
                        .and_then(RawTime::unix_millis);
                    d.total_bytes = m.get("fileSize").and_then(serde_json::Value::as_i64);
                    if d.state == Some(1) {
                        d.received_bytes = d.total_bytes;
                    }
                    d.deleted = m.get("deleted").and_then(serde_json::Value::as_bool);
                    d.reputation_verdict = m
                        .get("reputationCheckVerdict")
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_string);
                }
                Err(e) => out.warnings.push(Warning::row(
                    "moz_annos",
                    Some(place_id),
                    &format!("downloads/metaData is not JSON: {e}"),
                )),
            }
        }
        if let Some(v) = download_visit.get(&place_id) {
            d.visit_time = v.visit_time;
            d.referrer = v
                .from_visit
                .and_then(|f| by_id.get(&f))
                .map(|f| f.url.clone())
                .filter(|u| !u.is_empty());
        }
        downloads.push(d);
    }
    out.downloads = downloads;
    Ok(())
}

pub(crate) fn read_legacy_downloads(copy: &DbCopy) -> Result<(Vec<FirefoxDownload>, Vec<Warning>)> {
    let tables = copy.tables()?;
    if !tables.contains("moz_downloads") {
        return Err(Error::MissingTable {
            expected: "Firefox downloads",
            table: "moz_downloads",
        });
    }
    let mut warnings = Vec::new();
    let rows = copy.select(
        "moz_downloads",
        &[
            "id",
            "name",
            "source",
            "target",
            "startTime",
            "endTime",
            "state",
            "referrer",
            "currBytes",
            "maxBytes",
            "mimeType",
        ],
        "ORDER BY id",
    )?;
    let mut out = Vec::new();
    for row in collect(&mut warnings, "moz_downloads", rows) {
        let Some(id) = row.int("id") else {
            warnings.push(Warning::row(
                "moz_downloads",
                None,
                "row without an integer id",
            ));
            continue;
        };
        let target_uri = row.nonempty("target");
        out.push(FirefoxDownload {
            source: FirefoxDownloadSource::DownloadsSqlite,
            id,
            url: row.text("source").unwrap_or_default(),
            referrer: row.nonempty("referrer"),
            name: row.nonempty("name"),
            target_path: target_uri.as_deref().and_then(file_uri_to_path),
            target_uri,
            start_time: row.int("startTime").and_then(RawTime::unix_micros),
            end_time: row.int("endTime").and_then(RawTime::unix_micros),
            received_bytes: row.int("currBytes"),
            total_bytes: row.int("maxBytes"),
            state: row.int("state"),
            mime_type: row.nonempty("mimeType"),
            deleted: None,
            reputation_verdict: None,
            visit_time: None,
        });
    }
    Ok((out, warnings))
}

/// Decodes a `file:` URI to a path: `file:///C:/a%20b/c.exe` →
/// `C:\a b\c.exe`; `file:///home/x` → `/home/x`. Percent escapes are
/// decoded as UTF-8 (lossy). Returns `None` for other schemes.
pub fn file_uri_to_path(uri: &str) -> Option<String> {
    let rest = uri
        .strip_prefix("file://")
        .or_else(|| uri.strip_prefix("FILE://"))?;
    // `file:///C:/…` → `/C:/…`; `file://server/share` → UNC.
    let (unc, rest) = match rest.strip_prefix('/') {
        Some(r) => (false, r),
        None => (true, rest),
    };
    let mut bytes = Vec::with_capacity(rest.len());
    let raw = rest.as_bytes();
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        if b == b'%' {
            let hex = raw
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                bytes.push(v);
                i += 3;
                continue;
            }
        }
        bytes.push(b);
        i += 1;
    }
    let decoded = String::from_utf8_lossy(&bytes).into_owned();
    let is_drive = {
        let mut c = decoded.chars();
        matches!((c.next(), c.next()), (Some(l), Some(':')) if l.is_ascii_alphabetic())
    };
    Some(if unc {
        format!("\\\\{}", decoded.replace('/', "\\"))
    } else if is_drive {
        decoded.replace('/', "\\")
    } else {
        format!("/{decoded}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris() {
        assert_eq!(
            file_uri_to_path("file:///D:/plaso-static-1.0.1-win32-vs2008.zip").as_deref(),
            Some("D:\\plaso-static-1.0.1-win32-vs2008.zip")
        );
        assert_eq!(
            file_uri_to_path("file:///C:/Users/a%20b/%ED%95%9C.exe").as_deref(),
            Some("C:\\Users\\a b\\한.exe")
        );
        assert_eq!(
            file_uri_to_path("file:///home/x/y").as_deref(),
            Some("/home/x/y")
        );
        assert_eq!(
            file_uri_to_path("file://srv/share/f").as_deref(),
            Some("\\\\srv\\share\\f")
        );
        assert_eq!(
            file_uri_to_path("file:///C:/bad%zz%4").as_deref(),
            Some("C:\\bad%zz%4")
        );
        assert_eq!(file_uri_to_path("https://x"), None);
    }
}
