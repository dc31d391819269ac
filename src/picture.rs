//! Pictures of results: the nodes, relationships and paths a result mentions, as a
//! Graphviz (DOT) or Mermaid graph. Nodes show their name and labels, coloured by label;
//! relationships show their type and key properties (mode, records, categories, dates,
//! money); a relationship whose `status` is `alleged` or `disputed` is dashed.
//! [`render_with_graphviz`] turns DOT into SVG or PNG through Graphviz's `dot`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::graph::value::format_float;
use crate::graph::{NodeId, RelId, Value};
use crate::result::{NodeSnapshot, RelSnapshot, ResultSet};

/// Fill colours for the case graph's labels; other labels get one from `PALETTE`.
const LABEL_COLOURS: &[(&str, &str)] = &[
    ("Person", "#fde68a"),
    ("Platform", "#93c5fd"),
    ("Company", "#bfdbfe"),
    ("PoliticalParty", "#fca5a5"),
    ("Campaign", "#fdba74"),
    ("Regulator", "#86efac"),
    ("NGO", "#a7f3d0"),
    ("Cryptocurrency", "#d8b4fe"),
    ("Website", "#c7d2fe"),
    ("Source", "#e5e7eb"),
];
const PALETTE: &[&str] = &[
    "#f9a8d4", "#fcd34d", "#6ee7b7", "#a5b4fc", "#fda4af", "#5eead4",
];

/// How to install Graphviz, for messages when `dot` is missing.
pub const GRAPHVIZ_INSTALL_HINT: &str = "install Graphviz: `apt-get install graphviz` (Debian, Ubuntu), \
     `dnf install graphviz` (Fedora), `brew install graphviz` (macOS), or see https://graphviz.org/download/";

/// The elements of a result that a picture shows.
struct Picture<'r> {
    nodes: BTreeMap<NodeId, Option<&'r NodeSnapshot>>,
    rels: BTreeMap<RelId, &'r RelSnapshot>,
}

impl<'r> Picture<'r> {
    fn of(result: &'r ResultSet) -> Picture<'r> {
        let mut ids = BTreeSet::new();
        let mut rel_ids = BTreeSet::new();
        for row in &result.rows {
            for value in row {
                collect(value, &mut ids, &mut rel_ids);
            }
        }
        let rels: BTreeMap<RelId, &RelSnapshot> = rel_ids
            .into_iter()
            .filter_map(|r| result.entities.rels.get(&r).map(|s| (r, s)))
            .collect();
        for rel in rels.values() {
            ids.insert(rel.start);
            ids.insert(rel.end);
        }
        let nodes = ids
            .into_iter()
            .map(|n| (n, result.entities.nodes.get(&n)))
            .collect();
        Picture { nodes, rels }
    }
}

fn collect(value: &Value, nodes: &mut BTreeSet<NodeId>, rels: &mut BTreeSet<RelId>) {
    match value {
        Value::Node(n) => {
            nodes.insert(*n);
        }
        Value::Rel(r) => {
            rels.insert(*r);
        }
        Value::Path(p) => {
            nodes.extend(p.nodes.iter().copied());
            rels.extend(p.rels.iter().copied());
        }
        Value::List(items) => items.iter().for_each(|v| collect(v, nodes, rels)),
        Value::Map(map) => map.values().for_each(|v| collect(v, nodes, rels)),
        _ => {}
    }
}

fn node_title(id: NodeId, node: Option<&NodeSnapshot>) -> String {
    let name = node.and_then(|n| {
        n.props
            .get("name")
            .or_else(|| n.props.get("title"))
            .or_else(|| n.props.get("id"))
    });
    match name {
        Some(Value::String(s)) => s.to_string(),
        Some(other) => plain(other),
        None => format!("#{}", id.0),
    }
}

fn colour(node: Option<&NodeSnapshot>) -> &'static str {
    let Some(node) = node else { return "#ffffff" };
    // The most specific label wins: Platform over Company.
    for (label, colour) in LABEL_COLOURS {
        if node.labels.iter().any(|l| l == label) {
            return colour;
        }
    }
    match node.labels.first() {
        Some(label) => PALETTE[label.bytes().map(usize::from).sum::<usize>() % PALETTE.len()],
        None => "#ffffff",
    }
}

