//! `rift info IMAGE [--json]`: what the container says about the evidence
//! (format, files, case metadata, media geometry, stored hashes,
//! acquisition errors, warnings) and the partitions found on the media.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use rift_image::{Image, ImageFormat};
use serde_json::{Value, json};

/// Arguments of `rift info`.
#[derive(clap::Args)]
pub struct Args {
    /// Disk image: E01 (first segment of a set), raw/dd, split raw (.001),
    /// qcow2, VHD, VHDX, VMDK. The format is detected from the content.
    pub image: PathBuf,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let img = rift_image::open(&args.image)
        .with_context(|| format!("opening image {}", args.image.display()))?;
    let volumes = rift_volume::scan(img.reader.as_ref(), img.sector_size);
    if args.json {
        let v = to_json(&img, &volumes);
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_text(&img, &volumes);
    }
    Ok(ExitCode::SUCCESS)
}

/// `1.5 GiB`-style size.
pub(crate) fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

fn file_names(files: &[PathBuf]) -> String {
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| f.display().to_string())
        })
        .collect();
    if names.len() > 6 {
        format!(
            "{} … {} ({} files)",
            names[..3].join(", "),
            names[names.len() - 1],
            names.len()
        )
    } else {
        names.join(", ")
    }
}

fn print_text(img: &Image, volumes: &rift_volume::Result<rift_volume::VolumeSystem>) {
    let row = |k: &str, v: &dyn std::fmt::Display| println!("  {k:<20}{v}");
    println!("Image");
    row("Path:", &img.info.path.display());
    let mut format = img.format.to_string();
    if let Some(e) = &img.info.ewf {
        format = format!("{format}, {} layout", e.format_guess);
    }
    if let Some(v) = &img.info.vdisk {
        format = format!("{format} ({})", v.format);
    }
    row("Format:", &format);
    row("Files:", &file_names(&img.info.files));
    row(
        "Media size:",
        &format!(
            "{} bytes ({}), {} sectors of {} bytes",
            img.size,
            human(img.size),
            img.size / u64::from(img.sector_size.max(1)),
            img.sector_size
        ),
    );

    if let Some(e) = &img.info.ewf {
        let m = &e.metadata;
        println!("\nCase metadata ({})", m.sources.join(", "));
        let opt = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                row(k, v);
            }
        };
        opt("Case number:", &m.case_number);
        opt("Evidence number:", &m.evidence_number);
        opt("Examiner:", &m.examiner);
        opt("Description:", &m.description);
        opt("Notes:", &m.notes);
        if let Some(d) = &m.acquisition_date {
            row("Acquisition date:", d);
        }
        if let Some(d) = &m.system_date {
            row("System date:", d);
        }
        opt("Acquisition OS:", &m.acquisition_os);
        opt("Software:", &m.software);
        opt("Software version:", &m.software_version);
        opt("Media model:", &m.model);
        opt("Serial number:", &m.serial_number);
        opt("Device label:", &m.device_label);
        if m.password_hash.as_deref().is_some_and(|p| p != "0") {
            row("Password hash:", &"set (the image is NOT encrypted by it)");
        }

        let md = &e.media;
        println!("\nEWF media");
        let physical = if md.media_flags & 0x02 != 0 {
            ", physical device"
        } else {
            ""
        };
        row(
            "Media type:",
            &format!(
                "{}{physical} (0x{:02x})",
                md.media_type_name(),
                md.media_type
            ),
        );
        row(
            "Chunk size:",
            &format!(
                "{} bytes ({} sectors), {} chunks",
                md.chunk_size(),
                md.sectors_per_chunk,
                md.chunk_count
            ),
        );
        if let Some(c) = md.compression_level {
            let name = match c {
                0 => "none",
                1 => "fast",
                2 => "best",
                _ => "unknown",
            };
            row("Compression:", &format!("{name} ({c})"));
        }
        if let Some(g) = md.error_granularity {
            row("Error granularity:", &format!("{g} sectors"));
        }
        if let Some(id) = md.set_identifier.filter(|id| *id != [0; 16]) {
            row("Set identifier:", &hex(&id));
        }
    }
    if let Some(v) = &img.info.vdisk {
        println!("\nVirtual disk");
        row("Variant:", &v.format);
        row("Virtual size:", &format!("{} bytes", v.virtual_size));
        if let Some(b) = v.block_size {
            row("Block size:", &format!("{b} bytes"));
        }
        if !v.extents.is_empty() {
            row("Extents:", &v.extents.join(", "));
        }
    }

    println!("\nStored hashes");
    match (&img.info.stored_md5, &img.info.stored_sha1) {
        (None, None) => {
            let why = if img.format == ImageFormat::Ewf {
                "none stored in the image"
            } else {
                "none (the format stores no hashes)"
            };
            row("", &why);
        }
        (md5, sha1) => {
            if let Some(h) = md5 {
                row("MD5:", &hex(h));
            }
            if let Some(h) = sha1 {
                row("SHA1:", &hex(h));
            }
        }
    }

    if img.format == ImageFormat::Ewf {
        let errs = &img.info.acquisition_errors;
        println!("\nAcquisition errors: {}", errs.len());
        for r in errs {
            println!(
                "  sectors {}–{} ({} sectors)",
                r.start_sector,
                r.start_sector + r.sector_count.saturating_sub(1),
                r.sector_count
            );
        }
    }
    if !img.info.warnings.is_empty() {
        println!("\nContainer warnings: {}", img.info.warnings.len());
        for w in &img.info.warnings {
            println!("  {w}");
        }
    }

    println!();
    match volumes {
        Err(e) => println!("Partitions: unavailable ({e})"),
        Ok(vs) => {
            println!(
                "Partitions ({} scheme, {} bytes per sector)",
                vs.scheme, vs.sector_size
            );
            println!(
                "  {:>3}  {:>12}  {:>12}  {:>10}  {:<28}  Filesystem",
                "#", "Start sector", "Sectors", "Size", "Type"
            );
            let ss = u64::from(vs.sector_size.max(1));
            for p in &vs.partitions {
                println!(
                    "  {:>3}  {:>12}  {:>12}  {:>10}  {:<28}  {}{}",
                    p.index,
                    p.start / ss,
                    p.len / ss,
                    human(p.len),
                    p.type_name,
                    p.fs,
                    if p.logical { " (logical)" } else { "" }
                );
            }
            for w in &vs.warnings {
                println!("  warning: {w}");
            }
        }
    }
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn path_str(p: &Path) -> String {
    p.display().to_string()
}

