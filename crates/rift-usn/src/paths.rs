//! Full paths for every record, from the journal's own history and the
//! `$MFT`.
//!
//! A USN record names only the file and its parent's file reference. The
//! parent's name at the time of the record is found, in order of trust:
//!
//! 1. **the journal itself**: the latest record about that parent id
//!    (entry + sequence) at or before this record's USN gives the parent's
//!    name and *its* parent at that moment. If every record about the parent
//!    comes later, the first of them still tells its earlier state (for a
//!    `RENAME_OLD_NAME` record, the old name *is* the earlier name; a
//!    `RENAME_NEW_NAME` record without its old-name partner tells nothing).
//!    Because lookups are keyed by entry *and* sequence, a folder that was
//!    deleted and whose MFT entry was reused still resolves to its old name;
//! 2. **the `$MFT`** through [`MftLookup`], accepted only when the entry's
//!    sequence number matches the reference (an in-use entry with the same
//!    sequence, or a freed entry whose sequence is the same or one higher —
//!    NTFS bumps the sequence when it frees an entry);
//! 3. otherwise the component is written `<unknown ENTRY-SEQ>` and the path
//!    is flagged incomplete.
//!
//! Sources: `docs/formats/ntfs.md` §2.3 (sequence bump at free time,
//! verified on `dfir_ntfs_deleted.mft`), §7.3 (old/new name pairs).

use std::collections::HashMap;

use crate::flags::Reason;
use crate::record::{FileId, UsnRecord};

/// MFT entry number of the root directory.
pub const ROOT_ENTRY: u64 = 5;

/// What the `$MFT` says about one entry (its primary, non-DOS name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MftName {
    /// Sequence number stored in the entry header.
    pub sequence: u16,
    /// The entry's Win32/POSIX `$FILE_NAME` name.
    pub name: String,
    /// Parent directory reference from that `$FILE_NAME`.
    pub parent: FileId,
    /// Whether the entry is in use (flag 0x1).
    pub in_use: bool,
}

/// The `$MFT` side of path resolution. rift-usn does not parse `$MFT`
/// itself; the caller (rift-target, rift-cli) implements this from its
/// NTFS reader, or passes a prebuilt map.
pub trait MftLookup {
    /// The entry's header sequence and primary name, if the entry exists.
    fn lookup(&self, entry: u64) -> Option<MftName>;
}

impl MftLookup for HashMap<u64, MftName> {
    fn lookup(&self, entry: u64) -> Option<MftName> {
        self.get(&entry).cloned()
    }
}

impl<T: MftLookup + ?Sized> MftLookup for &T {
    fn lookup(&self, entry: u64) -> Option<MftName> {
        (**self).lookup(entry)
    }
}

/// No `$MFT`: paths come from the journal alone.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMft;

impl MftLookup for NoMft {
    fn lookup(&self, _entry: u64) -> Option<MftName> {
        None
    }
}

/// One named state of a file id, from one record.
#[derive(Debug, Clone)]
struct State {
    usn: i64,
    name: Box<str>,
    parent: FileId,
    reason: Reason,
}

/// The journal's own history: every name a file id had, by USN.
#[derive(Debug, Default, Clone)]
pub struct History {
    by_id: HashMap<FileId, Vec<State>>,
    sorted: bool,
}

/// A resolved path.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvedPath {
    /// The file's full path from the volume root, `\`-separated, starting
    /// with `\` (`\Users\a\file.txt`).
    pub full_path: String,
    /// The parent directory's path (`\` for the root).
    pub parent_path: String,
    /// The name used for the last component (the record's own name, or for
    /// a nameless V4 record the name the history gives its file id).
    pub name: String,
    /// `false` when some component could not be resolved.
    pub complete: bool,
}

/// Longest parent chain followed (NTFS has no practical depth limit, but a
/// chain this long on real data means a loop through reused entries).
const MAX_DEPTH: usize = 256;

impl History {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a record's state (records without a name, i.e. V4, are ignored).
    pub fn add(&mut self, r: &UsnRecord) {
        if r.name.is_empty() {
            return;
        }
        self.by_id.entry(r.file_id).or_default().push(State {
            usn: r.usn,
            name: r.name.as_str().into(),
            parent: r.parent_id,
            reason: r.reason,
        });
        self.sorted = false;
    }

    /// Orders each id's states by USN (call after the last [`History::add`];
    /// [`Resolver::new`] does it).
    pub fn finish(&mut self) {
        if !self.sorted {
            for v in self.by_id.values_mut() {
                v.sort_by_key(|s| s.usn);
            }
            self.sorted = true;
        }
    }

