//! Feedback while the user waits: a progress bar while a large dataset loads and a
//! spinner while a statement runs for more than a second, both drawn on stderr with
//! `indicatif`. Callers decide whether to show them at all (only when stderr is a
//! terminal and `--quiet` is off); nothing here draws into a pipe or a file.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::graph::Graph;
use crate::load::{self, LoadError, Sources};

/// Datasets with more CSV than this (4 MiB) show a progress bar while they load.
pub const PROGRESS_THRESHOLD: u64 = 4 << 20;

/// How long a statement runs before the spinner appears.
pub const SPINNER_DELAY: Duration = Duration::from_secs(1);

/// The bytes of CSV a dataset holds (files that cannot be read count as empty; the
/// loader reports them).
pub fn dataset_size(sources: &Sources) -> u64 {
    sources
        .nodes
        .iter()
        .chain(&sources.edges)
        .map(|path| std::fs::metadata(path).map_or(0, |m| m.len()))
        .sum()
}

/// Loads a dataset; with `show`, a dataset larger than [`PROGRESS_THRESHOLD`] draws a
/// progress bar on stderr, cleared at the end: the bar follows the bytes read, the text
/// counts what a person thinks in, rows (nodes and relationships) loaded and rows per
/// second, and the time left.
///
/// # Errors
/// Any [`LoadError`].
pub fn load_with_bar(sources: &Sources, show: bool) -> Result<Graph, LoadError> {
    if !show || dataset_size(sources) <= PROGRESS_THRESHOLD {
        return load::load(sources);
    }
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("loading {wide_bar} {msg}, {eta} left") {
        bar.set_style(style);
    }
    let start = Instant::now();
    let loaded = load::load_with_progress(sources, &mut |done, total, rows| {
        bar.set_length(total);
        bar.set_position(done);
        bar.set_message(rows_message(rows, start.elapsed()));
    });
    bar.finish_and_clear();
    loaded
}

/// `1,200,000 rows, 350,000 rows/s`: the rows loaded so far and the rate since `elapsed`
/// began.
pub fn rows_message(rows: u64, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let noun = if rows == 1 { "row" } else { "rows" };
    if seconds < 0.001 {
        return format!("{} {noun}", HumanCount(rows));
    }
    let rate = (rows as f64 / seconds).round() as u64;
    format!("{} {noun}, {} rows/s", HumanCount(rows), HumanCount(rate))
}

/// A spinner on stderr that appears once `delay` has passed and disappears when the
/// value is dropped. Dropping waits until the spinner is erased, so output written
/// afterwards never mixes with it.
pub struct Spinner {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    /// Starts the clock; the spinner shows `message` and the time elapsed.
    pub fn start(delay: Duration, message: &'static str) -> Spinner {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            if stopped.recv_timeout(delay) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
                bar.set_style(style);
            }
            bar.set_message(message);
            bar.enable_steady_tick(Duration::from_millis(100));
            // Returns when the sender is dropped.
            let _ = stopped.recv();
            bar.finish_and_clear();
        });
        Spinner {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spinner_stopped_early_returns_at_once() {
        let start = std::time::Instant::now();
        drop(Spinner::start(Duration::from_secs(30), "running"));
        assert!(start.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn rows_message_counts_rows_and_their_rate() {
        assert_eq!(
            rows_message(1_200_000, Duration::from_secs(2)),
            "1,200,000 rows, 600,000 rows/s"
        );
        assert_eq!(rows_message(1, Duration::from_secs(1)), "1 row, 1 rows/s");
        assert_eq!(rows_message(0, Duration::ZERO), "0 rows");
    }

    #[test]
    fn the_bar_is_fed_rows_as_the_files_load() {
        let dir = tempfile::tempdir().unwrap();
        let (nodes, edges) = (dir.path().join("n.csv"), dir.path().join("e.csv"));
        std::fs::write(&nodes, "id:ID,name\na,A\nb,B\nc,C\n").unwrap();
        std::fs::write(&edges, ":START_ID,:END_ID,:TYPE\na,b,T\nb,c,T\n").unwrap();
        let sources = Sources {
            nodes: vec![nodes],
            edges: vec![edges],
        };
        let mut seen = Vec::new();
        load::load_with_progress(&sources, &mut |_, _, rows| seen.push(rows)).unwrap();
        assert_eq!(seen.last(), Some(&5), "{seen:?}");
    }

    #[test]
    fn dataset_size_adds_up_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let (nodes, edges) = (dir.path().join("n.csv"), dir.path().join("e.csv"));
        std::fs::write(&nodes, "12345").unwrap();
        std::fs::write(&edges, "123").unwrap();
        let sources = Sources {
            nodes: vec![nodes, dir.path().join("missing.csv")],
            edges: vec![edges],
        };
        assert_eq!(dataset_size(&sources), 8);
    }
}
