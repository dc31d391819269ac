//! Grouping and aggregates, by hashing the grouping keys, streamed: each row is folded
//! into its group's accumulators as it arrives. Nulls are skipped by every aggregate but
//! `count(*)`; with no rows and no keys, one row of empty aggregates. The groups live in
//! a [`GroupTable`]; this module folds values into them.

use crate::graph::Value;
use crate::plan::logical::{AggregateKind, AggregateSpec, Expr};

use super::expr::{binary, describe, type_error};
use super::groups::{GroupTable, SeenValues};
use super::{ExecError, Reader, Result, Row};

/// One aggregate's running state.
pub(super) enum Accumulator {
    Count(i64),
    Sum(Value),
    Avg {
        sum: f64,
        count: i64,
    },
    Extreme(Option<Value>),
    Collect(Vec<Value>),
    /// Numbers as floats, with the values as given (percentileDisc returns one of them).
    Values(Vec<(f64, Value)>),
}

/// A grouping in progress: rows are folded in as they arrive, so the input is never
/// held in memory, only one entry per group (in a [`GroupTable`]).
pub(super) struct Aggregation<'p> {
    keys: &'p [Expr],
    specs: &'p [AggregateSpec],
    table: GroupTable<'p>,
    params: Vec<Option<Value>>,
    /// The keys of the row being added, reused from row to row.
    scratch: Row,
}

impl<'p> Aggregation<'p> {
    pub(super) fn new(keys: &'p [Expr], specs: &'p [AggregateSpec]) -> Aggregation<'p> {
        Aggregation {
            keys,
            specs,
            table: GroupTable::new(specs, !keys.is_empty()),
            params: vec![None; specs.len()],
            scratch: Vec::new(),
        }
    }

    /// Folds one input row into its group.
    pub(super) fn add(&mut self, reader: &Reader, mut row: Row) -> Result<()> {
        reader.check_limits()?;
        let g = if self.keys.is_empty() {
            self.table.only_group()
        } else {
            self.scratch.clear();
            for k in self.keys {
                let value = reader.eval(k, &mut row)?;
                self.scratch.push(value);
            }
            self.table.group_of(&mut self.scratch)
        };
        let (accumulators, seen) = self.table.group_mut(g);
        fold(
            reader,
            self.specs,
            accumulators,
            seen,
            &mut self.params,
            &mut row,
        )
    }

    /// Folds the groups of `other`, which grouped the rows after this one's, into this
    /// one (see [`GroupTable::merge`]).
    pub(super) fn merge(&mut self, reader: &Reader, other: Aggregation) -> Result<()> {
        self.table.merge(reader, other.table)
    }

    /// Drops the groups on another thread: a stopped statement answers at once.
    pub(super) fn discard(self) {
        self.table.discard();
    }

    /// One row per group: the keys, then the aggregates. With no rows and no keys, one
    /// row of empty aggregates.
    pub(super) fn finish(self, reader: &Reader) -> Result<Vec<Row>> {
        self.table.finish(reader, &self.params)
    }
}

/// Folds `row` into one group's accumulators. `seen` holds what its `DISTINCT`
/// aggregates have seen; without it every value counts as new.
fn fold(
    reader: &Reader,
    specs: &[AggregateSpec],
    accumulators: &mut [Accumulator],
    mut seen: Option<&mut [SeenValues]>,
    params: &mut [Option<Value>],
    row: &mut Row,
) -> Result<()> {
    for (i, spec) in specs.iter().enumerate() {
        if spec.kind == AggregateKind::CountStar {
            if let Accumulator::Count(n) = &mut accumulators[i] {
                *n += 1;
            }
            continue;
        }
        let value = match &spec.arg {
            Some(arg) => reader.eval(arg, row)?,
            None => Value::Null,
        };
        if let Some(param) = &spec.param
            && params[i].is_none()
        {
            params[i] = Some(reader.eval(param, row)?);
        }
        if value.is_null() {
            continue;
        }
        if let Some(seen) = seen.as_deref_mut()
            && spec.distinct
            && !seen[i].insert(&value)
        {
            continue;
        }
        add(&mut accumulators[i], value, spec)?;
    }
    Ok(())
}

