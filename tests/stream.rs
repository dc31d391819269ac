//! A script piped into the binary runs as it arrives: each statement's result is printed
//! before the next statement has been written, as psql does.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn piped_statements_are_answered_before_the_script_ends() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_datatrail"))
        .args(["--format", "csv"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines, received) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if lines.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let answer = |wanted: &str| {
        let deadline = Duration::from_secs(60);
        loop {
            let line = received
                .recv_timeout(deadline)
                .unwrap_or_else(|_| panic!("no `{wanted}` while the script was still open"));
            if line == wanted {
                break;
            }
        }
    };
    // The script stays open: each answer must come before the next statement is written.
    stdin.write_all(b"CREATE (:Probe {n: 41});\n").unwrap();
    stdin.flush().unwrap();
    stdin
        .write_all(b"MATCH (p:Probe) RETURN p.n + 1 AS answer;\n")
        .unwrap();
    stdin.flush().unwrap();
    answer("42");
    stdin.write_all(b"RETURN 'second' AS x\n").unwrap();
    stdin.write_all(b";\n").unwrap();
    stdin.flush().unwrap();
    answer("second");
    drop(stdin);
    assert!(child.wait().unwrap().success());
    reader.join().unwrap();
}

#[test]
fn a_failing_piped_statement_names_its_line_in_the_whole_script() {
    let output = Command::new(env!("CARGO_BIN_EXE_datatrail"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(b"RETURN 1;\nRETURN 2;\n\n  RETURN 3; RETURN nope;\n")?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("<stdin>:4:20"), "{stderr}");
    assert!(stderr.contains("4 |   RETURN 3; RETURN nope;"), "{stderr}");
}
