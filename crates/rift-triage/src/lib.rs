//! Incident detectors over the case database (ransomware, initial access,
//! defence evasion) and the reports built from their findings.
//!
//! # Use
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let db = rift_timeline::CaseDb::open("case/case.sqlite")?;
//! let findings = rift_triage::run_all(&db)?;
//! let tz = rift_io::time::DisplayZone::parse("+09:00")?;
//! rift_triage::write_reports(std::path::Path::new("case"), &findings, &tz)?;
//! println!("{}", rift_triage::report::keeper(&findings, &tz));
//! # Ok(()) }
//! ```
//!
//! [`run_all`] reads only the case database (no parser crate): the journal
//! (`usn`) for the encryption burst, every execution artifact for the
//! responsible program, browser downloads and `Zone.Identifier` streams for
//! the initial access, registry/event-log tables for defence evasion. Each
//! answer carries a confidence and an evidence list pointing at table rows.
//! Detector thresholds are named constants in each module, with the reason
//! for their value. Nothing in the rules names a particular case's files,
//! users, extensions or URLs.
//!
//! Optional two-step use: [`files_of_interest`] returns the ransom-note and
//! encrypted-file paths worth sampling; the pipeline reads their first bytes
//! into `file_samples` (entropy + text, see `rift_timeline::sample`) and then
//! calls [`run_all`], which adds the note text and the entropy to the answer.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod evasion;
pub mod exec;
pub mod fsevents;
pub mod initial_access;
pub mod model;
pub mod ransomware;
pub mod report;
mod util;

use std::path::Path;

use rift_io::time::DisplayZone;
use rift_timeline::{CaseDb, DbTime, FindingRow};
use serde_json::{Map, Value};

pub use model::*;

/// Errors of the detectors and reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The case database failed.
    #[error(transparent)]
    Db(#[from] rift_timeline::Error),
    /// A query failed.
    #[error("case database query: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// Writing a report failed.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        source: std::io::Error,
    },
    /// (De)serialising findings failed.
    #[error("findings JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A file the detectors would like sampled (first bytes → `file_samples`).
#[derive(Debug, Clone, PartialEq)]
pub struct FileOfInterest {
    /// Volume id.
    pub volume_id: i64,
    /// MFT entry, when known.
    pub entry: Option<i64>,
    /// Sequence number, when known.
    pub seq: Option<i64>,
    /// Full path.
    pub path: String,
}

/// The ransom-note copies and a few encrypted files of the burst, if any.
pub fn files_of_interest(db: &CaseDb) -> Result<Vec<FileOfInterest>> {
    let fs = fsevents::FsHistory::load(db)?;
    let execs = exec::collect(db, &fs)?;
    let r = ransomware::detect(db, &fs, &execs)?;
    Ok(r.sample_paths
        .into_iter()
        .map(|(id, path)| FileOfInterest {
            volume_id: id.map(|f| f.vol).unwrap_or(0),
            entry: id.map(|f| f.entry),
            seq: id.map(|f| f.seq),
            path,
        })
        .collect())
}

fn image_info(db: &CaseDb) -> Result<Value> {
    let mut m = Map::new();
    for (k, v) in db.infos()? {
        if let Some(key) = k.strip_prefix("image.") {
            let val = match v.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => v
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| Value::String(v.clone())),
            };
            m.insert(key.to_string(), val);
        }
    }
    Ok(Value::Object(m))
}

/// Runs every detector and stores the findings in the `findings` table.
/// Needs only read access plus that one table.
pub fn run_all(db: &CaseDb) -> Result<Findings> {
    let mut f = analyze(db)?;
    f.timeline_excerpt = report::excerpt(db, &f)?;
    store(db, &f)?;
    Ok(f)
}

