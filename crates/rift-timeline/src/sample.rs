//! Helpers for `file_samples`: entropy and a text preview of a file's first
//! bytes (the pipeline reads the bytes; these only look at them).

/// Bytes worth sampling from a file of interest.
pub const SAMPLE_BYTES: usize = 64 * 1024;

/// Text previews stop at this many characters.
pub const PREVIEW_CHARS: usize = 4096;

/// Shannon entropy in bits per byte (0 for empty input, 8 for uniform).
/// Encrypted or compressed content is above ~7.5.
pub fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u64; 256];
    for &b in bytes {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// A text preview when the bytes look like text (UTF-8, or UTF-16LE with a
/// BOM or many zero high bytes); `None` for binary content.
pub fn text_preview(bytes: &[u8]) -> Option<String> {
    let text = if bytes.starts_with(&[0xFF, 0xFE]) || looks_utf16le(bytes) {
        let body = bytes.strip_prefix(&[0xFF, 0xFE]).unwrap_or(bytes);
        let units: Vec<u16> = body
            .chunks_exact(2)
            .map(|c| {
                u16::from_le_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ])
            })
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        match std::str::from_utf8(body) {
            Ok(s) => s.to_string(),
            // A cut in the middle of a multi-byte character at the end.
            Err(e) if e.valid_up_to() + 4 >= body.len() => {
                String::from_utf8_lossy(body.get(..e.valid_up_to()).unwrap_or(&[])).into_owned()
            }
            Err(_) => return None,
        }
    };
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        .count();
    if text.is_empty() || control * 20 > text.chars().count() {
        return None;
    }
    Some(text.chars().take(PREVIEW_CHARS).collect())
}

fn looks_utf16le(bytes: &[u8]) -> bool {
    let pairs = bytes.len() / 2;
    if pairs < 4 {
        return false;
    }
    let zero_high = bytes
        .chunks_exact(2)
        .filter(|c| c.get(1) == Some(&0))
        .count();
    zero_high * 10 >= pairs * 8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_bounds() {
        assert_eq!(entropy(&[]), 0.0);
        assert_eq!(entropy(&[7; 100]), 0.0);
        let all: Vec<u8> = (0..=255u8).collect();
        assert!((entropy(&all) - 8.0).abs() < 1e-9);
        assert!((entropy(b"abab") - 1.0).abs() < 1e-9);
    }

    #[test]
    fn previews() {
        assert_eq!(
            text_preview(b"Your files are encrypted\r\n").as_deref(),
            Some("Your files are encrypted\r\n")
        );
        let u16: Vec<u8> = "Hello note"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(text_preview(&u16).as_deref(), Some("Hello note"));
        let bin: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        assert_eq!(text_preview(&bin), None);
    }
}
