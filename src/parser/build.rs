//! pest `Pairs` → syntax tree, one `build_<rule>` function per grammar rule.

use pest::iterators::Pair;

use super::{Rule, SyntaxError};
use crate::ast::*;
use crate::error::Span;

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

fn build_clause(pair: Pair<Rule>) -> Result<Clause> {
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

fn build_where(pair: Pair<Rule>) -> Result<Expr> {
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

fn build_labels(pair: Pair<Rule>) -> Vec<Ident> {
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

// ── Patterns ──

fn build_pattern(pair: Pair<Rule>) -> Result<Vec<PatternPart>> {
    pair.into_inner().map(build_pattern_part).collect()
}

fn build_pattern_part(pair: Pair<Rule>) -> Result<PatternPart> {
    let span = span_of(&pair);
    let mut variable = None;
    let mut shortest = None;
    let mut element = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::variable => variable = Some(ident(p)),
            Rule::pattern_element => element = Some(build_pattern_element(p)?),
            Rule::shortest_path | Rule::all_shortest_paths => {
                shortest = Some(if p.as_rule() == Rule::shortest_path {
                    ShortestKind::Shortest
                } else {
                    ShortestKind::AllShortest
                });
                let inner = p.into_inner().nth(1).expect("shortest path pattern");
                element = Some(build_pattern_element(inner)?);
            }
            rule => unreachable!("build_pattern_part: unexpected {rule:?}"),
        }
    }
    let element = element.expect("pattern element");
    Ok(PatternPart {
        variable,
        shortest,
        element,
        span,
    })
}

fn build_pattern_element(pair: Pair<Rule>) -> Result<PatternElement> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner().peekable();
    if inner.peek().map(|p| p.as_rule()) == Some(Rule::pattern_element) {
        return build_pattern_element(inner.next().expect("nested element"));
    }
    let start = build_node_pattern(inner.next().expect("start node"))?;
    let mut chain = Vec::new();
    for link in inner {
        let mut parts = link.into_inner();
        let rel = build_relationship_pattern(parts.next().expect("relationship"))?;
        let node = build_node_pattern(parts.next().expect("node"))?;
        chain.push((rel, node));
    }
    Ok(PatternElement { start, chain, span })
}

fn build_relationships_pattern(pair: Pair<Rule>) -> Result<PatternElement> {
    build_pattern_element(pair)
}

fn build_node_pattern(pair: Pair<Rule>) -> Result<NodePattern> {
    let span = span_of(&pair);
    let mut node = NodePattern {
        variable: None,
        labels: vec![],
        properties: None,
        where_: None,
        span,
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::variable => node.variable = Some(ident(p)),
            Rule::node_labels => node.labels = build_labels(p),
            Rule::properties => node.properties = Some(build_properties(p)?),
            Rule::inline_where => node.where_ = Some(build_where(p)?),
            rule => unreachable!("build_node_pattern: unexpected {rule:?}"),
        }
    }
    Ok(node)
}

fn build_properties(pair: Pair<Rule>) -> Result<Expr> {
    build_atom(pair.into_inner().next().expect("properties"))
}

fn build_relationship_pattern(pair: Pair<Rule>) -> Result<RelPattern> {
    let span = span_of(&pair);
    let mut left = false;
    let mut right = false;
    let mut rel = RelPattern {
        variable: None,
        types: vec![],
        direction: PatternDirection::Either,
        range: None,
        properties: None,
        where_: None,
        span,
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::left_arrow => left = true,
            Rule::right_arrow => right = true,
            Rule::relationship_detail => build_relationship_detail(p, &mut rel)?,
            rule => unreachable!("build_relationship_pattern: unexpected {rule:?}"),
        }
    }
    rel.direction = match (left, right) {
        (true, false) => PatternDirection::Left,
        (false, true) => PatternDirection::Right,
        _ => PatternDirection::Either,
    };
    Ok(rel)
}

