//! Work split between two threads, each taking one half and the second half's result
//! joining the first's, so that what comes out is in the order one thread would give:
//!
//! - grouping over a scan of many nodes: each thread scans half of the node ids through
//!   the operators that follow the scan and groups what comes out, then the second half's
//!   groups are merged into the first's;
//! - sorting over such a scan: each thread keys and prunes its half's rows, and the second
//!   half's rows lose ties to the first's;
//! - an expansion from a node with many relationships: each thread expands half of them
//!   through the operators after it, and the rows are handed on first half first.
//!
//! Only pipelines that keep no state from row to row qualify (no `DISTINCT`, `LIMIT` or
//! optional match before the grouping), and only aggregates whose partial results
//! combine: counts, sums, averages, extremes and `collect` (whose halves concatenate in
//! scan order). Sums of floats are added in a different order than by one thread, so they
//! can differ from it in the last bits, as in any database that aggregates in parallel.
//! A worker thread never splits its share again.

use std::cell::RefCell;
use std::ops::Range;

use crate::graph::{Direction, NodeId, RelId, Value};
use crate::plan::logical::{AggregateKind, AggregateSpec, Expand, Expr, NodeSource, Op, SortKey};

use super::aggregate::Aggregation;
use super::sort::Sorter;
use super::{Context, Flow, OpState, Reader, Result, Row, discard, get, set};

/// Scans of fewer ids run on one thread: starting a second costs tens of microseconds,
/// and each node or relationship at least a hundredth of one.
pub(crate) const MIN_IDS: usize = 50_000;

/// How many scanned ids a relationship of an expansion is worth, with the row it makes
/// and the operators after it.
const REL_WEIGHT: usize = 4;

impl<'a> Reader<'a> {
    /// The rows of grouping the output of `ops` over `rows` by `keys` into `specs`,
    /// computed on two threads; `None` when the pipeline does not qualify or scans too
    /// few nodes, and the caller groups on one thread.
    pub(super) fn aggregate_in_parallel(
        &self,
        ops: &[Op],
        rows: &[Row],
        keys: &[Expr],
        specs: &[AggregateSpec],
    ) -> Result<Option<Vec<Row>>> {
        if !(self.scan_splits(ops, rows) && specs.iter().all(combines)) {
            return Ok(None);
        }
        let (mut first, second) = self.fold_in_halves(
            ops,
            &rows[0],
            || Aggregation::new(keys, specs),
            |groups, reader, row| groups.add(reader, row),
            Aggregation::discard,
        )?;
        first.merge(self, second)?;
        first.finish(self).map(Some)
    }

    /// The rows of sorting the output of `ops` over `rows` by `keys` (the first `wanted`
    /// of them, when a `LIMIT` follows), keyed and pruned on two threads; `None` when
    /// the pipeline does not qualify, as for [`Reader::aggregate_in_parallel`].
    pub(super) fn sort_in_parallel(
        &self,
        ops: &[Op],
        rows: &[Row],
        keys: &[SortKey],
        wanted: Option<usize>,
    ) -> Result<Option<Vec<Row>>> {
        if !self.scan_splits(ops, rows) {
            return Ok(None);
        }
        let (mut first, second) = self.fold_in_halves(
            ops,
            &rows[0],
            || Sorter::new(keys, wanted),
            |sorter, reader, row| sorter.add(reader, row),
            Sorter::discard,
        )?;
        first.merge(second);
        first.finish(self).map(Some)
    }

