//! Walking a `$J` stream page by page.
//!
//! `$J` is a sparse stream: when the journal is trimmed its head is
//! deallocated rather than moved, so a live journal is a long sparse prefix
//! (often hundreds of MB) followed by the records. The scanner takes the
//! stream's *allocated* ranges (from the `$DATA` run list) and reads only
//! those; the sparse part is never read.
//!
//! Inside a range the stream is cut into 4 KiB pages (page boundaries are
//! multiples of 4096 in stream offsets). Records are 8-aligned and never
//! cross a page; after the last record of a page the rest is zero.
//! A record that fails [`check_record`] is reported as [`Damage`] with its
//! offset, and the scanner resynchronises on the next 8-aligned position in
//! the same page that holds a plausible record header.
//!
//! Sources: `docs/formats/ntfs.md` §7.1 (sparse head, page rule, verified on
//! `dfir_ntfs_usnjrnlj.bin`: 0 straddling records); [MSDOCS] "Change
//! Journal Records".

use std::collections::VecDeque;
use std::ops::Range;

use rift_io::ReadAt;
use rift_io::bytes::le_u32;

use crate::record::{USN_PAGE_SIZE, V2_HEADER_LEN, V3_HEADER_LEN, check_record, parse_record};
use crate::{Damage, DamageKind, Error, UsnRecord};

/// How much of the stream is read per I/O.
const CHUNK: u64 = 4 << 20;

/// Counters of one scan. Every byte of the allocated ranges is either in a
/// record, in zero padding, or in a reported [`Damage`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanStats {
    /// Records decoded.
    pub records: u64,
    /// Records by major version 2, 3, 4.
    pub by_version: [u64; 3],
    /// Damaged spots reported.
    pub damaged: u64,
    /// Bytes read from allocated ranges.
    pub bytes_read: u64,
    /// Bytes inside the stream but outside the allocated ranges (sparse),
    /// skipped without reading.
    pub sparse_bytes: u64,
    /// Zero bytes: page tails after the last record and all-zero pages.
    pub zero_bytes: u64,
    /// Bytes covered by damage reports.
    pub damaged_bytes: u64,
}

/// Iterator over the records of a `$J` stream: yields each record, or
/// [`Error::Damaged`] for each damaged spot (the scan goes on), or
/// [`Error::Io`] once if the reader fails (the scan then stops).
pub struct UsnScanner<R> {
    reader: R,
    ranges: Vec<Range<u64>>,
    range: usize,
    pos: u64,
    buf: Vec<u8>,
    queue: VecDeque<Result<UsnRecord, Damage>>,
    stats: ScanStats,
    failed: bool,
    phase: u64,
}

