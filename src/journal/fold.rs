//! Saving a dataset folder safely: the new CSV files and an empty journal of the next
//! generation replace the old ones as one step, whatever moment a crash comes at.
//!
//! 1. The graph is written into a staging folder, `datatrail.saving/`, and every file
//!    and the folder are flushed to disk. A crash here leaves the dataset as it was;
//!    the next writer removes the staging folder.
//! 2. The save is committed by writing `datatrail.saving.json` (atomically: a flushed
//!    temporary file renamed into place): the new generation and the list of files.
//! 3. Rolling forward: the staged files are renamed into the folder, files of the old
//!    snapshot that the new one lacks are removed, the journal is replaced by an empty
//!    one naming the new generation, and the commit file and staging folder are
//!    removed. Each step can be redone, so a crash anywhere in 3 is finished by the next
//!    process that opens the folder ([`finish_interrupted_save`]), and entries of the
//!    old journal are never replayed over the new CSV files.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::json;

use crate::graph::Graph;
use crate::load::{self, SaveSummary, Sources};
use crate::lock::WriterLock;

use super::{JOURNAL_FILE, JournalError, header};

/// The staging folder of a save in progress.
pub const STAGING_DIR: &str = "datatrail.saving";
/// The file whose presence commits a save in progress.
pub const COMMIT_FILE: &str = "datatrail.saving.json";

/// Writes `graph` as the dataset of `dir`, with an empty journal of `generation`. The
/// caller holds the folder's lock.
///
/// # Errors
/// [`JournalError::Save`] when the graph cannot be written as CSV (the folder is left
/// as it was), [`JournalError::Io`] when the disk fails.
pub fn save(graph: &Graph, dir: &Path, generation: u64) -> Result<SaveSummary, JournalError> {
    finish_locked(dir)?;
    remove_staging(dir)?;
    let staging = dir.join(STAGING_DIR);
    let summary = load::save_dir(graph, &staging)?;
    let mut names = Vec::with_capacity(summary.files.len());
    for file in &summary.files {
        File::open(file)
            .and_then(|f| f.sync_all())
            .map_err(io_at(file))?;
        if let Some(name) = file.file_name().and_then(|n| n.to_str()) {
            names.push(name.to_string());
        }
    }
    sync_dir(&staging)?;
    let commit = json!({ "generation": generation, "files": names }).to_string();
    write_atomically(&dir.join(COMMIT_FILE), commit.as_bytes())?;
    roll_forward(dir, generation, &names)?;
    Ok(SaveSummary {
        files: names.iter().map(|n| dir.join(n)).collect(),
        ..summary
    })
}

/// Finishes a save that a crash interrupted after it was committed, taking the folder's
/// lock for the time it takes. Returns whether there was one.
///
/// # Errors
/// [`JournalError::Locked`] when another process holds the lock (it may be saving right
/// now), [`JournalError::Io`] when the disk fails.
pub fn finish_interrupted_save(dir: &Path) -> Result<bool, JournalError> {
    if !dir.join(COMMIT_FILE).exists() {
        return Ok(false);
    }
    let _lock = WriterLock::acquire(dir)?;
    finish_locked(dir)
}

/// [`finish_interrupted_save`] for a caller holding the lock.
fn finish_locked(dir: &Path) -> Result<bool, JournalError> {
    let path = dir.join(COMMIT_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io_at(&path)(e)),
    };
    let damaged = |reason: &str| JournalError::BadHeader {
        path: path.clone(),
        reason: reason.to_string(),
    };
    let commit: serde_json::Value = serde_json::from_str(&text).map_err(|_| damaged("not JSON"))?;
    let generation = commit["generation"]
        .as_u64()
        .ok_or_else(|| damaged("no generation"))?;
    let names: Vec<String> = commit["files"]
        .as_array()
        .ok_or_else(|| damaged("no file list"))?
        .iter()
        .filter_map(|n| n.as_str().map(str::to_string))
        .collect();
    roll_forward(dir, generation, &names)?;
    Ok(true)
}

/// Step 3 of a save; every part of it can run again after a crash.
fn roll_forward(dir: &Path, generation: u64, names: &[String]) -> Result<(), JournalError> {
    let staging = dir.join(STAGING_DIR);
    for name in names {
        let staged = staging.join(name);
        if staged.exists() {
            fs::rename(&staged, dir.join(name)).map_err(io_at(&staged))?;
        }
    }
    let current = Sources::from_dir(dir)?;
    for old in current.nodes.iter().chain(&current.edges) {
        let kept = old
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| names.iter().any(|name| name == n));
        if !kept {
            fs::remove_file(old).map_err(io_at(old))?;
        }
    }
    sync_dir(dir)?;
    write_atomically(&dir.join(JOURNAL_FILE), &header(generation))?;
    let commit = dir.join(COMMIT_FILE);
    fs::remove_file(&commit).map_err(io_at(&commit))?;
    remove_staging(dir)?;
    sync_dir(dir)
}

/// Removes the staging folder of a save that never committed (or has finished).
pub fn remove_staging(dir: &Path) -> Result<(), JournalError> {
    let staging = dir.join(STAGING_DIR);
    match fs::remove_dir_all(&staging) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_at(&staging)(e)),
        _ => Ok(()),
    }
}

/// Replaces `path` by a file holding `bytes`, so that a crash leaves either the old file
/// or the whole new one; the folder entry is flushed too.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), JournalError> {
    let mut tmp = crate::atomic::temp_file_beside(path).map_err(io_at(path))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(io_at(path))?;
    tmp.persist(path).map_err(|e| io_at(path)(e.error))?;
    sync_dir(path.parent().unwrap_or(Path::new(".")))
}

/// Flushes a folder's entries (new, renamed and removed files) to disk.
pub fn sync_dir(dir: &Path) -> Result<(), JournalError> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    // Folders cannot be opened as files on Windows; there, renames are durable once done.
    if cfg!(windows) {
        return Ok(());
    }
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_at(dir))
}

pub(super) fn io_at(path: &Path) -> impl FnOnce(io::Error) -> JournalError + use<> {
    let path: PathBuf = path.to_path_buf();
    move |source| JournalError::Io { path, source }
}
