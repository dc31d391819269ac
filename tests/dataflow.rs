//! Data-flow extensions: time-respecting paths and per-hop conditions, checked against
//! the plain openCypher forms they replace.

use datatrail::{Database, ResultSet, Value};
use proptest::prelude::*;

fn run(db: &mut Database, query: &str) -> ResultSet {
    db.execute(query)
        .unwrap_or_else(|e| panic!("{}", e.render(query, "query")))
        .pop()
        .expect("one result")
}

fn sorted_rows(result: &ResultSet) -> Vec<String> {
    let mut rows: Vec<String> = result
        .rows
        .iter()
        .map(|row| {
            let mut s = String::new();
            result.render_literal(&Value::List(row.clone()), &mut s);
            s
        })
        .collect();
    rows.sort();
    rows
}

/// A chain of `layers` hops where each hop is two parallel relationships, dated so that
/// every later hop is *earlier* than the one before: 2^layers paths in all, but only the
/// first hop is time-respecting.
fn backwards_dated_chain(layers: usize) -> Database {
    let mut db = Database::new();
    run(
        &mut db,
        &format!("UNWIND range(0, {layers}) AS i CREATE (:Stop {{i: i}})"),
    );
    run(
        &mut db,
        &format!(
            "MATCH (a:Stop), (b:Stop) WHERE b.i = a.i + 1 \
             UNWIND [1, 2] AS copy \
             CREATE (a)-[:DATA_FLOW {{start_date: date({{year: 2000 + {layers} - a.i, month: 1, day: 1}})}}]->(b)"
        ),
    );
    db
}

#[test]
fn time_ordered_paths_are_pruned_while_expanding() {
    // Unpruned, this graph holds 2^24 (16.7 million) paths from the first stop: too many
    // to enumerate in a test. Pruned, only the two first hops are ever walked on.
    let mut db = backwards_dated_chain(24);
    let result = run(
        &mut db,
        "MATCH TIME ORDERED p = (:Stop {i: 0})-[:DATA_FLOW*]->(x) RETURN x.i AS i, count(*) AS paths",
    );
    assert_eq!(sorted_rows(&result), vec!["[1, 2]".to_string()]);
    assert!(
        result.steps < 200,
        "time-ordered walk took {} steps",
        result.steps
    );

    // The same query without the path mode does the full enumeration, visibly larger
    // even on a much smaller chain.
    let mut small = backwards_dated_chain(10);
    let unpruned = run(
        &mut small,
        "MATCH p = (:Stop {i: 0})-[:DATA_FLOW*]->(x) RETURN count(*) AS paths",
    );
    assert_eq!(
        unpruned.rows[0][0],
        Value::Int((1..=10).map(|k| 1i64 << k).sum())
    );
    assert!(
        unpruned.steps > 2000,
        "unpruned walk took only {} steps",
        unpruned.steps
    );
}

#[test]
fn time_ordered_respects_dates_and_strictness() {
    let mut db = Database::new();
    run(
        &mut db,
        "CREATE (a {name: 'a'})-[:F {start_date: date('2018-01-01')}]->(b {name: 'b'}), \
         (b)-[:F {start_date: date('2017-06-01')}]->(:X {name: 'too early'}), \
         (b)-[:F {end_date: date('2019-01-01')}]->(:X {name: 'by end date'}), \
         (b)-[:F]->(:X {name: 'undated'})",
    );
    let lenient = run(
        &mut db,
        "MATCH TIME ORDERED ({name: 'a'})-[:F*]->(x:X) RETURN x.name",
    );
    assert_eq!(
        sorted_rows(&lenient),
        vec!["['by end date']", "['undated']"]
    );
    let strict = run(
        &mut db,
        "MATCH TIME ORDERED STRICT ({name: 'a'})-[:F*]->(x:X) RETURN x.name",
    );
    assert_eq!(sorted_rows(&strict), vec!["['by end date']"]);
    let by_start_only = run(
        &mut db,
        "MATCH TIME ORDERED BY start_date STRICT ({name: 'a'})-[:F*]->(x:X) RETURN x.name",
    );
    assert!(by_start_only.rows.is_empty());
}

