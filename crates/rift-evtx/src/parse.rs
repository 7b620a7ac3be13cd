//! Reading a whole log: file header, chunks in record order, records.
//!
//! We walk the chunks ourselves and hand each to the `evtx` crate's chunk
//! API, instead of using its file-level iterator, so that:
//!
//! * every record knows its chunk number and byte position (EvtxECmd's
//!   `ChunkNumber`; errors are reported with offsets);
//! * a file whose header is damaged is still read chunk by chunk;
//! * a chunk cut short at the end of the file (a truncated copy) is padded
//!   with zeros and its complete records are still read — the crate's own
//!   iterator drops such a chunk silently;
//! * a chunk whose `ElfChnk` magic is damaged is retried with the magic
//!   restored ("salvaged"), since the rest of its header and its records
//!   are often intact;
//! * records hidden inside the bytes of the record before them (the
//!   DanderSpritz `eventlogedit` trick EvtxECmd reports as `HiddenRecord`)
//!   are found and decoded.
//!
//! Chunks are independent (each carries its own string and template
//! tables), so they are decoded in parallel on the rayon pool, a batch at a
//! time, and handed to the caller in order.
//!
//! Sources: libyal `documentation/Windows XML Event Log (EVTX).asciidoc`
//! (file header, chunk header, record layout, CRC32 coverage); MS-EVEN6
//! §2.2 (BinXml); EvtxECmd `evtx/ChunkInfo.cs` (hidden records inside a
//! record's extra data).

use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

use evtx::{EvtxChunkData, ParserSettings};
use rayon::prelude::*;
use rift_io::bytes::{le_u32, le_u64, slice};

use crate::error::{Error, Result};
use crate::maps::MapSet;
use crate::record::EventRecord;

/// Size of the file header block.
pub const FILE_HEADER_SIZE: u64 = 4096;
/// Size of a chunk.
pub const CHUNK_SIZE: usize = 65536;
const CHUNK_HEADER_SIZE: usize = 512;
const RECORD_HEADER_SIZE: usize = 24;
const RECORD_MAGIC: &[u8; 4] = b"\x2a\x2a\x00\x00";
const FILE_MAGIC: &[u8; 8] = b"ElfFile\x00";
const CHUNK_MAGIC: &[u8; 8] = b"ElfChnk\x00";
/// Chunks decoded in parallel per batch (1 MiB of input).
const BATCH: usize = 16;
/// Issues kept in a report; the counters keep counting past it.
const MAX_ISSUES: usize = 10_000;

/// How to read a log.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Also carve stale records from unused chunk space (marked
    /// [`EventRecord::recovered`]). Off by default, as EvtxECmd and
    /// `evtx_dump`.
    pub recover: bool,
    /// Keep each record's full XML in [`EventRecord::xml`].
    pub keep_xml: bool,
    /// Leave [`EventRecord::event_data`] empty (saves a third of the work
    /// when only the CSV/JSON layouts are wanted: `payload` has the same
    /// values).
    pub skip_event_data: bool,
}

/// What went wrong, where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub enum IssueKind {
    /// The file header is not `ElfFile` or its CRC32 does not match.
    FileHeader,
    /// A chunk whose header cannot be read (its records are lost unless
    /// salvaged).
    BadChunk,
    /// A chunk whose `ElfChnk` magic was damaged and which was read anyway.
    SalvagedChunk,
    /// The file ends inside this chunk; its complete records were read.
    TruncatedChunk,
    /// A chunk's header or records CRC32 does not match (dirty chunk; its
    /// records were read anyway).
    ChunkChecksum,
    /// A record that could not be read or rendered.
    BadRecord,
    /// A record whose rendered XML could not be parsed (header facts kept).
    BadXml,
    /// Bytes past the header's chunk count that are not a chunk (no
    /// records lost; informational).
    NotAChunk,
    /// A record found hidden inside another record's bytes (a sign of log
    /// tampering; the record is output with `hidden` set).
    HiddenRecord,
}

