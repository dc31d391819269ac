//! An RFC 4180 record reader over a file held in memory.
//!
//! Why not the `csv` crate's `ByteRecord`: the format needs to know whether a cell was
//! quoted (`""` is the empty string, an empty cell is absent), which `csv` does not expose.
//! Holding the whole file makes that a look at the cell's first byte. The reader copies
//! each cell into one reused buffer, so reading allocates nothing per cell.
//!
//! It reads what `csv` reads (a leading BOM is skipped, LF or CRLF ends a record, blank
//! lines are skipped, a `"` inside an unquoted cell is literal), and is stricter on two
//! malformed inputs that `csv` silently accepts: a quote that never closes, and text after
//! a closing quote.

/// One record: its cells, whether each was quoted, and where it starts.
#[derive(Debug, Default)]
pub(crate) struct Record {
    buf: Vec<u8>,
    ends: Vec<usize>,
    quoted: Vec<bool>,
    /// Data record number: 0 for the header, then 1, 2, ...
    pub number: u64,
    /// 1-based line the record starts on.
    pub line: u64,
}

impl Record {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The cell's bytes, quotes removed and `""` turned into `"`.
    pub fn cell(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }

    /// Whether the cell was written in quotes.
    pub fn quoted(&self, i: usize) -> bool {
        self.quoted[i]
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
        self.quoted.clear();
    }
}

/// A malformed cell, by its index in the record.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ScanError {
    UnterminatedQuote { cell: usize },
    TextAfterQuote { cell: usize },
}

/// Reads records one at a time from a byte slice.
pub(crate) struct RecordReader<'a> {
    input: &'a [u8],
    pos: usize,
    /// Line number at `line_pos`: newlines before it are already counted.
    line: u64,
    line_pos: usize,
    next_number: u64,
}

impl<'a> RecordReader<'a> {
    pub fn new(input: &'a [u8]) -> RecordReader<'a> {
        let pos = if input.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        RecordReader {
            input,
            pos,
            line: 1,
            line_pos: pos,
            next_number: 0,
        }
    }

    /// Byte offset reached so far.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Reads the next record into `rec`; `Ok(false)` at the end of the input. On an error,
    /// `rec.number` and `rec.line` already say which record it is.
    pub fn read(&mut self, rec: &mut Record) -> Result<bool, ScanError> {
        let input = self.input;
        while self.pos < input.len() && matches!(input[self.pos], b'\r' | b'\n') {
            self.pos += 1;
        }
        if self.pos == input.len() {
            return Ok(false);
        }
        self.line += count_newlines(&input[self.line_pos..self.pos]);
        self.line_pos = self.pos;
        rec.clear();
        rec.line = self.line;
        rec.number = self.next_number;
        self.next_number += 1;
        loop {
            let cell = rec.ends.len();
            if input.get(self.pos) == Some(&b'"') {
                self.read_quoted(rec, cell)?;
            } else {
                let start = self.pos;
                while self.pos < input.len() && !is_cell_end(input[self.pos]) {
                    self.pos += 1;
                }
                rec.buf.extend_from_slice(&input[start..self.pos]);
                rec.quoted.push(false);
            }
            rec.ends.push(rec.buf.len());
            match input.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'\r') if input.get(self.pos + 1) == Some(&b'\n') => {
                    self.pos += 2;
                    return Ok(true);
                }
                Some(_) => {
                    self.pos += 1;
                    return Ok(true);
                }
                None => return Ok(true),
            }
        }
    }

    /// Reads a quoted cell starting at the opening quote.
    fn read_quoted(&mut self, rec: &mut Record, cell: usize) -> Result<(), ScanError> {
        let input = self.input;
        self.pos += 1;
        loop {
            let Some(q) = input[self.pos..].iter().position(|&b| b == b'"') else {
                self.pos = input.len();
                return Err(ScanError::UnterminatedQuote { cell });
            };
            rec.buf.extend_from_slice(&input[self.pos..self.pos + q]);
            self.pos += q + 1;
            if input.get(self.pos) == Some(&b'"') {
                rec.buf.push(b'"');
                self.pos += 1;
            } else {
                break;
            }
        }
        rec.quoted.push(true);
        match input.get(self.pos) {
            Some(&b) if !is_cell_end(b) => Err(ScanError::TextAfterQuote { cell }),
            _ => Ok(()),
        }
    }
}

fn is_cell_end(b: u8) -> bool {
    matches!(b, b',' | b'\r' | b'\n')
}

fn count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record as (line, cells with a `*` marking quoted ones).
    fn records(input: &str) -> Vec<(u64, Vec<String>)> {
        let mut reader = RecordReader::new(input.as_bytes());
        let mut rec = Record::default();
        let mut out = Vec::new();
        while reader.read(&mut rec).unwrap() {
            let cells = (0..rec.len())
                .map(|i| {
                    let text = String::from_utf8(rec.cell(i).to_vec()).unwrap();
                    if rec.quoted(i) {
                        format!("*{text}")
                    } else {
                        text
                    }
                })
                .collect();
            out.push((rec.line, cells));
        }
        out
    }

    #[test]
    fn reader_splits_plain_records() {
        assert_eq!(
            records("a,b\n1,2\n"),
            vec![
                (1, vec!["a".into(), "b".into()]),
                (2, vec!["1".into(), "2".into()])
            ]
        );
    }

    #[test]
    fn reader_unquotes_commas_quotes_and_newlines() {
        let got = records("a,b\n\"x,y\",\"say \"\"hi\"\"\nthere\"\n3,4");
        assert_eq!(
            got[1],
            (2, vec!["*x,y".into(), "*say \"hi\"\nthere".into()])
        );
        assert_eq!(got[2], (4, vec!["3".into(), "4".into()]));
    }

    #[test]
    fn reader_tells_quoted_empty_from_empty() {
        assert_eq!(records("\"\",,x,")[0].1, vec!["*", "", "x", ""]);
    }

    #[test]
    fn reader_skips_bom_blank_lines_and_crlf() {
        let got = records("\u{feff}a,b\r\n\r\n1,2\r\n");
        assert_eq!(
            got,
            vec![
                (1, vec!["a".into(), "b".into()]),
                (3, vec!["1".into(), "2".into()])
            ]
        );
    }

    #[test]
    fn reader_keeps_a_quote_inside_an_unquoted_cell() {
        assert_eq!(records("5\" screen,x")[0].1, vec!["5\" screen", "x"]);
    }

    #[test]
    fn reader_rejects_unterminated_and_trailing_text_quotes() {
        let mut rec = Record::default();
        let mut reader = RecordReader::new(b"a,\"bc\n");
        assert_eq!(
            reader.read(&mut rec),
            Err(ScanError::UnterminatedQuote { cell: 1 })
        );
        let mut reader = RecordReader::new(b"\"ab\"c,d");
        assert_eq!(
            reader.read(&mut rec),
            Err(ScanError::TextAfterQuote { cell: 0 })
        );
    }
}
