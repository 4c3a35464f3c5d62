//! Scenarios: YAML files under `scenarios/<draft>/`, each a stable id, the requirements it
//! checks, the roles (`hub`, `follower…`, each played by the implementation under test or by a
//! simulated provider), and steps with named references. Loading names the file, line and field
//! of any mistake; `scenarios/scenario.schema.json` describes the format for editors.
//!
//! ```yaml
//! id: protocol/4.1/reject-unauthenticated-client
//! title: A provider without a client certificate is refused
//! requirements: [PROT-03]
//! roles: {hub: iut, follower1: sim}
//! steps:
//!   - name: directory
//!     request: {from: follower1, to: hub, method: GET, path: /.well-known/mimi-protocol-directory,
//!               client_cert: none}
//!     expect: {tls: rejected}
//! ```
//!
//! # Protocol bodies
//!
//! A role may hold users, which the deployment creates before the first step (`users`: role →
//! list of `{user, clients}`; user `alice` of role `hub` is `mimi://{hub}/u/alice`, her clients
//! `mimi://{hub}/d/alice/1..`). A request body can be a protocol struct given as the JSON of the
//! codec (`body_struct: {struct: KeyMaterialRequest, value: {...}}`, encoded with
//! [`crate::codec::protocol::encode_named`]; `truncate_body: n` drops its last `n` bytes). The
//! expectation can decode the response (`response_struct`), match it (`response_json`, a subset),
//! check the MLS KeyPackages it holds (`mls_key_packages`) and compare it with an earlier step's
//! (`distinct_from`):
//!
//! ```yaml
//! users: {hub: [{user: alice, clients: 2}]}
//! steps:
//!   - name: first fetch
//!     request:
//!       from: follower1
//!       to: hub
//!       method: POST
//!       endpoint: keyMaterial                    # of the hub's §5.1 directory
//!       uri: "mimi://{hub}/u/alice"
//!       body_struct:
//!         struct: KeyMaterialRequest
//!         value: {protocol: mls10, targetUser: "utf8:mimi://{hub}/u/alice", ...}
//!     expect:
//!       status: 200
//!       response_struct: KeyMaterialResponse
//!       response_json: {userStatus: success, clients: [{clientStatus: success}, {clientStatus: success}]}
//!       mls_key_packages: {count: 2, ciphersuite: MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519}
//!   - name: second fetch
//!     request: {...}
//!     expect: {distinct_from: {step: first fetch, member: keyPackage}}
//! ```
//!
//! In `path`, `uri`, `body_struct.value` and `response_json`, `{role}` in a string stands for the role's
//! domain, and a string `utf8:<text>` for the lowercase hex of `<text>`'s UTF-8 bytes (the codec
//! writes URIs and other opaque fields in hex). `response_json` matches when every member it names
//! matches (objects recursively; arrays element by element with the same length; other values
//! equal); `{$one_of: [a, b]}` matches any of its values.

mod run;

use std::collections::BTreeMap;

use serde::Deserialize;

pub use run::{Actor, Deployment, DriverRef, IutEndpoint, IutRole, OutsideIut, run_scenario};

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

/// A scenario file that cannot be used: the file, then line, column and field when known.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}: {what}")]
pub struct ScenarioError {
    pub file: String,
    pub what: String,
}

