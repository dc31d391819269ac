//! JSON Lines in (`--jsonl FILE`): the rows `--format jsonl` writes, loaded back as a
//! graph. Each line is an object of columns; every node (`{"id", "labels",
//! "properties"}`), relationship (`{"id", "type", "start", "end", "properties"}`) and path
//! (`{"nodes", "relationships"}`) in it, inside lists and maps too, is added once, by
//! its exported id, and other values are ignored. So
//! `MATCH (a)-[r]->(b) RETURN a, r, b` exported and loaded back is the same graph, ids
//! aside (the loaded graph numbers its own).
//!
//! JSON has no dates: text of the form `YYYY-MM-DD`, `YYYY-MM` or a bound (`<2017-06-08`) becomes a date or partial date again, as the
//! export wrote it from one; other text stays text. A relationship whose end node no line
//! holds is an error naming its line.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde_json::{Map, Value as Json};

use super::LoadError;
use crate::graph::{Graph, NodeId, Value};

/// What [`load_jsonl`] added.
pub use super::ftm::Added;

/// Opens a JSON Lines file, refusing devices and folders as the CSV loader does.
pub(crate) fn open(path: &Path) -> Result<BufReader<std::fs::File>, LoadError> {
    let io_error = |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    super::refuse_devices(path, &file.metadata().map_err(io_error)?)?;
    Ok(BufReader::new(file))
}

