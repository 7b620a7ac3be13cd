//! Defence evasion and NTFS-Log-Tracker-style suspicious-behaviour rules:
//! Defender disabled, event logs cleared, shadow copies deleted,
//! timestomping, system time changed, document deletion bursts.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use rift_timeline::CaseDb;

use crate::Result;
use crate::fsevents::{FsHistory, Kind};
use crate::model::{Evidence, Finding};
use crate::util::{ext_of, secs, us, z, z_us};

/// Defender values that switch protection off when set to 1.
const DEFENDER_DISABLE_VALUES: &[&str] = &[
    "disableantispyware",
    "disableantivirus",
    "disablerealtimemonitoring",
    "disablebehaviormonitoring",
    "disableonaccessprotection",
    "disableioavprotection",
    "disablescanonrealtimeenable",
    "disableblockatfirstseen",
];
/// Defender Operational events: 5001 real-time protection disabled, 5010
/// / 5012 scanning disabled, 5007 configuration changed.
const DEFENDER_EVENTS: &[i64] = &[5001, 5010, 5012, 5007];
/// A journal whose time steps back by more than this between consecutive
/// USNs had the clock changed (NTFS Log Tracker's "system time changed").
pub const TIME_REVERSAL_US: i64 = secs(120);
/// Document deletions within this window form one burst.
pub const DELETE_BURST_WINDOW_US: i64 = secs(300);
/// Fewest document deletions (outside a ransomware burst) that are reported.
pub const MIN_DELETE_BURST: usize = 20;
/// At most this many timestomped files are listed as evidence.
const MAX_LISTED: usize = 20;

/// Document and media extensions for the deletion rule.
const DOC_EXTS: &[&str] = &[
    ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".pdf", ".txt", ".rtf", ".odt", ".ods",
    ".odp", ".hwp", ".hwpx", ".csv", ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".zip", ".7z",
    ".rar", ".psd", ".mp4", ".mov", ".mp3", ".eml", ".pst", ".sql", ".mdb", ".accdb",
];

static SHADOW_DELETE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(vssadmin(\.exe)?\W+delete\W+shadows|vssadmin(\.exe)?\W+resize\W+shadowstorage|wmic(\.exe)?\W+shadowcopy\W+delete|win32_shadowcopy.{0,80}(delete|remove)|get-wmiobject\W+win32_shadowcopy|wbadmin(\.exe)?\W+delete\W+(catalog|systemstatebackup)|bcdedit(\.exe)?.{0,40}recoveryenabled\W+no)",
    )
    .expect("static regex")
});

fn ev(artifact: &str, table: &str, id: i64, time: Option<&str>, text: String) -> Evidence {
    Evidence {
        artifact: artifact.into(),
        table: Some(table.into()),
        id: Some(id),
        offset: None,
        time: time.and_then(z),
        text,
    }
}

fn finding(
    detector: &str,
    title: &str,
    confidence: f64,
    severity: &str,
    summary: String,
    mut evidence: Vec<Evidence>,
) -> Finding {
    evidence.sort_by(|a, b| a.time.cmp(&b.time));
    Finding {
        detector: detector.into(),
        category: "defense_evasion".into(),
        title: title.into(),
        confidence,
        severity: severity.into(),
        time: evidence.iter().find_map(|e| e.time.clone()),
        summary,
        evidence,
    }
}

