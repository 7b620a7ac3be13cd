//! Damage made by hand to real logs, following the EVTX layout (libyal's
//! EVTX format notes): the records still readable must come out, the
//! damage must be reported where it is, and nothing may panic.

use std::io::Cursor;

use rift_evtx::{Error, IssueKind, MapSet, ParseOptions, parse_evtx_all, parse_evtx_bytes};
use rift_testutil::fixture_bytes;

const CHUNK: usize = 65536;
const HEADER: usize = 4096;

fn parse(data: &[u8]) -> (Vec<rift_evtx::EventRecord>, rift_evtx::FileReport) {
    parse_evtx_all(
        Cursor::new(data),
        "t.evtx",
        &MapSet::new(),
        &ParseOptions::default(),
    )
    .unwrap()
}

fn le32(b: &[u8], o: usize) -> usize {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap()) as usize
}

fn le64(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap())
}

/// Records of a chunk decoded by hand: (record number, offset in chunk, size).
fn hand_records(chunk: &[u8]) -> Vec<(u64, usize, usize)> {
    let mut out = Vec::new();
    let mut pos = 512;
    while pos + 24 <= chunk.len() && chunk[pos..pos + 4] == [0x2a, 0x2a, 0, 0] {
        let size = le32(chunk, pos + 4);
        if size < 28 {
            break;
        }
        out.push((le64(chunk, pos + 8), pos, size));
        pos += size;
    }
    out
}

#[test]
fn record_hidden_by_enlarging_its_predecessor_is_found() {
    let original = fixture_bytes("evtx/evtx-rs_security.evtx");
    let (before, before_report) = parse(&original);
    let chunk0 = &original[HEADER..HEADER + CHUNK];
    let recs = hand_records(chunk0);
    let (a_id, a_off, a_size) = recs[1];
    let (b_id, b_off, b_size) = recs[2];
    assert_eq!(a_off + a_size, b_off);
    // eventlogedit: the record before grows over the one removed; its size
    // and the trailing size copy at the new end both say the new size.
    let mut tampered = original.clone();
    let base = HEADER + a_off;
    let grown = (a_size + b_size) as u32;
    tampered[base + 4..base + 8].copy_from_slice(&grown.to_le_bytes());
    let end = base + a_size + b_size;
    tampered[end - 4..end].copy_from_slice(&grown.to_le_bytes());

    let (after, report) = parse(&tampered);
    assert_eq!(
        report.records,
        before_report.records - 1,
        "the walk no longer sees it"
    );
    assert_eq!(report.hidden, 1);
    let hidden: Vec<_> = after.iter().filter(|r| r.hidden).collect();
    assert_eq!(hidden.len(), 1);
    let h = hidden[0];
    assert_eq!(h.record_number, b_id);
    assert_eq!(h.file_offset, (HEADER + b_off) as u64);
    // Same event as the untampered file shows for that record.
    let orig_b = before.iter().find(|r| r.record_number == b_id).unwrap();
    assert_eq!(h.event_id, orig_b.event_id);
    assert_eq!(h.time_created, orig_b.time_created);
    assert_eq!(h.payload, orig_b.payload);
    // The record that hides it says where.
    let a = after.iter().find(|r| r.record_number == a_id).unwrap();
    assert_eq!(a.extra_data_offset, a_size as u64);
    assert!(!a.hidden);
    // It follows its host in the output, and is reported.
    let pos = after.iter().position(|r| r.record_number == a_id).unwrap();
    assert_eq!(after[pos + 1].record_number, b_id);
    assert!(
        report
            .issues
            .iter()
            .any(|i| i.kind == IssueKind::HiddenRecord
                && i.record_number == Some(b_id)
                && i.offset == (HEADER + b_off) as u64)
    );
    // CSV marks it.
    let row = rift_evtx::csv_row(h);
    assert_eq!(row[22], "True");
    let row = rift_evtx::csv_row(a);
    assert_eq!(row[25], a_size.to_string());
}

#[test]
fn untampered_logs_have_no_hidden_records() {
    for f in [
        "evtx/evtx-rs_security.evtx",
        "evtx/evtx-rs_system.evtx",
        "evtx/evtx-rs_sysmon.evtx",
        "evtx/plaso_System.evtx",
    ] {
        let (_, report) = parse(&fixture_bytes(f));
        assert_eq!(report.hidden, 0, "{f}");
    }
}

