//! Renderings of [`Findings`]: JSON, text, Markdown, self-contained HTML,
//! and the `KEEPER{…}` answer lines; plus the timeline excerpt.

use std::fmt::Write as _;

use rift_io::time::DisplayZone;
use rift_timeline::CaseDb;

use crate::Result;
use crate::model::*;
use crate::util::us;

/// Timeline events shown around the incident at most.
pub const EXCERPT_MAX: usize = 400;
/// Margin before the first key event of the incident.
const EXCERPT_BEFORE_US: i64 = 5 * 60 * 1_000_000;
/// Margin after the burst start.
const EXCERPT_AFTER_US: i64 = 60 * 1_000_000;

/// `findings.json` text.
pub fn json(f: &Findings) -> Result<String> {
    Ok(serde_json::to_string_pretty(f)? + "\n")
}

fn show(tz: &DisplayZone, t: Option<&str>) -> String {
    match t.and_then(|t| t.parse::<jiff::Timestamp>().ok()) {
        Some(ts) => rift_timeline::format_iso7(tz, ts),
        None => "-".into(),
    }
}

fn keeper_time(tz: &DisplayZone, t: Option<&str>) -> String {
    t.and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(|ts| tz.format_seconds(ts))
        .unwrap_or_default()
}

fn keeper_name(n: Option<&str>) -> String {
    n.unwrap_or("").to_lowercase().replace(' ', "_")
}

/// The two answer lines:
/// `KEEPER{<first encrypted file>_<infection time>_<infecting file>}` and
/// `KEEPER{<download url>_<downloaded file>_<execution time>}` — names
/// lowercase with spaces as `_`, times `YYYY-MM-DDTHH:MM:SS` in `tz`.
pub fn keeper(f: &Findings, tz: &DisplayZone) -> String {
    let r = &f.ransomware;
    let i = &f.initial_access;
    format!(
        "KEEPER{{{}_{}_{}}}\nKEEPER{{{}_{}_{}}}\n",
        keeper_name(r.first_encrypted.as_ref().map(|x| x.name.as_str())),
        keeper_time(tz, r.infection_time.as_deref()),
        keeper_name(r.infecting_file.as_ref().map(|x| x.name.as_str())),
        i.download_url.as_deref().unwrap_or(""),
        keeper_name(i.downloaded_file.as_ref().map(|x| x.name.as_str())),
        keeper_time(tz, i.executed.as_deref()),
    )
}

/// One-sentence ransomware answer (UTC).
pub fn ransomware_sentence(r: &Ransomware) -> String {
    if !r.detected {
        return "No mass-encryption burst found.".into();
    }
    format!(
        "{} files got the extension {} in {} folders ({} style){}; the first was {} at {}; responsible executable: {}.",
        r.encrypted_count,
        r.extension.as_deref().unwrap_or("?"),
        r.folders,
        r.style.as_deref().unwrap_or("?"),
        r.ransom_note
            .as_deref()
            .map(|n| format!(
                ", ransom note {n} in {} folders (written {})",
                r.note_count,
                r.note_timing.as_deref().unwrap_or("?")
            ))
            .unwrap_or_default(),
        r.first_encrypted
            .as_ref()
            .and_then(|f| f.path.clone().or(Some(f.name.clone())))
            .unwrap_or_else(|| "?".into()),
        r.infection_time.as_deref().unwrap_or("?"),
        r.infecting_file
            .as_ref()
            .map(|f| f.path.clone().unwrap_or_else(|| f.name.clone()))
            .unwrap_or_else(|| "not determined".into()),
    )
}

