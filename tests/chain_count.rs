//! Counting a two-hop chain per middle node (`Op::ChainCount`): the counts of
//! `Database::with_optimizations(false)` on random graphs whose keys mix kinds and nulls,
//! far fewer steps on a hub, the operator in the plan only where it keeps the answer,
//! and Ctrl-C and the timeout still stop it.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use chrono::NaiveDate;
use datatrail::exec::{self, Context, ExecError};
use datatrail::plan::logical::Op;
use datatrail::{Database, Graph, Limits, Value};
use proptest::prelude::*;

const LABELS: [&str; 3] = ["A", "B", "C"];
const TYPES: [&str; 3] = ["S", "T", "U"];

/// A key property `k` of one kind (or none): the values the comparison meets.
fn key_value(kind: u8, n: i64) -> Option<Value> {
    match kind {
        0 => None,
        1 | 2 => Some(Value::Int(n)),
        3 => Some(Value::Float(n as f64 / 2.0)),
        4 => Some(Value::str(&format!("s{n}"))),
        5 => NaiveDate::from_ymd_opt(2020, 1, 1 + n as u32).map(Value::Date),
        6 => Some(Value::Bool(n % 2 == 0)),
        7 => Some(Value::List(vec![Value::Int(n % 2), Value::Int(n)])),
        8 => Some(Value::Float(f64::NAN)),
        // Beyond 2^53, where integers and floats stop sharing one order.
        _ => Some(Value::Int((1 << 53) + n)),
    }
}

/// `nodes` nodes labelled round-robin with `i` and a key `k`; relationships (from, to,
/// type, key kind, key value). Self-loops and parallel relationships come naturally.
fn graph(nodes: usize, node_keys: &[(u8, i64)], rels: &[(usize, usize, usize, u8, i64)]) -> Graph {
    let mut graph = Graph::new();
    let ids: Vec<_> = (0..nodes)
        .map(|i| {
            let mut props = vec![("i", Value::Int(i as i64))];
            let (kind, n) = node_keys[i % node_keys.len()];
            props.extend(key_value(kind, n).map(|v| ("k", v)));
            graph.add_node_named(&[LABELS[i % LABELS.len()]], props)
        })
        .collect();
    for &(from, to, t, kind, n) in rels {
        let rel_type = graph.intern_type(TYPES[t]);
        let mut props = vec![("w", Value::Int(n))];
        props.extend(key_value(kind, n).map(|v| ("k", v)));
        let props = graph.props_from(props);
        graph.add_rel(ids[from % nodes], ids[to % nodes], rel_type, props);
    }
    graph
}

/// Chain counts: both ends labelled, one end, none; each comparison, either way round;
/// conditions on each element; overlapping types, where a self-loop or a relationship
/// met from both sides is one relationship twice.
const COUNTS: &[&str] = &[
    "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.k < r2.k RETURN count(*)",
    "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.k <= r2.k RETURN count(*)",
    "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.k > r2.k RETURN count(*)",
    "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.k >= r2.k RETURN count(*)",
    "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.k = r2.k RETURN count(*)",
    "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r2.k > r1.k RETURN count(*)",
    "MATCH (a:C)-[r1:S|T]->(b)-[r2:T|U]->(c:C) WHERE r1.k < r2.k RETURN count(*)",
    "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) RETURN count(*)",
    "MATCH (a:A)<-[r1:S]-(b)<-[r2]-(c) WHERE r1.k >= r2.k RETURN count(r1)",
    "MATCH (a)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.k < r2.k RETURN count(*)",
    "MATCH (a)-[r1]->(b:C)-[r2]->(c) WHERE r1.k <= r2.k RETURN count(r2) AS n",
    "MATCH (a)-[r1]->(b)<-[r2]-(c) WHERE r1.k = r2.k RETURN count(*)",
    "MATCH (a)-[r1]->(b)-[r2]->(c) WHERE r1.k > r2.k RETURN count(*)",
    "MATCH (a)-[r1]->(b)-[r2]->(c) RETURN count(b)",
    "MATCH (a:A)-[r1]->(b)-[r2:S|U]->(c:B) WHERE a.k < r2.k AND r1.w > 1 AND c.i <> 4 \
     AND b.i < 7 AND NOT b:A RETURN count(*)",
    "MATCH (a:B {i: 1})-[r1:T]->(b)-[r2:S]->(c) WHERE c.k <= b.k OR r2.w = 2 RETURN count(*)",
    "MATCH (a)-[r1:U]->(b)-[r2:U]->(c) WHERE a.k < c.k AND r1.k IS NOT NULL RETURN count(*)",
    // Not chain counts: the plain plan answers these.
    "MATCH (a:A)-[r1:S]-(b)-[r2:T]->(c:B) WHERE r1.k < r2.k RETURN count(*)",
    "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.k < r2.k AND a.i <> c.i RETURN count(*)",
    "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.k < r2.k RETURN b.i, count(*)",
];