const STATUSES: [&str; 3] = ["confirmed", "alleged", "disputed"];

/// Builds a graph of `nodes` nodes and the given relationships (from, to, status, year).
fn random_graph(nodes: usize, rels: &[(usize, usize, usize, i64)], optimize: bool) -> Database {
    let mut db = Database::new().with_optimizations(optimize);
    run(
        &mut db,
        &format!("UNWIND range(0, {}) AS i CREATE (:N {{i: i}})", nodes - 1),
    );
    for (from, to, status, year) in rels {
        run(
            &mut db,
            &format!(
                "MATCH (a:N {{i: {from}}}), (b:N {{i: {to}}}) \
                 CREATE (a)-[:F {{status: '{}', year: {year}}}]->(b)",
                STATUSES[*status]
            ),
        );
    }
    db
}

const DIFFERENTIAL_QUERIES: &[&str] = &[
    "MATCH p = (a:N {i: 0})-[:F*1..4]->(x) WHERE all(r IN relationships(p) WHERE r.status = 'confirmed') RETURN x.i, length(p)",
    "MATCH p = (a:N)-[:F*0..3]-(x) WHERE none(r IN relationships(p) WHERE r.status = 'disputed') RETURN a.i, x.i, length(p)",
    "MATCH p = (a:N {i: 1})-[:F*..3]->(x) WHERE all(r IN relationships(p) WHERE r.year >= 2016) AND x.i > 0 RETURN x.i",
    "MATCH p = (a:N)-[:F]->(b)-[:F*1..2]->(c) WHERE all(r IN relationships(p) WHERE r.status <> 'alleged') RETURN a.i, c.i",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Pushing `all`/`none` over a path's relationships into the expansion gives exactly
    /// the rows of filtering the finished paths.
    #[test]
    fn pushed_path_predicates_match_unpushed(
        nodes in 2usize..7,
        rels in proptest::collection::vec((0usize..7, 0usize..7, 0usize..3, 2014i64..2020), 0..12),
    ) {
        let rels: Vec<_> = rels.into_iter().map(|(a, b, s, y)| (a % nodes, b % nodes, s, y)).collect();
        let mut pushed = random_graph(nodes, &rels, true);
        let mut unpushed = random_graph(nodes, &rels, false);
        for query in DIFFERENTIAL_QUERIES {
            prop_assert_eq!(sorted_rows(&run(&mut pushed, query)), sorted_rows(&run(&mut unpushed, query)), "{}", query);
        }
        // The inline form means the same as the quantifier.
        let inline = run(&mut pushed, "MATCH (a:N {i: 0})-[r:F*1..4 WHERE r.status = 'confirmed']->(x) RETURN x.i, size(r)");
        let quantified = run(&mut unpushed, "MATCH p = (a:N {i: 0})-[:F*1..4]->(x) WHERE all(r IN relationships(p) WHERE r.status = 'confirmed') RETURN x.i, length(p)");
        prop_assert_eq!(sorted_rows(&inline), sorted_rows(&quantified));
    }
}

#[test]
fn pushed_path_predicates_prune_the_walk() {
    // A disputed first hop in front of a large fan-out: filtering finished paths walks the
    // whole fan-out, the pushed predicate stops at the first hop.
    let setup = "CREATE (s:N {name: 'start'})-[:F {status: 'disputed'}]->(hub:N {i: 1}) \
                 WITH hub UNWIND range(2, 200) AS i CREATE (hub)-[:F {status: 'confirmed'}]->(:N {i: i})";
    let query = "MATCH p = (:N {name: 'start'})-[:F*]->(x) WHERE all(r IN relationships(p) WHERE r.status = 'confirmed') RETURN count(x)";
    let mut pushed = Database::new();
    run(&mut pushed, setup);
    let mut unpushed = Database::new().with_optimizations(false);
    run(&mut unpushed, setup);
    let (a, b) = (run(&mut pushed, query), run(&mut unpushed, query));
    assert_eq!(a.rows, b.rows);
    assert!(
        a.steps * 10 < b.steps,
        "pushed {} steps, unpushed {}",
        a.steps,
        b.steps
    );
}
