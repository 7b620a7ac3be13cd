//! Every EVTX fixture against `evtx_dump` (the evtx crate's own CLI, run
//! here as the oracle): same records (by record number), same event IDs,
//! times, channels and computers; damaged logs report their damage with
//! offsets and keep the rest.

use std::path::{Path, PathBuf};
use std::process::Command;

use rift_evtx::{IssueKind, MapSet, ParseOptions, parse_evtx_all};
use rift_testutil::{TempDir, fixtures_dir, require_tool};

/// All `.evtx` fixtures the issue names.
fn all_evtx() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p
                .extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("evtx"))
            {
                out.push(p);
            }
        }
    }
    let root = fixtures_dir();
    let mut out = Vec::new();
    walk(&root.join("evtx"), &mut out);
    walk(&root.join("ransomware"), &mut out);
    out
}

/// (EventRecordID, EventID, SystemTime, Channel, Computer)
type Facts = (Option<u64>, Option<u64>, String, String, String);

/// What `evtx_dump -o jsonl` prints for a file.
struct Dump {
    /// One entry per record, sorted.
    records: Vec<Facts>,
    /// Chunk numbers it could not parse.
    bad_chunks: Vec<u64>,
    /// File offsets of records it could not read.
    bad_offsets: Vec<u64>,
    /// Record numbers it could not parse.
    bad_records: Vec<u64>,
}

/// The number after `prefix` in `s`, parsed with `radix`.
fn number_after(s: &str, prefix: &str, radix: u32) -> Option<u64> {
    let rest = &s[s.find(prefix)? + prefix.len()..];
    let digits: String = rest.chars().take_while(|c| c.is_digit(radix)).collect();
    u64::from_str_radix(&digits, radix).ok()
}

fn evtx_dump(path: &Path, recover: bool) -> Dump {
    require_tool("evtx_dump");
    let mut cmd = Command::new("evtx_dump");
    cmd.args(["-o", "jsonl", "-t", "1"]);
    if recover {
        cmd.arg("--recover-records");
    }
    let out = cmd.arg(path).output().expect("run evtx_dump");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut records = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            // Carved garbage (broken element names) can put raw control
            // characters in evtx_dump's JSON; blank them and read on.
            Err(_) if recover => {
                let clean: String = line
                    .chars()
                    .map(|c| if c < ' ' { ' ' } else { c })
                    .collect();
                // A raw newline splits such a record over lines: no record
                // to compare with (ours would then be reported missing).
                match serde_json::from_str(&clean) {
                    Ok(v) => v,
                    Err(_) => continue,
                }
            }
            Err(e) => panic!("{}: evtx_dump jsonl: {e}", path.display()),
        };
        let sys = &v["Event"]["System"];
        // Numbers are JSON numbers or strings, depending on the record.
        let n = |x: &serde_json::Value| x.as_u64().or_else(|| x.as_str()?.trim().parse().ok());
        let id = n(&sys["EventRecordID"]);
        let event_id = n(&sys["EventID"]).or_else(|| n(&sys["EventID"]["#text"]));
        let time = normal_time(
            sys["TimeCreated"]["#attributes"]["SystemTime"]
                .as_str()
                .unwrap_or_default(),
        );
        let text = |x: &serde_json::Value| match x {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        records.push((
            id,
            event_id,
            time,
            text(&sys["Channel"]),
            text(&sys["Computer"]),
        ));
    }
    records.sort();
    let mut dump = Dump {
        records,
        bad_chunks: Vec::new(),
        bad_offsets: Vec::new(),
        bad_records: Vec::new(),
    };
    for err in stderr.split("Failed to dump the next record").skip(1) {
        if let Some(off) = number_after(err, "(file offset 0x", 16) {
            dump.bad_offsets.push(off);
        } else if let Some(id) = number_after(err, "Failed to parse record number ", 10) {
            dump.bad_records.push(id);
        } else if let Some(n) = number_after(err, "Failed to parse chunk number ", 10) {
            dump.bad_chunks.push(n);
        } else {
            panic!("{}: unrecognised evtx_dump error: {err}", path.display());
        }
    }
    dump
}

/// Record headers of one chunk decoded by hand (EVTX spec: records from
/// offset 512, `2a2a0000` magic, u32 size, u64 number): (number, offset, size).
fn hand_records(chunk: &[u8]) -> Vec<(u64, usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 512;
    while pos + 24 <= chunk.len() && chunk[pos..pos + 4] == [0x2a, 0x2a, 0, 0] {
        let size = u32::from_le_bytes(chunk[pos + 4..pos + 8].try_into().unwrap()) as usize;
        let id = u64::from_le_bytes(chunk[pos + 8..pos + 16].try_into().unwrap());
        if size < 28 {
            break;
        }
        out.push((id, pos, size));
        pos += size;
    }
    out
}

/// A time without trailing fractional zeros, for comparing renderings.
fn normal_time(t: &str) -> String {
    let t = t.trim_end_matches('Z');
    match t.split_once('.') {
        Some((a, b)) if b.trim_end_matches('0').is_empty() => a.to_owned(),
        Some((a, b)) => format!("{a}.{}", b.trim_end_matches('0')),
        None => t.to_owned(),
    }
}

