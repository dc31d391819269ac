//! Scalar functions and temporal arithmetic.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

use crate::ast::BinaryOp;
use crate::error::Span;
use crate::graph::{Duration, Value};
use crate::plan::functions::Function;

use super::expr::{describe, type_error};
use super::{ExecError, Reader, Result};

/// The order of `status` values from weakest to strongest (DATA-MODEL.md).
const STATUS_ORDER: [&str; 5] = ["disputed", "alleged", "planned", "reported", "confirmed"];

impl Reader<'_> {
    pub(super) fn call(&self, function: Function, args: Vec<Value>, span: Span) -> Result<Value> {
        use Function as F;
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
                | F::Date
                | F::DateTime
                | F::LocalDateTime
                | F::LocalTime
                | F::Time
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
                        .node(n)
                        .map(|d| {
                            d.labels
                                .iter()
                                .map(|l| Value::str(self.graph.label_name(*l)))
                                .collect()
                        })
                        .unwrap_or_default(),
                ),
                other => return Err(wrong("a node", &other)),
            },
            F::Type => match first {
                Value::Rel(r) => self
                    .graph
                    .rel_type(r)
                    .or_else(|| self.ctx.deleted_rel_types.borrow().get(&r).copied())
                    .map_or(Value::Null, |t| Value::str(self.graph.type_name(t))),
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
                    if out.len() % (1 << 20) == 0 {
                        self.check_interrupted()?;
                    }
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
            F::Date | F::DateTime | F::LocalDateTime | F::LocalTime | F::Time => {
                construct_temporal(function, first, span)?
            }
            F::Duration => construct_duration(first, span)?,
            F::Timestamp => Value::Int(chrono::Utc::now().timestamp_millis()),
            F::Sources => self.sources(first, span)?,
            F::WeakestStatus => self.weakest_status(first, span)?,
        })
    }

    fn properties_of(&self, v: &Value) -> BTreeMap<String, Value> {
        let props = match v {
            Value::Node(n) => self.graph.node(*n).map(|d| &d.props),
            Value::Rel(r) => self.graph.rel(*r).map(|d| &d.props),
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

// ── Temporal values ──

fn map_int(m: &BTreeMap<String, Value>, key: &str) -> Option<i64> {
    match m.get(key) {
        Some(Value::Int(i)) => Some(*i),
        Some(Value::Float(f)) => Some(*f as i64),
        _ => None,
    }
}

fn date_from_map(m: &BTreeMap<String, Value>) -> Option<NaiveDate> {
    let year = map_int(m, "year")? as i32;
    if let Some(week) = map_int(m, "week") {
        let dow = map_int(m, "dayOfWeek").unwrap_or(1) as u32;
        return NaiveDate::from_isoywd_opt(
            year,
            week as u32,
            chrono::Weekday::try_from((dow - 1) as u8).ok()?,
        );
    }
    if let Some(ordinal) = map_int(m, "ordinalDay") {
        return NaiveDate::from_yo_opt(year, ordinal as u32);
    }
    if let Some(q) = map_int(m, "quarter") {
        let doq = map_int(m, "dayOfQuarter").unwrap_or(1);
        let start = NaiveDate::from_ymd_opt(year, ((q - 1) * 3 + 1) as u32, 1)?;
        return start.checked_add_days(Days::new((doq - 1) as u64));
    }
    NaiveDate::from_ymd_opt(
        year,
        map_int(m, "month").unwrap_or(1) as u32,
        map_int(m, "day").unwrap_or(1) as u32,
    )
}

fn time_from_map(m: &BTreeMap<String, Value>) -> Option<NaiveTime> {
    let nanos = map_int(m, "millisecond").unwrap_or(0) * 1_000_000
        + map_int(m, "microsecond").unwrap_or(0) * 1_000
        + map_int(m, "nanosecond").unwrap_or(0);
    NaiveTime::from_hms_nano_opt(
        map_int(m, "hour").unwrap_or(0) as u32,
        map_int(m, "minute").unwrap_or(0) as u32,
        map_int(m, "second").unwrap_or(0) as u32,
        nanos as u32,
    )
}

fn parse_local_datetime(s: &str) -> Option<NaiveDateTime> {
    let (d, t) = s.split_once('T')?;
    let date =
        crate::temporal::parse_date(d).or_else(|| NaiveDate::parse_from_str(d, "%Y%m%d").ok())?;
    let time = parse_time(t)?;
    Some(date.and_time(time))
}

fn parse_time(t: &str) -> Option<NaiveTime> {
    ["%H:%M:%S%.f", "%H:%M", "%H%M%S%.f", "%H%M", "%H"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(t, f).ok())
}

/// Splits a trailing `Z` or `±HH:MM` offset off a time or date-time string.
fn split_offset(s: &str) -> Option<(&str, chrono::FixedOffset)> {
    if let Some(rest) = s.strip_suffix('Z') {
        return Some((rest, chrono::FixedOffset::east_opt(0)?));
    }
    let i = s
        .rfind(['+', '-'])
        .filter(|&i| s[..i].contains(':') || s[..i].contains('T') || i > 2)?;
    let (rest, off) = s.split_at(i);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let digits: String = off[1..].chars().filter(|c| c.is_ascii_digit()).collect();
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    Some((
        rest,
        chrono::FixedOffset::east_opt(sign * (h * 3600 + m * 60))?,
    ))
}

fn construct_temporal(function: Function, arg: Value, span: Span) -> Result<Value> {
    let bad = |what: &str| ExecError::InvalidArgument {
        message: format!("cannot make a {} from {what}", function.name()),
        span,
    };
    let now = chrono::Local::now();
    Ok(match (function, arg) {
        (_, Value::Null) if false => Value::Null,
        (Function::Date, Value::Null) => Value::Date(now.date_naive()),
        (Function::LocalDateTime, Value::Null) => Value::LocalDateTime(now.naive_local()),
        (Function::DateTime, Value::Null) => Value::DateTime(now.fixed_offset()),
        (Function::LocalTime, Value::Null) => Value::LocalTime(now.time()),
        (Function::Time, Value::Null) => Value::Time(now.time(), *now.offset()),
        (Function::Date, Value::String(s)) => Value::Date(
            crate::temporal::parse_date(&s)
                .or_else(|| NaiveDate::parse_from_str(&s, "%Y%m%d").ok())
                .ok_or_else(|| bad(&format!("'{s}'")))?,
        ),
        (Function::Date, Value::Map(m)) => {
            if let Some(Value::Date(d)) = m.get("date") {
                Value::Date(*d)
            } else {
                Value::Date(date_from_map(&m).ok_or_else(|| bad("that map"))?)
            }
        }
        (Function::Date, Value::DateTime(d)) => Value::Date(d.date_naive()),
        (Function::Date, Value::LocalDateTime(d)) => Value::Date(d.date()),
        (Function::Date, d @ Value::Date(_)) => d,
        (Function::LocalDateTime, Value::String(s)) => {
            Value::LocalDateTime(parse_local_datetime(&s).ok_or_else(|| bad(&format!("'{s}'")))?)
        }
        (Function::LocalDateTime, Value::Map(m)) => {
            let date = match m.get("date") {
                Some(Value::Date(d)) => *d,
                _ => date_from_map(&m).ok_or_else(|| bad("that map"))?,
            };
            Value::LocalDateTime(date.and_time(time_from_map(&m).ok_or_else(|| bad("that map"))?))
        }
        (Function::DateTime, Value::String(s)) => {
            let parsed = crate::temporal::parse_datetime(&s).or_else(|| {
                let (local, offset) =
                    split_offset(&s).unwrap_or((&s, chrono::FixedOffset::east_opt(0)?));
                parse_local_datetime(local)?
                    .and_local_timezone(offset)
                    .single()
            });
            Value::DateTime(parsed.ok_or_else(|| bad(&format!("'{s}'")))?)
        }
        (Function::DateTime, Value::Map(m)) => {
            let date = date_from_map(&m).ok_or_else(|| bad("that map"))?;
            let local = date.and_time(time_from_map(&m).ok_or_else(|| bad("that map"))?);
            let offset = match m.get("timezone") {
                Some(Value::String(tz)) => split_offset(&format!("T{tz}")).map(|(_, o)| o),
                _ => chrono::FixedOffset::east_opt(0),
            }
            .ok_or_else(|| bad("that time zone"))?;
            Value::DateTime(
                local
                    .and_local_timezone(offset)
                    .single()
                    .ok_or_else(|| bad("that map"))?,
            )
        }
        (Function::LocalTime, Value::String(s)) => {
            Value::LocalTime(parse_time(&s).ok_or_else(|| bad(&format!("'{s}'")))?)
        }
        (Function::LocalTime, Value::Map(m)) => {
            Value::LocalTime(time_from_map(&m).ok_or_else(|| bad("that map"))?)
        }
        (Function::Time, Value::Map(m)) => {
            let offset = match m.get("timezone") {
                Some(Value::String(tz)) => split_offset(&format!("T{tz}")).map(|(_, o)| o),
                _ => chrono::FixedOffset::east_opt(0),
            }
            .ok_or_else(|| bad("that time zone"))?;
            Value::Time(time_from_map(&m).ok_or_else(|| bad("that map"))?, offset)
        }
        (Function::Time, Value::String(s)) => {
            let (t, offset) = split_offset(&s)
                .unwrap_or((&s, chrono::FixedOffset::east_opt(0).expect("zero offset")));
            Value::Time(parse_time(t).ok_or_else(|| bad(&format!("'{s}'")))?, offset)
        }
        (_, other) => return Err(bad(&describe(&other))),
    })
}

fn construct_duration(arg: Value, span: Span) -> Result<Value> {
    let bad = |what: String| ExecError::InvalidArgument {
        message: format!("cannot make a duration from {what}"),
        span,
    };
    match arg {
        Value::Map(m) => {
            let num = |k: &str| m.get(k).and_then(Value::as_f64).unwrap_or(0.0);
            let months = num("years") * 12.0 + num("months");
            let days = num("weeks") * 7.0 + num("days");
            let seconds = num("hours") * 3600.0 + num("minutes") * 60.0 + num("seconds");
            let nanos = num("milliseconds") * 1e6 + num("microseconds") * 1e3 + num("nanoseconds");
            // Fractions cascade down: 1.5 months = 1 month and 15.2 days, as Neo4j does.
            let whole_months = months.trunc();
            let days = days + (months - whole_months) * 30.436875;
            let whole_days = days.trunc();
            let total_nanos =
                ((seconds + (days - whole_days) * 86_400.0) * 1e9 + nanos).round() as i128;
            Ok(Value::Duration(Duration {
                months: whole_months as i64,
                days: whole_days as i64,
                seconds: (total_nanos.div_euclid(1_000_000_000)) as i64,
                nanos: (total_nanos.rem_euclid(1_000_000_000)) as i32,
            }))
        }
        Value::String(s) => parse_duration(&s)
            .map(Value::Duration)
            .ok_or_else(|| bad(format!("'{s}'"))),
        d @ Value::Duration(_) => Ok(d),
        other => Err(bad(describe(&other))),
    }
}

/// ISO 8601 durations: `P1Y2M3DT4H5M6.5S`, `P2W`.
fn parse_duration(s: &str) -> Option<Duration> {
    let rest = s.strip_prefix('P')?;
    let (date_part, time_part) = match rest.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (rest, None),
    };
    let mut d = Duration::default();
    let mut number = String::new();
    for c in date_part.chars() {
        if c.is_ascii_digit() || c == '-' || c == '.' {
            number.push(c);
            continue;
        }
        let n: i64 = number.parse().ok()?;
        number.clear();
        match c {
            'Y' => d.months += n * 12,
            'M' => d.months += n,
            'W' => d.days += n * 7,
            'D' => d.days += n,
            _ => return None,
        }
    }
    let mut nanos: i128 = 0;
    for c in time_part.unwrap_or("").chars() {
        if c.is_ascii_digit() || c == '-' || c == '.' {
            number.push(c);
            continue;
        }
        let n: f64 = number.parse().ok()?;
        number.clear();
        nanos += match c {
            'H' => (n * 3600e9) as i128,
            'M' => (n * 60e9) as i128,
            'S' => (n * 1e9).round() as i128,
            _ => return None,
        };
    }
    if !number.is_empty() {
        return None;
    }
    d.seconds = nanos.div_euclid(1_000_000_000) as i64;
    d.nanos = nanos.rem_euclid(1_000_000_000) as i32;
    Some(d)
}

/// `date.year`, `datetime.hour`, `duration.days` and the like.
pub(super) fn temporal_field(v: &Value, field: &str) -> Option<Value> {
    let date = match v {
        Value::Date(d) => Some(*d),
        Value::DateTime(d) => Some(d.date_naive()),
        Value::LocalDateTime(d) => Some(d.date()),
        _ => None,
    };
    let time = match v {
        Value::DateTime(d) => Some(d.time()),
        Value::LocalDateTime(d) => Some(d.time()),
        Value::LocalTime(t) | Value::Time(t, _) => Some(*t),
        _ => None,
    };
    let int = |i: i64| Some(Value::Int(i));
    if let Some(d) = date {
        match field {
            "year" => return int(d.year() as i64),
            "month" => return int(d.month() as i64),
            "day" => return int(d.day() as i64),
            "quarter" => return int(((d.month() - 1) / 3 + 1) as i64),
            "week" => return int(d.iso_week().week() as i64),
            "weekYear" => return int(d.iso_week().year() as i64),
            "dayOfWeek" | "weekDay" => return int(d.weekday().number_from_monday() as i64),
            "ordinalDay" => return int(d.ordinal() as i64),
            _ => {}
        }
    }
    if let Some(t) = time {
        match field {
            "hour" => return int(t.hour() as i64),
            "minute" => return int(t.minute() as i64),
            "second" => return int(t.second() as i64),
            "millisecond" => return int((t.nanosecond() / 1_000_000) as i64),
            "microsecond" => return int((t.nanosecond() / 1_000) as i64),
            "nanosecond" => return int(t.nanosecond() as i64),
            _ => {}
        }
    }
    if let Value::Duration(d) = v {
        return match field {
            "years" => int(d.months / 12),
            "months" => int(d.months),
            "monthsOfYear" => int(d.months % 12),
            "days" => int(d.days),
            "hours" => int(d.seconds / 3600),
            "minutes" => int(d.seconds / 60),
            "minutesOfHour" => int((d.seconds / 60) % 60),
            "seconds" => int(d.seconds),
            "secondsOfMinute" => int(d.seconds % 60),
            "milliseconds" => int(d.seconds * 1000 + d.nanos as i64 / 1_000_000),
            "nanoseconds" => int(d.seconds * 1_000_000_000 + d.nanos as i64),
            "nanosecondsOfSecond" => int(d.nanos as i64),
            _ => None,
        };
    }
    None
}

fn add_duration_to_date(d: NaiveDate, dur: &Duration, sign: i64) -> Option<NaiveDate> {
    let months = dur.months * sign;
    let d = if months >= 0 {
        d.checked_add_months(Months::new(months as u32))?
    } else {
        d.checked_sub_months(Months::new((-months) as u32))?
    };
    let days = dur.days * sign + (dur.seconds * sign).div_euclid(86_400);
    if days >= 0 {
        d.checked_add_days(Days::new(days as u64))
    } else {
        d.checked_sub_days(Days::new((-days) as u64))
    }
}

fn add_duration_to_datetime(d: NaiveDateTime, dur: &Duration, sign: i64) -> Option<NaiveDateTime> {
    let date = add_duration_to_date(
        d.date(),
        &Duration {
            seconds: 0,
            nanos: 0,
            ..*dur
        },
        sign,
    )?;
    let shifted = date.and_time(d.time());
    let delta = chrono::Duration::seconds(dur.seconds * sign)
        + chrono::Duration::nanoseconds(dur.nanos as i64 * sign);
    shifted.checked_add_signed(delta)
}

/// A time of day moved by a duration's time part, wrapping around midnight.
fn shift_time(t: NaiveTime, dur: &Duration, sign: i64) -> NaiveTime {
    let delta = chrono::Duration::seconds(dur.seconds * sign)
        + chrono::Duration::nanoseconds(dur.nanos as i64 * sign);
    t.overflowing_add_signed(delta).0
}

/// `temporal ± duration`, `duration ± duration`, `duration * number`; `None` when the
/// operands are not temporal, `Some(None)` when the result is out of range.
pub(super) fn temporal_arithmetic(op: BinaryOp, l: &Value, r: &Value) -> Option<Option<Value>> {
    let sign = match op {
        BinaryOp::Add => 1,
        BinaryOp::Sub => -1,
        _ => 0,
    };
    Some(match (l, r) {
        (Value::Date(d), Value::Duration(dur)) if sign != 0 => {
            add_duration_to_date(*d, dur, sign).map(Value::Date)
        }
        (Value::Duration(dur), Value::Date(d)) if sign == 1 => {
            add_duration_to_date(*d, dur, 1).map(Value::Date)
        }
        (Value::LocalDateTime(d), Value::Duration(dur)) if sign != 0 => {
            add_duration_to_datetime(*d, dur, sign).map(Value::LocalDateTime)
        }
        (Value::DateTime(d), Value::Duration(dur)) if sign != 0 => {
            add_duration_to_datetime(d.naive_local(), dur, sign)
                .and_then(|n| n.and_local_timezone(*d.offset()).single())
                .map(Value::DateTime)
        }
        (Value::LocalTime(t), Value::Duration(dur)) if sign != 0 => {
            Some(Value::LocalTime(shift_time(*t, dur, sign)))
        }
        (Value::Time(t, o), Value::Duration(dur)) if sign != 0 => {
            Some(Value::Time(shift_time(*t, dur, sign), *o))
        }
        (Value::Duration(a), Value::Duration(b)) if sign != 0 => {
            let nanos = (a.seconds as i128 + sign as i128 * b.seconds as i128) * 1_000_000_000
                + a.nanos as i128
                + sign as i128 * b.nanos as i128;
            Some(Value::Duration(Duration {
                months: a.months + sign * b.months,
                days: a.days + sign * b.days,
                seconds: nanos.div_euclid(1_000_000_000) as i64,
                nanos: nanos.rem_euclid(1_000_000_000) as i32,
            }))
        }
        (Value::Duration(d), n @ (Value::Int(_) | Value::Float(_)))
        | (n @ (Value::Int(_) | Value::Float(_)), Value::Duration(d))
            if op == BinaryOp::Mul =>
        {
            let f = n.as_f64().unwrap_or(0.0);
            let m = Value::Map(BTreeMap::from([
                ("months".to_string(), Value::Float(d.months as f64 * f)),
                ("days".to_string(), Value::Float(d.days as f64 * f)),
                ("seconds".to_string(), Value::Float(d.seconds as f64 * f)),
                ("nanoseconds".to_string(), Value::Float(d.nanos as f64 * f)),
            ]));
            construct_duration(m, Span::default()).ok()
        }
        (Value::Duration(d), n @ (Value::Int(_) | Value::Float(_))) if op == BinaryOp::Div => {
            let f = n.as_f64().unwrap_or(1.0);
            let m = Value::Map(BTreeMap::from([
                ("months".to_string(), Value::Float(d.months as f64 / f)),
                ("days".to_string(), Value::Float(d.days as f64 / f)),
                ("seconds".to_string(), Value::Float(d.seconds as f64 / f)),
                ("nanoseconds".to_string(), Value::Float(d.nanos as f64 / f)),
            ]));
            construct_duration(m, Span::default()).ok()
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations_parse() {
        let d = parse_duration("P1Y2M3DT4H5M6.5S").unwrap();
        assert_eq!(
            (d.months, d.days, d.seconds, d.nanos),
            (14, 3, 4 * 3600 + 5 * 60 + 6, 500_000_000)
        );
        assert_eq!(parse_duration("P2W").unwrap().days, 14);
        assert!(parse_duration("1D").is_none());
    }

    #[test]
    fn adding_a_month_clamps_to_the_month_end() {
        let d = NaiveDate::from_ymd_opt(2018, 1, 31).unwrap();
        let one_month = Duration {
            months: 1,
            ..Duration::default()
        };
        assert_eq!(
            add_duration_to_date(d, &one_month, 1),
            NaiveDate::from_ymd_opt(2018, 2, 28)
        );
    }
}
