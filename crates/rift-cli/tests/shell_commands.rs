//! End-to-end checks of `rift prefetch|lnk|jumplist|recyclebin` on the
//! fixtures: EZ-tools CSV conventions (BOM, CRLF, exact headers) and values
//! taken from sccainfo / lnkinfo output and hex dumps (see the parser
//! crates' tests for how those were obtained).

use std::process::Command;

fn rift(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_rift"))
        .args(args)
        .output()
        .expect("run rift");
    assert!(
        out.status.success(),
        "rift {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn rows(csv: &str) -> Vec<&str> {
    assert!(csv.starts_with('\u{feff}'), "BOM");
    assert!(csv.ends_with("\r\n"), "CRLF");
    csv.trim_start_matches('\u{feff}')
        .split_terminator("\r\n")
        .collect()
}

#[test]
fn prefetch_csv_matches_pecmd_layout_and_sccainfo_values() {
    let dir = rift_testutil::fixture("prefetch");
    let csv = rift(&["prefetch", dir.to_str().unwrap()]);
    let r = rows(&csv);
    assert_eq!(
        r[0],
        "Note,SourceFilename,SourceCreated,SourceModified,SourceAccessed,ExecutableName,Hash,Size,Version,RunCount,LastRun,PreviousRun0,PreviousRun1,PreviousRun2,PreviousRun3,PreviousRun4,PreviousRun5,PreviousRun6,Volume0Name,Volume0Serial,Volume0Created,Volume1Name,Volume1Serial,Volume1Created,Directories,FilesLoaded,ParsingError"
    );
    assert_eq!(r.len(), 1 + 62, "62 prefetch files, the bad one left out");
    // sccainfo on EZ_Win10/CALC.EXE-3FBEF7FD.pf: run count 2, last runs
    // Jan 11, 2016 22:08:20.985330400 and Jan 10, 2016 02:12:33.809541700.
    let calc = r
        .iter()
        .find(|l| l.contains("EZ_Win10/CALC.EXE-3FBEF7FD.pf"))
        .unwrap();
    assert!(
        calc.contains(",CALC.EXE,3FBEF7FD,")
            && calc.contains(",2,2016-01-11 22:08:20.9853304,2016-01-10 02:12:33.8095417,"),
        "{calc}"
    );
    assert!(
        calc.contains(",8C9F49EC,2015-11-17 20:57:46.2434681,"),
        "{calc}"
    );

    let tl = rift_testutil::TempDir::new("rift-cli-pf");
    let tl_path = tl.path().join("tl.csv");
    rift(&[
        "prefetch",
        dir.join("EZ_Win10").to_str().unwrap(),
        "--timeline",
        tl_path.to_str().unwrap(),
    ]);
    let tl_csv = std::fs::read_to_string(&tl_path).unwrap();
    let t = rows(&tl_csv);
    assert_eq!(t[0], "RunTime,ExecutableName");
    assert!(t.contains(&"2016-01-11 22:08:20.9853304,CALC.EXE"));
}

#[test]
fn lnk_jumplist_recyclebin_csv() {
    let lnk = rift_testutil::fixture("misc/example.lnk");
    let r = rift(&["lnk", lnk.to_str().unwrap()]);
    let r = rows(&r);
    assert!(r[0].starts_with("SourceFile,SourceCreated,SourceModified,SourceAccessed,TargetCreated,TargetModified,TargetAccessed,FileSize,"));
    // lnkinfo: creation Jul 13, 2009 23:29:02.849131000; machine win-tj9qcsjkags.
    assert!(r[1].contains(",2009-07-13 23:29:02.8491310,"), "{}", r[1]);
    assert!(
        r[1].contains(",win-tj9qcsjkags,00:1d:09:fa:5a:1c,"),
        "{}",
        r[1]
    );

    let jl = rift_testutil::fixture("misc/1b4dd67f29cb1962.automaticDestinations-ms");
    let out = rift(&["jumplist", jl.to_str().unwrap()]);
    let r = rows(&out);
    assert_eq!(r.len(), 1 + 7);
    assert!(
        r.iter()
            .any(|l| l.contains(",C:\\Users\\bperry\\Downloads,"))
    );

    let rb = rift_testutil::fixture("misc");
    let out = rift(&["recyclebin", rb.to_str().unwrap()]);
    let r = rows(&out);
    assert_eq!(r[0], "SourceName,FileType,FileName,FileSize,DeletedOn");
    assert_eq!(r.len(), 1 + 2 + 4, "two $I files and four INFO2 records");
    assert!(r.iter().any(|l| l.ends_with(
        ",C:\\Users\\random\\Downloads\\bunnies.jpg,222255,2016-06-29 21:37:45.6180000"
    )));
}

/// Image input: the scenario E01, through rift's own image/NTFS layers.
/// Expected values: TSK's listing of `Windows/Prefetch` (21 files),
/// sccainfo on the tool's prefetch (run Aug 17, 2023 07:57:37.790315000
/// UTC), the answer key for the `$I` (bunnies.jpg, 222255 bytes,
/// 2023-08-01T03:36:27.730329Z) and lnkinfo/olecfinfo for the Recent items.
#[test]
fn image_input_scenario() {
    let img = rift_testutil::fixture("scenario/public/disk.E01");
    let img = img.to_str().unwrap();

    let out = rift(&["prefetch", img]);
    let r = rows(&out);
    assert_eq!(r.len(), 1 + 21, "21 prefetch files (fls)");
    let tool = r
        .iter()
        .find(|l| l.contains(",DEFENDERCONTROL.EXE,65797962,"))
        .unwrap();
    assert!(tool.contains(",1,2023-08-17 07:57:37.7903150,"), "{tool}");
    assert!(
        tool.contains(r"\Windows\Prefetch\DEFENDERCONTROL.EXE-65797962.pf"),
        "{tool}"
    );

    let out = rift(&["recyclebin", img]);
    let r = rows(&out);
    assert_eq!(r.len(), 2);
    assert!(r[1].ends_with(
        ",$I Version 2,C:\\Users\\jiwoo\\Downloads\\bunnies.jpg,222255,2023-08-01 03:36:27.7303290"
    ), "{}", r[1]);

    let out = rift(&["jumplist", img]);
    assert_eq!(rows(&out).len(), 1 + 7);
    let out = rift(&["lnk", img]);
    let r = rows(&out);
    assert!(
        r.iter()
            .any(|l| l.contains("migwiz.lnk") && l.contains(",win-tj9qcsjkags,"))
    );
}
