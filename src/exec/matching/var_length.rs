//! Variable-length expansion: reachable ends, walks with relationship uniqueness, bound
//! relationship lists and time-ordered steps, and the frontier's node set.

use std::collections::HashSet;

use fixedbitset::FixedBitSet;

use crate::exec::{Flow, Reader, Result, Row, get, set};
use crate::graph::{Direction, NodeId, RelId, Value};
use crate::plan::logical::{TimeCheck, VarExpand};

use super::Next;

impl Reader<'_> {
    pub(in crate::exec) fn var_expand(
        &self,
        op: &VarExpand,
        row: Row,
        next: &mut Next,
    ) -> Result<Flow> {
        let Value::Node(from) = *get(&row, op.from) else {
            return Ok(Flow::Continue);
        };
        if op.rels_bound {
            return self.follow_bound_list(op, from, row, next);
        }
        if op.ends_only {
            return self.reachable_ends(op, from, row, next);
        }
        let mut walk = Vec::new();
        let mut scratch = row.clone();
        let last = op
            .time
            .as_ref()
            .map_or(Value::Null, |t| get(&row, t.slot).clone());
        self.walk(op, from, &mut walk, &last, &row, &mut scratch, next)
    }

    /// Each node some trail of `op` reaches from `from`, once, by breadth-first search
    /// (see `plan::optimize`). The relationship list is left empty: nothing reads it.
    fn reachable_ends(
        &self,
        op: &VarExpand,
        from: NodeId,
        row: Row,
        next: &mut Next,
    ) -> Result<Flow> {
        let Some(types) = self.type_symbols(&op.rel_filter) else {
            return Ok(Flow::Continue);
        };
        let mut scratch = row.clone();
        let mut seen = NodeSet::new(self.graph.node_id_bound());
        let width = row.len().max(op.to + 1).max(op.rels + 1);
        let emit = |node: NodeId, this: &Self, next: &mut Next| -> Result<Flow> {
            // Room for the slots set below, so that setting them never reallocates.
            let mut r = Vec::with_capacity(width);
            r.extend_from_slice(&row);
            set(&mut r, op.to, Value::Node(node));
            if !op.to_filter.is_empty() && !this.node_matches(node, &op.to_filter, &mut r)? {
                return Ok(Flow::Continue);
            }
            set(&mut r, op.rels, Value::List(Vec::new()));
            next(r)
        };
        if op.min == 0 {
            seen.insert(from);
            if emit(from, self, next)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        let mut frontier = vec![from];
        let mut depth = 0;
        while !frontier.is_empty() && op.max.is_none_or(|max| depth < max) {
            depth += 1;
            let mut following = Vec::new();
            for node in frontier {
                for (rel, other) in self.graph.rels_of_types(node, op.direction, &types) {
                    self.step()?;
                    if seen.contains(other)
                        || !self.rel_passes(rel, &op.rel_filter, &mut scratch)?
                    {
                        continue;
                    }
                    seen.insert(other);
                    if emit(other, self, next)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                    following.push(other);
                }
            }
            in_id_order(&mut following, self.graph.node_id_bound());
            frontier = following;
        }
        Ok(Flow::Continue)
    }

    /// A variable-length pattern whose relationship list is already bound: the path is
    /// that list, if it starts at `from` and runs the pattern's way.
    fn follow_bound_list(
        &self,
        op: &VarExpand,
        from: NodeId,
        mut row: Row,
        next: &mut Next,
    ) -> Result<Flow> {
        let Value::List(items) = get(&row, op.rels).clone() else {
            return Ok(Flow::Continue);
        };
        let mut rels: Vec<RelId> = Vec::with_capacity(items.len());
        for item in &items {
            let Value::Rel(r) = item else {
                return Ok(Flow::Continue);
            };
            rels.push(*r);
        }
        if op.reversed {
            rels.reverse();
        }
        let len = rels.len() as u64;
        if len < op.min || op.max.is_some_and(|max| len > max) {
            return Ok(Flow::Continue);
        }
        let mut at = from;
        for rel in rels {
            self.step()?;
            let Some((start, end)) = self.graph.endpoints(rel) else {
                return Ok(Flow::Continue);
            };
            at = match op.direction {
                Direction::Outgoing if start == at => end,
                Direction::Incoming if end == at => start,
                Direction::Both if start == at => end,
                Direction::Both if end == at => start,
                _ => return Ok(Flow::Continue),
            };
            if !self.rel_matches(rel, &op.rel_filter, &mut row)? {
                return Ok(Flow::Continue);
            }
        }
        if op.to_bound {
            if !matches!(get(&row, op.to), Value::Node(n) if *n == at) {
                return Ok(Flow::Continue);
            }
        } else {
            set(&mut row, op.to, Value::Node(at));
        }
        if !op.to_filter.is_empty() && !self.node_matches(at, &op.to_filter, &mut row)? {
            return Ok(Flow::Continue);
        }
        next(row)
    }

    /// Whether `rel` may follow a path whose last date is `last`; the path's new last date.
    /// Dates and partial dates step as `graph::partial::chain_step` reads them (under
    /// STRICT only a certain order passes); other values compare as Cypher does.
    pub(super) fn time_step(&self, check: &TimeCheck, rel: RelId, last: &Value) -> Option<Value> {
        let date = check
            .keys
            .iter()
            .filter_map(|k| k.resolve(self.graph))
            .find_map(|k| self.graph.rel_property(rel, k));
        match date {
            None if check.strict => None,
            None => Some(last.clone()),
            Some(date) if last.is_null() => Some(date.clone()),
            Some(date) => match crate::graph::partial::chain_step(date, last, check.strict) {
                Some(next) => next,
                None => match date.cypher_cmp(last) {
                    Some(std::cmp::Ordering::Less) | None => None,
                    Some(_) => Some(date.clone()),
                },
            },
        }
    }

    /// Depth-first walk: every trail (no relationship twice) within the length bounds.
    /// Under TIME ORDERED, a hop dated before `last` is not taken, so what is pruned is
    /// never expanded. The walk keeps its own stack of open nodes, one frame per hop, so
    /// that a trail as long as the graph (a chain of a million nodes) needs no deeper call
    /// stack than a short one; `on_walk` answers "is this relationship on the trail?" in
    /// constant time however long the trail gets.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        op: &VarExpand,
        from: NodeId,
        walk: &mut Vec<RelId>,
        last: &Value,
        row: &Row,
        scratch: &mut Row,
        next: &mut Next,
    ) -> Result<Flow> {
        struct Frame<I> {
            rels: I,
            last: Value,
        }
        let mut on_walk: HashSet<RelId, foldhash::fast::RandomState> = HashSet::default();
        let mut stack = Vec::new();
        self.step()?;
        match self.open_walk(op, from, walk, last, row, next)? {
            Some(Flow::Stop) => return Ok(Flow::Stop),
            Some(Flow::Continue) => stack.push(Frame {
                rels: self.graph.rels_of(from, op.direction),
                last: last.clone(),
            }),
            None => {}
        }
        while let Some(frame) = stack.last_mut() {
            let Some((rel, other)) = frame.rels.next() else {
                stack.pop();
                if let Some(rel) = walk.pop() {
                    on_walk.remove(&rel);
                }
                continue;
            };
            if on_walk.contains(&rel) || self.already_used(rel, &op.unique, row) {
                continue;
            }
            if !self.rel_matches(rel, &op.rel_filter, scratch)? {
                continue;
            }
            let next_last = match &op.time {
                Some(check) => match self.time_step(check, rel, &frame.last) {
                    Some(date) => date,
                    None => continue,
                },
                None => Value::Null,
            };
            self.step()?;
            walk.push(rel);
            match self.open_walk(op, other, walk, &next_last, row, next)? {
                Some(Flow::Stop) => return Ok(Flow::Stop),
                Some(Flow::Continue) => {
                    on_walk.insert(rel);
                    stack.push(Frame {
                        rels: self.graph.rels_of(other, op.direction),
                        last: next_last,
                    });
                }
                None => {
                    walk.pop();
                }
            }
        }
        Ok(Flow::Continue)
    }

    /// Reaching `at` by `walk`: emits the trail if it is long enough, then says whether
    /// to go on from `at` (`Some(Continue)`), stop everything, or not go further (`None`,
    /// at the maximum length).
    fn open_walk(
        &self,
        op: &VarExpand,
        at: NodeId,
        walk: &[RelId],
        last: &Value,
        row: &Row,
        next: &mut Next,
    ) -> Result<Option<Flow>> {
        let depth = walk.len() as u64;
        if depth >= op.min && self.emit_walk(op, at, walk, last, row, next)? == Flow::Stop {
            return Ok(Some(Flow::Stop));
        }
        if op.max.is_some_and(|max| depth >= max) {
            return Ok(None);
        }
        Ok(Some(Flow::Continue))
    }

    fn emit_walk(
        &self,
        op: &VarExpand,
        at: NodeId,
        walk: &[RelId],
        last: &Value,
        row: &Row,
        next: &mut Next,
    ) -> Result<Flow> {
        let mut r = row.clone();
        if let Some(check) = &op.time {
            set(&mut r, check.slot, last.clone());
        }
        if op.to_bound {
            if !matches!(get(&r, op.to), Value::Node(n) if *n == at) {
                return Ok(Flow::Continue);
            }
        } else {
            set(&mut r, op.to, Value::Node(at));
        }
        if !op.to_filter.is_empty() && !self.node_matches(at, &op.to_filter, &mut r)? {
            return Ok(Flow::Continue);
        }
        // Nothing reads an unread list: building it would make a long chain's trails
        // cost the square of its length.
        let rels = if op.ends_only_candidate {
            Vec::new()
        } else {
            self.charge(walk.len() * std::mem::size_of::<Value>())?;
            let mut rels: Vec<Value> = walk.iter().map(|r| Value::Rel(*r)).collect();
            if op.reversed {
                rels.reverse();
            }
            rels
        };
        set(&mut r, op.rels, Value::List(rels));
        next(r)
    }
}

