//! Segment file naming and discovery.
//!
//! EWF segment files are named `base.E01` … `base.E99`, then `base.EAA` …
//! `base.EZZ`, `base.FAA` … `base.ZZZ`. SMART images use `.s01…` and logical
//! evidence `.L01…` the same way. Writers keep the case of the first file's
//! extension; copies made on case-insensitive systems do not always, so the
//! lookup here is case-insensitive. The segment number stored in each file's
//! header is authoritative: files are sorted by it, and the parser checks the
//! set has no gaps.
//!
//! Sources: libyal/libewf EWF format document, "Segment file naming".

use std::collections::HashMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Largest segment number libewf's naming scheme reaches (`.ZZZ` of the E
/// series is the last).
const MAX_SEGMENTS: u32 = 99 + 26 * 26 * 26;

/// A parsed segment extension: series letter (`E`, `S`, `L`), whether the
/// writer used lower case, and the segment number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SegmentExt {
    series: u8,
    lower: bool,
    number: u32,
}

fn parse_ext(ext: &str) -> Option<SegmentExt> {
    let b = ext.as_bytes();
    let [c0, c1, c2] = <[u8; 3]>::try_from(b).ok()?;
    if !c0.is_ascii_alphabetic() {
        return None;
    }
    let lower = c0.is_ascii_lowercase();
    let (u0, u1, u2) = (
        c0.to_ascii_uppercase(),
        c1.to_ascii_uppercase(),
        c2.to_ascii_uppercase(),
    );
    if c1.is_ascii_digit() && c2.is_ascii_digit() {
        let n = u32::from(c1 - b'0') * 10 + u32::from(c2 - b'0');
        if n == 0 || !matches!(u0, b'E' | b'S' | b'L') {
            return None;
        }
        return Some(SegmentExt {
            series: u0,
            lower,
            number: n,
        });
    }
    if u1.is_ascii_uppercase() && u2.is_ascii_uppercase() {
        // Letter extensions continue a series whose letter is at most u0.
        // Prefer E (the common case), then S, then L.
        let series = [b'E', b'S', b'L']
            .into_iter()
            .filter(|s| *s <= u0)
            .max_by_key(|s| match s {
                b'E' => 3,
                b'S' => 2,
                _ => 1,
            })?;
        let k = u32::from(u0 - series) * 676 + u32::from(u1 - b'A') * 26 + u32::from(u2 - b'A');
        return Some(SegmentExt {
            series,
            lower,
            number: 100 + k,
        });
    }
    None
}

fn ext_for(series: u8, lower: bool, number: u32) -> Option<String> {
    if number == 0 || number > MAX_SEGMENTS {
        return None;
    }
    let s = if number <= 99 {
        format!("{}{:02}", series as char, number)
    } else {
        let k = number - 100;
        let c0 = u32::from(series) + k / 676;
        if c0 > u32::from(b'Z') {
            return None;
        }
        let c1 = b'A' + ((k / 26) % 26) as u8;
        let c2 = b'A' + (k % 26) as u8;
        let c0 = char::from_u32(c0)?;
        format!("{c0}{}{}", c1 as char, c2 as char)
    };
    Some(if lower { s.to_ascii_lowercase() } else { s })
}

/// The file name segment `number` (1-based) of the set that `any_segment`
/// belongs to should have, in the case style of `any_segment`'s extension.
/// `None` when `any_segment` has no segment extension or the number is past
/// the naming scheme.
pub fn segment_file_name(any_segment: &Path, number: u32) -> Option<PathBuf> {
    let ext = parse_ext(any_segment.extension()?.to_str()?)?;
    let name = ext_for(ext.series, ext.lower, number)?;
    Some(any_segment.with_extension(name))
}

