//! The decision procedure. Each action is checked in a fixed order (capability first, then the
//! action's shape, then `authorized_role_changes`, then constraints), so that the rule a denial
//! names is deterministic; the order is the one the vectors expect.

use std::collections::{BTreeMap, BTreeSet};

use super::{Action, Change, DecideParams, Decision, InputError, MetadataField, PolicyFault, Rule};
use crate::codec::policy::{BaseRoomPolicy, CapabilityType as Cap, PreAuthData, Role, RoleData};

/// Decides with a correct engine.
pub fn decide(params: &DecideParams) -> Result<Decision, InputError> {
    decide_with(params, &BTreeSet::new())
}

/// Decides with the given deliberate faults switched on.
pub fn decide_with(params: &DecideParams, faults: &BTreeSet<PolicyFault>) -> Result<Decision, InputError> {
    let mut state = State::new(params)?;
    let change = &params.change;
    if change.actions.is_empty() {
        return Err(InputError::NoAction);
    }
    let e = Engine { faults, change };
    if let Err(d) = e.commit_checks() {
        return Ok(d);
    }
    let mut last = None;
    for action in &change.actions {
        match e.action(&mut state, action) {
            Ok(d) => last = Some(d),
            Err(d) => return Ok(d),
        }
    }
    let last = last.expect("at least one action");
    if change.actions.len() == 1 {
        Ok(last)
    } else {
        Ok(allow(
            Rule::CommitAuthorized,
            None,
            format!("all {} changes of the commit are authorized", change.actions.len()),
        ))
    }
}

/// The room as the engine sees it while it walks through a commit.
struct State {
    roles: RoleData,
    base: Option<BaseRoomPolicy>,
    preauth: PreAuthData,
    /// user → (role, clients)
    list: BTreeMap<String, (u32, u32)>,
}

impl State {
    fn new(p: &DecideParams) -> Result<Self, InputError> {
        let roles = p.room_policy.roles.clone();
        let mut seen = BTreeSet::new();
        for r in &roles.roles {
            if !seen.insert(r.role_index) {
                return Err(InputError::DuplicateRole(r.role_index));
            }
        }
        let mut list = BTreeMap::new();
        for part in &p.participants {
            if part.role == 0 {
                return Err(InputError::ParticipantWithRoleZero(part.user.clone()));
            }
            if roles.role(part.role).is_none() {
                return Err(InputError::UndefinedParticipantRole {
                    user: part.user.clone(),
                    role: part.role,
                });
            }
            if list.insert(part.user.clone(), (part.role, part.clients)).is_some() {
                return Err(InputError::DuplicateParticipant(part.user.clone()));
            }
        }
        Ok(State {
            roles,
            base: p.room_policy.base_policy.clone(),
            preauth: p.room_policy.preauth.clone().unwrap_or_default(),
            list,
        })
    }

    fn role_of(&self, user: &str) -> u32 {
        self.list.get(user).map_or(0, |&(r, _)| r)
    }

    fn clients_of(&self, user: &str) -> u32 {
        self.list.get(user).map_or(0, |&(_, c)| c)
    }

    fn count(&self, role: u32) -> u64 {
        self.list.values().filter(|&&(r, _)| r == role).count() as u64
    }

    fn active(&self, role: u32) -> u64 {
        self.list.values().filter(|&&(r, c)| r == role && c > 0).count() as u64
    }

    fn non_banned(&self) -> u64 {
        self.list.values().filter(|&&(r, _)| r != 1).count() as u64
    }

    fn total_clients(&self) -> u64 {
        self.list.values().map(|&(_, c)| u64::from(c)).sum()
    }

    fn role(&self, index: u32) -> Option<&Role> {
        self.roles.role(index)
    }

    /// Role 1 exists and is named exactly "banned" (§8.1.3).
    fn banned_role_ok(&self) -> bool {
        self.role(1).is_some_and(|r| r.role_name.0 == b"banned")
    }
}

fn allow(rule: Rule, capability: Option<Cap>, reason: String) -> Decision {
    Decision {
        allowed: true,
        rule,
        capability,
        section: rule.section().to_owned(),
        reason,
    }
}

fn deny(rule: Rule, capability: Option<Cap>, reason: String) -> Decision {
    Decision {
        allowed: false,
        rule,
        capability,
        section: rule.section().to_owned(),
        reason,
    }
}

