//! Opening a browser database safely: a private copy in a temporary
//! folder, opened with the bundled SQLite, plus helpers that read loosely
//! typed cells without failing.
//!
//! Why a copy: SQLite writes beside the file it opens (`-shm` for WAL
//! databases even when opened read-only, and it rolls back a hot
//! `-journal`), so opening evidence in place would change it. rift writes
//! the database bytes — and the `-wal` / `-journal` bytes when the caller
//! has them — into a fresh temporary folder, opens that copy and removes
//! the folder when done. Nothing is ever written next to the evidence.
//!
//! Why loose cells: SQLite columns are dynamically typed, and a damaged or
//! hand-edited database can hold text where an integer is expected. Every
//! cell is read as a [`rusqlite::types::ValueRef`] and converted here;
//! a wrong type becomes `None`, never an error.
//!
//! Sources: SQLite file format §1.3 (header: 16-byte magic
//! `SQLite format 3\0`, bytes 18/19 = 2 for WAL mode) and "Temporary Files
//! Used By SQLite" / WAL documentation (`<db>-wal`, `<db>-journal`,
//! `<db>-shm` naming), <https://www.sqlite.org/fileformat2.html>.

use std::collections::BTreeSet;
use std::fs;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// The 16-byte magic at the start of every SQLite 3 database.
pub const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Size of the SQLite database header.
const HEADER_LEN: usize = 100;

/// Whether `bytes` start with the SQLite 3 magic (cheap sniffing for
/// folder walks and image scans).
pub fn is_sqlite(bytes: &[u8]) -> bool {
    bytes.get(..16).is_some_and(|m| m == SQLITE_MAGIC)
}

/// Checks the header of `db` and explains why it is not a database.
pub(crate) fn check_header(db: &[u8]) -> Result<()> {
    if db.len() < HEADER_LEN {
        if !db.is_empty() && !SQLITE_MAGIC.starts_with(db.get(..db.len().min(16)).unwrap_or(&[])) {
            return Err(not_sqlite(db));
        }
        return Err(Error::Truncated { len: db.len() });
    }
    if !is_sqlite(db) {
        return Err(not_sqlite(db));
    }
    Ok(())
}

fn not_sqlite(db: &[u8]) -> Error {
    let head = db.get(..db.len().min(16)).unwrap_or(&[]);
    Error::NotSqlite {
        found: head.escape_ascii().to_string(),
    }
}

/// An open private copy of a database. Dropping it closes the connection
/// and removes the temporary folder.
pub(crate) struct DbCopy {
    // Field order matters: the connection must close before the folder
    // is removed (fields drop in declaration order).
    conn: Connection,
    _dir: tempfile::TempDir,
}

impl DbCopy {
    /// Writes `db` (and the optional `-wal` / `-journal` companions) into a
    /// new temporary folder and opens the copy.
    ///
    /// The copy is opened read-only, except when a rollback journal is
    /// given: SQLite must then be allowed to roll the hot journal back
    /// (what the browser itself would do on its next start), which needs
    /// write access — to the copy only.
    pub(crate) fn open(db: &[u8], wal: Option<&[u8]>, journal: Option<&[u8]>) -> Result<DbCopy> {
        check_header(db)?;
        let dir = tempfile::Builder::new().prefix("rift-browser-").tempdir()?;
        let path = dir.path().join("db");
        fs::write(&path, db)?;
        if let Some(wal) = wal.filter(|w| !w.is_empty()) {
            fs::write(dir.path().join("db-wal"), wal)?;
        }
        let journal = journal.filter(|j| !j.is_empty());
        if let Some(journal) = journal {
            fs::write(dir.path().join("db-journal"), journal)?;
        }
        let mut flags = OpenFlags::SQLITE_OPEN_NO_MUTEX;
        flags |= if journal.is_some() {
            OpenFlags::SQLITE_OPEN_READ_WRITE
        } else {
            OpenFlags::SQLITE_OPEN_READ_ONLY
        };
        let conn = Connection::open_with_flags(&path, flags)
            .map_err(|e| Error::sqlite("opening the database copy", e))?;
        // Extra corruption checks cost little on databases this size.
        // Neither pragma can fail on a valid connection; ignore the result
        // so a refusal never hides the data.
        let _ = conn.pragma_update(None, "cell_size_check", "ON");
        let _ = conn.pragma_update(None, "trusted_schema", "OFF");
        // Touch the schema now so "not a database" surfaces as an error
        // here and not as a missing table later.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(|e| Error::sqlite("reading the schema", e))?;
        Ok(DbCopy { conn, _dir: dir })
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Names of all tables.
    pub(crate) fn tables(&self) -> Result<BTreeSet<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
            .map_err(|e| Error::sqlite("listing tables", e))?;
        let mut rows = stmt
            .query([])
            .map_err(|e| Error::sqlite("listing tables", e))?;
        let mut out = BTreeSet::new();
        while let Some(row) = rows
            .next()
            .map_err(|e| Error::sqlite("listing tables", e))?
        {
            if let Some(name) = text(row.get_ref(0).ok()) {
                out.insert(name);
            }
        }
        Ok(out)
    }

