//! The application layer: what a person runs on top of the library. The interactive
//! shell ([`shell::Repl`]), scripts and one-off statements ([`run::Runner`], shared by
//! the shell and the command line's batch mode), meta commands, completion, and where a
//! session's dataset comes from and goes to. Nothing in the library imports it.

pub mod command;
pub mod dataset;
pub mod helper;
pub mod input;
pub mod param;
pub mod progress;
pub mod run;
pub mod schema;
pub mod shell;
pub mod sources;
pub mod stream;

pub use dataset::{
    Dataset, check_data_dir, data_dir_sources, load_dir, loaded_message, open_dir, saved_message,
};
pub use param::parse_param;

/// `1 node`, `2 nodes`: a count with its noun, singular for exactly one.
pub fn counted(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}
pub use shell::{Repl, Step, describe_limits, history_path};
