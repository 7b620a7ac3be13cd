//! Bounds-checked reads from byte slices.
//!
//! Every function returns `None` when the requested bytes are not all inside
//! the slice (including when `offset + len` overflows). Callers turn `None`
//! into their own error carrying the absolute byte position, e.g.
//! `le_u32(rec, 0x1C).ok_or(Error::Truncated { offset: base + 0x1C, .. })`.

use std::ops::Range;

/// `offset..offset + len` if it lies inside a buffer of `total` bytes.
#[inline]
pub fn checked_range(offset: usize, len: usize, total: usize) -> Option<Range<usize>> {
    let end = offset.checked_add(len)?;
    (end <= total).then_some(offset..end)
}

/// Same as [`checked_range`] for 64-bit offsets and lengths read from disk.
#[inline]
pub fn checked_range_u64(offset: u64, len: u64, total: usize) -> Option<Range<usize>> {
    checked_range(
        usize::try_from(offset).ok()?,
        usize::try_from(len).ok()?,
        total,
    )
}

/// `len` bytes at `offset`.
#[inline]
pub fn slice(buf: &[u8], offset: usize, len: usize) -> Option<&[u8]> {
    buf.get(checked_range(offset, len, buf.len())?)
}

/// A fixed-size array at `offset`.
#[inline]
pub fn array<const N: usize>(buf: &[u8], offset: usize) -> Option<[u8; N]> {
    slice(buf, offset, N)?.try_into().ok()
}

/// One byte at `offset`.
#[inline]
pub fn u8_at(buf: &[u8], offset: usize) -> Option<u8> {
    buf.get(offset).copied()
}

/// Little-endian `u16` at `offset`.
#[inline]
pub fn le_u16(buf: &[u8], offset: usize) -> Option<u16> {
    array(buf, offset).map(u16::from_le_bytes)
}

/// Little-endian `u32` at `offset`.
#[inline]
pub fn le_u32(buf: &[u8], offset: usize) -> Option<u32> {
    array(buf, offset).map(u32::from_le_bytes)
}

/// Little-endian `u64` at `offset`.
#[inline]
pub fn le_u64(buf: &[u8], offset: usize) -> Option<u64> {
    array(buf, offset).map(u64::from_le_bytes)
}

/// Little-endian `i16` at `offset`.
#[inline]
pub fn le_i16(buf: &[u8], offset: usize) -> Option<i16> {
    array(buf, offset).map(i16::from_le_bytes)
}

/// Little-endian `i32` at `offset`.
#[inline]
pub fn le_i32(buf: &[u8], offset: usize) -> Option<i32> {
    array(buf, offset).map(i32::from_le_bytes)
}

/// Little-endian `i64` at `offset`.
#[inline]
pub fn le_i64(buf: &[u8], offset: usize) -> Option<i64> {
    array(buf, offset).map(i64::from_le_bytes)
}

/// Big-endian `u32` at `offset`.
#[inline]
pub fn be_u32(buf: &[u8], offset: usize) -> Option<u32> {
    array(buf, offset).map(u32::from_be_bytes)
}

/// Big-endian `u64` at `offset`.
#[inline]
pub fn be_u64(buf: &[u8], offset: usize) -> Option<u64> {
    array(buf, offset).map(u64::from_be_bytes)
}

