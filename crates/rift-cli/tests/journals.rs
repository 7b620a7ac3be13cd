//! `rift usn`, `rift logfile`, `rift carve` end to end. Expected values:
//! Windows' `fsutil usn readjournal` dump (first record, decoded by hand
//! below), `truth.json` of the scenario, and `docs/formats/ntfs.md` §8.8
//! (the renames in LogFile_10).

use std::process::{Command, Output};

use rift_testutil::{TempDir, fixture};

fn rift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(args)
        .output()
        .expect("run rift")
}

fn ok(o: &Output) {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn usn_file_to_mftecmd_csv() {
    let dir = TempDir::new("cli-usn-file");
    let csv = dir.path().join("j.csv");
    let input = fixture("ntfs_files/dfir_ntfs_usnjrnlj.bin");
    let o = rift(&[
        "usn",
        input.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    ok(&o);
    let bytes = std::fs::read(&csv).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "Name,Extension,EntryNumber,SequenceNumber,ParentEntryNumber,ParentSequenceNumber,ParentPath,UpdateSequenceNumber,UpdateTimestamp,UpdateReasons,FileAttributes,OffsetToData,SourceFile"
    );
    assert!(!text.contains("\n\n") && !text.replace("\r\n", "").contains('\n'));
    // 271 records + header + the empty string after the last CRLF.
    assert_eq!(lines.len(), 273);
    // fsutil: USN 0, "New folder", File ID ...0001000000000028, parent
    // ...0005000000000005, "File create", "Directory", 1/22/2019 21:36:10;
    // the raw FILETIME 131926665709243619 gives the 7 fractional digits.
    assert_eq!(
        lines[1],
        format!(
            "New folder,,40,1,5,5,.,0,2019-01-22 21:36:10.9243619,FileCreate,Directory,0,{}",
            input.display()
        )
    );
}

#[test]
fn usn_image_has_full_paths_for_every_record() {
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(fixture("scenario/public/truth.json")).unwrap())
            .unwrap();
    let dir = TempDir::new("cli-usn-image");
    let csv = dir.path().join("j.csv");
    let image = fixture("scenario/public/disk.E01");
    ok(&rift(&[
        "usn",
        image.to_str().unwrap(),
        "--rift-csv",
        csv.to_str().unwrap(),
    ]));
    let text = String::from_utf8(std::fs::read(&csv).unwrap()[3..].to_vec()).unwrap();
    let mut rows = text.split("\r\n").filter(|l| !l.is_empty());
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (fp, pc, reasons) = (col("FullPath"), col("PathComplete"), col("UpdateReasons"));
    let rows: Vec<Vec<&str>> = rows.map(|r| r.split(',').collect()).collect();
    assert_eq!(rows.len() as u64, truth["usn_records"].as_u64().unwrap());
    assert!(rows.iter().all(|r| r[pc] == "True"));
    let first = truth["first_encrypted_path"]
        .as_str()
        .unwrap()
        .trim_start_matches("C:");
    assert!(
        rows.iter()
            .any(|r| r[fp] == first && r[reasons].contains("FileDelete"))
    );
}

#[test]
fn logfile_records_and_events() {
    let dir = TempDir::new("cli-logfile");
    let csv = dir.path().join("l.csv");
    let ev = dir.path().join("e.csv");
    let input = fixture("ntfs_files/dfir_ntfs_LogFile_10.bin");
    ok(&rift(&[
        "logfile",
        input.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
        "--events",
        ev.to_str().unwrap(),
    ]));
    let records = String::from_utf8(std::fs::read(&csv).unwrap()[3..].to_vec()).unwrap();
    assert!(records.starts_with("LSN,PreviousLSN,UndoNextLSN,"));
    assert!(records.contains(",InitializeFileRecordSegment,"));
    let events = String::from_utf8(std::fs::read(&ev).unwrap()[3..].to_vec()).unwrap();
    let rename = events
        .lines()
        .find(|l| l.contains(",Rename,") && l.contains("got_renamed.txt"))
        .expect("rename event");
    assert!(rename.contains("find_me.txt"));
}

#[test]
fn carve_whole_volume_finds_journal_copies_and_mft_records() {
    let dir = TempDir::new("cli-carve");
    let out = dir.path().join("carved");
    let image = fixture("scenario/public/disk.E01");
    let o = rift(&[
        "carve",
        image.to_str().unwrap(),
        "--whole-volume",
        "--out",
        out.to_str().unwrap(),
    ]);
    ok(&o);
    let err = String::from_utf8_lossy(&o.stderr);
    // The journal's own clusters are scanned too: its records come back and
    // are recognised as copies of live ones.
    let dups: u64 = err
        .split("USN records not in the live journal (")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("carve summary");
    assert!(dups >= 2130, "{err}");
    let mft = String::from_utf8(std::fs::read(out.join("mft_carved.csv")).unwrap()[3..].to_vec())
        .unwrap();
    assert!(mft.lines().count() > 600);
    assert!(mft.contains("History-journal"));
}
