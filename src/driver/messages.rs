//! Typed params and results of the driver operations. The harness sends these and parses
//! what an IUT answers into them: an answer that does not parse is the IUT's failure.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::codec::content::{MessageStatusReport, MimiContent};
use crate::codec::hexbytes;

/// `capabilities` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    /// Protocol version, "1".
    pub driver: String,
    pub name: String,
    pub version: String,
    pub ops: Vec<String>,
    /// Draft name → revision the implementation follows.
    #[serde(default)]
    pub drafts: BTreeMap<String, String>,
    /// Who plays the implementation's users in protocol scenarios: its own clients
    /// (`full-client`, the default) or the harness's (`server-only`).
    #[serde(default)]
    pub mode: Mode,
}

/// How an implementation plays a role of a protocol scenario (docs/driver.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// The implementation has clients of its own: its users act through `room.*` and `message.*`.
    #[default]
    FullClient,
    /// The implementation is a provider only: the harness's MLS clients play its users and reach
    /// it through `user.provision`, `client.publish`, `room.host`, `client.submit` and
    /// `client.inbox`, as they would through its own client API.
    ServerOnly,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::FullClient => "full-client",
            Mode::ServerOnly => "server-only",
        }
    }
}

/// Params of `content.decode` and `status.decode`. Params ignore unknown fields, so that
/// later versions can add optional ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CborParams {
    #[serde(with = "hexbytes")]
    pub cbor: Vec<u8>,
}

/// `content.decode` result: `{accepted: true, content}` or
/// `{accepted: false, reason, rule?, section?}` (a rejection is a result, not an error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodeResult {
    pub accepted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<MimiContent>,
    #[serde(flatten)]
    pub rejection: Rejection,
}

/// `status.decode` result, shaped as [`DecodeResult`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusDecodeResult {
    pub accepted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<MessageStatusReport>,
    #[serde(flatten)]
    pub rejection: Rejection,
}

/// Why an implementation rejected its input (empty when it accepted).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The rule slug, when the implementation knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let named: Vec<String> = [
            self.rule.as_ref().map(|r| format!("rule {r}")),
            self.section.as_ref().map(|s| format!("section {s}")),
        ]
        .into_iter()
        .flatten()
        .collect();
        match (named.is_empty(), &self.reason) {
            (true, None) => f.write_str("no reason given"),
            (true, Some(r)) => write!(f, "{r:?}"),
            (false, None) => f.write_str(&named.join(", ")),
            (false, Some(r)) => write!(f, "{}: {r:?}", named.join(", ")),
        }
    }
}

/// `content.encode` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodeParams {
    pub content: MimiContent,
}

/// `content.encode` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncodeResult {
    #[serde(with = "hexbytes")]
    pub cbor: Vec<u8>,
}

/// `content.messageId` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageIdParams {
    pub sender: String,
    pub room: String,
    #[serde(with = "hexbytes")]
    pub cbor: Vec<u8>,
}

/// `content.messageId` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageIdResult {
    #[serde(with = "hexbytes")]
    pub message_id: Vec<u8>,
}

/// `wire.decode` params: a protocol struct by its draft name (e.g. `KeyMaterialRequest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireDecodeParams {
    #[serde(rename = "struct")]
    pub structure: String,
    #[serde(with = "hexbytes")]
    pub hex: Vec<u8>,
    /// `"alternative"` for the other reading of -06's inconsistencies; default the suite's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

/// `wire.decode` result: `{accepted: true, value}` or `{accepted: false, reason, rule?}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireDecodeResult {
    pub accepted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    #[serde(flatten)]
    pub rejection: Rejection,
}

/// `wire.encode` params.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireEncodeParams {
    #[serde(rename = "struct")]
    pub structure: String,
    pub value: serde_json::Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

/// `wire.encode` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireEncodeResult {
    #[serde(with = "hexbytes")]
    pub hex: Vec<u8>,
}

// The stateful operations (docs/driver.md, "Playing a role of a protocol scenario"). Users and
// rooms are named by their URIs: `mimi://<domain>/u/<name>`, `mimi://<hub's domain>/r/<name>`.

/// `configure` params: the implementation's provider domain for one scenario, the certificate
/// and key for it (issued by the run's test CA, for TLS server and client use alike), the CA to
/// trust, and where each other provider of the scenario listens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigureParams {
    pub domain: String,
    /// Where the harness will connect (`host:port` of `--iut-url`); an implementation that
    /// listens at an address of its own may ignore it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen: Option<String>,
    pub ca_pem: String,
    pub cert_pem: String,
    pub key_pem: String,
    pub peers: Vec<PeerAddress>,
}

/// A provider of the scenario: its domain, and the `host:port` its HTTPS endpoints are at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerAddress {
    pub domain: String,
    pub address: String,
}

/// `user.create` params: a user of the implementation's domain with this many clients.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCreateParams {
    pub user: String,
    pub clients: usize,
}

/// `user.create` result: the user URI and its clients' URIs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserCreateResult {
    pub user: String,
    pub clients: Vec<String>,
}

