//! draft-ietf-mimi-protocol-06 §7.5 Participant List: UserRolePair, ParticipantListData (the
//! `participant_list` component 0x0022), UserindexRolePair, ParticipantListUpdate (its
//! AppDataUpdate). -06 leaves out the `;` after `changedRoleParticipants<V>` (no effect on the
//! bytes).

use serde::{Deserialize, Serialize};
use tls_codec::{TlsDeserializeBytes, TlsSerialize, TlsSize};

use crate::codec::tls::{Opaque, VecOf};

/// §7.5 `UserRolePair`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct UserRolePair {
    /// The user's URI.
    pub user: Opaque,
    pub role_index: u32,
}

/// §7.5 `ParticipantListData`: ComponentData.data of the participant_list component.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct ParticipantListData {
    pub participants: VecOf<UserRolePair>,
}

/// §7.5 `UserindexRolePair`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct UserindexRolePair {
    pub user_index: u32,
    pub role_index: u32,
}

/// §7.5 `ParticipantListUpdate`: role changes, then removals, then additions.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantListUpdate {
    pub changed_role_participants: VecOf<UserindexRolePair>,
    pub removed_indices: VecOf<u32>,
    pub added_participants: VecOf<UserRolePair>,
}