/// Defender switched off by policy/settings values or reported by its own log.
fn defender(db: &CaseDb) -> Result<Option<Finding>> {
    let conn = db.conn();
    let mut evid = Vec::new();
    let mut st = conn.prepare(
        "SELECT id, key_path, value_name, COALESCE(value_int, CAST(value_data AS INTEGER)), key_last_write
         FROM defender_settings",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let key: Option<String> = r.get(1)?;
        let name: Option<String> = r.get(2)?;
        let val: Option<i64> = r.get(3)?;
        let t: Option<String> = r.get(4)?;
        let n = name.clone().unwrap_or_default().to_lowercase();
        let k = key.clone().unwrap_or_default();
        let hit = (DEFENDER_DISABLE_VALUES.contains(&n.as_str()) && val == Some(1))
            || (n == "tamperprotection" && matches!(val, Some(0) | Some(4)))
            || k.to_lowercase().contains("\\exclusions\\");
        if hit {
            evid.push(ev(
                "registry",
                "defender_settings",
                id,
                t.as_deref(),
                format!(
                    "{k}\\{} = {}",
                    name.unwrap_or_default(),
                    val.map(|v| v.to_string()).unwrap_or_default()
                ),
            ));
        }
    }
    // The same values as plain registry rows (batch output), when the
    // pipeline did not fill defender_settings.
    if evid.is_empty() {
        let mut st = conn.prepare(
            "SELECT id, key_path, value_name, value_data, last_write FROM registry_values
             WHERE key_path LIKE '%Windows Defender%'",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let key: String = r.get::<_, Option<String>>(1)?.unwrap_or_default();
            let name: String = r.get::<_, Option<String>>(2)?.unwrap_or_default();
            let data: String = r.get::<_, Option<String>>(3)?.unwrap_or_default();
            let t: Option<String> = r.get(4)?;
            let v = data.trim().trim_start_matches("0x").trim_start_matches('0');
            if DEFENDER_DISABLE_VALUES.contains(&name.to_lowercase().as_str()) && v == "1" {
                evid.push(ev(
                    "registry",
                    "registry_values",
                    id,
                    t.as_deref(),
                    format!("{key}\\{name} = {data}"),
                ));
            }
        }
    }
    let reg_hits = evid.len();
    let mut st = conn.prepare(&format!(
        "SELECT id, event_id, time, COALESCE(map_description, ''), COALESCE(payload_data1, '') FROM evtx
         WHERE event_id IN ({}) AND COALESCE(provider, '') LIKE '%Windows Defender%' ORDER BY time LIMIT 50",
        DEFENDER_EVENTS.iter().map(|e| e.to_string()).collect::<Vec<_>>().join(",")
    ))?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let eid: i64 = r.get(1)?;
        let t: Option<String> = r.get(2)?;
        let d: String = r.get(3)?;
        let p: String = r.get(4)?;
        evid.push(ev(
            "evtx",
            "evtx",
            id,
            t.as_deref(),
            format!("Defender event {eid} {d} {p}").trim().to_string(),
        ));
    }
    if evid.is_empty() {
        return Ok(None);
    }
    Ok(Some(finding(
        "defender_disabled",
        "Windows Defender disabled or weakened",
        if reg_hits > 0 { 0.9 } else { 0.6 },
        "high",
        format!(
            "{reg_hits} registry value(s) switch Defender protection off or add exclusions; {} Defender event(s) report protection changes. Key last-write times date the change.",
            evid.len() - reg_hits
        ),
        evid,
    )))
}

/// Event logs cleared: Security 1102, System 104.
fn log_cleared(db: &CaseDb) -> Result<Option<Finding>> {
    let mut st = db.conn().prepare(
        "SELECT id, event_id, time, COALESCE(channel, ''), COALESCE(user_name, user_sid, ''), COALESCE(computer, '') FROM evtx
         WHERE (event_id = 1102 AND COALESCE(provider, '') LIKE '%Eventlog%')
            OR (event_id = 104 AND COALESCE(provider, '') LIKE '%Eventlog%')
         ORDER BY time LIMIT 100",
    )?;
    let mut rows = st.query([])?;
    let mut evid = Vec::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let eid: i64 = r.get(1)?;
        let t: Option<String> = r.get(2)?;
        let ch: String = r.get(3)?;
        let u: String = r.get(4)?;
        let host: String = r.get(5)?;
        evid.push(ev(
            "evtx",
            "evtx",
            id,
            t.as_deref(),
            format!("{eid}: {ch} log cleared by {u} on {host}"),
        ));
    }
    if evid.is_empty() {
        return Ok(None);
    }
    Ok(Some(finding(
        "log_cleared",
        "Event log cleared",
        0.9,
        "high",
        format!(
            "{} log-clear event(s) (1102 Security, 104 System).",
            evid.len()
        ),
        evid,
    )))
}

