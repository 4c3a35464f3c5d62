//! Every rule the decision engine applies, with the requirement it serves
//! (`spec/draft-ietf-mimi-room-policy-03.yaml`) and its section.

use serde::{Deserialize, Serialize};

use super::PolicyFault;

macro_rules! rules {
    ($($v:ident => $slug:literal, $req:literal, $section:literal, $what:literal;)*) => {
        /// One rule of the decision procedure (draft-ietf-mimi-room-policy-03 §3–§8). An allowed
        /// decision names the rule that authorized it; a denied one, the rule that failed.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Rule {
            $(#[doc = $what] #[serde(rename = $slug)] $v,)*
        }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$v),*];

            /// The slug results and vectors carry (`"ban-role-change"`).
            pub fn slug(self) -> &'static str {
                match self { $(Rule::$v => $slug,)* }
            }

            /// The requirement id in the catalog.
            pub fn req(self) -> &'static str {
                match self { $(Rule::$v => $req,)* }
            }

            /// The draft section that states the rule.
            pub fn section(self) -> &'static str {
                match self { $(Rule::$v => $section,)* }
            }

            /// What the rule checks.
            pub fn what(self) -> &'static str {
                match self { $(Rule::$v => $what,)* }
            }

            pub fn from_slug(slug: &str) -> Option<Rule> {
                Rule::ALL.iter().copied().find(|r| r.slug() == slug)
            }
        }
    };
}

rules! {
    CapabilityHeld => "capability-held", "POL-S02", "8",
        "the actor's role holds the capability, and nothing more is required";
    CapabilityMissing => "capability-missing", "POL-S02", "8",
        "the actor's role (role 0 for a non-participant) does not hold the capability";
    CommitAuthorized => "commit-authorized", "POL-S03", "8",
        "every change of the commit is authorized, each against the state the previous ones leave";
    ConflictingChanges => "conflicting-changes", "POL-S03", "8",
        "one commit changes the same user's participant-list entry twice";
    RoleUpdateWithMembershipChange => "role-update-with-membership-change", "POL-X03", "3",
        "a RoleUpdate in the same commit as a participant-list change";
    PreauthUpdateWithMembershipChange => "preauth-update-with-membership-change", "POL-X04", "4",
        "a PreAuthUpdate in the same commit as a participant-list change other than a removal";
    UnknownRole => "unknown-role", "POL-S04", "3",
        "the target role index is not a role of roles_list, or is 0 where a non-zero role is required";
    TargetSelf => "target-self", "POL-S14", "8.1",
        "a capability over another user used on the actor itself";
    TargetNotListed => "target-not-listed", "POL-S14", "8.1",
        "the target user is not in the participant list (or has nothing to remove)";
    AddTargetListed => "add-target-listed", "POL-S05", "8.1.1",
        "the user to add (or joining) is already in the participant list, or is the actor";
    AddRoleChange => "add-role-change", "POL-09", "8.1.1",
        "canAddParticipant: an authorized_role_changes entry from 0 includes the target role";
    MaxParticipants => "max-participants", "POL-12", "8.1.1",
        "maximum_participants_constraint and maximum_active_participants_constraint of the added user's role";
    OpenJoinNonZeroRole => "open-join-nonzero-role", "POL-11", "8.1.1",
        "canOpenJoin appears on a non-zero role";
    OpenJoinRoleChange => "open-join-role-change", "POL-10", "8.1.1",
        "canOpenJoin: role 0's entry from 0 includes the requested non-zero role";
    PreauthListedRequester => "preauth-listed-requester", "POL-X05", "4",
        "preauthorization is consulted for a requester already in the participant list (banned included)";
    PreauthMatch => "preauth-match", "POL-X06", "4",
        "the first PreAuthRoleEntry whose claims all match the requester's credential";
    JoinCode => "join-code", "POL-S06", "8.1.1",
        "canUseJoinCode: the join code is valid and refers to a role of role 0's entry from 0";
    OwnClient => "own-client", "POL-S07", "8.1.1",
        "canAddOwnClient / canRemoveOwnClient: the holder is in the participant list (and has a client to remove)";
    MaxActiveParticipants => "max-active-participants", "POL-X02", "3",
        "maximum_active_participants_constraint of the user's role when it gains its first client";
    RemoveRoleChange => "remove-role-change", "POL-S08", "8.1.2",
        "canRemoveParticipant: an entry from the target's current role includes 0";
    RemoveClientsRemain => "remove-clients-remain", "POL-13", "8.1.2",
        "a removal that leaves clients of the removed user in the group";
    LeaveClientsRemain => "leave-clients-remain", "POL-14", "8.1.2",
        "canRemoveSelf without removing all of the leaver's clients";
    LeaveRoleChange => "leave-role-change", "POL-S09", "8.1.2",
        "canRemoveSelf: an entry from the holder's own role includes 0";
    MinParticipants => "min-participants", "POL-S08", "8.1.2",
        "minimum_participants_constraint of the role a user leaves";
    MinActiveParticipants => "min-active-participants", "POL-S10", "8.1.2",
        "minimum_active_participants_constraint of the role whose user loses its last client";
    SelfCommit => "self-commit", "POL-X14", "8.1.2",
        "canRemoveSelf / canRemoveOwnClient committed by the leaving user";
    RoleChange => "role-change", "POL-S12", "8.1.3",
        "canChangeUserRole: an entry from the target's current role includes the new non-zero role";
    RoleChangeMax => "role-change-max", "POL-S12", "8.1.3",
        "maximum constraints of the new role on a role change (own role and unban included)";
    BanBannedRole => "ban-banned-role", "POL-X13", "8.1.3",
        "canBan needs role 1 to exist with role_name \"banned\"";
    BanRoleChange => "ban-role-change", "POL-S13", "8.1.3",
        "canBan: an entry from the target's current role includes 1";
    UnbanBannedRole => "unban-banned-role", "POL-15", "8.1.3",
        "canUnBan: the target's role is 1 and role 1's role_name is \"banned\"";
    UnbanRoleChange => "unban-role-change", "POL-15", "8.1.3",
        "canUnBan: an entry from 1 includes the new non-zero role";
    FixedMembership => "fixed-membership", "POL-X07", "5",
        "fixed-membership rooms: no user is added, leaves or is removed; no non-zero non-banned role holds canAddParticipant";
    MultiDevice => "multi-device", "POL-X08", "5",
        "multi_device false: at most one client per user";
    MaxClients => "max-clients", "POL-03", "5",
        "max_clients bounds the clients of the MLS group";
    MaxUsers => "max-users", "POL-04", "5",
        "max_users bounds the non-banned entries of the participant list";
}

