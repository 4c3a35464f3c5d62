//! draft-ietf-mimi-protocol-06 §5.6 Claim group key information (`POST /groupInfo/{roomId}`):
//! GroupInfoRequestTBS, GroupInfoRequest, PendingProposal, GroupInfoRatchetTreeTBE,
//! GroupInfoResponseTBS, GroupInfoResponse.
//!
//! Readings (NOTES §9 item 6):
//!
//! * `joiningCode` is `optional opaque joiningCode<V>` in GroupInfoRequestTBS but a plain
//!   `opaque joiningCode<V>` in GroupInfoRequest, although the request is the TBS plus a
//!   signature. This codec reads both as `optional<opaque<V>>` (the prose calls the code
//!   optional; PROT-X06). [`JoiningCodeReading::Plain`] selects the other reading: a plain
//!   `opaque<V>` in both, empty when there is no code.
//! * GroupInfoResponse and its TBS name the first field `version` but select on `protocol`: the
//!   select is read as being on `version` (PROT-X06). The TBS is built only for a `success`
//!   response (its mls10 fields exist only then).

use serde::{Deserialize, Serialize};
use tls_codec::{DeserializeBytes, Error, Serialize as _, TlsDeserializeBytes, TlsSerialize, TlsSize};

use super::common::{
    CipherSuite, Credential, ExternalSender, GroupInfoBytes, HpkeCiphertext, HpkePublicKey, MlsMessageBytes, Protocol,
    SignaturePublicKey, size_by_serializing,
};
use super::ratchet_tree::RatchetTreeOption;
use super::{JoiningCodeReading, Reading};
use crate::codec::tls::{Opaque, VecOf, open_enum, read_optional, read_span};

/// §5.6 `GroupInfoRequestTBS`; the mls10 arm's fields sit here directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupInfoRequestTbs {
    pub protocol: Protocol,
    #[serde(rename = "cipher_suite")]
    pub cipher_suite: CipherSuite,
    pub requesting_signature_key: SignaturePublicKey,
    pub requesting_credential: Credential,
    pub group_info_public_key: HpkePublicKey,
    /// `null` when absent (under [`JoiningCodeReading::Plain`], always present, maybe empty).
    pub joining_code: Option<Opaque>,
}

/// §5.6 `GroupInfoRequest`: the TBS fields and
/// `signature = SignWithLabel(requestingSignatureKey, "GroupInfoRequestTBS", GroupInfoRequestTBS)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfoRequest {
    #[serde(flatten)]
    pub tbs: GroupInfoRequestTbs,
    pub signature: Opaque,
}

impl GroupInfoRequestTbs {
    pub fn read_with<'a>(bytes: &'a [u8], reading: &Reading) -> Result<(Self, &'a [u8]), Error> {
        let (protocol, r) = Protocol::tls_deserialize_bytes(bytes)?;
        protocol.require_mls10()?;
        let (cipher_suite, r) = CipherSuite::tls_deserialize_bytes(r)?;
        let (requesting_signature_key, r) = Opaque::tls_deserialize_bytes(r)?;
        let (requesting_credential, r) = Credential::tls_deserialize_bytes(r)?;
        let (group_info_public_key, r) = Opaque::tls_deserialize_bytes(r)?;
        let (joining_code, r) = match reading.joining_code {
            JoiningCodeReading::Optional => read_optional::<Opaque>(r)?,
            JoiningCodeReading::Plain => {
                let (c, r) = Opaque::tls_deserialize_bytes(r)?;
                (Some(c), r)
            }
        };
        let tbs = GroupInfoRequestTbs {
            protocol,
            cipher_suite,
            requesting_signature_key,
            requesting_credential,
            group_info_public_key,
            joining_code,
        };
        Ok((tbs, r))
    }

    pub fn write_with<W: std::io::Write>(&self, w: &mut W, reading: &Reading) -> Result<usize, Error> {
        self.protocol.require_mls10()?;
        let n = self.protocol.tls_serialize(w)?
            + self.cipher_suite.tls_serialize(w)?
            + self.requesting_signature_key.tls_serialize(w)?
            + self.requesting_credential.tls_serialize(w)?
            + self.group_info_public_key.tls_serialize(w)?;
        Ok(n + match (reading.joining_code, &self.joining_code) {
            (JoiningCodeReading::Optional, None) => 0u8.tls_serialize(w)?,
            (JoiningCodeReading::Optional, Some(c)) => 1u8.tls_serialize(w)? + c.tls_serialize(w)?,
            (JoiningCodeReading::Plain, None) => Opaque::default().tls_serialize(w)?,
            (JoiningCodeReading::Plain, Some(c)) => c.tls_serialize(w)?,
        })
    }
}

