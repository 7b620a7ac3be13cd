//! Ransomware: the mass-change burst, its extension, the ransom note, the
//! first encrypted file, the infection time and the executable responsible.
//!
//! The burst is found from behaviour, never from names: a file appears
//! whose name is an original's name plus a suffix (`a.docx` →
//! `a.docx.locked`, or with the extension replaced: `a.locked`, or a long
//! per-victim token: `a.docx.id-1A2B.[mail@x].abc`) while the original goes
//! away — deleted from the same folder (copy-then-delete style) or renamed
//! into the new name (in-place style, the content rewritten before or after
//! the rename). Many such transformations with one suffix, close in time,
//! make a burst; the suffix is what they share. The checks that keep decoys
//! out:
//! * a backup tool writing `.bak` *copies* leaves the originals in place:
//!   no transformation;
//! * a backup tool that *rotates* (renames `a` to `a.bak`, then writes a new
//!   `a`) re-creates the original name: not counted;
//! * safe-save and temp-file churn (`x.tmp` written, original deleted, `x.tmp`
//!   renamed back) does not survive: a new name that is deleted or renamed
//!   away within [`SURVIVAL_US`] is not counted, nor a new name that existed
//!   just before (a re-save);
//! * a user renaming files (`a.docx` → `a.docx.old`) changes no content: a
//!   burst of renames without content writes, without a ransom note, is
//!   reported as a mass rename, not as encryption;
//! * one deleted original is paired with the one new file nearest in time
//!   (a `.bak` copy made minutes before the encryption does not also claim
//!   it).

use crate::util::UNKNOWN_T;
use std::collections::{BTreeSet, HashMap, HashSet};

use rift_timeline::CaseDb;
use serde_json::json;

use crate::Result;
use crate::exec::{Exec, ExecKind, Program, programs};
use crate::fsevents::{FileId, FsHistory, Kind, NameEvent, R_DATA, R_DELETE, file_records};
use crate::model::{Evidence, FileAt, FileRef, Ransomware};
use crate::util::{
    base_name, ext_of, is_system_location, is_user_writable, secs, strip_ext, user_of_path, z, z_us,
};

/// Fewest transformed files (original gone, one new suffix) that make a
/// burst: a user renaming a handful of files stays below it.
pub const MIN_ENCRYPTED_FILES: usize = 10;
/// A pause longer than this between two transformations ends a burst
/// (encryptors process thousands of files per minute; slow ones still write
/// one file every few seconds).
pub const BURST_MAX_GAP_US: i64 = secs(600);
/// How far apart the encrypted copy's creation and the original's deletion
/// may be, in the same folder (copy-then-delete style).
pub const COPY_DELETE_WINDOW_US: i64 = secs(300);
/// A new name deleted or renamed away within this time was a temp file
/// (safe-save, download or installer churn), not an encrypted file.
pub const SURVIVAL_US: i64 = secs(120);
/// The original name re-created in the same folder within this time after a
/// rename means rotation (backup tools), not encryption; a new name that
/// went away within this time before is a re-save.
pub const ROTATION_WINDOW_US: i64 = secs(300);
/// Content writes of a renamed file within this time of the rename belong
/// to the in-place encryption (before or after the rename).
pub const CONTENT_WINDOW_US: i64 = secs(300);
/// Ransom notes are looked for this long before the first and after the
/// last encrypted file (some families write the note first).
pub const NOTE_WINDOW_US: i64 = secs(1800);
/// A ransom note is one file name created in at least this many folders.
pub const MIN_NOTE_FOLDERS: usize = 2;
/// A name also created more than this many times outside the note window is
/// ordinary churn (`desktop.ini`, thumbnails), not a note.
pub const NOTE_MAX_OUTSIDE: usize = 2;
/// Execution evidence older than this before the burst is not considered
/// for the responsible executable.
pub const EXEC_LOOKBACK_US: i64 = secs(6 * 3600);
/// A program dropped this long before the burst still counts as "dropped
/// shortly before"; a program seen running before this is long-standing.
pub const DROP_LOOKBACK_US: i64 = secs(24 * 3600);
/// Journal records of one file closer than this belong to one operation
/// (used to find the first record of the first encrypted file).
pub const OP_GAP_US: i64 = secs(30);
/// Mean entropy (bits/byte) of sampled encrypted files above which the
/// content is taken as encrypted.
pub const ENCRYPTED_ENTROPY: f64 = 7.5;
/// Longest suffix (characters) taken as a ransomware extension; per-victim
/// tokens with an id and a mail address fit.
pub const MAX_SUFFIX_CHARS: usize = 96;
/// Share of a burst's files whose content was written for it to count as
/// encryption without a ransom note.
const MIN_CONTENT_SHARE: f64 = 0.5;
/// At most this many early transformations are examined for the first
/// record of their operation.
const FIRST_FILE_PROBES: usize = 200;

/// How the original of an encrypted file went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// New file written, original deleted.
    CopyDelete,
    /// The file itself renamed (usually after or before being overwritten).
    Rename,
}

