//! The `MAM` container of Windows 8.1+ compressed prefetch files.
//!
//! Layout (artifacts.md §4.4, libscca): `MAM` + algorithm byte (0x04 =
//! Xpress Huffman; bit 0x80 = a CRC32 follows), u32 decompressed size,
//! [u32 CRC32], then the compressed stream to the end of the file.
//!
//! The CRC variant is not seen in prefetch files; we skip the CRC rather
//! than verify it (the decoded SCCA structure is checked instead).

use crate::{Error, MAX_DECOMPRESSED, Result, xpress};

/// Algorithm byte value for Xpress Huffman (`COMPRESSION_FORMAT_XPRESS_HUFF`).
pub const XPRESS_HUFFMAN: u8 = 0x04;

/// The fields of a `MAM` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MamHeader {
    /// Compression algorithm (low 7 bits of byte 3).
    pub algorithm: u8,
    /// Whether a CRC32 field is present.
    pub has_crc: bool,
    /// Declared decompressed size.
    pub decompressed_size: u32,
    /// Offset of the compressed stream.
    pub data_offset: usize,
}

/// Reads the `MAM` header.
pub fn header(bytes: &[u8]) -> Result<MamHeader> {
    let sig = rift_io::bytes::array::<4>(bytes, 0).ok_or(Error::Truncated {
        what: "MAM header",
        offset: 0,
    })?;
    if &sig[..3] != b"MAM" {
        return Err(Error::BadSignature {
            offset: 0,
            found: sig,
        });
    }
    let algorithm = sig[3] & 0x7F;
    let has_crc = sig[3] & 0x80 != 0;
    let decompressed_size = rift_io::bytes::le_u32(bytes, 4).ok_or(Error::Truncated {
        what: "MAM header",
        offset: 4,
    })?;
    Ok(MamHeader {
        algorithm,
        has_crc,
        decompressed_size,
        data_offset: if has_crc { 12 } else { 8 },
    })
}

/// Decompresses a `MAM` container into the SCCA bytes.
pub fn decompress(bytes: &[u8]) -> Result<Vec<u8>> {
    let h = header(bytes)?;
    if h.algorithm != XPRESS_HUFFMAN {
        return Err(Error::UnsupportedCompression {
            algorithm: h.algorithm,
        });
    }
    let size = h.decompressed_size as usize;
    if size > MAX_DECOMPRESSED {
        return Err(Error::TooLarge {
            size: u64::from(h.decompressed_size),
        });
    }
    let stream = bytes.get(h.data_offset..).ok_or(Error::Truncated {
        what: "MAM compressed stream",
        offset: h.data_offset as u64,
    })?;
    xpress::decompress(stream, size).map_err(|e| shift(e, h.data_offset as u64))
}

/// Makes stream offsets file offsets.
fn shift(e: Error, by: u64) -> Error {
    match e {
        Error::Truncated { what, offset } => Error::Truncated {
            what,
            offset: offset + by,
        },
        Error::Corrupt { what, offset } => Error::Corrupt {
            what,
            offset: offset + by,
        },
        other => other,
    }
}
