//! Windows Defender `DetectionHistory` files
//! (`ProgramData\Microsoft\Windows Defender\Scans\History\Service\DetectionHistory\<n>\<GUID>`):
//! one file per detection, naming the threat, the detected resources
//! (file, container file, web download with its URL and the downloading
//! process) and the times and accounts involved.
//!
//! Layout (no Microsoft documentation; read off the fixture and matching
//! community descriptions of the format): a stream of typed values, each
//! `u32 length, u32 type, data[length]`, padded to 8 bytes. Types seen:
//! 0x15 UTF-16 string, 0x06/0x05/0x00 u32, 0x08 u64, 0x0A FILETIME,
//! 0x1E GUID, 0x28 binary. Groups start with the string
//! `Magic.Version:1.2`; the first group holds the detection GUID and the
//! threat name, each later group a resource type (`file`,
//! `containerfile`, `webfile`, `process`, `regkey` …) and its path.
//! Fields are kept as the raw value list too, so nothing is lost when a
//! version adds some.

use rift_io::bytes::{le_u32, le_u64, slice, utf16le_lossy};
use rift_io::time::FileTime;

use crate::guid::Guid;
use crate::{Error, Result, Warning};

/// One typed value.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Value {
    /// Type 0x15.
    String(String),
    /// Types 0x00, 0x05, 0x06.
    U32(u32),
    /// Type 0x08.
    U64(u64),
    /// Type 0x0A.
    FileTime(FileTime),
    /// Type 0x1E.
    Guid(Guid),
    /// Type 0x28 and unknown types: raw bytes with the type.
    Bytes(u32, Vec<u8>),
}

/// A detected resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Resource type (`file`, `containerfile`, `webfile`, `process` …).
    pub kind: String,
    /// Its path; for `webfile`: `path|URL|pid:…,ProcessStart:…`.
    pub path: String,
}

/// A parsed DetectionHistory file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct DetectionHistory {
    /// The detection GUID (first GUID value).
    pub detection_id: Option<Guid>,
    /// Threat name, e.g. `Virus:DOS/EICAR_Test_File`.
    pub threat_name: Option<String>,
    /// Detected resources.
    pub resources: Vec<Resource>,
    /// Every FILETIME value, in order (detection / remediation times).
    pub times: Vec<FileTime>,
    /// Account-like strings (`DOMAIN\user`, `NT AUTHORITY\SYSTEM`) after
    /// the resources.
    pub accounts: Vec<String>,
    /// All values, in order.
    pub values: Vec<Value>,
    /// Problems.
    pub warnings: Vec<Warning>,
}

impl DetectionHistory {
    /// The URL of a `webfile` resource (the download origin).
    pub fn web_url(&self) -> Option<&str> {
        self.resources
            .iter()
            .find(|r| r.kind == "webfile")
            .and_then(|r| r.path.split('|').nth(1))
    }
}

const MAGIC: &str = "Magic.Version:";

/// Parses a DetectionHistory file.
pub fn parse_detection_history(bytes: &[u8]) -> Result<DetectionHistory> {
    let mut h = DetectionHistory::default();
    let mut pos = 0usize;
    // Each value takes at least 8 bytes: the loop ends with the data.
    while pos < bytes.len() {
        let (Some(len), Some(ty)) = (le_u32(bytes, pos), le_u32(bytes, pos + 4)) else {
            h.warnings.push(Warning {
                offset: pos as u64,
                message: format!("{} trailing bytes", bytes.len() - pos),
            });
            break;
        };
        let Some(data) = slice(bytes, pos + 8, len as usize) else {
            h.warnings.push(Warning {
                offset: pos as u64,
                message: format!("value of {len} bytes runs past the end"),
            });
            break;
        };
        let v = match (ty, len) {
            (0x15, _) => Value::String(utf16le_lossy(data).trim_end_matches('\0').to_string()),
            (0x00 | 0x05 | 0x06, 4) => Value::U32(le_u32(data, 0).unwrap_or(0)),
            (0x08, 8) => Value::U64(le_u64(data, 0).unwrap_or(0)),
            (0x0A, 8) => Value::FileTime(FileTime(le_u64(data, 0).unwrap_or(0))),
            (0x1E, 16) => Value::Guid(Guid::read(data, 0).unwrap_or_default()),
            _ => Value::Bytes(ty, data.to_vec()),
        };
        h.values.push(v);
        pos = (pos + 8 + len as usize).saturating_add(7) & !7;
    }
    if h.values.is_empty() {
        return Err(Error::BadSignature {
            what: "DetectionHistory value stream",
            offset: 0,
        });
    }
    if !h
        .values
        .iter()
        .any(|v| matches!(v, Value::String(s) if s.starts_with(MAGIC)))
    {
        return Err(Error::BadSignature {
            what: "DetectionHistory (no Magic.Version marker)",
            offset: 0,
        });
    }

    // Derived fields.
    let mut group = 0usize;
    let mut pending_kind: Option<String> = None;
    let mut after_resources = false;
    for v in &h.values {
        match v {
            Value::String(s) if s.starts_with(MAGIC) => {
                group += 1;
                pending_kind = None;
            }
            Value::String(s) if group == 1 && h.threat_name.is_none() => {
                h.threat_name = Some(s.clone())
            }
            Value::String(s) if group >= 2 && !after_resources => match pending_kind.take() {
                None => pending_kind = Some(s.clone()),
                Some(kind) => h.resources.push(Resource {
                    kind,
                    path: s.clone(),
                }),
            },
            Value::String(s) if after_resources && s.contains('\\') && !s.contains(':') => {
                h.accounts.push(s.clone())
            }
            Value::FileTime(t) => {
                after_resources = group >= 2;
                h.times.push(*t);
            }
            Value::Guid(g) if h.detection_id.is_none() => h.detection_id = Some(*g),
            _ => {}
        }
    }
    Ok(h)
}
