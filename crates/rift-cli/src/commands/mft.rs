//! `rift mft`: `$MFT` to MFTECmd-compatible CSV, a TSK body file and/or
//! JSON Lines.
//!
//! Input: a disk image / NTFS volume (the volume's `$MFT` is read through
//! its runs, extension records are merged, non-resident `Zone.Identifier`
//! streams are read) or a standalone `$MFT` file (record size detected).
//!
//! Two parallel passes over the records: the first builds the compact
//! parent map (entry → name, parent, sequence; a few dozen bytes per
//! entry), the second formats rows chunk by chunk and writes them in entry
//! order, so memory grows only by the parent map.
//!
//! CSV conventions (FORMATS.md): UTF-8 with BOM, CRLF, MFTECmd's header,
//! times `yyyy-MM-dd HH:mm:ss.fffffff` UTC, booleans `True`/`False`.
//! One row per non-DOS `$FILE_NAME`, plus one row per alternate data
//! stream (`IsAds=True`, `FileName` = `name:stream`). The `0x30` times are
//! filled only when they differ from the `0x10` ones (MFTECmd's default).

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use rift_io::time::FileTime;
use rift_io::time::push_digits;
use rift_ntfs::values::Namespace;
use rift_ntfs::{AttrType, FileReference, MftEntry, PathMap, PathStatus, par_chunks_ordered};

use super::ls::{Source, VolumeOpts, open_source};

/// The MFTECmd `$MFT` CSV header.
pub const MFTECMD_HEADER: &str = "EntryNumber,SequenceNumber,InUse,ParentEntryNumber,ParentSequenceNumber,ParentPath,FileName,Extension,FileSize,ReferenceCount,ReparseTarget,IsDirectory,HasAds,IsAds,SI<FN,uSecZeros,Copied,SiFlags,NameType,Created0x10,Created0x30,LastModified0x10,LastModified0x30,LastRecordChange0x10,LastRecordChange0x30,LastAccess0x10,LastAccess0x30,UpdateSequenceNumber,LogfileSequenceNumber,SecurityId,ObjectIdFileDroid,LoggedUtilStream,ZoneIdContents,SourceFile";

/// Arguments of `rift mft`.
#[derive(clap::Args)]
pub struct Args {
    /// Disk image (E01, raw, VM disk), bare NTFS volume, or standalone $MFT file.
    pub input: PathBuf,
    /// Write MFTECmd-compatible CSV here (`-` = stdout).
    #[arg(long, value_name = "OUT")]
    pub csv: Option<PathBuf>,
    /// Write a TSK 3.x body file here (for `mactime`).
    #[arg(long, value_name = "OUT")]
    pub body: Option<PathBuf>,
    /// Write JSON Lines (the CSV columns, typed) here.
    #[arg(long, value_name = "OUT")]
    pub json: Option<PathBuf>,
    /// Drive letter to put in front of body-file paths (e.g. `C`).
    #[arg(long, value_name = "LETTER")]
    pub drive: Option<String>,
    /// Also write rows for DOS (8.3) names.
    #[arg(long)]
    pub short_names: bool,
    #[command(flatten)]
    pub volume: VolumeOpts,
}

/// Formats a FILETIME as `yyyy-MM-dd HH:mm:ss.fffffff` (UTC) into `out`;
/// writes nothing for 0 or for values past year 9999.
pub(crate) fn push_ez_time(out: &mut String, ft: u64) {
    rift_io::time::push_ez(out, rift_io::time::FileTime(ft));
}

/// Appends a CSV field (quoted when needed).
pub(crate) fn push_csv(out: &mut String, s: &str) {
    if s.contains([',', '"', '\r', '\n']) {
        out.push('"');
        for c in s.chars() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn b(v: bool) -> &'static str {
    if v { "True" } else { "False" }
}

/// .NET `Path.GetExtension`: from the last dot of the last component
/// (empty when the name ends with a dot or has none).
fn extension(name: &str) -> &str {
    match name.rfind('.') {
        Some(i) if i + 1 < name.len() => name.get(i..).unwrap_or(""),
        _ => "",
    }
}

/// Windows-1252 decoding (how MFTECmd shows `ZoneIdContents`).
fn cp1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&c| match c {
            0x80..=0x9F => HIGH.get(usize::from(c - 0x80)).copied().unwrap_or('?'),
            _ => c as char,
        })
        .collect()
}

