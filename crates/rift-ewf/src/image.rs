//! Opening a segment set and reading the media.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io;
use std::sync::{Arc, Mutex};

use flate2::Decompress;
use rift_io::{ReadAt, SharedReader};

use crate::cache::ChunkCache;
use crate::chunk::{self, BadChunk, BadChunkReason, ChunkLoc, ChunkMap, TableSpan};
use crate::header::{self, HeaderKind, Metadata};
use crate::records::{self, SectorRange, Session};
use crate::section::{self, ChainEnd, SectionInfo, read_full};
use crate::table::{self, Table};
use crate::volume::{self, MediaInfo};
use crate::{Error, Result};

/// Header sections are a few hundred bytes; never read more than this.
const MAX_HEADER_SECTION: u64 = 16 << 20;
/// Bytes of decoded chunks kept in the cache.
const CACHE_BUDGET: u64 = 16 << 20;

/// Something odd found while opening that does not stop reading: a
/// descriptor checksum failure, a damaged table replaced by `table2`, a
/// truncated segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Segment number (1-based).
    pub segment: u32,
    /// Byte position in that segment file.
    pub offset: u64,
    /// What was found.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "segment {} at byte position {:#x}: {}",
            self.segment, self.offset, self.message
        )
    }
}

/// One segment file of the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentInfo {
    /// Segment number from the file header.
    pub number: u32,
    /// File size in bytes.
    pub size: u64,
    /// The sections, in chain order.
    pub sections: Vec<SectionInfo>,
    /// Whether the chain ended properly (`next` or `done`).
    pub complete: bool,
}

/// Everything the container says about the evidence.
#[derive(Debug, Clone)]
pub struct EwfInfo {
    /// `"EVF"` (E01/S01 disk image) or `"LVF"` (L01 logical evidence).
    pub signature: &'static str,
    /// A best guess at the writer family from the section layout (libewf's
    /// "file format"), e.g. `"EnCase 6"`, `"FTK Imager / EnCase 2-3 / linen"`.
    pub format_guess: &'static str,
    /// Case metadata.
    pub metadata: Metadata,
    /// Media geometry.
    pub media: MediaInfo,
    /// MD5 of the media stored by the acquisition tool (`hash`/`digest`).
    pub stored_md5: Option<[u8; 16]>,
    /// SHA-1 of the media stored by the acquisition tool (`digest`).
    pub stored_sha1: Option<[u8; 20]>,
    /// Sector ranges the acquisition tool could not read (`error2`); EnCase
    /// fills them with zeros.
    pub acquisition_errors: Vec<SectorRange>,
    /// Optical sessions (`session`).
    pub sessions: Vec<Session>,
    /// The segment files.
    pub segments: Vec<SegmentInfo>,
    /// Non-fatal problems found while opening.
    pub warnings: Vec<Warning>,
}

/// An opened EWF image: the media as a thread-safe positional reader.
///
/// Reads verify every chunk (zlib's Adler-32 for compressed chunks, the
/// trailing Adler-32 for the others). A chunk that fails reads as zeros and
/// is recorded in [`EwfImage::bad_chunks`].
pub struct EwfImage {
    pub(crate) segments: Vec<SharedReader>,
    info: EwfInfo,
    pub(crate) map: ChunkMap,
    pub(crate) chunk_size: u64,
    media_size: u64,
    pub(crate) chunk_count: u64,
    pub(crate) max_stored: u64,
    cache: ChunkCache,
    bad: Mutex<BTreeMap<u64, BadChunk>>,
}

impl std::fmt::Debug for EwfImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EwfImage")
            .field("media_size", &self.media_size)
            .field("chunk_size", &self.chunk_size)
            .field("chunk_count", &self.chunk_count)
            .field("segments", &self.segments.len())
            .finish_non_exhaustive()
    }
}

thread_local! {
    /// One inflater per thread: creating one allocates its window.
    static INFLATER: RefCell<Decompress> = RefCell::new(Decompress::new(true));
}