/// One encrypted file.
#[derive(Debug, Clone)]
pub struct Transform {
    /// Index of the new-name event in [`FsHistory::events`].
    pub new_ev: usize,
    /// Index of the original's delete event (copy-delete style).
    pub orig_ev: Option<usize>,
    /// Original name.
    pub original: String,
    /// Style.
    pub style: Style,
    /// The suffix that turned the original's name (or its stem) into the
    /// new name, as written (`.locked`).
    pub suffix: String,
    /// The content was written (copy-delete: the new file; in place: data
    /// records around the rename). `None` until checked.
    pub content: Option<bool>,
}

/// A detected burst (internal; `Ransomware` is the public answer).
#[derive(Debug, Clone)]
pub struct Burst {
    /// The suffix, as most files spell it.
    pub ext: String,
    /// Transformations in time order.
    pub files: Vec<Transform>,
    /// Start µs.
    pub start: i64,
    /// End µs.
    pub end: i64,
    /// Distinct folders.
    pub folders: usize,
    /// Files whose content was written.
    pub content: usize,
}

impl Burst {
    fn content_share(&self) -> f64 {
        if self.files.is_empty() {
            0.0
        } else {
            self.content as f64 / self.files.len() as f64
        }
    }
}

fn key(parent: FileId, name: &str) -> (i64, i64, String) {
    (parent.vol, parent.entry, name.to_lowercase())
}

/// `name[..len]` equals `prefix` ignoring case.
fn starts_with_ci(name: &str, prefix: &str) -> bool {
    name.len() > prefix.len()
        && name
            .get(..prefix.len())
            .is_some_and(|p| p.to_lowercase() == prefix.to_lowercase())
}

fn suffix_ok(s: &str) -> bool {
    s.starts_with('.')
        && s.chars().count() >= 2
        && s.chars().count() <= MAX_SUFFIX_CHARS
        && !s.contains(['\\', '/'])
}

/// Byte positions of the dots that can start a suffix, last first.
fn dot_splits(name: &str) -> Vec<usize> {
    let mut v: Vec<usize> = name
        .char_indices()
        .filter(|&(i, c)| c == '.' && i > 0)
        .map(|(i, _)| i)
        .collect();
    v.reverse();
    v
}

