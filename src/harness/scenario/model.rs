//! The scenario model: what a scenario file says, field for field (unknown fields are errors).

use std::collections::BTreeMap;

use serde::Deserialize;

/// One scenario file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// `<draft>/<section>/<slug>`, never renumbered.
    pub id: String,
    /// What the scenario does, in one line.
    pub title: String,
    /// Catalog ids of the requirements it checks; the catalog gives section and level.
    pub requirements: Vec<String>,
    /// Role name → who plays it.
    pub roles: BTreeMap<String, Player>,
    /// Driver operations the implementation must offer; without them the result is `unsupported`.
    #[serde(default)]
    pub requires: Vec<String>,
    /// What the scenario judges of the implementation's own clients, if it judges them (e.g. a
    /// client refusing to send a forbidden media type): a server-only implementation has no
    /// clients of its own, so the scenario is `unsupported` for it, with this reason.
    #[serde(default)]
    pub client_behaviour: Option<String>,
    /// Role → the users its provider holds when the scenario starts.
    #[serde(default)]
    pub users: BTreeMap<String, Vec<UserSpec>>,
    /// The parameter matrix: one test per value.
    #[serde(default)]
    pub params: Params,
    pub steps: Vec<Step>,
}

/// The parameters a scenario runs under; each combination is a test of its own, its id the
/// scenario's with `@cs<N>` appended when there is more than one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// MLS ciphersuites (RFC 9420 §17.1 numbers) of the rooms created; 1 and 3 are offered.
    #[serde(default = "default_ciphersuites")]
    pub ciphersuite: Vec<u16>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            ciphersuite: default_ciphersuites(),
        }
    }
}

fn default_ciphersuites() -> Vec<u16> {
    vec![1]
}

/// A user a role's provider holds: `mimi://<domain>/u/<user>` with `clients` MLS clients.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// The user's name (the last segment of the user URI).
    pub user: String,
    /// How many clients (devices) the user has.
    pub clients: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Player {
    /// The implementation under test.
    Iut,
    /// A simulated provider of the harness.
    Sim,
}

/// One step: an action (a raw request, or a user acting) and what must follow.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// A name, for transcripts and failure messages.
    pub name: String,
    /// A simulated provider sends this request.
    #[serde(default)]
    pub request: Option<Request>,
    /// A user of some role acts (or observes).
    #[serde(default)]
    pub act: Option<Act>,
    /// Without it, an act must succeed (and be accepted, if the hub had a say).
    #[serde(default)]
    pub expect: Expect,
    /// Misbehaviour of simulated providers other than the actor's during this step: role → faults.
    #[serde(default)]
    pub peer_faults: BTreeMap<String, Vec<crate::provider::PeerFault>>,
    /// The scenario's requirements this step's expectations check (a failure here is charged
    /// to them alone); empty: all of them.
    #[serde(default)]
    pub checks: Vec<String>,
}

/// A user acts, as the driver's operations say (docs/driver.md).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Act {
    /// `<user>@<role>`, e.g. `alice@hub`.
    pub user: String,
    pub op: ActOp,
    /// The room's name; its id is `mimi://<hub's domain>/r/<name>`.
    pub room: String,
    /// `<user>@<role>`: whom `room.add` adds, `room.remove` removes, `room.kick` kicks...
    #[serde(default)]
    pub target: Option<String>,
    /// What `message.send` sends: a text...
    #[serde(default)]
    pub text: Option<String>,
    /// ...or an asset (an ExternalPart, draft-ietf-mimi-content-08 §4.5) of this media type.
    #[serde(default)]
    pub media_type: Option<String>,
    /// Misbehaviour of the acting (simulated) provider during this step.
    #[serde(default)]
    pub fault: Option<crate::provider::PeerFault>,
    /// The role index: of the creator (`room.create`), of the user added (`room.add`), the new
    /// one (`room.change_role`, `room.unban`).
    #[serde(default)]
    pub role: Option<u32>,
    /// `room.add`: how many of the target's clients are added (its first ones); all without it.
    /// The others can join later (`room.add_own_client`).
    #[serde(default)]
    pub clients: Option<usize>,
    /// `room.create`: the room's roles list, by the name of a role set of
    /// `vectors/policy/fixtures.json` (draft-ietf-mimi-room-policy-03 Appendix A).
    #[serde(default)]
    pub policy: Option<String>,
    /// `room.create`: the room's BaseRoomPolicy (§5), as the policy codec's JSON.
    #[serde(default)]
    pub base_policy: Option<serde_json::Value>,
    /// `room.set_component`: the policy struct's name (e.g. `LinkPreviewPolicy`), which says the
    /// component (room-policy-03 §10.1), or `RoomMetaData` (protocol-06 §7.6, room_metadata)...
    #[serde(default)]
    pub component: Option<String>,
    /// ...and its new value, as the policy codec's JSON (the protocol codec's for `RoomMetaData`).
    #[serde(default)]
    pub value: Option<serde_json::Value>,
}

