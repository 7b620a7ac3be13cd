//! Virtual-disk containers as positional readers.
//!
//! An analyst sometimes receives a VM disk instead of an E01: qcow2 (v2/v3,
//! zlib-compressed clusters), VHD (fixed, dynamic), VHDX, VMDK (monolithic
//! sparse, stream-optimised, flat and split extents through a descriptor),
//! or a raw image split into `.001, .002 …` pieces. Each format here is
//! opened from a [`rift_io::ReadAt`] and exposed as a `ReadAt` over the
//! *virtual* disk, so the volume and file-system layers above never know
//! which container they read.
//!
//! Why our own code: the crates that exist each cover one format, are
//! unmaintained or need `Read + Seek + 'static` ownership models that do not
//! fit positional, shared, thread-safe reading; the formats are small and
//! documented (sources on each module).
//!
//! Hostile input: every table offset is checked against the file size,
//! allocations are capped (tables are read in bounded pieces and cached),
//! compressed clusters inflate to at most one cluster, and loops (a VMDK
//! descriptor naming itself) are refused.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rift_io::{ReadAt, SharedReader};

mod cache;
pub mod qcow2;
pub mod split;
pub mod vhd;
pub mod vhdx;
pub mod vmdk;

pub use split::SplitRaw;

/// Errors opening a virtual disk. Every variant that concerns on-disk data
/// carries the byte offset in the container file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the container failed.
    #[error("I/O error at container offset {offset:#x}: {source}")]
    Io {
        /// Offset of the failed read.
        offset: u64,
        /// The underlying error.
        source: io::Error,
    },
    /// A structure does not start with its signature.
    #[error("{what}: bad signature at offset {offset:#x}")]
    BadMagic {
        /// Which structure.
        what: &'static str,
        /// Where it was expected.
        offset: u64,
    },
    /// A field holds a value the format does not allow.
    #[error("{what} at offset {offset:#x} is invalid: {detail}")]
    Corrupt {
        /// Which field or structure.
        what: &'static str,
        /// Where it is.
        offset: u64,
        /// Why it was rejected.
        detail: String,
    },
    /// A valid feature this reader does not implement (encryption, backing
    /// files, differencing disks …).
    #[error("unsupported {format} feature: {feature}")]
    Unsupported {
        /// The container format.
        format: &'static str,
        /// What is not supported.
        feature: String,
    },
}

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) fn read_exact(r: &dyn ReadAt, offset: u64, buf: &mut [u8]) -> Result<()> {
    rift_io::read_exact_at(r, offset, buf).map_err(|source| Error::Io { offset, source })
}

pub(crate) fn read_vec(r: &dyn ReadAt, offset: u64, len: usize) -> Result<Vec<u8>> {
    // Never allocate more than the file can hold.
    let avail = r.size().saturating_sub(offset);
    if len as u64 > avail {
        return Err(Error::Corrupt {
            what: "structure length",
            offset,
            detail: format!("{len} bytes wanted, {avail} available"),
        });
    }
    let mut v = vec![0u8; len];
    read_exact(r, offset, &mut v)?;
    Ok(v)
}

/// The container formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VdiskKind {
    /// QEMU copy-on-write v2/v3.
    Qcow2,
    /// Virtual PC / Hyper-V VHD (fixed or dynamic).
    Vhd,
    /// Hyper-V VHDX.
    Vhdx,
    /// VMware VMDK sparse extent (`KDMV`), monolithic or stream-optimised.
    VmdkSparse,
    /// VMware VMDK text descriptor naming extent files.
    VmdkDescriptor,
}

impl VdiskKind {
    /// A short lowercase name (`qcow2`, `vhd`, `vhdx`, `vmdk`).
    pub fn name(self) -> &'static str {
        match self {
            VdiskKind::Qcow2 => "qcow2",
            VdiskKind::Vhd => "vhd",
            VdiskKind::Vhdx => "vhdx",
            VdiskKind::VmdkSparse | VdiskKind::VmdkDescriptor => "vmdk",
        }
    }
}

/// Recognises a container from the first bytes of a file (give at least
/// 1 KiB). A *fixed* VHD has its signature only in the last 512 bytes; use
/// [`detect_with_tail`] for it.
pub fn detect(head: &[u8]) -> Option<VdiskKind> {
    if head.starts_with(b"QFI\xfb") {
        Some(VdiskKind::Qcow2)
    } else if head.starts_with(b"vhdxfile") {
        Some(VdiskKind::Vhdx)
    } else if head.starts_with(b"conectix") {
        Some(VdiskKind::Vhd)
    } else if head.starts_with(b"KDMV") {
        Some(VdiskKind::VmdkSparse)
    } else if vmdk::looks_like_descriptor(head) {
        Some(VdiskKind::VmdkDescriptor)
    } else {
        None
    }
}

/// [`detect`], plus a fixed VHD recognised by its footer (`tail` = the last
/// 512 bytes of the file; the footer's checksum must verify so a raw disk
/// that happens to end with the word `conectix` is not misread).
pub fn detect_with_tail(head: &[u8], tail: &[u8]) -> Option<VdiskKind> {
    detect(head).or_else(|| vhd::footer_is_valid(tail).then_some(VdiskKind::Vhd))
}

