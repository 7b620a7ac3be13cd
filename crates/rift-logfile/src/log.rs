//! Reading a whole `$LogFile`: restart pages, record pages, buffer/tail page
//! overlay, record discovery and assembly of records that span pages.
//!
//! Layout: two restart pages; then (LFS 1.1) two *tail* pages or (LFS 2.0)
//! 32 *buffer* pages holding copies of recently written pages; then the
//! circular area of `RCRD` pages. After the last page the log wraps to the
//! first circular page with the wrap sequence number + 1.
//!
//! ```text
//! RCRD page: 0 "RCRD" | 4 USA offset | 6 USA count | 8 u64 last LSN (1.1 tail
//!            pages: file offset of the page copied) | 16 u32 flags
//!            20 u16 page count | 22 u16 page position | 24 u16 next record offset
//!            32 u64 last end LSN | 60 u32 (2.0 buffer pages) target file offset
//!            64 log data
//! record:    0 u64 this LSN | 8 u64 client previous LSN | 16 u64 undo-next LSN
//!            24 u32 client data length | 28 u16 client seq | 30 u16 client index
//!            32 u32 record type (1 client, 2 client restart) | 36 u32 transaction
//!            40 u16 flags (0x1 = continues on the next page) | 48 client data
//! ```
//!
//! **Finding records.** A page may begin with the tail of a record started
//! on the previous page, so headers are found by position: an 8-aligned
//! spot is a record header when its LSN maps back to that very file offset
//! (`docs/formats/ntfs.md` §8.4: "accept a candidate only if
//! `lsn_to_offset(this_lsn)` equals its position"). This also recovers
//! older records left in the slack after a page's last record.
//!
//! **Buffer pages.** LFS 1.1: of the two tail copies the one with the higher
//! last-end LSN is laid over the page it copies. LFS 2.0: buffer pages whose
//! LSN is above every LSN in the circular area are laid over their target
//! (u32 at +60) in LSN order; older copies are stale and ignored
//! ([DFIR_NTFS] `apply_tail_page` / `apply_fast_pages`).
//!
//! Sources: `docs/formats/ntfs.md` §8.1–§8.5 ([NTFS3G] `logfile.h`,
//! [DFIR_NTFS] `LogFile.py`, [JSCHICHT] `readme.txt`).

use std::collections::HashMap;

use rift_io::ReadAt;
use rift_io::bytes::{le_u16, le_u32, le_u64, slice};

use crate::client::{ClientRecord, NtfsRestart};
use crate::fixup::{self, Fixup};
use crate::restart::{LsnMath, RestartPage, parse_restart_page, valid_page_size};
use crate::{Error, Result};

/// Largest `$LogFile` read (Windows allows up to 4 GiB; real ones are
/// 2–64 MiB). Larger inputs are refused rather than loaded.
pub const MAX_LOG_SIZE: u64 = 4 << 30;

/// Length of an LFS record header.
pub const RECORD_HEADER_LEN: usize = 48;

/// Where a page of the logical view came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSource {
    /// The circular area itself.
    Circular,
    /// A tail (1.1) or buffer (2.0) copy laid over it; the index is the
    /// copy's page number in the file.
    Buffer(u32),
}

/// State of one page of the circular area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageInfo {
    /// Page index in the file.
    pub index: u32,
    /// `true` for an `RCRD` page.
    pub is_record_page: bool,
    /// Fixup result.
    pub fixup: Option<Fixup>,
    /// Last LSN field (+8).
    pub last_lsn: u64,
    /// Last end LSN field (+32).
    pub last_end_lsn: u64,
    /// Next record offset (+24).
    pub next_record_offset: u16,
    /// Where the bytes came from.
    pub source: PageSource,
}

/// One LFS log record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// This LSN.
    pub lsn: u64,
    /// File offset of the header (in the circular area).
    pub offset: u64,
    /// Wrap sequence number of the LSN.
    pub wrap: u64,
    /// Previous LSN of the same transaction (0 = first).
    pub client_previous_lsn: u64,
    /// Undo-next LSN.
    pub client_undo_next_lsn: u64,
    /// Client data length as stored.
    pub client_data_length: u32,
    /// Client sequence number.
    pub client_seq: u16,
    /// Client index (0 = NTFS).
    pub client_index: u16,
    /// 1 = client record, 2 = client restart.
    pub record_type: u32,
    /// Transaction id (offset into the NTFS transaction table).
    pub transaction_id: u32,
    /// Header flags (0x1: continues on the next page).
    pub flags: u16,
    /// Where the header's page came from.
    pub source: PageSource,
    /// `true` when all client data was found (a record continuing onto a
    /// page that was overwritten later is cut short).
    pub complete: bool,
    /// `true` for a record found after the page's next-record offset (slack
    /// of an older pass of the ring).
    pub from_slack: bool,
    /// Decoded NTFS client record (type 1).
    pub client: Option<ClientRecord>,
    /// Decoded NTFS restart area (type 2).
    pub restart: Option<NtfsRestart>,
}

