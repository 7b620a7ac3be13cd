//! A case-database builder that writes rows shaped like the ones
//! `rift analyze` writes for a real image (checked against the public
//! scenario's `case.sqlite`):
//! * `usn`: `volume_id`, `usn` in journal order, 7-digit times, `entry`/`seq`
//!   with MFT entries reused at `seq + 1`, `parent_entry`/`parent_seq`,
//!   `name`, `extension`, `full_path` (the path at that record), `reasons` +
//!   `reasons_text`, `attributes`; a created file is `FileCreate`,
//!   `DataExtend|FileCreate`, `DataExtend|FileCreate|Close`; a deletion one
//!   `FileDelete|Close`; a rename `RenameOldName`, `RenameNewName`,
//!   `RenameNewName|Close`; an overwrite `DataOverwrite`,
//!   `DataOverwrite|DataExtend`, `DataOverwrite|DataExtend|Close`;
//! * `mft`: folders and live files with `full_path`, freed entries that were
//!   not reused as `in_use = 0`;
//! * `prefetch`: `exe` uppercase, `pf_name` `EXE-HASH.pf`, `run_times` JSON
//!   (newest first), `files` as `\VOLUME{…}\UPPER\PATH`; the `.pf` created in
//!   the journal ~10 s after the first run;
//! * `bam`: `\Device\HarddiskVolume2\…` in `path`, `resolved_path` NULL;
//! * `userassist`: `resolved_path` `%USERPROFILE%\…` for profile folders;
//! * `amcache`: lowercase `path`; `tasks`: an XML row with the command and
//!   a TaskCache row without; `browser_downloads` + `zone_identifiers`.
//!
//! [`Knobs`] + [`build`] play the scenario builder: an attack with the
//! style, note timing, payload behaviour and decoys asked for, and the
//! answers ([`Truth`]) that follow from what was written.

#![allow(dead_code)]

use std::collections::HashMap;

use rift_io::time::FileTime;
use rift_timeline::*;

/// 2024-05-20T00:00:00Z as FILETIME.
pub const T0_FT: i64 = 133_606_368_000_000_000;
const UNIX_FT: i64 = 116_444_736_000_000_000;

/// FILETIME of `s` seconds after T0.
pub fn ft(s: f64) -> i64 {
    T0_FT + (s * 1e7).round() as i64
}

/// Database time of `s` seconds after T0.
pub fn at(s: f64) -> DbTime {
    DbTime::from_filetime(FileTime(ft(s) as u64)).unwrap()
}

/// Findings text (`…Z`, 6 digits, truncated) of `s` seconds after T0.
pub fn z(s: f64) -> String {
    let us = (ft(s) - UNIX_FT) / 10;
    rift_io::time::format_iso_utc(jiff::Timestamp::from_microsecond(us).unwrap())
}

/// KEEPER time (`YYYY-MM-DDTHH:MM:SS`, truncated) of `s` after T0 in a
/// fixed offset of `off_h` hours, computed by hand.
pub fn keeper_time(s: f64, off_h: i64) -> String {
    let us = (ft(s) - UNIX_FT) / 10 + off_h * 3_600_000_000;
    let ts = jiff::Timestamp::from_microsecond(us).unwrap();
    let d = ts.to_zoned(jiff::tz::TimeZone::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        d.year(),
        d.month(),
        d.day(),
        d.hour(),
        d.minute(),
        d.second()
    )
}

pub const CREATE: i64 = 0x100;
pub const DELETE: i64 = 0x200;
pub const CLOSE: i64 = 0x8000_0000;
pub const EXTEND: i64 = 0x2;
pub const OVERWRITE: i64 = 0x1;
pub const TRUNC: i64 = 0x4;
pub const OLD: i64 = 0x1000;
pub const NEW: i64 = 0x2000;
pub const STREAM: i64 = 0x20_0000;
pub const NAMED_EXTEND: i64 = 0x20;

fn reasons_text(r: i64) -> String {
    let names = [
        (OVERWRITE, "DataOverwrite"),
        (EXTEND, "DataExtend"),
        (TRUNC, "DataTruncation"),
        (NAMED_EXTEND, "NamedDataExtend"),
        (CREATE, "FileCreate"),
        (DELETE, "FileDelete"),
        (OLD, "RenameOldName"),
        (NEW, "RenameNewName"),
        (STREAM, "StreamChange"),
        (CLOSE, "Close"),
    ];
    names
        .iter()
        .filter(|(b, _)| r & b != 0)
        .map(|(_, n)| *n)
        .collect::<Vec<_>>()
        .join("|")
}

/// A file: MFT entry and sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct F {
    pub vol: i64,
    pub entry: i64,
    pub seq: i64,
}

#[derive(Debug, Clone)]
struct FileState {
    dir: F,
    name: String,
    live: bool,
    is_dir: bool,
}

/// The case being written.
pub struct Scene {
    pub db: CaseDb,
    rows: Vec<(i64, UsnRow)>,
    next_entry: HashMap<i64, i64>,
    free: HashMap<i64, Vec<F>>,
    files: HashMap<F, FileState>,
    dirs: HashMap<(i64, String), F>,
    /// Drive letter per volume.
    letters: HashMap<i64, String>,
    /// Whether times inside [coarse.0, coarse.1] are cut to whole seconds.
    pub coarse: Option<(f64, f64)>,
}

impl Default for Scene {
    fn default() -> Self {
        Self::new()
    }
}

impl Scene {
    pub fn new() -> Scene {
        Scene::with_db(CaseDb::open_in_memory().unwrap())
    }

    /// A scene written into an existing database (a file, for benches).
    pub fn with_db(db: CaseDb) -> Scene {
        let mut s = Scene {
            db,
            rows: Vec::new(),
            next_entry: HashMap::new(),
            free: HashMap::new(),
            files: HashMap::new(),
            dirs: HashMap::new(),
            letters: HashMap::new(),
            coarse: None,
        };
        s.volume(1, "C:");
        s
    }

