//! One event record, typed.

use std::sync::Arc;

use jiff::Timestamp;
use roxmltree::{Document, Node};

use crate::maps::{MapSet, MappedFields};
use crate::payload::element_to_json;
use crate::xpath::{attribute, string_value};

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
    pub(crate) fn fill_from_xml(&mut self, doc: &Document<'_>, maps: &MapSet) {
        let event = doc.root_element();
        let system = child(&event, "System");
        if let Some(sys) = system {
            if let Some(p) = child(&sys, "Provider") {
                self.provider = attribute(&p, "Name")
                    .filter(|n| !n.is_empty())
                    .or_else(|| attribute(&p, "EventSourceName"))
                    .unwrap_or_default()
                    .to_owned();
                self.provider_guid = attribute(&p, "Guid").map(str::to_owned);
            }
            if let Some(e) = child(&sys, "EventID") {
                self.event_id = num(&string_value(&e));
                self.qualifiers = attribute(&e, "Qualifiers").and_then(num);
            }
            self.version = child_text(&sys, "Version").and_then(|v| num(&v));
            self.level = child_text(&sys, "Level").and_then(|v| num(&v));
            self.task = child_text(&sys, "Task").and_then(|v| num(&v));
            self.opcode = child_text(&sys, "Opcode").and_then(|v| num(&v));
            self.keywords = child_text(&sys, "Keywords").and_then(|v| hex_or_dec(&v));
            if let Some(t) = child(&sys, "TimeCreated") {
                self.time_created = attribute(&t, "SystemTime").and_then(parse_time);
            }
            self.event_record_id = child_text(&sys, "EventRecordID").and_then(|v| num(&v));
            if let Some(c) = child(&sys, "Correlation") {
                self.activity_id = attribute(&c, "ActivityID").map(str::to_owned);
            }
            if let Some(x) = child(&sys, "Execution") {
                self.process_id = attribute(&x, "ProcessID").and_then(num);
                self.thread_id = attribute(&x, "ThreadID").and_then(num);
            }
            self.channel = child_text(&sys, "Channel").unwrap_or_default();
            self.computer = child_text(&sys, "Computer").unwrap_or_default();
            if let Some(s) = child(&sys, "Security") {
                self.user_id = attribute(&s, "UserID").map(str::to_owned);
            }
        }
        // The payload is the first element after System: EventData,
        // UserData (or, rarely, ProcessingErrorData / BinaryEventData).
        let payload = event
            .children()
            .filter(|c| c.is_element())
            .find(|c| !matches!(c.tag_name().name(), "System" | "RenderingInfo"));
        if let Some(p) = payload {
            self.payload = element_to_json(&p);
            collect_fields(&p, &mut self.event_data);
        }
        if let Some(id) = self.event_id {
            if let Some(map) = maps.find(id, &self.channel, &self.provider) {
                self.mapped = map.apply(doc);
            }
        }
    }
}

fn child<'a, 'i>(node: &Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn child_text(node: &Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name).map(|c| string_value(&c))
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
fn collect_fields(payload: &Node<'_, '_>, out: &mut Vec<DataField>) {
    for d in payload.descendants().skip(1) {
        if !d.is_element() {
            continue;
        }
        let is_leaf = !d.children().any(|c| c.is_element());
        if !is_leaf {
            continue;
        }
        let name = if d.tag_name().name() == "Data" {
            attribute(&d, "Name").unwrap_or_default().to_owned()
        } else {
            d.tag_name().name().to_owned()
        };
        out.push(DataField {
            name,
            value: string_value(&d),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_fields() {
        let xml = r#"<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-a5ba-3e3b0328c30d}"/><EventID Qualifiers="16384">4624</EventID><Version>2</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime="2016-07-08T18:12:51.6816408Z"/><EventRecordID>2</EventRecordID><Correlation ActivityID="{a}"/><Execution ProcessID="456" ThreadID="460"/><Channel>Security</Channel><Computer>PC</Computer><Security UserID="S-1-5-18"/></System><EventData><Data Name="SubjectUserSid">S-1-0-0</Data><Data>x</Data></EventData></Event>"#;
        let doc = Document::parse(xml).unwrap();
        let mut r = EventRecord::bare(Arc::from("s"), 2, None);
        r.fill_from_xml(&doc, &MapSet::new());
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
