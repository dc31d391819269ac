//! `:sources`: the documents a result rests on ([`crate::citations`]), as a table of
//! source id, title, publisher and date, with the (1-based) rows that rely on each,
//! followed by the evidence: each passage quoted, its gloss, and the rows quoting it.

use comfy_table::{Table, presets};

use crate::citations::{Citation, citations};
use crate::graph::Graph;
use crate::result::ResultSet;

/// The citations of `result` as a table followed by a count, or a sentence saying why
/// there are none.
pub fn describe(result: &ResultSet, graph: &Graph) -> String {
    let cited = citations(result, graph);
    if cited.is_empty() {
        return "the last result cites no sources (only nodes, relationships and paths carry \
                them: return `n` or `r` rather than `n.name`)\n"
            .to_string();
    }
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED.with_rounded_corners());
    table.set_header(["source", "title", "publisher", "published", "rows"]);
    for citation in &cited {
        let text = |field: &Option<String>| field.clone().unwrap_or_default();
        table.add_row([
            citation.id.clone(),
            text(&citation.title),
            text(&citation.publisher),
            text(&citation.published),
            row_ranges(&citation.rows),
        ]);
    }
    let n = cited.len();
    let noun = if n == 1 { "source" } else { "sources" };
    format!("{table}\n{n} {noun}\n{}", evidence(&cited))
}

/// The quoted passages per source, in the table's order; empty when no element quotes.
fn evidence(cited: &[Citation]) -> String {
    let mut out = String::new();
    for citation in cited.iter().filter(|c| !c.quotes.is_empty()) {
        out.push_str(&format!("\n{}:\n", citation.id));
        for quote in &citation.quotes {
            let rows = &quote.rows;
            let noun = if rows.len() == 1 { "row" } else { "rows" };
            out.push_str(&format!(
                "  {noun} {}: «{}»\n",
                row_ranges(rows),
                quote.text
            ));
            if let Some(gloss) = &quote.gloss {
                out.push_str(&format!("    {gloss}\n"));
            }
        }
    }
    out
}

/// 0-based row indices as 1-based numbers, runs shortened: `[0, 1, 2, 4]` → `1-3, 5`.
fn row_ranges(rows: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let start = rows[i];
        let mut end = start;
        while i + 1 < rows.len() && rows[i + 1] == end + 1 {
            end += 1;
            i += 1;
        }
        parts.push(if end == start {
            (start + 1).to_string()
        } else {
            format!("{}-{}", start + 1, end + 1)
        });
        i += 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_lists_each_quote_with_its_gloss_and_rows() {
        let cited = [Citation {
            id: "s1".into(),
            title: None,
            publisher: None,
            published: None,
            rows: vec![0, 1, 2],
            quotes: vec![
                crate::citations::Quote {
                    text: "نص".into(),
                    gloss: Some("text".into()),
                    rows: vec![0, 1],
                },
                crate::citations::Quote {
                    text: "آخر".into(),
                    gloss: None,
                    rows: vec![2],
                },
            ],
        }];
        assert_eq!(
            evidence(&cited),
            "\ns1:\n  rows 1-2: «نص»\n    text\n  row 3: «آخر»\n"
        );
    }

    #[test]
    fn row_ranges_are_one_based_and_shortened() {
        assert_eq!(row_ranges(&[0, 1, 2, 4, 6, 7]), "1-3, 5, 7-8");
        assert_eq!(row_ranges(&[3]), "4");
        assert_eq!(row_ranges(&[]), "");
    }
}
