//! `rift reg` end to end on real hives: batch CSV (RECmd header, BOM,
//! CRLF), replay to a file that hivex reads, ls, plugins.

use std::process::Command;

fn rift() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rift"))
}

#[test]
fn batch_csv_matches_recmd_layout_and_hivex() {
    let dir = rift_testutil::TempDir::new("reg-batch");
    let reb = dir.path().join("t.reb");
    // A batch file written in RECmd's schema (comments, quoting, wildcards,
    // a value filter, BinaryConvert on a binary value).
    std::fs::write(
        &reb,
        "Description: test\nAuthor: rift\nVersion: 1.0\nId: 7d1c2f5e-0000-4000-8000-000000000001\nKeys:\n    -\n        Description: Time zone\n        HiveType: SYSTEM\n        Category: System Info\n        KeyPath: ControlSet00*\\Control\\TimeZoneInformation\n        ValueName: TimeZoneKeyName\n        Recursive: false\n        Comment: \"tz, with a comma\"\n    -\n        Description: BAM\n        HiveType: SYSTEM\n        Category: Program Execution\n        KeyPath: ControlSet001\\Services\\bam\\UserSettings\\*\n        Recursive: false\n        IncludeBinary: true\n        BinaryConvert: FILETIME\n",
    )
    .unwrap();
    let out = dir.path().join("out.csv");
    let hive = rift_testutil::fixture("registry/regipy_SYSTEM_B");
    let st = rift()
        .args(["reg"])
        .arg(&hive)
        .arg("--batch")
        .arg(&reb)
        .arg("--csv")
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFHivePath,HiveType,Description,Category,KeyPath,ValueName,ValueType,ValueData,ValueData2,ValueData3,Comment,Recursive,Deleted,LastWriteTimestamp,PluginDetailFile\r\n"));
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    let mut rd = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    let tz: Vec<_> = rows.iter().filter(|r| &r[2] == "Time zone").collect();
    assert_eq!(tz.len(), 1);
    assert_eq!(
        &tz[0][4],
        "ROOT\\ControlSet001\\Control\\TimeZoneInformation"
    );
    assert_eq!(
        (&tz[0][6], &tz[0][7], &tz[0][10], &tz[0][1]),
        (
            "RegSz",
            "Eastern Standard Time",
            "tz, with a comma",
            "System"
        )
    );
    // BAM rows: BinaryConvert FILETIME renders the first 8 bytes as a
    // RECmd-style time.
    let bam: Vec<_> = rows
        .iter()
        .filter(|r| &r[2] == "BAM" && &r[6] == "RegBinary")
        .collect();
    assert!(bam.len() >= 20, "{}", bam.len());
    for r in &bam {
        assert!(r[7].len() == 27 && r[7].as_bytes()[4] == b'-', "{}", &r[7]);
    }
}

#[test]
fn replay_writes_a_hive_hivex_reads() {
    let dir = rift_testutil::TempDir::new("reg-replay");
    let out = dir.path().join("clean");
    let hive = rift_testutil::fixture("registry/yarp_NewDirtyHive1/NewDirtyHive");
    let st = rift()
        .args(["reg", "replay"])
        .arg(&hive)
        .arg("-o")
        .arg(&out)
        .status()
        .unwrap();
    assert!(st.success());
    // hivex (an independent parser) opens the recovered key that only the
    // logs contain (run_tool fails the test on a non-zero exit).
    rift_testutil::run_tool("hivexget", &[out.to_str().unwrap(), "\\Key3\\Key3_3"]);
    let ls = rift()
        .args(["reg", "ls"])
        .arg(&out)
        .args(["Key3", "--json"])
        .output()
        .unwrap();
    assert!(ls.status.success());
    let j: serde_json::Value = serde_json::from_slice(&ls.stdout).unwrap();
    assert_eq!(j["subkeys"].as_array().unwrap().len(), 3);
}

#[test]
fn plugins_on_a_folder_of_exports() {
    let dir = rift_testutil::TempDir::new("reg-plugins");
    let src = dir.path().join("export");
    std::fs::create_dir_all(&src).unwrap();
    // REGA/KAPE-style export names, logs with different case.
    std::fs::copy(
        rift_testutil::fixture("registry/regipy_UsrClass.dat"),
        src.join("alice.UsrClass.dat"),
    )
    .unwrap();
    std::fs::copy(
        rift_testutil::fixture("registry/regipy_UsrClass.dat.LOG1"),
        src.join("alice.UsrClass.dat.log1"),
    )
    .unwrap();
    std::fs::copy(
        rift_testutil::fixture("registry/regipy_UsrClass.dat.LOG2"),
        src.join("alice.UsrClass.dat.LOG2"),
    )
    .unwrap();
    std::fs::copy(
        rift_testutil::fixture("registry/plaso_NTUSER-WIN7.DAT"),
        src.join("bob.NTUSER.DAT"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = rift()
        .args(["reg", "plugins"])
        .arg(&src)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("[USRCLASS, user alice] dirty: replayed"),
        "{err}"
    );
    assert!(err.contains("[NTUSER, user bob]"), "{err}");
    let ua = std::fs::read_to_string(out.join("userassist.jsonl")).unwrap();
    assert!(ua.lines().all(|l| l.contains("\"hive_user\":\"bob\"")));
    assert!(out.join("shellbags.csv").exists() && out.join("registry_timeline.csv").exists());
}

#[test]
fn plugins_on_the_scenario_image() {
    let dir = rift_testutil::TempDir::new("reg-image");
    let out = dir.path().join("out");
    let img = rift_testutil::fixture("scenario/public/disk.E01");
    let o = rift()
        .args(["reg", "plugins"])
        .arg(&img)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let truth: serde_json::Value =
        serde_json::from_slice(&rift_testutil::fixture_bytes("scenario/public/truth.json"))
            .unwrap();
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        s["machine"]["computer_name"]["name"],
        truth["computer_name"]
    );
    assert_eq!(
        s["machine"]["time_zone"]["key_name"],
        truth["timezone"]["TimeZoneKeyName"]
    );
    // The dirty user hive (office) was replayed from its logs in the image.
    let hives = s["hives"].as_array().unwrap();
    let office = hives
        .iter()
        .find(|h| {
            h["hive"]
                .as_str()
                .unwrap()
                .ends_with("Users\\office\\NTUSER.DAT")
        })
        .unwrap();
    assert!(office["replay"]["applied"].as_u64().unwrap() > 0);
    assert_eq!(office["user"], "office");
    let bam = std::fs::read_to_string(out.join("bam.jsonl")).unwrap();
    assert!(bam.contains("svhost32.exe"));
}
