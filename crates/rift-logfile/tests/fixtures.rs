//! Real `$LogFile`s made by Windows. Expected values come from
//! `docs/formats/ntfs.md` §8 (decoded by an independent Python checker and
//! cross-referenced there), from decoding done by hand below, and from the
//! same volume's `$UsnJrnl:$J` (written by Windows, not by us).

use rift_logfile::{EventKind, LogFile, Op, PageSource, analyze};
use rift_testutil::{decompressed, fixture, fixture_bytes};

fn open(rel: &str) -> LogFile {
    let f = std::fs::File::open(fixture(rel)).unwrap();
    LogFile::parse(&f).unwrap()
}

fn circular(log: &LogFile) -> usize {
    log.records
        .iter()
        .filter(|r| r.source == PageSource::Circular)
        .count()
}

/// The spanning flag (0x1) is set exactly on records whose data crosses the
/// page end (§8.5, verified 3/3 there), and those records were assembled.
fn check_spanning(log: &LogFile) {
    let ps = u64::from(log.page_size);
    for r in &log.records {
        let end = r.offset + 48 + u64::from(r.client_data_length);
        let crosses = end > (r.offset / ps + 1) * ps;
        assert_eq!(r.flags & 1 != 0, crosses, "LSN {}", r.lsn);
    }
}

#[test]
fn windows7_lfs_1_1() {
    let log = open("ntfs_files/dfir_ntfs_LogFile_7.bin");
    let rp = log.restart().unwrap();
    assert_eq!((rp.major, rp.minor), (1, 1));
    assert_eq!(rp.area.seq_number_bits, 42); // 67 − bitlen(23560192)
    assert_eq!(rp.area.current_lsn, 8_410_141);
    assert!(rp.area.is_clean());
    assert_eq!(rp.area.clients[0].name, "NTFS");
    assert_eq!(log.first_log_page, 4);
    assert_eq!(circular(&log), 777);
    check_spanning(&log);
    // Windows 7 writes NTFS restart areas of version 0.0 (44-byte OAT entries).
    let nr = log.ntfs_restart().unwrap();
    assert_eq!((nr.major, nr.minor), (0, 0));
    // OAT (§8.6, verified on Win7): 0x18 → $MFT, 0x44 → root $I30, 0xC8 → $Secure $SDS.
    let a = analyze(&log);
    let oat = |key: u16| {
        log.records
            .iter()
            .zip(&a.targets)
            .find(|(r, _)| r.client.as_ref().is_some_and(|c| c.target_attribute == key))
            .and_then(|(_, t)| t.clone())
            .unwrap()
    };
    assert_eq!(
        oat(0x18).file_reference.map(|f| f & 0xFFFF_FFFF_FFFF),
        Some(0)
    );
    let root = oat(0x44);
    assert_eq!(root.file_reference.map(|f| f & 0xFFFF_FFFF_FFFF), Some(5));
    assert_eq!(root.attribute_name, "$I30");
    let sds = oat(0xC8);
    assert_eq!(sds.file_reference.map(|f| f & 0xFFFF_FFFF_FFFF), Some(9));
    assert_eq!(sds.attribute_name, "$SDS");
}

