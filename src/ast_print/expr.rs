//! Expressions as canonical Cypher: operator precedence decides the parentheses, and a
//! few look-alikes (`[x IN l]`, `-5`, patterns beside `-` or `<`) get extra care.

use std::fmt::{self, Display, Formatter};

use super::{Labels, Schema, Sep, Str, Var, backticked, is_plain, shortest_word, where_suffix};
use crate::ast::*;

/// Binding strength, loosest first, one per expression level of `grammar/cypher.pest`
/// (`or_expression` … `postfix_expression`, then atoms).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Prec {
    Or,
    Xor,
    And,
    Not,
    Comparison,
    Predicate,
    Add,
    Mul,
    Pow,
    Unary,
    Postfix,
    Atom,
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        kind(f, self)
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("NULL"),
            Literal::Bool(true) => f.write_str("TRUE"),
            Literal::Bool(false) => f.write_str("FALSE"),
            Literal::Int(n) => write!(f, "{n}"),
            Literal::Float(x) => float(f, *x),
            Literal::String(s) => Str(s).fmt(f),
        }
    }
}

/// Rust's `{:?}` is the shortest text that parses back to the same `f64`, and always has
/// a `.` or an exponent; the grammar's `float_literal` accepts both shapes.
fn float(f: &mut Formatter<'_>, x: f64) -> fmt::Result {
    if x.is_nan() {
        f.write_str("(0.0 / 0.0)")
    } else if x.is_infinite() {
        let sign = if x < 0.0 { "-" } else { "" };
        write!(f, "({sign}1.0 / 0.0)")
    } else {
        write!(f, "{x:?}")
    }
}

/// How tightly `e` binds as printed.
pub(super) fn prec(e: &Expr) -> Prec {
    match &e.kind {
        ExprKind::Literal(Literal::Int(n)) if *n < 0 => Prec::Unary,
        ExprKind::Literal(Literal::Float(x)) if x.is_sign_negative() && !x.is_nan() => {
            if x.is_infinite() {
                Prec::Atom
            } else {
                Prec::Unary
            }
        }
        ExprKind::Unary {
            op: UnaryOp::Not, ..
        } => Prec::Not,
        ExprKind::Unary { .. } => Prec::Unary,
        ExprKind::Binary { op, .. } => binary_prec(*op),
        ExprKind::IsNull { .. } => Prec::Predicate,
        ExprKind::Property { .. }
        | ExprKind::Index { .. }
        | ExprKind::Slice { .. }
        | ExprKind::HasLabels { .. } => Prec::Postfix,
        _ => Prec::Atom,
    }
}

fn binary_prec(op: BinaryOp) -> Prec {
    match op {
        BinaryOp::Or => Prec::Or,
        BinaryOp::Xor => Prec::Xor,
        BinaryOp::And => Prec::And,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            Prec::Comparison
        }
        BinaryOp::In
        | BinaryOp::StartsWith
        | BinaryOp::EndsWith
        | BinaryOp::Contains
        | BinaryOp::RegexMatch => Prec::Predicate,
        BinaryOp::Add | BinaryOp::Sub => Prec::Add,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => Prec::Mul,
        BinaryOp::Pow => Prec::Pow,
    }
}

fn binary_word(op: BinaryOp) -> &'static str {
    op.symbol()
}

fn is_pattern(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::PatternPredicate(_))
}

/// `e`, in parentheses when `parens`.
pub(super) fn operand(f: &mut Formatter<'_>, e: &Expr, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({e})")
    } else {
        kind(f, e)
    }
}

/// An operand of an operator that needs at least `min`. A pattern predicate next to an
/// arithmetic or comparison operator is parenthesised, so no `-` or `<` can ever be read
/// as more of its pattern; beside `AND`, `OR`, `XOR` it is left bare, as people write it.
fn at(f: &mut Formatter<'_>, e: &Expr, min: Prec) -> fmt::Result {
    operand(f, e, prec(e) < min || (min > Prec::Not && is_pattern(e)))
}

/// The base of `.key`, `[i]`, `[a..b]` or `:Label`: labels only end a postfix chain.
fn postfix_base(f: &mut Formatter<'_>, e: &Expr) -> fmt::Result {
    let parens =
        prec(e) < Prec::Postfix || is_pattern(e) || matches!(e.kind, ExprKind::HasLabels { .. });
    operand(f, e, parens)
}

