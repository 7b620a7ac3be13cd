//! The whole journal at once: scan, merge carved records, resolve paths.
//!
//! This is the entry point for integration (`rift usn`, `rift analyze`):
//! give it the `$J` stream, its allocated ranges and an [`MftLookup`], and
//! optionally records carved from unallocated space; it yields every record
//! with its full path, and every damaged spot with its offset.
//!
//! [`for_each_record`] streams: it reads the journal twice (the history of
//! directories — records with the directory attribute or about an id seen
//! as a parent —, then each record with its path; a third read only when
//! nameless V4 records need their file's name), so memory stays
//! proportional to the number of directories, not of records — a 1 GiB
//! journal holds ~10 million records.
//! [`read_journal`] collects the same into a [`Journal`].

use std::collections::HashSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::ops::Range;

use rift_io::ReadAt;

use crate::flags::FileAttributes;
use crate::paths::{History, MftLookup, Resolver};
use crate::record::{FileId, UsnRecord};
use crate::scan::{ScanStats, UsnScanner};
use crate::{Damage, Error, Result};

/// A record with its resolved path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathedRecord {
    /// The decoded record.
    pub record: UsnRecord,
    /// `\`-separated path from the volume root (`\Users\a\b.txt`).
    pub full_path: String,
    /// Path of the parent directory (`\` for the root).
    pub parent_path: String,
    /// The record's name, or for a nameless V4 record the name its file id
    /// had in the journal.
    pub name: String,
    /// `false` when a component could not be resolved.
    pub path_complete: bool,
    /// `true` for a record carved from unallocated space; its
    /// [`UsnRecord::offset`] is then an image (or volume) byte offset.
    pub carved: bool,
}

/// Result of [`read_journal`].
#[derive(Debug, Default)]
pub struct Journal {
    /// Live records in journal order, then carved ones not found live
    /// (by USN).
    pub records: Vec<PathedRecord>,
    /// Damaged spots in the stream.
    pub damage: Vec<Damage>,
    /// Counters of the stream scan.
    pub stats: ScanStats,
    /// Carved records dropped because the live journal holds the same record.
    pub carved_duplicates: u64,
}

/// Summary of [`for_each_record`].
#[derive(Debug, Default)]
pub struct StreamSummary {
    /// Damaged spots in the stream.
    pub damage: Vec<Damage>,
    /// Counters of the stream scan.
    pub stats: ScanStats,
    /// Carved records dropped as duplicates of live ones.
    pub carved_duplicates: u64,
    /// Carved records kept.
    pub carved_kept: u64,
}

/// Identity of a record for de-duplication: the same change written twice
/// (live and in a stale copy) has the same USN, file id, reason and time.
fn identity(r: &UsnRecord) -> u64 {
    let mut h = DefaultHasher::new();
    (r.usn, r.file_id, r.reason.bits(), r.timestamp.0).hash(&mut h);
    h.finish()
}

fn scanner<'a, R: ReadAt>(r: &'a R, ranges: &[Range<u64>], phase: u64) -> UsnScanner<&'a R> {
    UsnScanner::new(r, ranges).with_page_phase(phase)
}

