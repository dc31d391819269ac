//! Node and relationship properties stored by column: one column per property key,
//! holding for each element id a 4-byte slot. A slot names a distinct value in the
//! column's dictionary, so ten million relationships whose `records` and `date` repeat a
//! few thousand values cost eight bytes each and no heap allocation per relationship.
//! A column whose values are mostly distinct (node ids and names) keeps each element's
//! value directly instead, without a dictionary.
//!
//! Values that do not compare exactly by their bits (lists, maps, temporal values other
//! than dates) are rare on relationships; they are kept in a per-column map instead of the
//! dictionary, so overwriting them frees the old value.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDate;
use foldhash::fast::RandomState;

use super::{Props, Symbol, Value};

/// Slot of an element that does not have the property.
const ABSENT: u32 = u32::MAX;
/// Slot of an element whose value lives in [`SharedColumn::odd`].
const ODD: u32 = u32::MAX - 1;

/// A value that can be deduplicated: equal atoms are the same value, bit for bit (unlike
/// [`Value`]'s equivalence, where `1` equals `1.0`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Atom {
    Bool(bool),
    Int(i64),
    Float(u64),
    String(Arc<str>),
    Date(NaiveDate),
}

impl Atom {
    fn of(value: &Value) -> Option<Atom> {
        Some(match value {
            Value::Bool(b) => Atom::Bool(*b),
            Value::Int(i) => Atom::Int(*i),
            Value::Float(f) => Atom::Float(f.to_bits()),
            Value::String(s) => Atom::String(s.clone()),
            Value::Date(d) => Atom::Date(*d),
            _ => return None,
        })
    }
}

/// Integers below this are found through `SharedColumn::small_ints`.
const SMALL_INTS: usize = 4096;

/// Past this many distinct values a column whose values are nearly all distinct (ids,
/// names) stops sharing them: see [`Column::Direct`].
const MIN_DIRECT: usize = 4096;

/// One property key's values, by element id.
#[derive(Clone, Debug)]
enum Column {
    /// Each element's slot names a value in a dictionary of distinct values.
    Shared(SharedColumn),
    /// Each element's own value, `Null` when absent: a column of mostly distinct values
    /// gains nothing from a dictionary, whose lookup table would cost more than the values.
    Direct(Vec<Value>),
}

impl Default for Column {
    fn default() -> Column {
        Column::Shared(SharedColumn::default())
    }
}

impl Column {
    fn get(&self, id: u32) -> Option<&Value> {
        match self {
            Column::Shared(column) => column.get(id),
            Column::Direct(values) => values.get(id as usize).filter(|v| !v.is_null()),
        }
    }

    fn take(&mut self, id: u32) -> Option<Value> {
        match self {
            Column::Shared(column) => column.take(id),
            Column::Direct(values) => values
                .get_mut(id as usize)
                .map(|v| std::mem::replace(v, Value::Null))
                .filter(|v| !v.is_null()),
        }
    }

    fn set(&mut self, id: u32, value: Value) -> Option<Value> {
        if let Column::Shared(column) = self
            && column.is_mostly_distinct()
        {
            *self = Column::Direct(column.to_direct());
        }
        match self {
            Column::Shared(column) => column.set(id, value),
            Column::Direct(values) => {
                let i = id as usize;
                if values.len() <= i {
                    if value.is_null() {
                        return None;
                    }
                    values.resize(i + 1, Value::Null);
                }
                Some(std::mem::replace(&mut values[i], value)).filter(|v| !v.is_null())
            }
        }
    }

    fn reserve(&mut self, ids: usize) {
        match self {
            Column::Shared(column) => column.slots.reserve(ids.saturating_sub(column.slots.len())),
            Column::Direct(values) => values.reserve(ids.saturating_sub(values.len())),
        }
    }

    fn shrink_to_fit(&mut self) {
        match self {
            Column::Shared(column) => {
                column.slots.shrink_to_fit();
                column.values.shrink_to_fit();
            }
            Column::Direct(values) => values.shrink_to_fit(),
        }
    }

