//! Real-fixture tests. Oracles: `lnkinfo` (liblnk-utils) for shell links,
//! `olecfexport` (libolecf-utils) for compound-file streams, and values
//! read by hand off hex dumps of the fixtures (noted at each test).

use super::*;
use crate::guid::format_mac;
use crate::lnk::Lnk;
use rift_io::time::format_ez;
use rift_testutil::{TempDir, fixture, fixture_bytes, run_tool};
use std::collections::BTreeMap;
use std::path::Path;

/// A FILETIME in libyal's layout: `Jul 13, 2009 23:29:02.849131000 UTC`.
fn libyal_time(t: FileTime) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    if t.0 == 0 {
        return "Not set (0)".into();
    }
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

/// `key : value` lines of an lnkinfo report (first occurrence wins).
fn lnkinfo(path: &Path) -> BTreeMap<String, String> {
    let out = run_tool("lnkinfo", &[path.to_str().unwrap()]);
    let mut m = BTreeMap::new();
    for line in out.lines() {
        if let Some((k, v)) = line.split_once(':') {
            let k = k.trim();
            if !k.is_empty() && line.starts_with('\t') && !line.starts_with("\t\t") {
                m.entry(k.to_string())
                    .or_insert_with(|| v.trim().to_string());
            }
        }
    }
    m
}

/// Our values under lnkinfo's labels. ShowWindow and HotKey are left out:
/// lnkinfo 20181227 prints the file size there (fixtures README).
fn our_lnk_fields(l: &Lnk) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    let mut put = |k: &str, v: String| {
        m.insert(k.to_string(), v);
    };
    put("Creation time", libyal_time(l.target_created));
    put("Modification time", libyal_time(l.target_modified));
    put("Access time", libyal_time(l.target_accessed));
    put("File size", format!("{} bytes", l.file_size));
    put("Icon index", l.icon_index.to_string());
    put(
        "File attribute flags",
        format!("0x{:08x}", l.file_attributes),
    );
    if let Some(li) = &l.link_info {
        if let Some(v) = &li.volume {
            let name = match v.drive_type {
                2 => "Removable",
                3 => "Fixed",
                4 => "Remote",
                5 => "CDROM",
                _ => "?",
            };
            put("Drive type", format!("{name} ({})", v.drive_type));
            put("Drive serial number", format!("0x{:08x}", v.serial));
            put("Volume label", v.label.clone());
        }
        if let Some(p) = &li.local_base_path {
            put("Local path", l.target_path().unwrap_or_else(|| p.clone()));
        }
    }
    let opt = |m: &mut BTreeMap<String, String>, k: &str, v: &Option<String>| {
        if let Some(v) = v {
            m.insert(k.to_string(), v.clone());
        }
    };
    opt(&mut m, "Description", &l.name);
    opt(&mut m, "Relative path", &l.relative_path);
    opt(&mut m, "Working directory", &l.working_dir);
    opt(&mut m, "Command line arguments", &l.arguments);
    opt(&mut m, "Icon location", &l.icon_location);
    opt(
        &mut m,
        "Environment variables location",
        &l.extra.environment,
    );
    if let Some(t) = &l.extra.tracker {
        m.insert("Machine identifier".into(), t.machine_id.clone());
        m.insert("Droid volume identifier".into(), t.droid_volume.to_string());
        m.insert("Droid file identifier".into(), t.droid_file.to_string());
        m.insert(
            "Birth droid volume identifier".into(),
            t.birth_volume.to_string(),
        );
        m.insert(
            "Birth droid file identifier".into(),
            t.birth_file.to_string(),
        );
    }
    m
}

