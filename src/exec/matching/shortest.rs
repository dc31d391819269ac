//! Shortest paths: breadth-first with predecessor lists for all shortest paths, and a
//! bidirectional search meeting in the middle for one.

use std::collections::VecDeque;

use crate::exec::{Flow, Reader, Result, Row, get, set};
use crate::graph::{Direction, NodeId, Path, RelId, Value};
use crate::plan::logical::ShortestPath;

use super::{Next, NodeMap};

impl Reader<'_> {
    /// Breadth-first search from `from` to `to`; one shortest path, or all of them.
    pub(in crate::exec) fn shortest_path(
        &self,
        op: &ShortestPath,
        row: Row,
        next: &mut Next,
    ) -> Result<Flow> {
        let (&Value::Node(from), &Value::Node(to)) = (get(&row, op.from), get(&row, op.to)) else {
            return Ok(Flow::Continue);
        };
        if op.bidirectional && from != to {
            return match self.meet_in_the_middle(op, from, to, &row)? {
                Some(path) => self.emit_path(op, path, row, next),
                None => Ok(Flow::Continue),
            };
        }
        let mut scratch = row.clone();
        if from == to && op.min == 0 {
            let path = Path {
                nodes: vec![from],
                rels: vec![],
            };
            return self.emit_path(op, path, row, next);
        }
        let paths = if from == to {
            self.shortest_cycles(op, from, &mut scratch)?
        } else {
            match self.shortest_routes(op, from, to, None, op.max, &mut scratch)? {
                Some(preds) => {
                    let mut paths = Vec::new();
                    let check = || self.step();
                    collect_paths(
                        to,
                        from,
                        &preds,
                        &mut Vec::new(),
                        op.all,
                        &mut paths,
                        &check,
                    )?;
                    paths
                }
                None => Vec::new(),
            }
        };
        for path in paths {
            if self.emit_path(op, path, row.clone(), next)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// Shortest paths from `at` back to itself. Each first hop is tried on its own and the
    /// rest of the cycle may not take that relationship again, so that going out and back
    /// over one undirected relationship never counts as a path.
    fn shortest_cycles(
        &self,
        op: &ShortestPath,
        at: NodeId,
        scratch: &mut Row,
    ) -> Result<Vec<Path>> {
        let mut best: Vec<Path> = Vec::new();
        let first_hops: Vec<(RelId, NodeId)> = self.graph.rels_of(at, op.direction).collect();
        for (first, next) in first_hops {
            if !self.rel_matches(first, &op.rel_filter, scratch)? {
                continue;
            }
            let mut tails = Vec::new();
            if next == at {
                tails.push(Path {
                    nodes: vec![at],
                    rels: Vec::new(),
                });
            } else {
                let max = op.max.map(|max| max.saturating_sub(1));
                if max == Some(0) {
                    continue;
                }
                if let Some(preds) =
                    self.shortest_routes(op, next, at, Some(first), max, scratch)?
                {
                    let check = || self.step();
                    collect_paths(
                        at,
                        next,
                        &preds,
                        &mut Vec::new(),
                        op.all,
                        &mut tails,
                        &check,
                    )?;
                }
            }
            for tail in tails {
                let mut path = Path {
                    nodes: vec![at],
                    rels: vec![first],
                };
                path.nodes.extend(tail.nodes);
                path.rels.extend(tail.rels);
                match best.first().map(|b| b.rels.len()) {
                    Some(len) if len < path.rels.len() => {}
                    Some(len) if len == path.rels.len() && !op.all => {}
                    Some(len) if len > path.rels.len() => best = vec![path],
                    _ => best.push(path),
                }
            }
        }
        Ok(best)
    }

    /// Breadth-first search from `from` to another node `to`, never taking `banned`:
    /// for each node reached, its predecessors on shortest routes (all of them when
    /// `op.all`), or `None` when `to` is out of reach within `max` hops.
    fn shortest_routes(
        &self,
        op: &ShortestPath,
        from: NodeId,
        to: NodeId,
        banned: Option<RelId>,
        max: Option<u64>,
        scratch: &mut Row,
    ) -> Result<Option<Predecessors>> {
        let mut depth_of: NodeMap<u64> = [(from, 0)].into_iter().collect();
        let mut preds = Predecessors::default();
        let mut frontier = VecDeque::from([from]);
        let mut depth = 0;
        while !frontier.is_empty() && !depth_of.contains_key(&to) {
            if max.is_some_and(|max| depth >= max) {
                break;
            }
            depth += 1;
            let mut following = VecDeque::new();
            for node in frontier {
                self.step()?;
                for (rel, other) in self.graph.rels_of(node, op.direction) {
                    if Some(rel) == banned || !self.rel_matches(rel, &op.rel_filter, scratch)? {
                        continue;
                    }
                    match depth_of.get(&other) {
                        None => {
                            depth_of.insert(other, depth);
                            preds.insert(other, vec![(node, rel)]);
                            following.push_back(other);
                        }
                        Some(d) if *d == depth && op.all => {
                            preds.entry(other).or_default().push((node, rel));
                        }
                        _ => {}
                    }
                }
            }
            frontier = following;
        }
        Ok(depth_of.contains_key(&to).then_some(preds))
    }

    /// One shortest path from `from` to `to` (distinct nodes) by breadth-first search
    /// from both ends, a whole level at a time on the side with the smaller frontier.
    /// Before a level no node is within reach of both sides, so the first node the level
    /// finds already reached by the other side closes a shortest path.
    fn meet_in_the_middle(
        &self,
        op: &ShortestPath,
        from: NodeId,
        to: NodeId,
        row: &Row,
    ) -> Result<Option<Path>> {
        let Some(types) = self.type_symbols(&op.rel_filter) else {
            return Ok(None);
        };
        let backward = match op.direction {
            Direction::Outgoing => Direction::Incoming,
            Direction::Incoming => Direction::Outgoing,
            Direction::Both => Direction::Both,
        };
        let mut scratch = row.clone();
        // Each reached node with the hop that reached it: toward `from` on the forward
        // side, toward `to` on the backward side.
        let mut sides = [Side::new(from, op.direction), Side::new(to, backward)];
        let mut length = 0;
        while sides.iter().all(|s| !s.frontier.is_empty()) && op.max.is_none_or(|max| length < max)
        {
            length += 1;
            let grow = usize::from(sides[1].frontier.len() < sides[0].frontier.len());
            let [a, b] = &mut sides;
            let (this, other) = if grow == 0 { (a, b) } else { (b, a) };
            let mut following = Vec::new();
            for node in std::mem::take(&mut this.frontier) {
                self.step()?;
                for (rel, next) in self.graph.rels_of_types(node, this.direction, &types) {
                    if this.parent.contains_key(&next)
                        || !self.rel_passes(rel, &op.rel_filter, &mut scratch)?
                    {
                        continue;
                    }
                    this.parent.insert(next, Some((node, rel)));
                    if other.parent.contains_key(&next) {
                        let (forward, backward) = if grow == 0 {
                            (&*this, &*other)
                        } else {
                            (&*other, &*this)
                        };
                        return Ok(Some(join_halves(next, forward, backward)));
                    }
                    following.push(next);
                }
            }
            this.frontier = following;
        }
        Ok(None)
    }

    fn emit_path(
        &self,
        op: &ShortestPath,
        path: Path,
        mut row: Row,
        next: &mut Next,
    ) -> Result<Flow> {
        if let Some(rels) = op.rels {
            set(
                &mut row,
                rels,
                Value::List(path.rels.iter().map(|r| Value::Rel(*r)).collect()),
            );
        }
        set(&mut row, op.path, Value::Path(Box::new(path)));
        next(row)
    }
}

/// One side of a bidirectional search.
struct Side {
    direction: Direction,
    frontier: Vec<NodeId>,
    /// Every node reached, with the node and relationship it was reached through.
    parent: NodeMap<Option<(NodeId, RelId)>>,
}

impl Side {
    fn new(root: NodeId, direction: Direction) -> Side {
        // Room for a few levels of a small search, which would otherwise regrow the map
        // several times.
        let mut parent = NodeMap::with_capacity_and_hasher(64, Default::default());
        parent.insert(root, None);
        Side {
            direction,
            frontier: vec![root],
            parent,
        }
    }

    /// The hops from `at` back to this side's root: (relationship, node it leads to).
    fn trace(&self, mut at: NodeId) -> Vec<(RelId, NodeId)> {
        let mut hops = Vec::new();
        while let Some(&Some((prev, rel))) = self.parent.get(&at) {
            hops.push((rel, prev));
            at = prev;
        }
        hops
    }
}

/// The path through `meeting`: the forward side's hops reversed, then the backward's.
fn join_halves(meeting: NodeId, forward: &Side, backward: &Side) -> Path {
    let to_start = forward.trace(meeting);
    let start = to_start.last().map_or(meeting, |&(_, node)| node);
    let mut path = Path {
        nodes: vec![start],
        rels: Vec::new(),
    };
    // `to_start` lists (rel, node before it) from the meeting back to the start.
    let mut after = meeting;
    let mut forward_hops: Vec<(RelId, NodeId)> = Vec::with_capacity(to_start.len());
    for &(rel, prev) in &to_start {
        forward_hops.push((rel, after));
        after = prev;
    }
    for &(rel, node) in forward_hops.iter().rev() {
        path.rels.push(rel);
        path.nodes.push(node);
    }
    for (rel, node) in backward.trace(meeting) {
        path.rels.push(rel);
        path.nodes.push(node);
    }
    path
}

/// Walks predecessor lists back from `at` to `from`, building paths (all, or the first).
/// There can be exponentially many, so every step is `check`ed (Ctrl-C, limits).
/// For each node reached, the hops that reach it on shortest routes.
type Predecessors = NodeMap<Vec<(NodeId, RelId)>>;

fn collect_paths(
    at: NodeId,
    from: NodeId,
    preds: &Predecessors,
    suffix: &mut Vec<(RelId, NodeId)>,
    all: bool,
    out: &mut Vec<Path>,
    check: &dyn Fn() -> Result<()>,
) -> Result<()> {
    // A stack of (node, next predecessor to try) in place of recursion: a shortest path
    // across a chain of a million nodes is a million hops long. `suffix` holds the hop
    // into each frame but the first.
    let mut stack: Vec<(NodeId, usize)> = vec![(at, 0)];
    while let Some((node, tried)) = stack.last_mut() {
        let node = *node;
        if *tried == 0 {
            check()?;
            if node == from && (!suffix.is_empty() || !preds.contains_key(&node)) {
                let mut path = Path {
                    nodes: vec![from],
                    rels: Vec::new(),
                };
                for (rel, node) in suffix.iter().rev() {
                    path.rels.push(*rel);
                    path.nodes.push(*node);
                }
                out.push(path);
                if !all {
                    return Ok(());
                }
                stack.pop();
                suffix.truncate(stack.len().saturating_sub(1));
                continue;
            }
        }
        let hop = preds.get(&node).and_then(|list| list.get(*tried));
        let Some(&(prev, rel)) = hop else {
            stack.pop();
            suffix.truncate(stack.len().saturating_sub(1));
            continue;
        };
        *tried += 1;
        suffix.push((rel, node));
        stack.push((prev, 0));
    }
    Ok(())
}
