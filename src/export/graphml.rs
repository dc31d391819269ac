//! GraphML (<http://graphml.graphdrawing.org/>), the graph format Gephi, yEd, Cytoscape
//! and networkx all read. Each property key is declared once with its type (`<key
//! attr.type="long">`); nodes carry their labels as `labels` (`:Person:Company`, as
//! Neo4j's export writes them) and relationships their type as `type`. Lists, maps and
//! dates are strings in the table's notation, since GraphML has no such types.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use super::ExportError;
use super::elements::{Elements, XmlType, keyed_values, labels_text, push_xml_text};
use crate::graph::Value;
use crate::result::ResultSet;

/// Writes the nodes and relationships of `result` as one GraphML document. A result
/// without columns writes nothing.
///
/// # Errors
/// [`ExportError::Io`] when the output fails.
pub fn write_graphml(result: &ResultSet, mut out: impl Write) -> Result<(), ExportError> {
    if result.columns.is_empty() {
        return Ok(());
    }
    out.write_all(to_graphml(result).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// The GraphML document for `result`.
pub fn to_graphml(result: &ResultSet) -> String {
    let elements = Elements::of(result);
    let node_keys = key_ids(elements.node_keys(), "n");
    let rel_keys = key_ids(elements.rel_keys(), "e");
    let mut out = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns ",
        "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n",
        "  <key id=\"labels\" for=\"node\" attr.name=\"labels\" attr.type=\"string\"/>\n",
        "  <key id=\"type\" for=\"edge\" attr.name=\"type\" attr.type=\"string\"/>\n",
    ));
    push_keys(&node_keys, "node", &mut out);
    push_keys(&rel_keys, "edge", &mut out);
    out.push_str("  <graph id=\"G\" edgedefault=\"directed\">\n");
    for (id, node) in &elements.nodes {
        let _ = writeln!(out, "    <node id=\"n{}\">", id.0);
        push_data("labels", &labels_text(node), &mut out);
        push_props(result, &node.props, &node_keys, &mut out);
        out.push_str("    </node>\n");
    }
    for (id, rel) in &elements.rels {
        let _ = writeln!(
            out,
            "    <edge id=\"e{}\" source=\"n{}\" target=\"n{}\">",
            id.0, rel.start.0, rel.end.0
        );
        push_data("type", &rel.rel_type, &mut out);
        push_props(result, &rel.props, &rel_keys, &mut out);
        out.push_str("    </edge>\n");
    }
    out.push_str("  </graph>\n</graphml>\n");
    out
}

/// Key ids are `n0`, `n1`, ... for node keys and `e0`, ... for edge keys: property names
/// may hold characters an id should not, and `labels` or `type` as a property name must
/// not clash with the keys above.
fn key_ids<'r>(
    keys: BTreeMap<&'r str, XmlType>,
    prefix: &str,
) -> BTreeMap<&'r str, (String, XmlType)> {
    keys.into_iter()
        .enumerate()
        .map(|(i, (name, kind))| (name, (format!("{prefix}{i}"), kind)))
        .collect()
}

fn push_keys(keys: &BTreeMap<&str, (String, XmlType)>, domain: &str, out: &mut String) {
    for (name, (id, kind)) in keys {
        let _ = write!(out, "  <key id=\"{id}\" for=\"{domain}\" attr.name=\"");
        push_xml_text(name, out);
        let _ = writeln!(out, "\" attr.type=\"{}\"/>", kind.name());
    }
}

fn push_props(
    result: &ResultSet,
    props: &BTreeMap<String, Value>,
    keys: &BTreeMap<&str, (String, XmlType)>,
    out: &mut String,
) {
    for (id, text) in keyed_values(result, props, keys) {
        push_data(id, &text, out);
    }
}

fn push_data(key: &str, text: &str, out: &mut String) {
    let _ = write!(out, "      <data key=\"{key}\">");
    push_xml_text(text, out);
    out.push_str("</data>\n");
}