/// Every field lnkinfo prints that we model must be equal, and we must not
/// produce a field lnkinfo does not have.
fn assert_matches_lnkinfo(l: &Lnk, path: &Path) {
    let theirs = lnkinfo(path);
    let ours = our_lnk_fields(l);
    for (k, v) in &ours {
        assert_eq!(
            theirs.get(k),
            Some(v),
            "{}: field {k:?} (lnkinfo: {theirs:#?})",
            path.display()
        );
    }
    for k in [
        "Description",
        "Relative path",
        "Working directory",
        "Command line arguments",
        "Icon location",
        "Local path",
        "Drive serial number",
        "Machine identifier",
        "Droid file identifier",
    ] {
        assert_eq!(
            theirs.contains_key(k),
            ours.contains_key(k),
            "{}: presence of {k:?}",
            path.display()
        );
    }
}

#[test]
fn example_lnk_matches_lnkinfo_and_hand_decoding() {
    let path = fixture("misc/example.lnk");
    let l = parse_lnk(&fixture_bytes("misc/example.lnk")).unwrap();
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    assert_matches_lnkinfo(&l, &path);
    // By hand from the header bytes (artifacts.md §5.1): flags 0x020003DC,
    // ShowCommand 1 at 60, HotKey 0 at 64, file size 0x00085000 at 52.
    assert_eq!(l.flags_raw, 0x0200_03DC);
    assert_eq!(l.show_command, 1);
    assert_eq!(l.hot_key, 0);
    assert_eq!(l.file_size, 0x0008_5000);
    assert_eq!(l.size, 1244, "the whole file is one link");
    // Tracker MAC from the UUID v1 file droid.
    assert_eq!(format_mac(l.mac_address().unwrap()), "00:1d:09:fa:5a:1c");
    // No LinkInfo, no IDList: the environment block gives the target.
    assert_eq!(
        l.target_path().as_deref(),
        Some("%windir%\\system32\\migwiz\\migwiz.exe")
    );
}

#[test]
fn automatic_jump_list_matches_olecfexport_and_lnkinfo() {
    let rel = "misc/1b4dd67f29cb1962.automaticDestinations-ms";
    let bytes = fixture_bytes(rel);
    let tmp = TempDir::new("rift-shell-olecf");
    let target = tmp.path().join("x");
    run_tool(
        "olecfexport",
        &[
            "-t",
            target.to_str().unwrap(),
            fixture(rel).to_str().unwrap(),
        ],
    );
    let export = tmp.path().join("x.export");

    // 1. Our compound-file reader gives the same stream bytes.
    let cf = cfb::CompoundFile::open(&bytes).unwrap();
    let mut n = 0;
    for e in cf.streams() {
        let theirs = std::fs::read(export.join(&e.name).join("StreamData.bin")).unwrap();
        assert!(cf.read(e).unwrap() == theirs, "stream {}", e.name);
        n += 1;
    }
    assert_eq!(n, 8, "DestList + 7 LNK streams (olecfinfo)");

    // 2. The jump list: every LNK stream against lnkinfo.
    let jl = parse_automatic(&bytes).unwrap();
    assert!(jl.warnings.is_empty(), "{:?}", jl.warnings);
    assert_eq!(jl.links.len(), 7);
    for (name, l) in &jl.links {
        assert!(l.warnings.is_empty(), "{name}: {:?}", l.warnings);
        assert_matches_lnkinfo(l, &export.join(name).join("StreamData.bin"));
    }

    // 3. DestList, by hand (artifacts.md §5.2): version 1, 7 entries;
    // entry 7 = C:\Users\bperry\Downloads on student-pc1, accessed
    // 2015-08-29 15:32:44, droid MAC 08:00:27:ac:3d:7f.
    let h = jl.header.as_ref().unwrap();
    assert_eq!((h.version, h.entry_count), (1, 7));
    assert_eq!(jl.entries.len(), 7);
    let e7 = jl.entries.iter().find(|e| e.entry_number == 7).unwrap();
    assert_eq!(e7.path, "C:\\Users\\bperry\\Downloads");
    assert_eq!(e7.hostname, "student-pc1");
    let t = format_ez(e7.last_access.to_timestamp().unwrap());
    assert!(t.starts_with("2015-08-29 15:32:44"), "{t}");
    assert_eq!(format_mac(e7.mac_address().unwrap()), "08:00:27:ac:3d:7f");
    // The entry's LNK stream points at the same folder (lnkinfo: Local path).
    let l7 = jl.link_for(e7).unwrap();
    assert_eq!(
        l7.target_path().as_deref(),
        Some("C:\\Users\\bperry\\Downloads")
    );
    // Every DestList entry has its stream.
    for e in &jl.entries {
        assert!(jl.link_for(e).is_some(), "entry {}", e.entry_number);
    }
}

