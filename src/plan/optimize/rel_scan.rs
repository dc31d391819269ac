//! A scan of every node followed by an expansion from it becomes one scan of the
//! relationships (`Op::RelScan`).
//!
//! `()-[r]->(b)` with the start node unnamed and unconstrained reads every relationship
//! once either way; scanning the relationships in storage order does it without walking
//! each node's adjacency list.
//!
//! Precondition: an `Op::NodeScan` of all nodes, unnamed and with no filter, directly
//! followed by a directed `Op::Expand` from its slot whose relationship and end node are
//! not bound already and which has no time order.

use crate::graph::Direction;
use crate::plan::logical::{NodeSource, Op};

/// Replaces each scan of every node that meets the precondition, with the expansion
/// after it, by one scan of the relationships: the same rows, read in storage order
/// rather than node by node.
pub(super) fn scan_relationships(ops: Vec<Op>) -> Vec<Op> {
    let mut out = Vec::with_capacity(ops.len());
    let mut ops = ops.into_iter().peekable();
    while let Some(op) = ops.next() {
        if !fits(&op, ops.peek()) {
            out.push(op);
            continue;
        }
        let (Op::NodeScan { filter, .. }, Some(Op::Expand(expand))) = (op, ops.next()) else {
            unreachable!("scan_relationships: `fits` checked both operators")
        };
        out.push(Op::RelScan {
            from_filter: filter,
            expand,
        });
    }
    out
}

/// Whether `scan` and the operator after it meet the precondition.
fn fits(scan: &Op, next: Option<&Op>) -> bool {
    let (
        Op::NodeScan {
            slot,
            source: NodeSource::All,
            filter,
            unnamed,
        },
        Some(Op::Expand(expand)),
    ) = (scan, next)
    else {
        return false;
    };
    // A node filter that rejects most nodes is cheaper to test once per node; a node the
    // query reads (a grouping key, say) is cheaper to read once per node than once per
    // relationship in storage order, which meets the nodes at random.
    *unnamed
        && filter.is_empty()
        && expand.from == *slot
        && expand.direction != Direction::Both
        && !expand.rel_bound
        && !expand.to_bound
        && expand.time.is_none()
}

#[cfg(test)]
mod tests {
    use super::super::testing::{names, ops_of};
    use super::*;

    #[test]
    fn an_unnamed_start_scans_relationships() {
        let ops = scan_relationships(ops_of("MATCH ()-[r:T]->(b) RETURN b, r"));
        assert_eq!(names(&ops), ["RelScan", "Project"]);
    }

    #[test]
    fn a_named_start_is_scanned_node_by_node() {
        let ops = scan_relationships(ops_of("MATCH (a)-[r:T]->(b) RETURN a, b"));
        assert_eq!(names(&ops), ["NodeScan", "Expand", "Project"]);
    }

    #[test]
    fn an_undirected_expansion_stays() {
        let ops = scan_relationships(ops_of("MATCH ()-[r]-(b) RETURN b"));
        assert_eq!(names(&ops), ["NodeScan", "Expand", "Project"]);
    }

    #[test]
    fn a_labelled_start_stays() {
        let ops = scan_relationships(ops_of("MATCH (:A)-[r]->(b) RETURN b"));
        assert_eq!(names(&ops), ["NodeScan", "Expand", "Project"]);
    }
}
