//! The S-expression dump of a statement: the tree's structure without spans, one clause
//! per line, for parser snapshots and round-trip comparisons.
//!
//! Variables, labels, keys and other names are bare symbols (backticked when they are not
//! plain ASCII identifiers, or would read as `null`, `true`, `false` or `_`); strings are
//! double-quoted with Rust escapes; `_` stands for an absent optional part. A projection
//! item's source `text` is left out: it is formatting, and a reprinted query changes it.

use std::fmt::Write as _;

use crate::ast::*;

/// The statement as an S-expression without spans, e.g.
/// `(query (match (pattern (node n (labels Person)))) (return (item n)))`, with each
/// clause on its own indented line.
///
/// ```
/// let statements = datatrail::parser::parse("MATCH (n:Person) RETURN n").unwrap();
/// assert_eq!(
///     datatrail::ast_print::dump(&statements[0]),
///     "(query\n  (match (pattern (node n (labels Person))))\n  (return (item n)))"
/// );
/// ```
pub fn dump(statement: &Statement) -> String {
    let mut out = String::new();
    match statement {
        Statement::Query(q) => query(&mut out, q, 0),
        Statement::Copy { query: q, path, .. } => {
            let _ = write!(out, "(copy {path:?}");
            newline(&mut out, 1);
            query(&mut out, q, 1);
            out.push(')');
        }
    }
    out
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    out.push_str(&"  ".repeat(depth));
}

fn query(out: &mut String, q: &Query, depth: usize) {
    if let [single] = q.parts.as_slice() {
        return single_query(out, single, depth);
    }
    out.push_str("(union");
    for (i, part) in q.parts.iter().enumerate() {
        if i > 0 {
            let all = q.union_all.get(i - 1).copied().unwrap_or(false);
            newline(out, depth + 1);
            out.push_str(if all { "all" } else { "distinct" });
        }
        newline(out, depth + 1);
        single_query(out, part, depth + 1);
    }
    out.push(')');
}

fn single_query(out: &mut String, q: &SingleQuery, depth: usize) {
    out.push_str("(query");
    for c in &q.clauses {
        newline(out, depth + 1);
        clause(out, c);
    }
    out.push(')');
}

/// One line: a query inside `EXISTS { }`.
fn inline_query(out: &mut String, q: &SingleQuery) {
    out.push_str("(query");
    for c in &q.clauses {
        out.push(' ');
        clause(out, c);
    }
    out.push(')');
}

/// A name as a symbol.
fn sym(out: &mut String, name: &str) {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(name, "null" | "true" | "false" | "_");
    if plain {
        out.push_str(name);
    } else {
        let _ = write!(out, "`{}`", name.replace('`', "``"));
    }
}

