//! MATCH patterns → scans and expansions. Each chain starts from its most selective node
//! (one already bound, then a name-index hit, then the rarest label) and expands outwards;
//! WHERE is split into conjuncts, each applied as soon as the slots it reads are bound.
//! Within one MATCH no relationship is matched twice (openCypher's uniqueness rule).
//! Variables and filters are declared in `declare.rs`, each chain planned in `chain.rs`.

mod chain;
mod declare;

use std::collections::HashSet;

use crate::ast::{self, PatternDirection};
use crate::graph::Direction;

use super::logical::*;
use super::{PlanError, Planner, Scope, Var, VarKind};

type Result<T> = std::result::Result<T, PlanError>;

/// A WHERE conjunct waiting for its slots to be bound.
struct Pending {
    expr: Expr,
    reads: Vec<Slot>,
}

/// The slots a chain's elements were given.
struct ChainSlots {
    nodes: Vec<Slot>,
    rels: Vec<Slot>,
}

impl Planner<'_> {
    /// Plans `MATCH parts WHERE where_` into `ops`, binding the pattern's variables in
    /// `scope`.
    pub(super) fn plan_pattern(
        &mut self,
        ops: &mut Vec<Op>,
        scope: &mut Scope,
        parts: &[ast::PatternPart],
        where_: Option<&ast::Expr>,
    ) -> Result<()> {
        self.plan_pattern_in_mode(ops, scope, parts, where_, None)
    }

    /// Like [`Planner::plan_pattern`], with MATCH's optional time-respecting path mode.
    pub(super) fn plan_pattern_in_mode(
        &mut self,
        ops: &mut Vec<Op>,
        scope: &mut Scope,
        parts: &[ast::PatternPart],
        where_: Option<&ast::Expr>,
        time_order: Option<&ast::TimeOrder>,
    ) -> Result<()> {
        let mut bound: HashSet<Slot> = scope.slots().collect();
        let bound_before = bound.clone();
        let mut declared_here: Vec<String> = Vec::new();
        let chains = parts
            .iter()
            .map(|part| self.declare_part(part, scope, &mut declared_here))
            .collect::<Result<Vec<_>>>()?;

        let mut pending = Vec::new();
        let mut pushed: Vec<Vec<(Slot, Expr)>> = vec![Vec::new(); parts.len()];
        if let Some(where_) = where_ {
            for conjunct in conjuncts(where_) {
                // For shortest paths this is semantics, not an optimization: Neo4j
                // searches for the shortest path that satisfies the predicate.
                if let Some((part, hop)) =
                    self.push_path_quantifier(conjunct, parts, scope, &bound_before, self.optimize)?
                {
                    pushed[part].push(hop);
                    continue;
                }
                let expr = self.expr_in(conjunct, scope, "in WHERE")?;
                super::types::check_predicate(&expr, scope)?;
                pending.push(pending_filter(expr));
            }
        }
        for (part, slots) in parts.iter().zip(&chains) {
            self.inline_filters(part, scope, slots, &mut pending)?;
        }

        let rel_count: usize = parts.iter().map(|p| p.element.chain.len()).sum();
        self.sole_unnamed_rel = rel_count == 1 && parts.iter().all(|p| p.variable.is_none());
        let mut unique = Uniqueness::default();
        let mut order: Vec<usize> = (0..parts.len()).collect();
        order.sort_by_key(|&i| parts[i].shortest.is_some());
        for i in order {
            let part = &parts[i];
            let slots = &chains[i];
            if part.shortest.is_some() {
                if let Some(mode) = time_order {
                    return Err(PlanError::TimeOrderedShortestPath { span: mode.span });
                }
                self.plan_shortest(ops, scope, part, slots, &mut bound, &pushed[i])?;
            } else {
                let time = time_order.map(|mode| TimeCheck {
                    keys: self.time_keys(mode),
                    strict: mode.strict,
                    slot: self.new_slot(),
                });
                self.plan_chain(
                    ops,
                    scope,
                    part,
                    slots,
                    &mut bound,
                    &mut unique,
                    &mut pending,
                    time,
                    &pushed[i],
                )?;
            }
            if let Some(variable) = &part.variable {
                let var = scope.get(&variable.name).expect("declared path");
                if part.shortest.is_none() {
                    let steps = part
                        .element
                        .chain
                        .iter()
                        .zip(&slots.rels)
                        .map(|((rel, _), slot)| match rel.range {
                            Some(_) => PathStep::Var(*slot),
                            None => PathStep::Single(*slot),
                        })
                        .collect();
                    ops.push(Op::BuildPath {
                        slot: var.slot,
                        start: slots.nodes[0],
                        steps,
                    });
                }
                bound.insert(var.slot);
            }
            flush(ops, &mut pending, &bound);
        }
        for p in pending {
            ops.push(Op::Filter(p.expr));
        }
        Ok(())
    }

    /// `all(r IN relationships(p) WHERE pred)` and `none(...)` over a path of this MATCH
    /// become a per-hop predicate on each of its relationships, so a walk stops as soon
    /// as one hop fails instead of filtering finished paths. Only when `pred` reads
    /// nothing but the hop and variables bound before this MATCH.
    fn push_path_quantifier(
        &mut self,
        conjunct: &ast::Expr,
        parts: &[ast::PatternPart],
        scope: &Scope,
        bound_before: &HashSet<Slot>,
        optimize: bool,
    ) -> Result<Option<(usize, (Slot, Expr))>> {
        let ast::ExprKind::Quantifier {
            kind,
            variable,
            list,
            predicate: Some(predicate),
        } = &conjunct.kind
        else {
            return Ok(None);
        };
        if !matches!(kind, ast::QuantifierKind::All | ast::QuantifierKind::None) {
            return Ok(None);
        }
        let ast::ExprKind::FunctionCall {
            name,
            args,
            distinct: false,
        } = &list.kind
        else {
            return Ok(None);
        };
        let [
            ast::Expr {
                kind: ast::ExprKind::Variable(path),
                ..
            },
        ] = args.as_slice()
        else {
            return Ok(None);
        };
        if !name.eq_ignore_ascii_case("relationships") {
            return Ok(None);
        }
        let Some(part) = parts
            .iter()
            .position(|p| p.variable.as_ref().is_some_and(|v| &v.name == path))
        else {
            return Ok(None);
        };
        if parts[part].shortest.is_none() && !optimize {
            return Ok(None);
        }
        let hop = self.new_slot();
        let mut inner = scope.clone();
        inner.insert(
            &variable.name,
            Var {
                slot: hop,
                kind: VarKind::Rel,
            },
        );
        let mut planned = self.expr_in(predicate, &inner, "in WHERE")?;
        let mut reads = Vec::new();
        planned.slots(&mut reads);
        if reads.iter().any(|s| *s != hop && !bound_before.contains(s)) {
            return Ok(None);
        }
        if *kind == ast::QuantifierKind::None {
            let span = planned.span;
            planned = Expr::new(
                ExprKind::Unary {
                    op: ast::UnaryOp::Not,
                    operand: Box::new(planned),
                },
                span,
            );
        }
        Ok(Some((part, (hop, planned))))
    }

    /// The date keys of a time-ordered MATCH: as written, or `start_date` then `end_date`.
    fn time_keys(&self, mode: &ast::TimeOrder) -> Vec<Name> {
        if mode.keys.is_empty() {
            return vec![
                self.name("start_date", NameKind::Key),
                self.name("end_date", NameKind::Key),
            ];
        }
        mode.keys
            .iter()
            .map(|k| self.name(&k.name, NameKind::Key))
            .collect()
    }
}

