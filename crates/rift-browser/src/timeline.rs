//! Timeline rows in the shapes analysts already load:
//!
//! * **Hindsight-like CSV**: the first 21 columns are Hindsight's timeline
//!   sheet (`Type`, `Timestamp (<zone>)`, `URL`, `Title / Name / Status`,
//!   `Data / Value / Path`, `Interpretation`, `Profile`, `Source`, `Visit
//!   ID`, `From Visit`, `Opener Visit`, `Visit Duration`, `Visit Count`,
//!   `Typed Count`, `URL Hidden`, `Transition`, `Interrupt Reason`, `Danger
//!   Type`, `Opened?`, `ETag`, `Last Modified`), followed by download
//!   columns Hindsight leaves out (end time, bytes, state, full URL chain,
//!   referrer, tab URL, MIME type) and where the row came from.
//! * **Timesketch JSONL**: one JSON object per event with `message`,
//!   `datetime` (ISO 8601 UTC), `timestamp` (µs since 1970),
//!   `timestamp_desc` and plaso's `data_type` names
//!   (`chrome:history:page_visited` / `Last Visited Time`,
//!   `chrome:history:file_downloaded` / `File Downloaded`,
//!   `firefox:places:page_visited`, `firefox:downloads:download`,
//!   `msiecf:url`), plus
//!   typed fields (raw integers beside labels).
//!
//! Sources: Hindsight `pyhindsight/analysis.py` (timeline sheet columns and
//! which record fills which), plaso `parsers/sqlite_plugins/chrome_history.py`
//! and `firefox_history.py` (data types, timestamp descriptions, attribute
//! names), Timesketch "Import from JSON or CSV" (required fields);
//! `docs/FORMATS.md`.

use jiff::Timestamp;
use rift_io::time::{DisplayZone, format_iso_utc};
use serde_json::{Map, Value, json};

use crate::chromium_codes::{
    danger_type_label, download_state_label, interrupt_reason_label, visit_source_label,
};
use crate::firefox::{self, FirefoxDownload, FirefoxDownloadSource};
use crate::{ChromiumHistory, FirefoxPlaces, Origin, Parsed, RawTime};

/// One timeline row (one event).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct TimelineRow {
    /// Hindsight's `Type`: `url`, `download`, `search`.
    pub row_type: &'static str,
    /// When (UTC); `None` when the database holds no time for the record.
    pub timestamp: Option<Timestamp>,
    /// Timesketch `timestamp_desc`.
    pub timestamp_desc: &'static str,
    /// plaso/Timesketch `data_type`.
    pub data_type: &'static str,
    /// URL (for downloads: the final URL of the chain).
    pub url: String,
    /// `Title / Name / Status`: page title, or download status.
    pub title: String,
    /// `Data / Value / Path`: download target path, search term.
    pub value: String,
    /// `Interpretation`.
    pub interpretation: String,
    /// Browser display name.
    pub browser: String,
    /// Profile label ([`Origin::label`]).
    pub profile: String,
    /// Windows user, when known.
    pub user: Option<String>,
    /// Path of the database the row came from.
    pub source_file: String,
    /// `Source` (visit source label).
    pub visit_source: String,
    /// `Visit ID`.
    pub visit_id: Option<i64>,
    /// `From Visit`.
    pub from_visit: Option<i64>,
    /// `Opener Visit`.
    pub opener_visit: Option<i64>,
    /// `Visit Duration` (`H:MM:SS.ffffff`).
    pub visit_duration: String,
    /// `Visit Count`.
    pub visit_count: Option<i64>,
    /// `Typed Count`.
    pub typed_count: Option<i64>,
    /// `URL Hidden`.
    pub url_hidden: Option<bool>,
    /// `Transition` (decoded).
    pub transition: String,
    /// `Interrupt Reason` (decoded).
    pub interrupt_reason: String,
    /// `Danger Type` (decoded).
    pub danger_type: String,
    /// `Opened?`.
    pub opened: Option<bool>,
    /// `ETag`.
    pub etag: String,
    /// `Last Modified` (HTTP header).
    pub last_modified: String,
    /// Download end.
    pub end_time: Option<Timestamp>,
    /// Bytes received.
    pub received_bytes: Option<i64>,
    /// Bytes expected.
    pub total_bytes: Option<i64>,
    /// Download state label.
    pub state: String,
    /// Download URL chain, first to last.
    pub url_chain: Vec<String>,
    /// Download referrer.
    pub referrer: String,
    /// Download tab URL.
    pub tab_url: String,
    /// Download MIME type.
    pub mime_type: String,
    /// Typed extra fields for the JSONL event (raw values beside labels).
    pub extra: Map<String, Value>,
}