fn kind(f: &mut Formatter<'_>, e: &Expr) -> fmt::Result {
    match &e.kind {
        ExprKind::Literal(lit) => lit.fmt(f),
        ExprKind::Parameter(name) => parameter(f, name),
        ExprKind::Variable(name) => Var(name).fmt(f),
        ExprKind::Property { base, key } => {
            postfix_base(f, base)?;
            write!(f, ".{}", Schema(key))
        }
        ExprKind::Index { base, index } => {
            postfix_base(f, base)?;
            write!(f, "[{index}]")
        }
        ExprKind::Slice { base, from, to } => slice(f, base, from.as_deref(), to.as_deref()),
        ExprKind::HasLabels { base, labels } => {
            postfix_base(f, base)?;
            Labels(labels).fmt(f)
        }
        ExprKind::Unary { op, operand } => unary(f, *op, operand),
        ExprKind::Binary { op, lhs, rhs } => binary(f, *op, lhs, rhs),
        ExprKind::IsNull { operand, negated } => {
            at(f, operand, Prec::Predicate)?;
            f.write_str(if *negated { " IS NOT NULL" } else { " IS NULL" })
        }
        ExprKind::List(items) => list(f, items),
        ExprKind::Map(entries) => map(f, entries),
        ExprKind::FunctionCall {
            name,
            distinct,
            args,
        } => function_call(f, name, *distinct, args),
        ExprKind::CountStar => f.write_str("count(*)"),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => case(f, operand.as_deref(), whens, else_.as_deref()),
        ExprKind::ListComprehension {
            variable,
            list,
            filter,
            map,
        } => {
            write!(f, "[{} IN {list}", Var(&variable.name))?;
            comprehension_tail(f, filter.as_deref(), map.as_deref())
        }
        ExprKind::Quantifier {
            kind,
            variable,
            list,
            predicate,
        } => quantifier(f, *kind, variable, list, predicate.as_deref()),
        ExprKind::Reduce {
            accumulator,
            init,
            variable,
            list,
            expr,
        } => write!(
            f,
            "reduce({} = {init}, {} IN {list} | {expr})",
            Var(&accumulator.name),
            Var(&variable.name)
        ),
        ExprKind::PatternComprehension {
            path_variable,
            pattern,
            filter,
            map,
        } => {
            f.write_str("[")?;
            if let Some(p) = path_variable {
                write!(f, "{} = ", Var(&p.name))?;
            }
            pattern.fmt(f)?;
            comprehension_tail(f, filter.as_deref(), Some(map))
        }
        ExprKind::PatternPredicate(pattern) => pattern.fmt(f),
        ExprKind::ShortestPath { kind, pattern } => {
            write!(f, "{}({pattern})", shortest_word(*kind))
        }
        ExprKind::Exists(body) => exists(f, body),
        ExprKind::MapProjection { variable, items } => map_projection(f, variable, items),
    }
}

/// `$name`; `$0` for numbered parameters.
fn parameter(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    f.write_str("$")?;
    if is_plain(name) || (!name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())) {
        f.write_str(name)
    } else {
        backticked(f, name)
    }
}

fn slice(
    f: &mut Formatter<'_>,
    base: &Expr,
    from: Option<&Expr>,
    to: Option<&Expr>,
) -> fmt::Result {
    postfix_base(f, base)?;
    f.write_str("[")?;
    if let Some(from) = from {
        write!(f, "{from}")?;
    }
    f.write_str("..")?;
    if let Some(to) = to {
        write!(f, "{to}")?;
    }
    f.write_str("]")
}

fn unary(f: &mut Formatter<'_>, op: UnaryOp, e: &Expr) -> fmt::Result {
    match op {
        UnaryOp::Not => {
            f.write_str("NOT ")?;
            operand(f, e, prec(e) < Prec::Not)
        }
        UnaryOp::Neg | UnaryOp::Plus => {
            f.write_str(if op == UnaryOp::Neg { "-" } else { "+" })?;
            // `-5` is the literal -5, so negating the literal 5 needs `-(5)`.
            let int = matches!(e.kind, ExprKind::Literal(Literal::Int(_)));
            let parens = prec(e) < Prec::Postfix || is_pattern(e) || (op == UnaryOp::Neg && int);
            operand(f, e, parens)
        }
    }
}

fn binary(f: &mut Formatter<'_>, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> fmt::Result {
    let p = binary_prec(op);
    let (lhs_min, rhs_min) = match p {
        // Comparisons don't chain: `a < b < c` is `a < b AND b < c`.
        Prec::Comparison => (Prec::Predicate, Prec::Predicate),
        // `IN`, `STARTS WITH`, ... take an additive expression on the right.
        Prec::Predicate => (Prec::Predicate, Prec::Add),
        // The rest are left-associative.
        Prec::Or => (Prec::Or, Prec::Xor),
        Prec::Xor => (Prec::Xor, Prec::And),
        Prec::And => (Prec::And, Prec::Not),
        Prec::Add => (Prec::Add, Prec::Mul),
        Prec::Mul => (Prec::Mul, Prec::Pow),
        _ => (Prec::Pow, Prec::Unary),
    };
    at(f, lhs, lhs_min)?;
    write!(f, " {} ", binary_word(op))?;
    at(f, rhs, rhs_min)
}

