//! Pattern builders: pattern parts, node and relationship patterns, variable-length ranges.

use pest::iterators::Pair;

use super::clause::{build_labels, build_where};
use super::expr::build_atom;
use super::*;
use crate::ast::*;

pub(super) fn build_pattern(pair: Pair<Rule>) -> Result<Vec<PatternPart>> {
    pair.into_inner().map(build_pattern_part).collect()
}

pub(super) fn build_pattern_part(pair: Pair<Rule>) -> Result<PatternPart> {
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

pub(super) fn build_pattern_element(pair: Pair<Rule>) -> Result<PatternElement> {
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

pub(super) fn build_relationships_pattern(pair: Pair<Rule>) -> Result<PatternElement> {
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
