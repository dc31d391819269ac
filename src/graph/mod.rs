//! The property graph: nodes with labels and properties, typed relationships with
//! properties, kept in petgraph's `StableDiGraph` so that deleting one element never
//! changes another's id. Labels, relationship types and property keys are interned.
//! A label index and a `name` index let the planner start from few nodes.
//!
//! This is the only module that imports petgraph.

mod adjacency;
mod columns;
mod names;
pub mod value;

use std::collections::{BTreeSet, HashMap};
use std::num::NonZeroU32;
use std::sync::Arc;

use petgraph::Direction as PgDirection;
use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableDiGraph};
use petgraph::visit::{EdgeIndexable, EdgeRef, IntoEdgeReferences, NodeIndexable};

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

    /// Relationships at `node` in `direction`, each with the node at its other end, newest
    /// first (outgoing ones first for `Both`). A self-loop is listed once even for `Both`.
    pub fn rels_of(
        &self,
        node: NodeId,
        direction: Direction,
    ) -> impl Iterator<Item = (RelId, NodeId)> + '_ {
        let indexed = self
            .adjacency
            .as_ref()
            .and_then(|adjacency| IndexedRels::new(self, adjacency, node, direction, &[]));
        match indexed {
            Some(rels) => EitherRels::Indexed(rels),
            None => EitherRels::Filtered(self.linked_rels(node, direction)),
        }
    }

    /// [`Graph::rels_of`] from petgraph's per-node lists.
    fn linked_rels(
        &self,
        node: NodeId,
        direction: Direction,
    ) -> impl Iterator<Item = (RelId, NodeId)> + '_ {
        let n = nidx(node);
        let out = matches!(direction, Direction::Outgoing | Direction::Both)
            .then(|| self.inner.edges_directed(n, PgDirection::Outgoing))
            .into_iter()
            .flatten()
            .map(|e| (rel_id(e.id()), node_id(e.target())));
        let inc = matches!(direction, Direction::Incoming | Direction::Both)
            .then(|| self.inner.edges_directed(n, PgDirection::Incoming))
            .into_iter()
            .flatten()
            .filter(move |e| direction != Direction::Both || e.source() != e.target())
            .map(|e| (rel_id(e.id()), node_id(e.source())));
        out.chain(inc)
    }

    /// Like [`Graph::rels_of`], keeping only relationships whose type is in `types`
    /// (all of them when `types` is empty), in the same order. After
    /// [`Graph::build_adjacency`] this reads only the runs of those types.
    pub fn rels_of_types<'a>(
        &'a self,
        node: NodeId,
        direction: Direction,
        types: &'a [Symbol],
    ) -> impl Iterator<Item = (RelId, NodeId)> + 'a {
        let indexed = self
            .adjacency
            .as_ref()
            .and_then(|adjacency| IndexedRels::new(self, adjacency, node, direction, types));
        match indexed {
            Some(rels) => EitherRels::Indexed(rels),
            None => {
                EitherRels::Filtered(self.linked_rels(node, direction).filter(move |(rel, _)| {
                    types.is_empty() || self.rel_type(*rel).is_some_and(|t| types.contains(&t))
                }))
            }
        }
    }

    /// How many relationships [`Graph::rels_of_types`] lists, counted from the index's
    /// type runs without visiting them when no write has touched the node since the build.
    pub fn count_rels_of_types(
        &self,
        node: NodeId,
        direction: Direction,
        types: &[Symbol],
    ) -> usize {
        if let Some(adjacency) = &self.adjacency
            && direction != Direction::Both
            && adjacency.none_stale()
            && !adjacency.added.contains_key(&node)
        {
            let entries = match direction {
                Direction::Incoming => adjacency.inc.of(node),
                _ => adjacency.out.of(node),
            };
            return adjacency::count_typed(entries, types);
        }
        self.rels_of_types(node, direction, types).count()
    }

    pub fn degree(&self, node: NodeId, direction: Direction) -> usize {
        self.count_rels_of_types(node, direction, &[])
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

    // ── Writes ──

    /// Adds a node with label and property symbols already interned.
    pub fn add_node(&mut self, mut labels: Vec<Symbol>, props: Props) -> NodeId {
        labels.sort_unstable();
        labels.dedup();
        let set = self.label_sets.intern(&labels);
        let id = node_id(self.inner.add_node(set));
        for (key, value) in props.0 {
            self.node_props.set(id.0, key, value);
        }
        for l in labels {
            self.label_index[l as usize].insert(id);
        }
        self.index_name(id);
        id
    }

    /// Adds a node from names and values, interning as needed (nulls are dropped).
    pub fn add_node_named(&mut self, labels: &[&str], props: Vec<(&str, Value)>) -> NodeId {
        let labels = labels.iter().map(|l| self.intern_label(l)).collect();
        let props = self.props_from(props);
        self.add_node(labels, props)
    }

    /// Builds a property map from names and values, interning the keys.
    pub fn props_from<'a>(&mut self, props: impl IntoIterator<Item = (&'a str, Value)>) -> Props {
        let mut map = Props::default();
        for (k, v) in props {
            let k = self.intern_key(k);
            map.set(k, v);
        }
        map
    }

    /// Adds a relationship. Both ends must exist.
    pub fn add_rel(&mut self, start: NodeId, end: NodeId, rel_type: Symbol, props: Props) -> RelId {
        let id = rel_id(
            self.inner
                .add_edge(nidx(start), nidx(end), TypeTag::new(rel_type)),
        );
        for (key, value) in props.0 {
            self.rel_props.set(id.0, key, value);
        }
        if let Some(adjacency) = &mut self.adjacency {
            adjacency.rel_added(id, start, end);
        }
        id
    }

    /// Sets a node property (null removes it); returns the previous value.
    pub fn set_node_property(&mut self, id: NodeId, key: Symbol, value: Value) -> Option<Value> {
        let is_name = Some(key) == self.name_key;
        if is_name {
            self.unindex_name(id);
        }
        if !self.contains_node(id) {
            return None;
        }
        let old = self.node_props.set(id.0, key, value);
        if is_name {
            self.index_name(id);
        }
        old
    }

    pub fn set_rel_property(&mut self, id: RelId, key: Symbol, value: Value) -> Option<Value> {
        if !self.contains_rel(id) {
            return None;
        }
        self.rel_props.set(id.0, key, value)
    }

    /// Adds a label; returns whether it was new.
    pub fn add_label(&mut self, id: NodeId, label: Symbol) -> bool {
        let Some(&set) = self.inner.node_weight(nidx(id)) else {
            return false;
        };
        let mut labels = self.label_sets.labels(set).to_vec();
        let Err(i) = labels.binary_search(&label) else {
            return false;
        };
        labels.insert(i, label);
        self.set_labels(id, &labels);
        self.label_index[label as usize].insert(id);
        true
    }

    fn set_labels(&mut self, id: NodeId, labels: &[Symbol]) {
        let set = self.label_sets.intern(labels);
        if let Some(weight) = self.inner.node_weight_mut(nidx(id)) {
            *weight = set;
        }
    }

    /// Removes a label; returns whether it was there.
    pub fn remove_label(&mut self, id: NodeId, label: Symbol) -> bool {
        let Some(&set) = self.inner.node_weight(nidx(id)) else {
            return false;
        };
        let mut labels = self.label_sets.labels(set).to_vec();
        let Ok(i) = labels.binary_search(&label) else {
            return false;
        };
        labels.remove(i);
        self.set_labels(id, &labels);
        self.label_index[label as usize].remove(&id);
        true
    }

    /// Removes a relationship; returns its data.
    pub fn remove_rel(&mut self, id: RelId) -> Option<RelData> {
        let (start, end) = self.endpoints(id)?;
        let rel_type = self.inner.remove_edge(eidx(id))?.symbol();
        if let Some(adjacency) = &mut self.adjacency {
            adjacency.rel_removed(id, start, end);
        }
        let props = self.rel_props.remove(id.0);
        Some(RelData { rel_type, props })
    }

    /// Removes a node and every relationship at it; returns its data.
    pub fn remove_node(&mut self, id: NodeId) -> Option<NodeData> {
        if !self.contains_node(id) {
            return None;
        }
        self.unindex_name(id);
        let rels: Vec<RelId> = self.rels_of(id, Direction::Both).map(|(r, _)| r).collect();
        for rel in rels {
            self.remove_rel(rel);
        }
        let set = self.inner.remove_node(nidx(id))?;
        let labels = self.label_sets.labels(set).to_vec();
        for l in &labels {
            self.label_index[*l as usize].remove(&id);
        }
        Some(NodeData {
            labels,
            props: self.node_props.remove(id.0),
        })
    }

    /// The node's `name` when it is a string, as the name index holds it.
    fn name_of(&self, id: NodeId) -> Option<&str> {
        self.node_props
            .get(id.0, self.name_key?)
            .and_then(Value::as_str)
    }

    fn unindex_name(&mut self, id: NodeId) {
        let Some(name_key) = self.name_key else {
            return;
        };
        let name_of = name_reader(&self.node_props, name_key);
        if let Some(name) = name_of(id) {
            self.name_index.remove(name, id, name_of);
        }
    }

    fn index_name(&mut self, id: NodeId) {
        let Some(name_key) = self.name_key else {
            return;
        };
        let name_of = name_reader(&self.node_props, name_key);
        if let Some(name) = name_of(id) {
            self.name_index.insert(name, id, name_of);
        }
    }
}

