//! Builds the `timeline` table from the artifact tables, in SQL.
//!
//! The pipeline inserts artifact rows only; [`CaseDb::build_timeline`] then
//! derives every timeline event with one `INSERT … SELECT` per (table, time
//! column). Each event links back with `src_table` + `src_id`. File times
//! follow the MACB convention of plaso/mactime: equal times of one attribute
//! collapse into one event whose `macb` shows every letter that applies
//! (`M` modified, `A` accessed, `C` MFT entry changed, `B` born/created).

use std::borrow::Cow;

use crate::Result;
use crate::db::CaseDb;
use crate::time::sql_unix_micros;

/// How one timeline event family is derived.
struct Spec {
    table: &'static str,
    /// SQL expression of the event time (a database time column).
    time: Cow<'static, str>,
    source: &'static str,
    /// SQL expression.
    artifact: Cow<'static, str>,
    /// SQL expression.
    desc: Cow<'static, str>,
    /// SQL expression.
    macb: Cow<'static, str>,
    /// SQL expression.
    path: Cow<'static, str>,
    /// SQL expression.
    user: Cow<'static, str>,
    /// SQL expression.
    host: Cow<'static, str>,
    /// SQL expression.
    message: Cow<'static, str>,
    /// SQL expression (JSON object).
    extra: Cow<'static, str>,
    /// Extra `AND …` condition on the source row (columns of `s`).
    cond: Cow<'static, str>,
}

const HOST: &str = "(SELECT value FROM case_info WHERE key = 'host.computer_name')";

impl Default for Spec {
    fn default() -> Self {
        Spec {
            table: "",
            time: "".into(),
            source: "",
            artifact: "NULL".into(),
            desc: "NULL".into(),
            macb: "NULL".into(),
            path: "NULL".into(),
            user: "NULL".into(),
            host: HOST.into(),
            message: "NULL".into(),
            extra: "NULL".into(),
            cond: "".into(),
        }
    }
}

fn spec_sql(s: &Spec) -> String {
    format!(
        "INSERT INTO timeline (ts, time, source, artifact, timestamp_desc, macb, path, user, host, message, extra, src_table, src_id)
         SELECT {ts}, t, '{source}', {artifact}, {desc}, {macb}, {path}, {user}, {host}, {message}, {extra}, '{table}', s.id
         FROM (SELECT *, {time} AS t FROM {table}) AS s
         WHERE t IS NOT NULL {cond}",
        ts = sql_unix_micros("t"),
        source = s.source,
        artifact = s.artifact,
        desc = s.desc,
        macb = s.macb,
        path = s.path,
        user = s.user,
        host = s.host,
        message = s.message,
        extra = s.extra,
        table = s.table,
        time = s.time,
        cond = s.cond,
    )
}

/// MACB events of one `$MFT` attribute (`si` or `fn`): one event per
/// distinct time; equal times fold into the first letter's event.
fn mft_specs(prefix: &str, artifact: &'static str, extra_cond: &str) -> Vec<Spec> {
    let m = format!("{prefix}_modified");
    let a = format!("{prefix}_accessed");
    let c = format!("{prefix}_mft_modified");
    let b = format!("{prefix}_created");
    let letter = |col: &str, of: &str, l: char| {
        format!("(CASE WHEN s.{col} = s.{of} THEN '{l}' ELSE '.' END)")
    };
    let mk = |time: &str, macb: String, desc: &'static str, cond: String| {
        Spec {
        table: "mft",
        time: time.to_string().into(),
        source: "FILE",
        artifact: format!("'{artifact}'").into(),
        desc: format!("'{desc}'").into(),
        macb: macb.into(),
        path: "COALESCE(s.full_path, s.name)".into(),
        message: "COALESCE(s.full_path, s.name) || CASE WHEN s.in_use = 0 THEN ' (deleted)' ELSE '' END".into(),
        extra: "json_object('entry', s.entry, 'seq', s.seq, 'size', s.size, 'in_use', s.in_use, 'is_dir', s.is_dir, 'si_flags', s.si_flags)".into(),
        cond: format!("AND COALESCE(s.is_ads, 0) = 0 {extra_cond} {cond}").into(),
        ..Spec::default()
    }
    };
    vec![
        mk(
            &m,
            format!(
                "'M' || {} || {} || {}",
                letter(&a, &m, 'A'),
                letter(&c, &m, 'C'),
                letter(&b, &m, 'B')
            ),
            "Content Modification Time",
            String::new(),
        ),
        mk(
            &a,
            format!("'.A' || {} || {}", letter(&c, &a, 'C'), letter(&b, &a, 'B')),
            "Last Access Time",
            format!("AND s.{a} IS NOT s.{m}"),
        ),
        mk(
            &c,
            format!("'..C' || {}", letter(&b, &c, 'B')),
            "Metadata Modification Time",
            format!("AND s.{c} IS NOT s.{m} AND s.{c} IS NOT s.{a}"),
        ),
        mk(
            &b,
            "'...B'".to_string(),
            "Creation Time",
            format!("AND s.{b} IS NOT s.{m} AND s.{b} IS NOT s.{a} AND s.{b} IS NOT s.{c}"),
        ),
    ]
}

