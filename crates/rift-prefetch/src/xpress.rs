//! Xpress Huffman ("LZ77 + Huffman") decompression, as used by Windows 8.1+
//! compressed prefetch files (`MAM\x04`), hibernation files and SMB3.
//!
//! Sources: Microsoft [MS-XCA] §2.1 (canonical Huffman code construction)
//! and §2.2.4 (decompression pseudocode); our notes in
//! `shared/docs/formats/artifacts.md` §4.5, which were checked against
//! `sccainfo` on six Windows 10 prefetch files.
//!
//! Why our own decoder: the format is small (one page of pseudocode) and we
//! want hostile input to be a typed error with a byte position, with the
//! output bounded by the caller's limit, never a panic or an unbounded
//! allocation. The `xpress-huffman` crate is used in the tests as an
//! independent cross-check of this decoder on every compressed fixture.
//!
//! Layout, briefly: output is produced in 64 KiB blocks; each block starts
//! with a 256-byte table of 512 four-bit code lengths (symbols 0..255 are
//! literals, 256..511 are matches: low nibble = length, high nibble = number
//! of offset bits). The bit stream is read as little-endian 16-bit words,
//! most significant bit first, through a 32-bit window. Match lengths of 15
//! continue in raw bytes taken from the same cursor as the words.

use crate::{Error, Result};

/// Output block size: every block starts with a fresh Huffman table.
const BLOCK_SIZE: usize = 65_536;
/// The table of code lengths at the start of every block.
const TABLE_BYTES: usize = 256;
/// Number of symbols (256 literals + 256 match symbols).
const SYMBOLS: usize = 512;
/// Longest code; the decoding table is indexed by the next 15 bits.
const MAX_CODE_LEN: u32 = 15;
/// Marker for a decoding-table slot that no code covers.
const NO_SYMBOL: u16 = u16::MAX;

/// Bytes we allow the bit window to read beyond the end of the input. The
/// window holds up to 32 look-ahead bits, so after the last real symbol it
/// may already have asked for up to two words past the end.
const OVERRUN_SLACK: usize = 4;

/// Decompresses an Xpress Huffman stream into exactly `output_size` bytes.
///
/// `output_size` comes from the container (the MAM header) and is hostile:
/// the caller must bound it (see [`crate::MAX_DECOMPRESSED`]). The output
/// buffer grows with the data actually decoded, so a lying size field costs
/// nothing until the stream really produces that much.
///
/// ```
/// // One block whose table gives every literal an 8-bit code? Too long for
/// // a doc example; see the unit tests for hand-built streams.
/// assert!(rift_prefetch::xpress::decompress(&[], 0).unwrap().is_empty());
/// ```
pub fn decompress(input: &[u8], output_size: usize) -> Result<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(output_size.min(input.len().saturating_mul(8)));
    let mut pos = 0usize; // byte cursor into `input`
    let mut lengths = [0u8; SYMBOLS];
    let mut table = vec![NO_SYMBOL; 1 << MAX_CODE_LEN];

    while out.len() < output_size {
        // 1. The block's code-length table.
        let raw = input
            .get(pos..pos.saturating_add(TABLE_BYTES))
            .filter(|r| r.len() == TABLE_BYTES)
            .ok_or(Error::Truncated {
                what: "Xpress Huffman code-length table",
                offset: pos as u64,
            })?;
        for (pair, b) in lengths.chunks_exact_mut(2).zip(raw) {
            if let [lo, hi] = pair {
                *lo = b & 0x0F;
                *hi = b >> 4;
            }
        }
        build_table(&lengths, &mut table).map_err(|()| Error::Corrupt {
            what: "Xpress Huffman code lengths over-subscribe the code space",
            offset: pos as u64,
        })?;
        pos += TABLE_BYTES;

        // 2. The 32-bit window, primed with two words.
        let mut bits = BitReader::new(input, pos);
        let block_end = out.len().saturating_add(BLOCK_SIZE).min(output_size);

        // 3. Symbols until the block (or the whole output) is full. Every
        // iteration writes at least one byte, so the loop is bounded by
        // `output_size`.
        while out.len() < block_end {
            let at = bits.pos as u64;
            let sym = table
                .get((bits.window >> (32 - MAX_CODE_LEN)) as usize)
                .copied()
                .unwrap_or(NO_SYMBOL);
            if sym == NO_SYMBOL {
                return Err(Error::Corrupt {
                    what: "Xpress Huffman bit pattern matches no code",
                    offset: at,
                });
            }
            let len = lengths.get(sym as usize).copied().unwrap_or(0);
            bits.consume(u32::from(len))?;
            if sym < 256 {
                out.push(sym as u8);
                continue;
            }
            let s = sym - 256;
            let mut match_len = usize::from(s & 0x0F);
            let offset_bits = u32::from(s >> 4);
            if match_len == 15 {
                let b = bits.raw_u8()?;
                if b < 255 {
                    match_len = usize::from(b) + 15;
                } else {
                    let l = bits.raw_u16()?;
                    match_len = if l == 0 {
                        // Newer MS-XCA revisions: a zero u16 means a u32
                        // length follows.
                        bits.raw_u32()? as usize
                    } else {
                        usize::from(l)
                    };
                    if match_len < 15 {
                        return Err(Error::Corrupt {
                            what: "Xpress Huffman extended match length below 15",
                            offset: bits.pos as u64,
                        });
                    }
                }
            }
            match_len += 3;
            let match_offset = if offset_bits == 0 {
                1usize
            } else {
                let extra = (bits.window >> (32 - offset_bits)) as usize;
                bits.consume(offset_bits)?;
                (1usize << offset_bits) | extra
            };
            let start = out.len().checked_sub(match_offset).ok_or(Error::Corrupt {
                what: "Xpress Huffman match points before the start of the output",
                offset: at,
            })?;
            // A match may run past the block end (the next block's table
            // follows wherever the cursor is), but never past the declared
            // size: clamp there.
            let n = match_len.min(output_size - out.len());
            // Byte by byte: source and destination may overlap (runs).
            for i in start..start + n {
                let b = out.get(i).copied().unwrap_or(0);
                out.push(b);
            }
        }
        // 4. The next block's table starts where the word cursor stands.
        pos = bits.pos;
    }
    Ok(out)
}