fn build_relationship_detail(pair: Pair<Rule>, rel: &mut RelPattern) -> Result<()> {
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::variable => rel.variable = Some(ident(p)),
            Rule::relationship_types => rel.types = p.into_inner().map(ident).collect(),
            Rule::range_literal => rel.range = Some(build_range(p)?),
            Rule::properties => rel.properties = Some(build_properties(p)?),
            Rule::inline_where => rel.where_ = Some(build_where(p)?),
            rule => unreachable!("build_relationship_detail: unexpected {rule:?}"),
        }
    }
    Ok(())
}

fn build_range(pair: Pair<Rule>) -> Result<Range> {
    let mut range = Range {
        min: None,
        max: None,
    };
    let bound = |p: Pair<Rule>| -> Result<u64> {
        let span = span_of(&p);
        p.as_str()
            .trim()
            .parse()
            .map_err(|_| error("the length bound is too large", span))
    };
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::range_exact => {
                let n = bound(p)?;
                range = Range {
                    min: Some(n),
                    max: Some(n),
                };
            }
            Rule::range_bounds => {
                for b in p.into_inner() {
                    match b.as_rule() {
                        Rule::range_min => range.min = Some(bound(b)?),
                        Rule::range_max => range.max = Some(bound(b)?),
                        rule => unreachable!("build_range: unexpected {rule:?}"),
                    }
                }
            }
            rule => unreachable!("build_range: unexpected {rule:?}"),
        }
    }
    Ok(range)
}

// ── Expressions ──

/// How deep operators may nest in one expression: planning, evaluating and printing
/// recurse once per level, so `NOT NOT ... x` or `1 + 1 + ... + 1` ten thousand long
/// would overflow the stack. Brackets are bounded before parsing (`check_nesting`).
const MAX_EXPR_DEPTH: usize = 1000;

fn too_deep(span: Span) -> SyntaxError {
    error(
        format!("operators nest more than {MAX_EXPR_DEPTH} deep"),
        span,
    )
}

pub(super) fn build_expression(pair: Pair<Rule>) -> Result<Expr> {
    // A chain `a op b op ...` becomes one tree level per operator: refuse long chains
    // before building them (dropping a deep tree recurses as well).
    let chain = matches!(
        pair.as_rule(),
        Rule::or_expression
            | Rule::xor_expression
            | Rule::and_expression
            | Rule::not_expression
            | Rule::comparison_expression
            | Rule::predicate_expression
            | Rule::add_expression
            | Rule::multiply_expression
            | Rule::power_expression
            | Rule::unary_expression
            | Rule::postfix_expression
    );
    if chain && pair.clone().into_inner().len() > 2 * MAX_EXPR_DEPTH + 1 {
        let start = span_of(&pair).start;
        return Err(too_deep(Span::new(start, start + 1)));
    }
    match pair.as_rule() {
        Rule::expression => {
            let expr = build_expression(pair.into_inner().next().expect("expression"))?;
            // Leaves sit one level below the deepest operator.
            match deeper_than(&expr, MAX_EXPR_DEPTH + 1) {
                Some(span) => Err(too_deep(Span::new(span.start, span.start + 1))),
                None => Ok(expr),
            }
        }
        Rule::or_expression => build_left_assoc(pair, |_| BinaryOp::Or),
        Rule::xor_expression => build_left_assoc(pair, |_| BinaryOp::Xor),
        Rule::and_expression => build_left_assoc(pair, |_| BinaryOp::And),
        Rule::not_expression => build_not(pair),
        Rule::comparison_expression => build_comparison(pair),
        Rule::predicate_expression => build_predicate(pair),
        Rule::add_expression | Rule::multiply_expression | Rule::power_expression => {
            build_left_assoc(pair, arithmetic_op)
        }
        Rule::unary_expression => build_unary(pair),
        Rule::postfix_expression => build_postfix(pair),
        _ => build_atom(pair),
    }
}

