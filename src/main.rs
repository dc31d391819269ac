//! The `datatrail` command: reads the arguments, loads the dataset (with a progress bar
//! for a large one on a terminal), then opens the REPL or runs statements (`-c`),
//! scripts (`-f`) or a script on stdin, saves the graph if `--save` asks, and turns the
//! outcome into an exit code: 0 success, 1 a statement failed (or saving did), 2 a
//! usage error or data that cannot be loaded, 130 interrupted by Ctrl-C. The work itself
//! happens in the application layer and the library (`app::run::Runner`, `app::progress`, `export`,
//! `load::save_dir`), where it is tested.

mod counting_alloc;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use clap::{CommandFactory, FromArgMatches, Parser};

use datatrail::Database;
use datatrail::app::progress::load_with_bar;
use datatrail::app::run::{Outcome, Runner, Streams, Width};
use datatrail::app::stream::StatementReader;
use datatrail::app::{self, Dataset, Repl};
use datatrail::export::{AtomicFile, ExportError, Format};
use datatrail::limits::{self, Limits};
use datatrail::load::{self, LoadError, Sources};

const FAILED: u8 = 1;
const USAGE: u8 = 2;
const INTERRUPTED: u8 = 130;

/// Trace how personal data moves between organisations: a graph database queried in
/// openCypher, shipped with the Cambridge Analytica case graph.
///
/// With no -c or -f, datatrail opens an interactive shell when stdin is a terminal and
/// otherwise runs the script read from stdin. Exit codes: 0 success, 1 a statement
/// failed, 2 a usage error or data that cannot be loaded, 130 interrupted.
#[derive(Parser, Debug)]
#[command(name = "datatrail", version, about, long_about)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Run one statement (repeatable; -c and -f run in the order given)
    #[arg(short = 'c', long = "command", value_name = "QUERY")]
    commands: Vec<String>,

    /// Run the statements in a script, `-` for stdin (repeatable)
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Load the dataset in DIR (nodes.csv, edges.csv, sources.csv, and the numbered
    /// nodes-2.csv, edges-2.csv, ... that --save may add) instead of the built-in case
    /// graph. Write statements that succeed are kept in DIR/datatrail.journal, on disk
    /// before they are reported, and replayed at the next load
    #[arg(long, value_name = "DIR")]
    data: Option<PathBuf>,

    /// Load a node file (repeatable; adds to --data, or replaces the built-in graph)
    #[arg(long, value_name = "FILE")]
    nodes: Vec<PathBuf>,

    /// Load a relationship file (repeatable; adds to --data, or replaces the built-in graph)
    #[arg(long, value_name = "FILE")]
    edges: Vec<PathBuf>,

    /// Load a FollowTheMoney file, one entity per line: things become nodes labelled
    /// with their schema, interval entities (Ownership, Payment, ...) relationships
    /// (repeatable; adds to --data, or replaces the built-in graph)
    #[arg(long, value_name = "FILE")]
    ftm: Vec<PathBuf>,

    /// Load the nodes and relationships in a JSON Lines file as --format jsonl writes
    /// it (repeatable; adds to --data, or replaces the built-in graph)
    #[arg(long, value_name = "FILE")]
    jsonl: Vec<PathBuf>,

    /// How to print results: table, csv, json, jsonl, or the nodes, relationships and
    /// paths returned as a graph: dot (Graphviz), mermaid, graphml, gexf (dates as
    /// spells), ftm (FollowTheMoney) [default: table on a terminal, csv otherwise]
    #[arg(long, value_enum, value_name = "FORMAT", hide_possible_values = true)]
    format: Option<Format>,

    /// Add a last column `sources` listing, per row, the ids of the source documents
    /// behind the nodes, relationships and paths it returns (`; ` between ids)
    #[arg(long)]
    with_sources: bool,

    /// Write results to FILE (replaced only when the run finishes)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,

    /// Set the query parameter $NAME to VALUE, a Cypher literal such as 'Kogan' or 42
    /// (repeatable)
    #[arg(long = "param", value_name = "NAME=VALUE", value_parser = parse_param_arg)]
    params: Vec<(String, String)>,

    /// After every statement succeeded, write the whole graph to DIR (nodes.csv,
    /// edges.csv, sources.csv), replacing the dataset files there all at once
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,

    /// Go on after a failing statement (the exit code is still 1, and --save saves
    /// nothing)
    #[arg(long)]
    continue_on_error: bool,

    /// Print how long loading and each statement took, on stderr
    #[arg(long)]
    timing: bool,

    /// Print nothing but results and errors: no greeting, progress bar, spinner or
    /// hints
    #[arg(short, long)]
    quiet: bool,

    /// Stop any statement that runs longer than SECONDS (such as 30 or 0.5) with an
    /// error [default: no timeout]
    #[arg(long, value_name = "SECONDS", value_parser = limits::parse_seconds)]
    timeout: Option<Duration>,

    /// Fail any statement that returns more than N rows, writing none of them
    /// [default: no limit]
    #[arg(long, value_name = "N", value_parser = limits::parse_rows)]
    max_rows: Option<u64>,

    /// Fail any statement whose intermediate results grow the memory in use by more
    /// than SIZE (such as 512M or 4G; `off` for no budget) [default: half the machine's
    /// memory, at most three quarters of what is available at start]
    #[arg(long, value_name = "SIZE", value_parser = parse_memory_limit)]
    memory_limit: Option<MemoryLimit>,
}

