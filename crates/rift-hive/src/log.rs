//! Transaction logs (`.LOG`, `.LOG1`, `.LOG2`) and replaying them into a
//! clean hive.
//!
//! Sources: msuhanov/regf specification §"Format of transaction log files"
//! (old format: base block copy, `DIRT` dirty vector, 512-byte dirty pages;
//! new format: `HvLE` log entries hashed with Marvin32), §"Dirty state of a
//! hive", §"Multiple transaction log files"; the recovery rules written out
//! in `../shared/docs/formats/artifacts.md` §2 (log ordering by serial
//! sequence arithmetic, "earlier log only if its sequence number is at least
//! the primary's secondary sequence number", matched there against Windows'
//! own replay of `yarp_NewDirtyHive1`); yarp `RegistryFile.py`
//! (`apply_new_log_files`, `apply_old_log_file`) for the behaviour of a
//! reference implementation.
//!
//! [`replay`] never trusts a length: every entry is checked (signature,
//! size, hive-bins size, page count, both hashes, sequence number, page
//! references inside the new hive size) **before** any of its pages is
//! written, and the image may only grow by what the logs could have brought.

use rift_io::bytes::{le_u32, le_u64, slice};

use crate::base_block::{
    BASE_BLOCK_LEN, BaseBlock, FileType, LOG_BASE_BLOCK_LEN, finalize_primary_base_block,
};
use crate::marvin::{LOG_SEED, marvin32};
use crate::{Error, Result};

/// Log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum LogFormat {
    /// Old format (XP … 8.0): dirty vector + dirty pages.
    Old,
    /// New format (8.1+): HvLE entries.
    New,
    /// Not a usable log (empty, not regf, unknown type).
    Unknown,
}

/// What happened to one log file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LogReport {
    /// Which argument it was (`log1`, `log2`).
    pub slot: &'static str,
    /// Size in bytes.
    pub size: usize,
    /// Detected format.
    pub format: LogFormat,
    /// Primary sequence number of the log's base block.
    pub base_sequence: Option<u32>,
    /// Why the log was rejected or not used (None = used).
    pub not_used: Option<String>,
    /// Sequence numbers of the entries applied (new format) or the number
    /// of dirty pages applied (old format, as `[count]`).
    pub applied: Vec<u32>,
    /// Where and why application stopped, if before the end of the log.
    pub stopped_at: Option<(u64, String)>,
}

/// What [`replay`] did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ReplayReport {
    /// Whether the primary was dirty.
    pub was_dirty: bool,
    /// Whether the primary base block had a valid checksum.
    pub primary_base_block_valid: bool,
    /// Per-log details.
    pub logs: Vec<LogReport>,
    /// Total log entries (new) or dirty pages (old) applied.
    pub applied: usize,
    /// Sequence number written to the recovered base block.
    pub final_sequence: Option<u32>,
    /// Hive-bins size written to the recovered base block.
    pub final_hive_bins_size: Option<u32>,
    /// Warnings for the analyst.
    pub warnings: Vec<String>,
}

/// A replayed hive: bytes of a clean primary file plus what was done.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// The hive bytes (the primary unchanged when nothing was applied).
    pub hive: Vec<u8>,
    /// What happened.
    pub report: ReplayReport,
}

struct Log<'a> {
    #[allow(dead_code)]
    slot: &'static str,
    bytes: &'a [u8],
    base: Option<BaseBlock>,
    report_idx: usize,
}

/// Serial-number "a comes before b" (RFC 1982 style on u32).
fn seq_before(a: u32, b: u32) -> bool {
    a != b && b.wrapping_sub(a) <= 0x7FFF_FFFF
}