/// The span of a sub-expression `limit` levels below `expr`, if there is one. Recurses
/// at most `limit` deep.
fn deeper_than(expr: &Expr, limit: usize) -> Option<Span> {
    if limit == 0 {
        return Some(expr.span);
    }
    let below = |e: &Expr| deeper_than(e, limit - 1);
    match &expr.kind {
        ExprKind::Literal(_)
        | ExprKind::Parameter(_)
        | ExprKind::Variable(_)
        | ExprKind::CountStar
        | ExprKind::PatternPredicate(_)
        | ExprKind::ShortestPath { .. }
        | ExprKind::Exists(_) => None,
        ExprKind::Property { base, .. } | ExprKind::HasLabels { base, .. } => below(base),
        ExprKind::Index { base, index } => below(base).or_else(|| below(index)),
        ExprKind::Slice { base, from, to } => below(base)
            .or_else(|| from.as_deref().and_then(below))
            .or_else(|| to.as_deref().and_then(below)),
        ExprKind::Unary { operand, .. } | ExprKind::IsNull { operand, .. } => below(operand),
        ExprKind::Binary { lhs, rhs, .. } => below(lhs).or_else(|| below(rhs)),
        ExprKind::List(items) | ExprKind::FunctionCall { args: items, .. } => {
            items.iter().find_map(below)
        }
        ExprKind::Map(entries) => entries.iter().find_map(|(_, e)| below(e)),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => operand
            .as_deref()
            .and_then(below)
            .or_else(|| {
                whens
                    .iter()
                    .find_map(|(w, t)| below(w).or_else(|| below(t)))
            })
            .or_else(|| else_.as_deref().and_then(below)),
        ExprKind::ListComprehension {
            list, filter, map, ..
        } => below(list)
            .or_else(|| filter.as_deref().and_then(below))
            .or_else(|| map.as_deref().and_then(below)),
        ExprKind::Quantifier {
            list, predicate, ..
        } => below(list).or_else(|| predicate.as_deref().and_then(below)),
        ExprKind::Reduce {
            init, list, expr, ..
        } => below(init).or_else(|| below(list)).or_else(|| below(expr)),
        ExprKind::PatternComprehension { filter, map, .. } => {
            filter.as_deref().and_then(below).or_else(|| below(map))
        }
        ExprKind::MapProjection { items, .. } => items.iter().find_map(|item| match item {
            MapProjectionItem::Entry(_, e) => below(e),
            _ => None,
        }),
    }
}

fn arithmetic_op(rule: Rule) -> BinaryOp {
    match rule {
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        Rule::op_div => BinaryOp::Div,
        Rule::op_mod => BinaryOp::Mod,
        Rule::op_pow => BinaryOp::Pow,
        rule => unreachable!("arithmetic_op: unexpected {rule:?}"),
    }
}

fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span.merge(rhs.span);
    Expr::new(
        ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        span,
    )
}

/// `a op b op c` → `((a op b) op c)`; operator pairs are either keywords (skipped,
/// the op comes from `op_of`) or operator rules.
fn build_left_assoc(pair: Pair<Rule>, op_of: fn(Rule) -> BinaryOp) -> Result<Expr> {
    let mut inner = pair.into_inner();
    let mut lhs = build_expression(inner.next().expect("operand"))?;
    while let Some(op) = inner.next() {
        let op = op_of(op.as_rule());
        let rhs = build_expression(inner.next().expect("right operand"))?;
        lhs = binary(op, lhs, rhs);
    }
    Ok(lhs)
}

fn build_not(pair: Pair<Rule>) -> Result<Expr> {
    let span = span_of(&pair);
    let mut nots = 0;
    let mut operand = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::op_not => nots += 1,
            _ => operand = Some(build_expression(p)?),
        }
    }
    let mut expr = operand.expect("not operand");
    for _ in 0..nots {
        expr = Expr::new(
            ExprKind::Unary {
                op: UnaryOp::Not,
                operand: Box::new(expr),
            },
            span,
        );
    }
    Ok(expr)
}

