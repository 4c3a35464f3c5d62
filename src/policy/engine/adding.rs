//! §8.1.1 Adding: canAddParticipant, canAddOwnClient, canOpenJoin, canJoinIfPreauthorized,
//! canUseJoinCode.

use super::{Engine, State, Step, allow, deny};
use crate::codec::policy::CapabilityType as Cap;
use crate::policy::{PolicyFault, Rule};

impl Engine<'_> {
    /// canAddParticipant: a user not yet listed, into a role the actor's role may give from 0.
    pub(super) fn add(&self, s: &mut State, user: &str, role: u32, clients: u32) -> Step {
        let actor = self.actor().to_owned();
        let actor_role = s.role_of(&actor);
        let cap = Cap::CAN_ADD_PARTICIPANT;
        self.require(s, cap)?;
        self.fixed_membership(s, cap)?;
        if !self.on(PolicyFault::IgnoreTargets) && (user == actor || s.list.contains_key(user)) {
            return Err(deny(
                Rule::AddTargetListed,
                Some(cap),
                format!("{user} is already in the participant list or is the actor"),
            ));
        }
        self.defined(s, role, cap)?;
        if !self.may_change(s, actor_role, 0, role) {
            return Err(deny(
                Rule::AddRoleChange,
                Some(cap),
                format!("role {actor_role} has no authorized_role_changes entry from 0 including {role}"),
            ));
        }
        self.check_max(s, role, clients, Rule::MaxParticipants, cap)?;
        self.check_room_limits(s, role != 1, clients, cap)?;
        s.list.insert(user.to_owned(), (role, clients));
        Ok(allow(
            Rule::AddRoleChange,
            Some(cap),
            format!("{user} added as role {role}"),
        ))
    }

    /// canAddOwnClient: more clients of a listed holder, within multi_device and the limits.
    pub(super) fn add_own_client(&self, s: &mut State, clients: u32) -> Step {
        let actor = self.actor().to_owned();
        let actor_role = s.role_of(&actor);
        let cap = Cap::CAN_ADD_OWN_CLIENT;
        self.require(s, cap)?;
        if !self.on(PolicyFault::IgnoreOwnClientChecks) && !s.list.contains_key(&actor) {
            return Err(deny(
                Rule::OwnClient,
                Some(cap),
                "the holder is not in the participant list".into(),
            ));
        }
        let have = s.clients_of(&actor);
        if !self.on(PolicyFault::IgnoreRoomLimits)
            && s.base.as_ref().is_some_and(|b| !b.multi_device)
            && have + clients > 1
        {
            return Err(deny(
                Rule::MultiDevice,
                Some(cap),
                format!(
                    "multi_device is false and {actor} would have {} clients",
                    have + clients
                ),
            ));
        }
        if have == 0 && !self.on(PolicyFault::IgnoreMaxConstraints) {
            let max = s
                .role(actor_role)
                .and_then(|r| r.maximum_active_participants_constraint);
            if let Some(max) = max
                && s.active(actor_role) + 1 > u64::from(max)
            {
                return Err(deny(
                    Rule::MaxActiveParticipants,
                    Some(cap),
                    format!("role {actor_role} allows at most {max} active participants"),
                ));
            }
        }
        // multi_device was checked above with the user's own count.
        if !self.on(PolicyFault::IgnoreRoomLimits)
            && let Some(max) = s.base.as_ref().and_then(|b| b.max_clients)
            && s.total_clients() + u64::from(clients) > u64::from(max)
        {
            return Err(deny(
                Rule::MaxClients,
                Some(cap),
                format!("{} clients plus {clients} exceed max_clients {max}", s.total_clients()),
            ));
        }
        s.list.insert(actor.clone(), (actor_role, have + clients));
        Ok(allow(
            Rule::OwnClient,
            Some(cap),
            format!("{clients} client(s) of {actor} added"),
        ))
    }

    /// canJoinIfPreauthorized: an unlisted requester joins as the first preauthorized role it matches.
    pub(super) fn join_preauth(&self, s: &mut State, clients: u32) -> Step {
        let actor = self.actor().to_owned();
        let actor_role = s.role_of(&actor);
        let cap = Cap::CAN_JOIN_IF_PREAUTHORIZED;
        if !self.on(PolicyFault::PreauthForListedRequesters) && s.list.contains_key(&actor) {
            return Err(deny(
                Rule::PreauthListedRequester,
                Some(cap),
                format!("{actor} is in the participant list (role {actor_role})"),
            ));
        }
        let Some(role) = self.preauth_role(s, |_| true) else {
            return Err(deny(
                Rule::PreauthMatch,
                Some(cap),
                "no preauthorization entry matches the requester's claims".into(),
            ));
        };
        self.defined(s, role, cap)?;
        if !self.on(PolicyFault::IgnoreCapabilities) && !s.role(role).is_some_and(|r| r.has(cap)) {
            return Err(deny(
                Rule::CapabilityMissing,
                Some(cap),
                format!("the preauthorized role {role} does not hold {cap}"),
            ));
        }
        self.fixed_membership(s, cap)?;
        self.check_max(s, role, clients, Rule::MaxParticipants, cap)?;
        self.check_room_limits(s, role != 1, clients, cap)?;
        s.list.insert(actor.clone(), (role, clients));
        Ok(allow(
            Rule::PreauthMatch,
            Some(cap),
            format!("{actor} joins as role {role}"),
        ))
    }

    /// canOpenJoin (on role 0 only): an unlisted user adds itself into a role that role 0 may give.
    pub(super) fn open_join(&self, s: &mut State, role: u32, clients: u32) -> Step {
        let actor = self.actor().to_owned();
        let cap = Cap::CAN_OPEN_JOIN;
        if !self.on(PolicyFault::IgnoreTargets) && s.list.contains_key(&actor) {
            return Err(deny(
                Rule::AddTargetListed,
                Some(cap),
                format!("{actor} is already in the participant list"),
            ));
        }
        self.require(s, cap)?;
        if let Some(r) = s
            .roles
            .roles
            .iter()
            .find(|r| r.role_index != 0 && r.has(cap))
            .filter(|_| !self.on(PolicyFault::AllowOpenJoinOnUserRoles))
        {
            return Err(deny(
                Rule::OpenJoinNonZeroRole,
                Some(cap),
                format!("canOpenJoin appears on role {}", r.role_index),
            ));
        }
        self.fixed_membership(s, cap)?;
        self.defined(s, role, cap)?;
        if !self.may_change(s, 0, 0, role) {
            return Err(deny(
                Rule::OpenJoinRoleChange,
                Some(cap),
                format!("role 0 has no entry from 0 including {role}"),
            ));
        }
        self.check_max(s, role, clients, Rule::MaxParticipants, cap)?;
        self.check_room_limits(s, role != 1, clients, cap)?;
        s.list.insert(actor.clone(), (role, clients));
        Ok(allow(
            Rule::OpenJoinRoleChange,
            Some(cap),
            format!("{actor} joins as role {role}"),
        ))
    }

    /// canUseJoinCode: an unlisted user joins with a valid code for a role that role 0 may give.
    pub(super) fn join_code(&self, s: &mut State, role: u32, code_valid: bool, clients: u32) -> Step {
        let actor = self.actor().to_owned();
        let cap = Cap::CAN_USE_JOIN_CODE;
        self.require(s, cap)?;
        if !self.on(PolicyFault::IgnoreTargets) && s.list.contains_key(&actor) {
            return Err(deny(
                Rule::AddTargetListed,
                Some(cap),
                format!("{actor} is already in the participant list"),
            ));
        }
        let any_code = self.on(PolicyFault::AcceptAnyJoinCode);
        if !code_valid && !any_code {
            return Err(deny(Rule::JoinCode, Some(cap), "the join code is not valid".into()));
        }
        self.defined(s, role, cap)?;
        if !any_code && !self.may_change(s, 0, 0, role) {
            return Err(deny(
                Rule::JoinCode,
                Some(cap),
                format!("role {role} is not a target of role 0's entry from 0"),
            ));
        }
        self.fixed_membership(s, cap)?;
        self.check_max(s, role, clients, Rule::MaxParticipants, cap)?;
        self.check_room_limits(s, role != 1, clients, cap)?;
        s.list.insert(actor.clone(), (role, clients));
        Ok(allow(
            Rule::JoinCode,
            Some(cap),
            format!("{actor} joins as role {role}"),
        ))
    }
}
