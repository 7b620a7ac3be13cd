//! Per-artifact CSVs in the layouts analysts already load (EZ tools),
//! written while the parsers run so nothing is parsed twice:
//! `csv/<volume>_UsnJrnl_J.csv` (MFTECmd `$J`), `csv/EvtxECmd.csv`,
//! `csv/RECmd_Batch.csv`, `csv/AppCompatCache.csv`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The `csv/` folder of a case and its shared writers.
pub struct CsvOut {
    dir: PathBuf,
    evtx: Mutex<Option<rift_evtx::CsvWriter<BufWriter<File>>>>,
    registry: Mutex<Option<BufWriter<File>>>,
    shimcache: Mutex<Option<BufWriter<File>>>,
    errors: Mutex<Vec<String>>,
}

/// A file-name-safe label for a volume prefix (`C:` → `C`).
pub fn volume_label(drive: &str) -> String {
    let s: String = drive
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if s.is_empty() { "volume".into() } else { s }
}

impl CsvOut {
    /// Writers into `dir` (created by the caller).
    pub fn new(dir: &Path) -> CsvOut {
        CsvOut {
            dir: dir.to_path_buf(),
            evtx: Mutex::new(None),
            registry: Mutex::new(None),
            shimcache: Mutex::new(None),
            errors: Mutex::new(Vec::new()),
        }
    }

    fn err(&self, what: &str, e: std::io::Error) {
        if let Ok(mut v) = self.errors.lock() {
            v.push(format!("csv/{what}: {e}"));
        }
    }

    /// A new file in the folder.
    pub fn create(&self, name: &str) -> Option<BufWriter<File>> {
        match File::create(self.dir.join(name)) {
            Ok(f) => Some(BufWriter::with_capacity(1 << 16, f)),
            Err(e) => {
                self.err(name, e);
                None
            }
        }
    }

    /// A `$J` writer (MFTECmd layout) for one volume.
    pub fn usn(&self, drive: &str) -> Option<rift_usn::csv::CsvWriter<BufWriter<File>>> {
        let name = format!("{}_UsnJrnl_J.csv", volume_label(drive));
        let f = self.create(&name)?;
        match rift_usn::csv::CsvWriter::new(f, rift_usn::csv::Layout::MftEcmd) {
            Ok(w) => Some(w),
            Err(e) => {
                self.err(&name, e);
                None
            }
        }
    }

    /// Appends one event record to `EvtxECmd.csv`.
    pub fn evtx(&self, r: &rift_evtx::EventRecord) {
        let Ok(mut g) = self.evtx.lock() else { return };
        if g.is_none() {
            let Some(f) = self.create("EvtxECmd.csv") else {
                return;
            };
            match rift_evtx::CsvWriter::new(f) {
                Ok(w) => *g = Some(w),
                Err(e) => return self.err("EvtxECmd.csv", e),
            }
        }
        if let Some(w) = g.as_mut() {
            if let Err(e) = w.write(r) {
                self.err("EvtxECmd.csv", e);
            }
        }
    }

    /// Appends a hive's batch rows to `RECmd_Batch.csv`.
    pub fn registry(&self, rows: &[rift_hive::batch::BatchRow]) {
        let Ok(mut g) = self.registry.lock() else {
            return;
        };
        let first = g.is_none();
        if first {
            *g = self.create("RECmd_Batch.csv");
        }
        if let Some(w) = g.as_mut() {
            if let Err(e) = rift_hive::batch::write_csv(&mut *w, rows, first) {
                self.err("RECmd_Batch.csv", e);
            }
        }
    }

    /// Writes a SYSTEM hive's AppCompatCache entries.
    pub fn shimcache(&self, entries: &[&rift_hive::plugins::ShimCacheEntry], source: &str) {
        if entries.is_empty() {
            return;
        }
        let Ok(mut g) = self.shimcache.lock() else {
            return;
        };
        if g.is_some() {
            // A second SYSTEM hive (RegBack copy, other volume): own file.
            let name = format!("AppCompatCache_{}.csv", volume_label(source));
            if let Some(f) = self.create(&name) {
                if let Err(e) = rift_hive::plugins::shimcache::write_csv(f, entries, source) {
                    self.err(&name, e);
                }
            }
            return;
        }
        if let Some(f) = self.create("AppCompatCache.csv") {
            let mut f = f;
            if let Err(e) = rift_hive::plugins::shimcache::write_csv(&mut f, entries, source) {
                self.err("AppCompatCache.csv", e);
            }
            *g = Some(f);
        }
    }

    /// Flushes everything; returns the errors met.
    pub fn finish(&self) -> Vec<String> {
        if let Ok(mut g) = self.evtx.lock() {
            if let Some(w) = g.take() {
                if let Err(e) = w.finish().and_then(|mut f| f.flush()) {
                    self.err("EvtxECmd.csv", e);
                }
            }
        }
        for m in [&self.registry, &self.shimcache] {
            if let Ok(mut g) = m.lock() {
                if let Some(mut w) = g.take() {
                    if let Err(e) = w.flush() {
                        self.err("csv", e);
                    }
                }
            }
        }
        self.errors.lock().map(|v| v.clone()).unwrap_or_default()
    }
}
