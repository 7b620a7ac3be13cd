//! The findings document (`findings.json`, schema `rift.findings/1`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Schema id written into `findings.json`.
pub const SCHEMA: &str = "rift.findings/1";

/// One piece of evidence: where it is (table + row id, or offset), when, and
/// what it says.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Artifact family (`usn`, `prefetch`, `bam`, `evtx`, …).
    pub artifact: String,
    /// Case database table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Row id in that table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// Byte offset / USN / record number in the source artifact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
    /// UTC time (`…Z`), when the evidence has one.
    pub time: Option<String>,
    /// Short text.
    pub text: String,
}

/// A file name and its full path.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileRef {
    /// File name.
    pub name: String,
    /// Full path (`C:\…`), when known.
    pub path: Option<String>,
}

/// A file at a time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileAt {
    /// File name.
    pub name: String,
    /// Full path.
    pub path: Option<String>,
    /// UTC time (`…Z`).
    pub time: Option<String>,
}

/// The ransomware answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ransomware {
    /// A mass-encryption burst was found.
    pub detected: bool,
    /// Confidence 0..1.
    pub confidence: f64,
    /// The extension the encrypted files got (`.xyz`).
    pub extension: Option<String>,
    /// Ransom note file name (the one in the most folders).
    pub ransom_note: Option<String>,
    /// Every ransom-note name (the main one first; companions such as the
    /// same stem in another format follow).
    #[serde(default)]
    pub ransom_notes: Vec<String>,
    /// Encrypted-file count.
    pub encrypted_count: u64,
    /// The first encrypted file (original name and path); `time` is the
    /// infection time.
    pub first_encrypted: Option<FileAt>,
    /// Infection time: the first journal record of the first encrypted file (UTC).
    pub infection_time: Option<String>,
    /// The executable responsible.
    pub infecting_file: Option<FileRef>,
    /// `copy_delete` (new file written, original deleted), `rename`
    /// (original overwritten and renamed) or `mixed`.
    pub style: Option<String>,
    /// Ransom note written `before` or `after` the files of its folder, or `mixed`.
    pub note_timing: Option<String>,
    /// Text of the ransom note, when the pipeline sampled it.
    pub note_text: Option<String>,
    /// Folders holding a note.
    pub note_count: u64,
    /// Burst start (UTC).
    pub burst_start: Option<String>,
    /// Burst end (UTC).
    pub burst_end: Option<String>,
    /// Distinct folders with encrypted files.
    pub folders: u64,
    /// Users whose profiles hold encrypted files.
    pub users: Vec<String>,
    /// The other candidate executables, best first, with their scores.
    pub candidates: Vec<Value>,
    /// Evidence trail.
    pub evidence: Vec<Evidence>,
}

/// The initial-access answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InitialAccess {
    /// A download that fits was found.
    pub detected: bool,
    /// Confidence 0..1.
    pub confidence: f64,
    /// The URL the file came from (last hop of the redirect chain).
    pub download_url: Option<String>,
    /// The whole URL chain (first request … final URL).
    pub url_chain: Vec<String>,
    /// Referrer page.
    pub referrer: Option<String>,
    /// The downloaded file.
    pub downloaded_file: Option<FileRef>,
    /// Download start (UTC).
    pub download_time: Option<String>,
    /// Download end (UTC).
    pub download_end: Option<String>,
    /// Execution time (UTC): Prefetch last run before the incident, else
    /// BAM / UserAssist / 4688 / Sysmon 1.
    pub executed: Option<String>,
    /// Zone.Identifier HostUrl of the file, when found.
    pub zone_host_url: Option<String>,
    /// Executables it dropped (created after it ran).
    pub dropped: Vec<FileAt>,
    /// Evidence trail.
    pub evidence: Vec<Evidence>,
}

/// Any other finding (defence evasion, persistence, …).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Detector id.
    pub detector: String,
    /// `ransomware`, `initial_access`, `defense_evasion`, `malware`, `persistence`, `execution`.
    pub category: String,
    /// Title.
    pub title: String,
    /// Confidence 0..1.
    pub confidence: f64,
    /// `high`, `medium`, `low`, `info`.
    pub severity: String,
    /// Key time (UTC).
    pub time: Option<String>,
    /// One-paragraph summary.
    pub summary: String,
    /// Evidence trail.
    pub evidence: Vec<Evidence>,
}

/// Time zones of the case.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TimezoneInfo {
    /// Display zone of reports (`+09:00`, `Asia/Seoul`, `UTC`).
    pub display: String,
    /// The machine's own zone (`TimeZoneKeyName`), if known.
    pub system: Option<String>,
}

/// One line of the timeline excerpt around the incident.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExcerptRow {
    /// UTC time.
    pub time: String,
    /// Timeline source.
    pub source: String,
    /// Artifact.
    pub artifact: Option<String>,
    /// What the time means.
    pub timestamp_desc: Option<String>,
    /// Message.
    pub message: String,
    /// Source table.
    pub src_table: Option<String>,
    /// Source row id.
    pub src_id: Option<i64>,
}

/// Everything `run_all` found: the `findings.json` document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Findings {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Image facts (from the case's `image.*` keys): path, format, verified, …
    pub image: Value,
    /// Time zones.
    pub timezone: TimezoneInfo,
    /// Ransomware answer.
    pub ransomware: Ransomware,
    /// Initial-access answer.
    pub initial_access: InitialAccess,
    /// Every other finding.
    pub findings: Vec<Finding>,
    /// Timeline events around the incident (for the reports).
    #[serde(default)]
    pub timeline_excerpt: Vec<ExcerptRow>,
}
