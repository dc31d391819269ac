//! The columns of the function catalogue: what every Cypher function declares about
//! itself, read by the planner (name, argument counts), the executor (null handling),
//! the journal (whether a statement can be replayed from its text) and the shell
//! (completion, descriptions).
//!
//! The rows live in `plan::functions`: one per engine function, one per aggregate, and
//! the rows domain modules (`casework`) register as [`Extension`]s, which bring their
//! implementation with them. This module names no function; it sits below both the
//! planner and the domain modules so that each can use these types.

use crate::graph::{Graph, Value};

/// What a function's value depends on, besides its arguments and the graph.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Determinism {
    /// Its arguments and the graph alone.
    Pure,
    /// The statement's clock, which the journal records and a replay sets again.
    StatementClock,
    /// Something that differs on every run (`rand()`, a real-time clock): a statement
    /// calling it cannot be replayed from its text.
    Random,
}

/// The family a function belongs to, which also names the file of its implementation
/// under `exec/functions/`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Family {
    /// Nodes and relationships: `id`, `labels`, `type`, `properties`, ...
    Entity,
    /// Paths: `length`, `nodes`, `relationships`.
    Path,
    /// Lists (and the sizes of strings and maps): `size`, `head`, `range`, ...
    List,
    /// Strings: `toUpper`, `substring`, `split`, ...
    String,
    /// Conversions between types: `toString`, `toInteger`, ...
    Conversion,
    /// Null handling: `coalesce`, `exists`.
    Null,
    /// Numbers: `abs`, `round`, `sqrt`, `rand`, trigonometry, ...
    Math,
    /// Dates, times and durations, and the clocks.
    Temporal,
    /// Aggregates, which the planner turns into an aggregation rather than a call.
    Aggregate,
    /// A domain module's function, registered as an [`Extension`].
    Domain,
}

impl Family {
    /// Every family, in the order `SHOW FUNCTIONS` would list them.
    pub const ALL: [Family; 10] = [
        Family::Entity,
        Family::Path,
        Family::List,
        Family::String,
        Family::Conversion,
        Family::Null,
        Family::Math,
        Family::Temporal,
        Family::Aggregate,
        Family::Domain,
    ];

    /// The family's name, in lower case.
    pub fn name(self) -> &'static str {
        match self {
            Family::Entity => "entity",
            Family::Path => "path",
            Family::List => "list",
            Family::String => "string",
            Family::Conversion => "conversion",
            Family::Null => "null",
            Family::Math => "math",
            Family::Temporal => "temporal",
            Family::Aggregate => "aggregate",
            Family::Domain => "domain",
        }
    }
}

/// One row of the catalogue.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct FunctionInfo {
    /// The canonical spelling; calls match it in any case.
    pub name: &'static str,
    /// The fewest arguments a call may pass.
    pub min_args: usize,
    /// The most arguments a call may pass (`usize::MAX`: any number).
    pub max_args: usize,
    /// A null first argument gives null without running the implementation.
    pub null_in_null_out: bool,
    pub determinism: Determinism,
    pub family: Family,
    /// One line for completion and `SHOW FUNCTIONS`.
    pub description: &'static str,
}

impl FunctionInfo {
    /// Whether the planner turns a call into an aggregation.
    pub fn is_aggregate(&self) -> bool {
        self.family == Family::Aggregate
    }

    /// Whether a statement calling this function can be replayed from its text.
    pub fn is_replayable(&self) -> bool {
        self.determinism != Determinism::Random
    }
}

/// Why an extension rejected its arguments: what it expects of its first argument
/// (`a path or relationships`). The executor reports a type mismatch naming the
/// function and the value it got.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Expected(pub &'static str);

/// An extension's implementation: the graph and the argument values (the first one
/// not null when the row says `null_in_null_out`).
pub type ExtensionFn = fn(&Graph, &[Value]) -> Result<Value, Expected>;

/// A function a domain module adds to the catalogue: its row and its implementation.
#[derive(Copy, Clone, Debug)]
pub struct Extension {
    pub info: FunctionInfo,
    pub eval: ExtensionFn,
}
