//! Rewrites of a planned pipeline that keep its answers and make it cheaper.
//!
//! Each pass is a pure function from a top-level pipeline's operators to new ones, in a
//! file of its own that documents the shape it recognises (its precondition) and tests
//! it. [`PASSES`] lists them in the order they run; [`OptimizerConfig`] switches them off
//! one by one, so that a differential test can check that each keeps the answers.
//! Most passes swap a recognised shape for a special operator (`Op::RelScan`,
//! `Op::ChainCount`, `Op::AggregateRels`, `Op::CountRels`); the others mark an operator
//! with a cheaper way to run (`memoize`, `ends_only`, `bidirectional`).
//!
//! The order matters where one pass makes what another looks for: `rel_scan` makes the
//! relationship scans that `aggregate_rels` folds, and `memoize_expansions` must see the
//! expansions that `count_rels` leaves.

mod aggregate_rels;
mod bidirectional;
mod chain_count;
mod count_rels;
mod ends_only;
mod memoize;
mod rel_scan;
mod shape;

use super::logical::{Op, Pipeline};

/// One rewrite: its name (for [`OptimizerConfig::without`]) and its function.
#[derive(Copy, Clone, Debug)]
pub struct Pass {
    pub name: &'static str,
    pub rewrite: fn(Vec<Op>) -> Vec<Op>,
}

/// Every pass, in the order it runs.
pub const PASSES: &[Pass] = &[
    Pass {
        name: "ends_only_walks",
        rewrite: ends_only::mark_ends_only_walks,
    },
    Pass {
        name: "rel_scan",
        rewrite: rel_scan::scan_relationships,
    },
    Pass {
        name: "chain_count",
        rewrite: chain_count::count_chains,
    },
    Pass {
        name: "aggregate_rels",
        rewrite: aggregate_rels::aggregate_relationships,
    },
    Pass {
        name: "count_rels",
        rewrite: count_rels::count_relationships,
    },
    Pass {
        name: "memoize_expansions",
        rewrite: memoize::mark_memoized_expansions,
    },
    Pass {
        name: "bidirectional_search",
        rewrite: bidirectional::mark_bidirectional_searches,
    },
];

/// Which optimizations the planner applies: pushing predicates into expansions while
/// planning, and each pass of [`PASSES`] afterwards. All are on by default.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct OptimizerConfig {
    /// Push predicates into expansions (done while planning patterns, not by a pass).
    pub pushdown: bool,
    /// Bit `i` set: `PASSES[i]` is off.
    disabled: u64,
}

impl Default for OptimizerConfig {
    fn default() -> OptimizerConfig {
        OptimizerConfig::all()
    }
}

impl From<bool> for OptimizerConfig {
    /// Every optimization (`true`) or none (`false`).
    fn from(on: bool) -> OptimizerConfig {
        if on {
            OptimizerConfig::all()
        } else {
            OptimizerConfig::none()
        }
    }
}

impl OptimizerConfig {
    /// Every optimization.
    pub fn all() -> OptimizerConfig {
        OptimizerConfig {
            pushdown: true,
            disabled: 0,
        }
    }

    /// No optimization: no pushdown, no pass.
    pub fn none() -> OptimizerConfig {
        OptimizerConfig {
            pushdown: false,
            disabled: u64::MAX,
        }
    }

    /// This configuration with the pass called `name` off.
    ///
    /// # Panics
    /// When no pass in [`PASSES`] has that name: a misspelt name would otherwise leave
    /// the pass on and a differential test comparing nothing.
    pub fn without(mut self, name: &str) -> OptimizerConfig {
        let Some(i) = PASSES.iter().position(|p| p.name == name) else {
            let names: Vec<_> = PASSES.iter().map(|p| p.name).collect();
            panic!("no optimizer pass is called `{name}` (passes: {names:?})");
        };
        self.disabled |= 1 << i;
        self
    }

    /// Whether `PASSES[i]` runs.
    fn runs(&self, i: usize) -> bool {
        self.disabled & (1 << i) == 0
    }
}

/// Applies every pass `config` leaves on to a top-level pipeline, in order.
pub fn optimize(pipeline: Pipeline, config: &OptimizerConfig) -> Pipeline {
    let Pipeline { mut ops, reads } = pipeline;
    for (i, pass) in PASSES.iter().enumerate() {
        if config.runs(i) {
            ops = (pass.rewrite)(ops);
        }
    }
    Pipeline { ops, reads }
}

#[cfg(test)]
pub(super) mod testing {
    //! Plans for the passes' unit tests: planned with pushdown and no pass.

    use super::OptimizerConfig;
    use crate::graph::Graph;
    use crate::plan::logical::Op;

    /// The operators of the first pipeline of `query`, before any pass.
    pub fn ops_of(query: &str) -> Vec<Op> {
        let statements = crate::parser::parse(query).expect("test query parses");
        let config = OptimizerConfig {
            pushdown: true,
            disabled: u64::MAX,
        };
        let plan = crate::plan::plan_with(&statements[0], &Graph::new(), config)
            .expect("test query plans");
        plan.parts.into_iter().next().expect("one part").ops
    }

    /// The names of the operators, for comparing shapes.
    pub fn names(ops: &[Op]) -> Vec<String> {
        ops.iter()
            .map(|op| {
                let debug = format!("{op:?}");
                let end = debug.find([' ', '(', '{']).unwrap_or(debug.len());
                debug[..end].to_string()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_names_are_unique() {
        let mut names: Vec<_> = PASSES.iter().map(|p| p.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PASSES.len());
        assert!(PASSES.len() <= 64, "the disabled set is a 64-bit mask");
    }

    #[test]
    fn without_turns_one_pass_off() {
        let config = OptimizerConfig::all().without("chain_count");
        let off: Vec<_> = (0..PASSES.len()).filter(|&i| !config.runs(i)).collect();
        assert_eq!(off.len(), 1);
        assert_eq!(PASSES[off[0]].name, "chain_count");
        assert!(config.pushdown);
    }

    #[test]
    #[should_panic(expected = "no optimizer pass is called `chain_counts`")]
    fn without_rejects_an_unknown_name() {
        let _ = OptimizerConfig::all().without("chain_counts");
    }

    #[test]
    fn a_disabled_pass_leaves_its_shape() {
        let ops = testing::ops_of("MATCH ()-[r]->() RETURN type(r), count(*)");
        let all = optimize(
            Pipeline {
                ops: ops.clone(),
                reads: Vec::new(),
            },
            &OptimizerConfig::all(),
        );
        assert_eq!(testing::names(&all.ops), ["AggregateRels"]);
        let some = optimize(
            Pipeline {
                ops,
                reads: Vec::new(),
            },
            &OptimizerConfig::all().without("aggregate_rels"),
        );
        assert_eq!(testing::names(&some.ops), ["RelScan", "Aggregate"]);
    }
}
