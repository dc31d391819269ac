//! The logical plan: a resolved query. Variables are row slots, names of labels, types
//! and keys are looked up in the graph once, functions are resolved, and each single
//! query is a pipeline of operators that rows flow through from first to last.

use std::sync::OnceLock;

use crate::ast::{BinaryOp, QuantifierKind, UnaryOp};
use crate::graph::{Direction, Graph, Symbol, Value};
use crate::span::Span;

use super::functions::Function;

/// A position in a row.
pub type Slot = usize;

/// Which symbol table a [`Name`] lives in.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NameKind {
    Label,
    Type,
    Key,
}

/// A label, relationship type or property key, resolved to its symbol the first time the
/// graph knows it. Symbols are never renumbered, so the cached value stays right.
#[derive(Debug)]
pub struct Name {
    pub name: String,
    pub kind: NameKind,
    symbol: OnceLock<Symbol>,
}

impl Clone for Name {
    fn clone(&self) -> Name {
        let symbol = OnceLock::new();
        if let Some(s) = self.symbol.get() {
            let _ = symbol.set(*s);
        }
        Name {
            name: self.name.clone(),
            kind: self.kind,
            symbol,
        }
    }
}

impl Name {
    pub fn new(name: &str, kind: NameKind, graph: &Graph) -> Name {
        let n = Name {
            name: name.to_string(),
            kind,
            symbol: OnceLock::new(),
        };
        n.resolve(graph);
        n
    }

    /// The symbol, if the graph has ever used this name.
    pub fn resolve(&self, graph: &Graph) -> Option<Symbol> {
        if let Some(s) = self.symbol.get() {
            return Some(*s);
        }
        let found = match self.kind {
            NameKind::Label => graph.label_symbol(&self.name),
            NameKind::Type => graph.type_symbol(&self.name),
            NameKind::Key => graph.key_symbol(&self.name),
        }?;
        let _ = self.symbol.set(found);
        Some(found)
    }
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    Const(Value),
    Param(String),
    Slot(Slot),
    Property {
        base: Box<Expr>,
        key: Name,
    },
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
    },
    Slice {
        base: Box<Expr>,
        from: Option<Box<Expr>>,
        to: Option<Box<Expr>>,
    },
    HasLabels {
        base: Box<Expr>,
        labels: Vec<Name>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    IsNull {
        operand: Box<Expr>,
        negated: bool,
    },
    List(Vec<Expr>),
    Map(Vec<(String, Expr)>),
    Call {
        function: Function,
        args: Vec<Expr>,
    },
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        else_: Option<Box<Expr>>,
    },
    ListComprehension {
        slot: Slot,
        list: Box<Expr>,
        filter: Option<Box<Expr>>,
        map: Option<Box<Expr>>,
    },
    Quantifier {
        kind: QuantifierKind,
        slot: Slot,
        list: Box<Expr>,
        predicate: Option<Box<Expr>>,
    },
    Reduce {
        accumulator: Slot,
        init: Box<Expr>,
        slot: Slot,
        list: Box<Expr>,
        expr: Box<Expr>,
    },
    /// Runs `pipeline` from the current row; `collect` maps each result row to a list item.
    /// Without `collect` the value is whether any row came out (EXISTS, pattern predicates).
    Subquery {
        pipeline: Box<Pipeline>,
        collect: Option<Box<Expr>>,
    },
    MapProjection {
        base: Box<Expr>,
        items: Vec<MapProjectionItem>,
    },
}

#[derive(Clone, Debug)]
pub enum MapProjectionItem {
    AllProperties,
    Property(Name),
    Entry(String, Expr),
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// Every slot the expression reads, including those read inside subqueries.
    pub fn slots(&self, out: &mut Vec<Slot>) {
        self.visit(&mut |e| match &e.kind {
            ExprKind::Slot(s) => out.push(*s),
            ExprKind::Subquery { pipeline, .. } => out.extend(pipeline.reads.iter().copied()),
            _ => {}
        });
    }

