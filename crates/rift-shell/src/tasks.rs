//! Scheduled tasks: Task Scheduler 2.0 XML definitions
//! (`Windows\System32\Tasks\<path>`) and legacy Task Scheduler 1.0 `.job`
//! files (`Windows\Tasks\*.job`).
//!
//! Attackers use tasks for persistence and for delayed execution; an
//! analyst wants the task path, author, registration date, triggers and
//! the command line it runs, plus the "hidden"/"enabled" settings and the
//! account it runs as.
//!
//! Sources: Microsoft "Task Scheduler Schema" (elements `RegistrationInfo`,
//! `Triggers`, `Principals`, `Settings`, `Actions`); [MS-TSCH] §2.4 (`.job`
//! file format: FIXDLEN_DATA, variable-length section, Trigger structure).

use rift_io::bytes::{le_u16, le_u32, slice, utf16le_nul_terminated};

use crate::guid::Guid;
use crate::zone::decode_text;
use crate::{Error, Result, Warning};

/// A trigger of a Task Scheduler 2.0 task.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TaskTrigger {
    /// Element name: `TimeTrigger`, `LogonTrigger`, `BootTrigger`,
    /// `CalendarTrigger`, `EventTrigger`, `IdleTrigger`, `RegistrationTrigger`, …
    pub kind: String,
    /// `StartBoundary`.
    pub start_boundary: Option<String>,
    /// `EndBoundary`.
    pub end_boundary: Option<String>,
    /// `Enabled` (default true).
    pub enabled: bool,
    /// `UserId` of a logon trigger.
    pub user_id: Option<String>,
    /// `Delay`.
    pub delay: Option<String>,
    /// `Repetition/Interval`.
    pub repetition_interval: Option<String>,
    /// `Subscription` of an event trigger (an XPath query).
    pub subscription: Option<String>,
    /// `ScheduleByDay/DaysInterval`, `ScheduleByWeek/…`: the schedule element name.
    pub schedule: Option<String>,
}

/// An action of a Task Scheduler 2.0 task.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TaskAction {
    /// Run a program.
    Exec {
        /// `Command`.
        command: String,
        /// `Arguments`.
        arguments: Option<String>,
        /// `WorkingDirectory`.
        working_directory: Option<String>,
    },
    /// Call a COM handler.
    ComHandler {
        /// `ClassId`.
        class_id: String,
        /// `Data`.
        data: Option<String>,
    },
    /// Another action type (`SendEmail`, `ShowMessage`: deprecated).
    Other {
        /// Element name.
        kind: String,
    },
}

impl TaskAction {
    /// Command and arguments as one line (`Exec`), or the COM class id.
    pub fn command_line(&self) -> String {
        match self {
            TaskAction::Exec {
                command, arguments, ..
            } => match arguments.as_deref().filter(|a| !a.is_empty()) {
                Some(a) => format!("{command} {a}"),
                None => command.clone(),
            },
            TaskAction::ComHandler { class_id, .. } => format!("COM {class_id}"),
            TaskAction::Other { kind } => kind.clone(),
        }
    }
}

/// A Task Scheduler 2.0 task definition.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ScheduledTask {
    /// `RegistrationInfo/URI` (the task path, e.g. `\MicrosoftEdgeUpdateTaskCore`).
    pub uri: Option<String>,
    /// `RegistrationInfo/Author`.
    pub author: Option<String>,
    /// `RegistrationInfo/Description`.
    pub description: Option<String>,
    /// `RegistrationInfo/Date` (local time as written, ISO 8601 without zone, usually).
    pub registration_date: Option<String>,
    /// `RegistrationInfo/Source`.
    pub source: Option<String>,
    /// Triggers.
    pub triggers: Vec<TaskTrigger>,
    /// Actions.
    pub actions: Vec<TaskAction>,
    /// `Principals/Principal/UserId` (or `GroupId`).
    pub user_id: Option<String>,
    /// `Principals/Principal/RunLevel` (`HighestAvailable` = elevated).
    pub run_level: Option<String>,
    /// `Principals/Principal/LogonType`.
    pub logon_type: Option<String>,
    /// `Settings/Enabled` (default true).
    pub enabled: bool,
    /// `Settings/Hidden` (default false).
    pub hidden: bool,
    /// The root element's `version` attribute.
    pub schema_version: Option<String>,
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text_of(n: roxmltree::Node, name: &str) -> Option<String> {
    child(n, name)
        .and_then(|c| c.text())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
}

