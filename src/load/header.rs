//! Header rows: Neo4j bulk-import column names (`id:ID`, `:LABEL`, `:START_ID`, `:END_ID`,
//! `:TYPE`, `:IGNORE`, `name:TYPE`, `name:TYPE[]`) turned into [`Column`]s with interned keys.
//!
//! The type follows the *last* colon, so a property key that itself holds a colon is
//! written `a:b:string`. Type names are case-insensitive. Neo4j's id spaces
//! (`:ID(Person)`, `:START_ID(Person)`) are accepted and the group is ignored: datatrail
//! has one id space, so ids must be unique across all node files (a clash is a
//! [`LoadError::DuplicateId`], never a silent merge).

use std::collections::HashSet;

use crate::graph::{Graph, Symbol};

use super::error::LoadError;
use super::reader::Record;

/// The type of a property column's values (or of each item, for arrays).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum BaseType {
    String,
    Int,
    Float,
    Bool,
    Date,
    DateTime,
}

impl BaseType {
    /// The name written in headers (`long` for integers, `double` for floats).
    pub fn name(self) -> &'static str {
        match self {
            BaseType::String => "string",
            BaseType::Int => "long",
            BaseType::Float => "double",
            BaseType::Bool => "boolean",
            BaseType::Date => "date",
            BaseType::DateTime => "datetime",
        }
    }

    fn parse(name: &str) -> Option<BaseType> {
        Some(match name.to_ascii_lowercase().as_str() {
            "string" => BaseType::String,
            "int" | "long" => BaseType::Int,
            "float" | "double" => BaseType::Float,
            "boolean" => BaseType::Bool,
            "date" => BaseType::Date,
            "datetime" => BaseType::DateTime,
            _ => return None,
        })
    }
}

/// A property column's type: a base type, or an array of it.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct PropType {
    pub base: BaseType,
    pub array: bool,
}

/// One header cell, parsed but not yet interned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Field<'a> {
    /// `name:ID`; the id is also stored as the string property `name` unless it is empty.
    Id {
        property: &'a str,
    },
    Label,
    StartId,
    EndId,
    Type,
    Ignore,
    Property {
        name: &'a str,
        ty: PropType,
    },
}

/// Parses one header cell; `Err` holds the unknown type name.
pub(crate) fn parse_field(text: &str) -> Result<Field<'_>, &str> {
    let Some(colon) = text.rfind(':') else {
        let ty = PropType {
            base: BaseType::String,
            array: false,
        };
        return Ok(Field::Property { name: text, ty });
    };
    let (name, type_name) = (&text[..colon], &text[colon + 1..]);
    // `ID(Group)`: the id space is ignored (see the module comment).
    let (bare, grouped) = match type_name.split_once('(') {
        Some((bare, rest)) if rest.ends_with(')') => (bare, true),
        _ => (type_name, false),
    };
    let special = match bare.to_ascii_uppercase().as_str() {
        "ID" => Some(Field::Id { property: name }),
        "START_ID" => Some(Field::StartId),
        "END_ID" => Some(Field::EndId),
        "LABEL" if !grouped => Some(Field::Label),
        "TYPE" if !grouped => Some(Field::Type),
        "IGNORE" if !grouped => Some(Field::Ignore),
        _ => None,
    };
    if let Some(field) = special {
        return Ok(field);
    }
    let (base, array) = match type_name.strip_suffix("[]") {
        Some(base) => (base, true),
        None => (type_name, false),
    };
    match BaseType::parse(base) {
        Some(base) => Ok(Field::Property {
            name,
            ty: PropType { base, array },
        }),
        None => Err(type_name),
    }
}

/// A header cell with its names interned.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    Id { key: Option<Symbol> },
    Label,
    StartId,
    EndId,
    Type,
    Ignore,
    Property { key: Symbol, ty: PropType },
}

/// Which kind of file a header belongs to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    Nodes,
    Edges,
}

/// A parsed header: its columns, the name each is shown by in errors, and where the
/// special columns are.
#[derive(Debug)]
pub(crate) struct Header {
    pub columns: Vec<Column>,
    pub names: Vec<String>,
    pub id: usize,
    pub start: usize,
    pub end: usize,
    pub rel_type: usize,
}

/// Builds the header of `file` from its first record, checking that it suits `kind`.
pub(crate) fn build_header(
    file: &str,
    rec: &Record,
    kind: FileKind,
    graph: &mut Graph,
) -> Result<Header, LoadError> {
    let mut header = Header {
        columns: Vec::with_capacity(rec.len()),
        names: Vec::with_capacity(rec.len()),
        id: usize::MAX,
        start: usize::MAX,
        end: usize::MAX,
        rel_type: usize::MAX,
    };
    let mut seen = HashSet::new();
    for i in 0..rec.len() {
        let text = std::str::from_utf8(rec.cell(i)).map_err(|_| LoadError::InvalidUtf8 {
            file: file.to_string(),
            pos: super::error::Position {
                record: 0,
                line: rec.line,
            },
            column: format!("#{}", i + 1),
            value: String::from_utf8_lossy(rec.cell(i)).into_owned(),
        })?;
        let field = parse_field(text).map_err(|type_name| LoadError::UnknownColumnType {
            file: file.to_string(),
            column: text.to_string(),
            type_name: type_name.to_string(),
        })?;
        check_field(file, text, &field, kind, &mut seen)?;
        let i = header.columns.len();
        let (column, name) = match field {
            Field::Id { property } => {
                header.id = i;
                let key = (!property.is_empty()).then(|| graph.intern_key(property));
                (Column::Id { key }, text)
            }
            Field::Label => (Column::Label, text),
            Field::StartId => (set(&mut header.start, i, Column::StartId), text),
            Field::EndId => (set(&mut header.end, i, Column::EndId), text),
            Field::Type => (set(&mut header.rel_type, i, Column::Type), text),
            Field::Ignore => (Column::Ignore, text),
            Field::Property { name, ty } => {
                let key = graph.intern_key(name);
                (Column::Property { key, ty }, name)
            }
        };
        header.columns.push(column);
        header.names.push(name.to_string());
    }
    check_required(file, &header, kind)?;
    Ok(header)
}