/// `a < b <= c` means `a < b AND b <= c` (openCypher's chained comparison).
fn build_comparison(pair: Pair<Rule>) -> Result<Expr> {
    let mut inner = pair.into_inner();
    let mut lhs = build_expression(inner.next().expect("operand"))?;
    let mut result: Option<Expr> = None;
    while let Some(op) = inner.next() {
        let op = match op.as_rule() {
            Rule::op_eq => BinaryOp::Eq,
            Rule::op_ne => BinaryOp::Ne,
            Rule::op_lt => BinaryOp::Lt,
            Rule::op_gt => BinaryOp::Gt,
            Rule::op_le => BinaryOp::Le,
            Rule::op_ge => BinaryOp::Ge,
            rule => unreachable!("build_comparison: unexpected {rule:?}"),
        };
        let rhs = build_expression(inner.next().expect("right operand"))?;
        let comparison = binary(op, lhs, rhs.clone());
        result = Some(match result {
            None => comparison,
            Some(prev) => binary(BinaryOp::And, prev, comparison),
        });
        lhs = rhs;
    }
    Ok(result.unwrap_or(lhs))
}

fn build_predicate(pair: Pair<Rule>) -> Result<Expr> {
    let mut inner = pair.into_inner();
    let mut expr = build_expression(inner.next().expect("operand"))?;
    for suffix in inner {
        let span = expr.span.merge(span_of(&suffix));
        let rule = suffix.as_rule();
        if let Rule::is_null | Rule::is_not_null = rule {
            let negated = rule == Rule::is_not_null;
            expr = Expr::new(
                ExprKind::IsNull {
                    operand: Box::new(expr),
                    negated,
                },
                span,
            );
            continue;
        }
        let op = match rule {
            Rule::starts_with => BinaryOp::StartsWith,
            Rule::ends_with => BinaryOp::EndsWith,
            Rule::contains => BinaryOp::Contains,
            Rule::in_list => BinaryOp::In,
            Rule::regex_match => BinaryOp::RegexMatch,
            rule => unreachable!("build_predicate: unexpected {rule:?}"),
        };
        let rhs_pair = suffix
            .into_inner()
            .find(|p| p.as_rule() == Rule::add_expression)
            .expect("predicate operand");
        let rhs = build_expression(rhs_pair)?;
        expr = binary(op, expr, rhs);
    }
    Ok(expr)
}

fn build_unary(pair: Pair<Rule>) -> Result<Expr> {
    let span = span_of(&pair);
    let mut ops = Vec::new();
    let mut operand = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::op_neg => ops.push(UnaryOp::Neg),
            Rule::op_plus => ops.push(UnaryOp::Plus),
            _ => operand = Some(p),
        }
    }
    let operand = operand.expect("unary operand");
    // `-9223372036854775808` only fits when the sign is part of the literal.
    if ops.last() == Some(&UnaryOp::Neg)
        && let Some(lit) = negative_integer_literal(&operand)?
    {
        ops.pop();
        let mut expr = Expr::new(ExprKind::Literal(lit), span);
        for op in ops.into_iter().rev() {
            expr = Expr::new(
                ExprKind::Unary {
                    op,
                    operand: Box::new(expr),
                },
                span,
            );
        }
        return Ok(expr);
    }
    let mut expr = build_expression(operand)?;
    for op in ops.into_iter().rev() {
        expr = Expr::new(
            ExprKind::Unary {
                op,
                operand: Box::new(expr),
            },
            span,
        );
    }
    Ok(expr)
}

/// If `pair` is a bare integer literal, the negated literal.
fn negative_integer_literal(pair: &Pair<Rule>) -> Result<Option<Literal>> {
    let mut inner = pair.clone().into_inner();
    let (Some(atom), None) = (inner.next(), inner.next()) else {
        return Ok(None);
    };
    match atom.as_rule() {
        Rule::decimal_integer | Rule::hex_integer | Rule::octal_integer => {
            let text = format!("-{}", atom.as_str());
            Ok(Some(Literal::Int(parse_integer(&text, span_of(&atom))?)))
        }
        _ => Ok(None),
    }
}

