//! The one error type of this crate.

/// What went wrong while reading a browser database.
///
/// A database that opens but has damaged rows does **not** produce an
/// error: the bad rows are reported as [`crate::Warning`]s beside the rows
/// that could be read. Errors are for input that is not a usable database
/// at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input is shorter than the 100-byte SQLite header.
    #[error("not an SQLite database: {len} bytes, the header at byte position 0 needs 100")]
    Truncated {
        /// Length of the input in bytes.
        len: usize,
    },
    /// The first 16 bytes are not `SQLite format 3\0`.
    #[error("not an SQLite database: the magic at byte position 0 is {found:?}")]
    NotSqlite {
        /// The first bytes, escaped for display.
        found: String,
    },
    /// The first bytes are not an MSIE cache file signature.
    #[error("not an MSIE cache file (index.dat): the signature at byte position 0 is {found:?}")]
    NotMsiecf {
        /// The first bytes, escaped for display.
        found: String,
    },
    /// The private working copy could not be written (temporary folder).
    #[error("cannot write the private working copy of the database: {0}")]
    Stage(#[from] std::io::Error),
    /// SQLite refused the database or a query on it (corrupt pages,
    /// unsupported format, …).
    #[error("SQLite error while {action}: {source}")]
    Sqlite {
        /// What rift was doing (`"opening the database"`,
        /// `"reading table downloads"` …).
        action: String,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database opens but lacks a table this kind of database must
    /// have.
    #[error("not a {expected} database: table `{table}` is missing")]
    MissingTable {
        /// What kind of database was expected (`"Chromium History"` …).
        expected: &'static str,
        /// The missing table.
        table: &'static str,
    },
    /// The database opens but is not a browser database rift knows.
    #[error("not a browser database rift knows (tables: {tables})")]
    Unrecognised {
        /// The tables found, comma-separated.
        tables: String,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn sqlite(action: impl Into<String>, source: rusqlite::Error) -> Error {
        Error::Sqlite {
            action: action.into(),
            source,
        }
    }
}