/// Decodes UTF-16LE into a `String`, replacing unpaired surrogates with
/// U+FFFD. An odd trailing byte is ignored.
pub fn utf16le_lossy(buf: &[u8]) -> String {
    let units = buf
        .chunks_exact(2)
        .filter_map(|c| c.try_into().ok().map(u16::from_le_bytes));
    // One allocation for the common (ASCII) case; names are decoded by
    // the million in journal and MFT walks.
    let mut out = String::with_capacity(buf.len() / 2);
    for r in char::decode_utf16(units) {
        out.push(r.unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    out
}

/// Decodes UTF-16LE up to the first NUL code unit (or the end).
pub fn utf16le_nul_terminated(buf: &[u8]) -> String {
    let end = buf
        .chunks_exact(2)
        .position(|c| c == [0, 0])
        .map_or(buf.len(), |i| i * 2);
    utf16le_lossy(buf.get(..end).unwrap_or(buf))
}

/// Decodes bytes up to the first NUL as Windows-1252-ish text: ASCII as is,
/// other bytes mapped to the Latin-1 code point. Good enough for the ASCII
/// names the registry stores in "compressed" form.
pub fn latin1_nul_terminated(buf: &[u8]) -> String {
    let end = memchr_nul(buf);
    buf.iter().take(end).map(|&b| b as char).collect()
}

fn memchr_nul(buf: &[u8]) -> usize {
    buf.iter().position(|&b| b == 0).unwrap_or(buf.len())
}

/// A cursor over a byte slice that remembers where it is, for
/// variable-length structures. Reads past the end return `None` and leave
/// the cursor where it was.
#[derive(Debug, Clone)]
pub struct ByteCursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> ByteCursor<'a> {
    /// A cursor at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        ByteCursor { buf, pos: 0 }
    }

    /// A cursor at `pos` of `buf` (which may be past the end; reads then fail).
    pub fn at(buf: &'a [u8], pos: usize) -> Self {
        ByteCursor { buf, pos }
    }

    /// Current position in the slice.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left after the current position.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Moves to an absolute position (no check: later reads check).
    pub fn seek(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// Skips `n` bytes if they exist.
    pub fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = slice(self.buf, self.pos, n)?;
        self.pos += n;
        Some(s)
    }

    /// The next byte.
    pub fn u8(&mut self) -> Option<u8> {
        let v = u8_at(self.buf, self.pos)?;
        self.pos += 1;
        Some(v)
    }

    /// The next little-endian `u16`.
    pub fn u16(&mut self) -> Option<u16> {
        let v = le_u16(self.buf, self.pos)?;
        self.pos += 2;
        Some(v)
    }

    /// The next little-endian `u32`.
    pub fn u32(&mut self) -> Option<u32> {
        let v = le_u32(self.buf, self.pos)?;
        self.pos += 4;
        Some(v)
    }

    /// The next little-endian `u64`.
    pub fn u64(&mut self) -> Option<u64> {
        let v = le_u64(self.buf, self.pos)?;
        self.pos += 8;
        Some(v)
    }

    /// The next little-endian `i32`.
    pub fn i32(&mut self) -> Option<i32> {
        let v = le_i32(self.buf, self.pos)?;
        self.pos += 4;
        Some(v)
    }

    /// The next little-endian `i64`.
    pub fn i64(&mut self) -> Option<i64> {
        let v = le_i64(self.buf, self.pos)?;
        self.pos += 8;
        Some(v)
    }

    /// The next `units` UTF-16LE code units, decoded lossily.
    pub fn utf16(&mut self, units: usize) -> Option<String> {
        let bytes = self.take(units.checked_mul(2)?)?;
        Some(utf16le_lossy(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounded() {
        let b = [1u8, 0, 0, 0, 2, 0];
        assert_eq!(le_u32(&b, 0), Some(1));
        assert_eq!(le_u32(&b, 3), None);
        assert_eq!(le_u16(&b, 4), Some(2));
        assert_eq!(le_u16(&b, usize::MAX), None);
        assert_eq!(slice(&b, usize::MAX, 2), None);
        assert_eq!(checked_range_u64(u64::MAX, 1, 10), None);
    }

    #[test]
    fn utf16_helpers() {
        let b = [b'a', 0, b'b', 0, 0, 0, b'c', 0];
        assert_eq!(utf16le_nul_terminated(&b), "ab");
        assert_eq!(utf16le_lossy(&b[..4]), "ab");
        // unpaired high surrogate
        assert_eq!(utf16le_lossy(&[0x00, 0xD8, b'x', 0]), "\u{FFFD}x");
        assert_eq!(latin1_nul_terminated(b"ab\0c"), "ab");
    }

    #[test]
    fn cursor_stops_at_end() {
        let b = [1u8, 2, 3];
        let mut c = ByteCursor::new(&b);
        assert_eq!(c.u16(), Some(0x0201));
        assert_eq!(c.u16(), None);
        assert_eq!(c.pos(), 2);
        assert_eq!(c.u8(), Some(3));
        assert_eq!(c.remaining(), 0);
    }
}
