//! Neo4j status codes for datatrail's errors, so that drivers raise the exception class
//! users expect (`CypherSyntaxError`, `AuthError`, ...) and retry what is transient.

use crate::Error;
use crate::exec::ExecError;

use crate::server::shared::Failure;

pub const UNAUTHORIZED: &str = "Neo.ClientError.Security.Unauthorized";
pub const FORBIDDEN: &str = "Neo.ClientError.Security.Forbidden";
pub const REQUEST_INVALID: &str = "Neo.ClientError.Request.Invalid";
pub const DATABASE_NOT_FOUND: &str = "Neo.ClientError.Database.DatabaseNotFound";
pub const LOCK_TIMEOUT: &str = "Neo.TransientError.Transaction.LockAcquisitionTimeout";
pub const TYPE_ERROR: &str = "Neo.ClientError.Statement.TypeError";
pub const EXECUTION_FAILED: &str = "Neo.ClientError.Statement.ExecutionFailed";
pub const UNAVAILABLE: &str = "Neo.TransientError.General.DatabaseUnavailable";
pub const COMMIT_FAILED: &str = "Neo.DatabaseError.Transaction.TransactionCommitFailed";

/// The status code of a statement error.
pub fn for_error(error: &Error) -> &'static str {
    match error {
        Error::Exec(e) => match e {
            ExecError::Timeout { .. } => "Neo.ClientError.Transaction.TransactionTimedOut",
            ExecError::Interrupted => "Neo.TransientError.Transaction.Terminated",
            ExecError::OutOfMemory { .. } => {
                "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
            }
            ExecError::DeleteConnectedNode => "Neo.ClientError.Schema.ConstraintValidationFailed",
            ExecError::TooManyRows { .. }
            | ExecError::UpdateInSubquery { .. }
            | ExecError::Copy { .. } => EXECUTION_FAILED,
            _ => for_class(e.tck_class()),
        },
        Error::Syntax(_) | Error::Plan(_) => for_class(error.tck_class().0),
        Error::Journal(_) => COMMIT_FAILED,
        Error::Transaction(e) => match e {
            crate::error::TxError::LockTimeout { .. } => LOCK_TIMEOUT,
            crate::error::TxError::ReadOnly => "Neo.ClientError.Statement.AccessMode",
            _ => "Neo.ClientError.Transaction.TransactionStartFailed",
        },
        Error::Load(_) | Error::Export(_) => "Neo.DatabaseError.General.UnknownError",
    }
}

/// The code of an openCypher error class.
fn for_class(class: &str) -> &'static str {
    match class {
        "SyntaxError" => "Neo.ClientError.Statement.SyntaxError",
        "SemanticError" => "Neo.ClientError.Statement.SemanticError",
        "TypeError" => TYPE_ERROR,
        "ArgumentError" => "Neo.ClientError.Statement.ArgumentError",
        "ParameterMissing" => "Neo.ClientError.Statement.ParameterMissing",
        "EntityNotFound" => "Neo.ClientError.Statement.EntityNotFound",
        _ => EXECUTION_FAILED,
    }
}

/// The code and message of a failed request: for a statement error, the diagnostic the
/// shell prints (with the line and a caret under the offending part).
pub fn describe(failure: &Failure, query: &str) -> (&'static str, String) {
    match failure {
        Failure::Statement(e) => (
            for_error(e),
            e.render(query, "query").trim_end().to_string(),
        ),
        Failure::LockTimeout(waited) => (
            LOCK_TIMEOUT,
            format!(
                "another transaction is writing; waited {} ms for it (retry)",
                waited.as_millis()
            ),
        ),
        Failure::Forbidden(message) => (FORBIDDEN, message.clone()),
        Failure::Refused(message) => (EXECUTION_FAILED, message.clone()),
        Failure::Durability(message) => (COMMIT_FAILED, message.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Database;

    fn code(query: &str) -> &'static str {
        for_error(&Database::new().execute(query).unwrap_err())
    }

    #[test]
    fn errors_map_to_neo4j_codes() {
        assert_eq!(code("RETRN 1"), "Neo.ClientError.Statement.SyntaxError");
        assert_eq!(code("RETURN m"), "Neo.ClientError.Statement.SyntaxError");
        assert_eq!(code("UNWIND [1, 'a'] AS x RETURN x - 1"), TYPE_ERROR);
        assert_eq!(
            code("RETURN $x"),
            "Neo.ClientError.Statement.ParameterMissing"
        );
        assert_eq!(
            code("CREATE (a)-[:T]->(b) WITH a DELETE a"),
            "Neo.ClientError.Schema.ConstraintValidationFailed"
        );
    }
}