/// Finds every burst, best first (before the content check and notes).
pub fn find_bursts(fs: &FsHistory) -> Vec<Burst> {
    let ev = &fs.events;
    // Deletions by (folder, name) and by (folder, name without extension);
    // names created or renamed into; names that went away.
    let mut del_by_name: HashMap<(i64, i64, String), Vec<usize>> = HashMap::new();
    let mut del_by_stem: HashMap<(i64, i64, String), Vec<usize>> = HashMap::new();
    let mut created_by_name: HashMap<(i64, i64, String), Vec<i64>> = HashMap::new();
    let mut gone_by_name: HashMap<(i64, i64, String), Vec<i64>> = HashMap::new();
    let mut later: HashMap<FileId, Vec<usize>> = HashMap::new();
    for (i, e) in ev.iter().enumerate() {
        if e.is_dir {
            continue;
        }
        later.entry(e.file).or_default().push(i);
        match &e.kind {
            Kind::Deleted => {
                del_by_name
                    .entry(key(e.parent, &e.name))
                    .or_default()
                    .push(i);
                gone_by_name
                    .entry(key(e.parent, &e.name))
                    .or_default()
                    .push(e.t);
                if let Some(x) = ext_of(&e.name) {
                    if let Some(s) = strip_ext(&e.name, &x) {
                        del_by_stem.entry(key(e.parent, s)).or_default().push(i);
                    }
                }
            }
            Kind::Created => {
                created_by_name
                    .entry(key(e.parent, &e.name))
                    .or_default()
                    .push(e.t);
            }
            Kind::Renamed { old } => {
                created_by_name
                    .entry(key(e.parent, &e.name))
                    .or_default()
                    .push(e.t);
                gone_by_name
                    .entry(key(e.parent, old))
                    .or_default()
                    .push(e.t);
            }
        }
    }
    let near = |list: Option<&Vec<usize>>, t: i64| -> Option<(usize, i64)> {
        list?
            .iter()
            .copied()
            .filter_map(|j| ev.get(j).map(|d| (j, (d.t - t).abs())))
            .filter(|&(_, d)| d <= COPY_DELETE_WINDOW_US)
            .min_by_key(|&(_, d)| d)
    };

    // Phase 1: a copy-delete pairing (new event, deleted original) for every
    // surviving new name; in-place renames on the side.
    struct Pair {
        new_ev: usize,
        del: usize,
        dt: i64,
        split: usize,
    }
    let mut pairs: Vec<Pair> = Vec::new();
    let mut renames: Vec<usize> = Vec::new();
    for (i, e) in ev.iter().enumerate() {
        if e.is_dir || e.kind == Kind::Deleted {
            continue;
        }
        // Does the new name survive?
        let gone = later.get(&e.file).is_some_and(|l| {
            l.iter().any(|&j| {
                j > i
                    && ev.get(j).is_some_and(|n| {
                        n.t - e.t <= SURVIVAL_US
                            && match &n.kind {
                                Kind::Deleted => true,
                                Kind::Renamed { old } => old.eq_ignore_ascii_case(&e.name),
                                Kind::Created => false,
                            }
                    })
            })
        });
        if gone {
            continue;
        }
        // A re-save: this very name went away just before.
        let resaved = gone_by_name.get(&key(e.parent, &e.name)).is_some_and(|ts| {
            ts.iter()
                .any(|&g| g <= e.t && e.t - g <= ROTATION_WINDOW_US)
        });
        if resaved {
            continue;
        }
        let splits = dot_splits(&e.name);
        // Longest original name the new name extends (append style), else
        // the original's stem (extension replaced).
        let mut found = None;
        for &k in &splits {
            let Some(prefix) = e.name.get(..k) else {
                continue;
            };
            if let Some((j, dt)) = near(del_by_name.get(&key(e.parent, prefix)), e.t) {
                found = Some((j, dt, k));
                break;
            }
        }
        if found.is_none() {
            for &k in &splits {
                let (Some(prefix), Some(suffix)) = (e.name.get(..k), e.name.get(k..)) else {
                    continue;
                };
                let Some((j, dt)) = near(del_by_stem.get(&key(e.parent, prefix)), e.t) else {
                    continue;
                };
                let same_ext = ev
                    .get(j)
                    .and_then(|d| ext_of(&d.name))
                    .is_some_and(|x| x.eq_ignore_ascii_case(suffix));
                if !same_ext {
                    found = Some((j, dt, k));
                    break;
                }
            }
        }
        match found {
            Some((del, dt, split))
                if e.name.get(split..).is_some_and(suffix_ok)
                    && e.file != ev.get(del).map(|d| d.file).unwrap_or(e.file) =>
            {
                pairs.push(Pair {
                    new_ev: i,
                    del,
                    dt,
                    split,
                });
            }
            _ => {
                if matches!(e.kind, Kind::Renamed { .. }) {
                    renames.push(i);
                }
            }
        }
    }
    // Phase 2: each deleted original goes to the nearest new file; the
    // others fall back to the in-place reading (if renamed) or drop out.
    pairs.sort_by_key(|p| (p.dt, p.new_ev));
    let mut used: HashSet<usize> = HashSet::new();
    let mut transforms: Vec<Transform> = Vec::new();
    for p in pairs {
        if !used.insert(p.del) {
            if ev
                .get(p.new_ev)
                .is_some_and(|e| matches!(e.kind, Kind::Renamed { .. }))
            {
                renames.push(p.new_ev);
            }
            continue;
        }
        let Some(e) = ev.get(p.new_ev) else { continue };
        transforms.push(Transform {
            new_ev: p.new_ev,
            orig_ev: Some(p.del),
            original: ev.get(p.del).map(|d| d.name.clone()).unwrap_or_default(),
            style: Style::CopyDelete,
            suffix: e.name.get(p.split..).unwrap_or("").to_string(),
            content: Some(true),
        });
    }
    for i in renames {
        let Some(e) = ev.get(i) else { continue };
        let Kind::Renamed { old } = &e.kind else {
            continue;
        };
        let suffix = if starts_with_ci(&e.name, old) {
            e.name.get(old.len()..)
        } else {
            ext_of(old)
                .and_then(|x| strip_ext(old, &x).map(|s| (s, x)))
                .filter(|(s, _)| starts_with_ci(&e.name, s))
                .and_then(|(s, x)| {
                    e.name
                        .get(s.len()..)
                        .filter(|suf| !suf.eq_ignore_ascii_case(&x))
                })
        };
        let Some(suffix) = suffix.filter(|s| suffix_ok(s)) else {
            continue;
        };
        transforms.push(Transform {
            new_ev: i,
            orig_ev: None,
            original: old.clone(),
            style: Style::Rename,
            suffix: suffix.to_string(),
            content: None,
        });
    }
    // Rotation: the original name comes back in the same folder.
    transforms.retain(|t| {
        let Some(e) = ev.get(t.new_ev) else {
            return false;
        };
        !created_by_name
            .get(&key(e.parent, &t.original))
            .is_some_and(|ts| {
                ts.iter()
                    .any(|&c| c >= e.t && c - e.t <= ROTATION_WINDOW_US)
            })
    });

    let mut by_suffix: HashMap<String, Vec<Transform>> = HashMap::new();
    for t in transforms {
        by_suffix
            .entry(t.suffix.to_lowercase())
            .or_default()
            .push(t);
    }
    let mut bursts = Vec::new();
    for (_, mut list) in by_suffix {
        list.sort_by_key(|t| ev.get(t.new_ev).map(|e| (e.t, e.usn)).unwrap_or_default());
        let mut cur: Vec<Transform> = Vec::new();
        let mut last = UNKNOWN_T;
        let flush = |cur: &mut Vec<Transform>, bursts: &mut Vec<Burst>| {
            if cur.len() >= MIN_ENCRYPTED_FILES {
                let files = std::mem::take(cur);
                bursts.push(make_burst(ev, files));
            } else {
                cur.clear();
            }
        };
        for t in list {
            let tt = ev.get(t.new_ev).map(|e| e.t).unwrap_or(0);
            if !cur.is_empty() && tt - last > BURST_MAX_GAP_US {
                flush(&mut cur, &mut bursts);
            }
            last = tt;
            cur.push(t);
        }
        flush(&mut cur, &mut bursts);
    }
    bursts.sort_by_key(|b| std::cmp::Reverse((b.files.len() * (1 + b.folders), b.start)));
    bursts
}

