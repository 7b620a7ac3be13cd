//! rift-ntfs on real Windows-made structures. Expected values come from
//! the fixtures' own ground truth (the boot-sector table and record
//! decodings in docs/formats/ntfs.md, made with an independent Python
//! checker), from TSK (`icat`, run here) or from ntfs-3g (`ntfscat`).

use rift_io::ReadAt;
use rift_ntfs::values::{EaInformation, parse_attribute_list, parse_ea_list};
use rift_ntfs::{AttrType, BootSector, FixupStatus, MftFile, Ntfs, parse_record};
use rift_testutil::{fixture_bytes, raw_image, run_tool};

#[test]
fn boot_sectors_of_every_geometry() {
    // (fixture, bytes/sector, cluster, FILE record, INDX record, MFT LCN, mirror LCN)
    let cases: &[(&str, u32, u64, u32, u32, u64, u64)] = &[
        (
            "ntfs_files/dfir_ntfs_512.boot",
            512,
            512,
            1024,
            4096,
            697_002,
            16,
        ),
        (
            "ntfs_files/dfir_ntfs_4k.boot",
            512,
            4096,
            1024,
            4096,
            786_432,
            2,
        ),
        (
            "ntfs_files/dfir_ntfs_64k.boot",
            512,
            65536,
            1024,
            4096,
            49_152,
            1,
        ),
        (
            "ntfs_files/dfir_ntfs_128k.boot",
            512,
            131_072,
            1024,
            4096,
            24_576,
            1,
        ),
        (
            "ntfs_files/dfir_ntfs_4kn.boot",
            4096,
            4096,
            4096,
            4096,
            4778,
            2,
        ),
    ];
    for &(f, bps, cl, frs, indx, mft, mirr) in cases {
        let b = BootSector::parse(&fixture_bytes(f), 0).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(
            (
                b.bytes_per_sector,
                b.cluster_size,
                b.file_record_size,
                b.index_record_size,
                b.mft_lcn,
                b.mft_mirror_lcn
            ),
            (bps, cl, frs, indx, mft, mirr),
            "{f}"
        );
    }
    // 2 MiB clusters: sectors-per-cluster byte 0xF4 = 2^12 sectors.
    let b2m = std::fs::read(rift_testutil::decompressed(
        "ntfs_files/dissect_boot_2m.bin.gz",
    ))
    .unwrap();
    let b = BootSector::parse(&b2m, 0).unwrap();
    assert_eq!(
        (b.cluster_size, b.mft_lcn, b.mft_mirror_lcn),
        (2 << 20, 170, 1)
    );
    // No boot code, no 55AA: still accepted on OEM id + geometry.
    assert!(BootSector::parse(&fixture_bytes("ntfs_files/dfir_ntfs_nobootcode.boot"), 0).is_ok());
}

#[test]
fn backup_boot_sector_is_used_when_the_primary_is_damaged() {
    let raw = raw_image("ntfs_images/dissect_ntfs.bin.gz");
    let mut vol = std::fs::read(raw).unwrap();
    let good = Ntfs::open(vol.clone()).unwrap();
    // A partition ends one sector after the volume: the backup is there.
    vol.truncate((good.boot_sector().total_sectors as usize + 1) * 512);
    vol[3..11].copy_from_slice(b"garbage!");
    let ntfs = Ntfs::open(vol).expect("backup boot sector");
    assert_ne!(ntfs.boot_sector().position, 0);
    assert_eq!(ntfs.mft_record_count(), good.mft_record_count());
}

#[test]
fn torn_record_is_flagged_and_still_parsed() {
    // Stride 1 ends 0x0046 instead of the USN 0x0018 (notes §2.2).
    let r = parse_record(
        &fixture_bytes("ntfs_files/mft-rs_entry_102130_fixup_issue.bin"),
        102_130,
    )
    .unwrap();
    assert_eq!(r.fixup, FixupStatus::Torn { mask: 0b1 });
    assert!(
        r.attributes
            .iter()
            .any(|a| a.type_code == AttrType::FILE_NAME)
    );
}

