//! Expressions: resolving variables to slots, functions to the function table, and
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
    pub(super) fn variable(&mut self, scope: &Scope, name: &str, span: crate::Span) -> Result<Var> {
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
            A::Variable(name) => {
                if let Some(agg) = &self.aggregation
                    && scope.get(name).is_none()
                    && agg.input_scope.get(name).is_some()
                {
                    return Err(PlanError::AmbiguousAggregation { span });
                }
                let var = self.variable(scope, name, span)?;
                P::Slot(var.slot)
            }
            A::Property { base, key } => {
                let base = self.expr_in(base, scope, context)?;
                types::check_property_base(&base, scope)?;
                P::Property {
                    base: Box::new(base),
                    key: self.name(key, NameKind::Key),
                }
            }
            A::Index { base, index } => P::Index {
                base: Box::new(self.expr_in(base, scope, context)?),
                index: Box::new(self.expr_in(index, scope, context)?),
            },
            A::Slice { base, from, to } => P::Slice {
                base: Box::new(self.expr_in(base, scope, context)?),
                from: self.opt_expr(from.as_deref(), scope, context)?,
                to: self.opt_expr(to.as_deref(), scope, context)?,
            },
            A::HasLabels { base, labels } => P::HasLabels {
                base: Box::new(self.expr_in(base, scope, context)?),
                labels: labels
                    .iter()
                    .map(|l| self.name(l, NameKind::Label))
                    .collect(),
            },
            A::Unary { op, operand } => {
                let operand = self.expr_in(operand, scope, context)?;
                if *op == ast::UnaryOp::Not {
                    types::expect(&operand, scope, types::StaticType::Bool)?;
                }
                P::Unary {
                    op: *op,
                    operand: Box::new(operand),
                }
            }
            A::Binary { op, lhs, rhs } => {
                let lhs = self.expr_in(lhs, scope, context)?;
                let rhs = self.expr_in(rhs, scope, context)?;
                types::check_binary(*op, &lhs, &rhs, scope)?;
                P::Binary {
                    op: *op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                }
            }
            A::IsNull { operand, negated } => P::IsNull {
                operand: Box::new(self.expr_in(operand, scope, context)?),
                negated: *negated,
            },
            A::List(items) => P::List(
                items
                    .iter()
                    .map(|i| self.expr_in(i, scope, context))
                    .collect::<Result<_>>()?,
            ),
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
            } => {
                return self.function_call(name, *distinct, args, scope, context, span);
            }
            A::Case {
                operand,
                whens,
                else_,
            } => P::Case {
                operand: self.opt_expr(operand.as_deref(), scope, context)?,
                whens: whens
                    .iter()
                    .map(|(w, t)| {
                        Ok((
                            self.expr_in(w, scope, context)?,
                            self.expr_in(t, scope, context)?,
                        ))
                    })
                    .collect::<Result<_>>()?,
                else_: self.opt_expr(else_.as_deref(), scope, context)?,
            },
            A::ListComprehension {
                variable,
                list,
                filter,
                map,
            } => {
                no_aggregate_inside(filter.as_deref().into_iter().chain(map.as_deref()))?;
                let list = Box::new(self.expr_in(list, scope, context)?);
                types::expect(&list, scope, types::StaticType::List)?;
                let slot = self.new_slot();
                let mut inner = scope.clone();
                let kind = types::element_kind(&list, scope);
                inner.insert(&variable.name, Var { slot, kind });
                P::ListComprehension {
                    slot,
                    list,
                    filter: self.opt_expr(filter.as_deref(), &inner, context)?,
                    map: self.opt_expr(map.as_deref(), &inner, context)?,
                }
            }
            A::Quantifier {
                kind,
                variable,
                list,
                predicate,
            } => {
                no_aggregate_inside(predicate.as_deref().into_iter())?;
                let list = Box::new(self.expr_in(list, scope, context)?);
                types::expect(&list, scope, types::StaticType::List)?;
                let slot = self.new_slot();
                let mut inner = scope.clone();
                let element = types::element_kind(&list, scope);
                inner.insert(
                    &variable.name,
                    Var {
                        slot,
                        kind: element,
                    },
                );
                let predicate = self.opt_expr(predicate.as_deref(), &inner, context)?;
                P::Quantifier {
                    kind: *kind,
                    slot,
                    list,
                    predicate,
                }
            }
            A::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => {
                let init = Box::new(self.expr_in(init, scope, context)?);
                let list = Box::new(self.expr_in(list, scope, context)?);
                let (acc_slot, slot) = (self.new_slot(), self.new_slot());
                let mut inner = scope.clone();
                inner.insert(
                    &accumulator.name,
                    Var {
                        slot: acc_slot,
                        kind: VarKind::Value,
                    },
                );
                inner.insert(
                    &variable.name,
                    Var {
                        slot,
                        kind: VarKind::Value,
                    },
                );
                let expr = Box::new(self.expr_in(expr, &inner, context)?);
                P::Reduce {
                    accumulator: acc_slot,
                    init,
                    slot,
                    list,
                    expr,
                }
            }
            A::PatternPredicate(pattern) => {
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
                P::Subquery {
                    pipeline: Box::new(pipeline),
                    collect: None,
                }
            }
            A::PatternComprehension {
                path_variable,
                pattern,
                filter,
                map,
            } => {
                let mut part = pattern_part(pattern);
                part.variable = path_variable.clone();
                let mut collect = None;
                let pipeline = self.subquery(scope, |planner, ops, inner| {
                    planner.plan_pattern(
                        ops,
                        inner,
                        std::slice::from_ref(&part),
                        filter.as_deref(),
                    )?;
                    collect = Some(planner.expr_in(map, inner, context)?);
                    Ok(())
                })?;
                P::Subquery {
                    pipeline: Box::new(pipeline),
                    collect: collect.map(Box::new),
                }
            }
            A::Exists(body) => {
                let pipeline = self.subquery(scope, |planner, ops, inner| match body.as_ref() {
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
                P::Subquery {
                    pipeline: Box::new(pipeline),
                    collect: None,
                }
            }
            A::ShortestPath { .. } => {
                return Err(PlanError::Unsupported {
                    what: "shortestPath outside MATCH (write it as `MATCH p = shortestPath(...)`)"
                        .to_string(),
                    span,
                });
            }
            A::MapProjection { variable, items } => {
                let var = self.variable(scope, &variable.name, variable.span)?;
                let base = Box::new(Expr::new(P::Slot(var.slot), variable.span));
                let mut planned = Vec::new();
                for item in items {
                    planned.push(match item {
                        ast::MapProjectionItem::AllProperties => MapProjectionItem::AllProperties,
                        ast::MapProjectionItem::Property(key) => {
                            MapProjectionItem::Property(self.name(&key.name, NameKind::Key))
                        }
                        ast::MapProjectionItem::Entry(key, value) => MapProjectionItem::Entry(
                            key.name.clone(),
                            self.expr_in(value, scope, context)?,
                        ),
                        ast::MapProjectionItem::Variable(v) => {
                            let var = self.variable(scope, &v.name, v.span)?;
                            MapProjectionItem::Entry(
                                v.name.clone(),
                                Expr::new(P::Slot(var.slot), v.span),
                            )
                        }
                    });
                }
                P::MapProjection {
                    base,
                    items: planned,
                }
            }
        };
        Ok(Expr::new(kind, span))
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
        span: crate::Span,
    ) -> Result<Expr> {
        if functions::aggregate(name).is_some() {
            return Err(PlanError::AggregateNotAllowed { context, span });
        }
        let (function, min, max) =
            Function::resolve(name).ok_or_else(|| PlanError::UnknownFunction {
                name: name.to_string(),
                span,
            })?;
        check_arity(name, args.len(), min, max, span)?;
        if distinct {
            return Err(PlanError::InvalidArgument {
                message: format!("DISTINCT only applies to aggregates, not `{name}`"),
                span,
            });
        }
        let args = args
            .iter()
            .map(|a| self.expr_in(a, scope, context))
            .collect::<Result<Vec<_>>>()?;
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
    span: crate::Span,
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
