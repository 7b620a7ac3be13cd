//! Restart pages (`RSTR`) and the LFS restart area.
//!
//! Pages 0 and 1 hold two copies of the restart area, written alternately;
//! the one with the higher current LSN is the newer. The restart area says
//! how LSNs map to file offsets (sequence-number bits), where log data
//! starts in a page, and where the NTFS client's last checkpoint is.
//!
//! ```text
//! RSTR page: 0 "RSTR" | 4 u16 USA offset | 6 u16 USA count | 8 u64 chkdsk LSN
//!            16 u32 system page size | 20 u32 log page size
//!            24 u16 restart area offset | 26 i16 minor | 28 i16 major
//! restart area: 0 u64 current LSN | 8 u16 log clients | 10 u16 free list
//!            12 u16 in-use list | 14 u16 flags | 16 u32 sequence-number bits
//!            20 u16 area length | 22 u16 client array offset | 24 u64 file size
//!            32 u32 last LSN data length | 36 u16 record header length
//!            38 u16 log page data offset | 40 u32 restart open count
//! client:    0 u64 oldest LSN | 8 u64 client restart LSN | 16 u16 prev
//!            18 u16 next | 20 u16 sequence | 28 u32 name length | 32 name
//! ```
//!
//! Sources: `docs/formats/ntfs.md` §8.1–8.3 ([NTFS3G] `logfile.h`
//! `RESTART_PAGE_HEADER`, `RESTART_AREA`, `LOG_CLIENT_RECORD`; [DFIR_NTFS]
//! `LogFile.py`), verified on all five `$LogFile` fixtures.

use rift_io::bytes::{le_i16, le_u16, le_u32, le_u64, slice, utf16le_lossy};

use crate::fixup::{self, Fixup};

/// One decoded restart page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartPage {
    /// Which copy (0 or 1, i.e. file offset 0 or one page in).
    pub copy: u8,
    /// `RSTR` or `CHKD`.
    pub signature: [u8; 4],
    /// Fixup result for the page.
    pub fixup_ok: bool,
    /// chkdsk LSN (meaningful with `CHKD`).
    pub chkdsk_lsn: u64,
    /// System page size.
    pub system_page_size: u32,
    /// Log page size (every page of the file has this size).
    pub log_page_size: u32,
    /// LFS major version (1 or 2; 3 accepted).
    pub major: i16,
    /// LFS minor version.
    pub minor: i16,
    /// The restart area.
    pub area: RestartArea,
}

/// The LFS restart area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartArea {
    /// Last LSN written when this restart area was written.
    pub current_lsn: u64,
    /// Number of log clients.
    pub log_clients: u16,
    /// Flags: 0x2 = clean ("new restart area written"), 0x1 = single-page I/O.
    pub flags: u16,
    /// Bits of an LSN used for the wrap sequence number.
    pub seq_number_bits: u32,
    /// File size the log was formatted for.
    pub file_size: u64,
    /// Client data length of the record at the current LSN.
    pub last_lsn_data_length: u32,
    /// Log record header length (48).
    pub record_header_length: u16,
    /// Offset of log data in a record page (64).
    pub page_data_offset: u16,
    /// Incremented at each mount.
    pub open_count: u32,
    /// Clients on the in-use list (normally one, `NTFS`).
    pub clients: Vec<LogClient>,
}

/// A log client record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogClient {
    /// Index in the client array.
    pub index: u16,
    /// Oldest LSN the client still needs.
    pub oldest_lsn: u64,
    /// LSN of the client's restart record (its last checkpoint).
    pub restart_lsn: u64,
    /// Client sequence number.
    pub sequence: u16,
    /// Client name (`NTFS`).
    pub name: String,
}

impl RestartArea {
    /// `true` when the clean flag is set (nothing to replay).
    pub fn is_clean(&self) -> bool {
        self.flags & 0x2 != 0
    }
}

/// Size of one client record.
const CLIENT_SIZE: usize = 160;

