//! One journal entry and its bytes: a statement's text, the parameters it ran with and
//! its clock, as JSON, framed by a marker, its length and a CRC-32 checksum so that a
//! torn or damaged entry is recognised rather than replayed, and so that the entries
//! after a damaged one can still be found (which tells damage from a torn last write).
//!
//! A committed transaction of several write statements is one entry whose payload is
//! `{"transaction": [...]}`, a list of such statements, so that a crash never keeps part
//! of it; a single statement keeps the plain form, which is what older journals hold.
//!
//! Values are encoded losslessly: floats by their bits (so `-0.0`, NaN and every last
//! digit survive), temporal values by their exact fields (days, seconds, nanoseconds,
//! offsets, zone names), each tagged with its type (`{"int": 1}` differs from
//! `{"float": ...}`). Nodes, relationships and paths have no encoding: they only mean
//! something inside the process that holds them.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use serde_json::{Value as Json, json};

use crate::exec::Params;
use crate::graph::Value;
use crate::graph::value::Duration;
use crate::temporal::Zone;

/// A statement that ran and changed (or could have changed) the graph.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The statement's text.
    pub statement: String,
    /// The parameters it ran with.
    pub params: Params,
    /// The statement clock (`datetime()`, `date()`...), if the statement read it.
    pub clock: Option<DateTime<Utc>>,
}

/// Bytes before an entry's payload: the marker `DTE1`, then the payload's length and
/// its CRC-32, little-endian.
pub const FRAME_LEN: usize = 12;
const MARKER: &[u8; 4] = b"DTE1";

impl Entry {
    /// The entry framed for the journal, or `None` when a parameter holds a node,
    /// relationship or path.
    pub fn to_frame(&self) -> Option<Vec<u8>> {
        frame(self.to_json()?.to_string())
    }

    /// Statements committed together, framed as one entry (a single one as by
    /// [`Entry::to_frame`]); `None` as there, or when there are none.
    pub fn frame_all(entries: &[Entry]) -> Option<Vec<u8>> {
        match entries {
            [] => None,
            [one] => one.to_frame(),
            many => {
                let list: Option<Vec<Json>> = many.iter().map(Entry::to_json).collect();
                frame(json!({ "transaction": list? }).to_string())
            }
        }
    }

    /// Reads a payload whose checksum already matched: one statement, or a transaction's.
    ///
    /// # Errors
    /// A description of what is wrong in it.
    pub fn all_from_payload(payload: &[u8]) -> Result<Vec<Entry>, String> {
        let json: Json = serde_json::from_slice(payload).map_err(|e| e.to_string())?;
        match &json["transaction"] {
            Json::Null => Ok(vec![Entry::from_json(&json)?]),
            Json::Array(list) if !list.is_empty() => list.iter().map(Entry::from_json).collect(),
            _ => Err("a transaction without statements".into()),
        }
    }

    fn to_json(&self) -> Option<Json> {
        let params: Option<serde_json::Map<String, Json>> = self
            .params
            .iter()
            .map(|(name, value)| Some((name.clone(), encode(value)?)))
            .collect();
        let clock = self
            .clock
            .map(|c| json!([c.timestamp(), c.timestamp_subsec_nanos()]));
        Some(json!({
            "statement": self.statement,
            "params": params?,
            "clock": clock,
        }))
    }

    /// Reads a payload of one statement whose checksum already matched.
    ///
    /// # Errors
    /// A description of what is wrong in it.
    pub fn from_payload(payload: &[u8]) -> Result<Entry, String> {
        let json: Json = serde_json::from_slice(payload).map_err(|e| e.to_string())?;
        Entry::from_json(&json)
    }