/// The output row of a group made of `row` alone: its keys, then its aggregates. For a
/// grouping where no two rows can share keys (see `Reader::groups_each_row`), this
/// streams what [`Aggregation`] would give, without holding the groups. No aggregate may
/// take a parameter (a percentile's is read once for all groups).
pub(super) fn lone_group(
    reader: &Reader,
    keys: &[Expr],
    specs: &[AggregateSpec],
    mut row: Row,
) -> Result<Row> {
    let mut out = Vec::with_capacity(keys.len() + specs.len());
    for key in keys {
        out.push(reader.eval(key, &mut row)?);
    }
    debug_assert!(
        specs.iter().all(|s| s.param.is_none()),
        "a parameter spans groups"
    );
    let mut accumulators = accumulators(specs);
    fold(reader, specs, &mut accumulators, None, &mut [], &mut row)?;
    for (acc, spec) in accumulators.into_iter().zip(specs) {
        out.push(finish(acc, spec, None)?);
    }
    Ok(out)
}

impl Accumulator {
    fn kind(&self) -> &'static str {
        match self {
            Accumulator::Count(_) => "count",
            Accumulator::Sum(_) => "sum",
            Accumulator::Avg { .. } => "avg",
            Accumulator::Extreme(_) => "min/max",
            Accumulator::Collect(_) => "collect",
            Accumulator::Values(_) => "values",
        }
    }
}

/// Empty accumulators for `specs`.
pub(super) fn accumulators<'s>(
    specs: impl IntoIterator<Item = &'s AggregateSpec>,
) -> Vec<Accumulator> {
    specs
        .into_iter()
        .map(|s| match s.kind {
            AggregateKind::CountStar | AggregateKind::Count => Accumulator::Count(0),
            AggregateKind::Sum => Accumulator::Sum(Value::Int(0)),
            AggregateKind::Avg => Accumulator::Avg { sum: 0.0, count: 0 },
            AggregateKind::Min | AggregateKind::Max => Accumulator::Extreme(None),
            AggregateKind::Collect => Accumulator::Collect(Vec::new()),
            AggregateKind::StDev
            | AggregateKind::StDevP
            | AggregateKind::PercentileCont
            | AggregateKind::PercentileDisc => Accumulator::Values(Vec::new()),
        })
        .collect()
}

/// Folds the accumulator of the same aggregate over later rows into `acc`.
pub(super) fn combine(
    acc: &mut Accumulator,
    later: Accumulator,
    spec: &AggregateSpec,
) -> Result<()> {
    match (acc, later) {
        (Accumulator::Count(n), Accumulator::Count(m)) => *n += m,
        // A sum over no values is the integer 0, which adds nothing to any sum.
        (Accumulator::Sum(_), Accumulator::Sum(Value::Int(0))) => {}
        (acc @ Accumulator::Sum(_), Accumulator::Sum(total)) => add(acc, total, spec)?,
        (Accumulator::Avg { sum, count }, Accumulator::Avg { sum: s, count: c }) => {
            *sum += s;
            *count += c;
        }
        (acc @ Accumulator::Extreme(_), Accumulator::Extreme(best)) => {
            if let Some(value) = best {
                add(acc, value, spec)?;
            }
        }
        (Accumulator::Collect(items), Accumulator::Collect(more)) => items.extend(more),
        (acc, later) => {
            unreachable!(
                "combine: {} and {} do not combine",
                acc.kind(),
                later.kind()
            )
        }
    }
    Ok(())
}

