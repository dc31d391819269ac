//! Counting and aggregating relationships without making a row for each:
//! [`Op::CountRels`] and [`Op::AggregateRels`], set by the optimizer.
//!
//! [`Op::CountRels`]: crate::plan::logical::Op::CountRels
//! [`Op::AggregateRels`]: crate::plan::logical::Op::AggregateRels

use std::cell::RefCell;
use std::ops::Range;

use crate::graph::{Direction, RelId, Symbol, Value};
use crate::plan::logical::{AggregateKind, AggregateRels, RelFilter, RelValue, Slot};

use super::aggregate::{self, Accumulator};
use super::groups::GroupTable;
use super::matching::Next;
use super::{Flow, OpState, Reader, Result, Row, set};

impl Reader<'_> {
    /// See [`Op::CountRels`](crate::plan::logical::Op::CountRels).
    pub(super) fn count_rels(
        &self,
        (from, direction, rel_filter, into): (Slot, Direction, &RelFilter, Slot),
        mut row: Row,
        state: &RefCell<OpState>,
        next: &mut Next,
    ) -> Result<Flow> {
        let Some(Value::Node(node)) = row.get(from) else {
            return Ok(Flow::Continue);
        };
        let mut state = state.borrow_mut();
        if !matches!(*state, OpState::Types(_)) {
            *state = OpState::Types(self.type_symbols(rel_filter));
        }
        let OpState::Types(Some(types)) = &*state else {
            return Ok(Flow::Continue);
        };
        self.step()?;
        let count = self.graph.count_rels_of_types(*node, direction, types);
        if count == 0 {
            return Ok(Flow::Continue);
        }
        set(&mut row, into, Value::Int(count as i64));
        drop(state);
        next(row)
    }

    /// See [`Op::AggregateRels`](crate::plan::logical::Op::AggregateRels): the rows of
    /// the aggregation it replaces, keys then aggregates, in the order groups are met.
    /// Many relationships are folded on two threads, each taking half of the ids; the
    /// second half's groups then merge into the first's.
    pub(super) fn aggregate_rels(&self, op: &AggregateRels, next: &mut Next) -> Result<Flow> {
        let mut groups = RelGroups::new(op);
        if let Some(types) = self.type_symbols(&op.rel_filter) {
            let bound = self.graph.rel_id_bound();
            if bound >= self.ctx.parallel_min_ids.max(2) {
                let (first, second) = self.split_in_two(bound, |reader, ids| {
                    let mut groups = RelGroups::new(op);
                    reader
                        .fold_rels(op, &types, ids, &mut groups)
                        .map(|()| groups)
                });
                groups = first?;
                groups.table.merge(self, second?.table)?;
            } else {
                self.fold_rels(op, &types, 0..bound, &mut groups)?;
            }
        }
        for row in groups.table.finish(self, &[])? {
            if next(row)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// Folds the relationships with ids in `ids` and one of `types` (any when empty)
    /// into `groups`.
    fn fold_rels(
        &self,
        op: &AggregateRels,
        types: &[Symbol],
        ids: Range<usize>,
        groups: &mut RelGroups,
    ) -> Result<()> {
        for rel in self.graph.rel_ids_in(ids) {
            self.step()?;
            let Some(rel_type) = self.graph.rel_type(rel) else {
                continue;
            };
            if !types.is_empty() && !types.contains(&rel_type) {
                continue;
            }
            let accumulators = groups.of(self, rel, rel_type);
            for ((spec, value), acc) in op.aggregates.iter().zip(&op.reads).zip(accumulators) {
                let value = match value {
                    None => Value::Int(1),
                    Some(value) => match self.rel_value(rel, rel_type, value) {
                        Value::Null => continue,
                        value => value,
                    },
                };
                if spec.kind == AggregateKind::CountStar {
                    if let Accumulator::Count(n) = acc {
                        *n += 1;
                    }
                    continue;
                }
                aggregate::add(acc, value, spec)?;
            }
        }
        Ok(())
    }

    fn rel_value(&self, rel: RelId, rel_type: Symbol, value: &RelValue) -> Value {
        match value {
            RelValue::Type => self.graph.type_name_value(rel_type),
            RelValue::Property(key) => key
                .resolve(self.graph)
                .and_then(|key| self.graph.rel_property(rel, key))
                .cloned()
                .unwrap_or(Value::Null),
            RelValue::Present => Value::Bool(true),
        }
    }
}

/// The groups of an [`AggregateRels`]: found by type symbol when `type(r)` is the only
/// kind of key, by hashing the key values otherwise.
struct RelGroups<'o> {
    op: &'o AggregateRels,
    by_type_only: bool,
    table: GroupTable<'o>,
}

impl<'o> RelGroups<'o> {
    fn new(op: &'o AggregateRels) -> RelGroups<'o> {
        RelGroups {
            op,
            by_type_only: !op.keys.is_empty()
                && op.keys.iter().all(|k| matches!(k, RelValue::Type)),
            table: GroupTable::new(&op.aggregates, !op.keys.is_empty()),
        }
    }

    /// The accumulators of the group `rel` falls in, made when first met.
    fn of(&mut self, reader: &Reader, rel: RelId, rel_type: Symbol) -> &mut [Accumulator] {
        let op = self.op;
        let g = if op.keys.is_empty() {
            self.table.only_group()
        } else if self.by_type_only {
            self.table
                .group_of_symbol(rel_type as usize, || keys_of(op, reader, rel, rel_type))
        } else {
            self.table.group_of(&mut keys_of(op, reader, rel, rel_type))
        };
        self.table.group_mut(g).0
    }
}

/// The grouping keys of `rel`.
fn keys_of(op: &AggregateRels, reader: &Reader, rel: RelId, rel_type: Symbol) -> Row {
    op.keys
        .iter()
        .map(|k| reader.rel_value(rel, rel_type, k))
        .collect()
}
