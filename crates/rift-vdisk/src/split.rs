//! Raw images split into pieces (`disk.001, disk.002 …`, `disk.aa, disk.ab …`).
//!
//! The media is the plain concatenation of the pieces in name order.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rift_io::{ReadAt, SharedReader};

/// Several readers seen as one, end to end.
pub struct SplitRaw {
    parts: Vec<SharedReader>,
    /// Start offset of each part in the whole.
    starts: Vec<u64>,
    size: u64,
    names: Vec<String>,
}

impl SplitRaw {
    /// Concatenates `parts` in the given order.
    pub fn new(parts: Vec<SharedReader>) -> SplitRaw {
        let mut starts = Vec::with_capacity(parts.len());
        let mut size = 0u64;
        for p in &parts {
            starts.push(size);
            size = size.saturating_add(p.size());
        }
        SplitRaw {
            parts,
            starts,
            size,
            names: Vec::new(),
        }
    }

    /// Opens the files in `paths` (already ordered) and concatenates them.
    pub fn open(paths: &[PathBuf]) -> io::Result<SplitRaw> {
        let mut parts = Vec::with_capacity(paths.len());
        for p in paths {
            parts.push(Arc::new(std::fs::File::open(p)?) as SharedReader);
        }
        let mut s = SplitRaw::new(parts);
        s.names = paths.iter().map(|p| p.display().to_string()).collect();
        Ok(s)
    }

    /// Number of pieces.
    pub fn part_count(&self) -> usize {
        self.parts.len()
    }

    /// File names of the pieces, when opened with [`SplitRaw::open`].
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

impl ReadAt for SplitRaw {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.size || buf.is_empty() {
            return Ok(0);
        }
        // Last part whose start is <= offset.
        let idx = self
            .starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1);
        let mut done = 0usize;
        let mut pos = offset;
        for (part, &start) in self.parts.iter().zip(&self.starts).skip(idx) {
            let Some(rest) = buf.get_mut(done..) else {
                break;
            };
            if rest.is_empty() {
                break;
            }
            let n = part.read_at(pos - start, rest)?;
            done += n;
            pos += n as u64;
            if pos < start + part.size() {
                // short read inside a part: stop here, caller retries
                break;
            }
        }
        Ok(done)
    }

    fn size(&self) -> u64 {
        self.size
    }
}

/// The pieces of a split raw image given its first piece, in order:
/// `x.001, x.002 …` (any digit count), or `x.aa, x.ab … x.zz`.
/// Returns just `[first]` when the name follows neither pattern.
pub fn discover(first: &Path) -> Vec<PathBuf> {
    let name = first
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return vec![first.to_path_buf()];
    };
    let dir = first.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut out = vec![first.to_path_buf()];
    if !ext.is_empty() && ext.bytes().all(|b| b.is_ascii_digit()) {
        let width = ext.len();
        let Ok(start) = ext.parse::<u64>() else {
            return out;
        };
        for n in start + 1.. {
            let next = dir.join(format!("{stem}.{n:0width$}"));
            if !next.is_file() {
                break;
            }
            out.push(next);
        }
    } else if ext.len() == 2 && ext.bytes().all(|b| b.is_ascii_lowercase()) {
        let &[x, y] = ext.as_bytes() else {
            return out;
        };
        let mut idx = u32::from(x - b'a') * 26 + u32::from(y - b'a');
        loop {
            idx += 1;
            if idx >= 26 * 26 {
                break;
            }
            let a = char::from(b'a' + (idx / 26) as u8);
            let c = char::from(b'a' + (idx % 26) as u8);
            let next = dir.join(format!("{stem}.{a}{c}"));
            if !next.is_file() {
                break;
            }
            out.push(next);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenates_across_parts() {
        let a: SharedReader = Arc::new(vec![1u8, 2, 3]);
        let b: SharedReader = Arc::new(vec![4u8, 5]);
        let c: SharedReader = Arc::new(vec![6u8, 7, 8, 9]);
        let s = SplitRaw::new(vec![a, b, c]);
        assert_eq!(s.size(), 9);
        let mut buf = [0u8; 9];
        rift_io::read_exact_at(&s, 0, &mut buf).unwrap();
        assert_eq!(buf, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let mut two = [0u8; 4];
        rift_io::read_exact_at(&s, 2, &mut two).unwrap();
        assert_eq!(two, [3, 4, 5, 6]);
        assert_eq!(s.read_at(9, &mut two).unwrap(), 0);
    }

    #[test]
    fn discovers_numbered_and_lettered_pieces() {
        let d = rift_testutil::TempDir::new("split");
        for n in ["img.001", "img.002", "img.003", "x.aa", "x.ab"] {
            std::fs::write(d.path().join(n), b"x").unwrap();
        }
        assert_eq!(discover(&d.path().join("img.001")).len(), 3);
        assert_eq!(discover(&d.path().join("x.aa")).len(), 2);
        assert_eq!(discover(&d.path().join("img.002")).len(), 2);
    }
}
