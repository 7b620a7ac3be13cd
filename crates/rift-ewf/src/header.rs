//! Case metadata from the `header2`, `header` and `xheader` sections.
//!
//! * `header2` (EnCase 4–7): zlib stream of UTF-16 text (BOM `FF FE` or
//!   `FE FF`), LF line ends. Dates are POSIX seconds (UTC).
//! * `header` (all writers): zlib stream of 8-bit text (Latin-1/CP1252),
//!   CRLF (EnCase) or LF. Dates are `"YYYY M D h m s"` in the acquiring
//!   machine's local time, whose zone is not recorded (linen writes POSIX
//!   seconds). FTK at level "none" may store it uncompressed.
//! * `xheader` (libewf's EWF-X extension): zlib stream of UTF-8 XML with one
//!   element per value.
//!
//! Text layout: line 1 = number of categories, then per category its name,
//! a tab-separated key line and a tab-separated value line (`srce`/`sub`
//! categories add count lines). Values are mapped by key, never by column.
//!
//! Sources: libyal/libewf EWF format document, "Header section",
//! "Header2 section", "Xheader section"; checked on the fixtures (ewfinfo).

use std::collections::BTreeMap;
use std::io::Read;

use jiff::Timestamp;
use jiff::civil::DateTime;

/// Inflated header text is tiny (hundreds of bytes); refuse to inflate more
/// than this from a crafted stream.
const MAX_HEADER_TEXT: u64 = 4 << 20;

/// A date/time recorded in the EWF headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EwfTime {
    /// An absolute time (POSIX seconds in `header2`/linen, or a zoned time
    /// in `xheader`).
    Utc(Timestamp),
    /// A wall-clock time in the acquiring machine's local zone, which EWF
    /// does not record (`header` section of EnCase/FTK).
    Local(DateTime),
    /// A value that could not be decoded, kept verbatim.
    Raw(String),
}

impl std::fmt::Display for EwfTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EwfTime::Utc(t) => write!(f, "{t}"),
            EwfTime::Local(d) => write!(
                f,
                "{} (acquiring machine's local time)",
                d.strftime("%Y-%m-%d %H:%M:%S")
            ),
            EwfTime::Raw(s) => write!(f, "{s} (undecoded)"),
        }
    }
}

/// Case metadata of an EWF image. Values come from `header2` when present
/// (it is Unicode and has UTC dates), then `xheader`, then `header`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// Case number (`c`).
    pub case_number: Option<String>,
    /// Evidence number (`n`).
    pub evidence_number: Option<String>,
    /// Examiner name (`e`).
    pub examiner: Option<String>,
    /// Description (`a`).
    pub description: Option<String>,
    /// Notes (`t`).
    pub notes: Option<String>,
    /// Acquisition date (`m`).
    pub acquisition_date: Option<EwfTime>,
    /// System date at acquisition (`u`).
    pub system_date: Option<EwfTime>,
    /// Operating system used to acquire (`ov`).
    pub acquisition_os: Option<String>,
    /// Acquiring software version (`av`).
    pub software_version: Option<String>,
    /// Acquiring software name (xheader `acquiry_software`), when recorded.
    pub software: Option<String>,
    /// Media model (`md`, EnCase 6+).
    pub model: Option<String>,
    /// Media serial number (`sn`, EnCase 6+).
    pub serial_number: Option<String>,
    /// Device label (`l`, EnCase 6.19+).
    pub device_label: Option<String>,
    /// Password hash field (`p`); `0` or absent means no password.
    pub password_hash: Option<String>,
    /// Compression level character of old writers' `header` (`r`: `f`, `b`,
    /// `n`).
    pub compression: Option<String>,
    /// Which sections the metadata came from (`header2`, `header`,
    /// `xheader`).
    pub sources: Vec<&'static str>,
    /// Every key/value of the `main` category (and xheader elements) as
    /// stored, keyed by the short key (`c`, `n`, …) or XML element name.
    pub raw: BTreeMap<String, String>,
}

/// Inflates a header payload (bounded); `None` when it is not a zlib stream.
pub(crate) fn inflate_bounded(payload: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let d = flate2::read::ZlibDecoder::new(payload);
    match d.take(MAX_HEADER_TEXT).read_to_end(&mut out) {
        Ok(_) => Some(out),
        // A truncated stream still gives its text so far.
        Err(_) if !out.is_empty() => Some(out),
        Err(_) => None,
    }
}

/// Decodes `header2` bytes (UTF-16 with BOM; LE assumed without BOM).
pub(crate) fn decode_utf16(b: &[u8]) -> String {
    let (be, body) = match b {
        [0xFE, 0xFF, rest @ ..] => (true, rest),
        [0xFF, 0xFE, rest @ ..] => (false, rest),
        _ => (false, b),
    };
    let units: Vec<u16> = body
        .chunks_exact(2)
        .map(|c| match c {
            [a, b] if be => u16::from_be_bytes([*a, *b]),
            [a, b] => u16::from_le_bytes([*a, *b]),
            _ => 0,
        })
        .collect();
    String::from_utf16_lossy(&units)
}