#[test]
fn extension_record_with_sparse_journal_runs() {
    let r = parse_record(
        &fixture_bytes("ntfs_files/mft-rs_entry_data_run_at_offset.bin"),
        0,
    )
    .unwrap();
    assert_eq!(r.header.base_reference.entry(), 57_676);
    assert_eq!(r.header.base_reference.sequence(), 1);
    assert_eq!(r.header.link_count, 0);
    let j = r
        .attributes
        .iter()
        .find(|a| a.type_code == AttrType::DATA)
        .unwrap();
    assert_eq!(j.name, "$J");
    let nr = j.non_resident().unwrap();
    assert!(nr.run_error.is_none(), "{:?}", nr.run_error);
    assert!(nr.runs.len() >= 29);
    // $J keeps its head sparse: a 517248-cluster sparse run (notes §3.2).
    assert!(
        nr.runs
            .iter()
            .any(|r| r.lcn.is_none() && r.length == 517_248)
    );
}

#[test]
fn dos_and_win32_names_and_resident_ads() {
    let r = parse_record(&fixture_bytes("ntfs_files/mft-rs_entry_single_file.bin"), 0).unwrap();
    let e = rift_ntfs::MftEntry::from_record(r);
    let names: Vec<(String, u8)> = e
        .file_names()
        .into_iter()
        .map(|f| (f.name, f.namespace.0))
        .collect();
    assert!(names.contains(&("TEST_C~3.PY".into(), 2)), "{names:?}");
    assert!(names.contains(&("test_cfuncs.py".into(), 1)), "{names:?}");
    assert_eq!(e.best_file_name().unwrap().name, "test_cfuncs.py");

    let r = parse_record(
        &fixture_bytes("ntfs_files/mft-rs_entry_long_name_and_res_ads_002.bin"),
        0,
    )
    .unwrap();
    let e = rift_ntfs::MftEntry::from_record(r);
    let ads = e
        .attribute(AttrType::DATA, "res.ads")
        .expect("resident ADS");
    assert_eq!(ads.resident_value().unwrap().len(), 37);
}

#[test]
fn attribute_list_and_extended_attributes() {
    // Record 11072: $DATA extents at VCN 0, 378, 1144 in records 11269, 11328, 11400.
    let r = parse_record(&fixture_bytes("ntfs_files/dfir_ntfs_frs.bin"), 11_072).unwrap();
    let al = r
        .attributes
        .iter()
        .find(|a| a.type_code == AttrType::ATTRIBUTE_LIST)
        .unwrap();
    let (list, err) = parse_attribute_list(al.resident_value().unwrap());
    assert!(err.is_none());
    assert_eq!(list.len(), 6);
    let data: Vec<(u64, u64)> = list
        .iter()
        .filter(|e| e.type_code == AttrType::DATA)
        .map(|e| (e.lowest_vcn, e.record.entry()))
        .collect();
    assert_eq!(data, vec![(0, 11_269), (378, 11_328), (1144, 11_400)]);

    let r = parse_record(&fixture_bytes("ntfs_files/dfir_ntfs_frs_ea.bin"), 0).unwrap();
    let info = r
        .attributes
        .iter()
        .find(|a| a.type_code == AttrType::EA_INFORMATION)
        .unwrap();
    let i = EaInformation::parse(info.resident_value().unwrap()).unwrap();
    assert_eq!(
        (i.packed_size, i.need_ea_count, i.unpacked_size),
        (149, 0, 160)
    );
    let ea = r
        .attributes
        .iter()
        .find(|a| a.type_code == AttrType::EA)
        .unwrap();
    let (eas, _) = parse_ea_list(ea.resident_value().unwrap());
    assert_eq!(eas[0].name, "LXXATTR");
    assert_eq!(eas[0].value.len(), 69);
    let si = rift_ntfs::MftEntry::from_record(r)
        .standard_information()
        .unwrap();
    assert_eq!(si.usn, Some(1_514_570_928));
}

#[test]
fn standalone_mft_with_4k_records() {
    let m = MftFile::open(fixture_bytes("ntfs_files/dfir_ntfs_4k-large.mft"));
    assert_eq!(m.record_size(), 4096);
    let e = m.entry(5).unwrap();
    assert!(e.has_i30());
    // Record numbers in the 3.1 header match the index for every record (notes §2.1).
    for e in m.entries() {
        let e = e.unwrap();
        if let Some(n) = e.header.record_number {
            assert_eq!(u64::from(n), e.number);
        }
    }
}

