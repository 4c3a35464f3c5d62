//! The presentation-language building blocks of RFC 9420 §2.1 that the policy structures use,
//! as `#[tls_codec(with = "…")]` modules, so that struct fields stay plain `Vec`, `bool` and
//! `Option`:
//!
//! - [`opaque`]: `opaque x<V>` as `Vec<u8>`;
//! - [`vector`]: `T x<V>` as `Vec<T>`;
//! - [`boolean`]: `enum { false(0), true(1) } bool`;
//! - [`optional`]: `optional<T>` (a presence octet 0 or 1, then `T` when 1).
//!
//! `tls_codec`'s own `Vec<T>` accepts 62-bit lengths, reports a length that runs past the input
//! only as the end of the stream, and its `VLBytes` asserts in debug builds on a short input; the
//! vector reader here checks the declared length against the input before reading any element
//! and names each failure. Failures travel through `tls_codec::Error::DecodingError` carrying a
//! tag that [`classify`] turns back into a [`DecodeError`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tls_codec::{DeserializeBytes, Error, SerializeBytes, Size};

use super::DecodeError;

/// The largest `<V>` length RFC 9420 §2.1.2 can express (30 bits).
pub const MAX_LENGTH: u64 = (1 << 30) - 1;

const TAG: &str = "\u{1}policy-codec:";

fn tagged(rule: &str, a: u64, b: u64) -> Error {
    Error::DecodingError(format!("{TAG}{rule}:{a}:{b}"))
}

/// Turns a `tls_codec` error from decoding `ty` into the named error.
pub(super) fn classify(ty: &'static str, e: Error) -> DecodeError {
    match e {
        Error::EndOfStream => DecodeError::Truncated { ty },
        Error::DecodingError(s) if s.starts_with(TAG) => {
            let mut it = s[TAG.len()..].split(':');
            let rule = it.next().unwrap_or_default().to_owned();
            let a: u64 = it.next().and_then(|x| x.parse().ok()).unwrap_or_default();
            let b: u64 = it.next().and_then(|x| x.parse().ok()).unwrap_or_default();
            match rule.as_str() {
                "bad-optional-flag" => DecodeError::BadOptionalFlag { ty, value: a as u8 },
                "bad-bool" => DecodeError::BadBool { ty, value: a as u8 },
                "vector-length-overflow" => DecodeError::VectorLengthOverflow {
                    ty,
                    declared: a,
                    remaining: b as usize,
                },
                "vector-length-mismatch" => DecodeError::VectorLengthMismatch { ty, declared: a },
                "bad-vector-length" => DecodeError::BadVectorLength { ty },
                "unknown-enum-value" => DecodeError::UnknownEnumValue {
                    ty,
                    enum_name: enum_name(a),
                    value: b,
                },
                _ => DecodeError::Truncated { ty },
            }
        }
        // tls_codec's own enum derive (not used for selecting enums here) and anything else.
        Error::UnknownValue(v) => DecodeError::UnknownEnumValue {
            ty,
            enum_name: "enum",
            value: v,
        },
        _ => DecodeError::Truncated { ty },
    }
}

/// A readable message for an encoding failure.
pub(super) fn describe(e: &Error) -> String {
    match e {
        Error::EncodingError(s) => s.clone(),
        other => format!("{other:?}"),
    }
}

/// The enumerations whose value selects a variant; numbered for the error tag.
pub(super) const ENUM_OPTIONALITY: u64 = 1;
pub(super) const ENUM_PENDING_PROPOSAL_STRATEGY: u64 = 2;

fn enum_name(n: u64) -> &'static str {
    match n {
        ENUM_OPTIONALITY => "Optionality",
        ENUM_PENDING_PROPOSAL_STRATEGY => "PendingProposalStrategy",
        _ => "enum",
    }
}

/// An error for an enumerated value with no variant.
pub(super) fn unknown_enum(which: u64, value: u64) -> Error {
    tagged("unknown-enum-value", which, value)
}

/// Reads a `<V>` length (RFC 9420 §2.1.2): 1, 2 or 4 octets, minimally encoded.
pub(super) fn read_length(bytes: &[u8]) -> Result<(u64, &[u8]), Error> {
    let (&first, _) = bytes.split_first().ok_or(Error::EndOfStream)?;
    let (len, min) = match first >> 6 {
        0 => (1, 0),
        1 => (2, 64),
        2 => (4, 16384),
        _ => return Err(tagged("bad-vector-length", 0, 0)),
    };
    let head = bytes.get(..len).ok_or(Error::EndOfStream)?;
    let mut value = u64::from(first & 0x3f);
    for b in &head[1..] {
        value = (value << 8) | u64::from(*b);
    }
    if value < min {
        return Err(tagged("bad-vector-length", value, 0));
    }
    Ok((value, &bytes[len..]))
}

