//! Print → parse round trips on random syntax trees: for any tree the parser could have
//! built, `parse(tree.to_string())` gives a tree with the same dump.
//!
//! The strategies build only trees the parser can produce: float literals are finite and
//! non-negative (a written `-1.5` is a negation), every `CASE` has a `WHEN`, every pattern
//! predicate has a relationship, node and relationship properties are maps or parameters.
//! A list comprehension always has a `WHERE` or a `|`: the parser reads `[x IN l]` as a
//! list literal (see `parse_reads_bare_list_comprehension` in `tests/parse.rs`).

use datatrail::Span;
use datatrail::ast::*;
use datatrail::ast_print::dump;
use datatrail::parser::parse;
use proptest::prelude::*;
use proptest::strategy::Union;
use proptest::test_runner::{TestError, TestRunner};

fn e(kind: ExprKind) -> Expr {
    Expr::new(kind, Span::default())
}

fn ident(name: String) -> Ident {
    Ident {
        name,
        span: Span::default(),
    }
}

fn boxed(expr: Expr) -> Box<Expr> {
    Box::new(expr)
}

// ── Names and literals ──

/// Variable names, including reserved words, keywords that are not reserved, names that
/// need backticks and the empty name.
fn variable_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["n", "x", "a_b", "_tmp", "p2"]),
        1 => prop::sample::select(vec![
            "match", "END", "count", "any", "none", "exists", "reduce", "shortestPath",
            "weird name", "a`b", "", "1st", "مرحبا", "naïve", "x-y",
        ]),
    ]
    .prop_map(str::to_string)
}

/// Labels, relationship types and property keys.
fn schema_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["Person", "DATA_FLOW", "name", "records", "e5"]),
        1 => prop::sample::select(vec!["match", "two words", "HAS-DASH", "`", "", "1x", "الاسم"]),
    ]
    .prop_map(str::to_string)
}

fn function_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "f",
        "toUpper",
        "count",
        "COUNT",
        "any",
        "none",
        "all",
        "single",
        "exists",
        "shortestPath",
        "apoc.coll.sum",
        "`my fn`",
    ])
    .prop_map(str::to_string)
}

fn parameter_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["p", "0", "12", "odd name", "match", "é"]).prop_map(str::to_string)
}

fn awkward_string() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z ]{0,8}",
        "[\\\\'\"`\n\t\r\u{8}\u{c}\u{0}\u{7f}/*(){}\\[\\]$;]{0,8}",
        "\\PC{0,8}",
        prop::sample::select(vec![
            "مرحبا بالعالم",
            "🐉",
            "\u{2028}",
            "//",
            "/*",
            "\\u0041"
        ])
        .prop_map(str::to_string),
    ]
}

fn float() -> impl Strategy<Value = f64> {
    use prop::num::f64::{NORMAL, POSITIVE, SUBNORMAL, ZERO};
    prop_oneof![
        4 => POSITIVE | NORMAL | SUBNORMAL | ZERO,
        1 => prop::sample::select(vec![0.0, 0.1, 0.5, 1.0, 1e300, 5e-324, f64::MAX, 1e16, 1e15]),
    ]
}

fn integer() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => -100i64..100,
        1 => any::<i64>(),
        1 => prop::sample::select(vec![i64::MIN, i64::MAX, i64::MIN + 1, -1, 0]),
    ]
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        Just(Literal::Null),
        any::<bool>().prop_map(Literal::Bool),
        integer().prop_map(Literal::Int),
        float().prop_map(Literal::Float),
        awkward_string().prop_map(Literal::String),
    ]
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        3 => literal().prop_map(|l| e(ExprKind::Literal(l))),
        3 => variable_name().prop_map(|n| e(ExprKind::Variable(n))),
        1 => parameter_name().prop_map(|n| e(ExprKind::Parameter(n))),
        1 => Just(e(ExprKind::CountStar)),
    ]
}

// ── Patterns ──