#[test]
fn windows10_lfs_2_0_with_buffer_pages() {
    let log = open("ntfs_files/dfir_ntfs_LogFile_10.bin");
    let rp = log.restart().unwrap();
    assert_eq!((rp.major, rp.minor), (2, 0));
    assert_eq!(rp.area.seq_number_bits, 43);
    assert_eq!(rp.area.current_lsn, 8_413_528);
    assert!(!rp.area.is_clean());
    assert_eq!(log.first_log_page, 34);
    // 323 headers in the circular area (§8.3), plus records only the
    // buffer pages hold.
    assert_eq!(circular(&log), 323);
    assert!(log.records.len() > 323);
    check_spanning(&log);
    assert!(log.records.iter().all(|r| r.complete));
    // A checkpoint (§8.6): NTFS restart area v1.0 with these dump LSNs.
    let cp = log
        .records
        .iter()
        .filter_map(|r| r.restart.as_ref())
        .find(|n| n.checkpoint_lsn == 8_410_478)
        .expect("checkpoint 8410478");
    assert_eq!((cp.major, cp.minor), (1, 0));
    assert_eq!(cp.open_attribute_table_lsn, 8_410_489);
    assert_eq!(cp.attribute_names_lsn, 8_410_632);
    assert_eq!(cp.dirty_page_table_lsn, 8_410_657);
    assert_eq!(cp.bytes_per_cluster, 4096);

    // OAT dump of that checkpoint (§8.6): 984 bytes; 0x18 → ($MFT,1)
    // $DATA, 0x40 → (5,5) $I30 $INDEX_ALLOCATION, 0x68 → (9,9) $SDS,
    // 0x158 → (25,1) $ObjId:$O; names dump [(0x40,'$I30'),(0x68,'$SDS'),…].
    let rec = |lsn: u64| {
        log.records
            .iter()
            .find(|r| r.lsn == lsn)
            .unwrap()
            .client
            .as_ref()
            .unwrap()
    };
    let dump = rec(8_410_489);
    assert_eq!(
        (dump.redo_op, dump.redo.len()),
        (Op::OpenAttributeTableDump, 984)
    );
    let oat = rift_logfile::client::open_attribute_table(&dump.redo);
    let get = |k: u16| {
        oat.iter()
            .find(|(o, _)| *o == k)
            .map(|(_, a)| (a.file_reference, a.type_code))
            .unwrap()
    };
    assert_eq!(get(0x18), (1 << 48, 0x80));
    assert_eq!(get(0x40), ((5 << 48) | 5, 0xA0));
    assert_eq!(get(0x68).0, (9 << 48) | 9);
    assert_eq!(get(0x158).0, (1 << 48) | 25);
    let names = rec(8_410_632);
    assert_eq!(
        (names.redo_op, names.redo.len()),
        (Op::AttributeNamesDump, 112)
    );
    let names = rift_logfile::client::attribute_names(&names.redo);
    assert_eq!(names[0], (0x40, "$I30".to_owned()));
    assert_eq!(names[1], (0x68, "$SDS".to_owned()));
    let a = analyze(&log);
    // Records after the checkpoint resolve through it.
    let t = log
        .records
        .iter()
        .zip(&a.targets)
        .filter(|(r, _)| {
            r.lsn > 8_410_632
                && r.client
                    .as_ref()
                    .is_some_and(|c| c.target_attribute == 0x40)
        })
        .find_map(|(_, t)| t.clone())
        .unwrap();
    assert_eq!(
        (
            t.file_reference,
            t.attribute_type,
            t.attribute_name.as_str()
        ),
        (Some((5 << 48) | 5), Some(0xA0), "$I30")
    );

    // find_me.txt's InitializeFileRecordSegment, decoded by hand: its redo
    // is a FILE record holding the name; target VCN 10, cluster block
    // offset 6 (512-byte units), 1 KiB records, 4 KiB clusters →
    // (10 × 4096 + 6 × 512) / 1024 = entry 43.
    let needle: Vec<u8> = "find_me.txt"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let (i, r) = log
        .records
        .iter()
        .enumerate()
        .find(|(_, r)| {
            r.client.as_ref().is_some_and(|c| {
                c.redo_op == Op::InitializeFileRecordSegment
                    && c.redo.starts_with(b"FILE")
                    && c.redo.windows(needle.len()).any(|w| w == needle)
            })
        })
        .unwrap();
    let c = r.client.as_ref().unwrap();
    assert_eq!((c.target_vcn, c.cluster_block_offset), (10, 6));
    assert_eq!(a.targets[i].as_ref().unwrap().mft_entry, Some(43));

    // The renames the notes list (§8.8): tracking.log.tmp → tracking.log
    // (LSN 8407202–8407281) and find_me.txt → got_renamed.txt
    // (8412418–8412493).
    let renames: Vec<(u64, &str, &str)> = a
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Rename)
        .map(|e| {
            (
                e.lsn,
                e.old_name.as_deref().unwrap(),
                e.name.as_deref().unwrap(),
            )
        })
        .collect();
    assert!(
        renames
            .iter()
            .any(|&(l, o, n)| (8_407_202..=8_407_281).contains(&l)
                && o == "tracking.log.tmp"
                && n == "tracking.log"),
        "{renames:?}"
    );
    assert!(
        renames
            .iter()
            .any(|&(l, o, n)| (8_412_418..=8_412_493).contains(&l)
                && o == "find_me.txt"
                && n == "got_renamed.txt"),
        "{renames:?}"
    );
    let create = a
        .events
        .iter()
        .find(|e| e.kind == EventKind::Create && e.name.as_deref() == Some("find_me.txt"))
        .unwrap();
    assert_eq!(create.mft_entry, Some(43));
    assert_eq!(create.path.as_deref(), Some("\\find_me.txt"));
    assert!(!create.tunnelled);
}

