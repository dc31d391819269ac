//! Temporal functions: `timestamp()` here, the constructors, clocks, truncations and
//! `duration.*` in `exec::temporal`, which also serves temporal operators.

use crate::graph::Value;
use crate::plan::functions::Function as F;

use super::{Args, Impl, Reader};
use crate::exec::Result;
use crate::exec::temporal as engine;

pub(super) fn implementation(function: F) -> Option<Impl> {
    match function {
        F::Timestamp => Some(timestamp),
        f if engine::evaluates(f) => Some(temporal),
        _ => None,
    }
}

/// The statement's clock, as in Neo4j: one value for the whole statement, and the same
/// again when the journal replays it.
fn timestamp(reader: &Reader, _: Args) -> Result<Value> {
    let now = reader.ctx.clock.get_or_init(chrono::Utc::now);
    Ok(Value::Int(now.timestamp_millis()))
}

fn temporal(reader: &Reader, args: Args) -> Result<Value> {
    engine::call(args.function, &args.values, &reader.ctx.clock, args.span)
}
