//! E01 sets written by `ewfacquire` in every format it can write, with
//! every compression level, small and large chunks and several segments,
//! read byte-identical to the source raw; stored hashes match.

mod common;

use common::{acquire, make_raw, md5_hex, open_path, read_all};
use rift_io::ReadAt;
use rift_testutil::TempDir;

/// 3 MiB + 5 sectors: the last chunk is partial for every chunk size.
const LEN: usize = (3 << 20) + 5 * 512;

fn check(dir: &TempDir, data: &[u8], name: &str, args: &[&str], min_segments: usize) {
    let raw = dir.path().join("src.raw");
    let first = acquire(&raw, dir.path(), name, args);
    let img = open_path(&first).unwrap_or_else(|e| panic!("{name} {args:?}: {e}"));
    let info = img.info();
    assert!(
        info.segments.len() >= min_segments,
        "{name}: {} segments",
        info.segments.len()
    );
    assert_eq!(img.size(), data.len() as u64, "{name}");
    let got = read_all(&img);
    assert!(
        got == data,
        "{name} {args:?}: media differs from the source"
    );
    let mut streamed = Vec::new();
    img.stream(2, |_, b| {
        streamed.extend_from_slice(&b);
        Ok(())
    })
    .unwrap();
    assert!(streamed == data, "{name}: stream differs");
    assert!(
        img.bad_chunks().is_empty(),
        "{name}: {:?}",
        img.bad_chunks()
    );
    assert_eq!(
        info.stored_md5.map(hex::encode),
        Some(md5_hex(data)),
        "{name}: stored MD5"
    );
    let m = &info.metadata;
    assert_eq!(m.case_number.as_deref(), Some("CASE-7"), "{name}");
    assert_eq!(m.evidence_number.as_deref(), Some("EV-9"), "{name}");
    assert_eq!(m.examiner.as_deref(), Some("Examiner Name"), "{name}");
    assert_eq!(m.description.as_deref(), Some("test description"), "{name}");
    assert_eq!(m.notes.as_deref(), Some("test notes"), "{name}");
    assert!(m.acquisition_date.is_some(), "{name}: acquisition date");
}

#[test]
fn every_writable_format_and_compression() {
    let dir = TempDir::new("ewf-formats");
    let (_, data) = make_raw(dir.path(), LEN);
    for format in [
        "encase5", "encase6", "encase7", "ftk", "linen6", "linen7", "smart", "encase2", "ewfx",
    ] {
        for comp in ["none", "fast", "best"] {
            let name = format!("{format}-{comp}");
            check(
                &dir,
                &data,
                &name,
                &["-f", format, "-c", comp, "-S", "1MiB"],
                2,
            );
        }
    }
}

#[test]
fn chunk_sizes_and_sha1_digest() {
    let dir = TempDir::new("ewf-chunks");
    let (_, data) = make_raw(dir.path(), LEN);
    for spc in ["16", "64", "1024", "4096"] {
        let name = format!("spc{spc}");
        check(
            &dir,
            &data,
            &name,
            &["-f", "encase6", "-c", "fast", "-b", spc, "-S", "1MiB"],
            1,
        );
    }
    // -d sha1 adds a `digest` section with the SHA-1.
    let raw = dir.path().join("src.raw");
    let first = acquire(
        &raw,
        dir.path(),
        "digest",
        &["-f", "encase6", "-c", "best", "-d", "sha1"],
    );
    let img = open_path(&first).unwrap();
    use sha1::Digest;
    assert_eq!(
        img.info().stored_sha1.map(hex::encode),
        Some(hex::encode(sha1::Sha1::digest(&data)))
    );
    // Random access across chunk boundaries.
    let mut buf = vec![0u8; 100_000];
    let n = img.read_at(32_768 - 17, &mut buf).unwrap();
    assert_eq!(&buf[..n], &data[32_768 - 17..32_768 - 17 + n]);
}