/// Runs `f` with this thread's inflater.
pub(crate) fn with_inflater<T>(f: impl FnOnce(&mut Decompress) -> T) -> T {
    INFLATER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut d) => f(&mut d),
        // Re-entrant use (cannot happen today): use a fresh one.
        Err(_) => f(&mut Decompress::new(true)),
    })
}

/// Per-segment result of walking the chain.
struct Walked {
    sections: Vec<SectionInfo>,
    end: ChainEnd,
}

/// A table group: a `table` with its `table2` mirror and the end of the
/// chunk data it describes.
struct Group {
    table: Option<Table>,
    table2: Option<Table>,
    table_offset: u64,
    last_end: u64,
}

impl EwfImage {
    /// Opens a segment set: `segments[0]` is `.E01`, `segments[1]` `.E02`, ….
    ///
    /// Fails when a segment is not EWF, the numbers are out of order, the
    /// last segment announces another one ([`Error::MissingSegment`]), or
    /// no media geometry can be found. Everything else is a [`Warning`] or,
    /// later, a [`BadChunk`].
    pub fn open(segments: Vec<SharedReader>) -> Result<EwfImage> {
        if segments.is_empty() {
            return Err(Error::NoSegments);
        }
        let mut warnings = Vec::new();
        let mut signature = "EVF";
        let mut walked = Vec::with_capacity(segments.len());
        let mut seg_infos = Vec::with_capacity(segments.len());
        for (i, r) in segments.iter().enumerate() {
            let position = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let number = section::read_file_header(r.as_ref(), position)?;
            if u32::from(number) != position {
                return Err(Error::SegmentNumber {
                    position_in_set: position,
                    expected: position,
                    found: u32::from(number),
                });
            }
            if i == 0 {
                let mut head = [0u8; 3];
                let _ = read_full(r.as_ref(), 0, &mut head);
                if &head == b"LVF" {
                    signature = "LVF";
                }
            }
            let (sections, end) = section::walk(r.as_ref(), position, &mut warnings)?;
            seg_infos.push(SegmentInfo {
                number: position,
                size: r.size(),
                sections: sections.clone(),
                complete: end != ChainEnd::Broken,
            });
            walked.push(Walked { sections, end });
        }
        let last = walked.len();
        if let Some(w) = walked.last()
            && w.end == ChainEnd::Next
        {
            return Err(Error::MissingSegment {
                number: u32::try_from(last + 1).unwrap_or(u32::MAX),
                expected_path: None,
            });
        }
        for (i, w) in walked.iter().enumerate() {
            if w.end == ChainEnd::Done && i + 1 < last {
                warnings.push(Warning {
                    segment: (i + 1) as u32,
                    offset: w.sections.last().map_or(0, |s| s.offset),
                    message:
                        "`done` section before the last segment; later segments are read anyway"
                            .into(),
                });
            }
        }

        let metadata = read_metadata(&segments, &walked, &mut warnings)?;
        let media = read_media(&segments, &walked, &mut warnings)?;
        let mut info = EwfInfo {
            signature,
            format_guess: "",
            metadata,
            media,
            stored_md5: None,
            stored_sha1: None,
            acquisition_errors: Vec::new(),
            sessions: Vec::new(),
            segments: seg_infos,
            warnings: Vec::new(),
        };
        info.format_guess = guess_format(&walked, &info);
        read_records(&segments, &walked, &mut info, &mut warnings)?;

        let chunk_size = info.media.chunk_size();
        let media_size = info.media.media_size();
        let chunk_count = media_size.div_ceil(chunk_size);
        if chunk_count != u64::from(info.media.chunk_count) {
            warnings.push(Warning {
                segment: 1,
                offset: 0,
                message: format!(
                    "volume section says {} chunks but {} sectors of {} bytes need {chunk_count}",
                    info.media.chunk_count, info.media.sector_count, info.media.bytes_per_sector
                ),
            });
        }
        // zlib's worst case is a few bytes per 16 KiB over the input; anything
        // larger than this is not one chunk.
        let max_stored = chunk_size + chunk_size / 16 + 1024;
        let map = build_chunk_map(
            &segments,
            &walked,
            chunk_size,
            chunk_count,
            max_stored,
            &mut warnings,
        )?;
        info.warnings = warnings;
        Ok(EwfImage {
            segments,
            info,
            map,
            chunk_size,
            media_size,
            chunk_count,
            max_stored,
            cache: ChunkCache::new(CACHE_BUDGET, chunk_size),
            bad: Mutex::new(BTreeMap::new()),
        })
    }

