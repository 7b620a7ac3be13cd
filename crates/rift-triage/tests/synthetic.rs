//! Detector tests on case databases built here from synthetic journal and
//! artifact rows. Each test states the story; the expected answers follow
//! from the rows written in the test.

use rift_io::time::DisplayZone;
use rift_testutil::TempDir;
use rift_timeline::*;
use rift_triage::Findings;

/// 2024-03-01T10:00:00Z = 1709287200 s.
const T0: i64 = 1_709_287_200;

fn at(s: f64) -> DbTime {
    let us = T0 * 1_000_000 + (s * 1_000_000.0).round() as i64;
    DbTime::from_timestamp(jiff::Timestamp::from_microsecond(us).unwrap())
}

const CREATE: i64 = 0x100;
const DELETE: i64 = 0x200;
const CLOSE: i64 = 0x8000_0000;
const EXTEND: i64 = 0x2;
const OVERWRITE: i64 = 0x1;
const OLD: i64 = 0x1000;
const NEW: i64 = 0x2000;

struct Case {
    db: CaseDb,
    usn: i64,
    rows: Vec<UsnRow>,
    next: i64,
    dirs: Vec<(i64, String)>,
}

impl Case {
    fn new() -> Case {
        Case {
            db: CaseDb::open_in_memory().unwrap(),
            usn: 1000,
            rows: Vec::new(),
            next: 1000,
            dirs: Vec::new(),
        }
    }
    /// A folder; returns its entry.
    fn dir(&mut self, path: &str) -> i64 {
        self.next += 1;
        self.dirs.push((self.next, path.to_string()));
        self.next
    }
    fn rec(&mut self, s: f64, entry: i64, seq: i64, dir: i64, name: &str, reasons: i64) {
        self.usn += 96;
        self.rows.push(UsnRow {
            usn: Some(self.usn),
            time: Some(at(s)),
            entry: Some(entry),
            seq: Some(seq),
            parent_entry: Some(dir),
            parent_seq: Some(1),
            name: Some(name.into()),
            reasons,
            attributes: Some(0x20),
            ..Default::default()
        });
    }
    /// A new file (create + write + close); returns its entry (seq 1).
    fn create(&mut self, s: f64, dir: i64, name: &str) -> i64 {
        self.next += 1;
        let e = self.next;
        self.rec(s, e, 1, dir, name, CREATE);
        self.rec(s + 0.01, e, 1, dir, name, CREATE | EXTEND);
        self.rec(s + 0.011, e, 1, dir, name, CREATE | EXTEND | CLOSE);
        e
    }
    fn delete(&mut self, s: f64, entry: i64, dir: i64, name: &str) {
        self.rec(s, entry, 1, dir, name, DELETE | CLOSE);
    }
    fn rename(&mut self, s: f64, entry: i64, dir: i64, old: &str, new: &str) {
        self.rec(s, entry, 1, dir, old, OLD);
        self.rec(s + 0.0001, entry, 1, dir, new, NEW);
        self.rec(s + 0.0002, entry, 1, dir, new, NEW | CLOSE);
    }
    fn overwrite(&mut self, s: f64, entry: i64, dir: i64, name: &str) {
        self.rec(s, entry, 1, dir, name, OVERWRITE);
        self.rec(s + 0.001, entry, 1, dir, name, OVERWRITE | CLOSE);
    }
    /// Background churn every case has: prefetch rewrites, browser
    /// journal files, Windows Update and temp files.
    fn churn(&mut self, from: f64, to: f64) {
        let pf = self.dir(r"C:\Windows\Prefetch");
        let prof = self.dir(r"C:\Users\alice\AppData\Local\Google\Chrome\User Data\Default");
        let wu = self.dir(r"C:\Windows\SoftwareDistribution\Download");
        let tmp = self.dir(r"C:\Users\alice\AppData\Local\Temp");
        let pfe = self.create(from - 86_400.0, pf, "CHROME.EXE-5A1054AF.pf");
        let mut s = from;
        let mut k = 0;
        while s < to {
            self.overwrite(s, pfe, pf, "CHROME.EXE-5A1054AF.pf");
            let j = self.create(s + 1.0, prof, "History-journal");
            self.delete(s + 1.2, j, prof, "History-journal");
            let c = self.create(s + 2.0, wu, &format!("kb{k}.cab"));
            if k % 2 == 0 {
                self.delete(s + 50.0, c, wu, &format!("kb{k}.cab"));
            }
            let t = self.create(s + 3.0, tmp, &format!("~DF{k:04X}.tmp"));
            self.delete(s + 4.0, t, tmp, &format!("~DF{k:04X}.tmp"));
            s += 600.0;
            k += 1;
        }
    }
    fn finish(mut self) -> CaseDb {
        let dirs: Vec<MftRow> = self
            .dirs
            .iter()
            .map(|(e, p)| MftRow {
                entry: *e,
                seq: Some(1),
                is_dir: Some(true),
                in_use: Some(true),
                full_path: Some(p.clone()),
                ..Default::default()
            })
            .collect();
        self.db.insert_mft(&dirs).unwrap();
        // A real journal is written in time order: renumber the USNs so.
        self.rows
            .sort_by(|a, b| (&a.time, a.usn).cmp(&(&b.time, b.usn)));
        for (i, r) in self.rows.iter_mut().enumerate() {
            r.usn = Some(1_000_000 + i as i64 * 96);
        }
        self.db.insert_usn(&self.rows).unwrap();
        self.db
    }
}

