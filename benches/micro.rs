//! Criterion micro-benchmarks: the parser, the CSV loader and variable-length expansion.
//!
//! `cargo bench --bench micro` (a couple of minutes; `-- parse` etc. picks one group).
//! The data is the peer benchmark's small graph (10k nodes, 50k edges, seed 42), made by
//! `../shared/bench/gen_graph.py --datatrail` in a temp dir; without Python or the shared
//! folder, a built-in generator writes a graph of the same size, headers and anchors.

use std::path::Path;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use datatrail::Database;

/// Typical queries: the benchmark's Q2, Q5, Q7 and Q8, and a case-graph query.
const QUERIES: [(&str, &str); 5] = [
    (
        "one_hop",
        "MATCH (a:Company {name: 'Company_0'})-[r:SHARED_DATA|SOLD_DATA]->(b)\n\
         RETURN b.name, r.records",
    ),
    (
        "shortest_path",
        "MATCH p = shortestPath((a:Person {name: 'Person_3'})-[*]->(b:Party {name: 'Party_4'}))\n\
         RETURN length(p)",
    ),
    (
        "two_hop_filter",
        "MATCH (a:Platform)-[r1:SOLD_DATA]->(b)-[r2:SHARED_DATA]->(c:Party)\n\
         WHERE r1.date < r2.date\nRETURN count(*)",
    ),
    (
        "top_k",
        "MATCH (a)-[r:SHARED_DATA|SOLD_DATA]->()\n\
         RETURN a.name AS name, count(r) AS deg\nORDER BY deg DESC, name ASC\nLIMIT 10",
    ),
    (
        "case_graph",
        "MATCH (r:Regulator)-[f:FINED]->(c)\n\
         WHERE f.amount >= 500000 AND f.currency = 'GBP' AND f.start_date >= date('2018-01-01')\n\
         RETURN r.name AS regulator, c.name AS fined, f.amount AS amount\nORDER BY amount DESC",
    ),
];

const NODES: usize = 10_000;
const EDGES: usize = 50_000;

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}

/// Writes the small benchmark graph into `dir`.
fn generate(dir: &Path) {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/bench/gen_graph.py");
    let made = Path::new(script).is_file()
        && std::process::Command::new("python3")
            .arg(script)
            .args(["--nodes", &NODES.to_string(), "--edges", &EDGES.to_string()])
            .args(["--seed", "42", "--datatrail", "--out"])
            .arg(dir)
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !made {
        generate_builtin(dir);
    }
}

/// A stand-in for gen_graph.py: same headers, labels, types and anchor names; skewed
/// endpoints from a xorshift generator (not the same graph, so not for cross-checks).
fn generate_builtin(dir: &Path) {
    use std::fmt::Write as _;
    const LABELS: [&str; 6] = [
        "Person",
        "Company",
        "Platform",
        "Party",
        "Campaign",
        "Regulator",
    ];
    const ANCHORS: [usize; 6] = [1, 2, 1, 0, 3, 1];
    const TYPES: [&str; 6] = [
        "SHARED_DATA",
        "SOLD_DATA",
        "EMPLOYS",
        "WORKS_FOR",
        "OWNS",
        "FUNDED",
    ];
    let mut state = 42u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut nodes = String::from("id:ID,:LABEL,name,country,founded:int\n");
    for i in 0..NODES {
        let label = LABELS[ANCHORS.get(i).copied().unwrap_or((next() % 6) as usize)];
        let _ = writeln!(nodes, "{i},{label},{label}_{i},US,{}", 1900 + next() % 124);
    }
    let mut edges = String::from(":START_ID,:END_ID,:TYPE,records:long,date:date\n");
    for _ in 0..EDGES {
        // Squaring a uniform draw skews both ends towards low ids, the hubs.
        let skewed = |r: u64| ((r % 10_000) * (r % 10_000) / 10_000) as usize * NODES / 10_000;
        let (src, dst) = (skewed(next()), skewed(next()));
        let dst = if dst == src { (dst + 1) % NODES } else { dst };
        let ty = TYPES[(next() % 6) as usize];
        let (records, month) = (next() % 5000 + 1, next() % 12 + 1);
        let _ = writeln!(edges, "{src},{dst},{ty},{records},2020-{month:02}-01");
    }
    std::fs::write(dir.join("nodes.csv"), nodes).expect("write nodes.csv");
    std::fs::write(dir.join("edges.csv"), edges).expect("write edges.csv");
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, text) in QUERIES {
        group.bench_with_input(BenchmarkId::from_parameter(name), text, |b, text| {
            b.iter(|| datatrail::parser::parse(text).expect("parses"))
        });
    }
    group.finish();
}

fn load(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    generate(dir.path());
    let bytes: u64 = ["nodes.csv", "edges.csv"]
        .iter()
        .map(|f| std::fs::metadata(dir.path().join(f)).map_or(0, |m| m.len()))
        .sum();
    let mut group = c.benchmark_group("load");
    group.throughput(criterion::Throughput::Bytes(bytes));
    group.bench_function("small_10k_nodes_50k_edges", |b| {
        b.iter(|| datatrail::load::load_dir(dir.path()).expect("loads"))
    });
    group.finish();
}

/// Variable-length expansion from Company_2 over the data edges: `*1..k` for k = 1..3
/// (Q3 of the peer benchmark at k = 3), and Q5's shortest path.
///
/// Q4's unbounded `*` is left out: the engine enumerates trails, and their number grows
/// about 60-fold per hop on this graph (21, 3,480, 23,504, 1,477,001 trails for k = 1..4),
/// so it never finishes (see bench/README.md). Add it back once `*` runs as a search.
fn expand(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    generate(dir.path());
    let mut db = Database::with_graph(datatrail::load::load_dir(dir.path()).expect("loads"));
    let mut group = c.benchmark_group("expand");
    let reach = |range: &str| {
        format!(
            "MATCH (a:Company {{name: 'Company_2'}})-[:SHARED_DATA|SOLD_DATA{range}]->(b)\n\
             RETURN count(DISTINCT b)"
        )
    };
    for (name, range) in [("1..1", "*1..1"), ("1..2", "*1..2"), ("1..3", "*1..3")] {
        let query = reach(range);
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| db.execute(&query).expect("runs"))
        });
    }
    let shortest = QUERIES[1].1;
    group.bench_function("shortest_path", |b| {
        b.iter(|| db.execute(shortest).expect("runs"))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = config();
    targets = parse, load, expand
}
criterion_main!(benches);
