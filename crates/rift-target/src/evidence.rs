//! Opening an image and its NTFS volumes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rift_image::Image;
use rift_io::{ReadAt, SharedReader, SubRange};
use rift_ntfs::Ntfs;
use rift_volume::{FsKind, Partition, VolumeSystem};

use crate::{Error, Result};

/// Which volume a command works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VolumeSelect {
    /// The largest NTFS volume (the system drive, usually).
    #[default]
    Largest,
    /// Partition number `N` as `rift info` lists it.
    Index(usize),
    /// A volume starting at this byte offset of the media (for images
    /// whose table is damaged, or bare volumes inside something else).
    Offset(u64),
}

/// An opened disk image with its partitions.
pub struct Evidence {
    /// The path given.
    pub path: PathBuf,
    /// The container and its media.
    pub image: Image,
    /// The partitions found on the media.
    pub volumes: VolumeSystem,
}

/// One NTFS volume of an image.
#[derive(Clone)]
pub struct NtfsVolume {
    /// Partition number, when the volume comes from the table.
    pub partition: Option<usize>,
    /// Start in bytes inside the media.
    pub start: u64,
    /// Length in bytes.
    pub len: u64,
    /// The opened file system.
    pub ntfs: Ntfs,
}

impl std::fmt::Debug for NtfsVolume {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NtfsVolume")
            .field("partition", &self.partition)
            .field("start", &self.start)
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl Evidence {
    /// Opens an image (any container) and scans its partition table.
    pub fn open(path: &Path) -> Result<Evidence> {
        let image = rift_image::open(path)?;
        let volumes = rift_volume::scan(&*image.reader, image.sector_size).map_err(|source| {
            Error::Volume {
                path: path.to_path_buf(),
                source,
            }
        })?;
        Ok(Evidence {
            path: path.to_path_buf(),
            image,
            volumes,
        })
    }

    /// The bytes of one partition.
    pub fn partition_reader(&self, p: &Partition) -> SharedReader {
        Arc::new(SubRange::new(
            Arc::clone(&self.image.reader),
            p.start,
            p.len,
        ))
    }

    /// Opens the selected NTFS volume.
    pub fn open_ntfs(&self, sel: VolumeSelect) -> Result<NtfsVolume> {
        match sel {
            VolumeSelect::Largest => {
                let p = self.volumes.ntfs_by_size().into_iter().next().ok_or_else(|| {
                    Error::NoVolume(format!(
                        "{}: no NTFS volume found ({} partitions: {}); use -p N or --offset BYTES",
                        self.path.display(),
                        self.volumes.partitions.len(),
                        self.describe_partitions()
                    ))
                })?;
                self.open_partition(p)
            }
            VolumeSelect::Index(i) => {
                let p = self
                    .volumes
                    .partitions
                    .iter()
                    .find(|p| p.index == i)
                    .ok_or_else(|| {
                        Error::NoVolume(format!(
                            "{}: there is no partition {i} (partitions: {})",
                            self.path.display(),
                            self.describe_partitions()
                        ))
                    })?;
                self.open_partition(p)
            }
            VolumeSelect::Offset(off) => {
                let len = self.image.size.saturating_sub(off);
                let reader: SharedReader =
                    Arc::new(SubRange::new(Arc::clone(&self.image.reader), off, len));
                let ntfs = Ntfs::open_shared(reader).map_err(|source| Error::Ntfs {
                    offset: off,
                    source,
                })?;
                Ok(NtfsVolume {
                    partition: self
                        .volumes
                        .partitions
                        .iter()
                        .find(|p| p.start == off)
                        .map(|p| p.index),
                    start: off,
                    len,
                    ntfs,
                })
            }
        }
    }

    fn open_partition(&self, p: &Partition) -> Result<NtfsVolume> {
        if p.fs.is_encrypted() {
            return Err(Error::NoVolume(format!(
                "partition {} is BitLocker-encrypted; decrypt it first (rift does not hold keys)",
                p.index
            )));
        }
        let ntfs = Ntfs::open_shared(self.partition_reader(p)).map_err(|source| Error::Ntfs {
            offset: p.start,
            source,
        })?;
        Ok(NtfsVolume {
            partition: Some(p.index),
            start: p.start,
            len: p.len,
            ntfs,
        })
    }

    /// Every NTFS volume that opens, largest first, with the errors of the
    /// ones that did not.
    pub fn ntfs_volumes(&self) -> (Vec<NtfsVolume>, Vec<Error>) {
        let mut ok = Vec::new();
        let mut errs = Vec::new();
        let mut parts: Vec<&Partition> = self
            .volumes
            .partitions
            .iter()
            .filter(|p| p.fs == FsKind::Ntfs)
            .collect();
        parts.sort_by_key(|p| std::cmp::Reverse(p.len));
        for p in parts {
            match self.open_partition(p) {
                Ok(v) => ok.push(v),
                Err(e) => errs.push(e),
            }
        }
        (ok, errs)
    }

    fn describe_partitions(&self) -> String {
        if self.volumes.partitions.is_empty() {
            return "none".into();
        }
        self.volumes
            .partitions
            .iter()
            .map(|p| {
                format!(
                    "#{} at sector {} {}",
                    p.index,
                    p.start_sector(self.volumes.sector_size),
                    p.fs
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// What a path given on the command line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A folder (of exported artifacts).
    Dir,
    /// A disk image: a container with a signature, or raw media that starts
    /// with a partition table or a volume boot record.
    Image,
    /// Anything else: a single artifact file (hive, EVTX, `$MFT` …).
    File,
}

/// Decides whether `path` is a folder, an image or an artifact file.
///
/// Raw images have no signature of their own, so a raw file counts as an
/// image only when it starts like a disk (MBR/GPT with plausible entries)
/// or a volume (NTFS/FAT/exFAT boot sector); a hive, an event log or a
/// `$MFT` never does.
pub fn classify_input(path: &Path) -> Result<InputKind> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    if meta.is_dir() {
        return Ok(InputKind::Dir);
    }
    let f = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut head = vec![0u8; 8192];
    let n = f.read_at(0, &mut head).unwrap_or(0);
    head.truncate(n);
    let tail_off = meta.len().saturating_sub(512);
    let mut tail = vec![0u8; 512];
    let m = f.read_at(tail_off, &mut tail).unwrap_or(0);
    tail.truncate(m);
    match rift_image::detect_format(&head, &tail) {
        rift_image::ImageFormat::Raw | rift_image::ImageFormat::SplitRaw => {}
        _ => return Ok(InputKind::Image),
    }
    if meta.len() < 4096 {
        return Ok(InputKind::File);
    }
    let vs = rift_volume::scan(&f, 512);
    let looks_like_disk = match vs {
        Ok(vs) => match vs.scheme {
            rift_volume::Scheme::Mbr | rift_volume::Scheme::Gpt => !vs.partitions.is_empty(),
            rift_volume::Scheme::None => vs
                .partitions
                .first()
                .is_some_and(|p| p.fs != FsKind::Unknown),
        },
        Err(_) => false,
    };
    Ok(if looks_like_disk {
        InputKind::Image
    } else {
        InputKind::File
    })
}
