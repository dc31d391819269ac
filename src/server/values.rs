//! datatrail's values as Bolt's PackStream structures, and parameters back into values.
//!
//! Bolt 5 gives nodes and relationships element ids and sends zoned date-times as UTC
//! instants; Bolt 4.4 sends them as local seconds unless the client asked for the `utc`
//! patch. [`Dialect`] carries that choice. Element ids are the ones `elementId()` returns
//! (`n12`, `r7`), and the integer ids are the same numbers.

use std::collections::BTreeMap;

use chrono::{
    DateTime, Duration as Span, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
    Timelike,
};
use thiserror::Error;

use crate::graph::value::Duration;
use crate::graph::{NodeId, Path, RelId, Value};
use crate::result::ResultSet;
use crate::temporal::Zone;

use super::packstream::Packed;

/// Structure tags (PackStream signatures) of Bolt's value types.
pub mod tag {
    pub const NODE: u8 = 0x4E;
    pub const RELATIONSHIP: u8 = 0x52;
    pub const UNBOUND_RELATIONSHIP: u8 = 0x72;
    pub const PATH: u8 = 0x50;
    pub const DATE: u8 = 0x44;
    pub const TIME: u8 = 0x54;
    pub const LOCAL_TIME: u8 = 0x74;
    pub const LOCAL_DATE_TIME: u8 = 0x64;
    /// Bolt 5 (and 4.4 with the `utc` patch): UTC seconds, nanoseconds, offset.
    pub const DATE_TIME: u8 = 0x49;
    /// Bolt 5: UTC seconds, nanoseconds, zone name.
    pub const DATE_TIME_ZONE_ID: u8 = 0x69;
    /// Bolt 4.4: local seconds, nanoseconds, offset.
    pub const LEGACY_DATE_TIME: u8 = 0x46;
    /// Bolt 4.4: local seconds, nanoseconds, zone name.
    pub const LEGACY_DATE_TIME_ZONE_ID: u8 = 0x66;
    pub const DURATION: u8 = 0x45;
    pub const POINT_2D: u8 = 0x58;
    pub const POINT_3D: u8 = 0x59;
}

/// How values are written for the protocol version in use.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Dialect {
    /// Nodes and relationships carry element ids (Bolt 5).
    pub element_ids: bool,
    /// Zoned date-times are UTC instants (Bolt 5, or 4.4 with the `utc` patch).
    pub utc: bool,
}

impl Dialect {
    pub const BOLT5: Dialect = Dialect {
        element_ids: true,
        utc: true,
    };
    pub const BOLT44: Dialect = Dialect {
        element_ids: false,
        utc: false,
    };
}

/// A parameter that has no datatrail value.
#[derive(Debug, Error, PartialEq)]
pub enum ValueError {
    #[error("parameters of type {0} are not supported")]
    Unsupported(&'static str),
    #[error("a {what} structure needs {expected} fields, not {found}")]
    Fields {
        what: &'static str,
        expected: usize,
        found: usize,
    },
    #[error("a {what} structure has a {found} where a {expected} belongs")]
    FieldType {
        what: &'static str,
        expected: &'static str,
        found: &'static str,
    },
    #[error("a {0} value is out of range")]
    OutOfRange(&'static str),
    #[error("unknown time zone `{0}`")]
    Zone(String),
    #[error("unknown structure tag 0x{0:02X}")]
    Tag(u8),
}

fn epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .expect("valid date")
        .and_time(NaiveTime::MIN)
}

fn nanos_of_day(t: &NaiveTime) -> i64 {
    i64::from(t.num_seconds_from_midnight()) * 1_000_000_000 + i64::from(t.nanosecond())
}

fn offset_seconds(o: &FixedOffset) -> i64 {
    i64::from(o.local_minus_utc())
}

/// Writes values for one result, whose snapshots give nodes and relationships their
/// labels, types and properties.
pub struct Encoder<'a> {
    pub result: &'a ResultSet,
    pub dialect: Dialect,
}