fn facts(r: &rift_evtx::EventRecord) -> Facts {
    (
        r.event_record_id,
        r.event_id.map(u64::from),
        normal_time(&r.time_created.map(|t| t.to_string()).unwrap_or_default()),
        r.channel.clone(),
        r.computer.clone(),
    )
}

fn rel(p: &Path) -> String {
    p.strip_prefix(fixtures_dir())
        .unwrap()
        .display()
        .to_string()
}

/// Checks one file against evtx_dump; returns the records we read.
fn check_file(path: &Path, maps: &MapSet, recover: bool) -> (usize, u64) {
    let name = rel(path);
    let data = std::fs::read(path).unwrap();
    let opts = ParseOptions {
        recover,
        ..ParseOptions::default()
    };
    let (records, report) = parse_evtx_all(std::io::Cursor::new(&data), &name, maps, &opts)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        report.total_records() as usize,
        records.len(),
        "{name}: report counts"
    );
    let truncated: Vec<u64> = report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::TruncatedChunk)
        .filter_map(|i| i.chunk)
        .collect();
    let salvaged: Vec<u64> = report
        .issues
        .iter()
        .filter(|i| i.kind == IssueKind::SalvagedChunk)
        .filter_map(|i| i.chunk)
        .collect();
    assert!(
        salvaged.is_empty(),
        "{name}: no fixture has a salvageable chunk"
    );
    let mut ours: Vec<Facts> = records.iter().filter(|r| !r.hidden).map(facts).collect();
    ours.sort();

    let dump = if truncated.is_empty() {
        evtx_dump(path, recover)
    } else {
        // evtx_dump drops a partial last chunk. Its oracle here: evtx_dump
        // on a copy padded with zeros to whole chunks, minus the records
        // that run past the original end (decoded by hand).
        let tmp = TempDir::new("evtx-padded");
        let padded = tmp.path().join("padded.evtx");
        let mut bytes = data.clone();
        let whole = 4096 + (data.len() - 4096).div_ceil(65536) * 65536;
        bytes.resize(whole, 0);
        std::fs::write(&padded, &bytes).unwrap();
        let mut dump = evtx_dump(&padded, recover);
        let mut cut = Vec::new();
        for &n in &truncated {
            let start = 4096 + n as usize * 65536;
            for (id, off, size) in hand_records(&bytes[start..start + 65536]) {
                if start + off + size > data.len() {
                    cut.push(id);
                }
            }
        }
        assert!(!cut.is_empty(), "{name}: the truncation cuts a record");
        dump.records
            .retain(|f| !cut.contains(&f.0.unwrap_or(u64::MAX)));
        for id in &cut {
            assert!(
                report
                    .issues
                    .iter()
                    .any(|i| i.kind == IssueKind::BadRecord && i.record_number == Some(*id)),
                "{name}: record {id} cut by the end of the file is reported"
            );
        }
        dump
    };
    if !recover {
        assert_eq!(
            ours.len(),
            dump.records.len(),
            "{name}: record count differs from evtx_dump"
        );
        for (a, b) in ours.iter().zip(&dump.records) {
            assert_eq!(a, b, "{name}: record differs from evtx_dump");
        }
    } else {
        // Carving: every carved record we keep is one evtx_dump carves too.
        // We keep fewer: the evtx crate's record API refuses carved records
        // whose template definition was overwritten, which its CLI renders
        // with whatever template now sits at that offset.
        let mut theirs = dump.records.clone();
        for a in &ours {
            let at = theirs.iter().position(|b| b == a).unwrap_or_else(|| {
                panic!("{name}: carved record {a:?} not in evtx_dump --recover-records")
            });
            theirs.remove(at);
        }
    }
    // Every error evtx_dump reports is reported by us too, at the same place.
    for n in &dump.bad_chunks {
        assert!(
            report.issues.iter().any(|i| i.chunk == Some(*n)
                && matches!(i.kind, IssueKind::BadChunk | IssueKind::NotAChunk)
                && i.offset == 4096 + n * 65536),
            "{name}: evtx_dump's bad chunk {n} not reported"
        );
    }
    for off in &dump.bad_offsets {
        assert!(
            report
                .issues
                .iter()
                .any(|i| i.kind == IssueKind::BadRecord && i.offset == *off),
            "{name}: evtx_dump's bad record at {off:#x} not reported"
        );
    }
    for id in &dump.bad_records {
        assert!(
            report.issues.iter().any(|i| i.kind == IssueKind::BadRecord
                && i.record_number == Some(*id)
                && i.offset > 4096),
            "{name}: evtx_dump's bad record {id} not reported with its offset"
        );
    }
    let dump_errors =
        (dump.bad_chunks.len() + dump.bad_offsets.len() + dump.bad_records.len()) as u64;
    assert!(
        report.errors() + report.leftover_chunks >= dump_errors,
        "{name}: error count"
    );
    (records.len(), report.errors())
}