/// The CSV header; the timestamp column names the display zone, as
/// Hindsight does (`Timestamp (UTC)`).
pub fn csv_header(zone: &DisplayZone) -> Vec<String> {
    let mut h: Vec<String> = [
        "Type",
        "Timestamp",
        "URL",
        "Title / Name / Status",
        "Data / Value / Path",
        "Interpretation",
        "Profile",
        "Source",
        "Visit ID",
        "From Visit",
        "Opener Visit",
        "Visit Duration",
        "Visit Count",
        "Typed Count",
        "URL Hidden",
        "Transition",
        "Interrupt Reason",
        "Danger Type",
        "Opened?",
        "ETag",
        "Last Modified",
        "Browser",
        "User",
        "End Time",
        "Received Bytes",
        "Total Bytes",
        "State",
        "URL Chain",
        "Referrer",
        "Tab URL",
        "MIME Type",
        "Source File",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(ts) = h.get_mut(1) {
        *ts = format!("Timestamp ({})", zone.label());
    }
    if let Some(end) = h.get_mut(23) {
        *end = format!("End Time ({})", zone.label());
    }
    h
}

/// `YYYY-MM-DD HH:MM:SS.ffffff` in the display zone (Hindsight's layout;
/// browsers keep microseconds).
pub fn format_time(ts: Timestamp, zone: &DisplayZone) -> String {
    let z = ts.to_zoned(zone.tz().clone());
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}",
        z.year(),
        z.month(),
        z.day(),
        z.hour(),
        z.minute(),
        z.second(),
        z.subsec_nanosecond().unsigned_abs() / 1000
    )
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn yes_no(v: Option<bool>) -> String {
    match v {
        Some(true) => "Yes".into(),
        Some(false) => "No".into(),
        None => String::new(),
    }
}

fn bool_str(v: Option<bool>) -> String {
    match v {
        Some(true) => "True".into(),
        Some(false) => "False".into(),
        None => String::new(),
    }
}

impl TimelineRow {
    /// The CSV record matching [`csv_header`].
    pub fn csv_record(&self, zone: &DisplayZone) -> Vec<String> {
        vec![
            self.row_type.to_string(),
            self.timestamp
                .map(|t| format_time(t, zone))
                .unwrap_or_default(),
            self.url.clone(),
            self.title.clone(),
            self.value.clone(),
            self.interpretation.clone(),
            self.profile.clone(),
            self.visit_source.clone(),
            opt(self.visit_id),
            opt(self.from_visit),
            opt(self.opener_visit),
            self.visit_duration.clone(),
            opt(self.visit_count),
            opt(self.typed_count),
            bool_str(self.url_hidden),
            self.transition.clone(),
            self.interrupt_reason.clone(),
            self.danger_type.clone(),
            yes_no(self.opened),
            self.etag.clone(),
            self.last_modified.clone(),
            self.browser.clone(),
            self.user.clone().unwrap_or_default(),
            self.end_time
                .map(|t| format_time(t, zone))
                .unwrap_or_default(),
            opt(self.received_bytes),
            opt(self.total_bytes),
            self.state.clone(),
            self.url_chain.join(" -> "),
            self.referrer.clone(),
            self.tab_url.clone(),
            self.mime_type.clone(),
            self.source_file.clone(),
        ]
    }

