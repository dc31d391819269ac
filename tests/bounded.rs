//! Statements whose depth or size comes from the data or the query, through the real
//! binary: walks down chains of 10^5 and 10^6 nodes, unbounded patterns over a dense
//! graph, values nested or doubled by `reduce`. Each must end with its answer or with
//! the limit's error (exit 1) within its `--timeout` and `--memory-limit`, never a stack
//! overflow (exit 134) or the kernel's out-of-memory killer.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use assert_cmd::Command;

/// The binary in `dir`, quiet, printing CSV.
fn datatrail(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatrail"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["-q", "--format", "csv"]);
    cmd
}

/// A dataset in `dir`: nodes `c0`..`c{n-1}` labelled C, and `edges` between them.
fn write_graph(dir: &Path, n: usize, edges: impl Iterator<Item = (usize, usize)>) {
    let mut nodes = BufWriter::new(std::fs::File::create(dir.join("nodes.csv")).unwrap());
    writeln!(nodes, "id:ID,:LABEL,name").unwrap();
    for i in 0..n {
        writeln!(nodes, "c{i},C,c{i}").unwrap();
    }
    nodes.flush().unwrap();
    let mut out = BufWriter::new(std::fs::File::create(dir.join("edges.csv")).unwrap());
    writeln!(out, ":START_ID,:END_ID,:TYPE").unwrap();
    for (a, b) in edges {
        writeln!(out, "c{a},c{b},NEXT").unwrap();
    }
    out.flush().unwrap();
}

fn chain(dir: &Path, n: usize) {
    write_graph(dir, n, (1..n).map(|i| (i - 1, i)));
}

/// Runs `query` over the dataset in `dir` under a timeout of `seconds`; the output when
/// it succeeded, or the error's text. Fails the test on a crash or a run far past the
/// timeout.
fn run_bounded(dir: &Path, query: &str, seconds: u64) -> Result<String, String> {
    let started = Instant::now();
    let out = datatrail(dir)
        .args([
            "--data",
            ".",
            "--timeout",
            &seconds.to_string(),
            "-c",
            query,
        ])
        .timeout(Duration::from_secs(seconds * 10 + 60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{query}: exit {:?}, {stderr}",
        out.status
    );
    assert!(
        started.elapsed() < Duration::from_secs(seconds * 5 + 30),
        "{query}: ran {:?} past its timeout",
        started.elapsed()
    );
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    } else {
        Err(stderr)
    }
}

#[test]
fn unbounded_walk_down_a_chain_of_100_000_nodes_counts_or_times_out() {
    let dir = tempfile::tempdir().unwrap();
    chain(dir.path(), 100_000);
    let query = "MATCH (a:C {name: 'c0'})-[*]->(b) RETURN count(*)";
    match run_bounded(dir.path(), query, 20) {
        Ok(out) => assert_eq!(out, "count(*)\n99999\n"),
        Err(err) => assert!(err.contains("timeout"), "{err}"),
    }
    // A named list is built per trail: quadratic, so the timeout ends it, cleanly.
    let query = "MATCH p = (a:C {name: 'c0'})-[*]->(b) RETURN max(length(p))";
    if let Err(err) = run_bounded(dir.path(), query, 3) {
        assert!(err.contains("timeout"), "{err}");
    }
}

#[test]
fn walks_and_shortest_paths_down_a_chain_of_a_million_nodes() {
    let dir = tempfile::tempdir().unwrap();
    chain(dir.path(), 1_000_000);
    let query = "MATCH (a:C {name: 'c0'})-[*]->(b) RETURN count(*)";
    match run_bounded(dir.path(), query, 60) {
        Ok(out) => assert_eq!(out, "count(*)\n999999\n"),
        Err(err) => assert!(err.contains("timeout"), "{err}"),
    }
    let query = "MATCH p = shortestPath((a:C {name: 'c0'})-[*]->(b:C {name: 'c999999'})) \
                 RETURN length(p)";
    match run_bounded(dir.path(), query, 60) {
        Ok(out) => assert_eq!(out, "length(p)\n999999\n"),
        Err(err) => assert!(err.contains("timeout"), "{err}"),
    }
    let query = "MATCH p = allShortestPaths((a:C {name: 'c0'})-[*]->(b:C {name: 'c999999'})) \
                 RETURN length(p)";
    match run_bounded(dir.path(), query, 60) {
        Ok(out) => assert_eq!(out, "length(p)\n999999\n"),
        Err(err) => assert!(err.contains("timeout"), "{err}"),
    }
}

#[test]
fn unbounded_pattern_on_a_dense_random_graph_stops_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 10_000) as usize
    };
    write_graph(dir.path(), 10_000, (0..100_000).map(|_| (next(), next())));
    let query = "MATCH (a {name: 'c1'})-[*]->(b) RETURN count(b)";
    let err = run_bounded(dir.path(), query, 2).expect_err("billions of trails");
    assert!(err.contains("timeout"), "{err}");
}

