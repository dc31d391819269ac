//! Rewrites of a planned pipeline that keep its answers and make it cheaper.
//!
//! Reachability is not path enumeration: a variable-length walk whose relationships
//! nobody reads, feeding a projection that only keeps distinct rows (`DISTINCT`, or
//! aggregates such as `count(DISTINCT b)`, `min`, `max`), needs each end node once, not
//! once per trail. For a directed walk with a lower bound of 0 or 1, a breadth-first search
//! with a visited set finds exactly the end nodes that some trail reaches: the shortest
//! walk to a node is a path, so a trail, and it is within any upper bound a longer trail
//! meets. The start node counts only when a cycle returns to it, as in openCypher.
//!
//! `()-[r]->(b)` with the start node unnamed and unconstrained reads every relationship
//! once either way; scanning the relationships in storage order (`Op::RelScan`) does it
//! without walking each node's adjacency list.
//!
//! An expansion from a node that an earlier expansion reached meets the same node once
//! per row that reached it (a hub reached from thousands of rows); when which of its
//! neighbours match depends on that node alone, the list is worth keeping
//! (`Expand::memoize`).
//!
//! An aggregation that only counts the relationships of an expansion (`count(r)` per
//! node: the degree) needs their number, which the adjacency index knows per type
//! without visiting them (`Op::CountRels`); the aggregation then adds up the numbers
//! instead of counting a row per relationship.
//!
//! An aggregation over a scan of every relationship that reads only the relationship's
//! type and properties (a count and a sum per type) can fold each relationship straight
//! from storage (`Op::AggregateRels`), making no row for it.
//!
//! A single shortest path whose relationship conditions are per hop can be searched
//! from both ends (`ShortestPath::bidirectional`): the search meets in the middle after
//! visiting about the square root of the nodes a one-sided search visits.
//!
//! `count(*)` of a two-hop chain `(a)-[r1]-(b)-[r2]-(c)` whose conditions each read one
//! side of `b` (plus at most one comparison across it, `r1.date < r2.date`) factorises:
//! per middle node, the pairs of its left and right matches that satisfy the comparison
//! can be counted by sorting one side's keys, without making a row per pair
//! (`Op::ChainCount`).

use std::collections::HashSet;

use crate::ast::{BinaryOp, UnaryOp};
use crate::graph::Direction;

use super::functions::Function;
use super::logical::{
    AggregateKind, AggregateRels, AggregateSpec, ChainCount, ChainSide, Expand, Expr, ExprKind,
    NodeFilter, NodeSource, Op, Pipeline, RelFilter, RelValue, ShortestPath, Slot,
};

/// Applies every rewrite to a top-level pipeline.
pub fn optimize(pipeline: &mut Pipeline) {
    mark_ends_only_walks(&mut pipeline.ops);
    scan_relationships(&mut pipeline.ops);
    count_chains(&mut pipeline.ops);
    aggregate_relationships(&mut pipeline.ops);
    count_relationships(&mut pipeline.ops);
    mark_memoized_expansions(&mut pipeline.ops);
    mark_bidirectional_searches(&mut pipeline.ops);
}

/// Replaces a scan of every node (unnamed, with no condition on it) followed by a
/// directed expansion from it with one scan of the relationships: the same rows, read in
/// storage order rather than node by node.
fn scan_relationships(ops: &mut Vec<Op>) {
    let mut i = 0;
    while i + 1 < ops.len() {
        let fits = match (&ops[i], &ops[i + 1]) {
            (
                Op::NodeScan {
                    slot,
                    source: NodeSource::All,
                    filter,
                    unnamed,
                },
                Op::Expand(expand),
            ) => {
                // A node filter that rejects most nodes is cheaper to test once per node;
                // a node the query reads (a grouping key, say) is cheaper to read once per
                // node than once per relationship in storage order, which meets the
                // nodes at random.
                *unnamed
                    && filter.is_empty()
                    && expand.from == *slot
                    && expand.direction != Direction::Both
                    && !expand.rel_bound
                    && !expand.to_bound
                    && expand.time.is_none()
            }
            _ => false,
        };
        if fits {
            let Op::Expand(expand) = ops.remove(i + 1) else {
                unreachable!("scan_relationships: checked above")
            };
            let Op::NodeScan { filter, .. } = std::mem::replace(&mut ops[i], Op::Truncate(0))
            else {
                unreachable!("scan_relationships: checked above")
            };
            ops[i] = Op::RelScan {
                from_filter: filter,
                expand,
            };
        }
        i += 1;
    }
}