#[test]
fn custom_jump_list_links_match_lnkinfo() {
    let rel = "misc/5afe4de1b92fc382.customDestinations-ms";
    let bytes = fixture_bytes(rel);
    let jl = parse_custom(&bytes).unwrap();
    assert!(jl.warnings.is_empty(), "{:?}", jl.warnings);
    assert!(jl.recovered_links.is_empty());
    // artifacts.md §5.2: one category of type 2 (tasks) with 9 links.
    assert_eq!(jl.categories.len(), 1);
    assert_eq!(jl.categories[0].kind, jumplist::CategoryKind::Tasks);
    let links: Vec<&Lnk> = jl.links().collect();
    assert_eq!(links.len(), 9);

    // Independent cut points: every occurrence of the LNK header pattern
    // (size 0x4C + CLSID) in the file; each link runs to the CLSID before
    // the next one (or to the 4-byte footer).
    let pat = [0x4C, 0, 0, 0, 0x01, 0x14, 0x02, 0x00];
    let starts: Vec<usize> = bytes
        .windows(8)
        .enumerate()
        .filter(|(_, w)| *w == pat)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(starts.len(), 9);
    let tmp = TempDir::new("rift-shell-custom");
    for (i, l) in links.iter().enumerate() {
        let end = starts.get(i + 1).map_or(bytes.len() - 4, |s| s - 16);
        assert_eq!(l.size, end - starts[i], "link {i} length");
        let p = tmp.path().join(format!("{i}.lnk"));
        std::fs::write(&p, &bytes[starts[i]..end]).unwrap();
        assert_matches_lnkinfo(l, &p);
    }
    // The file ends with the footer right after the last link.
    assert_eq!(&bytes[bytes.len() - 4..], &0xBABF_FBABu32.to_le_bytes());
}

#[test]
fn recycle_bin_i_files_by_hand() {
    // Values read off `xxd` of the fixtures: version, size, FILETIME, path.
    let v2 = parse_recycle_i(&fixture_bytes("misc/recycler_$I103S5F.jpg")).unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(v2.size, 0x0003_642F);
    assert_eq!(v2.deleted, FileTime(0x01D1_D24E_7961_A720));
    assert_eq!(v2.path, "C:\\Users\\random\\Downloads\\bunnies.jpg");
    assert!(recyclebin::looks_like_recycle_i(&fixture_bytes(
        "misc/recycler_$I103S5F.jpg"
    )));

    let v1 = parse_recycle_i(&fixture_bytes("misc/recycler_$II3DF3L.zip")).unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(v1.size, 0x000B_0FB7);
    assert_eq!(v1.deleted, FileTime(0x01CD_0091_AFFA_F590));
    assert_eq!(
        v1.path,
        "C:\\Users\\nfury\\Documents\\Alloy Research\\StarFury.zip"
    );
    // FILETIME → 2016-06-29 21:37:45 (v2): 0x01D1D24E7961A720 =
    // 131117098656180000 ticks; / 10^7 - 11644473600 = 1467236265 s.
    assert_eq!(
        v2.deleted.to_timestamp().unwrap().as_second(),
        1_467_236_265
    );
}

