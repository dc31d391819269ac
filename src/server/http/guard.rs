//! Who may talk to the HTTP listener: requests must name the server itself in `Host`
//! (a DNS name that a foreign site rebinds to 127.0.0.1 is refused), must not come from
//! another site's page (`Origin`, `Sec-Fetch-Site`), and must carry the credentials
//! when the server has some (HTTP basic auth, compared in constant time).

use std::net::{IpAddr, SocketAddr};

use base64::Engine as _;
use subtle::ConstantTimeEq;

use super::state::Credentials;

/// The addresses the server answers to.
#[derive(Clone, Debug)]
pub struct Authority {
    port: u16,
    /// Host names besides IP literals and `localhost` (`--http-host`, say): none yet.
    names: Vec<String>,
}

impl Authority {
    /// The server listening at `addr`.
    pub fn new(addr: SocketAddr) -> Authority {
        Authority {
            port: addr.port(),
            names: Vec::new(),
        }
    }

    /// Also answers to `name` (a DNS name the server is reached by).
    pub fn with_name(mut self, name: &str) -> Authority {
        self.names.push(name.to_ascii_lowercase());
        self
    }

    /// Whether a `Host` header value names this server: an IP address or `localhost`
    /// (which no foreign DNS can point elsewhere), or a configured name, with the
    /// listener's port.
    pub fn is_own_host(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let (name, port) = match split_port(&host) {
            Some(split) => split,
            None => return false,
        };
        if port != self.port {
            return false;
        }
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        bare.parse::<IpAddr>().is_ok()
            || name == "localhost"
            || self.names.iter().any(|n| n == name)
    }

    /// Whether an `Origin` header value is this server's own page: `http://` plus the
    /// very host the request was sent to.
    pub fn is_own_origin(&self, origin: &str, host: &str) -> bool {
        let origin = origin.trim().to_ascii_lowercase();
        let host = host.trim().to_ascii_lowercase();
        origin
            .strip_prefix("http://")
            .is_some_and(|rest| rest == host && self.is_own_host(rest))
    }
}

/// `name:port` into its parts; a missing port is HTTP's 80.
fn split_port(host: &str) -> Option<(&str, u16)> {
    let colon = match host.rfind(':') {
        // `[::1]` without a port: the colon is inside the brackets.
        Some(i) if !host[i..].contains(']') => i,
        _ => return Some((host, 80)),
    };
    let port = host[colon + 1..].parse().ok()?;
    Some((&host[..colon], port))
}

/// Whether an `Authorization` header value carries `credentials`. Both the user name
/// and the password are compared in constant time, and both always, so the time taken
/// tells nothing about which was wrong or how much of it was right.
pub fn is_authorized(header: Option<&str>, credentials: &Credentials) -> bool {
    let Some(encoded) = header.and_then(|h| {
        let (scheme, rest) = h.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("basic").then_some(rest.trim())
    }) else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        return false;
    };
    let (user, password) = match decoded.iter().position(|&b| b == b':') {
        Some(i) => (&decoded[..i], &decoded[i + 1..]),
        None => return false,
    };
    let user_ok = user.ct_eq(credentials.user.as_bytes());
    let password_ok = password.ct_eq(credentials.password.as_bytes());
    (user_ok & password_ok).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authority() -> Authority {
        Authority::new("127.0.0.1:7474".parse().unwrap())
    }

    #[test]
    fn host_must_be_an_address_or_localhost_with_the_port() {
        let a = authority();
        assert!(a.is_own_host("127.0.0.1:7474"));
        assert!(a.is_own_host("localhost:7474"));
        assert!(a.is_own_host("[::1]:7474"));
        assert!(!a.is_own_host("evil.example:7474"));
        assert!(!a.is_own_host("127.0.0.1:8080"));
        assert!(!a.is_own_host("127.0.0.1"));
        assert!(!a.is_own_host("127.0.0.1:x"));
        assert!(a.clone().with_name("Box.lan").is_own_host("box.lan:7474"));
    }

    #[test]
    fn origin_must_be_the_page_of_the_same_host() {
        let a = authority();
        assert!(a.is_own_origin("http://127.0.0.1:7474", "127.0.0.1:7474"));
        assert!(!a.is_own_origin("http://evil.example", "127.0.0.1:7474"));
        assert!(!a.is_own_origin("null", "127.0.0.1:7474"));
        assert!(!a.is_own_origin("http://localhost:7474", "127.0.0.1:7474"));
    }

    #[test]
    fn basic_auth_needs_both_parts_right() {
        let creds = Credentials::parse("neo4j/secret").unwrap();
        let header = |s: &str| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(s)
            )
        };
        assert!(is_authorized(Some(&header("neo4j:secret")), &creds));
        assert!(!is_authorized(Some(&header("neo4j:secreT")), &creds));
        assert!(!is_authorized(Some(&header("neo4:secret")), &creds));
        assert!(!is_authorized(Some(&header("neo4jsecret")), &creds));
        assert!(!is_authorized(Some("Bearer abc"), &creds));
        assert!(!is_authorized(Some("Basic !!!"), &creds));
        assert!(!is_authorized(None, &creds));
    }
}
