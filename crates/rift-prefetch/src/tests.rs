//! Real-fixture tests. Expected values come from `sccainfo` (libscca-utils,
//! run here), from the independent `xpress-huffman` crate, or from hand
//! decoding written out below from the format notes.

use super::*;
use rift_testutil::{fixture, fixture_bytes, fixtures_dir, run_tool};
use std::path::PathBuf;

/// All `.pf` fixtures except the negative one.
fn prefetch_fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let root = fixtures_dir().join("prefetch");
    for dir in std::fs::read_dir(&root).unwrap().flatten() {
        if dir.file_name() == "EZ_Bad" {
            continue;
        }
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            if f.path().extension().is_some_and(|e| e == "pf") {
                out.push(f.path());
            }
        }
    }
    out.sort();
    assert!(out.len() >= 60, "expected the full prefetch fixture set");
    out
}

/// What `sccainfo` prints about one file.
#[derive(Debug, Default)]
struct Scca {
    version: u32,
    hash: u32,
    exe: String,
    run_count: u32,
    run_times: Vec<String>,
    filenames: Vec<String>,
    volumes: Vec<(String, String, u32)>,
}

fn value(line: &str) -> &str {
    line.rsplit_once(": ").map(|(_, v)| v.trim()).unwrap_or("")
}

fn parse_sccainfo(out: &str) -> Scca {
    let mut s = Scca::default();
    let mut vol: Option<(String, String, u32)> = None;
    for line in out.lines() {
        let t = line.trim();
        if t.starts_with("Format version") {
            s.version = value(t).parse().unwrap();
        } else if t.starts_with("Prefetch hash") {
            s.hash = u32::from_str_radix(value(t).trim_start_matches("0x"), 16).unwrap();
        } else if t.starts_with("Executable filename") {
            s.exe = value(t).to_string();
        } else if t.starts_with("Run count") {
            s.run_count = value(t).parse().unwrap();
        } else if t.starts_with("Last run time") {
            let v = value(t);
            if !v.starts_with("Not set") {
                s.run_times.push(v.to_string());
            }
        } else if t.starts_with("Filename:") {
            // libscca also lists the empty strings that pad the end of the
            // filename table (`Filename: 11 :` with no value); they are
            // not files, and we drop them.
            if !t.ends_with(':') {
                s.filenames.push(value(t).to_string());
            }
        } else if t.starts_with("Device path") {
            vol = Some((value(t).to_string(), String::new(), 0));
        } else if t.starts_with("Creation time") {
            if let Some(v) = vol.as_mut() {
                v.1 = value(t).to_string();
            }
        } else if t.starts_with("Serial number") {
            let mut v = vol.take().unwrap();
            v.2 = u32::from_str_radix(value(t).trim_start_matches("0x"), 16).unwrap();
            s.volumes.push(v);
        }
    }
    s
}

/// A FILETIME in sccainfo's layout: `Jan 11, 2016 22:08:20.985330400 UTC`.
fn libyal_time(t: FileTime) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let z = t.to_timestamp().unwrap().to_zoned(jiff::tz::TimeZone::UTC);
    format!(
        "{} {:02}, {} {:02}:{:02}:{:02}.{:09} UTC",
        MONTHS[z.month() as usize - 1],
        z.day(),
        z.year(),
        z.hour(),
        z.minute(),
        z.second(),
        z.subsec_nanosecond()
    )
}

fn compare_with_sccainfo(path: &std::path::Path, ours: &Prefetch) {
    let out = run_tool("sccainfo", &[path.to_str().unwrap()]);
    let want = parse_sccainfo(&out);
    let name = path.display();
    assert_eq!(ours.version.raw(), want.version, "{name}: version");
    assert_eq!(ours.hash, want.hash, "{name}: hash");
    assert_eq!(ours.executable_name, want.exe, "{name}: executable");
    assert_eq!(ours.run_count, want.run_count, "{name}: run count");
    let times: Vec<String> = ours
        .last_run_times
        .iter()
        .map(|&t| libyal_time(t))
        .collect();
    assert_eq!(times, want.run_times, "{name}: run times");
    assert_eq!(ours.filenames, want.filenames, "{name}: file names");
    let vols: Vec<(String, String, u32)> = ours
        .volumes
        .iter()
        .map(|v| (v.device_path.clone(), libyal_time(v.created), v.serial))
        .collect();
    assert_eq!(vols, want.volumes, "{name}: volumes");
}

