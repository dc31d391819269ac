//! CSV → Graph, in the format of DATA-MODEL.md (Neo4j's bulk-import headers), and back
//! again with [`save_dir`].
//!
//! A load reads every node file, then every edge file, into a fresh [`Graph`] and returns
//! it only if all of them loaded: on any error it returns a [`LoadError`] naming the file,
//! the record and line, the column and the value, and no graph, so nothing is ever
//! half-loaded. Each file is streamed through `reader.rs`, which knows whether a cell was
//! quoted (`""` is the empty string, an empty cell is absent). Numeric node ids are kept
//! as numbers (`ids.rs`). Edge rows are read and checked on a second thread while this one
//! adds the previous batch to the graph, and the adjacency index is built once, after the
//! last file.
//!
//! Conventions beyond Neo4j's, documented where they are implemented:
//! - `cell.rs`: quoted empty cells, array escapes (`\;`, `\\`, `\e`), empty lists;
//! - `header.rs`: the type follows the last colon; id spaces (`:ID(Group)`) are accepted
//!   and ignored, so ids are unique across all node files; `:IGNORE` columns;
//! - `save.rs`: which files are written, ids of nodes without a usable `id`, and keys
//!   holding different types on different elements (spilled into `nodes-2.csv`, ...).

mod cell;
mod error;
mod header;
mod ids;
mod reader;
mod save;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;

use crate::graph::{Graph, NodeId, Props, Symbol, Value};

pub use error::{LoadError, Position};
pub use save::{SaveSummary, save_dir};

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
    load_with_progress(sources, &mut |_, _| {})
}

