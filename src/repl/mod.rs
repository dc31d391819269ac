//! The interactive shell on rustyline.
