//! Full paths for every MFT entry from `$FILE_NAME` parent references.
//!
//! Built in one pass over `$MFT` into a compact table (24 bytes per entry
//! plus the names), so path resolution needs no further I/O. Paths whose
//! parent chain is broken (parent record reused with another sequence
//! number, parent not a directory, missing) are placed under
//! `$OrphanFiles`, as TSK does (shared notes §6; TSK `fs_dir.c`).

use crate::entry::MftEntry;
use crate::error::Result;
use crate::values::{FileReference, Namespace};

const F_VALID: u8 = 1;
const F_IN_USE: u8 = 2;
const F_DIR: u8 = 4;
/// Maximum path depth (loops and absurd chains stop here).
const MAX_DEPTH: usize = 512;

#[derive(Debug, Clone, Copy, Default)]
struct Node {
    parent: u64,
    seq: u16,
    flags: u8,
    name_start: u32,
    name_len: u32,
}

/// The parent map: entry → (name, parent reference, sequence, flags).
#[derive(Debug, Clone, Default)]
pub struct PathMap {
    nodes: Vec<Node>,
    names: String,
    /// Entries that could not be read while building.
    pub errors: u64,
}

/// One resolved path step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathStatus {
    /// The chain reaches the root through live references.
    Complete,
    /// The chain went through a deleted (but not reused) directory.
    ThroughDeleted,
    /// The chain is broken: the path is under `$OrphanFiles`.
    Orphan,
}

impl PathMap {
    /// Builds the map from an entry iterator (one pass).
    pub fn build(entries: impl Iterator<Item = Result<MftEntry>>) -> PathMap {
        let mut m = PathMap::default();
        for e in entries {
            match e {
                Ok(e) => m.insert(&e),
                Err(_) => m.errors += 1,
            }
        }
        m
    }

    /// Adds one entry (its best name and parent).
    pub fn insert(&mut self, e: &MftEntry) {
        let names = e.file_names();
        let best = names
            .iter()
            .find(|n| n.namespace != Namespace::DOS)
            .or(names.first());
        let Ok(idx) = usize::try_from(e.number) else {
            return;
        };
        if idx >= self.nodes.len() {
            if idx > 1 << 34 {
                return;
            }
            self.nodes.resize(idx + 1, Node::default());
        }
        let mut flags = F_VALID;
        if e.in_use() {
            flags |= F_IN_USE;
        }
        if e.is_directory() {
            flags |= F_DIR;
        }
        let (parent, start, len) = match best {
            Some(n) => {
                let start = self.names.len() as u32;
                self.names.push_str(&n.name);
                (n.parent.0, start, n.name.len() as u32)
            }
            None => (0, 0, 0),
        };
        if let Some(slot) = self.nodes.get_mut(idx) {
            *slot = Node {
                parent,
                seq: e.sequence(),
                flags,
                name_start: start,
                name_len: len,
            };
        }
    }

