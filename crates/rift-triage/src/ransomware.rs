//! Ransomware: the mass-change burst, its extension, the ransom note, the
//! first encrypted file, the infection time and the executable responsible.
//!
//! The burst is found from behaviour, never from names: a file appears with
//! extension `E` (created, or renamed into that name) while the original it
//! replaces goes away — deleted from the same folder (copy-then-delete
//! style) or renamed away (overwrite-then-rename style). Many such
//! transformations with one `E`, close in time, across folders, make the
//! burst. The checks that keep decoys out:
//! * a backup tool writing `.bak` *copies* leaves the originals in place:
//!   no transformation;
//! * a backup tool that *rotates* (renames `a` to `a.bak`, then writes a new
//!   `a`) re-creates the original name: not counted;
//! * safe-save and temp-file churn (`x.tmp` written, original deleted, `x.tmp`
//!   renamed back) does not survive: a new name that is deleted or renamed
//!   away within [`SURVIVAL_US`] is not counted;
//! * a user renaming a few files stays under [`MIN_ENCRYPTED_FILES`] and
//!   usually keeps the extension.

use crate::util::UNKNOWN_T;
use std::collections::{BTreeSet, HashMap, HashSet};

use rift_timeline::CaseDb;
use serde_json::json;

use crate::Result;
use crate::exec::{Exec, ExecKind, pf_exe_matches};
use crate::fsevents::{FileId, FsHistory, Kind, NameEvent};
use crate::model::{Evidence, FileAt, FileRef, Ransomware};
use crate::util::{
    base_name, ext_of, is_system_location, is_user_writable, secs, strip_ext, us, user_of_path, z,
    z_us,
};

/// Fewest transformed files (original gone, one new extension) that make a
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
/// rename means rotation (backup tools), not encryption.
pub const ROTATION_WINDOW_US: i64 = secs(300);
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
/// shortly before".
pub const DROP_LOOKBACK_US: i64 = secs(24 * 3600);
/// Journal records of one file closer than this belong to one operation
/// (used to find the first record of the first encrypted file).
pub const OP_GAP_US: i64 = secs(30);
/// Mean entropy (bits/byte) of sampled encrypted files above which the
/// content is taken as encrypted.
pub const ENCRYPTED_ENTROPY: f64 = 7.5;

/// How the original of an encrypted file went away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// New file written, original deleted.
    CopyDelete,
    /// The file itself renamed (usually after being overwritten).
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
}

/// A detected burst (internal; `Ransomware` is the public answer).
#[derive(Debug, Clone)]
pub struct Burst {
    /// The extension.
    pub ext: String,
    /// Transformations in time order.
    pub files: Vec<Transform>,
    /// Start µs.
    pub start: i64,
    /// End µs.
    pub end: i64,
    /// Distinct folders.
    pub folders: usize,
}

fn key(parent: FileId, name: &str) -> (i64, i64, String) {
    (parent.vol, parent.entry, name.to_lowercase())
}

