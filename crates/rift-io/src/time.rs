//! Windows and browser time stamps.
//!
//! Evidence stores time in many epochs. rift keeps the raw value where the
//! format has one (a `FILETIME` keeps its 100 ns ticks, so "sub-second part
//! is zero" — a timestomping sign — stays checkable) and converts to
//! [`jiff::Timestamp`] (UTC) for storage and display.
//!
//! Sources: `FILETIME` — MS-DTYP §2.3.3 (100 ns intervals since
//! 1601-01-01 UTC); WebKit/Chrome time — microseconds since 1601-01-01
//! (Chromium `base::Time`); Firefox PRTime — microseconds since 1970-01-01.

use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};

/// Seconds between 1601-01-01 and 1970-01-01.
pub const SECS_1601_TO_1970: i64 = 11_644_473_600;

/// A raw Windows `FILETIME`: 100 ns ticks since 1601-01-01 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileTime(pub u64);

impl FileTime {
    /// The time as a UTC timestamp; `None` for 0 (the conventional "not
    /// set") and for values outside the range jiff represents
    /// (-9999…9999 years).
    pub fn to_timestamp(self) -> Option<Timestamp> {
        if self.0 == 0 {
            return None;
        }
        let ticks = i128::from(self.0);
        let unix_ns = (ticks - i128::from(SECS_1601_TO_1970) * 10_000_000) * 100;
        Timestamp::from_nanosecond(unix_ns).ok()
    }

    /// A `FILETIME` for a timestamp (inverse of [`FileTime::to_timestamp`]),
    /// truncated to 100 ns. `None` before 1601.
    pub fn from_timestamp(ts: Timestamp) -> Option<FileTime> {
        let ticks = ts.as_nanosecond() / 100 + i128::from(SECS_1601_TO_1970) * 10_000_000;
        u64::try_from(ticks).ok().map(FileTime)
    }

    /// The 100 ns ticks within the second (0 ..= 9 999 999).
    pub fn subsecond_ticks(self) -> u32 {
        (self.0 % 10_000_000) as u32
    }
}

/// Microseconds since 1601-01-01 (Chrome/WebKit time). `None` for 0.
pub fn webkit_micros(us: i64) -> Option<Timestamp> {
    if us == 0 {
        return None;
    }
    let unix_us = i128::from(us) - i128::from(SECS_1601_TO_1970) * 1_000_000;
    Timestamp::from_nanosecond(unix_us * 1000).ok()
}

/// Microseconds since 1970-01-01 (Firefox PRTime). `None` for 0.
pub fn unix_micros(us: i64) -> Option<Timestamp> {
    if us == 0 {
        return None;
    }
    Timestamp::from_microsecond(us).ok()
}

/// Seconds since 1970-01-01. `None` for 0.
pub fn unix_seconds(s: i64) -> Option<Timestamp> {
    if s == 0 {
        return None;
    }
    Timestamp::from_second(s).ok()
}

/// The EZ-tools CSV layout: `yyyy-MM-dd HH:mm:ss.fffffff` in UTC
/// (seven fractional digits, `FILETIME` resolution).
pub fn format_ez(ts: Timestamp) -> String {
    format_fixed(&ts.to_zoned(TimeZone::UTC), 7, " ", false)
}

/// Appends a FILETIME as `yyyy-MM-dd HH:mm:ss.fffffff` (UTC, the EZ-tools
/// layout of [`format_ez`]) with integer arithmetic only — the hot path of
/// multi-million-row CSVs. Writes nothing for 0 or for years past 9999.
#[inline]
pub fn push_ez(out: &mut String, t: FileTime) {
    let ft = t.0;
    if ft == 0 || ft >= 2_650_467_744_000_000_000 {
        return;
    }
    let ticks = ft % 10_000_000;
    let secs = ft / 10_000_000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    // Hand-rolled (no `write!`): this runs several times per CSV row.
    push_digits(out, y.max(0) as u64, 4);
    out.push('-');
    push_digits(out, u64::from(m), 2);
    out.push('-');
    push_digits(out, u64::from(d), 2);
    out.push(' ');
    push_digits(out, rem / 3600, 2);
    out.push(':');
    push_digits(out, (rem / 60) % 60, 2);
    out.push(':');
    push_digits(out, rem % 60, 2);
    out.push('.');
    push_digits(out, ticks, 7);
}

