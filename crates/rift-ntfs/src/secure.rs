//! `$Secure:$SDS`: security descriptors shared by security id.
//!
//! Sources: libfsntfs "Security descriptor stream"; shared notes §4.5
//! (verified on `dissect_sds.bin.gz`: entry header hash, id, u64 offset,
//! u32 length; 16-byte alignment; 256 KiB blocks each followed by a mirror
//! copy).

use std::collections::HashMap;

use rift_io::ReadAt;
use rift_io::bytes::{le_u32, le_u64};

use crate::values::{SecurityDescriptor, Sid};

/// Block size of `$SDS`: each 256 KiB block is written twice.
const BLOCK: u64 = 0x40000;
/// Cap on the `$SDS` bytes scanned (1 GiB).
const MAX_SDS: u64 = 1 << 30;

/// One `$SDS` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdsEntry {
    /// Hash of the descriptor.
    pub hash: u32,
    /// Security id (`$STANDARD_INFORMATION.security_id`).
    pub security_id: u32,
    /// Offset of the entry in `$SDS`.
    pub offset: u64,
    /// Parsed descriptor.
    pub descriptor: SecurityDescriptor,
}

/// Security ids → descriptors.
#[derive(Debug, Clone, Default)]
pub struct SecureMap {
    entries: HashMap<u32, SdsEntry>,
    /// Malformed entries skipped (with their offsets).
    pub problems: Vec<String>,
}

impl SecureMap {
    /// Parses a whole `$SDS` stream.
    pub fn parse<R: ReadAt + ?Sized>(r: &R) -> SecureMap {
        let mut m = SecureMap::default();
        let size = r.size().min(MAX_SDS);
        let mut block = 0u64;
        let mut buf = vec![0u8; BLOCK as usize];
        while block < size {
            let len = (size - block).min(BLOCK) as usize;
            let Some(b) = buf.get_mut(..len) else { break };
            if rift_io::read_exact_at(r, block, b).is_err() {
                m.problems.push(format!("$SDS unreadable at {block:#x}"));
                break;
            }
            let b: &[u8] = b;
            let mut pos = 0usize;
            while pos + 20 <= b.len() {
                let hash = le_u32(b, pos).unwrap_or(0);
                let id = le_u32(b, pos + 4).unwrap_or(0);
                let off = le_u64(b, pos + 8).unwrap_or(0);
                let elen = le_u32(b, pos + 16).unwrap_or(0) as usize;
                if elen == 0 && hash == 0 && id == 0 {
                    break; // rest of block unused
                }
                if elen < 20 || pos + elen > b.len() || off != block + pos as u64 {
                    m.problems
                        .push(format!("$SDS entry at {:#x} malformed", block + pos as u64));
                    break;
                }
                if let Some(sd) = b.get(pos + 20..pos + elen) {
                    if let Ok(d) = SecurityDescriptor::parse(sd) {
                        m.entries.entry(id).or_insert(SdsEntry {
                            hash,
                            security_id: id,
                            offset: off,
                            descriptor: d,
                        });
                    }
                }
                pos += (elen + 15) & !15;
            }
            // Skip the mirror copy.
            block += 2 * BLOCK;
        }
        m
    }

    /// The entry for a security id.
    pub fn get(&self, security_id: u32) -> Option<&SdsEntry> {
        self.entries.get(&security_id)
    }

    /// The owner SID for a security id.
    pub fn owner(&self, security_id: u32) -> Option<&Sid> {
        self.get(security_id)?.descriptor.owner.as_ref()
    }

    /// Number of descriptors.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no descriptor was found.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