/// The operations a user performs (the driver's names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ActOp {
    #[serde(rename = "room.create")]
    RoomCreate,
    #[serde(rename = "room.add")]
    RoomAdd,
    #[serde(rename = "room.remove")]
    RoomRemove,
    #[serde(rename = "room.join")]
    RoomJoin,
    #[serde(rename = "room.leave")]
    RoomLeave,
    #[serde(rename = "room.commit")]
    RoomCommit,
    /// Room policy §8.1: give the target another role.
    #[serde(rename = "room.change_role")]
    RoomChangeRole,
    /// Room policy §8.1.3: role 1 "banned", and the target's clients removed.
    #[serde(rename = "room.ban")]
    RoomBan,
    /// Room policy §8.1.3: from role 1 to `role`.
    #[serde(rename = "room.unban")]
    RoomUnban,
    /// Room policy §8.1.2 canKick: the target's clients removed, its participant-list entry kept.
    #[serde(rename = "room.kick")]
    RoomKick,
    /// Room policy §8.1.1 canAddOwnClient: the user's clients not yet in the room added (MLS
    /// Adds only).
    #[serde(rename = "room.add_own_client")]
    RoomAddOwnClient,
    /// Room policy §8.1.2 canRemoveOwnClient: the Remove of one of the user's other clients
    /// proposed (no participant-list change); another member commits it.
    #[serde(rename = "room.remove_own_client")]
    RoomRemoveOwnClient,
    /// Room policy §6: replace a policy component (`component`, `value`).
    #[serde(rename = "room.set_component")]
    RoomSetComponent,
    /// Room policy §6: remove a component (`component`).
    #[serde(rename = "room.remove_component")]
    RoomRemoveComponent,
    #[serde(rename = "message.send")]
    MessageSend,
    #[serde(rename = "message.list")]
    MessageList,
    #[serde(rename = "room.state")]
    RoomState,
    /// A simulated provider resends its last UpdateRequest for the room (a stale handshake).
    #[serde(rename = "update.replay")]
    UpdateReplay,
}

impl ActOp {
    /// Whether the op changes the room (its result then says whether the hub accepted it).
    pub fn changes_room(self) -> bool {
        !matches!(self, ActOp::MessageList | ActOp::RoomState)
    }
}

/// An HTTPS request between two roles, as a simulated provider logged it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireMatch {
    pub from: String,
    pub to: String,
    /// `notify`, `update`, `submitMessage`, `keyMaterial`.
    pub endpoint: String,
    #[serde(default)]
    pub status: Option<u16>,
    /// For `notify`: the kind of FanoutMessage the body carries.
    #[serde(default)]
    pub carries: Option<Carries>,
    /// The request body decodes (whole) as this protocol struct...
    #[serde(default)]
    pub body_struct: Option<String>,
    /// ...and its JSON holds this (a subset, as `response_json`).
    #[serde(default)]
    pub body_json: Option<serde_json::Value>,
    /// Exactly this many such requests (default: at least one; `no_wire` ignores it).
    #[serde(default)]
    pub count: Option<usize>,
    /// For `notify` carrying proposals: the message and moreProposals must be byte for byte the
    /// HandshakeBundle of the `update` this role sent in the same step (PROT-17).
    #[serde(default)]
    pub echoes_update_from: Option<String>,
}

