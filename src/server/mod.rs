//! `datatrail serve`: the database shared by network clients, and the HTTP listener
//! ([`http`]: Neo4j's Query API and the web view).
//!
//! Every use of the database goes through [`SharedState`]'s few methods (run one
//! auto-commit statement; begin, run in, commit and roll back an explicit transaction),
//! so that the transaction layer of the transactions issue replaces this one place.
//!
//! Until that layer exists, an explicit transaction holds the database as a writer
//! from its first to its last request and keeps a copy of the graph for rollback:
//! other statements, readers included, wait for it (up to [`LOCK_WAIT`]), and one left
//! idle past [`TX_IDLE`] is rolled back by the next request that needs the database.

pub mod http;

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::{Database, Error, Graph, Params, ResultSet};

/// How long a statement waits for an explicit transaction of another client to end.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// How long an explicit transaction may stay idle before it is rolled back.
pub const TX_IDLE: Duration = Duration::from_secs(30);

/// A user name and password that clients must present (`--auth USER/PASSWORD`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

impl Credentials {
    /// Parses `USER/PASSWORD` (the form of `--auth` and `DATATRAIL_AUTH`); the password
    /// may contain `/`.
    pub fn parse(text: &str) -> Result<Credentials, String> {
        match text.split_once('/') {
            Some((user, password)) if !user.is_empty() && !password.is_empty() => Ok(Credentials {
                user: user.to_string(),
                password: password.to_string(),
            }),
            _ => Err(format!(
                "`{text}` is not USER/PASSWORD (or `none` for no authentication)"
            )),
        }
    }
}

/// What the listeners share: the database and the credentials.
pub struct SharedState {
    inner: Mutex<Inner>,
    /// Signalled whenever an explicit transaction ends.
    released: Condvar,
    credentials: Option<Credentials>,
}

struct Inner {
    db: Database,
    tx: Option<OpenTx>,
    next_tx: u64,
}

/// The explicit transaction holding the database.
struct OpenTx {
    id: String,
    /// The graph as it was at `BEGIN`, put back by a rollback.
    before: Graph,
    expires: Instant,
}

/// Why a request about the database could not be served.
#[derive(Debug)]
pub enum StateError {
    /// The statement failed: the graph is as it was before it.
    Statement(Box<Error>),
    /// No open transaction has this id (never began, committed, rolled back, expired).
    UnknownTransaction(String),
    /// Another client's explicit transaction held the database for longer than [`LOCK_WAIT`].
    LockTimeout,
}

impl From<Error> for StateError {
    fn from(e: Error) -> StateError {
        StateError::Statement(Box::new(e))
    }
}

impl SharedState {
    /// Shares `db`; `credentials` `None` means no authentication (loopback only, which
    /// the command line checks).
    pub fn new(db: Database, credentials: Option<Credentials>) -> Arc<SharedState> {
        Arc::new(SharedState {
            inner: Mutex::new(Inner {
                db,
                tx: None,
                next_tx: 1,
            }),
            released: Condvar::new(),
            credentials,
        })
    }

    /// The credentials clients must present, if any.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// Runs `statement` in a transaction of its own.
    pub fn run_auto_commit(
        &self,
        statement: &str,
        params: &Params,
    ) -> Result<Vec<ResultSet>, StateError> {
        let mut inner = self.wait_for_no_tx(None)?;
        Ok(inner.db.execute_with_params(statement, params)?)
    }

    /// Reads the database outside any transaction (the schema sidebar, citations).
    pub fn read<T>(&self, f: impl FnOnce(&Database) -> T) -> Result<T, StateError> {
        let inner = self.wait_for_no_tx(None)?;
        Ok(f(&inner.db))
    }

    /// Opens an explicit transaction and returns its id.
    pub fn begin(&self) -> Result<String, StateError> {
        let mut inner = self.wait_for_no_tx(None)?;
        let id = format!("{:x}", inner.next_tx);
        inner.next_tx += 1;
        // Writes of an open transaction must not reach the journal: it is given back at
        // commit, which then saves the folder whole.
        let before = inner.db.graph().clone();
        inner.tx = Some(OpenTx {
            id: id.clone(),
            before,
            expires: Instant::now() + TX_IDLE,
        });
        Ok(id)
    }

    /// Runs `statement` inside transaction `id`. A failing statement rolls the whole
    /// transaction back, as Neo4j does.
    pub fn run_in(
        &self,
        id: &str,
        statement: &str,
        params: &Params,
    ) -> Result<Vec<ResultSet>, StateError> {
        let mut inner = self.wait_for_no_tx(Some(id))?;
        let journal = inner.db.take_journal();
        let result = inner.db.execute_with_params(statement, params);
        if let Some(journal) = journal {
            inner.db.attach_journal(journal);
        }
        match result {
            Ok(results) => {
                if let Some(tx) = &mut inner.tx {
                    tx.expires = Instant::now() + TX_IDLE;
                }
                Ok(results)
            }
            Err(e) => {
                inner.roll_back();
                self.released.notify_all();
                Err(e.into())
            }
        }
    }

    /// When transaction `id` expires if left idle.
    pub fn expires(&self, id: &str) -> Option<Instant> {
        let inner = self.lock();
        inner
            .tx
            .as_ref()
            .filter(|tx| tx.id == id)
            .map(|tx| tx.expires)
    }

    /// Makes transaction `id`'s changes the database's. With a dataset folder they are
    /// made durable by saving the folder (the journal holds single statements only).
    pub fn commit(&self, id: &str) -> Result<(), StateError> {
        let mut inner = self.wait_for_no_tx(Some(id))?;
        inner.tx = None;
        let saved = match inner.db.journal().map(|j| j.dir().to_path_buf()) {
            Some(dir) => inner.db.save_dir(&dir).map(drop),
            None => Ok(()),
        };
        self.released.notify_all();
        Ok(saved?)
    }