/// Appends `v` zero-padded to `width` digits (more digits if needed).
#[inline]
pub fn push_digits(out: &mut String, v: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    let mut x = v;
    loop {
        i -= 1;
        if let Some(b) = buf.get_mut(i) {
            *b = b'0' + (x % 10) as u8;
        }
        x /= 10;
        if x == 0 || i == 0 {
            break;
        }
    }
    let start = i.min(buf.len().saturating_sub(width));
    for &b in buf.get(start..).unwrap_or_default() {
        out.push(b as char);
    }
}

/// Civil date from days since 1601-01-01 (Howard Hinnant's
/// `civil_from_days`; 1601-01-01 is day 584694 after 0000-03-01).
fn civil_from_days(days_since_1601: i64) -> (i64, u32, u32) {
    let z = days_since_1601 + 584_694;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// ISO 8601 in UTC with a `Z` and six fractional digits:
/// `2024-01-02T03:04:05.123456Z`.
pub fn format_iso_utc(ts: Timestamp) -> String {
    format_fixed(&ts.to_zoned(TimeZone::UTC), 6, "T", true)
}

/// A display time zone chosen by the analyst (`--tz`): UTC, a fixed offset
/// (`+09:00`) or an IANA name (`Asia/Seoul`).
#[derive(Debug, Clone)]
pub struct DisplayZone {
    label: String,
    tz: TimeZone,
}

impl Default for DisplayZone {
    fn default() -> Self {
        DisplayZone {
            label: "UTC".into(),
            tz: TimeZone::UTC,
        }
    }
}

impl DisplayZone {
    /// Parses `UTC`, `Z`, `+09:00`, `-0530`, `+9`, or an IANA zone name.
    pub fn parse(s: &str) -> Result<DisplayZone, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("utc") || t == "Z" || t.is_empty() {
            return Ok(DisplayZone::default());
        }
        if let Some(off) = parse_offset(t) {
            let label = format_offset(off);
            return Ok(DisplayZone {
                label,
                tz: TimeZone::fixed(off),
            });
        }
        TimeZone::get(t)
            .map(|tz| DisplayZone {
                label: t.to_string(),
                tz,
            })
            .map_err(|e| format!("unknown time zone {t:?}: {e}"))
    }

    /// What the analyst asked for, normalised (`UTC`, `+09:00`, `Asia/Seoul`).
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Whether this is UTC.
    pub fn is_utc(&self) -> bool {
        self.label == "UTC"
    }

    /// The jiff time zone.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }

    /// ISO 8601 with the zone's offset and six fractional digits:
    /// `2024-01-02T12:04:05.123456+09:00` (`Z` in UTC).
    pub fn format_iso(&self, ts: Timestamp) -> String {
        format_fixed(&ts.to_zoned(self.tz.clone()), 6, "T", true)
    }

    /// `YYYY-MM-DDTHH:MM:SS` in the zone, no fraction, no offset.
    pub fn format_seconds(&self, ts: Timestamp) -> String {
        let z = ts.to_zoned(self.tz.clone());
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            z.year(),
            z.month(),
            z.day(),
            z.hour(),
            z.minute(),
            z.second()
        )
    }

    /// The EZ layout (`yyyy-MM-dd HH:mm:ss.fffffff`) in this zone.
    pub fn format_ez(&self, ts: Timestamp) -> String {
        format_fixed(&ts.to_zoned(self.tz.clone()), 7, " ", false)
    }
}