/// Each node's `name`, when it is a string: what the name index hashes and compares.
fn name_reader<'a>(
    node_props: &'a PropertyColumns,
    name_key: Symbol,
) -> impl Fn(NodeId) -> Option<&'a str> + Copy + 'a {
    move |n| node_props.get(n.0, name_key).and_then(Value::as_str)
}

/// Relationships of one node (of some types, or all when `types` is empty) read from the adjacency index, then from the
/// relationships created since it was built.
struct IndexedRels<'a> {
    graph: &'a Graph,
    adjacency: &'a Adjacency,
    node: NodeId,
    types: &'a [Symbol],
    both: bool,
    out: Option<TypedRuns<'a>>,
    out_added: std::slice::Iter<'a, RelId>,
    inc: Option<TypedRuns<'a>>,
    inc_added: std::slice::Iter<'a, RelId>,
}

impl<'a> IndexedRels<'a> {
    /// `None` when `types` has more entries than the index merges.
    fn new(
        graph: &'a Graph,
        adjacency: &'a Adjacency,
        node: NodeId,
        direction: Direction,
        types: &'a [Symbol],
    ) -> Option<IndexedRels<'a>> {
        if types.len() > MAX_MERGED_TYPES {
            return None;
        }
        let out_wanted = matches!(direction, Direction::Outgoing | Direction::Both);
        let inc_wanted = matches!(direction, Direction::Incoming | Direction::Both);
        let added = if adjacency.added.is_empty() {
            &[][..]
        } else {
            adjacency.added.get(&node).map_or(&[][..], Vec::as_slice)
        };
        let pick = |wanted: bool| if wanted { added } else { &[] };
        Some(IndexedRels {
            graph,
            adjacency,
            node,
            types,
            both: direction == Direction::Both,
            out: if out_wanted {
                Some(TypedRuns::new(adjacency.out.of(node), types)?)
            } else {
                None
            },
            out_added: pick(out_wanted).iter(),
            inc: if inc_wanted {
                Some(TypedRuns::new(adjacency.inc.of(node), types)?)
            } else {
                None
            },
            inc_added: pick(inc_wanted).iter(),
        })
    }

    /// The relationship's other end when it was created since the build, has one of the
    /// types and leaves (`outgoing`) or enters this node.
    fn added(&self, rel: RelId, outgoing: bool) -> Option<NodeId> {
        let (start, end) = self.graph.endpoints(rel)?;
        let rel_type = self.graph.rel_type(rel)?;
        if !self.types.is_empty() && !self.types.contains(&rel_type) {
            return None;
        }
        if outgoing && start == self.node {
            Some(end)
        } else if !outgoing && end == self.node && !(self.both && start == end) {
            Some(start)
        } else {
            None
        }
    }
}

