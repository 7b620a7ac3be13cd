//! Damaged input: a clear error or counted bad chunks, never a panic, and
//! every chunk not reported bad still reads correctly.

mod common;

use std::sync::Arc;

use common::{
    Rng, acquire, adler32, make_raw, open_bytes, open_path, read_all, sections, table_entries,
};
use rift_ewf::{BadChunkReason, Error, EwfImage};
use rift_io::{ReadAt, SharedReader};
use rift_testutil::{TempDir, fixture_bytes};

const LEN: usize = (2 << 20) + 3 * 512;
const CHUNK: usize = 64 * 512;

/// One-segment deflate:fast E01 of the mixed raw, as bytes.
fn single(dir: &TempDir) -> (Vec<u8>, Vec<u8>) {
    let (raw, data) = make_raw(dir.path(), LEN);
    let first = acquire(&raw, dir.path(), "one", &["-f", "encase6", "-c", "fast"]);
    (std::fs::read(first).unwrap(), data)
}

/// Checks that chunks not reported bad equal the source, bad ones are zero.
fn check_against_source(img: &EwfImage, data: &[u8]) -> Vec<u64> {
    let got = read_all(img);
    let bad: Vec<u64> = img
        .bad_chunks()
        .iter()
        .flat_map(|b| b.chunk..b.chunk + b.chunks)
        .collect();
    for (i, (g, w)) in got.chunks(CHUNK).zip(data.chunks(CHUNK)).enumerate() {
        if bad.contains(&(i as u64)) {
            assert!(g.iter().all(|b| *b == 0), "bad chunk {i} not zeroed");
        } else {
            assert!(g == w, "chunk {i} differs but was not reported bad");
        }
    }
    bad
}

/// First table of a segment: (sectors section offset, base, entries).
fn first_table(seg: &[u8]) -> (usize, u64, Vec<u32>) {
    let secs = sections(seg);
    let s = secs.iter().find(|s| s.0 == "sectors").unwrap().1;
    let t = secs.iter().find(|s| s.0 == "table").unwrap().1;
    let (base, e) = table_entries(seg, t);
    (s, base, e)
}

#[test]
fn flipped_byte_in_compressed_chunk() {
    let dir = TempDir::new("ewf-flip-z");
    let (mut seg, data) = single(&dir);
    let (_, base, e) = first_table(&seg);
    let i = e
        .iter()
        .position(|x| x & 0x8000_0000 != 0)
        .expect("a compressed chunk");
    let off = base as usize + (e[i] & 0x7FFF_FFFF) as usize;
    let end = base as usize + (e[i + 1] & 0x7FFF_FFFF) as usize;
    seg[(off + end) / 2] ^= 0x40;
    let img = open_bytes(vec![seg]).unwrap();
    let bad = check_against_source(&img, &data);
    assert_eq!(bad, vec![i as u64]);
    let b = &img.bad_chunks()[0];
    assert_eq!(b.file_offset, Some(off as u64));
    assert_eq!(b.segment, Some(1));
    assert_eq!(b.media_offset, (i * CHUNK) as u64);
    assert!(
        matches!(
            b.reason,
            BadChunkReason::Inflate { .. } | BadChunkReason::SizeMismatch { .. }
        ),
        "{:?}",
        b.reason
    );
}

#[test]
fn flipped_byte_in_uncompressed_chunk() {
    let dir = TempDir::new("ewf-flip-raw");
    let (mut seg, data) = single(&dir);
    let (_, base, e) = first_table(&seg);
    let i = e
        .iter()
        .position(|x| x & 0x8000_0000 == 0)
        .expect("an uncompressed chunk");
    let off = base as usize + (e[i] & 0x7FFF_FFFF) as usize;
    seg[off + 1000] ^= 0x01;
    let img = open_bytes(vec![seg]).unwrap();
    let bad = check_against_source(&img, &data);
    assert_eq!(bad, vec![i as u64]);
    assert!(matches!(
        img.bad_chunks()[0].reason,
        BadChunkReason::ChecksumMismatch { .. }
    ));
    // The stream path finds the same.
    let img2 = open_bytes(vec![std::fs::read(dir.path().join("one.E01")).unwrap()]).unwrap();
    img2.stream(2, |_, _| Ok(())).unwrap();
    assert!(
        img2.bad_chunks().is_empty(),
        "the pristine file has no bad chunk"
    );
}

