//! Split raw images: several files read as one.

use std::io;

use rift_io::{ReadAt, SharedReader};

/// Concatenation of readers (`disk.001`, `disk.002`, …) as one
/// [`ReadAt`].
pub struct SplitRaw {
    parts: Vec<(u64, SharedReader)>,
    size: u64,
}

impl SplitRaw {
    /// Concatenates `parts` in order.
    pub fn new(parts: Vec<SharedReader>) -> SplitRaw {
        let mut start = 0u64;
        let mut v = Vec::with_capacity(parts.len());
        for p in parts {
            let len = p.size();
            v.push((start, p));
            start = start.saturating_add(len);
        }
        SplitRaw {
            parts: v,
            size: start,
        }
    }

    /// Start offset and size of each part.
    pub fn layout(&self) -> Vec<(u64, u64)> {
        self.parts.iter().map(|(s, r)| (*s, r.size())).collect()
    }
}

impl ReadAt for SplitRaw {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let mut done = 0usize;
        while done < buf.len() {
            let pos = offset.saturating_add(done as u64);
            if pos >= self.size {
                break;
            }
            let i = self.parts.partition_point(|(s, _)| *s <= pos);
            let Some((start, r)) = i.checked_sub(1).and_then(|i| self.parts.get(i)) else {
                break;
            };
            let Some(dst) = buf.get_mut(done..) else {
                break;
            };
            let n = r.read_at(pos - start, dst)?;
            if n == 0 {
                break;
            }
            done += n;
        }
        Ok(done)
    }

    fn size(&self) -> u64 {
        self.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn reads_across_parts() {
        let a: SharedReader = Arc::new(vec![1u8, 2, 3]);
        let b: SharedReader = Arc::new(vec![4u8, 5]);
        let c: SharedReader = Arc::new(vec![6u8, 7, 8, 9]);
        let s = SplitRaw::new(vec![a, b, c]);
        assert_eq!(s.size(), 9);
        let mut buf = [0u8; 7];
        assert_eq!(s.read_at(1, &mut buf).unwrap(), 7);
        assert_eq!(buf, [2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(s.read_at(8, &mut buf).unwrap(), 1);
        assert_eq!(s.read_at(9, &mut buf).unwrap(), 0);
    }
}
