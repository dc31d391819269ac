//! Which statements cannot be replayed from their text: those calling `rand()`,
//! `randomUUID()` or a `*.realtime()` clock, whose values differ on every run.
//! (`timestamp()`, `date()`, `datetime()` and the other statement clocks are replayed exactly
//! from the clock the journal records.) The check reads the statement's words, skipping
//! strings and comments, and errs on the side of "cannot": a false alarm only costs a
//! save of the whole dataset instead of one journal entry.

#[derive(Debug, PartialEq)]
enum Token {
    Word(String),
    Punct(char),
}

/// Whether `statement` calls a function whose value is not fixed by the statement's
/// text, parameters and clock.
pub fn calls_unrepeatable_function(statement: &str) -> bool {
    let tokens = tokens(statement);
    tokens.iter().enumerate().any(|(i, token)| {
        let Token::Word(word) = token else {
            return false;
        };
        let called = tokens.get(i + 1) == Some(&Token::Punct('('));
        called && matches!(word.as_str(), "rand" | "randomuuid" | "realtime")
    })
}

/// Lower-cased words (identifiers, keywords, backquoted names, numbers) and single
/// punctuation characters; strings, comments and white space are dropped.
fn tokens(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => skip_string(&mut chars, c),
            '`' => {
                let mut word = String::new();
                while let Some(c) = chars.next() {
                    if c == '`' && chars.next_if_eq(&'`').is_none() {
                        break;
                    }
                    word.push(c);
                }
                tokens.push(Token::Word(word.to_lowercase()));
            }
            '/' if chars.next_if_eq(&'/').is_some() => {
                while chars.next_if(|&c| c != '\n').is_some() {}
            }
            '/' if chars.next_if_eq(&'*').is_some() => {
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            c if c.is_whitespace() => {}
            c if c.is_alphanumeric() || c == '_' => {
                let mut word = c.to_lowercase().to_string();
                while let Some(c) = chars.next_if(|&c| c.is_alphanumeric() || c == '_') {
                    word.extend(c.to_lowercase());
                }
                tokens.push(Token::Word(word));
            }
            c => tokens.push(Token::Punct(c)),
        }
    }
    tokens
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars>, quote: char) {
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == quote {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_and_realtime_calls_are_found() {
        for text in [
            "CREATE ({r: rand()})",
            "CREATE ({r: RAND ( )})",
            "CREATE ({r: `rand`()})",
            "CREATE ({t: datetime.realtime('Europe/Paris')})",
            "CREATE ({t: date.realtime /* now */ ()})",
            "CREATE ({u: randomUUID()})",
        ] {
            assert!(calls_unrepeatable_function(text), "{text}");
        }
    }

    #[test]
    fn clocks_strings_comments_and_keys_are_not_calls() {
        for text in [
            "CREATE ({d: datetime(), s: date.statement(), t: timestamp()})",
            "CREATE ({s: 'rand()'}) // timestamp()",
            "CREATE ({s: \"it's \\\" rand()\"})",
            "MATCH (n) SET n.timestamp = 1, n.rand = n.realtime",
            "CREATE ({timestamp: 1}) /* rand() */",
        ] {
            assert!(!calls_unrepeatable_function(text), "{text}");
        }
    }
}
