//! A compressed adjacency index built once after a bulk load: for every node, its
//! outgoing (and, separately, incoming) relationships in one contiguous run, sorted by
//! relationship type and then by descending id. Following only some types reads only
//! their runs, never the node's other relationships.
//!
//! Writes after the build do not rebuild it: a relationship created later is kept in a
//! small per-node list of additions, and a deleted one is marked stale so that its entries
//! are skipped (ids of deleted relationships are reused by later ones, which then live in
//! the additions).

use std::collections::HashMap;

use super::{NodeId, RelId, Symbol};

/// One relationship seen from one of its ends: ten bytes (the index is built only while
/// there are at most 65536 types).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(C, packed(2))]
pub(crate) struct Entry {
    pub rel: RelId,
    /// The node at the relationship's other end.
    pub other: NodeId,
    pub rel_type: u16,
}

/// Most relationship types the index holds.
pub(crate) const MAX_TYPES: usize = 1 << 16;

/// Entries of every node in one direction: node `n`'s are `entries[offsets[n]..offsets[n + 1]]`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Csr {
    offsets: Vec<u32>,
    entries: Vec<Entry>,
}

impl Csr {
    /// Builds from `(node, entry)` pairs given by `each`, called twice (count, then fill).
    fn build(node_bound: usize, each: impl Fn(&mut dyn FnMut(NodeId, Entry))) -> Csr {
        let mut offsets = vec![0u32; node_bound + 1];
        each(&mut |node, _| offsets[node.0 as usize + 1] += 1);
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let total = offsets[node_bound] as usize;
        let placeholder = Entry {
            rel_type: 0u16,
            rel: RelId(0),
            other: NodeId(0),
        };
        let mut entries = vec![placeholder; total];
        let mut next = offsets.clone();
        each(&mut |node, entry| {
            let at = &mut next[node.0 as usize];
            entries[*at as usize] = entry;
            *at += 1;
        });
        for w in offsets.windows(2) {
            entries[w[0] as usize..w[1] as usize]
                .sort_unstable_by_key(|e| (e.rel_type, std::cmp::Reverse(e.rel)));
        }
        Csr { offsets, entries }
    }

    /// The node's entries (empty for nodes created after the build).
    pub fn of(&self, node: NodeId) -> &[Entry] {
        let n = node.0 as usize;
        match (self.offsets.get(n), self.offsets.get(n + 1)) {
            (Some(&a), Some(&b)) => &self.entries[a as usize..b as usize],
            _ => &[],
        }
    }

    fn heap_size(&self) -> usize {
        self.offsets.capacity() * 4 + self.entries.capacity() * std::mem::size_of::<Entry>()
    }
}

/// The index: both directions, plus the writes since it was built.
#[derive(Clone, Debug, Default)]
pub(crate) struct Adjacency {
    pub out: Csr,
    pub inc: Csr,
    /// By relationship id: whether its entries above no longer hold (deleted since).
    stale: Vec<bool>,
    /// Relationships created since the build, listed at each of their ends.
    pub added: HashMap<NodeId, Vec<RelId>>,
}

impl Adjacency {
    /// Builds the index over `rels`: `(id, type, start, end)` of every relationship.
    pub fn build<I>(node_bound: usize, rels: impl Fn() -> I + Sync) -> Adjacency
    where
        I: Iterator<Item = (RelId, Symbol, NodeId, NodeId)>,
    {
        // Each relationship listed at one end, `(node, other end)` from `(start, end)`.
        let index = |ends: fn(NodeId, NodeId) -> (NodeId, NodeId)| {
            Csr::build(node_bound, |emit| {
                for (rel, rel_type, start, end) in rels() {
                    let (node, other) = ends(start, end);
                    let rel_type = rel_type as u16;
                    emit(
                        node,
                        Entry {
                            rel_type,
                            rel,
                            other,
                        },
                    );
                }
            })
        };
        let outgoing = || index(|start, end| (start, end));
        let incoming = || index(|start, end| (end, start));
        // The two directions read the same relationships and write apart: two threads
        // build them in the time of one (a second of a ten-million relationship load).
        let (out, inc) = std::thread::scope(|scope| {
            let inc = scope.spawn(incoming);
            let out = outgoing();
            let inc = inc
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (out, inc)
        });
        Adjacency {
            out,
            inc,
            stale: Vec::new(),
            added: HashMap::new(),
        }
    }

    /// Whether no relationship was deleted since the build, so every entry holds.
    pub fn none_stale(&self) -> bool {
        self.stale.is_empty()
    }

    pub fn is_stale(&self, rel: RelId) -> bool {
        self.stale.get(rel.0 as usize).copied().unwrap_or(false)
    }

    /// Notes a relationship created after the build.
    pub fn rel_added(&mut self, rel: RelId, start: NodeId, end: NodeId) {
        self.added.entry(start).or_default().push(rel);
        if end != start {
            self.added.entry(end).or_default().push(rel);
        }
    }

    /// Notes a relationship deleted after the build; returns where it was, for
    /// [`Adjacency::restore`].
    pub fn rel_removed(&mut self, rel: RelId, start: NodeId, end: NodeId) -> Removal {
        let mut added = [None, None];
        for (slot, node) in added.iter_mut().zip([start, end]) {
            if let Some(list) = self.added.get_mut(&node)
                && let Some(at) = list.iter().position(|r| *r == rel)
            {
                list.remove(at);
                if list.is_empty() {
                    self.added.remove(&node);
                }
                *slot = Some(at);
            }
        }
        let i = rel.0 as usize;
        let removal = Removal {
            added,
            stale_len: self.stale.len(),
            was_stale: self.is_stale(rel),
        };
        if self.stale.len() <= i {
            self.stale.resize(i + 1, false);
        }
        self.stale[i] = true;
        removal
    }

