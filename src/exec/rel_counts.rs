//! Counting and aggregating relationships without making a row for each:
//! [`Op::CountRels`] and [`Op::AggregateRels`], set by the optimizer.
//!
//! [`Op::CountRels`]: crate::plan::logical::Op::CountRels
//! [`Op::AggregateRels`]: crate::plan::logical::Op::AggregateRels

use std::collections::HashMap;

use crate::graph::{Direction, RelId, Symbol, Value};
use crate::plan::logical::{AggregateRels, RelFilter, RelValue, Slot};

use super::aggregate::{self, Accumulator};
use super::matching::Next;
use super::{Flow, Reader, Result, Row, set};

/// Group of the relationships of each type when the only keys are `type(r)`.
const NO_GROUP: u32 = u32::MAX;

impl Reader<'_> {
    /// See [`Op::CountRels`](crate::plan::logical::Op::CountRels).
    pub(super) fn count_rels(
        &self,
        from: Slot,
        direction: Direction,
        rel_filter: &RelFilter,
        into: Slot,
        mut row: Row,
        next: &mut Next,
    ) -> Result<Flow> {
        let Some(Value::Node(node)) = row.get(from) else {
            return Ok(Flow::Continue);
        };
        let Some(types) = self.type_symbols(rel_filter) else {
            return Ok(Flow::Continue);
        };
        self.step()?;
        let count = self.graph.count_rels_of_types(*node, direction, &types);
        if count == 0 {
            return Ok(Flow::Continue);
        }
        set(&mut row, into, Value::Int(count as i64));
        next(row)
    }

    /// See [`Op::AggregateRels`](crate::plan::logical::Op::AggregateRels): the rows of
    /// the aggregation it replaces, keys then aggregates, in the order groups are met.
    pub(super) fn aggregate_rels(&self, op: &AggregateRels, next: &mut Next) -> Result<Flow> {
        let types = self.type_symbols(&op.rel_filter);
        let mut groups = Groups::new(op);
        if let Some(types) = types {
            for rel in self.graph.rel_ids() {
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
                    if spec.kind == crate::plan::logical::AggregateKind::CountStar {
                        if let Accumulator::Count(n) = acc {
                            *n += 1;
                        }
                        continue;
                    }
                    aggregate::add(acc, value, spec)?;
                }
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
            by_type_only: op.keys.iter().all(|k| matches!(k, RelValue::Type)),
            by_type: Vec::new(),
            by_key: HashMap::default(),
            rows: Vec::new(),
        }
    }

    /// The accumulators of the group `rel` falls in, made when first met.
    fn of(&mut self, reader: &Reader, rel: RelId, rel_type: Symbol) -> &mut [Accumulator] {
        let at = if self.by_type_only {
            let t = rel_type as usize;
            if self.by_type.len() <= t {
                self.by_type.resize(t + 1, NO_GROUP);
            }
            if self.by_type[t] == NO_GROUP {
                self.by_type[t] = self.rows.len() as u32;
                self.push(reader, rel, rel_type);
            }
            self.by_type[t] as usize
        } else {
            let key: Row = self
                .op
                .keys
                .iter()
                .map(|k| reader.rel_value(rel, rel_type, k))
                .collect();
            match self.by_key.get(&key) {
                Some(&at) => at,
                None => {
                    self.by_key.insert(key, self.rows.len());
                    self.push(reader, rel, rel_type);
                    self.rows.len() - 1
                }
            }
        };
        &mut self.rows[at].1
    }

    fn push(&mut self, reader: &Reader, rel: RelId, rel_type: Symbol) {
        let keys = self
            .op
            .keys
            .iter()
            .map(|k| reader.rel_value(rel, rel_type, k))
            .collect();
        self.rows
            .push((keys, aggregate::accumulators(specs(self.op))));
    }
}
