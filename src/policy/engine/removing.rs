//! §8.1.2 Removing: canRemoveParticipant, canRemoveSelf, canKick, canRemoveOwnClient.

use super::{Engine, State, Step, allow, deny};
use crate::codec::policy::CapabilityType as Cap;
use crate::policy::{PolicyFault, Rule};

impl Engine<'_> {
    /// canRemoveParticipant: another listed user and all its clients, out of the participant list.
    pub(super) fn remove(&self, s: &mut State, user: &str, removes_all_clients: bool) -> Step {
        let actor = self.actor().to_owned();
        let actor_role = s.role_of(&actor);
        let cap = Cap::CAN_REMOVE_PARTICIPANT;
        self.require(s, cap)?;
        self.fixed_membership(s, cap)?;
        self.other_listed(s, user, cap)?;
        if !self.on(PolicyFault::LetClientsRemain) && !removes_all_clients && s.clients_of(user) > 0 {
            return Err(deny(
                Rule::RemoveClientsRemain,
                Some(cap),
                format!("clients of {user} would remain in the group"),
            ));
        }
        let target_role = s.role_of(user);
        if !self.may_change(s, actor_role, target_role, 0) {
            return Err(deny(
                Rule::RemoveRoleChange,
                Some(cap),
                format!("role {actor_role} has no entry from {target_role} including 0"),
            ));
        }
        self.check_min(s, target_role, s.clients_of(user) > 0, cap)?;
        s.list.remove(user);
        Ok(allow(Rule::RemoveRoleChange, Some(cap), format!("{user} removed")))
    }

    /// canRemoveSelf: the actor leaves, removing all of its clients at the same time.
    pub(super) fn leave(&self, s: &mut State, removes_all_clients: bool) -> Step {
        let actor = self.actor().to_owned();
        let actor_role = s.role_of(&actor);
        let cap = Cap::CAN_REMOVE_SELF;
        self.require(s, cap)?;
        self.fixed_membership(s, cap)?;
        if !self.on(PolicyFault::LetClientsRemain) && !removes_all_clients && s.clients_of(&actor) > 0 {
            return Err(deny(
                Rule::LeaveClientsRemain,
                Some(cap),
                "a leaving user must remove all of its clients at the same time".into(),
            ));
        }
        self.self_commit(cap)?;
        if !self.may_change(s, actor_role, actor_role, 0) {
            return Err(deny(
                Rule::LeaveRoleChange,
                Some(cap),
                format!("role {actor_role} has no entry from {actor_role} including 0"),
            ));
        }
        self.check_min(s, actor_role, s.clients_of(&actor) > 0, cap)?;
        s.list.remove(&actor);
        Ok(allow(Rule::LeaveRoleChange, Some(cap), format!("{actor} leaves")))
    }

    /// canKick: another participant's clients removed, the participant list unchanged.
    pub(super) fn kick(&self, s: &mut State, user: &str) -> Step {
        let cap = Cap::CAN_KICK;
        self.require(s, cap)?;
        self.other_listed(s, user, cap)?;
        let was_active = s.clients_of(user) > 0;
        if !was_active && !self.on(PolicyFault::IgnoreTargets) {
            return Err(deny(
                Rule::TargetNotListed,
                Some(cap),
                format!("{user} has no client to remove"),
            ));
        }
        let target_role = s.role_of(user);
        if was_active && !self.on(PolicyFault::IgnoreMinConstraints) {
            let min = s
                .role(target_role)
                .map_or(0, |r| r.minimum_active_participants_constraint);
            if s.active(target_role) < u64::from(min) + 1 {
                return Err(deny(
                    Rule::MinActiveParticipants,
                    Some(cap),
                    format!("role {target_role} would have fewer than {min} active participants"),
                ));
            }
        }
        if let Some(entry) = s.list.get_mut(user) {
            entry.1 = 0;
        }
        Ok(allow(
            Rule::CapabilityHeld,
            Some(cap),
            format!("clients of {user} removed"),
        ))
    }

    /// canRemoveOwnClient: one of the actor's clients removed, the participant list unchanged.
    pub(super) fn remove_own_client(&self, s: &mut State) -> Step {
        let actor = self.actor().to_owned();
        let actor_role = s.role_of(&actor);
        let cap = Cap::CAN_REMOVE_OWN_CLIENT;
        self.require(s, cap)?;
        let have = s.clients_of(&actor);
        if have == 0 && !self.on(PolicyFault::IgnoreOwnClientChecks) {
            return Err(deny(Rule::OwnClient, Some(cap), format!("{actor} has no client")));
        }
        self.self_commit(cap)?;
        if have == 1 && !self.on(PolicyFault::IgnoreMinConstraints) {
            let min = s
                .role(actor_role)
                .map_or(0, |r| r.minimum_active_participants_constraint);
            if s.active(actor_role) < u64::from(min) + 1 {
                return Err(deny(
                    Rule::MinActiveParticipants,
                    Some(cap),
                    format!("role {actor_role} would have fewer than {min} active participants"),
                ));
            }
        }
        s.list.insert(actor.clone(), (actor_role, have.saturating_sub(1)));
        Ok(allow(
            Rule::OwnClient,
            Some(cap),
            format!("a client of {actor} removed"),
        ))
    }
}
