//! NTFS-level evidence of one volume: `$MFT` rows, `Zone.Identifier`
//! streams, the artifact files to parse, `$UsnJrnl:$J` and `$LogFile`.

use std::collections::HashMap;
use std::sync::Arc;

use rift_io::time::FileTime;
use rift_ntfs::values::Namespace;
use rift_ntfs::{AttrType, FileName, MftEntry, PathMap};
use rift_timeline::{
    DbTime, LogfileEventRow, MftRow, ParseErrorRow, SourceRow, UsnRow, ZoneIdentifierRow,
};
use rift_usn::{FileId, MftLookup, MftName};

use super::writer::{Batcher, Writer};
use super::{Reporter, VolumeCtx};
use crate::artifacts::{self, ArtifactKind};

/// A file the artifact stage will parse.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// What it is.
    pub kind: ArtifactKind,
    /// MFT entry.
    pub entry: u64,
    /// Sequence number.
    pub seq: u16,
    /// Volume-relative path (`Windows\Prefetch\X.pf`).
    pub rel_path: String,
    /// Data size.
    pub size: u64,
    /// The entry is in use (false: deleted, read best-effort).
    pub in_use: bool,
    /// `$SI` created.
    pub si_created: FileTime,
    /// `$SI` modified.
    pub si_modified: FileTime,
}

/// `$MFT` names for USN path resolution: entry → (sequence, name, parent).
#[derive(Default)]
pub struct MftNames(Vec<Option<MftName>>);

impl MftLookup for MftNames {
    fn lookup(&self, entry: u64) -> Option<MftName> {
        self.0.get(entry as usize).and_then(|x| x.clone())
    }
}

impl MftNames {
    fn set(&mut self, entry: u64, v: MftName) {
        let i = entry as usize;
        if self.0.len() <= i {
            self.0.resize(i + 1, None);
        }
        if let Some(slot) = self.0.get_mut(i) {
            *slot = Some(v);
        }
    }

    /// As the `$LogFile` analyser wants them.
    pub fn logfile_names(&self) -> HashMap<u64, rift_logfile::NameInfo> {
        self.0
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                n.as_ref().map(|n| {
                    (
                        i as u64,
                        rift_logfile::NameInfo {
                            name: n.name.clone(),
                            parent: n.parent.reference(),
                        },
                    )
                })
            })
            .collect()
    }
}

fn t(ft: FileTime) -> Option<DbTime> {
    DbTime::from_filetime(ft)
}

fn ext_of(name: &str) -> Option<String> {
    let (stem, e) = name.rsplit_once('.')?;
    if stem.is_empty() || e.is_empty() || e.contains(' ') {
        return None;
    }
    Some(format!(".{}", e.to_lowercase()))
}

/// Whether a name should get its own row: DOS 8.3 names are skipped
/// when the record has a long name too (MFTECmd does the same).
fn row_names(e: &MftEntry) -> Vec<FileName> {
    let all = e.file_names();
    let has_long = all.iter().any(|f| f.namespace != Namespace::DOS);
    all.into_iter()
        .filter(|f| !has_long || f.namespace != Namespace::DOS)
        .collect()
}

/// What one chunk of MFT records yields (collected on a worker thread,
/// delivered in record order).
#[derive(Default)]
struct ChunkOut {
    rows: Vec<MftRow>,
    zones: Vec<ZoneIdentifierRow>,
    errs: Vec<ParseErrorRow>,
    names: Vec<(u64, MftName)>,
    cands: Vec<Candidate>,
    records: u64,
}

/// Records per parallel chunk of the `$MFT` walk.
const MFT_CHUNK: u64 = 2048;