    /// The Timesketch JSONL event; `None` when the row has no time
    /// (Timesketch requires `datetime`).
    pub fn timesketch(&self) -> Option<Value> {
        let ts = self.timestamp?;
        let mut m = Map::new();
        m.insert("message".into(), Value::String(self.message()));
        m.insert("datetime".into(), Value::String(format_iso_utc(ts)));
        m.insert("timestamp".into(), json!(ts.as_microsecond()));
        m.insert("timestamp_desc".into(), json!(self.timestamp_desc));
        m.insert("data_type".into(), json!(self.data_type));
        m.insert("browser".into(), json!(self.browser));
        m.insert("profile".into(), json!(self.profile));
        if let Some(u) = &self.user {
            m.insert("user".into(), json!(u));
        }
        m.insert("source_file".into(), json!(self.source_file));
        m.insert("url".into(), json!(self.url));
        if !self.title.is_empty() && self.row_type != "download" {
            m.insert("title".into(), json!(self.title));
        }
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        Some(Value::Object(m))
    }

    /// A one-line description (Timesketch `message`).
    pub fn message(&self) -> String {
        match self.row_type {
            "download" => {
                let mut s = format!("{} ({})", self.url, self.value);
                if let (Some(r), Some(t)) = (self.received_bytes, self.total_bytes) {
                    s.push_str(&format!(". Received: {r} bytes out of: {t} bytes."));
                }
                if !self.state.is_empty() {
                    s.push_str(&format!(" State: {}", self.state));
                }
                s
            }
            "search" => format!("Searched for \"{}\" ({})", self.value, self.url),
            _ => {
                let mut s = self.url.clone();
                if !self.title.is_empty() {
                    s.push_str(&format!(" ({})", self.title));
                }
                if !self.transition.is_empty() {
                    s.push_str(&format!(" Type: [{}]", self.transition));
                }
                s
            }
        }
    }
}

fn base(origin: &Origin) -> TimelineRow {
    TimelineRow {
        browser: origin.browser.name().to_string(),
        profile: origin.label(),
        user: origin.user.clone(),
        source_file: origin.path.clone(),
        ..Default::default()
    }
}

fn ts(t: Option<RawTime>) -> Option<Timestamp> {
    t.map(|t| t.time)
}

fn raw(t: Option<RawTime>) -> Value {
    t.map(|t| json!(t.raw)).unwrap_or(Value::Null)
}

/// `H:MM:SS.ffffff` for a duration in microseconds (Hindsight shows
/// visit durations as a time delta).
fn duration(us: i64) -> String {
    let neg = us < 0;
    let us = us.unsigned_abs();
    let s = us / 1_000_000;
    format!(
        "{}{}:{:02}:{:02}.{:06}",
        if neg { "-" } else { "" },
        s / 3600,
        (s / 60) % 60,
        s % 60,
        us % 1_000_000
    )
}

fn download_status(
    state: Option<i64>,
    label: &str,
    received: Option<i64>,
    total: Option<i64>,
) -> String {
    let mut s = if state.is_some() {
        label.to_string()
    } else {
        String::new()
    };
    if let (Some(r), Some(t)) = (received, total) {
        if t > 0 {
            let pct = (i128::from(r) * 100 / i128::from(t)).clamp(0, 1000);
            s.push_str(&format!(" - {pct}% [{r}/{t}]"));
        } else {
            s.push_str(&format!(" [{r}/?]"));
        }
    }
    s.trim_start_matches(' ').to_string()
}

/// Rows for a Chromium `History`: one per visit, download and search term.
pub fn chromium_rows(h: &ChromiumHistory, origin: &Origin) -> Vec<TimelineRow> {
    chromium_rows_with(h, origin, true)
}

/// [`chromium_rows`]; `with_extra = false` leaves [`TimelineRow::extra`]
/// empty (CSV-only output needs none of it, and it is most of a row's
/// memory).
pub fn chromium_rows_with(
    h: &ChromiumHistory,
    origin: &Origin,
    with_extra: bool,
) -> Vec<TimelineRow> {
    let mut out = Vec::with_capacity(h.visits.len() + h.downloads.len() + h.searches.len());
    emit_chromium(h, origin, with_extra, &mut |r| out.push(r));
    sort(&mut out);
    out
}