impl Iterator for IndexedRels<'_> {
    type Item = (RelId, NodeId);

    fn next(&mut self) -> Option<(RelId, NodeId)> {
        if let Some(out) = &mut self.out {
            for e in out.by_ref() {
                if !self.adjacency.is_stale(e.rel) {
                    return Some((e.rel, e.other));
                }
            }
        }
        while let Some(&rel) = self.out_added.next() {
            if let Some(other) = self.added(rel, true) {
                return Some((rel, other));
            }
        }
        if let Some(inc) = &mut self.inc {
            for e in inc.by_ref() {
                let self_loop = self.both && e.other.0 == self.node.0;
                if !self_loop && !self.adjacency.is_stale(e.rel) {
                    return Some((e.rel, e.other));
                }
            }
        }
        while let Some(&rel) = self.inc_added.next() {
            if let Some(other) = self.added(rel, false) {
                return Some((rel, other));
            }
        }
        None
    }
}

/// One of two iterators over relationships.
enum EitherRels<A, B> {
    Indexed(A),
    Filtered(B),
}

impl<A, B> Iterator for EitherRels<A, B>
where
    A: Iterator<Item = (RelId, NodeId)>,
    B: Iterator<Item = (RelId, NodeId)>,
{
    type Item = (RelId, NodeId);

    fn next(&mut self) -> Option<(RelId, NodeId)> {
        match self {
            EitherRels::Indexed(a) => a.next(),
            EitherRels::Filtered(b) => b.next(),
        }
    }
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
    fn self_loop_is_listed_once_in_both_directions() {
        let mut g = Graph::new();
        let a = g.add_node_named(&[], vec![]);
        let t = g.intern_type("T");
        g.add_rel(a, a, t, Props::default());
        assert_eq!(g.rels_of(a, Direction::Both).count(), 1);
        assert_eq!(g.rels_of(a, Direction::Outgoing).count(), 1);
        assert_eq!(g.rels_of(a, Direction::Incoming).count(), 1);
    }

    /// What `rels_of_types` must return: petgraph's lists filtered by type.
    fn filtered(g: &Graph, n: NodeId, d: Direction, types: &[Symbol]) -> Vec<(RelId, NodeId)> {
        g.linked_rels(n, d)
            .filter(|(r, _)| types.is_empty() || types.contains(&g.rel_type(*r).unwrap()))
            .collect()
    }

    fn check_typed_expansions(g: &Graph, same_order: bool) {
        let type_sets: [&[Symbol]; 6] = [&[], &[0], &[1], &[2, 0], &[0, 1, 2], &[1, 1]];
        for n in g.node_ids().collect::<Vec<_>>() {
            for d in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
                for types in type_sets {
                    let mut want = filtered(g, n, d, types);
                    let mut got: Vec<_> = g.rels_of_types(n, d, types).collect();
                    let mut all: Vec<_> = g.rels_of(n, d).collect();
                    if !same_order {
                        want.sort();
                        got.sort();
                        all.sort();
                    }
                    assert_eq!(got, want, "node {n:?} {d:?} types {types:?}");
                    let count = g.count_rels_of_types(n, d, types);
                    assert_eq!(count, want.len(), "count at {n:?} {d:?} types {types:?}");
                    if types.is_empty() {
                        assert_eq!(all, want, "node {n:?} {d:?}");
                    }
                }
            }
        }
    }

    #[derive(Clone, Debug)]
    enum Write {
        AddRel(u32, u32, u32),
        RemoveRel(u32),
        RemoveNode(u32),
        AddNode,
    }

    fn write_strategy() -> impl proptest::strategy::Strategy<Value = Write> {
        use proptest::prelude::*;
        prop_oneof![
            (0..8u32, 0..8u32, 0..3u32).prop_map(|(a, b, t)| Write::AddRel(a, b, t)),
            (0..40u32).prop_map(Write::RemoveRel),
            (0..8u32).prop_map(Write::RemoveNode),
            Just(Write::AddNode),
        ]
    }

    proptest::proptest! {
        #[test]
        fn typed_expansion_from_the_index_equals_filtering(
            rels in proptest::collection::vec((0..8u32, 0..8u32, 0..3u32), 0..30),
            writes in proptest::collection::vec(write_strategy(), 0..20),
        ) {
            let mut g = Graph::new();
            for t in ["A", "B", "C"] {
                g.intern_type(t);
            }
            for _ in 0..8 {
                g.add_node(vec![], Props::default());
            }
            for (a, b, t) in rels {
                g.add_rel(NodeId(a), NodeId(b), t, Props::default());
            }
            g.build_adjacency();
            check_typed_expansions(&g, true);
            for w in writes {
                match w {
                    Write::AddRel(a, b, t) => {
                        if g.contains_node(NodeId(a)) && g.contains_node(NodeId(b)) {
                            g.add_rel(NodeId(a), NodeId(b), t, Props::default());
                        }
                    }
                    Write::RemoveRel(r) => {
                        g.remove_rel(RelId(r));
                    }
                    Write::RemoveNode(n) => {
                        g.remove_node(NodeId(n));
                    }
                    Write::AddNode => {
                        g.add_node(vec![], Props::default());
                    }
                }
                check_typed_expansions(&g, false);
            }
        }
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
    fn nodes_with_more_types_than_the_index_merges_fall_back_to_the_lists() {
        let mut g = Graph::new();
        let a = g.add_node_named(&[], vec![]);
        let b = g.add_node_named(&[], vec![]);
        for t in 0..12 {
            let t = g.intern_type(&format!("T{t}"));
            g.add_rel(a, b, t, Props::default());
            g.add_rel(b, a, t, Props::default());
        }
        g.build_adjacency();
        let many: Vec<Symbol> = (0..10).collect();
        for n in [a, b] {
            for d in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
                assert_eq!(g.rels_of(n, d).collect::<Vec<_>>(), filtered(&g, n, d, &[]));
                assert_eq!(
                    g.rels_of_types(n, d, &many).collect::<Vec<_>>(),
                    filtered(&g, n, d, &many)
                );
            }
        }
        assert_eq!(g.rels_of(a, Direction::Both).count(), 24);
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
