//! `rift info`, `rift verify`, `rift convert` end to end, against
//! independent oracles: `ewfinfo` (case metadata, stored MD5), `mmls`
//! (partition table), `ewfexport` (media bytes), coreutils `md5sum`.

use std::path::Path;
use std::process::{Command, Output};

use rift_testutil::{TempDir, fixture, raw_image, run_tool, sha256_hex};

fn rift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(args)
        .output()
        .expect("run rift")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn ewfinfo_field(image: &Path, label: &str) -> String {
    let out = run_tool("ewfinfo", &[image.to_str().unwrap()]);
    out.lines()
        .find_map(|l| {
            let (k, v) = l.trim().split_once(':')?;
            (k.trim() == label).then(|| v.trim().to_owned())
        })
        .unwrap_or_else(|| panic!("ewfinfo has no {label}"))
}

/// NTFS partitions per `mmls` (TSK reads E01 itself): start sectors.
fn mmls_ntfs_starts(image: &Path) -> Vec<u64> {
    let out = run_tool("mmls", &[image.to_str().unwrap()]);
    out.lines()
        .filter(|l| l.contains("NTFS"))
        .filter_map(|l| l.split_whitespace().nth(2)?.parse().ok())
        .collect()
}

#[test]
fn info_shows_case_metadata_and_partitions() {
    let img = fixture("scenario/public/disk.E01");
    let p = img.to_str().unwrap();
    let o = rift(&["info", p]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    for label in [
        "Case number",
        "Evidence number",
        "Examiner name",
        "Description",
    ] {
        let want = ewfinfo_field(&img, label);
        assert!(text.contains(&want), "text lacks {label} {want:?}:\n{text}");
    }
    assert!(text.contains("IR-1101-PUBLIC"));
    assert!(text.contains(&ewfinfo_field(&img, "MD5")));

    let o = rift(&["info", "--json", p]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["format"], "ewf");
    assert_eq!(v["ewf"]["metadata"]["case_number"], "IR-1101-PUBLIC");
    assert_eq!(v["stored_hashes"]["md5"], ewfinfo_field(&img, "MD5"));
    assert_eq!(v["media_size"], 536_870_912u64);
    let parts = v["volumes"]["partitions"].as_array().expect("partitions");
    let ntfs: Vec<u64> = parts
        .iter()
        .filter(|p| p["filesystem"] == "NTFS")
        .map(|p| p["start_sector"].as_u64().unwrap())
        .collect();
    let want = mmls_ntfs_starts(&img);
    assert_eq!(want, vec![2048, 206_848], "mmls oracle");
    assert_eq!(ntfs, want);
    // and in the text table
    for s in want {
        assert!(
            text.lines()
                .any(|l| l.contains("NTFS") && l.split_whitespace().nth(1) == Some(&s.to_string())),
            "text lacks partition at {s}:\n{text}"
        );
    }
}

#[test]
fn verify_matches_stored_hash() {
    let img = fixture("scenario/public/disk.E01");
    let o = rift(&["verify", "--json", img.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let raw = raw_image("scenario/public/disk.E01");
    let md5sum = run_tool("md5sum", &[raw.to_str().unwrap()]);
    let sha1sum = run_tool("sha1sum", &[raw.to_str().unwrap()]);
    assert_eq!(
        v["md5"]["computed"],
        md5sum.split_whitespace().next().unwrap()
    );
    assert_eq!(v["md5"]["stored"], ewfinfo_field(&img, "MD5"));
    assert_eq!(v["md5"]["match"], true);
    assert_eq!(
        v["sha1"]["computed"],
        sha1sum.split_whitespace().next().unwrap()
    );
    assert_eq!(v["result"], "verified");
    assert_eq!(v["bad_chunks"].as_array().unwrap().len(), 0);

    // Text mode on a split set.
    let o = rift(&[
        "verify",
        fixture("ewf/plaso_image-split.E01").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("match"));
}

#[test]
fn verify_raw_against_given_hash() {
    let raw = raw_image("ewf/plaso_image.E01");
    let md5 = run_tool("md5sum", &[raw.to_str().unwrap()]);
    let md5 = md5.split_whitespace().next().unwrap();
    let o = rift(&["verify", "--md5", md5, raw.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let wrong = "0".repeat(32);
    let o = rift(&["verify", "--md5", &wrong, raw.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("MISMATCH"));
}

#[test]
fn verify_reports_bad_chunks_with_exit_1() {
    // Flip one byte inside the first compressed chunk of a copy.
    let src = std::fs::read(fixture("scenario/public/disk.E01")).unwrap();
    let dir = TempDir::new("rift-cli-bad");
    let mut bad = src.clone();
    // The `sectors` section starts at 0x8fb and is 16 344 685 bytes long
    // (descriptor fields, see containers.md §1.2); flip a byte in the
    // middle of its chunk data.
    let at = 0x8fb + 76 + 16_344_685 / 2;
    bad[at] ^= 0x55;
    let p = dir.path().join("bad.E01");
    std::fs::write(&p, &bad).unwrap();
    let o = rift(&["verify", "--json", p.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let chunks = v["bad_chunks"].as_array().unwrap();
    assert_eq!(chunks.len(), 1, "{v}");
    assert_eq!(chunks[0]["chunks"], 1);
    assert_eq!(chunks[0]["segment"], 1);
    let start = chunks[0]["file_offset"].as_u64().unwrap() as usize;
    let size = chunks[0]["stored_size"].as_u64().unwrap() as usize;
    assert!(start <= at && at < start + size, "{v}");
    assert_eq!(v["md5"]["match"], false);
}

#[test]
fn convert_writes_media_identical_to_ewfexport() {
    let rel = "ewf/derived_dissect_ntfs-cloud.E01";
    let dir = TempDir::new("rift-cli-convert");
    let out = dir.path().join("out.raw");
    let o = rift(&[
        "convert",
        "-q",
        fixture(rel).to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let want = sha256_hex(std::fs::File::open(raw_image(rel)).unwrap());
    assert_eq!(sha256_hex(std::fs::File::open(&out).unwrap()), want);
    // Refuses to overwrite without --force.
    let o = rift(&[
        "convert",
        fixture(rel).to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));

    // stdout mode
    let o = rift(&[
        "convert",
        "-q",
        fixture("ewf/plaso_image-split.E01").to_str().unwrap(),
        "-o",
        "-",
    ]);
    assert!(o.status.success());
    let want = std::fs::read(raw_image("ewf/plaso_image-split.E01")).unwrap();
    assert!(o.stdout == want);
}

#[test]
fn missing_segment_is_named() {
    let dir = TempDir::new("rift-cli-missing");
    let src = fixture("ewf/plaso_image-split.E01");
    let p = dir.path().join("case.E01");
    std::fs::copy(&src, &p).unwrap();
    for cmd in ["info", "verify"] {
        let o = rift(&[cmd, p.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("case.E02"), "{err}");
    }
}
