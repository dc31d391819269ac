//! Conversions: `toString`, `toInteger`, `toFloat`, `toBoolean`, and their `OrNull`
//! forms, which give null where the plain form fails.

use crate::graph::Value;
use crate::plan::functions::Function as F;

use super::{Args, Impl, Reader};
use crate::exec::{ExecError, Result};

pub(super) fn implementation(function: F) -> Option<Impl> {
    Some(match function {
        F::ToString | F::ToStringOrNull => to_string,
        F::ToInteger | F::ToIntegerOrNull => to_integer,
        F::ToFloat | F::ToFloatOrNull => to_float,
        F::ToBoolean | F::ToBooleanOrNull => to_boolean,
        _ => return None,
    })
}

/// Whether the call is an `OrNull` form, which answers null instead of failing.
fn or_null(args: &Args) -> bool {
    matches!(
        args.function,
        F::ToStringOrNull | F::ToIntegerOrNull | F::ToFloatOrNull | F::ToBooleanOrNull
    )
}

fn to_string(_: &Reader, args: Args) -> Result<Value> {
    let first = args.get(0);
    match text(first) {
        Some(s) => Ok(Value::from(s)),
        None if or_null(&args) => Ok(Value::Null),
        None => Err(args.wrong("a string, number, boolean or temporal value", first)),
    }
}

fn to_integer(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        first @ Value::Int(_) => Ok(first),
        Value::Float(f) if f.is_finite() => match float_to_integer(f) {
            Some(i) => Ok(Value::Int(i)),
            None if or_null(&args) => Ok(Value::Null),
            None => Err(ExecError::Arithmetic {
                message: format!(
                    "toInteger(): {} is out of the integer range",
                    crate::graph::value::format_float(f)
                ),
                span: args.span,
            }),
        },
        Value::String(s) => Ok(parse_integer(&s).map_or(Value::Null, Value::Int)),
        Value::Bool(b) => Ok(Value::Int(b as i64)),
        _ if or_null(&args) => Ok(Value::Null),
        other => Err(args.wrong("a number, string or boolean", &other)),
    }
}

fn to_float(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        first @ Value::Float(_) => Ok(first),
        Value::Int(i) => Ok(Value::Float(i as f64)),
        Value::String(s) => Ok(s.trim().parse::<f64>().map_or(Value::Null, Value::Float)),
        _ if or_null(&args) => Ok(Value::Null),
        other => Err(args.wrong("a number or string", &other)),
    }
}

fn to_boolean(_: &Reader, mut args: Args) -> Result<Value> {
    match args.take(0) {
        first @ Value::Bool(_) => Ok(first),
        Value::String(s) => Ok(match s.trim().to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::Null,
        }),
        Value::Int(i) => Ok(Value::Bool(i != 0)),
        _ if or_null(&args) => Ok(Value::Null),
        other => Err(args.wrong("a boolean, string or integer", &other)),
    }
}

/// An integer from text, truncating a decimal (`'3.7'` gives 3).
fn parse_integer(s: &str) -> Option<i64> {
    let t = s.trim();
    t.parse::<i64>().ok().or_else(|| {
        let f: f64 = t.parse().ok()?;
        float_to_integer(f)
    })
}

/// `f` without its fraction, when that fits an integer (a cast would saturate:
/// `1e20` would become 9223372036854775807).
fn float_to_integer(f: f64) -> Option<i64> {
    // 2^63 is exact as a float; every float below it and at least -2^63 fits.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let t = f.trunc();
    (t.is_finite() && (-LIMIT..LIMIT).contains(&t)).then_some(t as i64)
}

/// `toString`'s text of a value, `None` for values it does not convert.
fn text(v: &Value) -> Option<String> {
    Some(match v {
        Value::String(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => crate::graph::value::format_float(*f),
        Value::Bool(b) => b.to_string(),
        Value::Date(_)
        | Value::DateTime(_)
        | Value::LocalDateTime(_)
        | Value::LocalTime(_)
        | Value::Time(..)
        | Value::Duration(_) => crate::result::ResultSet::default().render(v),
        _ => return None,
    })
}
