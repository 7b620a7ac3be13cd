//! `rift analyze`: every parser over an image, into one case database,
//! then the super-timeline, the detectors and the reports.
//!
//! Stages (each reports progress through [`Reporter`]):
//!
//! 1. image hashes verified against the stored ones (on its own thread,
//!    while parsing goes on);
//! 2. per NTFS volume: one pass over `$MFT` (file rows, `Zone.Identifier`
//!    streams, the list of artifact files), then in parallel `$UsnJrnl:$J`,
//!    `$LogFile` and every artifact file (hives with their logs replayed,
//!    event logs, prefetch, browser databases, LNK, jump lists, Recycle
//!    Bin, tasks) — all read in place from the image, nothing exported;
//! 3. samples of the files the detectors ask about (entropy, note text);
//! 4. the unified `timeline` table, the detectors (`rift-triage`) and the
//!    outputs: `timeline.csv`, `timeline.jsonl`, `csv/`, `findings.json`,
//!    `report.md`, `report.html`.
//!
//! Rows go to the database through one writer thread ([`writer`]); parsers
//! never wait for SQLite.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rift_io::time::DisplayZone;
use rift_timeline::{CaseDb, FileSampleRow, VolumeRow};

use crate::{Error, Evidence, NtfsVolume, Result};

mod artifacts;
pub mod csvout;
pub mod ntfs;
pub mod writer;

/// Where progress goes. The CLI draws bars on a terminal and log lines
/// otherwise; tests collect the lines.
pub trait Reporter: Sync {
    /// A stage begins; `total` in `unit`s when known.
    fn stage_start(&self, stage: &str, total: Option<u64>, unit: &'static str);
    /// Units done so far.
    fn stage_progress(&self, stage: &str, done: u64);
    /// A stage ended.
    fn stage_end(&self, stage: &str, summary: &str);
    /// Something the analyst should know (damaged data, skipped files).
    fn warn(&self, msg: &str);
    /// A neutral remark (an artifact that is not present).
    fn note(&self, msg: &str) {
        let _ = msg;
    }
}

/// A reporter that prints nothing.
pub struct Silent;

impl Reporter for Silent {
    fn stage_start(&self, _: &str, _: Option<u64>, _: &'static str) {}
    fn stage_progress(&self, _: &str, _: u64) {}
    fn stage_end(&self, _: &str, _: &str) {}
    fn warn(&self, _: &str) {}
}

/// Options of [`analyze`].
#[derive(Debug, Clone)]
pub struct Options {
    /// Worker threads for parsing (0 = all cores).
    pub jobs: usize,
    /// Recompute the media hashes and compare with the stored ones.
    pub verify: bool,
    /// Display zone of the reports and CSV text columns.
    pub tz: DisplayZone,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            jobs: 0,
            verify: true,
            tz: DisplayZone::default(),
        }
    }
}

/// What [`analyze`] produced.
#[derive(Debug)]
pub struct Summary {
    /// The case folder.
    pub case_dir: PathBuf,
    /// Rows per table.
    pub counts: Vec<(String, i64)>,
    /// Timeline events.
    pub timeline_events: u64,
    /// The findings.
    pub findings: rift_triage::Findings,
    /// Warnings collected on the way.
    pub warnings: Vec<String>,
    /// Whether the image verified (None: not checked or nothing stored).
    pub verified: Option<bool>,
}

/// One NTFS volume being analysed.
pub struct VolumeCtx {
    /// The volume.
    pub vol: NtfsVolume,
    /// Its `volumes` row id.
    pub volume_id: i64,
    /// Path prefix for this volume (`C:`, or `\\?\Partition0` when no
    /// drive letter is known).
    pub drive: String,
    /// The case's `csv/` writers.
    pub csv: std::sync::Arc<csvout::CsvOut>,
}

struct Collect<'a> {
    inner: &'a dyn Reporter,
    warnings: Mutex<Vec<String>>,
}

impl Reporter for Collect<'_> {
    fn stage_start(&self, s: &str, t: Option<u64>, u: &'static str) {
        self.inner.stage_start(s, t, u)
    }
    fn stage_progress(&self, s: &str, d: u64) {
        self.inner.stage_progress(s, d)
    }
    fn stage_end(&self, s: &str, m: &str) {
        self.inner.stage_end(s, m)
    }
    fn warn(&self, m: &str) {
        if let Ok(mut w) = self.warnings.lock() {
            w.push(m.to_string());
        }
        self.inner.warn(m)
    }
    fn note(&self, m: &str) {
        self.inner.note(m)
    }
}

/// Largest prefix of a file read for a sample (entropy, note text).
const SAMPLE_BYTES: u64 = 64 << 10;

