//! The syntax tree, close to the grammar, with a span on every expression, pattern and
//! clause. The planner resolves it; nothing here knows about the graph.

use crate::span::Span;

/// A name with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// One statement of a script.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    Query(Query),
    /// `COPY (query) TO 'file.csv'`.
    Copy {
        query: Query,
        path: String,
        span: Span,
    },
}

/// Single queries joined by `UNION` / `UNION ALL`.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub parts: Vec<SingleQuery>,
    /// `union_all[i]` joins `parts[i]` and `parts[i + 1]`: true for `UNION ALL`.
    pub union_all: Vec<bool>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SingleQuery {
    pub clauses: Vec<Clause>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    Match(Match),
    Unwind {
        expr: Expr,
        variable: Ident,
        span: Span,
    },
    With {
        projection: Projection,
        where_: Option<Expr>,
        span: Span,
    },
    Return {
        projection: Projection,
        span: Span,
    },
    Create {
        pattern: Vec<PatternPart>,
        span: Span,
    },
    Merge(Merge),
    Set {
        items: Vec<SetItem>,
        span: Span,
    },
    Remove {
        items: Vec<RemoveItem>,
        span: Span,
    },
    Delete {
        detach: bool,
        exprs: Vec<Expr>,
        span: Span,
    },
    Call {
        procedure: Ident,
        span: Span,
    },
}

