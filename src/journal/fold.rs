//! Saving a dataset folder safely: the new CSV files and an empty journal of the next
//! generation replace the old ones as one step, whatever moment a crash comes at.
//!
//! 1. The graph is written into a staging folder, `datatrail.saving/`, and every file
//!    and the folder are flushed to disk. A crash here leaves the dataset as it was;
//!    the next writer removes the staging folder.
//! 2. The save is committed by writing `datatrail.saving.json` (atomically: a flushed
//!    temporary file renamed into place): the new generation and the list of files, each
//!    with its size and SHA-256.
//! 3. Rolling forward: the staged files are renamed into the folder, files of the old
//!    snapshot that the new one lacks are removed, the journal is replaced by an empty
//!    one naming the new generation, and the commit file and staging folder are
//!    removed. Each step can be redone, so a crash anywhere in 3 is finished by the next
//!    process that opens the folder ([`finish_interrupted_save`]), and entries of the
//!    old journal are never replayed over the new CSV files. Before anything is renamed
//!    or removed, every listed file is checked, staged or already in place, against its
//!    size and hash: a commit file that is damaged, crafted, or whose staged files went
//!    missing stops the open with an error and leaves every file as it was.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::json;
use sha2::{Digest, Sha256};

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
    let summary = load::save_dir_with(graph, &staging, crate::casework::LAYOUT)?;
    for file in &summary.files {
        File::open(file)
            .and_then(|f| f.sync_all())
            .map_err(io_at(file))?;
    }
    sync_dir(&staging)?;
    let commit = commit_record(generation, &summary.files)?;
    write_atomically(&dir.join(COMMIT_FILE), commit.as_bytes())?;
    let names: Vec<String> = summary
        .files
        .iter()
        .filter_map(|f| f.file_name().and_then(|n| n.to_str()).map(str::to_string))
        .collect();
    roll_forward(dir, generation, &names)?;
    Ok(SaveSummary {
        files: names.iter().map(|n| dir.join(n)).collect(),
        ..summary
    })
}

/// The text of a commit file for the staged `files` of a save of `generation`: each
/// file's name, size and SHA-256.
///
/// # Errors
/// [`JournalError::Io`] when a file cannot be read.
pub fn commit_record(generation: u64, files: &[PathBuf]) -> Result<String, JournalError> {
    let mut listed = Vec::with_capacity(files.len());
    for file in files {
        let Some(name) = file.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let (size, sha256) = fingerprint(file)?;
        listed.push(json!({ "name": name, "size": size, "sha256": sha256 }));
    }
    Ok(json!({ "generation": generation, "files": listed }).to_string())
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
    let damaged = |reason: &str| JournalError::UnfinishedSave {
        path: path.clone(),
        reason: format!(
            "the commit file of an interrupted save is damaged ({reason}); nothing was \
             changed (move it away to open the folder as its files are now)"
        ),
    };
    let commit: serde_json::Value = serde_json::from_str(&text).map_err(|_| damaged("not JSON"))?;
    let generation = commit["generation"]
        .as_u64()
        .ok_or_else(|| damaged("no generation"))?;
    let listed = commit["files"]
        .as_array()
        .ok_or_else(|| damaged("no file list"))?;
    let mut names = Vec::with_capacity(listed.len());
    for entry in listed {
        let file = StagedFile::from_json(entry).map_err(|reason| damaged(&reason))?;
        file.verify(dir)?;
        names.push(file.name);
    }
    for needed in ["nodes.csv", "edges.csv"] {
        if !names.iter().any(|n| n == needed) {
            return Err(damaged(&format!("the file list lacks {needed}")));
        }
    }
    roll_forward(dir, generation, &names)?;
    Ok(true)
}

/// A file a committed save lists: where it is found, staged or already moved, must hold
/// exactly what was saved.
struct StagedFile {
    name: String,
    size: u64,
    sha256: String,
}

