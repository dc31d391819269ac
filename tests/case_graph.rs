//! Questions over the shipped case graph (data/), answered through the public API.

use datatrail::{Database, ResultSet, Value};
use pretty_assertions::assert_eq;

fn case() -> Database {
    Database::with_graph(datatrail::load::load_embedded().expect("the shipped data loads"))
}

fn run(query: &str) -> ResultSet {
    case()
        .execute(query)
        .unwrap_or_else(|e| panic!("{}", e.render(query, "query")))
        .pop()
        .expect("a result")
}

/// Rows with strings bare and everything else as Cypher literals.
fn table(result: &ResultSet) -> Vec<Vec<String>> {
    result
        .rows
        .iter()
        .map(|row| row.iter().map(|v| result.render(v)).collect())
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn case_graph_has_the_articles_entities() {
    let graph = case();
    assert!(graph.graph().node_count() >= 30);
    assert!(graph.graph().rel_count() >= 45);
    let result = run("MATCH (s:Source) RETURN count(s) AS n");
    assert_eq!(result.rows[0][0], Value::Int(4));
    // Every non-source node and every relationship cites at least one article.
    let uncited = run(
        "MATCH (n) WHERE NOT n:Source AND (n.sources IS NULL OR size(n.sources) = 0) RETURN count(n) AS n",
    );
    assert_eq!(uncited.rows[0][0], Value::Int(0));
    let uncited = run("MATCH ()-[r]->() WHERE r.sources IS NULL RETURN count(r) AS n");
    assert_eq!(uncited.rows[0][0], Value::Int(0));
}

#[test]
fn who_received_data_that_left_facebook_and_by_which_paths() {
    let result = run(
        "MATCH p = (:Platform {name: 'Facebook'})-[:DATA_FLOW*]->(x) \
         RETURN DISTINCT x.name AS reached, [n IN nodes(p) | n.name] AS path ORDER BY reached, path",
    );
    let reached: Vec<String> = table(&result)
        .into_iter()
        .map(|row| row[0].clone())
        .collect();
    for name in [
        "Cambridge Analytica",
        "Global Science Research",
        "SCL Group",
        "Trump 2016 campaign",
    ] {
        assert!(
            reached.contains(&name.to_string()),
            "{name} missing from {reached:?}"
        );
    }
    let paths: Vec<String> = table(&result)
        .into_iter()
        .map(|row| row[1].clone())
        .collect();
    assert!(
        paths.contains(&"['Facebook', 'Global Science Research', 'SCL Group']".to_string()),
        "{paths:?}"
    );
}

#[test]
fn organisations_between_emmas_diary_and_labour() {
    let result = run(
        "MATCH (:Website {name: \"Emma's Diary\"})-[:DATA_FLOW*]->(mid)-[:DATA_FLOW*]->\
         (:PoliticalParty {name: 'Labour Party'}) RETURN DISTINCT mid.name AS broker",
    );
    assert_eq!(table(&result), vec![strings(&["Experian"])]);
}

#[test]
fn records_emmas_diary_sold() {
    let result = run(
        "MATCH (:Website {name: \"Emma's Diary\"})-[r:DATA_FLOW {mode: 'sold'}]->(buyer) \
         RETURN buyer.name AS buyer, r.records AS records, r.records_qualifier AS qualifier",
    );
    assert_eq!(
        table(&result),
        vec![strings(&["Experian", "1065200", "exact"])]
    );
}

#[test]
fn who_worked_at_cambridge_analytica_and_then_data_propria() {
    let result = run(
        "MATCH (p:Person)-[:WORKS_FOR]->(:Company {name: 'Cambridge Analytica'}), \
         (p)-[:WORKS_FOR|LEADS]->(:Company {name: 'Data Propria'}) \
         RETURN DISTINCT p.name AS person ORDER BY person",
    );
    assert_eq!(
        table(&result),
        vec![strings(&["David Wilkinson"]), strings(&["Matt Oczkowski"])]
    );
}

#[test]
fn shortest_chain_from_kogan_to_data_propria() {
    let result = run(
        "MATCH p = shortestPath((:Person {name: 'Aleksandr Kogan'})-[*]-(:Company {name: 'Data Propria'})) \
         RETURN length(p) AS hops, [n IN nodes(p) | n.name] AS chain",
    );
    assert_eq!(result.rows.len(), 1);
    assert_eq!(result.rows[0][0], Value::Int(4));
    let chain = result.render(&result.rows[0][1]);
    assert!(
        chain.starts_with("['Aleksandr Kogan', 'Global Science Research', 'Cambridge Analytica'"),
        "{chain}"
    );
    assert!(chain.ends_with("'Data Propria']"), "{chain}");
}

#[test]
fn every_fine_with_amount_and_currency() {
    let result = run("MATCH (regulator)-[f:FINED]->(fined) \
         RETURN regulator.name AS regulator, fined.name AS fined, f.amount AS amount, f.currency AS currency");
    assert_eq!(
        table(&result),
        vec![strings(&[
            "Information Commissioner's Office",
            "Emma's Diary",
            "140000.0",
            "GBP"
        ])]
    );
}

#[test]
fn twitter_reaches_cambridge_analytica_only_through_a_disputed_hop() {
    let result = run(
        "MATCH p = (:Platform {name: 'Twitter'})-[:DATA_FLOW*]->(:Company {name: 'Cambridge Analytica'}) \
         RETURN weakestStatus(p) AS weakest",
    );
    assert_eq!(table(&result), vec![strings(&["disputed"])]);
}