fn specs() -> Vec<Spec> {
    let mut v = Vec::new();
    v.extend(mft_specs("si", "$MFT $SI", ""));
    // $FN times only where they differ from $SI (saves half the rows and
    // keeps every time that carries information).
    v.extend(mft_specs(
        "fn",
        "$MFT $FN",
        "AND (s.fn_created IS NOT s.si_created OR s.fn_modified IS NOT s.si_modified \
         OR s.fn_mft_modified IS NOT s.si_mft_modified OR s.fn_accessed IS NOT s.si_accessed)",
    ));
    v.push(Spec {
        table: "usn",
        time: "time".into(),
        source: "USN",
        artifact: "'$UsnJrnl'".into(),
        desc: "'Journal Record'".into(),
        path: "COALESCE(s.full_path, s.name)".into(),
        message: "COALESCE(s.full_path, s.name) || ' [' || COALESCE(s.reasons_text, printf('0x%x', s.reasons)) || ']'".into(),
        extra: "json_object('usn', s.usn, 'entry', s.entry, 'seq', s.seq, 'parent_entry', s.parent_entry, 'parent_seq', s.parent_seq, 'reasons', s.reasons, 'attributes', s.attributes, 'carved', s.carved)".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "logfile_events",
        time: "time".into(),
        source: "LOGFILE",
        artifact: "'$LogFile'".into(),
        desc: "COALESCE(s.event, 'Log Record')".into(),
        path: "COALESCE(s.full_path, s.name)".into(),
        message: "COALESCE(s.event, '') || ' ' || COALESCE(s.full_path, s.name, '') || CASE WHEN s.detail IS NOT NULL THEN ' (' || s.detail || ')' ELSE '' END".into(),
        extra: "json_object('lsn', s.lsn, 'entry', s.entry, 'redo', s.redo_op, 'undo', s.undo_op)".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "registry_values",
        time: "last_write".into(),
        source: "REG",
        artifact: "COALESCE(s.category, 'Registry')".into(),
        desc: "'Key Last Written'".into(),
        path: "s.key_path".into(),
        message: "COALESCE(s.key_path, '') || '\\' || COALESCE(s.value_name, '(default)') || ' = ' || substr(COALESCE(s.value_data, ''), 1, 200)".into(),
        extra: "json_object('hive', s.hive_path, 'hive_type', s.hive_type, 'value_type', s.value_type, 'deleted', s.deleted, 'description', s.description)".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "registry_keys",
        time: "last_write".into(),
        source: "REG",
        artifact: "CASE WHEN s.deleted THEN 'Registry Key (deleted)' ELSE 'Registry Key' END".into(),
        desc: "'Key Last Written'".into(),
        path: "s.display_path".into(),
        user: "s.user".into(),
        message: "COALESCE(s.display_path, s.key_path, '') || CASE WHEN s.deleted THEN ' (deleted)' ELSE '' END || ' [' || COALESCE(s.subkey_count, '?') || ' subkeys, ' || COALESCE(s.value_count, '?') || ' values]'".into(),
        extra: "json_object('hive', s.hive_path, 'hive_type', s.hive_type, 'key_path', s.key_path, 'deleted', s.deleted, 'offset', s.offset)".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "defender_detections",
        time: "time".into(),
        source: "AV",
        artifact: "'Defender DetectionHistory'".into(),
        desc: "'Threat Detected'".into(),
        path: "s.file_path".into(),
        message: "COALESCE(s.threat_name, '?') || ' in ' || COALESCE(s.file_path, '?') || CASE WHEN s.web_url IS NOT NULL THEN ' from ' || s.web_url ELSE '' END".into(),
        extra: "json_object('detection_id', s.detection_id, 'accounts', json(s.accounts), 'resources', json(s.resources))".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "userassist",
        time: "last_run".into(),
        source: "EXEC",
        artifact: "'UserAssist'".into(),
        desc: "'Last Run'".into(),
        path: "COALESCE(s.resolved_path, s.name)".into(),
        user: "s.user".into(),
        message: "COALESCE(s.resolved_path, s.name, '') || ' (run count ' || COALESCE(s.run_count, '?') || ')'".into(),
        extra: "json_object('run_count', s.run_count, 'focus_count', s.focus_count, 'focus_time_ms', s.focus_time_ms, 'guid', s.guid)".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "bam",
        time: "last_run".into(),
        source: "EXEC",
        artifact: "'BAM'".into(),
        desc: "'Last Run'".into(),
        path: "COALESCE(s.resolved_path, s.path)".into(),
        user: "COALESCE(s.user, s.sid)".into(),
        message: "COALESCE(s.resolved_path, s.path, '')".into(),
        extra: "json_object('sid', s.sid)".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "shimcache",
        time: "last_modified".into(),
        source: "EXEC",
        artifact: "'AppCompatCache'".into(),
        desc: "'File Modified (ShimCache)'".into(),
        path: "s.path".into(),
        message: "COALESCE(s.path, '') || ' (position ' || COALESCE(s.position, '?') || ')'".into(),
        extra: "json_object('position', s.position, 'executed', s.executed, 'control_set', s.control_set)".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "amcache",
        time: "key_last_write".into(),
        source: "EXEC",
        artifact: "'Amcache'".into(),
        desc: "'Key Last Written'".into(),
        path: "s.path".into(),
        message: "COALESCE(s.path, s.name, '') || CASE WHEN s.sha1 IS NOT NULL THEN ' SHA1 ' || s.sha1 ELSE '' END".into(),
        extra: "json_object('sha1', s.sha1, 'size', s.size, 'publisher', s.publisher, 'product', s.product_name)".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "autoruns",
        time: "key_last_write".into(),
        source: "REG",
        artifact: "'Autorun ' || COALESCE(s.category, '')".into(),
        desc: "'Key Last Written'".into(),
        path: "s.key_path".into(),
        user: "s.user".into(),
        message: "COALESCE(s.value_name, '') || ' = ' || COALESCE(s.command, '')".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "services",
        time: "key_last_write".into(),
        source: "REG",
        artifact: "'Service'".into(),
        desc: "'Key Last Written'".into(),
        path: "s.image_path".into(),
        message: "COALESCE(s.name, '') || ': ' || COALESCE(s.image_path, '') || ' (start ' || COALESCE(s.start_label, s.start_type, '?') || ')'".into(),
        ..Spec::default()
    });
    for (time, desc) in [
        ("registered", "'Task Registered'"),
        ("last_run", "'Task Last Run'"),
        ("key_last_write", "'Key Last Written'"),
    ] {
        v.push(Spec {
            table: "tasks",
            time: time.into(),
            source: "REG",
            artifact: "'Scheduled Task'".into(),
            desc: desc.into(),
            path: "s.command".into(),
            message: "COALESCE(s.path, s.name, '') || ' -> ' || COALESCE(s.command, '') || COALESCE(' ' || s.arguments, '')".into(),
            extra: "json_object('author', s.author, 'origin', s.origin, 'guid', s.task_guid)".into(),
            ..Spec::default()
        });
    }
    v.push(Spec {
        table: "defender_settings",
        time: "key_last_write".into(),
        source: "REG",
        artifact: "'Defender'".into(),
        desc: "'Key Last Written'".into(),
        path: "s.key_path".into(),
        message: "COALESCE(s.key_path, '') || '\\' || COALESCE(s.value_name, '') || ' = ' || COALESCE(s.value_data, s.value_int, '')".into(),
        extra: "json_object('policy', s.is_policy)".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "user_profiles",
        time: "key_last_write".into(),
        source: "REG",
        artifact: "'ProfileList'".into(),
        desc: "'Key Last Written'".into(),
        path: "s.profile_path".into(),
        user: "s.user".into(),
        message: "COALESCE(s.sid, '') || ' ' || COALESCE(s.profile_path, '')".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "evtx",
        time: "time".into(),
        source: "EVTX",
        artifact: "COALESCE(s.channel, 'EventLog')".into(),
        desc: "'Event Logged'".into(),
        path: "s.executable_info".into(),
        user: "COALESCE(s.user_name, s.user_sid)".into(),
        host: "s.computer".into(),
        message: "'[' || COALESCE(s.event_id, '?') || '] ' || COALESCE(s.provider, '') || COALESCE(': ' || s.map_description, '') \
                  || COALESCE(' | ' || s.payload_data1, '') || COALESCE(' | ' || s.payload_data2, '') || COALESCE(' | ' || s.executable_info, '')".into(),
        extra: "json_object('event_id', s.event_id, 'record_id', s.record_id, 'provider', s.provider, 'remote_host', s.remote_host)".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "browser_visits",
        time: "time".into(),
        source: "WEB",
        artifact: "COALESCE(s.browser, 'browser') || ' history'".into(),
        desc: "'Page Visited'".into(),
        path: "s.url".into(),
        user: "s.user".into(),
        message: "COALESCE(s.url, '') || COALESCE(' (' || s.title || ')', '')".into(),
        extra: "json_object('transition', s.transition_text, 'visit_count', s.visit_count, 'profile', s.profile)".into(),
        ..Spec::default()
    });
    for (time, desc) in [
        ("start_time", "'Download Started'"),
        ("end_time", "'File Downloaded'"),
    ] {
        v.push(Spec {
            table: "browser_downloads",
            time: time.into(),
            source: "WEB",
            artifact: "COALESCE(s.browser, 'browser') || ' downloads'".into(),
            desc: desc.into(),
            path: "COALESCE(s.target_path, s.current_path)".into(),
            user: "s.user".into(),
            message: "COALESCE(s.url, '') || ' -> ' || COALESCE(s.target_path, s.current_path, '')".into(),
            extra: "json_object('url_chain', json(COALESCE(s.url_chain, 'null')), 'referrer', s.referrer, 'state', s.state_text, 'danger', s.danger_text, 'received', s.received_bytes, 'total', s.total_bytes)".into(),
            ..Spec::default()
        });
    }
    v.push(Spec {
        table: "browser_searches",
        time: "time".into(),
        source: "WEB",
        artifact: "COALESCE(s.browser, 'browser') || ' search'".into(),
        desc: "'Search'".into(),
        path: "s.url".into(),
        user: "s.user".into(),
        message: "'search: ' || COALESCE(s.term, '')".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "zone_identifiers",
        time: "file_created".into(),
        source: "FILE",
        artifact: "'Zone.Identifier'".into(),
        desc: "'Creation Time'".into(),
        path: "s.file_path".into(),
        message: "COALESCE(s.file_path, '') || ' ZoneId=' || COALESCE(s.zone_id, '?') || COALESCE(' HostUrl=' || s.host_url, '')".into(),
        extra: "json_object('host_url', s.host_url, 'referrer_url', s.referrer_url, 'zone_id', s.zone_id)".into(),
        ..Spec::default()
    });
    for (time, desc) in [
        ("source_created", "'Link Created'"),
        ("source_modified", "'Link Modified'"),
        ("target_created", "'Target Creation Time'"),
        ("target_modified", "'Target Modification Time'"),
        ("target_accessed", "'Target Access Time'"),
    ] {
        v.push(Spec {
            table: "lnk",
            time: time.into(),
            source: "SHELL",
            artifact: "'LNK'".into(),
            desc: desc.into(),
            path: "s.target_path".into(),
            user: "s.user".into(),
            message: "COALESCE(s.lnk_path, '') || ' -> ' || COALESCE(s.target_path, '') || COALESCE(' ' || s.arguments, '')".into(),
            ..Spec::default()
        });
    }
    v.push(Spec {
        table: "jumplists",
        time: "last_access".into(),
        source: "SHELL",
        artifact: "'Jump List'".into(),
        desc: "'Last Access'".into(),
        path: "s.target_path".into(),
        user: "s.user".into(),
        message: "COALESCE(s.target_path, '') || ' (app ' || COALESCE(s.app_id, '?') || ')'".into(),
        ..Spec::default()
    });
    v.push(Spec {
        table: "recycle_bin",
        time: "deleted_time".into(),
        source: "SHELL",
        artifact: "'Recycle Bin'".into(),
        desc: "'File Deleted'".into(),
        path: "s.original_path".into(),
        user: "COALESCE(s.user, s.sid)".into(),
        message: "COALESCE(s.original_path, '') || ' -> ' || COALESCE(s.i_file_path, '')".into(),
        extra: "json_object('size', s.size)".into(),
        ..Spec::default()
    });
    v
}