/// Walks every MFT entry once: `mft` rows, `Zone.Identifier` rows, the
/// artifact candidates and the name table for USN resolution. Chunks of
/// records are parsed on all cores and delivered in order.
pub fn walk_mft(ctx: &VolumeCtx, w: &Writer, rep: &dyn Reporter) -> (Vec<Candidate>, MftNames) {
    let ntfs = &ctx.vol.ntfs;
    let stage = format!("MFT {}", ctx.drive);
    let total = ntfs.mft_record_count();
    rep.stage_start(&stage, Some(total), "records");
    let paths: Arc<PathMap> = ntfs.paths();
    let src = w.source(SourceRow {
        kind: "mft".into(),
        volume_id: Some(ctx.volume_id),
        path: Some(format!("{}\\$MFT", ctx.drive)),
        mft_entry: Some(0),
        mft_seq: Some(1),
        size: ntfs.mft_stream().ok().map(|s| s.size() as i64),
        parser: Some(format!("rift-ntfs {}", env!("CARGO_PKG_VERSION"))),
        ..Default::default()
    });
    let zsrc = w.source(SourceRow {
        kind: "zone_identifier".into(),
        volume_id: Some(ctx.volume_id),
        path: Some(format!("{}\\*:Zone.Identifier", ctx.drive)),
        parser: Some(format!("rift-shell {}", env!("CARGO_PKG_VERSION"))),
        ..Default::default()
    });
    let mut rows = Batcher::new(w, Some(src), |r: &mut MftRow, id| r.source_id = Some(id));
    let mut zones = Batcher::new(w, Some(zsrc), |r: &mut ZoneIdentifierRow, id| {
        r.source_id = Some(id)
    });
    let mut errs = Batcher::new(w, Some(src), |r: &mut ParseErrorRow, id| {
        r.source_id = Some(id)
    });
    let mut names = MftNames::default();
    let mut cands = Vec::new();
    let mut done = 0u64;
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let work = |first: u64, end: u64| {
        let mut out = ChunkOut::default();
        for item in ntfs.entries().starting_at(first).ending_at(end) {
            out.records += 1;
            match item {
                Ok(e) => entry_rows(ctx, ntfs, &paths, &e, &mut out),
                Err(err) => out.errs.push(ParseErrorRow {
                    source_id: None,
                    offset: None,
                    message: err.to_string(),
                }),
            }
        }
        out
    };
    rift_ntfs::par_chunks_ordered(total, MFT_CHUNK, threads, work, |out: ChunkOut| {
        done += out.records;
        rep.stage_progress(&stage, done);
        out.rows.into_iter().for_each(|r| rows.push(r));
        out.zones.into_iter().for_each(|r| zones.push(r));
        out.errs.into_iter().for_each(|r| errs.push(r));
        out.names.into_iter().for_each(|(n, m)| names.set(n, m));
        cands.extend(out.cands);
    });
    let n = rows.count;
    let nz = zones.count;
    let n_err = errs.count;
    drop(rows);
    drop(zones);
    drop(errs);
    w.source_counts(src, n, n_err);
    w.source_counts(zsrc, nz, 0);
    rep.stage_end(
        &stage,
        &format!("{done} records, {n} rows, {n_err} unreadable"),
    );
    (cands, names)
}

