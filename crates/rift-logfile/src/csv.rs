//! CSV output: one row per log record, and one row per summarised event.
//!
//! EZ-tools conventions (`docs/FORMATS.md`): UTF-8 with BOM, CRLF, times as
//! `yyyy-MM-dd HH:mm:ss.fffffff` UTC, empty cells for no value, `True` /
//! `False`. No EZ tool parses `$LogFile`, so both layouts are rift's own
//! (documented in the README).

use std::io::{self, Write};

use rift_io::time::{FileTime, format_ez};

use crate::events::{Analysis, FileEvent, entry_of};
use crate::log::{LogFile, PageSource};

/// Header of the records CSV.
pub const RECORDS_HEADER: &str = "LSN,PreviousLSN,UndoNextLSN,Offset,Wrap,RecordType,TransactionId,Flags,RedoOp,UndoOp,RedoLength,UndoLength,TargetAttribute,AttributeType,AttributeName,FileReference,MftEntry,FileEntry,FileName,TargetVcn,ClusterBlockOffset,RecordOffset,AttributeOffset,Lcns,Source,Complete,FromSlack";

/// Header of the events CSV.
pub const EVENTS_HEADER: &str = "LSN,LastLSN,TransactionId,Time,Event,MftEntry,Sequence,Name,Path,ParentEntry,ParentSequence,OldName,OldParentEntry,Created,Modified,MftChanged,Accessed,OldCreated,OldModified,OldMftChanged,OldAccessed,Attributes,OldAttributes,Tunnelled,Detail";

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn field(line: &mut String, s: &str) {
    if s.contains([',', '"', '\r', '\n']) || s.starts_with(' ') || s.ends_with(' ') {
        line.push('"');
        line.push_str(&s.replace('"', "\"\""));
        line.push('"');
    } else {
        line.push_str(s);
    }
}

fn t(ft: FileTime) -> String {
    ft.to_timestamp().map(format_ez).unwrap_or_default()
}

fn b(v: bool) -> &'static str {
    if v { "True" } else { "False" }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// Writes the records CSV.
pub fn write_records<W: Write>(mut w: W, log: &LogFile, a: &Analysis) -> io::Result<()> {
    w.write_all(BOM)?;
    w.write_all(RECORDS_HEADER.as_bytes())?;
    w.write_all(b"\r\n")?;
    let mut l = String::with_capacity(256);
    for (i, r) in log.records.iter().enumerate() {
        l.clear();
        let target = a.targets.get(i).and_then(Option::as_ref);
        let name = a.names.get(i).and_then(Option::as_ref);
        let c = r.client.as_ref();
        let cells: [String; 27] = [
            r.lsn.to_string(),
            r.client_previous_lsn.to_string(),
            r.client_undo_next_lsn.to_string(),
            r.offset.to_string(),
            r.wrap.to_string(),
            match r.record_type {
                1 => "Client".into(),
                2 => "ClientRestart".into(),
                n => n.to_string(),
            },
            format!("0x{:X}", r.transaction_id),
            format!("0x{:X}", r.flags),
            opt(c.map(|c| c.redo_op.name())),
            opt(c.map(|c| c.undo_op.name())),
            opt(c.map(|c| c.redo_length)),
            opt(c.map(|c| c.undo_length)),
            opt(c.map(|c| format!("0x{:X}", c.target_attribute))),
            opt(target
                .and_then(|t| t.attribute_type)
                .map(|t| format!("0x{t:X}"))),
            target.map(|t| t.attribute_name.clone()).unwrap_or_default(),
            opt(target
                .and_then(|t| t.file_reference)
                .map(|f| format!("{}-{}", entry_of(f), f >> 48))),
            opt(target.and_then(|t| t.mft_entry)),
            opt(target.and_then(|t| t.file_entry)),
            name.cloned().unwrap_or_default(),
            opt(c.map(|c| c.target_vcn)),
            opt(c.map(|c| c.cluster_block_offset)),
            opt(c.map(|c| format!("0x{:X}", c.record_offset))),
            opt(c.map(|c| format!("0x{:X}", c.attribute_offset))),
            c.map(|c| {
                c.lcns
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default(),
            match r.source {
                PageSource::Circular => "Circular".into(),
                PageSource::Buffer(p) => format!("BufferPage{p}"),
            },
            b(r.complete).into(),
            b(r.from_slack).into(),
        ];
        for (k, cell) in cells.iter().enumerate() {
            if k > 0 {
                l.push(',');
            }
            field(&mut l, cell);
        }
        l.push_str("\r\n");
        w.write_all(l.as_bytes())?;
    }
    w.flush()
}

/// Writes the events CSV.
pub fn write_events<W: Write>(mut w: W, events: &[FileEvent]) -> io::Result<()> {
    w.write_all(BOM)?;
    w.write_all(EVENTS_HEADER.as_bytes())?;
    w.write_all(b"\r\n")?;
    let mut l = String::with_capacity(256);
    for e in events {
        l.clear();
        let tm = |x: Option<[FileTime; 4]>, k: usize| {
            x.and_then(|a| a.get(k).copied()).map(t).unwrap_or_default()
        };
        let cells: [String; 25] = [
            e.lsn.to_string(),
            e.last_lsn.to_string(),
            format!("0x{:X}", e.transaction_id),
            opt(e.time.map(t)),
            e.kind.label().into(),
            opt(e.mft_entry),
            opt(e.sequence),
            e.name.clone().unwrap_or_default(),
            e.path.clone().unwrap_or_default(),
            opt(e.parent.map(entry_of)),
            opt(e.parent.map(|p| p >> 48)),
            e.old_name.clone().unwrap_or_default(),
            opt(e.old_parent.map(entry_of)),
            tm(e.times, 0),
            tm(e.times, 1),
            tm(e.times, 2),
            tm(e.times, 3),
            tm(e.old_times, 0),
            tm(e.old_times, 1),
            tm(e.old_times, 2),
            tm(e.old_times, 3),
            opt(e.attributes.map(|a| format!("0x{a:X}"))),
            opt(e.old_attributes.map(|a| format!("0x{a:X}"))),
            b(e.tunnelled).into(),
            e.detail.clone(),
        ];
        for (k, cell) in cells.iter().enumerate() {
            if k > 0 {
                l.push(',');
            }
            field(&mut l, cell);
        }
        l.push_str("\r\n");
        w.write_all(l.as_bytes())?;
    }
    w.flush()
}