impl Encoder<'_> {
    /// A result value as PackStream.
    pub fn value(&self, value: &Value) -> Packed {
        match value {
            Value::Null => Packed::Null,
            Value::Bool(b) => Packed::Bool(*b),
            Value::Int(i) => Packed::Int(*i),
            Value::Float(f) => Packed::Float(*f),
            Value::String(s) => Packed::str(s),
            Value::List(items) => Packed::List(items.iter().map(|v| self.value(v)).collect()),
            Value::Map(map) => Packed::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), self.value(v)))
                    .collect(),
            ),
            Value::Node(id) => self.node(*id),
            Value::Rel(id) => self.rel(*id),
            Value::Path(path) => self.path(path),
            other => temporal(other, self.dialect),
        }
    }

    fn props(&self, props: &BTreeMap<String, Value>) -> Packed {
        Packed::Map(
            props
                .iter()
                .map(|(k, v)| (k.clone(), self.value(v)))
                .collect(),
        )
    }

    fn node(&self, id: NodeId) -> Packed {
        // A node deleted by the statement that returns it has no snapshot: it goes out
        // bare, as Neo4j sends it.
        let (labels, props) = match self.result.entities.nodes.get(&id) {
            Some(node) => (
                node.labels.iter().map(|l| Packed::str(l)).collect(),
                self.props(&node.props),
            ),
            None => (Vec::new(), Packed::Map(BTreeMap::new())),
        };
        let mut fields = vec![Packed::Int(i64::from(id.0)), Packed::List(labels), props];
        if self.dialect.element_ids {
            fields.push(node_element_id(id));
        }
        Packed::Struct(tag::NODE, fields)
    }

    fn rel(&self, id: RelId) -> Packed {
        let snapshot = self.result.entities.rels.get(&id);
        let (start, end) =
            snapshot.map_or((NodeId(u32::MAX), NodeId(u32::MAX)), |r| (r.start, r.end));
        let rel_type = snapshot.map_or("", |r| r.rel_type.as_str());
        let props = snapshot.map_or(Packed::Map(BTreeMap::new()), |r| self.props(&r.props));
        let mut fields = vec![
            Packed::Int(i64::from(id.0)),
            Packed::Int(i64::from(start.0)),
            Packed::Int(i64::from(end.0)),
            Packed::str(rel_type),
            props,
        ];
        if self.dialect.element_ids {
            fields.extend([
                rel_element_id(id),
                node_element_id(start),
                node_element_id(end),
            ]);
        }
        Packed::Struct(tag::RELATIONSHIP, fields)
    }

    fn unbound_rel(&self, id: RelId) -> Packed {
        let snapshot = self.result.entities.rels.get(&id);
        let rel_type = snapshot.map_or("", |r| r.rel_type.as_str());
        let props = snapshot.map_or(Packed::Map(BTreeMap::new()), |r| self.props(&r.props));
        let mut fields = vec![Packed::Int(i64::from(id.0)), Packed::str(rel_type), props];
        if self.dialect.element_ids {
            fields.push(rel_element_id(id));
        }
        Packed::Struct(tag::UNBOUND_RELATIONSHIP, fields)
    }

    /// A path as Bolt writes it: its distinct nodes, its distinct relationships without
    /// ends, and a walk of indices: a relationship's 1-based index (negative when walked
    /// against its direction), then the next node's index.
    fn path(&self, path: &Path) -> Packed {
        let mut nodes: Vec<NodeId> = Vec::new();
        let mut rels: Vec<RelId> = Vec::new();
        let mut indices = Vec::with_capacity(path.rels.len() * 2);
        if let Some(first) = path.nodes.first() {
            position(&mut nodes, *first);
        }
        for (i, rel) in path.rels.iter().enumerate() {
            let index = position(&mut rels, *rel) as i64 + 1;
            let forward = self
                .result
                .entities
                .rels
                .get(rel)
                .is_none_or(|r| r.start == path.nodes[i]);
            indices.push(Packed::Int(if forward { index } else { -index }));
            let next = path.nodes.get(i + 1).copied().unwrap_or(NodeId(u32::MAX));
            indices.push(Packed::Int(position(&mut nodes, next) as i64));
        }
        Packed::Struct(
            tag::PATH,
            vec![
                Packed::List(nodes.into_iter().map(|n| self.node(n)).collect()),
                Packed::List(rels.into_iter().map(|r| self.unbound_rel(r)).collect()),
                Packed::List(indices),
            ],
        )
    }
}

