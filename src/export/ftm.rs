//! FollowTheMoney out (`--format ftm`, `COPY (q) TO 'x.ftm.json'`): the nodes and
//! relationships of a result as FtM entities, one JSON object per line, the shape
//! `--ftm` reads ([`crate::load::ftm`]) and Aleph and OpenSanctions' tools take.
//!
//! A node becomes an entity of the first of its labels that is a FollowTheMoney schema
//! (`Person`, `Company`), or a `LegalEntity`; a relationship becomes an entity of the
//! interval schema its type names (`OWNERSHIP` is `Ownership`), with its ends as the
//! schema's source and target, or an `UnknownLink` whose `role` is the type. The entity
//! id is the element's `id` property, or `node-N` / `rel-N`. Every property is a list of
//! strings; a property the schema lacks is kept as a `key: value` line in the schema's
//! `notes` (or `description`, `summary`), so nothing is lost. Relationships sharing an
//! `id` (a multi-valued FtM link loaded as several) become one entity again.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufWriter, Write};

use serde_json::{Map, Value as Json};

use super::ExportError;
use super::elements::Elements;
use crate::graph::Value;
use crate::load::ftm::{PropKind, Schema, edge_schema, schema};
use crate::result::ResultSet;

/// Writes the nodes and relationships of `result` as FollowTheMoney entities, one per
/// line. A result without columns writes nothing.
///
/// # Errors
/// [`ExportError::Io`] when the output fails.
pub fn write_ftm(result: &ResultSet, out: impl Write) -> Result<(), ExportError> {
    let mut out = BufWriter::new(out);
    for entity in entities(result) {
        serde_json::to_writer(&mut out, &entity).map_err(std::io::Error::other)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

/// The entities for `result`: nodes first, then relationships, in id order.
pub fn entities(result: &ResultSet) -> Vec<Json> {
    let elements = Elements::of(result);
    let mut ids = HashMap::new();
    let mut out: Vec<Entity> = Vec::new();
    for (id, node) in &elements.nodes {
        let entity_id = id_text(node.props.get("id"), || format!("node-{}", id.0));
        ids.insert(*id, entity_id.clone());
        let schema = node
            .labels
            .iter()
            .filter_map(|l| schema(l))
            .find(|s| !s.abstract_ && s.edge.is_none())
            .or_else(|| schema("LegalEntity"))
            .expect("FollowTheMoney has LegalEntity");
        let mut entity = Entity::new(entity_id, schema);
        entity.add_props(result, &node.props);
        out.push(entity);
    }
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (id, rel) in &elements.rels {
        let entity_id = id_text(rel.props.get("id"), || format!("rel-{}", id.0));
        let (schema, role) = match edge_schema(&rel.rel_type) {
            Some(schema) => (schema, None),
            None => (
                schema("UnknownLink").expect("FollowTheMoney has UnknownLink"),
                Some(&rel.rel_type),
            ),
        };
        let index = *by_id.entry(entity_id.clone()).or_insert_with(|| {
            out.push(Entity::new(entity_id, schema));
            out.len() - 1
        });
        let entity = &mut out[index];
        let (source, target) = schema.edge.expect("an edge schema");
        entity.push(source, ids[&rel.start].clone());
        entity.push(target, ids[&rel.end].clone());
        if let Some(role) = role {
            entity.push_or_note("role", role.clone());
        }
        entity.add_props(result, &rel.props);
    }
    out.into_iter().map(Entity::into_json).collect()
}

/// An element's `id` property as an entity id (the first value of a list).
fn id_text(value: Option<&Value>, otherwise: impl FnOnce() -> String) -> String {
    match value {
        Some(Value::String(s)) if !s.is_empty() => s.to_string(),
        Some(Value::Int(i)) => i.to_string(),
        Some(Value::List(items)) => id_text(items.first(), otherwise),
        _ => otherwise(),
    }
}

struct Entity {
    id: String,
    schema: &'static Schema,
    props: BTreeMap<&'static str, Vec<String>>,
    notes: Vec<String>,
}

impl Entity {
    fn new(id: String, schema: &'static Schema) -> Entity {
        Entity {
            id,
            schema,
            props: BTreeMap::new(),
            notes: Vec::new(),
        }
    }

    fn add_props(&mut self, result: &ResultSet, props: &BTreeMap<String, Value>) {
        for (key, value) in props {
            if key == "id" || matches!(value, Value::Null) {
                continue;
            }
            let texts = texts(result, value);
            match self.prop_name(key) {
                Some(name) => texts.into_iter().for_each(|t| self.push(name, t)),
                None => self.notes.push(format!("{key}: {}", texts.join("; "))),
            }
        }
    }

    /// The schema's own spelling of a property, if it has it.
    fn prop_name(&self, key: &str) -> Option<&'static str> {
        self.schema.prop_name(key)
    }

    fn push(&mut self, name: &'static str, text: String) {
        let values = self.props.entry(name).or_default();
        if !values.contains(&text) {
            values.push(text);
        }
    }

    fn push_or_note(&mut self, key: &str, text: String) {
        match self.prop_name(key) {
            Some(name) => self.push(name, text),
            None => self.notes.push(format!("{key}: {text}")),
        }
    }

    fn into_json(mut self) -> Json {
        if !self.notes.is_empty() {
            let home = ["notes", "description", "summary"]
                .into_iter()
                .find_map(|k| {
                    self.prop_name(k)
                        .filter(|_| self.schema.prop(k) == Some(PropKind::Text))
                });
            if let Some(home) = home {
                for note in std::mem::take(&mut self.notes) {
                    self.push(home, note);
                }
            }
        }
        let props: Map<String, Json> = self
            .props
            .into_iter()
            .map(|(k, v)| (k.to_string(), Json::from(v)))
            .collect();
        let mut object = Map::new();
        object.insert("id".into(), Json::from(self.id));
        object.insert("schema".into(), Json::from(self.schema.name));
        object.insert("properties".into(), Json::Object(props));
        Json::Object(object)
    }
}

/// A property value as FtM's list of strings: a list's items, dates in ISO 8601.
fn texts(result: &ResultSet, value: &Value) -> Vec<String> {
    match value {
        Value::List(items) => items
            .iter()
            .filter(|v| !matches!(v, Value::Null))
            .map(|v| result.render(v))
            .collect(),
        other => vec![result.render(other)],
    }
}