fn bool_of(n: roxmltree::Node, name: &str, default: bool) -> bool {
    match text_of(n, name).as_deref() {
        Some("true") | Some("1") => true,
        Some("false") | Some("0") => false,
        _ => default,
    }
}

/// Parses a Task Scheduler 2.0 XML task file (UTF-16 with BOM as Windows
/// writes it, or UTF-8).
pub fn parse_task_xml(bytes: &[u8]) -> Result<ScheduledTask> {
    let text = decode_text(bytes);
    // roxmltree takes &str; drop a leading BOM character and trailing NULs.
    let text = text.trim_start_matches('\u{feff}').trim_end_matches('\0');
    let doc = roxmltree::Document::parse(text).map_err(|e| Error::Xml {
        offset: e.pos().row.into(),
        message: e.to_string(),
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "Task" {
        return Err(Error::BadSignature {
            what: "task XML root element (expected <Task>)",
            offset: 0,
        });
    }
    let mut t = ScheduledTask {
        schema_version: root.attribute("version").map(str::to_string),
        enabled: true,
        ..ScheduledTask::default()
    };
    if let Some(ri) = child(root, "RegistrationInfo") {
        t.uri = text_of(ri, "URI");
        t.author = text_of(ri, "Author");
        t.description = text_of(ri, "Description");
        t.registration_date = text_of(ri, "Date");
        t.source = text_of(ri, "Source");
    }
    if let Some(tr) = child(root, "Triggers") {
        for n in tr.children().filter(|c| c.is_element()) {
            let schedule = n
                .children()
                .find(|c| c.is_element() && c.tag_name().name().starts_with("ScheduleBy"))
                .map(|c| c.tag_name().name().to_string());
            t.triggers.push(TaskTrigger {
                kind: n.tag_name().name().to_string(),
                start_boundary: text_of(n, "StartBoundary"),
                end_boundary: text_of(n, "EndBoundary"),
                enabled: bool_of(n, "Enabled", true),
                user_id: text_of(n, "UserId"),
                delay: text_of(n, "Delay"),
                repetition_interval: child(n, "Repetition").and_then(|r| text_of(r, "Interval")),
                subscription: text_of(n, "Subscription"),
                schedule,
            });
        }
    }
    if let Some(p) = child(root, "Principals").and_then(|p| child(p, "Principal")) {
        t.user_id = text_of(p, "UserId").or_else(|| text_of(p, "GroupId"));
        t.run_level = text_of(p, "RunLevel");
        t.logon_type = text_of(p, "LogonType");
    }
    if let Some(s) = child(root, "Settings") {
        t.enabled = bool_of(s, "Enabled", true);
        t.hidden = bool_of(s, "Hidden", false);
    }
    if let Some(a) = child(root, "Actions") {
        for n in a.children().filter(|c| c.is_element()) {
            t.actions.push(match n.tag_name().name() {
                "Exec" => TaskAction::Exec {
                    command: text_of(n, "Command").unwrap_or_default(),
                    arguments: text_of(n, "Arguments"),
                    working_directory: text_of(n, "WorkingDirectory"),
                },
                "ComHandler" => TaskAction::ComHandler {
                    class_id: text_of(n, "ClassId").unwrap_or_default(),
                    data: text_of(n, "Data"),
                },
                other => TaskAction::Other {
                    kind: other.to_string(),
                },
            });
        }
    }
    Ok(t)
}

/// Whether bytes look like a task XML file (`<Task` near the start, in
/// UTF-8 or UTF-16).
pub fn looks_like_task_xml(bytes: &[u8]) -> bool {
    let head = decode_text(bytes.get(..bytes.len().min(2048)).unwrap_or_default());
    head.contains("<Task ") || head.contains("<Task>")
}

/// A `SYSTEMTIME` as stored in `.job` files (local time of the machine).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SystemTime {
    /// Year.
    pub year: u16,
    /// Month 1–12.
    pub month: u16,
    /// Day of week 0–6 (Sunday = 0).
    pub day_of_week: u16,
    /// Day 1–31.
    pub day: u16,
    /// Hour.
    pub hour: u16,
    /// Minute.
    pub minute: u16,
    /// Second.
    pub second: u16,
    /// Milliseconds.
    pub milliseconds: u16,
}

impl SystemTime {
    fn read(b: &[u8], o: usize) -> SystemTime {
        let f = |i: usize| le_u16(b, o + 2 * i).unwrap_or(0);
        SystemTime {
            year: f(0),
            month: f(1),
            day_of_week: f(2),
            day: f(3),
            hour: f(4),
            minute: f(5),
            second: f(6),
            milliseconds: f(7),
        }
    }

    /// Whether all fields are zero (never set).
    pub fn is_zero(&self) -> bool {
        *self == SystemTime::default()
    }

    /// `YYYY-MM-DD HH:MM:SS.mmm` (machine-local time; no zone is stored).
    pub fn format(&self) -> String {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}",
            self.year, self.month, self.day, self.hour, self.minute, self.second, self.milliseconds
        )
    }
}

