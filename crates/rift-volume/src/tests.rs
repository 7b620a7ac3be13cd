//! Tests: real fixtures and images built with `sfdisk`/`mkfs.*`, checked
//! against TSK's `mmls` (an independent reader of the same tables).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use super::*;
use rift_io::SharedReader;

fn open(p: &Path) -> SharedReader {
    Arc::new(std::fs::File::open(p).unwrap())
}

/// (start sector, length in sectors) of every real partition `mmls` lists
/// (slots like `000:001`; "Meta" rows and unallocated gaps are skipped).
fn mmls(p: &Path, extra: &[&str]) -> Vec<(u64, u64)> {
    let mut args: Vec<&str> = extra.to_vec();
    let ps = p.to_str().unwrap();
    args.push(ps);
    let out = rift_testutil::run_tool("mmls", &args);
    let mut v: Vec<(u64, u64)> = out
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let slot = f.get(1)?;
            // DOS slots are `000:001`, GPT slots `000`; meta rows say "Meta".
            let is_part = slot.bytes().all(|b| b.is_ascii_digit() || b == b':');
            if !is_part {
                return None;
            }
            Some((f.get(2)?.parse().ok()?, f.get(4)?.parse().ok()?))
        })
        .collect();
    v.sort();
    v
}

fn ours(vs: &VolumeSystem) -> Vec<(u64, u64)> {
    let ss = u64::from(vs.sector_size);
    let mut v: Vec<(u64, u64)> = vs
        .partitions
        .iter()
        .map(|p| (p.start / ss, p.len / ss))
        .collect();
    v.sort();
    v
}

fn sfdisk(img: &Path, script: &str) {
    rift_testutil::require_tool("sfdisk");
    let mut child = Command::new("sfdisk")
        .arg("-q")
        .arg(img)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success(), "sfdisk failed");
}

fn blank(dir: &Path, name: &str, mib: u64) -> std::path::PathBuf {
    let p = dir.join(name);
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(mib << 20).unwrap();
    p
}

#[test]
fn scenario_disk_has_two_ntfs_partitions() {
    let raw = rift_testutil::raw_image("scenario/public/disk.E01");
    let vs = scan(&*open(&raw), 512).unwrap();
    assert_eq!(vs.scheme, Scheme::Mbr);
    assert_eq!(ours(&vs), mmls(&raw, &[]));
    let starts: Vec<u64> = vs.partitions.iter().map(|p| p.start_sector(512)).collect();
    // scenario README: System Reserved at 2048, C: at 206848.
    assert_eq!(starts, vec![2048, 206_848]);
    assert!(vs.partitions.iter().all(|p| p.fs == FsKind::Ntfs));
    assert_eq!(vs.ntfs_by_size()[0].start, 206_848 * 512);
    assert!(vs.warnings.is_empty(), "{:?}", vs.warnings);
}

#[test]
fn windows_disks_and_bare_volumes() {
    // Win10 20H1 disk: MBR with NTFS at 2048.
    let raw = rift_testutil::raw_image("ntfs_images/ntfs-samples_20h1.qcow2");
    let vs = scan(&*open(&raw), 512).unwrap();
    assert_eq!(ours(&vs), mmls(&raw, &[]));
    assert_eq!(vs.partitions[0].fs, FsKind::Ntfs);
    // NTFS at sector 128 behind an MBR.
    let raw = rift_testutil::raw_image("ntfs_images/dfir_ntfs_ntfs_index.raw.gz");
    let vs = scan(&*open(&raw), 512).unwrap();
    assert_eq!(ours(&vs), mmls(&raw, &[]));
    assert_eq!(vs.partitions[0].start_sector(512), 128);
    // Bare volumes: no table; mmls finds none either (it errors out).
    for rel in [
        "ntfs_images/dfvfs_windows_volume.qcow2",
        "ntfs_images/dissect_ntfs.bin.gz",
    ] {
        let raw = rift_testutil::raw_image(rel);
        let vs = scan(&*open(&raw), 512).unwrap();
        assert_eq!(vs.scheme, Scheme::None, "{rel}");
        assert_eq!(vs.partitions.len(), 1);
        assert_eq!(vs.partitions[0].fs, FsKind::Ntfs);
        let st = Command::new("mmls").arg(&raw).output().unwrap();
        assert!(!st.status.success() || String::from_utf8_lossy(&st.stdout).trim().is_empty());
    }
}

