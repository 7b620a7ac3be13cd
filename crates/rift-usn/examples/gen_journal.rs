//! Writes a synthetic `$J` for benchmarks: `gen_journal OUT SIZE_MIB`.
//!
//! V2 records (the on-disk version Windows writes) in 4 KiB pages with
//! zero padding, USN = offset, names of varying length, a realistic mix of
//! reasons; deterministic. The volume has 2000 directories (entries
//! 100..2100, each created at the start under root or an earlier one, so
//! the tree is at most a few levels deep) and files in entries ≥ 10000
//! spread over them.
use std::io::Write;

fn main() {
    let mut args = std::env::args().skip(1);
    let out = args.next().expect("usage: gen_journal OUT SIZE_MIB");
    let mib: u64 = args.next().expect("size").parse().expect("number");
    let total = mib << 20;
    let mut w =
        std::io::BufWriter::with_capacity(1 << 22, std::fs::File::create(out).expect("create"));
    let reasons = [
        0x100u32,
        0x8000_0100,
        0x2,
        0x8000_0002,
        0x8000,
        0x1000,
        0x2000,
        0x8000_2000,
        0x200,
        0x8000_0200,
    ];
    let exts = ["docx", "xlsx", "txt", "pf", "tmp", "log", "dat", "jpg"];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut page = vec![0u8; 4096];
    let mut written = 0u64;
    let mut n = 0u64;
    const DIRS: u64 = 2000;
    while written < total {
        page.fill(0);
        let mut at = 0usize;
        loop {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let is_dir = n < DIRS;
            let name = if is_dir {
                format!("Folder {n}")
            } else {
                format!(
                    "file_{:06}_{}.{}",
                    n % 1_000_000,
                    state % 97,
                    exts[(state % 8) as usize]
                )
            };
            let nm: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
            let len = (60 + nm.len() + 7) & !7;
            if at + len > 4096 {
                break;
            }
            let r = &mut page[at..at + len];
            r[0..4].copy_from_slice(&(len as u32).to_le_bytes());
            r[4..6].copy_from_slice(&2u16.to_le_bytes());
            let (entry, seq, parent, pseq) = if is_dir {
                // Directory n: parent is root for the first 20, else an
                // earlier directory of a lower tier.
                let parent = if n < 20 {
                    5
                } else {
                    100 + (state >> 30) % (n / 4).max(1)
                };
                (100 + n, 1, parent, if parent == 5 { 5 } else { 1 })
            } else {
                (
                    10_000 + (state >> 20) % 500_000,
                    1 + (state >> 40) % 5,
                    100 + (state >> 30) % DIRS,
                    1,
                )
            };
            r[8..16].copy_from_slice(&(entry | (seq << 48)).to_le_bytes());
            r[16..24].copy_from_slice(&(parent | (pseq << 48)).to_le_bytes());
            r[24..32].copy_from_slice(&((written + at as u64) as i64).to_le_bytes());
            r[32..40].copy_from_slice(&(0x01D9_D0E1_0000_0000u64 + n * 1000).to_le_bytes());
            let reason = if is_dir {
                0x8000_0100
            } else {
                reasons[(state % 10) as usize]
            };
            r[40..44].copy_from_slice(&reason.to_le_bytes());
            r[48..52].copy_from_slice(&(256 + (state % 16) as u32).to_le_bytes());
            r[52..56].copy_from_slice(&(if is_dir { 0x10u32 } else { 0x20 }).to_le_bytes());
            r[56..58].copy_from_slice(&(nm.len() as u16).to_le_bytes());
            r[58..60].copy_from_slice(&60u16.to_le_bytes());
            r[60..60 + nm.len()].copy_from_slice(&nm);
            at += len;
            n += 1;
        }
        w.write_all(&page).expect("write");
        written += 4096;
    }
    w.flush().expect("flush");
    eprintln!("{n} records, {written} bytes");
}
