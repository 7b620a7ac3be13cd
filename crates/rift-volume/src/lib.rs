//! Partition tables and file-system sniffing.
//!
//! Given the media of a disk image, [`scan`] finds the volumes on it: an MBR
//! (primary entries and the extended/logical chain), a GPT (primary header,
//! falling back to the backup one; CRC failures are reported, not fatal),
//! or no table at all (a bare volume, e.g. an image of one partition). Each
//! partition comes with a byte range — wrap it in [`rift_io::SubRange`] to
//! read it — and a sniffed file system ([`FsKind`]), so BitLocker volumes are
//! flagged as encrypted instead of failing later as "not NTFS".
//!
//! Sources: libyal/libvsmbr and libvsgpt format documents, the UEFI
//! specification (GPT, ch. 5), libyal/libfsfat, libfsext and libbde for the
//! file-system signatures; rift's `docs/formats/containers.md` §2 and §4
//! (verified against `mmls`/`fsstat` on the fixtures).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::collections::HashSet;
use std::fmt;
use std::io;

use rift_io::ReadAt;
use rift_io::bytes::{le_u16, le_u32, le_u64, slice, u8_at};

/// Errors reading a volume system.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the media failed.
    #[error("I/O error at media offset {offset:#x}: {source}")]
    Io {
        /// Offset of the failed read.
        offset: u64,
        /// The underlying error.
        source: io::Error,
    },
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How the disk is partitioned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// DOS/MBR partition table.
    Mbr,
    /// GUID partition table.
    Gpt,
    /// No table: the image is a single volume.
    None,
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scheme::Mbr => "MBR",
            Scheme::Gpt => "GPT",
            Scheme::None => "none",
        })
    }
}

/// A file system recognised by its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FsKind {
    /// NTFS.
    Ntfs,
    /// FAT12.
    Fat12,
    /// FAT16.
    Fat16,
    /// FAT32.
    Fat32,
    /// exFAT.
    ExFat,
    /// ext2.
    Ext2,
    /// ext3.
    Ext3,
    /// ext4.
    Ext4,
    /// BitLocker-encrypted volume (contents unreadable without the key).
    BitLocker,
    /// Nothing recognised.
    Unknown,
}

impl FsKind {
    /// Whether the volume is encrypted.
    pub fn is_encrypted(self) -> bool {
        self == FsKind::BitLocker
    }
}

impl fmt::Display for FsKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FsKind::Ntfs => "NTFS",
            FsKind::Fat12 => "FAT12",
            FsKind::Fat16 => "FAT16",
            FsKind::Fat32 => "FAT32",
            FsKind::ExFat => "exFAT",
            FsKind::Ext2 => "ext2",
            FsKind::Ext3 => "ext3",
            FsKind::Ext4 => "ext4",
            FsKind::BitLocker => "BitLocker (encrypted)",
            FsKind::Unknown => "unknown",
        })
    }
}

/// One partition (or the whole disk when there is no table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// Position in table order (primaries, then logicals; GPT entries in
    /// array order), from 0. This is what `-p N` selects.
    pub index: usize,
    /// Start in bytes from the start of the media.
    pub start: u64,
    /// Length in bytes (clamped to the media when the table claims more).
    pub len: u64,
    /// Human-readable type (`NTFS / exFAT (0x07)`, `Microsoft basic data`…).
    pub type_name: String,
    /// MBR type byte, for MBR partitions.
    pub mbr_type: Option<u8>,
    /// GPT type GUID (canonical text), for GPT partitions.
    pub gpt_type: Option<String>,
    /// GPT unique partition GUID.
    pub gpt_guid: Option<String>,
    /// GPT partition name.
    pub name: Option<String>,
    /// MBR active flag / GPT legacy-bootable attribute.
    pub bootable: bool,
    /// Whether this is a logical partition inside an MBR extended one.
    pub logical: bool,
    /// The sniffed file system.
    pub fs: FsKind,
}

impl Partition {
    /// Start in sectors of `sector_size` bytes.
    pub fn start_sector(&self, sector_size: u32) -> u64 {
        self.start / u64::from(sector_size.max(1))
    }
}

