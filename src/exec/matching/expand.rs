//! Single-hop expansion: from a bound node, by relationship scan, to a bound end, and
//! the memo of high-degree nodes' matching neighbours.

use std::cell::RefCell;
use std::sync::Arc;

use crate::exec::{Flow, OpState, Reader, Result, Row, get, set};
use crate::graph::{Direction, NodeId, RelId, Symbol, Value};
use crate::plan::logical::{Expand, NodeFilter};

use super::{Next, NodeMap};

/// A node's matches are kept once it has at least this many relationships to scan:
/// rescanning a short list costs about as much as a cache lookup.
const MEMO_MIN_DEGREE: usize = 16;
/// At most this many (relationship, node) pairs are kept per expansion (16 MB).
const MEMO_MAX_ENTRIES: usize = 1 << 21;

/// Matching neighbours of high-degree nodes, for a memoized expansion.
#[derive(Default)]
pub(in crate::exec) struct NeighbourCache {
    lists: NodeMap<Arc<[(RelId, NodeId)]>>,
    entries: usize,
}

impl Reader<'_> {
    pub(in crate::exec) fn expand(
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
    pub(in crate::exec) fn rel_scan(
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
    pub(in crate::exec) fn expand_to(
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
}
