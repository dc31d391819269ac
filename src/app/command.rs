//! The REPL's meta commands (`:help`, `:mode csv`, ...), parsed into [`MetaCommand`] so
//! that each one is checked here and the REPL only carries them out (the shape of
//! gluesql/gluesql `cli/src/command.rs`).

use std::path::PathBuf;
use std::time::Duration;

use super::run::Width;
use crate::export::Format;
use crate::limits;

/// A line starting with `:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MetaCommand {
    /// `:help`: list the commands.
    Help,
    /// `:schema`: labels and relationship types with counts, property keys with types.
    Schema,
    /// `:mode table|csv|...|graphml|gexf|ftm`: how results are printed.
    Mode(Format),
    /// `:output FILE` sends results to a file, `:output` back to the terminal.
    Output(Option<PathBuf>),
    /// `:export FILE`: the last result as CSV.
    Export(PathBuf),
    /// `:read FILE`: run a script.
    Read(PathBuf),
    /// `:load DIR`: replace the dataset.
    Load(PathBuf),
    /// `:save DIR` writes the graph to a folder; `:save` to the folder it came from.
    Save(Option<PathBuf>),
    /// `:sources`: the documents the last result cites, and the rows relying on each.
    Sources,
    /// `:param NAME VALUE`: set a parameter, the value written as a Cypher literal.
    Param { name: String, value: String },
    /// `:params`: list the parameters.
    Params,
    /// `:width N|auto|off`: fit tables to N columns, the terminal, or nothing.
    Width(Width),
    /// `:timing on|off`: print a `timing:` line after each statement.
    Timing(bool),
    /// `:timeout SECONDS` bounds each statement's running time, `:timeout off` not.
    Timeout(Option<Duration>),
    /// `:max-rows N` bounds each statement's result rows, `:max-rows off` not.
    MaxRows(Option<u64>),
    /// `:memory-limit SIZE` sets the memory budget of each statement, `off` none.
    MemoryLimit(Option<u64>),
    /// `:limits`: the timeout, row limit and memory budget in force.
    Limits,
    /// `:begin`, `:commit`, `:rollback`.
    Transaction(TxCommand),
    /// `:quit` or `:exit`.
    Quit,
}

/// The commands that open and close a transaction, in the shell and in scripts.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TxCommand {
    Begin,
    Commit,
    Rollback,
}

impl TxCommand {
    /// The command a script's statement is, if it starts with `:`: `Ok(None)` for
    /// Cypher, an error for a shell command that scripts cannot use.
    ///
    /// # Errors
    /// A message naming the command and the ones scripts can use.
    pub fn in_script(statement: &str) -> Result<Option<TxCommand>, String> {
        if !statement.trim_start().starts_with(':') {
            return Ok(None);
        }
        match MetaCommand::parse(statement) {
            Ok(MetaCommand::Transaction(command)) => Ok(Some(command)),
            Ok(_) => Err(format!(
                "`{}` is a shell command; scripts can use :begin, :commit and :rollback",
                statement.trim()
            )),
            Err(message) => Err(message),
        }
    }
}

/// The text `:help` prints.
pub const HELP: &str = "\
Statements end with `;` and may span several lines. Meta commands:
  :help                        this list
  :schema                      labels, relationship types and property keys
  :mode FORMAT                 how results are printed: table, csv, json, jsonl, or the
                               nodes and relationships as a graph: dot (Graphviz),
                               mermaid, graphml, gexf, ftm (FollowTheMoney)
  :output FILE                 send results to FILE (`:output` alone: back to the terminal)
  :export FILE                 write the last result to FILE as CSV
  :sources                     the documents the last result cites and the rows citing them
  :read FILE                   run the statements in FILE
  :load DIR                    replace the dataset with the one in DIR: its CSV files,
                               then the changes its journal keeps
  :save DIR                    write the whole graph to DIR as CSV files, emptying its
                               journal (`:save` alone: back to the folder it came from)
  :param NAME VALUE            set $NAME to VALUE, a Cypher literal (`:param who 'Kogan'`)
  :params                      list the parameters
  :width N|auto|off            fit tables to N columns, to the terminal (auto, the
                               default), or not at all (off); long cells wrap or end in …
  :timing on|off               print how long each statement took
  :timeout SECONDS|off         stop statements that run longer (`:timeout 30`)
  :max-rows N|off              fail statements that return more than N rows
  :memory-limit SIZE|off       fail statements whose results need more memory
                               (`:memory-limit 2G`)
  :limits                      the timeout, row limit and memory budget in force
  :begin                       open a transaction: the statements until :commit or
                               :rollback take effect together or not at all (a failing
                               one is undone alone, and the transaction stays open)
  :commit                      make the open transaction's changes permanent
  :rollback                    undo the open transaction's changes
  :quit, :exit                 leave (so does Ctrl-D)