fn emit_chromium(
    h: &ChromiumHistory,
    origin: &Origin,
    with_extra: bool,
    sink: &mut dyn FnMut(TimelineRow),
) {
    for v in &h.visits {
        let mut r = base(origin);
        r.row_type = "url";
        r.timestamp = ts(v.visit_time);
        r.timestamp_desc = "Last Visited Time";
        r.data_type = "chrome:history:page_visited";
        r.url = v.url.clone();
        r.title = v.title.clone().unwrap_or_default();
        r.visit_source = v.visit_source.map(visit_source_label).unwrap_or_default();
        r.visit_id = Some(v.id);
        r.from_visit = v.from_visit;
        r.opener_visit = v.opener_visit;
        r.visit_duration = v
            .visit_duration_us
            .filter(|d| *d > 0)
            .map(duration)
            .unwrap_or_default();
        r.visit_count = v.visit_count;
        r.typed_count = v.typed_count;
        r.url_hidden = v.url_hidden;
        r.transition = v.transition.map(|t| t.describe()).unwrap_or_default();
        if with_extra {
            let e = &mut r.extra;
            e.insert("visit_id".into(), json!(v.id));
            e.insert("visit_time_raw".into(), raw(v.visit_time));
            e.insert("from_visit".into(), json!(v.from_visit));
            e.insert(
                "page_transition_type".into(),
                json!(v.transition.map(|t| t.core())),
            );
            e.insert("page_transition".into(), json!(v.transition.map(|t| t.0)));
            e.insert("typed_count".into(), json!(v.typed_count));
            e.insert("visit_count".into(), json!(v.visit_count));
            e.insert("url_hidden".into(), json!(v.url_hidden));
            e.insert("visit_source".into(), json!(v.visit_source));
            e.insert("visit_duration_us".into(), json!(v.visit_duration_us));
        }
        sink(r);
    }
    for d in &h.downloads {
        let mut r = base(origin);
        r.row_type = "download";
        r.timestamp = ts(d.start_time).or(ts(d.end_time));
        r.timestamp_desc = "File Downloaded";
        r.data_type = "chrome:history:file_downloaded";
        r.url = d.url().unwrap_or_default().to_string();
        let state_label = d.state.map(download_state_label).unwrap_or_default();
        r.title = download_status(d.state, &state_label, d.received_bytes, d.total_bytes);
        r.value = d
            .target_path
            .clone()
            .or(d.current_path.clone())
            .unwrap_or_default();
        r.interrupt_reason = d
            .interrupt_reason
            .map(interrupt_reason_label)
            .unwrap_or_default();
        r.danger_type = d.danger_type.map(danger_type_label).unwrap_or_default();
        r.opened = d.opened;
        r.etag = d.etag.clone().unwrap_or_default();
        r.last_modified = d.last_modified.clone().unwrap_or_default();
        r.end_time = ts(d.end_time);
        r.received_bytes = d.received_bytes;
        r.total_bytes = d.total_bytes;
        r.state = state_label;
        r.url_chain = d.url_chain.clone();
        r.referrer = d.referrer.clone().unwrap_or_default();
        r.tab_url = d.tab_url.clone().unwrap_or_default();
        r.mime_type = d.mime_type.clone().unwrap_or_default();
        if with_extra {
            let e = &mut r.extra;
            e.insert("download_id".into(), json!(d.id));
            e.insert("full_path".into(), json!(r.value));
            e.insert("current_path".into(), json!(d.current_path));
            e.insert("url_chain".into(), json!(d.url_chain));
            e.insert("referrer".into(), json!(d.referrer));
            e.insert("tab_url".into(), json!(d.tab_url));
            e.insert("tab_referrer_url".into(), json!(d.tab_referrer_url));
            e.insert("site_url".into(), json!(d.site_url));
            e.insert(
                "start_time".into(),
                json!(d.start_time.map(|t| format_iso_utc(t.time))),
            );
            e.insert("start_time_raw".into(), raw(d.start_time));
            e.insert(
                "end_time".into(),
                json!(d.end_time.map(|t| format_iso_utc(t.time))),
            );
            e.insert("end_time_raw".into(), raw(d.end_time));
            e.insert("received_bytes".into(), json!(d.received_bytes));
            e.insert("total_bytes".into(), json!(d.total_bytes));
            e.insert("state".into(), json!(d.state));
            e.insert("state_label".into(), json!(r.state));
            e.insert("danger_type".into(), json!(d.danger_type));
            e.insert("danger_type_label".into(), json!(r.danger_type));
            e.insert("interrupt_reason".into(), json!(d.interrupt_reason));
            e.insert("interrupt_reason_label".into(), json!(r.interrupt_reason));
            e.insert("opened".into(), json!(d.opened));
            e.insert("mime_type".into(), json!(d.mime_type));
            e.insert("guid".into(), json!(d.guid));
            e.insert("hash".into(), json!(d.hash));
        }
        sink(r);
    }
    for s in &h.searches {
        let mut r = base(origin);
        r.row_type = "search";
        r.timestamp = ts(s.last_visit_time);
        r.timestamp_desc = "Last Visited Time";
        r.data_type = "chrome:history:search_term";
        r.url = s.url.clone().unwrap_or_default();
        r.title = "search term".into();
        r.value = s.term.clone();
        r.interpretation = format!("keyword_search_terms (keyword id {})", opt(s.keyword_id));
        if with_extra {
            r.extra.insert("search_term".into(), json!(s.term));
            r.extra.insert("keyword_id".into(), json!(s.keyword_id));
            r.extra.insert("url_id".into(), json!(s.url_id));
        }
        sink(r);
    }
}

