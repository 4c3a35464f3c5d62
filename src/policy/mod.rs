//! The authorization decision engine of the reference hub (draft-ietf-mimi-room-policy-03 §3,
//! §4, §5 and §8): given a room's roles, base policy, preauthorization list and participant
//! list, is a proposed change allowed, and which rule decided?
//!
//! ```text
//! DecideParams ──► commit checks (§3 RoleUpdate, §4 PreAuthUpdate, one change per user)
//!                    └─► each Action in order, against the state the previous ones leave:
//!                          capability of the actor's role (§8) ─► action's own rules
//!                          (§8.1.1–§8.1.3 role changes, min/max constraints, §5 room limits)
//!                  ──► Decision { allowed, rule, capability, section }
//! ```
//!
//! # The driver operation `policy.decide`
//!
//! Params (JSON):
//!
//! ```json
//! {
//!   "room_policy": {
//!     "roles": {"roles": [Role, …]},            // RoleData (codec::policy JSON model)
//!     "base_policy": BaseRoomPolicy | null,      // optional; absent: no §5 constraint
//!     "preauth": {"preauthorized_entries": […]} | null   // optional PreAuthData
//!   },
//!   "participants": [{"user": "mimi://a.example/u/alice", "role": 3, "clients": 1}, …],
//!   "change": {
//!     "actor": "mimi://a.example/u/alice",      // the user proposing the change
//!     "actor_claims": [Claim, …],                // optional: the actor's credential claims (§4)
//!     "committer": "mimi://…" | null,            // optional: the user committing, when known
//!     "actions": [Action, …]                     // one commit; at least one action
//!   }
//! }
//! ```
//!
//! `clients` (default 1) is how many MLS clients the user has in the group; a participant with
//! at least one is *active*. A user absent from `participants` has role 0. Each Action is an
//! object with `"op"`:
//!
//! | op | fields | capability |
//! |---|---|---|
//! | `add` | `user`, `role`, `clients` (default 1) | canAddParticipant |
//! | `remove` | `user`, `removes_all_clients` (default true) | canRemoveParticipant |
//! | `leave` | `removes_all_clients` (default true) | canRemoveSelf |
//! | `kick` | `user` | canKick |
//! | `change_role` | `user`, `role` | canChangeUserRole |
//! | `change_own_role` | | canChangeOwnRole (role from `preauth`) |
//! | `ban` | `user` | canBan |
//! | `unban` | `user`, `role` | canUnBan |
//! | `add_own_client` | `clients` (default 1) | canAddOwnClient |
//! | `remove_own_client` | | canRemoveOwnClient |
//! | `join_preauth` | `clients` (default 1) | canJoinIfPreauthorized |
//! | `open_join` | `role`, `clients` (default 1) | canOpenJoin |
//! | `join_code` | `role`, `code_valid` (default true), `clients` (default 1) | canUseJoinCode |
//! | `metadata` | `field`: `name`, `description`, `avatar`, `subject` or `mood` | canChangeRoom… |
//! | `update_roles` | `roles` (RoleData) | canChangeRoleDefinitions |
//! | `update_preauth` | `preauth` (PreAuthData) | canChangePreauthorizedUserList |
//! | `update_base_policy` | `base_policy` (BaseRoomPolicy) | canChangeRoomMembershipStyle |
//! | `send_message` | | canSendMessage |
//! | `reinit` | | canSendMLSReinitProposal |
//! | `destroy_room` | | canDestroyRoom |
//!
//! Result: `{"allowed": bool, "rule": slug, "capability": name, "section": "8.1.3",
//! "reason": text}`. `rule` is a [`Rule`] slug: for a denial, the rule that failed; for an
//! allowed single action, the rule that authorized it; `commit-authorized` for an allowed
//! commit of several actions. `capability` (a §10.2 name) is absent for commit-level rules.
//! Params that make no sense (a user listed twice, a participant with an undefined role, no
//! action) are an [`InputError`], which a driver answers as `invalid_params`.

mod assets;
mod engine;
mod rules;

#[cfg(test)]
mod vectors_test;

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

pub use assets::media_type_allowed;
pub use engine::{combination, decide, decide_with};
pub use rules::Rule;

