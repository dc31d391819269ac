//! Execution shortcuts checked against the plain plans they replace: memoized expansions
//! from hubs, bidirectional shortest paths, streaming aggregation and top-k sorting give
//! the rows of `Database::with_optimizations(false)`, and take fewer steps where that
//! is their point.

use datatrail::{Database, ResultSet, Value};
use proptest::prelude::*;

fn run(db: &mut Database, query: &str) -> ResultSet {
    db.execute(query)
        .unwrap_or_else(|e| panic!("{}", e.render(query, "query")))
        .pop()
        .expect("one result")
}

fn rendered(result: &ResultSet) -> Vec<String> {
    result
        .rows
        .iter()
        .map(|row| {
            let mut s = String::new();
            result.render_literal(&Value::List(row.clone()), &mut s);
            s
        })
        .collect()
}

fn sorted(result: &ResultSet) -> Vec<String> {
    let mut rows = rendered(result);
    rows.sort();
    rows
}

const LABELS: [&str; 3] = ["A", "B", "C"];
const TYPES: [&str; 3] = ["S", "T", "U"];

/// `nodes` nodes labelled round-robin, relationships (from, to, type, day), and enough
/// `U` relationships out of node 0 and into node 1 to make them hubs whose neighbours a
/// memoized expansion keeps.
/// `odd_name` adds one more node: 1 names it like node 0, 2 gives it no name, 3 a
/// number for a name; with 0 every node has a name of its own, which lets a grouping by
/// name stream a group per node.
fn graph(
    nodes: usize,
    rels: &[(usize, usize, usize, i64)],
    odd_name: usize,
    optimize: bool,
) -> Database {
    let mut db = Database::new().with_optimizations(optimize);
    for i in 0..nodes {
        run(
            &mut db,
            &format!(
                "CREATE (:{} {{i: {i}, name: 'n{i}'}})",
                LABELS[i % LABELS.len()]
            ),
        );
    }
    let odd = match odd_name {
        1 => "CREATE (:A {i: -1, name: 'n0'})",
        2 => "CREATE (:B {i: -1})",
        3 => "CREATE (:C {i: -1, name: 0})",
        _ => "",
    };
    if !odd.is_empty() {
        run(
            &mut db,
            &format!(
                "{odd} WITH 1 AS one MATCH (a {{i: -1}}), (b {{i: 0}}) CREATE (a)-[:S {{w: 1}}]->(b)"
            ),
        );
    }
    run(
        &mut db,
        &format!(
            "UNWIND range(0, 17) AS k MATCH (h {{i: 0}}), (x {{i: k % {nodes}}}), (y {{i: 1}}) \
             CREATE (h)-[:U {{w: k}}]->(x), (x)-[:U {{w: k}}]->(y)"
        ),
    );
    for (from, to, t, day) in rels {
        run(
            &mut db,
            &format!(
                "MATCH (a {{i: {from}}}), (b {{i: {to}}}) \
                 CREATE (a)-[:{} {{day: date('2020-01-01') + duration({{days: {day}}}), w: {day}}}]->(b)",
                TYPES[*t]
            ),
        );
    }
    db
}