impl StagedFile {
    fn from_json(entry: &serde_json::Value) -> Result<StagedFile, String> {
        let name = entry["name"].as_str().ok_or("a listed file has no name")?;
        // A plain file name of the dataset: nothing outside the folder can be named.
        let plain = Path::new(name).file_name().and_then(|n| n.to_str()) == Some(name);
        if !plain || !name.ends_with(".csv") {
            return Err(format!("{name:?} is not the name of a dataset file"));
        }
        Ok(StagedFile {
            name: name.to_string(),
            size: entry["size"]
                .as_u64()
                .ok_or_else(|| format!("{name} has no size"))?,
            sha256: entry["sha256"]
                .as_str()
                .ok_or_else(|| format!("{name} has no hash"))?
                .to_string(),
        })
    }

    /// Checks the staged copy, or (when a crash came after it was moved) the one in `dir`.
    fn verify(&self, dir: &Path) -> Result<(), JournalError> {
        let staged = dir.join(STAGING_DIR).join(&self.name);
        let path = if staged.exists() {
            staged
        } else {
            dir.join(&self.name)
        };
        let matches = match fingerprint(&path) {
            Ok((size, sha256)) => size == self.size && sha256 == self.sha256,
            Err(_) => false,
        };
        if matches {
            return Ok(());
        }
        Err(JournalError::UnfinishedSave {
            path: dir.join(COMMIT_FILE),
            reason: format!(
                "an interrupted save cannot be finished: {} is missing or not what was saved; \
                 nothing was changed (move {COMMIT_FILE} away to open the folder as its files \
                 are now)",
                self.name
            ),
        })
    }
}

/// The size and SHA-256 (hex) of a file.
fn fingerprint(path: &Path) -> Result<(u64, String), JournalError> {
    let mut file = File::open(path).map_err(io_at(path))?;
    let mut hasher = Sha256::new();
    let size = io::copy(&mut file, &mut hasher).map_err(io_at(path))?;
    let digest = hasher.finalize();
    let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
    Ok((size, hex))
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

/// Why `target` must not be written by anything but the dataset itself: it is a data
/// file (`nodes.csv`, `edges-2.csv`, `sources.csv`, a `datatrail.*` file) of a folder
/// that is a dataset in use, one with a lock file or a journal. Writing there behind
/// the dataset's back would replace what the journal replays onto, or what another
/// process has loaded. `open` is the dataset folder this process has loaded, if any,
/// which counts as in use without a lock file. `None` for any other path.
pub fn dataset_file_in_use(target: &Path, open: Option<&Path>) -> Option<String> {
    let name = target.file_name()?.to_str()?;
    let numbered = |stem: &str| {
        let rest = name.strip_prefix(stem).and_then(|r| r.strip_suffix(".csv"));
        rest.is_some_and(|r| r.is_empty() || r.strip_prefix('-').is_some_and(is_number))
    };
    let data_file =
        ["nodes", "edges", "sources"].into_iter().any(numbered) || name.starts_with("datatrail.");
    if !data_file {
        return None;
    }
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let same = |a: &Path, b: &Path| match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let in_use = open.is_some_and(|open| same(open, dir))
        || [crate::lock::LOCK_FILE, JOURNAL_FILE]
            .iter()
            .any(|f| dir.join(f).exists());
    in_use.then(|| {
        format!(
            "{} is a file of the dataset in {}, which is open or locked; write the data with --save or to another file",
            name,
            dir.display()
        )
    })
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Removes the temporary files (`.datatrail-*.tmp`) that a crash left in `dir` while a
/// file was being replaced. One written to in the last minute may belong to a process
/// writing there right now (`COPY ... TO` another file of the folder) and is left alone.
pub fn remove_stale_temps(dir: &Path) -> Result<(), JournalError> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return Err(io_at(dir)(e)),
    };
    let stale = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(".datatrail-") && name.ends_with(".tmp")) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < stale);
        if old && entry.file_type().is_ok_and(|t| t.is_file()) {
            fs::remove_file(entry.path()).map_err(io_at(&entry.path()))?;
        }
    }
    Ok(())
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