    /// Container metadata.
    pub fn info(&self) -> &EwfInfo {
        &self.info
    }

    /// Media size in bytes.
    pub fn media_size(&self) -> u64 {
        self.media_size
    }

    /// Chunk size in bytes.
    pub fn chunk_size(&self) -> u64 {
        self.chunk_size
    }

    /// Number of chunks of the media.
    pub fn chunk_count(&self) -> u64 {
        self.chunk_count
    }

    /// Chunks found bad so far (by reads or [`EwfImage::stream`]), in chunk
    /// order; consecutive chunks failing for the same kind of reason are
    /// one record ([`BadChunk::chunks`]). Only chunks actually read are known: stream the whole media
    /// (as `rift verify` does) to find them all.
    pub fn bad_chunks(&self) -> Vec<BadChunk> {
        self.bad
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// Media bytes of chunk `i` (the last chunk may be short).
    pub(crate) fn chunk_len(&self, i: u64) -> u64 {
        let start = i.saturating_mul(self.chunk_size);
        self.media_size.saturating_sub(start).min(self.chunk_size)
    }

    pub(crate) fn record_bad(&self, chunk: u64, loc: Option<ChunkLoc>, reason: BadChunkReason) {
        let len = self.chunk_len(chunk);
        let mut bad = self.bad.lock().unwrap_or_else(|p| p.into_inner());
        let kind = std::mem::discriminant(&reason);
        // Already covered by a run?
        if let Some((_, prev)) = bad.range(..=chunk).next_back()
            && chunk < prev.chunk + prev.chunks
        {
            return;
        }
        // Extend the run ending just before, or absorb the one just after.
        let mut start = chunk;
        let mut chunks = 1u64;
        let mut total = len;
        let mut first = None;
        if let Some((&k, prev)) = bad.range(..chunk).next_back()
            && prev.chunk + prev.chunks == chunk
            && std::mem::discriminant(&prev.reason) == kind
        {
            start = k;
            chunks += prev.chunks;
            total += prev.len;
            first = bad.remove(&k);
        }
        if let Some(next) = bad.get(&(chunk + 1))
            && std::mem::discriminant(&next.reason) == kind
            && let Some(next) = bad.remove(&(chunk + 1))
        {
            chunks += next.chunks;
            total += next.len;
        }
        let bc = match first {
            Some(mut f) => {
                f.chunks = chunks;
                f.len = total;
                f
            }
            None => BadChunk {
                chunk: start,
                chunks,
                media_offset: start.saturating_mul(self.chunk_size),
                len: total,
                segment: loc.map(|l| (l.segment + 1) as u32),
                file_offset: loc.map(|l| l.offset),
                stored_size: loc.map(|l| l.stored_len),
                compressed: loc.map(|l| l.compressed),
                reason,
            },
        };
        bad.insert(start, bc);
    }

    /// Number of bad chunks found so far (runs counted chunk by chunk).
    pub fn bad_chunk_count(&self) -> u64 {
        self.bad
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .map(|b| b.chunks)
            .sum()
    }

    /// Where chunk `i` is stored: `Ok(loc)`, or the reason it cannot be read
    /// with whatever location is known.
    pub(crate) fn locate(&self, i: u64) -> Result<ChunkLoc, (Option<ChunkLoc>, BadChunkReason)> {
        match self.map.locate(i, self.max_stored) {
            None => Err((None, BadChunkReason::Missing)),
            Some(Err(loc)) => Err((Some(loc), BadChunkReason::InvalidTableEntry)),
            Some(Ok(loc)) => Ok(loc),
        }
    }

    /// Decodes chunk `i` into `out` (its exact media length). Bad chunks are
    /// zero-filled and recorded; only real I/O errors are returned.
    pub(crate) fn read_chunk_into(
        &self,
        i: u64,
        out: &mut [u8],
        scratch: &mut Vec<u8>,
    ) -> io::Result<()> {
        let loc = match self.locate(i) {
            Ok(l) => l,
            Err((loc, reason)) => {
                out.fill(0);
                self.record_bad(i, loc, reason);
                return Ok(());
            }
        };
        let Some(seg) = self.segments.get(loc.segment) else {
            out.fill(0);
            self.record_bad(i, Some(loc), BadChunkReason::Missing);
            return Ok(());
        };
        // stored_len ≤ max_stored, which is bounded by the chunk size.
        scratch.resize(loc.stored_len as usize, 0);
        let got = read_full(seg.as_ref(), loc.offset, scratch)?;
        let raw = scratch.get(..got).unwrap_or_default();
        self.decode_raw(i, loc, raw, out);
        Ok(())
    }

    /// Decodes stored bytes (possibly short at the end of a segment).
    pub(crate) fn decode_raw(&self, i: u64, loc: ChunkLoc, raw: &[u8], out: &mut [u8]) {
        let res = with_inflater(|inf| chunk::decode(raw, loc.compressed, out, inf));
        if let Err(mut reason) = res {
            if (raw.len() as u64) < loc.stored_len {
                reason = BadChunkReason::PastEndOfSegment {
                    needed: loc.stored_len,
                    available: raw.len() as u64,
                };
            }
            self.record_bad(i, Some(loc), reason);
        }
    }

    /// Chunk `i` from the cache, decoding it on a miss.
    fn chunk_arc(&self, i: u64) -> io::Result<Arc<Vec<u8>>> {
        if let Some(c) = self.cache.get(i) {
            return Ok(c);
        }
        let mut out = vec![0u8; self.chunk_len(i) as usize];
        let mut scratch = Vec::new();
        self.read_chunk_into(i, &mut out, &mut scratch)?;
        let arc = Arc::new(out);
        self.cache.put(i, Arc::clone(&arc));
        Ok(arc)
    }
}

impl ReadAt for EwfImage {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.media_size || buf.is_empty() {
            return Ok(0);
        }
        let n = (buf.len() as u64).min(self.media_size - offset) as usize;
        let mut done = 0usize;
        let mut scratch = Vec::new();
        while done < n {
            let pos = offset + done as u64;
            let chunk = pos / self.chunk_size;
            let within = (pos % self.chunk_size) as usize;
            let clen = self.chunk_len(chunk) as usize;
            let take = (clen - within).min(n - done);
            let Some(dst) = buf.get_mut(done..done + take) else {
                break;
            };
            if within == 0 && take == clen {
                // A whole chunk: decode straight into the caller's buffer
                // (sequential readers would only thrash the cache).
                match self.cache.get(chunk) {
                    Some(c) => dst.copy_from_slice(c.get(..take).unwrap_or_default()),
                    None => self.read_chunk_into(chunk, dst, &mut scratch)?,
                }
            } else {
                let c = self.chunk_arc(chunk)?;
                let src = c.get(within..within + take).unwrap_or_default();
                if src.len() == dst.len() {
                    dst.copy_from_slice(src);
                } else {
                    dst.fill(0);
                }
            }
            done += take;
        }
        Ok(n)
    }

