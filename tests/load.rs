//! The loader and saver through the public API: every error kind with its message,
//! the CSV details of DATA-MODEL.md, and save → load round trips.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate};
use datatrail::graph::{Graph, Value};
use datatrail::load::{self, LoadError, Position};
use pretty_assertions::assert_eq;

// ── Helpers ──

fn load_str(nodes: &str, edges: &str) -> Result<Graph, LoadError> {
    load::load_readers(
        &[("nodes.csv", nodes.as_bytes())],
        &[("edges.csv", edges.as_bytes())],
    )
}

fn load_err(nodes: &str, edges: &str) -> LoadError {
    match load_str(nodes, edges) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

const NO_EDGES: &str = ":START_ID,:END_ID,:TYPE\n";

fn pos(record: u64, line: u64) -> Position {
    Position { record, line }
}

/// The node whose `id` property is `id`.
fn node(g: &Graph, id: &str) -> datatrail::graph::NodeId {
    let key = g.key_symbol("id").expect("an id key");
    g.node_ids()
        .find(|&n| g.node_property(n, key).and_then(Value::as_str) == Some(id))
        .unwrap_or_else(|| panic!("no node {id}"))
}

fn prop(g: &Graph, id: &str, key: &str) -> Option<Value> {
    let key = g.key_symbol(key)?;
    g.node_property(node(g, id), key).cloned()
}

fn labels(g: &Graph, id: &str) -> Vec<String> {
    let mut names: Vec<String> = g
        .node(node(g, id))
        .unwrap()
        .labels
        .iter()
        .map(|&l| g.label_name(l).to_string())
        .collect();
    names.sort();
    names
}

/// A graph as text that ignores element ids and creation order: each node as its sorted
/// labels and sorted typed properties, each relationship as its ends, type and
/// properties; both sorted, so they compare as multisets. `Debug` of a value keeps its
/// type and exact bits (`Float(-0.0)`, `Int(1)`, offsets of datetimes).
fn canonical(g: &Graph) -> (Vec<String>, Vec<String>) {
    let props = |props: &datatrail::graph::Props| {
        let mut list: Vec<String> = props
            .iter()
            .map(|(k, v)| format!("{}={v:?}", g.key_name(k)))
            .collect();
        list.sort();
        list.join(", ")
    };
    let node_text = |n| {
        let data = g.node(n).unwrap();
        let mut labels: Vec<&str> = data.labels.iter().map(|&l| g.label_name(l)).collect();
        labels.sort();
        format!("({} {{{}}})", labels.join(":"), props(&data.props))
    };
    let mut nodes: Vec<String> = g.node_ids().map(node_text).collect();
    let mut rels: Vec<String> = g
        .rel_ids()
        .map(|r| {
            let (a, b) = g.endpoints(r).unwrap();
            let data = g.rel(r).unwrap();
            format!(
                "{}-[:{} {{{}}}]->{}",
                node_text(a),
                g.type_name(data.rel_type),
                props(&data.props),
                node_text(b)
            )
        })
        .collect();
    nodes.sort();
    rels.sort();
    (nodes, rels)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ── Errors: one test per kind, variant and message ──

#[test]
fn error_unknown_column_type_names_the_column_and_type() {
    let e = load_err("id:ID,age:integer\n", NO_EDGES);
    assert!(matches!(&e, LoadError::UnknownColumnType { type_name, .. } if type_name == "integer"));
    assert_eq!(
        e.to_string(),
        "load: nodes.csv: line 1: column \"age:integer\": unknown type \"integer\" (known: string, \
         int, long, float, double, boolean, date, datetime, each with an optional [] suffix)"
    );
}

#[test]
fn error_missing_id_column_in_a_node_file() {
    let e = load_err("name\nExperian\n", NO_EDGES);
    assert!(matches!(e, LoadError::MissingIdColumn { .. }));
    assert_eq!(
        e.to_string(),
        "load: nodes.csv: line 1: no id:ID column (a node file needs one)"
    );
}

#[test]
fn error_missing_end_or_type_column_in_an_edge_file() {
    let e = load_err("id:ID\n", ":START_ID,:TYPE\n");
    assert!(matches!(
        e,
        LoadError::MissingEdgeColumn {
            column: ":END_ID",
            ..
        }
    ));
    assert_eq!(
        e.to_string(),
        "load: edges.csv: line 1: no :END_ID column (an edge file needs :START_ID, :END_ID and :TYPE)"
    );
    let e = load_err("id:ID\n", ":START_ID,:END_ID\n");
    assert!(matches!(
        e,
        LoadError::MissingEdgeColumn {
            column: ":TYPE",
            ..
        }
    ));
}

#[test]
fn error_duplicate_id_across_node_files_names_the_first() {
    let e = load::load_readers(
        &[
            ("a.csv", b"id:ID\nx\n"),
            ("b.csv", b"id:ID,name\ny,Y\nx,X\n"),
        ],
        &[("edges.csv", NO_EDGES.as_bytes())],
    )
    .unwrap_err();
    assert!(
        matches!(&e, LoadError::DuplicateId { id, pos: p, first_record: 1, .. } if id == "x" && *p == pos(2, 3))
    );
    assert_eq!(
        e.to_string(),
        "load: b.csv: record 2 (line 3): column \"id:ID\": id \"x\" is already used by record 1 of a.csv"
    );
}

#[test]
fn error_unknown_node_names_the_end_and_id() {
    let e = load_err(
        "id:ID\nfb\nce\n",
        ":START_ID,:END_ID,:TYPE\nce,Facebok,DATA_FLOW\n",
    );
    assert!(
        matches!(&e, LoadError::UnknownNode { id, column, .. } if id == "Facebok" && column == ":END_ID")
    );
    assert_eq!(
        e.to_string(),
        "load: edges.csv: record 1 (line 2): column \":END_ID\": no node has id \"Facebok\""
    );
}

#[test]
fn error_bad_value_reads_like_rust_csv() {
    let mut people = String::from("id:ID,age:int\n");
    for i in 1..12 {
        people.push_str(&format!("p{i},{i}\n"));
    }
    people.push_str("p12,abc\n");
    let e = load::load_readers(&[("data/people.csv", people.as_bytes())], &[]).unwrap_err();
    assert!(
        matches!(&e, LoadError::BadValue { value, pos: p, .. } if value == "abc" && *p == pos(12, 13))
    );
    assert_eq!(
        e.to_string(),
        "load: data/people.csv: record 12 (line 13): column \"age\": \"abc\" is not an integer"
    );
}

#[test]
fn error_bad_value_in_an_array_names_the_item() {
    let e = load_err("id:ID,d:date[]\nx,2018;2018-13\n", NO_EDGES);
    assert_eq!(
        e.to_string(),
        "load: nodes.csv: record 1 (line 2): column \"d\": \"2018-13\" is not a date (YYYY-MM-DD, YYYY-MM or YYYY, or one after < or >)"
    );
}

#[test]
fn error_wrong_cell_count_counts_both() {
    let e = load_err("id:ID,name\na,A\nb,B,extra\n", NO_EDGES);
    assert!(matches!(
        e,
        LoadError::WrongCellCount {
            expected: 2,
            found: 3,
            ..
        }
    ));
    assert_eq!(
        e.to_string(),
        "load: nodes.csv: record 2 (line 3): 3 cells, but the header has 2 columns"
    );
}

#[test]
fn error_invalid_utf8_names_line_and_column() {
    let nodes = b"id:ID,name\na,ok\nb,Caf\xe9\n";
    let e = load::load_readers(&[("nodes.csv", nodes)], &[]).unwrap_err();
    assert!(
        matches!(&e, LoadError::InvalidUtf8 { column, pos: p, .. } if column == "name" && *p == pos(2, 3))
    );
    assert_eq!(
        e.to_string(),
        "load: nodes.csv: record 2 (line 3): column \"name\": \"Caf\u{fffd}\" is not valid UTF-8"
    );
}

#[test]
fn error_duplicate_column_in_a_header() {
    let e = load_err("id:ID,name,name:int\n", NO_EDGES);
    assert!(matches!(&e, LoadError::DuplicateColumn { name, .. } if name == "name"));
    assert_eq!(
        e.to_string(),
        "load: nodes.csv: line 1: column \"name:int\": \"name\" already has a column"
    );
    // `id:ID` stores the property `id`, so a second `id` column clashes with it.
    let e = load_err("id:ID,id\n", NO_EDGES);
    assert!(matches!(e, LoadError::DuplicateColumn { .. }));
}

#[test]
fn error_empty_file_has_no_header() {
    for empty in ["", "\n\r\n", "\u{feff}"] {
        let e = load_err(empty, NO_EDGES);
        assert!(matches!(e, LoadError::EmptyFile { .. }), "{empty:?}");
        assert_eq!(
            e.to_string(),
            "load: nodes.csv: the file is empty (it needs at least a header row)"
        );
    }
}

#[test]
fn error_unexpected_column_belongs_to_the_other_file_kind() {
    let e = load_err("id:ID,:TYPE\n", NO_EDGES);
    assert!(matches!(
        e,
        LoadError::UnexpectedColumn { kind: "a node", .. }
    ));
    assert_eq!(
        e.to_string(),
        "load: nodes.csv: line 1: column \":TYPE\" has no meaning in a node file"
    );
}

#[test]
fn error_empty_cell_in_an_id_or_type_column() {
    let e = load_err("id:ID\na\n", ":START_ID,:END_ID,:TYPE\na,a,\n");
    assert!(matches!(e, LoadError::EmptyCell { .. }));
    assert_eq!(
        e.to_string(),
        "load: edges.csv: record 1 (line 2): column \":TYPE\" is empty"
    );
    let e = load_err("id:ID,name\n,x\n", NO_EDGES);
    assert_eq!(
        e.to_string(),
        "load: nodes.csv: record 1 (line 2): column \"id:ID\" is empty"
    );
}

#[test]
fn error_unterminated_quote_and_text_after_quote() {
    let e = load_err("id:ID,name\na,\"open\nb,B\n", NO_EDGES);
    assert!(matches!(e, LoadError::UnterminatedQuote { .. }));
    assert_eq!(
        e.to_string(),
        "load: nodes.csv: record 1 (line 2): column \"name\": the quoted cell has no closing quote"
    );
    let e = load_err("id:ID,name\na,\"x\"y\n", NO_EDGES);
    assert!(matches!(e, LoadError::TextAfterQuote { .. }));
    assert_eq!(
        e.to_string(),
        "load: nodes.csv: record 1 (line 2): column \"name\": text after the closing quote of a quoted cell"
    );
}

#[test]
fn error_missing_dataset_file_and_unreadable_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nodes.csv", "id:ID\n");
    let e = load::load_dir(dir.path()).unwrap_err();
    assert!(matches!(&e, LoadError::MissingFile { path } if path.ends_with("edges.csv")));
    assert_eq!(
        e.to_string(),
        format!(
            "load: {}: no such file (a dataset folder needs nodes.csv and edges.csv)",
            dir.path().join("edges.csv").display()
        )
    );
    let missing = dir.path().join("people.csv");
    let e = load::load_files(std::slice::from_ref(&missing), &[]).unwrap_err();
    assert!(matches!(&e, LoadError::Io { path, .. } if *path == missing));
    assert!(
        e.to_string()
            .starts_with(&format!("load: {}: ", missing.display()))
    );
}

#[test]
fn error_on_save_for_unstorable_values_and_names() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Graph::new();
    g.add_node_named(
        &["Person"],
        vec![
            ("id", Value::str("k")),
            ("tags", Value::List(vec![Value::Int(1), Value::str("a")])),
        ],
    );
    let e = load::save_dir(&g, dir.path()).unwrap_err();
    assert!(matches!(e, LoadError::UnstorableValue { .. }));
    assert_eq!(
        e.to_string(),
        "load: cannot save the node with id \"k\": property \"tags\": a list mixing Integer and String cannot be stored"
    );
    let mut g = Graph::new();
    g.add_node_named(&["A;B"], vec![]);
    let e = load::save_dir(&g, dir.path()).unwrap_err();
    assert!(matches!(e, LoadError::UnstorableName { what: "label", .. }));
    assert_eq!(
        e.to_string(),
        "load: cannot save the label \"A;B\": `;` separates labels in a :LABEL cell"
    );
    let mut g = Graph::new();
    g.add_node_named(&[], vec![("m", Value::Map(Default::default()))]);
    assert!(load::save_dir(&g, dir.path()).is_err());
    assert!(
        file_names(dir.path()).is_empty(),
        "a failed save leaves nothing behind"
    );
}