    /// Number of distinct file ids seen.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// `true` when no named record was added.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// [`History::state_at`] plus the USN interval `[lo, hi)` over which
    /// the answer stays the same (for caching resolved paths).
    fn state_range(&self, id: FileId, usn: i64) -> (Option<(&str, FileId)>, i64, i64) {
        let Some(v) = self.by_id.get(&id) else {
            return (None, i64::MIN, i64::MAX);
        };
        let idx = v.partition_point(|s| s.usn <= usn);
        let hi = v.get(idx).map_or(i64::MAX, |s| s.usn);
        if idx > 0 {
            let Some(s) = v.get(idx - 1) else {
                return (None, i64::MIN, i64::MAX);
            };
            return (Some((&s.name, s.parent)), s.usn, hi);
        }
        // Every record is later: the first one tells the earlier state
        // unless it is the new-name half of a rename.
        let Some(first) = v.first() else {
            return (None, i64::MIN, i64::MAX);
        };
        if first.reason.contains(Reason::RENAME_NEW_NAME)
            && !first.reason.contains(Reason::RENAME_OLD_NAME)
        {
            return (None, i64::MIN, hi);
        }
        (Some((&first.name, first.parent)), i64::MIN, hi)
    }
}

/// A resolved directory path and the USN interval it holds for.
#[derive(Debug, Clone)]
struct Cached {
    lo: i64,
    hi: i64,
    path: String,
    complete: bool,
}

/// Resolves paths with a [`History`] and an optional [`MftLookup`].
///
/// Directory paths are cached together with the USN interval over which
/// none of their components changes, so resolving millions of records in
/// journal order costs one lookup per record.
pub struct Resolver<M> {
    history: History,
    mft: M,
    cache: std::cell::RefCell<HashMap<FileId, Cached>>,
}

impl<M: MftLookup> Resolver<M> {
    /// A resolver over a finished history and an `$MFT` lookup ([`NoMft`]
    /// for none).
    pub fn new(mut history: History, mft: M) -> Self {
        history.finish();
        Resolver {
            history,
            mft,
            cache: std::cell::RefCell::new(HashMap::new()),
        }
    }

    /// The history in use.
    pub fn history(&self) -> &History {
        &self.history
    }

    /// (name, parent) of a directory (or file) id at `usn`.
    fn state(&self, id: FileId, usn: i64) -> Option<(String, FileId)> {
        self.state_range(id, usn).0
    }

    /// [`Resolver::state`] and the USN interval it holds for.
    fn state_range(&self, id: FileId, usn: i64) -> (Option<(String, FileId)>, i64, i64) {
        let (hit, lo, hi) = self.history.state_range(id, usn);
        if let Some((n, p)) = hit {
            return (Some((n.to_owned(), p)), lo, hi);
        }
        (self.mft_state(id), lo, hi)
    }

    /// What the `$MFT` says about `id`, if its sequence matches.
    fn mft_state(&self, id: FileId) -> Option<(String, FileId)> {
        if !id.is_ntfs_reference() {
            return None;
        }
        let m = self.mft.lookup(id.entry())?;
        let seq = id.sequence();
        let matches = if m.in_use {
            m.sequence == seq
        } else {
            m.sequence == seq || m.sequence == seq.wrapping_add(1)
        };
        (matches && !m.name.is_empty()).then_some((m.name, m.parent))
    }

    /// The path of directory `dir` at `usn` (`\` for the root) and whether
    /// every component was resolved.
    pub fn directory_path(&self, dir: FileId, usn: i64) -> (String, bool) {
        if let Ok(cache) = self.cache.try_borrow() {
            if let Some(c) = cache.get(&dir) {
                if c.lo <= usn && usn < c.hi {
                    return (c.path.clone(), c.complete);
                }
            }
        }
        let (mut lo, mut hi) = (i64::MIN, i64::MAX);
        let mut parts: Vec<String> = Vec::new();
        let mut complete = true;
        let mut cur = dir;
        let mut seen: Vec<FileId> = Vec::new();
        loop {
            if cur.is_ntfs_reference() && cur.entry() == ROOT_ENTRY {
                break;
            }
            if seen.len() >= MAX_DEPTH || seen.contains(&cur) {
                parts.push(format!("<loop {}-{}>", cur.entry(), cur.sequence()));
                complete = false;
                break;
            }
            seen.push(cur);
            let (st, l, h) = self.state_range(cur, usn);
            lo = lo.max(l);
            hi = hi.min(h);
            match st {
                Some((name, parent)) => {
                    parts.push(name);
                    cur = parent;
                }
                None => {
                    parts.push(unknown(cur));
                    complete = false;
                    break;
                }
            }
        }
        let mut path = String::new();
        for p in parts.iter().rev() {
            path.push('\\');
            path.push_str(p);
        }
        if path.is_empty() {
            path.push('\\');
        }
        if let Ok(mut cache) = self.cache.try_borrow_mut() {
            cache.insert(
                dir,
                Cached {
                    lo,
                    hi,
                    path: path.clone(),
                    complete,
                },
            );
        }
        (path, complete)
    }

    /// The full path of a record at its own USN.
    pub fn resolve(&self, r: &UsnRecord) -> ResolvedPath {
        let (parent_path, mut complete) = self.directory_path(r.parent_id, r.usn);
        let name = if r.name.is_empty() {
            match self.state(r.file_id, r.usn) {
                Some((n, _)) => n,
                None => {
                    complete = false;
                    unknown(r.file_id)
                }
            }
        } else {
            r.name.clone()
        };
        let mut full_path = String::with_capacity(parent_path.len() + 1 + name.len());
        full_path.push_str(&parent_path);
        if !full_path.ends_with('\\') {
            full_path.push('\\');
        }
        full_path.push_str(&name);
        ResolvedPath {
            full_path,
            parent_path,
            name,
            complete,
        }
    }
}