/// Queries whose rows must not depend on the shortcuts (compared as multisets).
const UNORDERED: &[&str] = &[
    "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.day < r2.day RETURN count(*)",
    "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) RETURN a.i, b.i, c.i, r1.w, r2.w",
    "MATCH (c:C)<-[r2:S|T]-(b)<-[r1]-(a) RETURN a.i, c.i, type(r1), type(r2)",
    "MATCH (a)-[r1]->(b)-[r2]->(c)-[r3]->(d) RETURN a.i, d.i, r1.w + r2.w + r3.w",
    "MATCH (a:A)-[r1:U]->(b)-[r2:U]->(c:B) RETURN count(*), sum(r1.w * r2.w)",
    "MATCH (c:B)<-[r2]-(b)<-[r1:U]-(a) RETURN a.i, b.i, r1.w, r2.w",
    "MATCH (a {i: 0}), (b {i: 1}) MATCH p = shortestPath((a)-[*]->(b)) RETURN length(p)",
    "MATCH (a {i: 1}), (b {i: 2}) MATCH p = shortestPath((a)-[:S|T*]-(b)) RETURN length(p)",
    "MATCH (a {i: 2}), (b {i: 0}) MATCH p = shortestPath((a)<-[*..2]-(b)) RETURN length(p)",
    "MATCH (a {i: 0}), (b:B) MATCH p = shortestPath((a)-[*]->(b)) \
     WHERE all(r IN relationships(p) WHERE r.w > 1) RETURN b.i, length(p)",
    "MATCH (a), (b) WHERE a.i < 3 AND a <> b MATCH p = shortestPath((a)-[*]->(b)) \
     RETURN a.i, b.i, length(p), size(nodes(p))",
    "MATCH ()-[r]->() RETURN type(r) AS t, count(r) AS n, sum(r.w) AS total",
    "MATCH (a)<-[r:S|U]-(b) RETURN a.i, b.i, r.w",
    "MATCH ()<-[r:S|U]-(b) RETURN b.i, r.w",
    "MATCH ()-[r:T]->(b) RETURN b.i, r.w",
    "MATCH ()-[r]-(b) RETURN b.i, r.w",
    "MATCH (a)-[r]-(b) RETURN a.i, b.i, r.w",
    "MATCH (a)-[r:T]->(b:A) RETURN a.i, b.i",
    "MATCH (x {i: 1}) MATCH (a)-[r:U]->(x) RETURN a.i, r.w",
    "MATCH (a)-[r:S|T]->() RETURN a.name, count(r), count(DISTINCT r.w), max(r.w), min(r.day)",
    "MATCH (a:A)<-[r]-(b) RETURN a.i % 2 AS k, count(*), count(b), min(a.name), count(DISTINCT a)",
    "MATCH (a)-[r:T|NOPE]->(b) RETURN count(r), collect(DISTINCT a.i)",
    "MATCH (a)-[r:NOPE]->(b) RETURN count(r)",
    "MATCH (a)-[:S]->(b) RETURN b.name, count(*)",
    "MATCH ()-[r]->() RETURN type(r), count(*), count(r), sum(r.w), avg(r.w), min(r.day), max(r.w), count(r.day)",
    "MATCH ()-[r:S|T]->() RETURN r.w, type(r), count(*)",
    "MATCH ()<-[r:U]-() RETURN count(r), sum(r.w), max(r.day)",
    "MATCH ()-[r:NOPE]->() RETURN count(r), sum(r.w)",
    "MATCH ()-[r:NOPE]->() RETURN type(r), count(r)",
    "MATCH ()-[r]->() RETURN count(r), sum(r.w), min(r.w)",
];

/// Groupings over node scans, which two threads may share: compared in order, since
/// groups come out in the order one scan meets them, and so do collected lists.
const GROUPINGS: &[&str] = &[
    "MATCH (a) RETURN count(*), collect(a.i), min(a.name), max(a.i), sum(a.i), avg(a.i)",
    "MATCH (a)-[r]->(b) RETURN b.i % 3 AS k, count(r), collect(r.w), sum(r.w), min(r.day)",
    "MATCH (a:A)-[r:S|T]->() RETURN a.name, count(r)",
    "MATCH (a:B) WHERE a.i > 1 RETURN a.i % 2, count(*), collect(a.name)",
    "MATCH (a)-[r:NOPE]->() RETURN count(r), sum(r.w), collect(r.w)",
    "MATCH (a) WITH a, a.i * 2 AS d UNWIND [d, d + 1] AS x RETURN x % 4, sum(x), count(a)",
    "MATCH (a) RETURN a.name, count(DISTINCT a.i)",
    "MATCH (a:A) WHERE a.i > 0 RETURN a.name, count(*), collect(a.i), sum(a.i), max(a.name)",
    "MATCH (a)-[r:S|T]->() RETURN a AS node, a.i % 2, count(r), count(DISTINCT a)",
    "MATCH (a) RETURN a.name, a.i, count(a.nope), collect(a.nope), avg(a.i)",
];

