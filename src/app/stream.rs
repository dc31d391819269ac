//! Statements of a script read as it arrives (`generator | datatrail`), as psql reads
//! one: a statement runs as soon as its `;` is read, and memory holds the statement being
//! read, not the script. Diagnostics still name the script's own lines and columns.

use std::io::BufRead;

use crate::app::input::{StatementText, ended_len, split_statements};

/// One statement cut from a script being read, with the text it was cut from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadStatement {
    /// The script's text from the start of the statement's first line on.
    pub source: String,
    /// The statement within `source`.
    pub offset: usize,
    pub len: usize,
    /// The script line `source` starts on (1-based).
    pub first_line: usize,
}

impl ReadStatement {
    /// The statement, as [`split_statements`] gives it.
    pub fn statement(&self) -> StatementText<'_> {
        StatementText {
            text: &self.source[self.offset..self.offset + self.len],
            offset: self.offset,
        }
    }
}

/// Cuts statements from a reader line by line.
pub struct StatementReader<R> {
    reader: R,
    origin: String,
    /// Text read and not yet dropped: it starts at the beginning of line `first_line`.
    pending: String,
    first_line: usize,
    /// Where in `pending` the next statement starts (just after the last `;` cut).
    consumed: usize,
    /// Statements cut from `pending` and not handed out yet.
    ready: std::collections::VecDeque<ReadStatement>,
    finished: bool,
    /// Bytes read so far, to name a bad byte's offset in the script.
    bytes_read: usize,
}

impl<R: BufRead> StatementReader<R> {
    /// Reads the script from `reader`; `origin` names it in errors (`<stdin>`).
    pub fn new(reader: R, origin: &str) -> StatementReader<R> {
        StatementReader {
            reader,
            origin: origin.to_string(),
            pending: String::new(),
            first_line: 1,
            consumed: 0,
            ready: Default::default(),
            finished: false,
            bytes_read: 0,
        }
    }

    /// The next whole statement, reading only as far as its `;` (or the end of input, for
    /// a last statement without one). `None` at the end.
    ///
    /// # Errors
    /// A message naming the line and column of a byte that is not UTF-8 or is NUL, or the
    /// read error.
    pub fn next_statement(&mut self) -> Result<Option<ReadStatement>, String> {
        loop {
            if let Some(statement) = self.ready.pop_front() {
                return Ok(Some(statement));
            }
            if self.finished {
                return Ok(None);
            }
            let mut line = Vec::new();
            let read = self
                .reader
                .read_until(b'\n', &mut line)
                .map_err(|e| format!("{}: {e}", self.origin))?;
            if read == 0 {
                self.finished = true;
                self.cut(true);
            } else {
                let text = self.line_text(line)?;
                self.bytes_read += read;
                self.pending.push_str(&text);
                self.cut(false);
            }
        }
    }

    /// A line's bytes as text, or an error naming the first byte that is not UTF-8 or is NUL.
    fn line_text(&self, bytes: Vec<u8>) -> Result<String, String> {
        let line = self.first_line + self.pending.matches('\n').count();
        let (bad, what) = match std::str::from_utf8(&bytes) {
            Err(e) => (e.valid_up_to(), "is not UTF-8 text"),
            Ok(text) => match text.find('\0') {
                Some(nul) => (nul, "looks binary (a NUL byte)"),
                None => return Ok(String::from_utf8(bytes).expect("checked UTF-8")),
            },
        };
        let before = String::from_utf8_lossy(&bytes[..bad]);
        let column = before.chars().count() + 1;
        Err(format!(
            "{}:{line}:{column}: the script {what} at byte offset {}",
            self.origin,
            self.bytes_read + bad
        ))
    }

