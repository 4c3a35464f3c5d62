//! A CBOR item tree with byte spans, read with minicbor.
//!
//! The content validator needs more than values: where each item starts and ends, whether its
//! header was in shortest form, and whether it had an indefinite length (RFC 8949 §4.2.1). So
//! untrusted input is first read into this tree, bounded in depth, its allocations a small multiple
//! of the input's size (strings are borrowed, not copied); typed decoders (`content`, `status`) then work on the tree.

use std::borrow::Cow;
use std::ops::Range;

use minicbor::data::Type;
use minicbor::decode::Decoder;

/// Arrays, maps and tags nested deeper than this are refused before any typed decoding: a
/// nesting bomb must not exhaust the stack. Far above what any valid MIMI content holds.
pub const MAX_DEPTH: usize = 128;

/// One CBOR data item.
#[derive(Debug, Clone, PartialEq)]
pub struct Item<'b> {
    /// Bytes of the whole item, header included.
    pub span: Range<usize>,
    /// Every header of this item (and of its chunks) used the shortest argument form.
    pub shortest: bool,
    /// The item (string, array or map) was encoded with indefinite length.
    pub indefinite: bool,
    pub value: Value<'b>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value<'b> {
    Uint(u64),
    /// A negative integer `-1 - n`, holding `n`.
    Nint(u64),
    Bytes(Cow<'b, [u8]>),
    Text(Cow<'b, str>),
    /// A text string that is not valid UTF-8 (RFC 8949 calls it invalid; §6.2 forbids it).
    BadText(Cow<'b, [u8]>),
    Array(Vec<Item<'b>>),
    Map(Vec<(Item<'b>, Item<'b>)>),
    Tag(u64, Box<Item<'b>>),
    Bool(bool),
    Null,
    Undefined,
    Simple(u8),
    /// A float with its encoded width in bytes (2, 4 or 8) and its raw bits.
    Float {
        value: f64,
        width: u8,
        bits: u64,
    },
}

impl Value<'_> {
    /// The CDDL-ish name of the type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Uint(_) => "uint",
            Value::Nint(_) => "nint",
            Value::Bytes(_) => "bstr",
            Value::Text(_) | Value::BadText(_) => "tstr",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Tag(..) => "tag",
            Value::Bool(_) => "bool",
            Value::Null => "null",
            Value::Undefined => "undefined",
            Value::Simple(_) => "simple",
            Value::Float { .. } => "float",
        }
    }

    /// The value as a signed integer, if it is one.
    pub fn as_int(&self) -> Option<i128> {
        match *self {
            Value::Uint(n) => Some(n.into()),
            Value::Nint(n) => Some(-1 - i128::from(n)),
            _ => None,
        }
    }
}

/// Why input is not a well-formed CBOR item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("input ends inside an item at byte {at}")]
    Truncated { at: usize },
    #[error("not well-formed CBOR at byte {at}: {what}")]
    Malformed { at: usize, what: String },
    #[error("items nested more than {MAX_DEPTH} deep at byte {at}; path {path:?}")]
    TooDeep { at: usize, path: Vec<usize> },
}

/// A well-formed item, and what follows it.
#[derive(Debug)]
pub struct Parsed<'b> {
    pub item: Item<'b>,
    /// Offset of the first byte after the item; `< input.len()` means trailing bytes.
    pub end: usize,
}

/// Reads exactly one item from the start of `input`.
pub fn parse(input: &[u8]) -> Result<Parsed<'_>, ParseError> {
    let mut reader = Reader {
        d: Decoder::new(input),
        path: Vec::new(),
    };
    let item = reader.item()?;
    Ok(Parsed {
        item,
        end: reader.d.position(),
    })
}

