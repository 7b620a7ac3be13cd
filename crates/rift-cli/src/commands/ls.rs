//! `rift ls`: list files of an NTFS volume like `fls -r -p`.
//!
//! Also holds the volume-opening helper and the MFT-based file tree that
//! `stat`, `cat`, `export` and `mft` share (until `common.rs` offers the
//! image → volume step for every command).
//!
//! Listing modes:
//! * `rift ls IMAGE [DIR]` (not recursive, volume input): the directory's
//!   `$I30` index, like Windows sees it.
//! * `rift ls IMAGE [DIR] -r`, or any listing of a standalone `$MFT`: one
//!   parallel pass over `$MFT` builds the tree from `$FILE_NAME` parent
//!   references (each non-DOS name is a hard link), which is what makes it
//!   fast on large volumes. `--deleted` adds deleted entries (in their
//!   original directory when the parent still matches, else under
//!   `$OrphanFiles` as TSK does) and, on a volume, names recovered from
//!   `$I30` slack (flagged).
//!
//! Output lines follow `fls -p`: `TYPE/TYPE [* ]ENTRY-ATTRTYPE-ID:<TAB>PATH`
//! with one line per `$DATA` stream (`path:stream`) and per named
//! non-`$I30` index, so the two tools can be diffed.

use std::collections::{HashMap, HashSet};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use rift_io::ReadAt;
use rift_io::time::{FileTime, format_ez};
use rift_ntfs::{
    AttrType, Entries, FileAttributes, FileReference, MftEntry, MftFile, Ntfs, par_chunks_ordered,
};

/// How to pick the NTFS volume inside an image (`-p N`, `--offset BYTES`).
pub type VolumeOpts = crate::common::VolumeArgs;

/// An opened input: an NTFS volume or a standalone `$MFT`.
pub(crate) enum Source {
    Volume(Ntfs),
    Mft(MftFile),
}

impl Source {
    pub(crate) fn entries(&self) -> Entries {
        match self {
            Source::Volume(n) => n.entries(),
            Source::Mft(m) => m.entries(),
        }
    }
    pub(crate) fn entry(&self, n: u64) -> rift_ntfs::Result<MftEntry> {
        match self {
            Source::Volume(v) => v.entry(n),
            Source::Mft(m) => m.entry(n),
        }
    }
    pub(crate) fn record_count(&self) -> u64 {
        match self {
            Source::Volume(v) => v.mft_record_count(),
            Source::Mft(m) => m.count(),
        }
    }
    pub(crate) fn volume(&self) -> Option<&Ntfs> {
        match self {
            Source::Volume(v) => Some(v),
            Source::Mft(_) => None,
        }
    }
}

/// Opens `image`: a standalone `$MFT` (when `allow_mft` and the file starts
/// with `FILE`), a bare NTFS volume, or a disk image (E01/raw/VM) whose
/// largest NTFS partition (or `-p N`, or `--offset`) is used.
pub(crate) fn open_source(
    image: &Path,
    opts: &VolumeOpts,
    allow_mft: bool,
) -> anyhow::Result<Source> {
    if allow_mft && opts.offset.is_none() && opts.partition.is_none() {
        let f = std::fs::File::open(image).with_context(|| format!("open {}", image.display()))?;
        let mut head = [0u8; 4];
        if f.read_at(0, &mut head).unwrap_or(0) == 4 && (&head == b"FILE" || &head == b"BAAD") {
            return Ok(Source::Mft(MftFile::open(f)));
        }
    }
    let (_evidence, vol) = crate::common::open_ntfs(image, opts)?;
    let ntfs = vol.ntfs;
    Ok(Source::Volume(ntfs))
}

/// Arguments of `rift ls`.
#[derive(clap::Args)]
pub struct Args {
    /// Disk image (E01, raw, VM disk), bare NTFS volume, or standalone $MFT.
    pub image: PathBuf,
    /// Directory to list (default: the root).
    pub path: Option<String>,
    /// Recurse into subdirectories.
    #[arg(short = 'r', long)]
    pub recursive: bool,
    /// Include deleted entries, orphans and names recovered from index slack.
    #[arg(short = 'd', long)]
    pub deleted: bool,
    /// Add times (MACB of $STANDARD_INFORMATION) and size.
    #[arg(short = 'l', long)]
    pub long: bool,
    /// JSON Lines output (one object per line).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub volume: VolumeOpts,
}