    /// Declares a volume and its drive letter.
    pub fn volume(&mut self, vol: i64, letter: &str) {
        self.letters.insert(vol, letter.to_string());
        self.next_entry.insert(vol, 300);
        let root = F {
            vol,
            entry: 5,
            seq: 5,
        };
        self.files.insert(
            root,
            FileState {
                dir: root,
                name: String::new(),
                live: true,
                is_dir: true,
            },
        );
        self.dirs.insert((vol, letter.to_string()), root);
    }

    fn alloc(&mut self, vol: i64) -> F {
        let free = self.free.entry(vol).or_default();
        if !free.is_empty() {
            // NTFS hands out the lowest free record first.
            free.sort_by_key(|f| std::cmp::Reverse(f.entry));
            let f = free.pop().unwrap();
            return F {
                seq: f.seq + 1,
                ..f
            };
        }
        let n = self.next_entry.entry(vol).or_insert(300);
        *n += 1;
        F {
            vol,
            entry: *n,
            seq: 1,
        }
    }

    /// A folder by full path (`C:\Users\u\Documents`), parents made too.
    pub fn dir(&mut self, path: &str) -> F {
        let (letter, rest) = path.split_once('\\').unwrap_or((path, ""));
        let vol = *self
            .letters
            .iter()
            .find(|(_, l)| l.eq_ignore_ascii_case(letter))
            .map(|(v, _)| v)
            .expect("declared volume");
        let mut cur = *self.dirs.get(&(vol, letter.to_string())).unwrap();
        let mut p = letter.to_string();
        for comp in rest.split('\\').filter(|c| !c.is_empty()) {
            p = format!("{p}\\{comp}");
            if let Some(d) = self.dirs.get(&(vol, p.to_lowercase())) {
                cur = *d;
                continue;
            }
            let f = self.alloc(vol);
            self.files.insert(
                f,
                FileState {
                    dir: cur,
                    name: comp.to_string(),
                    live: true,
                    is_dir: true,
                },
            );
            self.dirs.insert((vol, p.to_lowercase()), f);
            cur = f;
        }
        cur
    }

    /// Full path of a file as it is now.
    pub fn path(&self, f: F) -> String {
        let mut parts = Vec::new();
        let mut cur = f;
        for _ in 0..64 {
            let st = &self.files[&cur];
            if cur.entry == 5 {
                break;
            }
            parts.push(st.name.clone());
            cur = st.dir;
        }
        parts.push(self.letters[&f.vol].clone());
        parts.reverse();
        parts.join("\\")
    }

    pub fn name(&self, f: F) -> String {
        self.files[&f].name.clone()
    }

    fn t(&self, s: f64) -> f64 {
        match self.coarse {
            Some((a, b)) if s >= a && s <= b => s.floor(),
            _ => s,
        }
    }

    /// One journal record of `f` with its current name.
    pub fn rec(&mut self, s: f64, f: F, reasons: i64) {
        let st = self.files[&f].clone();
        let name = st.name.clone();
        let ext = name
            .rfind('.')
            .filter(|&i| i > 0)
            .map(|i| name[i..].to_lowercase());
        let s = self.t(s);
        let row = UsnRow {
            source_id: Some(8),
            volume_id: Some(f.vol),
            usn: None,
            time: Some(at(s)),
            entry: Some(f.entry),
            seq: Some(f.seq),
            parent_entry: Some(st.dir.entry),
            parent_seq: Some(st.dir.seq),
            name: Some(name),
            extension: ext,
            full_path: Some(self.path(f)),
            reasons,
            reasons_text: Some(reasons_text(reasons)),
            attributes: Some(if st.is_dir { 0x10 } else { 0x20 }),
            version: Some(2),
            ..Default::default()
        };
        self.rows.push((ft(s), row));
    }

    /// A new file written and closed.
    pub fn create(&mut self, s: f64, dir: F, name: &str) -> F {
        let f = self.alloc(dir.vol);
        self.files.insert(
            f,
            FileState {
                dir,
                name: name.to_string(),
                live: true,
                is_dir: false,
            },
        );
        self.rec(s, f, CREATE);
        self.rec(s + 0.0213, f, CREATE | EXTEND);
        self.rec(s + 0.0214, f, CREATE | EXTEND | CLOSE);
        f
    }

    /// A file that exists from before the journal (no records).
    pub fn existing(&mut self, dir: F, name: &str) -> F {
        let f = self.alloc(dir.vol);
        self.files.insert(
            f,
            FileState {
                dir,
                name: name.to_string(),
                live: true,
                is_dir: false,
            },
        );
        f
    }

    pub fn delete(&mut self, s: f64, f: F) {
        self.rec(s, f, DELETE | CLOSE);
        self.files.get_mut(&f).unwrap().live = false;
        self.free.entry(f.vol).or_default().push(f);
    }

    pub fn rename(&mut self, s: f64, f: F, new: &str) {
        self.rec(s, f, OLD);
        self.files.get_mut(&f).unwrap().name = new.to_string();
        self.rec(s + 0.00012, f, NEW);
        self.rec(s + 0.00018, f, NEW | CLOSE);
    }

    pub fn overwrite(&mut self, s: f64, f: F) {
        self.rec(s, f, OVERWRITE);
        self.rec(s + 0.0002, f, OVERWRITE | EXTEND);
        self.rec(s + 0.0004, f, OVERWRITE | EXTEND | CLOSE);
    }

    pub fn rewrite(&mut self, s: f64, f: F) {
        self.rec(s, f, TRUNC);
        self.rec(s + 0.0002, f, TRUNC | EXTEND);
        self.rec(s + 0.0004, f, TRUNC | EXTEND | CLOSE);
    }

    /// A `Zone.Identifier` stream written.
    pub fn ads(&mut self, s: f64, f: F) {
        self.rec(s, f, STREAM);
        self.rec(s + 0.00015, f, STREAM | NAMED_EXTEND);
        self.rec(s + 0.0003, f, STREAM | NAMED_EXTEND | CLOSE);
    }