/// Smallest header length for an argument (RFC 8949 §4.2.1, "preferred serialization").
pub fn shortest_header_len(arg: u64) -> usize {
    match arg {
        0..24 => 1,
        24..=0xff => 2,
        0x100..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

fn err(at: usize, e: minicbor::decode::Error) -> ParseError {
    if e.is_end_of_input() {
        ParseError::Truncated { at }
    } else {
        ParseError::Malformed {
            at,
            what: e.to_string(),
        }
    }
}

/// How an item is written, beside what it holds.
struct Form {
    shortest: bool,
    indefinite: bool,
}

struct Reader<'b> {
    d: Decoder<'b>,
    /// Index of each enclosing array element or map entry, for `TooDeep`.
    path: Vec<usize>,
}

impl<'b> Reader<'b> {
    fn item(&mut self) -> Result<Item<'b>, ParseError> {
        let start = self.d.position();
        let ty = self.d.datatype().map_err(|e| err(start, e))?;
        let mut form = Form {
            shortest: true,
            indefinite: false,
        };
        let value = match ty {
            Type::U8 | Type::U16 | Type::U32 | Type::U64 => {
                let n = self.d.u64().map_err(|e| err(start, e))?;
                form.shortest = self.d.position() - start == shortest_header_len(n);
                Value::Uint(n)
            }
            Type::I8 | Type::I16 | Type::I32 | Type::I64 | Type::Int => {
                let n = i128::from(self.d.int().map_err(|e| err(start, e))?);
                // Only reached for negative integers: minicbor types 0x00..0x1b as U*.
                let arg = u64::try_from(-1 - n).unwrap_or(u64::MAX);
                form.shortest = self.d.position() - start == shortest_header_len(arg);
                Value::Nint(arg)
            }
            Type::Bytes => {
                let b = self.d.bytes().map_err(|e| err(start, e))?;
                form.shortest = self.d.position() - start - b.len() == shortest_header_len(b.len() as u64);
                Value::Bytes(Cow::Borrowed(b))
            }
            Type::String => self.text(start, &mut form)?,
            Type::BytesIndef | Type::StringIndef => {
                form.indefinite = true;
                self.indefinite_string(ty, start)?
            }
            Type::Array | Type::ArrayIndef => self.array(start, &mut form)?,
            Type::Map | Type::MapIndef => self.map(start, &mut form)?,
            Type::Tag => {
                let tag = u64::from(self.d.tag().map_err(|e| err(start, e))?);
                form.shortest = self.d.position() - start == shortest_header_len(tag);
                Value::Tag(tag, Box::new(self.nested(0)?))
            }
            Type::Bool => Value::Bool(self.d.bool().map_err(|e| err(start, e))?),
            Type::Null => {
                self.d.null().map_err(|e| err(start, e))?;
                Value::Null
            }
            Type::Undefined => {
                self.d.undefined().map_err(|e| err(start, e))?;
                Value::Undefined
            }
            Type::Simple => self.simple(start)?,
            Type::F16 | Type::F32 | Type::F64 => self.float(ty, start)?,
            Type::Break => {
                return Err(ParseError::Malformed {
                    at: start,
                    what: "break byte 0xff outside an indefinite-length item".into(),
                });
            }
            other => {
                return Err(ParseError::Malformed {
                    at: start,
                    what: format!("reserved or unknown initial byte ({other})"),
                });
            }
        };
        Ok(Item {
            span: start..self.d.position(),
            shortest: form.shortest,
            indefinite: form.indefinite,
            value,
        })
    }

    /// A definite-length text string; well-formed but not UTF-8 is kept as `BadText`.
    fn text(&mut self, start: usize, form: &mut Form) -> Result<Value<'b>, ParseError> {
        match self.d.str() {
            Ok(s) => {
                form.shortest = self.d.position() - start - s.len() == shortest_header_len(s.len() as u64);
                Ok(Value::Text(Cow::Borrowed(s)))
            }
            Err(e) if e.is_end_of_input() => Err(ParseError::Truncated { at: start }),
            Err(_) => {
                // Well-formed but not UTF-8: re-read the payload as bytes.
                self.d.set_position(start);
                let raw = self.raw_string_payload(start)?;
                form.shortest = self.d.position() - start - raw.len() == shortest_header_len(raw.len() as u64);
                Ok(Value::BadText(Cow::Borrowed(raw)))
            }
        }
    }

    /// An indefinite-length byte or text string, its chunks joined.
    fn indefinite_string(&mut self, ty: Type, start: usize) -> Result<Value<'b>, ParseError> {
        let mut buf = Vec::new();
        if ty == Type::BytesIndef {
            let chunks = self.d.bytes_iter().map_err(|e| err(start, e))?;
            for c in chunks {
                buf.extend_from_slice(c.map_err(|e| ParseError::Malformed {
                    at: start,
                    what: format!("bad chunk in indefinite-length bstr: {e}"),
                })?);
            }
            return Ok(Value::Bytes(Cow::Owned(buf)));
        }
        // Chunks are read as bytes so that invalid UTF-8 is reported, not fatal.
        self.d.set_position(start + 1);
        loop {
            let at = self.d.position();
            match self.d.datatype().map_err(|e| err(at, e))? {
                Type::Break => {
                    self.d.set_position(at + 1);
                    break;
                }
                Type::String => buf.extend_from_slice(self.raw_string_payload(at)?),
                other => {
                    return Err(ParseError::Malformed {
                        at,
                        what: format!("{other} chunk inside an indefinite-length tstr"),
                    });
                }
            }
        }
        Ok(match String::from_utf8(buf) {
            Ok(s) => Value::Text(Cow::Owned(s)),
            Err(e) => Value::BadText(Cow::Owned(e.into_bytes())),
        })
    }

    /// An array, definite or indefinite, each element one level deeper.
    fn array(&mut self, start: usize, form: &mut Form) -> Result<Value<'b>, ParseError> {
        let len = self.d.array().map_err(|e| err(start, e))?;
        let mut items = Vec::new();
        match len {
            Some(n) => {
                form.shortest = self.d.position() - start == shortest_header_len(n);
                for i in 0..n {
                    items.push(self.nested(i as usize)?);
                }
            }
            None => {
                form.indefinite = true;
                let mut i = 0;
                while !self.at_break()? {
                    items.push(self.nested(i)?);
                    i += 1;
                }
            }
        }
        Ok(Value::Array(items))
    }

    /// A map, definite or indefinite, each key and value one level deeper.
    fn map(&mut self, start: usize, form: &mut Form) -> Result<Value<'b>, ParseError> {
        let len = self.d.map().map_err(|e| err(start, e))?;
        let mut entries = Vec::new();
        match len {
            Some(n) => {
                form.shortest = self.d.position() - start == shortest_header_len(n);
                for i in 0..n {
                    entries.push((self.nested(i as usize)?, self.nested(i as usize)?));
                }
            }
            None => {
                form.indefinite = true;
                let mut i = 0;
                while !self.at_break()? {
                    entries.push((self.nested(i)?, self.nested(i)?));
                    i += 1;
                }
            }
        }
        Ok(Value::Map(entries))
    }

    /// A simple value; RFC 8949 §3.3: a two-byte simple value below 32 is not well-formed.
    fn simple(&mut self, start: usize) -> Result<Value<'b>, ParseError> {
        let n = self.d.simple().map_err(|e| err(start, e))?;
        if self.d.input()[start] == 0xf8 && n < 32 {
            return Err(ParseError::Malformed {
                at: start,
                what: format!("two-byte simple value {n} below 32"),
            });
        }
        Ok(Value::Simple(n))
    }

    /// A float, with its width and raw bits (what the encoding rules on floats look at).
    fn float(&mut self, ty: Type, start: usize) -> Result<Value<'b>, ParseError> {
        let value = match ty {
            Type::F16 => self.d.f16().map(f64::from),
            Type::F32 => self.d.f32().map(f64::from),
            _ => self.d.f64(),
        }
        .map_err(|e| err(start, e))?;
        let raw = &self.d.input()[start + 1..self.d.position()];
        let bits = raw.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b));
        Ok(Value::Float {
            value,
            width: raw.len() as u8,
            bits,
        })
    }

    /// A child item, with the depth bound.
    fn nested(&mut self, index: usize) -> Result<Item<'b>, ParseError> {
        self.path.push(index);
        if self.path.len() > MAX_DEPTH {
            return Err(ParseError::TooDeep {
                at: self.d.position(),
                path: self.path.clone(),
            });
        }
        let item = self.item();
        self.path.pop();
        item
    }

    /// Consumes a break byte if one is next.
    fn at_break(&mut self) -> Result<bool, ParseError> {
        let at = self.d.position();
        if self.d.datatype().map_err(|e| err(at, e))? == Type::Break {
            self.d.set_position(at + 1);
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// The payload of a definite-length text string, without UTF-8 checking (minicbor's
    /// readers all check UTF-8, and invalid UTF-8 is a finding here, not a parse failure).
    fn raw_string_payload(&mut self, at: usize) -> Result<&'b [u8], ParseError> {
        let input = self.d.input();
        let info = input[at] & 0x1f;
        let (arg, header) = match info {
            0..24 => (u64::from(info), 1),
            24..=27 => {
                let n = 1usize << (info - 24);
                let b = input.get(at + 1..at + 1 + n).ok_or(ParseError::Truncated { at })?;
                (b.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x)), 1 + n)
            }
            _ => {
                return Err(ParseError::Malformed {
                    at,
                    what: "bad text string header".into(),
                });
            }
        };
        let payload = usize::try_from(arg)
            .ok()
            .and_then(|n| input.get(at + header..(at + header).checked_add(n)?))
            .ok_or(ParseError::Truncated { at })?;
        self.d.set_position(at + header + payload.len());
        Ok(payload)
    }
}