/// One stream line of an entry (TSK's `type-id` pair).
#[derive(Debug, Clone)]
pub(crate) struct StreamInfo {
    pub type_code: u32,
    pub instance: u16,
    /// Suffix after `:` (`None` for the unnamed $DATA and `$I30`).
    pub name: Option<String>,
    pub size: u64,
}

/// A hard link: one non-DOS `$FILE_NAME`.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub parent: FileReference,
    pub name: String,
    pub fn_attrs: u32,
}

/// What listing needs of one entry (compact; no attribute values).
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub number: u64,
    pub seq: u16,
    pub in_use: bool,
    pub is_dir: bool,
    pub links: Vec<Link>,
    pub streams: Vec<StreamInfo>,
    pub si: Option<[FileTime; 4]>,
    pub size: u64,
    pub attr_count: usize,
}

impl Node {
    pub(crate) fn from_entry(e: &MftEntry) -> Node {
        // Collected into a fresh Vec: an in-place `collect` would keep the
        // (much larger) `FileName` allocation alive for every node.
        let names = e.link_names();
        let mut links = Vec::with_capacity(names.len());
        links.extend(names.into_iter().map(|f| Link {
            parent: f.parent,
            name: f.name,
            fn_attrs: f.attributes.bits(),
        }));
        let mut streams = Vec::new();
        for a in &e.attributes {
            if a.type_code == AttrType::DATA {
                streams.push(StreamInfo {
                    type_code: a.type_code.0,
                    instance: a.instance,
                    name: (!a.name.is_empty()).then(|| a.name.clone()),
                    size: a.data_size(),
                });
            } else if a.type_code == AttrType::INDEX_ROOT {
                streams.push(StreamInfo {
                    type_code: a.type_code.0,
                    instance: a.instance,
                    name: (a.name != "$I30").then(|| a.name.clone()),
                    size: 0,
                });
            }
        }
        streams.shrink_to_fit();
        let si = e
            .standard_information()
            .map(|s| [s.modified, s.accessed, s.mft_modified, s.created]);
        Node {
            number: e.number,
            seq: e.sequence(),
            in_use: e.in_use(),
            is_dir: e.is_directory(),
            links,
            streams,
            si,
            size: e.data_size(),
            attr_count: e.attributes.len(),
        }
    }

    /// Sequence a live reference to this entry carries (TSK reports
    /// `seq - 1` for unallocated entries: the sequence is bumped at free).
    pub(crate) fn effective_seq(&self) -> u16 {
        if self.in_use {
            self.seq
        } else {
            self.seq.wrapping_sub(1)
        }
    }
}

/// Reads every base entry in parallel into compact nodes (indexed by entry).
pub(crate) fn scan_nodes(src: &Source) -> Vec<Option<Node>> {
    let total = src.record_count();
    let mut nodes: Vec<Option<Node>> = Vec::with_capacity(total as usize);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    par_chunks_ordered(
        total,
        4096,
        threads,
        |s, e| {
            src.entries()
                .starting_at(s)
                .ending_at(e)
                .filter_map(|r| r.ok())
                .map(|e| Node::from_entry(&e))
                .collect::<Vec<_>>()
        },
        |chunk| {
            for n in chunk {
                let i = n.number as usize;
                if nodes.len() <= i {
                    nodes.resize_with(i + 1, || None);
                }
                nodes[i] = Some(n);
            }
        },
    );
    nodes.resize_with(total as usize, || None);
    nodes
}