/// A parsed `$LogFile`.
#[derive(Debug, Clone, Default)]
pub struct LogFile {
    /// Both restart pages as found (`None` where absent or unreadable).
    pub restart_pages: [Option<RestartPage>; 2],
    /// Index (0/1) of the restart page in use: the one with the higher
    /// current LSN. `None` for an empty (all 0xFF) or unreadable log.
    pub current: Option<usize>,
    /// Log page size.
    pub page_size: u32,
    /// First page of the circular area (4 for LFS 1.1, 34 for 2.0).
    pub first_log_page: u32,
    /// Pages of the circular area (after overlay).
    pub pages: Vec<PageInfo>,
    /// Records in LSN order, one per LSN.
    pub records: Vec<LogRecord>,
    /// Problems met (torn pages, cut records), with offsets.
    pub warnings: Vec<Warning>,
}

/// Something odd but survivable in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// File offset.
    pub offset: u64,
    /// What.
    pub message: String,
}

impl LogFile {
    /// The restart page in use.
    pub fn restart(&self) -> Option<&RestartPage> {
        self.current
            .and_then(|i| self.restart_pages.get(i))
            .and_then(Option::as_ref)
    }

    /// Lowest and highest LSN of the records found.
    pub fn lsn_range(&self) -> Option<(u64, u64)> {
        Some((self.records.first()?.lsn, self.records.last()?.lsn))
    }

    /// The NTFS client restart area with the highest LSN (its bytes per
    /// cluster and `$UsnJrnl` reference are used by the event summary).
    pub fn ntfs_restart(&self) -> Option<&NtfsRestart> {
        self.records.iter().rev().find_map(|r| r.restart.as_ref())
    }

