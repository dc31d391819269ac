//! The property graph: nodes with labels and properties, typed relationships with
//! properties, kept in petgraph's `StableDiGraph` so that deleting one element never
//! changes another's id. Labels, relationship types and property keys are interned.
//! A label index and a `name` index let the planner start from few nodes.
//! Reads of elements live here, writes in `mutation.rs`, a node's relationships in
//! `rels.rs`, the per-type adjacency index in `adjacency.rs`.
//!
//! This is the only module that imports petgraph.

mod adjacency;
mod columns;
mod mutation;
mod names;
pub mod partial;
mod rels;
mod undo;
pub mod value;

use std::collections::{BTreeSet, HashMap};
use std::num::NonZeroU32;
use std::sync::Arc;

use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeIndexable, EdgeRef, IntoEdgeReferences, NodeIndexable};

pub use undo::{Before, Mark};
pub use value::{Duration, NodeId, Path, RelId, Value};

use adjacency::{Adjacency, MAX_MERGED_TYPES, MAX_TYPES, TypedRuns};
use columns::PropertyColumns;
use names::NameIndex;

/// Interned label, relationship type or property key.
pub type Symbol = u32;

/// A string interner: each distinct name gets a small number, once.
#[derive(Clone, Debug, Default)]
pub struct Interner {
    names: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, Symbol, foldhash::fast::RandomState>,
}

impl Interner {
    /// The symbol for `name`, creating it if new.
    pub fn intern(&mut self, name: &str) -> Symbol {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as Symbol;
        let name: Arc<str> = Arc::from(name);
        self.names.push(name.clone());
        self.ids.insert(name, id);
        id
    }

    /// The symbol for `name` if it was ever interned.
    pub fn get(&self, name: &str) -> Option<Symbol> {
        self.ids.get(name).copied()
    }

    pub fn name(&self, id: Symbol) -> &str {
        &self.names[id as usize]
    }

