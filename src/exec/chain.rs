//! Counting a two-hop chain per middle node ([`ChainCount`]).
//!
//! For each middle node `b`, the left matches `(a, r1)` and the right matches `(r2, c)`
//! are gathered with their keys (the operands of the cross comparison); the pairs whose
//! keys compare true are counted by sorting the right keys and searching each left key
//! among them. Cypher compares only values of one kind (numbers with numbers, dates with
//! dates, ...): anything else, null included, is null and does not count, so each kind
//! is searched apart. Kinds without a total order that matches Cypher's comparison
//! (lists, durations, ...) are compared pair by pair, as the filter would.
//!
//! The gathering starts from the smallest labelled node set. When both ends are
//! labelled, each side is found from its end's label and the two are joined on the
//! middle node; when one is, its side is grouped by middle node and the other side
//! gathered from each middle node met; otherwise every middle node gathers both.

use std::cmp::Ordering;
use std::collections::HashMap;

use fixedbitset::FixedBitSet;
use foldhash::fast::RandomState;

use crate::ast::BinaryOp;
use crate::graph::{Direction, NodeId, RelId, Symbol, Value};
use crate::plan::logical::{ChainCount, ChainSide, Expr, ExprKind, NodeFilter};
use crate::span::Span;

use super::{Reader, Result, Row, get, set};

/// A relationship matched on one side of a middle node, and the node at its other end.
/// Keys are read only for middle nodes matched on both sides.
#[derive(Copy, Clone)]
struct Found {
    middle: NodeId,
    rel: RelId,
    end: NodeId,
}

/// A match with its key (null when the chain has no cross comparison).
struct Keyed {
    rel: RelId,
    key: Value,
}

/// The largest integer magnitude a float represents exactly: beyond it, comparing
/// integers with each other (exactly) and with floats (as floats) is not one order.
const EXACT_FLOAT_INT: u64 = 1 << 53;

/// How many scanned node ids an end node with its relationships, or a match joined on
/// its middle node, is worth when deciding on a second thread.
const ITEM_WEIGHT: usize = 25;

/// Where the gathering starts.
enum Start {
    /// Both ends have labels: the matches of each side are found from its end's label
    /// (side 0 left, 1 right, with this label), the second side's kept when their middle
    /// node is one the first side met, and the two joined on the middle node. Neither
    /// reads the far end's labels per relationship, which costs a cache miss each.
    Ends([(usize, Symbol); 2]),
    /// The end of `side` (0 left, 1 right) with this label.
    End(usize, Symbol),
    /// Every middle node with this label, or every node.
    Middle(Option<Symbol>),
}

