//! Parameter values typed as Cypher literals (`:param who 'Kogan'`, `--param who='Kogan'`),
//! read by the engine itself so they mean exactly what they would in a query, and printed
//! back the same way.

use crate::graph::Value;
use crate::result::ResultSet;
use crate::span::{Span, render_diagnostic};
use crate::{Database, Error};

/// Reads a parameter value written as a Cypher literal (`'Kogan'`, `87000000`,
/// `[1, 2]`, `date('2018-03-17')`) by evaluating `RETURN <text>` on an empty database.
///
/// # Errors
/// A rendered diagnostic pointing into `text`, with `origin` naming the parameter.
pub fn parse_param(text: &str, origin: &str) -> Result<Value, String> {
    // The newline keeps a trailing `//` comment in the value from hiding the alias.
    const PREFIX: &str = "RETURN ";
    let query = format!("{PREFIX}{text}\nAS v");
    let not_a_value = || format!("error: parameter `{origin}`: `{text}` is not a value\n");
    match Database::new().execute(&query) {
        Ok(results) => results
            .into_iter()
            .next()
            .and_then(|r| r.rows.into_iter().next())
            .and_then(|row| row.into_iter().next())
            .ok_or_else(not_a_value),
        Err(err) => Err(match err.span() {
            // An error past the value (at the alias) is about the value's end.
            Some(span) if span.start >= PREFIX.len() => {
                let start = (span.start - PREFIX.len()).min(text.len());
                let end = (span.end.saturating_sub(PREFIX.len())).clamp(start, text.len());
                let message = err.to_string();
                let origin = format!("parameter {origin}");
                render_diagnostic(&message, text, &origin, Span::new(start, end))
            }
            _ => not_a_value_because(&err, text, origin),
        }),
    }
}

fn not_a_value_because(err: &Error, text: &str, origin: &str) -> String {
    format!("error: parameter `{origin}`: `{text}` is not a value ({err})\n")
}

/// A value as a Cypher literal (`'Kogan'`, `[1, 2]`).
pub fn literal(value: &Value) -> String {
    let mut text = String::new();
    ResultSet::default().render_literal(value, &mut text);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_param_points_into_the_value() {
        // Needs the engine for the right column.
        let err = parse_param("[1, 2", "n").unwrap_err();
        assert!(err.contains("--> parameter n:1:"), "{err}");
        assert!(err.contains("1 | [1, 2"), "{err}");
    }
}
