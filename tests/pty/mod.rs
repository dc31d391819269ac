//! The shell in a pseudo-terminal, for the tests that drive it as a user would.

use std::process::Command;

use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};

pub const PROMPT: &str = "datatrail> ";

/// Starts `cmd` (the binary, its arguments and folders already set) in a pseudo-terminal
/// with plain, uncoloured output, without waiting for anything.
pub fn spawn_plain(mut cmd: Command) -> PtySession {
    cmd.env("NO_COLOR", "1").env("TERM", "xterm");
    let options = Options::new()
        .timeout_ms(Some(30_000))
        .strip_ansi_escape_codes(true);
    spawn_with_options(cmd, options).unwrap()
}

/// Like [`spawn_plain`], and waits for the first prompt.
pub fn start_shell(cmd: Command) -> PtySession {
    let mut session = spawn_plain(cmd);
    session.exp_string(PROMPT).unwrap();
    session
}
