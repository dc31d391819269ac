//! The set of rows `DISTINCT` and `UNION` have seen, split into many small hash sets by
//! the rows' hash. A single set doubles all at once as it grows, and copying a million
//! rows cannot be stopped midway; a set of 1/64 the size rehashes 64 times faster, so
//! Ctrl-C is answered between two rows.

use std::collections::HashSet;
use std::hash::BuildHasher;

use super::Row;

const PARTS: usize = 64;

pub(crate) struct SeenRows {
    hasher: foldhash::fast::FixedState,
    parts: Vec<HashSet<Row, foldhash::fast::FixedState>>,
}

impl SeenRows {
    pub(crate) fn new() -> SeenRows {
        SeenRows {
            hasher: foldhash::fast::FixedState::with_seed(0x5eed),
            parts: (0..PARTS).map(|_| HashSet::default()).collect(),
        }
    }

    /// Adds `row`; whether it was new.
    pub(crate) fn insert(&mut self, row: Row) -> bool {
        // The top bits pick the part: each part's own hasher uses the low bits.
        let part = (self.hasher.hash_one(&row) >> 58) as usize % PARTS;
        self.parts[part].insert(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Value;

    #[test]
    fn each_row_is_new_once() {
        let mut seen = SeenRows::new();
        for round in 0..2 {
            for i in 0..1000 {
                let row = vec![Value::Int(i % 300), Value::Null];
                let first_time = round == 0 && i < 300;
                assert_eq!(seen.insert(row), first_time, "row {i}, round {round}");
            }
        }
    }
}
