//! The interactive shell: a rustyline loop around [`Repl`], which takes typed lines,
//! gathers them until a statement ends with `;` ([`super::input::is_complete`]), and runs
//! statements ([`super::run::Runner`]) or meta commands ([`super::command::MetaCommand`]): printing
//! modes, the documents behind the last result (`:sources`), loading and saving dataset
//! folders (`:load`, `:save`). `Repl` is generic over where it writes, so everything but
//! the line editor is tested without a terminal; the command line's batch mode uses the
//! same runner.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{CompletionType, Config, Editor};

use crate::export::{self, ExportError};
use crate::limits::{Limits, format_seconds, format_size};
use crate::{Database, limits};

use super::dataset::{Dataset, loaded_message, open_dir, saved_message};

use super::command::{HELP, MetaCommand};
use super::helper::{ReplHelper, Vocabulary};
use super::input::is_complete;
use super::param::{literal, parse_param};
use super::run::{Outcome, Output, Runner, Width};
use super::{schema, sources};

/// The prompt for a new statement.
pub const PROMPT: &str = "datatrail> ";
/// The prompt for a new statement while a transaction is open.
pub const TX_PROMPT: &str = "datatrail(tx)> ";
/// The prompt for the next line of an unfinished statement.
pub const CONTINUATION: &str = "     ...> ";

/// What feeding a line to the REPL did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// The statement is not finished yet.
    More,
    /// A whole entry (statements or a meta command) ran; it is worth keeping in history.
    Ran(String),
    /// `:quit`.
    Quit,
}

/// The hint printed after the first statement that changes a graph with no folder.
pub const IN_MEMORY_HINT: &str = "changes are in memory only; :save DIR writes them to a folder";

/// The REPL's state: the database, how results are printed and where, and the lines of
/// an unfinished statement. Results go to `term` unless `:output` redirected them;
/// diagnostics and messages always go to `term`.
pub struct Repl<W: Write> {
    db: Database,
    runner: Runner,
    term: W,
    redirect: Option<(PathBuf, BufWriter<File>)>,
    pending: String,
    vocabulary_stale: bool,
    quiet: bool,
    progress: bool,
    dataset: Dataset,
    hinted: bool,
}

struct Screen<'a, W: Write> {
    term: &'a mut W,
    redirect: Option<&'a mut BufWriter<File>>,
}

impl<W: Write> Output for Screen<'_, W> {
    fn results(&mut self) -> &mut dyn Write {
        match &mut self.redirect {
            Some(file) => *file,
            None => self.term,
        }
    }
    fn messages(&mut self) -> &mut dyn Write {
        self.term
    }
}

impl<W: Write> Repl<W> {
    /// A REPL over `db`, printing with `runner`'s settings to `term`.
    pub fn new(db: Database, runner: Runner, term: W) -> Repl<W> {
        Repl {
            db,
            runner,
            term,
            redirect: None,
            pending: String::new(),
            vocabulary_stale: false,
            quiet: false,
            progress: false,
            dataset: Dataset::Embedded,
            hinted: false,
        }
    }

    /// Leaves out the greeting and the hint about unsaved changes (`--quiet`).
    pub fn with_quiet(mut self, quiet: bool) -> Repl<W> {
        self.quiet = quiet;
        self
    }

    /// Shows a progress bar on stderr while `:load` reads a large dataset.
    pub fn with_progress(mut self, progress: bool) -> Repl<W> {
        self.progress = progress;
        self
    }

    /// Where the graph came from (the built-in case graph unless set).
    pub fn with_dataset(mut self, dataset: Dataset) -> Repl<W> {
        self.dataset = dataset;
        self
    }