// ── The CSV format ──

#[test]
fn quoted_fields_hold_commas_quotes_and_newlines() {
    let nodes =
        "id:ID,name,notes\na,\"Emma's Diary, Ltd\",\"she said \"\"no\"\"\nand left\"\nb,B,\n";
    let g = load_str(nodes, ":START_ID,:END_ID,:TYPE\na,b,SOLD\n").unwrap();
    assert_eq!(prop(&g, "a", "name"), Some(Value::str("Emma's Diary, Ltd")));
    assert_eq!(
        prop(&g, "a", "notes"),
        Some(Value::str("she said \"no\"\nand left"))
    );
    // Lines after a multi-line cell are still counted right.
    let e = load_err(&format!("{nodes}c,C,x,y\n"), NO_EDGES);
    assert_eq!(
        e.to_string(),
        "load: nodes.csv: record 3 (line 5): 4 cells, but the header has 3 columns"
    );
}

#[test]
fn bom_and_crlf_are_accepted() {
    let g = load_str(
        "\u{feff}id:ID,name\r\na,A\r\nb,B\r\n",
        "\u{feff}:START_ID,:END_ID,:TYPE\r\na,b,OWNS\r\n",
    )
    .unwrap();
    assert_eq!(prop(&g, "a", "name"), Some(Value::str("A")));
    assert_eq!(g.rel_count(), 1);
    let e = load_err("\u{feff}id:ID,n:int\r\na,1\r\nb,x\r\n", NO_EDGES);
    assert_eq!(
        e.to_string(),
        "load: nodes.csv: record 2 (line 3): column \"n\": \"x\" is not an integer"
    );
}