fn properties() -> impl Strategy<Value = Option<Expr>> {
    prop::option::weighted(
        0.3,
        prop_oneof![
            prop::collection::vec((schema_name(), leaf()), 0..3).prop_map(|m| e(ExprKind::Map(m))),
            parameter_name().prop_map(|n| e(ExprKind::Parameter(n))),
        ],
    )
}

fn node_pattern() -> impl Strategy<Value = NodePattern> {
    (
        prop::option::of(variable_name().prop_map(ident)),
        prop::collection::vec(schema_name().prop_map(ident), 0..3),
        properties(),
        prop::option::weighted(0.2, leaf()),
    )
        .prop_map(|(variable, labels, properties, where_)| NodePattern {
            variable,
            labels,
            properties,
            where_,
            span: Span::default(),
        })
}

fn range() -> impl Strategy<Value = Option<Range>> {
    let bound = prop::option::of(prop_oneof![0u64..5, Just(u64::MAX)]);
    prop::option::weighted(0.3, (bound.clone(), bound))
        .prop_map(|r| r.map(|(min, max)| Range { min, max }))
}

fn rel_pattern() -> impl Strategy<Value = RelPattern> {
    (
        prop::option::of(variable_name().prop_map(ident)),
        prop::collection::vec(schema_name().prop_map(ident), 0..3),
        prop::sample::select(vec![
            PatternDirection::Left,
            PatternDirection::Right,
            PatternDirection::Either,
        ]),
        range(),
        properties(),
        prop::option::weighted(0.2, leaf()),
    )
        .prop_map(
            |(variable, types, direction, range, properties, where_)| RelPattern {
                variable,
                types,
                direction,
                range,
                properties,
                where_,
                span: Span::default(),
            },
        )
}

/// A chain of at least `min_links` relationships.
fn pattern_element(min_links: usize) -> impl Strategy<Value = PatternElement> {
    (
        node_pattern(),
        prop::collection::vec((rel_pattern(), node_pattern()), min_links..3),
    )
        .prop_map(|(start, chain)| PatternElement {
            start,
            chain,
            span: Span::default(),
        })
}

fn shortest_kind() -> impl Strategy<Value = ShortestKind> {
    prop::sample::select(vec![ShortestKind::Shortest, ShortestKind::AllShortest])
}

fn pattern_part() -> impl Strategy<Value = PatternPart> {
    (
        prop::option::weighted(0.3, variable_name().prop_map(ident)),
        prop::option::weighted(0.2, shortest_kind()),
        pattern_element(0),
    )
        .prop_map(|(variable, shortest, element)| PatternPart {
            variable,
            shortest,
            element,
            span: Span::default(),
        })
}

// ── Expressions ──

const BINARY_OPS: [BinaryOp; 20] = {
    use BinaryOp::*;
    [
        Or, Xor, And, Eq, Ne, Lt, Le, Gt, Ge, Add, Sub, Mul, Div, Mod, Pow, In, StartsWith,
        EndsWith, Contains, RegexMatch,
    ]
};

fn quantifier_kind() -> impl Strategy<Value = QuantifierKind> {
    use QuantifierKind::*;
    prop::sample::select(vec![All, Any, None, Single])
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 48, 4, |inner| {
        let opt = || prop::option::of(inner.clone().prop_map(boxed));
        Union::new_weighted(vec![
            (3, operators(inner.clone()).boxed()),
            (2, postfix(inner.clone()).boxed()),
            (
                1,
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|l| e(ExprKind::List(l)))
                    .boxed(),
            ),
            (
                1,
                prop::collection::vec((schema_name(), inner.clone()), 0..3)
                    .prop_map(|m| e(ExprKind::Map(m)))
                    .boxed(),
            ),
            (
                1,
                (
                    function_name(),
                    any::<bool>(),
                    prop::collection::vec(inner.clone(), 0..3),
                )
                    .prop_map(|(name, distinct, args)| {
                        e(ExprKind::FunctionCall {
                            name,
                            distinct,
                            args,
                        })
                    })
                    .boxed(),
            ),
            (
                1,
                (
                    opt(),
                    prop::collection::vec((inner.clone(), inner.clone()), 1..3),
                    opt(),
                )
                    .prop_map(|(operand, whens, else_)| {
                        e(ExprKind::Case {
                            operand,
                            whens,
                            else_,
                        })
                    })
                    .boxed(),
            ),
            (2, scoped(inner.clone()).boxed()),
            (1, patterns(inner.clone()).boxed()),
            (1, lookalikes(inner).boxed()),
        ])
    })
}

