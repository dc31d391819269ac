//! `:schema`: what the graph holds, computed from the graph itself (there is no declared
//! schema): labels and relationship types with how many elements carry them, and every
//! property key with the types of the values found under it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::graph::{Graph, Props};

/// Where a property key was seen and with which value types.
#[derive(Default)]
struct KeyUse {
    types: BTreeSet<&'static str>,
    on_nodes: bool,
    on_rels: bool,
}

/// The schema as text, one aligned section each for labels, types and property keys.
pub fn describe(graph: &Graph) -> String {
    if graph.node_count() == 0 {
        return "the graph is empty\n".to_string();
    }
    let mut labels: Vec<(String, String)> = graph
        .label_counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(l, n)| (l.to_string(), n.to_string()))
        .collect();
    labels.sort();
    let mut types: Vec<(String, String)> = graph
        .type_counts()
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(t, n)| (t.to_string(), n.to_string()))
        .collect();
    types.sort();
    let keys: Vec<(String, String)> = key_uses(graph)
        .into_iter()
        .map(|(key, used)| {
            let on = match (used.on_nodes, used.on_rels) {
                (true, true) => "nodes, relationships",
                (true, false) => "nodes",
                _ => "relationships",
            };
            let types = used.types.into_iter().collect::<Vec<_>>().join(" | ");
            (key.to_string(), format!("{types} (on {on})"))
        })
        .collect();
    let mut out = String::new();
    section(&mut out, "Labels", &labels);
    section(&mut out, "Relationship types", &types);
    section(&mut out, "Property keys", &keys);
    out
}

fn key_uses(graph: &Graph) -> BTreeMap<&str, KeyUse> {
    let mut uses: BTreeMap<&str, KeyUse> = BTreeMap::new();
    let mut note = |props: &Props, node: bool| {
        for (key, value) in props.iter() {
            let used = uses.entry(graph.key_name(key)).or_default();
            used.types.insert(value.type_name());
            used.on_nodes |= node;
            used.on_rels |= !node;
        }
    };
    for id in graph.node_ids() {
        if let Some(node) = graph.node(id) {
            note(&node.props, true);
        }
    }
    for id in graph.rel_ids() {
        if let Some(rel) = graph.rel(id) {
            note(&rel.props, false);
        }
    }
    uses
}

fn section(out: &mut String, title: &str, rows: &[(String, String)]) {
    let _ = writeln!(out, "{title} ({}):", rows.len());
    let width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (k, v) in rows {
        let _ = writeln!(out, "  {k:width$}  {v}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Value;

    #[test]
    fn schema_lists_labels_types_and_key_types() {
        let mut graph = Graph::new();
        let kogan = graph.add_node_named(&["Person"], vec![("name", Value::str("Kogan"))]);
        let ca = graph.add_node_named(
            &["Company"],
            vec![("name", Value::str("Cambridge Analytica"))],
        );
        graph.add_node_named(&["Company"], vec![("name", Value::Int(7))]);
        let flow = graph.intern_type("DATA_FLOW");
        let props = graph.props_from([("records", Value::Int(87_000_000))]);
        graph.add_rel(kogan, ca, flow, props);
        assert_eq!(
            describe(&graph),
            "Labels (2):\n  Company  2\n  Person   1\n\
             Relationship types (1):\n  DATA_FLOW  1\n\
             Property keys (2):\n  name     Integer | String (on nodes)\n  \
             records  Integer (on relationships)\n"
        );
    }

    #[test]
    fn schema_of_an_empty_graph_says_so() {
        assert_eq!(describe(&Graph::new()), "the graph is empty\n");
    }
}