fn make_burst(ev: &[NameEvent], files: Vec<Transform>) -> Burst {
    let folders: HashSet<(i64, i64)> = files
        .iter()
        .filter_map(|t| ev.get(t.new_ev))
        .map(|e| (e.parent.vol, e.parent.entry))
        .collect();
    let start = files
        .first()
        .and_then(|t| ev.get(t.new_ev))
        .map(|e| e.t)
        .unwrap_or(0);
    let end = files
        .last()
        .and_then(|t| ev.get(t.new_ev))
        .map(|e| e.t)
        .unwrap_or(0);
    // The spelling most files use.
    let mut spell: HashMap<&str, usize> = HashMap::new();
    for t in &files {
        *spell.entry(t.suffix.as_str()).or_default() += 1;
    }
    let ext = spell
        .into_iter()
        .max_by_key(|&(s, n)| (n, std::cmp::Reverse(s)))
        .map(|(s, _)| s.to_string())
        .unwrap_or_default();
    let content = files.iter().filter(|t| t.content == Some(true)).count();
    Burst {
        ext,
        folders: folders.len(),
        start,
        end,
        content,
        files,
    }
}

/// Checks whether renamed files had their content written around the
/// rename (journal data records of the same file).
fn check_content(db: &CaseDb, fs: &FsHistory, b: &mut Burst) -> Result<()> {
    for t in b.files.iter_mut() {
        if t.content.is_some() {
            continue;
        }
        let Some(e) = fs.events.get(t.new_ev) else {
            continue;
        };
        let recs = file_records(db, e.file)?;
        t.content = Some(
            recs.iter()
                .any(|r| r.reasons & R_DATA != 0 && (r.t - e.t).abs() <= CONTENT_WINDOW_US),
        );
    }
    b.content = b.files.iter().filter(|t| t.content == Some(true)).count();
    Ok(())
}

/// The ransom note: the name created in the most folders around the burst.
#[derive(Debug, Clone)]
struct Note {
    name: String,
    events: Vec<usize>,
    folders: usize,
}

/// Note candidates around a burst, most folders first.
fn find_notes(fs: &FsHistory, b: &Burst) -> Vec<Note> {
    let ev = &fs.events;
    let burst_files: HashSet<FileId> = b
        .files
        .iter()
        .filter_map(|t| ev.get(t.new_ev))
        .map(|e| e.file)
        .collect();
    let originals: HashSet<String> = b.files.iter().map(|t| t.original.to_lowercase()).collect();
    let suffix = b.ext.to_lowercase();
    let lo = b.start - NOTE_WINDOW_US;
    let hi = b.end + NOTE_WINDOW_US;
    // Files deleted or renamed away soon after their creation (temp files).
    let mut gone_soon: HashSet<FileId> = HashSet::new();
    let mut born: HashMap<FileId, i64> = HashMap::new();
    for e in ev {
        match &e.kind {
            Kind::Created => {
                born.insert(e.file, e.t);
            }
            Kind::Deleted | Kind::Renamed { .. } => {
                if born.get(&e.file).is_some_and(|&c| e.t - c <= SURVIVAL_US) {
                    gone_soon.insert(e.file);
                }
            }
        }
    }
    let mut inside: HashMap<String, Vec<usize>> = HashMap::new();
    let mut outside: HashMap<String, usize> = HashMap::new();
    for (i, e) in ev.iter().enumerate() {
        if e.is_dir || e.kind != Kind::Created || burst_files.contains(&e.file) {
            continue;
        }
        let n = e.name.to_lowercase();
        if n.ends_with(&suffix) || originals.contains(&n) {
            continue;
        }
        if e.t >= lo && e.t <= hi {
            if !gone_soon.contains(&e.file) {
                inside.entry(n).or_default().push(i);
            }
        } else {
            *outside.entry(n).or_default() += 1;
        }
    }
    let burst_folders: HashSet<(i64, i64)> = b
        .files
        .iter()
        .filter_map(|t| ev.get(t.new_ev))
        .map(|e| (e.parent.vol, e.parent.entry))
        .collect();
    let mut notes: Vec<Note> = inside
        .into_iter()
        .filter(|(n, _)| outside.get(n).copied().unwrap_or(0) <= NOTE_MAX_OUTSIDE)
        .filter_map(|(n, list)| {
            let folders: HashSet<(i64, i64)> = list
                .iter()
                .filter_map(|&i| ev.get(i))
                .map(|e| (e.parent.vol, e.parent.entry))
                .collect();
            let in_burst = folders.intersection(&burst_folders).count();
            // Most note folders are burst folders.
            if in_burst == 0 || in_burst * 2 < folders.len() {
                return None;
            }
            let name = list
                .first()
                .and_then(|&i| ev.get(i))
                .map(|e| e.name.clone())
                .unwrap_or(n);
            Some(Note {
                name,
                folders: folders.len(),
                events: list,
            })
        })
        .collect();
    notes.sort_by(|a, b| {
        (b.folders, b.events.len())
            .cmp(&(a.folders, a.events.len()))
            .then_with(|| {
                let ta = a.events.first().and_then(|&i| ev.get(i)).map(|e| e.t);
                let tb = b.events.first().and_then(|&i| ev.get(i)).map(|e| e.t);
                ta.cmp(&tb)
            })
    });
    // The note proper is in at least MIN_NOTE_FOLDERS folders; companion
    // notes (same stem, another format: `.txt` + `.hta`) may be in fewer.
    let Some(main) = notes
        .first()
        .filter(|n| n.folders >= MIN_NOTE_FOLDERS)
        .cloned()
    else {
        return Vec::new();
    };
    let stem = |n: &str| -> String {
        ext_of(n)
            .and_then(|x| strip_ext(n, &x).map(str::to_lowercase))
            .unwrap_or_else(|| n.to_lowercase())
    };
    let main_stem = stem(&main.name);
    notes
        .into_iter()
        .filter(|n| n.folders >= MIN_NOTE_FOLDERS || stem(&n.name) == main_stem)
        .collect()
}

