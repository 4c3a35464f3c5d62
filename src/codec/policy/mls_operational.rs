//! draft-ietf-mimi-room-policy-03 §7 (Operational policy component): `OperationalParameters`,
//! the `data` of `mls_operational_policy`, and the structures it holds.
//!
//! Readings of -03's syntax:
//! - `unit64 max_kp_lifetime` is `uint64`;
//! - `WireFormats x<V>` is a vector of draft-ietf-mls-extensions' `WireFormats` struct (itself
//!   `WireFormat wire_formats<V>`, `uint16`), as written;
//! - `ContentType` is RFC 9420's (`uint8`); the other MLS code points are `uint16`;
//! - `PendingProposalPolicy`'s `case extension` names no value of `PendingProposalStrategy`,
//!   so it cannot be selected: values other than 0, 1 and 2 do not decode.

use serde::{Deserialize, Serialize};
use tls_codec::{DeserializeBytes, Error, SerializeBytes, Size, TlsDeserializeBytes, TlsSerializeBytes, TlsSize};

use super::component_ids::ComponentId;
use super::components::MediaType;
use crate::codec::tls::{self, bad_enum};

/// draft-ietf-mls-extensions `struct { WireFormat wire_formats<V>; } WireFormats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct WireFormats {
    #[tls_codec(with = "tls::vector")]
    pub wire_formats: Vec<u16>,
}

/// §7 `ExtendedCapabilities`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct ExtendedCapabilities {
    #[tls_codec(with = "tls::vector")]
    pub versions: Vec<u16>,
    #[tls_codec(with = "tls::vector")]
    pub cipher_suites: Vec<u16>,
    #[tls_codec(with = "tls::vector")]
    pub extensions: Vec<u16>,
    #[tls_codec(with = "tls::vector")]
    pub proposals: Vec<u16>,
    #[tls_codec(with = "tls::vector")]
    pub credentials: Vec<u16>,
    #[tls_codec(with = "tls::vector")]
    pub wire_formats: Vec<WireFormats>,
    #[tls_codec(with = "tls::vector")]
    pub component_ids: Vec<ComponentId>,
    #[tls_codec(with = "tls::vector")]
    pub safe_aad_types: Vec<ComponentId>,
    #[tls_codec(with = "tls::vector")]
    pub media_types: Vec<MediaType>,
    #[tls_codec(with = "tls::vector")]
    pub content_types: Vec<u8>,
}

/// §7 `enum { unspecified(0), immediate_commit(1), random_delay(2), (255) }
/// PendingProposalStrategy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PendingProposalStrategy {
    Unspecified = 0,
    ImmediateCommit = 1,
    RandomDelay = 2,
}

/// §7 `PendingProposalPolicy`; the delays are present exactly for `random_delay`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PendingProposalPolicy {
    pub pending_proposal_strategy: PendingProposalStrategy,
    /// `[minimum_delay_ms, maximum_delay_ms]` for `random_delay`, else `null`.
    pub delay_ms: Option<[u64; 2]>,
}

impl Size for PendingProposalPolicy {
    fn tls_serialized_len(&self) -> usize {
        1 + if self.delay_ms.is_some() { 16 } else { 0 }
    }
}

impl SerializeBytes for PendingProposalPolicy {
    fn tls_serialize_bytes(&self) -> Result<Vec<u8>, Error> {
        let mut out = vec![self.pending_proposal_strategy as u8];
        match (self.pending_proposal_strategy, self.delay_ms) {
            (PendingProposalStrategy::RandomDelay, Some([min, max])) => {
                out.extend_from_slice(&min.to_be_bytes());
                out.extend_from_slice(&max.to_be_bytes());
            }
            (PendingProposalStrategy::RandomDelay, None) | (_, Some(_)) => {
                return Err(Error::EncodingError(
                    "PendingProposalPolicy: delay_ms must be present exactly for random_delay".into(),
                ));
            }
            (_, None) => {}
        }
        Ok(out)
    }
}

impl DeserializeBytes for PendingProposalPolicy {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (&v, rest) = bytes.split_first().ok_or(Error::EndOfStream)?;
        let strategy = match v {
            0 => PendingProposalStrategy::Unspecified,
            1 => PendingProposalStrategy::ImmediateCommit,
            2 => PendingProposalStrategy::RandomDelay,
            _ => return Err(bad_enum("PendingProposalStrategy", u64::from(v))),
        };
        if strategy != PendingProposalStrategy::RandomDelay {
            return Ok((
                PendingProposalPolicy {
                    pending_proposal_strategy: strategy,
                    delay_ms: None,
                },
                rest,
            ));
        }
        let (min, rest) = u64::tls_deserialize_bytes(rest)?;
        let (max, rest) = u64::tls_deserialize_bytes(rest)?;
        Ok((
            PendingProposalPolicy {
                pending_proposal_strategy: strategy,
                delay_ms: Some([min, max]),
            },
            rest,
        ))
    }
}

/// §7 `MinDefaultMaxTime`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct MinDefaultMaxTime {
    pub minimum_time: u64,
    pub default_time: u64,
    pub maximum_time: u64,
}

/// §7 `AppMessagePolicy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct AppMessagePolicy {
    pub epoch_tolerance: u8,
    pub pad_to_size: u16,
    pub max_generations_skipahead: u32,
}

/// §7 `OperationalParameters`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct OperationalParameters {
    pub mandatory_capabilities: ExtendedCapabilities,
    pub default_capabilities: ExtendedCapabilities,
    pub forbidden_capabilities: ExtendedCapabilities,
    #[tls_codec(with = "tls::vector")]
    pub handshake_formats: Vec<WireFormats>,
    #[tls_codec(with = "tls::boolean")]
    pub external_proposal_allowed: bool,
    #[tls_codec(with = "tls::boolean")]
    pub external_commit_allowed: bool,
    pub pending_proposal_policy: PendingProposalPolicy,
    #[serde(rename = "LeafNode_update_time")]
    pub leaf_node_update_time: MinDefaultMaxTime,
    pub app_message_policy: AppMessagePolicy,
    pub max_kp_lifetime: u64,
    pub max_credential_lifetime: u64,
    pub resumption_psk_lifetime: u64,
    pub sender_nonce_keypair_lifetime: MinDefaultMaxTime,
    pub max_keypairs: u32,
    pub buffer_incoming_message_time: MinDefaultMaxTime,
    pub max_buffered_messages: u32,
}
