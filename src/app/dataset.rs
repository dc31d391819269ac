//! Where the REPL's graph comes from and goes to: dataset folders checked before they
//! load (`--data`, `:load`) and opened with their journal replayed, what `:save` without
//! a folder means, and the line `:save` and `--save` print.

use std::io;
use std::path::{Path, PathBuf};

use crate::Opened;
use crate::app::progress;
use crate::graph::Graph;
use crate::load::{LoadError, SaveSummary, Sources};

/// Where the graph came from, which decides where `:save` without a folder writes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Dataset {
    /// The case graph compiled into the binary: there is no folder to save to.
    #[default]
    Embedded,
    /// Node and edge files named one by one (`--nodes`, `--edges`), not a folder.
    Files,
    /// A dataset folder (`--data DIR`, `:load DIR`, or the last `:save DIR`).
    Folder(PathBuf),
}

/// Loads a dataset folder (`--data`, `:load`), saying plainly when the folder is not
/// there; with `progress`, a large one shows a progress bar on stderr.
///
/// # Errors
/// Any [`LoadError`].
pub fn load_dir(dir: &Path, progress: bool) -> Result<Graph, LoadError> {
    progress::load_with_bar(&data_dir_sources(dir)?, progress)
}

/// Opens a dataset folder for the command line and the REPL: its CSV files (with a
/// progress bar when `progress`), then its journal replayed ([`journal::open`]).
///
/// # Errors
/// [`crate::Error::Load`] or [`crate::Error::Journal`].
pub fn open_dir(dir: &Path, progress: bool) -> Result<Opened, crate::Error> {
    check_data_dir(dir)?;
    crate::Database::open_dir(dir, || Ok(load_dir(dir, progress)?))
}

/// `loaded 12 nodes and 3 relationships from DIR`, plus the journal entries replayed.
pub fn loaded_message(opened: &Opened, dir: &Path) -> String {
    let mut message = format!(
        "loaded {} and {} from {}",
        super::counted(opened.graph.node_count() as u64, "node", "nodes"),
        super::counted(
            opened.graph.rel_count() as u64,
            "relationship",
            "relationships"
        ),
        dir.display()
    );
    match opened.replayed {
        0 => {}
        1 => message.push_str(" (1 change replayed from the journal)"),
        n => message.push_str(&format!(" ({n} changes replayed from the journal)")),
    }
    message
}

/// The files of a dataset folder ([`Sources::from_dir`]), saying plainly when the
/// folder is not there.
///
/// # Errors
/// Any [`LoadError`].
pub fn data_dir_sources(dir: &Path) -> Result<Sources, LoadError> {
    check_data_dir(dir)?;
    Sources::from_dir(dir)
}

/// `saved 12 nodes and 3 relationships to DIR`, as `:save` and `--save` report it.
pub fn saved_message(summary: &SaveSummary, dir: &Path) -> String {
    format!(
        "saved {} and {} to {}",
        super::counted(summary.nodes as u64, "node", "nodes"),
        super::counted(summary.rels as u64, "relationship", "relationships"),
        dir.display()
    )
}

/// Fails unless `dir` is a folder, naming it.
///
/// # Errors
/// [`LoadError::Io`] saying the folder is missing or is a file.
pub fn check_data_dir(dir: &Path) -> Result<(), LoadError> {
    if !dir.is_dir() {
        let kind = if dir.exists() {
            "is not a folder"
        } else {
            "no such folder"
        };
        return Err(LoadError::Io {
            path: dir.to_path_buf(),
            source: io::Error::new(io::ErrorKind::NotFound, kind),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_message_counts_nodes_and_relationships() {
        let summary = |nodes, rels| SaveSummary {
            files: Vec::new(),
            nodes,
            rels,
        };
        assert_eq!(
            saved_message(&summary(1, 2), Path::new("case")),
            "saved 1 node and 2 relationships to case"
        );
        assert_eq!(
            saved_message(&summary(40, 1), Path::new("case")),
            "saved 40 nodes and 1 relationship to case"
        );
    }

    #[test]
    fn a_missing_or_file_folder_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "").unwrap();
        let message = check_data_dir(&file).unwrap_err().to_string();
        assert!(message.ends_with(": is not a folder"), "{message}");
        assert!(check_data_dir(dir.path()).is_ok());
    }
}
