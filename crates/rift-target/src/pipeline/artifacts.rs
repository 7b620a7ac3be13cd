//! Parsing the artifact files found by the `$MFT` walk, in place on the
//! image, and mapping each parser's typed records to case-database rows.

use std::collections::HashMap;

use rift_hive::discover::HiveType;
use rift_hive::plugins::Record;
use rift_io::time::FileTime;
use rift_timeline::json_text;
use rift_timeline::{
    AmcacheRow, AutorunRow, BamRow, BrowserDownloadRow, BrowserSearchRow, BrowserVisitRow, DbTime,
    DefenderDetectionRow, DefenderSettingRow, EvtxRow, JumplistRow, LnkRow, ParseErrorRow,
    PrefetchRow, RecycleBinRow, RegistryKeyRow, RegistryValueRow, ServiceRow, ShimcacheRow,
    SourceRow, TaskRow, UserAssistRow, UserProfileRow,
};

use super::ntfs::Candidate;
use super::writer::{Batcher, SourceKey, Writer};
use super::{Reporter, VolumeCtx};
use crate::artifacts::{ArtifactKind, HiveKind, user_of};

/// Largest artifact file read into memory (hives and event logs are far
/// smaller; a bigger file is damaged or not what its name says).
const MAX_ARTIFACT: u64 = 1 << 30;
/// Deleted files are parsed only when small (their clusters may be reused).
const MAX_DELETED: u64 = 16 << 20;

fn t(ft: FileTime) -> Option<DbTime> {
    DbTime::from_filetime(ft)
}

fn ts(t: jiff::Timestamp) -> DbTime {
    DbTime::from_timestamp(t)
}

