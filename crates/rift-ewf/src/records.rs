//! `hash`, `digest`, `error2` and `session` sections.
//!
//! Sources: libyal/libewf EWF format document, "Hash section", "Digest
//! section", "Error2 section", "Session section". `hash` checked on the
//! fixtures (its MD5 equals the media MD5); the others follow the document.

use rift_io::bytes::{array, le_u32, slice};

use crate::adler32;

/// A range of sectors (acquisition read errors, sessions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectorRange {
    /// First sector.
    pub start_sector: u64,
    /// Number of sectors.
    pub sector_count: u64,
}

/// An optical-media session (`session` section).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    /// Flags (bit 0: audio track).
    pub flags: u32,
    /// First sector of the session.
    pub start_sector: u64,
}

/// The parsed `hash` payload: MD5 and whether its checksum matched.
pub(crate) fn parse_hash(p: &[u8]) -> Option<([u8; 16], bool)> {
    let md5 = array::<16>(p, 0)?;
    let ok = adler32(slice(p, 0, 32)?) == le_u32(p, 32)?;
    Some((md5, ok))
}

/// The parsed `digest` payload: MD5, SHA-1, checksum ok.
pub(crate) fn parse_digest(p: &[u8]) -> Option<([u8; 16], [u8; 20], bool)> {
    let md5 = array::<16>(p, 0)?;
    let sha1 = array::<20>(p, 16)?;
    let ok = adler32(slice(p, 0, 76)?) == le_u32(p, 76)?;
    Some((md5, sha1, ok))
}

/// Entries of an `error2` payload (header count @0, Adler-32 @516, entries
/// of {start u32, count u32} from 520). Returns the ranges and whether both
/// checksums matched. The count is bounded by the payload length.
pub(crate) fn parse_error2(p: &[u8]) -> Option<(Vec<SectorRange>, bool)> {
    let count = le_u32(p, 0)? as usize;
    let header_ok = adler32(slice(p, 0, 516)?) == le_u32(p, 516)?;
    let avail = p.len().saturating_sub(520) / 8;
    let n = count.min(avail);
    let entries = slice(p, 520, n * 8)?;
    let ranges = entries
        .chunks_exact(8)
        .filter_map(|e| {
            Some(SectorRange {
                start_sector: u64::from(le_u32(e, 0)?),
                sector_count: u64::from(le_u32(e, 4)?),
            })
        })
        .collect();
    let entries_ok = le_u32(p, 520 + n * 8).is_some_and(|c| c == adler32(entries));
    Some((ranges, header_ok && entries_ok && n == count))
}

/// Entries of a `session` payload (count @0, Adler-32 @32, 32-byte entries
/// from 36 with flags @0 and start sector @4).
pub(crate) fn parse_session(p: &[u8]) -> Option<(Vec<Session>, bool)> {
    let count = le_u32(p, 0)? as usize;
    let header_ok = adler32(slice(p, 0, 32)?) == le_u32(p, 32)?;
    let avail = p.len().saturating_sub(36) / 32;
    let n = count.min(avail);
    let entries = slice(p, 36, n * 32)?;
    let sessions = entries
        .chunks_exact(32)
        .filter_map(|e| {
            Some(Session {
                flags: le_u32(e, 0)?,
                start_sector: u64::from(le_u32(e, 4)?),
            })
        })
        .collect();
    let entries_ok = le_u32(p, 36 + n * 32).is_some_and(|c| c == adler32(entries));
    Some((sessions, header_ok && entries_ok && n == count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error2_from_spec_layout() {
        let mut p = vec![0u8; 520];
        p[0..4].copy_from_slice(&2u32.to_le_bytes());
        let c = adler32(&p[..516]);
        p[516..520].copy_from_slice(&c.to_le_bytes());
        let mut entries = Vec::new();
        for (s, n) in [(100u32, 64u32), (5000, 8)] {
            entries.extend_from_slice(&s.to_le_bytes());
            entries.extend_from_slice(&n.to_le_bytes());
        }
        p.extend_from_slice(&entries);
        p.extend_from_slice(&adler32(&entries).to_le_bytes());
        let (r, ok) = parse_error2(&p).unwrap();
        assert!(ok);
        assert_eq!(r.len(), 2);
        assert_eq!(r[1].start_sector, 5000);
        assert_eq!(r[1].sector_count, 8);
        // a count larger than the payload is capped, not trusted
        p[0..4].copy_from_slice(&u32::MAX.to_le_bytes());
        let (r, ok) = parse_error2(&p).unwrap();
        assert!(!ok);
        assert!(r.len() <= 3);
    }
}
