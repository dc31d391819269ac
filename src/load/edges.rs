//! Edge files: a second thread reads and checks the rows and looks up their end nodes in
//! batches, and the loading thread adds them to the graph.

use std::collections::HashMap;
use std::io::Read;
use std::sync::mpsc::SyncSender;

use super::*;

impl Loader<'_> {
    /// Loads the rows of an edge file: a second thread reads and checks them, and sends
    /// them in batches to this one, which adds them to the graph.
    pub(super) fn load_edges<R: Read + Send>(
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
                let rows = graph.node_count() + graph.rel_count();
                progress(done + read, total, rows as u64);
            }
            Ok::<(), Failure>(())
        })?;
        self.done += read;
        let rows = self.graph.node_count() + self.graph.rel_count();
        (self.progress)(self.done, self.total.max(self.done), rows as u64);
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
