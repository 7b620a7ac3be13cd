//! Hostile input: random bytes, random bytes behind a valid SQLite magic,
//! and real databases with flipped bytes or cut short. Every call must
//! return `Ok` or `Err`; a panic fails the test. (The same entry point is
//! the cargo-fuzz target `rift_browser_database`.)

use rift_browser::{Origin, Parsed, SQLITE_MAGIC, parse_database, timeline};
use rift_testutil::fixture_bytes;

/// Deterministic xorshift64* generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn exercise(db: &[u8], wal: Option<&[u8]>) -> bool {
    let origin = Origin::default();
    match parse_database(db, wal, None, &origin) {
        Ok(parsed) => {
            let _ = timeline::rows(&parsed, &origin);
            true
        }
        Err(e) => {
            let _ = e.to_string();
            false
        }
    }
}

#[test]
fn random_bytes_are_errors() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let len = rng.below(9000);
        let data = rng.bytes(len);
        assert!(!exercise(&data, None), "random bytes parsed as a database");
    }
}

#[test]
fn random_pages_behind_the_magic_never_panic() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    for _ in 0..300 {
        let len = 100 + rng.below(8192);
        let mut data = rng.bytes(len);
        data[..16].copy_from_slice(SQLITE_MAGIC);
        // Plausible page size (bytes 16-17, big-endian) half the time, so
        // SQLite gets past the header into the b-tree pages.
        if rng.below(2) == 0 {
            data[16] = 0x04;
            data[17] = 0x00;
        }
        exercise(&data, None);
    }
}

#[test]
fn damaged_real_databases_never_panic() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    for rel in [
        "browser/hindsight_profile60/History",
        "browser/hindsight_profile01/History",
        "browser/plaso_firefox/places.sqlite",
    ] {
        let good = fixture_bytes(rel);
        assert!(exercise(&good, None), "{rel} parses undamaged");
        for i in 0..150 {
            let mut bad = good.clone();
            if i % 3 == 0 {
                // Cut short.
                bad.truncate(rng.below(good.len()));
            } else {
                // Flip 1–64 bytes anywhere past the magic.
                for _ in 0..=rng.below(64) {
                    let at = 16 + rng.below(bad.len() - 16);
                    bad[at] ^= (rng.next() as u8) | 1;
                }
            }
            exercise(&bad, None);
            // Garbage as a WAL beside a good database must not hurt.
            if i % 10 == 0 {
                let n = rng.below(40_000);
                let wal = rng.bytes(n);
                exercise(&good, Some(&wal));
            }
        }
    }
}

#[test]
fn damaged_ie_index_never_panics() {
    let mut rng = Rng(0x0BAD_F00D_DEAD_BEEF);
    let good = fixture_bytes("browser/plaso_ie/Content.IE5_index.dat");
    for i in 0..2000 {
        let mut bad = good.clone();
        if i % 4 == 0 {
            bad.truncate(24 + rng.below(good.len() - 24));
        } else {
            for _ in 0..=rng.below(32) {
                let at = 28 + rng.below(bad.len() - 28);
                bad[at] = rng.next() as u8;
            }
        }
        exercise(&bad, None);
    }
}

#[test]
fn not_a_browser_database_is_a_clear_error() {
    let err = parse_database(
        &fixture_bytes("browser/plaso_firefox/firefox_10_cookies.sqlite"),
        None,
        None,
        &Origin::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("moz_cookies"), "{err}");
    let err = parse_database(b"MZ\x90\0", None, None, &Origin::default()).unwrap_err();
    assert!(err.to_string().contains("not an SQLite database"), "{err}");
    // A good History with its tables intact parses.
    let h = fixture_bytes("browser/hindsight_profile10/History");
    assert!(matches!(
        parse_database(&h, None, None, &Origin::default()),
        Ok(Parsed::ChromiumHistory(_))
    ));
}