/// One printed line.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub path: String,
    pub entry: u64,
    pub seq: u16,
    pub stream: Option<StreamInfo>,
    pub name_dir: bool,
    pub meta_dir: bool,
    pub name_allocated: bool,
    pub meta_allocated: bool,
    pub from_slack: bool,
    pub orphan: bool,
    /// The name's reference does not match the record (reused or freed):
    /// TSK prints such names with meta type `-` and no attribute.
    pub meta_unknown: bool,
    pub si: Option<[FileTime; 4]>,
    pub size: u64,
}

/// The MFT-based tree and the listing walk.
pub(crate) struct Tree {
    pub nodes: Vec<Option<Node>>,
    /// parent entry → (child entry, link index)
    children: HashMap<u64, Vec<(u64, usize)>>,
    /// `$I30` listings of directories (volume input only).
    pub listings: HashMap<u64, rift_ntfs::DirListing>,
}

impl Tree {
    pub(crate) fn build(nodes: Vec<Option<Node>>) -> Tree {
        let mut children: HashMap<u64, Vec<(u64, usize)>> = HashMap::new();
        for n in nodes.iter().flatten() {
            for (i, l) in n.links.iter().enumerate() {
                if n.number == 5 {
                    continue; // the root names itself
                }
                children
                    .entry(l.parent.entry())
                    .or_default()
                    .push((n.number, i));
            }
        }
        Tree {
            nodes,
            children,
            listings: HashMap::new(),
        }
    }

    /// Reads the `$I30` index of every directory (in parallel), so names
    /// that only the index holds (stale entries, slack) are listed too.
    pub(crate) fn load_indexes(&mut self, ntfs: &Ntfs, deleted: bool) {
        let dirs: Vec<u64> = self
            .nodes
            .iter()
            .flatten()
            .filter(|n| n.is_dir && (n.in_use || deleted))
            .map(|n| n.number)
            .collect();
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        let mut out = HashMap::new();
        let this = &*self;
        par_chunks_ordered(
            dirs.len() as u64,
            64,
            threads,
            |s, e| {
                let mut v = Vec::new();
                for &d in dirs.get(s as usize..e as usize).unwrap_or_default() {
                    let (Ok(de), Some(dn)) = (ntfs.entry(d), this.node(d)) else {
                        continue;
                    };
                    if !de.has_i30() {
                        continue;
                    }
                    let Ok(mut l) = ntfs.read_dir(&de) else {
                        continue;
                    };
                    // Keep only what `walk` can use: names the MFT does not
                    // already give as children (stale and slack entries).
                    // Most of an index repeats the MFT, and holding every
                    // directory's full index tripled the peak memory.
                    let known: HashSet<u64> = this
                        .kids(dn, deleted)
                        .iter()
                        .map(|(c, _)| c.number)
                        .collect();
                    let extra = |x: &rift_ntfs::DirEntry| {
                        let i = x.reference.entry();
                        i != d && !known.contains(&i)
                    };
                    l.entries.retain(extra);
                    if deleted {
                        l.slack.retain(extra);
                    } else {
                        l.slack.clear();
                    }
                    l.dos_names = Vec::new();
                    l.problems = Vec::new();
                    if !l.entries.is_empty() || !l.slack.is_empty() {
                        l.entries.shrink_to_fit();
                        l.slack.shrink_to_fit();
                        v.push((d, l));
                    }
                }
                v
            },
            |v| out.extend(v),
        );
        self.listings = out;
    }

    pub(crate) fn node(&self, n: u64) -> Option<&Node> {
        self.nodes.get(n as usize).and_then(|x| x.as_ref())
    }

    /// Children of `dir` whose link names it with the right sequence.
    pub(crate) fn kids(&self, dir: &Node, deleted: bool) -> Vec<(&Node, &Link)> {
        let mut v = Vec::new();
        let Some(list) = self.children.get(&dir.number) else {
            return v;
        };
        for &(c, li) in list {
            let Some(child) = self.node(c) else { continue };
            let Some(link) = child.links.get(li) else {
                continue;
            };
            if link.parent.sequence() != dir.effective_seq() && link.parent.sequence() != 0 {
                continue;
            }
            if !child.in_use && !deleted {
                continue;
            }
            v.push((child, link));
        }
        v.sort_by(|a, b| a.1.name.cmp(&b.1.name));
        v
    }

