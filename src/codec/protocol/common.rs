//! Types shared by several message families: the `Protocol` of draft-ietf-mimi-protocol-06 §5,
//! `IdentifierUri` (§5.2), and the small RFC 9420 / draft-ietf-mls-extensions structs that the
//! MIMI structs embed and that this codec reads exactly (CipherSuite, Credential, Capabilities,
//! RequiredCapabilities, ExternalSender, HPKECiphertext, Extension, AppDataDictionary).
//!
//! The large MLS objects (MLSMessage, KeyPackage, Welcome, GroupInfo) are embedded whole, without
//! a length prefix, and framed by parsing them: see [`super::mls_object`].

use serde::{Deserialize, Serialize};
use tls_codec::{DeserializeBytes, Error, TlsDeserializeBytes, TlsSerialize, TlsSize};

use crate::codec::tls::{Opaque, VecOf, open_enum};

pub use super::mls_object::{GroupInfoBytes, KeyPackageBytes, MlsMessageBytes, WelcomeBytes};
/// RFC 9420 `opaque SignaturePublicKey<V>` (byte-exact).
pub type SignaturePublicKey = Opaque;
/// RFC 9420 `opaque HPKEPublicKey<V>` (byte-exact).
pub type HpkePublicKey = Opaque;
/// RFC 9420 §5.2 `ProposalRef` = `opaque HashReference<V>` (byte-exact).
pub type ProposalRef = Opaque;

/// Implements `Size` for a hand-written struct by serializing into a counter.
macro_rules! size_by_serializing {
    ($($t:ty),*) => {$(
        impl tls_codec::Size for $t {
            fn tls_serialized_len(&self) -> usize {
                let mut c = $crate::codec::protocol::common::Counter(0);
                tls_codec::Serialize::tls_serialize(self, &mut c).map_or(0, |_| c.0)
            }
        }
    )*};
}
pub(crate) use size_by_serializing;

/// A writer that only counts.
pub(crate) struct Counter(pub usize);

impl std::io::Write for Counter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The error an encoder returns when a select arm does not belong to its discriminant.
pub(crate) fn arm_mismatch(ty: &str, field: &str, value: impl std::fmt::Display) -> Error {
    Error::EncodingError(format!("{ty}: the fields given do not belong to {field} {value}"))
}

open_enum! {
    /// draft-ietf-mimi-protocol-06 §5 `Protocol`.
    Protocol(u8) {
        RESERVED = 0 => "reserved",
        MLS10 = 1 => "mls10",
    }
}

impl Protocol {
    /// Fails unless the protocol is mls10: the `select (protocol)` arms define only mls10.
    pub(crate) fn require_mls10(self) -> Result<(), Error> {
        if self == Protocol::MLS10 {
            Ok(())
        } else {
            Err(self.no_arm())
        }
    }
}

/// §5.2 `struct { opaque uri<V>; } IdentifierUri;` JSON: the URI's bytes in hex.
///
/// -06 also writes `IdentifierURI` (§5.4 `sendingUri`) and uses an undefined `RoomId`
/// (§5.7 `optional<RoomId> roomId`); this codec reads both as this type (readings PROT-X04 and
/// PROT-X07).
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct IdentifierUri {
    pub uri: Opaque,
}

impl IdentifierUri {
    pub fn new(uri: &str) -> Self {
        IdentifierUri {
            uri: Opaque(uri.as_bytes().to_vec()),
        }
    }
}

open_enum! {
    /// RFC 9420 §17.1 `CipherSuite` (uint16).
    CipherSuite(u16) {
        MLS_128_DHKEMX25519_AES128GCM_SHA256_ED25519 = 1 => "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519",
        MLS_128_DHKEMP256_AES128GCM_SHA256_P256 = 2 => "MLS_128_DHKEMP256_AES128GCM_SHA256_P256",
        MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_ED25519 = 3 => "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519",
        MLS_256_DHKEMX448_AES256GCM_SHA512_ED448 = 4 => "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448",
        MLS_256_DHKEMP521_AES256GCM_SHA512_P521 = 5 => "MLS_256_DHKEMP521_AES256GCM_SHA512_P521",
        MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_ED448 = 6 => "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448",
        MLS_256_DHKEMP384_AES256GCM_SHA384_P384 = 7 => "MLS_256_DHKEMP384_AES256GCM_SHA384_P384",
    }
}

open_enum! {
    /// RFC 9420 §6 `ProtocolVersion` (uint16).
    ProtocolVersion(u16) {
        MLS10 = 1 => "mls10",
    }
}

