//! Chromium-family `History` databases (Chrome, Edge, Brave, Opera,
//! Vivaldi, Chromium): URLs, visits, downloads with their URL chains, and
//! omnibox search terms.
//!
//! Every query is built from the columns `PRAGMA table_info` reports, so
//! one code path reads all schema versions (the fixtures span meta
//! versions 16 … 36, and current Chrome is past 60). Where the meaning of a
//! value changed between versions — download times were Unix seconds until
//! the `target_path` split (Chrome 26, schema 24) and WebKit microseconds
//! after it — the decision is made from the columns present, then checked
//! against the magnitude of the value (Hindsight does the same).
//!
//! Sources: Chromium `components/history/core/browser/history_database.cc`,
//! `visit_database.cc`, `url_database.cc`, `download_database.cc` (table
//! layouts and migrations); Hindsight `pyhindsight/browsers/chrome.py`
//! (version detection by column presence); `docs/formats/artifacts.md`
//! §6.1 (checked on the fixtures).

use std::collections::HashMap;

use serde::Serialize;

use crate::chromium_codes::Transition;
use crate::error::{Error, Result};
use crate::sqlite::{DbCopy, Row};
use crate::{RawTime, Warning};

/// Everything read from one Chromium `History` database.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct ChromiumHistory {
    /// The profile label the caller gave (e.g. `Chrome/Default`).
    pub profile: String,
    /// `meta.version` (schema version), when readable.
    pub schema_version: Option<i64>,
    /// Rows of `urls`.
    pub urls: Vec<UrlRecord>,
    /// Rows of `visits`, each joined with its URL.
    pub visits: Vec<Visit>,
    /// Rows of `downloads`, each with its full URL chain.
    pub downloads: Vec<Download>,
    /// Rows of `keyword_search_terms`, each joined with its URL.
    pub searches: Vec<SearchTerm>,
    /// Rows or tables that could not be read.
    pub warnings: Vec<Warning>,
}

/// One row of `urls`.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct UrlRecord {
    /// `urls.id`.
    pub id: i64,
    /// The URL.
    pub url: String,
    /// Page title.
    pub title: Option<String>,
    /// `visit_count`.
    pub visit_count: Option<i64>,
    /// `typed_count` (times typed in the address bar).
    pub typed_count: Option<i64>,
    /// `last_visit_time` (WebKit).
    pub last_visit_time: Option<RawTime>,
    /// `hidden` (subframes, redirects the UI does not list).
    pub hidden: Option<bool>,
}

/// One row of `visits` with its URL.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct Visit {
    /// `visits.id`.
    pub id: i64,
    /// `visits.url` (→ `urls.id`).
    pub url_id: i64,
    /// The URL (empty when the `urls` row is gone).
    pub url: String,
    /// The page title from `urls`.
    pub title: Option<String>,
    /// `visit_time` (WebKit).
    pub visit_time: Option<RawTime>,
    /// `from_visit`: the visit that led here (0 = none).
    pub from_visit: Option<i64>,
    /// `opener_visit` (newer schemas): the visit whose page opened this one.
    pub opener_visit: Option<i64>,
    /// `transition`, raw with decoders.
    pub transition: Option<Transition>,
    /// `visit_duration` in microseconds (schema 22+).
    pub visit_duration_us: Option<i64>,
    /// `visit_source.source` for this visit (absent = made locally).
    pub visit_source: Option<i64>,
    /// `urls.visit_count`.
    pub visit_count: Option<i64>,
    /// `urls.typed_count`.
    pub typed_count: Option<i64>,
    /// `urls.hidden`.
    pub url_hidden: Option<bool>,
}

