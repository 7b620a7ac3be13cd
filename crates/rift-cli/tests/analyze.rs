//! `rift analyze` + `rift report` end to end through the binary.
//!
//! Expected values come from the scenario's ground truth
//! (`scenario/public/truth.json`, written by the image's builder) and, for
//! the images without an incident, from their provenance in
//! `MANIFEST.tsv` (plain Windows test volumes: nothing was encrypted).

use std::path::Path;
use std::process::Command;

fn rift(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(args)
        .output()
        .expect("run rift")
}

fn ok(args: &[&str]) -> String {
    let o = rift(args);
    assert!(
        o.status.success(),
        "rift {args:?} failed ({:?}):\n{}",
        o.status,
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn findings(case: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(case.join("findings.json")).unwrap()).unwrap()
}

#[test]
fn scenario_answers_match_ground_truth() {
    let img = rift_testutil::fixture("scenario/public/disk.E01");
    let truth: serde_json::Value = serde_json::from_slice(
        &std::fs::read(rift_testutil::fixture("scenario/public/truth.json")).unwrap(),
    )
    .unwrap();
    let dir = rift_testutil::TempDir::new("cli-analyze");
    let case = dir.path().join("case");
    let case_s = case.to_str().unwrap();
    ok(&[
        "analyze",
        img.to_str().unwrap(),
        "--case",
        case_s,
        "--tz",
        "+09:00",
        "--quiet",
    ]);

    let keeper = ok(&["report", case_s, "--format", "keeper", "--tz", "+09:00"]);
    let lines: Vec<&str> = keeper.lines().collect();
    assert_eq!(
        lines,
        vec![
            truth["flag_ir1"].as_str().unwrap(),
            truth["flag_ir2"].as_str().unwrap()
        ]
    );

    let f = findings(&case);
    assert_eq!(f["schema"], "rift.findings/1");
    assert_eq!(f["image"]["verified"], true);
    assert_eq!(f["timezone"]["display"], "+09:00");
    assert_eq!(
        f["timezone"]["system"],
        truth["timezone"]["TimeZoneKeyName"]
    );
    let r = &f["ransomware"];
    assert_eq!(r["detected"], true);
    assert_eq!(r["extension"], truth["ransom_extension"]);
    assert_eq!(r["ransom_note"], truth["ransom_note_name"]);
    assert_eq!(r["encrypted_count"], truth["encrypted_count"]);
    assert_eq!(r["first_encrypted"]["path"], truth["first_encrypted_path"]);
    assert_eq!(r["first_encrypted"]["time"], truth["infection_time_utc"]);
    assert_eq!(r["infecting_file"]["path"], truth["infecting_file_path"]);
    let ia = &f["initial_access"];
    assert_eq!(ia["download_url"], truth["download_url"]);
    assert_eq!(ia["downloaded_file"]["path"], truth["downloaded_file_path"]);

    // Every output the issue lists is there.
    for name in [
        "case.sqlite",
        "timeline.csv",
        "timeline.jsonl",
        "report.md",
        "report.html",
    ] {
        assert!(case.join(name).is_file(), "{name}");
    }
    for name in ["C_UsnJrnl_J.csv", "EvtxECmd.csv", "RECmd_Batch.csv"] {
        let p = case.join("csv").join(name);
        let head = std::fs::read(&p).unwrap_or_else(|_| panic!("csv/{name} missing"));
        assert!(head.starts_with(b"\xEF\xBB\xBF"), "{name} has a BOM");
    }
    // The timeline CSV states its zone; the JSONL is Timesketch-shaped.
    let jsonl = std::fs::read_to_string(case.join("timeline.jsonl")).unwrap();
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    for k in ["message", "datetime", "timestamp_desc", "timestamp"] {
        assert!(first.get(k).is_some(), "timeline.jsonl lacks {k}");
    }

    // Re-running into the same case is refused, and allowed with --force.
    let again = rift(&[
        "analyze",
        img.to_str().unwrap(),
        "--case",
        case_s,
        "--quiet",
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    ok(&[
        "analyze",
        img.to_str().unwrap(),
        "--case",
        case_s,
        "--quiet",
        "--force",
        "--no-verify",
    ]);
    assert_eq!(
        findings(&case)["ransomware"]["extension"],
        truth["ransom_extension"]
    );
}

#[test]
fn images_without_an_incident_report_no_ransomware() {
    let dir = rift_testutil::TempDir::new("cli-clean");
    for (i, rel) in [
        "ntfs_images/ntfs-samples_20h1.qcow2",
        "ewf/derived_dissect_ntfs-cloud.E01",
        "ewf/derived_ntfs-lastaccess.E01",
        "ntfs_images/dfvfs_windows_volume.qcow2",
        "ntfs_images/plaso_vsstest.qcow2",
    ]
    .iter()
    .enumerate()
    {
        let img = rift_testutil::fixture(rel);
        let case = dir.path().join(format!("c{i}"));
        let o = rift(&[
            "analyze",
            img.to_str().unwrap(),
            "--case",
            case.to_str().unwrap(),
            "--quiet",
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{rel}: {stderr}");
        // --quiet: only real warnings, never the status lines of the
        // subcommands analyze re-runs for csv/.
        for chatter in [
            "rift prefetch:",
            "rift lnk:",
            "rift mft:",
            "no matching files",
        ] {
            assert!(!stderr.contains(chatter), "{rel}: {chatter:?} in\n{stderr}");
        }
        let f = findings(&case);
        assert_eq!(
            f["ransomware"]["detected"], false,
            "{rel}: {}",
            f["ransomware"]
        );
        let keeper = rift(&["report", case.to_str().unwrap(), "--format", "keeper"]);
        assert_eq!(
            keeper.status.code(),
            Some(1),
            "{rel}: keeper must say there is no answer"
        );
    }
}
