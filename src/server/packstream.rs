//! PackStream, the binary format Bolt messages are written in: a value tree of null,
//! booleans, integers, floats, byte arrays, strings, lists, maps and tagged structures.
//!
//! This module knows the syntax only ([`Packed`]); what a structure tag means (a node, a
//! date, a message) is `values.rs`'s and the Bolt layer's business. Decoding is bounded:
//! nesting deeper than [`MAX_DEPTH`] is refused, and a length is checked against the bytes
//! left before anything is allocated for it, so a short message cannot claim a huge list.

use std::collections::BTreeMap;

use thiserror::Error;

/// The deepest nesting of lists, maps and structures a decoded value may have.
pub const MAX_DEPTH: usize = 64;

/// A PackStream value.
#[derive(Clone, Debug, PartialEq)]
pub enum Packed {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Bytes(Vec<u8>),
    String(String),
    List(Vec<Packed>),
    Map(BTreeMap<String, Packed>),
    /// A structure: its tag byte and fields.
    Struct(u8, Vec<Packed>),
}

impl Packed {
    /// A string value.
    pub fn str(s: &str) -> Packed {
        Packed::String(s.to_string())
    }

    /// A map from `(key, value)` pairs.
    pub fn map<'a>(entries: impl IntoIterator<Item = (&'a str, Packed)>) -> Packed {
        Packed::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        )
    }

    /// The PackStream type name, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Packed::Null => "Null",
            Packed::Bool(_) => "Boolean",
            Packed::Int(_) => "Integer",
            Packed::Float(_) => "Float",
            Packed::Bytes(_) => "Bytes",
            Packed::String(_) => "String",
            Packed::List(_) => "List",
            Packed::Map(_) => "Map",
            Packed::Struct(..) => "Structure",
        }
    }
}

/// Why bytes do not decode.
#[derive(Debug, Error, PartialEq)]
pub enum PackError {
    #[error("PackStream data ends early, at byte {at}")]
    Truncated { at: usize },
    #[error("unknown PackStream marker 0x{marker:02X} at byte {at}")]
    Marker { marker: u8, at: usize },
    #[error("PackStream value nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("PackStream string at byte {at} is not UTF-8")]
    Utf8 { at: usize },
    #[error("PackStream map key at byte {at} is a {kind}, not a String")]
    MapKey { at: usize, kind: &'static str },
    #[error("{count} bytes left over after the PackStream value, at byte {at}")]
    Trailing { at: usize, count: usize },
}

/// Decodes exactly one value from `bytes`.
///
/// # Errors
/// A [`PackError`] for truncated data, an unknown marker, too deep a nesting, a string that
/// is not UTF-8, a map key that is not a string, or bytes after the value.
pub fn decode(bytes: &[u8]) -> Result<Packed, PackError> {
    let mut decoder = Decoder { bytes, pos: 0 };
    let value = decoder.value(0)?;
    if decoder.pos < bytes.len() {
        return Err(PackError::Trailing {
            at: decoder.pos,
            count: bytes.len() - decoder.pos,
        });
    }
    Ok(value)
}

struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], PackError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(PackError::Truncated {
                at: self.bytes.len(),
            })?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], PackError> {
        Ok(self.take(N)?.try_into().expect("took N bytes"))
    }

    fn u8(&mut self) -> Result<u8, PackError> {
        Ok(self.take(1)?[0])
    }

    /// A length of `width` bytes, checked against what is left: every element takes at
    /// least `min_each` bytes.
    fn len(&mut self, width: usize, min_each: usize) -> Result<usize, PackError> {
        let len = match width {
            1 => usize::from(self.u8()?),
            2 => usize::from(u16::from_be_bytes(self.array()?)),
            _ => u32::from_be_bytes(self.array()?) as usize,
        };
        self.check_room(len, min_each)?;
        Ok(len)
    }

    fn check_room(&self, len: usize, min_each: usize) -> Result<(), PackError> {
        if len.saturating_mul(min_each) > self.bytes.len() - self.pos {
            return Err(PackError::Truncated {
                at: self.bytes.len(),
            });
        }
        Ok(())
    }

    fn value(&mut self, depth: usize) -> Result<Packed, PackError> {
        let at = self.pos;
        let marker = self.u8()?;
        Ok(match marker {
            0x00..=0x7F => Packed::Int(i64::from(marker)),
            0xF0..=0xFF => Packed::Int(i64::from(marker as i8)),
            0xC0 => Packed::Null,
            0xC2 => Packed::Bool(false),
            0xC3 => Packed::Bool(true),
            0xC1 => Packed::Float(f64::from_be_bytes(self.array()?)),
            0xC8 => Packed::Int(i64::from(i8::from_be_bytes(self.array()?))),
            0xC9 => Packed::Int(i64::from(i16::from_be_bytes(self.array()?))),
            0xCA => Packed::Int(i64::from(i32::from_be_bytes(self.array()?))),
            0xCB => Packed::Int(i64::from_be_bytes(self.array()?)),
            0xCC..=0xCE => {
                let len = self.len(1 << (marker - 0xCC), 1)?;
                Packed::Bytes(self.take(len)?.to_vec())
            }
            0x80..=0x8F => self.string(usize::from(marker & 0x0F))?,
            0xD0..=0xD2 => {
                let len = self.len(1 << (marker - 0xD0), 1)?;
                self.string(len)?
            }
            0x90..=0x9F => self.list(usize::from(marker & 0x0F), depth)?,
            0xD4..=0xD6 => {
                let len = self.len(1 << (marker - 0xD4), 1)?;
                self.list(len, depth)?
            }
            0xA0..=0xAF => self.map(usize::from(marker & 0x0F), depth)?,
            0xD8..=0xDA => {
                let len = self.len(1 << (marker - 0xD8), 2)?;
                self.map(len, depth)?
            }
            0xB0..=0xBF => {
                let tag = self.u8()?;
                let fields = self.items(usize::from(marker & 0x0F), depth)?;
                Packed::Struct(tag, fields)
            }
            _ => return Err(PackError::Marker { marker, at }),
        })
    }

    fn string(&mut self, len: usize) -> Result<Packed, PackError> {
        let at = self.pos;
        let bytes = self.take(len)?;
        let text = std::str::from_utf8(bytes).map_err(|_| PackError::Utf8 { at })?;
        Ok(Packed::String(text.to_string()))
    }

    fn items(&mut self, len: usize, depth: usize) -> Result<Vec<Packed>, PackError> {
        if depth >= MAX_DEPTH {
            return Err(PackError::TooDeep);
        }
        self.check_room(len, 1)?;
        (0..len).map(|_| self.value(depth + 1)).collect()
    }

    fn list(&mut self, len: usize, depth: usize) -> Result<Packed, PackError> {
        self.items(len, depth).map(Packed::List)
    }

    fn map(&mut self, len: usize, depth: usize) -> Result<Packed, PackError> {
        if depth >= MAX_DEPTH {
            return Err(PackError::TooDeep);
        }
        self.check_room(len, 2)?;
        let mut map = BTreeMap::new();
        for _ in 0..len {
            let at = self.pos;
            let key = match self.value(depth + 1)? {
                Packed::String(key) => key,
                other => {
                    return Err(PackError::MapKey {
                        at,
                        kind: other.kind(),
                    });
                }
            };
            // As in Neo4j, a repeated key keeps its last value.
            map.insert(key, self.value(depth + 1)?);
        }
        Ok(Packed::Map(map))
    }
}

