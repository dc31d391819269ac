//! Inputs built to outgrow a bound, each a finding if it crashes the process rather than
//! ending in an error: the first byte picks one of
//!
//! - a graph: a chain (up to 20,000 nodes) with random extra relationships, and an
//!   unbounded variable-length or shortest-path pattern over it, under a 200 ms timeout
//!   (a recursive walk overflows the stack long before);
//! - an expression: `reduce` growing a string, list or map geometrically, or nesting it,
//!   under a 64 MiB memory budget counted by this target's own allocator;
//! - a dataset folder: a journal written by real statements, then damaged by the input
//!   (bytes flipped, cut short, entries of another dataset), or a save's commit file and
//!   staged files taken from the input, and opened again.
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use datatrail::limits::{Limits, set_heap_probe};
use datatrail::{Database, Graph};
use libfuzzer_sys::fuzz_target;

/// Counts bytes allocated and not freed, so that the memory budget is enforced.
struct Counting;

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; only a count of
// the bytes is kept besides.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocated() -> usize {
    ALLOCATED.load(Ordering::Relaxed)
}

/// Reads the input as a stream of numbers.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let Some((&b, rest)) = self.0.split_first() else {
            return 0;
        };
        self.0 = rest;
        b
    }
    fn below(&mut self, n: usize) -> usize {
        let v = usize::from(self.byte()) << 8 | usize::from(self.byte());
        v % n.max(1)
    }
}

fn limits(memory: Option<u64>) -> Limits {
    Limits {
        timeout: Some(Duration::from_millis(200)),
        max_rows: Some(100_000),
        memory,
    }
}

const PATTERNS: &[&str] = &[
    "MATCH (a {name: 'n0'})-[*]->(b) RETURN count(*)",
    "MATCH (a {name: 'n0'})-[*]-(b) RETURN count(DISTINCT b)",
    "MATCH p = (a {name: 'n0'})-[*]->(b) RETURN max(length(p))",
    "MATCH (a {name: 'n0'})-[r*]->(b) RETURN size(r) ORDER BY size(r) DESC LIMIT 1",
    "MATCH p = shortestPath((a {name: 'n0'})-[*]->(b {name: $last})) RETURN length(p)",
    "MATCH p = allShortestPaths((a {name: 'n0'})-[*]-(b {name: $last})) RETURN count(p)",
    "MATCH (a)-[*0..]->(a) RETURN count(*)",
];

fn graph_case(input: &mut Bytes) {
    let n = 1 + input.below(20_000);
    let mut nodes = String::from("id:ID,name\n");
    for i in 0..n {
        nodes.push_str(&format!("n{i},n{i}\n"));
    }
    let mut edges = String::from(":START_ID,:END_ID,:TYPE\n");
    for i in 1..n {
        edges.push_str(&format!("n{},n{i},NEXT\n", i - 1));
    }
    for _ in 0..input.below(4 * n) {
        let (a, b) = (input.below(n), input.below(n));
        edges.push_str(&format!("n{a},n{b},MORE\n"));
    }
    let Ok(graph) = datatrail::load::load_readers(
        &[("nodes.csv", nodes.as_bytes())],
        &[("edges.csv", edges.as_bytes())],
    ) else {
        return;
    };
    let query = PATTERNS[input.below(PATTERNS.len())];
    let mut db = Database::with_graph(graph);
    db.set_limits(limits(None));
    let _ = db.execute(&format!("WITH 'n{}' AS last {query}", n - 1).replace("$last", "last"));
    let _ = db.execute(query.replace("$last", &format!("'n{}'", n - 1)).as_str());
}

const GROWERS: &[&str] = &[
    "s + s",
    "s + s + s",
    "[s, s]",
    "[s]",
    "s + [s]",
    "{a: s, b: s}",
    "{a: s}",
    "replace(toString(s), 'x', 'xxxx')",
    "split(toString(s) + toString(s), '')",
    "[x IN range(1, 4) | s]",
    "range(1, size(toString(s)) * 4)",
];

const SEEDS: &[&str] = &["'x'", "[1]", "{}", "[]", "'ab'", "range(1, 100)"];

fn expression_case(input: &mut Bytes) {
    let grower = GROWERS[input.below(GROWERS.len())];
    let seed = SEEDS[input.below(SEEDS.len())];
    let steps = input.below(2_000_000);
    let query =
        format!("RETURN size(toString(reduce(s = {seed}, i IN range(1, {steps}) | {grower})))");
    let mut db = Database::with_graph(Graph::default());
    db.set_limits(limits(Some(64 << 20)));
    let _ = db.execute(&query);
    // The session goes on after whatever stopped the statement.
    assert!(
        db.execute("RETURN 1").is_ok(),
        "{query}: the session is unusable"
    );
}

fn dataset_case(input: &mut Bytes) {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let ds = dir.path();
    let write = |name: &str, text: &[u8]| std::fs::write(ds.join(name), text).is_ok();
    if !write("nodes.csv", b"id:ID,:LABEL,name\na,P,Ann\nb,P,Bob\n")
        || !write("edges.csv", b":START_ID,:END_ID,:TYPE\na,b,KNOWS\n")
    {
        return;
    }
    let open = || Database::open_dir(ds, || Ok(datatrail::load::load_dir(ds)?));
    if let Ok(opened) = open() {
        let mut db = Database::with_graph(opened.graph);
        db.attach_journal(opened.journal);
        let _ = db.execute("CREATE (:P {name: 'Cy'})");
        let _ = db.execute("MATCH (n {name: 'Bob'}) DETACH DELETE n");
    }
    match input.byte() % 3 {
        0 => {
            // Flip bytes of the journal.
            if let Ok(mut bytes) = std::fs::read(ds.join("datatrail.journal")) {
                for _ in 0..1 + input.below(8) {
                    if bytes.is_empty() {
                        break;
                    }
                    let at = input.below(bytes.len());
                    bytes[at] ^= input.byte() | 1;
                }
                write("datatrail.journal", &bytes);
            }
        }
        1 => {
            // Cut it short, or append the input.
            if let Ok(mut bytes) = std::fs::read(ds.join("datatrail.journal")) {
                let keep = input.below(bytes.len() + 1);
                bytes.truncate(keep);
                bytes.extend_from_slice(input.0);
                write("datatrail.journal", &bytes);
            }
        }
        _ => {
            // A commit file and staged files from the input.
            let staging = ds.join("datatrail.saving");
            if std::fs::create_dir_all(&staging).is_ok() {
                let _ = std::fs::write(staging.join("nodes.csv"), b"id:ID\nz\n");
                let len = input.0.len().saturating_sub(2);
                let split = input.below(len + 1).min(input.0.len());
                let (commit, rest) = input.0.split_at(split);
                let _ = std::fs::write(staging.join("edges.csv"), rest);
                write("datatrail.saving.json", commit);
            }
        }
    }
    // Whatever the damage, the open ends in a graph or an error; the data files of a
    // refused open are still there.
    if open().is_err() {
        assert!(
            ds.join("nodes.csv").exists(),
            "a refused open removed nodes.csv"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    set_heap_probe(allocated);
    let mut input = Bytes(data);
    match input.byte() % 3 {
        0 => graph_case(&mut input),
        1 => expression_case(&mut input),
        _ => dataset_case(&mut input),
    }
});
