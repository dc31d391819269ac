//! Where statements end: splitting a script at `;` and deciding whether the lines typed
//! so far make a complete statement, without being fooled by a `;` inside a string, a
//! backtick-quoted name or a comment (tursodatabase/turso `cli/read_state_machine.rs`
//! solves the same problem for SQL). The lexical rules follow the grammar: strings in
//! single or double quotes with backslash escapes, names in backticks, `//` line
//! comments and `/* */` block comments.

/// What the scanner is inside of at a given byte.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Lexeme {
    /// Ordinary query text.
    Code,
    /// A string in single quotes (the quotes included).
    SingleQuoted,
    /// A string in double quotes (the quotes included).
    DoubleQuoted,
    /// A name in backticks (the backticks included).
    Backticked,
    /// A `//` comment up to and including the newline.
    LineComment,
    /// A `/* */` comment, its markers included.
    BlockComment,
}

impl Lexeme {
    fn is_comment(self) -> bool {
        matches!(self, Lexeme::LineComment | Lexeme::BlockComment)
    }
}

/// Calls `visit(index, byte, lexeme)` for every byte of `text` and returns what the
/// scanner is inside of at the end (`Code` unless a string or comment is left open).
/// Every special character is ASCII, so scanning bytes is safe for any UTF-8 text.
pub fn scan(text: &str, mut visit: impl FnMut(usize, u8, Lexeme)) -> Lexeme {
    let bytes = text.as_bytes();
    let next_is = |i: usize, c: u8| bytes.get(i + 1) == Some(&c);
    let mut state = Lexeme::Code;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let mut width = 1;
        match state {
            Lexeme::Code => {
                state = match c {
                    b'\'' => Lexeme::SingleQuoted,
                    b'"' => Lexeme::DoubleQuoted,
                    b'`' => Lexeme::Backticked,
                    b'/' if next_is(i, b'/') => Lexeme::LineComment,
                    b'/' if next_is(i, b'*') => {
                        width = 2;
                        Lexeme::BlockComment
                    }
                    _ => Lexeme::Code,
                };
                for (j, &b) in bytes.iter().enumerate().skip(i).take(width) {
                    visit(j, b, state);
                }
            }
            Lexeme::SingleQuoted | Lexeme::DoubleQuoted => {
                let quote = if state == Lexeme::SingleQuoted {
                    b'\''
                } else {
                    b'"'
                };
                visit(i, c, state);
                if c == b'\\' && i + 1 < bytes.len() {
                    width = 2;
                    visit(i + 1, bytes[i + 1], state);
                } else if c == quote {
                    state = Lexeme::Code;
                }
            }
            Lexeme::Backticked | Lexeme::LineComment => {
                visit(i, c, state);
                let end = if state == Lexeme::Backticked {
                    b'`'
                } else {
                    b'\n'
                };
                if c == end {
                    state = Lexeme::Code;
                }
            }
            Lexeme::BlockComment => {
                if c == b'*' && next_is(i, b'/') {
                    width = 2;
                    visit(i, c, state);
                    visit(i + 1, b'/', state);
                    state = Lexeme::Code;
                } else {
                    visit(i, c, state);
                }
            }
        }
        i += width;
    }
    state
}

/// One statement of a script: its text (without the `;`, trimmed) and where that text
/// starts in the script, so diagnostics can point into the script.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct StatementText<'a> {
    pub text: &'a str,
    pub offset: usize,
}

/// Splits a script at every `;` outside strings, backticks and comments. Statements that
/// are empty or hold only comments are left out; the last statement needs no `;`.
pub fn split_statements(script: &str) -> Vec<StatementText<'_>> {
    let mut statements = Vec::new();
    let mut push = |start: usize, end: usize, has_code: bool| {
        if has_code {
            let raw = &script[start..end];
            let text = raw.trim_start();
            let offset = start + (raw.len() - text.len());
            statements.push(StatementText {
                text: text.trim_end(),
                offset,
            });
        }
    };
    let (start, has_code) = each_ended(script, &mut push);
    push(start, script.len(), has_code);
    statements
}

/// How many bytes of `script` its ended statements take: up to and including the last
/// `;` or the newline that ends a command line.
pub fn ended_len(script: &str) -> usize {
    each_ended(script, &mut |_, _, _| {}).0
}

/// Calls `each(start, end, has_code)` for each statement of `script` that is ended: by a
/// `;` outside strings and comments, or, for a command (`:begin`, a statement starting
/// with `:`), by the end of its line. Returns where the rest starts and whether it holds
/// code.
fn each_ended(script: &str, each: &mut dyn FnMut(usize, usize, bool)) -> (usize, bool) {
    let (mut start, mut has_code, mut command) = (0, false, false);
    scan(script, |i, c, lexeme| {
        if (lexeme == Lexeme::Code && c == b';') || (command && c == b'\n') {
            each(start, i, has_code);
            start = i + 1;
            has_code = false;
            command = false;
        } else if !lexeme.is_comment() && !c.is_ascii_whitespace() {
            command |= !has_code && lexeme == Lexeme::Code && c == b':';
            has_code = true;
        }
    });
    (start, has_code)
}