    /// Writes the journal (USNs in time order per volume) and the MFT.
    pub fn finish(mut self) -> CaseDb {
        self.rows.sort_by_key(|(t, r)| (r.volume_id, *t));
        let mut usn: HashMap<i64, i64> = HashMap::new();
        let mut rows: Vec<UsnRow> = Vec::new();
        for (_, mut r) in std::mem::take(&mut self.rows) {
            let vol = r.volume_id.unwrap_or(1);
            // Volumes number their journals independently (a second volume
            // has lower USNs than the first).
            let u = usn
                .entry(vol)
                .or_insert(if vol == 1 { 120_000_000 } else { 4_000_000 });
            let len = 80 + 2 * r.name.as_deref().map_or(0, |n| n.encode_utf16().count()) as i64;
            let len = (len + 7) / 8 * 8;
            r.usn = Some(*u);
            r.offset = Some(*u);
            *u += len;
            rows.push(r);
        }
        for chunk in rows.chunks(SUGGESTED_BATCH) {
            self.db.insert_usn(chunk).unwrap();
        }
        let mut mft = Vec::new();
        let reused: std::collections::HashSet<(i64, i64)> = self
            .files
            .keys()
            .filter(|f| self.files[f].live)
            .map(|f| (f.vol, f.entry))
            .collect();
        let mut keys: Vec<F> = self.files.keys().copied().collect();
        keys.sort_by_key(|f| (f.vol, f.entry, f.seq));
        for f in keys {
            let st = &self.files[&f];
            if !st.live && reused.contains(&(f.vol, f.entry)) {
                continue;
            }
            let name = st.name.clone();
            mft.push(MftRow {
                source_id: Some(1),
                volume_id: Some(f.vol),
                entry: f.entry,
                seq: Some(f.seq),
                in_use: Some(st.live),
                is_dir: Some(st.is_dir),
                parent_entry: Some(st.dir.entry),
                parent_seq: Some(st.dir.seq),
                extension: name
                    .rfind('.')
                    .filter(|&i| i > 0)
                    .map(|i| name[i..].to_lowercase()),
                name: Some(name),
                full_path: Some(self.path(f)),
                ..Default::default()
            });
        }
        self.db.insert_mft(&mft).unwrap();
        self.db
    }
}