/// Replays `log1` and `log2` (either may be `None` or empty; an XP-style
/// single `.LOG` goes in `log1`) into `primary`. A clean primary is
/// returned unchanged (pending log entries are ignored, as Windows does).
/// When no log applies, the primary is returned unchanged with a warning:
/// open it in [`crate::Mode::Lenient`] for a best-effort parse.
pub fn replay(primary: &[u8], log1: Option<&[u8]>, log2: Option<&[u8]>) -> Result<Replayed> {
    let pbase = BaseBlock::parse(primary)?;
    if primary.len() < BASE_BLOCK_LEN {
        return Err(Error::Truncated {
            what: "primary base block",
            position: 0,
            need: 4096,
            have: primary.len() as u64,
        });
    }
    let mut report = ReplayReport {
        was_dirty: pbase.is_dirty(),
        primary_base_block_valid: pbase.checksum_ok(),
        ..ReplayReport::default()
    };
    let mut logs = Vec::new();
    for (slot, bytes) in [("log1", log1), ("log2", log2)] {
        let Some(bytes) = bytes else { continue };
        let mut lr = LogReport {
            slot,
            size: bytes.len(),
            format: LogFormat::Unknown,
            base_sequence: None,
            not_used: None,
            applied: Vec::new(),
            stopped_at: None,
        };
        let base = if bytes.is_empty() {
            lr.not_used = Some("empty file".into());
            None
        } else {
            match BaseBlock::parse(bytes) {
                Ok(b) => {
                    lr.base_sequence = Some(b.primary_sequence);
                    lr.format = match b.file_type() {
                        FileType::OldLog => LogFormat::Old,
                        FileType::NewLog => LogFormat::New,
                        _ => LogFormat::Unknown,
                    };
                    if !b.checksum_ok() {
                        lr.not_used = Some(format!(
                            "base block checksum mismatch (stored {:#010x}, computed {:#010x})",
                            b.checksum_stored, b.checksum_computed
                        ));
                        None
                    } else if b.primary_sequence != b.secondary_sequence {
                        lr.not_used = Some(format!(
                            "log base block is itself dirty ({} / {})",
                            b.primary_sequence, b.secondary_sequence
                        ));
                        None
                    } else if lr.format == LogFormat::Unknown {
                        lr.not_used = Some(format!(
                            "file type {} is not a transaction log",
                            b.file_type_raw
                        ));
                        None
                    } else {
                        Some(b)
                    }
                }
                Err(e) => {
                    lr.not_used = Some(e.to_string());
                    None
                }
            }
        };
        report.logs.push(lr);
        logs.push(Log {
            slot,
            bytes,
            base,
            report_idx: report.logs.len() - 1,
        });
    }

    if !report.was_dirty {
        for l in &mut report.logs {
            if l.not_used.is_none() {
                l.not_used = Some("primary is clean: pending log entries are ignored".into());
            }
        }
        return Ok(Replayed {
            hive: primary.to_vec(),
            report,
        });
    }

    let valid: Vec<&Log<'_>> = logs.iter().filter(|l| l.base.is_some()).collect();
    let new: Vec<&Log<'_>> = valid
        .iter()
        .copied()
        .filter(|l| {
            report
                .logs
                .get(l.report_idx)
                .is_some_and(|r| r.format == LogFormat::New)
        })
        .collect();
    let old: Vec<&Log<'_>> = valid
        .iter()
        .copied()
        .filter(|l| {
            report
                .logs
                .get(l.report_idx)
                .is_some_and(|r| r.format == LogFormat::Old)
        })
        .collect();

    let total_log: usize = logs.iter().map(|l| l.bytes.len()).sum();
    let cap = primary
        .len()
        .saturating_add(total_log)
        .saturating_add(BASE_BLOCK_LEN);

    let out = if !new.is_empty() {
        replay_new(primary, &pbase, &new, cap, &mut report)
    } else if !old.is_empty() {
        replay_old(primary, &pbase, &old, cap, &mut report)
    } else {
        None
    };
    match out {
        Some(hive) => Ok(Replayed { hive, report }),
        None => {
            report.warnings.push(
                "hive is dirty and no transaction log could be applied: parsing it as is (best effort); recent changes may be missing"
                    .into(),
            );
            Ok(Replayed {
                hive: primary.to_vec(),
                report,
            })
        }
    }
}

struct Entry<'a> {
    size: usize,
    flags: u32,
    sequence: u32,
    hive_bins_size: u32,
    pages: Vec<(u32, &'a [u8])>,
}

