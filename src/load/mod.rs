//! CSV → Graph, in the format of DATA-MODEL.md (Neo4j's bulk-import headers), and back
//! again with [`save_dir`].
//!
//! A load reads every node file, then every edge file, into a fresh [`Graph`] and returns
//! it only if all of them loaded: on any error it returns a [`LoadError`] naming the file,
//! the record and line, the column and the value, and no graph, so nothing is ever
//! half-loaded. Each file is streamed through `reader.rs`, which knows whether a cell was
//! quoted (`""` is the empty string, an empty cell is absent). Numeric node ids are kept
//! as numbers (`ids.rs`). Edge rows are read and checked on a second thread while this one
//! adds the previous batch to the graph (`edges.rs`; node rows likewise, `nodes.rs`), and
//! the adjacency index is built once, after the last file.
//!
//! Conventions beyond Neo4j's, documented where they are implemented:
//! - `cell.rs`: quoted empty cells, array escapes (`\;`, `\\`, `\e`), empty lists;
//! - `header.rs`: the type follows the last colon; id spaces (`:ID(Group)`) are accepted
//!   and ignored, so ids are unique across all node files; `:IGNORE` columns;
//! - `save.rs`: which files are written, ids of nodes without a usable `id`, and keys
//!   holding different types on different elements (spilled into `nodes-2.csv`, ...).

mod cell;
mod edges;
mod error;
pub mod ftm;
mod ftm_schema;
mod header;
mod ids;
pub mod jsonl;
mod nodes;
mod reader;
mod save;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::graph::{Graph, NodeId, Props, Symbol, Value};

pub use error::{LoadError, Position};
pub use ftm::load_ftm;
pub use jsonl::load_jsonl;
pub use save::{Layout, SaveSummary, save_dir, save_dir_with};

use cell::parse_cell;
use header::{Column, FileKind, Header, build_header};
use ids::IdMap;
use reader::{Record, RecordReader, ScanError};

/// The files of one dataset: node files (loaded first) and edge files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sources {
    /// Node files, loaded first, in order.
    pub nodes: Vec<PathBuf>,
    /// Edge files, loaded after every node file.
    pub edges: Vec<PathBuf>,
}

impl Sources {
    /// The dataset in a folder: `nodes.csv`, then `nodes-2.csv`, `nodes-3.csv`, ... (the
    /// extra files [`save_dir`] writes when one column cannot hold a property), then
    /// `sources.csv` and `sources-N.csv` if present, as node files; `edges.csv` and
    /// `edges-N.csv` as edge files.
    ///
    /// # Errors
    /// [`LoadError::MissingFile`] when `nodes.csv` or `edges.csv` is missing, and
    /// [`LoadError::Io`] when the folder cannot be listed.
    pub fn from_dir(dir: &Path) -> Result<Sources, LoadError> {
        let mut numbered: HashMap<&str, Vec<(u32, PathBuf)>> = HashMap::new();
        let entries = std::fs::read_dir(dir).map_err(|source| LoadError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if let Some((stem, n)) = name.to_str().and_then(save::numbered_file) {
                numbered.entry(stem).or_default().push((n, entry.path()));
            }
        }
        let mut files = |stem: &'static str| {
            let mut list = numbered.remove(stem).unwrap_or_default();
            list.sort();
            list.into_iter().map(|(_, path)| path).collect::<Vec<_>>()
        };
        let (mut nodes, sources, edges) = (files("nodes"), files("sources"), files("edges"));
        for (list, name) in [(&nodes, "nodes.csv"), (&edges, "edges.csv")] {
            if !list.first().is_some_and(|p| p.ends_with(name)) {
                return Err(LoadError::MissingFile {
                    path: dir.join(name),
                });
            }
        }
        nodes.extend(sources);
        Ok(Sources { nodes, edges })
    }
}

