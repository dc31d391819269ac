//! The rustyline helper: tab completion from the graph's own vocabulary, syntax
//! highlighting and bracket matching. Completion and highlighting are plain functions
//! over the line ([`complete`], [`highlight`]) so they are tested without a terminal.

use std::borrow::Cow;
use std::collections::BTreeSet;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter, MatchingBracketHighlighter};
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Helper};

use crate::Params;
use crate::app::input::{Lexeme, scan};
use crate::graph::{Graph, Value};

/// The grammar's keywords (`kw_*` rules in `grammar/cypher.pest`).
pub const KEYWORDS: &[&str] = &[
    "ALL",
    "AND",
    "ANY",
    "AS",
    "ASC",
    "ASCENDING",
    "BY",
    "CALL",
    "CASE",
    "CONTAINS",
    "COPY",
    "COUNT",
    "CREATE",
    "DELETE",
    "DESC",
    "DESCENDING",
    "DETACH",
    "DISTINCT",
    "ELSE",
    "END",
    "ENDS",
    "EXISTS",
    "FALSE",
    "IN",
    "IS",
    "LIMIT",
    "MATCH",
    "MERGE",
    "NONE",
    "NOT",
    "NULL",
    "ON",
    "OPTIONAL",
    "OR",
    "ORDER",
    "ORDERED",
    "REDUCE",
    "REMOVE",
    "RETURN",
    "SET",
    "SINGLE",
    "SKIP",
    "STARTS",
    "STRICT",
    "THEN",
    "TIME",
    "TO",
    "TRUE",
    "UNION",
    "UNWIND",
    "WHEN",
    "WHERE",
    "WITH",
    "XOR",
    "YIELD",
];

/// Words written like calls that are syntax rather than catalogue functions.
const CALL_LIKE_SYNTAX: &[&str] = &["shortestPath", "allShortestPaths"];

/// The names completion offers as calls: every function of the catalogue
/// (`plan::functions`), aggregates and domain functions included, and the call-like
/// syntax. Namespaced names (`date.truncate`) are left out: a word ends at the dot.
pub fn function_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = crate::plan::functions::catalogue()
        .map(|f| f.name)
        .filter(|name| !name.contains('.'))
        .chain(CALL_LIKE_SYNTAX.iter().copied())
        .collect();
    names.sort_unstable_by_key(|name| name.to_ascii_lowercase());
    names
}

const META_COMMANDS: &[&str] = &[
    ":help", ":schema", ":mode", ":output", ":export", ":sources", ":read", ":load", ":save",
    ":param", ":params", ":timing", ":width", ":quit", ":exit",
];

/// The words completion offers, collected from the graph and the parameters.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vocabulary {
    pub labels: Vec<String>,
    pub types: Vec<String>,
    pub keys: Vec<String>,
    /// Every string value of a `name` property.
    pub names: Vec<String>,
    pub params: Vec<String>,
}

impl Vocabulary {
    /// Collects labels, types and keys in use, node names and parameter names.
    pub fn from_graph(graph: &Graph, params: &Params) -> Vocabulary {
        let in_use = |counts: Vec<(&str, usize)>| -> Vec<String> {
            counts
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(s, _)| s.to_string())
                .collect()
        };
        let mut names = BTreeSet::new();
        if let Some(key) = graph.name_key() {
            for id in graph.node_ids() {
                if let Some(Value::String(name)) = graph.node_property(id, key) {
                    names.insert(name.to_string());
                }
            }
        }
        Vocabulary {
            labels: in_use(graph.label_counts()),
            types: in_use(graph.type_counts()),
            keys: graph.key_names().map(str::to_string).collect(),
            names: names.into_iter().collect(),
            params: params.keys().cloned().collect(),
        }
    }
}