    fn from_json(json: &Json) -> Result<Entry, String> {
        let statement = json["statement"]
            .as_str()
            .ok_or("no statement text")?
            .to_string();
        let params = match &json["params"] {
            Json::Object(map) => map
                .iter()
                .map(|(name, v)| Ok((name.clone(), decode(v)?)))
                .collect::<Result<Params, String>>()?,
            _ => return Err("no parameters".into()),
        };
        let clock = match &json["clock"] {
            Json::Null => None,
            c => Some(
                Utc.timestamp_opt(int(&c[0])?, int(&c[1])? as u32)
                    .single()
                    .ok_or("a clock out of range")?,
            ),
        };
        Ok(Entry {
            statement,
            params,
            clock,
        })
    }
}

/// `payload` framed: marker, length, checksum, then the payload; `None` when it is too
/// long for the length field.
fn frame(payload: String) -> Option<Vec<u8>> {
    let length = u32::try_from(payload.len()).ok()?;
    let mut frame = Vec::with_capacity(FRAME_LEN + payload.len());
    frame.extend_from_slice(MARKER);
    frame.extend_from_slice(&length.to_le_bytes());
    frame.extend_from_slice(&crc32fast::hash(payload.as_bytes()).to_le_bytes());
    frame.extend_from_slice(payload.as_bytes());
    Some(frame)
}

/// The payload of the entry framed at `offset` in `bytes`, and where the entry ends; or
/// why there is no whole entry there.
///
/// # Errors
/// A description: no marker, cut short, or a checksum that does not match.
pub fn frame_at(bytes: &[u8], offset: usize) -> Result<(&[u8], usize), &'static str> {
    let head = bytes
        .get(offset..offset + FRAME_LEN)
        .ok_or("it is cut short")?;
    if &head[..4] != MARKER {
        return Err("it does not start with an entry marker");
    }
    let word = |i: usize| u32::from_le_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    let (length, crc) = (word(4) as usize, word(8));
    let end = offset + FRAME_LEN + length;
    let payload = bytes
        .get(offset + FRAME_LEN..end)
        .ok_or("it is cut short")?;
    if crc32fast::hash(payload) != crc {
        return Err("its checksum does not match");
    }
    Ok((payload, end))
}

/// Whether the entry at `offset` has its marker, ends exactly at the end of `bytes` and
/// holds something other than zeros: a whole entry whose bytes changed, not a torn one.
pub fn whole_but_altered(bytes: &[u8], offset: usize) -> bool {
    let Some(head) = bytes.get(offset..offset + FRAME_LEN) else {
        return false;
    };
    let length = u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize;
    let payload = &bytes[offset + FRAME_LEN..];
    head.starts_with(MARKER) && payload.len() == length && payload.iter().any(|&b| b != 0)
}

/// Whether a whole entry starts anywhere in `bytes` from `from` on.
pub fn any_frame_from(bytes: &[u8], from: usize) -> bool {
    (from..bytes.len().saturating_sub(FRAME_LEN - 1))
        .filter(|&p| bytes[p..].starts_with(MARKER))
        .any(|p| frame_at(bytes, p).is_ok())
}

fn encode(value: &Value) -> Option<Json> {
    Some(match value {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!({ "int": i }),
        Value::Float(f) => json!({ "float": f.to_bits() }),
        Value::String(s) => json!(s.as_ref()),
        Value::List(items) => Json::Array(items.iter().map(encode).collect::<Option<_>>()?),
        Value::Map(map) => {
            let entries: Option<serde_json::Map<String, Json>> = map
                .iter()
                .map(|(k, v)| Some((k.clone(), encode(v)?)))
                .collect();
            json!({ "map": entries? })
        }
        Value::Date(d) => json!({ "date": d.num_days_from_ce() }),
        Value::PartialDate(p) => json!({ "partialdate": p.to_string() }),
        Value::LocalTime(t) => json!({ "localtime": time_fields(t) }),
        Value::Time(t, offset) => {
            json!({ "time": [time_fields(t), offset.local_minus_utc()] })
        }
        Value::LocalDateTime(dt) => {
            json!({ "localdatetime": [dt.date().num_days_from_ce(), time_fields(&dt.time())] })
        }
        Value::DateTime(dt) => {
            let zone = match dt.timezone() {
                Zone::Fixed(offset) => json!(offset.local_minus_utc()),
                Zone::Named(tz) => json!(tz.name()),
            };
            json!({ "datetime": [dt.timestamp(), dt.timestamp_subsec_nanos(), zone] })
        }
        Value::Duration(d) => json!({ "duration": [d.months, d.days, d.seconds, d.nanos] }),
        Value::Node(_) | Value::Rel(_) | Value::Path(_) => return None,
    })
}