/// Loads a dataset: every node file, then every edge file.
///
/// # Errors
/// Any [`LoadError`]; the graph is returned only when every file loaded.
pub fn load(sources: &Sources) -> Result<Graph, LoadError> {
    load_with_progress(sources, &mut |_, _, _| {})
}

/// Like [`load`], calling `progress(bytes_done, bytes_total, rows_done)` as the files are
/// read (rows are the nodes and relationships added so far)
/// (about every megabyte, and once at the end of each file).
///
/// # Errors
/// As [`load`].
pub fn load_with_progress(
    sources: &Sources,
    progress: &mut dyn FnMut(u64, u64, u64),
) -> Result<Graph, LoadError> {
    let mut total = 0;
    for path in sources.nodes.iter().chain(&sources.edges) {
        total += std::fs::metadata(path).map_or(0, |m| m.len());
    }
    let mut loader = Loader::new(progress, total);
    for (paths, kind) in [
        (&sources.nodes, FileKind::Nodes),
        (&sources.edges, FileKind::Edges),
    ] {
        for path in paths {
            let io_error = |source| LoadError::Io {
                path: path.clone(),
                source,
            };
            let file = std::fs::File::open(path).map_err(io_error)?;
            let metadata = file.metadata().map_err(io_error)?;
            refuse_devices(path, &metadata)?;
            let len = metadata.len();
            loader
                .load_file(&path.display().to_string(), file, len, kind)
                .map_err(|e| match e {
                    Failure::Io(source) => io_error(source),
                    Failure::Load(e) => e,
                })?;
        }
    }
    Ok(loader.finish())
}

/// A data file must be a file or a pipe (`--nodes <(generator)`): a device such as
/// `/dev/zero` or a folder is refused before it is read.
fn refuse_devices(path: &Path, metadata: &std::fs::Metadata) -> Result<(), LoadError> {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    let what = if kind.is_dir() {
        "a folder"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        return Ok(());
    };
    Err(LoadError::NotAFile {
        path: path.to_path_buf(),
        what,
    })
}

/// Loads `nodes.csv`, `edges.csv` and (if present) `sources.csv` from a folder (see
/// [`Sources::from_dir`]).
///
/// # Errors
/// Any [`LoadError`].
pub fn load_dir(dir: &Path) -> Result<Graph, LoadError> {
    load(&Sources::from_dir(dir)?)
}

/// Loads the given node files, then the given edge files (`--nodes`, `--edges`).
///
/// # Errors
/// Any [`LoadError`].
pub fn load_files(nodes: &[PathBuf], edges: &[PathBuf]) -> Result<Graph, LoadError> {
    load(&Sources {
        nodes: nodes.to_vec(),
        edges: edges.to_vec(),
    })
}

/// Loads in-memory files, each given as `(name shown in errors, contents)`.
///
/// ```
/// let nodes = "id:ID,:LABEL,name\nce,Company,Experian\nlp,PoliticalParty,Labour Party\n";
/// let edges = ":START_ID,:END_ID,:TYPE,records:long\nce,lp,DATA_FLOW,1000000\n";
/// let graph = datatrail::load::load_readers(
///     &[("nodes.csv", nodes.as_bytes())],
///     &[("edges.csv", edges.as_bytes())],
/// )
/// .unwrap();
/// assert_eq!((graph.node_count(), graph.rel_count()), (2, 1));
/// ```
///
/// # Errors
/// Any [`LoadError`] but [`LoadError::Io`].
pub fn load_readers(nodes: &[(&str, &[u8])], edges: &[(&str, &[u8])]) -> Result<Graph, LoadError> {
    let total = nodes.iter().chain(edges).map(|(_, b)| b.len() as u64).sum();
    let mut ignore = |_, _, _| {};
    let mut loader = Loader::new(&mut ignore, total);
    for (files, kind) in [(nodes, FileKind::Nodes), (edges, FileKind::Edges)] {
        for (name, bytes) in files {
            loader
                .load_file(name, *bytes, bytes.len() as u64, kind)
                .map_err(|e| match e {
                    Failure::Load(e) => e,
                    Failure::Io(_) => unreachable!("reading from memory cannot fail"),
                })?;
        }
    }
    Ok(loader.finish())
}

