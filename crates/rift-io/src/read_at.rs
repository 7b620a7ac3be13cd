//! Positional readers.

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;

/// A source of bytes that can be read at any offset through a shared
/// reference.
///
/// This is `pread(2)`: no cursor is moved, so one reader can serve many
/// threads. Implementations return fewer bytes than asked only at the end of
/// the data (a short read at the end is not an error); reads starting at or
/// past [`ReadAt::size`] return `Ok(0)`.
pub trait ReadAt: Send + Sync {
    /// Reads up to `buf.len()` bytes starting at `offset`.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;

    /// The total size in bytes of the data.
    fn size(&self) -> u64;
}

/// Reads exactly `buf.len()` bytes at `offset` or fails with
/// [`io::ErrorKind::UnexpectedEof`].
pub fn read_exact_at<R: ReadAt + ?Sized>(
    r: &R,
    mut offset: u64,
    mut buf: &mut [u8],
) -> io::Result<()> {
    while !buf.is_empty() {
        match r.read_at(offset, buf) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("short read at offset {offset:#x}"),
                ));
            }
            Ok(n) => {
                offset += n as u64;
                buf = buf.get_mut(n..).unwrap_or_default();
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A reader shared between threads and layers.
pub type SharedReader = Arc<dyn ReadAt>;

impl ReadAt for std::fs::File {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_at(self, buf, offset)
        }
        #[cfg(windows)]
        {
            // `seek_read` moves the handle's cursor, which nobody else uses.
            std::os::windows::fs::FileExt::seek_read(self, buf, offset)
        }
        #[cfg(not(any(unix, windows)))]
        {
            compile_error!("rift-io needs positional file reads on this platform")
        }
    }

    fn size(&self) -> u64 {
        self.metadata().map(|m| m.len()).unwrap_or(0)
    }
}

fn slice_read_at(data: &[u8], offset: u64, buf: &mut [u8]) -> usize {
    let Ok(start) = usize::try_from(offset) else {
        return 0;
    };
    let Some(src) = data.get(start..) else {
        return 0;
    };
    let n = src.len().min(buf.len());
    let (dst, _) = buf.split_at_mut(n);
    let (src, _) = src.split_at(n);
    dst.copy_from_slice(src);
    n
}

impl ReadAt for [u8] {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        Ok(slice_read_at(self, offset, buf))
    }
    fn size(&self) -> u64 {
        self.len() as u64
    }
}

impl ReadAt for Vec<u8> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        Ok(slice_read_at(self, offset, buf))
    }
    fn size(&self) -> u64 {
        self.len() as u64
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &T {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }
    fn size(&self) -> u64 {
        (**self).size()
    }
}

impl<T: ReadAt + ?Sized> ReadAt for Arc<T> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }
    fn size(&self) -> u64 {
        (**self).size()
    }
}

impl<T: ReadAt + ?Sized> ReadAt for Box<T> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        (**self).read_at(offset, buf)
    }
    fn size(&self) -> u64 {
        (**self).size()
    }
}

/// A window `[start, start + len)` of another reader: a partition of a disk,
/// a slice of a stream. Reads never leave the window, even when the window
/// itself claims to reach past the end of the inner reader (a partition table
/// entry larger than the image): such reads come back short.
#[derive(Debug, Clone)]
pub struct SubRange<R> {
    inner: R,
    start: u64,
    len: u64,
}

impl<R: ReadAt> SubRange<R> {
    /// A window of `len` bytes starting at `start` of `inner`.
    pub fn new(inner: R, start: u64, len: u64) -> Self {
        SubRange { inner, start, len }
    }

    /// Offset of the window inside the inner reader.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The inner reader.
    pub fn inner(&self) -> &R {
        &self.inner
    }
}

impl<R: ReadAt> ReadAt for SubRange<R> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.len {
            return Ok(0);
        }
        let avail = self.len - offset;
        let n = (buf.len() as u64).min(avail) as usize;
        let Some(abs) = self.start.checked_add(offset) else {
            return Ok(0);
        };
        let (head, _) = buf.split_at_mut(n);
        self.inner.read_at(abs, head)
    }

    fn size(&self) -> u64 {
        self.len
    }
}

/// Adapts a [`ReadAt`] into `Read + Seek` with its own cursor.
///
/// Cheap to create: make one per thread or per parser over a shared reader.
#[derive(Debug, Clone)]
pub struct ReadAtCursor<R> {
    inner: R,
    pos: u64,
}

impl<R: ReadAt> ReadAtCursor<R> {
    /// A cursor at offset 0.
    pub fn new(inner: R) -> Self {
        ReadAtCursor { inner, pos: 0 }
    }

    /// The wrapped reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// Unwraps the reader.
    pub fn into_inner(self) -> R {
        self.inner
    }
}

impl<R: ReadAt> Read for ReadAtCursor<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read_at(self.pos, buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: ReadAt> Seek for ReadAtCursor<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let new = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.inner.size().checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match new {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek to a negative or overflowing position",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subrange_clamps_to_window_and_inner() {
        let data: Vec<u8> = (0..100u8).collect();
        let w = SubRange::new(&data, 90, 50); // claims past the end
        let mut buf = [0u8; 20];
        assert_eq!(w.read_at(0, &mut buf).unwrap(), 10);
        assert_eq!(&buf[..10], &data[90..100]);
        assert_eq!(w.read_at(50, &mut buf).unwrap(), 0);
        assert_eq!(w.read_at(u64::MAX, &mut buf).unwrap(), 0);
    }

    #[test]
    fn cursor_reads_and_seeks() {
        let data: Vec<u8> = (0..10u8).collect();
        let mut c = ReadAtCursor::new(SubRange::new(data, 2, 6));
        let mut out = Vec::new();
        c.read_to_end(&mut out).unwrap();
        assert_eq!(out, vec![2, 3, 4, 5, 6, 7]);
        assert_eq!(c.seek(SeekFrom::End(-2)).unwrap(), 4);
        let mut b = [0u8; 1];
        c.read_exact(&mut b).unwrap();
        assert_eq!(b[0], 6);
        assert!(c.seek(SeekFrom::Current(-100)).is_err());
    }

    #[test]
    fn read_exact_at_reports_eof() {
        let data = vec![1u8, 2, 3];
        let mut buf = [0u8; 4];
        let e = read_exact_at(&data, 0, &mut buf).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        let mut two = [0u8; 2];
        read_exact_at(&data, 1, &mut two).unwrap();
        assert_eq!(two, [2, 3]);
    }
}