    fn size(&self) -> u64 {
        self.media_size
    }
}

fn io_err(segment: usize, position: u64) -> impl FnOnce(io::Error) -> Error {
    move |source| Error::Io {
        segment: (segment + 1) as u32,
        position,
        source,
    }
}

/// Reads a section payload, at most `cap` bytes.
fn read_payload(r: &dyn ReadAt, s: &SectionInfo, cap: u64, seg: usize) -> Result<Vec<u8>> {
    let (start, end) = s.payload();
    let len = end
        .saturating_sub(start)
        .min(cap)
        .min(r.size().saturating_sub(start));
    let mut buf = vec![0u8; len as usize];
    let got = read_full(r, start, &mut buf).map_err(io_err(seg, start))?;
    buf.truncate(got);
    Ok(buf)
}

fn read_metadata(
    segments: &[SharedReader],
    walked: &[Walked],
    warnings: &mut Vec<Warning>,
) -> Result<Metadata> {
    let mut texts: [Option<String>; 3] = [None, None, None];
    for (si, w) in walked.iter().enumerate() {
        let Some(r) = segments.get(si) else { continue };
        for s in &w.sections {
            let (slot, kind) = match s.kind.as_str() {
                "header" => (0, HeaderKind::Header),
                "xheader" => (1, HeaderKind::XHeader),
                "header2" => (2, HeaderKind::Header2),
                _ => continue,
            };
            let Some(dst) = texts.get_mut(slot) else {
                continue;
            };
            if dst.is_some() {
                continue;
            }
            let payload = read_payload(r.as_ref(), s, MAX_HEADER_SECTION, si)?;
            let bytes = match header::inflate_bounded(&payload) {
                Some(b) => b,
                // FTK at level "none" stores `header` uncompressed.
                None if kind == HeaderKind::Header && payload.starts_with(b"1") => payload,
                None => {
                    warnings.push(Warning {
                        segment: (si + 1) as u32,
                        offset: s.offset,
                        message: format!("`{}` section is not a valid zlib stream", s.kind),
                    });
                    continue;
                }
            };
            *dst = Some(match kind {
                HeaderKind::Header2 => header::decode_utf16(&bytes),
                HeaderKind::Header => header::decode_latin1(&bytes),
                HeaderKind::XHeader => String::from_utf8_lossy(&bytes).into_owned(),
            });
        }
    }
    let mut m = Metadata::default();
    let [h, x, h2] = texts;
    if let Some(t) = h {
        m.merge(HeaderKind::Header, &t);
    }
    if let Some(t) = x {
        m.merge(HeaderKind::XHeader, &t);
    }
    if let Some(t) = h2 {
        m.merge(HeaderKind::Header2, &t);
    }
    Ok(m)
}