/// What [`scan`] found.
#[derive(Debug, Clone)]
pub struct VolumeSystem {
    /// The table type.
    pub scheme: Scheme,
    /// Sector size used to interpret the table.
    pub sector_size: u32,
    /// MBR disk signature (NT disk id, used by `MountedDevices`).
    pub disk_signature: Option<u32>,
    /// GPT disk GUID.
    pub disk_guid: Option<String>,
    /// The partitions, in table order.
    pub partitions: Vec<Partition>,
    /// Problems that did not stop the scan (bad CRCs, loops, entries past
    /// the end of the media …).
    pub warnings: Vec<String>,
}

impl VolumeSystem {
    /// Partitions holding NTFS, largest first.
    pub fn ntfs_by_size(&self) -> Vec<&Partition> {
        let mut v: Vec<&Partition> = self
            .partitions
            .iter()
            .filter(|p| p.fs == FsKind::Ntfs)
            .collect();
        v.sort_by_key(|p| std::cmp::Reverse(p.len));
        v
    }
}

fn read(r: &dyn ReadAt, offset: u64, len: usize) -> Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    let mut got = 0;
    while got < len {
        let Some(rest) = buf.get_mut(got..) else {
            break;
        };
        match r.read_at(offset + got as u64, rest) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => return Err(Error::Io { offset, source }),
        }
    }
    buf.truncate(got);
    Ok(buf)
}

/// Sniffs the file system at `offset` of `media` from its first bytes.
pub fn sniff_fs(media: &dyn ReadAt, offset: u64) -> Result<FsKind> {
    let head = read(media, offset, 4096)?;
    Ok(sniff_bytes(&head))
}

/// Sniffs a file system from the first ≥ 1 KiB (2 KiB for ext) of a volume.
pub fn sniff_bytes(b: &[u8]) -> FsKind {
    let at = |o: usize, s: &[u8]| slice(b, o, s.len()) == Some(s);
    let boot_sig = at(510, &[0x55, 0xAA]);
    // BitLocker first: Win7+ BitLocker volumes also carry "FAT32   " at 82.
    if at(3, b"-FVE-FS-") {
        return FsKind::BitLocker;
    }
    // BitLocker To Go: MSWIN4.1 plus the FVE GUID ending in …D001 at 424.
    if at(3, b"MSWIN4.1") && at(424, &BITLOCKER_TOGO_GUID) {
        return FsKind::BitLocker;
    }
    if at(3, b"NTFS    ") {
        return FsKind::Ntfs;
    }
    if at(3, b"EXFAT   ") {
        return FsKind::ExFat;
    }
    if let Some(ext) = sniff_ext(b) {
        return ext;
    }
    if boot_sig {
        if let Some(fat) = sniff_fat(b) {
            return fat;
        }
    }
    FsKind::Unknown
}

/// GUID 4967D63B-2E29-4AD8-8399-F6A339E3D001 in on-disk byte order.
const BITLOCKER_TOGO_GUID: [u8; 16] = [
    0x3B, 0xD6, 0x67, 0x49, 0x29, 0x2E, 0xD8, 0x4A, 0x83, 0x99, 0xF6, 0xA3, 0x39, 0xE3, 0xD0, 0x01,
];

fn sniff_ext(b: &[u8]) -> Option<FsKind> {
    if le_u16(b, 1080)? != 0xEF53 {
        return None;
    }
    let compat = le_u32(b, 1024 + 0x5C)?;
    let incompat = le_u32(b, 1024 + 0x60)?;
    // extents (0x40), 64bit (0x80), flex_bg (0x200) → ext4
    Some(if incompat & (0x40 | 0x80 | 0x200) != 0 {
        FsKind::Ext4
    } else if compat & 0x4 != 0 {
        FsKind::Ext3
    } else {
        FsKind::Ext2
    })
}

