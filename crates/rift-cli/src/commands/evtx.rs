//! `rift evtx`: Windows event logs to EvtxECmd's CSV (or JSON lines), with
//! EvtxECmd-compatible maps.
//!
//! Input is one `.evtx` file, a folder (searched recursively for `*.evtx`)
//! or a disk image, whose `Windows\System32\winevt\Logs\*.evtx` are read
//! from every NTFS volume (or the one `-p`/`--offset` selects). The shipped
//! maps are built in; `--maps DIR` adds a folder of `.map` files (the
//! community's, or your own) in front of them. A damaged log never stops
//! the run: what can be read is written, and every problem is reported on
//! stderr with its byte offset (and in `--report` as JSON).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use rift_evtx::{CsvWriter, EventRecord, FileReport, IssueKind, MapSet, ParseOptions};
use rift_io::ReadAtCursor;

use crate::common::{self, InputKind, VolumeArgs};

/// Arguments of `rift evtx`.
#[derive(clap::Args)]
pub struct Args {
    /// An `.evtx` file, a folder of them (searched recursively), or a disk
    /// image (E01, raw, VM disk) whose `Windows\System32\winevt\Logs` is read.
    pub input: PathBuf,
    /// A folder of EvtxECmd `.map` files, loaded before the shipped maps (a
    /// map there overrides a shipped one for the same event).
    #[arg(long, value_name = "DIR")]
    pub maps: Option<PathBuf>,
    /// Do not load the maps built into rift.
    #[arg(long)]
    pub no_default_maps: bool,
    /// Write EvtxECmd's CSV here (`-` = stdout; an existing folder gets
    /// `EvtxECmd_Output.csv`). The default when no output is chosen.
    #[arg(long, value_name = "OUT")]
    pub csv: Option<PathBuf>,
    /// Write JSON lines here (`-` = stdout; an existing folder gets
    /// `EvtxECmd_Output.jsonl`).
    #[arg(long, value_name = "OUT")]
    pub json: Option<PathBuf>,
    /// Also carve stale records from unused chunk space; they are marked
    /// `HiddenRecord=True` (`Recovered` in JSON).
    #[arg(long)]
    pub recover: bool,
    /// Keep each event's full XML in the JSON output (`Xml`).
    #[arg(long)]
    pub xml: bool,
    /// Only these event IDs: `4624,4625` or ranges `4720-4738`.
    #[arg(long, value_name = "IDS")]
    pub inc: Option<String>,
    /// Leave out these event IDs (ignored with `--inc`).
    #[arg(long, value_name = "IDS")]
    pub exc: Option<String>,
    /// Write the per-file reports (counts, each issue with its offset) as JSON here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// List the loaded maps and exit.
    #[arg(long)]
    pub list_maps: bool,
    /// No summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
    /// Volume selection for an image.
    #[command(flatten)]
    pub volume: VolumeArgs,
}

/// An event-ID filter from `--inc` / `--exc`.
#[derive(Default)]
struct IdFilter {
    ranges: Vec<(u32, u32)>,
    include: bool,
}

impl IdFilter {
    fn parse(spec: &str, include: bool) -> Result<IdFilter> {
        let mut ranges = Vec::new();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (a, b) = match part.split_once('-') {
                Some((a, b)) => (a.trim(), b.trim()),
                None => (part, part),
            };
            let a: u32 = a
                .parse()
                .with_context(|| format!("bad event ID `{part}`"))?;
            let b: u32 = b
                .parse()
                .with_context(|| format!("bad event ID `{part}`"))?;
            ranges.push((a.min(b), a.max(b)));
        }
        Ok(IdFilter { ranges, include })
    }

    fn keep(&self, r: &EventRecord) -> bool {
        if self.ranges.is_empty() {
            return true;
        }
        let hit = r
            .event_id
            .is_some_and(|id| self.ranges.iter().any(|&(a, b)| (a..=b).contains(&id)));
        hit == self.include
    }
}

/// One log to read.
enum Source {
    Host(PathBuf),
    Image {
        label: String,
        stream: rift_ntfs::NtfsStream,
    },
}

impl Source {
    fn label(&self) -> String {
        match self {
            Source::Host(p) => p.display().to_string(),
            Source::Image { label, .. } => label.clone(),
        }
    }

    fn size(&self) -> u64 {
        match self {
            Source::Host(p) => fs::metadata(p).map(|m| m.len()).unwrap_or(0),
            Source::Image { stream, .. } => stream.size(),
        }
    }

    fn parse(
        &self,
        maps: &MapSet,
        opts: &ParseOptions,
        sink: impl FnMut(EventRecord),
    ) -> Result<FileReport> {
        let label = self.label();
        Ok(match self {
            Source::Host(p) => {
                let f = fs::File::open(p).with_context(|| format!("opening {}", p.display()))?;
                rift_evtx::parse_evtx(f, &label, maps, opts, sink)?
            }
            Source::Image { stream, .. } => {
                rift_evtx::parse_evtx(ReadAtCursor::new(stream), &label, maps, opts, sink)?
            }
        })
    }
}

