//! Hostile input: random records, parent loops, runs past the volume end,
//! self-referencing attribute lists, empty fixup arrays. Nothing may panic,
//! hang or allocate without bound.

use rift_io::ReadAt;
use rift_ntfs::{
    AttrBody, AttrFlags, AttrType, Attribute, MftFile, NonResident, Ntfs, PathMap, PathStatus, Run,
    decode_runs, parse_record,
};

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn fill(&mut self, b: &mut [u8]) {
        for x in b {
            *x = self.next() as u8;
        }
    }
}

/// A resident attribute record.
fn attr(ty: u32, name: &str, value: &[u8], instance: u16) -> Vec<u8> {
    let name16: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let voff = (24 + name16.len() + 7) & !7;
    let len = (voff + value.len() + 7) & !7;
    let mut a = vec![0u8; len];
    a[0..4].copy_from_slice(&ty.to_le_bytes());
    a[4..8].copy_from_slice(&(len as u32).to_le_bytes());
    a[9] = (name16.len() / 2) as u8;
    a[10..12].copy_from_slice(&24u16.to_le_bytes());
    a[14..16].copy_from_slice(&instance.to_le_bytes());
    a[16..20].copy_from_slice(&(value.len() as u32).to_le_bytes());
    a[20..22].copy_from_slice(&(voff as u16).to_le_bytes());
    a[24..24 + name16.len()].copy_from_slice(&name16);
    a[voff..voff + value.len()].copy_from_slice(value);
    a
}

/// A `$FILE_NAME` value.
fn file_name(parent: u64, pseq: u16, name: &str) -> Vec<u8> {
    let n16: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let mut v = vec![0u8; 66 + n16.len()];
    v[0..8].copy_from_slice(&(parent | (u64::from(pseq) << 48)).to_le_bytes());
    v[64] = (n16.len() / 2) as u8;
    v[65] = 1;
    v[66..].copy_from_slice(&n16);
    v
}

/// A 1 KiB FILE record with valid fixups.
fn record(number: u32, seq: u16, flags: u16, base: u64, attrs: &[Vec<u8>]) -> Vec<u8> {
    let mut r = vec![0u8; 1024];
    r[0..4].copy_from_slice(b"FILE");
    r[4..6].copy_from_slice(&48u16.to_le_bytes());
    r[6..8].copy_from_slice(&3u16.to_le_bytes());
    r[16..18].copy_from_slice(&seq.to_le_bytes());
    r[20..22].copy_from_slice(&56u16.to_le_bytes());
    r[22..24].copy_from_slice(&flags.to_le_bytes());
    r[28..32].copy_from_slice(&1024u32.to_le_bytes());
    r[32..40].copy_from_slice(&base.to_le_bytes());
    r[44..48].copy_from_slice(&number.to_le_bytes());
    let mut pos = 56;
    for a in attrs {
        r[pos..pos + a.len()].copy_from_slice(a);
        pos += a.len();
    }
    r[pos..pos + 4].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
    r[24..28].copy_from_slice(&((pos + 8) as u32).to_le_bytes());
    // Fixups: USN 1; save the stride ends.
    r[48..50].copy_from_slice(&1u16.to_le_bytes());
    for i in 0..2 {
        let end = (i + 1) * 512 - 2;
        let saved = [r[end], r[end + 1]];
        r[50 + 2 * i..52 + 2 * i].copy_from_slice(&saved);
        r[end..end + 2].copy_from_slice(&1u16.to_le_bytes());
    }
    r
}