/// The case graph shipped in `data/`, compiled into the binary.
///
/// # Errors
/// Only if the shipped files are broken, which a test guards against.
pub fn load_embedded() -> Result<Graph, LoadError> {
    load_readers(
        &[
            (
                "data/nodes.csv",
                include_str!("../../data/nodes.csv").as_bytes(),
            ),
            (
                "data/sources.csv",
                include_str!("../../data/sources.csv").as_bytes(),
            ),
        ],
        &[(
            "data/edges.csv",
            include_str!("../../data/edges.csv").as_bytes(),
        )],
    )
}

/// The state of one load: the graph being built and the node ids seen so far.
struct Loader<'p> {
    graph: Graph,
    ids: IdMap,
    /// Relationship types seen so far, to skip interning each row's (few types, many rows).
    /// Each node file with the first node it created: nodes are numbered in load order,
    /// so a node's record number is recovered from its id (for duplicate-id messages).
    node_files: Vec<(String, u32)>,
    progress: &'p mut dyn FnMut(u64, u64, u64),
    done: u64,
    total: u64,
}

/// The file and record being read, for error messages.
struct Here<'a> {
    file: &'a str,
    header: &'a Header,
    pos: Position,
}

impl<'a> Here<'a> {
    /// The place of the record `rec` of `file`.
    fn at(file: &'a str, header: &'a Header, rec: &Record) -> Here<'a> {
        Here {
            file,
            header,
            pos: Position {
                record: rec.number,
                line: rec.line,
            },
        }
    }

    fn column(&self, i: usize) -> String {
        self.header.names[i].clone()
    }
}

impl<'p> Loader<'p> {
    fn new(progress: &'p mut dyn FnMut(u64, u64, u64), total: u64) -> Loader<'p> {
        Loader {
            graph: Graph::new(),
            ids: IdMap::default(),
            node_files: Vec::new(),
            progress,
            done: 0,
            total,
        }
    }

    /// The loaded graph, with its adjacency index built in one pass.
    fn finish(mut self) -> Graph {
        self.graph.shrink_to_fit();
        self.graph.build_adjacency();
        self.graph
    }

    fn load_file(
        &mut self,
        file: &str,
        source: impl Read + Send,
        len: u64,
        kind: FileKind,
    ) -> Result<(), Failure> {
        let mut reader = RecordReader::new(source);
        let mut rec = Record::default();
        let header_names: Vec<String> = Vec::new();
        if !read_record(&mut reader, &mut rec, file, &header_names)? {
            return Err(LoadError::EmptyFile {
                file: file.to_string(),
            }
            .into());
        }
        let header = build_header(file, &rec, kind, &mut self.graph)?;
        if kind == FileKind::Nodes {
            let first = self.graph.node_count() as u32;
            self.node_files.push((file.to_string(), first));
        }
        // Rows are about as long as the header; reserving more than is used costs
        // address space only.
        let rows = (len / (reader.offset().max(16) / 2)) as usize;
        match kind {
            FileKind::Nodes => self.graph.reserve(rows, 0),
            FileKind::Edges => self.graph.reserve(0, rows),
        }
        match kind {
            FileKind::Edges => self.load_edges(file, &header, reader),
            FileKind::Nodes => self.load_nodes(file, &header, reader),
        }
    }

    fn duplicate_id(&self, here: &Here<'_>, id: &str, first: NodeId) -> LoadError {
        let (first_file, first_node) = self
            .node_files
            .iter()
            .rev()
            .find(|(_, start)| *start <= first.0)
            .cloned()
            .unwrap_or_default();
        LoadError::DuplicateId {
            file: here.file.to_string(),
            pos: here.pos,
            column: here.column(here.header.id),
            id: id.to_string(),
            first_file,
            first_record: u64::from(first.0 - first_node) + 1,
        }
    }
}

/// Why a file stopped loading: bad data, or a failed read (which the caller names).
enum Failure {
    Load(LoadError),
    Io(std::io::Error),
}

impl From<LoadError> for Failure {
    fn from(e: LoadError) -> Failure {
        Failure::Load(e)
    }
}

/// Reads the next record, turning scan errors into [`LoadError`]s.
fn read_record<R: Read>(
    reader: &mut RecordReader<R>,
    rec: &mut Record,
    file: &str,
    names: &[String],
) -> Result<bool, Failure> {
    reader.read(rec).map_err(|e| {
        let pos = Position {
            record: rec.number,
            line: rec.line,
        };
        let column = |cell: usize| {
            names
                .get(cell)
                .cloned()
                .unwrap_or_else(|| format!("#{}", cell + 1))
        };
        Failure::Load(match e {
            ScanError::UnterminatedQuote { cell } => LoadError::UnterminatedQuote {
                file: file.to_string(),
                pos,
                column: column(cell),
            },
            ScanError::TextAfterQuote { cell } => LoadError::TextAfterQuote {
                file: file.to_string(),
                pos,
                column: column(cell),
            },
            ScanError::RecordTooLong => LoadError::RecordTooLong {
                file: file.to_string(),
                pos,
                limit: reader::MAX_RECORD_BYTES,
            },
            ScanError::Io(source) => return Failure::Io(source),
        })
    })
}

/// The record's cells as text, once its length and encoding are checked.
fn texts<'r>(here: &Here<'_>, rec: &'r Record, cells: &mut Vec<&'r str>) -> Result<(), LoadError> {
    let expected = here.header.columns.len();
    if rec.len() != expected {
        return Err(LoadError::WrongCellCount {
            file: here.file.to_string(),
            pos: here.pos,
            expected,
            found: rec.len(),
        });
    }
    rec.texts(cells).map_err(|i| LoadError::InvalidUtf8 {
        file: here.file.to_string(),
        pos: here.pos,
        column: here.column(i),
        value: String::from_utf8_lossy(rec.cell(i)).into_owned(),
    })
}