    /// Calls `f` on this expression and every sub-expression.
    pub fn visit(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Const(_) | ExprKind::Param(_) | ExprKind::Slot(_) => {}
            ExprKind::Property { base, .. } | ExprKind::HasLabels { base, .. } => base.visit(f),
            ExprKind::Index { base, index } => {
                base.visit(f);
                index.visit(f);
            }
            ExprKind::Slice { base, from, to } => {
                base.visit(f);
                from.iter().chain(to).for_each(|e| e.visit(f));
            }
            ExprKind::Unary { operand, .. } | ExprKind::IsNull { operand, .. } => operand.visit(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.visit(f);
                rhs.visit(f);
            }
            ExprKind::List(items) | ExprKind::Call { args: items, .. } => {
                items.iter().for_each(|e| e.visit(f))
            }
            ExprKind::Map(entries) => entries.iter().for_each(|(_, e)| e.visit(f)),
            ExprKind::Case {
                operand,
                whens,
                else_,
            } => {
                operand.iter().for_each(|e| e.visit(f));
                for (w, t) in whens {
                    w.visit(f);
                    t.visit(f);
                }
                else_.iter().for_each(|e| e.visit(f));
            }
            ExprKind::ListComprehension {
                list, filter, map, ..
            } => {
                list.visit(f);
                filter.iter().chain(map).for_each(|e| e.visit(f));
            }
            ExprKind::Quantifier {
                list, predicate, ..
            } => {
                list.visit(f);
                predicate.iter().for_each(|e| e.visit(f));
            }
            ExprKind::Reduce {
                init, list, expr, ..
            } => {
                init.visit(f);
                list.visit(f);
                expr.visit(f);
            }
            ExprKind::Subquery { collect, .. } => collect.iter().for_each(|e| e.visit(f)),
            ExprKind::MapProjection { base, items } => {
                base.visit(f);
                for item in items {
                    if let MapProjectionItem::Entry(_, e) = item {
                        e.visit(f);
                    }
                }
            }
        }
    }
}

/// Conditions a node must meet: labels and property equalities.
#[derive(Clone, Debug, Default)]
pub struct NodeFilter {
    pub labels: Vec<Name>,
    pub props: Vec<(Name, Expr)>,
    /// A whole map of properties given as a parameter: `(n $props)`.
    pub prop_map: Option<Expr>,
}

impl NodeFilter {
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty() && self.props.is_empty() && self.prop_map.is_none()
    }
}

/// Conditions a relationship must meet: one of the types and property equalities.
#[derive(Clone, Debug, Default)]
pub struct RelFilter {
    pub types: Vec<Name>,
    pub props: Vec<(Name, Expr)>,
    pub prop_map: Option<Expr>,
    /// Per-hop predicates (inline `WHERE`, and `all`/`none` over the path's
    /// relationships pushed down), each evaluated with the relationship in its slot.
    pub predicates: Vec<(Slot, Expr)>,
}

/// How to find the first node of a pattern.
#[derive(Clone, Debug)]
pub enum NodeSource {
    All,
    Label(Name),
    /// Through the name index: nodes whose `name` equals the expression.
    Name(Expr),
}

/// One relationship step of a path being assembled.
#[derive(Clone, Debug)]
pub enum PathStep {
    Single(Slot),
    /// A variable-length relationship list.
    Var(Slot),
}

/// Which earlier relationships of the same MATCH a new one must differ from.
#[derive(Clone, Debug, Default)]
pub struct Uniqueness {
    pub singles: Vec<Slot>,
    pub lists: Vec<Slot>,
}

/// The time-respecting path mode on one relationship step: the hop's date (the first of
/// `keys` it has) must not be earlier than the date in `slot`, which it then updates.
#[derive(Clone, Debug)]
pub struct TimeCheck {
    pub keys: Vec<Name>,
    pub strict: bool,
    /// Hidden slot holding the last date seen along the path (null before the first).
    pub slot: Slot,
}

#[derive(Clone, Debug)]
pub struct Expand {
    pub from: Slot,
    pub rel: Slot,
    pub to: Slot,
    pub direction: Direction,
    pub rel_filter: RelFilter,
    pub to_filter: NodeFilter,
    /// `to` is already bound: check it instead of binding it.
    pub to_bound: bool,
    /// The relationship variable is already bound.
    pub rel_bound: bool,
    pub unique: Uniqueness,
    pub time: Option<TimeCheck>,
    /// Which neighbours pass the relationship and end-node filters depends on the
    /// `from` node alone (set by `optimize`): a node met again, typically a hub reached
    /// from many rows, reuses the list found the first time instead of rescanning.
    pub memoize: bool,
}

#[derive(Clone, Debug)]
pub struct VarExpand {
    pub from: Slot,
    /// The list of relationships walked, in pattern order.
    pub rels: Slot,
    pub to: Slot,
    pub direction: Direction,
    pub min: u64,
    pub max: Option<u64>,
    pub rel_filter: RelFilter,
    pub to_filter: NodeFilter,
    pub to_bound: bool,
    /// The walk runs against the pattern's direction; reverse the list when binding it.
    pub reversed: bool,
    /// The relationship list is bound already: follow exactly it.
    pub rels_bound: bool,
    /// Nothing reads the relationship list, the MATCH has no other relationship, and the
    /// walk is directed with a lower bound of 0 or 1: a candidate for [`Self::ends_only`].
    pub ends_only_candidate: bool,
    /// Only the set of end nodes matters downstream (set by `optimize`): a breadth-first
    /// search with a visited set finds each once, instead of enumerating every trail.
    pub ends_only: bool,
    pub unique: Uniqueness,
    pub time: Option<TimeCheck>,
}

