//! A small, read-only OLE Compound File (CFB) reader, enough for
//! automatic jump lists: header, FAT (with DIFAT), directory, mini stream.
//!
//! Why our own instead of the `cfb` crate: evidence files are often
//! damaged (cut-off copies, carved files), and we want every chain walk
//! bounded (cycle-proof), every length capped by the input, and a typed
//! error with a byte position instead of an `io::Error` — over an input we
//! already hold in memory. The reader is ~250 lines; its output is checked
//! against libolecf's `olecfexport` in the tests.
//!
//! Sources: Microsoft [MS-CFB] §2.2 (header), §2.3 (sector numbers and
//! types), §2.5 (DIFAT), §2.6 (directory entries), §2.4 (mini FAT and
//! mini stream); libyal/libolecf `documentation/OLE Compound File
//! format.asciidoc`.

use rift_io::bytes::{le_u16, le_u32, le_u64, slice, utf16le_lossy};

use crate::{Error, Result};

/// The CFB signature.
pub const SIGNATURE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const END_OF_CHAIN: u32 = 0xFFFF_FFFE;
const MAX_REG_SECT: u32 = 0xFFFF_FFFA;
const DIR_ENTRY_SIZE: usize = 128;

/// Object type of a directory entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    /// A storage (folder).
    Storage,
    /// A stream (file).
    Stream,
    /// The root storage (owns the mini stream).
    Root,
}

/// One directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Index in the directory.
    pub index: usize,
    /// Entry name.
    pub name: String,
    /// Entry type.
    pub entry_type: EntryType,
    /// First sector (or mini sector) of the data.
    pub start_sector: u32,
    /// Data size in bytes.
    pub size: u64,
}

/// An opened compound file over bytes in memory.
#[derive(Debug)]
pub struct CompoundFile<'a> {
    data: &'a [u8],
    sector_shift: u32,
    mini_cutoff: u64,
    fat: Vec<u32>,
    mini_fat: Vec<u32>,
    mini_stream: Vec<u8>,
    entries: Vec<Entry>,
}

/// Whether `bytes` starts with the CFB signature.
pub fn looks_like_cfb(bytes: &[u8]) -> bool {
    bytes.get(..8) == Some(&SIGNATURE[..])
}

impl<'a> CompoundFile<'a> {
    /// Opens a compound file: reads the header, the FAT, the directory and
    /// the mini stream.
    pub fn open(data: &'a [u8]) -> Result<CompoundFile<'a>> {
        let header = slice(data, 0, 512).ok_or(Error::Truncated {
            what: "compound file header",
            offset: 0,
        })?;
        if !looks_like_cfb(header) {
            return Err(Error::BadSignature {
                what: "compound file signature",
                offset: 0,
            });
        }
        let h = |o| le_u32(header, o).unwrap_or(0);
        let sector_shift = u32::from(le_u16(header, 30).unwrap_or(0));
        if !(7..=16).contains(&sector_shift) {
            return Err(Error::Corrupt {
                what: "compound file sector shift",
                offset: 30,
            });
        }
        let sector_size = 1usize << sector_shift;
        let per_sector = sector_size / 4;
        let max_sectors = data.len() / sector_size + 1;

        // FAT sector list: 109 entries in the header, then the DIFAT chain.
        let mut fat_sectors: Vec<u32> = (0..109)
            .map(|i| h(76 + 4 * i))
            .filter(|&s| s <= MAX_REG_SECT)
            .collect();
        let mut difat = h(68);
        let mut guard = 0usize;
        while difat <= MAX_REG_SECT && guard < max_sectors {
            guard += 1;
            let Some(sec) = sector(data, sector_shift, difat) else {
                break;
            };
            for i in 0..per_sector - 1 {
                let s = le_u32(sec, 4 * i).unwrap_or(u32::MAX);
                if s <= MAX_REG_SECT {
                    fat_sectors.push(s);
                }
            }
            difat = le_u32(sec, sector_size - 4).unwrap_or(END_OF_CHAIN);
        }
        fat_sectors.truncate(max_sectors);
        let mut fat = Vec::new();
        for s in fat_sectors {
            if let Some(sec) = sector(data, sector_shift, s) {
                fat.extend((0..per_sector).filter_map(|i| le_u32(sec, 4 * i)));
            }
        }

        let mut cf = CompoundFile {
            data,
            sector_shift,
            mini_cutoff: u64::from(h(56)),
            fat,
            mini_fat: Vec::new(),
            mini_stream: Vec::new(),
            entries: Vec::new(),
        };

        // Directory.
        let dir = cf.chain_bytes(h(48), None);
        if dir.is_empty() {
            return Err(Error::Corrupt {
                what: "compound file directory chain",
                offset: 48,
            });
        }
        for (index, e) in dir.chunks_exact(DIR_ENTRY_SIZE).enumerate() {
            let entry_type = match e.get(66) {
                Some(1) => EntryType::Storage,
                Some(2) => EntryType::Stream,
                Some(5) => EntryType::Root,
                _ => continue,
            };
            let name_len = usize::from(le_u16(e, 64).unwrap_or(0)).min(64);
            let name = utf16le_lossy(e.get(..name_len.saturating_sub(2)).unwrap_or_default());
            let mut size = le_u64(e, 120).unwrap_or(0);
            if le_u16(header, 26) == Some(3) {
                size &= 0xFFFF_FFFF; // v3: the high half is undefined
            }
            cf.entries.push(Entry {
                index,
                name,
                entry_type,
                start_sector: le_u32(e, 116).unwrap_or(END_OF_CHAIN),
                size,
            });
        }

        // Mini FAT and the mini stream (owned by the root entry).
        let mini_fat_bytes = cf.chain_bytes(h(60), None);
        cf.mini_fat = (0..mini_fat_bytes.len() / 4)
            .filter_map(|i| le_u32(&mini_fat_bytes, 4 * i))
            .collect();
        if let Some(root) = cf.entries.iter().find(|e| e.entry_type == EntryType::Root) {
            let (start, size) = (root.start_sector, root.size);
            cf.mini_stream = cf.chain_bytes(start, Some(size));
        }
        Ok(cf)
    }

    /// All directory entries (storages, streams, root).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The streams (no storages).
    pub fn streams(&self) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(|e| e.entry_type == EntryType::Stream)
    }

