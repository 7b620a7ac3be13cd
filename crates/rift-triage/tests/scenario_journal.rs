//! The ransomware detector on the real journal of the scenario image, before
//! (and independently of) rift's own parsers: `$J` is read out with TSK's
//! `icat`, its USN_RECORD_V2 records are decoded here by hand from the
//! format (MS-FSCC 2.4 / `USN_RECORD_V2`), folder paths come from TSK's
//! `fls -r -p`. Expected values come from `scenario/public/truth.json`.

use rift_testutil::{fixture, run_tool};
use rift_timeline::{CaseDb, DbTime, MftRow, UsnRow};

fn le16(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}
fn le32(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap())
}
fn le64(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap())
}

#[test]
fn scenario_journal_answers() {
    let img = fixture("scenario/public/disk.E01");
    let img = img.to_str().unwrap();
    // C: starts at sector 206848 (truth.json partition_offsets_sectors);
    // $UsnJrnl is MFT entry 64, $J its attribute 128-5 (per `fls` of $Extend).
    let j = std::process::Command::new("icat")
        .args(["-o", "206848", img, "64-128-5"])
        .output()
        .expect("icat");
    assert!(j.status.success());
    let j = j.stdout;
    let fls = run_tool("fls", &["-r", "-p", "-o", "206848", img]);

    let mut db = CaseDb::open_in_memory().unwrap();
    let mut dirs = Vec::new();
    for line in fls.lines() {
        // "d/d 96-144-2:\tProgramData/Microsoft"
        let Some((meta, path)) = line.split_once(":\t") else {
            continue;
        };
        if !meta.starts_with("d/d") {
            continue;
        }
        let entry: i64 = meta[4..]
            .split('-')
            .next()
            .unwrap()
            .trim_start_matches("* ")
            .parse()
            .unwrap_or(-1);
        dirs.push(MftRow {
            entry,
            is_dir: Some(true),
            in_use: Some(true),
            full_path: Some(format!("C:\\{}", path.replace('/', "\\"))),
            ..Default::default()
        });
    }
    dirs.push(MftRow {
        entry: 5,
        is_dir: Some(true),
        full_path: Some("C:".into()),
        ..Default::default()
    });
    db.insert_mft(&dirs).unwrap();

    let mut rows = Vec::new();
    let mut off = 0usize;
    while off + 60 <= j.len() {
        let len = le32(&j, off) as usize;
        if len == 0 {
            off += 8;
            continue;
        }
        if le16(&j, off + 4) != 2 || !(60..=4096).contains(&len) || off + len > j.len() {
            off += 8;
            continue;
        }
        let r = &j[off..off + len];
        let fref = le64(r, 8);
        let pref = le64(r, 16);
        let name_len = le16(r, 56) as usize;
        let name_off = le16(r, 58) as usize;
        let units: Vec<u16> = r[name_off..name_off + name_len]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        rows.push(UsnRow {
            usn: Some(le64(r, 24) as i64),
            time: DbTime::from_filetime(rift_io::time::FileTime(le64(r, 32))),
            entry: Some((fref & 0xFFFF_FFFF_FFFF) as i64),
            seq: Some((fref >> 48) as i64),
            parent_entry: Some((pref & 0xFFFF_FFFF_FFFF) as i64),
            parent_seq: Some((pref >> 48) as i64),
            name: Some(String::from_utf16_lossy(&units)),
            reasons: le32(r, 40) as i64,
            attributes: Some(le32(r, 52) as i64),
            version: Some(2),
            offset: Some(off as i64),
            ..Default::default()
        });
        off += (len + 7) & !7;
    }
    assert_eq!(rows.len(), 2130, "truth.json usn_records");
    db.insert_usn(&rows).unwrap();

    let f = rift_triage::analyze(&db).unwrap();
    let r = &f.ransomware;
    assert!(r.detected);
    assert_eq!(r.extension.as_deref(), Some(".krypt"));
    assert_eq!(r.ransom_note.as_deref(), Some("README_FOR_DECRYPT.txt"));
    assert_eq!(r.encrypted_count, 289);
    assert_eq!(r.style.as_deref(), Some("copy_delete"));
    assert_eq!(r.note_timing.as_deref(), Some("after"));
    let first = r.first_encrypted.as_ref().unwrap();
    assert_eq!(first.name, "estimate.pptx");
    assert_eq!(
        first.path.as_deref(),
        Some(r"C:\Users\jiwoo\Desktop\estimate.pptx")
    );
    assert_eq!(
        r.infection_time.as_deref(),
        Some("2023-08-17T08:02:05.299250Z")
    );
    // From the journal alone: the payload's .pf appears during the burst and
    // the program was written to Temp minutes before.
    let inf = r.infecting_file.as_ref().unwrap();
    assert_eq!(inf.name, "svhost32.exe");
    assert_eq!(
        inf.path.as_deref(),
        Some(r"C:\Users\jiwoo\AppData\Local\Temp\svhost32.exe")
    );
    // Decoys stay out: the .bak backup burst and the user rename.
    assert!(
        f.findings.iter().all(|x| !x.title.contains(".bak")),
        "{:#?}",
        f.findings
    );
    let tz = rift_io::time::DisplayZone::parse("+09:00").unwrap();
    let k = rift_triage::report::keeper(&f, &tz);
    assert!(
        k.starts_with("KEEPER{estimate.pptx_2023-08-17T17:02:05_svhost32.exe}\n"),
        "{k}"
    );
}