/// The rows, names and candidates of one MFT entry.
fn entry_rows(
    ctx: &VolumeCtx,
    ntfs: &rift_ntfs::Ntfs,
    paths: &PathMap,
    e: &MftEntry,
    out: &mut ChunkOut,
) {
    let si = e.standard_information();
    let fnames = row_names(e);
    let Some(primary) = fnames.first().cloned() else {
        return; // no name: nothing to show or resolve
    };
    out.names.push((
        e.number,
        MftName {
            sequence: e.sequence(),
            name: primary.name.clone(),
            parent: FileId::from_reference(primary.parent.0),
            in_use: e.in_use(),
        },
    ));
    let base_path = paths.path(e.number);
    let full = |dir_and_name: &str| format!("{}\\{}", ctx.drive, dir_and_name);
    let size = e.data_size();
    let ads = e.ads_names();
    let has_ads = !ads.is_empty();
    let (usec_zeros, si_lt_fn, copied) = match &si {
        Some(s) => (
            s.created.subsecond_ticks() == 0 && s.modified.subsecond_ticks() == 0,
            s.created.0 != 0 && s.created < primary.created,
            s.modified.0 != 0 && s.modified < s.created,
        ),
        None => (false, false, false),
    };
    let zone_text = if ads
        .iter()
        .any(|a| a.eq_ignore_ascii_case("Zone.Identifier"))
    {
        ntfs.zone_identifier(e)
    } else {
        None
    };
    for (i, f) in fnames.iter().enumerate() {
        let path = if i == 0 {
            base_path.clone()
        } else {
            let (dir, _) = paths.dir_path(f.parent);
            if dir.is_empty() {
                f.name.clone()
            } else {
                format!("{dir}\\{}", f.name)
            }
        };
        out.rows.push(MftRow {
            source_id: None,
            volume_id: Some(ctx.volume_id),
            entry: e.number as i64,
            seq: Some(i64::from(e.sequence())),
            in_use: Some(e.in_use()),
            is_dir: Some(e.is_directory()),
            parent_entry: Some(f.parent.entry() as i64),
            parent_seq: Some(i64::from(f.parent.sequence())),
            name: Some(f.name.clone()),
            name_type: Some(i64::from(f.namespace.0)),
            full_path: Some(full(&path)),
            extension: if e.is_directory() {
                None
            } else {
                ext_of(&f.name)
            },
            size: Some(size as i64),
            alloc_size: Some(f.allocated_size as i64),
            reference_count: Some(i64::from(e.header.link_count)),
            si_created: si.as_ref().and_then(|s| t(s.created)),
            si_modified: si.as_ref().and_then(|s| t(s.modified)),
            si_mft_modified: si.as_ref().and_then(|s| t(s.mft_modified)),
            si_accessed: si.as_ref().and_then(|s| t(s.accessed)),
            fn_created: t(f.created),
            fn_modified: t(f.modified),
            fn_mft_modified: t(f.mft_modified),
            fn_accessed: t(f.accessed),
            si_flags: si.as_ref().map(|s| i64::from(s.attributes.bits())),
            has_ads: Some(has_ads),
            is_ads: Some(false),
            ads_name: None,
            zone_id_contents: None,
            usec_zeros: Some(usec_zeros),
            si_lt_fn: Some(si_lt_fn),
            copied: Some(copied),
            usn: si.as_ref().and_then(|s| s.usn).map(|u| u as i64),
            lsn: Some(e.header.lsn as i64),
            security_id: si.as_ref().and_then(|s| s.security_id).map(i64::from),
            reparse_target: e.reparse_point().and_then(|r| r.link_target()).map(|l| {
                if l.print.is_empty() {
                    l.substitute
                } else {
                    l.print
                }
            }),
        });
    }
    for a in &ads {
        let is_zone = a.eq_ignore_ascii_case("Zone.Identifier");
        let ads_size = e
            .attribute(AttrType::DATA, a)
            .map(|at| at.data_size())
            .unwrap_or(0);
        out.rows.push(MftRow {
            source_id: None,
            volume_id: Some(ctx.volume_id),
            entry: e.number as i64,
            seq: Some(i64::from(e.sequence())),
            in_use: Some(e.in_use()),
            is_dir: Some(e.is_directory()),
            parent_entry: Some(primary.parent.entry() as i64),
            parent_seq: Some(i64::from(primary.parent.sequence())),
            name: Some(format!("{}:{a}", primary.name)),
            name_type: Some(i64::from(primary.namespace.0)),
            full_path: Some(full(&format!("{base_path}:{a}"))),
            extension: None,
            size: Some(ads_size as i64),
            si_created: si.as_ref().and_then(|s| t(s.created)),
            si_modified: si.as_ref().and_then(|s| t(s.modified)),
            has_ads: Some(true),
            is_ads: Some(true),
            ads_name: Some(a.to_string()),
            zone_id_contents: if is_zone { zone_text.clone() } else { None },
            ..Default::default()
        });
    }
    if let Some(text) = &zone_text {
        let z = rift_shell::parse_zone_identifier(text.as_bytes());
        out.zones.push(ZoneIdentifierRow {
            source_id: None,
            volume_id: Some(ctx.volume_id),
            file_path: Some(full(&base_path)),
            entry: Some(e.number as i64),
            seq: Some(i64::from(e.sequence())),
            zone_id: z.zone_id.map(i64::from),
            host_url: z.host_url.clone(),
            referrer_url: z.referrer_url.clone(),
            raw: Some(text.clone()),
            file_created: si.as_ref().and_then(|s| t(s.created)),
        });
    }
    if !e.is_directory() {
        if let Some(kind) = artifacts::classify(&base_path) {
            out.cands.push(Candidate {
                kind,
                entry: e.number,
                seq: e.sequence(),
                rel_path: base_path,
                size,
                in_use: e.in_use(),
                si_created: si.as_ref().map(|s| s.created).unwrap_or_default(),
                si_modified: si.as_ref().map(|s| s.modified).unwrap_or_default(),
            });
        }
    }
}