fn opt_str(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Spawns one parse job per artifact (hives grouped with their logs,
/// databases with their side files).
pub fn parse_all<'s>(
    s: &rayon::Scope<'s>,
    ctx: &'s VolumeCtx,
    cands: &'s [Candidate],
    w: &Writer,
    rep: &'s dyn Reporter,
) {
    let by_path: HashMap<String, &'s Candidate> = cands
        .iter()
        .filter(|c| c.in_use)
        .map(|c| (c.rel_path.to_ascii_lowercase(), c))
        .collect();
    let by_path = std::sync::Arc::new(by_path);
    for c in cands {
        if !c.in_use
            && (c.size > MAX_DELETED
                || matches!(c.kind, ArtifactKind::Hive(_) | ArtifactKind::Evtx))
        {
            continue;
        }
        if matches!(c.kind, ArtifactKind::HiveLog | ArtifactKind::SqliteSide) {
            continue; // read with their main file
        }
        let w = w.clone();
        let by_path = by_path.clone();
        s.spawn(move |_| {
            let side = |suffix: &str| -> Option<Vec<u8>> {
                let key = format!("{}{suffix}", c.rel_path).to_ascii_lowercase();
                by_path.get(&key).and_then(|x| read(ctx, x, rep))
            };
            match c.kind {
                ArtifactKind::Hive(k) => hive(ctx, c, k, &side, &w, rep),
                ArtifactKind::Evtx => evtx(ctx, c, &w, rep),
                ArtifactKind::Prefetch => prefetch(ctx, c, &w, rep),
                ArtifactKind::ChromiumHistory
                | ArtifactKind::FirefoxPlaces
                | ArtifactKind::FirefoxDownloads
                | ArtifactKind::IeIndex => browser(ctx, c, &side, &w, rep),
                ArtifactKind::Lnk => lnk(ctx, c, &w, rep),
                ArtifactKind::JumplistAuto | ArtifactKind::JumplistCustom => {
                    jumplist(ctx, c, &w, rep)
                }
                ArtifactKind::RecycleBinI | ArtifactKind::RecycleInfo2 => {
                    recycle(ctx, c, &by_path, &w, rep)
                }
                ArtifactKind::TaskXml | ArtifactKind::TaskJob => task(ctx, c, &w, rep),
                ArtifactKind::DefenderHistory => defender_history(ctx, c, &w, rep),
                ArtifactKind::HiveLog | ArtifactKind::SqliteSide => {}
            }
        });
    }
}

fn full(ctx: &VolumeCtx, rel: &str) -> String {
    format!("{}\\{rel}", ctx.drive)
}

fn read(ctx: &VolumeCtx, c: &Candidate, rep: &dyn Reporter) -> Option<Vec<u8>> {
    let ntfs = &ctx.vol.ntfs;
    let e = match ntfs.entry(c.entry) {
        Ok(e) => e,
        Err(err) => {
            rep.warn(&format!("{}: {err}", full(ctx, &c.rel_path)));
            return None;
        }
    };
    let cap = if c.in_use { MAX_ARTIFACT } else { MAX_DELETED };
    match ntfs.read_all(&e, None, cap) {
        Ok(b) => Some(b),
        Err(err) => {
            if c.in_use {
                rep.warn(&format!("{}: {err}", full(ctx, &c.rel_path)));
            }
            None
        }
    }
}

fn source(
    ctx: &VolumeCtx,
    c: &Candidate,
    kind: &str,
    parser: &str,
    w: &Writer,
    note: Option<String>,
) -> SourceKey {
    let mut note = note;
    if !c.in_use {
        note = Some(format!(
            "deleted file{}",
            note.map(|n| format!("; {n}")).unwrap_or_default()
        ));
    }
    w.source(SourceRow {
        kind: kind.into(),
        volume_id: Some(ctx.volume_id),
        path: Some(full(ctx, &c.rel_path)),
        mft_entry: Some(c.entry as i64),
        mft_seq: Some(i64::from(c.seq)),
        size: Some(c.size as i64),
        sha256: None,
        parser: Some(format!("{parser} {}", env!("CARGO_PKG_VERSION"))),
        records: None,
        errors: None,
        note,
    })
}

fn errors(w: &Writer, key: SourceKey, list: Vec<(Option<u64>, String)>) -> u64 {
    let mut b = Batcher::new(w, Some(key), |r: &mut ParseErrorRow, id| {
        r.source_id = Some(id)
    });
    for (off, m) in list {
        b.push(ParseErrorRow {
            source_id: None,
            offset: off.map(|o| o as i64),
            message: m,
        });
    }
    b.count
}

fn failed(
    ctx: &VolumeCtx,
    c: &Candidate,
    kind: &str,
    parser: &str,
    w: &Writer,
    rep: &dyn Reporter,
    err: String,
) {
    let key = source(ctx, c, kind, parser, w, None);
    errors(w, key, vec![(None, err.clone())]);
    w.source_counts(key, 0, 1);
    if c.in_use {
        rep.warn(&format!("{}: {err}", full(ctx, &c.rel_path)));
    }
}

// ---------------------------------------------------------------- registry

fn hive_type(k: HiveKind) -> HiveType {
    match k {
        HiveKind::System => HiveType::System,
        HiveKind::Software => HiveType::Software,
        HiveKind::Sam => HiveType::Sam,
        HiveKind::Security => HiveType::Security,
        HiveKind::Default => HiveType::Default,
        HiveKind::Components => HiveType::Components,
        HiveKind::Drivers => HiveType::Drivers,
        HiveKind::NtUser => HiveType::NtUser,
        HiveKind::UsrClass => HiveType::UsrClass,
        HiveKind::Amcache => HiveType::Amcache,
    }
}

fn hive(
    ctx: &VolumeCtx,
    c: &Candidate,
    k: HiveKind,
    side: &dyn Fn(&str) -> Option<Vec<u8>>,
    w: &Writer,
    rep: &dyn Reporter,
) {
    let Some(bytes) = read(ctx, c, rep) else {
        return;
    };
    let log1 = side(".LOG1");
    let log2 = side(".LOG2");
    let log_old = if log1.is_none() && log2.is_none() {
        side(".LOG")
    } else {
        None
    };
    let (l1, l2) = match (&log1, &log2, &log_old) {
        (None, None, Some(old)) => (Some(old.as_slice()), None),
        _ => (log1.as_deref(), log2.as_deref()),
    };
    let mut note = Vec::new();
    let hive_bytes = match rift_hive::replay(&bytes, l1, l2) {
        Ok(r) => {
            if r.report.was_dirty {
                if r.report.applied > 0 {
                    note.push(format!(
                        "dirty hive: {} log entries replayed",
                        r.report.applied
                    ));
                } else if l1.is_none() && l2.is_none() {
                    note.push("dirty hive without transaction logs: parsed as is".to_string());
                    rep.warn(&format!(
                        "{}: dirty hive and no .LOG1/.LOG2 next to it; newest changes may be missing",
                        full(ctx, &c.rel_path)
                    ));
                } else {
                    note.push("dirty hive: logs held nothing newer".to_string());
                }
            }
            note.extend(r.report.warnings.iter().cloned());
            r.hive
        }
        Err(e) => {
            note.push(format!("log replay failed ({e}); parsed as is"));
            bytes
        }
    };
    let hive = match rift_hive::Hive::from_bytes(hive_bytes) {
        Ok(h) => h,
        Err(e) => return failed(ctx, c, "registry", "rift-hive", w, rep, e.to_string()),
    };
    let ht = hive_type(k);
    let hive_path = full(ctx, &c.rel_path);
    let key = source(
        ctx,
        c,
        "registry",
        "rift-hive",
        w,
        (!note.is_empty()).then(|| note.join("; ")),
    );
    let user = user_of(&c.rel_path);

    // RECmd-style batch output of our default batch file.
    let mut n = 0u64;
    if let Ok(batch) = rift_hive::batch::BatchFile::parse(rift_hive::batch::DEFAULT_BATCH) {
        let run = rift_hive::batch::BatchRun {
            hive_path: &hive_path,
            hive_type: ht,
            recovered: None,
        };
        let mut b = Batcher::new(w, Some(key), |r: &mut RegistryValueRow, id| {
            r.source_id = Some(id)
        });
        let batch_rows = run.run(&batch, &hive);
        ctx.csv.registry(&batch_rows);
        for r in batch_rows {
            b.push(RegistryValueRow {
                source_id: None,
                hive_path: Some(r.hive_path),
                hive_type: Some(r.hive_type),
                key_path: Some(r.key_path),
                value_name: opt_str(&r.value_name),
                value_type: opt_str(&r.value_type),
                value_data: opt_str(&r.value_data),
                value_data2: opt_str(&r.value_data2),
                value_data3: opt_str(&r.value_data3),
                last_write: r.last_write.and_then(t),
                deleted: r.deleted,
                category: opt_str(&r.category),
                description: opt_str(&r.description),
                comment: opt_str(&r.comment),
            });
        }
        n += b.count;
    }

    n += registry_keys(&hive, ht, &hive_path, &user, key, w);

    let res = rift_hive::plugins::run_all(&hive, ht);
    let shim: Vec<&rift_hive::plugins::ShimCacheEntry> = res
        .records
        .iter()
        .filter_map(|r| match r {
            Record::ShimCache(e) => Some(e),
            _ => None,
        })
        .collect();
    ctx.csv.shimcache(&shim, &hive_path);
    let mut ua = Batcher::new(w, Some(key), |r: &mut UserAssistRow, id| {
        r.source_id = Some(id)
    });
    let mut bam = Batcher::new(w, Some(key), |r: &mut BamRow, id| r.source_id = Some(id));
    let mut shim = Batcher::new(w, Some(key), |r: &mut ShimcacheRow, id| {
        r.source_id = Some(id)
    });
    let mut am = Batcher::new(w, Some(key), |r: &mut AmcacheRow, id| {
        r.source_id = Some(id)
    });
    let mut runs = Batcher::new(w, Some(key), |r: &mut AutorunRow, id| {
        r.source_id = Some(id)
    });
    let mut svc = Batcher::new(w, Some(key), |r: &mut ServiceRow, id| {
        r.source_id = Some(id)
    });
    let mut tasks = Batcher::new(w, Some(key), |r: &mut TaskRow, id| r.source_id = Some(id));
    let mut prof = Batcher::new(w, Some(key), |r: &mut UserProfileRow, id| {
        r.source_id = Some(id)
    });
    let mut def = Batcher::new(w, Some(key), |r: &mut DefenderSettingRow, id| {
        r.source_id = Some(id)
    });
    let mut other = Batcher::new(w, Some(key), |r: &mut RegistryValueRow, id| {
        r.source_id = Some(id)
    });
    let mut info: Vec<(String, String)> = Vec::new();
    for rec in &res.records {
        let first_time = rec.events().first().map(|e| e.time);
        match rec {
            Record::UserAssist(u) => ua.push(UserAssistRow {
                source_id: None,
                hive_path: Some(hive_path.clone()),
                user: user.clone(),
                guid: Some(u.guid.clone()),
                value_name: Some(u.raw_name.clone()),
                name: Some(u.name.clone()),
                resolved_path: u.resolved_path.clone(),
                run_count: Some(i64::from(u.run_count)),
                focus_count: u.focus_count.map(i64::from),
                focus_time_ms: u.focus_time_ms.map(i64::from),
                last_run: u.last_run.and_then(t),
                key_last_write: None,
            }),
            Record::Bam(b) => bam.push(BamRow {
                source_id: None,
                key_path: Some(b.key_path.clone()),
                sid: Some(b.sid.clone()),
                user: None,
                path: Some(b.program.clone()),
                resolved_path: None,
                last_run: b.last_run.and_then(t),
                key_last_write: None,
            }),
            Record::ShimCache(e) => shim.push(ShimcacheRow {
                source_id: None,
                control_set: Some(i64::from(e.control_set)),
                position: Some(e.position as i64),
                path: Some(e.path.clone()),
                last_modified: e.last_modified.and_then(t),
                executed: e.executed,
                duplicate: Some(e.duplicate),
            }),
            Record::AmcacheFile(a) => am.push(AmcacheRow {
                source_id: None,
                key_path: Some(a.key_path.clone()),
                name: a.name.clone(),
                path: a.path.clone(),
                sha1: a.sha1.clone(),
                size: a.size.map(|s| s as i64),
                link_date: a.link_date.clone(),
                publisher: a.publisher.clone(),
                product_name: a.product_name.clone(),
                version: a.version.clone(),
                program_id: a.program_id.clone(),
                binary_type: a.binary_type.clone(),
                is_os_component: None,
                key_last_write: t(a.key_last_written),
            }),
            Record::Run(r) => runs.push(AutorunRow {
                source_id: None,
                hive_path: Some(hive_path.clone()),
                user: user.clone(),
                key_path: Some(r.key_path.clone()),
                value_name: Some(r.name.clone()),
                command: Some(r.command.clone()),
                category: Some("Run".into()),
                key_last_write: t(r.key_last_written),
            }),
            Record::Service(s) => svc.push(ServiceRow {
                source_id: None,
                control_set: s
                    .key_path
                    .split('\\')
                    .next()
                    .and_then(|cs| cs.strip_prefix("ControlSet"))
                    .and_then(|n| n.parse().ok()),
                name: Some(s.name.clone()),
                display_name: s.display_name.clone(),
                image_path: s.image_path.clone(),
                service_dll: s.service_dll.clone(),
                service_type: s.service_type.map(i64::from),
                start_type: s.start.map(i64::from),
                start_label: s.start_label.map(str::to_string),
                account: s.object_name.clone(),
                key_last_write: t(s.key_last_written),
            }),
            Record::ScheduledTask(k) => tasks.push(TaskRow {
                source_id: None,
                origin: Some("TaskCache".into()),
                name: k
                    .path
                    .as_deref()
                    .or(k.uri.as_deref())
                    .map(|p| p.rsplit('\\').next().unwrap_or(p).to_string()),
                path: k.path.clone().or_else(|| k.uri.clone()),
                task_guid: Some(k.id.clone()),
                command: k.actions.first().cloned(),
                arguments: None,
                author: k.author.clone(),
                description: k.description.clone(),
                triggers: None,
                registered: k.created.and_then(t),
                last_run: k.last_run.and_then(t),
                key_last_write: k.key_last_written.and_then(t),
                hidden: Some(k.hidden),
            }),
            Record::Profile(p) => prof.push(UserProfileRow {
                source_id: None,
                sid: Some(p.sid.clone()),
                user: p.user.clone(),
                profile_path: p.profile_path.clone(),
                key_last_write: t(p.key_last_written),
            }),
            Record::Defender(d) => def.push(DefenderSettingRow {
                source_id: None,
                key_path: Some(d.key_path.clone()),
                value_name: Some(d.setting.clone()),
                value_data: Some(d.value.clone()),
                value_int: d.value.parse().ok().or_else(|| {
                    d.value
                        .strip_prefix("0x")
                        .and_then(|h| i64::from_str_radix(h, 16).ok())
                }),
                is_policy: Some(d.scope.to_ascii_lowercase().contains("polic")),
                key_last_write: t(d.key_last_written),
            }),
            Record::ComputerName(cn) => info.push(("host.computer_name".into(), cn.name.clone())),
            Record::TimeZone(tz) => {
                if let Some(n) = tz.key_name.clone().or_else(|| tz.standard_name.clone()) {
                    info.push(("timezone.system".into(), n));
                }
                if let Some(b) = tz.active_time_bias.or(tz.bias) {
                    info.push(("timezone.bias_minutes".into(), b.to_string()));
                }
                if let Some(i) = tz.iana {
                    info.push(("timezone.iana".into(), i.to_string()));
                }
            }
            other_rec => other.push(RegistryValueRow {
                source_id: None,
                hive_path: Some(hive_path.clone()),
                hive_type: Some(ht.csv_name().to_string()),
                key_path: Some(other_rec.key_path().to_string()),
                value_name: None,
                value_type: None,
                value_data: Some(other_rec.summary()),
                value_data2: serde_json::to_string(other_rec).ok(),
                value_data3: None,
                last_write: first_time.and_then(t),
                deleted: false,
                category: Some(other_rec.schema().to_string()),
                description: Some(
                    other_rec
                        .schema()
                        .rsplit('/')
                        .next()
                        .unwrap_or("")
                        .to_string(),
                ),
                comment: None,
            }),
        }
    }
    n += ua.count + bam.count + shim.count + am.count + runs.count + svc.count + tasks.count;
    n += prof.count + def.count + other.count;
    drop((ua, bam, shim, am, runs, svc, tasks, prof, def, other));
    if !info.is_empty() {
        w.with_db(move |db| {
            for (k, v) in &info {
                db.set_info(k, v)?;
            }
            Ok(())
        });
    }
    let ne = errors(
        w,
        key,
        res.warnings.into_iter().map(|m| (None, m)).collect(),
    );
    w.source_counts(key, n, ne);
}

// ---------------------------------------------------------------- evtx

/// How analysts name a hive's root: `HKLM\SYSTEM`, `HKU\<user>`, …;
/// hives without a mount point go by their file name.
fn hive_root_name(ht: HiveType, user: Option<&str>, hive_path: &str) -> String {
    let u = user.unwrap_or("<user>");
    match ht {
        HiveType::System => "HKLM\\SYSTEM".into(),
        HiveType::Software => "HKLM\\SOFTWARE".into(),
        HiveType::Sam => "HKLM\\SAM".into(),
        HiveType::Security => "HKLM\\SECURITY".into(),
        HiveType::Components => "HKLM\\COMPONENTS".into(),
        HiveType::Drivers => "HKLM\\DRIVERS".into(),
        HiveType::Default => "HKU\\.DEFAULT".into(),
        HiveType::NtUser => format!("HKU\\{u}"),
        HiveType::UsrClass => format!("HKU\\{u}_Classes"),
        _ => hive_path
            .rsplit(['\\', '/'])
            .next()
            .unwrap_or(hive_path)
            .to_string(),
    }
}

/// Every key of the (replayed) hive, and the deleted keys recovered from
/// its free cells, into `registry_keys` (the timeline's key last-write
/// events and the registry browser's tree). Returns the rows written.
fn registry_keys(
    hive: &rift_hive::Hive,
    ht: HiveType,
    hive_path: &str,
    user: &Option<String>,
    key: SourceKey,
    w: &Writer,
) -> u64 {
    let root = hive_root_name(ht, user.as_deref(), hive_path);
    let display = |path: &str| {
        if path.is_empty() {
            root.clone()
        } else {
            format!("{root}\\{path}")
        }
    };
    let parent_of = |path: &str| -> Option<String> {
        if path.is_empty() {
            None
        } else {
            Some(path.rsplit_once('\\').map_or("", |(p, _)| p).to_string())
        }
    };
    let mut b = Batcher::new(w, Some(key), |r: &mut RegistryKeyRow, id| {
        r.source_id = Some(id)
    });
    let walk_errors = hive.walk(|path, k| {
        b.push(RegistryKeyRow {
            source_id: None,
            hive_path: Some(hive_path.to_string()),
            hive_type: Some(ht.csv_name().to_string()),
            user: user.clone(),
            key_path: Some(path.to_string()),
            display_path: Some(display(path)),
            parent_path: parent_of(path),
            name: Some(k.name()),
            last_write: t(k.last_written()),
            subkey_count: Some(i64::from(k.subkey_count())),
            value_count: Some(i64::from(k.value_count())),
            class_name: k.class_name().ok().flatten(),
            deleted: false,
            offset: Some(i64::from(k.offset())),
        });
    });
    for dk in rift_hive::recover::recover(hive).keys {
        let path = if dk.path_complete {
            dk.path.clone()
        } else {
            format!("<unknown>\\{}", dk.path)
        };
        b.push(RegistryKeyRow {
            source_id: None,
            hive_path: Some(hive_path.to_string()),
            hive_type: Some(ht.csv_name().to_string()),
            user: user.clone(),
            display_path: Some(display(&path)),
            parent_path: parent_of(&path),
            key_path: Some(path),
            name: Some(dk.name),
            last_write: t(dk.last_written),
            subkey_count: None,
            value_count: Some(dk.values.len() as i64),
            class_name: None,
            deleted: true,
            offset: Some(i64::from(dk.offset)),
        });
    }
    let n = b.count;
    drop(b);
    errors(
        w,
        key,
        walk_errors
            .into_iter()
            .map(|e| (None, format!("registry walk: {e}")))
            .collect(),
    );
    n
}

fn evtx(ctx: &VolumeCtx, c: &Candidate, w: &Writer, rep: &dyn Reporter) {
    let Some(bytes) = read(ctx, c, rep) else {
        return;
    };
    let key = source(ctx, c, "evtx", "rift-evtx", w, None);
    let maps = maps();
    let mut rows = Batcher::new(w, Some(key), |r: &mut EvtxRow, id| r.source_id = Some(id));
    let name = full(ctx, &c.rel_path);
    // Hidden records count; the payload JSON carries every data field, so
    // the separate name/value list is not needed.
    let opts = rift_evtx::ParseOptions {
        skip_event_data: true,
        ..Default::default()
    };
    let res = rift_evtx::parse_evtx(std::io::Cursor::new(&bytes), &name, maps, &opts, |r| {
        ctx.csv.evtx(&r);
        let m = &r.mapped;
        let p = |i: usize| m.payload_data.get(i).and_then(|s| opt_str(s));
        rows.push(EvtxRow {
            source_id: None,
            channel: opt_str(&r.channel),
            provider: opt_str(&r.provider),
            event_id: r.event_id.map(i64::from),
            record_id: r.event_record_id.map(|x| x as i64),
            time: r.time_created.or(r.written).map(ts),
            level: r.level.map(i64::from),
            computer: opt_str(&r.computer),
            user_sid: r.user_id.clone(),
            process_id: r.process_id.map(i64::from),
            thread_id: r.thread_id.map(i64::from),
            user_name: opt_str(&m.user_name),
            remote_host: opt_str(&m.remote_host),
            executable_info: opt_str(&m.executable_info),
            payload_data1: p(0),
            payload_data2: p(1),
            payload_data3: p(2),
            payload_data4: p(3),
            payload_data5: p(4),
            payload_data6: p(5),
            map_description: opt_str(&m.map_description),
            payload: opt_str(&r.payload),
            // Carved from slack or hidden inside another record's bytes
            // (log tampering): either way not a record Windows lists.
            recovered: r.recovered || r.hidden,
        });
    });
    let n = rows.count;
    drop(rows);
    match res {
        Ok(report) => {
            let ne = errors(
                w,
                key,
                report
                    .issues
                    .iter()
                    // Checksum mismatches and unused chunk slots are notes:
                    // the records were still read.
                    .filter(|i| {
                        !matches!(
                            i.kind,
                            rift_evtx::IssueKind::ChunkChecksum | rift_evtx::IssueKind::NotAChunk
                        )
                    })
                    .map(|i| (Some(i.offset), format!("{:?}: {}", i.kind, i.message)))
                    .collect(),
            );
            w.source_counts(key, n, ne);
        }
        Err(e) => {
            errors(w, key, vec![(None, e.to_string())]);
            w.source_counts(key, n, 1);
            rep.warn(&format!("{name}: {e}"));
        }
    }
}

fn maps() -> &'static rift_evtx::MapSet {
    static MAPS: std::sync::OnceLock<rift_evtx::MapSet> = std::sync::OnceLock::new();
    MAPS.get_or_init(rift_evtx::MapSet::shipped)
}