    /// The rows of expanding `row` over the many relationships of one node (`ops[at]`)
    /// through the operators after it, when they treat each row on its own: each half
    /// of the relationships is expanded on a thread of its own, and the rows reach `sink`
    /// in the order one thread would give them. `None` when the expansion does not
    /// qualify or the node has too few relationships.
    pub(super) fn expand_in_parallel(
        &self,
        op: &Expand,
        ops: &[Op],
        at: usize,
        row: &Row,
        sink: &mut dyn FnMut(Row) -> Result<Flow>,
    ) -> Result<Option<Flow>> {
        // Checked for every row an expansion meets: the node's number of relationships
        // of any type, read in constant time, rules out nearly every row first.
        let Value::Node(from) = *get(row, op.from) else {
            return Ok(None);
        };
        let worth = |degree: usize| {
            degree >= 2 && degree.saturating_mul(REL_WEIGHT) >= self.ctx.parallel_min_ids
        };
        if op.rel_bound
            || op.memoize
            || !worth(self.most_rels(from, op.direction))
            || !ops[at + 1..].iter().all(keeps_no_state)
        {
            return Ok(None);
        }
        let Some(types) = self.type_symbols(&op.rel_filter) else {
            return Ok(None);
        };
        if !worth(self.graph.count_rels_of_types(from, op.direction, &types)) {
            return Ok(None);
        }
        let rels: Vec<(RelId, NodeId)> = self
            .graph
            .rels_of_types(from, op.direction, &types)
            .collect();
        let (first, second) = self.split_in_two(rels.len(), |reader, part| {
            let states: Vec<RefCell<OpState>> =
                ops.iter().map(|_| RefCell::new(OpState::None)).collect();
            let mut out = Vec::new();
            let mut scratch = row.clone();
            for &(rel, other) in &rels[part] {
                reader.step()?;
                reader.expand_to(op, rel, other, true, &mut scratch, &mut |r| {
                    reader.push(ops, at + 1, r, &states, &mut |r| {
                        out.push(r);
                        Ok(Flow::Continue)
                    })
                })?;
            }
            Ok(out)
        });
        // What one thread would meet first comes first: the first half's error or the
        // sink's answer to its rows, then the second half's.
        let second = match first {
            Ok(rows) => {
                for r in rows {
                    if sink(r)? == Flow::Stop {
                        discard(second);
                        return Ok(Some(Flow::Stop));
                    }
                }
                second
            }
            Err(error) => {
                discard(second);
                return Err(error);
            }
        };
        for r in second? {
            if sink(r)? == Flow::Stop {
                return Ok(Some(Flow::Stop));
            }
        }
        Ok(Some(Flow::Continue))
    }

    /// Scans the nodes of `ops[0]` (see [`Reader::scan_splits`]) in two halves of their
    /// ids on two threads, folding the rows each half makes into a `T` of its own. The
    /// error is the one a single scan would have met first; the other half's work is
    /// then let go with `drop_late` (see [`discard`]).
    fn fold_in_halves<T: Send>(
        &self,
        ops: &[Op],
        row: &Row,
        start: impl Fn() -> T + Sync,
        fold: impl Fn(&mut T, &Reader, Row) -> Result<()> + Sync,
        drop_late: impl Fn(T),
    ) -> Result<(T, T)> {
        let (first, second) = self.split_in_two(self.graph.node_id_bound(), |reader, ids| {
            let mut folded = start();
            reader
                .scan_into(ops, row, ids, &mut |row| {
                    fold(&mut folded, reader, row)?;
                    Ok(Flow::Continue)
                })
                .map(|()| folded)
        });
        match (first, second) {
            (Ok(first), Ok(second)) => Ok((first, second)),
            (Err(error), other) => {
                if let Ok(folded) = other {
                    drop_late(folded);
                }
                Err(error)
            }
            (Ok(folded), Err(error)) => {
                drop_late(folded);
                Err(error)
            }
        }
    }

    /// No fewer than the relationships of `node` in `direction`, of any type: read in
    /// constant time from the adjacency index (both directions counted apart, so a
    /// relationship from the node to itself counts twice).
    fn most_rels(&self, node: NodeId, direction: Direction) -> usize {
        match direction {
            Direction::Both => {
                self.graph.degree(node, Direction::Outgoing)
                    + self.graph.degree(node, Direction::Incoming)
            }
            one_way => self.graph.degree(node, one_way),
        }
    }

    /// Whether `ops` over `rows` is a scan of many nodes whose rows can be produced in
    /// two halves of the node ids: one input row, a scan by label or of all nodes, and
    /// after it only operators that treat each row on its own.
    fn scan_splits(&self, ops: &[Op], rows: &[Row]) -> bool {
        rows.len() == 1
            && self.graph.node_id_bound() >= self.ctx.parallel_min_ids.max(2)
            && matches!(
                ops.first(),
                Some(Op::NodeScan {
                    source: NodeSource::All | NodeSource::Label(_),
                    ..
                })
            )
            && (1..ops.len()).all(|i| keeps_no_state(&ops[i]) || self.groups_each_row(ops, i, 1))
            && self.ctx.deleted_rel_types.borrow().is_empty()
    }

