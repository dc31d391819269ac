//! ResultSet → table, CSV, JSON: one representation of each value, used by every format.

use thiserror::Error;

/// Why a result could not be written.
#[derive(Debug, Error)]
pub enum ExportError {
    #[error("export: {0}")]
    Io(#[from] std::io::Error),
}