Tab completes keywords, labels, types, property keys, functions and, after `name: '`,
node names. Ctrl-C clears the line, or stops the running statement.
";

impl MetaCommand {
    /// Parses a meta command line. A `;` at the end is ignored, out of habit.
    ///
    /// # Errors
    /// A message for the user: an unknown command, or a missing or extra argument.
    pub fn parse(line: &str) -> Result<MetaCommand, String> {
        let line = line.trim();
        let line = line.strip_suffix(';').unwrap_or(line).trim_end();
        let Some(body) = line.strip_prefix(':') else {
            return Err(format!(
                "`{line}` is not a meta command (they start with `:`)"
            ));
        };
        let (name, arg) = match body.split_once(char::is_whitespace) {
            Some((name, arg)) => (name, arg.trim()),
            None => (body, ""),
        };
        let name = name.to_ascii_lowercase();
        match name.as_str() {
            "help" | "h" | "?" => no_argument(&name, arg, MetaCommand::Help),
            "schema" => no_argument(&name, arg, MetaCommand::Schema),
            "sources" => no_argument(&name, arg, MetaCommand::Sources),
            "params" => no_argument(&name, arg, MetaCommand::Params),
            "limits" => no_argument(&name, arg, MetaCommand::Limits),
            "timeout" => limit(&name, arg, limits::parse_seconds).map(MetaCommand::Timeout),
            "max-rows" => limit(&name, arg, limits::parse_rows).map(MetaCommand::MaxRows),
            "memory-limit" => limit(&name, arg, limits::parse_size).map(MetaCommand::MemoryLimit),
            "quit" | "exit" | "q" => no_argument(&name, arg, MetaCommand::Quit),
            "begin" => no_argument(&name, arg, MetaCommand::Transaction(TxCommand::Begin)),
            "commit" => no_argument(&name, arg, MetaCommand::Transaction(TxCommand::Commit)),
            "rollback" => no_argument(&name, arg, MetaCommand::Transaction(TxCommand::Rollback)),
            "mode" => match arg {
                "" => Err(usage("mode")),
                _ => arg.parse().map(MetaCommand::Mode),
            },
            "output" => Ok(MetaCommand::Output((!arg.is_empty()).then(|| path(arg)))),
            "export" => path_argument(&name, arg).map(MetaCommand::Export),
            "read" => path_argument(&name, arg).map(MetaCommand::Read),
            "load" => path_argument(&name, arg).map(MetaCommand::Load),
            "save" => Ok(MetaCommand::Save((!arg.is_empty()).then(|| path(arg)))),
            "param" => parse_param(arg),
            "width" => parse_width(arg),
            "timing" => match arg.to_ascii_lowercase().as_str() {
                "on" => Ok(MetaCommand::Timing(true)),
                "off" => Ok(MetaCommand::Timing(false)),
                _ => Err(usage("timing")),
            },
            "" => Err("a meta command needs a name after `:` (type :help for the list)".into()),
            _ => Err(format!(
                "unknown command `:{name}` (type :help for the list)"
            )),
        }
    }
}

/// `:width 100`, `:width auto`, `:width off`.
fn parse_width(arg: &str) -> Result<MetaCommand, String> {
    let min = crate::export::MIN_TABLE_WIDTH;
    match arg.to_ascii_lowercase().as_str() {
        "auto" => Ok(MetaCommand::Width(Width::Terminal)),
        "off" => Ok(MetaCommand::Width(Width::Unlimited)),
        "" => Err(usage("width")),
        n => match n.parse::<u16>() {
            Ok(n) if n >= min => Ok(MetaCommand::Width(Width::Columns(n))),
            _ => Err(format!(
                "`{arg}` is not a width: give a number of columns from {min} to 65535, \
                 auto or off"
            )),
        },
    }
}

fn usage(name: &str) -> String {
    let args = match name {
        "mode" => " table|csv|json|jsonl|dot|mermaid|graphml|gexf|ftm",
        "export" | "read" | "output" => " FILE",
        "load" => " DIR",
        "param" => " NAME VALUE",
        "timing" => " on|off",
        "width" => " N|auto|off",
        "timeout" => " SECONDS|off",
        "max-rows" => " N|off",
        "memory-limit" => " SIZE|off",
        _ => "",
    };
    format!("usage: :{name}{args}")
}

