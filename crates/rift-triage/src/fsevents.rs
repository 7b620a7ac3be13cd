//! File-system history from `$UsnJrnl` rows: names that appeared (created
//! or renamed into), names that went away (deleted or renamed from), with
//! folder paths resolved through the journal's own full paths and `$MFT`.

use std::collections::{HashMap, HashSet};

use rift_timeline::CaseDb;

use crate::Result;
use crate::util::{dir_name, us, z_us};

/// `USN_REASON_DATA_OVERWRITE`.
pub const R_OVERWRITE: i64 = 0x1;
/// `USN_REASON_FILE_CREATE`.
pub const R_CREATE: i64 = 0x100;
/// `USN_REASON_FILE_DELETE`.
pub const R_DELETE: i64 = 0x200;
/// `USN_REASON_RENAME_OLD_NAME`.
pub const R_RENAME_OLD: i64 = 0x1000;
/// `USN_REASON_RENAME_NEW_NAME`.
pub const R_RENAME_NEW: i64 = 0x2000;
/// `FILE_ATTRIBUTE_DIRECTORY`.
pub const A_DIRECTORY: i64 = 0x10;

/// A file identity on a volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId {
    /// Volume id.
    pub vol: i64,
    /// MFT entry.
    pub entry: i64,
    /// Sequence number.
    pub seq: i64,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// First `FileCreate` record of the file.
    Created,
    /// Renamed into this name from `old`.
    Renamed {
        /// The previous name.
        old: String,
    },
    /// Deleted.
    Deleted,
}

/// One name event.
#[derive(Debug, Clone)]
pub struct NameEvent {
    /// `usn.id`.
    pub row: i64,
    /// USN.
    pub usn: i64,
    /// µs since 1970.
    pub t: i64,
    /// File.
    pub file: FileId,
    /// Parent folder (vol, entry, seq).
    pub parent: FileId,
    /// Name.
    pub name: String,
    /// Directory.
    pub is_dir: bool,
    /// What happened.
    pub kind: Kind,
}

impl NameEvent {
    /// The event time as findings text (`…Z`).
    pub fn time_z(&self) -> Option<String> {
        z_us(self.t)
    }
}

/// The journal as name events, in USN order, plus folder paths.
#[derive(Debug, Default)]
pub struct FsHistory {
    /// Events in journal order (per volume by USN; volumes one after the
    /// other).
    pub events: Vec<NameEvent>,
    /// Folder paths by folder identity (sequence 0 = any).
    dirs: HashMap<FileId, String>,
}

/// One raw journal row with a name-changing reason (loading stage).
struct RawRow {
    row: i64,
    usn: i64,
    t: i64,
    file: FileId,
    parent: FileId,
    name: String,
    reasons: i64,
    is_dir: bool,
}