/// Files a user has; returns (dir, entry, name).
fn docs(c: &mut Case, dir: i64, names: &[&str], s: f64) -> Vec<(i64, i64, String)> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| (dir, c.create(s + i as f64, dir, n), n.to_string()))
        .collect()
}

const NAMES: &[&str] = &[
    "budget 2024.xlsx",
    "notes.docx",
    "plan.pptx",
    "photo1.jpg",
    "photo2.jpg",
    "scan.pdf",
    "memo.txt",
    "list.csv",
];

fn run(db: &CaseDb) -> Findings {
    rift_triage::analyze(db).unwrap()
}

#[test]
fn copy_delete_two_users_note_after() {
    let mut c = Case::new();
    c.churn(-7200.0, 3600.0);
    let a = c.dir(r"C:\Users\alice\Documents");
    let b = c.dir(r"C:\Users\bob\Desktop");
    let mut files = docs(&mut c, a, NAMES, -40_000.0);
    files.extend(docs(&mut c, b, NAMES, -39_000.0));
    // Encrypt: write <name>.locked, delete the original, 0.2 s per file;
    // the note goes into each folder after its files.
    let mut s = 100.0;
    for (i, (dir, entry, name)) in files.iter().enumerate() {
        c.create(s, *dir, &format!("{name}.locked"));
        c.delete(s + 0.05, *entry, *dir, name);
        s += 0.2;
        if i == NAMES.len() - 1 || i == files.len() - 1 {
            c.create(s, *dir, "HOW_TO_RESTORE.html");
            s += 0.1;
        }
    }
    let db = c.finish();
    let f = run(&db);
    let r = &f.ransomware;
    assert!(r.detected);
    assert_eq!(r.extension.as_deref(), Some(".locked"));
    assert_eq!(r.encrypted_count, 16);
    assert_eq!(r.folders, 2);
    assert_eq!(r.ransom_note.as_deref(), Some("HOW_TO_RESTORE.html"));
    assert_eq!(r.note_timing.as_deref(), Some("after"));
    assert_eq!(r.style.as_deref(), Some("copy_delete"));
    assert_eq!(r.users, vec!["alice".to_string(), "bob".to_string()]);
    let first = r.first_encrypted.as_ref().unwrap();
    assert_eq!(first.name, "budget 2024.xlsx");
    assert_eq!(
        first.path.as_deref(),
        Some(r"C:\Users\alice\Documents\budget 2024.xlsx")
    );
    // 10:01:40 UTC: the create record of the encrypted copy.
    assert_eq!(
        r.infection_time.as_deref(),
        Some("2024-03-01T10:01:40.000000Z")
    );
    let k = rift_triage::report::keeper(&f, &DisplayZone::parse("+09:00").unwrap());
    assert!(
        k.starts_with("KEEPER{budget_2024.xlsx_2024-03-01T19:01:40_"),
        "{k}"
    );
}