    /// Where the graph came from, as `:save` without a folder sees it.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn runner(&self) -> &Runner {
        &self.runner
    }

    /// What has been written to the terminal (for tests).
    pub fn term(&self) -> &W {
        &self.term
    }

    /// The prompt to show: a new statement or a continuation line.
    pub fn prompt(&self) -> &'static str {
        if !self.pending.is_empty() {
            CONTINUATION
        } else if self.db.in_transaction() {
            TX_PROMPT
        } else {
            PROMPT
        }
    }

    /// Ends the session: an open transaction is rolled back, saying so.
    ///
    /// # Errors
    /// When the terminal cannot be written.
    pub fn end_session(&mut self) -> Result<(), ExportError> {
        let mut screen = Screen {
            term: &mut self.term,
            redirect: None,
        };
        (self.runner).close_transaction(&mut self.db, false, "the session ended", &mut screen)
    }

    /// Drops the lines of an unfinished statement (Ctrl-C at the prompt).
    pub fn cancel_pending(&mut self) {
        self.pending.clear();
    }

    /// Whether the graph or the parameters changed since the last call, so completion
    /// should collect its words again.
    pub fn take_vocabulary_stale(&mut self) -> bool {
        let changed = self.runner.take_graph_changed();
        std::mem::take(&mut self.vocabulary_stale) || changed
    }

    /// Takes one typed line. Once the lines so far end a statement (or form a meta
    /// command) they run.
    ///
    /// # Errors
    /// [`ExportError`] when the terminal or the `:output` file cannot be written.
    pub fn feed_line(&mut self, line: &str) -> Result<Step, ExportError> {
        if self.pending.is_empty() && line.trim().is_empty() {
            return Ok(Step::More);
        }
        if !self.pending.is_empty() {
            self.pending.push('\n');
        }
        self.pending.push_str(line);
        if !is_complete(&self.pending) {
            return Ok(Step::More);
        }
        let entry = std::mem::take(&mut self.pending);
        if self.run_entry(&entry)? {
            Ok(Step::Ran(entry))
        } else {
            Ok(Step::Quit)
        }
    }

    /// Runs a complete entry; returns `false` for `:quit`.
    fn run_entry(&mut self, entry: &str) -> Result<bool, ExportError> {
        if entry.trim_start().starts_with(':') {
            return match MetaCommand::parse(entry) {
                Ok(command) => self.run_meta(command),
                Err(message) => {
                    writeln!(self.term, "error: {message}")?;
                    Ok(true)
                }
            };
        }
        self.run_script(entry, "query")?;
        Ok(true)
    }

    fn run_script(&mut self, script: &str, origin: &str) -> Result<Outcome, ExportError> {
        self.runner.clear_interrupt();
        let changes = self.runner.changes();
        let mut screen = Screen {
            term: &mut self.term,
            redirect: self.redirect.as_mut().map(|(_, file)| file),
        };
        let outcome = self
            .runner
            .run_script(&mut self.db, script, origin, &mut screen)?;
        self.runner.clear_interrupt();
        if self.runner.changes() > changes {
            self.hint_in_memory()?;
        }
        Ok(outcome)
    }

    /// Once a session, after the first change to a graph that has no folder: say that
    /// changes are not written anywhere until `:save`.
    fn hint_in_memory(&mut self) -> Result<(), ExportError> {
        let folderless = matches!(self.dataset, Dataset::Embedded | Dataset::Files);
        if folderless && !self.hinted && !self.quiet {
            writeln!(self.term, "{IN_MEMORY_HINT}")?;
            self.term.flush()?;
        }
        self.hinted = true;
        Ok(())
    }

    fn run_meta(&mut self, command: MetaCommand) -> Result<bool, ExportError> {
        match command {
            MetaCommand::Help => write!(self.term, "{HELP}")?,
            MetaCommand::Schema => write!(self.term, "{}", schema::describe(self.db.graph()))?,
            MetaCommand::Mode(format) => {
                self.runner.set_format(format);
                writeln!(self.term, "results are printed as {format}")?;
            }
            MetaCommand::Output(path) => self.set_output(path.as_deref())?,
            MetaCommand::Export(path) => self.export(&path)?,
            MetaCommand::Read(path) => match std::fs::read_to_string(&path) {
                Ok(script) => {
                    self.run_script(&script, &path.display().to_string())?;
                }
                Err(e) => writeln!(self.term, "error: {}: {e}", path.display())?,
            },
            MetaCommand::Sources => self.show_sources()?,
            MetaCommand::Save(dir) => self.save(dir)?,
            MetaCommand::Load(dir) => self.load(&dir)?,
            MetaCommand::Param { name, value } => match parse_param(&value, &name) {
                Ok(value) => {
                    let shown = literal(&value);
                    self.db.params_mut().insert(name.clone(), value);
                    self.vocabulary_stale = true;
                    writeln!(self.term, "${name} = {shown}")?;
                }
                Err(diagnostic) => write!(self.term, "{diagnostic}")?,
            },
            MetaCommand::Params => {
                if self.db.params().is_empty() {
                    writeln!(self.term, "no parameters (set one with :param NAME VALUE)")?;
                }
                for (name, value) in self.db.params() {
                    writeln!(self.term, "${name} = {}", literal(value))?;
                }
            }
            MetaCommand::Width(width) => {
                self.runner.set_width(width);
                match width {
                    Width::Columns(n) => writeln!(self.term, "tables fit {n} columns")?,
                    Width::Terminal => writeln!(self.term, "tables fit the terminal")?,
                    Width::Unlimited => writeln!(self.term, "tables are not fitted to a width")?,
                }
            }
            MetaCommand::Timing(on) => {
                self.runner.set_timing(on);
                writeln!(self.term, "timing {}", if on { "on" } else { "off" })?;
            }
            MetaCommand::Timeout(timeout) => {
                let limits = Limits {
                    timeout,
                    ..self.db.limits().clone()
                };
                self.set_limits(limits)?;
            }
            MetaCommand::MaxRows(max_rows) => {
                let limits = Limits {
                    max_rows,
                    ..self.db.limits().clone()
                };
                self.set_limits(limits)?;
            }
            MetaCommand::MemoryLimit(memory) => {
                let limits = Limits {
                    memory,
                    ..self.db.limits().clone()
                };
                self.set_limits(limits)?;
            }
            MetaCommand::Limits => self.set_limits(self.db.limits().clone())?,
            MetaCommand::Transaction(command) => {
                let mut screen = Screen {
                    term: &mut self.term,
                    redirect: None,
                };
                self.runner
                    .run_tx_command(&mut self.db, command, &mut screen)?;
            }
            MetaCommand::Quit => return Ok(false),
        }
        self.term.flush()?;
        Ok(true)
    }

    /// `:timeout`, `:max-rows`, `:memory-limit`, `:limits`: sets the limits and shows
    /// them.
    fn set_limits(&mut self, limits: Limits) -> Result<(), ExportError> {
        writeln!(self.term, "{}", describe_limits(&limits))?;
        self.db.set_limits(limits);
        Ok(())
    }

    /// `:output FILE` or `:output`.
    fn set_output(&mut self, path: Option<&Path>) -> Result<(), ExportError> {
        if let Some((_, mut file)) = self.redirect.take() {
            file.flush()?;
        }
        match path {
            None => writeln!(self.term, "results go to the terminal")?,
            Some(path) => match File::create(path) {
                Ok(file) => {
                    self.redirect = Some((path.to_path_buf(), BufWriter::new(file)));
                    writeln!(self.term, "results go to {}", path.display())?;
                }
                Err(e) => writeln!(self.term, "error: {}: {e}", path.display())?,
            },
        }
        Ok(())
    }

    /// `:export FILE`: the last result as CSV, written atomically.
    fn export(&mut self, path: &Path) -> Result<(), ExportError> {
        let Some(result) = self.runner.last_result() else {
            writeln!(self.term, "error: no result to export yet")?;
            return Ok(());
        };
        let rows = result.rows.len();
        match export::write_file_atomically(path, |out| export::write_csv(result, out)) {
            Ok(()) => writeln!(
                self.term,
                "{rows} {} written to {}",
                if rows == 1 { "row" } else { "rows" },
                path.display()
            )?,
            Err(e) => writeln!(self.term, "error: {e}")?,
        }
        Ok(())
    }

    /// `:save DIR`, or `:save` to the folder the graph came from.
    fn save(&mut self, dir: Option<PathBuf>) -> Result<(), ExportError> {
        let dir = match (dir, &self.dataset) {
            (Some(dir), _) => dir,
            (None, Dataset::Folder(dir)) => dir.clone(),
            (None, Dataset::Embedded) => {
                writeln!(
                    self.term,
                    "error: the graph is the built-in case graph, which has no folder to save \
                     to; use :save DIR"
                )?;
                return Ok(());
            }
            (None, Dataset::Files) => {
                writeln!(
                    self.term,
                    "error: the graph was loaded from separate files, not a folder; use :save DIR"
                )?;
                return Ok(());
            }
        };
        match self.db.save_dir(&dir) {
            Ok(summary) => {
                writeln!(self.term, "{}", saved_message(&summary, &dir))?;
                self.dataset = Dataset::Folder(dir);
            }
            Err(e) => writeln!(self.term, "error: {e}\nnothing was saved")?,
        }
        Ok(())
    }

    /// `:load DIR`: the folder's graph with its journal replayed. The current dataset's
    /// lock is let go first (the folder may be the same one), and kept on failure.
    fn load(&mut self, dir: &Path) -> Result<(), ExportError> {
        if self.db.in_transaction() {
            let e = crate::TxError::Open { action: "load" };
            writeln!(self.term, "error: {e}\nthe current graph is kept")?;
            return Ok(());
        }
        let previous = self.db.take_journal();
        match open_dir(dir, self.progress) {
            Ok(opened) => {
                for warning in &opened.warnings {
                    writeln!(self.term, "{warning}")?;
                }
                writeln!(self.term, "{}", loaded_message(&opened, dir))?;
                self.db.replace_graph(opened.graph);
                self.db.attach_journal(opened.journal);
                self.vocabulary_stale = true;
                self.dataset = Dataset::Folder(dir.to_path_buf());
            }
            Err(e) => {
                if let Some(journal) = previous {
                    self.db.attach_journal(journal);
                }
                writeln!(self.term, "error: {e}\nthe current graph is kept")?;
            }
        }
        Ok(())
    }

    /// `:sources`: a table of the documents the last result cites.
    fn show_sources(&mut self) -> Result<(), ExportError> {
        match self.runner.last_result() {
            Some(result) => write!(self.term, "{}", sources::describe(result, self.db.graph()))?,
            None => writeln!(self.term, "error: no result yet; run a query first")?,
        }
        Ok(())
    }

    /// Flushes the `:output` file, if any.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn finish(&mut self) -> io::Result<()> {
        if let Some((_, file)) = &mut self.redirect {
            file.flush()?;
        }
        self.term.flush()
    }

    /// Sends results to `path` from the start (`datatrail -o FILE` in the REPL).
    ///
    /// # Errors
    /// When the terminal cannot be written.
    pub fn with_output(mut self, path: Option<&Path>) -> Result<Repl<W>, ExportError> {
        if path.is_some() {
            self.set_output(path)?;
        }
        Ok(self)
    }

    /// Runs the line editor until `:quit` or Ctrl-D. History is kept in
    /// [`history_path`] when it can be; when it cannot (a read-only home), it is not.
    ///
    /// # Errors
    /// When the terminal cannot be read or written.
    pub fn run(mut self) -> Result<(), ReadlineError> {
        let config = Config::builder()
            .auto_add_history(false)
            .completion_type(CompletionType::List)
            .build();
        let mut editor: Editor<ReplHelper, DefaultHistory> = Editor::with_config(config)?;
        let color = std::env::var_os("NO_COLOR").is_none()
            && std::env::var("TERM").map_or(true, |t| t != "dumb");
        let vocab = Vocabulary::from_graph(self.db.graph(), self.db.params());
        editor.set_helper(Some(ReplHelper::new(vocab, color)));
        let history = history_path();
        if let Some(path) = &history {
            let _ = editor.load_history(path);
        }
        if !self.quiet {
            let graph = self.db.graph();
            writeln!(
                self.term,
                "datatrail {}: {}, {}. Type :help for help; end statements with `;`.",
                env!("CARGO_PKG_VERSION"),
                super::counted(graph.node_count() as u64, "node", "nodes"),
                super::counted(graph.rel_count() as u64, "relationship", "relationships")
            )?;
        }
        loop {
            match editor.readline(self.prompt()) {
                Ok(line) => match self.feed_line(&line).map_err(into_readline)? {
                    Step::More => {}
                    Step::Ran(entry) => {
                        let _ = editor.add_history_entry(entry);
                        if let Some(path) = &history {
                            let _ = editor.save_history(path);
                        }
                        if self.take_vocabulary_stale()
                            && let Some(helper) = editor.helper_mut()
                        {
                            helper.set_vocabulary(Vocabulary::from_graph(
                                self.db.graph(),
                                self.db.params(),
                            ));
                        }
                    }
                    Step::Quit => break,
                },
                Err(ReadlineError::Interrupted) => self.cancel_pending(),
                Err(ReadlineError::Eof) => break,
                Err(e) => return Err(e),
            }
        }
        self.end_session().map_err(into_readline)?;
        self.finish()?;
        Ok(())
    }
}