fn to_json(img: &Image, volumes: &rift_volume::Result<rift_volume::VolumeSystem>) -> Value {
    let ewf = img.info.ewf.as_ref().map(|e| {
        let m = &e.metadata;
        let md = &e.media;
        json!({
            "format_guess": e.format_guess,
            "signature": e.signature,
            "metadata": {
                "case_number": m.case_number,
                "evidence_number": m.evidence_number,
                "examiner": m.examiner,
                "description": m.description,
                "notes": m.notes,
                "acquisition_date": m.acquisition_date.as_ref().map(time_json),
                "system_date": m.system_date.as_ref().map(time_json),
                "acquisition_os": m.acquisition_os,
                "software": m.software,
                "software_version": m.software_version,
                "model": m.model,
                "serial_number": m.serial_number,
                "device_label": m.device_label,
                "password_hash": m.password_hash,
                "sources": m.sources,
                "raw": m.raw,
            },
            "media": {
                "media_type": md.media_type,
                "media_type_name": md.media_type_name(),
                "media_flags": md.media_flags,
                "chunk_count": md.chunk_count,
                "sectors_per_chunk": md.sectors_per_chunk,
                "bytes_per_sector": md.bytes_per_sector,
                "sector_count": md.sector_count,
                "chunk_size": md.chunk_size(),
                "compression_level": md.compression_level,
                "error_granularity": md.error_granularity,
                "set_identifier": md.set_identifier.map(|i| hex(&i)),
            },
            "segments": e.segments.iter().zip(&img.info.files).map(|(s, f)| json!({
                "number": s.number,
                "path": path_str(f),
                "size": s.size,
                "complete": s.complete,
                "sections": s.sections.iter().map(|x| json!({
                    "type": x.kind, "offset": x.offset, "size": x.size, "next": x.next,
                    "checksum_ok": x.checksum_ok,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "sessions": e.sessions.iter().map(|s| json!({
                "flags": s.flags, "start_sector": s.start_sector,
            })).collect::<Vec<_>>(),
        })
    });
    let vdisk = img.info.vdisk.as_ref().map(|v| {
        json!({
            "variant": v.format,
            "virtual_size": v.virtual_size,
            "block_size": v.block_size,
            "sector_size": v.sector_size,
            "extents": v.extents,
        })
    });
    let partitions = match volumes {
        Ok(vs) => {
            let ss = u64::from(vs.sector_size.max(1));
            json!({
                "scheme": vs.scheme.to_string(),
                "sector_size": vs.sector_size,
                "disk_signature": vs.disk_signature,
                "disk_guid": vs.disk_guid,
                "warnings": vs.warnings,
                "partitions": vs.partitions.iter().map(|p| json!({
                    "index": p.index,
                    "start_sector": p.start / ss,
                    "start_byte": p.start,
                    "sectors": p.len / ss,
                    "size": p.len,
                    "type": p.type_name,
                    "mbr_type": p.mbr_type,
                    "gpt_type": p.gpt_type,
                    "gpt_guid": p.gpt_guid,
                    "name": p.name,
                    "bootable": p.bootable,
                    "logical": p.logical,
                    "filesystem": p.fs.to_string(),
                    "encrypted": p.fs.is_encrypted(),
                })).collect::<Vec<_>>(),
            })
        }
        Err(e) => json!({ "error": e.to_string() }),
    };
    json!({
        "image": path_str(&img.info.path),
        "format": img.format.name(),
        "files": img.info.files.iter().map(|f| path_str(f)).collect::<Vec<_>>(),
        "media_size": img.size,
        "sector_size": img.sector_size,
        "stored_hashes": {
            "md5": img.info.stored_md5.map(|h| hex(&h)),
            "sha1": img.info.stored_sha1.map(|h| hex(&h)),
        },
        "acquisition_errors": img.info.acquisition_errors.iter().map(|r| json!({
            "start_sector": r.start_sector, "sector_count": r.sector_count,
        })).collect::<Vec<_>>(),
        "warnings": img.info.warnings,
        "ewf": ewf,
        "vdisk": vdisk,
        "volumes": partitions,
    })
}

fn time_json(t: &rift_ewf::EwfTime) -> Value {
    match t {
        rift_ewf::EwfTime::Utc(ts) => json!({ "utc": ts.to_string() }),
        rift_ewf::EwfTime::Local(dt) => {
            json!({ "local": dt.strftime("%Y-%m-%dT%H:%M:%S").to_string() })
        }
        rift_ewf::EwfTime::Raw(s) => json!({ "raw": s }),
    }
}