#[test]
fn random_file_records_never_panic() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut buf = vec![0u8; 1024];
    for i in 0..20_000u32 {
        rng.fill(&mut buf);
        buf[0..4].copy_from_slice(if i % 7 == 0 { b"BAAD" } else { b"FILE" });
        // Keep some headers plausible so attribute parsing is exercised.
        if i % 2 == 0 {
            buf[4..6].copy_from_slice(&48u16.to_le_bytes());
            buf[6..8].copy_from_slice(&((rng.next() % 4) as u16).to_le_bytes());
            buf[20..22].copy_from_slice(&56u16.to_le_bytes());
            buf[24..28].copy_from_slice(&((rng.next() % 1100) as u32).to_le_bytes());
        }
        if let Ok(r) = parse_record(&buf, u64::from(i)) {
            for a in &r.attributes {
                let _ = a.data_size();
            }
            let e = rift_ntfs::MftEntry::from_record(r);
            let _ = (
                e.standard_information(),
                e.file_names(),
                e.reparse_point(),
                e.object_id(),
            );
        }
        let _ = decode_runs(&buf[(i as usize % 900)..], u64::from(i));
    }
    // A whole random "$MFT": iterate, build paths.
    let mut mft = vec![0u8; 512 * 1024];
    rng.fill(&mut mft);
    for k in 0..512 {
        mft[k * 1024..k * 1024 + 4].copy_from_slice(b"FILE");
    }
    let m = MftFile::with_record_size(mft, 1024);
    let map = PathMap::build(m.entries());
    for n in 0..600 {
        let _ = map.path(n);
    }
}

#[test]
fn zero_size_fixup_array_and_short_records() {
    let mut r = record(30, 1, 1, 0, &[attr(0x30, "", &file_name(5, 5, "a.txt"), 1)]);
    r[6..8].copy_from_slice(&0u16.to_le_bytes());
    let p = parse_record(&r, 30).unwrap();
    assert_eq!(p.fixup, rift_ntfs::FixupStatus::Invalid);
    assert_eq!(p.attributes.len(), 1);
    for len in 0..64 {
        let _ = parse_record(&r[..len], 0);
    }
}

#[test]
fn parent_loops_terminate_as_orphans() {
    // 30 and 31 are directories naming each other as parent; 32 lives in 31.
    let mut mft = vec![0u8; 40 * 1024];
    let mut put = |n: usize, r: Vec<u8>| mft[n * 1024..(n + 1) * 1024].copy_from_slice(&r);
    put(
        5,
        record(5, 5, 3, 0, &[attr(0x30, "", &file_name(5, 5, "."), 1)]),
    );
    put(
        30,
        record(30, 1, 3, 0, &[attr(0x30, "", &file_name(31, 1, "a"), 1)]),
    );
    put(
        31,
        record(31, 1, 3, 0, &[attr(0x30, "", &file_name(30, 1, "b"), 1)]),
    );
    put(
        32,
        record(
            32,
            1,
            1,
            0,
            &[attr(0x30, "", &file_name(31, 1, "f.txt"), 1)],
        ),
    );
    // 33 names itself as its parent.
    put(
        33,
        record(33, 1, 3, 0, &[attr(0x30, "", &file_name(33, 1, "self"), 1)]),
    );
    let m = MftFile::open(mft);
    let map = PathMap::build(m.entries());
    let p = map.path(32);
    assert!(p.starts_with("$OrphanFiles"), "{p}");
    assert!(p.ends_with("f.txt"), "{p}");
    assert!(map.path(33).starts_with("$OrphanFiles"));
    let (_, st) = map.dir_path(rift_ntfs::FileReference::new(30, 1));
    assert_eq!(st, PathStatus::Orphan);
}

