//! §8.1.3 Role changes: canChangeUserRole, canChangeOwnRole, canBan, canUnban.

use super::{Engine, State, Step, allow, deny};
use crate::codec::policy::CapabilityType as Cap;
use crate::policy::{Decision, PolicyFault, Rule};

impl Engine<'_> {
    /// canChangeUserRole: another participant moved as the actor's authorized_role_changes allow.
    pub(super) fn change_role(&self, s: &mut State, user: &str, role: u32) -> Step {
        let actor = self.actor().to_owned();
        let actor_role = s.role_of(&actor);
        let cap = Cap::CAN_CHANGE_USER_ROLE;
        self.require(s, cap)?;
        self.other_listed(s, user, cap)?;
        self.defined(s, role, cap)?;
        let from = s.role_of(user);
        if !self.may_change(s, actor_role, from, role) {
            return Err(deny(
                Rule::RoleChange,
                Some(cap),
                format!("role {actor_role} has no entry from {from} including {role}"),
            ));
        }
        self.move_role(s, user, from, role, cap)?;
        Ok(allow(
            Rule::RoleChange,
            Some(cap),
            format!("{user} moved from role {from} to {role}"),
        ))
    }

    /// canChangeOwnRole: the actor takes the first non-zero preauthorized role it matches.
    pub(super) fn change_own_role(&self, s: &mut State) -> Step {
        let actor = self.actor().to_owned();
        let actor_role = s.role_of(&actor);
        let cap = Cap::CAN_CHANGE_OWN_ROLE;
        self.require(s, cap)?;
        let Some(role) = self.preauth_role(s, |r| r != 0) else {
            return Err(deny(
                Rule::PreauthMatch,
                Some(cap),
                "no preauthorization entry with a non-zero role matches the actor's claims".into(),
            ));
        };
        self.defined(s, role, cap)?;
        self.move_role(s, &actor, actor_role, role, cap)?;
        Ok(allow(
            Rule::PreauthMatch,
            Some(cap),
            format!("{actor} takes role {role}"),
        ))
    }

    /// canBan: another user moved to role 1, which must exist and be named "banned".
    pub(super) fn ban(&self, s: &mut State, user: &str) -> Step {
        let actor = self.actor().to_owned();
        let actor_role = s.role_of(&actor);
        let cap = Cap::CAN_BAN;
        self.require(s, cap)?;
        if user == actor && !self.on(PolicyFault::IgnoreTargets) {
            return Err(deny(Rule::TargetSelf, Some(cap), "canBan acts on another user".into()));
        }
        if !self.on(PolicyFault::BanWithoutBannedRole) && !s.banned_role_ok() {
            return Err(deny(
                Rule::BanBannedRole,
                Some(cap),
                "role 1 does not exist with role_name \"banned\"".into(),
            ));
        }
        let from = s.role_of(user);
        if !self.may_change(s, actor_role, from, 1) {
            return Err(deny(
                Rule::BanRoleChange,
                Some(cap),
                format!("role {actor_role} has no entry from {from} including 1"),
            ));
        }
        self.check_min(s, from, s.clients_of(user) > 0, cap)?;
        s.list.insert(user.to_owned(), (1, 0));
        Ok(allow(Rule::BanRoleChange, Some(cap), format!("{user} banned")))
    }

    /// canUnban: a user of role 1 ("banned") moved to a role the actor may give from 1.
    pub(super) fn unban(&self, s: &mut State, user: &str, role: u32) -> Step {
        let actor = self.actor().to_owned();
        let actor_role = s.role_of(&actor);
        let cap = Cap::CAN_UN_BAN;
        self.require(s, cap)?;
        self.other_listed(s, user, cap)?;
        if !self.on(PolicyFault::UnbanWithoutBannedRole) && !s.banned_role_ok() {
            return Err(deny(
                Rule::UnbanBannedRole,
                Some(cap),
                "role 1 does not exist with role_name \"banned\"".into(),
            ));
        }
        let from = s.role_of(user);
        if from != 1 && !self.on(PolicyFault::UnbanWithoutBannedRole) {
            return Err(deny(
                Rule::UnbanBannedRole,
                Some(cap),
                format!("{user} has role {from}, not 1"),
            ));
        }
        self.defined(s, role, cap)?;
        if !self.may_change(s, actor_role, 1, role) {
            return Err(deny(
                Rule::UnbanRoleChange,
                Some(cap),
                format!("role {actor_role} has no entry from 1 including {role}"),
            ));
        }
        self.move_role(s, user, from, role, cap)?;
        Ok(allow(
            Rule::UnbanRoleChange,
            Some(cap),
            format!("{user} unbanned to role {role}"),
        ))
    }

    /// Moves a listed user from `from` to `to` (§8.1.3): minimum constraints of the old role,
    /// maximum constraints of the new one, and max_users when leaving role 1.
    pub(super) fn move_role(&self, s: &mut State, user: &str, from: u32, to: u32, cap: Cap) -> Result<(), Decision> {
        let clients = s.clients_of(user);
        self.check_min(s, from, clients > 0, cap)?;
        self.check_max(s, to, clients, Rule::RoleChangeMax, cap)?;
        if from == 1 && to != 1 {
            self.check_room_limits(s, true, 0, cap)?;
        }
        s.list.insert(user.to_owned(), (to, clients));
        Ok(())
    }
}