#[test]
fn every_prefetch_fixture_matches_sccainfo() {
    let mut checked = 0;
    let mut compressed = 0;
    for path in prefetch_fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        let pf = parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            pf.warnings.is_empty(),
            "{}: {:?}",
            path.display(),
            pf.warnings
        );
        // Metrics names agree with the string table (same set, same order
        // in every fixture).
        let metric_names: Vec<&str> = pf.metrics.iter().map(|m| m.filename.as_str()).collect();
        let names: Vec<&str> = pf.filenames.iter().map(String::as_str).collect();
        assert_eq!(
            metric_names,
            names,
            "{}: metrics vs strings",
            path.display()
        );
        compressed += usize::from(pf.compressed);
        if pf.version == Version::Win11 {
            continue; // sccainfo 20200717 refuses v31: see below
        }
        compare_with_sccainfo(&path, &pf);
        checked += 1;
    }
    assert!(checked >= 60, "{checked}");
    assert_eq!(compressed, 10, "6 EZ_Win10 + 4 plaso MAM files");
}

/// The v31 file, which sccainfo refuses: decompress it with the
/// independent `xpress-huffman` crate, relabel the version as 30 (v31 has
/// the layout of the later v30 variant, metrics at 0x128), and let
/// sccainfo read that.
#[test]
fn version_31_matches_sccainfo_on_relabelled_copy() {
    let rel = "prefetch/plaso/AM_DELTA_PATCH_1.443.990.0.EX-7037CF86.pf";
    let bytes = fixture_bytes(rel);
    let ours = parse(&bytes).unwrap();
    assert_eq!(ours.version, Version::Win11);
    assert!(ours.compressed);

    let size = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
    let mut plain = xpress_huffman::decompress(&bytes[8..], size).unwrap();
    assert_eq!(&plain[0..4], &31u32.to_le_bytes());
    // Independent reading of the v31 fields from artifacts.md §4.2 (by
    // hand): metrics offset 0x128, run count at 84 + 116 = 1, last run at
    // 84 + 44.
    assert_eq!(u32::from_le_bytes(plain[84..88].try_into().unwrap()), 0x128);
    assert_eq!(u32::from_le_bytes(plain[200..204].try_into().unwrap()), 1);
    assert_eq!(ours.run_count, 1);
    plain[0..4].copy_from_slice(&30u32.to_le_bytes());
    let tmp = rift_testutil::TempDir::new("rift-prefetch-v31");
    let p = tmp.path().join("relabelled.pf");
    std::fs::write(&p, &plain).unwrap();
    let mut relabelled = ours.clone();
    relabelled.version = Version::Win10;
    compare_with_sccainfo(&p, &relabelled);
    // The run time sits in 2026 (artifacts.md §4.2).
    assert!(libyal_time(ours.last_run_times[0]).contains(", 2026 "));
}

