//! Syntax trees back to text, in two forms. `Display` on [`Statement`] (and on the clause,
//! pattern and expression types) prints canonical Cypher that parses back to the same tree;
//! [`dump`] prints an S-expression without spans, which the parser snapshot tests compare.
//!
//! Canonical means: keywords upper-case, clauses on one line separated by single spaces,
//! one space around binary operators, parentheses only where the grammar's precedence
//! needs them, strings single-quoted, and names in backticks when they are not plain ASCII
//! identifiers (or, for variables, when they are reserved words).
//!
//! What does not survive a round trip, because the tree does not hold it:
//! - chained comparisons `a < b < c` come back as `a < b AND b < c` (the parser's form);
//! - `ON CREATE SET` and `ON MATCH SET` actions print grouped, all creates first;
//! - `CALL` prints the procedure name only (the tree keeps no arguments or `YIELD`);
//! - a projection item's `text` (its column name when there is no `AS`) is the source
//!   text, so `RETURN a+b` names its column `a+b` while the printed `RETURN a + b` would
//!   name it `a + b`. [`dump`] leaves `text` out for that reason: it is formatting, not
//!   structure, and the round trip compares structure.
//! - the parser never makes negative float literals or non-finite floats; they print as
//!   `-1.5` (a negation) and `(0.0 / 0.0)`-style divisions, which evaluate to the same value.

mod dump;
mod expr;

pub use dump::dump;

use std::fmt::{self, Display, Formatter};

use crate::ast::*;
use expr::{Prec, operand, prec};

/// Words `symbolic_name_not_keyword` refuses as variables (`reserved_word` in the grammar).
const RESERVED: &str = "all asc ascending by create delete desc descending detach exists limit \
    match merge on optional order remove return set skip where with union unwind and as \
    contains distinct ends in is not or starts xor case else end then when null true false \
    call yield";

/// An ASCII identifier: a letter or `_`, then letters, digits or `_`. Other names that the
/// grammar's `plain_name` would accept (Unicode letters) are backticked, which is always safe.
fn is_plain(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn is_reserved(name: &str) -> bool {
    RESERVED
        .split_whitespace()
        .any(|w| w.eq_ignore_ascii_case(name))
}

fn backticked(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    write!(f, "`{}`", name.replace('`', "``"))
}

/// A label, relationship type or property key: reserved words are fine there.
struct Schema<'a>(&'a str);

impl Display for Schema<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_plain(self.0) {
            f.write_str(self.0)
        } else {
            backticked(f, self.0)
        }
    }
}

/// A variable: backticked when reserved as well as when not plain.
struct Var<'a>(&'a str);

impl Display for Var<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_plain(self.0) && !is_reserved(self.0) {
            f.write_str(self.0)
        } else {
            backticked(f, self.0)
        }
    }
}

/// A string literal in single quotes with Cypher escapes.
struct Str<'a>(&'a str);

impl Display for Str<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("'")?;
        for c in self.0.chars() {
            match c {
                '\\' => f.write_str("\\\\")?,
                '\'' => f.write_str("\\'")?,
                '\n' => f.write_str("\\n")?,
                '\t' => f.write_str("\\t")?,
                '\r' => f.write_str("\\r")?,
                '\u{8}' => f.write_str("\\b")?,
                '\u{c}' => f.write_str("\\f")?,
                c if c.is_control() && (c as u32) <= 0xFFFF => write!(f, "\\u{:04X}", c as u32)?,
                c => write!(f, "{c}")?,
            }
        }
        f.write_str("'")
    }
}

/// Items separated by `sep`.
struct Sep<'a, T>(&'a [T], &'static str);

impl<T: Display> Display for Sep<'_, T> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, item) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(self.1)?;
            }
            item.fmt(f)?;
        }
        Ok(())
    }
}

/// `:A:B`, from the tree's `Ident`s (patterns, `SET`) or `String`s (label tests).
struct Labels<'a, T>(&'a [T]);

/// A name held either way.
trait Named {
    fn name(&self) -> &str;
}

impl Named for Ident {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for String {
    fn name(&self) -> &str {
        self
    }
}

impl<T: Named> Display for Labels<'_, T> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.0
            .iter()
            .try_for_each(|l| write!(f, ":{}", Schema(l.name())))
    }
}

