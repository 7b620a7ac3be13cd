//! Virtual PC / Hyper-V VHD (fixed and dynamic).
//!
//! Sources: Microsoft "Virtual Hard Disk Image Format Specification" via
//! libyal/libvhdi `documentation/Virtual Hard Disk (VHD) image format.asciidoc`;
//! rift's `docs/formats/containers.md` §3.2 (verified on qemu-img output).
//! All fields are big-endian.
//!
//! Fixed: raw data followed by a 512-byte footer. Dynamic: a block
//! allocation table (BAT) of sector numbers; each block starts with a
//! sector bitmap (MSB first; a clear bit reads as zeros) then data.
//! Differencing disks need their parent and are refused.

use std::io;
use std::sync::Arc;

use rift_io::bytes::{be_u32, be_u64};
use rift_io::{ReadAt, SharedReader};

use crate::cache::BlockCache;
use crate::{Error, Result, Vdisk, VdiskInfo, read_vec};

/// Largest BAT we accept (entries): 2^24 blocks of 2 MiB = 32 TiB.
const MAX_BAT_ENTRIES: u32 = 1 << 24;

/// The one's-complement byte-sum checksum of a footer or dynamic header,
/// with the checksum field (4 bytes at `field`) treated as zero.
fn checksum(buf: &[u8], field: usize) -> u32 {
    let sum = buf
        .iter()
        .enumerate()
        .filter(|(i, _)| !(field..field + 4).contains(i))
        .fold(0u32, |s, (_, &b)| s.wrapping_add(u32::from(b)));
    !sum
}

/// Whether `tail` (the last 512 bytes of a file) is a VHD footer with a
/// valid checksum.
pub fn footer_is_valid(tail: &[u8]) -> bool {
    tail.len() >= 512
        && tail.starts_with(b"conectix")
        && be_u32(tail, 64) == Some(checksum(tail.get(..512).unwrap_or(tail), 64))
}

enum Layout {
    Fixed,
    Dynamic {
        bat: Vec<u32>,
        block_size: u64,
        bitmap_bytes: u64,
    },
}

/// An opened VHD.
pub struct Vhd {
    file: SharedReader,
    size: u64,
    layout: Layout,
    bitmaps: BlockCache,
    warnings: Vec<String>,
}

impl Vhd {
    /// Reads the footer (end of file; a copy at offset 0 for dynamic disks is
    /// used when the end one is damaged) and, for dynamic disks, the BAT.
    pub fn open(file: SharedReader) -> Result<Vhd> {
        let fsize = file.size();
        let mut warnings = Vec::new();
        let tail_off = fsize.saturating_sub(512);
        let tail = read_vec(&*file, tail_off, (fsize - tail_off) as usize)?;
        let footer = if footer_is_valid(&tail) {
            tail
        } else {
            let head = read_vec(&*file, 0, 512.min(fsize as usize))?;
            if !footer_is_valid(&head) {
                return Err(Error::BadMagic {
                    what: "VHD footer",
                    offset: tail_off,
                });
            }
            warnings.push("footer at end of file is damaged; using the copy at offset 0".into());
            head
        };
        let be32 = |o: usize| be_u32(&footer, o).unwrap_or(0);
        let be64 = |o: usize| be_u64(&footer, o).unwrap_or(0);
        let size = be64(48);
        let disk_type = be32(60);
        let layout = match disk_type {
            2 => {
                if size > tail_off {
                    warnings.push(format!(
                        "fixed VHD claims {size} bytes but holds {tail_off}; the rest reads as zeros"
                    ));
                }
                Layout::Fixed
            }
            3 => {
                let dh_off = be64(16);
                let dh = read_vec(&*file, dh_off, 1024)?;
                if !dh.starts_with(b"cxsparse") {
                    return Err(Error::BadMagic {
                        what: "VHD dynamic header",
                        offset: dh_off,
                    });
                }
                if be_u32(&dh, 36) != Some(checksum(&dh, 36)) {
                    warnings.push("dynamic header checksum mismatch".into());
                }
                let bat_off = be_u64(&dh, 16).unwrap_or(0);
                let entries = be_u32(&dh, 28).unwrap_or(0);
                let block_size = u64::from(be_u32(&dh, 32).unwrap_or(0));
                if !block_size.is_power_of_two() || block_size < 512 || entries > MAX_BAT_ENTRIES {
                    return Err(Error::Corrupt {
                        what: "VHD dynamic header",
                        offset: dh_off,
                        detail: format!("block size {block_size}, {entries} BAT entries"),
                    });
                }
                if (u64::from(entries)) * block_size < size {
                    warnings
                        .push("BAT covers less than the disk size; the rest reads as zeros".into());
                }
                let raw = read_vec(&*file, bat_off, entries as usize * 4)?;
                let bat = raw
                    .chunks_exact(4)
                    .map(|c| be_u32(c, 0).unwrap_or(u32::MAX))
                    .collect();
                let bitmap_bytes = (block_size / 512).div_ceil(8).div_ceil(512) * 512;
                Layout::Dynamic {
                    bat,
                    block_size,
                    bitmap_bytes,
                }
            }
            4 => {
                return Err(Error::Unsupported {
                    format: "vhd",
                    feature: "differencing disk (needs its parent)".into(),
                });
            }
            t => {
                return Err(Error::Corrupt {
                    what: "VHD disk type",
                    offset: tail_off + 60,
                    detail: t.to_string(),
                });
            }
        };
        Ok(Vhd {
            file,
            size,
            layout,
            bitmaps: BlockCache::new(64),
            warnings,
        })
    }

