//! Node files: a second thread reads the rows and parses their cells in batches, and the
//! loading thread checks their ids and adds them to the graph.

use std::io::Read;
use std::sync::mpsc::SyncSender;

use super::*;

impl Loader<'_> {
    /// Loads the rows of a node file: a second thread reads them and parses their
    /// cells, and sends them in batches to this one, which checks their ids and adds
    /// them to the graph.
    pub(super) fn load_nodes<R: Read + Send>(
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
                let rows = self.graph.node_count() + self.graph.rel_count();
                (self.progress)(self.done + read, self.total, rows as u64);
            }
            Ok::<(), Failure>(())
        })?;
        self.done += read;
        let rows = self.graph.node_count() + self.graph.rel_count();
        (self.progress)(self.done, self.total.max(self.done), rows as u64);
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
