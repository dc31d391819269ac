//! The undo log: while recording is on, every write to the graph notes what it changed,
//! so that a failed statement or a rolled-back transaction is undone in time
//! proportional to what it changed, not to the size of the graph.
//!
//! Undo runs the changes in reverse. A removed node or relationship comes back under its
//! own id: petgraph's `StableGraph` keeps freed slots on a last-in-first-out list, and
//! in exact reverse order the slot at the head of that list is the one the element left.
//! The adjacency index gets back its stale bits and its lists of additions as they were.
//! Labels, types and property keys first named after a mark are forgotten again.
//!
//! The same log also tells what the graph looked like at a mark ([`Graph::before`]),
//! which side-effect statistics compare with the graph after the statement.

use std::collections::HashMap;

use super::adjacency::Removal;
use super::*;

/// One write, with what undoing it needs.
#[derive(Clone, Debug)]
pub(super) enum Change {
    NodeAdded(NodeId),
    NodeRemoved {
        id: NodeId,
        labels: Vec<Symbol>,
        props: Props,
    },
    RelAdded(RelId),
    RelRemoved {
        id: RelId,
        start: NodeId,
        end: NodeId,
        rel_type: Symbol,
        props: Props,
        /// Where the adjacency index had it, when there was an index.
        adjacency: Option<Removal>,
    },
    NodeProperty {
        id: NodeId,
        key: Symbol,
        old: Option<Value>,
    },
    RelProperty {
        id: RelId,
        key: Symbol,
        old: Option<Value>,
    },
    LabelAdded(NodeId, Symbol),
    LabelRemoved(NodeId, Symbol),
}

/// A point in the log to undo back to: how many changes there were, and how many
/// labels, types and keys had names.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    changes: usize,
    labels: usize,
    types: usize,
    keys: usize,
}

/// The graph as it was at a mark, for the elements changed since: each one's data then
/// (`None`: it did not exist), and how many more nodes carry each label now.
#[derive(Debug, Default)]
pub struct Before {
    nodes: HashMap<NodeId, Option<NodeData>>,
    rels: HashMap<RelId, Option<RelData>>,
    label_growth: HashMap<Symbol, isize>,
}

impl Before {
    /// The node at the mark, `after` being the graph now.
    pub fn node(&self, after: &Graph, id: NodeId) -> Option<NodeData> {
        match self.nodes.get(&id) {
            Some(data) => data.clone(),
            None => after.node(id),
        }
    }

    /// The relationship at the mark, `after` being the graph now.
    pub fn rel(&self, after: &Graph, id: RelId) -> Option<RelData> {
        match self.rels.get(&id) {
            Some(data) => data.clone(),
            None => after.rel(id),
        }
    }

    /// How many nodes carried `label` at the mark.
    pub fn label_count(&self, after: &Graph, label: Symbol) -> usize {
        let growth = self.label_growth.get(&label).copied().unwrap_or(0);
        (after.label_count(label) as isize - growth).max(0) as usize
    }
}

impl Interner {
    /// Forgets every name after the first `len`.
    fn truncate(&mut self, len: usize) {
        for name in self.names.drain(len.min(self.names.len())..) {
            self.ids.remove(&name);
        }
    }
}

impl Graph {
    /// Starts noting every write so that it can be undone. Does nothing if already on.
    pub fn start_recording(&mut self) {
        if self.log.is_none() {
            self.log = Some(Vec::new());
        }
    }

    /// Stops noting writes and forgets those noted: they are kept (a commit).
    pub fn stop_recording(&mut self) {
        self.log = None;
    }

    pub fn is_recording(&self) -> bool {
        self.log.is_some()
    }

    /// The point reached so far, to undo back to.
    pub fn mark(&self) -> Mark {
        Mark {
            changes: self.log.as_ref().map_or(0, Vec::len),
            labels: self.labels.len(),
            types: self.types.len(),
            keys: self.keys.len(),
        }
    }

    /// How many writes were noted since `mark`.
    pub fn changes_since(&self, mark: &Mark) -> usize {
        self.log
            .as_ref()
            .map_or(0, |log| log.len().saturating_sub(mark.changes))
    }

    /// Notes a write, when recording: one branch when not.
    pub(super) fn record(&mut self, change: impl FnOnce() -> Change) {
        if let Some(log) = &mut self.log {
            log.push(change());
        }
    }

