//! Real journals made by Windows, checked against independent sources.

use rift_testutil::{fixture, fixture_bytes};
use rift_usn::{Reason, UsnScanner, scan_bytes};

/// One record of Windows' own `fsutil usn readjournal` dump.
#[derive(Debug, Default)]
struct FsutilRecord {
    usn: i64,
    name: Option<String>,
    name_len: Option<usize>,
    reason: u32,
    time: Option<(u32, u32, u32, u32, u32, u32)>,
    attributes: Option<u32>,
    file_id: String,
    parent_id: String,
    source_info: u32,
    security_id: Option<u32>,
    major: u16,
    extents: Vec<(i64, i64)>,
    remaining: Option<u32>,
}

fn hex_prefix(v: &str) -> u32 {
    let h = v.split(':').next().unwrap().trim().trim_start_matches("0x");
    u32::from_str_radix(h, 16).unwrap()
}

/// Parses the text dump: blank-line separated `Key : value` blocks.
fn parse_fsutil(text: &str) -> Vec<FsutilRecord> {
    let mut out = Vec::new();
    let mut cur: Option<FsutilRecord> = None;
    for line in text.lines() {
        let line = line.trim_end_matches('\r');
        if let Some(rest) = line.trim_start().strip_prefix('[') {
            // "[1: 0, 2228224]" extent line
            let body = rest.trim_end().trim_end_matches(']');
            let (_, pair) = body.split_once(':').unwrap();
            let (a, b) = pair.split_once(',').unwrap();
            cur.as_mut()
                .unwrap()
                .extents
                .push((a.trim().parse().unwrap(), b.trim().parse().unwrap()));
            continue;
        }
        let Some((k, v)) = line.split_once(" : ") else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        if k == "Usn" {
            if let Some(r) = cur.take() {
                out.push(r);
            }
            cur = Some(FsutilRecord {
                usn: v.parse().unwrap(),
                ..Default::default()
            });
            continue;
        }
        let Some(r) = cur.as_mut() else { continue };
        match k {
            "File name" => r.name = Some(v.to_owned()),
            "File name length" => r.name_len = Some(v.parse().unwrap()),
            "Reason" => r.reason = hex_prefix(v),
            "Time stamp" => {
                // M/D/YYYY H:MM:SS (the dump's machine was on UTC: the first
                // record's FILETIME decodes to the same wall time).
                let (d, t) = v.split_once(' ').unwrap();
                let d: Vec<u32> = d.split('/').map(|x| x.parse().unwrap()).collect();
                let t: Vec<u32> = t.split(':').map(|x| x.parse().unwrap()).collect();
                r.time = Some((d[2], d[0], d[1], t[0], t[1], t[2]));
            }
            "File attributes" => r.attributes = Some(hex_prefix(v)),
            "File ID" => r.file_id = v.to_lowercase(),
            "Parent file ID" => r.parent_id = v.to_lowercase(),
            "Source info" => r.source_info = hex_prefix(v),
            "Security ID" => r.security_id = Some(v.parse().unwrap()),
            "Major version" => r.major = v.parse().unwrap(),
            "Remaining extents" => r.remaining = Some(v.parse().unwrap()),
            _ => {}
        }
    }
    out.extend(cur);
    out
}

/// FILETIME → (Y, M, D, h, m, s) UTC, written out by hand (civil-from-days).
fn civil(ft: u64) -> (u32, u32, u32, u32, u32, u32) {
    let secs = ft / 10_000_000;
    let days = (secs / 86_400) as i64;
    let sod = secs % 86_400;
    // days since 1601-01-01 → since 0000-03-01
    // 1601-01-01 is day 584694 after 0000-03-01 (719468 for 1970 − 134774).
    let z = days + 584_694;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y as u32,
        m as u32,
        d as u32,
        (sod / 3600) as u32,
        (sod / 60 % 60) as u32,
        (sod % 60) as u32,
    )
}

#[test]
fn civil_conversion_is_right() {
    // 2015-11-30 21:15:27 (plaso's UsnJrnl.raw first record, by its docs).
    assert_eq!(civil(130_933_917_272_031_250), (2015, 11, 30, 21, 15, 27));
    assert_eq!(civil(0), (1601, 1, 1, 0, 0, 0));
}