/// What a FanoutMessage carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Carries {
    Welcome,
    Commit,
    Proposal,
    Application,
}

/// A simulated provider sends an HTTPS request to another role.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The sending role (a `sim`).
    pub from: String,
    /// The receiving role.
    pub to: String,
    pub method: Method,
    /// A literal path (the directory itself, or a path no directory gives)...
    #[serde(default)]
    pub path: Option<String>,
    /// ...or the endpoint of the receiver's §5.1 directory (`keyMaterial`, `update`, `notify`,
    /// `submitMessage`, `groupInfo`), whose URL the step builds from the directory...
    #[serde(default)]
    pub endpoint: Option<String>,
    /// ...for this URI (the user or room its placeholder names; `{role}` expanded).
    #[serde(default)]
    pub uri: Option<String>,
    /// Body bytes, hex.
    #[serde(default)]
    pub body: Option<String>,
    /// The body as a protocol struct to encode (instead of `body`).
    #[serde(default)]
    pub body_struct: Option<BodyStruct>,
    /// Drops this many bytes from the end of the body (hostile input: a truncated struct).
    #[serde(default)]
    pub truncate_body: Option<usize>,
    /// Which client certificate the sender presents (a fault knob).
    #[serde(default)]
    pub client_cert: ClientCert,
    /// The `From` header instead of `mimi@<sender's domain>` (a fault knob); `{role}` stands
    /// for that role's domain, e.g. `admin@{follower1}`.
    #[serde(default)]
    pub from_header: Option<String>,
    /// The `Host` header instead of the receiver's domain (sent over HTTP/1.1; a fault knob);
    /// `{role}` as above.
    #[serde(default)]
    pub host: Option<String>,
}

/// A protocol struct by its draft name and the codec's JSON of it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BodyStruct {
    /// The draft's name of the struct, e.g. `KeyMaterialRequest`.
    #[serde(rename = "struct")]
    pub name: String,
    /// Its JSON (`{role}` and `utf8:` expanded in strings).
    pub value: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Get,
    Post,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientCert {
    /// The sender's own certificate from the run's CA.
    #[default]
    Own,
    /// No client certificate.
    None,
    /// A certificate for the sender's domain from a CA nobody trusts.
    OtherCa,
}

/// What must follow a request. Every field given must hold.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// One status, or any of a list.
    #[serde(default)]
    pub status: Option<OneOrMany>,
    /// The request is not accepted: any status outside 2xx. What a draft requires where it gives
    /// no error status; the exact status, when the suite reads one, goes in a step of its own.
    #[serde(default)]
    pub refused: bool,
    /// `rejected`: the TLS handshake (or the connection) must fail.
    #[serde(default)]
    pub tls: Option<TlsOutcome>,
    /// The response body is a JSON object with these members.
    #[serde(default)]
    pub json_keys: Vec<String>,
    /// The response body decodes (whole) as this protocol struct.
    #[serde(default)]
    pub response_struct: Option<String>,
    /// The decoded response matches this JSON (a subset; see the module documentation).
    #[serde(default)]
    pub response_json: Option<serde_json::Value>,
    /// The MLS KeyPackages of the decoded response (every `keyPackage` member).
    #[serde(default)]
    pub mls_key_packages: Option<KeyPackagesExpect>,
    /// No value of a member of the decoded response occurs in an earlier step's response.
    #[serde(default)]
    pub distinct_from: Option<Distinct>,
    /// The act's result (JSON, a subset as `response_json`).
    #[serde(default)]
    pub result: Option<serde_json::Value>,
    /// The act fails with an error (for an act whose peer answers with an HTTP error status).
    #[serde(default)]
    pub error: bool,
    /// Each of these requests happened during the step.
    #[serde(default)]
    pub wire: Vec<WireMatch>,
    /// None of these requests happened during the step.
    #[serde(default)]
    pub no_wire: Vec<WireMatch>,
    /// Every client of every role in the room agrees on epoch, epoch authenticator, members and
    /// participants; and the participants are exactly these users (`<user>@<role>`), if given.
    #[serde(default)]
    pub converged: Option<Vec<String>>,
}

