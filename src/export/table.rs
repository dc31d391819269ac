//! The table a person reads at a terminal: aligned columns (numbers right-aligned), then
//! `N rows (t s)` and what the statement changed.
//!
//! Given a width (the terminal's, or `:width N`), a table fits it: comfy-table shares the
//! width among the columns and wraps long cells, and a cell still taller than
//! [`MAX_CELL_LINES`] lines ends with `…`. Nodes and relationships print compactly in
//! tables: a node as its labels and name (`(:Person {name: 'Aleksandr Kogan', …})`), a
//! relationship as its type and the few properties that say what it is (mode, records,
//! amount, dates), `…` standing for the rest. CSV and JSON keep every property.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use comfy_table::{CellAlignment, ContentArrangement, Row, Table, presets};

use super::ExportError;
use crate::graph::{NodeId, RelId, Value};
use crate::result::ResultSet;

/// The most lines a wrapped cell takes before it is cut with `…`.
pub const MAX_CELL_LINES: usize = 4;

/// The narrowest width a table is fitted to; narrower asks make no readable table.
pub const MIN_WIDTH: u16 = 20;

/// Properties that name a node, in order of preference.
const NAME_KEYS: [&str; 3] = ["name", "title", "id"];

/// Properties that say what a relationship is, shown in this order when present.
const REL_KEYS: [&str; 9] = [
    "mode",
    "role",
    "records",
    "amount",
    "currency",
    "share",
    "start_date",
    "end_date",
    "status",
];

/// The width of the terminal standard output is, if it is one and reports a usable
/// width (a pseudo-terminal may report 0).
pub fn terminal_width() -> Option<u16> {
    let table = Table::new();
    if !table.is_tty() {
        return None;
    }
    table.width().filter(|w| *w >= MIN_WIDTH)
}

/// Writes the result as a table without a width limit ([`write_table_to_width`]).
///
/// # Errors
/// [`ExportError::Io`] when the output fails.
pub fn write_table(
    result: &ResultSet,
    out: impl Write,
    elapsed: Option<Duration>,
) -> Result<(), ExportError> {
    write_table_to_width(result, out, elapsed, None)
}

/// Writes the result as an aligned table, fitted to `width` columns if given, followed by
/// `N rows (t s)` and, if the statement changed the graph, a summary of the changes. A
/// result without columns writes its message (if any) and the summary (`no changes` if
/// nothing changed).
///
/// # Errors
/// [`ExportError::Io`] when the output fails.
pub fn write_table_to_width(
    result: &ResultSet,
    mut out: impl Write,
    elapsed: Option<Duration>,
    width: Option<u16>,
) -> Result<(), ExportError> {
    let time = elapsed.map_or(String::new(), |d| format!(" ({:.3} s)", d.as_secs_f64()));
    if !result.columns.is_empty() {
        writeln!(out, "{}", build_table(result, width))?;
        let n = result.rows.len();
        writeln!(out, "{n} {}{time}", if n == 1 { "row" } else { "rows" })?;
        if !result.stats.is_empty() {
            writeln!(out, "{}", result.stats.summary())?;
        }
    } else {
        if let Some(message) = &result.message {
            writeln!(out, "{message}")?;
        }
        if !result.stats.is_empty() {
            writeln!(out, "{}{time}", result.stats.summary())?;
        } else if result.message.is_none() {
            writeln!(out, "no changes{time}")?;
        }
    }
    out.flush()?;
    Ok(())
}

fn build_table(result: &ResultSet, width: Option<u16>) -> Table {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners());
    // The width is the caller's to give: never guessed from whatever stdout is.
    table.force_no_tty();
    if let Some(width) = width {
        table
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(width.max(MIN_WIDTH));
    }
    table.set_header(result.columns.clone());
    for values in &result.rows {
        let mut row = Row::from(values.iter().map(|v| cell(result, v)).collect::<Vec<_>>());
        if width.is_some() {
            row.max_height(MAX_CELL_LINES);
        }
        table.add_row(row);
    }
    for i in 0..result.columns.len() {
        if is_numeric_column(result, i)
            && let Some(column) = table.column_mut(i)
        {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

fn is_numeric_column(result: &ResultSet, i: usize) -> bool {
    let mut any = false;
    for row in &result.rows {
        match row.get(i) {
            Some(Value::Int(_) | Value::Float(_)) => any = true,
            Some(Value::Null) | None => {}
            Some(_) => return false,
        }
    }
    any
}

/// A value as a table cell: as [`ResultSet::render`] writes it, but with nodes,
/// relationships and paths (also inside lists and maps) in their compact form.
pub fn cell(result: &ResultSet, value: &Value) -> String {
    if !holds_elements(value) {
        return result.render(value);
    }
    let mut out = String::new();
    push_compact(result, value, &mut out);
    out
}

fn holds_elements(value: &Value) -> bool {
    match value {
        Value::Node(_) | Value::Rel(_) | Value::Path(_) => true,
        Value::List(items) => items.iter().any(holds_elements),
        Value::Map(map) => map.values().any(holds_elements),
        _ => false,
    }
}

fn push_compact(result: &ResultSet, value: &Value, out: &mut String) {
    match value {
        Value::Node(id) => push_node(result, *id, out),
        Value::Rel(id) => push_rel(result, *id, out),
        Value::Path(path) => {
            out.push('<');
            for (i, node) in path.nodes.iter().enumerate() {
                if i > 0 {
                    let rel = path.rels[i - 1];
                    let forward = result
                        .entities
                        .rels
                        .get(&rel)
                        .is_none_or(|r| r.start == path.nodes[i - 1]);
                    out.push_str(if forward { "-" } else { "<-" });
                    push_rel(result, rel, out);
                    out.push_str(if forward { "->" } else { "-" });
                }
                push_node(result, *node, out);
            }
            out.push('>');
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_compact(result, item, out);
            }
            out.push(']');
        }
        Value::Map(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push_str(": ");
                push_compact(result, item, out);
            }
            out.push('}');
        }
        other => result.render_literal(other, out),
    }
}

