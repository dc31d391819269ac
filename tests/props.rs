//! Property tests over random graphs and random queries:
//!
//! - the planner's rewrites change no result: every generated query gives the same rows
//!   (as a multiset, or in order when `ORDER BY` fixes it) or the same error with
//!   optimizations on and off;
//! - every query of the fuzz seed corpus (`fuzz/seeds`: the TCK, the examples and the
//!   tests) that parses prints back to text that parses to the same tree.
//!
//! Graphs stay under 13 nodes and 31 relationships and var-length patterns under 4
//! hops, so a case runs in milliseconds and no query can multiply rows without bound.

use datatrail::ast_print::dump;
use datatrail::parser::parse;
use datatrail::{Database, Error, ResultSet, Value};
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{TestCaseError, TestRunner};

// ── Random graphs ──

#[derive(Clone, Debug)]
struct RandomGraph {
    /// Per node: labels (0 `:A`, 1 `:B`, 2 `:A:B`, 3 none) and the property `v`.
    nodes: Vec<(usize, i64)>,
    /// Per relationship: from, to, type (0 `R`, 1 `S`), `w`, and the year of its
    /// `start_date` if it has one.
    rels: Vec<(usize, usize, usize, i64, Option<i32>)>,
}

fn random_graph() -> impl Strategy<Value = RandomGraph> {
    (2usize..=12)
        .prop_flat_map(|n| {
            (
                prop::collection::vec((0usize..4, 0i64..4), n),
                prop::collection::vec(
                    (
                        0..n,
                        0..n,
                        0usize..2,
                        0i64..4,
                        prop::option::of(2014i32..2018),
                    ),
                    1..=30,
                ),
            )
        })
        .prop_map(|(nodes, rels)| RandomGraph { nodes, rels })
}

/// One `CREATE` building the graph; each node's `i` is its index.
fn create_statement(graph: &RandomGraph) -> String {
    let labels = [":A", ":B", ":A:B", ""];
    let mut parts: Vec<String> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, (label, v))| format!("(n{i}{} {{i: {i}, v: {v}}})", labels[*label]))
        .collect();
    for (from, to, rel_type, w, year) in &graph.rels {
        let date = year.map_or(String::new(), |y| {
            format!(", start_date: date('{y}-0{}-01')", 1 + w)
        });
        let rel_type = ["R", "S"][*rel_type];
        parts.push(format!("(n{from})-[:{rel_type} {{w: {w}{date}}}]->(n{to})"));
    }
    format!("CREATE {}", parts.join(", "))
}

// ── Random queries ──

/// What a generated query binds, so later clauses only use what exists.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// `(a)-[r]-(b)`
    OneHop,
    /// `p = (a)-[r*min..max]-(b)`, possibly `TIME ORDERED`.
    VarLength,
    /// `(a)-[r]-(b)-[s]-(c)`
    TwoHops,
    /// `p = shortestPath((a {i: k})-[*..max]-(b))`: which of several shortest paths is
    /// found is not fixed, so only its length is returned.
    Shortest,
}

fn label() -> impl Strategy<Value = &'static str> {
    select(vec!["", "", ":A", ":B"])
}

fn rel_type() -> impl Strategy<Value = &'static str> {
    select(vec!["", ":R", ":S", ":R|S"])
}

/// A relationship pattern `body` in one of the three directions.
fn arrow(body: &str, direction: usize) -> String {
    match direction {
        0 => format!("-[{body}]->"),
        1 => format!("<-[{body}]-"),
        _ => format!("-[{body}]-"),
    }
}

/// An inline `WHERE` on a node (`v`) or relationship (`w`) variable, or nothing.
fn inline_where(var: &'static str) -> impl Strategy<Value = String> {
    let key = if var == "r" { "w" } else { "v" };
    prop_oneof![
        2 => Just(String::new()),
        1 => (0i64..3).prop_map(move |k| format!(" WHERE {var}.{key} > {k}")),
        1 => (0i64..4).prop_map(move |k| format!(" WHERE {var}.{key} <> {k}")),
    ]
}

