//! Pattern matching: scans, single and variable-length expansions, shortest paths.
//! Scans and the node and relationship filters live here; single-hop expansion in
//! `expand.rs`, variable-length in `var_length.rs`, shortest paths in `shortest.rs`.

mod expand;
mod shortest;
mod var_length;

pub(super) use expand::NeighbourCache;

use std::collections::HashMap;

use crate::graph::{NodeId, Path, RelId, Symbol, Value};
use crate::plan::logical::{NodeFilter, NodeSource, PathStep, RelFilter, Slot, Uniqueness};

use super::{Flow, Reader, Result, Row, get, set};

pub(super) type Next<'n> = dyn FnMut(Row) -> Result<Flow> + 'n;

/// Maps keyed by node id hash with foldhash: SipHash's resistance to chosen keys buys
/// nothing for ids the graph handed out, and costs a third of a shortest-path search.
type NodeMap<V> = HashMap<NodeId, V, foldhash::fast::RandomState>;

impl Reader<'_> {
    pub(super) fn node_scan(
        &self,
        slot: Slot,
        source: &NodeSource,
        filter: &NodeFilter,
        row: Row,
        next: &mut Next,
    ) -> Result<Flow> {
        let mut emit = |node: NodeId, this: &Self| -> Result<Flow> {
            this.step()?;
            let mut r = row.clone();
            set(&mut r, slot, Value::Node(node));
            if this.node_matches(node, filter, &mut r)? {
                next(r)
            } else {
                Ok(Flow::Continue)
            }
        };
        match source {
            NodeSource::All => {
                for node in self.graph.node_ids() {
                    if emit(node, self)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
            }
            NodeSource::Label(label) => {
                let Some(symbol) = label.resolve(self.graph) else {
                    return Ok(Flow::Continue);
                };
                for node in self.graph.nodes_with_label(symbol) {
                    if emit(node, self)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
            }
            NodeSource::Name(expr) => {
                let name = self.eval(expr, &mut row.clone())?;
                let Value::String(name) = name else {
                    return Ok(Flow::Continue);
                };
                for node in self.graph.nodes_named(&name).to_vec() {
                    if emit(node, self)? == Flow::Stop {
                        return Ok(Flow::Stop);
                    }
                }
            }
        }
        Ok(Flow::Continue)
    }

    /// Whether `node` has the filter's labels and properties; `row` is the row being
    /// built, for property values that refer to other variables.
    pub(super) fn node_matches(
        &self,
        node: NodeId,
        filter: &NodeFilter,
        row: &mut Row,
    ) -> Result<bool> {
        for label in &filter.labels {
            match label.resolve(self.graph) {
                Some(symbol) if self.graph.has_label(node, symbol) => {}
                _ => return Ok(false),
            }
        }
        for (key, expr) in &filter.props {
            let expected = self.eval(expr, row)?;
            let actual = key
                .resolve(self.graph)
                .and_then(|k| self.graph.node_property(node, k));
            if !property_equals(actual, &expected) {
                return Ok(false);
            }
        }
        if let Some(map) = &filter.prop_map {
            return self.map_matches(map, row, |k| self.graph.node_property(node, k));
        }
        Ok(true)
    }

    fn map_matches<'v>(
        &self,
        map: &crate::plan::logical::Expr,
        row: &mut Row,
        lookup: impl Fn(crate::graph::Symbol) -> Option<&'v Value>,
    ) -> Result<bool> {
        match self.eval(map, row)? {
            Value::Map(entries) => {
                for (key, expected) in &entries {
                    let actual = self.graph.key_symbol(key).and_then(&lookup);
                    if !property_equals(actual, expected) {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Value::Null => Ok(false),
            other => Err(super::ExecError::TypeMismatch {
                message: format!(
                    "expected a map of properties, got {}",
                    super::expr::describe(&other)
                ),
                span: map.span,
            }),
        }
    }

    /// Whether relationship `rel` has one of the filter's types, its properties, and
    /// passes its inline predicate.
    fn rel_matches(&self, rel: RelId, filter: &RelFilter, row: &mut Row) -> Result<bool> {
        if !filter.types.is_empty() {
            let Some(rel_type) = self.graph.rel_type(rel) else {
                return Ok(false);
            };
            if !filter
                .types
                .iter()
                .any(|t| t.resolve(self.graph) == Some(rel_type))
            {
                return Ok(false);
            }
        }
        self.rel_passes(rel, filter, row)
    }

    /// [`Self::rel_matches`] without the type test, for relationships that came from
    /// adjacency already filtered by type.
    pub(super) fn rel_passes(&self, rel: RelId, filter: &RelFilter, row: &mut Row) -> Result<bool> {
        for (key, expr) in &filter.props {
            let expected = self.eval(expr, row)?;
            let actual = key
                .resolve(self.graph)
                .and_then(|k| self.graph.rel_property(rel, k));
            if !property_equals(actual, &expected) {
                return Ok(false);
            }
        }
        if let Some(map) = &filter.prop_map
            && !self.map_matches(map, row, |k| self.graph.rel_property(rel, k))?
        {
            return Ok(false);
        }
        for (hop, predicate) in &filter.predicates {
            set(row, *hop, Value::Rel(rel));
            if !matches!(self.eval(predicate, row)?, Value::Bool(true)) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The type symbols a relationship may have, for [`Graph::rels_of_types`] (empty:
    /// any type); `None` when the filter names only types the graph has never seen, so
    /// that nothing can match.
    ///
    /// [`Graph::rels_of_types`]: crate::graph::Graph::rels_of_types
    pub(super) fn type_symbols(&self, filter: &RelFilter) -> Option<Vec<Symbol>> {
        let symbols: Vec<Symbol> = filter
            .types
            .iter()
            .filter_map(|t| t.resolve(self.graph))
            .collect();
        (symbols.is_empty() == filter.types.is_empty()).then_some(symbols)
    }

    /// Whether `rel` is already used by the row's earlier relationships in this MATCH.
    fn already_used(&self, rel: RelId, unique: &Uniqueness, row: &Row) -> bool {
        unique
            .singles
            .iter()
            .any(|s| matches!(get(row, *s), Value::Rel(r) if *r == rel))
            || unique.lists.iter().any(|s| match get(row, *s) {
                Value::List(items) => items
                    .iter()
                    .any(|v| matches!(v, Value::Rel(r) if *r == rel)),
                _ => false,
            })
    }

    /// Assembles a named path from the row's nodes and relationships.
    pub(super) fn build_path(&self, row: &Row, start: Slot, steps: &[PathStep]) -> Value {
        let Value::Node(mut at) = *get(row, start) else {
            return Value::Null;
        };
        let mut path = Path {
            nodes: vec![at],
            rels: Vec::new(),
        };
        let step = |rel: RelId, path: &mut Path, at: &mut NodeId| -> bool {
            let Some((s, e)) = self.graph.endpoints(rel) else {
                return false;
            };
            *at = if s == *at { e } else { s };
            path.rels.push(rel);
            path.nodes.push(*at);
            true
        };
        for s in steps {
            match s {
                PathStep::Single(slot) => match get(row, *slot) {
                    Value::Rel(r) => {
                        if !step(*r, &mut path, &mut at) {
                            return Value::Null;
                        }
                    }
                    _ => return Value::Null,
                },
                PathStep::Var(slot) => match get(row, *slot) {
                    Value::List(items) => {
                        for item in items {
                            let Value::Rel(r) = item else {
                                return Value::Null;
                            };
                            if !step(*r, &mut path, &mut at) {
                                return Value::Null;
                            }
                        }
                    }
                    _ => return Value::Null,
                },
            }
        }
        Value::Path(Box::new(path))
    }
}

/// Property equality for pattern maps: a missing property never matches, and nor does null.
fn property_equals(actual: Option<&Value>, expected: &Value) -> bool {
    match actual {
        Some(actual) => actual.cypher_eq(expected) == Some(true),
        None => false,
    }
}
