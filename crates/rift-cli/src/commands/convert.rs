//! `rift convert IMAGE -o OUT.raw`: write the whole media as a raw image
//! (`-o -` for stdout).
//!
//! The media is decoded with the same parallel pipeline as `verify`. When
//! the output is a regular file, all-zero 64 KiB blocks are skipped with a
//! seek instead of written, so unallocated space costs no disk (a sparse
//! file where the file system supports it); the file is then extended to
//! the exact media size. Bad EWF chunks are written as zeros, listed on
//! stderr, and make the exit code 1.

use std::fs::{File, OpenOptions};
use std::io::{self, IsTerminal, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use super::info::human;

/// Zero-detection granularity for sparse output.
const SPARSE_BLOCK: usize = 64 << 10;

/// Arguments of `rift convert`.
#[derive(clap::Args)]
pub struct Args {
    /// Disk image: E01 (first segment of a set), split raw, qcow2, VHD,
    /// VHDX, VMDK, raw.
    pub image: PathBuf,
    /// Output raw file, or `-` for stdout.
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Write every byte, even all-zero blocks (no sparse file).
    #[arg(long)]
    pub no_sparse: bool,
    /// Decoder threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// No progress display.
    #[arg(short, long)]
    pub quiet: bool,
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

fn is_zero(b: &[u8]) -> bool {
    // Branch-free OR fold: vectorises, and zero blocks are the common case.
    b.iter().fold(0u8, |a, x| a | x) == 0
}

/// Writes media blocks to a seekable file, seeking over zero blocks.
struct SparseWriter {
    file: File,
    pos: u64,
    sparse: bool,
}

impl SparseWriter {
    fn write_block(&mut self, offset: u64, block: &[u8]) -> io::Result<()> {
        if !self.sparse {
            return self.write_run(offset, block);
        }
        let mut run_start: Option<usize> = None;
        for (i, piece) in block.chunks(SPARSE_BLOCK).enumerate() {
            let at = i * SPARSE_BLOCK;
            if is_zero(piece) {
                if let Some(s) = run_start.take() {
                    self.write_run(offset + s as u64, &block[s..at])?;
                }
            } else if run_start.is_none() {
                run_start = Some(at);
            }
        }
        if let Some(s) = run_start {
            self.write_run(offset + s as u64, &block[s..])?;
        }
        Ok(())
    }

    fn write_run(&mut self, offset: u64, data: &[u8]) -> io::Result<()> {
        if self.pos != offset {
            self.file.seek(SeekFrom::Start(offset))?;
        }
        self.file.write_all(data)?;
        self.pos = offset + data.len() as u64;
        Ok(())
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let to_stdout = args.output.as_os_str() == "-";
    if to_stdout && io::stdout().is_terminal() {
        bail!("refusing to write a disk image to a terminal; redirect stdout or use -o FILE");
    }
    let img = rift_image::open(&args.image)
        .with_context(|| format!("opening image {}", args.image.display()))?;
    if !to_stdout {
        if img.info.files.iter().any(|f| same_file(f, &args.output)) {
            bail!(
                "refusing to overwrite the evidence: {} is part of the image",
                args.output.display()
            );
        }
        if args.output.exists() && !args.force {
            bail!(
                "{} exists; use --force to overwrite it",
                args.output.display()
            );
        }
    }

    let bar = (!args.quiet && io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(img.size);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "convert [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    });
    let start = Instant::now();
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    if to_stdout {
        let mut out = io::BufWriter::with_capacity(1 << 20, io::stdout().lock());
        img.stream(args.threads, |off, block| {
            out.write_all(&block)?;
            progress(off + block.len() as u64);
            Ok(())
        })
        .context("writing the media to stdout")?;
        out.flush().context("writing the media to stdout")?;
    } else {
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&args.output)
            .with_context(|| format!("creating {}", args.output.display()))?;
        let mut w = SparseWriter {
            file,
            pos: 0,
            sparse: !args.no_sparse,
        };
        img.stream(args.threads, |off, block| {
            w.write_block(off, &block)?;
            progress(off + block.len() as u64);
            Ok(())
        })
        .with_context(|| format!("writing {}", args.output.display()))?;
        w.file
            .set_len(img.size)
            .and_then(|()| w.file.sync_all())
            .with_context(|| format!("finishing {}", args.output.display()))?;
    }
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let secs = start.elapsed().as_secs_f64();
    let bad = img.bad_chunks();
    if !args.quiet {
        eprintln!(
            "rift: convert: wrote {} ({} bytes) of {} media in {secs:.1} s",
            human(img.size),
            img.size,
            img.format
        );
    }
    if !bad.is_empty() {
        eprintln!(
            "rift: convert: {} bad chunk(s) written as zeros:",
            bad.len()
        );
        for b in bad.iter().take(50) {
            eprintln!("  {b}");
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
