//! `count(*)` of a two-hop chain becomes `Op::ChainCount`.
//!
//! `count(*)` of a two-hop chain `(a)-[r1]-(b)-[r2]-(c)` whose conditions each read one
//! side of `b` (plus at most one comparison across it, `r1.date < r2.date`) factorises:
//! per middle node, the pairs of its left and right matches that satisfy the comparison
//! can be counted by sorting one side's keys, without making a row per pair.
//!
//! Precondition: the pipeline starts with a scan of all nodes or of a label, then (with
//! filters anywhere between) two directed expansions `a -> b -> c` over fresh variables
//! with no time order, the second unique only against the first's relationship, then an
//! aggregation without keys whose only aggregate is `count(*)` or `count` of a pattern
//! variable. Every condition (filters, and the properties of the pattern) reads one side
//! of the middle node, or is one comparison across it, and none can fail at run time:
//! the count evaluates each condition on fewer rows than the pipeline would, which is the
//! same answer only if evaluating it never errs.

use std::collections::HashSet;

use crate::ast::{BinaryOp, UnaryOp};
use crate::graph::{Direction, Value};
use crate::plan::logical::{
    AggregateKind, AggregateSpec, ChainCount, ChainSide, Expand, Expr, ExprKind, NodeFilter,
    NodeSource, Op, RelFilter, Slot,
};

use super::shape::reads_within;

/// Replaces the operators that count a chain meeting the precondition with one
/// [`Op::ChainCount`].
pub(super) fn count_chains(mut ops: Vec<Op>) -> Vec<Op> {
    if let Some((chain, consumed)) = chain_count_of(&ops) {
        ops.splice(..consumed, [Op::ChainCount(Box::new(chain))]);
    }
    ops
}

/// The chain count that `ops` start with, and how many operators it replaces.
fn chain_count_of(ops: &[Op]) -> Option<(ChainCount, usize)> {
    let chain = Chain::at_start_of(ops)?;
    let slots = chain.slots();
    if !chain.hops_are_plain() || !chain.filters_are_safe(&slots) {
        return None;
    }
    let conditions = split_conditions(&chain.conditions, &slots)?;
    Some((chain.count(conditions), chain.consumed))
}

/// The operators of a counted two-hop chain, not yet checked beyond their order.
struct Chain<'p> {
    start: Slot,
    start_filter: &'p NodeFilter,
    first: &'p Expand,
    second: &'p Expand,
    /// The filters between the operators, in order.
    conditions: Vec<Expr>,
    /// How many operators, the aggregation included.
    consumed: usize,
}

/// The slots of a chain `(a)-[r1]-(b)-[r2]-(c)`, grouped as the checks read them.
struct Slots {
    nodes: [Slot; 3],
    all: [Slot; 5],
    left: [Slot; 3],
    middle: Slot,
    right: [Slot; 3],
}