/// `db.labels` bare when each part is a plain name.
fn procedure_name(out: &mut String, name: &str) {
    let plain = |part: &str| {
        part.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if name.split('.').all(plain) {
        out.push_str(name);
    } else {
        sym(out, name);
    }
}

/// ` item` for each item, through `f`.
fn each<T>(out: &mut String, items: &[T], f: fn(&mut String, &T)) {
    for item in items {
        out.push(' ');
        f(out, item);
    }
}

/// ` (head item...)` when there are items.
fn group<T>(out: &mut String, head: &str, items: &[T], f: fn(&mut String, &T)) {
    if !items.is_empty() {
        let _ = write!(out, " ({head}");
        each(out, items, f);
        out.push(')');
    }
}

fn ident(out: &mut String, i: &Ident) {
    sym(out, &i.name);
}

fn opt_expr(out: &mut String, e: Option<&Expr>) {
    match e {
        Some(e) => expr(out, e),
        None => out.push('_'),
    }
}

/// ` (head e)` when `e` is present.
fn tagged(out: &mut String, head: &str, e: Option<&Expr>) {
    if let Some(e) = e {
        let _ = write!(out, " ({head} ");
        expr(out, e);
        out.push(')');
    }
}

// ── Clauses ──

fn clause(out: &mut String, c: &Clause) {
    match c {
        Clause::Match(m) => {
            out.push_str(if m.optional {
                "(optional-match"
            } else {
                "(match"
            });
            if let Some(mode) = &m.time_order {
                out.push_str(" (time-ordered");
                for key in &mode.keys {
                    out.push(' ');
                    ident(out, key);
                }
                if mode.strict {
                    out.push_str(" strict");
                }
                out.push(')');
            }
            each(out, &m.pattern, pattern_part);
            tagged(out, "where", m.where_.as_ref());
        }
        Clause::Unwind {
            expr: e, variable, ..
        } => {
            out.push_str("(unwind ");
            expr(out, e);
            out.push(' ');
            ident(out, variable);
        }
        Clause::With {
            projection: p,
            where_,
            ..
        } => {
            out.push_str("(with");
            projection(out, p);
            tagged(out, "where", where_.as_ref());
        }
        Clause::Return { projection: p, .. } => {
            out.push_str("(return");
            projection(out, p);
        }
        Clause::Create { pattern, .. } => {
            out.push_str("(create");
            each(out, pattern, pattern_part);
        }
        Clause::Merge(m) => {
            out.push_str("(merge ");
            pattern_part(out, &m.part);
            group(out, "on-create", &m.on_create, set_item);
            group(out, "on-match", &m.on_match, set_item);
        }
        Clause::Set { items, .. } => {
            out.push_str("(set");
            each(out, items, set_item);
        }
        Clause::Remove { items, .. } => {
            out.push_str("(remove");
            each(out, items, remove_item);
        }
        Clause::Delete { detach, exprs, .. } => {
            out.push_str(if *detach { "(detach-delete" } else { "(delete" });
            each(out, exprs, expr);
        }
        Clause::Call { procedure, .. } => {
            out.push_str("(call ");
            procedure_name(out, &procedure.name);
        }
    }
    out.push(')');
}

fn projection(out: &mut String, p: &Projection) {
    if p.distinct {
        out.push_str(" distinct");
    }
    if p.star {
        out.push_str(" *");
    }
    each(out, &p.items, projection_item);
    group(out, "order-by", &p.order_by, sort_item);
    tagged(out, "skip", p.skip.as_ref());
    tagged(out, "limit", p.limit.as_ref());
}

fn projection_item(out: &mut String, item: &ProjectionItem) {
    out.push_str("(item ");
    expr(out, &item.expr);
    if let Some(alias) = &item.alias {
        out.push_str(" (as ");
        ident(out, alias);
        out.push(')');
    }
    out.push(')');
}

fn sort_item(out: &mut String, item: &SortItem) {
    out.push_str(if item.descending { "(desc " } else { "(asc " });
    expr(out, &item.expr);
    out.push(')');
}

fn set_item(out: &mut String, item: &SetItem) {
    match item {
        SetItem::Property { target, key, value } => {
            out.push_str("(set-property ");
            expr(out, target);
            out.push(' ');
            ident(out, key);
            out.push(' ');
            expr(out, value);
        }
        SetItem::Replace { variable, value } => {
            out.push_str("(set-replace ");
            ident(out, variable);
            out.push(' ');
            expr(out, value);
        }
        SetItem::Merge { variable, value } => {
            out.push_str("(set-merge ");
            ident(out, variable);
            out.push(' ');
            expr(out, value);
        }
        SetItem::Labels { variable, labels } => {
            out.push_str("(set-labels ");
            ident(out, variable);
            each(out, labels, ident);
        }
    }
    out.push(')');
}

fn remove_item(out: &mut String, item: &RemoveItem) {
    match item {
        RemoveItem::Property { target, key } => {
            out.push_str("(remove-property ");
            expr(out, target);
            out.push(' ');
            ident(out, key);
        }
        RemoveItem::Labels { variable, labels } => {
            out.push_str("(remove-labels ");
            ident(out, variable);
            each(out, labels, ident);
        }
    }
    out.push(')');
}

// ── Patterns ──

fn pattern_part(out: &mut String, part: &PatternPart) {
    out.push_str("(pattern");
    if let Some(v) = &part.variable {
        out.push(' ');
        ident(out, v);
        out.push_str(" =");
    }
    match part.shortest {
        Some(ShortestKind::Shortest) => out.push_str(" shortest"),
        Some(ShortestKind::AllShortest) => out.push_str(" all-shortest"),
        None => {}
    }
    element(out, &part.element);
    out.push(')');
}

/// ` (node ...) (rel ...) (node ...)`
fn element(out: &mut String, e: &PatternElement) {
    out.push(' ');
    node(out, &e.start);
    for (r, n) in &e.chain {
        out.push(' ');
        rel(out, r);
        out.push(' ');
        node(out, n);
    }
}

fn node(out: &mut String, n: &NodePattern) {
    out.push_str("(node");
    if let Some(v) = &n.variable {
        out.push(' ');
        ident(out, v);
    }
    group(out, "labels", &n.labels, ident);
    tagged(out, "properties", n.properties.as_ref());
    tagged(out, "where", n.where_.as_ref());
    out.push(')');
}

fn rel(out: &mut String, r: &RelPattern) {
    out.push_str(match r.direction {
        PatternDirection::Right => "(rel ->",
        PatternDirection::Left => "(rel <-",
        PatternDirection::Either => "(rel --",
    });
    if let Some(v) = &r.variable {
        out.push(' ');
        ident(out, v);
    }
    group(out, "types", &r.types, ident);
    if let Some(range) = &r.range {
        let bound = |b: Option<u64>| b.map_or("_".to_string(), |n| n.to_string());
        let _ = write!(out, " (range {} {})", bound(range.min), bound(range.max));
    }
    tagged(out, "properties", r.properties.as_ref());
    tagged(out, "where", r.where_.as_ref());
    out.push(')');
}

// ── Expressions ──

fn literal(out: &mut String, lit: &Literal) {
    let _ = match lit {
        Literal::Null => write!(out, "null"),
        Literal::Bool(b) => write!(out, "{b}"),
        Literal::Int(n) => write!(out, "{n}"),
        // `{:?}` keeps `1.0` apart from the integer `1`, and shows `-0.0` and `NaN`.
        Literal::Float(x) => write!(out, "{x:?}"),
        Literal::String(s) => write!(out, "{s:?}"),
    };
}

fn unary_word(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Not => "not",
        UnaryOp::Neg => "-",
        UnaryOp::Plus => "+",
    }
}