#[test]
fn usnjrnlj_matches_windows_fsutil_dump() {
    let text =
        String::from_utf8(fixture_bytes("ntfs_files/dfir_ntfs_usnjrnlj.fsutil.txt")).unwrap();
    let expected = parse_fsutil(&text);
    assert_eq!(expected.len(), 268, "fsutil dump: 261 named records + 7 V4");
    let next_usn: i64 = text
        .lines()
        .find_map(|l| l.strip_prefix("Next USN"))
        .and_then(|l| l.split(':').nth(1))
        .map(|v| v.trim().parse().unwrap())
        .unwrap();
    assert_eq!(next_usn, 29792);

    let bytes = fixture_bytes("ntfs_files/dfir_ntfs_usnjrnlj.bin");
    let (records, damage, stats) = scan_bytes(&bytes, 0);
    assert!(damage.is_empty(), "{damage:?}");
    // Records the dump saw, and the ones written after it (USN ≥ Next USN).
    let (before, after): (Vec<_>, Vec<_>) = records.iter().partition(|r| r.usn < next_usn);
    assert_eq!(before.len(), expected.len());
    assert_eq!(after.len(), 3);
    assert_eq!(stats.zero_bytes, 416);
    for (r, e) in before.iter().zip(&expected) {
        assert_eq!(r.usn, e.usn);
        assert_eq!(r.offset, r.usn as u64);
        assert_eq!(r.reason.bits(), e.reason, "usn {}", e.usn);
        assert_eq!(format!("{:032x}", r.file_id.0), e.file_id, "usn {}", e.usn);
        assert_eq!(
            format!("{:032x}", r.parent_id.0),
            e.parent_id,
            "usn {}",
            e.usn
        );
        assert_eq!(r.source_info.bits(), e.source_info);
        if e.major == 4 {
            assert_eq!(r.major, 4, "usn {}", e.usn);
            let ext: Vec<(i64, i64)> = r.extents.iter().map(|x| (x.offset, x.length)).collect();
            assert_eq!(ext, e.extents);
            assert_eq!(Some(r.remaining_extents), e.remaining);
            assert!(r.name.is_empty());
        } else {
            // The API synthesised V3 for the dump; the disk holds V2.
            assert_eq!((e.major, r.major), (3, 2));
            assert_eq!(Some(&r.name), e.name.as_ref());
            assert_eq!(Some(r.name.encode_utf16().count() * 2), e.name_len);
            assert_eq!(Some(r.attributes.bits()), e.attributes);
            assert_eq!(Some(r.security_id), e.security_id);
            assert_eq!(Some(civil(r.timestamp.0)), e.time, "usn {}", e.usn);
        }
    }
}

#[test]
fn single_records_from_dfir_ntfs() {
    // V2 record whose file name (usn_<USN>.bin) is its USN.
    let (recs, damage, _) =
        scan_bytes(&fixture_bytes("ntfs_files/dfir_ntfs_usn_1170953448.bin"), 0);
    assert!(damage.is_empty());
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].usn, 1_170_953_448);
    assert_eq!(recs[0].major, 2);

    // V4 record with two extents (0, 0x4000) and (0x5F4000, 0x8000) per
    // docs/formats/ntfs.md §7.2 and dfir_ntfs' test_cases.py.
    let (recs, damage, _) =
        scan_bytes(&fixture_bytes("ntfs_files/dfir_ntfs_usn_1170955904.bin"), 0);
    assert!(damage.is_empty());
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!((r.usn, r.major), (1_170_955_904, 4));
    let ext: Vec<(i64, i64)> = r.extents.iter().map(|x| (x.offset, x.length)).collect();
    assert_eq!(ext, vec![(0, 0x4000), (0x5F_4000, 0x8000)]);
}

#[test]
fn plaso_extract() {
    let bytes = fixture_bytes("ntfs_files/plaso_UsnJrnl.raw");
    let (recs, damage, _) = scan_bytes(&bytes, 0);
    assert!(damage.is_empty());
    assert_eq!(recs.len(), 19);
    // First record decoded by hand from the bytes at offset 0:
    // length 0x70, v2, file ref 0x0001_0000_0000_001E, parent 0x0005_0000_0000_0005,
    // usn 0, reason 0x100, name at 60 "Nieuw - Tekstdocument.txt".
    assert_eq!(&bytes[0..4], &0x70u32.to_le_bytes());
    assert_eq!(
        u64::from_le_bytes(bytes[8..16].try_into().unwrap()),
        0x0001_0000_0000_001E
    );
    let r = &recs[0];
    assert_eq!((r.file_id.entry(), r.file_id.sequence()), (30, 1));
    assert_eq!((r.parent_id.entry(), r.parent_id.sequence()), (5, 5));
    assert_eq!(r.reason, Reason::FILE_CREATE);
    assert_eq!(r.name, "Nieuw - Tekstdocument.txt");
    assert_eq!(civil(r.timestamp.0), (2015, 11, 30, 21, 15, 27));
}

#[test]
fn twenty_h1_extract_and_go_ntfs_fragment() {
    // 188 records per TSK's usnjls on the 20H1 image (MANIFEST).
    let f = std::fs::File::open(fixture("ntfs_files/ntfs-samples_20h1_UsnJrnl_J.bin")).unwrap();
    let mut s = UsnScanner::whole(f);
    let recs: Vec<_> = s.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(recs.len(), 188);
    assert!(recs.iter().all(|r| r.offset == r.usn as u64));
    assert_eq!(s.stats().damaged, 0);

    // go-ntfs' fragment starts mid-page (first USN 312568880 = page offset
    // 0x630): page boundaries must follow the USN, not the file offset.
    let bytes = fixture_bytes("ntfs_files/go-ntfs_usn_sample.bin");
    let (recs, damage, _) = scan_bytes(&bytes, 0);
    assert!(damage.is_empty(), "{damage:?}");
    assert_eq!(recs.len(), 208);
    assert_eq!(recs[0].usn, 312_568_880);
    assert_eq!(recs[0].name, "GenericProvider.dll");
    // Every record's USN minus its file offset is the same constant.
    assert!(recs.iter().all(|r| r.usn as u64 - r.offset == 312_568_880));
}
