//! draft-ietf-mimi-room-policy-03: every structure of Appendix B ("Complete TLS Presentation
//! Language Syntax") as a `tls_codec` type, one file per family:
//!
//! | file | structures | draft |
//! |---|---|---|
//! | `roles.rs` | `CapabilityType` (§10.2), `SingleSourceRoleChangeTargets`, `Role`, `RoleData` | §3 |
//! | `preauth.rs` | `ClaimId`, `Claim`, `PreAuthRoleEntry`, `PreAuthData` | §4 |
//! | `base_policy.rs` | `Uri`, `ComponentId`, `BaseRoomPolicy` | §5 |
//! | `components.rs` | status notifications, join links, link preview, assets, logging, history, bots, message expiration | §6 |
//! | `mls_operational.rs` | `ExtendedCapabilities` … `OperationalParameters` | §7 |
//! | `component_ids.rs` | the component ids of §10.1 (suggested values 0x0024–0x0030) | §10.1 |
//!
//! The presentation-language pieces (`opaque<V>`, `T<V>`, `bool`, `optional<T>`, RFC 9420 §2.1)
//! and the one [`DecodeError`] are [`crate::codec::tls`]'s, shared with protocol-06.
//!
//! Decoding reads one whole buffer ([`decode`]): a value followed by anything is
//! [`crate::codec::tls::Rule::TrailingBytes`], and every failure is a [`DecodeError`] whose rule's slug is the one
//! vector files use. Vector lengths are the variable-size `<V>` lengths of RFC 9420 §2.1.2:
//! minimal encoding, at most 2^30-1, never longer than what is left of the input; a hostile
//! length fails before anything is allocated for it.
//!
//! Where -03 contradicts itself, the readings chosen here are recorded in the catalog
//! (`spec/draft-ietf-mimi-room-policy-03.yaml`, POL-S01) and next to each type.

mod base_policy;
mod component_ids;
mod components;
mod mls_operational;
mod preauth;
mod roles;

pub use crate::codec::tls::Text;
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

use tls_codec::{DeserializeBytes, SerializeBytes};

use crate::codec::tls::{DecodeError, EncodeError, decode_whole};

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
        self.tls_serialize_bytes()
            .map_err(|e| EncodeError::from_tls(Self::NAME, e))
    }
}

/// Decodes one whole `T` from `bytes`; `ty` names it in errors.
pub fn decode<T: DeserializeBytes>(ty: &'static str, bytes: &[u8]) -> Result<T, DecodeError> {
    decode_whole(ty, bytes, T::tls_deserialize_bytes)
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
        pub fn encode_struct(name: &str, json: &serde_json::Value) -> Option<Result<Vec<u8>, EncodeError>> {
            match name {
                $(stringify!($t) => Some(
                    serde_json::from_value::<$t>(json.clone())
                        .map_err(|e| EncodeError::Json { ty: $t::NAME, detail: e.to_string() })
                        .and_then(|v| v.encode()),
                ),)*
                _ => None,
            }
        }
    };
}

/// [`encode_struct`] with the error as text (what the reference provider's room set-up reports).
pub fn encode_json(name: &str, json: &serde_json::Value) -> Option<Result<Vec<u8>, String>> {
    encode_struct(name, json).map(|r| r.map_err(|e| e.to_string()))
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
