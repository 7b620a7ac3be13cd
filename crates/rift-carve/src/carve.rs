//! Carving USN and FILE records from raw byte ranges.
//!
//! * **USN records**: every 8-aligned position is tested with
//!   [`rift_usn::plausible_for_carving`] (version 2/3, name right after the
//!   fixed part, exact length, time between 1990 and 2100, known reason
//!   bits, printable name). Journal pages are 4 KiB and records never cross
//!   them, so a hit is decoded inside its 4 KiB page.
//! * **FILE records**: every 512-aligned position starting with `FILE` is
//!   decoded with [`rift_ntfs::parse_record`] (fixups applied) at the
//!   volume's record size; the entry number comes from the header (NTFS
//!   3.1 stores it at offset 44).
//!
//! Ranges are read in 4 MiB chunks that overlap by one record, and hits
//! are de-duplicated by offset, so a record on a chunk boundary is found
//! once.

use std::collections::HashSet;
use std::ops::Range;

use rift_io::ReadAt;
use rift_io::bytes::le_u32;
use rift_ntfs::{MftEntry, Ntfs, parse_record};
use rift_usn::{UsnRecord, parse_record as parse_usn, plausible_for_carving};

/// What to carve.
#[derive(Debug, Clone, Copy)]
pub struct CarveOptions {
    /// Look for USN records.
    pub usn: bool,
    /// Look for FILE records.
    pub file_records: bool,
    /// FILE record size (the volume's; 1024 on almost every volume).
    pub record_size: u32,
}

impl Default for CarveOptions {
    fn default() -> Self {
        CarveOptions {
            usn: true,
            file_records: true,
            record_size: 1024,
        }
    }
}

/// How a carved FILE record compares with the live `$MFT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveStatus {
    /// Not compared (no volume given, or no entry number in the header).
    Unknown,
    /// The live entry of that number has the same sequence and LSN: the
    /// carved record is a copy of it (e.g. the `$MFT` itself when the whole
    /// volume is scanned).
    SameAsLive,
    /// The live entry differs (older or newer version, or reused): the
    /// carved record holds history the `$MFT` lost.
    DiffersFromLive,
    /// The live `$MFT` has no such entry.
    NotInMft,
}

/// A FILE record found by carving.
#[derive(Debug, Clone)]
pub struct CarvedFileRecord {
    /// Byte offset in the image (or whatever `base` was given).
    pub image_offset: u64,
    /// The decoded entry (number = header record number, or 0 when absent).
    pub entry: MftEntry,
    /// `true` when the header carried a record number.
    pub has_number: bool,
    /// Comparison with the live `$MFT` ([`mark_live`]).
    pub live: LiveStatus,
}

/// Output of [`carve`].
#[derive(Debug, Default)]
pub struct Carved {
    /// USN records; `offset` holds the image offset.
    pub usn: Vec<UsnRecord>,
    /// FILE records.
    pub file_records: Vec<CarvedFileRecord>,
    /// Bytes scanned.
    pub bytes_scanned: u64,
    /// Read errors (offset, message); the scan skips the chunk and goes on.
    pub read_errors: Vec<(u64, String)>,
}

const CHUNK: usize = 4 << 20;
const USN_PAGE: usize = 4096;

/// Scans `ranges` of `reader` (reader offsets). Reported offsets are
/// `base + reader offset` (pass the volume's start in the image to get
/// image offsets).
pub fn carve<R: ReadAt + ?Sized>(
    reader: &R,
    ranges: &[Range<u64>],
    base: u64,
    opts: &CarveOptions,
) -> Carved {
    let mut out = Carved::default();
    let rs = opts.record_size.clamp(512, 65536) as usize;
    let overlap = rs.max(USN_PAGE);
    let mut seen_usn: HashSet<u64> = HashSet::new();
    let mut seen_frs: HashSet<u64> = HashSet::new();
    let mut buf = vec![0u8; CHUNK + overlap];
    let size = reader.size();
    for r in ranges {
        let (start, end) = (r.start.min(size), r.end.min(size));
        let mut pos = start;
        while pos < end {
            let want = (end - pos).min((CHUNK + overlap) as u64) as usize;
            let b = buf.get_mut(..want).unwrap_or_default();
            let got = match read_full(reader, pos, b) {
                Ok(n) => n,
                Err(e) => {
                    out.read_errors.push((base + pos, e.to_string()));
                    pos += CHUNK as u64;
                    continue;
                }
            };
            let data = buf.get(..got).unwrap_or_default();
            if opts.usn {
                scan_usn(data, pos, base, &mut seen_usn, &mut out.usn);
            }
            if opts.file_records {
                scan_frs(data, pos, base, rs, &mut seen_frs, &mut out.file_records);
            }
            out.bytes_scanned += got.min(CHUNK) as u64;
            if got < want {
                break;
            }
            pos += CHUNK as u64;
        }
    }
    out
}