    /// The name as a shared string, so a value made of it costs no allocation.
    pub fn shared_name(&self, id: Symbol) -> Arc<str> {
        self.names[id as usize].clone()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A property map: few keys per element, so a small vector sorted by key beats a hash map.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Props(Vec<(Symbol, Value)>);

impl Props {
    pub fn get(&self, key: Symbol) -> Option<&Value> {
        self.0
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// Sets `key`; a null value removes it. Returns the previous value.
    pub fn set(&mut self, key: Symbol, value: Value) -> Option<Value> {
        match self.0.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(i) if value.is_null() => Some(self.0.remove(i).1),
            Ok(i) => Some(std::mem::replace(&mut self.0[i].1, value)),
            Err(_) if value.is_null() => None,
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = (Symbol, &Value)> {
        self.0.iter().map(|(k, v)| (*k, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A node's labels and properties, as a copy: the graph keeps them apart (see
/// [`Graph::node`]).
#[derive(Clone, Debug, Default)]
pub struct NodeData {
    /// Sorted, no duplicates.
    pub labels: Vec<Symbol>,
    pub props: Props,
}

/// A relationship's type and properties, as a copy: the graph keeps them apart (see
/// [`Graph::rel`]).
#[derive(Clone, Debug)]
pub struct RelData {
    pub rel_type: Symbol,
    pub props: Props,
}

/// A node's set of labels as petgraph's node weight: the number of the set in
/// [`LabelSets`], never zero, so that a node takes 12 bytes in petgraph.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct LabelSetId(NonZeroU32);

/// Every distinct set of labels that a node has carried: few, as nodes of one kind
/// share theirs.
#[derive(Clone, Debug)]
struct LabelSets {
    /// Sorted labels without duplicates, by set number less one.
    sets: Vec<Box<[Symbol]>>,
    ids: HashMap<Box<[Symbol]>, LabelSetId, foldhash::fast::RandomState>,
}

impl Default for LabelSets {
    fn default() -> LabelSets {
        let mut sets = LabelSets {
            sets: Vec::new(),
            ids: HashMap::default(),
        };
        sets.intern(&[]);
        sets
    }
}

impl LabelSets {
    /// The number of a set of sorted labels without duplicates, creating it if new.
    fn intern(&mut self, labels: &[Symbol]) -> LabelSetId {
        if let Some(&id) = self.ids.get(labels) {
            return id;
        }
        let id = LabelSetId(NonZeroU32::MIN.saturating_add(self.sets.len() as u32));
        self.sets.push(labels.into());
        self.ids.insert(labels.into(), id);
        id
    }

    fn labels(&self, id: LabelSetId) -> &[Symbol] {
        &self.sets[id.0.get() as usize - 1]
    }
}

/// A relationship type as petgraph's edge weight: never zero, so that petgraph's
/// `Option` around each weight costs nothing and an edge takes 20 bytes instead of 24.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct TypeTag(NonZeroU32);

impl TypeTag {
    fn new(rel_type: Symbol) -> TypeTag {
        TypeTag(NonZeroU32::MIN.saturating_add(rel_type))
    }

    fn symbol(self) -> Symbol {
        self.0.get() - 1
    }
}

/// Which relationships of a node to follow.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Direction {
    Outgoing,
    Incoming,
    Both,
}

/// The in-memory property graph.
///
/// A node's labels are its petgraph node weight and a relationship's type its edge
/// weight; the properties of both live in per-key columns (`columns.rs`), so that a
/// relationship costs no heap allocation and a node none for properties that repeat.
/// After a bulk load, [`Graph::build_adjacency`] adds a per-node index sorted by type
/// (`adjacency.rs`) that typed expansions read.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    inner: StableDiGraph<LabelSetId, TypeTag>,
    label_sets: LabelSets,
    node_props: PropertyColumns,
    rel_props: PropertyColumns,
    adjacency: Option<Adjacency>,
    labels: Interner,
    types: Interner,
    keys: Interner,
    /// Nodes per label, indexed by label symbol.
    label_index: Vec<BTreeSet<NodeId>>,
    /// Nodes per string value of their `name` property.
    name_index: NameIndex,
    name_key: Option<Symbol>,
    /// Writes noted since recording started, to undo (`undo.rs`); `None`: not recording.
    log: Option<Vec<undo::Change>>,
}

fn nidx(id: NodeId) -> NodeIndex {
    NodeIndex::new(id.0 as usize)
}
fn eidx(id: RelId) -> EdgeIndex {
    EdgeIndex::new(id.0 as usize)
}
fn node_id(i: NodeIndex) -> NodeId {
    NodeId(i.index() as u32)
}
fn rel_id(i: EdgeIndex) -> RelId {
    RelId(i.index() as u32)
}

impl Graph {
    pub fn new() -> Graph {
        let mut graph = Graph::default();
        graph.name_key = Some(graph.keys.intern("name"));
        graph
    }

    // ── Symbols ──

    pub fn intern_label(&mut self, name: &str) -> Symbol {
        let id = self.labels.intern(name);
        if self.label_index.len() <= id as usize {
            self.label_index.resize_with(id as usize + 1, BTreeSet::new);
        }
        id
    }
    pub fn intern_type(&mut self, name: &str) -> Symbol {
        self.types.intern(name)
    }
    pub fn intern_key(&mut self, name: &str) -> Symbol {
        self.keys.intern(name)
    }
    pub fn label_symbol(&self, name: &str) -> Option<Symbol> {
        self.labels.get(name)
    }
    pub fn type_symbol(&self, name: &str) -> Option<Symbol> {
        self.types.get(name)
    }
    pub fn key_symbol(&self, name: &str) -> Option<Symbol> {
        self.keys.get(name)
    }
    pub fn label_name(&self, id: Symbol) -> &str {
        self.labels.name(id)
    }
    pub fn type_name(&self, id: Symbol) -> &str {
        self.types.name(id)
    }
    /// `type(r)`'s value: the interned name, shared rather than copied.
    pub fn type_name_value(&self, id: Symbol) -> Value {
        Value::String(self.types.shared_name(id))
    }
    pub fn key_name(&self, id: Symbol) -> &str {
        self.keys.name(id)
    }
    /// Every label ever used, with how many nodes carry it now.
    pub fn label_counts(&self) -> Vec<(&str, usize)> {
        (0..self.labels.len() as Symbol)
            .map(|l| (self.labels.name(l), self.label_index[l as usize].len()))
            .collect()
    }
    /// Every relationship type with how many relationships have it now.
    pub fn type_counts(&self) -> Vec<(&str, usize)> {
        let mut counts = vec![0usize; self.types.len()];
        for t in self.inner.edge_weights() {
            counts[t.symbol() as usize] += 1;
        }
        counts
            .into_iter()
            .enumerate()
            .map(|(t, c)| (self.types.name(t as Symbol), c))
            .collect()
    }
    /// Every property key ever used.
    pub fn key_names(&self) -> impl Iterator<Item = &str> {
        (0..self.keys.len() as Symbol).map(|k| self.keys.name(k))
    }

    // ── Counts and scans ──

    pub fn node_count(&self) -> usize {
        self.inner.node_count()
    }
    /// One more than the largest node id in use: ids index arrays of this length.
    pub fn node_id_bound(&self) -> usize {
        self.inner.node_bound()
    }

    /// One more than the largest relationship id in use.
    pub fn rel_id_bound(&self) -> usize {
        self.inner.edge_bound()
    }

    /// The relationships with ids in `ids`, in id order.
    pub fn rel_ids_in(&self, ids: std::ops::Range<usize>) -> impl Iterator<Item = RelId> + '_ {
        let ids = ids.start..ids.end.min(self.inner.edge_bound());
        ids.map(|i| RelId(i as u32))
            .filter(|&rel| self.inner.edge_weight(eidx(rel)).is_some())
    }

    pub fn rel_count(&self) -> usize {
        self.inner.edge_count()
    }
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.inner.node_indices().map(node_id)
    }
    pub fn rel_ids(&self) -> impl Iterator<Item = RelId> + '_ {
        self.inner.edge_indices().map(rel_id)
    }
    /// Nodes carrying `label`, in id order.
    pub fn nodes_with_label(&self, label: Symbol) -> impl Iterator<Item = NodeId> + '_ {
        self.label_index
            .get(label as usize)
            .into_iter()
            .flat_map(|set| set.iter().copied())
    }
    pub fn label_count(&self, label: Symbol) -> usize {
        self.label_index
            .get(label as usize)
            .map_or(0, BTreeSet::len)
    }
    /// Nodes whose `name` property is the string `name`.
    pub fn nodes_named(&self, name: &str) -> &[NodeId] {
        self.name_index.get(name, |n| self.name_of(n))
    }
    /// The property key that the name index covers.
    /// Whether every node has a string `name` that no other node has, so that a node's
    /// name identifies it (grouping by name is grouping by node).
    pub fn names_identify_nodes(&self) -> bool {
        self.name_index.names_are_distinct() && self.name_index.len() == self.node_count()
    }

    pub fn name_key(&self) -> Option<Symbol> {
        self.name_key
    }

    // ── Elements ──

    pub fn contains_node(&self, id: NodeId) -> bool {
        self.inner.contains_node(nidx(id))
    }
    pub fn contains_rel(&self, id: RelId) -> bool {
        self.inner.edge_weight(eidx(id)).is_some()
    }
    /// A copy of the node's labels and properties (reading one property is cheaper
    /// with [`Graph::node_property`], the labels with [`Graph::labels_of`]).
    pub fn node(&self, id: NodeId) -> Option<NodeData> {
        Some(NodeData {
            labels: self
                .label_sets
                .labels(*self.inner.node_weight(nidx(id))?)
                .to_vec(),
            props: self.node_props.props(id.0),
        })
    }
    /// The node's labels, sorted (none for a node that does not exist).
    pub fn labels_of(&self, id: NodeId) -> &[Symbol] {
        self.inner
            .node_weight(nidx(id))
            .map_or(&[], |set| self.label_sets.labels(*set))
    }
    /// A copy of the relationship's type and properties (reading one property is
    /// cheaper with [`Graph::rel_property`]).
    pub fn rel(&self, id: RelId) -> Option<RelData> {
        let rel_type = self.inner.edge_weight(eidx(id))?.symbol();
        Some(RelData {
            rel_type,
            props: self.rel_props.props(id.0),
        })
    }
    pub fn has_label(&self, id: NodeId, label: Symbol) -> bool {
        self.labels_of(id).binary_search(&label).is_ok()
    }
    pub fn node_property(&self, id: NodeId, key: Symbol) -> Option<&Value> {
        // Columns are cleared when a node is deleted, so no liveness check.
        self.node_props.get(id.0, key)
    }
    pub fn rel_property(&self, id: RelId, key: Symbol) -> Option<&Value> {
        // Columns are cleared when a relationship is deleted, so no liveness check.
        self.rel_props.get(id.0, key)
    }
    /// `(start, end)` of a relationship.
    pub fn endpoints(&self, id: RelId) -> Option<(NodeId, NodeId)> {
        self.inner
            .edge_endpoints(eidx(id))
            .map(|(a, b)| (node_id(a), node_id(b)))
    }
    pub fn rel_type(&self, id: RelId) -> Option<Symbol> {
        self.inner.edge_weight(eidx(id)).map(|t| t.symbol())
    }

    // ── Bulk loading ──

    /// Makes room for `nodes` more nodes and `rels` more relationships.
    pub fn reserve(&mut self, nodes: usize, rels: usize) {
        self.inner.reserve_nodes(nodes);
        self.inner.reserve_edges(rels);
        self.node_props.reserve(self.inner.node_count() + nodes);
        self.rel_props.reserve(self.inner.edge_count() + rels);
        if let Some(name_key) = self.name_key {
            self.name_index
                .reserve(nodes, name_reader(&self.node_props, name_key));
        }
    }

    /// Gives back the room reserved beyond what the graph holds (a bulk load reserves
    /// from an estimate of its row count).
    pub fn shrink_to_fit(&mut self) {
        self.inner.shrink_to_fit();
        self.node_props.shrink_to_fit();
        self.rel_props.shrink_to_fit();
    }

    /// Builds the per-node adjacency index sorted by relationship type, replacing any
    /// earlier one. Later writes keep it correct; call it again after many of them.
    pub fn build_adjacency(&mut self) {
        let inner = &self.inner;
        self.adjacency = None;
        if self.types.len() > MAX_TYPES {
            return;
        }
        self.adjacency = Some(Adjacency::build(inner.node_bound(), || {
            inner.edge_references().map(|e| {
                (
                    rel_id(e.id()),
                    e.weight().symbol(),
                    node_id(e.source()),
                    node_id(e.target()),
                )
            })
        }));
    }

    /// Bytes of heap held by relationship properties and the adjacency index, roughly.
    pub fn rel_storage_bytes(&self) -> usize {
        self.rel_props.heap_size() + self.adjacency.as_ref().map_or(0, Adjacency::heap_size)
    }

    /// Bytes of heap held by node properties (not the strings they share) and the name
    /// index, roughly.
    pub fn node_storage_bytes(&self) -> usize {
        self.node_props.heap_size() + self.name_index.heap_size()
    }
}

/// Each node's `name`, when it is a string: what the name index hashes and compares.
fn name_reader<'a>(
    node_props: &'a PropertyColumns,
    name_key: Symbol,
) -> impl Fn(NodeId) -> Option<&'a str> + Copy + 'a {
    move |n| node_props.get(n.0, name_key).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Graph, NodeId, NodeId, RelId) {
        let mut g = Graph::new();
        let a = g.add_node_named(&["Person"], vec![("name", Value::str("Kogan"))]);
        let b = g.add_node_named(&["Company"], vec![("name", Value::str("GSR"))]);
        let t = g.intern_type("LEADS");
        let r = g.add_rel(a, b, t, Props::default());
        (g, a, b, r)
    }

