//! `datatrail serve`: the database behind Bolt (TCP, TLS, WebSocket), so that Neo4j's
//! official drivers and the tools built on them connect unchanged.
//!
//! One thread per connection (statements are CPU-bound synchronous code), a cap on
//! connections, handshake and idle timeouts, a message size limit. Every use of the
//! database goes through [`shared::Shared`]. SIGINT/SIGTERM stop accepting, wait up to a
//! grace period for running requests, and exit 0; a transaction not committed by then is
//! not committed.

pub mod auth;
pub mod bolt;
pub mod http;
pub mod net;
pub mod packstream;
pub mod shared;
pub mod values;

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::limits::{self, Limits};
use crate::{Database, app, load};

use auth::Auth;
use bolt::ConnectionLimits;
use shared::Shared;

/// `datatrail serve`'s arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// Serve the dataset in DIR (its journal keeps committed writes) instead of the
    /// built-in case graph, whose changes live in memory only
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Address for Bolt clients (bolt://, neo4j://, and WebSocket)
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:7687")]
    pub bolt: String,

    /// Address for the HTTP Query API and the web view
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:7474")]
    pub http: String,

    /// Credentials clients must give: `none` (loopback addresses only) or
    /// USER/PASSWORD [default: DATATRAIL_AUTH from the environment, else none]
    #[arg(long, value_name = "none|USER/PASSWORD")]
    pub auth: Option<String>,

    /// TLS certificate chain (PEM): turns on bolt+s:// beside bolt://
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,

    /// TLS private key (PEM)
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Stop any statement that runs longer than SECONDS
    #[arg(long, value_name = "SECONDS", value_parser = limits::parse_seconds)]
    pub timeout: Option<Duration>,

    /// Fail any statement that returns more than N rows
    #[arg(long, value_name = "N", value_parser = limits::parse_rows)]
    pub max_rows: Option<u64>,

    /// Fail any statement whose intermediate results grow memory by more than SIZE
    /// (`off` for no budget) [default: as the shell]
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<String>,

    /// Most connections served at once; more are closed at once
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_connections: usize,

    /// Seconds a client has for its handshake
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = limits::parse_seconds)]
    pub handshake_timeout: Duration,

    /// Seconds a connection may stay silent between requests
    #[arg(long, value_name = "SECONDS", default_value = "1800", value_parser = limits::parse_seconds)]
    pub idle_timeout: Duration,

    /// Largest request message, such as 16M
    #[arg(long, value_name = "SIZE", default_value = "16M", value_parser = limits::parse_size)]
    pub max_message_size: u64,

    /// Seconds a write waits for another transaction's writes to end
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = limits::parse_seconds)]
    pub lock_timeout: Duration,

    /// Seconds running requests get to finish after SIGINT or SIGTERM
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = limits::parse_seconds)]
    pub grace: Duration,
}

/// What the listeners are configured with.
#[derive(Debug)]
pub struct Config {
    pub max_connections: usize,
    pub limits: ConnectionLimits,
}

/// Everything connections share: the database, the credentials, the counters shutdown
/// looks at.
pub struct SharedState {
    pub shared: Shared,
    pub auth: Auth,
    pub config: Config,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Set on SIGINT/SIGTERM: listeners stop accepting.
    pub stopping: AtomicBool,
    /// Open connections.
    pub connections: AtomicUsize,
    /// Requests being answered.
    pub busy: AtomicUsize,
}

/// The credentials: `--auth`, else `DATATRAIL_AUTH`, else none.
fn credentials(args: &ServeArgs) -> Result<Auth, String> {
    let from_env = std::env::var("DATATRAIL_AUTH").ok();
    match args.auth.as_deref().or(from_env.as_deref()) {
        Some(spec) => Auth::parse(spec).map_err(|e| format!("--auth / DATATRAIL_AUTH: {e}")),
        None => Ok(Auth::None),
    }
}

