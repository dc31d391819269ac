//! Any text, parsed, planned and run against the case graph shipped in `data/`: the
//! result is rows or an error, never a panic, a stack overflow or runaway memory.
//!
//! Each input gets a fresh copy of the graph (writes do not leak into the next input)
//! and a time budget: past it the interrupt flag is raised, as Ctrl-C does in the REPL,
//! so a legitimately expensive query (a long var-length expansion, a big UNWIND) stops
//! with "interrupted" instead of being reported as a hang. A loop that ignores the flag
//! still runs into libFuzzer's -timeout and is a finding.
#![no_main]

use std::sync::OnceLock;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::Duration;

use datatrail::ast::Statement;
use datatrail::{Database, Graph};
use libfuzzer_sys::fuzz_target;

/// How long one input may run before it is interrupted.
const BUDGET: Duration = Duration::from_millis(300);

fn case_graph() -> &'static Graph {
    static GRAPH: OnceLock<Graph> = OnceLock::new();
    GRAPH.get_or_init(|| datatrail::load::load_embedded().expect("the shipped case graph loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(statements) = datatrail::parser::parse(text) else {
        return;
    };
    // COPY writes files wherever its path says: not something to do with random paths.
    if statements
        .iter()
        .any(|s| matches!(s, Statement::Copy { .. }))
    {
        return;
    }
    let mut db = Database::with_graph(case_graph().clone());
    let interrupt = db.interrupt_flag();
    let (done, finished) = mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            if finished.recv_timeout(BUDGET) == Err(mpsc::RecvTimeoutError::Timeout) {
                // The flag is cleared when each statement starts: keep raising it until
                // the whole input has stopped.
                loop {
                    interrupt.store(true, Ordering::Relaxed);
                    if finished.recv_timeout(Duration::from_millis(1))
                        != Err(mpsc::RecvTimeoutError::Timeout)
                    {
                        break;
                    }
                }
            }
        });
        let _ = db.execute(text);
        drop(done);
    });
});