/// Like [`load`], calling `progress(bytes_done, bytes_total)` as the files are read
/// (about every megabyte, and once at the end of each file).
///
/// # Errors
/// As [`load`].
pub fn load_with_progress(
    sources: &Sources,
    progress: &mut dyn FnMut(u64, u64),
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
            let len = file.metadata().map_err(io_error)?.len();
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
    let mut ignore = |_, _| {};
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
    progress: &'p mut dyn FnMut(u64, u64),
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
    fn new(progress: &'p mut dyn FnMut(u64, u64), total: u64) -> Loader<'p> {
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

    /// Loads the rows of a node file: a second thread reads them and parses their
    /// cells, and sends them in batches to this one, which checks their ids and adds
    /// them to the graph.
    fn load_nodes<R: Read + Send>(
        &mut self,
        file: &str,
        header: &Header,
        reader: RecordReader<R>,
    ) -> Result<(), Failure> {
        let mut read = 0;
        std::thread::scope(|scope| {
            let (sender, batches) = std::sync::mpsc::sync_channel(4);
            scope.spawn(move || NodeParser { file, header }.run(reader, &sender));
            for batch in batches {
                let batch: NodeBatch = batch?;
                let mut values = batch.values.into_iter();
                for row in &batch.rows {
                    let here = Here {
                        file,
                        header,
                        pos: row.pos,
                    };
                    let id = &batch.text[row.id.clone()];
                    let labels = &batch.text[row.labels.clone()];
                    self.add_node(&here, id, labels, &mut values)?;
                }
                read = batch.offset;
                (self.progress)(self.done + read, self.total);
            }
            Ok::<(), Failure>(())
        })?;
        self.done += read;
        (self.progress)(self.done, self.total.max(self.done));
        Ok(())
    }

    /// Adds the node of one row: its id, its label cell, and the values the parser
    /// made of its id (when kept as a property) and property cells, in header order.
    fn add_node(
        &mut self,
        here: &Here<'_>,
        id: &str,
        label_cell: &str,
        values: &mut impl Iterator<Item = Option<Value>>,
    ) -> Result<(), LoadError> {
        if let Some(first) = self.ids.get(id) {
            return Err(self.duplicate_id(here, id, first));
        }
        let mut labels = Vec::new();
        let mut props = Props::default();
        for column in &here.header.columns {
            match *column {
                Column::Id { key: Some(key) } | Column::Property { key, .. } => {
                    if let Some(value) = values.next().flatten() {
                        props.set(key, value);
                    }
                }
                Column::Label => labels.extend(
                    label_cell
                        .split(';')
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .map(|l| self.graph.intern_label(l)),
                ),
                _ => {}
            }
        }
        let node = self.graph.add_node(labels, props);
        self.ids.insert(id, node);
        Ok(())
    }

    /// Loads the rows of an edge file: a second thread reads and checks them, and sends
    /// them in batches to this one, which adds them to the graph.
    fn load_edges<R: Read + Send>(
        &mut self,
        file: &str,
        header: &Header,
        reader: RecordReader<R>,
    ) -> Result<(), Failure> {
        let props: Vec<(usize, Symbol, header::PropType)> = (header.columns.iter().enumerate())
            .filter_map(|(i, c)| match *c {
                Column::Property { key, ty } => Some((i, key, ty)),
                _ => None,
            })
            .collect();
        let ids = &self.ids;
        let graph = &mut self.graph;
        let progress = &mut self.progress;
        let done = self.done;
        let total = self.total;
        let mut read = 0;
        std::thread::scope(|scope| {
            let (sender, batches) = std::sync::mpsc::sync_channel(4);
            let props = &props;
            scope.spawn(move || {
                let mut parser = EdgeParser {
                    file,
                    header,
                    props,
                    ids,
                    types: HashMap::default(),
                };
                parser.run(reader, &sender);
            });
            // Batch-local type numbers to the graph's symbols.
            let mut types: Vec<Symbol> = Vec::new();
            for batch in batches {
                let batch: EdgeBatch = batch?;
                for name in &batch.new_types {
                    types.push(graph.intern_type(name));
                }
                let mut values = batch.values.into_iter();
                for (start, end, local_type) in batch.rels {
                    let rel =
                        graph.add_rel(start, end, types[local_type as usize], Props::default());
                    for &(_, key, _) in props {
                        if let Some(value) = values.next().flatten() {
                            graph.set_rel_property(rel, key, value);
                        }
                    }
                }
                read = batch.offset;
                progress(done + read, total);
            }
            Ok::<(), Failure>(())
        })?;
        self.done += read;
        (self.progress)(self.done, self.total.max(self.done));
        Ok(())
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

/// Node rows per batch sent between the threads.
const NODE_BATCH_ROWS: usize = 8 * 1024;

/// Parsed node rows, ready to check and add.
struct NodeBatch {
    rows: Vec<NodeRow>,
    /// The rows' id and label cells, one after the other.
    text: String,
    /// Each row's values in header order: its id's (when kept as a property), then its
    /// property cells', `None` when absent.
    values: Vec<Option<Value>>,
    /// Bytes of the file read up to the batch's end.
    offset: u64,
}

struct NodeRow {
    pos: Position,
    /// Where the id and the label cell are in [`NodeBatch::text`].
    id: std::ops::Range<usize>,
    labels: std::ops::Range<usize>,
}

/// Reads a node file's rows and parses their cells, on its own thread.
struct NodeParser<'a> {
    file: &'a str,
    header: &'a Header,
}

impl NodeParser<'_> {
    /// Sends every row in batches. At an error, the rows before it go first, so that
    /// an earlier row's duplicate id is the error reported, as in a single pass.
    fn run<R: Read>(
        &self,
        mut reader: RecordReader<R>,
        sender: &SyncSender<Result<NodeBatch, Failure>>,
    ) {
        let mut rec = Record::default();
        let mut spare: Vec<&str> = Vec::new();
        loop {
            let mut batch = NodeBatch {
                rows: Vec::with_capacity(NODE_BATCH_ROWS),
                text: String::new(),
                values: Vec::new(),
                offset: 0,
            };
            let mut outcome = Ok(true);
            while batch.rows.len() < NODE_BATCH_ROWS {
                outcome = read_record(&mut reader, &mut rec, self.file, &self.header.names);
                if !matches!(outcome, Ok(true)) {
                    break;
                }
                let mut cells = spare;
                let row = self.row(&rec, &mut cells, &mut batch);
                cells.clear();
                spare = cells.into_iter().map(|_| "").collect();
                if let Err(e) = row {
                    outcome = Err(e.into());
                    break;
                }
            }
            batch.offset = reader.offset();
            let more = matches!(outcome, Ok(true));
            if sender.send(Ok(batch)).is_err() {
                return;
            }
            if let Err(e) = outcome {
                let _ = sender.send(Err(e));
                return;
            }
            if !more {
                return;
            }
        }
    }

    fn row<'r>(
        &self,
        rec: &'r Record,
        cells: &mut Vec<&'r str>,
        batch: &mut NodeBatch,
    ) -> Result<(), LoadError> {
        let header = self.header;
        let here = Here::at(self.file, header, rec);
        texts(&here, rec, cells)?;
        let id = cells[header.id];
        if id.is_empty() {
            return Err(empty_cell(&here, header.id));
        }
        // Every cell is checked before the row joins the batch.
        let values_before = batch.values.len();
        let mut label_cell = "";
        for (i, column) in header.columns.iter().enumerate() {
            let value = match *column {
                Column::Id { key: Some(_) } => Some(Value::str(id)),
                Column::Property { ty, .. } => match property(&here, rec, cells, i, ty) {
                    Ok(value) => value,
                    Err(e) => {
                        batch.values.truncate(values_before);
                        return Err(e);
                    }
                },
                Column::Label => {
                    label_cell = cells[i];
                    continue;
                }
                _ => continue,
            };
            batch.values.push(value);
        }
        let start = batch.text.len();
        batch.text.push_str(id);
        let middle = batch.text.len();
        batch.text.push_str(label_cell);
        batch.rows.push(NodeRow {
            pos: here.pos,
            id: start..middle,
            labels: middle..batch.text.len(),
        });
        Ok(())
    }
}

/// Rows of an edge file per batch sent between the threads.
const BATCH_ROWS: usize = 16 * 1024;

/// Checked edge rows, ready to add.
struct EdgeBatch {
    /// Start, end and type (numbered in order of first appearance in the file).
    rels: Vec<(NodeId, NodeId, u32)>,
    /// Each row's place in the file, for the errors found after the row was read.
    positions: Vec<Position>,
    /// Ends given by number, whose nodes are looked up once the batch is read: looked
    /// up together, their cache misses overlap instead of stalling the scanner row by
    /// row (a fifth of a ten-million row load).
    numbered: Vec<NumberedEnd>,
    /// Each row's property values in header order, `None` when absent.
    values: Vec<Option<Value>>,
    /// The types first seen in this batch, in their numbers' order.
    new_types: Vec<Box<str>>,
    /// Bytes of the file read up to the batch's end.
    offset: u64,
}

/// An end of the row `row` of a batch given by number, looked up later.
struct NumberedEnd {
    row: u32,
    /// The end node rather than the start.
    end: bool,
    number: u64,
}

/// Reads and checks an edge file's rows, on its own thread.
struct EdgeParser<'a> {
    file: &'a str,
    header: &'a Header,
    props: &'a [(usize, Symbol, header::PropType)],
    ids: &'a IdMap,
    types: HashMap<Box<str>, u32, foldhash::fast::RandomState>,
}