/// Whether an expansion's relationships and end nodes are conditioned by types alone,
/// nothing bound before, no uniqueness against other relationships and no time order.
fn expands_by_type_only(expand: &Expand) -> bool {
    let rel = &expand.rel_filter;
    !expand.rel_bound
        && !expand.to_bound
        && expand.time.is_none()
        && expand.unique.singles.is_empty()
        && expand.unique.lists.is_empty()
        && rel.props.is_empty()
        && rel.prop_map.is_none()
        && rel.predicates.is_empty()
        && expand.to_filter.is_empty()
}

fn reads_any(expr: &Expr, slots: &[Slot]) -> bool {
    let mut read = Vec::new();
    expr.slots(&mut read);
    read.iter().any(|s| slots.contains(s))
}

fn is_slot(expr: Option<&Expr>, slots: &[Slot]) -> bool {
    matches!(expr, Some(Expr { kind: ExprKind::Slot(s), .. }) if slots.contains(s))
}

/// Replaces an expansion that feeds an aggregation reading its relationship and end node
/// only through `count(*)`, `count(r)` or `count(b)` with [`Op::CountRels`]: those counts
/// become sums of the number of relationships per row. Other aggregates may read what
/// was bound before, when duplicates do not change them (`DISTINCT`, `min`, `max`).
fn count_relationships(ops: &mut [Op]) {
    for i in 0..ops.len().saturating_sub(1) {
        let (head, tail) = ops.split_at_mut(i + 1);
        let (Op::Expand(expand), Op::Aggregate { keys, aggregates }) = (&head[i], &mut tail[0])
        else {
            continue;
        };
        let produced = [expand.rel, expand.to];
        let counted = |a: &AggregateSpec| {
            !a.distinct
                && (a.kind == AggregateKind::CountStar
                    || (a.kind == AggregateKind::Count && is_slot(a.arg.as_ref(), &produced)))
        };
        let untouched = |a: &AggregateSpec| {
            (a.distinct || matches!(a.kind, AggregateKind::Min | AggregateKind::Max))
                && a.arg
                    .iter()
                    .chain(&a.param)
                    .all(|e| !reads_any(e, &produced))
        };
        let fits = expand.direction != Direction::Both
            && expands_by_type_only(expand)
            && keys.iter().all(|k| !reads_any(k, &produced))
            && aggregates.iter().any(counted)
            && aggregates.iter().all(|a| counted(a) || untouched(a));
        if !fits {
            continue;
        }
        let into = expand.rel;
        for a in aggregates.iter_mut().filter(|a| counted(a)) {
            a.kind = AggregateKind::Sum;
            a.arg = Some(Expr::new(ExprKind::Slot(into), a.span));
        }
        let Op::Expand(expand) = &ops[i] else {
            unreachable!("count_relationships: checked above")
        };
        ops[i] = Op::CountRels {
            from: expand.from,
            direction: expand.direction,
            rel_filter: expand.rel_filter.clone(),
            into,
        };
    }
}

/// Replaces a scan of every relationship (the first operator, so it runs once) feeding an
/// aggregation that groups by `type(r)` or `r.key` and aggregates `count`, `sum`, `avg`,
/// `min` or `max` of `r.key` (or counts `r`) with [`Op::AggregateRels`].
fn aggregate_relationships(ops: &mut Vec<Op>) {
    let (
        Some(Op::RelScan {
            from_filter,
            expand,
        }),
        Some(Op::Aggregate { keys, aggregates }),
    ) = (ops.first(), ops.get(1))
    else {
        return;
    };
    if !from_filter.is_empty() || !expands_by_type_only(expand) {
        return;
    }
    let rel = expand.rel;
    let ends = [expand.rel, expand.from, expand.to];
    let read = |expr: &Expr| match &expr.kind {
        ExprKind::Call {
            function: Function::Type,
            args,
        } if is_slot(args.first(), &[rel]) => Some(RelValue::Type),
        ExprKind::Property { base, key } if is_slot(Some(base), &[rel]) => {
            Some(RelValue::Property(key.clone()))
        }
        _ => None,
    };
    let Some(rel_keys) = keys.iter().map(read).collect::<Option<Vec<_>>>() else {
        return;
    };
    let mut rel_aggregates = Vec::new();
    for a in aggregates {
        let value = match (a.kind, a.arg.as_ref()) {
            _ if a.distinct || a.param.is_some() => return,
            (AggregateKind::CountStar, None) => None,
            (AggregateKind::Count, arg) if is_slot(arg, &ends) => Some(RelValue::Present),
            (
                AggregateKind::Count
                | AggregateKind::Sum
                | AggregateKind::Avg
                | AggregateKind::Min
                | AggregateKind::Max,
                Some(arg),
            ) => match read(arg) {
                Some(value) => Some(value),
                None => return,
            },
            _ => return,
        };
        rel_aggregates.push((a.clone(), value));
    }
    let rel_filter = expand.rel_filter.clone();
    ops.splice(
        0..2,
        [Op::AggregateRels(Box::new(AggregateRels {
            rel_filter,
            keys: rel_keys,
            aggregates: rel_aggregates,
        }))],
    );
}

