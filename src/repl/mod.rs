//! The interactive shell on rustyline.

pub mod input;