/// One row of `downloads` with its URL chain.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct Download {
    /// `downloads.id`.
    pub id: i64,
    /// `guid` (schema 30+).
    pub guid: Option<String>,
    /// The URL chain, first request to final URL
    /// (`downloads_url_chains` ordered by `chain_index`; before schema 24
    /// the single `downloads.url`).
    pub url_chain: Vec<String>,
    /// Where the file was meant to be saved (`target_path`; `full_path`
    /// before schema 24).
    pub target_path: Option<String>,
    /// Where the bytes were at the time (`current_path`; the `.crdownload`
    /// name while in progress).
    pub current_path: Option<String>,
    /// `start_time`.
    pub start_time: Option<RawTime>,
    /// `end_time` (schema 22+).
    pub end_time: Option<RawTime>,
    /// `last_access_time` (schema 36+): last opened from the UI.
    pub last_access_time: Option<RawTime>,
    /// `received_bytes`.
    pub received_bytes: Option<i64>,
    /// `total_bytes` (-1 or 0 when the server did not say).
    pub total_bytes: Option<i64>,
    /// `state` (see [`crate::chromium_codes::download_state_label`]).
    pub state: Option<i64>,
    /// `danger_type` (schema 24+).
    pub danger_type: Option<i64>,
    /// `interrupt_reason` (schema 24+).
    pub interrupt_reason: Option<i64>,
    /// `opened` (schema 22+): opened from the browser UI.
    pub opened: Option<bool>,
    /// `referrer`: the page that linked the download.
    pub referrer: Option<String>,
    /// `site_url` (schema 32+).
    pub site_url: Option<String>,
    /// `tab_url` (schema 32+): the page shown in the tab.
    pub tab_url: Option<String>,
    /// `tab_referrer_url` (schema 32+).
    pub tab_referrer_url: Option<String>,
    /// `http_method` (schema 32+).
    pub http_method: Option<String>,
    /// `mime_type` (schema 32+).
    pub mime_type: Option<String>,
    /// `original_mime_type` (schema 32+).
    pub original_mime_type: Option<String>,
    /// `etag` (schema 28+).
    pub etag: Option<String>,
    /// `last_modified` HTTP header (schema 28+).
    pub last_modified: Option<String>,
    /// `hash` (SHA-256 of the file when Chrome computed it), hex.
    pub hash: Option<String>,
    /// `by_ext_id`: extension that started the download.
    pub by_ext_id: Option<String>,
    /// `by_ext_name`.
    pub by_ext_name: Option<String>,
    /// `transient` (schema 36+): hidden from the downloads page.
    pub transient: Option<bool>,
    /// `by_web_app_id` (Chrome 115+): installed web app that started it.
    pub by_web_app_id: Option<String>,
}

impl Download {
    /// The final URL of the chain (what was actually fetched).
    pub fn url(&self) -> Option<&str> {
        self.url_chain.last().map(String::as_str)
    }
}

/// One row of `keyword_search_terms` with its URL.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct SearchTerm {
    /// `keyword_id` (→ the search engine in `Web Data`).
    pub keyword_id: Option<i64>,
    /// `url_id` (→ `urls.id`): the results page.
    pub url_id: i64,
    /// The term as typed.
    pub term: String,
    /// `normalized_term` (newer) or `lower_term`.
    pub normalized_term: Option<String>,
    /// The results-page URL.
    pub url: Option<String>,
    /// `urls.last_visit_time` of the results page: the best time Chromium
    /// keeps for a search.
    pub last_visit_time: Option<RawTime>,
}

/// Parses a Chromium `History` database.
///
/// `db` is the database file, `wal` its `-wal` companion when there is
/// one (Chromium uses a rollback journal by default; see
/// [`parse_chromium_history_with_journal`] for that), `profile` a label
/// carried into the result (`Chrome/Default`, `Edge/Profile 1` …).
///
/// ```
/// let err = rift_browser::parse_chromium_history(b"not a database", None, "x").unwrap_err();
/// assert!(err.to_string().contains("not an SQLite database"));
/// ```
pub fn parse_chromium_history(
    db: &[u8],
    wal: Option<&[u8]>,
    profile: &str,
) -> Result<ChromiumHistory> {
    parse_chromium_history_with_journal(db, wal, None, profile)
}

/// [`parse_chromium_history`] with an optional `History-journal` (a hot
/// rollback journal is rolled back on the private copy, as Chromium would
/// on its next start).
pub fn parse_chromium_history_with_journal(
    db: &[u8],
    wal: Option<&[u8]>,
    journal: Option<&[u8]>,
    profile: &str,
) -> Result<ChromiumHistory> {
    let copy = DbCopy::open(db, wal, journal)?;
    read_history(&copy, profile)
}

pub(crate) fn read_history(copy: &DbCopy, profile: &str) -> Result<ChromiumHistory> {
    let tables = copy.tables()?;
    for needed in ["urls", "visits"] {
        if !tables.contains(needed) {
            return Err(Error::MissingTable {
                expected: "Chromium History",
                table: needed,
            });
        }
    }
    let mut out = ChromiumHistory {
        profile: profile.to_string(),
        ..Default::default()
    };
    out.schema_version = if tables.contains("meta") {
        copy.conn()
            .query_row("SELECT value FROM meta WHERE key = 'version'", [], |r| {
                r.get_ref(0).map(|v| match v {
                    rusqlite::types::ValueRef::Integer(i) => Some(i),
                    rusqlite::types::ValueRef::Text(t) => std::str::from_utf8(t)
                        .ok()
                        .and_then(|s| s.trim().parse().ok()),
                    _ => None,
                })
            })
            .ok()
            .flatten()
    } else {
        None
    };

    read_urls(copy, &mut out)?;
    read_visits(copy, &tables, &mut out)?;
    if tables.contains("downloads") {
        read_downloads(copy, &tables, &mut out)?;
    }
    if tables.contains("keyword_search_terms") {
        read_searches(copy, &mut out)?;
    }
    Ok(out)
}

