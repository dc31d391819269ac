//! Logical plan → rows, over the graph.
//!
//! Rows flow through each pipeline one at a time (a push model): every operator hands
//! each row it produces straight to the next, and an operator that has seen enough
//! (`LIMIT`, `EXISTS`) answers [`Flow::Stop`] so the scans above it stop early.
//! Operators that need all their input first (aggregation, sorting) and updates split a
//! pipeline into segments: the rows of one segment are collected, transformed, and fed
//! to the next. Updates run on collected rows so that reads never see a half-applied
//! clause, and a statement that fails leaves the graph as it was.

mod aggregate;
mod chain;
mod describe;
mod error;
mod expr;
mod extent;
mod functions;
mod groups;
mod matching;
mod parallel;
mod rel_counts;
mod seen;
mod sort;
mod stats;
mod temporal;
mod write;

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub use error::ExecError;

/// Query parameters (`$name`), by name.
pub type Params = std::collections::BTreeMap<String, Value>;
pub(crate) use parallel::MIN_IDS as PARALLEL_MIN_IDS;

use crate::graph::{Graph, Value};
use crate::limits::{self, Limits};
use crate::plan::LogicalPlan;
use crate::plan::logical::{Expr, ExprKind, Op, Pipeline};
use crate::result::ResultSet;

/// What a running statement needs besides the graph.
pub struct Context<'a> {
    pub params: &'a Params,
    pub interrupt: &'a AtomicBool,
    /// Matching steps taken so far: nodes scanned and relationships followed.
    pub steps: std::cell::Cell<u64>,
    /// Types of relationships this statement deleted, for `type(r)` afterwards.
    pub deleted_rel_types:
        RefCell<std::collections::HashMap<crate::graph::RelId, crate::graph::Symbol>>,
    /// The statement's clock: the first reading of the current time, which `date()`,
    /// `datetime.statement()` and the like return throughout the statement.
    pub clock: std::cell::OnceCell<chrono::DateTime<chrono::Utc>>,
    /// The timeout, row limit and memory budget of this statement.
    limits: Limits,
    started: Instant,
    /// The heap's size when the statement started, when it can be read.
    heap_at_start: Option<usize>,
    /// Checks left before the next reading of the clock and the heap.
    countdown: Cell<u32>,
    /// Scans of at least this many node ids feeding a grouping use two threads.
    pub(super) parallel_min_ids: usize,
    /// Whether the executor takes its own shortcuts (a group per row: see
    /// `Reader::groups_each_row`); off when testing against the plain plan.
    pub(super) shortcuts: bool,
}

/// How many checks pass between two readings of the clock and the heap: the flag is
/// read at every check, the rest costs more. At a microsecond per matching step, the
/// timeout and the budget are checked about every millisecond.
const CHECKS_PER_READING: u32 = 1024;

/// Values of at least this many bytes are charged against the memory budget before they
/// are built ([`Context::charge`]); smaller ones are left to the sampled readings.
const CHARGED_AT_ONCE: usize = 64 * 1024;

