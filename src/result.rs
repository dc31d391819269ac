//! Result sets: the rows a statement returns, with a snapshot of every node and
//! relationship they mention, so formatters need no access to the graph (which a
//! later statement may change), and the statement's side-effect counters.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::graph::value::format_float;
use crate::graph::{Graph, NodeId, RelId, Value};

/// A node as it was when the result was made.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeSnapshot {
    pub labels: Vec<String>,
    pub props: BTreeMap<String, Value>,
}

/// A relationship as it was when the result was made.
#[derive(Clone, Debug, PartialEq)]
pub struct RelSnapshot {
    pub rel_type: String,
    pub start: NodeId,
    pub end: NodeId,
    pub props: BTreeMap<String, Value>,
}

/// Snapshots of the entities a result mentions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Entities {
    pub nodes: HashMap<NodeId, NodeSnapshot>,
    pub rels: HashMap<RelId, RelSnapshot>,
}

/// What a statement changed, counted as the openCypher TCK counts side effects.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub nodes_created: usize,
    pub nodes_deleted: usize,
    pub rels_created: usize,
    pub rels_deleted: usize,
    pub props_set: usize,
    pub props_removed: usize,
    pub labels_added: usize,
    pub labels_removed: usize,
}

impl Stats {
    pub fn is_empty(&self) -> bool {
        *self == Stats::default()
    }

    /// One line for the REPL and `--timing`, e.g. `1 node created, 2 properties set`.
    pub fn summary(&self) -> String {
        let parts = [
            (self.nodes_created, "node", "created"),
            (self.nodes_deleted, "node", "deleted"),
            (self.rels_created, "relationship", "created"),
            (self.rels_deleted, "relationship", "deleted"),
            (self.props_set, "property", "set"),
            (self.props_removed, "property", "removed"),
            (self.labels_added, "label", "added"),
            (self.labels_removed, "label", "removed"),
        ];
        parts
            .iter()
            .filter(|(n, _, _)| *n > 0)
            .map(|(n, what, verb)| {
                let what = match (*n, *what) {
                    (1, w) => w.to_string(),
                    (_, "property") => "properties".to_string(),
                    (_, w) => format!("{w}s"),
                };
                format!("{n} {what} {verb}")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The outcome of one statement.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResultSet {
    /// Column names, in order.
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub entities: Entities,
    pub stats: Stats,
    /// A message to show instead of a table (e.g. `COPY` reporting rows written).
    pub message: Option<String>,
    /// Matching steps the statement took (nodes scanned, relationships followed): a
    /// machine-independent measure of its work.
    pub steps: u64,
}

impl ResultSet {
    /// Builds a result, taking snapshots of the entities the rows mention.
    pub fn new(columns: Vec<String>, rows: Vec<Vec<Value>>, graph: &Graph) -> ResultSet {
        let mut entities = Entities::default();
        for row in &rows {
            for value in row {
                entities.collect(value, graph);
            }
        }
        ResultSet {
            columns,
            rows,
            entities,
            stats: Stats::default(),
            message: None,
            steps: 0,
        }
    }

    /// A value as text in Cypher literal style: strings bare at top level and quoted
    /// inside lists and maps; nodes `(:Label {k: v})`; relationships `[:TYPE {k: v}]`;
    /// paths `<(a)-[:T]->(b)>`; temporal values in ISO 8601.
    pub fn render(&self, value: &Value) -> String {
        match value {
            Value::String(s) => s.to_string(),
            Value::Null => String::new(),
            other => {
                let mut out = String::new();
                self.render_literal(other, &mut out);
                out
            }
        }
    }

    /// A value as a Cypher literal (strings quoted), as the TCK writes expected values.
    pub fn render_literal(&self, value: &Value, out: &mut String) {
        match value {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => out.push_str(&format_float(*f)),
            Value::String(s) => {
                out.push('\'');
                for c in s.chars() {
                    match c {
                        '\'' => out.push_str("\\'"),
                        '\\' => out.push_str("\\\\"),
                        c => out.push(c),
                    }
                }
                out.push('\'');
            }
            Value::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.render_literal(item, out);
                }
                out.push(']');
            }
            Value::Map(map) => self.render_map(map.iter().map(|(k, v)| (k.as_str(), v)), out),
            Value::Node(id) => self.render_node(*id, out),
            Value::Rel(id) => self.render_rel(*id, out),
            Value::Path(path) => {
                out.push('<');
                self.render_node(path.nodes[0], out);
                for (i, rel) in path.rels.iter().enumerate() {
                    let from = path.nodes[i];
                    let forward = self.entities.rels.get(rel).is_none_or(|r| r.start == from);
                    out.push_str(if forward { "-" } else { "<-" });
                    self.render_rel(*rel, out);
                    out.push_str(if forward { "->" } else { "-" });
                    self.render_node(path.nodes[i + 1], out);
                }
                out.push('>');
            }
            Value::Date(d) => {
                let _ = write!(out, "{}", d.format("%Y-%m-%d"));
            }
            Value::PartialDate(p) => {
                let _ = write!(out, "{p}");
            }
            Value::LocalTime(t) => out.push_str(&crate::temporal::format_time(t)),
            Value::Time(t, o) => {
                out.push_str(&crate::temporal::format_time(t));
                out.push_str(&crate::temporal::format_offset(o));
            }
            Value::LocalDateTime(d) => out.push_str(&crate::temporal::format_local_datetime(d)),
            Value::DateTime(d) => out.push_str(&crate::temporal::format_datetime(d)),
            Value::Duration(d) => {
                let _ = write!(out, "{d}");
            }
        }
    }

    fn render_map<'a>(
        &self,
        entries: impl Iterator<Item = (&'a str, &'a Value)>,
        out: &mut String,
    ) {
        out.push('{');
        for (i, (k, v)) in entries.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push_str(k);
            out.push_str(": ");
            self.render_literal(v, out);
        }
        out.push('}');
    }