#[test]
fn self_referencing_attribute_lists() {
    // Entry 30's attribute list points at itself, at 31 (whose base is
    // someone else), at 32 (base 30, a real extension), at 30000 (beyond
    // the MFT) and at 30 again, 20 times.
    let mut list = Vec::new();
    let mut entry = |ty: u32, rec: u64, inst: u16| {
        let mut e = vec![0u8; 32];
        e[0..4].copy_from_slice(&ty.to_le_bytes());
        e[4..6].copy_from_slice(&32u16.to_le_bytes());
        e[7] = 26;
        e[16..24].copy_from_slice(&(rec | (1u64 << 48)).to_le_bytes());
        e[24..26].copy_from_slice(&inst.to_le_bytes());
        list.extend_from_slice(&e);
    };
    for _ in 0..20 {
        entry(0x30, 30, 1);
    }
    entry(0x80, 31, 0);
    entry(0x80, 32, 0);
    entry(0x80, 30_000, 0);
    let mut mft = vec![0u8; 40 * 1024];
    let mut put = |n: usize, r: Vec<u8>| mft[n * 1024..(n + 1) * 1024].copy_from_slice(&r);
    put(
        30,
        record(
            30,
            1,
            1,
            0,
            &[
                attr(0x20, "", &list, 2),
                attr(0x30, "", &file_name(5, 5, "x"), 1),
            ],
        ),
    );
    put(
        31,
        record(31, 1, 1, 7 | (1 << 48), &[attr(0x80, "", b"not mine", 0)]),
    );
    put(
        32,
        record(
            32,
            1,
            1,
            30 | (1 << 48),
            &[attr(0x80, "", b"extension data", 0)],
        ),
    );
    let m = MftFile::open(mft);
    let e = m.entry(30).unwrap();
    assert_eq!(e.extension_records, vec![32]);
    assert_eq!(
        e.attribute(AttrType::DATA, "").unwrap().resident_value(),
        Some(&b"extension data"[..])
    );
    assert!(
        e.problems.iter().any(|p| p.contains("31")),
        "{:?}",
        e.problems
    );
    assert!(
        e.problems.iter().any(|p| p.contains("30000")),
        "{:?}",
        e.problems
    );
    // The iterator skips the extension record itself.
    assert_eq!(
        m.entries()
            .filter_map(|e| e.ok())
            .filter(|e| e.number == 32)
            .count(),
        0
    );
}

#[test]
fn runs_past_the_volume_end_are_errors_not_panics() {
    let raw = rift_testutil::raw_image("ntfs_images/dissect_ntfs.bin.gz");
    let ntfs = Ntfs::open(std::fs::File::open(raw).unwrap()).unwrap();
    // Past the end of the reader, not only of the volume.
    let clusters = ntfs.volume().size() / ntfs.cluster_size() + 1;
    let bogus = |runs: Vec<Run>, size: u64, flags: AttrFlags, cu: u16| Attribute {
        type_code: AttrType::DATA,
        name: String::new(),
        flags,
        instance: 0,
        record: 99,
        offset: 0,
        body: AttrBody::NonResident(NonResident {
            lowest_vcn: 0,
            highest_vcn: 0,
            compression_unit: cu,
            allocated_size: size,
            data_size: size,
            initialized_size: size,
            total_allocated: None,
            runs,
            run_error: None,
            extents: 1,
        }),
    };
    let past = vec![Run {
        vcn: 0,
        lcn: Some(clusters + 10),
        length: 4,
    }];
    let s = ntfs
        .attribute_stream(99, &bogus(past.clone(), 16384, AttrFlags::empty(), 0))
        .unwrap();
    assert!(s.read_all(1 << 20).is_err());
    let huge = vec![Run {
        vcn: 0,
        lcn: Some(u64::MAX / 2),
        length: u64::MAX / 4,
    }];
    let s = ntfs
        .attribute_stream(99, &bogus(huge, u64::MAX / 2, AttrFlags::empty(), 0))
        .unwrap();
    let mut b = [0u8; 64];
    assert!(s.read_at(0, &mut b).is_err());
    assert!(s.read_all(1 << 20).is_err()); // size above the cap: refused, not allocated
    // Compressed unit whose clusters lie past the end.
    let c = vec![
        Run {
            vcn: 0,
            lcn: Some(clusters + 1),
            length: 2,
        },
        Run {
            vcn: 2,
            lcn: None,
            length: 14,
        },
    ];
    let s = ntfs
        .attribute_stream(99, &bogus(c, 65536, AttrFlags::COMPRESSED, 4))
        .unwrap();
    assert!(s.read_at(0, &mut b).is_err());
    // Absurd compression unit exponent is refused.
    assert!(
        ntfs.attribute_stream(99, &bogus(past, 4096, AttrFlags::COMPRESSED, 40))
            .is_err()
    );
}
