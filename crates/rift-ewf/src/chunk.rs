//! Chunk location (from the tables) and decoding (inflate or checksum).
//!
//! Sources: libyal/libewf EWF format document, "Table section" (entry
//! layout, last-entry size, the EnCase 6.7.1 31-bit offset overflow) and
//! "Sectors section" (compressed chunks are zlib streams; uncompressed ones
//! carry a trailing Adler-32). Checked on the fixtures (containers.md §1.5).

use flate2::{Decompress, FlushDecompress, Status};
use rift_io::bytes::le_u32;

use crate::adler32;

/// One table's worth of chunks, placed in the global chunk numbering.
#[derive(Debug, Clone)]
pub(crate) struct TableSpan {
    /// Global index of the table's first chunk.
    pub first_chunk: u64,
    /// Number of chunks (entries) in the table.
    pub count: u64,
    /// Index of the first entry in [`ChunkMap::entries`].
    pub entries_start: usize,
    /// 0-based index of the segment holding the chunks.
    pub segment: usize,
    /// Base offset added to the entries.
    pub base: u64,
    /// File offset where the last chunk's data ends (end of the `sectors`
    /// section, or of the table section in EnCase 1/SMART files).
    pub last_end: u64,
    /// Entries from this index on are full 32-bit offsets of uncompressed
    /// chunks (EnCase 6.7.1 overflow); `u64::MAX` when not overflowed.
    pub overflow_from: u64,
}

/// Where every chunk is stored.
#[derive(Debug, Clone, Default)]
pub(crate) struct ChunkMap {
    pub entries: Vec<u32>,
    pub spans: Vec<TableSpan>,
}

/// Location of one chunk's stored bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChunkLoc {
    /// 0-based segment index.
    pub segment: usize,
    /// File offset of the stored bytes.
    pub offset: u64,
    /// Stored length (compressed size, or chunk size + 4).
    pub stored_len: u64,
    /// Entry's compression flag.
    pub compressed: bool,
}

impl ChunkMap {
    /// Finds the span holding `chunk`.
    fn span(&self, chunk: u64) -> Option<&TableSpan> {
        let i = self.spans.partition_point(|s| s.first_chunk <= chunk);
        let s = self.spans.get(i.checked_sub(1)?)?;
        (chunk < s.first_chunk.saturating_add(s.count)).then_some(s)
    }

    /// The file offset and compression flag of entry `j` of span `s`.
    fn entry(&self, s: &TableSpan, j: u64) -> Option<(u64, bool)> {
        let idx = s.entries_start.checked_add(usize::try_from(j).ok()?)?;
        let e = *self.entries.get(idx)?;
        let (rel, compressed) = if j >= s.overflow_from {
            (u64::from(e), false)
        } else {
            (u64::from(e & 0x7FFF_FFFF), e & 0x8000_0000 != 0)
        };
        Some((s.base.checked_add(rel)?, compressed))
    }

    /// Locates `chunk`: `None` when no table covers it; `Some(Err(loc))`
    /// when the table entry is inconsistent (next entry before this one).
    pub fn locate(&self, chunk: u64, max_stored: u64) -> Option<Result<ChunkLoc, ChunkLoc>> {
        let s = self.span(chunk)?;
        let j = chunk - s.first_chunk;
        let (offset, compressed) = self.entry(s, j)?;
        let end = if j + 1 < s.count {
            self.entry(s, j + 1)?.0
        } else {
            s.last_end
        };
        let mut loc = ChunkLoc {
            segment: s.segment,
            offset,
            stored_len: 0,
            compressed,
        };
        if end <= offset {
            return Some(Err(loc));
        }
        loc.stored_len = (end - offset).min(max_stored);
        Some(Ok(loc))
    }
}