// ---------------------------------------------------------------- prefetch

fn prefetch(ctx: &VolumeCtx, c: &Candidate, w: &Writer, rep: &dyn Reporter) {
    let Some(bytes) = read(ctx, c, rep) else {
        return;
    };
    let pf = match rift_prefetch::parse(&bytes) {
        Ok(p) => p,
        Err(e) => return failed(ctx, c, "prefetch", "rift-prefetch", w, rep, e.to_string()),
    };
    let key = source(ctx, c, "prefetch", "rift-prefetch", w, None);
    let runs: Vec<String> = pf
        .last_run_times
        .iter()
        .filter_map(|f| t(*f))
        .map(|d| d.as_str().to_string())
        .collect();
    let vols: Vec<serde_json::Value> = pf
        .volumes
        .iter()
        .map(|v| {
            serde_json::json!({
                "device_path": v.device_path,
                "serial": format!("{:08X}", v.serial),
                "created": t(v.created).map(|d| d.as_str().to_string()),
            })
        })
        .collect();
    let dirs: Vec<&str> = pf.directories().collect();
    let name = c
        .rel_path
        .rsplit('\\')
        .next()
        .unwrap_or(&c.rel_path)
        .to_string();
    let row = PrefetchRow {
        source_id: None,
        pf_name: Some(name),
        exe: Some(pf.executable_name.clone()),
        hash: Some(format!("{:08X}", pf.hash)),
        version: Some(i64::from(pf.version.raw())),
        size: Some(i64::from(pf.file_size)),
        run_count: Some(i64::from(pf.run_count)),
        last_run: pf.last_run_times.first().and_then(|f| t(*f)),
        run_times: json_text(&runs),
        volumes: json_text(&vols),
        files: json_text(&pf.filenames),
        directories: json_text(&dirs),
        source_created: t(c.si_created),
        source_modified: t(c.si_modified),
    };
    w.rows(Some(key), vec![row], |r, id| r.source_id = Some(id));
    let ne = errors(
        w,
        key,
        pf.warnings
            .iter()
            .map(|x| (Some(x.offset), x.message.clone()))
            .collect(),
    );
    w.source_counts(key, 1, ne);
}

