//! Mapping pairs ("data runs") of non-resident attributes.
//!
//! Sources: libfsntfs "Data runs"; ntfs-3g `runlist.c` semantics; shared
//! notes §3.2 (verified on `mft-rs_entry_data_run_at_offset.bin`, a $J
//! extension record with negative LCN deltas after a huge sparse run).
//!
//! Each run: header byte `H` (low nibble = size of the length field, high
//! nibble = size of the signed LCN delta); `H == 0` ends the list; a delta
//! size of 0 is a sparse run.

use rift_io::bytes::{slice, u8_at};

use crate::error::{Error, Result};

/// One extent of a non-resident attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// First virtual cluster number covered by the run.
    pub vcn: u64,
    /// First logical cluster on the volume, `None` for a sparse run.
    pub lcn: Option<u64>,
    /// Length in clusters (never 0).
    pub length: u64,
}

impl Run {
    /// The VCN after the run.
    pub fn end_vcn(&self) -> u64 {
        self.vcn.saturating_add(self.length)
    }
}

/// Decodes a mapping-pairs array that starts at `start_vcn`.
///
/// Stops at the terminating 0 header or at the end of `bytes`. Returns an
/// error (with the offset of the offending header inside `bytes`) for a
/// length or delta field running past the end, a zero length, a negative
/// LCN or a VCN overflow. Runs decoded before the error are lost; use
/// [`decode_runs_lenient`] to keep them.
pub fn decode_runs(bytes: &[u8], start_vcn: u64) -> Result<Vec<Run>> {
    let (runs, err) = decode_runs_lenient(bytes, start_vcn);
    match err {
        Some(e) => Err(e),
        None => Ok(runs),
    }
}

/// Like [`decode_runs`] but keeps the runs decoded before an error and
/// returns the error beside them (forensic mode: a damaged tail still
/// leaves the head readable).
pub fn decode_runs_lenient(bytes: &[u8], start_vcn: u64) -> (Vec<Run>, Option<Error>) {
    let mut runs = Vec::new();
    let mut pos = 0usize;
    let mut vcn = start_vcn;
    let mut lcn: i64 = 0;
    let err = |offset: usize, reason: &'static str| Error::BadRunList {
        offset: offset as u64,
        reason,
    };
    loop {
        let Some(h) = u8_at(bytes, pos) else {
            // Ran off the end without a terminator: accept what we have
            // (the attribute's length bounds the list).
            return (runs, None);
        };
        if h == 0 {
            return (runs, None);
        }
        let len_size = usize::from(h & 0x0F);
        let off_size = usize::from(h >> 4);
        if len_size == 0 || len_size > 8 || off_size > 8 {
            return (runs, Some(err(pos, "invalid run header")));
        }
        let Some(len_bytes) = slice(bytes, pos + 1, len_size) else {
            return (runs, Some(err(pos, "run length runs past the list")));
        };
        let length = le_unsigned(len_bytes);
        if length == 0 || length > i64::MAX as u64 {
            return (runs, Some(err(pos, "run length is 0 or too large")));
        }
        let run_lcn = if off_size == 0 {
            None
        } else {
            let Some(off_bytes) = slice(bytes, pos + 1 + len_size, off_size) else {
                return (runs, Some(err(pos, "run offset runs past the list")));
            };
            let delta = le_signed(off_bytes);
            let Some(next) = lcn.checked_add(delta) else {
                return (runs, Some(err(pos, "LCN overflow")));
            };
            if next < 0 {
                return (runs, Some(err(pos, "negative LCN")));
            }
            lcn = next;
            Some(next as u64)
        };
        runs.push(Run {
            vcn,
            lcn: run_lcn,
            length,
        });
        let Some(next_vcn) = vcn.checked_add(length) else {
            return (runs, Some(err(pos, "VCN overflow")));
        };
        vcn = next_vcn;
        pos += 1 + len_size + off_size;
    }
}

fn le_unsigned(b: &[u8]) -> u64 {
    b.iter()
        .rev()
        .fold(0u64, |acc, &x| (acc << 8) | u64::from(x))
}

fn le_signed(b: &[u8]) -> i64 {
    let n = b.len();
    if n == 0 {
        return 0;
    }
    let v = le_unsigned(b);
    if n >= 8 {
        return v as i64;
    }
    let shift = 64 - 8 * n as u32;
    ((v << shift) as i64) >> shift
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_sparse_and_negative_deltas() {
        // (1 cluster @1993), (15 sparse) — compressed.txt in the notes.
        let r = decode_runs(&[0x21, 0x01, 0xC9, 0x07, 0x01, 0x0F, 0x00], 0).unwrap();
        assert_eq!(
            r,
            vec![
                Run {
                    vcn: 0,
                    lcn: Some(1993),
                    length: 1
                },
                Run {
                    vcn: 1,
                    lcn: None,
                    length: 15
                }
            ]
        );
        // 0xDBC8 as two bytes is -9272.
        let r = decode_runs(&[0x21, 0x01, 0x00, 0x40, 0x21, 0x02, 0xC8, 0xDB, 0], 5).unwrap();
        assert_eq!(
            r[1],
            Run {
                vcn: 6,
                lcn: Some(0x4000 - 9272),
                length: 2
            }
        );
    }

    #[test]
    fn rejects_bad_lists_without_panicking() {
        assert!(decode_runs(&[0x21, 0x01], 0).is_err());
        assert!(decode_runs(&[0x11, 0x01, 0x80], 0).is_err()); // negative LCN
        assert!(decode_runs(&[0x01, 0x00], 0).is_err()); // zero length
        assert!(decode_runs(&[0x0F], 0).is_err());
        let (r, e) = decode_runs_lenient(&[0x11, 0x01, 0x05, 0x21, 0x01], 0);
        assert_eq!(r.len(), 1);
        assert!(e.is_some());
        let max = [
            0x88u8, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 1, 0, 0, 0, 0, 0, 0, 0,
        ];
        let _ = decode_runs(&max.repeat(3), u64::MAX - 3);
    }
}
