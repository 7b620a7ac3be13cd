//! Browser history and downloads: Chromium family (Chrome, Edge, Brave,
//! Opera, Vivaldi, Chromium) and Firefox.
//!
//! Browsers keep their history in SQLite databases. This crate takes the
//! **bytes** of a database (plus its `-wal` / `-journal` companions when the
//! caller has them), writes them into a private temporary folder, opens that
//! copy with the SQLite bundled in `rusqlite` and removes the folder
//! afterwards — evidence is never opened in place, and nothing is written
//! beside it. Input that is not a database gives an [`Error`], never a
//! panic; rows that cannot be read become [`Warning`]s next to the rows
//! that can.
//!
//! Why `rusqlite` and not our own page parser: SQLite's own code is the
//! reference reader (it replays the WAL, rolls back hot journals and is
//! fuzzed continuously); a page-level reader would only add value for
//! recovering *deleted* rows, which is out of scope here.
//!
//! # Entry points
//!
//! * [`parse_chromium_history`] — `History` of any Chromium browser and any
//!   schema version: [`ChromiumHistory`] with visits (decoded
//!   [`Transition`]s), downloads with the full URL chain, search terms.
//! * [`parse_firefox_places`] / [`parse_firefox_downloads`] — Firefox
//!   history and downloads (annotations or legacy `downloads.sqlite`).
//! * [`ie::parse_ie_index`] — Internet Explorer `index.dat` (history and
//!   cache indexes, records in unallocated blocks recovered).
//! * [`parse_database`] — sniffs which of the above a file is.
//! * [`timeline`] — Hindsight-like timeline rows and Timesketch JSONL
//!   events built from the parsed records.
//! * [`Origin::from_path`] — browser, profile and user from a path such
//!   as `Users\jo\AppData\Local\Google\Chrome\User Data\Default\History`.
//!
//! ```
//! // Garbage is an error, not a panic.
//! assert!(rift_browser::parse_database(&[0u8; 4096], None, None, &Default::default()).is_err());
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod chromium;
pub mod chromium_codes;
mod error;
pub mod firefox;
pub mod ie;
mod origin;
mod sqlite;
pub mod timeline;

use jiff::Timestamp;
use serde::Serialize;

pub use chromium::{
    ChromiumHistory, Download, SearchTerm, UrlRecord, Visit, parse_chromium_history,
    parse_chromium_history_with_journal,
};
pub use chromium_codes::{Transition, TransitionQualifiers};
pub use error::{Error, Result};
pub use firefox::{
    FirefoxDownload, FirefoxDownloadSource, FirefoxPlaces, FirefoxVisit, parse_firefox_downloads,
    parse_firefox_places,
};
pub use origin::{Browser, DbKind, Origin};
pub use sqlite::{SQLITE_MAGIC, is_sqlite};

/// How a raw time value was encoded in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Epoch {
    /// Microseconds since 1601-01-01 UTC (Chromium `base::Time`, "WebKit").
    WebkitMicros,
    /// Seconds since 1970-01-01 UTC (old Chromium `downloads`).
    UnixSeconds,
    /// Milliseconds since 1970-01-01 UTC (JavaScript `Date`).
    UnixMillis,
    /// Microseconds since 1970-01-01 UTC (Firefox PRTime).
    UnixMicros,
    /// 100 ns ticks since 1601-01-01 UTC (Windows `FILETIME`).
    FileTime,
}

/// A time read from a database: the raw integer, how it was read, and the
/// UTC timestamp. Zero ("not set") and out-of-range values have no
/// `RawTime` at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct RawTime {
    /// The stored integer.
    pub raw: i64,
    /// Its encoding.
    pub epoch: Epoch,
    /// The instant, UTC.
    pub time: Timestamp,
}

impl RawTime {
    /// A WebKit (Chromium) time; `None` for 0 or out of range.
    pub fn webkit(raw: i64) -> Option<RawTime> {
        Self::make(raw, Epoch::WebkitMicros, rift_io::time::webkit_micros(raw))
    }

    /// Unix seconds; `None` for 0 or out of range.
    pub fn unix_seconds(raw: i64) -> Option<RawTime> {
        Self::make(raw, Epoch::UnixSeconds, rift_io::time::unix_seconds(raw))
    }

