//! Errors raised while a statement runs.

use thiserror::Error;

use crate::span::Span;

/// A statement that failed while running.
#[derive(Debug, Error, PartialEq, Clone)]
pub enum ExecError {
    #[error("exec: statement interrupted")]
    Interrupted,
    #[error(
        "exec: statement exceeded the {} timeout; raise it with --timeout SECONDS (`:timeout` in the shell)",
        crate::limits::format_seconds(*limit)
    )]
    Timeout { limit: std::time::Duration },
    #[error(
        "exec: statement returns more than {limit} {}, the row limit; raise it with --max-rows N (`:max-rows` in the shell) or add LIMIT",
        if *limit == 1 { "row" } else { "rows" }
    )]
    TooManyRows { limit: u64 },
    #[error(
        "exec: statement needs more than the {} memory budget; raise it with --memory-limit SIZE (`:memory-limit` in the shell)",
        crate::limits::format_size(*budget)
    )]
    OutOfMemory { budget: u64 },
    #[error("exec: a value nests lists and maps more than {limit} levels deep")]
    TooDeep { limit: usize },
    #[error("exec: type mismatch: {message}")]
    TypeMismatch { message: String, span: Span },
    #[error("exec: {message}")]
    InvalidArgument { message: String, span: Span },
    #[error("exec: {message}")]
    InvalidCount { message: String, span: Span },
    #[error("exec: {message}")]
    MergeNullProperty { message: String, span: Span },
    #[error("exec: {message}")]
    Arithmetic { message: String, span: Span },
    #[error("exec: parameter `${name}` was not given")]
    MissingParameter { name: String, span: Span },
    #[error(
        "exec: cannot delete a node that still has relationships; use DETACH DELETE to delete them too"
    )]
    DeleteConnectedNode,
    #[error("exec: {message}")]
    InvalidUpdate { message: String, span: Span },
    #[error("exec: {message}")]
    DeletedEntity { message: String, span: Span },
    #[error("exec: updates cannot run inside a subquery ({op})")]
    UpdateInSubquery { op: String },
    #[error("exec: cannot write {path}: {message}")]
    Copy { path: String, message: String },
}

impl ExecError {
    pub fn span(&self) -> Option<Span> {
        match self {
            ExecError::TypeMismatch { span, .. }
            | ExecError::InvalidArgument { span, .. }
            | ExecError::InvalidCount { span, .. }
            | ExecError::MergeNullProperty { span, .. }
            | ExecError::Arithmetic { span, .. }
            | ExecError::MissingParameter { span, .. }
            | ExecError::InvalidUpdate { span, .. }
            | ExecError::DeletedEntity { span, .. } => Some(*span),
            ExecError::Interrupted
            | ExecError::Timeout { .. }
            | ExecError::TooManyRows { .. }
            | ExecError::OutOfMemory { .. }
            | ExecError::TooDeep { .. }
            | ExecError::DeleteConnectedNode
            | ExecError::UpdateInSubquery { .. }
            | ExecError::Copy { .. } => None,
        }
    }

    /// The openCypher TCK's error class.
    pub fn tck_class(&self) -> &'static str {
        match self {
            ExecError::TypeMismatch { .. } | ExecError::InvalidUpdate { .. } => "TypeError",
            ExecError::InvalidArgument { .. } | ExecError::Arithmetic { .. } => "ArgumentError",
            ExecError::MissingParameter { .. } => "ParameterMissing",
            // The TCK files these under SyntaxError and SemanticError, raised at runtime.
            ExecError::InvalidCount { .. } => "SyntaxError",
            ExecError::MergeNullProperty { .. } => "SemanticError",
            ExecError::DeleteConnectedNode => "ConstraintVerificationFailed",
            ExecError::DeletedEntity { .. } => "EntityNotFound",
            ExecError::Interrupted
            | ExecError::Timeout { .. }
            | ExecError::TooManyRows { .. }
            | ExecError::OutOfMemory { .. }
            | ExecError::TooDeep { .. }
            | ExecError::UpdateInSubquery { .. }
            | ExecError::Copy { .. } => "RuntimeError",
        }
    }
}
