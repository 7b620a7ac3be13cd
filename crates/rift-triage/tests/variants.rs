//! The detectors on scenario variants the public image does not show:
//! each test sets the scenario builder's knobs (encryption style, note
//! timing, payload behaviour, decoys), writes a case database shaped like
//! rift's own output for a real image (see `common`), and checks every
//! answer against what was written.

mod common;

use common::*;
use rift_io::time::DisplayZone;
use rift_triage::Findings;

fn check(f: &Findings, t: &Truth) {
    let r = &f.ransomware;
    assert!(r.detected, "{r:#?}");
    assert_eq!(
        r.extension.as_deref(),
        Some(t.extension.as_str()),
        "extension"
    );
    assert_eq!(r.encrypted_count as usize, t.encrypted, "count");
    assert_eq!(r.ransom_note, t.note, "note");
    assert_eq!(r.style.as_deref(), Some(t.style), "style");
    assert_eq!(r.note_timing.as_deref(), t.note_timing, "note timing");
    let first = r.first_encrypted.as_ref().expect("first file");
    assert_eq!(first.name, t.first_name, "{r:#?}");
    assert_eq!(first.path.as_deref(), Some(t.first_path.as_str()));
    assert_eq!(
        r.infection_time.as_deref(),
        Some(z(t.infection_s).as_str()),
        "{:#?}",
        r.evidence
    );
    let inf = r.infecting_file.as_ref().expect("infecting file");
    assert_eq!(inf.name, t.infecting_name, "{:#?}", r.candidates);
    assert_eq!(inf.path.as_deref(), Some(t.infecting_path.as_str()));
    let i = &f.initial_access;
    assert!(i.detected, "{i:#?}");
    assert_eq!(i.download_url.as_deref(), Some(t.download_url.as_str()));
    assert_eq!(
        i.downloaded_file.as_ref().map(|d| d.name.as_str()),
        Some(t.downloaded_name.as_str())
    );
    assert_eq!(i.executed.as_deref(), Some(z(t.executed_s).as_str()));
    // The KEEPER lines in +09:00, worked out by hand from the truth.
    let k = rift_triage::report::keeper(f, &DisplayZone::parse("+09:00").unwrap());
    let want = format!(
        "KEEPER{{{}_{}_{}}}\nKEEPER{{{}_{}_{}}}\n",
        t.first_name.to_lowercase().replace(' ', "_"),
        keeper_time(t.infection_s, 9),
        t.infecting_name.to_lowercase().replace(' ', "_"),
        t.download_url,
        t.downloaded_name.to_lowercase().replace(' ', "_"),
        keeper_time(t.executed_s, 9),
    );
    assert_eq!(k, want);
}

fn run(k: &Knobs) -> (Findings, Truth) {
    let (db, t) = build(k);
    (rift_triage::analyze(&db).unwrap(), t)
}

#[test]
fn baseline_like_public() {
    let (f, t) = run(&Knobs::default());
    check(&f, &t);
}

#[test]
fn rename_in_place_overwrite_then_rename_note_before() {
    let (f, t) = run(&Knobs {
        style: Style::OverwriteRename,
        note: NoteMode::Before("!!!READ_ME!!!.txt".into()),
        suffix: ".vault".into(),
        ..Knobs::default()
    });
    check(&f, &t);
}

#[test]
fn rename_in_place_rename_then_overwrite_with_earlier_edit() {
    // The first file was edited by its user 40 minutes before: its first
    // journal record in the burst is the rename, not that edit.
    let (f, t) = run(&Knobs {
        style: Style::RenameOverwrite,
        earlier_edit: true,
        ..Knobs::default()
    });
    check(&f, &t);
}

#[test]
fn extension_replaced_copy_delete_and_in_place() {
    for style in [Style::ReplaceCopyDelete, Style::ReplaceRename] {
        let (f, t) = run(&Knobs {
            style,
            suffix: ".crypted".into(),
            ..Knobs::default()
        });
        check(&f, &t);
    }
}

#[test]
fn per_victim_long_suffix() {
    for style in [Style::CopyDelete, Style::OverwriteRename] {
        let (f, t) = run(&Knobs {
            style,
            suffix: ".id-1A2B3C4D.[recover@mail.example].eking".into(),
            note: NoteMode::After("info.hta".into()),
            ..Knobs::default()
        });
        check(&f, &t);
    }
}

#[test]
fn temp_file_renamed_into_place() {
    let (f, t) = run(&Knobs {
        style: Style::TempRenameDelete,
        ..Knobs::default()
    });
    check(&f, &t);
}

#[test]
fn two_note_formats_and_no_note() {
    let (f, t) = run(&Knobs {
        note: NoteMode::TwoKinds("DECRYPT_FILES".into()),
        ..Knobs::default()
    });
    check(&f, &t);
    assert_eq!(
        f.ransomware.ransom_notes,
        vec![
            "DECRYPT_FILES.txt".to_string(),
            "DECRYPT_FILES.hta".to_string()
        ]
    );
    let (f, t) = run(&Knobs {
        note: NoteMode::None,
        ..Knobs::default()
    });
    check(&f, &t);
    assert!(f.ransomware.ransom_notes.is_empty());
}