#[test]
fn info2_by_hand() {
    let b = fixture_bytes("misc/recycler_INFO2");
    let info = parse_info2(&b).unwrap();
    assert!(info.warnings.is_empty());
    // Header: version 5, 4 records of 800 bytes (artifacts.md §5.3).
    assert_eq!((info.version, info.record_size), (5, 800));
    assert_eq!(info.records.len(), 4);
    let r = &info.records[0];
    // First record, by hand: index 1, drive 2 (C:), FILETIME
    // 0x01C48ABF25E50850 at 288, path at 20 and (Unicode) at 300.
    assert_eq!((r.index, r.drive), (1, 2));
    assert_eq!(r.deleted, FileTime(0x01C4_8ABF_25E5_0850));
    assert!(
        r.path()
            .starts_with("C:\\Documents and Settings\\Mr. Evil\\Desktop\\lalsetup250")
    );
    assert_eq!(r.path_ansi, r.path_unicode.clone().unwrap());
    assert_eq!(
        r.size,
        u32::from_le_bytes(b[20 + 276..20 + 280].try_into().unwrap())
    );
}

#[test]
fn job_file_by_hand() {
    let j = parse_job(&fixture_bytes("misc/wintask.job")).unwrap();
    assert!(j.warnings.is_empty(), "{:?}", j.warnings);
    // Read off `xxd misc/wintask.job` against [MS-TSCH] §2.4.
    assert_eq!(j.product_version, 0x0601);
    assert_eq!(
        j.application,
        "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe"
    );
    assert_eq!(j.parameters, "/ua /installsource scheduler");
    assert_eq!(j.working_directory, "");
    assert_eq!(j.author, "Brian");
    assert!(
        j.comment
            .starts_with("Keeps your Google software up to date.")
    );
    assert_eq!(j.last_run.format(), "2013-08-24 12:42:00.112");
    assert_eq!(j.status_name(), "Ready");
    assert_eq!(j.triggers.len(), 1);
    let t = &j.triggers[0];
    assert_eq!(t.type_name(), "Daily");
    assert_eq!(t.begin, (2013, 7, 12));
    assert_eq!(t.start, (15, 42));
    assert_eq!((t.minutes_duration, t.minutes_interval), (1440, 60));
    assert_eq!(t.specific[0], 1, "every day");
}

#[test]
fn task_xml_utf16_as_windows_writes_it() {
    // A task written out by hand in the Task Scheduler schema, encoded as
    // Windows does (UTF-16LE with BOM, XML declaration saying UTF-16).
    let xml = r#"<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Date>2024-03-01T10:15:00</Date>
    <Author>CORP\admin</Author>
    <URI>\Updater</URI>
  </RegistrationInfo>
  <Triggers>
    <TimeTrigger><StartBoundary>2024-03-01T10:20:00</StartBoundary><Enabled>true</Enabled>
      <Repetition><Interval>PT5M</Interval></Repetition></TimeTrigger>
    <LogonTrigger><UserId>CORP\user</UserId></LogonTrigger>
  </Triggers>
  <Principals><Principal id="Author"><UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel></Principal></Principals>
  <Settings><Hidden>true</Hidden><Enabled>true</Enabled></Settings>
  <Actions Context="Author">
    <Exec><Command>C:\Users\Public\a.exe</Command><Arguments>-q -x</Arguments></Exec>
    <ComHandler><ClassId>{0000-1111}</ClassId></ComHandler>
  </Actions>
</Task>"#;
    let mut b = vec![0xFF, 0xFE];
    for u in xml.encode_utf16() {
        b.extend_from_slice(&u.to_le_bytes());
    }
    assert!(tasks::looks_like_task_xml(&b));
    let t = parse_task_xml(&b).unwrap();
    assert_eq!(t.uri.as_deref(), Some("\\Updater"));
    assert_eq!(t.author.as_deref(), Some("CORP\\admin"));
    assert_eq!(t.registration_date.as_deref(), Some("2024-03-01T10:15:00"));
    assert_eq!(t.triggers.len(), 2);
    assert_eq!(t.triggers[0].kind, "TimeTrigger");
    assert_eq!(t.triggers[0].repetition_interval.as_deref(), Some("PT5M"));
    assert_eq!(t.triggers[1].user_id.as_deref(), Some("CORP\\user"));
    assert_eq!(t.user_id.as_deref(), Some("S-1-5-18"));
    assert_eq!(t.run_level.as_deref(), Some("HighestAvailable"));
    assert!(t.hidden && t.enabled);
    assert_eq!(t.actions.len(), 2);
    assert_eq!(
        t.actions[0].command_line(),
        "C:\\Users\\Public\\a.exe -q -x"
    );
    assert!(parse_task_xml(b"<NotATask/>").is_err());
    assert!(parse_task_xml(b"<Task><unclosed>").is_err());
}

