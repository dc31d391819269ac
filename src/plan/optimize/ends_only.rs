//! Variable-length walks whose trails nobody counts find each end node once
//! (`VarExpand::ends_only`).
//!
//! Reachability is not path enumeration: a variable-length walk whose relationships
//! nobody reads, feeding a projection that only keeps distinct rows (`DISTINCT`, or
//! aggregates such as `count(DISTINCT b)`, `min`, `max`), needs each end node once, not
//! once per trail. For a directed walk with a lower bound of 0 or 1, a breadth-first
//! search with a visited set finds exactly the end nodes that some trail reaches: the
//! shortest walk to a node is a path, so a trail, and it is within any upper bound a
//! longer trail meets. The start node counts only when a cycle returns to it, as in
//! openCypher.
//!
//! Precondition: an `Op::VarExpand` the planner marked `ends_only_candidate` (nothing
//! reads its relationship list, its MATCH has no other relationship, it is directed
//! with a lower bound of 0 or 1), after which only distinct rows matter (see
//! [`only_distinct_rows_matter`]).

use crate::plan::logical::{AggregateKind, Op};

/// Marks every walk that meets the precondition.
pub(super) fn mark_ends_only_walks(mut ops: Vec<Op>) -> Vec<Op> {
    for i in 0..ops.len() {
        let candidate = matches!(&ops[i], Op::VarExpand(v) if v.ends_only_candidate);
        if candidate
            && only_distinct_rows_matter(&ops[i + 1..])
            && let Op::VarExpand(v) = &mut ops[i]
        {
            v.ends_only = true;
        }
    }
    ops
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
    use super::super::testing::ops_of;
    use super::*;
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
        let mut slow = Database::new().with_disabled_pass("ends_only_walks");
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

    fn marks(query: &str) -> Vec<bool> {
        mark_ends_only_walks(ops_of(query))
            .iter()
            .filter_map(|op| match op {
                Op::VarExpand(v) => Some(v.ends_only),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_distinct_count_of_reached_nodes_walks_ends_only() {
        assert_eq!(
            marks("MATCH (:N {i: 0})-[:T*]->(b) RETURN count(DISTINCT b)"),
            [true]
        );
        assert_eq!(
            marks("MATCH (:N {i: 0})-[:T*]->(b) RETURN DISTINCT b"),
            [true]
        );
    }

    #[test]
    fn a_plain_count_counts_every_trail() {
        assert_eq!(
            marks("MATCH (:N {i: 0})-[:T*]->(b) RETURN count(b)"),
            [false]
        );
    }

    #[test]
    fn a_limit_before_the_projection_counts_rows() {
        assert_eq!(
            marks("MATCH (:N {i: 0})-[:T*]->(b) WITH b LIMIT 3 RETURN DISTINCT b"),
            [false]
        );
    }

    #[test]
    fn a_read_relationship_list_is_no_candidate() {
        assert_eq!(
            marks("MATCH (:N {i: 0})-[rs:T*]->(b) RETURN DISTINCT b, size(rs)"),
            [false]
        );
    }
}