    /// Walks `dir` (path `prefix`), emitting lines.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn walk(
        &self,
        dir: &Node,
        prefix: &str,
        recursive: bool,
        deleted: bool,
        seen: &mut HashSet<u64>,
        stack: &mut Vec<u64>,
        out: &mut dyn FnMut(Line),
    ) {
        stack.push(dir.number);
        let kids = self.kids(dir, deleted);
        if let Some(listing) = self.listings.get(&dir.number) {
            let known: HashSet<u64> = kids.iter().map(|(c, _)| c.number).collect();
            let mut extra: HashSet<(u64, String)> = HashSet::new();
            let live = listing.entries.iter().map(|e| (e, false));
            let slack = listing.slack.iter().filter(|_| deleted).map(|e| (e, true));
            for (e, from_slack) in live.chain(slack) {
                let inum = e.reference.entry();
                if inum == dir.number
                    || known.contains(&inum)
                    || !extra.insert((inum, e.name.name.clone()))
                {
                    continue;
                }
                let path = if prefix.is_empty() {
                    e.name.name.clone()
                } else {
                    format!("{prefix}/{}", e.name.name)
                };
                let link = Link {
                    parent: e.name.parent,
                    name: e.name.name.clone(),
                    fn_attrs: e.name.attributes.bits(),
                };
                match self.node(inum).filter(|_| inum != 0) {
                    Some(meta) if from_slack => {
                        seen.insert(inum);
                        emit_lines(meta, &link, &path, false, true, false, out);
                    }
                    Some(meta) if meta.in_use && meta.seq == e.reference.sequence() => {
                        seen.insert(inum);
                        emit_lines(meta, &link, &path, true, false, false, out);
                    }
                    _ => out(Line {
                        path,
                        entry: inum,
                        seq: e.reference.sequence(),
                        stream: None,
                        name_dir: link.fn_attrs
                            & FileAttributes::DUP_FILE_NAME_INDEX_PRESENT.bits()
                            != 0,
                        meta_dir: false,
                        name_allocated: !from_slack,
                        meta_allocated: false,
                        from_slack,
                        orphan: false,
                        meta_unknown: true,
                        si: None,
                        size: e.name.data_size,
                    }),
                }
            }
        }
        for (child, link) in kids {
            seen.insert(child.number);
            let path = if prefix.is_empty() {
                link.name.clone()
            } else {
                format!("{prefix}/{}", link.name)
            };
            emit_lines(child, link, &path, child.in_use, false, false, out);
            if recursive && child.is_dir && !stack.contains(&child.number) && stack.len() < 1024 {
                self.walk(child, &path, recursive, deleted, seen, stack, out);
            }
        }
        stack.pop();
    }

    /// Deleted entries not reached from the root, under `$OrphanFiles`.
    pub(crate) fn orphans(&self, seen: &mut HashSet<u64>, out: &mut dyn FnMut(Line)) {
        let mut stack = Vec::new();
        for n in self.nodes.iter().flatten() {
            if n.in_use || seen.contains(&n.number) || n.number == 5 {
                continue;
            }
            // Never-used records (no name, no attribute) are not files (TSK skips them too).
            if n.links.is_empty() && n.attr_count == 0 {
                continue;
            }
            seen.insert(n.number);
            let (name, link) = match n.links.first() {
                Some(l) => (l.name.clone(), l.clone()),
                None => (
                    format!("OrphanFile-{}", n.number),
                    Link {
                        parent: FileReference(0),
                        name: String::new(),
                        fn_attrs: 0,
                    },
                ),
            };
            let path = format!("$OrphanFiles/{name}");
            emit_lines(n, &link, &path, false, false, true, out);
            if n.is_dir {
                // Contents of an orphan directory follow it (TSK marks them seen).
                let mut sub = Vec::new();
                self.walk(n, &path, true, true, seen, &mut stack, &mut |l| sub.push(l));
                for mut l in sub {
                    l.orphan = true;
                    out(l);
                }
            }
        }
    }
}

