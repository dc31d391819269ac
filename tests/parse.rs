//! Parser snapshots: every `tests/parse/ok/*.cypher` file's syntax tree dump, and every
//! `tests/parse/err/*.cypher` file's rendered diagnostic, reviewed in `tests/snapshots/`.
//! Each statement that parses must also survive printing: `parse(stmt.to_string())` gives
//! the same dump, and printing is stable (printing the reparsed tree gives the same text).

use std::path::Path;
use std::process::Command;

use datatrail::Error;
use datatrail::ast::Statement;
use datatrail::ast_print::dump;
use datatrail::parser::parse;
use pretty_assertions::assert_eq;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// Panics unless `statement` prints to text that parses back to the same tree.
fn assert_round_trip(statement: &Statement, origin: &str) {
    let printed = statement.to_string();
    let reparsed = parse(&printed).unwrap_or_else(|e| {
        panic!(
            "{origin}: the printed statement does not parse:\n{}",
            Error::from(e).render(&printed, "printed")
        )
    });
    assert_eq!(
        reparsed.len(),
        1,
        "{origin}: `{printed}` is not one statement"
    );
    assert_eq!(
        dump(statement),
        dump(&reparsed[0]),
        "{origin}: printed as `{printed}`"
    );
    assert_eq!(
        printed,
        reparsed[0].to_string(),
        "{origin}: printing is not stable"
    );
}

#[test]
fn ok_queries_round_trip() {
    insta::glob!("parse/ok/*.cypher", |path| {
        let text = read(path);
        let origin = file_name(path);
        let statements =
            parse(&text).unwrap_or_else(|e| panic!("{}", Error::from(e).render(&text, &origin)));
        for statement in &statements {
            assert_round_trip(statement, &origin);
        }
        let dumps: Vec<String> = statements.iter().map(dump).collect();
        insta::with_settings!({ description => text.trim_end(), omit_expression => true }, {
            insta::assert_snapshot!(dumps.join("\n"));
        });
    });
}

#[test]
fn err_queries_render() {
    insta::glob!("parse/err/*.cypher", |path| {
        let text = read(path);
        let rendered = match parse(&text) {
            Ok(statements) => panic!(
                "{} parsed, but should not:\n{}",
                file_name(path),
                statements.iter().map(dump).collect::<Vec<_>>().join("\n")
            ),
            Err(e) => Error::from(e).render(&text, "query"),
        };
        insta::with_settings!({ description => text.trim_end(), omit_expression => true }, {
            insta::assert_snapshot!(rendered);
        });
    });
}

#[test]
fn parse_refuses_ten_thousand_nested_brackets_without_crashing() {
    for (open, close) in [("[", "]"), ("(", ")"), ("{a: ", "}")] {
        let text = format!("RETURN {}1{}", open.repeat(10_000), close.repeat(10_000));
        let err = parse(&text).unwrap_err();
        assert_eq!(err.message, "brackets nest more than 200 deep");
        // The caret sits on the first bracket past the limit.
        let first = "RETURN ".len() + open.len() * 200;
        assert_eq!(err.span.start, first, "{open}");
        let rendered = Error::from(err).render(&text, "query");
        assert!(rendered.contains("--> query:1:"), "{rendered}");
    }
}

#[test]
fn parse_accepts_nesting_up_to_the_limit_and_round_trips_it() {
    let text = format!("RETURN {}1{}", "[".repeat(199), "]".repeat(199));
    let statements = parse(&text).unwrap();
    assert_round_trip(&statements[0], "199 nested lists");
}

#[test]
fn parse_reports_errors_in_the_second_statement_of_a_script() {
    let text = "RETURN 1;\nRETURN (2;";
    let err = parse(text).unwrap_err();
    let rendered = Error::from(err).render(text, "script.cypher");
    assert!(rendered.contains("--> script.cypher:2:"), "{rendered}");
}

/// openCypher's `ListComprehension` is `[` FilterExpression (`|` Expression)? `]`, with the
/// `WHERE` of the filter optional, so `[x IN list]` is a comprehension that returns the
/// list, as in Neo4j. The parser tries `list_literal` first and reads a one-element list
/// holding `x IN list`, whose `x` is then unbound.
#[test]
fn parse_reads_bare_list_comprehension() {
    let statements = parse("RETURN [x IN [1, 2, 3]] AS l").unwrap();
    assert_eq!(
        dump(&statements[0]),
        "(query\n  (return (item (list-comprehension x (list 1 2 3)) (as l))))"
    );
}

/// `check_nesting` bounds brackets only; CASE nests without any. 160 levels abort a debug
/// build on an 8 MiB stack (the size of a binary's main thread), 40 on a test thread's
/// 2 MiB. A stack overflow aborts the whole process, so this runs in a child process.
#[test]
fn parse_survives_deeply_nested_case_expressions() {
    let exe = std::env::current_exe().expect("the test binary");
    let output = Command::new(exe)
        .args(["--exact", "deeply_nested_case_child", "--ignored"])
        .env(CHILD, "1")
        .output()
        .expect("a child test process");
    assert!(
        output.status.success(),
        "parsing crashed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Set in the child process, so `--ignored` runs in the parent don't crash.
const CHILD: &str = "DATATRAIL_PARSE_TEST_CHILD";

#[test]
#[ignore = "run in a child process by parse_survives_deeply_nested_case_expressions"]
fn deeply_nested_case_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let run = || {
        for depth in [100, 200, 400, 1000, 10_000] {
            let open = "CASE WHEN true THEN ".repeat(depth);
            let text = format!("RETURN {open}1{}", " END".repeat(depth));
            // A tree or a syntax error are both fine; a crash is not.
            let _ = parse(&text);
        }
    };
    std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(run)
        .expect("a thread")
        .join()
        .expect("no panic");
}
