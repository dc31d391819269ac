//! Clause builders: MATCH, CREATE, MERGE, SET, REMOVE, DELETE, WITH, RETURN, UNWIND and
//! the projections, property targets and label lists they share.

use pest::iterators::Pair;

use super::expr::{build_atom, build_expression};
use super::pattern::{build_pattern, build_pattern_part};
use super::*;
use crate::ast::*;

pub(super) fn build_clause(pair: Pair<Rule>) -> Result<Clause> {
    let span = span_of(&pair);
    let rule = pair.as_rule();
    let mut inner = pair.into_inner().peekable();
    Ok(match rule {
        Rule::match_clause => {
            let optional = inner.peek().map(|p| p.as_rule()) == Some(Rule::kw_optional);
            let mut pattern = Vec::new();
            let mut where_ = None;
            let mut time_order = None;
            for p in inner {
                match p.as_rule() {
                    Rule::pattern => pattern = build_pattern(p)?,
                    Rule::where_clause => where_ = Some(build_where(p)?),
                    Rule::path_mode => time_order = Some(build_path_mode(p)),
                    _ => {}
                }
            }
            Clause::Match(Match {
                optional,
                time_order,
                pattern,
                where_,
                span,
            })
        }
        Rule::unwind_clause => {
            inner.next(); // UNWIND
            let expr = build_expression(inner.next().expect("unwind expr"))?;
            inner.next(); // AS
            let variable = ident(inner.next().expect("unwind variable"));
            Clause::Unwind {
                expr,
                variable,
                span,
            }
        }
        Rule::with_clause => {
            inner.next();
            let projection = build_projection(inner.next().expect("with body"))?;
            let where_ = inner.next().map(build_where).transpose()?;
            Clause::With {
                projection,
                where_,
                span,
            }
        }
        Rule::return_clause => {
            inner.next();
            let projection = build_projection(inner.next().expect("return body"))?;
            Clause::Return { projection, span }
        }
        Rule::create_clause => {
            inner.next();
            let pattern = build_pattern(inner.next().expect("create pattern"))?;
            Clause::Create { pattern, span }
        }
        Rule::merge_clause => {
            inner.next();
            let part = build_pattern_part(inner.next().expect("merge pattern"))?;
            let (mut on_create, mut on_match) = (Vec::new(), Vec::new());
            for action in inner {
                let mut parts = action.into_inner();
                parts.next(); // ON
                let which = parts.next().expect("merge action kind").as_rule();
                parts.next(); // SET
                let items = build_set_items(parts.next().expect("merge set items"))?;
                match which {
                    Rule::on_create => on_create.extend(items),
                    _ => on_match.extend(items),
                }
            }
            Clause::Merge(Merge {
                part,
                on_create,
                on_match,
                span,
            })
        }
        Rule::set_clause => {
            inner.next();
            let items = build_set_items(inner.next().expect("set items"))?;
            Clause::Set { items, span }
        }
        Rule::remove_clause => {
            inner.next();
            let items = inner.map(build_remove_item).collect::<Result<_>>()?;
            Clause::Remove { items, span }
        }
        Rule::delete_clause => {
            let mut detach = false;
            let mut exprs = Vec::new();
            for p in inner {
                match p.as_rule() {
                    Rule::kw_detach => detach = true,
                    Rule::kw_delete => {}
                    _ => exprs.push(build_expression(p)?),
                }
            }
            Clause::Delete {
                detach,
                exprs,
                span,
            }
        }
        Rule::call_clause => {
            inner.next();
            let procedure = ident(inner.next().expect("procedure name"));
            Clause::Call { procedure, span }
        }
        rule => unreachable!("build_clause: unexpected {rule:?}"),
    })
}

fn build_path_mode(pair: Pair<Rule>) -> TimeOrder {
    let span = span_of(&pair);
    let mut keys = Vec::new();
    let mut strict = false;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::property_key_name => keys.push(ident(p)),
            Rule::kw_strict => strict = true,
            _ => {}
        }
    }
    TimeOrder { keys, strict, span }
}

pub(super) fn build_where(pair: Pair<Rule>) -> Result<Expr> {
    let expr = pair.into_inner().nth(1).expect("where expression");
    build_expression(expr)
}

fn build_set_items(pair: Pair<Rule>) -> Result<Vec<SetItem>> {
    pair.into_inner().map(build_set_item).collect()
}

