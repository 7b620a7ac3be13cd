//! EvtxECmd's output layouts: the CSV Timeline Explorer recognises, and a
//! JSON-lines form with the same field names.
//!
//! CSV conventions of the EZ tools: UTF-8 with BOM, CRLF, the header below
//! exactly, times as `yyyy-MM-dd HH:mm:ss.fffffff` UTC, booleans
//! `True`/`False`, empty cells where there is no value.
//!
//! Column meanings: `RecordNumber` is the record header's number,
//! `EventRecordId` the XML's `EventRecordID`; `TimeCreated` is
//! `System/TimeCreated/@SystemTime` (the header's time when absent);
//! `Level` is the level's name (`LogAlways`, `Critical`, `Error`,
//! `Warning`, `Info`, `Verbose`); `Keywords` is the raw `0x…` mask;
//! `ChunkNumber` is 0-based; `HiddenRecord` is `True` for records found
//! hidden inside another record and for records carved from unused chunk
//! space (`--recover`) — both are records Windows itself no longer shows;
//! `ExtraDataOffset` is, for a record that hides another, where in it the
//! hidden one starts (else 0); `Payload` is the `EventData`/`UserData` JSON
//! (see [`crate::payload`]).
//!
//! Sources: `../shared/docs/FORMATS.md` (header, conventions); EvtxECmd
//! `Program.cs` (column order, `--dt` default format).

use std::borrow::Cow;
use std::io::{self, Write};

use rift_io::time::{format_ez, format_iso_utc};

use crate::record::EventRecord;

/// The EvtxECmd CSV header, in order.
pub const CSV_HEADER: [&str; 27] = [
    "RecordNumber",
    "EventRecordId",
    "TimeCreated",
    "EventId",
    "Level",
    "Provider",
    "Channel",
    "ProcessId",
    "ThreadId",
    "Computer",
    "ChunkNumber",
    "UserId",
    "MapDescription",
    "UserName",
    "RemoteHost",
    "PayloadData1",
    "PayloadData2",
    "PayloadData3",
    "PayloadData4",
    "PayloadData5",
    "PayloadData6",
    "ExecutableInfo",
    "HiddenRecord",
    "SourceFile",
    "Keywords",
    "ExtraDataOffset",
    "Payload",
];

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

fn boolean(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// `Keywords` as Windows renders it: `0x` and the hex digits, unpadded.
pub fn keywords_text(k: Option<u64>) -> String {
    k.map(|k| format!("{k:#x}")).unwrap_or_default()
}

fn b(s: &str) -> Cow<'_, str> {
    Cow::Borrowed(s)
}

/// The 27 cells of one record's CSV row (text fields borrowed).
pub fn csv_row(r: &EventRecord) -> [Cow<'_, str>; 27] {
    let m = &r.mapped;
    let [p1, p2, p3, p4, p5, p6] = &m.payload_data;
    [
        Cow::Owned(r.record_number.to_string()),
        Cow::Owned(opt(r.event_record_id)),
        Cow::Owned(r.time().map(format_ez).unwrap_or_default()),
        Cow::Owned(opt(r.event_id)),
        Cow::Owned(r.level_text()),
        b(&r.provider),
        b(&r.channel),
        Cow::Owned(opt(r.process_id)),
        Cow::Owned(opt(r.thread_id)),
        b(&r.computer),
        Cow::Owned(r.chunk_number.to_string()),
        b(r.user_id.as_deref().unwrap_or_default()),
        b(&m.map_description),
        b(&m.user_name),
        b(&m.remote_host),
        b(p1),
        b(p2),
        b(p3),
        b(p4),
        b(p5),
        b(p6),
        b(&m.executable_info),
        b(boolean(r.hidden || r.recovered)),
        b(&r.source),
        Cow::Owned(keywords_text(r.keywords)),
        Cow::Owned(r.extra_data_offset.to_string()),
        b(&r.payload),
    ]
}