/// Writes a `<V>` length in its minimal form.
pub(super) fn write_length(out: &mut Vec<u8>, len: usize) -> Result<(), Error> {
    let len = len as u64;
    if len < 64 {
        out.push(len as u8);
    } else if len < 16384 {
        out.extend_from_slice(&((len as u16) | 0x4000).to_be_bytes());
    } else if len <= MAX_LENGTH {
        out.extend_from_slice(&((len as u32) | 0x8000_0000).to_be_bytes());
    } else {
        return Err(Error::EncodingError(format!(
            "a vector of {len} bytes is longer than 2^30-1"
        )));
    }
    Ok(())
}

fn length_size(len: usize) -> usize {
    match len {
        0..64 => 1,
        64..16384 => 2,
        _ => 4,
    }
}

/// Splits off a vector's body: its declared length must fit in what is left.
fn read_body(bytes: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    let (len, rest) = read_length(bytes)?;
    if len > rest.len() as u64 {
        return Err(tagged("vector-length-overflow", len, rest.len() as u64));
    }
    Ok(rest.split_at(len as usize))
}

/// `opaque x<V>` as `Vec<u8>`.
pub mod opaque {
    use super::*;

    pub fn tls_serialized_len(v: &[u8]) -> usize {
        length_size(v.len()) + v.len()
    }

    pub fn tls_serialize_bytes(v: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(tls_serialized_len(v));
        write_length(&mut out, v.len())?;
        out.extend_from_slice(v);
        Ok(out)
    }

    pub fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Vec<u8>, &[u8]), Error> {
        let (body, rest) = read_body(bytes)?;
        Ok((body.to_vec(), rest))
    }
}

/// `T x<V>` as `Vec<T>`: the length counts bytes, and the elements must end exactly where it
/// says.
pub mod vector {
    use super::*;

    #[allow(clippy::ptr_arg)] // the derive passes `&Vec<T>`
    pub fn tls_serialized_len<T: Size>(v: &Vec<T>) -> usize {
        let body: usize = v.iter().map(Size::tls_serialized_len).sum();
        length_size(body) + body
    }

    #[allow(clippy::ptr_arg)]
    pub fn tls_serialize_bytes<T: SerializeBytes>(v: &Vec<T>) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        for x in v {
            body.extend_from_slice(&x.tls_serialize_bytes()?);
        }
        let mut out = Vec::with_capacity(length_size(body.len()) + body.len());
        write_length(&mut out, body.len())?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    pub fn tls_deserialize_bytes<T: DeserializeBytes>(bytes: &[u8]) -> Result<(Vec<T>, &[u8]), Error> {
        let (mut body, rest) = read_body(bytes)?;
        let declared = body.len() as u64;
        let mut out = Vec::new();
        while !body.is_empty() {
            let (x, next) = T::tls_deserialize_bytes(body).map_err(|e| match e {
                Error::EndOfStream => tagged("vector-length-mismatch", declared, 0),
                other => other,
            })?;
            if next.len() == body.len() {
                // An element that reads nothing would loop forever; none of the draft's does.
                return Err(tagged("vector-length-mismatch", declared, 0));
            }
            out.push(x);
            body = next;
        }
        Ok((out, rest))
    }
}

/// `bool`: `enum { false(0), true(1) }`, one octet.
pub mod boolean {
    use super::*;

    pub fn tls_serialized_len(_: &bool) -> usize {
        1
    }

    pub fn tls_serialize_bytes(v: &bool) -> Result<Vec<u8>, Error> {
        Ok(vec![u8::from(*v)])
    }

    pub fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(bool, &[u8]), Error> {
        match bytes.split_first() {
            None => Err(Error::EndOfStream),
            Some((0, rest)) => Ok((false, rest)),
            Some((1, rest)) => Ok((true, rest)),
            Some((&v, _)) => Err(tagged("bad-bool", u64::from(v), 0)),
        }
    }
}

/// `optional<T>` (RFC 9420 §2.1.1): `uint8 present; select (present) { case 0: struct{};
/// case 1: T value; }`.
pub mod optional {
    use super::*;

    pub fn tls_serialized_len<T: Size>(v: &Option<T>) -> usize {
        1 + v.as_ref().map_or(0, Size::tls_serialized_len)
    }

