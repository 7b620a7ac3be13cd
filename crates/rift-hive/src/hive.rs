//! A hive held in memory: base block, hive bins and cell access.
//!
//! Sources: msuhanov/regf specification §"Hive bin" and §"Cell";
//! `../shared/docs/formats/artifacts.md` §1.2–1.3; yarp `RegistryFile.py`
//! (how a reference implementation treats a dirty file's half-written tail:
//! stop at the first bad bin, but only while the file is dirty and no log
//! has been applied).
//!
//! Hives are small (the largest on a real system is a few hundred MiB), so
//! a [`Hive`] owns the whole file as a `Vec<u8>`; every record is a borrowed
//! slice of it. Every offset read from the file goes through
//! [`Hive::cell`], which checks it against the end of the valid bins.

use std::collections::HashSet;

use rift_io::bytes::{le_i32, le_u32, le_u64};

use crate::base_block::{BASE_BLOCK_LEN, BaseBlock};
use crate::key::Key;
use crate::{Error, Result};

/// Offset value meaning "no cell".
pub const NIL: u32 = 0xFFFF_FFFF;
/// Windows refuses keys nested deeper than this (`REG_MAX_KEY_DEPTH` is
/// 512); a deeper walk means a loop in a corrupt tree.
pub const MAX_DEPTH: usize = 512;

/// How much damage to accept when opening a hive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Refuse a bad checksum, a dirty hive, bad bins and cells that are not
    /// allocated. For clean hives only.
    Strict,
    /// Accept what can be read: stop at the first broken bin (truncated or
    /// half-written files), read through free cells, report every problem
    /// as an [`Issue`]. The forensic default.
    #[default]
    Lenient,
}

/// A problem found while reading, with its file offset. Issues are data:
/// the parse went on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Issue {
    /// File offset.
    pub position: u64,
    /// What was wrong.
    pub message: String,
}

/// One hive bin as found in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bin {
    /// File offset of the bin header.
    pub file_offset: usize,
    /// Size in bytes (header included).
    pub size: usize,
    /// The FILETIME in the header (meaningful in the first bin only).
    pub timestamp: u64,
}

/// A registry hive (regf) in memory.
#[derive(Debug, Clone)]
pub struct Hive {
    data: Vec<u8>,
    base: BaseBlock,
    bins: Vec<Bin>,
    bins_end: usize,
    mode: Mode,
    issues: Vec<Issue>,
}

/// A cell: its file offset, whether it is allocated, and its data (the
/// bytes after the 4-byte size field, padding included).
#[derive(Debug, Clone, Copy)]
pub struct Cell<'h> {
    /// File offset of the size field.
    pub file_offset: usize,
    /// Negative size = allocated.
    pub allocated: bool,
    /// Cell data (size field excluded).
    pub data: &'h [u8],
}

impl Hive {
    /// Opens a hive in [`Mode::Lenient`].
    pub fn from_bytes(data: Vec<u8>) -> Result<Hive> {
        Hive::with_mode(data, Mode::Lenient)
    }

