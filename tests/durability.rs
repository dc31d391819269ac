//! Durable edits and one writer at a time, on the real binary: acknowledged writes to a
//! dataset folder survive SIGKILL, the journal's torn or damaged entries are handled,
//! saving folds the journal into the CSV files (also across a crash mid-save), and a
//! second process is refused while another writes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use datatrail::Database;
use datatrail::app::run::Runner;
use datatrail::app::{Dataset, Repl, Step};
use datatrail::export::Format;
use datatrail::journal::{self, HEADER_LEN, JOURNAL_FILE};
use rexpect::process::Signal;
use rexpect::process::WaitStatus;
use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};

mod pty;

use pty::{PROMPT, start_shell};

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

/// `datatrail --data DIR` running `statements` as a batch, printing CSV.
fn run(dir: &Path, statements: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatrail"));
    cmd.arg("--data").arg(dir).args(["--format", "csv"]);
    for statement in statements {
        cmd.args(["-c", statement]);
    }
    cmd.output().unwrap()
}

/// The CSV a successful read-only batch prints.
fn query(dir: &Path, statement: &str) -> String {
    let output = run(dir, &[statement]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{statement}: {stderr}");
    String::from_utf8(output.stdout).unwrap()
}

fn journal_path(dir: &Path) -> PathBuf {
    dir.join(JOURNAL_FILE)
}

fn journal_len(dir: &Path) -> Option<u64> {
    std::fs::metadata(journal_path(dir)).ok().map(|m| m.len())
}

/// The REPL in a pseudo-terminal over `--data dir`.
fn repl_on(dir: &Path) -> PtySession {
    let home = dir.parent().unwrap().to_path_buf();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatrail"));
    cmd.arg("--data")
        .arg(dir)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", &home);
    start_shell(cmd)
}

/// Sends a statement and waits for the REPL to acknowledge it with `ack`.
fn acknowledged(session: &mut PtySession, statement: &str, ack: &str) -> String {
    session.send_line(statement).unwrap();
    let before = session.exp_string(ack).unwrap();
    session.exp_string(PROMPT).unwrap();
    before
}

/// A folder inside a temporary folder, so the REPL's history goes beside it.
fn nested_dataset() -> (tempfile::TempDir, PathBuf) {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("case");
    std::fs::create_dir(&dir).unwrap();
    let inner = dataset();
    for name in ["nodes.csv", "edges.csv"] {
        std::fs::copy(inner.path().join(name), dir.join(name)).unwrap();
    }
    (outer, dir)
}

// ── Durability ──

#[test]
fn acknowledged_writes_survive_sigkill_and_nothing_else_appears() {
    let (_outer, dir) = nested_dataset();
    let mut session = repl_on(&dir);
    for i in 1..=5 {
        acknowledged(
            &mut session,
            &format!("CREATE (:T {{i: {i}}});"),
            "1 node created",
        );
    }
    acknowledged(
        &mut session,
        "MATCH (t:T {i: 2}) DELETE t;",
        "1 node deleted",
    );
    acknowledged(
        &mut session,
        "MATCH (t:T {i: 3}) SET t.x = 'three';",
        "1 property set",
    );
    // The statement clock and rand() must come back as they were, not as a new reading.
    let clock = acknowledged(
        &mut session,
        "CREATE (c:C {at: datetime(), day: date()}) RETURN toString(c.at) + ' ' + toString(c.day) AS v;",
        "1 row",
    );
    let random = acknowledged(
        &mut session,
        "CREATE (r:R {v: rand()}) RETURN 'v=' + toString(r.v) AS v;",
        "1 row",
    );
    acknowledged(&mut session, "CREATE (:T {i: 6});", "1 node created");
    // Read-only statements after the writes change nothing on disk.
    acknowledged(&mut session, "MATCH (n) RETURN count(n) AS n;", "1 row");
    match session.process_mut().kill(Signal::SIGKILL).unwrap() {
        WaitStatus::Signaled(_, Signal::SIGKILL, _) => {}
        other => panic!("expected death by SIGKILL, got {other:?}"),
    }

    let rows = query(&dir, "MATCH (t:T) RETURN t.i AS i, t.x AS x ORDER BY i");
    assert_eq!(rows, "i,x\n1,\n3,three\n4,\n5,\n6,\n");
    let all = query(
        &dir,
        "MATCH (n) RETURN labels(n)[0] AS l, count(*) AS c ORDER BY l",
    );
    assert_eq!(all, "l,c\nC,1\nPerson,1\nR,1\nT,5\n");
    let clock_back = query(
        &dir,
        "MATCH (c:C) RETURN toString(c.at) + ' ' + toString(c.day) AS v",
    );
    let clock_value = clock_back.lines().nth(1).unwrap();
    assert!(clock.contains(clock_value), "{clock} vs {clock_value}");
    let random_back = query(&dir, "MATCH (r:R) RETURN 'v=' + toString(r.v) AS v");
    let random_value = random_back.lines().nth(1).unwrap();
    assert!(random.contains(random_value), "{random} vs {random_value}");
    // The killed writer left no lock behind.
    let output = run(&dir, &["CREATE (:After)"]);
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn parameters_replay_with_their_exact_types() {
    let dir = dataset();
    let output = Command::new(env!("CARGO_BIN_EXE_datatrail"))
        .arg("--data")
        .arg(dir.path())
        .args(["--param", "d=date('2018-03-17')"])
        .args(["--param", "f=1.0"])
        .args(["--param", "l=[duration('P1DT2H'), localtime('12:00:00.5')]"])
        .args([
            "-c",
            "CREATE (:P {d: $d, f: $f, l: [x IN $l | toString(x)]})",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let rows = query(
        dir.path(),
        "MATCH (p:P) RETURN p.d + duration('P1D') AS d, p.f AS f, p.l AS l",
    );
    assert_eq!(
        rows, "d,f,l\n2018-03-18,1.0,\"['P1DT2H', '12:00:00.5']\"\n",
        "a date stays a date, a float a float"
    );
}

#[test]
fn read_only_statements_are_not_journaled() {
    let dir = dataset();
    query(dir.path(), "MATCH (n) RETURN count(n) AS n");
    assert_eq!(journal_len(dir.path()), None);
    run(dir.path(), &["CREATE (:A)"]);
    let after_write = journal_len(dir.path()).unwrap();
    query(dir.path(), "MATCH (n:A) RETURN count(n) AS n");
    assert_eq!(journal_len(dir.path()), Some(after_write));
}

#[test]
fn a_failed_statement_is_not_journaled() {
    let dir = dataset();
    run(dir.path(), &["CREATE (:A)"]);
    let before = journal_len(dir.path()).unwrap();
    let output = run(
        dir.path(),
        &["CREATE (:Bad) WITH 1 AS one RETURN 1 / 0 AS x"],
    );
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert_eq!(journal_len(dir.path()), Some(before));
    let rows = query(dir.path(), "MATCH (n) RETURN labels(n)[0] AS l ORDER BY l");
    assert_eq!(rows, "l\nA\nPerson\n");
}

#[test]
fn replay_does_not_journal_again() {
    let dir = dataset();
    run(dir.path(), &["CREATE (:A)", "CREATE (:B)"]);
    let len = journal_len(dir.path());
    // Loading replays two entries; a later write adds one, not three.
    run(dir.path(), &["CREATE (:C)"]);
    let one_entry = journal_len(dir.path()).unwrap() - len.unwrap();
    run(dir.path(), &["CREATE (:C)"]);
    assert_eq!(
        journal_len(dir.path()).unwrap() - len.unwrap(),
        2 * one_entry
    );
    let rows = query(dir.path(), "MATCH (n) RETURN count(n) AS n");
    assert_eq!(rows, "n\n5\n");
}

#[test]
fn a_replayed_copy_changes_the_graph_but_writes_no_file_again() {
    let dir = dataset();
    let out = dir.path().join("copied.csv");
    let copy = format!(
        "COPY (CREATE (n:Q {{x: 1}}) RETURN n.x AS x) TO '{}'",
        out.display()
    );
    assert!(run(dir.path(), &[&copy]).status.success());
    std::fs::remove_file(&out).unwrap();
    assert_eq!(query(dir.path(), "MATCH (q:Q) RETURN q.x AS x"), "x\n1\n");
    assert!(!out.exists());
}

#[test]
fn statements_run_together_through_the_library_are_journaled_one_by_one() {
    let dir = dataset();
    let open = || {
        let opened = datatrail::app::open_dir(dir.path(), false).unwrap();
        let mut db = Database::with_graph(opened.graph);
        db.attach_journal(opened.journal);
        db
    };
    let mut db = open();
    db.execute("CREATE (:A {s: 'it\\'s'}); MATCH (n) RETURN count(n) AS n; CREATE (:B)")
        .unwrap();
    drop(db);
    let rows = open()
        .execute(
            "MATCH (n) WHERE n.s IS NOT NULL OR n:B RETURN labels(n)[0] AS l, n.s AS s ORDER BY l",
        )
        .unwrap();
    let got: Vec<String> = rows[0].rows.iter().map(|r| format!("{:?}", r)).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got[0].contains("\"it's\""), "{got:?}");
}

#[test]
fn a_torn_last_entry_is_dropped_with_a_warning() {
    let dir = dataset();
    run(dir.path(), &["CREATE (:A)", "CREATE (:B)"]);
    let path = journal_path(dir.path());
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() - 5]).unwrap();
    let output = run(
        dir.path(),
        &["MATCH (n) RETURN labels(n)[0] AS l ORDER BY l"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("datatrail.journal: the last entry (entry 2, at byte")
            && stderr.contains("is incomplete"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), "l\nA\nPerson\n");
    // The next writer cuts the torn bytes off before appending.
    run(dir.path(), &["CREATE (:C)"]);
    let output = run(
        dir.path(),
        &["MATCH (n) RETURN labels(n)[0] AS l ORDER BY l"],
    );
    assert!(output.stderr.is_empty(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "l\nA\nC\nPerson\n");
}

#[test]
fn a_damaged_entry_in_the_middle_is_an_error_naming_file_and_entry() {
    let dir = dataset();
    run(dir.path(), &["CREATE (:A)", "CREATE (:B)"]);
    let path = journal_path(dir.path());
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[HEADER_LEN as usize + 12] ^= 0x20;
    std::fs::write(&path, &bytes).unwrap();
    let output = run(dir.path(), &["MATCH (n) RETURN n"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("datatrail.journal: entry 1 (at byte 16) is damaged"),
        "{stderr}"
    );
}

// ── Saving ──

#[test]
fn save_to_the_data_folder_folds_the_journal_and_empties_it() {
    let dir = dataset();
    run(dir.path(), &["CREATE (:A {name: 'a'})"]);
    let output = Command::new(env!("CARGO_BIN_EXE_datatrail"))
        .arg("--data")
        .arg(dir.path())
        .arg("--save")
        .arg(dir.path())
        .args(["-c", "CREATE (:B {name: 'b'})"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(journal_len(dir.path()), Some(HEADER_LEN));
    let csv = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap_or_default();
    let nodes = csv("nodes.csv") + &csv("nodes-2.csv");
    assert!(
        nodes.contains(",A,a\n") && nodes.contains(",B,b\n"),
        "{nodes}"
    );
    // Replay after the save: new entries apply over the saved files, each once.
    run(dir.path(), &["CREATE (:C {name: 'c'})"]);
    let rows = query(dir.path(), "MATCH (n) RETURN n.name AS name ORDER BY name");
    assert_eq!(rows, "name\nAleksandr Kogan\na\nb\nc\n");
}

#[test]
fn a_failed_script_saves_nothing_but_keeps_what_succeeded_in_the_journal() {
    let dir = dataset();
    let output = Command::new(env!("CARGO_BIN_EXE_datatrail"))
        .arg("--data")
        .arg(dir.path())
        .arg("--save")
        .arg(dir.path())
        .args(["-c", "CREATE (:A)", "-c", "RETURN 1 / 0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(": a statement failed (the changes of the statements that succeeded are kept in its journal)"),
        "{stderr}"
    );
    assert!(journal_len(dir.path()).unwrap() > HEADER_LEN, "not folded");
    let labels = "MATCH (n) RETURN labels(n)[0] AS l ORDER BY l";
    assert_eq!(query(dir.path(), labels), "l\nA\nPerson\n");
}

#[test]
fn saving_over_another_dataset_drops_that_datasets_journal() {
    let target = dataset();
    run(target.path(), &["CREATE (:Old)"]);
    let source = dataset();
    let output = Command::new(env!("CARGO_BIN_EXE_datatrail"))
        .arg("--data")
        .arg(source.path())
        .arg("--save")
        .arg(target.path())
        .args(["-c", "CREATE (:New)"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let labels = "MATCH (n) RETURN labels(n)[0] AS l ORDER BY l";
    assert_eq!(query(target.path(), labels), "l\nNew\nPerson\n");
    assert_eq!(query(source.path(), labels), "l\nNew\nPerson\n");
}

#[test]
fn repl_save_folds_and_later_writes_go_to_the_saved_folder() {
    let dir = dataset();
    run(dir.path(), &["CREATE (:A)"]);
    let opened = datatrail::app::open_dir(dir.path(), false).unwrap();
    let mut db = Database::with_graph(opened.graph);
    db.attach_journal(opened.journal);
    let mut repl = Repl::new(db, Runner::new(Format::Csv), Vec::new())
        .with_dataset(Dataset::Folder(dir.path().to_path_buf()));
    let other = tempfile::tempdir().unwrap();
    for line in [
        ":save".to_string(),
        "CREATE (:B);".into(),
        format!(":save {}", other.path().display()),
        "CREATE (:C);".into(),
    ] {
        assert!(matches!(repl.feed_line(&line).unwrap(), Step::Ran(_)));
    }
    let text = String::from_utf8_lossy(repl.term()).to_string();
    assert!(
        text.contains("saved 2 nodes and 0 relationships to"),
        "{text}"
    );
    drop(repl);
    // The first folder has A (saved) and B (journaled); the second A, B (saved), C.
    let labels = "MATCH (n) RETURN labels(n)[0] AS l ORDER BY l";
    assert_eq!(query(dir.path(), labels), "l\nA\nB\nPerson\n");
    assert_eq!(query(other.path(), labels), "l\nA\nB\nC\nPerson\n");
    assert!(journal_len(other.path()).unwrap() > HEADER_LEN);
}

#[test]
fn a_failed_save_keeps_journaling() {
    let dir = dataset();
    let opened = datatrail::app::open_dir(dir.path(), false).unwrap();
    let mut db = Database::with_graph(opened.graph);
    db.attach_journal(opened.journal);
    let mut repl = Repl::new(db, Runner::new(Format::Csv), Vec::new())
        .with_dataset(Dataset::Folder(dir.path().to_path_buf()));
    // CSV files cannot hold a duration, so the save fails; the journal can.
    for line in ["CREATE (:D {d: duration('P1D')});", ":save", "CREATE (:E);"] {
        repl.feed_line(line).unwrap();
    }
    let text = String::from_utf8_lossy(repl.term()).to_string();
    assert!(text.contains("nothing was saved"), "{text}");
    drop(repl);
    let rows = query(
        dir.path(),
        "MATCH (n) RETURN labels(n)[0] AS l, toString(n.d) AS d ORDER BY l",
    );
    assert_eq!(rows, "l,d\nD,P1D\nE,\nPerson,\n");
}

/// A save that crashed after committing: the new CSV files are (partly) in place, and
/// the old journal, whose entries they already hold, is still there.
#[test]
fn a_save_interrupted_after_its_commit_is_finished_and_never_replays_twice() {
    for moved in [false, true] {
        let dir = dataset();
        run(dir.path(), &["CREATE (:A)"]);
        let old_journal = std::fs::read(journal_path(dir.path())).unwrap();
        // Make the state a crash leaves: the graph with the journal applied saved into
        // the staging folder (its files moved into place when `moved`), the commit
        // file written, the old journal still there.
        let mut db = Database::with_graph(datatrail::load::load_dir(dir.path()).unwrap());
        db.execute("CREATE (:A)").unwrap();
        let staging = dir.path().join(journal::fold::STAGING_DIR);
        let saved = datatrail::load::save_dir(db.graph(), &staging).unwrap();
        let commit = journal::fold::commit_record(1, &saved.files).unwrap();
        if moved {
            for file in &saved.files {
                std::fs::rename(file, dir.path().join(file.file_name().unwrap())).unwrap();
            }
        }
        std::fs::write(dir.path().join(journal::fold::COMMIT_FILE), commit).unwrap();
        assert_eq!(
            std::fs::read(journal_path(dir.path())).unwrap(),
            old_journal
        );

        let rows = query(dir.path(), "MATCH (n) RETURN labels(n)[0] AS l ORDER BY l");
        // One A: the journal's entry is already in the saved files.
        assert_eq!(rows, "l\nA\nPerson\n", "files moved: {moved}");
        assert_eq!(journal_len(dir.path()), Some(HEADER_LEN));
        assert!(!staging.exists() && !dir.path().join(journal::fold::COMMIT_FILE).exists());
    }
}

/// The state a crash right after a save's commit leaves, for a dataset with one journaled
/// `CREATE (:A)`: the staged files and the commit file beside the old files and journal.
fn committed_but_unfinished_save(dir: &Path) -> Vec<std::path::PathBuf> {
    run(dir, &["CREATE (:A)"]);
    let mut db = Database::with_graph(datatrail::load::load_dir(dir).unwrap());
    db.execute("CREATE (:A)").unwrap();
    let staging = dir.join(journal::fold::STAGING_DIR);
    let saved = datatrail::load::save_dir(db.graph(), &staging).unwrap();
    let commit = journal::fold::commit_record(1, &saved.files).unwrap();
    std::fs::write(dir.join(journal::fold::COMMIT_FILE), commit).unwrap();
    saved.files
}

/// What a folder holds, file by file, to show that a refused open changed nothing.
fn folder_contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        // The lock file names whichever process last held the lock: bookkeeping, not data.
        .filter(|p| p.is_file() && !p.ends_with(datatrail::lock::LOCK_FILE))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn an_unfinished_save_whose_staged_files_are_gone_is_refused_and_changes_nothing() {
    let dir = dataset();
    committed_but_unfinished_save(dir.path());
    std::fs::remove_dir_all(dir.path().join(journal::fold::STAGING_DIR)).unwrap();
    let before = folder_contents(dir.path());
    let output = run(dir.path(), &["MATCH (n) RETURN count(n)"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("an interrupted save cannot be finished: ")
            && stderr.contains(" is missing or not what was saved; nothing was changed"),
        "{stderr}"
    );
    assert_eq!(folder_contents(dir.path()), before, "no file was touched");
}

#[test]
fn a_crafted_commit_file_deletes_nothing() {
    for files in [
        serde_json::json!([]),
        serde_json::json!([{ "name": "../nodes.csv", "size": 1, "sha256": "00" }]),
        serde_json::json!([{ "name": "nodes.csv", "size": 1, "sha256": "00" },
                           { "name": "edges.csv", "size": 1, "sha256": "00" }]),
        serde_json::json!(["nodes.csv", "edges.csv"]),
    ] {
        let dir = dataset();
        run(dir.path(), &["CREATE (:A)"]);
        let commit = serde_json::json!({ "generation": 7, "files": files });
        std::fs::write(
            dir.path().join(journal::fold::COMMIT_FILE),
            commit.to_string(),
        )
        .unwrap();
        let before = folder_contents(dir.path());
        let output = run(dir.path(), &["MATCH (n) RETURN count(n)"]);
        assert_eq!(output.status.code(), Some(2), "{files}: {output:?}");
        assert_eq!(
            folder_contents(dir.path()),
            before,
            "{files}: no file was touched"
        );
    }
}

#[test]
fn a_save_that_never_committed_leaves_the_dataset_as_it_was() {
    let dir = dataset();
    run(dir.path(), &["CREATE (:A)"]);
    let staging = dir.path().join(journal::fold::STAGING_DIR);
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join("nodes.csv"), "id:ID,:LABEL\nx,Stale\n").unwrap();
    let labels = "MATCH (n) RETURN labels(n)[0] AS l ORDER BY l";
    assert_eq!(query(dir.path(), labels), "l\nA\nPerson\n");
    run(dir.path(), &["CREATE (:B)"]);
    assert!(
        !staging.exists(),
        "the next writer removes the staging folder"
    );
    assert_eq!(query(dir.path(), labels), "l\nA\nB\nPerson\n");
}

// ── One writer at a time ──

#[test]
fn a_second_writer_is_refused_naming_the_holder_and_readers_are_not() {
    let (_outer, dir) = nested_dataset();
    let mut holder = repl_on(&dir);
    acknowledged(&mut holder, "CREATE (:A);", "1 node created");
    let pid = std::fs::read_to_string(dir.join(datatrail::lock::LOCK_FILE)).unwrap();
    let pid = pid.trim();
    assert!(Path::new(&format!("/proc/{pid}")).exists() || cfg!(not(target_os = "linux")));

    let output = run(&dir, &["CREATE (:B)"]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("is open for writing by process {pid};")),
        "{stderr}"
    );
    assert_eq!(query(&dir, "MATCH (n:A) RETURN count(n) AS n"), "n\n1\n");

    holder.send_line(":quit").unwrap();
    holder.exp_eof().unwrap();
    run(&dir, &["CREATE (:B)"]);
    assert_eq!(
        query(&dir, "MATCH (n) RETURN labels(n)[0] AS l ORDER BY l"),
        "l\nA\nB\nPerson\n"
    );
}

#[test]
fn a_writer_whose_dataset_changed_since_it_loaded_must_reload() {
    let (_outer, dir) = nested_dataset();
    let mut late = repl_on(&dir);
    run(&dir, &["CREATE (:Other)"]);
    acknowledged(
        &mut late,
        "CREATE (:Mine);",
        "the dataset in", // ... changed since it was loaded
    );
    late.send_line(&format!(":load {}", dir.display())).unwrap();
    late.exp_string("(1 change replayed from the journal)")
        .unwrap();
    late.exp_string(PROMPT).unwrap();
    acknowledged(&mut late, "CREATE (:Mine);", "1 node created");
    late.send_line(":quit").unwrap();
    late.exp_eof().unwrap();
    assert_eq!(
        query(&dir, "MATCH (n) RETURN labels(n)[0] AS l ORDER BY l"),
        "l\nMine\nOther\nPerson\n"
    );
}

#[test]
fn writes_to_the_built_in_graph_say_once_that_they_are_in_memory() {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatrail"));
    cmd.env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let options = Options::new().timeout_ms(Some(30_000));
    let mut session = spawn_with_options(cmd, options).unwrap();
    session.exp_string(PROMPT).unwrap();
    session.send_line("CREATE (:X);").unwrap();
    session
        .exp_string("changes are in memory only; :save DIR writes them to a folder")
        .unwrap();
    session.exp_string(PROMPT).unwrap();
    session.send_line("CREATE (:Y);").unwrap();
    let between = session.exp_string(PROMPT).unwrap();
    assert!(!between.contains("in memory only"), "{between}");
    session.send_line(":quit").unwrap();
    session.exp_eof().unwrap();
}