/// Appends the encoding of `value` to `out`, in the smallest form for each length and
/// integer.
///
/// # Panics
/// Never for a value built in this process: lengths beyond `u32::MAX` cannot be encoded and
/// are cut off by the message size limit long before.
pub fn encode(value: &Packed, out: &mut Vec<u8>) {
    match value {
        Packed::Null => out.push(0xC0),
        Packed::Bool(false) => out.push(0xC2),
        Packed::Bool(true) => out.push(0xC3),
        Packed::Int(i) => encode_int(*i, out),
        Packed::Float(f) => {
            out.push(0xC1);
            out.extend_from_slice(&f.to_be_bytes());
        }
        Packed::Bytes(bytes) => {
            header(out, bytes.len(), None, 0xCC);
            out.extend_from_slice(bytes);
        }
        Packed::String(s) => encode_str(s, out),
        Packed::List(items) => {
            header(out, items.len(), Some(0x90), 0xD4);
            items.iter().for_each(|item| encode(item, out));
        }
        Packed::Map(map) => {
            header(out, map.len(), Some(0xA0), 0xD8);
            for (key, value) in map {
                encode_str(key, out);
                encode(value, out);
            }
        }
        Packed::Struct(tag, fields) => {
            // Structures have at most 15 fields; every Bolt structure has fewer.
            debug_assert!(fields.len() < 16, "a structure has at most 15 fields");
            out.push(0xB0 | (fields.len().min(15) as u8));
            out.push(*tag);
            fields.iter().take(15).for_each(|f| encode(f, out));
        }
    }
}

/// Encodes one value into a new buffer.
pub fn to_bytes(value: &Packed) -> Vec<u8> {
    let mut out = Vec::new();
    encode(value, &mut out);
    out
}

fn encode_str(s: &str, out: &mut Vec<u8>) {
    header(out, s.len(), Some(0x80), 0xD0);
    out.extend_from_slice(s.as_bytes());
}

fn encode_int(i: i64, out: &mut Vec<u8>) {
    if (-16..=127).contains(&i) {
        out.push(i as u8);
    } else if let Ok(i) = i8::try_from(i) {
        out.push(0xC8);
        out.push(i as u8);
    } else if let Ok(i) = i16::try_from(i) {
        out.push(0xC9);
        out.extend_from_slice(&i.to_be_bytes());
    } else if let Ok(i) = i32::try_from(i) {
        out.push(0xCA);
        out.extend_from_slice(&i.to_be_bytes());
    } else {
        out.push(0xCB);
        out.extend_from_slice(&i.to_be_bytes());
    }
}

