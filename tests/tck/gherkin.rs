//! A parser for the subset of Gherkin the openCypher TCK uses: `Feature`, `Background`,
//! `Scenario`, `Scenario Outline` with `Examples` tables, tags, `#` comments, `"""`
//! docstrings and `|` tables. It turns every scenario, and every Examples row of an
//! outline, into one [`Scenario`] with its Background steps prepended and its `<name>`
//! placeholders substituted, ready for `scenario::run`.
//!
//! Two traps of the TCK are handled here rather than by a general Gherkin parser:
//! `clauses/match/Match5.feature` starts scenarios with `And` (read as `Given`), and table
//! cells escape `\n`, `\\` and `\|`, which are unescaped once, when the cell is read.

use std::collections::BTreeMap;

/// Given, When or Then; `And` and `But` take the kind of the step before them.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Keyword {
    Given,
    When,
    Then,
}

/// What follows a step line: a docstring or a table (cells already unescaped).
#[derive(Clone, Debug)]
pub enum StepArg {
    DocString(String),
    Table(Vec<Vec<String>>),
}

/// One step of a scenario.
#[derive(Clone, Debug)]
pub struct Step {
    pub keyword: Keyword,
    /// The step text after its keyword, e.g. `executing query:`.
    pub text: String,
    pub arg: Option<StepArg>,
}

impl Step {
    /// The docstring argument, or `""` when there is none.
    pub fn docstring(&self) -> &str {
        match &self.arg {
            Some(StepArg::DocString(s)) => s,
            _ => "",
        }
    }

    /// The table argument, or no rows when there is none.
    pub fn table(&self) -> &[Vec<String>] {
        match &self.arg {
            Some(StepArg::Table(t)) => t,
            _ => &[],
        }
    }
}

/// One executable scenario: a plain scenario or one Examples row of an outline.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// `<feature path>:<line>`, the line of `Scenario:` or of the Examples row.
    pub id: String,
    pub name: String,
    pub tags: Vec<String>,
    pub steps: Vec<Step>,
}

/// A scenario or outline as written, before Background and Examples are applied.
struct Block {
    name: String,
    line: usize,
    tags: Vec<String>,
    steps: Vec<Step>,
    outline: bool,
    examples: Vec<Examples>,
}

struct Examples {
    tags: Vec<String>,
    /// Each row with its line; the first row is the header.
    rows: Vec<(usize, Vec<String>)>,
}

/// Where the next table row goes.
#[derive(Copy, Clone, PartialEq, Eq)]
enum TableTarget {
    Step,
    Examples,
}

#[derive(Default)]
struct Parser {
    feature_tags: Vec<String>,
    pending_tags: Vec<String>,
    background: Vec<Step>,
    in_background: bool,
    blocks: Vec<Block>,
    target: Option<TableTarget>,
}

/// Parses one feature file. `prefix` is the id prefix (the file's path under `features/`).
///
/// # Errors
/// A message with the line number when the file has a shape this parser does not know.
pub fn parse_feature(prefix: &str, text: &str) -> Result<Vec<Scenario>, String> {
    let mut parser = Parser::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line_no = i + 1;
        let trimmed = lines[i].trim();
        i += 1;
        if trimmed.starts_with("\"\"\"") {
            let (doc, next) = read_docstring(&lines, i - 1)?;
            i = next;
            parser.attach(StepArg::DocString(doc), line_no)?;
        } else {
            parser
                .line(trimmed, line_no)
                .map_err(|e| format!("{prefix}:{line_no}: {e}"))?;
        }
    }
    Ok(parser.finish(prefix))
}

/// Reads a docstring opening at `lines[start]`; returns its text (de-indented by the
/// opening delimiter's indentation) and the index of the line after the closing one.
fn read_docstring(lines: &[&str], start: usize) -> Result<(String, usize), String> {
    let indent = lines[start].len() - lines[start].trim_start().len();
    let mut body = Vec::new();
    for (j, line) in lines.iter().enumerate().skip(start + 1) {
        if line.trim() == "\"\"\"" {
            return Ok((body.join("\n"), j + 1));
        }
        let strip = line
            .char_indices()
            .take_while(|(k, c)| *k < indent && c.is_whitespace())
            .count();
        body.push(&line[strip..]);
    }
    Err(format!("line {}: unterminated docstring", start + 1))
}

/// Splits a table row into cells, unescaping `\n`, `\\` and `\|`.
fn table_cells(line: &str) -> Vec<String> {
    let inner = line.trim().strip_prefix('|').unwrap_or(line);
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => cell.push('\n'),
                Some('\\') => cell.push('\\'),
                Some('|') => cell.push('|'),
                Some(other) => {
                    cell.push('\\');
                    cell.push(other);
                }
                None => cell.push('\\'),
            },
            '|' => cells.push(std::mem::take(&mut cell).trim().to_string()),
            c => cell.push(c),
        }
    }
    cells
}

