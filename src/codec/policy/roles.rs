//! draft-ietf-mimi-room-policy-03 §3 (Role-Based Access Control): `RoleData`, the `data` of the
//! `roles_list` component and the `update` of a RoleUpdate; and §10.2, the MIMI Role
//! Capabilities registry as an open newtype.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tls_codec::{TlsDeserializeBytes, TlsSerializeBytes, TlsSize};

use crate::codec::tls::{self, Text, open_newtype_codec};

/// `uint16 CapabilityType` (§10.2). Open: a code the registry does not list still decodes and
/// travels as a number in JSON; registered codes travel as their names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CapabilityType(pub u16);

open_newtype_codec!(CapabilityType, u16);

macro_rules! capabilities {
    ($($name:ident = $value:literal, $text:literal;)*) => {
        impl CapabilityType {
            $(pub const $name: CapabilityType = CapabilityType($value);)*

            /// Every code of the §10.2 table, reserved ones included.
            pub const REGISTERED: &'static [CapabilityType] = &[$(CapabilityType::$name),*];

            /// The registry's name (`"canAddParticipant"`), or `None` for an unregistered code.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($text),)*
                    _ => None,
                }
            }

            /// The code of a registry name. `canUnban` (the spelling of §8.1.3 and Appendix A)
            /// is `canUnBan` (the registry's).
            pub fn from_name(name: &str) -> Option<CapabilityType> {
                match name {
                    $($text => Some(CapabilityType::$name),)*
                    "canUnban" => Some(CapabilityType::CAN_UN_BAN),
                    _ => None,
                }
            }
        }
    };
}

