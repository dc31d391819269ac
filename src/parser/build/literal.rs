//! Literal builders: integers in their three bases and quoted strings with their escapes.

use pest::iterators::Pair;

use super::*;

/// Decimal, `0x` hexadecimal or `0o` octal, with an optional leading `-`.
pub(super) fn parse_integer(text: &str, span: Span) -> Result<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (radix, digits) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else if let Some(oct) = digits.strip_prefix("0o") {
        (8, oct)
    } else {
        (10, digits)
    };
    let valid = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
    if !valid {
        let what = match radix {
            16 => "hexadecimal",
            8 => "octal",
            _ => "decimal",
        };
        return Err(error(
            format!("invalid {what} integer literal `{text}`"),
            span,
        ));
    }
    let signed = if negative {
        format!("-{digits}")
    } else {
        digits.to_string()
    };
    i64::from_str_radix(&signed, radix).map_err(|_| {
        error(
            format!("integer literal `{text}` does not fit in 64 bits"),
            span,
        )
    })
}

/// The value of a quoted string, with Cypher's escapes resolved.
pub(super) fn build_string(pair: Pair<Rule>) -> Result<String> {
    let span = span_of(&pair);
    let body = pair.into_inner().next().map_or("", |p| p.as_str());
    unescape(body).map_err(|message| error(message, span))
}

fn unescape(body: &str) -> std::result::Result<String, String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('\'') => out.push('\''),
            Some('"') => out.push('"'),
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some(u @ ('u' | 'U')) => {
                let len = if u == 'u' { 4 } else { 8 };
                let hex: String = chars.by_ref().take(len).collect();
                let code = u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| hex.len() == len)
                    .and_then(char::from_u32)
                    .ok_or_else(|| format!("invalid unicode escape `\\{u}{hex}`"))?;
                out.push(code);
            }
            Some(other) => return Err(format!("invalid escape sequence `\\{other}`")),
            None => return Err("a string cannot end with a lone backslash".to_string()),
        }
    }
    Ok(out)
}
