//! Each optimizer pass switched off in turn: every query gives the rows it gives with
//! every pass on (as a multiset, or in order under ORDER BY), and each pass changes the
//! plan of at least one query, so that switching it off is not a no-op.

use datatrail::plan::optimize::PASSES;
use datatrail::plan::{OptimizerConfig, plan_with};
use datatrail::{Database, Graph, ResultSet, Value};

/// Queries from the fast-path and chain-count tests, a few per pass: relationship
/// scans and their aggregation, degrees, chain counts, memoized hub expansions,
/// reachability and shortest paths; some near misses of each shape.
const QUERIES: &[&str] = &[
    // rel_scan, aggregate_rels
    "MATCH ()-[r]->() RETURN type(r) AS t, count(r) AS n, sum(r.w) AS total",
    "MATCH ()-[r]->() RETURN type(r), count(*), count(r), sum(r.w), avg(r.w), min(r.day), max(r.w), count(r.day)",
    "MATCH ()-[r:S|T]->() RETURN r.w, type(r), count(*)",
    "MATCH ()<-[r:U]-() RETURN count(r), sum(r.w), max(r.day)",
    "MATCH ()-[r:NOPE]->() RETURN type(r), count(r)",
    "MATCH ()-[r]->() RETURN count(r), sum(r.w), min(r.w)",
    "MATCH ()-[r]->() RETURN count(DISTINCT r.w)",
    "MATCH ()<-[r:S|U]-(b) RETURN b.i, r.w",
    "MATCH ()-[r:T]->(b) RETURN b.i, r.w",
    "MATCH ()-[r]-(b) RETURN b.i, r.w",
    // count_rels
    "MATCH (a)-[r:S|T]->() RETURN a.name, count(r), count(DISTINCT r.w), max(r.w), min(r.day)",
    "MATCH (a:A)<-[r]-(b) RETURN a.i % 2 AS k, count(*), count(b), min(a.name), count(DISTINCT a)",
    "MATCH (a)-[r:T|NOPE]->(b) RETURN count(r), collect(DISTINCT a.i)",
    "MATCH (a)-[r:NOPE]->(b) RETURN count(r)",
    "MATCH (a)-[:S]->(b) RETURN b.name, count(*)",
    "MATCH (a)-[r:S|T]->() RETURN a.name AS name, count(r) AS deg ORDER BY deg DESC, name ASC LIMIT 3",
    "MATCH (a)-[r:S|T]->() RETURN a AS node, count(r) AS deg ORDER BY deg DESC, node.i LIMIT 2",
    // chain_count
    "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.day < r2.day RETURN count(*)",
    "MATCH (a)-[r1]->(b)<-[r2]-(c) WHERE r2.day >= r1.day RETURN count(*) AS n",
    "MATCH (a)-[r1]->(b)-[r2]->(c) WHERE r1.k = r2.k AND a.i > 1 AND c.k IS NOT NULL RETURN count(r2)",
    "MATCH (a)-[r1:S|U]->(b)-[r2:U|T]->(c) WHERE r1.k <= r2.k RETURN count(*)",
    "MATCH (a:A)-[r1:U]->(b)-[r2:U]->(c:B) RETURN count(*), sum(r1.w * r2.w)",
    "MATCH (a)-[r1]->(b)-[r2]->(c) WHERE r1.w + 1 < r2.w RETURN count(*)",
    // memoize_expansions
    "MATCH (a)-[r1]->(b)-[r2]->(c)-[r3]->(d) RETURN a.i, d.i, r1.w + r2.w + r3.w",
    "MATCH (c:B)<-[r2]-(b)<-[r1:U]-(a) RETURN a.i, b.i, r1.w, r2.w",
    "MATCH (y {i: 1})<-[r]-(x)-[s]->(z) RETURN x.i, r.w, z.i",
    "MATCH (s:A)-[:U]->(h)-[:U]->(d:B) RETURN count(*)",
    // ends_only_walks
    "MATCH (:A {i: 0})-[:U*..4]->(b) RETURN count(DISTINCT b)",
    "MATCH (a {i: 2})-[:S|T*0..3]->(b) RETURN DISTINCT b.i",
    "MATCH (a:A)-[*1..2]->(b:B) RETURN a.i, min(b.i), max(b.w)",
    "MATCH (a {i: 2})-[:S|T*..3]->(b) RETURN count(b)",
    // bidirectional_search
    "MATCH (a {i: 0}), (b {i: 1}) MATCH p = shortestPath((a)-[*]->(b)) RETURN length(p)",
    "MATCH (a {i: 1}), (b {i: 2}) MATCH p = shortestPath((a)-[:S|T*]-(b)) RETURN length(p)",
    "MATCH (a {i: 2}), (b {i: 0}) MATCH p = shortestPath((a)<-[*..2]-(b)) RETURN length(p)",
    "MATCH (a {i: 0}), (b:B) MATCH p = shortestPath((a)-[*]->(b)) \
     WHERE all(r IN relationships(p) WHERE r.w > 1) RETURN b.i, length(p)",
    "MATCH (a), (b) WHERE a.i < 3 AND a <> b MATCH p = allShortestPaths((a)-[*]->(b)) \
     RETURN a.i, b.i, length(p)",
    // ordered, plain
    "MATCH (a)-[r]->(b) RETURN a.i, b.i, r.w ORDER BY r.w, a.i, b.i SKIP 2 LIMIT 4",
    "MATCH (a) RETURN a.name AS name, count(*) AS n ORDER BY n, name",
];