    /// The columns of `table` (`PRAGMA table_info`), lower-cased.
    pub(crate) fn columns(&self, table: &str) -> Result<Columns> {
        let action = || format!("reading the columns of table {table}");
        let mut stmt = self
            .conn
            .prepare(&format!("PRAGMA table_info({})", quote_ident(table)))
            .map_err(|e| Error::sqlite(action(), e))?;
        let mut rows = stmt.query([]).map_err(|e| Error::sqlite(action(), e))?;
        let mut names = BTreeSet::new();
        while let Some(row) = rows.next().map_err(|e| Error::sqlite(action(), e))? {
            if let Some(name) = text(row.get_ref(1).ok()) {
                names.insert(name.to_ascii_lowercase());
            }
        }
        Ok(Columns { names })
    }

    /// `SELECT wanted… FROM table [tail]`, where absent columns read as
    /// NULL, collected as one map per row keyed by the wanted names. A
    /// SQLite error in the middle of the table (a corrupt page) keeps the
    /// rows read so far and is returned beside them.
    pub(crate) fn select(
        &self,
        table: &str,
        wanted: &'static [&'static str],
        tail: &str,
    ) -> Result<(Vec<Row>, Option<String>)> {
        let cols = self.columns(table)?;
        let list: Vec<String> = wanted.iter().map(|w| cols.expr(w)).collect();
        let sql = format!(
            "SELECT {} FROM {} {tail}",
            list.join(", "),
            quote_ident(table)
        );
        let action = || format!("reading table {table}");
        let mut stmt = self
            .conn
            .prepare(&sql)
            .map_err(|e| Error::sqlite(action(), e))?;
        let mut rows = stmt.query([]).map_err(|e| Error::sqlite(action(), e))?;
        let mut out = Vec::new();
        loop {
            match rows.next() {
                Ok(Some(row)) => {
                    let cells = (0..wanted.len())
                        .map(|i| Cell::from(row.get_ref(i).ok()))
                        .collect();
                    out.push(Row {
                        names: wanted,
                        cells,
                    });
                }
                Ok(None) => return Ok((out, None)),
                Err(e) => {
                    let msg = format!("{}: {e} (after {} rows)", action(), out.len());
                    return Ok((out, Some(msg)));
                }
            }
        }
    }
}

/// The column names of one table.
pub(crate) struct Columns {
    names: BTreeSet<String>,
}

impl Columns {
    pub(crate) fn has(&self, name: &str) -> bool {
        self.names.contains(&name.to_ascii_lowercase())
    }

    /// The column itself when present, else `NULL` (so one query text fits
    /// every schema version).
    fn expr(&self, name: &str) -> String {
        if self.has(name) {
            quote_ident(name)
        } else {
            "NULL".to_string()
        }
    }
}

/// Quotes an SQL identifier (`"name"`, inner quotes doubled).
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// One cell, owned and loosely typed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<Option<ValueRef<'_>>> for Cell {
    fn from(v: Option<ValueRef<'_>>) -> Cell {
        match v {
            None | Some(ValueRef::Null) => Cell::Null,
            Some(ValueRef::Integer(i)) => Cell::Int(i),
            Some(ValueRef::Real(f)) => Cell::Real(f),
            Some(ValueRef::Text(t)) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
            Some(ValueRef::Blob(b)) => Cell::Blob(b.to_vec()),
        }
    }
}

/// One result row: cells in the order of the wanted column names (a
/// handful per table, so a linear lookup beats a map per row).
pub(crate) struct Row {
    names: &'static [&'static str],
    cells: Vec<Cell>,
}

impl Row {
    fn cell(&self, name: &str) -> &Cell {
        self.names
            .iter()
            .position(|n| *n == name)
            .and_then(|i| self.cells.get(i))
            .unwrap_or(&Cell::Null)
    }

    /// An integer cell; text holding a decimal integer is accepted (SQLite
    /// type affinity can leave numbers as text), anything else is `None`.
    pub(crate) fn int(&self, name: &str) -> Option<i64> {
        match self.cell(name) {
            Cell::Int(i) => Some(*i),
            Cell::Real(f) if f.is_finite() && f.fract() == 0.0 => Some(*f as i64),
            Cell::Text(t) => t.trim().parse().ok(),
            _ => None,
        }
    }

    /// A text cell; integers are rendered, blobs decoded as lossy UTF-8.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        match self.cell(name) {
            Cell::Text(t) => Some(t.clone()),
            Cell::Int(i) => Some(i.to_string()),
            Cell::Real(f) => Some(f.to_string()),
            Cell::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
            Cell::Null => None,
        }
    }

    /// Non-empty text (empty strings become `None`).
    pub(crate) fn nonempty(&self, name: &str) -> Option<String> {
        self.text(name).filter(|s| !s.is_empty())
    }

    /// A blob cell (text is returned as its bytes).
    pub(crate) fn blob(&self, name: &str) -> Option<Vec<u8>> {
        match self.cell(name) {
            Cell::Blob(b) => Some(b.clone()),
            Cell::Text(t) => Some(t.as_bytes().to_vec()),
            _ => None,
        }
    }
}

fn text(v: Option<ValueRef<'_>>) -> Option<String> {
    match v {
        Some(ValueRef::Text(t)) => Some(String::from_utf8_lossy(t).into_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_checks() {
        assert!(matches!(
            check_header(b""),
            Err(Error::Truncated { len: 0 })
        ));
        assert!(matches!(
            check_header(b"SQLite format"),
            Err(Error::Truncated { len: 13 })
        ));
        assert!(matches!(
            check_header(b"MZ\x90\x00"),
            Err(Error::NotSqlite { .. })
        ));
        let mut junk = vec![0u8; 200];
        junk[0] = b'X';
        assert!(matches!(check_header(&junk), Err(Error::NotSqlite { .. })));
    }
}
