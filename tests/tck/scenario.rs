//! Running one scenario's steps on a fresh [`Database`] through the public API, and
//! checking each `Then` step: result tables, side effects (of the last `When executing
//! query` only; setup and control queries do not count) and expected errors.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use datatrail::{Database, Error, Params, ResultSet, Stats};

use crate::compare::{self, Mode};
use crate::gherkin::{Scenario, Step};
use crate::values::Expected;

/// Why a scenario failed. `kind` groups failures for the summary; `summary` is one line;
/// `detail` is shown with `DATATRAIL_TCK_VERBOSE=1`.
#[derive(Debug)]
pub struct Failure {
    pub kind: &'static str,
    pub summary: String,
    pub detail: String,
}

impl Failure {
    fn new(kind: &'static str, summary: impl Into<String>) -> Failure {
        Failure {
            kind,
            summary: summary.into(),
            detail: String::new(),
        }
    }

    fn with_detail(mut self, detail: impl Into<String>) -> Failure {
        self.detail = detail.into();
        self
    }
}

/// Lets the watchdog stop a scenario that runs too long: it sets `timed_out` and keeps
/// raising the interrupt flag of the scenario's current database.
#[derive(Default)]
pub struct Guard {
    pub timed_out: AtomicBool,
    interrupt: Mutex<Option<Arc<AtomicBool>>>,
}

impl Guard {
    /// Asks the running statement to stop (called by the watchdog).
    pub fn interrupt(&self) {
        self.timed_out.store(true, Ordering::Relaxed);
        if let Some(flag) = self
            .interrupt
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            flag.store(true, Ordering::Relaxed);
        }
    }

    fn watch(&self, db: &Database) {
        *self.interrupt.lock().unwrap_or_else(|e| e.into_inner()) = Some(db.interrupt_flag());
    }
}

/// Where named graphs live (`graphs/<name>/<name>.cypher`), and the watchdog's guard.
pub struct Env<'a> {
    pub graphs: &'a Path,
    pub guard: &'a Guard,
}

/// The outcome of the last `When` step.
struct Executed {
    query: String,
    result: Result<Vec<ResultSet>, Error>,
}

struct State<'a> {
    env: &'a Env<'a>,
    db: Database,
    params: Params,
    last: Option<Executed>,
    /// Side effects of the last `When executing query`.
    effects: Option<Stats>,
}

/// Runs every step of `scenario`; `Ok` when all `Then` steps hold.
///
/// # Errors
/// The first step that fails, or a step this runner does not support.
pub fn run(scenario: &Scenario, env: &Env) -> Result<(), Failure> {
    let mut state = State {
        env,
        db: Database::new(),
        params: Params::new(),
        last: None,
        effects: None,
    };
    env.guard.watch(&state.db);
    for step in &scenario.steps {
        if env.guard.timed_out.load(Ordering::Relaxed) {
            return Err(Failure::new("timeout", "stopped by the watchdog"));
        }
        state.step(step)?;
    }
    Ok(())
}