/// Completion candidates for the word before `pos`: the byte where the replaced text
/// starts, and the candidates.
pub fn complete(vocab: &Vocabulary, line: &str, pos: usize) -> (usize, Vec<Pair>) {
    let before = &line[..pos];
    if before.trim_start().starts_with(':') {
        return complete_meta(before);
    }
    let mut string_start = None;
    let end = scan(before, |i, _, lexeme| {
        if string_start.is_none() && matches!(lexeme, Lexeme::SingleQuoted | Lexeme::DoubleQuoted) {
            string_start = Some(i);
        } else if lexeme == Lexeme::Code {
            string_start = None;
        }
    });
    match (end, string_start) {
        (Lexeme::SingleQuoted | Lexeme::DoubleQuoted, Some(quote)) => {
            complete_name(vocab, line, pos, quote)
        }
        (Lexeme::Code, _) => complete_word(vocab, before),
        _ => (pos, Vec::new()),
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn complete_word(vocab: &Vocabulary, before: &str) -> (usize, Vec<Pair>) {
    let bytes = before.as_bytes();
    let start = bytes
        .iter()
        .rposition(|b| !is_word_byte(*b))
        .map_or(0, |i| i + 1);
    let prefix = &before[start..];
    let previous = start.checked_sub(1).map(|i| bytes[i]);
    let functions = function_names();
    let words: Vec<(String, String)> = match previous {
        Some(b':' | b'|') => {
            let in_rel = innermost_bracket(&before[..start]) == Some(b'[');
            let names = if in_rel { &vocab.types } else { &vocab.labels };
            names.iter().map(|n| (n.clone(), quote_name(n))).collect()
        }
        Some(b'.') => vocab
            .keys
            .iter()
            .map(|k| (k.clone(), quote_name(k)))
            .collect(),
        Some(b'$') => vocab
            .params
            .iter()
            .map(|p| (p.clone(), p.clone()))
            .collect(),
        _ if prefix.is_empty() || prefix.as_bytes()[0].is_ascii_digit() => Vec::new(),
        _ => KEYWORDS
            .iter()
            // `count`, `exists` and `time` are offered once, as functions.
            .filter(|k| !functions.iter().any(|f| f.eq_ignore_ascii_case(k)))
            .map(|k| (k.to_string(), k.to_string()))
            .chain(functions.iter().map(|f| (f.to_string(), format!("{f}("))))
            .collect(),
    };
    (start, matching(words, prefix))
}

/// Candidates whose display starts with `prefix` (ignoring case), sorted, no duplicates.
fn matching(words: Vec<(String, String)>, prefix: &str) -> Vec<Pair> {
    let prefix = prefix.to_lowercase();
    let mut found: Vec<Pair> = words
        .into_iter()
        .filter(|(display, _)| display.to_lowercase().starts_with(&prefix))
        .map(|(display, replacement)| Pair {
            display,
            replacement,
        })
        .collect();
    found.sort_by(|a, b| {
        let key = |p: &Pair| (p.display.to_lowercase(), p.display.clone());
        key(a).cmp(&key(b))
    });
    found.dedup_by(|a, b| a.display == b.display);
    found
}

/// The last `(` or `[` still open in `text`, outside strings and comments.
fn innermost_bracket(text: &str) -> Option<u8> {
    let mut open = Vec::new();
    scan(text, |_, c, lexeme| {
        if lexeme == Lexeme::Code {
            match c {
                b'(' | b'[' | b'{' => open.push(c),
                b')' | b']' | b'}' => {
                    open.pop();
                }
                _ => {}
            }
        }
    });
    open.into_iter().rev().find(|c| *c != b'{')
}

/// A label, type or key as it must be written: in backticks unless it is a plain name.
fn quote_name(name: &str) -> String {
    if crate::app::command::is_identifier(name) {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

/// Inside a string that follows `name:`, complete node names and close the string.
fn complete_name(vocab: &Vocabulary, line: &str, pos: usize, quote: usize) -> (usize, Vec<Pair>) {
    let before_quote = line[..quote].trim_end();
    let after_name = before_quote
        .strip_suffix(':')
        .map(str::trim_end)
        .and_then(|s| s.strip_suffix("name"));
    let follows_name_key =
        after_name.is_some_and(|s| !s.bytes().next_back().is_some_and(is_word_byte));
    if !follows_name_key {
        return (pos, Vec::new());
    }
    let q = line.as_bytes()[quote];
    let closing = if line.as_bytes().get(pos) == Some(&q) {
        ""
    } else {
        if q == b'\'' { "'" } else { "\"" }
    };
    let words = vocab
        .names
        .iter()
        .map(|n| {
            let escaped = n
                .replace('\\', "\\\\")
                .replace(q as char, &format!("\\{}", q as char));
            (n.clone(), format!("{escaped}{closing}"))
        })
        .collect();
    (quote + 1, matching(words, &line[quote + 1..pos]))
}

fn complete_meta(before: &str) -> (usize, Vec<Pair>) {
    let trimmed = before.trim_start();
    let lead = before.len() - trimmed.len();
    let Some((command, arg)) = trimmed.split_once(char::is_whitespace) else {
        let words = META_COMMANDS
            .iter()
            .map(|c| (c.to_string(), c.to_string()))
            .collect();
        return (lead, matching(words, trimmed));
    };
    let choices: &[&str] = match command {
        ":mode" => &[
            "table", "csv", "json", "jsonl", "dot", "mermaid", "graphml", "gexf", "ftm",
        ],
        ":timing" => &["on", "off"],
        ":width" => &["auto", "off"],
        _ => &[],
    };
    let arg = arg.trim_start();
    let words = choices
        .iter()
        .map(|c| (c.to_string(), c.to_string()))
        .collect();
    (before.len() - arg.len(), matching(words, arg))
}

// ── Highlighting ──

const KEYWORD: &str = "\x1b[1;35m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[33m";
const COMMENT: &str = "\x1b[2m";
const BRACKET: &str = "\x1b[1;34m";
const RESET: &str = "\x1b[0m";

/// The line with ANSI colours: keywords bold, strings green, numbers yellow, comments
/// dim, and the byte at `bracket` (the partner of the bracket under the cursor) blue.
pub fn highlight(line: &str, bracket: Option<usize>) -> String {
    let mut styles: Vec<Option<&'static str>> = vec![None; line.len()];
    scan(line, |i, _, lexeme| {
        styles[i] = match lexeme {
            Lexeme::SingleQuoted | Lexeme::DoubleQuoted => Some(STRING),
            Lexeme::LineComment | Lexeme::BlockComment => Some(COMMENT),
            Lexeme::Code | Lexeme::Backticked => None,
        }
    });
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if styles[i].is_none() && is_word_byte(bytes[i]) {
            let start = i;
            while i < bytes.len() && styles[i].is_none() && is_word_byte(bytes[i]) {
                i += 1;
            }
            // A word glued to a non-ASCII letter is not a keyword.
            let glued = bytes.get(i).is_some_and(|b| !b.is_ascii())
                || (start > 0 && !bytes[start - 1].is_ascii());
            let word = &line[start..i];
            let style = if word.as_bytes()[0].is_ascii_digit() {
                Some(NUMBER)
            } else if !glued && KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word)) {
                Some(KEYWORD)
            } else {
                None
            };
            styles[start..i].fill(style);
        } else {
            i += 1;
        }
    }
    if let Some(b) = bracket.filter(|b| *b < styles.len()) {
        styles[b] = Some(BRACKET);
    }
    paint(line, &styles)
}

/// Emits each run of bytes with one style between its escape code and a reset. Runs
/// only change at ASCII bytes, so they never split a character.
fn paint(line: &str, styles: &[Option<&'static str>]) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let mut start = 0;
    while start < line.len() {
        let style = styles[start];
        let mut end = start + 1;
        while end < line.len() && styles[end] == style {
            end += 1;
        }
        match style {
            Some(code) => {
                out.push_str(code);
                out.push_str(&line[start..end]);
                out.push_str(RESET);
            }
            None => out.push_str(&line[start..end]),
        }
        start = end;
    }
    out
}

/// The REPL's rustyline helper.
pub struct ReplHelper {
    vocab: Vocabulary,
    brackets: MatchingBracketHighlighter,
    files: FilenameCompleter,
    color: bool,
}

impl ReplHelper {
    /// A helper completing from `vocab`; `color` turns highlighting on.
    pub fn new(vocab: Vocabulary, color: bool) -> ReplHelper {
        ReplHelper {
            vocab,
            brackets: MatchingBracketHighlighter::new(),
            files: FilenameCompleter::new(),
            color,
        }
    }

    /// Replaces the words completion offers (after a statement changed the graph).
    pub fn set_vocabulary(&mut self, vocab: Vocabulary) {
        self.vocab = vocab;
    }
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let typed = line[..pos].trim_start();
        if let Some((command, _)) = typed.split_once(char::is_whitespace)
            && [":export", ":read", ":load", ":output"].contains(&command)
        {
            return self.files.complete(line, pos, ctx);
        }
        Ok(complete(&self.vocab, line, pos))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Validator for ReplHelper {}

impl Highlighter for ReplHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        if !self.color {
            return Cow::Borrowed(line);
        }
        // The bracket highlighter marks the partner bracket with an escape code; its
        // position is where the marked copy first differs from the line.
        let bracket = match self.brackets.highlight(line, pos) {
            Cow::Owned(marked) => marked.find('\x1b'),
            Cow::Borrowed(_) => None,
        };
        Cow::Owned(highlight(line, bracket))
    }

    fn highlight_char(&self, line: &str, pos: usize, kind: CmdKind) -> bool {
        self.brackets.highlight_char(line, pos, kind);
        self.color && kind != CmdKind::ForcedRefresh
    }
}

impl Helper for ReplHelper {}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary {
            labels: vec!["Company".into(), "Person".into(), "Political Party".into()],
            types: vec!["DATA_FLOW".into(), "EMPLOYED".into()],
            keys: vec!["name".into(), "records".into()],
            names: vec![
                "Aleksandr Kogan".into(),
                "Cambridge Analytica".into(),
                "Christopher Wylie".into(),
            ],
            params: vec!["who".into()],
        }
    }

    /// The replacements offered with the cursor at the end of `line`, and where they go.
    fn offered(line: &str) -> (usize, Vec<String>) {
        let (start, pairs) = complete(&vocab(), line, line.len());
        (start, pairs.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn function_names_come_from_the_catalogue() {
        let names = function_names();
        for name in ["toUpper", "percentileCont", "weakestStatus", "shortestPath"] {
            assert!(names.contains(&name), "{name}");
        }
        assert!(!names.contains(&"date.truncate"));
    }

    #[test]
    fn completes_keywords_and_functions() {
        assert_eq!(offered("mat"), (0, vec!["MATCH".to_string()]));
        assert_eq!(
            offered("MATCH (n) RETURN co"),
            (
                17,
                [
                    "coalesce(",
                    "collect(",
                    "CONTAINS",
                    "COPY",
                    "cos(",
                    "cot(",
                    "count("
                ]
                .map(String::from)
                .to_vec()
            )
        );
    }

    #[test]
    fn completes_labels_in_nodes_and_types_in_relationships() {
        assert_eq!(
            offered("MATCH (n:P"),
            (9, vec!["Person".into(), "`Political Party`".into()])
        );
        assert_eq!(offered("MATCH (n)-[r:D"), (13, vec!["DATA_FLOW".into()]));
        assert_eq!(
            offered("MATCH (n)-[r:DATA_FLOW|E"),
            (23, vec!["EMPLOYED".into()])
        );
        assert_eq!(
            offered("MATCH (n {name: 'x'})-[:"),
            (24, vec!["DATA_FLOW".into(), "EMPLOYED".into()])
        );
    }

    #[test]
    fn completes_property_keys_and_parameters() {
        assert_eq!(offered("RETURN n.re"), (9, vec!["records".into()]));
        assert_eq!(offered("RETURN $"), (8, vec!["who".into()]));
    }

    #[test]
    fn completes_node_names_inside_a_name_string() {
        assert_eq!(
            offered("MATCH (p {name: 'C"),
            (
                17,
                vec!["Cambridge Analytica'".into(), "Christopher Wylie'".into()]
            )
        );
        assert_eq!(
            offered("MATCH (p) WHERE p.name = \"Al").1,
            Vec::<String>::new(),
            "only after `name:`"
        );
        assert_eq!(
            offered("MATCH (p {name:\"Al"),
            (16, vec!["Aleksandr Kogan\"".into()])
        );
        assert_eq!(offered("MATCH (p {surname: 'Al").1, Vec::<String>::new());
    }

    #[test]
    fn does_not_close_a_string_that_is_already_closed() {
        let line = "MATCH (p {name: 'Al'})";
        let (start, pairs) = complete(&vocab(), line, 19);
        assert_eq!(start, 17);
        assert_eq!(pairs[0].replacement, "Aleksandr Kogan");
    }

    #[test]
    fn completes_nothing_in_comments_or_numbers() {
        assert_eq!(offered("RETURN 1 // ma").1, Vec::<String>::new());
        assert_eq!(offered("RETURN 12").1, Vec::<String>::new());
        assert_eq!(offered("RETURN ").1, Vec::<String>::new());
    }

    #[test]
    fn completes_meta_commands_and_their_choices() {
        assert_eq!(offered(":sc"), (0, vec![":schema".into()]));
        assert_eq!(offered(":sa"), (0, vec![":save".into()]));
        assert_eq!(offered(":mode m"), (6, vec!["mermaid".into()]));
        assert_eq!(offered(":mode j"), (6, vec!["json".into(), "jsonl".into()]));
        assert_eq!(offered(":timing "), (8, vec!["off".into(), "on".into()]));
    }

    #[test]
    fn vocabulary_comes_from_the_graph() {
        let mut graph = Graph::new();
        let a = graph.add_node_named(&["Person"], vec![("name", Value::str("Kogan"))]);
        let b = graph.add_node_named(&["Company"], vec![("founded", Value::Int(2013))]);
        let t = graph.intern_type("DATA_FLOW");
        let props = graph.props_from([]);
        graph.add_rel(a, b, t, props);
        let mut params = Params::new();
        params.insert("who".into(), Value::str("Kogan"));
        let vocab = Vocabulary::from_graph(&graph, &params);
        assert_eq!(vocab.labels, ["Person", "Company"]);
        assert_eq!(vocab.types, ["DATA_FLOW"]);
        assert_eq!(vocab.keys, ["name", "founded"]);
        assert_eq!(vocab.names, ["Kogan"]);
        assert_eq!(vocab.params, ["who"]);
    }

    #[test]
    fn highlights_keywords_strings_numbers_and_comments() {
        let line = "match (n {name: 'a;b'}) return 1 // done";
        assert_eq!(
            highlight(line, None),
            "\x1b[1;35mmatch\x1b[0m (n {name: \x1b[32m'a;b'\x1b[0m}) \x1b[1;35mreturn\x1b[0m \
             \x1b[33m1\x1b[0m \x1b[2m// done\x1b[0m"
        );
    }

    #[test]
    fn highlights_the_matching_bracket() {
        assert_eq!(highlight("(n)", Some(0)), "\x1b[1;34m(\x1b[0mn)");
    }

    #[test]
    fn highlighting_keeps_non_ascii_text() {
        let line = "RETURN 'é' AS `naïve`, größe";
        let plain = highlight(line, None)
            .replace(KEYWORD, "")
            .replace(STRING, "")
            .replace(RESET, "");
        assert_eq!(plain, line);
    }
}