/// Finds the segment files of the set `first` belongs to (`first` may be any
/// segment; the set is always returned from segment 1).
///
/// Names are matched case-insensitively in `first`'s folder and followed
/// from number 1 until the first missing name. Every file found must start
/// with an EWF signature; the result is sorted by the segment number stored
/// in each file's header. Whether the set is complete is decided by the
/// parser ([`crate::EwfImage::open`] fails with [`Error::MissingSegment`]
/// when the last segment announces a `next` one); use
/// [`segment_file_name`] to name the missing file.
pub fn discover_segments(first: &Path) -> Result<Vec<PathBuf>> {
    let not_name = || Error::NotSegmentName {
        path: first.to_path_buf(),
    };
    let ext = first
        .extension()
        .and_then(|e| e.to_str())
        .and_then(parse_ext)
        .ok_or_else(not_name)?;
    let dir = match first.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let stem = first
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(not_name)?
        .to_owned();
    let discover_err = |source| Error::Discover {
        path: first.to_path_buf(),
        source,
    };
    // Case-insensitive index of the folder (lower-cased name -> real name).
    let mut by_lower: HashMap<String, PathBuf> = HashMap::new();
    for entry in fs::read_dir(&dir).map_err(discover_err)? {
        let entry = entry.map_err(discover_err)?;
        if let Some(name) = entry.file_name().to_str() {
            let lower = name.to_ascii_lowercase();
            // An exact-case match wins over other spellings.
            by_lower.entry(lower).or_insert_with(|| entry.path());
        }
    }
    let mut found: Vec<(u32, PathBuf)> = Vec::new();
    for number in 1..=MAX_SEGMENTS {
        let Some(e) = ext_for(ext.series, ext.lower, number) else {
            break;
        };
        let want = format!("{stem}.{e}");
        let path = if dir.join(&want).is_file() {
            dir.join(&want)
        } else if let Some(p) = by_lower.get(&want.to_ascii_lowercase()) {
            p.clone()
        } else {
            break;
        };
        let header_number = read_segment_number(&path, number)?;
        found.push((header_number, path));
    }
    if found.is_empty() {
        // The series' first file is missing: report the name we looked for.
        return Err(Error::MissingSegment {
            number: 1,
            expected_path: segment_file_name(first, 1),
        });
    }
    found.sort_by_key(|(n, _)| *n);
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

/// Reads the 13-byte segment header and returns its segment number.
fn read_segment_number(path: &Path, position_in_set: u32) -> Result<u32> {
    let io_err = |source| Error::Io {
        segment: position_in_set,
        position: 0,
        source,
    };
    let mut f = fs::File::open(path).map_err(io_err)?;
    let mut head = [0u8; 13];
    let mut got = 0;
    while got < head.len() {
        let n = f
            .read(head.get_mut(got..).unwrap_or_default())
            .map_err(io_err)?;
        if n == 0 {
            break;
        }
        got += n;
    }
    let head = head.get(..got).unwrap_or_default();
    if !crate::is_ewf(head) || got < 13 {
        return Err(Error::NotEwf {
            segment: position_in_set,
            found: head.iter().take(8).copied().collect(),
            hint: crate::section::signature_hint(head),
        });
    }
    Ok(u32::from(rift_io::bytes::le_u16(head, 9).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_sequence() {
        let p = Path::new("/x/case.E01");
        let name = |n| {
            segment_file_name(p, n)
                .unwrap()
                .extension()
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(name(1), "E01");
        assert_eq!(name(99), "E99");
        assert_eq!(name(100), "EAA");
        assert_eq!(name(101), "EAB");
        assert_eq!(name(125), "EAZ");
        assert_eq!(name(126), "EBA");
        assert_eq!(name(775), "EZZ");
        assert_eq!(name(776), "FAA");
        let lower = segment_file_name(Path::new("img.s01"), 100).unwrap();
        assert_eq!(lower, Path::new("img.saa"));
        assert_eq!(
            segment_file_name(Path::new("x.L01"), 2).unwrap(),
            Path::new("x.L02")
        );
        // parse is the inverse of naming
        for n in [1, 42, 99, 100, 500, 776, 5000] {
            let e = ext_for(b'E', false, n).unwrap();
            assert_eq!(parse_ext(&e).unwrap().number, n, "{e}");
        }
        assert!(segment_file_name(Path::new("disk.dd"), 1).is_none());
        assert!(segment_file_name(Path::new("disk.E00"), 1).is_none());
        assert!(ext_for(b'E', false, MAX_SEGMENTS + 1).is_none());
    }
}