/// Builds the 15-bit decoding table from canonical code lengths
/// ([MS-XCA] §2.1.4.2: symbols sorted by (length, value), codes assigned
/// in increasing order). Fails when the lengths over-subscribe the code
/// space; slots no code covers stay `NO_SYMBOL`.
fn build_table(lengths: &[u8; SYMBOLS], table: &mut [u16]) -> std::result::Result<(), ()> {
    table.fill(NO_SYMBOL);
    let mut next = 0usize; // first free slot, in units of 2^-15
    for len in 1..=MAX_CODE_LEN as u8 {
        let span = 1usize << (MAX_CODE_LEN - u32::from(len));
        for (sym, &l) in lengths.iter().enumerate() {
            if l != len {
                continue;
            }
            let end = next + span;
            let slots = table.get_mut(next..end).ok_or(())?;
            slots.fill(sym as u16);
            next = end;
        }
    }
    Ok(())
}

/// The MSB-first bit window over little-endian 16-bit words, plus the raw
/// byte cursor that extended match lengths read from.
struct BitReader<'a> {
    input: &'a [u8],
    /// Next unread byte of `input` (words and raw bytes share it).
    pos: usize,
    /// The next bits of the stream, most significant first.
    window: u32,
    /// Valid bits in `window` beyond the top 16.
    extra: i32,
}

impl<'a> BitReader<'a> {
    fn new(input: &'a [u8], pos: usize) -> Self {
        let mut r = BitReader {
            input,
            pos,
            window: 0,
            extra: 16,
        };
        let w0 = u32::from(r.word());
        let w1 = u32::from(r.word());
        r.window = (w0 << 16) | w1;
        r
    }

    /// The next little-endian word; zero past the end (the window reads
    /// ahead, see [`OVERRUN_SLACK`]).
    fn word(&mut self) -> u16 {
        let w = rift_io::bytes::le_u16(self.input, self.pos).unwrap_or(0);
        self.pos = self.pos.saturating_add(2);
        w
    }

    fn consume(&mut self, n: u32) -> Result<()> {
        // n <= 15 here: code lengths and offset-bit counts are nibbles.
        self.window = self.window.checked_shl(n).unwrap_or(0);
        self.extra -= n as i32;
        if self.extra < 0 {
            let w = u32::from(self.word());
            self.window |= w << (-self.extra) as u32;
            self.extra += 16;
        }
        if self.pos > self.input.len().saturating_add(OVERRUN_SLACK) {
            return Err(Error::Truncated {
                what: "Xpress Huffman bit stream",
                offset: self.input.len() as u64,
            });
        }
        Ok(())
    }

    fn raw_u8(&mut self) -> Result<u8> {
        let b = self.input.get(self.pos).copied().ok_or(Error::Truncated {
            what: "Xpress Huffman match length byte",
            offset: self.pos as u64,
        })?;
        self.pos += 1;
        Ok(b)
    }

