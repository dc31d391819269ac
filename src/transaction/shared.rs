//! One database shared by concurrent sessions (threads, and the server's connections):
//! readers run at once, one session writes at a time, and readers see committed data
//! only.
//!
//! - The graph sits behind a read-write lock. A read-only statement holds the read lock
//!   while it runs; a write statement holds the write lock only while it runs.
//! - The *writer lock* is held by one session from its first write (or `begin`) to the
//!   end of its transaction; another session that wants to write waits for it up to the
//!   lock timeout, then gets [`TxError::LockTimeout`], which is retryable.
//! - Between the statements of an open transaction its changes sit in the graph, not yet
//!   committed. A reader arriving then reads a *committed snapshot* instead: made once
//!   per transaction (a copy of the graph with the transaction's changes undone), shared
//!   by the readers that follow, dropped at commit or rollback. A commit happens under
//!   the write lock, so each reader sees the graph wholly before it or wholly after it.
//!
//! Guarantee: read committed, and one state per statement (a statement never sees part
//! of another's changes nor a commit halfway).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use super::super::{Limits, copy_to};
use super::{Committed, Database, Error, Params, ResultSet, TxError};
use crate::exec;
use crate::graph::Graph;
use crate::plan;

/// How long a session waits for another's write transaction by default.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(5);

/// A [`Database`] for several threads: cheap to clone, each clone the same database.
#[derive(Clone)]
pub struct SharedDatabase {
    shared: Arc<Shared>,
}

struct Shared {
    db: RwLock<Database>,
    /// The session holding the writer lock, if any.
    writer: Mutex<Option<u64>>,
    writer_free: Condvar,
    /// The committed graph while a transaction has uncommitted changes, once a reader
    /// asked for it.
    committed: Mutex<Option<Arc<Graph>>>,
    lock_timeout: Duration,
    next_session: AtomicU64,
}

impl SharedDatabase {
    /// Shares `db`; a writer waits up to [`DEFAULT_LOCK_TIMEOUT`] for another.
    pub fn new(db: Database) -> SharedDatabase {
        SharedDatabase::with_lock_timeout(db, DEFAULT_LOCK_TIMEOUT)
    }

    /// Shares `db`; a session that wants to write waits up to `timeout` while another
    /// one writes.
    pub fn with_lock_timeout(db: Database, timeout: Duration) -> SharedDatabase {
        SharedDatabase {
            shared: Arc::new(Shared {
                db: RwLock::new(db),
                writer: Mutex::new(None),
                writer_free: Condvar::new(),
                committed: Mutex::new(None),
                lock_timeout: timeout,
                next_session: AtomicU64::new(1),
            }),
        }
    }

    /// A new session: its own transaction, none open yet.
    pub fn session(&self) -> Session {
        Session {
            shared: self.shared.clone(),
            id: self.shared.next_session.fetch_add(1, Ordering::Relaxed),
            in_tx: false,
        }
    }

    /// Runs read-only statements on the committed graph, with `params`.
    ///
    /// # Errors
    /// [`TxError::ReadOnly`] for a statement that writes (nothing runs), or the
    /// statement's error.
    pub fn read(&self, query: &str, params: &Params) -> Result<Vec<ResultSet>, Error> {
        self.shared.read(query, params)
    }

    /// Runs statements as one session in a transaction of their own (autocommit).
    ///
    /// # Errors
    /// As [`Session::execute`].
    pub fn execute(&self, query: &str) -> Result<Vec<ResultSet>, Error> {
        self.session().execute(query, &Params::new())
    }
}

impl Shared {
    fn db_read(&self) -> RwLockReadGuard<'_, Database> {
        // A panic in a statement leaves the database as that statement's undo left it.
        self.db
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn db_write(&self) -> RwLockWriteGuard<'_, Database> {
        self.db
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn read(&self, query: &str, params: &Params) -> Result<Vec<ResultSet>, Error> {
        let db = self.db_read();
        let Some(start) = db.uncommitted() else {
            return db.run_read_only(db.graph(), query, params);
        };
        let mut committed = self.committed.lock().unwrap_or_else(|p| p.into_inner());
        let snapshot = committed
            .get_or_insert_with(|| {
                let mut graph = db.graph().clone();
                graph.undo_to(&start);
                graph.stop_recording();
                Arc::new(graph)
            })
            .clone();
        drop(committed);
        // Planning reads the session settings only; the snapshot is read unlocked.
        let settings = db.settings();
        drop(db);
        settings.run_read_only(&snapshot, query, params)
    }

