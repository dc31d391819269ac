//! `ORDER BY`: rows are keyed as they arrive and sorted at the end. When a `LIMIT`
//! (after an optional `SKIP`) follows, only the first `skip + limit` rows can come out,
//! so the sorter keeps at most twice that many, pruning with a linear-time selection
//! whenever it fills up: `ORDER BY ... LIMIT k` costs O(n + k log k), not O(n log n).
//!
//! The sort itself can be stopped: `ORDER BY` over millions of rows must answer
//! Ctrl-C, a timeout or the memory budget within milliseconds.
//! `slice::sort_by` cannot be stopped from inside: a comparator that starts answering
//! `Equal` once interrupted breaks the total order, which the standard sort may detect
//! and panic on. So the rows are sorted in short runs with the standard sort, and the
//! runs are merged here, checking between runs and at every merged element.

use std::cmp::Ordering;

use crate::graph::Value;
use crate::plan::logical::{ExprKind, SortKey};

use super::{Reader, Result, Row, discard};

/// Rows with their sort keys and arrival number; the number breaks ties so that the
/// order is the stable sort's whatever was pruned.
pub(super) struct Sorter<'k> {
    keys: &'k [SortKey],
    /// How many rows can be wanted at most (`None`: all).
    bound: Option<usize>,
    rows: Vec<(Vec<Value>, usize, Row)>,
    arrived: usize,
    /// After a pruning, the position in `rows` of the last row kept.
    cut: Option<usize>,
}