impl State<'_> {
    fn step(&mut self, step: &Step) -> Result<(), Failure> {
        let text = step.text.as_str();
        match text {
            "an empty graph" | "any graph" => self.fresh(),
            "having executed:" => return self.setup(step.docstring()),
            "parameters are:" => return self.parameters(step.table()),
            "executing query:" => self.execute(step.docstring(), true),
            "executing control query:" => self.execute(step.docstring(), false),
            "the result should be empty" => return self.check_empty(),
            "the side effects should be:" => return self.check_effects(step.table()),
            "no side effects" => return self.check_effects(&[]),
            _ => return self.other_step(step),
        }
        Ok(())
    }

    fn other_step(&mut self, step: &Step) -> Result<(), Failure> {
        let text = step.text.as_str();
        if let Some(rest) = text.strip_prefix("the result should be") {
            let mode = Mode {
                in_order: rest.contains("in order"),
                unordered_lists: rest.contains("ignoring element order for lists"),
            };
            return self.check_table(step.table(), mode);
        }
        if let Some(name) = text
            .strip_prefix("the ")
            .and_then(|t| t.strip_suffix(" graph"))
        {
            self.fresh();
            let path = self.env.graphs.join(name).join(format!("{name}.cypher"));
            let script = std::fs::read_to_string(&path)
                .map_err(|e| Failure::new("runner", format!("{}: {e}", path.display())))?;
            return self.setup(&script);
        }
        if let Some(rest) = text.strip_prefix("a ")
            && let Some((class, rest)) = rest.split_once(" should be raised at ")
        {
            return self.check_error(class, rest);
        }
        if text.starts_with("there exists a procedure") {
            return Err(Failure::new(
                "unsupported: procedures",
                "the public API cannot declare test procedures",
            ));
        }
        Err(Failure::new("unsupported step", text))
    }

    fn fresh(&mut self) {
        self.db = Database::new();
        self.env.guard.watch(&self.db);
    }

    fn setup(&mut self, query: &str) -> Result<(), Failure> {
        match self.db.execute_with_params(query, &self.params) {
            Ok(_) => Ok(()),
            Err(e) => {
                let (class, compile) = e.tck_class();
                Err(Failure::new(
                    "setup query failed",
                    format!("{class} ({}): {}", phase(compile), one_line(&e.to_string())),
                )
                .with_detail(format!(
                    "setup query:\n{}\nerror:\n{}",
                    indent(query),
                    e.render(query, "setup")
                )))
            }
        }
    }

    fn parameters(&mut self, table: &[Vec<String>]) -> Result<(), Failure> {
        for row in table {
            let [name, value] = row.as_slice() else {
                return Err(Failure::new("runner", format!("parameter row {row:?}")));
            };
            let value = Expected::parse(value)
                .and_then(|e| e.to_value())
                .map_err(|e| Failure::new("runner", format!("parameter {name}: {e}")))?;
            self.params.insert(name.clone(), value);
        }
        Ok(())
    }

    fn execute(&mut self, query: &str, counts_effects: bool) {
        let result = self.db.execute_with_params(query, &self.params);
        if counts_effects {
            self.effects = result.as_ref().ok().map(|rs| sum_stats(rs));
        }
        self.last = Some(Executed {
            query: query.to_string(),
            result,
        });
    }

    /// The last statement's result set, or a failure when the query raised an error.
    fn last_result(&self) -> Result<(&str, Option<&ResultSet>), Failure> {
        let Some(last) = &self.last else {
            return Err(Failure::new("runner", "a Then step before any query"));
        };
        match &last.result {
            Ok(results) => Ok((&last.query, results.last())),
            Err(e) => {
                if self.env.guard.timed_out.load(Ordering::Relaxed) {
                    return Err(Failure::new("timeout", "stopped by the watchdog"));
                }
                let (class, compile) = e.tck_class();
                Err(Failure::new(
                    "unexpected error",
                    format!("{class} ({}): {}", phase(compile), one_line(&e.to_string())),
                )
                .with_detail(format!(
                    "query:\n{}\nerror:\n{}",
                    indent(&last.query),
                    e.render(&last.query, "query")
                )))
            }
        }
    }

    fn check_empty(&self) -> Result<(), Failure> {
        let (query, rs) = self.last_result()?;
        match rs {
            Some(rs) if !rs.rows.is_empty() => {
                let first: Vec<String> =
                    rs.rows[0].iter().map(|v| compare::literal(rs, v)).collect();
                Err(Failure::new(
                    "result mismatch",
                    format!(
                        "{} rows, expected none; first: {}",
                        rs.rows.len(),
                        first.join(" | ")
                    ),
                )
                .with_detail(format!("query:\n{}\nexpected no rows", indent(query))))
            }
            _ => Ok(()),
        }
    }

    fn check_table(&self, table: &[Vec<String>], mode: Mode) -> Result<(), Failure> {
        let (query, rs) = self.last_result()?;
        let empty = ResultSet::default();
        compare::check_table(rs.unwrap_or(&empty), table, mode).map_err(|m| {
            let kind = if m.summary.starts_with("runner") {
                "runner"
            } else if m.summary.starts_with("columns") {
                "wrong columns"
            } else {
                "result mismatch"
            };
            Failure::new(kind, m.summary).with_detail(format!(
                "query:\n{}\n{}",
                indent(query),
                m.detail
            ))
        })
    }

    fn check_effects(&self, table: &[Vec<String>]) -> Result<(), Failure> {
        let Some(got) = self.effects else {
            return self.last_result().and_then(|_| {
                Err(Failure::new(
                    "runner",
                    "side effects checked before any query",
                ))
            });
        };
        let mut expected = Stats::default();
        for row in table {
            let [name, count] = row.as_slice() else {
                return Err(Failure::new("runner", format!("side-effect row {row:?}")));
            };
            let count: usize = count
                .parse()
                .map_err(|_| Failure::new("runner", format!("side-effect count {count:?}")))?;
            let slot = match name.as_str() {
                "+nodes" => &mut expected.nodes_created,
                "-nodes" => &mut expected.nodes_deleted,
                "+relationships" => &mut expected.rels_created,
                "-relationships" => &mut expected.rels_deleted,
                "+properties" => &mut expected.props_set,
                "-properties" => &mut expected.props_removed,
                "+labels" => &mut expected.labels_added,
                "-labels" => &mut expected.labels_removed,
                other => return Err(Failure::new("runner", format!("side effect {other}"))),
            };
            *slot = count;
        }
        if got == expected {
            return Ok(());
        }
        let query = self.last.as_ref().map_or("", |l| l.query.as_str());
        Err(Failure::new(
            "side effects",
            format!(
                "got {}; expected {}",
                show_stats(&got),
                show_stats(&expected)
            ),
        )
        .with_detail(format!("query:\n{}", indent(query))))
    }

    /// `class` is e.g. `SyntaxError`; `rest` is `compile time: UndefinedVariable`.
    fn check_error(&self, class: &str, rest: &str) -> Result<(), Failure> {
        let (when, detail) = rest.split_once(':').unwrap_or((rest, ""));
        let detail = detail.trim();
        let want_compile = match when.trim() {
            "compile time" => Some(true),
            "runtime" => Some(false),
            _ => None,
        };
        let Some(last) = &self.last else {
            return Err(Failure::new("runner", "an error step before any query"));
        };
        let expected = format!("{class} at {} ({detail})", when.trim());
        let query = indent(&last.query);
        let e = match &last.result {
            Ok(results) => {
                let rows = results.last().map_or(0, |r| r.rows.len());
                return Err(Failure::new(
                    "no error raised",
                    format!("expected {expected}; got {rows} rows"),
                )
                .with_detail(format!("query:\n{query}")));
            }
            Err(e) => e,
        };
        let (got_class, got_compile) = e.tck_class();
        let class_ok = got_class == class;
        let phase_ok = want_compile.is_none_or(|w| w == got_compile);
        if class_ok && phase_ok {
            return Ok(());
        }
        let kind = if class_ok {
            "wrong error phase"
        } else {
            "wrong error class"
        };
        Err(Failure::new(
            kind,
            format!(
                "expected {expected}; got {got_class} at {}: {}",
                phase(got_compile),
                one_line(&e.to_string())
            ),
        )
        .with_detail(format!(
            "query:\n{query}\nerror:\n{}",
            e.render(&last.query, "query")
        )))
    }
}