#[test]
fn truncated_segment_recovers_what_is_left() {
    let dir = TempDir::new("ewf-trunc");
    let (seg, data) = single(&dir);
    let (sectors, _, _) = first_table(&seg);
    // Cut in the middle of the chunk data: table, table2, hash and done are
    // gone; chunks before the cut are recovered by scanning.
    let cut = sectors + (seg.len() - sectors) / 2;
    let img = open_bytes(vec![seg[..cut].to_vec()]).unwrap();
    assert!(
        img.info()
            .warnings
            .iter()
            .any(|w| w.message.contains("truncated"))
    );
    let bad = check_against_source(&img, &data);
    assert!(!bad.is_empty(), "chunks past the cut must be reported");
    let total = LEN.div_ceil(CHUNK) as u64;
    assert!(
        (bad.len() as u64) < total,
        "chunks before the cut are recovered"
    );
    // Bad chunks are the tail.
    assert_eq!(*bad.last().unwrap(), total - 1);
    assert!(bad.windows(2).all(|w| w[1] == w[0] + 1));

    // A cut inside the header area: no volume section left → clear error.
    let e = open_bytes(vec![seg[..200].to_vec()]).unwrap_err();
    assert!(matches!(e, Error::NoVolume { .. }), "{e}");
}

#[test]
fn missing_second_segment_is_named() {
    let dir = TempDir::new("ewf-missing");
    let (raw, _) = make_raw(dir.path(), LEN);
    let first = acquire(
        &raw,
        dir.path(),
        "set",
        &["-f", "encase6", "-c", "none", "-S", "1MiB"],
    );
    assert!(dir.path().join("set.E02").exists());
    let only = dir.path().join("only");
    std::fs::create_dir(&only).unwrap();
    std::fs::copy(&first, only.join("set.E01")).unwrap();
    let e = open_path(&only.join("set.E01")).unwrap_err();
    match e {
        Error::MissingSegment { number, .. } => {
            assert_eq!(number, 2);
            assert_eq!(
                rift_ewf::segment_file_name(&only.join("set.E01"), number).unwrap(),
                only.join("set.E02")
            );
        }
        other => panic!("{other}"),
    }
    // The whole set opens, also when a copy changed the case of a name.
    assert!(open_path(&first).is_ok());
    std::fs::rename(dir.path().join("set.E02"), dir.path().join("set.e02")).unwrap();
    let found = rift_ewf::discover_segments(&first).unwrap();
    assert!(found.contains(&dir.path().join("set.e02")), "{found:?}");
    assert!(found.contains(&dir.path().join("set.E03")), "{found:?}");
    assert!(open_path(&first).is_ok());
    std::fs::rename(dir.path().join("set.e02"), dir.path().join("set.E02")).unwrap();
    // Segments given out of order are refused with both numbers.
    let e02 = std::fs::read(dir.path().join("set.E02")).unwrap();
    let e01 = std::fs::read(&first).unwrap();
    let e = open_bytes(vec![e02, e01]).unwrap_err();
    assert!(
        matches!(
            e,
            Error::SegmentNumber {
                expected: 1,
                found: 2,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn zero_length_and_random_files() {
    let e = open_bytes(vec![Vec::new()]).unwrap_err();
    assert!(matches!(e, Error::NotEwf { .. }), "{e}");
    assert!(e.to_string().contains("empty"), "{e}");
    let mut rng = Rng(42);
    for _ in 0..200 {
        let n = (rng.next() % 5000) as usize;
        let e = open_bytes(vec![rng.bytes(n)]).unwrap_err();
        assert!(matches!(e, Error::NotEwf { .. }), "{e}");
    }
    assert!(matches!(open_bytes(vec![]).unwrap_err(), Error::NoSegments));
    // A valid signature followed by garbage: an error or an image, no panic.
    for _ in 0..2000 {
        let n = (rng.next() % 3000) as usize;
        let mut b = b"EVF\x09\x0d\x0a\xff\x00\x01\x01\x00\x00\x00".to_vec();
        b.extend(rng.bytes(n));
        if let Ok(img) = open_bytes(vec![b]) {
            let mut buf = [0u8; 4096];
            let _ = img.read_at(0, &mut buf);
        }
    }
}

#[test]
fn table_pointing_past_the_file() {
    let dir = TempDir::new("ewf-past");
    let (mut seg, data) = single(&dir);
    let secs = sections(&seg);
    let total_entries = first_table(&seg).2.len();
    let victim = 5usize;
    // Rewrite entry `victim` of both table and table2 to point far past the
    // end, with valid checksums: the table looks sound, the chunk cannot be.
    for (kind, off, _) in secs.iter().filter(|s| s.0 == "table" || s.0 == "table2") {
        let p = off + 76;
        let at = p + 24 + 4 * victim;
        let far = 0x7000_0000u32 | 0x8000_0000;
        seg[at..at + 4].copy_from_slice(&far.to_le_bytes());
        let arr = p + 24..p + 24 + 4 * total_entries;
        let c = adler32(&seg[arr.clone()]);
        seg[arr.end..arr.end + 4].copy_from_slice(&c.to_le_bytes());
        let _ = kind;
    }
    let img = open_bytes(vec![seg]).unwrap();
    let bad = check_against_source(&img, &data);
    // The victim points past the file; its predecessor's size is computed
    // from the bogus successor offset (capped) and still decodes or is bad;
    // nothing else is affected.
    assert!(bad.contains(&(victim as u64)), "{bad:?}");
    assert!(
        bad.iter()
            .all(|b| *b == victim as u64 || *b == victim as u64 - 1),
        "{bad:?}"
    );
    let b = img
        .bad_chunks()
        .into_iter()
        .find(|b| b.chunk == victim as u64)
        .unwrap();
    assert!(
        matches!(
            b.reason,
            BadChunkReason::PastEndOfSegment { .. } | BadChunkReason::InvalidTableEntry
        ),
        "{:?}",
        b.reason
    );
}

#[test]
fn damaged_table_falls_back_to_table2() {
    let dir = TempDir::new("ewf-table2");
    let (mut seg, data) = single(&dir);
    let secs = sections(&seg);
    let t = secs.iter().find(|s| s.0 == "table").unwrap().1;
    // Scramble entries of `table` only (its checksum now fails).
    for i in 0..10 {
        seg[t + 76 + 24 + 4 * i] ^= 0xFF;
    }
    let img = open_bytes(vec![seg]).unwrap();
    assert!(
        img.info()
            .warnings
            .iter()
            .any(|w| w.message.contains("table2")),
        "{:?}",
        img.info().warnings
    );
    assert!(read_all(&img) == data);
    assert!(img.bad_chunks().is_empty());
}

/// Thousands of deterministic mutations of a real E01 (bit flips,
/// truncations, stomped descriptors): open and read everything, no panic.
#[test]
fn mutated_fixture_never_panics() {
    let orig = fixture_bytes("ewf/plaso_image.E01");
    let mut rng = Rng(0xDEAD_BEEF_CAFE_F00D);
    for round in 0..3000 {
        let mut b = orig.clone();
        match round % 4 {
            0 => {
                for _ in 0..(rng.next() % 8 + 1) {
                    let i = (rng.next() as usize) % b.len();
                    b[i] ^= 1 << (rng.next() % 8);
                }
            }
            1 => b.truncate((rng.next() as usize) % b.len()),
            2 => {
                let i = 13 + (rng.next() as usize) % (b.len() - 13);
                let n = ((rng.next() % 64) as usize).min(b.len() - i);
                for x in &mut b[i..i + n] {
                    *x = rng.next() as u8;
                }
            }
            _ => {
                // Large values in 8-byte fields (offsets, sizes, counts).
                let i = 13 + (rng.next() as usize) % (b.len() - 21);
                b[i..i + 8].copy_from_slice(&(rng.next() | 0xFFFF_0000_0000_0000).to_le_bytes());
            }
        }
        if let Ok(img) = EwfImage::open(vec![Arc::new(b) as SharedReader]) {
            let mut buf = vec![0u8; 64 << 10];
            let mut off = 0u64;
            while off < img.size().min(1 << 20) {
                let _ = img.read_at(off, &mut buf);
                off += buf.len() as u64;
            }
            // Crafted sizes can claim petabytes: stream only small media.
            if img.size() <= 16 << 20 {
                let _ = img.stream(1, |_, _| Ok(()));
            }
            assert!(img.bad_chunks().len() < 10_000);
        }
    }
}