/// Subcommands.
#[derive(clap::Subcommand, Debug)]
enum Command {
    /// Serve the database to Neo4j's drivers and tools over Bolt
    Serve(datatrail::server::ServeArgs),
}

/// `--memory-limit`: a size, or `off`.
#[derive(Clone, Debug)]
struct MemoryLimit(Option<u64>);

fn parse_memory_limit(arg: &str) -> Result<MemoryLimit, String> {
    if arg.eq_ignore_ascii_case("off") {
        return Ok(MemoryLimit(None));
    }
    limits::parse_size(arg).map(|size| MemoryLimit(Some(size)))
}

#[global_allocator]
static ALLOCATOR: counting_alloc::CountingAllocator = counting_alloc::CountingAllocator;

fn parse_param_arg(arg: &str) -> Result<(String, String), String> {
    let (name, value) = arg
        .split_once('=')
        .ok_or_else(|| format!("`{arg}` is not NAME=VALUE"))?;
    let name = name.trim().trim_start_matches('$');
    if !app::command::is_identifier(name) {
        return Err(format!("`{name}` is not a parameter name"));
    }
    Ok((name.to_string(), value.to_string()))
}

/// A script to run and the name its diagnostics give it.
enum Script {
    /// A `-c` statement or a `-f` file, read whole before anything runs.
    Text { text: String, origin: String },
    /// Standard input, run statement by statement as it arrives.
    Stdin,
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Some(Command::Serve(args)) = &cli.command {
        limits::set_heap_probe(counting_alloc::allocated);
        return match datatrail::server::run(args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => fail(USAGE, &message),
        };
    }
    let sources = ordered_sources(&cli, &matches);
    let interactive = sources.is_empty() && io::stdin().is_terminal();
    if interactive && cli.save.is_some() {
        return fail(
            USAGE,
            "--save needs statements to run (-c, -f or a script on stdin); \
             in the interactive shell, use :save DIR",
        );
    }
    let scripts = if interactive {
        Vec::new()
    } else {
        match read_scripts(sources) {
            Ok(scripts) => scripts,
            Err(message) => return fail(USAGE, &message),
        }
    };
    let feedback = !cli.quiet && io::stderr().is_terminal();
    let (mut db, dataset) = match load_database(&cli, feedback) {
        Ok(loaded) => loaded,
        Err(message) => return fail(USAGE, &message),
    };
    for (name, value) in &cli.params {
        match app::parse_param(value, name) {
            Ok(value) => {
                db.params_mut().insert(name.clone(), value);
            }
            Err(diagnostic) => {
                eprint!("{diagnostic}");
                return ExitCode::from(USAGE);
            }
        }
    }
    limits::set_heap_probe(counting_alloc::allocated);
    db.set_limits(Limits {
        timeout: cli.timeout,
        max_rows: cli.max_rows,
        memory: match &cli.memory_limit {
            Some(MemoryLimit(size)) => *size,
            None => limits::default_memory_budget(),
        },
    });
    let terminal = cli.output.is_none() && io::stdout().is_terminal();
    let format = cli
        .format
        .unwrap_or(if terminal { Format::Table } else { Format::Csv });
    let runner = Runner::new(format)
        .with_timing(cli.timing)
        .with_continue_on_error(cli.continue_on_error)
        .with_sources(cli.with_sources)
        .with_spinner(interactive && feedback)
        .with_width(if terminal {
            Width::Terminal
        } else {
            Width::Unlimited
        });
    handle_ctrl_c(&db, &runner, !interactive);
    if interactive {
        let repl = Repl::new(db, runner, io::stdout())
            .with_quiet(cli.quiet)
            .with_progress(feedback)
            .with_dataset(dataset);
        return run_repl(repl, cli.output.as_deref());
    }
    let outcome = run_batch(&mut db, runner, &scripts, cli.output.as_deref());
    match (outcome, &cli.save) {
        (Err(code), _) => code,
        (Ok(Outcome::Ok), Some(dir)) => save(&mut db, dir, cli.quiet),
        (Ok(Outcome::Ok), None) => ExitCode::SUCCESS,
        (Ok(Outcome::Failed), save) => {
            if let Some(dir) = save {
                let kept = journaled_note(&db, dir);
                eprintln!("not saved to {}: a statement failed{kept}", dir.display());
            }
            ExitCode::from(FAILED)
        }
        (Ok(Outcome::Interrupted), save) => {
            if let Some(dir) = save {
                let kept = journaled_note(&db, dir);
                eprintln!("not saved to {}: interrupted{kept}", dir.display());
            }
            ExitCode::from(INTERRUPTED)
        }
    }
}