/// `count(*)` of a two-hop chain `(a)-[r1]-(b)-[r2]-(c)`, counted per middle node
/// instead of row by row (set by `optimize`): with `left(b)` the `(a, r1)` and
/// `right(b)` the `(r2, c)` that meet their conditions, the count is the sum over `b` of
/// the pairs of `left(b) × right(b)` whose keys satisfy `cross`, found by sorting one
/// side's keys and searching them, less the pairs that use one relationship twice.
#[derive(Clone, Debug)]
pub struct ChainCount {
    pub middle: Slot,
    /// Labels and properties of the middle node, and the WHERE conditions on it alone.
    pub middle_filter: NodeFilter,
    pub middle_conditions: Vec<Expr>,
    pub left: ChainSide,
    pub right: ChainSide,
    /// `left.key op right.key` must be true for a pair to count (no condition: every
    /// pair counts).
    pub cross: Option<BinaryOp>,
    /// The two hops can match the same relationship (their type sets overlap), which
    /// relationship uniqueness then excludes.
    pub rels_may_repeat: bool,
}

/// One hop of a [`ChainCount`], as seen from the middle node.
#[derive(Clone, Debug)]
pub struct ChainSide {
    pub rel: Slot,
    pub end: Slot,
    /// From the middle node toward the end.
    pub direction: Direction,
    pub rel_filter: RelFilter,
    pub end_filter: NodeFilter,
    /// WHERE conditions reading this side's variables (and maybe the middle node's).
    pub conditions: Vec<Expr>,
    /// This side's operand of the cross comparison.
    pub key: Option<Expr>,
}

#[derive(Clone, Debug)]
pub struct ShortestPath {
    pub from: Slot,
    pub to: Slot,
    pub path: Slot,
    pub rels: Option<Slot>,
    pub direction: Direction,
    pub min: u64,
    pub max: Option<u64>,
    pub rel_filter: RelFilter,
    pub all: bool,
    /// Search from both ends at once, expanding the smaller frontier (set by `optimize`
    /// for a single shortest path whose relationship conditions are per hop).
    pub bidirectional: bool,
}

/// A node to create: an existing variable, or a new node with labels and properties.
#[derive(Clone, Debug)]
pub struct CreateNode {
    pub slot: Slot,
    pub existing: bool,
    pub labels: Vec<String>,
    pub props: Option<Expr>,
}

#[derive(Clone, Debug)]
pub struct CreateRel {
    pub slot: Slot,
    pub start: Slot,
    pub end: Slot,
    pub rel_type: String,
    pub props: Option<Expr>,
}

/// A path to create: nodes in order and the relationships between them.
#[derive(Clone, Debug)]
pub struct CreatePattern {
    pub nodes: Vec<CreateNode>,
    pub rels: Vec<CreateRel>,
    pub path: Option<(Slot, Vec<Slot>, Vec<Slot>)>,
}

#[derive(Clone, Debug)]
pub enum SetOp {
    Property {
        target: Expr,
        key: String,
        value: Expr,
    },
    Replace {
        target: Expr,
        value: Expr,
    },
    Merge {
        target: Expr,
        value: Expr,
    },
    AddLabels {
        target: Expr,
        labels: Vec<String>,
    },
    RemoveLabels {
        target: Expr,
        labels: Vec<String>,
    },
}

/// How an aggregate folds its input.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AggregateKind {
    CountStar,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    Collect,
    StDev,
    StDevP,
    PercentileCont,
    PercentileDisc,
}

#[derive(Clone, Debug)]
pub struct AggregateSpec {
    pub kind: AggregateKind,
    pub distinct: bool,
    pub arg: Option<Expr>,
    /// `percentileCont(x, 0.5)`'s second argument.
    pub param: Option<Expr>,
    pub span: Span,
}

/// What an [`AggregateRels`] reads of each relationship.
#[derive(Clone, Debug)]
pub enum RelValue {
    /// `type(r)`.
    Type,
    /// `r.key`.
    Property(Name),
    /// `r` itself, or one of its end nodes: never null.
    Present,
}

/// An aggregation over relationships in storage (see [`Op::AggregateRels`]).
#[derive(Clone, Debug)]
pub struct AggregateRels {
    pub rel_filter: RelFilter,
    pub keys: Vec<RelValue>,
    pub aggregates: Vec<AggregateSpec>,
    /// What each aggregate reads; `None` for `count(*)`.
    pub reads: Vec<Option<RelValue>>,
}

#[derive(Clone, Debug)]
pub struct SortKey {
    pub expr: Expr,
    pub descending: bool,
}