/// Emits one line per TSK-visible attribute of `n` named through `link`.
pub(crate) fn emit_lines(
    n: &Node,
    link: &Link,
    path: &str,
    name_alloc: bool,
    slack: bool,
    orphan: bool,
    out: &mut dyn FnMut(Line),
) {
    let base = Line {
        path: path.to_string(),
        entry: n.number,
        seq: n.effective_seq(),
        stream: None,
        name_dir: link.fn_attrs & FileAttributes::DUP_FILE_NAME_INDEX_PRESENT.bits() != 0
            || (link.fn_attrs == 0 && n.is_dir),
        meta_dir: n.is_dir,
        name_allocated: name_alloc,
        meta_allocated: n.in_use,
        from_slack: slack,
        orphan,
        meta_unknown: false,
        si: n.si,
        size: n.size,
    };
    if n.streams.is_empty() {
        out(base);
        return;
    }
    for s in &n.streams {
        let mut l = base.clone();
        if let Some(name) = &s.name {
            l.path = format!("{path}:{name}");
        }
        if s.type_code == AttrType::DATA.0 {
            l.size = s.size;
        }
        l.stream = Some(s.clone());
        out(l);
    }
}

fn fmt_time(t: FileTime) -> String {
    t.to_timestamp().map(format_ez).unwrap_or_default()
}

fn print_line(w: &mut dyn Write, l: &Line, long: bool, json: bool) -> io::Result<()> {
    if json {
        let mut o = serde_json::json!({
            "path": l.path,
            "entry": l.entry,
            "sequence": l.seq,
            "attr_type": l.stream.as_ref().map(|s| s.type_code),
            "attr_id": l.stream.as_ref().map(|s| s.instance),
            "stream": l.stream.as_ref().and_then(|s| s.name.clone()),
            "is_dir": l.meta_dir,
            "allocated": l.name_allocated,
            "meta_allocated": l.meta_allocated,
            "deleted": !l.name_allocated,
            "reallocated": !l.name_allocated && l.meta_allocated,
            "from_slack": l.from_slack,
            "orphan": l.orphan,
            "size": l.size,
        });
        if let (Some(si), Some(m)) = (l.si, o.as_object_mut()) {
            for (k, t) in ["si_modified", "si_accessed", "si_changed", "si_created"]
                .iter()
                .zip(si)
            {
                m.insert(
                    (*k).into(),
                    t.to_timestamp().map(rift_io::time::format_iso_utc).into(),
                );
            }
        }
        serde_json::to_writer(&mut *w, &o)?;
        return writeln!(w);
    }
    let nt = if l.orphan && l.path == "$OrphanFiles" {
        'V'
    } else if l.from_slack || l.name_allocated {
        if l.name_dir { 'd' } else { 'r' }
    } else {
        '-'
    };
    let mt = if nt == 'V' {
        'V'
    } else if l.meta_unknown {
        '-'
    } else if l.meta_dir
        && l.stream
            .as_ref()
            .is_none_or(|s| s.type_code != AttrType::DATA.0)
    {
        'd'
    } else {
        'r'
    };
    let del = if l.name_allocated { "" } else { "* " };
    let realloc = if !l.name_allocated && l.meta_allocated && !l.meta_unknown {
        "(realloc)"
    } else {
        ""
    };
    let id = match &l.stream {
        Some(s) => format!("{}-{}-{}", l.entry, s.type_code, s.instance),
        None => l.entry.to_string(),
    };
    write!(w, "{nt}/{mt} {del}{id}{realloc}:\t{}", l.path)?;
    if l.from_slack {
        write!(w, "\t(from $I30 slack)")?;
    }
    if long {
        let t = l.si.unwrap_or_default();
        write!(
            w,
            "\t{}\t{}\t{}\t{}\t{}",
            fmt_time(t[0]),
            fmt_time(t[1]),
            fmt_time(t[2]),
            fmt_time(t[3]),
            l.size
        )?;
    }
    writeln!(w)
}

