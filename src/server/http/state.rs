//! The HTTP side's view of the database the Bolt listener shares ([`Shared`]):
//! auto-commit statements, reads, and explicit transactions that span requests, kept by
//! id until they are committed, rolled back or left idle for [`TX_IDLE`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::server::shared::{Failure, Shared, Transaction};
use crate::{Database, Error, Params, ResultSet};

/// How long an explicit transaction may sit idle before it is rolled back.
pub const TX_IDLE: Duration = Duration::from_secs(30);

/// The user and password HTTP clients must present (basic auth).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

impl Credentials {
    /// Parses `USER/PASSWORD` (the form of `--auth` and `DATATRAIL_AUTH`); the password
    /// may contain `/`.
    ///
    /// # Errors
    /// A message naming the text that is not of that form.
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

/// Why a request about the database could not be served.
#[derive(Debug)]
pub enum StateError {
    /// The statement failed, or the server refused it; the graph is as it was before it.
    Statement(Box<Error>),
    /// A request the server does not run (`COPY ... TO`, several statements at once).
    Refused(String),
    /// No open transaction has this id (never began, committed, rolled back, expired).
    UnknownTransaction(String),
    /// Another writer held the write lock for longer than the lock timeout.
    LockTimeout,
}

impl From<Failure> for StateError {
    fn from(failure: Failure) -> StateError {
        match failure {
            Failure::Statement(e) => StateError::Statement(e),
            Failure::LockTimeout(_) => StateError::LockTimeout,
            Failure::Forbidden(why) | Failure::Refused(why) | Failure::Durability(why) => {
                StateError::Refused(why)
            }
        }
    }
}

struct OpenTx {
    tx: Transaction<'static>,
    expires: Instant,
}

/// What the HTTP listener shares with the Bolt listener: the database and credentials.
pub struct HttpState {
    shared: &'static Shared,
    credentials: Option<Credentials>,
    open: Mutex<HashMap<String, OpenTx>>,
    next_id: AtomicU64,
}

impl HttpState {
    /// Serves `shared`, which lives as long as the process (the server's).
    pub fn new(shared: &'static Shared, credentials: Option<Credentials>) -> Arc<HttpState> {
        Arc::new(HttpState {
            shared,
            credentials,
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
        })
    }

    /// A state over a database of its own (tests, and `serve` without Bolt).
    pub fn standalone(db: Database, credentials: Option<Credentials>) -> Arc<HttpState> {
        let shared = Box::leak(Box::new(Shared::new(db, Duration::from_secs(10))));
        HttpState::new(shared, credentials)
    }

    /// The credentials clients must present, if any.
    pub fn credentials(&self) -> Option<&Credentials> {
        self.credentials.as_ref()
    }

    /// Runs `statement` in a transaction of its own.
    ///
    /// # Errors
    /// The statement's error, a refusal, or a lock timeout.
    pub fn run_auto_commit(
        &self,
        statement: &str,
        params: &Params,
    ) -> Result<Vec<ResultSet>, StateError> {
        Ok(vec![self.shared.run(statement, params)?.result])
    }

    /// Reads the committed database (the schema sidebar, citations).
    ///
    /// # Errors
    /// None today; kept for a reader that may have to wait.
    pub fn read<T>(&self, f: impl FnOnce(&Database) -> T) -> Result<T, StateError> {
        Ok(self.shared.with_db(f))
    }

    /// Opens an explicit transaction and returns its id.
    ///
    /// # Errors
    /// None today: a transaction takes the write lock at its first write.
    pub fn begin(&self) -> Result<String, StateError> {
        let id = format!("{:x}", self.next_id.fetch_add(1, Ordering::Relaxed));
        let tx = OpenTx {
            tx: self.shared.begin(),
            expires: Instant::now() + TX_IDLE,
        };
        self.open().insert(id.clone(), tx);
        Ok(id)
    }

    /// Runs `statement` inside transaction `id`. A failing statement rolls the whole
    /// transaction back, as Neo4j's Query API does.
    ///
    /// # Errors
    /// The statement's error, or an unknown transaction.
    pub fn run_in(
        &self,
        id: &str,
        statement: &str,
        params: &Params,
    ) -> Result<Vec<ResultSet>, StateError> {
        let mut open = self.open();
        let tx = open
            .get_mut(id)
            .ok_or_else(|| StateError::UnknownTransaction(id.to_string()))?;
        match tx.tx.run(statement, params) {
            Ok(outcome) => {
                tx.expires = Instant::now() + TX_IDLE;
                Ok(vec![outcome.result])
            }
            Err(failure) => {
                open.remove(id);
                Err(failure.into())
            }
        }
    }

    /// When transaction `id` expires if left idle.
    pub fn expires(&self, id: &str) -> Option<Instant> {
        self.open().get(id).map(|tx| tx.expires)
    }

    /// Makes transaction `id`'s changes visible to all.
    ///
    /// # Errors
    /// An unknown transaction, or changes that could not be made durable.
    pub fn commit(&self, id: &str) -> Result<(), StateError> {
        let tx = self
            .open()
            .remove(id)
            .ok_or_else(|| StateError::UnknownTransaction(id.to_string()))?;
        Ok(tx.tx.commit()?)
    }

    /// Drops transaction `id`'s changes.
    ///
    /// # Errors
    /// An unknown transaction.
    pub fn roll_back(&self, id: &str) -> Result<(), StateError> {
        let tx = self
            .open()
            .remove(id)
            .ok_or_else(|| StateError::UnknownTransaction(id.to_string()))?;
        tx.tx.rollback();
        Ok(())
    }

    /// The open transactions, after rolling back those left idle too long.
    fn open(&self) -> MutexGuard<'_, HashMap<String, OpenTx>> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        open.retain(|_, tx| tx.expires > now);
        open
    }
}
