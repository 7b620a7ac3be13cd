//! Container detection by magic bytes.
//!
//! Sources: containers.md §1 (EWF), §3 (qcow2 `QFI\xfb` BE magic at 0; VHD
//! `conectix` footer in the last 512 bytes, copied at 0 for dynamic disks;
//! VHDX `vhdxfile` at 0; VMDK `KDMV` sparse header or a `# Disk
//! DescriptorFile` text descriptor).

use rift_vdisk::VdiskKind;

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

/// The format given a file's first bytes (at least 1 KiB when available)
/// and its last 512 bytes (a fixed VHD has its footer only there). Raw data
/// has no signature: anything unrecognised is raw (split raw is decided
/// from the file names by [`crate::open`]).
pub fn detect_format(head: &[u8], tail: &[u8]) -> ImageFormat {
    if rift_ewf::is_ewf(head)
        || head.starts_with(b"EVF2")
        || head.starts_with(b"LEF2")
        || head.starts_with(b"ADCRYPT\0")
    {
        return ImageFormat::Ewf;
    }
    match rift_vdisk::detect_with_tail(head, tail) {
        Some(VdiskKind::Qcow2) => ImageFormat::Qcow2,
        Some(VdiskKind::Vhd) => ImageFormat::Vhd,
        Some(VdiskKind::Vhdx) => ImageFormat::Vhdx,
        Some(VdiskKind::VmdkSparse | VdiskKind::VmdkDescriptor) => ImageFormat::Vmdk,
        None => ImageFormat::Raw,
    }
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
        // A bare "conectix" at the end without a valid footer checksum is raw.
        assert_eq!(
            detect_format(&[0u8; 512], b"conectix\0\0"),
            ImageFormat::Raw
        );
        assert_eq!(detect_format(&[0u8; 512], &[0u8; 512]), ImageFormat::Raw);
    }
}
