//! The case-database writer thread.
//!
//! SQLite wants one writer. Parsers run on many threads and send their
//! rows here in batches; the writer owns the [`CaseDb`] and inserts them.
//! Rows name their source by a [`SourceKey`] allocated on the sending side
//! (no round trip), which the writer maps to the database id when it
//! inserts the source row.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, bounded};
use rift_timeline::{CaseDb, Row, SourceRow};

/// A source allocated by a parser before its database id exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceKey(u64);

type Job =
    Box<dyn FnOnce(&mut CaseDb, &mut HashMap<SourceKey, i64>) -> rift_timeline::Result<()> + Send>;

/// Handle for sending work to the writer; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: Sender<Job>,
    next_key: Arc<AtomicU64>,
}

/// What the writer thread hands back when it stops.
pub struct Finished {
    /// The database, for the steps that follow parsing.
    pub db: CaseDb,
    /// Insert errors (a failed batch does not stop the others).
    pub errors: Vec<String>,
}

/// Starts the writer thread over `db`.
pub fn start(db: CaseDb) -> (Writer, JoinHandle<Finished>) {
    // A few batches in flight keep parsers busy without unbounded memory.
    let (tx, rx): (Sender<Job>, Receiver<Job>) = bounded(16);
    let handle = std::thread::Builder::new()
        .name("rift-db-writer".into())
        .spawn(move || {
            let mut db = db;
            let mut ids = HashMap::new();
            let mut errors = Vec::new();
            for job in rx {
                if let Err(e) = job(&mut db, &mut ids) {
                    errors.push(e.to_string());
                }
            }
            Finished { db, errors }
        })
        .expect("spawn writer thread");
    (
        Writer {
            tx,
            next_key: Arc::new(AtomicU64::new(1)),
        },
        handle,
    )
}

impl Writer {
    fn send(&self, job: Job) {
        // The receiver lives until every Writer is dropped.
        let _ = self.tx.send(job);
    }

    /// Registers a source; rows sent with the returned key get its id.
    pub fn source(&self, row: SourceRow) -> SourceKey {
        let key = SourceKey(self.next_key.fetch_add(1, Ordering::Relaxed));
        self.send(Box::new(move |db, ids| {
            let id = db.insert_source(&row)?;
            ids.insert(key, id);
            Ok(())
        }));
        key
    }

    /// Sets a source's record and error counts.
    pub fn source_counts(&self, key: SourceKey, records: u64, errors: u64) {
        self.send(Box::new(move |db, ids| match ids.get(&key) {
            Some(&id) => db.update_source_counts(id, records as i64, errors as i64),
            None => Ok(()),
        }));
    }

    /// Inserts rows, filling their source id with `set` first.
    pub fn rows<R: Row + Send + 'static>(
        &self,
        key: Option<SourceKey>,
        mut rows: Vec<R>,
        set: fn(&mut R, i64),
    ) {
        if rows.is_empty() {
            return;
        }
        self.send(Box::new(move |db, ids| {
            if let Some(id) = key.and_then(|k| ids.get(&k).copied()) {
                rows.iter_mut().for_each(|r| set(r, id));
            }
            db.insert(&rows)
        }));
    }

    /// Runs any closure on the database (case info, volumes).
    pub fn with_db(
        &self,
        f: impl FnOnce(&mut CaseDb) -> rift_timeline::Result<()> + Send + 'static,
    ) {
        self.send(Box::new(move |db, _| f(db)));
    }

    /// Runs a closure on the database and waits for its result.
    pub fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut CaseDb) -> rift_timeline::Result<T> + Send + 'static,
    ) -> Result<T, String> {
        let (rtx, rrx) = bounded(1);
        self.send(Box::new(move |db, _| {
            let _ = rtx.send(f(db).map_err(|e| e.to_string()));
            Ok(())
        }));
        rrx.recv()
            .unwrap_or_else(|_| Err("case database writer stopped".into()))
    }
}

/// Collects rows and sends them in batches of [`BATCH`].
pub struct Batcher<R: Row + Send + 'static> {
    w: Writer,
    key: Option<SourceKey>,
    set: fn(&mut R, i64),
    buf: Vec<R>,
    /// Rows pushed so far.
    pub count: u64,
}

/// Rows per batch sent to the writer.
pub const BATCH: usize = 8192;

impl<R: Row + Send + 'static> Batcher<R> {
    /// A batcher for rows of one source.
    pub fn new(w: &Writer, key: Option<SourceKey>, set: fn(&mut R, i64)) -> Self {
        Batcher {
            w: w.clone(),
            key,
            set,
            buf: Vec::with_capacity(BATCH),
            count: 0,
        }
    }

    /// Adds a row, sending a full batch.
    pub fn push(&mut self, r: R) {
        self.buf.push(r);
        self.count += 1;
        if self.buf.len() >= BATCH {
            self.flush();
        }
    }

    /// Sends what is buffered.
    pub fn flush(&mut self) {
        let rows = std::mem::replace(&mut self.buf, Vec::with_capacity(BATCH));
        self.w.rows(self.key, rows, self.set);
    }
}

impl<R: Row + Send + 'static> Drop for Batcher<R> {
    fn drop(&mut self) {
        self.flush();
    }
}