#[test]
fn rename_in_place_note_first() {
    let mut c = Case::new();
    c.churn(-3600.0, 3600.0);
    let a = c.dir(r"C:\Users\carol\Pictures");
    let b = c.dir(r"C:\Users\carol\Documents\Work");
    let c3 = c.dir(r"C:\Users\Public\Documents");
    let mut files = docs(&mut c, a, NAMES, -50_000.0);
    files.extend(docs(&mut c, b, NAMES, -49_000.0));
    files.extend(docs(&mut c, c3, &NAMES[..4], -48_000.0));
    // A user edited one file an hour before (must not count as the first
    // record of the encryption).
    let (d0, e0, n0) = files[0].clone();
    c.overwrite(-3600.0, e0, d0, &n0);
    // Note first in each folder, then overwrite + rename to <name>.cry
    // (random-looking extension), 0.3 s per file.
    let mut s = 200.0;
    let mut last_dir = -1;
    for (dir, entry, name) in &files {
        if *dir != last_dir {
            c.create(s, *dir, "!README!.txt");
            s += 0.1;
            last_dir = *dir;
        }
        c.overwrite(s, *entry, *dir, name);
        c.rename(s + 0.1, *entry, *dir, name, &format!("{name}.cry"));
        s += 0.3;
    }
    let db = c.finish();
    let f = run(&db);
    let r = &f.ransomware;
    assert!(r.detected);
    assert_eq!(r.extension.as_deref(), Some(".cry"));
    assert_eq!(r.encrypted_count, 20);
    assert_eq!(r.style.as_deref(), Some("rename"));
    assert_eq!(r.ransom_note.as_deref(), Some("!README!.txt"));
    assert_eq!(r.note_timing.as_deref(), Some("before"));
    assert_eq!(r.note_count, 3);
    let first = r.first_encrypted.as_ref().unwrap();
    assert_eq!(first.name, "budget 2024.xlsx");
    assert_eq!(
        first.path.as_deref(),
        Some(r"C:\Users\carol\Pictures\budget 2024.xlsx")
    );
    // First record of the operation = the overwrite at 200.1 s (the note
    // took 200.0), not the user's edit an hour earlier.
    assert_eq!(
        r.infection_time.as_deref(),
        Some("2024-03-01T10:03:20.100000Z")
    );
}

