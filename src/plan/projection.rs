//! WITH and RETURN: projection, implicit grouping (every non-aggregate item is a key),
//! DISTINCT, ORDER BY (over the projected columns and, without DISTINCT or aggregates,
//! the variables before it), SKIP and LIMIT.

use crate::ast::{self, ExprKind as A};
use crate::span::Span;

use super::expr::{check_arity, contains_aggregate};
use super::functions;
use super::logical::{AggregateKind, AggregateSpec, Expr, ExprKind as P, Op, SortKey};
use super::types::StaticType;
use super::{PlanError, Planner, Scope, Var, VarKind, same_expr};

type Result<T> = std::result::Result<T, PlanError>;

/// While planning aggregating items: the grouping keys, where they land in the
/// aggregate's output row, and the aggregates found so far.
pub(super) struct AggregationContext {
    keys: Vec<(ast::Expr, usize)>,
    specs: Vec<AggregateSpec>,
    base: usize,
    /// The scope before the projection, where aggregate arguments are planned.
    pub(super) input_scope: Scope,
}

#[derive(Copy, Clone, PartialEq, Eq)]
pub(super) enum ProjectionKind {
    With,
    Return,
}

struct Item<'a> {
    expr: std::borrow::Cow<'a, ast::Expr>,
    name: String,
    span: Span,
}