/// Sorts a search's next frontier by node id, so that the adjacency index, laid out by
/// node id, is read front to back rather than at random. A frontier holding a good share
/// of the `bound` node ids is sorted through a bit set, in time linear in both.
fn in_id_order(frontier: &mut [NodeId], bound: usize) {
    if frontier.len() < 64 {
        return;
    }
    if frontier.len() < bound / 32 {
        frontier.sort_unstable_by_key(|n| n.0);
        return;
    }
    let mut members = FixedBitSet::with_capacity(bound);
    for node in frontier.iter() {
        members.insert(node.0 as usize);
    }
    for (slot, id) in frontier.iter_mut().zip(members.ones()) {
        *slot = NodeId(id as u32);
    }
}

/// The nodes a search has reached: hashed while few, then one bit per node id once the
/// bits take less room, for searches that visit much of the graph (a million nodes fit
/// in 125 KB, so the checks stay in the cache). Starting hashed spares a search that
/// meets a thousand nodes of a million from clearing the 125 KB first.
enum NodeSet {
    Hashed {
        nodes: HashSet<NodeId, foldhash::fast::RandomState>,
        bound: usize,
    },
    Bits(FixedBitSet),
}

/// Bytes a hashed node takes, about: the id and its share of empty slots.
const HASHED_NODE_BYTES: usize = 8;