    fn heap_size(&self) -> usize {
        match self {
            Column::Shared(c) => {
                c.slots.capacity() * 4
                    + c.values.capacity() * std::mem::size_of::<Value>()
                    + c.lookup.capacity() * (std::mem::size_of::<(Atom, u32)>() + 1)
                    + c.odd.capacity() * (std::mem::size_of::<(u32, Value)>() + 1)
                    + c.small_ints.capacity() * 4
            }
            Column::Direct(values) => values.capacity() * std::mem::size_of::<Value>(),
        }
    }
}

/// A column whose elements share a dictionary of distinct values.
#[derive(Clone, Debug, Default)]
struct SharedColumn {
    slots: Vec<u32>,
    /// Distinct values, indexed by slot.
    values: Vec<Value>,
    lookup: HashMap<Atom, u32, RandomState>,
    /// The slots of the integers `0..SMALL_INTS` met so far (`ABSENT`: not yet), in
    /// front of `lookup`: counts, years and amounts are mostly small, and a 16 KB array
    /// stays in the cache where the hash table of a column of many values does not.
    small_ints: Vec<u32>,
    odd: HashMap<u32, Value, RandomState>,
    /// Elements that have a value.
    present: usize,
}

impl SharedColumn {
    fn get(&self, id: u32) -> Option<&Value> {
        match *self.slots.get(id as usize)? {
            ABSENT => None,
            ODD => self.odd.get(&id),
            slot => Some(&self.values[slot as usize]),
        }
    }

    /// Whether nearly every element has a value of its own, past the first few
    /// thousand (dates over a few years, repeating sooner, stay shared), and at least
    /// half the ids below the highest have one (a direct column pays for every id).
    fn is_mostly_distinct(&self) -> bool {
        self.values.len() >= MIN_DIRECT
            && self.values.len() * 8 >= self.present * 7
            && self.present * 2 >= self.slots.len()
    }

    /// Every element's value, `Null` where absent.
    fn to_direct(&self) -> Vec<Value> {
        let mut values = Vec::with_capacity(self.slots.capacity());
        values.extend(
            (0..self.slots.len() as u32).map(|id| self.get(id).cloned().unwrap_or(Value::Null)),
        );
        values
    }

    /// The value in `slot`, by value, for an element being overwritten.
    fn take(&mut self, id: u32) -> Option<Value> {
        let slot = self.slots.get_mut(id as usize)?;
        let old = match std::mem::replace(slot, ABSENT) {
            ABSENT => None,
            ODD => self.odd.remove(&id),
            index => Some(self.values[index as usize].clone()),
        };
        if old.is_some() {
            self.present -= 1;
        }
        old
    }

    fn set(&mut self, id: u32, value: Value) -> Option<Value> {
        let old = self.take(id);
        if value.is_null() {
            return old;
        }
        let small = match value {
            Value::Int(i) if (0..SMALL_INTS as i64).contains(&i) => Some(i as usize),
            _ => None,
        };
        let known = small
            .and_then(|i| self.small_ints.get(i).copied())
            .filter(|&slot| slot != ABSENT);
        let slot = match (known, Atom::of(&value)) {
            (Some(slot), _) => slot,
            (None, Some(atom)) => match self.lookup.get(&atom) {
                Some(&index) => index,
                None => {
                    let index = self.values.len() as u32;
                    assert!(index < ODD, "more distinct values than a column holds");
                    self.values.push(value);
                    self.lookup.insert(atom, index);
                    if let Some(i) = small {
                        if self.small_ints.is_empty() {
                            self.small_ints = vec![ABSENT; SMALL_INTS];
                        }
                        self.small_ints[i] = index;
                    }
                    index
                }
            },
            (None, None) => {
                self.odd.insert(id, value);
                ODD
            }
        };
        let i = id as usize;
        if self.slots.len() <= i {
            self.slots.resize(i + 1, ABSENT);
        }
        self.slots[i] = slot;
        self.present += 1;
        old
    }
}

/// Every property of one kind of element (nodes or relationships), column by column.
#[derive(Clone, Debug, Default)]
pub(crate) struct PropertyColumns {
    /// Indexed by key symbol; `None` for keys never set on this kind of element.
    columns: Vec<Option<Column>>,
    /// Slots to reserve in each new column.
    capacity: usize,
}