impl<R: ReadAt> UsnScanner<R> {
    /// Scans the given allocated ranges of the stream (stream offsets,
    /// ascending; empty and overlapping ranges are tolerated). Bytes
    /// between ranges are counted as sparse and never read.
    pub fn new(reader: R, ranges: &[Range<u64>]) -> Self {
        let size = reader.size();
        let mut rs: Vec<Range<u64>> = ranges
            .iter()
            .map(|r| r.start.min(size)..r.end.min(size))
            .filter(|r| r.start < r.end)
            .collect();
        rs.sort_by_key(|r| r.start);
        // Merge overlaps so no byte is scanned twice.
        let mut merged: Vec<Range<u64>> = Vec::with_capacity(rs.len());
        for r in rs {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        let covered: u64 = merged.iter().map(|r| r.end - r.start).sum();
        let pos = merged.first().map_or(0, |r| r.start);
        UsnScanner {
            reader,
            ranges: merged,
            range: 0,
            pos,
            buf: Vec::new(),
            queue: VecDeque::new(),
            stats: ScanStats {
                sparse_bytes: size.saturating_sub(covered),
                ..ScanStats::default()
            },
            failed: false,
            phase: 0,
        }
    }

    /// Sets the page phase: the stream offset of reader byte 0, modulo the
    /// page size. Needed for fragments cut out of a journal at a position
    /// that is not a page boundary (pages are aligned in USN space).
    pub fn with_page_phase(mut self, phase: u64) -> Self {
        self.phase = phase % USN_PAGE_SIZE as u64;
        self
    }

    /// Scans the whole reader as one allocated range (a `$J` extracted to
    /// a file, sparse part included as zeros or left out).
    ///
    /// The page phase is taken from the first record found in the first
    /// page (its USN against its file position), so a fragment cut out of
    /// a journal mid-page still has its page boundaries in the right place.
    pub fn whole(reader: R) -> Self {
        let size = reader.size();
        let phase = detect_phase(&reader);
        Self::new(reader, std::slice::from_ref(&(0..size))).with_page_phase(phase)
    }

    /// Counters so far (complete once the iterator is exhausted).
    pub fn stats(&self) -> ScanStats {
        self.stats
    }

    /// Reads the next chunk and decodes its pages into the queue. Returns
    /// `false` at the end of the last range.
    fn fill(&mut self) -> Result<bool, Error> {
        loop {
            let Some(r) = self.ranges.get(self.range).cloned() else {
                return Ok(false);
            };
            if self.pos >= r.end {
                self.range += 1;
                if let Some(next) = self.ranges.get(self.range) {
                    self.pos = next.start;
                }
                continue;
            }
            // Chunks end on a page boundary (or the range end) so that no
            // page is split between two reads.
            let page = USN_PAGE_SIZE as u64;
            let ph = self.phase;
            let want_end = (self.pos + ph + CHUNK) / page * page - ph;
            let end = want_end.max(self.pos + 1).min(r.end);
            let len = (end - self.pos) as usize;
            self.buf.resize(len, 0);
            let start = self.pos;
            let mut got = 0;
            while got < len {
                let dst = self.buf.get_mut(got..).unwrap_or_default();
                match self.reader.read_at(start + got as u64, dst) {
                    Ok(0) => break,
                    Ok(n) => got += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(source) => {
                        return Err(Error::Io {
                            offset: start + got as u64,
                            source,
                        });
                    }
                }
            }
            self.buf.truncate(got);
            self.stats.bytes_read += got as u64;
            self.pos = if got < len { r.end } else { end };
            let buf = std::mem::take(&mut self.buf);
            scan_pages(&buf, start, self.phase, &mut self.queue, &mut self.stats);
            self.buf = buf;
            return Ok(true);
        }
    }
}

impl<R: ReadAt> Iterator for UsnScanner<R> {
    type Item = Result<UsnRecord, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(item.map_err(Error::Damaged));
            }
            if self.failed {
                return None;
            }
            match self.fill() {
                Ok(true) => {}
                Ok(false) => return None,
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

/// Decodes every page touched by `buf` (whose first byte is at stream
/// offset `base`). Page boundaries are multiples of [`USN_PAGE_SIZE`] in
/// stream offsets, so `buf` may start or end mid-page.
fn scan_pages(
    buf: &[u8],
    base: u64,
    phase: u64,
    out: &mut VecDeque<Result<UsnRecord, Damage>>,
    stats: &mut ScanStats,
) {
    let page = USN_PAGE_SIZE as u64;
    let mut at = 0usize;
    while at < buf.len() {
        let abs = base + at as u64;
        let page_end = ((abs + phase) / page + 1) * page - phase;
        let end = buf.len().min(at + (page_end - abs) as usize);
        let p = buf.get(at..end).unwrap_or_default();
        scan_page(p, abs, out, stats);
        at = end;
    }
}

/// Decodes one page (or the part of it inside an allocated range).
pub(crate) fn scan_page(
    p: &[u8],
    base: u64,
    out: &mut VecDeque<Result<UsnRecord, Damage>>,
    stats: &mut ScanStats,
) {
    let mut i = 0usize;
    while i < p.len() {
        let rest = p.get(i..).unwrap_or_default();
        let len = le_u32(rest, 0).unwrap_or(0);
        if len == 0 {
            // Padding to the page end: normal when it is all zero.
            if rest.iter().all(|&b| b == 0) {
                stats.zero_bytes += rest.len() as u64;
                return;
            }
            let next = resync(p, i + 8);
            report(
                out,
                stats,
                base + i as u64,
                DamageKind::Garbage,
                0,
                0,
                next - i,
            );
            i = next;
            continue;
        }
        match parse_record(rest, base + i as u64) {
            Ok(r) => {
                i += r.length as usize;
                stats.records += 1;
                if let Some(slot) = stats
                    .by_version
                    .get_mut(usize::from(r.major).wrapping_sub(2))
                {
                    *slot += 1;
                }
                out.push_back(Ok(r));
            }
            Err(d) => {
                let next = resync(p, i + 8);
                stats.damaged += 1;
                stats.damaged_bytes += (next - i) as u64;
                out.push_back(Err(d));
                i = next;
            }
        }
    }
}

fn report(
    out: &mut VecDeque<Result<UsnRecord, Damage>>,
    stats: &mut ScanStats,
    offset: u64,
    kind: DamageKind,
    length: u32,
    major: u16,
    span: usize,
) {
    stats.damaged += 1;
    stats.damaged_bytes += span as u64;
    out.push_back(Err(Damage {
        offset,
        kind,
        length,
        major,
    }));
}

/// The next 8-aligned position at or after `from` in the page that holds a
/// plausible record header (or the page end).
fn resync(p: &[u8], from: usize) -> usize {
    let mut j = from.next_multiple_of(8);
    while j < p.len() {
        let rest = p.get(j..).unwrap_or_default();
        if check_record(rest).is_ok() && name_right_after_header(rest) {
            return j;
        }
        j += 8;
    }
    p.len()
}

/// Extra test for resynchronising: V2/V3 names start right after the fixed
/// part on every journal Windows writes; V4 has no name.
fn name_right_after_header(rec: &[u8]) -> bool {
    use rift_io::bytes::le_u16;
    match le_u16(rec, 4) {
        Some(2) => le_u16(rec, 58) == Some(V2_HEADER_LEN as u16),
        Some(3) => le_u16(rec, 74) == Some(V3_HEADER_LEN as u16),
        Some(4) => true,
        _ => false,
    }
}

/// Page phase of a journal extract: (USN − position) of the first record
/// found at an 8-aligned position of the first page, modulo the page size;
/// 0 when there is none (an intact `$J`, where USN = offset, also gives 0).
pub fn detect_phase<R: ReadAt + ?Sized>(reader: &R) -> u64 {
    let mut head = vec![0u8; USN_PAGE_SIZE];
    let n = reader.read_at(0, &mut head).unwrap_or(0);
    head.truncate(n);
    let mut j = 0usize;
    while j + 8 <= head.len() {
        let rest = head.get(j..).unwrap_or_default();
        if le_u32(rest, 0).is_some_and(|l| l != 0)
            && check_record(rest).is_ok()
            && name_right_after_header(rest)
        {
            if let Ok(r) = parse_record(rest, j as u64) {
                if let Ok(usn) = u64::try_from(r.usn) {
                    let page = USN_PAGE_SIZE as u64;
                    return (usn % page + page - (j as u64) % page) % page;
                }
            }
            return 0;
        }
        j += 8;
    }
    0
}

/// Decodes every record of an in-memory `$J` (or fragment) whose first
/// byte is at stream offset `base`: the entry point for fuzzing and for
/// small extracts. Returns records and damage reports.
pub fn scan_bytes(buf: &[u8], base: u64) -> (Vec<UsnRecord>, Vec<Damage>, ScanStats) {
    let mut q = VecDeque::new();
    let mut stats = ScanStats {
        bytes_read: buf.len() as u64,
        ..ScanStats::default()
    };
    scan_pages(buf, base, detect_phase(buf), &mut q, &mut stats);
    let mut records = Vec::with_capacity(q.len());
    let mut damage = Vec::new();
    for item in q {
        match item {
            Ok(r) => records.push(r),
            Err(d) => damage.push(d),
        }
    }
    (records, damage, stats)
}