fn read_media(
    segments: &[SharedReader],
    walked: &[Walked],
    warnings: &mut Vec<Warning>,
) -> Result<MediaInfo> {
    let mut problems = Vec::new();
    let mut fallback: Option<MediaInfo> = None;
    // `volume`/`disk` first, then the `data` copies.
    for kinds in [&["volume", "disk"][..], &["data"][..]] {
        for (si, w) in walked.iter().enumerate() {
            let Some(r) = segments.get(si) else { continue };
            for s in w
                .sections
                .iter()
                .filter(|s| kinds.contains(&s.kind.as_str()))
            {
                let p = read_payload(r.as_ref(), s, 4096, si)?;
                let Some(m) = volume::parse_volume(&p) else {
                    problems.push(format!(
                        "segment {} `{}` at {:#x}: payload too short ({} bytes)",
                        si + 1,
                        s.kind,
                        s.offset,
                        p.len()
                    ));
                    continue;
                };
                if let Err(e) = m.check() {
                    problems.push(format!(
                        "segment {} `{}` at {:#x}: {e}",
                        si + 1,
                        s.kind,
                        s.offset
                    ));
                    continue;
                }
                if m.checksum_ok {
                    return Ok(m);
                }
                warnings.push(Warning {
                    segment: (si + 1) as u32,
                    offset: s.offset,
                    message: format!("`{}` section: Adler-32 mismatch", s.kind),
                });
                fallback.get_or_insert(m);
            }
        }
    }
    fallback.ok_or(Error::NoVolume {
        detail: problems.join("; "),
    })
}

