//! The REPL in a pseudo-terminal (rexpect), as a person uses it: prompts, multi-line
//! statements, tables, pictures, Ctrl-C and Ctrl-D, the spinner, `:export`, `:sources`,
//! `:save`, and the history file, which goes to a temporary `XDG_DATA_HOME`.

use std::path::Path;
use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};

mod pty;

use pty::{PROMPT, spawn_plain, start_shell};
const CONTINUATION: &str = "...> ";

/// The REPL started in `dir`, with `dir/data` as its data folder (for history).
fn start_in(dir: &Path, data_home: &Path) -> PtySession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatrail"));
    cmd.current_dir(dir)
        .env("HOME", dir)
        .env("XDG_DATA_HOME", data_home);
    start_shell(cmd)
}

/// Makes 40 nodes, then sends a count over 40^6 matches: it runs until interrupted.
fn send_endless_count(session: &mut PtySession) {
    session
        .send_line("UNWIND range(1, 40) AS i CREATE (:N);")
        .unwrap();
    session.exp_string("40 nodes created").unwrap();
    session.exp_string(PROMPT).unwrap();
    session
        .send_line("MATCH (a:N), (b:N), (c:N), (d:N), (e:N), (f:N) RETURN count(*) AS n;")
        .unwrap();
}

fn start(dir: &Path) -> PtySession {
    start_in(dir, &dir.join("data"))
}

fn exits_cleanly(mut session: PtySession) {
    session.exp_eof().unwrap();
    match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => assert_eq!(code, 0),
        other => panic!("the REPL did not exit normally: {other:?}"),
    }
}

#[test]
fn quit_leaves_with_exit_code_0() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
}

#[test]
fn ctrl_d_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    session.send_control('d').unwrap();
    exits_cleanly(session);
}

#[test]
fn ctrl_c_clears_an_unfinished_statement() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    session.send_line("MATCH (n)").unwrap();
    session.exp_string(CONTINUATION).unwrap();
    session.send("RETURN n").unwrap();
    session.send_control('c').unwrap();
    session.exp_string(PROMPT).unwrap();
    // Had the lines been kept, `:help` would continue the statement.
    session.send_line(":help").unwrap();
    session.exp_string("Meta commands:").unwrap();
    session.exp_string(PROMPT).unwrap();
    session.send_line(":exit").unwrap();
    exits_cleanly(session);
}

#[test]
fn meta_command_errors_do_not_end_the_session() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    session.send_line(":frobnicate").unwrap();
    session
        .exp_string("error: unknown command `:frobnicate`")
        .unwrap();
    session.exp_string(PROMPT).unwrap();
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
}

#[test]
fn history_is_kept_in_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    session.send_line(":mode csv").unwrap();
    session.exp_string("results are printed as csv").unwrap();
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
    let history = std::fs::read_to_string(dir.path().join("data/datatrail/history")).unwrap();
    assert!(history.contains(":mode csv"), "{history}");
}

#[test]
fn an_unusable_data_folder_only_loses_history() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, "").unwrap();
    let mut session = start_in(dir.path(), &file);
    session.send_line(":params").unwrap();
    session.exp_string("no parameters").unwrap();
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
}

#[test]
fn an_error_then_a_good_query() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    session.send_line("RETURN nope(;").unwrap();
    session.exp_string("error: ").unwrap();
    session.exp_string("--> query:1:").unwrap();
    session.exp_string(PROMPT).unwrap();
    session.send_line("RETURN 1 AS x;").unwrap();
    // rexpect reads bytes as Latin-1, so match the ASCII inside the box characters.
    session.exp_string(" x ").unwrap();
    session.exp_string("1 row (").unwrap();
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
}

#[test]
fn a_statement_over_several_lines_prints_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    session.send_line("UNWIND range(1, 3) AS i").unwrap();
    session.exp_string(CONTINUATION).unwrap();
    session.send_line("RETURN i;").unwrap();
    // rexpect reads bytes as Latin-1, so match the ASCII inside the box characters.
    session.exp_string(" i ").unwrap();
    session.exp_string(" 3 ").unwrap();
    session.exp_regex(r"3 rows \(\d+\.\d{3} s\)").unwrap();
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
}

#[test]
fn export_writes_the_last_result() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    session
        .send_line("MATCH (n:Person) RETURN n.name ORDER BY n.name;")
        .unwrap();
    session.exp_regex(r"\d+ rows? \(").unwrap();
    session.send_line(":export people.csv").unwrap();
    session.exp_string("written to people.csv").unwrap();
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
    let csv = std::fs::read_to_string(dir.path().join("people.csv")).unwrap();
    assert!(csv.starts_with("n.name\n"), "{csv}");
    assert!(csv.contains("Kogan"), "{csv}");
}

#[test]
fn ctrl_c_stops_a_running_statement() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    send_endless_count(&mut session);
    std::thread::sleep(std::time::Duration::from_millis(500));
    session.send_control('c').unwrap();
    session.exp_string("interrupted").unwrap();
    session.exp_string(PROMPT).unwrap();
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
}

/// What rexpect shows for UTF-8 text: it reads each byte as one Latin-1 character.
fn as_read(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

#[test]
fn sources_lists_the_articles_behind_the_last_result() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    session
        .send_line("MATCH (:Website {name: \"Emma's Diary\"})-[r:DATA_FLOW]->(b) RETURN b, r;")
        .unwrap();
    session.exp_string("1 row (").unwrap();
    session.send_line(":sources").unwrap();
    session.exp_string(" source ").unwrap();
    session.exp_string("003_4e68964801c05678").unwrap();
    let title = "حزب العمال البريطاني يشتري بيانات مستخدمي موقع إلكتروني";
    session.exp_string(&as_read(title)).unwrap();
    session.exp_string("1 source").unwrap();
    // The evidence: the quoted sentence of the article, then its gloss.
    session.exp_string("row 1: ").unwrap();
    session
        .exp_string(&as_read("باعت في الأساس مليونا و65 ألفا و200 تسجيل"))
        .unwrap();
    session
        .exp_string("sold 1,065,200 records to a branch")
        .unwrap();
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
}

