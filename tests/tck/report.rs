//! Choosing what to run (filter, `@ignore`, skip list), printing the summary (areas, the
//! lead's targets, failure kinds, slowest scenarios), and keeping `passing.txt`: checking
//! that every listed scenario still passes, or rewriting it when blessing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::Config;
use crate::gherkin::Scenario;
use crate::pool::Outcome;

/// The lists kept next to the runner and beside the TCK.
pub struct Lists {
    pub passing: BTreeSet<String>,
    passing_path: PathBuf,
    /// Scenario id → reason.
    pub skip: BTreeMap<String, String>,
    /// Feature paths of `core-tier-a.txt` and `core-tier-b.txt`, when present.
    tier_a: Option<BTreeSet<String>>,
    tier_b: Option<BTreeSet<String>>,
}

impl Lists {
    /// Reads `passing.txt`, `skip.txt` and the core tier lists.
    ///
    /// # Errors
    /// A malformed `skip.txt` line.
    pub fn load(config: &Config) -> Result<Lists, String> {
        let read = |p: &PathBuf| std::fs::read_to_string(p).unwrap_or_default();
        let passing_path = config.lists.join("passing.txt");
        let passing = entries(&read(&passing_path)).map(str::to_string).collect();
        let mut skip = BTreeMap::new();
        for line in entries(&read(&config.lists.join("skip.txt"))) {
            let (id, reason) = line
                .split_once('\t')
                .ok_or_else(|| format!("skip.txt: `{line}` has no tab and reason"))?;
            skip.insert(id.trim().to_string(), reason.trim().to_string());
        }
        let tier = |name: &str| {
            let path = config.features.as_ref()?.join("..").join(name);
            let text = std::fs::read_to_string(path).ok()?;
            Some(entries(&text).map(str::to_string).collect())
        };
        Ok(Lists {
            passing,
            passing_path,
            skip,
            tier_a: tier("core-tier-a.txt"),
            tier_b: tier("core-tier-b.txt"),
        })
    }
}

