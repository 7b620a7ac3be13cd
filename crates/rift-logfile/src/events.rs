//! From operations to what happened to files.
//!
//! Three steps, in LSN order:
//!
//! 1. **Targets.** Each client record names its target by the byte offset
//!    of an entry in the open attribute table (OAT). The table is rebuilt
//!    from `OpenNonresidentAttribute` records and the checkpoint dumps
//!    (`OpenAttributeTableDump` + `AttributeNamesDump`); an offset not yet
//!    seen falls back to the first entry any dump gives it. Operations on
//!    `$MFT:$DATA` are mapped to an MFT entry:
//!    `(target VCN × cluster + cluster block offset × 512) / FRS size`.
//! 2. **Names.** MFT entry → name and parent, learnt from FILE record
//!    images (`InitializeFileRecordSegment`), `$FILE_NAME` attributes
//!    created or deleted, `$I30` index entries added or removed, and USN
//!    records written to `$J`.
//! 3. **Events.** Records are grouped by transaction (a group closes at
//!    `ForgetTransaction`) and each group is summarised: a FILE record
//!    initialised = create (tunnelled when it takes the creation time of a
//!    name removed earlier in the same directory, or its `$SI` creation time
//!    predates the record by more than 15 s); freed = delete; an index entry
//!    removed and re-added for the same file = rename (same directory) or
//!    move; `$STANDARD_INFORMATION` updates = time / attribute changes (old
//!    and new values from undo and redo); resident `$DATA` updates and size
//!    or run changes of a file's `$DATA` = resident / non-resident writes.
//!
//! Sources: `docs/formats/ntfs.md` §8.6 (OAT, MFT entry formula, verified:
//! find_me.txt at VCN 10 block 6 → record 43), §8.8 (sequences observed on
//! Windows 10 for create, write, rename, delete, time change); NTFS Log
//! Tracker's event categories (`docs/FORMATS.md`).

use std::collections::{HashMap, HashSet};

use rift_io::time::FileTime;

use crate::client::{
    FileNameValue, FileRecordImage, IndexEntry, LoggedUsn, OpenAttribute, attribute_names,
    open_attribute_entry, open_attribute_table,
};
use crate::log::{LogFile, LogRecord};
use crate::ops::Op;

/// `$STANDARD_INFORMATION`, `$FILE_NAME`, `$DATA` type codes.
const SI: u32 = 0x10;
const FN: u32 = 0x30;
const DATA: u32 = 0x80;
/// Offset of a resident value behind an unnamed resident attribute header.
const RESIDENT_VALUE_OFFSET: u16 = 0x18;
/// First attribute offset of an NTFS 3.1 FILE record (where `$SI` sits).
const FIRST_ATTRIBUTE: u16 = 0x38;
/// USN reasons used for event times.
const USN_RENAME_NEW_NAME: u32 = 0x2000;
const USN_FILE_DELETE: u32 = 0x200;

/// What a record changes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Target {
    /// File reference of the attribute's file (from the OAT).
    pub file_reference: Option<u64>,
    /// Attribute type code (from the OAT).
    pub attribute_type: Option<u32>,
    /// Attribute name (e.g. `$I30`, `$J`).
    pub attribute_name: String,
    /// For operations on `$MFT:$DATA`: the MFT entry changed.
    pub mft_entry: Option<u64>,
    /// Target VCN.
    pub vcn: u64,
    /// Byte offset of the change inside the target stream.
    pub byte_offset: u64,
    /// The file the change is about: the MFT entry for resident changes,
    /// else the OAT file's entry.
    pub file_entry: Option<u64>,
}

/// Kind of a summarised file event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A FILE record initialised in use.
    Create,
    /// A FILE record freed.
    Delete,
    /// New name in the same directory.
    Rename,
    /// New parent directory.
    Move,
    /// Bytes of a resident `$DATA` value changed.
    ResidentWrite,
    /// Size or run list of a non-resident `$DATA` changed.
    NonResidentWrite,
    /// `$STANDARD_INFORMATION` times changed.
    TimeChange,
    /// File attributes changed.
    AttributeChange,
}