    /// Unix milliseconds; `None` for 0 or out of range.
    pub fn unix_millis(raw: i64) -> Option<RawTime> {
        let ts = if raw == 0 {
            None
        } else {
            Timestamp::from_millisecond(raw).ok()
        };
        Self::make(raw, Epoch::UnixMillis, ts)
    }

    /// Firefox PRTime (Unix microseconds); `None` for 0 or out of range.
    pub fn unix_micros(raw: i64) -> Option<RawTime> {
        Self::make(raw, Epoch::UnixMicros, rift_io::time::unix_micros(raw))
    }

    /// A Windows `FILETIME`; `None` for 0 or out of range.
    pub fn filetime(raw: u64) -> Option<RawTime> {
        let signed = i64::try_from(raw).ok()?;
        Self::make(
            signed,
            Epoch::FileTime,
            rift_io::time::FileTime(raw).to_timestamp(),
        )
    }

    fn make(raw: i64, epoch: Epoch, ts: Option<Timestamp>) -> Option<RawTime> {
        // Negative values are never meaningful here (Chromium writes 0 for
        // "unset"), and would land before the epoch.
        if raw <= 0 {
            return None;
        }
        ts.map(|time| RawTime { raw, epoch, time })
    }
}

/// A row or table that could not be read; the rest of the database was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Warning {
    /// The table.
    pub table: String,
    /// The row id, when known.
    pub row_id: Option<i64>,
    /// What was wrong.
    pub message: String,
}

impl Warning {
    pub(crate) fn row(table: &str, row_id: Option<i64>, message: &str) -> Warning {
        Warning {
            table: table.to_string(),
            row_id,
            message: message.to_string(),
        }
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row_id {
            Some(id) => write!(f, "{} row {}: {}", self.table, id, self.message),
            None => write!(f, "{}: {}", self.table, self.message),
        }
    }
}

/// A parsed browser database of any supported kind.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Parsed {
    /// A Chromium `History`.
    ChromiumHistory(ChromiumHistory),
    /// A Firefox `places.sqlite`.
    FirefoxPlaces(FirefoxPlaces),
    /// A legacy Firefox `downloads.sqlite`.
    FirefoxDownloads {
        /// The downloads.
        downloads: Vec<FirefoxDownload>,
        /// Unreadable rows.
        warnings: Vec<Warning>,
    },
    /// An Internet Explorer `index.dat`.
    IeCache(ie::IeCache),
}

impl Parsed {
    /// The warnings of whichever kind this is.
    pub fn warnings(&self) -> &[Warning] {
        match self {
            Parsed::ChromiumHistory(h) => &h.warnings,
            Parsed::FirefoxPlaces(p) => &p.warnings,
            Parsed::FirefoxDownloads { warnings, .. } => warnings,
            Parsed::IeCache(c) => &c.warnings,
        }
    }
}

/// Opens any supported browser database and parses it according to the
/// tables it has (not its file name): `urls` + `visits` → Chromium
/// History, `moz_places` + `moz_historyvisits` → Firefox places,
/// `moz_downloads` → legacy Firefox downloads. An Internet Explorer
/// `index.dat` (by its signature) is parsed too. `origin.profile` labels
/// the result.
pub fn parse_database(
    db: &[u8],
    wal: Option<&[u8]>,
    journal: Option<&[u8]>,
    origin: &Origin,
) -> Result<Parsed> {
    if ie::is_msiecf(db) {
        return ie::parse_ie_index(db).map(Parsed::IeCache);
    }
    let copy = sqlite::DbCopy::open(db, wal, journal)?;
    let tables = copy.tables()?;
    let label = origin.label();
    if tables.contains("urls") && tables.contains("visits") {
        return chromium::read_history(&copy, &label).map(Parsed::ChromiumHistory);
    }
    if tables.contains("moz_places") && tables.contains("moz_historyvisits") {
        return firefox::read_places(&copy, &label).map(Parsed::FirefoxPlaces);
    }
    if tables.contains("moz_downloads") {
        let (downloads, warnings) = firefox::read_legacy_downloads(&copy)?;
        return Ok(Parsed::FirefoxDownloads {
            downloads,
            warnings,
        });
    }
    Err(Error::Unrecognised {
        tables: tables.into_iter().collect::<Vec<_>>().join(", "),
    })
}
