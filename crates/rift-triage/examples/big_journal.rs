//! Detector speed on a big journal (run by hand, not in CI):
//! `cargo run --release -p rift-triage --example big_journal -- [DIR] [ROWS]`.
//! Writes a case database with ROWS (default 2,000,000) `usn` rows of
//! churn plus a scenario attack (see `tests/common`), then times
//! `rift_triage::analyze` and `run_all` on it and checks the answers.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use rift_timeline::CaseDb;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(
        args.get(1)
            .map(String::as_str)
            .unwrap_or("/tmp/rift-big-journal"),
    );
    let n: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("case.sqlite");
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("case.sqlite{ext}")));
    }
    let t0 = Instant::now();
    let mut db = CaseDb::create(&path)?;
    common::bulk_churn(&mut db, n);
    let knobs = common::Knobs {
        style: common::Style::OverwriteRename,
        user_renames: 15,
        backup_minutes_before: Some(3.0),
        other_user: Some("office".into()),
        churn_scale: 6,
        ..common::Knobs::default()
    };
    let (mut db, truth) = common::build_into(&knobs, db);
    db.build_timeline()?;
    db.finish()?;
    drop(db);
    println!(
        "built {} in {:.1} s",
        path.display(),
        t0.elapsed().as_secs_f64()
    );

    let db = CaseDb::open(&path)?;
    let rows = db.count("usn")?;
    let t1 = Instant::now();
    let f = rift_triage::analyze(&db)?;
    let a = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let f2 = rift_triage::run_all(&db)?;
    let b = t2.elapsed().as_secs_f64();
    println!("usn rows: {rows}; analyze {a:.2} s; run_all {b:.2} s");
    let first = f
        .ransomware
        .first_encrypted
        .as_ref()
        .map(|x| x.name.clone());
    println!(
        "first={first:?} (truth {}) infecting={:?} (truth {}) count={} (truth {})",
        truth.first_name,
        f.ransomware.infecting_file.as_ref().map(|x| &x.name),
        truth.infecting_name,
        f.ransomware.encrypted_count,
        truth.encrypted
    );
    assert_eq!(first.as_deref(), Some(truth.first_name.as_str()));
    assert_eq!(
        f,
        Findings {
            timeline_excerpt: Vec::new(),
            ..f2
        }
    );
    Ok(())
}

use rift_triage::Findings;