fn binary_word(op: BinaryOp) -> String {
    op.symbol().to_ascii_lowercase().replace(' ', "-")
}

/// `(head a b ...)` over sub-expressions.
fn form(out: &mut String, head: &str, args: &[&Expr]) {
    let _ = write!(out, "({head}");
    for a in args {
        out.push(' ');
        expr(out, a);
    }
    out.push(')');
}

fn expr(out: &mut String, e: &Expr) {
    match &e.kind {
        ExprKind::Literal(lit) => literal(out, lit),
        ExprKind::Parameter(name) if name.bytes().all(|b| b.is_ascii_digit()) => {
            let _ = write!(out, "${name}");
        }
        ExprKind::Parameter(name) => {
            out.push('$');
            sym(out, name);
        }
        ExprKind::Variable(name) => sym(out, name),
        ExprKind::Property { base, key } => {
            out.push_str("(property ");
            expr(out, base);
            out.push(' ');
            sym(out, key);
            out.push(')');
        }
        ExprKind::Index { base, index } => form(out, "index", &[base, index]),
        ExprKind::Slice { base, from, to } => {
            out.push_str("(slice ");
            expr(out, base);
            out.push(' ');
            opt_expr(out, from.as_deref());
            out.push(' ');
            opt_expr(out, to.as_deref());
            out.push(')');
        }
        ExprKind::HasLabels { base, labels } => {
            out.push_str("(has-labels ");
            expr(out, base);
            each(out, labels, |out, l| sym(out, l));
            out.push(')');
        }
        ExprKind::Unary { op, operand } => form(out, unary_word(*op), &[operand]),
        ExprKind::Binary { op, lhs, rhs } => form(out, &binary_word(*op), &[lhs, rhs]),
        ExprKind::IsNull { operand, negated } => {
            let head = if *negated { "is-not-null" } else { "is-null" };
            form(out, head, &[operand]);
        }
        ExprKind::List(items) => {
            out.push_str("(list");
            each(out, items, expr);
            out.push(')');
        }
        ExprKind::Map(entries) => map(out, entries),
        ExprKind::FunctionCall {
            name,
            distinct,
            args,
        } => {
            // The name as written: backticks and case are the parser's to keep.
            let _ = write!(out, "(function {name}");
            if *distinct {
                out.push_str(" distinct");
            }
            each(out, args, expr);
            out.push(')');
        }
        ExprKind::CountStar => out.push_str("(count *)"),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => case(out, operand.as_deref(), whens, else_.as_deref()),
        ExprKind::ListComprehension {
            variable,
            list,
            filter,
            map,
        } => {
            out.push_str("(list-comprehension ");
            ident(out, variable);
            out.push(' ');
            expr(out, list);
            tagged(out, "where", filter.as_deref());
            tagged(out, "map", map.as_deref());
            out.push(')');
        }
        ExprKind::Quantifier {
            kind,
            variable,
            list,
            predicate,
        } => quantifier(out, *kind, variable, list, predicate.as_deref()),
        ExprKind::Reduce {
            accumulator,
            init,
            variable,
            list,
            expr: body,
        } => {
            out.push_str("(reduce ");
            ident(out, accumulator);
            out.push(' ');
            expr(out, init);
            out.push(' ');
            ident(out, variable);
            out.push(' ');
            expr(out, list);
            out.push(' ');
            expr(out, body);
            out.push(')');
        }
        ExprKind::PatternComprehension {
            path_variable,
            pattern,
            filter,
            map,
        } => {
            out.push_str("(pattern-comprehension");
            if let Some(p) = path_variable {
                out.push(' ');
                ident(out, p);
                out.push_str(" =");
            }
            element(out, pattern);
            tagged(out, "where", filter.as_deref());
            tagged(out, "map", Some(map));
            out.push(')');
        }
        ExprKind::PatternPredicate(pattern) => {
            out.push_str("(pattern-predicate");
            element(out, pattern);
            out.push(')');
        }
        ExprKind::ShortestPath { kind, pattern } => {
            out.push_str(match kind {
                ShortestKind::Shortest => "(shortest-path",
                ShortestKind::AllShortest => "(all-shortest-paths",
            });
            element(out, pattern);
            out.push(')');
        }
        ExprKind::Exists(body) => exists(out, body),
        ExprKind::MapProjection { variable, items } => map_projection(out, variable, items),
    }
}