use crate::codec::policy::{BaseRoomPolicy, CapabilityType, Claim, PreAuthData, RoleData};

/// The room's policy components the decision depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomPolicy {
    pub roles: RoleData,
    #[serde(default)]
    pub base_policy: Option<BaseRoomPolicy>,
    #[serde(default)]
    pub preauth: Option<PreAuthData>,
}

fn one() -> u32 {
    1
}

fn yes() -> bool {
    true
}

/// One entry of the participant list (draft-ietf-mimi-protocol) with its client count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Participant {
    pub user: String,
    pub role: u32,
    #[serde(default = "one")]
    pub clients: u32,
}

/// A field of the room metadata (§8.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetadataField {
    Name,
    Description,
    Avatar,
    Subject,
    Mood,
}

/// One proposed change; see the module documentation for the JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    Add {
        user: String,
        role: u32,
        #[serde(default = "one")]
        clients: u32,
    },
    Remove {
        user: String,
        #[serde(default = "yes")]
        removes_all_clients: bool,
    },
    Leave {
        #[serde(default = "yes")]
        removes_all_clients: bool,
    },
    Kick {
        user: String,
    },
    ChangeRole {
        user: String,
        role: u32,
    },
    ChangeOwnRole,
    Ban {
        user: String,
    },
    Unban {
        user: String,
        role: u32,
    },
    AddOwnClient {
        #[serde(default = "one")]
        clients: u32,
    },
    RemoveOwnClient,
    JoinPreauth {
        #[serde(default = "one")]
        clients: u32,
    },
    OpenJoin {
        role: u32,
        #[serde(default = "one")]
        clients: u32,
    },
    JoinCode {
        role: u32,
        #[serde(default = "yes")]
        code_valid: bool,
        #[serde(default = "one")]
        clients: u32,
    },
    Metadata {
        field: MetadataField,
    },
    UpdateRoles {
        roles: RoleData,
    },
    UpdatePreauth {
        preauth: PreAuthData,
    },
    UpdateBasePolicy {
        base_policy: BaseRoomPolicy,
    },
    SendMessage,
    Reinit,
    DestroyRoom,
}

/// The change one commit makes, and who makes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub actor: String,
    #[serde(default)]
    pub actor_claims: Vec<Claim>,
    #[serde(default)]
    pub committer: Option<String>,
    pub actions: Vec<Action>,
}

/// The params of `policy.decide`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecideParams {
    pub room_policy: RoomPolicy,
    pub participants: Vec<Participant>,
    pub change: Change,
}

/// The result of `policy.decide`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    pub rule: Rule,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capability: Option<CapabilityType>,
    pub section: String,
    #[serde(default)]
    pub reason: String,
}

/// Params the engine cannot decide on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("participant {0} is listed twice")]
    DuplicateParticipant(String),
    #[error("participant {user} has role {role}, which roles_list does not define")]
    UndefinedParticipantRole { user: String, role: u32 },
    #[error("participant {0} has role 0, which is reserved for users not in the list")]
    ParticipantWithRoleZero(String),
    #[error("roles_list defines role {0} twice")]
    DuplicateRole(u32),
    #[error("the change has no action")]
    NoAction,
}

