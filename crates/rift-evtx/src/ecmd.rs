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

/// One record as a JSON object (one line, no newline): the CSV's column
/// names (with typed numbers and booleans, `TimeCreated` in ISO 8601 UTC),
/// `Payload` as the JSON object itself, plus `FileOffset`, `Recovered`,
/// `Hidden`, `LevelValue`, `Task`, `Opcode`, `ProviderGuid`, `ActivityId`,
/// `TimeWritten` and `Xml` (when kept). Empty text is `null`.
pub fn json_line(r: &EventRecord) -> String {
    let m = &r.mapped;
    let mut j = JsonObj::new(512 + r.payload.len());
    j.num("RecordNumber", Some(r.record_number));
    j.num("EventRecordId", r.event_record_id);
    j.str(
        "TimeCreated",
        &r.time().map(format_iso7).unwrap_or_default(),
    );
    j.str(
        "TimeWritten",
        &r.written.map(format_iso7).unwrap_or_default(),
    );
    j.num("EventId", r.event_id.map(u64::from));
    j.str("Level", &r.level_text());
    j.num("LevelValue", r.level.map(u64::from));
    j.str("Provider", &r.provider);
    j.str(
        "ProviderGuid",
        r.provider_guid.as_deref().unwrap_or_default(),
    );
    j.str("Channel", &r.channel);
    j.num("ProcessId", r.process_id.map(u64::from));
    j.num("ThreadId", r.thread_id.map(u64::from));
    j.str("Computer", &r.computer);
    j.num("ChunkNumber", Some(r.chunk_number));
    j.num("FileOffset", Some(r.file_offset));
    j.str("UserId", r.user_id.as_deref().unwrap_or_default());
    j.str("ActivityId", r.activity_id.as_deref().unwrap_or_default());
    j.num("Task", r.task.map(u64::from));
    j.num("Opcode", r.opcode.map(u64::from));
    j.str("MapDescription", &m.map_description);
    j.str("UserName", &m.user_name);
    j.str("RemoteHost", &m.remote_host);
    for (i, p) in m.payload_data.iter().enumerate() {
        j.str(PAYLOAD_KEYS.get(i).copied().unwrap_or("PayloadData"), p);
    }
    j.str("ExecutableInfo", &m.executable_info);
    j.bool("HiddenRecord", r.hidden || r.recovered);
    j.bool("Hidden", r.hidden);
    j.bool("Recovered", r.recovered);
    j.str("SourceFile", &r.source);
    j.str("Keywords", &keywords_text(r.keywords));
    j.num("ExtraDataOffset", Some(r.extra_data_offset));
    // Our own JSON, already valid; `null` when there is no payload.
    j.key("Payload");
    j.out.push_str(if r.payload.is_empty() {
        "null"
    } else {
        &r.payload
    });
    j.str("Xml", r.xml.as_deref().unwrap_or_default());
    j.finish()
}

const PAYLOAD_KEYS: [&str; 6] = [
    "PayloadData1",
    "PayloadData2",
    "PayloadData3",
    "PayloadData4",
    "PayloadData5",
    "PayloadData6",
];

/// A JSON object written field by field.
struct JsonObj {
    out: String,
    first: bool,
}

impl JsonObj {
    fn new(cap: usize) -> Self {
        let mut out = String::with_capacity(cap);
        out.push('{');
        JsonObj { out, first: true }
    }

    fn key(&mut self, k: &str) {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        crate::payload::push_str(&mut self.out, k);
        self.out.push(':');
    }

    fn str(&mut self, k: &str, v: &str) {
        self.key(k);
        if v.is_empty() {
            self.out.push_str("null");
        } else {
            crate::payload::push_str(&mut self.out, v);
        }
    }

    fn num(&mut self, k: &str, v: Option<u64>) {
        self.key(k);
        match v {
            Some(n) => self.out.push_str(&n.to_string()),
            None => self.out.push_str("null"),
        }
    }

    fn bool(&mut self, k: &str, v: bool) {
        self.key(k);
        self.out.push_str(if v { "true" } else { "false" });
    }

    fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

/// [`json_line`] as a `serde_json::Value`.
pub fn json_value(r: &EventRecord) -> serde_json::Value {
    serde_json::from_str(&json_line(r)).unwrap_or(serde_json::Value::Null)
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
    fn json_line_is_valid_json() {
        let mut r = EventRecord::bare(Arc::from("C:\\x \"y\".evtx"), 7, None);
        r.payload = r#"{"EventData":{"Data":"a\nb"}}"#.into();
        r.mapped.payload_data[2] = "tab\there".into();
        r.event_id = Some(4624);
        let v = json_value(&r);
        assert_eq!(v["RecordNumber"], 7);
        assert_eq!(v["EventId"], 4624);
        assert_eq!(v["SourceFile"], "C:\\x \"y\".evtx");
        assert_eq!(v["PayloadData3"], "tab\there");
        assert_eq!(v["PayloadData1"], serde_json::Value::Null);
        assert_eq!(v["Payload"]["EventData"]["Data"], "a\nb");
        assert_eq!(v["HiddenRecord"], false);
        let r = EventRecord::bare(Arc::from("s"), 1, None);
        assert_eq!(json_value(&r)["Payload"], serde_json::Value::Null);
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
