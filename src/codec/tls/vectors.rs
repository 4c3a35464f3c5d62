//! `opaque x<V>` and `T x<V>` with the RFC 9420 §2.1.2 variable-length header.
//!
//! A declared length is checked against the bytes that are left before anything is allocated,
//! and vector elements are read from exactly the declared span. tls_codec's own `Vec<T>`
//! accepts 62-bit lengths, reports a length that runs past the input only as the end of the
//! stream, and its `VLBytes` reader `debug_assert`s on an over-long length, so neither is used.
//!
//! Two field styles share these readers: the types [`Opaque`] and [`VecOf`] (JSON: hex and an
//! array), and the `#[tls_codec(with = "…")]` modules [`opaque`] and [`vector`] for plain
//! `Vec<u8>` and `Vec<T>` fields.

use tls_codec::{DeserializeBytes, Error, Serialize, SerializeBytes, Size};

use super::Rule;

/// The largest `<V>` length RFC 9420 §2.1.2 can express (30 bits).
pub const MAX_LENGTH: usize = (1 << 30) - 1;

/// Size of the shortest header for `len`.
pub fn vlen_size(len: usize) -> usize {
    match len {
        0..=0x3f => 1,
        0x40..=0x3fff => 2,
        _ => 4,
    }
}

/// Writes the shortest header for `len`; lengths of 2^30 and more cannot be expressed.
pub fn write_vlen<W: std::io::Write>(len: usize, w: &mut W) -> Result<usize, Error> {
    let n = match len {
        0..=0x3f => {
            w.write_all(&[len as u8])?;
            1
        }
        0x40..=0x3fff => {
            w.write_all(&(0x4000u16 | len as u16).to_be_bytes())?;
            2
        }
        0x4000..=MAX_LENGTH => {
            w.write_all(&(0x8000_0000u32 | len as u32).to_be_bytes())?;
            4
        }
        _ => {
            return Err(Error::EncodingError(format!(
                "a vector of {len} bytes is longer than 2^30-1"
            )));
        }
    };
    Ok(n)
}

/// Reads a length header and splits off the span it declares: `(span, rest)`.
pub fn read_span(bytes: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    let first = *bytes.first().ok_or(Error::EndOfStream)?;
    let header = match first >> 6 {
        0 => 1,
        1 => 2,
        2 => 4,
        _ => return Err(Rule::BadLengthPrefix.into()),
    };
    let head = bytes.get(..header).ok_or(Error::EndOfStream)?;
    let mut value = u64::from(first & 0x3f);
    for b in &head[1..] {
        value = (value << 8) | u64::from(*b);
    }
    if vlen_size(value as usize) != header {
        return Err(Rule::NonMinimalLength { value, header }.into());
    }
    let rest = &bytes[header..];
    if value > rest.len() as u64 {
        return Err(Rule::OverLongVector {
            declared: value,
            left: rest.len(),
        }
        .into());
    }
    Ok(rest.split_at(value as usize))
}

/// Reads `T`s from exactly `span`: an element that runs past it (or reads nothing) is
/// [`Rule::VectorLengthMismatch`].
pub fn read_elements<T: DeserializeBytes>(mut span: &[u8]) -> Result<Vec<T>, Error> {
    let declared = span.len() as u64;
    let mut out = Vec::new();
    while !span.is_empty() {
        let (e, next) = T::tls_deserialize_bytes(span).map_err(|e| match e {
            Error::EndOfStream => Rule::VectorLengthMismatch { declared }.into(),
            other => other,
        })?;
        if next.len() == span.len() {
            // An element that reads nothing would loop forever; none of the drafts' does.
            return Err(Rule::VectorLengthMismatch { declared }.into());
        }
        out.push(e);
        span = next;
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// opaque x<V>

/// `opaque x<V>`: bytes behind a variable-length header. JSON: lowercase hex.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Opaque(#[serde(with = "crate::codec::hexbytes")] pub Vec<u8>);

impl Opaque {
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }
}

impl From<&[u8]> for Opaque {
    fn from(b: &[u8]) -> Self {
        Opaque(b.to_vec())
    }
}

impl From<Vec<u8>> for Opaque {
    fn from(b: Vec<u8>) -> Self {
        Opaque(b)
    }
}

impl Size for Opaque {
    fn tls_serialized_len(&self) -> usize {
        opaque::tls_serialized_len(&self.0)
    }
}

impl Serialize for Opaque {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        opaque::tls_serialize(&self.0, w)
    }
}