impl NodeSet {
    /// An empty set for node ids below `bound` (others are taken too, more slowly).
    fn new(bound: usize) -> NodeSet {
        NodeSet::Hashed {
            nodes: HashSet::default(),
            bound,
        }
    }

    fn contains(&self, node: NodeId) -> bool {
        match self {
            NodeSet::Hashed { nodes, .. } => nodes.contains(&node),
            NodeSet::Bits(bits) => bits.contains(node.0 as usize),
        }
    }

    fn insert(&mut self, node: NodeId) {
        match self {
            NodeSet::Hashed { nodes, bound } => {
                nodes.insert(node);
                if nodes.len() * HASHED_NODE_BYTES > *bound / 8 {
                    let mut bits = FixedBitSet::with_capacity(*bound);
                    for n in nodes.iter() {
                        bits.grow_and_insert(n.0 as usize);
                    }
                    *self = NodeSet::Bits(bits);
                }
            }
            NodeSet::Bits(bits) => bits.grow_and_insert(node.0 as usize),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_set_keeps_its_members_when_it_turns_to_bits() {
        let bound = 64 * 1024;
        let mut set = NodeSet::new(bound);
        let members: Vec<NodeId> = (0..2000).map(|i| NodeId(i * 31 % 70_000)).collect();
        for (i, &node) in members.iter().enumerate() {
            set.insert(node);
            if i == 10 {
                assert!(
                    matches!(set, NodeSet::Hashed { .. }),
                    "few nodes stay hashed"
                );
            }
        }
        assert!(matches!(set, NodeSet::Bits(_)), "many nodes take bits");
        for node in &members {
            assert!(set.contains(*node));
        }
        // Ids past the bound grow the bits; others are absent.
        assert!(!set.contains(NodeId(1)));
        assert!(!set.contains(NodeId(1_000_000)));
        set.insert(NodeId(1_000_000));
        assert!(set.contains(NodeId(1_000_000)));
    }
}