/// Our Xpress Huffman decoder against the `xpress-huffman` crate on every
/// compressed fixture, byte for byte.
#[test]
fn xpress_decoder_matches_independent_crate() {
    let mut n = 0;
    let mut short = 0;
    for path in prefetch_fixtures() {
        let bytes = std::fs::read(&path).unwrap();
        if !bytes.starts_with(b"MAM") {
            continue;
        }
        let size = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
        let theirs = xpress_huffman::decompress(&bytes[8..], size).unwrap();
        let ours = mam::decompress(&bytes).unwrap();
        assert_eq!(ours.len(), size, "{}", path.display());
        let first_diff = ours.iter().zip(&theirs).position(|(a, b)| a != b);
        assert_eq!(first_diff, None, "{}: decoders disagree", path.display());
        // The SCCA header repeats the decompressed size at offset 12: an
        // independent witness of the full length.
        let scca_size = u32::from_le_bytes(ours[12..16].try_into().unwrap()) as usize;
        assert_eq!(scca_size, size, "{}", path.display());
        if theirs.len() != ours.len() {
            // xpress-huffman 0.1.3 ends one byte early on two files
            // (BYTECODEGENERATOR, ONEDRIVE): it stops at the final symbol
            // 256 once the input is used up, where MS-XCA §2.2.4 only
            // ends the stream when the declared size is reached too. Both
            // the MAM header and the SCCA header (offset 12) declare our
            // length, and the missing byte is padding (0).
            assert_eq!(theirs.len() + 1, ours.len(), "{}", path.display());
            assert_eq!(ours.last(), Some(&0));
            short += 1;
        }
        n += 1;
    }
    assert_eq!(n, 10);
    assert!(short <= 2, "{short}");
}

/// Directory strings, which sccainfo does not print: decoded by hand for
/// the XP CALC file from the spec (volume entry at the volumes offset;
/// directory offset at +28, count at +32; each string = u16 chars, chars,
/// NUL).
#[test]
fn directories_match_hand_decoding() {
    for rel in [
        "prefetch/EZ_XPPro/CALC.EXE-02CD573A.pf",
        "prefetch/EZ_Win7/CALC.EXE-77FDF17F.pf",
        "prefetch/EZ_Win8x/CALC.EXE-77FDF17F.pf",
    ] {
        let d = fixture_bytes(rel);
        let u32_at = |o: usize| u32::from_le_bytes(d[o..o + 4].try_into().unwrap()) as usize;
        let vol = u32_at(84 + 24);
        let mut p = vol + u32_at(vol + 28);
        let count = u32_at(vol + 32);
        let mut dirs = Vec::new();
        for _ in 0..count {
            let n = u16::from_le_bytes([d[p], d[p + 1]]) as usize;
            let units: Vec<u16> = d[p + 2..p + 2 + 2 * n]
                .chunks(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            dirs.push(String::from_utf16(&units).unwrap());
            p += 2 + 2 * n + 2;
        }
        let pf = parse(&d).unwrap();
        let ours: Vec<&str> = pf.directories().collect();
        assert_eq!(ours, dirs, "{rel}");
        assert!(dirs.len() >= 6, "{rel}");
        assert!(
            dirs.iter().any(|d| d.contains("\\WINDOWS\\SYSTEM32")),
            "{rel}: {dirs:?}"
        );
    }
    // Windows 10 (compressed) CALCULATOR: 38 directory strings on one volume
    // (artifacts.md §4.3, counted by hand there).
    let pf = parse(&fixture_bytes(
        "prefetch/EZ_Win10/CALCULATOR.EXE-6940BD5C.pf",
    ))
    .unwrap();
    assert_eq!(pf.volumes.len(), 1);
    assert_eq!(pf.volumes[0].directories.len(), 38);
    assert_eq!(pf.filenames.len(), 103);
}

#[test]
fn not_a_prefetch_file_is_rejected() {
    let bytes = fixture_bytes("prefetch/EZ_Bad/notAPrefetch.pf");
    assert!(matches!(
        parse(&bytes),
        Err(Error::BadSignature { offset: 4, .. })
    ));
    assert!(!looks_like_prefetch(&bytes));
    assert!(fixture("prefetch/EZ_Bad/notAPrefetch.pf").exists());
}

/// Deterministic xorshift garbage and mutated real files: never a panic,
/// never a hang.
#[test]
fn hostile_bytes_never_panic() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let seeds = [
        fixture_bytes("prefetch/EZ_Win10/CALC.EXE-3FBEF7FD.pf"),
        fixture_bytes("prefetch/EZ_Win7/CALC.EXE-77FDF17F.pf"),
        fixture_bytes("prefetch/EZ_XPPro/CALC.EXE-02CD573A.pf"),
        fixture_bytes("prefetch/plaso/AM_DELTA_PATCH_1.443.990.0.EX-7037CF86.pf"),
    ];
    // Decompressed copies exercise the SCCA parser directly.
    let plain: Vec<Vec<u8>> = seeds
        .iter()
        .filter(|s| s.starts_with(b"MAM"))
        .map(|s| mam::decompress(s).unwrap())
        .collect();
    let all: Vec<&Vec<u8>> = seeds.iter().chain(plain.iter()).collect();
    for i in 0..3000 {
        let base = all[i % all.len()];
        let mut buf = base.clone();
        let flips = 1 + (next() % 16) as usize;
        for _ in 0..flips {
            let at = (next() as usize) % buf.len();
            buf[at] = next() as u8;
        }
        if i % 7 == 0 {
            let cut = (next() as usize) % buf.len();
            buf.truncate(cut);
        }
        let _ = parse(&buf);
        let _ = parse_uncompressed(&buf);
    }
    for len in 0..600 {
        let buf: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let _ = parse(&buf);
        let _ = xpress::decompress(&buf, 70_000);
        let mut mam = b"MAM\x04".to_vec();
        mam.extend_from_slice(&(next() as u32 % 200_000).to_le_bytes());
        mam.extend_from_slice(&buf);
        let _ = parse(&mam);
    }
}