    #[test]
    fn label_index_follows_label_changes() {
        let (mut g, a, _, _) = sample();
        let person = g.label_symbol("Person").unwrap();
        assert_eq!(g.nodes_with_label(person).collect::<Vec<_>>(), vec![a]);
        g.remove_label(a, person);
        assert_eq!(g.label_count(person), 0);
    }

    #[test]
    fn names_identify_nodes_only_while_every_node_has_its_own_string_name() {
        let (mut g, a, b, _) = sample();
        assert!(g.names_identify_nodes());
        let name = g.key_symbol("name").unwrap();
        g.set_node_property(b, name, Value::str("Kogan"));
        assert!(!g.names_identify_nodes(), "two nodes named Kogan");
        g.set_node_property(b, name, Value::str("GSR"));
        assert!(g.names_identify_nodes());
        g.set_node_property(a, name, Value::Int(1));
        assert!(!g.names_identify_nodes(), "a name that is not a string");
        g.set_node_property(a, name, Value::str("Kogan"));
        let c = g.add_node_named(&["Company"], vec![]);
        assert!(!g.names_identify_nodes(), "a node without a name");
        g.remove_node(c);
        assert!(g.names_identify_nodes());
    }

    #[test]
    fn name_index_follows_property_changes() {
        let (mut g, a, _, _) = sample();
        assert_eq!(g.nodes_named("Kogan"), &[a]);
        let name = g.key_symbol("name").unwrap();
        g.set_node_property(a, name, Value::str("A. Kogan"));
        assert!(g.nodes_named("Kogan").is_empty());
        assert_eq!(g.nodes_named("A. Kogan"), &[a]);
        g.remove_node(a);
        assert!(g.nodes_named("A. Kogan").is_empty());
    }