/// Where `item` is in `list`, adding it at the end when missing.
fn position<T: PartialEq>(list: &mut Vec<T>, item: T) -> usize {
    match list.iter().position(|x| *x == item) {
        Some(i) => i,
        None => {
            list.push(item);
            list.len() - 1
        }
    }
}

fn node_element_id(id: NodeId) -> Packed {
    Packed::String(format!("n{}", id.0))
}

fn rel_element_id(id: RelId) -> Packed {
    Packed::String(format!("r{}", id.0))
}

/// A temporal value (or anything without graph context) as PackStream.
fn temporal(value: &Value, dialect: Dialect) -> Packed {
    let s = Packed::Struct;
    match value {
        Value::Date(d) => s(
            tag::DATE,
            vec![Packed::Int((*d - epoch().date()).num_days())],
        ),
        Value::LocalTime(t) => s(tag::LOCAL_TIME, vec![Packed::Int(nanos_of_day(t))]),
        Value::Time(t, o) => s(
            tag::TIME,
            vec![Packed::Int(nanos_of_day(t)), Packed::Int(offset_seconds(o))],
        ),
        Value::LocalDateTime(dt) => {
            let utc = dt.and_utc();
            s(
                tag::LOCAL_DATE_TIME,
                vec![
                    Packed::Int(utc.timestamp()),
                    Packed::Int(i64::from(utc.timestamp_subsec_nanos())),
                ],
            )
        }
        Value::DateTime(dt) => date_time(dt, dialect),
        Value::Duration(d) => s(
            tag::DURATION,
            vec![
                Packed::Int(d.months),
                Packed::Int(d.days),
                Packed::Int(d.seconds),
                Packed::Int(i64::from(d.nanos)),
            ],
        ),
        // Graph values are written by `Encoder`, which knows their snapshots.
        _ => Packed::Null,
    }
}

fn date_time(dt: &DateTime<Zone>, dialect: Dialect) -> Packed {
    let offset = dt.offset().fix();
    let seconds = if dialect.utc {
        dt.timestamp()
    } else {
        dt.naive_local().and_utc().timestamp()
    };
    let nanos = Packed::Int(i64::from(dt.timestamp_subsec_nanos()));
    let (fixed_tag, named_tag) = if dialect.utc {
        (tag::DATE_TIME, tag::DATE_TIME_ZONE_ID)
    } else {
        (tag::LEGACY_DATE_TIME, tag::LEGACY_DATE_TIME_ZONE_ID)
    };
    match dt.offset().zone().name() {
        Some(name) => Packed::Struct(
            named_tag,
            vec![Packed::Int(seconds), nanos, Packed::str(name)],
        ),
        None => Packed::Struct(
            fixed_tag,
            vec![
                Packed::Int(seconds),
                nanos,
                Packed::Int(offset_seconds(&offset)),
            ],
        ),
    }
}

/// A parameter as a datatrail value.
///
/// # Errors
/// [`ValueError`] for byte arrays, points, nodes, relationships and paths (which datatrail
/// does not take as parameters) and for malformed or out-of-range temporal structures.
pub fn from_packed(packed: Packed) -> Result<Value, ValueError> {
    Ok(match packed {
        Packed::Null => Value::Null,
        Packed::Bool(b) => Value::Bool(b),
        Packed::Int(i) => Value::Int(i),
        Packed::Float(f) => Value::Float(f),
        Packed::String(s) => Value::from(s),
        Packed::Bytes(_) => return Err(ValueError::Unsupported("ByteArray")),
        Packed::List(items) => Value::List(
            items
                .into_iter()
                .map(from_packed)
                .collect::<Result<_, _>>()?,
        ),
        Packed::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| Ok((k, from_packed(v)?)))
                .collect::<Result<_, ValueError>>()?,
        ),
        Packed::Struct(tag, fields) => from_struct(tag, fields)?,
    })
}

