//! datatrail: a graph database for tracing how personal data moves between
//! organisations, queried in a subset of openCypher.
//!
//! The pipeline: text → [`parser::parse`] → [`ast`] → [`plan::plan`] → logical plan →
//! [`exec::execute`] over the [`graph::Graph`] → [`ResultSet`] → table, CSV or JSON.
//!
//! ```
//! let mut db = datatrail::Database::new();
//! db.execute("CREATE (:Company {name: 'Experian'})").unwrap();
//! let results = db.execute("MATCH (c:Company) RETURN c.name AS name").unwrap();
//! assert_eq!(results[0].rows[0][0], datatrail::Value::str("Experian"));
//! ```
#![forbid(unsafe_code)]

// The library's face: a database, its values, loading and exporting, errors and limits.
pub mod error;
pub mod export;
pub mod graph;
pub mod limits;
pub mod load;
pub mod result;
pub mod span;
pub mod temporal;
pub mod transaction;

// The stages and the application layer, public for the binary, the integration tests, the
// benchmarks and the fuzz targets; not an API to build on.
#[doc(hidden)]
pub mod app;
#[doc(hidden)]
pub mod ast;
#[doc(hidden)]
pub mod ast_print;
#[doc(hidden)]
pub mod atomic;
#[doc(hidden)]
pub mod casework;
#[doc(hidden)]
pub mod catalogue;
#[doc(hidden)]
pub mod exec;
#[doc(hidden)]
pub mod journal;
#[doc(hidden)]
pub mod lock;
#[doc(hidden)]
pub mod parser;
#[doc(hidden)]
pub mod picture;
#[doc(hidden)]
pub mod plan;
#[doc(hidden)]
pub mod server;

/// `:sources` and the batch runner find cited documents here.
#[doc(hidden)]
pub use casework::citations;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use export::ExportError;

pub use error::{Error, Span, TxError};
pub use graph::{Graph, Value};
pub use limits::Limits;
pub use result::{ResultSet, Stats};
pub use transaction::{Committed, Session, SharedDatabase, Transaction};

pub use exec::Params;

/// A dataset folder as opened: its graph with the journal replayed.
pub struct Opened {
    /// The CSV files' graph with the journal replayed.
    pub graph: Graph,
    /// The journal, to attach to the database that takes the graph.
    pub journal: journal::Journal,
    /// Entries replayed.
    pub replayed: usize,
    /// Warnings to show (a torn last entry).
    pub warnings: Vec<String>,
}

/// A graph and the session state around it: parameters and the interrupt flag.
#[derive(Default)]
pub struct Database {
    graph: Graph,
    params: Params,
    interrupt: Arc<AtomicBool>,
    /// The timeout, row limit and memory budget of every statement.
    limits: Limits,
    /// Whether the planner pushes predicates into expansions (on unless testing).
    unoptimized: bool,
    /// The planner's rewrite passes (all on unless testing).
    optimizer: plan::OptimizerConfig,
    /// Groupings over scans of at least this many node ids run on two threads.
    parallel_min_ids: usize,
    /// The dataset folder's journal, which every successful write statement goes to.
    journal: Option<journal::Journal>,
    /// Syntax trees of recent query texts.
    parsed: parser::ParseCache,
    /// The open transaction, if any (`transaction.rs`).
    tx: Option<transaction::OpenTx>,
}

impl Database {
    /// Opens the dataset folder `dir`: its CSV files through `load_csv`, then its journal
    /// replayed over them, each entry with the parameters and clock it was first run with.
    ///
    /// # Errors
    /// The loader's [`Error::Load`], or an [`Error::Journal`]: a damaged journal, an entry
    /// that fails to replay, or a folder another process saved while it loaded.
    pub fn open_dir(
        dir: &std::path::Path,
        load_csv: impl FnOnce() -> Result<Graph, Error>,
    ) -> Result<Opened, Error> {
        let recovered = journal::recover(dir, load_csv)?;
        let mut db = Database::with_graph(recovered.graph);
        for (i, entry) in recovered.entries.iter().enumerate() {
            db.replay(entry)
                .map_err(|e| journal::replay_failed(dir, i + 1, &entry.statement, e.to_string()))?;
        }
        Ok(Opened {
            graph: db.into_graph(),
            journal: recovered.journal,
            replayed: recovered.entries.len(),
            warnings: recovered.warnings,
        })
    }

