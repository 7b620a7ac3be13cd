//! Reading attribute data: resident values, run lists (sparse, initialized
//! size), LZNT1 compression units, and WOF (system compression).
//!
//! Sources: libfsntfs "Compression" (compression units straddling runs),
//! shared notes §3.3 and §5; [WOF] ebiggers/ntfs-3g-system-compression
//! `system_compression.c` (chunk table layout, chunk sizes per format).

use std::io;
use std::sync::{Arc, Mutex};

use rift_io::{ReadAt, SharedReader};

use crate::error::{Error, Result};
use crate::lznt1;
use crate::runs::Run;

/// A contiguous logical byte range of a stream backed by clusters on disk
/// (i.e. not sparse).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocatedRange {
    /// Logical offset in the stream.
    pub offset: u64,
    /// Length in bytes (clamped to the stream size).
    pub length: u64,
    /// Byte position on the volume.
    pub volume_offset: u64,
}

/// How a stream's bytes are produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    /// Value stored inside the FILE record.
    Resident,
    /// Plain clusters (possibly sparse).
    NonResident,
    /// LZNT1 compression units.
    Compressed,
    /// WOF system compression (decoded from the `WofCompressedData` stream).
    Wof,
}

/// Run-backed reader (no compression).
#[derive(Clone)]
pub(crate) struct RunReader {
    pub(crate) vol: SharedReader,
    pub(crate) cluster: u64,
    pub(crate) runs: Arc<[Run]>,
    pub(crate) data_size: u64,
    pub(crate) init_size: u64,
}

impl RunReader {
    /// Index of the run covering `vcn`.
    fn run_for(&self, vcn: u64) -> Option<&Run> {
        let i = self.runs.partition_point(|r| r.end_vcn() <= vcn);
        self.runs.get(i).filter(|r| r.vcn <= vcn)
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.data_size || buf.is_empty() {
            return Ok(0);
        }
        let want = (buf.len() as u64).min(self.data_size - offset) as usize;
        let mut done = 0usize;
        while done < want {
            let pos = offset + done as u64;
            let out = buf.get_mut(done..want).unwrap_or_default();
            if pos >= self.init_size {
                // Beyond the valid data length: zeros.
                out.fill(0);
                break;
            }
            let vcn = pos / self.cluster;
            let within = pos % self.cluster;
            let max_here = (out.len() as u64).min(self.init_size - pos);
            match self.run_for(vcn) {
                None => {
                    // Not mapped (past the last run, e.g. truncated list):
                    // read as zeros like a sparse run up to the next run.
                    let next = self.runs.iter().find(|r| r.vcn > vcn).map(|r| r.vcn);
                    let n = match next {
                        Some(v) => v
                            .saturating_mul(self.cluster)
                            .saturating_sub(pos)
                            .min(max_here),
                        None => max_here,
                    } as usize;
                    out.get_mut(..n).unwrap_or_default().fill(0);
                    done += n.max(1).min(out.len());
                }
                Some(r) => {
                    let run_left = (r.end_vcn() - vcn)
                        .saturating_mul(self.cluster)
                        .saturating_sub(within);
                    let n = run_left.min(max_here) as usize;
                    let dst = out.get_mut(..n).unwrap_or_default();
                    match r.lcn {
                        None => dst.fill(0),
                        Some(lcn) => {
                            let vol_off = lcn
                                .checked_add(vcn - r.vcn)
                                .and_then(|c| c.checked_mul(self.cluster))
                                .and_then(|b| b.checked_add(within))
                                .ok_or_else(|| {
                                    io::Error::new(
                                        io::ErrorKind::InvalidData,
                                        "cluster number overflow",
                                    )
                                })?;
                            rift_io::read_exact_at(&*self.vol, vol_off, dst).map_err(|e| {
                                io::Error::new(
                                    e.kind(),
                                    format!("data run at volume byte {vol_off:#x} (past the volume end?): {e}"),
                                )
                            })?;
                        }
                    }
                    done += n;
                }
            }
        }
        Ok(want)
    }

    fn allocated_ranges(&self) -> Vec<AllocatedRange> {
        let mut out: Vec<AllocatedRange> = Vec::new();
        for r in self.runs.iter() {
            let Some(lcn) = r.lcn else { continue };
            let start = r.vcn.saturating_mul(self.cluster);
            if start >= self.data_size {
                break;
            }
            let len = r
                .length
                .saturating_mul(self.cluster)
                .min(self.data_size - start);
            let vol = lcn.saturating_mul(self.cluster);
            if let Some(last) = out.last_mut() {
                if last.offset + last.length == start && last.volume_offset + last.length == vol {
                    last.length += len;
                    continue;
                }
            }
            out.push(AllocatedRange {
                offset: start,
                length: len,
                volume_offset: vol,
            });
        }
        out
    }
}

