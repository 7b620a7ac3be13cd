//! [`open`]: path → [`Image`].

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rift_ewf::{BadChunk, EwfImage, EwfInfo, SectorRange};
use rift_io::{ReadAt, SharedReader};

use rift_vdisk::{SplitRaw, VdiskInfo, VdiskKind};

use crate::detect::{ImageFormat, detect_format};
use crate::{Error, Result};

/// Raw streaming block size.
const RAW_BLOCK: usize = 4 << 20;

/// What the container says about the evidence.
#[derive(Debug, Clone, Default)]
pub struct ImageInfo {
    /// The path given to [`open`].
    pub path: PathBuf,
    /// Every file of the image, in order (EWF segments, split raw parts).
    pub files: Vec<PathBuf>,
    /// Full EWF container information (metadata, media, segments,
    /// warnings), for EWF images.
    pub ewf: Option<EwfInfo>,
    /// MD5 of the media stored by the acquisition tool.
    pub stored_md5: Option<[u8; 16]>,
    /// SHA-1 of the media stored by the acquisition tool.
    pub stored_sha1: Option<[u8; 20]>,
    /// Sector ranges that could not be read during acquisition.
    pub acquisition_errors: Vec<SectorRange>,
    /// Virtual-disk information (format variant, block size, extents),
    /// for qcow2/VHD/VHDX/VMDK images.
    pub vdisk: Option<VdiskInfo>,
    /// Non-fatal problems found while opening.
    pub warnings: Vec<String>,
}

/// An opened disk image.
#[derive(Clone)]
pub struct Image {
    /// The container format.
    pub format: ImageFormat,
    /// The media bytes (what a disk would return), thread-safe.
    pub reader: SharedReader,
    /// Media size in bytes.
    pub size: u64,
    /// Logical sector size (512 unless the container says otherwise).
    pub sector_size: u32,
    /// Container information.
    pub info: ImageInfo,
    ewf: Option<Arc<EwfImage>>,
}

impl std::fmt::Debug for Image {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image")
            .field("format", &self.format)
            .field("size", &self.size)
            .field("sector_size", &self.sector_size)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

impl Image {
    /// The EWF reader, for EWF images.
    pub fn ewf(&self) -> Option<&EwfImage> {
        self.ewf.as_deref()
    }

    /// Chunks that could not be decoded so far (EWF only; other formats
    /// return an empty list). Stream the whole media to find them all.
    pub fn bad_chunks(&self) -> Vec<BadChunk> {
        self.ewf
            .as_ref()
            .map(|e| e.bad_chunks())
            .unwrap_or_default()
    }

    /// Number of bad chunks found so far (EWF only).
    pub fn bad_chunk_count(&self) -> u64 {
        self.ewf.as_ref().map_or(0, |e| e.bad_chunk_count())
    }

