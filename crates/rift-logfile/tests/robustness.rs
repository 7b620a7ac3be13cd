//! Hostile logs never panic, hang or allocate without bound.

use rift_logfile::{LogFile, analyze};
use rift_testutil::fixture_bytes;

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_bytes() {
    let mut rng = XorShift(0x1234_5678_9ABC_DEF1);
    for _ in 0..2000 {
        let len = (rng.next() % 20_000) as usize;
        let mut buf: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        // Half of them get plausible signatures so the deeper code runs.
        if rng.next() % 2 == 0 && len > 8192 {
            buf[0..4].copy_from_slice(b"RSTR");
            buf[20..24].copy_from_slice(&4096u32.to_le_bytes());
            buf[8192..8196].copy_from_slice(b"RCRD");
        }
        let log = LogFile::from_bytes(buf);
        let _ = analyze(&log);
    }
}

#[test]
fn mutated_real_log() {
    let orig = fixture_bytes("ntfs_files/dfir_ntfs_LogFile_10.bin");
    let mut rng = XorShift(0xDEAD_BEEF_F00D_0001);
    for _ in 0..150 {
        let mut buf = orig.clone();
        for _ in 0..(1 + rng.next() % 64) {
            let at = (rng.next() as usize) % buf.len();
            buf[at] = rng.next() as u8;
        }
        let log = LogFile::from_bytes(buf);
        let _ = analyze(&log);
    }
}

#[test]
fn restart_area_client_loop_and_absurd_fields() {
    let mut buf = fixture_bytes("ntfs_files/dfir_ntfs_LogFile_7.bin");
    // Make client 0's "next" point to itself and claim 0xFFFF clients; the
    // restart area offset is 48, the client array at +64, next at +18.
    for page in [0usize, 4096] {
        let ra = page + 48;
        buf[ra + 8..ra + 10].copy_from_slice(&0xFFFFu16.to_le_bytes());
        let client = ra + 64;
        buf[client + 18..client + 20].copy_from_slice(&0u16.to_le_bytes());
        buf[client + 28..client + 32].copy_from_slice(&u32::MAX.to_le_bytes());
    }
    let log = LogFile::from_bytes(buf.clone());
    assert_eq!(log.restart().unwrap().area.clients.len(), 1);
    // Absurd sequence-number bits and page data offset.
    for page in [0usize, 4096] {
        let ra = page + 48;
        buf[ra + 16..ra + 20].copy_from_slice(&0xFFFF_FFFFu32.to_le_bytes());
        buf[ra + 38..ra + 40].copy_from_slice(&0xFFFFu16.to_le_bytes());
    }
    let _ = analyze(&LogFile::from_bytes(buf.clone()));
    // A record header claiming 4 GiB of client data.
    let mut b2 = fixture_bytes("ntfs_files/dfir_ntfs_LogFile_7.bin");
    for i in (4 * 4096..b2.len()).step_by(4096) {
        b2[i + 64 + 24..i + 64 + 28].copy_from_slice(&u32::MAX.to_le_bytes());
    }
    let _ = analyze(&LogFile::from_bytes(b2));
    // Tiny inputs.
    for n in 0..64 {
        let _ = LogFile::from_bytes(vec![0x52; n]);
    }
}
