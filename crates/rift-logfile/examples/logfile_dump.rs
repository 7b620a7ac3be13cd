//! Summarises a `$LogFile` (debugging aid): restart, counts, events.
fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: logfile_dump FILE [records]");
    let show = std::env::args().nth(2);
    let f = std::fs::File::open(path).expect("open");
    let log = rift_logfile::LogFile::parse(&f).expect("parse");
    if let Some(r) = log.restart() {
        println!(
            "restart copy {} v{}.{} current LSN {} seq bits {} clean {} clients {:?}",
            r.copy,
            r.major,
            r.minor,
            r.area.current_lsn,
            r.area.seq_number_bits,
            r.area.is_clean(),
            r.area.clients
        );
    }
    let c1 = log.records.iter().filter(|r| r.record_type == 1).count();
    let c2 = log.records.iter().filter(|r| r.record_type == 2).count();
    println!(
        "records {} (client {c1}, restart {c2}) range {:?}",
        log.records.len(),
        log.lsn_range()
    );
    println!(
        "incomplete {} slack {} buffer {}",
        log.records.iter().filter(|r| !r.complete).count(),
        log.records.iter().filter(|r| r.from_slack).count(),
        log.records
            .iter()
            .filter(|r| r.source != rift_logfile::PageSource::Circular)
            .count()
    );
    println!("ntfs restart {:?}", log.ntfs_restart());
    for w in log.warnings.iter().take(10) {
        println!("warn {w:?}");
    }
    let a = rift_logfile::analyze(&log);
    if show.is_some() {
        for (i, r) in log.records.iter().enumerate() {
            if let Some(c) = &r.client {
                println!(
                    "{} tx{:x} {:?}/{:?} t={:?} n={:?} ro={:x} ao={:x} redo={} undo={}",
                    r.lsn,
                    r.transaction_id,
                    c.redo_op,
                    c.undo_op,
                    a.targets[i],
                    a.names[i],
                    c.record_offset,
                    c.attribute_offset,
                    c.redo.len(),
                    c.undo.len()
                );
            }
        }
    }
    for e in &a.events {
        println!(
            "{:?} lsn {} entry {:?} {:?} path {:?} old {:?} time {:?} {}",
            e.kind,
            e.lsn,
            e.mft_entry,
            e.name,
            e.path,
            e.old_name,
            e.time.and_then(|t| t.to_timestamp()),
            e.detail
        );
    }
}
