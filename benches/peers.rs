//! The datatrail side of the peer benchmark (`../shared/bench/`): load one generated
//! dataset, then run the canonical Q1–Q8 of `queries.cypher` in this one process, and print
//! one JSON line per step in the peers' format (`peers/_benchlib.py`):
//!
//! ```text
//! {"peer":"datatrail","scale":"medium","step":"Q3","median_s":0.0123,"runs":[...],"result":11076,...}
//! ```
//!
//! Timing follows `_benchlib.Reporter.measure`: 1 warm-up and 5 timed runs, median; a
//! warm-up slower than `--slow` seconds gets a single timed run. A run is wall time of
//! `Database::execute` (parse, plan, execute, rows built), like the peers' "fetch all rows".
//! The result is normalised as `_benchlib.summarize` does (scalar for 1×1, rows up to 20,
//! else row count + order-independent CRC-32 checksum of each row's JSON), so
//! `summarize.py` cross-checks it against the peers.
//!
//! A watchdog thread sets `Database::interrupt_flag()` when a run passes `--timeout`
//! seconds or the process's resident memory passes `--max-rss-mb`; the step is then
//! reported with `"status": "timeout"` (or `"memory"`) instead of a time.
//!
//! Run through `bench/run.sh`, or directly:
//! `cargo bench --bench peers -- --data /tmp/bench-data/small-datatrail --scale small`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use datatrail::{Database, Value};
use serde_json::{Value as Json, json};

/// Options from the command line (`cargo bench` adds a `--bench` of its own).
struct Options {
    data: Option<std::path::PathBuf>,
    scale: String,
    queries: std::path::PathBuf,
    only: Vec<String>,
    timeout_s: f64,
    slow_s: f64,
    max_rss_mb: f64,
    runs: usize,
}

fn options() -> Options {
    let mut o = Options {
        data: None,
        scale: "small".into(),
        queries: concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/bench/queries.cypher"
        )
        .into(),
        only: Vec::new(),
        timeout_s: 60.0,
        slow_s: 10.0,
        max_rss_mb: 4_000.0,
        runs: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--bench" => {}
            "--data" => o.data = Some(value().into()),
            "--scale" => o.scale = value(),
            "--queries" => o.queries = value().into(),
            "--only" => o.only = value().split(',').map(|s| s.trim().to_string()).collect(),
            "--timeout" => o.timeout_s = number(&value()),
            "--slow" => o.slow_s = number(&value()),
            "--max-rss-mb" => o.max_rss_mb = number(&value()),
            "--runs" => o.runs = number(&value()) as usize,
            other => usage(&format!("unknown argument {other}")),
        }
    }
    o
}

fn number(text: &str) -> f64 {
    text.parse()
        .unwrap_or_else(|_| usage(&format!("not a number: {text}")))
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "peers: {problem}\nusage: peers --data DIR --scale NAME [--queries FILE] [--only Q1,Q2] \
         [--timeout S] [--slow S] [--max-rss-mb MB] [--runs N]"
    );
    std::process::exit(2)
}

/// The canonical queries of `queries.cypher`, in file order, as `_benchlib.load_queries`
/// reads them: blank-line separated blocks headed `// Qn: description`; blocks headed
/// `// Qn[engine]: ...` are other engines' dialect overrides and are skipped.
fn canonical_queries(text: &str) -> Vec<(String, String)> {
    let header = regex::Regex::new(r"^//\s*(Q\d+)(\[[\w-]+\])?:").expect("valid regex");
    let blocks = regex::Regex::new(r"\n\s*\n").expect("valid regex");
    let mut out = Vec::new();
    for block in blocks.split(text) {
        let mut lines = block.trim().lines();
        let Some(caps) = lines.next().and_then(|first| header.captures(first)) else {
            continue;
        };
        if caps.get(2).is_some() {
            continue;
        }
        let body: Vec<&str> = lines.filter(|l| !l.trim().starts_with("//")).collect();
        out.push((caps[1].to_string(), body.join("\n").trim().to_string()));
    }
    out
}

/// Peak and current resident set size of this process in MiB (`VmHWM`, `VmRSS`).
fn rss_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<f64>()
                .ok()
        })
        .map_or(0.0, |kb| (kb / 1024.0 * 10.0).round() / 10.0)
}

