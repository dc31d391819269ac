//! The TCK's expected-value syntax (README, "Expected values"): nodes `(:L {k: v})`,
//! relationships `[:T {k: v}]`, paths `<(a)-[:T]->(b)>`, lists, maps, single-quoted
//! strings with `\'` and `\\` escapes, integers, floats, `NaN` and `Inf`/`-Inf`. Values are parsed into
//! [`Expected`], turned into query parameters with [`Expected::to_value`], and compared
//! through canonical keys (see `compare`).

use std::collections::BTreeMap;

use datatrail::Value;

/// A value as the TCK writes it.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Expected>),
    Map(BTreeMap<String, Expected>),
    Node {
        labels: Vec<String>,
        props: BTreeMap<String, Expected>,
    },
    Rel {
        rel_type: String,
        props: BTreeMap<String, Expected>,
    },
    /// The first node, then each hop: (forward?, relationship, next node).
    Path {
        start: Box<Expected>,
        hops: Vec<(bool, Expected, Expected)>,
    },
}

impl Expected {
    /// Parses one expected value (a whole table cell).
    ///
    /// # Errors
    /// A message naming the offset where the text stops being a TCK value.
    pub fn parse(text: &str) -> Result<Expected, String> {
        let mut p = ValueParser { s: text, pos: 0 };
        let value = p.value()?;
        p.ws();
        if p.pos != p.s.len() {
            return Err(p.fail("end of value"));
        }
        Ok(value)
    }

    /// The value as a query parameter.
    ///
    /// # Errors
    /// When the value is a node, relationship or path, which parameters cannot be.
    pub fn to_value(&self) -> Result<Value, String> {
        Ok(match self {
            Expected::Null => Value::Null,
            Expected::Bool(b) => Value::Bool(*b),
            Expected::Int(i) => Value::Int(*i),
            Expected::Float(f) => Value::Float(*f),
            Expected::Str(s) => Value::str(s),
            Expected::List(items) => Value::List(
                items
                    .iter()
                    .map(Expected::to_value)
                    .collect::<Result<_, _>>()?,
            ),
            Expected::Map(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), v.to_value()?)))
                    .collect::<Result<_, String>>()?,
            ),
            other => return Err(format!("{other:?} cannot be a parameter")),
        })
    }
}

struct ValueParser<'a> {
    s: &'a str,
    pos: usize,
}