/// Streams every record of a `$J` with its full path to `sink`: live
/// records in journal order, then carved records the live journal lacks
/// (by USN). See the module docs for the passes.
///
/// * `ranges`: allocated ranges of the stream (stream offsets); the sparse
///   rest is not read. Pass the whole size for an extracted file.
/// * `phase`: page phase (0 for a stream read through NTFS; for an extract
///   that starts mid-page, [`crate::scan::detect_phase`]).
/// * `mft`: the `$MFT` side of path resolution ([`crate::NoMft`] for none).
/// * `carved`: records carved elsewhere (their `offset` an image offset).
///
/// Fails only if the reader fails; damaged records are reported in the
/// summary.
pub fn for_each_record<R: ReadAt, M: MftLookup>(
    reader: R,
    ranges: &[Range<u64>],
    phase: u64,
    mft: M,
    carved: Vec<UsnRecord>,
    mut sink: impl FnMut(PathedRecord),
) -> Result<StreamSummary> {
    // Pass 1: the history of directories (records carrying the directory
    // attribute, or about an id already seen as a parent), identities of
    // live records when carved ones must be de-duplicated, and the ids of
    // nameless V4 records.
    let dedup = !carved.is_empty();
    let mut live_ids: HashSet<u64> = HashSet::new();
    let mut parents: HashSet<FileId> = HashSet::new();
    let mut v4_ids: HashSet<FileId> = HashSet::new();
    let mut history = History::new();
    let mut damage = Vec::new();
    let mut s = scanner(&reader, ranges, phase);
    for item in s.by_ref() {
        match item {
            Ok(r) => {
                if dedup {
                    live_ids.insert(identity(&r));
                }
                parents.insert(r.parent_id);
                if r.name.is_empty() {
                    v4_ids.insert(r.file_id);
                } else if r.attributes.contains(FileAttributes::DIRECTORY)
                    || parents.contains(&r.file_id)
                {
                    history.add(&r);
                }
            }
            Err(Error::Damaged(d)) => damage.push(d),
            Err(e) => return Err(e),
        }
    }
    let stats = s.stats();
    let mut extra = Vec::new();
    let mut carved_duplicates = 0;
    for r in carved {
        if live_ids.insert(identity(&r)) {
            extra.push(r);
        } else {
            carved_duplicates += 1;
        }
    }
    drop(live_ids);
    extra.sort_by_key(|r| (r.usn, r.offset));
    for r in &extra {
        if r.name.is_empty() {
            v4_ids.insert(r.file_id);
        } else if r.attributes.contains(FileAttributes::DIRECTORY) || parents.contains(&r.file_id) {
            history.add(r);
        }
    }
    // Pass 2, only when V4 records exist: names of their files.
    if !v4_ids.is_empty() {
        for item in scanner(&reader, ranges, phase) {
            match item {
                Ok(r) if v4_ids.contains(&r.file_id) && !r.name.is_empty() => {
                    if !(r.attributes.contains(FileAttributes::DIRECTORY)
                        || parents.contains(&r.file_id))
                    {
                        history.add(&r);
                    }
                }
                Ok(_) | Err(Error::Damaged(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    drop(parents);
    let resolver = Resolver::new(history, mft);
    let emit = |r: UsnRecord, carved: bool, sink: &mut dyn FnMut(PathedRecord)| {
        let p = resolver.resolve(&r);
        sink(PathedRecord {
            record: r,
            full_path: p.full_path,
            parent_path: p.parent_path,
            name: p.name,
            path_complete: p.complete,
            carved,
        });
    };
    // Last pass: every record with its path.
    for item in scanner(&reader, ranges, phase) {
        match item {
            Ok(r) => emit(r, false, &mut sink),
            Err(Error::Damaged(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let carved_kept = extra.len() as u64;
    for r in extra {
        emit(r, true, &mut sink);
    }
    Ok(StreamSummary {
        damage,
        stats,
        carved_duplicates,
        carved_kept,
    })
}

/// Reads every record of a `$J` stream into memory with its full path
/// (see [`for_each_record`]; page phase 0, as for a stream read through
/// NTFS where USN = offset).
pub fn read_journal<R: ReadAt, M: MftLookup>(
    reader: R,
    ranges: &[Range<u64>],
    mft: M,
    carved: Vec<UsnRecord>,
) -> Result<Journal> {
    let mut records = Vec::new();
    let s = for_each_record(reader, ranges, 0, mft, carved, |p| records.push(p))?;
    Ok(Journal {
        records,
        damage: s.damage,
        stats: s.stats,
        carved_duplicates: s.carved_duplicates,
    })
}

/// Resolves paths for already decoded live and carved records (for callers
/// that scanned themselves, and for small in-memory journals).
pub fn resolve_all<M: MftLookup>(
    live: Vec<UsnRecord>,
    carved: Vec<UsnRecord>,
    mft: M,
    damage: Vec<Damage>,
    stats: ScanStats,
) -> Journal {
    let mut seen: HashSet<u64> = live.iter().map(identity).collect();
    let mut extra = Vec::new();
    let mut carved_duplicates = 0;
    for r in carved {
        if seen.insert(identity(&r)) {
            extra.push(r);
        } else {
            carved_duplicates += 1;
        }
    }
    extra.sort_by_key(|r| (r.usn, r.offset));
    let mut history = History::new();
    live.iter().chain(extra.iter()).for_each(|r| history.add(r));
    let resolver = Resolver::new(history, mft);
    let mut records = Vec::with_capacity(live.len() + extra.len());
    for (r, carved) in live
        .into_iter()
        .map(|r| (r, false))
        .chain(extra.into_iter().map(|r| (r, true)))
    {
        let p = resolver.resolve(&r);
        records.push(PathedRecord {
            record: r,
            full_path: p.full_path,
            parent_path: p.parent_path,
            name: p.name,
            path_complete: p.complete,
            carved,
        });
    }
    Journal {
        records,
        damage,
        stats,
        carved_duplicates,
    }
}