/// Keeps the rows read and records a mid-table failure as a warning.
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

fn read_urls(copy: &DbCopy, out: &mut ChromiumHistory) -> Result<()> {
    let rows = copy.select(
        "urls",
        &[
            "id",
            "url",
            "title",
            "visit_count",
            "typed_count",
            "last_visit_time",
            "hidden",
        ],
        "ORDER BY id",
    )?;
    for row in collect(&mut out.warnings, "urls", rows) {
        let Some(id) = row.int("id") else {
            out.warnings
                .push(Warning::row("urls", None, "row without an integer id"));
            continue;
        };
        out.urls.push(UrlRecord {
            id,
            url: row.text("url").unwrap_or_default(),
            title: row.nonempty("title"),
            visit_count: row.int("visit_count"),
            typed_count: row.int("typed_count"),
            last_visit_time: row.int("last_visit_time").and_then(RawTime::webkit),
            hidden: row.int("hidden").map(|h| h != 0),
        });
    }
    Ok(())
}

fn read_visits(
    copy: &DbCopy,
    tables: &std::collections::BTreeSet<String>,
    out: &mut ChromiumHistory,
) -> Result<()> {
    let mut sources: HashMap<i64, i64> = HashMap::new();
    if tables.contains("visit_source") {
        let rows = copy.select("visit_source", &["id", "source"], "")?;
        for row in collect(&mut out.warnings, "visit_source", rows) {
            if let (Some(id), Some(src)) = (row.int("id"), row.int("source")) {
                sources.insert(id, src);
            }
        }
    }
    let urls: HashMap<i64, &UrlRecord> = out.urls.iter().map(|u| (u.id, u)).collect();
    let rows = copy.select(
        "visits",
        &[
            "id",
            "url",
            "visit_time",
            "from_visit",
            "opener_visit",
            "transition",
            "visit_duration",
        ],
        "ORDER BY id",
    )?;
    let mut visits = Vec::new();
    let mut warnings = Vec::new();
    for row in collect(&mut warnings, "visits", rows) {
        let (Some(id), Some(url_id)) = (row.int("id"), row.int("url")) else {
            warnings.push(Warning::row(
                "visits",
                row.int("id"),
                "row without id or url",
            ));
            continue;
        };
        let url = urls.get(&url_id);
        visits.push(Visit {
            id,
            url_id,
            url: url.map(|u| u.url.clone()).unwrap_or_default(),
            title: url.and_then(|u| u.title.clone()),
            visit_time: row.int("visit_time").and_then(RawTime::webkit),
            from_visit: row.int("from_visit"),
            opener_visit: row.int("opener_visit"),
            // Stored as a signed 64-bit integer; the qualifier bits make
            // some values negative when read back as i32 by other tools.
            transition: row.int("transition").map(|t| Transition(t as u32)),
            visit_duration_us: row.int("visit_duration"),
            visit_source: sources.get(&id).copied(),
            visit_count: url.and_then(|u| u.visit_count),
            typed_count: url.and_then(|u| u.typed_count),
            url_hidden: url.and_then(|u| u.hidden),
        });
    }
    out.visits = visits;
    out.warnings.extend(warnings);
    Ok(())
}

/// How `downloads` times are encoded in this database.
#[derive(Clone, Copy)]
enum DownloadEpoch {
    /// Before the schema-24 migration (no `target_path`): Unix seconds.
    UnixSeconds,
    /// From schema 24 on: WebKit microseconds.
    Webkit,
}

fn download_time(raw: Option<i64>, epoch: DownloadEpoch) -> Option<RawTime> {
    let raw = raw?;
    // Magnitude check first: a value above 1e14 cannot be Unix seconds or
    // milliseconds in any plausible year, and one below 1e11 cannot be
    // WebKit microseconds after 1601-01-02 (Hindsight `to_datetime`
    // applies the same bounds).
    if raw > 100_000_000_000_000 {
        return RawTime::webkit(raw);
    }
    if raw > 0 && raw < 100_000_000_000 {
        return RawTime::unix_seconds(raw);
    }
    match epoch {
        DownloadEpoch::Webkit => RawTime::webkit(raw),
        DownloadEpoch::UnixSeconds => RawTime::unix_seconds(raw),
    }
}

