//! Running scripts statement by statement and printing what each returns: shared by the
//! command line (`-c`, `-f`, a script on stdin) and the REPL, so both print results,
//! diagnostics and timings the same way.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::app::command::TxCommand;
use crate::app::input::{StatementText, split_statements};
use crate::app::progress::{SPINNER_DELAY, Spinner};
use crate::app::stream::StatementReader;
use crate::citations::row_sources;
use crate::export::{self, ExportError, Format};
use crate::graph::Value;
use crate::limits::Interruptible;
use crate::result::ResultSet;
use crate::{Database, Error};

/// Where a run writes: results to one stream, diagnostics and timings to another (which
/// may be the same terminal).
pub trait Output {
    /// Results: tables, CSV, JSON.
    fn results(&mut self) -> &mut dyn Write;
    /// Diagnostics, `timing:` lines, `interrupted`.
    fn messages(&mut self) -> &mut dyn Write;
}

/// An [`Output`] over two separate writers (stdout and stderr, say).
pub struct Streams<'a> {
    pub results: &'a mut dyn Write,
    pub messages: &'a mut dyn Write,
}

impl Output for Streams<'_> {
    fn results(&mut self) -> &mut dyn Write {
        self.results
    }
    fn messages(&mut self) -> &mut dyn Write {
        self.messages
    }
}

/// How a script (or a statement) ended.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every statement succeeded.
    Ok,
    /// A statement failed (the run stopped there unless it continues on errors).
    Failed,
    /// Ctrl-C stopped the run.
    Interrupted,
}

/// Runs statements against a database and prints their results.
pub struct Runner {
    format: Format,
    timing: bool,
    continue_on_error: bool,
    /// Set by the Ctrl-C handler; unlike the database's flag it stays set between
    /// statements, so a run can stop between two of them.
    interrupted: Arc<AtomicBool>,
    statements: usize,
    last: Option<ResultSet>,
    graph_changed: bool,
    changes: usize,
    sources: bool,
    spinner: bool,
    width: Width,
}

/// How wide tables may be.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Width {
    /// The terminal's width when the table is printed (it may have been resized), or no
    /// limit when standard output is no terminal.
    Terminal,
    /// `:width N`.
    Columns(u16),
    /// No limit: cells are never wrapped or cut.
    Unlimited,
}

impl Width {
    /// The width to fit a table to now.
    pub fn columns(self) -> Option<u16> {
        match self {
            Width::Terminal => export::terminal_width(),
            Width::Columns(n) => Some(n),
            Width::Unlimited => None,
        }
    }
}

impl Runner {
    /// A runner printing in `format`, stopping at the first failing statement.
    pub fn new(format: Format) -> Runner {
        Runner {
            format,
            timing: false,
            continue_on_error: false,
            interrupted: Arc::default(),
            statements: 0,
            last: None,
            graph_changed: false,
            changes: 0,
            sources: false,
            spinner: false,
            width: Width::Unlimited,
        }
    }

    /// Fits tables to `width` ([`Width`]); unlimited by default.
    pub fn with_width(mut self, width: Width) -> Runner {
        self.width = width;
        self
    }

    pub fn width(&self) -> Width {
        self.width
    }

    pub fn set_width(&mut self, width: Width) {
        self.width = width;
    }

    /// Adds a `sources` column to every result with columns: the ids of the documents
    /// each row cites ([`with_sources_column`]).
    pub fn with_sources(mut self, sources: bool) -> Runner {
        self.sources = sources;
        self
    }

    /// Shows a spinner on stderr while a statement runs for more than a second (only
    /// for a terminal: see [`crate::app::progress`]).
    pub fn with_spinner(mut self, spinner: bool) -> Runner {
        self.spinner = spinner;
        self
    }

    /// Prints `timing: statement <n> <seconds> s <rows> rows` after each statement.
    pub fn with_timing(mut self, timing: bool) -> Runner {
        self.timing = timing;
        self
    }

