//! The grouping table every aggregation folds into: ordinary grouping
//! ([`Aggregation`](super::aggregate::Aggregation)), relationships aggregated straight
//! from storage (`Op::AggregateRels`), and the merge of two threads' halves of either.
//!
//! Groups are numbered in the order they are first met. Each has its keys (a row with
//! room for its aggregates, which [`GroupTable::finish`] appends), one accumulator per
//! aggregate, and for `DISTINCT` aggregates the values seen. Groups are found by hashing
//! their keys; a caller that has a small number standing for the keys (a relationship
//! type's symbol when `type(r)` is the only key) finds them through a plain array first.

use std::collections::HashSet;
use std::hash::BuildHasher;

use fixedbitset::FixedBitSet;
use hashbrown::HashTable;

use crate::graph::{NodeId, Value};
use crate::plan::logical::AggregateSpec;

use super::aggregate::{self, Accumulator};
use super::{Reader, Result, Row};

/// No group stands for this symbol yet.
const NO_GROUP: u32 = u32::MAX;

/// Groups met so far, with their keys and accumulators.
pub(super) struct GroupTable<'p> {
    specs: &'p [AggregateSpec],
    /// The grouping has keys; without, it has exactly one group, even over no rows.
    keyed: bool,
    /// Group numbers with the hash of their keys (kept once, in `keys`), so that
    /// growing the table rehashes no key. Keys are short rows hashed once per input row:
    /// a fast non-cryptographic hash (foldhash) instead of SipHash.
    index: HashTable<(u64, u32)>,
    hasher: foldhash::fast::RandomState,
    /// Group numbers by a symbol standing for the keys (see [`GroupTable::group_of_symbol`]);
    /// a cache in front of `index`, which holds every group too.
    by_symbol: Vec<u32>,
    /// Each group's keys, with room for its aggregates.
    keys: Vec<Row>,
    /// The groups' accumulators, `specs.len()` per group.
    accumulators: Vec<Accumulator>,
    /// Per group and aggregate, the values a `DISTINCT` aggregate has seen; empty when
    /// no aggregate is `DISTINCT`.
    seen: Vec<SeenValues>,
    distinct: bool,
}

