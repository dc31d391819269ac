//! Hostile input through the real binary: broken bytes in data files and scripts, huge
//! fields and files, outputs that cannot be written, binary files given as scripts, and
//! queries nested deep enough to overflow a recursive parser or planner. Each must end in
//! a clear message naming where the problem is and the exit code the README promises
//! (0 success, 1 a statement or the output failed, 2 a usage error or unloadable data),
//! never a panic, an abort or a partial result.

use std::io::{BufWriter, Write};
use std::path::Path;

use assert_cmd::Command;
use datatrail::{Database, Error};
use predicates::prelude::*;
use predicates::str::contains;

/// The binary, in a fresh temporary folder (kept alive by the returned guard).
fn datatrail() -> (Command, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatrail"));
    cmd.current_dir(dir.path()).env("NO_COLOR", "1").arg("-q");
    (cmd, dir)
}

const NO_EDGES: &str = ":START_ID,:END_ID,:TYPE\n";

fn write_dataset(dir: &Path, nodes: &[u8], edges: &[u8]) {
    std::fs::write(dir.join("nodes.csv"), nodes).unwrap();
    std::fs::write(dir.join("edges.csv"), edges).unwrap();
}

// ── Data files ──

#[test]
fn csv_with_invalid_utf8_names_file_record_line_and_column() {
    let (mut cmd, dir) = datatrail();
    write_dataset(
        dir.path(),
        b"id:ID,:LABEL,name\na,Person,Kogan\nb,Person,bad\xff\xfename\n",
        NO_EDGES.as_bytes(),
    );
    cmd.args(["--data", ".", "-c", "MATCH (n) RETURN count(n)"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(
            "nodes.csv: record 2 (line 3): column \"name\": \"bad\u{fffd}\u{fffd}name\" is not valid UTF-8",
        ));
}

#[test]
fn header_with_a_duplicate_column_is_refused() {
    let (mut cmd, dir) = datatrail();
    write_dataset(
        dir.path(),
        b"id:ID,:LABEL,name,name\na,Person,Kogan,Aleksandr\n",
        NO_EDGES.as_bytes(),
    );
    cmd.args(["--data", ".", "-c", "RETURN 1"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(
            "nodes.csv: line 1: column \"name\": \"name\" already has a column",
        ));
}

/// One 100 MB cell: a valid file, loaded whole.
#[test]
fn hundred_megabyte_field_loads() {
    let (mut cmd, dir) = datatrail();
    let mut nodes = b"id:ID,:LABEL,description\nd,Doc,\"".to_vec();
    nodes.resize(nodes.len() + 100_000_000, b'x');
    nodes.extend_from_slice(b"\"\n");
    write_dataset(dir.path(), &nodes, NO_EDGES.as_bytes());
    drop(nodes);
    cmd.args([
        "--data",
        ".",
        "--format",
        "csv",
        "-c",
        "MATCH (n:Doc) RETURN size(n.description) AS size",
    ])
    .assert()
    .code(0)
    .stdout("size\n100000000\n");
}

/// A 100 MB cell that is not a number: the message quotes the start of it, not all of it.
#[test]
fn hundred_megabyte_bad_field_gives_a_short_message() {
    let (mut cmd, dir) = datatrail();
    let mut nodes = b"id:ID,:LABEL,records:long\nd,Doc,".to_vec();
    nodes.resize(nodes.len() + 100_000_000, b'9');
    nodes.push(b'\n');
    write_dataset(dir.path(), &nodes, NO_EDGES.as_bytes());
    drop(nodes);
    let output = cmd
        .args(["--data", ".", "-c", "RETURN 1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.len() < 500, "{} bytes of stderr", stderr.len());
    assert!(
        stderr.contains("nodes.csv: record 1 (line 2): column \"records\": \"999")
            && stderr.contains("\"... (100000000 bytes) is not an integer"),
        "{stderr}"
    );
}

/// Ten million relationships over two nodes, the last one naming a node that does not
/// exist: the error names the file and the last line, and nothing runs on a partial
/// graph (the statement never starts; stdout stays empty).
#[test]
fn ten_million_rows_with_a_bad_last_row_load_nothing() {
    let (mut cmd, dir) = datatrail();
    let mut edges = BufWriter::new(std::fs::File::create(dir.path().join("edges.csv")).unwrap());
    edges.write_all(NO_EDGES.as_bytes()).unwrap();
    for _ in 0..9_999_999 {
        edges.write_all(b"a,b,T\n").unwrap();
    }
    edges.write_all(b"a,nobody,T\n").unwrap();
    edges.into_inner().unwrap().sync_all().unwrap();
    std::fs::write(dir.path().join("nodes.csv"), "id:ID\na\nb\n").unwrap();
    cmd.args(["--data", ".", "-c", "MATCH ()-[r]->() RETURN count(r)"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(
            "edges.csv: record 10000000 (line 10000001): column \":END_ID\": no node has id \"nobody\"",
        ));
}

// ── Outputs ──

/// Tests run as root, which ignores permission bits, so a folder made read-only with
/// chmod would still be writable. What is tested instead is an output folder that cannot
/// hold files whatever the user: a path below a regular file (`file/out.csv`), which the
/// kernel refuses with "Not a directory" (ENOTDIR) just as it refuses EACCES/EROFS: the
/// output file cannot be created before anything runs.
#[test]
fn output_into_a_folder_that_cannot_hold_files_exits_2() {
    let (mut cmd, dir) = datatrail();
    std::fs::write(dir.path().join("file"), "not a folder").unwrap();
    cmd.args(["-o", "file/out.csv", "-c", "CREATE (:X) RETURN 1"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("file/out.csv").and(contains("Not a directory")));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("file")).unwrap(),
        "not a folder"
    );
}

/// `/dev/full` accepts the open and fails every write with ENOSPC: the run fails with
/// the device named, and the device stays a device (an atomic rename over it would
/// replace the node in /dev with a regular file).
#[test]
#[cfg(target_os = "linux")]
fn output_to_dev_full_fails_with_exit_1_and_leaves_the_device() {
    use std::os::unix::fs::FileTypeExt;
    let (mut cmd, _dir) = datatrail();
    cmd.args(["-o", "/dev/full", "-c", "UNWIND range(1, 3) AS i RETURN i"])
        .assert()
        .code(1)
        .stderr(contains("/dev/full: No space left on device"));
    let device = std::fs::metadata("/dev/full").unwrap().file_type();
    assert!(device.is_char_device(), "/dev/full is no longer a device");
}

/// Output to a pipe named as a file is written in place.
#[test]
#[cfg(target_os = "linux")]
fn output_to_dev_stdout_writes_through() {
    let (mut cmd, _dir) = datatrail();
    cmd.args([
        "-o",
        "/dev/stdout",
        "--format",
        "csv",
        "-c",
        "RETURN 1 AS x",
    ])
    .assert()
    .code(0)
    .stdout("x\n1\n");
}

// ── Scripts ──

#[test]
fn script_with_invalid_utf8_names_line_and_column_and_runs_nothing() {
    let (mut cmd, dir) = datatrail();
    std::fs::write(
        dir.path().join("bad.cypher"),
        b"RETURN 1;\nRETURN 'caf\xe9';\n",
    )
    .unwrap();
    cmd.args(["-c", "RETURN 0", "-f", "bad.cypher"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(
            "bad.cypher:2:12: the script is not UTF-8 text at byte offset 21",
        ));
}

#[test]
fn stdin_script_with_invalid_utf8_names_stdin() {
    let (mut cmd, _dir) = datatrail();
    cmd.write_stdin(b"RETURN \xff".to_vec())
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(
            "<stdin>:1:8: the script is not UTF-8 text at byte offset 7",
        ));
}

/// An executable given as a script (`-f datatrail` by mistake): refused before running.
#[test]
fn binary_executable_as_script_is_refused() {
    let (mut cmd, dir) = datatrail();
    let exe = std::fs::read(env!("CARGO_BIN_EXE_datatrail")).unwrap();
    assert_eq!(&exe[..4], b"\x7fELF");
    std::fs::write(dir.path().join("program.cypher"), &exe[..65_536]).unwrap();
    cmd.args(["-f", "program.cypher"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("program.cypher:1:").and(contains("the script")));
}

/// Random bytes: whatever they hold, a clear refusal, not a crash.
#[test]
fn random_bytes_as_script_are_refused() {
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            // xorshift64: a fixed, reproducible byte stream.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8
        })
        .collect();
    let (mut cmd, dir) = datatrail();
    std::fs::write(dir.path().join("noise.cypher"), &bytes).unwrap();
    cmd.args(["-f", "noise.cypher"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("noise.cypher:").and(contains("the script is not UTF-8 text")));
}

/// Valid UTF-8 with NUL bytes is binary data too.
#[test]
fn script_with_nul_bytes_is_refused_as_binary() {
    let (mut cmd, dir) = datatrail();
    std::fs::write(dir.path().join("nul.cypher"), b"RETURN 1;\nRE\0TURN 2;\n").unwrap();
    cmd.args(["-f", "nul.cypher"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(
            "nul.cypher:2:3: the script looks binary (a NUL byte) at byte offset 12",
        ));
}

// ── Deep nesting ──

/// Texts nesting 10,000 deep: brackets of each kind and operator chains without any.
fn deeply_nested_queries() -> Vec<(String, &'static str)> {
    let n = 10_000;
    let brackets = "brackets nest more than 200 deep";
    let operators = "operators nest more than 1000 deep";
    vec![
        (
            format!("RETURN {}1{}", "[".repeat(n), "]".repeat(n)),
            brackets,
        ),
        (
            format!("RETURN {}1{}", "(".repeat(n), ")".repeat(n)),
            brackets,
        ),
        (
            format!("RETURN {}1{}", "{a: ".repeat(n), "}".repeat(n)),
            brackets,
        ),
        (format!("RETURN {}true", "NOT ".repeat(n)), operators),
        (format!("RETURN {}1", "- ".repeat(n)), operators),
        (format!("RETURN {}1", "1 + ".repeat(n)), operators),
        (format!("RETURN 2{}", " ^ 1".repeat(n)), operators),
        (format!("RETURN {{a: 1}}{}", ".a".repeat(n)), operators),
        (format!("RETURN [1]{}", "[0]".repeat(n)), operators),
        (format!("RETURN 1{}", " IS NULL".repeat(n)), operators),
        (format!("RETURN 1{}", " < 2".repeat(n)), operators),
        (format!("RETURN true{}", " AND true".repeat(n)), operators),
    ]
}

#[test]
fn ten_thousand_deep_nesting_is_a_syntax_error_through_the_binary() {
    for (query, message) in deeply_nested_queries() {
        let (mut cmd, _dir) = datatrail();
        let output = cmd.args(["-c", &query]).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{}: {stderr}", &query[..20]);
        assert!(stderr.contains(message), "{}: {stderr}", &query[..20]);
        assert!(
            stderr.contains("--> <command>:1:"),
            "{}: {stderr}",
            &query[..20]
        );
    }
}

/// Through the library, on a test thread (2 MiB of stack, a quarter of a main thread's).
#[test]
fn ten_thousand_deep_nesting_is_a_syntax_error_through_the_library() {
    for (query, message) in deeply_nested_queries() {
        match Database::new().execute(&query) {
            Err(Error::Syntax(e)) => assert_eq!(e.message, message, "{}", &query[..20]),
            other => panic!("{}: {other:?}", &query[..20]),
        }
    }
}

/// Up to the limits still runs, on a thread with the 2 MiB of stack Rust gives spawned
/// threads (a main thread has 8); one more operator or clause is refused.
#[test]
fn operator_chains_and_clause_lists_up_to_the_limit_run() {
    let run = || {
        let mut db = Database::new();
        let sum = format!("RETURN {}1 AS x", "1 + ".repeat(1000));
        let results = db.execute(&sum).unwrap();
        assert_eq!(results[0].rows[0][0], datatrail::Value::Int(1001));
        let nots = format!("RETURN {}true AS x", "NOT ".repeat(1000));
        let results = db.execute(&nots).unwrap();
        assert_eq!(results[0].rows[0][0], datatrail::Value::Bool(true));
        let ors = (0..1000).map(|i| format!("x = {i}")).collect::<Vec<_>>();
        let ors = format!("WITH 999 AS x RETURN {} AS y", ors.join(" OR "));
        let results = db.execute(&ors).unwrap();
        assert_eq!(results[0].rows[0][0], datatrail::Value::Bool(true));
        let lookups = format!("RETURN null{} AS x", ".a".repeat(1000));
        assert!(db.execute(&lookups).is_ok());
        let withs = format!("{}RETURN x", "WITH 1 AS x ".repeat(999));
        let results = db.execute(&withs).unwrap();
        assert_eq!(results[0].rows[0][0], datatrail::Value::Int(1));
        for (query, message) in [
            (
                format!("RETURN {}1 AS x", "1 + ".repeat(1001)),
                "operators nest more than 1000 deep",
            ),
            (
                format!("RETURN {}true AS x", "NOT ".repeat(1001)),
                "operators nest more than 1000 deep",
            ),
            (
                format!("RETURN [{}true] AS x", "NOT ".repeat(1001)),
                "operators nest more than 1000 deep",
            ),
            (
                format!("RETURN null{} AS x", ".a".repeat(1001)),
                "operators nest more than 1000 deep",
            ),
            (
                format!("{}RETURN x", "WITH 1 AS x ".repeat(1000)),
                "a query may have at most 1000 clauses",
            ),
        ] {
            match db.execute(&query) {
                Err(Error::Syntax(e)) => assert_eq!(e.message, message),
                other => panic!("{}: {other:?}", &query[..20]),
            }
        }
    };
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

/// Ten thousand clauses overflowed the executor's stack: refused before planning.
#[test]
fn ten_thousand_clauses_are_a_syntax_error_through_the_binary() {
    let (mut cmd, _dir) = datatrail();
    cmd.args(["-c", &format!("{}RETURN x", "WITH 1 AS x ".repeat(10_000))])
        .assert()
        .code(1)
        .stderr(
            contains("a query may have at most 1000 clauses").and(contains("<command>:1:12001")),
        );
}

// ── Found by fuzzing (fuzz/README.md) ──

/// The parse target's four timeouts: `[` after an expression was tried as a slice and
/// then again as an index, parsing what follows twice per level (2^n). The parser's step
/// budget (10 million pest calls) is far from reached now: the error is the ordinary one.
#[test]
fn unclosed_subscripts_fail_at_once() {
    let fuzzed = "RETURN 0x8FFFFFFFFFFFFFFFMATCHitera[n[[[a[n[[[[[[[[[[[[[[FFFFFFFFFFFMATCHitera\
                  [FMATCHitera[n[[[a[n[[[[[[[[[[[[[[[[[[[[[[[[[[[[FFFFFFFFFFFMATCHitera[[[[[[[[\
                  [[[[[[[[[[[[[[FFFFF[[[[[[[[[[l";
    let unclosed = format!("RETURN {}l", "a[".repeat(60));
    for query in [fuzzed, &unclosed] {
        match Database::new().execute(query) {
            Err(Error::Syntax(e)) => assert!(e.message.starts_with("expected "), "{e:?}"),
            other => panic!("{other:?}"),
        }
    }
    let nested = format!(
        "WITH [0] AS a RETURN {}0{} AS x",
        "a[".repeat(60),
        "]".repeat(60)
    );
    let results = Database::new().execute(&nested).unwrap();
    assert_eq!(results[0].rows[0][0], datatrail::Value::Int(0));
    let sliced = format!(
        "WITH [0] AS a RETURN {}0{} AS x",
        "a[..".repeat(60),
        "]".repeat(60)
    );
    assert!(datatrail::parser::parse(&sliced).is_ok());
}

/// Unclosed list comprehensions backtrack the same way (comprehension, then list): the
/// step budget stops them with a clear error instead of running for hours.
#[test]
fn unclosed_list_comprehensions_hit_the_parser_step_budget() {
    let query = format!("RETURN {}l", "[x IN ".repeat(40));
    let (mut cmd, _dir) = datatrail();
    cmd.args(["-c", &query])
        .assert()
        .code(1)
        .stderr(contains(
            "the query is too intricate to parse (unclosed brackets make the parser backtrack too much)",
        ));
    // Closed, the same nesting parses at once.
    let closed = format!(
        "RETURN {}[1]{} AS x",
        "[x IN ".repeat(40),
        " | x]".repeat(40)
    );
    assert!(Database::new().execute(&closed).is_ok());
}

/// An edges file that is a link to `/dev/zero` would never end: it is refused by kind.
#[test]
fn edges_file_linked_to_a_device_is_refused() {
    let (mut cmd, dir) = datatrail();
    std::fs::create_dir(dir.path().join("ds")).unwrap();
    std::fs::write(dir.path().join("ds/nodes.csv"), "id:ID\n1\n").unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("ds/edges.csv")).unwrap();
    cmd.args(["--data", "ds", "-c", "RETURN 1"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("ds/edges.csv: is a device, not a data file"));
}

/// A pipe that never sends a line end (`--edges <(cat /dev/zero)`) stops at the longest
/// record the loader reads, with the record's place, instead of growing memory.
#[test]
fn a_record_without_line_ends_stops_at_the_record_limit() {
    let (mut cmd, dir) = datatrail();
    std::fs::write(dir.path().join("nodes.csv"), "id:ID\n1\n").unwrap();
    let mut edges = b":START_ID,:END_ID,:TYPE\n".to_vec();
    edges.resize(edges.len() + (257 << 20), b'x');
    std::fs::write(dir.path().join("edges.csv"), edges).unwrap();
    cmd.args(["--nodes", "nodes.csv", "--edges", "edges.csv", "-c", "RETURN 1"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains(
            "edges.csv: record 1 (line 2): the record is longer than 256 MiB (a file without line ends?)",
        ));
}
