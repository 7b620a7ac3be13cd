//! `rift verify IMAGE [--json]`: recompute MD5 and SHA-1 of the media and
//! compare them with the hashes the acquisition tool stored.
//!
//! Exit codes: 0 every stored hash matches and no chunk is bad; 1 a
//! mismatch or bad chunks; 2 an error (unreadable image). For formats that
//! store no hash (raw, VM disks) the computed hashes are printed, and
//! `--md5`/`--sha1` compare against values from the acquisition notes.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::json;

use super::info::{hex, human};

/// Arguments of `rift verify`.
#[derive(clap::Args)]
pub struct Args {
    /// Disk image: E01 (first segment of a set), raw/dd, split raw, qcow2,
    /// VHD, VHDX, VMDK.
    pub image: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Expected MD5 (hex) to compare with, e.g. from acquisition notes;
    /// overrides the stored one.
    #[arg(long, value_name = "HEX")]
    pub md5: Option<String>,
    /// Expected SHA-1 (hex) to compare with; overrides the stored one.
    #[arg(long, value_name = "HEX")]
    pub sha1: Option<String>,
    /// Decoder threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
    /// No progress display.
    #[arg(short, long)]
    pub quiet: bool,
}

fn parse_hex(s: &str, len: usize, what: &str) -> Result<Vec<u8>> {
    let s = s.trim();
    if s.len() != len * 2 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        bail!("--{what} expects {} hex digits, got {s:?}", len * 2);
    }
    Ok((0..len)
        .map(|i| u8::from_str_radix(&s[i * 2..i * 2 + 2], 16).unwrap_or(0))
        .collect())
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let want_md5 = match &args.md5 {
        Some(s) => Some(parse_hex(s, 16, "md5")?),
        None => None,
    };
    let want_sha1 = match &args.sha1 {
        Some(s) => Some(parse_hex(s, 20, "sha1")?),
        None => None,
    };
    let img = rift_image::open(&args.image)
        .with_context(|| format!("opening image {}", args.image.display()))?;
    let stored_md5 = want_md5.or_else(|| img.info.stored_md5.map(|h| h.to_vec()));
    let stored_sha1 = want_sha1.or_else(|| img.info.stored_sha1.map(|h| h.to_vec()));

    let bar = (!args.quiet && std::io::stderr().is_terminal()).then(|| {
        let b = indicatif::ProgressBar::new(img.size);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "verify [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        b
    });
    let start = Instant::now();
    let hashes = rift_image::hash_media(&img, args.threads, &mut |done| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    })
    .with_context(|| format!("reading the media of {}", args.image.display()))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let secs = start.elapsed().as_secs_f64();
    let bad = img.bad_chunks();

    let cmp = |stored: &Option<Vec<u8>>, got: &[u8]| stored.as_ref().map(|s| s[..] == *got);
    let md5_ok = cmp(&stored_md5, &hashes.md5);
    let sha1_ok = cmp(&stored_sha1, &hashes.sha1);
    let mismatch = md5_ok == Some(false) || sha1_ok == Some(false);
    let result = if mismatch {
        "mismatch"
    } else if !bad.is_empty() {
        "bad_chunks"
    } else if md5_ok.is_none() && sha1_ok.is_none() {
        "no_stored_hash"
    } else {
        "verified"
    };

    if args.json {
        let v = json!({
            "image": args.image.display().to_string(),
            "format": img.format.name(),
            "bytes": hashes.bytes,
            "seconds": secs,
            "md5": {
                "computed": hex(&hashes.md5),
                "stored": stored_md5.as_ref().map(|h| hex(h)),
                "match": md5_ok,
            },
            "sha1": {
                "computed": hex(&hashes.sha1),
                "stored": stored_sha1.as_ref().map(|h| hex(h)),
                "match": sha1_ok,
            },
            "bad_chunks": bad.iter().map(|b| json!({
                "chunk": b.chunk,
                "chunks": b.chunks,
                "media_offset": b.media_offset,
                "length": b.len,
                "segment": b.segment,
                "segment_file": b.segment.and_then(|s| img.info.files.get(s as usize - 1)).map(|p| p.display().to_string()),
                "file_offset": b.file_offset,
                "stored_size": b.stored_size,
                "compressed": b.compressed,
                "reason": b.reason.to_string(),
            })).collect::<Vec<_>>(),
            "acquisition_errors": img.info.acquisition_errors.iter().map(|r| json!({
                "start_sector": r.start_sector, "sector_count": r.sector_count,
            })).collect::<Vec<_>>(),
            "result": result,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let line = |name: &str, got: &[u8], stored: &Option<Vec<u8>>, ok: Option<bool>| {
            let verdict = match ok {
                Some(true) => "match".to_owned(),
                Some(false) => format!(
                    "MISMATCH (stored {})",
                    hex(stored.as_deref().unwrap_or(&[]))
                ),
                None => "(no stored hash)".to_owned(),
            };
            println!("{name:<5} {}  {verdict}", hex(got));
        };
        println!(
            "{}: {} ({}), read in {secs:.1} s ({:.0} MB/s)",
            args.image.display(),
            img.format,
            human(hashes.bytes),
            hashes.bytes as f64 / secs.max(1e-9) / 1e6
        );
        line("MD5", &hashes.md5, &stored_md5, md5_ok);
        line("SHA1", &hashes.sha1, &stored_sha1, sha1_ok);
        if !img.info.acquisition_errors.is_empty() {
            println!(
                "Acquisition errors recorded in the image: {} range(s) (zero-filled by the acquisition tool)",
                img.info.acquisition_errors.len()
            );
            for r in &img.info.acquisition_errors {
                println!(
                    "  sectors {}–{} ({} sectors)",
                    r.start_sector,
                    r.start_sector + r.sector_count.saturating_sub(1),
                    r.sector_count
                );
            }
        }
        if !bad.is_empty() {
            println!(
                "Bad chunks: {} (read as zeros; {} record(s))",
                img.bad_chunk_count(),
                bad.len()
            );
            for b in bad.iter().take(50) {
                let file = b
                    .segment
                    .and_then(|s| img.info.files.get(s as usize - 1))
                    .map(|p| format!(" [{}]", p.display()))
                    .unwrap_or_default();
                println!("  {b}{file}");
            }
            if bad.len() > 50 {
                println!("  … {} more (use --json for all)", bad.len() - 50);
            }
        }
        println!(
            "Result: {}",
            match result {
                "verified" => "verified: computed hashes match the stored ones",
                "mismatch" => "FAILED: hash mismatch",
                "bad_chunks" => "FAILED: bad chunks (corrupt container data)",
                _ => "computed only: no stored hash to compare with (use --md5/--sha1)",
            }
        );
    }
    Ok(match result {
        "mismatch" | "bad_chunks" => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}
