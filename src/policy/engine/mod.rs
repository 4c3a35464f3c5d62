//! The decision procedure. Each action is checked in a fixed order (capability first, then the
//! action's shape, then `authorized_role_changes`, then constraints), so that the rule a denial
//! names is deterministic; the order is the one the vectors expect.

use std::collections::{BTreeMap, BTreeSet};

mod adding;
mod constraints;
mod disruptive;
mod removing;
mod role_changes;

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

    /// One action, checked by the §8 subsection of its capability: §8.1.1 adding
    /// (`adding.rs`), §8.1.2 removing (`removing.rs`), §8.1.3 role changes (`role_changes.rs`),
    /// §8.2 metadata and §8.3 messages (the capability alone), §8.6 disruptive policy changes
    /// (`disruptive.rs`).
    fn action(&self, s: &mut State, action: &Action) -> Step {
        match action {
            Action::Add { user, role, clients } => self.add(s, user, *role, *clients),
            Action::Remove {
                user,
                removes_all_clients,
            } => self.remove(s, user, *removes_all_clients),
            Action::Leave { removes_all_clients } => self.leave(s, *removes_all_clients),
            Action::Kick { user } => self.kick(s, user),
            Action::ChangeRole { user, role } => self.change_role(s, user, *role),
            Action::ChangeOwnRole => self.change_own_role(s),
            Action::Ban { user } => self.ban(s, user),
            Action::Unban { user, role } => self.unban(s, user, *role),
            Action::AddOwnClient { clients } => self.add_own_client(s, *clients),
            Action::RemoveOwnClient => self.remove_own_client(s),
            Action::JoinPreauth { clients } => self.join_preauth(s, *clients),
            Action::OpenJoin { role, clients } => self.open_join(s, *role, *clients),
            Action::JoinCode {
                role,
                code_valid,
                clients,
            } => self.join_code(s, *role, *code_valid, *clients),
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
            Action::UpdateRoles { roles } => self.update_roles(s, roles),
            Action::UpdatePreauth { preauth } => self.update_preauth(s, preauth),
            Action::UpdateBasePolicy { base_policy } => self.update_base_policy(s, base_policy),
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
}
