//! Every struct of the TLS presentation language the suite knows, by its draft name, across
//! drafts (protocol-06 and room-policy-03): what `wire.decode` / `wire.encode` and the `tls` and
//! `policy-codec` vectors reach.

use serde_json::Value;

use super::{policy, protocol};

/// Why a named struct did not decode or encode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StructError {
    /// The vector rule slug (`truncated`, `trailing-bytes`, `unknown-struct`, ...).
    pub rule: String,
    pub message: String,
}

/// Decodes `bytes` as the struct `name`; `alternative` selects protocol-06's other reading.
pub fn decode(name: &str, bytes: &[u8], alternative: bool) -> Result<Value, StructError> {
    if protocol::NAMES.contains(&name) {
        let reading = if alternative {
            protocol::Reading::alternative()
        } else {
            protocol::Reading::default()
        };
        return protocol::decode_named_with(name, bytes, &reading).map_err(|e| StructError {
            rule: e.rule().to_owned(),
            message: e.to_string(),
        });
    }
    match policy::decode_json(name, bytes) {
        Some(r) => r.map_err(|e| StructError {
            rule: e.rule().to_owned(),
            message: e.to_string(),
        }),
        None => Err(unknown(name)),
    }
}

/// Encodes the JSON of the struct `name`.
pub fn encode(name: &str, value: &Value, alternative: bool) -> Result<Vec<u8>, StructError> {
    if protocol::NAMES.contains(&name) {
        let reading = if alternative {
            protocol::Reading::alternative()
        } else {
            protocol::Reading::default()
        };
        return protocol::encode_named_with(name, value, &reading).map_err(|e| StructError {
            rule: "encode".into(),
            message: e.to_string(),
        });
    }
    match policy::encode_json(name, value) {
        Some(r) => r.map_err(|message| StructError {
            rule: "encode".into(),
            message,
        }),
        None => Err(unknown(name)),
    }
}

/// The rule slugs a rejection of the struct `name` can name: its draft family's.
pub fn rules(name: &str) -> &'static [&'static str] {
    if protocol::NAMES.contains(&name) {
        &protocol::ProtocolDecodeError::RULES
    } else {
        &policy::DecodeError::RULES
    }
}

fn unknown(name: &str) -> StructError {
    StructError {
        rule: "unknown-struct".into(),
        message: format!("no struct is named {name:?}"),
    }
}
