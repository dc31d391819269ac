//! Functions of nodes and relationships: `id`, `elementId`, `labels`, `type`,
//! `properties`, `keys`, `startNode`, `endNode`.

use std::collections::BTreeMap;

use crate::graph::Value;
use crate::plan::functions::Function as F;

use super::{Args, Impl, Reader};
use crate::exec::{ExecError, Result};

pub(super) fn implementation(function: F) -> Option<Impl> {
    Some(match function {
        F::Id => id,
        F::ElementId => element_id,
        F::Labels => labels,
        F::Type => type_of,
        F::Properties => properties,
        F::Keys => keys,
        F::StartNode => start_node,
        F::EndNode => end_node,
        _ => return None,
    })
}

fn id(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::Node(n) => Ok(Value::Int(n.0 as i64)),
        Value::Rel(r) => Ok(Value::Int(r.0 as i64)),
        other => Err(args.wrong("a node or relationship", &other)),
    }
}

fn element_id(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        Value::Node(n) => Ok(Value::from(format!("n{}", n.0))),
        Value::Rel(r) => Ok(Value::from(format!("r{}", r.0))),
        other => Err(args.wrong("a node or relationship", &other)),
    }
}

fn labels(reader: &Reader, mut args: Args) -> Result<Value> {
    let graph = reader.graph;
    match args.take(0) {
        Value::Node(n) if !graph.contains_node(n) => Err(ExecError::DeletedEntity {
            message: "the node was deleted".into(),
            span: args.span,
        }),
        Value::Node(n) => Ok(Value::List(
            graph
                .labels_of(n)
                .iter()
                .map(|l| Value::str(graph.label_name(*l)))
                .collect(),
        )),
        other => Err(args.wrong("a node", &other)),
    }
}

fn type_of(reader: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        // A relationship deleted by this statement still answers with its type.
        Value::Rel(r) => Ok(reader
            .graph
            .rel_type(r)
            .or_else(|| reader.ctx.deleted_rel_types.borrow().get(&r).copied())
            .map_or(Value::Null, |t| reader.graph.type_name_value(t))),
        other => Err(args.wrong("a relationship", &other)),
    }
}

fn properties(reader: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        entity @ (Value::Node(_) | Value::Rel(_)) => Ok(Value::Map(properties_of(reader, &entity))),
        Value::Map(m) => Ok(Value::Map(m)),
        other => Err(args.wrong("a node, relationship or map", &other)),
    }
}

fn keys(reader: &Reader, mut args: Args) -> Result<Value> {
    let keys = match args.take(0) {
        entity @ (Value::Node(_) | Value::Rel(_)) => properties_of(reader, &entity).into_keys(),
        Value::Map(m) => m.into_keys(),
        other => return Err(args.wrong("a node, relationship or map", &other)),
    };
    Ok(Value::List(keys.map(Value::from).collect()))
}

fn start_node(reader: &Reader, args: Args) -> Result<Value> {
    endpoint(reader, args, true)
}

fn end_node(reader: &Reader, args: Args) -> Result<Value> {
    endpoint(reader, args, false)
}

fn endpoint(reader: &Reader, mut args: Args, start: bool) -> Result<Value> {
    match args.take(0) {
        Value::Rel(r) => Ok(reader
            .graph
            .endpoints(r)
            .map_or(Value::Null, |(s, e)| Value::Node(if start { s } else { e }))),
        other => Err(args.wrong("a relationship", &other)),
    }
}

/// The properties of a node or relationship by key name; empty once deleted.
fn properties_of(reader: &Reader, v: &Value) -> BTreeMap<String, Value> {
    let graph = reader.graph;
    let props = match v {
        Value::Node(n) => graph.node(*n).map(|d| d.props),
        Value::Rel(r) => graph.rel(*r).map(|d| d.props),
        _ => None,
    };
    props
        .map(|p| {
            p.iter()
                .map(|(k, v)| (graph.key_name(k).to_string(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}
