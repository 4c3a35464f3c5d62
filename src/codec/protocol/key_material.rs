//! draft-ietf-mimi-protocol-06 §5.2 Fetch Key Material (`POST /keyMaterial/{targetUser}`):
//! KeyMaterialRequest, KeyMaterialRequestTBS, ClientKeyMaterial, KeyMaterialResponse and the
//! user and client status codes.
//!
//! "For MLS, the request includes a non-empty list of acceptable MLS ciphersuites." The codec
//! accepts an empty list (the bytes are well formed); the rule belongs to the validator.

use serde::{Deserialize, Serialize};
use tls_codec::{DeserializeBytes, Error};

use super::common::{
    Capabilities, CipherSuite, Credential, IdentifierUri, KeyPackageBytes, Protocol, RequiredCapabilities,
    SignaturePublicKey, arm_mismatch, size_by_serializing,
};
use crate::codec::tls::{Opaque, Optional, VecOf, open_enum, read_span};

/// §5.2 `KeyMaterialRequest`. The `select (protocol)` has only the mls10 arm, whose fields sit
/// here directly: decoding any other protocol fails naming `Protocol` and the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyMaterialRequest {
    pub protocol: Protocol,
    pub requesting_user: IdentifierUri,
    pub target_user: IdentifierUri,
    pub room_id: IdentifierUri,
    pub acceptable_ciphersuites: VecOf<CipherSuite>,
    pub required_capabilities: RequiredCapabilities,
    pub requester_signature_key: SignaturePublicKey,
    pub requester_credential: Credential,
    /// `SignWithLabel(requesterSignatureKey, "KeyMaterialRequestTBS", KeyMaterialRequestTBS)`.
    #[serde(rename = "key_material_request_signature")]
    pub key_material_request_signature: Opaque,
}

/// §5.2 `KeyMaterialRequestTBS`: the request without its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyMaterialRequestTbs {
    pub protocol: Protocol,
    pub requesting_user: IdentifierUri,
    pub target_user: IdentifierUri,
    pub room_id: IdentifierUri,
    pub acceptable_ciphersuites: VecOf<CipherSuite>,
    pub required_capabilities: RequiredCapabilities,
    pub requester_signature_key: SignaturePublicKey,
    pub requester_credential: Credential,
}

impl KeyMaterialRequest {
    /// The to-be-signed struct of this request.
    pub fn tbs(&self) -> KeyMaterialRequestTbs {
        KeyMaterialRequestTbs {
            protocol: self.protocol,
            requesting_user: self.requesting_user.clone(),
            target_user: self.target_user.clone(),
            room_id: self.room_id.clone(),
            acceptable_ciphersuites: self.acceptable_ciphersuites.clone(),
            required_capabilities: self.required_capabilities.clone(),
            requester_signature_key: self.requester_signature_key.clone(),
            requester_credential: self.requester_credential.clone(),
        }
    }
}

impl tls_codec::Serialize for KeyMaterialRequestTbs {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        self.protocol.require_mls10()?;
        Ok(self.protocol.tls_serialize(w)?
            + self.requesting_user.tls_serialize(w)?
            + self.target_user.tls_serialize(w)?
            + self.room_id.tls_serialize(w)?
            + self.acceptable_ciphersuites.tls_serialize(w)?
            + self.required_capabilities.tls_serialize(w)?
            + self.requester_signature_key.tls_serialize(w)?
            + self.requester_credential.tls_serialize(w)?)
    }
}

impl DeserializeBytes for KeyMaterialRequestTbs {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (protocol, r) = Protocol::tls_deserialize_bytes(bytes)?;
        let (requesting_user, r) = IdentifierUri::tls_deserialize_bytes(r)?;
        let (target_user, r) = IdentifierUri::tls_deserialize_bytes(r)?;
        let (room_id, r) = IdentifierUri::tls_deserialize_bytes(r)?;
        protocol.require_mls10()?;
        let (acceptable_ciphersuites, r) = VecOf::tls_deserialize_bytes(r)?;
        let (required_capabilities, r) = RequiredCapabilities::tls_deserialize_bytes(r)?;
        let (requester_signature_key, r) = Opaque::tls_deserialize_bytes(r)?;
        let (requester_credential, r) = Credential::tls_deserialize_bytes(r)?;
        let tbs = KeyMaterialRequestTbs {
            protocol,
            requesting_user,
            target_user,
            room_id,
            acceptable_ciphersuites,
            required_capabilities,
            requester_signature_key,
            requester_credential,
        };
        Ok((tbs, r))
    }
}

impl tls_codec::Serialize for KeyMaterialRequest {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        Ok(self.tbs().tls_serialize(w)? + self.key_material_request_signature.tls_serialize(w)?)
    }
}

impl DeserializeBytes for KeyMaterialRequest {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (t, r) = KeyMaterialRequestTbs::tls_deserialize_bytes(bytes)?;
        let (key_material_request_signature, r) = Opaque::tls_deserialize_bytes(r)?;
        let req = KeyMaterialRequest {
            protocol: t.protocol,
            requesting_user: t.requesting_user,
            target_user: t.target_user,
            room_id: t.room_id,
            acceptable_ciphersuites: t.acceptable_ciphersuites,
            required_capabilities: t.required_capabilities,
            requester_signature_key: t.requester_signature_key,
            requester_credential: t.requester_credential,
            key_material_request_signature,
        };
        Ok((req, r))
    }
}