impl Parser {
    fn line(&mut self, trimmed: &str, line_no: usize) -> Result<(), String> {
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Ok(());
        }
        if trimmed.starts_with('|') {
            return self.table_row(table_cells(trimmed), line_no);
        }
        self.target = None;
        if trimmed.starts_with('@') {
            let tags = trimmed.split_whitespace().map(str::to_string);
            self.pending_tags.extend(tags);
        } else if trimmed.starts_with("Feature:") {
            self.feature_tags = std::mem::take(&mut self.pending_tags);
        } else if trimmed.starts_with("Background:") {
            self.in_background = true;
        } else if let Some(name) = trimmed.strip_prefix("Scenario Outline:") {
            self.start_block(name, line_no, true);
        } else if let Some(name) = trimmed.strip_prefix("Scenario:") {
            self.start_block(name, line_no, false);
        } else if trimmed.starts_with("Examples:") {
            let block = self.blocks.last_mut().filter(|b| b.outline);
            let block = block.ok_or("Examples outside a Scenario Outline")?;
            block.examples.push(Examples {
                tags: std::mem::take(&mut self.pending_tags),
                rows: Vec::new(),
            });
            self.target = Some(TableTarget::Examples);
        } else if let Some((keyword, text)) = step_line(trimmed) {
            self.push_step(keyword, text);
            self.target = Some(TableTarget::Step);
        }
        // Anything else is free-form description text, which Gherkin allows.
        Ok(())
    }

    fn start_block(&mut self, name: &str, line: usize, outline: bool) {
        self.in_background = false;
        self.blocks.push(Block {
            name: name.trim().to_string(),
            line,
            tags: std::mem::take(&mut self.pending_tags),
            steps: Vec::new(),
            outline,
            examples: Vec::new(),
        });
    }

    fn steps_mut(&mut self) -> Option<&mut Vec<Step>> {
        if self.in_background {
            Some(&mut self.background)
        } else {
            self.blocks.last_mut().map(|b| &mut b.steps)
        }
    }

    /// `And`/`But` continue the previous step's kind; a leading `And` is a `Given`
    /// (the Match5 trap).
    fn push_step(&mut self, keyword: Option<Keyword>, text: &str) {
        let Some(steps) = self.steps_mut() else {
            return;
        };
        let keyword = keyword
            .or_else(|| steps.last().map(|s| s.keyword))
            .unwrap_or(Keyword::Given);
        steps.push(Step {
            keyword,
            text: text.trim().to_string(),
            arg: None,
        });
    }

    fn attach(&mut self, arg: StepArg, line_no: usize) -> Result<(), String> {
        let step = self.steps_mut().and_then(|s| s.last_mut());
        let step = step.ok_or_else(|| format!("line {line_no}: argument without a step"))?;
        if step.arg.is_some() {
            return Err(format!("line {line_no}: a step with two arguments"));
        }
        step.arg = Some(arg);
        self.target = None;
        Ok(())
    }

    fn table_row(&mut self, cells: Vec<String>, line_no: usize) -> Result<(), String> {
        match self.target {
            Some(TableTarget::Examples) => {
                let examples = self.blocks.last_mut().and_then(|b| b.examples.last_mut());
                examples
                    .expect("examples target")
                    .rows
                    .push((line_no, cells));
                Ok(())
            }
            Some(TableTarget::Step) => {
                let step = self.steps_mut().and_then(|s| s.last_mut());
                let step = step.expect("step target");
                match &mut step.arg {
                    Some(StepArg::Table(rows)) => rows.push(cells),
                    None => step.arg = Some(StepArg::Table(vec![cells])),
                    Some(StepArg::DocString(_)) => return Err("table after a docstring".into()),
                }
                Ok(())
            }
            None => Err("table row outside a step or Examples".into()),
        }
    }

    fn finish(self, prefix: &str) -> Vec<Scenario> {
        let mut out = Vec::new();
        for block in &self.blocks {
            let mut tags = self.feature_tags.clone();
            tags.extend(block.tags.iter().cloned());
            let mut steps = self.background.clone();
            steps.extend(block.steps.iter().cloned());
            if !block.outline {
                out.push(Scenario {
                    id: format!("{prefix}:{}", block.line),
                    name: block.name.clone(),
                    tags,
                    steps,
                });
                continue;
            }
            for examples in &block.examples {
                let Some(((_, header), rows)) = examples.rows.split_first() else {
                    continue;
                };
                for (line, row) in rows {
                    let values: BTreeMap<String, String> = header
                        .iter()
                        .map(|h| format!("<{h}>"))
                        .zip(row.iter().cloned())
                        .collect();
                    let mut row_tags = tags.clone();
                    row_tags.extend(examples.tags.iter().cloned());
                    out.push(Scenario {
                        id: format!("{prefix}:{line}"),
                        name: substitute(&block.name, &values),
                        tags: row_tags,
                        steps: steps.iter().map(|s| substitute_step(s, &values)).collect(),
                    });
                }
            }
        }
        out
    }
}

/// Splits `Given an empty graph` into its keyword (`None` for `And`/`But`) and text.
fn step_line(line: &str) -> Option<(Option<Keyword>, &str)> {
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    let keyword = match word {
        "Given" => Some(Keyword::Given),
        "When" => Some(Keyword::When),
        "Then" => Some(Keyword::Then),
        "And" | "But" | "*" => None,
        _ => return None,
    };
    Some((keyword, rest))
}

/// Replaces every `<name>` placeholder in `text` by its Examples value, in one pass, so
/// a value that itself contains `<...>` is left alone.
fn substitute(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let tail = &rest[open..];
        let hit = tail
            .find('>')
            .and_then(|close| values.get(&tail[..=close]).map(|v| (v, close)));
        match hit {
            Some((value, close)) => {
                out.push_str(value);
                rest = &tail[close + 1..];
            }
            None => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn substitute_step(step: &Step, values: &BTreeMap<String, String>) -> Step {
    let arg = step.arg.as_ref().map(|arg| match arg {
        StepArg::DocString(s) => StepArg::DocString(substitute(s, values)),
        StepArg::Table(rows) => StepArg::Table(
            rows.iter()
                .map(|r| r.iter().map(|c| substitute(c, values)).collect())
                .collect(),
        ),
    });
    Step {
        keyword: step.keyword,
        text: substitute(&step.text, values),
        arg,
    }
}