impl<'p> GroupTable<'p> {
    /// An empty table for aggregating `specs`, by keys when `keyed`.
    pub(super) fn new(specs: &'p [AggregateSpec], keyed: bool) -> GroupTable<'p> {
        GroupTable {
            specs,
            keyed,
            index: HashTable::new(),
            hasher: foldhash::fast::RandomState::default(),
            by_symbol: Vec::new(),
            keys: Vec::new(),
            accumulators: Vec::new(),
            seen: Vec::new(),
            distinct: specs.iter().any(|s| s.distinct),
        }
    }

    /// The one group of a grouping without keys, started if new.
    pub(super) fn only_group(&mut self) -> usize {
        if self.keys.is_empty() {
            self.group_of(&mut Vec::new());
        }
        0
    }

    /// The number of the group with `keys`, started if new. A new group takes the
    /// keys, leaving `keys` empty; a caller reusing one row for its keys keeps its buffer
    /// otherwise.
    pub(super) fn group_of(&mut self, keys: &mut Row) -> usize {
        let hash = self.hasher.hash_one(&*keys);
        let groups = &self.keys;
        let found = self
            .index
            .find(hash, |&(h, g)| h == hash && groups[g as usize] == *keys)
            .copied();
        match found {
            Some((_, g)) => g as usize,
            None => {
                let mut row = Vec::with_capacity(keys.len() + self.specs.len());
                row.append(keys);
                let g = self.new_group(row);
                self.index
                    .insert_unique(hash, (hash, g as u32), |&(h, _)| h);
                g
            }
        }
    }

    /// The number of the group whose keys `symbol` stands for (a small number, one per
    /// distinct keys), started with `keys()` if new: found without hashing once met.
    pub(super) fn group_of_symbol(&mut self, symbol: usize, keys: impl FnOnce() -> Row) -> usize {
        if let Some(&g) = self.by_symbol.get(symbol)
            && g != NO_GROUP
        {
            return g as usize;
        }
        let g = self.group_of(&mut keys());
        if self.by_symbol.len() <= symbol {
            self.by_symbol.resize(symbol + 1, NO_GROUP);
        }
        self.by_symbol[symbol] = g as u32;
        g
    }

    /// The accumulators of group `g`, and what its `DISTINCT` aggregates have seen
    /// (`None` when no aggregate is `DISTINCT`).
    pub(super) fn group_mut(
        &mut self,
        g: usize,
    ) -> (&mut [Accumulator], Option<&mut [SeenValues]>) {
        let width = self.specs.len();
        let range = g * width..(g + 1) * width;
        let seen = match self.distinct {
            true => Some(&mut self.seen[range.clone()]),
            false => None,
        };
        (&mut self.accumulators[range], seen)
    }

    /// Folds the groups of `other`, which grouped the rows after this one's, into this
    /// one: groups new to this one follow its own, in `other`'s order. Only aggregates
    /// without `DISTINCT` combine (see `exec::parallel`).
    pub(super) fn merge(&mut self, reader: &Reader, other: GroupTable) -> Result<()> {
        debug_assert!(!self.distinct, "DISTINCT aggregates do not combine");
        let specs = self.specs;
        let mut theirs = other.accumulators.into_iter();
        for mut keys in other.keys {
            reader.check_limits()?;
            let g = self.group_of(&mut keys);
            let (mine, _) = self.group_mut(g);
            for (acc, spec) in mine.iter_mut().zip(specs) {
                let later = theirs.next().expect("one accumulator per aggregate");
                aggregate::combine(acc, later, spec)?;
            }
        }
        Ok(())
    }

    /// Starts a group with `keys`, returning its number.
    fn new_group(&mut self, keys: Row) -> usize {
        self.keys.push(keys);
        self.accumulators
            .extend(aggregate::accumulators(self.specs));
        if self.distinct {
            self.seen
                .extend(self.specs.iter().map(|_| SeenValues::default()));
        }
        self.keys.len() - 1
    }

    /// Drops the groups on another thread: a stopped statement answers at once.
    pub(super) fn discard(self) {
        super::discard((self.index, self.keys, self.accumulators, self.seen));
    }

    /// One row per group, in the order they were met: the keys, then the aggregates
    /// (`params[i]` is the `i`th aggregate's parameter, if it takes one). With no keys,
    /// one row even over no rows.
    pub(super) fn finish(mut self, reader: &Reader, params: &[Option<Value>]) -> Result<Vec<Row>> {
        if !self.keyed {
            self.only_group();
        }
        // A large index takes a while to free and is not needed any more.
        if self.index.len() > 4096 {
            super::discard(std::mem::take(&mut self.index));
        }
        let specs = self.specs;
        let mut accumulators = self.accumulators.into_iter();
        self.keys
            .into_iter()
            .map(|mut row| {
                reader.check_limits()?;
                for (i, spec) in specs.iter().enumerate() {
                    let acc = accumulators.next().expect("one accumulator per aggregate");
                    let param = params.get(i).and_then(Option::as_ref);
                    row.push(aggregate::finish(acc, spec, param)?);
                }
                Ok(row)
            })
            .collect()
    }
}

/// The values a `DISTINCT` aggregate has seen in one group. Many nodes, the usual case
/// (`count(DISTINCT b)` over the nodes a search reached), take one bit per node id once
/// that is smaller than hashing them; any other value brings the hash set back.
pub(super) enum SeenValues {
    Hashed(HashSet<Value, foldhash::fast::RandomState>),
    Nodes(FixedBitSet),
}

impl Default for SeenValues {
    fn default() -> SeenValues {
        SeenValues::Hashed(HashSet::default())
    }
}

/// Bytes a hash set spends per value, about: the value and its share of empty slots.
const HASHED_BYTES_PER_VALUE: usize = 48;

impl SeenValues {
    /// Whether `value` is new.
    pub(super) fn insert(&mut self, value: &Value) -> bool {
        match (&mut *self, value) {
            (SeenValues::Nodes(ids), Value::Node(node)) => {
                let i = node.0 as usize;
                if ids.len() <= i {
                    ids.grow((i + 1).max(ids.len() * 2));
                }
                !ids.put(i)
            }
            (SeenValues::Nodes(ids), _) => {
                let nodes = ids.ones().map(|i| Value::Node(NodeId(i as u32))).collect();
                *self = SeenValues::Hashed(nodes);
                self.insert(value)
            }
            (SeenValues::Hashed(values), value) => {
                let fresh = values.insert(value.clone());
                // Looked at each time the set doubles: linear time overall.
                if fresh && values.len() >= 1024 && values.len().is_power_of_two() {
                    self.compact();
                }
                fresh
            }
        }
    }