impl EventKind {
    /// CSV label.
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Create => "Create",
            EventKind::Delete => "Delete",
            EventKind::Rename => "Rename",
            EventKind::Move => "Move",
            EventKind::ResidentWrite => "ResidentWrite",
            EventKind::NonResidentWrite => "NonResidentWrite",
            EventKind::TimeChange => "TimeChange",
            EventKind::AttributeChange => "AttributeChange",
        }
    }
}

/// One summarised file event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEvent {
    /// What happened.
    pub kind: EventKind,
    /// First LSN of the records behind the event.
    pub lsn: u64,
    /// Last LSN of the records behind the event.
    pub last_lsn: u64,
    /// Transaction id.
    pub transaction_id: u32,
    /// MFT entry of the file.
    pub mft_entry: Option<u64>,
    /// Sequence number (when a FILE record image or reference gave it).
    pub sequence: Option<u16>,
    /// File name (new name for renames).
    pub name: Option<String>,
    /// Parent reference (new parent for moves).
    pub parent: Option<u64>,
    /// Full path from the names the log knows (`\`-separated; unknown
    /// components as `<entry N>`).
    pub path: Option<String>,
    /// Old name (renames/moves/deletes).
    pub old_name: Option<String>,
    /// Old parent (moves).
    pub old_parent: Option<u64>,
    /// When: from a USN record logged in the same transaction, else the
    /// MFT-change time of the new `$SI`/`$FN` data.
    pub time: Option<FileTime>,
    /// New created/modified/MFT-changed/accessed times, when carried.
    pub times: Option<[FileTime; 4]>,
    /// Old times (undo data), when carried.
    pub old_times: Option<[FileTime; 4]>,
    /// New file attributes, when carried.
    pub attributes: Option<u32>,
    /// Old file attributes, when carried.
    pub old_attributes: Option<u32>,
    /// Create: the file took over an earlier file's creation time
    /// (tunnelling).
    pub tunnelled: bool,
    /// Free text (sizes, fields changed).
    pub detail: String,
}

/// Name knowledge about an MFT entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameInfo {
    /// Name.
    pub name: String,
    /// Parent reference.
    pub parent: u64,
}

/// Output of [`analyze`].
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// One target per record of [`LogFile::records`] (same index).
    pub targets: Vec<Option<Target>>,
    /// Name of each record's file at that point (same index).
    pub names: Vec<Option<String>>,
    /// Summarised events in LSN order.
    pub events: Vec<FileEvent>,
    /// Final name map.
    pub name_map: HashMap<u64, NameInfo>,
}

/// Entry number of a file reference.
pub fn entry_of(reference: u64) -> u64 {
    reference & 0xFFFF_FFFF_FFFF
}

fn seq_of(reference: u64) -> u16 {
    (reference >> 48) as u16
}

/// Builds targets, names and events for a parsed log.
pub fn analyze(log: &LogFile) -> Analysis {
    analyze_with_names(log, HashMap::new())
}

