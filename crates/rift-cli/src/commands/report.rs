//! `rift report`: renders a case's findings as text, Markdown, HTML, JSON
//! or the two `KEEPER{…}` answer lines.
//!
//! Reads `DIR/findings.json` (written by `rift analyze`); when it is missing
//! but `DIR/case.sqlite` exists, the detectors run again on the database
//! (read-only). Times are shown in `--tz` (default: the zone the case was
//! analysed with, else UTC); findings.json itself always stays in UTC.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use rift_io::time::DisplayZone;

/// Output format of `rift report`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// Plain text summary with evidence.
    Text,
    /// Markdown report.
    Md,
    /// Self-contained HTML report.
    Html,
    /// findings.json (schema rift.findings/1).
    Json,
    /// The two KEEPER{…} answer lines.
    Keeper,
}

/// Arguments of `rift report`.
#[derive(clap::Args)]
pub struct Args {
    /// Case directory written by `rift analyze`.
    pub dir: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Display time zone: `UTC`, `+09:00`, `Asia/Seoul` (default: the case's).
    #[arg(long)]
    pub tz: Option<String>,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let fj = args.dir.join("findings.json");
    let findings = if fj.is_file() {
        rift_triage::read_findings(&fj).with_context(|| format!("reading {}", fj.display()))?
    } else {
        let db_path = args.dir.join("case.sqlite");
        anyhow::ensure!(
            db_path.is_file(),
            "{} has neither findings.json nor case.sqlite (run `rift analyze` first)",
            args.dir.display()
        );
        let db = rift_timeline::CaseDb::open_read_only(&db_path)?;
        let mut f = rift_triage::analyze(&db)?;
        f.timeline_excerpt = rift_triage::report::excerpt(&db, &f)?;
        f
    };
    let tz_text = args
        .tz
        .clone()
        .unwrap_or_else(|| findings.timezone.display.clone());
    let tz = DisplayZone::parse(&tz_text).map_err(|e| anyhow::anyhow!(e))?;
    let out = match args.format {
        Format::Text => rift_triage::report::text(&findings, &tz),
        Format::Md => rift_triage::report::markdown(&findings, &tz),
        Format::Html => rift_triage::report::html(&findings, &tz),
        Format::Json => rift_triage::report::json(&findings)?,
        Format::Keeper => rift_triage::report::keeper(&findings, &tz),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    let answered = findings.ransomware.detected || findings.initial_access.detected;
    Ok(if matches!(args.format, Format::Keeper) && !answered {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