fn pf_hash(path: &str) -> String {
    let mut h: u32 = 0x811C_9DC5;
    for b in path.to_uppercase().bytes() {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("{h:08X}")
}

/// `C:\Users\u\x.exe` → `\VOLUME{01da8a1b2c3d4e5f-6a7b8c9d}\USERS\U\X.EXE`.
pub fn pf_path(p: &str) -> String {
    let rest = p.split_once('\\').map(|x| x.1).unwrap_or(p);
    format!(
        r"\VOLUME{{01da8a1b2c3d4e5f-6a7b8c9d}}\{}",
        rest.to_uppercase()
    )
}

/// Artifacts that are not journal records, written after `finish`.
#[derive(Default)]
pub struct Artifacts {
    pub prefetch: Vec<PrefetchRow>,
    pub bam: Vec<BamRow>,
    pub userassist: Vec<UserAssistRow>,
    pub amcache: Vec<AmcacheRow>,
    pub tasks: Vec<TaskRow>,
    pub autoruns: Vec<AutorunRow>,
    pub services: Vec<ServiceRow>,
    pub downloads: Vec<BrowserDownloadRow>,
    pub zones: Vec<ZoneIdentifierRow>,
    pub defender: Vec<DefenderSettingRow>,
    pub evtx: Vec<EvtxRow>,
}

const LIB_FILES: &[&str] = &[
    r"C:\Windows\System32\ntdll.dll",
    r"C:\Windows\System32\kernel32.dll",
    r"C:\Windows\System32\KernelBase.dll",
];

impl Artifacts {
    /// Prefetch for `exe` (full path) with run times (seconds, any order)
    /// and extra referenced files; the `.pf` creation goes to the journal
    /// 10 s after the first run unless `pf_existed` (created long ago).
    pub fn prefetch(
        &mut self,
        sc: &mut Scene,
        exe: &str,
        runs: &[f64],
        refs: &[String],
        pf_existed: bool,
    ) {
        let name = exe.rsplit('\\').next().unwrap().to_uppercase();
        let hash = pf_hash(exe);
        let pf_name = format!("{name}-{hash}.pf");
        let mut r: Vec<f64> = runs.to_vec();
        r.sort_by(|a, b| b.partial_cmp(a).unwrap());
        let mut files: Vec<String> = LIB_FILES.iter().map(|f| pf_path(f)).collect();
        files.insert(3, pf_path(exe));
        files.extend(refs.iter().map(|f| pf_path(f)));
        let first = *r.last().unwrap();
        let pfdir = sc.dir(r"C:\Windows\Prefetch");
        if !pf_existed {
            let f = sc.create(first + 10.3, pfdir, &pf_name);
            for &t in r.iter().rev().skip(1) {
                sc.rewrite(t + 10.3, f);
            }
        }
        self.prefetch.push(PrefetchRow {
            source_id: Some(7),
            pf_name: Some(pf_name),
            exe: Some(name),
            hash: Some(hash),
            version: Some(30),
            run_count: Some(r.len() as i64),
            last_run: Some(at(r[0])),
            run_times: json_text(
                &r.iter()
                    .take(8)
                    .map(|&t| at(t).as_str().to_string())
                    .collect::<Vec<_>>(),
            ),
            files: json_text(&files),
            source_created: Some(at(first + 10.3)),
            ..Default::default()
        });
    }

    pub fn bam(&mut self, exe: &str, t: f64, sid: &str) {
        let rest = exe.split_once('\\').map(|x| x.1).unwrap_or(exe);
        self.bam.push(BamRow {
            source_id: Some(40),
            key_path: Some(format!(
                r"ControlSet001\Services\bam\State\UserSettings\{sid}"
            )),
            sid: Some(sid.into()),
            path: Some(format!(r"\Device\HarddiskVolume2\{rest}")),
            last_run: Some(at(t)),
            ..Default::default()
        });
    }

    /// UserAssist of a program in `C:\Users\<user>\…` (resolved as
    /// `%USERPROFILE%\…` like rift does for the Downloads KnownFolder).
    pub fn userassist(&mut self, exe: &str, t: f64, user: &str) {
        let prefix = format!(r"C:\Users\{user}\");
        let resolved = match exe.strip_prefix(&prefix) {
            Some(r) => format!(r"%USERPROFILE%\{r}"),
            None => exe.to_string(),
        };
        let name = exe.rsplit('\\').next().unwrap();
        self.userassist.push(UserAssistRow {
            source_id: Some(36),
            hive_path: Some(format!(r"C:\Users\{user}\NTUSER.DAT")),
            user: Some(user.into()),
            guid: Some("{CEBFF5CD-ACE2-4F4F-9178-9926F41749EA}".into()),
            name: Some(format!(r"{{374DE290-123F-4565-9164-39C4925E467B}}\{name}")),
            resolved_path: Some(resolved),
            run_count: Some(1),
            focus_count: Some(1),
            last_run: Some(at(t)),
            ..Default::default()
        });
    }

    pub fn amcache(&mut self, exe: &str, t: f64) {
        let name = exe.rsplit('\\').next().unwrap();
        self.amcache.push(AmcacheRow {
            source_id: Some(46),
            key_path: Some(format!(
                r"Root\InventoryApplicationFile\{}|{}",
                name.to_lowercase(),
                pf_hash(exe).to_lowercase()
            )),
            name: Some(name.into()),
            path: Some(exe.to_lowercase()),
            sha1: Some("0721f02486613c2e4497fed0af376f031caf57d2".into()),
            size: Some(274_179),
            binary_type: Some("pe32_i386".into()),
            key_last_write: Some(at(t)),
            ..Default::default()
        });
    }

    /// A scheduled task file + TaskCache entry (the file also goes to the
    /// journal).
    pub fn task(&mut self, sc: &mut Scene, name: &str, command: &str, t: f64) {
        let d = sc.dir(r"C:\Windows\System32\Tasks");
        sc.create(t, d, name);
        self.tasks.push(TaskRow {
            source_id: Some(6),
            origin: Some("TaskXml".into()),
            name: Some(name.into()),
            path: Some(format!(r"C:\Windows\System32\Tasks\{name}")),
            command: Some(command.into()),
            key_last_write: Some(at(t)),
            hidden: Some(false),
            ..Default::default()
        });
        self.tasks.push(TaskRow {
            source_id: Some(41),
            origin: Some("TaskCache".into()),
            name: Some(name.into()),
            path: Some(format!(r"\{name}")),
            task_guid: Some("{B52C57D4-5C42-3EF3-E6F9-D26D43DAFE22}".into()),
            key_last_write: Some(at(t + 0.02)),
            hidden: Some(true),
            ..Default::default()
        });
    }

    pub fn run_key(&mut self, user: &str, value: &str, command: &str, t: f64) {
        self.autoruns.push(AutorunRow {
            source_id: Some(36),
            hive_path: Some(format!(r"C:\Users\{user}\NTUSER.DAT")),
            user: Some(user.into()),
            key_path: Some(r"Software\Microsoft\Windows\CurrentVersion\Run".into()),
            value_name: Some(value.into()),
            command: Some(command.into()),
            category: Some("Run".into()),
            key_last_write: Some(at(t)),
        });
    }

    pub fn service(&mut self, name: &str, image: &str, t: f64) {
        self.services.push(ServiceRow {
            source_id: Some(40),
            control_set: Some(1),
            name: Some(name.into()),
            display_name: Some(name.into()),
            image_path: Some(image.into()),
            start_type: Some(2),
            start_label: Some("auto".into()),
            account: Some("LocalSystem".into()),
            key_last_write: Some(at(t)),
            ..Default::default()
        });
    }

    /// A Chrome download (chain first … final) and, optionally, the
    /// file's Zone.Identifier with `host` as HostUrl.
    #[allow(clippy::too_many_arguments)]
    pub fn download(
        &mut self,
        user: &str,
        chain: &[&str],
        referrer: &str,
        target: &str,
        start: f64,
        end: f64,
        host: Option<&str>,
        mime: &str,
    ) {
        self.downloads.push(BrowserDownloadRow {
            source_id: Some(9),
            browser: Some("Chrome".into()),
            profile: Some("Default".into()),
            user: Some(user.into()),
            download_id: Some(self.downloads.len() as i64 + 1),
            url: chain.last().map(|s| s.to_string()),
            url_chain: json_text(chain),
            referrer: Some(referrer.into()),
            tab_url: Some(referrer.into()),
            target_path: Some(target.into()),
            current_path: Some(target.into()),
            start_time: Some(at(start)),
            end_time: Some(at(end)),
            state: Some(1),
            state_text: Some("complete".into()),
            danger_type: Some(0),
            danger_text: Some("not dangerous".into()),
            mime_type: Some(mime.into()),
            ..Default::default()
        });
        if let Some(h) = host {
            self.zones.push(ZoneIdentifierRow {
                source_id: Some(2),
                volume_id: Some(1),
                file_path: Some(target.into()),
                zone_id: Some(3),
                host_url: Some(h.into()),
                referrer_url: Some(referrer.into()),
                raw: Some(format!(
                    "[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl={referrer}\r\nHostUrl={h}\r\n"
                )),
                file_created: Some(at(start)),
                ..Default::default()
            });
        }
    }

    pub fn write(self, db: &mut CaseDb) {
        db.insert_prefetch(&self.prefetch).unwrap();
        db.insert_bam(&self.bam).unwrap();
        db.insert_userassist(&self.userassist).unwrap();
        db.insert_amcache(&self.amcache).unwrap();
        db.insert_tasks(&self.tasks).unwrap();
        db.insert_autoruns(&self.autoruns).unwrap();
        db.insert_services(&self.services).unwrap();
        db.insert_browser_downloads(&self.downloads).unwrap();
        db.insert_zone_identifiers(&self.zones).unwrap();
        db.insert_defender_settings(&self.defender).unwrap();
        db.insert_evtx(&self.evtx).unwrap();
    }
}

/// How the files are encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `a.docx` → new `a.docx<suffix>` written, `a.docx` deleted.
    CopyDelete,
    /// Overwrite `a.docx`, then rename it to `a.docx<suffix>`.
    OverwriteRename,
    /// Rename `a.docx` to `a.docx<suffix>`, then overwrite it.
    RenameOverwrite,
    /// New `a<suffix>` written (extension replaced), `a.docx` deleted.
    ReplaceCopyDelete,
    /// `a.docx` overwritten and renamed to `a<suffix>`.
    ReplaceRename,
    /// Encrypted into `a.docx.tmp`, renamed to `a.docx<suffix>`, original
    /// deleted.
    TempRenameDelete,
}

/// Ransom-note behaviour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteMode {
    None,
    /// The note goes into each folder before its files.
    Before(String),
    /// …after its files.
    After(String),
    /// `stem.txt` into every folder after its files, `stem.hta` into the
    /// first folder only.
    TwoKinds(String),
}

