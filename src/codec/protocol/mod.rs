//! draft-ietf-mimi-protocol-06 (§5 endpoints and framing, §6 minimal metadata rooms, §7 room
//! state components) and draft-mahy-mls-ratchet-tree-options: every struct of the TLS
//! presentation language (RFC 8446 §3, with RFC 9420 §2.1.2 `<V>` vectors), one file per
//! message family, built on tls_codec.
//!
//! ```text
//!   bytes ──decode::<T>()──► T (typed, unchecked: an `…In` in the validator's terms) ──serde──► JSON
//!     ▲                                                                                         │
//!     └──────────────────────────────encode::<T>() ◄── T ◄──────────────serde───────────────────┘
//! ```
//!
//! The presentation-language pieces (`<V>` vectors, `optional<T>`, open enums) and the one
//! [`DecodeError`] are [`crate::codec::tls`]'s.
//!
//! * A top-level decode reads the whole buffer: trailing bytes fail naming the type
//!   ([`Rule::TrailingBytes`]).
//! * Code points are open enums. One whose value selects the layout of what follows (a `select`
//!   discriminator) fails decoding when the draft gives it no arm ([`Rule::BadEnumValue`]); any
//!   other (status codes, cipher suites) decodes whatever its value, and the validator reports
//!   it.
//! * A declared vector length is checked against the bytes left before anything is allocated.
//! * MLS objects (MLSMessage, KeyPackage, Welcome, GroupInfo) are embedded whole, as -06 writes
//!   them: no length prefix, framed by letting openmls parse them, raw bytes kept; a malformed one
//!   fails with [`Rule::MalformedMlsObject`]. See [`mls_object`].
//! * Where -06 contradicts itself, the codec reads it one way, says so at the struct, and takes a
//!   [`Reading`] for the other way where the bytes differ.
//!
//! [`decode_named`] and [`encode_named`] reach every struct by its draft name, with JSON on the
//! other side (opaque bytes in lowercase hex, enums by their draft names).

pub mod abuse;
pub mod common;
pub mod consent;
pub mod fanout;
pub mod franking;
pub mod group_info;
pub mod identifier;
pub mod key_material;
pub mod mls_object;
pub mod mls_peek;
pub mod participant_list;
pub mod pseudonymous;
pub mod ratchet_tree;
pub mod room_metadata;
pub mod submit;
pub mod update;

pub use crate::codec::tls::{Bytes32, Opaque, Optional, VecOf};
pub use abuse::{AbuseReport, AbuseType, AbusiveMessage};
pub use common::{
    AppDataDictionary, Capabilities, CipherSuite, Credential, ExternalSender, HpkeCiphertext, IdentifierUri, Protocol,
    RequiredCapabilities,
};
pub use consent::{ConsentEntry, ConsentOperation, ConsentScope};
pub use fanout::FanoutMessage;
pub use franking::{FrankAad, FrankingAgentData, FrankingIntegrityTbs, ServerFrankingContext};
pub use group_info::{
    GroupInfoCode, GroupInfoRatchetTreeTbe, GroupInfoRequest, GroupInfoRequestTbs, GroupInfoResponse,
    GroupInfoResponseTbs, PendingProposal,
};
pub use identifier::{IdentifierQueryCode, IdentifierRequest, IdentifierResponse, QueryElement, SearchIdentifierType};
pub use key_material::{
    ClientKeyMaterial, KeyMaterialClientCode, KeyMaterialRequest, KeyMaterialRequestTbs, KeyMaterialResponse,
    KeyMaterialUserCode,
};
pub use mls_object::{GroupInfoBytes, KeyPackageBytes, MlsMessageBytes, WelcomeBytes};
pub use participant_list::{ParticipantListData, ParticipantListUpdate, UserRolePair, UserindexRolePair};
pub use pseudonymous::{IdentityLinkTbe, PseudonymousCredential, PseudonymousCredentialTbs};
pub use ratchet_tree::{DomainList, PartialGroupInfo, RatchetTreeOption, RatchetTreePresence};
pub use room_metadata::{RichDescription, RoomMetaData};
pub use submit::{Frank, SubmitMessageRequest, SubmitMessageResponse, SubmitResponseCode};
pub use update::{GroupInfoOption, HandshakeBundle, UpdateRequest, UpdateResponseCode, UpdateRoomResponse};

use serde::{Serialize as SerdeSerialize, de::DeserializeOwned};
use tls_codec::{DeserializeBytes, Serialize};

use crate::codec::tls::{DecodeError, EncodeError, Rule, decode_whole};