/// A candidate for the executable responsible.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Program name, lowercase.
    pub name: String,
    /// Best known path (original case where possible).
    pub path: Option<String>,
    /// Score (sum of the weights below).
    pub score: i64,
    /// Start nearest the burst (µs), when a run is known.
    pub started: Option<i64>,
    /// Written to disk (µs), when the journal has it.
    pub dropped: Option<i64>,
    /// Why.
    pub reasons: Vec<String>,
    /// Evidence.
    pub evidence: Vec<Evidence>,
}

// Weights of the responsible-executable score: strong, specific evidence
// outweighs mere closeness in time.
/// Its Prefetch file lists files that were encrypted (or the note).
const W_PF_REFERENCES: i64 = 6;
/// It started within 5 minutes before the burst.
const W_STARTED_5MIN: i64 = 3;
/// It started within 30 minutes before the burst.
const W_STARTED_30MIN: i64 = 2;
/// It started within [`EXEC_LOOKBACK_US`] before the burst.
const W_STARTED_LOOKBACK: i64 = 1;
/// Its `.pf` was created during the burst (first run right then).
const W_PF_DURING: i64 = 3;
/// It was written to disk within [`DROP_LOOKBACK_US`] before the burst.
const W_DROPPED: i64 = 2;
/// …into a user-writable folder.
const W_USER_FOLDER: i64 = 1;
/// A scheduled task, autorun or service starts it.
const W_PERSISTENCE: i64 = 2;
/// It was deleted during or after the burst (self-deleting payload).
const W_SELF_DELETED: i64 = 2;
/// Amcache recorded it within minutes of the burst start.
const W_AMCACHE_NEAR: i64 = 1;
/// It lives in a Windows/Program Files folder and was not written there
/// recently (system programs run all the time; a payload rarely sits there).
const W_SYSTEM_LOCATION: i64 = -4;
/// It ran more than [`DROP_LOOKBACK_US`] before the burst: a long-standing
/// program (indexer, antivirus, sync client), not a fresh payload.
const W_LONG_STANDING: i64 = -2;

