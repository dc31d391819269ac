//! Comparing a [`ResultSet`] with an expected TCK table. Both sides are turned into
//! canonical keys, strings in which two values are equal exactly when the TCK says they
//! are: nodes and relationships by labels/type and properties (no identity), map keys in
//! any order, `1` apart from `1.0`, floats bit for bit (all NaNs alike), and, in the
//! `ignoring element order for lists` variants, list elements sorted. Temporal values are
//! compared with the TCK's string form of them (`'2015-07-21'`).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use datatrail::{ResultSet, Value};

use crate::values::Expected;

/// How a table is compared.
#[derive(Copy, Clone, Debug)]
pub struct Mode {
    pub in_order: bool,
    pub unordered_lists: bool,
}

/// Why a result does not match; `summary` is one line, `detail` is for verbose output.
#[derive(Debug)]
pub struct Mismatch {
    pub summary: String,
    pub detail: String,
}

/// Compares `rs` with `table` (header row first, values in TCK syntax).
///
/// # Errors
/// A [`Mismatch`] describing the first difference: columns, then rows.
pub fn check_table(rs: &ResultSet, table: &[Vec<String>], mode: Mode) -> Result<(), Mismatch> {
    let (header, expected_rows) = table
        .split_first()
        .map_or((&[][..], &[][..]), |(h, r)| (&h[..], r));
    if rs.columns != header {
        return Err(Mismatch {
            summary: format!("columns {:?}, expected {:?}", rs.columns, header),
            detail: format!(
                "expected columns {header:?}\ngot columns      {:?}",
                rs.columns
            ),
        });
    }
    let mut expected = Vec::with_capacity(expected_rows.len());
    for row in expected_rows {
        let keys = row
            .iter()
            .map(|cell| Expected::parse(cell).map(|e| expected_key(&e, mode.unordered_lists)))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Mismatch {
                summary: format!("runner cannot read expected value: {e}"),
                detail: e.clone(),
            })?;
        expected.push(keys);
    }
    let actual: Vec<Vec<String>> = rs
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| actual_key(v, rs, mode.unordered_lists))
                .collect()
        })
        .collect();
    let same = if mode.in_order {
        expected == actual
    } else {
        sorted(&expected) == sorted(&actual)
    };
    if same {
        return Ok(());
    }
    Err(Mismatch {
        summary: row_summary(&expected, &actual, mode.in_order),
        detail: format!(
            "expected{}:\n{}got:\n{}",
            if mode.in_order { " (in order)" } else { "" },
            show_rows(table.iter().map(|r| r.to_vec())),
            show_rows(
                std::iter::once(rs.columns.clone()).chain(
                    rs.rows
                        .iter()
                        .map(|r| r.iter().map(|v| literal(rs, v)).collect())
                )
            ),
        ),
    })
}

fn sorted(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut rows = rows.to_vec();
    rows.sort();
    rows
}

/// One line naming the first rows that differ (or the order, when the sets agree).
fn row_summary(expected: &[Vec<String>], actual: &[Vec<String>], in_order: bool) -> String {
    let mut counts: BTreeMap<&Vec<String>, i64> = BTreeMap::new();
    for row in expected {
        *counts.entry(row).or_default() += 1;
    }
    for row in actual {
        *counts.entry(row).or_default() -= 1;
    }
    let missing: Vec<_> = counts
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(r, _)| r)
        .collect();
    let extra: Vec<_> = counts
        .iter()
        .filter(|(_, n)| **n < 0)
        .map(|(r, _)| r)
        .collect();
    if missing.is_empty() && extra.is_empty() && in_order {
        return format!("rows in the wrong order ({} rows)", actual.len());
    }
    let mut out = format!("{} rows, expected {}", actual.len(), expected.len());
    if let Some(row) = missing.first() {
        let _ = write!(out, "; missing {}", row.join(" | "));
    }
    if let Some(row) = extra.first() {
        let _ = write!(out, "; unexpected {}", row.join(" | "));
    }
    truncate(out, 300)
}

/// Cuts `s` to at most `max` characters, marking the cut.
pub fn truncate(mut s: String, max: usize) -> String {
    if let Some((i, _)) = s.char_indices().nth(max) {
        s.truncate(i);
        s.push('…');
    }
    s
}

fn show_rows(rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut out = String::new();
    for row in rows {
        let _ = writeln!(out, "  | {} |", row.join(" | "));
    }
    out
}

/// A value as a Cypher literal, for messages (a path without nodes, which the engine's
/// renderer cannot show, as its debug form).
pub fn literal(rs: &ResultSet, value: &Value) -> String {
    if has_empty_path(value) {
        return format!("{value:?}");
    }
    let mut s = String::new();
    rs.render_literal(value, &mut s);
    s
}

fn has_empty_path(value: &Value) -> bool {
    match value {
        Value::Path(p) => p.nodes.is_empty(),
        Value::List(items) => items.iter().any(has_empty_path),
        Value::Map(map) => map.values().any(has_empty_path),
        _ => false,
    }
}

/// The canonical key of an expected value.
pub fn expected_key(value: &Expected, unordered_lists: bool) -> String {
    let mut out = String::new();
    write_expected(value, unordered_lists, &mut out);
    out
}