// ── Statements and clauses ──

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Query(q) => q.fmt(f),
            Statement::Copy { query, path, .. } => write!(f, "COPY ({query}) TO {}", Str(path)),
        }
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, part) in self.parts.iter().enumerate() {
            if i > 0 {
                let all = self.union_all.get(i - 1).copied().unwrap_or(false);
                f.write_str(if all { " UNION ALL " } else { " UNION " })?;
            }
            part.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for SingleQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        Sep(&self.clauses, " ").fmt(f)
    }
}

impl Display for Clause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Clause::Match(m) => m.fmt(f),
            Clause::Unwind { expr, variable, .. } => {
                write!(f, "UNWIND {expr} AS {}", Var(&variable.name))
            }
            Clause::With {
                projection, where_, ..
            } => {
                write!(f, "WITH {projection}")?;
                where_suffix(f, where_.as_ref())
            }
            Clause::Return { projection, .. } => write!(f, "RETURN {projection}"),
            Clause::Create { pattern, .. } => write!(f, "CREATE {}", Sep(pattern, ", ")),
            Clause::Merge(m) => m.fmt(f),
            Clause::Set { items, .. } => write!(f, "SET {}", Sep(items, ", ")),
            Clause::Remove { items, .. } => write!(f, "REMOVE {}", Sep(items, ", ")),
            Clause::Delete { detach, exprs, .. } => {
                let detach = if *detach { "DETACH " } else { "" };
                write!(f, "{detach}DELETE {}", Sep(exprs, ", "))
            }
            Clause::Call { procedure, .. } => {
                f.write_str("CALL ")?;
                procedure_name(f, &procedure.name)
            }
        }
    }
}

/// `db.labels` as written; anything else in backticks. The parser strips one pair of
/// outer backticks from the whole dotted name, so backticking the whole name round-trips.
fn procedure_name(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    if name.split('.').all(is_plain) {
        f.write_str(name)
    } else {
        backticked(f, name)
    }
}

fn where_suffix(f: &mut Formatter<'_>, where_: Option<&Expr>) -> fmt::Result {
    match where_ {
        Some(e) => write!(f, " WHERE {e}"),
        None => Ok(()),
    }
}

impl Display for Match {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let optional = if self.optional { "OPTIONAL " } else { "" };
        write!(f, "{optional}MATCH ")?;
        if let Some(mode) = &self.time_order {
            write!(f, "TIME ORDERED ")?;
            if !mode.keys.is_empty() {
                let keys: Vec<Schema> = mode.keys.iter().map(|k| Schema(&k.name)).collect();
                write!(f, "BY {} ", Sep(&keys, ", "))?;
            }
            if mode.strict {
                write!(f, "STRICT ")?;
            }
        }
        write!(f, "{}", Sep(&self.pattern, ", "))?;
        where_suffix(f, self.where_.as_ref())
    }
}

impl Display for Merge {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "MERGE {}", self.part)?;
        if !self.on_create.is_empty() {
            write!(f, " ON CREATE SET {}", Sep(&self.on_create, ", "))?;
        }
        if !self.on_match.is_empty() {
            write!(f, " ON MATCH SET {}", Sep(&self.on_match, ", "))?;
        }
        Ok(())
    }
}

impl Display for Projection {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        if self.star {
            f.write_str("*")?;
            if !self.items.is_empty() {
                f.write_str(", ")?;
            }
        }
        Sep(&self.items, ", ").fmt(f)?;
        if !self.order_by.is_empty() {
            write!(f, " ORDER BY {}", Sep(&self.order_by, ", "))?;
        }
        if let Some(skip) = &self.skip {
            write!(f, " SKIP {skip}")?;
        }
        if let Some(limit) = &self.limit {
            write!(f, " LIMIT {limit}")?;
        }
        Ok(())
    }
}

impl Display for ProjectionItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)?;
        match &self.alias {
            Some(alias) => write!(f, " AS {}", Var(&alias.name)),
            None => Ok(()),
        }
    }
}

impl Display for SortItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)?;
        if self.descending {
            f.write_str(" DESC")?;
        }
        Ok(())
    }
}

impl Display for SetItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SetItem::Property { target, key, value } => {
                property_target(f, target)?;
                write!(f, ".{} = {value}", Schema(&key.name))
            }
            SetItem::Replace { variable, value } => write!(f, "{} = {value}", Var(&variable.name)),
            SetItem::Merge { variable, value } => write!(f, "{} += {value}", Var(&variable.name)),
            SetItem::Labels { variable, labels } => {
                write!(f, "{}{}", Var(&variable.name), Labels(labels))
            }
        }
    }
}

