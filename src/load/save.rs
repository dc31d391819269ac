//! Graph → CSV folder, in the format the loader reads, so that loading what was saved
//! gives the same graph: the same nodes with the same labels, the same relationships
//! with the same types, and the same typed properties.
//!
//! Decisions:
//! - **Files.** Nodes go to `nodes.csv`, the [`Layout`]'s document nodes (the case
//!   graph's `Source` nodes) to `sources.csv`,
//!   relationships to `edges.csv`. `nodes.csv` and `edges.csv` are always written, even
//!   if only with a header.
//! - **Column types** come from the values: Int → `long`, Float → `double`, Bool →
//!   `boolean`, Date → `date`, DateTime → `datetime`, String → untyped (`key:string`
//!   when the key holds a colon), a list → `TYPE[]`.
//! - **One key, several types.** A column has one type, so when a key holds (say) an
//!   integer on one node and a string on another, the elements are spread over several
//!   files: each element goes to the first file of its kind whose columns fit it, and a
//!   new file is started when none does. The extra files are `nodes-2.csv`,
//!   `nodes-3.csv`, ... (likewise `sources-N.csv`, `edges-N.csv`), which
//!   [`Sources::from_dir`](super::Sources::from_dir) loads too.
//! - **Ids.** A node whose `id` property is a non-empty string not taken by an earlier
//!   node is written under that id in an `id:ID` column, which the loader stores back as
//!   its `id` property. Every other node (no `id`, a non-string `id`, an empty or repeated
//!   one) goes to a file with a bare `:ID` column (which stores no property) under a
//!   generated id, `_n<index>` plus as many `_` as needed to differ from every real id,
//!   and its `id` property, if any, is an ordinary column. So the `id` property always
//!   comes back exactly as it was.
//! - **Unstorable values** (maps, nested lists, lists mixing types or holding null, times
//!   without dates, durations, dates outside years 0–9999) and unwritable names (empty
//!   labels, types or keys, labels holding `;`, labels or types with spaces around them,
//!   which the loader trims) are a [`LoadError`], never silent loss.
//! - **Atomicity.** Every file is first written to a temporary file in the target
//!   folder; only when all are written are they renamed over the old ones, and then stale
//!   files of an earlier save (`nodes-3.csv`, `sources.csv`, ...) are removed. A failed
//!   save leaves the folder as it was (bar an I/O failure during the final renames).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::graph::{Graph, NodeId, Props, RelId, Symbol};

use super::cell::{Slot, slot_of, write_value};
use super::error::LoadError;
use super::header::{BaseType, Field, parse_field};

/// What [`save_dir`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SaveSummary {
    /// The files written.
    pub files: Vec<PathBuf>,
    /// Nodes written.
    pub nodes: usize,
    /// Relationships written.
    pub rels: usize,
}

/// `nodes.csv` → `("nodes", 1)`, `nodes-2.csv` → `("nodes", 2)`; likewise for `sources`
/// and `edges`. Other names → `None`.
pub(crate) fn numbered_file(name: &str) -> Option<(&'static str, u32)> {
    let base = name.strip_suffix(".csv")?;
    ["nodes", "sources", "edges"].into_iter().find_map(|stem| {
        let rest = base.strip_prefix(stem)?;
        if rest.is_empty() {
            return Some((stem, 1));
        }
        let digits = rest.strip_prefix('-')?;
        let valid = !digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit());
        let n: u32 = digits.parse().ok().filter(|_| valid)?;
        (n >= 2).then_some((stem, n))
    })
}

fn file_name(stem: &str, n: usize) -> String {
    if n == 1 {
        format!("{stem}.csv")
    } else {
        format!("{stem}-{n}.csv")
    }
}

/// Writes the whole graph into `dir` (created if missing) as `nodes.csv`, `edges.csv`
/// and, when needed, `sources.csv` and numbered extra files; see the module comment.
///
/// # Errors
/// [`LoadError::UnstorableValue`] or [`LoadError::UnstorableName`] for what the format
/// cannot hold, [`LoadError::Io`] when writing fails. On error the folder's datasets
/// files are left as they were.
pub fn save_dir(graph: &Graph, dir: &Path) -> Result<SaveSummary, LoadError> {
    save_dir_with(graph, dir, Layout::default())
}

/// How a save splits nodes between files: which label's nodes, if any, go to
/// `sources.csv` rather than `nodes.csv`. The label is the domain's choice (the case
/// graph's documents are `Source` nodes, see `casework`); the engine knows none.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// Nodes with this label are written to `sources.csv`.
    pub documents_label: Option<&'static str>,
}