    #[test]
    fn removing_a_node_keeps_other_ids_and_drops_its_relationships() {
        let (mut g, a, b, r) = sample();
        g.remove_node(a);
        assert!(g.contains_node(b));
        assert!(!g.contains_rel(r));
        assert_eq!(g.rels_of(b, Direction::Both).count(), 0);
    }

    #[test]
    fn relationship_properties_follow_writes_and_deletes() {
        let (mut g, a, b, r) = sample();
        let records = g.intern_key("records");
        g.set_rel_property(r, records, Value::Int(10));
        assert!(matches!(g.rel_property(r, records), Some(Value::Int(10))));
        assert_eq!(g.rel(r).unwrap().props.len(), 1);
        g.remove_rel(r);
        assert!(g.rel_property(r, records).is_none());
        assert!(g.set_rel_property(r, records, Value::Int(1)).is_none());
        // A new relationship reusing the id starts without properties.
        let t = g.type_symbol("LEADS").unwrap();
        let again = g.add_rel(a, b, t, Props::default());
        assert_eq!(again, r);
        assert!(g.rel_property(again, records).is_none());
    }

    #[test]
    fn relationship_storage_costs_no_allocation_per_relationship() {
        let mut g = Graph::new();
        let a = g.add_node_named(&[], vec![]);
        let b = g.add_node_named(&[], vec![]);
        let t = g.intern_type("T");
        let count = 10_000;
        g.reserve(0, count);
        for i in 0..count as i64 {
            let props = g.props_from([("records", Value::Int(i % 100)), ("date", Value::str("x"))]);
            g.add_rel(a, b, t, props);
        }
        g.build_adjacency();
        // Two 4-byte slots of properties plus two 12-byte index entries, plus small change.
        let per_rel = g.rel_storage_bytes() / count;
        assert!(per_rel <= 34, "{per_rel} bytes per relationship");
    }