fn read_downloads(
    copy: &DbCopy,
    tables: &std::collections::BTreeSet<String>,
    out: &mut ChromiumHistory,
) -> Result<()> {
    let cols = copy.columns("downloads")?;
    let epoch = if cols.has("target_path") {
        DownloadEpoch::Webkit
    } else {
        DownloadEpoch::UnixSeconds
    };

    let mut chains: HashMap<i64, Vec<String>> = HashMap::new();
    if tables.contains("downloads_url_chains") {
        let rows = copy.select(
            "downloads_url_chains",
            &["id", "chain_index", "url"],
            "ORDER BY id, chain_index",
        )?;
        for row in collect(&mut out.warnings, "downloads_url_chains", rows) {
            if let (Some(id), Some(url)) = (row.int("id"), row.text("url")) {
                chains.entry(id).or_default().push(url);
            }
        }
    }

    let rows = copy.select(
        "downloads",
        &[
            "id",
            "guid",
            "url",
            "full_path",
            "current_path",
            "target_path",
            "start_time",
            "end_time",
            "last_access_time",
            "received_bytes",
            "total_bytes",
            "state",
            "danger_type",
            "interrupt_reason",
            "opened",
            "referrer",
            "site_url",
            "tab_url",
            "tab_referrer_url",
            "http_method",
            "mime_type",
            "original_mime_type",
            "etag",
            "last_modified",
            "hash",
            "by_ext_id",
            "by_ext_name",
            "by_web_app_id",
            "transient",
        ],
        "ORDER BY id",
    )?;
    for row in collect(&mut out.warnings, "downloads", rows) {
        let Some(id) = row.int("id") else {
            out.warnings
                .push(Warning::row("downloads", None, "row without an integer id"));
            continue;
        };
        let mut url_chain = chains.remove(&id).unwrap_or_default();
        if url_chain.is_empty() {
            if let Some(url) = row.nonempty("url") {
                url_chain.push(url);
            }
        }
        let target_path = row
            .nonempty("target_path")
            .or_else(|| row.nonempty("full_path"));
        let current_path = row.nonempty("current_path");
        out.downloads.push(Download {
            id,
            guid: row.nonempty("guid"),
            url_chain,
            target_path,
            current_path,
            start_time: download_time(row.int("start_time"), epoch),
            end_time: download_time(row.int("end_time"), epoch),
            // Added long after the switch to WebKit time.
            last_access_time: row.int("last_access_time").and_then(RawTime::webkit),
            received_bytes: row.int("received_bytes"),
            total_bytes: row.int("total_bytes"),
            state: row.int("state"),
            danger_type: row.int("danger_type"),
            interrupt_reason: row.int("interrupt_reason"),
            opened: row.int("opened").map(|o| o != 0),
            referrer: row.nonempty("referrer"),
            site_url: row.nonempty("site_url"),
            tab_url: row.nonempty("tab_url"),
            tab_referrer_url: row.nonempty("tab_referrer_url"),
            http_method: row.nonempty("http_method"),
            mime_type: row.nonempty("mime_type"),
            original_mime_type: row.nonempty("original_mime_type"),
            etag: row.nonempty("etag"),
            last_modified: row.nonempty("last_modified"),
            hash: row
                .blob("hash")
                .filter(|h| !h.is_empty())
                .map(|h| h.iter().map(|b| format!("{b:02x}")).collect()),
            by_ext_id: row.nonempty("by_ext_id"),
            by_ext_name: row.nonempty("by_ext_name"),
            transient: row.int("transient").map(|t| t != 0),
            by_web_app_id: row.nonempty("by_web_app_id"),
        });
    }
    // Chains whose download row is gone are still evidence of a download.
    let mut orphans: Vec<_> = chains.into_iter().collect();
    orphans.sort_by_key(|(id, _)| *id);
    for (id, chain) in orphans {
        out.warnings.push(Warning::row(
            "downloads_url_chains",
            Some(id),
            &format!("URL chain without a downloads row: {}", chain.join(" -> ")),
        ));
    }
    Ok(())
}

fn read_searches(copy: &DbCopy, out: &mut ChromiumHistory) -> Result<()> {
    let rows = copy.select(
        "keyword_search_terms",
        &[
            "keyword_id",
            "url_id",
            "term",
            "normalized_term",
            "lower_term",
        ],
        "",
    )?;
    let urls: HashMap<i64, &UrlRecord> = out.urls.iter().map(|u| (u.id, u)).collect();
    let mut searches = Vec::new();
    let mut warnings = Vec::new();
    for row in collect(&mut warnings, "keyword_search_terms", rows) {
        let Some(url_id) = row.int("url_id") else {
            warnings.push(Warning::row(
                "keyword_search_terms",
                None,
                "row without url_id",
            ));
            continue;
        };
        let url = urls.get(&url_id);
        searches.push(SearchTerm {
            keyword_id: row.int("keyword_id"),
            url_id,
            term: row.text("term").unwrap_or_default(),
            normalized_term: row
                .nonempty("normalized_term")
                .or_else(|| row.nonempty("lower_term")),
            url: url.map(|u| u.url.clone()),
            last_visit_time: url.and_then(|u| u.last_visit_time),
        });
    }
    searches.sort_by_key(|s| (s.last_visit_time.map(|t| t.raw), s.url_id));
    out.searches = searches;
    out.warnings.extend(warnings);
    Ok(())
}
