//! A relationship scan feeding an aggregation that reads only the relationship's type
//! and properties becomes `Op::AggregateRels`.
//!
//! An aggregation over a scan of every relationship that reads only the relationship's
//! type and properties (a count and a sum per type) can fold each relationship straight
//! from storage, making no row for it.
//!
//! Precondition: the pipeline starts with an `Op::RelScan` (so it runs once) with no
//! condition on the start node and an expansion conditioned by types only, directly
//! followed by an `Op::Aggregate` whose keys are each `type(r)` or `r.key` and whose
//! aggregates are each `count(*)`, `count` of the relationship or an end node, or
//! `count`, `sum`, `avg`, `min` or `max` of `type(r)` or `r.key`, none `DISTINCT`.

use crate::plan::functions::Function;
use crate::plan::logical::{
    AggregateKind, AggregateRels, AggregateSpec, Expand, Expr, ExprKind, Op, RelValue, Slot,
};

use super::shape::{expands_by_type_only, is_slot};

/// Replaces the first two operators with [`Op::AggregateRels`] when they meet the
/// precondition.
pub(super) fn aggregate_relationships(mut ops: Vec<Op>) -> Vec<Op> {
    let Some(folded) = aggregation_of(&ops) else {
        return ops;
    };
    ops.splice(0..2, [Op::AggregateRels(Box::new(folded))]);
    ops
}

/// The aggregation over storage that the first two operators amount to.
fn aggregation_of(ops: &[Op]) -> Option<AggregateRels> {
    let (
        Some(Op::RelScan {
            from_filter,
            expand,
        }),
        Some(Op::Aggregate { keys, aggregates }),
    ) = (ops.first(), ops.get(1))
    else {
        return None;
    };
    if !from_filter.is_empty() || !expands_by_type_only(expand) {
        return None;
    }
    let keys = keys
        .iter()
        .map(|k| rel_value(k, expand.rel))
        .collect::<Option<Vec<_>>>()?;
    let reads = aggregates
        .iter()
        .map(|a| aggregate_read(a, expand))
        .collect::<Option<Vec<_>>>()?;
    Some(AggregateRels {
        rel_filter: expand.rel_filter.clone(),
        keys,
        aggregates: aggregates.clone(),
        reads,
    })
}

/// What `expr` reads of the relationship in `rel`, if it is `type(r)` or `r.key`.
fn rel_value(expr: &Expr, rel: Slot) -> Option<RelValue> {
    match &expr.kind {
        ExprKind::Call {
            function: Function::Type,
            args,
        } if is_slot(args.first(), &[rel]) => Some(RelValue::Type),
        ExprKind::Property { base, key } if is_slot(Some(base), &[rel]) => {
            Some(RelValue::Property(key.clone()))
        }
        _ => None,
    }
}

/// What an aggregate reads of each relationship: `Some(None)` for `count(*)`, `None`
/// when it reads anything else.
fn aggregate_read(a: &AggregateSpec, expand: &Expand) -> Option<Option<RelValue>> {
    let ends = [expand.rel, expand.from, expand.to];
    if a.distinct || a.param.is_some() {
        return None;
    }
    match (a.kind, a.arg.as_ref()) {
        (AggregateKind::CountStar, None) => Some(None),
        (AggregateKind::Count, arg) if is_slot(arg, &ends) => Some(Some(RelValue::Present)),
        (
            AggregateKind::Count
            | AggregateKind::Sum
            | AggregateKind::Avg
            | AggregateKind::Min
            | AggregateKind::Max,
            Some(arg),
        ) => rel_value(arg, expand.rel).map(Some),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::rel_scan::scan_relationships;
    use super::super::testing::{names, ops_of};
    use super::*;

    fn rewritten(query: &str) -> Vec<Op> {
        aggregate_relationships(scan_relationships(ops_of(query)))
    }

    #[test]
    fn counts_and_sums_per_type_fold_from_storage() {
        let ops = rewritten("MATCH ()-[r]->() RETURN type(r), count(r), sum(r.w), count(*)");
        assert_eq!(names(&ops), ["AggregateRels"]);
        let Op::AggregateRels(folded) = &ops[0] else {
            unreachable!()
        };
        assert!(matches!(folded.keys[..], [RelValue::Type]));
        assert!(matches!(
            folded.reads[..],
            [Some(RelValue::Present), Some(RelValue::Property(_)), None]
        ));
    }

    #[test]
    fn a_distinct_aggregate_keeps_the_rows() {
        let ops = rewritten("MATCH ()-[r]->() RETURN count(DISTINCT r.w)");
        assert_eq!(names(&ops), ["RelScan", "Aggregate"]);
    }

    #[test]
    fn a_key_on_the_end_node_keeps_the_rows() {
        let ops = rewritten("MATCH ()-[r]->(b) RETURN b.name, count(r)");
        assert_eq!(names(&ops), ["RelScan", "Aggregate"]);
    }

    #[test]
    fn a_relationship_property_condition_keeps_the_rows() {
        let ops = rewritten("MATCH ()-[r {w: 1}]->() RETURN count(r)");
        assert_eq!(names(&ops), ["RelScan", "Aggregate"]);
    }

    #[test]
    fn only_a_first_scan_folds() {
        let ops = rewritten("UNWIND [1, 2] AS x MATCH ()-[r]->() RETURN count(r)");
        assert_eq!(
            ops.iter()
                .filter(|op| matches!(op, Op::AggregateRels(_)))
                .count(),
            0
        );
    }
}
