//! The Bolt protocol: handshake, chunked messages, and one session per connection.

pub mod chunk;
pub mod handshake;
pub mod message;
pub mod session;
pub mod status;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::server::packstream::{self, Packed};

use handshake::MAGIC;
use session::{Context, Session};

/// The limits one connection works within.
#[derive(Clone, Debug)]
pub struct ConnectionLimits {
    /// Time for the whole handshake.
    pub handshake: Duration,
    /// Time a connection may wait between messages, and take to send one.
    pub idle: Duration,
    /// The largest request message.
    pub max_message: usize,
}

/// A stream whose reads fail with `TimedOut` once a deadline passes, however slowly the
/// peer trickles bytes in: the socket's read timeout is set to the time left before each
/// read.
struct Deadlined<'s, S> {
    inner: &'s mut S,
    socket: &'s TcpStream,
    deadline: Instant,
}

impl<S: Read> Read for Deadlined<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "deadline passed"));
        }
        self.socket.set_read_timeout(Some(left))?;
        self.inner.read(buf)
    }
}

impl<S: Write> Write for Deadlined<'_, S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Serves one Bolt connection on `stream` (plain, TLS or WebSocket), whose underlying
/// socket is `socket`, until the client says GOODBYE, closes, breaks the protocol or
/// times out. `busy(true)` is called when a request starts work and says whether it may
/// (not once the server is stopping); `busy(false)` once the work is done and answered,
/// so that shutdown waits for running statements and their results.
///
/// # Errors
/// I/O errors and timeouts; `InvalidData` for a stream that is not Bolt.
pub fn serve<S: Read + Write>(
    stream: &mut S,
    socket: &TcpStream,
    ctx: Context<'_>,
    limits: &ConnectionLimits,
    busy: &dyn Fn(bool) -> bool,
) -> io::Result<()> {
    let version = {
        let mut timed = Deadlined {
            inner: stream,
            socket,
            deadline: Instant::now() + limits.handshake,
        };
        let mut magic = [0u8; 4];
        timed.read_exact(&mut magic)?;
        if magic != MAGIC {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "not a Bolt client (no Bolt magic)",
            ));
        }
        match handshake::negotiate(&mut timed)? {
            Some(version) => version,
            None => return Ok(()),
        }
    };
    let mut session = Session::new(ctx, version);
    let mut out = Vec::new();
    let mut holding = false;
    let served = loop {
        let mut timed = Deadlined {
            inner: stream,
            socket,
            deadline: Instant::now() + limits.idle,
        };
        let bytes = match chunk::read_message(&mut timed, limits.max_message) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        };
        // A connection counts as busy from a request that starts work to the moment its
        // work is done (no transaction, no result left to page out).
        if !holding && !busy(true) {
            let text = "the server is shutting down";
            emit_to(&mut out, message::failure(status::UNAVAILABLE, text));
            stream.write_all(&out)?;
            return stream.flush();
        }
        let request = packstream::decode(&bytes)
            .map_err(|e| e.to_string())
            .and_then(message::parse);
        let mut emit = |p: Packed| emit_to(&mut out, p);
        let protocol_error = match request {
            Ok(request) => {
                session.handle(request, &mut emit);
                false
            }
            Err(text) => {
                emit(message::failure(status::REQUEST_INVALID, &text));
                true
            }
        };
        // The answer is written before the request counts as done, so that shutdown
        // waits for it.
        holding = true;
        let written = stream.write_all(&out).and_then(|()| stream.flush());
        if session.is_idle() {
            busy(false);
            holding = false;
        }
        out.clear();
        if written.is_err() || protocol_error || session.is_closed() {
            break written;
        }
    };
    if holding {
        busy(false);
    }
    served
}

/// Appends a response message to `out`.
fn emit_to(out: &mut Vec<u8>, message: Packed) {
    // Writing into a Vec cannot fail.
    let _ = chunk::write_message(out, &packstream::to_bytes(&message));
}