/// One output row's worth of values (shared by CSV and JSON).
struct Row<'a> {
    e: &'a MftEntry,
    fname: &'a rift_ntfs::FileName,
    parent_path: &'a str,
    file_name: String,
    extension: String,
    file_size: u64,
    is_ads: bool,
    has_ads: bool,
    zone: Option<String>,
    reference_count: usize,
    reparse_target: &'a str,
    object_id: &'a str,
    logged_util: &'a str,
    si: Option<&'a rift_ntfs::StandardInformation>,
}

impl Row<'_> {
    /// (0x10 created, 0x30 created, 0x10 modified, 0x30 modified, …)
    fn times(&self) -> [Option<u64>; 8] {
        let f = self.fname;
        match self.si {
            Some(si) => {
                let pair = |s: FileTime, n: FileTime| (Some(s.0), (s != n).then_some(n.0));
                let (c10, c30) = pair(si.created, f.created);
                let (m10, m30) = pair(si.modified, f.modified);
                let (r10, r30) = pair(si.mft_modified, f.mft_modified);
                let (a10, a30) = pair(si.accessed, f.accessed);
                [c10, c30, m10, m30, r10, r30, a10, a30]
            }
            // MFTECmd without $SI: created goes to 0x30, the rest to 0x10.
            None => [
                None,
                Some(f.created.0),
                Some(f.modified.0),
                None,
                Some(f.mft_modified.0),
                None,
                Some(f.accessed.0),
                None,
            ],
        }
    }

    fn si_lt_fn(&self) -> bool {
        let t = self.times();
        matches!((t[0], t[1]), (Some(s), Some(f)) if s < f)
    }

    fn usec_zeros(&self) -> bool {
        let ms0 = |v: u64| (v % 10_000_000) / 10_000 == 0;
        self.si
            .as_ref()
            .is_some_and(|s| ms0(s.created.0) || ms0(s.modified.0))
    }

    fn copied(&self) -> bool {
        self.si.is_some_and(|s| s.modified.0 < s.created.0)
    }

    fn csv(&self, out: &mut String, source: &str) {
        let e = self.e;
        let f = self.fname;
        push_digits(out, e.number, 1);
        out.push(',');
        push_digits(out, u64::from(e.header.sequence), 1);
        out.push(',');
        out.push_str(b(e.in_use()));
        out.push(',');
        push_digits(out, f.parent.entry(), 1);
        out.push(',');
        push_digits(out, u64::from(f.parent.sequence()), 1);
        out.push(',');
        push_csv(out, self.parent_path);
        out.push(',');
        push_csv(out, &self.file_name);
        out.push(',');
        push_csv(out, &self.extension);
        out.push(',');
        push_digits(out, self.file_size, 1);
        out.push(',');
        push_digits(out, self.reference_count as u64, 1);
        out.push(',');
        push_csv(out, self.reparse_target);
        for v in [
            e.is_directory(),
            self.has_ads,
            self.is_ads,
            self.si_lt_fn(),
            self.usec_zeros(),
            self.copied(),
        ] {
            out.push(',');
            out.push_str(b(v));
        }
        out.push(',');
        push_csv(
            out,
            &self
                .si
                .as_ref()
                .map(|s| s.attributes.label())
                .unwrap_or_default(),
        );
        out.push(',');
        out.push_str(f.namespace.label());
        for t in self.times() {
            out.push(',');
            if let Some(v) = t {
                push_ez_time(out, v);
            }
        }
        let si = self.si;
        for v in [
            si.and_then(|s| s.usn).unwrap_or(0),
            e.header.lsn,
            u64::from(si.and_then(|s| s.security_id).unwrap_or(0)),
        ] {
            out.push(',');
            push_digits(out, v, 1);
        }
        out.push(',');
        out.push_str(self.object_id);
        out.push(',');
        push_csv(out, self.logged_util);
        out.push(',');
        push_csv(out, self.zone.as_deref().unwrap_or(""));
        out.push(',');
        push_csv(out, source);
        out.push_str("\r\n");
    }

    fn json(&self, out: &mut String, source: &str) {
        let e = self.e;
        let f = self.fname;
        let t = self.times();
        let ts = |v: Option<u64>| {
            v.map(|x| {
                let mut s = String::new();
                push_ez_time(&mut s, x);
                s
            })
        };
        let si = self.si;
        let v = serde_json::json!({
            "EntryNumber": e.number, "SequenceNumber": e.header.sequence, "InUse": e.in_use(),
            "ParentEntryNumber": f.parent.entry(), "ParentSequenceNumber": f.parent.sequence(),
            "ParentPath": self.parent_path, "FileName": self.file_name, "Extension": self.extension,
            "FileSize": self.file_size, "ReferenceCount": self.reference_count, "ReparseTarget": self.reparse_target,
            "IsDirectory": e.is_directory(), "HasAds": self.has_ads, "IsAds": self.is_ads,
            "SI<FN": self.si_lt_fn(), "uSecZeros": self.usec_zeros(), "Copied": self.copied(),
            "SiFlags": si.map(|s| s.attributes.label()), "SiFlagsRaw": si.map(|s| s.attributes.bits()),
            "NameType": f.namespace.label(),
            "Created0x10": ts(t[0]), "Created0x30": ts(t[1]), "LastModified0x10": ts(t[2]), "LastModified0x30": ts(t[3]),
            "LastRecordChange0x10": ts(t[4]), "LastRecordChange0x30": ts(t[5]), "LastAccess0x10": ts(t[6]), "LastAccess0x30": ts(t[7]),
            "UpdateSequenceNumber": si.and_then(|s| s.usn), "LogfileSequenceNumber": e.header.lsn,
            "SecurityId": si.and_then(|s| s.security_id), "ObjectIdFileDroid": self.object_id,
            "LoggedUtilStream": self.logged_util, "ZoneIdContents": self.zone, "SourceFile": source,
            "Torn": !matches!(e.fixup, rift_ntfs::FixupStatus::Ok),
        });
        let _ = write!(out, "{v}");
        out.push('\n');
    }

    /// TSK body lines: `$STANDARD_INFORMATION` times under the name, and
    /// `$FILE_NAME` times under `name ($FILE_NAME)` (as `fls -m` does).
    fn body(&self, out: &mut String, path: &str, data_id: Option<u16>, fn_id: u16) {
        let e = self.e;
        let mode = if e.is_directory() && !self.is_ads {
            "d/drwxrwxrwx"
        } else {
            "r/rrwxrwxrwx"
        };
        let del = if e.in_use() { "" } else { " (deleted)" };
        let secs = |v: u64| -> String {
            if v == 0 {
                return "0".into();
            }
            let s = (v as i128 - 116_444_736_000_000_000) / 10_000_000;
            s.to_string()
        };
        let inode = match data_id {
            Some(id) => format!("{}-128-{id}", e.number),
            None => format!("{}-144-0", e.number),
        };
        if let Some(si) = self.si {
            let _ = writeln!(
                out,
                "0|{path}{del}|{inode}|{mode}|0|0|{}|{}|{}|{}|{}",
                self.file_size,
                secs(si.accessed.0),
                secs(si.modified.0),
                secs(si.mft_modified.0),
                secs(si.created.0)
            );
        }
        if !self.is_ads {
            let f = self.fname;
            let _ = writeln!(
                out,
                "0|{path} ($FILE_NAME){del}|{}-48-{fn_id}|{mode}|0|0|{}|{}|{}|{}|{}",
                e.number,
                self.file_size,
                secs(f.accessed.0),
                secs(f.modified.0),
                secs(f.mft_modified.0),
                secs(f.created.0)
            );
        }
    }
}