#[test]
fn partial_dates_keep_their_precision() {
    let g = load_str(
        "id:ID,d:date\ny,2018\nm,2018-03\nd,2018-03-17\nb,<2017-06-08\n",
        NO_EDGES,
    )
    .unwrap();
    let written = |id| match prop(&g, id, "d") {
        Some(Value::PartialDate(p)) => p.to_string(),
        other => panic!("{id}: {other:?}"),
    };
    assert_eq!(written("y"), "2018");
    assert_eq!(written("m"), "2018-03");
    assert_eq!(written("b"), "<2017-06-08");
    // A full date is a plain date, as before.
    let date = |y, m, d| Some(Value::Date(NaiveDate::from_ymd_opt(y, m, d).unwrap()));
    assert_eq!(prop(&g, "d", "d"), date(2018, 3, 17));
}

#[test]
fn typed_values_load_as_their_types() {
    let nodes = "id:ID,n:long,f:float,b:boolean,t:datetime,tags:string[],xs:int[]\n\
                 a,-7,2.5,true,2018-03-17T10:00:00+01:00,x;y,1;2;3\n";
    let g = load_str(nodes, NO_EDGES).unwrap();
    assert_eq!(prop(&g, "a", "n"), Some(Value::Int(-7)));
    assert!(matches!(prop(&g, "a", "f"), Some(Value::Float(f)) if f == 2.5));
    assert_eq!(prop(&g, "a", "b"), Some(Value::Bool(true)));
    let t = DateTime::parse_from_rfc3339("2018-03-17T10:00:00+01:00").unwrap();
    assert_eq!(prop(&g, "a", "t"), Some(Value::from(t)));
    assert_eq!(
        prop(&g, "a", "tags"),
        Some(Value::List(vec![Value::str("x"), Value::str("y")]))
    );
    assert_eq!(
        prop(&g, "a", "xs"),
        Some(Value::List(vec![
            Value::Int(1),
            Value::Int(2),
            Value::Int(3)
        ]))
    );
}

