//! GEXF 1.3 (<https://gexf.net>), Gephi's own format, as a dynamic graph: each
//! relationship with a start or end date carries a spell from its start to its end, so
//! Gephi's timeline plays the data flows of a case as they happened. Nodes stay for the
//! whole timeline, so a flow is never hidden by the dates of the organisations at its
//! ends. Attributes are typed as in GraphML ([`super::graphml`]).
//!
//! The dates of a spell come from the relationship's `start_date` and `end_date`
//! properties (the case graph's), or `startDate` and `endDate` (FollowTheMoney's), or a
//! single `date`. A date with month or year precision (`2015-04`, `2015`) opens at the
//! first day of its period when it starts a spell and closes at the last when it ends one.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use chrono::{Datelike, NaiveDate};

use super::ExportError;
use super::elements::{Elements, XmlType, keyed_values, labels_text, node_caption, push_xml_text};
use crate::graph::Value;
use crate::result::ResultSet;

/// Writes the nodes and relationships of `result` as one GEXF 1.3 document. A result
/// without columns writes nothing.
///
/// # Errors
/// [`ExportError::Io`] when the output fails.
pub fn write_gexf(result: &ResultSet, mut out: impl Write) -> Result<(), ExportError> {
    if result.columns.is_empty() {
        return Ok(());
    }
    out.write_all(to_gexf(result).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// The GEXF document for `result`.
pub fn to_gexf(result: &ResultSet) -> String {
    let elements = Elements::of(result);
    // Attribute 0 of each class holds the labels or the type, so Gephi can partition by it.
    let node_keys = attribute_ids(elements.node_keys());
    let rel_keys = attribute_ids(elements.rel_keys());
    let mut out = String::from(concat!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
        "<gexf xmlns=\"http://gexf.net/1.3\" ",
        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ",
        "xsi:schemaLocation=\"http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd\" ",
        "version=\"1.3\">\n",
        "  <meta>\n    <creator>datatrail</creator>\n  </meta>\n",
        "  <graph mode=\"dynamic\" defaultedgetype=\"directed\" timeformat=\"date\">\n",
    ));
    push_attributes("node", "labels", &node_keys, &mut out);
    push_attributes("edge", "type", &rel_keys, &mut out);
    out.push_str("    <nodes>\n");
    for (id, node) in &elements.nodes {
        let _ = write!(out, "      <node id=\"n{}\" label=\"", id.0);
        push_xml_text(&node_caption(result, *id, node), &mut out);
        out.push_str("\">\n        <attvalues>\n");
        push_attvalue("0", &labels_text(node), &mut out);
        push_attvalues(result, &node.props, &node_keys, &mut out);
        out.push_str("        </attvalues>\n      </node>\n");
    }
    out.push_str("    </nodes>\n    <edges>\n");
    for (id, rel) in &elements.rels {
        let _ = write!(
            out,
            "      <edge id=\"e{}\" source=\"n{}\" target=\"n{}\" label=\"",
            id.0, rel.start.0, rel.end.0
        );
        push_xml_text(&rel.rel_type, &mut out);
        out.push_str("\">\n        <attvalues>\n");
        push_attvalue("0", &rel.rel_type, &mut out);
        push_attvalues(result, &rel.props, &rel_keys, &mut out);
        out.push_str("        </attvalues>\n");
        if let Some((start, end)) = spell(result, &rel.props) {
            out.push_str("        <spells>\n          <spell");
            if let Some(start) = start {
                let _ = write!(out, " start=\"{start}\"");
            }
            if let Some(end) = end {
                let _ = write!(out, " end=\"{end}\"");
            }
            out.push_str("/>\n        </spells>\n");
        }
        out.push_str("      </edge>\n");
    }
    out.push_str("    </edges>\n  </graph>\n</gexf>\n");
    out
}

/// Property attributes are numbered from 1: 0 is the labels or type.
fn attribute_ids(keys: BTreeMap<&str, XmlType>) -> BTreeMap<&str, (String, XmlType)> {
    keys.into_iter()
        .enumerate()
        .map(|(i, (name, kind))| (name, ((i + 1).to_string(), kind)))
        .collect()
}

fn push_attributes(
    class: &str,
    first: &str,
    keys: &BTreeMap<&str, (String, XmlType)>,
    out: &mut String,
) {
    let _ = writeln!(out, "    <attributes class=\"{class}\" mode=\"static\">");
    let _ = writeln!(
        out,
        "      <attribute id=\"0\" title=\"{first}\" type=\"string\"/>"
    );
    for (name, (id, kind)) in keys {
        let _ = write!(out, "      <attribute id=\"{id}\" title=\"");
        push_xml_text(name, out);
        let _ = writeln!(out, "\" type=\"{}\"/>", kind.name());
    }
    out.push_str("    </attributes>\n");
}

fn push_attvalues(
    result: &ResultSet,
    props: &BTreeMap<String, Value>,
    keys: &BTreeMap<&str, (String, XmlType)>,
    out: &mut String,
) {
    for (id, text) in keyed_values(result, props, keys) {
        push_attvalue(id, &text, out);
    }
}

fn push_attvalue(id: &str, text: &str, out: &mut String) {
    let _ = write!(out, "          <attvalue for=\"{id}\" value=\"");
    push_xml_text(text, out);
    out.push_str("\"/>\n");
}

/// The spell of a relationship: its start and end dates, if it has either.
fn spell(
    result: &ResultSet,
    props: &BTreeMap<String, Value>,
) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    let bound = |keys: &[&str], end: bool| {
        keys.iter()
            .find_map(|k| props.get(*k).and_then(|v| date_bound(result, v, end)))
    };
    let start = bound(&["start_date", "startDate", "date"], false);
    let end = bound(&["end_date", "endDate", "date"], true);
    match (start, end) {
        (None, None) => None,
        // A spell that ends before it starts would make the file invalid for Gephi.
        (Some(s), Some(e)) if e < s => Some((Some(s), Some(s))),
        bounds => Some(bounds),
    }
}

