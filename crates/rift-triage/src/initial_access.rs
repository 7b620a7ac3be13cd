//! Initial access: which download brought the attacker's program, from
//! which URL, and when it ran.
//!
//! Downloads come from browser history (`browser_downloads`, with the whole
//! redirect chain) and from `Zone.Identifier` streams (HostUrl); they are
//! joined on the file, confirmed by the journal (the file appearing on
//! disk) and ranked by what followed: executed, shortly before the
//! incident, and above all whether the program the ransomware detector
//! blamed was dropped after it ran. An earlier benign download (a document,
//! or an installer run days before and unrelated to the burst) ranks lower.

use crate::util::UNKNOWN_T;
use std::collections::HashMap;

use rift_timeline::CaseDb;

use crate::Result;
use crate::exec::{Exec, ExecKind, pf_exe_matches};
use crate::fsevents::{FsHistory, Kind};
use crate::model::{Evidence, FileAt, FileRef, InitialAccess};
use crate::util::{base_name, is_exec_name, norm_path, secs, us, z, z_us};

/// Programs created within this time after the download ran count as
/// "dropped by it".
pub const DROP_WINDOW_US: i64 = secs(3600);
/// A download within this time before the burst is "shortly before".
pub const NEAR_BURST_US: i64 = secs(24 * 3600);
/// Lowest score that is reported as the initial access (an executed
/// program download).
pub const MIN_SCORE: i64 = 4;

#[derive(Debug, Clone, Default)]
struct Download {
    url: Option<String>,
    chain: Vec<String>,
    referrer: Option<String>,
    path: Option<String>,
    start: Option<String>,
    end: Option<String>,
    danger: i64,
    ev: Vec<Evidence>,
    zone_host: Option<String>,
}

fn load_downloads(db: &CaseDb) -> Result<Vec<Download>> {
    let conn = db.conn();
    let mut out: Vec<Download> = Vec::new();
    let mut st = conn.prepare(
        "SELECT id, url, url_chain, referrer, COALESCE(target_path, current_path), start_time, end_time,
                COALESCE(danger_type, 0), browser, state_text
         FROM browser_downloads ORDER BY start_time",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let url: Option<String> = r.get(1)?;
        let chain: Vec<String> = r
            .get::<_, Option<String>>(2)?
            .and_then(|c| serde_json::from_str(&c).ok())
            .unwrap_or_default();
        let path: Option<String> = r.get(4)?;
        let start: Option<String> = r.get(5)?;
        let browser: Option<String> = r.get(8)?;
        // The final hop is the URL that served the bytes (what
        // Zone.Identifier's HostUrl records); the chain keeps the rest.
        let final_url = chain.last().cloned().or(url.clone());
        let text = format!(
            "{} download {} -> {}{}",
            browser.as_deref().unwrap_or("browser"),
            final_url.as_deref().unwrap_or("?"),
            path.as_deref().unwrap_or("?"),
            if chain.len() > 1 {
                format!(
                    " (redirect chain of {}: {})",
                    chain.len(),
                    chain.join(" -> ")
                )
            } else {
                String::new()
            }
        );
        out.push(Download {
            url: final_url,
            chain: if chain.is_empty() {
                url.into_iter().collect()
            } else {
                chain
            },
            referrer: r.get(3)?,
            path,
            start: start.clone(),
            end: r.get(6)?,
            danger: r.get(7)?,
            ev: vec![Evidence {
                artifact: "browser".into(),
                table: Some("browser_downloads".into()),
                id: Some(id),
                offset: None,
                time: start.as_deref().and_then(z),
                text,
            }],
            zone_host: None,
        });
    }
    // Zone.Identifier streams: join on the path, or add as downloads of their own.
    let mut st = conn.prepare(
        "SELECT id, file_path, zone_id, host_url, referrer_url, file_created FROM zone_identifiers
         WHERE host_url IS NOT NULL OR COALESCE(zone_id, 0) >= 3",
    )?;
    let mut rows = st.query([])?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let path: Option<String> = r.get(1)?;
        let zone: Option<i64> = r.get(2)?;
        let host: Option<String> = r.get(3)?;
        let refr: Option<String> = r.get(4)?;
        let created: Option<String> = r.get(5)?;
        let ev = Evidence {
            artifact: "zone_identifier".into(),
            table: Some("zone_identifiers".into()),
            id: Some(id),
            offset: None,
            time: created.as_deref().and_then(z),
            text: format!(
                "{}:Zone.Identifier ZoneId={} HostUrl={}",
                path.as_deref().unwrap_or("?"),
                zone.map(|z| z.to_string()).unwrap_or_else(|| "?".into()),
                host.as_deref().unwrap_or("?")
            ),
        };
        let p = path.as_deref().map(norm_path);
        let name = path.as_deref().map(|p| base_name(p).to_lowercase());
        let hit = out.iter_mut().find(|d| {
            let dp = d.path.as_deref().map(norm_path);
            (p.is_some() && dp == p)
                || (name.is_some()
                    && d.path.as_deref().map(|x| base_name(x).to_lowercase()) == name
                    && host.is_some()
                    && (d.url == host || d.chain.contains(host.as_ref().unwrap_or(&String::new()))))
        });
        match hit {
            Some(d) => {
                d.zone_host = host.clone();
                d.ev.push(ev);
            }
            None => out.push(Download {
                url: host.clone(),
                chain: host.clone().into_iter().collect(),
                referrer: refr,
                path,
                start: created.clone(),
                end: created,
                danger: 0,
                ev: vec![ev],
                zone_host: host,
            }),
        }
    }
    Ok(out)
}

