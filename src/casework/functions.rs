//! `sources()` and `weakestStatus()`: the case graph's functions, as catalogue
//! extensions with their implementations.

use crate::catalogue::{Determinism, Expected, Extension, Family, FunctionInfo};
use crate::graph::{Graph, Value};

/// The order of `status` values from weakest to strongest (DATA-MODEL.md).
const STATUS_ORDER: [&str; 5] = ["disputed", "alleged", "planned", "reported", "confirmed"];

/// The case graph's functions, registered into the function catalogue.
pub const FUNCTIONS: &[Extension] = &[
    Extension {
        info: row(
            "sources",
            "The distinct source ids cited by a path, an element or a list of them.",
        ),
        eval: sources,
    },
    Extension {
        info: row(
            "weakestStatus",
            "The weakest status among the relationships of a path or list \
             (disputed < alleged < planned < reported < confirmed).",
        ),
        eval: weakest_status,
    },
];

/// A one-argument function of the case graph, null for a null argument.
const fn row(name: &'static str, description: &'static str) -> FunctionInfo {
    FunctionInfo {
        name,
        min_args: 1,
        max_args: 1,
        null_in_null_out: true,
        determinism: Determinism::Pure,
        family: Family::Domain,
        description,
    }
}

/// The elements (nodes and relationships) inside a value: a path, an entity, a list.
fn elements(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Path(p) => {
            out.extend(p.nodes.iter().map(|n| Value::Node(*n)));
            out.extend(p.rels.iter().map(|r| Value::Rel(*r)));
        }
        Value::Node(_) | Value::Rel(_) => out.push(v.clone()),
        Value::List(items) => items.iter().for_each(|i| elements(i, out)),
        _ => {}
    }
}

/// The elements of `v`, or what the function expects when there are none and `v` is
/// not a (possibly empty) list.
fn elements_of(v: &Value, expected: &'static str) -> Result<Vec<Value>, Expected> {
    let mut out = Vec::new();
    elements(v, &mut out);
    if out.is_empty() && !matches!(v, Value::List(_)) {
        return Err(Expected(expected));
    }
    Ok(out)
}

/// `sources(x)`: the distinct ids in the `sources` property of every element of `x`.
fn sources(graph: &Graph, args: &[Value]) -> Result<Value, Expected> {
    let v = args.first().unwrap_or(&Value::Null);
    let elements = elements_of(v, "a path, an element or a list of them")?;
    let key = graph.key_symbol("sources");
    let mut out: Vec<Value> = Vec::new();
    for e in &elements {
        let prop = key.and_then(|k| match e {
            Value::Node(n) => graph.node_property(*n, k),
            Value::Rel(r) => graph.rel_property(*r, k),
            _ => None,
        });
        let ids = match prop {
            Some(Value::List(items)) => items.clone(),
            Some(single @ Value::String(_)) => vec![single.clone()],
            _ => Vec::new(),
        };
        for id in ids {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    Ok(Value::List(out))
}

/// `weakestStatus(x)`: the weakest `status` among the relationships of `x`; null when
/// none has one.
fn weakest_status(graph: &Graph, args: &[Value]) -> Result<Value, Expected> {
    let v = args.first().unwrap_or(&Value::Null);
    let elements = elements_of(v, "a path or relationships")?;
    let key = graph.key_symbol("status");
    let weakest = elements
        .iter()
        .filter_map(|e| match e {
            Value::Rel(r) => key.and_then(|k| graph.rel_property(*r, k)),
            _ => None,
        })
        .filter_map(|s| s.as_str())
        .filter_map(|s| STATUS_ORDER.iter().position(|x| *x == s))
        .min();
    Ok(weakest.map_or(Value::Null, |i| Value::str(STATUS_ORDER[i])))
}

#[cfg(test)]
mod tests {
    use crate::{Database, Value};

    #[test]
    fn weakest_status_picks_the_weakest_known_status() {
        let mut db = Database::new();
        let result = db
            .execute(
                "CREATE p = ()-[:T {status: 'reported'}]->()-[:T {status: 'alleged'}]->()-[:T]->() \
                 RETURN weakestStatus(p) AS w, weakestStatus(null) AS n",
            )
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(result.rows[0], vec![Value::str("alleged"), Value::Null]);
    }

    #[test]
    fn sources_rejects_a_value_without_elements() {
        let mut db = Database::new();
        let err = db.execute("RETURN sources(1)").unwrap_err();
        assert!(
            err.to_string()
                .contains("sources() expects a path, an element or a list of them, got Integer 1"),
            "{err}"
        );
    }
}