/// xorshift garbage and mutated fixtures through every parser: no panic,
/// no hang.
#[test]
fn hostile_bytes_never_panic() {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let seeds = [
        fixture_bytes("misc/example.lnk"),
        fixture_bytes("misc/1b4dd67f29cb1962.automaticDestinations-ms"),
        fixture_bytes("misc/5afe4de1b92fc382.customDestinations-ms"),
        fixture_bytes("misc/recycler_$I103S5F.jpg"),
        fixture_bytes("misc/recycler_$II3DF3L.zip"),
        fixture_bytes("misc/recycler_INFO2"),
        fixture_bytes("misc/wintask.job"),
        fixture_bytes("misc/windefender_DetectionHistory_6AFE33A0"),
    ];
    let run_all = |b: &[u8]| {
        let _ = parse_lnk(b);
        let _ = parse_automatic(b);
        let _ = parse_custom(b);
        let _ = parse_recycle_i(b);
        let _ = parse_info2(b);
        let _ = parse_job(b);
        let _ = parse_task_xml(b);
        let _ = parse_zone_identifier(b);
        let _ = parse_detection_history(b);
        let _ = shell_items::parse_id_list(b);
    };
    for i in 0..4000 {
        let mut buf = seeds[i % seeds.len()].clone();
        for _ in 0..1 + next() % 24 {
            let at = (next() as usize) % buf.len();
            buf[at] = next() as u8;
        }
        if i % 5 == 0 {
            let cut = (next() as usize) % buf.len();
            buf.truncate(cut);
        }
        run_all(&buf);
    }
    for len in 0..800 {
        let buf: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        run_all(&buf);
        let mut cfb = cfb::SIGNATURE.to_vec();
        cfb.extend_from_slice(&buf);
        cfb.resize(cfb.len().max(1536), 0);
        run_all(&cfb);
    }
}