/// Runs the whole analysis of `ev` into `case_dir` (which must not hold a
/// case yet; the caller decides about `--force`).
pub fn analyze(
    ev: &Evidence,
    case_dir: &Path,
    opts: &Options,
    rep: &dyn Reporter,
) -> Result<Summary> {
    let rep = Collect {
        inner: rep,
        warnings: Mutex::new(Vec::new()),
    };
    std::fs::create_dir_all(case_dir.join("csv")).map_err(|source| Error::Io {
        path: case_dir.to_path_buf(),
        source,
    })?;
    let db = CaseDb::create(case_dir.join("case.sqlite")).map_err(db_err)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.jobs)
        .thread_name(|i| format!("rift-parse-{i}"))
        .build()
        .map_err(|e| Error::NoVolume(format!("thread pool: {e}")))?;
    let (w, handle) = writer::start(db);
    let csv = std::sync::Arc::new(csvout::CsvOut::new(&case_dir.join("csv")));
    case_info(ev, opts, &w);

    std::thread::scope(|ts| -> Result<Summary> {
        let w = w; // owned here so it can be dropped before the writer is joined
        // Image verification runs beside everything else, on its own thread,
        // and is only waited for right before the findings (which report it).
        // Only a container that stores hashes (EWF) can be verified; hashing
        // a raw or VM disk here would cost a full read (64 GiB of zeros for
        // a sparse qcow2) for nothing to compare with — `rift verify` does it
        // on request.
        let stored = ev.image.info.stored_md5.is_some() || ev.image.info.stored_sha1.is_some();
        if opts.verify && !stored {
            rep.note("image stores no hash: nothing to verify (run `rift verify` to compute one)");
        }
        let vh = (opts.verify && stored).then(|| {
            let rep = &rep;
            ts.spawn(move || verify(ev, rep))
        });
        let (vols, errs) = ev.ntfs_volumes();
        for e in errs {
            rep.warn(&e.to_string());
        }
        if vols.is_empty() {
            rep.warn("no readable NTFS volume on the image");
        }
        // One pass over each $MFT first: the journals and artifacts need
        // its names and its list of files.
        let mut prepared = Vec::new();
        for (i, vol) in vols.into_iter().enumerate() {
            let Some(ctx) = volume_ctx(vol, i, &w, &rep, &csv) else {
                continue;
            };
            let (cands, names) = ntfs::walk_mft(&ctx, &w, &rep);
            prepared.push((ctx, cands, names));
        }
        pool.install(|| {
            rayon::scope(|s| {
                for (ctx, cands, names) in &prepared {
                    let (wu, wl) = (w.clone(), w.clone());
                    let rep = &rep;
                    s.spawn(move |_| ntfs::usn(ctx, names, &wu, rep));
                    s.spawn(move |_| ntfs::logfile(ctx, names, &wl, rep));
                    artifacts::parse_all(s, ctx, cands, &w, rep);
                }
            })
        });
        drop(prepared);
        drop(w);
        for e in csv.finish() {
            rep.warn(&e);
        }
        let fin = handle
            .join()
            .map_err(|_| Error::NoVolume("case database writer panicked".into()))?;
        for e in &fin.errors {
            rep.warn(&format!("case database: {e}"));
        }
        let mut db = fin.db;

        // Samples of the files the detectors want (ransom notes, encrypted files).
        samples(ev, &mut db, &rep);

        rep.stage_start("timeline", None, "events");
        let events = db.build_timeline().map_err(db_err)?;
        rep.stage_end("timeline", &format!("{events} events"));
        // Indexes first: the detectors and the exports walk them.
        db.finish().map_err(db_err)?;
        export_timeline(&db, case_dir, opts, &rep)?;

        let verified = match vh {
            Some(h) => {
                let (ok, kv) = h.join().unwrap_or((Some(false), Vec::new()));
                for (k, v) in &kv {
                    db.set_info(k, v).map_err(db_err)?;
                }
                ok
            }
            None => None,
        };
        rep.stage_start("findings", None, "detectors");
        let findings =
            rift_triage::run_all(&db).map_err(|e| Error::NoVolume(format!("detectors: {e}")))?;
        rep.stage_end("findings", &format!("{} findings", findings.findings.len()));
        rift_triage::write_reports(case_dir, &findings, &opts.tz)
            .map_err(|e| Error::NoVolume(format!("reports: {e}")))?;

        let mut counts = Vec::new();
        for t in rift_timeline::TABLES {
            if let Ok(n) = db.count(t) {
                if n > 0 {
                    counts.push((t.to_string(), n));
                }
            }
        }
        let warnings = rep.warnings.lock().map(|w| w.clone()).unwrap_or_default();
        Ok(Summary {
            case_dir: case_dir.to_path_buf(),
            counts,
            timeline_events: events,
            findings,
            warnings,
            verified,
        })
    })
}