#[test]
fn empty_cell_is_absent_and_quoted_empty_is_the_empty_string() {
    let g = load_str(
        "id:ID,name,aka:string[],n:int\na,,,\nb,\"\",\"\",\"\"\n",
        NO_EDGES,
    )
    .unwrap();
    assert_eq!(prop(&g, "a", "name"), None);
    assert_eq!(prop(&g, "a", "aka"), None);
    assert_eq!(prop(&g, "b", "name"), Some(Value::str("")));
    assert_eq!(prop(&g, "b", "aka"), Some(Value::List(vec![])));
    assert_eq!(prop(&g, "b", "n"), None);
}

#[test]
fn id_column_is_stored_as_a_string_property_unless_bare() {
    let g = load_str("id:ID,:LABEL\n42,Company\n", NO_EDGES).unwrap();
    assert_eq!(prop(&g, "42", "id"), Some(Value::str("42")));
    let g = load::load_readers(
        &[("n.csv", b":ID(Person),name\np1,Kogan\n")],
        &[(
            "e.csv",
            b":START_ID(Person),:END_ID(Person),:TYPE\np1,p1,KNOWS\n",
        )],
    )
    .unwrap();
    let n = g.node_ids().next().unwrap();
    assert_eq!(
        g.node(n).unwrap().props.len(),
        1,
        "only name: a bare :ID stores nothing"
    );
    assert_eq!(g.rel_count(), 1);
}

#[test]
fn multiple_labels_split_on_semicolons() {
    let g = load_str(
        "id:ID,:LABEL\nfb,Company;Platform\nx,\ny,Person; NGO;\n",
        NO_EDGES,
    )
    .unwrap();
    assert_eq!(labels(&g, "fb"), vec!["Company", "Platform"]);
    assert_eq!(labels(&g, "y"), vec!["NGO", "Person"]);
    assert!(labels(&g, "x").is_empty());
}

#[test]
fn columns_come_in_any_order_with_extra_and_ignored_ones() {
    let g = load_str(
        "name,skip:IGNORE,:LABEL,id:ID,rank:int\nExperian,zzz,Company,ex,3\n",
        "notes,:TYPE,:END_ID,:START_ID\nsold,DATA_FLOW,ex,ex\n",
    )
    .unwrap();
    assert_eq!(prop(&g, "ex", "rank"), Some(Value::Int(3)));
    assert_eq!(g.key_symbol("skip"), None);
    let r = g.rel_ids().next().unwrap();
    assert_eq!(g.type_name(g.rel(r).unwrap().rel_type), "DATA_FLOW");
}

