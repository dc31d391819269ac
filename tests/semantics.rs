//! Semantics of clauses, operators, functions and null rules, through the public API.

use datatrail::{Database, ResultSet};
use pretty_assertions::assert_eq;

/// Runs setup statements, then `query`; returns its rows rendered as Cypher literals.
fn rows(setup: &str, query: &str) -> Vec<Vec<String>> {
    let mut db = Database::new();
    if !setup.is_empty() {
        db.execute(setup)
            .unwrap_or_else(|e| panic!("setup failed: {}", e.render(setup, "setup")));
    }
    let results = db
        .execute(query)
        .unwrap_or_else(|e| panic!("{}", e.render(query, "query")));
    literal_rows(results.last().expect("a result"))
}

fn literal_rows(result: &ResultSet) -> Vec<Vec<String>> {
    result
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| {
                    let mut s = String::new();
                    result.render_literal(v, &mut s);
                    s
                })
                .collect()
        })
        .collect()
}

fn one(query: &str) -> String {
    let r = rows("", query);
    assert_eq!(r.len(), 1, "expected one row from {query}");
    r[0][0].clone()
}

fn error_of(setup: &str, query: &str) -> String {
    let mut db = Database::new();
    if !setup.is_empty() {
        db.execute(setup).unwrap();
    }
    let err = db.execute(query).expect_err("expected an error");
    err.to_string()
}

#[test]
fn return_literals_and_arithmetic() {
    assert_eq!(one("RETURN 1 + 2 * 3"), "7");
    assert_eq!(one("RETURN 7 / 2"), "3");
    assert_eq!(one("RETURN 7.0 / 2"), "3.5");
    assert_eq!(one("RETURN 2 ^ 3"), "8.0");
    assert_eq!(one("RETURN -7 % 3"), "-1");
    assert_eq!(one("RETURN 'a' + 'b'"), "'ab'");
    assert_eq!(one("RETURN [1, 2] + 3"), "[1, 2, 3]");
}

#[test]
fn null_logic_is_three_valued() {
    assert_eq!(one("RETURN null AND false"), "false");
    assert_eq!(one("RETURN null AND true"), "null");
    assert_eq!(one("RETURN null OR true"), "true");
    assert_eq!(one("RETURN null XOR true"), "null");
    assert_eq!(one("RETURN NOT null"), "null");
    assert_eq!(one("RETURN null = null"), "null");
    assert_eq!(one("RETURN null IS NULL"), "true");
    assert_eq!(one("RETURN 1 IN [2, null]"), "null");
    assert_eq!(one("RETURN 2 IN [2, null]"), "true");
}

#[test]
fn match_expands_patterns_in_both_directions() {
    let setup = "CREATE (a:Person {name: 'Kogan'})-[:LEADS]->(g:Company {name: 'GSR'}), \
                 (f:Platform {name: 'Facebook'})-[:DATA_FLOW {records: 87000000}]->(g)";
    assert_eq!(
        rows(
            setup,
            "MATCH (p:Person)-[:LEADS]->(c) RETURN p.name, c.name"
        ),
        vec![vec!["'Kogan'".to_string(), "'GSR'".to_string()]]
    );
    assert_eq!(
        rows(
            setup,
            "MATCH (c:Company)<-[r:DATA_FLOW]-(src) RETURN src.name, r.records"
        ),
        vec![vec!["'Facebook'".to_string(), "87000000".to_string()]]
    );
    assert_eq!(
        rows(setup, "MATCH (c {name: 'GSR'})--(x) RETURN count(x)"),
        vec![vec!["2".to_string()]]
    );
}

#[test]
fn variable_length_paths_and_named_paths() {
    let setup =
        "CREATE (a {name: 'a'})-[:T]->(b {name: 'b'})-[:T]->(c {name: 'c'})-[:T]->(d {name: 'd'})";
    assert_eq!(
        rows(
            setup,
            "MATCH p = ({name: 'a'})-[:T*]->(x) RETURN x.name, length(p) ORDER BY length(p)"
        ),
        vec![
            vec!["'b'".to_string(), "1".to_string()],
            vec!["'c'".to_string(), "2".to_string()],
            vec!["'d'".to_string(), "3".to_string()]
        ]
    );
    assert_eq!(
        rows(
            setup,
            "MATCH ({name: 'a'})-[*2..3]->(x) RETURN x.name ORDER BY x.name"
        )
        .len(),
        2
    );
    assert_eq!(
        rows(
            setup,
            "MATCH ({name: 'd'})<-[*0..1]-(x) RETURN x.name ORDER BY x.name"
        )
        .len(),
        2
    );
}

#[test]
fn aggregation_groups_implicitly() {
    let setup = "UNWIND range(1, 6) AS i CREATE (:N {k: i % 2, v: i})";
    assert_eq!(
        rows(
            setup,
            "MATCH (n:N) RETURN n.k AS k, count(*) AS c, sum(n.v) AS s, collect(n.v) AS l ORDER BY k"
        ),
        vec![
            vec![
                "0".to_string(),
                "3".to_string(),
                "12".to_string(),
                "[2, 4, 6]".to_string()
            ],
            vec![
                "1".to_string(),
                "3".to_string(),
                "9".to_string(),
                "[1, 3, 5]".to_string()
            ],
        ]
    );
    assert_eq!(one("UNWIND [] AS x RETURN count(x)"), "0");
}

#[test]
fn unknown_variable_is_a_plan_error() {
    assert!(error_of("", "MATCH (n) RETURN m").contains("`m` is not defined"));
}

#[test]
fn shortest_path_back_to_its_start_never_reuses_a_relationship() {
    // Out over the one relationship and back over it again is no trail.
    let setup = "CREATE (:N {i: 0})-[:T]->(:N {i: 1})";
    let found = rows(
        setup,
        "MATCH (a:N {i: 0}), (x:N) MATCH p = shortestPath((a)-[*..3]-(x)) \
         RETURN x.i, length(p) ORDER BY x.i",
    );
    assert_eq!(found, vec![vec!["1".to_string(), "1".to_string()]]);
    // A real cycle back to the start is still found.
    let triangle = "CREATE (a:N {i: 0})-[:T]->(:N {i: 1})-[:T]->(:N {i: 2})-[:T]->(a)";
    let found = rows(
        triangle,
        "MATCH (a:N {i: 0}) MATCH p = shortestPath((a)-[*..3]-(a)) RETURN length(p)",
    );
    assert_eq!(found, vec![vec!["3".to_string()]]);
}

#[test]
fn timestamp_is_one_value_for_the_whole_statement() {
    let found = rows(
        "",
        "UNWIND range(1, 20000) AS i WITH collect(timestamp()) AS ts \
         RETURN size(ts) > 0, all(t IN ts WHERE t = ts[0]), ts[0] = datetime().epochMillis",
    );
    assert_eq!(found, vec![vec!["true", "true", "true"]]);
}