/// Groupings over every relationship, which two threads may share (compared as
/// multisets: the plain plan meets the relationships node by node).
const REL_GROUPINGS: &[&str] = &[
    "MATCH ()-[r]->() RETURN type(r), count(*), sum(r.w), min(r.day), max(r.w), avg(r.w)",
    "MATCH ()-[r]->() RETURN count(r), sum(r.w), max(r.day)",
    "MATCH ()-[r:S|T]->() RETURN r.w, type(r), count(*)",
];

/// Queries whose rows have one order (compared in order): a total one, or ties that
/// the stable sort leaves in scan order.
const ORDERED: &[&str] = &[
    "MATCH (a)-[r:S|T]->() RETURN a.name AS name, count(r) AS deg ORDER BY deg DESC, name ASC LIMIT 3",
    "MATCH (a)-[r]->(b) RETURN a.i, b.i, r.w ORDER BY r.w, a.i, b.i SKIP 2 LIMIT 4",
    "MATCH (a) RETURN a.i ORDER BY a.i DESC LIMIT 0",
    "MATCH (a) RETURN a.i ORDER BY a.i % 3, a.i LIMIT 100",
    "MATCH (a) RETURN a.name AS name, count(*) AS n ORDER BY n, name",
    "MATCH (a)-[r:S|T]->() RETURN a AS node, count(r) AS deg ORDER BY deg DESC, node.i LIMIT 2",
    "MATCH (a:B) RETURN a.i % 2 AS k, a.i AS i ORDER BY k SKIP 1 LIMIT 3",
    // Ties keep the order of the scan, also when two threads share it.
    "MATCH (a) RETURN a.i % 2 AS k, a.i AS i ORDER BY k",
];

/// Expansions from one node, which two threads may share (compared in order with one
/// thread: the rows keep the order of the node's relationships), errors included.
const EXPANSIONS: &[&str] = &[
    "MATCH (h {i: 0})-[r]->(x) RETURN x.i, r.w",
    "MATCH (h {i: 0})-[r:U|S]->(x) WHERE r.w % 3 <> 1 RETURN x.i, r.w, x.name",
    "MATCH (y {i: 1})<-[r]-(x)-[s]->(z) RETURN x.i, r.w, z.i",
    "MATCH (h {i: 0})-[r]-(x) RETURN x.i LIMIT 5",
    "MATCH (h {i: 0})-[r]->(x) RETURN r.w / (x.i - 3) AS q",
];