#[test]
fn files_named_with_nodes_and_edges_options_load_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let people = write(
        d,
        "people.csv",
        "id:ID,:LABEL,name\nkogan,Person,Aleksandr Kogan\n",
    );
    let orgs = write(
        d,
        "orgs.csv",
        "id:ID,:LABEL,name\ngsr,Company,Global Science Research\nfb,Company;Platform,Facebook\n",
    );
    let leads = write(
        d,
        "leads.csv",
        ":START_ID,:END_ID,:TYPE,role\nkogan,gsr,LEADS,founder\n",
    );
    let flows = write(
        d,
        "flows.csv",
        ":START_ID,:END_ID,:TYPE,records:long\nfb,gsr,DATA_FLOW,87000000\n",
    );
    let g = load::load_files(&[people, orgs], &[leads, flows]).unwrap();
    assert_eq!((g.node_count(), g.rel_count()), (3, 2));
}

#[test]
fn from_dir_finds_sources_and_numbered_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for name in [
        "nodes.csv",
        "nodes-2.csv",
        "sources.csv",
        "edges.csv",
        "edges-2.csv",
        "nodes_old.csv",
    ] {
        write(d, name, "");
    }
    let s = load::Sources::from_dir(d).unwrap();
    assert_eq!(
        s.nodes,
        vec![
            d.join("nodes.csv"),
            d.join("nodes-2.csv"),
            d.join("sources.csv")
        ]
    );
    assert_eq!(s.edges, vec![d.join("edges.csv"), d.join("edges-2.csv")]);
}

#[test]
fn progress_reaches_the_total() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "nodes.csv", "id:ID\na\n");
    write(dir.path(), "edges.csv", ":START_ID,:END_ID,:TYPE\na,a,T\n");
    let mut calls = Vec::new();
    let g = load::load_with_progress(
        &load::Sources::from_dir(dir.path()).unwrap(),
        &mut |done, total, rows| calls.push((done, total, rows)),
    );
    assert_eq!(g.unwrap().rel_count(), 1);
    let total = ("id:ID\na\n".len() + ":START_ID,:END_ID,:TYPE\na,a,T\n".len()) as u64;
    // One node and one relationship: two rows.
    assert_eq!(calls.last(), Some(&(total, total, 2)));
}

#[test]
fn embedded_case_graph_loads() {
    let g = load::load_embedded().unwrap();
    assert!(g.node_count() > 0);
}

// ── Saving ──

/// A graph full of values that are hard to write as CSV.
fn awkward_graph() -> Graph {
    let mut g = Graph::new();
    let dt = DateTime::parse_from_rfc3339("2018-03-17T10:00:00.123456789+05:30").unwrap();
    let utc = DateTime::parse_from_rfc3339("2020-02-29T23:59:59Z").unwrap();
    let date = NaiveDate::from_ymd_opt(2016, 2, 29).unwrap();
    let a = g.add_node_named(
        &["Person", "Company", "منظمة", "Odd, \"Label\""],
        vec![
            ("id", Value::str("a")),
            (
                "name",
                Value::str("He said \"hi\", then left\nnext line\r\nand more"),
            ),
            (
                "aka",
                Value::List(
                    ["x;y", "", "back\\slash", "عربي", "😀", "\\e", "a\\;b"]
                        .map(Value::str)
                        .to_vec(),
                ),
            ),
            ("note", Value::str("")),
            ("spaces", Value::str("  padded  ")),
            ("tenth", Value::Float(0.1)),
            ("huge", Value::Float(1e300)),
            ("negzero", Value::Float(-0.0)),
            ("one", Value::Float(1.0)),
            ("max", Value::Int(i64::MAX)),
            ("min", Value::Int(i64::MIN)),
            ("yes", Value::Bool(true)),
            ("no", Value::Bool(false)),
            ("born", Value::Date(date)),
            ("seen", Value::from(dt)),
            ("seen_utc", Value::from(utc)),
            ("none", Value::List(vec![])),
            ("one_empty", Value::List(vec![Value::str("")])),
            (
                "two_empty",
                Value::List(vec![Value::str(""), Value::str("")]),
            ),
            ("a:b", Value::str("key with a colon")),
            (":LABEL", Value::str("key named like a field")),
            ("emoji 😀", Value::str("🔥")),
        ],
    );
    let b = g.add_node_named(&[], vec![("id", Value::str("b")), ("mixed", Value::Int(5))]);
    let c = g.add_node_named(
        &["Person"],
        vec![("id", Value::str("c")), ("mixed", Value::str("5"))],
    );
    // No id; a string that looks like a generated id; a non-string id; a repeated id.
    let d = g.add_node_named(
        &["Person"],
        vec![
            ("mixed", Value::Float(5.0)),
            ("xs", Value::List(vec![Value::Int(1)])),
        ],
    );
    g.add_node_named(&[], vec![("id", Value::str(&format!("_n{}", d.0)))]);
    let e = g.add_node_named(
        &[],
        vec![
            ("id", Value::Int(7)),
            ("xs", Value::List(vec![Value::str("1")])),
        ],
    );
    let f = g.add_node_named(
        &["Person"],
        vec![("id", Value::str("a")), ("mixed", Value::List(vec![]))],
    );
    g.add_node_named(
        &["Source"],
        vec![
            ("id", Value::str("seed-1.txt")),
            ("language", Value::str("ar")),
        ],
    );
    g.add_node_named(
        &["Source", "Website"],
        vec![
            ("id", Value::str("seed-2.txt")),
            ("published", Value::Date(date)),
        ],
    );
    let flow = g.intern_type("DATA_FLOW");
    let owns = g.intern_type("OWNS");
    let edge_props = |g: &mut Graph, props: Vec<(&str, Value)>| g.props_from(props);
    let p = edge_props(
        &mut g,
        vec![
            ("records", Value::Int(87_000_000)),
            (
                "categories",
                Value::List(vec![Value::str("likes"), Value::str("a;b")]),
            ),
        ],
    );
    g.add_rel(a, b, flow, p.clone());
    g.add_rel(a, b, flow, p);
    let p = edge_props(
        &mut g,
        vec![("records", Value::str("about 1m")), ("id", Value::Int(3))],
    );
    g.add_rel(a, a, owns, p);
    let p = edge_props(
        &mut g,
        vec![
            (
                "dates",
                Value::List(vec![Value::Date(date), Value::Date(date)]),
            ),
            (
                "bools",
                Value::List(vec![Value::Bool(true), Value::Bool(false)]),
            ),
        ],
    );
    g.add_rel(d, e, flow, p);
    let p = edge_props(
        &mut g,
        vec![
            ("share", Value::Float(f64::MIN_POSITIVE)),
            ("note", Value::str("")),
        ],
    );
    g.add_rel(f, c, owns, p);
    g.add_rel(e, e, owns, Default::default());
    g
}