/// `$UsnJrnl:$J` with full paths.
pub fn usn(ctx: &VolumeCtx, names: &MftNames, w: &Writer, rep: &dyn Reporter) {
    let ntfs = &ctx.vol.ntfs;
    let stage = format!("USN {}", ctx.drive);
    let Ok(Some(jrnl)) = ntfs.find("$Extend\\$UsnJrnl") else {
        rep.note(&format!("{}: no $UsnJrnl on this volume", ctx.drive));
        return;
    };
    let stream = match ntfs.open_stream(&jrnl, Some("$J")) {
        Ok(s) => s,
        Err(e) => {
            rep.warn(&format!("{}: $UsnJrnl:$J unreadable: {e}", ctx.drive));
            return;
        }
    };
    let ranges: Vec<std::ops::Range<u64>> = stream
        .allocated_ranges()
        .iter()
        .map(|r| r.offset..r.offset + r.length)
        .collect();
    let allocated: u64 = ranges.iter().map(|r| r.end - r.start).sum();
    rep.stage_start(&stage, Some(allocated), "bytes");
    let src = w.source(SourceRow {
        kind: "usn".into(),
        volume_id: Some(ctx.volume_id),
        path: Some(format!("{}\\$Extend\\$UsnJrnl:$J", ctx.drive)),
        mft_entry: Some(jrnl.number as i64),
        mft_seq: Some(i64::from(jrnl.sequence())),
        size: Some(stream.size() as i64),
        parser: Some(format!("rift-usn {}", env!("CARGO_PKG_VERSION"))),
        note: Some(format!("{allocated} bytes allocated of {}", stream.size())),
        ..Default::default()
    });
    let mut rows = Batcher::new(w, Some(src), |r: &mut UsnRow, id| r.source_id = Some(id));
    let drive = ctx.drive.clone();
    let vid = ctx.volume_id;
    let mut csv = ctx.csv.usn(&ctx.drive);
    let source_file = format!("{}\\$Extend\\$UsnJrnl:$J", ctx.drive);
    let res = rift_usn::journal::for_each_record(&stream, &ranges, 0, names, Vec::new(), |p| {
        if let Some(c) = csv.as_mut() {
            if c.write(&p, &source_file).is_err() {
                csv = None;
            }
        }
        let r = &p.record;
        rows.push(UsnRow {
            source_id: None,
            volume_id: Some(vid),
            usn: Some(r.usn),
            time: t(r.timestamp),
            entry: Some(r.file_id.entry() as i64),
            seq: Some(i64::from(r.file_id.sequence())),
            parent_entry: Some(r.parent_id.entry() as i64),
            parent_seq: Some(i64::from(r.parent_id.sequence())),
            name: Some(p.name.clone()),
            extension: ext_of(&p.name),
            full_path: Some(format!("{drive}{}", p.full_path)),
            reasons: i64::from(r.reason.bits()),
            reasons_text: Some(r.reason.names()),
            attributes: Some(i64::from(r.attributes.bits())),
            source_info: Some(i64::from(r.source_info.bits())),
            security_id: Some(i64::from(r.security_id)),
            version: Some(i64::from(r.major)),
            carved: p.carved,
            offset: Some(r.offset as i64),
        });
    });
    let n = rows.count;
    drop(rows);
    if let Some(c) = csv {
        if let Err(e) = c.finish().and_then(|mut f| std::io::Write::flush(&mut f)) {
            rep.warn(&format!("csv for $J: {e}"));
        }
    }
    match res {
        Ok(sum) => {
            let mut errs = Batcher::new(w, Some(src), |r: &mut ParseErrorRow, id| {
                r.source_id = Some(id)
            });
            for d in &sum.damage {
                errs.push(ParseErrorRow {
                    source_id: None,
                    offset: Some(d.offset as i64),
                    message: format!(
                        "damaged USN record ({:?}, length {}, version {})",
                        d.kind, d.length, d.major
                    ),
                });
            }
            drop(errs);
            w.source_counts(src, n, sum.damage.len() as u64);
            rep.stage_end(
                &stage,
                &format!(
                    "{n} records, {} damaged, {} bytes read",
                    sum.damage.len(),
                    sum.stats.bytes_read
                ),
            );
        }
        Err(e) => {
            w.source_counts(src, n, 1);
            rep.warn(&format!(
                "{}: $J read failed after {n} records: {e}",
                ctx.drive
            ));
            rep.stage_end(&stage, &format!("{n} records (read failed)"));
        }
    }
}