    /// Adds one raw FILE record (fixups are applied in place): the fast
    /// path of [`PathMap::build`] that reads only the header and the
    /// resident `$FILE_NAME` values. Returns `false` when the record needs
    /// the full parse (it has an `$ATTRIBUTE_LIST` but no name of its own);
    /// extension and empty records are ignored (`true`).
    pub fn insert_raw(&mut self, n: u64, buf: &mut [u8]) -> bool {
        use rift_io::bytes::{le_u16, le_u32, le_u64, slice, u8_at};
        let sig = slice(buf, 0, 4);
        if sig != Some(b"FILE") && sig != Some(b"BAAD") {
            return true;
        }
        crate::record::apply_fixups(buf);
        let b: &[u8] = buf;
        if le_u64(b, 32).unwrap_or(0) != 0 {
            return true; // extension record
        }
        let seq = le_u16(b, 16).unwrap_or(0);
        let rflags = le_u16(b, 22).unwrap_or(0);
        let used = (le_u32(b, 24).unwrap_or(0) as usize).min(b.len());
        let mut pos = usize::from(le_u16(b, 20).unwrap_or(0));
        let mut best: Option<(u8, u64, &[u8])> = None; // (rank, parent, name bytes)
        let mut has_list = false;
        let mut guard = 0;
        while pos >= 24 && pos + 16 <= used && guard < 256 {
            guard += 1;
            let t = le_u32(b, pos).unwrap_or(0xFFFF_FFFF);
            let len = le_u32(b, pos + 4).unwrap_or(0) as usize;
            if t == 0xFFFF_FFFF || len < 16 || pos + len > used {
                break;
            }
            if t == 0x20 {
                has_list = true;
            }
            if t == 0x30 && u8_at(b, pos + 8) == Some(0) {
                let vlen = le_u32(b, pos + 16).unwrap_or(0) as usize;
                let voff = usize::from(le_u16(b, pos + 20).unwrap_or(0));
                if let Some(v) = slice(b, pos + voff, vlen) {
                    let nlen = usize::from(u8_at(v, 64).unwrap_or(0));
                    let ns = u8_at(v, 65).unwrap_or(0);
                    if let (Some(parent), Some(name)) = (le_u64(v, 0), slice(v, 66, nlen * 2)) {
                        let rank = if ns == 2 { 1 } else { 0 };
                        if best.is_none_or(|(r, _, _)| rank < r) {
                            best = Some((rank, parent, name));
                        }
                    }
                }
            }
            pos += len;
        }
        if best.is_none() && has_list {
            return false;
        }
        let Ok(idx) = usize::try_from(n) else {
            return true;
        };
        if idx > 1 << 34 {
            return true;
        }
        if idx >= self.nodes.len() {
            self.nodes.resize(idx + 1, Node::default());
        }
        let mut flags = F_VALID;
        if rflags & 1 != 0 {
            flags |= F_IN_USE;
        }
        if rflags & 2 != 0 {
            flags |= F_DIR;
        }
        let (parent, start, len) = match best {
            Some((_, parent, name)) => {
                let start = self.names.len() as u32;
                let units = name
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes(c.try_into().unwrap_or([0, 0])));
                self.names.extend(
                    char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)),
                );
                (parent, start, self.names.len() as u32 - start)
            }
            None => (0, 0, 0),
        };
        if let Some(slot) = self.nodes.get_mut(idx) {
            *slot = Node {
                parent,
                seq,
                flags,
                name_start: start,
                name_len: len,
            };
        }
        true
    }

    fn node(&self, n: u64) -> Option<&Node> {
        self.nodes
            .get(usize::try_from(n).ok()?)
            .filter(|x| x.flags & F_VALID != 0)
    }

    /// The stored name of an entry.
    pub fn name(&self, n: u64) -> Option<&str> {
        let x = self.node(n)?;
        self.names
            .get(x.name_start as usize..(x.name_start + x.name_len) as usize)
    }

    /// Whether the entry is known and a directory.
    pub fn is_dir(&self, n: u64) -> bool {
        self.node(n).is_some_and(|x| x.flags & F_DIR != 0)
    }

    /// Path of the directory referenced by `parent` (no leading `\`,
    /// empty for the root) and how it was resolved.
    pub fn dir_path(&self, parent: FileReference) -> (String, PathStatus) {
        let mut comps: Vec<&str> = Vec::new();
        let mut status = PathStatus::Complete;
        let mut cur = parent;
        let mut seen: Vec<u64> = Vec::new();
        loop {
            if cur.entry() == 5 {
                break;
            }
            if comps.len() >= MAX_DEPTH || seen.contains(&cur.entry()) {
                status = PathStatus::Orphan;
                break;
            }
            seen.push(cur.entry());
            let Some(node) = self.node(cur.entry()) else {
                status = PathStatus::Orphan;
                break;
            };
            let live = node.flags & F_IN_USE != 0;
            let seq_ok = cur.sequence() == 0
                || node.seq == cur.sequence()
                || (!live && node.seq == cur.sequence().wrapping_add(1));
            if !seq_ok || node.flags & F_DIR == 0 || node.name_len == 0 {
                status = PathStatus::Orphan;
                break;
            }
            if !live {
                status = PathStatus::ThroughDeleted;
            }
            comps.push(self.name(cur.entry()).unwrap_or(""));
            cur = FileReference(node.parent);
        }
        let mut s = String::new();
        if status == PathStatus::Orphan {
            s.push_str("$OrphanFiles");
        }
        for c in comps.iter().rev() {
            if !s.is_empty() {
                s.push('\\');
            }
            s.push_str(c);
        }
        (s, status)
    }

    /// Full path of an entry (`\`-separated, no leading separator), using
    /// its stored name and parent.
    pub fn path(&self, n: u64) -> String {
        if n == 5 {
            return String::new();
        }
        let Some(node) = self.node(n) else {
            return format!("$OrphanFiles\\OrphanFile-{n}");
        };
        let name = self
            .name(n)
            .map(str::to_string)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("OrphanFile-{n}"));
        let (dir, _) = self.dir_path(FileReference(node.parent));
        if dir.is_empty() {
            name
        } else {
            format!("{dir}\\{name}")
        }
    }

    /// Number of entries covered.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}
