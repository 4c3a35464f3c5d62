//! The hub enforcing the room's policy (draft-ietf-mimi-room-policy-03) on every commit it is
//! sent (§5.3 of draft-ietf-mimi-protocol-06: the hub "verifies policy"). A room whose
//! GroupContext holds a roles list (component 0x0025) has a policy; each commit is turned into the
//! policy engine's actions ([`super::commit_actions`]) and refused (notAllowed) unless allowed.
//! The committer is passed as such (§8.1.2: who may commit whose leave). Each actor's actions are
//! one decision of the engine; when a commit holds proposals of several users, the §3/§4 commit
//! combinations (a RoleUpdate or PreAuthUpdate next to participant-list changes) are also checked
//! across them. A room without a roles list is not checked. The validity rules of the policy
//! components themselves (§5, §6) are [`component_rules`] and [`within_parent`].

use std::collections::{BTreeMap, BTreeSet};

use super::commit_actions::{actions_by_actor, user_of};
use super::faults::{Fault, FaultSet};
use super::participants::{self, BANNED_ROLE};
use crate::codec::policy::{BaseRoomPolicy, ComponentId as PolicyComponent, PreAuthData, RoleData};
use crate::codec::protocol::{self, ParticipantListUpdate};
use crate::mls::{CommitView, HubRoom, PARTICIPANT_LIST, user_of_client};
use crate::policy::{Action, Change, DecideParams, Participant, RoomPolicy, decide_with};

/// The room's policy components, if it has a roles list.
pub fn room_policy(room: &HubRoom) -> Result<Option<RoomPolicy>, String> {
    let Some(roles) = room.component(PolicyComponent::ROLES_LIST.0) else {
        return Ok(None);
    };
    let roles: RoleData =
        crate::codec::policy::decode("RoleData", &roles).map_err(|e| format!("the roles list does not decode: {e}"))?;
    let base_policy = match room.component(PolicyComponent::BASE_ROOM_POLICY.0) {
        Some(b) => Some(
            crate::codec::policy::decode::<BaseRoomPolicy>("BaseRoomPolicy", &b)
                .map_err(|e| format!("the base room policy does not decode: {e}"))?,
        ),
        None => None,
    };
    let preauth = match room.component(PolicyComponent::PREAUTH_LIST.0) {
        Some(p) => Some(
            crate::codec::policy::decode::<PreAuthData>("PreAuthData", &p)
                .map_err(|e| format!("the preauthorization list does not decode: {e}"))?,
        ),
        None => None,
    };
    Ok(Some(RoomPolicy {
        roles,
        base_policy,
        preauth,
    }))
}

/// What a policy check needs of the room before the commit.
pub struct Snapshot {
    /// (user, role) in list order.
    list: Vec<(String, u32)>,
    /// User → member clients.
    clients: BTreeMap<String, u32>,
    /// The room_metadata component (§7.6 of draft-ietf-mimi-protocol-06), if the room has one.
    metadata: Option<Vec<u8>>,
}

impl Snapshot {
    pub fn of(room: &HubRoom) -> Self {
        let list = room
            .participant_list()
            .and_then(|l| participants::decode(&l).ok())
            .unwrap_or_default();
        let mut clients: BTreeMap<String, u32> = BTreeMap::new();
        for member in room.members() {
            if let Ok(user) = user_of_client(&member) {
                *clients.entry(user).or_default() += 1;
            }
        }
        Snapshot {
            list,
            clients,
            metadata: room.room_metadata(),
        }
    }
}

/// Checks one commit against `policy`: `Err` names the rule that denies it.
pub fn check(policy: &RoomPolicy, room: &Snapshot, view: &CommitView, faults: FaultSet) -> Result<(), String> {
    let committer = user_of(&view.committer);
    let by_actor = actions_by_actor(view, &room.list, room.metadata.as_deref(), &committer)?;
    if by_actor.len() > 1 && !faults.has(Fault::PolicyAllowsEverything) {
        // The commit combinations hold for the whole commit, whoever proposed what.
        let all: Vec<Action> = by_actor.values().flatten().cloned().collect();
        if let Some(d) = crate::policy::combination(&all, &faults.policy()) {
            return Err(format!(
                "room-policy-03 §{}: the proposals of {} users together denied by {} ({})",
                d.section,
                by_actor.len(),
                d.rule.slug(),
                d.reason
            ));
        }
    }
    for (actor, actions) in by_actor {
        decide(policy, room, &actor, Some(&committer), actions, faults)?;
    }
    Ok(())
}