impl<'a> Context<'a> {
    pub fn new(params: &'a Params, interrupt: &'a AtomicBool) -> Context<'a> {
        Context {
            params,
            interrupt,
            steps: std::cell::Cell::new(0),
            deleted_rel_types: RefCell::default(),
            clock: std::cell::OnceCell::new(),
            limits: Limits::default(),
            started: Instant::now(),
            heap_at_start: None,
            countdown: Cell::new(CHECKS_PER_READING),
            parallel_min_ids: parallel::MIN_IDS,
            shortcuts: true,
        }
    }

    /// Turns the executor's own shortcuts off (or on): the plain plan runs as planned.
    pub fn with_shortcuts(mut self, on: bool) -> Context<'a> {
        self.shortcuts = on;
        self
    }

    /// Groups over scans of at least `nodes` node ids on two threads (`usize::MAX`:
    /// never).
    pub fn with_parallel_threshold(mut self, nodes: usize) -> Context<'a> {
        self.parallel_min_ids = nodes;
        self
    }

    /// Bounds the statement by `limits`; the clock and the heap's growth count from now.
    pub fn with_limits(mut self, limits: &Limits) -> Context<'a> {
        self.limits = limits.clone();
        self.started = Instant::now();
        self.heap_at_start = limits.memory.and_then(|_| limits::heap_bytes());
        self
    }

    /// Stops the statement if Ctrl-C was pressed, and every [`CHECKS_PER_READING`] calls
    /// if it ran past its timeout or its heap grew past the memory budget. Every loop
    /// whose length depends on the data calls this (or [`Reader::step`]) as it goes.
    ///
    /// # Errors
    /// [`ExecError::Interrupted`], [`ExecError::Timeout`] or [`ExecError::OutOfMemory`].
    pub fn check(&self) -> Result<()> {
        if self.interrupt.load(Ordering::Relaxed) {
            return Err(ExecError::Interrupted);
        }
        let left = self.countdown.get();
        if left > 1 {
            self.countdown.set(left - 1);
            return Ok(());
        }
        self.countdown.set(CHECKS_PER_READING);
        self.check_clock_and_heap(0)
    }

    /// Like [`Context::check`], but reads the clock and the heap now: for steps that can
    /// each take long or build much (a step of `reduce`), where sampling one check in
    /// [`CHECKS_PER_READING`] would let a few steps run far past the limits.
    ///
    /// # Errors
    /// As [`Context::check`].
    pub fn check_now(&self) -> Result<()> {
        if self.interrupt.load(Ordering::Relaxed) {
            return Err(ExecError::Interrupted);
        }
        self.check_clock_and_heap(0)
    }

    /// Charges a value of about `bytes` before it is built: a large one is refused when
    /// the heap would outgrow the memory budget with it, so that one step (doubling a
    /// string, `range` of a billion) cannot allocate far past the budget before the next
    /// reading notices. Small ones count as a [`Context::check`].
    ///
    /// # Errors
    /// As [`Context::check`].
    pub fn charge(&self, bytes: usize) -> Result<()> {
        if bytes < CHARGED_AT_ONCE {
            return self.check();
        }
        if self.interrupt.load(Ordering::Relaxed) {
            return Err(ExecError::Interrupted);
        }
        self.check_clock_and_heap(bytes)
    }

    /// Fails past the timeout, or when the heap, grown by `extra` bytes about to be
    /// allocated, would be past the memory budget.
    fn check_clock_and_heap(&self, extra: usize) -> Result<()> {
        if let Some(limit) = self.limits.timeout
            && self.started.elapsed() > limit
        {
            return Err(ExecError::Timeout { limit });
        }
        if let Some(budget) = self.limits.memory
            && extra as u64 > budget
        {
            return Err(ExecError::OutOfMemory { budget });
        }
        if let (Some(budget), Some(start)) = (self.limits.memory, self.heap_at_start) {
            let now = limits::heap_bytes().unwrap_or(start);
            if now.saturating_sub(start).saturating_add(extra) as u64 > budget {
                return Err(ExecError::OutOfMemory { budget });
            }
        }
        Ok(())
    }

    /// Fails once a statement returns more rows than the row limit allows.
    fn check_rows(&self, rows: usize) -> Result<()> {
        match self.limits.max_rows {
            Some(limit) if rows as u64 > limit => Err(ExecError::TooManyRows { limit }),
            _ => Ok(()),
        }
    }
}

pub(crate) type Row = Vec<Value>;

/// Drops `garbage` on a thread of its own. A stopped statement can leave millions of
/// rows behind, scattered in memory (a half-sorted ORDER BY, a DISTINCT's set), and
/// freeing them takes longer than the 100 ms in which Ctrl-C must give the prompt back.
pub fn discard<T: Send + 'static>(garbage: T) {
    // If no thread can be started, the closure and what it holds are dropped here.
    let _ = std::thread::Builder::new()
        .name("discard".into())
        .spawn(move || drop(garbage));
}

/// Whether the consumer of rows wants more.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Stop,
}

type Result<T> = std::result::Result<T, ExecError>;

/// Runs a plan: the statement's rows, or its side effects. On error the graph is
/// restored to what it was before the statement, by undoing what the statement noted in
/// the graph's undo log (recording is turned on for the statement if it was off, and
/// left on if it was on: a transaction keeps the changes until it ends).
///
/// # Errors
/// An [`ExecError`] (type errors, deleting a connected node, interruption, ...).
pub fn execute(plan: &LogicalPlan, graph: &mut Graph, ctx: &Context) -> Result<ResultSet> {
    let writes = plan.has_writes();
    let recording = graph.is_recording();
    if writes {
        graph.start_recording();
    }
    let mark = graph.mark();
    let mut touched = write::Touched::default();
    let outcome = run_plan(plan, graph, ctx, &mut touched);
    let outcome = match outcome {
        Ok(mut rows) => {
            // A statement without RETURN shows only its side effects.
            if plan.columns.is_empty() {
                rows.clear();
            }
            let mut result = ResultSet::new(plan.columns.clone(), rows, graph);
            if writes {
                result.stats = stats::side_effects(&graph.before(&mark), graph, &touched);
            }
            result.steps = ctx.steps.get();
            Ok(result)
        }
        Err(err) => {
            graph.undo_to(&mark);
            Err(err)
        }
    };
    if writes && !recording {
        graph.stop_recording();
    }
    outcome
}

