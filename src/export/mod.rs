//! ResultSet → table, CSV, JSON, JSON Lines or a picture (Graphviz DOT, Mermaid), written
//! to any [`io::Write`]. The REPL,
//! the command line and `COPY (query) TO 'file.csv'` all print results through here, so
//! every value looks the same wherever it goes.
//!
//! # How values appear
//!
//! | value         | table and CSV cell ([`ResultSet::render`])  | JSON                                                      |
//! |---------------|---------------------------------------------|-----------------------------------------------------------|
//! | null          | empty                                       | `null`                                                    |
//! | boolean       | `true`                                      | `true`                                                    |
//! | integer       | `87000000`                                  | `87000000`                                                |
//! | float         | `1.0`, `0.5`, `NaN`, `Infinity`             | `1.0`, `0.5`; `"NaN"`, `"Infinity"`, `"-Infinity"` as strings |
//! | string        | bare: `Kogan`                               | `"Kogan"`                                                 |
//! | list          | `['a', 'b', 1]` (strings quoted inside)     | `["a","b",1]`                                             |
//! | map           | `{name: 'Kogan', age: 40}`                  | `{"age":40,"name":"Kogan"}`                               |
//! | node          | `(:Person {name: 'Kogan'})`                 | `{"id":3,"labels":["Person"],"properties":{"name":"Kogan"}}` |
//! | relationship  | `[:DATA_FLOW {records: 87000000}]`          | `{"id":7,"type":"DATA_FLOW","start":3,"end":5,"properties":{…}}` |
//! | path          | `<(:A)-[:T]->(:B)>`                         | `{"nodes":[node, …],"relationships":[relationship, …]}`  |
//! | date and time | `2018-03-17`, `2018-03-17T10:00Z`, `P1Y2M`  | the same ISO 8601 text as a string                        |
//!
//! Map keys and properties are written in key order; `id`, `start` and `end` are the
//! graph's internal ids (the same numbers `id()` returns). In CSV, null and the empty
//! string both become an empty cell.
//!
//! # Formats
//!
//! - [`Format::Table`]: aligned columns (numeric columns right-aligned), then a line
//!   `3 rows (0.002 s)`, then what the statement changed (`1 node created`) if anything.
//! - [`Format::Csv`]: RFC 4180, a header row of the column names, then one record per row.
//! - [`Format::Json`]: an array of objects (column name → value), one object per line.
//! - [`Format::Jsonl`]: one object per line, no surrounding array.
//! - [`Format::Dot`], [`Format::Mermaid`]: the nodes, relationships and paths the result
//!   mentions as a graph ([`crate::picture`]); values that are not graph elements are
//!   left out.
//! - [`Format::Graphml`], [`Format::Gexf`], [`Format::Ftm`]: the same graph for other
//!   tools: GraphML ([`graphml`]) for Gephi, yEd and networkx, GEXF 1.3 ([`gexf`]) with
//!   the relationships' dates as spells for Gephi's timeline, and FollowTheMoney
//!   entities ([`ftm`]) for Aleph and OpenSanctions. Each is one document per result.
//!
//! A result without columns (`CREATE` without `RETURN`, `COPY`) prints its message and
//! what it changed in table mode, and nothing in the other formats. Several results
//! written to one output simply follow each other: CSV repeats the header, JSON writes
//! one array per result.

use std::fmt::Write as _;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use thiserror::Error;

use crate::graph::{NodeId, RelId, Value};
use crate::picture;
use crate::result::ResultSet;

mod elements;
pub mod ftm;
pub mod gexf;
pub mod graphml;
mod table;

pub use ftm::write_ftm;
pub use gexf::write_gexf;
pub use graphml::write_graphml;
pub use table::{MIN_WIDTH as MIN_TABLE_WIDTH, terminal_width, write_table, write_table_to_width};