/// Whether the REPL has a whole statement: the text ends with a `;` outside strings and
/// comments (a trailing `//` comment may follow it). A buffer starting with `:` is a meta
/// command, complete at the end of its line. A blank buffer is not complete.
pub fn is_complete(buffer: &str) -> bool {
    if buffer.trim_start().starts_with(':') {
        return true;
    }
    let mut last_code = None;
    let end = scan(buffer, |_, c, lexeme| {
        if !lexeme.is_comment() && !c.is_ascii_whitespace() {
            last_code = Some((c, lexeme));
        }
    });
    matches!(end, Lexeme::Code | Lexeme::LineComment) && last_code == Some((b';', Lexeme::Code))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(script: &str) -> Vec<&str> {
        split_statements(script).iter().map(|s| s.text).collect()
    }

    #[test]
    fn a_command_line_is_a_statement_of_its_own() {
        let script = ":begin\nCREATE (:A);\n  :commit\nRETURN 1;\n:rollback;\n:begin";
        assert_eq!(
            texts(script),
            [
                ":begin",
                "CREATE (:A)",
                ":commit",
                "RETURN 1",
                ":rollback",
                ":begin"
            ]
        );
        assert_eq!(ended_len(":begin\nCREATE"), 7);
        assert_eq!(ended_len("RETURN ':x'\n"), 0);
    }

    #[test]
    fn split_statements_at_semicolons() {
        assert_eq!(texts("RETURN 1; RETURN 2;"), ["RETURN 1", "RETURN 2"]);
        assert_eq!(texts("RETURN 1;\nRETURN 2"), ["RETURN 1", "RETURN 2"]);
    }

    #[test]
    fn split_statements_keeps_offsets_into_the_script() {
        let script = "RETURN 1;\n\n  MATCH (n)\n  RETURN n;";
        let statements = split_statements(script);
        assert_eq!(statements[1].offset, 13);
        assert_eq!(&script[statements[1].offset..][..5], "MATCH");
        assert_eq!(statements[1].text, "MATCH (n)\n  RETURN n");
    }

    #[test]
    fn split_statements_ignores_semicolons_in_strings() {
        assert_eq!(
            texts("RETURN 'a;b', \"c;d\"; RETURN 2"),
            ["RETURN 'a;b', \"c;d\"", "RETURN 2"]
        );
    }

    #[test]
    fn split_statements_honours_backslash_escapes() {
        assert_eq!(
            texts(r"RETURN 'it\'s; fine'; RETURN 'a\\'; RETURN 3"),
            [r"RETURN 'it\'s; fine'", r"RETURN 'a\\'", "RETURN 3"]
        );
    }

    #[test]
    fn split_statements_ignores_semicolons_in_backticks_and_comments() {
        let script = "RETURN 1 AS `a;b`; // one; two\nRETURN /* ; */ 2;";
        assert_eq!(
            texts(script),
            ["RETURN 1 AS `a;b`", "// one; two\nRETURN /* ; */ 2"]
        );
    }

    #[test]
    fn split_statements_skips_empty_and_comment_only_statements() {
        assert_eq!(texts(";; \n ;"), Vec::<&str>::new());
        assert_eq!(texts("RETURN 1;\n// the end\n"), ["RETURN 1"]);
        assert_eq!(texts("/* nothing; */ ; RETURN 1"), ["RETURN 1"]);
        assert_eq!(texts(""), Vec::<&str>::new());
    }

    #[test]
    fn split_statements_keeps_an_unterminated_string_as_one_statement() {
        assert_eq!(texts("RETURN 'a; RETURN 2"), ["RETURN 'a; RETURN 2"]);
    }

    #[test]
    fn is_complete_needs_a_final_semicolon() {
        assert!(is_complete("RETURN 1;"));
        assert!(is_complete("MATCH (n)\nRETURN n;  \n"));
        assert!(!is_complete("MATCH (n)"));
        assert!(!is_complete("RETURN 1; RETURN 2"));
        assert!(!is_complete(""));
        assert!(!is_complete("   \n"));
    }

    #[test]
    fn is_complete_ignores_semicolons_in_strings_and_comments() {
        assert!(!is_complete("RETURN 'a;"));
        assert!(!is_complete("RETURN \"a;"));
        assert!(!is_complete(r"RETURN 'a\';"));
        assert!(!is_complete("RETURN 1 // done;"));
        assert!(!is_complete("RETURN 1 /* done; */"));
        assert!(!is_complete("RETURN 1 /* done;"));
        assert!(!is_complete("RETURN 1 AS `x;"));
        assert!(is_complete("RETURN 'a;b';"));
    }

    #[test]
    fn is_complete_allows_a_comment_after_the_semicolon() {
        assert!(is_complete("RETURN 1; // the answer"));
        assert!(is_complete("RETURN 1; /* the answer */"));
    }

    #[test]
    fn meta_commands_are_complete_at_the_end_of_the_line() {
        assert!(is_complete(":help"));
        assert!(is_complete("  :mode csv"));
    }

    #[test]
    fn scan_reports_the_lexeme_of_every_byte() {
        let mut kinds = Vec::new();
        let end = scan("a'b'/*c*/`d`//e", |_, _, l| kinds.push(l));
        use Lexeme::*;
        assert_eq!(
            kinds,
            [
                Code,
                SingleQuoted,
                SingleQuoted,
                SingleQuoted,
                BlockComment,
                BlockComment,
                BlockComment,
                BlockComment,
                BlockComment,
                Backticked,
                Backticked,
                Backticked,
                LineComment,
                LineComment,
                LineComment
            ]
        );
        assert_eq!(end, LineComment);
    }
}
