//! The node ids of a load (the `:ID` cells) and the nodes they name.
//!
//! Ids are text, but generated datasets nearly always number their nodes: an id written
//! as a plain decimal number (no sign, no leading zero) is kept as that number, in a
//! table indexed by it while the numbers stay dense, so a million nodes cost four bytes
//! each and an edge's endpoint is found without hashing. Other ids, and `007` (which
//! differs from `7` as text), go to a map.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use crate::graph::NodeId;

const NONE: u32 = u32::MAX;

#[derive(Default)]
pub(crate) struct IdMap {
    /// Node by decimal id, for ids below its length.
    dense: Vec<u32>,
    /// Node by decimal id, for ids too large for `dense`.
    numeric: HashMap<u64, NodeId, RandomState>,
    /// Node by any other id.
    text: HashMap<Box<str>, NodeId, RandomState>,
    count: usize,
}

/// `id` as a number if it is written as one canonically.
fn decimal(id: &str) -> Option<u64> {
    let bytes = id.as_bytes();
    if bytes.is_empty() || bytes.len() > 19 || (bytes[0] == b'0' && bytes.len() > 1) {
        return None;
    }
    let mut n = 0u64;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(b - b'0');
    }
    Some(n)
}

impl IdMap {
    pub fn get(&self, id: &str) -> Option<NodeId> {
        match decimal(id) {
            Some(n) => self.get_number(n),
            None => self.text.get(id).copied(),
        }
    }

    /// The node of an id written as the decimal number `n` (see [`IdMap::number`]).
    pub fn get_number(&self, n: u64) -> Option<NodeId> {
        match self.dense.get(n as usize) {
            Some(&NONE) => None,
            Some(&node) => Some(NodeId(node)),
            None => self.numeric.get(&n).copied(),
        }
    }

    /// `id` as the number it is kept under, when it is written as one canonically (so
    /// that the number written out again is the id).
    pub fn number(id: &str) -> Option<u64> {
        decimal(id)
    }

    /// Records `id`, which must not be known yet.
    pub fn insert(&mut self, id: &str, node: NodeId) {
        self.count += 1;
        let Some(n) = decimal(id) else {
            self.text.insert(id.into(), node);
            return;
        };
        let i = n as usize;
        // The table may grow to a few times the number of ids: past that the ids are
        // too sparse for it.
        let limit = 4 * self.count + 1024;
        if i >= self.dense.len() && i < limit {
            let len = (i + 1).max(self.dense.len() * 2).min(limit);
            self.dense.resize(len, NONE);
        }
        match self.dense.get_mut(i) {
            Some(slot) => *slot = node.0,
            None => {
                self.numeric.insert(n, node);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_numbers_sparse_numbers_and_text_apart() {
        let mut ids = IdMap::default();
        ids.insert("0", NodeId(10));
        ids.insert("7", NodeId(11));
        ids.insert("007", NodeId(12));
        ids.insert("99999999999", NodeId(13));
        ids.insert("ce", NodeId(14));
        ids.insert("-1", NodeId(15));
        assert_eq!(ids.get("0"), Some(NodeId(10)));
        assert_eq!(ids.get("7"), Some(NodeId(11)));
        assert_eq!(ids.get("007"), Some(NodeId(12)));
        assert_eq!(ids.get("99999999999"), Some(NodeId(13)));
        assert_eq!(ids.get("ce"), Some(NodeId(14)));
        assert_eq!(ids.get("-1"), Some(NodeId(15)));
        assert_eq!(ids.get("1"), None);
        assert_eq!(ids.get("99999999998"), None);
        assert_eq!(ids.get("99999999999999999999"), None);
        assert!(ids.dense.len() <= 4 * 6 + 1024);
    }
}