#[test]
fn save_then_load_gives_the_same_awkward_graph() {
    let g = awkward_graph();
    let dir = tempfile::tempdir().unwrap();
    let summary = load::save_dir_with(&g, dir.path(), datatrail::casework::LAYOUT).unwrap();
    assert_eq!(
        (summary.nodes, summary.rels),
        (g.node_count(), g.rel_count())
    );
    let back = load::load_dir(dir.path()).unwrap();
    assert_eq!(canonical(&back), canonical(&g));
    // Mixed types per key spill into extra files, all of which from_dir finds.
    let names = file_names(dir.path());
    assert!(names.contains(&"nodes-2.csv".to_string()), "{names:?}");
    assert!(names.contains(&"edges-2.csv".to_string()), "{names:?}");
    assert!(names.contains(&"sources.csv".to_string()), "{names:?}");
    // And saving what was loaded writes the same files again.
    let again = tempfile::tempdir().unwrap();
    load::save_dir(&back, again.path()).unwrap();
    assert_eq!(
        canonical(&load::load_dir(again.path()).unwrap()),
        canonical(&g)
    );
}

#[test]
fn save_then_load_gives_the_same_embedded_graph() {
    let g = load::load_embedded().unwrap();
    let dir = tempfile::tempdir().unwrap();
    load::save_dir(&g, dir.path().join("new/sub").as_path()).unwrap();
    let back = load::load_dir(&dir.path().join("new/sub")).unwrap();
    assert_eq!(canonical(&back), canonical(&g));
}

#[test]
fn save_writes_ids_and_types_readably() {
    let mut g = Graph::new();
    let a = g.add_node_named(
        &["Company", "Platform"],
        vec![
            ("id", Value::str("fb")),
            ("name", Value::str("Facebook")),
            ("founded", Value::Int(2004)),
        ],
    );
    let b = g.add_node_named(
        &["Company"],
        vec![("id", Value::str("gsr")), ("share", Value::Float(1.0))],
    );
    let t = g.intern_type("DATA_FLOW");
    let p = g.props_from(vec![(
        "subjects",
        Value::List(vec![Value::str("users"), Value::str("friends")]),
    )]);
    g.add_rel(a, b, t, p);
    let dir = tempfile::tempdir().unwrap();
    load::save_dir(&g, dir.path()).unwrap();
    let nodes = std::fs::read_to_string(dir.path().join("nodes.csv")).unwrap();
    assert_eq!(
        nodes,
        "id:ID,:LABEL,name,founded:long,share:double\nfb,Company;Platform,Facebook,2004,\ngsr,Company,,,1.0\n"
    );
    let edges = std::fs::read_to_string(dir.path().join("edges.csv")).unwrap();
    assert_eq!(
        edges,
        ":START_ID,:END_ID,:TYPE,subjects:string[]\nfb,gsr,DATA_FLOW,users;friends\n"
    );
    assert_eq!(file_names(dir.path()), vec!["edges.csv", "nodes.csv"]);
}

