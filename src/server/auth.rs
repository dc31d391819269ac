//! Credentials: `--auth none|USER/PASSWORD` or `DATATRAIL_AUTH`, checked in constant time.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use crate::server::packstream::Packed;

/// Who may connect.
#[derive(Clone, PartialEq, Eq)]
pub enum Auth {
    /// Anyone (loopback binds only).
    None,
    /// One user with a password (Bolt's `basic` scheme).
    Basic { user: String, password: String },
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the password.
        match self {
            Auth::None => f.write_str("Auth::None"),
            Auth::Basic { user, .. } => write!(f, "Auth::Basic({user})"),
        }
    }
}

impl Auth {
    /// Reads `none` or `USER/PASSWORD` (the password may contain `/`).
    ///
    /// # Errors
    /// A message for anything else, or an empty user or password.
    pub fn parse(spec: &str) -> Result<Auth, String> {
        if spec.eq_ignore_ascii_case("none") {
            return Ok(Auth::None);
        }
        match spec.split_once('/') {
            Some((user, password)) if !user.is_empty() && !password.is_empty() => Ok(Auth::Basic {
                user: user.to_string(),
                password: password.to_string(),
            }),
            _ => Err("credentials are `none` or USER/PASSWORD".to_string()),
        }
    }

    /// Refuses to serve addresses other than loopback without credentials.
    ///
    /// # Errors
    /// A message naming the address.
    pub fn check_bind(&self, address: &SocketAddr) -> Result<(), String> {
        if *self == Auth::None && !address.ip().is_loopback() {
            return Err(format!(
                "refusing to serve {address} without credentials: give --auth USER/PASSWORD \
                 (or DATATRAIL_AUTH), or bind a loopback address such as 127.0.0.1"
            ));
        }
        Ok(())
    }

    /// Whether a Bolt auth map (`scheme`, `principal`, `credentials`) is allowed in.
    pub fn admits(&self, token: &BTreeMap<String, Packed>) -> bool {
        let Auth::Basic { user, password } = self else {
            return true;
        };
        let text = |key: &str| match token.get(key) {
            Some(Packed::String(s)) => s.as_str(),
            _ => "",
        };
        let scheme_ok = text("scheme") == "basic";
        // Both compared in full, whatever the first says.
        let user_ok = constant_time_eq(text("principal").as_bytes(), user.as_bytes());
        let password_ok = constant_time_eq(text("credentials").as_bytes(), password.as_bytes());
        scheme_ok & user_ok & password_ok
    }

    /// Whether HTTP basic credentials are allowed in.
    pub fn admits_basic(&self, given_user: &str, given_password: &str) -> bool {
        match self {
            Auth::None => true,
            Auth::Basic { user, password } => {
                constant_time_eq(given_user.as_bytes(), user.as_bytes())
                    & constant_time_eq(given_password.as_bytes(), password.as_bytes())
            }
        }
    }
}

/// Compares without an early exit, so the time taken does not tell how much of a guess
/// was right (it tells only the longer length).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0);
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(scheme: &str, user: &str, password: &str) -> BTreeMap<String, Packed> {
        [
            ("scheme", scheme),
            ("principal", user),
            ("credentials", password),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), Packed::str(v)))
        .collect()
    }

    #[test]
    fn credentials_parse_and_admit_only_the_right_pair() {
        let auth = Auth::parse("neo4j/pa/ss").unwrap();
        assert!(auth.admits(&token("basic", "neo4j", "pa/ss")));
        assert!(!auth.admits(&token("basic", "neo4j", "pa/s")));
        assert!(!auth.admits(&token("basic", "neo", "pa/ss")));
        assert!(!auth.admits(&token("none", "neo4j", "pa/ss")));
        assert!(!auth.admits(&BTreeMap::new()));
        assert!(Auth::None.admits(&BTreeMap::new()));
        assert!(Auth::parse("neo4j").is_err());
        assert!(Auth::parse("/x").is_err());
        assert!(!format!("{auth:?}").contains("pa/ss"));
    }

    #[test]
    fn only_loopback_binds_go_without_credentials() {
        let public: SocketAddr = "0.0.0.0:7687".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:7687".parse().unwrap();
        assert!(Auth::None.check_bind(&public).is_err());
        assert!(Auth::None.check_bind(&local).is_ok());
        let auth = Auth::parse("a/b").unwrap();
        assert!(auth.check_bind(&public).is_ok());
    }

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
        assert!(!constant_time_eq(b"", b"\0"));
    }
}