/// Where records go.
struct Outputs {
    csv: Option<CsvWriter<Box<dyn Write>>>,
    json: Option<Box<dyn Write>>,
    filter: IdFilter,
    written: u64,
}

impl Outputs {
    fn write(&mut self, r: &EventRecord) -> Result<()> {
        if !self.filter.keep(r) {
            return Ok(());
        }
        if let Some(c) = &mut self.csv {
            c.write(r)?;
        }
        if let Some(j) = &mut self.json {
            j.write_all(rift_evtx::json_line(r).as_bytes())?;
            j.write_all(b"\n")?;
        }
        self.written += 1;
        Ok(())
    }
}

fn output_path(p: &Path, default_name: &str) -> PathBuf {
    if p.is_dir() {
        p.join(default_name)
    } else {
        p.to_path_buf()
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    let mut maps = MapSet::new();
    if let Some(dir) = &args.maps {
        let (loaded, errors) = maps
            .add_dir(dir)
            .with_context(|| format!("reading maps from {}", dir.display()))?;
        for e in &errors {
            eprintln!("rift: warning: {e} (map skipped)");
        }
        if !args.quiet {
            eprintln!("rift: {loaded} maps loaded from {}", dir.display());
        }
    }
    if !args.no_default_maps {
        for e in maps.add_shipped() {
            eprintln!("rift: warning: shipped {e}");
        }
    }
    if args.list_maps {
        let mut out = std::io::stdout().lock();
        for m in maps.iter() {
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                m.event_id,
                m.channel,
                m.provider.as_deref().unwrap_or(""),
                m.description,
                m.file_name
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }

    let sources = gather(&args)?;
    if sources.is_empty() {
        anyhow::bail!("{}: no .evtx files found", args.input.display());
    }

    let filter = match (&args.inc, &args.exc) {
        (Some(i), _) => IdFilter::parse(i, true)?,
        (None, Some(e)) => IdFilter::parse(e, false)?,
        (None, None) => IdFilter::default(),
    };
    let want_csv = args
        .csv
        .clone()
        .or_else(|| args.json.is_none().then(|| PathBuf::from("-")));
    for p in want_csv.iter().chain(args.json.iter()) {
        if p.as_os_str() != "-" {
            common::ensure_outside(p, &args.input)?;
        }
    }
    let mut out = Outputs {
        csv: match &want_csv {
            Some(p) => Some(CsvWriter::new(common::create_output(&output_path(
                p,
                "EvtxECmd_Output.csv",
            ))?)?),
            None => None,
        },
        json: match &args.json {
            Some(p) => Some(common::create_output(&output_path(
                p,
                "EvtxECmd_Output.jsonl",
            ))?),
            None => None,
        },
        filter,
        written: 0,
    };
    let opts = ParseOptions {
        recover: args.recover,
        keep_xml: args.xml,
        // The CSV and JSON layouts carry the values in `Payload`.
        skip_event_data: true,
    };

    // Small logs are read a few at a time in parallel (each is one or a
    // few chunks); big ones alone, streaming, with their chunks in parallel.
    const SMALL: u64 = 16 << 20;
    let window = std::thread::available_parallelism().map_or(2, |n| n.get()) * 2;
    let mut reports: Vec<FileReport> = Vec::new();
    let mut failed = 0usize;
    let mut i = 0;
    while i < sources.len() {
        let mut j = i;
        while j < sources.len() && j - i < window && sources[j].size() <= SMALL {
            j += 1;
        }
        if j > i {
            let batch: Vec<Result<(Vec<EventRecord>, FileReport)>> = std::thread::scope(|scope| {
                let handles: Vec<_> = sources[i..j]
                    .iter()
                    .map(|s| {
                        let (maps, opts) = (&maps, &opts);
                        scope.spawn(move || {
                            let mut recs = Vec::new();
                            let rep = s.parse(maps, opts, |r| recs.push(r))?;
                            Ok((recs, rep))
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err(anyhow::anyhow!("parser thread panicked")))
                    })
                    .collect()
            });
            for (s, res) in sources[i..j].iter().zip(batch) {
                match res {
                    Ok((recs, rep)) => {
                        for r in &recs {
                            out.write(r)?;
                        }
                        reports.push(rep);
                    }
                    Err(e) => {
                        failed += 1;
                        eprintln!("rift: {}: {e:#}", s.label());
                    }
                }
            }
            i = j;
        } else {
            let s = &sources[i];
            let mut write_err = None;
            let res = s.parse(&maps, &opts, |r| {
                if write_err.is_none() {
                    if let Err(e) = out.write(&r) {
                        write_err = Some(e);
                    }
                }
            });
            if let Some(e) = write_err {
                return Err(e);
            }
            match res {
                Ok(rep) => reports.push(rep),
                Err(e) => {
                    failed += 1;
                    eprintln!("rift: {}: {e:#}", s.label());
                }
            }
            i += 1;
        }
    }
    if let Some(c) = out.csv.take() {
        c.finish()?.flush()?;
    }
    if let Some(mut j) = out.json.take() {
        j.flush()?;
    }
    if let Some(p) = &args.report {
        let mut w = common::create_output(p)?;
        serde_json::to_writer_pretty(&mut w, &reports)?;
        w.write_all(b"\n")?;
        w.flush()?;
    }
    if !args.quiet {
        summarise(&reports, out.written, failed);
    }
    if reports.is_empty() {
        anyhow::bail!("no event log could be read");
    }
    Ok(ExitCode::SUCCESS)
}

/// Per-file lines and totals on stderr; damaged files list their issues.
fn summarise(reports: &[FileReport], written: u64, failed: usize) {
    let (mut recs, mut errs) = (0u64, 0u64);
    for r in reports {
        recs += r.total_records();
        errs += r.errors();
        let mut extra = Vec::new();
        if r.recovered > 0 {
            extra.push(format!("{} carved", r.recovered));
        }
        if r.hidden > 0 {
            extra.push(format!("{} HIDDEN", r.hidden));
        }
        if r.salvaged_chunks > 0 {
            extra.push(format!("{} chunks salvaged", r.salvaged_chunks));
        }
        if r.errors() > 0 {
            extra.push(format!("{} errors", r.errors()));
        }
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(" ({})", extra.join(", "))
        };
        eprintln!("{}: {} records{extra}", r.source, r.total_records());
        let shown: Vec<_> = r
            .issues
            .iter()
            .filter(|i| {
                matches!(
                    i.kind,
                    IssueKind::BadChunk
                        | IssueKind::BadRecord
                        | IssueKind::HiddenRecord
                        | IssueKind::SalvagedChunk
                        | IssueKind::TruncatedChunk
                        | IssueKind::FileHeader
                )
            })
            .collect();
        for i in shown.iter().take(10) {
            let rec = i
                .record_number
                .map(|n| format!(" record {n}"))
                .unwrap_or_default();
            eprintln!("    {:?} at {:#x}{rec}: {}", i.kind, i.offset, i.message);
        }
        if shown.len() > 10 {
            eprintln!("    … {} more (see --report)", shown.len() - 10);
        }
    }
    eprintln!(
        "rift: {} logs, {recs} records ({written} written), {errs} errors{}",
        reports.len(),
        if failed > 0 {
            format!(", {failed} files unreadable")
        } else {
            String::new()
        }
    );
}

/// The logs to read.
fn gather(args: &Args) -> Result<Vec<Source>> {
    match common::input_kind(&args.input)? {
        InputKind::File => Ok(vec![Source::Host(args.input.clone())]),
        InputKind::Dir => {
            let mut out = Vec::new();
            walk(&args.input, &mut out, 0);
            out.sort();
            Ok(out.into_iter().map(Source::Host).collect())
        }
        InputKind::Image => gather_image(args),
    }
}

/// `*.evtx` under a folder, recursively; symbolic links are not followed.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 64 {
        return;
    }
    let Ok(rd) = fs::read_dir(dir) else {
        eprintln!("rift: warning: cannot read {}", dir.display());
        return;
    };
    for e in rd.filter_map(|e| e.ok()) {
        let Ok(ft) = e.file_type() else { continue };
        let p = e.path();
        if ft.is_dir() {
            walk(&p, out, depth + 1);
        } else if ft.is_file()
            && p.extension()
                .is_some_and(|x| x.eq_ignore_ascii_case("evtx"))
        {
            out.push(p);
        }
    }
}

