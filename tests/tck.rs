//! The openCypher TCK conformance runner (`cargo test --release --test tck`).
//!
//! Reads the feature files in `$DATATRAIL_TCK` (default `../shared/tck/features`, relative
//! to the crate root) and our own in `tests/tck-extra/` (ids prefixed `extra/`), runs every
//! scenario on a fresh database on worker threads, and prints one line per area, the
//! lead's target lines and a total. `tests/tck/passing.txt` lists the scenarios that
//! passed when it was last blessed (`DATATRAIL_TCK_BLESS=1`); the run fails when one of
//! them no longer passes. `tests/tck/skip.txt` holds `id<TAB>reason` lines.
//!
//! Other knobs: `DATATRAIL_TCK_FILTER=substring` runs only matching ids;
//! `DATATRAIL_TCK_VERBOSE=1` prints each failure with its query, expected and got;
//! `DATATRAIL_TCK_REPORT=file` writes one `id<TAB>kind<TAB>summary` line per failure.

#[path = "tck/compare.rs"]
mod compare;
#[path = "tck/gherkin.rs"]
mod gherkin;
#[path = "tck/pool.rs"]
mod pool;
#[path = "tck/report.rs"]
mod report;
#[path = "tck/scenario.rs"]
mod scenario;
#[path = "tck/values.rs"]
mod values;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use gherkin::Scenario;

/// The environment-driven settings of one run.
pub struct Config {
    /// The TCK's `features/` folder, when it exists.
    pub features: Option<PathBuf>,
    pub extra: PathBuf,
    pub lists: PathBuf,
    pub filter: Option<String>,
    pub verbose: bool,
    pub bless: bool,
    pub report: Option<PathBuf>,
}

impl Config {
    fn from_env() -> Config {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let features = std::env::var_os("DATATRAIL_TCK")
            .map_or_else(|| root.join("../shared/tck/features"), |p| root.join(p));
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Config {
            features: features.is_dir().then_some(features),
            extra: root.join("tests/tck-extra"),
            lists: root.join("tests/tck"),
            filter: var("DATATRAIL_TCK_FILTER"),
            verbose: var("DATATRAIL_TCK_VERBOSE").is_some_and(|v| v != "0"),
            bless: var("DATATRAIL_TCK_BLESS").is_some_and(|v| v != "0"),
            report: var("DATATRAIL_TCK_REPORT").map(PathBuf::from),
        }
    }
}

fn main() -> ExitCode {
    values::self_check();
    let config = Config::from_env();
    let started = Instant::now();
    let mut scenarios = Vec::new();
    match &config.features {
        Some(dir) => {
            if let Err(e) = load_dir(dir, "", &mut scenarios) {
                eprintln!("tck: {e}");
                return ExitCode::FAILURE;
            }
        }
        None => println!(
            "tck: no TCK features folder found (set DATATRAIL_TCK, default ../shared/tck/features); \
             running only tests/tck-extra"
        ),
    }
    if config.extra.is_dir()
        && let Err(e) = load_dir(&config.extra, "extra/", &mut scenarios)
    {
        eprintln!("tck: {e}");
        return ExitCode::FAILURE;
    }
    let lists = match report::Lists::load(&config) {
        Ok(lists) => lists,
        Err(e) => {
            eprintln!("tck: {e}");
            return ExitCode::FAILURE;
        }
    };
    let plan = report::Plan::new(scenarios, &config, &lists);
    let graphs = config
        .features
        .as_ref()
        .map_or_else(|| config.extra.clone(), |f| f.join("../graphs"));
    let parsed = started.elapsed();
    let outcomes = pool::run_all(&plan.to_run, &graphs);
    let ok = report::report(&plan, &outcomes, &lists, &config);
    println!(
        "tck: ran {} scenarios in {:.1?} (parsing {:.1?})",
        plan.to_run.len(),
        started.elapsed(),
        parsed
    );
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Parses every `.feature` file under `dir`, ids prefixed by `prefix` and the file's
/// path relative to `dir`.
fn load_dir(dir: &Path, prefix: &str, out: &mut Vec<Scenario>) -> Result<(), String> {
    let mut files = BTreeMap::new();
    collect_features(dir, dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (rel, path) in files {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        out.extend(gherkin::parse_feature(&format!("{prefix}{rel}"), &text)?);
    }
    Ok(())
}

fn collect_features(
    root: &Path,
    dir: &Path,
    out: &mut BTreeMap<String, PathBuf>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_features(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "feature") {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel = rel.to_string_lossy().replace('\\', "/");
            out.insert(rel, path);
        }
    }
    Ok(())
}