fn build_set_item(pair: Pair<Rule>) -> Result<SetItem> {
    let item = pair.into_inner().next().expect("set item");
    let rule = item.as_rule();
    let mut inner = item.into_inner();
    Ok(match rule {
        Rule::set_property => {
            let (target, key) = build_property_expression(inner.next().expect("target"))?;
            let value = build_expression(inner.next().expect("value"))?;
            SetItem::Property { target, key, value }
        }
        Rule::set_variable => {
            let variable = ident(inner.next().expect("variable"));
            let value = build_expression(inner.next().expect("value"))?;
            SetItem::Replace { variable, value }
        }
        Rule::set_variable_merge => {
            let variable = ident(inner.next().expect("variable"));
            let value = build_expression(inner.next().expect("value"))?;
            SetItem::Merge { variable, value }
        }
        Rule::set_labels => {
            let variable = ident(inner.next().expect("variable"));
            let labels = build_labels(inner.next().expect("labels"));
            SetItem::Labels { variable, labels }
        }
        rule => unreachable!("build_set_item: unexpected {rule:?}"),
    })
}

fn build_remove_item(pair: Pair<Rule>) -> Result<RemoveItem> {
    let item = pair.into_inner().next().expect("remove item");
    Ok(match item.as_rule() {
        Rule::set_labels => {
            let mut inner = item.into_inner();
            let variable = ident(inner.next().expect("variable"));
            let labels = build_labels(inner.next().expect("labels"));
            RemoveItem::Labels { variable, labels }
        }
        Rule::property_expression => {
            let (target, key) = build_property_expression(item)?;
            RemoveItem::Property { target, key }
        }
        rule => unreachable!("build_remove_item: unexpected {rule:?}"),
    })
}

/// `atom.a.b.c` → (`atom.a.b`, `c`).
fn build_property_expression(pair: Pair<Rule>) -> Result<(Expr, Ident)> {
    let mut inner = pair.into_inner();
    let mut expr = build_atom(inner.next().expect("atom"))?;
    let lookups: Vec<Pair<Rule>> = inner.collect();
    let count = lookups.len();
    let mut last_key = None;
    for (i, lookup) in lookups.into_iter().enumerate() {
        let key = ident(lookup.into_inner().next().expect("key"));
        if i + 1 == count {
            last_key = Some(key);
        } else {
            let span = expr.span.merge(key.span);
            expr = Expr::new(
                ExprKind::Property {
                    base: Box::new(expr),
                    key: key.name,
                },
                span,
            );
        }
    }
    Ok((expr, last_key.expect("at least one lookup")))
}

pub(super) fn build_labels(pair: Pair<Rule>) -> Vec<Ident> {
    pair.into_inner().map(ident).collect()
}

fn build_projection(pair: Pair<Rule>) -> Result<Projection> {
    let mut projection = Projection {
        distinct: false,
        star: false,
        items: Vec::new(),
        order_by: Vec::new(),
        skip: None,
        limit: None,
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::kw_distinct => projection.distinct = true,
            Rule::projection_items => {
                for item in p.into_inner() {
                    match item.as_rule() {
                        Rule::star => projection.star = true,
                        _ => projection.items.push(build_projection_item(item)?),
                    }
                }
            }
            Rule::order_by => {
                for sort in p.into_inner().filter(|s| s.as_rule() == Rule::sort_item) {
                    let mut inner = sort.into_inner();
                    let expr = build_expression(inner.next().expect("sort expression"))?;
                    let descending = inner.next().is_some_and(|d| {
                        let text = d.as_str().to_ascii_lowercase();
                        text.starts_with("desc")
                    });
                    projection.order_by.push(SortItem { expr, descending });
                }
            }
            Rule::skip => {
                projection.skip = Some(build_expression(p.into_inner().nth(1).expect("skip"))?)
            }
            Rule::limit => {
                projection.limit = Some(build_expression(p.into_inner().nth(1).expect("limit"))?)
            }
            rule => unreachable!("build_projection: unexpected {rule:?}"),
        }
    }
    Ok(projection)
}

fn build_projection_item(pair: Pair<Rule>) -> Result<ProjectionItem> {
    let mut inner = pair.into_inner();
    let expr_pair = inner.next().expect("projection expression");
    let text = expr_pair.as_str().trim().to_string();
    let expr = build_expression(expr_pair)?;
    let alias = inner.nth(1).map(ident);
    Ok(ProjectionItem { expr, alias, text })
}
