//! `volume` / `disk` / `data` sections: the media geometry.
//!
//! Sources: libyal/libewf EWF format document, "Volume section" (EnCase
//! 1052-byte layout, SMART/ASR 94-byte layout); 1052-byte layout checked on
//! every fixture segment (containers.md §1.4).

use rift_io::bytes::{array, le_u32, le_u64, slice, u8_at};

use crate::adler32;

/// Largest chunk accepted (EnCase 5/6 allow 32 768 sectors of 512 bytes =
/// 16 MiB; a little headroom for 4 KiB sectors). Bigger values are crafted
/// and would make every chunk read allocate that much.
pub(crate) const MAX_CHUNK_SIZE: u64 = 64 << 20;

/// The media description of an EWF image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaInfo {
    /// Media type byte: 0x00 removable, 0x01 fixed disk, 0x03 optical,
    /// 0x0E logical evidence (L01), 0x10 memory.
    pub media_type: u8,
    /// Media flags: 0x01 image file, 0x02 physical device, 0x04 Fastbloc
    /// write blocker, 0x08 Tableau write blocker.
    pub media_flags: u8,
    /// Number of chunks as stored in the volume section.
    pub chunk_count: u32,
    /// Sectors per chunk.
    pub sectors_per_chunk: u32,
    /// Bytes per sector.
    pub bytes_per_sector: u32,
    /// Number of sectors of the media.
    pub sector_count: u64,
    /// Compression level: 0 none, 1 fast/good, 2 best (EnCase layout only).
    pub compression_level: Option<u8>,
    /// Error granularity in sectors (EnCase layout only).
    pub error_granularity: Option<u32>,
    /// Segment set identifier (EnCase 5+; all zero when unset).
    pub set_identifier: Option<[u8; 16]>,
    /// Which layout the section used: `"encase"` (1052 bytes) or `"smart"`
    /// (94 bytes).
    pub layout: &'static str,
    /// Whether the section's Adler-32 matched (Logicube writers leave 0).
    pub checksum_ok: bool,
}

impl MediaInfo {
    /// Chunk size in bytes.
    pub fn chunk_size(&self) -> u64 {
        u64::from(self.sectors_per_chunk) * u64::from(self.bytes_per_sector)
    }

    /// Media size in bytes (sector count × bytes per sector).
    pub fn media_size(&self) -> u64 {
        self.sector_count
            .saturating_mul(u64::from(self.bytes_per_sector))
    }

    /// Human name of the media type.
    pub fn media_type_name(&self) -> &'static str {
        match self.media_type {
            0x00 => "removable disk",
            0x01 => "fixed disk",
            0x03 => "optical disc",
            0x0E => "logical evidence",
            0x10 => "memory (RAM)",
            _ => "unknown",
        }
    }

    /// Whether the geometry is usable: non-zero, bounded chunk size.
    pub(crate) fn check(&self) -> Result<(), String> {
        let bps = self.bytes_per_sector;
        if bps == 0 || bps > 1 << 16 {
            return Err(format!("bytes per sector {bps} out of range"));
        }
        if self.sectors_per_chunk == 0 {
            return Err("zero sectors per chunk".into());
        }
        if self.chunk_size() > MAX_CHUNK_SIZE {
            return Err(format!(
                "chunk size {} bytes ({} sectors × {bps}) exceeds {MAX_CHUNK_SIZE}",
                self.chunk_size(),
                self.sectors_per_chunk
            ));
        }
        Ok(())
    }
}

/// Parses a volume/disk/data payload. The layout is chosen by its size.
pub(crate) fn parse_volume(p: &[u8]) -> Option<MediaInfo> {
    if p.len() >= 1052 {
        let checksum_ok = adler32(slice(p, 0, 1048)?) == le_u32(p, 1048)?;
        Some(MediaInfo {
            media_type: u8_at(p, 0)?,
            chunk_count: le_u32(p, 4)?,
            sectors_per_chunk: le_u32(p, 8)?,
            bytes_per_sector: le_u32(p, 12)?,
            sector_count: le_u64(p, 16)?,
            media_flags: u8_at(p, 36)?,
            compression_level: Some(u8_at(p, 52)?),
            error_granularity: Some(le_u32(p, 56)?),
            set_identifier: Some(array::<16>(p, 64)?),
            layout: "encase",
            checksum_ok,
        })
    } else if p.len() >= 94 {
        let checksum_ok = adler32(slice(p, 0, 90)?) == le_u32(p, 90)?;
        Some(MediaInfo {
            media_type: 0x01,
            chunk_count: le_u32(p, 4)?,
            sectors_per_chunk: le_u32(p, 8)?,
            bytes_per_sector: le_u32(p, 12)?,
            sector_count: u64::from(le_u32(p, 16)?),
            media_flags: 0x01,
            compression_level: None,
            error_granularity: None,
            set_identifier: None,
            layout: "smart",
            checksum_ok,
        })
    } else {
        None
    }
}