/// Operators and postfix forms only, where precedence mistakes show. Each tree uses at
/// most three binary operators, so parent and child operators often meet in the same
/// combination (`a - (b - c)`, `(a IN b) IN c`).
fn operator_expr() -> impl Strategy<Value = Expr> {
    prop::sample::subsequence(BINARY_OPS.to_vec(), 1..4).prop_flat_map(|ops| {
        leaf().prop_recursive(8, 256, 2, move |inner| {
            prop_oneof![
                4 => binary(prop::sample::select(ops.clone()), inner.clone()),
                1 => unary(inner.clone()),
                1 => is_null(inner.clone()),
                1 => postfix(inner),
            ]
        })
    })
}

fn operators(inner: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    prop_oneof![
        4 => binary(prop::sample::select(BINARY_OPS.to_vec()), inner.clone()),
        1 => unary(inner.clone()),
        1 => is_null(inner),
    ]
}

fn binary(
    op: impl Strategy<Value = BinaryOp>,
    inner: BoxedStrategy<Expr>,
) -> impl Strategy<Value = Expr> {
    (op, inner.clone(), inner).prop_map(|(op, lhs, rhs)| {
        e(ExprKind::Binary {
            op,
            lhs: boxed(lhs),
            rhs: boxed(rhs),
        })
    })
}

fn unary(inner: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    let op = prop::sample::select(vec![UnaryOp::Not, UnaryOp::Neg, UnaryOp::Plus]);
    (op, inner).prop_map(|(op, operand)| {
        e(ExprKind::Unary {
            op,
            operand: boxed(operand),
        })
    })
}

fn is_null(inner: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    (inner, any::<bool>()).prop_map(|(operand, negated)| {
        e(ExprKind::IsNull {
            operand: boxed(operand),
            negated,
        })
    })
}

fn postfix(inner: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    let opt = prop::option::of(inner.clone().prop_map(boxed));
    prop_oneof![
        (inner.clone(), schema_name()).prop_map(|(base, key)| e(ExprKind::Property {
            base: boxed(base),
            key,
        })),
        (inner.clone(), inner.clone()).prop_map(|(base, index)| e(ExprKind::Index {
            base: boxed(base),
            index: boxed(index),
        })),
        (inner.clone(), opt.clone(), opt).prop_map(|(base, from, to)| e(ExprKind::Slice {
            base: boxed(base),
            from,
            to,
        })),
        (inner, prop::collection::vec(schema_name(), 1..3)).prop_map(|(base, labels)| e(
            ExprKind::HasLabels {
                base: boxed(base),
                labels,
            }
        )),
    ]
}