    /// Reads the whole media in order, calling `sink(offset, block)` for
    /// consecutive blocks, as fast as the container allows: EWF chunks are
    /// inflated on `threads` workers (0 = one per core); other formats are
    /// read by a helper thread in 4 MiB blocks so I/O overlaps the sink.
    pub fn stream<F>(&self, threads: usize, mut sink: F) -> io::Result<()>
    where
        F: FnMut(u64, Arc<Vec<u8>>) -> io::Result<()>,
    {
        if let Some(e) = &self.ewf {
            return e.stream(threads, sink);
        }
        let reader = &self.reader;
        let size = self.size;
        let (tx, rx) = crossbeam_channel::bounded::<io::Result<Arc<Vec<u8>>>>(4);
        std::thread::scope(|s| {
            s.spawn(move || {
                let mut off = 0u64;
                while off < size {
                    let len = (size - off).min(RAW_BLOCK as u64) as usize;
                    let mut buf = vec![0u8; len];
                    let res = rift_io::read_exact_at(reader.as_ref(), off, &mut buf);
                    let stop = res.is_err();
                    if tx.send(res.map(|()| Arc::new(buf))).is_err() || stop {
                        break;
                    }
                    off += len as u64;
                }
            });
            let mut off = 0u64;
            for block in rx {
                let block = block?;
                let len = block.len() as u64;
                sink(off, block)?;
                off += len;
            }
            if off != size {
                return Err(io::Error::other("media stream stopped early"));
            }
            Ok(())
        })
    }
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn open_file(path: &Path) -> Result<Arc<File>> {
    File::open(path).map(Arc::new).map_err(io_error(path))
}

/// Opens a disk image of any supported format, detected by content.
pub fn open(path: &Path) -> Result<Image> {
    let file = open_file(path)?;
    let file_size = file.metadata().map_err(io_error(path))?.len();
    if file_size == 0 {
        return Err(Error::Empty {
            path: path.to_path_buf(),
        });
    }
    let mut head = vec![0u8; 4096.min(file_size as usize)];
    rift_io::read_exact_at(file.as_ref(), 0, &mut head).map_err(io_error(path))?;
    let tail_len = 512.min(file_size);
    let mut tail = vec![0u8; tail_len as usize];
    rift_io::read_exact_at(file.as_ref(), file_size - tail_len, &mut tail)
        .map_err(io_error(path))?;
    match detect_format(&head, &tail) {
        ImageFormat::Ewf => open_ewf(path),
        ImageFormat::Raw | ImageFormat::SplitRaw => open_raw(path, file),
        other => open_vdisk(path, other, file, &head, &tail),
    }
}

fn open_ewf(path: &Path) -> Result<Image> {
    let ewf_err = |source| Error::Ewf {
        path: path.to_path_buf(),
        source,
    };
    // A file with an EWF signature but no segment extension (renamed
    // evidence) is read as a one-segment set.
    let files = match rift_ewf::discover_segments(path) {
        Ok(f) => f,
        Err(rift_ewf::Error::NotSegmentName { .. }) => vec![path.to_path_buf()],
        Err(e) => return Err(ewf_err(e)),
    };
    let mut segs: Vec<SharedReader> = Vec::with_capacity(files.len());
    for f in &files {
        segs.push(open_file(f)?);
    }
    let ewf = match EwfImage::open(segs) {
        Ok(e) => e,
        Err(rift_ewf::Error::MissingSegment { number, .. }) => {
            return Err(Error::MissingSegment {
                path: path.to_path_buf(),
                number,
                expected: rift_ewf::segment_file_name(path, number)
                    .unwrap_or_else(|| PathBuf::from(format!("segment #{number}"))),
            });
        }
        Err(e) => return Err(ewf_err(e)),
    };
    let ewf = Arc::new(ewf);
    let ei = ewf.info().clone();
    let info = ImageInfo {
        path: path.to_path_buf(),
        files,
        stored_md5: ei.stored_md5,
        stored_sha1: ei.stored_sha1,
        acquisition_errors: ei.acquisition_errors.clone(),
        warnings: ei.warnings.iter().map(|w| w.to_string()).collect(),
        vdisk: None,
        ewf: Some(ei),
    };
    Ok(Image {
        format: ImageFormat::Ewf,
        size: ewf.media_size(),
        sector_size: info.ewf.as_ref().map_or(512, |e| e.media.bytes_per_sector),
        reader: Arc::clone(&ewf) as SharedReader,
        info,
        ewf: Some(ewf),
    })
}

fn open_raw(path: &Path, file: Arc<File>) -> Result<Image> {
    // Split raw: `x.001` (or `x.aa`) followed by an existing `x.002` (`x.ab`).
    let files = rift_vdisk::split::discover(path);
    let (format, reader): (ImageFormat, SharedReader) = if files.len() > 1 {
        let split = SplitRaw::open(&files).map_err(io_error(path))?;
        (ImageFormat::SplitRaw, Arc::new(split))
    } else {
        (ImageFormat::Raw, file)
    };
    Ok(Image {
        format,
        size: reader.size(),
        sector_size: 512,
        reader,
        info: ImageInfo {
            path: path.to_path_buf(),
            files,
            ..ImageInfo::default()
        },
        ewf: None,
    })
}

fn open_vdisk(
    path: &Path,
    format: ImageFormat,
    file: Arc<File>,
    head: &[u8],
    tail: &[u8],
) -> Result<Image> {
    let Some(kind) = rift_vdisk::detect_with_tail(head, tail) else {
        return Err(Error::Unsupported {
            path: path.to_path_buf(),
            format,
        });
    };
    let resolver = rift_vdisk::sibling_resolver(path);
    let vd = rift_vdisk::open_with_info(kind, file, &resolver).map_err(|e| Error::Vdisk {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let mut files = vec![path.to_path_buf()];
    if kind == VdiskKind::VmdkDescriptor {
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        files.extend(vd.info.extents.iter().map(|e| dir.join(e)));
    }
    Ok(Image {
        format,
        size: vd.reader.size(),
        sector_size: vd.info.sector_size.unwrap_or(512),
        reader: vd.reader,
        info: ImageInfo {
            path: path.to_path_buf(),
            files,
            warnings: vd.info.warnings.clone(),
            vdisk: Some(vd.info),
            ..ImageInfo::default()
        },
        ewf: None,
    })
}
