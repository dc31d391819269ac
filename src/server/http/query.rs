//! Neo4j's Query API: `POST /db/{name}/query/v2` runs a statement in a transaction of
//! its own; `/db/{name}/query/v2/tx` begins an explicit one, `.../tx/{id}` runs in it,
//! `.../tx/{id}/commit` commits it and `DELETE .../tx/{id}` rolls it back.

use serde_json::{Value as Json, json};

use super::Reply;
use super::json::{counters, data, params};
use super::state::{HttpState as SharedState, StateError};
use crate::error::line_col;
use crate::{Error, Params, ResultSet, Stats};

/// The one database a server has, by its Neo4j name.
pub const DATABASE: &str = "neo4j";

/// What a request under `/db/{name}/query/v2` asks for.
#[derive(Debug, PartialEq)]
pub enum Action<'a> {
    AutoCommit,
    Begin,
    Run(&'a str),
    Commit(&'a str),
    Rollback(&'a str),
}

/// The action of `method` on `rest`, the path after `/db/{name}/query/v2`.
pub fn route<'a>(method: &str, rest: &'a str) -> Option<Action<'a>> {
    let parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    match (method, parts.as_slice()) {
        ("POST", []) => Some(Action::AutoCommit),
        ("POST", ["tx"]) => Some(Action::Begin),
        ("POST", ["tx", id]) => Some(Action::Run(id)),
        ("POST", ["tx", id, "commit"]) => Some(Action::Commit(id)),
        ("DELETE", ["tx", id]) => Some(Action::Rollback(id)),
        _ => None,
    }
}

/// A request body: the statement (optional where the API allows none) and parameters.
struct Body {
    statement: Option<String>,
    params: Params,
}

/// Parses the JSON body, answering 400 with a Neo4j-style error when it is not one.
fn parse_body(bytes: &[u8], required: bool) -> Result<Body, Reply> {
    let bad = |message: String| error_reply(400, "Neo.ClientError.Request.Invalid", &message, None);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        if required {
            return Err(bad(
                "the request has no body: send {\"statement\": \"...\"}".into(),
            ));
        }
        return Ok(Body {
            statement: None,
            params: Params::new(),
        });
    }
    let json: Json = serde_json::from_slice(bytes)
        .map_err(|e| bad(format!("the request body is not valid JSON: {e}")))?;
    let Json::Object(object) = json else {
        return Err(bad("the request body must be a JSON object".into()));
    };
    let statement = match object.get("statement") {
        Some(Json::String(s)) => Some(s.clone()),
        None | Some(Json::Null) if !required => None,
        None | Some(Json::Null) => return Err(bad("the request has no \"statement\"".into())),
        Some(_) => return Err(bad("\"statement\" must be a string".into())),
    };
    let params = match object.get("parameters") {
        None | Some(Json::Null) => Params::new(),
        Some(Json::Object(map)) => params(map).map_err(bad)?,
        Some(_) => return Err(bad("\"parameters\" must be a JSON object".into())),
    };
    Ok(Body { statement, params })
}

/// Serves one Query API request.
pub fn handle(state: &SharedState, action: Action<'_>, body: &[u8], base: &str) -> Reply {
    match serve(state, action, body, base) {
        Ok(reply) | Err(reply) => reply,
    }
}

fn serve(state: &SharedState, action: Action<'_>, body: &[u8], base: &str) -> Result<Reply, Reply> {
    let required = matches!(action, Action::AutoCommit | Action::Run(_));
    let body = parse_body(body, required)?;
    let statement = body.statement.as_deref().filter(|s| !s.trim().is_empty());
    match action {
        Action::AutoCommit => {
            let text = statement.unwrap_or_default();
            let results = state
                .run_auto_commit(text, &body.params)
                .map_err(|e| state_error(e, text))?;
            Ok(Reply::json(200, &result_json(&results)))
        }
        Action::Begin => {
            let id = state.begin().map_err(|e| state_error(e, ""))?;
            let mut out = run_optional(state, &id, statement, &body.params)?;
            tx_info(state, &id, base, &mut out);
            Ok(Reply::json(202, &out))
        }
        Action::Run(id) => {
            let mut out = run_optional(state, id, statement, &body.params)?;
            tx_info(state, id, base, &mut out);
            Ok(Reply::json(202, &out))
        }
        Action::Commit(id) => {
            let out = run_optional(state, id, statement, &body.params)?;
            state.commit(id).map_err(|e| state_error(e, ""))?;
            Ok(Reply::json(200, &out))
        }
        Action::Rollback(id) => {
            state.roll_back(id).map_err(|e| state_error(e, ""))?;
            Ok(Reply::json(200, &json!({ "bookmarks": [] })))
        }
    }
}

