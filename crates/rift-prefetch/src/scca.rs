//! The uncompressed SCCA structure: header, file information, metrics
//! array, filename strings and volumes.
//!
//! Sources: libyal/libscca `documentation/Windows Prefetch File (PF)
//! format.asciidoc` (sections "File header", "File information", "File
//! metrics array", "Volumes information"); artifacts.md §4.1–§4.3. All
//! offsets in this module are positions in the decompressed SCCA data.

use rift_io::bytes::{le_u16, le_u32, le_u64, slice, utf16le_lossy, utf16le_nul_terminated};
use rift_io::time::FileTime;

use crate::{Error, FileMetric, Prefetch, Result, Version, Volume, Warning};

/// Size of the file header.
const HEADER_SIZE: usize = 84;
/// Offset of the executable name (UTF-16, 60 bytes) in the header.
const NAME_OFFSET: usize = 16;
const NAME_BYTES: usize = 60;

/// Version-dependent layout of the file-information block and arrays.
struct Layout {
    /// Offset of the first last-run time, relative to the file information.
    run_times_at: usize,
    /// Number of last-run time slots.
    run_time_slots: usize,
    /// Offset of the run count, relative to the file information.
    run_count_at: usize,
    /// Size of the file information block (the run count must fit in it).
    info_size: usize,
    /// Size of one file-metrics entry.
    metric_size: usize,
    /// Size of one volume entry.
    volume_size: usize,
}

fn layout(version: Version, metrics_offset: u32) -> Layout {
    match version {
        Version::WinXp => Layout {
            run_times_at: 36,
            run_time_slots: 1,
            run_count_at: 60,
            info_size: 68,
            metric_size: 20,
            volume_size: 40,
        },
        Version::Vista7 => Layout {
            run_times_at: 44,
            run_time_slots: 1,
            run_count_at: 68,
            info_size: 156,
            metric_size: 32,
            volume_size: 104,
        },
        Version::Win8 => Layout {
            run_times_at: 44,
            run_time_slots: 8,
            run_count_at: 124,
            info_size: 220,
            metric_size: 32,
            volume_size: 104,
        },
        // Windows 10 has two file-information layouts, told apart by where
        // the metrics array starts (right after the block): 0x130 = 220
        // bytes with the run count at 124; 0x128 = 212 bytes with the run
        // count at 116 (later Windows 10 builds and version 31).
        Version::Win10 | Version::Win11 => {
            let short = metrics_offset as usize == HEADER_SIZE + 212;
            Layout {
                run_times_at: 44,
                run_time_slots: 8,
                run_count_at: if short { 116 } else { 124 },
                info_size: if short { 212 } else { 220 },
                metric_size: 32,
                volume_size: 96,
            }
        }
    }
}

