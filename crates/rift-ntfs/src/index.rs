//! Directory indexes (`$I30`): `$INDEX_ROOT`, INDX records of
//! `$INDEX_ALLOCATION`, the `$BITMAP` of used INDX records, and entries
//! recovered from index slack.
//!
//! Sources: libfsntfs "Index", "Index entry"; ntfs-3g `layout.h`
//! (`INDEX_ROOT`, `INDEX_BLOCK`, `INDEX_ENTRY`); shared notes §4.8
//! (verified: root-only leaf, root with a single end entry pointing at
//! VCN 0, multi-level roots; slack after the used size keeps old entries).
//!
//! Listing does not walk the B-tree: every INDX record marked in use by
//! `$BITMAP` is parsed and live entries are collected, then sorted by the
//! `$UpCase` collation. That is simpler, visits each block once and keeps
//! working when a node pointer is damaged.

use rift_io::bytes::{le_u16, le_u32, le_u64, slice};

use crate::entry::MftEntry;
use crate::error::{Error, Result};
use crate::record::{FixupStatus, apply_fixups};
use crate::values::{AttrType, FileName, FileReference, IndexRootHeader};
use crate::volume::Ntfs;

/// Cap on INDX records read for one directory (a 4 KiB record each:
/// 1 M records = 4 GiB of index, far beyond any real directory).
const MAX_INDEX_RECORDS: u64 = 1 << 20;

/// One `$I30` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The referenced file.
    pub reference: FileReference,
    /// The `$FILE_NAME` key (its times and sizes are the copy kept in the
    /// parent index, often fresher than the record's own `$FILE_NAME`).
    pub name: FileName,
    /// Recovered from index slack (a deleted or moved name).
    pub from_slack: bool,
    /// Where it was found: `None` for the index root, else the byte offset
    /// in the `$INDEX_ALLOCATION` stream.
    pub allocation_offset: Option<u64>,
}

/// A directory listing.
#[derive(Debug, Clone, Default)]
pub struct DirListing {
    /// Live entries, DOS-only duplicates removed, sorted by upper-cased name.
    pub entries: Vec<DirEntry>,
    /// Entries recovered from slack space of index records (and from INDX
    /// records not in use), flagged `from_slack`.
    pub slack: Vec<DirEntry>,
    /// DOS (8.3) names of the live entries.
    pub dos_names: Vec<DirEntry>,
    /// Problems found (bad INDX records …).
    pub problems: Vec<String>,
}

/// Parses the entries of one index node. `node` starts at the node header;
/// returns live entries and the byte range of slack (from the end of the
/// used area to the allocated size).
fn parse_node(
    node: &[u8],
    base: Option<u64>,
    node_off: usize,
    out: &mut Vec<DirEntry>,
) -> Result<(usize, usize)> {
    let first = le_u32(node, 0).unwrap_or(0) as usize;
    let used = le_u32(node, 4).unwrap_or(0) as usize;
    let alloc = le_u32(node, 8).unwrap_or(0) as usize;
    if first < 16 || used > node.len() || first > used {
        return Err(Error::BadIndex {
            offset: base.unwrap_or(0) + node_off as u64,
            reason: format!(
                "node header first={first} used={used} alloc={alloc} (node {} bytes)",
                node.len()
            ),
        });
    }
    let mut pos = first;
    let mut guard = 0;
    while pos + 16 <= used && guard < 65536 {
        guard += 1;
        let elen = usize::from(le_u16(node, pos + 8).unwrap_or(0));
        let klen = usize::from(le_u16(node, pos + 10).unwrap_or(0));
        let flags = le_u32(node, pos + 12).unwrap_or(0);
        if elen < 16 || pos + elen > used.max(pos + 16) && pos + elen > node.len() {
            break;
        }
        if flags & 2 != 0 {
            break; // last entry: no key
        }
        if klen > 0 {
            if let Some(key) = slice(node, pos + 16, klen) {
                if let Ok(name) = FileName::parse(key) {
                    out.push(DirEntry {
                        reference: FileReference(le_u64(node, pos).unwrap_or(0)),
                        name,
                        from_slack: false,
                        allocation_offset: base.map(|b| b + (node_off + pos) as u64),
                    });
                }
            }
        }
        pos += elen;
    }
    Ok((used, alloc.min(node.len())))
}

/// Scans slack bytes for plausible `$I30` entries.
fn scan_slack(
    b: &[u8],
    start: usize,
    end: usize,
    base: Option<u64>,
    node_off: usize,
    mft_records: u64,
    out: &mut Vec<DirEntry>,
) {
    let mut pos = (start + 7) & !7;
    while pos + 16 + 66 <= end {
        if let Some(e) = plausible_entry(b, pos, end, mft_records) {
            let len = (16 + 66 + 2 * e.name.name_utf16.len() + 7) & !7;
            out.push(DirEntry {
                allocation_offset: base.map(|x| x + (node_off + pos) as u64),
                ..e
            });
            pos += len;
        } else {
            pos += 8;
        }
    }
}