    /// Puts back a relationship whose deletion is undone, as [`Adjacency::rel_removed`]
    /// found it: in the lists of additions at the same places, or marked live again.
    pub fn restore(&mut self, rel: RelId, start: NodeId, end: NodeId, removal: Removal) {
        let i = rel.0 as usize;
        if removal.stale_len <= i {
            self.stale.truncate(removal.stale_len);
        } else {
            self.stale[i] = removal.was_stale;
        }
        for (at, node) in removal.added.into_iter().zip([start, end]).rev() {
            if let Some(at) = at {
                let list = self.added.entry(node).or_default();
                list.insert(at.min(list.len()), rel);
            }
        }
    }

    /// Forgets a relationship whose creation is undone: the last one added at its ends.
    pub fn unadd(&mut self, rel: RelId, start: NodeId, end: NodeId) {
        for node in [start, end] {
            if let Some(list) = self.added.get_mut(&node) {
                if let Some(at) = list.iter().rposition(|r| *r == rel) {
                    list.remove(at);
                }
                if list.is_empty() {
                    self.added.remove(&node);
                }
            }
        }
    }

    pub fn heap_size(&self) -> usize {
        self.out.heap_size() + self.inc.heap_size() + self.stale.capacity()
    }
}

/// Where the index had a deleted relationship, so that undoing the deletion puts it
/// back exactly.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Removal {
    /// Its place in the additions listed at its start and at its end.
    added: [Option<usize>; 2],
    /// How long the stale bits were, and whether its own was set.
    stale_len: usize,
    was_stale: bool,
}

/// How many of `entries` (one node's run) have one of `types`, or all of them when
/// `types` is empty: two binary searches per type.
pub(crate) fn count_typed(entries: &[Entry], types: &[Symbol]) -> usize {
    if types.is_empty() {
        return entries.len();
    }
    // A short run is counted faster in one pass than by binary searches.
    if entries.len() <= 32 {
        let wanted = |e: &&Entry| types.iter().any(|&t| t == Symbol::from(e.rel_type));
        return entries.iter().filter(wanted).count();
    }
    let mut total = 0;
    for (i, &t) in types.iter().enumerate() {
        if types[..i].contains(&t) || t as usize >= MAX_TYPES {
            continue;
        }
        let t = t as u16;
        let start = entries.partition_point(|e| e.rel_type < t);
        total += entries[start..].partition_point(|e| e.rel_type == t);
    }
    total
}

/// Most types one typed expansion merges from the index; more fall back to filtering.
pub(crate) const MAX_MERGED_TYPES: usize = 8;

/// The entries of some types in one node's run, merged into descending id order (the
/// order in which the petgraph lists give them), skipping stale ones.
pub(crate) struct TypedRuns<'a> {
    entries: &'a [Entry],
    /// `(next, end)` positions in `entries` of each type's run.
    cursors: [(u32, u32); MAX_MERGED_TYPES],
    len: usize,
}

impl<'a> TypedRuns<'a> {
    /// `None` when there are too many types to merge; every type when `types` is empty.
    pub fn new(entries: &'a [Entry], types: &[Symbol]) -> Option<TypedRuns<'a>> {
        let mut runs = TypedRuns {
            entries,
            cursors: [(0, 0); MAX_MERGED_TYPES],
            len: 0,
        };
        if types.is_empty() {
            let mut start = 0;
            while start < entries.len() {
                let t = entries[start].rel_type;
                let end = start + entries[start..].partition_point(|e| e.rel_type == t);
                if runs.len == MAX_MERGED_TYPES {
                    return None;
                }
                runs.cursors[runs.len] = (start as u32, end as u32);
                runs.len += 1;
                start = end;
            }
            return Some(runs);
        }
        for (i, &t) in types.iter().enumerate() {
            if types[..i].contains(&t) || t as usize >= MAX_TYPES {
                continue;
            }
            let t = t as u16;
            let start = entries.partition_point(|e| e.rel_type < t);
            let end = start + entries[start..].partition_point(|e| e.rel_type == t);
            if start == end {
                continue;
            }
            if runs.len == MAX_MERGED_TYPES {
                return None;
            }
            runs.cursors[runs.len] = (start as u32, end as u32);
            runs.len += 1;
        }
        Some(runs)
    }
}

impl<'a> Iterator for TypedRuns<'a> {
    type Item = &'a Entry;

    fn next(&mut self) -> Option<&'a Entry> {
        let mut best: Option<usize> = None;
        for (i, &(next, end)) in self.cursors[..self.len].iter().enumerate() {
            if next < end
                && best.is_none_or(|b| {
                    // Entries are copied out whole: their fields are not aligned.
                    let (candidate, best) = (
                        self.entries[next as usize],
                        self.entries[self.cursors[b].0 as usize],
                    );
                    candidate.rel.0 > best.rel.0
                })
            {
                best = Some(i);
            }
        }
        let b = best?;
        let entry = &self.entries[self.cursors[b].0 as usize];
        self.cursors[b].0 += 1;
        Some(entry)
    }
}