/// What the KeyPackages of a response must be: exactly `count` of them, each an MLSMessage
/// holding a KeyPackage that validates now (signatures, lifetime: RFC 9420 §10.1), of this
/// ciphersuite (the codec's name, e.g. `MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPackagesExpect {
    pub count: usize,
    pub ciphersuite: String,
}

/// Values of `member` (anywhere in the decoded response) must not occur in step `step`'s.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Distinct {
    pub step: String,
    pub member: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(u16),
    Many(Vec<u16>),
}

impl OneOrMany {
    pub fn allows(&self, status: u16) -> bool {
        match self {
            OneOrMany::One(s) => *s == status,
            OneOrMany::Many(v) => v.contains(&status),
        }
    }
}

impl std::fmt::Display for OneOrMany {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OneOrMany::One(s) => write!(f, "{s}"),
            OneOrMany::Many(v) => write!(f, "one of {v:?}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsOutcome {
    Rejected,
}

impl Scenario {
    /// The role and user name of a `<user>@<role>` reference.
    pub fn user_ref<'a>(&self, r: &'a str) -> Result<(&'a str, &'a str), String> {
        let (user, role) = r.split_once('@').ok_or_else(|| format!("{r:?} is not <user>@<role>"))?;
        if !self.roles.contains_key(role) {
            return Err(format!("{r:?}: role {role:?} is not in `roles`"));
        }
        if !self.users.get(role).is_some_and(|us| us.iter().any(|u| u.user == user)) {
            return Err(format!("{r:?}: role {role:?} has no user {user:?} in `users`"));
        }
        Ok((role, user))
    }
}

impl ActOp {
    /// The driver operation of the act (docs/driver.md).
    pub fn name(self) -> &'static str {
        use crate::driver::ops;
        match self {
            ActOp::RoomCreate => ops::ROOM_CREATE,
            ActOp::RoomAdd => ops::ROOM_ADD,
            ActOp::RoomRemove => ops::ROOM_REMOVE,
            ActOp::RoomLeave => ops::ROOM_LEAVE,
            ActOp::RoomJoin => ops::ROOM_JOIN,
            ActOp::RoomCommit => ops::ROOM_COMMIT,
            ActOp::RoomChangeRole => ops::ROOM_CHANGE_ROLE,
            ActOp::RoomBan => ops::ROOM_BAN,
            ActOp::RoomUnban => ops::ROOM_UNBAN,
            ActOp::RoomKick => ops::ROOM_KICK,
            ActOp::RoomAddOwnClient => ops::ROOM_ADD_OWN_CLIENT,
            ActOp::RoomRemoveOwnClient => ops::ROOM_REMOVE_OWN_CLIENT,
            ActOp::MessageSend => ops::MESSAGE_SEND,
            ActOp::MessageList => ops::MESSAGE_LIST,
            ActOp::RoomState => ops::ROOM_STATE,
            ActOp::RoomSetComponent => "room.set_component",
            ActOp::RoomRemoveComponent => "room.remove_component",
            ActOp::UpdateReplay => "update.replay",
        }
    }
}

impl Scenario {
    /// The role the implementation under test plays: the hub when it plays `hub`, else a
    /// follower (scenarios name followers `follower1`, `follower2`, ...).
    pub fn iut_role(&self) -> Option<crate::harness::IutRole> {
        use crate::harness::IutRole;
        let (name, _) = self.roles.iter().find(|(_, p)| **p == Player::Iut)?;
        Some(if name == "hub" { IutRole::Hub } else { IutRole::Follower })
    }

    /// Whether a step waits on purpose (a slow simulated peer): such scenarios are started first,
    /// so that the others run during the wait.
    pub fn waits(&self) -> bool {
        use crate::provider::PeerFault;
        self.steps.iter().any(|s| {
            s.peer_faults.values().flatten().any(|f| *f == PeerFault::SlowNotify)
                || s.act.as_ref().is_some_and(|a| a.fault == Some(PeerFault::SlowNotify))
        })
    }

