//! Functions of paths: `length`, `nodes`, `relationships`.

use crate::graph::Value;
use crate::plan::functions::Function as F;

use super::{Args, Impl, Reader};
use crate::exec::Result;

pub(super) fn implementation(function: F) -> Option<Impl> {
    Some(match function {
        F::Length => length,
        F::Nodes => nodes,
        F::Relationships => relationships,
        _ => return None,
    })
}

fn length(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::Path(p) => Ok(Value::Int(p.rels.len() as i64)),
        other => Err(args.wrong("a path", &other)),
    }
}

fn nodes(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::Path(p) => Ok(Value::List(
            p.nodes.iter().map(|n| Value::Node(*n)).collect(),
        )),
        other => Err(args.wrong("a path", &other)),
    }
}

fn relationships(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::Path(p) => Ok(Value::List(p.rels.iter().map(|r| Value::Rel(*r)).collect())),
        other => Err(args.wrong("a path", &other)),
    }
}