capabilities! {
    CAN_ADD_PARTICIPANT = 0x0000, "canAddParticipant";
    CAN_REMOVE_PARTICIPANT = 0x0001, "canRemoveParticipant";
    CAN_ADD_OWN_CLIENT = 0x0002, "canAddOwnClient";
    CAN_REMOVE_OWN_CLIENT = 0x0003, "canRemoveOwnClient";
    CAN_OPEN_JOIN = 0x0004, "canOpenJoin";
    CAN_JOIN_IF_PREAUTHORIZED = 0x0005, "canJoinIfPreauthorized";
    CAN_REMOVE_SELF = 0x0006, "canRemoveSelf";
    CAN_CREATE_JOIN_CODE = 0x0007, "canCreateJoinCode";
    CAN_DELETE_JOIN_CODE = 0x0008, "canDeleteJoinCode";
    CAN_USE_JOIN_CODE = 0x0009, "canUseJoinCode";
    CAN_BAN = 0x000a, "canBan";
    CAN_UN_BAN = 0x000b, "canUnBan";
    CAN_KICK = 0x000c, "canKick";
    CAN_KNOCK = 0x000d, "canKnock";
    CAN_ACCEPT_KNOCK = 0x000e, "canAcceptKnock";
    CAN_CHANGE_USER_ROLE = 0x000f, "canChangeUserRole";
    CAN_CHANGE_OWN_ROLE = 0x0010, "canChangeOwnRole";
    CAN_CREATE_SUBGROUP = 0x0011, "canCreateSubgroup";
    CAN_SEND_MESSAGE = 0x0100, "canSendMessage";
    CAN_RECEIVE_MESSAGE = 0x0101, "canReceiveMessage";
    CAN_COPY_MESSAGE = 0x0102, "canCopyMessage";
    CAN_REPORT_ABUSE = 0x0103, "canReportAbuse";
    CAN_REPLY_TO_MESSAGE = 0x0104, "canReplyToMessage";
    CAN_REACT_TO_MESSAGE = 0x0105, "canReactToMessage";
    CAN_EDIT_REACTION = 0x0106, "canEditReaction";
    CAN_DELETE_OWN_REACTION = 0x0107, "canDeleteOwnReaction";
    CAN_DELETE_OTHER_REACTION = 0x0108, "canDeleteOtherReaction";
    CAN_EDIT_OWN_MESSAGE = 0x0109, "canEditOwnMessage";
    CAN_DELETE_OWN_MESSAGE = 0x010a, "canDeleteOwnMessage";
    CAN_DELETE_OTHER_MESSAGE = 0x010b, "canDeleteOtherMessage";
    CAN_START_TOPIC = 0x010c, "canStartTopic";
    CAN_REPLY_IN_TOPIC = 0x010d, "canReplyInTopic";
    CAN_EDIT_OWN_TOPIC = 0x010e, "canEditOwnTopic";
    CAN_EDIT_OTHER_TOPIC = 0x010f, "canEditOtherTopic";
    CAN_SEND_DIRECT_MESSAGE = 0x0110, "canSendDirectMessage";
    CAN_TARGET_MESSAGE = 0x0111, "canTargetMessage";
    CAN_UPLOAD_IMAGE = 0x0200, "canUploadImage";
    CAN_UPLOAD_AUDIO = 0x0201, "canUploadAudio";
    CAN_UPLOAD_VIDEO = 0x0202, "canUploadVideo";
    CAN_UPLOAD_ATTACHMENT = 0x0203, "canUploadAttachment";
    CAN_DOWNLOAD_IMAGE = 0x0204, "canDownloadImage";
    CAN_DOWNLOAD_AUDIO = 0x0205, "canDownloadAudio";
    CAN_DOWNLOAD_VIDEO = 0x0206, "canDownloadVideo";
    CAN_DOWNLOAD_ATTACHMENT = 0x0207, "canDownloadAttachment";
    CAN_SEND_LINK = 0x0208, "canSendLink";
    CAN_SEND_LINK_PREVIEW = 0x0209, "canSendLinkPreview";
    CAN_FOLLOW_LINK = 0x020a, "canFollowLink";
    CAN_COPY_LINK = 0x020b, "canCopyLink";
    CAN_CHANGE_ROOM_NAME = 0x0300, "canChangeRoomName";
    CAN_CHANGE_ROOM_DESCRIPTION = 0x0301, "canChangeRoomDescription";
    CAN_CHANGE_ROOM_AVATAR = 0x0302, "canChangeRoomAvatar";
    CAN_CHANGE_ROOM_SUBJECT = 0x0303, "canChangeRoomSubject";
    CAN_CHANGE_ROOM_MOOD = 0x0304, "canChangeRoomMood";
    CAN_CHANGE_OWN_NAME = 0x0380, "canChangeOwnName";
    CAN_CHANGE_OWN_PRESENCE = 0x0381, "canChangeOwnPresence";
    CAN_CHANGE_OWN_MOOD = 0x0382, "canChangeOwnMood";
    CAN_CHANGE_OWN_AVATAR = 0x0383, "canChangeOwnAvatar";
    CAN_START_CALL = 0x0400, "canStartCall";
    CAN_JOIN_CALL = 0x0401, "canJoinCall";
    CAN_SEND_AUDIO = 0x0402, "canSendAudio";
    CAN_RECEIVE_AUDIO = 0x0403, "canReceiveAudio";
    CAN_SEND_VIDEO = 0x0404, "canSendVideo";
    CAN_RECEIVE_VIDEO = 0x0405, "canReceiveVideo";
    CAN_SHARE_SCREEN = 0x0406, "canShareScreen";
    CAN_VIEW_SHARED_SCREEN = 0x0407, "canViewSharedScreen";
    CAN_CREATE_ROOM = 0x0500, "canCreateRoom";
    CAN_DESTROY_ROOM = 0x0501, "canDestroyRoom";
    CAN_CHANGE_ROOM_MEMBERSHIP_STYLE = 0x0502, "canChangeRoomMembershipStyle";
    CAN_CHANGE_ROLE_DEFINITIONS = 0x0503, "canChangeRoleDefinitions";
    CAN_CHANGE_PREAUTHORIZED_USER_LIST = 0x0504, "canChangePreauthorizedUserList";
    CAN_CHANGE_OTHER_POLICY_ATTRIBUTE = 0x0505, "canChangeOtherPolicyAttribute";
    CAN_CHANGE_MLS_OPERATIONAL_POLICIES = 0x0600, "canChangeMlsOperationalPolicies";
    CAN_SEND_MLS_REINIT_PROPOSAL = 0x0601, "canSendMLSReinitProposal";
    CAN_SEND_MLS_UPDATE_PROPOSAL = 0x0602, "canSendMLSUpdateProposal";
    CAN_SEND_MLS_PSK_PROPOSAL = 0x0603, "canSendMLSPSKProposal";
    CAN_SEND_MLS_EXTERNAL_PROPOSAL = 0x0604, "canSendMLSExternalProposal";
    CAN_SEND_MLS_EXTERNAL_COMMIT = 0x0605, "canSendMLSExternalCommit";
}

