//! An RFC 4180 record reader streaming any `io::Read` through one bounded buffer.
//!
//! Why not the `csv` crate's `ByteRecord`: the format needs to know whether a cell was
//! quoted (`""` is the empty string, an empty cell is absent), which `csv` does not expose.
//! The reader scans the buffer, where that is a look at the cell's first byte; a record
//! cut by the end of the buffer is scanned again after the buffer is refilled (the buffer
//! grows only for a record longer than itself). Each cell is copied into one reused
//! buffer, so reading allocates nothing per cell.
//!
//! It reads what `csv` reads (a leading BOM is skipped, LF or CRLF ends a record, blank
//! lines are skipped, a `"` inside an unquoted cell is literal), and is stricter on two
//! malformed inputs that `csv` silently accepts: a quote that never closes, and text after
//! a closing quote.

use std::io::{self, Read};

/// Bytes read from the source at a time.
const CHUNK: usize = 1 << 20;

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

    /// Every cell as text when all of them are UTF-8; `Err(i)` names the first that is not.
    pub fn texts<'r>(&'r self, out: &mut Vec<&'r str>) -> Result<(), usize> {
        out.clear();
        // One validation for the whole record; a cell boundary inside a character means
        // a cell that is not UTF-8 on its own.
        let text = std::str::from_utf8(&self.buf).ok();
        let mut start = 0;
        for (i, &end) in self.ends.iter().enumerate() {
            let cell = match text {
                Some(t) if t.is_char_boundary(start) && t.is_char_boundary(end) => &t[start..end],
                _ => std::str::from_utf8(&self.buf[start..end]).map_err(|_| i)?,
            };
            out.push(cell);
            start = end;
        }
        Ok(())
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
        self.quoted.clear();
    }
}

/// A malformed cell, by its index in the record, or a failed read.
#[derive(Debug)]
pub(crate) enum ScanError {
    UnterminatedQuote {
        cell: usize,
    },
    TextAfterQuote {
        cell: usize,
    },
    /// One record runs past [`MAX_RECORD_BYTES`] (a file with no line ends, `/dev/zero`).
    RecordTooLong,
    Io(io::Error),
}

/// The longest record the loader reads, so that input without line ends cannot grow
/// memory without bound.
pub const MAX_RECORD_BYTES: usize = 256 << 20;

impl PartialEq for ScanError {
    fn eq(&self, other: &ScanError) -> bool {
        match (self, other) {
            (Self::UnterminatedQuote { cell: a }, Self::UnterminatedQuote { cell: b })
            | (Self::TextAfterQuote { cell: a }, Self::TextAfterQuote { cell: b }) => a == b,
            _ => false,
        }
    }
}

/// The record scanned at the start of the buffer was cut by its end.
struct NeedMore;

/// Reads records one at a time from a byte source.
pub(crate) struct RecordReader<R> {
    source: R,
    /// Bytes to read from the source at a time.
    chunk: usize,
    input: Vec<u8>,
    pos: usize,
    /// Whether `input` ends where the source ends.
    at_eof: bool,
    /// Bytes of the source dropped from the front of `input`.
    dropped: u64,
    started: bool,
    /// Line number at `line_pos`: newlines before it are already counted.
    line: u64,
    line_pos: usize,
    next_number: u64,
}

impl<R: Read> RecordReader<R> {
    pub fn new(source: R) -> RecordReader<R> {
        RecordReader {
            source,
            chunk: CHUNK,
            input: Vec::new(),
            pos: 0,
            at_eof: false,
            dropped: 0,
            started: false,
            line: 1,
            line_pos: 0,
            next_number: 0,
        }
    }

    /// Reads `chunk` bytes at a time instead of a megabyte.
    #[cfg(test)]
    fn with_chunk(mut self, chunk: usize) -> RecordReader<R> {
        self.chunk = chunk;
        self
    }

    /// Bytes of the source read past so far.
    pub fn offset(&self) -> u64 {
        self.dropped + self.pos as u64
    }

    /// Drops the bytes before `pos` and reads more of the source.
    fn refill(&mut self) -> Result<(), ScanError> {
        self.line += count_newlines(&self.input[self.line_pos..self.pos]);
        self.input.drain(..self.pos);
        self.dropped += self.pos as u64;
        self.pos = 0;
        self.line_pos = 0;
        let have = self.input.len();
        if have > MAX_RECORD_BYTES {
            return Err(ScanError::RecordTooLong);
        }
        // Room for a whole chunk, doubling the buffer when one record fills it.
        let want = (have + self.chunk).max(self.input.capacity());
        self.input.resize(want, 0);
        let mut filled = have;
        while filled < want {
            match self.source.read(&mut self.input[filled..]) {
                Ok(0) => {
                    self.at_eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.input.truncate(filled);
                    return Err(ScanError::Io(e));
                }
            }
        }
        self.input.truncate(filled);
        if !self.started && (self.input.len() >= 3 || self.at_eof) {
            self.started = true;
            if self.input.starts_with(b"\xEF\xBB\xBF") {
                self.pos = 3;
                self.line_pos = 3;
            }
        }
        Ok(())
    }