/// `room.create` params: `user` creates room `room` (an id on the implementation's domain, which
/// is the room's hub) with MLS ciphersuite `ciphersuite` (RFC 9420 §17.1 number).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomCreateParams {
    pub user: String,
    pub room: String,
    pub ciphersuite: u16,
    /// The creator's role index (draft-ietf-mimi-room-policy-03); the implementation's choice
    /// without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<u32>,
    /// The room's policy components, as `policy.decide`'s `room_policy`; none without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub room_policy: Option<RoomPolicyParams>,
}

/// The policy a room starts with: its roles list (RoleData) and BaseRoomPolicy, as the policy
/// codec's JSON (the same as in `policy.decide`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoomPolicyParams {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_policy: Option<serde_json::Value>,
}

/// Params of `room.add`, `room.remove`, `room.change_role`, `room.ban`, `room.unban` and
/// `room.kick`: `user` acts on user `target`; `role` is the target's role index (`room.add`:
/// optional, the implementation's choice without it; `room.change_role`, `room.unban`:
/// required).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomTargetParams {
    pub user: String,
    pub room: String,
    pub target: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<u32>,
    /// `room.add`: how many of the target's clients to add (its first ones, in the order of its
    /// client URIs); all without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clients: Option<usize>,
}

/// `room.join` params: `user` joins `room` by external commit (§5.6 GroupInfo, then §5.3) with a
/// client not yet in it; with `role` it also lists itself (an open join), without it it is
/// listed already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomJoinParams {
    pub user: String,
    pub room: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<u32>,
}

/// Params of `room.leave`, `room.commit`, `room.state`, `message.list`, `room.add_own_client`
/// and `room.remove_own_client`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomParams {
    pub user: String,
    pub room: String,
}

/// `message.send` params: `user` sends to `room` either `text` (a text/plain MIMI content) or an
/// asset of `media_type` (an ExternalPart; a client the room's asset policy forbids it answers
/// `{accepted: false}` and sends nothing, room-policy-03 §6.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageSendParams {
    pub user: String,
    pub room: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// `configure` result. A server-only hub gives the `ExternalSender` (§7.4, TLS-encoded) that the
/// harness's clients put into `external_senders` of the rooms they create on it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigureResult {
    #[serde(default, skip_serializing_if = "Option::is_none", with = "hexbytes::option")]
    pub external_sender: Option<Vec<u8>>,
}

/// `consent.grant` params: the implementation's `user` grants `requester` (a user of another
/// provider) consent to fetch its key material and add it to rooms (§5.7, §8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentGrantParams {
    pub user: String,
    pub requester: String,
}

/// `user.provision` params: a user of the implementation's domain and its clients' URIs, for
/// which the harness holds every key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserProvisionParams {
    pub user: String,
    pub clients: Vec<String>,
}

/// `client.publish` params: KeyPackages (RFC 9420 `KeyPackage`, not MLSMessages) of one client,
/// which the implementation hands out from §5.2 keyMaterial, each once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientPublishParams {
    pub client: String,
    #[serde(with = "hexbytes::list")]
    pub key_packages: Vec<Vec<u8>>,
}

/// `room.host` params: the implementation becomes the hub of `room`, which `client` (one of its
/// own) created; `group_info` is the room's GroupInfo as an MLSMessage, the ratchet tree in its
/// `ratchet_tree` extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoomHostParams {
    pub client: String,
    pub room: String,
    #[serde(with = "hexbytes")]
    pub group_info: Vec<u8>,
}

/// The MIMI endpoint a client's request is for (§5.2 to §5.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ClientEndpoint {
    KeyMaterial,
    Update,
    SubmitMessage,
    GroupInfo,
}

impl ClientEndpoint {
    /// The endpoint's name in the directory and in paths.
    pub fn name(self) -> &'static str {
        match self {
            ClientEndpoint::KeyMaterial => "keyMaterial",
            ClientEndpoint::Update => "update",
            ClientEndpoint::SubmitMessage => "submitMessage",
            ClientEndpoint::GroupInfo => "groupInfo",
        }
    }
}

/// `client.submit` params: `client`, one of the implementation's, sends the body of a MIMI
/// request (`KeyMaterialRequest`, `UpdateRequest`, `SubmitMessageRequest`, `GroupInfoRequest`)
/// through its provider, as through the implementation's own client API: the implementation
/// answers it (as the room's hub, or holding `target`'s key material) or forwards it to the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSubmitParams {
    pub client: String,
    pub endpoint: ClientEndpoint,
    pub room: String,
    /// `keyMaterial`: the user whose key material is asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(with = "hexbytes")]
    pub body: Vec<u8>,
}

/// `client.submit` result: the HTTP status and the response body (the -06 response struct on
/// 200) that the client gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSubmitResult {
    pub status: u16,
    #[serde(with = "hexbytes")]
    pub body: Vec<u8>,
}

/// `client.inbox` params.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientParams {
    pub client: String,
}

/// `client.inbox` result: what the implementation would deliver to the client since the last
/// call (each message once), in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInboxResult {
    pub messages: Vec<InboxMessage>,
}

/// One delivery: a FanoutMessage (§5.5, TLS-encoded) for `room`, as the hub fanned it out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxMessage {
    pub room: String,
    #[serde(with = "hexbytes")]
    pub message: Vec<u8>,
}
