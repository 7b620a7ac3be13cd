//! Key security (`sk` cells): the self-relative security descriptor and its
//! owner and group SIDs.
//!
//! Sources: msuhanov/regf specification §"Key security"; MS-DTYP §2.4.6
//! (SECURITY_DESCRIPTOR, self-relative form: owner offset at 4, group
//! offset at 8) and §2.4.2 (SID: revision, sub-authority count, 6-byte
//! big-endian identifier authority, 32-bit LE sub-authorities).

use rift_io::bytes::{le_u32, slice};

use crate::hive::Hive;
use crate::{Error, Result};

/// A security descriptor of a key.
#[derive(Debug, Clone, Copy)]
pub struct Security<'h> {
    /// File offset of the `sk` cell.
    pub file_offset: u64,
    /// Reference count (number of keys sharing it).
    pub reference_count: u32,
    /// The self-relative SECURITY_DESCRIPTOR bytes.
    pub descriptor: &'h [u8],
}

impl<'h> Security<'h> {
    pub(crate) fn at(hive: &'h Hive, off: u32) -> Result<Security<'h>> {
        let cell = hive.cell(off)?;
        let d = cell.data;
        let pos = cell.file_offset as u64;
        if d.get(..2) != Some(b"sk") {
            return Err(Error::BadSignature {
                what: "sk",
                position: pos,
                found: d.get(..2).unwrap_or_default().to_vec(),
            });
        }
        let len = le_u32(d, 16).unwrap_or(0) as usize;
        let descriptor = slice(d, 20, len).ok_or(Error::Record {
            what: "sk",
            position: pos,
            reason: format!("descriptor of {len} bytes does not fit the cell"),
        })?;
        Ok(Security {
            file_offset: pos,
            reference_count: le_u32(d, 12).unwrap_or(0),
            descriptor,
        })
    }

    /// The owner SID as text (`S-1-5-32-544`).
    pub fn owner(&self) -> Option<String> {
        let o = le_u32(self.descriptor, 4)? as usize;
        if o == 0 {
            return None;
        }
        sid_to_string(self.descriptor.get(o..)?)
    }

    /// The group SID as text.
    pub fn group(&self) -> Option<String> {
        let o = le_u32(self.descriptor, 8)? as usize;
        if o == 0 {
            return None;
        }
        sid_to_string(self.descriptor.get(o..)?)
    }
}

/// Renders a binary SID (`S-R-A-S1-S2…`). `None` if the bytes are too
/// short for the sub-authority count they declare.
pub fn sid_to_string(b: &[u8]) -> Option<String> {
    let rev = *b.first()?;
    let n = *b.get(1)? as usize;
    let auth = b
        .get(2..8)?
        .iter()
        .fold(0u64, |a, &x| (a << 8) | u64::from(x));
    let mut s = format!("S-{rev}-{auth}");
    for i in 0..n {
        let v = le_u32(b, 8 + i * 4)?;
        s.push('-');
        s.push_str(&v.to_string());
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sid_text() {
        // From yarp's own test (test_sid_parsing): the bytes of
        // S-1-5-21-646518322-1873620750-619646970-1110.
        let sid = b"\x01\x05\x00\x00\x00\x00\x00\x05\x15\x00\x00\x00\x32\x16\x89\x26\x0e\x2f\xad\x6f\xfa\x0f\xef\x24\x56\x04\x00\x00";
        assert_eq!(
            sid_to_string(sid).unwrap(),
            "S-1-5-21-646518322-1873620750-619646970-1110"
        );
        assert_eq!(sid_to_string(&sid[..sid.len() - 1]), None);
        assert!(sid_to_string(&[]).is_none());
    }
}