impl Clause {
    pub fn span(&self) -> Span {
        match self {
            Clause::Match(m) => m.span,
            Clause::Merge(m) => m.span,
            Clause::Unwind { span, .. }
            | Clause::With { span, .. }
            | Clause::Return { span, .. }
            | Clause::Create { span, .. }
            | Clause::Set { span, .. }
            | Clause::Remove { span, .. }
            | Clause::Delete { span, .. }
            | Clause::Call { span, .. } => *span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub optional: bool,
    /// `MATCH TIME ORDERED [BY key, ...] [STRICT]`.
    pub time_order: Option<TimeOrder>,
    pub pattern: Vec<PatternPart>,
    pub where_: Option<Expr>,
    pub span: Span,
}

/// The time-respecting path mode: along each path, every relationship's date (the first
/// of `keys` it has) is on or after the previous dated relationship's. Undated
/// relationships pass unless `strict`.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeOrder {
    pub keys: Vec<Ident>,
    pub strict: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Merge {
    pub part: PatternPart,
    pub on_create: Vec<SetItem>,
    pub on_match: Vec<SetItem>,
    pub span: Span,
}

/// The body of `WITH` and `RETURN`.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    pub distinct: bool,
    /// `RETURN *` / `WITH *`.
    pub star: bool,
    pub items: Vec<ProjectionItem>,
    pub order_by: Vec<SortItem>,
    pub skip: Option<Expr>,
    pub limit: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProjectionItem {
    pub expr: Expr,
    pub alias: Option<Ident>,
    /// The item's source text: a column without `AS` is named by it.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortItem {
    pub expr: Expr,
    pub descending: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetItem {
    /// `target.key = value`
    Property {
        target: Expr,
        key: Ident,
        value: Expr,
    },
    /// `n = map`
    Replace { variable: Ident, value: Expr },
    /// `n += map`
    Merge { variable: Ident, value: Expr },
    /// `n:A:B`
    Labels { variable: Ident, labels: Vec<Ident> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum RemoveItem {
    Property { target: Expr, key: Ident },
    Labels { variable: Ident, labels: Vec<Ident> },
}

// ── Patterns ──

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ShortestKind {
    Shortest,
    AllShortest,
}

/// `p = (a)-[r]->(b)`, possibly inside `shortestPath(...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternPart {
    pub variable: Option<Ident>,
    pub shortest: Option<ShortestKind>,
    pub element: PatternElement,
    pub span: Span,
}

/// A chain: a node, then relationship–node pairs.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternElement {
    pub start: NodePattern,
    pub chain: Vec<(RelPattern, NodePattern)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodePattern {
    pub variable: Option<Ident>,
    pub labels: Vec<Ident>,
    pub properties: Option<Expr>,
    /// Inline `WHERE` (Neo4j 5 / GQL): `(s:Platform WHERE s.country = 'us')`.
    pub where_: Option<Expr>,
    pub span: Span,
}

/// Which way a relationship pattern points, as written.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PatternDirection {
    /// `-->`
    Right,
    /// `<--`
    Left,
    /// `--` (or `<-->`)
    Either,
}

/// `*`, `*3`, `*1..3`, `*..3`, `*2..`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Range {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelPattern {
    pub variable: Option<Ident>,
    pub types: Vec<Ident>,
    pub direction: PatternDirection,
    /// Present for variable-length patterns.
    pub range: Option<Range>,
    pub properties: Option<Expr>,
    /// Inline `WHERE`, applying to every hop of a variable-length pattern.
    pub where_: Option<Expr>,
    pub span: Span,
}

// ── Expressions ──

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
    Plus,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    In,
    StartsWith,
    EndsWith,
    Contains,
    RegexMatch,
}

impl BinaryOp {
    /// The operator as Cypher writes it (keywords upper-case).
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "OR",
            BinaryOp::Xor => "XOR",
            BinaryOp::And => "AND",
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Pow => "^",
            BinaryOp::In => "IN",
            BinaryOp::StartsWith => "STARTS WITH",
            BinaryOp::EndsWith => "ENDS WITH",
            BinaryOp::Contains => "CONTAINS",
            BinaryOp::RegexMatch => "=~",
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum QuantifierKind {
    All,
    Any,
    None,
    Single,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MapProjectionItem {
    /// `.*`
    AllProperties,
    /// `.key`
    Property(Ident),
    /// `key: expr`
    Entry(Ident, Expr),
    /// `var` (the key is the variable's name)
    Variable(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    Parameter(String),
    Variable(String),
    Property {
        base: Box<Expr>,
        key: String,
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
        labels: Vec<String>,
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
    FunctionCall {
        name: String,
        distinct: bool,
        args: Vec<Expr>,
    },
    CountStar,
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        else_: Option<Box<Expr>>,
    },
    ListComprehension {
        variable: Ident,
        list: Box<Expr>,
        filter: Option<Box<Expr>>,
        map: Option<Box<Expr>>,
    },
    Quantifier {
        kind: QuantifierKind,
        variable: Ident,
        list: Box<Expr>,
        predicate: Option<Box<Expr>>,
    },
    Reduce {
        accumulator: Ident,
        init: Box<Expr>,
        variable: Ident,
        list: Box<Expr>,
        expr: Box<Expr>,
    },
    PatternComprehension {
        path_variable: Option<Ident>,
        pattern: Box<PatternElement>,
        filter: Option<Box<Expr>>,
        map: Box<Expr>,
    },
    /// A pattern used as a predicate: `WHERE (a)-->(b)`.
    PatternPredicate(Box<PatternElement>),
    /// `shortestPath(...)` used as an expression.
    ShortestPath {
        kind: ShortestKind,
        pattern: Box<PatternElement>,
    },
    /// `EXISTS { MATCH ... }` or `EXISTS { (a)-->(b) WHERE ... }`.
    Exists(Box<ExistsBody>),
    MapProjection {
        variable: Ident,
        items: Vec<MapProjectionItem>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExistsBody {
    Query(SingleQuery),
    Pattern {
        pattern: Vec<PatternPart>,
        where_: Option<Expr>,
    },
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// Calls `f` on this expression and every sub-expression, outside-in, without
    /// entering nested scopes' bodies other than their expressions.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        match &self.kind {
            ExprKind::Literal(_)
            | ExprKind::Parameter(_)
            | ExprKind::Variable(_)
            | ExprKind::CountStar
            | ExprKind::PatternPredicate(_)
            | ExprKind::ShortestPath { .. }
            | ExprKind::Exists(_) => {}
            ExprKind::Property { base, .. } | ExprKind::HasLabels { base, .. } => base.walk(f),
            ExprKind::Index { base, index } => {
                base.walk(f);
                index.walk(f);
            }
            ExprKind::Slice { base, from, to } => {
                base.walk(f);
                from.iter().chain(to).for_each(|e| e.walk(f));
            }
            ExprKind::Unary { operand, .. } | ExprKind::IsNull { operand, .. } => operand.walk(f),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            ExprKind::List(items) | ExprKind::FunctionCall { args: items, .. } => {
                items.iter().for_each(|e| e.walk(f))
            }
            ExprKind::Map(entries) => entries.iter().for_each(|(_, e)| e.walk(f)),
            ExprKind::Case {
                operand,
                whens,
                else_,
            } => {
                operand.iter().for_each(|e| e.walk(f));
                for (w, t) in whens {
                    w.walk(f);
                    t.walk(f);
                }
                else_.iter().for_each(|e| e.walk(f));
            }
            ExprKind::ListComprehension {
                list, filter, map, ..
            } => {
                list.walk(f);
                filter.iter().chain(map).for_each(|e| e.walk(f));
            }
            ExprKind::Quantifier {
                list, predicate, ..
            } => {
                list.walk(f);
                predicate.iter().for_each(|e| e.walk(f));
            }
            ExprKind::Reduce {
                init, list, expr, ..
            } => {
                init.walk(f);
                list.walk(f);
                expr.walk(f);
            }
            ExprKind::PatternComprehension { filter, map, .. } => {
                filter.iter().for_each(|e| e.walk(f));
                map.walk(f);
            }
            ExprKind::MapProjection { items, .. } => {
                for item in items {
                    if let MapProjectionItem::Entry(_, e) = item {
                        e.walk(f);
                    }
                }
            }
        }
    }
}
