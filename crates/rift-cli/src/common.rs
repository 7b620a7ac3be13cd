//! Options and helpers shared by subcommands: opening an image and picking
//! the volume to work on, telling images from artifact files, output files,
//! time zones and progress display. Subcommands call these instead of
//! stacking readers themselves.
#![allow(dead_code)]

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rift_io::time::DisplayZone;
pub use rift_target::{Evidence, InputKind, NtfsVolume, VolumeSelect};

/// Volume selection flags for every command that reads NTFS from an image.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct VolumeArgs {
    /// Partition number as `rift info` lists it (default: the largest NTFS volume).
    #[arg(short = 'p', long = "partition", value_name = "N")]
    pub partition: Option<usize>,
    /// Byte offset of the NTFS volume inside the media (bare volumes, damaged tables).
    #[arg(long, value_name = "BYTES", conflicts_with = "partition")]
    pub offset: Option<u64>,
}

impl VolumeArgs {
    /// The selection these flags express.
    pub fn select(&self) -> VolumeSelect {
        match (self.partition, self.offset) {
            (Some(i), _) => VolumeSelect::Index(i),
            (None, Some(o)) => VolumeSelect::Offset(o),
            (None, None) => VolumeSelect::Largest,
        }
    }
}

/// Opens `image` and the NTFS volume the flags select.
pub fn open_ntfs(image: &Path, vol: &VolumeArgs) -> Result<(Evidence, NtfsVolume)> {
    let ev = Evidence::open(image).with_context(|| format!("opening image {}", image.display()))?;
    let v = ev.open_ntfs(vol.select())?;
    Ok((ev, v))
}

/// Opens `image` and every NTFS volume on it (largest first). Volumes that
/// fail to open are reported on stderr and skipped.
pub fn open_all_ntfs(image: &Path) -> Result<(Evidence, Vec<NtfsVolume>)> {
    let ev = Evidence::open(image).with_context(|| format!("opening image {}", image.display()))?;
    let (vols, errs) = ev.ntfs_volumes();
    for e in errs {
        eprintln!("rift: warning: {e}");
    }
    if vols.is_empty() {
        anyhow::bail!("{}: no readable NTFS volume", image.display());
    }
    Ok((ev, vols))
}

/// Whether a path is a folder, a disk image or a single artifact file.
pub fn input_kind(path: &Path) -> Result<InputKind> {
    Ok(rift_target::classify_input(path)?)
}

/// Parses a `--tz` value (`UTC`, `+09:00`, `Asia/Seoul`).
pub fn parse_tz(s: &str) -> std::result::Result<DisplayZone, String> {
    DisplayZone::parse(s)
}

/// Opens an output file, or stdout for `-`.
pub fn create_output(path: &Path) -> Result<Box<dyn Write>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufWriter::with_capacity(
            1 << 16,
            io::stdout().lock(),
        )));
    }
    Ok(Box::new(BufWriter::with_capacity(
        1 << 16,
        create_file(path)?,
    )))
}

/// Creates (truncates) an output file, and its folder when missing.
fn create_file(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    File::create(path).with_context(|| format!("creating {}", path.display()))
}

/// [`create_output`] with the writing itself on a background thread: the
/// caller formats into 1 MiB buffers and hands them over, so the page-cache
/// copies of a multi-gigabyte CSV overlap the parsing instead of adding to
/// it. `flush` waits until everything is written and reports the first
/// write error.
pub fn create_output_threaded(path: &Path) -> Result<Box<dyn Write>> {
    let inner: Box<dyn Write + Send> = if path.as_os_str() == "-" {
        Box::new(io::stdout())
    } else {
        Box::new(create_file(path)?)
    };
    Ok(Box::new(ThreadedWriter::new(inner)))
}

type WriterThread = std::thread::JoinHandle<(Box<dyn Write + Send>, io::Result<()>)>;

/// See [`create_output_threaded`].
struct ThreadedWriter {
    buf: Vec<u8>,
    tx: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    /// Emptied buffers coming back for reuse.
    back: Option<std::sync::mpsc::Receiver<Vec<u8>>>,
    thread: Option<WriterThread>,
    /// After a flush: the writer, written to directly.
    direct: Option<Box<dyn Write + Send>>,
}

const THREADED_BUF: usize = 1 << 20;

impl ThreadedWriter {
    fn new(mut inner: Box<dyn Write + Send>) -> Self {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
        let (back_tx, back) = std::sync::mpsc::sync_channel::<Vec<u8>>(4);
        let thread = std::thread::spawn(move || {
            let mut res = Ok(());
            for mut b in rx {
                if res.is_ok() {
                    res = inner.write_all(&b);
                }
                b.clear();
                let _ = back_tx.try_send(b);
            }
            if res.is_ok() {
                res = inner.flush();
            }
            (inner, res)
        });
        ThreadedWriter {
            buf: Vec::with_capacity(THREADED_BUF),
            tx: Some(tx),
            back: Some(back),
            thread: Some(thread),
            direct: None,
        }
    }

    fn hand_over(&mut self) -> io::Result<()> {
        let Some(tx) = &self.tx else { return Ok(()) };
        let fresh = self
            .back
            .as_ref()
            .and_then(|b| b.try_recv().ok())
            .unwrap_or_else(|| Vec::with_capacity(THREADED_BUF));
        let full = std::mem::replace(&mut self.buf, fresh);
        if tx.send(full).is_err() {
            // The thread only stops early by panicking.
            return Err(io::Error::other("output writer thread stopped"));
        }
        Ok(())
    }