/// A payload that deletes itself: it survives only in the journal and its
/// Prefetch; a legitimate program ran shortly before too.
#[test]
fn self_deleting_payload_and_benign_program() {
    let mut c = Case::new();
    c.churn(-3600.0, 3600.0);
    let a = c.dir(r"C:\Users\dan\Documents");
    let b = c.dir(r"C:\Users\dan\Desktop");
    let roam = c.dir(r"C:\Users\dan\AppData\Roaming");
    let pf = c.dir(r"C:\Windows\Prefetch");
    let mut files = docs(&mut c, a, NAMES, -50_000.0);
    files.extend(docs(&mut c, b, NAMES, -49_000.0));
    let payload = c.create(-600.0, roam, "winupd.exe");
    c.create(10.0, pf, "WINUPD.EXE-1A2B3C4D.pf");
    let mut s = 5.0;
    for (dir, entry, name) in &files {
        c.create(s, *dir, &format!("{name}.enc"));
        c.delete(s + 0.02, *entry, *dir, name);
        s += 0.5;
    }
    c.delete(s + 2.0, payload, roam, "winupd.exe");
    let mut db = c.finish();
    let refs: Vec<String> = files
        .iter()
        .map(|(_, _, n)| {
            format!(
                r"\VOLUME{{01D9-1}}\USERS\DAN\DOCUMENTS\{}",
                n.to_uppercase()
            )
        })
        .chain([r"\VOLUME{01D9-1}\USERS\DAN\APPDATA\ROAMING\WINUPD.EXE".to_string()])
        .collect();
    db.insert_prefetch(&[
        PrefetchRow {
            pf_name: Some("WINUPD.EXE-1A2B3C4D.pf".into()),
            exe: Some("WINUPD.EXE".into()),
            run_count: Some(1),
            last_run: Some(at(0.0)),
            run_times: json_text(&[at(0.0).as_str()]),
            files: json_text(&refs),
            ..Default::default()
        },
        PrefetchRow {
            pf_name: Some("SEARCHPROTOCOLHOST.EXE-AAAA0000.pf".into()),
            exe: Some("SEARCHPROTOCOLHOST.EXE".into()),
            run_count: Some(300),
            last_run: Some(at(-2.0)),
            run_times: json_text(&[at(-2.0).as_str()]),
            files: json_text(&[r"\VOLUME{01D9-1}\WINDOWS\SYSTEM32\SEARCHPROTOCOLHOST.EXE"]),
            ..Default::default()
        },
    ])
    .unwrap();
    db.insert_bam(&[BamRow {
        path: Some(r"\Device\HarddiskVolume3\Program Files\Notepad++\notepad++.exe".into()),
        last_run: Some(at(-30.0)),
        ..Default::default()
    }])
    .unwrap();
    let f = run(&db);
    let r = &f.ransomware;
    assert!(r.detected);
    assert_eq!(r.extension.as_deref(), Some(".enc"));
    let inf = r.infecting_file.as_ref().unwrap();
    assert_eq!(inf.name, "winupd.exe");
    assert_eq!(
        inf.path.as_deref(),
        Some(r"C:\Users\dan\AppData\Roaming\winupd.exe")
    );
    assert!(
        r.evidence.iter().any(|e| e.text.contains("deleted")),
        "{:#?}",
        r.evidence
    );
}

#[test]
fn decoys_are_not_ransomware() {
    let mut c = Case::new();
    c.churn(-7200.0, 7200.0);
    let dirs: Vec<i64> = (0..4)
        .map(|i| c.dir(&format!(r"C:\Users\erin\Documents\P{i}")))
        .collect();
    let bak = c.dir(r"D:\Backup");
    let mut all = Vec::new();
    for (i, d) in dirs.iter().enumerate() {
        all.extend(docs(&mut c, *d, NAMES, -90_000.0 + i as f64 * 100.0));
    }
    // 1. A backup tool writes .bak copies next to every file and into a
    //    backup folder (originals stay).
    let mut s = 0.0;
    for (d, _, n) in &all {
        c.create(s, *d, &format!("{n}.bak"));
        c.create(s + 0.05, bak, &format!("{n}.bak"));
        s += 0.1;
    }
    // 2. A rotating backup: rename a -> a.old, write a new a.
    let mut s = 1000.0;
    for (d, e, n) in all.iter().take(12) {
        c.rename(s, *e, *d, n, &format!("{n}.old"));
        c.create(s + 0.5, *d, n);
        s += 1.0;
    }
    // 3. A user renames a few files.
    for (d, e, n) in all.iter().skip(20).take(4) {
        c.rename(s + 500.0, *e, *d, n, &format!("final_{n}"));
        s += 10.0;
    }
    // 4. Safe-save churn: x.tmp written, original deleted, x.tmp renamed back.
    for (d, e, n) in all.iter().skip(12).take(15) {
        let t = c.create(s + 2000.0, *d, &format!("{n}.tmp"));
        c.delete(s + 2000.1, *e, *d, n);
        c.rename(s + 2000.2, t, *d, &format!("{n}.tmp"), n);
        s += 1.0;
    }
    let db = c.finish();
    let f = run(&db);
    assert!(!f.ransomware.detected, "{:#?}", f.ransomware);
    assert!(
        f.findings.iter().all(|x| x.category != "ransomware"),
        "{:#?}",
        f.findings
    );
}