/// [`analyze`] with names already known (e.g. from the volume's `$MFT`:
/// entry → name and parent reference), so that files and directories the
/// log never names still get paths. What the log says wins over them.
pub fn analyze_with_names(log: &LogFile, known: HashMap<u64, NameInfo>) -> Analysis {
    let restart = log.ntfs_restart();
    let cluster = restart
        .map(|r| u64::from(r.bytes_per_cluster))
        .filter(|c| c.is_power_of_two() && *c >= 512)
        .unwrap_or(4096);
    let usn_journal = restart
        .map(|r| entry_of(r.usn_journal_reference))
        .filter(|&e| e != 0);

    // Fallback OAT from every dump and open in the log.
    let mut fallback: HashMap<u16, OpenAttribute> = HashMap::new();
    for r in &log.records {
        if let Some(c) = &r.client {
            for (k, a) in oat_updates(c.redo_op, &c.redo, &c.undo, c.target_attribute) {
                fallback.entry(k).or_insert(a);
            }
        }
    }
    for r in &log.records {
        if let Some(c) = &r.client {
            if c.redo_op == Op::AttributeNamesDump {
                for (k, n) in attribute_names(&c.redo) {
                    if let Some(a) = fallback.get_mut(&k) {
                        if a.name.is_empty() {
                            a.name = n;
                        }
                    }
                }
            }
        }
    }

    let mut st = State {
        oat: HashMap::new(),
        fallback,
        cluster,
        names: known,
        layouts: HashMap::new(),
        removed: HashMap::new(),
        learnt: HashMap::new(),
    };
    let mut out = Analysis::default();
    let mut groups: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut events = Vec::new();
    for (i, r) in log.records.iter().enumerate() {
        let target = r.client.as_ref().map(|c| st.target(r, c));
        st.learn(r, target.as_ref());
        let name = target
            .as_ref()
            .and_then(|t| t.file_entry)
            .and_then(|e| st.names.get(&e))
            .map(|n| n.name.clone());
        out.targets.push(target);
        out.names.push(name);
        if let Some(c) = &r.client {
            groups.entry(r.transaction_id).or_default().push(i);
            // A transaction is summarised when it closes, with the names
            // known at that moment.
            if c.redo_op == Op::ForgetTransaction {
                if let Some(g) = groups.remove(&r.transaction_id) {
                    summarise(log, &out.targets, &g, &mut st, usn_journal, &mut events);
                }
            }
        }
    }
    // Transactions still open at the end of the log.
    let mut rest: Vec<Vec<usize>> = groups.into_values().collect();
    rest.sort();
    for g in rest {
        summarise(log, &out.targets, &g, &mut st, usn_journal, &mut events);
    }
    // Files whose names were learnt only later (e.g. from a USN record
    // further on) get the final name.
    for e in &mut events {
        if e.name.is_none() {
            if let Some(n) = e
                .mft_entry
                .and_then(|m| st.name_after(m, e.lsn).or_else(|| st.names.get(&m)))
            {
                e.name = Some(n.name.clone());
                e.parent = e.parent.or(Some(n.parent));
            }
        }
        e.path = e.name.as_ref().map(|n| {
            let dir = e
                .parent
                .map(|p| path_of(&st.names, entry_of(p)))
                .unwrap_or_default();
            format!("{dir}\\{n}")
        });
    }
    events.sort_by_key(|e| (e.lsn, e.kind as u8));
    // Back-to-back writes to one file (a file growing over many small
    // transactions) become one event spanning their LSNs.
    let mut merged: Vec<FileEvent> = Vec::with_capacity(events.len());
    let mut runs = 1usize;
    for e in events {
        let writes = matches!(
            e.kind,
            EventKind::NonResidentWrite | EventKind::ResidentWrite
        );
        match merged.last_mut() {
            Some(m) if writes && m.kind == e.kind && m.mft_entry == e.mft_entry => {
                runs += 1;
                m.last_lsn = e.last_lsn;
                m.time = m.time.or(e.time);
                m.detail = format!("{} transactions; last: {}", runs, e.detail);
            }
            _ => {
                runs = 1;
                merged.push(e);
            }
        }
    }
    out.events = merged;
    out.name_map = st.names;
    out
}

/// Path of a directory entry from the name map (`` for the root).
fn path_of(names: &HashMap<u64, NameInfo>, mut entry: u64) -> String {
    let mut parts = Vec::new();
    let mut seen = HashSet::new();
    while entry != 5 {
        if !seen.insert(entry) || parts.len() > 256 {
            parts.push("<loop>".to_owned());
            break;
        }
        match names.get(&entry) {
            Some(n) => {
                parts.push(n.name.clone());
                entry = entry_of(n.parent);
            }
            None => {
                parts.push(format!("<entry {entry}>"));
                break;
            }
        }
    }
    parts.reverse();
    parts.iter().map(|p| format!("\\{p}")).collect()
}