    #[test]
    fn node_labels_and_properties_follow_writes_and_deletes() {
        let (mut g, a, _, _) = sample();
        let (person, staff) = (g.intern_label("Person"), g.intern_label("Staff"));
        let age = g.intern_key("age");
        assert!(g.add_label(a, staff));
        assert!(!g.add_label(a, staff));
        assert_eq!(g.labels_of(a), &[person, staff]);
        assert!(g.remove_label(a, person) && g.remove_label(a, staff));
        assert!(g.labels_of(a).is_empty() && !g.has_label(a, person));
        assert!(g.set_node_property(a, age, Value::Int(30)).is_none());
        let data = g.node(a).unwrap();
        assert_eq!((data.labels.len(), data.props.len()), (0, 2));
        let removed = g.remove_node(a).unwrap();
        assert!(matches!(removed.props.get(age), Some(Value::Int(30))));
        assert!(
            g.node_property(a, age).is_none()
                && g.set_node_property(a, age, Value::Int(1)).is_none()
        );
        // A new node reusing the id starts without properties or labels.
        let again = g.add_node(vec![], Props::default());
        assert_eq!(again, a);
        assert!(g.node(again).unwrap().props.is_empty() && g.labels_of(again).is_empty());
    }

    #[test]
    fn nodes_with_unique_names_cost_no_allocation_per_property() {
        let mut g = Graph::new();
        let company = g.intern_label("Company");
        let count = 20_000;
        g.reserve(count, 0);
        for i in 0..count {
            let props = g.props_from([
                ("id", Value::Int(i as i64)),
                ("name", Value::str(&format!("Company_{i}"))),
                ("country", Value::str(["GB", "US"][i % 2])),
            ]);
            g.add_node(vec![company], props);
        }
        assert_eq!(g.nodes_named("Company_19999"), &[NodeId(19_999)]);
        assert_eq!(
            g.node_property(NodeId(7), g.key_symbol("country").unwrap())
                .and_then(Value::as_str),
            Some("US")
        );
        // Ids and names kept directly (40 bytes each), countries shared (4), the name
        // index (about 9 to 18), plus small change; not counting the names' text.
        let per_node = g.node_storage_bytes() / count;
        assert!(per_node <= 110, "{per_node} bytes per node");
        assert_eq!(std::mem::size_of::<Option<TypeTag>>(), 4);
        assert_eq!(std::mem::size_of::<Option<LabelSetId>>(), 4);
    }
}