/// Rows for a Firefox `places.sqlite`: one per visit and download.
pub fn firefox_places_rows(p: &FirefoxPlaces, origin: &Origin) -> Vec<TimelineRow> {
    firefox_places_rows_with(p, origin, true)
}

/// [`firefox_places_rows`], optionally without [`TimelineRow::extra`].
pub fn firefox_places_rows_with(
    p: &FirefoxPlaces,
    origin: &Origin,
    with_extra: bool,
) -> Vec<TimelineRow> {
    let mut out = Vec::with_capacity(p.visits.len() + p.downloads.len());
    emit_firefox_places(p, origin, with_extra, &mut |r| out.push(r));
    sort(&mut out);
    out
}

fn emit_firefox_places(
    p: &FirefoxPlaces,
    origin: &Origin,
    with_extra: bool,
    sink: &mut dyn FnMut(TimelineRow),
) {
    emit_firefox_downloads(&p.downloads, origin, with_extra, sink);
    for v in &p.visits {
        let mut r = base(origin);
        r.row_type = "url";
        r.timestamp = ts(v.visit_time);
        r.timestamp_desc = "Last Visited Time";
        r.data_type = "firefox:places:page_visited";
        r.url = v.url.clone();
        r.title = v.title.clone().unwrap_or_default();
        r.visit_id = Some(v.id);
        r.from_visit = v.from_visit;
        r.visit_count = v.visit_count;
        r.url_hidden = v.hidden;
        r.transition = v
            .visit_type
            .map(firefox::visit_type_label)
            .unwrap_or_default();
        if with_extra {
            r.extra.insert("visit_id".into(), json!(v.id));
            r.extra.insert("visit_time_raw".into(), raw(v.visit_time));
            r.extra.insert("visit_type".into(), json!(v.visit_type));
            r.extra.insert("from_visit".into(), json!(v.from_visit));
            r.extra.insert("visit_count".into(), json!(v.visit_count));
            r.extra.insert("typed".into(), json!(v.typed));
        }
        sink(r);
    }
}

/// Rows for Firefox downloads (either source).
pub fn firefox_download_rows(downloads: &[FirefoxDownload], origin: &Origin) -> Vec<TimelineRow> {
    firefox_download_rows_with(downloads, origin, true)
}

/// [`firefox_download_rows`], optionally without [`TimelineRow::extra`].
pub fn firefox_download_rows_with(
    downloads: &[FirefoxDownload],
    origin: &Origin,
    with_extra: bool,
) -> Vec<TimelineRow> {
    let mut out = Vec::with_capacity(downloads.len());
    emit_firefox_downloads(downloads, origin, with_extra, &mut |r| out.push(r));
    out
}

