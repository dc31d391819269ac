//! One Bolt connection's state machine: authentication, auto-commit and explicit
//! transactions, results paged out by PULL and DISCARD, and the failed state that ignores
//! everything until RESET.
//!
//! Results are computed in full when RUN arrives (streaming cursors come with the
//! transaction layer) and paged to the client `n` records at a time, with `has_more`.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::Params;
use crate::result::ResultSet;
use crate::server::auth::Auth;
use crate::server::packstream::Packed;
use crate::server::shared::{Failure, Shared, Transaction};
use crate::server::values::{self, Dialect, Encoder};

use super::handshake::Version;
use super::message::{self, Request};
use super::status;

/// The `server` agent drivers check: Neo4j-compatible, as some refuse other servers.
pub const SERVER_AGENT: &str = "Neo4j/5.26.0";

/// Where a connection stands.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum State {
    /// Waiting for HELLO.
    Hello,
    /// Waiting for LOGON (Bolt 5.1 and later).
    Authentication,
    Ready,
    /// A request failed: everything but RESET and GOODBYE is ignored.
    Failed,
    /// The connection is to be closed.
    Closed,
}

/// A result being paged out.
struct Open {
    qid: i64,
    result: ResultSet,
    next: usize,
    writes: bool,
    started: Instant,
}

/// What the connection knows about its server.
pub struct Context<'a> {
    pub shared: &'a Shared,
    pub auth: &'a Auth,
    /// This connection's number, for `connection_id`.
    pub id: u64,
    /// The address clients reach this server at, for the routing table.
    pub address: String,
    /// Seconds a connection may stay idle, told to the client as a hint.
    pub idle_seconds: u64,
}

/// One connection's session.
pub struct Session<'a> {
    ctx: Context<'a>,
    version: Version,
    dialect: Dialect,
    state: State,
    tx: Option<Transaction<'a>>,
    open: Vec<Open>,
    next_qid: i64,
}

type Meta = BTreeMap<String, Packed>;