/// `x IN list` first in a list (or as the first argument of `any(...)` and friends)
/// reads as a comprehension (or quantifier) in openCypher, so it gets parentheses there.
/// Today's parser reads `[x IN l]` as a list anyway; the parentheses keep the printed
/// text right once it follows openCypher.
fn is_in_over_variable(e: &Expr) -> bool {
    matches!(
        &e.kind,
        ExprKind::Binary { op: BinaryOp::In, lhs, .. } if matches!(lhs.kind, ExprKind::Variable(_))
    )
}

fn list(f: &mut Formatter<'_>, items: &[Expr]) -> fmt::Result {
    f.write_str("[")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        operand(f, item, i == 0 && is_in_over_variable(item))?;
    }
    f.write_str("]")
}

fn map(f: &mut Formatter<'_>, entries: &[(String, Expr)]) -> fmt::Result {
    f.write_str("{")?;
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{}: {value}", Schema(key))?;
    }
    f.write_str("}")
}

/// The name is kept as written (the tree stores it with any backticks).
fn function_call(f: &mut Formatter<'_>, name: &str, distinct: bool, args: &[Expr]) -> fmt::Result {
    write!(f, "{name}(")?;
    if distinct {
        f.write_str("DISTINCT ")?;
    }
    let lower = name.to_ascii_lowercase();
    let quantifier_like = matches!(lower.as_str(), "all" | "any" | "none" | "single");
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        operand(
            f,
            arg,
            i == 0 && quantifier_like && is_in_over_variable(arg),
        )?;
    }
    f.write_str(")")
}

fn case(
    f: &mut Formatter<'_>,
    operand: Option<&Expr>,
    whens: &[(Expr, Expr)],
    else_: Option<&Expr>,
) -> fmt::Result {
    f.write_str("CASE")?;
    if let Some(e) = operand {
        write!(f, " {e}")?;
    }
    for (when, then) in whens {
        write!(f, " WHEN {when} THEN {then}")?;
    }
    if let Some(e) = else_ {
        write!(f, " ELSE {e}")?;
    }
    f.write_str(" END")
}

fn comprehension_tail(
    f: &mut Formatter<'_>,
    filter: Option<&Expr>,
    map: Option<&Expr>,
) -> fmt::Result {
    if let Some(e) = filter {
        write!(f, " WHERE {e}")?;
    }
    if let Some(e) = map {
        write!(f, " | {e}")?;
    }
    f.write_str("]")
}

fn quantifier(
    f: &mut Formatter<'_>,
    kind: QuantifierKind,
    variable: &Ident,
    list: &Expr,
    predicate: Option<&Expr>,
) -> fmt::Result {
    let word = match kind {
        QuantifierKind::All => "all",
        QuantifierKind::Any => "any",
        QuantifierKind::None => "none",
        QuantifierKind::Single => "single",
    };
    write!(f, "{word}({} IN {list}", Var(&variable.name))?;
    if let Some(p) = predicate {
        write!(f, " WHERE {p}")?;
    }
    f.write_str(")")
}

fn exists(f: &mut Formatter<'_>, body: &ExistsBody) -> fmt::Result {
    match body {
        ExistsBody::Query(q) => write!(f, "EXISTS {{ {q} }}"),
        ExistsBody::Pattern { pattern, where_ } => {
            write!(f, "EXISTS {{ {}", Sep(pattern, ", "))?;
            where_suffix(f, where_.as_ref())?;
            f.write_str(" }")
        }
    }
}

fn map_projection(
    f: &mut Formatter<'_>,
    variable: &Ident,
    items: &[MapProjectionItem],
) -> fmt::Result {
    write!(f, "{} {{", Var(&variable.name))?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        match item {
            MapProjectionItem::AllProperties => f.write_str(".*")?,
            MapProjectionItem::Property(key) => write!(f, ".{}", Schema(&key.name))?,
            MapProjectionItem::Entry(key, value) => write!(f, "{}: {value}", Schema(&key.name))?,
            MapProjectionItem::Variable(v) => Var(&v.name).fmt(f)?,
        }
    }
    f.write_str("}")
}