fn push_node(result: &ResultSet, id: NodeId, out: &mut String) {
    out.push('(');
    let Some(node) = result.entities.nodes.get(&id) else {
        out.push_str(&format!("#{}", id.0));
        out.push(')');
        return;
    };
    for label in &node.labels {
        out.push(':');
        out.push_str(label);
    }
    let name = NAME_KEYS.iter().find(|k| node.props.contains_key(**k));
    push_props(result, &node.props, name.into_iter().copied(), out);
    out.push(')');
}

fn push_rel(result: &ResultSet, id: RelId, out: &mut String) {
    out.push_str("[:");
    match result.entities.rels.get(&id) {
        Some(rel) => {
            out.push_str(&rel.rel_type);
            push_props(result, &rel.props, REL_KEYS.into_iter(), out);
        }
        None => out.push_str(&format!("#{}", id.0)),
    }
    out.push(']');
}

/// ` {key: value, …}` with the `shown` keys the element has, `…` if it has others.
fn push_props<'k>(
    result: &ResultSet,
    props: &BTreeMap<String, Value>,
    shown: impl Iterator<Item = &'k str>,
    out: &mut String,
) {
    let mut count = 0;
    for key in shown {
        let Some(value) = props.get(key).filter(|v| !matches!(v, Value::Null)) else {
            continue;
        };
        out.push_str(if count == 0 { " {" } else { ", " });
        out.push_str(key);
        out.push_str(": ");
        result.render_literal(value, out);
        count += 1;
    }
    let hidden = props.len() > count;
    match (count, hidden) {
        (0, false) => {}
        (0, true) => out.push_str(" {…}"),
        (_, true) => out.push_str(", …}"),
        (_, false) => out.push('}'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Graph;

    const DESCRIPTION: &str = "London-based British political consulting and data analytics \
        firm that profiled people to influence their views in political campaigns. Filed for \
        bankruptcy in May 2018 and said it had ceased all operations.";

    fn case() -> ResultSet {
        let mut graph = Graph::new();
        let ca = graph.add_node_named(
            &["Company"],
            vec![
                ("id", Value::str("cambridge_analytica")),
                ("name", Value::str("Cambridge Analytica")),
                ("description", Value::str(DESCRIPTION)),
            ],
        );
        let facebook = graph.add_node_named(
            &["Company", "Platform"],
            vec![("name", Value::str("Facebook"))],
        );
        let flow = graph.intern_type("DATA_FLOW");
        let props = graph.props_from([
            ("mode", Value::str("harvested")),
            ("records", Value::Int(87_000_000)),
            ("notes", Value::str("a long note nobody needs in a table")),
        ]);
        let rel = graph.add_rel(facebook, ca, flow, props);
        let rows = vec![vec![
            Value::Node(ca),
            Value::Rel(rel),
            Value::str(DESCRIPTION),
            Value::Int(87_000_000),
        ]];
        let columns = ["n", "r", "description", "records"]
            .map(String::from)
            .to_vec();
        ResultSet::new(columns, rows, &graph)
    }

    fn table(result: &ResultSet, width: Option<u16>) -> String {
        let mut out = Vec::new();
        write_table_to_width(result, &mut out, None, width).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn table_fits_the_width_and_cuts_tall_cells() {
        let text = table(&case(), Some(60));
        for line in text.lines() {
            assert!(line.chars().count() <= 60, "{line}");
        }
        assert!(text.contains('…'));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn table_without_a_width_keeps_cells_whole() {
        let text = table(&case(), None);
        assert!(text.contains(DESCRIPTION));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn table_is_never_narrower_than_the_minimum() {
        let text = table(&case(), Some(3));
        let widest = text.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(widest >= usize::from(MIN_WIDTH), "{text}");
    }

    #[test]
    fn nodes_and_relationships_print_compactly() {
        let result = case();
        let row = &result.rows[0];
        assert_eq!(
            cell(&result, &row[0]),
            "(:Company {name: 'Cambridge Analytica', …})"
        );
        assert_eq!(
            cell(&result, &row[1]),
            "[:DATA_FLOW {mode: 'harvested', records: 87000000, …}]"
        );
        let list = Value::List(vec![row[0].clone(), Value::str("x")]);
        assert_eq!(
            cell(&result, &list),
            "[(:Company {name: 'Cambridge Analytica', …}), 'x']"
        );
        assert_eq!(cell(&result, &row[2]), DESCRIPTION);
    }
}
