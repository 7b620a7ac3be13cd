//! `rift analyze IMAGE --case DIR`: the whole job in one command.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rift_io::time::DisplayZone;
use rift_target::pipeline::{self, Reporter};

use crate::common;

/// Arguments of `rift analyze`.
#[derive(clap::Args)]
pub struct Args {
    /// The disk image (E01 set, raw, split raw, qcow2, VHD/VHDX, VMDK).
    pub image: PathBuf,
    /// Case folder to create (case.sqlite, timeline.csv/.jsonl, csv/, findings.json, report.md/.html).
    #[arg(long, value_name = "DIR")]
    pub case: PathBuf,
    /// Display zone for reports and CSV text columns: UTC (default), +09:00, Asia/Seoul.
    #[arg(long, value_name = "ZONE", default_value = "UTC", value_parser = common::parse_tz)]
    pub tz: DisplayZone,
    /// Parser threads (default: all cores).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub jobs: usize,
    /// Skip recomputing the image hashes.
    #[arg(long)]
    pub no_verify: bool,
    /// Replace an existing case in DIR (only rift's own files are removed).
    #[arg(long)]
    pub force: bool,
    /// No progress output (errors and the final summary only).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Files and folders a case holds; `--force` removes exactly these.
const CASE_FILES: &[&str] = &[
    "case.sqlite",
    "case.sqlite-wal",
    "case.sqlite-shm",
    "case.sqlite-journal",
    "timeline.csv",
    "timeline.jsonl",
    "findings.json",
    "report.md",
    "report.html",
];

fn prepare_case_dir(dir: &Path, force: bool) -> Result<()> {
    if dir.join("case.sqlite").exists() {
        if !force {
            anyhow::bail!(
                "{} already holds a case (case.sqlite); choose another --case folder or add --force to replace it",
                dir.display()
            );
        }
        for f in CASE_FILES {
            let p = dir.join(f);
            if p.exists() {
                std::fs::remove_file(&p).with_context(|| format!("removing {}", p.display()))?;
            }
        }
        let csv = dir.join("csv");
        if csv.is_dir() {
            std::fs::remove_dir_all(&csv).with_context(|| format!("removing {}", csv.display()))?;
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(())
}

/// Progress on a terminal: one bar per running stage; otherwise one log
/// line per stage start/end (and warnings).
struct CliReporter {
    quiet: bool,
    multi: Option<indicatif::MultiProgress>,
    bars: Mutex<HashMap<String, (Option<indicatif::ProgressBar>, Instant)>>,
    warned: std::sync::atomic::AtomicUsize,
}

/// Warnings printed on stderr before the rest are only counted (they are
/// all in the case database: `sources.note`, `parse_errors`).
const SHOWN_WARNINGS: usize = 20;

impl CliReporter {
    fn new(quiet: bool) -> Self {
        let tty = std::io::stderr().is_terminal();
        CliReporter {
            quiet,
            multi: (!quiet && tty).then(indicatif::MultiProgress::new),
            bars: Mutex::new(HashMap::new()),
            warned: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn println(&self, line: &str) {
        match &self.multi {
            Some(m) => {
                let _ = m.println(line);
            }
            None => eprintln!("{line}"),
        }
    }
}

impl Reporter for CliReporter {
    fn stage_start(&self, stage: &str, total: Option<u64>, unit: &'static str) {
        if self.quiet {
            return;
        }
        let Some(m) = &self.multi else {
            eprintln!("rift: {stage} — started");
            if let Ok(mut b) = self.bars.lock() {
                b.insert(stage.to_string(), (None, Instant::now()));
            }
            return;
        };
        let bar = match total {
            Some(t) => indicatif::ProgressBar::new(t),
            None => indicatif::ProgressBar::new_spinner(),
        };
        let tmpl = match (unit, total) {
            ("bytes", Some(_)) => {
                "{prefix:>16} [{bar:28}] {bytes}/{total_bytes} {bytes_per_sec} {msg}"
            }
            (_, Some(_)) => "{prefix:>16} [{bar:28}] {pos}/{len} {per_sec} {msg}",
            _ => "{prefix:>16} {spinner} {msg}",
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(tmpl)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.set_prefix(stage.to_string());
        let bar = m.add(bar);
        bar.enable_steady_tick(Duration::from_millis(200));
        if let Ok(mut b) = self.bars.lock() {
            b.insert(stage.to_string(), (Some(bar), Instant::now()));
        }
    }

    fn stage_progress(&self, stage: &str, done: u64) {
        if let Ok(b) = self.bars.lock() {
            if let Some((Some(bar), _)) = b.get(stage) {
                bar.set_position(done);
            }
        }
    }

    fn stage_end(&self, stage: &str, summary: &str) {
        if self.quiet {
            return;
        }
        let started = self
            .bars
            .lock()
            .ok()
            .and_then(|mut b| b.remove(stage))
            .map(|(bar, t)| {
                if let Some(bar) = bar {
                    bar.finish_and_clear();
                }
                t
            });
        let secs = started
            .map(|t| format!(" ({:.1} s)", t.elapsed().as_secs_f64()))
            .unwrap_or_default();
        self.println(&format!("rift: {stage} — {summary}{secs}"));
    }

    fn warn(&self, msg: &str) {
        let n = self
            .warned
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n < SHOWN_WARNINGS {
            self.println(&format!("rift: warning: {msg}"));
        } else if n == SHOWN_WARNINGS {
            self.println("rift: warning: more warnings follow; they are counted at the end and kept in the case database");
        }
    }

    fn note(&self, msg: &str) {
        if !self.quiet {
            self.println(&format!("rift: {msg}"));
        }
    }
}

/// The per-artifact CSVs in the EZ-tool layouts that the pipeline does not
/// write itself (it writes `$J`, EVTX, RECmd batch and AppCompatCache while
/// parsing): produced by the same code as the subcommands, on the image.
fn ez_csvs(args: &Args, rep: &CliReporter) {
    let img = args.image.to_string_lossy().to_string();
    let csv = args.case.join("csv");
    let p = |name: &str| csv.join(name).to_string_lossy().to_string();
    let tz = args.tz.label().to_string();
    let jobs: Vec<(&str, Vec<String>)> = vec![
        (
            "MFTECmd $MFT",
            vec![
                "mft".into(),
                img.clone(),
                "--csv".into(),
                p("C_MFTECmd_$MFT.csv"),
            ],
        ),
        (
            "PECmd",
            vec![
                "prefetch".into(),
                img.clone(),
                "--csv".into(),
                p("PECmd.csv"),
                "--timeline".into(),
                p("PECmd_Timeline.csv"),
            ],
        ),
        (
            "LECmd",
            vec!["lnk".into(), img.clone(), "--csv".into(), p("LECmd.csv")],
        ),
        (
            "JLECmd",
            vec![
                "jumplist".into(),
                img.clone(),
                "--csv".into(),
                p("JLECmd_Automatic.csv"),
                "--custom-csv".into(),
                p("JLECmd_Custom.csv"),
            ],
        ),
        (
            "RBCmd",
            vec![
                "recyclebin".into(),
                img.clone(),
                "--csv".into(),
                p("RBCmd.csv"),
            ],
        ),
        (
            "browsers",
            vec![
                "browser".into(),
                img.clone(),
                "--csv".into(),
                p("Browser_History.csv"),
                "--tz".into(),
                tz,
            ],
        ),
    ];
    if !args.quiet {
        rep.stage_start("EZ CSVs", Some(jobs.len() as u64), "files");
    }
    common::set_embedded(true);
    for (i, (label, argv)) in jobs.into_iter().enumerate() {
        let parsed = <crate::Cli as clap::Parser>::try_parse_from(
            std::iter::once("rift".to_string()).chain(argv),
        );
        let res = match parsed {
            Ok(cli) => crate::dispatch(cli.command),
            Err(e) => Err(anyhow::anyhow!("{e}")),
        };
        if let Err(e) = res {
            rep.warn(&format!("csv/{label}: {e:#}"));
        }
        rep.stage_progress("EZ CSVs", i as u64 + 1);
    }
    common::set_embedded(false);
    if !args.quiet {
        rep.stage_end(
            "EZ CSVs",
            "MFTECmd, PECmd, LECmd, JLECmd, RBCmd, browser history",
        );
    }
}

/// Runs the subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    prepare_case_dir(&args.case, args.force)?;
    let started = Instant::now();
    let ev = common::Evidence::open(&args.image)
        .with_context(|| format!("opening {}", args.image.display()))?;
    let rep = CliReporter::new(args.quiet);
    if !args.quiet {
        rep.println(&format!(
            "rift: {} ({}, {} bytes, {} partition table, {} partitions); display zone {}",
            args.image.display(),
            ev.image.format.name(),
            ev.image.size,
            ev.volumes.scheme,
            ev.volumes.partitions.len(),
            args.tz.label()
        ));
    }
    let opts = pipeline::Options {
        jobs: args.jobs,
        verify: !args.no_verify,
        tz: args.tz.clone(),
    };
    let sum = pipeline::analyze(&ev, &args.case, &opts, &rep)?;
    // The EZ-layout CSVs re-read the NTFS volumes; without one there is
    // nothing for them (the pipeline has said so already).
    if sum.counts.iter().any(|(t, n)| t == "volumes" && *n > 0) {
        ez_csvs(&args, &rep);
    }
    drop(rep);

    let f = &sum.findings;
    println!("case: {}", sum.case_dir.display());
    println!(
        "image: {}",
        match sum.verified {
            Some(true) => "verified (computed hashes match the stored ones)",
            Some(false) => "DOES NOT VERIFY (see warnings)",
            None if args.no_verify => "not verified (--no-verify)",
            None => "no stored hash to verify against",
        }
    );
    println!(
        "time zone: display {}, machine {}",
        args.tz.label(),
        f.timezone.system.as_deref().unwrap_or("unknown")
    );
    let counts: Vec<String> = sum.counts.iter().map(|(t, n)| format!("{t} {n}")).collect();
    println!("rows: {}", counts.join(", "));
    println!("timeline: {} events", sum.timeline_events);
    println!("{}", rift_triage::report::text(f, &args.tz).trim_end());
    if !sum.warnings.is_empty() {
        println!(
            "warnings: {} (see stderr / sources.note / parse_errors)",
            sum.warnings.len()
        );
    }
    println!("done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(if sum.verified == Some(false) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
