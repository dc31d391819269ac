//! The top-level error, wrapping each stage's error once. It sits above the stages it
//! wraps (as gluesql's `core/src/result.rs` does); spans and their rendering are
//! [`crate::span`]'s.

use std::time::Duration;

use thiserror::Error;

use crate::exec::ExecError;
use crate::export::ExportError;
use crate::journal::JournalError;
use crate::load::LoadError;
use crate::parser::SyntaxError;
use crate::plan::PlanError;
pub use crate::span::{Span, line_col, render_diagnostic, render_diagnostic_from_line};

/// Any error datatrail reports.
#[derive(Debug, Error)]
pub enum Error {
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Exec(#[from] ExecError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(transparent)]
    Transaction(#[from] TxError),
}

impl Error {
    /// Where in the query text the error is, when it is about the query.
    pub fn span(&self) -> Option<Span> {
        match self {
            Error::Syntax(e) => Some(e.span),
            Error::Plan(e) => Some(e.span()),
            Error::Exec(e) => e.span(),
            Error::Load(_) | Error::Export(_) | Error::Journal(_) | Error::Transaction(_) => None,
        }
    }

    /// The openCypher TCK's error class (`SyntaxError`, `SemanticError`, `TypeError`, ...)
    /// and whether it is raised at compile time.
    pub fn tck_class(&self) -> (&'static str, bool) {
        match self {
            Error::Syntax(_) => ("SyntaxError", true),
            Error::Plan(e) => (e.tck_class(), true),
            Error::Exec(e) => (e.tck_class(), false),
            Error::Load(_) | Error::Export(_) | Error::Journal(_) => ("IOError", false),
            Error::Transaction(_) => ("TransactionError", false),
        }
    }

    /// Renders the error with the query line and a caret under its span.
    /// `origin` names the source (`script.cypher`, or `query` for typed text).
    pub fn render(&self, source: &str, origin: &str) -> String {
        self.render_at(source, origin, 0)
    }

    /// Like [`Error::render`] for a statement that starts `offset` bytes into `source`
    /// (a script), so the line and column are the script's.
    pub fn render_at(&self, source: &str, origin: &str, offset: usize) -> String {
        self.render_in(source, origin, offset, 1)
    }

    /// Like [`Error::render_at`] for a `source` that starts on line `first_line` of
    /// `origin` (a script read from a pipe as it arrives).
    pub fn render_in(
        &self,
        source: &str,
        origin: &str,
        offset: usize,
        first_line: usize,
    ) -> String {
        let message = self.to_string();
        match self.span() {
            Some(span) => render_diagnostic_from_line(
                &message,
                source,
                origin,
                span.shift(offset),
                first_line,
            ),
            None => format!("error: {message}\n"),
        }
    }
}

/// A misuse of transactions, or a transaction that could not start in time.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TxError {
    /// `:commit` or `:rollback` with no transaction open.
    #[error("there is no open transaction to {action} (start one with :begin)")]
    NotOpen { action: &'static str },
    /// `:begin` while a transaction is open.
    #[error(
        "a transaction is already open: transactions do not nest (:commit or :rollback it first)"
    )]
    AlreadyOpen,
    /// An action that would see or drop uncommitted changes.
    #[error("cannot {action} while a transaction is open: :commit or :rollback it first")]
    Open { action: &'static str },
    /// Another session held the write lock for longer than the lock timeout.
    #[error(
        "another session is writing: gave up waiting for the write lock after {} ms; \
         nothing was changed, and the transaction can be retried",
        waited.as_millis()
    )]
    LockTimeout { waited: Duration },
    /// A write statement sent through a read-only handle.
    #[error("this statement writes, and the handle it was sent through only reads")]
    ReadOnly,
}

impl TxError {
    /// Whether running the same transaction again may succeed (a lock timeout).
    pub fn is_retryable(&self) -> bool {
        matches!(self, TxError::LockTimeout { .. })
    }
}