    /// Reads and decodes a whole `$LogFile`.
    pub fn parse<R: ReadAt + ?Sized>(reader: &R) -> Result<LogFile> {
        let size = reader.size();
        if size > MAX_LOG_SIZE {
            return Err(Error::TooLarge { size });
        }
        let mut data = vec![0u8; size as usize];
        let mut got = 0usize;
        while got < data.len() {
            let dst = data.get_mut(got..).unwrap_or_default();
            match reader.read_at(got as u64, dst) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(Error::Io {
                        offset: got as u64,
                        source,
                    });
                }
            }
        }
        data.truncate(got);
        Ok(Self::from_bytes(data))
    }

    /// Decodes a `$LogFile` held in memory (the fuzzing entry point). Never
    /// fails: an unreadable log gives no records and warnings.
    pub fn from_bytes(mut data: Vec<u8>) -> LogFile {
        let mut log = LogFile::default();
        let r0 = parse_restart_page(&data, 0);
        let second_at = r0
            .as_ref()
            .map_or(4096, |r| r.log_page_size as usize)
            .min(data.len());
        let r1 = parse_restart_page(data.get(second_at..).unwrap_or_default(), 1);
        // The newer copy; a copy with good fixups wins a tie.
        let pick = match (&r0, &r1) {
            (Some(a), Some(b)) => {
                let ka = (a.area.current_lsn, a.fixup_ok);
                let kb = (b.area.current_lsn, b.fixup_ok);
                Some(if kb > ka { 1 } else { 0 })
            }
            (Some(_), None) => Some(0),
            (None, Some(_)) => Some(1),
            (None, None) => None,
        };
        log.restart_pages = [r0, r1];
        log.current = pick;
        let Some(rp) = log.restart().cloned() else {
            if !data.iter().all(|&b| b == 0xFF) {
                log.warnings.push(Warning {
                    offset: 0,
                    message: "no readable restart page".into(),
                });
            }
            return log;
        };
        let page_size = rp.log_page_size;
        if !valid_page_size(page_size) {
            return log;
        }
        log.page_size = page_size;
        let ps = page_size as usize;
        let n_pages = (data.len() / ps) as u32;
        let buffer_pages: u32 = if rp.major >= 2 { 32 } else { 2 };
        log.first_log_page = 2 + buffer_pages;
        if n_pages <= log.first_log_page {
            return log;
        }
        let data_off = usize::from(rp.area.page_data_offset).clamp(RECORD_HEADER_LEN, ps / 2);
        let lsn = LsnMath::new(rp.area.seq_number_bits);

        // Fix up every RCRD page in place.
        let mut info: Vec<PageInfo> = Vec::with_capacity(n_pages as usize);
        for i in 0..n_pages {
            let at = i as usize * ps;
            let Some(page) = data.get_mut(at..at + ps) else {
                break;
            };
            let is_rcrd = page.get(0..4) == Some(b"RCRD");
            let fix = is_rcrd.then(|| fixup::apply(page));
            if let Some(Fixup::Torn(n)) = fix {
                log.warnings.push(Warning {
                    offset: at as u64,
                    message: format!("page {i}: {n} torn sectors (fixup mismatch)"),
                });
            }
            info.push(PageInfo {
                index: i,
                is_record_page: is_rcrd,
                fixup: fix,
                last_lsn: le_u64(page, 8).unwrap_or(0),
                last_end_lsn: le_u64(page, 32).unwrap_or(0),
                next_record_offset: le_u16(page, 24).unwrap_or(0),
                source: PageSource::Circular,
            });
        }

        // Lay buffer/tail copies over the circular area.
        let first = log.first_log_page as usize;
        let max_circular = info
            .iter()
            .skip(first)
            .filter(|p| p.is_record_page)
            .map(|p| p.last_lsn)
            .max()
            .unwrap_or(0);
        let mut overlays: Vec<(u64, usize, usize)> = Vec::new(); // (lsn, copy page, target page)
        if rp.major >= 2 {
            for i in 2..first {
                let Some(p) = info.get(i) else { continue };
                if !p.is_record_page || p.last_lsn <= max_circular {
                    continue;
                }
                let target =
                    le_u32(data.get(i * ps..).unwrap_or_default(), 60).unwrap_or(0) as usize;
                if target % ps == 0 && target / ps >= first && target / ps < info.len() {
                    overlays.push((p.last_lsn, i, target / ps));
                }
            }
        } else {
            let best = (2..first)
                .filter_map(|i| {
                    info.get(i)
                        .filter(|p| p.is_record_page)
                        .map(|p| (p.last_end_lsn, i))
                })
                .max();
            if let Some((end_lsn, i)) = best {
                let target = info.get(i).map_or(0, |p| p.last_lsn) as usize;
                if target % ps == 0 && target / ps >= first && target / ps < info.len() {
                    let t = target / ps;
                    let cur = info
                        .get(t)
                        .filter(|p| p.is_record_page)
                        .map_or(0, |p| p.last_end_lsn);
                    if end_lsn > cur {
                        overlays.push((end_lsn, i, t));
                    }
                }
            }
        }
        overlays.sort();
        // Records of the pages as they are on disk, before any overlay: a
        // circular page that a buffer copy supersedes may still hold older
        // records (an earlier pass of the ring) worth keeping.
        let mut found = if overlays.is_empty() {
            HashMap::new()
        } else {
            discover(&data, &info, ps, first, data_off, lsn, &mut Vec::new())
        };
        for (_, src, dst) in overlays {
            let copy: Vec<u8> = data
                .get(src * ps..src * ps + ps)
                .unwrap_or_default()
                .to_vec();
            if let Some(d) = data.get_mut(dst * ps..dst * ps + ps) {
                d.copy_from_slice(&copy);
            }
            let last_end = le_u64(&copy, 32).unwrap_or(0);
            if let Some(p) = info.get_mut(dst) {
                p.is_record_page = true;
                p.fixup = info_fix(&copy);
                // A 1.1 tail copy holds the file offset at +8: use the
                // last-end LSN as its "last LSN".
                p.last_lsn = if rp.major >= 2 {
                    le_u64(&copy, 8).unwrap_or(0)
                } else {
                    last_end
                };
                p.last_end_lsn = last_end;
                p.next_record_offset = le_u16(&copy, 24).unwrap_or(0);
                p.source = PageSource::Buffer(src as u32);
            }
        }

        // Find headers by position and assemble their data; newer views win
        // unless they hold a less complete copy.
        for (k, rec) in discover(&data, &info, ps, first, data_off, lsn, &mut log.warnings) {
            match found.get(&k) {
                Some(old) if old.complete && !rec.complete => {}
                _ => {
                    found.insert(k, rec);
                }
            }
        }
        let mut records: Vec<LogRecord> = found.into_values().collect();
        records.sort_by_key(|r| r.lsn);
        log.records = records;
        log.pages = info.into_iter().skip(first).collect();
        log
    }
}