/// A deliberate defect of the engine, for self-tests: each one must make some vector fail. Each
/// switches off one rule (or one family of rules) of [`Rule`]; [`Rule::fault`] names the fault
/// that switches a rule off, and every deny vector is denied by its rule alone: with that fault on
/// it is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyFault {
    /// Skips the maximum (active) participant constraints of roles.
    IgnoreMaxConstraints,
    /// Skips the minimum (active) participant constraints of roles.
    IgnoreMinConstraints,
    /// Unbans even when role 1 is missing or not named "banned", or the target's role is not 1.
    UnbanWithoutBannedRole,
    /// Takes the first preauthorization entry whatever the requester's claims.
    SkipPreauthMatching,
    /// Does not consult authorized_role_changes.
    IgnoreRoleChanges,
    /// Lets the leaving user commit its own leave or client removal.
    AllowSelfCommit,
    /// Accepts RoleUpdate and PreAuthUpdate next to participant-list changes.
    IgnoreCommitCombinations,
    /// Skips max_users, max_clients and multi_device.
    IgnoreRoomLimits,
    /// Does not check that the actor's role (or the preauthorized role) holds the capability.
    IgnoreCapabilities,
    /// Does not check whom a change targets: another user, who is listed (for an add or a join:
    /// who is not yet listed).
    IgnoreTargets,
    /// Accepts target roles that roles_list does not define (and role 0 where it is not allowed).
    AcceptUnknownRoles,
    /// Bans even when role 1 is missing or not named "banned".
    BanWithoutBannedRole,
    /// Ignores fixed_membership.
    IgnoreFixedMembership,
    /// Accepts a removal or a leave that leaves clients of the user in the group.
    LetClientsRemain,
    /// Adds or removes own clients without checking that the holder is listed and has one to remove.
    IgnoreOwnClientChecks,
    /// Consults preauthorization for requesters already in the participant list.
    PreauthForListedRequesters,
    /// Accepts a join code whether or not it is valid and refers to a target of role 0's entry.
    AcceptAnyJoinCode,
    /// Lets canOpenJoin appear on non-zero roles.
    AllowOpenJoinOnUserRoles,
    /// Accepts a commit that changes one user's entry twice.
    AllowConflictingChanges,
}

impl PolicyFault {
    pub const ALL: [PolicyFault; 19] = [
        PolicyFault::IgnoreMaxConstraints,
        PolicyFault::IgnoreMinConstraints,
        PolicyFault::UnbanWithoutBannedRole,
        PolicyFault::SkipPreauthMatching,
        PolicyFault::IgnoreRoleChanges,
        PolicyFault::AllowSelfCommit,
        PolicyFault::IgnoreCommitCombinations,
        PolicyFault::IgnoreRoomLimits,
        PolicyFault::IgnoreCapabilities,
        PolicyFault::IgnoreTargets,
        PolicyFault::AcceptUnknownRoles,
        PolicyFault::BanWithoutBannedRole,
        PolicyFault::IgnoreFixedMembership,
        PolicyFault::LetClientsRemain,
        PolicyFault::IgnoreOwnClientChecks,
        PolicyFault::PreauthForListedRequesters,
        PolicyFault::AcceptAnyJoinCode,
        PolicyFault::AllowOpenJoinOnUserRoles,
        PolicyFault::AllowConflictingChanges,
    ];

    /// The name `--fault` takes (`"ignore-max-constraints"`).
    pub fn name(self) -> &'static str {
        match self {
            PolicyFault::IgnoreMaxConstraints => "ignore-max-constraints",
            PolicyFault::IgnoreMinConstraints => "ignore-min-constraints",
            PolicyFault::UnbanWithoutBannedRole => "unban-without-banned-role",
            PolicyFault::SkipPreauthMatching => "skip-preauth-matching",
            PolicyFault::IgnoreRoleChanges => "ignore-role-changes",
            PolicyFault::AllowSelfCommit => "allow-self-commit",
            PolicyFault::IgnoreCommitCombinations => "ignore-commit-combinations",
            PolicyFault::IgnoreRoomLimits => "ignore-room-limits",
            PolicyFault::IgnoreCapabilities => "ignore-capabilities",
            PolicyFault::IgnoreTargets => "ignore-targets",
            PolicyFault::AcceptUnknownRoles => "accept-unknown-roles",
            PolicyFault::BanWithoutBannedRole => "ban-without-banned-role",
            PolicyFault::IgnoreFixedMembership => "ignore-fixed-membership",
            PolicyFault::LetClientsRemain => "let-clients-remain",
            PolicyFault::IgnoreOwnClientChecks => "ignore-own-client-checks",
            PolicyFault::PreauthForListedRequesters => "preauth-for-listed-requesters",
            PolicyFault::AcceptAnyJoinCode => "accept-any-join-code",
            PolicyFault::AllowOpenJoinOnUserRoles => "allow-open-join-on-user-roles",
            PolicyFault::AllowConflictingChanges => "allow-conflicting-changes",
        }
    }

    pub fn from_name(name: &str) -> Option<PolicyFault> {
        PolicyFault::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The set of faults a correct engine runs with.
pub fn no_faults() -> BTreeSet<PolicyFault> {
    BTreeSet::new()
}
