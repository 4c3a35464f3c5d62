//! draft-ietf-mimi-content-08: the MIMI content container (CBOR, Appendix A.1), its implied
//! values (A.2), the message ID (§3.3) and the message-status document of
//! draft-mahy-mimi-message-status-01.
//!
//! Decoding is two steps: bytes → [`crate::codec::cbor::Item`] tree → typed value. The typed
//! decoders are lenient about sizes and ranges (a 15-byte salt still decodes) so that the
//! validator can name the rule that is broken; they fail only when the shape is wrong.
//! Encoding is always deterministic (RFC 8949 §4.2.1), as §6.1 requires.

mod container;
mod derived;
pub(crate) mod extensions;
mod message_id;
mod nested_part;
mod status;

pub use container::{Expiration, MimiContent};
pub use derived::MessageDerivedValues;
pub use extensions::{Extension, ExtensionKey, ExtensionValue};
pub use message_id::{ContentRev, HASH_ALG_SHA256, MessageIdError, message_id};
pub use nested_part::{Cardinality, ExternalPart, NestedPart, PartBody, PartIndex};
pub use status::{MessageStatusReport, PerMessageStatus};

use std::fmt::Display;

use crate::codec::cbor::{self, Item, Value};

/// Why bytes do not decode into a content structure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error(transparent)]
    Cbor(#[from] cbor::ParseError),
    #[error("{trailing} trailing byte(s) after the item")]
    TrailingBytes { trailing: usize },
    /// The CBOR is well formed but does not have the CDDL's shape.
    #[error("{path}: {what}")]
    Shape { path: String, what: String },
    #[error("{path}: cardinality {value} is not nullpart(0), single(1), external(2) or multi(3)")]
    UnknownCardinality { path: String, value: u64 },
    #[error("{path}: text is not valid UTF-8")]
    InvalidUtf8 { path: String },
}

/// Parses one whole item: trailing bytes are an error.
pub(crate) fn parse_whole(bytes: &[u8]) -> Result<Item<'_>, DecodeError> {
    let parsed = cbor::parse(bytes)?;
    if parsed.end < bytes.len() {
        return Err(DecodeError::TrailingBytes {
            trailing: bytes.len() - parsed.end,
        });
    }
    Ok(parsed.item)
}

/// Where a field sits, written out only when decoding fails (no allocation on success).
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    Root(&'static str),
    Field(&'a Path<'a>, &'static str),
    Index(&'a Path<'a>, usize),
}

impl std::fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Path::Root(name) => f.write_str(name),
            Path::Field(parent, name) => write!(f, "{parent}.{name}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

fn shape(path: impl Display, what: impl Into<String>) -> DecodeError {
    DecodeError::Shape {
        path: path.to_string(),
        what: what.into(),
    }
}

fn array<'i, 'b>(item: &'i Item<'b>, path: impl Display, len: usize) -> Result<&'i [Item<'b>], DecodeError> {
    match &item.value {
        Value::Array(items) if items.len() == len => Ok(items),
        Value::Array(items) => Err(shape(
            path,
            format!("array of {} elements, expected {len}", items.len()),
        )),
        other => Err(shape(path, format!("{}, expected an array", other.type_name()))),
    }
}

fn bstr(item: &Item, path: impl Display) -> Result<Vec<u8>, DecodeError> {
    match &item.value {
        Value::Bytes(b) => Ok(b.to_vec()),
        other => Err(shape(path, format!("{}, expected bstr", other.type_name()))),
    }
}

fn tstr(item: &Item, path: impl Display) -> Result<String, DecodeError> {
    match &item.value {
        Value::Text(s) => Ok(s.to_string()),
        Value::BadText(_) => Err(DecodeError::InvalidUtf8 { path: path.to_string() }),
        other => Err(shape(path, format!("{}, expected tstr", other.type_name()))),
    }
}

fn uint(item: &Item, path: impl Display) -> Result<u64, DecodeError> {
    match item.value {
        Value::Uint(n) => Ok(n),
        ref other => Err(shape(path, format!("{}, expected uint", other.type_name()))),
    }
}

fn nullable<T, P: Display>(
    item: &Item,
    path: P,
    f: impl FnOnce(&Item, P) -> Result<T, DecodeError>,
) -> Result<Option<T>, DecodeError> {
    match item.value {
        Value::Null => Ok(None),
        _ => f(item, path).map(Some),
    }
}

/// The encoder every content type writes to. Writing to a `Vec` cannot fail.
pub(crate) type Encoder = minicbor::Encoder<Vec<u8>>;

pub(crate) fn encoder() -> Encoder {
    minicbor::Encoder::new(Vec::new())
}

/// Unwraps an encoder result: the primitive writes used here fail only on I/O, and writing to a
/// `Vec` has none.
pub(crate) fn infallible<T>(r: Result<T, minicbor::encode::Error<std::convert::Infallible>>) -> T {
    r.expect("encoding into a Vec<u8> cannot fail")
}

#[cfg(test)]
mod content_test;