fn time_fields(t: &NaiveTime) -> Json {
    json!([t.num_seconds_from_midnight(), t.nanosecond()])
}

fn decode(json: &Json) -> Result<Value, String> {
    Ok(match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::String(s) => Value::str(s),
        Json::Array(items) => Value::List(items.iter().map(decode).collect::<Result<_, _>>()?),
        Json::Object(tagged) if tagged.len() == 1 => {
            let (tag, v) = tagged.iter().next().ok_or("an empty value")?;
            decode_tagged(tag, v)?
        }
        other => return Err(format!("not a value: {other}")),
    })
}

fn decode_tagged(tag: &str, v: &Json) -> Result<Value, String> {
    let out_of_range = || format!("a {tag} out of range: {v}");
    Ok(match tag {
        "int" => Value::Int(int(v)?),
        "float" => Value::Float(f64::from_bits(v.as_u64().ok_or_else(out_of_range)?)),
        "map" => {
            let map = v.as_object().ok_or_else(out_of_range)?;
            let entries: Result<BTreeMap<String, Value>, String> = map
                .iter()
                .map(|(k, v)| Ok((k.clone(), decode(v)?)))
                .collect();
            Value::Map(entries?)
        }
        "date" => Value::Date(date(v).ok_or_else(out_of_range)?),
        "partialdate" => {
            crate::graph::partial::parse_partial_date(v.as_str().ok_or_else(out_of_range)?)
                .ok_or_else(out_of_range)?
        }
        "localtime" => Value::LocalTime(time(v).ok_or_else(out_of_range)?),
        "time" => {
            let offset = FixedOffset::east_opt(int(&v[1])? as i32).ok_or_else(out_of_range)?;
            Value::Time(time(&v[0]).ok_or_else(out_of_range)?, offset)
        }
        "localdatetime" => {
            let d = date(&v[0]).ok_or_else(out_of_range)?;
            Value::LocalDateTime(d.and_time(time(&v[1]).ok_or_else(out_of_range)?))
        }
        "datetime" => {
            let zone = match &v[2] {
                Json::String(name) => Zone::parse(name).ok_or_else(out_of_range)?,
                offset => Zone::Fixed(
                    FixedOffset::east_opt(int(offset)? as i32).ok_or_else(out_of_range)?,
                ),
            };
            let utc = DateTime::from_timestamp(int(&v[0])?, int(&v[1])? as u32)
                .ok_or_else(out_of_range)?;
            Value::DateTime(utc.with_timezone(&zone))
        }
        "duration" => Value::Duration(Duration {
            months: int(&v[0])?,
            days: int(&v[1])?,
            seconds: int(&v[2])?,
            nanos: int(&v[3])? as i32,
        }),
        other => return Err(format!("unknown value type `{other}`")),
    })
}

fn int(v: &Json) -> Result<i64, String> {
    v.as_i64().ok_or_else(|| format!("not an integer: {v}"))
}

fn date(v: &Json) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(i32::try_from(v.as_i64()?).ok()?)
}

