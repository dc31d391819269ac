//! Errors found between parsing and execution, each with the span it is about.

use thiserror::Error;

use crate::span::Span;

/// A query that parses but cannot be planned.
#[derive(Debug, Error, PartialEq, Clone)]
pub enum PlanError {
    #[error("plan: variable `{name}` is not defined")]
    UnknownVariable { name: String, span: Span },
    #[error("plan: variable `{name}` is already defined")]
    VariableAlreadyBound { name: String, span: Span },
    #[error("plan: variable `{name}` is {found}, not {expected}")]
    VariableKindConflict {
        name: String,
        expected: &'static str,
        found: &'static str,
        span: Span,
    },
    #[error("plan: unknown function `{name}`")]
    UnknownFunction { name: String, span: Span },
    #[error("plan: `{name}` takes {expected} argument(s), not {found}")]
    WrongArgumentCount {
        name: String,
        expected: String,
        found: usize,
        span: Span,
    },
    #[error("plan: aggregate functions are not allowed here ({context})")]
    AggregateNotAllowed { context: &'static str, span: Span },
    #[error("plan: an aggregate cannot contain another aggregate")]
    NestedAggregate { span: Span },
    #[error(
        "plan: this expression mixes aggregated and non-aggregated values; project the \
         non-aggregated part with WITH first"
    )]
    AmbiguousAggregation { span: Span },
    #[error("plan: an expression in WITH must be aliased (use AS)")]
    MissingAlias { span: Span },
    #[error("plan: column `{name}` is returned twice")]
    DuplicateColumn { name: String, span: Span },
    #[error("plan: RETURN must be the last clause")]
    ReturnNotLast { span: Span },
    #[error("plan: a query must end with RETURN or an update (CREATE, MERGE, SET, REMOVE, DELETE)")]
    MissingReturn { span: Span },
    #[error("plan: all parts of a UNION must return the same columns")]
    UnionColumnsDiffer { span: Span },
    #[error("plan: UNION and UNION ALL cannot be mixed")]
    MixedUnion { span: Span },
    #[error("plan: {what} must be a non-negative integer")]
    NotACount { what: &'static str, span: Span },
    #[error("plan: {what} cannot refer to variables")]
    NonConstantExpression { what: &'static str, span: Span },
    #[error("plan: shortestPath needs a pattern with exactly one relationship")]
    ShortestPathNeedsOneRelationship { span: Span },
    #[error("plan: shortestPath's minimum length must be 0 or 1")]
    ShortestPathMinimumLength { span: Span },
    #[error("plan: TIME ORDERED does not apply to shortestPath")]
    TimeOrderedShortestPath { span: Span },
    #[error("plan: shortestPath cannot be created")]
    CreateShortestPath { span: Span },
    #[error("plan: a relationship to create needs a direction (`->` or `<-`)")]
    CreateUndirected { span: Span },
    #[error("plan: a variable-length relationship cannot be created")]
    CreateVariableLength { span: Span },
    #[error("plan: a relationship {clause} needs exactly one type")]
    RelationshipTypeCount { clause: &'static str, span: Span },
    #[error("plan: MERGE cannot use a variable-length relationship")]
    MergeVariableLength { span: Span },
    #[error("plan: {what} is not supported")]
    Unsupported { what: String, span: Span },
    #[error("plan: COPY needs a query that returns rows")]
    CopyNeedsRows { span: Span },
    #[error("plan: the query in ORDER BY uses `{name}`, which DISTINCT or an aggregate dropped")]
    DroppedVariable { name: String, span: Span },
    #[error("plan: {message}")]
    InvalidArgument { message: String, span: Span },
    #[error("plan: type mismatch: {problem}")]
    TypeMismatch { problem: String, span: Span },
    #[error(
        "plan: a pattern expression can only be used as a predicate in WHERE; use EXISTS {{ ... }} or a pattern comprehension"
    )]
    PatternExpressionNotAllowed { span: Span },
    #[error("plan: DELETE expects nodes, relationships or paths, not a {found}")]
    DeleteOfNonEntity { found: &'static str, span: Span },
    #[error(
        "plan: a parameter cannot stand for a pattern's property map in MATCH or MERGE; write {{key: $param.key}}"
    )]
    ParameterAsPropertyMap { span: Span },
    #[error("plan: an aggregate cannot take rand(): its result would not be repeatable")]
    RandomInAggregate { span: Span },
    #[error("plan: EXISTS {{ ... }} can only read: it cannot create, set or delete")]
    UpdateInSubquery { span: Span },
    #[error("plan: RETURN * needs at least one variable in scope")]
    NoVariablesInScope { span: Span },
    #[error("plan: type mismatch: a {found} has no properties")]
    PropertyOfNonMap { found: &'static str, span: Span },
}