/// A `.job` trigger ([MS-TSCH] §2.4.2.11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobTrigger {
    /// Raw trigger type (see [`JobTrigger::type_name`]).
    pub trigger_type: u32,
    /// Begin date (year, month, day).
    pub begin: (u16, u16, u16),
    /// End date (year, month, day), zeros when none.
    pub end: (u16, u16, u16),
    /// Start time (hour, minute).
    pub start: (u16, u16),
    /// Duration in minutes.
    pub minutes_duration: u32,
    /// Repetition interval in minutes.
    pub minutes_interval: u32,
    /// Raw flags.
    pub flags: u32,
    /// Type-specific values.
    pub specific: [u16; 3],
}

impl JobTrigger {
    /// Name of the trigger type.
    pub fn type_name(&self) -> &'static str {
        match self.trigger_type {
            0 => "Once",
            1 => "Daily",
            2 => "Weekly",
            3 => "MonthlyDate",
            4 => "MonthlyDow",
            5 => "OnIdle",
            6 => "AtSystemStart",
            7 => "AtLogon",
            _ => "Unknown",
        }
    }
}

/// A legacy Task Scheduler 1.0 `.job` file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Job {
    /// Product version (Windows version that wrote it, e.g. 0x0601).
    pub product_version: u16,
    /// Job UUID.
    pub uuid: Guid,
    /// Priority class flags.
    pub priority: u32,
    /// Maximum run time in ms.
    pub max_run_time_ms: u32,
    /// Exit code of the last run.
    pub exit_code: u32,
    /// Status (HRESULT-style `SCHED_S_*`).
    pub status: u32,
    /// Task flags.
    pub flags: u32,
    /// Most recent run time (local time).
    pub last_run: SystemTime,
    /// Application name (the program).
    pub application: String,
    /// Parameters.
    pub parameters: String,
    /// Working directory.
    pub working_directory: String,
    /// Author.
    pub author: String,
    /// Comment.
    pub comment: String,
    /// Triggers.
    pub triggers: Vec<JobTrigger>,
    /// Problems.
    pub warnings: Vec<Warning>,
}

