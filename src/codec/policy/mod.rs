//! draft-ietf-mimi-room-policy-03: every structure of Appendix B ("Complete TLS Presentation
//! Language Syntax") as a `tls_codec` type, one file per family:
//!
//! | file | structures | draft |
//! |---|---|---|
//! | `wire.rs` | `opaque<V>`, `T<V>`, `bool`, `optional<T>` (RFC 9420 §2.1) | App. B |
//! | `roles.rs` | `CapabilityType` (§10.2), `SingleSourceRoleChangeTargets`, `Role`, `RoleData` | §3 |
//! | `preauth.rs` | `ClaimId`, `Claim`, `PreAuthRoleEntry`, `PreAuthData` | §4 |
//! | `base_policy.rs` | `Uri`, `ComponentId`, `BaseRoomPolicy` | §5 |
//! | `components.rs` | status notifications, join links, link preview, assets, logging, history, bots, message expiration | §6 |
//! | `mls_operational.rs` | `ExtendedCapabilities` … `OperationalParameters` | §7 |
//! | `component_ids.rs` | the component ids of §10.1 (suggested values 0x0024–0x0030) | §10.1 |
//!
//! Decoding reads one whole buffer ([`decode`]): a value followed by anything is
//! [`DecodeError::TrailingBytes`], and every failure is a named [`DecodeError`] whose
//! [`DecodeError::rule`] is the slug vector files use. Vector lengths are the variable-size
//! `<V>` lengths of RFC 9420 §2.1.2: minimal encoding, at most 2^30-1, never longer than what is
//! left of the input; a hostile length fails before anything is allocated for it.
//!
//! Where -03 contradicts itself, the readings chosen here are recorded in the catalog
//! (`spec/draft-ietf-mimi-room-policy-03.yaml`, POL-S01) and next to each type.

mod base_policy;
mod component_ids;
mod components;
mod mls_operational;
mod preauth;
mod roles;
mod wire;

pub use base_policy::{BaseRoomPolicy, Uri};
pub use component_ids::{ComponentId, component_of};
pub use components::{
    AssetPolicy, AssetUploadLocation, Bot, BotPolicy, DomainName, DownloadPrivacy, DownloadPrivacyType,
    ExpirationSettings, HistoryPolicy, HistorySettings, JoinLink, JoinLinkPolicy, JoinLinksData, JoinLinksUpdate,
    LinkPreviewPolicy, LoggingPolicy, LoggingSettings, MediaType, MessageExpiration, Optionality, Parameter,
    ProviderAssetUploadDomains, StatusNotificationPolicy,
};
pub use mls_operational::{
    AppMessagePolicy, ExtendedCapabilities, MinDefaultMaxTime, OperationalParameters, PendingProposalPolicy,
    PendingProposalStrategy, WireFormats,
};
pub use preauth::{Claim, ClaimId, PreAuthData, PreAuthRoleEntry};
pub use roles::{CapabilityType, Role, RoleData, SingleSourceRoleChangeTargets};
pub use wire::Text;

use tls_codec::{DeserializeBytes, SerializeBytes};