impl DeserializeBytes for Opaque {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        opaque::tls_deserialize_bytes(bytes).map(|(v, rest)| (Opaque(v), rest))
    }
}

/// `opaque x<V>` as a `Vec<u8>` field.
pub mod opaque {
    use super::*;

    pub fn tls_serialized_len(v: &[u8]) -> usize {
        vlen_size(v.len()) + v.len()
    }

    pub fn tls_serialize<W: std::io::Write>(v: &[u8], w: &mut W) -> Result<usize, Error> {
        let n = write_vlen(v.len(), w)?;
        w.write_all(v)?;
        Ok(n + v.len())
    }

    pub fn tls_serialize_bytes(v: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(tls_serialized_len(v));
        tls_serialize(v, &mut out)?;
        Ok(out)
    }

    pub fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Vec<u8>, &[u8]), Error> {
        let (span, rest) = read_span(bytes)?;
        Ok((span.to_vec(), rest))
    }
}

// ---------------------------------------------------------------------------------------------
// T x<V>

/// `T x<V>`: elements read from exactly the span the header declares. JSON: an array.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct VecOf<T>(pub Vec<T>);

impl<T> Default for VecOf<T> {
    fn default() -> Self {
        VecOf(Vec::new())
    }
}

impl<T> From<Vec<T>> for VecOf<T> {
    fn from(v: Vec<T>) -> Self {
        VecOf(v)
    }
}

impl<T> std::ops::Deref for VecOf<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: Size> Size for VecOf<T> {
    fn tls_serialized_len(&self) -> usize {
        vector::tls_serialized_len(&self.0)
    }
}

impl<T: Serialize> Serialize for VecOf<T> {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        let body: usize = self.0.iter().map(Size::tls_serialized_len).sum();
        let mut n = write_vlen(body, w)?;
        for e in &self.0 {
            n += e.tls_serialize(w)?;
        }
        Ok(n)
    }
}

impl<T: DeserializeBytes> DeserializeBytes for VecOf<T> {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        vector::tls_deserialize_bytes(bytes).map(|(v, rest)| (VecOf(v), rest))
    }
}

/// `T x<V>` as a `Vec<T>` field: the length counts bytes, and the elements must end exactly
/// where it says.
pub mod vector {
    use super::*;

    #[allow(clippy::ptr_arg)] // the derive passes `&Vec<T>`
    pub fn tls_serialized_len<T: Size>(v: &Vec<T>) -> usize {
        let body: usize = v.iter().map(Size::tls_serialized_len).sum();
        vlen_size(body) + body
    }

    #[allow(clippy::ptr_arg)]
    pub fn tls_serialize_bytes<T: SerializeBytes>(v: &Vec<T>) -> Result<Vec<u8>, Error> {
        let mut body = Vec::new();
        for x in v {
            body.extend_from_slice(&x.tls_serialize_bytes()?);
        }
        let mut out = Vec::with_capacity(vlen_size(body.len()) + body.len());
        write_vlen(body.len(), &mut out)?;
        out.extend_from_slice(&body);
        Ok(out)
    }

    pub fn tls_deserialize_bytes<T: DeserializeBytes>(bytes: &[u8]) -> Result<(Vec<T>, &[u8]), Error> {
        let (span, rest) = read_span(bytes)?;
        Ok((read_elements(span)?, rest))
    }
}