    /// An empty database.
    pub fn new() -> Database {
        Database::with_graph(Graph::new())
    }

    /// A database over an already loaded graph.
    pub fn with_graph(graph: Graph) -> Database {
        Database {
            graph,
            params: Params::new(),
            interrupt: Arc::default(),
            limits: Limits::default(),
            unoptimized: false,
            optimizer: plan::OptimizerConfig::all(),
            parallel_min_ids: exec::PARALLEL_MIN_IDS,
            journal: None,
            parsed: parser::ParseCache::default(),
            tx: None,
        }
    }

    /// Turns the planner's rewrites off or on. Results must not change: differential
    /// tests compare both.
    pub fn with_optimizations(mut self, on: bool) -> Database {
        self.unoptimized = !on;
        self
    }

    /// Turns off the planner's rewrite pass called `name` (one of
    /// [`plan::optimize::PASSES`]), leaving the other optimizations on. Results must not
    /// change: a differential test turns each pass off in turn.
    ///
    /// # Panics
    /// When no pass has that name.
    #[doc(hidden)]
    pub fn with_disabled_pass(mut self, name: &str) -> Database {
        self.optimizer = self.optimizer.without(name);
        self
    }

    /// Groups over scans of at least `ids` node or relationship ids on two threads, in place of the
    /// default; differential tests use 0 to run small graphs on two threads too. Without
    /// optimizations, one thread always.
    #[doc(hidden)]
    pub fn with_parallel_threshold(mut self, ids: usize) -> Database {
        self.parallel_min_ids = ids;
        self
    }

    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// Replaces the graph (`:load DIR`), letting go of the old dataset's journal and
    /// rolling back an open transaction.
    pub fn replace_graph(&mut self, graph: Graph) {
        if self.in_transaction() {
            let _ = self.rollback_transaction();
        }
        self.graph = graph;
        self.journal = None;
    }

    /// The graph, leaving an empty one; an open transaction is rolled back first.
    pub fn into_graph(mut self) -> Graph {
        if self.in_transaction() {
            let _ = self.rollback_transaction();
        }
        std::mem::take(&mut self.graph)
    }

    /// Makes every later successful write statement durable in `journal` (the dataset
    /// folder's, as [`journal::open`] replayed it over this graph).
    pub fn attach_journal(&mut self, journal: journal::Journal) {
        self.journal = Some(journal);
    }

    /// Stops journaling, returning the journal (and with it, once dropped, the folder's
    /// lock).
    pub fn take_journal(&mut self) -> Option<journal::Journal> {
        self.journal.take()
    }

    /// The journal write statements go to, if the dataset is a folder.
    pub fn journal(&self) -> Option<&journal::Journal> {
        self.journal.as_ref()
    }

    /// Writes the graph to the dataset folder `dir` (`:save`, `--save`) and empties its
    /// journal, as one step ([`journal::fold`]); later writes are journaled there. The
    /// graph is then read back from the saved files, so that it is exactly what loading
    /// the folder gives (ids and order included), which replaying later entries needs.
    ///
    /// # Errors
    /// [`Error::Load`] when the graph cannot be saved as CSV, [`Error::Journal`] when the
    /// folder is held by another writer or the disk fails.
    pub fn save_dir(&mut self, dir: &std::path::Path) -> Result<load::SaveSummary, Error> {
        if self.in_transaction() {
            return Err(TxError::Open { action: "save" }.into());
        }
        let previous = self.journal.take();
        let same = previous.as_ref().is_some_and(|j| j.is_for(dir));
        let (mut target, previous) = match previous {
            Some(journal) if same => (journal, None),
            previous => match journal::Journal::for_saving(dir) {
                Ok(journal) => (journal, previous),
                Err(e) => {
                    self.journal = previous;
                    return Err(e.into());
                }
            },
        };
        match target.save(&self.graph) {
            Ok(summary) => {
                self.journal = Some(target);
                self.graph = load::load_dir(dir)?;
                Ok(summary)
            }
            Err(e) => {
                // Nothing changed on disk: go on journaling where the graph came from.
                self.journal = if same { Some(target) } else { previous };
                Err(e.into())
            }
        }
    }

