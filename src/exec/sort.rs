//! `ORDER BY`: rows are keyed as they arrive and sorted at the end. When a `LIMIT`
//! (after an optional `SKIP`) follows, only the first `skip + limit` rows can come out,
//! so the sorter keeps at most twice that many, pruning with a linear-time selection
//! whenever it fills up: `ORDER BY ... LIMIT k` costs O(n + k log k), not O(n log n).

use std::cmp::Ordering;

use crate::graph::Value;
use crate::plan::logical::SortKey;

use super::{Reader, Result, Row};

/// Rows with their sort keys and arrival number; the number breaks ties so that the
/// order is the stable sort's whatever was pruned.
pub(super) struct Sorter<'k> {
    keys: &'k [SortKey],
    /// How many rows can be wanted at most (`None`: all).
    bound: Option<usize>,
    rows: Vec<(Vec<Value>, usize, Row)>,
    arrived: usize,
}

impl<'k> Sorter<'k> {
    pub(super) fn new(keys: &'k [SortKey], bound: Option<usize>) -> Sorter<'k> {
        Sorter {
            keys,
            bound,
            rows: Vec::new(),
            arrived: 0,
        }
    }

    pub(super) fn add(&mut self, reader: &Reader, mut row: Row) -> Result<()> {
        let mut key = Vec::with_capacity(self.keys.len());
        for k in self.keys {
            key.push(reader.eval(&k.expr, &mut row)?);
        }
        self.rows.push((key, self.arrived, row));
        self.arrived += 1;
        if let Some(bound) = self.bound
            && bound > 0
            && self.rows.len() >= bound.saturating_mul(2).max(64)
        {
            self.prune(bound);
        }
        Ok(())
    }

    /// Keeps the `bound` first rows in sort order (in no particular order among them).
    fn prune(&mut self, bound: usize) {
        let keys = self.keys;
        self.rows
            .select_nth_unstable_by(bound - 1, |a, b| compare(keys, a, b));
        self.rows.truncate(bound);
    }

    pub(super) fn finish(mut self) -> Vec<Row> {
        if let Some(bound) = self.bound
            && bound < self.rows.len()
        {
            if bound == 0 {
                return Vec::new();
            }
            self.prune(bound);
        }
        let keys = self.keys;
        self.rows.sort_unstable_by(|a, b| compare(keys, a, b));
        self.rows.into_iter().map(|(_, _, row)| row).collect()
    }
}

fn compare(
    keys: &[SortKey],
    (a, a_arrived, _): &(Vec<Value>, usize, Row),
    (b, b_arrived, _): &(Vec<Value>, usize, Row),
) -> Ordering {
    for ((x, y), key) in a.iter().zip(b).zip(keys) {
        let o = x.order_cmp(y);
        let o = if key.descending { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    a_arrived.cmp(b_arrived)
}
