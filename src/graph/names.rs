//! The index from a `name` to the nodes carrying it, without a copy of the names: the
//! table holds node ids only, and hashes and compares them through the caller's view
//! of each node's name. A million named nodes cost about eight bytes each, against the
//! fifty of a map keyed by a shared string.

use foldhash::fast::RandomState;
use hashbrown::HashTable;
use std::hash::BuildHasher;

use super::NodeId;

/// The nodes sharing one name: nearly always one, kept in the table itself.
#[derive(Copy, Clone, Debug)]
enum Named {
    One(NodeId),
    /// Index into [`NameIndex::groups`].
    Many(u32),
}

/// The first node carrying a name: the one whose name stands for the entry.
fn first_node(groups: &[Vec<NodeId>], named: Named) -> NodeId {
    match named {
        Named::One(id) => id,
        Named::Many(group) => groups[group as usize][0],
    }
}

/// The hash of an entry when the table grows, from the name of its first node.
fn rehash<'a, 'n>(
    groups: &'a [Vec<NodeId>],
    hasher: &'a RandomState,
    name_of: impl Fn(NodeId) -> Option<&'n str> + 'a,
) -> impl Fn(&Named) -> u64 + 'a {
    move |e| hasher.hash_one(name_of(first_node(groups, *e)).unwrap_or_default())
}

#[derive(Clone, Debug, Default)]
pub(crate) struct NameIndex {
    table: HashTable<Named>,
    /// Nodes of names carried by two or more, each list in id order (so that undoing a
    /// node's deletion puts it back where it was).
    groups: Vec<Vec<NodeId>>,
    /// Emptied entries of `groups`, to reuse.
    free: Vec<u32>,
    hasher: RandomState,
}

impl NameIndex {
    fn first(&self, named: Named) -> NodeId {
        first_node(&self.groups, named)
    }

