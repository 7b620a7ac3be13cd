//! Deleted keys and values, and slack.
//!
//! Windows marks a deleted record's cell free (positive size) and merges
//! neighbouring free cells, but leaves the bytes. We look for `nk` and `vk`
//! records at the start of every free cell and at 8-byte steps inside it
//! (coalesced cells hide several old records), and in allocated cells that
//! nothing references. Deleted keys are tied to their parents by the parent
//! offset: a live parent gives a full path, a deleted parent a chain, and a
//! parent that is gone leaves a partial path. Values left in the unused tail
//! of a live key's value list are deleted values of that key.
//!
//! Sources: msuhanov/regf specification §"Cell" (free = positive size);
//! `../shared/docs/formats/artifacts.md` §1.4; yarp `RegistryRecover.py` and
//! its test suite (expected results on `DeletedDataHive`,
//! `DeletedTreeHive`, `DeletedTreePartialPathHive`, `HealedHive`,
//! `RemnantsHive`, `SlackHive`) — the behaviour, not the code.

use std::collections::{HashMap, HashSet};

use rift_io::bytes::{le_i32, le_u16, le_u32};
use rift_io::time::FileTime;

use crate::hive::{Hive, Issue, NIL};
use crate::key::{Key, NK_FIXED, Nk};
use crate::value::{BIG_DATA_SEGMENT, Value, ValueType};

/// A deleted value.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeletedValue {
    /// Hive-bins offset of the `vk` record.
    pub offset: u32,
    /// Name (`""` = default value).
    pub name: String,
    /// Type.
    pub value_type: ValueType,
    /// Raw type number.
    pub raw_type: u32,
    /// Data as found (may be partial).
    pub data: Vec<u8>,
    /// False when the data cell is now used by something else or could not
    /// be read completely.
    pub data_reliable: bool,
    /// Path of the key that owned it, when known (live or deleted key).
    pub key_path: Option<String>,
    /// Whether that key is itself deleted.
    pub key_deleted: bool,
}

/// A deleted key.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeletedKey {
    /// Hive-bins offset of the `nk` record.
    pub offset: u32,
    /// Name.
    pub name: String,
    /// Path relative to the root (partial when the parent chain is broken).
    pub path: String,
    /// Whether `path` reaches the root.
    pub path_complete: bool,
    /// Last written time.
    #[serde(serialize_with = "crate::ser::filetime")]
    pub last_written: FileTime,
    /// Parent offset as recorded.
    pub parent_offset: u32,
    /// Whether the cell is still allocated (allocated but unreferenced).
    pub allocated: bool,
    /// Its values that could be read.
    pub values: Vec<DeletedValue>,
}

/// Slack: bytes inside allocated cells after the record they hold.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Slack {
    /// File offset of the slack bytes.
    pub position: u64,
    /// What record the cell holds (`nk`, `vk`, `data`).
    pub record: &'static str,
    /// The bytes (only regions with a non-zero byte are kept).
    pub bytes: Vec<u8>,
}

/// Everything recovered from a hive.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Recovered {
    /// Deleted keys.
    pub keys: Vec<DeletedKey>,
    /// Every deleted value found (also those listed under a deleted key).
    pub values: Vec<DeletedValue>,
    /// Non-empty slack regions.
    pub slack: Vec<Slack>,
    /// Problems met.
    pub issues: Vec<Issue>,
}

struct Live {
    referenced: HashSet<u32>,
    paths: HashMap<u32, String>,
    remnants: Vec<(u32, String)>,
    slack: Vec<Slack>,
}

fn push_slack(v: &mut Vec<Slack>, position: u64, record: &'static str, bytes: &[u8]) {
    if bytes.iter().any(|&b| b != 0) {
        v.push(Slack {
            position,
            record,
            bytes: bytes.to_vec(),
        });
    }
}

