//! GUIDs as Windows stores them (first three fields little-endian), and
//! the version-1 UUID fields that link tracking relies on.
//!
//! Sources: RFC 4122 §4.1 (layout, version, time, node); [MS-DTYP] §2.3.4
//! (GUID packet representation, little-endian Data1-3); [MS-SHLLINK]
//! §2.5.10 (TrackerDataBlock droids are object IDs created as UUID v1, so
//! the node field is the MAC address of the machine that created them).

use rift_io::time::FileTime;

/// 100 ns ticks from the UUID epoch (1582-10-15) to the FILETIME epoch
/// (1601-01-01): 6653 days.
const UUID_TO_FILETIME: u64 = 6653 * 86_400 * 10_000_000;

/// A GUID in its on-disk (mixed-endian) byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Guid(pub [u8; 16]);

impl Guid {
    /// Reads a GUID at `offset`.
    pub fn read(buf: &[u8], offset: usize) -> Option<Guid> {
        rift_io::bytes::array::<16>(buf, offset).map(Guid)
    }

    /// Whether all bytes are zero.
    pub fn is_nil(&self) -> bool {
        self.0 == [0; 16]
    }

    fn d1(&self) -> u32 {
        u32::from_le_bytes([self.0[0], self.0[1], self.0[2], self.0[3]])
    }
    fn d2(&self) -> u16 {
        u16::from_le_bytes([self.0[4], self.0[5]])
    }
    fn d3(&self) -> u16 {
        u16::from_le_bytes([self.0[6], self.0[7]])
    }

    /// The UUID version (high nibble of Data3).
    pub fn version(&self) -> u8 {
        (self.d3() >> 12) as u8
    }

    /// For a version-1 UUID: the node field, which Windows fills with a
    /// MAC address of the creating machine.
    pub fn mac_address(&self) -> Option<[u8; 6]> {
        if self.version() != 1 {
            return None;
        }
        let mut m = [0u8; 6];
        m.copy_from_slice(&self.0[10..16]);
        Some(m)
    }

    /// For a version-1 UUID: the creation time it encodes.
    pub fn v1_time(&self) -> Option<FileTime> {
        if self.version() != 1 {
            return None;
        }
        let t = (u64::from(self.d3() & 0x0FFF) << 48)
            | (u64::from(self.d2()) << 32)
            | u64::from(self.d1());
        t.checked_sub(UUID_TO_FILETIME).map(FileTime)
    }

    /// For a version-1 UUID: the 14-bit clock sequence.
    pub fn v1_clock_sequence(&self) -> Option<u16> {
        (self.version() == 1).then(|| u16::from_be_bytes([self.0[8], self.0[9]]) & 0x3FFF)
    }
}

impl std::fmt::Display for Guid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let b = &self.0;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
            self.d1(),
            self.d2(),
            self.d3(),
            b[8],
            b[9],
            b[10],
            b[11],
            b[12],
            b[13],
            b[14],
            b[15]
        )
    }
}

/// Formats a MAC address as `00:1d:09:fa:5a:1c`.
pub fn format_mac(m: [u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_fields() {
        // 846ee3bb-7039-11de-9d20-001d09fa5a1c, on-disk bytes.
        let g = Guid([
            0xbb, 0xe3, 0x6e, 0x84, 0x39, 0x70, 0xde, 0x11, 0x9d, 0x20, 0x00, 0x1d, 0x09, 0xfa,
            0x5a, 0x1c,
        ]);
        assert_eq!(g.to_string(), "846ee3bb-7039-11de-9d20-001d09fa5a1c");
        assert_eq!(g.version(), 1);
        assert_eq!(format_mac(g.mac_address().unwrap()), "00:1d:09:fa:5a:1c");
        // 0x1de7039846ee3bb ticks since 1582 → 2009-07-14 (by hand: the
        // fixture's target was modified on Jul 14, 2009).
        let ts = g.v1_time().unwrap().to_timestamp().unwrap();
        assert!(ts.to_string().starts_with("2009-07-1"), "{ts}");
        assert_eq!(g.v1_clock_sequence(), Some(0x1d20));
    }
}
