//! The formats investigators exchange, through the binary: FollowTheMoney in (`--ftm`)
//! and out (`--format ftm`), JSON Lines back in (`--jsonl`), GraphML and GEXF out, and
//! `COPY` choosing them by extension. The Python checks in tests/formats/ read the same
//! files with followthemoney, networkx and xmlschema.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

const WHOLE_GRAPH: &str = "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN n, r";

const CASE_FTM: &str = r#"{"id": "kogan", "schema": "Person", "properties": {"name": ["Aleksandr Kogan", "Dr. Kogan"], "nationality": ["us"]}}
{"id": "gsr", "schema": "Company", "properties": {"name": ["Global Science Research"]}}
{"id": "ca", "schema": "Organization", "properties": {"name": ["Cambridge Analytica"]}}

{"id": "own-1", "schema": "Ownership", "properties": {"owner": ["kogan"], "asset": ["gsr"], "startDate": ["2014"]}}
{"id": "pay-1", "schema": "Payment", "properties": {"payer": ["ca"], "beneficiary": ["gsr"], "amount": ["750000"], "currency": ["GBP"], "date": ["2014-06"]}}
{"id": "gsr", "schema": "Company", "properties": {"jurisdiction": ["gb"]}}
"#;

fn datatrail() -> Command {
    let mut cmd = Command::cargo_bin("datatrail").unwrap();
    cmd.arg("--quiet");
    cmd
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn ftm_things_become_nodes_and_intervals_relationships() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "case.ftm.json", CASE_FTM);
    let query = "MATCH (a)-[r]->(b) RETURN labels(a)[0], a.id, type(r), r.id, \
                 r.amount, r.date, r.startDate, b.id, b.jurisdiction ORDER BY r.id";
    let out = stdout(datatrail().args(["--ftm", &file, "--format", "csv", "-c", query]));
    assert_eq!(
        out,
        "labels(a)[0],a.id,type(r),r.id,r.amount,r.date,r.startDate,b.id,b.jurisdiction\n\
         Person,kogan,OWNERSHIP,own-1,,,['2014'],gsr,['gb']\n\
         Organization,ca,PAYMENT,pay-1,[750000],['2014-06'],,gsr,['gb']\n"
    );
}

#[test]
fn ftm_keeps_multi_valued_properties_as_lists() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "case.ftm.json", CASE_FTM);
    let query = "MATCH (p:Person) RETURN size(p.name), p.name[1], p.amount[0] IS NULL";
    let out = stdout(datatrail().args(["--ftm", &file, "--format", "csv", "-c", query]));
    assert_eq!(
        out,
        "size(p.name),p.name[1],p.amount[0] IS NULL\n2,Dr. Kogan,true\n"
    );
}

#[test]
fn ftm_round_trips_through_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "case.ftm.json", CASE_FTM);
    let out = stdout(datatrail().args(["--ftm", &file, "--format", "ftm", "-c", WHOLE_GRAPH]));
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 5, "{out}");
    assert!(lines.contains(
        &r#"{"id":"pay-1","properties":{"amount":["750000"],"beneficiary":["gsr"],"currency":["GBP"],"date":["2014-06"],"payer":["ca"]},"schema":"Payment"}"#
    ), "{out}");
    assert!(lines.contains(
        &r#"{"id":"gsr","properties":{"jurisdiction":["gb"],"name":["Global Science Research"]},"schema":"Company"}"#
    ), "{out}");
}

#[test]
fn ftm_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "{\"id\": \"x\", \"schema\": \"Spaceship\"}\n",
            "line 1: unknown FollowTheMoney schema \"Spaceship\"",
        ),
        (
            "{\"id\": \"x\", \"schema\": \"Thing\"}\n",
            "line 1: unknown FollowTheMoney schema \"Thing\" (it is abstract",
        ),
        (
            "{\"id\": \"k\", \"schema\": \"Person\"}\n\n{\"id\": \"o\", \"schema\": \"Ownership\", \"properties\": {\"owner\": [\"k\"], \"asset\": [\"nobody\"]}}\n",
            "line 3: the Ownership property \"asset\" refers to \"nobody\", which no loaded file defines",
        ),
        (
            "{\"id\": \"k\", \"schema\": \"Person\", \"properties\": {\"colour\": [\"red\"]}}\n",
            "line 1: the Person schema has no property \"colour\"",
        ),
        (
            "{\"id\": \"k\", \"schema\": \"Person\"}\n{\"id\": \"k\", \"schema\": \"Company\"}\n",
            "line 2: id \"k\" is already a Person, here it is a Company",
        ),
        (
            "{\"id\": \"k\", \"schema\": \"Person\"}\n{oops\n",
            "line 2: not JSON at column 2",
        ),
        ("[1, 2]\n", "line 1: expected an entity, a JSON object"),
        (
            "{\"id\": \"o\", \"schema\": \"Ownership\"}\n",
            "line 1: the Ownership has no \"owner\", so it links nothing",
        ),
    ];
    for (text, message) in cases {
        let file = write(dir.path(), "bad.ftm.json", text);
        datatrail()
            .args(["--ftm", &file, "-c", "RETURN 1"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("bad.ftm.json: {message}")));
    }
}

