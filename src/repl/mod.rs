//! The interactive shell on rustyline.

pub mod command;
pub mod helper;
pub mod input;
pub mod run;
pub mod schema;