/// Decodes `header` bytes as Latin-1 (a superset-compatible reading of the
/// CP1252 text EnCase writes; every byte maps to one char).
pub(crate) fn decode_latin1(b: &[u8]) -> String {
    b.iter().map(|c| *c as char).collect()
}

/// Key → value pairs of the `main` category of a header/header2 text.
pub(crate) fn parse_main_category(text: &str) -> BTreeMap<String, String> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut out = BTreeMap::new();
    let Some(pos) = lines.iter().position(|l| l.trim() == "main") else {
        return out;
    };
    let (Some(keys), Some(values)) = (lines.get(pos + 1), lines.get(pos + 2)) else {
        return out;
    };
    for (k, v) in keys.split('\t').zip(values.split('\t')) {
        let k = k.trim();
        if !k.is_empty() {
            out.insert(k.to_owned(), v.trim_end_matches('\0').to_owned());
        }
    }
    out
}

/// Elements `<name>value</name>` directly inside `<xheader>`.
pub(crate) fn parse_xheader(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        rest = rest.get(open + 1..).unwrap_or("");
        let Some(close) = rest.find('>') else { break };
        let tag = rest.get(..close).unwrap_or("");
        rest = rest.get(close + 1..).unwrap_or("");
        if tag.starts_with('/')
            || tag.starts_with('?')
            || tag.starts_with('!')
            || tag.ends_with('/')
            || tag == "xheader"
        {
            continue;
        }
        let name = tag.split_whitespace().next().unwrap_or("");
        let end_tag = format!("</{name}>");
        if let Some(end) = rest.find(&end_tag) {
            let value = rest.get(..end).unwrap_or("");
            if !value.contains('<') {
                out.insert(name.to_owned(), xml_unescape(value));
                rest = rest.get(end + end_tag.len()..).unwrap_or("");
            }
        }
    }
    out
}

fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Decodes a header date value: POSIX seconds, or `"YYYY M D h m s"` local
/// time (the zone is not recorded), or an xheader ctime-like string.
pub(crate) fn parse_date(v: &str) -> Option<EwfTime> {
    let v = v.trim();
    if v.is_empty() || v == "0" {
        return None;
    }
    if let Ok(secs) = v.parse::<i64>() {
        return Some(
            rift_io::time::unix_seconds(secs)
                .map(EwfTime::Utc)
                .unwrap_or_else(|| EwfTime::Raw(v.to_owned())),
        );
    }
    let parts: Vec<&str> = v.split_whitespace().collect();
    if parts.len() == 6 && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
        let n: Vec<i64> = parts.iter().filter_map(|p| p.parse().ok()).collect();
        if let [y, mo, d, h, mi, s] = n[..] {
            let dt = (|| {
                DateTime::new(
                    i16::try_from(y).ok()?,
                    i8::try_from(mo).ok()?,
                    i8::try_from(d).ok()?,
                    i8::try_from(h).ok()?,
                    i8::try_from(mi).ok()?,
                    i8::try_from(s).ok()?,
                    0,
                )
                .ok()
            })();
            return Some(dt.map_or_else(|| EwfTime::Raw(v.to_owned()), EwfTime::Local));
        }
    }
    // xheader: "Fri Aug 18 00:28:09 2023 UTC", a numeric offset, or a zone
    // abbreviation (which cannot be resolved: kept as local time).
    if let Ok(z) =
        jiff::fmt::strtime::parse("%a %b %d %H:%M:%S %Y %z", v).and_then(|p| p.to_timestamp())
    {
        return Some(EwfTime::Utc(z));
    }
    let (body, zone) = match v.rsplit_once(' ') {
        Some((b, z)) if z.bytes().all(|c| c.is_ascii_alphabetic()) => (b, Some(z)),
        _ => (v, None),
    };
    if let Ok(dt) =
        jiff::fmt::strtime::parse("%a %b %d %H:%M:%S %Y", body).and_then(|p| p.to_datetime())
    {
        return Some(match zone {
            Some("UTC" | "GMT" | "Z") => dt
                .to_zoned(jiff::tz::TimeZone::UTC)
                .map_or(EwfTime::Local(dt), |z| EwfTime::Utc(z.timestamp())),
            _ => EwfTime::Local(dt),
        });
    }
    Some(EwfTime::Raw(v.to_owned()))
}

/// Which section a metadata text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderKind {
    Header2,
    Header,
    XHeader,
}