fn mark_list(hive: &Hive, off: u32, depth: u8, refs: &mut HashSet<u32>, slack: &mut Vec<Slack>) {
    if off == NIL || !refs.insert(off) {
        return;
    }
    let Ok(c) = hive.cell_any(off) else { return };
    let n = le_u16(c.data, 2).unwrap_or(0) as usize;
    let stride = match c.data.get(..2) {
        Some(b"lf") | Some(b"lh") => 8,
        _ => 4,
    };
    let used = 4 + n * stride;
    push_slack(
        slack,
        (c.file_offset + 4 + used) as u64,
        "subkey list",
        c.data.get(used..).unwrap_or_default(),
    );
    if c.data.get(..2) == Some(b"ri") && depth == 0 {
        for i in 0..n {
            if let Some(o) = le_u32(c.data, 4 + i * 4) {
                mark_list(hive, o, 1, refs, slack);
            }
        }
    }
}

fn mark_value(hive: &Hive, v: &Value<'_>, refs: &mut HashSet<u32>) {
    refs.insert(v.offset());
    if v.is_resident() || v.data_size() == 0 {
        return;
    }
    let d = v.data_offset();
    refs.insert(d);
    if v.data_size() as usize > BIG_DATA_SEGMENT
        && let Ok(c) = hive.cell_any(d)
        && c.data.get(..2) == Some(b"db")
    {
        let n = le_u16(c.data, 2).unwrap_or(0) as usize;
        let list = le_u32(c.data, 4).unwrap_or(NIL);
        refs.insert(list);
        if let Ok(l) = hive.cell_any(list) {
            for i in 0..n {
                if let Some(o) = le_u32(l.data, i * 4) {
                    refs.insert(o);
                }
            }
        }
    }
}

fn live_tree(hive: &Hive) -> Live {
    let mut live = Live {
        referenced: HashSet::new(),
        paths: HashMap::new(),
        remnants: Vec::new(),
        slack: Vec::new(),
    };
    let mut keys: Vec<(String, u32)> = Vec::new();
    let _ = hive.walk(|path, key| keys.push((path.to_string(), key.offset())));
    for (path, off) in keys {
        let Ok(key) = Key::at(hive, off) else {
            continue;
        };
        live.referenced.insert(off);
        live.paths.insert(off, path.clone());
        push_slack(
            &mut live.slack,
            key.file_offset() + 4 + (NK_FIXED + key.name_raw().len()) as u64,
            "nk",
            key.slack(),
        );
        mark_list(
            hive,
            key.nk.subkey_list,
            0,
            &mut live.referenced,
            &mut live.slack,
        );
        for o in [key.nk.value_list, key.nk.security, key.nk.class] {
            if o != NIL {
                live.referenced.insert(o);
            }
        }
        for v in key.values().into_iter().flatten() {
            mark_value(hive, &v, &mut live.referenced);
            let pos = u64::from(v.offset()) + 4096 + 4 + 20 + v.name_raw().len() as u64;
            push_slack(&mut live.slack, pos, "vk", v.record_slack());
            let ds = v.data_slack();
            if !ds.is_empty() {
                let pos = u64::from(v.data_offset()) + 4096 + 4 + u64::from(v.data_size());
                push_slack(&mut live.slack, pos, "data", ds);
            }
        }
        for r in key.value_list_remnants() {
            live.remnants.push((r, path.clone()));
        }
    }
    // sk records are chained; keep the whole chain referenced.
    let mut sks: Vec<u32> = live.referenced.iter().copied().collect();
    while let Some(s) = sks.pop() {
        if let Ok(c) = hive.cell_any(s)
            && c.data.get(..2) == Some(b"sk")
        {
            for o in [le_u32(c.data, 4), le_u32(c.data, 8)].into_iter().flatten() {
                if live.referenced.insert(o) {
                    sks.push(o);
                }
            }
        }
    }
    live
}

/// Plausible FILETIME for a carved key: 1990 … 2100.
fn plausible_time(t: u64) -> bool {
    (0x01B4_1E6D_8000_0000..0x0239_E7F5_0000_0000).contains(&t)
}