    /// Goes on after a failing statement (the outcome is still [`Outcome::Failed`]).
    pub fn with_continue_on_error(mut self, continue_on_error: bool) -> Runner {
        self.continue_on_error = continue_on_error;
        self
    }

    /// The flag a Ctrl-C handler sets to stop the run between statements.
    pub fn interrupt_signal(&self) -> Arc<AtomicBool> {
        self.interrupted.clone()
    }

    pub fn continues_on_error(&self) -> bool {
        self.continue_on_error
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn set_format(&mut self, format: Format) {
        self.format = format;
    }

    pub fn timing(&self) -> bool {
        self.timing
    }

    pub fn set_timing(&mut self, timing: bool) {
        self.timing = timing;
    }

    /// The last result that had columns (what `:export` writes).
    pub fn last_result(&self) -> Option<&ResultSet> {
        self.last.as_ref()
    }

    /// Whether a statement changed the graph since the last call.
    pub fn take_graph_changed(&mut self) -> bool {
        std::mem::take(&mut self.graph_changed)
    }

    /// How many statements so far changed the graph.
    pub fn changes(&self) -> usize {
        self.changes
    }

    /// Forgets a Ctrl-C that came before now (the REPL calls this before each entry).
    pub fn clear_interrupt(&self) {
        self.interrupted.store(false, Ordering::SeqCst);
    }

    /// Whether Ctrl-C was pressed since the last [`Runner::clear_interrupt`].
    pub fn is_interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    /// Runs each statement of `script` in order and prints its results. A failing
    /// statement's diagnostic names `origin` with the line and column in `script`.
    ///
    /// # Errors
    /// [`ExportError`] when the output cannot be written.
    pub fn run_script(
        &mut self,
        db: &mut Database,
        script: &str,
        origin: &str,
        out: &mut dyn Output,
    ) -> Result<Outcome, ExportError> {
        let was_open = db.in_transaction();
        let outcome = self.run_script_statements(db, script, origin, out);
        self.close_transaction(db, was_open, "the script ended", out)?;
        outcome
    }

    fn run_script_statements(
        &mut self,
        db: &mut Database,
        script: &str,
        origin: &str,
        out: &mut dyn Output,
    ) -> Result<Outcome, ExportError> {
        let mut outcome = Outcome::Ok;
        for statement in split_statements(script) {
            if let Some(end) = self.step(db, (script, origin, 1), statement, out, &mut outcome)? {
                return Ok(end);
            }
        }
        Ok(outcome)
    }

    /// Runs one statement of a script and folds its outcome into the script's
    /// `outcome`: `Some` when the script ends there (Ctrl-C, or a failure without
    /// `--continue-on-error`).
    fn step(
        &mut self,
        db: &mut Database,
        place: (&str, &str, usize),
        statement: StatementText,
        out: &mut dyn Output,
        outcome: &mut Outcome,
    ) -> Result<Option<Outcome>, ExportError> {
        if self.is_interrupted() {
            writeln!(out.messages(), "interrupted")?;
            return Ok(Some(Outcome::Interrupted));
        }
        Ok(match self.run_statement(db, place, statement, out)? {
            Outcome::Ok => None,
            Outcome::Failed => {
                *outcome = Outcome::Failed;
                (!self.continue_on_error).then_some(Outcome::Failed)
            }
            Outcome::Interrupted => Some(Outcome::Interrupted),
        })
    }

    /// Rolls back a transaction left open by a script or a session (`why` says which
    /// ended) that did not find one open (`was_open`), and says so.
    ///
    /// # Errors
    /// When the message cannot be written.
    pub fn close_transaction(
        &mut self,
        db: &mut Database,
        was_open: bool,
        why: &str,
        out: &mut dyn Output,
    ) -> Result<(), ExportError> {
        if was_open || !db.in_transaction() {
            return Ok(());
        }
        let undone = db.rollback_transaction().unwrap_or(0);
        writeln!(
            out.messages(),
            "warning: {why} with a transaction open; it was rolled back ({})",
            undone_text(undone)
        )?;
        out.messages().flush()?;
        Ok(())
    }

    /// Carries out `:begin`, `:commit` or `:rollback`.
    ///
    /// # Errors
    /// When the output cannot be written.
    pub fn run_tx_command(
        &mut self,
        db: &mut Database,
        command: TxCommand,
        out: &mut dyn Output,
    ) -> Result<Outcome, ExportError> {
        let done = match command {
            TxCommand::Begin => db.begin_transaction().map(|()| None),
            TxCommand::Commit => db.commit_transaction().map(|c| {
                let noun = if c.statements == 1 {
                    "statement"
                } else {
                    "statements"
                };
                Some(format!(
                    "transaction committed ({} write {noun})",
                    c.statements
                ))
            }),
            TxCommand::Rollback => db
                .rollback_transaction()
                .map(|undone| Some(format!("transaction rolled back ({})", undone_text(undone)))),
        };
        match done {
            Ok(message) => {
                if let Some(message) = message {
                    writeln!(out.messages(), "{message}")?;
                }
                if command != TxCommand::Begin {
                    // A rollback or a commit (that may have saved) changes what is shown.
                    self.graph_changed = true;
                }
                Ok(Outcome::Ok)
            }
            Err(e) => {
                writeln!(out.messages(), "error: {e}")?;
                Ok(Outcome::Failed)
            }
        }
        .and_then(|outcome| {
            out.messages().flush()?;
            Ok(outcome)
        })
    }

    /// Runs each statement of a script as the reader hands it over, so a piped script's
    /// statements are acknowledged as they arrive. A read error (bytes that are not text)
    /// ends the run: `Err(Ok(message))`; output that cannot be written: `Err(Err(_))`.
    ///
    /// # Errors
    /// As said.
    pub fn run_stream<R: std::io::BufRead>(
        &mut self,
        db: &mut Database,
        reader: &mut StatementReader<R>,
        origin: &str,
        out: &mut dyn Output,
    ) -> Result<Outcome, Result<String, ExportError>> {
        let was_open = db.in_transaction();
        let outcome = self.run_stream_statements(db, reader, origin, out);
        self.close_transaction(db, was_open, "the script ended", out)
            .map_err(Err)?;
        outcome
    }

    fn run_stream_statements<R: std::io::BufRead>(
        &mut self,
        db: &mut Database,
        reader: &mut StatementReader<R>,
        origin: &str,
        out: &mut dyn Output,
    ) -> Result<Outcome, Result<String, ExportError>> {
        let mut outcome = Outcome::Ok;
        while let Some(read) = reader.next_statement().map_err(Ok)? {
            let place = (read.source.as_str(), origin, read.first_line);
            let step = self.step(db, place, read.statement(), out, &mut outcome);
            if let Some(end) = step.map_err(Err)? {
                return Ok(end);
            }
        }
        Ok(outcome)
    }

    /// Runs one statement of `script` (named `origin`, starting on line `first_line`).
    fn run_statement(
        &mut self,
        db: &mut Database,
        (script, origin, first_line): (&str, &str, usize),
        statement: StatementText,
        out: &mut dyn Output,
    ) -> Result<Outcome, ExportError> {
        match TxCommand::in_script(statement.text) {
            Ok(None) => {}
            Ok(Some(command)) => return self.run_tx_command(db, command, out),
            Err(message) => {
                let place = crate::error::line_col(script, statement.offset);
                writeln!(
                    out.messages(),
                    "error: {origin}:{}:{}: {message}",
                    place.0 + first_line - 1,
                    place.1
                )?;
                return Ok(Outcome::Failed);
            }
        }
        let start = Instant::now();
        let spinner = self
            .spinner
            .then(|| Spinner::start(SPINNER_DELAY, "running (Ctrl-C stops it)"));
        let executed = db.execute(statement.text);
        // Erased before anything is printed.
        drop(spinner);
        let elapsed = start.elapsed();
        self.statements += 1;
        match executed {
            Ok(results) => {
                let interrupt = db.interrupt_flag();
                for result in results {
                    match self.print(result, elapsed, out, &interrupt) {
                        Err(e) if e.is_interrupted() => {
                            writeln!(out.messages(), "interrupted")?;
                            return Ok(Outcome::Interrupted);
                        }
                        printed => printed?,
                    }
                }
                Ok(Outcome::Ok)
            }
            Err(Error::Exec(crate::exec::ExecError::Interrupted)) => {
                out.results().flush()?;
                writeln!(out.messages(), "interrupted")?;
                Ok(Outcome::Interrupted)
            }
            Err(err) => {
                out.results().flush()?;
                let diagnostic = err.render_in(script, origin, statement.offset, first_line);
                out.messages().write_all(diagnostic.as_bytes())?;
                out.messages().flush()?;
                Ok(Outcome::Failed)
            }
        }
    }

    /// Prints one result; Ctrl-C (`interrupt`) stops the printing of a big one.
    fn print(
        &mut self,
        result: ResultSet,
        elapsed: Duration,
        out: &mut dyn Output,
        interrupt: &AtomicBool,
    ) -> Result<(), ExportError> {
        let result = if self.sources {
            with_sources_column(result)
        } else {
            result
        };
        let results = Interruptible::new(out.results(), interrupt);
        let width = self.width.columns();
        export::write_to_width(&result, self.format, results, Some(elapsed), width)?;
        out.results().flush()?;
        if self.timing {
            let mut line = format!(
                "timing: statement {} {:.6} s {}",
                self.statements,
                elapsed.as_secs_f64(),
                super::counted(result.rows.len() as u64, "row", "rows")
            );
            if !result.stats.is_empty() {
                line.push_str(", ");
                line.push_str(&result.stats.summary());
            }
            writeln!(out.messages(), "{line}")?;
            out.messages().flush()?;
        }
        if !result.stats.is_empty() {
            self.graph_changed = true;
            self.changes += 1;
        }
        if !result.columns.is_empty() {
            self.last = Some(result);
        }
        Ok(())
    }
}

/// "N changes undone", for messages about a rollback.
fn undone_text(undone: usize) -> String {
    let noun = if undone == 1 { "change" } else { "changes" };
    format!("{undone} {noun} undone")
}

/// The result with one more column, `sources`, holding for each row the ids of the
/// documents its nodes, relationships and paths cite, joined with `; `
/// ([`row_sources`]). The column is `sources_` (or `sources__`...) when the result
/// already has a `sources` column; a result without columns is returned as it is.
pub fn with_sources_column(mut result: ResultSet) -> ResultSet {
    if result.columns.is_empty() {
        return result;
    }
    let cited = row_sources(&result);
    let mut name = String::from("sources");
    while result.columns.contains(&name) {
        name.push('_');
    }
    result.columns.push(name);
    for (row, ids) in result.rows.iter_mut().zip(cited) {
        row.push(Value::str(&ids.join("; ")));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(runner: &mut Runner, db: &mut Database, script: &str) -> (Outcome, String, String) {
        let (mut results, mut messages) = (Vec::new(), Vec::new());
        let mut out = Streams {
            results: &mut results,
            messages: &mut messages,
        };
        let outcome = runner
            .run_script(db, script, "script.cypher", &mut out)
            .unwrap();
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
        (outcome, text(results), text(messages))
    }

    #[test]
    fn a_failing_statement_is_reported_at_its_place_in_the_script() {
        // The statement starts on line 3, so wherever in it the error is, the runner
        // must report line 3.
        let mut db = Database::new();
        let mut runner = Runner::new(Format::Csv);
        let script = "\n\n  RETURN ;\nRETURN 2;";
        let (outcome, _, messages) = run(&mut runner, &mut db, script);
        assert_eq!(outcome, Outcome::Failed);
        assert!(messages.contains("--> script.cypher:3:"), "{messages}");
        assert!(messages.contains("3 |   RETURN ;"), "{messages}");
    }

    #[test]
    fn a_set_interrupt_stops_the_run_before_the_next_statement() {
        let mut db = Database::new();
        let mut runner = Runner::new(Format::Csv);
        runner.interrupt_signal().store(true, Ordering::SeqCst);
        let (outcome, results, messages) = run(&mut runner, &mut db, "RETURN 1;");
        assert_eq!(outcome, Outcome::Interrupted);
        assert_eq!((results.as_str(), messages.as_str()), ("", "interrupted\n"));
        runner.clear_interrupt();
        assert!(!runner.is_interrupted());
    }

    #[test]
    fn an_empty_script_runs_nothing() {
        let mut db = Database::new();
        let mut runner = Runner::new(Format::Table);
        let (outcome, results, messages) = run(&mut runner, &mut db, "// nothing\n;");
        assert_eq!(outcome, Outcome::Ok);
        assert_eq!((results.as_str(), messages.as_str()), ("", ""));
    }

    #[test]
    fn results_and_timings_are_printed_per_statement() {
        // Needs the query engine.
        let mut db = Database::new();
        let mut runner = Runner::new(Format::Csv).with_timing(true);
        let (outcome, results, messages) =
            run(&mut runner, &mut db, "RETURN 1 AS x; CREATE (:X {a: 1});");
        assert_eq!(outcome, Outcome::Ok, "{messages}");
        assert_eq!(results, "x\n1\n");
        let lines: Vec<&str> = messages.lines().collect();
        assert!(lines[0].starts_with("timing: statement 1 "), "{messages}");
        assert!(lines[0].ends_with(" s 1 row"), "{messages}");
        assert!(
            lines[1].ends_with(" s 0 rows, 1 node created, 1 property set")
                || lines[1].ends_with(" s 0 rows, 1 node created, 1 property set, 1 label added"),
            "{messages}"
        );
        assert!(runner.take_graph_changed());
        assert_eq!(
            runner.last_result().map(|r| r.columns.clone()),
            Some(vec!["x".into()])
        );
    }

    #[test]
    fn sources_column_lists_each_rows_documents() {
        // Needs the query engine.
        let mut db = Database::new();
        db.execute(
            "CREATE ({name: 'a', sources: ['s1', 's2']})-[:T {sources: ['s2', 's3']}]->({name: 'b'})",
        )
        .unwrap();
        let mut runner = Runner::new(Format::Csv).with_sources(true);
        let (outcome, results, messages) = run(
            &mut runner,
            &mut db,
            "MATCH (a)-[r:T]->(b) RETURN a.name AS a, r, b.name AS b;             MATCH (b {name: 'b'}) RETURN b.name AS sources;             CREATE ();",
        );
        assert_eq!(outcome, Outcome::Ok, "{messages}");
        assert!(
            results.starts_with("a,r,b,sources\na,\"[:T {sources: ['s2', 's3']}]\",b,s2; s3\n"),
            "{results}"
        );
        assert!(results.ends_with("sources,sources_\nb,\n"), "{results}");
    }

    #[test]
    fn continue_on_error_runs_the_rest() {
        // Needs the query engine.
        let mut db = Database::new();
        let mut runner = Runner::new(Format::Csv).with_continue_on_error(true);
        let (outcome, results, messages) =
            run(&mut runner, &mut db, "RETURN nope;\nRETURN 2 AS y;");
        assert_eq!(outcome, Outcome::Failed);
        assert_eq!(results, "y\n2\n");
        assert!(messages.contains("script.cypher:1:8"), "{messages}");
    }
}
