//! Syntax tree → logical plan. Binds each variable to a row slot, checks scope and kinds
//! (the semantic check between parsing and execution), resolves functions, and turns
//! each clause into operators.
//!
//! ```
//! let graph = datatrail::Graph::new();
//! let statements = datatrail::parser::parse("UNWIND [1, 2] AS x RETURN x * 2 AS y").unwrap();
//! let plan = datatrail::plan::plan(&statements[0], &graph).unwrap();
//! assert_eq!(plan.columns, vec!["y".to_string()]);
//! ```

mod clauses;
mod error;
mod expr;
pub mod functions;
pub mod logical;
pub mod optimize;
mod pattern;
mod projection;
mod types;

pub use error::PlanError;
pub use logical::LogicalPlan;
pub use optimize::OptimizerConfig;

use crate::ast;
use crate::graph::Graph;
use logical::{Pipeline, Slot};

/// What a variable holds, as far as the planner can tell.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum VarKind {
    Node,
    Rel,
    /// The relationships of a variable-length pattern.
    RelList,
    Path,
    /// Known not to be an entity: a Boolean, number, string, list or map.
    Known(types::StaticType),
    Value,
}

impl VarKind {
    fn describe(self) -> &'static str {
        match self {
            VarKind::Node => "a node",
            VarKind::Rel => "a relationship",
            VarKind::RelList => "a list of relationships",
            VarKind::Path => "a path",
            VarKind::Known(_) => "a value that is not a node or relationship",
            VarKind::Value => "a value",
        }
    }
}

#[derive(Copy, Clone, Debug)]
struct Var {
    slot: Slot,
    kind: VarKind,
}

/// The variables visible at a point of a query, in the order they were introduced.
#[derive(Clone, Debug, Default)]
struct Scope {
    vars: Vec<(String, Var)>,
}

impl Scope {
    fn get(&self, name: &str) -> Option<Var> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    fn insert(&mut self, name: &str, var: Var) {
        self.vars.retain(|(n, _)| n != name);
        self.vars.push((name.to_string(), var));
    }

    fn slots(&self) -> impl Iterator<Item = Slot> + '_ {
        self.vars.iter().map(|(_, v)| v.slot)
    }

    /// User-visible variables (not the planner's hidden ones), sorted by name.
    fn user_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .vars
            .iter()
            .map(|(n, _)| n.clone())
            .filter(|n| !n.starts_with(' '))
            .collect();
        names.sort();
        names
    }
}

/// Plans one statement against the graph's current symbols.
///
/// # Errors
/// A [`PlanError`] for queries that parse but make no sense: unknown variables and
/// functions, kinds that clash, aggregates in the wrong place, and the like.
pub fn plan(statement: &ast::Statement, graph: &Graph) -> Result<LogicalPlan, PlanError> {
    plan_with(statement, graph, true)
}

/// Like [`plan`], with some optimizations off (for differential tests: every plan must
/// return the same rows): `false` turns off predicate pushdown and every rewrite pass,
/// an [`OptimizerConfig`] chooses.
///
/// # Errors
/// As [`plan`].
pub fn plan_with(
    statement: &ast::Statement,
    graph: &Graph,
    optimizer: impl Into<OptimizerConfig>,
) -> Result<LogicalPlan, PlanError> {
    let mut planner = Planner::new(graph);
    planner.passes = optimizer.into();
    planner.optimize = planner.passes.pushdown;
    match statement {
        ast::Statement::Query(query) => planner.plan_query(query, None),
        ast::Statement::Copy { query, path, span } => {
            let plan = planner.plan_query(query, Some(path.clone()))?;
            if plan.columns.is_empty() {
                return Err(PlanError::CopyNeedsRows { span: *span });
            }
            Ok(plan)
        }
    }
}

struct Planner<'g> {
    graph: &'g Graph,
    next_slot: Slot,
    /// Slots read by variable references, one log per subquery being planned.
    reference_logs: Vec<Vec<Slot>>,
    /// Set while planning the items of an aggregating projection.
    aggregation: Option<projection::AggregationContext>,
    /// Push predicates into expansions.
    optimize: bool,
    /// The rewrite passes run over each planned pipeline.
    passes: OptimizerConfig,
    /// The MATCH being planned has one relationship and no named path.
    sole_unnamed_rel: bool,
    /// After a projection: expressions that read a projected column instead.
    substitutions: Vec<(ast::Expr, Slot)>,
    /// A function whose value differs on every run has been resolved.
    calls_random: bool,
}

