//! Expressions: resolving variables to slots, functions to the catalogue, and
//! subqueries (pattern predicates, pattern comprehensions, EXISTS) to pipelines.

use crate::ast::{self, ExprKind as A, Literal};
use crate::graph::Value;

use super::functions::{self, Function};
use super::logical::{Expr, ExprKind as P, MapProjectionItem, Name, NameKind, Pipeline};
use super::{PlanError, Planner, Scope, Var, VarKind, types};

type Result<T> = std::result::Result<T, PlanError>;

pub(super) fn literal(lit: &Literal) -> Value {
    match lit {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Int(i) => Value::Int(*i),
        Literal::Float(f) => Value::Float(*f),
        Literal::String(s) => Value::str(s),
    }
}

/// Whether `expr` calls an aggregate function (outside nested subqueries).
pub(super) fn contains_aggregate(expr: &ast::Expr) -> bool {
    let mut found = false;
    expr.walk(&mut |e| match &e.kind {
        A::CountStar => found = true,
        A::FunctionCall { name, .. } if functions::aggregate(name).is_some() => found = true,
        _ => {}
    });
    found
}

impl Planner<'_> {
    pub(super) fn name(&self, name: &str, kind: NameKind) -> Name {
        Name::new(name, kind, self.graph)
    }

    /// Looks a variable up, recording the read for the subquery being planned.
    pub(super) fn variable(
        &mut self,
        scope: &Scope,
        name: &str,
        span: crate::span::Span,
    ) -> Result<Var> {
        let var = scope.get(name).ok_or_else(|| PlanError::UnknownVariable {
            name: name.to_string(),
            span,
        })?;
        if let Some(log) = self.reference_logs.last_mut() {
            log.push(var.slot);
        }
        Ok(var)
    }

    /// Plans an expression where aggregates are not allowed (`context` says where).
    pub(super) fn expr(&mut self, e: &ast::Expr, scope: &Scope) -> Result<Expr> {
        self.expr_in(e, scope, "in this clause")
    }

    /// Plans an expression; `context` says where, for the errors of aggregates and
    /// pattern expressions that are not allowed there.
    pub(super) fn expr_in(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        context: &'static str,
    ) -> Result<Expr> {
        if let Some((_, slot)) = self
            .substitutions
            .iter()
            .find(|(k, _)| super::same_expr(k, e))
        {
            return Ok(Expr::new(P::Slot(*slot), e.span));
        }
        if self.aggregation.is_some()
            && let Some(planned) = self.aggregation_reference(e, scope)?
        {
            return Ok(planned);
        }
        let span = e.span;
        let kind = match &e.kind {
            A::Literal(lit) => P::Const(literal(lit)),
            A::Parameter(name) => P::Param(name.clone()),
            A::Variable(name) => self.variable_read(name, scope, span)?,
            A::Property { base, key } => self.property(base, key, scope, context)?,
            A::Index { base, index } => P::Index {
                base: self.boxed(base, scope, context)?,
                index: self.boxed(index, scope, context)?,
            },
            A::Slice { base, from, to } => P::Slice {
                base: self.boxed(base, scope, context)?,
                from: self.opt_expr(from.as_deref(), scope, context)?,
                to: self.opt_expr(to.as_deref(), scope, context)?,
            },
            A::HasLabels { base, labels } => P::HasLabels {
                base: self.boxed(base, scope, context)?,
                labels: labels
                    .iter()
                    .map(|l| self.name(l, NameKind::Label))
                    .collect(),
            },
            A::Unary { op, operand } => self.unary(*op, operand, scope, context)?,
            A::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, scope, context)?,
            A::IsNull { operand, negated } => P::IsNull {
                operand: self.boxed(operand, scope, context)?,
                negated: *negated,
            },
            A::List(items) => P::List(self.exprs(items, scope, context)?),
            A::Map(entries) => P::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.expr_in(v, scope, context)?)))
                    .collect::<Result<_>>()?,
            ),
            A::CountStar => return Err(PlanError::AggregateNotAllowed { context, span }),
            A::FunctionCall {
                name,
                distinct,
                args,
            } => return self.function_call(name, *distinct, args, scope, context, span),
            A::Case {
                operand,
                whens,
                else_,
            } => self.case(operand.as_deref(), whens, else_.as_deref(), scope, context)?,
            A::ListComprehension {
                variable,
                list,
                filter,
                map,
            } => self.list_comprehension(variable, list, filter, map, scope, context)?,
            A::Quantifier {
                kind,
                variable,
                list,
                predicate,
            } => self.quantifier(*kind, variable, list, predicate, scope, context)?,
            A::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => self.reduce(accumulator, init, variable, list, expr, scope, context)?,
            A::PatternPredicate(pattern) => {
                self.pattern_predicate(pattern, scope, context, span)?
            }
            A::PatternComprehension {
                path_variable,
                pattern,
                filter,
                map,
            } => self.pattern_comprehension(path_variable, pattern, filter, map, scope, context)?,
            A::Exists(body) => self.exists(body, scope)?,
            A::ShortestPath { .. } => {
                return Err(PlanError::Unsupported {
                    what: "shortestPath outside MATCH (write it as `MATCH p = shortestPath(...)`)"
                        .to_string(),
                    span,
                });
            }
            A::MapProjection { variable, items } => {
                self.map_projection(variable, items, scope, context)?
            }
        };
        Ok(Expr::new(kind, span))
    }

    fn boxed(&mut self, e: &ast::Expr, scope: &Scope, context: &'static str) -> Result<Box<Expr>> {
        self.expr_in(e, scope, context).map(Box::new)
    }

    fn exprs(
        &mut self,
        exprs: &[ast::Expr],
        scope: &Scope,
        context: &'static str,
    ) -> Result<Vec<Expr>> {
        exprs
            .iter()
            .map(|e| self.expr_in(e, scope, context))
            .collect()
    }

    /// A variable read; inside an aggregating projection, a variable of the input that
    /// is not a grouping key is ambiguous.
    fn variable_read(&mut self, name: &str, scope: &Scope, span: crate::span::Span) -> Result<P> {
        if let Some(agg) = &self.aggregation
            && scope.get(name).is_none()
            && agg.input_scope.get(name).is_some()
        {
            return Err(PlanError::AmbiguousAggregation { span });
        }
        let var = self.variable(scope, name, span)?;
        Ok(P::Slot(var.slot))
    }

    fn property(
        &mut self,
        base: &ast::Expr,
        key: &str,
        scope: &Scope,
        context: &'static str,
    ) -> Result<P> {
        let base = self.expr_in(base, scope, context)?;
        types::check_property_base(&base, scope)?;
        Ok(P::Property {
            base: Box::new(base),
            key: self.name(key, NameKind::Key),
        })
    }

    fn unary(
        &mut self,
        op: ast::UnaryOp,
        operand: &ast::Expr,
        scope: &Scope,
        context: &'static str,
    ) -> Result<P> {
        let operand = self.expr_in(operand, scope, context)?;
        if op == ast::UnaryOp::Not {
            types::expect(&operand, scope, types::StaticType::Bool)?;
        }
        Ok(P::Unary {
            op,
            operand: Box::new(operand),
        })
    }

    fn binary(
        &mut self,
        op: ast::BinaryOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        scope: &Scope,
        context: &'static str,
    ) -> Result<P> {
        let lhs = self.expr_in(lhs, scope, context)?;
        let rhs = self.expr_in(rhs, scope, context)?;
        types::check_binary(op, &lhs, &rhs, scope)?;
        Ok(P::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        })
    }

    fn case(
        &mut self,
        operand: Option<&ast::Expr>,
        whens: &[(ast::Expr, ast::Expr)],
        else_: Option<&ast::Expr>,
        scope: &Scope,
        context: &'static str,
    ) -> Result<P> {
        Ok(P::Case {
            operand: self.opt_expr(operand, scope, context)?,
            whens: whens
                .iter()
                .map(|(w, t)| {
                    Ok((
                        self.expr_in(w, scope, context)?,
                        self.expr_in(t, scope, context)?,
                    ))
                })
                .collect::<Result<_>>()?,
            else_: self.opt_expr(else_, scope, context)?,
        })
    }

    /// The list of a comprehension or quantifier, and a scope where `variable` holds
    /// its elements in a new slot.
    fn element_scope(
        &mut self,
        variable: &ast::Ident,
        list: &ast::Expr,
        scope: &Scope,
        context: &'static str,
    ) -> Result<(Box<Expr>, super::logical::Slot, Scope)> {
        let list = self.boxed(list, scope, context)?;
        types::expect(&list, scope, types::StaticType::List)?;
        let slot = self.new_slot();
        let mut inner = scope.clone();
        let kind = types::element_kind(&list, scope);
        inner.insert(&variable.name, Var { slot, kind });
        Ok((list, slot, inner))
    }

    fn list_comprehension(
        &mut self,
        variable: &ast::Ident,
        list: &ast::Expr,
        filter: &Option<Box<ast::Expr>>,
        map: &Option<Box<ast::Expr>>,
        scope: &Scope,
        context: &'static str,
    ) -> Result<P> {
        no_aggregate_inside(filter.as_deref().into_iter().chain(map.as_deref()))?;
        let (list, slot, inner) = self.element_scope(variable, list, scope, context)?;
        Ok(P::ListComprehension {
            slot,
            list,
            filter: self.opt_expr(filter.as_deref(), &inner, context)?,
            map: self.opt_expr(map.as_deref(), &inner, context)?,
        })
    }

    fn quantifier(
        &mut self,
        kind: ast::QuantifierKind,
        variable: &ast::Ident,
        list: &ast::Expr,
        predicate: &Option<Box<ast::Expr>>,
        scope: &Scope,
        context: &'static str,
    ) -> Result<P> {
        no_aggregate_inside(predicate.as_deref().into_iter())?;
        let (list, slot, inner) = self.element_scope(variable, list, scope, context)?;
        let predicate = self.opt_expr(predicate.as_deref(), &inner, context)?;
        Ok(P::Quantifier {
            kind,
            slot,
            list,
            predicate,
        })
    }

    #[allow(clippy::too_many_arguments)] // one per part of `reduce(acc = init, x IN list | expr)`
    fn reduce(
        &mut self,
        accumulator: &ast::Ident,
        init: &ast::Expr,
        variable: &ast::Ident,
        list: &ast::Expr,
        expr: &ast::Expr,
        scope: &Scope,
        context: &'static str,
    ) -> Result<P> {
        let init = self.boxed(init, scope, context)?;
        let list = self.boxed(list, scope, context)?;
        let (acc_slot, slot) = (self.new_slot(), self.new_slot());
        let mut inner = scope.clone();
        let value = |slot| Var {
            slot,
            kind: VarKind::Value,
        };
        inner.insert(&accumulator.name, value(acc_slot));
        inner.insert(&variable.name, value(slot));
        let expr = self.boxed(expr, &inner, context)?;
        Ok(P::Reduce {
            accumulator: acc_slot,
            init,
            slot,
            list,
            expr,
        })
    }

    /// A pattern used as a predicate in WHERE: whether the row extends to a match.
    fn pattern_predicate(
        &mut self,
        pattern: &ast::PatternElement,
        scope: &Scope,
        context: &'static str,
        span: crate::span::Span,
    ) -> Result<P> {
        if context != "in WHERE" {
            return Err(PlanError::PatternExpressionNotAllowed { span });
        }
        // A pattern predicate tests existing variables; it cannot introduce any.
        for v in pattern_variables(pattern) {
            if scope.get(&v.name).is_none() {
                return Err(PlanError::UnknownVariable {
                    name: v.name.clone(),
                    span: v.span,
                });
            }
        }
        let part = pattern_part(pattern);
        let pipeline = self.subquery(scope, |planner, ops, inner| {
            planner.plan_pattern(ops, inner, std::slice::from_ref(&part), None)
        })?;
        Ok(P::Subquery {
            pipeline: Box::new(pipeline),
            collect: None,
        })
    }

    /// `[p = (a)-->(b) WHERE filter | map]`.
    fn pattern_comprehension(
        &mut self,
        path_variable: &Option<ast::Ident>,
        pattern: &ast::PatternElement,
        filter: &Option<Box<ast::Expr>>,
        map: &ast::Expr,
        scope: &Scope,
        context: &'static str,
    ) -> Result<P> {
        let mut part = pattern_part(pattern);
        part.variable = path_variable.clone();
        let mut collect = None;
        let pipeline = self.subquery(scope, |planner, ops, inner| {
            planner.plan_pattern(ops, inner, std::slice::from_ref(&part), filter.as_deref())?;
            collect = Some(planner.expr_in(map, inner, context)?);
            Ok(())
        })?;
        Ok(P::Subquery {
            pipeline: Box::new(pipeline),
            collect: collect.map(Box::new),
        })
    }

    /// `EXISTS { pattern WHERE ... }` or `EXISTS { query }`, which may not write.
    fn exists(&mut self, body: &ast::ExistsBody, scope: &Scope) -> Result<P> {
        let pipeline = self.subquery(scope, |planner, ops, inner| match body {
            ast::ExistsBody::Pattern { pattern, where_ } => {
                planner.plan_pattern(ops, inner, pattern, where_.as_ref())
            }
            ast::ExistsBody::Query(query) => {
                let (p, _) = planner.plan_single_query(query, inner, false)?;
                if p.has_writes() {
                    return Err(PlanError::UpdateInSubquery { span: query.span });
                }
                ops.extend(p.ops);
                Ok(())
            }
        })?;
        Ok(P::Subquery {
            pipeline: Box::new(pipeline),
            collect: None,
        })
    }

    /// `v {.key, .*, name: expr, other}`.
    fn map_projection(
        &mut self,
        variable: &ast::Ident,
        items: &[ast::MapProjectionItem],
        scope: &Scope,
        context: &'static str,
    ) -> Result<P> {
        let var = self.variable(scope, &variable.name, variable.span)?;
        let base = Box::new(Expr::new(P::Slot(var.slot), variable.span));
        let mut planned = Vec::new();
        for item in items {
            planned.push(match item {
                ast::MapProjectionItem::AllProperties => MapProjectionItem::AllProperties,
                ast::MapProjectionItem::Property(key) => {
                    MapProjectionItem::Property(self.name(&key.name, NameKind::Key))
                }
                ast::MapProjectionItem::Entry(key, value) => {
                    MapProjectionItem::Entry(key.name.clone(), self.expr_in(value, scope, context)?)
                }
                ast::MapProjectionItem::Variable(v) => {
                    let var = self.variable(scope, &v.name, v.span)?;
                    MapProjectionItem::Entry(v.name.clone(), Expr::new(P::Slot(var.slot), v.span))
                }
            });
        }
        Ok(P::MapProjection {
            base,
            items: planned,
        })
    }

    fn opt_expr(
        &mut self,
        e: Option<&ast::Expr>,
        scope: &Scope,
        context: &'static str,
    ) -> Result<Option<Box<Expr>>> {
        e.map(|e| self.expr_in(e, scope, context).map(Box::new))
            .transpose()
    }

    fn function_call(
        &mut self,
        name: &str,
        distinct: bool,
        args: &[ast::Expr],
        scope: &Scope,
        context: &'static str,
        span: crate::span::Span,
    ) -> Result<Expr> {
        if functions::aggregate(name).is_some() {
            return Err(PlanError::AggregateNotAllowed { context, span });
        }
        let function = Function::resolve(name).ok_or_else(|| PlanError::UnknownFunction {
            name: name.to_string(),
            span,
        })?;
        let info = function.info();
        check_arity(name, args.len(), info.min_args, info.max_args, span)?;
        if distinct {
            return Err(PlanError::InvalidArgument {
                message: format!("DISTINCT only applies to aggregates, not `{name}`"),
                span,
            });
        }
        // The journal replays a statement from its text only when nothing it calls
        // changes from one run to the next.
        self.calls_random |= !info.is_replayable();
        let args = self.exprs(args, scope, context)?;
        types::check_call(function, &args, scope, span)?;
        Ok(Expr::new(P::Call { function, args }, span))
    }

    /// Plans a subquery that starts from the current row: `body` adds operators over a
    /// copy of the scope; the pipeline records which outer slots it reads.
    pub(super) fn subquery(
        &mut self,
        scope: &Scope,
        body: impl FnOnce(&mut Self, &mut Vec<super::logical::Op>, &mut Scope) -> Result<()>,
    ) -> Result<Pipeline> {
        let saved_aggregation = self.aggregation.take();
        self.reference_logs.push(Vec::new());
        let mut inner = scope.clone();
        let mut ops = Vec::new();
        let result = body(self, &mut ops, &mut inner);
        let mut reads = self.reference_logs.pop().unwrap_or_default();
        self.aggregation = saved_aggregation;
        result?;
        let outer: Vec<_> = scope.slots().collect();
        reads.retain(|s| outer.contains(s));
        reads.sort_unstable();
        reads.dedup();
        if let Some(parent) = self.reference_logs.last_mut() {
            parent.extend(reads.iter().copied());
        }
        Ok(Pipeline { ops, reads })
    }
}

