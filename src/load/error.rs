//! [`LoadError`]: everything that can stop a load (or a save), each carrying the file,
//! the record and line, the column and the value it is about, in the shape of
//! BurntSushi/rust-csv's `Position` messages.

use std::fmt;
use std::path::PathBuf;

use thiserror::Error;

/// Where a record sits in its file: its number among the data records (the header is
/// record 0, the first data record is record 1) and the 1-based physical line it starts on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// 0 for the header, then 1, 2, ... for the data records.
    pub record: u64,
    /// The 1-based line the record starts on.
    pub line: u64,
}

impl fmt::Display for Position {
    /// `record 12 (line 13)`, or `line 1` for the header.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.record == 0 {
            write!(f, "line {}", self.line)
        } else {
            write!(f, "record {} (line {})", self.record, self.line)
        }
    }
}

/// Why a dataset could not be loaded or saved. A failed load returns no graph at all,
/// and a failed save leaves the target folder as it was.
#[derive(Debug, Error)]
pub enum LoadError {
    /// A line of a JSON Lines file (`--ftm`, `--jsonl`) is not a JSON object of the
    /// expected shape.
    #[error("load: {file}: line {line}: {message}")]
    BadJsonLine {
        file: String,
        line: u64,
        message: String,
    },
    /// A FollowTheMoney entity names a schema FollowTheMoney does not have, or an
    /// abstract one.
    #[error("load: {file}: line {line}: unknown FollowTheMoney schema {schema:?}{hint}")]
    UnknownSchema {
        file: String,
        line: u64,
        schema: String,
        hint: String,
    },
    /// A FollowTheMoney entity has a property its schema does not define.
    #[error("load: {file}: line {line}: the {schema} schema has no property {property:?}")]
    UnknownProperty {
        file: String,
        line: u64,
        schema: String,
        property: String,
    },
    /// An entity or relationship refers to one no file defines.
    #[error("load: {file}: line {line}: {what} refers to {id}, which no loaded file defines")]
    DanglingReference {
        file: String,
        line: u64,
        what: String,
        id: String,
    },
    /// Two lines give one id to different things (a Person and a Company).
    #[error("load: {file}: line {line}: id {id:?} is already a {before}, here it is a {now}")]
    ConflictingId {
        file: String,
        line: u64,
        id: String,
        before: String,
        now: String,
    },
    /// Reading or writing a file failed.
    #[error("load: {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A data file is a device, folder or socket rather than a file or a pipe.
    #[error("load: {path}: is {what}, not a data file")]
    NotAFile { path: PathBuf, what: &'static str },
    /// One record is longer than the loader reads ([`super::reader::MAX_RECORD_BYTES`]).
    #[error(
        "load: {file}: {pos}: the record is longer than {} MiB (a file without line ends?)",
        .limit >> 20
    )]
    RecordTooLong {
        file: String,
        pos: Position,
        limit: usize,
    },
    /// A dataset folder lacks `nodes.csv` or `edges.csv`.
    #[error("load: {path}: no such file (a dataset folder needs nodes.csv and edges.csv)")]
    MissingFile { path: PathBuf },
    /// The file has no header row.
    #[error("load: {file}: the file is empty (it needs at least a header row)")]
    EmptyFile { file: String },
    /// A cell (or header cell) holds bytes that are not UTF-8; `value` shows them lossily.
    #[error("load: {file}: {pos}: column {column:?}: {} is not valid UTF-8", excerpt(.value))]
    InvalidUtf8 {
        file: String,
        pos: Position,
        column: String,
        value: String,
    },
    /// A quoted cell has no closing quote before the end of the file.
    #[error("load: {file}: {pos}: column {column:?}: the quoted cell has no closing quote")]
    UnterminatedQuote {
        file: String,
        pos: Position,
        column: String,
    },
    /// Text follows the closing quote of a quoted cell (`"abc"def`).
    #[error(
        "load: {file}: {pos}: column {column:?}: text after the closing quote of a quoted cell"
    )]
    TextAfterQuote {
        file: String,
        pos: Position,
        column: String,
    },
    /// A header cell names a type that is not one of the format's.
    #[error(
        "load: {file}: line 1: column {column:?}: unknown type {type_name:?} (known: string, int, \
         long, float, double, boolean, date, datetime, each with an optional [] suffix)"
    )]
    UnknownColumnType {
        file: String,
        column: String,
        type_name: String,
    },
    /// Two header cells define the same property (or the same special field).
    #[error("load: {file}: line 1: column {column:?}: {name:?} already has a column")]
    DuplicateColumn {
        file: String,
        column: String,
        name: String,
    },
    /// A special column that belongs to the other kind of file (`:TYPE` in a node file).
    #[error("load: {file}: line 1: column {column:?} has no meaning in {kind} file")]
    UnexpectedColumn {
        file: String,
        column: String,
        kind: &'static str,
    },
    /// A node file without an `id:ID` column.
    #[error("load: {file}: line 1: no id:ID column (a node file needs one)")]
    MissingIdColumn { file: String },
    /// An edge file without `:START_ID`, `:END_ID` or `:TYPE`.
    #[error(
        "load: {file}: line 1: no {column} column (an edge file needs :START_ID, :END_ID and :TYPE)"
    )]
    MissingEdgeColumn { file: String, column: &'static str },
    /// A record whose number of cells differs from the header's.
    #[error(
        "load: {file}: {pos}: {found} {}, but the header has {expected} {}",
        if *.found == 1 { "cell" } else { "cells" },
        if *.expected == 1 { "column" } else { "columns" }
    )]
    WrongCellCount {
        file: String,
        pos: Position,
        expected: usize,
        found: usize,
    },
    /// An id, start, end or type cell is empty.
    #[error("load: {file}: {pos}: column {column:?} is empty")]
    EmptyCell {
        file: String,
        pos: Position,
        column: String,
    },
    /// A node id that an earlier node (in this or an earlier file) already has.
    #[error(
        "load: {file}: {pos}: column {column:?}: id {} is already used by record \
         {first_record} of {first_file}",
        excerpt(.id)
    )]
    DuplicateId {
        file: String,
        pos: Position,
        column: String,
        id: String,
        first_file: String,
        first_record: u64,
    },
    /// An edge whose start or end names no node.
    #[error("load: {file}: {pos}: column {column:?}: no node has id {}", excerpt(.id))]
    UnknownNode {
        file: String,
        pos: Position,
        column: String,
        id: String,
    },
    /// A cell that does not parse as its column's type; `expected` reads "an integer" etc.
    #[error("load: {file}: {pos}: column {column:?}: {} is not {expected}", excerpt(.value))]
    BadValue {
        file: String,
        pos: Position,
        column: String,
        value: String,
        expected: &'static str,
    },
    /// Saving: a property value the format cannot hold (a map, a nested or mixed list, ...).
    #[error("load: cannot save {element}: property {key:?}: {reason}")]
    UnstorableValue {
        element: String,
        key: String,
        reason: String,
    },
    /// Saving: a label, relationship type or property key the format cannot write.
    #[error("load: cannot save the {what} {name:?}: {reason}")]
    UnstorableName {
        what: &'static str,
        name: String,
        reason: &'static str,
    },
}

/// A cell as error messages quote it: at most 60 characters, so that a 100 MB cell
/// does not make a 100 MB message.
fn excerpt(value: &str) -> String {
    const MAX_CHARS: usize = 60;
    match value.char_indices().nth(MAX_CHARS) {
        None => format!("{value:?}"),
        Some((cut, _)) => format!("{:?}... ({} bytes)", &value[..cut], value.len()),
    }
}