#[test]
fn damaged_chunk_magic_is_salvaged() {
    let original = fixture_bytes("evtx/evtx-rs_security.evtx");
    let (before, _) = parse(&original);
    let mut damaged = original.clone();
    let chunk = 3;
    let at = HEADER + chunk * CHUNK;
    damaged[at..at + 8].copy_from_slice(b"XXXXXXXX");
    let (after, report) = parse(&damaged);
    assert_eq!(report.salvaged_chunks, 1);
    assert_eq!(report.bad_chunks, 0);
    assert!(
        report
            .issues
            .iter()
            .any(|i| i.kind == IssueKind::SalvagedChunk
                && i.chunk == Some(chunk as u64)
                && i.offset == at as u64)
    );
    let ids = |v: &[rift_evtx::EventRecord]| {
        v.iter()
            .map(|r| (r.record_number, r.payload.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&after), ids(&before), "every record still there");
}

#[test]
fn wiped_chunk_is_reported_and_the_rest_kept() {
    let original = fixture_bytes("evtx/evtx-rs_security.evtx");
    let (before, _) = parse(&original);
    let mut damaged = original.clone();
    let chunk = 2;
    let at = HEADER + chunk * CHUNK;
    // Header and the first records overwritten with junk.
    for (i, b) in damaged[at..at + 8192].iter_mut().enumerate() {
        *b = (i * 7 + 3) as u8;
    }
    let (after, report) = parse(&damaged);
    assert_eq!(report.bad_chunks, 1);
    assert!(
        report
            .issues
            .iter()
            .any(|i| i.kind == IssueKind::BadChunk && i.offset == at as u64)
    );
    let lost: Vec<_> = before
        .iter()
        .filter(|r| r.chunk_number == chunk as u64)
        .collect();
    assert!(!lost.is_empty());
    assert_eq!(after.len(), before.len() - lost.len());
    assert!(after.iter().all(|r| r.chunk_number != chunk as u64));
}

#[test]
fn damaged_file_header_still_reads_chunks() {
    let original = fixture_bytes("evtx/evtx-rs_security.evtx");
    let (before, _) = parse(&original);
    let mut damaged = original.clone();
    damaged[..128].fill(0);
    let (after, report) = parse(&damaged);
    assert!(!report.header.valid_magic);
    assert!(
        report
            .issues
            .iter()
            .any(|i| i.kind == IssueKind::FileHeader && i.offset == 0)
    );
    assert_eq!(after.len(), before.len());
}

#[test]
fn not_an_event_log() {
    for data in [
        vec![],
        vec![0u8; 100],
        vec![0x41u8; 300_000],
        b"ElfChnk\0".repeat(3),
    ] {
        match parse_evtx_bytes(&data, "x", &MapSet::new(), &ParseOptions::default(), |_| {}) {
            Err(Error::NotEvtx { size }) => assert_eq!(size, data.len() as u64),
            other => panic!("{} bytes: {other:?}", data.len()),
        }
    }
}

/// xorshift64*: a deterministic stream for the robustness tests.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn random_mutations_never_panic() {
    // A one-chunk log keeps each run cheap.
    let original = fixture_bytes("evtx/evtx-rs_new-user-security.evtx");
    let maps = MapSet::shipped();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..1500 {
        let mut data = original.clone();
        let flips = 1 + rng.next() % 64;
        for _ in 0..flips {
            let pos = (rng.next() as usize) % data.len();
            // Bias mutations towards the chunk header and the records.
            let pos = if round % 2 == 0 {
                HEADER + pos % 8192
            } else {
                pos
            };
            data[pos] = rng.next() as u8;
        }
        if round % 7 == 0 {
            let cut = (rng.next() as usize) % data.len();
            data.truncate(cut);
        }
        let opts = ParseOptions {
            recover: round % 3 == 0,
            skip_event_data: round % 2 == 0,
            ..ParseOptions::default()
        };
        let _ = parse_evtx_bytes(&data, "fuzz", &maps, &opts, |r| {
            let _ = rift_evtx::csv_row(&r);
            // Whatever the damage, the JSON line stays valid JSON.
            let line = rift_evtx::json_line(&r);
            assert!(
                serde_json::from_str::<serde_json::Value>(&line).is_ok(),
                "{line}"
            );
        });
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(42);
    let maps = MapSet::new();
    for round in 0..3000 {
        let len = (rng.next() % 70_000) as usize;
        let mut data: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Give some of them the magics so the chunk paths run.
        if round % 2 == 0 && data.len() > HEADER + 8 {
            data[..8].copy_from_slice(b"ElfFile\0");
            data[HEADER..HEADER + 8].copy_from_slice(b"ElfChnk\0");
        }
        let _ = parse_evtx_bytes(
            &data,
            "rand",
            &maps,
            &ParseOptions {
                recover: true,
                ..ParseOptions::default()
            },
            |_| {},
        );
    }
}