impl<'p> Chain<'p> {
    /// A scan, an expansion, an expansion and a `count(*)` without keys, with filters
    /// anywhere between.
    fn at_start_of(ops: &'p [Op]) -> Option<Chain<'p>> {
        let Some(Op::NodeScan {
            slot: start,
            source: NodeSource::Label(_) | NodeSource::All,
            filter: start_filter,
            ..
        }) = ops.first()
        else {
            return None;
        };
        let mut conditions = Vec::new();
        let mut i = take_filters(ops, 1, &mut conditions);
        let Some(Op::Expand(first)) = ops.get(i) else {
            return None;
        };
        i = take_filters(ops, i + 1, &mut conditions);
        let Some(Op::Expand(second)) = ops.get(i) else {
            return None;
        };
        i = take_filters(ops, i + 1, &mut conditions);
        let Some(Op::Aggregate { keys, aggregates }) = ops.get(i) else {
            return None;
        };
        let all = [*start, first.rel, first.to, second.rel, second.to];
        (keys.is_empty() && counts_rows(aggregates, &all)).then_some(Chain {
            start: *start,
            start_filter,
            first,
            second,
            conditions,
            consumed: i + 1,
        })
    }

    fn slots(&self) -> Slots {
        let (a, r1, b, r2, c) = (
            self.start,
            self.first.rel,
            self.first.to,
            self.second.rel,
            self.second.to,
        );
        Slots {
            nodes: [a, b, c],
            all: [a, r1, b, r2, c],
            left: [a, r1, b],
            middle: b,
            right: [b, r2, c],
        }
    }

    /// Directed hops over five distinct fresh variables, `a -> b -> c`, the second
    /// unique against the first's relationship only.
    fn hops_are_plain(&self) -> bool {
        let (first, second) = (self.first, self.second);
        let plain = |e: &Expand| {
            e.direction != Direction::Both && !e.rel_bound && !e.to_bound && e.time.is_none()
        };
        let all = self.slots().all;
        HashSet::from(all).len() == all.len()
            && plain(first)
            && plain(second)
            && first.from == self.start
            && second.from == first.to
            && first.unique.singles.is_empty()
            && first.unique.lists.is_empty()
            && second.unique.lists.is_empty()
            && second.unique.singles.iter().all(|s| *s == first.rel)
    }

    /// Whether the pattern's own conditions each read their side only and cannot fail;
    /// they are evaluated with their side's variables bound.
    fn filters_are_safe(&self, slots: &Slots) -> bool {
        let safe =
            |e: &Expr, allowed: &[Slot]| reads_within(e, allowed) && infallible(e, &slots.nodes);
        let node_ok = |f: &NodeFilter, allowed: &[Slot]| {
            f.prop_map.is_none() && f.props.iter().all(|(_, e)| safe(e, allowed))
        };
        let rel_ok = |f: &RelFilter, allowed: &[Slot]| {
            f.prop_map.is_none()
                && f.props.iter().all(|(_, e)| safe(e, allowed))
                && f.predicates.iter().all(|(_, e)| safe(e, allowed))
        };
        node_ok(self.start_filter, &slots.left)
            && rel_ok(&self.first.rel_filter, &slots.left)
            && node_ok(&self.first.to_filter, &[slots.middle])
            && rel_ok(&self.second.rel_filter, &slots.right)
            && node_ok(&self.second.to_filter, &slots.right)
    }

    /// The chain count, with the filters split by side.
    fn count(&self, conditions: Conditions) -> ChainCount {
        let (first, second) = (self.first, self.second);
        let (cross, left_key, right_key) = match conditions.cross {
            Some((op, l, r)) => (Some(op), Some(l), Some(r)),
            None => (None, None, None),
        };
        ChainCount {
            middle: first.to,
            middle_filter: first.to_filter.clone(),
            middle_conditions: conditions.middle,
            left: ChainSide {
                rel: first.rel,
                end: self.start,
                direction: reverse(first.direction),
                rel_filter: first.rel_filter.clone(),
                end_filter: self.start_filter.clone(),
                conditions: conditions.left,
                key: left_key,
            },
            right: ChainSide {
                rel: second.rel,
                end: second.to,
                direction: second.direction,
                rel_filter: second.rel_filter.clone(),
                end_filter: second.to_filter.clone(),
                conditions: conditions.right,
                key: right_key,
            },
            cross,
            rels_may_repeat: second.unique.singles.contains(&first.rel)
                && types_overlap(&first.rel_filter, &second.rel_filter),
        }
    }
}

/// Appends the filters from `ops[i]` on to `conditions`; the index after them.
fn take_filters(ops: &[Op], mut i: usize, conditions: &mut Vec<Expr>) -> usize {
    while let Some(Op::Filter(expr)) = ops.get(i) {
        conditions.push(expr.clone());
        i += 1;
    }
    i
}

/// Whether `aggregates` is one count of the rows: `count(*)`, or `count` of a pattern
/// variable (never null in a match).
fn counts_rows(aggregates: &[AggregateSpec], pattern_slots: &[Slot]) -> bool {
    let [agg] = aggregates else {
        return false;
    };
    if agg.distinct || agg.param.is_some() {
        return false;
    }
    match (&agg.kind, &agg.arg) {
        (AggregateKind::CountStar, None) => true,
        (
            AggregateKind::Count,
            Some(Expr {
                kind: ExprKind::Slot(s),
                ..
            }),
        ) => pattern_slots.contains(s),
        _ => false,
    }
}

/// Whether two hops can match one relationship: their type sets overlap (no types
/// means any type).
fn types_overlap(first: &RelFilter, second: &RelFilter) -> bool {
    first.types.is_empty()
        || second.types.is_empty()
        || first
            .types
            .iter()
            .any(|t| second.types.iter().any(|u| u.name == t.name))
}

/// The WHERE conditions of a chain, by what they read.
#[derive(Default)]
struct Conditions {
    middle: Vec<Expr>,
    left: Vec<Expr>,
    right: Vec<Expr>,
    /// `left op right`.
    cross: Option<(BinaryOp, Expr, Expr)>,
}

/// The conjuncts of `conditions`, each put with the side it reads; `None` when one
/// can fail, reads outside the chain, or compares across it in a second or unsortable
/// way.
fn split_conditions(conditions: &[Expr], slots: &Slots) -> Option<Conditions> {
    let mut parts = Vec::new();
    for condition in conditions {
        // `x AND y` splits only when it cannot fail, so when both are Booleans or null.
        if !infallible(condition, &slots.nodes) {
            return None;
        }
        conjuncts(condition, &mut parts);
    }
    let mut split = Conditions::default();
    for condition in parts {
        if !reads_within(&condition, &slots.all) {
            return None;
        }
        if reads_within(&condition, &[slots.middle]) {
            split.middle.push(condition);
        } else if reads_within(&condition, &slots.left) {
            split.left.push(condition);
        } else if reads_within(&condition, &slots.right) {
            split.right.push(condition);
        } else if split.cross.is_none() {
            split.cross = Some(cross_comparison(condition, slots)?);
        } else {
            return None;
        }
    }
    Some(split)
}

/// A comparison of a left-side operand with a right-side one, turned so that the left
/// operand comes first.
fn cross_comparison(condition: Expr, slots: &Slots) -> Option<(BinaryOp, Expr, Expr)> {
    let ExprKind::Binary { op, lhs, rhs } = condition.kind else {
        return None;
    };
    let flipped = flip_comparison(op)?;
    if reads_within(&lhs, &slots.left) && reads_within(&rhs, &slots.right) {
        Some((op, *lhs, *rhs))
    } else if reads_within(&rhs, &slots.left) && reads_within(&lhs, &slots.right) {
        Some((flipped, *rhs, *lhs))
    } else {
        None
    }
}

fn reverse(direction: Direction) -> Direction {
    match direction {
        Direction::Outgoing => Direction::Incoming,
        Direction::Incoming => Direction::Outgoing,
        Direction::Both => Direction::Both,
    }
}

/// The comparisons a chain count can count by sorting, each with the operator that
/// holds with its operands swapped.
fn flip_comparison(op: BinaryOp) -> Option<BinaryOp> {
    Some(match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        BinaryOp::Eq => BinaryOp::Eq,
        _ => return None,
    })
}

