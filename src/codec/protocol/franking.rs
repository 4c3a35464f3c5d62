//! draft-ietf-mimi-protocol-06 §5.4.1 Message Franking: FrankAAD (the `frank_aad` Safe AAD
//! component 0x0020), FrankingAgentData (the `franking_agent` GroupContext component, registered
//! in §10.2 as `franking_signature_key` 0x0021; reading PROT-X09), ServerFrankingContext and
//! FrankingIntegrityTBS (§5.4.1.2). [`super::submit::Frank`] is what the hub returns.

use serde::{Deserialize, Serialize};
use tls_codec::{TlsDeserializeBytes, TlsSerialize, TlsSize};

use super::common::{CipherSuite, Credential, IdentifierUri, SignaturePublicKey};
use crate::codec::tls::Bytes32;

/// §5.4.1 `FrankAAD`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct FrankAad {
    /// HMAC_SHA256(salt, application_data).
    pub franking_tag: Bytes32,
}

/// §5.4.1 `FrankingAgentData` (also the format of FrankingAgentUpdate).
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct FrankingAgentData {
    pub franking_signature_key: SignaturePublicKey,
    pub credential: Credential,
}

/// §5.4.1.2 `ServerFrankingContext`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct ServerFrankingContext {
    pub sender_uri: IdentifierUri,
    pub room_uri: IdentifierUri,
    pub accepted_timestamp: u64,
}

/// §5.4.1.2 `FrankingIntegrityTBS` (`opaque server_frank[32]` here, `uint8 server_frank[32]` in
/// Frank: the same 32 octets).
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct FrankingIntegrityTbs {
    pub server_frank: Bytes32,
    pub franking_signature_ciphersuite: CipherSuite,
    pub context: ServerFrankingContext,
}
