//! Syntax tree → logical plan.

use thiserror::Error;

use crate::error::Span;
use crate::graph::Graph;

/// A query that parses but cannot be planned.
#[derive(Debug, Error, PartialEq)]
pub enum PlanError {
    #[error("plan: variable `{name}` is not defined")]
    UnknownVariable { name: String, span: Span },
}

impl PlanError {
    pub fn span(&self) -> Span {
        match self {
            PlanError::UnknownVariable { span, .. } => *span,
        }
    }
    pub fn tck_class(&self) -> &'static str {
        "SemanticError"
    }
}

pub struct LogicalPlan;

/// Plans one statement.
///
/// # Errors
/// A [`PlanError`].
pub fn plan(statement: &(), graph: &Graph) -> Result<LogicalPlan, PlanError> {
    let _ = (statement, graph);
    Ok(LogicalPlan)
}