/// The operands of a conjunction (`x AND y AND z`), each a filter of its own.
fn conjuncts(expr: &Expr, out: &mut Vec<Expr>) {
    match &expr.kind {
        ExprKind::Binary {
            op: BinaryOp::And,
            lhs,
            rhs,
        } => {
            conjuncts(lhs, out);
            conjuncts(rhs, out);
        }
        _ => out.push(expr.clone()),
    }
}

/// Whether evaluating `expr` cannot fail on a row binding the chain's nodes
/// (`node_slots`) and relationships: constants, their properties and labels, and
/// comparisons and Boolean logic over those.
fn infallible(expr: &Expr, node_slots: &[Slot]) -> bool {
    match &expr.kind {
        ExprKind::Const(_) | ExprKind::Slot(_) => true,
        ExprKind::Property { base, .. } => matches!(base.kind, ExprKind::Slot(_)),
        ExprKind::HasLabels { base, .. } => {
            matches!(base.kind, ExprKind::Slot(s) if node_slots.contains(&s))
        }
        ExprKind::IsNull { operand, .. } => infallible(operand, node_slots),
        ExprKind::Binary { op, lhs, rhs } => match op {
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::StartsWith
            | BinaryOp::EndsWith
            | BinaryOp::Contains => infallible(lhs, node_slots) && infallible(rhs, node_slots),
            BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => {
                boolean(lhs, node_slots) && boolean(rhs, node_slots)
            }
            _ => false,
        },
        ExprKind::Unary {
            op: UnaryOp::Not,
            operand,
        } => boolean(operand, node_slots),
        _ => false,
    }
}