/// The argument of a limit command: `off`, or what `parse` makes of it.
fn limit<T>(
    name: &str,
    arg: &str,
    parse: fn(&str) -> Result<T, String>,
) -> Result<Option<T>, String> {
    match arg {
        "" => Err(usage(name)),
        _ if arg.eq_ignore_ascii_case("off") => Ok(None),
        _ => parse(arg).map(Some),
    }
}

fn no_argument(name: &str, arg: &str, command: MetaCommand) -> Result<MetaCommand, String> {
    if arg.is_empty() {
        Ok(command)
    } else {
        Err(format!("`:{name}` takes no argument"))
    }
}

fn path_argument(name: &str, arg: &str) -> Result<PathBuf, String> {
    if arg.is_empty() {
        Err(usage(name))
    } else {
        Ok(path(arg))
    }
}

/// A path, without the quotes someone may have put around it.
fn path(arg: &str) -> PathBuf {
    let unquoted = ['\'', '"']
        .iter()
        .find_map(|q| arg.strip_prefix(*q).and_then(|a| a.strip_suffix(*q)));
    PathBuf::from(unquoted.unwrap_or(arg))
}

fn parse_param(arg: &str) -> Result<MetaCommand, String> {
    let Some((name, value)) = arg.split_once(char::is_whitespace) else {
        return Err(usage("param"));
    };
    let name = name.strip_prefix('$').unwrap_or(name);
    if !is_identifier(name) {
        return Err(format!(
            "`{name}` is not a parameter name (letters, digits and `_`, not starting with a digit)"
        ));
    }
    Ok(MetaCommand::Param {
        name: name.to_string(),
        value: value.trim().to_string(),
    })
}