fn build_postfix(pair: Pair<Rule>) -> Result<Expr> {
    let mut inner = pair.into_inner();
    let mut expr = build_atom(inner.next().expect("atom"))?;
    for p in inner {
        let span = expr.span.merge(span_of(&p));
        let kind = match p.as_rule() {
            Rule::property_lookup => {
                let key = ident(p.into_inner().next().expect("key"));
                ExprKind::Property {
                    base: Box::new(expr),
                    key: key.name,
                }
            }
            Rule::subscript => {
                let (mut from, mut to, mut dots) = (None, None, false);
                for b in p.into_inner() {
                    match b.as_rule() {
                        Rule::slice_dots => dots = true,
                        which => {
                            let e = build_expression(b.into_inner().next().expect("bound"))?;
                            match which {
                                Rule::slice_from => from = Some(Box::new(e)),
                                _ => to = Some(Box::new(e)),
                            }
                        }
                    }
                }
                match (dots, from) {
                    (false, Some(index)) => ExprKind::Index {
                        base: Box::new(expr),
                        index,
                    },
                    (_, from) => ExprKind::Slice {
                        base: Box::new(expr),
                        from,
                        to,
                    },
                }
            }
            Rule::node_labels => {
                let labels = build_labels(p).into_iter().map(|l| l.name).collect();
                ExprKind::HasLabels {
                    base: Box::new(expr),
                    labels,
                }
            }
            rule => unreachable!("build_postfix: unexpected {rule:?}"),
        };
        expr = Expr::new(kind, span);
    }
    Ok(expr)
}

fn build_atom(pair: Pair<Rule>) -> Result<Expr> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::decimal_integer | Rule::hex_integer | Rule::octal_integer => {
            ExprKind::Literal(Literal::Int(parse_integer(pair.as_str(), span)?))
        }
        Rule::float_literal => {
            let f: f64 = pair
                .as_str()
                .parse()
                .map_err(|_| error("invalid float literal", span))?;
            if f.is_infinite() {
                return Err(error("the float literal is too large", span));
            }
            ExprKind::Literal(Literal::Float(f))
        }
        Rule::string_literal => ExprKind::Literal(Literal::String(build_string(pair)?)),
        Rule::kw_true => ExprKind::Literal(Literal::Bool(true)),
        Rule::kw_false => ExprKind::Literal(Literal::Bool(false)),
        Rule::kw_null => ExprKind::Literal(Literal::Null),
        Rule::list_literal => ExprKind::List(
            pair.into_inner()
                .map(build_expression)
                .collect::<Result<_>>()?,
        ),
        Rule::map_literal => ExprKind::Map(build_map_entries(pair)?),
        Rule::parameter => ExprKind::Parameter(symbolic_name(&pair.as_str()[1..])),
        Rule::variable => ExprKind::Variable(symbolic_name(pair.as_str())),
        Rule::parenthesized => return build_expression(pair.into_inner().next().expect("inner")),
        Rule::count_star => ExprKind::CountStar,
        Rule::case_expression => build_case(pair)?,
        Rule::list_comprehension => build_list_comprehension(pair)?,
        Rule::pattern_comprehension => build_pattern_comprehension(pair)?,
        Rule::quantifier => build_quantifier(pair)?,
        Rule::reduce => build_reduce(pair)?,
        Rule::exists_subquery => build_exists(pair)?,
        Rule::shortest_path_expression => {
            let p = pair.into_inner().next().expect("shortest path");
            let kind = if p.as_rule() == Rule::shortest_path {
                ShortestKind::Shortest
            } else {
                ShortestKind::AllShortest
            };
            let element = build_pattern_element(p.into_inner().nth(1).expect("pattern"))?;
            ExprKind::ShortestPath {
                kind,
                pattern: Box::new(element),
            }
        }
        Rule::pattern_predicate => ExprKind::PatternPredicate(Box::new(
            build_relationships_pattern(pair.into_inner().next().expect("pattern"))?,
        )),
        Rule::function_call => build_function_call(pair)?,
        Rule::map_projection => build_map_projection(pair)?,
        Rule::expression => return build_expression(pair),
        rule => unreachable!("build_atom: unexpected {rule:?}"),
    };
    Ok(Expr::new(kind, span))
}

