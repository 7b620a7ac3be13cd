//! One event record, typed.

use std::sync::Arc;

use jiff::Timestamp;

use crate::maps::{MapSet, MappedFields};
use crate::payload::element_to_json;
use crate::xml::{Doc, NodeRef};

/// One named value of the event's `EventData` (or a leaf of its `UserData`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DataField {
    /// `Data/@Name`, or the leaf element's name under `UserData`; empty for
    /// unnamed `Data` elements.
    pub name: String,
    /// The text.
    pub value: String,
}

/// One event record: the `System` fields typed, the map's columns, the
/// payload, and where the record was found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EventRecord {
    /// The log file or stream it came from (as the caller named it).
    pub source: Arc<str>,
    /// Record number from the record header (EvtxECmd's `RecordNumber`).
    pub record_number: u64,
    /// `System/EventRecordID`.
    pub event_record_id: Option<u64>,
    /// The record header's written time (FILETIME).
    pub written: Option<Timestamp>,
    /// `System/TimeCreated/@SystemTime` (falls back to `written` in
    /// [`EventRecord::time`]).
    pub time_created: Option<Timestamp>,
    /// `System/EventID`.
    pub event_id: Option<u32>,
    /// `System/EventID/@Qualifiers`.
    pub qualifiers: Option<u32>,
    /// `System/Version`.
    pub version: Option<u8>,
    /// `System/Level` (0 LogAlways, 1 Critical, 2 Error, 3 Warning, 4 Info, 5 Verbose).
    pub level: Option<u8>,
    /// `System/Task`.
    pub task: Option<u16>,
    /// `System/Opcode`.
    pub opcode: Option<u8>,
    /// `System/Keywords`.
    pub keywords: Option<u64>,
    /// `System/Provider/@Name` (or `@EventSourceName` when there is no name).
    pub provider: String,
    /// `System/Provider/@Guid`.
    pub provider_guid: Option<String>,
    /// `System/Channel`.
    pub channel: String,
    /// `System/Computer`.
    pub computer: String,
    /// `System/Execution/@ProcessID`.
    pub process_id: Option<u32>,
    /// `System/Execution/@ThreadID`.
    pub thread_id: Option<u32>,
    /// `System/Security/@UserID` (a SID).
    pub user_id: Option<String>,
    /// `System/Correlation/@ActivityID`.
    pub activity_id: Option<String>,
    /// Number of the 64 KiB chunk in the file (0-based).
    pub chunk_number: u64,
    /// Byte position of the record in the file.
    pub file_offset: u64,
    /// Carved from unused chunk space (a stale record Windows no longer shows).
    pub recovered: bool,
    /// Found inside another record's bytes (a record hidden by enlarging the
    /// one before it, as DanderSpritz `eventlogedit` does).
    pub hidden: bool,
    /// For a record that hides another: where, in it, the hidden one starts.
    pub extra_data_offset: u64,
    /// Columns filled by a map (all empty when no map applies).
    pub mapped: MappedFields,
    /// `EventData`/`UserData` values in document order.
    pub event_data: Vec<DataField>,
    /// `EventData`/`UserData` as EvtxECmd's `Payload` JSON.
    pub payload: String,
    /// The whole event XML as the evtx crate renders it (only with
    /// [`crate::ParseOptions::keep_xml`]).
    pub xml: Option<String>,
}

/// Level names as EvtxECmd prints them.
pub fn level_name(level: u8) -> &'static str {
    match level {
        0 => "LogAlways",
        1 => "Critical",
        2 => "Error",
        3 => "Warning",
        4 => "Info",
        5 => "Verbose",
        _ => "",
    }
}

impl EventRecord {
    /// `TimeCreated` when present, else the record header's time.
    pub fn time(&self) -> Option<Timestamp> {
        self.time_created.or(self.written)
    }