/// Non-empty lines that are not `#` comments.
fn entries(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

/// What this run covers.
pub struct Plan {
    pub to_run: Vec<Scenario>,
    pub skipped: Vec<(String, String)>,
    pub ignored: Vec<String>,
    /// Every scenario id that exists (before filtering).
    pub known: BTreeSet<String>,
    pub tck_loaded: bool,
    pub filter: Option<String>,
}

impl Plan {
    pub fn new(scenarios: Vec<Scenario>, config: &Config, lists: &Lists) -> Plan {
        let mut plan = Plan {
            to_run: Vec::new(),
            skipped: Vec::new(),
            ignored: Vec::new(),
            known: scenarios.iter().map(|s| s.id.clone()).collect(),
            tck_loaded: config.features.is_some(),
            filter: config.filter.clone(),
        };
        for scenario in scenarios {
            if !plan.in_scope(&scenario.id) {
                continue;
            }
            if scenario.tags.iter().any(|t| t == "@ignore") {
                plan.ignored.push(scenario.id);
            } else if let Some(reason) = lists.skip.get(&scenario.id) {
                plan.skipped.push((scenario.id, reason.clone()));
            } else {
                plan.to_run.push(scenario);
            }
        }
        plan
    }

    /// Whether `id` is one this run was asked about (filter, TCK folder present).
    fn in_scope(&self, id: &str) -> bool {
        let filtered_in = self.filter.as_ref().is_none_or(|f| id.contains(f.as_str()));
        filtered_in && (self.tck_loaded || is_extra(id))
    }
}

fn is_extra(id: &str) -> bool {
    id.starts_with("extra/")
}

fn feature_of(id: &str) -> &str {
    id.rsplit_once(':').map_or(id, |(f, _)| f)
}

/// `clauses/match` for `clauses/match/Match4.feature:31`; `extra` for our own.
fn area_of(id: &str) -> &str {
    if is_extra(id) {
        return "extra";
    }
    let feature = feature_of(id);
    feature.rsplit_once('/').map_or(feature, |(dir, _)| dir)
}

#[derive(Default, Clone, Copy)]
struct Tally {
    pass: usize,
    total: usize,
}

impl Tally {
    fn add(&mut self, passed: bool) {
        self.total += 1;
        self.pass += usize::from(passed);
    }

    fn show(self) -> String {
        let pct = if self.total == 0 {
            100.0
        } else {
            100.0 * self.pass as f64 / self.total as f64
        };
        format!("{}/{} ({pct:.1}%)", self.pass, self.total)
    }
}

/// Prints the summary and checks (or blesses) `passing.txt`; `true` when the run passes.
pub fn report(plan: &Plan, outcomes: &[Outcome], lists: &Lists, config: &Config) -> bool {
    let passed: BTreeSet<&str> = plan
        .to_run
        .iter()
        .zip(outcomes)
        .filter(|(_, o)| o.result.is_ok())
        .map(|(s, _)| s.id.as_str())
        .collect();
    if config.verbose {
        print_failures(plan, outcomes);
    }
    print_extra_failures(plan, outcomes);
    print_areas(plan, &passed);
    print_kinds(plan, outcomes);
    print_slowest(plan, outcomes);
    for (id, reason) in &plan.skipped {
        println!("tck: skipped {id}: {reason}");
    }
    if !plan.ignored.is_empty() {
        println!(
            "tck: {} scenarios tagged @ignore not run",
            plan.ignored.len()
        );
    }
    print_targets(plan, &passed, lists);
    if let Some(path) = &config.report {
        write_report(path, plan, outcomes);
    }
    check_passing(plan, &passed, lists, config)
}

fn print_failures(plan: &Plan, outcomes: &[Outcome]) {
    for (scenario, outcome) in plan.to_run.iter().zip(outcomes) {
        if let Err(f) = &outcome.result {
            println!("FAIL {}  {}", scenario.id, scenario.name);
            println!("  {}: {}", f.kind, f.summary);
            for line in f.detail.lines() {
                println!("  {line}");
            }
            println!();
        }
    }
}

/// Our own scenarios must all pass, so their failures are always shown.
fn print_extra_failures(plan: &Plan, outcomes: &[Outcome]) {
    for (scenario, outcome) in plan.to_run.iter().zip(outcomes) {
        if let (true, Err(f)) = (is_extra(&scenario.id), &outcome.result) {
            println!(
                "tck: FAIL {} ({}): {}: {}",
                scenario.id, scenario.name, f.kind, f.summary
            );
        }
    }
}

fn print_areas(plan: &Plan, passed: &BTreeSet<&str>) {
    let mut areas: BTreeMap<&str, Tally> = BTreeMap::new();
    for s in &plan.to_run {
        areas
            .entry(area_of(&s.id))
            .or_default()
            .add(passed.contains(s.id.as_str()));
    }
    let width = areas.keys().map(|a| a.len() + 1).max().unwrap_or(0);
    for (area, tally) in areas {
        println!("tck: {:<width$} {}", format!("{area}:"), tally.show());
    }
}

fn print_kinds(plan: &Plan, outcomes: &[Outcome]) {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, o) in plan.to_run.iter().zip(outcomes) {
        if let Err(f) = &o.result {
            *kinds.entry(f.kind).or_default() += 1;
        }
    }
    if kinds.is_empty() {
        return;
    }
    let mut kinds: Vec<_> = kinds.into_iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let shown: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("tck: failures by kind: {}", shown.join(", "));
}

fn print_slowest(plan: &Plan, outcomes: &[Outcome]) {
    let mut times: Vec<_> = plan.to_run.iter().zip(outcomes).collect();
    times.sort_by_key(|t| std::cmp::Reverse(t.1.elapsed));
    let shown: Vec<String> = times
        .iter()
        .take(5)
        .map(|(s, o)| format!("{} {:.2?}", s.id, o.elapsed))
        .collect();
    if !shown.is_empty() {
        println!("tck: slowest: {}", shown.join(", "));
    }
}