/// Integer fields of a structure, checked for count and type.
fn ints<const N: usize>(what: &'static str, fields: &[Packed]) -> Result<[i64; N], ValueError> {
    if fields.len() != N {
        return Err(ValueError::Fields {
            what,
            expected: N,
            found: fields.len(),
        });
    }
    let mut out = [0; N];
    for (slot, field) in out.iter_mut().zip(fields) {
        *slot = match field {
            Packed::Int(i) => *i,
            other => {
                return Err(ValueError::FieldType {
                    what,
                    expected: "Integer",
                    found: other.kind(),
                });
            }
        };
    }
    Ok(out)
}

fn time_of_day(nanos: i64) -> Result<NaiveTime, ValueError> {
    let range = || ValueError::OutOfRange("time");
    let secs = u32::try_from(nanos.div_euclid(1_000_000_000)).map_err(|_| range())?;
    let sub = nanos.rem_euclid(1_000_000_000) as u32;
    if nanos < 0 {
        return Err(range());
    }
    NaiveTime::from_num_seconds_from_midnight_opt(secs, sub).ok_or_else(range)
}

fn offset(seconds: i64) -> Result<FixedOffset, ValueError> {
    i32::try_from(seconds)
        .ok()
        .and_then(FixedOffset::east_opt)
        .ok_or(ValueError::OutOfRange("time zone offset"))
}

fn instant(seconds: i64, nanos: i64, what: &'static str) -> Result<NaiveDateTime, ValueError> {
    let nanos = u32::try_from(nanos)
        .ok()
        .filter(|n| *n < 1_000_000_000)
        .ok_or(ValueError::OutOfRange(what))?;
    DateTime::from_timestamp(seconds, nanos)
        .map(|d| d.naive_utc())
        .ok_or(ValueError::OutOfRange(what))
}

fn zoned(fields: &[Packed], utc: bool) -> Result<Value, ValueError> {
    let what = "DateTime";
    if fields.len() != 3 {
        return Err(ValueError::Fields {
            what,
            expected: 3,
            found: fields.len(),
        });
    }
    let [seconds, nanos] = ints::<2>(what, &fields[..2])?;
    let naive = instant(seconds, nanos, what)?;
    let zone = match &fields[2] {
        Packed::Int(o) => Zone::Fixed(offset(*o)?),
        Packed::String(name) => Zone::parse(name).ok_or_else(|| ValueError::Zone(name.clone()))?,
        other => {
            return Err(ValueError::FieldType {
                what,
                expected: "Integer or String",
                found: other.kind(),
            });
        }
    };
    let dt = if utc {
        zone.from_utc_datetime(&naive)
    } else {
        crate::temporal::localize(naive, zone).ok_or(ValueError::OutOfRange(what))?
    };
    Ok(Value::DateTime(dt))
}