/// Loads the dataset: the `--data` folder with its journal, or the built-in graph.
fn load_database(args: &ServeArgs) -> Result<Database, String> {
    match &args.data {
        Some(dir) => {
            let opened = app::open_dir(dir, false).map_err(|e| e.to_string())?;
            opened.warnings.iter().for_each(|w| eprintln!("{w}"));
            let mut db = Database::with_graph(opened.graph);
            db.attach_journal(opened.journal);
            Ok(db)
        }
        None => {
            eprintln!(
                "serving the built-in case graph: writes live in memory only (use --data DIR to keep them)"
            );
            load::load_embedded()
                .map(Database::with_graph)
                .map_err(|e| e.to_string())
        }
    }
}

fn statement_limits(args: &ServeArgs) -> Result<Limits, String> {
    let memory = match args.memory_limit.as_deref() {
        None => limits::default_memory_budget(),
        Some(off) if off.eq_ignore_ascii_case("off") => None,
        Some(size) => Some(limits::parse_size(size).map_err(|e| format!("--memory-limit: {e}"))?),
    };
    Ok(Limits {
        timeout: args.timeout,
        max_rows: args.max_rows,
        memory,
    })
}

fn resolve(address: &str) -> Result<SocketAddr, String> {
    use std::net::ToSocketAddrs;
    address
        .to_socket_addrs()
        .map_err(|e| format!("{address}: {e}"))?
        .next()
        .ok_or_else(|| format!("{address}: no address"))
}

/// Starts the HTTP listener (Neo4j's Query API and the web view) on `--http`, over the
/// database the Bolt listener serves; it runs until the process ends.
fn start_http(
    args: &ServeArgs,
    state: &Arc<SharedState>,
) -> Result<std::thread::JoinHandle<()>, String> {
    let address = resolve(&args.http)?;
    state.auth.check_bind(&address)?;
    let listener = TcpListener::bind(address).map_err(|e| format!("http: {address}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    // Both listeners serve the same database for the life of the process.
    let forever: &'static Arc<SharedState> = Box::leak(Box::new(state.clone()));
    let credentials = match &state.auth {
        Auth::None => None,
        Auth::Basic { user, password } => Some(http::state::Credentials {
            user: user.clone(),
            password: password.clone(),
        }),
    };
    let http_state = http::state::HttpState::new(&forever.shared, credentials);
    eprintln!("http: listening on {local}");
    Ok(std::thread::spawn(move || {
        if let Err(e) = http::serve(listener, http_state) {
            eprintln!("http: {e}");
        }
    }))
}

/// Runs the server until SIGINT or SIGTERM.
///
/// # Errors
/// A message for bad arguments, data that cannot be loaded, or an address that cannot be
/// bound.
pub fn run(args: &ServeArgs) -> Result<(), String> {
    let auth = credentials(args)?;
    let bolt_address = resolve(&args.bolt)?;
    auth.check_bind(&bolt_address)?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(net::tls_config(cert, key)?),
        _ => None,
    };
    let mut db = load_database(args)?;
    db.set_limits(statement_limits(args)?);
    let listener =
        TcpListener::bind(bolt_address).map_err(|e| format!("bolt: {bolt_address}: {e}"))?;
    let state = Arc::new(SharedState {
        shared: Shared::new(db, args.lock_timeout),
        auth,
        config: Config {
            max_connections: args.max_connections,
            limits: ConnectionLimits {
                handshake: args.handshake_timeout,
                idle: args.idle_timeout,
                max_message: usize::try_from(args.max_message_size).unwrap_or(usize::MAX),
            },
        },
        tls,
        stopping: AtomicBool::new(false),
        connections: AtomicUsize::new(0),
        busy: AtomicUsize::new(0),
    });
    let (stop_tx, stop_rx) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop_tx.send(());
    })
    .map_err(|e| format!("cannot handle signals: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let bolt_state = state.clone();
    let bolt = std::thread::spawn(move || net::accept_loop(listener, bolt_state));
    eprintln!("bolt: listening on {local}");
    let http = start_http(args, &state)?;
    let _ = stop_rx.recv();
    eprintln!("stopping: no new connections; waiting for running requests");
    state.stopping.store(true, Ordering::SeqCst);
    let _ = bolt.join();
    drop(http);
    let deadline = Instant::now() + args.grace;
    while state.busy.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Open transactions are dropped with the process: none of them is committed.
    Ok(())
}