/// What starts the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Task,
    RunKey,
    Service,
    /// WMI subscription: nothing in the tables rift reads.
    Wmi,
}

/// The scenario builder's knobs.
#[derive(Debug, Clone)]
pub struct Knobs {
    pub victim: String,
    pub other_user: Option<String>,
    pub style: Style,
    pub suffix: String,
    pub note: NoteMode,
    pub tool_name: String,
    pub tool_chain: Vec<String>,
    pub tool_host_url: Option<String>,
    pub payload_name: String,
    /// Folder under the victim's profile (`AppData\Local\Temp`).
    pub payload_dir: String,
    pub start_by: Start,
    pub self_delete: bool,
    /// Minutes between the drop and the payload's start.
    pub start_delay_min: f64,
    /// A backup tool writes `.bak` copies `n` minutes before the burst
    /// (negative: after); `None`: no backup decoy in the burst's hour
    /// (a day earlier instead).
    pub backup_minutes_before: Option<f64>,
    /// A user renames this many files to `<name>.old` a day before.
    pub user_renames: usize,
    /// A benign executable download, run this many minutes before the
    /// tool ran (negative: after the payload was dropped).
    pub benign_exe_minutes_before_tool: Option<f64>,
    /// A real system program (`C:\Windows\System32\<name>`) runs right
    /// before the burst and its Prefetch lists victim documents.
    pub system_binary: Option<String>,
    /// Times inside the burst cut to whole seconds (ties broken by USN).
    pub coarse_times: bool,
    /// The first victim file was edited by the user 40 minutes before.
    pub earlier_edit: bool,
    /// The second user's files are on a second volume (`D:`).
    pub second_volume: bool,
    /// Office autosave / Windows Update / browser churn, scaled.
    pub churn_scale: usize,
}

impl Default for Knobs {
    fn default() -> Self {
        Knobs {
            victim: "minsu".into(),
            other_user: None,
            style: Style::CopyDelete,
            suffix: ".locked".into(),
            note: NoteMode::After("HOW_TO_RECOVER.txt".into()),
            tool_name: "KMSAuto Lite.exe".into(),
            tool_chain: vec!["https://files.kms-tools.example/dl/KMSAuto%20Lite.exe".into()],
            tool_host_url: Some("https://files.kms-tools.example/dl/KMSAuto%20Lite.exe".into()),
            payload_name: "winlogupd.exe".into(),
            payload_dir: r"AppData\Roaming\Microsoft".into(),
            start_by: Start::Task,
            self_delete: false,
            start_delay_min: 4.0,
            backup_minutes_before: None,
            user_renames: 0,
            benign_exe_minutes_before_tool: None,
            system_binary: None,
            coarse_times: false,
            earlier_edit: false,
            second_volume: false,
            churn_scale: 1,
        }
    }
}

/// The answers that follow from what [`build`] wrote.
#[derive(Debug, Clone)]
pub struct Truth {
    pub first_name: String,
    pub first_path: String,
    /// Infection time (seconds after T0).
    pub infection_s: f64,
    pub infecting_name: String,
    pub infecting_path: String,
    pub extension: String,
    pub note: Option<String>,
    pub encrypted: usize,
    pub download_url: String,
    pub downloaded_name: String,
    pub executed_s: f64,
    pub style: &'static str,
    pub note_timing: Option<&'static str>,
}

const DOCS: &[&str] = &[
    "budget 2024.xlsx",
    "contract_v2.docx",
    "estimate.pptx",
    "invoice_0312.pdf",
    "meeting notes.txt",
    "plan_final.hwp",
    "photo_001.jpg",
    "photo_002.jpg",
    "report.docx",
    "scan_0044.pdf",
    "계약서_3.hwp",
    "회의록.docx",
];

fn victim_files(sc: &mut Scene, user: &str, vol_letter: &str) -> Vec<(F, String)> {
    let mut out = Vec::new();
    for (k, sub) in ["Desktop", "Documents", r"Documents\Work", "Pictures"]
        .iter()
        .enumerate()
    {
        let d = sc.dir(&format!(r"{vol_letter}\Users\{user}\{sub}"));
        for (i, n) in DOCS.iter().enumerate() {
            if (i + k) % 4 == 3 {
                continue;
            }
            let f = sc.existing(d, n);
            out.push((f, n.to_string()));
        }
    }
    out
}

