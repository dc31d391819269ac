//! The ready questions in `examples/` run against the shipped case graph through the
//! real binary; their CSV output is checked against reviewed snapshots.

use std::process::Command;

#[test]
fn examples_answer_their_questions_on_the_case_graph() {
    insta::glob!("../examples", "*.cypher", |path| {
        let output = Command::new(env!("CARGO_BIN_EXE_datatrail"))
            .arg("-f")
            .arg(path)
            .args(["--format", "csv"])
            .output()
            .expect("the binary runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{} failed:\n{stderr}",
            path.display()
        );
        insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
    });
}