pub(super) fn check_arity(
    name: &str,
    found: usize,
    min: usize,
    max: usize,
    span: crate::span::Span,
) -> Result<()> {
    if found < min || found > max {
        let expected = if min == max {
            min.to_string()
        } else if max == usize::MAX {
            format!("at least {min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(PlanError::WrongArgumentCount {
            name: name.to_string(),
            expected,
            found,
            span,
        });
    }
    Ok(())
}

fn pattern_part(pattern: &ast::PatternElement) -> ast::PatternPart {
    ast::PatternPart {
        variable: None,
        shortest: None,
        element: pattern.clone(),
        span: pattern.span,
    }
}

/// The named variables of a pattern.
fn pattern_variables(pattern: &ast::PatternElement) -> Vec<&ast::Ident> {
    let mut out: Vec<&ast::Ident> = pattern.start.variable.iter().collect();
    for (rel, node) in &pattern.chain {
        out.extend(rel.variable.iter());
        out.extend(node.variable.iter());
    }
    out
}

/// Aggregates cannot run per element of a comprehension or quantifier.
fn no_aggregate_inside<'e>(mut exprs: impl Iterator<Item = &'e ast::Expr>) -> Result<()> {
    match exprs.find(|e| contains_aggregate(e)) {
        Some(e) => Err(PlanError::AggregateNotAllowed {
            context: "inside a list comprehension or quantifier",
            span: e.span,
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::graph::Graph;

    fn replayable(text: &str) -> bool {
        let statements = crate::parser::parse(text).unwrap();
        super::super::plan(&statements[0], &Graph::new())
            .unwrap()
            .replayable
    }

    #[test]
    fn random_and_realtime_calls_make_a_plan_unreplayable() {
        for text in [
            "CREATE ({r: rand()})",
            "CREATE ({r: RAND ( )})",
            "CREATE ({t: datetime.realtime('Europe/Paris')})",
            "CREATE ({t: date.realtime /* now */ ()})",
            "MATCH (n) WHERE EXISTS { MATCH (n)-->(m) WHERE m.x < rand() } SET n.y = 1",
            "UNWIND [1, 2] AS x CREATE ({v: [y IN range(1, x) | y * rand()]})",
        ] {
            assert!(!replayable(text), "{text}");
        }
    }

    #[test]
    fn clocks_strings_comments_and_keys_leave_a_plan_replayable() {
        for text in [
            "CREATE ({d: datetime(), s: date.statement(), t: timestamp()})",
            "CREATE ({s: 'rand()'}) // timestamp()",
            "CREATE ({s: \"it's \\\" rand()\"})",
            "MATCH (n) SET n.timestamp = 1, n.rand = n.realtime",
            "CREATE ({timestamp: 1}) /* rand() */",
        ] {
            assert!(replayable(text), "{text}");
        }
    }
}
