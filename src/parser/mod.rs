//! Query text → syntax tree, through the pest grammar in `grammar/cypher.pest`.
//!
//! ```
//! let statements = datatrail::parser::parse("MATCH (n:Person) RETURN n.name").unwrap();
//! assert_eq!(statements.len(), 1);
//! ```

mod build;
mod cache;

use pest::Parser;
use pest::error::InputLocation;
use thiserror::Error;

use crate::ast::Statement;
use crate::span::Span;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/cypher.pest"]
struct CypherParser;

/// A query that does not parse.
#[derive(Debug, Error, PartialEq, Clone)]
#[error("syntax: {message}")]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

/// How deeply brackets may nest before a query is refused (the parser recurses).
const MAX_NESTING: usize = 200;

/// Queries nesting deeper than this are parsed on a thread with a larger stack.
const INLINE_NESTING: usize = 24;

pub use cache::ParseCache;

/// Parses `;`-separated statements.
///
/// # Errors
/// A [`SyntaxError`] pointing at the first place the text stops making sense.
pub fn parse(text: &str) -> Result<Vec<Statement>, SyntaxError> {
    let depth = check_nesting(text)?;
    if depth <= INLINE_NESTING {
        return parse_inline(text);
    }
    let owned = text.to_string();
    std::thread::Builder::new()
        .stack_size(256 * 1024 * 1024)
        .spawn(move || parse_inline(&owned))
        .map_err(|e| SyntaxError {
            message: format!("cannot start the parser: {e}"),
            span: Span::default(),
        })?
        .join()
        .unwrap_or_else(|_| {
            Err(SyntaxError {
                message: "the parser failed".into(),
                span: Span::default(),
            })
        })
}

/// Parser steps (pest rule calls) allowed per byte of text, and at least. Some texts make
/// the PEG parser backtrack exponentially (`[x IN [x IN [x IN ...` left unclosed): the
/// budget turns those into a prompt error. Real queries take a few hundred steps a byte.
const CALLS_PER_BYTE: usize = 5_000;
const MIN_CALLS: usize = 10_000_000;

/// Raises pest's step budget to what `text` may need. The budget is process-wide, so it
/// only ever grows: a parse on another thread never gets less than its text needs.
fn allow_parser_calls(text: &str) {
    static LIMIT: std::sync::Mutex<usize> = std::sync::Mutex::new(0);
    let wanted = text.len().saturating_mul(CALLS_PER_BYTE).max(MIN_CALLS);
    let mut limit = LIMIT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if wanted > *limit {
        pest::set_call_limit(std::num::NonZeroUsize::new(wanted));
        *limit = wanted;
    }
}

fn parse_inline(text: &str) -> Result<Vec<Statement>, SyntaxError> {
    allow_parser_calls(text);
    let mut pairs = CypherParser::parse(Rule::script, text).map_err(convert_error)?;
    let script = pairs.next().expect("a script");
    script
        .into_inner()
        .filter(|p| p.as_rule() == Rule::statement)
        .map(build::build_statement)
        .collect()
}