/// Runs a plan without updates over a graph borrowed only for reading, so that several
/// threads can read one graph at once.
///
/// # Errors
/// An [`ExecError`]; [`ExecError::InvalidUpdate`] if the plan has updates.
pub fn execute_read_only(plan: &LogicalPlan, graph: &Graph, ctx: &Context) -> Result<ResultSet> {
    if plan.has_writes() {
        return Err(ExecError::InvalidUpdate {
            message: "this statement writes, and it was run as read-only".into(),
            span: crate::span::Span::default(),
        });
    }
    let mut rows = collect_rows(plan, ctx, &mut |pipeline, sink| {
        Reader::new(graph, ctx).run(&pipeline.ops, vec![Vec::new()], sink)?;
        Ok(())
    })?;
    if plan.columns.is_empty() {
        rows.clear();
    }
    let mut result = ResultSet::new(plan.columns.clone(), rows, graph);
    result.steps = ctx.steps.get();
    Ok(result)
}

/// Runs one top-level pipeline, sending its rows to a sink.
type RunPipeline<'r> = dyn FnMut(&Pipeline, &mut dyn FnMut(Row) -> Result<Flow>) -> Result<()> + 'r;

fn run_plan(
    plan: &LogicalPlan,
    graph: &mut Graph,
    ctx: &Context,
    touched: &mut write::Touched,
) -> Result<Vec<Row>> {
    collect_rows(plan, ctx, &mut |pipeline, sink| {
        run_pipeline(pipeline, graph, ctx, touched, sink)
    })
}

/// The rows of every part of a plan (`UNION`), each part run by `run`, duplicates
/// dropped under `UNION`, within the row limit.
fn collect_rows(plan: &LogicalPlan, ctx: &Context, run: &mut RunPipeline) -> Result<Vec<Row>> {
    let mut all_rows = Vec::new();
    let distinct = plan.union_all.first().is_some_and(|all| !all);
    // Only rows that are returned count against the row limit; under UNION (without
    // ALL) they count once duplicates are gone.
    let bounded = !plan.columns.is_empty();
    for pipeline in &plan.parts {
        let ran = run(pipeline, &mut |row| {
            all_rows.push(row);
            if bounded && !distinct {
                ctx.check_rows(all_rows.len())?;
            }
            Ok(Flow::Continue)
        });
        if let Err(err) = ran {
            discard(all_rows);
            return Err(err);
        }
    }
    if distinct {
        let mut seen = seen::SeenRows::new();
        let mut outcome = Ok(());
        all_rows.retain(|row| {
            if outcome.is_err() {
                return false;
            }
            outcome = ctx.check();
            seen.insert(row.clone())
        });
        outcome?;
    }
    if bounded {
        ctx.check_rows(all_rows.len())?;
    }
    Ok(all_rows)
}

/// Runs a top-level pipeline: read segments streamed, updates applied between them.
fn run_pipeline(
    pipeline: &Pipeline,
    graph: &mut Graph,
    ctx: &Context,
    touched: &mut write::Touched,
    sink: &mut dyn FnMut(Row) -> Result<Flow>,
) -> Result<()> {
    let ops = &pipeline.ops;
    let mut rows: Vec<Row> = vec![Vec::new()];
    let mut start = 0;
    loop {
        let next_write = ops[start..]
            .iter()
            .position(Op::is_write)
            .map(|i| start + i);
        let Some(write_at) = next_write else {
            let reader = Reader::new(graph, ctx);
            reader.run(&ops[start..], rows, sink)?;
            return Ok(());
        };
        let mut collected = Vec::new();
        Reader::new(graph, ctx).run(&ops[start..write_at], rows, &mut |row| {
            collected.push(row);
            Ok(Flow::Continue)
        })?;
        rows = write::apply(&ops[write_at], collected, graph, ctx, touched)?;
        start = write_at + 1;
    }
}