    pub fn tls_serialize_bytes<T: SerializeBytes>(v: &Option<T>) -> Result<Vec<u8>, Error> {
        match v {
            None => Ok(vec![0]),
            Some(x) => {
                let mut out = vec![1];
                out.extend_from_slice(&x.tls_serialize_bytes()?);
                Ok(out)
            }
        }
    }

    pub fn tls_deserialize_bytes<T: DeserializeBytes>(bytes: &[u8]) -> Result<(Option<T>, &[u8]), Error> {
        match bytes.split_first() {
            None => Err(Error::EndOfStream),
            Some((0, rest)) => Ok((None, rest)),
            Some((1, rest)) => T::tls_deserialize_bytes(rest).map(|(x, r)| (Some(x), r)),
            Some((&v, _)) => Err(tagged("bad-optional-flag", u64::from(v), 0)),
        }
    }
}

/// `optional<T> x<V>` read as an optional vector (`AssetPolicy.permitted_media_types`).
pub mod optional_vector {
    use super::*;

    pub fn tls_serialized_len<T: Size>(v: &Option<Vec<T>>) -> usize {
        1 + v.as_ref().map_or(0, vector::tls_serialized_len)
    }

    pub fn tls_serialize_bytes<T: SerializeBytes>(v: &Option<Vec<T>>) -> Result<Vec<u8>, Error> {
        match v {
            None => Ok(vec![0]),
            Some(x) => {
                let mut out = vec![1];
                out.extend_from_slice(&vector::tls_serialize_bytes(x)?);
                Ok(out)
            }
        }
    }

    pub fn tls_deserialize_bytes<T: DeserializeBytes>(bytes: &[u8]) -> Result<(Option<Vec<T>>, &[u8]), Error> {
        match bytes.split_first() {
            None => Err(Error::EndOfStream),
            Some((0, rest)) => Ok((None, rest)),
            Some((1, rest)) => vector::tls_deserialize_bytes(rest).map(|(x, r)| (Some(x), r)),
            Some((&v, _)) => Err(tagged("bad-optional-flag", u64::from(v), 0)),
        }
    }
}

/// An `opaque x<V>` that holds text (a role name, a URI, a domain). The draft does not say the
/// bytes are UTF-8, so any bytes decode; JSON shows UTF-8 as a string and anything else as
/// `{"hex": "…"}`, so the model stays lossless.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(pub Vec<u8>);

impl Text {
    /// The text, when it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.as_bytes().to_vec())
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.as_str() {
            Some(s) => f.write_str(s),
            None => write!(f, "0x{}", hex::encode(&self.0)),
        }
    }
}

impl Size for Text {
    fn tls_serialized_len(&self) -> usize {
        opaque::tls_serialized_len(&self.0)
    }
}

impl SerializeBytes for Text {
    fn tls_serialize_bytes(&self) -> Result<Vec<u8>, Error> {
        opaque::tls_serialize_bytes(&self.0)
    }
}

impl DeserializeBytes for Text {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        opaque::tls_deserialize_bytes(bytes).map(|(v, r)| (Text(v), r))
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_str() {
            Some(t) => s.serialize_str(t),
            None => {
                #[derive(Serialize)]
                struct Hex<'a> {
                    #[serde(with = "crate::codec::hexbytes")]
                    hex: &'a Vec<u8>,
                }
                Hex { hex: &self.0 }.serialize(s)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum In {
            Text(String),
            Hex {
                #[serde(with = "crate::codec::hexbytes")]
                hex: Vec<u8>,
            },
        }
        Ok(match In::deserialize(d)? {
            In::Text(t) => Text(t.into_bytes()),
            In::Hex { hex } => Text(hex),
        })
    }
}

/// Implements the three byte traits for an open newtype over an unsigned integer, so that
/// unknown code points still decode.
macro_rules! open_newtype_codec {
    ($t:ident, $inner:ty) => {
        impl tls_codec::Size for $t {
            fn tls_serialized_len(&self) -> usize {
                std::mem::size_of::<$inner>()
            }
        }
        impl tls_codec::SerializeBytes for $t {
            fn tls_serialize_bytes(&self) -> Result<Vec<u8>, tls_codec::Error> {
                Ok(self.0.to_be_bytes().to_vec())
            }
        }
        impl tls_codec::DeserializeBytes for $t {
            fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), tls_codec::Error> {
                <$inner as tls_codec::DeserializeBytes>::tls_deserialize_bytes(bytes).map(|(v, r)| ($t(v), r))
            }
        }
    };
}
pub(crate) use open_newtype_codec;
