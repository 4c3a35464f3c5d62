//! draft-ietf-mimi-room-policy-03 §4 (Preauthorized Users): `PreAuthData`, the `data` of the
//! `preauth_list` component and the `update` of a PreAuthUpdate.

use serde::{Deserialize, Serialize};
use tls_codec::{TlsDeserializeBytes, TlsSerializeBytes, TlsSize};

use super::roles::Role;
use crate::codec::hexbytes;
use crate::codec::tls;

/// `ClaimId`: which claim of an MLS credential. `credential_type` is RFC 9420's
/// `CredentialType` (uint16); `id` is an X.509 OID's bytes, a JWT claim name or a CWT key, so it
/// travels as hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct ClaimId {
    pub credential_type: u16,
    #[tls_codec(with = "tls::opaque")]
    #[serde(with = "hexbytes")]
    pub id: Vec<u8>,
}

/// `Claim`: a claim and the value it must have exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    pub claim_id: ClaimId,
    #[tls_codec(with = "tls::opaque")]
    #[serde(with = "hexbytes")]
    pub claim_value: Vec<u8>,
}

/// `PreAuthRoleEntry`: when every claim of `claimset` is satisfied, the requester may take
/// `target_role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct PreAuthRoleEntry {
    #[tls_codec(with = "tls::vector")]
    pub claimset: Vec<Claim>,
    pub target_role: Role,
}

impl PreAuthRoleEntry {
    /// §4: "A PreAuthRoleEntry matches for a requester when every Claim.claim_id has a
    /// corresponding claim in the requester's MLS Credential which exactly matches the
    /// corresponding claim_value." An empty claimset matches every requester.
    pub fn matches(&self, credential_claims: &[Claim]) -> bool {
        self.claimset.iter().all(|c| credential_claims.contains(c))
    }
}

/// `PreAuthData` (§4): `preauth_list` and `PreAuthUpdate`.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes,
)]
#[serde(deny_unknown_fields)]
pub struct PreAuthData {
    #[tls_codec(with = "tls::vector")]
    pub preauthorized_entries: Vec<PreAuthRoleEntry>,
}

impl PreAuthData {
    /// §4: "the requesting client receives the first role which matches its claims".
    pub fn first_match(&self, credential_claims: &[Claim]) -> Option<&PreAuthRoleEntry> {
        self.preauthorized_entries.iter().find(|e| e.matches(credential_claims))
    }
}