/// Decodes the restart page at the start of `raw` (one log page, fixups not
/// yet applied). `None` when it is not a plausible `RSTR`/`CHKD` page.
pub fn parse_restart_page(raw: &[u8], copy: u8) -> Option<RestartPage> {
    let sig: [u8; 4] = raw.get(0..4)?.try_into().ok()?;
    if &sig != b"RSTR" && &sig != b"CHKD" {
        return None;
    }
    let log_page_size = le_u32(raw, 20)?;
    let system_page_size = le_u32(raw, 16)?;
    if !valid_page_size(log_page_size) {
        return None;
    }
    let len = (log_page_size as usize).min(raw.len());
    let mut page = raw.get(..len)?.to_vec();
    let fixup_ok = fixup::apply(&mut page) == Fixup::Ok;
    let ra_off = usize::from(le_u16(&page, 24)?);
    let major = le_i16(&page, 28)?;
    let minor = le_i16(&page, 26)?;
    let ra = page.get(ra_off..)?;
    let area = RestartArea {
        current_lsn: le_u64(ra, 0)?,
        log_clients: le_u16(ra, 8)?,
        flags: le_u16(ra, 14)?,
        seq_number_bits: le_u32(ra, 16)?,
        file_size: le_u64(ra, 24)?,
        last_lsn_data_length: le_u32(ra, 32)?,
        record_header_length: le_u16(ra, 36)?,
        page_data_offset: le_u16(ra, 38)?,
        open_count: le_u32(ra, 40)?,
        clients: clients(ra),
    };
    Some(RestartPage {
        copy,
        signature: sig,
        fixup_ok,
        chkdsk_lsn: le_u64(&page, 8)?,
        system_page_size,
        log_page_size,
        major,
        minor,
        area,
    })
}

/// Walks the in-use client list. The list is bounded by the number of
/// clients and by a visited check, so a loop in a hostile restart area ends.
fn clients(ra: &[u8]) -> Vec<LogClient> {
    let mut out = Vec::new();
    let (Some(count), Some(mut idx), Some(array)) = (le_u16(ra, 8), le_u16(ra, 12), le_u16(ra, 22))
    else {
        return out;
    };
    let mut seen: Vec<u16> = Vec::new();
    while idx != 0xFFFF && idx < count && !seen.contains(&idx) && seen.len() < 64 {
        seen.push(idx);
        let at = usize::from(array) + usize::from(idx) * CLIENT_SIZE;
        let Some(c) = slice(ra, at, CLIENT_SIZE) else {
            break;
        };
        let name_len = (le_u32(c, 28).unwrap_or(0) as usize).min(128);
        out.push(LogClient {
            index: idx,
            oldest_lsn: le_u64(c, 0).unwrap_or(0),
            restart_lsn: le_u64(c, 8).unwrap_or(0),
            sequence: le_u16(c, 20).unwrap_or(0),
            name: utf16le_lossy(slice(c, 32, name_len).unwrap_or_default()),
        });
        idx = le_u16(c, 18).unwrap_or(0xFFFF);
    }
    out
}

/// Log page sizes LFS uses: a power of two from 512 bytes to 64 KiB.
pub fn valid_page_size(size: u32) -> bool {
    size.is_power_of_two() && (512..=65536).contains(&size)
}

/// LSN ↔ file offset arithmetic for one log.
///
/// `offset = (LSN << seq_bits) >> (seq_bits − 3)` (the low `64 − seq_bits`
/// bits count 8-byte units); `wrap = LSN >> (64 − seq_bits)`.
/// Sources: `docs/formats/ntfs.md` §8.3 ([NTFS3G] `logfile.h`), verified by
/// mapping current and restart LSNs to headers carrying those LSNs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LsnMath {
    seq_bits: u32,
}

impl LsnMath {
    /// Arithmetic for `seq_bits` sequence bits (clamped to 3..=60 so that
    /// hostile values cannot overflow the shifts).
    pub fn new(seq_bits: u32) -> Self {
        LsnMath {
            seq_bits: seq_bits.clamp(3, 60),
        }
    }

    /// File offset of the record with this LSN.
    pub fn offset(self, lsn: u64) -> u64 {
        (lsn << self.seq_bits) >> (self.seq_bits - 3)
    }

    /// Wrap sequence number of an LSN.
    pub fn wrap(self, lsn: u64) -> u64 {
        lsn >> (64 - self.seq_bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsn_math_matches_the_notes() {
        // LogFile_10: seq bits 43; current LSN 8413528 lies in the file.
        let m = LsnMath::new(43);
        assert_eq!(m.offset(8), 64);
        // Live data of LogFile_10 is wrap sequence 4 (§8.4).
        assert_eq!(m.wrap(8413528), 4);
        assert_eq!(m.offset(8413528), (8413528 & ((1 << 21) - 1)) * 8);
        // Hostile bit counts do not overflow.
        let _ = LsnMath::new(0).offset(u64::MAX);
        let _ = LsnMath::new(200).wrap(u64::MAX);
    }
}