const LABELS: [&str; 3] = ["A", "B", "C"];
const TYPES: [&str; 3] = ["S", "T", "U"];

/// A fixed pseudo-random graph: 14 nodes labelled round-robin with `i`, a `name` and
/// sometimes a key `k`; 70 relationships with `w`, a `day` and sometimes a `k` of mixed
/// kinds; node 0 a hub with many `U` relationships out, node 1 with many in.
fn graph() -> Database {
    let mut db = Database::new();
    let mut seed = 0x2545_f491_u64;
    let mut next = |n: u64| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) % n
    };
    for i in 0..14 {
        let key = match next(4) {
            0 => String::new(),
            1 => format!(", k: {}", next(5)),
            2 => format!(", k: 'k{}'", next(3)),
            _ => format!(", k: {}.5", next(5)),
        };
        let label = LABELS[i % LABELS.len()];
        run(
            &mut db,
            &format!("CREATE (:{label} {{i: {i}, name: 'n{}'{key}}})", i % 9),
        );
    }
    let mut rels = Vec::new();
    for k in 0..70 {
        let (from, to, t) = match k % 7 {
            0 => (0, next(14), 2),
            1 => (next(14), 1, 2),
            _ => (next(14), next(14), next(3)),
        };
        let key = match next(3) {
            0 => String::new(),
            1 => format!(", k: {}", next(4)),
            _ => format!(", k: {}.0", next(4)),
        };
        let day = next(20);
        rels.push(format!(
            "MATCH (a {{i: {from}}}), (b {{i: {to}}}) CREATE (a)-[:{} {{w: {}, \
             day: date('2020-01-01') + duration({{days: {day}}}){key}}}]->(b)",
            TYPES[t as usize],
            next(10),
        ));
    }
    for statement in rels {
        run(&mut db, &statement);
    }
    db
}

fn run(db: &mut Database, query: &str) -> ResultSet {
    db.execute(query)
        .unwrap_or_else(|e| panic!("{}", e.render(query, "query")))
        .pop()
        .expect("one result")
}

/// The rows of `query`, rendered; sorted unless the query orders them. An error is
/// an outcome too.
fn outcome(db: &mut Database, query: &str) -> Result<Vec<String>, String> {
    let result = db
        .execute(query)
        .map_err(|e| e.to_string())?
        .pop()
        .expect("one result");
    let mut rows: Vec<String> = result
        .rows
        .iter()
        .map(|row| {
            let mut s = String::new();
            result.render_literal(&Value::List(row.clone()), &mut s);
            s
        })
        .collect();
    if !query.contains("ORDER BY") {
        rows.sort();
    }
    Ok(rows)
}

fn plans(query: &str, graph: &Graph, config: OptimizerConfig) -> String {
    let statement = &datatrail::parser::parse(query).unwrap()[0];
    format!("{:?}", plan_with(statement, graph, config).unwrap().parts)
}

#[test]
fn each_pass_off_gives_the_rows_of_all_passes_on() {
    let mut all_on = graph();
    let expected: Vec<_> = QUERIES.iter().map(|q| outcome(&mut all_on, q)).collect();
    assert!(
        expected.iter().filter(|e| e.is_ok()).count() > QUERIES.len() - 3,
        "the queries should mostly run: {expected:?}"
    );
    for pass in PASSES {
        let mut db = Database::with_graph(all_on.graph().clone()).with_disabled_pass(pass.name);
        for (query, want) in QUERIES.iter().zip(&expected) {
            assert_eq!(
                &outcome(&mut db, query),
                want,
                "{query} without {}",
                pass.name
            );
        }
    }
}

#[test]
fn each_pass_changes_some_plan() {
    let db = graph();
    for pass in PASSES {
        let without = OptimizerConfig::all().without(pass.name);
        let changed = QUERIES
            .iter()
            .filter(|q| {
                plans(q, db.graph(), OptimizerConfig::all()) != plans(q, db.graph(), without)
            })
            .count();
        assert!(changed > 0, "no query's plan depends on {}", pass.name);
    }
}
