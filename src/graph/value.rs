//! Values: what properties hold, what expressions compute and what result rows carry.
//!
//! Cypher has three notions of "same" and this module implements each once:
//! `cypher_eq` (the `=` operator, with null and incomparable types giving null),
//! `cypher_cmp` (the `<` family, null when the types do not compare), and
//! `order_cmp` (ORDER BY's total order across all types). `Hash`/`Eq` implement
//! *equivalence* (null equals null, `1` equals `1.0`), which DISTINCT and grouping use.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, Timelike};

use super::partial;
pub use crate::temporal::Duration;
use crate::temporal::{PartialDate, Zone};

/// A node's stable id (petgraph's `StableDiGraph` index).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

/// A relationship's stable id.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelId(pub u32);

/// A path: `nodes.len() == rels.len() + 1`; `rels[i]` joins `nodes[i]` and `nodes[i + 1]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Path {
    pub nodes: Vec<NodeId>,
    pub rels: Vec<RelId>,
}

/// Any value a property, an expression or a result cell can hold.
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(Arc<str>),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Node(NodeId),
    Rel(RelId),
    Path(Box<Path>),
    Date(NaiveDate),
    /// A date known to a month or a year, or only as a bound (`2015-04`, `<2017-06-08`).
    PartialDate(PartialDate),
    LocalTime(NaiveTime),
    Time(NaiveTime, FixedOffset),
    LocalDateTime(NaiveDateTime),
    /// A date-time in a zone: a fixed offset or a named zone (`Europe/Stockholm`).
    DateTime(DateTime<Zone>),
    Duration(Duration),
}

