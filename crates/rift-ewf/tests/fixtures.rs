//! Every EWF fixture reads byte-identical to libewf's `ewfexport` output and
//! its MD5 equals the hash the acquisition tool stored; metadata equals
//! `ewfinfo`'s.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use md5::Digest;
use rift_ewf::{EwfImage, discover_segments};
use rift_io::{ReadAt, SharedReader};
use rift_testutil::{fixture, raw_image, run_tool};

fn open(path: &Path) -> EwfImage {
    let segs: Vec<SharedReader> = discover_segments(path)
        .unwrap()
        .iter()
        .map(|p| Arc::new(std::fs::File::open(p).unwrap()) as SharedReader)
        .collect();
    EwfImage::open(segs).unwrap()
}

/// `ewfinfo` output as label -> value.
fn ewfinfo(path: &Path) -> HashMap<String, String> {
    let out = std::process::Command::new("ewfinfo")
        .arg(path)
        .env("TZ", "UTC")
        .output()
        .expect("run ewfinfo");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            let (k, v) = l.split_once(':')?;
            Some((k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect()
}

fn check_fixture(rel: &str, segments: usize) {
    let path = fixture(rel);
    let found = discover_segments(&path).unwrap();
    assert_eq!(found.len(), segments, "{rel}: {found:?}");
    let img = open(&path);
    let raw = std::fs::read(raw_image(rel)).unwrap();
    assert_eq!(img.size(), raw.len() as u64, "{rel} media size");

    // Random access with odd sizes and offsets crossing chunk boundaries.
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..300 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let off = seed % raw.len() as u64;
        let len = ((seed >> 32) % 100_000) as usize + 1;
        let mut buf = vec![0xAAu8; len];
        let n = img.read_at(off, &mut buf).unwrap();
        let want = &raw[off as usize..(off as usize + len).min(raw.len())];
        assert_eq!(n, want.len());
        assert!(buf[..n] == *want, "{rel}: mismatch at {off:#x}+{len}");
    }

    // Whole media, sequential via the parallel stream.
    let mut md5 = md5::Md5::new();
    let mut pos = 0u64;
    img.stream(3, |off, data| {
        assert_eq!(off, pos);
        assert!(
            data[..] == raw[off as usize..off as usize + data.len()],
            "{rel}: stream mismatch in block at {off:#x}"
        );
        md5.update(&data[..]);
        pos += data.len() as u64;
        Ok(())
    })
    .unwrap();
    assert_eq!(pos, raw.len() as u64);
    let md5 = hex::encode(md5.finalize());
    assert!(img.bad_chunks().is_empty(), "{rel}: {:?}", img.bad_chunks());

    // Metadata and stored hash against ewfinfo.
    let info = ewfinfo(&path);
    let stored = img.info().stored_md5.map(hex::encode);
    assert_eq!(
        stored.as_deref(),
        info.get("MD5").map(|s| s.as_str()),
        "{rel}"
    );
    assert_eq!(Some(md5), stored, "{rel}: media MD5 vs stored hash");
    let m = &img.info().metadata;
    let opt = |k: &str| info.get(k).cloned();
    assert_eq!(m.case_number, opt("Case number"), "{rel}");
    assert_eq!(m.evidence_number, opt("Evidence number"), "{rel}");
    assert_eq!(m.examiner, opt("Examiner name"), "{rel}");
    assert_eq!(m.description, opt("Description"), "{rel}");
    assert_eq!(m.notes, opt("Notes"), "{rel}");
    assert_eq!(m.acquisition_os, opt("Operating system used"), "{rel}");
    assert_eq!(m.software_version, opt("Software version used"), "{rel}");
    let media = &img.info().media;
    assert_eq!(
        media.bytes_per_sector.to_string(),
        info["Bytes per sector"],
        "{rel}"
    );
    assert_eq!(media.sector_count.to_string(), info["Number of sectors"]);
    assert_eq!(
        media.sectors_per_chunk.to_string(),
        info["Sectors per chunk"]
    );
    // ewfinfo prints the header2 POSIX time in ctime format in $TZ (UTC).
    if let Some(want) = info.get("Acquisition date") {
        let got = match &m.acquisition_date {
            Some(rift_ewf::EwfTime::Utc(t)) => t
                .to_zoned(jiff::tz::TimeZone::UTC)
                .strftime("%a %b %e %H:%M:%S %Y")
                .to_string(),
            Some(rift_ewf::EwfTime::Local(d)) => d.strftime("%a %b %e %H:%M:%S %Y").to_string(),
            other => panic!("{rel}: acquisition date {other:?}"),
        };
        assert_eq!(&got, want, "{rel}");
    }
}

#[test]
fn plaso_image() {
    check_fixture("ewf/plaso_image.E01", 1);
}

#[test]
fn plaso_image_split() {
    check_fixture("ewf/plaso_image-split.E01", 2);
}

#[test]
fn ntfs_lastaccess() {
    check_fixture("ewf/derived_ntfs-lastaccess.E01", 1);
}

#[test]
fn ntfs_cloud_three_segments() {
    check_fixture("ewf/derived_dissect_ntfs-cloud.E01", 3);
}

#[test]
fn scenario_disk() {
    check_fixture("scenario/public/disk.E01", 1);
    let img = open(&fixture("scenario/public/disk.E01"));
    assert_eq!(
        img.info().metadata.case_number.as_deref(),
        Some("IR-1101-PUBLIC")
    );
    // ewfinfo agrees on the geometry checked above; the MBR signature is
    // at the end of sector 0.
    let mut mbr = [0u8; 512];
    img.read_at(0, &mut mbr).unwrap();
    assert_eq!(&mbr[510..], &[0x55, 0xAA]);
    let _ = run_tool(
        "ewfinfo",
        &[fixture("scenario/public/disk.E01").to_str().unwrap()],
    );
}

#[allow(dead_code)]
fn unused(_: PathBuf) {}
