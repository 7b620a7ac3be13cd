//! `$J` inside the fixture images: every record decodes (no damage, no
//! skip), and each one matches TSK's `usnjls` (an independent decoder) on
//! references, time, reasons and name; the `$LogFile` of the same volumes
//! parses.

use rift_carve::{find_usn_journal, read_logfile, read_usn_journal};
use rift_io::SubRange;
use rift_ntfs::Ntfs;
use rift_testutil::{decompressed, raw_image, require_tool, run_tool};

/// USN reason names as TSK prints them, with their bits (MSDOCS values).
const TSK_REASONS: &[(&str, u32)] = &[
    ("DATA_OVERWRITE", 0x1),
    ("DATA_EXTEND", 0x2),
    ("DATA_TRUNCATION", 0x4),
    ("NAMED_DATA_OVERWRITE", 0x10),
    ("NAMED_DATA_EXTEND", 0x20),
    ("NAMED_DATA_TRUNCATION", 0x40),
    ("FILE_CREATE", 0x100),
    ("FILE_DELETE", 0x200),
    ("EA_CHANGE", 0x400),
    ("SECURITY_CHANGE", 0x800),
    ("RENAME_OLD_NAME", 0x1000),
    ("RENAME_NEW_NAME", 0x2000),
    ("INDEXABLE_CHANGE", 0x4000),
    ("BASIC_INFO_CHANGE", 0x8000),
    ("HARD_LINK_CHANGE", 0x10000),
    ("COMPRESSION_CHANGE", 0x20000),
    ("ENCRYPTION_CHANGE", 0x40000),
    ("OBJECT_ID_CHANGE", 0x80000),
    ("REPARSE_POINT_CHANGE", 0x100000),
    ("STREAM_CHANGE", 0x200000),
    ("CLOSE", 0x8000_0000),
];

fn check_volume(raw: &std::path::Path, sector: u64, expect_records: usize) {
    require_tool("usnjls");
    let f = std::fs::File::open(raw).unwrap();
    let size = rift_io::ReadAt::size(&f);
    let start = sector * 512;
    let ntfs = Ntfs::open(SubRange::new(f, start, size - start)).unwrap();
    let src = find_usn_journal(&ntfs).unwrap().unwrap();
    let j = read_usn_journal(&ntfs, Vec::new()).unwrap();
    assert!(j.damage.is_empty(), "{:?}", j.damage);
    assert_eq!(j.records.len(), expect_records);
    assert!(
        j.records
            .iter()
            .all(|r| r.record.offset == r.record.usn as u64)
    );

    let tsk = run_tool(
        "usnjls",
        &[
            "-o",
            &sector.to_string(),
            raw.to_str().unwrap(),
            &src.entry.to_string(),
        ],
    );
    let lines: Vec<&str> = tsk.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), j.records.len());
    for (line, p) in lines.iter().zip(&j.records) {
        let r = &p.record;
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(
            cols[0],
            format!("{}-{}", r.file_id.entry(), r.file_id.sequence()),
            "{line}"
        );
        assert_eq!(
            cols[1],
            format!("{}-{}", r.parent_id.entry(), r.parent_id.sequence()),
            "{line}"
        );
        // Unix seconds and nanoseconds = FILETIME − 1601→1970 in ns. TSK
        // prints the nanoseconds without zero padding (".90927000" for
        // .090927000), so compare the same way.
        let ns = (i128::from(r.timestamp.0) - 116_444_736_000_000_000) * 100;
        assert_eq!(
            cols[2],
            format!("{}.{}", ns / 1_000_000_000, ns % 1_000_000_000),
            "{line}"
        );
        let bits: u32 = cols[3]
            .split_whitespace()
            .map(|n| {
                TSK_REASONS
                    .iter()
                    .find(|(k, _)| *k == n)
                    .unwrap_or_else(|| panic!("{n}"))
                    .1
            })
            .sum();
        assert_eq!(bits, r.reason.bits(), "{line}");
        assert_eq!(cols[4], r.name, "{line}");
    }
    // The same volume's $LogFile parses.
    let (log, _events) = read_logfile(&ntfs).unwrap();
    assert!(log.restart().is_some());
    assert!(!log.records.is_empty());
}

#[test]
fn twenty_h1_volume() {
    // 188 records per the MANIFEST (usnjls); 64 GiB sparse disk, NTFS at 2048.
    check_volume(&raw_image("ntfs_images/ntfs-samples_20h1.qcow2"), 2048, 188);
}

#[test]
fn ntfs_cloud_volume() {
    // 179 records per the MANIFEST (usnjls); a bare volume.
    check_volume(
        &decompressed("ntfs_images/dissect_ntfs-cloud.bin.gz"),
        0,
        179,
    );
}