    /// Takes the writer lock for session `id`, waiting up to the lock timeout.
    fn acquire_writer(&self, id: u64) -> Result<(), Error> {
        let started = Instant::now();
        let mut owner = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        while owner.is_some_and(|o| o != id) {
            let left = self.lock_timeout.saturating_sub(started.elapsed());
            if left.is_zero() {
                return Err(TxError::LockTimeout {
                    waited: started.elapsed(),
                }
                .into());
            }
            owner = (self.writer_free.wait_timeout(owner, left))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        *owner = Some(id);
        Ok(())
    }

    fn release_writer(&self, id: u64) {
        let mut owner = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        if *owner == Some(id) {
            *owner = None;
            self.writer_free.notify_one();
        }
    }

    /// Ends the open transaction with `end` under the write lock, dropping the snapshot
    /// in the same step so that readers move to the new state at once.
    fn end_transaction<T>(&self, end: impl FnOnce(&mut Database) -> T) -> T {
        let mut db = self.db_write();
        let ended = end(&mut db);
        *self.committed.lock().unwrap_or_else(|p| p.into_inner()) = None;
        ended
    }
}

/// One session of a [`SharedDatabase`]: statements outside a transaction commit one by
/// one; between [`Session::begin`] and [`Session::commit`] they form one transaction.
/// Dropping a session with a transaction open rolls it back.
pub struct Session {
    shared: Arc<Shared>,
    id: u64,
    in_tx: bool,
}

impl Session {
    /// Opens a transaction, waiting for another session's to end (up to the lock
    /// timeout).
    ///
    /// # Errors
    /// [`TxError::AlreadyOpen`], or [`TxError::LockTimeout`] (retryable).
    pub fn begin(&mut self) -> Result<(), Error> {
        if self.in_tx {
            return Err(TxError::AlreadyOpen.into());
        }
        self.shared.acquire_writer(self.id)?;
        let begun = self.shared.db_write().begin_transaction();
        match begun {
            Ok(()) => self.in_tx = true,
            Err(_) => self.shared.release_writer(self.id),
        }
        begun
    }

    pub fn in_transaction(&self) -> bool {
        self.in_tx
    }

    /// Runs statements with `params`. Outside a transaction a read-only statement reads
    /// the committed graph alongside other readers, and a write statement waits for the
    /// writer lock and commits at once. Inside one, statements see the transaction's own
    /// changes.
    ///
    /// # Errors
    /// The statement's error, or [`TxError::LockTimeout`] (nothing ran; retryable).
    pub fn execute(&mut self, query: &str, params: &Params) -> Result<Vec<ResultSet>, Error> {
        if self.in_tx {
            return self.shared.db_write().execute_with_params(query, params);
        }
        match self.shared.read(query, params) {
            Err(Error::Transaction(TxError::ReadOnly)) => {}
            read => return read,
        }
        self.shared.acquire_writer(self.id)?;
        let ran = self.shared.db_write().execute_with_params(query, params);
        self.shared.release_writer(self.id);
        ran
    }

    /// Commits the open transaction.
    ///
    /// # Errors
    /// [`TxError::NotOpen`], or the journal's error (the transaction is rolled back).
    pub fn commit(&mut self) -> Result<Committed, Error> {
        if !self.in_tx {
            return Err(TxError::NotOpen { action: "commit" }.into());
        }
        self.in_tx = false;
        let committed = self.shared.end_transaction(Database::commit_transaction);
        self.shared.release_writer(self.id);
        committed
    }

    /// Rolls back the open transaction; returns how many writes were undone.
    ///
    /// # Errors
    /// [`TxError::NotOpen`].
    pub fn rollback(&mut self) -> Result<usize, Error> {
        if !self.in_tx {
            return Err(TxError::NotOpen {
                action: "roll back",
            }
            .into());
        }
        self.in_tx = false;
        let undone = self.shared.end_transaction(Database::rollback_transaction);
        self.shared.release_writer(self.id);
        undone
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.in_tx {
            let _ = self.rollback();
        }
    }
}

/// What a read-only statement needs of the database besides the graph: copied out so
/// that a reader of a snapshot holds no lock.
pub(crate) struct Settings {
    limits: Limits,
    optimized: bool,
    parallel_min_ids: usize,
}

impl Database {
    /// Where the open transaction started, if it has changed the graph since.
    pub(crate) fn uncommitted(&self) -> Option<crate::graph::Mark> {
        let tx = self.tx.as_ref()?;
        (self.graph.changes_since(&tx.start) > 0).then_some(tx.start)
    }

    pub(crate) fn settings(&self) -> Settings {
        Settings {
            limits: self.limits.clone(),
            optimized: !self.unoptimized,
            parallel_min_ids: self.parallel_min_ids,
        }
    }

    /// Runs read-only statements over `graph` (this database's, or a snapshot of it).
    pub(crate) fn run_read_only(
        &self,
        graph: &Graph,
        query: &str,
        params: &Params,
    ) -> Result<Vec<ResultSet>, Error> {
        self.settings().run_read_only(graph, query, params)
    }
}

impl Settings {
    fn run_read_only(
        &self,
        graph: &Graph,
        query: &str,
        params: &Params,
    ) -> Result<Vec<ResultSet>, Error> {
        let statements = crate::parser::parse(query)?;
        let plans = (statements.iter())
            .map(|statement| plan::plan_with(statement, graph, self.optimized))
            .collect::<Result<Vec<_>, _>>()?;
        if plans.iter().any(plan::LogicalPlan::has_writes) {
            return Err(TxError::ReadOnly.into());
        }
        // Each reader has its own flag: stopping one statement stops no other.
        let interrupt = AtomicBool::new(false);
        let parallel_min_ids = match self.optimized {
            true => self.parallel_min_ids,
            false => usize::MAX,
        };
        let mut results = Vec::with_capacity(plans.len());
        for plan in &plans {
            let ctx = exec::Context::new(params, &interrupt)
                .with_parallel_threshold(parallel_min_ids)
                .with_shortcuts(self.optimized)
                .with_limits(&self.limits);
            let result = exec::execute_read_only(plan, graph, &ctx)?;
            results.push(match &plan.copy_to {
                Some(path) => copy_to(&result, path, None, &interrupt)?,
                None => result,
            });
        }
        Ok(results)
    }
}