// ---------------------------------------------------------------- browsers

fn browser(
    ctx: &VolumeCtx,
    c: &Candidate,
    side: &dyn Fn(&str) -> Option<Vec<u8>>,
    w: &Writer,
    rep: &dyn Reporter,
) {
    let Some(bytes) = read(ctx, c, rep) else {
        return;
    };
    if c.kind != ArtifactKind::IeIndex && !rift_browser::is_sqlite(&bytes) {
        return; // a file called History that is not a database
    }
    let (wal, journal) = if c.kind == ArtifactKind::IeIndex {
        (None, None)
    } else {
        (side("-wal"), side("-journal"))
    };
    let origin = rift_browser::Origin::from_path(&full(ctx, &c.rel_path));
    let bname = origin.browser.name().to_string();
    let profile = origin.profile.clone();
    let user = origin.user.clone().or_else(|| user_of(&c.rel_path));
    let parsed =
        match rift_browser::parse_database(&bytes, wal.as_deref(), journal.as_deref(), &origin) {
            Ok(p) => p,
            Err(e) => return failed(ctx, c, "browser", "rift-browser", w, rep, e.to_string()),
        };
    let note = wal.as_ref().map(|_| "with -wal".to_string());
    let key = source(ctx, c, "browser", "rift-browser", w, note);
    let b = Some(bname.clone());
    let p = Some(profile.clone());
    let rt = |x: &Option<rift_browser::RawTime>| x.as_ref().map(|r| ts(r.time));
    let mut visits = Batcher::new(w, Some(key), |r: &mut BrowserVisitRow, id| {
        r.source_id = Some(id)
    });
    let mut downloads = Batcher::new(w, Some(key), |r: &mut BrowserDownloadRow, id| {
        r.source_id = Some(id)
    });
    let mut searches = Batcher::new(w, Some(key), |r: &mut BrowserSearchRow, id| {
        r.source_id = Some(id)
    });
    match &parsed {
        rift_browser::Parsed::ChromiumHistory(h) => {
            for v in &h.visits {
                visits.push(BrowserVisitRow {
                    source_id: None,
                    browser: b.clone(),
                    profile: p.clone(),
                    user: user.clone(),
                    visit_id: Some(v.id),
                    url: Some(v.url.clone()),
                    title: v.title.clone(),
                    time: rt(&v.visit_time),
                    visit_count: v.visit_count,
                    typed_count: v.typed_count,
                    transition: v.transition.map(|x| i64::from(x.0)),
                    transition_text: v.transition.map(|x| x.describe()),
                    from_visit: v.from_visit,
                    duration_us: v.visit_duration_us,
                });
            }
            for d in &h.downloads {
                downloads.push(BrowserDownloadRow {
                    source_id: None,
                    browser: b.clone(),
                    profile: p.clone(),
                    user: user.clone(),
                    download_id: Some(d.id),
                    url: d.url_chain.last().cloned(),
                    url_chain: json_text(&d.url_chain),
                    referrer: d.referrer.clone(),
                    tab_url: d.tab_url.clone(),
                    tab_referrer_url: d.tab_referrer_url.clone(),
                    target_path: d.target_path.clone(),
                    current_path: d.current_path.clone(),
                    start_time: rt(&d.start_time),
                    end_time: rt(&d.end_time),
                    received_bytes: d.received_bytes,
                    total_bytes: d.total_bytes,
                    state: d.state,
                    state_text: d
                        .state
                        .map(rift_browser::chromium_codes::download_state_label),
                    danger_type: d.danger_type,
                    danger_text: d
                        .danger_type
                        .map(rift_browser::chromium_codes::danger_type_label),
                    interrupt_reason: d.interrupt_reason,
                    interrupt_text: d
                        .interrupt_reason
                        .map(rift_browser::chromium_codes::interrupt_reason_label),
                    opened: d.opened,
                    mime_type: d.mime_type.clone(),
                    last_access_time: rt(&d.last_access_time),
                });
            }
            for s in &h.searches {
                searches.push(BrowserSearchRow {
                    source_id: None,
                    browser: b.clone(),
                    profile: p.clone(),
                    user: user.clone(),
                    term: Some(s.term.clone()),
                    url: s.url.clone(),
                    time: rt(&s.last_visit_time),
                });
            }
        }
        rift_browser::Parsed::FirefoxPlaces(fp) => {
            for v in &fp.visits {
                visits.push(BrowserVisitRow {
                    source_id: None,
                    browser: b.clone(),
                    profile: p.clone(),
                    user: user.clone(),
                    visit_id: Some(v.id),
                    url: Some(v.url.clone()),
                    title: v.title.clone(),
                    time: rt(&v.visit_time),
                    visit_count: v.visit_count,
                    typed_count: v.typed.map(i64::from),
                    transition: v.visit_type,
                    transition_text: None,
                    from_visit: v.from_visit,
                    duration_us: None,
                });
            }
            for d in &fp.downloads {
                downloads.push(firefox_download(d, &b, &p, &user, rt));
            }
        }
        rift_browser::Parsed::FirefoxDownloads { downloads: ds, .. } => {
            for d in ds {
                downloads.push(firefox_download(d, &b, &p, &user, rt));
            }
        }
        rift_browser::Parsed::IeCache(cache) => {
            for r in &cache.records {
                // History containers name visits `Visited: user@url`;
                // cache records are plain URLs of fetched files.
                let Some(url) = r
                    .location
                    .split_once('@')
                    .map(|(_, u)| u)
                    .or(Some(r.location.as_str()))
                else {
                    continue;
                };
                if r.kind != rift_browser::ie::IeRecordKind::Url || url.is_empty() {
                    continue;
                }
                visits.push(BrowserVisitRow {
                    source_id: None,
                    browser: b.clone(),
                    profile: p.clone(),
                    user: user.clone(),
                    url: Some(url.to_string()),
                    time: rt(&r.primary_time),
                    visit_count: r.hits.map(i64::from),
                    transition_text: Some(
                        if r.allocated {
                            "index.dat"
                        } else {
                            "index.dat (recovered)"
                        }
                        .into(),
                    ),
                    ..Default::default()
                });
            }
        }
        _ => {}
    }
    let n = visits.count + downloads.count + searches.count;
    drop((visits, downloads, searches));
    let ne = errors(
        w,
        key,
        parsed
            .warnings()
            .iter()
            .map(|x| (None, x.to_string()))
            .collect(),
    );
    w.source_counts(key, n, ne);
}

