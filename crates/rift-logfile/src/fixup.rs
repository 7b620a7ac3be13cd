//! Update sequence array (multi-sector protection) of RSTR/RCRD pages.
//!
//! On write, NTFS/LFS stores the last two bytes of every 512-byte stride of
//! a page in the update sequence array and replaces them with the update
//! sequence number. Reading reverses it. The stride is 512 bytes whatever
//! the sector size.
//!
//! Sources: `docs/formats/ntfs.md` §2.2 ([LIBFSNTFS] "fix-up values",
//! [NTFS3G] `NTFS_RECORD`), verified on every `$LogFile` fixture (USA count 9
//! for 4096-byte pages).

use rift_io::bytes::le_u16;

/// Result of applying fixups to one page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixup {
    /// Every stride carried the update sequence number; restored.
    Ok,
    /// Some strides did not (a torn write); the others were restored and the
    /// count of bad strides is given.
    Torn(u16),
    /// The array itself lies outside the page.
    BadArray,
}

/// Applies the update sequence array at `usa_offset`/`usa_count` (from the
/// page header) to `page` in place.
pub fn apply(page: &mut [u8]) -> Fixup {
    let (Some(off), Some(count)) = (le_u16(page, 4), le_u16(page, 6)) else {
        return Fixup::BadArray;
    };
    let (off, count) = (usize::from(off), usize::from(count));
    if count == 0 || off + count * 2 > page.len() || off < 8 {
        return Fixup::BadArray;
    }
    let Some(usn) = le_u16(page, off) else {
        return Fixup::BadArray;
    };
    let mut bad = 0u16;
    for i in 1..count {
        let end = i * 512;
        if end > page.len() {
            break;
        }
        let Some(saved) = le_u16(page, off + i * 2) else {
            break;
        };
        match page.get_mut(end - 2..end) {
            Some(tail) => {
                if tail != usn.to_le_bytes() {
                    bad += 1;
                }
                tail.copy_from_slice(&saved.to_le_bytes());
            }
            None => break,
        }
    }
    if bad == 0 {
        Fixup::Ok
    } else {
        Fixup::Torn(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restores_and_detects_torn() {
        let mut p = vec![0u8; 1024];
        p[4..6].copy_from_slice(&40u16.to_le_bytes());
        p[6..8].copy_from_slice(&3u16.to_le_bytes());
        p[40..42].copy_from_slice(&7u16.to_le_bytes());
        p[42..44].copy_from_slice(&0xAAAAu16.to_le_bytes());
        p[44..46].copy_from_slice(&0xBBBBu16.to_le_bytes());
        p[510..512].copy_from_slice(&7u16.to_le_bytes());
        p[1022..1024].copy_from_slice(&7u16.to_le_bytes());
        let mut q = p.clone();
        assert_eq!(apply(&mut q), Fixup::Ok);
        assert_eq!(&q[510..512], &[0xAA, 0xAA]);
        assert_eq!(&q[1022..1024], &[0xBB, 0xBB]);
        p[1022] = 9;
        assert_eq!(apply(&mut p), Fixup::Torn(1));
        let mut z = vec![0xFFu8; 64];
        assert_eq!(apply(&mut z), Fixup::BadArray);
    }
}