/// [`save_dir`] with a file [`Layout`].
///
/// # Errors
/// As [`save_dir`].
pub fn save_dir_with(graph: &Graph, dir: &Path, layout: Layout) -> Result<SaveSummary, LoadError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| LoadError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let ids = NodeIds::assign(graph);
    let nodes = node_parts(graph, &ids, layout)?;
    let edges = edge_parts(graph, &ids)?;
    let mut written = Vec::new();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (stem, part) in nodes
        .iter()
        .map(|(stem, p)| (*stem, Written::Nodes(p)))
        .chain(edges.iter().map(|p| ("edges", Written::Edges(p))))
    {
        let n = counts.entry(stem).or_default();
        *n += 1;
        let mut tmp =
            crate::atomic::temp_file_beside(&dir.join(format!("{stem}.csv"))).map_err(io(dir))?;
        match part {
            Written::Nodes(part) => {
                let columns = property_columns(graph, part)?;
                write_nodes(graph, &ids, part, &columns, &mut tmp)
            }
            Written::Edges(part) => {
                let columns = property_columns(graph, part)?;
                write_edges(graph, &ids, part, &columns, &mut tmp)
            }
        }
        .map_err(io(tmp.path()))?;
        written.push((tmp, dir.join(file_name(stem, *n))));
    }
    let mut files = Vec::new();
    for (tmp, path) in written {
        tmp.persist(&path).map_err(|e| LoadError::Io {
            path: path.clone(),
            source: e.error,
        })?;
        files.push(path);
    }
    remove_stale(dir, &files)?;
    Ok(SaveSummary {
        files,
        nodes: graph.node_count(),
        rels: graph.rel_count(),
    })
}

enum Written<'a> {
    Nodes(&'a Part<NodeId>),
    Edges(&'a Part<RelId>),
}

/// Removes dataset files in `dir` that this save did not write.
fn remove_stale(dir: &Path, keep: &[PathBuf]) -> Result<(), LoadError> {
    let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let ours = entry.file_name().to_str().and_then(numbered_file).is_some();
        if ours && !keep.contains(&path) {
            std::fs::remove_file(&path).map_err(|source| LoadError::Io { path, source })?;
        }
    }
    Ok(())
}

/// The id each node is written under, and whether it is its own `id` property.
struct NodeIds<'g> {
    ids: Vec<Option<(Cow<'g, str>, bool)>>,
}

