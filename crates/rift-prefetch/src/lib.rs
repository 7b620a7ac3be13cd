//! Windows Prefetch (`.pf`, signature `SCCA`), versions 17 (XP/2003),
//! 23 (Vista/7), 26 (8.x/2012), 30 (Windows 10) and 31 (Windows 11),
//! including the `MAM` container that Windows 8.1+ wraps them in
//! (Xpress Huffman compression, decoded by our own [`xpress`] module).
//!
//! Prefetch answers "which program ran, how often, when (last eight
//! times), and what did it load": the executable name, the path hash from
//! the file name, the run count, up to eight last-run times, the volumes
//! (device path, serial number, creation time) with the directories
//! referenced on each, and every file loaded in the first seconds.
//!
//! ```no_run
//! let bytes = std::fs::read("CALC.EXE-3FBEF7FD.pf").unwrap();
//! let pf = rift_prefetch::parse(&bytes).unwrap();
//! println!("{} ran {} times", pf.executable_name, pf.run_count);
//! for t in pf.run_timestamps() {
//!     println!("  {t}");
//! }
//! ```
//!
//! The parser is lenient past the header: a damaged metrics array, volume
//! block or string table becomes a [`Warning`] with its byte offset (in the
//! decompressed data) and the rest is still returned. Only a file that is
//! not prefetch at all (signature, version, truncated header, undecodable
//! compression) is an [`Error`].
//!
//! Sources: libyal/libscca `documentation/Windows Prefetch File (PF)
//! format.asciidoc`; Microsoft [MS-XCA] §2.2 (Xpress Huffman); our notes
//! `shared/docs/formats/artifacts.md` §4 (layouts checked on the fixtures
//! against `sccainfo`).
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::indexing_slicing))]

pub mod mam;
mod scca;
pub mod xpress;

pub use rift_io::time::FileTime;
pub use scca::parse_uncompressed;

/// Largest decompressed size we accept from a `MAM` header (real prefetch
/// files are well under 2 MiB; SuperFetch databases reach a few MiB).
pub const MAX_DECOMPRESSED: usize = 64 << 20;

/// Errors for input that is not a readable prefetch file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A structure runs past the end of the data.
    #[error("{what} at byte {offset:#x} is truncated")]
    Truncated {
        /// The structure being read.
        what: &'static str,
        /// Byte position (in the decompressed data for SCCA structures).
        offset: u64,
    },
    /// A structure holds impossible values.
    #[error("{what} at byte {offset:#x}")]
    Corrupt {
        /// What is wrong.
        what: &'static str,
        /// Byte position.
        offset: u64,
    },
    /// Neither `SCCA` (at 4) nor `MAM` (at 0).
    #[error("not a prefetch file: signature {found:02x?} at byte {offset:#x}")]
    BadSignature {
        /// Byte position of the signature.
        offset: u64,
        /// The bytes found there.
        found: [u8; 4],
    },
    /// A format version this parser does not know.
    #[error("unsupported prefetch format version {version} at byte 0x0")]
    UnsupportedVersion {
        /// The version field.
        version: u32,
    },
    /// A `MAM` header with a compression algorithm other than Xpress Huffman.
    #[error("unsupported MAM compression algorithm {algorithm:#04x} at byte 0x3")]
    UnsupportedCompression {
        /// The algorithm byte.
        algorithm: u8,
    },
    /// A declared size above [`MAX_DECOMPRESSED`].
    #[error("declared decompressed size {size} at byte 0x4 exceeds the limit")]
    TooLarge {
        /// The declared size.
        size: u64,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A problem found while reading one part of an otherwise readable file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Byte position in the (decompressed) SCCA data.
    pub offset: u64,
    /// What could not be read.
    pub message: String,
}

/// The SCCA format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Version {
    /// 17: Windows XP, Server 2003.
    WinXp,
    /// 23: Windows Vista, 7, Server 2008.
    Vista7,
    /// 26: Windows 8.0, 8.1, Server 2012 (R2).
    Win8,
    /// 30: Windows 10 (and early 11).
    Win10,
    /// 31: Windows 11.
    Win11,
}

impl Version {
    /// The version for a raw header value.
    pub fn from_raw(v: u32) -> Option<Version> {
        Some(match v {
            17 => Version::WinXp,
            23 => Version::Vista7,
            26 => Version::Win8,
            30 => Version::Win10,
            31 => Version::Win11,
            _ => return None,
        })
    }

    /// The raw header value.
    pub fn raw(self) -> u32 {
        match self {
            Version::WinXp => 17,
            Version::Vista7 => 23,
            Version::Win8 => 26,
            Version::Win10 => 30,
            Version::Win11 => 31,
        }
    }