impl Reader<'_> {
    /// The number of rows the chain's pattern and conditions match.
    pub(super) fn chain_count(&self, chain: &ChainCount) -> Result<u64> {
        let sides = [&chain.left, &chain.right];
        let width = [chain.middle, sides[0].rel, sides[0].end]
            .into_iter()
            .chain([sides[1].rel, sides[1].end])
            .max()
            .unwrap_or(0)
            + 1;
        let mut row: Row = vec![Value::Null; width];
        let (Some(left_types), Some(right_types)) = (
            self.type_symbols(&sides[0].rel_filter),
            self.type_symbols(&sides[1].rel_filter),
        ) else {
            return Ok(0);
        };
        let types = [left_types, right_types];
        let Some(start) = self.chain_start(chain) else {
            return Ok(0);
        };
        let mut total = 0u64;
        match start {
            Start::Ends([(first, first_label), (second, second_label)]) => {
                let found = sorted_by_middle(self.side_from_ends(
                    chain,
                    first,
                    first_label,
                    &types[first],
                    width,
                    None,
                )?);
                let mut met = FixedBitSet::new();
                for f in &found {
                    met.grow_and_insert(f.middle.0 as usize);
                }
                let also = sorted_by_middle(self.side_from_ends(
                    chain,
                    second,
                    second_label,
                    &types[second],
                    width,
                    Some(&met),
                )?);
                total = self.join_sides(chain, [first, second], &found, &also, width)?;
            }
            Start::End(first, label) => {
                let ends: Vec<NodeId> = self.graph.nodes_with_label(label).collect();
                let mut found =
                    self.side_from(chain, first, label, &ends, &types[first], &mut row, None)?;
                found.sort_unstable_by_key(|f| f.middle);
                let other = 1 - first;
                let mut gathered = Vec::new();
                for group in found.chunk_by(|x, y| x.middle == y.middle) {
                    let middle = group[0].middle;
                    if !self.middle_matches(chain, middle, &mut row)? {
                        continue;
                    }
                    self.gather(sides[other], middle, &types[other], &mut row, &mut gathered)?;
                    let mut pair = [group, &gathered[..]];
                    if first == 1 {
                        pair.swap(0, 1);
                    }
                    total += self.count_pairs(chain, pair, &mut row)?;
                }
            }
            Start::Middle(label) => {
                let middles: Box<dyn Iterator<Item = NodeId>> = match label {
                    Some(label) => Box::new(self.graph.nodes_with_label(label)),
                    None => Box::new(self.graph.node_ids()),
                };
                let (mut left, mut right) = (Vec::new(), Vec::new());
                for middle in middles {
                    self.step()?;
                    if !self.middle_matches(chain, middle, &mut row)? {
                        continue;
                    }
                    self.gather(sides[0], middle, &types[0], &mut row, &mut left)?;
                    if left.is_empty() {
                        continue;
                    }
                    self.gather(sides[1], middle, &types[1], &mut row, &mut right)?;
                    total += self.count_pairs(chain, [&left, &right], &mut row)?;
                }
            }
        }
        Ok(total)
    }

    /// The matches of side `side` found from the nodes with `label` at its end; only
    /// those whose middle node is in `wanted`, when given. Many end nodes are shared
    /// between two threads, in halves of the label's nodes.
    fn side_from_ends(
        &self,
        chain: &ChainCount,
        side: usize,
        label: Symbol,
        types: &[Symbol],
        width: usize,
        wanted: Option<&FixedBitSet>,
    ) -> Result<Vec<Found>> {
        let ends: Vec<NodeId> = self.graph.nodes_with_label(label).collect();
        let find = |reader: &Reader, ends: &[NodeId]| {
            let mut row = vec![Value::Null; width];
            reader.side_from(chain, side, label, ends, types, &mut row, wanted)
        };
        if !self.worth_two_threads(ends.len()) {
            return find(self, &ends);
        }
        let (first, second) = self.split_at(ends.len() / 2, ends.len(), |reader, part| {
            find(reader, &ends[part])
        });
        // The first half's error is the one a single thread would have met first.
        let mut found = first?;
        found.extend(second?);
        Ok(found)
    }

    /// The matches of side `side` from the nodes `ends` (which have `label`).
    #[allow(clippy::too_many_arguments)]
    fn side_from(
        &self,
        chain: &ChainCount,
        side: usize,
        label: Symbol,
        ends: &[NodeId],
        types: &[Symbol],
        row: &mut Row,
        wanted: Option<&FixedBitSet>,
    ) -> Result<Vec<Found>> {
        let side = [&chain.left, &chain.right][side];
        let mut found = Vec::new();
        let toward_middle = reverse(side.direction);
        // The label index answers for `label`; reading a node's labels is a cache miss.
        let mut end_filter = side.end_filter.clone();
        end_filter
            .labels
            .retain(|l| l.resolve(self.graph) != Some(label));
        for &end in ends {
            self.step()?;
            set(row, side.end, Value::Node(end));
            if !end_filter.is_empty() && !self.node_matches(end, &end_filter, row)? {
                continue;
            }
            for (rel, middle) in self.graph.rels_of_types(end, toward_middle, types) {
                self.step()?;
                if wanted.is_some_and(|w| !w.contains(middle.0 as usize)) {
                    continue;
                }
                set(row, chain.middle, Value::Node(middle));
                if self.side_matches(side, rel, end, row, false)? {
                    found.push(Found { middle, rel, end });
                }
            }
        }
        Ok(found)
    }

    /// Counts the chains through the middle nodes both sides met: `found` holds side
    /// `sides[0]`'s matches and `also` side `sides[1]`'s, both sorted by middle node, and
    /// every middle node of `also` is in `found`. Many are split between two threads at a
    /// middle node.
    fn join_sides(
        &self,
        chain: &ChainCount,
        sides: [usize; 2],
        found: &[Found],
        also: &[Found],
        width: usize,
    ) -> Result<u64> {
        let join = |reader: &Reader, also: &[Found]| {
            let from = also.first().map_or(found.len(), |a| {
                found.partition_point(|f| f.middle < a.middle)
            });
            let mut row = vec![Value::Null; width];
            reader.join_on_middle(chain, sides, &found[from..], also, &mut row)
        };
        if !self.worth_two_threads(also.len()) {
            return join(self, also);
        }
        let mut half = also.len() / 2;
        while half < also.len() && also[half].middle == also[half - 1].middle {
            half += 1;
        }
        let (first, second) =
            self.split_at(half, also.len(), |reader, part| join(reader, &also[part]));
        Ok(first? + second?)
    }

    fn join_on_middle(
        &self,
        chain: &ChainCount,
        [first, second]: [usize; 2],
        found: &[Found],
        also: &[Found],
        row: &mut Row,
    ) -> Result<u64> {
        let mut total = 0;
        let mut groups: [&[Found]; 2] = [&[], &[]];
        let mut firsts = found.chunk_by(|x, y| x.middle == y.middle).peekable();
        for group in also.chunk_by(|x, y| x.middle == y.middle) {
            let middle = group[0].middle;
            while firsts.next_if(|g| g[0].middle < middle).is_some() {}
            let Some(matching) = firsts.next_if(|g| g[0].middle == middle) else {
                continue;
            };
            if self.middle_matches(chain, middle, row)? {
                groups[first] = matching;
                groups[second] = group;
                total += self.count_pairs(chain, groups, row)?;
            }
        }
        Ok(total)
    }

    /// Whether work over `items` end nodes or matches is worth a second thread: each
    /// brings about as much work as [`ITEM_WEIGHT`] scanned node ids.
    fn worth_two_threads(&self, items: usize) -> bool {
        items >= 2 && items.saturating_mul(ITEM_WEIGHT) >= self.ctx.parallel_min_ids
    }

    /// The smallest labelled node set to start from; `None` when a label the pattern
    /// needs is not in the graph, so nothing matches.
    fn chain_start(&self, chain: &ChainCount) -> Option<Start> {
        let smallest = |filter: &NodeFilter| -> Option<Option<(Symbol, usize)>> {
            let mut best: Option<(Symbol, usize)> = None;
            for label in &filter.labels {
                let symbol = label.resolve(self.graph)?;
                let count = self.graph.label_count(symbol);
                if best.is_none_or(|(_, n)| count < n) {
                    best = Some((symbol, count));
                }
            }
            Some(best)
        };
        let left = smallest(&chain.left.end_filter)?;
        let right = smallest(&chain.right.end_filter)?;
        let middle = smallest(&chain.middle_filter)?;
        let size = |c: Option<(Symbol, usize)>| c.map_or(usize::MAX, |(_, n)| n);
        let (l, r, m) = (size(left), size(right), size(middle));
        Some(match (left, right) {
            (Some((left, _)), Some((right, _))) if l.max(r) <= m => {
                if l <= r {
                    Start::Ends([(0, left), (1, right)])
                } else {
                    Start::Ends([(1, right), (0, left)])
                }
            }
            (Some((label, _)), _) if l <= r && l <= m => Start::End(0, label),
            (_, Some((label, _))) if r <= m => Start::End(1, label),
            _ => Start::Middle(middle.map(|(label, _)| label)),
        })
    }

    /// Whether the middle node meets its labels, properties and conditions.
    fn middle_matches(&self, chain: &ChainCount, middle: NodeId, row: &mut Row) -> Result<bool> {
        set(row, chain.middle, Value::Node(middle));
        if !self.node_matches(middle, &chain.middle_filter, row)? {
            return Ok(false);
        }
        self.all_true(&chain.middle_conditions, row)
    }

    /// The matches of `side` at `middle` (already in its slot), into `out`.
    fn gather(
        &self,
        side: &ChainSide,
        middle: NodeId,
        types: &[Symbol],
        row: &mut Row,
        out: &mut Vec<Found>,
    ) -> Result<()> {
        out.clear();
        for (rel, end) in self.graph.rels_of_types(middle, side.direction, types) {
            self.step()?;
            if self.side_matches(side, rel, end, row, true)? {
                out.push(Found { middle, rel, end });
            }
        }
        Ok(())
    }

    /// Whether `rel` and `end` match `side` (the middle node is in its slot).
    /// `check_end`: test the end node's filter (the caller may have already).
    fn side_matches(
        &self,
        side: &ChainSide,
        rel: RelId,
        end: NodeId,
        row: &mut Row,
        check_end: bool,
    ) -> Result<bool> {
        set(row, side.rel, Value::Rel(rel));
        set(row, side.end, Value::Node(end));
        Ok(self.rel_passes(rel, &side.rel_filter, row)?
            && (!check_end || self.node_matches(end, &side.end_filter, row)?)
            && self.all_true(&side.conditions, row)?)
    }

    /// The matches of one side at one middle node with their keys.
    fn keyed(
        &self,
        middle: usize,
        side: &ChainSide,
        found: &[Found],
        row: &mut Row,
    ) -> Result<Vec<Keyed>> {
        let mut out = Vec::with_capacity(found.len());
        for f in found {
            let key = match &side.key {
                Some(key) => {
                    set(row, middle, Value::Node(f.middle));
                    set(row, side.rel, Value::Rel(f.rel));
                    set(row, side.end, Value::Node(f.end));
                    self.key_of(key, row)?
                }
                None => Value::Null,
            };
            out.push(Keyed { rel: f.rel, key });
        }
        Ok(out)
    }

    /// Evaluates a key; a property of a matched node or relationship is read straight
    /// from the graph (the element exists: it was just matched).
    fn key_of(&self, key: &Expr, row: &mut Row) -> Result<Value> {
        if let ExprKind::Property { base, key: name } = &key.kind
            && let ExprKind::Slot(slot) = base.kind
        {
            let value = match (get(row, slot), name.resolve(self.graph)) {
                (_, None) => None,
                (Value::Rel(rel), Some(name)) => self.graph.rel_property(*rel, name),
                (Value::Node(node), Some(name)) => self.graph.node_property(*node, name),
                _ => return self.eval(key, row),
            };
            return Ok(value.cloned().unwrap_or(Value::Null));
        }
        self.eval(key, row)
    }

    fn all_true(&self, conditions: &[Expr], row: &mut Row) -> Result<bool> {
        for condition in conditions {
            if !matches!(self.eval(condition, row)?, Value::Bool(true)) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The pairs of one middle node's left and right matches that count: their keys
    /// compare true, and they are two relationships, not one met from both sides.
    fn count_pairs(&self, chain: &ChainCount, sides: [&[Found]; 2], row: &mut Row) -> Result<u64> {
        if chain.cross.is_none() && !chain.rels_may_repeat {
            return Ok((sides[0].len() * sides[1].len()) as u64);
        }
        let left = self.keyed(chain.middle, &chain.left, sides[0], row)?;
        let right = self.keyed(chain.middle, &chain.right, sides[1], row)?;
        let mut count = match chain.cross {
            None => (left.len() * right.len()) as u64,
            Some(op) => self.count_comparisons(op, &left, &right)?,
        };
        if chain.rels_may_repeat {
            let right_keys: HashMap<RelId, &Value, RandomState> =
                right.iter().map(|m| (m.rel, &m.key)).collect();
            for m in &left {
                if let Some(other) = right_keys.get(&m.rel)
                    && chain
                        .cross
                        .is_none_or(|op| compares_true(op, &m.key, other))
                {
                    count -= 1;
                }
            }
        }
        Ok(count)
    }

    /// How many (left, right) pairs satisfy `left.key op right.key`.
    fn count_comparisons(&self, op: BinaryOp, left: &[Keyed], right: &[Keyed]) -> Result<u64> {
        let keys = || left.iter().chain(right).map(|m| &m.key);
        let big_ints = keys().any(|k| matches!(k, Value::Float(_)))
            && keys().any(|k| matches!(k, Value::Int(i) if i.unsigned_abs() > EXACT_FLOAT_INT));
        let class = |v: &Value| kind_class(v, big_ints);
        let mut sorted: Vec<(Kind, &Value)> =
            right.iter().map(|m| (class(&m.key), &m.key)).collect();
        sorted.sort_unstable_by(|(kx, x), (ky, y)| {
            kx.cmp(ky).then_with(|| {
                if *kx < Kind::Unsorted {
                    x.cypher_cmp(y).unwrap_or(Ordering::Equal)
                } else {
                    Ordering::Equal
                }
            })
        });
        let mut count = 0u64;
        for m in left {
            self.check_limits()?;
            let key = &m.key;
            let kind = class(key);
            if kind == Kind::Never {
                continue;
            }
            let from = sorted.partition_point(|(k, _)| *k < kind);
            let to = sorted.partition_point(|(k, _)| *k <= kind);
            let same_kind = &sorted[from..to];
            if kind == Kind::Unsorted {
                for (_, other) in same_kind {
                    self.check_limits()?;
                    count += u64::from(compares_true(op, key, other));
                }
                continue;
            }
            // In one sorted kind: the right keys below, equal to and above `key`.
            let below =
                same_kind.partition_point(|(_, r)| r.cypher_cmp(key) == Some(Ordering::Less));
            let not_above =
                same_kind.partition_point(|(_, r)| r.cypher_cmp(key) != Some(Ordering::Greater));
            let above = same_kind.len() - not_above;
            let equal = not_above - below;
            count += match op {
                BinaryOp::Lt => above,
                BinaryOp::Le => above + equal,
                BinaryOp::Gt => below,
                BinaryOp::Ge => below + equal,
                _ => equal,
            } as u64;
        }
        Ok(count)
    }
}

/// Groups of values that compare with each other; sorted kinds come first, ordered as
/// `Value::cypher_cmp` orders them within the kind.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Number,
    String,
    Bool,
    Date,
    LocalDateTime,
    DateTime,
    LocalTime,
    Time,
    /// Compared pair by pair: lists, maps, durations, entities, and numbers when
    /// integers too large for a float meet floats.
    Unsorted,
    /// Null and NaN: no comparison with them is true.
    Never,
}