impl GroupInfoRequest {
    pub fn read_with<'a>(bytes: &'a [u8], reading: &Reading) -> Result<(Self, &'a [u8]), Error> {
        let (tbs, r) = GroupInfoRequestTbs::read_with(bytes, reading)?;
        let (signature, r) = Opaque::tls_deserialize_bytes(r)?;
        Ok((GroupInfoRequest { tbs, signature }, r))
    }

    pub fn write_with<W: std::io::Write>(&self, w: &mut W, reading: &Reading) -> Result<usize, Error> {
        Ok(self.tbs.write_with(w, reading)? + self.signature.tls_serialize(w)?)
    }
}

macro_rules! reading_default_impls {
    ($($t:ty),*) => {$(
        impl tls_codec::Serialize for $t {
            fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
                self.write_with(w, &Reading::default())
            }
        }
        impl DeserializeBytes for $t {
            fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
                Self::read_with(bytes, &Reading::default())
            }
        }
    )*};
}
reading_default_impls!(GroupInfoRequestTbs, GroupInfoRequest);

open_enum! {
    /// §5.6 `GroupInfoCode`. Open: the response's select has a `default` arm, so any value
    /// decodes.
    GroupInfoCode(u8) {
        RESERVED = 0 => "reserved",
        SUCCESS = 1 => "success",
        NOT_AUTHORIZED = 2 => "notAuthorized",
        NO_SUCH_ROOM = 3 => "noSuchRoom",
    }
}

/// §5.6 `PendingProposal`. Read under a [`Reading`] because the proposal may be a
/// SemiPrivateMessage.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, Serialize, Deserialize)]
pub struct PendingProposal {
    /// §5.6 `MLSMessage proposal` (a PublicMessage or SemiPrivateMessage proposal).
    pub proposal: MlsMessageBytes,
    pub hub_accepted_time: u64,
}

impl PendingProposal {
    pub fn read_with<'a>(bytes: &'a [u8], reading: &Reading) -> Result<(Self, &'a [u8]), Error> {
        let (proposal, r) = MlsMessageBytes::read_with(bytes, reading.semiprivate_wire_format)?;
        let (hub_accepted_time, r) = u64::tls_deserialize_bytes(r)?;
        let pp = PendingProposal {
            proposal,
            hub_accepted_time,
        };
        Ok((pp, r))
    }

    /// Encodes (the bytes do not depend on the reading).
    pub fn write_with<W: std::io::Write>(&self, w: &mut W, _: &Reading) -> Result<usize, Error> {
        tls_codec::Serialize::tls_serialize(self, w)
    }
}

/// §5.6 `GroupInfoRatchetTreeTBE`: the plaintext of `encrypted_groupinfo_and_tree`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, Serialize, Deserialize)]
pub struct GroupInfoRatchetTreeTbe {
    /// §5.6 `GroupInfo groupInfo` without its ratchet_tree extension: a bare RFC 9420 GroupInfo,
    /// not an MLSMessage.
    #[serde(rename = "groupInfo")]
    pub group_info: GroupInfoBytes,
    #[serde(rename = "ratchetTreeOption")]
    pub ratchet_tree_option: RatchetTreeOption,
    pub pending_proposals: VecOf<PendingProposal>,
}

impl GroupInfoRatchetTreeTbe {
    pub fn read_with<'a>(bytes: &'a [u8], reading: &Reading) -> Result<(Self, &'a [u8]), Error> {
        let (group_info, r) = GroupInfoBytes::tls_deserialize_bytes(bytes)?;
        let (ratchet_tree_option, r) = RatchetTreeOption::tls_deserialize_bytes(r)?;
        let (mut span, r) = read_span(r)?;
        let mut pending_proposals = Vec::new();
        while !span.is_empty() {
            let (pp, next) = PendingProposal::read_with(span, reading)?;
            pending_proposals.push(pp);
            span = next;
        }
        let tbe = GroupInfoRatchetTreeTbe {
            group_info,
            ratchet_tree_option,
            pending_proposals: VecOf(pending_proposals),
        };
        Ok((tbe, r))
    }

    /// Encodes (the bytes do not depend on the reading).
    pub fn write_with<W: std::io::Write>(&self, w: &mut W, _: &Reading) -> Result<usize, Error> {
        tls_codec::Serialize::tls_serialize(self, w)
    }
}