    /// The label PECmd prints in its `Version` column.
    pub fn label(self) -> &'static str {
        match self {
            Version::WinXp => "Windows XP or Windows Server 2003",
            Version::Vista7 => "Windows Vista or Windows 7",
            Version::Win8 => "Windows 8.0, Windows 8.1, or Windows Server 2012(R2)",
            Version::Win10 => "Windows 10 or Windows 11",
            Version::Win11 => "Windows 11",
        }
    }
}

/// One entry of the file-metrics array: a file the program loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMetric {
    /// Full path as stored (`\VOLUME{…}\WINDOWS\…` or `\DEVICE\HARDDISKVOLUMEn\…`).
    pub filename: String,
    /// NTFS file reference (48-bit entry, 16-bit sequence); v23+ only,
    /// `None` when absent or zero.
    pub mft_reference: Option<u64>,
    /// Raw flags of the entry.
    pub flags: u32,
}

impl FileMetric {
    /// MFT entry number of [`FileMetric::mft_reference`].
    pub fn mft_entry(&self) -> Option<u64> {
        self.mft_reference.map(|r| r & 0xFFFF_FFFF_FFFF)
    }
    /// MFT sequence number of [`FileMetric::mft_reference`].
    pub fn mft_sequence(&self) -> Option<u16> {
        self.mft_reference.map(|r| (r >> 48) as u16)
    }
}

/// One volume the program touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// Device path (`\DEVICE\HARDDISKVOLUME2`, or `\VOLUME{<created>-<serial>}` on Windows 10).
    pub device_path: String,
    /// Volume creation time.
    pub created: FileTime,
    /// Volume serial number.
    pub serial: u32,
    /// Directories referenced on the volume, in stored order.
    pub directories: Vec<String>,
    /// NTFS file references recorded for the volume (often empty on Windows 10).
    pub file_references: Vec<u64>,
}

/// A parsed prefetch file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Prefetch {
    /// Format version.
    pub version: Version,
    /// Whether the file was `MAM`-compressed on disk.
    pub compressed: bool,
    /// The executable name from the header (≤ 29 characters; longer names are cut).
    pub executable_name: String,
    /// The prefetch hash (the hex suffix of the file name).
    pub hash: u32,
    /// The size field of the header (= decompressed size).
    pub file_size: u32,
    /// Header flags (0x1 = boot prefetch).
    pub flags: u32,
    /// How many times the program ran.
    pub run_count: u32,
    /// Last run times, newest first, empty slots dropped (1 slot before
    /// version 26, 8 from 26 on).
    pub last_run_times: Vec<FileTime>,
    /// Files loaded, from the filename-strings table (what `sccainfo` lists).
    pub filenames: Vec<String>,
    /// The file-metrics array, with each entry's name resolved.
    pub metrics: Vec<FileMetric>,
    /// Volumes with their directories.
    pub volumes: Vec<Volume>,
    /// Parts that could not be read (the rest is still returned).
    pub warnings: Vec<Warning>,
}

impl Prefetch {
    /// The last run times as UTC timestamps (newest first), skipping values
    /// outside the representable range.
    pub fn run_timestamps(&self) -> impl Iterator<Item = jiff::Timestamp> + '_ {
        self.last_run_times.iter().filter_map(|t| t.to_timestamp())
    }

    /// All directories of all volumes, in order.
    pub fn directories(&self) -> impl Iterator<Item = &str> {
        self.volumes
            .iter()
            .flat_map(|v| v.directories.iter().map(String::as_str))
    }

    /// The full path of the executable itself, when the loaded-file list
    /// names it (the first file ending in `\<executable_name>`).
    pub fn executable_path(&self) -> Option<&str> {
        if self.executable_name.is_empty() {
            return None;
        }
        let suffix = format!("\\{}", self.executable_name.to_ascii_uppercase());
        self.filenames
            .iter()
            .find(|f| f.to_ascii_uppercase().ends_with(&suffix))
            .map(String::as_str)
    }
}

/// Whether `bytes` starts like a prefetch file (`MAM` container or SCCA
/// header), for picking files by content in a folder walk.
pub fn looks_like_prefetch(bytes: &[u8]) -> bool {
    bytes.get(0..3) == Some(b"MAM") || bytes.get(4..8) == Some(b"SCCA")
}

/// Parses a prefetch file from its bytes, decompressing a `MAM` container
/// first when present.
pub fn parse(bytes: &[u8]) -> Result<Prefetch> {
    if bytes.get(0..3) == Some(b"MAM") {
        let data = mam::decompress(bytes)?;
        let mut pf = scca::parse_uncompressed(&data)?;
        pf.compressed = true;
        Ok(pf)
    } else {
        scca::parse_uncompressed(bytes)
    }
}

#[cfg(test)]
mod tests;