impl FsHistory {
    /// Loads the name events of every `usn` row (only rows with create,
    /// delete or rename reasons are read: data-only records do not change
    /// names). Rows are read in storage order and sorted here (cheaper
    /// than an SQL sort over millions of rows).
    pub fn load(db: &CaseDb) -> Result<FsHistory> {
        let conn = db.conn();
        let mut dirs: HashMap<FileId, String> = HashMap::new();
        // Folder paths from $MFT.
        {
            let mut st = conn.prepare(
                "SELECT COALESCE(volume_id, 0), entry, COALESCE(seq, 0), full_path FROM mft
                 WHERE is_dir = 1 AND full_path IS NOT NULL AND COALESCE(is_ads, 0) = 0",
            )?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let (vol, entry, seq, p): (i64, i64, i64, String) =
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
                dirs.insert(FileId { vol, entry, seq }, p.clone());
                dirs.entry(FileId { vol, entry, seq: 0 }).or_insert(p);
            }
        }
        let mut st = conn.prepare(
            "SELECT id, COALESCE(usn, 0), time, COALESCE(volume_id, 0), COALESCE(entry, -1), COALESCE(seq, 0),
                    COALESCE(parent_entry, -1), COALESCE(parent_seq, 0), COALESCE(name, ''), full_path,
                    reasons, COALESCE(attributes, 0)
             FROM usn WHERE time IS NOT NULL AND (reasons & ?1) != 0",
        )?;
        let mut rows = st.query([R_CREATE | R_DELETE | R_RENAME_OLD | R_RENAME_NEW])?;
        let mut raw: Vec<RawRow> = Vec::new();
        while let Some(r) = rows.next()? {
            let time: String = r.get(2)?;
            let Some(t) = us(&time) else { continue };
            let file = FileId {
                vol: r.get(3)?,
                entry: r.get(4)?,
                seq: r.get(5)?,
            };
            let parent = FileId {
                vol: file.vol,
                entry: r.get(6)?,
                seq: r.get(7)?,
            };
            let full: Option<String> = r.get(9)?;
            if let Some(d) = full.as_deref().and_then(dir_name) {
                if !d.is_empty() && !d.starts_with('?') {
                    dirs.entry(parent).or_insert_with(|| d.to_string());
                    dirs.entry(FileId { seq: 0, ..parent })
                        .or_insert_with(|| d.to_string());
                }
            }
            let attrs: i64 = r.get(11)?;
            raw.push(RawRow {
                row: r.get(0)?,
                usn: r.get(1)?,
                t,
                file,
                parent,
                name: r.get(8)?,
                reasons: r.get(10)?,
                is_dir: attrs & A_DIRECTORY != 0,
            });
        }
        raw.sort_unstable_by_key(|r| (r.file.vol, r.usn, r.row));
        let mut events = Vec::new();
        let mut created: HashSet<FileId> = HashSet::new();
        let mut deleted: HashSet<FileId> = HashSet::new();
        // Last RenameOldName name per file, and the name last renamed into.
        let mut old_name: HashMap<FileId, String> = HashMap::new();
        let mut last_new: HashMap<FileId, String> = HashMap::new();
        for r in raw {
            let base = NameEvent {
                row: r.row,
                usn: r.usn,
                t: r.t,
                file: r.file,
                parent: r.parent,
                name: r.name,
                is_dir: r.is_dir,
                kind: Kind::Created,
            };
            let file = r.file;
            let reasons = r.reasons;
            if reasons & R_CREATE != 0 && created.insert(file) {
                events.push(base.clone());
            }
            if reasons & R_RENAME_OLD != 0 {
                old_name.insert(file, base.name.clone());
            }
            if reasons & R_RENAME_NEW != 0 {
                if let Some(old) = old_name.remove(&file) {
                    if last_new.get(&file) != Some(&base.name) || old != base.name {
                        last_new.insert(file, base.name.clone());
                        events.push(NameEvent {
                            kind: Kind::Renamed { old },
                            ..base.clone()
                        });
                    }
                }
            }
            if reasons & R_DELETE != 0 && deleted.insert(file) {
                events.push(NameEvent {
                    kind: Kind::Deleted,
                    ..base
                });
            }
        }
        Ok(FsHistory { events, dirs })
    }

    /// The folder path of a parent identity, when known.
    pub fn dir_path(&self, parent: FileId) -> Option<&str> {
        self.dirs
            .get(&parent)
            .or_else(|| self.dirs.get(&FileId { seq: 0, ..parent }))
            .map(String::as_str)
    }

    /// Full path of a name in a folder (`?\<entry>\name` when the folder is unknown).
    pub fn path_in(&self, parent: FileId, name: &str) -> String {
        match self.dir_path(parent) {
            Some(d) => format!("{}\\{name}", d.trim_end_matches('\\')),
            None => format!("?\\{}\\{name}", parent.entry),
        }
    }
}

/// `USN_REASON_DATA_EXTEND`.
pub const R_EXTEND: i64 = 0x2;
/// `USN_REASON_DATA_TRUNCATION`.
pub const R_TRUNCATE: i64 = 0x4;
/// Any content change of the unnamed data stream.
pub const R_DATA: i64 = R_OVERWRITE | R_EXTEND | R_TRUNCATE;

/// One journal record of a file (for walking over one operation).
#[derive(Debug, Clone)]
pub struct FileRecord {
    /// `usn.id`.
    pub row: i64,
    /// USN.
    pub usn: i64,
    /// µs since 1970.
    pub t: i64,
    /// Database time text (100 ns precision).
    pub time: String,
    /// Reason flags.
    pub reasons: i64,
}

/// Most records read for one file (a log file rewritten all day has
/// thousands; an encrypted document a handful).
const MAX_FILE_RECORDS: i64 = 20_000;

/// The journal records of one file identity, in USN order (uses the
/// `usn(volume_id, entry, seq)` index).
pub fn file_records(db: &CaseDb, file: FileId) -> Result<Vec<FileRecord>> {
    let vol: Option<i64> = (file.vol != 0).then_some(file.vol);
    let mut st = db.conn().prepare_cached(
        "SELECT id, COALESCE(usn, 0), time, reasons FROM usn
         WHERE volume_id IS ?1 AND entry = ?2 AND COALESCE(seq, 0) = ?3 AND time IS NOT NULL
         ORDER BY usn, id LIMIT ?4",
    )?;
    let mut rows = st.query(rusqlite::params![
        vol,
        file.entry,
        file.seq,
        MAX_FILE_RECORDS
    ])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let time: String = r.get(2)?;
        let Some(t) = us(&time) else { continue };
        out.push(FileRecord {
            row: r.get(0)?,
            usn: r.get(1)?,
            t,
            time,
            reasons: r.get(3)?,
        });
    }
    Ok(out)
}
