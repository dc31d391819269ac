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
        vec![
            strings(&["David Wilkinson"]),
            strings(&["Former Cambridge Analytica staff at Data Propria"]),
            strings(&["Matt Oczkowski"])
        ]
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

#[test]
fn numbers_from_the_articles_are_properties_with_their_qualifiers() {
    let result = run("MATCH (c:Company {name: 'CloudCommerce'}) RETURN c.revenue, c.currency");
    assert_eq!(table(&result), vec![strings(&["2900000.0", "USD"])]);
    let result = run(
        "MATCH (:Person {name: 'Brad Parscale'})-[p:PAYS]->(:Company {name: 'CloudCommerce'}) \
         RETURN p.amount, p.amount_qualifier",
    );
    assert_eq!(table(&result), vec![strings(&["2900000.0", "at_most"])]);
    let result = run(
        "MATCH (:Platform {name: 'Twitter'})-[r:DATA_FLOW]->(:Company {name: 'Twitter bulk data customers'}) \
         RETURN r.amount, r.amount_qualifier, r.revenue_share",
    );
    assert_eq!(
        table(&result),
        vec![strings(&["333000000.0", "at_most", "13.0"])]
    );
    let result = run(
        "MATCH (g:Person)-[:WORKS_FOR]->(:Company {name: 'Data Propria'}) WHERE g.members IS NOT NULL \
         RETURN g.members, g.members_qualifier",
    );
    assert_eq!(table(&result), vec![strings(&["4", "at_least"])]);
    let result = run(
        "MATCH (p:PoliticalParty {name: 'Main UK political parties'}) RETURN p.members, p.members_qualifier",
    );
    assert_eq!(table(&result), vec![strings(&["11", "exact"])]);
    let result = run(
        "MATCH ()-[r]->() WHERE r.amount IS NOT NULL AND r.amount_qualifier IS NULL RETURN count(r)",
    );
    assert_eq!(result.rows[0][0], Value::Int(0));
}

#[test]
fn cambridge_analyticas_people_are_former_staff() {
    let result = run(
        "MATCH (p:Person)-[w:WORKS_FOR]->(:Company {name: 'Cambridge Analytica'}) \
         RETURN p.name, w.end_date ORDER BY p.name",
    );
    assert_eq!(
        table(&result),
        vec![
            strings(&["Brittany Kaiser", "2018-02"]),
            strings(&["David Wilkinson", "<2018-06"]),
            strings(&[
                "Former Cambridge Analytica staff at Data Propria",
                "<2018-06"
            ]),
            strings(&["Matt Oczkowski", "<2018-06"]),
        ]
    );
}

#[test]
fn the_icos_investigation_of_scl_cites_the_article_that_names_scl() {
    let result =
        run("MATCH (:Regulator)-[r:INVESTIGATES]->(:Company {name: 'SCL Group'}) RETURN r.sources");
    assert_eq!(
        table(&result),
        vec![strings(&[
            "['001_70828c8592e70463', '002_4d336e4a1fd76612']"
        ])]
    );
}

/// An element of the case graph (described) with its `sources`, `quotes` and `quotes_en`.
type Evidence = (String, Vec<String>, Vec<String>, Vec<String>);

fn evidence() -> Vec<Evidence> {
    let result = run(
        "MATCH (n) WHERE NOT n:Source RETURN n.id AS what, n.sources AS s, n.quotes AS q, n.quotes_en AS g \
         UNION ALL MATCH (a)-[r]->(b) RETURN a.id + ' -' + type(r) + '-> ' + b.id AS what, \
         r.sources AS s, r.quotes AS q, r.quotes_en AS g",
    );
    let list = |v: &Value| -> Vec<String> {
        match v {
            Value::List(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    result
        .rows
        .iter()
        .map(|row| {
            (
                result.render(&row[0]),
                list(&row[1]),
                list(&row[2]),
                list(&row[3]),
            )
        })
        .collect()
}

#[test]
fn every_fact_quotes_each_of_its_sources_verbatim_with_a_gloss() {
    let seeds = std::path::Path::new("../shared/seeds");
    for (what, sources, quotes, glosses) in evidence() {
        assert!(!sources.is_empty(), "{what} cites nothing");
        assert_eq!(quotes.len(), sources.len(), "{what}: one quote per source");
        assert_eq!(glosses.len(), sources.len(), "{what}: one gloss per source");
        for ((source, quote), gloss) in sources.iter().zip(&quotes).zip(&glosses) {
            assert!(!gloss.trim().is_empty(), "{what}: empty gloss");
            let text = std::fs::read_to_string(seeds.join(format!("{source}.txt")))
                .unwrap_or_else(|e| panic!("{what}: seed {source}: {e}"));
            // Passages from different places of one article are joined by " … ".
            for passage in quote.split(" … ") {
                assert!(
                    passage.chars().count() >= 10 && text.contains(passage),
                    "{what}: not in {source}: {passage}"
                );
            }
        }
    }
}