fn build_map_entries(pair: Pair<Rule>) -> Result<Vec<(String, Expr)>> {
    pair.into_inner()
        .map(|entry| {
            let mut inner = entry.into_inner();
            let key = ident(inner.next().expect("key")).name;
            let value = build_expression(inner.next().expect("value"))?;
            Ok((key, value))
        })
        .collect()
}

fn build_case(pair: Pair<Rule>) -> Result<ExprKind> {
    let mut operand = None;
    let mut whens = Vec::new();
    let mut else_ = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::kw_case | Rule::kw_end => {}
            Rule::expression => operand = Some(Box::new(build_expression(p)?)),
            Rule::case_alternative => {
                let mut exprs = p.into_inner().filter(|e| e.as_rule() == Rule::expression);
                let when = build_expression(exprs.next().expect("when"))?;
                let then = build_expression(exprs.next().expect("then"))?;
                whens.push((when, then));
            }
            Rule::case_else => {
                let e = p.into_inner().nth(1).expect("else expression");
                else_ = Some(Box::new(build_expression(e)?));
            }
            rule => unreachable!("build_case: unexpected {rule:?}"),
        }
    }
    Ok(ExprKind::Case {
        operand,
        whens,
        else_,
    })
}

fn build_list_comprehension(pair: Pair<Rule>) -> Result<ExprKind> {
    let mut variable = None;
    let mut exprs = Vec::new();
    let mut map = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::variable => variable = Some(ident(p)),
            Rule::expression => exprs.push(build_expression(p)?),
            Rule::comprehension_map => {
                map = Some(Box::new(build_expression(
                    p.into_inner().next().expect("map"),
                )?))
            }
            _ => {}
        }
    }
    let mut exprs = exprs.into_iter();
    let list = Box::new(exprs.next().expect("list"));
    let filter = exprs.next().map(Box::new);
    Ok(ExprKind::ListComprehension {
        variable: variable.expect("variable"),
        list,
        filter,
        map,
    })
}

fn build_pattern_comprehension(pair: Pair<Rule>) -> Result<ExprKind> {
    let mut path_variable = None;
    let mut pattern = None;
    let mut filter = None;
    let mut map = None;
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::variable => path_variable = Some(ident(p)),
            Rule::relationships_pattern => pattern = Some(build_relationships_pattern(p)?),
            Rule::comprehension_where => filter = Some(Box::new(build_where(p)?)),
            Rule::expression => map = Some(Box::new(build_expression(p)?)),
            rule => unreachable!("build_pattern_comprehension: unexpected {rule:?}"),
        }
    }
    Ok(ExprKind::PatternComprehension {
        path_variable,
        pattern: Box::new(pattern.expect("pattern")),
        filter,
        map: map.expect("map"),
    })
}

fn build_quantifier(pair: Pair<Rule>) -> Result<ExprKind> {
    let mut inner = pair.into_inner();
    let kind = match inner
        .next()
        .expect("kind")
        .as_str()
        .to_ascii_lowercase()
        .as_str()
    {
        "all" => QuantifierKind::All,
        "any" => QuantifierKind::Any,
        "none" => QuantifierKind::None,
        _ => QuantifierKind::Single,
    };
    let variable = ident(inner.next().expect("variable"));
    let mut exprs = inner.filter(|p| p.as_rule() == Rule::expression);
    let list = Box::new(build_expression(exprs.next().expect("list"))?);
    let predicate = exprs
        .next()
        .map(build_expression)
        .transpose()?
        .map(Box::new);
    Ok(ExprKind::Quantifier {
        kind,
        variable,
        list,
        predicate,
    })
}

fn build_reduce(pair: Pair<Rule>) -> Result<ExprKind> {
    let mut vars = Vec::new();
    let mut exprs = Vec::new();
    for p in pair.into_inner() {
        match p.as_rule() {
            Rule::variable => vars.push(ident(p)),
            Rule::expression => exprs.push(build_expression(p)?),
            _ => {}
        }
    }
    let mut vars = vars.into_iter();
    let mut exprs = exprs.into_iter().map(Box::new);
    Ok(ExprKind::Reduce {
        accumulator: vars.next().expect("accumulator"),
        init: exprs.next().expect("init"),
        variable: vars.next().expect("variable"),
        list: exprs.next().expect("list"),
        expr: exprs.next().expect("expression"),
    })
}