fn count(db: &mut Database, query: &str) -> (Vec<Vec<Value>>, u64) {
    let result = db
        .execute(query)
        .unwrap_or_else(|e| panic!("{}", e.render(query, "query")))
        .pop()
        .expect("one result");
    let mut rows = result.rows;
    rows.sort_by(|x, y| Value::List(x.clone()).order_cmp(&Value::List(y.clone())));
    (rows, result.steps)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn chain_counts_match_the_plain_plan(
        nodes in 2usize..9,
        node_keys in proptest::collection::vec((0u8..10, 0i64..5), 1..4),
        rels in proptest::collection::vec((0usize..9, 0usize..9, 0usize..3, 0u8..10, 0i64..5), 0..30),
        kinds in 1u8..10,
    ) {
        // Most graphs use few key kinds, so that comparisons are often true.
        let rels: Vec<_> = rels
            .into_iter()
            .map(|(a, b, t, kind, n)| (a, b, t, kind % (kinds + 1), n))
            .collect();
        let g = graph(nodes, &node_keys, &rels);
        let mut fast = Database::with_graph(g.clone());
        // Every side and join shared by two threads, even of a few nodes.
        let mut parallel = Database::with_graph(g.clone()).with_parallel_threshold(0);
        let mut plain = Database::with_graph(g).with_optimizations(false);
        for query in COUNTS {
            let want = count(&mut plain, query).0;
            prop_assert_eq!(count(&mut fast, query).0, want.clone(), "{}", query);
            prop_assert_eq!(count(&mut parallel, query).0, want, "{} (two threads)", query);
        }
    }
}

fn plan_ops(query: &str, optimize: bool) -> Vec<Op> {
    let statement = &datatrail::parser::parse(query).unwrap()[0];
    let plan = datatrail::plan::plan_with(statement, &Graph::new(), optimize).unwrap();
    plan.parts[0].ops.clone()
}

#[test]
fn the_plan_counts_the_chain_only_where_that_keeps_the_answer() {
    let counted = |q: &str| matches!(plan_ops(q, true).first(), Some(Op::ChainCount(_)));
    let q7 = "MATCH (a:Platform)-[r1:SOLD_DATA]->(b)-[r2:SHARED_DATA]->(c:Party) \
              WHERE r1.date < r2.date RETURN count(*)";
    assert!(counted(q7));
    assert!(!matches!(
        plan_ops(q7, false).first(),
        Some(Op::ChainCount(_))
    ));
    // The aggregate is replaced; what follows it stays.
    let with_alias = "MATCH (a)-[r1]->(b)<-[r2]-(c) WHERE r2.day >= r1.day RETURN count(*) AS n";
    assert!(counted(with_alias));
    for query in [
        // An undirected hop, a bound variable, an OPTIONAL MATCH, grouping, DISTINCT.
        "MATCH (a:A)-[r1:S]-(b)-[r2:T]->(c) RETURN count(*)",
        "MATCH (a:A) WITH a MATCH (a)-[r1:S]->(b)-[r2:T]->(c) RETURN count(*)",
        "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(a) RETURN count(*)",
        "OPTIONAL MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c) RETURN count(*)",
        "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c) RETURN a.i, count(*)",
        "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c) RETURN count(DISTINCT c)",
        "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c) RETURN count(c.x)",
        // Three hops, a variable-length hop.
        "MATCH (a)-[r1]->(b)-[r2]->(c)-[r3]->(d) RETURN count(*)",
        "MATCH (a)-[r1*1..2]->(b)-[r2]->(c) RETURN count(*)",
        // Two comparisons across the middle, or one that is not an order.
        "MATCH (a)-[r1]->(b)-[r2]->(c) WHERE r1.x < r2.x AND a.y > c.y RETURN count(*)",
        "MATCH (a)-[r1]->(b)-[r2]->(c) WHERE r1.x <> r2.x RETURN count(*)",
        "MATCH (a)-[r1]->(b)-[r2]->(c) WHERE r1.x + r2.x > 3 RETURN count(*)",
        // Conditions that can fail at run time: the plain plan meets them on fewer rows.
        "MATCH (a)-[r1]->(b)-[r2]->(c) WHERE r1.x + 1 < r2.x RETURN count(*)",
        "MATCH (a)-[r1]->(b)-[r2]->(c) WHERE r1.x < $p RETURN count(*)",
        "MATCH (a)-[r1]->(b)-[r2]->(c) WHERE size(r2.name) > 1 AND r1.x < r2.x RETURN count(*)",
    ] {
        assert!(!counted(query), "{query}");
    }
}