impl Rule {
    /// The fault that switches this rule off: with it on, a change this rule alone denies is
    /// allowed. `None` for the rules that only ever allow.
    pub fn fault(self) -> Option<PolicyFault> {
        use PolicyFault as F;
        Some(match self {
            Rule::CapabilityHeld | Rule::CommitAuthorized => return None,
            Rule::CapabilityMissing => F::IgnoreCapabilities,
            Rule::ConflictingChanges => F::AllowConflictingChanges,
            Rule::RoleUpdateWithMembershipChange | Rule::PreauthUpdateWithMembershipChange => {
                F::IgnoreCommitCombinations
            }
            Rule::UnknownRole => F::AcceptUnknownRoles,
            Rule::TargetSelf | Rule::TargetNotListed | Rule::AddTargetListed => F::IgnoreTargets,
            Rule::AddRoleChange
            | Rule::OpenJoinRoleChange
            | Rule::RemoveRoleChange
            | Rule::LeaveRoleChange
            | Rule::RoleChange
            | Rule::BanRoleChange
            | Rule::UnbanRoleChange => F::IgnoreRoleChanges,
            Rule::MaxParticipants | Rule::MaxActiveParticipants | Rule::RoleChangeMax => F::IgnoreMaxConstraints,
            Rule::MinParticipants | Rule::MinActiveParticipants => F::IgnoreMinConstraints,
            Rule::OpenJoinNonZeroRole => F::AllowOpenJoinOnUserRoles,
            Rule::PreauthListedRequester => F::PreauthForListedRequesters,
            Rule::PreauthMatch => F::SkipPreauthMatching,
            Rule::JoinCode => F::AcceptAnyJoinCode,
            Rule::OwnClient => F::IgnoreOwnClientChecks,
            Rule::RemoveClientsRemain | Rule::LeaveClientsRemain => F::LetClientsRemain,
            Rule::SelfCommit => F::AllowSelfCommit,
            Rule::BanBannedRole => F::BanWithoutBannedRole,
            Rule::UnbanBannedRole => F::UnbanWithoutBannedRole,
            Rule::FixedMembership => F::IgnoreFixedMembership,
            Rule::MultiDevice | Rule::MaxClients | Rule::MaxUsers => F::IgnoreRoomLimits,
        })
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.slug())
    }
}
