//! `optional<T>` (RFC 9420 §2.1.1: `uint8 present; select (present) { case 0: struct{}; case 1:
//! T value; }`) and `bool` (`enum { false(0), true(1) }`): a presence octet or a bool octet other
//! than 0 or 1 is a named rule.
//!
//! As for vectors, two field styles share one reader: the type [`Optional`] and the
//! `#[tls_codec(with = "…")]` modules [`optional`], [`optional_vector`] and [`boolean`].

use tls_codec::{DeserializeBytes, Error, Serialize, SerializeBytes, Size};

use super::Rule;
use super::vectors::vector;

/// Reads the presence octet of an `optional<T>`.
pub fn read_presence(bytes: &[u8]) -> Result<(bool, &[u8]), Error> {
    match bytes.split_first() {
        None => Err(Error::EndOfStream),
        Some((0, rest)) => Ok((false, rest)),
        Some((1, rest)) => Ok((true, rest)),
        Some((&value, _)) => Err(Rule::BadOptionalPresence { value }.into()),
    }
}

/// Reads `optional<T>`: a presence octet 0 or 1, then `T` if 1.
pub fn read_optional<T: DeserializeBytes>(bytes: &[u8]) -> Result<(Option<T>, &[u8]), Error> {
    match read_presence(bytes)? {
        (false, rest) => Ok((None, rest)),
        (true, rest) => T::tls_deserialize_bytes(rest).map(|(v, r)| (Some(v), r)),
    }
}

/// `optional<T>` as a field type, so that derived structs can hold one. JSON: `null` or the
/// value; the key must be present (so that select arms stay distinguishable in JSON).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Optional<T>(pub Option<T>);

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for Optional<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        // `Value` asks for any value, so a missing key is an error rather than `None`.
        let v = serde_json::Value::deserialize(d)?;
        if v.is_null() {
            return Ok(Optional(None));
        }
        T::deserialize(v).map(|t| Optional(Some(t))).map_err(D::Error::custom)
    }
}

impl<T> Default for Optional<T> {
    fn default() -> Self {
        Optional(None)
    }
}

impl<T: Size> Size for Optional<T> {
    fn tls_serialized_len(&self) -> usize {
        optional::tls_serialized_len(&self.0)
    }
}

impl<T: Serialize> Serialize for Optional<T> {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        match &self.0 {
            None => 0u8.tls_serialize(w),
            Some(v) => Ok(1u8.tls_serialize(w)? + v.tls_serialize(w)?),
        }
    }
}

impl<T: DeserializeBytes> DeserializeBytes for Optional<T> {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (v, rest) = read_optional(bytes)?;
        Ok((Optional(v), rest))
    }
}

/// `optional<T>` as an `Option<T>` field.
pub mod optional {
    use super::*;

    pub fn tls_serialized_len<T: Size>(v: &Option<T>) -> usize {
        1 + v.as_ref().map_or(0, Size::tls_serialized_len)
    }

    pub fn tls_serialize_bytes<T: SerializeBytes>(v: &Option<T>) -> Result<Vec<u8>, Error> {
        match v {
            None => Ok(vec![0]),
            Some(x) => Ok([vec![1], x.tls_serialize_bytes()?].concat()),
        }
    }

    pub fn tls_deserialize_bytes<T: DeserializeBytes>(bytes: &[u8]) -> Result<(Option<T>, &[u8]), Error> {
        read_optional(bytes)
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
            Some(x) => Ok([vec![1], vector::tls_serialize_bytes(x)?].concat()),
        }
    }

    pub fn tls_deserialize_bytes<T: DeserializeBytes>(bytes: &[u8]) -> Result<(Option<Vec<T>>, &[u8]), Error> {
        match read_presence(bytes)? {
            (false, rest) => Ok((None, rest)),
            (true, rest) => vector::tls_deserialize_bytes(rest).map(|(x, r)| (Some(x), r)),
        }
    }
}

/// `bool` as a `bool` field: one octet, false(0) or true(1).
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
            Some((&value, _)) => Err(Rule::BadBool { value }.into()),
        }
    }
}
