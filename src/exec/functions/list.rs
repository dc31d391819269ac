//! Functions of lists (and the sizes of strings and maps): `size`, `head`, `last`,
//! `tail`, `reverse`, `isEmpty`, `range`.

use crate::graph::Value;
use crate::plan::functions::Function as F;

use super::{Args, Impl, Reader, describe};
use crate::exec::{ExecError, Result};

/// The longest list `range()` builds.
const MAX_RANGE: usize = 100_000_000;

pub(super) fn implementation(function: F) -> Option<Impl> {
    Some(match function {
        F::Size => size,
        F::Head => head,
        F::Last => last,
        F::Tail => tail,
        F::Reverse => reverse,
        F::IsEmpty => is_empty,
        F::Range => range,
        _ => return None,
    })
}

fn size(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::List(l) => Ok(Value::Int(l.len() as i64)),
        Value::String(s) => Ok(Value::Int(s.chars().count() as i64)),
        Value::Map(m) => Ok(Value::Int(m.len() as i64)),
        other => Err(args.wrong("a list or string", &other)),
    }
}

fn head(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::List(l) => Ok(l.into_iter().next().unwrap_or(Value::Null)),
        other => Err(args.wrong("a list", &other)),
    }
}

fn last(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::List(l) => Ok(l.into_iter().next_back().unwrap_or(Value::Null)),
        other => Err(args.wrong("a list", &other)),
    }
}

fn tail(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::List(l) => Ok(Value::List(l.into_iter().skip(1).collect())),
        other => Err(args.wrong("a list", &other)),
    }
}

fn reverse(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::List(mut l) => {
            l.reverse();
            Ok(Value::List(l))
        }
        Value::String(s) => Ok(Value::from(s.chars().rev().collect::<String>())),
        other => Err(args.wrong("a list or string", &other)),
    }
}

fn is_empty(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::List(l) => Ok(Value::Bool(l.is_empty())),
        Value::String(s) => Ok(Value::Bool(s.is_empty())),
        Value::Map(m) => Ok(Value::Bool(m.is_empty())),
        other => Err(args.wrong("a list, string or map", &other)),
    }
}

/// `range(start, end[, step])`, checking the statement's limits as the list grows.
fn range(reader: &Reader, args: Args) -> Result<Value> {
    let span = args.span;
    let invalid = |message: String| ExecError::InvalidArgument { message, span };
    let int = |v: &Value| match v {
        Value::Int(i) => Ok(*i),
        other => Err(invalid(format!(
            "range() expects integers, got {}",
            describe(other)
        ))),
    };
    let step = match args.get(2) {
        Value::Null => 1,
        step => int(step)?,
    };
    let (start, end) = (int(args.get(0))?, int(args.get(1))?);
    if step == 0 {
        return Err(invalid("range() step cannot be 0".into()));
    }
    // The length is known before the list is built: refuse or charge it up front.
    let span_len = (i128::from(end) - i128::from(start)) / i128::from(step) + 1;
    let len = usize::try_from(span_len.max(0)).unwrap_or(usize::MAX);
    if len > MAX_RANGE {
        return Err(invalid("range() is too large".into()));
    }
    reader.charge(len * std::mem::size_of::<Value>())?;
    let mut out = Vec::with_capacity(len);
    let mut i = start;
    while (step > 0 && i <= end) || (step < 0 && i >= end) {
        out.push(Value::Int(i));
        reader.check_limits()?;
        if out.len() > MAX_RANGE {
            return Err(invalid("range() is too large".into()));
        }
        i = match i.checked_add(step) {
            Some(n) => n,
            None => break,
        };
    }
    Ok(Value::List(out))
}