fn rank_candidates(execs: &[Exec], b: &Burst, fs: &FsHistory, notes: &[Note]) -> Vec<Candidate> {
    let ev = &fs.events;
    // Upper-case base names the payload's prefetch would reference.
    let mut touched: HashSet<String> = b.files.iter().map(|t| t.original.to_uppercase()).collect();
    touched.extend(
        b.files
            .iter()
            .filter_map(|t| ev.get(t.new_ev))
            .map(|e| e.name.to_uppercase()),
    );
    for n in notes {
        touched.insert(n.name.to_uppercase());
    }
    let start = b.start;
    let mut out = Vec::new();
    for Program {
        name, path, items, ..
    } in programs(execs)
    {
        let list = items;
        let mut score = 0i64;
        let mut reasons = Vec::new();
        let runs: Vec<&&Exec> = list
            .iter()
            .filter(|x| {
                x.kind.is_run() && x.t <= start + secs(5) && start - x.t <= EXEC_LOOKBACK_US
            })
            .collect();
        let pf_during = list.iter().any(|x| {
            x.kind == ExecKind::PfCreated && x.t >= start - secs(120) && x.t <= b.end + secs(120)
        });
        let started = runs
            .iter()
            .filter(|x| x.kind != ExecKind::PfCreated)
            .map(|x| x.t)
            .max()
            .or_else(|| pf_during.then_some(start));
        let referenced = list.iter().any(|x| {
            x.kind == ExecKind::PrefetchRun
                && x.files
                    .iter()
                    .any(|f| touched.contains(&base_name(f).to_uppercase()))
        });
        if referenced {
            score += W_PF_REFERENCES;
            reasons.push("its Prefetch file lists encrypted files".to_string());
        }
        if let Some(s) = started {
            let d = start - s;
            let w = if d <= secs(300) {
                W_STARTED_5MIN
            } else if d <= secs(1800) {
                W_STARTED_30MIN
            } else {
                W_STARTED_LOOKBACK
            };
            score += w;
            reasons.push(format!("started {}s before the burst", d / 1_000_000));
        }
        if pf_during {
            score += W_PF_DURING;
            reasons.push("its .pf was created during the burst".into());
        }
        let dropped: Option<i64> = list
            .iter()
            .filter(|x| {
                x.kind == ExecKind::Dropped && x.t <= start && start - x.t <= DROP_LOOKBACK_US
            })
            .map(|x| x.t)
            .max();
        if dropped.is_some() {
            score += W_DROPPED;
            reasons.push("written to disk shortly before".into());
            if path.as_deref().is_some_and(is_user_writable) {
                score += W_USER_FOLDER;
                reasons.push("in a user-writable folder".into());
            }
        }
        if list
            .iter()
            .any(|x| matches!(x.kind, ExecKind::Task | ExecKind::Autostart))
        {
            score += W_PERSISTENCE;
            reasons.push("started by a scheduled task/autorun/service".into());
        }
        if list
            .iter()
            .any(|x| x.kind == ExecKind::Deleted && x.t >= start - secs(60))
        {
            score += W_SELF_DELETED;
            reasons.push("deleted during/after the burst".into());
        }
        if list
            .iter()
            .any(|x| x.kind == ExecKind::Amcache && (x.t - start).abs() <= secs(600))
        {
            score += W_AMCACHE_NEAR;
            reasons.push("Amcache entry written around the burst".into());
        }
        if path.as_deref().is_some_and(is_system_location) && dropped.is_none() {
            score += W_SYSTEM_LOCATION;
            reasons.push("lives in a Windows/Program Files folder".into());
        }
        let first_seen = list
            .iter()
            .filter(|x| x.t != UNKNOWN_T && x.kind.is_run())
            .map(|x| x.t)
            .min();
        if first_seen.is_some_and(|f| start - f > DROP_LOOKBACK_US) {
            score += W_LONG_STANDING;
            reasons.push(format!(
                "long-standing program (ran at {})",
                first_seen.and_then(z_us).unwrap_or_default()
            ));
        }
        if score <= 0 || (started.is_none() && !referenced && !pf_during) {
            continue;
        }
        let mut items: Vec<&&Exec> = list
            .iter()
            .filter(|x| {
                x.t == UNKNOWN_T || (x.t <= b.end + secs(600) && start - x.t <= DROP_LOOKBACK_US)
            })
            .collect();
        items.sort_by_key(|x| x.t);
        out.push(Candidate {
            name,
            path,
            score,
            started,
            dropped,
            reasons,
            evidence: items.iter().take(12).map(|x| x.ev.clone()).collect(),
        });
    }
    out.sort_by(|a, c| {
        c.score
            .cmp(&a.score)
            .then_with(|| {
                let da = a.started.map(|s| start - s).unwrap_or(i64::MAX);
                let dc = c.started.map(|s| start - s).unwrap_or(i64::MAX);
                da.cmp(&dc)
            })
            .then_with(|| a.name.cmp(&c.name))
    });
    out
}

/// Where the operation that encrypted one file began.
#[derive(Debug, Clone)]
struct OpStart {
    row: i64,
    usn: i64,
    t: i64,
    time: String,
}

/// The first record of the operation that produced a transformation's new
/// name: walk back over the file's journal records from the new-name
/// record while they stay within [`OP_GAP_US`] of each other (an earlier,
/// unrelated edit of the same file is not part of it).
fn op_start(db: &CaseDb, e: &NameEvent) -> Result<OpStart> {
    let recs = file_records(db, e.file)?;
    let mut best = OpStart {
        row: e.row,
        usn: e.usn,
        t: e.t,
        time: String::new(),
    };
    // Records up to the new-name record, newest first.
    let upto: Vec<_> = recs
        .iter()
        .filter(|r| r.usn < e.usn || (r.usn == e.usn && r.row <= e.row))
        .collect();
    if let Some(r) = upto.iter().find(|r| r.row == e.row) {
        best.time = r.time.clone();
    }
    for r in upto.iter().rev() {
        // A deletion ends an earlier life of the same MFT entry.
        if best.t - r.t > OP_GAP_US || (r.reasons & R_DELETE != 0 && r.row != e.row) {
            break;
        }
        if r.t <= best.t {
            best = OpStart {
                row: r.row,
                usn: r.usn,
                t: r.t,
                time: r.time.clone(),
            };
        }
    }
    if best.time.is_empty() {
        best.time = z_us(best.t).unwrap_or_default();
    }
    Ok(best)
}

fn usn_ev(e: &NameEvent, text: String) -> Evidence {
    Evidence {
        artifact: "usn".into(),
        table: Some("usn".into()),
        id: Some(e.row),
        offset: Some(e.usn),
        time: e.time_z(),
        text,
    }
}

/// Output of the ransomware detector, with what the other detectors need.
pub struct Outcome {
    /// The answer.
    pub answer: Ransomware,
    /// Burst window (µs), when detected.
    pub window: Option<(i64, i64)>,
    /// The responsible program's name (lowercase), when found.
    pub payload: Option<String>,
    /// The responsible program's path, when known.
    pub payload_path: Option<String>,
    /// Payload creation time (µs), when the journal has it.
    pub payload_dropped: Option<i64>,
    /// Payload start (µs) nearest the burst, when known.
    pub payload_started: Option<i64>,
    /// Paths worth sampling (note copies, some encrypted files).
    pub sample_paths: Vec<(Option<FileId>, String)>,
    /// Other bursts (reported as extra findings): suffix, files, start,
    /// end, whether their content was written.
    pub other_bursts: Vec<(String, usize, i64, i64, bool)>,
    /// Deleted originals that belong to the burst (for the deletion-burst rule).
    pub consumed_deletes: HashSet<usize>,
}