impl Job {
    /// Human name of [`Job::status`].
    pub fn status_name(&self) -> &'static str {
        match self.status {
            0x0004_1300 => "Ready",
            0x0004_1301 => "Running",
            0x0004_1302 => "Disabled",
            0x0004_1303 => "Has not run",
            0x0004_1304 => "No more runs",
            0x0004_1305 => "Not scheduled",
            0x0004_1306 => "Terminated",
            0x0004_1307 => "No valid triggers",
            _ => "Unknown",
        }
    }
}

/// Parses a `.job` file.
pub fn parse_job(bytes: &[u8]) -> Result<Job> {
    let fixed = slice(bytes, 0, 68).ok_or(Error::Truncated {
        what: ".job fixed-length section",
        offset: 0,
    })?;
    let u16_at = |o| le_u16(fixed, o).unwrap_or(0);
    let u32_at = |o| le_u32(fixed, o).unwrap_or(0);
    let app_offset = usize::from(u16_at(20));
    let trigger_offset = usize::from(u16_at(22));
    if app_offset < 68 || le_u16(bytes, 2) != Some(1) {
        return Err(Error::BadSignature {
            what: ".job file version / application name offset",
            offset: 2,
        });
    }
    let mut job = Job {
        product_version: u16_at(0),
        uuid: Guid::read(fixed, 4).unwrap_or_default(),
        priority: u32_at(32),
        max_run_time_ms: u32_at(36),
        exit_code: u32_at(40),
        status: u32_at(44),
        flags: u32_at(48),
        last_run: SystemTime::read(fixed, 52),
        application: String::new(),
        parameters: String::new(),
        working_directory: String::new(),
        author: String::new(),
        comment: String::new(),
        triggers: Vec::new(),
        warnings: Vec::new(),
    };
    // Variable-length strings: u16 character count (with NUL), then UTF-16.
    let mut pos = app_offset;
    let mut strings = Vec::new();
    for _ in 0..5 {
        let Some(chars) = le_u16(bytes, pos) else {
            job.warnings.push(Warning {
                offset: pos as u64,
                message: "string section truncated".into(),
            });
            break;
        };
        let n = usize::from(chars) * 2;
        let Some(raw) = slice(bytes, pos + 2, n) else {
            job.warnings.push(Warning {
                offset: pos as u64,
                message: "string runs past the end of the file".into(),
            });
            break;
        };
        strings.push(utf16le_nul_terminated(raw));
        pos += 2 + n;
    }
    let mut it = strings.into_iter();
    job.application = it.next().unwrap_or_default();
    job.parameters = it.next().unwrap_or_default();
    job.working_directory = it.next().unwrap_or_default();
    job.author = it.next().unwrap_or_default();
    job.comment = it.next().unwrap_or_default();

    // Triggers: u16 count at the trigger offset, then 48-byte records.
    match le_u16(bytes, trigger_offset) {
        Some(count) => {
            for i in 0..usize::from(count) {
                let at = trigger_offset + 2 + 48 * i;
                let Some(t) = slice(bytes, at, 48) else {
                    job.warnings.push(Warning {
                        offset: at as u64,
                        message: format!("trigger {i} of {count} truncated"),
                    });
                    break;
                };
                let w = |o| le_u16(t, o).unwrap_or(0);
                let d = |o| le_u32(t, o).unwrap_or(0);
                job.triggers.push(JobTrigger {
                    begin: (w(4), w(6), w(8)),
                    end: (w(10), w(12), w(14)),
                    start: (w(16), w(18)),
                    minutes_duration: d(20),
                    minutes_interval: d(24),
                    flags: d(28),
                    trigger_type: d(32),
                    specific: [w(36), w(38), w(40)],
                });
            }
        }
        None => job.warnings.push(Warning {
            offset: trigger_offset as u64,
            message: "trigger section outside the file".into(),
        }),
    }
    Ok(job)
}
