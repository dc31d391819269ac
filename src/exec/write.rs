//! Updating clauses, applied to collected rows with the graph borrowed mutably:
//! CREATE, MERGE, SET / REMOVE and DELETE, counting their side effects.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use crate::graph::{Graph, NodeId, Path, Props, RelId, Value};
use crate::plan::logical::{CreatePattern, Expr, MergePlan, Op, SetOp};
use crate::span::Span;

use super::expr::{describe, type_error};
use super::{Context, ExecError, Flow, Reader, Result, Row, get, set};

/// The elements an update touched: side effects are measured on them afterwards.
#[derive(Default)]
pub(super) struct Touched {
    pub nodes: HashSet<NodeId>,
    pub rels: HashSet<RelId>,
    /// Created by this statement and still there: an id that existed before was freed
    /// and reused, so the old element counts as deleted and the new one as created.
    pub created_nodes: HashSet<NodeId>,
    pub created_rels: HashSet<RelId>,
}

pub(super) fn apply(
    op: &Op,
    rows: Vec<Row>,
    graph: &mut Graph,
    ctx: &Context,
    touched: &mut Touched,
) -> Result<Vec<Row>> {
    match op {
        Op::Create(patterns) => {
            let mut out = Vec::with_capacity(rows.len());
            for mut row in rows {
                ctx.check()?;
                for pattern in patterns {
                    create(pattern, &mut row, graph, ctx, touched)?;
                }
                out.push(row);
            }
            Ok(out)
        }
        Op::Merge(plan) => {
            let mut out = Vec::new();
            for row in rows {
                ctx.check()?;
                merge(plan, row, graph, ctx, touched, &mut out)?;
            }
            Ok(out)
        }
        Op::Set(items) => {
            for row in &rows {
                ctx.check()?;
                let mut row = row.clone();
                for item in items {
                    apply_set(item, &mut row, graph, ctx, touched)?;
                }
            }
            Ok(rows)
        }
        Op::Delete { exprs, detach } => {
            delete(exprs, *detach, &rows, graph, ctx, touched)?;
            Ok(rows)
        }
        other => unreachable!("write::apply: not an update: {other:?}"),
    }
}

fn eval(expr: &Expr, row: &mut Row, graph: &Graph, ctx: &Context) -> Result<Value> {
    Reader::new(graph, ctx).eval(expr, row)
}