/// Per-run state of streaming operators that remember what they saw.
enum OpState {
    None,
    Count(u64),
    Seen(seen::SeenRows),
    Neighbours(matching::NeighbourCache),
    /// The symbols of a relationship filter's types, resolved once per run (`None`: a
    /// type the graph has never seen, so nothing matches).
    Types(Option<Vec<crate::graph::Symbol>>),
}

/// Runs read operators over an immutable graph.
pub(crate) struct Reader<'a> {
    pub graph: &'a Graph,
    pub ctx: &'a Context<'a>,
    regexes: RefCell<std::collections::HashMap<String, regex::Regex>>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(graph: &'a Graph, ctx: &'a Context<'a>) -> Reader<'a> {
        Reader {
            graph,
            ctx,
            regexes: RefCell::default(),
        }
    }

    /// Stops if the statement was interrupted or ran out of time or memory (for loops
    /// that are not matching steps): see [`Context::check`].
    pub(crate) fn check_limits(&self) -> Result<()> {
        self.ctx.check()
    }

    /// Charges a value of about `bytes` before building it ([`Context::charge`]).
    pub(crate) fn charge(&self, bytes: usize) -> Result<()> {
        self.ctx.charge(bytes)
    }

    /// Counts one matching step and checks the limits ([`Context::check`]).
    pub(crate) fn step(&self) -> Result<()> {
        self.ctx.steps.set(self.ctx.steps.get() + 1);
        self.ctx.check()
    }

    /// Runs read-only `ops` over `rows`, sending what comes out to `sink`. Aggregation
    /// and sorting collect the rows before them.
    pub(crate) fn run(
        &self,
        ops: &[Op],
        rows: Vec<Row>,
        sink: &mut dyn FnMut(Row) -> Result<Flow>,
    ) -> Result<Flow> {
        let barrier = (0..ops.len())
            .position(|i| ops[i].is_barrier() && !self.groups_each_row(ops, i, rows.len()));
        let Some(at) = barrier else {
            let states: Vec<RefCell<OpState>> =
                ops.iter().map(|_| RefCell::new(OpState::None)).collect();
            let mut rows = rows.into_iter();
            for row in rows.by_ref() {
                match self.push(ops, 0, row, &states, sink) {
                    Ok(Flow::Stop) => return Ok(Flow::Stop),
                    Ok(Flow::Continue) => {}
                    Err(err) => {
                        discard((rows, states));
                        return Err(err);
                    }
                }
            }
            return Ok(Flow::Continue);
        };
        let rows = match &ops[at] {
            Op::Aggregate { keys, aggregates } => {
                if let Some(rows) =
                    self.aggregate_in_parallel(&ops[..at], &rows, keys, aggregates)?
                {
                    return self.run(&ops[at + 1..], rows, sink);
                }
                let mut aggregation = aggregate::Aggregation::new(keys, aggregates);
                let ran = self.run(&ops[..at], rows, &mut |row| {
                    aggregation.add(self, row)?;
                    Ok(Flow::Continue)
                });
                if let Err(err) = ran {
                    aggregation.discard();
                    return Err(err);
                }
                aggregation.finish(self)?
            }
            Op::Sort { keys } => {
                let wanted = self.rows_wanted(&ops[at + 1..]);
                if let Some(rows) = self.sort_in_parallel(&ops[..at], &rows, keys, wanted)? {
                    return self.run(&ops[at + 1..], rows, sink);
                }
                let mut sorter = sort::Sorter::new(keys, wanted);
                let ran = self.run(&ops[..at], rows, &mut |row| {
                    sorter.add(self, row)?;
                    Ok(Flow::Continue)
                });
                if let Err(err) = ran {
                    sorter.discard();
                    return Err(err);
                }
                sorter.finish(self)?
            }
            op => {
                self.run(&ops[..at], rows, &mut |_| Ok(Flow::Continue))?;
                return Err(ExecError::UpdateInSubquery {
                    op: format!("{op:?}").chars().take(20).collect(),
                });
            }
        };
        self.run(&ops[at + 1..], rows, sink)
    }

    /// Whether `ops[at]` is an aggregation in which no two of its input rows can share
    /// their keys, so that it can stream a group per row instead of holding them all (a
    /// degree per node, `count(r)` grouped by `a.name`, is a million groups of one row).
    /// It holds when one input row starts a scan of distinct nodes `a` that nothing after
    /// it multiplies, and a key identifies `a`: the node itself, or its name when every
    /// node has a name of its own.
    pub(super) fn groups_each_row(&self, ops: &[Op], at: usize, input_rows: usize) -> bool {
        let Some(Op::Aggregate { keys, aggregates }) = ops.get(at) else {
            return false;
        };
        let Some(Op::NodeScan { slot: node, .. }) = ops.first() else {
            return false;
        };
        let keeps_rows = |op: &Op| {
            matches!(
                op,
                Op::Filter(_) | Op::CheckNode { .. } | Op::CountRels { .. }
            )
        };
        let is_node = |expr: &Expr| matches!(expr.kind, ExprKind::Slot(s) if s == *node);
        let identifies = |key: &Expr| match &key.kind {
            ExprKind::Slot(s) => s == node,
            ExprKind::Property { base, key } => {
                is_node(base) && key.name == "name" && self.graph.names_identify_nodes()
            }
            _ => false,
        };
        self.ctx.shortcuts
            && input_rows == 1
            && ops[1..at].iter().all(keeps_rows)
            // A percentile's parameter is read from the first row of all groups.
            && aggregates.iter().all(|spec| spec.param.is_none())
            && keys.iter().any(identifies)
    }

    /// How many rows `ops` can pass on at most, when they start with `[SKIP] LIMIT`.
    /// A count that does not evaluate gives no bound; `LIMIT` reports it.
    fn rows_wanted(&self, ops: &[Op]) -> Option<usize> {
        let (skip, rest) = match ops.first() {
            Some(Op::Skip(expr)) => (self.count(expr, "SKIP").ok()?, &ops[1..]),
            _ => (0, ops),
        };
        let Some(Op::Limit(expr)) = rest.first() else {
            return None;
        };
        let limit = self.count(expr, "LIMIT").ok()?;
        usize::try_from(skip.saturating_add(limit)).ok()
    }

    /// Hands `row` to operator `i`, which passes what it produces on to `i + 1`.
    fn push(
        &self,
        ops: &[Op],
        i: usize,
        mut row: Row,
        states: &[RefCell<OpState>],
        sink: &mut dyn FnMut(Row) -> Result<Flow>,
    ) -> Result<Flow> {
        let Some(op) = ops.get(i) else {
            return sink(row);
        };
        if let Op::Expand(expand) = op
            && let Some(flow) = self.expand_in_parallel(expand, ops, i, &row, sink)?
        {
            return Ok(flow);
        }
        let mut next = |row: Row| self.push(ops, i + 1, row, states, sink);
        match op {
            Op::NodeScan {
                slot,
                source,
                filter,
                ..
            } => self.node_scan(*slot, source, filter, row, &mut next),
            Op::CheckNode { slot, filter } => match row.get(*slot) {
                Some(Value::Node(n)) if self.node_matches(*n, filter, &mut row.clone())? => {
                    next(row)
                }
                _ => Ok(Flow::Continue),
            },
            Op::Expand(expand) => self.expand(expand, row, &states[i], &mut next),
            Op::RelScan {
                from_filter,
                expand,
            } => self.rel_scan(from_filter, expand, row, &mut next),
            Op::CountRels {
                from,
                direction,
                rel_filter,
                into,
            } => self.count_rels(
                (*from, *direction, rel_filter, *into),
                row,
                &states[i],
                &mut next,
            ),
            Op::AggregateRels(op) => self.aggregate_rels(op, &mut next),
            Op::VarExpand(expand) => self.var_expand(expand, row, &mut next),
            Op::ChainCount(chain) => {
                let count = self.chain_count(chain)?;
                next(vec![Value::Int(i64::try_from(count).unwrap_or(i64::MAX))])
            }
            Op::ShortestPath(sp) => self.shortest_path(sp, row, &mut next),
            Op::BuildPath { slot, start, steps } => {
                let path = self.build_path(&row, *start, steps);
                set(&mut row, *slot, path);
                next(row)
            }
            Op::Filter(expr) => {
                if matches!(self.eval(expr, &mut row)?, Value::Bool(true)) {
                    next(row)
                } else {
                    Ok(Flow::Continue)
                }
            }
            Op::Optional { pipeline, nulls } => self.optional(pipeline, nulls, row, &mut next),
            Op::Unwind { expr, slot } => self.unwind(expr, *slot, row, &mut next),
            Op::Project { items, keep_input } => {
                let mut out =
                    Vec::with_capacity(items.len() + if *keep_input { row.len() } else { 0 });
                for item in items {
                    out.push(self.eval(item, &mut row)?);
                }
                if *keep_input {
                    out.extend(row);
                }
                next(out)
            }
            Op::Distinct { width } => {
                if first_sighting(&states[i], row.iter().take(*width).cloned().collect()) {
                    next(row)
                } else {
                    Ok(Flow::Continue)
                }
            }
            Op::Skip(expr) => {
                let skip = self.count(expr, "SKIP")?;
                if bump(&states[i]) < skip {
                    Ok(Flow::Continue)
                } else {
                    next(row)
                }
            }
            Op::Limit(expr) => self.limit(expr, &states[i], row, &mut next),
            Op::Truncate(width) => {
                row.truncate(*width);
                next(row)
            }
            // Only when each row is a group of its own: `run` applies the others.
            Op::Aggregate { keys, aggregates } => {
                next(aggregate::lone_group(self, keys, aggregates, row)?)
            }
            Op::Sort { .. } | Op::Create(_) | Op::Merge(_) | Op::Set(_) | Op::Delete { .. } => {
                unreachable!("push: barrier operators are applied by run")
            }
        }
    }

    /// `OPTIONAL MATCH`: the rows `pipeline` finds for `row`, or `row` with `nulls` set to
    /// null when it finds none.
    fn optional(
        &self,
        pipeline: &Pipeline,
        nulls: &[usize],
        mut row: Row,
        next: &mut dyn FnMut(Row) -> Result<Flow>,
    ) -> Result<Flow> {
        let mut matched = false;
        let flow = self.run(&pipeline.ops, vec![row.clone()], &mut |r| {
            matched = true;
            next(r)
        })?;
        if matched {
            return Ok(flow);
        }
        for slot in nulls {
            set(&mut row, *slot, Value::Null);
        }
        next(row)
    }

    /// `UNWIND`: a row per item of the list (none for null, one for any other value).
    fn unwind(
        &self,
        expr: &Expr,
        slot: usize,
        mut row: Row,
        next: &mut dyn FnMut(Row) -> Result<Flow>,
    ) -> Result<Flow> {
        let items = match self.eval(expr, &mut row)? {
            Value::List(items) => items,
            Value::Null => Vec::new(),
            other => vec![other],
        };
        for item in items {
            self.check_limits()?;
            let mut r = row.clone();
            set(&mut r, slot, item);
            if next(r)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// `LIMIT`: passes rows on until `limit` have gone, then stops the pipeline.
    fn limit(
        &self,
        expr: &Expr,
        state: &RefCell<OpState>,
        row: Row,
        next: &mut dyn FnMut(Row) -> Result<Flow>,
    ) -> Result<Flow> {
        let limit = self.count(expr, "LIMIT")?;
        let seen = bump(state);
        if seen >= limit {
            return Ok(Flow::Stop);
        }
        let flow = next(row)?;
        if seen + 1 >= limit {
            Ok(Flow::Stop)
        } else {
            Ok(flow)
        }
    }

    /// The value of a SKIP or LIMIT expression: a non-negative integer.
    fn count(&self, expr: &crate::plan::logical::Expr, what: &'static str) -> Result<u64> {
        match self.eval(expr, &mut Vec::new())? {
            Value::Int(i) if i >= 0 => Ok(i as u64),
            other => Err(ExecError::InvalidCount {
                message: format!(
                    "{what} must be a non-negative integer, not {}",
                    crate::exec::expr::describe(&other)
                ),
                span: expr.span,
            }),
        }
    }
}

/// Counts one more row for a SKIP/LIMIT; returns how many came before it.
/// Whether `key` is new to a `DISTINCT` operator's state, which remembers it.
fn first_sighting(state: &RefCell<OpState>, key: Row) -> bool {
    match &mut *state.borrow_mut() {
        OpState::Seen(seen) => seen.insert(key),
        state => {
            let mut seen = seen::SeenRows::new();
            seen.insert(key);
            *state = OpState::Seen(seen);
            true
        }
    }
}

fn bump(state: &RefCell<OpState>) -> u64 {
    let mut state = state.borrow_mut();
    match &mut *state {
        OpState::Count(n) => {
            let before = *n;
            *n += 1;
            before
        }
        s => {
            *s = OpState::Count(1);
            0
        }
    }
}

/// Sets a slot, growing the row as needed.
pub(crate) fn set(row: &mut Row, slot: usize, value: Value) {
    if row.len() <= slot {
        row.resize(slot + 1, Value::Null);
    }
    row[slot] = value;
}

/// Reads a slot; a slot never set reads as null.
pub(crate) fn get(row: &Row, slot: usize) -> &Value {
    row.get(slot).unwrap_or(&Value::Null)
}