fn time(v: &Json) -> Option<NaiveTime> {
    let seconds = u32::try_from(v[0].as_i64()?).ok()?;
    let nanos = u32::try_from(v[1].as_i64()?).ok()?;
    NaiveTime::from_num_seconds_from_midnight_opt(seconds, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: Value) {
        let params = Params::from([("v".to_string(), value.clone())]);
        let entry = Entry {
            statement: "CREATE (:X {v: $v})".into(),
            params,
            clock: Utc.timestamp_opt(1_700_000_000, 123_456_789).single(),
        };
        let frame = entry.to_frame().unwrap();
        let back = Entry::from_payload(&frame[FRAME_LEN..]).unwrap();
        let got = &back.params["v"];
        assert_eq!(got.type_name(), value.type_name(), "{value:?}");
        assert_eq!(format!("{got:?}"), format!("{value:?}"));
        assert_eq!(back.clock, entry.clock);
        assert_eq!(back.statement, entry.statement);
    }

    #[test]
    fn entry_round_trips_every_parameter_type_exactly() {
        // `Value`'s own equality treats 1 and 1.0 alike and NaN as unequal, so
        // compare the debug forms, which show the exact type and bits.
        let values = crate::Database::new()
            .execute(
                "RETURN 1, 0.1, -0.0, 'é\"', true, null, [1, [2.5, 'x']], {a: {b: 1}},
                 date('2018-03-17'), localtime('12:31:14.645876123'),
                 time('12:31:14.5+01:30'), localdatetime('2015-07-21T21:40:32.142'),
                 datetime('2017-08-08T12:31:14.25+02:00[Europe/Stockholm]'),
                 datetime('2017-08-08T12:31:14-05:07'), duration('P1Y2M3DT4H5M6.7S'),
                 partialDate('2015-04'), partialDate('<2017-06-08')",
            )
            .unwrap();
        for value in values[0].rows[0].clone() {
            round_trip(value);
        }
        round_trip(Value::Float(f64::NAN));
        round_trip(Value::Int(i64::MIN));
    }

    #[test]
    fn a_transaction_is_one_frame_and_a_single_statement_keeps_the_old_form() {
        let entry = |statement: &str| Entry {
            statement: statement.to_string(),
            params: Params::from([("x".to_string(), Value::Int(1))]),
            clock: None,
        };
        let (a, b) = (entry("CREATE (:A)"), entry("CREATE (:B)"));
        let one = Entry::frame_all(std::slice::from_ref(&a)).unwrap();
        assert_eq!(one, a.to_frame().unwrap());
        assert_eq!(Entry::from_payload(&one[FRAME_LEN..]).unwrap(), a);
        let both = Entry::frame_all(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(frame_at(&both, 0).unwrap().1, both.len());
        assert_eq!(Entry::all_from_payload(&both[FRAME_LEN..]).unwrap(), [a, b]);
        assert!(Entry::frame_all(&[]).is_none());
        assert!(Entry::all_from_payload(br#"{"transaction": []}"#).is_err());
    }

    #[test]
    fn nodes_have_no_encoding() {
        let entry = Entry {
            statement: String::new(),
            params: Params::from([("n".to_string(), Value::Node(crate::graph::NodeId(0)))]),
            clock: None,
        };
        assert!(entry.to_frame().is_none());
    }

    #[test]
    fn frame_holds_marker_length_and_checksum() {
        let entry = Entry {
            statement: "CREATE ()".into(),
            params: Params::new(),
            clock: None,
        };
        let frame = entry.to_frame().unwrap();
        let (payload, end) = frame_at(&frame, 0).unwrap();
        assert_eq!((payload.len(), end), (frame.len() - FRAME_LEN, frame.len()));
        assert_eq!(Entry::from_payload(payload).unwrap(), entry);
        let mut twice = frame.clone();
        twice.extend_from_slice(&frame);
        assert!(any_frame_from(&twice, 1));
        assert!(!any_frame_from(&twice, frame.len() + 1));
        assert_eq!(frame_at(&frame[..5], 0), Err("it is cut short"));
        assert_eq!(
            frame_at(&[0; 20], 0),
            Err("it does not start with an entry marker")
        );
    }
}
