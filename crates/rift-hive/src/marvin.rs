//! Marvin32, the keyed hash Windows uses to protect transaction-log entries.
//!
//! Sources: msuhanov/regf "Windows registry file format specification",
//! §"New format" notes 1–3 (what is hashed, the seed); the round function as
//! described in `../shared/docs/formats/artifacts.md` §2.2 (verified there
//! on 11 Windows-made logs). The tail handling follows the C reference's
//! fall-through switch (1–3 leftover bytes are packed high-to-low above the
//! `0x80` terminator); registry inputs are always multiples of 4.

/// The seed Windows uses for log entries (`82 EF 4D 88 7A 4E 55 C5` as a
/// big-endian number).
pub const LOG_SEED: u64 = 0x82EF_4D88_7A4E_55C5;

#[inline(always)]
fn mix(lo: &mut u32, hi: &mut u32, v: u32) {
    *lo = lo.wrapping_add(v);
    *hi ^= *lo;
    *lo = lo.rotate_left(20).wrapping_add(*hi);
    *hi = hi.rotate_left(9) ^ *lo;
    *lo = lo.rotate_left(27).wrapping_add(*hi);
    *hi = hi.rotate_left(19);
}

/// Marvin32 of `data` with `seed`.
pub fn marvin32(data: &[u8], seed: u64) -> u64 {
    let mut lo = seed as u32;
    let mut hi = (seed >> 32) as u32;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        if let Ok(w) = <[u8; 4]>::try_from(c) {
            mix(&mut lo, &mut hi, u32::from_le_bytes(w));
        }
    }
    let mut fin: u32 = 0x80;
    for &b in chunks.remainder().iter().rev() {
        fin = (fin << 8) | u32::from(b);
    }
    mix(&mut lo, &mut hi, fin);
    mix(&mut lo, &mut hi, 0);
    (u64::from(hi) << 32) | u64::from(lo)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_length_sensitive() {
        // Different lengths of zero bytes must hash differently (the
        // terminator position changes).
        let a = marvin32(&[0; 4], LOG_SEED);
        let b = marvin32(&[0; 8], LOG_SEED);
        assert_ne!(a, b);
        assert_eq!(a, marvin32(&[0; 4], LOG_SEED));
        // Odd tails do not panic.
        for n in 0..9 {
            let _ = marvin32(&vec![0xAB; n], LOG_SEED);
        }
    }
}
