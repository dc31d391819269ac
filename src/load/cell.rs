//! Cells ⇄ values: parsing a cell as its column's type, and writing a value back as a
//! cell, so that the loader and the saver agree on every detail.
//!
//! The conventions, beyond Neo4j's:
//! - An empty cell is an absent property. A *quoted* empty cell (`""`) is the empty
//!   string in a string column (Neo4j's convention) and the empty list in an array column;
//!   in any other column it is absent too.
//! - Array items are separated by `;`. Inside an array cell `\;` is a `;` that belongs to
//!   the item and `\\` is a backslash; a backslash before anything else is kept as it is,
//!   so hand-written data with backslashes (`C:\data`) loads unchanged.
//! - An empty item needs no marker when the list has two or more items (`a;` is
//!   `["a", ""]`), but a list of exactly one empty string would be indistinguishable from
//!   the empty list, so that one list is written as the cell `\e`.
//! - Values of non-string columns, and items of non-string arrays, may have spaces
//!   around them; string values are taken exactly as written.

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::{Datelike, SecondsFormat};

use crate::graph::Value;
use crate::graph::partial::parse_partial_date;
use crate::temporal::parse_datetime;

use super::header::{BaseType, PropType};

/// The cell that stands for a list holding one empty string.
pub(crate) const EMPTY_ITEM: &str = "\\e";

/// A cell that does not parse: the offending text and what was expected instead.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct BadCell {
    pub value: String,
    pub expected: &'static str,
}

/// Converts a cell to a property value; `None` when the property is absent.
pub(crate) fn parse_cell(ty: PropType, text: &str, quoted: bool) -> Result<Option<Value>, BadCell> {
    if text.is_empty() {
        return Ok(match (quoted, ty.array, ty.base) {
            (false, _, _) => None,
            (true, true, _) => Some(Value::List(Vec::new())),
            (true, false, BaseType::String) => Some(Value::str("")),
            (true, false, _) => None,
        });
    }
    if !ty.array {
        return parse_scalar(ty.base, text).map(Some);
    }
    split_array(text)
        .iter()
        .map(|item| parse_scalar(ty.base, item))
        .collect::<Result<Vec<_>, _>>()
        .map(|items| Some(Value::List(items)))
}

/// Converts one value (a cell, or an array item) of a non-array type.
pub(crate) fn parse_scalar(base: BaseType, text: &str) -> Result<Value, BadCell> {
    let trimmed = text.trim();
    let parsed = match base {
        BaseType::String => return Ok(Value::str(text)),
        BaseType::Int => trimmed.parse().ok().map(Value::Int),
        BaseType::Float => trimmed.parse().ok().map(Value::Float),
        BaseType::Bool => parse_bool(trimmed).map(Value::Bool),
        // A partial form keeps its precision (`2015-04`, `<2017-06-08`: temporal::partial).
        BaseType::Date => full_date(trimmed)
            .map(Value::Date)
            .or_else(|| parse_partial_date(trimmed)),
        BaseType::DateTime => parse_datetime(trimmed).map(Value::DateTime),
    };
    parsed.ok_or_else(|| BadCell {
        value: text.to_string(),
        expected: expected(base),
    })
}

/// A `YYYY-MM-DD` date, the common case, read without splitting.
fn full_date(text: &str) -> Option<chrono::NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    chrono::NaiveDate::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)
}

fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// How an error message describes a valid value of `base`.
fn expected(base: BaseType) -> &'static str {
    match base {
        BaseType::String => "a string",
        BaseType::Int => "an integer",
        BaseType::Float => "a number",
        BaseType::Bool => "a boolean (true or false)",
        BaseType::Date => "a date (YYYY-MM-DD, YYYY-MM or YYYY, or one after < or >)",
        BaseType::DateTime => "a datetime (RFC 3339, like 2018-03-17T10:00:00Z)",
    }
}

/// Splits a non-empty array cell into its items, undoing the escapes.
pub(crate) fn split_array(text: &str) -> Vec<Cow<'_, str>> {
    if text == EMPTY_ITEM {
        return vec![Cow::Borrowed("")];
    }
    if !text.contains('\\') {
        return text.split(';').map(Cow::Borrowed).collect();
    }
    let mut items = Vec::new();
    let mut item = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&next @ ('\\' | ';')) => {
                    item.push(next);
                    chars.next();
                }
                _ => item.push('\\'),
            },
            ';' => items.push(Cow::Owned(std::mem::take(&mut item))),
            c => item.push(c),
        }
    }
    items.push(Cow::Owned(item));
    items
}

