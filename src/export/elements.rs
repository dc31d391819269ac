//! The graph a result describes, for the formats that write graphs rather than rows
//! (GraphML, GEXF, FollowTheMoney): every node and relationship the rows mention, the
//! ends of those relationships, and the type each property key takes in XML formats.

use std::collections::{BTreeMap, BTreeSet};

use crate::graph::{NodeId, RelId, Value};
use crate::result::{NodeSnapshot, RelSnapshot, ResultSet};

/// The nodes and relationships of a result, in id order.
pub struct Elements<'r> {
    pub nodes: BTreeMap<NodeId, &'r NodeSnapshot>,
    pub rels: BTreeMap<RelId, &'r RelSnapshot>,
}

impl<'r> Elements<'r> {
    /// Collects every node, relationship and path in the rows, inside lists and maps
    /// too, with both ends of each relationship. Elements the statement deleted (no
    /// snapshot) are left out, and so is a relationship whose end is gone.
    pub fn of(result: &'r ResultSet) -> Elements<'r> {
        let (mut node_ids, mut rel_ids) = (BTreeSet::new(), BTreeSet::new());
        for value in result.rows.iter().flatten() {
            collect(value, &mut node_ids, &mut rel_ids);
        }
        let mut rels = BTreeMap::new();
        for id in rel_ids {
            if let Some(rel) = result.entities.rels.get(&id) {
                node_ids.insert(rel.start);
                node_ids.insert(rel.end);
                rels.insert(id, rel);
            }
        }
        let nodes: BTreeMap<NodeId, &NodeSnapshot> = node_ids
            .into_iter()
            .filter_map(|id| result.entities.nodes.get(&id).map(|n| (id, n)))
            .collect();
        rels.retain(|_, rel| nodes.contains_key(&rel.start) && nodes.contains_key(&rel.end));
        Elements { nodes, rels }
    }

    /// The property keys of the nodes, with their XML type.
    pub fn node_keys(&self) -> BTreeMap<&'r str, XmlType> {
        key_types(self.nodes.values().flat_map(|n| &n.props))
    }

    /// The property keys of the relationships, with their XML type.
    pub fn rel_keys(&self) -> BTreeMap<&'r str, XmlType> {
        key_types(self.rels.values().flat_map(|r| &r.props))
    }
}

fn collect(value: &Value, nodes: &mut BTreeSet<NodeId>, rels: &mut BTreeSet<RelId>) {
    match value {
        Value::Node(id) => {
            nodes.insert(*id);
        }
        Value::Rel(id) => {
            rels.insert(*id);
        }
        Value::Path(path) => {
            nodes.extend(path.nodes.iter().copied());
            rels.extend(path.rels.iter().copied());
        }
        Value::List(items) => items.iter().for_each(|v| collect(v, nodes, rels)),
        Value::Map(map) => map.values().for_each(|v| collect(v, nodes, rels)),
        _ => {}
    }
}

/// The type of a property key in GraphML and GEXF: the narrowest type every value of
/// the key fits. Integers and floats together are doubles; anything else (text, lists,
/// dates, a mix) is a string holding the value as the table prints it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum XmlType {
    Boolean,
    Long,
    Double,
    String,
}

impl XmlType {
    /// The type's name in GraphML's `attr.type` and GEXF's `type`, which agree.
    pub fn name(self) -> &'static str {
        match self {
            XmlType::Boolean => "boolean",
            XmlType::Long => "long",
            XmlType::Double => "double",
            XmlType::String => "string",
        }
    }

    fn of(value: &Value) -> XmlType {
        match value {
            Value::Bool(_) => XmlType::Boolean,
            Value::Int(_) => XmlType::Long,
            Value::Float(_) => XmlType::Double,
            _ => XmlType::String,
        }
    }

    fn join(self, other: XmlType) -> XmlType {
        use XmlType::{Double, Long};
        match (self, other) {
            (a, b) if a == b => a,
            (Long, Double) | (Double, Long) => Double,
            _ => XmlType::String,
        }
    }
}

fn key_types<'r>(
    props: impl Iterator<Item = (&'r String, &'r Value)>,
) -> BTreeMap<&'r str, XmlType> {
    let mut keys: BTreeMap<&str, XmlType> = BTreeMap::new();
    for (key, value) in props {
        if matches!(value, Value::Null) {
            continue;
        }
        let kind = XmlType::of(value);
        keys.entry(key.as_str())
            .and_modify(|t| *t = t.join(kind))
            .or_insert(kind);
    }
    keys
}

