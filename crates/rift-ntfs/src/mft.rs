//! Access to FILE records: inside a volume (through the `$MFT` data
//! stream) or in a standalone `$MFT` file (record size auto-detected).

use std::sync::Arc;

use rift_io::bytes::{le_u16, le_u32};
use rift_io::{ReadAt, SharedReader};

use crate::error::{Error, Result};
use crate::record::{Record, parse_record_in_place};

/// Where records come from: any reader holding consecutive records.
#[derive(Clone)]
pub(crate) struct RecordSource {
    pub(crate) reader: SharedReader,
    pub(crate) record_size: u32,
    pub(crate) count: u64,
}

impl RecordSource {
    pub(crate) fn new(reader: SharedReader, record_size: u32) -> Self {
        let count = reader.size() / u64::from(record_size);
        RecordSource {
            reader,
            record_size,
            count,
        }
    }

    pub(crate) fn record_offset(&self, n: u64) -> u64 {
        n.saturating_mul(u64::from(self.record_size))
    }

    /// Reads and parses record `n`.
    pub(crate) fn record(&self, n: u64) -> Result<Record> {
        if n >= self.count {
            return Err(Error::EntryOutOfRange {
                entry: n,
                count: self.count,
            });
        }
        let mut buf = vec![0u8; self.record_size as usize];
        let off = self.record_offset(n);
        rift_io::read_exact_at(&*self.reader, off, &mut buf).map_err(|e| Error::io(off, e))?;
        parse_record_in_place(&mut buf, n, off)
    }
}

/// Guesses the FILE record size of a standalone `$MFT`: the header's
/// "bytes allocated" field of the first `FILE` record, checked against the
/// update sequence count (1 + size/512). Falls back to 1024.
pub fn detect_record_size<R: ReadAt + ?Sized>(r: &R) -> u32 {
    let mut buf = [0u8; 64];
    for probe in 0..16u64 {
        let off = probe * 1024;
        if rift_io::read_exact_at(r, off, &mut buf).is_err() {
            break;
        }
        if &buf[..4] != b"FILE" && &buf[..4] != b"BAAD" {
            continue;
        }
        let alloc = le_u32(&buf, 28).unwrap_or(0);
        let usa = le_u16(&buf, 6).unwrap_or(0);
        if (512..=65536).contains(&alloc)
            && alloc.is_power_of_two()
            && (u32::from(usa) == 1 + alloc / 512 || usa == 0)
        {
            return alloc;
        }
        if u32::from(usa) >= 2 {
            let s = (u32::from(usa) - 1) * 512;
            if (512..=65536).contains(&s) && s.is_power_of_two() {
                return s;
            }
        }
    }
    1024
}

/// A standalone `$MFT` (exported file, carved copy …): every record
/// readable by number, without the volume. Non-resident data cannot be
/// read (no clusters), so non-resident attribute lists are reported as a
/// problem instead of merged.
#[derive(Clone)]
pub struct MftFile {
    pub(crate) src: RecordSource,
}

impl MftFile {
    /// Opens a standalone `$MFT`; the record size is detected.
    pub fn open<R: ReadAt + 'static>(reader: R) -> MftFile {
        let size = detect_record_size(&reader);
        Self::with_record_size(reader, size)
    }

    /// Opens a standalone `$MFT` with a known record size.
    pub fn with_record_size<R: ReadAt + 'static>(reader: R, record_size: u32) -> MftFile {
        let reader: SharedReader = Arc::new(reader);
        MftFile {
            src: RecordSource::new(reader, record_size.max(512)),
        }
    }

    /// Record size in bytes.
    pub fn record_size(&self) -> u32 {
        self.src.record_size
    }

    /// Number of records.
    pub fn count(&self) -> u64 {
        self.src.count
    }

    /// One record, unmerged.
    pub fn record(&self, n: u64) -> Result<Record> {
        self.src.record(n)
    }

    /// One entry with extension records merged (resident attribute lists).
    pub fn entry(&self, n: u64) -> Result<crate::MftEntry> {
        crate::volume::load_entry(&self.src, None, n)
    }

    /// Iterates over all base entries (see [`crate::Entries`]).
    pub fn entries(&self) -> crate::Entries {
        crate::Entries::new(self.src.clone(), None)
    }
}