/// One-sentence initial-access answer (UTC).
pub fn initial_access_sentence(i: &InitialAccess) -> String {
    if !i.detected {
        return "No executed download found.".into();
    }
    format!(
        "{} was downloaded from {} at {} and executed at {}{}.",
        i.downloaded_file
            .as_ref()
            .map(|f| f.path.clone().unwrap_or_else(|| f.name.clone()))
            .unwrap_or_default(),
        i.download_url.as_deref().unwrap_or("?"),
        i.download_time.as_deref().unwrap_or("?"),
        i.executed.as_deref().unwrap_or("?"),
        if i.dropped.is_empty() {
            String::new()
        } else {
            format!(
                "; it dropped {}",
                i.dropped
                    .iter()
                    .map(|d| d.path.clone().unwrap_or_else(|| d.name.clone()))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    )
}

/// Timeline rows around the incident: from a few minutes before the first
/// key event (download, execution) to a minute after the burst start,
/// capped at [`EXCERPT_MAX`].
pub fn excerpt(db: &CaseDb, f: &Findings) -> Result<Vec<ExcerptRow>> {
    let r = &f.ransomware;
    let i = &f.initial_access;
    let keys: Vec<i64> = [
        r.infection_time.as_deref(),
        r.burst_start.as_deref(),
        i.download_time.as_deref(),
        i.executed.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter_map(us)
    .collect();
    let (Some(&lo), Some(&hi)) = (keys.iter().min(), keys.iter().max()) else {
        return Ok(Vec::new());
    };
    let lo = lo - EXCERPT_BEFORE_US;
    let hi = r.burst_start.as_deref().and_then(us).unwrap_or(hi).max(hi) + EXCERPT_AFTER_US;
    let mut st = db.conn().prepare(
        "SELECT time, source, artifact, timestamp_desc, COALESCE(message, ''), src_table, src_id
         FROM timeline WHERE ts BETWEEN ?1 AND ?2 ORDER BY ts, id LIMIT ?3",
    )?;
    let rows = st.query_map(rusqlite::params![lo, hi, EXCERPT_MAX as i64], |r| {
        Ok(ExcerptRow {
            time: r.get(0)?,
            source: r.get(1)?,
            artifact: r.get(2)?,
            timestamp_desc: r.get(3)?,
            message: r.get(4)?,
            src_table: r.get(5)?,
            src_id: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Evidence items shown per finding in text and Markdown; the full list
/// stays in `findings.json` (a finding over a busy event log can carry
/// hundreds of items).
const SHOWN_EVIDENCE: usize = 25;

fn evidence_lines(out: &mut String, tz: &DisplayZone, ev: &[Evidence], md: bool) {
    if ev.len() > SHOWN_EVIDENCE {
        let more = ev.len() - SHOWN_EVIDENCE;
        evidence_lines(out, tz, ev.get(..SHOWN_EVIDENCE).unwrap_or(ev), md);
        let line = format!("… and {more} more evidence items in findings.json");
        if md {
            let _ = writeln!(out, "| | | | {line} |");
        } else {
            let _ = writeln!(out, "    {line}");
        }
        return;
    }
    for e in ev {
        let loc = match (&e.table, e.id, e.offset) {
            (Some(t), Some(id), Some(o)) => format!("{t}#{id} @{o}"),
            (Some(t), Some(id), None) => format!("{t}#{id}"),
            (Some(t), None, _) => t.clone(),
            _ => e.artifact.clone(),
        };
        let text = if md {
            e.text.replace('|', "\\|")
        } else {
            e.text.clone()
        };
        if md {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                show(tz, e.time.as_deref()),
                e.artifact,
                loc,
                text
            );
        } else {
            let _ = writeln!(
                out,
                "    {}  {:<10} {:<22} {}",
                show(tz, e.time.as_deref()),
                e.artifact,
                loc,
                text
            );
        }
    }
}

/// Plain-text report.
pub fn text(f: &Findings, tz: &DisplayZone) -> String {
    let mut o = String::new();
    let r = &f.ransomware;
    let i = &f.initial_access;
    let _ = writeln!(
        o,
        "rift findings (times in {}; machine zone: {})",
        tz.label(),
        f.timezone.system.as_deref().unwrap_or("unknown")
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "RANSOMWARE: {}",
        if r.detected {
            format!("detected (confidence {:.2})", r.confidence)
        } else {
            "not detected".into()
        }
    );
    if r.detected {
        let _ = writeln!(
            o,
            "  extension        {}",
            r.extension.as_deref().unwrap_or("?")
        );
        let _ = writeln!(
            o,
            "  ransom note      {} ({} folders, written {})",
            r.ransom_note.as_deref().unwrap_or("-"),
            r.note_count,
            r.note_timing.as_deref().unwrap_or("-")
        );
        let _ = writeln!(
            o,
            "  encrypted files  {} in {} folders, style {}",
            r.encrypted_count,
            r.folders,
            r.style.as_deref().unwrap_or("?")
        );
        if let Some(x) = &r.first_encrypted {
            let _ = writeln!(
                o,
                "  first encrypted  {}",
                x.path.as_deref().unwrap_or(&x.name)
            );
        }
        let _ = writeln!(
            o,
            "  infection time   {}",
            show(tz, r.infection_time.as_deref())
        );
        if let Some(x) = &r.infecting_file {
            let _ = writeln!(
                o,
                "  infecting file   {}",
                x.path.as_deref().unwrap_or(&x.name)
            );
        }
        if !r.users.is_empty() {
            let _ = writeln!(o, "  users            {}", r.users.join(", "));
        }
        let _ = writeln!(o, "  evidence:");
        evidence_lines(&mut o, tz, &r.evidence, false);
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "INITIAL ACCESS: {}",
        if i.detected {
            format!("found (confidence {:.2})", i.confidence)
        } else {
            "not found".into()
        }
    );
    if i.detected {
        let _ = writeln!(
            o,
            "  download url     {}",
            i.download_url.as_deref().unwrap_or("?")
        );
        if i.url_chain.len() > 1 {
            let _ = writeln!(o, "  url chain        {}", i.url_chain.join(" -> "));
        }
        if let Some(x) = &i.downloaded_file {
            let _ = writeln!(
                o,
                "  downloaded file  {}",
                x.path.as_deref().unwrap_or(&x.name)
            );
        }
        let _ = writeln!(
            o,
            "  downloaded       {}",
            show(tz, i.download_time.as_deref())
        );
        let _ = writeln!(o, "  executed         {}", show(tz, i.executed.as_deref()));
        for d in &i.dropped {
            let _ = writeln!(
                o,
                "  dropped          {} at {}",
                d.path.as_deref().unwrap_or(&d.name),
                show(tz, d.time.as_deref())
            );
        }
        let _ = writeln!(o, "  evidence:");
        evidence_lines(&mut o, tz, &i.evidence, false);
    }
    for x in &f.findings {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "[{}] {} (confidence {:.2}, {})",
            x.category,
            x.title,
            x.confidence,
            show(tz, x.time.as_deref())
        );
        let _ = writeln!(o, "  {}", x.summary);
        evidence_lines(&mut o, tz, &x.evidence, false);
    }
    o
}

/// Markdown report.
pub fn markdown(f: &Findings, tz: &DisplayZone) -> String {
    let mut o = String::new();
    let r = &f.ransomware;
    let i = &f.initial_access;
    let _ = writeln!(o, "# rift incident report\n");
    let _ = writeln!(
        o,
        "Times are shown in **{}** (stored in UTC). Machine time zone: {}.\n",
        tz.label(),
        f.timezone.system.as_deref().unwrap_or("unknown")
    );
    if let Some(p) = f.image.get("path").and_then(|v| v.as_str()) {
        let _ = writeln!(o, "Image: `{p}`\n");
    }
    let _ = writeln!(o, "## Answers\n");
    let _ = writeln!(o, "| question | answer |\n|---|---|");
    let cell = |s: &str| s.replace('|', "\\|");
    let _ = writeln!(
        o,
        "| ransomware | {} |",
        if r.detected {
            format!("detected (confidence {:.2})", r.confidence)
        } else {
            "not detected".into()
        }
    );
    if r.detected {
        let _ = writeln!(
            o,
            "| extension | `{}` |",
            r.extension.as_deref().unwrap_or("?")
        );
        let _ = writeln!(
            o,
            "| ransom note | `{}` ({} folders, written {}) |",
            r.ransom_note.as_deref().unwrap_or("-"),
            r.note_count,
            r.note_timing.as_deref().unwrap_or("-")
        );
        let _ = writeln!(
            o,
            "| encrypted files | {} in {} folders ({}) |",
            r.encrypted_count,
            r.folders,
            r.style.as_deref().unwrap_or("?")
        );
        if let Some(x) = &r.first_encrypted {
            let _ = writeln!(
                o,
                "| first encrypted file | `{}` |",
                cell(x.path.as_deref().unwrap_or(&x.name))
            );
        }
        let _ = writeln!(
            o,
            "| infection time | {} |",
            show(tz, r.infection_time.as_deref())
        );
        if let Some(x) = &r.infecting_file {
            let _ = writeln!(
                o,
                "| infecting file | `{}` |",
                cell(x.path.as_deref().unwrap_or(&x.name))
            );
        }
    }
    if i.detected {
        let _ = writeln!(
            o,
            "| download URL | {} |",
            cell(i.download_url.as_deref().unwrap_or("?"))
        );
        if let Some(x) = &i.downloaded_file {
            let _ = writeln!(
                o,
                "| downloaded file | `{}` |",
                cell(x.path.as_deref().unwrap_or(&x.name))
            );
        }
        let _ = writeln!(
            o,
            "| downloaded at | {} |",
            show(tz, i.download_time.as_deref())
        );
        let _ = writeln!(o, "| executed at | {} |", show(tz, i.executed.as_deref()));
    }
    let _ = writeln!(o, "\n```\n{}```\n", keeper(f, tz));
    let sections: Vec<(&str, String, &[Evidence])> = vec![
        ("Ransomware", ransomware_sentence(r), &r.evidence),
        ("Initial access", initial_access_sentence(i), &i.evidence),
    ];
    for (title, s, ev) in sections {
        let _ = writeln!(o, "## {title}\n\n{s}\n");
        if !ev.is_empty() {
            let _ = writeln!(
                o,
                "| time | artifact | record | evidence |\n|---|---|---|---|"
            );
            evidence_lines(&mut o, tz, ev, true);
            let _ = writeln!(o);
        }
    }
    let _ = writeln!(o, "## Other findings\n");
    if f.findings.is_empty() {
        let _ = writeln!(o, "None.\n");
    }
    for x in &f.findings {
        let _ = writeln!(
            o,
            "### {} ({}, confidence {:.2})\n\n{}\n",
            x.title, x.category, x.confidence, x.summary
        );
        if !x.evidence.is_empty() {
            let _ = writeln!(
                o,
                "| time | artifact | record | evidence |\n|---|---|---|---|"
            );
            evidence_lines(&mut o, tz, &x.evidence, true);
            let _ = writeln!(o);
        }
    }
    if !f.timeline_excerpt.is_empty() {
        let _ = writeln!(
            o,
            "## Timeline around the incident\n\n| time | source | artifact | description | message |\n|---|---|---|---|---|"
        );
        for e in &f.timeline_excerpt {
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                show(tz, Some(&e.time)),
                e.source,
                e.artifact.as_deref().unwrap_or(""),
                e.timestamp_desc.as_deref().unwrap_or(""),
                cell(&e.message)
            );
        }
    }
    o
}

/// HTML-escapes text.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

const CSS: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em auto;max-width:78em;color:#1d2330;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:2px solid #d8dde6;padding-bottom:.2em;margin-top:1.8em}
table{border-collapse:collapse;width:100%;margin:.6em 0;font-size:.88em}th,td{border:1px solid #d8dde6;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#eef1f6}tr.key td{background:#fff5d6}code,.mono{font-family:ui-monospace,Consolas,monospace}
.answers td:first-child{font-weight:600;width:14em}.badge{display:inline-block;padding:.05em .5em;border-radius:.6em;font-size:.8em;color:#fff}
.high,.critical{background:#b3261e}.medium{background:#b06000}.low,.info{background:#49657f}.keeper{background:#1d2330;color:#e8f0ff;padding:.8em;border-radius:.4em;white-space:pre-wrap}
details{margin:.4em 0}summary{cursor:pointer;font-weight:600}";

fn evidence_table(o: &mut String, tz: &DisplayZone, ev: &[Evidence]) {
    if ev.is_empty() {
        return;
    }
    o.push_str("<table class=\"evidence\"><tr><th>time</th><th>artifact</th><th>record</th><th>evidence</th></tr>\n");
    for e in ev {
        let loc = match (&e.table, e.id) {
            (Some(t), Some(id)) => format!("{t}#{id}"),
            (Some(t), None) => t.clone(),
            _ => String::new(),
        };
        let _ = writeln!(
            o,
            "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
            esc(&show(tz, e.time.as_deref())),
            esc(&e.artifact),
            esc(&loc),
            esc(&e.text)
        );
    }
    o.push_str("</table>\n");
}

/// Self-contained HTML report (inline CSS, no scripts, no network).
pub fn html(f: &Findings, tz: &DisplayZone) -> String {
    let r = &f.ransomware;
    let i = &f.initial_access;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>rift incident report</title><style>{CSS}</style></head><body>\n<h1>rift incident report</h1>\n\
         <p>Times are shown in <b>{}</b> (stored in UTC). Machine time zone: {}.{}</p>\n",
        esc(tz.label()),
        esc(f.timezone.system.as_deref().unwrap_or("unknown")),
        f.image
            .get("path")
            .and_then(|v| v.as_str())
            .map(|p| format!(" Image: <code>{}</code>.", esc(p)))
            .unwrap_or_default()
    );
    o.push_str("<section id=\"answers\"><h2>Answers</h2><table class=\"answers\">\n");
    let row = |o: &mut String, k: &str, v: String| {
        let _ = writeln!(o, "<tr><td>{}</td><td>{}</td></tr>", esc(k), v);
    };
    row(
        &mut o,
        "ransomware",
        if r.detected {
            format!("detected (confidence {:.2})", r.confidence)
        } else {
            "not detected".into()
        },
    );
    if r.detected {
        row(
            &mut o,
            "extension",
            format!(
                "<code>{}</code>",
                esc(r.extension.as_deref().unwrap_or("?"))
            ),
        );
        row(
            &mut o,
            "ransom note",
            format!(
                "<code>{}</code> ({} folders, written {})",
                esc(r.ransom_note.as_deref().unwrap_or("-")),
                r.note_count,
                esc(r.note_timing.as_deref().unwrap_or("-"))
            ),
        );
        row(
            &mut o,
            "encrypted files",
            format!(
                "{} in {} folders ({})",
                r.encrypted_count,
                r.folders,
                esc(r.style.as_deref().unwrap_or("?"))
            ),
        );
        if let Some(x) = &r.first_encrypted {
            row(
                &mut o,
                "first encrypted file",
                format!("<code>{}</code>", esc(x.path.as_deref().unwrap_or(&x.name))),
            );
        }
        row(
            &mut o,
            "infection time",
            esc(&show(tz, r.infection_time.as_deref())),
        );
        if let Some(x) = &r.infecting_file {
            row(
                &mut o,
                "infecting file",
                format!("<code>{}</code>", esc(x.path.as_deref().unwrap_or(&x.name))),
            );
        }
    }
    row(
        &mut o,
        "initial access",
        if i.detected {
            format!("found (confidence {:.2})", i.confidence)
        } else {
            "not found".into()
        },
    );
    if i.detected {
        row(
            &mut o,
            "download URL",
            format!(
                "<code>{}</code>",
                esc(i.download_url.as_deref().unwrap_or("?"))
            ),
        );
        if i.url_chain.len() > 1 {
            row(&mut o, "URL chain", esc(&i.url_chain.join(" → ")));
        }
        if let Some(x) = &i.downloaded_file {
            row(
                &mut o,
                "downloaded file",
                format!("<code>{}</code>", esc(x.path.as_deref().unwrap_or(&x.name))),
            );
        }
        row(
            &mut o,
            "downloaded at",
            esc(&show(tz, i.download_time.as_deref())),
        );
        row(&mut o, "executed at", esc(&show(tz, i.executed.as_deref())));
    }
    o.push_str("</table>\n");
    let _ = writeln!(
        o,
        "<pre class=\"keeper\" id=\"keeper\">{}</pre></section>",
        esc(&keeper(f, tz))
    );

    o.push_str("<section id=\"findings\"><h2>Findings</h2>\n");
    let block = |o: &mut String,
                 id: &str,
                 title: &str,
                 sev: &str,
                 conf: f64,
                 time: Option<&str>,
                 summary: &str,
                 ev: &[Evidence]| {
        let _ = writeln!(
            o,
            "<article class=\"finding\" id=\"{}\"><h3>{} <span class=\"badge {}\">{} {:.2}</span></h3><p class=\"mono\">{}</p><p>{}</p>",
            esc(id),
            esc(title),
            esc(sev),
            esc(sev),
            conf,
            esc(&show(tz, time)),
            esc(summary)
        );
        evidence_table(o, tz, ev);
        o.push_str("</article>\n");
    };
    if r.detected {
        block(
            &mut o,
            "finding-ransomware",
            "Ransomware",
            "critical",
            r.confidence,
            r.infection_time.as_deref(),
            &ransomware_sentence(r),
            &r.evidence,
        );
    }
    if i.detected {
        block(
            &mut o,
            "finding-initial-access",
            "Initial access",
            "high",
            i.confidence,
            i.executed.as_deref(),
            &initial_access_sentence(i),
            &i.evidence,
        );
    }
    for (n, x) in f.findings.iter().enumerate() {
        block(
            &mut o,
            &format!("finding-{n}-{}", x.detector),
            &x.title,
            &x.severity,
            x.confidence,
            x.time.as_deref(),
            &x.summary,
            &x.evidence,
        );
    }
    if !r.detected && !i.detected && f.findings.is_empty() {
        o.push_str("<p>No findings.</p>\n");
    }
    o.push_str(
        "</section>\n<section id=\"timeline-excerpt\"><h2>Timeline around the incident</h2>\n",
    );
    if f.timeline_excerpt.is_empty() {
        o.push_str("<p>No incident window.</p>\n");
    } else {
        let key_times: Vec<&str> = [
            r.infection_time.as_deref(),
            i.executed.as_deref(),
            i.download_time.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        o.push_str("<table><tr><th>time</th><th>source</th><th>artifact</th><th>description</th><th>message</th></tr>\n");
        for e in &f.timeline_excerpt {
            let key = key_times
                .iter()
                .any(|k| us(k).is_some() && us(k) == us(&e.time));
            let _ = writeln!(
                o,
                "<tr{}><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if key { " class=\"key\"" } else { "" },
                esc(&show(tz, Some(&e.time))),
                esc(&e.source),
                esc(e.artifact.as_deref().unwrap_or("")),
                esc(e.timestamp_desc.as_deref().unwrap_or("")),
                esc(&e.message)
            );
        }
        o.push_str("</table>\n");
    }
    o.push_str("</section>\n<footer><p>Generated by rift. Schema ");
    o.push_str(SCHEMA);
    o.push_str(".</p></footer></body></html>\n");
    o
}