/// Why bytes do not decode into a policy structure. Each variant is one rule slug of the
/// `policy-codec` vectors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input ends inside a fixed-size field or a length.
    #[error("{ty}: truncated: the input ends inside a field")]
    Truncated { ty: &'static str },
    /// The structure ends before the input does.
    #[error("{ty}: {trailing} trailing byte(s) after the structure")]
    TrailingBytes { ty: &'static str, trailing: usize },
    /// The presence octet of an `optional<T>` is neither 0 nor 1.
    #[error("{ty}: optional presence octet {value:#04x} is neither 0 nor 1")]
    BadOptionalFlag { ty: &'static str, value: u8 },
    /// A `bool` octet is neither false(0) nor true(1).
    #[error("{ty}: bool octet {value:#04x} is neither false(0) nor true(1)")]
    BadBool { ty: &'static str, value: u8 },
    /// A vector declares more bytes than are left in the input.
    #[error("{ty}: a vector declares {declared} bytes but only {remaining} remain")]
    VectorLengthOverflow {
        ty: &'static str,
        declared: u64,
        remaining: usize,
    },
    /// The elements of a vector do not end exactly where its declared length does.
    #[error("{ty}: a vector's elements overrun its declared length of {declared} bytes")]
    VectorLengthMismatch { ty: &'static str, declared: u64 },
    /// A `<V>` length that is not minimally encoded, or uses the 8-octet form RFC 9420 §2.1.2
    /// forbids.
    #[error("{ty}: vector length is not a minimal RFC 9420 variable-size length")]
    BadVectorLength { ty: &'static str },
    /// An enumerated value that selects a variant (`Optionality`, `PendingProposalStrategy`) has
    /// no variant.
    #[error("{ty}: unknown {enum_name} value {value}")]
    UnknownEnumValue {
        ty: &'static str,
        enum_name: &'static str,
        value: u64,
    },
}

impl DecodeError {
    /// The slug a `policy-codec` vector names (`"rule": "trailing-bytes"`).
    pub fn rule(&self) -> &'static str {
        match self {
            DecodeError::Truncated { .. } => "truncated",
            DecodeError::TrailingBytes { .. } => "trailing-bytes",
            DecodeError::BadOptionalFlag { .. } => "bad-optional-flag",
            DecodeError::BadBool { .. } => "bad-bool",
            DecodeError::VectorLengthOverflow { .. } => "vector-length-overflow",
            DecodeError::VectorLengthMismatch { .. } => "vector-length-mismatch",
            DecodeError::BadVectorLength { .. } => "bad-vector-length",
            DecodeError::UnknownEnumValue { .. } => "unknown-enum-value",
        }
    }

    /// Every slug, for loaders that check vector files.
    pub const RULES: [&'static str; 8] = [
        "truncated",
        "trailing-bytes",
        "bad-optional-flag",
        "bad-bool",
        "vector-length-overflow",
        "vector-length-mismatch",
        "bad-vector-length",
        "unknown-enum-value",
    ];
}

/// Why a value cannot be encoded (a select arm that does not match its tag, a vector longer
/// than 2^30-1 bytes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{ty}: cannot encode: {message}")]
pub struct EncodeError {
    pub ty: &'static str,
    pub message: String,
}

/// A policy structure that travels on its own: a component's `data` or `update`.
pub trait PolicyStruct: DeserializeBytes + SerializeBytes + Sized {
    /// The draft's name of the structure (`"RoleData"`).
    const NAME: &'static str;

    /// Decodes exactly `bytes`.
    fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        decode::<Self>(Self::NAME, bytes)
    }

    /// The TLS encoding.
    fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        self.tls_serialize_bytes().map_err(|e| EncodeError {
            ty: Self::NAME,
            message: wire::describe(&e),
        })
    }
}

/// Decodes one whole `T` from `bytes`; `ty` names it in errors.
pub fn decode<T: DeserializeBytes>(ty: &'static str, bytes: &[u8]) -> Result<T, DecodeError> {
    let (value, rest) = T::tls_deserialize_bytes(bytes).map_err(|e| wire::classify(ty, e))?;
    if !rest.is_empty() {
        return Err(DecodeError::TrailingBytes {
            ty,
            trailing: rest.len(),
        });
    }
    Ok(value)
}

macro_rules! policy_structs {
    ($($t:ident),* $(,)?) => {
        $(impl PolicyStruct for $t {
            const NAME: &'static str = stringify!($t);
        })*

        /// The names of every structure [`decode_json`] knows.
        pub const STRUCT_NAMES: &[&str] = &[$(stringify!($t)),*];

        /// Decodes the structure named `name` into its JSON model (`None`: no such structure).
        /// This is what a `policy-codec` vector's `struct` field selects.
        pub fn decode_json(name: &str, bytes: &[u8]) -> Option<Result<serde_json::Value, DecodeError>> {
            match name {
                $(stringify!($t) => Some($t::decode(bytes).map(|v| {
                    serde_json::to_value(&v).expect("policy structures serialize to JSON")
                })),)*
                _ => None,
            }
        }

        /// Encodes the JSON model of the structure named `name` (`None`: no such structure).
        pub fn encode_json(name: &str, json: &serde_json::Value) -> Option<Result<Vec<u8>, String>> {
            match name {
                $(stringify!($t) => Some(
                    serde_json::from_value::<$t>(json.clone())
                        .map_err(|e| e.to_string())
                        .and_then(|v| v.encode().map_err(|e| e.to_string())),
                ),)*
                _ => None,
            }
        }
    };
}

policy_structs!(
    RoleData,
    Role,
    SingleSourceRoleChangeTargets,
    ClaimId,
    Claim,
    PreAuthRoleEntry,
    PreAuthData,
    BaseRoomPolicy,
    StatusNotificationPolicy,
    JoinLinkPolicy,
    JoinLink,
    JoinLinksData,
    JoinLinksUpdate,
    LinkPreviewPolicy,
    AssetPolicy,
    LoggingPolicy,
    HistoryPolicy,
    Bot,
    BotPolicy,
    MessageExpiration,
    ExtendedCapabilities,
    PendingProposalPolicy,
    MinDefaultMaxTime,
    AppMessagePolicy,
    OperationalParameters,
);

#[cfg(test)]
mod policy_test;
