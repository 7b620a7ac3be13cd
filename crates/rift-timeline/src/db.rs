//! [`CaseDb`]: the case database (SQLite, WAL, embedded migrations).

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::rows::*;
use crate::{Error, Result};

/// Embedded migrations, applied in order. The number is the schema version
/// the database has after the file ran. A test checks that this list and the
/// `migrations/` folder agree.
pub const MIGRATIONS: &[(u32, &str, &str)] = &[
    (
        1,
        "0001_initial",
        include_str!("../migrations/0001_initial.sql"),
    ),
    (
        2,
        "0002_registry_keys",
        include_str!("../migrations/0002_registry_keys.sql"),
    ),
    (
        3,
        "0003_defender_detections",
        include_str!("../migrations/0003_defender_detections.sql"),
    ),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = 3;

/// Rows per transaction that [`CaseDb::insert`] callers should aim for:
/// big enough that the commit cost vanishes, small enough to keep memory flat.
pub const SUGGESTED_BATCH: usize = 20_000;

/// The case database.
///
/// One writer connection; `CaseDb` is `Send`, so the pipeline can move it to
/// a writer thread and feed it batches over a channel. Readers (reports, a
/// web UI) open their own connections; WAL lets them read while it writes.
pub struct CaseDb {
    conn: Connection,
    path: Option<PathBuf>,
}

impl std::fmt::Debug for CaseDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaseDb").field("path", &self.path).finish()
    }
}

