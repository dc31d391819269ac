//! pest `Pairs` → syntax tree, one `build_<rule>` function per grammar rule.
//! Statements live here; clauses in `clause.rs`, patterns in `pattern.rs`, expressions in
//! `expr.rs`, literals in `literal.rs`.

mod clause;
mod expr;
mod literal;
mod pattern;

use pest::iterators::Pair;

use self::clause::build_clause;
use self::literal::build_string;
use super::{Rule, SyntaxError};
use crate::ast::*;
use crate::span::Span;

type Result<T> = std::result::Result<T, SyntaxError>;

pub(super) fn span_of(pair: &Pair<Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

fn ident(pair: Pair<Rule>) -> Ident {
    Ident {
        span: span_of(&pair),
        name: symbolic_name(pair.as_str()),
    }
}

/// A name as written, with backtick quoting removed (` `` ` stands for one backtick).
fn symbolic_name(text: &str) -> String {
    match text.strip_prefix('`').and_then(|t| t.strip_suffix('`')) {
        Some(inner) => inner.replace("``", "`"),
        None => text.to_string(),
    }
}

fn error(message: impl Into<String>, span: Span) -> SyntaxError {
    SyntaxError {
        message: message.into(),
        span,
    }
}

pub(super) fn build_statement(pair: Pair<Rule>) -> Result<Statement> {
    let inner = pair.into_inner().next().expect("statement has one child");
    match inner.as_rule() {
        Rule::query => Ok(Statement::Query(build_query(inner)?)),
        Rule::copy_statement => {
            let span = span_of(&inner);
            let mut query = None;
            let mut path = String::new();
            for p in inner.into_inner() {
                match p.as_rule() {
                    Rule::query => query = Some(build_query(p)?),
                    Rule::string_literal => path = build_string(p)?,
                    _ => {}
                }
            }
            let query = query.expect("copy has a query");
            Ok(Statement::Copy { query, path, span })
        }
        rule => unreachable!("build_statement: unexpected {rule:?}"),
    }
}

fn build_query(pair: Pair<Rule>) -> Result<Query> {
    let span = span_of(&pair);
    let mut parts = Vec::new();
    let mut union_all = Vec::new();
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::single_query => parts.push(build_single_query(p)?),
            Rule::union => union_all.push(p.into_inner().any(|k| k.as_rule() == Rule::kw_all)),
            rule => unreachable!("build_query: unexpected {rule:?}"),
        }
    }
    Ok(Query {
        parts,
        union_all,
        span,
    })
}

/// How many clauses one query may have: the executor recurses once per operator, and
/// ten thousand `WITH`s overflowed the stack.
const MAX_CLAUSES: usize = 1000;

fn build_single_query(pair: Pair<Rule>) -> Result<SingleQuery> {
    let span = span_of(&pair);
    if let Some(extra) = pair.clone().into_inner().nth(MAX_CLAUSES) {
        let start = span_of(&extra).start;
        return Err(error(
            format!("a query may have at most {MAX_CLAUSES} clauses"),
            Span::new(start, start + 1),
        ));
    }
    let clauses = pair.into_inner().map(build_clause).collect::<Result<_>>()?;
    Ok(SingleQuery { clauses, span })
}
