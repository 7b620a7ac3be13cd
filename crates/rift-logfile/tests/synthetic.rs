//! A log built by hand from the layout in `docs/formats/ntfs.md` §8: a
//! client record that starts on the last page of the circular area and
//! continues on the first one after the ring wraps.

use rift_logfile::{LogFile, Op};

const PS: usize = 4096;
const PAGES: usize = 8; // 2 restart + 2 tail (LFS 1.1) + 4 circular
const SEQ_BITS: u32 = 51; // 67 − bitlen(32768)

fn put(b: &mut [u8], at: usize, v: &[u8]) {
    b[at..at + v.len()].copy_from_slice(v);
}

fn lsn_for(offset: usize, wrap: u64) -> u64 {
    (offset as u64 >> 3) | (wrap << (64 - SEQ_BITS))
}

fn rcrd(b: &mut [u8], page: usize, last_lsn: u64, next_off: u16) {
    let p = page * PS;
    put(b, p, b"RCRD");
    put(b, p + 4, &40u16.to_le_bytes());
    put(b, p + 6, &0u16.to_le_bytes()); // no fixup array
    put(b, p + 8, &last_lsn.to_le_bytes());
    put(b, p + 24, &next_off.to_le_bytes());
    put(b, p + 32, &last_lsn.to_le_bytes());
}

fn header(b: &mut [u8], at: usize, lsn: u64, len: u32, flags: u16) {
    put(b, at, &lsn.to_le_bytes());
    put(b, at + 24, &len.to_le_bytes());
    put(b, at + 32, &1u32.to_le_bytes()); // client record
    put(b, at + 36, &0x18u32.to_le_bytes());
    put(b, at + 40, &flags.to_le_bytes());
}

/// The log, the two LSNs and the client data of the spanning record. With
/// `rewritten` false, page 4 still carries an LSN older than the record.
fn build(rewritten: bool) -> (Vec<u8>, u64, u64, Vec<u8>) {
    let mut b = vec![0xFFu8; PS * PAGES];
    // Restart page (copy 0 only), LFS 1.1.
    b[..PS].fill(0);
    put(&mut b, 0, b"RSTR");
    put(&mut b, 4, &30u16.to_le_bytes());
    put(&mut b, 16, &(PS as u32).to_le_bytes());
    put(&mut b, 20, &(PS as u32).to_le_bytes());
    put(&mut b, 24, &48u16.to_le_bytes());
    put(&mut b, 26, &1i16.to_le_bytes());
    put(&mut b, 28, &1i16.to_le_bytes());
    let ra = 48;
    let second = 4 * PS + 152;
    put(&mut b, ra, &lsn_for(second, 3).to_le_bytes());
    put(&mut b, ra + 8, &1u16.to_le_bytes());
    put(&mut b, ra + 10, &0xFFFFu16.to_le_bytes());
    put(&mut b, ra + 16, &SEQ_BITS.to_le_bytes());
    put(&mut b, ra + 22, &64u16.to_le_bytes());
    put(&mut b, ra + 24, &((PS * PAGES) as u64).to_le_bytes());
    put(&mut b, ra + 36, &48u16.to_le_bytes());
    put(&mut b, ra + 38, &64u16.to_le_bytes());
    put(&mut b, ra + 64 + 18, &0xFFFFu16.to_le_bytes());
    put(&mut b, ra + 64 + 28, &8u32.to_le_bytes());
    put(
        &mut b,
        ra + 64 + 32,
        &"NTFS"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<_>>(),
    );

    // Record 1: header 48 bytes before the end of the last page, 100 bytes
    // of client data: 16 on page 7, 84 on page 4 (data offset 64).
    let first_at = 7 * PS + PS - 48 - 16;
    let first = lsn_for(first_at, 2);
    let mut client = vec![0u8; 100];
    client[0..2].copy_from_slice(&0x07u16.to_le_bytes()); // redo UpdateResidentValue
    client[4..6].copy_from_slice(&32u16.to_le_bytes());
    client[6..8].copy_from_slice(&68u16.to_le_bytes());
    for (i, c) in client[32..].iter_mut().enumerate() {
        *c = i as u8 + 1;
    }
    for p in 4..8 {
        rcrd(&mut b, p, if p == 7 { first } else { 0 }, 64);
        b[p * PS + 64..(p + 1) * PS].fill(0);
    }
    header(&mut b, first_at, first, 100, 0x1);
    put(&mut b, first_at + 48, &client[..16]);
    // Page 4 was rewritten after the wrap (sequence 3).
    let second_lsn = lsn_for(second, 3);
    if rewritten {
        rcrd(&mut b, 4, second_lsn, 200);
        put(&mut b, 4 * PS + 64, &client[16..]);
        header(&mut b, second, second_lsn, 0, 0);
    } else {
        rcrd(&mut b, 4, lsn_for(4 * PS + 64, 1), 200);
    }
    (b, first, second_lsn, client)
}

#[test]
fn record_continues_across_the_ring_wrap() {
    let (b, first, second_lsn, client) = build(true);
    let log = LogFile::from_bytes(b);
    assert_eq!(log.first_log_page, 4);
    let lsns: Vec<u64> = log.records.iter().map(|r| r.lsn).collect();
    assert_eq!(lsns, vec![first, second_lsn]);
    let r = &log.records[0];
    assert!(r.complete);
    assert_eq!(r.wrap, 2);
    assert_eq!(log.records[1].wrap, 3);
    let c = r.client.as_ref().unwrap();
    assert_eq!(c.redo_op, Op::UpdateResidentValue);
    assert_eq!(c.redo, client[32..].to_vec());
}

#[test]
fn stale_continuation_is_reported_not_glued() {
    // Page 4 still holds the previous pass of the ring: the record is kept
    // with its header, flagged incomplete, and a warning names it.
    let (b, first, _, _) = build(false);
    let log = LogFile::from_bytes(b);
    let r = log.records.iter().find(|r| r.lsn == first).unwrap();
    assert!(!r.complete);
    assert!(
        log.warnings
            .iter()
            .any(|w| w.message.contains(&first.to_string()))
    );
}