impl Value {
    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::String(Arc::from(s))
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The Cypher type name used in error messages (`Integer`, `String`, `Node`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "Null",
            Value::Bool(_) => "Boolean",
            Value::Int(_) => "Integer",
            Value::Float(_) => "Float",
            Value::String(_) => "String",
            Value::List(_) => "List",
            Value::Map(_) => "Map",
            Value::Node(_) => "Node",
            Value::Rel(_) => "Relationship",
            Value::Path(_) => "Path",
            Value::Date(_) => "Date",
            Value::PartialDate(_) => "PartialDate",
            Value::LocalTime(_) => "LocalTime",
            Value::Time(..) => "Time",
            Value::LocalDateTime(_) => "LocalDateTime",
            Value::DateTime(_) => "DateTime",
            Value::Duration(_) => "Duration",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Cypher's `=`: `None` stands for null (unknown).
    pub fn cypher_eq(&self, other: &Value) -> Option<bool> {
        use Value::*;
        match (self, other) {
            (Null, _) | (_, Null) => None,
            (PartialDate(_), Date(_) | PartialDate(_)) | (Date(_), PartialDate(_)) => {
                partial::equals(self, other)
            }
            (Int(a), Int(b)) => Some(a == b),
            (Int(a), Float(b)) => Some((*a as f64) == *b),
            (Float(a), Int(b)) => Some(*a == (*b as f64)),
            (Float(a), Float(b)) => Some(a == b),
            (List(a), List(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                let mut unknown = false;
                for (x, y) in a.iter().zip(b) {
                    match x.cypher_eq(y) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown { None } else { Some(true) }
            }
            (Map(a), Map(b)) => {
                if a.len() != b.len() || a.keys().ne(b.keys()) {
                    return Some(false);
                }
                let mut unknown = false;
                for (x, y) in a.values().zip(b.values()) {
                    match x.cypher_eq(y) {
                        Some(false) => return Some(false),
                        None => unknown = true,
                        Some(true) => {}
                    }
                }
                if unknown { None } else { Some(true) }
            }
            (a, b) if a.kind_rank() != b.kind_rank() => Some(false),
            (a, b) => Some(a.order_cmp(b) == Ordering::Equal),
        }
    }

    /// Cypher's `<`, `<=`, `>`, `>=`: an ordering when the two values are comparable,
    /// `None` (null) otherwise.
    pub fn cypher_cmp(&self, other: &Value) -> Option<Ordering> {
        use Value::*;
        match (self, other) {
            (Null, _) | (_, Null) => None,
            (Int(a), Int(b)) => Some(a.cmp(b)),
            (Int(_) | Float(_), Int(_) | Float(_)) => {
                let (a, b) = (self.as_f64()?, other.as_f64()?);
                a.partial_cmp(&b)
            }
            (String(a), String(b)) => Some(a.cmp(b)),
            (Bool(a), Bool(b)) => Some(a.cmp(b)),
            (List(a), List(b)) => {
                for (x, y) in a.iter().zip(b) {
                    match x.cypher_cmp(y)? {
                        Ordering::Equal => {}
                        o => return Some(o),
                    }
                }
                Some(a.len().cmp(&b.len()))
            }
            (Date(a), Date(b)) => Some(a.cmp(b)),
            (PartialDate(_), Date(_) | PartialDate(_)) | (Date(_), PartialDate(_)) => {
                partial::compare(self, other)
            }
            (LocalDateTime(a), LocalDateTime(b)) => Some(a.cmp(b)),
            (DateTime(a), DateTime(b)) => Some(datetime_cmp(a, b)),
            (LocalTime(a), LocalTime(b)) => Some(a.cmp(b)),
            (Time(a, oa), Time(b, ob)) => Some(time_cmp((a, oa), (b, ob))),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// Rank of each kind in ORDER BY's total order (openCypher's "orderability"):
    /// maps, nodes, relationships, lists, paths, temporal, strings, booleans, numbers, null.
    fn kind_rank(&self) -> u8 {
        match self {
            Value::Map(_) => 0,
            Value::Node(_) => 1,
            Value::Rel(_) => 2,
            Value::List(_) => 3,
            Value::Path(_) => 4,
            Value::DateTime(_) => 5,
            Value::LocalDateTime(_) => 6,
            Value::Date(_) | Value::PartialDate(_) => 7,
            Value::Time(..) => 8,
            Value::LocalTime(_) => 9,
            Value::Duration(_) => 10,
            Value::String(_) => 11,
            Value::Bool(_) => 12,
            Value::Int(_) | Value::Float(_) => 13,
            Value::Null => 14,
        }
    }

    /// ORDER BY's total order over all values (ascending; null sorts last).
    pub fn order_cmp(&self, other: &Value) -> Ordering {
        use Value::*;
        let (ra, rb) = (self.kind_rank(), other.kind_rank());
        if ra != rb {
            return ra.cmp(&rb);
        }
        match (self, other) {
            (Int(a), Int(b)) => a.cmp(b),
            (Int(_) | Float(_), Int(_) | Float(_)) => {
                let (a, b) = (self.as_f64().unwrap_or(0.0), other.as_f64().unwrap_or(0.0));
                // NaN sorts above every other number.
                match (a.is_nan(), b.is_nan()) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Greater,
                    (false, true) => Ordering::Less,
                    _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal).then_with(|| {
                        // Equal numerically: keep integers before floats for a stable order.
                        matches!(self, Float(_)).cmp(&matches!(other, Float(_)))
                    }),
                }
            }
            (String(a), String(b)) => a.cmp(b),
            (Bool(a), Bool(b)) => a.cmp(b),
            (List(a), List(b)) => {
                for (x, y) in a.iter().zip(b) {
                    match x.order_cmp(y) {
                        Ordering::Equal => {}
                        o => return o,
                    }
                }
                a.len().cmp(&b.len())
            }
            (Map(a), Map(b)) => {
                let ka: Vec<_> = a.iter().collect();
                let kb: Vec<_> = b.iter().collect();
                for ((k1, v1), (k2, v2)) in ka.iter().zip(&kb) {
                    match k1.cmp(k2).then_with(|| v1.order_cmp(v2)) {
                        Ordering::Equal => {}
                        o => return o,
                    }
                }
                ka.len().cmp(&kb.len())
            }
            (Node(a), Node(b)) => a.cmp(b),
            (Rel(a), Rel(b)) => a.cmp(b),
            (Path(a), Path(b)) => a.nodes.cmp(&b.nodes).then_with(|| a.rels.cmp(&b.rels)),
            (Date(a), Date(b)) => a.cmp(b),
            (PartialDate(_), Date(_) | PartialDate(_)) | (Date(_), PartialDate(_)) => {
                partial::order(self, other)
            }
            (LocalDateTime(a), LocalDateTime(b)) => a.cmp(b),
            (DateTime(a), DateTime(b)) => datetime_cmp(a, b),
            (LocalTime(a), LocalTime(b)) => a.cmp(b),
            (Time(a, oa), Time(b, ob)) => time_cmp((a, oa), (b, ob)),
            (Duration(a), Duration(b)) => {
                (a.months, a.days, a.seconds, a.nanos).cmp(&(b.months, b.days, b.seconds, b.nanos))
            }
            _ => Ordering::Equal,
        }
    }
}

impl PartialEq for Value {
    /// Equivalence (DISTINCT, grouping): null equals null and `1` equals `1.0`.
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (Null, Null) => true,
            (Float(a), Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Int(a), Int(b)) => a == b,
            (Int(_) | Float(_), Int(_) | Float(_)) => self.as_f64() == other.as_f64(),
            (List(a), List(b)) => a == b,
            (Map(a), Map(b)) => a == b,
            _ => self.kind_rank() == other.kind_rank() && self.order_cmp(other) == Ordering::Equal,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        use Value::*;
        self.kind_rank().hash(state);
        match self {
            Null => {}
            Bool(b) => b.hash(state),
            // Integral floats hash like the integer so that 1 and 1.0 group together.
            Int(i) => (*i as f64).to_bits().hash(state),
            Float(f) => {
                if f.is_nan() {
                    0u8.hash(state)
                } else if *f == 0.0 {
                    0f64.to_bits().hash(state)
                } else {
                    f.to_bits().hash(state)
                }
            }
            String(s) => s.hash(state),
            List(l) => l.hash(state),
            Map(m) => m.hash(state),
            Node(n) => n.hash(state),
            Rel(r) => r.hash(state),
            Path(p) => p.hash(state),
            Date(d) => d.hash(state),
            PartialDate(p) => p.hash(state),
            LocalTime(t) => t.hash(state),
            Time(t, o) => (t, o.local_minus_utc()).hash(state),
            LocalDateTime(d) => d.hash(state),
            DateTime(d) => (d, d.offset().fix(), d.timezone()).hash(state),
            Duration(d) => d.hash(state),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(Arc::from(s))
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

/// Times order by the instant they stand for on a common day, then by local time, as
/// Java's `OffsetTime.compareTo` (so `12:00+01:00` and `11:00Z` are not equal).
fn time_cmp(a: (&NaiveTime, &FixedOffset), b: (&NaiveTime, &FixedOffset)) -> Ordering {
    let utc_nanos = |(t, o): (&NaiveTime, &FixedOffset)| {
        i64::from(t.num_seconds_from_midnight()) * 1_000_000_000 + i64::from(t.nanosecond())
            - i64::from(o.local_minus_utc()) * 1_000_000_000
    };
    utc_nanos(a).cmp(&utc_nanos(b)).then_with(|| a.0.cmp(b.0))
}

/// Date-times order by instant, then local date-time, then zone, as Java's
/// `ChronoZonedDateTime.compareTo`; equal only when all three are.
fn datetime_cmp(a: &DateTime<Zone>, b: &DateTime<Zone>) -> Ordering {
    a.cmp(b)
        .then_with(|| a.naive_local().cmp(&b.naive_local()))
        .then_with(|| {
            crate::temporal::format_zone(a.timezone())
                .cmp(&crate::temporal::format_zone(b.timezone()))
        })
}

impl From<DateTime<FixedOffset>> for Value {
    /// A date-time whose zone is its fixed offset.
    fn from(d: DateTime<FixedOffset>) -> Value {
        Value::DateTime(crate::temporal::with_fixed_zone(d))
    }
}

/// Formats a float the way Cypher prints it: always with a decimal point or exponent.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else if f == f.trunc() && f.abs() < 1e16 {
        format!("{f:.1}")
    } else {
        let s = format!("{f}");
        if s.contains('e') || s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_with_null_is_unknown() {
        assert_eq!(Value::Int(1).cypher_eq(&Value::Null), None);
        assert_eq!(Value::Int(1).cypher_eq(&Value::Float(1.0)), Some(true));
        assert_eq!(Value::Int(1).cypher_eq(&Value::str("1")), Some(false));
    }

    #[test]
    fn list_equality_with_null_inside_is_unknown_unless_decided() {
        let a = Value::List(vec![Value::Int(1), Value::Null]);
        let b = Value::List(vec![Value::Int(1), Value::Int(2)]);
        let c = Value::List(vec![Value::Int(2), Value::Null]);
        assert_eq!(a.cypher_eq(&b), None);
        assert_eq!(b.cypher_eq(&c), Some(false));
    }

    #[test]
    fn order_puts_null_last_and_numbers_together() {
        let mut v = [
            Value::Null,
            Value::Float(1.5),
            Value::Int(1),
            Value::str("a"),
        ];
        v.sort_by(Value::order_cmp);
        assert!(matches!(v[0], Value::String(_)));
        assert!(matches!(v[1], Value::Int(1)));
        assert!(v[3].is_null());
    }

    #[test]
    fn equivalence_groups_int_and_integral_float() {
        use std::collections::HashSet;
        let set: HashSet<Value> = [Value::Int(1), Value::Float(1.0), Value::Null, Value::Null]
            .into_iter()
            .collect();
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn floats_print_with_a_point() {
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(0.5), "0.5");
        assert_eq!(format_float(f64::NAN), "NaN");
    }

    #[test]
    fn durations_print_as_iso8601() {
        let d = Duration {
            months: 14,
            days: 3,
            seconds: 3661,
            nanos: 500_000_000,
        };
        assert_eq!(d.to_string(), "P1Y2M3DT1H1M1.5S");
        assert_eq!(Duration::default().to_string(), "PT0S");
    }
}