/// Resets this process's peak RSS (`VmHWM`) to its current size, so the next reading
/// is one query's peak (Linux `clear_refs` value 5); false where that is not allowed.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The machine's 1-minute load average: the machine is shared, so a busy one is recorded.
fn loadavg() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Why the watchdog stopped a run.
const STOPPED_NONE: u8 = 0;
const STOPPED_TIME: u8 = 1;
const STOPPED_MEMORY: u8 = 2;

/// What the watchdog is told: watch a run, or stop watching it.
enum Command {
    Start { timeout: Duration, max_rss_mb: f64 },
    Stop,
}

/// Interrupts a run after its timeout or above its resident-memory limit, by setting the
/// interrupt flag every 20 ms (`execute` clears it when a statement starts). One thread
/// serves every run: a thread started per run (its stack mapped, then unmapped) disturbs
/// runs of a few microseconds on the other core.
struct Watchdog {
    commands: Option<Sender<Command>>,
    reasons: Receiver<u8>,
    thread: Option<JoinHandle<()>>,
}

impl Watchdog {
    fn new(flag: Arc<AtomicBool>) -> Watchdog {
        let (commands, inbox) = std::sync::mpsc::channel::<Command>();
        let (report, reasons) = std::sync::mpsc::channel::<u8>();
        let thread = std::thread::spawn(move || {
            while let Ok(Command::Start {
                timeout,
                max_rss_mb,
            }) = inbox.recv()
            {
                let start = Instant::now();
                let mut why = STOPPED_NONE;
                loop {
                    match inbox.recv_timeout(Duration::from_millis(20)) {
                        Ok(Command::Stop) => break,
                        Ok(Command::Start { .. }) => unreachable!("a run is being watched"),
                        Err(RecvTimeoutError::Disconnected) => return,
                        Err(RecvTimeoutError::Timeout) => {}
                    }
                    if why == STOPPED_NONE {
                        if start.elapsed() > timeout {
                            why = STOPPED_TIME;
                        } else if rss_mb("VmRSS:") > max_rss_mb {
                            why = STOPPED_MEMORY;
                        }
                    }
                    if why != STOPPED_NONE {
                        flag.store(true, Ordering::Relaxed);
                    }
                }
                if report.send(why).is_err() {
                    return;
                }
            }
        });
        Watchdog {
            commands: Some(commands),
            reasons,
            thread: Some(thread),
        }
    }

    /// Runs `run` under watch; returns its output and why the watchdog stopped it.
    fn guard<T>(&self, timeout: Duration, max_rss_mb: f64, run: impl FnOnce() -> T) -> (T, u8) {
        let commands = self.commands.as_ref().expect("watchdog running");
        commands
            .send(Command::Start {
                timeout,
                max_rss_mb,
            })
            .expect("watchdog thread");
        let out = run();
        commands.send(Command::Stop).expect("watchdog thread");
        (out, self.reasons.recv().expect("watchdog thread"))
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        // Hanging up ends the thread's loop.
        self.commands = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One value as `_benchlib.norm_val` leaves it: integral floats become integers, dates
/// ISO strings; anything a benchmark query should not return is shown as text.
fn norm_val(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 2f64.powi(53) => json!(*f as i64),
        Value::Float(f) => json!(f),
        Value::String(s) => json!(s.as_ref()),
        Value::Date(d) => json!(d.to_string()),
        Value::List(items) => Json::Array(items.iter().map(norm_val).collect()),
        other => json!(format!("{other:?}")),
    }
}

/// JSON text as Python's `json.dumps(row, separators=(",", ":"))` writes it (ASCII only,
/// `\uXXXX` escapes, Python float repr), so checksums match the peers'.
fn py_json(v: &Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => out.push_str(&i.to_string()),
            (None, Some(f)) => out.push_str(&py_float(f)),
            _ => out.push_str(&n.to_string()),
        },
        Json::String(s) => py_string(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                py_json(item, out);
            }
            out.push(']');
        }
        Json::Object(map) => {
            out.push('{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                py_string(k, out);
                out.push(':');
                py_json(item, out);
            }
            out.push('}');
        }
    }
}

