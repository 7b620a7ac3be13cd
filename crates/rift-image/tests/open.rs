//! `rift_image::open` on real images: formats by content, media bytes equal
//! to independent exports (`ewfexport`), hashes equal to stored ones.

use std::fs;
use std::io::Write;

use rift_image::{ImageFormat, hash_media, open};
use rift_io::ReadAt;
use rift_testutil::{TempDir, fixture, raw_image, run_tool};

#[test]
fn scenario_e01_hashes_match_stored_and_md5sum() {
    let path = fixture("scenario/public/disk.E01");
    let img = open(&path).unwrap();
    assert_eq!(img.format, ImageFormat::Ewf);
    assert_eq!(img.size, 512 << 20);
    assert_eq!(img.sector_size, 512);
    let h = hash_media(&img, 0, &mut |_| {}).unwrap();
    assert_eq!(h.bytes, img.size);
    // Oracles: the MD5 the acquisition tool stored, and coreutils on
    // ewfexport's raw output.
    assert_eq!(Some(h.md5), img.info.stored_md5);
    let raw = raw_image("scenario/public/disk.E01");
    let md5sum = run_tool("md5sum", &[raw.to_str().unwrap()]);
    let sha1sum = run_tool("sha1sum", &[raw.to_str().unwrap()]);
    assert_eq!(
        hex::encode(h.md5),
        md5sum.split_whitespace().next().unwrap()
    );
    assert_eq!(
        hex::encode(h.sha1),
        sha1sum.split_whitespace().next().unwrap()
    );
    assert!(img.bad_chunks().is_empty());
}

#[test]
fn raw_and_split_raw_by_content() {
    let src = raw_image("ewf/plaso_image-split.E01");
    let data = fs::read(&src).unwrap();
    let dir = TempDir::new("rift-image-split");
    // A raw image with a misleading extension is still raw.
    let single = dir.path().join("disk.E01.dd");
    fs::write(&single, &data).unwrap();
    let img = open(&single).unwrap();
    assert_eq!(img.format, ImageFormat::Raw);
    let mut buf = vec![0u8; data.len()];
    img.reader.read_at(0, &mut buf).unwrap();
    assert_eq!(buf, data);

    for (names, fmt) in [
        (["x.001", "x.002", "x.003"], ImageFormat::SplitRaw),
        (["y.aa", "y.ab", "y.ac"], ImageFormat::SplitRaw),
    ] {
        let cut = [0, 100_000, 700_001, data.len()];
        for (i, n) in names.iter().enumerate() {
            let mut f = fs::File::create(dir.path().join(n)).unwrap();
            f.write_all(&data[cut[i]..cut[i + 1]]).unwrap();
        }
        let img = open(&dir.path().join(names[0])).unwrap();
        assert_eq!(img.format, fmt);
        assert_eq!(img.info.files.len(), 3);
        assert_eq!(img.size, data.len() as u64);
        let mut buf = vec![0u8; data.len()];
        img.reader.read_at(0, &mut buf).unwrap();
        assert!(buf == data);
        let h = hash_media(&img, 2, &mut |_| {}).unwrap();
        let md5sum = run_tool("md5sum", &[src.to_str().unwrap()]);
        assert_eq!(
            hex::encode(h.md5),
            md5sum.split_whitespace().next().unwrap()
        );
    }
}

#[test]
fn empty_and_missing_files_are_clear_errors() {
    let dir = TempDir::new("rift-image-empty");
    let p = dir.path().join("empty.E01");
    fs::write(&p, b"").unwrap();
    let e = open(&p).unwrap_err().to_string();
    assert!(e.contains("empty"), "{e}");
    let e = open(&dir.path().join("nope.dd")).unwrap_err().to_string();
    assert!(e.contains("nope.dd"), "{e}");
}

/// qcow2 fixtures (made from Windows disks) through `open`: detected by
/// magic and read identical to `qemu-img convert -O raw` output (sampled:
/// one virtual disk is 64 GiB, mostly unallocated).
#[test]
fn qcow2_fixtures_match_qemu_img() {
    for rel in [
        "ntfs_images/dfvfs_windows_volume.qcow2",
        "ntfs_images/ntfs-samples_20h1.qcow2",
        "ntfs_images/plaso_vsstest.qcow2",
    ] {
        let img = open(&fixture(rel)).unwrap();
        assert_eq!(img.format, ImageFormat::Qcow2, "{rel}");
        assert!(img.info.vdisk.is_some());
        let want = fs::File::open(raw_image(rel)).unwrap();
        assert_eq!(img.size, want.metadata().unwrap().len(), "{rel}");
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let check = |off: u64, len: usize| {
            let mut a = vec![0u8; len];
            let mut b = vec![0u8; len];
            let n = img.reader.read_at(off, &mut a).unwrap();
            let m = ReadAt::read_at(&want, off, &mut b).unwrap();
            assert_eq!(n, m, "{rel} at {off:#x}");
            assert!(
                a[..n] == b[..n],
                "{rel}: differs from qemu-img raw at {off:#x}+{len}"
            );
        };
        check(0, 8 << 20);
        for _ in 0..200 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            check(seed % img.size, (seed >> 40) as usize % (1 << 20) + 1);
        }
    }
}

#[test]
fn missing_ewf_segment_names_the_file() {
    let dir = TempDir::new("rift-image-missing");
    let p = dir.path().join("Case.E01");
    fs::copy(fixture("ewf/plaso_image-split.E01"), &p).unwrap();
    let e = open(&p).unwrap_err();
    match &e {
        rift_image::Error::MissingSegment {
            number, expected, ..
        } => {
            assert_eq!(*number, 2);
            assert_eq!(expected, &dir.path().join("Case.E02"));
        }
        other => panic!("{other}"),
    }
    assert!(e.to_string().contains("Case.E02"), "{e}");
}
