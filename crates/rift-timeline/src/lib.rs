//! Case database (SQLite), super-timeline rows and exports (CSV, JSONL, body
//! file).
//!
//! `rift analyze` writes everything it parses into one SQLite file,
//! `case.sqlite`, through [`CaseDb`]; detectors (`rift-triage`), reports and
//! a later web UI read it back with plain SQL. The schema (one table per
//! artifact family, a unified `timeline`, `findings`) is in
//! `migrations/NNNN_*.sql`, embedded and applied in order, and documented
//! column by column in `SCHEMA.md`.
//!
//! # Getting started
//!
//! ```
//! use rift_timeline::{CaseDb, DbTime, UsnRow};
//! use rift_io::time::FileTime;
//!
//! let mut db = CaseDb::open_in_memory()?;
//! let src = db.insert_source(&rift_timeline::SourceRow {
//!     kind: "usn".into(),
//!     path: Some(r"C:\$Extend\$UsnJrnl:$J".into()),
//!     ..Default::default()
//! })?;
//! db.insert_usn(&[UsnRow {
//!     source_id: Some(src),
//!     usn: Some(4_096),
//!     time: DbTime::from_filetime(FileTime(133_486_382_451_234_567)),
//!     entry: Some(42),
//!     seq: Some(2),
//!     name: Some("a.docx".into()),
//!     full_path: Some(r"C:\Users\u\Desktop\a.docx".into()),
//!     reasons: 0x100,
//!     reasons_text: Some("FileCreate".into()),
//!     ..Default::default()
//! }])?;
//! assert_eq!(db.build_timeline()?, 1);
//! let mut csv = Vec::new();
//! rift_timeline::export_csv(&db, &mut csv, &rift_io::time::DisplayZone::parse("+09:00").unwrap())?;
//! assert!(String::from_utf8_lossy(&csv).contains("2024-01-02T12:04:05.1234567+09:00"));
//! # Ok::<(), rift_timeline::Error>(())
//! ```
//!
//! # Design
//!
//! * **Neutral rows.** Each table has a plain struct (`MftRow`, `UsnRow`, …)
//!   with one field per column; the pipeline maps parser records to them,
//!   so this crate depends on no parser.
//! * **Time.** Every time column is [`DbTime`] text, ISO 8601 UTC with seven
//!   fractional digits and `Z`; `timeline.ts` is Unix microseconds.
//! * **Speed.** [`CaseDb::insert`] binds a cached prepared statement inside
//!   one transaction per batch; with WAL and `synchronous=NORMAL` this
//!   sustains several hundred thousand rows per second.
//! * **Re-runs.** [`CaseDb::create`] refuses an existing file; `rift
//!   analyze --force` removes the case folder first. [`CaseDb::open`]
//!   upgrades an older schema and refuses a newer one.
//! * **Timeline.** [`CaseDb::build_timeline`] derives the `timeline` table
//!   from all artifact tables in SQL, each event linking back to its row.
//! * **Order of a pipeline run:** `create` → inserts → `build_timeline` →
//!   `finish` (builds the deferred indexes) → detectors and exports (the
//!   exports walk the `timeline_ts` index, so they stream without sorting).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

mod db;
mod export;
mod rows;
pub mod sample;
pub mod time;
mod timeline;

use std::path::PathBuf;

pub use db::{CaseDb, MIGRATIONS, SCHEMA_VERSION, SUGGESTED_BATCH, TABLES};
pub use export::{CSV_HEADER, export_bodyfile, export_csv, export_jsonl, format_iso7};
pub use rows::*;
pub use time::DbTime;

/// Errors of the case database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// SQLite failed.
    #[error("case database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A migration failed.
    #[error("case database migration {version} failed: {source}")]
    Migration {
        /// Schema version the migration would have produced.
        version: u32,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// `create` found an existing file.
    #[error("case database {} already exists", .0.display())]
    Exists(PathBuf),
    /// `open` found no file.
    #[error("case database {} not found", .0.display())]
    NotFound(PathBuf),
    /// The database was written by a newer rift.
    #[error("case database schema version {found} is newer than this rift supports ({supported})")]
    SchemaTooNew {
        /// Version found.
        found: u32,
        /// Newest version this build knows.
        supported: u32,
    },
    /// Not a table of the schema.
    #[error("unknown table {0:?}")]
    UnknownTable(String),
    /// Writing an export failed.
    #[error("export: {0}")]
    Io(#[from] std::io::Error),
    /// Writing CSV failed.
    #[error("CSV export: {0}")]
    Csv(#[from] csv::Error),
    /// Writing JSON failed.
    #[error("JSON export: {0}")]
    Json(#[from] serde_json::Error),
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Serialises a list or object to the JSON text stored in JSON columns
/// (`prefetch.files`, `browser_downloads.url_chain`, …).
pub fn json_text<T: serde::Serialize + ?Sized>(v: &T) -> Option<String> {
    serde_json::to_string(v).ok()
}
