//! The staged ransomware image: full paths for every `$J` record and
//! carving the same records back when `$J` is not read.
//!
//! Expected values: `scenario/public/truth.json` (the answer key: record
//! count, first USN, original paths of the encrypted files) and TSK's view
//! of the volume (`fls`) where noted.

use std::collections::HashSet;
use std::sync::OnceLock;

use rift_carve::{CarveOptions, LiveStatus, carve, find_usn_journal, mark_live, read_usn_journal};
use rift_ntfs::Ntfs;
use rift_testutil::{fixture, raw_image, require_tool, run_tool};
use rift_usn::Reason;

fn truth() -> serde_json::Value {
    let t = std::fs::read_to_string(fixture("scenario/public/truth.json")).unwrap();
    serde_json::from_str(&t).unwrap()
}

/// The image as raw (exported once; tests run in parallel).
fn raw() -> &'static std::path::Path {
    static RAW: OnceLock<std::path::PathBuf> = OnceLock::new();
    RAW.get_or_init(|| raw_image("scenario/public/disk.E01"))
}

fn volume() -> (std::fs::File, u64, Ntfs) {
    let raw = raw();
    let f = std::fs::File::open(raw).unwrap();
    let t = truth();
    let start = t["partition_offsets_sectors"]["c"].as_u64().unwrap() * 512;
    let size = rift_io::ReadAt::size(&f);
    let vol = rift_io::SubRange::new(std::fs::File::open(raw).unwrap(), start, size - start);
    (f, start, Ntfs::open(vol).unwrap())
}

/// `C:\a\b` → `\a\b`.
fn vol_path(p: &str) -> String {
    p.trim_start_matches("C:").to_owned()
}

#[test]
fn every_record_has_a_full_path_including_deleted_originals() {
    let t = truth();
    let (_, _, ntfs) = volume();
    let src = find_usn_journal(&ntfs).unwrap().unwrap();
    assert_eq!(src.entry, t["usn_jrnl_mft_entry"].as_u64().unwrap());
    // The sparse prefix is not in the allocated ranges.
    let first_usn = t["usn_journal"]["first_usn"].as_u64().unwrap();
    assert!(
        src.ranges.iter().all(|r| r.start >= first_usn),
        "{:?}",
        src.ranges
    );

    let j = read_usn_journal(&ntfs, Vec::new()).unwrap();
    assert!(j.damage.is_empty(), "{:?}", j.damage);
    assert_eq!(j.records.len() as u64, t["usn_records"].as_u64().unwrap());
    assert_eq!(j.records[0].record.usn as u64, first_usn);
    assert_eq!(j.stats.sparse_bytes, first_usn);
    let incomplete: Vec<_> = j
        .records
        .iter()
        .filter(|r| !r.path_complete)
        .map(|r| &r.full_path)
        .collect();
    assert!(
        incomplete.is_empty(),
        "{} incomplete, e.g. {:?}",
        incomplete.len(),
        &incomplete[..incomplete.len().min(5)]
    );

    // Every encrypted file's original: created earlier, deleted during the
    // attack; its path must come out whole from a deleted-file record.
    let deleted: HashSet<&str> = j
        .records
        .iter()
        .filter(|r| r.record.reason.contains(Reason::FILE_DELETE))
        .map(|r| r.full_path.as_str())
        .collect();
    let files = t["encrypted_files"].as_array().unwrap();
    assert_eq!(files.len(), 289);
    for f in files {
        let orig = vol_path(f["original_path"].as_str().unwrap());
        assert!(
            deleted.contains(orig.as_str()),
            "no delete record with path {orig}"
        );
    }
    // The browser's temporary download file, deleted or renamed away, in
    // the download folder.
    let dl = vol_path(t["downloaded_file_path"].as_str().unwrap());
    let dl_dir = &dl[..dl.rfind('\\').unwrap()];
    let crd: Vec<_> = j
        .records
        .iter()
        .filter(|r| r.record.name.ends_with(".crdownload"))
        .collect();
    assert!(!crd.is_empty());
    assert!(
        crd.iter()
            .all(|r| r.parent_path == dl_dir && r.path_complete),
        "{:?}",
        crd.iter().map(|r| &r.full_path).collect::<Vec<_>>()
    );
    assert!(crd.iter().any(|r| {
        r.record
            .reason
            .intersects(Reason::FILE_DELETE | Reason::RENAME_OLD_NAME)
    }));
}