    /// Puts the graph back as it was when transaction `id` began.
    pub fn roll_back(&self, id: &str) -> Result<(), StateError> {
        let mut inner = self.wait_for_no_tx(Some(id))?;
        inner.roll_back();
        self.released.notify_all();
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves a graph no worse than a failed statement
        // does (statements are atomic), so a poisoned lock is used as it is.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The database once no transaction other than `own` holds it. `own` names the
    /// transaction the caller acts in, which must still be open.
    fn wait_for_no_tx(&self, own: Option<&str>) -> Result<MutexGuard<'_, Inner>, StateError> {
        let deadline = Instant::now() + LOCK_WAIT;
        let mut inner = self.lock();
        loop {
            if inner
                .tx
                .as_ref()
                .is_some_and(|tx| tx.expires <= Instant::now())
            {
                inner.roll_back();
                self.released.notify_all();
            }
            match (&inner.tx, own) {
                (None, None) => return Ok(inner),
                (Some(tx), Some(id)) if tx.id == id => return Ok(inner),
                // One transaction is open at a time: any other id is not open.
                (_, Some(id)) => return Err(StateError::UnknownTransaction(id.to_string())),
                (Some(_), None) => {}
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(StateError::LockTimeout);
            }
            let until_expiry = inner
                .tx
                .as_ref()
                .map_or(LOCK_WAIT, |tx| tx.expires.saturating_duration_since(now));
            let wait = (deadline - now).min(until_expiry + Duration::from_millis(1));
            inner = self
                .released
                .wait_timeout(inner, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

impl Inner {
    fn roll_back(&mut self) {
        if let Some(tx) = self.tx.take() {
            let journal = self.db.take_journal();
            self.db.replace_graph(tx.before);
            if let Some(journal) = journal {
                self.db.attach_journal(journal);
            }
        }
    }
}

/// Where `datatrail serve` listens and whom it lets in.
#[derive(Clone, Debug)]
pub struct Config {
    pub http: std::net::SocketAddr,
    /// `None`: no authentication, which only a loopback address may have.
    pub credentials: Option<Credentials>,
}

impl Config {
    /// Refuses to serve a non-loopback address without credentials.
    pub fn check(&self) -> Result<(), String> {
        if self.credentials.is_none() && !self.http.ip().is_loopback() {
            return Err(format!(
                "--auth none is allowed on loopback addresses only: serving {} to the network \
                 needs --auth USER/PASSWORD (or DATATRAIL_AUTH)",
                self.http
            ));
        }
        Ok(())
    }
}

/// Serves `db` as `config` says until the process ends, printing one line on stderr
/// once the listener is ready (`http: listening on 127.0.0.1:7474`).
pub fn run(db: Database, config: &Config) -> Result<(), String> {
    config.check()?;
    let listener = std::net::TcpListener::bind(config.http)
        .map_err(|e| format!("cannot listen on {}: {e}", config.http))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let state = SharedState::new(db, config.credentials.clone());
    eprintln!("http: listening on {addr}");
    http::serve(listener, state).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> Arc<SharedState> {
        SharedState::new(Database::new(), None)
    }

    fn count(state: &SharedState) -> i64 {
        let result = state
            .run_auto_commit("MATCH (n) RETURN count(n)", &Params::new())
            .unwrap();
        match result[0].rows[0][0] {
            crate::Value::Int(n) => n,
            ref other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rollback_restores_the_graph_and_commit_keeps_it() {
        let state = state();
        let tx = state.begin().unwrap();
        state.run_in(&tx, "CREATE ()", &Params::new()).unwrap();
        state.roll_back(&tx).unwrap();
        assert_eq!(count(&state), 0);
        let tx = state.begin().unwrap();
        state.run_in(&tx, "CREATE (), ()", &Params::new()).unwrap();
        state.commit(&tx).unwrap();
        assert_eq!(count(&state), 2);
    }

    #[test]
    fn failing_statement_rolls_the_transaction_back() {
        let state = state();
        let tx = state.begin().unwrap();
        state.run_in(&tx, "CREATE ()", &Params::new()).unwrap();
        assert!(state.run_in(&tx, "RETURN 1/0", &Params::new()).is_err());
        assert!(matches!(
            state.commit(&tx),
            Err(StateError::UnknownTransaction(_))
        ));
        assert_eq!(count(&state), 0);
    }

    #[test]
    fn finished_transaction_is_unknown() {
        let state = state();
        let tx = state.begin().unwrap();
        state.commit(&tx).unwrap();
        assert!(matches!(
            state.run_in(&tx, "RETURN 1", &Params::new()),
            Err(StateError::UnknownTransaction(_))
        ));
    }

    #[test]
    fn no_credentials_only_on_loopback() {
        let config = |addr: &str| Config {
            http: addr.parse().unwrap(),
            credentials: None,
        };
        assert!(config("127.0.0.1:7474").check().is_ok());
        assert!(config("[::1]:7474").check().is_ok());
        let refused = config("0.0.0.0:7474").check().unwrap_err();
        assert!(refused.contains("--auth"), "{refused}");
    }

    #[test]
    fn credentials_split_at_the_first_slash() {
        let c = Credentials::parse("neo4j/pa/ss").unwrap();
        assert_eq!((c.user.as_str(), c.password.as_str()), ("neo4j", "pa/ss"));
        assert!(Credentials::parse("neo4j").is_err());
        assert!(Credentials::parse("/x").is_err());
    }
}