impl CaseDb {
    /// Creates a new database at `path`; fails with [`Error::Exists`] when
    /// the file exists (the caller decides whether to remove it first).
    pub fn create(path: impl AsRef<Path>) -> Result<CaseDb> {
        let path = path.as_ref();
        if path.exists() {
            return Err(Error::Exists(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mut db = CaseDb {
            conn,
            path: Some(path.to_path_buf()),
        };
        db.pragmas(true)?;
        db.migrate()?;
        db.defer_indexes()?;
        Ok(db)
    }

    /// Opens an existing database (for reports and re-analysis); applies
    /// migrations it lacks; refuses a database from a newer rift.
    pub fn open(path: impl AsRef<Path>) -> Result<CaseDb> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(Error::NotFound(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mut db = CaseDb {
            conn,
            path: Some(path.to_path_buf()),
        };
        db.pragmas(true)?;
        db.migrate()?;
        // A load that never reached `finish` left its indexes deferred.
        db.restore_indexes()?;
        Ok(db)
    }

    /// Opens an existing database read-only (no migration).
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<CaseDb> {
        let path = path.as_ref();
        if !path.is_file() {
            return Err(Error::NotFound(path.to_path_buf()));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let db = CaseDb {
            conn,
            path: Some(path.to_path_buf()),
        };
        let v = db.schema_version()?;
        if v > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found: v,
                supported: SCHEMA_VERSION,
            });
        }
        Ok(db)
    }

    /// A database in memory (tests, scratch work).
    pub fn open_in_memory() -> Result<CaseDb> {
        let mut db = CaseDb {
            conn: Connection::open_in_memory()?,
            path: None,
        };
        db.pragmas(false)?;
        db.migrate()?;
        Ok(db)
    }

    fn pragmas(&mut self, file: bool) -> Result<()> {
        if file {
            // WAL: readers never block the writer; NORMAL sync is safe in WAL
            // (a power cut loses the last commits, never corrupts), and a
            // case database can always be rebuilt from the evidence.
            let _mode: String = self
                .conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
            // Checkpoint every ~64 MiB of WAL instead of every 4 MiB: fewer,
            // larger copies back into the main file during a bulk load.
            self.conn
                .execute_batch("PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=16384;")?;
        }
        self.conn.execute_batch(
            // Big sorts (index builds) spill to temp files rather than RAM,
            // so memory stays bounded on multi-million-row cases.
            "PRAGMA foreign_keys=OFF;
             PRAGMA cache_size=-65536;",
        )?;
        Ok(())
    }

    /// The schema version recorded in the database (0 = empty).
    pub fn schema_version(&self) -> Result<u32> {
        let has: Option<String> = self
            .conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE type='table' AND name='schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if has.is_none() {
            return Ok(0);
        }
        let v: Option<i64> =
            self.conn
                .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))?;
        Ok(v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0))
    }

    fn migrate(&mut self) -> Result<()> {
        self.conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_version (
                 version INTEGER PRIMARY KEY,
                 name    TEXT NOT NULL,
                 applied TEXT NOT NULL
             );",
        )?;
        let current = self.schema_version()?;
        if current > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found: current,
                supported: SCHEMA_VERSION,
            });
        }
        for &(version, name, sql) in MIGRATIONS {
            if version <= current {
                continue;
            }
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)
                .map_err(|source| Error::Migration { version, source })?;
            tx.execute(
                "INSERT INTO schema_version(version, name, applied) VALUES (?1, ?2, ?3)",
                params![
                    version,
                    name,
                    crate::DbTime::from_timestamp(jiff::Timestamp::now()).as_str()
                ],
            )?;
            tx.execute_batch(&format!("PRAGMA user_version={version};"))?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The file path (None in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The SQLite connection, for queries (detectors, reports, a web UI).
    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Mutable connection access (custom transactions).
    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// Inserts a batch of rows in one transaction with a cached prepared
    /// statement. Call with batches of about [`SUGGESTED_BATCH`] rows.
    pub fn insert<R: Row>(&mut self, rows: &[R]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let sql = insert_sql::<R>();
        let tx = self.conn.transaction()?;
        {
            let mut st = tx.prepare_cached(&sql)?;
            for r in rows {
                r.bind(&mut st)?;
                st.raw_execute()?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Inserts one row and returns its `id`.
    pub fn insert_one<R: Row>(&mut self, row: &R) -> Result<i64> {
        let sql = insert_sql::<R>();
        let mut st = self.conn.prepare_cached(&sql)?;
        row.bind(&mut st)?;
        st.raw_execute()?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Adds a volume; returns its id.
    pub fn insert_volume(&mut self, v: &VolumeRow) -> Result<i64> {
        self.insert_one(v)
    }

    /// Adds a source (artifact file); returns its id, to put in the rows'
    /// `source_id`.
    pub fn insert_source(&mut self, s: &SourceRow) -> Result<i64> {
        self.insert_one(s)
    }

    /// Sets a source's record and error counts after parsing.
    pub fn update_source_counts(
        &mut self,
        source_id: i64,
        records: i64,
        errors: i64,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE sources SET records = ?2, errors = ?3 WHERE id = ?1",
            params![source_id, records, errors],
        )?;
        Ok(())
    }

    /// Sets a `case_info` key (replacing it).
    pub fn set_info(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO case_info(key, value) VALUES (?1, ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Reads a `case_info` key.
    pub fn info(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM case_info WHERE key = ?1", [key], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()?
            .flatten())
    }

    /// All `case_info` pairs, sorted by key.
    pub fn infos(&self) -> Result<Vec<(String, String)>> {
        let mut st = self
            .conn
            .prepare("SELECT key, COALESCE(value, '') FROM case_info ORDER BY key")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Number of rows in a table (one of the schema's tables).
    pub fn count(&self, table: &str) -> Result<i64> {
        if !TABLES.contains(&table) {
            return Err(Error::UnknownTable(table.to_string()));
        }
        Ok(self
            .conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))?)
    }

    /// Replaces the `findings` table's rows.
    pub fn replace_findings(&mut self, rows: &[FindingRow]) -> Result<()> {
        self.conn.execute("DELETE FROM findings", [])?;
        self.insert(rows)
    }

    /// Bulk-load mode: drops the secondary indexes (remembering their SQL in
    /// `deferred_indexes`) so inserts only append; [`CaseDb::finish`] (or the
    /// next [`CaseDb::open`]) builds them again in one sorted pass, which is
    /// several times faster than maintaining them row by row.
    /// [`CaseDb::create`] calls this.
    pub fn defer_indexes(&mut self) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS deferred_indexes (name TEXT PRIMARY KEY, sql TEXT NOT NULL);",
        )?;
        let idx: Vec<(String, String)> = {
            let mut st = tx.prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL",
            )?;
            st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        for (name, sql) in idx {
            tx.execute(
                "INSERT OR REPLACE INTO deferred_indexes(name, sql) VALUES (?1, ?2)",
                params![name, sql],
            )?;
            tx.execute_batch(&format!("DROP INDEX \"{}\";", name.replace('"', "")))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Builds the indexes that [`CaseDb::defer_indexes`] dropped.
    pub fn restore_indexes(&mut self) -> Result<()> {
        let has: Option<String> = self
            .conn
            .query_row(
                "SELECT name FROM sqlite_master WHERE type='table' AND name='deferred_indexes'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if has.is_none() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        let idx: Vec<String> = {
            let mut st = tx.prepare("SELECT sql FROM deferred_indexes")?;
            st.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        for sql in idx {
            tx.execute_batch(&sql)?;
        }
        tx.execute_batch("DROP TABLE deferred_indexes;")?;
        tx.commit()?;
        Ok(())
    }

    /// Builds deferred indexes, refreshes the query planner's statistics and
    /// folds the WAL back into the main file. Call once at the end of a
    /// pipeline run (after [`CaseDb::build_timeline`]).
    pub fn finish(&mut self) -> Result<()> {
        self.restore_indexes()?;
        self.conn.execute_batch("PRAGMA optimize;")?;
        if self.path.is_some() {
            self.conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(())
    }
}

/// Every table of the schema (for counts, exports and a web UI's browser).
pub const TABLES: &[&str] = &[
    "case_info",
    "volumes",
    "sources",
    "parse_errors",
    "mft",
    "usn",
    "logfile_events",
    "registry_values",
    "registry_keys",
    "userassist",
    "bam",
    "shimcache",
    "amcache",
    "autoruns",
    "services",
    "tasks",
    "defender_settings",
    "defender_detections",
    "user_profiles",
    "prefetch",
    "evtx",
    "browser_visits",
    "browser_downloads",
    "browser_searches",
    "zone_identifiers",
    "lnk",
    "jumplists",
    "recycle_bin",
    "file_samples",
    "timeline",
    "findings",
];

fn insert_sql<R: Row>() -> String {
    let cols = R::COLUMNS.join(", ");
    let params: Vec<String> = (1..=R::COLUMNS.len()).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO {} ({cols}) VALUES ({})",
        R::TABLE,
        params.join(", ")
    )
}

macro_rules! named_inserts {
    ($($method:ident : $row:ty),* $(,)?) => {
        impl CaseDb {
            $(
                #[doc = concat!("Inserts a batch of [`", stringify!($row), "`] (one transaction).")]
                pub fn $method(&mut self, rows: &[$row]) -> Result<()> {
                    self.insert(rows)
                }
            )*
        }
    };
}

named_inserts! {
    insert_parse_errors: ParseErrorRow,
    insert_mft: MftRow,
    insert_usn: UsnRow,
    insert_logfile_events: LogfileEventRow,
    insert_registry_values: RegistryValueRow,
    insert_userassist: UserAssistRow,
    insert_bam: BamRow,
    insert_shimcache: ShimcacheRow,
    insert_amcache: AmcacheRow,
    insert_autoruns: AutorunRow,
    insert_services: ServiceRow,
    insert_tasks: TaskRow,
    insert_defender_settings: DefenderSettingRow,
    insert_user_profiles: UserProfileRow,
    insert_prefetch: PrefetchRow,
    insert_evtx: EvtxRow,
    insert_browser_visits: BrowserVisitRow,
    insert_browser_downloads: BrowserDownloadRow,
    insert_browser_searches: BrowserSearchRow,
    insert_zone_identifiers: ZoneIdentifierRow,
    insert_lnk: LnkRow,
    insert_jumplists: JumplistRow,
    insert_recycle_bin: RecycleBinRow,
    insert_file_samples: FileSampleRow,
    insert_timeline: TimelineRow,
    insert_findings: FindingRow,
}