/// The deepest bracket nesting outside strings and comments; an error past [`MAX_NESTING`].
fn check_nesting(text: &str) -> Result<usize, SyntaxError> {
    let bytes = text.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
                if depth > MAX_NESTING {
                    let message = format!("brackets nest more than {MAX_NESTING} deep");
                    return Err(SyntaxError {
                        message,
                        span: Span::new(i, i + 1),
                    });
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            // CASE ... END nests like brackets for the parser's recursion.
            b'c' | b'C' if word_at(bytes, i, b"case") => {
                depth += 1;
                max = max.max(depth);
                if depth > MAX_NESTING {
                    let message = format!("expressions nest more than {MAX_NESTING} deep");
                    return Err(SyntaxError {
                        message,
                        span: Span::new(i, i + 4),
                    });
                }
            }
            b'e' | b'E' if word_at(bytes, i, b"end") => depth = depth.saturating_sub(1),
            q @ (b'\'' | b'"' | b'`') => {
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    i += if bytes[i] == b'\\' && q != b'`' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(max)
}

/// Whether the keyword `word` (any case) stands at `i` as a whole word.
fn word_at(bytes: &[u8], i: usize, word: &[u8]) -> bool {
    let is_ident = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    bytes.len() >= i + word.len()
        && bytes[i..i + word.len()].eq_ignore_ascii_case(word)
        && !bytes.get(i + word.len()).is_some_and(is_ident)
        && !(i > 0 && is_ident(&bytes[i - 1]))
}

fn convert_error(err: pest::error::Error<Rule>) -> SyntaxError {
    let span = match err.location {
        InputLocation::Pos(p) => Span::new(p, p + 1),
        InputLocation::Span((s, e)) => Span::new(s, e.max(s + 1)),
    };
    let message = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            words.sort_unstable();
            words.dedup();
            match words.as_slice() {
                [] => "unexpected input".to_string(),
                [one] => format!("expected {one}"),
                [init @ .., last] => format!("expected {} or {last}", init.join(", ")),
            }
        }
        pest::error::ErrorVariant::CustomError { message } if message == "call limit reached" => {
            "the query is too intricate to parse (unclosed brackets make the parser backtrack \
             too much)"
                .to_string()
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    SyntaxError { message, span }
}

/// What a grammar rule means to someone writing a query; `None` for rules that are
/// never worth naming on their own.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "the end of the query",
        Rule::script | Rule::statement | Rule::query | Rule::single_query => "a clause",
        Rule::copy_statement => "COPY",
        Rule::union => "UNION",
        Rule::match_clause => "MATCH",
        Rule::path_mode => "TIME ORDERED",
        Rule::where_clause | Rule::inline_where | Rule::comprehension_where => "WHERE",
        Rule::unwind_clause => "UNWIND",
        Rule::with_clause => "WITH",
        Rule::return_clause => "RETURN",
        Rule::create_clause => "CREATE",
        Rule::merge_clause => "MERGE",
        Rule::merge_action => "ON CREATE or ON MATCH",
        Rule::on_match | Rule::on_create => "MATCH or CREATE",
        Rule::set_clause => "SET",
        Rule::set_items
        | Rule::set_item
        | Rule::set_property
        | Rule::set_variable
        | Rule::set_variable_merge => "a property assignment",
        Rule::set_labels => "labels",
        Rule::remove_clause => "REMOVE",
        Rule::remove_item => "a property or labels to remove",
        Rule::delete_clause => "DELETE",
        Rule::call_clause => "CALL",
        Rule::procedure_name => "a procedure name",
        Rule::yield_item => "a YIELD item",
        Rule::property_expression => "a property",
        Rule::projection_body | Rule::projection_items | Rule::projection_item => {
            "an expression to return"
        }
        Rule::star => "`*`",
        Rule::order_by => "ORDER BY",
        Rule::sort_item => "a sort key",
        Rule::sort_direction => "ASC or DESC",
        Rule::skip => "SKIP",
        Rule::limit => "LIMIT",
        Rule::pattern | Rule::pattern_part | Rule::pattern_element => "a pattern",
        Rule::shortest_path | Rule::shortest_path_expression => "shortestPath",
        Rule::all_shortest_paths => "allShortestPaths",
        Rule::pattern_chain | Rule::relationship_pattern => "a relationship pattern",
        Rule::node_pattern => "a node pattern `(...)`",
        Rule::node_labels => "a label",
        Rule::properties => "a property map",
        Rule::left_arrow => "`<`",
        Rule::right_arrow => "`>`",
        Rule::relationship_detail => "`[`",
        Rule::relationship_types => "a relationship type",
        Rule::range_literal | Rule::range_bounds | Rule::range_exact => "a length `*min..max`",
        Rule::range_min | Rule::range_max | Rule::integer_digits => "a whole number",
        Rule::expression
        | Rule::or_expression
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
        | Rule::slice_from
        | Rule::slice_to
        | Rule::comprehension_map
        | Rule::parenthesized => "an expression",
        Rule::op_not => "NOT",
        Rule::op_eq
        | Rule::op_ne
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div
        | Rule::op_mod
        | Rule::op_pow
        | Rule::regex_match => "an operator",
        Rule::op_neg | Rule::op_plus => "a sign",
        Rule::is_null | Rule::is_not_null => "IS NULL",
        Rule::starts_with => "STARTS WITH",
        Rule::ends_with => "ENDS WITH",
        Rule::contains => "CONTAINS",
        Rule::in_list => "IN",
        Rule::property_lookup => "`.` and a property key",
        Rule::subscript | Rule::slice_dots => "`[`",
        Rule::count_star => "count(*)",
        Rule::case_expression => "CASE",
        Rule::case_alternative => "WHEN",
        Rule::case_else => "ELSE",
        Rule::list_comprehension | Rule::pattern_comprehension | Rule::list_literal => "a list",
        Rule::relationships_pattern | Rule::pattern_predicate => "a pattern",
        Rule::quantifier | Rule::quantifier_kind => "a quantifier",
        Rule::reduce => "reduce",
        Rule::exists_subquery | Rule::exists_pattern => "EXISTS",
        Rule::function_call | Rule::function_name => "a function call",
        Rule::map_projection | Rule::map_projection_item => "a map projection",
        Rule::all_properties | Rule::property_selector => "`.` and a property key",
        Rule::literal_entry | Rule::map_entry => "`key: value`",
        Rule::variable_selector | Rule::variable | Rule::symbolic_name_not_keyword => "a variable",
        Rule::map_literal => "a map `{...}`",
        Rule::parameter => "a parameter",
        Rule::float_literal
        | Rule::exponent
        | Rule::hex_integer
        | Rule::octal_integer
        | Rule::decimal_integer => "a number",
        Rule::string_literal | Rule::single_quoted | Rule::double_quoted => "a string",
        Rule::label_name => "a label",
        Rule::rel_type_name => "a relationship type",
        Rule::property_key_name => "a property key",
        Rule::symbolic_name | Rule::escaped_name | Rule::plain_name => "a name",
        Rule::kw_all => "ALL",
        Rule::kw_and => "AND",
        Rule::kw_any => "ANY",
        Rule::kw_as => "AS",
        Rule::kw_asc | Rule::kw_ascending => "ASC",
        Rule::kw_by => "BY",
        Rule::kw_call => "CALL",
        Rule::kw_case => "CASE",
        Rule::kw_contains => "CONTAINS",
        Rule::kw_copy => "COPY",
        Rule::kw_count => "count",
        Rule::kw_create => "CREATE",
        Rule::kw_delete => "DELETE",
        Rule::kw_desc | Rule::kw_descending => "DESC",
        Rule::kw_detach => "DETACH",
        Rule::kw_distinct => "DISTINCT",
        Rule::kw_else => "ELSE",
        Rule::kw_end => "END",
        Rule::kw_ends => "ENDS WITH",
        Rule::kw_exists => "EXISTS",
        Rule::kw_false | Rule::kw_true | Rule::kw_null => "a literal",
        Rule::kw_in => "IN",
        Rule::kw_is => "IS",
        Rule::kw_limit => "LIMIT",
        Rule::kw_match => "MATCH",
        Rule::kw_merge => "MERGE",
        Rule::kw_none => "NONE",
        Rule::kw_not => "NOT",
        Rule::kw_on => "ON",
        Rule::kw_optional => "OPTIONAL MATCH",
        Rule::kw_or => "OR",
        Rule::kw_order => "ORDER BY",
        Rule::kw_reduce => "reduce",
        Rule::kw_remove => "REMOVE",
        Rule::kw_return => "RETURN",
        Rule::kw_set => "SET",
        Rule::kw_shortest_path => "shortestPath",
        Rule::kw_all_shortest_paths => "allShortestPaths",
        Rule::kw_single => "SINGLE",
        Rule::kw_skip => "SKIP",
        Rule::kw_starts => "STARTS WITH",
        Rule::kw_then => "THEN",
        Rule::kw_time => "TIME",
        Rule::kw_ordered => "ORDERED",
        Rule::kw_strict => "STRICT",
        Rule::kw_to => "TO",
        Rule::kw_union => "UNION",
        Rule::kw_unwind => "UNWIND",
        Rule::kw_when => "WHEN",
        Rule::kw_where => "WHERE",
        Rule::kw_with => "WITH",
        Rule::kw_xor => "XOR",
        Rule::kw_yield => "YIELD",
        Rule::WHITESPACE
        | Rule::COMMENT
        | Rule::clause
        | Rule::anonymous_part
        | Rule::dash
        | Rule::comparison_op
        | Rule::predicate_suffix
        | Rule::atom
        | Rule::literal
        | Rule::number
        | Rule::schema_name
        | Rule::ident_start
        | Rule::ident_char
        | Rule::reserved_word => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_several_statements() {
        let statements = parse("RETURN 1; RETURN 2;").unwrap();
        assert_eq!(statements.len(), 2);
    }

    #[test]
    fn parse_reports_where_it_stopped() {
        let err = parse("MATCH (n RETURN n").unwrap_err();
        assert_eq!(err.span.start, 9);
        assert!(err.message.starts_with("expected"), "{}", err.message);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("RETURN {}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse(&text).unwrap_err();
        assert!(err.message.contains("nest"), "{}", err.message);
    }

    #[test]
    fn forty_deep_lists_parse() {
        let text = format!("RETURN {}1{}", "[".repeat(40), "]".repeat(40));
        assert!(parse(&text).is_ok());
    }

    #[test]
    fn keywords_are_case_insensitive() {
        assert!(parse("match (n) where n.x = 1 return n order by n.x desc limit 1").is_ok());
    }

    #[test]
    fn minimum_integer_literal_parses() {
        assert!(parse("RETURN -9223372036854775808").is_ok());
        assert!(parse("RETURN 9223372036854775808").is_err());
    }
}
