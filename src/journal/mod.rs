//! Durable edits: every write statement that succeeds on a dataset folder is appended to
//! the folder's journal, `datatrail.journal`, and flushed to disk before it is reported;
//! loading the folder replays the journal after the CSV files; saving folds it into
//! them ([`fold`]). Only one process at a time writes to a folder ([`crate::lock`]).
//!
//! The file: a 16-byte header (`DTJ1`, the generation of the CSV snapshot the entries
//! apply to as a little-endian u64, and the CRC-32 of those 12 bytes), then entries, each
//! the marker `DTE1`, a little-endian u32 length, the payload's CRC-32, and the payload
//! ([`entry`]). A last entry cut short by a crash (or left as zeros) with no whole entry
//! after it was never acknowledged, since each append is flushed before the next starts:
//! it is dropped with a warning. A bad entry with a whole one after it, or a last entry
//! that is all there but fails its checksum, is damage: an error naming the file, the
//! entry and its byte offset.

pub mod entry;
pub mod fold;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::graph::Graph;
use crate::load::{LoadError, SaveSummary};
use crate::lock::{LockError, WriterLock};

pub use entry::Entry;
use entry::{any_frame_from, frame_at};
use fold::io_at;

/// The journal's name inside a dataset folder.
pub const JOURNAL_FILE: &str = "datatrail.journal";
const MAGIC: &[u8; 4] = b"DTJ1";
/// Bytes in the journal's header.
pub const HEADER_LEN: u64 = 16;

/// What can go wrong with a journal.
#[derive(Debug, Error)]
pub enum JournalError {
    /// Reading or writing a file failed.
    #[error("journal: {}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    /// The file does not start with a journal header (or a save's commit file is unreadable).
    #[error("journal: {}: not a datatrail journal ({reason})", .path.display())]
    BadHeader { path: PathBuf, reason: String },
    /// An entry with entries after it fails its checksum or cannot be read.
    #[error(
        "journal: {}: entry {entry} (at byte {offset}) is damaged: {reason}; the entries \
         from there on cannot be replayed (move the file away to load the dataset as of \
         its last save)", .path.display()
    )]
    Damaged {
        path: PathBuf,
        entry: usize,
        offset: u64,
        reason: String,
    },
    /// A journaled statement failed when run again at load.
    #[error("journal: {}: entry {entry} cannot be replayed: {message}\n  statement: {statement}", .path.display())]
    Replay {
        path: PathBuf,
        entry: usize,
        statement: String,
        message: String,
    },
    /// A save a crash interrupted after its commit cannot be finished safely.
    #[error("journal: {}: {reason}", .path.display())]
    UnfinishedSave { path: PathBuf, reason: String },
    /// Another process holds the folder's lock.
    #[error("journal: {0}")]
    Locked(#[from] LockError),
    /// Another process changed the folder since this one loaded it.
    #[error(
        "journal: the dataset in {} changed since it was loaded (another process wrote \
         to it); load it again (:load in the shell) before changing it", .dir.display()
    )]
    Changed { dir: PathBuf },
    /// A change succeeded but could not be made durable; journaling stops.
    #[error(
        "journal: the change was made in memory but could not be written to {}: {reason}; \
         it and later changes are in memory only (:save DIR writes them to a folder)", .path.display()
    )]
    NotDurable { path: PathBuf, reason: String },
    /// Saving the graph as CSV failed.
    #[error("{0}")]
    Save(#[from] LoadError),
}

/// The header of a journal of `generation`.
pub fn header(generation: u64) -> [u8; HEADER_LEN as usize] {
    let mut bytes = [0u8; HEADER_LEN as usize];
    bytes[..4].copy_from_slice(MAGIC);
    bytes[4..12].copy_from_slice(&generation.to_le_bytes());
    let crc = crc32fast::hash(&bytes[..12]);
    bytes[12..].copy_from_slice(&crc.to_le_bytes());
    bytes
}

/// A journal as read from disk.
#[derive(Debug, Default)]
pub struct Contents {
    /// The generation of the CSV snapshot the entries apply to.
    pub generation: u64,
    /// The statements of the whole entries, in order (a transaction's one by one).
    pub entries: Vec<Entry>,
    /// Where the last whole entry ends.
    pub valid_len: u64,
    /// The file's length, a torn last entry included.
    pub file_len: u64,
    /// The warning about a torn last entry, if there was one.
    pub torn: Option<String>,
}

