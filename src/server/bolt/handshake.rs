//! Bolt's opening: the magic `60 60 B0 17`, four version proposals, and the server's
//! choice. A proposal is `00 RANGE MINOR MAJOR`: versions MAJOR.MINOR down to
//! MAJOR.(MINOR - RANGE). The proposal `00 00 01 FF` asks for the manifest form (drivers
//! 5.x late and 6.x send it first): the server lists what it speaks and the client picks.

use std::io::{self, Read, Write};

/// The bytes every Bolt connection starts with.
pub const MAGIC: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];

/// A Bolt protocol version.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u8,
    pub minor: u8,
}

impl Version {
    pub const fn new(major: u8, minor: u8) -> Version {
        Version { major, minor }
    }

    /// Bolt 5.1 moved authentication from HELLO to LOGON.
    pub fn has_logon(self) -> bool {
        self >= Version::new(5, 1)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The versions this server speaks, best first: 5.0 to 5.4 and 4.4.
pub const SUPPORTED: [Version; 6] = [
    Version::new(5, 4),
    Version::new(5, 3),
    Version::new(5, 2),
    Version::new(5, 1),
    Version::new(5, 0),
    Version::new(4, 4),
];

const MANIFEST_V1: [u8; 4] = [0, 0, 1, 0xFF];

/// The best supported version inside one proposal.
fn best_in(proposal: [u8; 4]) -> Option<Version> {
    let [_, range, minor, major] = proposal;
    let low = Version::new(major, minor.saturating_sub(range));
    let high = Version::new(major, minor);
    SUPPORTED.into_iter().find(|v| low <= *v && *v <= high)
}

/// Runs the handshake after the magic, which the caller has checked. `Ok(None)` when no
/// version is shared (the client has been told and the connection should close).
///
/// # Errors
/// Read and write errors, and `InvalidData` when the client picks, from the manifest, a
/// version not offered.
pub fn negotiate(stream: &mut (impl Read + Write)) -> io::Result<Option<Version>> {
    let mut proposals = [0u8; 16];
    stream.read_exact(&mut proposals)?;
    let proposals: Vec<[u8; 4]> = proposals
        .chunks_exact(4)
        .map(|p| p.try_into().expect("four bytes"))
        .collect();
    if proposals.contains(&MANIFEST_V1) {
        return manifest(stream);
    }
    let chosen = proposals.into_iter().filter_map(best_in).max();
    let reply = chosen.map_or([0; 4], |v| [0, 0, v.minor, v.major]);
    stream.write_all(&reply)?;
    stream.flush()?;
    Ok(chosen)
}

/// The manifest form: offer every version, read the client's choice and capabilities.
fn manifest(stream: &mut (impl Read + Write)) -> io::Result<Option<Version>> {
    let mut reply = MANIFEST_V1.to_vec();
    // Offers as ranges: 5.4 down to 5.0, and 4.4.
    let offers: [[u8; 4]; 2] = [[0, 4, 4, 5], [0, 0, 4, 4]];
    reply.push(offers.len() as u8);
    offers.iter().for_each(|o| reply.extend_from_slice(o));
    // No optional capabilities.
    reply.push(0);
    stream.write_all(&reply)?;
    stream.flush()?;
    let mut choice = [0u8; 4];
    stream.read_exact(&mut choice)?;
    read_varint(stream)?;
    let version = Version::new(choice[3], choice[2]);
    if version == Version::new(0, 0) {
        return Ok(None);
    }
    if !SUPPORTED.contains(&version) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the client chose Bolt {version}, which was not offered"),
        ));
    }
    Ok(Some(version))
}

/// A base-128 varint, at most 10 bytes.
fn read_varint(stream: &mut impl Read) -> io::Result<u64> {
    let mut value = 0u64;
    for i in 0..10 {
        let mut byte = [0u8];
        stream.read_exact(&mut byte)?;
        value |= u64::from(byte[0] & 0x7F) << (7 * i);
        if byte[0] & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "a handshake varint longer than 10 bytes",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream that reads from a script and records what is written.
    struct Script<'a> {
        input: &'a [u8],
        output: Vec<u8>,
    }

    impl Read for Script<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }

    impl Write for Script<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn run(input: &[u8]) -> (io::Result<Option<Version>>, Vec<u8>) {
        let mut s = Script {
            input,
            output: Vec::new(),
        };
        (negotiate(&mut s), s.output)
    }

    #[test]
    fn classic_proposals_get_the_best_shared_version() {
        // Driver 5.x: 5.8..5.0, 4.4..4.2, 4.1, 3.0.
        let (v, out) = run(&[0, 8, 8, 5, 0, 2, 4, 4, 0, 0, 1, 4, 0, 0, 0, 3]);
        assert_eq!(v.unwrap(), Some(Version::new(5, 4)));
        assert_eq!(out, [0, 0, 4, 5]);
        let (v, out) = run(&[0, 0, 4, 4, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(v.unwrap(), Some(Version::new(4, 4)));
        assert_eq!(out, [0, 0, 4, 4]);
        let (v, out) = run(&[0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(v.unwrap(), None);
        assert_eq!(out, [0, 0, 0, 0]);
    }

    #[test]
    fn the_manifest_form_offers_ranges_and_reads_the_choice() {
        // Driver 6.x: the manifest, 5.8..5.0, 4.4..4.2, 3.0; then it picks 5.4.
        let mut input = vec![0, 0, 1, 0xFF, 0, 8, 8, 5, 0, 2, 4, 4, 0, 0, 0, 3];
        input.extend([0, 0, 4, 5, 0]);
        let (v, out) = run(&input);
        assert_eq!(v.unwrap(), Some(Version::new(5, 4)));
        assert_eq!(out, [0, 0, 1, 0xFF, 2, 0, 4, 4, 5, 0, 0, 4, 4, 0]);
        let mut input = vec![0, 0, 1, 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        input.extend([0, 0, 9, 5, 0]);
        assert!(run(&input).0.is_err(), "5.9 was not offered");
    }

    #[test]
    fn a_half_handshake_is_an_error() {
        let (v, _) = run(&[0, 0, 4, 4, 0]);
        assert_eq!(v.unwrap_err().kind(), io::ErrorKind::UnexpectedEof);
    }
}