/// How to read the places where draft-ietf-mimi-protocol-06 contradicts itself and the bytes
/// differ between readings. `Reading::default()` is the suite's reading (catalog PROT-X..).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reading {
    /// §5.5 FanoutMessage: `select (protocol)` with no protocol field. `false` (default): no
    /// field on the wire. `true`: a `Protocol protocol` right after `timestamp` (PROT-X05).
    pub fanout_protocol_field: bool,
    /// §5.6 GroupInfoRequest(TBS) `joiningCode` (PROT-X06).
    pub joining_code: JoiningCodeReading,
    /// The wire format code point of a SemiPrivateMessage (TBD1 in
    /// draft-mahy-mls-semiprivatemessage; `None`: not recognised). openmls cannot parse one, so
    /// it is framed by the draft's layout ([`mls_object`]) and its content type read as a
    /// PrivateMessage's is. An RFC 9420 code point named here keeps its RFC 9420 meaning.
    pub semiprivate_wire_format: Option<u16>,
}

impl Reading {
    /// Every byte-changing alternative switched on (joiningCode plain, FanoutMessage protocol).
    pub fn alternative() -> Self {
        Reading {
            fanout_protocol_field: true,
            joining_code: JoiningCodeReading::Plain,
            semiprivate_wire_format: None,
        }
    }
}

/// The two readings of §5.6 `joiningCode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JoiningCodeReading {
    /// `optional<opaque joiningCode<V>>` in both GroupInfoRequestTBS and GroupInfoRequest.
    #[default]
    Optional,
    /// `opaque joiningCode<V>` in both, empty when there is no code.
    Plain,
}

/// A protocol struct that can be decoded and encoded whole, under a [`Reading`].
pub trait Message: Sized + SerdeSerialize + DeserializeOwned {
    /// The draft's name of the struct.
    const NAME: &'static str;
    fn read_with<'a>(bytes: &'a [u8], reading: &Reading) -> Result<(Self, &'a [u8]), tls_codec::Error>;
    fn write_with(&self, out: &mut Vec<u8>, reading: &Reading) -> Result<usize, tls_codec::Error>;
}

macro_rules! messages {
    (plain: $($pname:literal => $pt:ty),* ; reading: $($rname:literal => $rt:ty),* $(;)?) => {
        $(
            impl Message for $pt {
                const NAME: &'static str = $pname;
                fn read_with<'a>(bytes: &'a [u8], _: &Reading) -> Result<(Self, &'a [u8]), tls_codec::Error> {
                    <$pt as DeserializeBytes>::tls_deserialize_bytes(bytes)
                }
                fn write_with(&self, out: &mut Vec<u8>, _: &Reading) -> Result<usize, tls_codec::Error> {
                    Serialize::tls_serialize(self, out)
                }
            }
        )*
        $(
            impl Message for $rt {
                const NAME: &'static str = $rname;
                fn read_with<'a>(bytes: &'a [u8], reading: &Reading) -> Result<(Self, &'a [u8]), tls_codec::Error> {
                    <$rt>::read_with(bytes, reading)
                }
                fn write_with(&self, out: &mut Vec<u8>, reading: &Reading) -> Result<usize, tls_codec::Error> {
                    <$rt>::write_with(self, out, reading)
                }
            }
        )*

        /// The draft names of every struct [`decode_named`] knows.
        pub const NAMES: &[&str] = &[$($pname,)* $($rname,)*];

        /// Decodes `bytes` as the struct named `name` (its draft name) under `reading`, as JSON.
        pub fn decode_named_with(
            name: &str,
            bytes: &[u8],
            reading: &Reading,
        ) -> Result<serde_json::Value, DecodeError> {
            match name {
                $($pname => to_json(decode_with::<$pt>(bytes, reading)?),)*
                $($rname => to_json(decode_with::<$rt>(bytes, reading)?),)*
                _ => Err(DecodeError { ty: "struct", rule: Rule::UnknownStruct { name: name.to_owned() } }),
            }
        }

        /// Encodes the JSON of the struct named `name` under `reading`.
        pub fn encode_named_with(
            name: &str,
            value: &serde_json::Value,
            reading: &Reading,
        ) -> Result<Vec<u8>, EncodeError> {
            match name {
                $($pname => encode_with(&from_json::<$pt>(value)?, reading),)*
                $($rname => encode_with(&from_json::<$rt>(value)?, reading),)*
                _ => Err(EncodeError::UnknownStruct { name: name.to_owned() }),
            }
        }
    };
}