fn py_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Python's `repr(float)`: shortest round trip, exponent form below 1e-4 or from 1e16.
fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let a = f.abs();
    if a != 0.0 && !(1e-4..1e16).contains(&a) {
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').expect("exponent form");
        let exp: i32 = exp.parse().expect("exponent");
        return format!(
            "{mantissa}e{}{:02}",
            if exp < 0 { '-' } else { '+' },
            exp.abs()
        );
    }
    let s = format!("{f:?}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

/// CRC-32 (IEEE, as `zlib.crc32`).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `_benchlib.summarize`: scalar for 1×1, full rows when ≤ 20 rows, else count + checksum.
fn summarize(rows: &[Vec<Value>]) -> Json {
    let rows: Vec<Json> = rows
        .iter()
        .map(|r| Json::Array(r.iter().map(norm_val).collect()))
        .collect();
    if rows.len() == 1 && rows[0].as_array().is_some_and(|r| r.len() == 1) {
        return rows[0][0].clone();
    }
    if rows.len() <= 20 {
        return Json::Array(rows);
    }
    let mut sum = 0u32;
    let mut text = String::new();
    for r in &rows {
        text.clear();
        py_json(r, &mut text);
        sum = sum.wrapping_add(crc32(text.as_bytes()));
    }
    json!({"rows": rows.len(), "checksum": sum})
}

fn median(runs: &[f64]) -> f64 {
    let mut v = runs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn round6(s: f64) -> f64 {
    (s * 1e6).round() / 1e6
}

/// Prints one JSON line, keys in the peers' order (`peer`, `scale`, `step`, `median_s`,
/// `runs`, `result`, `version`, then the step's extras).
fn emit(o: &Options, step: &str, mut record: serde_json::Map<String, Json>) {
    record.insert("peer".into(), json!("datatrail"));
    record.insert("scale".into(), json!(o.scale));
    record.insert("step".into(), json!(step));
    record.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    let first = [
        "peer", "scale", "step", "median_s", "runs", "result", "version",
    ];
    let mut fields: Vec<String> = Vec::new();
    for key in first {
        if let Some(value) = record.remove(key) {
            fields.push(format!("{}: {value}", Json::from(key)));
        }
    }
    for (key, value) in record {
        fields.push(format!("{}: {value}", Json::from(key)));
    }
    println!("{{{}}}", fields.join(", "));
}

fn record(pairs: Json) -> serde_json::Map<String, Json> {
    match pairs {
        Json::Object(map) => map,
        _ => unreachable!("record: not an object"),
    }
}

/// A failed step in the peers' shape: no time, no result, a status and the reason.
fn failed(status: &str, error: String) -> serde_json::Map<String, Json> {
    record(
        json!({"median_s": null, "runs": [], "result": null, "status": status,
                  "error": error, "variant": "canonical"}),
    )
}

/// Runs `RETURN 1` until one run takes under a millisecond (at most 100 runs), and
/// returns the time spent and the number of runs. Right after a large load the first
/// statements are slow whatever they do: glibc's `malloc_consolidate` walks the millions of
/// small blocks the loader freed (0.3-0.4 s at large scale, spread over the first ~8
/// statements). That is charged here, outside the load time and outside Q1, and reported
/// in the load line as `settle_s`.
fn settle(db: &mut Database) -> (f64, usize) {
    let start = Instant::now();
    for run in 1..=100 {
        let t = Instant::now();
        let _ = db.execute("RETURN 1");
        if t.elapsed() < Duration::from_millis(1) {
            return (start.elapsed().as_secs_f64(), run);
        }
    }
    (start.elapsed().as_secs_f64(), 100)
}

/// One query: warm-up, then timed runs, each guarded by the watchdog.
fn measure(o: &Options, db: &mut Database, text: &str) -> serde_json::Map<String, Json> {
    let watchdog = Watchdog::new(db.interrupt_flag());
    let timeout = Duration::from_secs_f64(o.timeout_s);
    let timed = |db: &mut Database| {
        // Timed inside the guard: telling the watchdog is not the query's time.
        let ((out, secs), why) = watchdog.guard(timeout, o.max_rss_mb, || {
            let start = Instant::now();
            let out = db.execute(text);
            (out, start.elapsed().as_secs_f64())
        });
        // Both limits are reported as `timeout` (what summarize.py shows for "did not
        // finish"); `reason` and `error` say which.
        let stopped = |reason: &str, error: String| {
            let mut rec = failed("timeout", error);
            rec.insert("reason".into(), json!(reason));
            rec.insert("stopped_after_s".into(), json!(round6(secs)));
            rec
        };
        match ((out, secs), why) {
            (_, STOPPED_TIME) => Err(stopped(
                "time",
                format!(
                    "interrupted by the watchdog after {secs:.1} s (limit {:.0} s)",
                    o.timeout_s
                ),
            )),
            (_, STOPPED_MEMORY) => Err(stopped(
                "memory",
                format!(
                    "interrupted by the watchdog after {secs:.1} s: resident memory above {:.0} MiB",
                    o.max_rss_mb
                ),
            )),
            ((Err(e), _), _) => Err(failed("error", e.to_string())),
            ((Ok(results), secs), _) => Ok((results, secs)),
        }
    };
    let (_, warm) = match timed(db) {
        Ok(ok) => ok,
        Err(rec) => return rec,
    };
    let n = if warm > o.slow_s { 1 } else { o.runs };
    let mut runs = Vec::with_capacity(n);
    let mut last = Vec::new();
    for _ in 0..n {
        match timed(db) {
            Ok((results, secs)) => {
                runs.push(secs);
                last = results;
            }
            Err(rec) => return rec,
        }
    }
    let rows = last.last().map(|r| r.rows.as_slice()).unwrap_or(&[]);
    let steps = last.last().map_or(0, |r| r.steps);
    record(json!({
        "median_s": round6(median(&runs)),
        "runs": runs.iter().map(|&r| round6(r)).collect::<Vec<_>>(),
        "result": summarize(rows),
        "warmup_s": round6(warm),
        "variant": "canonical",
        "rows": rows.len(),
        "steps": steps,
        "loadavg_1m": loadavg(),
    }))
}

fn main() {
    self_check();
    let o = options();
    // A bare `cargo bench` runs every bench target: without data, this one steps aside.
    let Some(data) = o.data.clone() else {
        eprintln!("peers: no --data DIR given, nothing to run (see bench/README.md)");
        return;
    };
    let queries = std::fs::read_to_string(&o.queries)
        .unwrap_or_else(|e| usage(&format!("{}: {e}", o.queries.display())));
    let queries = canonical_queries(&queries);
    if queries.is_empty() {
        usage(&format!("no queries in {}", o.queries.display()));
    }
    let start = Instant::now();
    let graph = match datatrail::load::load_dir(&data) {
        Ok(graph) => graph,
        Err(e) => {
            emit(&o, "load", failed("error", e.to_string()));
            std::process::exit(3);
        }
    };
    let mut db = Database::with_graph(graph);
    let secs = start.elapsed().as_secs_f64();
    let (settle_s, settle_runs) = settle(&mut db);
    let (nodes, edges) = (db.graph().node_count(), db.graph().rel_count());
    emit(
        &o,
        "load",
        record(json!({"median_s": round6(secs), "runs": [round6(secs)],
                      "result": {"nodes": nodes, "edges": edges},
                      "peak_rss_mb": rss_mb("VmHWM:"), "rss_mb": rss_mb("VmRSS:"),
                      "loadavg_1m": loadavg(), "threads": 2,
                      "settle_s": round6(settle_s), "settle_runs": settle_runs})),
    );
    for (id, text) in &queries {
        if o.only.is_empty() || o.only.contains(id) {
            eprintln!("peers: {id} ...");
            let reset = reset_peak_rss();
            let mut rec = measure(&o, &mut db, text);
            if reset {
                rec.insert("peak_rss_mb".into(), json!(rss_mb("VmHWM:")));
            }
            emit(&o, id, rec);
        }
    }
    emit(
        &o,
        "end",
        record(json!({"median_s": null, "runs": [], "result": null,
                      "rss_mb": rss_mb("VmRSS:")})),
    );
}

/// The checksum must equal Python's, or the cross-check fails for the wrong reason:
/// checked at every start (microseconds), since `harness = false` runs no `#[test]`.
fn self_check() {
    assert_eq!(
        crc32(b"123456789"),
        0xCBF4_3926,
        "crc32 differs from zlib's"
    );
    let mut s = String::new();
    py_json(&json!(["Caf\u{e9}", 1, 2.5, null, "a\"b"]), &mut s);
    assert_eq!(
        s, r#"["Caf\u00e9",1,2.5,null,"a\"b"]"#,
        "JSON differs from Python's"
    );
    assert_eq!(py_float(1e16), "1e+16");
    assert_eq!(py_float(1.5e-7), "1.5e-07");
    assert_eq!(py_float(0.5), "0.5");
}