fn mark_memoized_expansions(ops: &mut [Op]) {
    let mut reached = HashSet::new();
    for op in ops {
        match op {
            Op::Expand(expand) => {
                if reached.contains(&expand.from) && neighbours_depend_on_node_only(expand) {
                    expand.memoize = true;
                }
                reached.insert(expand.to);
            }
            Op::VarExpand(expand) => {
                reached.insert(expand.to);
            }
            Op::RelScan { expand, .. } => {
                reached.insert(expand.to);
            }
            _ => {}
        }
    }
}

/// Whether the relationships and end nodes an expansion accepts are fixed by its start
/// node: types and end labels only, nothing evaluated against the row.
fn neighbours_depend_on_node_only(expand: &Expand) -> bool {
    let rel = &expand.rel_filter;
    let to = &expand.to_filter;
    !expand.rel_bound
        && expand.time.is_none()
        && rel.props.is_empty()
        && rel.prop_map.is_none()
        && rel.predicates.is_empty()
        && to.props.is_empty()
        && to.prop_map.is_none()
}

fn mark_bidirectional_searches(ops: &mut [Op]) {
    for op in ops {
        if let Op::ShortestPath(search) = op
            && searchable_from_both_ends(search)
        {
            search.bidirectional = true;
        }
    }
}

/// One shortest path is wanted, and every condition on it is a condition on each hop
/// alone (types, properties, pushed-down `all`/`none`), so it holds whichever end the
/// hop is reached from.
fn searchable_from_both_ends(search: &ShortestPath) -> bool {
    !search.all
}

fn mark_ends_only_walks(ops: &mut [Op]) {
    for i in 0..ops.len() {
        let candidate = matches!(&ops[i], Op::VarExpand(v) if v.ends_only_candidate);
        if candidate
            && only_distinct_rows_matter(&ops[i + 1..])
            && let Op::VarExpand(v) = &mut ops[i]
        {
            v.ends_only = true;
        }
    }
}

/// Whether the rows flowing into `ops` count only as a set: the first projection keeps
/// distinct rows or aggregates insensitively to duplicates, and nothing before it writes,
/// limits or otherwise depends on how many rows there are.
fn only_distinct_rows_matter(ops: &[Op]) -> bool {
    for (i, op) in ops.iter().enumerate() {
        match op {
            Op::Filter(_)
            | Op::NodeScan { .. }
            | Op::CheckNode { .. }
            | Op::Expand(_)
            | Op::RelScan { .. }
            | Op::VarExpand(_)
            | Op::ShortestPath(_)
            | Op::BuildPath { .. }
            | Op::Unwind { .. } => {}
            Op::Optional { pipeline, .. } if !pipeline.has_writes() => {}
            Op::Project { .. } => return matches!(ops.get(i + 1), Some(Op::Distinct { .. })),
            Op::Aggregate { aggregates, .. } => {
                return aggregates.iter().all(|a| {
                    a.distinct || matches!(a.kind, AggregateKind::Min | AggregateKind::Max)
                });
            }
            _ => return false,
        }
    }
    false
}

