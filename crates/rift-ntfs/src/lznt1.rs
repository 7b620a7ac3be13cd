//! LZNT1 decompression (NTFS native compression, 4 KiB chunks).
//!
//! Sources: libfwnt "Compression methods" (LZNT1 section) and its test
//! vector `tests/data/lznt1.1`; shared notes §5.1. Written here rather than
//! taken from the `lznt1` crate because NTFS needs "stop at the unit size"
//! semantics (trailing bytes of a compression unit are junk and can look
//! like chunk headers) and errors with positions instead of a bare failure.

use crate::error::{Error, Result};

const CHUNK: usize = 4096;

/// Decompresses LZNT1 `input` and appends at most `limit` bytes to `out`.
///
/// Stops at a zero chunk header, at the end of `input`, or once `limit`
/// bytes were produced. A chunk that would read past the input is an error
/// (with the byte position in `input`); bytes produced before it stay in
/// `out`. A chunk that decompresses to less than 4096 bytes and is followed
/// by another chunk is padded with zeros, as Windows does.
pub fn decompress(input: &[u8], limit: usize, out: &mut Vec<u8>) -> Result<()> {
    let start_len = out.len();
    let mut pos = 0usize;
    let produced = |out: &Vec<u8>| out.len() - start_len;
    while produced(out) < limit {
        let Some(header) = rift_io::bytes::le_u16(input, pos) else {
            break;
        };
        if header == 0 {
            break;
        }
        let size = usize::from(header & 0x0FFF) + 1;
        let compressed = header & 0x8000 != 0;
        let data_start = pos + 2;
        let Some(data) = input.get(data_start..data_start + size) else {
            return Err(Error::Decompress {
                offset: pos as u64,
                reason: format!("chunk of {size} bytes runs past the end of the input"),
            });
        };
        let chunk_start = out.len();
        if compressed {
            decompress_chunk(data, out, data_start)?;
        } else {
            out.extend_from_slice(data);
        }
        // Chunks are 4 KiB of output; a short chunk followed by more data
        // is padded (Windows writes short chunks only at the end of a unit).
        let chunk_len = out.len() - chunk_start;
        pos = data_start + size;
        if chunk_len < CHUNK && pos + 2 <= input.len() && input.get(pos..pos + 2) != Some(&[0, 0]) {
            out.resize(chunk_start + CHUNK, 0);
        }
    }
    out.truncate(start_len + limit.min(produced(out)));
    Ok(())
}

fn decompress_chunk(data: &[u8], out: &mut Vec<u8>, base: usize) -> Result<()> {
    let chunk_start = out.len();
    let mut i = 0usize;
    while i < data.len() {
        let Some(&tag) = data.get(i) else { break };
        i += 1;
        for bit in 0..8 {
            if i >= data.len() {
                break;
            }
            if tag & (1 << bit) == 0 {
                if let Some(&b) = data.get(i) {
                    out.push(b);
                }
                i += 1;
            } else {
                let Some(token) = rift_io::bytes::le_u16(data, i) else {
                    return Err(Error::Decompress {
                        offset: (base + i) as u64,
                        reason: "truncated back-reference token".into(),
                    });
                };
                i += 2;
                let p = out.len() - chunk_start;
                if p == 0 {
                    return Err(Error::Decompress {
                        offset: (base + i - 2) as u64,
                        reason: "back-reference before any literal".into(),
                    });
                }
                // The split between distance and length bits depends on
                // the position inside the 4 KiB chunk.
                let mut len_bits = 12u32;
                let mut q = p - 1;
                while q >= 16 {
                    len_bits -= 1;
                    q >>= 1;
                }
                let len_mask = (1u16 << len_bits) - 1;
                let length = usize::from(token & len_mask) + 3;
                let dist = usize::from(token >> len_bits) + 1;
                if dist > p {
                    return Err(Error::Decompress {
                        offset: (base + i - 2) as u64,
                        reason: format!("back-reference distance {dist} before chunk start"),
                    });
                }
                if p + length > CHUNK {
                    return Err(Error::Decompress {
                        offset: (base + i - 2) as u64,
                        reason: "back-reference beyond the 4 KiB chunk".into(),
                    });
                }
                let from = out.len() - dist;
                for k in 0..length {
                    let b = out.get(from + k).copied().unwrap_or(0);
                    out.push(b);
                }
            }
        }
        if out.len() - chunk_start > CHUNK {
            return Err(Error::Decompress {
                offset: (base + i) as u64,
                reason: "chunk decompresses to more than 4 KiB".into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_and_backref() {
        // Hand-encoded: "abc" then a back-reference (dist 3, len 6) → "abcabcabc".
        // Position 3: split 4/12 → token = ((3-1) << 12) | (6-3) = 0x2003.
        let chunk = [0b0000_1000u8, b'a', b'b', b'c', 0x03, 0x20];
        let mut input = vec![];
        let hdr: u16 = 0xB000 | (chunk.len() as u16 - 1);
        input.extend_from_slice(&hdr.to_le_bytes());
        input.extend_from_slice(&chunk);
        let mut out = vec![];
        decompress(&input, 4096, &mut out).unwrap();
        assert_eq!(out, b"abcabcabc");
    }

    #[test]
    fn garbage_never_panics() {
        let mut x: u64 = 0x1234_5678_9abc_def0;
        for _ in 0..2000 {
            let mut buf = vec![0u8; (x % 300) as usize];
            for b in buf.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            let mut out = vec![];
            let _ = decompress(&buf, 65536, &mut out);
            assert!(out.len() <= 65536);
        }
    }
}
