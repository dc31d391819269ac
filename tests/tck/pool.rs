//! Running scenarios on worker threads with large stacks (the parser recurses; the TCK's
//! `Literals7`/`Literals8` nest 40 deep), catching panics, and a watchdog: a scenario
//! running longer than [`TIME_LIMIT`] is recorded as a failure, its statement is
//! interrupted, and a fresh worker takes over the rest of the queue.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::gherkin::Scenario;
use crate::scenario::{self, Env, Failure, Guard};

/// How long one scenario may run before it counts as a failure.
pub const TIME_LIMIT: Duration = Duration::from_secs(10);
const STACK_SIZE: usize = 64 << 20;

/// The result of one scenario and how long it took.
pub struct Outcome {
    pub result: Result<(), Failure>,
    pub elapsed: Duration,
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// What a worker is running now.
struct Running {
    index: usize,
    start: Instant,
    guard: Arc<Guard>,
}

#[derive(Default)]
struct Slot {
    running: Mutex<Option<Running>>,
}

struct Queue {
    scenarios: Arc<Vec<Scenario>>,
    graphs: Arc<PathBuf>,
    next: Arc<AtomicUsize>,
    tx: Sender<(usize, Outcome)>,
}

/// Runs every scenario and returns their outcomes in the same order.
pub fn run_all(scenarios: &[Scenario], graphs: &std::path::Path) -> Vec<Outcome> {
    let total = scenarios.len();
    panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
    }));
    let (tx, rx) = mpsc::channel();
    let queue = Queue {
        scenarios: Arc::new(scenarios.to_vec()),
        graphs: Arc::new(graphs.to_path_buf()),
        next: Arc::new(AtomicUsize::new(0)),
        tx,
    };
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut live: Vec<(Arc<Slot>, JoinHandle<()>)> = (0..workers.min(total.max(1)))
        .map(|_| spawn(&queue))
        .collect();
    let mut outcomes: Vec<Option<Outcome>> = (0..total).map(|_| None).collect();
    let mut done = 0;
    while done < total {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok((i, outcome)) if outcomes[i].is_none() => {
                outcomes[i] = Some(outcome);
                done += 1;
            }
            Ok(_) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        done += watchdog(&mut live, &mut outcomes, &queue);
        if live.iter().all(|(_, handle)| handle.is_finished()) && done < total {
            // Every worker is gone; drain what they sent, then give up on the rest.
            while let Ok((i, outcome)) = rx.try_recv() {
                outcomes[i].get_or_insert(outcome);
            }
            break;
        }
    }
    panic::set_hook(Box::new(|info| eprintln!("{info}")));
    outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| Outcome {
                result: Err(Failure {
                    kind: "runner",
                    summary: "never finished (a worker died)".into(),
                    detail: String::new(),
                }),
                elapsed: Duration::ZERO,
            })
        })
        .collect()
}

/// Interrupts scenarios over the time limit, records them as failures and starts a
/// replacement worker for each; returns how many outcomes it recorded.
fn watchdog(
    live: &mut Vec<(Arc<Slot>, JoinHandle<()>)>,
    outcomes: &mut [Option<Outcome>],
    queue: &Queue,
) -> usize {
    let mut recorded = 0;
    let mut replacements = 0;
    for (slot, _) in live.iter() {
        let running = slot.running.lock().unwrap_or_else(|e| e.into_inner());
        let Some(run) = running.as_ref() else {
            continue;
        };
        let elapsed = run.start.elapsed();
        if elapsed < TIME_LIMIT {
            continue;
        }
        let first_time = !run.guard.timed_out.load(Ordering::Relaxed);
        // Raised again on every tick: a new statement clears the database's flag.
        run.guard.interrupt();
        if first_time && outcomes[run.index].is_none() {
            outcomes[run.index] = Some(Outcome {
                result: Err(Failure {
                    kind: "timeout",
                    summary: format!("still running after {}s", TIME_LIMIT.as_secs()),
                    detail: String::new(),
                }),
                elapsed,
            });
            recorded += 1;
        }
        if first_time {
            replacements += 1;
        }
    }
    for _ in 0..replacements {
        live.push(spawn(queue));
    }
    recorded
}

fn spawn(queue: &Queue) -> (Arc<Slot>, JoinHandle<()>) {
    let slot = Arc::new(Slot::default());
    let worker_slot = slot.clone();
    let scenarios = queue.scenarios.clone();
    let graphs = queue.graphs.clone();
    let next = queue.next.clone();
    let tx = queue.tx.clone();
    let handle = std::thread::Builder::new()
        .name("tck-worker".into())
        .stack_size(STACK_SIZE)
        .spawn(move || work(&scenarios, &graphs, &next, &worker_slot, &tx))
        .expect("spawn a TCK worker thread");
    (slot, handle)
}

fn work(
    scenarios: &[Scenario],
    graphs: &std::path::Path,
    next: &AtomicUsize,
    slot: &Slot,
    tx: &Sender<(usize, Outcome)>,
) {
    loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(scenario) = scenarios.get(index) else {
            return;
        };
        let guard = Arc::new(Guard::default());
        let start = Instant::now();
        *slot.running.lock().unwrap_or_else(|e| e.into_inner()) = Some(Running {
            index,
            start,
            guard: guard.clone(),
        });
        let env = Env {
            graphs,
            guard: &guard,
        };
        let result = panic::catch_unwind(AssertUnwindSafe(|| scenario::run(scenario, &env)))
            .unwrap_or_else(|payload| Err(panic_failure(payload.as_ref())));
        *slot.running.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let elapsed = start.elapsed();
        let _ = tx.send((index, Outcome { result, elapsed }));
        if guard.timed_out.load(Ordering::Relaxed) {
            // The watchdog has started a replacement for this worker.
            return;
        }
    }
}

fn panic_failure(payload: &(dyn std::any::Any + Send)) -> Failure {
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "non-string panic".into());
    let full = LAST_PANIC
        .with(|p| p.borrow_mut().take())
        .unwrap_or(message.clone());
    Failure {
        kind: "panic",
        summary: full.split_whitespace().collect::<Vec<_>>().join(" "),
        detail: full,
    }
}