impl PlanError {
    pub fn span(&self) -> Span {
        match self {
            PlanError::UnknownVariable { span, .. }
            | PlanError::VariableAlreadyBound { span, .. }
            | PlanError::VariableKindConflict { span, .. }
            | PlanError::UnknownFunction { span, .. }
            | PlanError::WrongArgumentCount { span, .. }
            | PlanError::AggregateNotAllowed { span, .. }
            | PlanError::NestedAggregate { span }
            | PlanError::AmbiguousAggregation { span }
            | PlanError::MissingAlias { span }
            | PlanError::DuplicateColumn { span, .. }
            | PlanError::ReturnNotLast { span }
            | PlanError::MissingReturn { span }
            | PlanError::UnionColumnsDiffer { span }
            | PlanError::MixedUnion { span }
            | PlanError::NotACount { span, .. }
            | PlanError::NonConstantExpression { span, .. }
            | PlanError::ShortestPathNeedsOneRelationship { span }
            | PlanError::ShortestPathMinimumLength { span }
            | PlanError::TimeOrderedShortestPath { span }
            | PlanError::CreateShortestPath { span }
            | PlanError::CreateUndirected { span }
            | PlanError::CreateVariableLength { span }
            | PlanError::RelationshipTypeCount { span, .. }
            | PlanError::MergeVariableLength { span }
            | PlanError::Unsupported { span, .. }
            | PlanError::CopyNeedsRows { span }
            | PlanError::DroppedVariable { span, .. }
            | PlanError::InvalidArgument { span, .. }
            | PlanError::TypeMismatch { span, .. }
            | PlanError::PatternExpressionNotAllowed { span }
            | PlanError::DeleteOfNonEntity { span, .. }
            | PlanError::ParameterAsPropertyMap { span }
            | PlanError::NoVariablesInScope { span }
            | PlanError::RandomInAggregate { span }
            | PlanError::UpdateInSubquery { span }
            | PlanError::PropertyOfNonMap { span, .. } => *span,
        }
    }

    /// The openCypher TCK's error class for this error.
    pub fn tck_class(&self) -> &'static str {
        match self {
            PlanError::WrongArgumentCount { .. }
            | PlanError::ShortestPathNeedsOneRelationship { .. }
            | PlanError::ShortestPathMinimumLength { .. }
            | PlanError::TimeOrderedShortestPath { .. }
            | PlanError::CreateShortestPath { .. }
            | PlanError::CreateUndirected { .. }
            | PlanError::CreateVariableLength { .. }
            | PlanError::RelationshipTypeCount { .. }
            | PlanError::MergeVariableLength { .. }
            | PlanError::UnknownVariable { .. }
            | PlanError::VariableAlreadyBound { .. }
            | PlanError::VariableKindConflict { .. }
            | PlanError::UnknownFunction { .. }
            | PlanError::AggregateNotAllowed { .. }
            | PlanError::NestedAggregate { .. }
            | PlanError::AmbiguousAggregation { .. }
            | PlanError::MissingAlias { .. }
            | PlanError::DuplicateColumn { .. }
            | PlanError::ReturnNotLast { .. }
            | PlanError::MissingReturn { .. }
            | PlanError::UnionColumnsDiffer { .. }
            | PlanError::MixedUnion { .. }
            | PlanError::NotACount { .. }
            | PlanError::NonConstantExpression { .. }
            | PlanError::DroppedVariable { .. }
            | PlanError::CopyNeedsRows { .. } => "SyntaxError",
            PlanError::InvalidArgument { .. } => "ArgumentError",
            PlanError::TypeMismatch { .. }
            | PlanError::PatternExpressionNotAllowed { .. }
            | PlanError::DeleteOfNonEntity { .. }
            | PlanError::ParameterAsPropertyMap { .. }
            | PlanError::NoVariablesInScope { .. }
            | PlanError::RandomInAggregate { .. }
            | PlanError::UpdateInSubquery { .. } => "SyntaxError",
            PlanError::PropertyOfNonMap { .. } => "TypeError",
            PlanError::Unsupported { .. } => "SemanticError",
        }
    }
}
