//! The database every connection shares, and the only functions that touch it: run an
//! auto-commit statement, begin, run in, commit and roll back an explicit transaction.
//!
//! Until the transaction layer exists this is an interim scheme, kept to this file so
//! that the layer replaces it in one place:
//! - every statement runs under one `Mutex<Database>`, so statements run one at a time;
//! - one writer at a time: a write statement (auto-commit, or the first write of an
//!   explicit transaction) takes the writer token, waiting up to the lock timeout;
//! - an explicit transaction that writes works on a private copy of the graph, made at
//!   its first write; others keep reading the committed graph (read committed), and a
//!   rollback, or a client that goes away, just drops the copy;
//! - commit puts the copy in place under the lock; with a dataset folder, the whole
//!   graph is then saved (atomically, as `:save` does), since the journal takes single
//!   statements, not transactions.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::plan;
use crate::result::ResultSet;
use crate::{Database, Error, Params, ast, parser};

/// Why a statement or a transaction step failed.
#[derive(Debug)]
pub enum Failure {
    /// The statement failed.
    Statement(Box<Error>),
    /// The writer token was not free within the lock timeout.
    LockTimeout(Duration),
    /// Something a client may not do (`COPY ... TO` writes files on the server).
    Forbidden(String),
    /// A request the server does not take (several statements in one text).
    Refused(String),
    /// A commit whose change could not be made durable.
    Durability(String),
}

/// The outcome of one statement.
pub struct Outcome {
    pub result: ResultSet,
    /// Whether the statement could change the graph (its plan has writes).
    pub writes: bool,
}

/// The database and the writer token.
pub struct Shared {
    db: Mutex<Database>,
    writer: Mutex<bool>,
    writer_freed: Condvar,
    lock_timeout: Duration,
}

/// The writer token, given back when dropped.
pub struct WriterGuard<'a> {
    shared: &'a Shared,
}

impl Drop for WriterGuard<'_> {
    fn drop(&mut self) {
        *lock(&self.shared.writer) = false;
        self.shared.writer_freed.notify_one();
    }
}

/// A poisoned lock means a statement panicked; the database it guards was left as the
/// statement's atomic rollback put it, so serving goes on.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Parses `query` and says whether it writes, refusing what a server must not run.
fn classify(db: &Database, query: &str) -> Result<bool, Failure> {
    let statements = parser::parse(query).map_err(|e| Failure::Statement(Box::new(e.into())))?;
    let [statement] = statements.as_slice() else {
        return Err(Failure::Refused(format!(
            "a request runs one statement; this text has {}",
            statements.len()
        )));
    };
    if let ast::Statement::Copy { .. } = statement {
        return Err(Failure::Forbidden(
            "COPY ... TO writes files on the server, which clients may not do".into(),
        ));
    }
    let plan =
        plan::plan(statement, db.graph()).map_err(|e| Failure::Statement(Box::new(e.into())))?;
    Ok(plan.has_writes())
}

fn execute(db: &mut Database, query: &str, params: &Params) -> Result<ResultSet, Failure> {
    let mut results = db
        .execute_with_params(query, params)
        .map_err(|e| Failure::Statement(Box::new(e)))?;
    Ok(results.pop().unwrap_or_default())
}

impl Shared {
    /// Shares `db`; a writer waits at most `lock_timeout` for another to finish.
    pub fn new(db: Database, lock_timeout: Duration) -> Shared {
        Shared {
            db: Mutex::new(db),
            writer: Mutex::new(false),
            writer_freed: Condvar::new(),
            lock_timeout,
        }
    }

    /// Takes the writer token, waiting up to the lock timeout.
    fn writer(&self) -> Result<WriterGuard<'_>, Failure> {
        let deadline = Instant::now() + self.lock_timeout;
        let mut taken = lock(&self.writer);
        while *taken {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Failure::LockTimeout(self.lock_timeout));
            }
            taken = self
                .writer_freed
                .wait_timeout(taken, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        *taken = true;
        Ok(WriterGuard { shared: self })
    }

    /// Runs one auto-commit statement: atomic, and journaled when it writes to a dataset
    /// folder.
    ///
    /// # Errors
    /// The statement's error, a lock timeout for a write, or a refusal.
    pub fn run(&self, query: &str, params: &Params) -> Result<Outcome, Failure> {
        let writes = classify(&lock(&self.db), query)?;
        let _writer = if writes { Some(self.writer()?) } else { None };
        let result = execute(&mut lock(&self.db), query, params)?;
        Ok(Outcome { result, writes })
    }

    /// Begins an explicit transaction. It takes nothing until its first write.
    pub fn begin(&self) -> Transaction<'_> {
        Transaction {
            shared: self,
            own: None,
        }
    }

    /// Runs `f` on the database (for the server's own read-only needs).
    pub fn with_db<T>(&self, f: impl FnOnce(&Database) -> T) -> T {
        f(&lock(&self.db))
    }
}

