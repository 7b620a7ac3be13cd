//! End to end on the staged ransomware image: `analyze` must reach the
//! answers of its ground-truth file (`scenario/public/truth.json`, written
//! by the scenario's builder, not by rift).

use rift_io::time::DisplayZone;
use rift_target::Evidence;
use rift_target::pipeline::{self, Options, Silent};

fn truth() -> serde_json::Value {
    let p = rift_testutil::fixture("scenario/public/truth.json");
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

#[test]
fn scenario_keeper_flags_and_findings() {
    let img = rift_testutil::fixture("scenario/public/disk.E01");
    let ev = Evidence::open(&img).unwrap();
    let dir = rift_testutil::TempDir::new("case-scenario");
    let tz = DisplayZone::parse("+09:00").unwrap();
    let opts = Options {
        jobs: 2,
        verify: true,
        tz: tz.clone(),
    };
    let sum = pipeline::analyze(&ev, dir.path(), &opts, &Silent).unwrap();
    let t = truth();
    assert_eq!(sum.verified, Some(true), "stored MD5 must verify");
    let keeper = rift_triage::report::keeper(&sum.findings, &tz);
    let lines: Vec<&str> = keeper.lines().collect();
    assert_eq!(
        lines.first().copied(),
        t["flag_ir1"].as_str(),
        "flag 1; findings: {:#?}",
        sum.findings.ransomware
    );
    assert_eq!(
        lines.get(1).copied(),
        t["flag_ir2"].as_str(),
        "flag 2; findings: {:#?}",
        sum.findings.initial_access
    );
    let r = &sum.findings.ransomware;
    assert!(r.detected);
    assert_eq!(r.extension.as_deref(), t["ransom_extension"].as_str());
    assert_eq!(r.ransom_note.as_deref(), t["ransom_note_name"].as_str());
    assert_eq!(
        r.encrypted_count as u64,
        t["encrypted_count"].as_u64().unwrap()
    );
    for f in [
        "case.sqlite",
        "timeline.csv",
        "timeline.jsonl",
        "findings.json",
        "report.md",
        "report.html",
    ] {
        assert!(dir.path().join(f).is_file(), "{f} missing");
    }
}

/// Every key of a clean hive lands in `registry_keys` (the timeline's key
/// last-write events and the registry browser's tree): the count per hive
/// equals the `<node>` elements of hivex's `hivexml` export of the same
/// hive, extracted from the image by The Sleuth Kit (`ifind`/`icat`).
#[test]
fn scenario_registry_keys_match_hivex() {
    for t in ["ifind", "icat", "hivexml"] {
        rift_testutil::require_tool(t);
    }
    let img = rift_testutil::fixture("scenario/public/disk.E01");
    let raw = rift_testutil::raw_image("scenario/public/disk.E01");
    let raw_s = raw.to_str().unwrap();
    let ev = Evidence::open(&img).unwrap();
    let dir = rift_testutil::TempDir::new("case-scenario-regkeys");
    let opts = Options {
        jobs: 2,
        verify: false,
        tz: DisplayZone::parse("UTC").unwrap(),
    };
    pipeline::analyze(&ev, dir.path(), &opts, &Silent).unwrap();
    let db = rift_timeline::CaseDb::open_read_only(dir.path().join("case.sqlite")).unwrap();
    // The Windows volume of the scenario disk starts at sector 206848
    // (`mmls`); hives without a replay note were clean on disk, so the file
    // hivex reads is the hive rift walked.
    let hives: Vec<(String, Option<String>)> = {
        let mut st = db
            .conn()
            .prepare("SELECT path, note FROM sources WHERE kind = 'registry' ORDER BY path")
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let clean: Vec<&String> = hives
        .iter()
        .filter(|(_, note)| note.is_none())
        .map(|(p, _)| p)
        .collect();
    assert!(clean.len() >= 4, "clean hives: {hives:?}");
    for path in clean {
        let tsk_path = path.trim_start_matches("C:").replace('\\', "/");
        let inode = rift_testutil::run_tool("ifind", &["-o", "206848", "-n", &tsk_path, raw_s]);
        let inode = inode.trim();
        let out = std::process::Command::new("icat")
            .args(["-o", "206848", raw_s, inode])
            .output()
            .unwrap();
        assert!(out.status.success(), "icat {path}");
        let hive_file = dir.path().join("hive.bin");
        std::fs::write(&hive_file, &out.stdout).unwrap();
        let xml = rift_testutil::run_tool("hivexml", &[hive_file.to_str().unwrap()]);
        let hivex_keys = xml.matches("<node").count() as i64;
        let ours: i64 = db
            .conn()
            .query_row(
                "SELECT count(*) FROM registry_keys WHERE deleted = 0 AND source_id = \
                 (SELECT id FROM sources WHERE path = ?1)",
                [path],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(ours, hivex_keys, "{path}: registry_keys vs hivexml");
        let events: i64 = db
            .conn()
            .query_row(
                "SELECT count(*) FROM timeline WHERE src_table = 'registry_keys' AND src_id IN \
                 (SELECT id FROM registry_keys WHERE source_id = (SELECT id FROM sources WHERE path = ?1))",
                [path],
                |r| r.get(0),
            )
            .unwrap();
        let dated: i64 = db
            .conn()
            .query_row(
                "SELECT count(*) FROM registry_keys WHERE last_write IS NOT NULL AND source_id = \
                 (SELECT id FROM sources WHERE path = ?1)",
                [path],
                |r| r.get(0),
            )
            .unwrap();
        assert!(dated > 0);
        assert_eq!(events, dated, "{path}: one last-write event per dated key");
    }
}