/// Whether `user` may join `room` by external commit (protocol-06 §5.6, the hub's check before it
/// gives out the GroupInfo): a participant that is not banned (a new client of its user; in a
/// room with a policy, one whose role may add its own client, §8.1.1 canAddOwnClient); in a room
/// with a policy, a user that role 0 lets open-join as one of its target roles (canOpenJoin). Preauthorization is not offered: its claims come from
/// X.509, JWT or CWT credentials, and the suite's clients have basic credentials.
pub fn may_join(room: &HubRoom, user: &str, faults: FaultSet) -> Result<(), String> {
    let snapshot = Snapshot::of(room);
    let listed = snapshot.list.iter().find(|(u, _)| u == user).map(|(_, role)| *role);
    let policy = room_policy(room)?;
    let policy = match (listed, policy) {
        (Some(BANNED_ROLE), _) => return Err(format!("{user} is banned")),
        (Some(_), None) => return Ok(()),
        // A participant adds a client of its own (§8.1.1 canAddOwnClient).
        (Some(_), Some(policy)) => {
            let add = Action::AddOwnClient { clients: 1 };
            return decide(&policy, &snapshot, user, None, vec![add], faults);
        }
        (None, None) => return Err(format!("{user} is not a participant")),
        (None, Some(policy)) => policy,
    };
    let targets: Vec<u32> = policy
        .roles
        .roles
        .iter()
        .filter(|r| r.role_index == 0)
        .flat_map(|r| r.authorized_role_changes.iter())
        .filter(|c| c.from_role_index == 0)
        .flat_map(|c| c.target_role_indexes.iter().copied())
        .collect();
    let mut why = format!("{user} is not a participant and role 0 lets no one join");
    for role in targets {
        let join = Action::OpenJoin { role, clients: 1 };
        match decide(&policy, &snapshot, user, None, vec![join], faults) {
            Ok(()) => return Ok(()),
            Err(e) => why = e,
        }
    }
    if faults.has(Fault::PolicyAllowsEverything) {
        Ok(())
    } else {
        Err(why)
    }
}

/// Whether `user` may send an application message (§8, canSendMessage).
pub fn may_send(policy: &RoomPolicy, room: &Snapshot, user: &str, faults: FaultSet) -> Result<(), String> {
    decide(policy, room, user, None, vec![Action::SendMessage], faults)
}

/// One decision of the engine, with the hub's faults.
fn decide(
    policy: &RoomPolicy,
    room: &Snapshot,
    actor: &str,
    committer: Option<&str>,
    actions: Vec<Action>,
    faults: FaultSet,
) -> Result<(), String> {
    if faults.has(Fault::PolicyAllowsEverything) {
        return Ok(());
    }
    if faults.has(Fault::PolicyDeniesEverything) {
        return Err("room-policy-03: denied (the hub denies every change)".into());
    }
    let participants: Vec<Participant> = room
        .list
        .iter()
        .map(|(user, role)| Participant {
            user: user.clone(),
            role: *role,
            clients: room.clients.get(user).copied().unwrap_or(0),
        })
        .collect();
    let params = DecideParams {
        room_policy: policy.clone(),
        participants,
        change: Change {
            actor: actor.to_owned(),
            actor_claims: Vec::new(),
            committer: committer.map(str::to_owned),
            actions,
        },
    };
    let decision = decide_with(&params, &faults.policy()).map_err(|e| format!("room-policy-03: {e}"))?;
    if decision.allowed {
        Ok(())
    } else {
        Err(format!(
            "room-policy-03 §{}: {actor} denied by {} ({})",
            decision.section,
            decision.rule.slug(),
            decision.reason
        ))
    }
}