fn from_struct(tag: u8, fields: Vec<Packed>) -> Result<Value, ValueError> {
    Ok(match tag {
        tag::DATE => {
            let [days] = ints("Date", &fields)?;
            let date = epoch()
                .date()
                .checked_add_signed(Span::try_days(days).ok_or(ValueError::OutOfRange("date"))?)
                .ok_or(ValueError::OutOfRange("date"))?;
            Value::Date(date)
        }
        tag::LOCAL_TIME => {
            let [nanos] = ints("LocalTime", &fields)?;
            Value::LocalTime(time_of_day(nanos)?)
        }
        tag::TIME => {
            let [nanos, off] = ints("Time", &fields)?;
            Value::Time(time_of_day(nanos)?, offset(off)?)
        }
        tag::LOCAL_DATE_TIME => {
            let [seconds, nanos] = ints("LocalDateTime", &fields)?;
            Value::LocalDateTime(instant(seconds, nanos, "LocalDateTime")?)
        }
        tag::DATE_TIME | tag::DATE_TIME_ZONE_ID => zoned(&fields, true)?,
        tag::LEGACY_DATE_TIME | tag::LEGACY_DATE_TIME_ZONE_ID => zoned(&fields, false)?,
        tag::DURATION => {
            let [months, days, seconds, nanos] = ints("Duration", &fields)?;
            let nanos = i32::try_from(nanos).map_err(|_| ValueError::OutOfRange("duration"))?;
            Value::Duration(Duration {
                months,
                days,
                seconds,
                nanos,
            })
        }
        tag::NODE => return Err(ValueError::Unsupported("Node")),
        tag::RELATIONSHIP | tag::UNBOUND_RELATIONSHIP => {
            return Err(ValueError::Unsupported("Relationship"));
        }
        tag::PATH => return Err(ValueError::Unsupported("Path")),
        tag::POINT_2D | tag::POINT_3D => return Err(ValueError::Unsupported("Point")),
        other => return Err(ValueError::Tag(other)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Database;
    use crate::server::packstream::{decode, to_bytes};
    use proptest::prelude::*;

    fn encode_plain(value: &Value, dialect: Dialect) -> Packed {
        let result = ResultSet::default();
        Encoder {
            result: &result,
            dialect,
        }
        .value(value)
    }

    fn round_trip(value: &Value, dialect: Dialect) -> Value {
        let bytes = to_bytes(&encode_plain(value, dialect));
        from_packed(decode(&bytes).unwrap()).unwrap()
    }

    fn eval(db: &mut Database, expr: &str) -> Value {
        db.execute(&format!("RETURN {expr} AS v")).unwrap()[0].rows[0][0].clone()
    }

    #[test]
    fn temporal_values_round_trip_in_both_dialects() {
        let mut db = Database::new();
        let exprs = [
            "date('2024-02-29')",
            "date('1901-01-01')",
            "localtime('23:59:59.123456789')",
            "time('10:15:30+02:00')",
            "localdatetime('1969-12-31T23:59:59.5')",
            "datetime('2017-10-29T02:30+01:00[Europe/Stockholm]')",
            "datetime('2024-06-01T12:00:00-05:30')",
            "duration('P1Y2M3DT4H5M6.7S')",
            "duration('-PT1.5S')",
        ];
        for expr in exprs {
            let value = eval(&mut db, expr);
            for dialect in [Dialect::BOLT5, Dialect::BOLT44] {
                // Local seconds and a zone name cannot tell the two 02:30s of a night
                // when clocks go back apart: why Bolt 5 sends UTC.
                if dialect == Dialect::BOLT44 && expr.contains("Stockholm") {
                    continue;
                }
                let back = round_trip(&value, dialect);
                assert_eq!(
                    back.cypher_eq(&value),
                    Some(true),
                    "{expr}: {back:?} in {dialect:?}"
                );
                assert_eq!(format!("{back:?}"), format!("{value:?}"), "{expr}");
            }
        }
    }

    #[test]
    fn date_times_use_the_dialect_tags() {
        let mut db = Database::new();
        let fixed = eval(&mut db, "datetime('1970-01-01T01:00+01:00')");
        assert_eq!(
            encode_plain(&fixed, Dialect::BOLT5),
            Packed::Struct(
                tag::DATE_TIME,
                vec![Packed::Int(0), Packed::Int(0), Packed::Int(3600)]
            )
        );
        assert_eq!(
            encode_plain(&fixed, Dialect::BOLT44),
            Packed::Struct(
                tag::LEGACY_DATE_TIME,
                vec![Packed::Int(3600), Packed::Int(0), Packed::Int(3600)]
            )
        );
        let named = eval(&mut db, "datetime('1970-01-01T01:00[Europe/Paris]')");
        assert_eq!(
            encode_plain(&named, Dialect::BOLT5),
            Packed::Struct(
                tag::DATE_TIME_ZONE_ID,
                vec![Packed::Int(0), Packed::Int(0), Packed::str("Europe/Paris")]
            )
        );
    }

    #[test]
    fn nodes_relationships_and_paths_carry_their_snapshots() {
        let mut db = Database::new();
        db.execute("CREATE (:A {x: 1})-[:T {w: 2}]->(:B)<-[:U]-(:C)")
            .unwrap();
        let result = db
            .execute("MATCH p = (a:A)-[:T]->(b)<-[:U]-(c) RETURN a, p")
            .unwrap()
            .remove(0);
        let encoder = Encoder {
            result: &result,
            dialect: Dialect::BOLT5,
        };
        let Packed::Struct(tag::NODE, node) = encoder.value(&result.rows[0][0]) else {
            panic!("not a node");
        };
        assert_eq!(node[1], Packed::List(vec![Packed::str("A")]));
        assert_eq!(node[2], Packed::map([("x", Packed::Int(1))]));
        assert!(matches!(&node[3], Packed::String(id) if id.starts_with('n')));
        let Packed::Struct(tag::PATH, path) = encoder.value(&result.rows[0][1]) else {
            panic!("not a path");
        };
        let Packed::List(indices) = &path[2] else {
            panic!("no indices")
        };
        // T walked forwards to node 1, U walked backwards to node 2.
        assert_eq!(
            indices,
            &[
                Packed::Int(1),
                Packed::Int(1),
                Packed::Int(-2),
                Packed::Int(2)
            ]
        );
        let Packed::List(rels) = &path[1] else {
            panic!("no relationships")
        };
        assert!(
            matches!(&rels[0], Packed::Struct(tag::UNBOUND_RELATIONSHIP, f) if f[1] == Packed::str("T") && f.len() == 4)
        );
        let legacy = Encoder {
            result: &result,
            dialect: Dialect::BOLT44,
        };
        let Packed::Struct(_, node) = legacy.value(&result.rows[0][0]) else {
            panic!("not a node");
        };
        assert_eq!(node.len(), 3, "4.4 nodes have no element id");
    }

    #[test]
    fn unsupported_and_malformed_parameters_are_refused() {
        let node = Packed::Struct(tag::NODE, vec![]);
        assert_eq!(from_packed(node), Err(ValueError::Unsupported("Node")));
        assert_eq!(
            from_packed(Packed::Bytes(vec![1])),
            Err(ValueError::Unsupported("ByteArray"))
        );
        assert_eq!(
            from_packed(Packed::Struct(tag::DATE, vec![])),
            Err(ValueError::Fields {
                what: "Date",
                expected: 1,
                found: 0
            })
        );
        assert_eq!(
            from_packed(Packed::Struct(tag::DATE, vec![Packed::Int(i64::MAX)])),
            Err(ValueError::OutOfRange("date"))
        );
        assert_eq!(
            from_packed(Packed::Struct(tag::LOCAL_TIME, vec![Packed::Int(-1)])),
            Err(ValueError::OutOfRange("time"))
        );
        let zone = Packed::Struct(
            tag::DATE_TIME_ZONE_ID,
            vec![Packed::Int(0), Packed::Int(0), Packed::str("Mars/Base")],
        );
        assert_eq!(from_packed(zone), Err(ValueError::Zone("Mars/Base".into())));
        assert_eq!(
            from_packed(Packed::Struct(0x01, vec![])),
            Err(ValueError::Tag(0x01))
        );
    }

    fn plain_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::Int),
            any::<f64>()
                .prop_filter("NaN", |f| !f.is_nan())
                .prop_map(Value::Float),
            ".{0,12}".prop_map(Value::from),
            (-100_000i64..100_000).prop_map(|d| Value::Date(epoch().date() + Span::days(d))),
            (0i64..86_400_000_000_000).prop_map(|n| Value::LocalTime(time_of_day(n).unwrap())),
            (any::<i32>(), 0i64..1_000_000_000, -1000i64..1000).prop_map(|(s, n, d)| {
                Value::Duration(Duration {
                    months: d,
                    days: -d,
                    seconds: i64::from(s),
                    nanos: n as i32,
                })
            }),
            (-4_000_000_000i64..4_000_000_000, -64_800i32..=64_800).prop_map(|(s, o)| {
                let zone = Zone::Fixed(FixedOffset::east_opt(o).unwrap());
                Value::DateTime(zone.timestamp_opt(s, 0).unwrap())
            }),
        ];
        leaf.prop_recursive(3, 32, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::List),
                proptest::collection::btree_map(".{0,6}", inner, 0..8).prop_map(Value::Map),
            ]
        })
    }

    proptest! {
        #[test]
        fn parameters_round_trip(value in plain_value()) {
            for dialect in [Dialect::BOLT5, Dialect::BOLT44] {
                let back = round_trip(&value, dialect);
                prop_assert_eq!(format!("{back:?}"), format!("{value:?}"));
            }
        }
    }
}