fn firefox_download(
    d: &rift_browser::FirefoxDownload,
    b: &Option<String>,
    p: &Option<String>,
    user: &Option<String>,
    rt: impl Fn(&Option<rift_browser::RawTime>) -> Option<DbTime>,
) -> BrowserDownloadRow {
    BrowserDownloadRow {
        source_id: None,
        browser: b.clone(),
        profile: p.clone(),
        user: user.clone(),
        download_id: Some(d.id),
        url: Some(d.url.clone()),
        url_chain: json_text(std::slice::from_ref(&d.url)),
        referrer: d.referrer.clone(),
        target_path: d.target_path.clone(),
        start_time: rt(&d.start_time),
        end_time: rt(&d.end_time),
        received_bytes: d.received_bytes,
        total_bytes: d.total_bytes,
        state: d.state,
        mime_type: d.mime_type.clone(),
        ..Default::default()
    }
}

// ---------------------------------------------------------------- shell

fn lnk_row(l: &rift_shell::lnk::Lnk, user: &Option<String>, path: &str, c: &Candidate) -> LnkRow {
    let vol = l.link_info.as_ref().and_then(|i| i.volume.as_ref());
    LnkRow {
        source_id: None,
        user: user.clone(),
        lnk_path: Some(path.to_string()),
        target_path: l.target_path(),
        arguments: l.arguments.clone(),
        working_dir: l.working_dir.clone(),
        target_created: t(l.target_created),
        target_modified: t(l.target_modified),
        target_accessed: t(l.target_accessed),
        target_size: Some(i64::from(l.file_size)),
        drive_type: vol.map(|v| i64::from(v.drive_type)),
        volume_serial: vol.map(|v| format!("{:08X}", v.serial)),
        volume_label: vol.map(|v| v.label.clone()).filter(|s| !s.is_empty()),
        machine_id: l.extra.tracker.as_ref().map(|t| t.machine_id.clone()),
        mac_address: l.mac_address().map(|m| {
            m.iter()
                .map(|b| format!("{b:02x}"))
                .collect::<Vec<_>>()
                .join(":")
        }),
        source_created: t(c.si_created),
        source_modified: t(c.si_modified),
    }
}