/// LZNT1 compression-unit reader.
pub(crate) struct CompressedReader {
    pub(crate) runs: RunReader,
    /// Clusters per compression unit.
    pub(crate) unit_clusters: u64,
    cache: Mutex<Option<(u64, Arc<Vec<u8>>)>>,
}

impl CompressedReader {
    pub(crate) fn new(runs: RunReader, unit_clusters: u64) -> Self {
        CompressedReader {
            runs,
            unit_clusters,
            cache: Mutex::new(None),
        }
    }

    fn unit_size(&self) -> u64 {
        self.unit_clusters * self.runs.cluster
    }

    /// Produces the decompressed bytes of unit `u`.
    fn unit(&self, u: u64) -> io::Result<Arc<Vec<u8>>> {
        if let Ok(g) = self.cache.lock() {
            if let Some((cu, data)) = g.as_ref() {
                if *cu == u {
                    return Ok(Arc::clone(data));
                }
            }
        }
        let cl = self.runs.cluster;
        let first = u * self.unit_clusters;
        let end = first + self.unit_clusters;
        let usize_unit = self.unit_size() as usize;
        // Gather the unit's on-disk clusters (in VCN order) and whether any
        // cluster is sparse.
        let mut stored: Vec<(u64, u64)> = Vec::new(); // (lcn, count)
        let mut has_sparse = false;
        let mut vcn = first;
        while vcn < end {
            match self.runs.run_for(vcn) {
                None => {
                    has_sparse = true;
                    vcn += 1;
                    // skip quickly to the next run
                    if let Some(r) = self.runs.runs.iter().find(|r| r.vcn > vcn) {
                        vcn = vcn.max(r.vcn.min(end));
                    } else {
                        vcn = end;
                    }
                }
                Some(r) => {
                    let n = r.end_vcn().min(end) - vcn;
                    match r.lcn {
                        None => has_sparse = true,
                        Some(l) => stored.push((l.saturating_add(vcn - r.vcn), n)),
                    }
                    vcn += n;
                }
            }
        }
        let stored_clusters: u64 = stored.iter().map(|s| s.1).sum();
        let mut raw = vec![0u8; (stored_clusters * cl) as usize];
        let mut at = 0usize;
        for (lcn, n) in &stored {
            let len = (n * cl) as usize;
            let off = lcn.checked_mul(cl).ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, "cluster number overflow")
            })?;
            let dst = raw.get_mut(at..at + len).unwrap_or_default();
            rift_io::read_exact_at(&*self.runs.vol, off, dst).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("compression unit data at volume byte {off:#x}: {e}"),
                )
            })?;
            at += len;
        }
        let data = if stored_clusters == 0 {
            vec![0u8; usize_unit]
        } else if !has_sparse {
            // Fully allocated unit: stored uncompressed.
            raw
        } else {
            let mut out = Vec::with_capacity(usize_unit);
            lznt1::decompress(&raw, usize_unit, &mut out).map_err(|e| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    Error::Decompress {
                        offset: u * self.unit_size(),
                        reason: e.to_string(),
                    },
                )
            })?;
            out.resize(usize_unit, 0);
            out
        };
        let data = Arc::new(data);
        if let Ok(mut g) = self.cache.lock() {
            *g = Some((u, Arc::clone(&data)));
        }
        Ok(data)
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.runs.data_size;
        if offset >= size || buf.is_empty() {
            return Ok(0);
        }
        let want = (buf.len() as u64).min(size - offset) as usize;
        let us = self.unit_size();
        let mut done = 0;
        while done < want {
            let pos = offset + done as u64;
            let out = buf.get_mut(done..want).unwrap_or_default();
            if pos >= self.runs.init_size {
                out.fill(0);
                break;
            }
            let u = pos / us;
            let within = (pos % us) as usize;
            let unit = self.unit(u)?;
            let src = unit.get(within..).unwrap_or_default();
            let n = src
                .len()
                .min(out.len())
                .min((self.runs.init_size - pos) as usize);
            if n == 0 {
                break;
            }
            out.get_mut(..n)
                .unwrap_or_default()
                .copy_from_slice(src.get(..n).unwrap_or_default());
            done += n;
        }
        Ok(want)
    }
}

