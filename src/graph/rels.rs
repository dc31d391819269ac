//! Reading a node's relationships: from petgraph's per-node lists, or from the adjacency
//! index's type runs plus the relationships added since it was built.

use petgraph::Direction as PgDirection;
use petgraph::visit::EdgeRef;

use super::*;

impl Graph {
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
}
