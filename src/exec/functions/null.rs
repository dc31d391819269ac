//! Functions about null itself: `coalesce`, `exists`. Neither gives null for a null
//! argument.

use crate::graph::Value;
use crate::plan::functions::Function as F;

use super::{Args, Impl, Reader};
use crate::exec::Result;

pub(super) fn implementation(function: F) -> Option<Impl> {
    Some(match function {
        F::Coalesce => coalesce,
        F::Exists => exists,
        _ => return None,
    })
}

fn coalesce(_: &Reader, args: Args) -> Result<Value> {
    Ok(args
        .values
        .into_iter()
        .find(|v| !v.is_null())
        .unwrap_or(Value::Null))
}

fn exists(_: &Reader, args: Args) -> Result<Value> {
    Ok(Value::Bool(!args.get(0).is_null()))
}