/// Runs the initial-access detector. `incident` is the ransomware burst
/// window and responsible program (name, drop time), when known.
pub fn detect(
    db: &CaseDb,
    fs: &FsHistory,
    execs: &[Exec],
    incident: Option<(i64, Option<&str>, Option<i64>)>,
) -> Result<InitialAccess> {
    let downloads = load_downloads(db)?;
    let mut by_name: HashMap<String, Vec<&Exec>> = HashMap::new();
    for x in execs {
        by_name.entry(x.name.clone()).or_default().push(x);
    }
    let burst = incident.map(|i| i.0);
    let mut best: Option<(i64, InitialAccess)> = None;
    for d in &downloads {
        let Some(path) = d.path.as_deref() else {
            continue;
        };
        let name = base_name(path).to_string();
        let lname = name.to_lowercase();
        let start = d.start.as_deref().and_then(us).unwrap_or(UNKNOWN_T);
        let mut score = 0i64;
        let mut evid = d.ev.clone();
        if is_exec_name(&name) {
            score += 1;
        }
        if d.danger != 0 {
            score += 1;
        }
        // Runs of this file after the download began (path-checked when
        // both sides have one).
        let same_file = |x: &Exec| {
            let name_ok = x.name == lname
                || (x.kind == ExecKind::PrefetchRun && pf_exe_matches(&x.name, &lname));
            let path_ok = match x.path.as_deref() {
                Some(p) if !p.starts_with('?') => {
                    let a = norm_path(p);
                    let b = norm_path(path);
                    a == b || a.ends_with(&b) || b.ends_with(&a) || x.kind == ExecKind::PrefetchRun
                }
                _ => true,
            };
            name_ok && path_ok
        };
        let mut runs: Vec<&Exec> = execs
            .iter()
            .filter(|x| {
                x.kind.is_run() && x.kind != ExecKind::PfCreated && x.t >= start && same_file(x)
            })
            .collect();
        runs.sort_by_key(|x| x.t);
        let before_burst = |t: i64| burst.is_none_or(|b| t <= b);
        // Execution time: Prefetch last run before the incident, else the
        // other run artifacts (BAM, UserAssist, 4688, Sysmon 1).
        let exec_time = runs
            .iter()
            .filter(|x| x.kind == ExecKind::PrefetchRun && before_burst(x.t))
            .map(|x| x.t)
            .max()
            .or_else(|| runs.iter().filter(|x| before_burst(x.t)).map(|x| x.t).max())
            .or_else(|| runs.iter().map(|x| x.t).max());
        if let Some(t) = exec_time {
            score += 3;
            for x in runs.iter().take(8) {
                evid.push(x.ev.clone());
            }
            if let Some(b) = burst {
                if t <= b && b - t <= NEAR_BURST_US {
                    score += 1;
                }
            }
        }
        // The journal shows the file arriving (renamed from a partial
        // download, or created) around the download.
        if let Some(e) = fs.events.iter().find(|e| {
            !matches!(e.kind, Kind::Deleted)
                && e.name.eq_ignore_ascii_case(&name)
                && e.t >= start - secs(60)
                && d.end
                    .as_deref()
                    .and_then(us)
                    .is_none_or(|en| e.t <= en + secs(600))
        }) {
            evid.push(Evidence {
                artifact: "usn".into(),
                table: Some("usn".into()),
                id: Some(e.row),
                offset: Some(e.usn),
                time: z(&e.time),
                text: match &e.kind {
                    Kind::Renamed { old } => {
                        format!("{old} renamed to {} (download finished)", e.name)
                    }
                    _ => format!("{} created", fs.path_in(e.parent, &e.name)),
                },
            });
        }
        // What it dropped: programs created after it ran.
        let mut dropped: Vec<FileAt> = Vec::new();
        if let Some(t) = exec_time {
            for x in execs.iter().filter(|x| {
                x.kind == ExecKind::Dropped
                    && x.t > t
                    && x.t - t <= DROP_WINDOW_US
                    && x.name != lname
            }) {
                dropped.push(FileAt {
                    name: base_name(x.path.as_deref().unwrap_or(&x.name)).to_string(),
                    path: x.path.clone(),
                    time: z_us(x.t),
                });
                evid.push(x.ev.clone());
            }
        }
        if let Some((_, Some(p), dropped_at)) = incident {
            if p == lname || dropped.iter().any(|f| f.name.eq_ignore_ascii_case(p)) {
                score += 4;
            } else if let (Some(t), Some(dt)) = (exec_time, dropped_at) {
                if dt > t && dt - t <= DROP_WINDOW_US {
                    score += 3;
                }
            }
        }
        if score < MIN_SCORE || exec_time.is_none() {
            continue;
        }
        let ia = InitialAccess {
            detected: true,
            confidence: (0.4 + 0.07 * score as f64).min(0.97),
            download_url: d.url.clone(),
            url_chain: d.chain.clone(),
            referrer: d.referrer.clone(),
            downloaded_file: Some(FileRef {
                name: name.clone(),
                path: Some(path.to_string()),
            }),
            download_time: d.start.as_deref().and_then(z),
            download_end: d.end.as_deref().and_then(z),
            executed: exec_time.and_then(z_us),
            zone_host_url: d.zone_host.clone(),
            dropped,
            evidence: evid,
        };
        let better = match &best {
            None => true,
            Some((s, b)) => score > *s || (score == *s && ia.download_time > b.download_time),
        };
        if better {
            best = Some((score, ia));
        }
    }
    let _ = by_name;
    Ok(best.map(|b| b.1).unwrap_or_default())
}