fn downloads_case() -> CaseDb {
    let mut c = Case::new();
    c.churn(-200_000.0, 3600.0);
    let dl = c.dir(r"C:\Users\fay\Downloads");
    let tmp = c.dir(r"C:\Users\fay\AppData\Local\Temp");
    let docs_dir = c.dir(r"C:\Users\fay\Documents");
    let files = docs(&mut c, docs_dir, NAMES, -300_000.0);
    let files2 = docs(
        &mut c,
        docs_dir,
        &["a.odt", "b.odt", "c.odt", "d.odt"],
        -300_000.0,
    );
    // Earlier benign downloads: a PDF (never run) and an installer run two days ago.
    let p = c.create(-180_000.0, dl, "Unconfirmed 1.crdownload");
    c.rename(
        -179_990.0,
        p,
        dl,
        "Unconfirmed 1.crdownload",
        "brochure.pdf",
    );
    let q = c.create(-170_000.0, dl, "Unconfirmed 2.crdownload");
    c.rename(
        -169_990.0,
        q,
        dl,
        "Unconfirmed 2.crdownload",
        "setup_viewer.exe",
    );
    // The attack: tool downloaded (redirect), run, drops the payload.
    let t = c.create(-900.0, dl, "Unconfirmed 3.crdownload");
    c.rename(
        -895.0,
        t,
        dl,
        "Unconfirmed 3.crdownload",
        "Fast Cleaner.exe",
    );
    c.create(-700.0, tmp, "svc_host.exe");
    let mut s = 0.0;
    for (d, e, n) in files.iter().chain(files2.iter()) {
        c.create(s, *d, &format!("{n}.xyz"));
        c.delete(s + 0.1, *e, *d, n);
        s += 0.3;
    }
    let mut db = c.finish();
    db.insert_browser_downloads(&[
        BrowserDownloadRow {
            browser: Some("chrome".into()),
            url: Some("https://example.org/brochure.pdf".into()),
            url_chain: json_text(&["https://example.org/brochure.pdf"]),
            target_path: Some(r"C:\Users\fay\Downloads\brochure.pdf".into()),
            start_time: Some(at(-180_000.0)),
            end_time: Some(at(-179_990.0)),
            ..Default::default()
        },
        BrowserDownloadRow {
            browser: Some("chrome".into()),
            url: Some("https://viewer.example.com/setup_viewer.exe".into()),
            url_chain: json_text(&["https://viewer.example.com/setup_viewer.exe"]),
            target_path: Some(r"C:\Users\fay\Downloads\setup_viewer.exe".into()),
            start_time: Some(at(-170_000.0)),
            end_time: Some(at(-169_990.0)),
            ..Default::default()
        },
        BrowserDownloadRow {
            browser: Some("chrome".into()),
            url: Some("https://short.example/x".into()),
            url_chain: json_text(&[
                "https://short.example/x",
                "https://cdn.bad.example/files/Fast%20Cleaner.exe",
            ]),
            referrer: Some("https://bad.example/cleaner".into()),
            target_path: Some(r"C:\Users\fay\Downloads\Fast Cleaner.exe".into()),
            start_time: Some(at(-900.0)),
            end_time: Some(at(-895.0)),
            ..Default::default()
        },
    ])
    .unwrap();
    db.insert_zone_identifiers(&[ZoneIdentifierRow {
        file_path: Some(r"C:\Users\fay\Downloads\Fast Cleaner.exe".into()),
        zone_id: Some(3),
        host_url: Some("https://cdn.bad.example/files/Fast%20Cleaner.exe".into()),
        ..Default::default()
    }])
    .unwrap();
    db.insert_prefetch(&[
        PrefetchRow {
            exe: Some("FAST CLEANER.EXE".into()),
            pf_name: Some("FAST CLEANER.EXE-11112222.pf".into()),
            last_run: Some(at(-800.0)),
            run_times: json_text(&[at(-800.0).as_str()]),
            ..Default::default()
        },
        PrefetchRow {
            exe: Some("SETUP_VIEWER.EXE".into()),
            pf_name: Some("SETUP_VIEWER.EXE-33334444.pf".into()),
            last_run: Some(at(-169_000.0)),
            run_times: json_text(&[at(-169_000.0).as_str()]),
            ..Default::default()
        },
        PrefetchRow {
            exe: Some("SVC_HOST.EXE".into()),
            pf_name: Some("SVC_HOST.EXE-55556666.pf".into()),
            last_run: Some(at(-3.0)),
            run_times: json_text(&[at(-3.0).as_str()]),
            ..Default::default()
        },
    ])
    .unwrap();
    db.insert_userassist(&[UserAssistRow {
        name: Some(r"{374DE290-123F-4565-9164-39C4925E467B}\Fast Cleaner.exe".into()),
        resolved_path: Some(r"C:\Users\fay\Downloads\Fast Cleaner.exe".into()),
        last_run: Some(at(-800.0)),
        run_count: Some(1),
        ..Default::default()
    }])
    .unwrap();
    db.insert_tasks(&[TaskRow {
        name: Some("UpdaterCore".into()),
        command: Some(r"C:\Users\fay\AppData\Local\Temp\svc_host.exe".into()),
        registered: Some(at(-690.0)),
        ..Default::default()
    }])
    .unwrap();
    db.insert_defender_settings(&[DefenderSettingRow {
        key_path: Some(r"Policies\Microsoft\Windows Defender".into()),
        value_name: Some("DisableAntiSpyware".into()),
        value_int: Some(1),
        is_policy: Some(true),
        key_last_write: Some(at(-780.0)),
        ..Default::default()
    }])
    .unwrap();
    db.insert_evtx(&[
        EvtxRow {
            channel: Some("Security".into()),
            provider: Some("Microsoft-Windows-Eventlog".into()),
            event_id: Some(1102),
            time: Some(at(900.0)),
            ..Default::default()
        },
        EvtxRow {
            channel: Some("Security".into()),
            provider: Some("Microsoft-Windows-Security-Auditing".into()),
            event_id: Some(4688),
            time: Some(at(-1.0)),
            executable_info: Some(r"vssadmin.exe Delete Shadows /All /Quiet".into()),
            payload: Some(r#"{"NewProcessName":"C:\\Windows\\System32\\vssadmin.exe"}"#.into()),
            ..Default::default()
        },
    ])
    .unwrap();
    db.set_info("image.path", "/evidence/disk.E01").unwrap();
    db.set_info("image.verified", "true").unwrap();
    db.set_info("timezone.system", "Korea Standard Time")
        .unwrap();
    db.build_timeline().unwrap();
    db
}

#[test]
fn initial_access_with_redirect_and_earlier_benign_downloads() {
    let db = downloads_case();
    let f = rift_triage::run_all(&db).unwrap();
    let r = &f.ransomware;
    assert!(r.detected);
    assert_eq!(r.infecting_file.as_ref().unwrap().name, "svc_host.exe");
    let i = &f.initial_access;
    assert!(i.detected, "{i:#?}");
    // The final hop of the redirect chain (= Zone.Identifier HostUrl).
    assert_eq!(
        i.download_url.as_deref(),
        Some("https://cdn.bad.example/files/Fast%20Cleaner.exe")
    );
    assert_eq!(i.url_chain.len(), 2);
    assert_eq!(i.zone_host_url, i.download_url);
    assert_eq!(i.downloaded_file.as_ref().unwrap().name, "Fast Cleaner.exe");
    assert_eq!(i.executed.as_deref(), Some("2024-03-01T09:46:40.000000Z"));
    assert!(
        i.dropped.iter().any(|d| d.name == "svc_host.exe"),
        "{:?}",
        i.dropped
    );
    let k = rift_triage::report::keeper(&f, &DisplayZone::default());
    assert_eq!(
        k.lines().nth(1),
        Some(
            "KEEPER{https://cdn.bad.example/files/Fast%20Cleaner.exe_fast_cleaner.exe_2024-03-01T09:46:40}"
        )
    );
    let detectors: Vec<&str> = f.findings.iter().map(|x| x.detector.as_str()).collect();
    for d in ["defender_disabled", "log_cleared", "shadow_copies_deleted"] {
        assert!(detectors.contains(&d), "{detectors:?}");
    }
    // Stored in the findings table and a timeline excerpt was taken.
    assert!(db.count("findings").unwrap() >= 5);
    assert!(
        f.timeline_excerpt
            .iter()
            .any(|e| e.message.contains("Fast Cleaner.exe"))
    );
    // findings.json round-trips and has the documented shape.
    let tmp = TempDir::new("rift-triage-json");
    rift_triage::write_reports(tmp.path(), &f, &DisplayZone::default()).unwrap();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("findings.json")).unwrap())
            .unwrap();
    assert_eq!(v["schema"], "rift.findings/1");
    assert_eq!(v["image"]["verified"], true);
    assert_eq!(v["timezone"]["system"], "Korea Standard Time");
    assert_eq!(v["ransomware"]["extension"], ".xyz");
    assert!(
        v["ransomware"]["first_encrypted"]["time"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(
        v["initial_access"]["downloaded_file"]["name"],
        "Fast Cleaner.exe"
    );
    assert_eq!(
        rift_triage::read_findings(&tmp.path().join("findings.json")).unwrap(),
        f
    );
}

#[test]
fn quiet_system_reports_nothing() {
    let mut c = Case::new();
    c.churn(-86_400.0, 86_400.0);
    let d = c.dir(r"C:\Users\gus\Documents");
    let files = docs(&mut c, d, NAMES, -100.0);
    // Ordinary edits.
    for (d, e, n) in &files {
        c.overwrite(500.0, *e, *d, n);
    }
    let db = c.finish();
    let f = run(&db);
    assert!(!f.ransomware.detected);
    assert!(!f.initial_access.detected);
    assert!(f.findings.is_empty(), "{:#?}", f.findings);
    let k = rift_triage::report::keeper(&f, &DisplayZone::default());
    assert_eq!(k, "KEEPER{__}\nKEEPER{__}\n");
}

#[test]
fn garbage_rows_do_not_panic() {
    // Hostile database content: NULLs, bad times, odd names, bad JSON.
    let mut db = CaseDb::open_in_memory().unwrap();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut rows = Vec::new();
    for i in 0..3000 {
        let r = next();
        rows.push(UsnRow {
            usn: Some((r % 1000) as i64),
            time: if r % 7 == 0 {
                None
            } else {
                Some(at((r % 5000) as f64 / 3.0))
            },
            entry: Some((r % 50) as i64),
            seq: Some((r % 3) as i64),
            parent_entry: Some((r % 5) as i64),
            name: Some(match r % 6 {
                0 => String::new(),
                1 => ".".into(),
                2 => format!("f{i}.x.y"),
                3 => format!("{}.lock", i % 40),
                4 => "\\/..\\".into(),
                _ => format!("{}", i % 40),
            }),
            reasons: (r >> 8) as i64 & 0xFFFF_FFFF,
            ..Default::default()
        });
    }
    db.insert_usn(&rows).unwrap();
    db.insert_prefetch(&[PrefetchRow {
        run_times: Some("not json".into()),
        files: Some("[1,2".into()),
        ..Default::default()
    }])
    .unwrap();
    db.insert_evtx(&[EvtxRow {
        event_id: Some(4688),
        provider: Some("Microsoft-Windows-Security-Auditing".into()),
        payload: Some("{".into()),
        time: Some(at(1.0)),
        ..Default::default()
    }])
    .unwrap();
    db.conn()
        .execute(
            "INSERT INTO usn (time, reasons, name) VALUES ('garbage', 256, 'x.lock')",
            [],
        )
        .unwrap();
    db.build_timeline().unwrap();
    let f = rift_triage::run_all(&db).unwrap();
    let tz = DisplayZone::default();
    let _ = rift_triage::report::html(&f, &tz);
    let _ = rift_triage::report::text(&f, &tz);
    let _ = rift_triage::report::markdown(&f, &tz);
}

/// report.html renders in headless Chromium: the DOM has the findings and
/// the timeline excerpt, and a screenshot is taken.
#[test]
fn html_report_renders_in_chromium() {
    rift_testutil::require_tool("chromium");
    let db = downloads_case();
    let f = rift_triage::run_all(&db).unwrap();
    let tmp = TempDir::new("rift-triage-html");
    let tz = DisplayZone::parse("+09:00").unwrap();
    rift_triage::write_reports(tmp.path(), &f, &tz).unwrap();
    let html_path = tmp.path().join("report.html");
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(!html.contains("http-equiv") && !html.contains("<script") && !html.contains("<link"));
    let url = format!("file://{}", html_path.display());
    let profile = tmp.path().join("profile");
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let ud = format!("--user-data-dir={}", profile.display());
    let out = std::process::Command::new("chromium")
        .args(common)
        .arg(&ud)
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("id=\"findings\""));
    assert!(dom.contains("id=\"finding-ransomware\""));
    assert!(dom.contains("id=\"finding-initial-access\""));
    assert!(dom.contains("Windows Defender disabled"));
    assert!(dom.contains("id=\"timeline-excerpt\""));
    // An excerpt row: the tool's download, shown in +09:00.
    assert!(
        dom.contains("2024-03-01T18:45:00.0000000+09:00"),
        "excerpt missing"
    );
    assert!(dom.contains("KEEPER{https://cdn.bad.example/files/Fast%20Cleaner.exe_fast_cleaner.exe_2024-03-01T18:46:40}"));
    let shot = tmp.path().join("report.png");
    let out = std::process::Command::new("chromium")
        .args(common)
        .arg(&ud)
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1280,2000")
        .arg(&url)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);
}

