//! Serde helpers: `FileTime` renders as ISO 8601 UTC (`null` when 0 or out
//! of range); the raw ticks stay in the Rust structs.

use rift_io::time::{FileTime, format_iso_utc};
use serde::Serializer;

/// ISO 8601 text of a FILETIME, `None` for 0 / out of range.
pub fn iso(t: FileTime) -> Option<String> {
    t.to_timestamp().map(format_iso_utc)
}

pub(crate) fn filetime<S: Serializer>(t: &FileTime, s: S) -> Result<S::Ok, S::Error> {
    match iso(*t) {
        Some(v) => s.serialize_str(&v),
        None => s.serialize_none(),
    }
}

#[allow(dead_code)]
pub(crate) fn opt_filetime<S: Serializer>(t: &Option<FileTime>, s: S) -> Result<S::Ok, S::Error> {
    match t.and_then(iso) {
        Some(v) => s.serialize_str(&v),
        None => s.serialize_none(),
    }
}