fn parse_offset(s: &str) -> Option<Offset> {
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1i32, s.get(1..)?),
        b'-' => (-1i32, s.get(1..)?),
        _ => return None,
    };
    let (h, m) = if let Some((h, m)) = rest.split_once(':') {
        (h, m)
    } else if rest.len() == 4 {
        (rest.get(..2)?, rest.get(2..)?)
    } else {
        (rest, "0")
    };
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if !(0..=18).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    Offset::from_seconds(sign * (h * 3600 + m * 60)).ok()
}

fn format_offset(off: Offset) -> String {
    let secs = off.seconds();
    if secs == 0 {
        return "UTC".into();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

fn format_fixed(z: &Zoned, digits: u32, sep: &str, with_offset: bool) -> String {
    let frac = z.subsec_nanosecond().unsigned_abs() / 10u32.pow(9 - digits);
    let mut s = format!(
        "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}.{:0width$}",
        z.year(),
        z.month(),
        z.day(),
        z.hour(),
        z.minute(),
        z.second(),
        frac,
        width = digits as usize
    );
    if with_offset {
        let secs = z.offset().seconds();
        if secs == 0 {
            s.push('Z');
        } else {
            s.push_str(&format_offset(z.offset()));
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_ez_agrees_with_the_jiff_formatter() {
        for ft in [
            1u64,
            116_444_736_000_000_000,   // 1970-01-01
            133_486_382_451_234_567,   // 2024-01-02T03:04:05.1234567
            126_227_808_000_000_000,   // 2001-01-01 (400-year cycle edge)
            2_650_465_152_001_234_567, // 9999-12-28T00:00:00.1234567 (jiff ends near 9999-12-31)
        ] {
            let mut s = String::new();
            push_ez(&mut s, FileTime(ft));
            assert_eq!(s, format_ez(FileTime(ft).to_timestamp().unwrap()), "{ft}");
        }
        for ft in [0u64, 2_650_467_744_000_000_000, u64::MAX] {
            let mut s = String::new();
            push_ez(&mut s, FileTime(ft));
            assert!(s.is_empty(), "{ft}: {s}");
        }
    }

    #[test]
    fn filetime_roundtrip_and_format() {
        // 2023-08-17T08:02:05.2992500Z, computed independently:
        // (1692259325 + 11644473600) * 10^7 + 2992500
        let ft = FileTime((1_692_259_325 + 11_644_473_600) * 10_000_000 + 2_992_500);
        let ts = ft.to_timestamp().unwrap();
        assert_eq!(format_ez(ts), "2023-08-17 08:02:05.2992500");
        assert_eq!(format_iso_utc(ts), "2023-08-17T08:02:05.299250Z");
        assert_eq!(FileTime::from_timestamp(ts), Some(ft));
        assert_eq!(ft.subsecond_ticks(), 2_992_500);
        assert_eq!(FileTime(0).to_timestamp(), None);
        assert!(FileTime(u64::MAX).to_timestamp().is_none());
    }

    #[test]
    fn zones() {
        let ts = unix_seconds(1_692_259_325).unwrap();
        let kst = DisplayZone::parse("+09:00").unwrap();
        assert_eq!(kst.label(), "+09:00");
        assert_eq!(kst.format_seconds(ts), "2023-08-17T17:02:05");
        assert_eq!(kst.format_iso(ts), "2023-08-17T17:02:05.000000+09:00");
        assert_eq!(DisplayZone::parse("+0900").unwrap().label(), "+09:00");
        assert_eq!(DisplayZone::parse("-5").unwrap().label(), "-05:00");
        assert!(DisplayZone::parse("UTC").unwrap().is_utc());
        assert!(DisplayZone::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn browser_epochs() {
        // 13335732973000000 µs since 1601 = 1691259373 s since 1970
        let t = webkit_micros(13_335_732_973_000_000).unwrap();
        assert_eq!(t.as_second(), 1_691_259_373);
        assert_eq!(unix_micros(1_691_259_373_000_000).unwrap(), t);
        assert_eq!(webkit_micros(0), None);
    }
}
