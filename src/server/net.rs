//! Connections: accepting under a cap, TLS when a certificate is given, and telling Bolt
//! from a WebSocket upgrade by the first bytes: `60 60 B0 17` is Bolt, `GET ` is an HTTP
//! request (the WebSocket carrying Bolt that browser clients use), anything else is
//! dropped. A TLS record starts with `16`, so `bolt://` and `bolt+s://` share the port.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use tungstenite::Message;

use super::SharedState;
use super::bolt::{self, handshake::MAGIC, session::Context};

/// Reads a PEM certificate chain and private key into a TLS configuration.
///
/// # Errors
/// A message naming the file that cannot be read or used.
pub fn tls_config(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, String> {
    let certs = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: {e}", cert.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: no certificate found", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| format!("{}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
        .map(Arc::new)
        .map_err(|e| format!("TLS certificate and key: {e}"))
}

/// Accepts Bolt connections until shutdown, one thread each, at most
/// `max_connections` at once (more are closed at once).
pub fn accept_loop(listener: TcpListener, state: Arc<SharedState>) {
    // Non-blocking so that shutdown is noticed between connections.
    if let Err(e) = listener.set_nonblocking(true) {
        eprintln!("bolt: {e}");
        return;
    }
    let mut next_id = 0u64;
    while !state.stopping.load(Ordering::SeqCst) {
        let (socket, _) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
            Err(_) => continue,
        };
        let open = state.connections.fetch_add(1, Ordering::SeqCst);
        if open >= state.config.max_connections {
            state.connections.fetch_sub(1, Ordering::SeqCst);
            drop(socket);
            continue;
        }
        next_id += 1;
        let id = next_id;
        let mine = state.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("bolt-{id}"))
            .spawn(move || {
                // A failing connection only ends itself.
                let _ = connection(socket, &mine, id);
                mine.connections.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            state.connections.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// A stream that first gives back bytes already read from `inner`.
struct Prefixed<S> {
    prefix: Vec<u8>,
    inner: S,
}

impl<S: Read> Read for Prefixed<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.prefix.is_empty() {
            return self.inner.read(buf);
        }
        let n = buf.len().min(self.prefix.len());
        buf[..n].copy_from_slice(&self.prefix[..n]);
        self.prefix.drain(..n);
        Ok(n)
    }
}

impl<S: Write> Write for Prefixed<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn connection(socket: TcpStream, state: &SharedState, id: u64) -> io::Result<()> {
    socket.set_nodelay(true)?;
    socket.set_read_timeout(Some(state.config.limits.handshake))?;
    let control = socket.try_clone()?;
    let mut first = [0u8; 1];
    if socket.peek(&mut first)? == 0 {
        return Ok(());
    }
    match (&state.tls, first[0]) {
        (Some(tls), 0x16) => {
            let conn = ServerConnection::new(tls.clone()).map_err(io::Error::other)?;
            sniffed(StreamOwned::new(conn, socket), &control, state, id)
        }
        _ => sniffed(socket, &control, state, id),
    }
}

/// Reads the first four bytes and serves Bolt or a WebSocket carrying Bolt.
fn sniffed<S: Read + Write>(
    mut stream: S,
    control: &TcpStream,
    state: &SharedState,
    id: u64,
) -> io::Result<()> {
    let mut head = [0u8; 4];
    stream.read_exact(&mut head)?;
    let mut stream = Prefixed {
        prefix: head.to_vec(),
        inner: stream,
    };
    let address = control
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let ctx = Context {
        shared: &state.shared,
        auth: &state.auth,
        id,
        address,
        idle_seconds: state.config.limits.idle.as_secs(),
    };
    // Counted before `stopping` is read, so shutdown either waits for the request or
    // the request sees that the server is stopping.
    let busy = |on: bool| {
        if !on {
            state.busy.fetch_sub(1, Ordering::SeqCst);
            return true;
        }
        state.busy.fetch_add(1, Ordering::SeqCst);
        if state.stopping.load(Ordering::SeqCst) {
            state.busy.fetch_sub(1, Ordering::SeqCst);
            return false;
        }
        true
    };
    if head == MAGIC {
        return bolt::serve(&mut stream, control, ctx, &state.config.limits, &busy);
    }
    if &head == b"GET " {
        let ws = tungstenite::accept(stream).map_err(|e| io::Error::other(e.to_string()))?;
        let mut ws = WebSocketStream {
            ws,
            incoming: Vec::new(),
            outgoing: Vec::new(),
        };
        return bolt::serve(&mut ws, control, ctx, &state.config.limits, &busy);
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "neither Bolt nor a WebSocket upgrade",
    ))
}

/// Bolt bytes carried in binary WebSocket messages.
struct WebSocketStream<S> {
    ws: tungstenite::WebSocket<S>,
    incoming: Vec<u8>,
    outgoing: Vec<u8>,
}

fn ws_error(e: tungstenite::Error) -> io::Error {
    match e {
        tungstenite::Error::Io(e) => e,
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            io::Error::new(io::ErrorKind::UnexpectedEof, "WebSocket closed")
        }
        other => io::Error::new(io::ErrorKind::InvalidData, other.to_string()),
    }
}

impl<S: Read + Write> Read for WebSocketStream<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.incoming.is_empty() {
            match self.ws.read() {
                Ok(Message::Binary(data)) => self.incoming.extend_from_slice(&data),
                Ok(Message::Close(_)) => return Ok(0),
                Ok(Message::Text(_)) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "Bolt over WebSocket takes binary messages",
                    ));
                }
                // Pings are answered by tungstenite on the next write or flush.
                Ok(_) => {}
                Err(tungstenite::Error::ConnectionClosed) => return Ok(0),
                Err(e) => return Err(ws_error(e)),
            }
        }
        let n = buf.len().min(self.incoming.len());
        buf[..n].copy_from_slice(&self.incoming[..n]);
        self.incoming.drain(..n);
        Ok(n)
    }
}

impl<S: Read + Write> Write for WebSocketStream<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.outgoing.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.outgoing.is_empty() {
            let data = std::mem::take(&mut self.outgoing);
            self.ws.send(Message::binary(data)).map_err(ws_error)?;
        }
        self.ws.flush().map_err(ws_error)
    }
}
