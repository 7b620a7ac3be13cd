//! Insert throughput of the case database (run by `bench/timeline.sh`):
//! `cargo run --release -p rift-timeline --example insert_bench -- DIR N`.
//! Writes N synthetic `usn` rows and N `mft` rows in batches, builds the
//! timeline and exports it, printing rows/s for each step.

use std::time::Instant;

use rift_io::time::{DisplayZone, FileTime};
use rift_timeline::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(
        args.get(1)
            .map(String::as_str)
            .unwrap_or("/tmp/rift-insert-bench"),
    );
    let n: i64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("case.sqlite");
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_file(dir.join("case.sqlite-wal"));
    let _ = std::fs::remove_file(dir.join("case.sqlite-shm"));
    let mut db = CaseDb::create(&path)?;
    let base = 133_367_329_252_992_500u64;

    let t0 = Instant::now();
    let mut batch = Vec::with_capacity(SUGGESTED_BATCH);
    for i in 0..n {
        batch.push(UsnRow {
            source_id: Some(1),
            volume_id: Some(1),
            usn: Some(i * 96),
            time: DbTime::from_filetime(FileTime(base + i as u64 * 1000)),
            entry: Some(i % 100_000),
            seq: Some(1),
            parent_entry: Some(5),
            parent_seq: Some(5),
            name: Some(format!("file_{i}.docx")),
            extension: Some(".docx".into()),
            full_path: Some(format!(r"C:\Users\u\Documents\file_{i}.docx")),
            reasons: 0x8000_0100,
            reasons_text: Some("FileCreate|Close".into()),
            attributes: Some(0x20),
            version: Some(2),
            offset: Some(i * 96),
            ..Default::default()
        });
        if batch.len() == SUGGESTED_BATCH {
            db.insert_usn(&batch)?;
            batch.clear();
        }
    }
    db.insert_usn(&batch)?;
    batch.clear();
    let s = t0.elapsed().as_secs_f64();
    println!(
        "usn insert: {n} rows in {s:.2} s = {:.0} rows/s",
        n as f64 / s
    );

    let t0 = Instant::now();
    let mut mb = Vec::with_capacity(SUGGESTED_BATCH);
    for i in 0..n {
        let t = DbTime::from_filetime(FileTime(base + i as u64 * 1000));
        mb.push(MftRow {
            source_id: Some(2),
            volume_id: Some(1),
            entry: i,
            seq: Some(1),
            in_use: Some(true),
            is_dir: Some(false),
            parent_entry: Some(5),
            parent_seq: Some(5),
            name: Some(format!("file_{i}.docx")),
            full_path: Some(format!(r"C:\Users\u\Documents\file_{i}.docx")),
            extension: Some(".docx".into()),
            size: Some(1234),
            si_created: t.clone(),
            si_modified: t.clone(),
            si_mft_modified: t.clone(),
            si_accessed: t.clone(),
            fn_created: t.clone(),
            fn_modified: t.clone(),
            fn_mft_modified: t.clone(),
            fn_accessed: t,
            si_flags: Some(0x20),
            ..Default::default()
        });
        if mb.len() == SUGGESTED_BATCH {
            db.insert_mft(&mb)?;
            mb.clear();
        }
    }
    db.insert_mft(&mb)?;
    let s = t0.elapsed().as_secs_f64();
    println!(
        "mft insert: {n} rows in {s:.2} s = {:.0} rows/s",
        n as f64 / s
    );

    let t0 = Instant::now();
    let ev = db.build_timeline()?;
    let s = t0.elapsed().as_secs_f64();
    println!(
        "build_timeline: {ev} events in {s:.2} s = {:.0} events/s",
        ev as f64 / s
    );

    let t0 = Instant::now();
    db.finish()?;
    let s = t0.elapsed().as_secs_f64();
    println!("finish (build indexes): {s:.2} s");

    let t0 = Instant::now();
    let f = std::fs::File::create(dir.join("timeline.csv"))?;
    let ev = export_csv(
        &db,
        std::io::BufWriter::new(f),
        &DisplayZone::parse("+09:00")?,
    )?;
    let s = t0.elapsed().as_secs_f64();
    println!(
        "export_csv: {ev} events in {s:.2} s = {:.0} events/s",
        ev as f64 / s
    );

    let t0 = Instant::now();
    let f = std::fs::File::create(dir.join("timeline.jsonl"))?;
    let ev = export_jsonl(&db, f)?;
    let s = t0.elapsed().as_secs_f64();
    println!(
        "export_jsonl: {ev} events in {s:.2} s = {:.0} events/s",
        ev as f64 / s
    );
    db.finish()?;
    Ok(())
}
