//! The HTTP listener of `datatrail serve`: Neo4j's Query API ([`query`]), the web view's
//! page and scripts ([`assets`]) and the small schema endpoint the page completes from.
//!
//! Built on `tiny_http`: a synchronous server with a few worker threads fits statements
//! that are CPU-bound synchronous code behind one lock, needs no async runtime (hyper and
//! axum would bring tokio for nothing here), is small, and has a rustls feature for the
//! `--tls-cert` work to come.
//!
//! Every request passes [`guard`] first: a `Host` that is not the server's own address
//! (DNS rebinding), an `Origin` of another site, or missing credentials are refused
//! before anything else is read. Every answer carries a Content-Security-Policy that
//! allows scripts from the server itself only, never inline ones.

pub mod assets;
pub mod guard;
pub mod json;
pub mod query;
pub mod state;

use std::io::{self, Read};
use std::net::TcpListener;
use std::sync::Arc;

use serde_json::{Value as Json, json};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::app::helper::{KEYWORDS, Vocabulary, function_names};
use guard::Authority;
use query::error_reply;
use state::HttpState as SharedState;

/// Largest request body accepted (a statement with its parameters).
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// How many requests are served at once (statements still run one at a time).
const WORKERS: usize = 4;

/// At most this many node names go to the page for completion.
const MAX_NAMES: usize = 50_000;

/// Scripts, styles, images and connections from the server itself only; no inline or
/// evaluated script, no plugins, no framing. Inline styles are allowed: the editor and
/// the graph renderer position their elements through style attributes.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
     font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// An answer before it is sent.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, value: &Json) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: serde_json::to_vec(value).unwrap_or_default(),
            headers: Vec::new(),
        }
    }

    fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

/// Serves HTTP on `listener` until the process ends, with `state`'s database and
/// credentials.
pub fn serve(listener: TcpListener, state: Arc<SharedState>) -> io::Result<()> {
    let authority = Authority::new(listener.local_addr()?);
    let server = Arc::new(Server::from_listener(listener, None).map_err(io::Error::other)?);
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (server, state, authority) = (server.clone(), state.clone(), authority.clone());
            std::thread::spawn(move || {
                while let Ok(request) = server.recv() {
                    respond(request, &state, &authority);
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.join();
    }
    Ok(())
}

/// Answers one request; a client that went away is no concern of the others.
fn respond(mut request: Request, state: &SharedState, authority: &Authority) {
    let reply = answer(&mut request, state, authority);
    let mut response = Response::from_data(reply.body).with_status_code(reply.status);
    let mut headers = vec![
        ("Content-Type", reply.content_type.to_string()),
        (
            "Content-Security-Policy",
            CONTENT_SECURITY_POLICY.to_string(),
        ),
        ("X-Content-Type-Options", "nosniff".to_string()),
        ("X-Frame-Options", "DENY".to_string()),
        ("Referrer-Policy", "no-referrer".to_string()),
        ("Cross-Origin-Resource-Policy", "same-origin".to_string()),
        ("Cache-Control", "no-store".to_string()),
    ];
    headers.extend(reply.headers);
    for (name, value) in headers {
        if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(header);
        }
    }
    let _ = request.respond(response);
}

fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Checks who is asking, then routes.
fn answer(request: &mut Request, state: &SharedState, authority: &Authority) -> Reply {
    let forbidden =
        |message: &str| error_reply(403, "Neo.ClientError.Request.Invalid", message, None);
    let host = header(request, "Host").unwrap_or_default().to_string();
    if !authority.is_own_host(&host) {
        return forbidden("the Host header does not name this server");
    }
    if let Some(origin) = header(request, "Origin")
        && !authority.is_own_origin(origin, &host)
    {
        return forbidden("requests from another site's pages are refused");
    }
    if header(request, "Sec-Fetch-Site").is_some_and(|s| s.eq_ignore_ascii_case("cross-site")) {
        return forbidden("requests from another site's pages are refused");
    }
    if let Some(credentials) = state.credentials()
        && !guard::is_authorized(header(request, "Authorization"), credentials)
    {
        return error_reply(
            401,
            "Neo.ClientError.Security.Unauthorized",
            "the request needs the server's user name and password (HTTP basic auth)",
            None,
        )
        .with_header(
            "WWW-Authenticate",
            "Basic realm=\"datatrail\", charset=\"UTF-8\"".into(),
        );
    }
    let body = match read_body(request) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or_default();
    route(
        request.method(),
        path,
        &body,
        state,
        &host,
        wants_json(request),
    )
}

fn wants_json(request: &Request) -> bool {
    header(request, "Accept")
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"))
}

/// The body, refused with 413 past [`MAX_BODY`].
fn read_body(request: &mut Request) -> Result<Vec<u8>, Reply> {
    let too_large = || {
        error_reply(
            413,
            "Neo.ClientError.Request.Invalid",
            &format!("the request body is larger than {MAX_BODY} bytes"),
            None,
        )
    };
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body);
    match read {
        Ok(_) if body.len() > MAX_BODY => Err(too_large()),
        Ok(_) => Ok(body),
        Err(e) => Err(error_reply(
            400,
            "Neo.ClientError.Request.Invalid",
            &format!("the request body could not be read: {e}"),
            None,
        )),
    }
}