fn kind_conflict(
    name: &str,
    expected: VarKind,
    found: VarKind,
    span: crate::span::Span,
) -> PlanError {
    PlanError::VariableKindConflict {
        name: name.to_string(),
        expected: expected.describe(),
        found: found.describe(),
        span,
    }
}

/// `a AND b AND c` → `[a, b, c]`.
pub(super) fn conjuncts(expr: &ast::Expr) -> Vec<&ast::Expr> {
    match &expr.kind {
        ast::ExprKind::Binary {
            op: ast::BinaryOp::And,
            lhs,
            rhs,
        } => {
            let mut out = conjuncts(lhs);
            out.extend(conjuncts(rhs));
            out
        }
        _ => vec![expr],
    }
}

fn pending_filter(expr: Expr) -> Pending {
    let mut reads = Vec::new();
    expr.slots(&mut reads);
    Pending { expr, reads }
}

/// Adds every pending filter whose slots are all bound.
fn flush(ops: &mut Vec<Op>, pending: &mut Vec<Pending>, bound: &HashSet<Slot>) {
    let mut i = 0;
    while i < pending.len() {
        if pending[i].reads.iter().all(|s| bound.contains(s)) {
            let p = pending.remove(i);
            ops.push(Op::Filter(p.expr));
        } else {
            i += 1;
        }
    }
}

/// If `expr` is `slot.name = value` (either side) with a value that reads no slot, the value.
fn name_equality(expr: &Expr, slot: Slot) -> Option<&Expr> {
    let ExprKind::Binary {
        op: ast::BinaryOp::Eq,
        lhs,
        rhs,
    } = &expr.kind
    else {
        return None;
    };
    let is_name_of_slot = |e: &Expr| {
        matches!(&e.kind, ExprKind::Property { base, key }
            if key.name == "name" && matches!(base.kind, ExprKind::Slot(s) if s == slot))
    };
    if is_name_of_slot(lhs) && reads_nothing_unbound(rhs) {
        Some(rhs)
    } else if is_name_of_slot(rhs) && reads_nothing_unbound(lhs) {
        Some(lhs)
    } else {
        None
    }
}

/// Whether the expression can be evaluated before the pattern binds anything.
fn reads_nothing_unbound(expr: &Expr) -> bool {
    let mut reads = Vec::new();
    expr.slots(&mut reads);
    reads.is_empty()
}