/// Comprehensions, quantifiers, `reduce` and map projections: the forms that bind a variable.
fn scoped(inner: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    let var = || variable_name().prop_map(ident);
    let opt = || prop::option::of(inner.clone().prop_map(boxed));
    let map_item = prop_oneof![
        Just(MapProjectionItem::AllProperties),
        schema_name().prop_map(|k| MapProjectionItem::Property(ident(k))),
        (schema_name(), inner.clone()).prop_map(|(k, v)| MapProjectionItem::Entry(ident(k), v)),
        var().prop_map(MapProjectionItem::Variable),
    ];
    prop_oneof![
        (var(), inner.clone(), opt(), opt())
            .prop_filter("`[x IN l]` reads as a list literal", |(_, _, f, m)| {
                f.is_some() || m.is_some()
            })
            .prop_map(
                |(variable, list, filter, map)| e(ExprKind::ListComprehension {
                    variable,
                    list: boxed(list),
                    filter,
                    map,
                })
            ),
        (quantifier_kind(), var(), inner.clone(), opt()).prop_map(
            |(kind, variable, list, predicate)| e(ExprKind::Quantifier {
                kind,
                variable,
                list: boxed(list),
                predicate,
            })
        ),
        (var(), inner.clone(), var(), inner.clone(), inner.clone()).prop_map(
            |(accumulator, init, variable, list, expr)| e(ExprKind::Reduce {
                accumulator,
                init: boxed(init),
                variable,
                list: boxed(list),
                expr: boxed(expr),
            })
        ),
        (var(), prop::collection::vec(map_item, 0..4))
            .prop_map(|(variable, items)| e(ExprKind::MapProjection { variable, items })),
    ]
}

/// Pattern comprehensions, pattern predicates, `shortestPath(...)` and `EXISTS { }`.
fn patterns(inner: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    let opt = || prop::option::of(inner.clone().prop_map(boxed));
    prop_oneof![
        (
            prop::option::of(variable_name().prop_map(ident)),
            pattern_element(1),
            opt(),
            inner.clone()
        )
            .prop_map(|(path_variable, pattern, filter, map)| {
                e(ExprKind::PatternComprehension {
                    path_variable,
                    pattern: Box::new(pattern),
                    filter,
                    map: boxed(map),
                })
            }),
        pattern_element(1).prop_map(|p| e(ExprKind::PatternPredicate(Box::new(p)))),
        (shortest_kind(), pattern_element(0)).prop_map(|(kind, p)| e(ExprKind::ShortestPath {
            kind,
            pattern: Box::new(p),
        })),
        (
            prop::collection::vec(pattern_part(), 1..3),
            prop::option::of(inner.clone())
        )
            .prop_map(|(pattern, where_)| e(ExprKind::Exists(Box::new(
                ExistsBody::Pattern { pattern, where_ }
            )))),
        (prop::collection::vec(pattern_part(), 1..3), inner).prop_map(|(pattern, ret)| {
            let clauses = vec![match_clause(pattern, None), return_clause(ret)];
            let query = SingleQuery {
                clauses,
                span: Span::default(),
            };
            e(ExprKind::Exists(Box::new(ExistsBody::Query(query))))
        }),
    ]
}

/// Trees whose printed form is one character away from another construct:
/// `[(x IN l)]` from a comprehension, `any((x IN l))` from a quantifier, `a - ((c)-->(d))`
/// from a longer pattern. (`shortestPath(...)` of one pattern is never a function call:
/// the parser reads even `shortestPath(((a)-->(b)))` as a shortest path.)
fn lookalikes(inner: BoxedStrategy<Expr>) -> impl Strategy<Value = Expr> {
    let in_over_variable = (variable_name(), inner.clone())
        .prop_map(|(v, list)| {
            e(ExprKind::Binary {
                op: BinaryOp::In,
                lhs: boxed(e(ExprKind::Variable(v))),
                rhs: boxed(list),
            })
        })
        .boxed();
    let pattern = || pattern_element(1).prop_map(|p| e(ExprKind::PatternPredicate(Box::new(p))));
    let quantifier_name = prop::sample::select(vec!["any", "ALL", "none", "single"]);
    let call = (quantifier_name, in_over_variable.clone()).prop_map(|(name, arg)| {
        e(ExprKind::FunctionCall {
            name: name.to_string(),
            distinct: false,
            args: vec![arg],
        })
    });
    prop_oneof![
        (
            in_over_variable.clone(),
            prop::collection::vec(inner.clone(), 0..2)
        )
            .prop_map(|(first, rest)| e(ExprKind::List(
                std::iter::once(first).chain(rest).collect()
            ))),
        call,
        (inner, pattern()).prop_map(|(lhs, rhs)| e(ExprKind::Binary {
            op: BinaryOp::Sub,
            lhs: boxed(lhs),
            rhs: boxed(rhs),
        })),
    ]
}