/// Writes EvtxECmd CSV: BOM and header first, one row per record, CRLF.
pub struct CsvWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the BOM and the header.
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all(b"\xEF\xBB\xBF")?;
        let mut inner = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        inner.write_record(CSV_HEADER).map_err(to_io)?;
        Ok(CsvWriter { inner })
    }

    /// Writes one record.
    pub fn write(&mut self, r: &EventRecord) -> io::Result<()> {
        self.inner
            .write_record(csv_row(r).iter().map(|c| c.as_bytes()))
            .map_err(to_io)
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

fn to_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// One record as a JSON object: the CSV's column names (with typed
/// numbers and booleans, `TimeCreated` in ISO 8601 UTC), `Payload` as the
/// JSON object itself, plus `FileOffset`, `Recovered`, `Hidden`,
/// `LevelValue`, `Task`, `Opcode`, `ProviderGuid`, `ActivityId`,
/// `TimeWritten` and `Xml` (when kept).
pub fn json_value(r: &EventRecord) -> serde_json::Value {
    use serde_json::{Value, json};
    let m = &r.mapped;
    let s = |x: &str| {
        if x.is_empty() {
            Value::Null
        } else {
            Value::String(x.to_owned())
        }
    };
    let payload: Value = serde_json::from_str(&r.payload).unwrap_or(Value::Null);
    json!({
        "RecordNumber": r.record_number,
        "EventRecordId": r.event_record_id,
        "TimeCreated": r.time().map(format_iso7),
        "TimeWritten": r.written.map(format_iso7),
        "EventId": r.event_id,
        "Level": s(&r.level_text()),
        "LevelValue": r.level,
        "Provider": s(&r.provider),
        "ProviderGuid": r.provider_guid,
        "Channel": s(&r.channel),
        "ProcessId": r.process_id,
        "ThreadId": r.thread_id,
        "Computer": s(&r.computer),
        "ChunkNumber": r.chunk_number,
        "FileOffset": r.file_offset,
        "UserId": r.user_id,
        "ActivityId": r.activity_id,
        "Task": r.task,
        "Opcode": r.opcode,
        "MapDescription": s(&m.map_description),
        "UserName": s(&m.user_name),
        "RemoteHost": s(&m.remote_host),
        "PayloadData1": s(&m.payload_data[0]),
        "PayloadData2": s(&m.payload_data[1]),
        "PayloadData3": s(&m.payload_data[2]),
        "PayloadData4": s(&m.payload_data[3]),
        "PayloadData5": s(&m.payload_data[4]),
        "PayloadData6": s(&m.payload_data[5]),
        "ExecutableInfo": s(&m.executable_info),
        "HiddenRecord": r.hidden || r.recovered,
        "Hidden": r.hidden,
        "Recovered": r.recovered,
        "SourceFile": &*r.source,
        "Keywords": s(&keywords_text(r.keywords)),
        "ExtraDataOffset": r.extra_data_offset,
        "Payload": payload,
        "Xml": r.xml,
    })
}

/// ISO 8601 UTC with FILETIME precision: `2016-07-08T18:12:51.6816408Z`.
pub fn format_iso7(ts: jiff::Timestamp) -> String {
    // format_iso_utc gives microseconds; append the 100 ns digit.
    let base = format_iso_utc(ts);
    let tick = (ts.subsec_nanosecond().rem_euclid(1000)) / 100;
    match base.strip_suffix('Z') {
        Some(b) => format!("{b}{tick}Z"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn header_bom_crlf_and_booleans() {
        let mut r = EventRecord::bare(Arc::from("C:\\x.evtx"), 7, None);
        r.mapped.payload_data[0] = "a,b".into();
        r.hidden = true;
        let mut w = CsvWriter::new(Vec::new()).unwrap();
        w.write(&r).unwrap();
        let out = String::from_utf8(w.finish().unwrap()).unwrap();
        let (head, rest) = out.split_once("\r\n").unwrap();
        assert_eq!(head, format!("\u{feff}{}", CSV_HEADER.join(",")));
        assert_eq!(
            rest,
            "7,,,,,,,,,,0,,,,,\"a,b\",,,,,,,True,C:\\x.evtx,,0,\r\n"
        );
    }

    #[test]
    fn iso7() {
        let ts: jiff::Timestamp = "2016-07-08T18:12:51.6816408Z".parse().unwrap();
        assert_eq!(format_iso7(ts), "2016-07-08T18:12:51.6816408Z");
        assert_eq!(
            keywords_text(Some(0x8020_0000_0000_0000)),
            "0x8020000000000000"
        );
        assert_eq!(keywords_text(Some(0x80_0000_0000_0000)), "0x80000000000000");
    }
}
