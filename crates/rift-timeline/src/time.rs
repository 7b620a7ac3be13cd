//! The case database's time convention.
//!
//! Every time column is TEXT, ISO 8601 in UTC with seven fractional digits
//! and a `Z`: `2024-01-02T03:04:05.1234567Z`. Seven digits keep a
//! `FILETIME`'s 100 ns resolution exactly (sub-second zeros stay visible, a
//! timestomping sign), and the fixed width makes text order equal time order,
//! so `ORDER BY time` and range filters on the text work on indexes. The
//! `timeline` table also keeps `ts` = Unix microseconds for numeric work.

use std::fmt;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rift_io::time::FileTime;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// A time in the database layout (`YYYY-MM-DDTHH:MM:SS.fffffffZ`, UTC).
///
/// Built from a [`Timestamp`] (truncated to 100 ns) or a raw [`FileTime`]
/// (exact), or parsed from any RFC 3339 text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DbTime(String);

impl DbTime {
    /// The database form of a timestamp (truncated to 100 ns).
    pub fn from_timestamp(ts: Timestamp) -> DbTime {
        let z = ts.to_zoned(TimeZone::UTC);
        let ticks = z.subsec_nanosecond().unsigned_abs() / 100;
        DbTime(format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}Z",
            z.year(),
            z.month(),
            z.day(),
            z.hour(),
            z.minute(),
            z.second(),
            ticks
        ))
    }

    /// The database form of a `FILETIME`; `None` for 0 ("not set") and
    /// values jiff cannot represent.
    pub fn from_filetime(ft: FileTime) -> Option<DbTime> {
        ft.to_timestamp().map(DbTime::from_timestamp)
    }

    /// Parses RFC 3339 / ISO 8601 text with an offset or `Z` (any number of
    /// fractional digits) and normalises it; `None` when it is not a time.
    pub fn parse(s: &str) -> Option<DbTime> {
        s.trim()
            .parse::<Timestamp>()
            .ok()
            .map(DbTime::from_timestamp)
    }

    /// The text as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Back to a timestamp.
    pub fn to_timestamp(&self) -> Option<Timestamp> {
        self.0.parse::<Timestamp>().ok()
    }

    /// Unix microseconds (the `timeline.ts` column).
    pub fn unix_micros(&self) -> Option<i64> {
        self.to_timestamp().map(|t| t.as_microsecond())
    }
}

impl Default for DbTime {
    /// The Unix epoch (only so row structs can derive `Default`).
    fn default() -> DbTime {
        DbTime::from_timestamp(Timestamp::UNIX_EPOCH)
    }
}

impl From<Timestamp> for DbTime {
    fn from(ts: Timestamp) -> DbTime {
        DbTime::from_timestamp(ts)
    }
}

impl fmt::Display for DbTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ToSql for DbTime {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(ValueRef::Text(self.0.as_bytes())))
    }
}

impl FromSql for DbTime {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let s = value.as_str()?;
        DbTime::parse(s).ok_or(FromSqlError::InvalidType)
    }
}

/// Database text (`…Z`) to a timestamp; `None` for NULL or garbage.
pub fn parse_db_time(s: &str) -> Option<Timestamp> {
    s.parse::<Timestamp>().ok()
}

/// The SQL expression that turns a database time column into Unix
/// microseconds, exactly (`strftime('%s')` for the seconds, the first six
/// fractional digits for the microseconds). SQLite's `julianday` would round
/// to milliseconds.
pub fn sql_unix_micros(col: &str) -> String {
    format!(
        "(CAST(strftime('%s', substr({col},1,19)) AS INTEGER) * 1000000 + CAST(substr({col},21,6) AS INTEGER))"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filetime_exact_and_sortable() {
        // (1692259325 + 11644473600) * 10^7 + 2992500: worked out by hand.
        let ft = FileTime((1_692_259_325 + 11_644_473_600) * 10_000_000 + 2_992_500);
        let t = DbTime::from_filetime(ft).unwrap();
        assert_eq!(t.as_str(), "2023-08-17T08:02:05.2992500Z");
        assert_eq!(t.unix_micros(), Some(1_692_259_325_299_250));
        // One tick later sorts after, as text.
        let t2 = DbTime::from_filetime(FileTime(ft.0 + 1)).unwrap();
        assert_eq!(t2.as_str(), "2023-08-17T08:02:05.2992501Z");
        assert!(t2 > t);
        assert_eq!(DbTime::from_filetime(FileTime(0)), None);
        assert_eq!(
            DbTime::parse("2023-08-17T17:02:05.29925+09:00").unwrap(),
            DbTime::parse("2023-08-17T08:02:05.299250Z").unwrap()
        );
        assert_eq!(DbTime::parse("not a time"), None);
    }

    #[test]
    fn sql_micros_matches_rust() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        let t = "2023-08-17T08:02:05.2992500Z";
        let us: i64 = c
            .query_row(&format!("SELECT {}", sql_unix_micros("?1")), [t], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(us, 1_692_259_325_299_250);
        let before_1970 = "1601-01-01T00:00:00.0000010Z";
        let us: i64 = c
            .query_row(
                &format!("SELECT {}", sql_unix_micros("?1")),
                [before_1970],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(us, -11_644_473_600_000_000 + 1);
    }
}
