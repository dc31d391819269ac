//! Explicit transactions: through the library (`Database::begin`), in scripts and in the
//! shell (`:begin`, `:commit`, `:rollback`), and in the journal (a committed transaction
//! is one entry, so a torn one replays nothing).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use datatrail::app::run::Runner;
use datatrail::app::{Repl, Step};
use datatrail::export::Format;
use datatrail::journal::JOURNAL_FILE;
use datatrail::{Database, Error, TxError, Value};

fn count(db: &mut Database, query: &str) -> i64 {
    let results = db.execute(query).unwrap();
    match &results[0].rows[0][0] {
        Value::Int(n) => *n,
        other => panic!("{query}: {other:?}"),
    }
}

fn people(db: &mut Database) -> i64 {
    count(db, "MATCH (p:Person) RETURN count(p)")
}

fn sample() -> Database {
    let mut db = Database::new();
    db.execute("CREATE (:Person {name: 'a'})-[:KNOWS]->(:Person {name: 'b'})")
        .unwrap();
    db
}

#[test]
fn a_committed_transaction_keeps_its_changes_and_a_rolled_back_one_none() {
    let mut db = sample();
    let mut tx = db.begin().unwrap();
    tx.execute("CREATE (:Person {name: 'c'})").unwrap();
    tx.execute("MATCH (p:Person {name: 'a'}) SET p.age = 30")
        .unwrap();
    // The transaction sees its own changes.
    let seen = tx.execute("MATCH (p:Person) RETURN count(p)").unwrap();
    assert!(matches!(seen[0].rows[0][0], Value::Int(3)));
    let committed = tx.commit().unwrap();
    assert_eq!(committed.statements, 2);
    assert_eq!(people(&mut db), 3);
    assert!(!db.in_transaction());

    let mut tx = db.begin().unwrap();
    tx.execute("MATCH (p:Person {name: 'a'}) DETACH DELETE p")
        .unwrap();
    tx.execute("CREATE (:Robot {name: 'r'})").unwrap();
    assert!(tx.rollback() > 0);
    assert_eq!(people(&mut db), 3);
    assert_eq!(
        count(&mut db, "MATCH (:Person)-[r:KNOWS]->() RETURN count(r)"),
        1
    );
    assert_eq!(count(&mut db, "MATCH (p {age: 30}) RETURN count(p)"), 1);
    // The label the rolled-back transaction introduced is forgotten.
    assert!(db.graph().label_symbol("Robot").is_none());
}

#[test]
fn dropping_a_transaction_rolls_it_back() {
    let mut db = sample();
    {
        let mut tx = db.begin().unwrap();
        tx.execute("UNWIND range(1, 100) AS i CREATE (:Person {name: toString(i)})")
            .unwrap();
        assert_eq!(tx.graph().node_count(), 102);
    }
    assert!(!db.in_transaction());
    assert_eq!(people(&mut db), 2);
}

#[test]
fn a_failing_statement_is_undone_alone_and_the_transaction_stays_open() {
    let mut db = sample();
    db.begin_transaction().unwrap();
    db.execute("CREATE (:Person {name: 'c'})").unwrap();
    // Deleting a node that still has relationships fails after it deleted others.
    let failed = db.execute("MATCH (p:Person) SET p.seen = true WITH p DELETE p");
    assert!(failed.is_err());
    assert!(db.in_transaction());
    assert_eq!(people(&mut db), 3);
    assert_eq!(count(&mut db, "MATCH (p {seen: true}) RETURN count(p)"), 0);
    db.commit_transaction().unwrap();
    assert_eq!(people(&mut db), 3);
}

#[test]
fn misuse_of_transactions_is_a_clear_error_that_changes_nothing() {
    let mut db = sample();
    let not_open = db.commit_transaction().unwrap_err();
    assert!(matches!(
        not_open,
        Error::Transaction(TxError::NotOpen { .. })
    ));
    assert!(
        not_open
            .to_string()
            .contains("no open transaction to commit")
    );
    assert!(matches!(
        db.rollback_transaction(),
        Err(Error::Transaction(TxError::NotOpen { .. }))
    ));
    db.begin_transaction().unwrap();
    db.execute("CREATE (:Person)").unwrap();
    let nested = db.begin_transaction().unwrap_err();
    assert!(nested.to_string().contains("do not nest"), "{nested}");
    // The open transaction is untouched by the refused :begin.
    assert!(db.in_transaction());
    assert_eq!(people(&mut db), 3);
    let dir = tempfile::tempdir().unwrap();
    let save = db.save_dir(dir.path()).unwrap_err();
    assert!(save.to_string().contains("cannot save"), "{save}");
    assert!(!TxError::AlreadyOpen.is_retryable());
    db.rollback_transaction().unwrap();
    assert_eq!(people(&mut db), 2);
}

#[test]
fn statistics_inside_a_transaction_count_each_statement_alone() {
    let mut db = sample();
    db.begin_transaction().unwrap();
    let first = db.execute("CREATE (:Person {name: 'c'})").unwrap();
    assert_eq!(first[0].stats.nodes_created, 1);
    assert_eq!(first[0].stats.props_set, 1);
    let second = db.execute("MATCH (p {name: 'c'}) DELETE p").unwrap();
    assert_eq!(second[0].stats.nodes_created, 0);
    assert_eq!(second[0].stats.nodes_deleted, 1);
    db.commit_transaction().unwrap();
}

/// A dataset folder with one person in it.
fn dataset() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("nodes.csv"),
        "id:ID,:LABEL,name\nak,Person,Aleksandr Kogan\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("edges.csv"), ":START_ID,:END_ID,:TYPE\n").unwrap();
    dir
}

