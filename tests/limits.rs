//! Cancellation and limits: Ctrl-C (the interrupt flag, SIGINT in batch mode, Ctrl-C in
//! the shell), `--timeout`, `--max-rows` and `--memory-limit`, through the library, the
//! real binary and the REPL in a pseudo-terminal.
//!
//! No test asserts on wall time: statements that would run for minutes are stopped, and
//! generous timeouts only guard against a statement that never stops. The latencies are
//! measured by `cargo bench --bench interrupt`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use datatrail::exec::{self, Context, ExecError};
use datatrail::{Database, Error, Limits, Value};
use rexpect::process::WaitStatus;
use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};

/// Twelve nodes, each with a relationship to every node (itself included): the trails
/// of `(a)-[*]->(b)` number more than 10^100, and following them takes no memory.
const DENSE_GRAPH: [&str; 2] = [
    "UNWIND range(1, 12) AS i CREATE (:N {i: i})",
    "MATCH (a:N), (b:N) CREATE (a)-[:R]->(b)",
];

/// Runs for minutes on [`DENSE_GRAPH`], returning nothing.
const ENDLESS_EXPANSION: &str = "MATCH p = (:N)-[*]->() WHERE length(p) > 1000 RETURN p";

/// Each row's sort key takes about a millisecond, so the ORDER BY input alone takes
/// minutes to build, in little memory.
const SLOW_ORDER_BY: &str = "UNWIND range(1, 1000000) AS x \
     WITH x, reduce(s = 0, i IN range(1, 20000) | s + i) AS k RETURN x ORDER BY k, x";

/// Generous guard for a statement that should stop: only a hang reaches it.
const GUARD: Duration = Duration::from_secs(60);

fn dense_database() -> Database {
    let mut db = Database::new();
    for statement in DENSE_GRAPH {
        db.execute(statement).unwrap();
    }
    db
}

/// Runs `query` on another thread, sets the interrupt flag after `delay` (and again
/// every 10 ms, in case the statement had not started and cleared it), and returns the
/// outcome, the database, and the time from the first setting to the return.
fn interrupt_after(
    db: Database,
    query: &str,
    delay: Duration,
) -> (Result<(), Error>, Database, Duration) {
    let flag = db.interrupt_flag();
    let (done, finished) = mpsc::channel();
    let statement = query.to_string();
    let worker = std::thread::spawn(move || {
        let mut db = db;
        let outcome = db.execute(&statement).map(|_| ());
        let _ = done.send(Instant::now());
        (outcome, db)
    });
    std::thread::sleep(delay);
    let set_at = Instant::now();
    let returned_at = loop {
        flag.store(true, Ordering::SeqCst);
        match finished.recv_timeout(Duration::from_millis(10)) {
            Ok(at) => break at,
            Err(_) if set_at.elapsed() > GUARD => panic!("`{query}` did not stop"),
            Err(_) => {}
        }
    };
    let (outcome, db) = worker.join().unwrap();
    (outcome, db, returned_at - set_at)
}

fn is_exec(outcome: &Result<(), Error>, expected: &ExecError) -> bool {
    matches!(outcome, Err(Error::Exec(e)) if e == expected)
}

// ── Library: Ctrl-C from another thread ──

#[test]
fn interrupt_stops_a_variable_length_expansion() {
    let (outcome, mut db, latency) = interrupt_after(
        dense_database(),
        ENDLESS_EXPANSION,
        Duration::from_millis(200),
    );
    assert!(is_exec(&outcome, &ExecError::Interrupted), "{outcome:?}");
    eprintln!("variable-length expansion stopped {latency:?} after the flag");
    // The session goes on: the flag is cleared when the next statement starts.
    let rows = db.execute("MATCH (n:N) RETURN count(n) AS n").unwrap();
    assert_eq!(rows[0].rows, vec![vec![Value::Int(12)]]);
}

#[test]
fn interrupt_stops_distinct_and_aggregation_over_an_expansion() {
    for query in [
        "MATCH p = (:N)-[*]->() RETURN DISTINCT length(p) AS hops",
        "MATCH p = (:N)-[*]->() RETURN length(p) AS hops, count(*) AS n",
        "MATCH p = (:N)-[*]->() RETURN collect(length(p)) AS hops",
    ] {
        let (outcome, _, latency) =
            interrupt_after(dense_database(), query, Duration::from_millis(100));
        assert!(
            is_exec(&outcome, &ExecError::Interrupted),
            "{query}: {outcome:?}"
        );
        eprintln!("{query}: stopped {latency:?} after the flag");
    }
}