fn oat_updates(op: Op, redo: &[u8], undo: &[u8], key: u16) -> Vec<(u16, OpenAttribute)> {
    match op {
        Op::OpenNonresidentAttribute => {
            let size = if redo.len() >= 44 { 44 } else { 40 };
            open_attribute_entry(redo, size)
                .map(|mut a| {
                    a.name = rift_io::bytes::utf16le_lossy(undo);
                    vec![(key, a)]
                })
                .unwrap_or_default()
        }
        Op::OpenAttributeTableDump => open_attribute_table(redo),
        _ => Vec::new(),
    }
}

struct State {
    oat: HashMap<u16, OpenAttribute>,
    fallback: HashMap<u16, OpenAttribute>,
    cluster: u64,
    names: HashMap<u64, NameInfo>,
    /// MFT entry → (attribute offset, type) from FILE record images.
    layouts: HashMap<u64, Vec<(usize, u32)>>,
    /// (parent entry, lower-case name) → creation time of a name removed.
    removed: HashMap<(u64, String), FileTime>,
    /// Every name learnt, with the LSN it was learnt at.
    learnt: HashMap<u64, Vec<(u64, NameInfo)>>,
}

impl State {
    fn target(&self, r: &LogRecord, c: &crate::client::ClientRecord) -> Target {
        let oat = self
            .oat
            .get(&c.target_attribute)
            .or_else(|| self.fallback.get(&c.target_attribute));
        let mut t = Target {
            vcn: c.target_vcn,
            ..Target::default()
        };
        if let Some(a) = oat {
            t.file_reference = Some(a.file_reference);
            t.attribute_type = Some(a.type_code);
            t.attribute_name = a.name.clone();
        }
        let is_mft = match oat {
            Some(a) => entry_of(a.file_reference) == 0 && a.type_code == DATA,
            None => c.redo_op.targets_file_record() || c.undo_op.targets_file_record(),
        };
        let block = self
            .cluster
            .saturating_mul(c.target_vcn)
            .saturating_add(u64::from(c.cluster_block_offset) * 512);
        let checkpoint = matches!(
            c.redo_op,
            Op::OpenAttributeTableDump
                | Op::AttributeNamesDump
                | Op::DirtyPageTableDump
                | Op::TransactionTableDump
                | Op::ForgetTransaction
                | Op::OpenNonresidentAttribute
                | Op::EndTopLevelAction
                | Op::PrepareTransaction
                | Op::CommitTransaction
        );
        if is_mft && !checkpoint && r.record_type == 1 {
            let frs = if c.target_block_size > 0 {
                u64::from(c.target_block_size) * 512
            } else {
                1024
            };
            t.mft_entry = Some(block / frs);
            t.file_entry = t.mft_entry;
        } else if !checkpoint {
            t.file_entry = t.file_reference.map(entry_of);
        }
        t.byte_offset = block
            .saturating_add(u64::from(c.record_offset))
            .saturating_add(u64::from(c.attribute_offset));
        t
    }

    /// Sets a name and remembers when it was learnt.
    fn set_name(&mut self, lsn: u64, entry: u64, info: NameInfo) {
        self.learnt
            .entry(entry)
            .or_default()
            .push((lsn, info.clone()));
        self.names.insert(entry, info);
    }

    /// The first name learnt for `entry` at or after `lsn`.
    fn name_after(&self, entry: u64, lsn: u64) -> Option<&NameInfo> {
        self.learnt
            .get(&entry)?
            .iter()
            .find(|(l, _)| *l >= lsn)
            .map(|(_, n)| n)
    }