impl<'g> Planner<'g> {
    fn new(graph: &'g Graph) -> Planner<'g> {
        Planner {
            graph,
            next_slot: 0,
            reference_logs: Vec::new(),
            aggregation: None,
            optimize: true,
            passes: OptimizerConfig::all(),
            sole_unnamed_rel: false,
            substitutions: Vec::new(),
            calls_random: false,
        }
    }

    fn new_slot(&mut self) -> Slot {
        let slot = self.next_slot;
        self.next_slot += 1;
        slot
    }

    /// A new variable in `scope`; an error when the name is already taken.
    fn declare_new(
        &mut self,
        scope: &mut Scope,
        name: &ast::Ident,
        kind: VarKind,
    ) -> Result<Slot, PlanError> {
        if scope.get(&name.name).is_some() {
            return Err(PlanError::VariableAlreadyBound {
                name: name.name.clone(),
                span: name.span,
            });
        }
        let slot = self.new_slot();
        scope.insert(&name.name, Var { slot, kind });
        Ok(slot)
    }

    fn plan_query(
        &mut self,
        query: &ast::Query,
        copy_to: Option<String>,
    ) -> Result<LogicalPlan, PlanError> {
        let mut parts = Vec::new();
        let mut columns: Option<Vec<String>> = None;
        for single in &query.parts {
            self.next_slot = 0;
            let mut scope = Scope::default();
            let (pipeline, cols) = self.plan_single_query(single, &mut scope, true)?;
            let pipeline = optimize::optimize(pipeline, &self.passes);
            if let Some(expected) = &columns
                && *expected != cols
            {
                return Err(PlanError::UnionColumnsDiffer { span: single.span });
            }
            columns = Some(cols);
            parts.push(pipeline);
        }
        let mixed = query.union_all.windows(2).any(|w| w[0] != w[1]);
        if mixed {
            return Err(PlanError::MixedUnion { span: query.span });
        }
        Ok(LogicalPlan {
            parts,
            union_all: query.union_all.clone(),
            columns: columns.unwrap_or_default(),
            copy_to,
            replayable: !self.calls_random,
        })
    }

    /// Plans the clauses of one single query; `top_level` queries must end in RETURN or
    /// an update, subqueries (EXISTS) may end anywhere.
    fn plan_single_query(
        &mut self,
        query: &ast::SingleQuery,
        scope: &mut Scope,
        top_level: bool,
    ) -> Result<(Pipeline, Vec<String>), PlanError> {
        let mut ops = Vec::new();
        let mut columns = Vec::new();
        let last = query.clauses.len().saturating_sub(1);
        for (i, clause) in query.clauses.iter().enumerate() {
            if let ast::Clause::Return { span, .. } = clause
                && i != last
            {
                return Err(PlanError::ReturnNotLast { span: *span });
            }
            if let Some(cols) = self.plan_clause(clause, &mut ops, scope)? {
                columns = cols;
            }
        }
        if top_level && let Some(clause) = query.clauses.last() {
            let concludes = matches!(
                clause,
                ast::Clause::Return { .. }
                    | ast::Clause::Create { .. }
                    | ast::Clause::Merge(_)
                    | ast::Clause::Set { .. }
                    | ast::Clause::Remove { .. }
                    | ast::Clause::Delete { .. }
                    | ast::Clause::Call { .. }
            );
            if !concludes {
                return Err(PlanError::MissingReturn {
                    span: clause.span(),
                });
            }
        }
        Ok((
            Pipeline {
                ops,
                reads: Vec::new(),
            },
            columns,
        ))
    }
}

/// Span-insensitive comparison of two expressions (`ORDER BY n.name` matching the
/// projected `n.name`).
fn same_expr(a: &ast::Expr, b: &ast::Expr) -> bool {
    strip_spans(&format!("{:?}", a.kind)) == strip_spans(&format!("{:?}", b.kind))
}

fn strip_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find("span: Span {") {
        out.push_str(&rest[..i]);
        let after = &rest[i..];
        let end = after.find('}').map_or(after.len(), |j| j + 1);
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}