// ── Statements ──

fn match_clause(pattern: Vec<PatternPart>, where_: Option<Expr>) -> Clause {
    Clause::Match(Match {
        optional: false,
        time_order: None,
        pattern,
        where_,
        span: Span::default(),
    })
}

fn projection(items: Vec<(Expr, Option<String>)>) -> Projection {
    Projection {
        distinct: false,
        star: false,
        items: items
            .into_iter()
            .map(|(expr, alias)| ProjectionItem {
                text: expr.to_string(),
                expr,
                alias: alias.map(ident),
            })
            .collect(),
        order_by: Vec::new(),
        skip: None,
        limit: None,
    }
}

fn return_clause(expr: Expr) -> Clause {
    Clause::Return {
        projection: projection(vec![(expr, Some("x".to_string()))]),
        span: Span::default(),
    }
}

fn query(clauses: Vec<Clause>) -> Statement {
    Statement::Query(Query {
        parts: vec![SingleQuery {
            clauses,
            span: Span::default(),
        }],
        union_all: Vec::new(),
        span: Span::default(),
    })
}

/// `RETURN <expr> AS x`.
fn return_statement(expr: impl Strategy<Value = Expr>) -> impl Strategy<Value = Statement> {
    expr.prop_map(|x| query(vec![return_clause(x)]))
}

/// `[OPTIONAL] MATCH <pattern> [WHERE <expr>] WITH ... ORDER BY ... RETURN ...`.
fn match_statement() -> impl Strategy<Value = Statement> {
    (
        any::<bool>(),
        prop::collection::vec(pattern_part(), 1..3),
        prop::option::of(expr()),
        prop::collection::vec((expr(), prop::option::of(variable_name())), 1..3),
        any::<bool>(),
        prop::collection::vec((expr(), any::<bool>()), 0..2),
        prop::option::of(leaf()),
        expr(),
    )
        .prop_map(
            |(optional, pattern, where_, items, distinct, order, limit, ret)| {
                let mut with = projection(items);
                with.distinct = distinct;
                with.star = !distinct;
                with.order_by = order
                    .into_iter()
                    .map(|(expr, descending)| SortItem { expr, descending })
                    .collect();
                with.limit = limit;
                let clauses = vec![
                    Clause::Match(Match {
                        optional,
                        time_order: None,
                        pattern,
                        where_,
                        span: Span::default(),
                    }),
                    Clause::With {
                        projection: with,
                        where_: None,
                        span: Span::default(),
                    },
                    return_clause(ret),
                ];
                query(clauses)
            },
        )
}

/// `Ok` when `statement` prints to text that parses back to the same tree.
fn check_round_trip(statement: Statement) -> Result<(), TestCaseError> {
    let printed = statement.to_string();
    let reparsed = parse(&printed).map_err(|err| {
        let rendered = datatrail::Error::from(err).render(&printed, "printed");
        TestCaseError::fail(format!("does not parse:\n{rendered}"))
    })?;
    prop_assert_eq!(reparsed.len(), 1, "{}", printed);
    prop_assert_eq!(
        dump(&statement),
        dump(&reparsed[0]),
        "printed as {}",
        printed
    );
    Ok(())
}

#[test]
fn printed_statements_parse_back_to_the_same_tree() {
    // Building random trees in a debug build takes more than a test thread's 2 MiB stack.
    let run = || {
        let strategy = prop_oneof![
            2 => return_statement(expr()),
            2 => return_statement(operator_expr()),
            1 => match_statement(),
        ];
        let mut runner = TestRunner::new(ProptestConfig::with_cases(256));
        if let Err(err) = runner.run(&strategy, check_round_trip) {
            let detail = match &err {
                TestError::Fail(reason, statement) => format!("{reason}\n{statement}"),
                TestError::Abort(reason) => reason.to_string(),
            };
            panic!("round trip failed: {detail}");
        }
    };
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(run)
        .expect("a test thread")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
}