    /// Undoes every write noted since `mark`, newest first; recording stays on.
    pub fn undo_to(&mut self, mark: &Mark) {
        let Some(mut log) = self.log.take() else {
            return;
        };
        // Undoing writes through the writing methods must not note them again: the log
        // is out of `self` meanwhile.
        while log.len() > mark.changes {
            let Some(change) = log.pop() else { break };
            self.undo(change);
        }
        self.log = Some(log);
        self.labels.truncate(mark.labels);
        self.label_index.truncate(self.labels.len());
        self.types.truncate(mark.types);
        self.keys.truncate(mark.keys);
    }

    fn undo(&mut self, change: Change) {
        match change {
            Change::NodeAdded(id) => {
                self.remove_node(id);
            }
            Change::NodeRemoved { id, labels, props } => {
                let again = self.add_node(labels, props);
                debug_assert_eq!(again, id, "a node restored under another id");
            }
            Change::RelAdded(id) => {
                if let Some((start, end)) = self.endpoints(id) {
                    self.inner.remove_edge(eidx(id));
                    self.rel_props.remove(id.0);
                    if let Some(adjacency) = &mut self.adjacency {
                        adjacency.unadd(id, start, end);
                    }
                }
            }
            Change::RelRemoved {
                id,
                start,
                end,
                rel_type,
                props,
                adjacency,
            } => self.restore_rel(id, (start, end), rel_type, props, adjacency),
            Change::NodeProperty { id, key, old } => {
                self.set_node_property(id, key, old.unwrap_or(Value::Null));
            }
            Change::RelProperty { id, key, old } => {
                self.set_rel_property(id, key, old.unwrap_or(Value::Null));
            }
            Change::LabelAdded(id, label) => {
                self.remove_label(id, label);
            }
            Change::LabelRemoved(id, label) => {
                self.add_label(id, label);
            }
        }
    }

    fn restore_rel(
        &mut self,
        id: RelId,
        (start, end): (NodeId, NodeId),
        rel_type: Symbol,
        props: Props,
        removal: Option<Removal>,
    ) {
        let again = rel_id(
            self.inner
                .add_edge(nidx(start), nidx(end), TypeTag::new(rel_type)),
        );
        debug_assert_eq!(again, id, "a relationship restored under another id");
        for (key, value) in props.0 {
            self.rel_props.set(again.0, key, value);
        }
        match (&mut self.adjacency, removal) {
            (Some(adjacency), Some(removal)) => adjacency.restore(again, start, end, removal),
            (Some(adjacency), None) => adjacency.rel_added(again, start, end),
            (None, _) => {}
        }
    }

    /// The elements changed since `mark` as they were then, found by walking the changes
    /// back from the graph as it is now.
    pub fn before(&self, mark: &Mark) -> Before {
        let mut before = Before::default();
        let Some(log) = &self.log else {
            return before;
        };
        for change in log[mark.changes.min(log.len())..].iter().rev() {
            match change {
                Change::NodeAdded(id) => {
                    // Its labels just after it was added: as the walk back left them.
                    let labels = match before.nodes.insert(*id, None) {
                        Some(data) => data.map(|d| d.labels).unwrap_or_default(),
                        None => self.labels_of(*id).to_vec(),
                    };
                    for label in labels {
                        *before.label_growth.entry(label).or_default() += 1;
                    }
                }
                Change::NodeRemoved { id, labels, props } => {
                    for &label in labels {
                        *before.label_growth.entry(label).or_default() -= 1;
                    }
                    let data = NodeData {
                        labels: labels.clone(),
                        props: props.clone(),
                    };
                    before.nodes.insert(*id, Some(data));
                }
                Change::NodeProperty { id, key, old } => {
                    if let Some(data) = self.node_at(&mut before, *id) {
                        data.props.set(*key, old.clone().unwrap_or(Value::Null));
                    }
                }
                Change::LabelAdded(id, label) => {
                    *before.label_growth.entry(*label).or_default() += 1;
                    if let Some(data) = self.node_at(&mut before, *id) {
                        data.labels.retain(|l| l != label);
                    }
                }
                Change::LabelRemoved(id, label) => {
                    *before.label_growth.entry(*label).or_default() -= 1;
                    if let Some(data) = self.node_at(&mut before, *id)
                        && let Err(i) = data.labels.binary_search(label)
                    {
                        data.labels.insert(i, *label);
                    }
                }
                Change::RelAdded(id) => {
                    before.rels.insert(*id, None);
                }
                Change::RelRemoved {
                    id,
                    rel_type,
                    props,
                    ..
                } => {
                    let data = RelData {
                        rel_type: *rel_type,
                        props: props.clone(),
                    };
                    before.rels.insert(*id, Some(data));
                }
                Change::RelProperty { id, key, old } => {
                    let data = before.rels.entry(*id).or_insert_with(|| self.rel(*id));
                    if let Some(data) = data {
                        data.props.set(*key, old.clone().unwrap_or(Value::Null));
                    }
                }
            }
        }
        before
    }