    /// Session parameters used by every statement (`--param`, `:param`).
    pub fn params_mut(&mut self) -> &mut Params {
        &mut self.params
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    /// A flag that, once set (from a Ctrl-C handler, say), makes the running statement
    /// stop with [`exec::ExecError::Interrupted`]. It is cleared when a statement starts.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// Bounds every statement from now on (`--timeout`, `--max-rows`, `--memory-limit`).
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// The bounds on every statement.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Runs one or more `;`-separated statements with the session parameters, and returns
    /// one result per statement. Stops at the first failing statement; each statement is
    /// atomic, so a failed one leaves the graph as it was. With a transaction open
    /// ([`Database::begin_transaction`]), they run in it.
    ///
    /// # Errors
    /// A [`Error::Syntax`], [`Error::Plan`] or [`Error::Exec`] whose span points into `query`.
    pub fn execute(&mut self, query: &str) -> Result<Vec<ResultSet>, Error> {
        let params = self.params.clone();
        self.execute_with_params(query, &params)
    }

    /// Like [`Database::execute`], with explicit parameters.
    ///
    /// # Errors
    /// As [`Database::execute`].
    pub fn execute_with_params(
        &mut self,
        query: &str,
        params: &Params,
    ) -> Result<Vec<ResultSet>, Error> {
        self.run(query, params, Run::Live)
    }

    /// Runs a journal entry again, with its parameters and clock.
    pub(crate) fn replay(&mut self, entry: &journal::Entry) -> Result<(), Error> {
        self.run(&entry.statement, &entry.params, Run::Replay(entry.clock))
            .map(drop)
    }

    /// Runs statements; with a journal, each write statement that succeeds is made
    /// durable before its result is returned, or, in a transaction, at its commit.
    fn run(&mut self, query: &str, params: &Params, run: Run) -> Result<Vec<ResultSet>, Error> {
        let statements = self.parsed.parse(query)?;
        let mut results = Vec::with_capacity(statements.len());
        for statement in statements.iter() {
            let optimizer = match self.unoptimized {
                true => plan::OptimizerConfig::none(),
                false => self.optimizer,
            };
            let plan = plan::plan_with(statement, &self.graph, optimizer)?;
            let journaled = plan.has_writes() && self.journal.is_some();
            if journaled && let Some(journal) = &mut self.journal {
                journal.begin_write()?;
            }
            self.interrupt
                .store(false, std::sync::atomic::Ordering::Relaxed);
            let parallel_min_ids = if self.unoptimized {
                usize::MAX
            } else {
                self.parallel_min_ids
            };
            let ctx = exec::Context::new(params, &self.interrupt)
                .with_parallel_threshold(parallel_min_ids)
                .with_shortcuts(!self.unoptimized);
            // A replay redoes what was acknowledged: the session's limits do not apply.
            let ctx = match run {
                Run::Live => ctx.with_limits(&self.limits),
                Run::Replay(clock) => {
                    if let Some(clock) = clock {
                        let _ = ctx.clock.set(clock);
                    }
                    ctx
                }
            };
            let result = exec::execute(&plan, &mut self.graph, &ctx)?;
            if let Some(tx) = &mut self.tx
                && plan.has_writes()
            {
                tx.statements += 1;
            }
            if journaled {
                let text = match statements.len() {
                    1 => query.to_string(),
                    _ => statement.to_string(),
                };
                let entry = journal::Entry {
                    statement: text,
                    params: params.clone(),
                    clock: ctx.clock.get().copied(),
                };
                match &mut self.tx {
                    Some(tx) => {
                        tx.entries.push(entry);
                        tx.replayable &= plan.replayable;
                    }
                    None => self.make_durable(vec![entry], plan.replayable)?,
                }
            }
            results.push(match &plan.copy_to {
                // A replayed `COPY (CREATE ...) TO` changes the graph, not the file again.
                Some(path) if run == Run::Live => {
                    let copied = copy_to(&result, path, self.journal.as_ref(), &self.interrupt);
                    // A big result is freed on the side, not before Ctrl-C is answered.
                    exec::discard(result);
                    copied?
                }
                _ => result,
            });
        }
        Ok(results)
    }

    /// Appends write statements that succeeded (one, or a transaction's) to the journal
    /// as one entry; statements whose effect their text cannot reproduce (`rand()`, a
    /// real-time clock, a node as a parameter) are made durable by saving the whole
    /// dataset instead. When neither works, journaling stops: the folder no longer
    /// matches the graph.
    /// `repeatable` says whether every statement's plan can be replayed from its text.
    fn make_durable(
        &mut self,
        entries: Vec<journal::Entry>,
        repeatable: bool,
    ) -> Result<(), Error> {
        let Some(journal) = &mut self.journal else {
            return Ok(());
        };
        let written = match journal::Entry::frame_all(&entries).filter(|_| repeatable) {
            Some(frame) => journal.append(&frame),
            None => {
                let dir = journal.dir().to_path_buf();
                self.save_dir(&dir)
                    .map(drop)
                    .map_err(|e| journal::JournalError::NotDurable {
                        path: dir.join(journal::JOURNAL_FILE),
                        reason: e.to_string(),
                    })
            }
        };
        if written.is_err() {
            self.journal = None;
        }
        Ok(written?)
    }
}

/// How [`Database::run`] runs statements.
#[derive(Copy, Clone, Debug, PartialEq)]
enum Run {
    /// Typed or scripted now: journaled, reading the clock when first needed.
    Live,
    /// From the journal, with the statement clock it recorded.
    Replay(Option<chrono::DateTime<chrono::Utc>>),
}

/// `COPY (query) TO 'path'`: writes the result in the format the file's extension names
/// (`.csv`, `.json`, `.jsonl`, `.dot`, `.mmd`, `.graphml`, `.gexf`, `.ftm.json` or
/// `.ftm`, or `.svg` / `.png` / `.pdf` through Graphviz), atomically, and reports how
/// many rows it wrote. Ctrl-C while writing leaves the file as it was. A file of the
/// dataset `open` (this database's) or of another open or locked one is refused.
fn copy_to(
    result: &ResultSet,
    path: &str,
    open: Option<&journal::Journal>,
    interrupt: &AtomicBool,
) -> Result<ResultSet, Error> {
    let target = std::path::Path::new(path);
    let extension = target
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    // FollowTheMoney files are conventionally `entities.ftm.json`.
    let extension = if path.to_ascii_lowercase().ends_with(".ftm.json") {
        "ftm".to_string()
    } else {
        extension
    };
    let failed = |message: String| exec::ExecError::Copy {
        path: path.to_string(),
        message,
    };
    if let Some(why) = journal::fold::dataset_file_in_use(target, open.map(journal::Journal::dir)) {
        return Err(failed(why).into());
    }
    let write = |render: fn(&ResultSet, &mut dyn std::io::Write) -> Result<(), ExportError>| {
        export::write_file_atomically(target, |w| {
            render(result, &mut limits::Interruptible::new(w, interrupt))
        })
    };
    let text = |render: fn(&ResultSet) -> String| {
        let out = render(result);
        export::write_file_atomically(target, |w| Ok(w.write_all(out.as_bytes())?))
    };
    let written = match extension.as_str() {
        "csv" | "" => write(|r, w| export::write_csv(r, w)),
        "json" => write(|r, w| export::write_json(r, w)),
        "jsonl" => write(|r, w| export::write_jsonl(r, w)),
        "graphml" => write(|r, w| export::write_graphml(r, w)),
        "gexf" => write(|r, w| export::write_gexf(r, w)),
        "ftm" => write(|r, w| export::write_ftm(r, w)),
        "dot" | "gv" => text(picture::to_dot),
        "mmd" | "mermaid" => text(picture::to_mermaid),
        "svg" | "png" | "pdf" => {
            picture::render_with_graphviz(&picture::to_dot(result), target, &extension)
                .map_err(|e| failed(e.to_string()))?;
            Ok(())
        }
        other => {
            return Err(failed(format!(
                "unknown file type `.{other}` (use .csv, .json, .jsonl, .dot, .mmd, .svg, .png, \
                 .pdf, .graphml, .gexf or .ftm.json)"
            ))
            .into());
        }
    };
    match written {
        Err(e) if e.is_interrupted() => return Err(exec::ExecError::Interrupted.into()),
        written => written.map_err(|e| failed(e.to_string()))?,
    }
    let rows = result.rows.len();
    let noun = if rows == 1 { "row" } else { "rows" };
    Ok(ResultSet {
        message: Some(format!("{rows} {noun} written to {path}")),
        stats: result.stats,
        steps: result.steps,
        ..ResultSet::default()
    })
}
