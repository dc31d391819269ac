//! Expansions from nodes an earlier expansion reached keep each node's neighbours
//! (`Expand::memoize`).
//!
//! An expansion from a node that an earlier expansion reached meets the same node once
//! per row that reached it (a hub reached from thousands of rows); when which of its
//! neighbours match depends on that node alone, the list is worth keeping.
//!
//! Precondition: an `Op::Expand` from a slot that an earlier expansion, variable-length
//! expansion or relationship scan of the pipeline bound as its end node, with no
//! condition evaluated against the row (see [`neighbours_depend_on_node_only`]).

use std::collections::HashSet;

use crate::plan::logical::{Expand, Op};

/// Marks every expansion that meets the precondition.
pub(super) fn mark_memoized_expansions(mut ops: Vec<Op>) -> Vec<Op> {
    let mut reached = HashSet::new();
    for op in &mut ops {
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
    ops
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

#[cfg(test)]
mod tests {
    use super::super::testing::ops_of;
    use super::*;

    fn memoized(ops: &[Op]) -> Vec<bool> {
        ops.iter()
            .filter_map(|op| match op {
                Op::Expand(e) => Some(e.memoize),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_second_hop_of_a_chain_is_memoized() {
        let ops = mark_memoized_expansions(ops_of(
            "MATCH (s:Src)-[:IN]->(h)-[:OUT]->(d:Dst) RETURN count(*)",
        ));
        assert_eq!(memoized(&ops), [false, true]);
    }

    #[test]
    fn a_property_condition_on_the_hop_is_not_memoized() {
        let ops = mark_memoized_expansions(ops_of(
            "MATCH (s:Src)-[:IN]->(h)-[:OUT {w: s.w}]->(d) RETURN count(*)",
        ));
        assert_eq!(memoized(&ops), [false, false]);
    }
}