fn match_clause() -> impl Strategy<Value = (Shape, String)> {
    let one_hop = (
        label(),
        inline_where("a"),
        rel_type(),
        inline_where("r"),
        0usize..3,
        label(),
    )
        .prop_map(|(la, wa, t, wr, dir, lb)| {
            let rel = arrow(&format!("r{t}{wr}"), dir);
            (Shape::OneHop, format!("MATCH (a{la}{wa}){rel}(b{lb})"))
        });
    let var_length = (
        label(),
        rel_type(),
        0u32..3,
        0u32..3,
        inline_where("r"),
        0usize..3,
        label(),
        select(vec!["", "TIME ORDERED ", "TIME ORDERED STRICT "]),
    )
        .prop_map(|(la, t, min, extra, wr, dir, lb, order)| {
            let rel = arrow(&format!("r{t}*{min}..{}{wr}", min + extra.max(1)), dir);
            let order = if order.is_empty() {
                String::new()
            } else {
                order.to_string()
            };
            (
                Shape::VarLength,
                format!("MATCH {order}p = (a{la}){rel}(b{lb})"),
            )
        });
    let two_hops = (
        label(),
        rel_type(),
        0usize..3,
        label(),
        rel_type(),
        0usize..3,
        label(),
    )
        .prop_map(|(la, t1, d1, lb, t2, d2, lc)| {
            let (first, second) = (arrow(&format!("r{t1}"), d1), arrow(&format!("s{t2}"), d2));
            (
                Shape::TwoHops,
                format!("MATCH (a{la}){first}(b{lb}){second}(c{lc})"),
            )
        });
    let shortest = (
        select(vec!["", "", ":A"]),
        0usize..2,
        rel_type(),
        1u32..4,
        0usize..3,
        label(),
    )
        .prop_map(|(la, start, t, max, dir, lb)| {
            let rel = arrow(&format!("{t}*..{max}"), dir);
            (
                Shape::Shortest,
                format!("MATCH p = shortestPath((a{la} {{i: {start}}}){rel}(b{lb}))"),
            )
        });
    prop_oneof![one_hop, var_length, two_hops, shortest]
}

/// A `WHERE` after the pattern, using only variables the shape binds.
fn where_clause(shape: Shape) -> BoxedStrategy<String> {
    let mut options: Vec<BoxedStrategy<String>> = vec![
        Just(String::new()).boxed(),
        (0i64..4).prop_map(|k| format!(" WHERE a.v <= {k}")).boxed(),
        Just(" WHERE a.v <> b.v OR b.i = 0".to_string()).boxed(),
    ];
    if shape == Shape::VarLength {
        options.push(
            (0i64..4)
                .prop_map(|k| format!(" WHERE all(x IN relationships(p) WHERE x.w >= {k})"))
                .boxed(),
        );
        options.push(
            (0i64..4)
                .prop_map(|k| {
                    format!(" WHERE none(x IN relationships(p) WHERE x.w = {k}) AND b.v < 3")
                })
                .boxed(),
        );
    }
    if shape == Shape::TwoHops {
        options.push(Just(" WHERE a <> c".to_string()).boxed());
    }
    prop::strategy::Union::new(options).boxed()
}

/// The end of the query, and whether its `ORDER BY` fixes the order of the rows. After an
/// `OPTIONAL MATCH` (and its `WITH a, b, o`) the third column is `o`'s.
fn projection(shape: Shape, optional: bool) -> BoxedStrategy<(String, bool)> {
    let extra = match shape {
        _ if optional => ", o.i AS z",
        Shape::OneHop => ", r.w AS z",
        Shape::VarLength => ", [n IN nodes(p) | n.i] AS z",
        Shape::TwoHops => ", c.i AS z",
        Shape::Shortest => ", length(p) AS z",
    };
    prop_oneof![
        Just((format!(" RETURN a.i AS x, b.i AS y{extra}"), false)),
        Just((" RETURN DISTINCT b.i AS y".to_string(), false)),
        (0i64..3).prop_map(|k| (
            format!(" WITH a, count(*) AS n WHERE n > {k} RETURN a.i AS x, n"),
            false
        )),
        Just((
            " RETURN b.v AS k, count(DISTINCT a) AS n, sum(a.v) AS s, max(a.i) AS m".to_string(),
            false
        )),
        (1i64..5).prop_map(|limit| (
            format!(" RETURN a.i AS x, b.i AS y ORDER BY x, y DESC LIMIT {limit}"),
            true
        )),
        (0i64..3).prop_map(|skip| (
            format!(" WITH DISTINCT b ORDER BY b.i SKIP {skip} RETURN b.i AS y"),
            true
        )),
    ]
    .boxed()
}

/// `OPTIONAL MATCH` from `b`, binding `o` (null where nothing matches).
fn optional_match() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        1 => (rel_type(), 0usize..3).prop_map(|(t, dir)| {
            format!(" OPTIONAL MATCH (b){}(o) WITH a, b, o", arrow(t, dir))
        }),
    ]
}

/// A query and whether its rows come in a fixed order.
fn random_query() -> impl Strategy<Value = (String, bool)> {
    match_clause().prop_flat_map(|(shape, pattern)| {
        (where_clause(shape), optional_match()).prop_flat_map(move |(where_, optional)| {
            let start = format!("{pattern}{where_}{optional}");
            projection(shape, !optional.is_empty())
                .prop_map(move |(end, ordered)| (format!("{start}{end}"), ordered))
        })
    })
}

// ── Running ──

fn rendered_rows(result: &ResultSet) -> Vec<String> {
    result
        .rows
        .iter()
        .map(|row| {
            let mut text = String::new();
            result.render_literal(&Value::List(row.clone()), &mut text);
            text
        })
        .collect()
}

