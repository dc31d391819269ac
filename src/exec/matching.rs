//! Pattern matching: scans, single and variable-length expansions, shortest paths.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use fixedbitset::FixedBitSet;

use crate::graph::{Direction, NodeId, Path, RelId, Symbol, Value};
use crate::plan::logical::{
    Expand, NodeFilter, NodeSource, PathStep, RelFilter, ShortestPath, Slot, TimeCheck, Uniqueness,
    VarExpand,
};

use super::{Flow, OpState, Reader, Result, Row, get, set};

pub(super) type Next<'n> = dyn FnMut(Row) -> Result<Flow> + 'n;

/// Maps keyed by node id hash with foldhash: SipHash's resistance to chosen keys buys
/// nothing for ids the graph handed out, and costs a third of a shortest-path search.
type NodeMap<V> = HashMap<NodeId, V, foldhash::fast::RandomState>;

/// A node's matches are kept once it has at least this many relationships to scan:
/// rescanning a short list costs about as much as a cache lookup.
const MEMO_MIN_DEGREE: usize = 16;
/// At most this many (relationship, node) pairs are kept per expansion (16 MB).
const MEMO_MAX_ENTRIES: usize = 1 << 21;

/// Matching neighbours of high-degree nodes, for a memoized expansion.
#[derive(Default)]
pub(super) struct NeighbourCache {
    lists: NodeMap<Arc<[(RelId, NodeId)]>>,
    entries: usize,
}