    fn raw_u16(&mut self) -> Result<u16> {
        let v = rift_io::bytes::le_u16(self.input, self.pos).ok_or(Error::Truncated {
            what: "Xpress Huffman match length word",
            offset: self.pos as u64,
        })?;
        self.pos += 2;
        Ok(v)
    }

    fn raw_u32(&mut self) -> Result<u32> {
        let v = rift_io::bytes::le_u32(self.input, self.pos).ok_or(Error::Truncated {
            what: "Xpress Huffman match length dword",
            offset: self.pos as u64,
        })?;
        self.pos += 4;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table where the 256 literals all have 8-bit codes (a flat code:
    /// code(sym) = sym) and no match symbols exist.
    fn flat_literal_table() -> Vec<u8> {
        // 512 nibbles: literals length 8, matches 0.
        let mut t = vec![0x88u8; 128];
        t.extend(std::iter::repeat_n(0u8, 128));
        t
    }

    /// Packs 16-bit words MSB-first from a list of (code, length) pairs.
    fn pack(codes: &[(u32, u32)]) -> Vec<u8> {
        let mut acc: u64 = 0;
        let mut n = 0u32;
        let mut out = Vec::new();
        for &(c, l) in codes {
            acc = (acc << l) | u64::from(c);
            n += l;
            while n >= 16 {
                let w = ((acc >> (n - 16)) & 0xFFFF) as u16;
                out.extend_from_slice(&w.to_le_bytes());
                n -= 16;
            }
        }
        if n > 0 {
            let w = ((acc << (16 - n)) & 0xFFFF) as u16;
            out.extend_from_slice(&w.to_le_bytes());
        }
        // Window look-ahead padding.
        out.extend_from_slice(&[0, 0, 0, 0]);
        out
    }

    #[test]
    fn literals_with_flat_code() {
        // Hand-built per MS-XCA: flat 8-bit code, so code == byte value.
        let mut s = flat_literal_table();
        s.extend(pack(&[
            (b'a' as u32, 8),
            (b'b' as u32, 8),
            (b'c' as u32, 8),
        ]));
        assert_eq!(decompress(&s, 3).unwrap(), b"abc");
    }

    #[test]
    fn match_with_overlap() {
        // Literals 'a','b' get length 2 codes (00, 01); match symbol
        // 256 + (offset_bits 1 << 4 | len 2) = 274 gets code 10 and symbol
        // 256 (len 0+3, offset 1) gets 11. Canonical order by symbol value:
        // 'a'(97)=00, 'b'(98)=01, 256=10, 274=11.
        let mut lengths = [0u8; SYMBOLS];
        lengths[97] = 2;
        lengths[98] = 2;
        lengths[256] = 2;
        lengths[274] = 2;
        let mut t = vec![0u8; 256];
        for (i, b) in t.iter_mut().enumerate() {
            *b = lengths[2 * i] | (lengths[2 * i + 1] << 4);
        }
        // a b [match len 5 offset 2: (1<<1)|bit 0] [match len 3 offset 1]
        // -> "ab" + "ababa" + "aaa"
        t.extend(pack(&[(0, 2), (1, 2), (3, 2), (0, 1), (2, 2)]));
        assert_eq!(decompress(&t, 10).unwrap(), b"abababaaaa");
    }

    #[test]
    fn hostile_streams_fail_cleanly() {
        // Truncated table.
        assert!(matches!(
            decompress(&[0u8; 10], 5),
            Err(Error::Truncated { .. })
        ));
        // Over-subscribed: all 512 symbols of length 1.
        assert!(matches!(
            decompress(&[0x11u8; 300], 5),
            Err(Error::Corrupt { .. })
        ));
        // Empty table: no symbol decodes.
        assert!(matches!(
            decompress(&[0u8; 300], 5),
            Err(Error::Corrupt { .. })
        ));
        // A match before the start of the output.
        let mut lengths = [0u8; SYMBOLS];
        lengths[256 + 0x20] = 1; // len 3, 2 offset bits
        lengths[0] = 1;
        let mut t = vec![0u8; 256];
        for (i, b) in t.iter_mut().enumerate() {
            *b = lengths[2 * i] | (lengths[2 * i + 1] << 4);
        }
        t.extend(pack(&[(1, 1), (3, 2)]));
        assert!(matches!(decompress(&t, 10), Err(Error::Corrupt { .. })));
        // A flat table with a huge declared size and a short stream: stops
        // at the end of input instead of decoding zeros forever.
        let mut s = flat_literal_table();
        s.extend([1, 2, 3, 4]);
        assert!(matches!(
            decompress(&s, 1 << 20),
            Err(Error::Truncated { .. })
        ));
    }
}