#[test]
fn windows10_large_and_downgraded() {
    let log = open("ntfs_files/dfir_ntfs_LogFile_10_large.bin");
    // The two restart pages differ (alternating, §8.2); page 0 has the LSN
    // MANIFEST lists, page 1 the newer one, which is used.
    let r0 = log.restart_pages[0].as_ref().unwrap();
    let r1 = log.restart_pages[1].as_ref().unwrap();
    assert_eq!(r0.area.current_lsn, 4_222_293);
    assert!(r1.area.current_lsn > r0.area.current_lsn);
    assert_eq!(log.current, Some(1));
    assert_eq!(circular(&log), 403);
    check_spanning(&log);

    let log = open("ntfs_files/dfir_ntfs_LogFile_10_downgraded.bin");
    let rp = log.restart().unwrap();
    assert_eq!((rp.major, rp.minor), (1, 1));
    assert_eq!(log.first_log_page, 4);
    assert!(rp.area.is_clean());
    check_spanning(&log);
    assert!(log.records.len() > 200);
    // The downgraded log is the LogFile_10 volume after an older Windows
    // mounted it: the records they share are identical.
    let ten = open("ntfs_files/dfir_ntfs_LogFile_10.bin");
    let shared: Vec<_> = log
        .records
        .iter()
        .filter_map(|r| ten.records.iter().find(|t| t.lsn == r.lsn).map(|t| (r, t)))
        .collect();
    assert!(shared.len() > 100);
    assert!(
        shared
            .iter()
            .all(|(a, b)| a.client == b.client && a.transaction_id == b.transaction_id)
    );
}

#[test]
fn empty_log_is_all_ff() {
    let bytes = fixture_bytes("ntfs_files/dfir_ntfs_LogFile_empty.bin");
    assert!(bytes.iter().all(|&b| b == 0xFF));
    let log = LogFile::from_bytes(bytes);
    assert!(log.restart().is_none());
    assert!(log.records.is_empty());
    assert!(log.warnings.is_empty());
    assert!(analyze(&log).events.is_empty());
}

#[test]
fn twenty_h1_64_mib_log_against_its_own_usn_journal() {
    let path = decompressed("ntfs_files/ntfs-samples_20h1_LogFile.bin.xz");
    let f = std::fs::File::open(path).unwrap();
    let log = LogFile::parse(&f).unwrap();
    let rp = log.restart().unwrap();
    assert_eq!((rp.major, rp.minor), (1, 1));
    assert_eq!(rp.area.seq_number_bits, 40); // 67 − bitlen(64 MiB)
    assert_eq!(circular(&log), 5605);
    check_spanning(&log);
    // §8.6: the restart area names $UsnJrnl = (42, 1).
    assert_eq!(
        log.ntfs_restart().unwrap().usn_journal_reference,
        (1 << 48) | 42
    );
    let a = analyze(&log);
    // §8.6: SetNewAttributeSizes at VCN 10 block 4 → record 42 = $UsnJrnl,
    // record offset 0x108 = the $J attribute in record 42.
    let (i, _) = log
        .records
        .iter()
        .enumerate()
        .find(|(_, r)| {
            r.client.as_ref().is_some_and(|c| {
                c.redo_op == Op::SetNewAttributeSizes
                    && c.target_vcn == 10
                    && c.cluster_block_offset == 4
            })
        })
        .unwrap();
    assert_eq!(a.targets[i].as_ref().unwrap().mft_entry, Some(42));
    assert_eq!(log.records[i].client.as_ref().unwrap().record_offset, 0x108);

    // Every USN record the log wrote into $J (UpdateNonresidentValue redo
    // starting with a V2 header) is byte-identical to the same volume's $J
    // at that USN, as Windows wrote it.
    let j = fixture_bytes("ntfs_files/ntfs-samples_20h1_UsnJrnl_J.bin");
    let mut matched = 0;
    for r in &log.records {
        let Some(c) = &r.client else { continue };
        if c.redo_op != Op::UpdateNonresidentValue || c.redo.len() < 60 || c.redo[4..6] != [2, 0] {
            continue;
        }
        let usn = u64::from_le_bytes(c.redo[24..32].try_into().unwrap()) as usize;
        let len = u32::from_le_bytes(c.redo[0..4].try_into().unwrap()) as usize;
        if usn + len > j.len() {
            continue; // $J extract ends before this record
        }
        assert_eq!(&j[usn..usn + len], &c.redo[..len], "USN {usn}");
        matched += 1;
    }
    assert!(matched >= 100, "{matched} logged USN records");

    // Events the $J confirms: "New folder" created then renamed to test_dir.
    let kinds = |k: EventKind| a.events.iter().filter(move |e| e.kind == k);
    let nf = kinds(EventKind::Create)
        .find(|e| e.name.as_deref() == Some("New folder"))
        .unwrap();
    let rn = kinds(EventKind::Rename)
        .find(|e| e.name.as_deref() == Some("test_dir"))
        .unwrap();
    assert_eq!(rn.old_name.as_deref(), Some("New folder"));
    assert_eq!(nf.mft_entry, rn.mft_entry);
    assert!(kinds(EventKind::Delete).count() >= 3);
}
