//! `$UpCase`: the volume's UTF-16 upper-case table (65536 entries).
//!
//! Sources: libfsntfs "Upcase table"; shared notes §6. Names in `$I30` are
//! collated and compared through this table, not through a Unicode library.

/// The upper-case table.
#[derive(Debug, Clone)]
pub struct UpCase {
    table: Vec<u16>,
}

impl UpCase {
    /// Builds the table from `$UpCase` data (at least 128 KiB).
    pub fn from_bytes(b: &[u8]) -> Option<UpCase> {
        if b.len() < 65536 * 2 {
            return None;
        }
        let table = b
            .chunks_exact(2)
            .take(65536)
            .map(|c| {
                u16::from_le_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ])
            })
            .collect();
        Some(UpCase { table })
    }

    /// A fallback table (simple one-to-one Unicode upper case in the BMP),
    /// used when `$UpCase` is unreadable.
    pub fn fallback() -> UpCase {
        let table = (0..=0xFFFFu32)
            .map(|u| {
                let Some(c) = char::from_u32(u) else {
                    return u as u16;
                };
                let mut up = c.to_uppercase();
                match (up.next(), up.next()) {
                    (Some(x), None) if (x as u32) <= 0xFFFF => x as u32 as u16,
                    _ => u as u16,
                }
            })
            .collect();
        UpCase { table }
    }

    /// Upper-cases one UTF-16 unit.
    pub fn up(&self, u: u16) -> u16 {
        self.table.get(usize::from(u)).copied().unwrap_or(u)
    }

    /// Upper-cases UTF-16 units.
    pub fn upcase_units(&self, s: &[u16]) -> Vec<u16> {
        s.iter().map(|&u| self.up(u)).collect()
    }

    /// Upper-cases a string (as UTF-16 units).
    pub fn upcase_str(&self, s: &str) -> Vec<u16> {
        s.encode_utf16().map(|u| self.up(u)).collect()
    }

    /// Case-insensitive equality of two names.
    pub fn eq_ignore_case(&self, a: &str, b: &str) -> bool {
        let mut x = a.encode_utf16();
        let mut y = b.encode_utf16();
        loop {
            match (x.next(), y.next()) {
                (None, None) => return true,
                (Some(p), Some(q)) if self.up(p) == self.up(q) => {}
                _ => return false,
            }
        }
    }
}