/// Threats Windows Defender itself recorded (DetectionHistory files and
/// its 1116/1117 events): named malware, the file and, for downloads, the
/// URL — often the quickest pointer to the payload.
fn defender_detections(db: &CaseDb) -> Result<Option<Finding>> {
    let mut evid = Vec::new();
    let mut st = db.conn().prepare(
        "SELECT id, time, COALESCE(threat_name, '?'), COALESCE(file_path, '?'), web_url
         FROM defender_detections ORDER BY time LIMIT 100",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let t: Option<String> = r.get(1)?;
        let threat: String = r.get(2)?;
        let file: String = r.get(3)?;
        let url: Option<String> = r.get(4)?;
        let from = url
            .map(|u| format!(" (downloaded from {u})"))
            .unwrap_or_default();
        evid.push(ev(
            "defender_history",
            "defender_detections",
            id,
            t.as_deref(),
            format!("Defender detected {threat} in {file}{from}"),
        ));
    }
    let mut st = db.conn().prepare(
        "SELECT id, event_id, time, COALESCE(payload_data1, ''), COALESCE(payload_data3, '')
         FROM evtx WHERE event_id IN (1116, 1117)
           AND COALESCE(provider, '') LIKE '%Windows Defender%'
         ORDER BY time LIMIT 100",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let eid: i64 = r.get(1)?;
        let t: Option<String> = r.get(2)?;
        let p1: String = r.get(3)?;
        let p2: String = r.get(4)?;
        let what = if eid == 1116 { "detected" } else { "acted on" };
        evid.push(ev(
            "evtx",
            "evtx",
            id,
            t.as_deref(),
            format!("event {eid}: Defender {what} {p1}, {p2}")
                .trim_end_matches([' ', ','])
                .to_string(),
        ));
    }
    if evid.is_empty() {
        return Ok(None);
    }
    let mut f = finding(
        "defender_detections",
        "Windows Defender detected malware",
        0.95,
        "high",
        format!(
            "{} Defender detection record(s) (DetectionHistory, events 1116/1117).",
            evid.len()
        ),
        evid,
    );
    f.category = "malware".into();
    Ok(Some(f))
}

/// Shadow copies deleted: command lines in 4688 / Sysmon 1 / PowerShell
/// logs, or the tools' Prefetch near the incident.
fn shadow_copies(db: &CaseDb, window: Option<(i64, i64)>) -> Result<Option<Finding>> {
    let mut evid = Vec::new();
    let mut st = db.conn().prepare(
        "SELECT id, event_id, time, COALESCE(executable_info, '') || ' ' || COALESCE(payload_data1, '') || ' '
                || COALESCE(payload_data2, '') || ' ' || COALESCE(payload_data3, '') || ' ' || COALESCE(payload, '')
         FROM evtx WHERE event_id IN (4688, 1, 4103, 4104, 800, 400, 403, 600)",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let eid: i64 = r.get(1)?;
        let t: Option<String> = r.get(2)?;
        let text: String = r.get(3)?;
        if let Some(m) = SHADOW_DELETE.find(&text) {
            evid.push(ev(
                "evtx",
                "evtx",
                id,
                t.as_deref(),
                format!("event {eid}: {}", m.as_str()),
            ));
        }
        if evid.len() >= 50 {
            break;
        }
    }
    let cmd_hits = evid.len();
    if let Some((start, end)) = window {
        let mut st = db.conn().prepare(
            "SELECT id, exe, last_run, run_times FROM prefetch WHERE upper(exe) IN ('VSSADMIN.EXE', 'WBADMIN.EXE', 'WMIC.EXE', 'BCDEDIT.EXE')",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let id: i64 = r.get(0)?;
            let exe: String = r.get(1)?;
            let last: Option<String> = r.get(2)?;
            let runs: Vec<String> = r
                .get::<_, Option<String>>(3)?
                .and_then(|x| serde_json::from_str(&x).ok())
                .unwrap_or_else(|| last.into_iter().collect());
            for t in runs {
                if let Some(tu) = us(&t) {
                    if tu >= start - secs(3600) && tu <= end + secs(3600) {
                        evid.push(ev(
                            "prefetch",
                            "prefetch",
                            id,
                            Some(&t),
                            format!("{exe} ran near the encryption burst"),
                        ));
                    }
                }
            }
        }
    }
    if evid.is_empty() {
        return Ok(None);
    }
    Ok(Some(finding(
        "shadow_copies_deleted",
        "Volume shadow copies deleted",
        if cmd_hits > 0 { 0.9 } else { 0.5 },
        if cmd_hits > 0 { "high" } else { "medium" },
        format!(
            "{cmd_hits} command line(s) delete shadow copies or backups; {} shadow-copy tool run(s) near the incident.",
            evid.len() - cmd_hits
        ),
        evid,
    )))
}

