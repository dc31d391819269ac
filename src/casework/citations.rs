//! Citations: which source documents a result rests on. Every node and relationship of
//! the case graph lists in its `sources` property the ids of the `Source` nodes (the
//! articles) that state it; a row relies on every source of every element it mentions.

use std::collections::BTreeMap;

use crate::graph::{Graph, Value};
use crate::result::ResultSet;

/// One cited document and the rows (0-based) that rely on it.
#[derive(Clone, Debug, PartialEq)]
pub struct Citation {
    pub id: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    pub published: Option<String>,
    pub rows: Vec<usize>,
}

/// The source ids behind each row of `result`, in first-seen order.
pub fn row_sources(result: &ResultSet) -> Vec<Vec<String>> {
    result
        .rows
        .iter()
        .map(|row| {
            let mut ids = Vec::new();
            for value in row {
                collect(result, value, &mut ids);
            }
            ids
        })
        .collect()
}

fn collect(result: &ResultSet, value: &Value, ids: &mut Vec<String>) {
    let props = match value {
        Value::Node(n) => result.entities.nodes.get(n).map(|n| &n.props),
        Value::Rel(r) => result.entities.rels.get(r).map(|r| &r.props),
        Value::Path(p) => {
            for n in &p.nodes {
                collect(result, &Value::Node(*n), ids);
            }
            for r in &p.rels {
                collect(result, &Value::Rel(*r), ids);
            }
            return;
        }
        Value::List(items) => {
            items.iter().for_each(|v| collect(result, v, ids));
            return;
        }
        Value::Map(map) => {
            map.values().for_each(|v| collect(result, v, ids));
            return;
        }
        _ => None,
    };
    let cited = match props.and_then(|p| p.get("sources")) {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => vec![s.to_string()],
        _ => Vec::new(),
    };
    for id in cited {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
}

/// Every source the result relies on, with its title, publisher and date looked up in
/// the graph's `Source` nodes, sorted by id.
pub fn citations(result: &ResultSet, graph: &Graph) -> Vec<Citation> {
    let mut by_id: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (row, ids) in row_sources(result).into_iter().enumerate() {
        for id in ids {
            by_id.entry(id).or_default().push(row);
        }
    }
    by_id
        .into_iter()
        .map(|(id, rows)| {
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
}