type Step = Result<Decision, Decision>;

struct Engine<'a> {
    faults: &'a BTreeSet<PolicyFault>,
    change: &'a Change,
}

/// Whether an action changes the participant list, and for which user.
fn list_target<'a>(action: &'a Action, actor: &'a str) -> Option<&'a str> {
    match action {
        Action::Add { user, .. }
        | Action::Remove { user, .. }
        | Action::ChangeRole { user, .. }
        | Action::Ban { user }
        | Action::Unban { user, .. } => Some(user),
        Action::Leave { .. }
        | Action::ChangeOwnRole
        | Action::JoinPreauth { .. }
        | Action::OpenJoin { .. }
        | Action::JoinCode { .. } => Some(actor),
        _ => None,
    }
}

fn is_removal(action: &Action) -> bool {
    matches!(action, Action::Remove { .. } | Action::Leave { .. })
}

/// §3 (POL-X03) and §4 (POL-X04): a RoleUpdate next to a participant-list change, or a
/// PreAuthUpdate next to one other than a removal, in one commit. `actions` may be the actions of
/// several actors (a hub checks a whole commit; each actor's are decided on their own); the
/// denial, if any.
pub fn combination(actions: &[Action], faults: &BTreeSet<PolicyFault>) -> Option<Decision> {
    if faults.contains(&PolicyFault::IgnoreCommitCombinations) {
        return None;
    }
    // Whose entry a change touches does not matter here, only whether it touches one.
    let list_changes: Vec<&Action> = actions.iter().filter(|a| list_target(a, "").is_some()).collect();
    if actions.iter().any(|a| matches!(a, Action::UpdateRoles { .. })) && !list_changes.is_empty() {
        return Some(deny(
            Rule::RoleUpdateWithMembershipChange,
            None,
            "a RoleUpdate is not valid in the same commit as a participant-list change".into(),
        ));
    }
    if actions.iter().any(|a| matches!(a, Action::UpdatePreauth { .. })) && list_changes.iter().any(|a| !is_removal(a))
    {
        return Some(deny(
            Rule::PreauthUpdateWithMembershipChange,
            None,
            "a PreAuthUpdate is not valid in the same commit as a participant-list change other than a removal".into(),
        ));
    }
    None
}