/// Output buffers of one chunk.
#[derive(Default)]
struct Chunk {
    csv: String,
    body: String,
    json: String,
    rows: u64,
    errors: u64,
}

struct Opts<'a> {
    csv: bool,
    body: bool,
    json: bool,
    short_names: bool,
    source: &'a str,
    drive: String,
}

fn parent_path_string(paths: &PathMap, parent: FileReference) -> String {
    if parent.entry() == 5 {
        return ".".into();
    }
    let (p, st) = paths.dir_path(parent);
    match st {
        PathStatus::Orphan if p == "$OrphanFiles" => format!(
            ".\\PathUnknown\\Directory with ID 0x{:08X}-{:08X}",
            parent.entry(),
            parent.sequence()
        ),
        _ => format!(".\\{p}"),
    }
}

fn rows_for(e: &MftEntry, src: &Source, paths: &PathMap, o: &Opts, ch: &mut Chunk) {
    let names = e.file_names();
    let non_dos: Vec<&rift_ntfs::FileName> = names
        .iter()
        .filter(|n| n.namespace != Namespace::DOS)
        .collect();
    let chosen: Vec<&rift_ntfs::FileName> = if o.short_names || non_dos.is_empty() {
        names.iter().collect()
    } else {
        non_dos.clone()
    };
    if chosen.is_empty() {
        return;
    }
    let si = e.standard_information();
    let ads: Vec<&rift_ntfs::Attribute> = e
        .attributes_of(AttrType::DATA)
        .filter(|a| !a.name.is_empty())
        .collect();
    let reparse_target = e
        .reparse_point()
        .and_then(|r| r.link_target())
        .map(|l| l.substitute.replace("\\??\\", ""))
        .unwrap_or_default();
    let object_id = e
        .object_id()
        .map(|o| o.object_id.to_string())
        .unwrap_or_default();
    let logged_util = e
        .attributes_of(AttrType::LOGGED_UTILITY_STREAM)
        .next()
        .map(|a| a.name.clone())
        .unwrap_or_default();
    let data_id = e.attribute(AttrType::DATA, "").map(|a| a.instance);
    let fn_ids: Vec<u16> = e
        .attributes_of(AttrType::FILE_NAME)
        .map(|a| a.instance)
        .collect();
    let file_size = e.data_size();
    let is_dir = e.is_directory();
    for (i, f) in chosen.iter().enumerate() {
        let parent_path = parent_path_string(paths, f.parent);
        let row = Row {
            e,
            fname: f,
            parent_path: &parent_path,
            file_name: f.name.clone(),
            extension: if is_dir {
                String::new()
            } else {
                extension(&f.name).to_string()
            },
            file_size: if is_dir { 0 } else { file_size },
            is_ads: false,
            has_ads: !ads.is_empty(),
            zone: None,
            reference_count: non_dos.len().max(1),
            reparse_target: &reparse_target,
            object_id: &object_id,
            logged_util: &logged_util,
            si: si.as_ref(),
        };
        emit(&row, o, ch, data_id, fn_ids.get(i).copied().unwrap_or(0));
        // ADS rows follow the first name only.
        if i > 0 {
            continue;
        }
        for a in &ads {
            let zone = (a.name == "Zone.Identifier").then(|| match a.resident_value() {
                Some(v) => cp1252(v),
                None => match src.volume() {
                    Some(n) => n
                        .attribute_stream(e.number, a)
                        .and_then(|s| s.read_all(64 << 10))
                        .map(|v| cp1252(&v))
                        .unwrap_or_else(|_| "(Zone.Identifier data is non-resident)".into()),
                    None => "(Zone.Identifier data is non-resident)".into(),
                },
            });
            let r = Row {
                file_name: format!("{}:{}", f.name, a.name),
                extension: extension(&a.name).to_string(),
                file_size: a.data_size(),
                is_ads: true,
                zone,
                si: si.as_ref(),
                reparse_target: &reparse_target,
                object_id: &object_id,
                logged_util: &logged_util,
                ..row_clone(&row)
            };
            emit(&r, o, ch, Some(a.instance), 0);
        }
    }
}

