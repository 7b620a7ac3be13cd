//! `table` / `table2` sections: the file offset of every chunk.
//!
//! Payload: entry count u32 @0, base offset u64 @8 (EnCase 6+; 0 in older
//! writers, whose entries are absolute), Adler-32 of bytes 0–19 @20, then
//! `count` u32 entries (bit 31 = compressed, bits 0–30 = offset from base),
//! then the Adler-32 of the entry array. `table2` mirrors `table`.
//!
//! Sources: libyal/libewf EWF format document, "Table section"; checked on
//! every fixture table (containers.md §1.5).

use rift_io::ReadAt;
use rift_io::bytes::{le_u32, le_u64, slice};

use crate::adler32;
use crate::section::{SectionInfo, read_full};

/// More entries than any writer puts in one table (EnCase 6+: 65 534);
/// bounded so a crafted count cannot make us allocate gigabytes.
const MAX_TABLE_ENTRIES: u64 = 1 << 24;

/// A parsed table.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// Base offset added to every entry.
    pub base: u64,
    /// Raw entries.
    pub entries: Vec<u32>,
    /// Header Adler-32 matched.
    pub header_ok: bool,
    /// Entry-array Adler-32 matched (absent in the original ASR layout).
    pub entries_ok: bool,
    /// The count field as stored (entries may be fewer when the payload is
    /// short).
    pub count_field: u32,
}

impl Table {
    /// Both checksums matched and every announced entry is present.
    pub fn is_sound(&self) -> bool {
        self.header_ok && self.entries_ok && self.entries.len() == self.count_field as usize
    }
}

/// Reads a table section's payload. `None` when even the header is
/// unreadable.
pub(crate) fn read_table(r: &dyn ReadAt, s: &SectionInfo) -> std::io::Result<Option<Table>> {
    let (start, end) = s.payload();
    let mut head = [0u8; 24];
    if read_full(r, start, &mut head)? < head.len() {
        return Ok(None);
    }
    let (Some(count_field), Some(base), Some(stored)) =
        (le_u32(&head, 0), le_u64(&head, 8), le_u32(&head, 20))
    else {
        return Ok(None);
    };
    let header_ok = slice(&head, 0, 20).is_some_and(|h| adler32(h) == stored);
    // Entries that fit both the section and the file, capped.
    let file_end = r.size();
    let room = end.min(file_end).saturating_sub(start + 24) / 4;
    let n = u64::from(count_field).min(room).min(MAX_TABLE_ENTRIES);
    // n ≤ 2^24, so the byte count fits usize everywhere.
    let mut raw = vec![0u8; (n as usize) * 4 + 4];
    let got = read_full(r, start + 24, &mut raw)?;
    let n_read = (got / 4).min(n as usize);
    let entries: Vec<u32> = raw
        .chunks_exact(4)
        .take(n_read)
        .filter_map(|c| le_u32(c, 0))
        .collect();
    let entries_ok = entries.len() == count_field as usize
        && slice(&raw, 0, n_read * 4)
            .zip(le_u32(&raw, n_read * 4))
            .is_some_and(|(arr, c)| adler32(arr) == c);
    Ok(Some(Table {
        base,
        entries,
        header_ok,
        entries_ok,
        count_field,
    }))
}
