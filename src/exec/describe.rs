//! How runtime messages name values, and the type-mismatch error built from them: the
//! leaf that expression evaluation, functions and updates all use.

use crate::graph::Value;
use crate::span::Span;

use super::ExecError;

/// A value's kind for messages: `Integer 3`, `String 'x'`, `Node`.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => format!("Boolean {b}"),
        Value::Int(i) => format!("Integer {i}"),
        Value::Float(f) => format!("Float {}", crate::graph::value::format_float(*f)),
        Value::String(s) => format!("String '{s}'"),
        other => other.type_name().to_string(),
    }
}

/// A type mismatch at `span`.
pub(crate) fn type_error(message: impl Into<String>, span: Span) -> ExecError {
    ExecError::TypeMismatch {
        message: message.into(),
        span,
    }
}
