//! FollowTheMoney in (`--ftm FILE`): the entity format of OCCRP's Aleph and of
//! OpenSanctions, one JSON object per line:
//!
//! ```json
//! {"id": "gsr", "schema": "Company", "properties": {"name": ["Global Science Research"]}}
//! {"id": "own1", "schema": "Ownership", "properties": {"owner": ["kogan"], "asset": ["gsr"], "startDate": ["2014"]}}
//! ```
//!
//! Things (Person, Company, Organization, PublicBody, ...) become nodes labelled with
//! their schema; interval schemata that link two entities (Ownership, Directorship,
//! Membership, Employment, Payment, Representation, ...) become relationships from the
//! source to the target their schema names (owner to asset, payer to beneficiary), typed
//! with the schema in Cypher's style (`OWNERSHIP`, `UNKNOWN_LINK`). Every property keeps
//! FtM's list of values: strings, except numbers (`amount`), which become integers or
//! floats when the text is exactly one. Dates stay FtM's prefix text (`2015-04`), which
//! keeps their precision. The entity id is the property `id`. Lines giving the same id
//! are fragments of one entity and are merged, as FtM merges them.
//!
//! Errors name the file and line: text that is not an entity, a schema FtM does not have
//! (or an abstract one), a property the schema lacks, and a reference to an entity no
//! loaded file defines.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde_json::Value as Json;

use super::LoadError;
use super::ftm_schema::SCHEMATA;
use crate::graph::{Graph, NodeId, Value};

/// What a property holds, as far as datatrail cares.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum PropKind {
    /// The id of another entity.
    Entity,
    Date,
    Number,
    Text,
}

/// One FollowTheMoney schema.
#[derive(Debug)]
pub(crate) struct Schema {
    pub name: &'static str,
    pub abstract_: bool,
    /// For interval schemata that link two entities: the source and target properties.
    pub edge: Option<(&'static str, &'static str)>,
    /// The schemata it extends, whose properties it has too.
    pub extends: &'static [&'static str],
    /// Its own properties, sorted by name.
    pub props: &'static [(&'static str, PropKind)],
}

impl Schema {
    /// The kind of the property `name`, if the schema has it (or inherits it).
    pub fn prop(&self, name: &str) -> Option<PropKind> {
        self.find(name).map(|(_, kind)| kind)
    }

    /// The schema's own spelling of the property `name`, if it has it.
    pub fn prop_name(&self, name: &str) -> Option<&'static str> {
        self.find(name).map(|(name, _)| name)
    }

    fn find(&self, name: &str) -> Option<(&'static str, PropKind)> {
        match self.props.binary_search_by(|(p, _)| (*p).cmp(name)) {
            Ok(i) => Some(self.props[i]),
            Err(_) => self
                .extends
                .iter()
                .filter_map(|parent| schema(parent))
                .find_map(|parent| parent.find(name)),
        }
    }

    /// The relationship type for an edge schema: `UnknownLink` is `UNKNOWN_LINK`.
    pub fn rel_type(&self) -> String {
        let mut out = String::new();
        for (i, c) in self.name.char_indices() {
            if i > 0 && c.is_ascii_uppercase() {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
        }
        out
    }
}

/// The schema called `name`.
pub(crate) fn schema(name: &str) -> Option<&'static Schema> {
    SCHEMATA
        .binary_search_by(|s| s.name.cmp(name))
        .ok()
        .map(|i| &SCHEMATA[i])
}

/// The edge schema whose relationship type is `rel_type` (`OWNERSHIP`).
pub(crate) fn edge_schema(rel_type: &str) -> Option<&'static Schema> {
    SCHEMATA
        .iter()
        .find(|s| s.edge.is_some() && !s.abstract_ && s.rel_type() == rel_type)
}

/// An entity read from a file, its fragments merged.
struct Entity {
    schema: &'static Schema,
    file: String,
    line: u64,
    props: BTreeMap<String, Vec<String>>,
}

/// What [`load_ftm`] added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Added {
    pub nodes: usize,
    pub rels: usize,
}