/// Files of the scenario image's C: volume (by path prefix and optional
/// stream), extracted with TSK (`fls` + `icat`), an independent NTFS reader.
fn scenario_files(want: impl Fn(&str) -> bool) -> Vec<(String, Vec<u8>)> {
    let img = rift_testutil::raw_image("scenario/public/disk.E01");
    let img = img.to_str().unwrap();
    let listing = run_tool("fls", &["-r", "-p", "-o", "206848", img]);
    let mut out = Vec::new();
    for line in listing.lines() {
        let Some((meta, path)) = line.split_once(":\t") else {
            continue;
        };
        if !meta.starts_with("r/r") || meta.contains('*') || !want(path) {
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

/// The scenario's shell artifacts against its answer key (and lnkinfo).
#[test]
fn scenario_shell_artifacts_match_truth() {
    let truth: serde_json::Value =
        serde_json::from_slice(&fixture_bytes("scenario/public/truth.json")).unwrap();
    let files = scenario_files(|p| {
        p.starts_with("$Recycle.Bin/")
            || p.contains("/Recent/")
            || p.starts_with("Windows/System32/Tasks/")
            || p.ends_with(":Zone.Identifier")
    });
    let get = |suffix: &str| -> &Vec<u8> {
        &files
            .iter()
            .find(|(p, _)| p.ends_with(suffix))
            .unwrap_or_else(|| panic!("{suffix} not in image"))
            .1
    };

    // $I: original path, size, deletion time.
    let rb = &truth["recycle_bin"];
    let i = parse_recycle_i(get("$I103S5F.jpg")).unwrap();
    assert_eq!(i.path, rb["original_path"].as_str().unwrap());
    assert_eq!(i.size, rb["size"].as_u64().unwrap());
    let want: jiff::Timestamp = rb["deleted_utc"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        i.deleted.to_timestamp().unwrap().as_microsecond(),
        want.as_microsecond()
    );

    // The .lnk in Recent: every field against lnkinfo.
    let (lnk_path, lnk_bytes) = files.iter().find(|(p, _)| p.ends_with(".lnk")).unwrap();
    let tmp = TempDir::new("rift-shell-scenario");
    let p = tmp.path().join("x.lnk");
    std::fs::write(&p, lnk_bytes).unwrap();
    assert_matches_lnkinfo(&parse_lnk(lnk_bytes).unwrap(), &p);
    assert!(lnk_path.contains("Users/jiwoo/"));

    // The jump list: all 7 entries, each with its LNK stream.
    let jl = parse_automatic(get(".automaticDestinations-ms")).unwrap();
    assert!(jl.warnings.is_empty(), "{:?}", jl.warnings);
    assert_eq!(jl.entries.len(), 7);
    assert!(jl.entries.iter().all(|e| jl.link_for(e).is_some()));

    // Scheduled task: the payload's command line.
    let st = &truth["scheduled_task"];
    let name = st["name"].as_str().unwrap();
    let t = parse_task_xml(get(&format!("Tasks/{name}"))).unwrap();
    assert_eq!(t.uri.as_deref(), Some(format!("\\{name}").as_str()));
    assert_eq!(t.actions.len(), 1);
    assert_eq!(t.actions[0].command_line(), st["command"].as_str().unwrap());
    assert_eq!(t.triggers[0].kind, "TimeTrigger");
    // The trigger fires when the payload started (local time, as written).
    let started = truth["infecting_file_started_kst"].as_str().unwrap();
    assert_eq!(t.triggers[0].start_boundary.as_deref(), Some(started));

    // The downloaded tool's Zone.Identifier.
    let z = parse_zone_identifier(get(":Zone.Identifier"));
    assert_eq!(z.zone_id, Some(3));
    assert_eq!(z.host_url.as_deref(), truth["download_url"].as_str());
    assert_eq!(
        z.referrer_url.as_deref(),
        truth["download_referrer"].as_str()
    );
}

#[test]
fn defender_detection_history_by_hand() {
    // Read off `xxd` of the fixture: typed values (u32 len, u32 type,
    // data, 8-byte padding); threat name at 0x58, resources at 0x178..0x880,
    // FILETIMEs at 0xeb8 (01d89d8a_xxxx = 2022-07-22 05:37:02.757437),
    // account at 0xf20.
    let h = parse_detection_history(&fixture_bytes("misc/windefender_DetectionHistory_6AFE33A0"))
        .unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    assert_eq!(h.threat_name.as_deref(), Some("Virus:DOS/EICAR_Test_File"));
    assert_eq!(
        h.detection_id.unwrap().to_string(),
        "6afe33a0-19ba-4fff-892f-b700539d7d63"
    );
    let kinds: Vec<&str> = h.resources.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["containerfile", "file", "webfile"]);
    assert_eq!(
        h.resources[0].path,
        "C:\\Users\\testuser\\Downloads\\eicar_com.zip"
    );
    assert_eq!(h.web_url(), Some("https://secure.eicar.org/eicar_com.zip"));
    assert_eq!(h.times.len(), 3);
    let t = format_ez(h.times[0].to_timestamp().unwrap());
    assert!(t.starts_with("2022-07-22 05:37:02.757"), "{t}");
    assert_eq!(h.accounts, ["FRYPTOP\\testuser", "NT AUTHORITY\\SYSTEM"]);
    assert!(parse_detection_history(b"garbage!").is_err());
}