fn plausible_entry(b: &[u8], pos: usize, end: usize, mft_records: u64) -> Option<DirEntry> {
    let klen = usize::from(le_u16(b, pos + 10)?);
    let key = slice(b, pos + 16, 66)?;
    let nlen = usize::from(*key.get(64)?);
    let ns = *key.get(65)?;
    // A deleted entry's header is often overwritten (reference and key
    // length zeroed, turned into an end marker) while its key survives:
    // accept a zero key length.
    if nlen == 0 || ns > 3 || (klen != 0 && (klen < 66 + 2 * nlen || klen > 66 + 2 * 255)) {
        return None;
    }
    if pos + 16 + 66 + 2 * nlen > end {
        return None;
    }
    let fname = FileName::parse(slice(b, pos + 16, 66 + 2 * nlen)?).ok()?;
    let r = FileReference(le_u64(b, pos)?);
    if r.entry() >= mft_records.max(16) || fname.parent.entry() >= mft_records.max(16) {
        return None;
    }
    // Times between 1980 and 2100 (FILETIME ticks).
    let ok_t = |t: u64| (119_600_064_000_000_000..=157_469_184_000_000_000).contains(&t);
    if !ok_t(fname.created.0) || !ok_t(fname.modified.0) || !ok_t(fname.mft_modified.0) {
        return None;
    }
    if fname
        .name_utf16
        .iter()
        .any(|&u| u == 0 || u == u16::from(b'/'))
    {
        return None;
    }
    Some(DirEntry {
        reference: r,
        name: fname,
        from_slack: true,
        allocation_offset: None,
    })
}

pub(crate) fn read_dir(ntfs: &Ntfs, dir: &MftEntry) -> Result<DirListing> {
    let mut listing = DirListing::default();
    let mut live = Vec::new();
    let mut slack = Vec::new();
    let mft_records = ntfs.mft_record_count();
    let root = dir
        .attribute(AttrType::INDEX_ROOT, "$I30")
        .ok_or_else(|| Error::NoSuchStream {
            entry: dir.number,
            name: "$INDEX_ROOT:$I30".into(),
        })?;
    let rv = root.resident_value().ok_or_else(|| Error::BadIndex {
        offset: 0,
        reason: "non-resident $INDEX_ROOT".into(),
    })?;
    let hdr = IndexRootHeader::parse(rv)?;
    if let Some(node) = rv.get(16..) {
        match parse_node(node, None, 0, &mut live) {
            Ok((used, alloc)) => scan_slack(node, used, alloc, None, 0, mft_records, &mut slack),
            Err(e) => listing.problems.push(e.to_string()),
        }
    }
    if let Some(_alloc) = dir.attribute(AttrType::INDEX_ALLOCATION, "$I30") {
        let stream = ntfs.open_attribute_stream(dir, AttrType::INDEX_ALLOCATION, "$I30")?;
        let bitmap = dir
            .attribute(AttrType::BITMAP, "$I30")
            .and_then(|a| ntfs.attribute_stream(dir.number, a).ok())
            .and_then(|s| s.read_all(16 << 20).ok());
        let rs = u64::from(
            if hdr.index_record_size >= 512 && hdr.index_record_size <= 65536 {
                hdr.index_record_size
            } else {
                ntfs.boot_sector().index_record_size
            },
        );
        let n = (stream.size() / rs).min(MAX_INDEX_RECORDS);
        let mut buf = vec![0u8; rs as usize];
        for i in 0..n {
            let off = i * rs;
            if rift_io::read_exact_at(&stream, off, &mut buf).is_err() {
                listing
                    .problems
                    .push(format!("INDX record at {off:#x} unreadable"));
                continue;
            }
            let in_use = match &bitmap {
                Some(bm) => bm
                    .get((i / 8) as usize)
                    .is_some_and(|b| b & (1 << (i % 8)) != 0),
                None => true,
            };
            if buf.get(..4) != Some(b"INDX") {
                if in_use {
                    listing
                        .problems
                        .push(format!("INDX record at {off:#x} has no INDX signature"));
                }
                continue;
            }
            let fix = apply_fixups(&mut buf);
            if fix != FixupStatus::Ok && in_use {
                listing
                    .problems
                    .push(format!("INDX record at {off:#x}: fixup {fix:?}"));
            }
            let Some(node) = buf.get(24..) else { continue };
            if in_use {
                match parse_node(node, Some(off), 24, &mut live) {
                    Ok((used, alloc)) => {
                        scan_slack(node, used, alloc, Some(off), 24, mft_records, &mut slack)
                    }
                    Err(e) => listing.problems.push(e.to_string()),
                }
            } else {
                // A whole record no longer in use: everything is slack.
                scan_slack(node, 16, node.len(), Some(off), 24, mft_records, &mut slack);
            }
        }
    }
    let up = ntfs.upcase();
    let key = |e: &DirEntry| up.upcase_units(&e.name.name_utf16);
    for e in live {
        if e.name.namespace == crate::values::Namespace::DOS {
            listing.dos_names.push(e);
        } else {
            listing.entries.push(e);
        }
    }
    listing.entries.sort_by_cached_key(key);
    // Slack copies of names that are still live (same reference and name)
    // are old copies of moved entries: keep them only if they differ.
    let live_keys: std::collections::HashSet<(u64, Vec<u16>)> = listing
        .entries
        .iter()
        .chain(listing.dos_names.iter())
        .map(|e| (e.reference.0, e.name.name_utf16.clone()))
        .collect();
    // A slack copy with a zeroed reference and the name of a live entry is
    // the stale copy of an entry that moved inside the B-tree, not a
    // deleted file.
    let live_names: std::collections::HashSet<Vec<u16>> = listing
        .entries
        .iter()
        .chain(listing.dos_names.iter())
        .map(|e| e.name.name_utf16.clone())
        .collect();
    let mut seen = std::collections::HashSet::new();
    for e in slack {
        if e.reference.0 == 0 && live_names.contains(&e.name.name_utf16) {
            continue;
        }
        let k = (e.reference.0, e.name.name_utf16.clone());
        if live_keys.contains(&k) || !seen.insert(k) {
            continue;
        }
        listing.slack.push(e);
    }
    listing.slack.sort_by_cached_key(key);
    Ok(listing)
}
