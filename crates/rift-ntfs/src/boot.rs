//! The NTFS boot sector ($Boot, sector 0 of the volume) and its backup.
//!
//! Sources: libfsntfs "NTFS" documentation, section "The volume header";
//! ntfs-3g `include/ntfs-3g/layout.h` (`NTFS_BOOT_SECTOR`); the shared format
//! notes `docs/formats/ntfs.md` §1, checked against the `dfir_ntfs_*.boot`
//! fixtures (512 B … 128 KiB clusters, 4Kn) and a 2 MiB-cluster volume.

use rift_io::ReadAt;
use rift_io::bytes::{le_u16, le_u64, slice, u8_at};

use crate::error::{Error, Result};

/// Largest cluster Windows formats (Windows 10 1903+): 2 MiB.
pub const MAX_CLUSTER_SIZE: u64 = 2 * 1024 * 1024;
/// Largest FILE / INDX record size we accept (records are 1 or 4 KiB in
/// practice; anything above 64 KiB is corruption and would make us allocate).
pub const MAX_RECORD_SIZE: u64 = 64 * 1024;

/// Parsed NTFS boot sector (BIOS parameter block + NTFS extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootSector {
    /// Bytes per sector (512 or 4096; mkntfs allows 256..4096).
    pub bytes_per_sector: u32,
    /// Raw "sectors per cluster" byte (values > 0x80 encode a power of two).
    pub sectors_per_cluster_raw: u8,
    /// Cluster size in bytes.
    pub cluster_size: u64,
    /// Volume length in sectors (excludes the backup boot sector).
    pub total_sectors: u64,
    /// Cluster number of MFT record 0.
    pub mft_lcn: u64,
    /// Cluster number of $MFTMirr.
    pub mft_mirror_lcn: u64,
    /// FILE record size in bytes.
    pub file_record_size: u32,
    /// INDX record size in bytes.
    pub index_record_size: u32,
    /// 64-bit volume serial (the low 32 bits are the Win32 serial number).
    pub serial_number: u64,
    /// OEM id, normally `"NTFS    "`.
    pub oem_id: [u8; 8],
    /// Whether bytes 510..512 hold `55 AA` (not required: see [`BootSector::parse`]).
    pub has_signature: bool,
    /// Byte position the boot sector was read from (0, or the backup's position).
    pub position: u64,
}

impl BootSector {
    /// Parses a boot sector from its first 512 bytes.
    ///
    /// The volume is accepted on the OEM id `NTFS    ` and plausible
    /// geometry; a missing `55 AA` signature or zeroed jump instruction is
    /// tolerated (seen on real volumes, e.g. `dfir_ntfs_nobootcode.boot`).
    pub fn parse(b: &[u8], position: u64) -> Result<BootSector> {
        let bad = |reason: &str| Error::BadBootSector {
            offset: position,
            reason: reason.to_string(),
        };
        let oem: [u8; 8] = slice(b, 3, 8)
            .and_then(|s| s.try_into().ok())
            .ok_or_else(|| bad("shorter than 512 bytes"))?;
        if slice(b, 0, 512).is_none() {
            return Err(bad("shorter than 512 bytes"));
        }
        if &oem != b"NTFS    " {
            if &oem == b"-FVE-FS-" {
                return Err(bad("BitLocker-encrypted volume (OEM id -FVE-FS-)"));
            }
            return Err(bad("OEM id is not \"NTFS    \""));
        }
        let bps = u32::from(le_u16(b, 11).unwrap_or(0));
        if !(256..=4096).contains(&bps) || !bps.is_power_of_two() {
            return Err(bad("bytes per sector is not a power of two in 256..4096"));
        }
        let spc_raw = u8_at(b, 13).unwrap_or(0);
        // Raw values 1..=0x80 are a count; larger values mean 2^(256 - raw)
        // sectors (Windows 10 1903+ clusters above 64 KiB, up to 2 MiB).
        let spc: u64 = match spc_raw {
            0 => return Err(bad("sectors per cluster is 0")),
            1..=0x80 => u64::from(spc_raw),
            r => {
                let exp = 256 - u32::from(r);
                if exp > 31 {
                    return Err(bad("sectors-per-cluster exponent too large"));
                }
                1u64 << exp
            }
        };
        if !spc.is_power_of_two() {
            return Err(bad("sectors per cluster is not a power of two"));
        }
        let cluster_size = spc * u64::from(bps);
        if cluster_size > MAX_CLUSTER_SIZE {
            return Err(bad("cluster size above 2 MiB"));
        }
        let total_sectors = le_u64(b, 40).unwrap_or(0);
        let mft_lcn = le_u64(b, 48).unwrap_or(0);
        let mft_mirror_lcn = le_u64(b, 56).unwrap_or(0);
        let file_record_size = record_size(u8_at(b, 64).unwrap_or(0), cluster_size)
            .ok_or_else(|| bad("invalid clusters-per-FILE-record value"))?;
        let index_record_size = record_size(u8_at(b, 68).unwrap_or(0), cluster_size)
            .ok_or_else(|| bad("invalid clusters-per-index-record value"))?;
        if file_record_size < 512 {
            return Err(bad("FILE record size below 512 bytes"));
        }
        if total_sectors == 0 {
            return Err(bad("total sectors is 0"));
        }
        let clusters = total_sectors.saturating_mul(u64::from(bps)) / cluster_size;
        if mft_lcn == 0 || mft_lcn >= clusters.max(1) {
            return Err(bad("$MFT cluster number outside the volume"));
        }
        Ok(BootSector {
            bytes_per_sector: bps,
            sectors_per_cluster_raw: spc_raw,
            cluster_size,
            total_sectors,
            mft_lcn,
            mft_mirror_lcn,
            file_record_size,
            index_record_size,
            serial_number: le_u64(b, 72).unwrap_or(0),
            oem_id: oem,
            has_signature: slice(b, 510, 2) == Some(&[0x55, 0xAA][..]),
            position,
        })
    }