/// Background churn between `from` and `to` (seconds): browser history
/// journal, cache files, Windows Update cabs, temp files, Office owner
/// files and safe-saves, prefetch rewrites.
pub fn churn(sc: &mut Scene, user: &str, from: f64, to: f64, step: f64) {
    let prof = sc.dir(&format!(
        r"C:\Users\{user}\AppData\Local\Google\Chrome\User Data\Default"
    ));
    let cache = sc.dir(&format!(
        r"C:\Users\{user}\AppData\Local\Google\Chrome\User Data\Default\Cache\Cache_Data"
    ));
    let wu = sc.dir(r"C:\Windows\SoftwareDistribution\Download");
    let tmp = sc.dir(&format!(r"C:\Users\{user}\AppData\Local\Temp"));
    let docs = sc.dir(&format!(r"C:\Users\{user}\Documents\Drafts"));
    let hist = sc.existing(prof, "History");
    let mut draft = sc.existing(docs, "weekly.docx");
    let mut s = from;
    let mut k = 0u64;
    while s < to {
        let j = sc.create(s, prof, "History-journal");
        sc.overwrite(s + 0.02, hist);
        sc.delete(s + 0.05, j);
        sc.create(s + 0.3, cache, &format!("f_{k:06x}"));
        let c = sc.create(s + 1.0, wu, &format!("windows10.0-kb50{k:05}-x64.cab"));
        if k % 2 == 0 {
            sc.delete(s + 40.0, c);
        }
        let t = sc.create(s + 2.0, tmp, &format!("~DF{:04X}.tmp", k & 0xFFFF));
        sc.delete(s + 3.0, t);
        if k % 3 == 0 {
            // Word safe-save: owner file, new temp, rename dance.
            let own = sc.create(s + 5.0, docs, "~$weekly.docx");
            let wrd = sc.create(s + 60.0, docs, &format!("~WRD{:04}.tmp", k % 10000));
            sc.rename(s + 60.1, draft, &format!("~WRL{:04}.tmp", k % 10000));
            sc.rename(s + 60.2, wrd, "weekly.docx");
            sc.delete(s + 60.3, draft);
            draft = wrd;
            sc.delete(s + 90.0, own);
        }
        s += step;
        k += 1;
    }
}

/// Builds a case from the knobs; returns it with the answers.
pub fn build(k: &Knobs) -> (CaseDb, Truth) {
    build_into(k, CaseDb::open_in_memory().unwrap())
}

