//! An expansion whose relationships an aggregation only counts becomes
//! `Op::CountRels`.
//!
//! An aggregation that only counts the relationships of an expansion (`count(r)` per
//! node: the degree) needs their number, which the adjacency index knows per type
//! without visiting them; the aggregation then adds up the numbers instead of counting a
//! row per relationship.
//!
//! Precondition: a directed `Op::Expand` conditioned by types only (see
//! `shape::expands_by_type_only`) directly followed by an `Op::Aggregate` whose keys do
//! not read the relationship or end node, with at least one `count(*)`, `count(r)` or
//! `count(b)` (without `DISTINCT`), and every other aggregate insensitive to duplicates
//! (`DISTINCT`, `min`, `max`) and reading neither the relationship nor the end node.

use crate::graph::Direction;
use crate::plan::logical::{AggregateKind, AggregateSpec, Expand, Expr, ExprKind, Op, Slot};

use super::shape::{expands_by_type_only, is_slot, reads_any};

/// Replaces each expansion that meets the precondition with [`Op::CountRels`] into the
/// relationship's slot, and its counts with sums of that slot.
pub(super) fn count_relationships(mut ops: Vec<Op>) -> Vec<Op> {
    for i in 0..ops.len().saturating_sub(1) {
        let (head, tail) = ops.split_at_mut(i + 1);
        let (Op::Expand(expand), Op::Aggregate { keys, aggregates }) = (&head[i], &mut tail[0])
        else {
            continue;
        };
        if !fits(expand, keys, aggregates) {
            continue;
        }
        let produced = [expand.rel, expand.to];
        let into = expand.rel;
        for a in aggregates.iter_mut().filter(|a| counted(a, &produced)) {
            a.kind = AggregateKind::Sum;
            a.arg = Some(Expr::new(ExprKind::Slot(into), a.span));
        }
        head[i] = Op::CountRels {
            from: expand.from,
            direction: expand.direction,
            rel_filter: expand.rel_filter.clone(),
            into,
        };
    }
    ops
}

/// Whether an expansion and the aggregation after it meet the precondition.
fn fits(expand: &Expand, keys: &[Expr], aggregates: &[AggregateSpec]) -> bool {
    let produced = [expand.rel, expand.to];
    expand.direction != Direction::Both
        && expands_by_type_only(expand)
        && keys.iter().all(|k| !reads_any(k, &produced))
        && aggregates.iter().any(|a| counted(a, &produced))
        && aggregates
            .iter()
            .all(|a| counted(a, &produced) || untouched(a, &produced))
}

/// `count(*)`, or `count` of the relationship or end node: one per relationship.
fn counted(a: &AggregateSpec, produced: &[Slot]) -> bool {
    !a.distinct
        && (a.kind == AggregateKind::CountStar
            || (a.kind == AggregateKind::Count && is_slot(a.arg.as_ref(), produced)))
}

/// An aggregate that duplicate rows do not change and that reads nothing the expansion
/// binds.
fn untouched(a: &AggregateSpec, produced: &[Slot]) -> bool {
    (a.distinct || matches!(a.kind, AggregateKind::Min | AggregateKind::Max))
        && a.arg
            .iter()
            .chain(&a.param)
            .all(|e| !reads_any(e, produced))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{names, ops_of};
    use super::*;

    fn kinds(ops: &[Op]) -> Vec<AggregateKind> {
        ops.iter()
            .find_map(|op| match op {
                Op::Aggregate { aggregates, .. } => {
                    Some(aggregates.iter().map(|a| a.kind).collect())
                }
                _ => None,
            })
            .expect("an aggregation")
    }

    #[test]
    fn a_degree_counts_relationships_without_rows() {
        let ops = count_relationships(ops_of(
            "MATCH (a)-[r:T]->() RETURN a.name, count(r), count(*), max(a.i)",
        ));
        assert_eq!(names(&ops), ["NodeScan", "CountRels", "Aggregate"]);
        assert_eq!(
            kinds(&ops),
            [AggregateKind::Sum, AggregateKind::Sum, AggregateKind::Max]
        );
    }

    #[test]
    fn a_property_of_the_relationship_keeps_the_expansion() {
        let ops = count_relationships(ops_of("MATCH (a)-[r:T]->() RETURN a, sum(r.w)"));
        assert_eq!(names(&ops), ["NodeScan", "Expand", "Aggregate"]);
    }

    #[test]
    fn a_key_on_the_end_node_keeps_the_expansion() {
        let ops = count_relationships(ops_of("MATCH (a)-[r:T]->(b) RETURN b, count(r)"));
        assert_eq!(names(&ops), ["NodeScan", "Expand", "Aggregate"]);
    }

    #[test]
    fn a_sum_over_the_start_counts_duplicates_and_stays() {
        let ops = count_relationships(ops_of("MATCH (a)-[r:T]->() RETURN count(r), sum(a.i)"));
        assert_eq!(names(&ops), ["NodeScan", "Expand", "Aggregate"]);
    }

    #[test]
    fn an_end_label_keeps_the_expansion() {
        let ops = count_relationships(ops_of("MATCH (a)-[r:T]->(:B) RETURN a, count(r)"));
        assert_eq!(names(&ops), ["NodeScan", "Expand", "Aggregate"]);
    }
}