#[test]
fn interrupt_stops_an_order_by_and_rolls_back_its_writes() {
    let query = format!("CREATE (:Written) WITH 1 AS one {SLOW_ORDER_BY}");
    let (outcome, mut db, latency) =
        interrupt_after(Database::new(), &query, Duration::from_millis(200));
    assert!(is_exec(&outcome, &ExecError::Interrupted), "{outcome:?}");
    eprintln!("ORDER BY stopped {latency:?} after the flag");
    let rows = db
        .execute("MATCH (n:Written) RETURN count(n) AS n")
        .unwrap();
    assert_eq!(rows[0].rows, vec![vec![Value::Int(0)]]);
}

// ── Library: every loop over data checks the flag ──

/// Runs `query` with `$xs` bound to a list of 5000 integers and the interrupt flag
/// already set: only a loop that checks the flag can fail it. The statements below
/// have no loop over data but the one under test.
fn run_with_flag(query: &str, interrupted: bool, limits: &Limits) -> Result<(), ExecError> {
    let statement = &datatrail::parser::parse(query).unwrap()[0];
    let mut graph = datatrail::Graph::new();
    let plan = datatrail::plan::plan_with(statement, &graph, true).unwrap();
    let params = BTreeMap::from([(
        "xs".to_string(),
        Value::List((1..=5000).map(Value::Int).collect()),
    )]);
    let flag = AtomicBool::new(interrupted);
    let ctx = Context::new(&params, &flag).with_limits(limits);
    exec::execute(&plan, &mut graph, &ctx).map(|_| ())
}

const LIST_LOOPS: [&str; 4] = [
    "RETURN [x IN $xs WHERE x > 0 | x * 2] AS doubled",
    "RETURN reduce(s = 0, x IN $xs | s + x) AS total",
    "RETURN all(x IN $xs WHERE x > 0) AS positive",
    "RETURN size(range(1, 100000)) AS n",
];

#[test]
fn list_comprehensions_reduce_quantifiers_and_range_check_the_flag() {
    let unlimited = Limits::default();
    for query in LIST_LOOPS {
        assert_eq!(run_with_flag(query, false, &unlimited), Ok(()), "{query}");
        assert_eq!(
            run_with_flag(query, true, &unlimited),
            Err(ExecError::Interrupted),
            "{query}"
        );
    }
}

#[test]
fn the_timeout_is_read_at_the_same_check_points() {
    let limit = Duration::from_nanos(1);
    let limits = Limits {
        timeout: Some(limit),
        ..Limits::default()
    };
    for query in LIST_LOOPS {
        assert_eq!(
            run_with_flag(query, false, &limits),
            Err(ExecError::Timeout { limit }),
            "{query}"
        );
    }
    // A statement without a loop over data ends before the first reading of the clock.
    assert_eq!(run_with_flag("RETURN 1 AS one", false, &limits), Ok(()));
}

// ── Library: timeout and row limit ──

#[test]
fn timeout_stops_a_statement_and_leaves_the_graph_as_it_was() {
    let mut db = dense_database();
    db.set_limits(Limits {
        timeout: Some(Duration::from_millis(100)),
        ..Limits::default()
    });
    let err = db
        .execute(&format!(
            "UNWIND range(1, 100) AS i CREATE (:Written) WITH count(*) AS c {ENDLESS_EXPANSION}"
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "exec: statement exceeded the 0.1 s timeout; raise it with --timeout SECONDS \
         (`:timeout` in the shell)"
    );
    let rows = db
        .execute("MATCH (n:Written) RETURN count(n) AS n")
        .unwrap();
    assert_eq!(rows[0].rows, vec![vec![Value::Int(0)]]);
}

#[test]
fn row_limit_counts_returned_rows_only() {
    let mut db = Database::new();
    db.set_limits(Limits {
        max_rows: Some(3),
        ..Limits::default()
    });
    let err = db.execute("UNWIND range(1, 4) AS x RETURN x").unwrap_err();
    assert_eq!(
        err.to_string(),
        "exec: statement returns more than 3 rows, the row limit; raise it with --max-rows N \
         (`:max-rows` in the shell) or add LIMIT"
    );
    assert_eq!(
        db.execute("UNWIND range(1, 3) AS x RETURN x").unwrap()[0]
            .rows
            .len(),
        3
    );
    // Rows that are not returned do not count: 10 rows create 10 nodes, and an
    // aggregation over them returns one row.
    db.execute("UNWIND range(1, 10) AS x CREATE (:M {x: x})")
        .unwrap();
    let rows = db.execute("MATCH (m:M) RETURN count(m) AS n").unwrap();
    assert_eq!(rows[0].rows, vec![vec![Value::Int(10)]]);
    // Under UNION, rows count once duplicates are gone.
    let union = "UNWIND [1, 2, 2] AS x RETURN x UNION UNWIND [2, 3, 3] AS x RETURN x";
    assert_eq!(db.execute(union).unwrap()[0].rows.len(), 3);
    let union_all = "UNWIND [1, 2] AS x RETURN x UNION ALL UNWIND [2, 3] AS x RETURN x";
    assert!(db.execute(union_all).is_err());
}

#[test]
fn copy_over_the_row_limit_writes_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let mut db = Database::new();
    db.set_limits(Limits {
        max_rows: Some(5),
        ..Limits::default()
    });
    let copy = |n: u32| {
        format!(
            "COPY (UNWIND range(1, {n}) AS x RETURN x) TO '{}'",
            path.display()
        )
    };
    assert!(db.execute(&copy(6)).is_err());
    assert!(!path.exists());
    db.execute(&copy(5)).unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "x\n1\n2\n3\n4\n5\n"
    );
}