/// Calls `each(line number, value)` for every non-blank line, stopping at the first
/// error. A line that is not JSON is an error with its line and column.
pub(crate) fn for_each_line(
    mut reader: impl BufRead,
    path: &Path,
    mut each: impl FnMut(u64, Json) -> Result<(), LoadError>,
) -> Result<(), LoadError> {
    let file = path.display().to_string();
    let mut text = String::new();
    let mut line = 0;
    loop {
        text.clear();
        line += 1;
        let read = (&mut reader)
            .take(super::reader::MAX_RECORD_BYTES as u64 + 1)
            .read_line(&mut text)
            .map_err(|source| LoadError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        if read == 0 {
            return Ok(());
        }
        if read > super::reader::MAX_RECORD_BYTES {
            return Err(LoadError::BadJsonLine {
                file,
                line,
                message: format!(
                    "the line is longer than {} MiB",
                    super::reader::MAX_RECORD_BYTES >> 20
                ),
            });
        }
        if text.trim().is_empty() {
            continue;
        }
        let json = serde_json::from_str(&text).map_err(|e| LoadError::BadJsonLine {
            file: file.clone(),
            line,
            message: format!("not JSON at column {}: {}", e.column(), json_reason(&e)),
        })?;
        each(line, json)?;
    }
}

/// serde_json's message without its ` at line 1 column 2`, which the caller says better.
fn json_reason(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// A node as the export wrote it.
struct Node {
    id: i64,
    labels: Vec<String>,
    props: Vec<(String, Value)>,
}

/// A relationship as the export wrote it, with the line it came from.
struct Rel {
    id: i64,
    line: u64,
    rel_type: String,
    start: i64,
    end: i64,
    props: Vec<(String, Value)>,
}

/// Adds the nodes and relationships in the JSON Lines files `paths` to `graph`; nothing
/// is added unless every file loads.
///
/// # Errors
/// [`LoadError::Io`] for a file that cannot be read, [`LoadError::BadJsonLine`] for a
/// line that is not an object or holds a malformed node or relationship, and
/// [`LoadError::DanglingReference`] for a relationship whose end no line holds.
pub fn load_jsonl(graph: &mut Graph, paths: &[impl AsRef<Path>]) -> Result<Added, LoadError> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut node_ids: HashMap<i64, usize> = HashMap::new();
    let mut rels: Vec<(String, Rel)> = Vec::new();
    let mut rel_ids: HashSet<i64> = HashSet::new();
    for path in paths {
        let path = path.as_ref();
        let file = path.display().to_string();
        for_each_line(open(path)?, path, |line, json| {
            let bad = |message: String| LoadError::BadJsonLine {
                file: file.clone(),
                line,
                message,
            };
            if !json.is_object() {
                return Err(bad("expected a row, a JSON object".into()));
            }
            let mut found = Found::default();
            found.walk(&json).map_err(bad)?;
            for node in found.nodes {
                if let Entry::Vacant(slot) = node_ids.entry(node.id) {
                    slot.insert(nodes.len());
                    nodes.push(node);
                }
            }
            for (id, mut rel) in found.rels {
                if rel_ids.insert(id) {
                    rel.line = line;
                    rels.push((file.clone(), rel));
                }
            }
            Ok(())
        })?;
    }
    for (file, rel) in &rels {
        for end in [rel.start, rel.end] {
            if !node_ids.contains_key(&end) {
                return Err(LoadError::DanglingReference {
                    file: file.clone(),
                    line: rel.line,
                    what: format!("relationship {} (:{})", rel.id, rel.rel_type),
                    id: format!("node {end}"),
                });
            }
        }
    }
    let mut added_ids: HashMap<i64, NodeId> = HashMap::new();
    for node in &nodes {
        let labels = node.labels.iter().map(|l| graph.intern_label(l)).collect();
        let props = graph.props_from(node.props.iter().map(|(k, v)| (k.as_str(), v.clone())));
        added_ids.insert(node.id, graph.add_node(labels, props));
    }
    for (_, rel) in &rels {
        let rel_type = graph.intern_type(&rel.rel_type);
        let props = graph.props_from(rel.props.iter().map(|(k, v)| (k.as_str(), v.clone())));
        graph.add_rel(added_ids[&rel.start], added_ids[&rel.end], rel_type, props);
    }
    Ok(Added {
        nodes: nodes.len(),
        rels: rels.len(),
    })
}

/// The graph elements found in one line.
#[derive(Default)]
struct Found {
    nodes: Vec<Node>,
    rels: Vec<(i64, Rel)>,
}

impl Found {
    fn walk(&mut self, json: &Json) -> Result<(), String> {
        match json {
            Json::Array(items) => items.iter().try_for_each(|v| self.walk(v)),
            Json::Object(object) if is_shape(object, &["id", "labels", "properties"]) => {
                let id = int_field(object, "id")?;
                let labels = match &object["labels"] {
                    Json::Array(labels) => labels
                        .iter()
                        .map(|l| l.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>(),
                    _ => None,
                }
                .ok_or_else(|| format!("node {id}: \"labels\" is not a list of strings"))?;
                let props =
                    properties(&object["properties"]).map_err(|e| format!("node {id}: {e}"))?;
                self.nodes.push(Node { id, labels, props });
                Ok(())
            }
            Json::Object(object)
                if is_shape(object, &["id", "type", "start", "end", "properties"]) =>
            {
                let id = int_field(object, "id")?;
                let rel = Rel {
                    id,
                    line: 0,
                    rel_type: match &object["type"] {
                        Json::String(t) => t.clone(),
                        _ => return Err(format!("relationship {id}: \"type\" is not a string")),
                    },
                    start: int_field(object, "start")?,
                    end: int_field(object, "end")?,
                    props: properties(&object["properties"])
                        .map_err(|e| format!("relationship {id}: {e}"))?,
                };
                self.rels.push((id, rel));
                Ok(())
            }
            Json::Object(object) => object.values().try_for_each(|v| self.walk(v)),
            _ => Ok(()),
        }
    }
}

fn is_shape(object: &Map<String, Json>, keys: &[&str]) -> bool {
    object.len() == keys.len() && keys.iter().all(|k| object.contains_key(*k))
}

fn int_field(object: &Map<String, Json>, field: &str) -> Result<i64, String> {
    object[field]
        .as_i64()
        .ok_or_else(|| format!("{field:?} is not an integer id"))
}

fn properties(json: &Json) -> Result<Vec<(String, Value)>, String> {
    let Json::Object(map) = json else {
        return Err("\"properties\" is not an object".into());
    };
    let mut props = Vec::with_capacity(map.len());
    for (key, value) in map {
        if !value.is_null() {
            let value = property(value).ok_or_else(|| format!("property {key:?} holds a map"))?;
            props.push((key.clone(), value));
        }
    }
    Ok(props)
}

/// A property value from JSON; `None` for a map, which no property can hold.
fn property(json: &Json) -> Option<Value> {
    Some(match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64()?),
        },
        // A date as `--format jsonl` writes it: a day, or a partial date (`2015-04`,
        // `<2017-06-08`); a bare year stays text, since it is as likely a number's text.
        Json::String(s) if s.contains('-') || s.starts_with(['<', '>']) => {
            crate::graph::partial::parse_partial_date(s).unwrap_or_else(|| Value::str(s))
        }
        Json::String(s) => Value::str(s),
        Json::Array(items) => Value::List(items.iter().map(property).collect::<Option<_>>()?),
        Json::Object(_) => return None,
    })
}