impl Scenario {
    /// Parses and checks one file's text; `file` is how errors name it.
    pub fn parse(file: &str, text: &str) -> Result<Self, ScenarioError> {
        let err = |what: String| ScenarioError {
            file: file.to_owned(),
            what,
        };
        let s: Scenario = serde_saphyr::from_str(text).map_err(|e| err(e.to_string()))?;
        let mut parts = s.id.splitn(3, '/');
        if parts.next().is_none_or(str::is_empty)
            || parts.next().is_none_or(str::is_empty)
            || parts.next().is_none_or(str::is_empty)
        {
            return Err(err(format!("id {:?} is not <draft>/<section>/<slug>", s.id)));
        }
        if !s.roles.values().any(|p| *p == Player::Iut) {
            return Err(err("no role is played by the implementation under test (`iut`)".into()));
        }
        for (role, users) in &s.users {
            if !s.roles.contains_key(role) {
                return Err(err(format!("users: role {role:?} is not in `roles`")));
            }
            for u in users {
                if u.user.is_empty()
                    || u.user.contains(['/', '?', '#', '{', '}'])
                    || u.user.contains(char::is_whitespace)
                {
                    return Err(err(format!("users.{role}: {:?} is not a user name", u.user)));
                }
            }
        }
        if s.params.ciphersuite.is_empty() {
            return Err(err("params.ciphersuite: give at least one".into()));
        }
        for cs in &s.params.ciphersuite {
            if !crate::mls::CIPHERSUITES.iter().any(|c| u16::from(*c) == *cs) {
                return Err(err(format!("params.ciphersuite: {cs} is not offered (1 and 3 are)")));
            }
        }
        let mut decoded_steps: Vec<&str> = Vec::new();
        for (i, step) in s.steps.iter().enumerate() {
            if s.steps[..i].iter().any(|earlier| earlier.name == step.name) {
                return Err(err(format!("steps[{i}]: the name {:?} is used twice", step.name)));
            }
            let at = |field: &str| format!("steps[{i}] ({}).{field}", step.name);
            match (&step.request, &step.act) {
                (Some(r), None) => s.check_request(r, &step.expect, &decoded_steps, &at).map_err(err)?,
                (None, Some(a)) => s.check_act(a, &step.expect, &at).map_err(err)?,
                _ => return Err(err(format!("{}: give `request` or `act`, one of them", at("")))),
            }
            for (field, matches) in [("wire", &step.expect.wire), ("no_wire", &step.expect.no_wire)] {
                for (k, m) in matches.iter().enumerate() {
                    for role in [Some(&m.from), Some(&m.to), m.echoes_update_from.as_ref()]
                        .into_iter()
                        .flatten()
                    {
                        if !s.roles.contains_key(role) {
                            return Err(err(format!(
                                "{}: role {role:?} is not in `roles`",
                                at(&format!("expect.{field}[{k}]"))
                            )));
                        }
                    }
                    if let Some(name) = &m.body_struct
                        && !crate::codec::protocol::NAMES.contains(&name.as_str())
                    {
                        return Err(err(format!(
                            "{}: no protocol struct is named {name:?}",
                            at(&format!("expect.{field}[{k}].body_struct"))
                        )));
                    }
                    if m.body_json.is_some() && m.body_struct.is_none() {
                        return Err(err(format!(
                            "{}: body_json needs body_struct",
                            at(&format!("expect.{field}[{k}]"))
                        )));
                    }
                    if s.roles[&m.from] == Player::Iut && s.roles[&m.to] == Player::Iut {
                        return Err(err(format!(
                            "{}: only what a simulated provider sends or receives can be seen",
                            at(&format!("expect.{field}[{k}]"))
                        )));
                    }
                }
            }
            for role in step.peer_faults.keys() {
                if s.roles.get(role) != Some(&Player::Sim) {
                    return Err(err(format!("{}: {role:?} is not a simulated role", at("peer_faults"))));
                }
            }
            for (k, user) in step.expect.converged.iter().flatten().enumerate() {
                s.user_ref(user)
                    .map_err(|e| err(format!("{}: {e}", at(&format!("expect.converged[{k}]")))))?;
            }
            if step.expect.response_struct.is_some() {
                decoded_steps.push(&step.name);
            }
        }
        if s.steps.is_empty() {
            return Err(err("no steps".into()));
        }
        Ok(s)
    }
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