fn emit_firefox_downloads(
    downloads: &[FirefoxDownload],
    origin: &Origin,
    with_extra: bool,
    sink: &mut dyn FnMut(TimelineRow),
) {
    for d in downloads {
        let mut r = base(origin);
        r.row_type = "download";
        r.timestamp = ts(d.start_time).or(ts(d.end_time)).or(ts(d.visit_time));
        r.timestamp_desc = "Start Time";
        r.data_type = "firefox:downloads:download";
        r.url = d.url.clone();
        let state_label = d
            .state
            .map(firefox::download_state_label)
            .unwrap_or_default();
        r.title = download_status(d.state, &state_label, d.received_bytes, d.total_bytes);
        r.value = d
            .target_path
            .clone()
            .or(d.target_uri.clone())
            .or(d.name.clone())
            .unwrap_or_default();
        r.end_time = ts(d.end_time);
        r.received_bytes = d.received_bytes;
        r.total_bytes = d.total_bytes;
        r.state = state_label;
        r.url_chain = vec![d.url.clone()];
        r.referrer = d.referrer.clone().unwrap_or_default();
        r.mime_type = d.mime_type.clone().unwrap_or_default();
        if d.deleted == Some(true) {
            r.interpretation = "file deleted from the downloads panel".into();
        }
        if with_extra {
            let e = &mut r.extra;
            e.insert("download_id".into(), json!(d.id));
            e.insert(
                "download_source".into(),
                json!(match d.source {
                    FirefoxDownloadSource::PlacesAnnotation => "places.sqlite annotations",
                    FirefoxDownloadSource::DownloadsSqlite => "downloads.sqlite",
                }),
            );
            e.insert("full_path".into(), json!(r.value));
            e.insert("target_uri".into(), json!(d.target_uri));
            e.insert("name".into(), json!(d.name));
            e.insert("referrer".into(), json!(d.referrer));
            e.insert("start_time_raw".into(), raw(d.start_time));
            e.insert(
                "end_time".into(),
                json!(d.end_time.map(|t| format_iso_utc(t.time))),
            );
            e.insert("end_time_raw".into(), raw(d.end_time));
            e.insert("received_bytes".into(), json!(d.received_bytes));
            e.insert("total_bytes".into(), json!(d.total_bytes));
            e.insert("state".into(), json!(d.state));
            e.insert("state_label".into(), json!(r.state));
            e.insert("mime_type".into(), json!(d.mime_type));
            e.insert("deleted".into(), json!(d.deleted));
            e.insert("reputation_verdict".into(), json!(d.reputation_verdict));
        }
        sink(r);
    }
}

/// Rows for an Internet Explorer `index.dat`: one per URL/LEAK record at
/// its primary time (last access; for `Visited:` history entries the last
/// visit), one per redirect (no time).
pub fn ie_rows(c: &crate::ie::IeCache, origin: &Origin) -> Vec<TimelineRow> {
    ie_rows_with(c, origin, true)
}

/// [`ie_rows`], optionally without [`TimelineRow::extra`].
pub fn ie_rows_with(c: &crate::ie::IeCache, origin: &Origin, with_extra: bool) -> Vec<TimelineRow> {
    let mut out = Vec::with_capacity(c.records.len());
    emit_ie(c, origin, with_extra, &mut |r| out.push(r));
    sort(&mut out);
    out
}

fn emit_ie(
    c: &crate::ie::IeCache,
    origin: &Origin,
    with_extra: bool,
    sink: &mut dyn FnMut(TimelineRow),
) {
    use crate::ie::{IeRecordKind, ft};
    for rec in &c.records {
        let mut r = base(origin);
        r.browser = "Internet Explorer".into();
        let visited = rec.visited();
        r.row_type = match (rec.kind, visited) {
            (IeRecordKind::Redirect, _) => "redirect",
            (_, Some(_)) => "url",
            _ => "cache",
        };
        r.timestamp = ft(rec.primary_time).or(ft(rec.secondary_time));
        r.timestamp_desc = if visited.is_some() {
            "Last Visited Time"
        } else {
            "Last Access Time"
        };
        r.data_type = "msiecf:url";
        r.url = visited
            .map(|(_, u)| u.to_string())
            .unwrap_or_else(|| rec.location.clone());
        r.user = visited.map(|(u, _)| u.to_string()).or(r.user);
        r.title = format!(
            "{:?}{}",
            rec.kind,
            if rec.allocated { "" } else { " (recovered)" }
        )
        .to_uppercase();
        r.value = match (&rec.cache_directory, &rec.file_name) {
            (Some(d), Some(f)) => format!("{d}\\{f}"),
            (None, Some(f)) => f.clone(),
            _ => String::new(),
        };
        r.visit_count = rec.hits.map(i64::from);
        r.end_time = None;
        if with_extra {
            let e = &mut r.extra;
            e.insert("offset".into(), json!(rec.offset));
            e.insert("record_type".into(), json!(rec.kind));
            e.insert("allocated".into(), json!(rec.allocated));
            e.insert("location".into(), json!(rec.location));
            e.insert(
                "primary_time".into(),
                json!(ft(rec.primary_time).map(format_iso_utc)),
            );
            e.insert("primary_time_raw".into(), raw(rec.primary_time));
            e.insert(
                "secondary_time".into(),
                json!(ft(rec.secondary_time).map(format_iso_utc)),
            );
            e.insert("secondary_time_raw".into(), raw(rec.secondary_time));
            e.insert(
                "expiration_local".into(),
                json!(rec.expiration.map(|t| t.to_string())),
            );
            e.insert(
                "last_checked_local".into(),
                json!(rec.last_checked.map(|t| t.to_string())),
            );
            e.insert("number_of_hits".into(), json!(rec.hits));
            e.insert("cached_file_name".into(), json!(rec.file_name));
            e.insert("cache_directory".into(), json!(rec.cache_directory));
            e.insert("cached_file_size".into(), json!(rec.cached_size));
        }
        sink(r);
    }
}

