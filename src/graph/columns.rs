//! Relationship properties stored by column: one column per property key, holding for
//! each relationship id a 4-byte slot. A slot names a distinct value in the column's
//! dictionary, so ten million relationships whose `records` and `date` repeat a few
//! thousand values cost eight bytes each and no heap allocation per relationship.
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
/// Slot of an element whose value lives in [`Column::odd`].
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

/// One property key's values, by element id.
#[derive(Clone, Debug, Default)]
struct Column {
    slots: Vec<u32>,
    /// Distinct values, indexed by slot.
    values: Vec<Value>,
    lookup: HashMap<Atom, u32, RandomState>,
    odd: HashMap<u32, Value, RandomState>,
}

impl Column {
    fn get(&self, id: u32) -> Option<&Value> {
        match *self.slots.get(id as usize)? {
            ABSENT => None,
            ODD => self.odd.get(&id),
            slot => Some(&self.values[slot as usize]),
        }
    }

    /// The value in `slot`, by value, for an element being overwritten.
    fn take(&mut self, id: u32) -> Option<Value> {
        let slot = self.slots.get_mut(id as usize)?;
        match std::mem::replace(slot, ABSENT) {
            ABSENT => None,
            ODD => self.odd.remove(&id),
            index => Some(self.values[index as usize].clone()),
        }
    }

    fn set(&mut self, id: u32, value: Value) -> Option<Value> {
        let old = self.take(id);
        if value.is_null() {
            return old;
        }
        let slot = match Atom::of(&value) {
            Some(atom) => match self.lookup.get(&atom) {
                Some(&index) => index,
                None => {
                    let index = self.values.len() as u32;
                    assert!(index < ODD, "more distinct values than a column holds");
                    self.values.push(value);
                    self.lookup.insert(atom, index);
                    index
                }
            },
            None => {
                self.odd.insert(id, value);
                ODD
            }
        };
        let i = id as usize;
        if self.slots.len() <= i {
            self.slots.resize(i + 1, ABSENT);
        }
        self.slots[i] = slot;
        old
    }
}

/// Every property of one kind of element (relationships), column by column.
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
            column.slots.reserve(ids.saturating_sub(column.slots.len()));
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
        let column = self.columns[k].get_or_insert_with(|| Column {
            slots: Vec::with_capacity(capacity),
            ..Column::default()
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
        self.columns
            .iter()
            .flatten()
            .map(|c| {
                c.slots.capacity() * 4
                    + c.values.capacity() * std::mem::size_of::<Value>()
                    + c.lookup.capacity() * (std::mem::size_of::<(Atom, u32)>() + 1)
                    + c.odd.capacity() * (std::mem::size_of::<(u32, Value)>() + 1)
            })
            .sum()
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
        assert_eq!(cols.columns[1].as_ref().unwrap().values.len(), 2);
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
        assert!(cols.columns[0].as_ref().unwrap().odd.is_empty());
        assert_eq!(cols.get(3, 0).and_then(Value::as_str), Some("x"));
        cols.set(3, 2, Value::Bool(true));
        assert_eq!(cols.props(3).len(), 2);
        assert_eq!(cols.remove(3).len(), 2);
        assert!(cols.props(3).is_empty());
        assert!(cols.set(3, 0, Value::Null).is_none());
    }
}
