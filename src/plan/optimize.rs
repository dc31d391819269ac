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

use std::collections::HashSet;

use crate::graph::Direction;

use super::functions::Function;
use super::logical::{
    AggregateKind, AggregateRels, AggregateSpec, Expand, Expr, ExprKind, NodeSource, Op, Pipeline,
    RelValue, ShortestPath, Slot,
};

/// Applies every rewrite to a top-level pipeline.
pub fn optimize(pipeline: &mut Pipeline) {
    mark_ends_only_walks(&mut pipeline.ops);
    scan_relationships(&mut pipeline.ops);
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
