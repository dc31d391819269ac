//! Citations: which source documents a result rests on. Every node and relationship of
//! the case graph lists in its `sources` property the ids of the `Source` nodes (the
//! articles) that state it; a row relies on every source of every element it mentions.
//! An element may also carry the evidence: `quotes`, the sentence of each source the
//! fact rests on (item `i` quotes source `i`), and `quotes_en`, a gloss of each.

use std::collections::BTreeMap;

use crate::graph::{Graph, Value};
use crate::result::ResultSet;

/// One cited document, the rows (0-based) that rely on it, and what it says.
#[derive(Clone, Debug, PartialEq)]
pub struct Citation {
    pub id: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub rows: Vec<usize>,
    /// The distinct passages of this document the rows' elements quote, in first-seen order.
    pub quotes: Vec<Quote>,
}

/// A passage of a source that an element rests on, with its gloss and the rows citing it.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    pub text: String,
    pub gloss: Option<String>,
    pub rows: Vec<usize>,
}

/// One element's citation of one source: the source id and, if given, the passage.
#[derive(Clone, Debug, PartialEq)]
struct Cited {
    id: String,
    quote: Option<String>,
    gloss: Option<String>,
}

/// The source ids behind each row of `result`, in first-seen order.
pub fn row_sources(result: &ResultSet) -> Vec<Vec<String>> {
    row_citations(result)
        .into_iter()
        .map(|cited| {
            let mut ids: Vec<String> = Vec::new();
            for c in cited {
                if !ids.contains(&c.id) {
                    ids.push(c.id);
                }
            }
            ids
        })
        .collect()
}

/// Every citation of every element of each row, duplicates removed.
fn row_citations(result: &ResultSet) -> Vec<Vec<Cited>> {
    result
        .rows
        .iter()
        .map(|row| {
            let mut cited = Vec::new();
            for value in row {
                collect(result, value, &mut cited);
            }
            cited
        })
        .collect()
}

fn collect(result: &ResultSet, value: &Value, cited: &mut Vec<Cited>) {
    let props = match value {
        Value::Node(n) => result.entities.nodes.get(n).map(|n| &n.props),
        Value::Rel(r) => result.entities.rels.get(r).map(|r| &r.props),
        Value::Path(p) => {
            for n in &p.nodes {
                collect(result, &Value::Node(*n), cited);
            }
            for r in &p.rels {
                collect(result, &Value::Rel(*r), cited);
            }
            return;
        }
        Value::List(items) => {
            items.iter().for_each(|v| collect(result, v, cited));
            return;
        }
        Value::Map(map) => {
            map.values().for_each(|v| collect(result, v, cited));
            return;
        }
        _ => None,
    };
    let Some(props) = props else { return };
    let quotes = strings(props.get("quotes"));
    let glosses = strings(props.get("quotes_en"));
    for (i, id) in strings(props.get("sources")).into_iter().enumerate() {
        let c = Cited {
            id,
            quote: quotes.get(i).cloned(),
            gloss: glosses.get(i).cloned(),
        };
        if !cited.contains(&c) {
            cited.push(c);
        }
    }
}

/// A string or list-of-strings property as strings (nothing for anything else).
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => vec![s.to_string()],
        _ => Vec::new(),
    }
}

/// Every source the result relies on, with its title, publisher and date looked up in
/// the graph's `Source` nodes, sorted by id.
pub fn citations(result: &ResultSet, graph: &Graph) -> Vec<Citation> {
    let mut by_id: BTreeMap<String, (Vec<usize>, Vec<Quote>)> = BTreeMap::new();
    for (row, cited) in row_citations(result).into_iter().enumerate() {
        for c in cited {
            let (rows, quotes) = by_id.entry(c.id).or_default();
            if rows.last() != Some(&row) {
                rows.push(row);
            }
            let Some(text) = c.quote else { continue };
            match quotes.iter_mut().find(|q| q.text == text) {
                Some(q) if q.rows.last() == Some(&row) => {}
                Some(q) => q.rows.push(row),
                None => quotes.push(Quote {
                    text,
                    gloss: c.gloss,
                    rows: vec![row],
                }),
            }
        }
    }
    by_id
        .into_iter()
        .map(|(id, (rows, quotes))| {
            let node = graph.label_symbol("Source").and_then(|label| {
                let key = graph.key_symbol("id")?;
                graph.nodes_with_label(label).find(|n| {
                    graph.node_property(*n, key).and_then(Value::as_str) == Some(id.as_str())
                })
            });
            let text = |key: &str| -> Option<String> {
                let key = graph.key_symbol(key)?;
                let value = graph.node_property(node?, key)?;
                Some(ResultSet::default().render(value))
            };
            Citation {
                title: text("title"),
                publisher: text("publisher"),
                published: text("published"),
                id,
                rows,
                quotes,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Database;

    #[test]
    fn citations_name_the_rows_that_rely_on_each_source() {
        let mut db = Database::new();
        db.execute(
            "CREATE (:Source {id: 's1', title: 'First'}), (:Source {id: 's2', title: 'Second'}), \
             (a {name: 'a', sources: ['s1']})-[:T {sources: ['s2']}]->(b {name: 'b', sources: ['s1']})",
        )
        .unwrap();
        let result = db
            .execute("MATCH (x {name: 'a'}) RETURN x UNION ALL MATCH ()-[r:T]->() RETURN r AS x")
            .unwrap()
            .pop()
            .unwrap();
        let cited = citations(&result, db.graph());
        assert_eq!(cited.len(), 2);
        assert_eq!(
            (
                cited[0].id.as_str(),
                cited[0].title.as_deref(),
                cited[0].rows.clone()
            ),
            ("s1", Some("First"), vec![0])
        );
        assert_eq!(
            (cited[1].id.as_str(), cited[1].rows.clone()),
            ("s2", vec![1])
        );
    }

    #[test]
    fn citations_carry_the_quoted_passage_of_each_source() {
        let mut db = Database::new();
        db.execute(
            "CREATE (:Source {id: 's1'}), (:Source {id: 's2'}), \
             (a {name: 'a', sources: ['s1', 's2'], quotes: ['one', 'two'], quotes_en: ['1', '2']}), \
             (b {name: 'b', sources: ['s2'], quotes: ['two']}), (c {name: 'c', sources: ['s1']})",
        )
        .unwrap();
        let result = db
            .execute("MATCH (x) WHERE x.name IS NOT NULL RETURN x ORDER BY x.name")
            .unwrap()
            .pop()
            .unwrap();
        let cited = citations(&result, db.graph());
        let quotes = |i: usize| -> Vec<(String, Option<String>, Vec<usize>)> {
            cited[i]
                .quotes
                .iter()
                .map(|q| (q.text.clone(), q.gloss.clone(), q.rows.clone()))
                .collect()
        };
        assert_eq!(cited[0].rows, vec![0, 2]);
        assert_eq!(quotes(0), vec![("one".into(), Some("1".into()), vec![0])]);
        assert_eq!(
            quotes(1),
            vec![("two".into(), Some("2".into()), vec![0, 1])]
        );
    }
}