fn map(out: &mut String, entries: &[(String, Expr)]) {
    out.push_str("(map");
    for (key, value) in entries {
        out.push_str(" (");
        sym(out, key);
        out.push(' ');
        expr(out, value);
        out.push(')');
    }
    out.push(')');
}

fn case(out: &mut String, operand: Option<&Expr>, whens: &[(Expr, Expr)], else_: Option<&Expr>) {
    out.push_str("(case");
    if let Some(e) = operand {
        out.push(' ');
        expr(out, e);
    }
    for (when, then) in whens {
        out.push(' ');
        form(out, "when", &[when, then]);
    }
    tagged(out, "else", else_);
    out.push(')');
}

fn quantifier(
    out: &mut String,
    kind: QuantifierKind,
    variable: &Ident,
    list: &Expr,
    predicate: Option<&Expr>,
) {
    out.push_str(match kind {
        QuantifierKind::All => "(all ",
        QuantifierKind::Any => "(any ",
        QuantifierKind::None => "(none ",
        QuantifierKind::Single => "(single ",
    });
    ident(out, variable);
    out.push(' ');
    expr(out, list);
    tagged(out, "where", predicate);
    out.push(')');
}

fn exists(out: &mut String, body: &ExistsBody) {
    out.push_str("(exists ");
    match body {
        ExistsBody::Query(q) => inline_query(out, q),
        ExistsBody::Pattern { pattern, where_ } => {
            out.push_str("(patterns");
            each(out, pattern, pattern_part);
            out.push(')');
            tagged(out, "where", where_.as_ref());
        }
    }
    out.push(')');
}

fn map_projection(out: &mut String, variable: &Ident, items: &[MapProjectionItem]) {
    out.push_str("(map-projection ");
    ident(out, variable);
    for item in items {
        out.push(' ');
        match item {
            MapProjectionItem::AllProperties => out.push_str("(all-properties)"),
            MapProjectionItem::Property(key) => {
                out.push_str("(property ");
                ident(out, key);
                out.push(')');
            }
            MapProjectionItem::Entry(key, value) => {
                out.push_str("(entry ");
                ident(out, key);
                out.push(' ');
                expr(out, value);
                out.push(')');
            }
            MapProjectionItem::Variable(v) => {
                out.push_str("(variable ");
                ident(out, v);
                out.push(')');
            }
        }
    }
    out.push(')');
}