    /// Opens a hive with an explicit mode.
    pub fn with_mode(data: Vec<u8>, mode: Mode) -> Result<Hive> {
        let base = BaseBlock::parse(&data)?;
        let mut issues = Vec::new();
        if data.len() < BASE_BLOCK_LEN + 32 {
            return Err(Error::Truncated {
                what: "hive (base block + one bin)",
                position: 0,
                need: (BASE_BLOCK_LEN + 32) as u64,
                have: data.len() as u64,
            });
        }
        if !base.checksum_ok() {
            let msg = format!(
                "base block checksum mismatch (stored {:#010x}, computed {:#010x})",
                base.checksum_stored, base.checksum_computed
            );
            if mode == Mode::Strict {
                return Err(Error::BaseBlock {
                    position: 508,
                    reason: msg,
                });
            }
            issues.push(Issue {
                position: 508,
                message: msg,
            });
        }
        if base.primary_sequence != base.secondary_sequence {
            let msg = format!(
                "hive is dirty (sequence numbers {} / {}): replay its transaction logs",
                base.primary_sequence, base.secondary_sequence
            );
            if mode == Mode::Strict {
                return Err(Error::BaseBlock {
                    position: 4,
                    reason: msg,
                });
            }
            issues.push(Issue {
                position: 4,
                message: msg,
            });
        }
        if base.major_version != 1 || !(2..=6).contains(&base.minor_version) {
            let msg = format!(
                "unsupported version {}.{}",
                base.major_version, base.minor_version
            );
            if mode == Mode::Strict || base.major_version != 1 {
                return Err(Error::BaseBlock {
                    position: 20,
                    reason: msg,
                });
            }
            issues.push(Issue {
                position: 20,
                message: msg,
            });
        }
        // Where the bins should end: trust the base block when it is valid,
        // otherwise (or when it points past the file) the file length.
        let declared = BASE_BLOCK_LEN.saturating_add(base.hive_bins_size as usize);
        let mut limit = if base.checksum_ok() && base.hive_bins_size >= 4096 {
            declared
        } else {
            data.len()
        };
        if limit > data.len() {
            let msg = format!(
                "file is truncated: base block declares {:#x} bytes of hive bins, file has {:#x}",
                base.hive_bins_size,
                data.len().saturating_sub(BASE_BLOCK_LEN)
            );
            if mode == Mode::Strict {
                return Err(Error::Truncated {
                    what: "hive bins",
                    position: data.len() as u64,
                    need: declared as u64,
                    have: data.len() as u64,
                });
            }
            issues.push(Issue {
                position: data.len() as u64,
                message: msg,
            });
            limit = data.len();
        }
        let mut bins = Vec::new();
        let mut pos = BASE_BLOCK_LEN;
        while pos.saturating_add(32) <= limit {
            match check_bin(&data, pos) {
                Ok(bin) if pos + bin.size <= data.len() => {
                    pos += bin.size;
                    bins.push(bin);
                }
                Ok(bin) => {
                    let e = Error::HiveBin {
                        position: pos as u64,
                        reason: format!(
                            "bin of {:#x} bytes runs past the end of the file",
                            bin.size
                        ),
                    };
                    if mode == Mode::Strict {
                        return Err(e);
                    }
                    issues.push(Issue {
                        position: pos as u64,
                        message: e.to_string(),
                    });
                    break;
                }
                Err(e) => {
                    if mode == Mode::Strict {
                        return Err(e);
                    }
                    // Damaged region: look for the next intact bin (bins
                    // start on 4 KiB boundaries and name their own offset).
                    let start = pos;
                    pos += 4096;
                    while pos.saturating_add(32) <= limit && check_bin(&data, pos).is_err() {
                        pos += 4096;
                    }
                    let msg = if pos.saturating_add(32) <= limit {
                        format!(
                            "{e}; skipped a damaged region of {:#x} bytes up to the next intact bin",
                            pos - start
                        )
                    } else {
                        format!("{e}; no intact bin after it")
                    };
                    issues.push(Issue {
                        position: start as u64,
                        message: msg,
                    });
                }
            }
        }
        if bins.is_empty() {
            return Err(Error::HiveBin {
                position: BASE_BLOCK_LEN as u64,
                reason: "no valid hive bin".into(),
            });
        }
        let bins_end = bins
            .last()
            .map_or(BASE_BLOCK_LEN, |b| b.file_offset + b.size);
        Ok(Hive {
            data,
            base,
            bins,
            bins_end,
            mode,
            issues,
        })
    }

    /// The whole file.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// Gives the bytes back.
    pub fn into_bytes(self) -> Vec<u8> {
        self.data
    }

    /// The base block.
    pub fn base_block(&self) -> &BaseBlock {
        &self.base
    }

    /// The mode the hive was opened in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The hive bins found (in file order).
    pub fn bins(&self) -> &[Bin] {
        &self.bins
    }

    /// File offset where the valid hive bins end.
    pub fn bins_end(&self) -> usize {
        self.bins_end
    }

    /// Problems met while opening (checksum, dirty state, truncation).
    pub fn issues(&self) -> &[Issue] {
        &self.issues
    }

    /// Whether the base block says the hive needs its logs.
    pub fn is_dirty(&self) -> bool {
        self.base.is_dirty()
    }

    /// Minor version used to pick record formats (big data needs > 3).
    pub fn minor_version(&self) -> u32 {
        self.base.minor_version
    }