#[test]
fn mbr_with_extended_chain_matches_mmls() {
    let d = rift_testutil::TempDir::new("mbr-ebr");
    let img = blank(d.path(), "ebr.img", 64);
    sfdisk(
        &img,
        "label: dos\n\
         start=2048, size=8192, type=7\n\
         start=10240, size=8192, type=c, bootable\n\
         start=20480, type=f\n\
         start=22528, size=4096, type=7\n\
         start=28672, size=4096, type=27\n\
         start=34816, size=4096, type=83\n",
    );
    let vs = scan(&*open(&img), 512).unwrap();
    assert_eq!(vs.scheme, Scheme::Mbr);
    assert_eq!(ours(&vs), mmls(&img, &[]));
    assert_eq!(vs.partitions.iter().filter(|p| p.logical).count(), 3);
    assert!(vs.partitions[1].bootable);
    assert_eq!(vs.partitions[3].mbr_type, Some(0x27));
}

#[test]
fn gpt_matches_mmls_and_survives_a_damaged_primary() {
    let d = rift_testutil::TempDir::new("gpt");
    let img = blank(d.path(), "gpt.img", 64);
    sfdisk(
        &img,
        "label: gpt\n\
         start=2048, size=20480, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=\"EFI system partition\"\n\
         start=22528, size=32768, type=EBD0A0A2-B9E5-4433-87C0-68B6B72699C7, name=\"Basic data\"\n\
         start=55296, size=8192, type=DE94BBA4-06D1-4D40-A16A-BFD50179D6AC\n",
    );
    let vs = scan(&*open(&img), 512).unwrap();
    assert_eq!(vs.scheme, Scheme::Gpt);
    assert!(vs.warnings.is_empty(), "{:?}", vs.warnings);
    assert_eq!(ours(&vs), mmls(&img, &[]));
    assert_eq!(vs.partitions[1].type_name, "Microsoft basic data");
    assert_eq!(
        vs.partitions[0].name.as_deref(),
        Some("EFI system partition")
    );
    // GUIDs as sfdisk prints them.
    let dump = rift_testutil::run_tool("sfdisk", &["-d", img.to_str().unwrap()]);
    for p in &vs.partitions {
        let uuid = p.gpt_guid.as_deref().unwrap();
        assert!(dump.contains(uuid), "{uuid} not in sfdisk dump");
    }
    // Damage the primary header's CRC'd area: the backup takes over.
    let mut bytes = std::fs::read(&img).unwrap();
    bytes[512 + 40] ^= 0xFF;
    let vs2 = scan(&bytes, 512).unwrap();
    assert_eq!(ours(&vs2), ours(&vs));
    assert!(
        vs2.warnings
            .iter()
            .any(|w| w.contains("primary header CRC"))
    );
    // Damage one entry of the primary array: CRC mismatch reported, not fatal.
    let mut bytes = std::fs::read(&img).unwrap();
    bytes[1024 + 56] ^= 0x01;
    let vs3 = scan(&bytes, 512).unwrap();
    assert!(vs3.warnings.iter().any(|w| w.contains("array CRC")));
    assert_eq!(vs3.partitions.len(), 3);
}