/// Replaces a pipeline that starts by matching a two-hop chain and counts it with
/// `count(*)` (no grouping) by one [`Op::ChainCount`]. It fires only when every condition
/// reads one side of the middle node, or is one comparison across it, and none can fail
/// at run time: the count then evaluates each condition on fewer rows than the pipeline
/// would, which is the same answer only if evaluating it never errs.
fn count_chains(ops: &mut Vec<Op>) {
    if let Some((chain, consumed)) = chain_count_of(ops) {
        ops.splice(..consumed, [Op::ChainCount(Box::new(chain))]);
    }
}

/// The chain count that `ops` start with, and how many operators it replaces.
fn chain_count_of(ops: &[Op]) -> Option<(ChainCount, usize)> {
    let Some(Op::NodeScan {
        slot: a,
        source: NodeSource::Label(_) | NodeSource::All,
        filter: a_filter,
        ..
    }) = ops.first()
    else {
        return None;
    };
    let mut conditions = Vec::new();
    let mut i = 1;
    let take_filters = |i: &mut usize, conditions: &mut Vec<Expr>| {
        while let Some(Op::Filter(expr)) = ops.get(*i) {
            conditions.push(expr.clone());
            *i += 1;
        }
    };
    take_filters(&mut i, &mut conditions);
    let Some(Op::Expand(first)) = ops.get(i) else {
        return None;
    };
    i += 1;
    take_filters(&mut i, &mut conditions);
    let Some(Op::Expand(second)) = ops.get(i) else {
        return None;
    };
    i += 1;
    take_filters(&mut i, &mut conditions);
    let Some(Op::Aggregate { keys, aggregates }) = ops.get(i) else {
        return None;
    };
    let (b, r1, r2, c) = (first.to, first.rel, second.rel, second.to);
    let node_slots = [*a, b, c];
    let all_slots = [*a, r1, b, r2, c];
    let counts_rows = match aggregates.as_slice() {
        [agg] if !agg.distinct && agg.param.is_none() => match (&agg.kind, &agg.arg) {
            (AggregateKind::CountStar, None) => true,
            // A pattern variable is never null in a match.
            (
                AggregateKind::Count,
                Some(Expr {
                    kind: ExprKind::Slot(s),
                    ..
                }),
            ) => all_slots.contains(s),
            _ => false,
        },
        _ => false,
    };
    let plain_hop = |e: &Expand| {
        e.direction != Direction::Both && !e.rel_bound && !e.to_bound && e.time.is_none()
    };
    let distinct_slots = HashSet::from(all_slots).len() == all_slots.len();
    if !keys.is_empty()
        || !counts_rows
        || !distinct_slots
        || !plain_hop(first)
        || !plain_hop(second)
        || first.from != *a
        || second.from != b
        || !first.unique.singles.is_empty()
        || !first.unique.lists.is_empty()
        || !second.unique.lists.is_empty()
        || second.unique.singles.iter().any(|s| *s != r1)
    {
        return None;
    }
    let left_slots = [*a, r1, b];
    let right_slots = [b, r2, c];
    let within = |e: &Expr, allowed: &[Slot]| {
        let mut read = Vec::new();
        e.slots(&mut read);
        read.iter().all(|s| allowed.contains(s))
    };
    let safe = |e: &Expr, allowed: &[Slot]| within(e, allowed) && infallible(e, &node_slots);
    let node_ok = |f: &NodeFilter, allowed: &[Slot]| {
        f.prop_map.is_none() && f.props.iter().all(|(_, e)| safe(e, allowed))
    };
    let rel_ok = |f: &RelFilter, allowed: &[Slot]| {
        f.prop_map.is_none()
            && f.props.iter().all(|(_, e)| safe(e, allowed))
            && f.predicates.iter().all(|(_, e)| safe(e, allowed))
    };
    // Node and relationship filters are evaluated with their side's variables bound.
    if !node_ok(a_filter, &left_slots)
        || !rel_ok(&first.rel_filter, &left_slots)
        || !node_ok(&first.to_filter, &[b])
        || !rel_ok(&second.rel_filter, &right_slots)
        || !node_ok(&second.to_filter, &right_slots)
    {
        return None;
    }
    let (mut middle_conditions, mut left_conditions, mut right_conditions) =
        (Vec::new(), Vec::new(), Vec::new());
    let mut cross = None;
    let mut parts = Vec::new();
    for condition in &conditions {
        // `x AND y` splits only when it cannot fail, so when both are Booleans or null.
        if !infallible(condition, &node_slots) {
            return None;
        }
        conjuncts(condition, &mut parts);
    }
    for condition in parts {
        if !within(&condition, &all_slots) {
            return None;
        }
        if within(&condition, &[b]) {
            middle_conditions.push(condition);
        } else if within(&condition, &left_slots) {
            left_conditions.push(condition);
        } else if within(&condition, &right_slots) {
            right_conditions.push(condition);
        } else if cross.is_none()
            && let ExprKind::Binary { op, lhs, rhs } = condition.kind
            && let Some(flipped) = flip_comparison(op)
        {
            if within(&lhs, &left_slots) && within(&rhs, &right_slots) {
                cross = Some((op, *lhs, *rhs));
            } else if within(&rhs, &left_slots) && within(&lhs, &right_slots) {
                cross = Some((flipped, *rhs, *lhs));
            } else {
                return None;
            }
        } else {
            return None;
        }
    }
    let (cross_op, left_key, right_key) = match cross {
        Some((op, l, r)) => (Some(op), Some(l), Some(r)),
        None => (None, None, None),
    };
    let types_overlap = first.rel_filter.types.is_empty()
        || second.rel_filter.types.is_empty()
        || first
            .rel_filter
            .types
            .iter()
            .any(|t| second.rel_filter.types.iter().any(|u| u.name == t.name));
    let chain = ChainCount {
        middle: b,
        middle_filter: first.to_filter.clone(),
        middle_conditions,
        left: ChainSide {
            rel: r1,
            end: *a,
            direction: reverse(first.direction),
            rel_filter: first.rel_filter.clone(),
            end_filter: a_filter.clone(),
            conditions: left_conditions,
            key: left_key,
        },
        right: ChainSide {
            rel: r2,
            end: c,
            direction: second.direction,
            rel_filter: second.rel_filter.clone(),
            end_filter: second.to_filter.clone(),
            conditions: right_conditions,
            key: right_key,
        },
        cross: cross_op,
        rels_may_repeat: second.unique.singles.contains(&r1) && types_overlap,
    };
    Some((chain, i + 1))
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
        ExprKind::Const(v) => matches!(v, crate::graph::Value::Bool(_) | crate::graph::Value::Null),
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
    use crate::Database;
    use crate::graph::Value;

    fn count(db: &mut Database, query: &str) -> (Value, u64) {
        let result = db.execute(query).unwrap().pop().unwrap();
        (result.rows[0][0].clone(), result.steps)
    }

    #[test]
    fn distinct_reachability_walks_each_node_once() {
        // A dense chain: every trail count grows exponentially, reachable nodes linearly.
        let setup = "UNWIND range(0, 8) AS i CREATE (:N {i: i}); \
                     MATCH (a:N), (b:N) WHERE b.i = a.i + 1 UNWIND [1, 2, 3] AS copy CREATE (a)-[:T]->(b)";
        let query = "MATCH (:N {i: 0})-[:T*]->(b) RETURN count(DISTINCT b)";
        let mut fast = Database::new();
        fast.execute(setup).unwrap();
        let mut slow = Database::new().with_optimizations(false);
        slow.execute(setup).unwrap();
        let (a, fast_steps) = count(&mut fast, query);
        let (b, slow_steps) = count(&mut slow, query);
        assert_eq!(a, Value::Int(8));
        assert_eq!(a, b);
        assert!(
            fast_steps * 50 < slow_steps,
            "fast {fast_steps} steps, slow {slow_steps}"
        );
    }

    #[test]
    fn the_start_counts_only_through_a_cycle() {
        let mut db = Database::new();
        db.execute("CREATE (a:N {i: 0})-[:T]->(:N {i: 1})-[:T]->(:N {i: 2})")
            .unwrap();
        let query = "MATCH (:N {i: 0})-[:T*]->(b) RETURN count(DISTINCT b)";
        assert_eq!(count(&mut db, query).0, Value::Int(2));
        db.execute("MATCH (a:N {i: 2}), (b:N {i: 0}) CREATE (a)-[:T]->(b)")
            .unwrap();
        assert_eq!(count(&mut db, query).0, Value::Int(3));
        let zero = "MATCH (:N {i: 1})-[:T*0..1]->(b) RETURN count(DISTINCT b)";
        assert_eq!(count(&mut db, zero).0, Value::Int(2));
    }
}