fn write_expected(value: &Expected, unordered: bool, out: &mut String) {
    match value {
        Expected::Null => out.push_str("null"),
        Expected::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expected::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Expected::Float(f) => write_float(*f, out),
        Expected::Str(s) => write_string(s, out),
        Expected::List(items) => {
            let keys = items.iter().map(|v| expected_key(v, unordered));
            write_list(keys.collect(), unordered, out);
        }
        Expected::Map(map) => write_map(
            map.iter().map(|(k, v)| (k, expected_key(v, unordered))),
            out,
        ),
        Expected::Node { labels, props } => {
            let props = props.iter().map(|(k, v)| (k, expected_key(v, unordered)));
            write_node(labels.iter(), props, out);
        }
        Expected::Rel { rel_type, props } => {
            let props = props.iter().map(|(k, v)| (k, expected_key(v, unordered)));
            write_rel(rel_type, props, out);
        }
        Expected::Path { start, hops } => {
            out.push('<');
            write_expected(start, unordered, out);
            for (forward, rel, node) in hops {
                out.push_str(if *forward { "-" } else { "<-" });
                write_expected(rel, unordered, out);
                out.push_str(if *forward { "->" } else { "-" });
                write_expected(node, unordered, out);
            }
            out.push('>');
        }
    }
}

/// The canonical key of a value from a result, using the result's entity snapshots.
pub fn actual_key(value: &Value, rs: &ResultSet, unordered_lists: bool) -> String {
    let mut out = String::new();
    write_actual(value, rs, unordered_lists, &mut out);
    out
}

fn write_actual(value: &Value, rs: &ResultSet, unordered: bool, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => write_float(*f, out),
        Value::String(s) => write_string(s, out),
        Value::List(items) => {
            let keys = items.iter().map(|v| actual_key(v, rs, unordered));
            write_list(keys.collect(), unordered, out);
        }
        Value::Map(map) => {
            write_map(
                map.iter().map(|(k, v)| (k, actual_key(v, rs, unordered))),
                out,
            );
        }
        Value::Node(id) => write_actual_node(*id, rs, unordered, out),
        Value::Rel(id) => write_actual_rel(*id, rs, unordered, out),
        Value::Path(path) if path.nodes.is_empty() => out.push_str("<path without nodes>"),
        Value::Path(path) => {
            out.push('<');
            write_actual_node(path.nodes[0], rs, unordered, out);
            for (i, rel) in path.rels.iter().enumerate() {
                let from = path.nodes[i];
                let forward = rs.entities.rels.get(rel).is_none_or(|r| r.start == from);
                out.push_str(if forward { "-" } else { "<-" });
                write_actual_rel(*rel, rs, unordered, out);
                out.push_str(if forward { "->" } else { "-" });
                write_actual_node(path.nodes[i + 1], rs, unordered, out);
            }
            out.push('>');
        }
        // The TCK writes temporal values as strings in ISO 8601 form.
        temporal => write_string(&rs.render(temporal), out),
    }
}

fn write_actual_node(
    id: datatrail::graph::NodeId,
    rs: &ResultSet,
    unordered: bool,
    out: &mut String,
) {
    match rs.entities.nodes.get(&id) {
        Some(node) => {
            let props = node
                .props
                .iter()
                .map(|(k, v)| (k, actual_key(v, rs, unordered)));
            write_node(node.labels.iter(), props, out);
        }
        None => {
            let _ = write!(out, "(<node {id:?} without snapshot>)");
        }
    }
}

fn write_actual_rel(
    id: datatrail::graph::RelId,
    rs: &ResultSet,
    unordered: bool,
    out: &mut String,
) {
    match rs.entities.rels.get(&id) {
        Some(rel) => {
            let props = rel
                .props
                .iter()
                .map(|(k, v)| (k, actual_key(v, rs, unordered)));
            write_rel(&rel.rel_type, props, out);
        }
        None => {
            let _ = write!(out, "[<relationship {id:?} without snapshot>]");
        }
    }
}

/// `{:?}` prints the shortest text that reads back as the same `f64`, and always with a
/// `.`, an exponent, `NaN` or `inf`, so a float key never equals an integer key. Floats
/// compare as IEEE numbers do, except that NaN equals NaN: `-0.0` equals `0.0`, as in the
/// TCK's own value comparison (`expressions/literals/Literals5.feature` [9] returns
/// `-0.0` and expects `0.0`).
fn write_float(f: f64, out: &mut String) {
    let f = if f == 0.0 { 0.0 } else { f };
    let _ = write!(out, "{f:?}");
}

fn write_string(s: &str, out: &mut String) {
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

fn write_list(mut keys: Vec<String>, unordered: bool, out: &mut String) {
    if unordered {
        keys.sort();
    }
    out.push('[');
    out.push_str(&keys.join(", "));
    out.push(']');
}

/// Entries must come in key order (both sides iterate a `BTreeMap`).
fn write_map<'a>(entries: impl Iterator<Item = (&'a String, String)>, out: &mut String) {
    out.push('{');
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{k}: {v}");
    }
    out.push('}');
}

fn write_node<'a>(
    labels: impl Iterator<Item = &'a String>,
    props: impl Iterator<Item = (&'a String, String)>,
    out: &mut String,
) {
    let mut labels: Vec<_> = labels.collect();
    labels.sort();
    out.push('(');
    for label in labels {
        out.push(':');
        out.push_str(label);
    }
    out.push(' ');
    write_map(props, out);
    out.push(')');
}

fn write_rel<'a>(
    rel_type: &str,
    props: impl Iterator<Item = (&'a String, String)>,
    out: &mut String,
) {
    out.push_str("[:");
    out.push_str(rel_type);
    out.push(' ');
    write_map(props, out);
    out.push(']');
}