/// Appends a string array item, escaping `\` and `;`.
fn escape_item(item: &str, out: &mut String) {
    for c in item.chars() {
        if matches!(c, '\\' | ';') {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The column a value needs: a base type, or an array of one (`None` for an empty list,
/// which fits any array column).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Slot {
    Scalar(BaseType),
    Array(Option<BaseType>),
}

impl Slot {
    /// The column type to write in the header.
    pub fn prop_type(self) -> PropType {
        match self {
            Slot::Scalar(base) => PropType { base, array: false },
            Slot::Array(base) => PropType {
                base: base.unwrap_or(BaseType::String),
                array: true,
            },
        }
    }

    /// The slot both fit in, if any.
    pub fn merge(self, other: Slot) -> Option<Slot> {
        match (self, other) {
            (a, b) if a == b => Some(a),
            (Slot::Array(None), Slot::Array(b)) | (Slot::Array(b), Slot::Array(None)) => {
                Some(Slot::Array(b))
            }
            _ => None,
        }
    }
}

/// The slot a property value needs, or why the format cannot hold it.
pub(crate) fn slot_of(value: &Value) -> Result<Slot, String> {
    match value {
        Value::List(items) => {
            let mut base = None;
            for item in items {
                let b = match item {
                    Value::List(_) => return Err("a list inside a list cannot be stored".into()),
                    Value::Null => return Err("a list holding null cannot be stored".into()),
                    item => scalar_base(item)?,
                };
                match base {
                    Some(first) if first != b => {
                        return Err(format!(
                            "a list mixing {} and {} cannot be stored",
                            items[0].type_name(),
                            item.type_name()
                        ));
                    }
                    _ => base = Some(b),
                }
            }
            Ok(Slot::Array(base))
        }
        value => scalar_base(value).map(Slot::Scalar),
    }
}

fn scalar_base(value: &Value) -> Result<BaseType, String> {
    match value {
        Value::String(_) => Ok(BaseType::String),
        Value::Int(_) => Ok(BaseType::Int),
        Value::Float(_) => Ok(BaseType::Float),
        Value::Bool(_) => Ok(BaseType::Bool),
        Value::Date(d) if (0..=9999).contains(&d.year()) => Ok(BaseType::Date),
        Value::Date(_) => Err("a date outside the years 0 to 9999 cannot be stored".into()),
        Value::PartialDate(_) => Ok(BaseType::Date),
        Value::DateTime(d) => {
            let text = d.to_rfc3339_opts(SecondsFormat::AutoSi, true);
            match parse_datetime(&text) {
                Some(back) if back == *d && back.offset() == d.offset() => Ok(BaseType::DateTime),
                _ => Err(format!("the datetime {text} does not survive RFC 3339")),
            }
        }
        other => Err(format!(
            "a {} value has no column type in the CSV format",
            other.type_name()
        )),
    }
}

/// Appends a value (already accepted by [`slot_of`]) as cell text. Returns whether the
/// cell must be quoted even if the text needs no quoting: the empty string and the empty
/// list are written `""`, which is not the same as an empty (absent) cell.
pub(crate) fn write_value(value: &Value, out: &mut String) -> bool {
    match value {
        Value::String(s) => {
            out.push_str(s);
            s.is_empty()
        }
        Value::List(items) if items.is_empty() => true,
        Value::List(items) if matches!(items.as_slice(), [Value::String(s)] if s.is_empty()) => {
            out.push_str(EMPTY_ITEM);
            false
        }
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(';');
                }
                match item {
                    Value::String(s) => escape_item(s, out),
                    item => write_scalar(item, out),
                }
            }
            false
        }
        value => {
            write_scalar(value, out);
            false
        }
    }
}

