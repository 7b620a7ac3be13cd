//! `Zone.Identifier` alternate data streams: the "mark of the web" that
//! browsers and other downloaders attach to files (zone, download URL,
//! referring page).
//!
//! Sources: Microsoft "Persistent Zone Identifier" (`IZoneIdentifier`,
//! `URLZONE` values) and "Attachment Manager" docs; artifacts.md §6.3.
//! The stream is INI text, normally ANSI/UTF-8, sometimes UTF-16 with a
//! BOM; section `[ZoneTransfer]`. The stream bytes come from the NTFS layer.

use rift_io::bytes::utf16le_lossy;

/// The parsed contents of a `Zone.Identifier` stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ZoneIdentifier {
    /// `ZoneId` (0 local machine, 1 intranet, 2 trusted, 3 Internet, 4 restricted).
    pub zone_id: Option<u32>,
    /// `ReferrerUrl`: the page that linked the download.
    pub referrer_url: Option<String>,
    /// `HostUrl`: the download URL.
    pub host_url: Option<String>,
    /// `LastWriterPackageFamilyName`: the app (e.g. a browser package) that wrote the stream.
    pub last_writer_package_family_name: Option<String>,
    /// `AppZoneId`: zone chosen by the app.
    pub app_zone_id: Option<u32>,
    /// Every other `key=value`, with its section (nothing is dropped).
    pub other: Vec<(String, String, String)>,
    /// The decoded text, as read.
    pub text: String,
}

impl ZoneIdentifier {
    /// The zone's name for [`ZoneIdentifier::zone_id`].
    pub fn zone_name(&self) -> Option<&'static str> {
        self.zone_id.map(zone_name)
    }
}

/// Names of the `URLZONE` values.
pub fn zone_name(id: u32) -> &'static str {
    match id {
        0 => "Local machine",
        1 => "Local intranet",
        2 => "Trusted sites",
        3 => "Internet",
        4 => "Restricted sites",
        _ => "Unknown",
    }
}

/// Decodes stream bytes as text: UTF-16 when a BOM (or a NUL-every-other-
/// byte pattern) says so, else UTF-8 with Latin-1 fallback for stray bytes.
pub fn decode_text(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return utf16le_lossy(rest);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let swapped: Vec<u8> = rest
            .chunks(2)
            .flat_map(|c| c.iter().rev())
            .copied()
            .collect();
        return utf16le_lossy(&swapped);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    // UTF-16 without BOM: ASCII text with every second byte NUL.
    if bytes.len() >= 4 && bytes.get(1) == Some(&0) && bytes.get(3) == Some(&0) {
        return utf16le_lossy(bytes);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Parses a `Zone.Identifier` stream. Never fails: unknown keys, missing
/// sections, CRLF or LF, BOMs and trailing NULs are all tolerated.
pub fn parse_zone_identifier(bytes: &[u8]) -> ZoneIdentifier {
    let text = decode_text(bytes);
    let mut z = ZoneIdentifier::default();
    let mut section = String::new();
    for line in text.split(['\n', '\r']) {
        let line = line.trim_matches(|c: char| c.is_whitespace() || c == '\0');
        if line.is_empty() || line.starts_with(';') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = s.trim().to_string();
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let (k, v) = (k.trim(), v.trim().to_string());
        let in_transfer = section.is_empty() || section.eq_ignore_ascii_case("ZoneTransfer");
        match k.to_ascii_lowercase().as_str() {
            "zoneid" if in_transfer => z.zone_id = v.parse().ok(),
            "referrerurl" if in_transfer => z.referrer_url = Some(v),
            "hosturl" if in_transfer => z.host_url = Some(v),
            "lastwriterpackagefamilyname" if in_transfer => {
                z.last_writer_package_family_name = Some(v)
            }
            "appzoneid" if in_transfer => z.app_zone_id = v.parse().ok(),
            _ => z.other.push((section.clone(), k.to_string(), v)),
        }
    }
    z.text = text;
    z
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values written by hand from the documented layout.
    #[test]
    fn typical_browser_stream() {
        let s = b"[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=https://example.org/page\r\nHostUrl=https://dl.example.org/tool.exe\r\n";
        let z = parse_zone_identifier(s);
        assert_eq!(z.zone_id, Some(3));
        assert_eq!(z.zone_name(), Some("Internet"));
        assert_eq!(z.referrer_url.as_deref(), Some("https://example.org/page"));
        assert_eq!(
            z.host_url.as_deref(),
            Some("https://dl.example.org/tool.exe")
        );
        assert!(z.other.is_empty());
    }

    #[test]
    fn utf16_bom_lf_extra_sections_and_keys() {
        let text = "[ZoneTransfer]\nZoneId=3\nLastWriterPackageFamilyName=Microsoft.MicrosoftEdge_8wekyb3d8bbwe\nAppZoneId=4\nHostUrl=about:internet\n[Other]\nZoneId=1\nFoo=bar\n";
        let mut b = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        b.extend_from_slice(&[0, 0]);
        let z = parse_zone_identifier(&b);
        assert_eq!(z.zone_id, Some(3)); // [Other] must not override
        assert_eq!(
            z.last_writer_package_family_name.as_deref(),
            Some("Microsoft.MicrosoftEdge_8wekyb3d8bbwe")
        );
        assert_eq!(z.app_zone_id, Some(4));
        assert_eq!(z.host_url.as_deref(), Some("about:internet"));
        assert_eq!(z.other.len(), 2);
        assert_eq!(z.other[1], ("Other".into(), "Foo".into(), "bar".into()));
    }

    #[test]
    fn no_section_and_garbage() {
        let z = parse_zone_identifier(b"ZoneId=2");
        assert_eq!(z.zone_id, Some(2));
        let z = parse_zone_identifier(&[0xFF, 0xFE, 0x00]);
        assert_eq!(z.zone_id, None);
        let z = parse_zone_identifier(&[0x80, 0x81, b'=', 0xFF]);
        assert_eq!(z.zone_id, None);
    }
}