    /// Moves the statements that end in `pending` to `ready`; at the end of input, the
    /// rest too. Then drops the lines no later statement needs.
    fn cut(&mut self, at_end: bool) {
        let rest = &self.pending[self.consumed..];
        let end = match (ended_len(rest), at_end) {
            (_, true) => rest.len(),
            (0, false) => return,
            (ended, false) => ended,
        };
        for statement in split_statements(&rest[..end]) {
            self.ready.push_back(ReadStatement {
                source: self.pending.clone(),
                offset: self.consumed + statement.offset,
                len: statement.text.len(),
                first_line: self.first_line,
            });
        }
        self.consumed += end;
        // Keep the line the next statement starts on, so its columns stay the script's.
        if let Some(newline) = self.pending[..self.consumed].rfind('\n') {
            self.first_line += self.pending[..=newline].matches('\n').count();
            self.pending.drain(..=newline);
            self.consumed -= newline + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(script: &str) -> Vec<(String, usize)> {
        let mut reader = StatementReader::new(script.as_bytes(), "<stdin>");
        let mut out = Vec::new();
        while let Some(statement) = reader.next_statement().unwrap() {
            let line =
                statement.first_line + statement.source[..statement.offset].matches('\n').count();
            out.push((statement.statement().text.to_string(), line));
        }
        out
    }

    #[test]
    fn statements_are_cut_at_semicolons_outside_strings() {
        let got = read_all("RETURN 1;\nRETURN 'a;b'; RETURN 3;\n\nMATCH (n)\nRETURN n");
        assert_eq!(
            got,
            [
                ("RETURN 1".to_string(), 1),
                ("RETURN 'a;b'".to_string(), 2),
                ("RETURN 3".to_string(), 2),
                ("MATCH (n)\nRETURN n".to_string(), 4),
            ]
        );
    }

    #[test]
    fn a_statement_is_handed_out_before_the_rest_is_read() {
        // A reader that fails after the first line: the first statement still comes out.
        struct OneLine(Option<&'static [u8]>);
        impl std::io::Read for OneLine {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                unreachable!()
            }
        }
        impl BufRead for OneLine {
            fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
                self.0
                    .ok_or_else(|| std::io::Error::other("the writer has not written more yet"))
            }
            fn consume(&mut self, n: usize) {
                self.0 = self.0.map(|b| &b[n..]).filter(|b| !b.is_empty());
            }
        }
        let mut reader = StatementReader::new(OneLine(Some(b"RETURN 1;\n")), "<stdin>");
        let first = reader.next_statement().unwrap().unwrap();
        assert_eq!(first.statement().text, "RETURN 1");
        assert!(reader.next_statement().is_err());
    }

    #[test]
    fn a_diagnostic_names_the_scripts_line_and_column() {
        let script = "RETURN 1;\nRETURN 2;\n  RETURN 3; RETURN x;\n";
        let mut reader = StatementReader::new(script.as_bytes(), "<stdin>");
        let mut last = None;
        while let Some(statement) = reader.next_statement().unwrap() {
            last = Some(statement);
        }
        let last = last.unwrap();
        let error = crate::Database::new()
            .execute(last.statement().text)
            .unwrap_err();
        let rendered = error.render_in(&last.source, "<stdin>", last.offset, last.first_line);
        assert!(rendered.contains("<stdin>:3:20"), "{rendered}");
    }

    #[test]
    fn bad_bytes_are_reported_with_their_line() {
        let mut reader = StatementReader::new(&b"RETURN 1;\nRETURN '\xff';\n"[..], "<stdin>");
        assert_eq!(
            reader.next_statement().unwrap().unwrap().statement().text,
            "RETURN 1"
        );
        assert_eq!(
            reader.next_statement().unwrap_err(),
            "<stdin>:2:9: the script is not UTF-8 text at byte offset 18"
        );
    }

    #[test]
    fn memory_holds_the_statement_not_the_script() {
        let script = "CREATE ();\n".repeat(10_000);
        let mut reader = StatementReader::new(script.as_bytes(), "<stdin>");
        let mut most = 0;
        while let Some(statement) = reader.next_statement().unwrap() {
            most = most.max(statement.source.len());
            assert!(reader.pending.len() < 64);
        }
        assert!(most < 64, "{most}");
    }
}
