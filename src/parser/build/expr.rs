//! Expression builders: operators by precedence level (with the nesting bound), atoms,
//! CASE, comprehensions, quantifiers, `reduce`, `exists`, function calls and map projections.

use pest::iterators::Pair;

use super::clause::{build_labels, build_where};
use super::literal::{build_string, parse_integer};
use super::pattern::{build_pattern, build_pattern_element, build_relationships_pattern};
use super::*;
use crate::ast::*;

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

pub(super) fn build_atom(pair: Pair<Rule>) -> Result<Expr> {
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