fn volume_ctx(
    vol: NtfsVolume,
    i: usize,
    w: &writer::Writer,
    rep: &dyn Reporter,
    csv: &std::sync::Arc<csvout::CsvOut>,
) -> Option<VolumeCtx> {
    // The volume that holds Windows is C: (the letter Windows gives its own
    // volume); others are named by partition number.
    let is_system = vol
        .ntfs
        .find("Windows\\System32\\config")
        .ok()
        .flatten()
        .is_some();
    let drive = if is_system && i == 0 {
        "C:".to_string()
    } else {
        format!("\\\\?\\Partition{}", vol.partition.unwrap_or(i))
    };
    let vrow = VolumeRow {
        partition_index: vol.partition.map(|p| p as i64),
        offset: Some(vol.start as i64),
        size: Some(vol.len as i64),
        fs_type: Some("NTFS".into()),
        label: None,
        serial: Some(format!("{:016X}", vol.ntfs.boot_sector().serial_number)),
        cluster_size: Some(vol.ntfs.cluster_size() as i64),
        drive_letter: (drive == "C:").then(|| drive.clone()),
        description: Some(format!("{} MFT records", vol.ntfs.mft_record_count())),
    };
    match w.call(move |db| db.insert_volume(&vrow)) {
        Ok(volume_id) => Some(VolumeCtx {
            vol,
            volume_id,
            drive,
            csv: csv.clone(),
        }),
        Err(e) => {
            rep.warn(&format!("volume row: {e}"));
            None
        }
    }
}

fn db_err(e: rift_timeline::Error) -> Error {
    Error::NoVolume(format!("case database: {e}"))
}

fn case_info(ev: &Evidence, opts: &Options, w: &writer::Writer) {
    let img = &ev.image;
    let mut kv: Vec<(String, String)> = vec![
        ("image.path".into(), ev.path.display().to_string()),
        ("image.format".into(), img.format.name().to_string()),
        ("image.size".into(), img.size.to_string()),
        ("image.sector_size".into(), img.sector_size.to_string()),
        (
            "image.partition_scheme".into(),
            ev.volumes.scheme.to_string(),
        ),
        ("timezone.display".into(), opts.tz.label().to_string()),
        ("rift.version".into(), env!("CARGO_PKG_VERSION").to_string()),
        (
            "case.created".into(),
            rift_io::time::format_iso_utc(jiff::Timestamp::now()),
        ),
    ];
    if let Some(md5) = img.info.stored_md5 {
        kv.push(("image.stored_md5".into(), hex(&md5)));
    }
    if let Some(sha1) = img.info.stored_sha1 {
        kv.push(("image.stored_sha1".into(), hex(&sha1)));
    }
    if let Some(e) = &img.info.ewf {
        let h = &e.metadata;
        for (k, v) in [
            ("image.case_number", &h.case_number),
            ("image.evidence_number", &h.evidence_number),
            ("image.examiner", &h.examiner),
            ("image.description", &h.description),
        ] {
            if let Some(v) = v {
                kv.push((k.into(), v.clone()));
            }
        }
    }
    if !opts.verify {
        kv.push(("image.verified".into(), "not checked".into()));
    } else if img.info.stored_md5.is_none() && img.info.stored_sha1.is_none() {
        kv.push(("image.verified".into(), "no stored hash".into()));
    }
    w.with_db(move |db| {
        for (k, v) in &kv {
            db.set_info(k, v)?;
        }
        Ok(())
    });
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Recomputes the media hashes; returns the verdict and the `case_info`
/// pairs to record.
fn verify(ev: &Evidence, rep: &dyn Reporter) -> (Option<bool>, Vec<(String, String)>) {
    let img = &ev.image;
    rep.stage_start("verify", Some(img.size), "bytes");
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let res = rift_image::hash_media(img, threads, &mut |done| rep.stage_progress("verify", done));
    let (msg, ok, kv) = match res {
        Ok(h) => {
            let md5 = hex(&h.md5);
            let sha1 = hex(&h.sha1);
            let md5_ok = img.info.stored_md5.map(|s| s == h.md5);
            let sha1_ok = img.info.stored_sha1.map(|s| s == h.sha1);
            let bad = img.bad_chunks().len();
            let ok = match (md5_ok, sha1_ok) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(true) && b.unwrap_or(true) && bad == 0),
            };
            let verdict = match ok {
                Some(true) => "verified: computed hashes match the stored ones".to_string(),
                Some(false) => format!("MISMATCH or bad chunks ({bad}): the image does not verify"),
                None => "no stored hash to compare with".to_string(),
            };
            if ok == Some(false) {
                rep.warn(&format!("image {verdict}"));
            }
            (
                format!("md5 {md5} sha1 {sha1}; {verdict}"),
                ok,
                vec![
                    ("image.md5".to_string(), md5),
                    ("image.sha1".to_string(), sha1),
                    (
                        "image.verified".to_string(),
                        ok.map_or("no stored hash".to_string(), |b| b.to_string()),
                    ),
                    ("image.bad_chunks".to_string(), bad.to_string()),
                ],
            )
        }
        Err(e) => {
            rep.warn(&format!("image verification failed: {e}"));
            (
                format!("failed: {e}"),
                Some(false),
                vec![("image.verified".to_string(), "false".to_string())],
            )
        }
    };
    rep.stage_end("verify", &msg);
    (ok, kv)
}