    /// Volume size in bytes according to the boot sector.
    pub fn volume_size(&self) -> u64 {
        self.total_sectors
            .saturating_mul(u64::from(self.bytes_per_sector))
    }

    /// Number of clusters in the volume.
    pub fn cluster_count(&self) -> u64 {
        self.volume_size() / self.cluster_size
    }

    /// The Win32 volume serial number as Windows shows it (`XXXX-XXXX`).
    pub fn serial_string(&self) -> String {
        let s = self.serial_number as u32;
        format!("{:04X}-{:04X}", s >> 16, s & 0xFFFF)
    }

    /// Reads the boot sector of `vol`, falling back to the backup copy
    /// (the sector after the last one counted by the primary — which is
    /// unknown when the primary is bad — so the last sector of the reader
    /// and the sector at `size - 512`/`size - 4096` are tried).
    pub fn read<R: ReadAt + ?Sized>(vol: &R) -> Result<BootSector> {
        let mut buf = [0u8; 512];
        read_at_exact(vol, 0, &mut buf)?;
        let primary = BootSector::parse(&buf, 0);
        let err = match primary {
            Ok(b) => return Ok(b),
            Err(e) => e,
        };
        let size = vol.size();
        for back in [512u64, 4096] {
            let Some(pos) = size.checked_sub(back) else {
                continue;
            };
            if pos == 0 || read_at_exact(vol, pos, &mut buf).is_err() {
                continue;
            }
            if let Ok(b) = BootSector::parse(&buf, pos) {
                return Ok(b);
            }
        }
        Err(err)
    }
}

/// Decodes the signed "clusters per record" byte.
fn record_size(raw: u8, cluster_size: u64) -> Option<u32> {
    let v = raw as i8;
    let size = if v > 0 {
        (v as u64).checked_mul(cluster_size)?
    } else {
        let exp = u32::from(v.unsigned_abs());
        if !(9..=16).contains(&exp) {
            return None;
        }
        1u64 << exp
    };
    if size > MAX_RECORD_SIZE || !size.is_power_of_two() {
        return None;
    }
    u32::try_from(size).ok()
}

pub(crate) fn read_at_exact<R: ReadAt + ?Sized>(r: &R, offset: u64, buf: &mut [u8]) -> Result<()> {
    rift_io::read_exact_at(r, offset, buf).map_err(|e| Error::io(offset, e))
}