/// A length header: `tiny | len` below 16 where the type has a tiny form, else the 8-,
/// 16- or 32-bit marker starting at `sized`.
fn header(out: &mut Vec<u8>, len: usize, tiny: Option<u8>, sized: u8) {
    match (tiny, len) {
        (Some(tiny), 0..=15) => out.push(tiny | len as u8),
        (_, 0..=0xFF) => {
            out.push(sized);
            out.push(len as u8);
        }
        (_, 0x100..=0xFFFF) => {
            out.push(sized + 1);
            out.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            out.push(sized + 2);
            let len = u32::try_from(len).expect("values are far below 4 GiB");
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(value: &Packed) -> Packed {
        decode(&to_bytes(value)).expect("encoded value decodes")
    }

    #[test]
    fn integers_take_the_smallest_form() {
        let cases: [(i64, &[u8]); 8] = [
            (1, &[0x01]),
            (-16, &[0xF0]),
            (-17, &[0xC8, 0xEF]),
            (127, &[0x7F]),
            (128, &[0xC9, 0x00, 0x80]),
            (-129, &[0xC9, 0xFF, 0x7F]),
            (65536, &[0xCA, 0x00, 0x01, 0x00, 0x00]),
            (i64::MIN, &[0xCB, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        ];
        for (i, bytes) in cases {
            assert_eq!(to_bytes(&Packed::Int(i)), bytes, "{i}");
            assert_eq!(decode(bytes), Ok(Packed::Int(i)));
        }
    }

    #[test]
    fn strings_lists_and_maps_have_tiny_and_sized_headers() {
        assert_eq!(to_bytes(&Packed::str("a")), [0x81, b'a']);
        let long = "x".repeat(300);
        assert_eq!(to_bytes(&Packed::str(&long))[..3], [0xD1, 0x01, 0x2C]);
        let list = Packed::List(vec![Packed::Null; 16]);
        assert_eq!(to_bytes(&list)[..2], [0xD4, 16]);
        let map = Packed::map([("k", Packed::Bool(true))]);
        assert_eq!(to_bytes(&map), [0xA1, 0x81, b'k', 0xC3]);
        let s = Packed::Struct(0x4E, vec![Packed::Int(1)]);
        assert_eq!(to_bytes(&s), [0xB1, 0x4E, 0x01]);
    }

    #[test]
    fn bad_input_gives_clear_errors() {
        assert_eq!(
            decode(&[0xC7]),
            Err(PackError::Marker {
                marker: 0xC7,
                at: 0
            })
        );
        assert_eq!(decode(&[0x82, b'a']), Err(PackError::Truncated { at: 2 }));
        assert_eq!(decode(&[0xCB, 0]), Err(PackError::Truncated { at: 2 }));
        assert_eq!(decode(&[0x81, 0xFF]), Err(PackError::Utf8 { at: 1 }));
        assert_eq!(
            decode(&[0xA1, 0x01, 0x01]),
            Err(PackError::MapKey {
                at: 1,
                kind: "Integer"
            })
        );
        assert_eq!(
            decode(&[0x01, 0x02]),
            Err(PackError::Trailing { at: 1, count: 1 })
        );
        // A list that claims four billion items in a few bytes is refused before allocating.
        assert_eq!(
            decode(&[0xD6, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
            Err(PackError::Truncated { at: 6 })
        );
        assert_eq!(decode(&[]), Err(PackError::Truncated { at: 0 }));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut bytes = vec![0x91; MAX_DEPTH + 1];
        bytes.push(0xC0);
        assert_eq!(decode(&bytes), Err(PackError::TooDeep));
        let mut ok = vec![0x91; MAX_DEPTH - 1];
        ok.push(0xC0);
        assert!(decode(&ok).is_ok());
    }

    #[test]
    fn repeated_map_keys_keep_the_last_value() {
        let bytes = [0xA2, 0x81, b'a', 0x01, 0x81, b'a', 0x02];
        assert_eq!(decode(&bytes), Ok(Packed::map([("a", Packed::Int(2))])));
    }

    fn packed() -> impl Strategy<Value = Packed> {
        let leaf = prop_oneof![
            Just(Packed::Null),
            any::<bool>().prop_map(Packed::Bool),
            any::<i64>().prop_map(Packed::Int),
            (-300i64..300).prop_map(Packed::Int),
            any::<f64>()
                .prop_filter("NaN is not equal to itself", |f| !f.is_nan())
                .prop_map(Packed::Float),
            proptest::collection::vec(any::<u8>(), 0..300).prop_map(Packed::Bytes),
            ".{0,20}".prop_map(Packed::String),
            "x{250,300}".prop_map(Packed::String),
        ];
        leaf.prop_recursive(4, 64, 20, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..20).prop_map(Packed::List),
                proptest::collection::btree_map(".{0,8}", inner.clone(), 0..18)
                    .prop_map(Packed::Map),
                (any::<u8>(), proptest::collection::vec(inner, 0..15))
                    .prop_map(|(tag, fields)| Packed::Struct(tag, fields)),
            ]
        })
    }

    proptest! {
        #[test]
        fn every_value_round_trips(value in packed()) {
            prop_assert_eq!(round_trip(&value), value);
        }

        #[test]
        fn any_bytes_decode_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(&bytes);
        }
    }
}
