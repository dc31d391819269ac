//! How fast a statement stops once Ctrl-C sets the interrupt flag, in each kind of long
//! loop: variable-length expansion, ORDER BY, aggregation, DISTINCT, list building and
//! COPY writing; and how far past its timeout a statement runs.
//!
//! `cargo bench --bench interrupt` (about a minute, a few hundred MB). For each shape, a
//! first run without interruption times the statement and the same statement without the
//! operator under test; the flag is then set halfway through that operator's share, so
//! the latency is the operator's. Prints the median and worst of five runs.

use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use datatrail::{Database, Limits};

const N: u32 = 2_000_000;
const RUNS: usize = 5;

/// A statement, and the same without the operator under test (`None`: the statement
/// never ends, and the flag is set after 300 ms).
struct Shape {
    name: &'static str,
    statement: String,
    before: Option<String>,
}

fn shapes(copy_to: &str) -> Vec<Shape> {
    let rows = format!("UNWIND range(1, {N}) AS x");
    let shape = |name, statement: String, before: Option<String>| Shape {
        name,
        statement,
        before,
    };
    vec![
        shape(
            "variable-length expansion [*]",
            "MATCH p = (:N)-[*]->() WHERE length(p) > 1000 RETURN p".into(),
            None,
        ),
        shape(
            "ORDER BY (sort)",
            format!("{rows} RETURN x ORDER BY x % 1000, x DESC"),
            Some(format!("{rows} RETURN x")),
        ),
        shape(
            "aggregation (collect per group)",
            format!("{rows} RETURN x % 1000 AS g, collect(x) AS xs"),
            Some(format!("{rows} WITH x WHERE x < 0 RETURN x")),
        ),
        shape(
            "DISTINCT",
            format!("{rows} RETURN DISTINCT x AS d"),
            Some(format!("{rows} WITH x WHERE x < 0 RETURN x")),
        ),
        shape(
            "list comprehension",
            format!("RETURN size([x IN range(1, {N}) | x * 2]) AS n"),
            Some(format!("RETURN size(range(1, {N})) AS n")),
        ),
        shape(
            "COPY writing CSV",
            format!("COPY ({rows} RETURN x, toString(x) AS s) TO '{copy_to}'"),
            Some(format!("{rows} RETURN x, toString(x) AS s")),
        ),
    ]
}

fn dense_database() -> Database {
    let mut db = Database::new();
    db.execute("UNWIND range(1, 12) AS i CREATE (:N {i: i})")
        .unwrap();
    db.execute("MATCH (a:N), (b:N) CREATE (a)-[:R]->(b)")
        .unwrap();
    db
}

fn timed(db: &mut Database, statement: &str) -> Duration {
    let start = Instant::now();
    db.execute(statement).unwrap();
    start.elapsed()
}

/// Runs `statement` on a thread, sets the flag after `delay`, and returns how long the
/// statement took to return after that (`None` if it had finished before).
fn interrupt_after(db: Database, statement: &str, delay: Duration) -> (Option<Duration>, Database) {
    let flag = db.interrupt_flag();
    let (done, finished) = mpsc::channel();
    let text = statement.to_string();
    let worker = std::thread::spawn(move || {
        let mut db = db;
        let outcome = db.execute(&text);
        let _ = done.send(Instant::now());
        (outcome.is_err(), db)
    });
    std::thread::sleep(delay);
    let set_at = Instant::now();
    flag.store(true, Ordering::SeqCst);
    let returned_at = finished.recv().unwrap();
    let (failed, db) = worker.join().unwrap();
    let latency = failed.then(|| returned_at.saturating_duration_since(set_at));
    (latency, db)
}

fn report(name: &str, mut latencies: Vec<Duration>, note: &str) {
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<34} median {:>7.2} ms   worst {:>7.2} ms   {note}",
        ms(latencies[latencies.len() / 2]),
        ms(latencies[latencies.len() - 1])
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let copy_to = dir.path().join("out.csv").display().to_string();
    let mut db = dense_database();
    println!("latency from the interrupt flag to the statement's return ({RUNS} runs, N = {N})");
    for shape in shapes(&copy_to) {
        let delay = match &shape.before {
            None => Duration::from_millis(300),
            Some(before) => {
                let total = timed(&mut db, &shape.statement);
                let input = timed(&mut db, before);
                input + total.saturating_sub(input) / 2
            }
        };
        let mut latencies = Vec::new();
        let mut delay = delay;
        while latencies.len() < RUNS {
            let (latency, back) = interrupt_after(db, &shape.statement, delay);
            db = back;
            match latency {
                Some(latency) => latencies.push(latency),
                // Finished first (the machine was faster this time): set it earlier.
                None => delay = delay * 4 / 5,
            }
        }
        report(
            shape.name,
            latencies,
            &format!("flag set at {:.0} ms", delay.as_secs_f64() * 1000.0),
        );
    }
    let timeout = Duration::from_millis(200);
    db.set_limits(Limits {
        timeout: Some(timeout),
        ..Limits::default()
    });
    let overshoot = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let outcome = db.execute("MATCH p = (:N)-[*]->() WHERE length(p) > 1000 RETURN p");
            assert!(outcome.is_err());
            start.elapsed().saturating_sub(timeout)
        })
        .collect();
    report("--timeout 0.2 overshoot", overshoot, "[*] expansion");
}