fn run_optional(
    state: &SharedState,
    id: &str,
    statement: Option<&str>,
    params: &Params,
) -> Result<Json, Reply> {
    match statement {
        Some(text) => {
            let results = state
                .run_in(id, text, params)
                .map_err(|e| state_error(e, text))?;
            Ok(result_json(&results))
        }
        None => Ok(json!({ "bookmarks": [] })),
    }
}

fn tx_info(state: &SharedState, id: &str, base: &str, out: &mut Json) {
    let left = state
        .expires(id)
        .map(|at| at.saturating_duration_since(std::time::Instant::now()))
        .unwrap_or_default();
    let expires = chrono::Utc::now() + chrono::Duration::from_std(left).unwrap_or_default();
    out["transaction"] = json!({
        "id": id,
        "expires": expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "commit": format!("{base}/tx/{id}/commit"),
    });
}

/// The last statement's rows, and the counters of them all (a `;`-separated text runs
/// as several statements).
fn result_json(results: &[ResultSet]) -> Json {
    let mut stats = Stats::default();
    for r in results {
        let s = &r.stats;
        stats.nodes_created += s.nodes_created;
        stats.nodes_deleted += s.nodes_deleted;
        stats.rels_created += s.rels_created;
        stats.rels_deleted += s.rels_deleted;
        stats.props_set += s.props_set;
        stats.props_removed += s.props_removed;
        stats.labels_added += s.labels_added;
        stats.labels_removed += s.labels_removed;
    }
    let last = results.last().cloned().unwrap_or_default();
    json!({
        "data": data(&last),
        "counters": counters(&stats),
        "bookmarks": [],
    })
}

fn state_error(e: StateError, statement: &str) -> Reply {
    match e {
        StateError::Statement(e) => statement_error(&e, statement),
        StateError::UnknownTransaction(id) => error_reply(
            404,
            "Neo.ClientError.Transaction.TransactionNotFound",
            &format!("transaction `{id}` is not open (it was committed, rolled back or expired)"),
            None,
        ),
        StateError::Refused(why) => {
            error_reply(403, "Neo.ClientError.Security.Forbidden", &why, None)
        }
        StateError::LockTimeout => error_reply(
            503,
            "Neo.TransientError.Transaction.LockAcquisitionTimeout",
            "another client's explicit transaction holds the database; try again",
            None,
        ),
    }
}

/// A statement's error: its Neo4j status code, the shell's caret diagnostic, and where
/// in the statement it points (offset in characters, 1-based line and column).
fn statement_error(e: &Error, statement: &str) -> Reply {
    let code = status_code(e);
    let message = e.render(statement, "query");
    let position = e.span().map(|span| {
        let (line, column) = line_col(statement, span.start);
        let offset = statement
            .char_indices()
            .take_while(|(i, _)| *i < span.start)
            .count();
        json!({ "offset": offset, "line": line, "column": column })
    });
    let status = if code.starts_with("Neo.ClientError") || code.starts_with("Neo.TransientError") {
        400
    } else {
        500
    };
    error_reply(status, code, message.trim_end(), position)
}

/// Neo4j's status code for an error.
fn status_code(e: &Error) -> &'static str {
    use crate::exec::ExecError;
    match e {
        Error::Exec(ExecError::Timeout { .. }) => {
            "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration"
        }
        Error::Exec(ExecError::OutOfMemory { .. }) => {
            "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
        }
        Error::Exec(ExecError::Interrupted) => "Neo.TransientError.Transaction.Terminated",
        _ => match e.tck_class().0 {
            "SyntaxError" => "Neo.ClientError.Statement.SyntaxError",
            "SemanticError" => "Neo.ClientError.Statement.SemanticError",
            "TypeError" => "Neo.ClientError.Statement.TypeError",
            "ArgumentError" => "Neo.ClientError.Statement.ArgumentError",
            "ParameterMissing" => "Neo.ClientError.Statement.ParameterMissing",
            "EntityNotFound" => "Neo.ClientError.Statement.EntityNotFound",
            "ConstraintVerificationFailed" => "Neo.ClientError.Schema.ConstraintValidationFailed",
            "RuntimeError" => "Neo.ClientError.Statement.ExecutionFailed",
            _ => "Neo.DatabaseError.General.UnknownError",
        },
    }
}

