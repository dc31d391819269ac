//! Explicit transactions: several statements that become visible and durable together,
//! or not at all.
//!
//! While a transaction is open the graph records its writes in its undo log
//! (`graph/undo.rs`): rolling back undoes them, committing forgets the log. Each
//! statement is atomic on its own as well: one that fails is undone back to where it
//! started and the transaction stays open, unchanged by it (the rule of Neo4j's
//! `cypher-shell`, whose server would instead mark the whole transaction as failed).
//! The write statements of a committed transaction go to the journal as one entry, so
//! that a crash never replays part of a transaction.

mod shared;

pub use shared::{DEFAULT_LOCK_TIMEOUT, Session, SharedDatabase};

// Root items through `super`: this module is part of the crate root's layer (see
// tests/layers.rs).
use super::graph::{Graph, Mark};
use super::{Database, Error, Params, ResultSet, TxError, journal};

/// What a committed transaction did.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Committed {
    /// Write statements that succeeded in it.
    pub statements: usize,
    /// Writes to nodes, relationships, properties and labels.
    pub changes: usize,
}

/// The state of an open transaction in a [`Database`].
#[derive(Debug)]
pub(crate) struct OpenTx {
    /// Where the graph's undo log stood at `begin`.
    pub start: Mark,
    /// Its write statements that succeeded, to journal at commit.
    pub entries: Vec<journal::Entry>,
    /// Whether every one of them can be replayed from its text (no `rand()`, ...).
    pub replayable: bool,
    pub statements: usize,
}

impl Database {
    /// Opens a transaction: later statements run in it until
    /// [`Database::commit_transaction`] or [`Database::rollback_transaction`].
    /// [`Database::begin`] gives a handle that rolls back when dropped.
    ///
    /// # Errors
    /// [`TxError::AlreadyOpen`].
    pub fn begin_transaction(&mut self) -> Result<(), Error> {
        if self.tx.is_some() {
            return Err(TxError::AlreadyOpen.into());
        }
        self.graph.start_recording();
        self.tx = Some(OpenTx {
            start: self.graph.mark(),
            entries: Vec::new(),
            replayable: true,
            statements: 0,
        });
        Ok(())
    }

    /// Whether a transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.tx.is_some()
    }

    /// Makes the open transaction's changes durable (one journal entry) and keeps them.
    /// If they cannot be made durable they are undone, so that the graph matches the
    /// folder.
    ///
    /// # Errors
    /// [`TxError::NotOpen`], or the journal's error (the transaction is then rolled back).
    pub fn commit_transaction(&mut self) -> Result<Committed, Error> {
        let tx = self
            .tx
            .take()
            .ok_or(TxError::NotOpen { action: "commit" })?;
        let committed = Committed {
            statements: tx.statements,
            changes: self.graph.changes_since(&tx.start),
        };
        if !tx.entries.is_empty()
            && let Err(e) = self.make_durable(tx.entries, tx.replayable)
        {
            self.graph.undo_to(&tx.start);
            self.graph.stop_recording();
            return Err(e);
        }
        self.graph.stop_recording();
        Ok(committed)
    }

    /// Undoes the open transaction's changes and closes it; returns how many writes were
    /// undone.
    ///
    /// # Errors
    /// [`TxError::NotOpen`].
    pub fn rollback_transaction(&mut self) -> Result<usize, Error> {
        let tx = self.tx.take().ok_or(TxError::NotOpen {
            action: "roll back",
        })?;
        let undone = self.graph.changes_since(&tx.start);
        self.graph.undo_to(&tx.start);
        self.graph.stop_recording();
        Ok(undone)
    }

    /// Opens a transaction and returns its handle: statements run through it, and
    /// dropping it without [`Transaction::commit`] rolls back.
    ///
    /// # Errors
    /// [`TxError::AlreadyOpen`].
    pub fn begin(&mut self) -> Result<Transaction<'_>, Error> {
        self.begin_transaction()?;
        Ok(Transaction { db: self })
    }
}

/// An open transaction of a [`Database`]; dropping it rolls back.
pub struct Transaction<'a> {
    db: &'a mut Database,
}

impl Transaction<'_> {
    /// Runs statements in the transaction, with the session's parameters. A failing
    /// statement leaves the transaction open and unchanged by it.
    ///
    /// # Errors
    /// As [`Database::execute`].
    pub fn execute(&mut self, query: &str) -> Result<Vec<ResultSet>, Error> {
        self.db.execute(query)
    }

    /// Like [`Transaction::execute`], with explicit parameters.
    ///
    /// # Errors
    /// As [`Database::execute`].
    pub fn execute_with_params(
        &mut self,
        query: &str,
        params: &Params,
    ) -> Result<Vec<ResultSet>, Error> {
        self.db.execute_with_params(query, params)
    }

    /// The graph as this transaction sees it, its own changes included.
    pub fn graph(&self) -> &Graph {
        self.db.graph()
    }

    /// Commits: see [`Database::commit_transaction`].
    ///
    /// # Errors
    /// The journal's error; the transaction is then rolled back.
    pub fn commit(self) -> Result<Committed, Error> {
        self.db.commit_transaction()
    }

    /// Rolls back; returns how many writes were undone.
    pub fn rollback(self) -> usize {
        self.db.rollback_transaction().unwrap_or(0)
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if self.db.in_transaction() {
            let _ = self.db.rollback_transaction();
        }
    }
}
