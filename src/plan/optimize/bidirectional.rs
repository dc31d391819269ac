//! Single shortest paths search from both ends (`ShortestPath::bidirectional`).
//!
//! A single shortest path whose relationship conditions are per hop can be searched
//! from both ends: the search meets in the middle after visiting about the square root
//! of the nodes a one-sided search visits.
//!
//! Precondition: an `Op::ShortestPath` that wants one path (`shortestPath`, not
//! `allShortestPaths`). Every condition the planner leaves on the search is per hop
//! (types, properties, pushed-down `all`/`none`), so it holds whichever end the hop is
//! reached from.

use crate::plan::logical::{Op, ShortestPath};

/// Marks every search that meets the precondition.
pub(super) fn mark_bidirectional_searches(mut ops: Vec<Op>) -> Vec<Op> {
    for op in &mut ops {
        if let Op::ShortestPath(search) = op
            && searchable_from_both_ends(search)
        {
            search.bidirectional = true;
        }
    }
    ops
}

/// One shortest path is wanted, and every condition on it is a condition on each hop
/// alone, so it holds whichever end the hop is reached from.
fn searchable_from_both_ends(search: &ShortestPath) -> bool {
    !search.all
}

#[cfg(test)]
mod tests {
    use super::super::testing::ops_of;
    use super::*;

    fn marks(query: &str) -> Vec<bool> {
        mark_bidirectional_searches(ops_of(query))
            .iter()
            .filter_map(|op| match op {
                Op::ShortestPath(s) => Some(s.bidirectional),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_single_shortest_path_searches_from_both_ends() {
        let query = "MATCH (a {i: 0}), (b {i: 1}) MATCH p = shortestPath((a)-[*]->(b)) RETURN p";
        assert_eq!(marks(query), [true]);
    }

    #[test]
    fn all_shortest_paths_search_from_one_end() {
        let query =
            "MATCH (a {i: 0}), (b {i: 1}) MATCH p = allShortestPaths((a)-[*]->(b)) RETURN p";
        assert_eq!(marks(query), [false]);
    }
}