#[derive(Clone, Debug)]
pub enum Op {
    NodeScan {
        slot: Slot,
        source: NodeSource,
        filter: NodeFilter,
        /// The pattern gave the node no variable, so the query reads nothing of it.
        unnamed: bool,
    },
    /// The node in `slot` is bound already; keep the row if it meets `filter`.
    CheckNode {
        slot: Slot,
        filter: NodeFilter,
    },
    Expand(Box<Expand>),
    /// `(a)-[r]->(b)` over every `a`: each relationship of the graph once, in storage
    /// order, binding `from` (which must meet `from_filter`), the relationship and its
    /// other end as the expansion would (set by `optimize` in place of a scan of all
    /// nodes followed by an expansion).
    RelScan {
        from_filter: NodeFilter,
        expand: Box<Expand>,
    },
    /// Passes each row on once, with `into` set to the number of relationships of `from`
    /// in `direction` that meet `rel_filter` (types only), and drops rows with none. Set
    /// by `optimize` in place of an expansion whose relationships the aggregation after
    /// it only counts: `count(r)` per node needs the number, not a row per relationship.
    CountRels {
        from: Slot,
        direction: Direction,
        rel_filter: RelFilter,
        into: Slot,
    },
    /// Groups and aggregates every relationship meeting `rel_filter` (types only) straight
    /// from storage, making no row per relationship; emits the rows the aggregation would.
    /// Set by `optimize` in place of a relationship scan feeding an aggregation that reads
    /// only the relationship's type and properties.
    AggregateRels(Box<AggregateRels>),
    VarExpand(Box<VarExpand>),
    /// Emits one row holding the count of a two-hop chain (see [`ChainCount`]); it
    /// replaces the scan, expansions, filters and `count(*)` that would count it.
    ChainCount(Box<ChainCount>),
    ShortestPath(Box<ShortestPath>),
    BuildPath {
        slot: Slot,
        start: Slot,
        steps: Vec<PathStep>,
    },
    Filter(Expr),
    /// Runs `pipeline` per row; when it yields nothing, the row goes on with `nulls` set to null.
    Optional {
        pipeline: Box<Pipeline>,
        nulls: Vec<Slot>,
    },
    Unwind {
        expr: Expr,
        slot: Slot,
    },
    /// Output row: the items, then (with `keep_input`) the whole input row.
    Project {
        items: Vec<Expr>,
        keep_input: bool,
    },
    /// Output row: the keys, then the aggregates.
    Aggregate {
        keys: Vec<Expr>,
        aggregates: Vec<AggregateSpec>,
    },
    Distinct {
        width: usize,
    },
    Sort {
        keys: Vec<SortKey>,
    },
    Skip(Expr),
    Limit(Expr),
    /// Keeps the first `width` values of each row.
    Truncate(usize),
    Create(Vec<CreatePattern>),
    Merge(Box<MergePlan>),
    Set(Vec<SetOp>),
    Delete {
        exprs: Vec<Expr>,
        detach: bool,
    },
}

impl Op {
    /// Operators that need all their input before they emit anything, or that write.
    pub fn is_barrier(&self) -> bool {
        matches!(
            self,
            Op::Aggregate { .. }
                | Op::Sort { .. }
                | Op::Create(_)
                | Op::Merge(_)
                | Op::Set(_)
                | Op::Delete { .. }
        )
    }

    pub fn is_write(&self) -> bool {
        matches!(
            self,
            Op::Create(_) | Op::Merge(_) | Op::Set(_) | Op::Delete { .. }
        )
    }
}

#[derive(Clone, Debug)]
pub struct MergePlan {
    /// Finds existing matches, from the current row.
    pub matcher: Pipeline,
    pub create: CreatePattern,
    pub on_create: Vec<SetOp>,
    pub on_match: Vec<SetOp>,
}

/// A chain of operators.
#[derive(Clone, Debug, Default)]
pub struct Pipeline {
    pub ops: Vec<Op>,
    /// Slots of the enclosing row it reads (for subqueries).
    pub reads: Vec<Slot>,
}

impl Pipeline {
    pub fn has_writes(&self) -> bool {
        self.ops.iter().any(|op| match op {
            Op::Optional { pipeline, .. } => pipeline.has_writes(),
            op => op.is_write(),
        })
    }
}

/// A planned statement.
#[derive(Clone, Debug)]
pub struct LogicalPlan {
    pub parts: Vec<Pipeline>,
    /// `union_all[i]` joins `parts[i]` and `parts[i + 1]`.
    pub union_all: Vec<bool>,
    pub columns: Vec<String>,
    /// `COPY (...) TO path`.
    pub copy_to: Option<String>,
    /// Whether the statement's text, parameters and clock reproduce what it does: false
    /// when it calls a function whose value differs on every run (`rand()`, a real-time
    /// clock), so that the journal cannot replay it.
    pub replayable: bool,
}

impl LogicalPlan {
    pub fn has_writes(&self) -> bool {
        self.parts.iter().any(Pipeline::has_writes)
    }
}