fn read_records(
    segments: &[SharedReader],
    walked: &[Walked],
    info: &mut EwfInfo,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    for (si, w) in walked.iter().enumerate() {
        let Some(r) = segments.get(si) else { continue };
        for s in &w.sections {
            let warn_ck = |warnings: &mut Vec<Warning>| {
                warnings.push(Warning {
                    segment: (si + 1) as u32,
                    offset: s.offset,
                    message: format!("`{}` section: checksum mismatch", s.kind),
                })
            };
            match s.kind.as_str() {
                "hash" => {
                    let p = read_payload(r.as_ref(), s, 4096, si)?;
                    if let Some((md5, ok)) = records::parse_hash(&p) {
                        if !ok {
                            warn_ck(warnings);
                        }
                        if md5 != [0; 16] && info.stored_md5.is_none() {
                            info.stored_md5 = Some(md5);
                        }
                    }
                }
                "digest" => {
                    let p = read_payload(r.as_ref(), s, 4096, si)?;
                    if let Some((md5, sha1, ok)) = records::parse_digest(&p) {
                        if !ok {
                            warn_ck(warnings);
                        }
                        // digest is the newer, fuller record: it wins.
                        if md5 != [0; 16] {
                            info.stored_md5 = Some(md5);
                        }
                        if sha1 != [0; 20] {
                            info.stored_sha1 = Some(sha1);
                        }
                    }
                }
                "error2" => {
                    let p = read_payload(r.as_ref(), s, 64 << 20, si)?;
                    if let Some((ranges, ok)) = records::parse_error2(&p) {
                        if !ok {
                            warn_ck(warnings);
                        }
                        info.acquisition_errors.extend(ranges);
                    }
                }
                "session" => {
                    let p = read_payload(r.as_ref(), s, 64 << 20, si)?;
                    if let Some((sessions, ok)) = records::parse_session(&p) {
                        if !ok {
                            warn_ck(warnings);
                        }
                        info.sessions.extend(sessions);
                    }
                }
                "incomplete" => warnings.push(Warning {
                    segment: (si + 1) as u32,
                    offset: s.offset,
                    message: "`incomplete` section: the acquisition did not finish".into(),
                }),
                _ => {}
            }
        }
    }
    Ok(())
}

/// libewf-style guess of the writer from the header sections present.
fn guess_format(walked: &[Walked], info: &EwfInfo) -> &'static str {
    let first = walked.first().map(|w| w.sections.as_slice()).unwrap_or(&[]);
    let count = |k: &str| first.iter().filter(|s| s.kind == k).count();
    if info.signature == "LVF" {
        return "EnCase logical evidence (L01)";
    }
    if info.media.layout == "smart" {
        return "SMART / EnCase 1";
    }
    let has_digest = walked
        .iter()
        .any(|w| w.sections.iter().any(|s| s.kind == "digest"));
    if count("header2") > 0 {
        if has_digest {
            "EnCase 6"
        } else if count("xheader") > 0 {
            "libewf EWF-X"
        } else {
            "EnCase 5/6"
        }
    } else if count("header") >= 2 {
        "FTK Imager / EnCase 2-3 / linen"
    } else {
        "EnCase 1 / SMART"
    }
}

