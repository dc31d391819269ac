//! Counting and aggregating relationships without making a row for each:
//! [`Op::CountRels`] and [`Op::AggregateRels`], set by the optimizer.
//!
//! [`Op::CountRels`]: crate::plan::logical::Op::CountRels
//! [`Op::AggregateRels`]: crate::plan::logical::Op::AggregateRels

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;

use crate::graph::{Direction, RelId, Symbol, Value};
use crate::plan::logical::{AggregateKind, AggregateRels, RelFilter, RelValue, Slot};

use super::aggregate::{self, Accumulator};
use super::matching::Next;
use super::{Flow, OpState, Reader, Result, Row, set};

/// Group of the relationships of each type when the only keys are `type(r)`.
const NO_GROUP: u32 = u32::MAX;

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
        let mut groups = Groups::new(op);
        if let Some(types) = self.type_symbols(&op.rel_filter) {
            let bound = self.graph.rel_id_bound();
            if bound >= self.ctx.parallel_min_ids.max(2) {
                let (first, second) = self.split_in_two(bound, |reader, ids| {
                    let mut groups = Groups::new(op);
                    reader
                        .fold_rels(op, &types, ids, &mut groups)
                        .map(|()| groups)
                });
                groups = first?;
                groups.merge(second?)?;
            } else {
                self.fold_rels(op, &types, 0..bound, &mut groups)?;
            }
        }
        if groups.rows.is_empty() && op.keys.is_empty() {
            groups
                .rows
                .push((Vec::new(), aggregate::accumulators(specs(op))));
        }
        for (mut row, accumulators) in groups.rows {
            self.check_limits()?;
            for (acc, spec) in accumulators.into_iter().zip(specs(op)) {
                row.push(aggregate::finish(acc, spec, None)?);
            }
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
        groups: &mut Groups,
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
            for ((spec, value), acc) in op.aggregates.iter().zip(accumulators) {
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

fn specs(op: &AggregateRels) -> impl Iterator<Item = &crate::plan::logical::AggregateSpec> {
    op.aggregates.iter().map(|(spec, _)| spec)
}

/// The groups met so far: found by type symbol when `type(r)` is the only kind of key,
/// by hashing the key values otherwise.
struct Groups<'o> {
    op: &'o AggregateRels,
    by_type_only: bool,
    by_type: Vec<u32>,
    by_key: HashMap<Row, usize, foldhash::fast::RandomState>,
    rows: Vec<(Row, Vec<Accumulator>)>,
}

impl<'o> Groups<'o> {
    fn new(op: &'o AggregateRels) -> Groups<'o> {
        Groups {
            op,
            by_type_only: !op.keys.is_empty()
                && op.keys.iter().all(|k| matches!(k, RelValue::Type)),
            by_type: Vec::new(),
            by_key: HashMap::default(),
            rows: Vec::new(),
        }
    }

    /// The accumulators of the group `rel` falls in, made when first met.
    fn of(&mut self, reader: &Reader, rel: RelId, rel_type: Symbol) -> &mut [Accumulator] {
        let at = if self.op.keys.is_empty() {
            if self.rows.is_empty() {
                self.push(Vec::new());
            }
            0
        } else if self.by_type_only {
            let t = rel_type as usize;
            if self.by_type.len() <= t {
                self.by_type.resize(t + 1, NO_GROUP);
            }
            if self.by_type[t] == NO_GROUP {
                self.by_type[t] = self.rows.len() as u32;
                self.push(self.keys_of(reader, rel, rel_type));
            }
            self.by_type[t] as usize
        } else {
            let key = self.keys_of(reader, rel, rel_type);
            match self.by_key.get(&key) {
                Some(&at) => at,
                None => {
                    self.by_key.insert(key.clone(), self.rows.len());
                    self.push(key);
                    self.rows.len() - 1
                }
            }
        };
        &mut self.rows[at].1
    }

    /// Folds the groups of `other`, met over later relationships, into these.
    fn merge(&mut self, other: Groups) -> Result<()> {
        let mut type_of_group = vec![None; other.rows.len()];
        for (t, &at) in other.by_type.iter().enumerate() {
            if at != NO_GROUP {
                type_of_group[at as usize] = Some(t);
            }
        }
        for ((keys, accumulators), rel_type) in other.rows.into_iter().zip(type_of_group) {
            let at = if self.op.keys.is_empty() {
                self.rows.first().map(|_| 0)
            } else if let (true, Some(t)) = (self.by_type_only, rel_type) {
                if self.by_type.len() <= t {
                    self.by_type.resize(t + 1, NO_GROUP);
                }
                let at = self.by_type[t];
                if at == NO_GROUP {
                    self.by_type[t] = self.rows.len() as u32;
                }
                (at != NO_GROUP).then_some(at as usize)
            } else {
                let at = self.by_key.get(&keys).copied();
                if at.is_none() {
                    self.by_key.insert(keys.clone(), self.rows.len());
                }
                at
            };
            match at {
                Some(at) => {
                    let mine = &mut self.rows[at].1;
                    for ((acc, later), spec) in
                        mine.iter_mut().zip(accumulators).zip(specs(self.op))
                    {
                        aggregate::combine(acc, later, spec)?;
                    }
                }
                None => self.rows.push((keys, accumulators)),
            }
        }
        Ok(())
    }

    fn keys_of(&self, reader: &Reader, rel: RelId, rel_type: Symbol) -> Row {
        self.op
            .keys
            .iter()
            .map(|k| reader.rel_value(rel, rel_type, k))
            .collect()
    }

    /// Starts a group with `keys`.
    fn push(&mut self, keys: Row) {
        self.rows
            .push((keys, aggregate::accumulators(specs(self.op))));
    }
}