#[test]
fn file_systems_are_sniffed_like_their_mkfs() {
    let d = rift_testutil::TempDir::new("mkfs");
    let cases: &[(&str, &[&str], u64, FsKind)] = &[
        ("mkfs.vfat", &["-F", "12"], 2, FsKind::Fat12),
        ("mkfs.vfat", &["-F", "16"], 16, FsKind::Fat16),
        ("mkfs.vfat", &["-F", "32"], 64, FsKind::Fat32),
        ("mkfs.exfat", &[], 16, FsKind::ExFat),
        ("mkfs.ext2", &["-q", "-F"], 8, FsKind::Ext2),
        ("mkfs.ext3", &["-q", "-F"], 8, FsKind::Ext3),
        ("mkfs.ext4", &["-q", "-F"], 8, FsKind::Ext4),
        ("mkntfs", &["-q", "-F", "-f"], 8, FsKind::Ntfs),
    ];
    for (i, (tool, args, mib, want)) in cases.iter().enumerate() {
        rift_testutil::require_tool(tool);
        let img = blank(d.path(), &format!("fs{i}.img"), *mib);
        let st = Command::new(tool)
            .args(*args)
            .arg(&img)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(st.success(), "{tool} failed");
        assert_eq!(sniff_fs(&*open(&img), 0).unwrap(), *want, "{tool} {args:?}");
        let vs = scan(&*open(&img), 512).unwrap();
        assert_eq!(vs.scheme, Scheme::None, "{tool} {args:?} taken for a table");
    }
}

#[test]
fn bitlocker_is_flagged_encrypted() {
    let mut b = vec![0u8; 4096];
    b[..3].copy_from_slice(&[0xEB, 0x58, 0x90]);
    b[3..11].copy_from_slice(b"-FVE-FS-");
    b[82..90].copy_from_slice(b"FAT32   ");
    b[510] = 0x55;
    b[511] = 0xAA;
    assert_eq!(sniff_bytes(&b), FsKind::BitLocker);
    assert!(FsKind::BitLocker.is_encrypted());
    let vs = scan(&b, 512).unwrap();
    assert_eq!(vs.partitions[0].fs, FsKind::BitLocker);
}

fn mbr_entry(b: &mut [u8], slot: usize, kind: u8, start: u32, count: u32) {
    let o = 446 + slot * 16;
    b[o + 4] = kind;
    b[o + 8..o + 12].copy_from_slice(&start.to_le_bytes());
    b[o + 12..o + 16].copy_from_slice(&count.to_le_bytes());
    b[510] = 0x55;
    b[511] = 0xAA;
}

#[test]
fn hostile_tables_never_panic_or_loop() {
    // EBR that links to itself.
    let mut d = vec![0u8; 1 << 20];
    mbr_entry(&mut d, 0, 0x05, 100, 1000);
    let ebr = 100 * 512;
    mbr_entry(&mut d[ebr..ebr + 512], 0, 0x07, 10, 10);
    mbr_entry(&mut d[ebr..ebr + 512], 1, 0x05, 0, 10);
    let vs = scan(&d, 512).unwrap();
    assert_eq!(vs.partitions.len(), 1);
    assert!(vs.warnings.iter().any(|w| w.contains("loops")));
    // Entries past the end and overflowing lengths.
    let mut d = vec![0u8; 64 << 10];
    mbr_entry(&mut d, 0, 0x07, u32::MAX, u32::MAX);
    mbr_entry(&mut d, 1, 0x07, 1, u32::MAX);
    let vs = scan(&d, 512).unwrap();
    assert_eq!(vs.partitions.len(), 1);
    assert_eq!(vs.partitions[0].len, (64 << 10) - 512);
    // GPT header with an absurd array.
    let mut g = vec![0u8; 1 << 20];
    g[512..520].copy_from_slice(b"EFI PART");
    g[512 + 80..512 + 84].copy_from_slice(&u32::MAX.to_le_bytes());
    g[512 + 84..512 + 88].copy_from_slice(&128u32.to_le_bytes());
    let vs = scan(&g, 512).unwrap();
    assert!(vs.partitions.is_empty());
    // Random bytes, many seeds.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..300 {
        let mut r = vec![0u8; 8192];
        for b in r.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        r[510] = 0x55;
        r[511] = 0xAA;
        if x & 1 == 0 {
            r[512..520].copy_from_slice(b"EFI PART");
        }
        let _ = scan(&r, 512).unwrap();
    }
    // Empty media.
    let vs = scan(&Vec::<u8>::new(), 512).unwrap();
    assert_eq!(vs.scheme, Scheme::None);
}