/// An explicit transaction. Dropping it rolls it back.
pub struct Transaction<'a> {
    shared: &'a Shared,
    /// After the first write: the writer token and the private copy the transaction
    /// works on.
    own: Option<(WriterGuard<'a>, Database)>,
}

impl Transaction<'_> {
    /// Runs one statement in the transaction. A failed statement leaves the copy as it
    /// was before it (each statement is atomic).
    ///
    /// # Errors
    /// As [`Shared::run`].
    pub fn run(&mut self, query: &str, params: &Params) -> Result<Outcome, Failure> {
        if let Some((_, db)) = &mut self.own {
            let writes = classify(db, query)?;
            let result = execute(db, query, params)?;
            return Ok(Outcome { result, writes });
        }
        let writes = classify(&lock(&self.shared.db), query)?;
        if !writes {
            let result = execute(&mut lock(&self.shared.db), query, params)?;
            return Ok(Outcome { result, writes });
        }
        let writer = self.shared.writer()?;
        let mut copy = {
            let db = lock(&self.shared.db);
            let mut copy = Database::with_graph(db.graph().clone());
            copy.set_limits(db.limits().clone());
            copy
        };
        let result = execute(&mut copy, query, params)?;
        self.own = Some((writer, copy));
        Ok(Outcome { result, writes })
    }

    /// Whether the transaction has written (holds a private copy).
    pub fn has_written(&self) -> bool {
        self.own.is_some()
    }

    /// Makes the transaction's changes visible to all at once.
    ///
    /// # Errors
    /// [`Failure::Durability`] when the dataset folder could not be saved; the changes are
    /// then visible but not on disk.
    pub fn commit(self) -> Result<(), Failure> {
        let Some((_writer, copy)) = self.own else {
            return Ok(());
        };
        let mut db = lock(&self.shared.db);
        let journal = db.take_journal();
        db.replace_graph(copy.into_graph());
        if let Some(journal) = journal {
            let dir = journal.dir().to_path_buf();
            db.attach_journal(journal);
            db.save_dir(&dir)
                .map_err(|e| Failure::Durability(e.to_string()))?;
        }
        Ok(())
    }

    /// Drops the transaction's changes.
    pub fn rollback(self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(shared: &Shared) -> i64 {
        let out = shared
            .run("MATCH (n:T) RETURN count(n)", &Params::new())
            .unwrap();
        match out.result.rows[0][0] {
            crate::Value::Int(n) => n,
            ref other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_transaction_is_invisible_until_commit_and_gone_after_rollback() {
        let shared = Shared::new(Database::new(), Duration::from_millis(50));
        let params = Params::new();
        let mut tx = shared.begin();
        tx.run("CREATE (:T)", &params).unwrap();
        assert_eq!(count(&shared), 0, "readers see committed data only");
        assert!(matches!(
            shared.run("CREATE (:T)", &params),
            Err(Failure::LockTimeout(_))
        ));
        tx.commit().unwrap();
        assert_eq!(count(&shared), 1);
        let mut tx = shared.begin();
        tx.run("CREATE (:T)", &params).unwrap();
        tx.rollback();
        assert_eq!(count(&shared), 1);
        shared.run("CREATE (:T)", &params).unwrap();
        assert_eq!(count(&shared), 2, "the writer token was given back");
    }

    #[test]
    fn copy_to_and_several_statements_are_refused() {
        let shared = Shared::new(Database::new(), Duration::from_millis(50));
        let params = Params::new();
        assert!(matches!(
            shared.run("COPY (RETURN 1 AS x) TO '/tmp/x.csv'", &params),
            Err(Failure::Forbidden(_))
        ));
        assert!(matches!(
            shared.run("RETURN 1; RETURN 2", &params),
            Err(Failure::Refused(_))
        ));
    }
}