/// With `--save` into the `--data` folder, the changes of the statements that succeeded
/// are in the folder's journal all the same.
fn journaled_note(db: &Database, dir: &Path) -> &'static str {
    if db.journal().is_some_and(|journal| journal.is_for(dir)) {
        " (the changes of the statements that succeeded are kept in its journal)"
    } else {
        ""
    }
}

/// `--save DIR`, once every statement succeeded.
fn save(db: &mut Database, dir: &Path, quiet: bool) -> ExitCode {
    match db.save_dir(dir) {
        Ok(summary) => {
            if !quiet {
                eprintln!("{}", app::saved_message(&summary, dir));
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(FAILED, &format!("{e}\nnothing was saved")),
    }
}

fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

/// `-c` and `-f` arguments in the order they were given.
fn ordered_sources(cli: &Cli, matches: &clap::ArgMatches) -> Vec<(usize, Source)> {
    let indices = |id: &str| -> Vec<usize> {
        matches
            .indices_of(id)
            .map_or_else(Vec::new, |i| i.collect())
    };
    let commands = indices("commands").into_iter().zip(&cli.commands);
    let files = indices("files").into_iter().zip(&cli.files);
    let mut sources: Vec<(usize, Source)> = commands
        .map(|(i, c)| (i, Source::Command(c.clone())))
        .chain(files.map(|(i, f)| (i, Source::File(f.clone()))))
        .collect();
    sources.sort_by_key(|(i, _)| *i);
    sources
}

enum Source {
    Command(String),
    File(PathBuf),
}

/// Reads every script file before anything runs, so a missing file stops the run early.
/// Without `-c` or `-f`, the script is stdin, which runs as it arrives.
fn read_scripts(sources: Vec<(usize, Source)>) -> Result<Vec<Script>, String> {
    if sources.is_empty() {
        return Ok(vec![Script::Stdin]);
    }
    let mut scripts = Vec::with_capacity(sources.len());
    for (_, source) in sources {
        scripts.push(match source {
            Source::Command(text) => Script::Text {
                text,
                origin: "<command>".into(),
            },
            Source::File(path) if path == Path::new("-") => Script::Stdin,
            Source::File(path) => {
                let origin = path.display().to_string();
                let bytes = std::fs::read(&path).map_err(|e| format!("{origin}: {e}"))?;
                Script::Text {
                    text: script_text(bytes, &origin)?,
                    origin,
                }
            }
        });
    }
    Ok(scripts)
}

/// A script's bytes as text, or an error naming the line and column of the first byte
/// that is not UTF-8 or is NUL (a binary file given by mistake).
fn script_text(bytes: Vec<u8>, origin: &str) -> Result<String, String> {
    let (bad, what) = match std::str::from_utf8(&bytes) {
        Err(e) => (e.valid_up_to(), "is not UTF-8 text"),
        Ok(text) => match text.find('\0') {
            Some(nul) => (nul, "looks binary (a NUL byte)"),
            None => return Ok(String::from_utf8(bytes).expect("checked UTF-8")),
        },
    };
    let before = String::from_utf8_lossy(&bytes[..bad]);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Err(format!(
        "{origin}:{line}:{column}: the script {what} at byte offset {bad}"
    ))
}

/// Loads the dataset `--data`, `--nodes` and `--edges` name (the built-in case graph if
/// none), printing a `timing: load` line with `--timing`. With `progress`, a large
/// dataset shows a progress bar on stderr.
fn load_database(cli: &Cli, progress: bool) -> Result<(Database, Dataset), String> {
    let start = Instant::now();
    let (sources, dataset) = dataset_sources(cli).map_err(|e| e.to_string())?;
    let mut journal = None;
    let mut graph = match (&sources, &dataset) {
        // A folder alone is opened with its journal, which makes its changes durable.
        (Some(_), Dataset::Folder(dir)) => {
            let opened = app::open_dir(dir, progress).map_err(|e| e.to_string())?;
            opened.warnings.iter().for_each(|w| eprintln!("{w}"));
            journal = Some(opened.journal);
            Ok(opened.graph)
        }
        (Some(sources), _) => load_with_bar(sources, progress),
        (None, _) => load::load_embedded(),
    }
    .map_err(|e| e.to_string())?;
    load::load_ftm(&mut graph, &cli.ftm).map_err(|e| e.to_string())?;
    load::load_jsonl(&mut graph, &cli.jsonl).map_err(|e| e.to_string())?;
    if cli.timing {
        eprintln!(
            "timing: load {:.6} s {} {}",
            start.elapsed().as_secs_f64(),
            app::counted(graph.node_count() as u64, "node", "nodes"),
            app::counted(graph.rel_count() as u64, "relationship", "relationships")
        );
    }
    let mut db = Database::with_graph(graph);
    if let Some(journal) = journal {
        db.attach_journal(journal);
    }
    Ok((db, dataset))
}

/// The files to load: the `--data` folder's (every file [`Sources::from_dir`] finds),
/// then the `--nodes` and `--edges` files; `None` for the built-in case graph.
fn dataset_sources(cli: &Cli) -> Result<(Option<Sources>, Dataset), LoadError> {
    let (mut sources, dataset) = match &cli.data {
        // With files added, the graph is no longer the folder's: it has no journal.
        Some(dir) if adds_files(cli) => (app::data_dir_sources(dir)?, Dataset::Files),
        Some(dir) => (app::data_dir_sources(dir)?, Dataset::Folder(dir.clone())),
        None if !adds_files(cli) => {
            return Ok((None, Dataset::Embedded));
        }
        None => (Sources::default(), Dataset::Files),
    };
    sources.nodes.extend(cli.nodes.iter().cloned());
    sources.edges.extend(cli.edges.iter().cloned());
    Ok((Some(sources), dataset))
}

/// Whether files are named one by one (`--nodes`, `--edges`, `--ftm`, `--jsonl`).
fn adds_files(cli: &Cli) -> bool {
    [&cli.nodes, &cli.edges, &cli.ftm, &cli.jsonl]
        .iter()
        .any(|files| !files.is_empty())
}

/// Ctrl-C stops the running statement (through the database's interrupt flag) and the
/// run (through the runner's). In batch mode a second Ctrl-C, for a statement that does
/// not stop, exits at once.
fn handle_ctrl_c(db: &Database, runner: &Runner, batch: bool) {
    let statement = db.interrupt_flag();
    let run = runner.interrupt_signal();
    // Failing to install the handler only means Ctrl-C keeps its default effect.
    let _ = ctrlc::set_handler(move || {
        if run.swap(true, Ordering::SeqCst) && batch {
            std::process::exit(INTERRUPTED.into());
        }
        statement.store(true, Ordering::SeqCst);
    });
}

fn run_repl(repl: Repl<io::Stdout>, output: Option<&Path>) -> ExitCode {
    let outcome = repl
        .with_output(output)
        .map_err(|e| e.to_string())
        .and_then(|repl| repl.run().map_err(|e| e.to_string()));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(FAILED, &message),
    }
}

/// Where batch results go: stdout, or a file that replaces `-o FILE` at the end.
enum Sink {
    Stdout(BufWriter<io::StdoutLock<'static>>),
    File(AtomicFile),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(out) => out.write(buf),
            Sink::File(out) => out.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(out) => out.flush(),
            Sink::File(out) => out.flush(),
        }
    }
}