fn sniff_fat(b: &[u8]) -> Option<FsKind> {
    let jump = u8_at(b, 0)?;
    if !(jump == 0xE9 || (jump == 0xEB && u8_at(b, 2)? == 0x90)) {
        return None;
    }
    let bps = u64::from(le_u16(b, 11)?);
    let spc = u64::from(u8_at(b, 13)?);
    let reserved = u64::from(le_u16(b, 14)?);
    let nfats = u64::from(u8_at(b, 16)?);
    let root_entries = u64::from(le_u16(b, 17)?);
    let total16 = u64::from(le_u16(b, 19)?);
    let fatsz16 = u64::from(le_u16(b, 22)?);
    let total32 = u64::from(le_u32(b, 32)?);
    let fatsz32 = u64::from(le_u32(b, 36)?);
    if ![512, 1024, 2048, 4096].contains(&bps) || spc == 0 || !spc.is_power_of_two() || nfats == 0 {
        return None;
    }
    let total = if total16 != 0 { total16 } else { total32 };
    let fatsz = if fatsz16 != 0 { fatsz16 } else { fatsz32 };
    let root_secs = (root_entries * 32).div_ceil(bps);
    let meta = reserved + nfats * fatsz + root_secs;
    let clusters = total.checked_sub(meta)? / spc;
    // Microsoft's rule: the type follows from the cluster count.
    Some(if clusters < 4085 {
        FsKind::Fat12
    } else if clusters < 65525 {
        FsKind::Fat16
    } else {
        FsKind::Fat32
    })
}

/// Whether sector 0 is a volume boot record rather than an MBR. NTFS,
/// exFAT and BitLocker carry an unambiguous OEM string. A FAT boot sector
/// has no such string, and some MBR boot loaders (GRUB) start with the
/// same jump instruction, so FAT only wins when the partition entries are
/// not plausible (a FAT VBR holds boot code where the table would be).
fn is_vbr(b: &[u8], media_sectors: u64) -> bool {
    match sniff_bytes(b) {
        FsKind::Ntfs | FsKind::ExFat | FsKind::BitLocker => true,
        FsKind::Fat12 | FsKind::Fat16 | FsKind::Fat32 => !mbr_entries_plausible(b, media_sectors),
        _ => false,
    }
}

fn mbr_entries_plausible(b: &[u8], media_sectors: u64) -> bool {
    let mut any = false;
    for i in 0..4 {
        let o = 446 + i * 16;
        let (Some(status), Some(kind), Some(start), Some(count)) = (
            u8_at(b, o),
            u8_at(b, o + 4),
            le_u32(b, o + 8),
            le_u32(b, o + 12),
        ) else {
            return false;
        };
        if kind == 0 {
            continue;
        }
        if status & 0x7F != 0 || start == 0 || u64::from(start) >= media_sectors || count == 0 {
            return false;
        }
        any = true;
    }
    any
}

fn mbr_type_name(t: u8) -> String {
    let name = match t {
        0x01 => "FAT12",
        0x04 | 0x06 | 0x0E => "FAT16",
        0x05 | 0x0F | 0x85 => "Extended",
        0x07 => "NTFS / exFAT",
        0x0B | 0x0C => "FAT32",
        0x11 | 0x14 | 0x16 | 0x1B | 0x1C | 0x1E => "Hidden FAT",
        0x17 | 0x27 => "Hidden NTFS (recovery)",
        0x42 => "Windows LDM (dynamic disk)",
        0x82 => "Linux swap",
        0x83 => "Linux",
        0x8E => "Linux LVM",
        0xEE => "GPT protective",
        0xEF => "EFI System",
        _ => "Unknown",
    };
    format!("{name} ({t:#04x})")
}

/// Scans `media` for a partition table. `sector_size` is the logical sector
/// size of the media (512 unless the container says otherwise); for GPT the
/// scan also probes 4096.
pub fn scan(media: &dyn ReadAt, sector_size: u32) -> Result<VolumeSystem> {
    let sector_size = if sector_size == 0 { 512 } else { sector_size };
    let size = media.size();
    let head = read(media, 0, 4096 + 512)?;
    let mut warnings = Vec::new();

    // GPT: "EFI PART" at LBA 1 for either sector size.
    for ss in [sector_size, 512, 4096] {
        if slice(&head, ss as usize, 8) == Some(b"EFI PART") {
            return gpt::scan(media, ss, size, &mut warnings).map(|mut vs| {
                vs.warnings.extend(warnings);
                vs
            });
        }
    }
    // A protective MBR without a readable primary header: try the backup.
    let has_protective = (0..4).any(|i| u8_at(&head, 446 + i * 16 + 4) == Some(0xEE));
    if has_protective {
        if let Ok(vs) = gpt::scan(media, sector_size, size, &mut warnings) {
            let mut vs = vs;
            vs.warnings.extend(warnings);
            return Ok(vs);
        }
    }

    let boot_sig = slice(&head, 510, 2) == Some(&[0x55, 0xAA]);
    if !boot_sig || is_vbr(&head, size / u64::from(sector_size)) {
        let fs = sniff_bytes(&head);
        return Ok(VolumeSystem {
            scheme: Scheme::None,
            sector_size,
            disk_signature: None,
            disk_guid: None,
            partitions: vec![Partition {
                index: 0,
                start: 0,
                len: size,
                type_name: "whole media (no partition table)".into(),
                mbr_type: None,
                gpt_type: None,
                gpt_guid: None,
                name: None,
                bootable: false,
                logical: false,
                fs,
            }],
            warnings,
        });
    }
    mbr::scan(media, &head, sector_size, size, warnings)
}

