//! `COPY (query) TO 'file'`: results written to files in the format the extension names.

use std::process::Command;

use datatrail::Database;

fn case() -> Database {
    Database::with_graph(datatrail::load::load_embedded().expect("the shipped data loads"))
}

const FACEBOOK_CHAIN: &str = "MATCH p = (:Platform {name: 'Facebook'})-[:DATA_FLOW*]->(x) RETURN p";

#[test]
fn copy_writes_csv_and_reports_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("people.csv");
    let query = format!(
        "COPY (MATCH (p:Person) WHERE p.name STARTS WITH 'B' RETURN p.name AS name ORDER BY name) TO '{}'",
        path.display()
    );
    let result = case().execute(&query).unwrap().pop().unwrap();
    assert_eq!(
        result.message.as_deref(),
        Some(format!("2 rows written to {}", path.display()).as_str())
    );
    assert!(result.columns.is_empty());
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text, "name\nBrad Parscale\nBrittany Kaiser\n");
}

#[test]
fn copy_writes_dot_and_mermaid_pictures() {
    let dir = tempfile::tempdir().unwrap();
    let dot = dir.path().join("chain.dot");
    let mmd = dir.path().join("chain.mmd");
    let mut db = case();
    db.execute(&format!("COPY ({FACEBOOK_CHAIN}) TO '{}'", dot.display()))
        .unwrap();
    db.execute(&format!("COPY ({FACEBOOK_CHAIN}) TO '{}'", mmd.display()))
        .unwrap();
    let dot = std::fs::read_to_string(dot).unwrap();
    assert!(dot.starts_with("digraph datatrail {"));
    assert!(dot.contains("Facebook\\n:Company:Platform"));
    assert!(
        dot.contains("style=dashed"),
        "alleged and disputed flows are dashed"
    );
    let mmd = std::fs::read_to_string(mmd).unwrap();
    assert!(mmd.starts_with("flowchart LR"));
}

#[test]
fn copy_to_an_unknown_extension_is_an_error_naming_the_file() {
    let err = case()
        .execute("COPY (RETURN 1 AS x) TO '/tmp/x.xlsx'")
        .unwrap_err();
    assert!(err.to_string().contains("/tmp/x.xlsx"), "{err}");
    assert!(err.to_string().contains(".csv"), "{err}");
}

fn graphviz_installed() -> bool {
    Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Renders the Facebook chain to SVG through Graphviz. CI installs Graphviz (`.ci/run`)
/// and must run this; elsewhere it is skipped with a note when `dot` is missing.
#[test]
fn copy_renders_the_facebook_chain_to_svg() {
    if !graphviz_installed() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install Graphviz (see .ci/run)"
        );
        eprintln!("note: Graphviz's `dot` is not installed; skipping the SVG rendering test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("chain.svg");
    let result = case()
        .execute(&format!("COPY ({FACEBOOK_CHAIN}) TO '{}'", svg.display()))
        .unwrap();
    assert!(result[0].message.as_deref().unwrap().ends_with("chain.svg"));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains("<svg"), "not an SVG file");
    for name in [
        "Facebook",
        "Global Science Research",
        "Cambridge Analytica",
        "SCL Group",
    ] {
        assert!(text.contains(name), "{name} missing from the picture");
    }
    assert!(
        text.contains("stroke-dasharray"),
        "disputed flows should be dashed"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary files are left behind");
}

#[test]
fn copy_to_svg_without_graphviz_says_how_to_install_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_datatrail"))
        .env("PATH", dir.path())
        .args([
            "-c",
            &format!(
                "COPY (RETURN 1 AS x) TO '{}'",
                dir.path().join("x.svg").display()
            ),
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("apt-get install graphviz"), "{stderr}");
}