/// Runs the scripts in order. `Err` is the exit code for output that could not be
/// written (or a reader that went away).
fn run_batch(
    db: &mut Database,
    mut runner: Runner,
    scripts: &[Script],
    output: Option<&Path>,
) -> Result<Outcome, ExitCode> {
    let mut sink = match output {
        Some(path) => match AtomicFile::create(path) {
            Ok(file) => Sink::File(file),
            Err(e) => return Err(fail(USAGE, &e.to_string())),
        },
        None => Sink::Stdout(BufWriter::new(io::stdout().lock())),
    };
    let mut stderr = io::stderr();
    let mut outcome = Outcome::Ok;
    let continues = runner.continues_on_error();
    for script in scripts {
        let mut streams = Streams {
            results: &mut sink,
            messages: &mut stderr,
        };
        let ran = match script {
            Script::Text { text, origin } => runner
                .run_script(db, text, origin, &mut streams)
                .map_err(Err),
            Script::Stdin => {
                let mut reader = StatementReader::new(io::stdin().lock(), "<stdin>");
                runner.run_stream(db, &mut reader, "<stdin>", &mut streams)
            }
        };
        match ran {
            Ok(Outcome::Ok) => {}
            Ok(Outcome::Failed) => {
                outcome = Outcome::Failed;
                if !runner.continues_on_error() {
                    break;
                }
            }
            Ok(Outcome::Interrupted) => {
                outcome = Outcome::Interrupted;
                break;
            }
            Err(Ok(unreadable)) => {
                let _ = sink.flush();
                return Err(fail(USAGE, &unreadable));
            }
            Err(Err(e)) => return Err(output_failed(&e)),
        }
    }
    let finished = match sink {
        Sink::Stdout(mut out) => out.flush().map_err(ExportError::from),
        // A run that stopped early (a failed statement, Ctrl-C) leaves `-o FILE` as it was:
        // dropping the file removes the new one. Going on past errors finishes the run.
        Sink::File(file) if outcome == Outcome::Ok || runner_continued(outcome, continues) => {
            file.commit()
        }
        Sink::File(_) => Ok(()),
    };
    finished.map_err(|e| output_failed(&e))?;
    Ok(outcome)
}

/// Whether a run with failed statements went on to its end (`--continue-on-error`).
fn runner_continued(outcome: Outcome, continues: bool) -> bool {
    outcome == Outcome::Failed && continues
}

/// A reader that went away (`datatrail ... | head`) is a quiet success, as in ripgrep.
fn output_failed(err: &ExportError) -> ExitCode {
    if err.is_broken_pipe() {
        ExitCode::SUCCESS
    } else {
        fail(FAILED, &err.to_string())
    }
}