#[test]
fn deeply_nested_values_are_refused_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    chain(dir.path(), 1);
    let query = "RETURN size(reduce(l = [], i IN range(1, 1000000) | [l])) AS s";
    let err = run_bounded(dir.path(), query, 20).expect_err("too deep");
    assert!(err.contains("levels deep"), "{err}");
    let query = "RETURN size(reduce(m = {}, i IN range(1, 1000000) | {m: m})) AS s";
    let err = run_bounded(dir.path(), query, 20).expect_err("too deep");
    assert!(err.contains("levels deep"), "{err}");
    let query = "RETURN size(reduce(l = [], i IN range(1, 500) | [l])) AS s";
    assert_eq!(run_bounded(dir.path(), query, 20).unwrap(), "s\n1\n");
}

/// Runs `query` with a 256 MiB budget and a 3 s timeout in a shell session that goes on
/// to `RETURN 'after'`: the statement fails with the budget's (or the timeout's) error
/// and the next one runs.
fn over_budget(query: &str) {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let out = datatrail(dir.path())
        .args([
            "--memory-limit",
            "256M",
            "--timeout",
            "3",
            "--continue-on-error",
        ])
        .write_stdin(format!("{query};\nRETURN 'after' AS x;\n"))
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{query}: {stderr}");
    assert!(
        stderr.contains("memory budget") || stderr.contains("timeout"),
        "{query}: {stderr}"
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("after"),
        "{query}: the session must go on"
    );
    assert!(started.elapsed() < Duration::from_secs(20), "{query}");
}

#[test]
fn doubling_a_string_or_a_list_stops_at_the_memory_budget() {
    for n in [31, 35, 40, 62] {
        over_budget(&format!(
            "RETURN size(reduce(s = 'x', i IN range(1, {n}) | s + s))"
        ));
        over_budget(&format!(
            "RETURN size(reduce(l = [1], i IN range(1, {n}) | l + l))"
        ));
    }
    over_budget("RETURN size(reduce(l = [1], i IN range(1, 40) | [l, l]))");
    over_budget("RETURN size(range(1, 90000000))");
    over_budget(
        "WITH reduce(s = 'x', i IN range(1, 24) | s + s) AS s \
         RETURN size(replace(s, 'x', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'))",
    );
    over_budget("WITH reduce(s = 'x', i IN range(1, 25) | s + s) AS s RETURN size(split(s, ''))");
    over_budget("RETURN size([x IN range(1, 40) | reduce(s = 'ab', i IN range(1, 40) | s + s)])");
}

#[test]
fn values_within_the_budget_are_still_built() {
    let dir = tempfile::tempdir().unwrap();
    datatrail(dir.path())
        .args(["--memory-limit", "256M", "--timeout", "10"])
        .args([
            "-c",
            "RETURN size(reduce(s = 'x', i IN range(1, 20) | s + s)) AS n",
        ])
        .assert()
        .success()
        .stdout("n\n1048576\n");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Random chains with random shortcuts and an unbounded pattern, in process: the
    /// answer or the timeout's error, never a stack overflow (which would end the test
    /// binary). Each case's chain is long enough that a recursive walk overflows.
    #[test]
    fn unbounded_patterns_over_random_chains_end_in_an_answer_or_the_timeout(
        n in 20_000usize..60_000,
        extra in proptest::collection::vec((0usize..60_000, 0usize..60_000), 0..200),
        pattern in 0usize..4,
    ) {
        let mut edges = String::from(":START_ID,:END_ID,:TYPE\n");
        for i in 1..n {
            edges.push_str(&format!("c{},c{i},NEXT\n", i - 1));
        }
        for (a, b) in extra {
            edges.push_str(&format!("c{},c{},MORE\n", a % n, b % n));
        }
        let nodes: String = std::iter::once("id:ID,name\n".to_string())
            .chain((0..n).map(|i| format!("c{i},c{i}\n")))
            .collect();
        let graph = datatrail::load::load_readers(
            &[("nodes.csv", nodes.as_bytes())],
            &[("edges.csv", edges.as_bytes())],
        )
        .unwrap();
        let mut db = datatrail::Database::with_graph(graph);
        db.set_limits(datatrail::limits::Limits {
            timeout: Some(Duration::from_millis(300)),
            ..Default::default()
        });
        let query = [
            "MATCH (a {name: 'c0'})-[*]->(b) RETURN count(*)",
            "MATCH p = (a {name: 'c0'})-[*]->(b) RETURN max(length(p))",
            "MATCH p = shortestPath((a {name: 'c0'})-[*]->(b {name: $last})) RETURN length(p)",
            "RETURN size(reduce(l = [], i IN range(1, 100000) | [l]))",
        ][pattern]
        .replace("$last", &format!("'c{}'", n - 1));
        match db.execute(&query) {
            Ok(_) => {}
            Err(err) => {
                let text = err.to_string();
                proptest::prop_assert!(
                    text.contains("timeout") || text.contains("levels deep"),
                    "{query}: {text}"
                );
            }
        }
    }
}