mod mbr {
    use super::*;

    struct Entry {
        active: bool,
        kind: u8,
        start: u64,
        count: u64,
    }

    fn entries(sector: &[u8]) -> Vec<Entry> {
        (0..4)
            .filter_map(|i| {
                let o = 446 + i * 16;
                Some(Entry {
                    active: u8_at(sector, o)? == 0x80,
                    kind: u8_at(sector, o + 4)?,
                    start: u64::from(le_u32(sector, o + 8)?),
                    count: u64::from(le_u32(sector, o + 12)?),
                })
            })
            .collect()
    }

    fn is_extended(t: u8) -> bool {
        matches!(t, 0x05 | 0x0F | 0x85)
    }

    /// Most logical partitions we follow before declaring the chain broken.
    const MAX_LOGICAL: usize = 1024;

    pub(super) fn scan(
        media: &dyn ReadAt,
        head: &[u8],
        ss: u32,
        size: u64,
        mut warnings: Vec<String>,
    ) -> Result<VolumeSystem> {
        let ssz = u64::from(ss);
        let mut parts = Vec::new();
        let push = |parts: &mut Vec<Partition>,
                    warnings: &mut Vec<String>,
                    e: &Entry,
                    abs_start: u64,
                    logical: bool|
         -> Result<()> {
            let start = abs_start.saturating_mul(ssz);
            let mut len = e.count.saturating_mul(ssz);
            if start >= size {
                warnings.push(format!(
                    "partition of type {:#04x} at sector {abs_start} starts past the end of the media",
                    e.kind
                ));
                return Ok(());
            }
            if start + len > size {
                warnings.push(format!(
                    "partition at sector {abs_start} claims {} sectors, more than the media holds; clamped",
                    e.count
                ));
                len = size - start;
            }
            let fs = sniff_fs(media, start)?;
            parts.push(Partition {
                index: parts.len(),
                start,
                len,
                type_name: mbr_type_name(e.kind),
                mbr_type: Some(e.kind),
                gpt_type: None,
                gpt_guid: None,
                name: None,
                bootable: e.active,
                logical,
                fs,
            });
            Ok(())
        };
        let primaries = entries(head);
        let mut extended = Vec::new();
        for e in &primaries {
            if e.kind == 0 || e.count == 0 {
                continue;
            }
            if is_extended(e.kind) {
                extended.push(e.start);
                continue;
            }
            push(&mut parts, &mut warnings, e, e.start, false)?;
        }
        for ext_base in extended {
            let mut ebr = ext_base;
            let mut seen = HashSet::new();
            loop {
                if !seen.insert(ebr) {
                    warnings.push(format!(
                        "extended partition chain loops back to sector {ebr}; stopped"
                    ));
                    break;
                }
                if seen.len() > MAX_LOGICAL {
                    warnings.push("extended partition chain too long; stopped".into());
                    break;
                }
                if ebr.saturating_mul(ssz) >= size {
                    warnings.push(format!(
                        "extended boot record at sector {ebr} is past the end of the media"
                    ));
                    break;
                }
                let sec = read(media, ebr.saturating_mul(ssz), 512)?;
                if slice(&sec, 510, 2) != Some(&[0x55, 0xAA]) {
                    warnings.push(format!(
                        "extended boot record at sector {ebr} has no 55AA signature"
                    ));
                    break;
                }
                let es = entries(&sec);
                let mut next = None;
                for (i, e) in es.iter().enumerate().take(2) {
                    if e.kind == 0 || e.count == 0 {
                        continue;
                    }
                    if i == 0 && !is_extended(e.kind) {
                        // Logical: start relative to this EBR.
                        push(
                            &mut parts,
                            &mut warnings,
                            e,
                            ebr.saturating_add(e.start),
                            true,
                        )?;
                    } else if is_extended(e.kind) {
                        // Link: start relative to the primary extended partition.
                        next = Some(ext_base.saturating_add(e.start));
                    }
                }
                match next {
                    Some(n) => ebr = n,
                    None => break,
                }
            }
        }
        Ok(VolumeSystem {
            scheme: Scheme::Mbr,
            sector_size: ss,
            disk_signature: le_u32(head, 440),
            disk_guid: None,
            partitions: parts,
            warnings,
        })
    }
}