/// `Windows\System32\winevt\Logs\*.evtx` on the image's NTFS volumes.
fn gather_image(args: &Args) -> Result<Vec<Source>> {
    let vols = if args.volume.partition.is_some() || args.volume.offset.is_some() {
        vec![common::open_ntfs(&args.input, &args.volume)?.1]
    } else {
        common::open_all_ntfs(&args.input)?.1
    };
    const LOGS: &str = r"Windows\System32\winevt\Logs";
    let mut out = Vec::new();
    for v in &vols {
        let prefix = match v.partition {
            Some(p) => format!("p{p}:"),
            None => format!("@{}:", v.start),
        };
        let Ok(Some(dir)) = v.ntfs.find(LOGS) else {
            continue;
        };
        let listing = match v.ntfs.read_dir(&dir) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("rift: warning: {prefix}\\{LOGS}: {e}");
                continue;
            }
        };
        let mut names: Vec<String> = listing
            .entries
            .into_iter()
            .map(|e| e.name.name)
            .filter(|n| n.to_ascii_lowercase().ends_with(".evtx"))
            .collect();
        names.sort_by_key(|n| n.to_ascii_lowercase());
        names.dedup();
        for name in names {
            let path = format!(r"{LOGS}\{name}");
            let stream = v
                .ntfs
                .find(&path)
                .ok()
                .flatten()
                .filter(|e| !e.is_directory())
                .and_then(|e| v.ntfs.open_stream(&e, None).ok());
            match stream {
                Some(stream) if stream.size() > 0 => out.push(Source::Image {
                    label: format!(r"{prefix}\{path}"),
                    stream,
                }),
                Some(_) => {}
                None => eprintln!("rift: warning: {prefix}\\{path}: cannot open its data"),
            }
        }
    }
    Ok(out)
}
