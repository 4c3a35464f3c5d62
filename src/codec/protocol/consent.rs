//! draft-ietf-mimi-protocol-06 §5.7 Convey explicit consent (`POST /requestConsent/{targetDomain}`,
//! `POST /updateConsent/{requesterDomain}`) and §8: ConsentEntry, ConsentScope.
//!
//! `optional<RoomId> roomId` uses a type -06 never defines; it is read as an IdentifierUri
//! (`opaque uri<V>`, the same bytes as an `opaque room_id<V>`; reading PROT-X07).

use serde::{Deserialize, Serialize};
use tls_codec::{DeserializeBytes, Error, TlsDeserializeBytes, TlsSerialize, TlsSize};

use super::common::{AppDataDictionary, IdentifierUri, KeyPackageBytes, arm_mismatch, size_by_serializing};
use crate::codec::tls::{Optional, VecOf, open_enum};

open_enum! {
    /// §5.7 `ConsentOperation`; selects the arm of [`ConsentEntry`].
    ConsentOperation(u8) {
        CANCEL = 0 => "cancel",
        REQUEST = 1 => "request",
        GRANT = 2 => "grant",
        REVOKE = 3 => "revoke",
    }
}

/// §5.7 `ConsentEntry`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentEntry {
    pub consent_operation: ConsentOperation,
    pub requester_uri: IdentifierUri,
    pub target_uri: IdentifierUri,
    pub room_id: Optional<IdentifierUri>,
    #[serde(flatten)]
    pub arm: ConsentArm,
    #[serde(rename = "consent_extensions")]
    pub consent_extensions: AppDataDictionary,
}

/// The `select (consentOperation)` arm of [`ConsentEntry`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ConsentArm {
    /// `grant`: §5.7 `KeyPackage clientKeyPackages<V>`, bare RFC 9420 KeyPackages (not
    /// MLSMessages) of the target's clients, maybe none.
    Grant {
        #[serde(rename = "clientKeyPackages")]
        client_key_packages: VecOf<KeyPackageBytes>,
    },
    /// `cancel`, `request`, `revoke`: nothing.
    None {},
}

impl tls_codec::Serialize for ConsentEntry {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        let op = self.consent_operation;
        let n = op.tls_serialize(w)?
            + self.requester_uri.tls_serialize(w)?
            + self.target_uri.tls_serialize(w)?
            + self.room_id.tls_serialize(w)?;
        let arm = match (op, &self.arm) {
            (ConsentOperation::GRANT, ConsentArm::Grant { client_key_packages }) => {
                client_key_packages.tls_serialize(w)?
            }
            (o, ConsentArm::None {}) if o.is_known() && o != ConsentOperation::GRANT => 0,
            (o, _) => return Err(arm_mismatch("ConsentEntry", "consentOperation", o)),
        };
        Ok(n + arm + self.consent_extensions.tls_serialize(w)?)
    }
}

impl DeserializeBytes for ConsentEntry {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (consent_operation, r) = ConsentOperation::tls_deserialize_bytes(bytes)?;
        let (requester_uri, r) = IdentifierUri::tls_deserialize_bytes(r)?;
        let (target_uri, r) = IdentifierUri::tls_deserialize_bytes(r)?;
        let (room_id, r) = Optional::tls_deserialize_bytes(r)?;
        let (arm, r) = match consent_operation {
            ConsentOperation::GRANT => {
                let (client_key_packages, r) = VecOf::tls_deserialize_bytes(r)?;
                (ConsentArm::Grant { client_key_packages }, r)
            }
            o if o.is_known() => (ConsentArm::None {}, r),
            o => return Err(o.no_arm()),
        };
        let (consent_extensions, r) = AppDataDictionary::tls_deserialize_bytes(r)?;
        let entry = ConsentEntry {
            consent_operation,
            requester_uri,
            target_uri,
            room_id,
            arm,
            consent_extensions,
        };
        Ok((entry, r))
    }
}

size_by_serializing!(ConsentEntry);

/// §5.7 `ConsentScope`: what a `cancel` must repeat of its `request`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentScope {
    pub requester_uri: IdentifierUri,
    pub target_uri: IdentifierUri,
    pub room_id: Optional<IdentifierUri>,
}

impl ConsentEntry {
    /// The scope of this entry.
    pub fn scope(&self) -> ConsentScope {
        ConsentScope {
            requester_uri: self.requester_uri.clone(),
            target_uri: self.target_uri.clone(),
            room_id: self.room_id.clone(),
        }
    }
}