/// The value of cell `i`, or `None` when the property is absent.
fn property(
    here: &Here<'_>,
    rec: &Record,
    cells: &[&str],
    i: usize,
    ty: header::PropType,
) -> Result<Option<Value>, LoadError> {
    parse_cell(ty, cells[i], rec.quoted(i)).map_err(|bad| LoadError::BadValue {
        file: here.file.to_string(),
        pos: here.pos,
        column: here.column(i),
        value: bad.value,
        expected: bad.expected,
    })
}

fn empty_cell(here: &Here<'_>, i: usize) -> LoadError {
    LoadError::EmptyCell {
        file: here.file.to_string(),
        pos: here.pos,
        column: here.column(i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loaded_nodes_keep_properties_by_column_without_the_reserved_room() {
        let count = 10_000;
        let mut nodes = String::from("id:ID,:LABEL,name,country\n");
        for i in 0..count {
            let country = ["GB", "US", "FR"][i % 3];
            nodes.push_str(&format!("{i},Company,Company_{i},{country}\n"));
        }
        let edges = ":START_ID,:END_ID,:TYPE\n0,1,OWNS\n";
        let graph = load_readers(
            &[("nodes.csv", nodes.as_bytes())],
            &[("edges.csv", edges.as_bytes())],
        )
        .unwrap();
        assert_eq!(graph.nodes_named("Company_9999"), &[NodeId(9999)]);
        let country = graph.key_symbol("country").unwrap();
        assert_eq!(
            graph
                .node_property(NodeId(4), country)
                .and_then(Value::as_str),
            Some("US")
        );
        // Ids and names kept directly (40 bytes each), countries shared (4), the name
        // index (9 to 18); the row estimate reserved about twice as many nodes.
        let per_node = graph.node_storage_bytes() / count;
        assert!(per_node <= 110, "{per_node} bytes per node");
    }
}