#[test]
fn every_fixture_matches_evtx_dump() {
    let files = all_evtx();
    assert!(
        files.len() >= 200,
        "expected the fixture EVTX set, found {}",
        files.len()
    );
    let maps = MapSet::shipped();
    let mut total = 0;
    let mut with_errors = Vec::new();
    for path in &files {
        let (n, errors) = check_file(path, &maps, false);
        total += n;
        if errors > 0 {
            with_errors.push(rel(path));
        }
    }
    eprintln!(
        "{} files, {total} records; files with errors: {with_errors:?}",
        files.len()
    );
    // The damaged samples report their damage.
    for damaged in [
        "evtx/evtx-rs_CORRUPT_bad_chunk_magic.evtx",
        "evtx/evtx-rs_zero-data-size-event.evtx",
        "evtx/evtx-rs_RdpCoreTS_Operational.evtx",
        "evtx/plaso_System2_truncated.evtx",
    ] {
        assert!(
            with_errors.iter().any(|w| w == damaged),
            "{damaged} reports no errors"
        );
    }
}

#[test]
fn recovered_records_are_a_subset_of_evtx_dump_recover() {
    let maps = MapSet::new();
    let mut with_carving = 0;
    let mut without = 0;
    for path in all_evtx() {
        let (n, _) = check_file(&path, &maps, true);
        with_carving += n;
        let data = std::fs::read(&path).unwrap();
        let (_, report) = parse_evtx_all(
            std::io::Cursor::new(&data),
            "x",
            &maps,
            &ParseOptions::default(),
        )
        .unwrap();
        // Carving only adds: the live records are all still there.
        let (_, carved) = parse_evtx_all(
            std::io::Cursor::new(&data),
            "x",
            &maps,
            &ParseOptions {
                recover: true,
                ..ParseOptions::default()
            },
        )
        .unwrap();
        assert_eq!(carved.records, report.records, "{}", rel(&path));
        without += report.records as usize;
    }
    eprintln!("{with_carving} records with carving, {without} without");
    assert!(with_carving > without);
}

/// `post-Security.evtx` carries a record hidden the DanderSpritz way: record
/// 104 was enlarged over the next record (its trailing size copy now says
/// 1640, the enlarged size) and the records after it renumbered. The
/// oracle: the layout decoded by hand here, and evtx_dump on a copy with
/// record 104's size put back, which then shows the hidden event.
#[test]
fn real_hidden_record_in_post_security_sample() {
    let path = rift_testutil::fixture("evtx/evtx-rs_CORRUPT_post-Security.evtx");
    let data = std::fs::read(&path).unwrap();
    let chunk = 4096 + 65536;
    let le32 = |o: usize| u32::from_le_bytes(data[o..o + 4].try_into().unwrap()) as usize;
    let le64 = |o: usize| u64::from_le_bytes(data[o..o + 8].try_into().unwrap());
    // Record 104 by hand: walk chunk 1 from offset 512.
    let mut pos = chunk + 512;
    while le64(pos + 8) != 104 {
        pos += le32(pos + 4);
    }
    let outer_size = le32(pos + 4);
    let inner = pos + 680;
    assert_eq!(&data[inner..inner + 4], b"\x2a\x2a\0\0");
    assert_eq!(le64(inner + 8), 105);
    let inner_size = le32(inner + 4);
    assert_eq!(
        inner - pos + inner_size,
        outer_size,
        "hidden record fills the rest"
    );
    assert_eq!(
        le32(inner + inner_size - 4),
        outer_size,
        "its size copy was overwritten"
    );

    let (records, report) = parse_evtx_all(
        std::io::Cursor::new(&data),
        "post-Security.evtx",
        &MapSet::new(),
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(report.hidden, 1);
    let hidden: Vec<_> = records.iter().filter(|r| r.hidden).collect();
    assert_eq!(hidden.len(), 1);
    let h = hidden[0];
    assert_eq!((h.record_number, h.file_offset), (105, inner as u64));
    let outer = records
        .iter()
        .find(|r| r.file_offset == pos as u64)
        .unwrap();
    assert_eq!(outer.record_number, 104);
    assert_eq!(outer.extra_data_offset, 680);

    // evtx_dump sees it once record 104 is given its real size back.
    let tmp = TempDir::new("evtx-post-security");
    let patched = tmp.path().join("patched.evtx");
    let mut bytes = data.clone();
    bytes[pos + 4..pos + 8].copy_from_slice(&680u32.to_le_bytes());
    std::fs::write(&patched, &bytes).unwrap();
    let dump = evtx_dump(&patched, false);
    let expected: Vec<_> = dump.records.iter().filter(|f| f.0 == Some(105)).collect();
    assert_eq!(expected.len(), 2, "the hidden 105 and the renumbered 105");
    assert!(
        expected.contains(&&facts(h)),
        "{:?} not in {expected:?}",
        facts(h)
    );
    assert_eq!(facts(h).1, Some(4616), "a system time change was hidden");
}