    /// The first `EventData`/`UserData` value with this name.
    pub fn data(&self, name: &str) -> Option<&str> {
        self.event_data
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    /// `Level` as text (`Info`, `Warning` …), or the number when unknown.
    pub fn level_text(&self) -> String {
        match self.level {
            Some(l) if !level_name(l).is_empty() => level_name(l).to_owned(),
            Some(l) => l.to_string(),
            None => String::new(),
        }
    }

    /// A record with only the header's facts (its XML could not be read).
    pub(crate) fn bare(source: Arc<str>, record_number: u64, written: Option<Timestamp>) -> Self {
        EventRecord {
            source,
            record_number,
            event_record_id: None,
            written,
            time_created: None,
            event_id: None,
            qualifiers: None,
            version: None,
            level: None,
            task: None,
            opcode: None,
            keywords: None,
            provider: String::new(),
            provider_guid: None,
            channel: String::new(),
            computer: String::new(),
            process_id: None,
            thread_id: None,
            user_id: None,
            activity_id: None,
            chunk_number: 0,
            file_offset: 0,
            recovered: false,
            hidden: false,
            extra_data_offset: 0,
            mapped: MappedFields::default(),
            event_data: Vec::new(),
            payload: String::new(),
            xml: None,
        }
    }

    /// Fills the record from its event XML and applies the matching map.
    pub(crate) fn fill_from_xml(&mut self, doc: &Doc<'_>, maps: &MapSet, fields: bool) {
        let Some(event) = doc.root_element() else {
            return;
        };
        if let Some(sys) = event.child("System") {
            if let Some(p) = sys.child("Provider") {
                self.provider = p
                    .attribute("Name")
                    .filter(|n| !n.is_empty())
                    .or_else(|| p.attribute("EventSourceName"))
                    .unwrap_or_default()
                    .to_owned();
                self.provider_guid = p.attribute("Guid").map(str::to_owned);
            }
            if let Some(e) = sys.child("EventID") {
                self.event_id = num(&e.string_value());
                self.qualifiers = e.attribute("Qualifiers").and_then(num);
            }
            self.version = child_text(&sys, "Version").and_then(|v| num(&v));
            self.level = child_text(&sys, "Level").and_then(|v| num(&v));
            self.task = child_text(&sys, "Task").and_then(|v| num(&v));
            self.opcode = child_text(&sys, "Opcode").and_then(|v| num(&v));
            self.keywords = child_text(&sys, "Keywords").and_then(|v| hex_or_dec(&v));
            if let Some(t) = sys.child("TimeCreated") {
                self.time_created = t.attribute("SystemTime").and_then(parse_time);
            }
            self.event_record_id = child_text(&sys, "EventRecordID").and_then(|v| num(&v));
            if let Some(c) = sys.child("Correlation") {
                self.activity_id = c.attribute("ActivityID").map(str::to_owned);
            }
            if let Some(x) = sys.child("Execution") {
                self.process_id = x.attribute("ProcessID").and_then(num);
                self.thread_id = x.attribute("ThreadID").and_then(num);
            }
            self.channel = child_text(&sys, "Channel").unwrap_or_default();
            self.computer = child_text(&sys, "Computer").unwrap_or_default();
            if let Some(s) = sys.child("Security") {
                self.user_id = s.attribute("UserID").map(str::to_owned);
            }
        }
        // The payload is the first element after System: EventData,
        // UserData (or, rarely, ProcessingErrorData / BinaryEventData).
        let payload = event
            .elements()
            .find(|c| !matches!(c.name(), "System" | "RenderingInfo"));
        if let Some(p) = payload {
            self.payload = element_to_json(&p);
            if fields {
                collect_fields(&p, &mut self.event_data, 0);
            }
        }
        if let Some(id) = self.event_id {
            if let Some(map) = maps.find(id, &self.channel, &self.provider) {
                self.mapped = map.apply(doc);
            }
        }
    }
}

fn child_text(node: &NodeRef<'_, '_>, name: &str) -> Option<String> {
    node.child(name).map(|c| c.string_value())
}

fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    s.trim().parse().ok()
}

fn hex_or_dec(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

/// `SystemTime` as rendered: `2016-07-08T18:12:51.6816408Z`.
pub(crate) fn parse_time(s: &str) -> Option<Timestamp> {
    s.trim().parse::<Timestamp>().ok()
}

/// Named values of the payload: `Data` elements of `EventData` (named by
/// `@Name`), else leaf elements of `UserData` (named by their tag).
fn collect_fields(node: &NodeRef<'_, '_>, out: &mut Vec<DataField>, depth: usize) {
    if depth > 64 {
        return;
    }
    for d in node.elements() {
        if d.elements().next().is_some() {
            collect_fields(&d, out, depth + 1);
            continue;
        }
        let name = if d.name() == "Data" {
            d.attribute("Name").unwrap_or_default().to_owned()
        } else {
            d.name().to_owned()
        };
        out.push(DataField {
            name,
            value: d.string_value(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_fields() {
        let xml = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-a5ba-3e3b0328c30d}"/><EventID Qualifiers="16384">4624</EventID><Version>2</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="2016-07-08T18:12:51.6816408Z"/><EventRecordID>2</EventRecordID><Correlation ActivityID="{a}"/><Execution ProcessID="456" ThreadID="460"/><Channel>Security</Channel><Computer>PC</Computer><Security UserID="S-1-5-18"/></System><EventData><Data Name="SubjectUserSid">S-1-0-0</Data><Data>x</Data></EventData></Event>"#;
        let doc = Doc::parse(xml);
        let mut r = EventRecord::bare(Arc::from("s"), 2, None);
        r.fill_from_xml(&doc, &MapSet::new(), true);
        assert_eq!(r.event_id, Some(4624));
        assert_eq!(r.qualifiers, Some(16384));
        assert_eq!(r.level_text(), "LogAlways");
        assert_eq!(r.keywords, Some(0x8020_0000_0000_0000));
        assert_eq!(
            rift_io::time::format_ez(r.time().unwrap()),
            "2016-07-08 18:12:51.6816408"
        );
        assert_eq!(r.process_id, Some(456));
        assert_eq!(r.thread_id, Some(460));
        assert_eq!(r.user_id.as_deref(), Some("S-1-5-18"));
        assert_eq!(r.data("SubjectUserSid"), Some("S-1-0-0"));
        assert_eq!(r.event_data.len(), 2);
        assert_eq!(
            r.payload,
            r##"{"EventData":{"Data":[{"@Name":"SubjectUserSid","#text":"S-1-0-0"},"x"]}}"##
        );
    }
}