#[test]
fn deleted_records_keep_attributes_and_bumped_sequence() {
    // Records 39 and 43–47 are free with sequence 2 (flags 0/2; decoded by
    // hand from the header bytes at offsets 16 and 22; 40–42 are in use).
    let m = MftFile::open(fixture_bytes("ntfs_files/dfir_ntfs_deleted.mft"));
    assert!(m.entry(40).unwrap().in_use());
    for n in [39, 43, 44, 45, 46, 47] {
        let e = m.entry(n).unwrap();
        assert!(!e.in_use(), "{n}");
        assert_eq!(e.sequence(), 2, "{n}");
        assert!(e.best_file_name().is_some(), "{n}");
    }
}

#[test]
fn sds_owner_sids() {
    let sds = std::fs::read(rift_testutil::decompressed("ntfs_files/dissect_sds.bin.gz")).unwrap();
    let m = rift_ntfs::SecureMap::parse(&sds);
    // 12 descriptors with ids 256..267 (notes §4.5).
    assert_eq!(m.len(), 12);
    for id in 256..268 {
        let e = m.get(id).unwrap_or_else(|| panic!("id {id}"));
        assert!(
            e.descriptor
                .owner
                .as_ref()
                .is_some_and(|s| s.to_string().starts_with("S-1-"))
        );
    }
}

