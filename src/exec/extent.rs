//! How much room a value takes and how deeply its lists and maps nest, measured with a
//! stack of its own: the values measured are the ones that might be too big or too deep
//! for the call stack, so the measuring must not recurse.

use crate::graph::Value;

use super::{ExecError, Result};

/// How deeply lists and maps may nest in a value a statement builds. Comparing, printing
/// and dropping a value recurse once per level, so a `reduce` that wraps its accumulator
/// in a list a million times over would end the process when the value is dropped.
pub(crate) const MAX_VALUE_DEPTH: usize = 1000;

/// The size and nesting of a value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Extent {
    /// Bytes a deep copy allocates: a slot per list item, an entry per map key and the
    /// key's text. Strings are shared, not copied, so their text does not count.
    pub bytes: usize,
    /// Levels of lists and maps: 0 for a scalar, 1 for a flat list.
    pub depth: usize,
}

/// Measures `value`, giving up (with what was seen so far) past `max_depth` levels.
pub(crate) fn extent(value: &Value, max_depth: usize) -> Extent {
    let mut out = Extent::default();
    let mut stack = vec![(value, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        out.depth = out.depth.max(depth);
        if depth > max_depth {
            break;
        }
        match v {
            Value::List(items) => {
                out.depth = out.depth.max(depth + 1);
                out.bytes = out
                    .bytes
                    .saturating_add(items.len() * std::mem::size_of::<Value>());
                stack.extend(
                    items
                        .iter()
                        .filter(|i| matches!(i, Value::List(_) | Value::Map(_)))
                        .map(|i| (i, depth + 1)),
                );
            }
            Value::Map(map) => {
                out.depth = out.depth.max(depth + 1);
                for (key, item) in map {
                    let entry = std::mem::size_of::<(String, Value)>() + key.len();
                    out.bytes = out.bytes.saturating_add(entry);
                    if matches!(item, Value::List(_) | Value::Map(_)) {
                        stack.push((item, depth + 1));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Refuses a value nesting deeper than [`MAX_VALUE_DEPTH`], before it can be kept.
pub(crate) fn check_depth(value: &Value) -> Result<()> {
    if !matches!(value, Value::List(_) | Value::Map(_)) {
        return Ok(());
    }
    if extent(value, MAX_VALUE_DEPTH).depth > MAX_VALUE_DEPTH {
        return Err(ExecError::TooDeep {
            limit: MAX_VALUE_DEPTH,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extent_counts_items_and_levels_without_recursing() {
        assert_eq!(extent(&Value::Int(1), 10), Extent::default());
        let flat = Value::List(vec![Value::Int(1), Value::Int(2)]);
        assert_eq!(extent(&flat, 10).depth, 1);
        assert_eq!(extent(&flat, 10).bytes, 2 * std::mem::size_of::<Value>());
        let mut deep = Value::List(Vec::new());
        for _ in 0..100_000 {
            deep = Value::List(vec![deep]);
        }
        assert!(extent(&deep, MAX_VALUE_DEPTH).depth > MAX_VALUE_DEPTH);
        assert!(check_depth(&deep).is_err());
        // Taken apart level by level: dropping it whole would recurse 100,000 times.
        while let Value::List(mut items) = deep {
            deep = items.pop().unwrap_or(Value::Null);
        }
    }
}