macro_rules! reading_default_decode {
    ($($t:ty),*) => {$(
        impl DeserializeBytes for $t {
            fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
                Self::read_with(bytes, &Reading::default())
            }
        }
    )*};
}
reading_default_decode!(PendingProposal, GroupInfoRatchetTreeTbe);

/// The mls10 fields of a successful GroupInfoResponse.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct GroupInfoSuccess {
    pub cipher_suite: CipherSuite,
    pub hub_sender: ExternalSender,
    pub encrypted_groupinfo_and_tree: HpkeCiphertext,
}

/// §5.6 `GroupInfoResponseTBS` (built for a `success` response).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfoResponseTbs {
    pub version: Protocol,
    pub room_id: Opaque,
    pub status: GroupInfoCode,
    #[serde(flatten)]
    pub mls10: GroupInfoSuccess,
}

impl tls_codec::Serialize for GroupInfoResponseTbs {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        self.version.require_mls10()?;
        Ok(self.version.tls_serialize(w)?
            + self.room_id.tls_serialize(w)?
            + self.status.tls_serialize(w)?
            + self.mls10.tls_serialize(w)?)
    }
}

impl DeserializeBytes for GroupInfoResponseTbs {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (version, r) = Protocol::tls_deserialize_bytes(bytes)?;
        let (room_id, r) = Opaque::tls_deserialize_bytes(r)?;
        let (status, r) = GroupInfoCode::tls_deserialize_bytes(r)?;
        version.require_mls10()?;
        let (mls10, r) = GroupInfoSuccess::tls_deserialize_bytes(r)?;
        let tbs = GroupInfoResponseTbs {
            version,
            room_id,
            status,
            mls10,
        };
        Ok((tbs, r))
    }
}

/// §5.6 `GroupInfoResponse`. On `success` (which needs `version` mls10) the mls10 fields and
/// `signature = SignWithLabel(hub_sender.signature_key, "GroupInfoResponseTBS", TBS)` follow;
/// on any other status (the `default` arm) nothing does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfoResponse {
    pub version: Protocol,
    pub room_id: Opaque,
    pub status: GroupInfoCode,
    #[serde(flatten)]
    pub success: Option<GroupInfoResponseSuccess>,
}

/// The `success` arm of [`GroupInfoResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfoResponseSuccess {
    #[serde(flatten)]
    pub mls10: GroupInfoSuccess,
    pub signature: Opaque,
}

impl GroupInfoResponse {
    /// The to-be-signed struct, for a `success` response.
    pub fn tbs(&self) -> Option<GroupInfoResponseTbs> {
        self.success.as_ref().map(|s| GroupInfoResponseTbs {
            version: self.version,
            room_id: self.room_id.clone(),
            status: self.status,
            mls10: s.mls10.clone(),
        })
    }
}

impl tls_codec::Serialize for GroupInfoResponse {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        let n = self.version.tls_serialize(w)? + self.room_id.tls_serialize(w)? + self.status.tls_serialize(w)?;
        Ok(n + match (self.status == GroupInfoCode::SUCCESS, &self.success) {
            (true, Some(s)) => {
                self.version.require_mls10()?;
                s.mls10.tls_serialize(w)? + s.signature.tls_serialize(w)?
            }
            (false, None) => 0,
            _ => return Err(super::common::arm_mismatch("GroupInfoResponse", "status", self.status)),
        })
    }
}

impl DeserializeBytes for GroupInfoResponse {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (version, r) = Protocol::tls_deserialize_bytes(bytes)?;
        let (room_id, r) = Opaque::tls_deserialize_bytes(r)?;
        let (status, r) = GroupInfoCode::tls_deserialize_bytes(r)?;
        let (success, r) = if status == GroupInfoCode::SUCCESS {
            version.require_mls10()?;
            let (mls10, r) = GroupInfoSuccess::tls_deserialize_bytes(r)?;
            let (signature, r) = Opaque::tls_deserialize_bytes(r)?;
            (Some(GroupInfoResponseSuccess { mls10, signature }), r)
        } else {
            (None, r)
        };
        let resp = GroupInfoResponse {
            version,
            room_id,
            status,
            success,
        };
        Ok((resp, r))
    }
}

size_by_serializing!(
    GroupInfoRequestTbs,
    GroupInfoRequest,
    GroupInfoResponseTbs,
    GroupInfoResponse
);
