//! The whole journal at once: scan, merge carved records, resolve paths.
//!
//! This is the entry point for integration (`rift usn`, `rift analyze`):
//! give it the `$J` stream, its allocated ranges and an [`MftLookup`], and
//! optionally records carved from unallocated space; it returns every
//! record with its full path, and every damaged spot with its offset.

use std::collections::HashSet;
use std::ops::Range;

use rift_io::ReadAt;
use rift_io::time::FileTime;

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

/// Identity of a record for de-duplication: the same change written twice
/// (live and in a stale copy) has the same USN, file id, reason and time.
fn identity(r: &UsnRecord) -> (i64, FileId, u32, FileTime) {
    (r.usn, r.file_id, r.reason.bits(), r.timestamp)
}

/// Reads every record of a `$J` stream, adds carved records not already
/// present, and resolves a full path for each.
///
/// * `ranges`: allocated ranges of the stream (stream offsets); the sparse
///   rest is not read. Pass `&[0..reader.size()]` for an extracted file.
/// * `mft`: the `$MFT` side of path resolution ([`crate::NoMft`] for none).
/// * `carved`: records carved elsewhere (their `offset` an image offset).
///
/// Fails only if the reader fails; damaged records are returned in
/// [`Journal::damage`].
pub fn read_journal<R: ReadAt, M: MftLookup>(
    reader: R,
    ranges: &[Range<u64>],
    mft: M,
    carved: Vec<UsnRecord>,
) -> Result<Journal> {
    let mut scanner = UsnScanner::new(reader, ranges);
    let mut live = Vec::new();
    let mut damage = Vec::new();
    for item in scanner.by_ref() {
        match item {
            Ok(r) => live.push(r),
            Err(Error::Damaged(d)) => damage.push(d),
            Err(e) => return Err(e),
        }
    }
    let stats = scanner.stats();
    Ok(resolve_all(live, carved, mft, damage, stats))
}

/// Resolves paths for already decoded live and carved records (for callers
/// that scanned themselves).
pub fn resolve_all<M: MftLookup>(
    live: Vec<UsnRecord>,
    carved: Vec<UsnRecord>,
    mft: M,
    damage: Vec<Damage>,
    stats: ScanStats,
) -> Journal {
    let mut seen: HashSet<(i64, FileId, u32, FileTime)> = live.iter().map(identity).collect();
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