/// Validates the HvLE entry at `pos` completely.
fn parse_entry(log: &[u8], pos: usize, expected: u32) -> std::result::Result<Entry<'_>, String> {
    let h = slice(log, pos, 40).ok_or("truncated entry header")?;
    if h.get(..4) != Some(b"HvLE") {
        return Err(format!(
            "no HvLE signature (found {:02x?})",
            h.get(..4).unwrap_or_default()
        ));
    }
    let u = |o| le_u32(h, o).unwrap_or(0);
    let size = u(4) as usize;
    if size < 512 || size % 512 != 0 {
        return Err(format!("bad entry size {size:#x}"));
    }
    let e = slice(log, pos, size)
        .ok_or_else(|| format!("entry of {size:#x} bytes runs past the end of the log"))?;
    let hbs = u(16);
    if hbs < 4096 || hbs % 4096 != 0 {
        return Err(format!("bad hive bins size {hbs:#x}"));
    }
    let count = u(20) as usize;
    if count == 0 {
        return Err("dirty page count is 0".into());
    }
    let h1 = le_u64(h, 24).unwrap_or(0);
    let h2 = le_u64(h, 32).unwrap_or(0);
    let c2 = marvin32(h.get(..32).unwrap_or_default(), LOG_SEED);
    if c2 != h2 {
        return Err(format!(
            "hash-2 mismatch (stored {h2:#018x}, computed {c2:#018x})"
        ));
    }
    let c1 = marvin32(e.get(40..).unwrap_or_default(), LOG_SEED);
    if c1 != h1 {
        return Err(format!(
            "hash-1 mismatch (stored {h1:#018x}, computed {c1:#018x})"
        ));
    }
    let seq = u(12);
    if seq != expected {
        return Err(format!("sequence number {seq}, expected {expected}"));
    }
    let refs_end = 40usize
        .checked_add(count.checked_mul(8).ok_or("page count overflow")?)
        .ok_or("overflow")?;
    if refs_end > size {
        return Err(format!("{count} page references do not fit the entry"));
    }
    let mut data_pos = refs_end;
    let mut pages = Vec::with_capacity(count);
    for i in 0..count {
        let off = le_u32(e, 40 + i * 8).unwrap_or(0);
        let len = le_u32(e, 44 + i * 8).unwrap_or(0) as usize;
        let page = slice(e, data_pos, len)
            .ok_or_else(|| format!("page {i} ({len:#x} bytes) runs past the entry"))?;
        if (off as usize)
            .checked_add(len)
            .is_none_or(|end| end > hbs as usize)
        {
            return Err(format!(
                "page {i} at {off:#x}+{len:#x} lies outside the hive bins size {hbs:#x}"
            ));
        }
        data_pos += len;
        pages.push((off, page));
    }
    Ok(Entry {
        size,
        flags: u(8),
        sequence: seq,
        hive_bins_size: hbs,
        pages,
    })
}

struct NewState {
    image: Vec<u8>,
    last_seq: Option<u32>,
    hive_bins_size: u32,
    flags: u32,
}

fn apply_new_log(log: &Log<'_>, st: &mut NewState, cap: usize, report: &mut ReplayReport) {
    let Some(base) = &log.base else { return };
    let mut expected = base.primary_sequence;
    let mut pos = LOG_BASE_BLOCK_LEN;
    let lr_idx = log.report_idx;
    while pos < log.bytes.len() {
        let entry = match parse_entry(log.bytes, pos, expected) {
            Ok(e) => e,
            Err(reason) => {
                // Zeros after the last entry are the normal end of a log.
                let normal_end = log
                    .bytes
                    .get(pos..pos + 4)
                    .is_none_or(|s| s == [0, 0, 0, 0]);
                if !normal_end && let Some(lr) = report.logs.get_mut(lr_idx) {
                    lr.stopped_at = Some((pos as u64, reason));
                }
                break;
            }
        };
        let new_len = BASE_BLOCK_LEN + entry.hive_bins_size as usize;
        if new_len > cap {
            if let Some(lr) = report.logs.get_mut(lr_idx) {
                lr.stopped_at = Some((
                    pos as u64,
                    format!(
                        "hive bins size {:#x} is larger than the logs can fill",
                        entry.hive_bins_size
                    ),
                ));
            }
            break;
        }
        if st.image.len() < new_len {
            st.image.resize(new_len, 0);
        }
        for (off, page) in &entry.pages {
            let dst = BASE_BLOCK_LEN + *off as usize;
            if let Some(d) = st.image.get_mut(dst..dst + page.len()) {
                d.copy_from_slice(page);
            }
        }
        st.last_seq = Some(entry.sequence);
        st.hive_bins_size = entry.hive_bins_size;
        st.flags = (st.flags & !1) | (entry.flags & 1);
        if let Some(lr) = report.logs.get_mut(lr_idx) {
            lr.applied.push(entry.sequence);
        }
        report.applied += 1;
        expected = expected.wrapping_add(1);
        pos += entry.size;
    }
}