/// Finds every burst, best first.
pub fn find_bursts(fs: &FsHistory) -> Vec<Burst> {
    let ev = &fs.events;
    // Deletions by (folder, name) and by (folder, name without extension).
    let mut del_by_name: HashMap<(i64, i64, String), Vec<usize>> = HashMap::new();
    let mut del_by_stem: HashMap<(i64, i64, String), Vec<usize>> = HashMap::new();
    let mut created_by_name: HashMap<(i64, i64, String), Vec<i64>> = HashMap::new();
    let mut later: HashMap<FileId, Vec<usize>> = HashMap::new();
    for (i, e) in ev.iter().enumerate() {
        later.entry(e.file).or_default().push(i);
        match &e.kind {
            Kind::Deleted if !e.is_dir => {
                del_by_name
                    .entry(key(e.parent, &e.name))
                    .or_default()
                    .push(i);
                if let Some(x) = ext_of(&e.name) {
                    if let Some(s) = strip_ext(&e.name, &x) {
                        del_by_stem.entry(key(e.parent, s)).or_default().push(i);
                    }
                }
            }
            Kind::Created | Kind::Renamed { .. } if !e.is_dir => {
                created_by_name
                    .entry(key(e.parent, &e.name))
                    .or_default()
                    .push(e.t);
            }
            _ => {}
        }
    }
    let near = |list: Option<&Vec<usize>>, t: i64| -> Option<usize> {
        list?
            .iter()
            .copied()
            .filter(|&j| {
                ev.get(j)
                    .is_some_and(|d| (d.t - t).abs() <= COPY_DELETE_WINDOW_US)
            })
            .min_by_key(|&j| ev.get(j).map(|d| (d.t - t).abs()).unwrap_or(i64::MAX))
    };

    let mut by_ext: HashMap<String, Vec<Transform>> = HashMap::new();
    for (i, e) in ev.iter().enumerate() {
        if e.is_dir {
            continue;
        }
        let old = match &e.kind {
            Kind::Created => None,
            Kind::Renamed { old } => Some(old.as_str()),
            Kind::Deleted => continue,
        };
        let Some(x) = ext_of(&e.name) else { continue };
        let Some(stem) = strip_ext(&e.name, &x) else {
            continue;
        };
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
        let t = match near(del_by_name.get(&key(e.parent, stem)), e.t)
            .or_else(|| near(del_by_stem.get(&key(e.parent, stem)), e.t))
        {
            Some(j) => Some(Transform {
                new_ev: i,
                orig_ev: Some(j),
                original: ev.get(j).map(|d| d.name.clone()).unwrap_or_default(),
                style: Style::CopyDelete,
            }),
            None => match old {
                Some(o) if ext_of(o).as_deref() != Some(x.as_str()) => Some(Transform {
                    new_ev: i,
                    orig_ev: None,
                    original: o.to_string(),
                    style: Style::Rename,
                }),
                _ => None,
            },
        };
        let Some(t) = t else { continue };
        // Rotation: the original name comes back in the same folder.
        let rotated = created_by_name
            .get(&key(e.parent, &t.original))
            .is_some_and(|ts| {
                ts.iter()
                    .any(|&c| c >= e.t && c - e.t <= ROTATION_WINDOW_US)
            });
        if rotated {
            continue;
        }
        by_ext.entry(x).or_default().push(t);
    }

    let mut bursts = Vec::new();
    for (ext, mut list) in by_ext {
        list.sort_by_key(|t| ev.get(t.new_ev).map(|e| (e.t, e.usn)).unwrap_or_default());
        let mut cur: Vec<Transform> = Vec::new();
        let mut last = UNKNOWN_T;
        let flush = |cur: &mut Vec<Transform>, bursts: &mut Vec<Burst>| {
            if cur.len() >= MIN_ENCRYPTED_FILES {
                let folders: HashSet<(i64, i64)> = cur
                    .iter()
                    .filter_map(|t| ev.get(t.new_ev))
                    .map(|e| (e.parent.vol, e.parent.entry))
                    .collect();
                let start = cur
                    .first()
                    .and_then(|t| ev.get(t.new_ev))
                    .map(|e| e.t)
                    .unwrap_or(0);
                let end = cur
                    .last()
                    .and_then(|t| ev.get(t.new_ev))
                    .map(|e| e.t)
                    .unwrap_or(0);
                bursts.push(Burst {
                    ext: ext.clone(),
                    files: std::mem::take(cur),
                    start,
                    end,
                    folders: folders.len(),
                });
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

/// The ransom note: the name created in the most folders around the burst.
struct Note {
    name: String,
    events: Vec<usize>,
    folders: usize,
}

fn find_note(fs: &FsHistory, b: &Burst) -> Option<Note> {
    let ev = &fs.events;
    let burst_files: HashSet<FileId> = b
        .files
        .iter()
        .filter_map(|t| ev.get(t.new_ev))
        .map(|e| e.file)
        .collect();
    let originals: HashSet<String> = b.files.iter().map(|t| t.original.to_lowercase()).collect();
    let lo = b.start - NOTE_WINDOW_US;
    let hi = b.end + NOTE_WINDOW_US;
    let mut inside: HashMap<String, Vec<usize>> = HashMap::new();
    let mut outside: HashMap<String, usize> = HashMap::new();
    for (i, e) in ev.iter().enumerate() {
        if e.is_dir || e.kind != Kind::Created || burst_files.contains(&e.file) {
            continue;
        }
        let n = e.name.to_lowercase();
        if ext_of(&n).as_deref() == Some(b.ext.as_str()) || originals.contains(&n) {
            continue;
        }
        if e.t >= lo && e.t <= hi {
            inside.entry(n).or_default().push(i);
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
    inside
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
            if folders.len() < MIN_NOTE_FOLDERS || in_burst * 2 < folders.len() {
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
        .max_by_key(|n| (n.folders, n.events.len()))
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
/// It lives in a Windows/Program Files folder (system programs run all the
/// time; a payload rarely sits there).
const W_SYSTEM_LOCATION: i64 = -4;

fn rank_candidates(
    execs: &[Exec],
    b: &Burst,
    fs: &FsHistory,
    note: Option<&str>,
) -> Vec<Candidate> {
    let ev = &fs.events;
    // Upper-case base names the payload's prefetch would reference.
    let mut touched: HashSet<String> = b.files.iter().map(|t| t.original.to_uppercase()).collect();
    touched.extend(
        b.files
            .iter()
            .filter_map(|t| ev.get(t.new_ev))
            .map(|e| e.name.to_uppercase()),
    );
    if let Some(n) = note {
        touched.insert(n.to_uppercase());
    }
    let start = b.start;
    let mut by_name: HashMap<String, Vec<&Exec>> = HashMap::new();
    for x in execs {
        if !x.name.is_empty() {
            by_name.entry(x.name.clone()).or_default().push(x);
        }
    }
    // Prefetch names are truncated at 29 characters: fold them into the
    // full name when one exists.
    let names: Vec<String> = by_name.keys().cloned().collect();
    for n in &names {
        if n.chars().count() == 29 {
            if let Some(full) = names.iter().find(|m| *m != n && pf_exe_matches(n, m)) {
                if let Some(v) = by_name.remove(n) {
                    by_name.entry(full.clone()).or_default().extend(v);
                }
            }
        }
    }
    let mut out = Vec::new();
    for (name, list) in by_name {
        let mut score = 0i64;
        let mut reasons = Vec::new();
        let mut evid: Vec<Evidence> = Vec::new();
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
        let dropped: Vec<&&Exec> = list
            .iter()
            .filter(|x| {
                x.kind == ExecKind::Dropped && x.t <= start && start - x.t <= DROP_LOOKBACK_US
            })
            .collect();
        if !dropped.is_empty() {
            score += W_DROPPED;
            reasons.push("written to disk shortly before".into());
            if dropped
                .iter()
                .any(|x| x.path.as_deref().is_some_and(is_user_writable))
            {
                score += W_USER_FOLDER;
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
        }
        // Best path: journal/MFT (original case) > BAM/tasks > Amcache > Prefetch.
        let rank = |k: ExecKind| match k {
            ExecKind::Dropped | ExecKind::Deleted => 0,
            ExecKind::Bam | ExecKind::Evtx4688 | ExecKind::Sysmon1 => 1,
            ExecKind::Task | ExecKind::Autostart | ExecKind::UserAssist => 2,
            ExecKind::Amcache => 3,
            _ => 4,
        };
        let path = list
            .iter()
            .filter(|x| x.path.as_deref().is_some_and(|p| !p.starts_with('?')))
            .min_by_key(|x| rank(x.kind))
            .and_then(|x| x.path.clone());
        if path.as_deref().is_some_and(is_system_location) && !referenced {
            score += W_SYSTEM_LOCATION;
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
        evid.extend(items.iter().take(12).map(|x| x.ev.clone()));
        out.push(Candidate {
            name,
            path,
            score,
            started,
            reasons,
            evidence: evid,
        });
    }
    out.sort_by_key(|c| {
        (
            std::cmp::Reverse(c.score),
            c.started.map(|s| start - s).unwrap_or(i64::MAX),
        )
    });
    out
}

/// The first record of the operation that encrypted the first file: walk
/// back over the file's journal records while they stay within
/// [`OP_GAP_US`] of each other.
fn first_record(db: &CaseDb, e: &NameEvent) -> Result<(i64, String, i64, i64)> {
    let mut st = db.conn().prepare(
        "SELECT id, time, COALESCE(usn, 0) FROM usn
         WHERE COALESCE(volume_id, 0) = ?1 AND entry = ?2 AND COALESCE(seq, 0) = ?3
           AND COALESCE(usn, 0) <= ?4 AND time IS NOT NULL
         ORDER BY usn DESC, id DESC LIMIT 10000",
    )?;
    let mut rows = st.query(rusqlite::params![
        e.file.vol,
        e.file.entry,
        e.file.seq,
        e.usn
    ])?;
    let mut best = (e.row, e.time.clone(), e.usn, e.t);
    while let Some(r) = rows.next()? {
        let time: String = r.get(1)?;
        let Some(t) = us(&time) else { continue };
        if best.3 - t > OP_GAP_US {
            break;
        }
        if t <= best.3 {
            best = (r.get(0)?, time, r.get(2)?, t);
        }
    }
    Ok((best.0, best.1, best.2, best.3))
}

fn usn_ev(e: &NameEvent, text: String) -> Evidence {
    Evidence {
        artifact: "usn".into(),
        table: Some("usn".into()),
        id: Some(e.row),
        offset: Some(e.usn),
        time: z(&e.time),
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
    /// Payload creation time (µs), when the journal has it.
    pub payload_dropped: Option<i64>,
    /// Paths worth sampling (note copies, some encrypted files).
    pub sample_paths: Vec<(Option<FileId>, String)>,
    /// Other bursts (reported as extra findings).
    pub other_bursts: Vec<(String, usize, i64, i64)>,
    /// Deleted originals that belong to the burst (for the deletion-burst rule).
    pub consumed_deletes: HashSet<usize>,
}

/// Runs the ransomware detector.
pub fn detect(db: &CaseDb, fs: &FsHistory, execs: &[Exec]) -> Result<Outcome> {
    let bursts = find_bursts(fs);
    let mut out = Outcome {
        answer: Ransomware::default(),
        window: None,
        payload: None,
        payload_dropped: None,
        sample_paths: Vec::new(),
        other_bursts: bursts
            .iter()
            .skip(1)
            .map(|b| (b.ext.clone(), b.files.len(), b.start, b.end))
            .collect(),
        consumed_deletes: HashSet::new(),
    };
    let Some(b) = bursts.first() else {
        return Ok(out);
    };
    let ev = &fs.events;
    out.consumed_deletes = b.files.iter().filter_map(|t| t.orig_ev).collect();
    let note = find_note(fs, b);
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

    // First encrypted file and infection time.
    let mut conf: f64 = 0.55;
    if let Some(first) = b.files.first() {
        if let Some(e) = ev.get(first.new_ev) {
            let path = fs.path_in(e.parent, &first.original);
            let (row, time, usn, _t) = first_record(db, e)?;
            a.first_encrypted = Some(FileAt {
                name: first.original.clone(),
                path: Some(path.clone()),
                time: z(&time),
            });
            a.infection_time = z(&time);
            a.evidence.push(Evidence {
                artifact: "usn".into(),
                table: Some("usn".into()),
                id: Some(row),
                offset: Some(usn),
                time: z(&time),
                text: format!(
                    "first journal record of the first encrypted file: {} -> {}",
                    path, e.name
                ),
            });
            match (first.style, first.orig_ev.and_then(|j| ev.get(j))) {
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
                _ => a.evidence.push(usn_ev(
                    e,
                    format!("{} renamed to {}", first.original, e.name),
                )),
            }
        }
    }
    if let Some(last) = b.files.last().and_then(|t| ev.get(t.new_ev)) {
        a.evidence.push(usn_ev(
            last,
            format!(
                "last of {} files renamed/created with {} in {} folders",
                b.files.len(),
                b.ext,
                b.folders
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
    if let Some(n) = &note {
        a.ransom_note = Some(n.name.clone());
        a.note_count = n.folders as u64;
        conf += 0.15;
        // Before/after the files of the same folder.
        let mut before = 0;
        let mut after = 0;
        for &i in &n.events {
            let Some(ne) = ev.get(i) else { continue };
            let first_in_folder = b
                .files
                .iter()
                .filter_map(|t| ev.get(t.new_ev))
                .filter(|e| e.parent.entry == ne.parent.entry && e.parent.vol == ne.parent.vol)
                .map(|e| e.t)
                .min();
            match first_in_folder {
                Some(t) if ne.t < t => before += 1,
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
        for &i in n.events.iter().take(3) {
            if let Some(ne) = ev.get(i) {
                let p = fs.path_in(ne.parent, &ne.name);
                a.evidence
                    .push(usn_ev(ne, format!("ransom note {p} created")));
                out.sample_paths.push((Some(ne.file), p));
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
            [b.ext.as_str()],
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
    let cands = rank_candidates(execs, b, fs, note.as_ref().map(|n| n.name.as_str()));
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
        out.payload_dropped = execs
            .iter()
            .filter(|x| x.name == c.name && x.kind == ExecKind::Dropped && x.t <= b.start)
            .map(|x| x.t)
            .min();
        a.evidence.extend(c.evidence.iter().cloned());
        if c.score >= 8 {
            conf += 0.05;
        }
    }
    a.confidence = conf.min(0.99);
    out.window = Some((b.start, b.end));
    Ok(out)
}