#[test]
fn self_deleting_payload_started_by_run_key_service_or_wmi() {
    for start_by in [Start::RunKey, Start::Service, Start::Wmi, Start::Task] {
        let (f, t) = run(&Knobs {
            self_delete: true,
            start_by,
            payload_name: "svchost.exe".into(),
            system_binary: Some("svchost.exe".into()),
            ..Knobs::default()
        });
        check(&f, &t);
        assert!(
            f.ransomware
                .evidence
                .iter()
                .any(|e| e.text.contains("deleted")),
            "{start_by:?}"
        );
    }
}

#[test]
fn system_binaries_busy_during_the_burst() {
    for sys in ["SearchIndexer.exe", "MsMpEng.exe", "svchost.exe"] {
        let (f, t) = run(&Knobs {
            system_binary: Some(sys.into()),
            style: Style::OverwriteRename,
            ..Knobs::default()
        });
        check(&f, &t);
    }
}

#[test]
fn backup_copies_minutes_before_and_user_renames() {
    let (f, t) = run(&Knobs {
        backup_minutes_before: Some(3.0),
        user_renames: 15,
        ..Knobs::default()
    });
    check(&f, &t);
    // The user's rename shows as a mass rename, not as encryption.
    assert!(
        f.findings
            .iter()
            .any(|x| x.title.contains("Mass rename (.old)")),
        "{:#?}",
        f.findings
    );
    let (f, t) = run(&Knobs {
        backup_minutes_before: Some(1.0),
        style: Style::RenameOverwrite,
        suffix: ".bak2".into(),
        ..Knobs::default()
    });
    check(&f, &t);
}

#[test]
fn benign_program_downloaded_and_run_before_the_tool() {
    // Run 20 minutes before the tool (also within an hour of the drop),
    // and three hours before.
    for m in [20.0, 180.0, -2.0] {
        let (f, t) = run(&Knobs {
            benign_exe_minutes_before_tool: Some(m),
            ..Knobs::default()
        });
        check(&f, &t);
    }
}

#[test]
fn redirecting_download_url() {
    // Chromium's chain: the link clicked, then the CDN; HostUrl = final URL.
    let (f, t) = run(&Knobs {
        tool_chain: vec![
            "https://kms-tools.example/get?id=77".into(),
            "https://cdn3.kms-tools.example/b/KMSAuto%20Lite.exe".into(),
        ],
        tool_host_url: Some("https://cdn3.kms-tools.example/b/KMSAuto%20Lite.exe".into()),
        ..Knobs::default()
    });
    check(&f, &t);
    assert_eq!(f.initial_access.url_chain.len(), 2);
    // Without a Zone.Identifier, the last hop of the chain.
    let (f, t) = run(&Knobs {
        tool_chain: vec![
            "https://kms-tools.example/get?id=77".into(),
            "https://cdn3.kms-tools.example/b/KMSAuto%20Lite.exe".into(),
        ],
        tool_host_url: None,
        ..Knobs::default()
    });
    check(&f, &t);
}

#[test]
fn same_second_timestamps_tie_broken_by_usn() {
    for style in [Style::CopyDelete, Style::OverwriteRename] {
        let (f, t) = run(&Knobs {
            coarse_times: true,
            style,
            ..Knobs::default()
        });
        check(&f, &t);
    }
}

#[test]
fn two_users_and_two_volumes() {
    for second_volume in [false, true] {
        let (f, t) = run(&Knobs {
            other_user: Some("office".into()),
            second_volume,
            ..Knobs::default()
        });
        check(&f, &t);
        assert_eq!(
            f.ransomware.users,
            vec!["minsu".to_string(), "office".to_string()]
        );
    }
}

#[test]
fn payload_started_long_after_drop_in_system_named_user_folder() {
    let (f, t) = run(&Knobs {
        payload_name: "SearchIndexer.exe".into(),
        payload_dir: r"AppData\Local\Microsoft\Windows".into(),
        system_binary: Some("SearchIndexer.exe".into()),
        start_delay_min: 45.0,
        start_by: Start::RunKey,
        ..Knobs::default()
    });
    check(&f, &t);
}

#[test]
fn keeper_times_truncate_and_follow_the_zone() {
    let (db, t) = build(&Knobs::default());
    let f = rift_triage::analyze(&db).unwrap();
    for (tz, off) in [("UTC", 0), ("+09:00", 9), ("-05:00", -5), ("Asia/Seoul", 9)] {
        let k = rift_triage::report::keeper(&f, &DisplayZone::parse(tz).unwrap());
        let line = k.lines().next().unwrap();
        assert!(
            line.contains(&format!("_{}_", keeper_time(t.infection_s, off))),
            "{tz}: {line}"
        );
    }
}
