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
