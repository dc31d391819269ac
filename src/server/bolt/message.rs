//! Bolt request messages, read from PackStream structures, and the four responses.

use std::collections::BTreeMap;

use crate::server::packstream::Packed;

/// A request from the client.
#[derive(Debug, PartialEq)]
pub enum Request {
    Hello(BTreeMap<String, Packed>),
    Logon(BTreeMap<String, Packed>),
    Logoff,
    Goodbye,
    Reset,
    Run {
        query: String,
        params: BTreeMap<String, Packed>,
        extra: BTreeMap<String, Packed>,
    },
    /// PULL (`discard: false`) or DISCARD: `n` records (-1 for all) of result `qid`
    /// (-1 for the last one).
    Pull {
        n: i64,
        qid: i64,
        discard: bool,
    },
    Begin(BTreeMap<String, Packed>),
    Commit,
    Rollback,
    Route {
        routing: BTreeMap<String, Packed>,
        db: Option<String>,
    },
    Telemetry,
}

impl Request {
    /// The message's name, for errors.
    pub fn name(&self) -> &'static str {
        match self {
            Request::Hello(_) => "HELLO",
            Request::Logon(_) => "LOGON",
            Request::Logoff => "LOGOFF",
            Request::Goodbye => "GOODBYE",
            Request::Reset => "RESET",
            Request::Run { .. } => "RUN",
            Request::Pull { discard: false, .. } => "PULL",
            Request::Pull { discard: true, .. } => "DISCARD",
            Request::Begin(_) => "BEGIN",
            Request::Commit => "COMMIT",
            Request::Rollback => "ROLLBACK",
            Request::Route { .. } => "ROUTE",
            Request::Telemetry => "TELEMETRY",
        }
    }
}

fn map(field: Option<Packed>, what: &str) -> Result<BTreeMap<String, Packed>, String> {
    match field {
        Some(Packed::Map(map)) => Ok(map),
        // Some clients send null for an empty map.
        Some(Packed::Null) | None => Ok(BTreeMap::new()),
        Some(other) => Err(format!("{what} must be a Map, not a {}", other.kind())),
    }
}

fn int(map: &BTreeMap<String, Packed>, key: &str, default: i64) -> Result<i64, String> {
    match map.get(key) {
        None | Some(Packed::Null) => Ok(default),
        Some(Packed::Int(i)) => Ok(*i),
        Some(other) => Err(format!(
            "`{key}` must be an Integer, not a {}",
            other.kind()
        )),
    }
}

/// Reads a request message.
///
/// # Errors
/// A message for a value that is not a known request structure with the right fields.
pub fn parse(message: Packed) -> Result<Request, String> {
    let Packed::Struct(tag, fields) = message else {
        return Err(format!(
            "a request must be a structure, not a {}",
            message.kind()
        ));
    };
    let count = fields.len();
    let mut fields = fields.into_iter();
    let expect = |n: usize, name: &str| -> Result<(), String> {
        if count == n {
            Ok(())
        } else {
            Err(format!("{name} takes {n} fields, not {count}"))
        }
    };
    Ok(match tag {
        0x01 => {
            expect(1, "HELLO")?;
            Request::Hello(map(fields.next(), "HELLO's extra")?)
        }
        0x6A => {
            expect(1, "LOGON")?;
            Request::Logon(map(fields.next(), "LOGON's auth")?)
        }
        0x6B => Request::Logoff,
        0x02 => Request::Goodbye,
        0x0F => Request::Reset,
        0x10 => {
            if !(1..=3).contains(&count) {
                return Err(format!("RUN takes 3 fields, not {count}"));
            }
            let query = match fields.next() {
                Some(Packed::String(q)) => q,
                Some(other) => return Err(format!("RUN's query is a {}", other.kind())),
                None => unreachable!("counted"),
            };
            Request::Run {
                query,
                params: map(fields.next(), "RUN's parameters")?,
                extra: map(fields.next(), "RUN's extra")?,
            }
        }
        0x3F | 0x2F => {
            let extra = map(fields.next(), "PULL's extra")?;
            Request::Pull {
                n: int(&extra, "n", -1)?,
                qid: int(&extra, "qid", -1)?,
                discard: tag == 0x2F,
            }
        }
        0x11 => Request::Begin(map(fields.next(), "BEGIN's extra")?),
        0x12 => Request::Commit,
        0x13 => Request::Rollback,
        0x66 => {
            expect(3, "ROUTE")?;
            let routing = map(fields.next(), "ROUTE's routing context")?;
            let _bookmarks = fields.next();
            let db = match fields.next() {
                Some(Packed::Map(extra)) => match extra.get("db") {
                    Some(Packed::String(db)) => Some(db.clone()),
                    _ => None,
                },
                Some(Packed::String(db)) => Some(db),
                _ => None,
            };
            Request::Route { routing, db }
        }
        0x54 => Request::Telemetry,
        other => return Err(format!("unknown request 0x{other:02X}")),
    })
}

/// SUCCESS with metadata.
pub fn success(meta: BTreeMap<String, Packed>) -> Packed {
    Packed::Struct(0x70, vec![Packed::Map(meta)])
}

/// A RECORD.
pub fn record(values: Vec<Packed>) -> Packed {
    Packed::Struct(0x71, vec![Packed::List(values)])
}

/// IGNORED: the request was not run, the connection being in the failed state.
pub fn ignored() -> Packed {
    Packed::Struct(0x7E, vec![])
}

/// FAILURE with a Neo4j status code.
pub fn failure(code: &str, message: &str) -> Packed {
    Packed::Struct(
        0x7F,
        vec![Packed::map([
            ("code", Packed::str(code)),
            ("message", Packed::str(message)),
        ])],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_parse_with_their_fields() {
        let run = Packed::Struct(
            0x10,
            vec![
                Packed::str("RETURN $x"),
                Packed::map([("x", Packed::Int(1))]),
                Packed::map([]),
            ],
        );
        assert!(matches!(parse(run), Ok(Request::Run { query, .. }) if query == "RETURN $x"));
        let pull = Packed::Struct(0x3F, vec![Packed::map([("n", Packed::Int(5))])]);
        assert_eq!(
            parse(pull),
            Ok(Request::Pull {
                n: 5,
                qid: -1,
                discard: false
            })
        );
        assert!(parse(Packed::Struct(0x10, vec![Packed::Int(1)])).is_err());
        assert!(parse(Packed::Struct(0x01, vec![])).is_err());
        assert!(parse(Packed::Struct(0x99, vec![])).is_err());
        assert!(parse(Packed::Int(1)).is_err());
        let pull = Packed::Struct(0x3F, vec![Packed::map([("n", Packed::str("x"))])]);
        assert!(parse(pull).is_err());
    }
}