    /// Runs `work` over the ids `0..bound` in two halves, the second on a thread of its
    /// own with a reader of its own, and returns both results in id order. Both halves
    /// read one statement clock and count their steps into the statement's.
    pub(super) fn split_in_two<T: Send>(
        &self,
        bound: usize,
        work: impl Fn(&Reader<'_>, Range<usize>) -> T + Sync,
    ) -> (T, T) {
        self.split_at(bound / 2, bound, work)
    }

    /// Runs `work` over `0..middle` here and over `middle..bound` on a second thread, as
    /// [`Reader::split_in_two`] does.
    pub(super) fn split_at<T: Send>(
        &self,
        middle: usize,
        bound: usize,
        work: impl Fn(&Reader<'_>, Range<usize>) -> T + Sync,
    ) -> (T, T) {
        self.ctx.clock.get_or_init(chrono::Utc::now);
        let worker = self.ctx.worker();
        let graph = self.graph;
        let work = &work;
        let (first, (second, steps)) = std::thread::scope(|scope| {
            let second = scope.spawn(move || {
                let reader = Reader::new(graph, &worker);
                let result = work(&reader, middle..bound);
                (result, worker.steps.get())
            });
            let first = work(self, 0..middle);
            let second = second
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (first, second)
        });
        self.ctx.steps.set(self.ctx.steps.get() + steps);
        (first, second)
    }

    /// Scans the nodes of `ops[0]` with ids in `ids`, pushing each matching row through
    /// the rest of `ops` into `sink`.
    fn scan_into(
        &self,
        ops: &[Op],
        row: &Row,
        ids: Range<usize>,
        sink: &mut dyn FnMut(Row) -> Result<Flow>,
    ) -> Result<()> {
        let Op::NodeScan {
            slot,
            source,
            filter,
            ..
        } = &ops[0]
        else {
            unreachable!("scan_splits checked the scan")
        };
        let states: Vec<RefCell<OpState>> =
            ops.iter().map(|_| RefCell::new(OpState::None)).collect();
        let mut visit = |node: NodeId| -> Result<Flow> {
            self.step()?;
            let mut r = row.clone();
            set(&mut r, *slot, Value::Node(node));
            if self.node_matches(node, filter, &mut r)? {
                self.push(ops, 1, r, &states, sink)
            } else {
                Ok(Flow::Continue)
            }
        };
        let in_range = |node: &NodeId| ids.contains(&(node.0 as usize));
        let result = match source {
            NodeSource::All => self
                .graph
                .node_ids()
                .filter(in_range)
                .try_for_each(|node| visit(node).map(drop)),
            NodeSource::Label(label) => match label.resolve(self.graph) {
                Some(symbol) => self
                    .graph
                    .nodes_with_label(symbol)
                    .filter(in_range)
                    .try_for_each(|node| visit(node).map(drop)),
                None => Ok(()),
            },
            NodeSource::Name(_) => unreachable!("scan_splits checked the source"),
        };
        if result.is_err() {
            discard(states);
        }
        result
    }
}

/// Operators that treat each row on its own, remembering nothing between rows.
fn keeps_no_state(op: &Op) -> bool {
    matches!(
        op,
        Op::CheckNode { .. }
            | Op::Expand(_)
            | Op::CountRels { .. }
            | Op::VarExpand(_)
            | Op::ShortestPath(_)
            | Op::BuildPath { .. }
            | Op::Filter(_)
            | Op::Project { .. }
            | Op::Unwind { .. }
    )
}

/// Aggregates whose results over two halves combine into the result over the whole.
fn combines(spec: &AggregateSpec) -> bool {
    !spec.distinct
        && spec.param.is_none()
        && matches!(
            spec.kind,
            AggregateKind::CountStar
                | AggregateKind::Count
                | AggregateKind::Sum
                | AggregateKind::Avg
                | AggregateKind::Min
                | AggregateKind::Max
                | AggregateKind::Collect
        )
}

impl<'a> Context<'a> {
    /// A context for a second thread of this statement: the same parameters, interrupt
    /// flag, limits, deadline and clock, its own step count.
    fn worker(&self) -> Context<'a> {
        let clock = std::cell::OnceCell::new();
        if let Some(now) = self.clock.get() {
            let _ = clock.set(*now);
        }
        Context {
            params: self.params,
            interrupt: self.interrupt,
            steps: std::cell::Cell::new(0),
            deleted_rel_types: RefCell::default(),
            clock,
            limits: self.limits.clone(),
            started: self.started,
            heap_at_start: self.heap_at_start,
            countdown: std::cell::Cell::new(super::CHECKS_PER_READING),
            // A worker never splits its share again.
            parallel_min_ids: usize::MAX,
            shortcuts: self.shortcuts,
        }
    }
}
