//! Typed params and results of the driver operations. The harness sends these and parses
//! what an IUT answers into them: an answer that does not parse is the IUT's failure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::codec::content::{MessageStatusReport, MimiContent};
use crate::codec::hexbytes;

/// `capabilities` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// Protocol version, "1".
    pub driver: String,
    pub name: String,
    pub version: String,
    pub ops: Vec<String>,
    /// Draft name → revision the implementation follows.
    #[serde(default)]
    pub drafts: BTreeMap<String, String>,
}

/// Params of `content.decode` and `status.decode`. Params ignore unknown fields, so that
/// later versions can add optional ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CborParams {
    #[serde(with = "hexbytes")]
    pub cbor: Vec<u8>,
}

/// `content.decode` result: `{accepted: true, content}` or
/// `{accepted: false, reason, rule?, section?}` (a rejection is a result, not an error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodeResult {
    pub accepted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<MimiContent>,
    #[serde(flatten)]
    pub rejection: Rejection,
}

/// `status.decode` result, shaped as [`DecodeResult`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusDecodeResult {
    pub accepted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MessageStatusReport>,
    #[serde(flatten)]
    pub rejection: Rejection,
}

/// Why an implementation rejected its input (empty when it accepted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The rule slug, when the implementation knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// `content.encode` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodeParams {
    pub content: MimiContent,
}

/// `content.encode` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodeResult {
    #[serde(with = "hexbytes")]
    pub cbor: Vec<u8>,
}

/// `content.messageId` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageIdParams {
    pub sender: String,
    pub room: String,
    #[serde(with = "hexbytes")]
    pub cbor: Vec<u8>,
}

/// `content.messageId` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageIdResult {
    #[serde(with = "hexbytes")]
    pub message_id: Vec<u8>,
}

/// `wire.decode` params: a protocol struct by its draft name (e.g. `KeyMaterialRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireDecodeParams {
    #[serde(rename = "struct")]
    pub structure: String,
    #[serde(with = "hexbytes")]
    pub hex: Vec<u8>,
    /// `"alternative"` for the other reading of -06's inconsistencies; default the suite's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

/// `wire.decode` result: `{accepted: true, value}` or `{accepted: false, reason, rule?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireDecodeResult {
    pub accepted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    #[serde(flatten)]
    pub rejection: Rejection,
}

/// `wire.encode` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireEncodeParams {
    #[serde(rename = "struct")]
    pub structure: String,
    pub value: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

/// `wire.encode` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireEncodeResult {
    #[serde(with = "hexbytes")]
    pub hex: Vec<u8>,
}