fn route(
    method: &Method,
    path: &str,
    body: &[u8],
    state: &SharedState,
    host: &str,
    wants_json: bool,
) -> Reply {
    if let Some(rest) = path.strip_prefix("/db/") {
        let (name, rest) = rest.split_once('/').unwrap_or((rest, ""));
        let Some(rest) = rest.strip_prefix("query/v2") else {
            return not_found(path);
        };
        let Some(action) = query::route(method.as_str(), rest) else {
            return not_found(path);
        };
        if name != query::DATABASE {
            return error_reply(
                404,
                "Neo.ClientError.Database.DatabaseNotFound",
                &format!("there is no database `{name}` (the one database is `neo4j`)"),
                None,
            );
        }
        return query::handle(
            state,
            action,
            body,
            &format!("http://{host}/db/{name}/query/v2"),
        );
    }
    match (method, path) {
        (Method::Get, "/") if wants_json => Reply::json(200, &discovery(host)),
        (Method::Get, "/api/schema") => schema(state),
        (Method::Get | Method::Head, _) => match assets::find(path) {
            Some(asset) => Reply {
                status: 200,
                content_type: asset.content_type,
                body: asset.bytes.to_vec(),
                headers: Vec::new(),
            },
            None => not_found(path),
        },
        _ => error_reply(
            405,
            "Neo.ClientError.Request.Invalid",
            &format!("{method} is not allowed on {path}"),
            None,
        ),
    }
}

fn not_found(path: &str) -> Reply {
    error_reply(
        404,
        "Neo.ClientError.Request.Invalid",
        &format!("nothing at {path}"),
        None,
    )
}

/// What Neo4j answers at `/` for JSON clients: where the Query API is.
fn discovery(host: &str) -> Json {
    json!({
        "query": format!("http://{host}/db/{{databaseName}}/query/v2"),
        "neo4j_version": "5.26.0",
        "neo4j_edition": "community",
        "datatrail_version": env!("CARGO_PKG_VERSION"),
    })
}