#[test]
fn save_replaces_old_files_whole_and_leaves_no_temporaries() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "nodes.csv", "id:ID,name\nold,Old\n");
    write(d, "nodes-2.csv", "id:ID\nstale\n");
    write(d, "sources.csv", "id:ID\nstale-source\n");
    write(d, "notes.txt", "not ours");
    let mut g = Graph::new();
    g.add_node_named(&["Company"], vec![("id", Value::str("new"))]);
    load::save_dir(&g, d).unwrap();
    assert_eq!(file_names(d), vec!["edges.csv", "nodes.csv", "notes.txt"]);
    assert_eq!(
        std::fs::read_to_string(d.join("nodes.csv")).unwrap(),
        "id:ID,:LABEL\nnew,Company\n"
    );
    let back = load::load_dir(d).unwrap();
    assert_eq!(canonical(&back), canonical(&g));
}

#[test]
fn save_failure_keeps_the_previous_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "nodes.csv", "id:ID\nold\n");
    write(d, "edges.csv", ":START_ID,:END_ID,:TYPE\n");
    let mut g = Graph::new();
    g.add_node_named(
        &[],
        vec![
            ("id", Value::str("new")),
            ("when", Value::Duration(Default::default())),
        ],
    );
    assert!(matches!(
        load::save_dir(&g, d),
        Err(LoadError::UnstorableValue { .. })
    ));
    assert_eq!(file_names(d), vec!["edges.csv", "nodes.csv"]);
    assert_eq!(
        std::fs::read_to_string(d.join("nodes.csv")).unwrap(),
        "id:ID\nold\n"
    );
}

// ── Robustness ──

proptest::proptest! {
    #[test]
    fn load_never_panics_on_arbitrary_bytes(nodes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
                                            edges in "[a-c,:;\"\n]{0,60}") {
        let header = b"id:ID,:LABEL,n:int,tags:string[]\n";
        let mut with_header = header.to_vec();
        with_header.extend(&nodes);
        let _ = load::load_readers(&[("n.csv", &nodes), ("m.csv", &with_header)], &[("e.csv", edges.as_bytes())]);
        let _ = load::load_readers(&[("m.csv", &with_header)], &[("e.csv", format!(":START_ID,:END_ID,:TYPE\n{edges}").as_bytes())]);
    }
}

// ── Large files: streamed, parsed on two threads, still all or nothing ──

/// `count` edges between numbered nodes, each with a `records` and a `date` property,
/// about 1.3 MB: more than one read buffer and many batches.
fn many_edges(count: usize) -> (String, String) {
    let mut nodes = String::from("id:ID,:LABEL,name\n");
    for i in 0..1000 {
        nodes.push_str(&format!("{i},Company,Company_{i}\n"));
    }
    let mut edges = String::from(":START_ID,:END_ID,:TYPE,records:long,date:date\n");
    for i in 0..count {
        let kind = ["SOLD_DATA", "SHARED_DATA", "OWNS"][i % 3];
        edges.push_str(&format!(
            "{},{},{kind},{},2020-01-{:02}\n",
            i % 1000,
            (i * 7 + 1) % 1000,
            i % 100,
            i % 28 + 1
        ));
    }
    (nodes, edges)
}

#[test]
fn load_of_many_rows_keeps_every_relationship_and_property() {
    let (nodes, edges) = many_edges(40_000);
    let g = load_str(&nodes, &edges).unwrap();
    assert_eq!((g.node_count(), g.rel_count()), (1000, 40_000));
    let records = g.key_symbol("records").unwrap();
    let date = g.key_symbol("date").unwrap();
    let total: i64 = g
        .rel_ids()
        .map(|r| match g.rel_property(r, records) {
            Some(Value::Int(n)) => *n,
            other => panic!("records is {other:?}"),
        })
        .sum();
    assert_eq!(total, (0..40_000).map(|i| (i % 100) as i64).sum::<i64>());
    let last = g.rel_ids().max().unwrap();
    assert_eq!(
        g.rel_property(last, date),
        Some(&Value::Date(
            NaiveDate::from_ymd_opt(2020, 1, 39_999 % 28 + 1).unwrap()
        ))
    );
    let sold = g.type_symbol("SOLD_DATA").unwrap();
    let from_zero = g
        .rels_of_types(
            node(&g, "0"),
            datatrail::graph::Direction::Outgoing,
            &[sold],
        )
        .count();
    assert_eq!(from_zero, 40_000 / 1000 / 3 + 1);
}