    /// Reads the next record into `rec`; `Ok(false)` at the end of the input. On an error,
    /// `rec.number` and `rec.line` already say which record it is.
    pub fn read(&mut self, rec: &mut Record) -> Result<bool, ScanError> {
        loop {
            while self.pos < self.input.len() && matches!(self.input[self.pos], b'\r' | b'\n') {
                self.pos += 1;
            }
            if self.pos == self.input.len() || !self.started {
                if self.at_eof && self.started {
                    return Ok(false);
                }
                self.refill()?;
                continue;
            }
            self.line += count_newlines(&self.input[self.line_pos..self.pos]);
            self.line_pos = self.pos;
            rec.line = self.line;
            rec.number = self.next_number;
            match scan(&self.input, self.pos, self.at_eof, rec) {
                Ok(Ok(end)) => {
                    self.pos = end;
                    self.next_number += 1;
                    return Ok(true);
                }
                Ok(Err(NeedMore)) => self.refill()?,
                Err(e) => {
                    self.pos = self.input.len();
                    return Err(e);
                }
            }
        }
    }
}

/// Scans the record starting at `pos` into `rec`; the position after it, or `NeedMore`
/// when the buffer ends inside it and more input may follow.
fn scan(
    input: &[u8],
    mut pos: usize,
    at_eof: bool,
    rec: &mut Record,
) -> Result<Result<usize, NeedMore>, ScanError> {
    rec.clear();
    loop {
        let cell = rec.ends.len();
        if input.get(pos) == Some(&b'"') {
            pos += 1;
            loop {
                let Some(q) = memchr::memchr(b'"', &input[pos..]) else {
                    if !at_eof {
                        return Ok(Err(NeedMore));
                    }
                    return Err(ScanError::UnterminatedQuote { cell });
                };
                rec.buf.extend_from_slice(&input[pos..pos + q]);
                pos += q + 1;
                match input.get(pos) {
                    Some(b'"') => {
                        rec.buf.push(b'"');
                        pos += 1;
                    }
                    None if !at_eof => return Ok(Err(NeedMore)),
                    _ => break,
                }
            }
            rec.quoted.push(true);
            if let Some(&b) = input.get(pos)
                && !is_cell_end(b)
            {
                return Err(ScanError::TextAfterQuote { cell });
            }
        } else {
            let len =
                memchr::memchr3(b',', b'\r', b'\n', &input[pos..]).unwrap_or(input.len() - pos);
            rec.buf.extend_from_slice(&input[pos..pos + len]);
            pos += len;
            rec.quoted.push(false);
        }
        rec.ends.push(rec.buf.len());
        match input.get(pos) {
            Some(b',') => pos += 1,
            Some(b'\r') => match input.get(pos + 1) {
                Some(b'\n') => return Ok(Ok(pos + 2)),
                None if !at_eof => return Ok(Err(NeedMore)),
                _ => return Ok(Ok(pos + 1)),
            },
            Some(_) => return Ok(Ok(pos + 1)),
            None if !at_eof => return Ok(Err(NeedMore)),
            None => return Ok(Ok(pos)),
        }
    }
}

fn is_cell_end(b: u8) -> bool {
    matches!(b, b',' | b'\r' | b'\n')
}

fn count_newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record as (line, cells with a `*` marking quoted ones).
    fn records(input: &str) -> Vec<(u64, Vec<String>)> {
        records_in_chunks(input, CHUNK)
    }

    fn records_in_chunks(input: &str, chunk: usize) -> Vec<(u64, Vec<String>)> {
        let mut reader = RecordReader::new(input.as_bytes()).with_chunk(chunk);
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
        let mut reader = RecordReader::new(&b"a,\"bc\n"[..]);
        assert_eq!(
            reader.read(&mut rec),
            Err(ScanError::UnterminatedQuote { cell: 1 })
        );
        let mut reader = RecordReader::new(&b"\"ab\"c,d"[..]);
        assert_eq!(
            reader.read(&mut rec),
            Err(ScanError::TextAfterQuote { cell: 0 })
        );
    }

    #[test]
    fn reader_gives_the_same_records_whatever_the_buffer_size() {
        let input =
            "\u{feff}id,\"na\"\"me\"\r\n\r\n1,\"multi\nline, \"\"quoted\"\"\"\r\n2,\"\"\n\n3,x\r";
        let whole = records(input);
        assert_eq!(whole.len(), 4);
        assert_eq!(whole[2], (5, vec!["2".into(), "*".into()]));
        for chunk in 1..=9 {
            assert_eq!(records_in_chunks(input, chunk), whole, "chunk {chunk}");
        }
    }

    #[test]
    fn reader_finds_an_unterminated_quote_across_buffers() {
        let mut rec = Record::default();
        let mut reader = RecordReader::new(&b"a\n\"bcdefgh\nijk"[..]).with_chunk(2);
        assert!(reader.read(&mut rec).unwrap());
        assert_eq!(
            reader.read(&mut rec),
            Err(ScanError::UnterminatedQuote { cell: 0 })
        );
        assert_eq!(rec.line, 2);
    }
}