impl ValueParser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn ws(&mut self) {
        let skip = self.rest().len() - self.rest().trim_start().len();
        self.pos += skip;
    }

    fn fail(&self, wanted: &str) -> String {
        format!("expected {wanted} at offset {} in `{}`", self.pos, self.s)
    }

    /// Skips whitespace, then consumes `token` if it comes next.
    fn eat(&mut self, token: &str) -> bool {
        self.ws();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(self.fail(&format!("`{token}`")))
        }
    }

    fn value(&mut self) -> Result<Expected, String> {
        self.ws();
        match self.peek() {
            Some('\'') => self.string().map(Expected::Str),
            Some('(') => self.node(),
            Some('<') => self.path(),
            Some('{') => self.map().map(Expected::Map),
            Some('[') => {
                let after = self.rest()[1..].trim_start();
                if after.starts_with(':') {
                    self.rel()
                } else {
                    self.list()
                }
            }
            Some(c) if c == '-' || c == '.' || c.is_ascii_digit() => self.number(),
            _ => self.word(),
        }
    }

    fn word(&mut self) -> Result<Expected, String> {
        let words = [
            ("null", Expected::Null),
            ("true", Expected::Bool(true)),
            ("false", Expected::Bool(false)),
            ("NaN", Expected::Float(f64::NAN)),
            ("Infinity", Expected::Float(f64::INFINITY)),
            ("Inf", Expected::Float(f64::INFINITY)),
        ];
        for (word, value) in words {
            let follows = self.rest().strip_prefix(word);
            if follows.is_some_and(|f| !f.starts_with(is_ident_char)) {
                self.pos += word.len();
                return Ok(value);
            }
        }
        Err(self.fail("a value"))
    }

    fn number(&mut self) -> Result<Expected, String> {
        let start = self.pos;
        for word in ["-Infinity", "-Inf"] {
            let follows = self.rest().strip_prefix(word);
            if follows.is_some_and(|f| !f.starts_with(is_ident_char)) {
                self.pos += word.len();
                return Ok(Expected::Float(f64::NEG_INFINITY));
            }
        }
        let len = self
            .rest()
            .char_indices()
            .take_while(|(i, c)| {
                c.is_ascii_alphanumeric() || *c == '.' || (*c == '-' && *i == 0) || *c == '+'
            })
            .count();
        // `e-5`: a minus right after an exponent marker belongs to the number.
        let mut end = start + len;
        let bytes = self.s.as_bytes();
        while end < bytes.len() && bytes[end] == b'-' && matches!(bytes[end - 1], b'e' | b'E') {
            end += 1;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
        }
        let text = &self.s[start..end];
        self.pos = end;
        let is_float = text.contains(['.', 'e', 'E']);
        if is_float {
            text.parse::<f64>()
                .map(Expected::Float)
                .map_err(|_| format!("bad float `{text}`"))
        } else {
            text.parse::<i64>()
                .map(Expected::Int)
                .map_err(|_| format!("bad integer `{text}`"))
        }
    }

    /// A single-quoted string; `\'` and `\\` are escapes, any other backslash is kept.
    fn string(&mut self) -> Result<String, String> {
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\'' => {
                    self.pos += i + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, '\'')) => out.push('\''),
                    Some((_, '\\')) => out.push('\\'),
                    Some((_, other)) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err(self.fail("closing `'`"))
    }

    fn ident(&mut self) -> Result<String, String> {
        self.ws();
        if self.rest().starts_with('`') {
            let body = &self.rest()[1..];
            let close = body
                .find('`')
                .ok_or_else(|| self.fail("closing backtick"))?;
            let name = body[..close].to_string();
            self.pos += close + 2;
            return Ok(name);
        }
        let len: usize = self
            .rest()
            .chars()
            .take_while(|c| is_ident_char(*c))
            .map(char::len_utf8)
            .sum();
        if len == 0 {
            return Err(self.fail("a name"));
        }
        let name = self.rest()[..len].to_string();
        self.pos += len;
        Ok(name)
    }

    fn list(&mut self) -> Result<Expected, String> {
        self.expect("[")?;
        let mut items = Vec::new();
        if self.eat("]") {
            return Ok(Expected::List(items));
        }
        loop {
            items.push(self.value()?);
            if self.eat("]") {
                return Ok(Expected::List(items));
            }
            self.expect(",")?;
        }
    }

    fn map(&mut self) -> Result<BTreeMap<String, Expected>, String> {
        self.expect("{")?;
        let mut map = BTreeMap::new();
        if self.eat("}") {
            return Ok(map);
        }
        loop {
            let key = self.ident()?;
            self.expect(":")?;
            map.insert(key, self.value()?);
            if self.eat("}") {
                return Ok(map);
            }
            self.expect(",")?;
        }
    }

    fn node(&mut self) -> Result<Expected, String> {
        self.expect("(")?;
        let mut labels = Vec::new();
        while self.eat(":") {
            labels.push(self.ident()?);
        }
        self.ws();
        let props = if self.peek() == Some('{') {
            self.map()?
        } else {
            BTreeMap::new()
        };
        self.expect(")")?;
        Ok(Expected::Node { labels, props })
    }

    fn rel(&mut self) -> Result<Expected, String> {
        self.expect("[")?;
        self.expect(":")?;
        let rel_type = self.ident()?;
        self.ws();
        let props = if self.peek() == Some('{') {
            self.map()?
        } else {
            BTreeMap::new()
        };
        self.expect("]")?;
        Ok(Expected::Rel { rel_type, props })
    }

    fn path(&mut self) -> Result<Expected, String> {
        self.expect("<")?;
        let start = Box::new(self.node()?);
        let mut hops = Vec::new();
        loop {
            if self.eat(">") {
                return Ok(Expected::Path { start, hops });
            }
            let forward = if self.eat("<-") {
                false
            } else {
                self.expect("-")?;
                true
            };
            let rel = self.rel()?;
            self.expect(if forward { "->" } else { "-" })?;
            hops.push((forward, rel, self.node()?));
        }
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Checks the parser on a few tricky values; run once at start-up, since a harness-less
/// test target does not run `#[test]` functions.
pub fn self_check() {
    let v = Expected::parse("[1, 1.0, -2.5e-3, 'it\\'s', {a: null}, NaN, .5, 1e3, -Inf]");
    let Ok(Expected::List(items)) = v else {
        panic!("self check: {v:?}")
    };
    assert_eq!(items[0], Expected::Int(1));
    assert_eq!(items[1], Expected::Float(1.0));
    assert_eq!(items[2], Expected::Float(-2.5e-3));
    assert_eq!(items[3], Expected::Str("it's".into()));
    assert_eq!(items[6], Expected::Float(0.5));
    assert_eq!(items[7], Expected::Float(1000.0));
    assert_eq!(items[8], Expected::Float(f64::NEG_INFINITY));
    let v = Expected::parse("<(:A {n: 1})-[:T]->()<-[:U {x: 'y'}]-(:B:C)>");
    let Ok(Expected::Path { hops, .. }) = v else {
        panic!("self check: {v:?}")
    };
    assert!(hops.len() == 2 && hops[0].0 && !hops[1].0);
}