fn unknown(id: FileId) -> String {
    if id.is_ntfs_reference() {
        format!("<unknown {}-{}>", id.entry(), id.sequence())
    } else {
        format!("<unknown 0x{:032X}>", id.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rift_io::time::FileTime;

    fn rec(
        usn: i64,
        name: &str,
        file: (u64, u16),
        parent: (u64, u16),
        reason: Reason,
    ) -> UsnRecord {
        UsnRecord {
            offset: usn as u64,
            length: 0,
            major: 2,
            minor: 0,
            file_id: FileId::from_parts(file.0, file.1),
            parent_id: FileId::from_parts(parent.0, parent.1),
            usn,
            timestamp: FileTime(0),
            reason,
            source_info: Default::default(),
            security_id: 0,
            attributes: Default::default(),
            name: name.into(),
            extents: vec![],
            remaining_extents: 0,
        }
    }

    #[test]
    fn deleted_file_in_deleted_folder_with_reused_entry() {
        let root = (5, 5);
        let recs = [
            rec(0, "old", (40, 1), root, Reason::FILE_CREATE),
            rec(8, "doc.txt", (41, 1), (40, 1), Reason::FILE_CREATE),
            rec(
                16,
                "doc.txt",
                (41, 1),
                (40, 1),
                Reason::FILE_DELETE | Reason::CLOSE,
            ),
            rec(
                24,
                "old",
                (40, 1),
                root,
                Reason::FILE_DELETE | Reason::CLOSE,
            ),
            // entry 40 reused as another folder
            rec(32, "new", (40, 2), root, Reason::FILE_CREATE),
            rec(40, "x", (42, 1), (40, 2), Reason::FILE_CREATE),
        ];
        let mut h = History::new();
        recs.iter().for_each(|r| h.add(r));
        // The MFT knows entry 40 only in its reused form.
        let mut mft = HashMap::new();
        mft.insert(
            40,
            MftName {
                sequence: 2,
                name: "new".into(),
                parent: FileId::from_parts(5, 5),
                in_use: true,
            },
        );
        let res = Resolver::new(h, mft);
        assert_eq!(res.resolve(&recs[2]).full_path, "\\old\\doc.txt");
        assert_eq!(res.resolve(&recs[5]).full_path, "\\new\\x");
    }

    #[test]
    fn renamed_folder_has_old_name_before_and_new_name_after() {
        let root = (5, 5);
        let recs = [
            rec(0, "a.txt", (50, 1), (60, 3), Reason::DATA_EXTEND),
            rec(8, "Before", (60, 3), root, Reason::RENAME_OLD_NAME),
            rec(16, "After", (60, 3), root, Reason::RENAME_NEW_NAME),
            rec(24, "a.txt", (50, 1), (60, 3), Reason::CLOSE),
        ];
        let mut h = History::new();
        recs.iter().for_each(|r| h.add(r));
        let res = Resolver::new(h, NoMft);
        assert_eq!(res.resolve(&recs[0]).full_path, "\\Before\\a.txt");
        assert_eq!(res.resolve(&recs[3]).full_path, "\\After\\a.txt");
    }

    #[test]
    fn mft_fallback_checks_sequence_and_unknowns_are_flagged() {
        let mut mft = HashMap::new();
        mft.insert(
            70,
            MftName {
                sequence: 4,
                name: "Live".into(),
                parent: FileId::from_parts(5, 5),
                in_use: true,
            },
        );
        mft.insert(
            71,
            MftName {
                sequence: 3,
                name: "Gone".into(),
                parent: FileId::from_parts(5, 5),
                in_use: false,
            },
        );
        let h = History::new();
        let res = Resolver::new(h, &mft);
        let r = rec(0, "f", (99, 1), (70, 4), Reason::CLOSE);
        assert_eq!(res.resolve(&r).full_path, "\\Live\\f");
        let r = rec(0, "f", (99, 1), (71, 2), Reason::CLOSE);
        assert_eq!(res.resolve(&r).full_path, "\\Gone\\f");
        let r = rec(0, "f", (99, 1), (70, 3), Reason::CLOSE);
        let p = res.resolve(&r);
        assert_eq!(p.full_path, "\\<unknown 70-3>\\f");
        assert!(!p.complete);
    }

    #[test]
    fn parent_loops_terminate() {
        let recs = [
            rec(0, "a", (80, 1), (81, 1), Reason::CLOSE),
            rec(8, "b", (81, 1), (80, 1), Reason::CLOSE),
        ];
        let mut h = History::new();
        recs.iter().for_each(|r| h.add(r));
        let res = Resolver::new(h, NoMft);
        assert!(!res.resolve(&recs[0]).complete);
    }
}