impl Item<'_> {
    /// Writes the item in deterministic form (RFC 8949 §4.2.1): shortest arguments, definite
    /// lengths, map keys sorted bytewise, floats in the shortest width that keeps the value,
    /// NaN as 0xf97e00 (draft-ietf-mimi-content-08 §6.2).
    pub fn encode_deterministic(&self, e: &mut minicbor::Encoder<Vec<u8>>) {
        use minicbor::data::Tag;
        let r = match &self.value {
            Value::Uint(n) => e.u64(*n).map(|_| ()),
            Value::Nint(n) => e
                .int(minicbor::data::Int::try_from(-1 - i128::from(*n)).expect("nint range"))
                .map(|_| ()),
            Value::Bytes(b) => e.bytes(b).map(|_| ()),
            Value::Text(s) => e.str(s).map(|_| ()),
            Value::BadText(b) => e.str_len(b.len() as u64).map(|e| e.writer_mut().extend_from_slice(b)),
            Value::Array(items) => {
                let r = e.array(items.len() as u64).map(|_| ());
                for i in items {
                    i.encode_deterministic(e);
                }
                r
            }
            Value::Map(entries) => {
                let mut sorted: Vec<(Vec<u8>, &Item)> = entries
                    .iter()
                    .map(|(k, v)| {
                        let mut ke = minicbor::Encoder::new(Vec::new());
                        k.encode_deterministic(&mut ke);
                        (ke.into_writer(), v)
                    })
                    .collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                let r = e.map(sorted.len() as u64).map(|_| ());
                for (k, v) in sorted {
                    e.writer_mut().extend_from_slice(&k);
                    v.encode_deterministic(e);
                }
                r
            }
            Value::Tag(t, inner) => {
                let r = e.tag(Tag::new(*t)).map(|_| ());
                inner.encode_deterministic(e);
                r
            }
            Value::Bool(b) => e.bool(*b).map(|_| ()),
            Value::Null => e.null().map(|_| ()),
            Value::Undefined => e.undefined().map(|_| ()),
            Value::Simple(n) => e.simple(*n).map(|_| ()),
            Value::Float { value, .. } => {
                let v = *value;
                if v.is_nan() {
                    e.writer_mut().extend_from_slice(&[0xf9, 0x7e, 0x00]);
                    Ok(())
                } else {
                    match shortest_float_width(v) {
                        2 => e.f16(v as f32).map(|_| ()),
                        4 => e.f32(v as f32).map(|_| ()),
                        _ => e.f64(v).map(|_| ()),
                    }
                }
            }
        };
        r.expect("encoding into a Vec<u8> cannot fail");
    }
}