/// Why a result could not be written.
#[derive(Debug, Error)]
pub enum ExportError {
    /// Writing to the output failed (a closed pipe, a full disk).
    #[error("export: {0}")]
    Io(#[from] io::Error),
    /// Creating, writing or renaming an output file failed.
    #[error("export: {path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl ExportError {
    /// Whether the reader of the output went away (`datatrail ... | head`), which the
    /// command line treats as a quiet success.
    pub fn is_broken_pipe(&self) -> bool {
        let source = match self {
            ExportError::Io(e) | ExportError::File { source: e, .. } => e,
        };
        source.kind() == io::ErrorKind::BrokenPipe
    }

    /// Whether Ctrl-C stopped the writing ([`crate::limits::Interruptible`]).
    pub fn is_interrupted(&self) -> bool {
        let source = match self {
            ExportError::Io(e) | ExportError::File { source: e, .. } => e,
        };
        crate::limits::is_write_interrupted(source)
    }
}

impl From<csv::Error> for ExportError {
    fn from(err: csv::Error) -> ExportError {
        // The csv writer fails only when the output does; its other error kinds are
        // about reading.
        let message = err.to_string();
        match err.into_kind() {
            csv::ErrorKind::Io(e) => ExportError::Io(e),
            _ => ExportError::Io(io::Error::other(message)),
        }
    }
}

/// An output format.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns, a row count and the time taken.
    #[default]
    Table,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// One JSON array of objects per result.
    Json,
    /// One JSON object per row and line.
    Jsonl,
    /// A Graphviz digraph of the nodes, relationships and paths in the result.
    Dot,
    /// A Mermaid flowchart of the nodes, relationships and paths in the result.
    Mermaid,
    /// A GraphML document of the nodes and relationships in the result.
    Graphml,
    /// A GEXF 1.3 document, relationships' dates as spells.
    Gexf,
    /// FollowTheMoney entities, one JSON object per line.
    Ftm,
}

impl Format {
    /// Every format, in the order help texts list them.
    pub const ALL: [Format; 9] = [
        Format::Table,
        Format::Csv,
        Format::Json,
        Format::Jsonl,
        Format::Dot,
        Format::Mermaid,
        Format::Graphml,
        Format::Gexf,
        Format::Ftm,
    ];

    /// The format's name, as `--format` and `:mode` take it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Dot => "dot",
            Format::Mermaid => "mermaid",
            Format::Graphml => "graphml",
            Format::Gexf => "gexf",
            Format::Ftm => "ftm",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        let name = s.to_ascii_lowercase();
        Format::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                format!(
                    "unknown format `{s}` (expected table, csv, json, jsonl, dot, mermaid, \
                     graphml, gexf or ftm)"
                )
            })
    }
}

/// Writes `result` in `format`; `elapsed` is shown in the table footer.
///
/// # Errors
/// [`ExportError::Io`] when the output fails.
pub fn write(
    result: &ResultSet,
    format: Format,
    out: impl Write,
    elapsed: Option<Duration>,
) -> Result<(), ExportError> {
    write_to_width(result, format, out, elapsed, None)
}

/// Like [`write`], fitting a table into `width` columns ([`write_table_to_width`]).
///
/// # Errors
/// [`ExportError::Io`] when the output fails.
pub fn write_to_width(
    result: &ResultSet,
    format: Format,
    out: impl Write,
    elapsed: Option<Duration>,
    width: Option<u16>,
) -> Result<(), ExportError> {
    match format {
        Format::Table => write_table_to_width(result, out, elapsed, width),
        Format::Csv => write_csv(result, out),
        Format::Json => write_json(result, out),
        Format::Jsonl => write_jsonl(result, out),
        Format::Dot => write_picture(result, out, picture::to_dot),
        Format::Mermaid => write_picture(result, out, picture::to_mermaid),
        Format::Graphml => write_graphml(result, out),
        Format::Gexf => write_gexf(result, out),
        Format::Ftm => write_ftm(result, out),
    }
}