fn parse_deleted_value(hive: &Hive, off: u32, live: &HashSet<u32>) -> Option<DeletedValue> {
    let cell = hive.cell_any(off).ok()?;
    parse_deleted_value_in(hive, off, cell.data, cell.allocated, live)
}

fn parse_deleted_value_in(
    hive: &Hive,
    off: u32,
    data: &[u8],
    allocated: bool,
    live: &HashSet<u32>,
) -> Option<DeletedValue> {
    let v = Value::parse(hive, off, data, allocated, u64::from(off) + 4096).ok()?;
    if v.raw_type() > 0xFFFF && v.raw_type() < 0xFFFF_0000 {
        return None;
    }
    if v.is_resident() && v.data_size() > 4 {
        return None;
    }
    let size = v.data_size() as usize;
    let (data, reliable) = if v.is_resident() {
        (
            v.data_offset()
                .to_le_bytes()
                .get(..size.min(4))
                .unwrap_or_default()
                .to_vec(),
            size <= 4,
        )
    } else if size == 0 {
        (Vec::new(), true)
    } else {
        match hive.cell_any(v.data_offset()) {
            Ok(c) if size > BIG_DATA_SEGMENT && c.data.get(..2) == Some(b"db") => match v.data() {
                Ok(d) => (d.into_owned(), !live.contains(&v.data_offset())),
                Err(_) => (Vec::new(), false),
            },
            Ok(c) if c.data.len() >= size || !c.allocated => {
                let avail = c.data.len().min(size);
                let reused = live.contains(&v.data_offset());
                (
                    c.data.get(..avail).unwrap_or_default().to_vec(),
                    avail == size && !reused,
                )
            }
            _ => (Vec::new(), false),
        }
    };
    Some(DeletedValue {
        offset: off,
        name: v.name(),
        value_type: v.value_type(),
        raw_type: v.raw_type(),
        data,
        data_reliable: reliable,
        key_path: None,
        key_deleted: false,
    })
}