/// Finds a directory (or file) node by path through the tree (case-insensitive).
fn tree_find<'a>(tree: &'a Tree, path: &str, up: Option<&rift_ntfs::UpCase>) -> Option<&'a Node> {
    let mut cur = tree.node(5)?;
    for c in path
        .split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
    {
        let eq = |a: &str| match up {
            Some(u) => u.eq_ignore_case(a, c),
            None => a.to_lowercase() == c.to_lowercase(),
        };
        let next = tree
            .kids(cur, false)
            .into_iter()
            .find(|(_, l)| eq(&l.name))?;
        cur = next.0;
    }
    Some(cur)
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let src = open_source(&args.image, &args.volume, true)?;
    let stdout = io::stdout();
    let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut write_err: Option<io::Error> = None;
    let mut out = |l: Line| {
        if write_err.is_none() {
            if let Err(e) = print_line(&mut w, &l, args.long, args.json) {
                write_err = Some(e);
            }
        }
    };
    let path = args.path.clone().unwrap_or_default();
    match (&src, args.recursive) {
        (Source::Volume(ntfs), false) => {
            // Non-recursive on a volume: the directory's $I30 index.
            let dir = ntfs
                .find(&path)?
                .with_context(|| format!("{path}: not found"))?;
            if !dir.has_i30() {
                bail!("{path}: not a directory");
            }
            let listing = ntfs.read_dir(&dir)?;
            let prefix = path.trim_matches(['/', '\\']).replace('\\', "/");
            let join = |n: &str| {
                if prefix.is_empty() {
                    n.to_string()
                } else {
                    format!("{prefix}/{n}")
                }
            };
            for e in &listing.entries {
                let Ok(child) = ntfs.entry(e.reference.entry()) else {
                    continue;
                };
                let node = Node::from_entry(&child);
                let link = Link {
                    parent: e.name.parent,
                    name: e.name.name.clone(),
                    fn_attrs: e.name.attributes.bits(),
                };
                let alloc = child.in_use() && child.sequence() == e.reference.sequence();
                emit_lines(
                    &node,
                    &link,
                    &join(&e.name.name),
                    alloc || child.in_use(),
                    false,
                    false,
                    &mut out,
                );
            }
            if args.deleted {
                for e in &listing.slack {
                    let Ok(child) = ntfs.entry(e.reference.entry()) else {
                        continue;
                    };
                    let node = Node::from_entry(&child);
                    let link = Link {
                        parent: e.name.parent,
                        name: e.name.name.clone(),
                        fn_attrs: e.name.attributes.bits(),
                    };
                    emit_lines(
                        &node,
                        &link,
                        &join(&e.name.name),
                        false,
                        true,
                        false,
                        &mut out,
                    );
                }
            }
        }
        _ => {
            let mut tree = Tree::build(scan_nodes(&src));
            if let Source::Volume(ntfs) = &src {
                tree.load_indexes(ntfs, args.deleted);
            }
            let up = src.volume().map(|v| v.upcase());
            let start =
                tree_find(&tree, &path, up).with_context(|| format!("{path}: not found"))?;
            let prefix = path.trim_matches(['/', '\\']).replace('\\', "/");
            let mut seen = HashSet::new();
            let mut stack = Vec::new();
            tree.walk(
                start,
                &prefix,
                args.recursive,
                args.deleted,
                &mut seen,
                &mut stack,
                &mut out,
            );
            if args.recursive && start.number == 5 {
                if args.deleted {
                    tree.orphans(&mut seen, &mut out);
                }
                // TSK's virtual $OrphanFiles directory (entry = one past the MFT).
                out(Line {
                    path: "$OrphanFiles".into(),
                    entry: src.record_count(),
                    seq: 0,
                    stream: None,
                    name_dir: true,
                    meta_dir: true,
                    name_allocated: true,
                    meta_allocated: true,
                    from_slack: false,
                    orphan: true,
                    meta_unknown: false,
                    si: None,
                    size: 0,
                });
            }
        }
    }
    if let Some(e) = write_err {
        return Err(e.into());
    }
    w.flush()?;
    Ok(ExitCode::SUCCESS)
}