/// Writes the picture `draw` makes of the result (DOT or Mermaid text). A result without
/// columns writes nothing.
///
/// # Errors
/// [`ExportError::Io`] when the output fails.
pub fn write_picture(
    result: &ResultSet,
    mut out: impl Write,
    draw: fn(&ResultSet) -> String,
) -> Result<(), ExportError> {
    if result.columns.is_empty() {
        return Ok(());
    }
    out.write_all(draw(result).as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Writes the result as CSV: a header row of the column names, then the rows, each value
/// as [`ResultSet::render`] prints it. A result without columns writes nothing.
///
/// # Errors
/// [`ExportError::Io`] when the output fails.
pub fn write_csv(result: &ResultSet, out: impl Write) -> Result<(), ExportError> {
    if result.columns.is_empty() {
        return Ok(());
    }
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(&result.columns)?;
    let mut record = Vec::with_capacity(result.columns.len());
    for row in &result.rows {
        record.clear();
        record.extend(row.iter().map(|v| result.render(v)));
        writer.write_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}

/// Writes the result as one JSON array with one object (column → value) per line.
///
/// # Errors
/// [`ExportError::Io`] when the output fails.
pub fn write_json(result: &ResultSet, out: impl Write) -> Result<(), ExportError> {
    if result.columns.is_empty() {
        return Ok(());
    }
    let mut out = BufWriter::new(out);
    if result.rows.is_empty() {
        out.write_all(b"[]\n")?;
    } else {
        let mut line = String::new();
        for (i, row) in result.rows.iter().enumerate() {
            line.clear();
            line.push_str(if i == 0 { "[\n" } else { ",\n" });
            push_row(result, row, &mut line);
            out.write_all(line.as_bytes())?;
        }
        out.write_all(b"\n]\n")?;
    }
    out.flush()?;
    Ok(())
}

/// Writes the result as JSON Lines: one object (column → value) per row and line.
///
/// # Errors
/// [`ExportError::Io`] when the output fails.
pub fn write_jsonl(result: &ResultSet, out: impl Write) -> Result<(), ExportError> {
    let mut out = BufWriter::new(out);
    let mut line = String::new();
    for row in &result.rows {
        line.clear();
        push_row(result, row, &mut line);
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()?;
    Ok(())
}

/// Writes a file by writing a temporary file in the same folder and renaming it over
/// `path` once `write` succeeded, so readers never see half a file and a failed export
/// leaves any previous file as it was.
///
/// # Errors
/// [`ExportError::File`] when the file cannot be created, written or renamed, or the
/// error `write` returned.
pub fn write_file_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let mut file = AtomicFile::create(path)?;
    write(&mut file)?;
    file.commit()
}

/// A file being written atomically: the data goes to a temporary file next to `path`,
/// which [`AtomicFile::commit`] renames over `path`. Dropped without a commit, the
/// temporary file is removed and `path` is untouched.
pub struct AtomicFile {
    path: PathBuf,
    target: Target,
}

enum Target {
    Temp(BufWriter<tempfile::NamedTempFile>),
    /// A device or pipe (`/dev/stdout`, `/dev/full`, a FIFO): written in place, since
    /// renaming a file over it would replace the device node itself.
    Special(BufWriter<std::fs::File>),
}

impl AtomicFile {
    /// Creates the temporary file in `path`'s folder.
    ///
    /// # Errors
    /// [`ExportError::File`] when the folder does not exist or is not writable.
    pub fn create(path: &Path) -> Result<AtomicFile, ExportError> {
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|source| file_error(path, source))?;
            return Ok(AtomicFile {
                path: path.to_path_buf(),
                target: Target::Special(BufWriter::new(file)),
            });
        }
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut builder = tempfile::Builder::new();
        builder.prefix(".datatrail-").suffix(".tmp");
        #[cfg(unix)]
        {
            // tempfile makes private files; an export should get the usual permissions,
            // or keep those of the file it replaces.
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path).map_or(0o644, |m| m.permissions().mode());
            builder.permissions(std::fs::Permissions::from_mode(mode));
        }
        let temp = builder
            .tempfile_in(dir)
            .map_err(|source| file_error(path, source))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            target: Target::Temp(BufWriter::new(temp)),
        })
    }

    /// The file this will become.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the data to disk and renames the temporary file over the target.
    ///
    /// # Errors
    /// [`ExportError::File`] when flushing or renaming fails.
    pub fn commit(self) -> Result<(), ExportError> {
        let path = self.path;
        let temp = match self.target {
            Target::Temp(temp) => temp,
            Target::Special(mut file) => return file.flush().map_err(|e| file_error(&path, e)),
        };
        let temp = temp
            .into_inner()
            .map_err(|e| file_error(&path, e.into_error()))?;
        temp.as_file()
            .sync_all()
            .map_err(|e| file_error(&path, e))?;
        temp.persist(&path)
            .map_err(|e| file_error(&path, e.error))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = match &mut self.target {
            Target::Temp(temp) => temp.write(buf),
            Target::Special(file) => file.write(buf),
        };
        written.map_err(|e| naming(&self.path, e))
    }
    fn flush(&mut self) -> io::Result<()> {
        let flushed = match &mut self.target {
            Target::Temp(temp) => temp.flush(),
            Target::Special(file) => file.flush(),
        };
        flushed.map_err(|e| naming(&self.path, e))
    }
}

