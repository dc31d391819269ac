//! Functions of strings: case, trimming, `split`, `substring`, `left`, `right`,
//! `replace`. Lengths and indexes count characters, not bytes.

use crate::graph::Value;
use crate::plan::functions::Function as F;

use super::{Args, Impl, Reader};
use crate::exec::{ExecError, Result};

pub(super) fn implementation(function: F) -> Option<Impl> {
    Some(match function {
        F::ToLower | F::Lower => to_lower,
        F::ToUpper | F::Upper => to_upper,
        F::Trim => trim,
        F::LTrim => ltrim,
        F::RTrim => rtrim,
        F::Split => split,
        F::Substring => substring,
        F::Left => left,
        F::Right => right,
        F::Replace => replace,
        _ => return None,
    })
}

fn to_lower(_: &Reader, args: Args) -> Result<Value> {
    Ok(Value::from(args.string(0)?.to_lowercase()))
}

fn to_upper(_: &Reader, args: Args) -> Result<Value> {
    Ok(Value::from(args.string(0)?.to_uppercase()))
}

fn trim(_: &Reader, args: Args) -> Result<Value> {
    Ok(Value::from(args.string(0)?.trim()))
}

fn ltrim(_: &Reader, args: Args) -> Result<Value> {
    Ok(Value::from(args.string(0)?.trim_start()))
}

fn rtrim(_: &Reader, args: Args) -> Result<Value> {
    Ok(Value::from(args.string(0)?.trim_end()))
}

fn split(reader: &Reader, args: Args) -> Result<Value> {
    if args.get(1).is_null() {
        return Ok(Value::Null);
    }
    let (s, sep) = (args.string(0)?, args.string(1)?);
    // At most a part per separator (or per character), each a value and its text.
    let parts = s.len() / sep.len().max(1) + 1;
    reader.charge(parts.saturating_mul(std::mem::size_of::<Value>() + 16))?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::from(c.to_string())).collect()
    } else {
        s.split(sep).map(Value::from).collect()
    };
    Ok(Value::List(parts))
}

fn substring(_: &Reader, args: Args) -> Result<Value> {
    let s = args.string(0)?;
    let start = args.non_negative(1, "start")?;
    let chars: Vec<char> = s.chars().collect();
    let from = start.min(chars.len());
    let to = if args.get(2).is_null() {
        chars.len()
    } else {
        from.saturating_add(args.non_negative(2, "length")?)
            .min(chars.len())
    };
    Ok(Value::from(chars[from..to].iter().collect::<String>()))
}

fn left(_: &Reader, args: Args) -> Result<Value> {
    let (chars, n) = kept_chars(&args)?;
    Ok(Value::from(chars[..n].iter().collect::<String>()))
}

fn right(_: &Reader, args: Args) -> Result<Value> {
    let (chars, n) = kept_chars(&args)?;
    Ok(Value::from(
        chars[chars.len() - n..].iter().collect::<String>(),
    ))
}

/// The characters of `left` / `right`'s string and how many to keep (at most all).
fn kept_chars(args: &Args) -> Result<(Vec<char>, usize)> {
    let s = args.string(0)?;
    if args.get(1).is_null() {
        return Err(ExecError::InvalidArgument {
            message: "length cannot be null".into(),
            span: args.span,
        });
    }
    let n = args.non_negative(1, "length")?;
    let chars: Vec<char> = s.chars().collect();
    let n = n.min(chars.len());
    Ok((chars, n))
}

fn replace(reader: &Reader, args: Args) -> Result<Value> {
    if args.get(1).is_null() || args.get(2).is_null() {
        return Ok(Value::Null);
    }
    let s = args.string(0)?;
    let (from, to) = (args.string(1)?, args.string(2)?);
    // The most the result can take: every match (or, for "", every gap between
    // characters) replaced; charged before the string is built.
    let matches = match from.len() {
        0 => s.chars().count() + 1,
        n => s.len() / n,
    };
    reader.charge(s.len().saturating_add(matches.saturating_mul(to.len())))?;
    Ok(Value::from(s.replace(from, to)))
}