// ── The binary ──

fn datatrail(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatrail"));
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn run(cmd: &mut Command) -> (Option<i32>, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (status.code(), text(stdout), text(stderr))
}

#[test]
fn memory_budget_fails_a_statement_instead_of_exhausting_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(datatrail(dir.path()).args([
        "--memory-limit",
        "32M",
        "-c",
        "UNWIND range(1, 50000000) AS x WITH collect(x) AS xs RETURN size(xs)",
    ]));
    // An exit code, not a signal: the process was not killed.
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "error: exec: statement needs more than the 32.0 MiB memory budget; raise it with \
         --memory-limit SIZE (`:memory-limit` in the shell)\n"
    );
}

#[test]
fn memory_budget_leaves_small_statements_alone_and_can_be_off() {
    let dir = tempfile::tempdir().unwrap();
    let query = "UNWIND range(1, 100000) AS x WITH collect(x) AS xs RETURN size(xs) AS n";
    for budget in ["32M", "off"] {
        let (code, stdout, stderr) =
            run(datatrail(dir.path()).args(["--memory-limit", budget, "-c", query]));
        assert_eq!(
            (code, stdout.as_str()),
            (Some(0), "n\n100000\n"),
            "{stderr}"
        );
    }
}

#[test]
fn timeout_fails_the_statement_and_the_script_stops() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(datatrail(dir.path())
        .args([
            "--timeout",
            "0.3",
            "-c",
            DENSE_GRAPH[0],
            "-c",
            DENSE_GRAPH[1],
        ])
        .args(["-c", ENDLESS_EXPANSION, "-c", "RETURN 'not reached' AS x"]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(!stdout.contains("not reached"), "{stdout}");
    assert!(
        stderr
            .contains("error: exec: statement exceeded the 0.3 s timeout; raise it with --timeout"),
        "{stderr}"
    );
}

#[test]
fn max_rows_fails_the_statement_and_writes_none_of_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = run(datatrail(dir.path()).args([
        "--max-rows",
        "5",
        "--format",
        "csv",
        "--continue-on-error",
        "-c",
        "UNWIND range(1, 5) AS x RETURN x",
        "-c",
        "UNWIND range(1, 6) AS y RETURN y",
    ]));
    assert_eq!(code, Some(1));
    assert_eq!(stdout, "x\n1\n2\n3\n4\n5\n");
    assert!(
        stderr.contains(
            "statement returns more than 5 rows, the row limit; raise it with --max-rows N"
        ),
        "{stderr}"
    );
}

#[test]
fn limit_flags_reject_bad_values_as_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, value, message) in [
        ("--timeout", "0", "the timeout must be more than 0 seconds"),
        ("--timeout", "soon", "`soon` is not a number of seconds"),
        ("--max-rows", "0", "`0` is not a number of rows"),
        (
            "--memory-limit",
            "lots",
            "`lots` is not a size such as 512M or 4G",
        ),
    ] {
        let (code, _, stderr) = run(datatrail(dir.path()).args([flag, value, "-c", "RETURN 1"]));
        assert_eq!(code, Some(2), "{flag} {value}: {stderr}");
        assert!(stderr.contains(message), "{flag} {value}: {stderr}");
    }
}