/// Parses SCCA bytes that are already decompressed.
pub fn parse_uncompressed(data: &[u8]) -> Result<Prefetch> {
    let sig = rift_io::bytes::array::<4>(data, 4).ok_or(Error::Truncated {
        what: "prefetch header",
        offset: 0,
    })?;
    if &sig != b"SCCA" {
        return Err(Error::BadSignature {
            offset: 4,
            found: sig,
        });
    }
    let raw_version = le_u32(data, 0).unwrap_or(0);
    let version = Version::from_raw(raw_version).ok_or(Error::UnsupportedVersion {
        version: raw_version,
    })?;
    let header = slice(data, 0, HEADER_SIZE).ok_or(Error::Truncated {
        what: "prefetch header",
        offset: 0,
    })?;
    let file_size = le_u32(header, 12).unwrap_or(0);
    let executable_name =
        utf16le_nul_terminated(slice(header, NAME_OFFSET, NAME_BYTES).unwrap_or_default());
    let hash = le_u32(header, 76).unwrap_or(0);
    let flags = le_u32(header, 80).unwrap_or(0);

    // The common first 36 bytes of the file information.
    let info = |i: usize| le_u32(data, HEADER_SIZE + 4 * i);
    let tr = || Error::Truncated {
        what: "prefetch file information",
        offset: HEADER_SIZE as u64,
    };
    let metrics_offset = info(0).ok_or_else(tr)?;
    let metrics_count = info(1).ok_or_else(tr)?;
    let strings_offset = info(4).ok_or_else(tr)?;
    let strings_size = info(5).ok_or_else(tr)?;
    let volumes_offset = info(6).ok_or_else(tr)?;
    let volume_count = info(7).ok_or_else(tr)?;
    let volumes_size = info(8).ok_or_else(tr)?;

    let lay = layout(version, metrics_offset);
    let info_block = slice(data, HEADER_SIZE, lay.info_size).ok_or(Error::Truncated {
        what: "prefetch file information",
        offset: HEADER_SIZE as u64,
    })?;
    let last_run_times = (0..lay.run_time_slots)
        .filter_map(|i| le_u64(info_block, lay.run_times_at + 8 * i))
        .filter(|&t| t != 0)
        .map(FileTime)
        .collect();
    let run_count = le_u32(info_block, lay.run_count_at).unwrap_or(0);

    let mut warnings = Vec::new();

    // Filename strings: UTF-16, NUL-terminated, concatenated.
    let strings = match slice(data, strings_offset as usize, strings_size as usize) {
        Some(s) => s,
        None => {
            warnings.push(Warning {
                offset: u64::from(strings_offset),
                message: format!(
                    "filename strings ({strings_size} bytes) run past the end of the data ({} bytes)",
                    data.len()
                ),
            });
            data.get(strings_offset as usize..).unwrap_or_default()
        }
    };
    let filenames = split_utf16_strings(strings);

    let metrics = read_metrics(
        data,
        &lay,
        metrics_offset,
        metrics_count,
        strings,
        &mut warnings,
    );
    let volumes = read_volumes(
        data,
        &lay,
        version,
        volumes_offset,
        volume_count,
        volumes_size,
        &mut warnings,
    );

    Ok(Prefetch {
        version,
        compressed: false,
        executable_name,
        hash,
        file_size,
        flags,
        run_count,
        last_run_times,
        filenames,
        metrics,
        volumes,
        warnings,
    })
}

/// Splits a block of NUL-terminated UTF-16 strings. A trailing string
/// without NUL is kept; empty strings (padding) are dropped.
fn split_utf16_strings(block: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut i = 0usize;
    while let Some(unit) = le_u16(block, i) {
        if unit == 0 {
            if i > start {
                out.push(utf16le_lossy(block.get(start..i).unwrap_or_default()));
            }
            start = i + 2;
        }
        i += 2;
    }
    if i > start {
        out.push(utf16le_lossy(block.get(start..i).unwrap_or_default()));
    }
    out
}

fn read_metrics(
    data: &[u8],
    lay: &Layout,
    offset: u32,
    count: u32,
    strings: &[u8],
    warnings: &mut Vec<Warning>,
) -> Vec<FileMetric> {
    let mut out = Vec::new();
    // Never trust the count beyond what the data can hold.
    let fits = data.len().saturating_sub(offset as usize) / lay.metric_size;
    if count as usize > fits {
        warnings.push(Warning {
            offset: u64::from(offset),
            message: format!("file metrics array declares {count} entries, data holds {fits}"),
        });
    }
    let (name_at, flags_at) = if lay.metric_size == 20 {
        (8, 16)
    } else {
        (12, 20)
    };
    for i in 0..(count as usize).min(fits) {
        let at = offset as usize + i * lay.metric_size;
        let Some(e) = slice(data, at, lay.metric_size) else {
            break;
        };
        let name_off = le_u32(e, name_at).unwrap_or(0) as usize;
        let name_chars = le_u32(e, name_at + 4).unwrap_or(0) as usize;
        let filename = match name_chars
            .checked_mul(2)
            .and_then(|n| slice(strings, name_off, n))
        {
            Some(b) => utf16le_lossy(b),
            None => {
                warnings.push(Warning {
                    offset: at as u64,
                    message: format!(
                        "file metric {i}: name ({name_chars} chars at {name_off:#x}) outside the filename strings"
                    ),
                });
                String::new()
            }
        };
        let mft_reference = if lay.metric_size == 32 {
            le_u64(e, 24).filter(|&r| r != 0)
        } else {
            None
        };
        out.push(FileMetric {
            filename,
            mft_reference,
            flags: le_u32(e, flags_at).unwrap_or(0),
        });
    }
    out
}

