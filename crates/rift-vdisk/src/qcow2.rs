//! QEMU qcow2, versions 2 and 3.
//!
//! Sources: qemu `docs/interop/qcow2.txt`; rift's
//! `docs/formats/containers.md` §3.1 (verified on the three fixture images
//! by comparing every cluster with `qemu-img convert -O raw`). All fields
//! are big-endian.
//!
//! Reading maps a virtual offset through the L1 table (kept in memory; its
//! size is bounded by the virtual size) to an L2 table (read on demand and
//! cached) to a host cluster, which is either stored, compressed (raw
//! deflate, inflated to one cluster and cached), all zeros, or absent.
//! Backing files, encryption, external data files and zstd are refused
//! with [`Error::Unsupported`].

use std::io::{self, Read};
use std::sync::Arc;

use rift_io::bytes::{be_u32, be_u64};
use rift_io::{ReadAt, SharedReader};

use crate::cache::BlockCache;
use crate::{Error, Result, Vdisk, VdiskInfo, read_vec};

const L2_OFFSET_MASK: u64 = 0x00FF_FFFF_FFFF_FE00;
const COMPRESSED: u64 = 1 << 62;
/// Largest L1 table we accept (entries). 2^24 entries of 8 bytes = 128 MiB,
/// which addresses far more than any real disk with 64 KiB clusters.
const MAX_L1_ENTRIES: u64 = 1 << 24;

/// An opened qcow2 image.
pub struct Qcow2 {
    file: SharedReader,
    version: u32,
    cluster_bits: u32,
    virtual_size: u64,
    l1: Vec<u64>,
    l2_cache: BlockCache,
    cluster_cache: BlockCache,
    warnings: Vec<String>,
}

impl Qcow2 {
    /// Parses the header and L1 table.
    pub fn open(file: SharedReader) -> Result<Qcow2> {
        let hdr = read_vec(&*file, 0, 104.min(file.size() as usize))?;
        let be32 = |o: usize| be_u32(&hdr, o).unwrap_or(0);
        let be64 = |o: usize| be_u64(&hdr, o).unwrap_or(0);
        if !hdr.starts_with(b"QFI\xfb") || hdr.len() < 72 {
            return Err(Error::BadMagic {
                what: "qcow2 header",
                offset: 0,
            });
        }
        let version = be32(4);
        if version != 2 && version != 3 {
            return Err(Error::Unsupported {
                format: "qcow2",
                feature: format!("version {version}"),
            });
        }
        if be64(8) != 0 {
            return Err(Error::Unsupported {
                format: "qcow2",
                feature: "backing file (differencing image)".into(),
            });
        }
        let cluster_bits = be32(20);
        if !(9..=21).contains(&cluster_bits) {
            return Err(Error::Corrupt {
                what: "qcow2 cluster_bits",
                offset: 20,
                detail: cluster_bits.to_string(),
            });
        }
        let virtual_size = be64(24);
        if be32(32) != 0 {
            return Err(Error::Unsupported {
                format: "qcow2",
                feature: "encryption".into(),
            });
        }
        let l1_size = u64::from(be32(36));
        let l1_offset = be64(40);
        let mut warnings = Vec::new();
        if version == 3 {
            if hdr.len() < 104 {
                return Err(Error::Corrupt {
                    what: "qcow2 v3 header",
                    offset: 0,
                    detail: "shorter than 104 bytes".into(),
                });
            }
            let incompat = be64(72);
            if incompat & 1 != 0 {
                warnings.push(
                    "image is marked dirty (refcounts may be stale; data is read as stored)".into(),
                );
            }
            if incompat & 2 != 0 {
                warnings.push("image is marked corrupt by QEMU".into());
            }
            let unknown = incompat & !0b11;
            if unknown != 0 {
                return Err(Error::Unsupported {
                    format: "qcow2",
                    feature: format!("incompatible feature bits {unknown:#x}"),
                });
            }
            let header_len = be32(100);
            if header_len > 104 {
                let ct = read_vec(&*file, 104, 1)?;
                if ct.first().copied().unwrap_or(0) != 0 {
                    return Err(Error::Unsupported {
                        format: "qcow2",
                        feature: "zstd compression".into(),
                    });
                }
            }
        }
        let cluster = 1u64 << cluster_bits;
        let l2_entries = cluster / 8;
        let needed = virtual_size.div_ceil(cluster).div_ceil(l2_entries);
        if l1_size > MAX_L1_ENTRIES || l1_size < needed {
            return Err(Error::Corrupt {
                what: "qcow2 l1_size",
                offset: 36,
                detail: format!("{l1_size} entries for {virtual_size} bytes (need {needed})"),
            });
        }
        let raw = read_vec(&*file, l1_offset, (l1_size * 8) as usize)?;
        let l1 = raw
            .chunks_exact(8)
            .map(|c| be_u64(c, 0).unwrap_or(0))
            .collect();
        Ok(Qcow2 {
            file,
            version,
            cluster_bits,
            virtual_size,
            l1,
            l2_cache: BlockCache::new(64),
            cluster_cache: BlockCache::new(32),
            warnings,
        })
    }