mod gpt {
    use super::*;

    /// Canonical text of a mixed-endian GUID.
    pub(super) fn guid_text(b: &[u8]) -> Option<String> {
        let a = le_u32(b, 0)?;
        let c = le_u16(b, 4)?;
        let d = le_u16(b, 6)?;
        let rest = slice(b, 8, 8)?;
        let tail: String = rest.iter().skip(2).map(|x| format!("{x:02X}")).collect();
        Some(format!(
            "{a:08X}-{c:04X}-{d:04X}-{:02X}{:02X}-{tail}",
            rest.first()?,
            rest.get(1)?
        ))
    }

    fn type_name(g: &str) -> &'static str {
        match g {
            "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7" => "Microsoft basic data",
            "E3C9E316-0B5C-4DB8-817D-F92DF00215AE" => "Microsoft reserved",
            "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" => "EFI System",
            "DE94BBA4-06D1-4D40-A16A-BFD50179D6AC" => "Windows Recovery Environment",
            "5808C8AA-7E8F-42E0-85D2-E1E90434CFB3" => "LDM metadata",
            "AF9B60A0-1431-4F62-BC68-3311714A69AD" => "LDM data",
            "E75CAF8F-F680-4CEE-AFA3-B001E56EFC2D" => "Storage Spaces",
            "0FC63DAF-8483-4772-8E79-3D69D8477DE4" => "Linux filesystem",
            "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F" => "Linux swap",
            "E6D6D379-F507-44C2-A23C-238F2A3DF928" => "Linux LVM",
            "21686148-6449-6E6F-744E-656564454649" => "BIOS boot",
            _ => "Unknown",
        }
    }

    struct Header {
        entries_lba: u64,
        count: u32,
        entry_size: u32,
        array_crc: u32,
        disk_guid: Option<String>,
        alternate: u64,
    }

    fn header_at(media: &dyn ReadAt, lba: u64, ss: u32) -> Result<Option<(Header, bool)>> {
        let b = read(media, lba.saturating_mul(u64::from(ss)), ss as usize)?;
        if slice(&b, 0, 8) != Some(b"EFI PART") {
            return Ok(None);
        }
        let hsize = le_u32(&b, 12).unwrap_or(0) as usize;
        let crc_ok = (92..=ss as usize).contains(&hsize)
            && slice(&b, 0, hsize).is_some_and(|h| {
                let mut copy = h.to_vec();
                if let Some(f) = copy.get_mut(16..20) {
                    f.fill(0);
                }
                crc32fast::hash(&copy) == le_u32(&b, 16).unwrap_or(0)
            });
        Ok(Some((
            Header {
                alternate: le_u64(&b, 32).unwrap_or(0),
                disk_guid: slice(&b, 56, 16).and_then(guid_text),
                entries_lba: le_u64(&b, 72).unwrap_or(0),
                count: le_u32(&b, 80).unwrap_or(0),
                entry_size: le_u32(&b, 84).unwrap_or(0),
                array_crc: le_u32(&b, 88).unwrap_or(0),
            },
            crc_ok,
        )))
    }

    /// Largest entry array we read (bytes): 128 entries × 128 bytes is
    /// the norm; allow generous room but not a length field's worth.
    const MAX_ARRAY: u64 = 1 << 20;

    pub(super) fn scan(
        media: &dyn ReadAt,
        ss: u32,
        size: u64,
        warnings: &mut Vec<String>,
    ) -> Result<VolumeSystem> {
        let ssz = u64::from(ss);
        let last_lba = (size / ssz).saturating_sub(1);
        let primary = header_at(media, 1, ss)?;
        let mut chosen = None;
        match &primary {
            Some((h, true)) => chosen = Some((h, "primary")),
            Some((_, false)) => {
                warnings.push("GPT primary header CRC mismatch; trying the backup header".into())
            }
            None => warnings.push("GPT primary header missing; trying the backup header".into()),
        }
        let backup;
        if chosen.is_none() {
            let alt = primary
                .as_ref()
                .map(|(h, _)| h.alternate)
                .filter(|&a| a != 0 && a <= last_lba);
            backup = header_at(media, alt.unwrap_or(last_lba), ss)?;
            match &backup {
                Some((h, ok)) => {
                    if !ok {
                        warnings.push("GPT backup header CRC mismatch too; using it anyway".into());
                    }
                    chosen = Some((h, "backup"));
                }
                None => {
                    if let Some((h, _)) = &primary {
                        warnings
                            .push("GPT backup header missing; using the damaged primary".into());
                        chosen = Some((h, "primary"));
                    }
                }
            }
        }
        let Some((h, which)) = chosen else {
            warnings.push("no usable GPT header".into());
            return Ok(VolumeSystem {
                scheme: Scheme::Gpt,
                sector_size: ss,
                disk_signature: None,
                disk_guid: None,
                partitions: Vec::new(),
                warnings: Vec::new(),
            });
        };
        let esz = u64::from(h.entry_size);
        let array_len = u64::from(h.count).saturating_mul(esz);
        if !(128..=4096).contains(&esz) || array_len > MAX_ARRAY {
            warnings.push(format!(
                "GPT {which} header has implausible entry array ({} × {esz})",
                h.count
            ));
            return Ok(VolumeSystem {
                scheme: Scheme::Gpt,
                sector_size: ss,
                disk_signature: None,
                disk_guid: h.disk_guid.clone(),
                partitions: Vec::new(),
                warnings: Vec::new(),
            });
        }
        let arr = read(media, h.entries_lba.saturating_mul(ssz), array_len as usize)?;
        if crc32fast::hash(&arr) != h.array_crc {
            warnings.push(format!("GPT {which} partition entry array CRC mismatch"));
        }
        let mut parts = Vec::new();
        for e in arr.chunks_exact(esz as usize) {
            let Some(tg) = slice(e, 0, 16) else { continue };
            if tg.iter().all(|&b| b == 0) {
                continue;
            }
            let first = le_u64(e, 32).unwrap_or(0);
            let last = le_u64(e, 40).unwrap_or(0);
            if last < first {
                warnings.push(format!(
                    "GPT entry with last LBA {last} before first {first}; skipped"
                ));
                continue;
            }
            let start = first.saturating_mul(ssz);
            if start >= size {
                warnings.push(format!(
                    "GPT partition at LBA {first} starts past the end of the media"
                ));
                continue;
            }
            let mut len = (last - first + 1).saturating_mul(ssz);
            if start + len > size {
                warnings.push(format!(
                    "GPT partition at LBA {first} runs past the end of the media; clamped"
                ));
                len = size - start;
            }
            let gtype = guid_text(tg).unwrap_or_default();
            let attrs = le_u64(e, 48).unwrap_or(0);
            let name = slice(e, 56, 72).map(rift_io::bytes::utf16le_nul_terminated);
            parts.push(Partition {
                index: parts.len(),
                start,
                len,
                type_name: type_name(&gtype).to_string(),
                gpt_guid: slice(e, 16, 16).and_then(guid_text),
                gpt_type: Some(gtype),
                mbr_type: None,
                name: name.filter(|n| !n.is_empty()),
                bootable: attrs & 0b100 != 0,
                logical: false,
                fs: sniff_fs(media, start)?,
            });
        }
        Ok(VolumeSystem {
            scheme: Scheme::Gpt,
            sector_size: ss,
            disk_signature: None,
            disk_guid: h.disk_guid.clone(),
            partitions: parts,
            warnings: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests;