/// An infallible expression whose value is a Boolean or null, as `AND` and `NOT` need.
fn boolean(expr: &Expr, node_slots: &[Slot]) -> bool {
    let yields_boolean = match &expr.kind {
        ExprKind::Const(v) => matches!(v, Value::Bool(_) | Value::Null),
        ExprKind::HasLabels { .. } | ExprKind::IsNull { .. } => true,
        ExprKind::Unary { op, .. } => *op == UnaryOp::Not,
        ExprKind::Binary { op, .. } => !matches!(
            op,
            BinaryOp::Add
                | BinaryOp::Sub
                | BinaryOp::Mul
                | BinaryOp::Div
                | BinaryOp::Mod
                | BinaryOp::Pow
        ),
        _ => false,
    };
    yields_boolean && infallible(expr, node_slots)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{names, ops_of};
    use super::*;

    fn counted(query: &str) -> Option<ChainCount> {
        match count_chains(ops_of(query)).into_iter().next() {
            Some(Op::ChainCount(chain)) => Some(*chain),
            _ => None,
        }
    }

    #[test]
    fn a_dated_two_hop_count_is_counted_per_middle_node() {
        let chain =
            counted("MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.day < r2.day RETURN count(*)")
                .expect("a chain count");
        assert_eq!(chain.cross, Some(BinaryOp::Lt));
        assert!(chain.left.key.is_some() && chain.right.key.is_some());
        assert_eq!(chain.left.direction, Direction::Incoming);
        assert!(!chain.rels_may_repeat, "S and T never meet");
    }

    #[test]
    fn a_comparison_written_right_to_left_is_turned() {
        let chain = counted("MATCH (a)-[r1]->(b)-[r2]->(c) WHERE r2.day > r1.day RETURN count(r1)")
            .expect("a chain count");
        assert_eq!(chain.cross, Some(BinaryOp::Lt));
        assert!(
            chain.rels_may_repeat,
            "untyped hops can meet one relationship"
        );
    }

    #[test]
    fn conditions_go_to_their_side() {
        let chain = counted(
            "MATCH (a)-[r1]->(b)-[r2]->(c) \
             WHERE a.x = 1 AND b.y = 2 AND c.z = 3 AND r1.w = r2.w RETURN count(*)",
        )
        .expect("a chain count");
        assert_eq!(chain.left.conditions.len(), 1);
        assert_eq!(chain.middle_conditions.len(), 1);
        assert_eq!(chain.right.conditions.len(), 1);
        assert_eq!(chain.cross, Some(BinaryOp::Eq));
    }

    #[test]
    fn a_grouped_count_keeps_its_rows() {
        let query = "MATCH (a)-[r1]->(b)-[r2]->(c) RETURN b, count(*)";
        assert!(counted(query).is_none());
        assert_eq!(
            names(&count_chains(ops_of(query))),
            ["NodeScan", "Expand", "Expand", "Aggregate"]
        );
    }

    #[test]
    fn a_condition_that_can_fail_keeps_the_rows() {
        assert!(
            counted("MATCH (a)-[r1]->(b)-[r2]->(c) WHERE r1.w + 1 > 2 RETURN count(*)").is_none()
        );
    }

    #[test]
    fn two_cross_comparisons_keep_the_rows() {
        assert!(
            counted(
                "MATCH (a)-[r1]->(b)-[r2]->(c) WHERE r1.w < r2.w AND a.x = c.x RETURN count(*)"
            )
            .is_none()
        );
    }

    #[test]
    fn an_inequality_across_is_not_sortable() {
        assert!(
            counted("MATCH (a)-[r1]->(b)-[r2]->(c) WHERE r1.w <> r2.w RETURN count(*)").is_none()
        );
    }

    #[test]
    fn an_undirected_hop_keeps_the_rows() {
        assert!(counted("MATCH (a)-[r1]-(b)-[r2]->(c) RETURN count(*)").is_none());
    }

    #[test]
    fn a_three_hop_chain_keeps_the_rows() {
        assert!(counted("MATCH (a)-[r1]->(b)-[r2]->(c)-[r3]->(d) RETURN count(*)").is_none());
    }
}
