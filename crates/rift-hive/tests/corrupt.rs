//! Corrupt and hostile input: clear errors or partial results, never a
//! panic, never an unbounded allocation.

mod common;
use common::*;
use rift_hive::{Error, Hive, Mode, recover::recover, replay};

fn everything(h: &Hive) {
    // Walk, decode every value, run every plugin, recover deleted data.
    let _ = h.walk(|_, k| {
        let _ = k.class_name();
        let _ = k.security().map(|s| s.map(|s| s.owner()));
        for v in k.values().into_iter().flatten() {
            let _ = v.decoded();
        }
    });
    for t in [
        rift_hive::HiveType::NtUser,
        rift_hive::HiveType::UsrClass,
        rift_hive::HiveType::System,
        rift_hive::HiveType::Software,
        rift_hive::HiveType::Amcache,
    ] {
        let _ = rift_hive::plugins::run_all(h, t);
    }
    let _ = recover(h);
    let batch = rift_hive::batch::BatchFile::parse(rift_hive::batch::DEFAULT_BATCH).unwrap();
    let _ = rift_hive::batch::BatchRun {
        hive_path: "x",
        hive_type: rift_hive::HiveType::System,
        recovered: None,
    }
    .run(&batch, h);
}

#[test]
fn truncated_hive_gives_partial_results() {
    let b = reg("yarp_TruncatedHive");
    assert!(Hive::with_mode(b.clone(), Mode::Strict).is_err());
    let h = Hive::from_bytes(b).unwrap();
    assert!(
        h.issues().iter().any(|i| i.message.contains("truncated")),
        "{:?}",
        h.issues()
    );
    // yarp's test_truncated: the keys still readable are the root
    // `{6214ff27-...}`, `key_with_many_subkeys` and numbered subkeys.
    let mut names = Vec::new();
    let errs = h.walk(|_, k| names.push(k.name()));
    assert!(
        !errs.is_empty(),
        "a truncated tree reports the missing parts"
    );
    assert!(names.iter().any(|n| n == "key_with_many_subkeys"));
    for n in &names {
        assert!(
            n == "{6214ff27-7b1b-41a3-9ae4-5fb851ffed63}"
                || n == "key_with_many_subkeys"
                || n.parse::<u32>().unwrap() > 0,
            "{n}"
        );
    }
    everything(&h);
    let td = Hive::from_bytes(reg("yarp_TruncatedDirtyHive")).unwrap();
    everything(&td);
}

#[test]
fn corrupt_subkey_list_and_system_hive() {
    let h = Hive::from_bytes(reg("plaso_corrupt_sub_key_list.hiv")).unwrap();
    let errs = h.walk(|_, _| {});
    assert!(!errs.is_empty(), "the corrupt list must be reported");
    everything(&h);

    let b = reg("regipy_corrupted_system_hive");
    let h = Hive::from_bytes(b).unwrap();
    let mut keys = 0;
    let errs = h.walk(|_, _| keys += 1);
    assert!(
        keys > 100,
        "partial results: {keys} keys, {} errors",
        errs.len()
    );
    everything(&h);
}

#[test]
fn win9x_creg_is_named() {
    for f in ["dfwinreg_Win9x_SYSTEM.DAT", "dfwinreg_Win9x_USER.DAT"] {
        let e = Hive::from_bytes(reg(f)).unwrap_err();
        assert!(matches!(e, Error::Win9xCreg), "{e}");
        assert!(e.to_string().contains("Windows 9x"));
        assert!(replay(&reg(f), None, None).is_err());
    }
}

/// Deterministic xorshift64*.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn random_bytes_and_mutations_never_panic() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    // Pure garbage with a regf header sometimes.
    for i in 0..2000 {
        let len = (rng.next() % 20_000) as usize;
        let mut b: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if i % 2 == 0 && b.len() > 4200 {
            b[..4].copy_from_slice(b"regf");
            b[4096..4100].copy_from_slice(b"hbin");
        }
        if let Ok(h) = Hive::from_bytes(b.clone()) {
            everything(&h);
        }
        let _ = replay(&b, Some(&b), None);
    }
    // Bit flips and overwrites in real hives and logs.
    let base = reg("yarp_DeletedDataHive");
    let p = reg("yarp_NewDirtyHive1/NewDirtyHive");
    let l2 = reg("yarp_NewDirtyHive1/NewDirtyHive.LOG2");
    let old = reg("yarp_OldDirtyHive/OldDirtyHive.LOG1");
    for _ in 0..1500 {
        let mut b = base.clone();
        for _ in 0..(1 + rng.next() % 8) {
            let i = 4096 + (rng.next() as usize % (b.len() - 4096)) / 4 * 4;
            b[i..i + 4].copy_from_slice(&(rng.next() as u32).to_le_bytes());
        }
        if let Ok(h) = Hive::from_bytes(b) {
            everything(&h);
        }
        let mut l = l2.clone();
        let i = rng.next() as usize % l.len();
        l[i] ^= 1 << (rng.next() % 8);
        if let Ok(r) = replay(&p, None, Some(&l))
            && let Ok(h) = Hive::from_bytes(r.hive)
        {
            everything(&h);
        }
        let mut o = old.clone();
        let i = rng.next() as usize % o.len();
        o[i] = rng.next() as u8;
        let _ = replay(&reg("yarp_OldDirtyHive/OldDirtyHive"), Some(&o), None);
    }
}

#[test]
fn huge_sizes_in_logs_are_capped() {
    // An entry claiming a 4 GiB hive must not make us allocate 4 GiB.
    let p = reg("yarp_NewDirtyHive1/NewDirtyHive");
    let mut l = reg("yarp_NewDirtyHive1/NewDirtyHive.LOG1");
    l[512 + 16..512 + 20].copy_from_slice(&0xFFFF_F000u32.to_le_bytes());
    let r = replay(&p, Some(&l), None).unwrap();
    assert_eq!(r.report.applied, 0);
    assert!(r.hive.len() <= p.len());
}