impl<'k> Sorter<'k> {
    pub(super) fn new(keys: &'k [SortKey], bound: Option<usize>) -> Sorter<'k> {
        Sorter {
            keys,
            bound,
            rows: Vec::new(),
            arrived: 0,
            cut: None,
        }
    }

    pub(super) fn add(&mut self, reader: &Reader, mut row: Row) -> Result<()> {
        reader.check_limits()?;
        if self.cannot_make_the_cut(reader, &mut row)? {
            self.arrived += 1;
            return Ok(());
        }
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

    /// Whether a row sorts after every row kept at the last pruning, so that it can never
    /// be among the first `bound` (it arrived later, so it loses ties too). Keys that
    /// are columns of the row are compared where they are, without a copy.
    fn cannot_make_the_cut(&self, reader: &Reader, row: &mut Row) -> Result<bool> {
        let Some((threshold, _, _)) = self.cut.as_ref().map(|&i| &self.rows[i]) else {
            return Ok(false);
        };
        for (key, worst) in self.keys.iter().zip(threshold) {
            let evaluated;
            let value = match &key.expr.kind {
                ExprKind::Slot(slot) if *slot < row.len() => &row[*slot],
                _ => {
                    evaluated = reader.eval(&key.expr, row)?;
                    &evaluated
                }
            };
            let order = value.order_cmp(worst);
            let order = if key.descending {
                order.reverse()
            } else {
                order
            };
            if order != Ordering::Equal {
                return Ok(order == Ordering::Greater);
            }
        }
        Ok(true)
    }

    /// Takes in the rows of `later`, which sorted the rows that arrived after this
    /// one's (the second half of a scan), so that they lose ties to this one's.
    pub(super) fn merge(&mut self, later: Sorter) {
        let offset = self.arrived;
        self.rows.extend(
            later
                .rows
                .into_iter()
                .map(|(key, arrived, row)| (key, offset + arrived, row)),
        );
        self.arrived += later.arrived;
        if let Some(bound) = self.bound
            && bound > 0
            && self.rows.len() >= bound.saturating_mul(2).max(64)
        {
            self.prune(bound);
        }
    }

    /// Drops the rows on another thread: a stopped statement answers at once.
    pub(super) fn discard(self) {
        discard(self.rows);
    }

    /// Keeps the `bound` first rows in sort order (in no particular order among them).
    fn prune(&mut self, bound: usize) {
        let keys = self.keys;
        self.rows
            .select_nth_unstable_by(bound - 1, |a, b| compare(keys, a, b));
        self.rows.truncate(bound);
        self.cut = Some(bound - 1);
    }

    pub(super) fn finish(mut self, reader: &Reader) -> Result<Vec<Row>> {
        if let Some(bound) = self.bound
            && bound < self.rows.len()
        {
            if bound == 0 {
                return Ok(Vec::new());
            }
            self.prune(bound);
        }
        let keys = self.keys;
        let sorted = sort_checked(
            self.rows,
            |a, b| compare(keys, a, b),
            || reader.check_limits(),
        )?;
        Ok(sorted.into_iter().map(|(_, _, row)| row).collect())
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

/// Rows per run sorted by the standard sort: about a millisecond of comparisons.
const RUN: usize = 8192;

/// Sorts `items` by `order`, stably, calling `check` between runs and for every merged
/// item, and giving up with its error as soon as it fails (the items are then dropped
/// on another thread: see [`discard`]).
pub(super) fn sort_checked<T: Send + 'static, E>(
    items: Vec<T>,
    order: impl Fn(&T, &T) -> Ordering,
    mut check: impl FnMut() -> std::result::Result<(), E>,
) -> std::result::Result<Vec<T>, E> {
    let mut items = items;
    if items.len() <= RUN {
        items.sort_by(&order);
        return Ok(items);
    }
    let mut runs = Vec::with_capacity(items.len() / RUN + 1);
    let mut rest = items.into_iter();
    loop {
        if let Err(err) = check() {
            discard((runs, rest));
            return Err(err);
        }
        let mut run: Vec<T> = rest.by_ref().take(RUN).collect();
        if run.is_empty() {
            break;
        }
        run.sort_by(&order);
        runs.push(run);
    }
    // The emptied input's buffer is no longer needed while merging.
    drop(rest);
    while runs.len() > 1 {
        let mut merged = Vec::with_capacity(runs.len() / 2 + 1);
        let mut pairs = runs.into_iter();
        while let Some(left) = pairs.next() {
            match pairs.next() {
                Some(right) => match merge(left, right, &order, &mut check) {
                    Ok(run) => merged.push(run),
                    Err(err) => {
                        discard((merged, pairs));
                        return Err(err);
                    }
                },
                None => merged.push(left),
            }
        }
        runs = merged;
    }
    Ok(runs.pop().unwrap_or_default())
}

/// Merges two sorted runs; on ties the left one's item comes first, which keeps the
/// sort stable.
fn merge<T: Send + 'static, E>(
    left: Vec<T>,
    right: Vec<T>,
    order: &impl Fn(&T, &T) -> Ordering,
    check: &mut impl FnMut() -> std::result::Result<(), E>,
) -> std::result::Result<Vec<T>, E> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut left = left.into_iter().peekable();
    let mut right = right.into_iter().peekable();
    while let (Some(l), Some(r)) = (left.peek(), right.peek()) {
        if let Err(err) = check() {
            discard((out, left, right));
            return Err(err);
        }
        let next = if order(r, l) == Ordering::Less {
            right.next()
        } else {
            left.next()
        };
        out.extend(next);
    }
    out.extend(left);
    out.extend(right);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pseudo-random keys with many ties, paired with their position to check stability.
    fn items(n: usize) -> Vec<(u32, usize)> {
        let mut state = 12345u64;
        (0..n)
            .map(|i| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((state >> 33) as u32 % 1000, i)
            })
            .collect()
    }

    #[test]
    fn sort_checked_sorts_stably_like_the_standard_sort() {
        for n in [0, 1, 5, RUN, RUN + 1, 3 * RUN + 17] {
            let data = items(n);
            let mut expected = data.clone();
            expected.sort_by_key(|(k, _)| *k);
            let sorted: std::result::Result<_, ()> =
                sort_checked(data, |a, b| a.0.cmp(&b.0), || Ok(()));
            assert_eq!(sorted.unwrap(), expected, "{n} items");
        }
    }

    #[test]
    fn sort_checked_stops_at_the_first_failed_check() {
        use std::cell::Cell;
        let failed = Cell::new(false);
        let (before, after) = (Cell::new(0usize), Cell::new(0usize));
        let mut checks = 0;
        let outcome = sort_checked(
            items(4 * RUN),
            |a, b| {
                let counter = if failed.get() { &after } else { &before };
                counter.set(counter.get() + 1);
                a.0.cmp(&b.0)
            },
            || {
                checks += 1;
                if checks > RUN {
                    failed.set(true);
                    return Err("stop");
                }
                Ok(())
            },
        );
        assert_eq!(outcome, Err("stop"));
        assert!(before.get() > 0);
        assert_eq!(after.get(), 0, "comparisons after the failed check");
    }
}