/// Detects the EnCase 6.7.1 31-bit overflow in one table: the index of
/// the first entry whose masked offset wraps while its full 32-bit value
/// continues right after the previous chunk (within one stored chunk).
/// A wrap that does not continue the data (a corrupt or crafted entry) is
/// not an overflow. `u64::MAX` when there is none.
pub(crate) fn overflow_index(entries: &[u32], max_stored: u64) -> u64 {
    let mut prev = 0u64;
    for (j, e) in entries.iter().enumerate() {
        let masked = u64::from(e & 0x7FFF_FFFF);
        let full = u64::from(*e);
        if j > 0 && masked < prev && full > prev && full - prev <= max_stored {
            return j as u64;
        }
        prev = masked;
    }
    u64::MAX
}

/// Why a chunk could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum BadChunkReason {
    /// The zlib stream is corrupt (including zlib's own Adler-32 check).
    Inflate {
        /// zlib's message.
        message: String,
    },
    /// The chunk inflated to a different size than the media needs.
    SizeMismatch {
        /// Bytes expected.
        expected: u64,
        /// Bytes produced (or "more than expected" as expected + 1).
        got: u64,
    },
    /// An uncompressed chunk's trailing Adler-32 does not match its data.
    ChecksumMismatch {
        /// Stored Adler-32.
        stored: u32,
        /// Adler-32 of the data.
        computed: u32,
    },
    /// The stored bytes reach past the end of the segment file (truncated
    /// segment, or a table entry pointing past the file).
    PastEndOfSegment {
        /// Bytes the table says are stored.
        needed: u64,
        /// Bytes available in the file.
        available: u64,
    },
    /// The table entry is inconsistent (its successor starts before it).
    InvalidTableEntry,
    /// No table covers the chunk (lost table, truncated or missing segment).
    Missing,
}

impl std::fmt::Display for BadChunkReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BadChunkReason::Inflate { message } => write!(f, "zlib stream corrupt: {message}"),
            BadChunkReason::SizeMismatch { expected, got } => {
                write!(f, "inflated to {got} bytes, expected {expected}")
            }
            BadChunkReason::ChecksumMismatch { stored, computed } => write!(
                f,
                "Adler-32 mismatch: stored {stored:#010x}, computed {computed:#010x}"
            ),
            BadChunkReason::PastEndOfSegment { needed, available } => write!(
                f,
                "stored data past the end of the segment file ({available} of {needed} bytes present)"
            ),
            BadChunkReason::InvalidTableEntry => write!(f, "invalid table entry"),
            BadChunkReason::Missing => write!(f, "no table entry (chunk data lost)"),
        }
    }
}

/// A chunk that could not be read (or a run of consecutive chunks that
/// failed for the same kind of reason); its media bytes read as zeros.
///
/// Runs are merged so a lost table or a crafted volume claiming millions
/// of chunks costs one record, not millions. The location fields describe
/// the first chunk of the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadChunk {
    /// Chunk index (0-based, global across segments) of the first chunk.
    pub chunk: u64,
    /// Number of consecutive chunks in this record (1 for a single chunk).
    pub chunks: u64,
    /// Media byte offset of the first chunk.
    pub media_offset: u64,
    /// Media bytes covered (zeroed).
    pub len: u64,
    /// Segment number (1-based) holding the chunk, when known.
    pub segment: Option<u32>,
    /// Byte position of the stored chunk in that segment file, when known.
    pub file_offset: Option<u64>,
    /// Stored size, when known.
    pub stored_size: Option<u64>,
    /// The table entry's compression flag, when known.
    pub compressed: Option<bool>,
    /// What went wrong.
    pub reason: BadChunkReason,
}