/// Checks that a value can be stored as a property: no maps, no entities, and lists only
/// of storable scalars.
fn storable(value: &Value, span: Span) -> Result<()> {
    match value {
        Value::Map(_) | Value::Node(_) | Value::Rel(_) | Value::Path(_) => Err(type_error(
            format!("a property cannot hold {}", describe(value)),
            span,
        )),
        Value::List(items) => {
            for item in items {
                if matches!(item, Value::List(_)) || item.is_null() {
                    return Err(type_error(
                        "a property cannot hold a list of lists or nulls",
                        span,
                    ));
                }
                storable(item, span)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The properties in a map expression, checked for storability; nulls are dropped.
fn property_map(
    expr: &Expr,
    row: &mut Row,
    graph: &Graph,
    ctx: &Context,
) -> Result<BTreeMap<String, Value>> {
    match eval(expr, row, graph, ctx)? {
        Value::Map(m) => {
            for v in m.values() {
                storable(v, expr.span)?;
            }
            Ok(m.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        Value::Null => Ok(BTreeMap::new()),
        other => Err(type_error(
            format!("expected a map of properties, got {}", describe(&other)),
            expr.span,
        )),
    }
}

fn create(
    pattern: &CreatePattern,
    row: &mut Row,
    graph: &mut Graph,
    ctx: &Context,
    touched: &mut Touched,
) -> Result<()> {
    for node in &pattern.nodes {
        if node.existing || matches!(get(row, node.slot), Value::Node(_)) {
            if !matches!(get(row, node.slot), Value::Node(_)) {
                return Err(ExecError::InvalidUpdate {
                    message: "cannot create a relationship to a node that is null".into(),
                    span: Span::default(),
                });
            }
            continue;
        }
        let props = match &node.props {
            Some(p) => property_map(p, row, graph, ctx)?,
            None => BTreeMap::new(),
        };
        let labels = node.labels.iter().map(|l| graph.intern_label(l)).collect();
        let props = graph.props_from(props.iter().map(|(k, v)| (k.as_str(), v.clone())));
        let id = graph.add_node(labels, props);
        touched.nodes.insert(id);
        touched.created_nodes.insert(id);
        set(row, node.slot, Value::Node(id));
    }
    for rel in &pattern.rels {
        let (Value::Node(start), Value::Node(end)) =
            (get(row, rel.start).clone(), get(row, rel.end).clone())
        else {
            return Err(ExecError::InvalidUpdate {
                message: "cannot create a relationship to a node that is null".into(),
                span: Span::default(),
            });
        };
        let props = match &rel.props {
            Some(p) => property_map(p, row, graph, ctx)?,
            None => BTreeMap::new(),
        };
        let rel_type = graph.intern_type(&rel.rel_type);
        let props = graph.props_from(props.iter().map(|(k, v)| (k.as_str(), v.clone())));
        let id = graph.add_rel(start, end, rel_type, props);
        touched.rels.insert(id);
        touched.created_rels.insert(id);
        set(row, rel.slot, Value::Rel(id));
    }
    if let Some((slot, nodes, rels)) = &pattern.path {
        let path = Path {
            nodes: nodes.iter().filter_map(|s| as_node(get(row, *s))).collect(),
            rels: rels.iter().filter_map(|s| as_rel(get(row, *s))).collect(),
        };
        set(row, *slot, Value::Path(Box::new(path)));
    }
    Ok(())
}

fn as_node(v: &Value) -> Option<NodeId> {
    match v {
        Value::Node(n) => Some(*n),
        _ => None,
    }
}

fn as_rel(v: &Value) -> Option<RelId> {
    match v {
        Value::Rel(r) => Some(*r),
        _ => None,
    }
}

fn merge(
    plan: &MergePlan,
    mut row: Row,
    graph: &mut Graph,
    ctx: &Context,
    touched: &mut Touched,
    out: &mut Vec<Row>,
) -> Result<()> {
    let mut matches = Vec::new();
    Reader::new(graph, ctx).run(&plan.matcher.ops, vec![row.clone()], &mut |r| {
        matches.push(r);
        Ok(Flow::Continue)
    })?;
    if matches.is_empty() {
        check_merge_properties(&plan.create, &mut row, graph, ctx)?;
        create(&plan.create, &mut row, graph, ctx, touched)?;
        for item in &plan.on_create {
            apply_set(item, &mut row, graph, ctx, touched)?;
        }
        out.push(row);
        return Ok(());
    }
    for mut m in matches {
        for item in &plan.on_match {
            apply_set(item, &mut m, graph, ctx, touched)?;
        }
        out.push(m);
    }
    Ok(())
}

/// MERGE cannot create an element whose pattern property is null.
fn check_merge_properties(
    pattern: &CreatePattern,
    row: &mut Row,
    graph: &Graph,
    ctx: &Context,
) -> Result<()> {
    let maps = pattern
        .nodes
        .iter()
        .filter(|n| !n.existing)
        .filter_map(|n| n.props.as_ref())
        .chain(pattern.rels.iter().filter_map(|r| r.props.as_ref()));
    for map in maps {
        if let Value::Map(m) = eval(map, row, graph, ctx)?
            && let Some((key, _)) = m.iter().find(|(_, v)| v.is_null())
        {
            return Err(ExecError::MergeNullProperty {
                message: format!("cannot merge using a null value for property `{key}`"),
                span: map.span,
            });
        }
    }
    Ok(())
}

enum Target {
    Node(NodeId),
    Rel(RelId),
}

fn target(expr: &Expr, row: &mut Row, graph: &Graph, ctx: &Context) -> Result<Option<Target>> {
    match eval(expr, row, graph, ctx)? {
        Value::Node(n) => Ok(Some(Target::Node(n))),
        Value::Rel(r) => Ok(Some(Target::Rel(r))),
        Value::Null => Ok(None),
        other => Err(type_error(
            format!(
                "expected a node or relationship to update, got {}",
                describe(&other)
            ),
            expr.span,
        )),
    }
}

fn set_property(
    graph: &mut Graph,
    target: &Target,
    key: &str,
    value: Value,
    touched: &mut Touched,
) {
    let key = graph.intern_key(key);
    match target {
        Target::Node(n) => {
            touched.nodes.insert(*n);
            graph.set_node_property(*n, key, value);
        }
        Target::Rel(r) => {
            touched.rels.insert(*r);
            graph.set_rel_property(*r, key, value);
        }
    }
}

fn current_keys(graph: &Graph, target: &Target) -> Vec<String> {
    let props: Option<Cow<Props>> = match target {
        Target::Node(n) => graph.node(*n).map(|d| Cow::Owned(d.props)),
        Target::Rel(r) => graph.rel(*r).map(|d| Cow::Owned(d.props)),
    };
    props
        .map(|p| {
            p.iter()
                .map(|(k, _)| graph.key_name(k).to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The properties of a map, node or relationship value, for `SET n = x` / `SET n += x`.
fn properties_value(value: Value, graph: &Graph, span: Span) -> Result<BTreeMap<String, Value>> {
    let props: Option<Cow<Props>> = match &value {
        Value::Map(m) => {
            for v in m.values() {
                storable(v, span)?;
            }
            return Ok(m.clone());
        }
        Value::Node(n) => graph.node(*n).map(|d| Cow::Owned(d.props)),
        Value::Rel(r) => graph.rel(*r).map(|d| Cow::Owned(d.props)),
        Value::Null => return Ok(BTreeMap::new()),
        other => {
            return Err(type_error(
                format!("expected a map, got {}", describe(other)),
                span,
            ));
        }
    };
    Ok(props
        .map(|p| {
            p.iter()
                .map(|(k, v)| (graph.key_name(k).to_string(), v.clone()))
                .collect()
        })
        .unwrap_or_default())
}

fn apply_set(
    item: &SetOp,
    row: &mut Row,
    graph: &mut Graph,
    ctx: &Context,
    touched: &mut Touched,
) -> Result<()> {
    match item {
        SetOp::Property {
            target: t,
            key,
            value,
        } => {
            let Some(t) = target(t, row, graph, ctx)? else {
                return Ok(());
            };
            let value = eval(value, row, graph, ctx)?;
            storable(&value, item_span(item))?;
            set_property(graph, &t, key, value, touched);
        }
        SetOp::Replace { target: t, value } => {
            let Some(t) = target(t, row, graph, ctx)? else {
                return Ok(());
            };
            let new = properties_value(eval(value, row, graph, ctx)?, graph, value.span)?;
            for key in current_keys(graph, &t) {
                if !new.contains_key(&key) {
                    set_property(graph, &t, &key, Value::Null, touched);
                }
            }
            for (k, v) in new {
                set_property(graph, &t, &k, v, touched);
            }
        }
        SetOp::Merge { target: t, value } => {
            let Some(t) = target(t, row, graph, ctx)? else {
                return Ok(());
            };
            let new = properties_value(eval(value, row, graph, ctx)?, graph, value.span)?;
            for (k, v) in new {
                set_property(graph, &t, &k, v, touched);
            }
        }
        SetOp::AddLabels { target: t, labels } | SetOp::RemoveLabels { target: t, labels } => {
            let node = match target(t, row, graph, ctx)? {
                Some(Target::Node(n)) => n,
                Some(Target::Rel(_)) => return Err(type_error("only nodes have labels", t.span)),
                None => return Ok(()),
            };
            let adding = matches!(item, SetOp::AddLabels { .. });
            for label in labels {
                let symbol = graph.intern_label(label);
                touched.nodes.insert(node);
                if adding {
                    graph.add_label(node, symbol);
                } else {
                    graph.remove_label(node, symbol);
                }
            }
        }
    }
    Ok(())
}

fn item_span(item: &SetOp) -> Span {
    match item {
        SetOp::Property { value, .. }
        | SetOp::Replace { value, .. }
        | SetOp::Merge { value, .. } => value.span,
        SetOp::AddLabels { target, .. } | SetOp::RemoveLabels { target, .. } => target.span,
    }
}

/// Deletes every entity the expressions name across all rows: relationships first, then
/// nodes, so that `DELETE r, n` works without DETACH when `r` was `n`'s only relationship.
fn delete(
    exprs: &[Expr],
    detach: bool,
    rows: &[Row],
    graph: &mut Graph,
    ctx: &Context,
    touched: &mut Touched,
) -> Result<()> {
    let mut nodes = Vec::new();
    let mut rels = Vec::new();
    for row in rows {
        ctx.check()?;
        let mut row = row.clone();
        for expr in exprs {
            collect_deletions(
                eval(expr, &mut row, graph, ctx)?,
                expr.span,
                &mut nodes,
                &mut rels,
            )?;
        }
    }
    for rel in rels {
        remove_rel(graph, rel, ctx, touched);
    }
    for node in &nodes {
        if !detach
            && graph.contains_node(*node)
            && graph.degree(*node, crate::graph::Direction::Both) > 0
        {
            return Err(ExecError::DeleteConnectedNode);
        }
    }
    for node in nodes {
        ctx.check()?;
        if !graph.contains_node(node) {
            continue;
        }
        let attached: Vec<RelId> = graph
            .rels_of(node, crate::graph::Direction::Both)
            .map(|(r, _)| r)
            .collect();
        for rel in attached {
            remove_rel(graph, rel, ctx, touched);
        }
        touched.nodes.insert(node);
        touched.created_nodes.remove(&node);
        graph.remove_node(node);
    }
    Ok(())
}

/// Removes a relationship, remembering its type: `type(r)` still answers for a
/// relationship deleted earlier in the statement.
fn remove_rel(graph: &mut Graph, rel: RelId, ctx: &Context, touched: &mut Touched) {
    if let Some(data) = graph.remove_rel(rel) {
        ctx.deleted_rel_types
            .borrow_mut()
            .insert(rel, data.rel_type);
    }
    touched.rels.insert(rel);
    touched.created_rels.remove(&rel);
}

fn collect_deletions(
    value: Value,
    span: Span,
    nodes: &mut Vec<NodeId>,
    rels: &mut Vec<RelId>,
) -> Result<()> {
    match value {
        Value::Null => {}
        Value::Node(n) => nodes.push(n),
        Value::Rel(r) => rels.push(r),
        Value::Path(p) => {
            rels.extend(p.rels.iter().copied());
            nodes.extend(p.nodes.iter().copied());
        }
        Value::List(items) => {
            for item in items {
                collect_deletions(item, span, nodes, rels)?;
            }
        }
        other => {
            return Err(type_error(
                format!(
                    "DELETE expects a node, relationship or path, got {}",
                    describe(&other)
                ),
                span,
            ));
        }
    }
    Ok(())
}