/// Facts about an opened virtual disk, for `rift info`.
#[derive(Debug, Clone, Default)]
pub struct VdiskInfo {
    /// Format name and variant, e.g. `qcow2 v3` or `vmdk monolithicSparse`.
    pub format: String,
    /// Size of the virtual disk in bytes.
    pub virtual_size: u64,
    /// Allocation unit (cluster, block or grain) in bytes, when the format has one.
    pub block_size: Option<u64>,
    /// Logical sector size when the container records one (VHDX), else `None`.
    pub sector_size: Option<u32>,
    /// Files that make up the disk, in order (VMDK extents, split pieces).
    pub extents: Vec<String>,
    /// Oddities found while opening (dirty flags, unreplayed logs …).
    pub warnings: Vec<String>,
}

/// An opened virtual disk: its bytes and what we learned about it.
#[derive(Clone)]
pub struct Vdisk {
    /// The virtual disk as a positional reader.
    pub reader: SharedReader,
    /// Metadata.
    pub info: VdiskInfo,
}

impl std::fmt::Debug for Vdisk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vdisk").field("info", &self.info).finish()
    }
}

/// Opens a container of a known kind. `resolve_extent` turns a file name
/// found inside a VMDK descriptor into a reader (the caller decides how
/// names map to files; pass a function that refuses everything when the
/// format has no extents).
pub fn open_with_info(
    kind: VdiskKind,
    inner: SharedReader,
    resolve_extent: &dyn Fn(&str) -> io::Result<SharedReader>,
) -> Result<Vdisk> {
    match kind {
        VdiskKind::Qcow2 => qcow2::Qcow2::open(inner).map(|q| q.into_vdisk()),
        VdiskKind::Vhd => vhd::Vhd::open(inner).map(|v| v.into_vdisk()),
        VdiskKind::Vhdx => vhdx::Vhdx::open(inner).map(|v| v.into_vdisk()),
        VdiskKind::VmdkSparse => vmdk::open_sparse(inner),
        VdiskKind::VmdkDescriptor => vmdk::open_descriptor(inner, resolve_extent),
    }
}

/// [`open_with_info`] returning only the reader.
pub fn open(
    kind: VdiskKind,
    inner: SharedReader,
    resolve_extent: &dyn Fn(&str) -> io::Result<SharedReader>,
) -> Result<SharedReader> {
    open_with_info(kind, inner, resolve_extent).map(|v| v.reader)
}

/// A resolver for VMDK extent names relative to the folder of the
/// descriptor file: only plain file names (no separators, no `..`) are
/// accepted, so a descriptor cannot point rift at arbitrary host files.
pub fn sibling_resolver(descriptor: &Path) -> impl Fn(&str) -> io::Result<SharedReader> + use<> {
    let dir: PathBuf = descriptor
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    move |name: &str| {
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("extent name {name:?} is not a plain file name next to the descriptor"),
            ));
        }
        let f = std::fs::File::open(dir.join(name))?;
        Ok(Arc::new(f) as SharedReader)
    }
}

/// A resolver that refuses every extent name.
pub fn no_extents(name: &str) -> io::Result<SharedReader> {
    Err(io::Error::new(
        io::ErrorKind::NotFound,
        format!("extent {name:?} cannot be opened here"),
    ))
}

#[cfg(test)]
pub(crate) mod tests_support {
    use std::path::{Path, PathBuf};

    use rift_io::ReadAt;

    /// Converts a raw file with `qemu-img convert -O <fmt> -o <opts>` into a
    /// temporary folder; returns the folder (kept alive) and the image path.
    pub fn qemu_convert(src: &Path, fmt: &str, opts: &[&str]) -> (rift_testutil::TempDir, PathBuf) {
        rift_testutil::require_tool("qemu-img");
        let dir = rift_testutil::TempDir::new(&format!("qemu-{fmt}"));
        let out = dir.path().join(format!("t.{fmt}"));
        let mut cmd = std::process::Command::new("qemu-img");
        cmd.args(["convert", "-q", "-O", fmt]);
        if !opts.is_empty() {
            cmd.arg("-o").arg(opts.join(","));
        }
        let st = cmd.arg(src).arg(&out).status().unwrap();
        assert!(st.success(), "qemu-img convert to {fmt} {opts:?} failed");
        (dir, out)
    }

    /// Asserts that `r` reads exactly like the file at `src`, and as zeros
    /// past its end (containers round sizes up).
    pub fn compare_reader_with_file(r: &dyn ReadAt, src: &Path, what: &str) {
        let want = std::fs::read(src).unwrap();
        assert!(
            r.size() >= want.len() as u64,
            "{what}: size {} < {}",
            r.size(),
            want.len()
        );
        let mut got = vec![0u8; r.size() as usize];
        // Odd-sized reads to cross block boundaries.
        let mut off = 0usize;
        while off < got.len() {
            let end = (off + 777_777).min(got.len());
            rift_io::read_exact_at(r, off as u64, &mut got[off..end]).unwrap();
            off = end;
        }
        assert!(
            got[..want.len()] == want[..],
            "{what}: data differs from the source"
        );
        assert!(
            got[want.len()..].iter().all(|&b| b == 0),
            "{what}: tail not zero"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_magic() {
        assert_eq!(detect(b"QFI\xfb\0\0\0\x03"), Some(VdiskKind::Qcow2));
        assert_eq!(detect(b"vhdxfile"), Some(VdiskKind::Vhdx));
        assert_eq!(detect(b"KDMV\x01\0\0\0"), Some(VdiskKind::VmdkSparse));
        assert_eq!(
            detect(b"# Disk DescriptorFile\nversion=1\n"),
            Some(VdiskKind::VmdkDescriptor)
        );
        assert_eq!(detect(&[0u8; 512]), None);
        assert_eq!(detect_with_tail(&[0u8; 512], b"conectix"), None);
    }
}