/// A statement's rows, or its error.
fn outcome(db: &mut Database, query: &str) -> Result<Vec<String>, String> {
    match db.execute(query) {
        Ok(mut results) => Ok(rendered(&results.pop().expect("one result"))),
        Err(e) => Err(e.render(query, "query")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn shortcuts_give_the_rows_of_the_plain_plan(
        nodes in 3usize..9,
        rels in proptest::collection::vec((0usize..9, 0usize..9, 0usize..3, 0i64..6), 0..24),
        odd_name in 0usize..4,
    ) {
        let rels: Vec<_> = rels.into_iter().map(|(a, b, t, d)| (a % nodes, b % nodes, t, d)).collect();
        let mut fast = graph(nodes, &rels, odd_name, true);
        let mut plain = graph(nodes, &rels, odd_name, false);
        for query in UNORDERED {
            prop_assert_eq!(sorted(&run(&mut fast, query)), sorted(&run(&mut plain, query)), "{}", query);
        }
        // Every grouping over a scan on two threads, even of a few nodes.
        let mut parallel = graph(nodes, &rels, odd_name, true).with_parallel_threshold(0);
        for query in GROUPINGS {
            prop_assert_eq!(rendered(&run(&mut parallel, query)), rendered(&run(&mut plain, query)), "{}", query);
        }
        for query in REL_GROUPINGS {
            prop_assert_eq!(sorted(&run(&mut parallel, query)), sorted(&run(&mut plain, query)), "{}", query);
        }
        for query in EXPANSIONS {
            prop_assert_eq!(outcome(&mut parallel, query), outcome(&mut fast, query), "{}", query);
        }
        for query in ORDERED {
            let want = rendered(&run(&mut plain, query));
            prop_assert_eq!(rendered(&run(&mut fast, query)), want.clone(), "{}", query);
            prop_assert_eq!(rendered(&run(&mut parallel, query)), want, "{} (two threads)", query);
        }
    }
}

/// A grouping shared by two threads still stops at the statement's timeout.
#[test]
fn a_grouping_on_two_threads_stops_at_the_timeout() {
    let mut db = Database::new().with_parallel_threshold(0);
    run(&mut db, "UNWIND range(1, 3000) AS i CREATE (:N {i: i})");
    db.set_limits(datatrail::Limits {
        timeout: Some(std::time::Duration::from_millis(50)),
        ..datatrail::Limits::default()
    });
    let query = "MATCH (a:N) UNWIND range(1, 100000) AS x RETURN a.i % 2, count(*)";
    let error = db
        .execute(query)
        .expect_err("stopped")
        .render(query, "query");
    assert!(error.contains("timeout"), "{error}");
}

/// Top-k sorting over many rows, with keys that are columns and keys that are computed,
/// ties included, gives the first rows of the full sort.
#[test]
fn top_k_over_many_rows_gives_the_first_rows_of_the_full_sort() {
    let mut db = Database::new();
    for (order, limit) in [
        ("ORDER BY a DESC, i", 5),
        ("ORDER BY a, b DESC", 37),
        ("ORDER BY i % 11 DESC", 100),
        ("ORDER BY b", 1),
    ] {
        let full = format!(
            "UNWIND range(0, 2999) AS i WITH i, i % 7 AS a, (i * 13) % 17 AS b \
             RETURN i, a, b {order}"
        );
        let top = run(&mut db, &format!("{full} LIMIT {limit}"));
        let all = run(&mut db, &full);
        assert_eq!(rendered(&top), rendered(&all)[..limit].to_vec(), "{order}");
    }
}

/// Counting relationships per node reads each node's number of relationships from the
/// adjacency, not each relationship: one step per node instead of one per relationship.
#[test]
fn a_degree_is_counted_without_following_relationships() {
    let setup = "UNWIND range(1, 20) AS i CREATE (a:N {name: 'n' + (i % 5)}) \
                 WITH a UNWIND range(1, 30) AS j CREATE (a)-[:R {w: j}]->(:M)";
    let query = "MATCH (a:N)-[r:R]->() RETURN a.name AS name, count(r) AS degree ORDER BY name";
    let mut fast = Database::new();
    run(&mut fast, setup);
    let mut plain = Database::new().with_optimizations(false);
    run(&mut plain, setup);
    let (a, b) = (run(&mut fast, query), run(&mut plain, query));
    assert_eq!(rendered(&a), rendered(&b));
    assert_eq!(rendered(&a)[0], "['n0', 120]");
    assert!(
        a.steps * 10 < b.steps,
        "counted {} steps, followed {}",
        a.steps,
        b.steps
    );
}

/// Ties in ORDER BY keep the order rows arrived in, with and without LIMIT.
#[test]
fn top_k_keeps_ties_in_arrival_order() {
    let mut db = Database::new();
    run(
        &mut db,
        "UNWIND range(0, 199) AS i CREATE (:N {i: i, g: i % 4})",
    );
    let all = run(&mut db, "MATCH (n:N) RETURN n.i ORDER BY n.g");
    let top = run(
        &mut db,
        "MATCH (n:N) RETURN n.i ORDER BY n.g SKIP 3 LIMIT 70",
    );
    assert_eq!(rendered(&top), rendered(&all)[3..73].to_vec());
    let first: Vec<String> = (0..5).map(|k| format!("[{}]", k * 4)).collect();
    assert_eq!(rendered(&all)[..5].to_vec(), first);
}

/// Many rows reach a hub; its matching neighbours (half of its relationships lead to
/// nodes of the wrong label) are found once, not once per row.
#[test]
fn a_hub_reached_from_many_rows_is_scanned_once() {
    let setup = "CREATE (hub:Hub) WITH hub \
                 UNWIND range(1, 60) AS i CREATE (:Src {i: i})-[:IN]->(hub) \
                 WITH DISTINCT hub UNWIND range(1, 200) AS j \
                 CREATE (hub)-[:OUT]->(:Dst {j: j}), (hub)-[:OUT]->(:Other)";
    let query = "MATCH (s:Src)-[:IN]->(h)-[:OUT]->(d:Dst) RETURN count(*)";
    let mut fast = Database::new();
    run(&mut fast, setup);
    let mut plain = Database::new().with_optimizations(false);
    run(&mut plain, setup);
    let (a, b) = (run(&mut fast, query), run(&mut plain, query));
    assert_eq!(a.rows, vec![vec![Value::Int(60 * 200)]]);
    assert_eq!(a.rows, b.rows);
    // Plain: 60 rows each scan the hub's 400 outgoing relationships; memoized: one scan,
    // then the 200 matches for each later row.
    assert!(
        a.steps * 3 < b.steps * 2,
        "memoized {} steps, plain {}",
        a.steps,
        b.steps
    );
}

/// Two wide trees joined at their leaves: a search from one end visits the whole first
/// tree, a search from both ends meets in the middle.
#[test]
fn shortest_path_searches_from_both_ends() {
    let setup = "CREATE (s:End {name: 's'}), (t:End {name: 't'}) WITH s, t \
                 UNWIND range(1, 30) AS i CREATE (s)-[:R]->(a:Mid {i: i}) \
                 WITH s, t, a UNWIND range(1, 30) AS j CREATE (a)-[:R]->(:Leaf {i: a.i, j: j}) \
                 WITH DISTINCT s, t CREATE (t)<-[:R]-(:Mid2)<-[:R]-(x:Leaf2) \
                 WITH x MATCH (l:Leaf {i: 30, j: 30}) CREATE (l)-[:R]->(x)";
    let query = "MATCH p = shortestPath((:End {name: 's'})-[*]->(:End {name: 't'})) \
                 RETURN length(p), [n IN nodes(p) | labels(n)[0]]";
    let mut fast = Database::new();
    run(&mut fast, setup);
    let mut plain = Database::new().with_optimizations(false);
    run(&mut plain, setup);
    let (a, b) = (run(&mut fast, query), run(&mut plain, query));
    assert_eq!(
        rendered(&a),
        vec!["[5, ['End', 'Mid', 'Leaf', 'Leaf2', 'Mid2', 'End']]"]
    );
    assert_eq!(a.rows, b.rows);
    assert!(
        a.steps * 5 < b.steps,
        "both ends {} steps, one end {}",
        a.steps,
        b.steps
    );
}

/// A shortest path respects an upper bound met exactly, and finds nothing beyond it.
#[test]
fn shortest_path_from_both_ends_respects_the_upper_bound() {
    let mut db = Database::new();
    run(
        &mut db,
        "CREATE (:P {i: 0})-[:R]->(:P {i: 1})-[:R]->(:P {i: 2})-[:R]->(:P {i: 3})",
    );
    let within =
        "MATCH (a:P {i: 0}), (b:P {i: 3}) MATCH p = shortestPath((a)-[*..3]->(b)) RETURN length(p)";
    let beyond =
        "MATCH (a:P {i: 0}), (b:P {i: 3}) MATCH p = shortestPath((a)-[*..2]->(b)) RETURN length(p)";
    let against =
        "MATCH (a:P {i: 3}), (b:P {i: 0}) MATCH p = shortestPath((a)-[*]->(b)) RETURN length(p)";
    assert_eq!(run(&mut db, within).rows, vec![vec![Value::Int(3)]]);
    assert!(run(&mut db, beyond).rows.is_empty());
    assert!(run(&mut db, against).rows.is_empty());
}

/// A query text run again reuses its syntax tree but is planned and run afresh, so it
/// sees what changed in between (new labels included).
#[test]
fn a_repeated_query_sees_the_changes_made_in_between() {
    let mut db = Database::new();
    let query = "MATCH (n:Late) RETURN count(n)";
    assert_eq!(run(&mut db, query).rows, vec![vec![Value::Int(0)]]);
    run(&mut db, "CREATE (:Late), (:Late)");
    assert_eq!(run(&mut db, query).rows, vec![vec![Value::Int(2)]]);
    run(&mut db, "MATCH (n:Late) WITH n LIMIT 1 DELETE n");
    assert_eq!(run(&mut db, query).rows, vec![vec![Value::Int(1)]]);
}