open_enum! {
    /// §5.2 `KeyMaterialUserCode`. Open: an unknown value decodes (the validator reports it).
    /// -06 separates the first values with `;` instead of `,` (no effect on the bytes).
    KeyMaterialUserCode(u8) {
        SUCCESS = 0 => "success",
        PARTIAL_SUCCESS = 1 => "partialSuccess",
        INCOMPATIBLE_PROTOCOL = 2 => "incompatibleProtocol",
        NO_COMPATIBLE_MATERIAL = 3 => "noCompatibleMaterial",
        USER_UNKNOWN = 4 => "userUnknown",
        NO_CONSENT = 5 => "noConsent",
        NO_CONSENT_FOR_THIS_ROOM = 6 => "noConsentForThisRoom",
        USER_DELETED = 7 => "userDeleted",
    }
}

open_enum! {
    /// §5.2 `KeyMaterialClientCode`. It selects the arm of [`ClientKeyMaterial`]: an unknown
    /// value leaves the rest of the struct undelimited, so decoding fails naming it.
    KeyMaterialClientCode(u8) {
        SUCCESS = 0 => "success",
        KEY_MATERIAL_EXHAUSTED = 1 => "keyMaterialExhausted",
        NOTHING_COMPATIBLE = 2 => "nothingCompatible",
    }
}

/// §5.2 `ClientKeyMaterial`. Its `select (protocol)` refers to the enclosing
/// KeyMaterialResponse; decoded alone (or inside one) it is read as mls10.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientKeyMaterial {
    pub client_status: KeyMaterialClientCode,
    pub client_uri: IdentifierUri,
    #[serde(flatten)]
    pub material: ClientMaterial,
}

/// The `select (clientStatus)` arm of [`ClientKeyMaterial`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ClientMaterial {
    /// `success`: §5.2 `KeyPackage keyPackage`, a bare RFC 9420 KeyPackage (not an MLSMessage).
    KeyPackage {
        #[serde(rename = "keyPackage")]
        key_package: KeyPackageBytes,
    },
    /// `nothingCompatible`: `optional<Capabilities>`.
    Capabilities {
        #[serde(rename = "clientCapabilities")]
        client_capabilities: Optional<Capabilities>,
    },
    /// `keyMaterialExhausted`: nothing.
    None {},
}

impl tls_codec::Serialize for ClientKeyMaterial {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        let n = self.client_status.tls_serialize(w)? + self.client_uri.tls_serialize(w)?;
        Ok(n + match (self.client_status, &self.material) {
            (KeyMaterialClientCode::SUCCESS, ClientMaterial::KeyPackage { key_package }) => {
                key_package.tls_serialize(w)?
            }
            (KeyMaterialClientCode::NOTHING_COMPATIBLE, ClientMaterial::Capabilities { client_capabilities }) => {
                client_capabilities.tls_serialize(w)?
            }
            (KeyMaterialClientCode::KEY_MATERIAL_EXHAUSTED, ClientMaterial::None {}) => 0,
            (s, _) => return Err(arm_mismatch("ClientKeyMaterial", "clientStatus", s)),
        })
    }
}

impl DeserializeBytes for ClientKeyMaterial {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (client_status, r) = KeyMaterialClientCode::tls_deserialize_bytes(bytes)?;
        let (client_uri, r) = IdentifierUri::tls_deserialize_bytes(r)?;
        let (material, r) = match client_status {
            KeyMaterialClientCode::SUCCESS => {
                let (key_package, r) = KeyPackageBytes::tls_deserialize_bytes(r)?;
                (ClientMaterial::KeyPackage { key_package }, r)
            }
            KeyMaterialClientCode::NOTHING_COMPATIBLE => {
                let (client_capabilities, r) = Optional::tls_deserialize_bytes(r)?;
                (ClientMaterial::Capabilities { client_capabilities }, r)
            }
            KeyMaterialClientCode::KEY_MATERIAL_EXHAUSTED => (ClientMaterial::None {}, r),
            s => return Err(s.no_arm()),
        };
        let ckm = ClientKeyMaterial {
            client_status,
            client_uri,
            material,
        };
        Ok((ckm, r))
    }
}

/// §5.2 `KeyMaterialResponse`. A non-empty `clients` list needs protocol mls10 (the arms of
/// ClientKeyMaterial are defined for it alone); an empty one decodes under any protocol, so an
/// `incompatibleProtocol` answer that echoes an unknown protocol still decodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyMaterialResponse {
    pub protocol: Protocol,
    pub user_status: KeyMaterialUserCode,
    pub user_uri: IdentifierUri,
    pub clients: VecOf<ClientKeyMaterial>,
}

impl tls_codec::Serialize for KeyMaterialResponse {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        if !self.clients.is_empty() {
            self.protocol.require_mls10()?;
        }
        Ok(self.protocol.tls_serialize(w)?
            + self.user_status.tls_serialize(w)?
            + self.user_uri.tls_serialize(w)?
            + self.clients.tls_serialize(w)?)
    }
}

impl DeserializeBytes for KeyMaterialResponse {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (protocol, r) = Protocol::tls_deserialize_bytes(bytes)?;
        let (user_status, r) = KeyMaterialUserCode::tls_deserialize_bytes(r)?;
        let (user_uri, r) = IdentifierUri::tls_deserialize_bytes(r)?;
        let (span, _) = read_span(r)?;
        if !span.is_empty() {
            protocol.require_mls10()?;
        }
        let (clients, r) = VecOf::tls_deserialize_bytes(r)?;
        let resp = KeyMaterialResponse {
            protocol,
            user_status,
            user_uri,
            clients,
        };
        Ok((resp, r))
    }
}

size_by_serializing!(
    KeyMaterialRequest,
    KeyMaterialRequestTbs,
    ClientKeyMaterial,
    KeyMaterialResponse
);