fn lnk(ctx: &VolumeCtx, c: &Candidate, w: &Writer, rep: &dyn Reporter) {
    let Some(bytes) = read(ctx, c, rep) else {
        return;
    };
    let l = match rift_shell::parse_lnk(&bytes) {
        Ok(l) => l,
        Err(e) => return failed(ctx, c, "lnk", "rift-shell", w, rep, e.to_string()),
    };
    let key = source(ctx, c, "lnk", "rift-shell", w, None);
    let row = lnk_row(&l, &user_of(&c.rel_path), &full(ctx, &c.rel_path), c);
    w.rows(Some(key), vec![row], |r, id| r.source_id = Some(id));
    let ne = errors(
        w,
        key,
        l.warnings
            .iter()
            .map(|x| (Some(x.offset), x.message.clone()))
            .collect(),
    );
    w.source_counts(key, 1, ne);
}

/// The `defender_detections` row of one DetectionHistory file.
fn defender_row(h: &rift_shell::defender::DetectionHistory) -> DefenderDetectionRow {
    let times: Vec<DbTime> = h.times.iter().filter_map(|&ft| t(ft)).collect();
    let resources: Vec<serde_json::Value> = h
        .resources
        .iter()
        .map(|r| serde_json::json!({"kind": r.kind, "path": r.path}))
        .collect();
    DefenderDetectionRow {
        source_id: None,
        detection_id: h.detection_id.map(|g| g.to_string()),
        threat_name: h.threat_name.clone(),
        time: times.first().cloned(),
        times: json_text(&times.iter().map(DbTime::as_str).collect::<Vec<_>>()),
        file_path: h
            .resources
            .iter()
            .find(|r| r.kind == "file" || r.kind == "containerfile")
            .map(|r| r.path.clone()),
        web_url: h.web_url().map(str::to_string),
        resources: json_text(&resources),
        accounts: json_text(&h.accounts),
    }
}