fn read_volumes(
    data: &[u8],
    lay: &Layout,
    version: Version,
    offset: u32,
    count: u32,
    size: u32,
    warnings: &mut Vec<Warning>,
) -> Vec<Volume> {
    let base = offset as usize;
    let block = match slice(data, base, size as usize) {
        Some(b) => b,
        None => {
            warnings.push(Warning {
                offset: u64::from(offset),
                message: format!(
                    "volumes information ({size} bytes) runs past the end of the data ({} bytes)",
                    data.len()
                ),
            });
            data.get(base..).unwrap_or_default()
        }
    };
    let fits = block.len() / lay.volume_size;
    if count as usize > fits {
        warnings.push(Warning {
            offset: u64::from(offset),
            message: format!("volumes information declares {count} volumes, block holds {fits}"),
        });
    }
    let mut out = Vec::new();
    for i in 0..(count as usize).min(fits) {
        let at = i * lay.volume_size;
        let Some(e) = slice(block, at, lay.volume_size) else {
            break;
        };
        let field = |o: usize| le_u32(e, o).unwrap_or(0) as usize;
        let abs = |o: usize| (base + o) as u64;

        let dev_off = field(0);
        let dev_chars = field(4);
        let device_path = match dev_chars
            .checked_mul(2)
            .and_then(|n| slice(block, dev_off, n))
        {
            Some(b) => utf16le_lossy(b),
            None => {
                warnings.push(Warning {
                    offset: abs(at),
                    message: format!("volume {i}: device path outside the volumes block"),
                });
                String::new()
            }
        };
        let created = FileTime(le_u64(e, 8).unwrap_or(0));
        let serial = le_u32(e, 16).unwrap_or(0);

        // File references: u32 version, u32 count, (v23+: 8 more bytes),
        // then u64 references.
        let refs_off = field(20);
        let refs_size = field(24);
        let mut file_references = Vec::new();
        if refs_off != 0 && refs_size != 0 {
            match slice(block, refs_off, refs_size) {
                Some(r) => {
                    let n = le_u32(r, 4).unwrap_or(0) as usize;
                    let first = if version == Version::WinXp { 8 } else { 16 };
                    let fits = r.len().saturating_sub(first) / 8;
                    file_references = (0..n.min(fits))
                        .filter_map(|k| le_u64(r, first + 8 * k))
                        .collect();
                }
                None => warnings.push(Warning {
                    offset: abs(refs_off),
                    message: format!("volume {i}: file references outside the volumes block"),
                }),
            }
        }

        // Directory strings: u16 char count, the chars, a NUL.
        let dir_off = field(28);
        let dir_count = field(32);
        let mut directories = Vec::new();
        let mut p = dir_off;
        for k in 0..dir_count {
            let Some(chars) = le_u16(block, p) else {
                warnings.push(Warning {
                    offset: abs(p),
                    message: format!(
                        "volume {i}: directory string {k} of {dir_count} outside the volumes block"
                    ),
                });
                break;
            };
            let n = usize::from(chars) * 2;
            let Some(s) = slice(block, p + 2, n) else {
                warnings.push(Warning {
                    offset: abs(p),
                    message: format!("volume {i}: directory string {k} is truncated"),
                });
                break;
            };
            directories.push(utf16le_lossy(s));
            p += 2 + n + 2;
        }

        out.push(Volume {
            device_path,
            created,
            serial,
            directories,
            file_references,
        });
    }
    out
}