/// Reads the journal at `path`; `None` when there is none.
///
/// # Errors
/// [`JournalError::BadHeader`], [`JournalError::Damaged`] or [`JournalError::Io`].
pub fn read(path: &Path) -> Result<Option<Contents>, JournalError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_at(path)(e)),
    };
    let mut contents = Contents {
        generation: read_header(path, &bytes)?,
        file_len: bytes.len() as u64,
        ..Contents::default()
    };
    let mut offset = HEADER_LEN as usize;
    let mut number = 0;
    while offset < bytes.len() {
        number += 1;
        let damaged = |reason: String| JournalError::Damaged {
            path: path.to_path_buf(),
            entry: number,
            offset: offset as u64,
            reason,
        };
        match frame_at(&bytes, offset) {
            Ok((payload, end)) => {
                // A transaction's statements are replayed one after the other.
                contents
                    .entries
                    .extend(Entry::all_from_payload(payload).map_err(damaged)?);
                offset = end;
            }
            // Appends are flushed one at a time, so only the last one can be torn: a
            // whole entry after a bad one means damage, not a crash. So does a last entry
            // that is all there, with its length, yet fails its checksum: a crash leaves
            // a short entry or zeros, not changed bytes.
            Err(reason)
                if any_frame_from(&bytes, offset + 1)
                    || entry::whole_but_altered(&bytes, offset) =>
            {
                return Err(damaged(reason.to_string()));
            }
            Err(_) => {
                contents.torn = Some(format!(
                    "warning: {}: the last entry (entry {number}, at byte {offset}) is \
                     incomplete, written when a crash cut it short; it was never \
                     acknowledged and is dropped",
                    path.display()
                ));
                break;
            }
        }
    }
    contents.valid_len = offset as u64;
    Ok(Some(contents))
}

fn read_header(path: &Path, bytes: &[u8]) -> Result<u64, JournalError> {
    let bad = |reason: &str| JournalError::BadHeader {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let head = bytes
        .get(..HEADER_LEN as usize)
        .ok_or_else(|| bad("too short"))?;
    if &head[..4] != MAGIC {
        return Err(bad("wrong magic bytes"));
    }
    let generation = u64::from_le_bytes(head[4..12].try_into().unwrap_or_default());
    if head[..] != header(generation) {
        return Err(bad("header checksum does not match"));
    }
    Ok(generation)
}

/// The generation and length of the journal in `dir` now (0 and `None` without one).
fn current_state(dir: &Path) -> Result<(u64, Option<u64>), JournalError> {
    let path = dir.join(JOURNAL_FILE);
    let file = match File::open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((0, None)),
        Err(e) => return Err(io_at(&path)(e)),
    };
    let mut head = Vec::with_capacity(HEADER_LEN as usize);
    (&file)
        .take(HEADER_LEN)
        .read_to_end(&mut head)
        .map_err(io_at(&path))?;
    let len = file.metadata().map_err(io_at(&path))?.len();
    Ok((read_header(&path, &head)?, Some(len)))
}

/// A dataset folder as recovered from disk: the CSV files' graph and the journal entries
/// still to replay over it (replaying runs statements, which is the database's job:
/// [`crate::Database::open_dir`]).
pub struct Recovered {
    /// The CSV files' graph, before the journal.
    pub graph: Graph,
    /// The journal, to attach to the database that takes the graph.
    pub journal: Journal,
    /// The entries to replay, in order.
    pub entries: Vec<Entry>,
    /// Warnings to show (a torn last entry).
    pub warnings: Vec<String>,
}

/// Recovers the dataset folder `dir`: finishes a save a crash interrupted, loads the CSV
/// files with `load_csv`, then reads the journal's entries.
///
/// # Errors
/// The loader's error, or a [`JournalError`]: a damaged journal, or a folder that another
/// process saved while it loaded.
pub fn recover<E: From<JournalError>>(
    dir: &Path,
    load_csv: impl FnOnce() -> Result<Graph, E>,
) -> Result<Recovered, E> {
    fold::finish_interrupted_save(dir)?;
    let (before, _) = current_state(dir)?;
    let graph = load_csv()?;
    let path = dir.join(JOURNAL_FILE);
    let contents = read(&path)?;
    let changed = fs::exists(dir.join(fold::COMMIT_FILE)).unwrap_or(true)
        || contents.as_ref().map_or(0, |c| c.generation) != before;
    if changed {
        return Err(JournalError::Changed {
            dir: dir.to_path_buf(),
        }
        .into());
    }
    let mut journal = Journal {
        dir: dir.to_path_buf(),
        generation: before,
        seen_len: None,
        valid_len: HEADER_LEN,
        writer: None,
    };
    let mut entries = Vec::new();
    let mut warnings = Vec::new();
    if let Some(contents) = contents {
        journal.seen_len = Some(contents.file_len);
        journal.valid_len = contents.valid_len;
        entries = contents.entries;
        warnings.extend(contents.torn);
    }
    Ok(Recovered {
        graph,
        journal,
        entries,
        warnings,
    })
}