fn build_exists(pair: Pair<Rule>) -> Result<ExprKind> {
    let body = pair.into_inner().nth(1).expect("exists body");
    let body = match body.as_rule() {
        Rule::single_query => ExistsBody::Query(build_single_query(body)?),
        Rule::exists_pattern => {
            let mut pattern = Vec::new();
            let mut where_ = None;
            for p in body.into_inner() {
                match p.as_rule() {
                    Rule::pattern => pattern = build_pattern(p)?,
                    _ => where_ = Some(build_where(p)?),
                }
            }
            ExistsBody::Pattern { pattern, where_ }
        }
        rule => unreachable!("build_exists: unexpected {rule:?}"),
    };
    Ok(ExprKind::Exists(Box::new(body)))
}

fn build_function_call(pair: Pair<Rule>) -> Result<ExprKind> {
    let mut inner = pair.into_inner();
    let name = inner.next().expect("function name").as_str().to_string();
    let mut distinct = false;
    let mut args = Vec::new();
    for p in inner {
        match p.as_rule() {
            Rule::kw_distinct => distinct = true,
            _ => args.push(build_expression(p)?),
        }
    }
    Ok(ExprKind::FunctionCall {
        name,
        distinct,
        args,
    })
}

fn build_map_projection(pair: Pair<Rule>) -> Result<ExprKind> {
    let mut inner = pair.into_inner();
    let variable = ident(inner.next().expect("variable"));
    let mut items = Vec::new();
    for item in inner {
        let p = item.into_inner().next().expect("map projection item");
        items.push(match p.as_rule() {
            Rule::all_properties => MapProjectionItem::AllProperties,
            Rule::property_selector => {
                MapProjectionItem::Property(ident(p.into_inner().next().expect("key")))
            }
            Rule::literal_entry => {
                let mut parts = p.into_inner();
                let key = ident(parts.next().expect("key"));
                let value = build_expression(parts.next().expect("value"))?;
                MapProjectionItem::Entry(key, value)
            }
            Rule::variable_selector => {
                MapProjectionItem::Variable(ident(p.into_inner().next().expect("variable")))
            }
            rule => unreachable!("build_map_projection: unexpected {rule:?}"),
        });
    }
    Ok(ExprKind::MapProjection { variable, items })
}

// ── Literals ──

/// Decimal, `0x` hexadecimal or `0o` octal, with an optional leading `-`.
fn parse_integer(text: &str, span: Span) -> Result<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (radix, digits) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else if let Some(oct) = digits.strip_prefix("0o") {
        (8, oct)
    } else {
        (10, digits)
    };
    let valid = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
    if !valid {
        let what = match radix {
            16 => "hexadecimal",
            8 => "octal",
            _ => "decimal",
        };
        return Err(error(
            format!("invalid {what} integer literal `{text}`"),
            span,
        ));
    }
    let signed = if negative {
        format!("-{digits}")
    } else {
        digits.to_string()
    };
    i64::from_str_radix(&signed, radix).map_err(|_| {
        error(
            format!("integer literal `{text}` does not fit in 64 bits"),
            span,
        )
    })
}

/// The value of a quoted string, with Cypher's escapes resolved.
fn build_string(pair: Pair<Rule>) -> Result<String> {
    let span = span_of(&pair);
    let body = pair.into_inner().next().map_or("", |p| p.as_str());
    unescape(body).map_err(|message| error(message, span))
}

fn unescape(body: &str) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some(u @ ('u' | 'U')) => {
                let len = if u == 'u' { 4 } else { 8 };
                let hex: String = chars.by_ref().take(len).collect();
                let code = u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == len)
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("invalid unicode escape `\\{u}{hex}`"))?;
                out.push(code);
            }
            Some(other) => return Err(format!("invalid escape sequence `\\{other}`")),
            None => return Err("a string cannot end with a lone backslash".to_string()),
        }
    }
    Ok(out)
}
