//! Values in and out of the Query API's plain JSON: results as Neo4j writes them (nodes
//! and relationships with element ids, paths as alternating lists, temporal values as
//! ISO 8601 strings), parameters from JSON.

use serde_json::{Map, Value as Json, json};

use crate::graph::{NodeId, RelId};
use crate::{Params, ResultSet, Stats, Value};

/// The `elementId` of a node, as `elementId(n)` returns it.
pub fn node_element_id(id: NodeId) -> String {
    format!("n{}", id.0)
}

/// The `elementId` of a relationship, as `elementId(r)` returns it.
pub fn rel_element_id(id: RelId) -> String {
    format!("r{}", id.0)
}

/// `{"fields": [...], "values": [[...], ...]}` for one result.
pub fn data(result: &ResultSet) -> Json {
    let values: Vec<Json> = result
        .rows
        .iter()
        .map(|row| Json::Array(row.iter().map(|v| value(result, v)).collect()))
        .collect();
    json!({ "fields": result.columns, "values": values })
}

/// One value as plain JSON.
pub fn value(result: &ResultSet, v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        // JSON has no NaN or infinities: those become their Cypher spelling.
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map_or_else(|| Json::String(result.render(v)), Json::Number),
        Value::String(s) => Json::String(s.to_string()),
        Value::List(items) => Json::Array(items.iter().map(|i| value(result, i)).collect()),
        Value::Map(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), value(result, v)))
                .collect(),
        ),
        Value::Node(id) => node(result, *id),
        Value::Rel(id) => rel(result, *id),
        Value::Path(path) => {
            let mut items = Vec::with_capacity(path.nodes.len() + path.rels.len());
            for (i, n) in path.nodes.iter().enumerate() {
                if i > 0
                    && let Some(r) = path.rels.get(i - 1)
                {
                    items.push(rel(result, *r));
                }
                items.push(node(result, *n));
            }
            Json::Array(items)
        }
        Value::Date(_)
        | Value::PartialDate(_)
        | Value::LocalTime(_)
        | Value::Time(..)
        | Value::LocalDateTime(_)
        | Value::DateTime(_)
        | Value::Duration(_) => Json::String(result.render(v)),
    }
}

fn node(result: &ResultSet, id: NodeId) -> Json {
    let snapshot = result.entities.nodes.get(&id);
    json!({
        "elementId": node_element_id(id),
        "labels": snapshot.map_or(&[][..], |n| &n.labels[..]),
        "properties": properties(result, snapshot.map(|n| &n.props)),
    })
}

fn rel(result: &ResultSet, id: RelId) -> Json {
    let snapshot = result.entities.rels.get(&id);
    json!({
        "elementId": rel_element_id(id),
        "startNodeElementId": snapshot.map(|r| node_element_id(r.start)),
        "endNodeElementId": snapshot.map(|r| node_element_id(r.end)),
        "type": snapshot.map(|r| r.rel_type.as_str()),
        "properties": properties(result, snapshot.map(|r| &r.props)),
    })
}

fn properties(
    result: &ResultSet,
    props: Option<&std::collections::BTreeMap<String, Value>>,
) -> Json {
    Json::Object(
        props
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), value(result, v)))
            .collect(),
    )
}

/// The Query API's counters for what a statement changed.
pub fn counters(stats: &Stats) -> Json {
    json!({
        "containsUpdates": !stats.is_empty(),
        "nodesCreated": stats.nodes_created,
        "nodesDeleted": stats.nodes_deleted,
        "propertiesSet": stats.props_set + stats.props_removed,
        "relationshipsCreated": stats.rels_created,
        "relationshipsDeleted": stats.rels_deleted,
        "labelsAdded": stats.labels_added,
        "labelsRemoved": stats.labels_removed,
        "indexesAdded": 0,
        "indexesRemoved": 0,
        "constraintsAdded": 0,
        "constraintsRemoved": 0,
        "containsSystemUpdates": false,
        "systemUpdates": 0,
    })
}

/// Deepest nesting accepted in parameters (a deeper one is refused, not recursed into).
const MAX_DEPTH: usize = 64;

/// Statement parameters from a JSON object. Whole numbers become integers, other
/// numbers floats; there is no JSON spelling for nodes or temporal values.
pub fn params(object: &Map<String, Json>) -> Result<Params, String> {
    object
        .iter()
        .map(|(k, v)| Ok((k.clone(), param(v, 0)?)))
        .collect()
}

fn param(v: &Json, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("parameters nest deeper than {MAX_DEPTH} levels"));
    }
    Ok(match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::str(s),
        Json::Array(items) => Value::List(
            items
                .iter()
                .map(|i| param(i, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), param(v, depth + 1)?)))
                .collect::<Result<_, String>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Database;

    fn first_row(query: &str) -> (ResultSet, Vec<Json>) {
        let mut db = Database::new();
        let result = db.execute(query).unwrap().pop().unwrap();
        let row = result.rows[0].iter().map(|v| value(&result, v)).collect();
        (result, row)
    }

    #[test]
    fn nodes_and_relationships_carry_element_ids() {
        let (_, row) = first_row("CREATE (a:P {name: 'x'})-[r:T {w: 1.5}]->(b) RETURN a, r");
        assert_eq!(
            row[0],
            json!({"elementId": "n0", "labels": ["P"], "properties": {"name": "x"}})
        );
        assert_eq!(
            row[1],
            json!({"elementId": "r0", "startNodeElementId": "n0", "endNodeElementId": "n1",
                   "type": "T", "properties": {"w": 1.5}})
        );
    }

    #[test]
    fn paths_alternate_nodes_and_relationships() {
        let (_, row) = first_row("CREATE p = (:A)-[:T]->(:B)<-[:U]-(:C) RETURN p");
        let kinds: Vec<&str> = row[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item.get("type").map_or("node", |_| "rel"))
            .collect();
        assert_eq!(kinds, ["node", "rel", "node", "rel", "node"]);
    }

    #[test]
    fn temporal_values_are_iso_strings_and_nan_is_text() {
        let (_, row) = first_row("RETURN date('2018-03-17'), 0.0/0.0, [1, null]");
        assert_eq!(row, [json!("2018-03-17"), json!("NaN"), json!([1, null])]);
    }

    #[test]
    fn params_keep_integers_apart_from_floats() {
        let object = json!({"i": 3, "f": 2.5, "l": ["a", {"k": true}]});
        let params = params(object.as_object().unwrap()).unwrap();
        assert_eq!(params["i"], Value::Int(3));
        assert_eq!(params["f"], Value::Float(2.5));
        assert!(matches!(&params["l"], Value::List(items) if items.len() == 2));
    }

    #[test]
    fn params_refuse_deep_nesting() {
        let mut deep = json!(1);
        for _ in 0..100 {
            deep = json!([deep]);
        }
        let object = json!({ "d": deep });
        assert!(params(object.as_object().unwrap()).is_err());
    }
}