fn sum_stats(results: &[ResultSet]) -> Stats {
    let mut total = Stats::default();
    for s in results.iter().map(|r| &r.stats) {
        total.nodes_created += s.nodes_created;
        total.nodes_deleted += s.nodes_deleted;
        total.rels_created += s.rels_created;
        total.rels_deleted += s.rels_deleted;
        total.props_set += s.props_set;
        total.props_removed += s.props_removed;
        total.labels_added += s.labels_added;
        total.labels_removed += s.labels_removed;
    }
    total
}

fn show_stats(s: &Stats) -> String {
    let parts = [
        ("+nodes", s.nodes_created),
        ("-nodes", s.nodes_deleted),
        ("+relationships", s.rels_created),
        ("-relationships", s.rels_deleted),
        ("+properties", s.props_set),
        ("-properties", s.props_removed),
        ("+labels", s.labels_added),
        ("-labels", s.labels_removed),
    ];
    let shown: Vec<String> = parts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    if shown.is_empty() {
        "none".to_string()
    } else {
        shown.join(", ")
    }
}

fn phase(compile: bool) -> &'static str {
    if compile { "compile time" } else { "runtime" }
}

fn one_line(s: &str) -> String {
    compare::truncate(s.split_whitespace().collect::<Vec<_>>().join(" "), 200)
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