/// The fewest bytes (2, 4 or 8) that hold `v` exactly (RFC 8949 §4.2.1 for floats).
pub fn shortest_float_width(v: f64) -> u8 {
    let single = v as f32;
    if f64::from(single) != v && !v.is_nan() {
        8
    } else if f64::from(half::f16::from_f32(single).to_f32()) == v || v.is_nan() {
        2
    } else {
        4
    }
}

/// `bytes` in CBOR diagnostic notation (RFC 8949 §8), or why it cannot be shown.
pub fn diagnostic(bytes: &[u8]) -> String {
    match parse(bytes) {
        Ok(p) => {
            let mut out = String::new();
            p.item.diagnostic(&mut out);
            if p.end < bytes.len() {
                out.push_str(&format!(" followed by {} trailing byte(s)", bytes.len() - p.end));
            }
            out
        }
        Err(e) => format!("<{e}> hex {}", hex::encode(&bytes[..bytes.len().min(512)])),
    }
}

impl Item<'_> {
    /// Appends the item in diagnostic notation; `_ ` marks indefinite length.
    pub fn diagnostic(&self, out: &mut String) {
        use std::fmt::Write;
        let ind = if self.indefinite { "_ " } else { "" };
        match &self.value {
            Value::Uint(n) => write!(out, "{n}"),
            Value::Nint(n) => write!(out, "{}", -1 - i128::from(*n)),
            Value::Bytes(b) => write!(out, "{ind}h'{}'", hex::encode(b)),
            Value::Text(s) => write!(out, "{ind}{s:?}"),
            Value::BadText(b) => write!(out, "{ind}<invalid UTF-8 text h'{}'>", hex::encode(b)),
            Value::Array(items) => {
                out.push('[');
                out.push_str(ind);
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    x.diagnostic(out);
                }
                write!(out, "]")
            }
            Value::Map(entries) => {
                out.push('{');
                out.push_str(ind);
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.diagnostic(out);
                    out.push_str(": ");
                    v.diagnostic(out);
                }
                write!(out, "}}")
            }
            Value::Tag(t, inner) => {
                let _ = write!(out, "{t}(");
                inner.diagnostic(out);
                write!(out, ")")
            }
            Value::Bool(b) => write!(out, "{b}"),
            Value::Null => write!(out, "null"),
            Value::Undefined => write!(out, "undefined"),
            Value::Simple(n) => write!(out, "simple({n})"),
            Value::Float { value, width, .. } => {
                let suffix = match width {
                    2 => "_1",
                    4 => "_2",
                    _ => "_3",
                };
                if value.is_nan() {
                    write!(out, "NaN{suffix}")
                } else {
                    write!(out, "{value:?}{suffix}")
                }
            }
        }
        .expect("writing to a String cannot fail");
    }
}