fn print_targets(plan: &Plan, passed: &BTreeSet<&str>, lists: &Lists) {
    let mut tier_a = Tally::default();
    let mut tier_b = Tally::default();
    let mut outside = Tally::default();
    let mut extra = Tally::default();
    let mut total = Tally::default();
    for s in &plan.to_run {
        let ok = passed.contains(s.id.as_str());
        if is_extra(&s.id) {
            extra.add(ok);
            continue;
        }
        total.add(ok);
        let feature = feature_of(&s.id);
        if lists.tier_a.as_ref().is_some_and(|t| t.contains(feature)) {
            tier_a.add(ok);
        }
        if lists.tier_b.as_ref().is_some_and(|t| t.contains(feature)) {
            tier_b.add(ok);
        }
        if !s.id.starts_with("expressions/temporal/") && !s.id.starts_with("clauses/call/") {
            outside.add(ok);
        }
    }
    if let Some(filter) = &plan.filter {
        println!("tck: (only ids containing `{filter}`)");
    }
    if plan.tck_loaded {
        println!("tck: core tier a: {}", tier_a.show());
        println!("tck: core tier b: {}", tier_b.show());
        println!("tck: outside temporal and call: {}", outside.show());
    }
    println!("tck: extra (tests/tck-extra): {}", extra.show());
    println!(
        "tck: {}/{} scenarios pass ({:.1}%)",
        total.pass,
        total.total,
        if total.total == 0 {
            100.0
        } else {
            100.0 * total.pass as f64 / total.total as f64
        }
    );
}

fn write_report(path: &std::path::Path, plan: &Plan, outcomes: &[Outcome]) {
    let mut out = String::new();
    for (s, o) in plan.to_run.iter().zip(outcomes) {
        if let Err(f) = &o.result {
            let summary = f.summary.replace(['\t', '\n'], " ");
            let _ = writeln!(out, "{}\t{}\t{}", s.id, f.kind, summary);
        }
    }
    if let Err(e) = std::fs::write(path, out) {
        eprintln!("tck: cannot write {}: {e}", path.display());
    }
}

/// Fails when a scenario listed in `passing.txt` (and in this run's scope) no longer
/// passes or no longer exists; with `DATATRAIL_TCK_BLESS=1`, rewrites the list instead.
fn check_passing(plan: &Plan, passed: &BTreeSet<&str>, lists: &Lists, config: &Config) -> bool {
    // Skipped and @ignore scenarios were not run, so their entries stay as they are.
    let held_back: BTreeSet<&str> = plan
        .skipped
        .iter()
        .map(|(id, _)| id.as_str())
        .chain(plan.ignored.iter().map(String::as_str))
        .collect();
    let judged = |id: &&str| plan.in_scope(id) && !held_back.contains(id);
    let lost: Vec<&str> = lists
        .passing
        .iter()
        .map(String::as_str)
        .filter(|id| judged(id) && !passed.contains(id))
        .collect();
    let new = passed
        .iter()
        .filter(|id| !lists.passing.contains(**id))
        .count();
    if config.bless {
        let kept = lists
            .passing
            .iter()
            .map(String::as_str)
            .filter(|id| !judged(id));
        let list: BTreeSet<&str> = kept.chain(passed.iter().copied()).collect();
        return bless(&lists.passing_path, &list, new, lost.len());
    }
    if new > 0 {
        println!(
            "tck: {new} scenarios pass that passing.txt does not list \
             (DATATRAIL_TCK_BLESS=1 records them)"
        );
    }
    if lost.is_empty() {
        return true;
    }
    println!(
        "tck: {} scenarios listed in tests/tck/passing.txt no longer pass:",
        lost.len()
    );
    for id in &lost {
        let why = if plan.known.contains(*id) {
            "fails"
        } else {
            "no such scenario"
        };
        println!("tck:   {id} ({why})");
    }
    false
}

fn bless(path: &std::path::Path, list: &BTreeSet<&str>, new: usize, dropped: usize) -> bool {
    let mut text = String::new();
    for id in list {
        let _ = writeln!(text, "{id}");
    }
    if let Err(e) = std::fs::write(path, text) {
        eprintln!("tck: cannot write {}: {e}", path.display());
        return false;
    }
    println!(
        "tck: blessed {} ({} ids; {new} new, {dropped} dropped)",
        path.display(),
        list.len()
    );
    true
}