    fn render_node(&self, id: NodeId, out: &mut String) {
        out.push('(');
        if let Some(node) = self.entities.nodes.get(&id) {
            for label in &node.labels {
                out.push(':');
                out.push_str(label);
            }
            if !node.props.is_empty() {
                if !node.labels.is_empty() {
                    out.push(' ');
                }
                self.render_map(node.props.iter().map(|(k, v)| (k.as_str(), v)), out);
            }
        }
        out.push(')');
    }

    fn render_rel(&self, id: RelId, out: &mut String) {
        out.push('[');
        if let Some(rel) = self.entities.rels.get(&id) {
            out.push(':');
            out.push_str(&rel.rel_type);
            if !rel.props.is_empty() {
                out.push(' ');
                self.render_map(rel.props.iter().map(|(k, v)| (k.as_str(), v)), out);
            }
        }
        out.push(']');
    }
}

impl Entities {
    /// Snapshots every node and relationship inside `value`.
    pub fn collect(&mut self, value: &Value, graph: &Graph) {
        match value {
            Value::Node(id) => self.add_node(*id, graph),
            Value::Rel(id) => self.add_rel(*id, graph),
            Value::Path(p) => {
                p.nodes.iter().for_each(|n| self.add_node(*n, graph));
                p.rels.iter().for_each(|r| self.add_rel(*r, graph));
            }
            Value::List(items) => items.iter().for_each(|v| self.collect(v, graph)),
            Value::Map(map) => map.values().for_each(|v| self.collect(v, graph)),
            _ => {}
        }
    }

    fn add_node(&mut self, id: NodeId, graph: &Graph) {
        if self.nodes.contains_key(&id) {
            return;
        }
        let Some(node) = graph.node(id) else { return };
        let snapshot = NodeSnapshot {
            labels: node
                .labels
                .iter()
                .map(|l| graph.label_name(*l).to_string())
                .collect(),
            props: node
                .props
                .iter()
                .map(|(k, v)| (graph.key_name(k).to_string(), v.clone()))
                .collect(),
        };
        self.nodes.insert(id, snapshot);
    }

    fn add_rel(&mut self, id: RelId, graph: &Graph) {
        if self.rels.contains_key(&id) {
            return;
        }
        let (Some(rel), Some((start, end))) = (graph.rel(id), graph.endpoints(id)) else {
            return;
        };
        let snapshot = RelSnapshot {
            rel_type: graph.type_name(rel.rel_type).to_string(),
            start,
            end,
            props: rel
                .props
                .iter()
                .map(|(k, v)| (graph.key_name(k).to_string(), v.clone()))
                .collect(),
        };
        self.rels.insert(id, snapshot);
        // Pictures of a relationship show its ends.
        self.add_node(start, graph);
        self.add_node(end, graph);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_summary_names_what_changed() {
        let stats = Stats {
            nodes_created: 1,
            props_set: 2,
            ..Stats::default()
        };
        assert_eq!(stats.summary(), "1 node created, 2 properties set");
    }

    #[test]
    fn render_quotes_strings_only_inside_collections() {
        let graph = Graph::new();
        let rs = ResultSet::new(vec![], vec![], &graph);
        assert_eq!(rs.render(&Value::str("it's")), "it's");
        let list = Value::List(vec![Value::str("it's"), Value::Int(1), Value::Null]);
        assert_eq!(rs.render(&list), "['it\\'s', 1, null]");
    }

    #[test]
    fn render_nodes_with_labels_and_properties() {
        let mut graph = Graph::new();
        let n = graph.add_node_named(&["Person"], vec![("name", Value::str("Kogan"))]);
        let rs = ResultSet::new(vec!["n".into()], vec![vec![Value::Node(n)]], &graph);
        assert_eq!(rs.render(&rs.rows[0][0]), "(:Person {name: 'Kogan'})");
    }
}
