//! Streaming exports of the super-timeline: CSV, Timesketch JSONL, TSK body
//! file. Each walks an index in time order and writes row by row; memory
//! stays flat whatever the size of the case.

use std::io::Write;

use jiff::Timestamp;
use rift_io::time::DisplayZone;
use serde_json::{Map, Value};

use crate::Result;
use crate::db::CaseDb;
use crate::time::parse_db_time;

/// Header of `timeline.csv`.
pub const CSV_HEADER: &[&str] = &[
    "datetime",
    "timezone",
    "datetime_utc",
    "macb",
    "source",
    "artifact",
    "timestamp_desc",
    "user",
    "host",
    "path",
    "message",
    "extra",
    "src_table",
    "src_id",
];

/// ISO 8601 in `zone` with seven fractional digits and the offset (`Z` in
/// UTC): `2024-01-02T12:04:05.1234567+09:00`.
pub fn format_iso7(zone: &DisplayZone, ts: Timestamp) -> String {
    let z = ts.to_zoned(zone.tz().clone());
    let ticks = z.subsec_nanosecond().unsigned_abs() / 100;
    let secs = z.offset().seconds();
    let off = if secs == 0 {
        "Z".to_string()
    } else {
        let sign = if secs < 0 { '-' } else { '+' };
        let a = secs.unsigned_abs();
        format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:07}{off}",
        z.year(),
        z.month(),
        z.day(),
        z.hour(),
        z.minute(),
        z.second(),
        ticks
    )
}

const SELECT_TIMELINE: &str = "SELECT ts, time, source, artifact, timestamp_desc, macb, path, user, host, message, extra, src_table, src_id
     FROM timeline ORDER BY ts, id";

struct Ev {
    ts: Option<i64>,
    time: String,
    source: String,
    artifact: Option<String>,
    desc: Option<String>,
    macb: Option<String>,
    path: Option<String>,
    user: Option<String>,
    host: Option<String>,
    message: Option<String>,
    extra: Option<String>,
    src_table: Option<String>,
    src_id: Option<i64>,
}

fn for_each_event(db: &CaseDb, mut f: impl FnMut(Ev) -> Result<()>) -> Result<u64> {
    let mut st = db.conn().prepare(SELECT_TIMELINE)?;
    let mut rows = st.query([])?;
    let mut n = 0u64;
    while let Some(r) = rows.next()? {
        f(Ev {
            ts: r.get(0)?,
            time: r.get(1)?,
            source: r.get(2)?,
            artifact: r.get(3)?,
            desc: r.get(4)?,
            macb: r.get(5)?,
            path: r.get(6)?,
            user: r.get(7)?,
            host: r.get(8)?,
            message: r.get(9)?,
            extra: r.get(10)?,
            src_table: r.get(11)?,
            src_id: r.get(12)?,
        })?;
        n += 1;
    }
    Ok(n)
}

/// Writes `timeline.csv`: UTF-8 with a BOM and CRLF line ends (what Excel
/// and Timeline Explorer expect), header [`CSV_HEADER`]. `datetime` is in
/// the display zone with its offset, `timezone` names that zone and
/// `datetime_utc` keeps the stored UTC text, so no time is ever shifted
/// silently. Returns the number of events.
pub fn export_csv<W: Write>(db: &CaseDb, out: W, zone: &DisplayZone) -> Result<u64> {
    let mut out = out;
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    w.write_record(CSV_HEADER)?;
    let label = zone.label().to_string();
    let n = for_each_event(db, |e| {
        let shown = parse_db_time(&e.time)
            .map(|t| format_iso7(zone, t))
            .unwrap_or_else(|| e.time.clone());
        let id = e.src_id.map(|v| v.to_string()).unwrap_or_default();
        w.write_record([
            shown.as_str(),
            label.as_str(),
            e.time.as_str(),
            e.macb.as_deref().unwrap_or(""),
            e.source.as_str(),
            e.artifact.as_deref().unwrap_or(""),
            e.desc.as_deref().unwrap_or(""),
            e.user.as_deref().unwrap_or(""),
            e.host.as_deref().unwrap_or(""),
            e.path.as_deref().unwrap_or(""),
            e.message.as_deref().unwrap_or(""),
            e.extra.as_deref().unwrap_or(""),
            e.src_table.as_deref().unwrap_or(""),
            id.as_str(),
        ])?;
        Ok(())
    })?;
    w.flush()?;
    Ok(n)
}