/// The rows (sorted unless `ordered`) or the error message.
fn outcome(db: &mut Database, query: &str, ordered: bool) -> Result<Vec<String>, String> {
    match db.execute(query) {
        Ok(mut results) => {
            let mut rows = rendered_rows(&results.pop().expect("one result"));
            if !ordered {
                rows.sort();
            }
            Ok(rows)
        }
        Err(Error::Syntax(e)) => panic!(
            "the generator wrote a query that does not parse:\n{}",
            Error::Syntax(e).render(query, "query")
        ),
        Err(e) => Err(e.to_string()),
    }
}

fn check_same_results(
    graph: &RandomGraph,
    queries: &[(String, bool)],
) -> Result<(), TestCaseError> {
    let create = create_statement(graph);
    let mut optimized = Database::new();
    let mut unoptimized = Database::new().with_optimizations(false);
    for db in [&mut optimized, &mut unoptimized] {
        db.execute(&create)
            .map_err(|e| TestCaseError::fail(e.render(&create, "create")))?;
    }
    for (query, ordered) in queries {
        let expected = outcome(&mut unoptimized, query, *ordered);
        let actual = outcome(&mut optimized, query, *ordered);
        let counter = match &expected {
            Ok(rows) if !rows.is_empty() => &WITH_ROWS,
            Ok(_) => &EMPTY,
            Err(_) => &FAILED,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        prop_assert_eq!(actual, expected, "{}\non {}", query, create);
    }
    Ok(())
}

/// How the generated queries ended, so the test can check it compared real rows.
static WITH_ROWS: AtomicUsize = AtomicUsize::new(0);
static EMPTY: AtomicUsize = AtomicUsize::new(0);
static FAILED: AtomicUsize = AtomicUsize::new(0);

#[test]
fn optimized_and_unoptimized_plans_give_the_same_rows() {
    let strategy = (random_graph(), prop::collection::vec(random_query(), 1..6));
    let mut runner = TestRunner::new(ProptestConfig::with_cases(200));
    runner
        .run(&strategy, |(graph, queries)| {
            check_same_results(&graph, &queries)
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let (rows, empty, failed) = (
        WITH_ROWS.load(Ordering::Relaxed),
        EMPTY.load(Ordering::Relaxed),
        FAILED.load(Ordering::Relaxed),
    );
    println!("{rows} queries with rows, {empty} without, {failed} errors");
    assert!(
        rows > empty + failed,
        "{rows} queries with rows, {empty} without, {failed} errors"
    );
}

/// The generator covers what it claims: every shape and clause shows up.
#[test]
fn the_query_generator_covers_the_language_it_claims() {
    let mut runner = TestRunner::deterministic();
    let strategy = random_query();
    let mut all = String::new();
    for _ in 0..2000 {
        let (query, _) = strategy.new_tree(&mut runner).unwrap().current();
        all.push_str(&query);
        all.push('\n');
    }
    for needle in [
        "]->(b",
        "<-[r",
        "*0..",
        "*1..",
        "*2..",
        " WHERE r.w <> ",
        " WHERE r.w > ",
        "(a:A WHERE a.v > ",
        "(a WHERE a.v <> ",
        "all(x IN relationships(p)",
        "none(x IN relationships(p)",
        "shortestPath(",
        "MATCH TIME ORDERED p",
        "TIME ORDERED STRICT",
        "OPTIONAL MATCH",
        "WITH a, count(*) AS n WHERE",
        "RETURN DISTINCT",
        "WITH DISTINCT b ORDER BY",
        "ORDER BY x, y DESC LIMIT",
        "count(DISTINCT a)",
        ", o.i AS z",
    ] {
        assert!(all.contains(needle), "no generated query has {needle:?}");
    }
}

// ── Printing the seed corpus ──

/// Every seed query that parses prints back to the same tree: the TCK's and the tests'
/// queries cover far more of the grammar than the random trees of `tests/roundtrip.rs`.
#[test]
fn seed_corpus_queries_print_back_to_the_same_tree() {
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    let (mut parsed, mut total) = (0, 0);
    for entry in std::fs::read_dir(&seeds).expect("fuzz/seeds (python3 fuzz/seed.py)") {
        let path = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        total += 1;
        let Ok(statements) = parse(&text) else {
            continue;
        };
        parsed += 1;
        for statement in &statements {
            let printed = statement.to_string();
            let reparsed = parse(&printed).unwrap_or_else(|e| {
                panic!(
                    "{}: printed text does not parse:\n{}",
                    path.display(),
                    Error::from(e).render(&printed, "printed")
                )
            });
            assert_eq!(reparsed.len(), 1, "{}: {printed}", path.display());
            assert_eq!(
                dump(&reparsed[0]),
                dump(statement),
                "{}: printed as {printed}",
                path.display()
            );
        }
    }
    assert!(
        total > 1000 && parsed > total / 2,
        "{parsed} of {total} seeds parse"
    );
}