/// Runs every detector without writing to the database.
pub fn analyze(db: &CaseDb) -> Result<Findings> {
    let fs = fsevents::FsHistory::load(db)?;
    let execs = exec::collect(db, &fs)?;
    let r = ransomware::detect(db, &fs, &execs)?;
    let incident = r.window.map(|(s, _)| initial_access::Incident {
        burst_start: s,
        payload: r.payload.as_deref(),
        payload_path: r.payload_path.as_deref(),
        payload_dropped: r.payload_dropped,
        payload_started: r.payload_started,
    });
    let ia = initial_access::detect(db, &fs, &execs, incident)?;
    let mut findings = Vec::new();
    for (ext, n, s, e, content) in &r.other_bursts {
        let (title, what, conf, sev) = if *content {
            (
                format!("Another mass-change burst ({ext})"),
                "got the suffix and their content was rewritten",
                0.4,
                "medium",
            )
        } else {
            (
                format!("Mass rename ({ext})"),
                "were renamed with the suffix, content unchanged (a user or a tool renaming files)",
                0.2,
                "low",
            )
        };
        findings.push(Finding {
            detector: "ransomware_burst".into(),
            category: "ransomware".into(),
            title,
            confidence: conf,
            severity: sev.into(),
            time: util::z_us(*s),
            summary: format!(
                "{n} files {what} {ext}, between {} and {}.",
                util::z_us(*s).unwrap_or_default(),
                util::z_us(*e).unwrap_or_default()
            ),
            evidence: Vec::new(),
        });
    }
    findings.extend(evasion::detect(db, &fs, r.window, &r.consumed_deletes)?);
    let display = db.info("timezone.display")?.unwrap_or_else(|| "UTC".into());
    Ok(Findings {
        schema: SCHEMA.into(),
        image: image_info(db)?,
        timezone: TimezoneInfo {
            display,
            system: db.info("timezone.system")?,
        },
        ransomware: r.answer,
        initial_access: ia,
        findings,
        timeline_excerpt: Vec::new(),
    })
}

fn store(db: &CaseDb, f: &Findings) -> Result<()> {
    let mut rows = Vec::new();
    let ev = |e: &[Evidence]| serde_json::to_string(e).ok();
    if f.ransomware.detected {
        let r = &f.ransomware;
        rows.push(FindingRow {
            detector: "ransomware".into(),
            category: "ransomware".into(),
            title: format!(
                "Ransomware: {} files encrypted ({})",
                r.encrypted_count,
                r.extension.as_deref().unwrap_or("?")
            ),
            confidence: Some(r.confidence),
            severity: Some("critical".into()),
            time: r.infection_time.as_deref().and_then(DbTime::parse),
            summary: Some(report::ransomware_sentence(r)),
            evidence: ev(&r.evidence),
        });
    }
    if f.initial_access.detected {
        let i = &f.initial_access;
        rows.push(FindingRow {
            detector: "initial_access".into(),
            category: "initial_access".into(),
            title: "Initial access: downloaded program executed".into(),
            confidence: Some(i.confidence),
            severity: Some("high".into()),
            time: i.executed.as_deref().and_then(DbTime::parse),
            summary: Some(report::initial_access_sentence(i)),
            evidence: ev(&i.evidence),
        });
    }
    for x in &f.findings {
        rows.push(FindingRow {
            detector: x.detector.clone(),
            category: x.category.clone(),
            title: x.title.clone(),
            confidence: Some(x.confidence),
            severity: Some(x.severity.clone()),
            time: x.time.as_deref().and_then(DbTime::parse),
            summary: Some(x.summary.clone()),
            evidence: ev(&x.evidence),
        });
    }
    let conn = db.conn();
    conn.execute("DELETE FROM findings", [])?;
    let mut st = conn.prepare(
        "INSERT INTO findings (detector, category, title, confidence, severity, time, summary, evidence)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for r in rows {
        st.execute(rusqlite::params![
            r.detector,
            r.category,
            r.title,
            r.confidence,
            r.severity,
            r.time,
            r.summary,
            r.evidence
        ])?;
    }
    Ok(())
}

/// Writes `findings.json`, `report.md` and `report.html` into `dir`.
pub fn write_reports(dir: &Path, findings: &Findings, tz: &DisplayZone) -> Result<()> {
    let write = |name: &str, text: String| -> Result<()> {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|source| Error::Io {
            path: p.display().to_string(),
            source,
        })
    };
    write("findings.json", report::json(findings)?)?;
    write("report.md", report::markdown(findings, tz))?;
    write("report.html", report::html(findings, tz))?;
    Ok(())
}

/// Reads `findings.json` back.
pub fn read_findings(path: &Path) -> Result<Findings> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    Ok(serde_json::from_str(&text)?)
}