    fn cluster_size(&self) -> u64 {
        1u64 << self.cluster_bits
    }

    /// Wraps the image into a [`Vdisk`].
    pub fn into_vdisk(self) -> Vdisk {
        let info = VdiskInfo {
            format: format!("qcow2 v{}", self.version),
            virtual_size: self.virtual_size,
            block_size: Some(self.cluster_size()),
            sector_size: None,
            extents: Vec::new(),
            warnings: self.warnings.clone(),
        };
        Vdisk {
            reader: Arc::new(self),
            info,
        }
    }

    fn l2_table(&self, l2_off: u64) -> io::Result<Arc<Vec<u8>>> {
        let cs = self.cluster_size() as usize;
        self.l2_cache.get_or_try(l2_off, || {
            read_vec(&*self.file, l2_off, cs).map_err(io::Error::other)
        })
    }

    /// Reads within one cluster: `offset` is virtual, `buf` does not cross
    /// a cluster boundary.
    fn read_in_cluster(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let cs = self.cluster_size();
        let cluster_idx = offset >> self.cluster_bits;
        let within = offset & (cs - 1);
        let l2_entries = cs / 8;
        let l1_idx = (cluster_idx / l2_entries) as usize;
        let l2_idx = (cluster_idx % l2_entries) as usize;
        let l1e = self.l1.get(l1_idx).copied().unwrap_or(0);
        let l2_off = l1e & L2_OFFSET_MASK;
        if l2_off == 0 {
            buf.fill(0);
            return Ok(());
        }
        let l2 = self.l2_table(l2_off)?;
        let entry = be_u64(&l2, l2_idx * 8).unwrap_or(0);
        if entry & COMPRESSED != 0 {
            let x = 62 - (self.cluster_bits - 8);
            let host = entry & ((1u64 << x) - 1);
            let nsect = (entry >> x) & ((1u64 << (62 - x)) - 1);
            let clen = (nsect + 1) * 512 - (host & 511);
            let data = self.cluster_cache.get_or_try(host, || {
                let comp = read_vec(
                    &*self.file,
                    host,
                    clen.min(self.file.size().saturating_sub(host)) as usize,
                )
                .map_err(io::Error::other)?;
                let mut out = Vec::with_capacity(cs as usize);
                let mut dec = flate2::read::DeflateDecoder::new(&comp[..]);
                dec.by_ref().take(cs).read_to_end(&mut out)?;
                out.resize(cs as usize, 0);
                Ok::<_, io::Error>(out)
            })?;
            let start = within as usize;
            let src = data.get(start..start + buf.len()).ok_or_else(|| {
                io::Error::other("qcow2 compressed cluster shorter than a cluster")
            })?;
            buf.copy_from_slice(src);
            return Ok(());
        }
        let host = entry & L2_OFFSET_MASK;
        if host == 0 || (self.version >= 3 && entry & 1 != 0) {
            buf.fill(0);
            return Ok(());
        }
        rift_io::read_exact_at(&*self.file, host + within, buf).or_else(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                // A cluster cut off by a truncated file reads as zeros
                // beyond the end; the caller sees the data that exists.
                let n = self.file.read_at(host + within, buf).unwrap_or(0);
                if let Some(rest) = buf.get_mut(n..) {
                    rest.fill(0);
                }
                Ok(())
            } else {
                Err(e)
            }
        })
    }
}

