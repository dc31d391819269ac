//! Byte ranges in the query text and the one diagnostic format every error reaches the
//! user in: line and column, the source line, a caret under the span. A leaf: the syntax
//! tree, the planner and the executor all carry spans, and the top-level error renders them.

use std::fmt::Write as _;

/// A byte range in the query text.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn merge(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// This span moved `offset` bytes to the right (a statement inside a script).
    pub fn shift(self, offset: usize) -> Span {
        Span::new(self.start + offset, self.end + offset)
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset.min(source.len()));
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = source[line_start..offset].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The diagnostic format:
/// ```text
/// error: variable `m` is not defined
///  --> script.cypher:3:8
///   |
/// 3 | RETURN m.name
///   |        ^
/// ```
pub fn render_diagnostic(message: &str, source: &str, origin: &str, span: Span) -> String {
    render_diagnostic_from_line(message, source, origin, span, 1)
}

/// Like [`render_diagnostic`] for a `source` that starts on line `first_line` of its
/// origin (a piece of a script read as it arrives), so the line printed is the origin's.
pub fn render_diagnostic_from_line(
    message: &str,
    source: &str,
    origin: &str,
    span: Span,
    first_line: usize,
) -> String {
    let (line_in_source, col) = line_col(source, span.start);
    let line_text = source.lines().nth(line_in_source - 1).unwrap_or("");
    let line = line_in_source + first_line.saturating_sub(1);
    let gutter = line.to_string().len();
    let pad = " ".repeat(gutter);
    // The caret covers the span on its first line, at least one character.
    let line_chars = line_text.chars().count();
    let span_end = floor_char_boundary(source, span.end.min(source.len()));
    let span_chars = source[floor_char_boundary(source, span.start.min(source.len()))..span_end]
        .lines()
        .next()
        .map_or(0, |s| s.chars().count());
    let width = span_chars.clamp(1, line_chars.saturating_sub(col - 1).max(1));
    let mut out = String::new();
    let _ = writeln!(out, "error: {message}");
    let _ = writeln!(out, "{pad}--> {origin}:{line}:{col}");
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{line} | {line_text}");
    let _ = writeln!(out, "{pad} | {}{}", " ".repeat(col - 1), "^".repeat(width));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostic_points_at_the_span() {
        let source = "MATCH (n)\nRETURN m.name";
        let out = render_diagnostic(
            "variable `m` is not defined",
            source,
            "q",
            Span::new(17, 18),
        );
        assert_eq!(
            out,
            "error: variable `m` is not defined\n --> q:2:8\n  |\n2 | RETURN m.name\n  |        ^\n"
        );
    }

    #[test]
    fn diagnostic_of_a_piece_numbers_lines_as_its_origin() {
        let out = render_diagnostic_from_line(
            "bad",
            "RETURN 1;\nRETURN m",
            "<stdin>",
            Span::new(17, 18),
            41,
        );
        assert_eq!(
            out,
            "error: bad\n  --> <stdin>:42:8\n   |\n42 | RETURN m\n   |        ^\n"
        );
    }

    #[test]
    fn line_col_counts_characters_not_bytes() {
        assert_eq!(line_col("'é' x", 5), (1, 5));
    }
}