/// Adds the FollowTheMoney entities in `paths` to `graph`. References may cross files;
/// nothing is added unless every file loads.
///
/// # Errors
/// [`LoadError::Io`] for a file that cannot be read, and the errors the module doc lists.
pub fn load_ftm(graph: &mut Graph, paths: &[impl AsRef<Path>]) -> Result<Added, LoadError> {
    let mut entities: HashMap<String, Entity> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let file = path.display().to_string();
        let reader = super::jsonl::open(path)?;
        super::jsonl::for_each_line(reader, path, |line, json| {
            read_entity(&file, line, json, &mut entities, &mut order)
        })?;
    }
    // Checked before anything is added, so a failed load leaves the graph as it was.
    check_references(&entities)?;
    Ok(add_entities(graph, &entities, &order))
}

fn read_entity(
    file: &str,
    line: u64,
    json: Json,
    entities: &mut HashMap<String, Entity>,
    order: &mut Vec<String>,
) -> Result<(), LoadError> {
    let bad = |message: String| LoadError::BadJsonLine {
        file: file.to_string(),
        line,
        message,
    };
    let Json::Object(mut object) = json else {
        return Err(bad("expected an entity, a JSON object".into()));
    };
    let text_field = |object: &serde_json::Map<String, Json>, field: &str| match object.get(field) {
        Some(Json::String(s)) if !s.is_empty() => Ok(s.clone()),
        _ => Err(bad(format!(
            "the entity has no {field:?} (a non-empty string)"
        ))),
    };
    let id = text_field(&object, "id")?;
    let schema_name = text_field(&object, "schema")?;
    let schema = match schema(&schema_name) {
        Some(s) if !s.abstract_ => s,
        found => {
            return Err(LoadError::UnknownSchema {
                file: file.to_string(),
                line,
                schema: schema_name,
                hint: if found.is_some() {
                    " (it is abstract: entities use a concrete schema such as Company)".into()
                } else {
                    String::new()
                },
            });
        }
    };
    let props = match object.remove("properties") {
        None | Some(Json::Null) => serde_json::Map::new(),
        Some(Json::Object(props)) => props,
        Some(_) => return Err(bad("\"properties\" is not an object".into())),
    };
    let entity = entities.entry(id.clone()).or_insert_with(|| {
        order.push(id.clone());
        Entity {
            schema,
            file: file.to_string(),
            line,
            props: BTreeMap::new(),
        }
    });
    if entity.schema.name != schema.name {
        return Err(LoadError::ConflictingId {
            file: file.to_string(),
            line,
            id,
            before: entity.schema.name.into(),
            now: schema.name.into(),
        });
    }
    for (name, values) in props {
        if schema.prop(&name).is_none() {
            return Err(LoadError::UnknownProperty {
                file: file.to_string(),
                line,
                schema: schema.name.into(),
                property: name,
            });
        }
        let values = match values {
            Json::Array(values) => values,
            single => vec![single],
        };
        let list = entity.props.entry(name.clone()).or_default();
        for value in values {
            let text = match value {
                Json::String(s) => s,
                Json::Number(n) => n.to_string(),
                Json::Bool(b) => b.to_string(),
                Json::Null => continue,
                _ => return Err(bad(format!("property {name:?} holds a list or an object"))),
            };
            if !list.contains(&text) {
                list.push(text);
            }
        }
    }
    Ok(())
}