fn defender_history(ctx: &VolumeCtx, c: &Candidate, w: &Writer, rep: &dyn Reporter) {
    let Some(bytes) = read(ctx, c, rep) else {
        return;
    };
    let h = match rift_shell::defender::parse_detection_history(&bytes) {
        Ok(h) => h,
        Err(e) => {
            return failed(
                ctx,
                c,
                "defender_history",
                "rift-shell",
                w,
                rep,
                e.to_string(),
            );
        }
    };
    let key = source(ctx, c, "defender_history", "rift-shell", w, None);
    w.rows(Some(key), vec![defender_row(&h)], |r, id| {
        r.source_id = Some(id)
    });
    let ne = errors(
        w,
        key,
        h.warnings
            .iter()
            .map(|x| (Some(x.offset), x.message.clone()))
            .collect(),
    );
    w.source_counts(key, 1, ne);
}

fn jumplist(ctx: &VolumeCtx, c: &Candidate, w: &Writer, rep: &dyn Reporter) {
    let Some(bytes) = read(ctx, c, rep) else {
        return;
    };
    let path = full(ctx, &c.rel_path);
    let user = user_of(&c.rel_path);
    let name = c.rel_path.rsplit('\\').next().unwrap_or("");
    let app_id = name.split('.').next().map(str::to_string);
    let mut rows = Vec::new();
    let warnings: Vec<String> = if c.kind == ArtifactKind::JumplistAuto {
        let j = match rift_shell::parse_automatic(&bytes) {
            Ok(j) => j,
            Err(e) => return failed(ctx, c, "jumplist", "rift-shell", w, rep, e.to_string()),
        };
        for e in &j.entries {
            let l = j.link_for(e);
            rows.push(JumplistRow {
                source_id: None,
                user: user.clone(),
                jumplist_path: Some(path.clone()),
                app_id: app_id.clone(),
                entry_number: Some(i64::from(e.entry_number)),
                target_path: l.and_then(|l| l.target_path()),
                arguments: l.and_then(|l| l.arguments.clone()),
                last_access: t(e.last_access),
                access_count: e.access_count.map(i64::from),
                pinned: Some(e.pin_status >= 0),
                hostname: opt_str(&e.hostname),
                target_created: l.and_then(|l| t(l.target_created)),
                target_modified: l.and_then(|l| t(l.target_modified)),
            });
        }
        j.warnings
            .iter()
            .map(|x| format!("at {:#x}: {}", x.offset, x.message))
            .collect()
    } else {
        let j = match rift_shell::parse_custom(&bytes) {
            Ok(j) => j,
            Err(e) => return failed(ctx, c, "jumplist", "rift-shell", w, rep, e.to_string()),
        };
        for (i, l) in j.links().enumerate() {
            rows.push(JumplistRow {
                source_id: None,
                user: user.clone(),
                jumplist_path: Some(path.clone()),
                app_id: app_id.clone(),
                entry_number: Some(i as i64),
                target_path: l.target_path(),
                arguments: l.arguments.clone(),
                target_created: t(l.target_created),
                target_modified: t(l.target_modified),
                ..Default::default()
            });
        }
        j.warnings
            .iter()
            .map(|x| format!("at {:#x}: {}", x.offset, x.message))
            .collect()
    };
    let key = source(ctx, c, "jumplist", "rift-shell", w, None);
    let n = rows.len() as u64;
    w.rows(Some(key), rows, |r, id| r.source_id = Some(id));
    let ne = errors(w, key, warnings.into_iter().map(|m| (None, m)).collect());
    w.source_counts(key, n, ne);
}

fn recycle(
    ctx: &VolumeCtx,
    c: &Candidate,
    by_path: &HashMap<String, &Candidate>,
    w: &Writer,
    rep: &dyn Reporter,
) {
    let Some(bytes) = read(ctx, c, rep) else {
        return;
    };
    let path = full(ctx, &c.rel_path);
    let sid = c.rel_path.split('\\').nth(1).map(str::to_string);
    let mut rows = Vec::new();
    if c.kind == ArtifactKind::RecycleBinI {
        let e = match rift_shell::parse_recycle_i(&bytes) {
            Ok(e) => e,
            Err(err) => {
                return failed(ctx, c, "recycle_bin", "rift-shell", w, rep, err.to_string());
            }
        };
        // $R file: same name with $I replaced by $R.
        let r_name = c.rel_path.rsplit_once('\\').map(|(d, n)| {
            let rest = n.get(2..).unwrap_or("");
            format!("{d}\\$R{rest}").to_ascii_lowercase()
        });
        rows.push(RecycleBinRow {
            source_id: None,
            i_file_path: Some(path),
            sid,
            user: None,
            original_path: Some(e.path.clone()),
            deleted_time: t(e.deleted),
            size: Some(e.size as i64),
            version: Some(e.version as i64),
            r_file_present: r_name.map(|r| {
                by_path.contains_key(&r) || ctx.vol.ntfs.find(&r).ok().flatten().is_some()
            }),
        });
    } else {
        let info = match rift_shell::parse_info2(&bytes) {
            Ok(i) => i,
            Err(err) => {
                return failed(ctx, c, "recycle_bin", "rift-shell", w, rep, err.to_string());
            }
        };
        for e in &info.records {
            rows.push(RecycleBinRow {
                source_id: None,
                i_file_path: Some(path.clone()),
                sid: sid.clone(),
                user: None,
                original_path: Some(e.path().to_string()),
                deleted_time: t(e.deleted),
                size: Some(e.size as i64),
                version: Some(0),
                r_file_present: None,
            });
        }
    }
    let key = source(ctx, c, "recycle_bin", "rift-shell", w, None);
    let n = rows.len() as u64;
    w.rows(Some(key), rows, |r, id| r.source_id = Some(id));
    w.source_counts(key, n, 0);
}