messages! {
    plain:
    "KeyMaterialRequest" => KeyMaterialRequest,
    "KeyMaterialRequestTBS" => KeyMaterialRequestTbs,
    "ClientKeyMaterial" => ClientKeyMaterial,
    "KeyMaterialResponse" => KeyMaterialResponse,
    "GroupInfoOption" => GroupInfoOption,
    "UpdateRoomResponse" => UpdateRoomResponse,
    "SubmitMessageRequest" => SubmitMessageRequest,
    "SubmitMessageResponse" => SubmitMessageResponse,
    "Frank" => Frank,
    "GroupInfoResponseTBS" => GroupInfoResponseTbs,
    "GroupInfoResponse" => GroupInfoResponse,
    "ConsentEntry" => ConsentEntry,
    "ConsentScope" => ConsentScope,
    "QueryElement" => QueryElement,
    "IdentifierRequest" => IdentifierRequest,
    "ProfileField" => identifier::ProfileField,
    "UserProfile" => identifier::UserProfile,
    "IdentifierResponse" => IdentifierResponse,
    "AbusiveMessage" => AbusiveMessage,
    "AbuseReport" => AbuseReport,
    "UserRolePair" => UserRolePair,
    "ParticipantListData" => ParticipantListData,
    "UserindexRolePair" => UserindexRolePair,
    "ParticipantListUpdate" => ParticipantListUpdate,
    "RichDescription" => RichDescription,
    "RoomMetaData" => RoomMetaData,
    "FrankAAD" => FrankAad,
    "FrankingAgentData" => FrankingAgentData,
    "ServerFrankingContext" => ServerFrankingContext,
    "FrankingIntegrityTBS" => FrankingIntegrityTbs,
    "PseudonymousCredential" => PseudonymousCredential,
    "PseudonymousCredentialTBS" => PseudonymousCredentialTbs,
    "IdentityLinkTBE" => IdentityLinkTbe,
    "RatchetTreeOption" => RatchetTreeOption,
    "PartialGroupInfo" => PartialGroupInfo,
    "DomainList" => DomainList,
    "IdentifierUri" => IdentifierUri,
    "Capabilities" => Capabilities,
    "RequiredCapabilities" => RequiredCapabilities,
    "Credential" => Credential,
    "ExternalSender" => ExternalSender,
    "HPKECiphertext" => HpkeCiphertext,
    "AppDataDictionary" => AppDataDictionary;
    reading:
    "HandshakeBundle" => HandshakeBundle,
    "UpdateRequest" => UpdateRequest,
    "FanoutMessage" => FanoutMessage,
    "GroupInfoRequestTBS" => GroupInfoRequestTbs,
    "GroupInfoRequest" => GroupInfoRequest,
    "PendingProposal" => PendingProposal,
    "GroupInfoRatchetTreeTBE" => GroupInfoRatchetTreeTbe;
}

/// Decodes the whole of `bytes` as `T` under the default reading.
pub fn decode<T: Message>(bytes: &[u8]) -> Result<T, DecodeError> {
    decode_with(bytes, &Reading::default())
}

/// Decodes the whole of `bytes` as `T`: trailing bytes are an error naming `T`.
pub fn decode_with<T: Message>(bytes: &[u8], reading: &Reading) -> Result<T, DecodeError> {
    decode_whole(T::NAME, bytes, |b| T::read_with(b, reading))
}

/// Encodes `value` under the default reading.
pub fn encode<T: Message>(value: &T) -> Result<Vec<u8>, EncodeError> {
    encode_with(value, &Reading::default())
}

/// Encodes `value` under `reading`.
pub fn encode_with<T: Message>(value: &T, reading: &Reading) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    value
        .write_with(&mut out, reading)
        .map_err(|e| EncodeError::from_tls(T::NAME, e))?;
    Ok(out)
}

/// Decodes `bytes` as the struct named `name` under the default reading, as JSON.
pub fn decode_named(name: &str, bytes: &[u8]) -> Result<serde_json::Value, DecodeError> {
    decode_named_with(name, bytes, &Reading::default())
}

/// Encodes the JSON of the struct named `name` under the default reading.
pub fn encode_named(name: &str, value: &serde_json::Value) -> Result<Vec<u8>, EncodeError> {
    encode_named_with(name, value, &Reading::default())
}

fn to_json<T: SerdeSerialize>(v: T) -> Result<serde_json::Value, DecodeError> {
    // Every struct here serializes to JSON (string keys, no non-finite floats).
    Ok(serde_json::to_value(v).expect("protocol structs serialize to JSON"))
}

fn from_json<T: Message>(value: &serde_json::Value) -> Result<T, EncodeError> {
    serde_json::from_value(value.clone()).map_err(|e| EncodeError::Json {
        ty: T::NAME,
        detail: e.to_string(),
    })
}

#[cfg(test)]
mod protocol_test;