fn samples(ev: &Evidence, db: &mut CaseDb, rep: &dyn Reporter) {
    let want = match rift_triage::files_of_interest(db) {
        Ok(w) => w,
        Err(e) => {
            rep.warn(&format!("choosing files to sample: {e}"));
            return;
        }
    };
    if want.is_empty() {
        return;
    }
    // volume id -> opened volume (same order as the analysis).
    let (vols, _) = ev.ntfs_volumes();
    let vol_ids: Vec<(i64, i64)> = db
        .conn()
        .prepare("SELECT id, offset FROM volumes")
        .and_then(|mut st| {
            st.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<i64>>(1)?.unwrap_or(-1),
                ))
            })?
            .collect()
        })
        .unwrap_or_default();
    let mut rows = Vec::new();
    for f in want {
        let Some(vol) = vol_ids
            .iter()
            .find(|(id, _)| *id == f.volume_id)
            .and_then(|(_, off)| vols.iter().find(|v| v.start as i64 == *off))
        else {
            continue;
        };
        let ntfs = &vol.ntfs;
        let entry = match f.entry {
            Some(n) => ntfs
                .entry(n as u64)
                .ok()
                .filter(|e| f.seq.is_none_or(|s| i64::from(e.sequence()) == s)),
            None => None,
        };
        let entry = entry.or_else(|| {
            let rel = f.path.split_once('\\').map(|(_, r)| r).unwrap_or(&f.path);
            ntfs.find(rel).ok().flatten()
        });
        let Some(e) = entry else { continue };
        let Ok(stream) = ntfs.open_stream(&e, None) else {
            continue;
        };
        let n = stream.size().min(SAMPLE_BYTES) as usize;
        let mut buf = vec![0u8; n];
        let got = rift_io::ReadAt::read_at(&stream, 0, &mut buf).unwrap_or(0);
        buf.truncate(got);
        rows.push(FileSampleRow {
            volume_id: Some(f.volume_id),
            path: Some(f.path.clone()),
            entry: Some(e.number as i64),
            seq: Some(i64::from(e.sequence())),
            size: Some(stream.size() as i64),
            sampled: Some(buf.len() as i64),
            entropy: Some(rift_timeline::sample::entropy(&buf)),
            text: rift_timeline::sample::text_preview(&buf),
            sha256: None,
        });
    }
    if let Err(e) = db.insert(&rows) {
        rep.warn(&format!("file samples: {e}"));
    }
}

fn export_timeline(db: &CaseDb, dir: &Path, opts: &Options, rep: &dyn Reporter) -> Result<()> {
    let io = |path: &Path, source: std::io::Error| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    rep.stage_start("exports", None, "files");
    let p = dir.join("timeline.csv");
    let f = std::fs::File::create(&p).map_err(|e| io(&p, e))?;
    let n = rift_timeline::export_csv(db, std::io::BufWriter::new(f), &opts.tz).map_err(db_err)?;
    let p = dir.join("timeline.jsonl");
    let f = std::fs::File::create(&p).map_err(|e| io(&p, e))?;
    rift_timeline::export_jsonl(db, std::io::BufWriter::new(f)).map_err(db_err)?;
    let p = dir.join("csv").join("bodyfile.txt");
    let f = std::fs::File::create(&p).map_err(|e| io(&p, e))?;
    rift_timeline::export_bodyfile(db, std::io::BufWriter::new(f)).map_err(db_err)?;
    rep.stage_end(
        "exports",
        &format!("timeline.csv ({n} rows), timeline.jsonl, csv/bodyfile.txt"),
    );
    Ok(())
}