fn write_scalar(value: &Value, out: &mut String) {
    let _ = match value {
        Value::String(s) => write!(out, "{s}"),
        Value::Int(i) => write!(out, "{i}"),
        // `{:?}` is the shortest text that parses back to the same bits, and keeps `1.0`.
        Value::Float(f) => write!(out, "{f:?}"),
        Value::Bool(b) => write!(out, "{b}"),
        Value::Date(d) => write!(out, "{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        Value::PartialDate(p) => write!(out, "{p}"),
        Value::DateTime(d) => write!(out, "{}", d.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        _ => Ok(()),
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ty(base: BaseType, array: bool) -> PropType {
        PropType { base, array }
    }

    fn list(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::str(s)).collect())
    }

    #[test]
    fn cell_empty_is_absent_and_quoted_empty_is_empty() {
        let string = ty(BaseType::String, false);
        assert_eq!(parse_cell(string, "", false), Ok(None));
        assert_eq!(parse_cell(string, "", true), Ok(Some(Value::str(""))));
        assert_eq!(parse_cell(ty(BaseType::Int, false), "", true), Ok(None));
        let array = ty(BaseType::String, true);
        assert_eq!(parse_cell(array, "", false), Ok(None));
        assert_eq!(parse_cell(array, "", true), Ok(Some(list(&[]))));
    }

    #[test]
    fn cell_converts_each_type() {
        let parse = |base, text| parse_scalar(base, text).unwrap();
        assert_eq!(parse(BaseType::Int, " -42 "), Value::Int(-42));
        assert!(matches!(parse(BaseType::Float, "1"), Value::Float(f) if f == 1.0));
        assert_eq!(parse(BaseType::Bool, "TRUE"), Value::Bool(true));
        assert_eq!(parse(BaseType::String, " x "), Value::str(" x "));
        assert_eq!(
            parse(BaseType::Date, "2018-03-01"),
            Value::Date(chrono::NaiveDate::from_ymd_opt(2018, 3, 1).unwrap())
        );
        // Partial forms keep their precision and print as written.
        for partial in ["2018-03", "2018", "<2017-06-08", ">2015"] {
            let d = parse(BaseType::Date, partial);
            assert!(matches!(&d, Value::PartialDate(p) if p.to_string() == partial));
        }
        assert!(matches!(
            parse(BaseType::DateTime, "2018-03-17T10:00:00Z"),
            Value::DateTime(_)
        ));
    }

    #[test]
    fn cell_rejects_values_of_the_wrong_type() {
        let err = parse_scalar(BaseType::Int, "abc").unwrap_err();
        assert_eq!(
            err,
            BadCell {
                value: "abc".into(),
                expected: "an integer"
            }
        );
        assert!(parse_scalar(BaseType::Int, "1.5").is_err());
        assert!(parse_scalar(BaseType::Int, "9223372036854775808").is_err());
        assert!(parse_scalar(BaseType::Bool, "yes").is_err());
        assert!(parse_scalar(BaseType::Date, "2018-13-01").is_err());
        let err = parse_cell(ty(BaseType::Int, true), "1;x;3", false).unwrap_err();
        assert_eq!(err.value, "x");
    }

    #[test]
    fn array_splits_on_unescaped_semicolons() {
        assert_eq!(split_array("a;b;;c"), vec!["a", "b", "", "c"]);
        assert_eq!(split_array(r"a\;b;c\\;d"), vec!["a;b", r"c\", "d"]);
        assert_eq!(split_array(r"C:\data;x\"), vec![r"C:\data", r"x\"]);
        assert_eq!(split_array(EMPTY_ITEM), vec![""]);
        assert_eq!(split_array(";"), vec!["", ""]);
    }

    #[test]
    fn array_writing_escapes_and_marks_empty_lists() {
        let write = |v: &Value| {
            let mut out = String::new();
            let quote = write_value(v, &mut out);
            (out, quote)
        };
        assert_eq!(write(&list(&[])), (String::new(), true));
        assert_eq!(write(&list(&[""])), (EMPTY_ITEM.to_string(), false));
        assert_eq!(
            write(&list(&["a;b", r"\e", ""])),
            (r"a\;b;\\e;".to_string(), false)
        );
        assert_eq!(write(&Value::Float(1.0)), ("1.0".to_string(), false));
        assert_eq!(write(&Value::str("")), (String::new(), true));
    }

    #[test]
    fn slot_rejects_what_the_format_cannot_hold() {
        let mixed = Value::List(vec![Value::Int(1), Value::str("a")]);
        assert_eq!(
            slot_of(&mixed),
            Err("a list mixing Integer and String cannot be stored".into())
        );
        assert!(slot_of(&Value::List(vec![list(&["a"])])).is_err());
        assert!(slot_of(&Value::Map(Default::default())).is_err());
        assert_eq!(slot_of(&list(&[])), Ok(Slot::Array(None)));
        assert_eq!(
            Slot::Array(None).merge(Slot::Array(Some(BaseType::Int))),
            Some(Slot::Array(Some(BaseType::Int)))
        );
        assert_eq!(
            Slot::Scalar(BaseType::Int).merge(Slot::Scalar(BaseType::Float)),
            None
        );
    }

    proptest! {
        #[test]
        fn array_of_strings_round_trips(items in proptest::collection::vec("[a;\\\\e ]{0,4}", 0..5)) {
            let value = Value::List(items.iter().map(|s| Value::str(s)).collect());
            let mut text = String::new();
            let quoted = write_value(&value, &mut text);
            let back = parse_cell(ty(BaseType::String, true), &text, quoted).unwrap();
            prop_assert_eq!(back, Some(value));
        }

        #[test]
        fn float_round_trips_exactly(bits in any::<u64>()) {
            let f = f64::from_bits(bits);
            let mut text = String::new();
            write_value(&Value::Float(f), &mut text);
            let back = parse_scalar(BaseType::Float, &text).unwrap();
            match back {
                Value::Float(g) => prop_assert!(g.to_bits() == f.to_bits() || (f.is_nan() && g.is_nan())),
                other => prop_assert!(false, "{other:?}"),
            }
        }
    }
}