fn row_clone<'a>(r: &Row<'a>) -> Row<'a> {
    Row {
        e: r.e,
        fname: r.fname,
        parent_path: r.parent_path,
        file_name: String::new(),
        extension: String::new(),
        file_size: 0,
        is_ads: false,
        has_ads: r.has_ads,
        zone: None,
        reference_count: r.reference_count,
        reparse_target: r.reparse_target,
        object_id: r.object_id,
        logged_util: r.logged_util,
        si: r.si,
    }
}

fn emit(r: &Row, o: &Opts, ch: &mut Chunk, data_id: Option<u16>, fn_id: u16) {
    ch.rows += 1;
    if o.csv {
        r.csv(&mut ch.csv, o.source);
    }
    if o.json {
        r.json(&mut ch.json, o.source);
    }
    if o.body {
        let dir = r.parent_path.trim_start_matches('.').replace('\\', "/");
        let path = format!("{}{}/{}", o.drive, dir, r.file_name);
        r.body(&mut ch.body, &path, data_id, fn_id);
    }
}

fn open_out(p: &PathBuf) -> anyhow::Result<Box<dyn Write>> {
    if p.as_os_str() == "-" {
        return Ok(Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::io::stdout(),
        )));
    }
    if let Some(d) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d).with_context(|| format!("create {}", d.display()))?;
    }
    let f = std::fs::File::create(p).with_context(|| format!("create {}", p.display()))?;
    Ok(Box::new(std::io::BufWriter::with_capacity(1 << 20, f)))
}