    /// Wraps the disk into a [`Vdisk`].
    pub fn into_vdisk(self) -> Vdisk {
        let (variant, block) = match &self.layout {
            Layout::Fixed => ("fixed", None),
            Layout::Dynamic { block_size, .. } => ("dynamic", Some(*block_size)),
        };
        let info = VdiskInfo {
            format: format!("vhd {variant}"),
            virtual_size: self.size,
            block_size: block,
            sector_size: None,
            extents: Vec::new(),
            warnings: self.warnings.clone(),
        };
        Vdisk {
            reader: Arc::new(self),
            info,
        }
    }
}

impl ReadAt for Vhd {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.size {
            return Ok(0);
        }
        let total = (buf.len() as u64).min(self.size - offset) as usize;
        let Some(buf) = buf.get_mut(..total) else {
            return Ok(0);
        };
        match &self.layout {
            Layout::Fixed => {
                let n = self.file.read_at(offset, buf)?;
                // Past the stored data (inside the claimed size) reads as zeros.
                let stored = self.file.size().saturating_sub(512);
                if n < total && offset + (n as u64) >= stored {
                    if let Some(rest) = buf.get_mut(n..) {
                        rest.fill(0);
                    }
                    return Ok(total);
                }
                Ok(n)
            }
            Layout::Dynamic {
                bat,
                block_size,
                bitmap_bytes,
            } => {
                let mut done = 0usize;
                while done < total {
                    let pos = offset + done as u64;
                    let block = pos / block_size;
                    let within = pos % block_size;
                    // Read at most to the end of this sector, so one bitmap
                    // bit covers the whole piece.
                    let n = ((512 - within % 512) as usize).min(total - done);
                    let Some(piece) = buf.get_mut(done..done + n) else {
                        break;
                    };
                    let entry = bat.get(block as usize).copied().unwrap_or(u32::MAX);
                    if entry == u32::MAX {
                        piece.fill(0);
                    } else {
                        let base = u64::from(entry) * 512;
                        let bm = self.bitmaps.get_or_try(base, || {
                            read_vec(&*self.file, base, *bitmap_bytes as usize)
                                .map_err(io::Error::other)
                        })?;
                        let sector = within / 512;
                        let bit = bm
                            .get((sector / 8) as usize)
                            .is_some_and(|b| b & (0x80 >> (sector % 8)) != 0);
                        if bit {
                            rift_io::read_exact_at(
                                &*self.file,
                                base + bitmap_bytes + within,
                                piece,
                            )?;
                        } else {
                            piece.fill(0);
                        }
                    }
                    done += n;
                }
                Ok(done)
            }
        }
    }

    fn size(&self) -> u64 {
        self.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests_support::{compare_reader_with_file, qemu_convert};

    #[test]
    fn qemu_written_fixed_and_dynamic_read_like_the_source() {
        let src = rift_testutil::raw_image("ntfs_images/dfvfs_windows_volume.qcow2");
        for subformat in ["fixed", "dynamic"] {
            let (_dir, vhd) = qemu_convert(&src, "vpc", &[&format!("subformat={subformat}")]);
            let v = Vhd::open(Arc::new(std::fs::File::open(&vhd).unwrap())).unwrap();
            assert!(v.size() >= std::fs::metadata(&src).unwrap().len());
            compare_reader_with_file(&v, &src, subformat);
        }
    }

    #[test]
    fn garbage_is_refused() {
        let r: SharedReader = Arc::new(vec![0u8; 4096]);
        assert!(Vhd::open(r).is_err());
        let mut f = vec![0u8; 512];
        f[..8].copy_from_slice(b"conectix");
        f[60..64].copy_from_slice(&3u32.to_be_bytes());
        f[16..24].copy_from_slice(&u64::MAX.to_be_bytes());
        let c = checksum(&f, 64);
        f[64..68].copy_from_slice(&c.to_be_bytes());
        assert!(footer_is_valid(&f));
        assert!(Vhd::open(Arc::new(f)).is_err());
    }
}