/// Picks the usable table of each group and places all chunks in the
/// global numbering.
fn build_chunk_map(
    segments: &[SharedReader],
    walked: &[Walked],
    chunk_size: u64,
    chunk_count: u64,
    max_stored: u64,
    warnings: &mut Vec<Warning>,
) -> Result<ChunkMap> {
    // Per segment: list of (entries, base, last_end).
    let mut per_segment: Vec<Vec<(Vec<u32>, u64, u64)>> = Vec::with_capacity(walked.len());
    for (si, w) in walked.iter().enumerate() {
        let Some(r) = segments.get(si) else {
            per_segment.push(Vec::new());
            continue;
        };
        let seg_no = (si + 1) as u32;
        let mut groups: Vec<Group> = Vec::new();
        let mut last_sectors: Option<&SectionInfo> = None;
        let mut prev_kind = "";
        let mut sectors_without_table: Option<&SectionInfo> = None;
        for s in &w.sections {
            match s.kind.as_str() {
                "sectors" => {
                    last_sectors = Some(s);
                    sectors_without_table = Some(s);
                }
                "table" | "table2" => {
                    let t = table::read_table(r.as_ref(), s).map_err(io_err(si, s.offset))?;
                    let last_end = match last_sectors {
                        Some(sec) => sec.payload().1,
                        // EnCase 1/SMART: chunks follow the entries in the
                        // table section itself.
                        None => s.payload().1,
                    };
                    sectors_without_table = None;
                    if s.kind == "table2" && prev_kind == "table" {
                        if let Some(g) = groups.last_mut() {
                            g.table2 = t;
                        }
                    } else if s.kind == "table2" {
                        groups.push(Group {
                            table: None,
                            table2: t,
                            table_offset: s.offset,
                            last_end,
                        });
                    } else {
                        groups.push(Group {
                            table: t,
                            table2: None,
                            table_offset: s.offset,
                            last_end,
                        });
                    }
                }
                _ => {}
            }
            prev_kind = s.kind.as_str();
        }
        let mut tables = Vec::new();
        for g in groups {
            let chosen = match (g.table, g.table2) {
                (Some(t), _) if t.is_sound() => t,
                (t, Some(t2)) if t2.is_sound() => {
                    warnings.push(Warning {
                        segment: seg_no,
                        offset: g.table_offset,
                        message: if t.is_some() {
                            "`table` damaged (checksum); using its `table2` mirror".into()
                        } else {
                            "`table` missing; using `table2`".into()
                        },
                    });
                    t2
                }
                (Some(t), _) | (None, Some(t)) => {
                    warnings.push(Warning {
                        segment: seg_no,
                        offset: g.table_offset,
                        message: format!(
                            "chunk table damaged and no intact mirror: using {} of {} entries as stored (checksums fail)",
                            t.entries.len(),
                            t.count_field
                        ),
                    });
                    t
                }
                (None, None) => {
                    warnings.push(Warning {
                        segment: seg_no,
                        offset: g.table_offset,
                        message: "chunk table unreadable".into(),
                    });
                    continue;
                }
            };
            tables.push((chosen.entries, chosen.base, g.last_end));
        }
        // A truncated segment whose last `sectors` section lost its table:
        // recover the chunk offsets by walking the chunks themselves.
        if w.end == ChainEnd::Broken
            && let Some(sec) = sectors_without_table
        {
            let (entries, base, end) = scan_sectors(r.as_ref(), sec, chunk_size, max_stored)
                .map_err(io_err(si, sec.offset))?;
            warnings.push(Warning {
                segment: seg_no,
                offset: sec.offset,
                message: format!(
                    "`sectors` section has no table (segment truncated): recovered {} chunks by scanning the chunk data",
                    entries.len()
                ),
            });
            if !entries.is_empty() {
                tables.push((entries, base, end));
            }
        }
        per_segment.push(tables);
    }

    // Global numbering: forward; segments after the last broken one (not
    // the final segment) are numbered back from the end, so one damaged
    // segment does not shift every later chunk.
    let counts: Vec<u64> = per_segment
        .iter()
        .map(|t| t.iter().map(|(e, _, _)| e.len() as u64).sum())
        .collect();
    let last_broken = walked
        .iter()
        .enumerate()
        .rfind(|(i, w)| w.end == ChainEnd::Broken && i + 1 < walked.len())
        .map(|(i, _)| i);
    let mut first_chunk = vec![0u64; per_segment.len()];
    let mut next = 0u64;
    for (i, c) in counts.iter().enumerate() {
        if let Some(f) = first_chunk.get_mut(i) {
            *f = next;
        }
        next = next.saturating_add(*c);
    }
    if let Some(lb) = last_broken {
        let mut end = chunk_count;
        for i in (lb + 1..per_segment.len()).rev() {
            let c = counts.get(i).copied().unwrap_or(0);
            end = end.saturating_sub(c);
            if let Some(f) = first_chunk.get_mut(i) {
                *f = end;
            }
        }
    }
    let total: u64 = counts.iter().sum();
    if total < chunk_count
        && last_broken.is_none()
        && walked.iter().all(|w| w.end != ChainEnd::Broken)
    {
        warnings.push(Warning {
            segment: walked.len() as u32,
            offset: 0,
            message: format!("chunk tables cover {total} of {chunk_count} chunks"),
        });
    }

    let mut map = ChunkMap::default();
    for (si, tables) in per_segment.into_iter().enumerate() {
        let mut first = first_chunk.get(si).copied().unwrap_or(0);
        for (entries, base, last_end) in tables {
            let count = entries.len() as u64;
            let span = TableSpan {
                first_chunk: first,
                count,
                entries_start: map.entries.len(),
                segment: si,
                base,
                last_end,
                overflow_from: chunk::overflow_index(&entries, max_stored),
            };
            if span.overflow_from != u64::MAX {
                warnings.push(Warning {
                    segment: (si + 1) as u32,
                    offset: 0,
                    message: format!(
                        "table offsets wrap at entry {} (EnCase 6.7.1 31-bit overflow); later entries read as 32-bit offsets of uncompressed chunks",
                        span.overflow_from
                    ),
                });
            }
            map.entries.extend_from_slice(&entries);
            first = first.saturating_add(count);
            if count > 0 {
                map.spans.push(span);
            }
        }
    }
    // Spans must be sorted and non-overlapping for the binary search.
    map.spans.sort_by_key(|s| s.first_chunk);
    let mut prev_end = 0u64;
    map.spans.retain(|s| {
        let ok = s.first_chunk >= prev_end;
        if ok {
            prev_end = s.first_chunk + s.count;
        }
        ok
    });
    Ok(map)
}