impl PropertyColumns {
    /// Makes room for elements with ids below `ids` in every column, present and future.
    pub fn reserve(&mut self, ids: usize) {
        self.capacity = self.capacity.max(ids);
        for column in self.columns.iter_mut().flatten() {
            column.reserve(ids);
        }
    }

    /// Gives back reserved room; columns created later reserve none.
    pub fn shrink_to_fit(&mut self) {
        self.capacity = 0;
        for column in self.columns.iter_mut().flatten() {
            column.shrink_to_fit();
        }
    }

    pub fn get(&self, id: u32, key: Symbol) -> Option<&Value> {
        self.columns.get(key as usize)?.as_ref()?.get(id)
    }

    /// Sets `key` on `id`; a null value removes it. Returns the previous value.
    pub fn set(&mut self, id: u32, key: Symbol, value: Value) -> Option<Value> {
        let k = key as usize;
        if self.columns.len() <= k {
            if value.is_null() {
                return None;
            }
            self.columns.resize_with(k + 1, || None);
        }
        let capacity = self.capacity;
        let column = self.columns[k].get_or_insert_with(|| {
            Column::Shared(SharedColumn {
                slots: Vec::with_capacity(capacity),
                ..SharedColumn::default()
            })
        });
        column.set(id, value)
    }

    /// Every property of `id`, sorted by key.
    pub fn props(&self, id: u32) -> Props {
        let mut props = Vec::new();
        for (key, column) in self.columns.iter().enumerate() {
            if let Some(value) = column.as_ref().and_then(|c| c.get(id)) {
                props.push((key as Symbol, value.clone()));
            }
        }
        Props(props)
    }

    /// Removes every property of `id` (when its element is deleted); returns them.
    pub fn remove(&mut self, id: u32) -> Props {
        let mut props = Vec::new();
        for (key, column) in self.columns.iter_mut().enumerate() {
            if let Some(value) = column.as_mut().and_then(|c| c.take(id)) {
                props.push((key as Symbol, value));
            }
        }
        Props(props)
    }