/// Largest `$LogFile` we load (they are 64 MiB by default; 4 GiB is the
/// NTFS maximum).
const LOGFILE_CAP: u64 = 1 << 32;

/// `$LogFile` file events.
pub fn logfile(ctx: &VolumeCtx, names: &MftNames, w: &Writer, rep: &dyn Reporter) {
    let ntfs = &ctx.vol.ntfs;
    let stage = format!("$LogFile {}", ctx.drive);
    let Ok(e) = ntfs.entry(2) else {
        rep.warn(&format!("{}: $LogFile entry unreadable", ctx.drive));
        return;
    };
    let bytes = match ntfs.read_all(&e, None, LOGFILE_CAP) {
        Ok(b) => b,
        Err(err) => {
            rep.warn(&format!("{}: $LogFile unreadable: {err}", ctx.drive));
            return;
        }
    };
    rep.stage_start(&stage, Some(bytes.len() as u64), "bytes");
    let size = bytes.len();
    let log = rift_logfile::LogFile::from_bytes(bytes);
    let an = rift_logfile::analyze_with_names(&log, names.logfile_names());
    let src = w.source(SourceRow {
        kind: "logfile".into(),
        volume_id: Some(ctx.volume_id),
        path: Some(format!("{}\\$LogFile", ctx.drive)),
        mft_entry: Some(2),
        mft_seq: Some(i64::from(e.sequence())),
        size: Some(size as i64),
        parser: Some(format!("rift-logfile {}", env!("CARGO_PKG_VERSION"))),
        note: Some(format!("{} records", log.records.len())),
        ..Default::default()
    });
    let mut rows = Batcher::new(w, Some(src), |r: &mut LogfileEventRow, id| {
        r.source_id = Some(id)
    });
    for ev in &an.events {
        rows.push(LogfileEventRow {
            source_id: None,
            volume_id: Some(ctx.volume_id),
            lsn: Some(ev.lsn as i64),
            time: ev.time.and_then(t),
            event: Some(ev.kind.label().to_string()),
            entry: ev.mft_entry.map(|x| x as i64),
            seq: ev.sequence.map(i64::from),
            parent_entry: ev.parent.map(|p| rift_logfile::events::entry_of(p) as i64),
            parent_seq: ev.parent.map(|p| i64::from((p >> 48) as u16)),
            name: ev.name.clone(),
            full_path: ev.path.as_ref().map(|p| {
                format!(
                    "{}{}{p}",
                    ctx.drive,
                    if p.starts_with('\\') { "" } else { "\\" }
                )
            }),
            redo_op: None,
            undo_op: None,
            detail: Some(match &ev.old_name {
                Some(o) if !ev.detail.is_empty() => format!("old name {o}; {}", ev.detail),
                Some(o) => format!("old name {o}"),
                None => ev.detail.clone(),
            })
            .filter(|s| !s.is_empty()),
            offset: None,
        });
    }
    let n = rows.count;
    drop(rows);
    let mut errs = Batcher::new(w, Some(src), |r: &mut ParseErrorRow, id| {
        r.source_id = Some(id)
    });
    for wn in &log.warnings {
        errs.push(ParseErrorRow {
            source_id: None,
            offset: Some(wn.offset as i64),
            message: wn.message.clone(),
        });
    }
    let nw = errs.count;
    drop(errs);
    w.source_counts(src, n, nw);
    rep.stage_end(
        &stage,
        &format!("{} records, {n} file events", log.records.len()),
    );
}