impl std::fmt::Display for BadChunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.chunks > 1 {
            write!(
                f,
                "chunks {}-{} ({} chunks, media offset {:#x}, {} bytes)",
                self.chunk,
                self.chunk + self.chunks - 1,
                self.chunks,
                self.media_offset,
                self.len
            )?;
        } else {
            write!(
                f,
                "chunk {} (media offset {:#x}, {} bytes)",
                self.chunk, self.media_offset, self.len
            )?;
        }
        if let (Some(s), Some(o)) = (self.segment, self.file_offset) {
            write!(f, " in segment {s} at byte position {o:#x}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Decodes one stored chunk into `out` (exactly the chunk's media length).
pub(crate) fn decode(
    raw: &[u8],
    compressed: bool,
    out: &mut [u8],
    inflater: &mut Decompress,
) -> Result<(), BadChunkReason> {
    let want = out.len();
    if compressed {
        inflater.reset(true);
        let res = inflater.decompress(raw, out, FlushDecompress::Finish);
        let produced = inflater.total_out();
        let err = match res {
            Ok(Status::StreamEnd) if produced == want as u64 => return Ok(()),
            Ok(Status::StreamEnd) => BadChunkReason::SizeMismatch {
                expected: want as u64,
                got: produced,
            },
            Ok(_) if produced == want as u64 => BadChunkReason::SizeMismatch {
                expected: want as u64,
                got: want as u64 + 1,
            },
            Ok(_) => BadChunkReason::Inflate {
                message: "stream ends early (truncated)".into(),
            },
            Err(e) => BadChunkReason::Inflate {
                message: e.to_string(),
            },
        };
        // EnCase 6.7.1 overflow: bit 31 may be an offset bit of an
        // uncompressed chunk. Accept only with a matching Adler-32.
        if let Ok(()) = check_uncompressed(raw, out) {
            return Ok(());
        }
        out.fill(0);
        Err(err)
    } else {
        check_uncompressed(raw, out).inspect_err(|_| out.fill(0))
    }
}

/// Copies an uncompressed chunk after checking its trailing Adler-32.
fn check_uncompressed(raw: &[u8], out: &mut [u8]) -> Result<(), BadChunkReason> {
    let want = out.len();
    let (Some(data), Some(stored)) = (raw.get(..want), le_u32(raw, want)) else {
        return Err(BadChunkReason::SizeMismatch {
            expected: want as u64 + 4,
            got: raw.len() as u64,
        });
    };
    let computed = adler32(data);
    if computed != stored {
        return Err(BadChunkReason::ChecksumMismatch { stored, computed });
    }
    out.copy_from_slice(data);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn decode_compressed_and_raw() {
        let data: Vec<u8> = (0..4096u32).map(|i| (i % 251) as u8).collect();
        let mut inf = Decompress::new(true);
        let mut out = vec![0u8; data.len()];
        decode(&zlib(&data), true, &mut out, &mut inf).unwrap();
        assert_eq!(out, data);

        let mut raw = data.clone();
        raw.extend_from_slice(&adler32(&data).to_le_bytes());
        let mut out = vec![0u8; data.len()];
        decode(&raw, false, &mut out, &mut inf).unwrap();
        assert_eq!(out, data);

        // flipped byte in an uncompressed chunk
        raw[100] ^= 1;
        let e = decode(&raw, false, &mut out, &mut inf).unwrap_err();
        assert!(matches!(e, BadChunkReason::ChecksumMismatch { .. }));
        assert!(out.iter().all(|b| *b == 0));

        // flipped byte in a compressed chunk
        let mut z = zlib(&data);
        let mid = z.len() / 2;
        z[mid] ^= 0x10;
        let e = decode(&z, true, &mut out, &mut inf).unwrap_err();
        assert!(
            matches!(
                e,
                BadChunkReason::Inflate { .. } | BadChunkReason::SizeMismatch { .. }
            ),
            "{e:?}"
        );

        // wrong expected size
        let mut short = vec![0u8; 100];
        assert!(decode(&zlib(&data), true, &mut short, &mut inf).is_err());
    }

    #[test]
    fn overflow_detection() {
        let max = 40_000;
        assert_eq!(overflow_index(&[76, 100, 0x8000_0200], max), u64::MAX);
        assert_eq!(
            overflow_index(&[0x7FFF_FF00, 0x8000_0010, 0x8000_8014], max),
            1
        );
        // A far jump (corrupt entry) followed by normal entries is not one.
        assert_eq!(
            overflow_index(&[76, 0xF000_0000, 0x8000_0100, 300], max),
            u64::MAX
        );
    }
}
