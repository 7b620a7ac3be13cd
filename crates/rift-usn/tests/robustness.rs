//! Hostile input never panics, hangs or allocates without bound.
#![allow(clippy::single_range_in_vec_init)]

use rift_usn::{NoMft, UsnScanner, read_journal, scan_bytes};

struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// A V2 record written by hand (layout: docs/formats/ntfs.md §7.2).
fn v2(name: &str, usn: i64) -> Vec<u8> {
    let n: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let len = (60 + n.len() + 7) & !7;
    let mut b = vec![0u8; len];
    b[0..4].copy_from_slice(&(len as u32).to_le_bytes());
    b[4..6].copy_from_slice(&2u16.to_le_bytes());
    b[8..16].copy_from_slice(&((1u64 << 48) | 40).to_le_bytes());
    b[16..24].copy_from_slice(&((5u64 << 48) | 5).to_le_bytes());
    b[24..32].copy_from_slice(&usn.to_le_bytes());
    b[32..40].copy_from_slice(&0x01D9_D0E1_0000_0000u64.to_le_bytes());
    b[40..44].copy_from_slice(&0x100u32.to_le_bytes());
    b[56..58].copy_from_slice(&(n.len() as u16).to_le_bytes());
    b[58..60].copy_from_slice(&60u16.to_le_bytes());
    b[60..60 + n.len()].copy_from_slice(&n);
    b
}

#[test]
fn random_bytes_and_mutated_records() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    // Pure noise of many sizes.
    for i in 0..3000 {
        let len = (rng.next() % 9000) as usize;
        let buf: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let (recs, damage, stats) = scan_bytes(&buf, 0);
        assert!(recs.len() + damage.len() <= len / 8 + 1, "iteration {i}");
        assert!(stats.records as usize == recs.len());
    }
    // A page of good records with single bytes flipped.
    let mut page = Vec::new();
    for k in 0..40 {
        let r = v2(&format!("file{k}.txt"), page.len() as i64);
        if page.len() + r.len() > 4096 {
            break;
        }
        page.extend(r);
    }
    page.resize(4096, 0);
    let (clean, d, _) = scan_bytes(&page, 0);
    assert!(d.is_empty());
    for _ in 0..5000 {
        let mut p = page.clone();
        for _ in 0..(1 + rng.next() % 4) {
            let at = (rng.next() % 4096) as usize;
            p[at] = rng.next() as u8;
        }
        let (recs, _damage, _) = scan_bytes(&p, 0);
        assert!(recs.len() <= clean.len() + 64);
    }
}

#[test]
fn specific_malformations_are_reported_and_skipped() {
    let mut page = Vec::new();
    let good1 = v2("a.txt", 0);
    page.extend(&good1);
    // Record with length 0 followed by garbage, then a good record.
    let mut bad = v2("bad.txt", 0);
    bad[0..4].copy_from_slice(&0u32.to_le_bytes());
    let bad_at = page.len();
    page.extend(&bad);
    let good2_at = page.len();
    page.extend(v2("b.txt", good2_at as i64));
    // Absurd name offset.
    let mut absurd = v2("c.txt", 0);
    absurd[58..60].copy_from_slice(&0xFFF0u16.to_le_bytes());
    let absurd_at = page.len();
    page.extend(&absurd);
    let good3_at = page.len();
    page.extend(v2("d.txt", good3_at as i64));
    // Length running past the page end.
    let mut past = v2("e.txt", 0);
    past[0..4].copy_from_slice(&0x2000u32.to_le_bytes());
    let past_at = page.len();
    page.extend(&past);
    page.resize(4096, 0);
    let (recs, damage, stats) = scan_bytes(&page, 0);
    let names: Vec<&str> = recs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["a.txt", "b.txt", "d.txt"]);
    let offsets: Vec<u64> = damage.iter().map(|d| d.offset).collect();
    assert_eq!(offsets, [bad_at as u64, absurd_at as u64, past_at as u64]);
    assert_eq!(stats.damaged, 3);
}

#[test]
fn sparse_ranges_are_not_read() {
    /// A reader that fails the test if asked for the sparse part.
    struct Guard(Vec<u8>, u64);
    impl rift_io::ReadAt for Guard {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
            assert!(
                offset >= self.1,
                "read at {offset:#x} inside the sparse prefix"
            );
            let o = offset as usize;
            let n = buf.len().min(self.0.len().saturating_sub(o));
            buf[..n].copy_from_slice(&self.0[o..o + n]);
            Ok(n)
        }
        fn size(&self) -> u64 {
            self.0.len() as u64
        }
    }
    let start = 0x728_0000u64;
    let mut data = vec![0u8; start as usize + 4096];
    let r = v2("late.txt", start as i64);
    data[start as usize..start as usize + r.len()].copy_from_slice(&r);
    let size = data.len() as u64;
    let j = read_journal(Guard(data, start), &[start..size], NoMft, Vec::new()).unwrap();
    assert_eq!(j.records.len(), 1);
    assert_eq!(j.records[0].record.usn, start as i64);
    assert_eq!(j.records[0].full_path, "\\late.txt");
    assert_eq!(j.stats.sparse_bytes, start);
    // The whole-file scanner reads zeros but finds the same record.
    let data2 = {
        let mut d = vec![0u8; 3 * 4096];
        d[8192..8192 + r.len()].copy_from_slice(&v2("late.txt", 8192));
        d
    };
    assert_eq!(
        UsnScanner::whole(&data2[..]).filter(|x| x.is_ok()).count(),
        1
    );
}