/// Writes `timeline.jsonl` for Timesketch: one JSON object per line with
/// `message`, `datetime` (ISO 8601 UTC, `Z`), `timestamp` (µs since 1970),
/// `timestamp_desc`, and the extra fields `source`, `artifact`, `macb`,
/// `path`, `user`, `host`, `src_table`, `src_id` plus every key of the
/// event's `extra` object (prefixed `extra_` when it would clash).
pub fn export_jsonl<W: Write>(db: &CaseDb, out: W) -> Result<u64> {
    let mut out = std::io::BufWriter::new(out);
    let n = for_each_event(db, |e| {
        let mut m = Map::new();
        let msg = e.message.clone().unwrap_or_default();
        m.insert("message".into(), Value::String(msg));
        let utc = parse_db_time(&e.time)
            .map(|t| format_iso7(&DisplayZone::default(), t))
            .unwrap_or_else(|| e.time.clone());
        m.insert("datetime".into(), Value::String(utc));
        if let Some(ts) = e.ts {
            m.insert("timestamp".into(), Value::from(ts));
        }
        m.insert(
            "timestamp_desc".into(),
            Value::String(e.desc.clone().unwrap_or_else(|| "Event Time".into())),
        );
        m.insert("source".into(), Value::String(e.source.clone()));
        for (k, v) in [
            ("artifact", &e.artifact),
            ("macb", &e.macb),
            ("path", &e.path),
            ("user", &e.user),
            ("host", &e.host),
            ("src_table", &e.src_table),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), Value::String(v.clone()));
            }
        }
        if let Some(id) = e.src_id {
            m.insert("src_id".into(), Value::from(id));
        }
        if let Some(Value::Object(extra)) = e
            .extra
            .as_deref()
            .and_then(|x| serde_json::from_str::<Value>(x).ok())
        {
            for (k, v) in extra {
                if v.is_null() {
                    continue;
                }
                let key = if m.contains_key(&k) {
                    format!("extra_{k}")
                } else {
                    k
                };
                m.insert(key, v);
            }
        }
        serde_json::to_writer(&mut out, &Value::Object(m))?;
        out.write_all(b"\n")?;
        Ok(())
    })?;
    out.flush()?;
    Ok(n)
}

fn body_time(t: Option<String>) -> String {
    match t.as_deref().and_then(parse_db_time) {
        Some(ts) => {
            let s = ts.as_second();
            let frac = ts.subsec_nanosecond() / 100;
            if frac == 0 {
                s.to_string()
            } else if s < 0 {
                // Keep it simple before 1970: whole seconds only.
                s.to_string()
            } else {
                format!("{s}.{frac:07}")
            }
        }
        None => "0".into(),
    }
}

/// Writes a TSK 3.x body file of the `mft` rows (`MD5|name|inode|mode|UID|
/// GID|size|atime|mtime|ctime|crtime`, Unix seconds with seven fractional
/// digits), for `mactime`. Like `fls -m`: one line with the `$SI` times and
/// one with the `$FILE_NAME` times (name suffixed ` ($FILE_NAME)`); deleted
/// entries carry ` (deleted)`.
pub fn export_bodyfile<W: Write>(db: &CaseDb, out: W) -> Result<u64> {
    let mut out = std::io::BufWriter::new(out);
    let mut st = db.conn().prepare(
        "SELECT entry, seq, COALESCE(full_path, name, ''), is_dir, size, in_use, is_ads, ads_name,
                si_accessed, si_modified, si_mft_modified, si_created,
                fn_accessed, fn_modified, fn_mft_modified, fn_created
         FROM mft ORDER BY volume_id, entry, id",
    )?;
    let mut rows = st.query([])?;
    let mut n = 0u64;
    while let Some(r) = rows.next()? {
        let entry: i64 = r.get(0)?;
        let seq: Option<i64> = r.get(1)?;
        let path: String = r.get(2)?;
        let is_dir: Option<bool> = r.get(3)?;
        let size: Option<i64> = r.get(4)?;
        let in_use: Option<bool> = r.get(5)?;
        let is_ads: Option<bool> = r.get(6)?;
        let ads: Option<String> = r.get(7)?;
        let mut name = path.replace('|', "_");
        if is_ads == Some(true) {
            if let Some(a) = ads {
                name = format!("{name}:{a}");
            }
        }
        let deleted = if in_use == Some(false) {
            " (deleted)"
        } else {
            ""
        };
        let mode = if is_dir == Some(true) {
            "d/drwxrwxrwx"
        } else {
            "r/rrwxrwxrwx"
        };
        let inode = format!("{entry}-{}", seq.unwrap_or(0));
        let size = size.unwrap_or(0);
        let si = [r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?].map(body_time);
        writeln!(
            out,
            "0|{name}{deleted}|{inode}|{mode}|0|0|{size}|{}|{}|{}|{}",
            si[0], si[1], si[2], si[3]
        )?;
        n += 1;
        if is_ads != Some(true) {
            let fnt = [r.get(12)?, r.get(13)?, r.get(14)?, r.get(15)?].map(body_time);
            if fnt.iter().any(|t| t != "0") {
                writeln!(
                    out,
                    "0|{name} ($FILE_NAME){deleted}|{inode}|{mode}|0|0|{size}|{}|{}|{}|{}",
                    fnt[0], fnt[1], fnt[2], fnt[3]
                )?;
                n += 1;
            }
        }
    }
    out.flush()?;
    Ok(n)
}