/// A hub with `n` relationships in from `A` nodes and `n` out to `B` nodes.
fn hub(n: i64) -> Graph {
    let mut graph = Graph::new();
    let hub = graph.add_node_named(&["H"], vec![]);
    let (s, t) = (graph.intern_type("S"), graph.intern_type("T"));
    for i in 0..n {
        let a = graph.add_node_named(&["A"], vec![("i", Value::Int(i))]);
        let c = graph.add_node_named(&["B"], vec![("i", Value::Int(i))]);
        let day = graph.props_from([("day", Value::Int(i))]);
        graph.add_rel(a, hub, s, day);
        let day = graph.props_from([("day", Value::Int(n - i))]);
        graph.add_rel(hub, c, t, day);
    }
    graph
}

#[test]
fn a_hub_is_counted_in_steps_proportional_to_its_relationships() {
    let query = "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.day < r2.day RETURN count(*)";
    let n = 300;
    let mut fast = Database::with_graph(hub(n));
    let mut plain = Database::with_graph(hub(n)).with_optimizations(false);
    let (fast_rows, fast_steps) = count(&mut fast, query);
    let (plain_rows, plain_steps) = count(&mut plain, query);
    // r1.day = i, r2.day = n - j: i < n - j for i + j < n, n(n + 1)/2 pairs.
    assert_eq!(fast_rows, vec![vec![Value::Int(n * (n + 1) / 2)]]);
    assert_eq!(fast_rows, plain_rows);
    assert!(
        fast_steps <= 4 * n as u64 + 2 && plain_steps > 50 * fast_steps,
        "fast {fast_steps} steps, plain {plain_steps}"
    );
}

fn run_hub(limits: &Limits, interrupted: bool) -> Result<(), ExecError> {
    let query = "MATCH (a:A)-[r1:S]->(b)-[r2:T]->(c:B) WHERE r1.day < r2.day RETURN count(*)";
    let mut graph = hub(3000);
    let statement = &datatrail::parser::parse(query).unwrap()[0];
    let plan = datatrail::plan::plan_with(statement, &graph, true).unwrap();
    assert!(matches!(plan.parts[0].ops[0], Op::ChainCount(_)));
    let params = BTreeMap::new();
    let flag = AtomicBool::new(interrupted);
    let ctx = Context::new(&params, &flag).with_limits(limits);
    exec::execute(&plan, &mut graph, &ctx).map(|_| ())
}

#[test]
fn interrupt_and_timeout_stop_a_chain_count() {
    assert_eq!(run_hub(&Limits::default(), false), Ok(()));
    assert_eq!(
        run_hub(&Limits::default(), true),
        Err(ExecError::Interrupted)
    );
    let limit = Duration::from_nanos(1);
    let limits = Limits {
        timeout: Some(limit),
        ..Limits::default()
    };
    assert_eq!(run_hub(&limits, false), Err(ExecError::Timeout { limit }));
}