impl CaseDb {
    /// (Re)builds the `timeline` table from every artifact table; returns
    /// the number of events. Run it after all artifact rows are in.
    pub fn build_timeline(&mut self) -> Result<u64> {
        let tx = self.conn_mut().transaction()?;
        tx.execute("DELETE FROM timeline", [])?;
        let mut n: u64 = 0;
        for s in specs() {
            n += tx.execute(&spec_sql(&s), [])? as u64;
        }
        // Prefetch: one event per stored run time (json_each over the list),
        // or the last run alone when the list is missing.
        let ts = sql_unix_micros("r.value");
        n += tx.execute(
            &format!(
                "INSERT INTO timeline (ts, time, source, artifact, timestamp_desc, macb, path, user, host, message, extra, src_table, src_id)
                 SELECT {ts}, r.value, 'EXEC', 'Prefetch',
                        CASE WHEN r.key = 0 THEN 'Last Run' ELSE 'Previous Run' END, NULL,
                        p.exe, NULL, {HOST},
                        COALESCE(p.exe, '') || ' run ' || (r.key + 1) || ' of ' || COALESCE(p.run_count, '?') || ' (' || COALESCE(p.pf_name, '') || ')',
                        json_object('pf', p.pf_name, 'hash', p.hash, 'run_count', p.run_count), 'prefetch', p.id
                 FROM prefetch AS p, json_each(CASE WHEN json_valid(p.run_times) THEN p.run_times ELSE '[]' END) AS r
                 WHERE r.type = 'text'"
            ),
            [],
        )? as u64;
        n += tx.execute(
            &format!(
                "INSERT INTO timeline (ts, time, source, artifact, timestamp_desc, macb, path, user, host, message, extra, src_table, src_id)
                 SELECT {}, p.last_run, 'EXEC', 'Prefetch', 'Last Run', NULL, p.exe, NULL, {HOST},
                        COALESCE(p.exe, '') || ' (run count ' || COALESCE(p.run_count, '?') || ', ' || COALESCE(p.pf_name, '') || ')',
                        json_object('pf', p.pf_name, 'hash', p.hash, 'run_count', p.run_count), 'prefetch', p.id
                 FROM prefetch AS p
                 WHERE p.last_run IS NOT NULL
                   AND (p.run_times IS NULL OR NOT json_valid(p.run_times) OR json_array_length(p.run_times) = 0)",
                sql_unix_micros("p.last_run")
            ),
            [],
        )? as u64;
        tx.commit()?;
        Ok(n)
    }
}
