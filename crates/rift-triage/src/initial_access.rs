//! Initial access: which download brought the attacker's program, from
//! which URL, and when it ran.
//!
//! Downloads come from browser history (`browser_downloads`, with the whole
//! redirect chain) and from `Zone.Identifier` streams (HostUrl); they are
//! joined on the file, confirmed by the journal (the file appearing on
//! disk) and ranked by what followed: executed, shortly before the
//! incident, and above all whether the program the ransomware detector
//! blamed was dropped after it ran (the download whose run came last
//! before the drop wins). An earlier benign download (a document, or an
//! installer run hours or days before and unrelated to the burst) ranks
//! lower.
//!
//! The URL reported is the one the file's `Zone.Identifier` `HostUrl`
//! names when it has one (Windows' own record of where the bytes came
//! from; Chromium writes the download's final URL there, i.e. the last hop
//! of the redirect chain), else the last hop of the browser's URL chain;
//! the whole chain is kept in `url_chain`.

use crate::util::UNKNOWN_T;

use rift_timeline::CaseDb;

use crate::Result;
use crate::exec::{Exec, ExecKind, pf_exe_matches};
use crate::fsevents::{FsHistory, Kind};
use crate::model::{Evidence, FileAt, FileRef, InitialAccess};
use crate::util::{
    base_name, is_exec_name, is_system_location, norm_path, same_path, secs, us, z, z_us,
};

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

/// What the ransomware detector found, for tying a download to it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Incident<'a> {
    /// Burst start (µs).
    pub burst_start: i64,
    /// The responsible program's name (lowercase).
    pub payload: Option<&'a str>,
    /// Its path.
    pub payload_path: Option<&'a str>,
    /// When the journal shows it written (µs).
    pub payload_dropped: Option<i64>,
    /// When it started (µs).
    pub payload_started: Option<i64>,
}

/// Whether a URL is a real one (`HostUrl=about:internet` is a placeholder).
fn is_url(u: &str) -> bool {
    let l = u.trim().to_ascii_lowercase();
    ["http://", "https://", "ftp://", "ftps://"]
        .iter()
        .any(|p| l.starts_with(p))
}

struct Scored {
    score: i64,
    ia: InitialAccess,
    /// The run that came last before the payload was dropped (µs).
    linked_run: Option<i64>,
    is_payload: bool,
}

/// Runs the initial-access detector. `incident` is what the ransomware
/// detector found, when it found something.
pub fn detect(
    db: &CaseDb,
    fs: &FsHistory,
    execs: &[Exec],
    incident: Option<Incident<'_>>,
) -> Result<InitialAccess> {
    let downloads = load_downloads(db)?;
    let burst = incident.map(|i| i.burst_start);
    let link_t = incident.and_then(|i| i.payload_dropped.or(i.payload_started));
    let mut all: Vec<Scored> = Vec::new();
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
        // Runs of this file after the download began: same name and a path
        // that can be this file's; when no artifact with a path agrees
        // (the file was moved before it ran), runs of that name outside
        // Windows' folders.
        let name_ok = |x: &Exec| {
            x.name == lname || (x.kind == ExecKind::PrefetchRun && pf_exe_matches(&x.name, &lname))
        };
        let is_run = |x: &&Exec| x.kind.is_run() && x.kind != ExecKind::PfCreated && x.t >= start;
        let mut runs: Vec<&Exec> = execs
            .iter()
            .filter(is_run)
            .filter(|x| name_ok(x) && x.path.as_deref().is_none_or(|p| same_path(p, path)))
            .collect();
        if runs.is_empty() {
            runs = execs
                .iter()
                .filter(is_run)
                .filter(|x| name_ok(x) && !x.path.as_deref().is_some_and(is_system_location))
                .collect();
        }
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
                time: e.time_z(),
                text: match &e.kind {
                    Kind::Renamed { old } => {
                        format!("{old} renamed to {} (download finished)", e.name)
                    }
                    _ => format!("{} created", fs.path_in(e.parent, &e.name)),
                },
            });
        }
        // The payload itself, or the last run before the payload appeared.
        let is_payload = incident.is_some_and(|i| match (i.payload_path, i.payload) {
            (Some(pp), _) => same_path(pp, path),
            (None, Some(p)) => p == lname,
            _ => false,
        });
        let linked_run = link_t.and_then(|lt| {
            runs.iter()
                .map(|x| x.t)
                .filter(|&t| t <= lt && lt - t <= DROP_WINDOW_US)
                .max()
        });
        // What it dropped: programs created after it ran.
        let mut dropped: Vec<FileAt> = Vec::new();
        if let Some(t) = linked_run.or(exec_time) {
            for x in execs.iter().filter(|x| {
                x.kind == ExecKind::Dropped
                    && x.t > t
                    && x.t - t <= DROP_WINDOW_US
                    && !x.path.as_deref().is_some_and(|p| same_path(p, path))
            }) {
                dropped.push(FileAt {
                    name: base_name(x.path.as_deref().unwrap_or(&x.name)).to_string(),
                    path: x.path.clone(),
                    time: z_us(x.t),
                });
                evid.push(x.ev.clone());
            }
        }
        if exec_time.is_none() {
            continue;
        }
        // The reported URL: HostUrl when it is a real URL, else the last hop.
        let url = d
            .zone_host
            .clone()
            .filter(|h| is_url(h))
            .or_else(|| d.url.clone());
        all.push(Scored {
            score,
            linked_run,
            is_payload,
            ia: InitialAccess {
                detected: true,
                confidence: 0.0,
                download_url: url,
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
            },
        });
    }
    // Tie to the incident: the payload itself, or the download whose run
    // came last before the payload was written (others that ran within the
    // window get less).
    let last_link = all.iter().filter_map(|s| s.linked_run).max();
    for s in all.iter_mut() {
        if s.is_payload {
            s.score += 4;
        } else if let Some(r) = s.linked_run {
            s.score += if Some(r) == last_link { 4 } else { 2 };
        }
        s.ia.confidence = (0.4 + 0.07 * s.score as f64).min(0.97);
    }
    let best = all
        .into_iter()
        .filter(|s| s.score >= MIN_SCORE)
        .max_by(|a, b| {
            a.score
                .cmp(&b.score)
                .then_with(|| a.ia.download_time.cmp(&b.ia.download_time))
        });
    Ok(best.map(|b| b.ia).unwrap_or_default())
}