#[test]
fn error_in_the_last_of_many_rows_fails_the_whole_load() {
    let (nodes, mut edges) = many_edges(40_000);
    edges.push_str("1,2,OWNS,many,2020-01-01\n");
    let e = load_err(&nodes, &edges);
    assert_eq!(
        e.to_string(),
        "load: edges.csv: record 40001 (line 40002): column \"records\": \"many\" is not \
         an integer"
    );
    let (nodes, mut edges) = many_edges(40_000);
    edges.push_str("1,1001,OWNS,1,2020-01-01\n");
    assert!(matches!(
        load_err(&nodes, &edges),
        LoadError::UnknownNode { pos: p, .. } if p == pos(40_001, 40_002)
    ));
}

#[test]
fn numeric_ids_with_leading_zeros_are_other_ids() {
    let g = load_str(
        "id:ID,n:int\n7,1\n007,2\n12345678901234567890123,3\n",
        ":START_ID,:END_ID,:TYPE\n007,7,T\n12345678901234567890123,007,T\n",
    )
    .unwrap();
    assert_eq!(prop(&g, "7", "n"), Some(Value::Int(1)));
    assert_eq!(prop(&g, "007", "n"), Some(Value::Int(2)));
    let t = g.type_symbol("T").unwrap();
    let out_of = |id| {
        g.rels_of_types(node(&g, id), datatrail::graph::Direction::Outgoing, &[t])
            .map(|(_, other)| g.node_property(other, g.key_symbol("n").unwrap()).cloned())
            .collect::<Vec<_>>()
    };
    assert_eq!(out_of("007"), vec![Some(Value::Int(1))]);
    assert_eq!(out_of("12345678901234567890123"), vec![Some(Value::Int(2))]);
}

/// Rows are read on one thread and added on another, in batches of thousands; the error
/// reported is still the first in file order, whichever thread finds it.
#[test]
fn the_first_error_in_file_order_is_reported_across_batches() {
    let node_rows = |dup_at: usize, bad_at: usize| {
        let mut nodes = String::from("id:ID,age:int\n");
        for i in 0..40_000 {
            let id = if i == dup_at { 0 } else { i };
            let age = if i == bad_at {
                "old".to_string()
            } else {
                i.to_string()
            };
            nodes.push_str(&format!("{id},{age}\n"));
        }
        nodes
    };
    // A duplicate id (checked where rows are added) before a bad cell (checked where
    // they are read), in the same batch and in an earlier one; then the other way round.
    for (dup_at, bad_at, want) in [
        (9_000, 9_001, "already used"),
        (5, 30_000, "already used"),
        (30_001, 30_000, "is not an integer"),
        (20_000, 5, "is not an integer"),
    ] {
        let e = load_err(&node_rows(dup_at, bad_at), ":START_ID,:END_ID,:TYPE\n");
        assert!(e.to_string().contains(want), "{dup_at} {bad_at}: {e}");
        let first = dup_at.min(bad_at) as u64 + 1;
        assert!(e.to_string().contains(&format!("record {first} ")), "{e}");
    }
    let edge_rows = |unknown_at: usize, bad_at: usize| {
        let mut edges = String::from(":START_ID,:END_ID,:TYPE,w:int\n");
        for i in 0..40_000 {
            let end = if i == unknown_at { 77 } else { i % 10 };
            let w = if i == bad_at {
                "heavy".to_string()
            } else {
                i.to_string()
            };
            edges.push_str(&format!("{},{end},R,{w}\n", i % 10));
        }
        edges
    };
    let nodes: String = std::iter::once("id:ID\n".to_string())
        .chain((0..10).map(|i| format!("{i}\n")))
        .collect();
    // An unknown end given by number (looked up after its batch is read) before a bad
    // cell, in the same row, the same batch and an earlier one; then after it.
    for (unknown_at, bad_at, want) in [
        (25_000, 25_000, "no node has id \"77\""),
        (25_000, 25_001, "no node has id \"77\""),
        (3, 30_000, "no node has id \"77\""),
        (30_001, 30_000, "is not an integer"),
        (39_999, 17, "is not an integer"),
    ] {
        let e = load_err(&nodes, &edge_rows(unknown_at, bad_at));
        assert!(e.to_string().contains(want), "{unknown_at} {bad_at}: {e}");
        let first = unknown_at.min(bad_at) as u64 + 1;
        assert!(e.to_string().contains(&format!("record {first} ")), "{e}");
    }
    // The unknown end alone, in the last batch: its record and column are named.
    let e = load_err(&nodes, &edge_rows(39_999, usize::MAX));
    assert!(
        matches!(&e, LoadError::UnknownNode { id, column, pos: p, .. } if id == "77" && column == ":END_ID" && *p == pos(40_000, 40_001)),
        "{e}"
    );
}