/// One problem in a log, with its byte position.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Issue {
    /// What kind.
    pub kind: IssueKind,
    /// Chunk number, when it is about a chunk or a record.
    pub chunk: Option<u64>,
    /// Byte position in the file.
    pub offset: u64,
    /// Record number (from the record header), when known.
    pub record_number: Option<u64>,
    /// The decoder's message.
    pub message: String,
}

/// The file header's facts.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FileHeader {
    /// `ElfFile` magic present.
    pub valid_magic: bool,
    /// CRC32 of bytes 0..120 matches.
    pub checksum_ok: bool,
    /// First chunk number.
    pub first_chunk: u64,
    /// Last chunk number.
    pub last_chunk: u64,
    /// Next record ID to be written.
    pub next_record_id: u64,
    /// Major / minor version (3.1 or 3.2).
    pub version: (u16, u16),
    /// Chunk count in the header.
    pub chunk_count: u16,
    /// Flags: 0x1 dirty, 0x2 full, 0x4 no CRC32.
    pub flags: u32,
}

/// Per-file results: counts and the issues found, each with its offset.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FileReport {
    /// The source name given by the caller.
    pub source: String,
    /// Input size in bytes.
    pub size: u64,
    /// The file header.
    pub header: FileHeader,
    /// Chunk slots in the file (incl. a trailing partial one).
    pub chunks: u64,
    /// Chunks that were all zeros.
    pub empty_chunks: u64,
    /// Chunks whose header could not be read at all.
    pub bad_chunks: u64,
    /// Slots past the header's chunk count that hold no chunk (leftover
    /// bytes at the end of the file; not counted as errors).
    pub leftover_chunks: u64,
    /// Chunks read although their magic was damaged.
    pub salvaged_chunks: u64,
    /// Chunks with a CRC32 mismatch (read anyway).
    pub checksum_mismatches: u64,
    /// Live records read.
    pub records: u64,
    /// Records carved from unused space ([`ParseOptions::recover`]).
    pub recovered: u64,
    /// Records found hidden inside other records.
    pub hidden: u64,
    /// Records that failed to decode (live ones; failed carving candidates
    /// are noise and not counted).
    pub record_errors: u64,
    /// Records whose XML did not parse (kept with header facts only).
    pub xml_errors: u64,
    /// Details, capped at 10 000 entries.
    pub issues: Vec<Issue>,
}

impl FileReport {
    /// Errors that lost data: unreadable chunks plus undecodable records.
    pub fn errors(&self) -> u64 {
        self.bad_chunks + self.record_errors
    }

    /// All records emitted.
    pub fn total_records(&self) -> u64 {
        self.records + self.recovered + self.hidden
    }

    fn push(&mut self, issue: Issue) {
        if self.issues.len() < MAX_ISSUES {
            self.issues.push(issue);
        }
    }
}

/// Parses the 128-byte file header.
pub fn parse_file_header(buf: &[u8]) -> FileHeader {
    let valid_magic = slice(buf, 0, 8) == Some(FILE_MAGIC.as_slice());
    let checksum_ok = match (slice(buf, 0, 120), le_u32(buf, 124)) {
        (Some(b), Some(crc)) => crc32fast::hash(b) == crc,
        _ => false,
    };
    FileHeader {
        valid_magic,
        checksum_ok,
        first_chunk: le_u64(buf, 8).unwrap_or(0),
        last_chunk: le_u64(buf, 16).unwrap_or(0),
        next_record_id: le_u64(buf, 24).unwrap_or(0),
        version: (
            rift_io::bytes::le_u16(buf, 38).unwrap_or(0),
            rift_io::bytes::le_u16(buf, 36).unwrap_or(0),
        ),
        chunk_count: rift_io::bytes::le_u16(buf, 42).unwrap_or(0),
        flags: le_u32(buf, 120).unwrap_or(0),
    }
}

/// A chunk slot read from the input.
struct Slot {
    number: u64,
    offset: u64,
    data: Vec<u8>,
    /// Bytes actually present when the file ends inside the chunk.
    truncated: Option<usize>,
}

/// What decoding one chunk produced.
#[derive(Default)]
struct ChunkOutcome {
    records: Vec<EventRecord>,
    issues: Vec<Issue>,
    empty: bool,
    bad: bool,
    leftover: bool,
    salvaged: bool,
    checksum: bool,
    live: u64,
    recovered: u64,
    hidden: u64,
    record_errors: u64,
    xml_errors: u64,
}