    /// Switches to one bit per node id when every value is a node and the bits take
    /// less room than the hash set.
    fn compact(&mut self) {
        let SeenValues::Hashed(values) = self else {
            return;
        };
        let mut bound = 0;
        for value in values.iter() {
            match value {
                Value::Node(node) => bound = bound.max(node.0 as usize + 1),
                _ => return,
            }
        }
        if bound / 8 > values.len() * HASHED_BYTES_PER_VALUE {
            return;
        }
        let mut ids = FixedBitSet::with_capacity(bound);
        for value in values.iter() {
            if let Value::Node(node) = value {
                ids.insert(node.0 as usize);
            }
        }
        *self = SeenValues::Nodes(ids);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Span;
    use crate::plan::logical::AggregateKind;

    fn count_star() -> AggregateSpec {
        AggregateSpec {
            kind: AggregateKind::CountStar,
            distinct: false,
            arg: None,
            param: None,
            span: Span::default(),
        }
    }

    fn count(table: &mut GroupTable, g: usize) {
        if let Accumulator::Count(n) = &mut table.group_mut(g).0[0] {
            *n += 1;
        }
    }

    /// Finishes `table` with a reader over an empty graph.
    fn rows(table: GroupTable) -> Vec<Row> {
        let graph = crate::graph::Graph::new();
        let params = Default::default();
        let flag = std::sync::atomic::AtomicBool::new(false);
        let ctx = super::super::Context::new(&params, &flag);
        let reader = Reader::new(&graph, &ctx);
        table.finish(&reader, &[]).unwrap()
    }

    #[test]
    fn groups_are_numbered_in_the_order_met() {
        let specs = [count_star()];
        let mut table = GroupTable::new(&specs, true);
        for key in ["b", "a", "b", "c", "a", "b"] {
            let g = table.group_of(&mut vec![Value::str(key)]);
            count(&mut table, g);
        }
        let want = [("b", 3), ("a", 2), ("c", 1)].map(|(k, n)| vec![Value::str(k), Value::Int(n)]);
        assert_eq!(rows(table), want);
    }

    #[test]
    fn a_symbol_finds_the_group_its_keys_find() {
        let specs = [count_star()];
        let mut table = GroupTable::new(&specs, true);
        let g = table.group_of(&mut vec![Value::str("T")]);
        assert_eq!(table.group_of_symbol(7, || vec![Value::str("T")]), g);
        assert_eq!(table.group_of_symbol(7, || unreachable!("met already")), g);
        assert_eq!(table.group_of_symbol(2, || vec![Value::str("S")]), 1);
        assert_eq!(table.group_of(&mut vec![Value::str("S")]), 1);
    }

    #[test]
    fn a_keyless_grouping_has_one_row_even_over_nothing() {
        let specs = [count_star()];
        assert_eq!(rows(GroupTable::new(&specs, false)), [vec![Value::Int(0)]]);
        assert!(rows(GroupTable::new(&specs, true)).is_empty());
    }

    /// Merging gives what one table over both halves gives, in its order.
    #[test]
    fn merging_halves_gives_the_whole() {
        let specs = [count_star()];
        let keys = ["x", "y", "x", "z", "y", "w", "x"];
        let fill = |table: &mut GroupTable, keys: &[&str]| {
            for key in keys {
                let g = table.group_of(&mut vec![Value::str(key)]);
                count(table, g);
            }
        };
        let mut whole = GroupTable::new(&specs, true);
        fill(&mut whole, &keys);
        let (mut first, mut second) =
            (GroupTable::new(&specs, true), GroupTable::new(&specs, true));
        fill(&mut first, &keys[..3]);
        fill(&mut second, &keys[3..]);
        let graph = crate::graph::Graph::new();
        let params = Default::default();
        let flag = std::sync::atomic::AtomicBool::new(false);
        let ctx = super::super::Context::new(&params, &flag);
        first.merge(&Reader::new(&graph, &ctx), second).unwrap();
        assert_eq!(rows(first), rows(whole));
    }

    /// The set answers like a plain hash set while it moves between hashing and bits.
    #[test]
    fn seen_values_switch_to_bits_and_back() {
        let mut seen = SeenValues::default();
        let mut plain = HashSet::new();
        let values = (0..3000u32)
            .map(|i| Value::Node(NodeId(i * 7 % 2500)))
            .chain([Value::str("x"), Value::Int(3)])
            .chain((0..3000u32).map(|i| Value::Node(NodeId(i % 2600))));
        let mut went_to_bits = false;
        for value in values {
            assert_eq!(
                seen.insert(&value),
                plain.insert(value.clone()),
                "{value:?}"
            );
            went_to_bits |= matches!(seen, SeenValues::Nodes(_));
        }
        assert!(went_to_bits);
        assert!(matches!(seen, SeenValues::Hashed(_)));
    }

    /// Few nodes with large ids stay hashed: their bits would take more room.
    #[test]
    fn sparse_nodes_stay_hashed() {
        let mut seen = SeenValues::default();
        for i in 0..2048u32 {
            assert!(seen.insert(&Value::Node(NodeId(i * 100_000))));
        }
        assert!(matches!(seen, SeenValues::Hashed(_)));
    }
}