/// `err` with the file it is about in its message (`/dev/full: No space left on device`),
/// keeping its kind so a closed pipe is still recognised.
fn naming(path: &Path, err: io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

fn file_error(path: &Path, source: io::Error) -> ExportError {
    ExportError::File {
        path: path.to_path_buf(),
        source,
    }
}

// ── JSON ──

fn push_row(result: &ResultSet, row: &[Value], out: &mut String) {
    let entries = result.columns.iter().map(String::as_str).zip(row);
    push_object(result, entries, out);
}

/// Appends `value` as JSON, in the representation the module doc describes.
pub fn push_json(result: &ResultSet, value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => push_float(*f, out),
        Value::String(s) => push_json_str(s, out),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_json(result, item, out);
            }
            out.push(']');
        }
        Value::Map(map) => push_object(result, map.iter().map(|(k, v)| (k.as_str(), v)), out),
        Value::Node(id) => push_node(result, *id, out),
        Value::Rel(id) => push_rel(result, *id, out),
        Value::Path(path) => {
            out.push_str("{\"nodes\":[");
            for (i, node) in path.nodes.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_node(result, *node, out);
            }
            out.push_str("],\"relationships\":[");
            for (i, rel) in path.rels.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_rel(result, *rel, out);
            }
            out.push_str("]}");
        }
        Value::Date(_)
        | Value::PartialDate(_)
        | Value::LocalTime(_)
        | Value::Time(..)
        | Value::LocalDateTime(_)
        | Value::DateTime(_)
        | Value::Duration(_) => push_json_str(&result.render(value), out),
    }
}

/// Floats stay floats (`1.0`); NaN and the infinities, which JSON lacks, become strings.
fn push_float(f: f64, out: &mut String) {
    if f.is_finite() {
        match serde_json::to_string(&f) {
            Ok(text) => out.push_str(&text),
            Err(_) => out.push_str(&crate::graph::value::format_float(f)),
        }
    } else {
        push_json_str(&crate::graph::value::format_float(f), out);
    }
}

fn push_json_str(s: &str, out: &mut String) {
    match serde_json::to_string(s) {
        Ok(text) => out.push_str(&text),
        Err(_) => out.push_str("null"),
    }
}

fn push_object<'a>(
    result: &ResultSet,
    entries: impl Iterator<Item = (&'a str, &'a Value)>,
    out: &mut String,
) {
    out.push('{');
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(k, out);
        out.push(':');
        push_json(result, v, out);
    }
    out.push('}');
}

fn push_node(result: &ResultSet, id: NodeId, out: &mut String) {
    let _ = write!(out, "{{\"id\":{},\"labels\":[", id.0);
    let node = result.entities.nodes.get(&id);
    for (i, label) in node.iter().flat_map(|n| &n.labels).enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_str(label, out);
    }
    out.push_str("],\"properties\":");
    let props = node.into_iter().flat_map(|n| &n.props);
    push_object(result, props.map(|(k, v)| (k.as_str(), v)), out);
    out.push('}');
}