fn set(slot: &mut usize, i: usize, column: Column) -> Column {
    *slot = i;
    column
}

/// Rejects columns that belong to the other kind of file, and repeated columns.
fn check_field(
    file: &str,
    text: &str,
    field: &Field<'_>,
    kind: FileKind,
    seen: &mut HashSet<(bool, String)>,
) -> Result<(), LoadError> {
    let misplaced = match kind {
        FileKind::Nodes => matches!(field, Field::StartId | Field::EndId | Field::Type),
        FileKind::Edges => matches!(field, Field::Id { .. } | Field::Label),
    };
    if misplaced {
        return Err(LoadError::UnexpectedColumn {
            file: file.to_string(),
            column: text.to_string(),
            kind: match kind {
                FileKind::Nodes => "a node",
                FileKind::Edges => "an edge",
            },
        });
    }
    // Special fields and properties live in separate name spaces: a property may be
    // called `:LABEL` (header `:LABEL:string`) without clashing with the label column.
    let names: Vec<(bool, &str)> = match field {
        Field::Id { property: "" } => vec![(true, ":ID")],
        Field::Id { property } => vec![(true, ":ID"), (false, property)],
        Field::Label => vec![(true, ":LABEL")],
        Field::StartId => vec![(true, ":START_ID")],
        Field::EndId => vec![(true, ":END_ID")],
        Field::Type => vec![(true, ":TYPE")],
        Field::Ignore => vec![],
        Field::Property { name, .. } => vec![(false, name)],
    };
    for (special, name) in names {
        if !seen.insert((special, name.to_string())) {
            return Err(LoadError::DuplicateColumn {
                file: file.to_string(),
                column: text.to_string(),
                name: name.to_string(),
            });
        }
    }
    Ok(())
}

fn check_required(file: &str, header: &Header, kind: FileKind) -> Result<(), LoadError> {
    match kind {
        FileKind::Nodes if header.id == usize::MAX => Err(LoadError::MissingIdColumn {
            file: file.to_string(),
        }),
        FileKind::Nodes => Ok(()),
        FileKind::Edges => {
            let missing = [
                (header.start, ":START_ID"),
                (header.end, ":END_ID"),
                (header.rel_type, ":TYPE"),
            ]
            .into_iter()
            .find(|(i, _)| *i == usize::MAX);
            match missing {
                Some((_, column)) => Err(LoadError::MissingEdgeColumn {
                    file: file.to_string(),
                    column,
                }),
                None => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prop(name: &str, base: BaseType, array: bool) -> Field<'_> {
        Field::Property {
            name,
            ty: PropType { base, array },
        }
    }

    #[test]
    fn header_without_type_is_a_string_property() {
        assert_eq!(
            parse_field("name"),
            Ok(prop("name", BaseType::String, false))
        );
    }

    #[test]
    fn header_types_and_arrays_parse_case_insensitively() {
        assert_eq!(parse_field("n:int"), Ok(prop("n", BaseType::Int, false)));
        assert_eq!(parse_field("n:LONG"), Ok(prop("n", BaseType::Int, false)));
        assert_eq!(
            parse_field("x:float[]"),
            Ok(prop("x", BaseType::Float, true))
        );
        assert_eq!(parse_field("d:date"), Ok(prop("d", BaseType::Date, false)));
        assert_eq!(
            parse_field("t:datetime"),
            Ok(prop("t", BaseType::DateTime, false))
        );
        assert_eq!(
            parse_field("b:boolean[]"),
            Ok(prop("b", BaseType::Bool, true))
        );
    }

    #[test]
    fn header_special_fields_parse_with_and_without_groups() {
        assert_eq!(parse_field("id:ID"), Ok(Field::Id { property: "id" }));
        assert_eq!(parse_field(":ID(Person)"), Ok(Field::Id { property: "" }));
        assert_eq!(parse_field(":START_ID(Person)"), Ok(Field::StartId));
        assert_eq!(parse_field(":END_ID"), Ok(Field::EndId));
        assert_eq!(parse_field(":LABEL"), Ok(Field::Label));
        assert_eq!(parse_field(":TYPE"), Ok(Field::Type));
        assert_eq!(parse_field("skip:IGNORE"), Ok(Field::Ignore));
    }

    #[test]
    fn header_type_follows_the_last_colon() {
        assert_eq!(
            parse_field("a:b:string"),
            Ok(prop("a:b", BaseType::String, false))
        );
        assert_eq!(parse_field("a:b"), Err("b"));
    }

    #[test]
    fn header_rejects_unknown_types() {
        assert_eq!(parse_field("age:integer"), Err("integer"));
        assert_eq!(parse_field("x:[]"), Err("[]"));
        assert_eq!(parse_field("x:LABEL(G)"), Err("LABEL(G)"));
    }
}