open_enum! {
    /// RFC 9420 §17.3 `ExtensionType` (uint16).
    ExtensionType(u16) {
        APPLICATION_ID = 1 => "application_id",
        RATCHET_TREE = 2 => "ratchet_tree",
        REQUIRED_CAPABILITIES = 3 => "required_capabilities",
        EXTERNAL_PUB = 4 => "external_pub",
        EXTERNAL_SENDERS = 5 => "external_senders",
    }
}

open_enum! {
    /// RFC 9420 §17.4 `ProposalType` (uint16).
    ProposalType(u16) {
        ADD = 1 => "add",
        UPDATE = 2 => "update",
        REMOVE = 3 => "remove",
        PSK = 4 => "psk",
        REINIT = 5 => "reinit",
        EXTERNAL_INIT = 6 => "external_init",
        GROUP_CONTEXT_EXTENSIONS = 7 => "group_context_extensions",
    }
}

open_enum! {
    /// RFC 9420 §17.5 `CredentialType` (uint16).
    CredentialType(u16) {
        BASIC = 1 => "basic",
        X509 = 2 => "x509",
    }
}

/// RFC 9420 §12.1.1 `Extension`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct Extension {
    pub extension_type: ExtensionType,
    pub extension_data: Opaque,
}

/// RFC 9420 §7.2 `Capabilities`.
#[derive(Debug, Clone, Default, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct Capabilities {
    pub versions: VecOf<ProtocolVersion>,
    pub cipher_suites: VecOf<CipherSuite>,
    pub extensions: VecOf<ExtensionType>,
    pub proposals: VecOf<ProposalType>,
    pub credentials: VecOf<CredentialType>,
}

/// RFC 9420 §11.1 `RequiredCapabilities`.
#[derive(Debug, Clone, Default, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct RequiredCapabilities {
    pub extension_types: VecOf<ExtensionType>,
    pub proposal_types: VecOf<ProposalType>,
    pub credential_types: VecOf<CredentialType>,
}

/// RFC 9420 §5.3 `Certificate`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct Certificate {
    pub cert_data: Opaque,
}

/// RFC 9420 §5.3 `Credential`: `basic` and `x509` arms. Another credential type has no arm in
/// RFC 9420, so its bytes cannot be delimited and decoding fails naming the type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credential {
    pub credential_type: CredentialType,
    #[serde(flatten)]
    pub body: CredentialBody,
}

/// The select arm of [`Credential`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CredentialBody {
    Basic { identity: Opaque },
    X509 { certificates: VecOf<Certificate> },
}

impl Credential {
    pub fn basic(identity: &[u8]) -> Self {
        Credential {
            credential_type: CredentialType::BASIC,
            body: CredentialBody::Basic {
                identity: Opaque(identity.to_vec()),
            },
        }
    }
}

impl tls_codec::Serialize for Credential {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        let n = self.credential_type.tls_serialize(w)?;
        Ok(n + match (self.credential_type, &self.body) {
            (CredentialType::BASIC, CredentialBody::Basic { identity }) => identity.tls_serialize(w)?,
            (CredentialType::X509, CredentialBody::X509 { certificates }) => certificates.tls_serialize(w)?,
            (t, _) => return Err(arm_mismatch("Credential", "credential_type", t)),
        })
    }
}

impl DeserializeBytes for Credential {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (credential_type, r) = CredentialType::tls_deserialize_bytes(bytes)?;
        let (body, r) = match credential_type {
            CredentialType::BASIC => {
                let (identity, r) = Opaque::tls_deserialize_bytes(r)?;
                (CredentialBody::Basic { identity }, r)
            }
            CredentialType::X509 => {
                let (certificates, r) = VecOf::tls_deserialize_bytes(r)?;
                (CredentialBody::X509 { certificates }, r)
            }
            t => return Err(t.no_arm()),
        };
        Ok((Credential { credential_type, body }, r))
    }
}

size_by_serializing!(Credential);

/// RFC 9420 §12.1.8.1 `ExternalSender`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct ExternalSender {
    pub signature_key: SignaturePublicKey,
    pub credential: Credential,
}

/// RFC 9420 §5.1.3 `HPKECiphertext`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct HpkeCiphertext {
    pub kem_output: Opaque,
    pub ciphertext: Opaque,
}

/// draft-ietf-mls-extensions `ComponentData` (`uint16 ComponentID`).
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct ComponentData {
    pub component_id: u16,
    pub data: Opaque,
}

/// draft-ietf-mls-extensions `AppDataDictionary`, which -06 borrows as the extension point of
/// ConsentEntry, IdentifierRequest/Response and AbuseReport.
#[derive(Debug, Clone, Default, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct AppDataDictionary {
    pub component_data: VecOf<ComponentData>,
}
