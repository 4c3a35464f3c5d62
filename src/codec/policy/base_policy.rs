//! draft-ietf-mimi-room-policy-03 §5 (Base Room policy component): `BaseRoomPolicy`, the
//! `data` of `base_room_policy` and the `update` of a BaseRoomUpdate.

use serde::{Deserialize, Serialize};
use tls_codec::{TlsDeserializeBytes, TlsSerializeBytes, TlsSize};

use super::component_ids::ComponentId;
use crate::codec::tls::{self, Text};

/// `struct { opaque uri<V>; } Uri`; JSON: the URI as a string.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes,
)]
#[serde(transparent)]
pub struct Uri {
    pub uri: Text,
}

impl From<&str> for Uri {
    fn from(s: &str) -> Self {
        Uri { uri: s.into() }
    }
}

/// `BaseRoomPolicy` (§5), field for field as Appendix B writes it:
///
/// - `parent_dependant` keeps Appendix B's spelling on the wire model (the prose says
///   `parent_dependent`; JSON accepts both);
/// - `Uri parent_room<V>` is a vector of `Uri`: empty ("zero-length") unless the room is
///   parent-dependent, then the parent's room ID;
/// - `Component policy_component_ids<V>` is read as `ComponentID policy_component_ids<V>`
///   (uint16, draft-ietf-mls-extensions), there being no type `Component`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct BaseRoomPolicy {
    #[tls_codec(with = "tls::boolean")]
    pub fixed_membership: bool,
    #[tls_codec(with = "tls::boolean")]
    #[serde(alias = "parent_dependent")]
    pub parent_dependant: bool,
    #[tls_codec(with = "tls::vector")]
    pub parent_room: Vec<Uri>,
    #[tls_codec(with = "tls::boolean")]
    pub multi_device: bool,
    #[tls_codec(with = "tls::optional")]
    pub max_clients: Option<u32>,
    #[tls_codec(with = "tls::optional")]
    pub max_users: Option<u32>,
    #[tls_codec(with = "tls::boolean")]
    pub pseudonyms_allowed: bool,
    #[tls_codec(with = "tls::boolean")]
    pub persistent_room: bool,
    #[tls_codec(with = "tls::boolean")]
    pub discoverable: bool,
    #[tls_codec(with = "tls::vector")]
    pub policy_component_ids: Vec<ComponentId>,
}

impl Default for BaseRoomPolicy {
    /// No constraint: not fixed, not parent-dependent, `multi_device` true (§5: "the default"),
    /// no client or user limit.
    fn default() -> Self {
        BaseRoomPolicy {
            fixed_membership: false,
            parent_dependant: false,
            parent_room: Vec::new(),
            multi_device: true,
            max_clients: None,
            max_users: None,
            pseudonyms_allowed: false,
            persistent_room: false,
            discoverable: false,
            policy_component_ids: vec![ComponentId::ROLES_LIST, ComponentId::PREAUTH_LIST],
        }
    }
}
