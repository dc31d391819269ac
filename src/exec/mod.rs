//! Logical plan → rows, over the graph.

use std::sync::atomic::AtomicBool;

use thiserror::Error;

use crate::Params;
use crate::error::Span;
use crate::graph::Graph;
use crate::plan::LogicalPlan;
use crate::result::ResultSet;

/// What a running statement needs besides the graph.
pub struct Context<'a> {
    pub params: &'a Params,
    pub interrupt: &'a AtomicBool,
}

/// A statement that failed while running.
#[derive(Debug, Error, PartialEq)]
pub enum ExecError {
    #[error("exec: statement interrupted")]
    Interrupted,
    #[error("exec: type mismatch: {message}")]
    TypeMismatch { message: String, span: Span },
}

impl ExecError {
    pub fn span(&self) -> Option<Span> {
        match self {
            ExecError::Interrupted => None,
            ExecError::TypeMismatch { span, .. } => Some(*span),
        }
    }
    pub fn tck_class(&self) -> &'static str {
        "TypeError"
    }
}

/// Runs a plan.
///
/// # Errors
/// An [`ExecError`].
pub fn execute(
    plan: &LogicalPlan,
    graph: &mut Graph,
    ctx: &Context,
) -> Result<ResultSet, ExecError> {
    let _ = (plan, ctx);
    Ok(ResultSet::new(vec![], vec![], graph))
}