#[test]
fn help_documents_the_limit_flags() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run(datatrail(dir.path()).arg("--help"));
    assert_eq!(code, Some(0));
    for text in [
        "--timeout <SECONDS>",
        "--max-rows <N>",
        "--memory-limit <SIZE>",
        "half the machine's",
    ] {
        assert!(
            stdout.contains(text),
            "{text} missing from --help:\n{stdout}"
        );
    }
}

#[test]
fn sigint_stops_an_order_by_in_a_script_with_130_and_keeps_the_output_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("out.csv"), "old\n").unwrap();
    let child = datatrail(dir.path())
        .args([
            "-o",
            "out.csv",
            "-c",
            "RETURN 1 AS first",
            "-c",
            SLOW_ORDER_BY,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert_eq!(stderr, "interrupted\n");
    let kept = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(kept, "old\n");
}

// ── The shell ──

const PROMPT: &str = "datatrail> ";

fn shell(dir: &Path) -> PtySession {
    let mut cmd = datatrail(dir);
    cmd.env("HOME", dir)
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("TERM", "xterm");
    let options = Options::new()
        .timeout_ms(Some(GUARD.as_millis() as u64))
        .strip_ansi_escape_codes(true);
    let mut session = spawn_with_options(cmd, options).unwrap();
    session.exp_string(PROMPT).unwrap();
    session
}

fn run_line(session: &mut PtySession, line: &str, expected: &str) {
    session.send_line(line).unwrap();
    session.exp_string(expected).unwrap();
    session.exp_string(PROMPT).unwrap();
}

fn quit(mut session: PtySession) {
    session.send_line(":quit").unwrap();
    session.exp_eof().unwrap();
    match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => assert_eq!(code, 0),
        other => panic!("the shell did not exit normally: {other:?}"),
    }
}

/// Starts `statement`, presses Ctrl-C once it runs, and expects the prompt back.
fn cancel(session: &mut PtySession, statement: &str) {
    session.send_line(statement).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    session.send_control('c').unwrap();
    session.exp_string("interrupted").unwrap();
    session.exp_string(PROMPT).unwrap();
}

#[test]
fn ctrl_c_in_the_shell_keeps_graph_parameters_and_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = shell(dir.path());
    for statement in DENSE_GRAPH {
        run_line(&mut session, &format!("{statement};"), "created");
    }
    run_line(&mut session, ":param who 'Kogan'", "$who = 'Kogan'");
    run_line(
        &mut session,
        "MATCH (n:N) RETURN count(n) AS nodes, $who AS who;",
        "1 row",
    );
    cancel(&mut session, &format!("{ENDLESS_EXPANSION};"));
    cancel(&mut session, &format!("{SLOW_ORDER_BY};"));
    // Three entries back in history: the count, which finds the graph and parameter.
    session.send("\x1b[A\x1b[A\x1b[A").unwrap();
    session.send_line("").unwrap();
    session.exp_string("Kogan").unwrap();
    session.exp_string("1 row").unwrap();
    session.exp_string(PROMPT).unwrap();
    quit(session);
}

#[test]
fn timeout_and_row_limit_commands_bound_statements_in_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = shell(dir.path());
    for statement in DENSE_GRAPH {
        run_line(&mut session, &format!("{statement};"), "created");
    }
    run_line(&mut session, ":timeout 0.3", "timeout 0.3 s");
    run_line(
        &mut session,
        &format!("{ENDLESS_EXPANSION};"),
        "statement exceeded the 0.3 s timeout",
    );
    run_line(&mut session, ":timeout off", "no timeout");
    run_line(&mut session, ":max-rows 3", "row limit 3");
    run_line(
        &mut session,
        "MATCH (n:N) RETURN n.i;",
        "statement returns more than 3 rows, the row limit",
    );
    run_line(&mut session, "MATCH (n:N) RETURN n.i LIMIT 3;", "3 rows");
    quit(session);
}

#[test]
fn memory_limit_command_fails_a_statement_and_the_shell_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = shell(dir.path());
    session.send_line(":limits").unwrap();
    session
        .exp_regex(r"no timeout, no row limit, memory budget \d+\.\d (MiB|GiB|TiB)")
        .unwrap();
    run_line(&mut session, ":memory-limit 32M", "memory budget 32.0 MiB");
    run_line(
        &mut session,
        "UNWIND range(1, 50000000) AS x WITH collect(x) AS xs RETURN size(xs);",
        "statement needs more than the 32.0 MiB memory budget",
    );
    run_line(&mut session, "RETURN 'still here' AS x;", "still here");
    quit(session);
}