fn kind_class(value: &Value, big_ints: bool) -> Kind {
    match value {
        Value::Null => Kind::Never,
        Value::Float(f) if f.is_nan() => Kind::Never,
        Value::Int(_) | Value::Float(_) if big_ints => Kind::Unsorted,
        Value::Int(_) | Value::Float(_) => Kind::Number,
        Value::String(_) => Kind::String,
        Value::Bool(_) => Kind::Bool,
        Value::Date(_) => Kind::Date,
        Value::LocalDateTime(_) => Kind::LocalDateTime,
        Value::DateTime(_) => Kind::DateTime,
        Value::LocalTime(_) => Kind::LocalTime,
        Value::Time(..) => Kind::Time,
        Value::List(_)
        | Value::Map(_)
        | Value::Node(_)
        | Value::Rel(_)
        | Value::Path(_)
        | Value::PartialDate(_)
        | Value::Duration(_) => Kind::Unsorted,
    }
}

/// Whether `l op r` is true, exactly as a filter evaluates it.
fn compares_true(op: BinaryOp, l: &Value, r: &Value) -> bool {
    matches!(
        super::expr::binary(op, l.clone(), r.clone(), Span::default()),
        Ok(Value::Bool(true))
    )
}

fn sorted_by_middle(mut found: Vec<Found>) -> Vec<Found> {
    found.sort_unstable_by_key(|f| f.middle);
    found
}

fn reverse(direction: Direction) -> Direction {
    match direction {
        Direction::Outgoing => Direction::Incoming,
        Direction::Incoming => Direction::Outgoing,
        Direction::Both => Direction::Both,
    }
}