/// A property value as short plain text.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Int(i) => grouped(*i),
        Value::Float(f) => format_float(*f),
        Value::List(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        other => ResultSet::default().render(other),
    }
}

/// `records_qualifier` and `amount_qualifier` as words before the number.
fn qualifier_words(qualifier: Option<&Value>) -> &'static str {
    match qualifier.and_then(Value::as_str) {
        Some("at_least") => "at least ",
        Some("at_most") => "at most ",
        Some("approx") => "about ",
        _ => "",
    }
}

/// The lines under a relationship's type: the properties a reader of a data flow needs.
fn rel_details(rel: &RelSnapshot) -> Vec<String> {
    let p = &rel.props;
    let mut lines = Vec::new();
    let mut first = Vec::new();
    for key in ["mode", "role"] {
        if let Some(v) = p.get(key) {
            first.push(plain(v));
        }
    }
    if let Some(records) = p.get("records") {
        let qualifier = qualifier_words(p.get("records_qualifier"));
        let noun = if matches!(records, Value::Int(1)) {
            "record"
        } else {
            "records"
        };
        first.push(format!("{qualifier}{} {noun}", plain(records)));
    }
    if !first.is_empty() {
        lines.push(first.join(", "));
    }
    if let Some(categories) = p.get("categories") {
        lines.push(format!("[{}]", plain(categories)));
    }
    if let Some(amount) = p.get("amount") {
        let currency = p.get("currency").map(plain).unwrap_or_default();
        let bound = qualifier_words(p.get("amount_qualifier"));
        lines.push(
            format!("{bound}{} {currency}", plain(amount))
                .trim()
                .to_string(),
        );
    }
    match (p.get("start_date"), p.get("end_date")) {
        // One period (`2017` to `2017`, both "before the election"): said once.
        (Some(s), Some(e)) if s == e => lines.push(plain(s)),
        (Some(s), Some(e)) => lines.push(format!("{} to {}", plain(s), plain(e))),
        (Some(s), None) => lines.push(format!("from {}", plain(s))),
        (None, Some(e)) => lines.push(format!("until {}", plain(e))),
        (None, None) => {}
    }
    if let Some(status) = p.get("status") {
        lines.push(format!("({})", plain(status)));
    }
    lines
}