impl Planner<'_> {
    /// When planning aggregating items: a reference to a grouping key or an aggregate.
    pub(super) fn aggregation_reference(
        &mut self,
        e: &ast::Expr,
        _scope: &Scope,
    ) -> Result<Option<Expr>> {
        let Some(agg) = &self.aggregation else {
            return Ok(None);
        };
        // Inside an aggregating item, only simple keys (a variable or its property) may be
        // reused; anything more complex is ambiguous (openCypher's rule).
        if let Some((_, slot)) = agg
            .keys
            .iter()
            .find(|(k, _)| is_simple(k) && same_expr(k, e))
        {
            return Ok(Some(Expr::new(P::Slot(*slot), e.span)));
        }
        let (kind, distinct, args): (AggregateKind, bool, &[ast::Expr]) = match &e.kind {
            A::CountStar => (AggregateKind::CountStar, false, &[]),
            A::FunctionCall {
                name,
                distinct,
                args,
            } => match functions::aggregate(name) {
                Some((kind, min, max)) => {
                    check_arity(name, args.len(), min, max, e.span)?;
                    (kind, *distinct, args.as_slice())
                }
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        let mut agg = self.aggregation.take().expect("checked above");
        let input_scope = agg.input_scope.clone();
        let planned: Result<Vec<Expr>> = args
            .iter()
            .map(|a| {
                if contains_aggregate(a) {
                    return Err(PlanError::NestedAggregate { span: a.span });
                }
                let mut random = false;
                a.walk(&mut |e| {
                    if let A::FunctionCall { name, .. } = &e.kind {
                        random |= name.eq_ignore_ascii_case("rand");
                    }
                });
                if random {
                    return Err(PlanError::RandomInAggregate { span: a.span });
                }
                self.expr_in(a, &input_scope, "inside an aggregate")
            })
            .collect();
        let planned = match planned {
            Ok(p) => p,
            Err(err) => {
                self.aggregation = Some(agg);
                return Err(err);
            }
        };
        let mut planned = planned.into_iter();
        let slot = agg.base + agg.specs.len();
        agg.specs.push(AggregateSpec {
            kind,
            distinct,
            arg: planned.next(),
            param: planned.next(),
            span: e.span,
        });
        self.aggregation = Some(agg);
        Ok(Some(Expr::new(P::Slot(slot), e.span)))
    }

    /// Plans a WITH or RETURN (and WITH's WHERE); returns the column names and leaves
    /// `scope` holding them.
    pub(super) fn plan_projection(
        &mut self,
        ops: &mut Vec<Op>,
        scope: &mut Scope,
        projection: &ast::Projection,
        kind: ProjectionKind,
        where_: Option<&ast::Expr>,
        clause_span: Span,
    ) -> Result<Vec<String>> {
        let items = self.projection_items(projection, scope, kind, clause_span)?;
        let aggregating = items.iter().any(|i| contains_aggregate(&i.expr));
        let width = items.len();
        let columns: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
        let mut new_scope = Scope::default();
        for (i, item) in items.iter().enumerate() {
            let kind = item_kind(&item.expr, scope);
            new_scope.insert(&item.name, Var { slot: i, kind });
        }

        // ORDER BY and WITH's WHERE see the projected columns and, unless DISTINCT or an
        // aggregate dropped them, the variables before the projection.
        let projected_only = aggregating || projection.distinct;
        let keep_input = !projected_only && (!projection.order_by.is_empty() || where_.is_some());
        let mut later_scope = new_scope.clone();
        if aggregating {
            self.plan_aggregation(ops, scope, &items)?;
        } else {
            let mut planned = Vec::with_capacity(width);
            for item in &items {
                planned.push(self.expr_in(&item.expr, scope, "in a projection")?);
            }
            ops.push(Op::Project {
                items: planned,
                keep_input,
            });
            if keep_input {
                for (name, var) in &scope.vars {
                    if later_scope.get(name).is_none() {
                        later_scope.insert(
                            name,
                            Var {
                                slot: width + var.slot,
                                kind: var.kind,
                            },
                        );
                    }
                }
            }
        }
        if projection.distinct {
            ops.push(Op::Distinct { width });
        }
        self.next_slot = if keep_input {
            width + self.next_slot
        } else {
            width
        };

        // Expressions equal to a projected item read its column.
        let saved = std::mem::take(&mut self.substitutions);
        self.substitutions = items
            .iter()
            .enumerate()
            .map(|(i, item)| (item.expr.clone().into_owned(), i))
            .collect();
        let result = self.plan_after_projection(
            ops,
            projection,
            where_,
            &later_scope,
            scope,
            projected_only,
        );
        self.substitutions = saved;
        result?;
        if keep_input {
            ops.push(Op::Truncate(width));
        }
        self.next_slot = width;
        *scope = new_scope;
        Ok(columns)
    }

    /// ORDER BY, SKIP, LIMIT and WITH's WHERE, in that order.
    fn plan_after_projection(
        &mut self,
        ops: &mut Vec<Op>,
        projection: &ast::Projection,
        where_: Option<&ast::Expr>,
        later_scope: &Scope,
        input_scope: &Scope,
        projected_only: bool,
    ) -> Result<()> {
        if !projection.order_by.is_empty() {
            let mut keys = Vec::new();
            for sort in &projection.order_by {
                let expr = self.later_expr(
                    &sort.expr,
                    later_scope,
                    input_scope,
                    projected_only,
                    "in ORDER BY",
                )?;
                keys.push(SortKey {
                    expr,
                    descending: sort.descending,
                });
            }
            ops.push(Op::Sort { keys });
        }
        if let Some(skip) = &projection.skip {
            ops.push(Op::Skip(self.count_expr(skip, "SKIP")?));
        }
        if let Some(limit) = &projection.limit {
            ops.push(Op::Limit(self.count_expr(limit, "LIMIT")?));
        }
        if let Some(where_) = where_ {
            let filter =
                self.later_expr(where_, later_scope, input_scope, projected_only, "in WHERE")?;
            ops.push(Op::Filter(filter));
        }
        Ok(())
    }

    fn projection_items<'a>(
        &self,
        projection: &'a ast::Projection,
        scope: &Scope,
        kind: ProjectionKind,
        clause_span: Span,
    ) -> Result<Vec<Item<'a>>> {
        let mut items = Vec::new();
        if projection.star {
            let names = scope.user_names();
            if names.is_empty() && projection.items.is_empty() && kind == ProjectionKind::Return {
                return Err(PlanError::NoVariablesInScope { span: clause_span });
            }
            for name in names {
                let expr = ast::Expr::new(A::Variable(name.clone()), clause_span);
                items.push(Item {
                    expr: std::borrow::Cow::Owned(expr),
                    name,
                    span: clause_span,
                });
            }
        }
        for item in &projection.items {
            let name = match (&item.alias, &item.expr.kind) {
                (Some(alias), _) => alias.name.clone(),
                (None, A::Variable(v)) => v.clone(),
                (None, _) if kind == ProjectionKind::With => {
                    return Err(PlanError::MissingAlias {
                        span: item.expr.span,
                    });
                }
                (None, _) => item.text.clone(),
            };
            let span = item.alias.as_ref().map_or(item.expr.span, |a| a.span);
            if items.iter().any(|i: &Item| i.name == name) {
                return Err(PlanError::DuplicateColumn { name, span });
            }
            items.push(Item {
                expr: std::borrow::Cow::Borrowed(&item.expr),
                name,
                span,
            });
        }
        Ok(items)
    }

    fn plan_aggregation(&mut self, ops: &mut Vec<Op>, scope: &Scope, items: &[Item]) -> Result<()> {
        let mut key_exprs = Vec::new();
        let mut keys = Vec::new();
        // After grouping, key variables are visible at their key's position.
        let mut post_scope = Scope::default();
        for item in items.iter().filter(|i| !contains_aggregate(&i.expr)) {
            keys.push((item.expr.clone().into_owned(), key_exprs.len()));
            if let A::Variable(v) = &item.expr.kind {
                let kind = scope.get(v).map_or(VarKind::Value, |var| var.kind);
                post_scope.insert(
                    v,
                    Var {
                        slot: key_exprs.len(),
                        kind,
                    },
                );
            }
            key_exprs.push(self.expr_in(&item.expr, scope, "in a grouping key")?);
        }
        let base = key_exprs.len();
        self.aggregation = Some(AggregationContext {
            keys,
            specs: Vec::new(),
            base,
            input_scope: scope.clone(),
        });
        let mut outputs = Vec::new();
        let mut result = Ok(());
        let mut key_index = 0;
        for item in items {
            if contains_aggregate(&item.expr) {
                match self.expr_in(&item.expr, &post_scope, "in a projection") {
                    Ok(e) => outputs.push(e),
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            } else {
                outputs.push(Expr::new(P::Slot(key_index), item.span));
                key_index += 1;
            }
        }
        let agg = self.aggregation.take().expect("set above");
        result?;
        let identity = outputs
            .iter()
            .enumerate()
            .all(|(i, e)| matches!(e.kind, P::Slot(s) if s == i))
            && outputs.len() == base + agg.specs.len();
        ops.push(Op::Aggregate {
            keys: key_exprs,
            aggregates: agg.specs,
        });
        if !identity {
            ops.push(Op::Project {
                items: outputs,
                keep_input: false,
            });
        }
        Ok(())
    }

    /// An expression after a projection (ORDER BY, WITH's WHERE): projected columns by
    /// alias or by the same expression, and the earlier variables when still visible.
    fn later_expr(
        &mut self,
        expr: &ast::Expr,
        later_scope: &Scope,
        input_scope: &Scope,
        projected_only: bool,
        context: &'static str,
    ) -> Result<Expr> {
        // With an aggregate inside, only aggregates and simple projected keys may be reused.
        let saved = self.substitutions.clone();
        if contains_aggregate(expr) {
            self.substitutions
                .retain(|(k, _)| same_expr(k, expr) || contains_aggregate(k) || is_simple(k));
        }
        let planned = self.expr_in(expr, later_scope, context);
        self.substitutions = saved;
        match planned {
            Err(PlanError::UnknownVariable { name, span })
                if projected_only && input_scope.get(&name).is_some() =>
            {
                Err(PlanError::DroppedVariable { name, span })
            }
            Err(PlanError::AggregateNotAllowed { span, .. }) => {
                Err(PlanError::AggregateNotAllowed {
                    context: "in ORDER BY or WHERE unless it is also projected",
                    span,
                })
            }
            other => other,
        }
    }

    /// SKIP and LIMIT: a constant or parameter; a literal must be a non-negative integer.
    fn count_expr(&mut self, expr: &ast::Expr, what: &'static str) -> Result<Expr> {
        let saved = std::mem::take(&mut self.substitutions);
        let planned = self.expr_in(expr, &Scope::default(), "in SKIP or LIMIT");
        self.substitutions = saved;
        let planned = planned.map_err(|e| match e {
            PlanError::UnknownVariable { span, .. } => {
                PlanError::NonConstantExpression { what, span }
            }
            other => other,
        })?;
        match &planned.kind {
            P::Const(crate::graph::Value::Int(i)) if *i < 0 => Err(PlanError::NotACount {
                what,
                span: expr.span,
            }),
            P::Const(crate::graph::Value::Int(_)) | P::Param(_) => Ok(planned),
            P::Const(_) => Err(PlanError::NotACount {
                what,
                span: expr.span,
            }),
            _ => Ok(planned),
        }
    }
}

/// What a projected item holds, for later clauses: a variable keeps its kind, literals
/// are known not to be entities.
fn item_kind(expr: &ast::Expr, scope: &Scope) -> VarKind {
    match &expr.kind {
        A::Variable(v) => scope.get(v).map_or(VarKind::Value, |var| var.kind),
        A::Literal(ast::Literal::Bool(_)) => VarKind::Known(StaticType::Bool),
        A::Literal(ast::Literal::Int(_)) => VarKind::Known(StaticType::Int),
        A::Literal(ast::Literal::Float(_)) => VarKind::Known(StaticType::Float),
        A::Literal(ast::Literal::String(_)) => VarKind::Known(StaticType::String),
        A::List(_) | A::ListComprehension { .. } => VarKind::Known(StaticType::List),
        A::Map(_) => VarKind::Known(StaticType::Map),
        _ => VarKind::Value,
    }
}

/// A variable, or a property of one.
fn is_simple(expr: &ast::Expr) -> bool {
    match &expr.kind {
        A::Variable(_) => true,
        A::Property { base, .. } => matches!(base.kind, A::Variable(_)),
        _ => false,
    }
}