/// The validity rules of the policy components a commit sets (draft-ietf-mimi-room-policy-03
/// §5, §6.3, §6.4, §6.6, §6.7): `Err` names the rule a new value breaks. `hub` is this hub's
/// domain; `roles` the room's roles list, if it has one.
pub fn component_rules(view: &CommitView, hub: &str, roles: Option<&RoleData>) -> Result<(), String> {
    use crate::codec::policy::{
        AssetPolicy, AssetUploadLocation, BotPolicy, HistoryPolicy, LinkPreviewPolicy, Optionality,
    };
    for (_, id, payload) in &view.updates {
        match *id {
            id if id == PolicyComponent::ASSET_POLICY.0 => {
                let assets: AssetPolicy = crate::codec::policy::decode("AssetPolicy", payload)
                    .map_err(|e| format!("room-policy-03 §6.4: the asset policy does not decode: {e}"))?;
                // POL-X09: with the hub as upload location, one provider, the hub's domain.
                let only_hub =
                    matches!(assets.upload_domains.as_slice(), [one] if one.provider.domain.0 == hub.as_bytes());
                if assets.asset_upload_location == AssetUploadLocation::HUB && !only_hub {
                    return Err(
                        "room-policy-03 §6.4 (POL-X09): upload location hub, but upload domains other than the hub's"
                            .into(),
                    );
                }
            }
            id if id == PolicyComponent::CHAT_HISTORY_POLICY.0 => {
                let history: HistoryPolicy = crate::codec::policy::decode("HistoryPolicy", payload)
                    .map_err(|e| format!("room-policy-03 §6.6: the history policy does not decode: {e}"))?;
                // POL-X10: no role 0, 1, or role without active participants may share.
                let inactive = |index: u32| {
                    roles.is_some_and(|r| {
                        r.roles.iter().any(|role| {
                            role.role_index == index && role.maximum_active_participants_constraint == Some(0)
                        })
                    })
                };
                if let Some(settings) = &history.settings
                    && let Some(bad) = settings
                        .roles_that_can_share
                        .iter()
                        .find(|i| **i == 0 || **i == 1 || inactive(**i))
                {
                    return Err(format!(
                        "room-policy-03 §6.6 (POL-X10): role {bad} cannot share history"
                    ));
                }
            }
            id if id == PolicyComponent::BASE_ROOM_POLICY.0 => {
                let base: BaseRoomPolicy = crate::codec::policy::decode("BaseRoomPolicy", payload)
                    .map_err(|e| format!("room-policy-03 §5: the base room policy does not decode: {e}"))?;
                // POL-02: "If parent-dependent is true, the parent_room MUST be set".
                if base.parent_dependant && base.parent_room.is_empty() {
                    return Err("room-policy-03 §5 (POL-02): parent_dependent without a parent_room".into());
                }
            }
            id if id == PolicyComponent::LINK_PREVIEW_POLICY.0 => {
                let link: LinkPreviewPolicy = crate::codec::policy::decode("LinkPreviewPolicy", payload)
                    .map_err(|e| format!("room-policy-03 §6.3: the link preview policy does not decode: {e}"))?;
                // POL-05: "The value of autodetect_hyperlinks_in_text MUST NOT be mandatory."
                if link.autodetect_hyperlinks_in_text == Optionality::Required {
                    return Err("room-policy-03 §6.3 (POL-05): autodetect_hyperlinks_in_text is mandatory".into());
                }
                // POL-06: a proxy that is mandatory or optional needs its URI.
                if link.link_preview_proxy_use != Optionality::Forbidden
                    && link.link_preview_proxy.as_ref().is_none_or(Vec::is_empty)
                {
                    return Err("room-policy-03 §6.3 (POL-06): link_preview_proxy_use without a proxy URI".into());
                }
            }
            id if id == PolicyComponent::BOT_POLICY.0 => {
                let bots: BotPolicy = crate::codec::policy::decode("BotPolicy", payload)
                    .map_err(|e| format!("room-policy-03 §6.7: the bot policy does not decode: {e}"))?;
                // POL-X11: "A bot with local_client_bot set to true has a bot_role_index of 0."
                if bots
                    .allowed_bots
                    .iter()
                    .any(|b| b.local_client_bot && b.bot_role_index != 0)
                {
                    return Err("room-policy-03 §6.7 (POL-X11): a local client bot with a non-zero role".into());
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// POL-01: in a parent-dependent room every participant added must be a participant of the
/// parent room (`parent`: its users, when this hub hosts it).
pub fn within_parent(view: &CommitView, parent: &BTreeSet<String>) -> Result<(), String> {
    for (_, id, payload) in &view.updates {
        if *id != PARTICIPANT_LIST {
            continue;
        }
        let update: ParticipantListUpdate =
            protocol::decode(payload).map_err(|e| format!("a participant-list update does not decode: {e}"))?;
        for added in update.added_participants.iter() {
            let user = String::from_utf8_lossy(added.user.as_slice()).into_owned();
            if !parent.contains(&user) {
                return Err(format!(
                    "room-policy-03 §5 (POL-01): {user} is not a participant of the parent room"
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::protocol::room_metadata::{Uri, Utf8String};
    use crate::codec::protocol::{Opaque, RoomMetaData};
    use crate::mls::ROOM_METADATA;

    const ROOM: &str = "mimi://hub.example/r/board";

    fn strict() -> RoomPolicy {
        let files = crate::vectors::VectorFile::embedded().expect("embedded vectors");
        let roles = crate::vectors::Fixtures::from_files(&files)
            .roles("strict")
            .cloned()
            .expect("role set strict");
        RoomPolicy {
            roles: serde_json::from_value(roles).expect("RoleData"),
            base_policy: None,
            preauth: None,
        }
    }

    fn user(name: &str) -> String {
        format!("mimi://hub.example/u/{name}")
    }

    fn client(name: &str) -> String {
        format!("mimi://hub.example/d/{name}/1")
    }

    fn metadata(uri: &str, name: &str) -> RoomMetaData {
        RoomMetaData {
            room_uri: Uri {
                uri: Opaque(uri.as_bytes().to_vec()),
            },
            room_name: Utf8String {
                string: Opaque(name.as_bytes().to_vec()),
            },
            ..Default::default()
        }
    }

    /// alice (super_admin, 4), bob (group_admin, 3), carol (ordinary_user, 2), each with a client;
    /// the room's metadata names it "board".
    fn room() -> Snapshot {
        let list = vec![(user("alice"), 4), (user("bob"), 3), (user("carol"), 2)];
        let clients = list.iter().map(|(u, _)| (u.clone(), 1)).collect();
        Snapshot {
            list,
            clients,
            metadata: Some(protocol::encode(&metadata(ROOM, "board")).unwrap()),
        }
    }

    fn commit(committer: &str, updates: Vec<(&str, u16, Vec<u8>)>) -> CommitView {
        CommitView {
            committer: client(committer),
            added: Vec::new(),
            removed: Vec::new(),
            updates: updates.into_iter().map(|(s, c, p)| (client(s), c, p)).collect(),
            removed_components: Vec::new(),
            external: false,
        }
    }

    fn run(view: &CommitView, faults: FaultSet) -> Result<(), String> {
        check(&strict(), &room(), view, faults)
    }

    #[test]
    fn a_rename_needs_can_change_room_name() {
        let renamed = protocol::encode(&metadata(ROOM, "The Board")).unwrap();
        // group_admin holds it, ordinary_user does not (Appendix A.2).
        assert_eq!(
            run(
                &commit("bob", vec![("bob", ROOM_METADATA, renamed.clone())]),
                FaultSet::NONE
            ),
            Ok(())
        );
        let carol = commit("carol", vec![("carol", ROOM_METADATA, renamed)]);
        let denied = run(&carol, FaultSet::NONE).unwrap_err();
        assert!(denied.contains("canChangeRoomName"), "{denied}");
        let faulty = FaultSet::NONE.with(Fault::Policy(crate::policy::PolicyFault::IgnoreCapabilities));
        assert_eq!(run(&carol, faulty), Ok(()));
        // The same value again changes nothing: nothing to authorize.
        let same = protocol::encode(&metadata(ROOM, "board")).unwrap();
        assert_eq!(
            run(&commit("carol", vec![("carol", ROOM_METADATA, same)]), FaultSet::NONE),
            Ok(())
        );
    }

    #[test]
    fn metadata_that_does_not_decode_or_moves_the_room_is_refused() {
        let garbage = commit("alice", vec![("alice", ROOM_METADATA, b"board".to_vec())]);
        let e = run(&garbage, FaultSet::NONE).unwrap_err();
        assert!(e.contains("does not decode"), "{e}");
        let moved = protocol::encode(&metadata("mimi://hub.example/r/elsewhere", "board")).unwrap();
        let e = run(&commit("alice", vec![("alice", ROOM_METADATA, moved)]), FaultSet::NONE).unwrap_err();
        assert!(e.contains("room_uri"), "{e}");
    }

    #[test]
    fn disruptive_updates_need_their_capabilities() {
        let roles = crate::codec::policy::encode_json("RoleData", &serde_json::to_value(&strict().roles).unwrap())
            .unwrap()
            .unwrap();
        let preauth =
            crate::codec::policy::encode_json("PreAuthData", &serde_json::json!({"preauthorized_entries": []}))
                .unwrap()
                .unwrap();
        let base = crate::codec::policy::encode_json(
            "BaseRoomPolicy",
            &serde_json::json!({"fixed_membership": false, "parent_dependant": false, "parent_room": [],
                "multi_device": true, "max_clients": null, "max_users": null, "pseudonyms_allowed": false,
                "persistent_room": false, "discoverable": false, "policy_component_ids": []}),
        )
        .unwrap()
        .unwrap();
        for (component, payload, cap) in [
            (PolicyComponent::ROLES_LIST.0, roles, "canChangeRoleDefinitions"),
            (
                PolicyComponent::PREAUTH_LIST.0,
                preauth,
                "canChangePreauthorizedUserList",
            ),
            (
                PolicyComponent::BASE_ROOM_POLICY.0,
                base,
                "canChangeRoomMembershipStyle",
            ),
        ] {
            let by = |who| commit(who, vec![(who, component, payload.clone())]);
            assert_eq!(run(&by("alice"), FaultSet::NONE), Ok(()), "{cap}");
            let e = run(&by("bob"), FaultSet::NONE).unwrap_err();
            assert!(e.contains(cap), "{e}");
            let allow_all = FaultSet::NONE.with(Fault::PolicyAllowsEverything);
            assert_eq!(run(&by("bob"), allow_all), Ok(()), "{cap}");
            let broken = commit("bob", vec![("bob", component, vec![0xff])]);
            assert!(run(&broken, FaultSet::NONE).unwrap_err().contains("does not decode"));
        }
    }

    #[test]
    fn a_role_update_proposed_by_one_user_and_an_add_by_another_are_one_commit() {
        let roles = crate::codec::policy::encode_json("RoleData", &serde_json::to_value(&strict().roles).unwrap())
            .unwrap()
            .unwrap();
        let view = commit(
            "bob",
            vec![
                ("alice", PolicyComponent::ROLES_LIST.0, roles),
                ("bob", PARTICIPANT_LIST, participants::add(&user("dave"), 2)),
            ],
        );
        let e = run(&view, FaultSet::NONE).unwrap_err();
        assert!(
            e.contains("together denied by role-update-with-membership-change"),
            "{e}"
        );
        // Each user's part alone is authorized (alice holds canChangeRoleDefinitions, bob may add
        // role 2): the combination is the only cause.
        let faulty = FaultSet::NONE.with(Fault::Policy(crate::policy::PolicyFault::IgnoreCommitCombinations));
        assert_eq!(run(&view, faulty), Ok(()));
    }
    #[test]
    fn a_client_of_a_listed_user_is_that_users_to_add() {
        // bob (group_admin: canAddOwnClient) proposing his second client: his own client; alice
        // (super_admin) proposing it: an add of a user who is listed already (§8.1.1).
        let bob2 = "mimi://hub.example/d/bob/2".to_owned();
        let mut by_bob = commit("bob", Vec::new());
        by_bob.added = vec![(bob2.clone(), client("bob"))];
        assert_eq!(run(&by_bob, FaultSet::NONE), Ok(()));
        let mut by_alice = commit("alice", Vec::new());
        by_alice.added = vec![(bob2, client("alice"))];
        let e = run(&by_alice, FaultSet::NONE).unwrap_err();
        assert!(e.contains("add-target-listed"), "{e}");
    }
}
