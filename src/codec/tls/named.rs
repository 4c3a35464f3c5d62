//! Every struct of the TLS presentation language the suite knows, by its draft name, across
//! drafts (protocol-06 and room-policy-03): what `wire.decode` / `wire.encode` and the `tls` and
//! `policy-codec` vectors reach.

use serde_json::Value;

use super::{DecodeError, EncodeError, Rule};
use crate::codec::{policy, protocol};

/// Decodes `bytes` as the struct `name`; `alternative` selects protocol-06's other reading.
pub fn decode_named(name: &str, bytes: &[u8], alternative: bool) -> Result<Value, DecodeError> {
    if protocol::NAMES.contains(&name) {
        return protocol::decode_named_with(name, bytes, &reading(alternative));
    }
    policy::decode_json(name, bytes).unwrap_or_else(|| Err(unknown(name)))
}

/// Encodes the JSON of the struct `name`.
pub fn encode_named(name: &str, value: &Value, alternative: bool) -> Result<Vec<u8>, EncodeError> {
    if protocol::NAMES.contains(&name) {
        return protocol::encode_named_with(name, value, &reading(alternative));
    }
    policy::encode_struct(name, value).unwrap_or_else(|| Err(EncodeError::UnknownStruct { name: name.to_owned() }))
}

fn reading(alternative: bool) -> protocol::Reading {
    if alternative {
        protocol::Reading::alternative()
    } else {
        protocol::Reading::default()
    }
}

fn unknown(name: &str) -> DecodeError {
    DecodeError {
        ty: "struct",
        rule: Rule::UnknownStruct { name: name.to_owned() },
    }
}