fn push_rel(result: &ResultSet, id: RelId, out: &mut String) {
    let _ = write!(out, "{{\"id\":{},\"type\":", id.0);
    let rel = result.entities.rels.get(&id);
    match rel {
        Some(rel) => {
            push_json_str(&rel.rel_type, out);
            let _ = write!(out, ",\"start\":{},\"end\":{}", rel.start.0, rel.end.0);
        }
        // Not in the snapshot (deleted by the statement that returned it).
        None => out.push_str("null,\"start\":null,\"end\":null"),
    }
    out.push_str(",\"properties\":");
    let props = rel.into_iter().flat_map(|r| &r.props);
    push_object(result, props.map(|(k, v)| (k.as_str(), v)), out);
    out.push('}');
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{NaiveDate, TimeZone};

    use super::*;
    use crate::graph::Graph;
    use crate::graph::value::{Duration as CypherDuration, Path as CypherPath};
    use crate::result::Stats;

    /// One row with a value of every kind: the case graph in miniature.
    fn every_kind() -> ResultSet {
        let mut graph = Graph::new();
        let kogan = graph.add_node_named(&["Person"], vec![("name", Value::str("Kogan"))]);
        let ca = graph.add_node_named(
            &["Company", "Consultancy"],
            vec![("name", Value::str("Cambridge Analytica"))],
        );
        let flow = graph.intern_type("DATA_FLOW");
        let props = graph.props_from([("records", Value::Int(87_000_000))]);
        let rel = graph.add_rel(kogan, ca, flow, props);
        let path = CypherPath {
            nodes: vec![kogan, ca],
            rels: vec![rel],
        };
        let map = BTreeMap::from([
            ("who".to_string(), Value::str("it's")),
            ("n".to_string(), Value::Int(2)),
        ]);
        let datetime = chrono::FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(2018, 3, 17, 10, 0, 0)
            .unwrap();
        let row = vec![
            Value::Node(kogan),
            Value::Rel(rel),
            Value::Path(Box::new(path)),
            Value::List(vec![Value::str("a"), Value::Int(1), Value::Null]),
            Value::Map(map),
            Value::Date(NaiveDate::from_ymd_opt(2018, 3, 17).unwrap()),
            Value::from(datetime),
            Value::Duration(CypherDuration {
                months: 14,
                ..CypherDuration::default()
            }),
            Value::Null,
            Value::Float(1.0),
            Value::Float(f64::NAN),
            Value::Bool(true),
            Value::str("a, \"quoted\"\nline"),
        ];
        let columns = [
            "node", "rel", "path", "list", "map", "date", "datetime", "duration", "nothing",
            "float", "nan", "bool", "text",
        ];
        ResultSet::new(columns.map(String::from).to_vec(), vec![row], &graph)
    }

    fn numbers() -> ResultSet {
        let graph = Graph::new();
        let rows = vec![
            vec![Value::str("Kogan"), Value::Int(270_000)],
            vec![Value::str("Facebook"), Value::Null],
            vec![Value::str("Cambridge Analytica"), Value::Int(87_000_000)],
        ];
        ResultSet::new(vec!["name".into(), "records".into()], rows, &graph)
    }

    fn render(format: Format, result: &ResultSet, elapsed: Option<Duration>) -> String {
        let mut out = Vec::new();
        write(result, format, &mut out, elapsed).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// The single row as a vertical list, so each value's rendering is on its own line.
    fn transposed(format: Format) -> String {
        let result = every_kind();
        let mut text = String::new();
        for (i, column) in result.columns.iter().enumerate() {
            let one = ResultSet {
                columns: vec![column.clone()],
                rows: vec![vec![result.rows[0][i].clone()]],
                ..result.clone()
            };
            text.push_str(&render(format, &one, None));
        }
        text
    }

    #[test]
    fn csv_renders_every_kind_of_value() {
        insta::assert_snapshot!(transposed(Format::Csv));
    }

    #[test]
    fn json_renders_every_kind_of_value() {
        insta::assert_snapshot!(render(Format::Json, &every_kind(), None));
    }

    #[test]
    fn jsonl_renders_every_kind_of_value() {
        insta::assert_snapshot!(transposed(Format::Jsonl));
    }

    #[test]
    fn table_renders_every_kind_of_value() {
        insta::assert_snapshot!(transposed(Format::Table));
    }

    #[test]
    fn table_right_aligns_numbers_and_counts_rows() {
        let elapsed = Some(Duration::from_millis(2));
        insta::assert_snapshot!(render(Format::Table, &numbers(), elapsed));
    }

    #[test]
    fn csv_has_a_header_and_empty_cells_for_null() {
        assert_eq!(
            render(Format::Csv, &numbers(), None),
            "name,records\nKogan,270000\nFacebook,\nCambridge Analytica,87000000\n"
        );
    }

    #[test]
    fn json_is_an_array_of_objects_in_column_order() {
        assert_eq!(
            render(Format::Json, &numbers(), None),
            "[\n{\"name\":\"Kogan\",\"records\":270000},\n\
             {\"name\":\"Facebook\",\"records\":null},\n\
             {\"name\":\"Cambridge Analytica\",\"records\":87000000}\n]\n"
        );
    }

    #[test]
    fn json_output_parses_back() {
        let text = render(Format::Json, &every_kind(), None);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        let row = &parsed[0];
        assert_eq!(row["node"]["labels"][0], "Person");
        assert_eq!(row["rel"]["properties"]["records"], 87_000_000);
        assert_eq!(row["path"]["relationships"][0]["type"], "DATA_FLOW");
        assert_eq!(row["float"], 1.0);
        assert!(row["float"].is_f64());
        assert_eq!(row["nan"], "NaN");
        assert_eq!(row["date"], "2018-03-17");
    }

    #[test]
    fn empty_results_write_a_header_or_an_empty_array() {
        let graph = Graph::new();
        let empty = ResultSet::new(vec!["x".into()], vec![], &graph);
        assert_eq!(render(Format::Csv, &empty, None), "x\n");
        assert_eq!(render(Format::Json, &empty, None), "[]\n");
        assert_eq!(render(Format::Jsonl, &empty, None), "");
        assert_eq!(
            render(Format::Table, &empty, None),
            "╭───╮\n│ x │\n╞═══╡\n╰───╯\n0 rows\n"
        );
    }

    #[test]
    fn results_without_columns_print_message_and_changes_only_as_tables() {
        let graph = Graph::new();
        let mut copy = ResultSet::new(vec![], vec![], &graph);
        copy.message = Some("12 rows written to x.csv".into());
        let mut create = ResultSet::new(vec![], vec![], &graph);
        create.stats = Stats {
            nodes_created: 1,
            props_set: 1,
            ..Stats::default()
        };
        let nothing = ResultSet::new(vec![], vec![], &graph);
        let ms = Some(Duration::from_millis(1));
        assert_eq!(
            render(Format::Table, &copy, ms),
            "12 rows written to x.csv\n"
        );
        assert_eq!(
            render(Format::Table, &create, ms),
            "1 node created, 1 property set (0.001 s)\n"
        );
        assert_eq!(render(Format::Table, &nothing, None), "no changes\n");
        for format in [
            Format::Csv,
            Format::Json,
            Format::Jsonl,
            Format::Dot,
            Format::Mermaid,
        ] {
            for result in [&copy, &create, &nothing] {
                assert_eq!(render(format, result, ms), "", "{format}");
            }
        }
    }

    #[test]
    fn tables_show_changes_after_the_row_count() {
        let mut result = numbers();
        result.stats.props_set = 3;
        let text = render(Format::Table, &result, None);
        assert!(text.ends_with("3 rows\n3 properties set\n"), "{text}");
    }

    #[test]
    fn format_parses_its_names() {
        assert_eq!("csv".parse(), Ok(Format::Csv));
        assert_eq!("JSONL".parse(), Ok(Format::Jsonl));
        assert_eq!("Mermaid".parse(), Ok(Format::Mermaid));
        assert!("xml".parse::<Format>().is_err());
        for f in Format::ALL {
            assert_eq!(f.name().parse(), Ok(f));
        }
    }

    #[test]
    fn pictures_show_the_elements_of_a_result() {
        let result = every_kind();
        let dot = render(Format::Dot, &result, None);
        assert!(dot.starts_with("digraph datatrail {\n"), "{dot}");
        assert!(dot.contains("Cambridge Analytica"), "{dot}");
        let mermaid = render(Format::Mermaid, &result, None);
        assert!(mermaid.starts_with("flowchart LR\n"), "{mermaid}");
        assert!(mermaid.contains("DATA_FLOW"), "{mermaid}");
    }

    #[test]
    fn atomic_write_replaces_the_file_only_on_success() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old\n").unwrap();
        let failed = write_file_atomically(&path, |out| {
            out.write_all(b"half")?;
            Err(ExportError::Io(io::Error::other("boom")))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old\n");
        write_file_atomically(&path, |out| write_csv(&numbers(), out)).unwrap();
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .starts_with("name,records\n")
        );
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary files are left behind");
    }

    #[test]
    fn atomic_write_into_a_missing_folder_names_the_file() {
        let err =
            write_file_atomically(Path::new("/nonexistent/dir/out.csv"), |_| Ok(())).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("export: /nonexistent/dir/out.csv: "),
            "{err}"
        );
    }

    #[test]
    fn broken_pipes_are_recognised() {
        let err = ExportError::Io(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(err.is_broken_pipe());
        let err = ExportError::Io(io::Error::other("disk full"));
        assert!(!err.is_broken_pipe());
    }
}