/// [`build`] into a given database.
pub fn build_into(k: &Knobs, db: CaseDb) -> (CaseDb, Truth) {
    let mut sc = Scene::with_db(db);
    let mut art = Artifacts::default();
    let v = k.victim.clone();
    let sid = "S-1-5-21-1111111111-2222222222-3333333333-1001";
    if k.second_volume {
        sc.volume(2, "D:");
    }
    // Timeline (seconds after T0): a week of background, the attack on day 6.
    let day = 86_400.0;
    let t_dl = 5.0 * day + 30_000.0;
    let t_tool_run = t_dl + 81.3;
    let t_drop = t_tool_run + 66.2;
    let t_start = t_drop + k.start_delay_min * 60.0;
    let t_burst = t_start + 3.7;

    churn(&mut sc, &v, 0.0, 6.0 * day, 3600.0 / k.churn_scale as f64);
    let mut files = victim_files(&mut sc, &v, "C:");
    if let Some(o) = &k.other_user {
        let letter = if k.second_volume { "D:" } else { "C:" };
        files.extend(victim_files(&mut sc, o, letter));
    }
    let dl = sc.dir(&format!(r"C:\Users\{v}\Downloads"));
    let pdir = sc.dir(&format!(r"C:\Users\{v}\{}", k.payload_dir));
    let payload_path = format!(r"C:\Users\{v}\{}\{}", k.payload_dir, k.payload_name);
    let tool_path = format!(r"C:\Users\{v}\Downloads\{}", k.tool_name);

    // Decoys a day before: the user renames files; a backup run.
    if k.user_renames > 0 {
        let mut s = 4.0 * day + 1000.0;
        for (f, n) in files.iter().take(k.user_renames) {
            sc.rename(s, *f, &format!("{n}.old"));
            s += 2.5;
        }
    }
    let bak_at = match k.backup_minutes_before {
        Some(m) => t_burst - m * 60.0,
        None => 4.0 * day + 20_000.0,
    };
    {
        let mut s = bak_at;
        let skip = k.user_renames;
        for (f, n) in files.iter().skip(skip).take(40) {
            let d = sc.files[f].dir;
            sc.create(s, d, &format!("{n}.bak"));
            s += 0.15;
        }
    }
    if k.earlier_edit {
        let (f, _) = files[0];
        sc.overwrite(t_burst - 2400.0, f);
    }

    // Earlier benign download (a PDF, never run).
    let p = sc.create(2.0 * day + 500.0, dl, "Unconfirmed 118822.crdownload");
    sc.rename(2.0 * day + 502.0, p, "brochure_2024.pdf");
    art.download(
        &v,
        &["https://docs.example.net/files/brochure_2024.pdf"],
        "https://docs.example.net/view/88",
        &format!(r"C:\Users\{v}\Downloads\brochure_2024.pdf"),
        2.0 * day + 500.0,
        2.0 * day + 502.0,
        None,
        "application/pdf",
    );
    // A benign program downloaded and run.
    if let Some(m) = k.benign_exe_minutes_before_tool {
        let t_b = t_tool_run - m * 60.0;
        let bpath = format!(r"C:\Users\{v}\Downloads\npp.8.6.4.Installer.x64.exe");
        let b = sc.create(t_b - 120.0, dl, "Unconfirmed 55120.crdownload");
        sc.rename(t_b - 117.0, b, "npp.8.6.4.Installer.x64.exe");
        sc.ads(t_b - 116.9, b);
        art.download(
            &v,
            &["https://github.com/notepad-plus-plus/releases/download/v8.6.4/npp.8.6.4.Installer.x64.exe"],
            "https://notepad-plus-plus.org/downloads/",
            &bpath,
            t_b - 120.0,
            t_b - 117.0,
            Some("https://github.com/notepad-plus-plus/releases/download/v8.6.4/npp.8.6.4.Installer.x64.exe"),
            "application/octet-stream",
        );
        art.prefetch(&mut sc, &bpath, &[t_b], &[], false);
        art.bam(&bpath, t_b, sid);
        art.userassist(&bpath, t_b, &v);
        art.amcache(&bpath, t_b + 3.9);
        let inst = sc.dir(r"C:\Program Files\Notepad++");
        sc.create(t_b + 20.0, inst, "notepad++.exe");
    }

    // The attack: download (partial file renamed), Zone.Identifier.
    let t = sc.create(t_dl, dl, "Unconfirmed 415130.crdownload");
    sc.rec(t_dl + 2.687, t, CREATE | EXTEND);
    sc.rec(t_dl + 2.6871, t, CREATE | EXTEND | CLOSE);
    sc.rename(t_dl + 3.038, t, &k.tool_name);
    sc.ads(t_dl + 3.098, t);
    let chain: Vec<&str> = k.tool_chain.iter().map(String::as_str).collect();
    art.download(
        &v,
        &chain,
        "https://kms-tools.example/activator/",
        &tool_path,
        t_dl,
        t_dl + 2.688,
        k.tool_host_url.as_deref(),
        "application/x-msdownload",
    );
    art.prefetch(&mut sc, &tool_path, &[t_tool_run], &[], false);
    art.bam(&tool_path, t_tool_run, sid);
    art.userassist(&tool_path, t_tool_run, &v);
    art.amcache(&tool_path, t_tool_run + 3.4);
    art.defender.push(DefenderSettingRow {
        source_id: Some(44),
        key_path: Some(r"Policies\Microsoft\Windows Defender".into()),
        value_name: Some("DisableAntiSpyware".into()),
        value_int: Some(1),
        is_policy: Some(true),
        key_last_write: Some(at(t_tool_run + 18.3)),
        ..Default::default()
    });
    // The drop, and what starts the payload.
    let payload = sc.create(t_drop, pdir, &k.payload_name);
    match k.start_by {
        Start::Task => {
            let tmp = sc.dir(&format!(r"C:\Users\{v}\AppData\Local\Temp"));
            sc.create(t_drop + 0.4, tmp, "upd8e1.cmd");
            art.task(
                &mut sc,
                "OneDriveStandaloneUpdateCore",
                &payload_path,
                t_drop + 0.9,
            )
        }
        Start::RunKey => art.run_key(
            &v,
            "WinLogUpdate",
            &format!("\"{payload_path}\" /silent"),
            t_drop + 0.9,
        ),
        Start::Service => art.service("WinLogUpd", &payload_path, t_drop + 0.9),
        Start::Wmi => {}
    }
    art.bam(&payload_path, t_start, sid);
    art.amcache(&payload_path, t_burst - 0.29);

    // A real system program busy right before the burst.
    if let Some(name) = &k.system_binary {
        let sp = format!(r"C:\Windows\System32\{name}");
        let refs: Vec<String> = files.iter().take(8).map(|(f, _)| sc.path(*f)).collect();
        let runs: Vec<f64> = (0..8)
            .map(|i| t_burst - 2.1 - i as f64 * day * 0.7)
            .collect();
        art.prefetch(&mut sc, &sp, &runs, &refs, true);
        art.bam(&sp, t_burst - 2.1, sid);
    }

    // The burst.
    if k.coarse_times {
        sc.coarse = Some((t_burst - 1.0, t_burst + 3600.0));
    }
    let suffix = k.suffix.clone();
    let mut s = t_burst;
    let mut first: Option<(String, String, f64)> = None;
    let mut encrypted = 0usize;
    let mut refs = Vec::new();
    let mut last_dir: Option<F> = None;
    let mut note_events = 0;
    let notes_name = match &k.note {
        NoteMode::Before(n) | NoteMode::After(n) => Some(n.clone()),
        NoteMode::TwoKinds(stem) => Some(format!("{stem}.txt")),
        NoteMode::None => None,
    };
    let mut dirs_done: Vec<F> = Vec::new();
    let order: Vec<(F, String)> = files.clone();
    for (idx, (f, n)) in order.iter().enumerate() {
        let d = sc.files[f].dir;
        let cur_name = sc.name(*f);
        if last_dir != Some(d) {
            if let (Some(ld), NoteMode::After(nn)) = (last_dir, &k.note) {
                sc.create(s, ld, nn);
                s += 0.11;
                note_events += 1;
            }
            if let (Some(ld), NoteMode::TwoKinds(stem)) = (last_dir, &k.note) {
                sc.create(s, ld, &format!("{stem}.txt"));
                s += 0.11;
                if dirs_done.is_empty() {
                    sc.create(s, ld, &format!("{stem}.hta"));
                    s += 0.11;
                }
                note_events += 1;
            }
            if let Some(ld) = last_dir {
                dirs_done.push(ld);
            }
            if let NoteMode::Before(nn) = &k.note {
                sc.create(s, d, nn);
                s += 0.11;
                note_events += 1;
            }
            last_dir = Some(d);
        }
        let orig_path = sc.path(*f);
        refs.push(orig_path.clone());
        let stem = cur_name
            .rfind('.')
            .map(|i| cur_name[..i].to_string())
            .unwrap_or(cur_name.clone());
        let op_t = s;
        match k.style {
            Style::CopyDelete => {
                sc.create(s, d, &format!("{cur_name}{suffix}"));
                sc.delete(s + 0.0589, *f);
            }
            Style::ReplaceCopyDelete => {
                sc.create(s, d, &format!("{stem}{suffix}"));
                sc.delete(s + 0.0589, *f);
            }
            Style::OverwriteRename => {
                sc.overwrite(s, *f);
                sc.rename(s + 0.031, *f, &format!("{cur_name}{suffix}"));
            }
            Style::RenameOverwrite => {
                sc.rename(s, *f, &format!("{cur_name}{suffix}"));
                sc.overwrite(s + 0.027, *f);
            }
            Style::ReplaceRename => {
                sc.overwrite(s, *f);
                sc.rename(s + 0.031, *f, &format!("{stem}{suffix}"));
            }
            Style::TempRenameDelete => {
                let tmpf = sc.create(s, d, &format!("{cur_name}.tmp"));
                sc.rename(s + 0.04, tmpf, &format!("{cur_name}{suffix}"));
                sc.delete(s + 0.0589, *f);
            }
        }
        let _ = n;
        if first.is_none() {
            let first_s = sc.t(op_t);
            first = Some((cur_name.clone(), orig_path, first_s));
        }
        encrypted += 1;
        s += 0.1 + ((idx * 37) % 13) as f64 * 0.011;
    }
    if let (Some(ld), NoteMode::After(nn)) = (last_dir, &k.note) {
        sc.create(s, ld, nn);
        s += 0.11;
        note_events += 1;
    }
    if let (Some(ld), NoteMode::TwoKinds(stem)) = (last_dir, &k.note) {
        sc.create(s, ld, &format!("{stem}.txt"));
        s += 0.11;
        note_events += 1;
    }
    let _ = note_events;
    let t_end = s;
    sc.coarse = None;
    // The payload's own Prefetch lists the files it opened.
    art.prefetch(
        &mut sc,
        &payload_path,
        &[t_start],
        &refs[..refs.len().min(60)],
        false,
    );
    if k.self_delete {
        let tmp = sc.dir(&format!(r"C:\Users\{v}\AppData\Local\Temp"));
        let c = sc.create(t_end + 1.5, tmp, "del_7f2a.cmd");
        sc.delete(t_end + 2.1, payload);
        sc.delete(t_end + 2.3, c);
        // Its MFT entry goes to the next new file.
        sc.create(t_end + 30.0, tmp, "chrome_installer.log");
    }
    // A backup run after the burst, if asked (negative minutes).
    churn(
        &mut sc,
        &v,
        t_end + 600.0,
        t_end + 0.5 * day,
        3600.0 / k.churn_scale as f64,
    );

    let mut db = sc.finish();
    art.write(&mut db);
    db.set_info("timezone.system", "Korea Standard Time")
        .unwrap();
    let (first_name, first_path, infection_s) = first.unwrap();
    let truth = Truth {
        first_name,
        first_path,
        infection_s,
        infecting_name: k.payload_name.clone(),
        infecting_path: payload_path,
        extension: suffix,
        note: notes_name,
        encrypted,
        download_url: k
            .tool_host_url
            .clone()
            .unwrap_or_else(|| k.tool_chain.last().cloned().unwrap_or_default()),
        downloaded_name: k.tool_name.clone(),
        executed_s: t_tool_run,
        style: match k.style {
            Style::CopyDelete | Style::ReplaceCopyDelete | Style::TempRenameDelete => "copy_delete",
            _ => "rename",
        },
        note_timing: match &k.note {
            NoteMode::Before(_) => Some("before"),
            NoteMode::After(_) | NoteMode::TwoKinds(_) => Some("after"),
            NoteMode::None => None,
        },
    };
    (db, truth)
}

