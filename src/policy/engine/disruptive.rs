//! §8.6 Disruptive policy changes: canChangeRoleDefinitions, canChangePreauthorizedUserList,
//! canChangeRoomMembershipStyle (canDestroyRoom and canSendMLSReinitProposal need the capability
//! alone).

use super::{Engine, State, Step, allow, deny};
use crate::codec::policy::{BaseRoomPolicy, CapabilityType as Cap, PreAuthData, RoleData};
use crate::policy::{PolicyFault, Rule};

impl Engine<'_> {
    /// canChangeRoleDefinitions: roles_list replaced (canOpenJoin stays on role 0; no adder in a
    /// fixed-membership room).
    pub(super) fn update_roles(&self, s: &mut State, roles: &RoleData) -> Step {
        let cap = Cap::CAN_CHANGE_ROLE_DEFINITIONS;
        self.require(s, cap)?;
        if let Some(r) = roles
            .roles
            .iter()
            .find(|r| r.role_index != 0 && r.has(Cap::CAN_OPEN_JOIN))
            .filter(|_| !self.on(PolicyFault::AllowOpenJoinOnUserRoles))
        {
            return Err(deny(
                Rule::OpenJoinNonZeroRole,
                Some(cap),
                format!("the update puts canOpenJoin on role {}", r.role_index),
            ));
        }
        if self.fixed(s)
            && let Some(r) = adds_in_fixed_room(roles)
        {
            return Err(deny(
                Rule::FixedMembership,
                Some(cap),
                format!("role {r} would hold canAddParticipant in a fixed-membership room"),
            ));
        }
        s.roles = roles.clone();
        Ok(allow(Rule::CapabilityHeld, Some(cap), "roles_list replaced".into()))
    }

    /// canChangePreauthorizedUserList: preauth_list replaced.
    pub(super) fn update_preauth(&self, s: &mut State, preauth: &PreAuthData) -> Step {
        let cap = Cap::CAN_CHANGE_PREAUTHORIZED_USER_LIST;
        self.require(s, cap)?;
        s.preauth = preauth.clone();
        Ok(allow(Rule::CapabilityHeld, Some(cap), "preauth_list replaced".into()))
    }

    /// canChangeRoomMembershipStyle: base_room_policy replaced (fixed membership only without an adder).
    pub(super) fn update_base_policy(&self, s: &mut State, base_policy: &BaseRoomPolicy) -> Step {
        let cap = Cap::CAN_CHANGE_ROOM_MEMBERSHIP_STYLE;
        self.require(s, cap)?;
        if base_policy.fixed_membership
            && !self.on(PolicyFault::IgnoreFixedMembership)
            && let Some(r) = adds_in_fixed_room(&s.roles)
        {
            return Err(deny(
                Rule::FixedMembership,
                Some(cap),
                format!("role {r} holds canAddParticipant, so the room cannot have fixed membership"),
            ));
        }
        s.base = Some(base_policy.clone());
        Ok(allow(
            Rule::CapabilityHeld,
            Some(cap),
            "base_room_policy replaced".into(),
        ))
    }
}

/// §5: the first non-zero, non-banned role holding canAddParticipant.
fn adds_in_fixed_room(roles: &RoleData) -> Option<u32> {
    roles
        .roles
        .iter()
        .find(|r| r.role_index > 1 && r.has(Cap::CAN_ADD_PARTICIPANT))
        .map(|r| r.role_index)
}