impl Engine<'_> {
    fn on(&self, f: PolicyFault) -> bool {
        self.faults.contains(&f)
    }

    fn actor(&self) -> &str {
        &self.change.actor
    }

    /// §3, §4 and the one-change-per-user reading of §8's "consistent" proposals.
    fn commit_checks(&self) -> Result<(), Decision> {
        let actions = &self.change.actions;
        let actor = self.actor();
        let list_changes: Vec<&Action> = actions.iter().filter(|a| list_target(a, actor).is_some()).collect();
        if let Some(d) = combination(actions, self.faults) {
            return Err(d);
        }
        if self.on(PolicyFault::AllowConflictingChanges) {
            return Ok(());
        }
        let mut seen = BTreeSet::new();
        for a in &list_changes {
            let user = list_target(a, actor).expect("filtered");
            if !seen.insert(user) {
                return Err(deny(
                    Rule::ConflictingChanges,
                    None,
                    format!("the commit changes the participant-list entry of {user} more than once"),
                ));
            }
        }
        Ok(())
    }

    /// The actor's role (0 when not listed) must hold `cap`.
    fn require(&self, s: &State, cap: Cap) -> Result<(), Decision> {
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

    fn may_change(&self, s: &State, holder_role: u32, from: u32, to: u32) -> bool {
        self.on(PolicyFault::IgnoreRoleChanges) || s.role(holder_role).is_some_and(|r| r.may_change(from, to))
    }

    fn fixed(&self, s: &State) -> bool {
        !self.on(PolicyFault::IgnoreFixedMembership) && s.base.as_ref().is_some_and(|b| b.fixed_membership)
    }

    /// The maximum constraints of `role` for one more participant, active when `clients > 0`.
    fn check_max(&self, s: &State, role: u32, clients: u32, rule: Rule, cap: Cap) -> Result<(), Decision> {
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
    fn check_min(&self, s: &State, role: u32, was_active: bool, cap: Cap) -> Result<(), Decision> {
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
    fn check_room_limits(&self, s: &State, new_entry: bool, clients: u32, cap: Cap) -> Result<(), Decision> {
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

    fn fixed_membership(&self, s: &State, cap: Cap) -> Result<(), Decision> {
        if self.fixed(s) {
            return Err(deny(
                Rule::FixedMembership,
                Some(cap),
                "the room has fixed membership: users are not added, do not leave and are not removed".into(),
            ));
        }
        Ok(())
    }

    fn defined(&self, s: &State, role: u32, cap: Cap) -> Result<(), Decision> {
        if !self.on(PolicyFault::AcceptUnknownRoles) && (role == 0 || s.role(role).is_none()) {
            return Err(deny(
                Rule::UnknownRole,
                Some(cap),
                format!("role {role} is not a non-zero role of roles_list"),
            ));
        }
        Ok(())
    }

    fn other_listed(&self, s: &State, user: &str, cap: Cap) -> Result<(), Decision> {
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

    fn self_commit(&self, cap: Cap) -> Result<(), Decision> {
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
    fn preauth_role(&self, s: &State, accept: impl Fn(u32) -> bool) -> Option<u32> {
        let skip = self.on(PolicyFault::SkipPreauthMatching);
        s.preauth
            .preauthorized_entries
            .iter()
            .find(|e| accept(e.target_role.role_index) && (skip || e.matches(&self.change.actor_claims)))
            .map(|e| e.target_role.role_index)
    }

    fn action(&self, s: &mut State, action: &Action) -> Step {
        let actor = self.actor().to_owned();
        let actor_role = s.role_of(&actor);
        match action {
            Action::Add { user, role, clients } => {
                let cap = Cap::CAN_ADD_PARTICIPANT;
                self.require(s, cap)?;
                self.fixed_membership(s, cap)?;
                if !self.on(PolicyFault::IgnoreTargets) && (*user == actor || s.list.contains_key(user)) {
                    return Err(deny(
                        Rule::AddTargetListed,
                        Some(cap),
                        format!("{user} is already in the participant list or is the actor"),
                    ));
                }
                self.defined(s, *role, cap)?;
                if !self.may_change(s, actor_role, 0, *role) {
                    return Err(deny(
                        Rule::AddRoleChange,
                        Some(cap),
                        format!("role {actor_role} has no authorized_role_changes entry from 0 including {role}"),
                    ));
                }
                self.check_max(s, *role, *clients, Rule::MaxParticipants, cap)?;
                self.check_room_limits(s, *role != 1, *clients, cap)?;
                s.list.insert(user.clone(), (*role, *clients));
                Ok(allow(
                    Rule::AddRoleChange,
                    Some(cap),
                    format!("{user} added as role {role}"),
                ))
            }
            Action::Remove {
                user,
                removes_all_clients,
            } => {
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
            Action::Leave { removes_all_clients } => {
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
            Action::Kick { user } => {
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
            Action::ChangeRole { user, role } => {
                let cap = Cap::CAN_CHANGE_USER_ROLE;
                self.require(s, cap)?;
                self.other_listed(s, user, cap)?;
                self.defined(s, *role, cap)?;
                let from = s.role_of(user);
                if !self.may_change(s, actor_role, from, *role) {
                    return Err(deny(
                        Rule::RoleChange,
                        Some(cap),
                        format!("role {actor_role} has no entry from {from} including {role}"),
                    ));
                }
                self.move_role(s, user, from, *role, cap)?;
                Ok(allow(
                    Rule::RoleChange,
                    Some(cap),
                    format!("{user} moved from role {from} to {role}"),
                ))
            }
            Action::ChangeOwnRole => {
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
            Action::Ban { user } => {
                let cap = Cap::CAN_BAN;
                self.require(s, cap)?;
                if *user == actor && !self.on(PolicyFault::IgnoreTargets) {
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
                s.list.insert(user.clone(), (1, 0));
                Ok(allow(Rule::BanRoleChange, Some(cap), format!("{user} banned")))
            }
            Action::Unban { user, role } => {
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
                self.defined(s, *role, cap)?;
                if !self.may_change(s, actor_role, 1, *role) {
                    return Err(deny(
                        Rule::UnbanRoleChange,
                        Some(cap),
                        format!("role {actor_role} has no entry from 1 including {role}"),
                    ));
                }
                self.move_role(s, user, from, *role, cap)?;
                Ok(allow(
                    Rule::UnbanRoleChange,
                    Some(cap),
                    format!("{user} unbanned to role {role}"),
                ))
            }
            Action::AddOwnClient { clients } => {
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
                    && s.total_clients() + u64::from(*clients) > u64::from(max)
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
            Action::RemoveOwnClient => {
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
            Action::JoinPreauth { clients } => {
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
                self.check_max(s, role, *clients, Rule::MaxParticipants, cap)?;
                self.check_room_limits(s, role != 1, *clients, cap)?;
                s.list.insert(actor.clone(), (role, *clients));
                Ok(allow(
                    Rule::PreauthMatch,
                    Some(cap),
                    format!("{actor} joins as role {role}"),
                ))
            }
            Action::OpenJoin { role, clients } => {
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
                self.defined(s, *role, cap)?;
                if !self.may_change(s, 0, 0, *role) {
                    return Err(deny(
                        Rule::OpenJoinRoleChange,
                        Some(cap),
                        format!("role 0 has no entry from 0 including {role}"),
                    ));
                }
                self.check_max(s, *role, *clients, Rule::MaxParticipants, cap)?;
                self.check_room_limits(s, *role != 1, *clients, cap)?;
                s.list.insert(actor.clone(), (*role, *clients));
                Ok(allow(
                    Rule::OpenJoinRoleChange,
                    Some(cap),
                    format!("{actor} joins as role {role}"),
                ))
            }
            Action::JoinCode {
                role,
                code_valid,
                clients,
            } => {
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
                self.defined(s, *role, cap)?;
                if !any_code && !self.may_change(s, 0, 0, *role) {
                    return Err(deny(
                        Rule::JoinCode,
                        Some(cap),
                        format!("role {role} is not a target of role 0's entry from 0"),
                    ));
                }
                self.fixed_membership(s, cap)?;
                self.check_max(s, *role, *clients, Rule::MaxParticipants, cap)?;
                self.check_room_limits(s, *role != 1, *clients, cap)?;
                s.list.insert(actor.clone(), (*role, *clients));
                Ok(allow(
                    Rule::JoinCode,
                    Some(cap),
                    format!("{actor} joins as role {role}"),
                ))
            }
            Action::Metadata { field } => {
                let cap = match field {
                    MetadataField::Name => Cap::CAN_CHANGE_ROOM_NAME,
                    MetadataField::Description => Cap::CAN_CHANGE_ROOM_DESCRIPTION,
                    MetadataField::Avatar => Cap::CAN_CHANGE_ROOM_AVATAR,
                    MetadataField::Subject => Cap::CAN_CHANGE_ROOM_SUBJECT,
                    MetadataField::Mood => Cap::CAN_CHANGE_ROOM_MOOD,
                };
                self.plain(s, cap)
            }
            Action::SendMessage => self.plain(s, Cap::CAN_SEND_MESSAGE),
            Action::Reinit => self.plain(s, Cap::CAN_SEND_MLS_REINIT_PROPOSAL),
            Action::DestroyRoom => self.plain(s, Cap::CAN_DESTROY_ROOM),
            Action::UpdateRoles { roles } => {
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
            Action::UpdatePreauth { preauth } => {
                let cap = Cap::CAN_CHANGE_PREAUTHORIZED_USER_LIST;
                self.require(s, cap)?;
                s.preauth = preauth.clone();
                Ok(allow(Rule::CapabilityHeld, Some(cap), "preauth_list replaced".into()))
            }
            Action::UpdateBasePolicy { base_policy } => {
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
    }

    /// An action that needs its capability and nothing else.
    fn plain(&self, s: &State, cap: Cap) -> Step {
        self.require(s, cap)?;
        Ok(allow(
            Rule::CapabilityHeld,
            Some(cap),
            format!("the actor's role holds {cap}"),
        ))
    }

    /// Moves a listed user from `from` to `to` (§8.1.3): minimum constraints of the old role,
    /// maximum constraints of the new one, and max_users when leaving role 1.
    fn move_role(&self, s: &mut State, user: &str, from: u32, to: u32, cap: Cap) -> Result<(), Decision> {
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

/// §5: the first non-zero, non-banned role holding canAddParticipant.
fn adds_in_fixed_room(roles: &RoleData) -> Option<u32> {
    roles
        .roles
        .iter()
        .find(|r| r.role_index > 1 && r.has(Cap::CAN_ADD_PARTICIPANT))
        .map(|r| r.role_index)
}