    /// The driver operations an implementation outside the process needs to play `role` in
    /// `mode`: `requires`, `reset` and `configure`; full-client: `user.create` for the role's
    /// users, the acts of its users, and `room.state` when a step checks that every client
    /// converged; server-only: `user.provision`, `client.publish` and `client.inbox` for the
    /// role's users, `client.submit` when they act, `room.host` when they create a room.
    pub fn driver_ops(&self, role: &str, mode: crate::driver::messages::Mode) -> std::collections::BTreeSet<&str> {
        use crate::driver::messages::Mode;
        use crate::driver::ops;
        let mut needed: std::collections::BTreeSet<&str> = self.requires.iter().map(String::as_str).collect();
        needed.extend([ops::RESET, ops::CONFIGURE]);
        let has_users = self.users.get(role).is_some_and(|u| !u.is_empty());
        let acts: Vec<ActOp> = self
            .steps
            .iter()
            .filter_map(|s| s.act.as_ref())
            .filter(|a| self.user_ref(&a.user).is_ok_and(|(r, _)| r == role))
            .map(|a| a.op)
            .collect();
        match mode {
            Mode::FullClient => {
                if has_users {
                    needed.insert(ops::USER_CREATE);
                    if self.steps.iter().any(|s| s.expect.converged.is_some()) {
                        needed.insert(ops::ROOM_STATE);
                    }
                }
                needed.extend(acts.iter().map(|op| op.name()));
            }
            Mode::ServerOnly => {
                if has_users {
                    needed.extend([ops::USER_PROVISION, ops::CLIENT_PUBLISH, ops::CLIENT_INBOX]);
                }
                if acts.iter().any(|op| op.changes_room()) {
                    needed.insert(ops::CLIENT_SUBMIT);
                }
                if acts.contains(&ActOp::RoomCreate) {
                    needed.insert(ops::ROOM_HOST);
                }
            }
        }
        needed
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::collections::BTreeSet;

    use serde::de::{Error as _, Visitor};

    use super::*;

    /// A deserializer that only learns the field names serde asks a struct for.
    struct FieldNames(Cell<&'static [&'static str]>);

    impl<'de> serde::Deserializer<'de> for &FieldNames {
        type Error = serde::de::value::Error;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(Self::Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0.set(fields);
            Err(Self::Error::custom("the field names are all we want"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
            unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }

    /// The fields of the model's struct `T`, as the YAML may give them.
    fn fields<T: serde::de::DeserializeOwned>() -> BTreeSet<String> {
        let names = FieldNames(Cell::new(&[]));
        let _ = T::deserialize(&names);
        names.0.get().iter().map(|f| f.to_string()).collect()
    }

    /// The `properties` of a schema object.
    fn properties(schema: &serde_json::Value) -> BTreeSet<String> {
        schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn the_schema_describes_every_field_of_the_model_and_no_other() {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../../scenarios/scenario.schema.json")).expect("the schema is JSON");
        let defs = &schema["$defs"];
        let expect: BTreeSet<String> = properties(&defs["requestExpect"])
            .union(&properties(&defs["actExpect"]))
            .cloned()
            .collect();
        let request_expect = &defs["requestExpect"]["properties"];
        for (name, model, schema) in [
            ("the file", fields::<Scenario>(), properties(&schema)),
            ("params", fields::<Params>(), properties(&defs["params"])),
            ("users", fields::<UserSpec>(), properties(&defs["user"])),
            ("step", fields::<Step>(), properties(&defs["step"])),
            ("act", fields::<Act>(), properties(&defs["act"])),
            ("request", fields::<Request>(), properties(&defs["request"])),
            ("body_struct", fields::<BodyStruct>(), properties(&defs["bodyStruct"])),
            ("expect", fields::<Expect>(), expect),
            ("wire", fields::<WireMatch>(), properties(&defs["wireMatch"])),
            (
                "mls_key_packages",
                fields::<KeyPackagesExpect>(),
                properties(&request_expect["mls_key_packages"]),
            ),
            (
                "distinct_from",
                fields::<Distinct>(),
                properties(&request_expect["distinct_from"]),
            ),
        ] {
            assert!(!model.is_empty(), "{name}: no fields read");
            assert_eq!(
                model, schema,
                "{name}: the model's fields (left) and the schema's (right)"
            );
        }
    }
}