    /// Updates the OAT and name knowledge from one record.
    fn learn(&mut self, r: &LogRecord, t: Option<&Target>) {
        let Some(c) = &r.client else { return };
        for (k, a) in oat_updates(c.redo_op, &c.redo, &c.undo, c.target_attribute) {
            if c.redo_op == Op::OpenAttributeTableDump {
                self.oat.entry(k).or_insert(a);
            } else {
                self.oat.insert(k, a);
            }
        }
        if c.redo_op == Op::AttributeNamesDump {
            for (k, n) in attribute_names(&c.redo) {
                if let Some(a) = self.oat.get_mut(&k) {
                    a.name = n;
                }
            }
        }
        let entry = t.and_then(|t| t.mft_entry);
        match c.redo_op {
            Op::InitializeFileRecordSegment => {
                if let (Some(e), Some(img)) = (entry, FileRecordImage::parse(&c.redo)) {
                    if let Some(f) = img.primary_name() {
                        self.set_name(
                            r.lsn,
                            e,
                            NameInfo {
                                name: f.name.clone(),
                                parent: f.parent,
                            },
                        );
                    }
                    self.layouts.insert(e, img.attributes.clone());
                }
            }
            Op::CreateAttribute => {
                if let (Some(e), Some(a)) = (entry, crate::client::attribute_at(&c.redo, 0)) {
                    if a.type_code == FN {
                        if let Some(f) = a.value.and_then(FileNameValue::parse) {
                            if f.namespace != 2 {
                                self.set_name(
                                    r.lsn,
                                    e,
                                    NameInfo {
                                        name: f.name,
                                        parent: f.parent,
                                    },
                                );
                            }
                        }
                    }
                    let l = self.layouts.entry(e).or_default();
                    l.retain(|(o, _)| *o != usize::from(c.record_offset));
                    l.push((usize::from(c.record_offset), a.type_code));
                }
            }
            Op::AddIndexEntryRoot | Op::AddIndexEntryAllocation => {
                if let Some(ie) = IndexEntry::parse(&c.redo) {
                    if ie.key.namespace != 2 {
                        self.set_name(
                            r.lsn,
                            entry_of(ie.file_reference),
                            NameInfo {
                                name: ie.key.name,
                                parent: ie.key.parent,
                            },
                        );
                    }
                }
            }
            Op::UpdateNonresidentValue => {
                if let Some(u) = LoggedUsn::parse(&c.redo) {
                    if !u.name.is_empty() {
                        self.set_name(
                            r.lsn,
                            entry_of(u.file_reference),
                            NameInfo {
                                name: u.name,
                                parent: u.parent_reference,
                            },
                        );
                    }
                }
            }
            _ => {}
        }
        if matches!(
            c.redo_op,
            Op::DeleteIndexEntryRoot | Op::DeleteIndexEntryAllocation
        ) {
            if let Some(ie) = IndexEntry::parse(&c.undo) {
                let e = entry_of(ie.file_reference);
                let info = NameInfo {
                    name: ie.key.name.clone(),
                    parent: ie.key.parent,
                };
                // The removed entry names the file *before* this record.
                self.learnt
                    .entry(e)
                    .or_default()
                    .push((r.lsn, info.clone()));
                self.names.entry(e).or_insert(info);
            }
        }
    }

    /// Attribute type at `record_offset` of MFT entry `e`.
    fn attribute_type_at(&self, e: u64, record_offset: u16) -> Option<u32> {
        if let Some(l) = self.layouts.get(&e) {
            if let Some((_, ty)) = l.iter().find(|(o, _)| *o == usize::from(record_offset)) {
                return Some(*ty);
            }
        }
        (record_offset == FIRST_ATTRIBUTE).then_some(SI)
    }
}