fn meta<'k>(entries: impl IntoIterator<Item = (&'k str, Packed)>) -> Meta {
    entries
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn invalid(message: impl Into<String>) -> (&'static str, String) {
    (status::REQUEST_INVALID, message.into())
}

/// The database a request names: `neo4j` or none.
fn check_db(extra: &Meta) -> Result<(), (&'static str, String)> {
    match extra.get("db") {
        None | Some(Packed::Null) => Ok(()),
        Some(Packed::String(db)) if db == "neo4j" || db.is_empty() => Ok(()),
        Some(Packed::String(db)) => Err((
            status::DATABASE_NOT_FOUND,
            format!("datatrail has one database, `neo4j`; there is no database `{db}`"),
        )),
        Some(other) => Err(invalid(format!("`db` is a {}", other.kind()))),
    }
}

fn check_impersonation(extra: &Meta) -> Result<(), (&'static str, String)> {
    match extra.get("imp_user") {
        None | Some(Packed::Null) => Ok(()),
        Some(_) => Err((
            status::FORBIDDEN,
            "datatrail has no other users to impersonate".to_string(),
        )),
    }
}

impl<'a> Session<'a> {
    /// A session for a connection that agreed on `version`.
    pub fn new(ctx: Context<'a>, version: Version) -> Session<'a> {
        let dialect = if version.major >= 5 {
            Dialect::BOLT5
        } else {
            Dialect::BOLT44
        };
        Session {
            ctx,
            version,
            dialect,
            state: State::Hello,
            tx: None,
            open: Vec::new(),
            next_qid: 0,
        }
    }

    /// Whether the connection is to be closed.
    pub fn is_closed(&self) -> bool {
        self.state == State::Closed
    }

    /// Answers one request, appending responses to `out` through `emit`.
    pub fn handle(&mut self, request: Request, emit: &mut dyn FnMut(Packed)) {
        match (self.state, &request) {
            (_, Request::Goodbye) => {
                self.drop_work();
                self.state = State::Closed;
                return;
            }
            (State::Closed, _) => return,
            (State::Failed, Request::Reset) => {}
            (State::Failed, _) => return emit(message::ignored()),
            _ => {}
        }
        match self.dispatch(request, emit) {
            Ok(meta) => emit(message::success(meta)),
            Err((code, text)) => {
                emit(message::failure(code, &text));
                self.open.clear();
                self.state = match self.state {
                    State::Hello | State::Authentication => State::Closed,
                    _ if code == status::UNAUTHORIZED => State::Closed,
                    _ => State::Failed,
                };
            }
        }
    }

    fn dispatch(
        &mut self,
        request: Request,
        emit: &mut dyn FnMut(Packed),
    ) -> Result<Meta, (&'static str, String)> {
        let name = request.name();
        match (self.state, request) {
            (State::Hello, Request::Hello(extra)) => self.hello(&extra),
            (State::Hello, _) => Err(invalid(format!("{name} before HELLO"))),
            (State::Authentication, Request::Logon(token)) => self.logon(&token),
            (State::Authentication, _) => Err(invalid(format!("{name} before LOGON"))),
            (_, Request::Reset) => {
                self.drop_work();
                self.state = State::Ready;
                Ok(Meta::new())
            }
            (_, Request::Logoff) if self.version.has_logon() && self.is_idle() => {
                self.state = State::Authentication;
                Ok(Meta::new())
            }
            (_, Request::Route { routing, db }) if self.is_idle() => Ok(self.route(&routing, db)),
            (_, Request::Telemetry) => Ok(Meta::new()),
            (_, Request::Begin(extra)) if self.is_idle() => {
                check_db(&extra)?;
                check_impersonation(&extra)?;
                self.tx = Some(self.ctx.shared.begin());
                self.next_qid = 0;
                Ok(Meta::new())
            }
            (
                _,
                Request::Run {
                    query,
                    params,
                    extra,
                },
            ) => self.run(&query, params, &extra),
            (_, Request::Pull { n, qid, discard }) => self.pull(n, qid, discard, emit),
            (_, Request::Commit) if self.tx.is_some() => {
                self.open.clear();
                let tx = self.tx.take().expect("checked");
                let wrote = tx.has_written();
                tx.commit().map_err(|f| status::describe(&f, ""))?;
                Ok(if wrote { bookmark() } else { Meta::new() })
            }
            (_, Request::Rollback) if self.tx.is_some() => {
                self.open.clear();
                self.tx.take().expect("checked").rollback();
                Ok(Meta::new())
            }
            (_, request) => Err(invalid(format!(
                "{} is not allowed {}",
                request.name(),
                self.where_now()
            ))),
        }
    }

    /// Ready with nothing open: no transaction, no result being paged.
    pub fn is_idle(&self) -> bool {
        self.tx.is_none() && self.open.is_empty()
    }

    fn where_now(&self) -> &'static str {
        match (&self.tx, self.open.is_empty()) {
            (Some(_), _) => "inside a transaction",
            (None, false) => "while a result is open",
            (None, true) => "outside a transaction",
        }
    }

    /// Rolls back the open transaction and forgets open results.
    fn drop_work(&mut self) {
        self.open.clear();
        if let Some(tx) = self.tx.take() {
            tx.rollback();
        }
    }

    fn hello(&mut self, extra: &Meta) -> Result<Meta, (&'static str, String)> {
        let mut reply = meta([
            ("server", Packed::str(SERVER_AGENT)),
            (
                "connection_id",
                Packed::String(format!("bolt-{}", self.ctx.id)),
            ),
            (
                "hints",
                Packed::map([
                    (
                        "connection.recv_timeout_seconds",
                        Packed::Int(self.ctx.idle_seconds as i64),
                    ),
                    ("datatrail.version", Packed::str(env!("CARGO_PKG_VERSION"))),
                ]),
            ),
        ]);
        if self.version.has_logon() {
            self.state = State::Authentication;
            return Ok(reply);
        }
        // Bolt 4.4: credentials come with HELLO, and the `utc` patch may be asked for.
        let patches = match extra.get("patch_bolt") {
            Some(Packed::List(p)) => p.clone(),
            _ => Vec::new(),
        };
        if patches.contains(&Packed::str("utc")) {
            self.dialect.utc = true;
            reply.insert("patch_bolt".into(), Packed::List(vec![Packed::str("utc")]));
        }
        self.logon(extra)?;
        Ok(reply)
    }

    fn logon(&mut self, token: &Meta) -> Result<Meta, (&'static str, String)> {
        if !self.ctx.auth.admits(token) {
            return Err((
                status::UNAUTHORIZED,
                "The client is unauthorized due to authentication failure.".into(),
            ));
        }
        self.state = State::Ready;
        Ok(Meta::new())
    }

    /// A routing table with this server in every role, so `neo4j://` URIs work.
    fn route(&self, routing: &Meta, db: Option<String>) -> Meta {
        let address = match routing.get("address") {
            Some(Packed::String(a)) if !a.is_empty() => a.clone(),
            _ => self.ctx.address.clone(),
        };
        let servers = ["WRITE", "READ", "ROUTE"]
            .into_iter()
            .map(|role| {
                Packed::map([
                    ("addresses", Packed::List(vec![Packed::str(&address)])),
                    ("role", Packed::str(role)),
                ])
            })
            .collect();
        let db = db.unwrap_or_else(|| "neo4j".into());
        meta([(
            "rt",
            Packed::map([
                ("ttl", Packed::Int(300)),
                ("db", Packed::String(db)),
                ("servers", Packed::List(servers)),
            ]),
        )])
    }

    fn run(
        &mut self,
        query: &str,
        params: Meta,
        extra: &Meta,
    ) -> Result<Meta, (&'static str, String)> {
        let in_tx = self.tx.is_some();
        if !in_tx {
            if !self.open.is_empty() {
                return Err(invalid(
                    "RUN while a result is open; PULL or DISCARD it first",
                ));
            }
            check_db(extra)?;
            check_impersonation(extra)?;
        }
        let started = Instant::now();
        let params = params
            .into_iter()
            .map(|(k, v)| Ok((k, values::from_packed(v)?)))
            .collect::<Result<Params, values::ValueError>>()
            .map_err(|e| (status::TYPE_ERROR, e.to_string()))?;
        let outcome = match &mut self.tx {
            Some(tx) => tx.run(query, &params),
            None => self.ctx.shared.run(query, &params),
        }
        .map_err(|f: Failure| status::describe(&f, query))?;
        let fields = outcome
            .result
            .columns
            .iter()
            .map(|c| Packed::str(c))
            .collect();
        let mut reply = meta([
            ("fields", Packed::List(fields)),
            ("t_first", Packed::Int(started.elapsed().as_millis() as i64)),
        ]);
        let qid = if in_tx {
            let qid = self.next_qid;
            self.next_qid += 1;
            reply.insert("qid".into(), Packed::Int(qid));
            qid
        } else {
            -1
        };
        self.open.push(Open {
            qid,
            result: outcome.result,
            next: 0,
            writes: outcome.writes,
            started: Instant::now(),
        });
        Ok(reply)
    }

    fn pull(
        &mut self,
        n: i64,
        qid: i64,
        discard: bool,
        emit: &mut dyn FnMut(Packed),
    ) -> Result<Meta, (&'static str, String)> {
        if n == 0 || n < -1 {
            return Err(invalid(format!("`n` must be positive or -1, not {n}")));
        }
        let index = match qid {
            -1 => self.open.len().checked_sub(1),
            qid => self.open.iter().position(|o| o.qid == qid),
        }
        .ok_or_else(|| invalid("PULL or DISCARD with no open result"))?;
        let open = &mut self.open[index];
        let left = open.result.rows.len() - open.next;
        let take = if n == -1 { left } else { left.min(n as usize) };
        if !discard {
            let encoder = Encoder {
                result: &open.result,
                dialect: self.dialect,
            };
            for row in &open.result.rows[open.next..open.next + take] {
                emit(message::record(
                    row.iter().map(|v| encoder.value(v)).collect(),
                ));
            }
        }
        open.next += take;
        if open.next < open.result.rows.len() {
            return Ok(meta([("has_more", Packed::Bool(true))]));
        }
        let open = self.open.remove(index);
        Ok(self.summary(&open))
    }

    /// The summary after a result's last record: counters, query type, timing.
    fn summary(&self, open: &Open) -> Meta {
        let stats = open.result.stats;
        let counters = [
            ("nodes-created", stats.nodes_created),
            ("nodes-deleted", stats.nodes_deleted),
            ("relationships-created", stats.rels_created),
            ("relationships-deleted", stats.rels_deleted),
            // Neo4j counts a removed property as a property set (to null).
            ("properties-set", stats.props_set + stats.props_removed),
            ("labels-added", stats.labels_added),
            ("labels-removed", stats.labels_removed),
        ];
        let mut stats_map: Meta = counters
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.to_string(), Packed::Int(n as i64)))
            .collect();
        if !stats_map.is_empty() {
            stats_map.insert("contains-updates".into(), Packed::Bool(true));
        }
        let kind = match (open.writes, open.result.columns.is_empty()) {
            (false, _) => "r",
            (true, true) => "w",
            (true, false) => "rw",
        };
        let mut reply = meta([
            ("type", Packed::str(kind)),
            (
                "t_last",
                Packed::Int(open.started.elapsed().as_millis() as i64),
            ),
            ("db", Packed::str("neo4j")),
        ]);
        if !stats_map.is_empty() {
            reply.insert("stats".into(), Packed::Map(stats_map));
        }
        if self.tx.is_none() && open.writes {
            reply.extend(bookmark());
        }
        reply
    }
}

/// The bookmark after a committed write. datatrail has one server and commits in order,
/// so a bookmark carries nothing a later request needs; drivers only pass it back.
fn bookmark() -> Meta {
    meta([("bookmark", Packed::str("datatrail:committed"))])
}
