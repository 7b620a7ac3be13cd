//! Segment file header and the chain of section descriptors.
//!
//! Sources: libyal/libewf EWF format document, "File header" and "Section
//! descriptor"; checked on every fixture segment (containers.md §1.1–1.2).

use rift_io::ReadAt;
use rift_io::bytes::{le_u16, le_u64, slice};

use crate::image::Warning;
use crate::{Error, Result, adler32};

/// Size of the segment file header.
pub(crate) const FILE_HEADER_LEN: u64 = 13;
/// Size of a section descriptor.
pub(crate) const DESCRIPTOR_LEN: u64 = 76;
/// No real segment has anywhere near this many sections; a chain longer than
/// this is a loop crafted to hang the reader.
const MAX_SECTIONS: usize = 1 << 20;

/// One section of a segment file, as described by its descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionInfo {
    /// Section type (`header2`, `volume`, `sectors`, `table`, …), NUL padding
    /// removed; non-ASCII bytes are replaced.
    pub kind: String,
    /// Byte position of the descriptor in the segment file.
    pub offset: u64,
    /// Absolute byte position of the next descriptor, as stored.
    pub next: u64,
    /// Section size including the descriptor, as stored (0 for `next`/`done`
    /// in EnCase-written files).
    pub size: u64,
    /// Whether the descriptor's Adler-32 matched.
    pub checksum_ok: bool,
}

impl SectionInfo {
    /// Byte range of the payload in the segment file: after the descriptor up
    /// to `offset + size` (or up to `next` when the size field is unset).
    pub(crate) fn payload(&self) -> (u64, u64) {
        let start = self.offset.saturating_add(DESCRIPTOR_LEN);
        let end = if self.size >= DESCRIPTOR_LEN {
            self.offset.saturating_add(self.size)
        } else if self.next > start {
            self.next
        } else {
            start
        };
        (start, end.max(start))
    }
}

/// How a segment's section chain ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChainEnd {
    /// A `done` section: the last segment of the set.
    Done,
    /// A `next` section: another segment follows.
    Next,
    /// The chain points past the end of the file (truncated segment) or is
    /// otherwise broken (loops, points backwards, unreadable descriptor).
    Broken,
}

/// Explains a few well-known non-EWF signatures.
pub(crate) fn signature_hint(head: &[u8]) -> &'static str {
    if head.starts_with(b"ADCRYPT\0") {
        " (FTK AD-encrypted image; decrypt it with FTK Imager first)"
    } else if head.starts_with(b"EVF2\r\n\x81\0") || head.starts_with(b"LEF2\r\n\x81\0") {
        " (EWF2 / Ex01 format, not supported yet)"
    } else if head.is_empty() {
        " (empty file)"
    } else {
        ""
    }
}

/// Reads and checks the 13-byte segment file header; returns the segment
/// number it holds.
pub(crate) fn read_file_header(r: &dyn ReadAt, position_in_set: u32) -> Result<u16> {
    let mut head = [0u8; FILE_HEADER_LEN as usize];
    let got = read_full(r, 0, &mut head).map_err(|source| Error::Io {
        segment: position_in_set,
        position: 0,
        source,
    })?;
    let head = head.get(..got).unwrap_or_default();
    if head.starts_with(b"EVF2") || head.starts_with(b"LEF2") {
        return Err(Error::Unsupported {
            segment: position_in_set,
            what: "EWF2 (Ex01/Lx01) segment files",
        });
    }
    if got < head.len().max(13) || !crate::is_ewf(head) {
        return Err(Error::NotEwf {
            segment: position_in_set,
            found: head.iter().take(8).copied().collect(),
            hint: signature_hint(head),
        });
    }
    Ok(le_u16(head, 9).unwrap_or(0))
}

/// Reads as much of `buf` as is available at `offset` (short only at EOF).
pub(crate) fn read_full(r: &dyn ReadAt, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        let Some(rest) = buf.get_mut(done..) else {
            break;
        };
        match r.read_at(offset.saturating_add(done as u64), rest) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Parses one 76-byte descriptor found at `offset`.
pub(crate) fn parse_descriptor(d: &[u8], offset: u64) -> Option<SectionInfo> {
    let kind_raw = slice(d, 0, 16)?;
    let kind: String = kind_raw
        .iter()
        .take_while(|b| **b != 0)
        .map(|b| {
            if b.is_ascii_graphic() {
                *b as char
            } else {
                '?'
            }
        })
        .collect();
    let next = le_u64(d, 16)?;
    let size = le_u64(d, 24)?;
    let stored = rift_io::bytes::le_u32(d, 72)?;
    let checksum_ok = adler32(slice(d, 0, 72)?) == stored;
    Some(SectionInfo {
        kind,
        offset,
        next,
        size,
        checksum_ok,
    })
}

/// Walks the section chain of one segment.
pub(crate) fn walk(
    r: &dyn ReadAt,
    segment: u32,
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<SectionInfo>, ChainEnd)> {
    let file_size = r.size();
    let mut sections = Vec::new();
    let mut off = FILE_HEADER_LEN;
    let mut warn = |offset: u64, message: String| {
        warnings.push(Warning {
            segment,
            offset,
            message,
        })
    };
    loop {
        if sections.len() >= MAX_SECTIONS {
            warn(off, "section chain too long; stopped following it".into());
            return Ok((sections, ChainEnd::Broken));
        }
        let mut d = [0u8; DESCRIPTOR_LEN as usize];
        let got = read_full(r, off, &mut d).map_err(|source| Error::Io {
            segment,
            position: off,
            source,
        })?;
        if got < d.len() {
            warn(
                off,
                format!(
                    "segment is truncated: section descriptor expected at {off:#x} but the file ends at {file_size:#x}"
                ),
            );
            return Ok((sections, ChainEnd::Broken));
        }
        let Some(s) = parse_descriptor(&d, off) else {
            return Ok((sections, ChainEnd::Broken));
        };
        if !s.checksum_ok {
            warn(
                off,
                format!("section descriptor `{}`: Adler-32 mismatch", s.kind),
            );
        }
        let kind = s.kind.clone();
        let next = s.next;
        let size = s.size;
        sections.push(s);
        match kind.as_str() {
            "done" => return Ok((sections, ChainEnd::Done)),
            "next" => return Ok((sections, ChainEnd::Next)),
            _ => {}
        }
        if next < off.saturating_add(DESCRIPTOR_LEN) {
            warn(
                off,
                format!(
                    "section `{kind}` points to next section at {next:#x}, not after itself; chain broken"
                ),
            );
            return Ok((sections, ChainEnd::Broken));
        }
        if size >= DESCRIPTOR_LEN && off.checked_add(size) != Some(next) {
            warn(
                off,
                format!(
                    "section `{kind}` size {size} does not reach the next section at {next:#x} (overlapping or crafted chain)"
                ),
            );
        }
        if next >= file_size {
            warn(
                off,
                format!(
                    "segment is truncated: section `{kind}` points to {next:#x} but the file ends at {file_size:#x}"
                ),
            );
            return Ok((sections, ChainEnd::Broken));
        }
        off = next;
    }
}