impl Display for RemoveItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            RemoveItem::Property { target, key } => {
                property_target(f, target)?;
                write!(f, ".{}", Schema(&key.name))
            }
            RemoveItem::Labels { variable, labels } => {
                write!(f, "{}{}", Var(&variable.name), Labels(labels))
            }
        }
    }
}

/// The part before the last `.key` of `SET`/`REMOVE`: the grammar's `property_expression`
/// is an atom followed by lookups only, so anything else is parenthesised.
fn property_target(f: &mut Formatter<'_>, target: &Expr) -> fmt::Result {
    match &target.kind {
        ExprKind::Property { base, key } => {
            property_target(f, base)?;
            write!(f, ".{}", Schema(key))
        }
        _ => operand(f, target, prec(target) < Prec::Atom),
    }
}

// ── Patterns ──

impl Display for PatternPart {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(v) = &self.variable {
            write!(f, "{} = ", Var(&v.name))?;
        }
        match self.shortest {
            None => self.element.fmt(f),
            Some(kind) => write!(f, "{}({})", shortest_word(kind), self.element),
        }
    }
}

fn shortest_word(kind: ShortestKind) -> &'static str {
    match kind {
        ShortestKind::Shortest => "shortestPath",
        ShortestKind::AllShortest => "allShortestPaths",
    }
}

impl Display for PatternElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.start.fmt(f)?;
        self.chain
            .iter()
            .try_for_each(|(rel, node)| write!(f, "{rel}{node}"))
    }
}

impl Display for NodePattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        let mut detail = Detail::default();
        if let Some(v) = &self.variable {
            write!(f, "{}", Var(&v.name))?;
        }
        write!(f, "{}", Labels(&self.labels))?;
        detail.nonempty = self.variable.is_some() || !self.labels.is_empty();
        detail.properties(f, self.properties.as_ref())?;
        detail.where_(f, self.where_.as_ref())?;
        f.write_str(")")
    }
}

/// Writes the optional trailing parts of a node or relationship detail with a space
/// between them and whatever came before.
#[derive(Default)]
struct Detail {
    nonempty: bool,
}

impl Detail {
    fn space(&mut self, f: &mut Formatter<'_>) -> fmt::Result {
        if std::mem::replace(&mut self.nonempty, true) {
            f.write_str(" ")?;
        }
        Ok(())
    }

    fn properties(&mut self, f: &mut Formatter<'_>, properties: Option<&Expr>) -> fmt::Result {
        match properties {
            Some(p) => {
                self.space(f)?;
                operand(f, p, prec(p) < Prec::Atom)
            }
            None => Ok(()),
        }
    }

    fn where_(&mut self, f: &mut Formatter<'_>, where_: Option<&Expr>) -> fmt::Result {
        match where_ {
            Some(e) => {
                self.space(f)?;
                write!(f, "WHERE {e}")
            }
            None => Ok(()),
        }
    }
}

impl Display for RelPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let (left, right) = match self.direction {
            PatternDirection::Right => ("-", "->"),
            PatternDirection::Left => ("<-", "-"),
            PatternDirection::Either => ("-", "-"),
        };
        f.write_str(left)?;
        let empty = self.variable.is_none()
            && self.types.is_empty()
            && self.range.is_none()
            && self.properties.is_none()
            && self.where_.is_none();
        if !empty {
            f.write_str("[")?;
            if let Some(v) = &self.variable {
                write!(f, "{}", Var(&v.name))?;
            }
            for (i, t) in self.types.iter().enumerate() {
                let sep = if i == 0 { ":" } else { "|" };
                write!(f, "{sep}{}", Schema(&t.name))?;
            }
            if let Some(range) = &self.range {
                range.fmt(f)?;
            }
            let mut detail = Detail {
                nonempty: self.variable.is_some() || !self.types.is_empty() || self.range.is_some(),
            };
            detail.properties(f, self.properties.as_ref())?;
            detail.where_(f, self.where_.as_ref())?;
            f.write_str("]")?;
        }
        f.write_str(right)
    }
}