#[test]
fn mode_dot_prints_a_graphviz_picture() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    session.send_line(":mode dot").unwrap();
    session.exp_string("results are printed as dot").unwrap();
    session
        .send_line("MATCH p = (:Platform {name: 'Facebook'})-[:DATA_FLOW*]->(x) RETURN p;")
        .unwrap();
    session.exp_string("digraph datatrail {").unwrap();
    session.exp_string("style=dashed").unwrap();
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
}

#[test]
fn save_writes_the_graph_after_a_hint_about_memory() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    session.send_line(":save").unwrap();
    session
        .exp_string("no folder to save to; use :save DIR")
        .unwrap();
    session
        .send_line("CREATE (:Person {name: 'Test'});")
        .unwrap();
    session
        .exp_string("changes are in memory only; :save DIR writes them to a folder")
        .unwrap();
    session.send_line(":save saved").unwrap();
    session
        .exp_string("saved 41 nodes and 59 relationships to saved")
        .unwrap();
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
    assert!(dir.path().join("saved/nodes.csv").is_file());
    // A node without an `id` goes to a file of its own (see `load::save`).
    let nodes = std::fs::read_to_string(dir.path().join("saved/nodes-2.csv")).unwrap();
    assert!(nodes.contains("Test"), "{nodes}");
}

#[test]
fn save_flag_is_refused_in_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatrail"));
    cmd.current_dir(dir.path()).args(["--save", "out"]);
    let mut session = spawn_with_options(cmd, Options::new().timeout_ms(Some(30_000))).unwrap();
    session
        .exp_string("in the interactive shell, use :save DIR")
        .unwrap();
    session.exp_eof().unwrap();
    match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => assert_eq!(code, 2),
        other => panic!("unexpected: {other:?}"),
    }
}

#[test]
fn a_long_statement_shows_a_spinner_until_it_ends() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    send_endless_count(&mut session);
    session.exp_string("running (Ctrl-C stops it)").unwrap();
    session.send_control('c').unwrap();
    session.exp_string("interrupted").unwrap();
    session.exp_string(PROMPT).unwrap();
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
}

#[test]
fn quiet_starts_without_a_greeting() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatrail"));
    cmd.current_dir(dir.path())
        .arg("--quiet")
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"));
    let mut session = spawn_plain(cmd);
    let (before, _) = session.exp_string(PROMPT).map(|s| (s, ())).unwrap();
    assert!(!before.contains("Type :help"), "{before}");
    session.send_line("CREATE (:X);").unwrap();
    session.exp_string("1 node created").unwrap();
    session.send_line(":quit").unwrap();
    let (rest, _) = session.exp_eof().map(|s| (s, ())).unwrap();
    assert!(!rest.contains("in memory only"), "{rest}");
}

#[test]
fn loading_a_large_dataset_on_a_terminal_shows_a_progress_bar() {
    let dir = tempfile::tempdir().unwrap();
    let mut nodes = String::from("id:ID,:LABEL,name\n");
    let mut edges = String::from(":START_ID,:END_ID,:TYPE\n");
    for i in 0..100_000 {
        nodes.push_str(&format!(
            "n{i},Person,Person number {i} with a longer name\n"
        ));
        if i > 0 {
            edges.push_str(&format!("n{},n{i},KNOWS\n", i - 1));
        }
    }
    std::fs::write(dir.path().join("nodes.csv"), nodes).unwrap();
    std::fs::write(dir.path().join("edges.csv"), edges).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_datatrail"));
    cmd.current_dir(dir.path())
        .args(["--data", ".", "-c", "MATCH (n) RETURN count(n) AS n"])
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut session = spawn_with_options(cmd, Options::new().timeout_ms(Some(30_000))).unwrap();
    session.exp_string("loading ").unwrap();
    // Rows done and rows per second, not bytes.
    session.exp_regex(r"\d[\d,]* rows, [\d,]+ rows/s").unwrap();
    session.exp_string("100000").unwrap();
    session.exp_eof().unwrap();
}

#[test]
fn width_fits_tables_to_the_columns_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let mut session = start(dir.path());
    session.send_line(":width 50").unwrap();
    session.exp_string("tables fit 50 columns").unwrap();
    session.exp_string(PROMPT).unwrap();
    session
        .send_line("MATCH (n {id: 'cambridge_analytica'}) RETURN n, n.description;")
        .unwrap();
    let shown = session.exp_string("1 row").unwrap();
    // The pseudo-terminal hands over bytes one char each: put the UTF-8 back together.
    let bytes: Vec<u8> = shown.chars().map(|c| c as u32 as u8).collect();
    let shown = String::from_utf8_lossy(&bytes).into_owned();
    assert!(shown.contains('…'), "{shown}");
    assert!(shown.contains("(:Company"), "{shown}");
    for line in shown.lines().filter(|l| l.contains('│')) {
        assert!(line.trim_end().chars().count() <= 50, "{line}");
    }
    session.exp_string(PROMPT).unwrap();
    session.send_line(":width off").unwrap();
    session
        .exp_string("tables are not fitted to a width")
        .unwrap();
    session.exp_string(PROMPT).unwrap();
    session.send_line(":quit").unwrap();
    exits_cleanly(session);
}
