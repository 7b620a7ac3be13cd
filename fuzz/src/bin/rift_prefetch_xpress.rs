//! The Xpress Huffman decoder alone; the first two bytes pick the
//! declared output size.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let [a, b, rest @ ..] = data {
        let size = usize::from(u16::from_le_bytes([*a, *b])) * 4;
        let _ = rift_prefetch::xpress::decompress(rest, size);
    }
});
