//! The journals of a live NTFS volume.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Mutex;

use rift_ntfs::{MftEntry, Ntfs, NtfsStream};
use rift_usn::{FileId, Journal, MftLookup, MftName, UsnRecord};

use crate::{Error, Result};

/// `$MFT` lookups for path resolution, read on demand from the volume and
/// cached (a journal names a few thousand directories at most, so reading
/// only those beats a pass over the whole `$MFT`).
pub struct NtfsMftLookup<'a> {
    ntfs: &'a Ntfs,
    cache: Mutex<HashMap<u64, Option<MftName>>>,
}

impl<'a> NtfsMftLookup<'a> {
    /// A lookup over `ntfs`.
    pub fn new(ntfs: &'a Ntfs) -> Self {
        NtfsMftLookup {
            ntfs,
            cache: Mutex::new(HashMap::new()),
        }
    }
}

/// What the `$MFT` says about an entry, for [`MftLookup`].
pub fn mft_name(e: &MftEntry) -> Option<MftName> {
    let f = e.best_file_name()?;
    Some(MftName {
        sequence: e.sequence(),
        name: f.name,
        parent: FileId::from_reference(f.parent.0),
        in_use: e.in_use(),
    })
}

impl MftLookup for NtfsMftLookup<'_> {
    fn lookup(&self, entry: u64) -> Option<MftName> {
        if let Ok(cache) = self.cache.lock() {
            if let Some(hit) = cache.get(&entry) {
                return hit.clone();
            }
        }
        let v = self.ntfs.entry(entry).ok().and_then(|e| mft_name(&e));
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(entry, v.clone());
        }
        v
    }
}

/// The `$J` stream of a volume and its allocated ranges.
pub struct UsnSource {
    /// MFT entry of `$UsnJrnl`.
    pub entry: u64,
    /// The `$J` stream (reads zeros in the sparse part).
    pub stream: NtfsStream,
    /// Allocated (non-sparse) ranges, in stream offsets.
    pub ranges: Vec<Range<u64>>,
}

/// Finds `$Extend\$UsnJrnl:$J`. `Ok(None)` when the volume has no journal.
pub fn find_usn_journal(ntfs: &Ntfs) -> Result<Option<UsnSource>> {
    let Some(e) = ntfs.find("$Extend/$UsnJrnl")? else {
        return Ok(None);
    };
    let Ok(stream) = ntfs.open_stream(&e, Some("$J")) else {
        return Ok(None);
    };
    let ranges = stream
        .allocated_ranges()
        .iter()
        .map(|r| r.offset..r.offset.saturating_add(r.length))
        .collect();
    Ok(Some(UsnSource {
        entry: e.number,
        stream,
        ranges,
    }))
}

/// Reads the volume's `$J` (allocated ranges only) with a full path for
/// every record, merging `carved` records (offsets = image offsets) that
/// the live journal does not hold.
pub fn read_usn_journal(ntfs: &Ntfs, carved: Vec<UsnRecord>) -> Result<Journal> {
    let src = find_usn_journal(ntfs)?.ok_or(Error::NoJournal)?;
    let lookup = NtfsMftLookup::new(ntfs);
    Ok(rift_usn::read_journal(
        &src.stream,
        &src.ranges,
        &lookup,
        carved,
    )?)
}

/// Names of every `$MFT` entry (entry → name, parent) for
/// [`rift_logfile::analyze_with_names`].
pub fn logfile_names(ntfs: &Ntfs) -> HashMap<u64, rift_logfile::NameInfo> {
    let mut m = HashMap::new();
    for e in ntfs.entries().flatten() {
        if let Some(f) = e.best_file_name() {
            m.insert(
                e.number,
                rift_logfile::NameInfo {
                    name: f.name,
                    parent: f.parent.0,
                },
            );
        }
    }
    m
}

/// Parses the volume's `$LogFile` and summarises it, naming files the log
/// never names from the `$MFT`.
pub fn read_logfile(ntfs: &Ntfs) -> Result<(rift_logfile::LogFile, rift_logfile::Analysis)> {
    let e = ntfs.entry(2)?;
    let s = ntfs.open_stream(&e, None)?;
    let log = rift_logfile::LogFile::parse(&s)?;
    let a = rift_logfile::analyze_with_names(&log, logfile_names(ntfs));
    Ok((log, a))
}
