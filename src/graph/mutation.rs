//! Writes: adding and removing nodes and relationships, setting properties and labels,
//! keeping the label and name indexes in step, and noting each write in the undo log
//! when recording (`undo.rs`).

use super::undo::Change;
use super::*;

impl Graph {
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
        self.record(|| Change::NodeAdded(id));
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
        self.record(|| Change::RelAdded(id));
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
        self.record(|| Change::NodeProperty {
            id,
            key,
            old: old.clone(),
        });
        old
    }

    pub fn set_rel_property(&mut self, id: RelId, key: Symbol, value: Value) -> Option<Value> {
        if !self.contains_rel(id) {
            return None;
        }
        let old = self.rel_props.set(id.0, key, value);
        self.record(|| Change::RelProperty {
            id,
            key,
            old: old.clone(),
        });
        old
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
        self.record(|| Change::LabelAdded(id, label));
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
        self.record(|| Change::LabelRemoved(id, label));
        true
    }

    /// Removes a relationship; returns its data.
    pub fn remove_rel(&mut self, id: RelId) -> Option<RelData> {
        let (start, end) = self.endpoints(id)?;
        let rel_type = self.inner.remove_edge(eidx(id))?.symbol();
        let removal = self
            .adjacency
            .as_mut()
            .map(|adjacency| adjacency.rel_removed(id, start, end));
        let props = self.rel_props.remove(id.0);
        self.record(|| Change::RelRemoved {
            id,
            start,
            end,
            rel_type,
            props: props.clone(),
            adjacency: removal,
        });
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
        let props = self.node_props.remove(id.0);
        self.record(|| Change::NodeRemoved {
            id,
            labels: labels.clone(),
            props: props.clone(),
        });
        Some(NodeData { labels, props })
    }

    /// The node's `name` when it is a string, as the name index holds it.
    pub(super) fn name_of(&self, id: NodeId) -> Option<&str> {
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