impl EdgeParser<'_> {
    /// Sends every row in batches, then stops at the end of the file, the first error
    /// (which it sends), or when the receiver has gone.
    fn run<R: Read>(
        &mut self,
        mut reader: RecordReader<R>,
        sender: &SyncSender<Result<EdgeBatch, Failure>>,
    ) {
        let mut rec = Record::default();
        let mut spare: Vec<&str> = Vec::new();
        loop {
            let mut batch = EdgeBatch {
                rels: Vec::with_capacity(BATCH_ROWS),
                positions: Vec::with_capacity(BATCH_ROWS),
                numbered: Vec::with_capacity(2 * BATCH_ROWS),
                values: Vec::with_capacity(BATCH_ROWS * self.props.len()),
                new_types: Vec::new(),
                offset: 0,
            };
            let mut more = true;
            while batch.rels.len() < BATCH_ROWS {
                match read_record(&mut reader, &mut rec, self.file, &self.header.names) {
                    Ok(true) => {}
                    Ok(false) => {
                        more = false;
                        break;
                    }
                    Err(e) => {
                        // An unknown node in an earlier row comes first.
                        let e = self
                            .look_up_ends(&mut batch)
                            .map_or_else(Failure::from, |()| e);
                        let _ = sender.send(Err(e));
                        return;
                    }
                }
                let mut cells = spare;
                let row = self.row(&rec, &mut cells, &mut batch);
                cells.clear();
                spare = cells.into_iter().map(|_| "").collect();
                if let Err(e) = row {
                    let e = self.look_up_ends(&mut batch).err().unwrap_or(e);
                    let _ = sender.send(Err(e.into()));
                    return;
                }
            }
            if let Err(e) = self.look_up_ends(&mut batch) {
                let _ = sender.send(Err(e.into()));
                return;
            }
            batch.offset = reader.offset();
            if sender.send(Ok(batch)).is_err() || !more {
                return;
            }
        }
    }

    fn row<'r>(
        &mut self,
        rec: &'r Record,
        cells: &mut Vec<&'r str>,
        batch: &mut EdgeBatch,
    ) -> Result<(), LoadError> {
        let header = self.header;
        let here = Here::at(self.file, header, rec);
        texts(&here, rec, cells)?;
        let row = batch.positions.len() as u32;
        batch.positions.push(here.pos);
        let start = self.end_node(&here, cells, header.start, (row, false), batch)?;
        let end = self.end_node(&here, cells, header.end, (row, true), batch)?;
        // Labels and types lose spaces around them: `Company; Platform` is two labels.
        let rel_type = cells[header.rel_type].trim();
        if rel_type.is_empty() {
            return Err(empty_cell(&here, header.rel_type));
        }
        let local_type = match self.types.get(rel_type) {
            Some(&t) => t,
            None => {
                let t = self.types.len() as u32;
                self.types.insert(rel_type.into(), t);
                batch.new_types.push(rel_type.into());
                t
            }
        };
        // Every cell is checked before the row joins the batch.
        let values_before = batch.values.len();
        for &(i, _, ty) in self.props {
            match property(&here, rec, cells, i, ty) {
                Ok(value) => batch.values.push(value),
                Err(e) => {
                    batch.values.truncate(values_before);
                    return Err(e);
                }
            }
        }
        batch.rels.push((start, end, local_type));
        Ok(())
    }

    /// The node an edge's start or end cell names; a placeholder for an id given by
    /// number, which [`EdgeParser::look_up_ends`] replaces.
    fn end_node(
        &self,
        here: &Here<'_>,
        cells: &[&str],
        i: usize,
        (row, end): (u32, bool),
        batch: &mut EdgeBatch,
    ) -> Result<NodeId, LoadError> {
        let id = cells[i];
        if id.is_empty() {
            return Err(empty_cell(here, i));
        }
        if let Some(number) = IdMap::number(id) {
            batch.numbered.push(NumberedEnd { row, end, number });
            return Ok(NodeId(u32::MAX));
        }
        self.ids
            .get(id)
            .ok_or_else(|| unknown_node(here.file, here.header, here.pos, i, id))
    }

    /// Puts the nodes of the ends given by number in place, in row order; the first one
    /// unknown is an error.
    fn look_up_ends(&self, batch: &mut EdgeBatch) -> Result<(), LoadError> {
        for numbered in batch.numbered.drain(..) {
            let row = numbered.row as usize;
            let Some(node) = self.ids.get_number(numbered.number) else {
                let column = if numbered.end {
                    self.header.end
                } else {
                    self.header.start
                };
                let id = numbered.number.to_string();
                return Err(unknown_node(
                    self.file,
                    self.header,
                    batch.positions[row],
                    column,
                    &id,
                ));
            };
            // The row that failed has no entry yet.
            if let Some(rel) = batch.rels.get_mut(row) {
                if numbered.end {
                    rel.1 = node;
                } else {
                    rel.0 = node;
                }
            }
        }
        Ok(())
    }
}

fn unknown_node(file: &str, header: &Header, pos: Position, column: usize, id: &str) -> LoadError {
    LoadError::UnknownNode {
        file: file.to_string(),
        pos,
        column: header.names[column].clone(),
        id: id.to_string(),
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