#[test]
fn jsonl_export_loads_back_as_the_same_graph() {
    let dir = tempfile::tempdir().unwrap();
    let first = stdout(datatrail().args(["--format", "jsonl", "-c", WHOLE_GRAPH]));
    let file = write(dir.path(), "case.jsonl", &first);
    let count = "MATCH (n) WITH count(n) AS nodes, collect(DISTINCT labels(n)) AS labels \
                 MATCH ()-[r]->() RETURN nodes, size(labels), count(r) AS rels, \
                 sum(r.records) AS records";
    let original = stdout(datatrail().args(["--format", "csv", "-c", count]));
    let loaded = stdout(datatrail().args(["--jsonl", &file, "--format", "csv", "-c", count]));
    assert_eq!(loaded, original);
    // Dates come back as dates: they compare with date() again.
    let dated = "MATCH ()-[r]->() WHERE r.start_date >= date('2000-01-01') RETURN count(r) > 0";
    let out = stdout(datatrail().args(["--jsonl", &file, "--format", "csv", "-c", dated]));
    assert_eq!(out, "count(r) > 0\ntrue\n");
    let again =
        stdout(datatrail().args(["--jsonl", &file, "--format", "jsonl", "-c", WHOLE_GRAPH]));
    assert_eq!(again.lines().count(), first.lines().count());
}

#[test]
fn jsonl_relationship_without_its_nodes_is_an_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let line = r#"{"r":{"id":7,"type":"DATA_FLOW","start":3,"end":5,"properties":{}}}"#;
    let file = write(dir.path(), "rels.jsonl", &format!("{{\"x\": 1}}\n{line}\n"));
    datatrail()
        .args(["--jsonl", &file, "-c", "RETURN 1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "rels.jsonl: line 2: relationship 7 (:DATA_FLOW) refers to node 3, which no loaded file defines",
        ));
}

#[test]
fn graphml_declares_typed_keys_nodes_and_edges() {
    let query = "MATCH (a {id: 'facebook'})-[r:DATA_FLOW]->(b {id: 'cambridge_analytica'}) \
                 RETURN a, r, b LIMIT 1";
    let out = stdout(datatrail().args(["--format", "graphml", "-c", query]));
    assert!(out.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml "));
    assert!(out.contains(r#"<key id="labels" for="node" attr.name="labels" attr.type="string"/>"#));
    assert!(out.contains(r#"attr.name="records" attr.type="long"/>"#));
    assert_eq!(out.matches("<node id=").count(), 2);
    assert_eq!(out.matches("<edge id=").count(), 1);
    assert!(
        out.contains("<data key=\"labels\">:Company:Platform</data>"),
        "{out}"
    );
    assert!(out.contains("<data key=\"type\">DATA_FLOW</data>"));
    assert!(out.trim_end().ends_with("</graphml>"));
}

#[test]
fn gexf_gives_dated_relationships_a_spell() {
    let query = "MATCH (a)-[r:DATA_FLOW]->(b) WHERE r.start_date IS NOT NULL RETURN a, r, b";
    let out = stdout(datatrail().args(["--format", "gexf", "-c", query]));
    assert!(out.contains(r#"<gexf xmlns="http://gexf.net/1.3""#));
    assert!(out.contains(r#"mode="dynamic" defaultedgetype="directed" timeformat="date""#));
    let edges = out.matches("<edge id=").count();
    assert!(edges > 0);
    assert_eq!(out.matches("<spells>").count(), edges);
    assert!(out.contains(r#"<node id="n"#) && out.contains(r#"label="Cambridge Analytica""#));
}

#[test]
fn copy_picks_graphml_gexf_and_ftm_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    for (name, start) in [
        ("g.graphml", "<?xml"),
        ("g.gexf", "<?xml"),
        ("g.ftm.json", "{\"id\":"),
        ("g.ftm", "{\"id\":"),
    ] {
        let path = dir.path().join(name);
        let query = format!(
            "COPY (MATCH (a)-[r:DATA_FLOW]->(b) RETURN a, r, b LIMIT 3) TO '{}'",
            path.display()
        );
        datatrail()
            .args(["--format", "table", "-c", &query])
            .assert()
            .success()
            .stdout(predicate::str::contains("3 rows written"));
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(start), "{name}: {text}");
    }
    let gexf = std::fs::read_to_string(dir.path().join("g.gexf")).unwrap();
    assert!(gexf.contains("<gexf "));
}

#[test]
fn the_format_examples_run() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for (script, writes) in [
        ("graphml.sh", "flows.graphml"),
        ("gexf.sh", "case.gexf"),
        ("ftm.sh", "case.ftm.json"),
        ("jsonl.sh", "reported.jsonl"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let output = std::process::Command::new("bash")
            .arg(examples.join(script))
            .env("DATATRAIL", env!("CARGO_BIN_EXE_datatrail"))
            .env("OUT", dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{script}: {stderr}");
        let written = std::fs::metadata(dir.path().join(writes)).unwrap();
        assert!(written.len() > 100, "{script} wrote too little");
    }
}