fn read_full<R: ReadAt + ?Sized>(r: &R, off: u64, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read_at(off + got as u64, buf.get_mut(got..).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

fn scan_usn(data: &[u8], pos: u64, base: u64, seen: &mut HashSet<u64>, out: &mut Vec<UsnRecord>) {
    let mut i = 0usize;
    while i + 64 <= data.len() {
        let abs = pos + i as u64;
        // Quick filter: version 2 or 3, minor 0, length 64..=4096, 8-aligned.
        let quick = match (data.get(i + 4..i + 8), le_u32(data, i)) {
            (Some([2 | 3, 0, 0, 0]), Some(len)) => (64..=4096).contains(&len) && len % 8 == 0,
            _ => false,
        };
        if quick {
            // Records never cross a 4 KiB page of the journal; pages are
            // cluster-aligned on disk, so bound the record by the page.
            let page_end = ((abs / USN_PAGE as u64) + 1) * USN_PAGE as u64;
            let lim = ((page_end - pos) as usize).min(data.len());
            let rec = data.get(i..lim).unwrap_or_default();
            if plausible_for_carving(rec) && seen.insert(base + abs) {
                if let Ok(r) = parse_usn(rec, base + abs) {
                    i += r.length as usize;
                    out.push(r);
                    continue;
                }
            }
        }
        i += 8;
    }
}

fn scan_frs(
    data: &[u8],
    pos: u64,
    base: u64,
    rs: usize,
    seen: &mut HashSet<u64>,
    out: &mut Vec<CarvedFileRecord>,
) {
    let mut i = 0usize;
    while i + rs <= data.len() {
        if data.get(i..i + 4) == Some(b"FILE") {
            let abs = base + pos + i as u64;
            if let Some(rec) = data.get(i..i + rs) {
                let number = le_u32(rec, 44).map(u64::from);
                let has_number = rift_io::bytes::le_u16(rec, 4).is_some_and(|usa| usa >= 48);
                if let Ok(r) = parse_record(rec, if has_number { number.unwrap_or(0) } else { 0 }) {
                    // A record that claims a size other than the volume's
                    // is garbage that happens to start with "FILE".
                    if r.header.allocated_size as usize == rs && seen.insert(abs) {
                        out.push(CarvedFileRecord {
                            image_offset: abs,
                            entry: MftEntry::from_record(r),
                            has_number,
                            live: LiveStatus::Unknown,
                        });
                    }
                }
            }
            i += rs;
            continue;
        }
        i += 512;
    }
}

/// Byte ranges (volume offsets) of the clusters `$Bitmap` marks free.
/// Empty when `$Bitmap` cannot be read.
pub fn unallocated_ranges(ntfs: &Ntfs) -> Vec<Range<u64>> {
    let cs = ntfs.cluster_size();
    let total = ntfs.boot_sector().total_sectors * u64::from(ntfs.boot_sector().bytes_per_sector)
        / cs.max(1);
    let mut out: Vec<Range<u64>> = Vec::new();
    let mut run: Option<u64> = None;
    for lcn in 0..total {
        let free = match ntfs.cluster_allocated(lcn) {
            Some(a) => !a,
            None => {
                if lcn == 0 {
                    return Vec::new();
                }
                false
            }
        };
        match (free, run) {
            (true, None) => run = Some(lcn),
            (false, Some(s)) => {
                out.push(s * cs..lcn * cs);
                run = None;
            }
            _ => {}
        }
    }
    if let Some(s) = run {
        out.push(s * cs..total * cs);
    }
    out
}

/// Compares carved FILE records with the live `$MFT` of `ntfs`.
pub fn mark_live(ntfs: &Ntfs, carved: &mut [CarvedFileRecord]) {
    for c in carved {
        if !c.has_number {
            continue;
        }
        c.live = match ntfs.record(c.entry.number) {
            Ok(live) => {
                if live.header.sequence == c.entry.header.sequence
                    && live.header.lsn == c.entry.header.lsn
                {
                    LiveStatus::SameAsLive
                } else {
                    LiveStatus::DiffersFromLive
                }
            }
            Err(_) => LiveStatus::NotInMft,
        };
    }
}