/// Recovers deleted keys and values and collects slack.
pub fn recover(hive: &Hive) -> Recovered {
    let live = live_tree(hive);
    let (cells, mut issues) = hive.cells();
    let mut out = Recovered {
        slack: live.slack.clone(),
        ..Recovered::default()
    };

    // Candidate record offsets (hive-bins relative), as (offset, kind).
    let mut nk_cands: Vec<(u32, bool)> = Vec::new();
    let mut vk_cands: Vec<u32> = Vec::new();
    for c in &cells {
        let rel = (c.file_offset - 4096) as u32;
        if c.allocated {
            if live.referenced.contains(&rel) {
                continue;
            }
            match c.data.get(..2) {
                Some(b"nk") => nk_cands.push((rel, true)),
                Some(b"vk") => vk_cands.push(rel),
                _ => {}
            }
            continue;
        }
        // Free cell: the record at its start, and old records inside it.
        let end = c.file_offset + 4 + c.data.len();
        let mut p = c.file_offset;
        while p + 6 <= end {
            let bytes = hive.bytes();
            let sig = bytes.get(p + 4..p + 6);
            let size = le_i32(bytes, p)
                .map(|s| s.unsigned_abs() as usize)
                .unwrap_or(0);
            let fits = size >= 8 && p + size <= end;
            if fits || p == c.file_offset {
                let rel = (p - 4096) as u32;
                match sig {
                    Some(b"nk") if size >= NK_FIXED + 4 => nk_cands.push((rel, false)),
                    Some(b"vk") if size >= 24 => vk_cands.push(rel),
                    _ => {}
                }
            }
            p += 8;
        }
    }

    // Deleted keys.
    let mut del: HashMap<u32, (Nk<'_>, bool)> = HashMap::new();
    for (off, allocated) in nk_cands {
        let Ok(cell) = hive.cell_any(off) else {
            continue;
        };
        // For old records inside a free cell, the cell size read at `off`
        // is the old record's own size.
        let Ok(nk) = Nk::parse(cell.data, cell.file_offset as u64) else {
            continue;
        };
        if nk.name_raw.is_empty() || !plausible_time(nk.last_written) || nk.value_count > 100_000 {
            continue;
        }
        del.insert(off, (nk, allocated));
    }
    let mut value_owner: HashMap<u32, (String, bool)> = HashMap::new();
    let resolve = |start: u32| -> (String, bool) {
        let mut parts = Vec::new();
        let mut cur = start;
        let mut seen = HashSet::new();
        loop {
            if !seen.insert(cur) || parts.len() > crate::hive::MAX_DEPTH {
                return (join_rev(&parts), false);
            }
            if let Some((nk, _)) = del.get(&cur) {
                parts.push(nk.name());
                cur = nk.parent;
                continue;
            }
            if let Some(p) = live.paths.get(&cur) {
                if !p.is_empty() {
                    parts.push(p.clone());
                }
                return (join_rev(&parts), true);
            }
            return (join_rev(&parts), false);
        }
    };
    let mut keys: Vec<DeletedKey> = Vec::new();
    for (&off, (nk, allocated)) in &del {
        let (path, complete) = resolve(off);
        let mut values = Vec::new();
        if nk.value_count > 0
            && nk.value_list != NIL
            && let Ok(list) = hive.cell_any(nk.value_list)
        {
            let n = (nk.value_count as usize).min(list.data.len() / 4);
            for i in 0..n {
                let Some(vo) = le_u32(list.data, i * 4) else {
                    break;
                };
                if live.referenced.contains(&vo) {
                    continue;
                }
                if let Some(mut dv) = parse_deleted_value(hive, vo, &live.referenced) {
                    dv.key_path = Some(path.clone());
                    dv.key_deleted = true;
                    value_owner.insert(vo, (path.clone(), true));
                    values.push(dv);
                }
            }
        }
        keys.push(DeletedKey {
            offset: off,
            name: nk.name(),
            path,
            path_complete: complete,
            last_written: FileTime(nk.last_written),
            parent_offset: nk.parent,
            allocated: *allocated,
            values,
        });
    }
    keys.sort_by_key(|k| k.offset);
    for (o, path) in &live.remnants {
        if !live.referenced.contains(o) {
            value_owner.entry(*o).or_insert((path.clone(), false));
            vk_cands.push(*o);
        }
    }
    vk_cands.sort_unstable();
    vk_cands.dedup();
    for off in vk_cands {
        if live.referenced.contains(&off) {
            continue;
        }
        if let Some(mut dv) = parse_deleted_value(hive, off, &live.referenced) {
            if let Some((p, d)) = value_owner.get(&off) {
                dv.key_path = Some(p.clone());
                dv.key_deleted = *d;
            }
            out.values.push(dv);
        }
    }
    // Past the last valid bin: remnants of bins the hive once had (the file
    // was not shrunk, or a bin was dropped). No cell structure survives
    // there, so look for value records by signature and check them hard.
    let tail_start = hive.bins_end();
    let bytes = hive.bytes();
    let tail_end = bytes.len().min(tail_start.saturating_add(64 << 20));
    let mut i = tail_start.saturating_sub(4);
    while i + 24 <= tail_end {
        if bytes.get(i..i + 2) == Some(b"vk")
            && let Some(d) = bytes.get(i..tail_end)
        {
            let rel = (i - 4 - 4096) as u32;
            let name_len = le_u16(d, 2).unwrap_or(u16::MAX) as usize;
            if name_len <= 512
                && let Some(dv) = parse_deleted_value_in(hive, rel, d, false, &live.referenced)
                && dv.data_reliable
                && (dv.raw_type <= 11)
            {
                out.values.push(dv);
            }
        }
        i += 2;
    }
    out.keys = keys;
    out.issues.append(&mut issues);
    out
}

fn join_rev(parts: &[String]) -> String {
    let mut v: Vec<&str> = parts.iter().map(String::as_str).collect();
    v.reverse();
    v.join("\\")
}
