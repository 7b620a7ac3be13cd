//! The regf base block (file header): sequence numbers, checksum, dirty
//! state.
//!
//! Sources: msuhanov/regf specification §"Base block" and §"Dirty state of a
//! hive"; `../shared/docs/formats/artifacts.md` §1.1 (checked on every
//! registry fixture). A base block is 4096 bytes in a primary file and its
//! first 512 bytes are copied (modified) into each transaction log.

use rift_io::bytes::{le_u32, le_u64, slice, utf16le_nul_terminated};
use rift_io::time::FileTime;

use crate::{Error, Result};

/// Length of the base block in a primary file.
pub const BASE_BLOCK_LEN: usize = 4096;
/// Length of the base-block copy at the start of a transaction log.
pub const LOG_BASE_BLOCK_LEN: usize = 512;

/// What the `file type` field says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum FileType {
    /// 0: a primary hive file.
    Primary,
    /// 1 (XP…8.0) or 2 (NT ≤ 2000): old-format transaction log (dirty
    /// vector + dirty pages).
    OldLog,
    /// 6: new-format transaction log (HvLE entries, Windows 8.1+).
    NewLog,
    /// Anything else (raw value kept).
    Other(u32),
}

impl FileType {
    fn from_raw(v: u32) -> FileType {
        match v {
            0 => FileType::Primary,
            1 | 2 => FileType::OldLog,
            6 => FileType::NewLog,
            o => FileType::Other(o),
        }
    }
}

/// A parsed base block. Fields are raw where Windows keeps them raw.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BaseBlock {
    /// Bumped when a write to the primary file starts.
    pub primary_sequence: u32,
    /// Bumped when that write finishes; equal to `primary_sequence` when clean.
    pub secondary_sequence: u32,
    /// Last written time (0 from Windows 8.1 on).
    pub last_written: u64,
    /// Major version (1).
    pub major_version: u32,
    /// Minor version (3, 4, 5, 6; 1–2 = NT 3.x cell format).
    pub minor_version: u32,
    /// File type field, raw.
    pub file_type_raw: u32,
    /// File format (1 = direct memory load).
    pub file_format: u32,
    /// Offset of the root key node, relative to the hive-bins data.
    pub root_cell_offset: u32,
    /// Size of the hive-bins data in bytes.
    pub hive_bins_size: u32,
    /// Clustering factor (sector size / 512).
    pub clustering_factor: u32,
    /// The tail of the file path Windows wrote for debugging.
    pub file_name: String,
    /// Flags (bit 0 KTM locked, bit 1 defragmented / layered keys).
    pub flags: u32,
    /// Last reorganized time with its two low type bits (Windows 8+).
    pub last_reorganized: u64,
    /// Checksum stored at offset 508.
    pub checksum_stored: u32,
    /// Checksum computed over bytes 0..508.
    pub checksum_computed: u32,
}

/// XOR-32 checksum of the first 508 bytes, with Windows' two special cases
/// (0 becomes 1, 0xFFFFFFFF becomes 0xFFFFFFFE). `None` when fewer than
/// 508 bytes are given.
pub fn checksum(block: &[u8]) -> Option<u32> {
    let head = block.get(..508)?;
    let mut x = 0u32;
    for c in head.chunks_exact(4) {
        if let Ok(w) = <[u8; 4]>::try_from(c) {
            x ^= u32::from_le_bytes(w);
        }
    }
    Some(match x {
        0 => 1,
        0xFFFF_FFFF => 0xFFFF_FFFE,
        v => v,
    })
}

impl BaseBlock {
    /// Parses the first 512 bytes of `data` (the part every copy holds).
    /// Only the signature is enforced; validity is reported by
    /// [`BaseBlock::checksum_ok`] and [`BaseBlock::is_dirty`].
    pub fn parse(data: &[u8]) -> Result<BaseBlock> {
        if data.get(..4) == Some(b"CREG") {
            return Err(Error::Win9xCreg);
        }
        let head = slice(data, 0, LOG_BASE_BLOCK_LEN).ok_or(Error::Truncated {
            what: "base block",
            position: 0,
            need: LOG_BASE_BLOCK_LEN as u64,
            have: data.len() as u64,
        })?;
        if head.get(..4) != Some(b"regf") {
            return Err(Error::BadSignature {
                what: "regf",
                position: 0,
                found: head.get(..4).unwrap_or_default().to_vec(),
            });
        }
        let u32_at = |o| le_u32(head, o).unwrap_or(0);
        Ok(BaseBlock {
            primary_sequence: u32_at(4),
            secondary_sequence: u32_at(8),
            last_written: le_u64(head, 12).unwrap_or(0),
            major_version: u32_at(20),
            minor_version: u32_at(24),
            file_type_raw: u32_at(28),
            file_format: u32_at(32),
            root_cell_offset: u32_at(36),
            hive_bins_size: u32_at(40),
            clustering_factor: u32_at(44),
            file_name: utf16le_nul_terminated(head.get(48..112).unwrap_or_default()),
            flags: u32_at(144),
            last_reorganized: le_u64(head, 168).unwrap_or(0),
            checksum_stored: u32_at(508),
            checksum_computed: checksum(head).unwrap_or(0),
        })
    }

    /// The file type.
    pub fn file_type(&self) -> FileType {
        FileType::from_raw(self.file_type_raw)
    }

    /// Whether the stored checksum matches.
    pub fn checksum_ok(&self) -> bool {
        self.checksum_stored == self.checksum_computed
    }

    /// Dirty = checksum wrong or the two sequence numbers differ.
    pub fn is_dirty(&self) -> bool {
        !self.checksum_ok() || self.primary_sequence != self.secondary_sequence
    }

    /// The last written time as a `FileTime`.
    pub fn last_written_time(&self) -> FileTime {
        FileTime(self.last_written)
    }
}

/// Writes sequence numbers, hive-bins size, flags, file type 0 and a fresh
/// checksum into a base block buffer (at least 512 bytes). Used when saving
/// a recovered hive.
pub(crate) fn finalize_primary_base_block(
    block: &mut [u8],
    sequence: u32,
    hive_bins_size: u32,
    flags: u32,
) {
    let mut put = |off: usize, v: u32| {
        if let Some(dst) = block.get_mut(off..off + 4) {
            dst.copy_from_slice(&v.to_le_bytes());
        }
    };
    put(4, sequence);
    put(8, sequence);
    put(28, 0);
    put(40, hive_bins_size);
    put(144, flags);
    let sum = checksum(block).unwrap_or(1);
    if let Some(dst) = block.get_mut(508..512) {
        dst.copy_from_slice(&sum.to_le_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_special_cases() {
        let mut b = vec![0u8; 512];
        assert_eq!(checksum(&b), Some(1));
        b[0..4].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        assert_eq!(checksum(&b), Some(0xFFFF_FFFE));
        assert_eq!(checksum(&b[..100]), None);
    }

    #[test]
    fn creg_and_garbage() {
        assert!(matches!(
            BaseBlock::parse(b"CREG\0\0\0\0"),
            Err(Error::Win9xCreg)
        ));
        assert!(matches!(
            BaseBlock::parse(&[0u8; 600]),
            Err(Error::BadSignature { .. })
        ));
        assert!(matches!(
            BaseBlock::parse(b"regf"),
            Err(Error::Truncated { .. })
        ));
    }
}