fn replay_new(
    primary: &[u8],
    pbase: &BaseBlock,
    logs: &[&Log<'_>],
    cap: usize,
    report: &mut ReplayReport,
) -> Option<Vec<u8>> {
    let (first, second) = match logs {
        [a] => (*a, None),
        [a, b, ..] => {
            let sa = a.base.as_ref().map_or(0, |x| x.primary_sequence);
            let sb = b.base.as_ref().map_or(0, |x| x.primary_sequence);
            if seq_before(sb, sa) {
                (*b, Some(*a))
            } else {
                (*a, Some(*b))
            }
        }
        [] => return None,
    };
    let seq_of = |l: &Log<'_>| l.base.as_ref().map_or(0, |b| b.primary_sequence);
    let mut st = NewState {
        image: primary.to_vec(),
        last_seq: None,
        hive_bins_size: pbase.hive_bins_size,
        flags: pbase.flags,
    };
    let mark = |report: &mut ReplayReport, l: &Log<'_>, why: String| {
        if let Some(lr) = report.logs.get_mut(l.report_idx) {
            lr.not_used.get_or_insert(why);
        }
    };
    let base_source: &Log<'_>;
    if pbase.checksum_ok() {
        let secondary = pbase.secondary_sequence;
        let eligible = |l: &Log<'_>| !seq_before(seq_of(l), secondary);
        if eligible(first) {
            apply_new_log(first, &mut st, cap, report);
            base_source = first;
            if let Some(s) = second {
                match st.last_seq {
                    Some(last) if seq_of(s) == last.wrapping_add(1) => {
                        apply_new_log(s, &mut st, cap, report)
                    }
                    _ => mark(
                        report,
                        s,
                        format!(
                            "its sequence number {} does not continue the previous log (last applied {:?})",
                            seq_of(s),
                            st.last_seq
                        ),
                    ),
                }
            }
        } else {
            mark(
                report,
                first,
                format!(
                    "its sequence number {} is older than the primary's secondary sequence number {secondary}",
                    seq_of(first)
                ),
            );
            match second {
                Some(s) if eligible(s) => {
                    apply_new_log(s, &mut st, cap, report);
                    base_source = s;
                }
                Some(s) => {
                    mark(
                        report,
                        s,
                        format!(
                            "its sequence number {} is older than the primary's secondary sequence number {secondary}",
                            seq_of(s)
                        ),
                    );
                    return None;
                }
                None => return None,
            }
        }
    } else {
        // Windows takes the base block from the later log and applies only
        // that log when the primary's base block is bad.
        let later = second.unwrap_or(first);
        if let Some(s) = second {
            mark(
                report,
                first,
                "primary base block is invalid: only the later log is used".into(),
            );
            let _ = s;
        }
        if let Some(lb) = later.bytes.get(..LOG_BASE_BLOCK_LEN)
            && let Some(dst) = st.image.get_mut(..LOG_BASE_BLOCK_LEN)
        {
            dst.copy_from_slice(lb);
        }
        if let Some(b) = &later.base {
            st.flags = b.flags;
            st.hive_bins_size = b.hive_bins_size;
        }
        apply_new_log(later, &mut st, cap, report);
        base_source = later;
    }
    let _ = base_source;
    let last = st.last_seq?;
    if let Some(bb) = st.image.get_mut(..BASE_BLOCK_LEN) {
        finalize_primary_base_block(bb, last, st.hive_bins_size, st.flags);
    }
    report.final_sequence = Some(last);
    report.final_hive_bins_size = Some(st.hive_bins_size);
    Some(st.image)
}