    /// Bytes held by the columns, roughly (slots, dictionaries and odd values).
    pub fn heap_size(&self) -> usize {
        self.columns.iter().flatten().map(Column::heap_size).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_share_equal_values_and_keep_int_and_float_apart() {
        let mut cols = PropertyColumns::default();
        cols.set(0, 1, Value::Int(7));
        cols.set(5, 1, Value::Int(7));
        cols.set(2, 1, Value::Float(7.0));
        assert!(matches!(cols.get(0, 1), Some(Value::Int(7))));
        assert!(matches!(cols.get(5, 1), Some(Value::Int(7))));
        assert!(matches!(cols.get(2, 1), Some(Value::Float(f)) if *f == 7.0));
        assert!(cols.get(1, 1).is_none());
        assert!(cols.get(0, 0).is_none());
        let Some(Column::Shared(column)) = &cols.columns[1] else {
            panic!("a column of two values is shared")
        };
        assert_eq!(column.values.len(), 2);
    }

    #[test]
    fn columns_overwrite_remove_and_keep_odd_values_apart() {
        let mut cols = PropertyColumns::default();
        let list = Value::List(vec![Value::Int(1)]);
        assert!(cols.set(3, 0, list.clone()).is_none());
        assert!(matches!(cols.get(3, 0), Some(Value::List(l)) if l.len() == 1));
        assert!(matches!(
            cols.set(3, 0, Value::str("x")),
            Some(Value::List(_))
        ));
        let Some(Column::Shared(column)) = &cols.columns[0] else {
            panic!("a column of one value is shared")
        };
        assert!(column.odd.is_empty());
        assert_eq!(cols.get(3, 0).and_then(Value::as_str), Some("x"));
        cols.set(3, 2, Value::Bool(true));
        assert_eq!(cols.props(3).len(), 2);
        assert_eq!(cols.remove(3).len(), 2);
        assert!(cols.props(3).is_empty());
        assert!(cols.set(3, 0, Value::Null).is_none());
    }

    #[test]
    fn a_column_of_distinct_values_keeps_them_directly_and_a_repeating_one_shares() {
        let mut cols = PropertyColumns::default();
        let count = 3 * MIN_DIRECT as u32;
        for id in 0..count {
            cols.set(id, 0, Value::str(&format!("n{id}")));
            cols.set(id, 1, Value::Int(i64::from(id % 100)));
        }
        assert!(matches!(cols.columns[0], Some(Column::Direct(_))));
        assert!(matches!(cols.columns[1], Some(Column::Shared(_))));
        for id in [0, MIN_DIRECT as u32 - 1, MIN_DIRECT as u32, count - 1] {
            assert_eq!(
                cols.get(id, 0).and_then(Value::as_str),
                Some(&*format!("n{id}"))
            );
        }
        assert!(cols.get(count, 0).is_none());
        // Distinct values on one id in ten stay shared.
        for id in 0..count {
            cols.set(id * 10, 2, Value::Int(i64::from(id)));
        }
        assert!(matches!(cols.columns[2], Some(Column::Shared(_))));
    }

    #[test]
    fn small_integers_found_through_the_array_keep_their_own_slots() {
        let mut cols = PropertyColumns::default();
        // Negative, small, around the array's end, large, and floats equal to small ones.
        let value = |id: u32| {
            let n = i64::from(id);
            match id % 4 {
                0 => Value::Int(n % 500 - 10),
                1 => Value::Int(SMALL_INTS as i64 - 6 + n % 12),
                2 => Value::Float((n % 300) as f64),
                _ => Value::Int((1 << 40) + n % 7),
            }
        };
        for id in 0..15_000 {
            cols.set(id, 0, value(id));
        }
        for id in 0..15_000 {
            let got = cols.get(id, 0).expect("set");
            assert!(
                matches!((got, &value(id)), (Value::Int(a), Value::Int(b)) if a == b)
                    || matches!((got, &value(id)), (Value::Float(a), Value::Float(b)) if a == b),
                "{id}: {got:?}"
            );
        }
        let Some(Column::Shared(column)) = &cols.columns[0] else {
            panic!("repeating values are shared")
        };
        assert_eq!(column.small_ints.len(), SMALL_INTS);
    }

    /// One write to the columns: element, key, value (0 is null, so a removal).
    fn write_strategy() -> impl proptest::strategy::Strategy<Value = (u32, u32, i64)> {
        (0..40u32, 0..3u32, 0..60i64)
    }

    proptest::proptest! {
        #[test]
        fn columns_equal_a_plain_map_under_random_writes(
            writes in proptest::collection::vec(write_strategy(), 0..200),
            removed in proptest::collection::vec(0..40u32, 0..5),
        ) {
            use std::collections::BTreeMap;
            let mut cols = PropertyColumns::default();
            let mut plain: BTreeMap<(u32, u32), Value> = BTreeMap::new();
            // Key 2 holds distinct strings, with the threshold lowered by starting past it.
            for id in 100..100 + MIN_DIRECT as u32 {
                cols.set(id, 2, Value::str(&id.to_string()));
                plain.insert((id, 2), Value::str(&id.to_string()));
            }
            for (id, key, n) in writes {
                let value = match (n, key) {
                    (0, _) => Value::Null,
                    (_, 0) => Value::Int(n % 7),
                    (_, 1) => Value::List(vec![Value::Int(n)]),
                    _ => Value::str(&format!("s{n}")),
                };
                let old = if value.is_null() {
                    plain.remove(&(id, key))
                } else {
                    plain.insert((id, key), value.clone())
                };
                proptest::prop_assert_eq!(cols.set(id, key, value), old);
            }
            for id in removed {
                let want: Vec<_> = plain
                    .iter()
                    .filter(|((i, _), _)| *i == id)
                    .map(|((_, k), v)| (*k, v.clone()))
                    .collect();
                plain.retain(|(i, _), _| *i != id);
                proptest::prop_assert_eq!(cols.remove(id), Props(want));
            }
            for id in 0..100 + MIN_DIRECT as u32 + 1 {
                for key in 0..4 {
                    proptest::prop_assert_eq!(cols.get(id, key), plain.get(&(id, key)));
                }
            }
        }
    }
}
