//! Scalar functions. Temporal functions are evaluated in `exec::temporal`; its
//! accessors and operators are re-exported here for `expr`.

use std::collections::BTreeMap;

use crate::error::Span;
use crate::graph::Value;
use crate::plan::functions::Function;

use super::expr::{describe, type_error};
use super::{ExecError, Reader, Result};

pub(super) use super::temporal::{temporal_arithmetic, temporal_field};

/// The order of `status` values from weakest to strongest (DATA-MODEL.md).
const STATUS_ORDER: [&str; 5] = ["disputed", "alleged", "planned", "reported", "confirmed"];

impl Reader<'_> {
    pub(super) fn call(&self, function: Function, args: Vec<Value>, span: Span) -> Result<Value> {
        use Function as F;
        if let Some(result) = super::temporal::call(function, &args, &self.ctx.clock, span) {
            return result;
        }
        let mut args = args.into_iter();
        let mut arg = || args.next().unwrap_or(Value::Null);
        let first = arg();
        // Most functions return null for a null argument.
        let null_passes = !matches!(
            function,
            F::Coalesce
                | F::Exists
                | F::ToStringOrNull
                | F::ToIntegerOrNull
                | F::ToFloatOrNull
                | F::ToBooleanOrNull
                | F::E
                | F::Pi
                | F::Rand
                | F::Timestamp
                | F::Range
                | F::Substring
                | F::Left
                | F::Right
                | F::Split
                | F::Replace
                | F::Atan2
                | F::Round
        );
        if null_passes && first.is_null() {
            return Ok(Value::Null);
        }
        let wrong = |what: &str, v: &Value| -> ExecError {
            type_error(
                format!("{}() expects {what}, got {}", function.name(), describe(v)),
                span,
            )
        };
        Ok(match function {
            F::Id => match first {
                Value::Node(n) => Value::Int(n.0 as i64),
                Value::Rel(r) => Value::Int(r.0 as i64),
                other => return Err(wrong("a node or relationship", &other)),
            },
            F::ElementId => match first {
                Value::Node(n) => Value::from(format!("n{}", n.0)),
                Value::Rel(r) => Value::from(format!("r{}", r.0)),
                other => return Err(wrong("a node or relationship", &other)),
            },
            F::Labels => match first {
                Value::Node(n) if !self.graph.contains_node(n) => {
                    return Err(ExecError::DeletedEntity {
                        message: "the node was deleted".into(),
                        span,
                    });
                }
                Value::Node(n) => Value::List(
                    self.graph
                        .labels_of(n)
                        .iter()
                        .map(|l| Value::str(self.graph.label_name(*l)))
                        .collect(),
                ),
                other => return Err(wrong("a node", &other)),
            },
            F::Type => match first {
                Value::Rel(r) => self
                    .graph
                    .rel_type(r)
                    .or_else(|| self.ctx.deleted_rel_types.borrow().get(&r).copied())
                    .map_or(Value::Null, |t| self.graph.type_name_value(t)),
                other => return Err(wrong("a relationship", &other)),
            },
            F::Properties => match first {
                Value::Node(_) | Value::Rel(_) => Value::Map(self.properties_of(&first)),
                Value::Map(m) => Value::Map(m),
                other => return Err(wrong("a node, relationship or map", &other)),
            },
            F::Keys => match first {
                Value::Node(_) | Value::Rel(_) => Value::List(
                    self.properties_of(&first)
                        .into_keys()
                        .map(Value::from)
                        .collect(),
                ),
                Value::Map(m) => Value::List(m.into_keys().map(Value::from).collect()),
                other => return Err(wrong("a node, relationship or map", &other)),
            },
            F::Length => match first {
                Value::Path(p) => Value::Int(p.rels.len() as i64),
                other => return Err(wrong("a path", &other)),
            },
            F::Nodes => match first {
                Value::Path(p) => Value::List(p.nodes.iter().map(|n| Value::Node(*n)).collect()),
                other => return Err(wrong("a path", &other)),
            },
            F::Relationships => match first {
                Value::Path(p) => Value::List(p.rels.iter().map(|r| Value::Rel(*r)).collect()),
                other => return Err(wrong("a path", &other)),
            },
            F::StartNode | F::EndNode => match first {
                Value::Rel(r) => self.graph.endpoints(r).map_or(Value::Null, |(s, e)| {
                    Value::Node(if function == F::StartNode { s } else { e })
                }),
                other => return Err(wrong("a relationship", &other)),
            },
            F::Size => match first {
                Value::List(l) => Value::Int(l.len() as i64),
                Value::String(s) => Value::Int(s.chars().count() as i64),
                Value::Map(m) => Value::Int(m.len() as i64),
                other => return Err(wrong("a list or string", &other)),
            },
            F::Head => match first {
                Value::List(l) => l.into_iter().next().unwrap_or(Value::Null),
                other => return Err(wrong("a list", &other)),
            },
            F::Last => match first {
                Value::List(l) => l.into_iter().next_back().unwrap_or(Value::Null),
                other => return Err(wrong("a list", &other)),
            },
            F::Tail => match first {
                Value::List(l) => Value::List(l.into_iter().skip(1).collect()),
                other => return Err(wrong("a list", &other)),
            },
            F::Reverse => match first {
                Value::List(mut l) => {
                    l.reverse();
                    Value::List(l)
                }
                Value::String(s) => Value::from(s.chars().rev().collect::<String>()),
                other => return Err(wrong("a list or string", &other)),
            },
            F::IsEmpty => match first {
                Value::List(l) => Value::Bool(l.is_empty()),
                Value::String(s) => Value::Bool(s.is_empty()),
                Value::Map(m) => Value::Bool(m.is_empty()),
                other => return Err(wrong("a list, string or map", &other)),
            },
            F::Range => {
                let (start, end, step) = (first, arg(), arg());
                let int = |v: &Value| match v {
                    Value::Int(i) => Ok(*i),
                    other => Err(ExecError::InvalidArgument {
                        message: format!("range() expects integers, got {}", describe(other)),
                        span,
                    }),
                };
                let step = if step.is_null() { 1 } else { int(&step)? };
                let (start, end) = (int(&start)?, int(&end)?);
                if step == 0 {
                    return Err(ExecError::InvalidArgument {
                        message: "range() step cannot be 0".into(),
                        span,
                    });
                }
                let mut out = Vec::new();
                let mut i = start;
                while (step > 0 && i <= end) || (step < 0 && i >= end) {
                    out.push(Value::Int(i));
                    self.check_limits()?;
                    if out.len() > 100_000_000 {
                        return Err(ExecError::InvalidArgument {
                            message: "range() is too large".into(),
                            span,
                        });
                    }
                    i = match i.checked_add(step) {
                        Some(n) => n,
                        None => break,
                    };
                }
                Value::List(out)
            }
            F::Coalesce => {
                let mut v = first;
                while v.is_null() {
                    match args.next() {
                        Some(next) => v = next,
                        None => break,
                    }
                }
                v
            }
            F::Exists => Value::Bool(!first.is_null()),
            F::ToString | F::ToStringOrNull => match to_string(&first) {
                Some(s) => Value::from(s),
                None if function == F::ToStringOrNull => Value::Null,
                None => return Err(wrong("a string, number, boolean or temporal value", &first)),
            },
            F::ToInteger | F::ToIntegerOrNull => match (&first, function) {
                (Value::Int(_), _) => first,
                (Value::Float(f), _) if f.is_finite() => Value::Int(f.trunc() as i64),
                (Value::String(s), _) => parse_integer(s).map_or(Value::Null, Value::Int),
                (Value::Bool(b), _) => Value::Int(*b as i64),
                (_, F::ToIntegerOrNull) => Value::Null,
                (other, _) => return Err(wrong("a number, string or boolean", other)),
            },
            F::ToFloat | F::ToFloatOrNull => match (&first, function) {
                (Value::Float(_), _) => first,
                (Value::Int(i), _) => Value::Float(*i as f64),
                (Value::String(s), _) => s.trim().parse::<f64>().map_or(Value::Null, Value::Float),
                (_, F::ToFloatOrNull) => Value::Null,
                (other, _) => return Err(wrong("a number or string", other)),
            },
            F::ToBoolean | F::ToBooleanOrNull => match (&first, function) {
                (Value::Bool(_), _) => first,
                (Value::String(s), _) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::Null,
                },
                (Value::Int(i), _) => Value::Bool(*i != 0),
                (_, F::ToBooleanOrNull) => Value::Null,
                (other, _) => return Err(wrong("a boolean, string or integer", other)),
            },
            F::ToLower | F::Lower => Value::from(string_arg(&first, &wrong)?.to_lowercase()),
            F::ToUpper | F::Upper => Value::from(string_arg(&first, &wrong)?.to_uppercase()),
            F::Trim => Value::from(string_arg(&first, &wrong)?.trim()),
            F::LTrim => Value::from(string_arg(&first, &wrong)?.trim_start()),
            F::RTrim => Value::from(string_arg(&first, &wrong)?.trim_end()),
            F::Split => {
                let sep = arg();
                if first.is_null() || sep.is_null() {
                    return Ok(Value::Null);
                }
                let (s, sep) = (string_arg(&first, &wrong)?, string_arg(&sep, &wrong)?);
                let parts: Vec<Value> = if sep.is_empty() {
                    s.chars().map(|c| Value::from(c.to_string())).collect()
                } else {
                    s.split(sep).map(Value::from).collect()
                };
                Value::List(parts)
            }
            F::Substring => {
                let (start, len) = (arg(), arg());
                if first.is_null() {
                    return Ok(Value::Null);
                }
                let s = string_arg(&first, &wrong)?;
                let start = non_negative(&start, "start", span)?;
                let chars: Vec<char> = s.chars().collect();
                let from = start.min(chars.len());
                let to = if len.is_null() {
                    chars.len()
                } else {
                    from.saturating_add(non_negative(&len, "length", span)?)
                        .min(chars.len())
                };
                Value::from(chars[from..to].iter().collect::<String>())
            }
            F::Left | F::Right => {
                let len = arg();
                if first.is_null() {
                    return Ok(Value::Null);
                }
                let s = string_arg(&first, &wrong)?;
                if len.is_null() {
                    return Err(ExecError::InvalidArgument {
                        message: "length cannot be null".into(),
                        span,
                    });
                }
                let n = non_negative(&len, "length", span)?;
                let chars: Vec<char> = s.chars().collect();
                let n = n.min(chars.len());
                let part: String = if function == F::Left {
                    chars[..n].iter().collect()
                } else {
                    chars[chars.len() - n..].iter().collect()
                };
                Value::from(part)
            }
            F::Replace => {
                let (search, with) = (arg(), arg());
                if first.is_null() || search.is_null() || with.is_null() {
                    return Ok(Value::Null);
                }
                let s = string_arg(&first, &wrong)?;
                Value::from(s.replace(string_arg(&search, &wrong)?, string_arg(&with, &wrong)?))
            }
            F::Abs => match first {
                Value::Int(i) => {
                    Value::Int(i.checked_abs().ok_or_else(|| ExecError::Arithmetic {
                        message: "integer overflow".into(),
                        span,
                    })?)
                }
                Value::Float(f) => Value::Float(f.abs()),
                other => return Err(wrong("a number", &other)),
            },
            F::Ceil | F::Floor => {
                let f = number(&first, &wrong)?;
                Value::Float(if function == F::Ceil {
                    f.ceil()
                } else {
                    f.floor()
                })
            }
            F::Round => {
                let (precision, mode) = (arg(), arg());
                if first.is_null() {
                    return Ok(Value::Null);
                }
                let f = number(&first, &wrong)?;
                let digits = match precision {
                    Value::Int(p) => p,
                    Value::Null => 0,
                    other => return Err(wrong("an integer precision", &other)),
                };
                let _ = mode;
                let factor = 10f64.powi(digits as i32);
                // Cypher rounds half away from zero... for positives; -2.5 rounds to -2.
                let scaled = f * factor;
                let rounded = if scaled < 0.0 && (scaled.fract() + 0.5).abs() < f64::EPSILON {
                    scaled.ceil()
                } else {
                    scaled.round()
                };
                Value::Float(rounded / factor)
            }
            F::Sign => match first {
                Value::Int(i) => Value::Int(i.signum()),
                Value::Float(f) => Value::Int(if f > 0.0 {
                    1
                } else if f < 0.0 {
                    -1
                } else {
                    0
                }),
                other => return Err(wrong("a number", &other)),
            },
            F::Sqrt => Value::Float(number(&first, &wrong)?.sqrt()),
            F::Exp => Value::Float(number(&first, &wrong)?.exp()),
            F::Log => Value::Float(number(&first, &wrong)?.ln()),
            F::Log10 => Value::Float(number(&first, &wrong)?.log10()),
            F::E => Value::Float(std::f64::consts::E),
            F::Pi => Value::Float(std::f64::consts::PI),
            F::Rand => Value::Float(pseudo_random()),
            F::Sin => Value::Float(number(&first, &wrong)?.sin()),
            F::Cos => Value::Float(number(&first, &wrong)?.cos()),
            F::Tan => Value::Float(number(&first, &wrong)?.tan()),
            F::Cot => Value::Float(1.0 / number(&first, &wrong)?.tan()),
            F::Asin => Value::Float(number(&first, &wrong)?.asin()),
            F::Acos => Value::Float(number(&first, &wrong)?.acos()),
            F::Atan => Value::Float(number(&first, &wrong)?.atan()),
            F::Atan2 => {
                let x = arg();
                if first.is_null() || x.is_null() {
                    return Ok(Value::Null);
                }
                Value::Float(number(&first, &wrong)?.atan2(number(&x, &wrong)?))
            }
            F::Haversin => Value::Float((1.0 - number(&first, &wrong)?.cos()) / 2.0),
            F::Degrees => Value::Float(number(&first, &wrong)?.to_degrees()),
            F::Radians => Value::Float(number(&first, &wrong)?.to_radians()),
            F::Date
            | F::DateTime
            | F::LocalDateTime
            | F::LocalTime
            | F::Time
            | F::Duration
            | F::DateTransaction
            | F::DateStatement
            | F::DateRealtime
            | F::DateTruncate
            | F::LocalTimeTransaction
            | F::LocalTimeStatement
            | F::LocalTimeRealtime
            | F::LocalTimeTruncate
            | F::TimeTransaction
            | F::TimeStatement
            | F::TimeRealtime
            | F::TimeTruncate
            | F::LocalDateTimeTransaction
            | F::LocalDateTimeStatement
            | F::LocalDateTimeRealtime
            | F::LocalDateTimeTruncate
            | F::DateTimeTransaction
            | F::DateTimeStatement
            | F::DateTimeRealtime
            | F::DateTimeTruncate
            | F::DateTimeFromEpoch
            | F::DateTimeFromEpochMillis
            | F::DurationBetween
            | F::DurationInMonths
            | F::DurationInDays
            | F::DurationInSeconds
            | F::PartialDate
            | F::Earliest
            | F::Latest => unreachable!("exec::temporal evaluates {function:?}"),
            // The statement's clock, as in Neo4j: one value for the whole statement, and
            // the same again when the journal replays it.
            F::Timestamp => Value::Int(
                self.ctx
                    .clock
                    .get_or_init(chrono::Utc::now)
                    .timestamp_millis(),
            ),
            F::Sources => self.sources(first, span)?,
            F::WeakestStatus => self.weakest_status(first, span)?,
        })
    }

    fn properties_of(&self, v: &Value) -> BTreeMap<String, Value> {
        let props = match v {
            Value::Node(n) => self.graph.node(*n).map(|d| d.props),
            Value::Rel(r) => self.graph.rel(*r).map(|d| d.props),
            _ => None,
        };
        props
            .map(|p| {
                p.iter()
                    .map(|(k, v)| (self.graph.key_name(k).to_string(), v.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The elements (nodes and relationships) inside a value: a path, an entity, a list.
    fn elements(&self, v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Path(p) => {
                out.extend(p.nodes.iter().map(|n| Value::Node(*n)));
                out.extend(p.rels.iter().map(|r| Value::Rel(*r)));
            }
            Value::Node(_) | Value::Rel(_) => out.push(v.clone()),
            Value::List(items) => items.iter().for_each(|i| self.elements(i, out)),
            _ => {}
        }
    }

    /// `sources(x)`: the distinct ids in the `sources` property of every element of `x`.
    fn sources(&self, v: Value, span: Span) -> Result<Value> {
        let mut elements = Vec::new();
        self.elements(&v, &mut elements);
        if elements.is_empty() && !matches!(v, Value::List(_)) {
            return Err(type_error(
                format!(
                    "sources() expects a path, an element or a list of them, got {}",
                    describe(&v)
                ),
                span,
            ));
        }
        let key = self.graph.key_symbol("sources");
        let mut out: Vec<Value> = Vec::new();
        for e in &elements {
            let prop = key.and_then(|k| match e {
                Value::Node(n) => self.graph.node_property(*n, k),
                Value::Rel(r) => self.graph.rel_property(*r, k),
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

    /// `weakestStatus(x)`: the weakest `status` among the relationships of `x`
    /// (disputed < alleged < planned < reported < confirmed); null when none has one.
    fn weakest_status(&self, v: Value, span: Span) -> Result<Value> {
        let mut elements = Vec::new();
        self.elements(&v, &mut elements);
        if elements.is_empty() && !matches!(v, Value::List(_)) {
            return Err(type_error(
                format!(
                    "weakestStatus() expects a path or relationships, got {}",
                    describe(&v)
                ),
                span,
            ));
        }
        let key = self.graph.key_symbol("status");
        let weakest = elements
            .iter()
            .filter_map(|e| match e {
                Value::Rel(r) => key.and_then(|k| self.graph.rel_property(*r, k)),
                _ => None,
            })
            .filter_map(|s| s.as_str())
            .filter_map(|s| STATUS_ORDER.iter().position(|x| *x == s))
            .min();
        Ok(weakest.map_or(Value::Null, |i| Value::str(STATUS_ORDER[i])))
    }
}

fn string_arg<'v>(v: &'v Value, wrong: &dyn Fn(&str, &Value) -> ExecError) -> Result<&'v str> {
    v.as_str().ok_or_else(|| wrong("a string", v))
}

fn number(v: &Value, wrong: &dyn Fn(&str, &Value) -> ExecError) -> Result<f64> {
    v.as_f64().ok_or_else(|| wrong("a number", v))
}

fn non_negative(v: &Value, what: &str, span: Span) -> Result<usize> {
    match v {
        Value::Int(i) if *i >= 0 => Ok(*i as usize),
        other => Err(ExecError::InvalidArgument {
            message: format!(
                "{what} must be a non-negative integer, not {}",
                describe(other)
            ),
            span,
        }),
    }
}

fn parse_integer(s: &str) -> Option<i64> {
    let t = s.trim();
    t.parse::<i64>().ok().or_else(|| {
        let f: f64 = t.parse().ok()?;
        f.is_finite().then_some(f.trunc() as i64)
    })
}

fn to_string(v: &Value) -> Option<String> {
    Some(match v {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::graph::value::format_float(*f),
        Value::Bool(b) => b.to_string(),
        Value::Null => return None,
        Value::Date(_)
        | Value::PartialDate(_)
        | Value::DateTime(_)
        | Value::LocalDateTime(_)
        | Value::LocalTime(_)
        | Value::Time(..)
        | Value::Duration(_) => {
            let rs = crate::result::ResultSet::default();
            rs.render(v)
        }
        _ => return None,
    })
}

/// A cheap pseudo-random float in [0, 1) without another dependency.
fn pseudo_random() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}