/// `datatrail --data DIR` with `script` on stdin, printing CSV.
fn run_script(dir: &Path, script: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_datatrail"))
        .arg("--data")
        .arg(dir)
        .args(["--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(script.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Journal entries: each starts with the marker.
fn journal_entries(dir: &Path) -> usize {
    let bytes = std::fs::read(dir.join(JOURNAL_FILE)).unwrap_or_default();
    bytes.windows(4).filter(|w| w == b"DTE1").count()
}

#[test]
fn a_committed_transaction_is_one_journal_entry_and_replays_whole() {
    let dir = dataset();
    let script = ":begin\nCREATE (:Person {name: 'b'});\nCREATE (:Person {name: 'c'});\n\
                  MATCH (p:Person {name: 'b'}) SET p.age = 3;\n:commit\n";
    let output = run_script(dir.path(), script);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("transaction committed (3 write statements)"));
    assert_eq!(journal_entries(dir.path()), 1);
    let output = run_script(dir.path(), "MATCH (p:Person) RETURN count(p), sum(p.age);");
    assert_eq!(stdout(&output), "count(p),sum(p.age)\n3,3\n");
}

#[test]
fn a_torn_transaction_entry_replays_none_of_it() {
    let dir = dataset();
    run_script(dir.path(), "CREATE (:Person {name: 'b'});");
    let script = ":begin\nCREATE (:Person {name: 'c'});\nCREATE (:Person {name: 'd'});\n:commit\n";
    assert!(run_script(dir.path(), script).status.success());
    assert_eq!(journal_entries(dir.path()), 2);
    // A crash while the transaction's entry was written leaves part of it.
    let path = dir.path().join(JOURNAL_FILE);
    let len = std::fs::metadata(&path).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    file.set_len(len - 20).unwrap();
    let output = run_script(dir.path(), "MATCH (p:Person) RETURN count(p);");
    assert!(
        stderr(&output).contains("incomplete"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "count(p)\n2\n");
}

#[test]
fn a_script_that_ends_with_a_transaction_open_rolls_it_back_and_says_so() {
    let dir = dataset();
    let output = run_script(dir.path(), ":begin\nCREATE (:Person {name: 'b'});\n");
    assert!(
        stderr(&output).contains("the script ended with a transaction open; it was rolled back"),
        "{}",
        stderr(&output)
    );
    assert_eq!(journal_entries(dir.path()), 0);
    let output = run_script(dir.path(), "MATCH (p:Person) RETURN count(p);");
    assert_eq!(stdout(&output), "count(p)\n1\n");
}

#[test]
fn a_failing_script_inside_a_transaction_stops_and_rolls_back_everything() {
    let dir = dataset();
    let script = ":begin\nCREATE (:Person {name: 'b'});\nRETURN 1/0;\n:commit\n";
    let output = run_script(dir.path(), script);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("rolled back"),
        "{}",
        stderr(&output)
    );
    let output = run_script(dir.path(), "MATCH (p:Person) RETURN count(p);");
    assert_eq!(stdout(&output), "count(p)\n1\n");
}

#[test]
fn transaction_commands_used_wrongly_in_a_script_are_errors() {
    let dir = dataset();
    let output = run_script(dir.path(), ":commit\n");
    assert!(!output.status.success());
    assert!(stderr(&output).contains("no open transaction to commit"));
    let output = run_script(dir.path(), ":begin\n:begin\n");
    assert!(
        stderr(&output).contains("do not nest"),
        "{}",
        stderr(&output)
    );
    let output = run_script(dir.path(), ":schema\n");
    assert!(
        stderr(&output).contains("<stdin>:1:1: `:schema` is a shell command"),
        "{}",
        stderr(&output)
    );
}

fn repl() -> Repl<Vec<u8>> {
    Repl::new(sample(), Runner::new(Format::Csv), Vec::new()).with_quiet(true)
}

fn feed(repl: &mut Repl<Vec<u8>>, line: &str) -> Step {
    repl.feed_line(line).unwrap()
}

fn term(repl: &Repl<Vec<u8>>) -> String {
    String::from_utf8_lossy(repl.term()).into_owned()
}

#[test]
fn the_shell_prompt_shows_an_open_transaction_and_leaving_rolls_it_back() {
    let mut repl = repl();
    assert_eq!(repl.prompt(), "datatrail> ");
    feed(&mut repl, ":begin");
    assert_eq!(repl.prompt(), "datatrail(tx)> ");
    feed(&mut repl, "CREATE (:Person {name: 'c'});");
    feed(&mut repl, ":rollback");
    assert!(
        term(&repl).contains("transaction rolled back ("),
        "{}",
        term(&repl)
    );
    assert_eq!(repl.prompt(), "datatrail> ");
    feed(&mut repl, ":begin");
    feed(&mut repl, "CREATE (:Person {name: 'd'});");
    feed(&mut repl, ":load /nonexistent");
    assert!(term(&repl).contains("cannot load while a transaction is open"));
    feed(&mut repl, ":commit");
    assert!(term(&repl).contains("transaction committed (1 write statement)"));
    feed(&mut repl, ":begin");
    feed(&mut repl, "CREATE (:Person {name: 'e'});");
    assert_eq!(feed(&mut repl, ":quit"), Step::Quit);
    repl.end_session().unwrap();
    assert!(term(&repl).contains("the session ended with a transaction open; it was rolled back"));
    assert_eq!(repl.database().graph().node_count(), 3);
}

#[test]
fn the_shell_help_lists_the_transaction_commands() {
    let mut repl = repl();
    feed(&mut repl, ":help");
    for command in [":begin", ":commit", ":rollback"] {
        assert!(term(&repl).contains(command), "{command}");
    }
}
