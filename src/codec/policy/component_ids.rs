//! The MLS component ids of the policy components (draft-ietf-mimi-room-policy-03 §10.1, values
//! "TBDn (suggested value 0x00nn)"), and those of draft-ietf-mimi-protocol the policy refers to.
//! This is the one place they are written down.

use serde::{Deserialize, Serialize};

use crate::codec::tls::open_newtype_codec;

/// `uint16 ComponentID` (draft-ietf-mls-extensions). Open: any value decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ComponentId(pub u16);

open_newtype_codec!(ComponentId, u16);

impl ComponentId {
    /// draft-ietf-mimi-protocol: franking AAD.
    pub const FRANK_AAD: ComponentId = ComponentId(0x0020);
    /// draft-ietf-mimi-protocol: franking signature key.
    pub const FRANKING_SIGNATURE_KEY: ComponentId = ComponentId(0x0021);
    /// draft-ietf-mimi-protocol: the participant list.
    pub const PARTICIPANT_LIST: ComponentId = ComponentId(0x0022);
    /// draft-ietf-mimi-protocol: room metadata.
    pub const ROOM_METADATA: ComponentId = ComponentId(0x0023);
    /// §10.1.1, §7: `OperationalParameters`.
    pub const MLS_OPERATIONAL_POLICY: ComponentId = ComponentId(0x0024);
    /// §10.1.2, §3: `RoleData`.
    pub const ROLES_LIST: ComponentId = ComponentId(0x0025);
    /// §10.1.3, §4: `PreAuthData`.
    pub const PREAUTH_LIST: ComponentId = ComponentId(0x0026);
    /// §10.1.4, §5: `BaseRoomPolicy` (its IANA reference points at §4, a copy-and-paste slip).
    pub const BASE_ROOM_POLICY: ComponentId = ComponentId(0x0027);
    /// §10.1.5, §6.1: `StatusNotificationPolicy`.
    pub const STATUS_NOTIFICATION_POLICY: ComponentId = ComponentId(0x0028);
    /// §10.1.6, §6.2: `JoinLinkPolicy`.
    pub const JOIN_LINK_POLICY: ComponentId = ComponentId(0x0029);
    /// §10.1.7, §6.2: `JoinLinksData` / `JoinLinksUpdate`.
    pub const JOIN_LINKS: ComponentId = ComponentId(0x002A);
    /// §10.1.8, §6.3: `LinkPreviewPolicy`.
    pub const LINK_PREVIEW_POLICY: ComponentId = ComponentId(0x002B);
    /// §10.1.9, §6.4: `AssetPolicy`.
    pub const ASSET_POLICY: ComponentId = ComponentId(0x002C);
    /// §10.1.10, §6.5: `LoggingPolicy`.
    pub const LOGGING_POLICY: ComponentId = ComponentId(0x002D);
    /// §10.1.11, §6.6: `HistoryPolicy`.
    pub const CHAT_HISTORY_POLICY: ComponentId = ComponentId(0x002E);
    /// §10.1.12, §6.7: `BotPolicy`.
    pub const BOT_POLICY: ComponentId = ComponentId(0x002F);
    /// §10.1.13, §6.8: `MessageExpiration`.
    pub const MESSAGE_EXPIRATION_POLICY: ComponentId = ComponentId(0x0030);

    /// The component's name in §10.1 (or in draft-ietf-mimi-protocol).
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0x0020 => "frank_aad",
            0x0021 => "franking_signature_key",
            0x0022 => "participant_list",
            0x0023 => "room_metadata",
            0x0024 => "mls_operational_policy",
            0x0025 => "roles_list",
            0x0026 => "preauth_list",
            0x0027 => "base_room_policy",
            0x0028 => "status_notification_policy",
            0x0029 => "join_link_policy",
            0x002A => "join_links",
            0x002B => "link_preview_policy",
            0x002C => "asset_policy",
            0x002D => "logging_policy",
            0x002E => "chat_history_policy",
            0x002F => "bot_policy",
            0x0030 => "message_expiration_policy",
            _ => return None,
        })
    }
}

/// The component a policy struct is the value of, by the struct's name (§10.1), and
/// draft-ietf-mimi-protocol-06's `RoomMetaData` (§7.6, room_metadata): what a scenario's
/// `room.set_component` names.
pub fn component_of(struct_name: &str) -> Option<ComponentId> {
    Some(match struct_name {
        "RoomMetaData" => ComponentId::ROOM_METADATA,
        "OperationalParameters" => ComponentId::MLS_OPERATIONAL_POLICY,
        "RoleData" => ComponentId::ROLES_LIST,
        "PreAuthData" => ComponentId::PREAUTH_LIST,
        "BaseRoomPolicy" => ComponentId::BASE_ROOM_POLICY,
        "StatusNotificationPolicy" => ComponentId::STATUS_NOTIFICATION_POLICY,
        "JoinLinkPolicy" => ComponentId::JOIN_LINK_POLICY,
        "LinkPreviewPolicy" => ComponentId::LINK_PREVIEW_POLICY,
        "AssetPolicy" => ComponentId::ASSET_POLICY,
        "LoggingPolicy" => ComponentId::LOGGING_POLICY,
        "HistoryPolicy" => ComponentId::CHAT_HISTORY_POLICY,
        "BotPolicy" => ComponentId::BOT_POLICY,
        "MessageExpiration" => ComponentId::MESSAGE_EXPIRATION_POLICY,
        _ => return None,
    })
}