fn task(ctx: &VolumeCtx, c: &Candidate, w: &Writer, rep: &dyn Reporter) {
    let Some(bytes) = read(ctx, c, rep) else {
        return;
    };
    let path = full(ctx, &c.rel_path);
    let name = c.rel_path.rsplit('\\').next().unwrap_or("").to_string();
    if c.kind == ArtifactKind::TaskXml && !looks_like_xml(&bytes) {
        return; // something else stored in the Tasks folder
    }
    let row = if c.kind == ArtifactKind::TaskXml {
        let tk = match rift_shell::parse_task_xml(&bytes) {
            Ok(t) => t,
            Err(e) => return failed(ctx, c, "task_xml", "rift-shell", w, rep, e.to_string()),
        };
        let (command, arguments) = tk
            .actions
            .iter()
            .find_map(|a| match a {
                rift_shell::tasks::TaskAction::Exec {
                    command, arguments, ..
                } => Some((Some(command.clone()), arguments.clone())),
                _ => None,
            })
            .unwrap_or((None, None));
        TaskRow {
            source_id: None,
            origin: Some("TaskXml".into()),
            name: Some(name),
            path: Some(path),
            task_guid: None,
            command,
            arguments,
            author: tk.author.clone(),
            description: tk.description.clone(),
            triggers: json_text(
                &tk.triggers
                    .iter()
                    .map(|t| {
                        format!(
                            "{} {}",
                            t.kind,
                            t.start_boundary.clone().unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>(),
            ),
            registered: tk.registration_date.as_deref().and_then(parse_local_or_utc),
            last_run: None,
            key_last_write: t(c.si_created),
            hidden: Some(tk.hidden),
        }
    } else {
        let j = match rift_shell::parse_job(&bytes) {
            Ok(j) => j,
            Err(e) => return failed(ctx, c, "task_job", "rift-shell", w, rep, e.to_string()),
        };
        TaskRow {
            source_id: None,
            origin: Some("Job".into()),
            name: Some(name),
            path: Some(path),
            command: opt_str(&j.application),
            arguments: opt_str(&j.parameters),
            author: opt_str(&j.author),
            description: opt_str(&j.comment),
            key_last_write: t(c.si_created),
            ..Default::default()
        }
    };
    let key = source(ctx, c, "task", "rift-shell", w, None);
    w.rows(Some(key), vec![row], |r, id| r.source_id = Some(id));
    w.source_counts(key, 1, 0);
}

/// Whether a file starts like an XML document (UTF-8 or UTF-16, with or
/// without a byte-order mark), as task definitions do.
fn looks_like_xml(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let first = if b.starts_with(b"\xFF\xFE") || b.starts_with(b"\xFE\xFF") {
        b.get(2..)
            .unwrap_or_default()
            .iter()
            .find(|&&c| c != 0 && !c.is_ascii_whitespace())
    } else {
        b.iter().find(|c| !c.is_ascii_whitespace())
    };
    first == Some(&b'<')
}

/// Task registration dates are local times without a zone
/// (`2024-01-02T12:04:05`); keep them only when they carry an offset or
/// `Z`, since the machine's zone is not applied silently.
fn parse_local_or_utc(s: &str) -> Option<DbTime> {
    s.parse::<jiff::Timestamp>().ok().map(ts)
}

#[cfg(test)]
mod tests {
    use super::{defender_row, looks_like_xml};

    #[test]
    fn defender_detection_history_row() {
        // The fixture's values as read by hand in rift-shell's
        // `defender_detection_history_by_hand` (xxd of the file).
        let bytes = rift_testutil::fixture_bytes("misc/windefender_DetectionHistory_6AFE33A0");
        let h = rift_shell::defender::parse_detection_history(&bytes).unwrap();
        let r = defender_row(&h);
        assert_eq!(r.threat_name.as_deref(), Some("Virus:DOS/EICAR_Test_File"));
        assert_eq!(
            r.detection_id.as_deref(),
            Some("6afe33a0-19ba-4fff-892f-b700539d7d63")
        );
        assert_eq!(
            r.file_path.as_deref(),
            Some("C:\\Users\\testuser\\Downloads\\eicar_com.zip")
        );
        assert_eq!(
            r.web_url.as_deref(),
            Some("https://secure.eicar.org/eicar_com.zip")
        );
        assert!(
            r.time
                .as_ref()
                .unwrap()
                .as_str()
                .starts_with("2022-07-22T05:37:02.757"),
            "{:?}",
            r.time
        );
        let accounts: Vec<String> = serde_json::from_str(r.accounts.as_deref().unwrap()).unwrap();
        assert_eq!(accounts, ["FRYPTOP\\testuser", "NT AUTHORITY\\SYSTEM"]);
        let res: serde_json::Value = serde_json::from_str(r.resources.as_deref().unwrap()).unwrap();
        assert_eq!(res.as_array().unwrap().len(), 3);
    }

    #[test]
    fn task_files_are_recognised_by_content() {
        assert!(looks_like_xml(b"<?xml version=\"1.0\"?><Task/>"));
        assert!(looks_like_xml(b"\xEF\xBB\xBF  <Task/>"));
        // UTF-16LE with BOM, as Windows writes task files.
        assert!(looks_like_xml(b"\xFF\xFE<\0?\0x\0m\0l\0"));
        assert!(!looks_like_xml(b"MZ\x90\0"));
        assert!(!looks_like_xml(b"{\"json\": true}"));
        assert!(!looks_like_xml(b""));
    }
}