/// Files of the scenario image's C: volume whose path matches, extracted
/// with TSK (`fls` + `icat`), an independent NTFS reader.
fn scenario_files(prefix: &str) -> Vec<(String, Vec<u8>)> {
    let img = rift_testutil::raw_image("scenario/public/disk.E01");
    let img = img.to_str().unwrap();
    let listing = run_tool("fls", &["-r", "-p", "-o", "206848", img]);
    let mut out = Vec::new();
    for line in listing.lines() {
        let Some((meta, path)) = line.split_once(":\t") else {
            continue;
        };
        if !meta.starts_with("r/r") || !path.starts_with(prefix) || meta.contains('*') {
            continue;
        }
        let inode = meta.split_whitespace().last().unwrap();
        let o = std::process::Command::new("icat")
            .args(["-o", "206848", img, inode])
            .output()
            .unwrap();
        assert!(o.status.success(), "icat {inode}");
        out.push((path.to_string(), o.stdout));
    }
    out
}

/// The scenario's prefetch folder (synthetic v30 files + 4 real MAM ones):
/// every file against sccainfo, and the tool's and payload's run times
/// against the answer key.
#[test]
fn scenario_prefetch_matches_sccainfo_and_truth() {
    let truth: serde_json::Value =
        serde_json::from_slice(&fixture_bytes("scenario/public/truth.json")).unwrap();
    let files = scenario_files("Windows/Prefetch/");
    assert!(files.len() >= 20, "{}", files.len());
    let tmp = rift_testutil::TempDir::new("rift-prefetch-scenario");
    let mut compressed = 0;
    let mut runs = std::collections::BTreeMap::new();
    for (path, bytes) in &files {
        let pf = parse(bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        compressed += usize::from(pf.compressed);
        let p = tmp.path().join(path.rsplit('/').next().unwrap());
        std::fs::write(&p, bytes).unwrap();
        compare_with_sccainfo(&p, &pf);
        runs.insert(pf.executable_name.clone(), pf.clone());
    }
    assert_eq!(compressed, 4, "4 real MAM files in the scenario");
    // KST is UTC+9 (truth.timezone.utc_offset).
    let kst = |k: &str| {
        let s = truth[k].as_str().unwrap();
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        dt.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(9)))
            .unwrap()
            .timestamp()
    };
    let tool = &runs["DEFENDERCONTROL.EXE"];
    let t = tool.run_timestamps().next().unwrap();
    assert_eq!(
        t.as_second(),
        kst("downloaded_file_executed_kst").as_second()
    );
    let payload = &runs[&truth["infecting_file"]
        .as_str()
        .unwrap()
        .to_ascii_uppercase()];
    let t = payload.run_timestamps().next().unwrap();
    assert_eq!(t.as_second(), kst("infecting_file_started_kst").as_second());
}