impl Display for Range {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (None, None) => f.write_str("*"),
            (Some(a), Some(b)) if a == b => write!(f, "*{a}"),
            (Some(a), Some(b)) => write!(f, "*{a}..{b}"),
            (Some(a), None) => write!(f, "*{a}.."),
            (None, Some(b)) => write!(f, "*..{b}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parser::parse;
    use crate::span::Span;

    fn e(kind: ExprKind) -> Expr {
        Expr::new(kind, Span::default())
    }

    fn int(n: i64) -> Expr {
        e(ExprKind::Literal(Literal::Int(n)))
    }

    fn neg(operand: Expr) -> Expr {
        e(ExprKind::Unary {
            op: UnaryOp::Neg,
            operand: Box::new(operand),
        })
    }

    fn var(name: &str) -> Expr {
        e(ExprKind::Variable(name.to_string()))
    }

    /// The one statement `text` holds, printed.
    fn printed(text: &str) -> String {
        let statements = parse(text).unwrap();
        assert_eq!(statements.len(), 1);
        statements[0].to_string()
    }

    /// `RETURN <expr>` printed and parsed again gives the same tree.
    fn assert_expr_round_trips(expr: Expr) -> String {
        let text = format!("RETURN {expr}");
        let reparsed = parse(&text).unwrap_or_else(|err| panic!("{text}: {err}"));
        let statement = Statement::Query(Query {
            parts: vec![SingleQuery {
                clauses: vec![Clause::Return {
                    projection: Projection {
                        distinct: false,
                        star: false,
                        items: vec![ProjectionItem {
                            expr: expr.clone(),
                            alias: None,
                            text: String::new(),
                        }],
                        order_by: vec![],
                        skip: None,
                        limit: None,
                    },
                    span: Span::default(),
                }],
                span: Span::default(),
            }],
            union_all: vec![],
            span: Span::default(),
        });
        assert_eq!(dump(&reparsed[0]), dump(&statement), "{text}");
        expr.to_string()
    }

    #[test]
    fn negative_integer_literals_print_with_their_sign() {
        assert_eq!(assert_expr_round_trips(int(-5)), "-5");
        assert_eq!(assert_expr_round_trips(neg(int(5))), "-(5)");
        assert_eq!(assert_expr_round_trips(neg(int(-5))), "-(-5)");
        assert_eq!(assert_expr_round_trips(neg(var("x"))), "-x");
        let minus = e(ExprKind::Binary {
            op: BinaryOp::Sub,
            lhs: Box::new(int(1)),
            rhs: Box::new(int(-1)),
        });
        assert_eq!(assert_expr_round_trips(minus), "1 - -1");
        let property = e(ExprKind::Property {
            base: Box::new(int(-5)),
            key: "x".into(),
        });
        assert_eq!(assert_expr_round_trips(property), "(-5).x");
    }

    #[test]
    fn minimum_integer_prints_as_one_literal() {
        assert_eq!(
            assert_expr_round_trips(int(i64::MIN)),
            "-9223372036854775808"
        );
        assert_eq!(
            assert_expr_round_trips(neg(int(i64::MIN))),
            "-(-9223372036854775808)"
        );
        let index = e(ExprKind::Index {
            base: Box::new(int(i64::MIN)),
            index: Box::new(int(0)),
        });
        assert_eq!(assert_expr_round_trips(index), "(-9223372036854775808)[0]");
        assert_eq!(
            printed("RETURN -9223372036854775808"),
            "RETURN -9223372036854775808"
        );
    }

    #[test]
    fn floats_print_so_they_parse_to_the_same_value() {
        let float = |x: f64| e(ExprKind::Literal(Literal::Float(x)));
        for (x, text) in [
            (1.0, "1.0"),
            (0.1, "0.1"),
            (1e300, "1e300"),
            (5e-324, "5e-324"),
            (1e16, "1e16"),
            (123456.789, "123456.789"),
            (f64::MAX, "1.7976931348623157e308"),
        ] {
            assert_eq!(assert_expr_round_trips(float(x)), text);
        }
        // The parser never builds these; they print as expressions with the same value.
        assert_eq!(float(-1.5).to_string(), "-1.5");
        assert_eq!(float(-0.0).to_string(), "-0.0");
        assert_eq!(float(f64::NAN).to_string(), "(0.0 / 0.0)");
        assert_eq!(float(f64::NEG_INFINITY).to_string(), "(-1.0 / 0.0)");
    }

    #[test]
    fn strings_print_single_quoted_with_escapes() {
        let string = |s: &str| e(ExprKind::Literal(Literal::String(s.into())));
        for (value, text) in [
            ("it's", r"'it\'s'"),
            ("back\\slash", r"'back\\slash'"),
            ("a\nb\tc\rd", r"'a\nb\tc\rd'"),
            ("say \"hi\"", r#"'say "hi"'"#),
            ("\u{1}\u{7f}\u{8}\u{c}", r"'\u0001\u007F\b\f'"),
            ("بيانات 🐉", "'بيانات 🐉'"),
            ("", "''"),
        ] {
            assert_eq!(assert_expr_round_trips(string(value)), text);
        }
    }

    #[test]
    fn names_are_backticked_when_not_plain_or_reserved() {
        assert_eq!(
            printed(
                "MATCH (`match`:`Two Words`)-[`a``b`:`HAS-DASH`]->(`` {`key x`: 1}) RETURN `match`.match"
            ),
            "MATCH (`match`:`Two Words`)-[`a``b`:`HAS-DASH`]->(`` {`key x`: 1}) RETURN `match`.match"
        );
        assert_eq!(
            printed("RETURN `plain`, `END`, `count`, $`odd name`, $0, `الاسم`"),
            "RETURN plain, `END`, count, $`odd name`, $0, `الاسم`"
        );
    }

    #[test]
    fn parentheses_follow_precedence() {
        for text in [
            "RETURN a - (b - c), a - b - c, (a + b) * c, a * b + c, 2 ^ (3 ^ 2), 2 ^ 3 ^ 2",
            "RETURN (a OR b) AND c, a OR b AND c, NOT (a AND b), NOT a = b, (NOT a) = b",
            "RETURN (a = b) = c, a = (b = c), a IN b = c, a IN (b IN c), a IN b IN c",
            "RETURN a + b IS NULL, (a = b) IS NULL, (NOT a) IS NULL, NOT a IS NULL",
            "RETURN (n:A).x, (n:A):B, -n:A, -(x + 1), -x.y, (-x).y, (a + b).c, (a + b)[0]",
            "RETURN a STARTS WITH b + c, (a STARTS WITH b) + c, a =~ (b =~ c)",
        ] {
            assert_eq!(printed(text), text);
        }
    }

    #[test]
    fn chained_comparisons_print_as_conjunctions() {
        assert_eq!(printed("RETURN 1 < 2 <= 3"), "RETURN 1 < 2 AND 2 <= 3");
    }

    #[test]
    fn look_alikes_keep_their_parentheses() {
        // A list whose first item is `x IN l`, and a function that happens to be called `any`.
        assert_eq!(
            printed("RETURN [(x IN l)], any((x IN l))"),
            "RETURN [(x IN l)], any((x IN l))"
        );
        // Without them, `< -[x] - (c)` would read as more relationships of the first pattern.
        let text = "RETURN ((a)-->(b)) < -[x] - ((c)-->(d))";
        assert_eq!(printed(text), text);
        assert_eq!(
            printed("MATCH (a), (b) WHERE (a)-->(b) AND NOT (b)-->(a) RETURN a"),
            "MATCH (a), (b) WHERE (a)-->(b) AND NOT (b)-->(a) RETURN a"
        );
    }

    #[test]
    fn clauses_print_in_canonical_form() {
        let text = "merge (n:A {id: 1}) on match set n.x = 1 on create set n.y = 2 \
                    with n order by n.x ascending skip 1 limit 2 where n.x > 0 \
                    optional match p = shortestPath((n)-[r:T|:U*1..3]-(m)) \
                    set n += {a: 1}, n:B remove n.y, n:A detach delete m \
                    return distinct *, n.x as x union all call db.labels() yield label return label";
        assert_eq!(
            printed(text),
            "MERGE (n:A {id: 1}) ON CREATE SET n.y = 2 ON MATCH SET n.x = 1 \
             WITH n ORDER BY n.x SKIP 1 LIMIT 2 WHERE n.x > 0 \
             OPTIONAL MATCH p = shortestPath((n)-[r:T|U*1..3]-(m)) \
             SET n += {a: 1}, n:B REMOVE n.y, n:A DETACH DELETE m \
             RETURN DISTINCT *, n.x AS x UNION ALL CALL db.labels RETURN label"
        );
        assert_eq!(
            printed("copy (match (n) return n) to 'out\\'s.csv'"),
            "COPY (MATCH (n) RETURN n) TO 'out\\'s.csv'"
        );
    }

    #[test]
    fn ranges_print_in_their_shortest_form() {
        assert_eq!(
            printed(
                "MATCH (a)-[*]->(b)-[*2]->(c)-[*2..2]->(d)-[*..3]->(e)-[*2..]->(f)-[*..]->(g) RETURN a"
            ),
            "MATCH (a)-[*]->(b)-[*2]->(c)-[*2]->(d)-[*..3]->(e)-[*2..]->(f)-[*]->(g) RETURN a"
        );
    }
}