/// The error for the `entry`th (1-based) journal entry of `dir` failing to replay.
pub fn replay_failed(dir: &Path, entry: usize, statement: &str, message: String) -> JournalError {
    JournalError::Replay {
        path: dir.join(JOURNAL_FILE),
        entry,
        statement: statement.to_string(),
        message,
    }
}

/// The journal of one dataset folder, as this process last saw it, and (from the first
/// write on) the folder's lock and the open file.
#[derive(Debug)]
pub struct Journal {
    dir: PathBuf,
    generation: u64,
    /// The file's length when loaded (`None`: there was no file), to tell whether
    /// another process wrote since.
    seen_len: Option<u64>,
    /// Where the next entry goes.
    valid_len: u64,
    writer: Option<Writer>,
}

#[derive(Debug)]
struct Writer {
    _lock: WriterLock,
    file: File,
}

impl Journal {
    /// The journal of `dir` as it is now, to save a graph there (`:save DIR`), creating
    /// the folder if needed.
    ///
    /// # Errors
    /// [`JournalError::Io`], or the errors of finishing an interrupted save.
    pub fn for_saving(dir: &Path) -> Result<Journal, JournalError> {
        // Reported as `save_dir` reports it, as a dataset folder that cannot be made.
        fs::create_dir_all(dir).map_err(|source| LoadError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        fold::finish_interrupted_save(dir)?;
        let (generation, len) = current_state(dir).or_else(|e| match e {
            // The folder's dataset is about to be replaced, damaged journal and all.
            JournalError::BadHeader { .. } => Ok((0, None)),
            e => Err(e),
        })?;
        Ok(Journal {
            dir: dir.to_path_buf(),
            generation,
            seen_len: len,
            valid_len: len.unwrap_or(HEADER_LEN),
            writer: None,
        })
    }

    /// The folder this journal belongs to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether `dir` is this journal's folder.
    pub fn is_for(&self, dir: &Path) -> bool {
        match (fs::canonicalize(dir), fs::canonicalize(&self.dir)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }

    /// Gets ready to write: takes the folder's lock (once), checks that no other
    /// process changed the dataset since this one loaded it, and opens (or creates)
    /// the journal, dropping a torn last entry.
    ///
    /// # Errors
    /// [`JournalError::Locked`] naming the process that holds the lock,
    /// [`JournalError::Changed`], or [`JournalError::Io`].
    pub fn begin_write(&mut self) -> Result<(), JournalError> {
        if self.writer.is_some() {
            return Ok(());
        }
        let lock = WriterLock::acquire(&self.dir)?;
        let now = current_state(&self.dir)?;
        let committing = fs::exists(self.dir.join(fold::COMMIT_FILE)).unwrap_or(true);
        if now != (self.generation, self.seen_len) || committing {
            return Err(JournalError::Changed {
                dir: self.dir.clone(),
            });
        }
        fold::remove_staging(&self.dir)?;
        fold::remove_stale_temps(&self.dir)?;
        let path = self.dir.join(JOURNAL_FILE);
        if self.seen_len.is_none() {
            fold::write_atomically(&path, &header(self.generation))?;
            self.valid_len = HEADER_LEN;
        }
        let file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(io_at(&path))?;
        file.set_len(self.valid_len)
            .and_then(|()| file.sync_data())
            .map_err(io_at(&path))?;
        self.seen_len = Some(self.valid_len);
        self.writer = Some(Writer { _lock: lock, file });
        Ok(())
    }

    /// Appends one framed entry and flushes it to disk. On failure the file is cut back
    /// to where it was.
    ///
    /// # Errors
    /// [`JournalError::NotDurable`].
    pub fn append(&mut self, frame: &[u8]) -> Result<(), JournalError> {
        let path = self.dir.join(JOURNAL_FILE);
        let not_durable = |reason: String| JournalError::NotDurable {
            path: path.clone(),
            reason,
        };
        let Some(writer) = self.writer.as_mut() else {
            return Err(not_durable("the journal is not open for writing".into()));
        };
        let file = &mut writer.file;
        let written = file
            .seek(SeekFrom::Start(self.valid_len))
            .and_then(|_| file.write_all(frame))
            .and_then(|()| file.sync_data());
        if let Err(e) = written {
            let _ = file.set_len(self.valid_len);
            return Err(not_durable(e.to_string()));
        }
        self.valid_len += frame.len() as u64;
        self.seen_len = Some(self.valid_len);
        Ok(())
    }

    /// Saves `graph` as the folder's dataset and empties the journal ([`fold`]). A
    /// failed save lets go of the lock, so the next write checks the folder again.
    ///
    /// # Errors
    /// See [`fold::save`].
    pub fn save(&mut self, graph: &Graph) -> Result<SaveSummary, JournalError> {
        self.begin_write()?;
        let Some(Writer { _lock: lock, .. }) = self.writer.take() else {
            unreachable!("Journal::save: begin_write leaves a writer");
        };
        let generation = self.generation + 1;
        let summary = fold::save(graph, &self.dir, generation)?;
        // The save replaced the file: adopt the new, empty one, still holding the lock.
        let path = self.dir.join(JOURNAL_FILE);
        let file = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(io_at(&path))?;
        self.generation = generation;
        self.seen_len = Some(HEADER_LEN);
        self.valid_len = HEADER_LEN;
        self.writer = Some(Writer { _lock: lock, file });
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use entry::FRAME_LEN;

    fn entry(statement: &str) -> Vec<u8> {
        Entry {
            statement: statement.into(),
            params: Default::default(),
            clock: None,
        }
        .to_frame()
        .unwrap()
    }

    fn journal_with(frames: &[Vec<u8>]) -> (tempfile::TempDir, PathBuf, Vec<u8>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JOURNAL_FILE);
        let mut bytes = header(3).to_vec();
        frames.iter().for_each(|f| bytes.extend_from_slice(f));
        fs::write(&path, &bytes).unwrap();
        (dir, path, bytes)
    }

    #[test]
    fn read_returns_generation_and_entries() {
        let (_dir, path, bytes) = journal_with(&[entry("CREATE ()"), entry("CREATE (:A)")]);
        let contents = read(&path).unwrap().unwrap();
        assert_eq!(contents.generation, 3);
        assert_eq!(contents.entries.len(), 2);
        assert_eq!(contents.entries[1].statement, "CREATE (:A)");
        assert_eq!(contents.valid_len, bytes.len() as u64);
        assert!(contents.torn.is_none());
    }

    #[test]
    fn a_torn_last_entry_is_dropped_with_a_warning() {
        let first = entry("CREATE ()");
        let second = entry("CREATE (:A)");
        let zeros = vec![0; second.len()];
        let cuts = [1, FRAME_LEN, FRAME_LEN + 3, second.len() - 1];
        let tails = cuts
            .iter()
            .map(|&cut| second[..cut].to_vec())
            .chain([zeros]);
        for (cut, tail) in tails.enumerate() {
            let (_dir, path, _) = journal_with(&[first.clone(), tail]);
            let contents = read(&path).unwrap().unwrap();
            assert_eq!(contents.entries.len(), 1, "cut at {cut}");
            assert_eq!(contents.valid_len, HEADER_LEN + first.len() as u64);
            let warning = contents.torn.unwrap();
            assert!(
                warning.contains("the last entry (entry 2, at byte"),
                "{warning}"
            );
        }
    }

    #[test]
    fn a_whole_last_entry_failing_its_checksum_is_damage_not_a_torn_write() {
        let mut garbled = entry("CREATE (:A)");
        let last = garbled.len() - 2;
        garbled[last] ^= 0x55;
        let (_dir, path, _) = journal_with(&[entry("CREATE ()"), garbled.clone()]);
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.contains("entry 2 (at byte") && err.contains("is damaged: its checksum"),
            "{err}"
        );
        let (_dir, path, _) = journal_with(&[garbled, entry("CREATE ()")]);
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.contains("datatrail.journal: entry 1 (at byte 16) is damaged: its checksum"),
            "{err}"
        );
    }

    #[test]
    fn a_damaged_length_in_the_middle_is_an_error_not_a_torn_end() {
        let mut long = entry("CREATE (:A)");
        long[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        let (_dir, path, _) = journal_with(&[entry("CREATE ()"), long, entry("CREATE (:B)")]);
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("entry 2 (at byte"), "{err}");
        assert!(err.contains("is damaged: it is cut short"), "{err}");
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(JOURNAL_FILE);
        fs::write(&path, b"nodes,edges\n1,2,3,4,5,6,7\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(
            err.ends_with("not a datatrail journal (wrong magic bytes)"),
            "{err}"
        );
    }
}