/// Timestomping: `$SI` created earlier than `$FN` created, with zeroed
/// sub-seconds (tools set whole seconds).
fn timestomp(db: &CaseDb) -> Result<Option<Finding>> {
    let mut st = db.conn().prepare(
        "SELECT id, COALESCE(full_path, name), si_created, fn_created, COALESCE(usec_zeros, 0), COALESCE(extension, '')
         FROM mft
         WHERE COALESCE(si_lt_fn, 0) = 1 AND COALESCE(is_ads, 0) = 0 AND COALESCE(is_dir, 0) = 0
         ORDER BY usec_zeros DESC, si_created",
    )?;
    let mut rows = st.query([])?;
    let mut strong = Vec::new();
    let mut weak = 0usize;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let p: String = r.get::<_, Option<String>>(1)?.unwrap_or_default();
        let si: Option<String> = r.get(2)?;
        let fnc: Option<String> = r.get(3)?;
        let zeros: bool = r.get(4)?;
        if zeros {
            if strong.len() < MAX_LISTED {
                strong.push(ev(
                    "mft",
                    "mft",
                    id,
                    fnc.as_deref(),
                    format!(
                        "{p}: $SI created {} < $FN created {} (sub-seconds zero)",
                        si.as_deref().unwrap_or("?"),
                        fnc.as_deref().unwrap_or("?")
                    ),
                ));
            } else {
                weak += 1;
            }
        } else {
            weak += 1;
        }
    }
    if strong.is_empty() {
        return Ok(None);
    }
    let n = strong.len();
    Ok(Some(finding(
        "timestomping",
        "Possible timestomping ($SI earlier than $FN, zero sub-seconds)",
        0.6,
        "medium",
        format!(
            "{n} file(s) with $SI created < $FN created and zeroed sub-seconds; {weak} more with $SI < $FN only (installers and archive tools also do that)."
        ),
        strong,
    )))
}

/// System time changed: 4616 / Kernel-General 1, or the journal's clock
/// stepping back.
fn time_changed(db: &CaseDb) -> Result<Option<Finding>> {
    let mut evid = Vec::new();
    let mut st = db.conn().prepare(
        "SELECT id, event_id, time, COALESCE(payload_data1, '') || ' ' || COALESCE(payload_data2, '') FROM evtx
         WHERE (event_id = 4616 AND COALESCE(provider, '') LIKE '%Security-Auditing%')
            OR (event_id = 1 AND COALESCE(provider, '') LIKE '%Kernel-General%')
         ORDER BY time LIMIT 50",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let eid: i64 = r.get(1)?;
        let t: Option<String> = r.get(2)?;
        let p: String = r.get(3)?;
        evid.push(ev(
            "evtx",
            "evtx",
            id,
            t.as_deref(),
            format!("event {eid}: system time changed {}", p.trim()),
        ));
    }
    // Storage order is journal order per source (no SQL sort over the
    // whole journal): compare each record with the previous one of its
    // volume when the USN moves forward.
    let mut st = db.conn().prepare(
        "SELECT id, usn, time, COALESCE(volume_id, 0) FROM usn WHERE time IS NOT NULL AND carved = 0",
    )?;
    let mut rows = st.query([])?;
    let mut prev: HashMap<i64, (i64, i64, String)> = HashMap::new();
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let usn: Option<i64> = r.get(1)?;
        let time: String = r.get(2)?;
        let vol: i64 = r.get(3)?;
        let Some(t) = us(&time) else { continue };
        let u = usn.unwrap_or(0);
        if let Some((pu, pt, ptime)) = prev.get(&vol) {
            if u <= *pu {
                // Another source or a carved copy: restart the comparison.
                prev.insert(vol, (u, t, time));
                continue;
            }
            if pt - t > TIME_REVERSAL_US && evid.len() < 50 {
                evid.push(Evidence {
                    artifact: "usn".into(),
                    table: Some("usn".into()),
                    id: Some(id),
                    offset: usn,
                    time: z(&time),
                    text: format!("journal time steps back from {ptime} to {time}"),
                });
            }
        }
        prev.insert(vol, (u, t, time));
    }
    if evid.is_empty() {
        return Ok(None);
    }
    Ok(Some(finding(
        "system_time_changed",
        "System time changed",
        0.6,
        "medium",
        format!(
            "{} sign(s) of the clock being changed (4616 / Kernel-General 1 events, journal time running backwards).",
            evid.len()
        ),
        evid,
    )))
}