/// Recovers chunk offsets from a `sectors` section whose table was lost:
/// each chunk is either a zlib stream (its length is what inflate consumed)
/// or `chunk_size` bytes plus a matching Adler-32. Stops at the first byte
/// that is neither. Returns (entries relative to the section, base, end).
fn scan_sectors(
    r: &dyn ReadAt,
    sec: &SectionInfo,
    chunk_size: u64,
    max_stored: u64,
) -> io::Result<(Vec<u32>, u64, u64)> {
    let base = sec.offset;
    let (start, end) = sec.payload();
    let end = end.min(r.size());
    let mut pos = start;
    let mut entries = Vec::new();
    let mut raw = vec![0u8; max_stored as usize];
    let mut out = vec![0u8; chunk_size as usize];
    while pos < end {
        let want = (end - pos).min(max_stored) as usize;
        let Some(buf) = raw.get_mut(..want) else {
            break;
        };
        let got = read_full(r, pos, buf)?;
        let data = buf.get(..got).unwrap_or_default();
        let rel = pos - base;
        if rel > 0x7FFF_FFFF {
            break;
        }
        // zlib header: CM = 8, (CMF*256 + FLG) % 31 == 0.
        let zlib_head = matches!(data, [cmf, flg, ..] if cmf & 0x0F == 8 && (u16::from(*cmf) * 256 + u16::from(*flg)) % 31 == 0);
        let mut used = None;
        if zlib_head {
            used = with_inflater(|inf| {
                inf.reset(true);
                match inf.decompress(data, &mut out, flate2::FlushDecompress::Finish) {
                    Ok(flate2::Status::StreamEnd) if inf.total_out() == chunk_size => {
                        Some((inf.total_in(), true))
                    }
                    _ => None,
                }
            });
        }
        if used.is_none()
            && let (Some(d), Some(stored)) = (
                data.get(..chunk_size as usize),
                rift_io::bytes::le_u32(data, chunk_size as usize),
            )
            && crate::adler32(d) == stored
        {
            used = Some((chunk_size + 4, false));
        }
        let Some((len, compressed)) = used else { break };
        entries.push(rel as u32 | if compressed { 0x8000_0000 } else { 0 });
        pos += len;
    }
    Ok((entries, base, pos))
}