    fn join(&mut self) -> io::Result<()> {
        self.tx = None;
        self.back = None;
        let Some(t) = self.thread.take() else {
            return Ok(());
        };
        let (inner, res) = t
            .join()
            .map_err(|_| io::Error::other("output writer thread panicked"))?;
        self.direct = Some(inner);
        res
    }
}

impl Write for ThreadedWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if let Some(d) = &mut self.direct {
            return d.write(data);
        }
        self.buf.extend_from_slice(data);
        if self.buf.len() >= THREADED_BUF {
            self.hand_over()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if let Some(d) = &mut self.direct {
            return d.flush();
        }
        if !self.buf.is_empty() {
            self.hand_over()?;
        }
        self.join()
    }
}

impl Drop for ThreadedWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

static EMBEDDED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Marks subcommands as running inside `analyze` (which re-runs some of
/// them in-process for its `csv/` folder): their status lines would cut
/// through its progress display, and the pipeline has already reported the
/// same files' problems, so [`status!`] stays silent meanwhile.
pub fn set_embedded(on: bool) {
    EMBEDDED.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// See [`set_embedded`].
pub fn embedded() -> bool {
    EMBEDDED.load(std::sync::atomic::Ordering::Relaxed)
}

/// `eprintln!` for a subcommand's status and per-file lines; silent while
/// the subcommand runs inside `analyze` ([`set_embedded`]).
macro_rules! status {
    ($($t:tt)*) => {
        if !$crate::common::embedded() {
            eprintln!($($t)*);
        }
    };
}
pub(crate) use status;

/// Refuses to write output inside the evidence's own folder tree when the
/// evidence is a folder (so exported artifacts never land next to them).
pub fn ensure_outside(output: &Path, evidence: &Path) -> Result<()> {
    let (Ok(o), Ok(e)) = (absolute(output), absolute(evidence)) else {
        return Ok(());
    };
    if e.is_dir() && o.starts_with(&e) {
        anyhow::bail!(
            "refusing to write {} inside the evidence folder {}",
            output.display(),
            evidence.display()
        );
    }
    Ok(())
}

fn absolute(p: &Path) -> io::Result<PathBuf> {
    if p.exists() {
        p.canonicalize()
    } else {
        let parent = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Ok(parent
            .canonicalize()?
            .join(p.file_name().unwrap_or_default()))
    }
}

/// Progress display for a long stage: a bar on a terminal, plain log lines
/// otherwise (at most one every few seconds), nothing with `--quiet`.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    quiet: bool,
    label: String,
    start: Instant,
    last_log: Instant,
    unit: &'static str,
}

impl Progress {
    /// A stage with `total` units (bytes when `unit == "bytes"`), or an
    /// unknown total when `None`.
    pub fn new(label: &str, total: Option<u64>, unit: &'static str, quiet: bool) -> Progress {
        let tty = io::stderr().is_terminal();
        let bar = (!quiet && tty).then(|| {
            let b = match total {
                Some(t) => indicatif::ProgressBar::new(t),
                None => indicatif::ProgressBar::new_spinner(),
            };
            let tmpl = if unit == "bytes" {
                "{prefix:>12} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}"
            } else if total.is_some() {
                "{prefix:>12} [{bar:30}] {pos}/{len} {per_sec} {msg}"
            } else {
                "{prefix:>12} {spinner} {pos} {per_sec} {msg}"
            };
            b.set_style(
                indicatif::ProgressStyle::with_template(tmpl)
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b.set_prefix(label.to_string());
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        if !quiet && !tty {
            eprintln!("rift: {label}: started");
        }
        Progress {
            bar,
            quiet,
            label: label.to_string(),
            start: Instant::now(),
            last_log: Instant::now(),
            unit,
        }
    }

    /// Advances by `n` units.
    pub fn inc(&mut self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }

    /// Sets the position.
    pub fn set(&mut self, pos: u64) {
        if let Some(b) = &self.bar {
            b.set_position(pos);
        } else if !self.quiet && self.last_log.elapsed() > Duration::from_secs(5) {
            self.last_log = Instant::now();
            eprintln!("rift: {}: {pos} {}", self.label, self.unit);
        }
    }

    /// A short status message next to the bar.
    pub fn message(&self, msg: &str) {
        if let Some(b) = &self.bar {
            b.set_message(msg.to_string());
        }
    }

    /// Ends the stage with a summary line.
    pub fn finish(self, summary: &str) {
        let secs = self.start.elapsed().as_secs_f64();
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        if !self.quiet {
            eprintln!("rift: {}: {summary} ({secs:.1} s)", self.label);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threaded_output_writes_everything_in_order_and_flush_waits() {
        let dir = std::env::temp_dir().join(format!("rift-threaded-{}", std::process::id()));
        let path = dir.join("sub").join("out.bin");
        let mut w = create_output_threaded(&path).unwrap();
        let mut expect = Vec::new();
        // Several buffers' worth, in odd-sized writes that straddle them.
        for i in 0..300_000u32 {
            let line = format!("{i},");
            w.write_all(line.as_bytes()).unwrap();
            expect.extend_from_slice(line.as_bytes());
        }
        w.flush().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), expect);
        // Writes after a flush still land (written directly).
        w.write_all(b"tail").unwrap();
        drop(w);
        expect.extend_from_slice(b"tail");
        assert_eq!(std::fs::read(&path).unwrap(), expect);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
