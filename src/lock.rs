//! One writer per dataset folder: an advisory lock file, `datatrail.lock`, held with the
//! operating system's exclusive file lock (`flock` on Unix, `LockFileEx` on Windows)
//! for as long as a process may write to the folder. The OS drops the lock when the
//! process ends, however it ends, so a crashed writer never leaves a stale lock; the
//! file itself only says which process holds it, for the message a second writer gets.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// The lock file's name inside a dataset folder.
pub const LOCK_FILE: &str = "datatrail.lock";

/// Why the lock could not be taken.
#[derive(Debug, Error)]
pub enum LockError {
    /// Another process holds the lock.
    #[error("{} is open for writing by {}; one process at a time may write to a dataset (read-only statements still work)", .dir.display(), holder(*.pid))]
    Held { dir: PathBuf, pid: Option<u32> },
    /// The lock file could not be created or locked.
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
}

fn holder(pid: Option<u32>) -> String {
    match pid {
        Some(pid) => format!("process {pid}"),
        None => "another process".to_string(),
    }
}

/// The held lock of one dataset folder; dropping it releases the lock.
#[derive(Debug)]
pub struct WriterLock {
    // Never read: holding the open, locked file is what keeps the lock.
    _file: File,
}

impl WriterLock {
    /// Takes the lock of `dir` without waiting, and writes this process's id into the
    /// lock file.
    ///
    /// # Errors
    /// [`LockError::Held`] naming the holder's process id when another process holds
    /// it (another handle in this same process counts too), [`LockError::Io`] when the
    /// file cannot be created or locked.
    pub fn acquire(dir: &Path) -> Result<WriterLock, LockError> {
        let path = dir.join(LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Held {
                    dir: dir.to_path_buf(),
                    pid: holder_pid(&mut file),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        file.sync_data().map_err(io)?;
        Ok(WriterLock { _file: file })
    }
}

/// The process id the holder wrote, if it has written it yet.
fn holder_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_is_exclusive_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let held = WriterLock::acquire(dir.path()).unwrap();
        match WriterLock::acquire(dir.path()) {
            Err(LockError::Held { pid, .. }) => assert_eq!(pid, Some(std::process::id())),
            other => panic!("expected Held, got {other:?}"),
        }
        drop(held);
        assert!(WriterLock::acquire(dir.path()).is_ok());
    }

    #[test]
    fn held_message_names_the_process() {
        let err = LockError::Held {
            dir: PathBuf::from("case"),
            pid: Some(42),
        };
        assert!(
            err.to_string()
                .starts_with("case is open for writing by process 42;"),
            "{err}"
        );
    }
}