    /// The first stream with this name.
    pub fn stream(&self, name: &str) -> Option<&Entry> {
        self.streams().find(|e| e.name == name)
    }

    /// Reads a stream's data. Fails when its sector chain ends before the
    /// declared size (the bytes read so far are in the error's count).
    pub fn read(&self, entry: &Entry) -> Result<Vec<u8>> {
        let out = if entry.size < self.mini_cutoff {
            self.mini_chain_bytes(entry.start_sector, entry.size)
        } else {
            self.chain_bytes(entry.start_sector, Some(entry.size))
        };
        if (out.len() as u64) < entry.size {
            return Err(Error::StreamTruncated {
                name: entry.name.clone(),
                declared: entry.size,
                read: out.len() as u64,
            });
        }
        Ok(out)
    }

    /// Concatenates a FAT chain (bounded by the FAT size, so cycles end),
    /// cut to `limit` bytes.
    fn chain_bytes(&self, start: u32, limit: Option<u64>) -> Vec<u8> {
        let cap = limit
            .map(|l| l.min(self.data.len() as u64) as usize)
            .unwrap_or(self.data.len());
        let mut out = Vec::new();
        let mut s = start;
        let mut steps = 0usize;
        while s <= MAX_REG_SECT && steps <= self.fat.len() && out.len() < cap {
            steps += 1;
            let Some(sec) = sector(self.data, self.sector_shift, s) else {
                break;
            };
            let take = sec.len().min(cap - out.len());
            out.extend_from_slice(sec.get(..take).unwrap_or_default());
            s = self.fat.get(s as usize).copied().unwrap_or(END_OF_CHAIN);
        }
        out
    }

    fn mini_chain_bytes(&self, start: u32, size: u64) -> Vec<u8> {
        const MINI: usize = 64;
        let cap = size.min(self.mini_stream.len() as u64) as usize;
        let mut out = Vec::new();
        let mut s = start;
        let mut steps = 0usize;
        while s <= MAX_REG_SECT && steps <= self.mini_fat.len() && out.len() < cap {
            steps += 1;
            let Some(sec) = slice(&self.mini_stream, s as usize * MINI, MINI) else {
                break;
            };
            let take = MINI.min(cap - out.len());
            out.extend_from_slice(sec.get(..take).unwrap_or_default());
            s = self
                .mini_fat
                .get(s as usize)
                .copied()
                .unwrap_or(END_OF_CHAIN);
        }
        out
    }
}

/// Sector `n` (sector 0 starts right after the 512-byte header block,
/// i.e. at `(n + 1) << shift`). A partial last sector is returned as is.
fn sector(data: &[u8], shift: u32, n: u32) -> Option<&[u8]> {
    let size = 1usize << shift;
    let start = (n as usize).checked_add(1)?.checked_mul(size)?;
    let end = start.checked_add(size)?.min(data.len());
    data.get(start..end).filter(|s| !s.is_empty())
}