/// `87000000` → `87,000,000`: counts of records are easier to read grouped.
fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn is_doubtful(rel: &RelSnapshot) -> bool {
    matches!(
        rel.props.get("status").and_then(Value::as_str),
        Some("alleged" | "disputed")
    )
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The result as a Graphviz digraph.
pub fn to_dot(result: &ResultSet) -> String {
    let picture = Picture::of(result);
    let mut out = String::new();
    out.push_str("digraph datatrail {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str(
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n",
    );
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    for (id, node) in &picture.nodes {
        let labels = node.map(|n| n.labels.join(":")).unwrap_or_default();
        let label = if labels.is_empty() {
            node_title(*id, *node)
        } else {
            format!("{}\n:{labels}", node_title(*id, *node))
        };
        let _ = writeln!(
            out,
            "  n{} [label=\"{}\", fillcolor=\"{}\"];",
            id.0,
            dot_escape(&label),
            colour(*node)
        );
    }
    for rel in picture.rels.values() {
        let mut lines = vec![rel.rel_type.clone()];
        lines.extend(rel_details(rel));
        let style = if is_doubtful(rel) {
            ", style=dashed"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  n{} -> n{} [label=\"{}\"{style}];",
            rel.start.0,
            rel.end.0,
            dot_escape(&lines.join("\n"))
        );
    }
    out.push_str("}\n");
    out
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('\n', "<br/>")
}

/// The result as a Mermaid flowchart.
pub fn to_mermaid(result: &ResultSet) -> String {
    let picture = Picture::of(result);
    let mut out = String::from("flowchart LR\n");
    let mut classes: BTreeMap<&'static str, Vec<u32>> = BTreeMap::new();
    for (id, node) in &picture.nodes {
        let labels = node.map(|n| n.labels.join(", ")).unwrap_or_default();
        let text = if labels.is_empty() {
            node_title(*id, *node)
        } else {
            format!("{}\n{labels}", node_title(*id, *node))
        };
        let _ = writeln!(out, "  n{}[\"{}\"]", id.0, mermaid_escape(&text));
        classes.entry(colour(*node)).or_default().push(id.0);
    }
    for rel in picture.rels.values() {
        let mut lines = vec![rel.rel_type.clone()];
        lines.extend(rel_details(rel));
        let arrow = if is_doubtful(rel) { "-.->" } else { "-->" };
        let _ = writeln!(
            out,
            "  n{} {arrow}|\"{}\"| n{}",
            rel.start.0,
            mermaid_escape(&lines.join("\n")),
            rel.end.0
        );
    }
    for (i, (fill, ids)) in classes.iter().enumerate() {
        let _ = writeln!(out, "  classDef c{i} fill:{fill},stroke:#555;");
        let list: Vec<String> = ids.iter().map(|n| format!("n{n}")).collect();
        let _ = writeln!(out, "  class {} c{i};", list.join(","));
    }
    out
}

/// Why a picture could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PictureError {
    #[error("Graphviz's `dot` command was not found; {GRAPHVIZ_INSTALL_HINT}")]
    GraphvizMissing,
    #[error("Graphviz's `dot` failed: {0}")]
    GraphvizFailed(String),
    #[error("cannot write {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Renders DOT text to `path` (`svg` or `png`, from its extension) with Graphviz's `dot`,
/// writing a temporary file beside it and renaming it into place.
///
/// # Errors
/// [`PictureError::GraphvizMissing`] when `dot` is not installed, or why it failed.
pub fn render_with_graphviz(dot: &str, path: &Path, format: &str) -> Result<(), PictureError> {
    let io = |source| PictureError::Io {
        path: path.display().to_string(),
        source,
    };
    let temp = crate::atomic::temp_file_beside(path).map_err(io)?;
    let child = Command::new("dot")
        .arg(format!("-T{format}"))
        .arg("-o")
        .arg(temp.path())
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(PictureError::GraphvizMissing);
        }
        Err(e) => return Err(io(e)),
    };
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(dot.as_bytes()).map_err(io)?;
    }
    let output = child.wait_with_output().map_err(io)?;
    if !output.status.success() {
        return Err(PictureError::GraphvizFailed(
            String::from_utf8_lossy(&output.stderr).trim().to_string(),
        ));
    }
    temp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Database;

    fn chain() -> ResultSet {
        let mut db = Database::new();
        db.execute(
            "CREATE (:Company:Platform {name: 'Facebook'})-[:DATA_FLOW {mode: 'harvested', records: 87000000, \
             records_qualifier: 'approx', status: 'reported'}]->(:Company {name: 'GSR'})\
             -[:DATA_FLOW {status: 'disputed'}]->(:Company {name: \"Say \\\"CA\\\"\"})",
        )
        .unwrap();
        db.execute("MATCH p = ({name: 'Facebook'})-[*]->() RETURN p")
            .unwrap()
            .pop()
            .unwrap()
    }

    #[test]
    fn dot_shows_names_labels_details_and_doubt() {
        let dot = to_dot(&chain());
        assert!(
            dot.contains("label=\"Facebook\\n:Company:Platform\", fillcolor=\"#93c5fd\""),
            "{dot}"
        );
        assert!(
            dot.contains("DATA_FLOW\\nharvested, about 87,000,000 records\\n(reported)"),
            "{dot}"
        );
        assert!(dot.contains("style=dashed"), "{dot}");
        assert!(dot.contains("Say \\\"CA\\\""), "{dot}");
    }

    #[test]
    fn mermaid_uses_dotted_arrows_for_doubtful_flows() {
        let mermaid = to_mermaid(&chain());
        assert!(mermaid.starts_with("flowchart LR\n"));
        assert!(
            mermaid.contains("-.->|\"DATA_FLOW<br/>(disputed)\"|"),
            "{mermaid}"
        );
        assert!(mermaid.contains("Say #quot;CA#quot;"), "{mermaid}");
    }
}