    /// The node's data as the walk back has reached it so far.
    fn node_at<'b>(&self, before: &'b mut Before, id: NodeId) -> Option<&'b mut NodeData> {
        before
            .nodes
            .entry(id)
            .or_insert_with(|| self.node(id))
            .as_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a reader can see of the graph, in a form to compare.
    fn dump(g: &Graph) -> Vec<String> {
        let mut out = Vec::new();
        for n in g.node_ids() {
            let data = g.node(n).unwrap();
            let labels: Vec<_> = data.labels.iter().map(|&l| g.label_name(l)).collect();
            let props: Vec<_> = data.props.iter().map(|(k, v)| (g.key_name(k), v)).collect();
            let mut rels: Vec<_> = g.rels_of(n, Direction::Both).collect();
            rels.sort();
            let mut typed = Vec::new();
            for t in 0..g.types.len() as Symbol {
                let mut of: Vec<_> = g.rels_of_types(n, Direction::Outgoing, &[t]).collect();
                of.sort();
                typed.push((of, g.count_rels_of_types(n, Direction::Incoming, &[t])));
            }
            out.push(format!("{n:?} {labels:?} {props:?} {rels:?} {typed:?}"));
        }
        for r in g.rel_ids() {
            let data = g.rel(r).unwrap();
            let props: Vec<_> = data.props.iter().map(|(k, v)| (g.key_name(k), v)).collect();
            let ends = g.endpoints(r);
            out.push(format!(
                "{r:?} {ends:?} {} {props:?}",
                g.type_name(data.rel_type)
            ));
        }
        for i in 0..g.node_id_bound() {
            let name = format!("n{i}");
            out.push(format!("{name}: {:?}", g.nodes_named(&name)));
        }
        out.push(format!("{:?} {:?}", g.label_counts(), g.type_counts()));
        out.push(format!("{:?}", g.key_names().collect::<Vec<_>>()));
        out.push(format!("distinct names {}", g.names_identify_nodes()));
        out
    }

    fn sample(with_index: bool) -> Graph {
        let mut g = Graph::new();
        for i in 0..6 {
            let labels: &[&str] = if i % 2 == 0 { &["A"] } else { &["A", "B"] };
            g.add_node_named(labels, vec![("name", Value::str(&format!("n{i}")))]);
        }
        let (t, u) = (g.intern_type("T"), g.intern_type("U"));
        for i in 0..10u32 {
            let props = g.props_from([("w", Value::Int(i64::from(i)))]);
            let ty = if i % 3 == 0 { u } else { t };
            g.add_rel(NodeId(i % 6), NodeId((i * 5 + 1) % 6), ty, props);
        }
        if with_index {
            g.build_adjacency();
        }
        g
    }

    /// One write: which kind, and two small numbers choosing its elements and values.
    fn apply(g: &mut Graph, (kind, a, b): (u8, u32, u32)) {
        let node = NodeId(a % g.node_id_bound().max(1) as u32);
        let rel = RelId(a % g.rel_id_bound().max(1) as u32);
        match kind % 9 {
            0 => {
                let label = g.intern_label(["A", "B", "C"][b as usize % 3]);
                let name = g.intern_key("name");
                let props = g.props_from([("w", Value::Int(i64::from(b)))]);
                let id = g.add_node(vec![label], props);
                g.set_node_property(id, name, Value::str(&format!("n{}", b % 4)));
            }
            1 if g.contains_node(node) => {
                let other = NodeId(b % g.node_id_bound() as u32);
                if g.contains_node(other) {
                    let t = g.intern_type(["T", "U", "V"][b as usize % 3]);
                    g.add_rel(node, other, t, Props::default());
                }
            }
            2 => {
                g.remove_node(node);
            }
            3 => {
                g.remove_rel(rel);
            }
            4 => {
                let key = g.intern_key(["w", "name", "x"][b as usize % 3]);
                let value = match b % 4 {
                    0 => Value::Null,
                    1 => Value::Int(i64::from(b)),
                    _ => Value::str(&format!("n{}", b % 5)),
                };
                g.set_node_property(node, key, value);
            }
            5 => {
                let key = g.intern_key(["w", "y"][b as usize % 2]);
                let value = if b % 3 == 0 {
                    Value::Null
                } else {
                    Value::Int(7)
                };
                g.set_rel_property(rel, key, value);
            }
            6 => {
                let label = g.intern_label(["A", "B", "D"][b as usize % 3]);
                g.add_label(node, label);
            }
            7 => {
                let label = g.intern_label(["A", "B"][b as usize % 2]);
                g.remove_label(node, label);
            }
            _ => {
                // A node deleted with its relationships, then its id taken again.
                g.remove_node(node);
                g.add_node_named(&["E"], vec![]);
            }
        }
    }

    fn write_strategy() -> impl proptest::strategy::Strategy<Value = (u8, u32, u32)> {
        (0..9u8, 0..40u32, 0..40u32)
    }

    proptest::proptest! {
        #[test]
        fn undo_restores_what_readers_see_and_before_tells_it(
            first in proptest::collection::vec(write_strategy(), 0..8),
            writes in proptest::collection::vec(write_strategy(), 0..40),
            with_index: bool,
        ) {
            let mut g = sample(with_index);
            // Some writes before recording, so that the index has stale and added parts.
            for w in first {
                apply(&mut g, w);
            }
            let original = g.clone();
            g.start_recording();
            let mark = g.mark();
            for w in writes {
                apply(&mut g, w);
            }
            let before = g.before(&mark);
            for i in 0..g.node_id_bound().max(original.node_id_bound()) as u32 {
                let (want, got) = (original.node(NodeId(i)), before.node(&g, NodeId(i)));
                proptest::prop_assert_eq!(format!("{want:?}"), format!("{got:?}"));
            }
            for i in 0..g.rel_id_bound().max(original.rel_id_bound()) as u32 {
                let (want, got) = (original.rel(RelId(i)), before.rel(&g, RelId(i)));
                proptest::prop_assert_eq!(format!("{want:?}"), format!("{got:?}"));
            }
            for (l, count) in original.label_counts() {
                let l = g.label_symbol(l).unwrap();
                proptest::prop_assert_eq!(before.label_count(&g, l), count);
            }
            g.undo_to(&mark);
            proptest::prop_assert_eq!(dump(&g), dump(&original));
            // The next elements get the ids they would have got without the undone writes.
            let mut fresh = original.clone();
            for g in [&mut g, &mut fresh] {
                g.stop_recording();
                let (a, b) = (g.add_node_named(&["Z"], vec![]), g.add_node_named(&[], vec![]));
                let t = g.intern_type("Z");
                g.add_rel(a, b, t, Props::default());
                g.add_rel(b, a, t, Props::default());
            }
            proptest::prop_assert_eq!(dump(&g), dump(&fresh));
        }
    }

    #[test]
    fn a_removed_node_and_its_relationships_come_back_under_their_ids() {
        let mut g = sample(true);
        g.start_recording();
        let mark = g.mark();
        let rels: Vec<_> = g.rels_of(NodeId(1), Direction::Both).collect();
        assert!(!rels.is_empty());
        g.remove_node(NodeId(1));
        g.remove_node(NodeId(4));
        assert!(g.changes_since(&mark) > 2);
        g.undo_to(&mark);
        assert!(g.contains_node(NodeId(1)) && g.contains_node(NodeId(4)));
        for (rel, other) in rels {
            assert!(g.contains_rel(rel));
            assert!(
                g.rels_of(NodeId(1), Direction::Both)
                    .any(|r| r == (rel, other))
            );
        }
        assert_eq!(g.nodes_named("n1"), &[NodeId(1)]);
        assert_eq!(g.changes_since(&mark), 0);
    }

    #[test]
    fn names_first_used_after_a_mark_are_forgotten_by_undo() {
        let mut g = sample(false);
        g.start_recording();
        let mark = g.mark();
        let label = g.intern_label("Fresh");
        let key = g.intern_key("fresh");
        let n = g.add_node(vec![label], Props::default());
        g.set_node_property(n, key, Value::Int(1));
        g.undo_to(&mark);
        assert!(g.label_symbol("Fresh").is_none() && g.key_symbol("fresh").is_none());
        assert_eq!(g.label_counts().len(), 2);
        // Named again, they work as new.
        let label = g.intern_label("Fresh");
        let n = g.add_node(vec![label], Props::default());
        assert_eq!(g.nodes_with_label(label).collect::<Vec<_>>(), vec![n]);
    }

    #[test]
    fn writes_are_not_noted_unless_recording() {
        let mut g = sample(false);
        let mark = g.mark();
        g.add_node_named(&["A"], vec![]);
        assert!(!g.is_recording());
        assert_eq!(g.changes_since(&mark), 0);
        g.undo_to(&mark);
        assert_eq!(g.node_count(), 7);
    }
}
