//! Bolt's message framing: a message is a run of chunks, each a big-endian 16-bit length
//! and that many bytes, ended by an empty chunk. An empty chunk between messages is a
//! keep-alive and is skipped.

use std::io::{self, Read, Write};

/// The largest chunk body.
const MAX_CHUNK: usize = 0xFFFF;

/// Reads one message, at most `limit` bytes; `Ok(None)` when the peer closed the
/// connection between messages.
///
/// # Errors
/// `InvalidData` for a message over `limit` bytes; `UnexpectedEof` for a connection that
/// ends inside a message; read errors and timeouts as they come.
pub fn read_message(input: &mut impl Read, limit: usize) -> io::Result<Option<Vec<u8>>> {
    let mut message = Vec::new();
    loop {
        let mut header = [0u8; 2];
        if message.is_empty() {
            // A clean close is only possible before a message starts.
            match input.read(&mut header[..1]) {
                Ok(0) => return Ok(None),
                Ok(_) => input.read_exact(&mut header[1..])?,
                // A signal (SIGTERM starting a shutdown) is no reason to drop a client.
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        } else {
            input.read_exact(&mut header)?;
        }
        let len = usize::from(u16::from_be_bytes(header));
        if len == 0 {
            if message.is_empty() {
                continue;
            }
            return Ok(Some(message));
        }
        if message.len() + len > limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a message is larger than the limit of {limit} bytes"),
            ));
        }
        let start = message.len();
        message.resize(start + len, 0);
        input.read_exact(&mut message[start..])?;
    }
}

/// Appends `message` to `out` as chunks and the end marker.
pub fn write_message(out: &mut impl Write, message: &[u8]) -> io::Result<()> {
    for chunk in message.chunks(MAX_CHUNK) {
        out.write_all(&(chunk.len() as u16).to_be_bytes())?;
        out.write_all(chunk)?;
    }
    out.write_all(&[0, 0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_across_chunks_and_keep_alives() {
        let big = vec![7u8; MAX_CHUNK + 10];
        let mut wire = vec![0, 0];
        write_message(&mut wire, &big).unwrap();
        write_message(&mut wire, b"ab").unwrap();
        let mut input = wire.as_slice();
        assert_eq!(read_message(&mut input, 1 << 20).unwrap(), Some(big));
        assert_eq!(
            read_message(&mut input, 1 << 20).unwrap(),
            Some(b"ab".to_vec())
        );
        assert_eq!(read_message(&mut input, 1 << 20).unwrap(), None);
    }

    #[test]
    fn truncated_and_oversized_messages_fail() {
        let mut input: &[u8] = &[0, 5, 1, 2];
        let err = read_message(&mut input, 100).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        let mut input: &[u8] = &[0, 200, 1, 2];
        let err = read_message(&mut input, 100).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }
}