fn replay_old(
    primary: &[u8],
    pbase: &BaseBlock,
    logs: &[&Log<'_>],
    cap: usize,
    report: &mut ReplayReport,
) -> Option<Vec<u8>> {
    // A log is applicable when its last-written time matches the primary's
    // (the first bin's copy of it when the primary base block is bad).
    let primary_time = if pbase.checksum_ok() {
        pbase.last_written
    } else {
        le_u64(primary, BASE_BLOCK_LEN + 20).unwrap_or(0)
    };
    let mut chosen: Option<&Log<'_>> = None;
    for l in logs {
        let Some(b) = &l.base else { continue };
        if b.last_written < primary_time {
            if let Some(lr) = report.logs.get_mut(l.report_idx) {
                lr.not_used = Some(format!(
                    "last written time {:#x} is older than the primary's {:#x}",
                    b.last_written, primary_time
                ));
            }
            continue;
        }
        let better = chosen
            .and_then(|c| c.base.as_ref())
            .is_none_or(|cb| seq_before(cb.primary_sequence, b.primary_sequence));
        if better {
            chosen = Some(l);
        }
    }
    let log = chosen?;
    let lbase = log.base.as_ref()?;
    for l in logs {
        if !std::ptr::eq(*l, log)
            && let Some(lr) = report.logs.get_mut(l.report_idx)
        {
            lr.not_used
                .get_or_insert_with(|| "another log was applied".into());
        }
    }
    let hbs = lbase.hive_bins_size as usize;
    let vec_len = hbs / 4096;
    let lr_idx = log.report_idx;
    let stop = |report: &mut ReplayReport, pos: usize, why: String| {
        if let Some(lr) = report.logs.get_mut(lr_idx) {
            lr.stopped_at = Some((pos as u64, why));
        }
    };
    if log.bytes.get(512..516) != Some(b"DIRT") {
        stop(report, 512, "no DIRT dirty vector".into());
        return None;
    }
    let Some(bitmap) = log.bytes.get(516..516 + vec_len) else {
        stop(
            report,
            516,
            format!("dirty vector of {vec_len} bytes runs past the log"),
        );
        return None;
    };
    if BASE_BLOCK_LEN + hbs > cap {
        stop(
            report,
            40,
            format!("hive bins size {hbs:#x} is larger than the log can fill"),
        );
        return None;
    }
    let pages_start = (516 + vec_len).div_ceil(512) * 512;
    let mut image = primary.to_vec();
    if image.len() < BASE_BLOCK_LEN + hbs {
        image.resize(BASE_BLOCK_LEN + hbs, 0);
    }
    let mut k = 0usize;
    let mut applied = 0u32;
    for bit in 0..vec_len * 8 {
        let set = bitmap.get(bit / 8).is_some_and(|b| b >> (bit % 8) & 1 == 1);
        if !set {
            continue;
        }
        let src = pages_start + k * 512;
        let Some(page) = log.bytes.get(src..src + 512) else {
            stop(
                report,
                src,
                "dirty page runs past the end of the log".into(),
            );
            break;
        };
        let dst = BASE_BLOCK_LEN + bit * 512;
        if let Some(d) = image.get_mut(dst..dst + 512) {
            d.copy_from_slice(page);
        }
        k += 1;
        applied += 1;
    }
    if applied == 0 {
        return None;
    }
    if !pbase.checksum_ok()
        && let (Some(lb), Some(dst)) = (
            log.bytes.get(..LOG_BASE_BLOCK_LEN),
            image.get_mut(..LOG_BASE_BLOCK_LEN),
        )
    {
        dst.copy_from_slice(lb);
    }
    let seq = if pbase.checksum_ok() {
        pbase.primary_sequence
    } else {
        lbase.primary_sequence
    };
    if let Some(bb) = image.get_mut(..BASE_BLOCK_LEN) {
        finalize_primary_base_block(bb, seq, lbase.hive_bins_size, lbase.flags);
        // Root offset and version come from the log's (newer) copy.
        for off in [20usize, 24, 36] {
            if let (Some(src), Some(_)) = (log.bytes.get(off..off + 4), bb.get(off..off + 4)) {
                let v = src.to_vec();
                if let Some(d) = bb.get_mut(off..off + 4) {
                    d.copy_from_slice(&v);
                }
            }
        }
        let sum = crate::base_block::checksum(bb).unwrap_or(1);
        if let Some(d) = bb.get_mut(508..512) {
            d.copy_from_slice(&sum.to_le_bytes());
        }
    }
    if let Some(lr) = report.logs.get_mut(lr_idx) {
        lr.applied.push(applied);
    }
    report.applied += applied as usize;
    report.final_sequence = Some(seq);
    report.final_hive_bins_size = Some(lbase.hive_bins_size);
    Some(image)
}

/// Valid `HvLE` entries anywhere in a log (512-byte steps), including
/// remnants past the last applied entry: `(file offset, sequence)`.
pub fn scan_entries(log: &[u8]) -> Vec<(u64, u32)> {
    let mut out = Vec::new();
    let mut pos = LOG_BASE_BLOCK_LEN;
    while pos + 40 <= log.len() {
        if log.get(pos..pos + 4) == Some(b"HvLE") {
            let seq = le_u32(log, pos + 12).unwrap_or(0);
            if let Ok(e) = parse_entry(log, pos, seq) {
                out.push((pos as u64, seq));
                pos += e.size;
                continue;
            }
        }
        pos += 512;
    }
    out
}