/// WOF-compressed reader over the `WofCompressedData` stream.
pub(crate) struct WofReader {
    pub(crate) source: Box<NtfsStream>,
    pub(crate) chunk_size: u64,
    pub(crate) size: u64,
    /// Offsets of each chunk (relative to the end of the table) + end.
    pub(crate) bounds: Vec<u64>,
    pub(crate) table_len: u64,
    cache: Mutex<Option<(u64, Arc<Vec<u8>>)>>,
}

impl WofReader {
    pub(crate) fn new(source: NtfsStream, format: u32, size: u64) -> Result<Self> {
        let chunk_size: u64 = match format {
            0 => 4096,
            1 => 32768,
            2 => 8192,
            3 => 16384,
            f => {
                return Err(Error::Unsupported {
                    what: format!("WOF compression format {f}"),
                });
            }
        };
        if format == 1 {
            return Err(Error::Unsupported {
                what: "WOF LZX-compressed data (decode with Windows or wof-aware tools; the raw WofCompressedData stream is readable)".into(),
            });
        }
        let n_chunks = size.div_ceil(chunk_size);
        let entry = if size > u64::from(u32::MAX) { 8u64 } else { 4 };
        let table_len = n_chunks.saturating_sub(1).saturating_mul(entry);
        let stored = source.size();
        if table_len > stored || table_len > 256 << 20 {
            return Err(Error::Decompress {
                offset: 0,
                reason: format!(
                    "WOF chunk table ({table_len} bytes) larger than the stream ({stored})"
                ),
            });
        }
        let mut table = vec![0u8; table_len as usize];
        rift_io::read_exact_at(&source, 0, &mut table).map_err(|e| Error::io(0, e))?;
        let mut bounds = Vec::with_capacity(n_chunks as usize + 1);
        bounds.push(0);
        for c in table.chunks_exact(entry as usize) {
            let v = if entry == 8 {
                u64::from_le_bytes(c.try_into().unwrap_or([0; 8]))
            } else {
                u64::from(u32::from_le_bytes(c.try_into().unwrap_or([0; 4])))
            };
            bounds.push(v);
        }
        bounds.push(stored - table_len);
        Ok(WofReader {
            source: Box::new(source),
            chunk_size,
            size,
            bounds,
            table_len,
            cache: Mutex::new(None),
        })
    }

    fn chunk(&self, i: u64) -> io::Result<Arc<Vec<u8>>> {
        if let Ok(g) = self.cache.lock() {
            if let Some((c, d)) = g.as_ref() {
                if *c == i {
                    return Ok(Arc::clone(d));
                }
            }
        }
        let bad = |m: String| io::Error::new(io::ErrorKind::InvalidData, m);
        let (Some(&s), Some(&e)) = (self.bounds.get(i as usize), self.bounds.get(i as usize + 1))
        else {
            return Err(bad(format!("WOF chunk {i} outside the table")));
        };
        if e < s || e - s > self.chunk_size * 2 {
            return Err(bad(format!("WOF chunk {i} has invalid bounds {s}..{e}")));
        }
        let expect = (self.size - i * self.chunk_size).min(self.chunk_size) as usize;
        let mut raw = vec![0u8; (e - s) as usize];
        rift_io::read_exact_at(&*self.source, self.table_len + s, &mut raw)?;
        let data = if raw.len() == expect {
            raw
        } else {
            xpress_huffman::decompress(&raw, expect)
                .map_err(|err| bad(format!("WOF XPRESS chunk {i}: {err}")))?
        };
        let data = Arc::new(data);
        if let Ok(mut g) = self.cache.lock() {
            *g = Some((i, Arc::clone(&data)));
        }
        Ok(data)
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        if offset >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let want = (buf.len() as u64).min(self.size - offset) as usize;
        let mut done = 0;
        while done < want {
            let pos = offset + done as u64;
            let c = self.chunk(pos / self.chunk_size)?;
            let within = (pos % self.chunk_size) as usize;
            let src = c.get(within..).unwrap_or_default();
            let out = buf.get_mut(done..want).unwrap_or_default();
            let n = src.len().min(out.len());
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "WOF chunk shorter than expected",
                ));
            }
            out.get_mut(..n)
                .unwrap_or_default()
                .copy_from_slice(src.get(..n).unwrap_or_default());
            done += n;
        }
        Ok(want)
    }
}

pub(crate) enum Inner {
    Resident(Arc<[u8]>),
    Runs(RunReader),
    Compressed(CompressedReader),
    Wof(WofReader),
}