    /// The cell at a hive-bins-relative offset. Checks that the size field
    /// and the whole cell lie inside the valid bins; in strict mode the
    /// cell must also be allocated.
    pub fn cell(&self, rel: u32) -> Result<Cell<'_>> {
        let c = self.cell_any(rel)?;
        if !c.allocated && self.mode == Mode::Strict {
            return Err(Error::Cell {
                position: c.file_offset as u64,
                reason: "cell is not allocated".into(),
            });
        }
        Ok(c)
    }

    /// Like [`Hive::cell`] but accepts free cells in any mode (for
    /// recovering deleted data).
    pub fn cell_any(&self, rel: u32) -> Result<Cell<'_>> {
        let file_offset = (rel as usize).saturating_add(BASE_BLOCK_LEN);
        let bad = |reason: String| Error::Cell {
            position: file_offset as u64,
            reason,
        };
        if rel == NIL || file_offset.saturating_add(4) > self.bins_end {
            return Err(bad(format!("offset {rel:#x} is outside the hive bins")));
        }
        let size = le_i32(&self.data, file_offset).ok_or_else(|| bad("unreadable size".into()))?;
        let abs = size.unsigned_abs() as usize;
        if abs < 8 {
            return Err(bad(format!("implausible cell size {size}")));
        }
        let end = file_offset.saturating_add(abs);
        if end > self.bins_end {
            return Err(bad(format!(
                "cell of {abs:#x} bytes runs past the hive bins"
            )));
        }
        let allocated = size < 0;
        let data = self
            .data
            .get(file_offset + 4..end)
            .ok_or_else(|| bad("out of range".into()))?;
        Ok(Cell {
            file_offset,
            allocated,
            data,
        })
    }

    /// The root key.
    pub fn root(&self) -> Result<Key<'_>> {
        Key::at(self, self.base.root_cell_offset)
    }

    /// Opens a key by a `\`-separated path relative to the root (case
    /// insensitive). A leading `\` and a leading component equal to the
    /// root key's own name are accepted, as RECmd does.
    pub fn open(&self, path: &str) -> Result<Key<'_>> {
        let root = self.root()?;
        let trimmed = path.trim_matches(|c| c == '\\' || c == '/');
        if trimmed.is_empty() {
            return Ok(root);
        }
        let parts: Vec<&str> = trimmed.split('\\').collect();
        if let Ok(k) = walk_parts(root, &parts) {
            return Ok(k);
        }
        if let Some((first, rest)) = parts.split_first()
            && eq_ignore_case(&root.name(), first)
        {
            return walk_parts(root, rest);
        }
        Err(Error::KeyNotFound {
            path: path.to_string(),
        })
    }

    /// Visits every key reachable from the root, depth first, with its
    /// path relative to the root (`""` for the root). Loops and trees deeper
    /// than [`MAX_DEPTH`] are cut and reported; a bad subkey list or key is
    /// reported and skipped, the walk goes on. Returns the problems met.
    pub fn walk<F>(&self, mut visit: F) -> Vec<Error>
    where
        F: FnMut(&str, &Key<'_>),
    {
        let mut errors = Vec::new();
        let root = match self.root() {
            Ok(r) => r,
            Err(e) => {
                errors.push(e);
                return errors;
            }
        };
        let mut seen = HashSet::new();
        let mut path = String::new();
        walk_rec(root, &mut path, 0, &mut seen, &mut visit, &mut errors);
        errors
    }

    /// Iterates over every cell of every valid bin (allocated or free), in
    /// file order. A broken size field ends that bin's walk with an issue.
    pub fn cells(&self) -> (Vec<Cell<'_>>, Vec<Issue>) {
        let mut out = Vec::new();
        let mut issues = Vec::new();
        for bin in &self.bins {
            let end = bin.file_offset + bin.size;
            let mut pos = bin.file_offset + 32;
            while pos + 4 <= end {
                let Some(size) = le_i32(&self.data, pos) else {
                    break;
                };
                let abs = size.unsigned_abs() as usize;
                if abs < 8 || abs % 8 != 0 || pos + abs > end {
                    issues.push(Issue {
                        position: pos as u64,
                        message: format!(
                            "bad cell size {size} inside bin at {:#x}",
                            bin.file_offset
                        ),
                    });
                    break;
                }
                if let Some(data) = self.data.get(pos + 4..pos + abs) {
                    out.push(Cell {
                        file_offset: pos,
                        allocated: size < 0,
                        data,
                    });
                }
                pos += abs;
            }
        }
        (out, issues)
    }
}

fn check_bin(data: &[u8], pos: usize) -> Result<Bin> {
    let sig = data.get(pos..pos + 4).unwrap_or_default();
    if sig != b"hbin" {
        return Err(Error::BadSignature {
            what: "hbin",
            position: pos as u64,
            found: sig.to_vec(),
        });
    }
    let off = le_u32(data, pos + 4).unwrap_or(NIL) as usize;
    let size = le_u32(data, pos + 8).unwrap_or(0) as usize;
    if off != pos - BASE_BLOCK_LEN {
        return Err(Error::HiveBin {
            position: pos as u64,
            reason: format!(
                "header says offset {off:#x}, bin is at {:#x}",
                pos - BASE_BLOCK_LEN
            ),
        });
    }
    if size < 4096 || size % 4096 != 0 {
        return Err(Error::HiveBin {
            position: pos as u64,
            reason: format!("bad size {size:#x}"),
        });
    }
    Ok(Bin {
        file_offset: pos,
        size,
        timestamp: le_u64(data, pos + 20).unwrap_or(0),
    })
}

fn walk_parts<'h>(mut key: Key<'h>, parts: &[&str]) -> Result<Key<'h>> {
    for p in parts {
        key = key.subkey(p)?.ok_or_else(|| Error::KeyNotFound {
            path: (*p).to_string(),
        })?;
    }
    Ok(key)
}

fn walk_rec<F>(
    key: Key<'_>,
    path: &mut String,
    depth: usize,
    seen: &mut HashSet<u32>,
    visit: &mut F,
    errors: &mut Vec<Error>,
) where
    F: FnMut(&str, &Key<'_>),
{
    if depth > MAX_DEPTH || !seen.insert(key.offset()) {
        errors.push(Error::TreeLoop {
            position: key.file_offset(),
        });
        return;
    }
    visit(path, &key);
    let len = path.len();
    for sub in key.subkeys() {
        match sub {
            Ok(sub) => {
                if !path.is_empty() {
                    path.push('\\');
                }
                path.push_str(&sub.name());
                walk_rec(sub, path, depth + 1, seen, visit, errors);
                path.truncate(len);
            }
            Err(e) => errors.push(e),
        }
    }
}

/// Case-insensitive comparison of key or value names (Windows upcases
/// names for comparison; Unicode simple uppercase is close enough).
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    a.chars()
        .flat_map(char::to_uppercase)
        .eq(b.chars().flat_map(char::to_uppercase))
}