    /// The nodes named `name`; `name_of` gives every indexed node's current name.
    pub fn get<'a, 'n>(
        &'a self,
        name: &str,
        name_of: impl Fn(NodeId) -> Option<&'n str>,
    ) -> &'a [NodeId] {
        let hash = self.hasher.hash_one(name);
        match self
            .table
            .find(hash, |e| name_of(self.first(*e)) == Some(name))
        {
            Some(Named::One(id)) => std::slice::from_ref(id),
            Some(Named::Many(group)) => &self.groups[*group as usize],
            None => &[],
        }
    }

    /// How many distinct names are indexed.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether no two indexed nodes share a name.
    pub fn names_are_distinct(&self) -> bool {
        self.groups.len() == self.free.len()
    }

    /// Makes room for `additional` more names, so that a bulk load does not grow the
    /// table step by step, rereading the names already indexed at each step.
    pub fn reserve<'n>(&mut self, additional: usize, name_of: impl Fn(NodeId) -> Option<&'n str>) {
        let NameIndex {
            table,
            groups,
            hasher,
            ..
        } = self;
        table.reserve(additional, rehash(groups, hasher, name_of));
    }

    /// Adds `id` under `name`, which must be its name in `name_of` already.
    pub fn insert<'n>(
        &mut self,
        name: &str,
        id: NodeId,
        name_of: impl Fn(NodeId) -> Option<&'n str>,
    ) {
        let hash = self.hasher.hash_one(name);
        let NameIndex {
            table,
            groups,
            free,
            hasher,
        } = self;
        let first = |e: &Named| first_node(groups, *e);
        let found = table.find_mut(hash, |e| name_of(first(e)) == Some(name));
        match found {
            Some(Named::Many(group)) => {
                let nodes = &mut groups[*group as usize];
                if let Err(at) = nodes.binary_search(&id) {
                    nodes.insert(at, id);
                }
            }
            Some(entry @ Named::One(_)) => {
                let Named::One(only) = *entry else {
                    unreachable!()
                };
                let nodes = vec![only.min(id), only.max(id)];
                let group = match free.pop() {
                    Some(group) => {
                        groups[group as usize] = nodes;
                        group
                    }
                    None => {
                        groups.push(nodes);
                        (groups.len() - 1) as u32
                    }
                };
                *entry = Named::Many(group);
            }
            None => {
                // Rehashing reads the names of the nodes already indexed.
                table.insert_unique(hash, Named::One(id), rehash(groups, hasher, name_of));
            }
        }
    }

    /// Removes `id` from under `name`, which must still be its name in `name_of`.
    pub fn remove<'n>(
        &mut self,
        name: &str,
        id: NodeId,
        name_of: impl Fn(NodeId) -> Option<&'n str>,
    ) {
        let hash = self.hasher.hash_one(name);
        let NameIndex {
            table,
            groups,
            free,
            ..
        } = self;
        let first = |e: &Named| first_node(groups, *e);
        let Ok(entry) = table.find_entry(hash, |e| name_of(first(e)) == Some(name)) else {
            return;
        };
        match *entry.get() {
            Named::One(only) if only == id => {
                entry.remove();
            }
            Named::One(_) => {}
            Named::Many(group) => {
                let nodes = &mut groups[group as usize];
                nodes.retain(|n| *n != id);
                match nodes.len() {
                    0 => {
                        free.push(group);
                        entry.remove();
                    }
                    1 => {
                        let only = nodes[0];
                        *nodes = Vec::new();
                        free.push(group);
                        *entry.into_mut() = Named::One(only);
                    }
                    _ => {}
                }
            }
        }
    }

    /// Bytes held by the table and the groups, roughly.
    pub fn heap_size(&self) -> usize {
        self.table.capacity() * (std::mem::size_of::<Named>() + 1)
            + self
                .groups
                .iter()
                .map(|g| g.capacity() * 4 + 24)
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// One write: give node `.0` the name `.1`, or none when `.1` is 0.
    fn write_strategy() -> impl proptest::strategy::Strategy<Value = (u32, u32)> {
        (0..30u32, 0..6u32)
    }

    proptest::proptest! {
        #[test]
        fn name_index_equals_a_plain_map_under_random_renames(
            writes in proptest::collection::vec(write_strategy(), 0..120),
        ) {
            let mut index = NameIndex::default();
            let mut names: BTreeMap<u32, String> = BTreeMap::new();
            for (node, name) in writes {
                let id = NodeId(node);
                if let Some(old) = names.get(&node).cloned() {
                    index.remove(&old, id, |n| names.get(&n.0).map(String::as_str));
                    names.remove(&node);
                }
                if name > 0 {
                    let name = format!("name{name}");
                    names.insert(node, name.clone());
                    index.insert(&name, id, |n| names.get(&n.0).map(String::as_str));
                }
                for wanted in (0..7).map(|n| format!("name{n}")) {
                    let mut got = index
                        .get(&wanted, |n| names.get(&n.0).map(String::as_str))
                        .to_vec();
                    got.sort();
                    let want: Vec<NodeId> = names
                        .iter()
                        .filter(|(_, n)| **n == wanted)
                        .map(|(id, _)| NodeId(*id))
                        .collect();
                    proptest::prop_assert_eq!(got, want);
                }
            }
        }
    }

    #[test]
    fn names_cost_a_few_bytes_each() {
        let names: Vec<String> = (0..100_000).map(|n| format!("Person_{n}")).collect();
        let name_of = |n: NodeId| names.get(n.0 as usize).map(String::as_str);
        let mut index = NameIndex::default();
        for (i, name) in names.iter().enumerate() {
            index.insert(name, NodeId(i as u32), name_of);
        }
        assert_eq!(index.get("Person_99999", name_of), &[NodeId(99_999)]);
        let per_name = index.heap_size() / names.len();
        assert!(per_name <= 20, "{per_name} bytes per name");
    }
}