impl CapabilityType {
    /// 0xF000–0xFFFF are for private use (§10.2).
    pub fn is_private_use(self) -> bool {
        self.0 >= 0xF000
    }
}

impl std::fmt::Display for CapabilityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{:#06x}", self.0),
        }
    }
}

impl Serialize for CapabilityType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.name() {
            Some(n) => s.serialize_str(n),
            None => s.serialize_u16(self.0),
        }
    }
}

impl<'de> Deserialize<'de> for CapabilityType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum In {
            Code(u16),
            Name(String),
        }
        match In::deserialize(d)? {
            In::Code(c) => Ok(CapabilityType(c)),
            In::Name(n) => CapabilityType::from_name(&n)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown capability name {n:?}"))),
        }
    }
}

/// `SingleSourceRoleChangeTargets`: the transitions a holder may make from one role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct SingleSourceRoleChangeTargets {
    pub from_role_index: u32,
    #[tls_codec(with = "tls::vector")]
    pub target_role_indexes: Vec<u32>,
}

/// `Role` (§3). `maximum_*` constraints are `optional uint32`: absent (JSON `null`) is
/// unlimited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct Role {
    pub role_index: u32,
    pub role_name: Text,
    pub role_description: Text,
    #[tls_codec(with = "tls::vector")]
    pub role_capabilities: Vec<CapabilityType>,
    pub minimum_participants_constraint: u32,
    #[tls_codec(with = "tls::optional")]
    pub maximum_participants_constraint: Option<u32>,
    pub minimum_active_participants_constraint: u32,
    #[tls_codec(with = "tls::optional")]
    pub maximum_active_participants_constraint: Option<u32>,
    #[tls_codec(with = "tls::vector")]
    pub authorized_role_changes: Vec<SingleSourceRoleChangeTargets>,
}

impl Role {
    pub fn has(&self, cap: CapabilityType) -> bool {
        self.role_capabilities.contains(&cap)
    }

    /// The targets of the `authorized_role_changes` entry whose `from_role_index` is `from`
    /// (the first such entry when the list has several).
    pub fn targets_from(&self, from: u32) -> Option<&[u32]> {
        self.authorized_role_changes
            .iter()
            .find(|e| e.from_role_index == from)
            .map(|e| e.target_role_indexes.as_slice())
    }

    /// Whether the role may move a user from `from` to `to`.
    pub fn may_change(&self, from: u32, to: u32) -> bool {
        self.targets_from(from).is_some_and(|t| t.contains(&to))
    }
}

/// `RoleData` (§3): `roles_list` and `RoleUpdate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TlsSize, TlsSerializeBytes, TlsDeserializeBytes)]
#[serde(deny_unknown_fields)]
pub struct RoleData {
    #[tls_codec(with = "tls::vector")]
    pub roles: Vec<Role>,
}

impl RoleData {
    /// The role with `role_index` `index` (indexes need not be contiguous).
    pub fn role(&self, index: u32) -> Option<&Role> {
        self.roles.iter().find(|r| r.role_index == index)
    }
}
