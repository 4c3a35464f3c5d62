//! `mimiExtensions` (draft-ietf-mimi-content-08 §4.3): a map of int or text keys to any value.
//! senderUri (1) and roomUri (2) are the registered keys (§8.2).

use serde::{Deserialize, Serialize};

use super::{DecodeError, Encoder, infallible, shape};
use crate::codec::cbor::{self, Item, Value};
use crate::codec::hexbytes;

/// Registered key of the sender's URI.
pub const SENDER_URI: i64 = 1;
/// Registered key of the room's URI.
pub const ROOM_URI: i64 = 2;

/// One map entry, in wire order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ExtensionJson", into = "ExtensionJson")]
pub struct Extension {
    pub key: ExtensionKey,
    pub value: ExtensionValue,
}

/// `name = int / tstr .size (1..255)`; anything else a sender put there is kept as raw CBOR so
/// that the validator can report it (§6.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionKey {
    Int(i64),
    Text(String),
    Other(Vec<u8>),
}

/// The value's own CBOR encoding (`value = any`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionValue(pub Vec<u8>);

impl ExtensionValue {
    /// A text-string value.
    pub fn text(s: &str) -> Self {
        let mut e = super::encoder();
        infallible(e.str(s));
        ExtensionValue(e.into_writer())
    }

    /// The value if it is a CBOR text string.
    pub fn as_text(&self) -> Option<String> {
        match cbor::parse(&self.0) {
            Ok(p) if p.end == self.0.len() => match p.item.value {
                Value::Text(s) => Some(s.into_owned()),
                _ => None,
            },
            _ => None,
        }
    }
}

impl ExtensionKey {
    /// The key's deterministic CBOR encoding, which is also its sort key (RFC 8949 §4.2.1).
    pub fn encoding(&self) -> Vec<u8> {
        let mut e = super::encoder();
        match self {
            ExtensionKey::Int(n) => infallible(e.i64(*n)),
            ExtensionKey::Text(s) => infallible(e.str(s)),
            ExtensionKey::Other(raw) => return raw.clone(),
        };
        e.into_writer()
    }
}

pub(super) fn from_item(item: &Item, path: &str, input: &[u8]) -> Result<Vec<Extension>, DecodeError> {
    let Value::Map(entries) = &item.value else {
        return Err(shape(path, format!("{}, expected a map", item.value.type_name())));
    };
    Ok(entries
        .iter()
        .map(|(k, v)| Extension {
            key: match &k.value {
                Value::Text(s) => ExtensionKey::Text(s.to_string()),
                other => match other.as_int().and_then(|n| i64::try_from(n).ok()) {
                    Some(n) => ExtensionKey::Int(n),
                    None => ExtensionKey::Other(input[k.span.clone()].to_vec()),
                },
            },
            value: ExtensionValue(input[v.span.clone()].to_vec()),
        })
        .collect())
}

/// Writes the map with keys in bytewise order of their encodings, each value re-encoded
/// deterministically.
pub(super) fn encode_to(extensions: &[Extension], e: &mut Encoder) {
    let mut sorted: Vec<(Vec<u8>, &ExtensionValue)> = extensions.iter().map(|x| (x.key.encoding(), &x.value)).collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    infallible(e.map(sorted.len() as u64));
    for (key, value) in sorted {
        e.writer_mut().extend_from_slice(&key);
        match cbor::parse(&value.0) {
            Ok(p) if p.end == value.0.len() => p.item.encode_deterministic(e),
            // Not one well-formed item: written as given, and the validator will say so.
            _ => e.writer_mut().extend_from_slice(&value.0),
        }
    }
}

/// The JSON form: `{"key": 1, "text": "…"}` or `{"key": -7, "cbor": "<hex>"}`; a key that is
/// neither int nor text travels as `"keyCbor": "<hex>"`.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtensionJson {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    key: Option<KeyJson>,
    #[serde(
        rename = "keyCbor",
        skip_serializing_if = "Option::is_none",
        default,
        with = "hexbytes::option"
    )]
    key_cbor: Option<Vec<u8>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default, with = "hexbytes::option")]
    cbor: Option<Vec<u8>>,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum KeyJson {
    Int(i64),
    Text(String),
}

impl TryFrom<ExtensionJson> for Extension {
    type Error = String;

    fn try_from(j: ExtensionJson) -> Result<Self, String> {
        let key = match (j.key, j.key_cbor) {
            (Some(KeyJson::Int(n)), None) => ExtensionKey::Int(n),
            (Some(KeyJson::Text(s)), None) => ExtensionKey::Text(s),
            (None, Some(raw)) => ExtensionKey::Other(raw),
            _ => return Err("an extension needs exactly one of `key` and `keyCbor`".into()),
        };
        let value = match (j.text, j.cbor) {
            (Some(t), None) => ExtensionValue::text(&t),
            (None, Some(raw)) => ExtensionValue(raw),
            _ => return Err("an extension needs exactly one of `text` and `cbor`".into()),
        };
        Ok(Extension { key, value })
    }
}

impl From<Extension> for ExtensionJson {
    fn from(x: Extension) -> Self {
        let (key, key_cbor) = match x.key {
            ExtensionKey::Int(n) => (Some(KeyJson::Int(n)), None),
            ExtensionKey::Text(s) => (Some(KeyJson::Text(s)), None),
            ExtensionKey::Other(raw) => (None, Some(raw)),
        };
        let (text, cbor) = match x.value.as_text() {
            Some(t) => (Some(t), None),
            None => (None, Some(x.value.0)),
        };
        ExtensionJson {
            key,
            key_cbor,
            text,
            cbor,
        }
    }
}