/// Builds the parent map in one pass over the raw records (header and
/// resident `$FILE_NAME` only; records that keep their names in extension
/// records take the full parse).
pub(crate) fn build_paths(src: &Source) -> PathMap {
    let mut map = PathMap::default();
    let mut slow = Vec::new();
    let res = src.entries().for_each_raw(|n, buf| {
        if !map.insert_raw(n, buf) {
            slow.push(n);
        }
    });
    if res.is_err() {
        // An unreadable batch: fall back to the record-by-record iterator.
        return PathMap::build(src.entries());
    }
    for n in slow {
        match src.entry(n) {
            Ok(e) => map.insert(&e),
            Err(_) => map.errors += 1,
        }
    }
    map
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.csv.is_none() && args.body.is_none() && args.json.is_none() {
        bail!("give at least one of --csv OUT, --body OUT, --json OUT");
    }
    let src = open_source(&args.input, &args.volume, true)?;
    let paths = Arc::new(build_paths(&src));
    let source = args.input.display().to_string();
    let drive = args
        .drive
        .as_deref()
        .map(|d| format!("{}:", d.trim_end_matches([':', '\\', '/'])))
        .unwrap_or_default();
    let opts = Opts {
        csv: args.csv.is_some(),
        body: args.body.is_some(),
        json: args.json.is_some(),
        short_names: args.short_names,
        source: &source,
        drive,
    };
    let mut csv_w = args.csv.as_ref().map(open_out).transpose()?;
    let mut body_w = args.body.as_ref().map(open_out).transpose()?;
    let mut json_w = args.json.as_ref().map(open_out).transpose()?;
    if let Some(w) = csv_w.as_mut() {
        w.write_all(b"\xEF\xBB\xBF")?;
        w.write_all(MFTECMD_HEADER.as_bytes())?;
        w.write_all(b"\r\n")?;
    }
    let total = src.record_count();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let mut io_err: Option<std::io::Error> = None;
    let (mut rows, mut errors) = (0u64, 0u64);
    par_chunks_ordered(
        total,
        2048,
        threads,
        |s, e| {
            let mut ch = Chunk::default();
            for r in src.entries().starting_at(s).ending_at(e) {
                match r {
                    Ok(entry) => rows_for(&entry, &src, &paths, &opts, &mut ch),
                    Err(_) => ch.errors += 1,
                }
            }
            ch
        },
        |ch| {
            rows += ch.rows;
            errors += ch.errors;
            if io_err.is_some() {
                return;
            }
            let res = (|| -> std::io::Result<()> {
                if let Some(w) = csv_w.as_mut() {
                    w.write_all(ch.csv.as_bytes())?;
                }
                if let Some(w) = body_w.as_mut() {
                    w.write_all(ch.body.as_bytes())?;
                }
                if let Some(w) = json_w.as_mut() {
                    w.write_all(ch.json.as_bytes())?;
                }
                Ok(())
            })();
            if let Err(e) = res {
                io_err = Some(e);
            }
        },
    );
    if let Some(e) = io_err {
        return Err(e.into());
    }
    for w in [csv_w.as_mut(), body_w.as_mut(), json_w.as_mut()]
        .into_iter()
        .flatten()
    {
        w.flush()?;
    }
    crate::common::status!(
        "rift mft: {} records, {rows} rows, {errors} unreadable records",
        total
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filetime_format_matches_known_values() {
        // 2023-08-17 08:02:05.2992500 UTC (also checked by rift-io's jiff path).
        let ft = (1_692_259_325u64 + 11_644_473_600) * 10_000_000 + 2_992_500;
        let mut s = String::new();
        push_ez_time(&mut s, ft);
        assert_eq!(s, "2023-08-17 08:02:05.2992500");
        let mut s = String::new();
        push_ez_time(&mut s, 1);
        assert_eq!(s, "1601-01-01 00:00:00.0000001");
        let mut s = String::new();
        // 2000-02-29 23:59:59
        push_ez_time(&mut s, (951_868_799u64 + 11_644_473_600) * 10_000_000);
        assert_eq!(s, "2000-02-29 23:59:59.0000000");
    }

    #[test]
    fn csv_quoting_and_extension() {
        let mut s = String::new();
        push_csv(&mut s, "a,b\"c");
        assert_eq!(s, "\"a,b\"\"c\"");
        assert_eq!(extension("a.tar.gz"), ".gz");
        assert_eq!(extension("noext"), "");
        assert_eq!(extension("dot."), "");
    }
}