impl Reader<'_> {
    pub(super) fn node_scan(
        &self,
        slot: Slot,
        source: &NodeSource,
        filter: &NodeFilter,
        row: Row,
        next: &mut Next,
    ) -> Result<Flow> {
        let mut emit = |node: NodeId, this: &Self| -> Result<Flow> {
            this.step()?;
            let mut r = row.clone();
            set(&mut r, slot, Value::Node(node));
            if this.node_matches(node, filter, &mut r)? {
                next(r)
            } else {
                Ok(Flow::Continue)
            }
        };
        match source {
            NodeSource::All => {
                for node in self.graph.node_ids() {
                    if emit(node, self)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
            }
            NodeSource::Label(label) => {
                let Some(symbol) = label.resolve(self.graph) else {
                    return Ok(Flow::Continue);
                };
                for node in self.graph.nodes_with_label(symbol) {
                    if emit(node, self)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
            }
            NodeSource::Name(expr) => {
                let name = self.eval(expr, &mut row.clone())?;
                let Value::String(name) = name else {
                    return Ok(Flow::Continue);
                };
                for node in self.graph.nodes_named(&name).to_vec() {
                    if emit(node, self)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
            }
        }
        Ok(Flow::Continue)
    }

    /// Whether `node` has the filter's labels and properties; `row` is the row being
    /// built, for property values that refer to other variables.
    pub(super) fn node_matches(
        &self,
        node: NodeId,
        filter: &NodeFilter,
        row: &mut Row,
    ) -> Result<bool> {
        for label in &filter.labels {
            match label.resolve(self.graph) {
                Some(symbol) if self.graph.has_label(node, symbol) => {}
                _ => return Ok(false),
            }
        }
        for (key, expr) in &filter.props {
            let expected = self.eval(expr, row)?;
            let actual = key
                .resolve(self.graph)
                .and_then(|k| self.graph.node_property(node, k));
            if !property_equals(actual, &expected) {
                return Ok(false);
            }
        }
        if let Some(map) = &filter.prop_map {
            return self.map_matches(map, row, |k| self.graph.node_property(node, k));
        }
        Ok(true)
    }

    fn map_matches<'v>(
        &self,
        map: &crate::plan::logical::Expr,
        row: &mut Row,
        lookup: impl Fn(crate::graph::Symbol) -> Option<&'v Value>,
    ) -> Result<bool> {
        match self.eval(map, row)? {
            Value::Map(entries) => {
                for (key, expected) in &entries {
                    let actual = self.graph.key_symbol(key).and_then(&lookup);
                    if !property_equals(actual, expected) {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Value::Null => Ok(false),
            other => Err(super::ExecError::TypeMismatch {
                message: format!(
                    "expected a map of properties, got {}",
                    super::expr::describe(&other)
                ),
                span: map.span,
            }),
        }
    }

    /// Whether relationship `rel` has one of the filter's types, its properties, and
    /// passes its inline predicate.
    fn rel_matches(&self, rel: RelId, filter: &RelFilter, row: &mut Row) -> Result<bool> {
        if !filter.types.is_empty() {
            let Some(rel_type) = self.graph.rel_type(rel) else {
                return Ok(false);
            };
            if !filter
                .types
                .iter()
                .any(|t| t.resolve(self.graph) == Some(rel_type))
            {
                return Ok(false);
            }
        }
        self.rel_passes(rel, filter, row)
    }

    /// [`Self::rel_matches`] without the type test, for relationships that came from
    /// adjacency already filtered by type.
    pub(super) fn rel_passes(&self, rel: RelId, filter: &RelFilter, row: &mut Row) -> Result<bool> {
        for (key, expr) in &filter.props {
            let expected = self.eval(expr, row)?;
            let actual = key
                .resolve(self.graph)
                .and_then(|k| self.graph.rel_property(rel, k));
            if !property_equals(actual, &expected) {
                return Ok(false);
            }
        }
        if let Some(map) = &filter.prop_map
            && !self.map_matches(map, row, |k| self.graph.rel_property(rel, k))?
        {
            return Ok(false);
        }
        for (hop, predicate) in &filter.predicates {
            set(row, *hop, Value::Rel(rel));
            if !matches!(self.eval(predicate, row)?, Value::Bool(true)) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The type symbols a relationship may have, for [`Graph::rels_of_types`] (empty:
    /// any type); `None` when the filter names only types the graph has never seen, so
    /// that nothing can match.
    ///
    /// [`Graph::rels_of_types`]: crate::graph::Graph::rels_of_types
    pub(super) fn type_symbols(&self, filter: &RelFilter) -> Option<Vec<Symbol>> {
        let symbols: Vec<Symbol> = filter
            .types
            .iter()
            .filter_map(|t| t.resolve(self.graph))
            .collect();
        (symbols.is_empty() == filter.types.is_empty()).then_some(symbols)
    }

    /// Whether `rel` is already used by the row's earlier relationships in this MATCH.
    fn already_used(&self, rel: RelId, unique: &Uniqueness, row: &Row) -> bool {
        unique
            .singles
            .iter()
            .any(|s| matches!(get(row, *s), Value::Rel(r) if *r == rel))
            || unique.lists.iter().any(|s| match get(row, *s) {
                Value::List(items) => items
                    .iter()
                    .any(|v| matches!(v, Value::Rel(r) if *r == rel)),
                _ => false,
            })
    }

    pub(super) fn expand(
        &self,
        op: &Expand,
        row: Row,
        memo: &RefCell<OpState>,
        next: &mut Next,
    ) -> Result<Flow> {
        let Value::Node(from) = *get(&row, op.from) else {
            return Ok(Flow::Continue);
        };
        if op.rel_bound {
            let Value::Rel(rel) = *get(&row, op.rel) else {
                return Ok(Flow::Continue);
            };
            let Some((start, end)) = self.graph.endpoints(rel) else {
                return Ok(Flow::Continue);
            };
            let other = match op.direction {
                Direction::Outgoing if start == from => end,
                Direction::Incoming if end == from => start,
                Direction::Both if start == from => end,
                Direction::Both if end == from => start,
                _ => return Ok(Flow::Continue),
            };
            let mut row = row;
            return self.expand_to(op, rel, other, false, &mut row, next);
        }
        let Some(types) = self.type_symbols(&op.rel_filter) else {
            return Ok(Flow::Continue);
        };
        if op.memoize {
            return self.expand_memoized(op, from, &types, row, memo, next);
        }
        // One row is reused for every relationship tried; only matches are copied.
        let mut scratch = row;
        for (rel, other) in self.graph.rels_of_types(from, op.direction, &types) {
            self.step()?;
            if self.expand_to(op, rel, other, true, &mut scratch, next)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// Every relationship of the right type, as an expansion of `op` from whichever end
    /// its direction starts at, that end meeting `from_filter` (see `Op::RelScan`).
    pub(super) fn rel_scan(
        &self,
        from_filter: &NodeFilter,
        op: &Expand,
        row: Row,
        next: &mut Next,
    ) -> Result<Flow> {
        let Some(types) = self.type_symbols(&op.rel_filter) else {
            return Ok(Flow::Continue);
        };
        let mut scratch = row;
        for rel in self.graph.rel_ids() {
            self.step()?;
            if !types.is_empty() && !self.graph.rel_type(rel).is_some_and(|t| types.contains(&t)) {
                continue;
            }
            let Some((start, end)) = self.graph.endpoints(rel) else {
                continue;
            };
            let (from, other) = match op.direction {
                Direction::Incoming => (end, start),
                _ => (start, end),
            };
            set(&mut scratch, op.from, Value::Node(from));
            if !from_filter.is_empty() && !self.node_matches(from, from_filter, &mut scratch)? {
                continue;
            }
            if self.expand_to(op, rel, other, true, &mut scratch, next)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// Checks one relationship of an expansion against `row` (which it may scribble on:
    /// the caller's scratch row) and passes a copy on when it matches. `typed`: the
    /// relationship came from adjacency filtered by type already.
    pub(super) fn expand_to(
        &self,
        op: &Expand,
        rel: RelId,
        other: NodeId,
        typed: bool,
        row: &mut Row,
        next: &mut Next,
    ) -> Result<Flow> {
        if self.already_used(rel, &op.unique, row) {
            return Ok(Flow::Continue);
        }
        let passes = if typed {
            self.rel_passes(rel, &op.rel_filter, row)?
        } else {
            self.rel_matches(rel, &op.rel_filter, row)?
        };
        if !passes {
            return Ok(Flow::Continue);
        }
        let date = match &op.time {
            Some(check) => match self.time_step(check, rel, get(row, check.slot)) {
                Some(date) => Some(date),
                None => return Ok(Flow::Continue),
            },
            None => None,
        };
        if op.to_bound {
            if !matches!(get(row, op.to), Value::Node(n) if *n == other) {
                return Ok(Flow::Continue);
            }
        } else {
            set(row, op.to, Value::Node(other));
        }
        if !op.to_filter.is_empty() && !self.node_matches(other, &op.to_filter, row)? {
            return Ok(Flow::Continue);
        }
        let mut out = row.clone();
        set(&mut out, op.rel, Value::Rel(rel));
        if let (Some(check), Some(date)) = (&op.time, date) {
            set(&mut out, check.slot, date);
        }
        next(out)
    }

    /// An expansion whose matching neighbours depend on `from` alone (see
    /// [`Expand::memoize`]): a node with many relationships keeps its list of matches for
    /// the rows that reach it again. Per-row conditions (uniqueness, a bound end) are
    /// still checked per row.
    fn expand_memoized(
        &self,
        op: &Expand,
        from: NodeId,
        types: &[Symbol],
        mut row: Row,
        memo: &RefCell<OpState>,
        next: &mut Next,
    ) -> Result<Flow> {
        let cached = match &*memo.borrow() {
            OpState::Neighbours(cache) => cache.lists.get(&from).cloned(),
            _ => None,
        };
        if let Some(list) = cached {
            for &(rel, other) in list.iter() {
                self.step()?;
                if self.emit_neighbour(op, rel, other, &mut row, next)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
            return Ok(Flow::Continue);
        }
        let mut found = Vec::new();
        let mut scanned = 0;
        for (rel, other) in self.graph.rels_of_types(from, op.direction, types) {
            self.step()?;
            scanned += 1;
            if !op.to_filter.is_empty() && !self.node_matches(other, &op.to_filter, &mut row)? {
                continue;
            }
            found.push((rel, other));
            if self.emit_neighbour(op, rel, other, &mut row, next)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        if scanned >= MEMO_MIN_DEGREE {
            let mut state = memo.borrow_mut();
            if !matches!(*state, OpState::Neighbours(_)) {
                *state = OpState::Neighbours(NeighbourCache::default());
            }
            if let OpState::Neighbours(cache) = &mut *state
                && cache.entries + found.len() <= MEMO_MAX_ENTRIES
            {
                cache.entries += found.len();
                cache.lists.insert(from, Arc::from(found));
            }
        }
        Ok(Flow::Continue)
    }

    /// Passes on `row` extended by one neighbour that already met the relationship and
    /// end-node filters.
    fn emit_neighbour(
        &self,
        op: &Expand,
        rel: RelId,
        other: NodeId,
        row: &mut Row,
        next: &mut Next,
    ) -> Result<Flow> {
        if self.already_used(rel, &op.unique, row) {
            return Ok(Flow::Continue);
        }
        if op.to_bound {
            if !matches!(get(row, op.to), Value::Node(n) if *n == other) {
                return Ok(Flow::Continue);
            }
        } else {
            set(row, op.to, Value::Node(other));
        }
        let mut out = row.clone();
        set(&mut out, op.rel, Value::Rel(rel));
        next(out)
    }

    pub(super) fn var_expand(&self, op: &VarExpand, row: Row, next: &mut Next) -> Result<Flow> {
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
    /// Dates and partial dates step as `temporal::partial::chain_step` reads them (under
    /// STRICT only a certain order passes); other values compare as Cypher does.
    fn time_step(&self, check: &TimeCheck, rel: RelId, last: &Value) -> Option<Value> {
        let date = check
            .keys
            .iter()
            .filter_map(|k| k.resolve(self.graph))
            .find_map(|k| self.graph.rel_property(rel, k));
        match date {
            None if check.strict => None,
            None => Some(last.clone()),
            Some(date) if last.is_null() => Some(date.clone()),
            Some(date) => match crate::temporal::partial::chain_step(date, last, check.strict) {
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
    /// never expanded.
    #[allow(clippy::too_many_arguments)]
    fn walk(
        &self,
        op: &VarExpand,
        at: NodeId,
        walk: &mut Vec<RelId>,
        last: &Value,
        row: &Row,
        scratch: &mut Row,
        next: &mut Next,
    ) -> Result<Flow> {
        self.step()?;
        let depth = walk.len() as u64;
        if depth >= op.min && self.emit_walk(op, at, walk, last, row, next)? == Flow::Stop {
            return Ok(Flow::Stop);
        }
        if op.max.is_some_and(|max| depth >= max) {
            return Ok(Flow::Continue);
        }
        for (rel, other) in self.graph.rels_of(at, op.direction) {
            if walk.contains(&rel) || self.already_used(rel, &op.unique, row) {
                continue;
            }
            if !self.rel_matches(rel, &op.rel_filter, scratch)? {
                continue;
            }
            let next_last = match &op.time {
                Some(check) => match self.time_step(check, rel, last) {
                    Some(date) => date,
                    None => continue,
                },
                None => Value::Null,
            };
            walk.push(rel);
            let flow = self.walk(op, other, walk, &next_last, row, scratch, next)?;
            walk.pop();
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
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
        let mut rels: Vec<Value> = walk.iter().map(|r| Value::Rel(*r)).collect();
        if op.reversed {
            rels.reverse();
        }
        set(&mut r, op.rels, Value::List(rels));
        next(r)
    }

    /// Breadth-first search from `from` to `to`; one shortest path, or all of them.
    pub(super) fn shortest_path(
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

    /// Assembles a named path from the row's nodes and relationships.
    pub(super) fn build_path(&self, row: &Row, start: Slot, steps: &[PathStep]) -> Value {
        let Value::Node(mut at) = *get(row, start) else {
            return Value::Null;
        };
        let mut path = Path {
            nodes: vec![at],
            rels: Vec::new(),
        };
        let step = |rel: RelId, path: &mut Path, at: &mut NodeId| -> bool {
            let Some((s, e)) = self.graph.endpoints(rel) else {
                return false;
            };
            *at = if s == *at { e } else { s };
            path.rels.push(rel);
            path.nodes.push(*at);
            true
        };
        for s in steps {
            match s {
                PathStep::Single(slot) => match get(row, *slot) {
                    Value::Rel(r) => {
                        if !step(*r, &mut path, &mut at) {
                            return Value::Null;
                        }
                    }
                    _ => return Value::Null,
                },
                PathStep::Var(slot) => match get(row, *slot) {
                    Value::List(items) => {
                        for item in items {
                            let Value::Rel(r) = item else {
                                return Value::Null;
                            };
                            if !step(*r, &mut path, &mut at) {
                                return Value::Null;
                            }
                        }
                    }
                    _ => return Value::Null,
                },
            }
        }
        Value::Path(Box::new(path))
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
    check()?;
    if at == from && (!suffix.is_empty() || !preds.contains_key(&at)) {
        let mut path = Path {
            nodes: vec![from],
            rels: Vec::new(),
        };
        for (rel, node) in suffix.iter().rev() {
            path.rels.push(*rel);
            path.nodes.push(*node);
        }
        out.push(path);
        return Ok(());
    }
    let Some(list) = preds.get(&at) else {
        return Ok(());
    };
    for (prev, rel) in list {
        suffix.push((*rel, at));
        collect_paths(*prev, from, preds, suffix, all, out, check)?;
        suffix.pop();
        if !all && !out.is_empty() {
            return Ok(());
        }
    }
    Ok(())
}

/// Property equality for pattern maps: a missing property never matches, and nor does null.
fn property_equals(actual: Option<&Value>, expected: &Value) -> bool {
    match actual {
        Some(actual) => actual.cypher_eq(expected) == Some(true),
        None => false,
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