    fn check_act(&self, a: &Act, e: &Expect, at: &dyn Fn(&str) -> String) -> Result<(), String> {
        let (role, _) = self.user_ref(&a.user).map_err(|m| format!("{}: {m}", at("act.user")))?;
        if !self.roles.contains_key("hub") {
            return Err(format!(
                "{}: rooms live on the role `hub`, and there is none",
                at("act.room")
            ));
        }
        let needs_target = matches!(
            a.op,
            ActOp::RoomAdd
                | ActOp::RoomRemove
                | ActOp::RoomChangeRole
                | ActOp::RoomBan
                | ActOp::RoomUnban
                | ActOp::RoomKick
        );
        let role_use = match a.op {
            ActOp::RoomCreate | ActOp::RoomAdd | ActOp::RoomJoin => Some(false),
            ActOp::RoomChangeRole | ActOp::RoomUnban => Some(true),
            _ => None,
        };
        match (role_use, a.role) {
            (None, Some(_)) => return Err(format!("{}: {:?} takes no role", at("act.role"), a.op)),
            (Some(true), None) => return Err(format!("{}: {:?} needs a role", at("act.role"), a.op)),
            _ => {}
        }
        match a.clients {
            Some(_) if a.op != ActOp::RoomAdd => {
                return Err(format!("{}: `clients` goes with room.add only", at("act.clients")));
            }
            Some(0) => return Err(format!("{}: add one client at least", at("act.clients"))),
            _ => {}
        }
        let takes_component = matches!(a.op, ActOp::RoomSetComponent | ActOp::RoomRemoveComponent);
        if takes_component != a.component.is_some() || (a.op == ActOp::RoomSetComponent) != a.value.is_some() {
            return Err(format!(
                "{}: `component` goes with room.set_component (with its `value`) and room.remove_component, and only there",
                at("act.component")
            ));
        }
        if let Some(c) = &a.component
            && crate::codec::policy::component_of(c).is_none()
        {
            return Err(format!(
                "{}: {c:?} is not a policy component's struct nor RoomMetaData",
                at("act.component")
            ));
        }
        if (a.policy.is_some() || a.base_policy.is_some()) && a.op != ActOp::RoomCreate {
            return Err(format!(
                "{}: policy and base_policy go with room.create",
                at("act.policy")
            ));
        }
        match (&a.target, needs_target) {
            (Some(t), true) => {
                self.user_ref(t).map_err(|m| format!("{}: {m}", at("act.target")))?;
            }
            (None, true) => return Err(format!("{}: {:?} needs a target", at("act.target"), a.op)),
            (Some(_), false) => return Err(format!("{}: {:?} takes no target", at("act.target"), a.op)),
            (None, false) => {}
        }
        if (a.op == ActOp::MessageSend) != (a.text.is_some() != a.media_type.is_some()) {
            return Err(format!(
                "{}: message.send takes one of `text` and `media_type`, and only message.send does",
                at("act.text")
            ));
        }
        if (a.fault.is_some() || a.op == ActOp::UpdateReplay) && self.roles[role] != Player::Sim {
            return Err(format!(
                "{}: only a simulated provider misbehaves on request (faults, update.replay)",
                at("act.fault")
            ));
        }
        if e.status.is_some()
            || e.tls.is_some()
            || !e.json_keys.is_empty()
            || e.response_struct.is_some()
            || e.response_json.is_some()
            || e.mls_key_packages.is_some()
            || e.distinct_from.is_some()
        {
            return Err(format!(
                "{}: status, tls, json_keys and response_* go with `request`; an act has `result` and `error`",
                at("expect")
            ));
        }
        if e.error && e.result.is_some() {
            return Err(format!("{}: an act that fails has no result", at("expect.error")));
        }
        Ok(())
    }