/// Every entity-typed value must name a loaded entity, and an interval's source and
/// target must be things (nodes), not other intervals.
fn check_references(entities: &HashMap<String, Entity>) -> Result<(), LoadError> {
    for entity in entities.values() {
        let (source, target) = entity.schema.edge.unwrap_or(("", ""));
        for (name, values) in &entity.props {
            if entity.schema.prop(name) != Some(PropKind::Entity) {
                continue;
            }
            let end = name == source || name == target;
            for id in values {
                let found = entities.get(id);
                if found.is_none() || (end && found.is_some_and(|e| e.schema.edge.is_some())) {
                    return Err(LoadError::DanglingReference {
                        file: entity.file.clone(),
                        line: entity.line,
                        what: format!("the {} property {name:?}", entity.schema.name),
                        id: format!("{id:?}"),
                    });
                }
            }
        }
        if entity.schema.edge.is_some() {
            for end in [source, target] {
                if entity.props.get(end).is_none_or(Vec::is_empty) {
                    return Err(LoadError::BadJsonLine {
                        file: entity.file.clone(),
                        line: entity.line,
                        message: format!(
                            "the {} has no {end:?}, so it links nothing",
                            entity.schema.name
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

fn add_entities(graph: &mut Graph, entities: &HashMap<String, Entity>, order: &[String]) -> Added {
    let mut nodes: HashMap<&str, NodeId> = HashMap::new();
    let mut added = Added::default();
    for id in order {
        let entity = &entities[id];
        if entity.schema.edge.is_none() {
            let props = graph.props_from(properties(id, entity, &[]));
            let label = graph.intern_label(entity.schema.name);
            nodes.insert(id, graph.add_node(vec![label], props));
            added.nodes += 1;
        }
    }
    for id in order {
        let entity = &entities[id];
        let Some((source, target)) = entity.schema.edge else {
            continue;
        };
        let rel_type = graph.intern_type(&entity.schema.rel_type());
        for start in &entity.props[source] {
            for end in &entity.props[target] {
                let props = graph.props_from(properties(id, entity, &[source, target]));
                graph.add_rel(nodes[start.as_str()], nodes[end.as_str()], rel_type, props);
                added.rels += 1;
            }
        }
    }
    added
}

/// An entity's properties as graph properties: `id`, then each FtM property (but
/// `skip`) as a list.
fn properties<'e>(id: &'e str, entity: &'e Entity, skip: &[&str]) -> Vec<(&'e str, Value)> {
    let mut props = vec![("id", Value::str(id))];
    for (name, values) in &entity.props {
        if skip.contains(&name.as_str()) || values.is_empty() {
            continue;
        }
        let kind = entity.schema.prop(name);
        let list = values.iter().map(|v| value(v, kind)).collect();
        props.push((name.as_str(), Value::List(list)));
    }
    props
}

/// A number property's text as an integer or float when it is exactly one (so `amount`
/// sorts and sums), anything else as the text.
fn value(text: &str, kind: Option<PropKind>) -> Value {
    if kind == Some(PropKind::Number) {
        if let Ok(i) = text.parse::<i64>()
            && i.to_string() == text
        {
            return Value::Int(i);
        }
        if let Ok(f) = text.parse::<f64>()
            && f.is_finite()
            && f.to_string() == text
        {
            return Value::Float(f);
        }
    }
    Value::str(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemata_are_sorted_for_binary_search() {
        assert!(SCHEMATA.windows(2).all(|w| w[0].name < w[1].name));
        assert!(
            SCHEMATA
                .iter()
                .all(|s| s.props.windows(2).all(|w| w[0].0 < w[1].0))
        );
    }

    #[test]
    fn properties_are_inherited() {
        let ownership = schema("Ownership").unwrap();
        assert_eq!(ownership.edge, Some(("owner", "asset")));
        assert_eq!(ownership.prop("startDate"), Some(PropKind::Date));
        assert_eq!(ownership.prop("owner"), Some(PropKind::Entity));
        assert_eq!(
            schema("Payment").unwrap().prop("amount"),
            Some(PropKind::Number)
        );
        assert_eq!(schema("Person").unwrap().prop("name"), Some(PropKind::Text));
        assert_eq!(schema("Person").unwrap().prop("colour"), None);
        assert!(schema("Thing").unwrap().abstract_);
    }

    #[test]
    fn edge_schemata_map_to_relationship_types_and_back() {
        let link = schema("UnknownLink").unwrap();
        assert_eq!(link.rel_type(), "UNKNOWN_LINK");
        assert_eq!(
            edge_schema("UNKNOWN_LINK").map(|s| s.name),
            Some("UnknownLink")
        );
        assert_eq!(edge_schema("OWNERSHIP").map(|s| s.name), Some("Ownership"));
        assert!(edge_schema("DATA_FLOW").is_none());
    }

    #[test]
    fn numbers_become_numbers_only_when_exact() {
        assert_eq!(value("750000", Some(PropKind::Number)), Value::Int(750_000));
        assert_eq!(value("2.5", Some(PropKind::Number)), Value::Float(2.5));
        assert_eq!(
            value("1500.50", Some(PropKind::Number)),
            Value::str("1500.50")
        );
        assert_eq!(value("007", Some(PropKind::Number)), Value::str("007"));
        assert_eq!(value("750000", Some(PropKind::Text)), Value::str("750000"));
    }
}