fn into_readline(err: ExportError) -> ReadlineError {
    match err {
        ExportError::Io(e) | ExportError::File { source: e, .. } => ReadlineError::Io(e),
    }
}

/// Where the REPL keeps its history: `<data dir>/datatrail/history` (on Linux
/// `$XDG_DATA_HOME/datatrail/history`, else `~/.local/share/datatrail/history`). The
/// folder is created if needed; `None` if there is no data folder or it cannot be made.
pub fn history_path() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("datatrail");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}

/// The limits in one line: `timeout 2 s, row limit 1000, memory budget 3.0 GiB`.
pub fn describe_limits(limits: &Limits) -> String {
    let timeout = limits.timeout.map_or("no timeout".into(), |t| {
        format!("timeout {}", format_seconds(t))
    });
    let rows = limits
        .max_rows
        .map_or("no row limit".into(), |n| format!("row limit {n}"));
    let memory = match limits.memory {
        Some(_) if limits::heap_bytes().is_none() => {
            "no memory budget (not measurable here)".into()
        }
        Some(bytes) => format!("memory budget {}", format_size(bytes)),
        None => "no memory budget".into(),
    };
    format!("{timeout}, {rows}, {memory}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::Format;
    use crate::graph::{Graph, Value};
    use crate::load;

    fn repl() -> Repl<Vec<u8>> {
        let mut graph = Graph::new();
        graph.add_node_named(&["Person"], vec![("name", Value::str("Kogan"))]);
        Repl::new(
            Database::with_graph(graph),
            Runner::new(Format::Table),
            Vec::new(),
        )
    }

    /// Feeds the lines and returns what the terminal shows.
    fn session(repl: &mut Repl<Vec<u8>>, lines: &[&str]) -> String {
        for line in lines {
            repl.feed_line(line).unwrap();
        }
        String::from_utf8(repl.term().clone()).unwrap()
    }

    #[test]
    fn statements_run_once_they_end_with_a_semicolon() {
        let mut repl = repl();
        assert_eq!(repl.prompt(), PROMPT);
        assert_eq!(repl.feed_line("RETURN 1").unwrap(), Step::More);
        assert_eq!(repl.prompt(), CONTINUATION);
        assert_eq!(
            repl.feed_line("AS x;").unwrap(),
            Step::Ran("RETURN 1\nAS x;".into())
        );
        assert_eq!(repl.prompt(), PROMPT);
    }

    #[test]
    fn limit_commands_change_the_limits_and_keep_the_session() {
        let mut repl = repl();
        let text = session(
            &mut repl,
            &[
                ":max-rows 2",
                ":timeout 1.5",
                "UNWIND [1, 2, 3] AS x RETURN x;",
                "UNWIND [1, 2] AS x RETURN x;",
                ":limits",
                ":max-rows off",
                ":timeout off",
                "UNWIND [1, 2, 3] AS x RETURN x;",
            ],
        );
        let expected_lines = [
            "no timeout, row limit 2, no memory budget",
            "timeout 1.5 s, row limit 2, no memory budget",
            "error: exec: statement returns more than 2 rows, the row limit",
            "2 rows (",
            "timeout 1.5 s, row limit 2, no memory budget",
            "timeout 1.5 s, no row limit, no memory budget",
            "no timeout, no row limit, no memory budget",
            "3 rows (",
        ];
        let mut rest = text.as_str();
        for line in expected_lines {
            let at = rest
                .find(line)
                .unwrap_or_else(|| panic!("{line:?} in {text}"));
            rest = &rest[at + line.len()..];
        }
        assert_eq!(repl.database().limits(), &Limits::default());
    }

    #[test]
    fn blank_lines_at_the_prompt_do_nothing() {
        let mut repl = repl();
        assert_eq!(repl.feed_line("   ").unwrap(), Step::More);
        assert_eq!(repl.prompt(), PROMPT);
        assert_eq!(session(&mut repl, &[]), "");
    }

    #[test]
    fn cancelling_drops_the_unfinished_statement() {
        let mut repl = repl();
        repl.feed_line("MATCH (n)").unwrap();
        repl.cancel_pending();
        assert_eq!(repl.prompt(), PROMPT);
        assert_eq!(repl.feed_line(":help").unwrap(), Step::Ran(":help".into()));
    }

    #[test]
    fn quit_ends_the_session() {
        let mut repl = repl();
        assert_eq!(repl.feed_line(":quit").unwrap(), Step::Quit);
        assert_eq!(repl.feed_line(":exit").unwrap(), Step::Quit);
    }

    #[test]
    fn help_lists_the_commands() {
        let text = session(&mut repl(), &[":help"]);
        for command in [
            ":schema", ":mode", ":export", ":read", ":load", ":param", ":quit",
        ] {
            assert!(text.contains(command), "{command} missing from\n{text}");
        }
    }

    #[test]
    fn bad_meta_commands_print_an_error_and_go_on() {
        let mut repl = repl();
        let text = session(&mut repl, &[":frobnicate", ":mode xml"]);
        assert!(
            text.contains("error: unknown command `:frobnicate`"),
            "{text}"
        );
        assert!(text.contains("error: unknown format `xml`"), "{text}");
        assert_eq!(repl.runner().format(), Format::Table);
    }

    #[test]
    fn mode_and_timing_change_the_runner() {
        let mut repl = repl();
        let text = session(&mut repl, &[":mode csv", ":timing on"]);
        assert_eq!(text, "results are printed as csv\ntiming on\n");
        assert_eq!(repl.runner().format(), Format::Csv);
        assert!(repl.runner().timing());
    }

    #[test]
    fn schema_describes_the_graph() {
        let text = session(&mut repl(), &[":schema"]);
        assert!(text.starts_with("Labels (1):\n  Person  1\n"), "{text}");
    }

    #[test]
    fn export_without_a_result_says_so() {
        let text = session(&mut repl(), &[":export out.csv"]);
        assert_eq!(text, "error: no result to export yet\n");
    }

    #[test]
    fn a_failed_load_keeps_the_graph() {
        let mut repl = repl();
        let text = session(&mut repl, &[":load /nonexistent/datatrail"]);
        assert!(
            text.starts_with("error: load: /nonexistent/datatrail: no such folder\n"),
            "{text}"
        );
        assert!(text.ends_with("the current graph is kept\n"), "{text}");
        assert_eq!(repl.database().graph().node_count(), 1);
    }

    #[test]
    fn params_start_empty() {
        let text = session(&mut repl(), &[":params"]);
        assert_eq!(text, "no parameters (set one with :param NAME VALUE)\n");
    }

    #[test]
    fn read_names_the_script_in_diagnostics() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broken.cypher");
        std::fs::write(&path, "\n\n  RETURN ;\n").unwrap();
        let text = session(&mut repl(), &[&format!(":read {}", path.display())]);
        let place = format!("--> {}:3:", path.display());
        assert!(text.contains(&place), "{text}");
    }

    #[test]
    fn read_of_a_missing_file_is_an_error() {
        let text = session(&mut repl(), &[":read /nonexistent/x.cypher"]);
        assert!(text.starts_with("error: /nonexistent/x.cypher: "), "{text}");
    }

    #[test]
    fn errors_print_a_diagnostic_and_the_repl_goes_on() {
        // The good query needs the engine.
        let mut repl = repl();
        let text = session(&mut repl, &["RETURN nope(;", "RETURN 1 AS x;"]);
        assert!(text.starts_with("error: "), "{text}");
        assert!(text.contains("--> query:1:"), "{text}");
        assert!(text.contains("│ x │"), "{text}");
        assert!(text.contains("1 row ("), "{text}");
    }

    #[test]
    fn export_writes_the_last_result_as_csv() {
        // Needs the engine.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut repl = repl();
        let text = session(
            &mut repl,
            &[
                "UNWIND range(1, 3) AS i RETURN i;",
                &format!(":export {}", path.display()),
            ],
        );
        assert!(
            text.ends_with(&format!("3 rows written to {}\n", path.display())),
            "{text}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "i\n1\n2\n3\n");
    }

    #[test]
    fn output_sends_results_to_a_file() {
        // Needs the engine.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.csv");
        let mut repl = repl();
        let lines = [
            ":mode csv".to_string(),
            format!(":output {}", path.display()),
            "RETURN 1 AS x;".to_string(),
            ":output".to_string(),
        ];
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let text = session(&mut repl, &lines);
        assert!(!text.contains("x\n1\n"), "{text}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x\n1\n");
    }

    #[test]
    fn param_sets_a_parameter_from_a_literal() {
        // Needs the engine.
        let mut repl = repl();
        let text = session(&mut repl, &[":param who 'Kogan'", ":params"]);
        assert_eq!(text, "$who = 'Kogan'\n$who = 'Kogan'\n");
        assert_eq!(repl.database().params()["who"], Value::str("Kogan"));
        assert!(repl.take_vocabulary_stale());
    }

    #[test]
    fn save_without_a_folder_says_to_name_one() {
        let text = session(&mut repl(), &[":save"]);
        assert_eq!(
            text,
            "error: the graph is the built-in case graph, which has no folder to save to; \
             use :save DIR\n"
        );
        let mut files = repl().with_dataset(Dataset::Files);
        let text = session(&mut files, &[":save"]);
        assert!(text.contains("not a folder; use :save DIR"), "{text}");
    }

    #[test]
    fn save_writes_the_folder_and_then_saves_there_again() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("case");
        let mut repl = repl();
        let text = session(&mut repl, &[&format!(":save {}", target.display())]);
        assert_eq!(
            text,
            format!("saved 1 node and 0 relationships to {}\n", target.display())
        );
        assert_eq!(repl.dataset(), &Dataset::Folder(target.clone()));
        std::fs::remove_file(target.join("nodes.csv")).unwrap();
        session(&mut repl, &[":save"]);
        let graph = load::load_dir(&target).unwrap();
        assert_eq!(graph.node_count(), 1);
    }

    #[test]
    fn load_then_save_writes_back_to_the_loaded_folder() {
        let dir = tempfile::tempdir().unwrap();
        load::save_dir(repl().database().graph(), dir.path()).unwrap();
        let mut repl = repl();
        let text = session(
            &mut repl,
            &[&format!(":load {}", dir.path().display()), ":save"],
        );
        assert!(
            text.ends_with(&format!(
                "saved 1 node and 0 relationships to {}\n",
                dir.path().display()
            )),
            "{text}"
        );
    }

    #[test]
    fn a_failed_save_says_nothing_was_saved() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "").unwrap();
        let text = session(&mut repl(), &[&format!(":save {}", file.display())]);
        assert!(text.starts_with("error: load: "), "{text}");
        assert!(text.ends_with("\nnothing was saved\n"), "{text}");
    }

    #[test]
    fn sources_needs_a_result() {
        let text = session(&mut repl(), &[":sources"]);
        assert_eq!(text, "error: no result yet; run a query first\n");
    }

    #[test]
    fn sources_lists_the_cited_documents_and_their_rows() {
        // Needs the engine.
        let mut repl = repl();
        let text = session(
            &mut repl,
            &[
                "CREATE (:Source {id: 's1', title: 'The article', publisher: 'BBC', \
                 published: date('2018-03-17')}), ({name: 'a', sources: ['s1']}), \
                 ({name: 'b', sources: ['s1', 's2']});",
                ":mode csv",
                "MATCH (n) WHERE n.sources IS NOT NULL RETURN n ORDER BY n.name;",
                ":sources",
            ],
        );
        assert!(text.contains("│ s1     ┆ The article ┆ BBC"), "{text}");
        assert!(text.contains("2018-03-17 ┆ 1-2 "), "{text}");
        assert!(text.contains("│ s2     ┆"), "{text}");
        assert!(text.ends_with("2 sources\n"), "{text}");
    }

    #[test]
    fn sources_of_a_result_without_entities_explains_why() {
        // Needs the engine.
        let text = session(&mut repl(), &["RETURN 1 AS x;", ":sources"]);
        assert!(
            text.contains("the last result cites no sources (only nodes"),
            "{text}"
        );
    }

    #[test]
    fn the_first_change_to_a_folderless_graph_prints_a_hint_once() {
        // Needs the engine.
        let mut repl = repl();
        let text = session(
            &mut repl,
            &["CREATE (:X);", "CREATE (:Y);", "RETURN 1 AS x;"],
        );
        assert_eq!(text.matches(IN_MEMORY_HINT).count(), 1, "{text}");
        let mut folder = self::repl().with_dataset(Dataset::Folder("case".into()));
        let text = session(&mut folder, &["CREATE (:X);"]);
        assert!(!text.contains(IN_MEMORY_HINT), "{text}");
        let mut quiet = self::repl().with_quiet(true);
        let text = session(&mut quiet, &["CREATE (:X);"]);
        assert!(!text.contains(IN_MEMORY_HINT), "{text}");
    }
}