/// Whether `name` can follow `$` in a query without backticks.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<MetaCommand, String> {
        MetaCommand::parse(line)
    }

    #[test]
    fn help_has_aliases() {
        for line in [":help", ":h", ":?", "  :HELP  ", ":help;"] {
            assert_eq!(parse(line), Ok(MetaCommand::Help), "{line}");
        }
    }

    #[test]
    fn quit_and_exit_both_leave() {
        assert_eq!(parse(":quit"), Ok(MetaCommand::Quit));
        assert_eq!(parse(":exit"), Ok(MetaCommand::Quit));
        assert_eq!(parse(":q"), Ok(MetaCommand::Quit));
    }

    #[test]
    fn schema_and_params_take_no_argument() {
        assert_eq!(parse(":schema"), Ok(MetaCommand::Schema));
        assert_eq!(parse(":params"), Ok(MetaCommand::Params));
        assert_eq!(
            parse(":schema Person"),
            Err("`:schema` takes no argument".into())
        );
    }

    #[test]
    fn width_takes_columns_auto_or_off() {
        assert_eq!(
            parse(":width 100"),
            Ok(MetaCommand::Width(Width::Columns(100)))
        );
        assert_eq!(
            parse(":width AUTO"),
            Ok(MetaCommand::Width(Width::Terminal))
        );
        assert_eq!(
            parse(":width off"),
            Ok(MetaCommand::Width(Width::Unlimited))
        );
        assert_eq!(parse(":width"), Err("usage: :width N|auto|off".into()));
        assert!(parse(":width 5").unwrap_err().contains("from 20 to 65535"));
        assert!(parse(":width wide").is_err());
    }

    #[test]
    fn mode_takes_a_format() {
        assert_eq!(parse(":mode csv"), Ok(MetaCommand::Mode(Format::Csv)));
        assert_eq!(parse(":mode JSONL"), Ok(MetaCommand::Mode(Format::Jsonl)));
        assert_eq!(parse(":mode table"), Ok(MetaCommand::Mode(Format::Table)));
        assert_eq!(parse(":mode dot"), Ok(MetaCommand::Mode(Format::Dot)));
        assert_eq!(
            parse(":mode mermaid"),
            Ok(MetaCommand::Mode(Format::Mermaid))
        );
        assert_eq!(
            parse(":mode"),
            Err("usage: :mode table|csv|json|jsonl|dot|mermaid|graphml|gexf|ftm".into())
        );
        assert!(
            parse(":mode xml")
                .unwrap_err()
                .contains("unknown format `xml`")
        );
    }

    #[test]
    fn output_takes_an_optional_file() {
        assert_eq!(
            parse(":output out.csv"),
            Ok(MetaCommand::Output(Some("out.csv".into())))
        );
        assert_eq!(parse(":output"), Ok(MetaCommand::Output(None)));
    }

    #[test]
    fn file_commands_need_a_path_and_drop_quotes() {
        assert_eq!(
            parse(":export 'my results.csv'"),
            Ok(MetaCommand::Export("my results.csv".into()))
        );
        assert_eq!(
            parse(":read scripts/setup.cypher"),
            Ok(MetaCommand::Read("scripts/setup.cypher".into()))
        );
        assert_eq!(
            parse(":load \"data/case\""),
            Ok(MetaCommand::Load("data/case".into()))
        );
        assert_eq!(parse(":export"), Err("usage: :export FILE".into()));
        assert_eq!(parse(":read"), Err("usage: :read FILE".into()));
        assert_eq!(parse(":load"), Err("usage: :load DIR".into()));
    }

    #[test]
    fn save_takes_an_optional_folder() {
        assert_eq!(
            parse(":save 'my case'"),
            Ok(MetaCommand::Save(Some("my case".into())))
        );
        assert_eq!(parse(":save"), Ok(MetaCommand::Save(None)));
        assert_eq!(parse(":save;"), Ok(MetaCommand::Save(None)));
    }

    #[test]
    fn sources_takes_no_argument() {
        assert_eq!(parse(":sources"), Ok(MetaCommand::Sources));
        assert_eq!(
            parse(":sources 1"),
            Err("`:sources` takes no argument".into())
        );
    }

    #[test]
    fn param_takes_a_name_and_the_rest_as_value() {
        assert_eq!(
            parse(":param who 'Aleksandr Kogan'"),
            Ok(MetaCommand::Param {
                name: "who".into(),
                value: "'Aleksandr Kogan'".into()
            })
        );
        assert_eq!(
            parse(":param $n [1, 2];"),
            Ok(MetaCommand::Param {
                name: "n".into(),
                value: "[1, 2]".into()
            })
        );
        assert_eq!(parse(":param who"), Err("usage: :param NAME VALUE".into()));
        assert!(
            parse(":param 1x 2")
                .unwrap_err()
                .contains("not a parameter name")
        );
    }

    #[test]
    fn timing_is_on_or_off() {
        assert_eq!(parse(":timing on"), Ok(MetaCommand::Timing(true)));
        assert_eq!(parse(":timing OFF"), Ok(MetaCommand::Timing(false)));
        assert_eq!(parse(":timing"), Err("usage: :timing on|off".into()));
        assert_eq!(parse(":timing maybe"), Err("usage: :timing on|off".into()));
    }

    #[test]
    fn limits_take_a_value_or_off() {
        assert_eq!(
            parse(":timeout 2"),
            Ok(MetaCommand::Timeout(Some(Duration::from_secs(2))))
        );
        assert_eq!(parse(":timeout OFF"), Ok(MetaCommand::Timeout(None)));
        assert_eq!(parse(":timeout"), Err("usage: :timeout SECONDS|off".into()));
        assert!(parse(":timeout soon").unwrap_err().contains("`soon`"));
        assert_eq!(parse(":max-rows 100;"), Ok(MetaCommand::MaxRows(Some(100))));
        assert_eq!(parse(":max-rows off"), Ok(MetaCommand::MaxRows(None)));
        assert!(parse(":max-rows 0").is_err());
        assert_eq!(
            parse(":memory-limit 512M"),
            Ok(MetaCommand::MemoryLimit(Some(512 << 20)))
        );
        assert_eq!(
            parse(":memory-limit off"),
            Ok(MetaCommand::MemoryLimit(None))
        );
        assert_eq!(
            parse(":memory-limit"),
            Err("usage: :memory-limit SIZE|off".into())
        );
        assert_eq!(parse(":limits"), Ok(MetaCommand::Limits));
    }

    #[test]
    fn unknown_commands_are_named() {
        assert_eq!(
            parse(":frobnicate"),
            Err("unknown command `:frobnicate` (type :help for the list)".into())
        );
        assert!(parse(":").is_err());
        assert!(parse("RETURN 1").is_err());
    }

    #[test]
    fn identifiers_are_checked() {
        assert!(is_identifier("who"));
        assert!(is_identifier("_x1"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier("a-b"));
        assert!(!is_identifier(""));
    }
}