/// Decodes the `$SI` fields covered by an UpdateResidentValue payload
/// written at `field_offset` of the value.
fn si_fields(bytes: &[u8], field_offset: usize) -> ([Option<FileTime>; 4], Option<u32>) {
    let mut times = [None; 4];
    for (k, slot) in times.iter_mut().enumerate() {
        let at = k * 8;
        if at >= field_offset {
            *slot = rift_io::bytes::le_u64(bytes, at - field_offset).map(FileTime);
        }
    }
    let attrs = (32 >= field_offset)
        .then(|| rift_io::bytes::le_u32(bytes, 32 - field_offset))
        .flatten();
    (times, attrs)
}

fn fill(times: [Option<FileTime>; 4]) -> Option<[FileTime; 4]> {
    times
        .iter()
        .any(Option::is_some)
        .then(|| times.map(|t| t.unwrap_or(FileTime(0))))
}

fn summarise(
    log: &LogFile,
    targets: &[Option<Target>],
    group: &[usize],
    st: &mut State,
    usn_journal: Option<u64>,
    out: &mut Vec<FileEvent>,
) {
    let recs: Vec<(&LogRecord, &crate::client::ClientRecord, Option<&Target>)> = group
        .iter()
        .filter_map(|&i| {
            let r = log.records.get(i)?;
            Some((
                r,
                r.client.as_ref()?,
                targets.get(i).and_then(Option::as_ref),
            ))
        })
        .collect();
    let Some(&(first, _, _)) = recs.first() else {
        return;
    };
    let start = out.len();
    let last_lsn = recs.last().map_or(first.lsn, |(r, _, _)| r.lsn);
    let tid = first.transaction_id;
    let usns: Vec<LoggedUsn> = recs
        .iter()
        .filter(|(_, c, _)| c.redo_op == Op::UpdateNonresidentValue)
        .filter_map(|(_, c, _)| LoggedUsn::parse(&c.redo))
        .collect();
    let usn_time = |entry: u64, reason: u32| {
        usns.iter()
            .filter(|u| {
                entry_of(u.file_reference) == entry && (reason == 0 || u.reason & reason != 0)
            })
            .map(|u| u.timestamp)
            .next()
    };
    let base = |kind: EventKind, lsn: u64| FileEvent {
        kind,
        lsn,
        last_lsn,
        transaction_id: tid,
        mft_entry: None,
        sequence: None,
        name: None,
        parent: None,
        path: None,
        old_name: None,
        old_parent: None,
        time: None,
        times: None,
        old_times: None,
        attributes: None,
        old_attributes: None,
        tunnelled: false,
        detail: String::new(),
    };

    let mut created: HashSet<u64> = HashSet::new();
    let mut deleted: HashSet<u64> = HashSet::new();
    let mut added: Vec<(u64, u64, FileNameValue)> = Vec::new(); // (lsn, child ref, key)
    let mut removed: Vec<(u64, u64, FileNameValue)> = Vec::new();
    for &(r, c, t) in &recs {
        let entry = t.and_then(|t| t.mft_entry);
        match c.redo_op {
            Op::InitializeFileRecordSegment => {
                let (Some(e), Some(img)) = (entry, FileRecordImage::parse(&c.redo)) else {
                    continue;
                };
                if img.flags & 1 == 0 || img.base_reference != 0 {
                    continue;
                }
                created.insert(e);
                let mut ev = base(EventKind::Create, r.lsn);
                ev.mft_entry = Some(e);
                ev.sequence = Some(img.sequence);
                if let Some(f) = img.primary_name() {
                    ev.name = Some(f.name.clone());
                    ev.parent = Some(f.parent);
                }
                if let Some(si) = img.standard_info {
                    ev.times = Some(si.times);
                    ev.attributes = Some(si.attributes);
                    ev.time = Some(si.times[2]);
                    let key = ev
                        .parent
                        .zip(ev.name.as_ref())
                        .map(|(p, n)| (entry_of(p), n.to_lowercase()));
                    let earlier = key.and_then(|k| st.removed.get(&k)).copied();
                    if earlier.is_some_and(|t| t == si.times[0]) {
                        ev.tunnelled = true;
                        ev.detail =
                            "creation time tunnelled from a removed file of the same name".into();
                    } else if si.times[0].0.saturating_add(150_000_000) < si.times[2].0 {
                        ev.tunnelled = true;
                        ev.detail =
                            "$SI creation time predates the record by more than 15 s".into();
                    }
                }
                if ev.name.is_none() {
                    if let Some(u) = usns.iter().find(|u| entry_of(u.file_reference) == e) {
                        ev.name = Some(u.name.clone());
                        ev.parent = Some(u.parent_reference);
                    }
                }
                if img.flags & 2 != 0 {
                    ev.detail = if ev.detail.is_empty() {
                        "directory".into()
                    } else {
                        format!("directory; {}", ev.detail)
                    };
                }
                out.push(ev);
            }
            Op::DeallocateFileRecordSegment => {
                if let Some(e) = entry {
                    deleted.insert(e);
                }
            }
            Op::AddIndexEntryRoot | Op::AddIndexEntryAllocation => {
                if let Some(ie) = IndexEntry::parse(&c.redo) {
                    if ie.key.namespace != 2 {
                        added.push((r.lsn, ie.file_reference, ie.key));
                    }
                }
            }
            Op::DeleteIndexEntryRoot | Op::DeleteIndexEntryAllocation => {
                if let Some(ie) = IndexEntry::parse(&c.undo) {
                    if ie.key.namespace != 2 {
                        removed.push((r.lsn, ie.file_reference, ie.key));
                    }
                }
            }
            Op::UpdateResidentValue => {
                let Some(e) = entry else { continue };
                let ty = st.attribute_type_at(e, c.record_offset);
                if ty == Some(SI) && c.attribute_offset >= RESIDENT_VALUE_OFFSET {
                    let field = usize::from(c.attribute_offset - RESIDENT_VALUE_OFFSET);
                    let (new_t, new_a) = si_fields(&c.redo, field);
                    let (old_t, old_a) = si_fields(&c.undo, field);
                    let changed: Vec<&str> = ["created", "modified", "mft_changed", "accessed"]
                        .iter()
                        .zip(new_t.iter().zip(old_t.iter()))
                        .filter(|(_, (n, o))| n.is_some() && n != o)
                        .map(|(l, _)| *l)
                        .collect();
                    if !changed.is_empty() {
                        let mut ev = base(EventKind::TimeChange, r.lsn);
                        ev.mft_entry = Some(e);
                        ev.times = fill(new_t);
                        ev.old_times = fill(old_t);
                        ev.time = new_t[2].or(usn_time(e, 0));
                        ev.detail = format!("changed: {}", changed.join("|"));
                        out.push(ev);
                    }
                    if new_a.is_some() && new_a != old_a {
                        let mut ev = base(EventKind::AttributeChange, r.lsn);
                        ev.mft_entry = Some(e);
                        ev.attributes = new_a;
                        ev.old_attributes = old_a;
                        ev.time = new_t[2].or(usn_time(e, 0));
                        out.push(ev);
                    }
                } else if ty == Some(DATA) && !c.redo.is_empty() {
                    let mut ev = base(EventKind::ResidentWrite, r.lsn);
                    ev.mft_entry = Some(e);
                    ev.time = usn_time(e, 0);
                    ev.detail = format!(
                        "{} bytes at value offset {}",
                        c.redo.len(),
                        c.attribute_offset.saturating_sub(RESIDENT_VALUE_OFFSET)
                    );
                    out.push(ev);
                }
            }
            Op::SetNewAttributeSizes | Op::UpdateMappingPairs => {
                let Some(e) = entry else { continue };
                if e < 24 || Some(e) == usn_journal {
                    continue;
                }
                let ty = st.attribute_type_at(e, c.record_offset);
                if ty.is_some_and(|t| t != DATA) {
                    continue;
                }
                let mut ev = base(EventKind::NonResidentWrite, r.lsn);
                ev.mft_entry = Some(e);
                ev.time = usn_time(e, 0);
                ev.detail = if c.redo_op == Op::SetNewAttributeSizes {
                    let g = |o| rift_io::bytes::le_u64(&c.redo, o);
                    format!(
                        "sizes: allocated {:?}, valid {:?}, file {:?}",
                        g(0).unwrap_or(0),
                        g(8).unwrap_or(0),
                        g(16).unwrap_or(0)
                    )
                } else {
                    "run list changed".into()
                };
                out.push(ev);
            }
            _ => {}
        }
    }
    // One write event per file and kind per transaction (a growing file
    // logs many size and run-list updates): keep the first LSN and the last
    // detail.
    let mut merged: Vec<FileEvent> = Vec::new();
    for ev in out.drain(start..) {
        let writes = matches!(
            ev.kind,
            EventKind::NonResidentWrite | EventKind::ResidentWrite
        );
        match merged
            .iter_mut()
            .find(|m| writes && m.kind == ev.kind && m.mft_entry == ev.mft_entry)
        {
            Some(m) => {
                m.detail = ev.detail;
                m.time = m.time.or(ev.time);
            }
            None => merged.push(ev),
        }
    }
    // Name the events with what is known at this point of the log.
    for ev in &mut merged {
        if ev.name.is_none() {
            if let Some(n) = ev.mft_entry.and_then(|m| st.names.get(&m)) {
                ev.name = Some(n.name.clone());
                ev.parent = ev.parent.or(Some(n.parent));
            }
        }
    }
    out.append(&mut merged);
    for e in &deleted {
        let rem = removed.iter().find(|(_, f, _)| entry_of(*f) == *e);
        let lsn = recs
            .iter()
            .find(|(_, c, t)| {
                c.redo_op == Op::DeallocateFileRecordSegment
                    && t.and_then(|t| t.mft_entry) == Some(*e)
            })
            .map_or(first.lsn, |(r, _, _)| r.lsn);
        let mut ev = base(EventKind::Delete, lsn);
        ev.mft_entry = Some(*e);
        if let Some((_, f, k)) = rem {
            ev.sequence = Some(seq_of(*f));
            ev.name = Some(k.name.clone());
            ev.old_name = Some(k.name.clone());
            ev.parent = Some(k.parent);
            ev.times = Some(k.times);
            st.removed
                .insert((entry_of(k.parent), k.name.to_lowercase()), k.times[0]);
        } else if let Some(n) = st.names.get(e) {
            ev.name = Some(n.name.clone());
            ev.parent = Some(n.parent);
        }
        ev.time = usn_time(*e, USN_FILE_DELETE);
        out.push(ev);
    }
    // Renames and moves: an entry removed and one added for the same file.
    for (lsn, f, new) in &added {
        let e = entry_of(*f);
        if created.contains(&e) || deleted.contains(&e) {
            continue;
        }
        let Some((_, _, old)) = removed.iter().find(|(_, g, _)| entry_of(*g) == e) else {
            continue;
        };
        if old.parent == new.parent && old.name == new.name {
            continue;
        }
        let kind = if entry_of(old.parent) != entry_of(new.parent) {
            EventKind::Move
        } else {
            EventKind::Rename
        };
        let mut ev = base(kind, *lsn);
        ev.mft_entry = Some(e);
        ev.sequence = Some(seq_of(*f));
        ev.name = Some(new.name.clone());
        ev.parent = Some(new.parent);
        ev.old_name = Some(old.name.clone());
        ev.old_parent = Some(old.parent);
        ev.times = Some(new.times);
        ev.time = usn_time(e, USN_RENAME_NEW_NAME).or(Some(new.times[2]));
        st.removed.insert(
            (entry_of(old.parent), old.name.to_lowercase()),
            old.times[0],
        );
        out.push(ev);
    }
}