#[test]
fn defender_detections_are_reported_with_file_and_url() {
    // Defender quarantined a download (DetectionHistory) and logged 1116
    // for it; an unrelated 1116 from another provider must not count.
    let c = Case::new();
    let mut db = c.finish();
    db.insert(&[DefenderDetectionRow {
        threat_name: Some("Trojan:Win32/Example".into()),
        time: Some(at(10.0)),
        file_path: Some(r"C:\Users\gus\Downloads\tool.exe".into()),
        web_url: Some("https://example.invalid/tool.exe".into()),
        ..Default::default()
    }])
    .unwrap();
    db.insert(&[
        EvtxRow {
            event_id: Some(1116),
            provider: Some("Microsoft-Windows-Windows Defender".into()),
            time: Some(at(11.0)),
            payload_data1: Some("Threat: Trojan:Win32/Example".into()),
            payload_data3: Some(r"Path: file:_C:\Users\gus\Downloads\tool.exe".into()),
            ..Default::default()
        },
        EvtxRow {
            event_id: Some(1116),
            provider: Some("SomeOtherVendor".into()),
            time: Some(at(12.0)),
            ..Default::default()
        },
    ])
    .unwrap();
    let f = run(&db);
    let d: Vec<_> = f
        .findings
        .iter()
        .filter(|x| x.detector == "defender_detections")
        .collect();
    assert_eq!(d.len(), 1, "{:#?}", f.findings);
    assert_eq!(d[0].category, "malware");
    assert_eq!(d[0].evidence.len(), 2);
    assert!(d[0].evidence[0].text.contains("tool.exe"));
    assert!(
        d[0].evidence[0]
            .text
            .contains("https://example.invalid/tool.exe")
    );
    assert!(d[0].evidence[1].text.contains("1116"));
    assert!(
        d[0].evidence[1]
            .text
            .contains(r"file:_C:\Users\gus\Downloads\tool.exe")
    );
}