impl ReadAt for Qcow2 {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.virtual_size {
            return Ok(0);
        }
        let total = (buf.len() as u64).min(self.virtual_size - offset) as usize;
        let cs = self.cluster_size();
        let mut done = 0usize;
        while done < total {
            let pos = offset + done as u64;
            let in_cluster = (cs - (pos & (cs - 1))) as usize;
            let n = in_cluster.min(total - done);
            let Some(chunk) = buf.get_mut(done..done + n) else {
                break;
            };
            self.read_in_cluster(pos, chunk)?;
            done += n;
        }
        Ok(done)
    }

    fn size(&self) -> u64 {
        self.virtual_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare_with_qemu(rel: &str) {
        let raw = std::fs::read(rift_testutil::raw_image(rel)).unwrap();
        let file: SharedReader =
            Arc::new(std::fs::File::open(rift_testutil::fixture(rel)).unwrap());
        let q = Qcow2::open(file).unwrap();
        assert_eq!(q.size(), raw.len() as u64, "{rel}: virtual size");
        // Whole image in odd-sized reads, crossing cluster boundaries.
        let mut buf = vec![0u8; 1_000_003];
        let mut off = 0u64;
        while off < q.size() {
            let n = q.read_at(off, &mut buf).unwrap();
            assert!(n > 0);
            let exp = &raw[off as usize..off as usize + n];
            assert!(buf[..n] == *exp, "{rel}: mismatch in read at {off:#x}");
            off += n as u64;
        }
    }

    #[test]
    fn fixtures_match_qemu_img() {
        compare_with_qemu("ntfs_images/dfvfs_windows_volume.qcow2"); // v3, stored clusters
        compare_with_qemu("ntfs_images/plaso_vsstest.qcow2"); // v2, compressed
    }

    #[test]
    fn big_sparse_fixture_matches_qemu_img_in_allocated_areas() {
        // 64 GiB virtual, mostly unallocated: compare the areas NTFS uses
        // (boot sector and MFT) plus a sample grid instead of the whole disk.
        let rel = "ntfs_images/ntfs-samples_20h1.qcow2";
        let raw = std::fs::File::open(rift_testutil::raw_image(rel)).unwrap();
        let file: SharedReader =
            Arc::new(std::fs::File::open(rift_testutil::fixture(rel)).unwrap());
        let q = Qcow2::open(file).unwrap();
        assert_eq!(q.size(), raw.size());
        let step = q.size() / 4093;
        let mut a = vec![0u8; 70_000];
        let mut b = vec![0u8; 70_000];
        for i in 0..4093u64 {
            let off = (i * step) & !511;
            let n = q.read_at(off, &mut a).unwrap();
            let m = raw.read_at(off, &mut b).unwrap();
            assert_eq!(n, m);
            assert!(a[..n] == b[..n], "mismatch at {off:#x}");
        }
        // NTFS boot sector at sector 2048 and the first MFT records.
        let vbr = 2048 * 512u64;
        for off in [0, vbr, vbr + 786_432 * 4096] {
            q.read_at(off, &mut a).unwrap();
            raw.read_at(off, &mut b).unwrap();
            assert!(a == b, "mismatch at {off:#x}");
        }
    }

    #[test]
    fn hostile_headers_are_refused() {
        let mut h = vec![0u8; 512];
        h[..4].copy_from_slice(b"QFI\xfb");
        h[7] = 2; // version 2
        h[23] = 16; // cluster bits
        h[24..32].copy_from_slice(&(1u64 << 40).to_be_bytes()); // 1 TiB
        h[36..40].copy_from_slice(&u32::MAX.to_be_bytes()); // absurd l1_size
        assert!(Qcow2::open(Arc::new(h.clone())).is_err());
        h[36..40].copy_from_slice(&256u32.to_be_bytes()); // too small for 1 TiB
        assert!(Qcow2::open(Arc::new(h.clone())).is_err());
        h[23] = 40;
        assert!(Qcow2::open(Arc::new(h)).is_err());
    }
}
