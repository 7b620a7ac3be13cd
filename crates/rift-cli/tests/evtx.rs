//! `rift evtx` end to end. Oracles: `evtx_dump` record counts, and for the
//! image the logs cut out of it with TSK (`fls`/`icat`), parsed by
//! `evtx_dump`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use rift_testutil::{TempDir, fixture, raw_image, run_tool};

fn rift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(args)
        .output()
        .expect("run rift")
}

fn evtx_dump_count(path: &Path) -> usize {
    run_tool(
        "evtx_dump",
        &["-o", "jsonl", "-t", "1", path.to_str().unwrap()],
    )
    .lines()
    .count()
}

/// Data rows of an EvtxECmd CSV, after checking BOM, header and CRLF.
fn csv_rows(path: &Path) -> Vec<csv::StringRecord> {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFRecordNumber,EventRecordId,TimeCreated,EventId,Level,Provider,Channel,ProcessId,ThreadId,Computer,ChunkNumber,UserId,MapDescription,UserName,RemoteHost,PayloadData1,PayloadData2,PayloadData3,PayloadData4,PayloadData5,PayloadData6,ExecutableInfo,HiddenRecord,SourceFile,Keywords,ExtraDataOffset,Payload\r\n"));
    let mut r = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    r.records().map(|x| x.unwrap()).collect()
}

#[test]
fn folder_to_csv_json_and_report() {
    let dir = fixture("ransomware");
    let tmp = TempDir::new("cli-evtx-folder");
    let csv = tmp.path().join("e.csv");
    let json = tmp.path().join("e.jsonl");
    let report = tmp.path().join("r.json");
    let out = rift(&[
        "evtx",
        dir.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut expected = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "evtx") {
            expected += evtx_dump_count(&p);
        }
    }
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), expected);
    assert_eq!(
        std::fs::read_to_string(&json).unwrap().lines().count(),
        expected
    );
    // The shipped maps fill the columns: Sysmon 11 (file create) here.
    let sysmon11: Vec<_> = rows
        .iter()
        .filter(|r| &r[3] == "11" && r[6].contains("Sysmon"))
        .collect();
    assert!(!sysmon11.is_empty());
    for r in sysmon11 {
        assert_eq!(&r[12], "File created");
        assert!(r[17].starts_with("TargetFilename: "), "{:?}", &r[17]);
    }
    let rep: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(rep.as_array().unwrap().len(), 5);
}

#[test]
fn event_filter_and_user_maps() {
    let file = fixture("evtx/evtx-rs_security.evtx");
    let tmp = TempDir::new("cli-evtx-maps");
    std::fs::write(
        tmp.path().join("Security_4624.map"),
        "Author: t\nDescription: my logon map\nEventId: 4624\nChannel: Security\nProvider: Microsoft-Windows-Security-Auditing\nMaps:\n  -\n    Property: PayloadData1\n    PropertyValue: \"type=%T%\"\n    Values:\n      -\n        Name: T\n        Value: \"/Event/EventData/Data[@Name=\\\"LogonType\\\"]\"\n",
    )
    .unwrap();
    let csv = tmp.path().join("out");
    std::fs::create_dir(&csv).unwrap();
    let out = rift(&[
        "evtx",
        file.to_str().unwrap(),
        "--maps",
        tmp.path().to_str().unwrap(),
        "--inc",
        "4624,4670-4672",
        "--csv",
        csv.to_str().unwrap(),
        "-q",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = csv_rows(&csv.join("EvtxECmd_Output.csv"));
    assert!(!rows.is_empty());
    let mut ids = BTreeMap::new();
    for r in &rows {
        *ids.entry(r[3].to_string()).or_insert(0) += 1;
        if &r[3] == "4624" {
            assert_eq!(&r[12], "my logon map");
            assert!(r[15].starts_with("type="));
        }
    }
    assert_eq!(ids.keys().cloned().collect::<Vec<_>>(), ["4624", "4672"]);
}

#[test]
fn image_logs_match_the_files_cut_out_with_tsk() {
    let image = fixture("scenario/public/disk.E01");
    let tmp = TempDir::new("cli-evtx-image");
    let report = tmp.path().join("r.json");
    let csv = tmp.path().join("e.csv");
    let out = rift(&[
        "evtx",
        image.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "-q",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rep: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let ours: BTreeMap<String, u64> = rep
        .iter()
        .map(|r| {
            let name = r["source"]
                .as_str()
                .unwrap()
                .rsplit('\\')
                .next()
                .unwrap()
                .to_string();
            (name, r["records"].as_u64().unwrap())
        })
        .collect();

    // C: starts at sector 206848 (the image README); list and cut with TSK.
    let raw = raw_image("scenario/public/disk.E01");
    let raw = raw.to_str().unwrap();
    let listing = run_tool("fls", &["-r", "-p", "-o", "206848", raw]);
    let mut theirs = BTreeMap::new();
    for line in listing.lines() {
        let Some((meta, path)) = line.split_once(":\t") else {
            continue;
        };
        if !path.starts_with("Windows/System32/winevt/Logs/")
            || !path.ends_with(".evtx")
            || meta.contains('*')
        {
            continue;
        }
        let inode = meta.split_whitespace().last().unwrap();
        let bytes = Command::new("icat")
            .args(["-o", "206848", raw, inode])
            .output()
            .unwrap()
            .stdout;
        let file = tmp.path().join(path.rsplit('/').next().unwrap());
        std::fs::write(&file, bytes).unwrap();
        theirs.insert(
            file.file_name().unwrap().to_string_lossy().into_owned(),
            evtx_dump_count(&file) as u64,
        );
    }
    assert!(theirs.len() >= 5, "{theirs:?}");
    assert_eq!(ours, theirs);
    let rows = csv_rows(&csv);
    assert_eq!(rows.len() as u64, theirs.values().sum::<u64>());
    assert!(
        rows.iter()
            .all(|r| r[23].starts_with(r"p") && r[23].contains(r"\Windows\System32\winevt\Logs\"))
    );
}
