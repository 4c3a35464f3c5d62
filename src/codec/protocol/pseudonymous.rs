//! draft-ietf-mimi-protocol-06 §6.1 Credential encryption (minimal metadata rooms):
//! PseudonymousCredential, PseudonymousCredentialTBS, IdentityLinkTBE.
//!
//! `opaque signature_public_key;` lacks its `<V>` in -06 (literally one octet, which cannot hold
//! a key); it is read as `opaque signature_public_key<V>` (reading PROT-X13). No credential type
//! number is assigned, so the codec reads the struct itself, not a Credential holding it.

use serde::{Deserialize, Serialize};
use tls_codec::{TlsDeserializeBytes, TlsSerialize, TlsSize};

use super::common::{Credential, IdentifierUri};
use crate::codec::tls::Opaque;

/// §6.1 `PseudonymousCredential`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct PseudonymousCredential {
    pub client_pseudonym: IdentifierUri,
    pub user_pseudonym: IdentifierUri,
    pub signature_public_key: Opaque,
    pub identity_link_ciphertext: Opaque,
}

/// §6.1 `PseudonymousCredentialTBS`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct PseudonymousCredentialTbs {
    pub client_pseudonym: IdentifierUri,
    pub user_pseudonym: IdentifierUri,
    pub signature_public_key: Opaque,
}

/// §6.1 `IdentityLinkTBE`: the plaintext of `identity_link_ciphertext`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct IdentityLinkTbe {
    /// SignWithLabel(., "PseudonymousCredentialTBS", PseudonymousCredentialTBS).
    pub pseudonymous_credential_signature: Opaque,
    pub client_credential: Credential,
}
