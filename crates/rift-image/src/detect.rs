//! Container detection by magic bytes.
//!
//! Sources: containers.md §1 (EWF), §3 (qcow2 `QFI\xfb` BE magic at 0; VHD
//! `conectix` footer in the last 512 bytes, copied at 0 for dynamic disks;
//! VHDX `vhdxfile` at 0; VMDK `KDMV` sparse header or a `# Disk
//! DescriptorFile` text descriptor).

use std::path::Path;

/// The container format of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageFormat {
    /// EnCase EWF v1 (E01/S01/L01), possibly split.
    Ewf,
    /// A raw (dd) image.
    Raw,
    /// A raw image split into several files (`.001`, `.002`, … or `.aa`,
    /// `.ab`, …).
    SplitRaw,
    /// QEMU qcow2.
    Qcow2,
    /// Virtual PC / Hyper-V VHD (fixed or dynamic).
    Vhd,
    /// Hyper-V VHDX.
    Vhdx,
    /// VMware VMDK.
    Vmdk,
}

impl ImageFormat {
    /// Short lower-case name (`ewf`, `raw`, `split-raw`, `qcow2`, …).
    pub fn name(self) -> &'static str {
        match self {
            ImageFormat::Ewf => "ewf",
            ImageFormat::Raw => "raw",
            ImageFormat::SplitRaw => "split-raw",
            ImageFormat::Qcow2 => "qcow2",
            ImageFormat::Vhd => "vhd",
            ImageFormat::Vhdx => "vhdx",
            ImageFormat::Vmdk => "vmdk",
        }
    }
}

impl std::fmt::Display for ImageFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ImageFormat::Ewf => "EWF (EnCase)",
            ImageFormat::Raw => "raw",
            ImageFormat::SplitRaw => "split raw",
            ImageFormat::Qcow2 => "qcow2",
            ImageFormat::Vhd => "VHD",
            ImageFormat::Vhdx => "VHDX",
            ImageFormat::Vmdk => "VMDK",
        })
    }
}

/// The format given a file's first bytes and its last 512 bytes (for the
/// VHD footer). Raw data has no signature: anything unrecognised is raw
/// (split raw is decided from the file names by [`crate::open`]).
pub fn detect_format(head: &[u8], tail: &[u8]) -> ImageFormat {
    if rift_ewf::is_ewf(head)
        || head.starts_with(b"EVF2")
        || head.starts_with(b"LEF2")
        || head.starts_with(b"ADCRYPT\0")
    {
        return ImageFormat::Ewf;
    }
    if head.starts_with(b"QFI\xfb") {
        return ImageFormat::Qcow2;
    }
    if head.starts_with(b"vhdxfile") {
        return ImageFormat::Vhdx;
    }
    if head.starts_with(b"KDMV") || head.starts_with(b"COWD") || is_vmdk_descriptor(head) {
        return ImageFormat::Vmdk;
    }
    if head.starts_with(b"conectix") || tail.starts_with(b"conectix") {
        return ImageFormat::Vhd;
    }
    ImageFormat::Raw
}

fn is_vmdk_descriptor(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head.get(..head.len().min(1024)).unwrap_or_default());
    text.starts_with("# Disk DescriptorFile")
        || (text.contains("createType=") && text.contains("version="))
}

/// For `x.001` / `x.aa` (and their upper-case spellings): the sibling naming
/// scheme of a split raw image. Returns the path of part `index` (0-based).
pub(crate) fn split_part_name(first: &Path, index: u32) -> Option<std::path::PathBuf> {
    let ext = first.extension()?.to_str()?;
    let b = ext.as_bytes();
    if b.len() >= 2 && b.iter().all(|c| c.is_ascii_digit()) {
        // .000/.001 … keep the width; numbering starts at the first file's number.
        let start: u32 = ext.parse().ok()?;
        let n = start.checked_add(index)?;
        let s = format!("{n:0width$}", width = b.len());
        if s.len() != b.len() {
            return None;
        }
        return Some(first.with_extension(s));
    }
    if b.len() == 2 && b.iter().all(|c| c.is_ascii_alphabetic()) {
        let lower = b.iter().all(|c| c.is_ascii_lowercase());
        let upper = b.iter().all(|c| c.is_ascii_uppercase());
        if !lower && !upper {
            return None;
        }
        let base = if lower { b'a' } else { b'A' };
        let v = u32::from(b.first()? - base) * 26 + u32::from(b.get(1)? - base) + index;
        if v >= 26 * 26 {
            return None;
        }
        let s: String = [
            (base + (v / 26) as u8) as char,
            (base + (v % 26) as u8) as char,
        ]
        .iter()
        .collect();
        return Some(first.with_extension(s));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic() {
        assert_eq!(detect_format(b"EVF\t\r\n\xff\0\x01", b""), ImageFormat::Ewf);
        assert_eq!(detect_format(b"QFI\xfb\0\0\0\x03", b""), ImageFormat::Qcow2);
        assert_eq!(detect_format(b"vhdxfile", b""), ImageFormat::Vhdx);
        assert_eq!(detect_format(b"KDMV\x01\0\0\0", b""), ImageFormat::Vmdk);
        assert_eq!(
            detect_format(&[0u8; 512], b"conectix\0\0"),
            ImageFormat::Vhd
        );
        assert_eq!(detect_format(&[0u8; 512], &[0u8; 512]), ImageFormat::Raw);
    }

    #[test]
    fn split_names() {
        let p = Path::new("/e/disk.001");
        assert_eq!(split_part_name(p, 1).unwrap(), Path::new("/e/disk.002"));
        assert_eq!(split_part_name(p, 998).unwrap(), Path::new("/e/disk.999"));
        assert!(split_part_name(p, 999).is_none());
        let p = Path::new("disk.aa");
        assert_eq!(split_part_name(p, 1).unwrap(), Path::new("disk.ab"));
        assert_eq!(split_part_name(p, 26).unwrap(), Path::new("disk.ba"));
        assert!(split_part_name(Path::new("disk.raw"), 1).is_none());
    }
}