/// One stream of one MFT entry, readable at any offset ([`ReadAt`]).
///
/// Owns an `Arc` of the volume, so it outlives the [`crate::Ntfs`] it came
/// from and can be handed to other parser crates (`$UsnJrnl:$J`,
/// `$LogFile`, registry hives …).
pub struct NtfsStream {
    pub(crate) inner: Inner,
    pub(crate) size: u64,
    pub(crate) entry: u64,
    pub(crate) name: String,
}

impl std::fmt::Debug for NtfsStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NtfsStream")
            .field("entry", &self.entry)
            .field("name", &self.name)
            .field("size", &self.size)
            .field("kind", &self.kind())
            .finish()
    }
}

impl NtfsStream {
    /// Logical size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// MFT entry the stream belongs to.
    pub fn entry(&self) -> u64 {
        self.entry
    }

    /// Stream name (`""` for the unnamed data stream).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How the bytes are stored.
    pub fn kind(&self) -> StreamKind {
        match self.inner {
            Inner::Resident(_) => StreamKind::Resident,
            Inner::Runs(_) => StreamKind::NonResident,
            Inner::Compressed(_) => StreamKind::Compressed,
            Inner::Wof(_) => StreamKind::Wof,
        }
    }

    /// The run list (empty for resident streams; for WOF streams, the runs
    /// of the `WofCompressedData` stream).
    pub fn runs(&self) -> &[Run] {
        match &self.inner {
            Inner::Resident(_) => &[],
            Inner::Runs(r) => &r.runs,
            Inner::Compressed(c) => &c.runs.runs,
            Inner::Wof(w) => w.source.runs(),
        }
    }

    /// Cluster size of the volume (0 for resident streams).
    pub fn cluster_size(&self) -> u64 {
        match &self.inner {
            Inner::Resident(_) => 0,
            Inner::Runs(r) => r.cluster,
            Inner::Compressed(c) => c.runs.cluster,
            Inner::Wof(w) => w.source.cluster_size(),
        }
    }

    /// Logical byte ranges backed by clusters (everything else reads as
    /// zeros). For a sparse `$UsnJrnl:$J` this is the live tail, so a
    /// reader can skip the sparse prefix without reading zeros. Resident
    /// streams report one range at volume offset 0 (not on the volume).
    /// For compressed streams the ranges are those of compression units
    /// holding data (logical offsets, unit-aligned).
    pub fn allocated_ranges(&self) -> Vec<AllocatedRange> {
        match &self.inner {
            Inner::Resident(d) => {
                if d.is_empty() {
                    vec![]
                } else {
                    vec![AllocatedRange {
                        offset: 0,
                        length: d.len() as u64,
                        volume_offset: 0,
                    }]
                }
            }
            Inner::Runs(r) => r.allocated_ranges(),
            Inner::Compressed(c) => {
                let us = c.unit_size();
                let mut out: Vec<AllocatedRange> = Vec::new();
                for r in c.runs.allocated_ranges() {
                    let s = r.offset / us * us;
                    let e = (r.offset + r.length).div_ceil(us) * us;
                    let e = e.min(c.runs.data_size);
                    if let Some(last) = out.last_mut() {
                        if last.offset + last.length >= s {
                            last.length = last.length.max(e - last.offset);
                            continue;
                        }
                    }
                    out.push(AllocatedRange {
                        offset: s,
                        length: e.saturating_sub(s),
                        volume_offset: r.volume_offset,
                    });
                }
                out
            }
            Inner::Wof(w) => vec![AllocatedRange {
                offset: 0,
                length: w.size,
                volume_offset: 0,
            }],
        }
    }

    /// Reads the whole stream, failing when it is larger than `cap` bytes.
    pub fn read_all(&self, cap: u64) -> Result<Vec<u8>> {
        if self.size > cap {
            return Err(Error::TooLarge {
                what: "stream",
                size: self.size,
                cap,
            });
        }
        let mut v = vec![0u8; self.size as usize];
        rift_io::read_exact_at(self, 0, &mut v).map_err(|e| Error::io(0, e))?;
        Ok(v)
    }
}

impl ReadAt for NtfsStream {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        match &self.inner {
            Inner::Resident(d) => d.read_at(offset, buf),
            Inner::Runs(r) => r.read_at(offset, buf),
            Inner::Compressed(c) => c.read_at(offset, buf),
            Inner::Wof(w) => w.read_at(offset, buf),
        }
    }

    fn size(&self) -> u64 {
        self.size
    }
}