/// Finds every record header in the circular area of `data` by position
/// and assembles its client data.
fn discover(
    data: &[u8],
    info: &[PageInfo],
    ps: usize,
    first: usize,
    data_off: usize,
    lsn: LsnMath,
    warnings: &mut Vec<Warning>,
) -> HashMap<u64, LogRecord> {
    let mut found: HashMap<u64, LogRecord> = HashMap::new();
    let ring = Ring {
        data,
        info,
        ps,
        first,
        data_off,
    };
    for pi in first..info.len() {
        let Some(p) = info.get(pi) else { continue };
        if !p.is_record_page {
            continue;
        }
        let page_at = pi * ps;
        let mut pos = data_off;
        while pos + RECORD_HEADER_LEN <= ps {
            let abs = (page_at + pos) as u64;
            let h = data.get(page_at + pos..).unwrap_or_default();
            let this = le_u64(h, 0).unwrap_or(0);
            if this != 0 && lsn.offset(this) == abs && plausible_header(h, size_of(data)) {
                if let Some(mut rec) = ring.assemble(pi, pos, lsn, warnings) {
                    rec.from_slack = p.next_record_offset != 0
                        && pos >= usize::from(p.next_record_offset)
                        && rec.lsn < p.last_lsn;
                    // Keep the most complete copy of an LSN.
                    match found.get(&rec.lsn) {
                        Some(old) if old.complete || !rec.complete => {}
                        _ => {
                            found.insert(rec.lsn, rec);
                        }
                    }
                }
            }
            pos += 8;
        }
    }
    found
}

fn size_of(data: &[u8]) -> u64 {
    data.len() as u64
}

fn info_fix(page: &[u8]) -> Option<Fixup> {
    // The copy was already fixed up in place when the pages were scanned.
    (page.get(0..4) == Some(b"RCRD")).then_some(Fixup::Ok)
}

/// Record type 1 or 2, NTFS client, data length within the file.
fn plausible_header(h: &[u8], file_size: u64) -> bool {
    let ty = le_u32(h, 32).unwrap_or(0);
    let len = u64::from(le_u32(h, 24).unwrap_or(u32::MAX));
    let client = le_u16(h, 30).unwrap_or(u16::MAX);
    (ty == 1 || ty == 2) && len < file_size && client < 16
}

/// The circular area, for assembling records across pages.
struct Ring<'a> {
    data: &'a [u8],
    info: &'a [PageInfo],
    ps: usize,
    first: usize,
    data_off: usize,
}

impl Ring<'_> {
    fn next_page(&self, p: usize) -> usize {
        if p + 1 >= self.info.len() {
            self.first
        } else {
            p + 1
        }
    }

    fn assemble(
        &self,
        page: usize,
        pos: usize,
        lsn: LsnMath,
        warnings: &mut Vec<Warning>,
    ) -> Option<LogRecord> {
        let base = page * self.ps + pos;
        let h = slice(self.data, base, RECORD_HEADER_LEN)?;
        let this = le_u64(h, 0)?;
        let len = le_u32(h, 24)? as usize;
        let mut client = Vec::with_capacity(len.min(self.ps * 4));
        let mut p = page;
        let mut at = pos + RECORD_HEADER_LEN;
        let mut complete = true;
        let mut hops = 0usize;
        while client.len() < len {
            if at >= self.ps {
                p = self.next_page(p);
                at = self.data_off;
                hops += 1;
                let info = self.info.get(p)?;
                // The continuation must have been written no earlier than
                // this record, and we never go round the ring.
                if !info.is_record_page || info.last_lsn < this || hops > self.info.len() {
                    complete = false;
                    warnings.push(Warning {
                        offset: base as u64,
                        message: format!(
                            "record LSN {this}: continuation page {p} was overwritten"
                        ),
                    });
                    break;
                }
            }
            let take = (len - client.len()).min(self.ps - at);
            let src = slice(self.data, p * self.ps + at, take)?;
            client.extend_from_slice(src);
            at += take;
        }
        let record_type = le_u32(h, 32)?;
        let mut rec = LogRecord {
            lsn: this,
            offset: base as u64,
            wrap: lsn.wrap(this),
            client_previous_lsn: le_u64(h, 8)?,
            client_undo_next_lsn: le_u64(h, 16)?,
            client_data_length: len as u32,
            client_seq: le_u16(h, 28)?,
            client_index: le_u16(h, 30)?,
            record_type,
            transaction_id: le_u32(h, 36)?,
            flags: le_u16(h, 40)?,
            source: self.info.get(page)?.source,
            complete,
            from_slack: false,
            client: None,
            restart: None,
        };
        if complete {
            match record_type {
                1 => rec.client = ClientRecord::parse(&client),
                2 => rec.restart = NtfsRestart::parse(&client),
                _ => {}
            }
        } else if record_type == 1 {
            // The fixed part may still be there.
            rec.client = ClientRecord::parse_partial(&client);
        }
        Some(rec)
    }
}