#[test]
fn carving_finds_the_journal_again_without_reading_it() {
    let t = truth();
    let (img, start, ntfs) = volume();
    // Scan the whole volume (not through $J): every journal record is found
    // again at image offset = volume start + its cluster position.
    let size = ntfs.boot_sector().total_sectors * 512;
    let opts = CarveOptions {
        usn: true,
        file_records: true,
        record_size: ntfs.record_size(),
    };
    let mut c = carve(&img, std::slice::from_ref(&(start..start + size)), 0, &opts);
    let live = read_usn_journal(&ntfs, Vec::new()).unwrap();
    let carved_usns: HashSet<i64> = c.usn.iter().map(|r| r.usn).collect();
    let missing: Vec<i64> = live
        .records
        .iter()
        .map(|r| r.record.usn)
        .filter(|u| !carved_usns.contains(u))
        .collect();
    assert!(
        missing.is_empty(),
        "{} live records not carved, e.g. {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert!(c.usn.len() as u64 >= t["usn_records"].as_u64().unwrap());
    // Merged with the live journal, the carved copies are all duplicates.
    let merged = read_usn_journal(&ntfs, c.usn.clone()).unwrap();
    assert_eq!(
        merged.records.len(),
        live.records.len() + merged.records.iter().filter(|r| r.carved).count()
    );
    assert!(merged.carved_duplicates >= live.records.len() as u64);

    // FILE records of deleted entries: every named deleted entry TSK's
    // `fls -d` lists is carved as a record not in use, with that name. (The
    // encrypted files' originals had their entries reused: their names
    // survive only in the journal, checked in the test above.)
    require_tool("fls");
    let off = t["partition_offsets_sectors"]["c"]
        .as_u64()
        .unwrap()
        .to_string();
    let fls = run_tool(
        "fls",
        &["-d", "-r", "-p", "-o", &off, raw().to_str().unwrap()],
    );
    mark_live(&ntfs, &mut c.file_records);
    let mut checked = 0;
    for line in fls.lines() {
        let Some((meta, path)) = line.split_once(":\t") else {
            continue;
        };
        if path.starts_with("$OrphanFiles") {
            continue;
        }
        let inode: u64 = meta
            .rsplit(' ')
            .next()
            .unwrap()
            .split('-')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let name = path.rsplit('/').next().unwrap();
        let hit = c.file_records.iter().find(|r| {
            r.has_number
                && r.entry.number == inode
                && !r.entry.in_use()
                && r.entry.best_file_name().is_some_and(|f| f.name == name)
        });
        assert!(hit.is_some(), "deleted entry {inode} {name} not carved");
        checked += 1;
    }
    assert!(checked > 0, "fls listed no named deleted entry: {fls}");
    assert!(
        c.file_records
            .iter()
            .any(|r| r.live == LiveStatus::SameAsLive)
    );
}

#[test]
fn unallocated_scan_is_limited_to_free_clusters() {
    let (img, start, ntfs) = volume();
    let free = rift_carve::unallocated_ranges(&ntfs);
    assert!(!free.is_empty());
    let cs = ntfs.cluster_size();
    // Spot-check against $Bitmap: the first cluster of each range is free
    // and the cluster before it is not.
    for r in free.iter().take(50) {
        assert_eq!(ntfs.cluster_allocated(r.start / cs), Some(false));
        if r.start > 0 {
            assert_eq!(ntfs.cluster_allocated(r.start / cs - 1), Some(true));
        }
    }
    let image_ranges: Vec<_> = free
        .iter()
        .map(|r| start + r.start..start + r.end)
        .collect();
    let c = carve(&img, &image_ranges, 0, &CarveOptions::default());
    assert_eq!(
        c.bytes_scanned,
        free.iter().map(|r| r.end - r.start).sum::<u64>()
    );
    // $J lives in allocated clusters: none of its records may come from a
    // free-space scan at the offsets of the live journal's clusters.
    let src = find_usn_journal(&ntfs).unwrap().unwrap();
    let live_ranges: Vec<_> = src.stream.allocated_ranges();
    for r in &c.usn {
        let vo = r.offset - start;
        assert!(
            !live_ranges
                .iter()
                .any(|a| a.volume_offset <= vo && vo < a.volume_offset + a.length)
        );
    }
}