    fn check_request(
        &self,
        r: &Request,
        e: &Expect,
        decoded_steps: &[&str],
        at: &dyn Fn(&str) -> String,
    ) -> Result<(), String> {
        if let Some(b) = &r.body_struct {
            if r.body.is_some() {
                return Err(format!(
                    "{}: give `body` or `body_struct`, not both",
                    at("request.body_struct")
                ));
            }
            if !crate::codec::protocol::NAMES.contains(&b.name.as_str()) {
                return Err(format!(
                    "{}: no protocol struct is named {:?}",
                    at("request.body_struct.struct"),
                    b.name
                ));
            }
        }
        if e.result.is_some() || e.error {
            return Err(format!("{}: `result` and `error` go with `act`", at("expect")));
        }
        // An expectation must be able to fail: say something, and nothing contradictory.
        let says_response = e.status.is_some()
            || !e.json_keys.is_empty()
            || e.response_struct.is_some()
            || e.response_json.is_some()
            || e.mls_key_packages.is_some()
            || e.distinct_from.is_some();
        match (e.tls.is_some(), says_response) {
            (false, false) => return Err(format!("{}: expects nothing", at("expect"))),
            (true, true) => return Err(format!("{}: `tls: rejected` leaves no response to check", at("expect"))),
            _ => {}
        }
        match (&r.path, &r.endpoint, &r.uri) {
            (Some(path), None, None) if !path.starts_with('/') => {
                return Err(format!("{}: {path:?} does not start with /", at("request.path")));
            }
            (Some(_), None, None) | (None, Some(_), Some(_)) => {}
            _ => {
                return Err(format!(
                    "{}: give `path`, or `endpoint` (of the receiver's directory) with its `uri`",
                    at("request.path")
                ));
            }
        }
        for (field, text) in [
            ("path", r.path.as_ref()),
            ("uri", r.uri.as_ref()),
            ("from_header", r.from_header.as_ref()),
            ("host", r.host.as_ref()),
        ] {
            if let Some(role) = text.and_then(|t| unknown_placeholder(t, &self.roles)) {
                return Err(format!("{}: {{{role}}} names no role", at(&format!("request.{field}"))));
            }
        }
        if let Some(name) = &e.response_struct
            && !crate::codec::protocol::NAMES.contains(&name.as_str())
        {
            return Err(format!(
                "{}: no protocol struct is named {name:?}",
                at("expect.response_struct")
            ));
        }
        if e.response_struct.is_none()
            && (e.response_json.is_some() || e.mls_key_packages.is_some() || e.distinct_from.is_some())
        {
            return Err(format!(
                "{}: response_json, mls_key_packages and distinct_from need `response_struct`",
                at("expect.response_struct")
            ));
        }
        if let Some(k) = &e.mls_key_packages
            && crate::codec::protocol::CipherSuite::from_name(&k.ciphersuite).is_none()
        {
            return Err(format!(
                "{}: unknown ciphersuite {:?}",
                at("expect.mls_key_packages.ciphersuite"),
                k.ciphersuite
            ));
        }
        if let Some(d) = &e.distinct_from
            && !decoded_steps.contains(&d.step.as_str())
        {
            return Err(format!(
                "{}: {:?} is not an earlier step with a response_struct",
                at("expect.distinct_from.step"),
                d.step
            ));
        }
        for (field, role) in [("from", &r.from), ("to", &r.to)] {
            if !self.roles.contains_key(role) {
                return Err(format!(
                    "{}: role {role:?} is not in `roles`",
                    at(&format!("request.{field}"))
                ));
            }
        }
        if self.roles[&r.from] != Player::Sim {
            return Err(format!(
                "{}: only a simulated provider (`sim`) sends requests",
                at("request.from")
            ));
        }
        if let Some(b) = &r.body
            && hex::decode(b).is_err()
        {
            return Err(format!("{}: not hex", at("request.body")));
        }
        Ok(())
    }
}

/// The first `{name}` in `text` that is not a role.
fn unknown_placeholder(text: &str, roles: &BTreeMap<String, Player>) -> Option<String> {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let name = &after[..close];
        if !roles.contains_key(name) {
            return Some(name.to_owned());
        }
        rest = &after[close + 1..];
    }
    None
}

/// The scenario files built into the binary: every `*.yaml` under `scenarios/` (build.rs).
pub const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_scenarios.rs"));

/// Every embedded scenario.
pub fn embedded() -> Result<Vec<Scenario>, ScenarioError> {
    EMBEDDED.iter().map(|(f, t)| Scenario::parse(f, t)).collect()
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