/// `GET /api/schema`: labels and relationship types with their counts, property keys,
/// node names, keywords and functions: what the page's sidebar and completion show.
fn schema(state: &SharedState) -> Reply {
    let read = state.read(|db| {
        let graph = db.graph();
        let counted = |counts: Vec<(&str, usize)>| -> Vec<Json> {
            counts
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(name, count)| json!({ "name": name, "count": count }))
                .collect()
        };
        let mut vocabulary = Vocabulary::from_graph(graph, db.params());
        vocabulary.names.truncate(MAX_NAMES);
        json!({
            "labels": counted(graph.label_counts()),
            "types": counted(graph.type_counts()),
            "keys": vocabulary.keys,
            "names": vocabulary.names,
            "keywords": KEYWORDS,
            "functions": function_names(),
            "nodes": graph.node_count(),
            "relationships": graph.rel_count(),
        })
    });
    match read {
        Ok(schema) => Reply::json(200, &schema),
        Err(_) => error_reply(
            503,
            "Neo.TransientError.Transaction.LockAcquisitionTimeout",
            "another client's explicit transaction holds the database; try again",
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};

    use super::state::Credentials;
    use super::*;
    use crate::Database;

    fn start(credentials: Option<Credentials>) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let state = SharedState::standalone(Database::new(), credentials);
        std::thread::spawn(move || serve(listener, state));
        addr
    }

    /// Sends a raw request and returns the status line, the headers and the body.
    fn send(addr: SocketAddr, request: &str) -> (String, String) {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        (head.to_string(), body.to_string())
    }

    fn post(addr: SocketAddr, extra: &str, body: &str) -> (String, String) {
        send(
            addr,
            &format!(
                "POST /db/neo4j/query/v2 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
                 Content-Type: application/json\r\n{extra}Content-Length: {}\r\n\r\n{body}",
                body.len()
            ),
        )
    }

    #[test]
    fn page_comes_with_a_content_security_policy() {
        let addr = start(None);
        let (head, body) = send(
            addr,
            &format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
        );
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.contains("script-src 'self'"));
        assert!(body.contains("/app.js"));
    }

    #[test]
    fn foreign_host_and_origin_are_refused() {
        let addr = start(None);
        let statement = r#"{"statement": "RETURN 1"}"#;
        let rebound = format!(
            "POST /db/neo4j/query/v2 HTTP/1.1\r\nHost: attacker.example:{}\r\nConnection: close\r\n\
             Content-Length: {}\r\n\r\n{statement}",
            addr.port(),
            statement.len()
        );
        assert!(send(addr, &rebound).0.starts_with("HTTP/1.1 403"));
        let (head, _) = post(addr, "Origin: http://attacker.example\r\n", statement);
        assert!(head.starts_with("HTTP/1.1 403"), "{head}");
        let (head, body) = post(addr, &format!("Origin: http://{addr}\r\n"), statement);
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(body.contains(r#""values":[[1]]"#), "{body}");
    }

    #[test]
    fn credentials_are_checked() {
        let addr = start(Some(Credentials::parse("neo4j/secret").unwrap()));
        let statement = r#"{"statement": "RETURN 1"}"#;
        let (head, body) = post(addr, "", statement);
        assert!(head.starts_with("HTTP/1.1 401"), "{head}");
        assert!(head.contains("WWW-Authenticate: Basic"));
        assert!(body.contains("Neo.ClientError.Security.Unauthorized"));
        // neo4j:secret
        let (head, _) = post(addr, "Authorization: Basic bmVvNGo6c2VjcmV0\r\n", statement);
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    }

    #[test]
    fn oversized_body_is_refused_unread() {
        let addr = start(None);
        let request = format!(
            "POST /db/neo4j/query/v2 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
             Content-Length: {}\r\n\r\n",
            MAX_BODY + 1
        );
        assert!(send(addr, &request).0.starts_with("HTTP/1.1 413"));
    }

    #[test]
    fn unknown_database_and_paths_are_not_found() {
        let addr = start(None);
        let get = |path: &str| {
            send(
                addr,
                &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
            )
            .0
        };
        assert!(get("/nothing").starts_with("HTTP/1.1 404"));
        let (head, body) = send(
            addr,
            &format!(
                "POST /db/other/query/v2 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
                 Content-Length: 2\r\n\r\n{{}}"
            ),
        );
        assert!(head.starts_with("HTTP/1.1 404"), "{head}");
        assert!(body.contains("DatabaseNotFound"));
    }
}