impl Metadata {
    /// Merges one header text into the metadata. Call in increasing
    /// priority order (header, xheader, header2): later non-empty values win.
    pub(crate) fn merge(&mut self, kind: HeaderKind, text: &str) {
        let (name, map) = match kind {
            HeaderKind::Header2 => ("header2", parse_main_category(text)),
            HeaderKind::Header => ("header", parse_main_category(text)),
            HeaderKind::XHeader => ("xheader", parse_xheader(text)),
        };
        if map.is_empty() {
            return;
        }
        if !self.sources.contains(&name) {
            self.sources.push(name);
        }
        let keys: &[(&str, &str)] = match kind {
            HeaderKind::XHeader => &[
                ("case_number", "c"),
                ("evidence_number", "n"),
                ("examiner_name", "e"),
                ("description", "a"),
                ("notes", "t"),
                ("acquiry_date", "m"),
                ("system_date", "u"),
                ("acquiry_operating_system", "ov"),
                ("acquiry_software_version", "av"),
                ("model", "md"),
                ("serial_number", "sn"),
                ("device_label", "l"),
                ("password", "p"),
            ],
            _ => &[
                ("c", "c"),
                ("n", "n"),
                ("e", "e"),
                ("a", "a"),
                ("t", "t"),
                ("m", "m"),
                ("u", "u"),
                ("ov", "ov"),
                ("av", "av"),
                ("md", "md"),
                ("sn", "sn"),
                ("l", "l"),
                ("p", "p"),
                ("r", "r"),
            ],
        };
        for (src, dst) in keys {
            let Some(v) = map.get(*src) else { continue };
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let s = Some(v.to_owned());
            match *dst {
                "c" => self.case_number = s,
                "n" => self.evidence_number = s,
                "e" => self.examiner = s,
                "a" => self.description = s,
                "t" => self.notes = s,
                "m" => self.acquisition_date = parse_date(v),
                "u" => self.system_date = parse_date(v),
                "ov" => self.acquisition_os = s,
                "av" => self.software_version = s,
                "md" => self.model = s,
                "sn" => self.serial_number = s,
                "l" => self.device_label = s,
                "p" => self.password_hash = s,
                "r" => self.compression = s,
                _ => {}
            }
        }
        if kind == HeaderKind::XHeader
            && let Some(v) = map.get("acquiry_software").filter(|v| !v.trim().is_empty())
        {
            self.software = Some(v.trim().to_owned());
        }
        for (k, v) in map {
            self.raw.insert(k, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_text_maps_by_key_and_dates() {
        // Written out from the format document: EnCase `header`, CRLF.
        let t = "1\r\nmain\r\nc\tn\ta\te\tt\tav\tov\tm\tu\tp\r\nCASE\tEV\tdesc\tme\tnote\t6.1\tWin\t2013 12 10 12 28 38\t2013 12 10 12 28 39\t0\r\n\r\n";
        let mut m = Metadata::default();
        m.merge(HeaderKind::Header, t);
        assert_eq!(m.case_number.as_deref(), Some("CASE"));
        assert_eq!(m.examiner.as_deref(), Some("me"));
        assert_eq!(
            m.acquisition_date,
            Some(EwfTime::Local(
                DateTime::new(2013, 12, 10, 12, 28, 38, 0).unwrap()
            ))
        );
        // header2 (POSIX seconds) overrides header.
        let t2 = "3\nmain\na\tc\tn\te\tt\tav\tov\tm\tu\tp\ndesc2\tCASE2\tEV\tme\t\t7\tLinux\t1386674918\t1386674918\t0\n\nsrce\n0\t1\np\tn\n0\t0\n\t\n";
        m.merge(HeaderKind::Header2, t2);
        assert_eq!(m.case_number.as_deref(), Some("CASE2"));
        assert_eq!(m.notes.as_deref(), Some("note"), "empty values don't erase");
        assert_eq!(
            m.acquisition_date.as_ref().map(|d| d.to_string()),
            Some("2013-12-10T11:28:38Z".to_owned())
        );
        assert_eq!(m.sources, vec!["header", "header2"]);
    }

    #[test]
    fn xheader_elements() {
        let x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<xheader>\n\t<case_number>A&amp;B</case_number>\n\t<acquiry_date>Fri Aug 18 00:28:09 2023 UTC</acquiry_date>\n\t<acquiry_software>ewfacquire</acquiry_software>\n</xheader>\n";
        let mut m = Metadata::default();
        m.merge(HeaderKind::XHeader, x);
        assert_eq!(m.case_number.as_deref(), Some("A&B"));
        assert_eq!(m.software.as_deref(), Some("ewfacquire"));
        assert_eq!(
            m.acquisition_date.map(|d| d.to_string()),
            Some("2023-08-18T00:28:09Z".to_owned())
        );
    }

    #[test]
    fn utf16_both_orders() {
        assert_eq!(decode_utf16(&[0xFF, 0xFE, b'a', 0, b'b', 0]), "ab");
        assert_eq!(decode_utf16(&[0xFE, 0xFF, 0, b'a', 0, b'b']), "ab");
        assert_eq!(parse_date("garbage"), Some(EwfTime::Raw("garbage".into())));
        assert_eq!(parse_date("0"), None);
    }
}