/// Many documents deleted within minutes (outside the encryption burst,
/// whose own deletions are the originals it replaced).
fn deletion_burst(fs: &FsHistory, consumed: &HashSet<usize>) -> Option<Finding> {
    let dels: Vec<usize> = fs
        .events
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            e.kind == Kind::Deleted
                && !e.is_dir
                && !consumed.contains(i)
                && ext_of(&e.name).is_some_and(|x| DOC_EXTS.contains(&x.as_str()))
        })
        .map(|(i, _)| i)
        .collect();
    let mut best: Option<(usize, usize)> = None;
    let mut lo = 0usize;
    for hi in 0..dels.len() {
        let t_hi = dels
            .get(hi)
            .and_then(|&i| fs.events.get(i))
            .map(|e| e.t)
            .unwrap_or(0);
        while dels
            .get(lo)
            .and_then(|&i| fs.events.get(i))
            .is_some_and(|e| t_hi - e.t > DELETE_BURST_WINDOW_US)
        {
            lo += 1;
        }
        let n = hi + 1 - lo;
        if best.is_none_or(|(a, b)| n > b + 1 - a) {
            best = Some((lo, hi));
        }
    }
    let (a, b) = best?;
    let n = b + 1 - a;
    if n < MIN_DELETE_BURST {
        return None;
    }
    let list: Vec<&crate::fsevents::NameEvent> = dels
        .get(a..=b)?
        .iter()
        .filter_map(|&i| fs.events.get(i))
        .collect();
    let first = list.first()?;
    let last = list.last()?;
    let evid = list
        .iter()
        .take(MAX_LISTED)
        .map(|e| Evidence {
            artifact: "usn".into(),
            table: Some("usn".into()),
            id: Some(e.row),
            offset: Some(e.usn),
            time: e.time_z(),
            text: format!("{} deleted", fs.path_in(e.parent, &e.name)),
        })
        .collect();
    Some(finding(
        "document_deletion_burst",
        "Document deletion burst",
        0.5,
        "medium",
        format!(
            "{n} documents deleted between {} and {}.",
            z_us(first.t).unwrap_or_default(),
            z_us(last.t).unwrap_or_default()
        ),
        evid,
    ))
}

/// Runs every defence-evasion rule.
pub fn detect(
    db: &CaseDb,
    fs: &FsHistory,
    window: Option<(i64, i64)>,
    consumed: &HashSet<usize>,
) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    out.extend(defender(db)?);
    out.extend(log_cleared(db)?);
    out.extend(defender_detections(db)?);
    out.extend(shadow_copies(db, window)?);
    out.extend(timestomp(db)?);
    out.extend(time_changed(db)?);
    out.extend(deletion_burst(fs, consumed));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shadow_regex() {
        for s in [
            "vssadmin.exe delete shadows /all /quiet",
            "cmd /c vssadmin Delete Shadows /All",
            "wmic shadowcopy delete",
            "Get-WmiObject Win32_Shadowcopy | ForEach-Object { $_.Delete() }",
            "bcdedit /set {default} recoveryenabled No",
            "wbadmin delete catalog -quiet",
        ] {
            assert!(SHADOW_DELETE.is_match(s), "{s}");
        }
        for s in ["vssadmin list shadows", "wmic process list", "notepad.exe"] {
            assert!(!SHADOW_DELETE.is_match(s), "{s}");
        }
    }
}