/// `{"errors": [{"code", "message", "position"?}]}` with `status`.
pub fn error_reply(status: u16, code: &str, message: &str, position: Option<Json>) -> Reply {
    let mut error = json!({ "code": code, "message": message });
    if let Some(position) = position {
        error["position"] = position;
    }
    Reply::json(status, &json!({ "errors": [error] }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Database;

    fn post(state: &SharedState, action: Action<'_>, body: &str) -> (u16, Json) {
        let reply = handle(state, action, body.as_bytes(), "/db/neo4j/query/v2");
        (reply.status, serde_json::from_slice(&reply.body).unwrap())
    }

    #[test]
    fn routes_follow_the_query_api() {
        assert_eq!(route("POST", ""), Some(Action::AutoCommit));
        assert_eq!(route("POST", "/tx"), Some(Action::Begin));
        assert_eq!(route("POST", "/tx/7"), Some(Action::Run("7")));
        assert_eq!(route("POST", "/tx/7/commit"), Some(Action::Commit("7")));
        assert_eq!(route("DELETE", "/tx/7"), Some(Action::Rollback("7")));
        assert_eq!(route("GET", ""), None);
        assert_eq!(route("POST", "/tx/7/other"), None);
    }

    #[test]
    fn auto_commit_returns_fields_values_and_counters() {
        let state = SharedState::standalone(Database::new(), None);
        let (status, out) = post(
            &state,
            Action::AutoCommit,
            r#"{"statement": "CREATE (n:P {x: $x}) RETURN n.x AS x", "parameters": {"x": 2}}"#,
        );
        assert_eq!(status, 200);
        assert_eq!(out["data"], json!({"fields": ["x"], "values": [[2]]}));
        assert_eq!(out["counters"]["nodesCreated"], 1);
        assert_eq!(out["counters"]["containsUpdates"], true);
    }

    #[test]
    fn syntax_error_carries_caret_and_position() {
        let state = SharedState::standalone(Database::new(), None);
        let (status, out) = post(
            &state,
            Action::AutoCommit,
            r#"{"statement": "MATCH (n)\nRETURN m"}"#,
        );
        assert_eq!(status, 400);
        let error = &out["errors"][0];
        assert!(
            error["code"]
                .as_str()
                .unwrap()
                .starts_with("Neo.ClientError.Statement.")
        );
        assert!(error["message"].as_str().unwrap().contains('^'));
        assert_eq!(
            error["position"],
            json!({"offset": 17, "line": 2, "column": 8})
        );
    }

    #[test]
    fn bad_json_is_a_clear_400() {
        let state = SharedState::standalone(Database::new(), None);
        for body in [
            "{",
            "[1]",
            r#"{"statement": 3}"#,
            "",
            r#"{"statement": "RETURN 1", "parameters": []}"#,
        ] {
            let (status, out) = post(&state, Action::AutoCommit, body);
            assert_eq!(status, 400, "{body}");
            assert_eq!(out["errors"][0]["code"], "Neo.ClientError.Request.Invalid");
        }
    }

    #[test]
    fn explicit_transaction_commits_and_rolls_back() {
        let state = SharedState::standalone(Database::new(), None);
        let (status, out) = post(&state, Action::Begin, r#"{"statement": "CREATE ()"}"#);
        assert_eq!(status, 202);
        let id = out["transaction"]["id"].as_str().unwrap().to_string();
        let (status, _) = post(&state, Action::Rollback(&id), "");
        assert_eq!(status, 200);
        let (_, out) = post(&state, Action::Begin, "");
        let id = out["transaction"]["id"].as_str().unwrap().to_string();
        post(&state, Action::Run(&id), r#"{"statement": "CREATE ()"}"#);
        let (status, _) = post(&state, Action::Commit(&id), "");
        assert_eq!(status, 200);
        let (status, _) = post(&state, Action::Commit(&id), "");
        assert_eq!(status, 404);
        let (_, out) = post(
            &state,
            Action::AutoCommit,
            r#"{"statement": "MATCH (n) RETURN count(n)"}"#,
        );
        assert_eq!(out["data"]["values"], json!([[1]]));
    }
}