/// Folds one non-null value into an accumulator.
pub(super) fn add(acc: &mut Accumulator, value: Value, spec: &AggregateSpec) -> Result<()> {
    let not_number = |v: &Value| {
        type_error(
            format!("expected a number to aggregate, got {}", describe(v)),
            spec.span,
        )
    };
    match acc {
        Accumulator::Count(n) => *n += 1,
        Accumulator::Sum(total) => {
            // Integers add in place; an overflow takes the general path, which reports it.
            if let (Value::Int(so_far), Value::Int(more)) = (&mut *total, &value)
                && let Some(sum) = so_far.checked_add(*more)
            {
                *so_far = sum;
                return Ok(());
            }
            if !matches!(value, Value::Int(_) | Value::Float(_) | Value::Duration(_)) {
                return Err(not_number(&value));
            }
            let so_far = std::mem::replace(total, Value::Null);
            *total = binary(crate::ast::BinaryOp::Add, so_far, value, spec.span)?;
        }
        Accumulator::Avg { sum, count } => {
            *sum += value.as_f64().ok_or_else(|| not_number(&value))?;
            *count += 1;
        }
        Accumulator::Extreme(best) => {
            let replace = match best {
                None => true,
                Some(b) => {
                    let o = value.order_cmp(b);
                    if spec.kind == AggregateKind::Min {
                        o.is_lt()
                    } else {
                        o.is_gt()
                    }
                }
            };
            if replace {
                *best = Some(value);
            }
        }
        Accumulator::Collect(items) => items.push(value),
        Accumulator::Values(values) => {
            let number = value.as_f64().ok_or_else(|| not_number(&value))?;
            values.push((number, value));
        }
    }
    Ok(())
}

/// An accumulator's result.
pub(super) fn finish(
    acc: Accumulator,
    spec: &AggregateSpec,
    param: Option<&Value>,
) -> Result<Value> {
    Ok(match acc {
        Accumulator::Count(n) => Value::Int(n),
        Accumulator::Sum(v) => v,
        Accumulator::Avg { sum, count } => {
            if count == 0 {
                Value::Null
            } else {
                Value::Float(sum / count as f64)
            }
        }
        Accumulator::Extreme(v) => v.unwrap_or(Value::Null),
        Accumulator::Collect(items) => Value::List(items),
        Accumulator::Values(values) => match spec.kind {
            AggregateKind::StDev | AggregateKind::StDevP => {
                let values: Vec<f64> = values.into_iter().map(|(f, _)| f).collect();
                let n = values.len() as f64;
                let denominator = if spec.kind == AggregateKind::StDev {
                    n - 1.0
                } else {
                    n
                };
                if denominator <= 0.0 {
                    Value::Float(0.0)
                } else {
                    let mean = values.iter().sum::<f64>() / n;
                    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / denominator;
                    Value::Float(var.sqrt())
                }
            }
            _ => {
                let p = match param {
                    Some(v) => v
                        .as_f64()
                        .filter(|p| (0.0..=1.0).contains(p))
                        .ok_or_else(|| ExecError::InvalidArgument {
                            message: "the percentile must be a number between 0.0 and 1.0".into(),
                            span: spec.span,
                        })?,
                    None => return Ok(Value::Null),
                };
                if values.is_empty() {
                    return Ok(Value::Null);
                }
                let mut values = values;
                values.sort_by(|a, b| a.0.total_cmp(&b.0));
                percentile(&values, p, spec.kind == AggregateKind::PercentileCont)
            }
        },
    })
}

fn percentile(sorted: &[(f64, Value)], p: f64, continuous: bool) -> Value {
    let n = sorted.len();
    if continuous {
        let pos = p * (n - 1) as f64;
        let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
        Value::Float(sorted[lo].0 + (sorted[hi].0 - sorted[lo].0) * (pos - lo as f64))
    } else {
        let idx = ((p * n as f64).ceil() as usize)
            .saturating_sub(1)
            .min(n - 1);
        sorted[idx].1.clone()
    }
}