/// Runs the ransomware detector.
pub fn detect(db: &CaseDb, fs: &FsHistory, execs: &[Exec]) -> Result<Outcome> {
    let mut bursts = find_bursts(fs);
    // Content check and notes per burst; the answer is the best burst that
    // looks like encryption (content written, or a ransom note).
    let mut scored: Vec<(Burst, Vec<Note>, bool, usize)> = Vec::new();
    for mut b in bursts.drain(..) {
        check_content(db, fs, &mut b)?;
        let notes = find_notes(fs, &b);
        let content = b.content_share() >= MIN_CONTENT_SHARE;
        let encryption = content || !notes.is_empty();
        let weight = b.files.len()
            * (1 + b.folders)
            * if content { 4 } else { 1 }
            * if notes.is_empty() { 1 } else { 2 };
        scored.push((b, notes, encryption, weight));
    }
    scored.sort_by_key(|(b, _, enc, w)| std::cmp::Reverse((*enc, *w, b.start)));
    let mut out = Outcome {
        answer: Ransomware::default(),
        window: None,
        payload: None,
        payload_path: None,
        payload_dropped: None,
        payload_started: None,
        sample_paths: Vec::new(),
        other_bursts: Vec::new(),
        consumed_deletes: HashSet::new(),
    };
    let mut it = scored.into_iter();
    let best = it.next();
    let rest: Vec<(String, usize, i64, i64, bool)> = it
        .map(|(b, _, enc, _)| (b.ext.clone(), b.files.len(), b.start, b.end, enc))
        .collect();
    let (b, notes) = match best {
        Some((b, notes, true, _)) => {
            out.other_bursts = rest;
            (b, notes)
        }
        Some((b, _, false, _)) => {
            // Only mass renames without content writes or notes.
            out.other_bursts =
                std::iter::once((b.ext.clone(), b.files.len(), b.start, b.end, false))
                    .chain(rest)
                    .collect();
            return Ok(out);
        }
        None => return Ok(out),
    };
    let ev = &fs.events;
    out.consumed_deletes = b.files.iter().filter_map(|t| t.orig_ev).collect();
    let a = &mut out.answer;
    a.detected = true;
    a.extension = Some(b.ext.clone());
    a.encrypted_count = b.files.len() as u64;
    a.folders = b.folders as u64;
    a.burst_start = z_us(b.start);
    a.burst_end = z_us(b.end);
    let styles: BTreeSet<&str> = b
        .files
        .iter()
        .map(|t| match t.style {
            Style::CopyDelete => "copy_delete",
            Style::Rename => "rename",
        })
        .collect();
    a.style = Some(if styles.len() == 1 {
        styles.iter().next().copied().unwrap_or("").to_string()
    } else {
        "mixed".into()
    });
    let mut users: BTreeSet<String> = BTreeSet::new();
    for t in &b.files {
        if let Some(e) = ev.get(t.new_ev) {
            if let Some(u) = fs.dir_path(e.parent).and_then(user_of_path) {
                users.insert(u);
            }
        }
    }
    a.users = users.into_iter().collect();

    // First encrypted file and infection time: the transformation whose
    // operation began first (time, then USN).
    let mut conf: f64 = 0.55;
    let mut first: Option<(&Transform, OpStart)> = None;
    for t in b.files.iter().take(FIRST_FILE_PROBES) {
        let Some(e) = ev.get(t.new_ev) else { continue };
        if let Some((_, s)) = &first {
            if e.t - s.t > CONTENT_WINDOW_US {
                break;
            }
        }
        let s = op_start(db, e)?;
        let better = match &first {
            None => true,
            Some((_, f)) => (s.time.as_str(), s.usn) < (f.time.as_str(), f.usn),
        };
        if better {
            first = Some((t, s));
        }
    }
    if let Some((t, s)) = &first {
        if let Some(e) = ev.get(t.new_ev) {
            let path = fs.path_in(e.parent, &t.original);
            a.first_encrypted = Some(FileAt {
                name: t.original.clone(),
                path: Some(path.clone()),
                time: z(&s.time),
            });
            a.infection_time = z(&s.time);
            a.evidence.push(Evidence {
                artifact: "usn".into(),
                table: Some("usn".into()),
                id: Some(s.row),
                offset: Some(s.usn),
                time: z(&s.time),
                text: format!(
                    "first journal record of the first encrypted file: {} -> {}",
                    path, e.name
                ),
            });
            match (t.style, t.orig_ev.and_then(|j| ev.get(j))) {
                (Style::CopyDelete, Some(d)) => {
                    a.evidence.push(usn_ev(
                        e,
                        format!("{} created", fs.path_in(e.parent, &e.name)),
                    ));
                    a.evidence.push(usn_ev(
                        d,
                        format!(
                            "original {} deleted (MFT entry {} freed)",
                            fs.path_in(d.parent, &d.name),
                            d.file.entry
                        ),
                    ));
                }
                _ => a
                    .evidence
                    .push(usn_ev(e, format!("{} renamed to {}", t.original, e.name))),
            }
        }
    }
    if let Some(last) = b.files.last().and_then(|t| ev.get(t.new_ev)) {
        a.evidence.push(usn_ev(
            last,
            format!(
                "last of {} files renamed/created with {} in {} folders ({} with content written)",
                b.files.len(),
                b.ext,
                b.folders,
                b.content
            ),
        ));
    }
    if b.folders >= 3 {
        conf += 0.15;
    }
    if b.files.len() >= 50 {
        conf += 0.05;
    }
    // Ransom note.
    if let Some(n) = notes.first() {
        a.ransom_note = Some(n.name.clone());
        a.ransom_notes = notes.iter().map(|n| n.name.clone()).collect();
        a.note_count = n.folders as u64;
        conf += 0.15;
        // Before/after the files of the same folder.
        let mut first_in: HashMap<(i64, i64), i64> = HashMap::new();
        for e in b.files.iter().filter_map(|t| ev.get(t.new_ev)) {
            let k = (e.parent.vol, e.parent.entry);
            let v = first_in.entry(k).or_insert(e.t);
            *v = (*v).min(e.t);
        }
        let mut before = 0;
        let mut after = 0;
        for &i in &n.events {
            let Some(ne) = ev.get(i) else { continue };
            match first_in.get(&(ne.parent.vol, ne.parent.entry)) {
                Some(&t) if ne.t < t => before += 1,
                Some(_) => after += 1,
                None => {}
            }
        }
        a.note_timing = Some(match (before, after) {
            (b, 0) if b > 0 => "before".into(),
            (0, a) if a > 0 => "after".into(),
            (0, 0) => "unknown".into(),
            _ => "mixed".into(),
        });
        for note in &notes {
            for &i in note.events.iter().take(3) {
                if let Some(ne) = ev.get(i) {
                    let p = fs.path_in(ne.parent, &ne.name);
                    a.evidence
                        .push(usn_ev(ne, format!("ransom note {p} created")));
                    out.sample_paths.push((Some(ne.file), p));
                }
            }
        }
        // Note text, when the pipeline sampled a copy.
        let text: Option<String> = db
            .conn()
            .query_row(
                "SELECT text FROM file_samples WHERE text IS NOT NULL AND (path LIKE '%\\' || ?1 OR path = ?1) LIMIT 1",
                [n.name.as_str()],
                |r| r.get(0),
            )
            .ok();
        a.note_text = text;
    }
    for t in b.files.iter().take(5) {
        if let Some(e) = ev.get(t.new_ev) {
            out.sample_paths
                .push((Some(e.file), fs.path_in(e.parent, &e.name)));
        }
    }
    // Entropy of sampled encrypted files.
    let ent: Option<f64> = db
        .conn()
        .query_row(
            "SELECT AVG(entropy) FROM file_samples WHERE entropy IS NOT NULL AND lower(path) LIKE '%' || ?1",
            [b.ext.to_lowercase().as_str()],
            |r| r.get(0),
        )
        .ok()
        .flatten();
    if let Some(h) = ent {
        if h >= ENCRYPTED_ENTROPY {
            conf += 0.05;
            a.evidence.push(Evidence {
                artifact: "file_samples".into(),
                table: Some("file_samples".into()),
                id: None,
                offset: None,
                time: None,
                text: format!(
                    "sampled {} files have mean entropy {h:.2} bits/byte (encrypted)",
                    b.ext
                ),
            });
        }
    }

    // The executable responsible.
    let cands = rank_candidates(execs, &b, fs, &notes);
    a.candidates = cands
        .iter()
        .take(5)
        .map(|c| json!({"name": c.name, "path": c.path, "score": c.score, "reasons": c.reasons}))
        .collect();
    if let Some(c) = cands.first() {
        let name = c
            .path
            .as_deref()
            .map(base_name)
            .filter(|n| n.eq_ignore_ascii_case(&c.name))
            .unwrap_or(&c.name)
            .to_string();
        a.infecting_file = Some(FileRef {
            name,
            path: c.path.clone(),
        });
        out.payload = Some(c.name.clone());
        out.payload_path = c.path.clone();
        out.payload_dropped = c.dropped;
        out.payload_started = c.started;
        a.evidence.extend(c.evidence.iter().cloned());
        if c.score >= 8 {
            conf += 0.05;
        }
    }
    a.confidence = conf.min(0.99);
    out.window = Some((b.start, b.end));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_helpers() {
        assert_eq!(
            dot_splits("a.docx.id-1.[m@x.com].abc"),
            vec![21, 16, 11, 6, 1]
        );
        assert!(starts_with_ci("A.DOCX.krypt", "a.docx"));
        assert!(!starts_with_ci("a.docx", "a.docx"));
        assert!(suffix_ok(".id-1A2B3C4D.[mail@x].abc"));
        assert!(!suffix_ok("."));
        assert!(!suffix_ok(".a\\b"));
    }
}