impl<'g> NodeIds<'g> {
    fn assign(graph: &'g Graph) -> NodeIds<'g> {
        let len = graph
            .node_ids()
            .map(|n| n.0 as usize + 1)
            .max()
            .unwrap_or(0);
        let mut ids = vec![None; len];
        let mut own = HashSet::new();
        let id_key = graph.key_symbol("id");
        for node in graph.node_ids() {
            let id = id_key.and_then(|k| graph.node_property(node, k));
            let id = id.and_then(|v| v.as_str()).filter(|s| !s.is_empty());
            if let Some(id) = id.filter(|id| own.insert(*id)) {
                ids[node.0 as usize] = Some((Cow::Borrowed(id), true));
            }
        }
        for node in graph.node_ids() {
            let slot = &mut ids[node.0 as usize];
            if slot.is_none() {
                let mut id = format!("_n{}", node.0);
                while own.contains(id.as_str()) {
                    id.push('_');
                }
                *slot = Some((Cow::Owned(id), false));
            }
        }
        NodeIds { ids }
    }

    fn get(&self, node: NodeId) -> (&str, bool) {
        match &self.ids[node.0 as usize] {
            Some((id, own)) => (id, *own),
            None => ("", false),
        }
    }
}

/// A set of elements written to one file, with the type of each of its columns.
struct Part<E> {
    group: u8,
    slots: HashMap<Symbol, Slot>,
    members: Vec<E>,
}

/// Puts an element in the first part of its group whose columns fit it.
fn place<E>(parts: &mut Vec<Part<E>>, element: E, group: u8, sig: &[(Symbol, Slot)]) {
    let fits = |part: &Part<E>| {
        part.group == group
            && sig
                .iter()
                .all(|(k, s)| part.slots.get(k).is_none_or(|t| t.merge(*s).is_some()))
    };
    let i = match parts.iter().position(fits) {
        Some(i) => i,
        None => {
            parts.push(Part {
                group,
                slots: HashMap::new(),
                members: Vec::new(),
            });
            parts.len() - 1
        }
    };
    let part = &mut parts[i];
    for &(k, s) in sig {
        let merged = part.slots.get(&k).map_or(Some(s), |t| t.merge(s));
        part.slots.insert(k, merged.unwrap_or(s));
    }
    part.members.push(element);
}

/// The slots of an element's properties (leaving out `skip`), or the reason one fails.
fn signature(
    graph: &Graph,
    props: &Props,
    skip: Option<Symbol>,
    element: impl Fn() -> String,
) -> Result<Vec<(Symbol, Slot)>, LoadError> {
    let mut sig = Vec::with_capacity(props.len());
    for (k, v) in props.iter().filter(|(k, _)| Some(*k) != skip) {
        let slot = slot_of(v).map_err(|reason| LoadError::UnstorableValue {
            element: element(),
            key: graph.key_name(k).to_string(),
            reason,
        })?;
        sig.push((k, slot));
    }
    Ok(sig)
}

/// Groups: bit 0 set for nodes written under their own id, bit 1 for the layout's
/// document nodes.
fn node_parts(
    graph: &Graph,
    ids: &NodeIds<'_>,
    layout: Layout,
) -> Result<Vec<(&'static str, Part<NodeId>)>, LoadError> {
    let id_key = graph.key_symbol("id");
    let source = layout.documents_label.and_then(|l| graph.label_symbol(l));
    let mut parts = Vec::new();
    for node in graph.node_ids() {
        let Some(data) = graph.node(node) else {
            continue;
        };
        for &l in &data.labels {
            check_label(graph.label_name(l))?;
        }
        let (id, own) = ids.get(node);
        let is_source = source.is_some_and(|s| data.labels.contains(&s));
        let group = u8::from(own) | (u8::from(is_source) << 1);
        let sig = signature(graph, &data.props, id_key.filter(|_| own), || {
            format!("the node with id {id:?}")
        })?;
        place(&mut parts, node, group, &sig);
    }
    if !parts.iter().any(|p| p.group & 2 == 0) {
        parts.insert(
            0,
            Part {
                group: 1,
                slots: HashMap::new(),
                members: Vec::new(),
            },
        );
    }
    // Stable: nodes first, then sources; within each, in creation order.
    parts.sort_by_key(|p| p.group & 2);
    Ok(parts
        .into_iter()
        .map(|p| (if p.group & 2 == 0 { "nodes" } else { "sources" }, p))
        .collect())
}

fn edge_parts(graph: &Graph, ids: &NodeIds<'_>) -> Result<Vec<Part<RelId>>, LoadError> {
    let mut parts = Vec::new();
    for rel in graph.rel_ids() {
        let (Some(data), Some((start, end))) = (graph.rel(rel), graph.endpoints(rel)) else {
            continue;
        };
        let name = graph.type_name(data.rel_type);
        if name.is_empty() || name.trim() != name {
            return Err(unwritable(
                "relationship type",
                name,
                "the loader trims types, and an empty one is no type",
            ));
        }
        let sig = signature(graph, &data.props, None, || {
            format!(
                "the relationship ({:?})-[:{name}]->({:?})",
                ids.get(start).0,
                ids.get(end).0
            )
        })?;
        place(&mut parts, rel, 0, &sig);
    }
    if parts.is_empty() {
        parts.push(Part {
            group: 0,
            slots: HashMap::new(),
            members: Vec::new(),
        });
    }
    Ok(parts)
}

fn check_label(label: &str) -> Result<(), LoadError> {
    if label.is_empty() || label.trim() != label {
        Err(unwritable(
            "label",
            label,
            "the loader trims labels and drops empty ones",
        ))
    } else if label.contains(';') {
        Err(unwritable(
            "label",
            label,
            "`;` separates labels in a :LABEL cell",
        ))
    } else {
        Ok(())
    }
}

fn unwritable(what: &'static str, name: &str, reason: &'static str) -> LoadError {
    LoadError::UnstorableName {
        what,
        name: name.to_string(),
        reason,
    }
}

/// The part's property columns in key order, with their header cells.
fn property_columns<E>(graph: &Graph, part: &Part<E>) -> Result<Vec<(Symbol, String)>, LoadError> {
    let mut keys: Vec<_> = part.slots.iter().map(|(k, s)| (*k, *s)).collect();
    keys.sort_unstable_by_key(|(k, _)| *k);
    keys.into_iter()
        .map(|(k, slot)| {
            let name = graph.key_name(k);
            let ty = slot.prop_type();
            let header = match (ty.base, ty.array) {
                (BaseType::String, false) if !name.contains(':') => name.to_string(),
                (base, array) => format!("{name}:{}{}", base.name(), if array { "[]" } else { "" }),
            };
            // The loader must read this cell back as this very property.
            match parse_field(&header) {
                Ok(Field::Property {
                    name: back,
                    ty: back_ty,
                }) if back == name && back_ty == ty && !name.is_empty() => Ok((k, header)),
                _ => Err(unwritable(
                    "property key",
                    name,
                    "no header cell reads back as this key",
                )),
            }
        })
        .collect()
}

fn write_nodes(
    graph: &Graph,
    ids: &NodeIds<'_>,
    part: &Part<NodeId>,
    columns: &[(Symbol, String)],
    out: &mut NamedTempFile,
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(out);
    let mut line = String::new();
    push_cell(
        &mut line,
        if part.group & 1 == 1 { "id:ID" } else { ":ID" },
        false,
    );
    line.push(',');
    push_cell(&mut line, ":LABEL", false);
    push_headers(&mut line, columns);
    w.write_all(line.as_bytes())?;
    let mut scratch = String::new();
    for &node in &part.members {
        let Some(data) = graph.node(node) else {
            continue;
        };
        line.clear();
        push_cell(&mut line, ids.get(node).0, false);
        line.push(',');
        scratch.clear();
        for (i, &l) in data.labels.iter().enumerate() {
            if i > 0 {
                scratch.push(';');
            }
            scratch.push_str(graph.label_name(l));
        }
        push_cell(&mut line, &scratch, false);
        push_props(&mut line, &mut scratch, &data.props, columns);
        w.write_all(line.as_bytes())?;
    }
    w.flush()
}

fn write_edges(
    graph: &Graph,
    ids: &NodeIds<'_>,
    part: &Part<RelId>,
    columns: &[(Symbol, String)],
    out: &mut NamedTempFile,
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(out);
    let mut line = String::from(":START_ID,:END_ID,:TYPE");
    push_headers(&mut line, columns);
    w.write_all(line.as_bytes())?;
    let mut scratch = String::new();
    for &rel in &part.members {
        let (Some(data), Some((start, end))) = (graph.rel(rel), graph.endpoints(rel)) else {
            continue;
        };
        line.clear();
        push_cell(&mut line, ids.get(start).0, false);
        line.push(',');
        push_cell(&mut line, ids.get(end).0, false);
        line.push(',');
        push_cell(&mut line, graph.type_name(data.rel_type), false);
        push_props(&mut line, &mut scratch, &data.props, columns);
        w.write_all(line.as_bytes())?;
    }
    w.flush()
}

fn push_headers(line: &mut String, columns: &[(Symbol, String)]) {
    for (_, header) in columns {
        line.push(',');
        push_cell(line, header, false);
    }
    line.push('\n');
}

fn push_props(
    line: &mut String,
    scratch: &mut String,
    props: &Props,
    columns: &[(Symbol, String)],
) {
    for (key, _) in columns {
        line.push(',');
        if let Some(value) = props.get(*key) {
            scratch.clear();
            let quote = write_value(value, scratch);
            push_cell(line, scratch, quote);
        }
    }
    line.push('\n');
}

/// Appends one RFC 4180 cell, quoted when it must be.
fn push_cell(line: &mut String, text: &str, force_quote: bool) {
    if force_quote || text.contains([',', '"', '\r', '\n']) {
        line.push('"');
        for c in text.chars() {
            if c == '"' {
                line.push('"');
            }
            line.push(c);
        }
        line.push('"');
    } else {
        line.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_file_names_are_recognised() {
        assert_eq!(numbered_file("nodes.csv"), Some(("nodes", 1)));
        assert_eq!(numbered_file("edges-12.csv"), Some(("edges", 12)));
        assert_eq!(numbered_file("sources-2.csv"), Some(("sources", 2)));
        for other in [
            "nodes-1.csv",
            "nodes-02.csv",
            "nodes-.csv",
            "nodes_old.csv",
            "people.csv",
        ] {
            assert_eq!(numbered_file(other), None, "{other}");
        }
    }

    #[test]
    fn cells_are_quoted_only_when_needed() {
        let mut line = String::new();
        push_cell(&mut line, "plain", false);
        push_cell(&mut line, "a,\"b\"", false);
        push_cell(&mut line, "", true);
        assert_eq!(line, "plain\"a,\"\"b\"\"\"\"\"");
    }
}