/// Rows for any parsed database.
pub fn rows(parsed: &Parsed, origin: &Origin) -> Vec<TimelineRow> {
    rows_with(parsed, origin, true)
}

/// [`rows`], optionally without [`TimelineRow::extra`] (the typed JSONL
/// fields).
pub fn rows_with(parsed: &Parsed, origin: &Origin, with_extra: bool) -> Vec<TimelineRow> {
    match parsed {
        Parsed::ChromiumHistory(h) => chromium_rows_with(h, origin, with_extra),
        Parsed::FirefoxPlaces(p) => firefox_places_rows_with(p, origin, with_extra),
        Parsed::FirefoxDownloads { downloads, .. } => {
            let mut r = firefox_download_rows_with(downloads, origin, with_extra);
            sort(&mut r);
            r
        }
        Parsed::IeCache(c) => ie_rows_with(c, origin, with_extra),
    }
}

/// Calls `sink` with every row of a parsed database, unsorted and without
/// collecting them (for streaming output of large histories).
pub fn for_each_row(
    parsed: &Parsed,
    origin: &Origin,
    with_extra: bool,
    sink: &mut dyn FnMut(TimelineRow),
) {
    match parsed {
        Parsed::ChromiumHistory(h) => emit_chromium(h, origin, with_extra, sink),
        Parsed::FirefoxPlaces(p) => emit_firefox_places(p, origin, with_extra, sink),
        Parsed::FirefoxDownloads { downloads, .. } => {
            emit_firefox_downloads(downloads, origin, with_extra, sink)
        }
        Parsed::IeCache(c) => emit_ie(c, origin, with_extra, sink),
    }
}

/// Sorts by time (rows without a time last), then type and id, so output
/// is stable.
pub fn sort(rows: &mut [TimelineRow]) {
    rows.sort_by(|a, b| {
        let key = |r: &TimelineRow| (r.timestamp.is_none(), r.timestamp);
        key(a)
            .cmp(&key(b))
            .then_with(|| a.row_type.cmp(b.row_type))
            .then_with(|| a.visit_id.cmp(&b.visit_id))
            .then_with(|| a.url.cmp(&b.url))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_formatters() {
        assert_eq!(duration(3_723_000_001), "1:02:03.000001");
        assert_eq!(duration(-5), "-0:00:00.000005");
        assert_eq!(
            download_status(Some(1), "complete", Some(5), Some(10)),
            "complete - 50% [5/10]"
        );
        assert_eq!(
            download_status(Some(0), "in progress", Some(5), Some(-1)),
            "in progress [5/?]"
        );
        assert_eq!(download_status(None, "", None, None), "");
        let z = DisplayZone::parse("+09:00").unwrap();
        let t: Timestamp = "2023-08-17T07:56:13.123456Z".parse().unwrap();
        assert_eq!(format_time(t, &z), "2023-08-17 16:56:13.123456");
        assert_eq!(csv_header(&z)[1], "Timestamp (+09:00)");
        assert_eq!(
            csv_header(&z).len(),
            TimelineRow::default().csv_record(&z).len()
        );
    }
}
