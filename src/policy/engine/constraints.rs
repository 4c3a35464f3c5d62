//! The checks the actions share: the actor's capability, `authorized_role_changes`, the roles'
//! minimum and maximum constraints (§2), the room's limits (§5), and the targets of an action.

use super::{Engine, State, deny};
use crate::codec::policy::CapabilityType as Cap;
use crate::policy::{Decision, PolicyFault, Rule};

impl Engine<'_> {
    /// The actor's role (0 when not listed) must hold `cap`.
    pub(super) fn require(&self, s: &State, cap: Cap) -> Result<(), Decision> {
        let r = s.role_of(self.actor());
        if self.on(PolicyFault::IgnoreCapabilities) || s.role(r).is_some_and(|role| role.has(cap)) {
            Ok(())
        } else {
            Err(deny(
                Rule::CapabilityMissing,
                Some(cap),
                format!("role {r} of {} does not hold {cap}", self.actor()),
            ))
        }
    }

    pub(super) fn may_change(&self, s: &State, holder_role: u32, from: u32, to: u32) -> bool {
        self.on(PolicyFault::IgnoreRoleChanges) || s.role(holder_role).is_some_and(|r| r.may_change(from, to))
    }

    pub(super) fn fixed(&self, s: &State) -> bool {
        !self.on(PolicyFault::IgnoreFixedMembership) && s.base.as_ref().is_some_and(|b| b.fixed_membership)
    }

    /// The maximum constraints of `role` for one more participant, active when `clients > 0`.
    pub(super) fn check_max(&self, s: &State, role: u32, clients: u32, rule: Rule, cap: Cap) -> Result<(), Decision> {
        if self.on(PolicyFault::IgnoreMaxConstraints) {
            return Ok(());
        }
        // An undefined role (AcceptUnknownRoles) has no constraint.
        let Some(r) = s.role(role) else { return Ok(()) };
        if let Some(max) = r.maximum_participants_constraint
            && s.count(role) + 1 > u64::from(max)
        {
            return Err(deny(
                rule,
                Some(cap),
                format!("role {role} has {} participants and a maximum of {max}", s.count(role)),
            ));
        }
        if clients > 0
            && let Some(max) = r.maximum_active_participants_constraint
            && s.active(role) + 1 > u64::from(max)
        {
            return Err(deny(
                rule,
                Some(cap),
                format!(
                    "role {role} has {} active participants and a maximum of {max}",
                    s.active(role)
                ),
            ));
        }
        Ok(())
    }

    /// The minimum constraints of `role` when one of its participants (active or not) leaves it.
    pub(super) fn check_min(&self, s: &State, role: u32, was_active: bool, cap: Cap) -> Result<(), Decision> {
        if self.on(PolicyFault::IgnoreMinConstraints) || role == 0 {
            return Ok(());
        }
        let r = s.role(role).expect("listed roles are defined");
        let min = u64::from(r.minimum_participants_constraint);
        if s.count(role) < min + 1 {
            return Err(deny(
                Rule::MinParticipants,
                Some(cap),
                format!("role {role} has {} participants and a minimum of {min}", s.count(role)),
            ));
        }
        let min_active = u64::from(r.minimum_active_participants_constraint);
        if was_active && s.active(role) < min_active + 1 {
            return Err(deny(
                Rule::MinActiveParticipants,
                Some(cap),
                format!(
                    "role {role} has {} active participants and a minimum of {min_active}",
                    s.active(role)
                ),
            ));
        }
        Ok(())
    }

    /// §5: a new non-banned entry, and `clients` more clients for one new user.
    pub(super) fn check_room_limits(&self, s: &State, new_entry: bool, clients: u32, cap: Cap) -> Result<(), Decision> {
        if self.on(PolicyFault::IgnoreRoomLimits) {
            return Ok(());
        }
        let Some(b) = &s.base else { return Ok(()) };
        if new_entry
            && let Some(max) = b.max_users
            && s.non_banned() + 1 > u64::from(max)
        {
            return Err(deny(
                Rule::MaxUsers,
                Some(cap),
                format!("{} non-banned participants and max_users {max}", s.non_banned()),
            ));
        }
        if !b.multi_device && clients > 1 {
            return Err(deny(
                Rule::MultiDevice,
                Some(cap),
                format!("multi_device is false and the user would have {clients} clients"),
            ));
        }
        if let Some(max) = b.max_clients
            && s.total_clients() + u64::from(clients) > u64::from(max)
        {
            return Err(deny(
                Rule::MaxClients,
                Some(cap),
                format!("{} clients plus {clients} exceed max_clients {max}", s.total_clients()),
            ));
        }
        Ok(())
    }

    pub(super) fn fixed_membership(&self, s: &State, cap: Cap) -> Result<(), Decision> {
        if self.fixed(s) {
            return Err(deny(
                Rule::FixedMembership,
                Some(cap),
                "the room has fixed membership: users are not added, do not leave and are not removed".into(),
            ));
        }
        Ok(())
    }

    pub(super) fn defined(&self, s: &State, role: u32, cap: Cap) -> Result<(), Decision> {
        if !self.on(PolicyFault::AcceptUnknownRoles) && (role == 0 || s.role(role).is_none()) {
            return Err(deny(
                Rule::UnknownRole,
                Some(cap),
                format!("role {role} is not a non-zero role of roles_list"),
            ));
        }
        Ok(())
    }

    pub(super) fn other_listed(&self, s: &State, user: &str, cap: Cap) -> Result<(), Decision> {
        if self.on(PolicyFault::IgnoreTargets) {
            return Ok(());
        }
        if user == self.actor() {
            return Err(deny(Rule::TargetSelf, Some(cap), format!("{cap} acts on another user")));
        }
        if !s.list.contains_key(user) {
            return Err(deny(
                Rule::TargetNotListed,
                Some(cap),
                format!("{user} is not in the participant list"),
            ));
        }
        Ok(())
    }

    pub(super) fn self_commit(&self, cap: Cap) -> Result<(), Decision> {
        if !self.on(PolicyFault::AllowSelfCommit) && self.change.committer.as_deref() == Some(self.actor()) {
            return Err(deny(
                Rule::SelfCommit,
                Some(cap),
                "this action cannot be committed by the leaving user".into(),
            ));
        }
        Ok(())
    }

    /// The first preauthorization entry the actor matches whose role satisfies `accept`.
    pub(super) fn preauth_role(&self, s: &State, accept: impl Fn(u32) -> bool) -> Option<u32> {
        let skip = self.on(PolicyFault::SkipPreauthMatching);
        s.preauth
            .preauthorized_entries
            .iter()
            .find(|e| accept(e.target_role.role_index) && (skip || e.matches(&self.change.actor_claims)))
            .map(|e| e.target_role.role_index)
    }
}