/// `icat`'s bytes of `entry-type-id` on a volume image at sector `off`.
fn icat(img: &str, off: u64, addr: &str) -> Vec<u8> {
    let out = std::process::Command::new("icat")
        .args(["-o", &off.to_string(), img, addr])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "icat {addr}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Every regular stream that `fls -r -p -u` lists, read by us and by
/// `icat`, compared. Covers LZNT1-compressed files (the `ramslack` volume
/// was formatted with compression on), sparse streams (`$Bad`, `$J`) and
/// attribute lists.
fn compare_all_with_icat(rel: &str, sector: u64) -> Vec<(u64, String)> {
    let raw = raw_image(rel);
    let img = raw.to_str().unwrap();
    let f = std::fs::File::open(&raw).unwrap();
    let len = f.size() - sector * 512;
    let ntfs = Ntfs::open(rift_io::SubRange::new(f, sector * 512, len)).unwrap();
    let fls = run_tool("fls", &["-r", "-p", "-u", "-o", &sector.to_string(), img]);
    let mut n = Vec::new();
    for line in fls.lines() {
        let Some((meta, _path)) = line.split_once(":\t") else {
            continue;
        };
        let mut it = meta.split_whitespace();
        let kind = it.next().unwrap_or("");
        let addr = it.next().unwrap_or("");
        if !kind.ends_with("/r") || addr.split('-').count() != 3 {
            continue;
        }
        let mut p = addr.split('-');
        let entry: u64 = p.next().unwrap().parse().unwrap();
        let ty: u32 = p.next().unwrap().parse().unwrap();
        let id: u16 = p.next().unwrap().parse().unwrap();
        if ty != 128 {
            continue;
        }
        let e = ntfs.entry(entry).unwrap();
        let Some(a) = e
            .attributes
            .iter()
            .find(|a| a.type_code == AttrType::DATA && a.instance == id)
        else {
            // TSK renumbers duplicate attribute ids; skip those (see ls tests).
            continue;
        };
        // $BadClus:$Bad is the size of the volume; compare length only.
        let s = if a.name.is_empty() {
            ntfs.open_stream(&e, None).unwrap()
        } else {
            ntfs.attribute_stream(entry, a).unwrap()
        };
        // icat writes nothing for the sparse $BadClus:$Bad.
        if s.size() > 64 << 20 || a.name == "$Bad" {
            continue;
        }
        let ours = s.read_all(64 << 20).unwrap();
        let theirs = icat(img, sector, addr);
        assert!(
            ours == theirs,
            "{rel} {addr} ({_path}): {} vs {} bytes",
            ours.len(),
            theirs.len()
        );
        n.push((entry, a.name.clone()));
    }
    n
}

#[test]
fn streams_equal_icat_on_compressed_volume() {
    let n = compare_all_with_icat("ntfs_images/ntfs-samples_ntfs-ramslack.raw.gz", 128);
    // /1.txt is LZNT1-compressed (attribute flag 0x0001).
    assert!(n.contains(&(39, String::new())), "{n:?}");
}

#[test]
fn streams_equal_icat_on_windows_volumes() {
    // Random.bin (33) and Large.txt (44) are LZNT1-compressed.
    let n = compare_all_with_icat("ntfs_images/dissect_ntfs.bin.gz", 0);
    assert!(
        n.contains(&(33, String::new())) && n.contains(&(44, String::new())),
        "{n:?}"
    );
    // Nine.txt (38) has an $ATTRIBUTE_LIST.
    let n = compare_all_with_icat("ntfs_images/go-ntfs_charlie.dd.bz2", 0);
    assert!(n.contains(&(38, String::new())), "{n:?}");
    assert!(compare_all_with_icat("ntfs_images/dfir_ntfs_ntfs_index.raw.gz", 128).len() > 20);
    // Sparse $UsnJrnl:$J (entry 42) with its sparse head.
    let n = compare_all_with_icat("ntfs_images/ntfs-samples_20h1.qcow2", 2048);
    assert!(n.contains(&(42, "$J".to_string())), "{n:?}");
}

#[test]
fn two_mib_clusters_read_like_ntfs3g() {
    // TSK cannot open this volume; ntfs-3g's ntfscat is the oracle.
    let raw = raw_image("ntfs_images/ntfs-samples_ntfs-2m.raw.gz");
    let f = std::fs::File::open(&raw).unwrap();
    let len = f.size() - 128 * 512;
    let vol = rift_io::SubRange::new(f, 128 * 512, len);
    // ntfscat needs the bare volume in a file: a sparse copy.
    let dir = rift_testutil::TempDir::new("ntfs2m");
    let vpath = dir.path().join("vol.raw");
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut out = std::fs::File::create(&vpath).unwrap();
        let mut buf = vec![0u8; 1 << 20];
        let mut off = 0u64;
        while off < len {
            let n = vol.read_at(off, &mut buf).unwrap();
            if n == 0 {
                break;
            }
            if buf[..n].iter().any(|&b| b != 0) {
                out.seek(SeekFrom::Start(off)).unwrap();
                out.write_all(&buf[..n]).unwrap();
            }
            off += n as u64;
        }
        out.set_len(len).unwrap();
    }
    let ntfs = Ntfs::open(vol).unwrap();
    assert_eq!(ntfs.cluster_size(), 2 << 20);
    let v = vpath.to_str().unwrap();
    let mut checked = 0;
    for e in ntfs.entries() {
        let e = e.unwrap();
        // ntfscat returns $MFT/$MFTMirr with fixups applied; we (and icat)
        // return the stored bytes: skip those two.
        if e.number < 2
            || !e.in_use()
            || e.attribute(AttrType::DATA, "").is_none()
            || e.data_size() > 16 << 20
        {
            continue;
        }
        let ours = ntfs.read_all(&e, None, 16 << 20).unwrap();
        let out = std::process::Command::new("ntfscat")
            .args(["-f", "-i", &e.number.to_string(), v])
            .output()
            .unwrap();
        assert!(out.status.success(), "ntfscat {}", e.number);
        assert!(
            ours == out.stdout,
            "entry {}: {} vs {} bytes",
            e.number,
            ours.len(),
            out.stdout.len()
        );
        checked += 1;
    }
    assert!(checked >= 10, "{checked}");
    // And the listing reaches the user folder.
    assert!(
        ntfs.find("System Volume Information/IndexerVolumeGuid")
            .unwrap()
            .is_some()
    );
}

#[test]
fn raw_path_scan_equals_full_parse() {
    for f in [
        "ntfs_files/dfir_ntfs_unicode.mft",
        "ntfs_files/dfir_ntfs_orphan.mft",
        "ntfs_files/dfir_ntfs_4k-large.mft",
        "ntfs_files/ntfs-samples_20h1_MFT.bin",
    ] {
        let m = MftFile::open(fixture_bytes(f));
        let full = rift_ntfs::PathMap::build(m.entries());
        let mut raw = rift_ntfs::PathMap::default();
        m.entries()
            .for_each_raw(|n, b| {
                assert!(raw.insert_raw(n, b));
            })
            .unwrap();
        for n in 0..m.count() {
            assert_eq!(full.path(n), raw.path(n), "{f} entry {n}");
        }
    }
}