/// Each property of `props` that has a declared key and is not null, as the key's id and
/// the value's XML text (GraphML's `<data>`, GEXF's `<attvalue>`).
pub fn keyed_values<'a>(
    result: &'a ResultSet,
    props: &'a std::collections::BTreeMap<String, Value>,
    keys: &'a std::collections::BTreeMap<&str, (String, XmlType)>,
) -> impl Iterator<Item = (&'a str, String)> + 'a {
    props.iter().filter_map(move |(name, value)| {
        let (id, kind) = keys.get(name.as_str())?;
        (!matches!(value, Value::Null)).then(|| (id.as_str(), xml_value(result, value, *kind)))
    })
}

/// A property value as the text of an XML attribute or element of type `kind`: XML
/// Schema's lexical forms for numbers (`INF`, `-INF`, `NaN`), the table's rendering
/// for strings.
pub fn xml_value(result: &ResultSet, value: &Value, kind: XmlType) -> String {
    match (value, kind) {
        (Value::Int(i), XmlType::Double) => format!("{}", *i as f64),
        (Value::Float(f), _) if f.is_nan() => "NaN".into(),
        (Value::Float(f), _) if f.is_infinite() => if *f > 0.0 { "INF" } else { "-INF" }.into(),
        (Value::Float(f), _) => format!("{f:?}"),
        _ => result.render(value),
    }
}

/// The node's labels as one string, `:Person:Company`, as Neo4j's GraphML export writes them.
pub fn labels_text(node: &NodeSnapshot) -> String {
    node.labels.iter().map(|l| format!(":{l}")).collect()
}

/// What to call a node in a picture: its `name`, `title` or `id` property, else `#id`.
pub fn node_caption(result: &ResultSet, id: NodeId, node: &NodeSnapshot) -> String {
    ["name", "title", "id"]
        .iter()
        .find_map(|k| node.props.get(*k).filter(|v| !matches!(v, Value::Null)))
        .map_or_else(|| format!("#{}", id.0), |v| first_text(result, v))
}

/// A value's text, taking the first element of a list (FollowTheMoney's multi-valued
/// names).
fn first_text(result: &ResultSet, value: &Value) -> String {
    match value {
        Value::List(items) if !items.is_empty() => first_text(result, &items[0]),
        other => result.render(other),
    }
}

/// Escapes text for an XML attribute or element. Characters XML 1.0 cannot hold at all
/// (control characters other than tab and line ends) become U+FFFD, so the document
/// stays well-formed whatever the graph holds.
pub fn push_xml_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Line ends in attributes would be normalised to spaces by a reader.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// [`push_xml_text`] into a new string.
#[cfg(test)]
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_xml_text(text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_types_widen_to_the_type_every_value_fits() {
        let (a, b, c) = ("a".to_string(), "b".to_string(), "c".to_string());
        let props = [
            (&a, &Value::Int(1)),
            (&a, &Value::Float(0.5)),
            (&b, &Value::Bool(true)),
            (&b, &Value::Int(1)),
            (&c, &Value::Null),
            (&c, &Value::Int(3)),
        ];
        let types = key_types(props.into_iter());
        assert_eq!(types["a"], XmlType::Double);
        assert_eq!(types["b"], XmlType::String);
        assert_eq!(types["c"], XmlType::Long);
    }

    #[test]
    fn xml_text_escapes_markup_and_drops_control_characters() {
        assert_eq!(
            xml_text("a<b>&\"c'\n\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;\u{FFFD}"
        );
    }

    #[test]
    fn xml_value_uses_xml_schema_forms_for_floats() {
        let result = ResultSet::default();
        assert_eq!(
            xml_value(&result, &Value::Float(f64::INFINITY), XmlType::Double),
            "INF"
        );
        assert_eq!(
            xml_value(&result, &Value::Float(f64::NAN), XmlType::Double),
            "NaN"
        );
        assert_eq!(
            xml_value(&result, &Value::Float(2.0), XmlType::Double),
            "2.0"
        );
        assert_eq!(xml_value(&result, &Value::Int(2), XmlType::Double), "2");
    }
}
