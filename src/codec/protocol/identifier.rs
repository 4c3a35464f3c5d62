//! draft-ietf-mimi-protocol-06 §5.8 Find internal address (`POST /identifierQuery/{domain}`):
//! QueryElement, IdentifierRequest, ProfileField, UserProfile, IdentifierResponse.
//!
//! QueryElement's select is written `select(type)` for the field `searchType` (read as that
//! field). `string fieldName` is read as `opaque<V>` holding UTF-8 (reading PROT-X07).

use serde::{Deserialize, Serialize};
use tls_codec::{DeserializeBytes, Error, TlsDeserializeBytes, TlsSerialize, TlsSize};

use super::common::{AppDataDictionary, IdentifierUri, arm_mismatch, size_by_serializing};
use crate::codec::tls::{Opaque, VecOf, open_enum};

open_enum! {
    /// §5.8 `SearchIdentifierType`; selects the arm of [`QueryElement`]. `reserved(0)` and
    /// unknown values fail decoding (what follows them is undefined).
    SearchIdentifierType(u8) {
        RESERVED = 0 => "reserved",
        HANDLE = 1 => "handle",
        NICK = 2 => "nick",
        EMAIL = 3 => "email",
        PHONE = 4 => "phone",
        PARTIAL_NAME = 5 => "partialName",
        WHOLE_PROFILE = 6 => "wholeProfile",
        OIDC_STD_CLAIM = 7 => "oidcStdClaim",
        VCARD_FIELD = 8 => "vcardField",
    }
}

/// §5.8 `QueryElement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryElement {
    pub search_type: SearchIdentifierType,
    #[serde(flatten)]
    pub arm: QueryArm,
    /// A UTF-8 string.
    pub search_value: Opaque,
}

/// The select arm of [`QueryElement`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum QueryArm {
    /// `oidcStdClaim`: the OIDC standard claim's name.
    Claim {
        #[serde(rename = "claimName")]
        claim_name: Opaque,
    },
    /// `vcardField`: the vCard property's name.
    Property {
        #[serde(rename = "propertyName")]
        property_name: Opaque,
    },
    /// handle, nick, email, phone, partialName, wholeProfile: nothing.
    None {},
}

impl tls_codec::Serialize for QueryElement {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        use SearchIdentifierType as T;
        let t = self.search_type;
        let n = t.tls_serialize(w)?;
        let arm = match (t, &self.arm) {
            (T::OIDC_STD_CLAIM, QueryArm::Claim { claim_name }) => claim_name.tls_serialize(w)?,
            (T::VCARD_FIELD, QueryArm::Property { property_name }) => property_name.tls_serialize(w)?,
            (t, QueryArm::None {}) if (1..=6).contains(&t.0) => 0,
            (t, _) => return Err(arm_mismatch("QueryElement", "searchType", t)),
        };
        Ok(n + arm + self.search_value.tls_serialize(w)?)
    }
}

impl DeserializeBytes for QueryElement {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        use SearchIdentifierType as T;
        let (search_type, r) = T::tls_deserialize_bytes(bytes)?;
        let (arm, r) = match search_type {
            T::OIDC_STD_CLAIM => {
                let (claim_name, r) = Opaque::tls_deserialize_bytes(r)?;
                (QueryArm::Claim { claim_name }, r)
            }
            T::VCARD_FIELD => {
                let (property_name, r) = Opaque::tls_deserialize_bytes(r)?;
                (QueryArm::Property { property_name }, r)
            }
            t if (1..=6).contains(&t.0) => (QueryArm::None {}, r),
            t => return Err(t.no_arm()),
        };
        let (search_value, r) = Opaque::tls_deserialize_bytes(r)?;
        let q = QueryElement {
            search_type,
            arm,
            search_value,
        };
        Ok((q, r))
    }
}

size_by_serializing!(QueryElement);

/// §5.8 `IdentifierRequest`: every query element must match (AND).
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct IdentifierRequest {
    pub query_elements: VecOf<QueryElement>,
    pub id_request_extensions: AppDataDictionary,
}

open_enum! {
    /// §5.8 `IdentifierQueryCode`. Open: an unknown value decodes.
    IdentifierQueryCode(u8) {
        SUCCESS = 0 => "success",
        NOT_FOUND = 1 => "notFound",
        AMBIGUOUS = 2 => "ambiguous",
        FORBIDDEN = 3 => "forbidden",
        UNSUPPORTED_FIELD = 4 => "unsupportedField",
    }
}

open_enum! {
    /// §5.8 `FieldSource`. Open: an unknown value decodes.
    FieldSource(u8) {
        RESERVED = 0 => "reserved",
        OIDC_STD_CLAIM = 7 => "oidcStdClaim",
        VCARD_FIELD = 8 => "vcardField",
    }
}

/// §5.8 `ProfileField`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileField {
    pub field_source: FieldSource,
    /// `string fieldName`: opaque<V> holding UTF-8.
    pub field_name: Opaque,
    pub field_value: Opaque,
}

/// §5.8 `UserProfile`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserProfile {
    pub stable_uri: IdentifierUri,
    pub fields: VecOf<ProfileField>,
}

/// §5.8 `IdentifierResponse`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentifierResponse {
    pub response_code: IdentifierQueryCode,
    pub uri: VecOf<IdentifierUri>,
    pub found_profiles: VecOf<UserProfile>,
    #[serde(rename = "id_response_extensions")]
    pub id_response_extensions: AppDataDictionary,
}