/// Shared settings for every chunk of a log.
struct Ctx<'a> {
    settings: Arc<ParserSettings>,
    /// Carving on: for chunks whose header is damaged.
    salvage: Arc<ParserSettings>,
    /// Chunk count from a valid file header (slots past it that are not
    /// chunks are leftover bytes, not damage).
    header_chunks: Option<u64>,
    maps: &'a MapSet,
    opts: &'a ParseOptions,
    source: Arc<str>,
}

fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(buf.get_mut(n..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Parses a log from any seekable reader, calling `sink` with each record
/// in record order. Returns the per-file report; `Err` only when the input
/// cannot be read or is not an event log at all.
pub fn parse_evtx<R: Read + Seek>(
    mut reader: R,
    source: &str,
    maps: &MapSet,
    opts: &ParseOptions,
    mut sink: impl FnMut(EventRecord),
) -> Result<FileReport> {
    let io = |position: u64| move |source| Error::Io { position, source };
    let size = reader.seek(SeekFrom::End(0)).map_err(io(0))?;
    reader.seek(SeekFrom::Start(0)).map_err(io(0))?;
    let mut head = vec![0u8; FILE_HEADER_SIZE.min(size) as usize];
    read_full(&mut reader, &mut head).map_err(io(0))?;
    let header = parse_file_header(&head);
    let mut report = FileReport {
        source: source.to_owned(),
        size,
        header: header.clone(),
        ..FileReport::default()
    };
    // Flag 0x4: the writer keeps no CRC32s (seen in real logs); not damage.
    let crc_kept = header.flags & 0x4 == 0;
    if !header.valid_magic || (crc_kept && !header.checksum_ok) {
        report.push(Issue {
            kind: IssueKind::FileHeader,
            chunk: None,
            offset: 0,
            record_number: None,
            message: if header.valid_magic {
                "file header CRC32 does not match (header is stale or damaged; chunks read anyway)"
                    .into()
            } else {
                "no `ElfFile` magic (chunks read anyway)".into()
            },
        });
    }
    let slots = size
        .saturating_sub(FILE_HEADER_SIZE)
        .div_ceil(CHUNK_SIZE as u64);
    report.chunks = slots;

    // Record order: start at the chunk holding the oldest records (a full
    // log wraps around), as Windows and the evtx crate read it.
    let mut oldest: Option<(u64, u64)> = None;
    let mut any_chunk_magic = false;
    let mut hdr = [0u8; 48];
    for n in 0..slots {
        let off = FILE_HEADER_SIZE + n * CHUNK_SIZE as u64;
        reader.seek(SeekFrom::Start(off)).map_err(io(off))?;
        let got = read_full(&mut reader, &mut hdr).map_err(io(off))?;
        if got < hdr.len() || slice(&hdr, 0, 8) != Some(CHUNK_MAGIC.as_slice()) {
            continue;
        }
        any_chunk_magic = true;
        let (first, last) = (le_u64(&hdr, 24).unwrap_or(0), le_u64(&hdr, 32).unwrap_or(0));
        if first <= last && oldest.is_none_or(|(id, _)| first < id) {
            oldest = Some((first, n));
        }
    }
    if !header.valid_magic && !any_chunk_magic {
        return Err(Error::NotEvtx { size });
    }
    let start = oldest.map_or(0, |(_, n)| n);
    let order: Vec<u64> = (start..slots).chain(0..start).collect();

    let ctx = Ctx {
        settings: Arc::new(
            ParserSettings::new()
                .num_threads(1)
                .indent(false)
                .recover_records(opts.recover),
        ),
        salvage: Arc::new(
            ParserSettings::new()
                .num_threads(1)
                .indent(false)
                .recover_records(true),
        ),
        header_chunks: (header.valid_magic && (header.checksum_ok || !crc_kept))
            .then_some(u64::from(header.chunk_count)),
        maps,
        opts,
        source: Arc::from(source),
    };
    for batch in order.chunks(BATCH) {
        let mut slots_data = Vec::with_capacity(batch.len());
        for &n in batch {
            let off = FILE_HEADER_SIZE + n * CHUNK_SIZE as u64;
            reader.seek(SeekFrom::Start(off)).map_err(io(off))?;
            let mut data = vec![0u8; CHUNK_SIZE];
            let got = read_full(&mut reader, &mut data).map_err(io(off))?;
            slots_data.push(Slot {
                number: n,
                offset: off,
                data,
                truncated: (got < CHUNK_SIZE).then_some(got),
            });
        }
        let outcomes: Vec<ChunkOutcome> = slots_data
            .into_par_iter()
            .map(|slot| decode_chunk(slot, &ctx))
            .collect();
        for o in outcomes {
            report.empty_chunks += u64::from(o.empty);
            report.bad_chunks += u64::from(o.bad);
            report.leftover_chunks += u64::from(o.leftover);
            report.salvaged_chunks += u64::from(o.salvaged);
            report.checksum_mismatches += u64::from(o.checksum);
            report.records += o.live;
            report.recovered += o.recovered;
            report.hidden += o.hidden;
            report.record_errors += o.record_errors;
            report.xml_errors += o.xml_errors;
            for i in o.issues {
                report.push(i);
            }
            for r in o.records {
                sink(r);
            }
        }
    }
    Ok(report)
}

/// Parses a whole log held in memory.
pub fn parse_evtx_bytes(
    data: &[u8],
    source: &str,
    maps: &MapSet,
    opts: &ParseOptions,
    sink: impl FnMut(EventRecord),
) -> Result<FileReport> {
    parse_evtx(std::io::Cursor::new(data), source, maps, opts, sink)
}

/// Parses a whole log and returns its records with the report.
pub fn parse_evtx_all<R: Read + Seek>(
    reader: R,
    source: &str,
    maps: &MapSet,
    opts: &ParseOptions,
) -> Result<(Vec<EventRecord>, FileReport)> {
    let mut records = Vec::new();
    let report = parse_evtx(reader, source, maps, opts, |r| records.push(r))?;
    Ok((records, report))
}

/// The message of an error and its sources, one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// Offsets of record headers in a chunk, by record number (for error
/// positions the crate reports by record number only).
fn record_offsets(data: &[u8]) -> Vec<(u64, usize)> {
    memchr::memmem::find_iter(data, RECORD_MAGIC)
        .filter(|&p| p >= CHUNK_HEADER_SIZE)
        .filter_map(|p| le_u64(data, p + 8).map(|id| (id, p)))
        .collect()
}

fn decode_chunk(slot: Slot, ctx: &Ctx<'_>) -> ChunkOutcome {
    let mut out = ChunkOutcome::default();
    if slot.data.iter().all(|&b| b == 0) {
        out.empty = true;
        return out;
    }
    let number = slot.number;
    let issue = |kind, offset: u64, record_number, message: String| Issue {
        kind,
        chunk: Some(number),
        offset,
        record_number,
        message,
    };
    if let Some(got) = slot.truncated {
        out.issues.push(issue(
            IssueKind::TruncatedChunk,
            slot.offset,
            None,
            format!("the file ends {got} bytes into this chunk; complete records were read"),
        ));
    }
    let valid_len = slot.truncated.unwrap_or(CHUNK_SIZE);
    let mut data = slot.data;
    if slice(&data, 0, 8) != Some(CHUNK_MAGIC.as_slice()) {
        // A damaged magic: the rest of the header (string and template
        // tables) and the records are often fine. Try with the magic back.
        let found = slice(&data, 0, 8)
            .map(|m| format!("{m:02x?}"))
            .unwrap_or_default();
        if let Some(m) = data.get_mut(0..8) {
            m.copy_from_slice(CHUNK_MAGIC);
        }
        match try_decode(
            data,
            valid_len,
            number,
            slot.offset,
            ctx,
            &ctx.salvage,
            &mut out,
        ) {
            Ok(()) if out.live + out.recovered > 0 => {
                out.salvaged = true;
                out.issues.insert(
                    0,
                    issue(
                        IssueKind::SalvagedChunk,
                        slot.offset,
                        None,
                        format!(
                            "chunk magic damaged (found {found}); read {} records with it restored",
                            out.live + out.recovered
                        ),
                    ),
                );
            }
            _ => {
                let keep_truncated: Vec<Issue> = out
                    .issues
                    .drain(..)
                    .filter(|i| i.kind == IssueKind::TruncatedChunk)
                    .collect();
                // Past the chunk count of an intact file header, bytes that
                // are not a chunk are leftovers, not a damaged chunk.
                let leftover = ctx.header_chunks.is_some_and(|c| number >= c);
                out = ChunkOutcome {
                    issues: keep_truncated,
                    bad: !leftover,
                    leftover,
                    ..ChunkOutcome::default()
                };
                out.issues.push(if leftover {
                    issue(
                        IssueKind::NotAChunk,
                        slot.offset,
                        None,
                        format!("no chunk here (magic {found}, past the header's chunk count); no records in it"),
                    )
                } else {
                    issue(
                        IssueKind::BadChunk,
                        slot.offset,
                        None,
                        format!("invalid chunk magic {found}; no records could be read from it"),
                    )
                });
            }
        }
        return out;
    }
    if let Err(msg) = try_decode(
        data,
        valid_len,
        number,
        slot.offset,
        ctx,
        &ctx.settings,
        &mut out,
    ) {
        out.bad = true;
        out.issues
            .push(issue(IssueKind::BadChunk, slot.offset, None, msg));
    }
    out
}

/// Decodes one chunk's records into `out`. `Err` when the chunk header or
/// its string table cannot be used at all.
fn try_decode(
    data: Vec<u8>,
    valid_len: usize,
    number: u64,
    chunk_offset: u64,
    ctx: &Ctx<'_>,
    settings: &Arc<ParserSettings>,
    out: &mut ChunkOutcome,
) -> std::result::Result<(), String> {
    let mut chunk_data =
        EvtxChunkData::new(data, false).map_err(|e| format!("chunk header: {}", chain(&e)))?;
    chunk_data.number = Some(number);
    let flags = chunk_data.header.flags.bits();
    if flags & 0x4 == 0
        && (!chunk_data.validate_header_checksum() || !chunk_data.validate_data_checksum())
    {
        out.checksum = true;
        out.issues.push(Issue {
            kind: IssueKind::ChunkChecksum,
            chunk: Some(number),
            offset: chunk_offset,
            record_number: None,
            message: format!(
                "chunk CRC32 mismatch (header {}, records {}); records read anyway",
                if chunk_data.validate_header_checksum() {
                    "ok"
                } else {
                    "bad"
                },
                if chunk_data.validate_data_checksum() {
                    "ok"
                } else {
                    "bad"
                },
            ),
        });
    }
    let hidden = find_hidden(&chunk_data.data, &chunk_data.header);
    let mut chunk = chunk_data
        .parse(Arc::clone(settings))
        .map_err(|e| format!("chunk tables: {}", chain(&e)))?;
    let data: &[u8] = chunk.data;
    let mut offsets: Option<Vec<(u64, usize)>> = None;
    let mut offset_of = |id: u64| -> u64 {
        let offs = offsets.get_or_insert_with(|| record_offsets(data));
        chunk_offset
            + offs
                .iter()
                .find(|(i, _)| *i == id)
                .map_or(0, |(_, p)| *p as u64)
    };
    for item in chunk.iter() {
        match item {
            Ok(rec) => {
                let recovered = rec.recovered;
                let rel = rec.binxml_offset.saturating_sub(RECORD_HEADER_SIZE as u64);
                let id = rec.event_record_id;
                let written = Some(rec.timestamp);
                // In a chunk cut short by the end of the file, a record
                // running past the cut was rendered from padding: drop it.
                let end = le_u32(data, rel as usize + 4).map_or(0, |s| rel as usize + s as usize);
                if end > valid_len {
                    if !recovered {
                        out.record_errors += 1;
                        out.issues.push(Issue {
                            kind: IssueKind::BadRecord,
                            chunk: Some(number),
                            offset: chunk_offset + rel,
                            record_number: Some(id),
                            message: format!(
                                "record runs past the end of the file ({} of its {} bytes present); dropped",
                                valid_len.saturating_sub(rel as usize),
                                end - rel as usize
                            ),
                        });
                    }
                    continue;
                }
                match rec.into_xml_bytes() {
                    Ok(s) => {
                        let mut r = EventRecord::bare(Arc::clone(&ctx.source), id, written);
                        r.chunk_number = number;
                        r.file_offset = chunk_offset + rel;
                        r.recovered = recovered;
                        if let Some(h) = hidden.iter().find(|h| h.outer == rel as usize) {
                            r.extra_data_offset = (h.inner - h.outer) as u64;
                        }
                        let bad_xml = fill(&mut r, s.data, ctx);
                        // A carved hit whose names came from an overwritten
                        // string table renders as tag soup; without even an
                        // event ID it is noise, as carving misses are.
                        if recovered && r.event_id.is_none() {
                            continue;
                        }
                        if bad_xml {
                            out.xml_errors += 1;
                            out.issues.push(Issue {
                                kind: IssueKind::BadXml,
                                chunk: Some(number),
                                offset: r.file_offset,
                                record_number: Some(id),
                                message:
                                    "rendered XML is not a recognisable event; header facts kept"
                                        .into(),
                            });
                        }
                        if recovered {
                            out.recovered += 1;
                        } else {
                            out.live += 1;
                        }
                        out.records.push(r);
                    }
                    // Carving candidates that do not render are noise.
                    Err(_) if recovered => {}
                    Err(e) => {
                        out.record_errors += 1;
                        out.issues.push(Issue {
                            kind: IssueKind::BadRecord,
                            chunk: Some(number),
                            offset: chunk_offset + rel,
                            record_number: Some(id),
                            message: chain(&e),
                        });
                    }
                }
            }
            Err(e) => {
                let (offset, record_number) = match &e {
                    evtx::err::EvtxError::FailedToReadRecordAt { offset, .. } => {
                        let id = le_u64(data, *offset as usize + 8).filter(|_| {
                            slice(data, *offset as usize, 4) == Some(RECORD_MAGIC.as_slice())
                        });
                        (chunk_offset + offset, id)
                    }
                    evtx::err::EvtxError::FailedToParseRecord { record_id, .. } => {
                        (offset_of(*record_id), Some(*record_id))
                    }
                    _ => (chunk_offset, None),
                };
                out.record_errors += 1;
                out.issues.push(Issue {
                    kind: IssueKind::BadRecord,
                    chunk: Some(number),
                    offset,
                    record_number,
                    message: chain(&e),
                });
            }
        }
    }
    drop(chunk);
    for h in &hidden {
        if let Some(r) = decode_hidden(data, number, chunk_offset, h, ctx) {
            out.hidden += 1;
            out.issues.push(Issue {
                kind: IssueKind::HiddenRecord,
                chunk: Some(number),
                offset: r.file_offset,
                record_number: Some(r.record_number),
                message: format!(
                    "record hidden inside the record at {:#x} (its size was enlarged to cover it)",
                    chunk_offset + h.outer as u64
                ),
            });
            // Place it right after the record that hides it.
            let pos = out
                .records
                .iter()
                .position(|x| x.file_offset == chunk_offset + h.outer as u64)
                .map_or(out.records.len(), |p| p + 1);
            out.records.insert(pos, r);
        }
    }
    Ok(())
}

/// Fills a record from rendered XML; `true` when the XML is not a
/// recognisable event (no `Event` element with a `System` part).
fn fill(r: &mut EventRecord, xml: Vec<u8>, ctx: &Ctx<'_>) -> bool {
    let text = match String::from_utf8(xml) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    let doc = crate::xml::Doc::parse(&text);
    let bad = !doc
        .root_element()
        .is_some_and(|e| e.name() == "Event" && e.child("System").is_some());
    r.fill_from_xml(&doc, ctx.maps, !ctx.opts.skip_event_data);
    drop(doc);
    if ctx.opts.keep_xml || bad {
        r.xml = Some(text);
    }
    bad
}

/// A record found inside another record's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Hidden {
    /// Chunk offset of the record that covers it.
    outer: usize,
    /// Chunk offset of the hidden record.
    inner: usize,
}

/// A record header at `pos`: magic and a size of at least 28 bytes that
/// ends by `end`. Returns the size.
fn record_at(data: &[u8], pos: usize, end: usize) -> Option<usize> {
    if slice(data, pos, 4)? != RECORD_MAGIC.as_slice() {
        return None;
    }
    let size = le_u32(data, pos + 4)? as usize;
    let stop = pos.checked_add(size)?;
    (size >= RECORD_HEADER_SIZE + 4 && stop <= end).then_some(size)
}

/// FILETIMEs between 1990 and 2100: what a real record header carries.
fn plausible_filetime(ft: u64) -> bool {
    (0x01b4_1e2a_18d6_4000..0x022f_7163_7764_0000).contains(&ft)
}

/// Walks the live records and looks, inside each one's bytes, for another
/// record: magic, a size that fits, a BinXML fragment header (0x0f) and a
/// plausible time, with a different record number. That is what is left
/// when a record is removed by enlarging the one before it over it (the
/// DanderSpritz `eventlogedit` technique): its bytes are intact, only its
/// trailing size copy is overwritten.
fn find_hidden(data: &[u8], header: &evtx::EvtxChunkHeader) -> Vec<Hidden> {
    let mut found = Vec::new();
    let end = (header.free_space_offset as usize).min(data.len());
    let mut pos = CHUNK_HEADER_SIZE;
    while pos + RECORD_HEADER_SIZE <= end {
        let Some(size) = record_at(data, pos, end) else {
            break;
        };
        let outer_id = le_u64(data, pos + 8);
        let stop = pos + size;
        let inner_area =
            slice(data, pos + RECORD_HEADER_SIZE, size - RECORD_HEADER_SIZE).unwrap_or_default();
        for hit in memchr::memmem::find_iter(inner_area, RECORD_MAGIC) {
            let inner = pos + RECORD_HEADER_SIZE + hit;
            if record_at(data, inner, stop).is_some()
                && le_u64(data, inner + 8) != outer_id
                && rift_io::bytes::u8_at(data, inner + RECORD_HEADER_SIZE) == Some(0x0f)
                && le_u64(data, inner + 16).is_some_and(plausible_filetime)
            {
                found.push(Hidden { outer: pos, inner });
                break;
            }
        }
        pos = stop;
    }
    found
}

/// Decodes a hidden record by shortening the record that covers it in a
/// copy of the chunk, so the crate walks onto it as a live record.
fn decode_hidden(
    data: &[u8],
    number: u64,
    chunk_offset: u64,
    h: &Hidden,
    ctx: &Ctx<'_>,
) -> Option<EventRecord> {
    let mut patched = data.to_vec();
    let outer_size = le_u32(data, h.outer + 4)? as usize;
    let new_outer = u32::try_from(h.inner - h.outer).ok()?;
    let new_inner = u32::try_from(h.outer + outer_size - h.inner).ok()?;
    patched
        .get_mut(h.outer + 4..h.outer + 8)?
        .copy_from_slice(&new_outer.to_le_bytes());
    patched
        .get_mut(h.inner + 4..h.inner + 8)?
        .copy_from_slice(&new_inner.to_le_bytes());
    let mut chunk_data = EvtxChunkData::new(patched, false).ok()?;
    chunk_data.number = Some(number);
    let mut chunk = chunk_data.parse(Arc::clone(&ctx.settings)).ok()?;
    let want = (h.inner + RECORD_HEADER_SIZE) as u64;
    for item in chunk.iter() {
        let Ok(rec) = item else { continue };
        if rec.binxml_offset != want || rec.recovered {
            continue;
        }
        let id = rec.event_record_id;
        let written = Some(rec.timestamp);
        let s = rec.into_xml_bytes().ok()?;
        let mut r = EventRecord::bare(Arc::clone(&ctx.source), id, written);
        r.chunk_number = number;
        r.file_offset = chunk_offset + h.inner as u64;
        r.hidden = true;
        fill(&mut r, s.data, ctx);
        return Some(r);
    }
    None
}