/// Writes `n` journal rows of ordinary churn straight into the database
/// (USNs below the scene's, times over the first five days): temp files
/// created, written and deleted, logs overwritten, safe-save renames, new
/// downloads of the cache. For timing the detectors on big journals.
pub fn bulk_churn(db: &mut CaseDb, n: usize) {
    let mut batch: Vec<UsnRow> = Vec::with_capacity(SUGGESTED_BATCH);
    let span = 5.0 * 86_400.0;
    let mut i = 0usize;
    let mut usn = 0i64;
    let mut push = |batch: &mut Vec<UsnRow>, s: f64, entry: i64, name: String, reasons: i64| {
        let ext = name
            .rfind('.')
            .filter(|&i| i > 0)
            .map(|i| name[i..].to_lowercase());
        usn += 48;
        batch.push(UsnRow {
            source_id: Some(8),
            volume_id: Some(1),
            usn: Some(usn),
            time: Some(at(s)),
            entry: Some(entry),
            seq: Some(1 + (entry % 7)),
            parent_entry: Some(100 + entry % 50),
            parent_seq: Some(1),
            full_path: Some(format!(r"C:\ProgramData\Churn{}\{name}", entry % 50)),
            name: Some(name),
            extension: ext,
            reasons,
            reasons_text: Some(reasons_text(reasons)),
            attributes: Some(0x20),
            version: Some(2),
            offset: Some(usn),
            ..Default::default()
        });
    };
    while i < n {
        let s = span * i as f64 / n as f64;
        let e = 1_000_000 + (i as i64 % 400_000);
        let k = i % 5;
        let name = match k {
            0 => format!("cache_{i:08x}.tmp"),
            1 => format!("report_{}.docx", i % 997),
            2 => format!("data_{}.log", i % 13),
            3 => format!("~WRL{:04}.tmp", i % 9999),
            _ => format!("thumb_{}.db", i % 31),
        };
        match k {
            0 => {
                push(&mut batch, s, e, name.clone(), CREATE);
                push(&mut batch, s + 0.001, e, name.clone(), CREATE | EXTEND);
                push(
                    &mut batch,
                    s + 0.002,
                    e,
                    name.clone(),
                    CREATE | EXTEND | CLOSE,
                );
                push(&mut batch, s + 0.5, e, name, DELETE | CLOSE);
                i += 4;
            }
            1 | 3 => {
                push(&mut batch, s, e, name.clone(), OLD);
                push(&mut batch, s + 0.0001, e, format!("{name}.bak"), NEW);
                push(
                    &mut batch,
                    s + 0.0002,
                    e,
                    format!("{name}.bak"),
                    NEW | CLOSE,
                );
                i += 3;
            }
            _ => {
                push(&mut batch, s, e, name.clone(), OVERWRITE);
                push(&mut batch, s + 0.001, e, name, OVERWRITE | CLOSE);
                i += 2;
            }
        }
        if batch.len() >= SUGGESTED_BATCH {
            db.insert_usn(&batch).unwrap();
            batch.clear();
        }
    }
    db.insert_usn(&batch).unwrap();
}