/// The first or last day a date value covers: `2015-04` starts on the 1st and ends on
/// the 30th. Lists (FollowTheMoney's multi-valued dates) give their earliest start and
/// latest end; text that is no date gives nothing.
fn date_bound(result: &ResultSet, value: &Value, end: bool) -> Option<NaiveDate> {
    match value {
        Value::Null => None,
        Value::Date(date) => Some(*date),
        // An open side (a start known only as "before ...") takes the other reading, so
        // every dated flow still gets a spell on the timeline.
        Value::PartialDate(date) if end => date.latest().or(date.earliest()),
        Value::PartialDate(date) => date.earliest().or(date.latest()),
        Value::LocalDateTime(dt) => Some(dt.date()),
        Value::List(items) => {
            let dates = items.iter().filter_map(|v| date_bound(result, v, end));
            if end { dates.max() } else { dates.min() }
        }
        other => parse_bound(&result.render(other), end),
    }
}

/// `YYYY`, `YYYY-MM`, `YYYY-MM-DD` or a date-time beginning with one of them.
pub(crate) fn parse_bound(text: &str, end: bool) -> Option<NaiveDate> {
    let text = text.trim();
    let head = text.get(..10).unwrap_or(text);
    if let Ok(date) = NaiveDate::parse_from_str(head, "%Y-%m-%d") {
        return Some(date);
    }
    let mut parts = head.splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok().filter(|_| head.len() >= 4)?;
    match parts.next() {
        None if !end => NaiveDate::from_ymd_opt(year, 1, 1),
        None => NaiveDate::from_ymd_opt(year, 12, 31),
        Some(month) => {
            let month: u32 = month.get(..2)?.parse().ok()?;
            let first = NaiveDate::from_ymd_opt(year, month, 1)?;
            if !end {
                return Some(first);
            }
            let next = first.checked_add_months(chrono::Months::new(1))?;
            next.pred_opt().filter(|d| d.month() == month)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_bound_covers_a_whole_month_or_year() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_bound("2015-04", false), d(2015, 4, 1));
        assert_eq!(parse_bound("2015-04", true), d(2015, 4, 30));
        assert_eq!(parse_bound("2016-02", true), d(2016, 2, 29));
        assert_eq!(parse_bound("2018", true), d(2018, 12, 31));
        assert_eq!(parse_bound("2018-03-17T10:00Z", false), d(2018, 3, 17));
        assert_eq!(parse_bound("soon", false), None);
    }
}
