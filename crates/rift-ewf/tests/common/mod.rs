//! Shared helpers: a small deterministic raw disk and `ewfacquire` runs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use rift_ewf::{EwfImage, discover_segments};
use rift_io::SharedReader;

/// xorshift64: deterministic pseudo-random bytes without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// A raw "disk" of `len` bytes mixing random runs (stored uncompressed by
/// ewfacquire), zero runs and text (compressed).
pub fn make_raw(dir: &Path, len: usize) -> (PathBuf, Vec<u8>) {
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let mut data = Vec::with_capacity(len + 65536);
    let words = ["alpha ", "beta ", "gamma ", "delta ", "evidence ", "chunk "];
    while data.len() < len {
        let n = (rng.next() % 48 + 1) as usize * 1024;
        match rng.next() % 10 {
            0..=2 => data.extend(rng.bytes(n)),
            3..=4 => data.extend(std::iter::repeat_n(0u8, n)),
            _ => {
                let mut t = Vec::with_capacity(n);
                while t.len() < n {
                    t.extend_from_slice(words[(rng.next() % 6) as usize].as_bytes());
                }
                t.truncate(n);
                data.extend(t);
            }
        }
    }
    data.truncate(len);
    let p = dir.join("src.raw");
    std::fs::write(&p, &data).unwrap();
    (p, data)
}

/// Runs `ewfacquire` unattended into `dir/name.*`; returns the first segment.
pub fn acquire(raw: &Path, dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    rift_testutil::require_tool("ewfacquire");
    let target = dir.join(name);
    let out = Command::new("ewfacquire")
        .args(["-u", "-q", "-t"])
        .arg(&target)
        .args([
            "-C",
            "CASE-7",
            "-E",
            "EV-9",
            "-e",
            "Examiner Name",
            "-D",
            "test description",
            "-N",
            "test notes",
        ])
        .args(args)
        .arg(raw)
        .output()
        .expect("run ewfacquire");
    assert!(
        out.status.success(),
        "ewfacquire {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut firsts: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_stem().is_some_and(|s| s == name)
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| e.len() == 3 && e.ends_with("01"))
        })
        .collect();
    assert_eq!(firsts.len(), 1, "first segment of {name}: {firsts:?}");
    firsts.pop().unwrap()
}

pub fn open_path(first: &Path) -> rift_ewf::Result<EwfImage> {
    let segs: Vec<SharedReader> = discover_segments(first)?
        .iter()
        .map(|p| Arc::new(std::fs::File::open(p).unwrap()) as SharedReader)
        .collect();
    EwfImage::open(segs)
}

pub fn open_bytes(segments: Vec<Vec<u8>>) -> rift_ewf::Result<EwfImage> {
    EwfImage::open(
        segments
            .into_iter()
            .map(|b| Arc::new(b) as SharedReader)
            .collect(),
    )
}

/// Reads the whole media through `read_at` in uneven pieces.
pub fn read_all(img: &EwfImage) -> Vec<u8> {
    use rift_io::ReadAt;
    let mut out = vec![0u8; img.size() as usize];
    let mut off = 0usize;
    let mut step = 12_345usize;
    while off < out.len() {
        let end = (off + step).min(out.len());
        let n = img.read_at(off as u64, &mut out[off..end]).unwrap();
        assert_eq!(n, end - off);
        off = end;
        step = step * 7 % 200_000 + 1;
    }
    out
}

/// Sections of a segment file, decoded here from the format document
/// (descriptor: type[16], next u64 @16, size u64 @24): (type, offset, size).
pub fn sections(seg: &[u8]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut off = 13usize;
    while off + 76 <= seg.len() {
        let t: String = seg[off..off + 16]
            .iter()
            .take_while(|b| **b != 0)
            .map(|b| *b as char)
            .collect();
        let next = u64::from_le_bytes(seg[off + 16..off + 24].try_into().unwrap()) as usize;
        let size = u64::from_le_bytes(seg[off + 24..off + 32].try_into().unwrap()) as usize;
        out.push((t.clone(), off, size));
        if t == "done" || t == "next" || next <= off {
            break;
        }
        off = next;
    }
    out
}

/// Table entries of the table section at `off` (count u32 @0 of the
/// payload, base u64 @8, entries from 24): (base, entries).
pub fn table_entries(seg: &[u8], off: usize) -> (u64, Vec<u32>) {
    let p = off + 76;
    let n = u32::from_le_bytes(seg[p..p + 4].try_into().unwrap()) as usize;
    let base = u64::from_le_bytes(seg[p + 8..p + 16].try_into().unwrap());
    let e = (0..n)
        .map(|i| u32::from_le_bytes(seg[p + 24 + 4 * i..p + 28 + 4 * i].try_into().unwrap()))
        .collect();
    (base, e)
}

/// zlib Adler-32, written out from RFC 1950 §8.2.
pub fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

pub fn md5_hex(data: &[u8]) -> String {
    use md5::Digest;
    hex::encode(md5::Md5::digest(data))
}
