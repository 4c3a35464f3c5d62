//! A commit turned into the room-policy engine's actions (draft-ietf-mimi-room-policy-03 §8),
//! grouped by the user who proposed them, for the hub's policy check (`enforce::check`):
//!
//! | the commit                                                        | action            |
//! |-------------------------------------------------------------------|-------------------|
//! | participant list: a user added with role r (and its clients' Adds) | `add`             |
//! | participant list: a user removed, by another user / by itself      | `remove` / `leave`|
//! | participant list: role changed to 1 / from 1 / otherwise           | `ban` / `unban` / `change_role` |
//! | Adds of clients of a listed user, proposed by that user / by another | `add_own_client` / `add` (of a listed user) |
//! | Removes of clients of a listed user, by that user / by another     | `remove_own_client` / `kick` |
//! | an external commit (§5.6): the joiner listing itself / already listed | `open_join` / `add_own_client` |
//! | AppDataUpdate of roles_list / preauth_list / base_room_policy (0x0025–0x0027), the new value (a `remove`: an empty one) | `update_roles` / `update_preauth` / `update_base_policy` |
//! | AppDataUpdate of room_metadata (0x0023): each of room_name, room_descriptions, room_avatar, room_subject, room_mood that differs from the room's value | `metadata` (`name`, `description`, `avatar`, `subject`, `mood`) |
//!
//! The actor of an action is the user whose client sent the proposal (for the changes inline in
//! the commit, and proposals by an external sender: the committer). A component update that does
//! not decode, and a room metadata update that changes room_uri (no §8.2 capability covers it),
//! are refused. A room metadata value that does not decode (or none) counts as every field
//! empty, and the first value's room_uri as no change.

use std::collections::{BTreeMap, BTreeSet};

use super::participants::BANNED_ROLE;
use crate::codec::policy::{BaseRoomPolicy, ComponentId as PolicyComponent, PreAuthData, RoleData};
use crate::codec::protocol::{self, ParticipantListUpdate, RoomMetaData};
use crate::mls::{CommitView, PARTICIPANT_LIST, ROOM_METADATA, user_of_client};
use crate::policy::{Action, MetadataField};

/// The policy actions of a commit to a room whose participant list is `list` ((user, role) in
/// list order) and whose room metadata is `metadata`, grouped by the user who proposed them.
pub(super) fn actions_by_actor(
    view: &CommitView,
    list: &[(String, u32)],
    metadata: Option<&[u8]>,
    committer: &str,
) -> Result<BTreeMap<String, Vec<Action>>, String> {
    let mut out: BTreeMap<String, Vec<Action>> = BTreeMap::new();
    // The room metadata as the commit's updates leave it (each one a whole new value, §7.6).
    let mut metadata: Option<RoomMetaData> = metadata.and_then(|m| protocol::decode(m).ok());
    // Users whose entry the participant-list updates touch, and their new role (None: removed).
    let mut listed_changes: BTreeMap<String, Option<u32>> = BTreeMap::new();
    for (sender, component, payload) in &view.updates {
        let actor = actor_of(sender, committer);
        let actions = match *component {
            PARTICIPANT_LIST => list_update_actions(view, list, &actor, payload, &mut listed_changes)?,
            component => component_update_actions(component, payload, &mut metadata)?,
        };
        out.entry(actor).or_default().extend(actions);
    }
    // A removed component is changed to nothing: the roles list, preauthorization list or base
    // policy to an empty one, the room metadata to empty fields (a room left without a roles list
    // would be left without a policy).
    for (sender, component) in &view.removed_components {
        let actions = component_removal_actions(*component, metadata.as_ref())?;
        out.entry(actor_of(sender, committer)).or_default().extend(actions);
    }
    client_actions(view, list, committer, &listed_changes, &mut out);
    out.retain(|_, actions| !actions.is_empty());
    Ok(out)
}

/// The user of a client URI (the URI itself if it names none).
pub(super) fn user_of(client: &str) -> String {
    user_of_client(client).unwrap_or_else(|_| client.to_owned())
}

/// Who proposed what `sender` sent: its user, or the committer for an external sender's proposal.
fn actor_of(sender: &str, committer: &str) -> String {
    if sender == "external" {
        committer.to_owned()
    } else {
        user_of(sender)
    }
}

/// The actions of an AppDataUpdate of a component other than the participant list; `metadata`
/// follows the room metadata updates.
fn component_update_actions(
    component: u16,
    payload: &[u8],
    metadata: &mut Option<RoomMetaData>,
) -> Result<Vec<Action>, String> {
    Ok(match component {
        ROOM_METADATA => {
            let new: RoomMetaData = protocol::decode(payload).map_err(|e| {
                format!("draft-ietf-mimi-protocol-06 §7.6: a room metadata update does not decode: {e}")
            })?;
            let fields = metadata_changes(metadata.as_ref(), &new)?;
            *metadata = Some(new);
            fields.into_iter().map(|field| Action::Metadata { field }).collect()
        }
        id if id == PolicyComponent::ROLES_LIST.0 => vec![Action::UpdateRoles {
            roles: crate::codec::policy::decode("RoleData", payload)
                .map_err(|e| format!("room-policy-03 §3: a roles list update does not decode: {e}"))?,
        }],
        id if id == PolicyComponent::PREAUTH_LIST.0 => vec![Action::UpdatePreauth {
            preauth: crate::codec::policy::decode("PreAuthData", payload)
                .map_err(|e| format!("room-policy-03 §4: a preauthorization list update does not decode: {e}"))?,
        }],
        id if id == PolicyComponent::BASE_ROOM_POLICY.0 => vec![Action::UpdateBasePolicy {
            base_policy: crate::codec::policy::decode("BaseRoomPolicy", payload)
                .map_err(|e| format!("room-policy-03 §5: a base room policy update does not decode: {e}"))?,
        }],
        // The other components: no capability of §8 (their values' own rules: component_rules).
        _ => Vec::new(),
    })
}

/// The actions of one participant-list update by `actor`: role changes, removals, additions;
/// `listed_changes` records each user it touches and the new role (None: removed).
fn list_update_actions(
    view: &CommitView,
    list: &[(String, u32)],
    actor: &str,
    payload: &[u8],
    listed_changes: &mut BTreeMap<String, Option<u32>>,
) -> Result<Vec<Action>, String> {
    let update: ParticipantListUpdate =
        protocol::decode(payload).map_err(|e| format!("a participant-list update does not decode: {e}"))?;
    let entry = |index: u32| {
        list.get(index as usize)
            .cloned()
            .ok_or_else(|| format!("a participant-list update names index {index} of {}", list.len()))
    };
    let added_clients = |user: &str| -> u32 {
        let n = view.added.iter().filter(|(c, _)| user_of(c) == user).count();
        u32::try_from(n).unwrap_or(u32::MAX)
    };
    let mut actions = Vec::new();
    for change in update.changed_role_participants.iter() {
        let (user, old) = entry(change.user_index)?;
        listed_changes.insert(user.clone(), Some(change.role_index));
        actions.push(if change.role_index == BANNED_ROLE {
            Action::Ban { user }
        } else if old == BANNED_ROLE {
            Action::Unban {
                user,
                role: change.role_index,
            }
        } else {
            Action::ChangeRole {
                user,
                role: change.role_index,
            }
        });
    }
    for index in update.removed_indices.iter() {
        let (user, _) = entry(*index)?;
        listed_changes.insert(user.clone(), None);
        actions.push(if user == actor {
            Action::Leave {
                removes_all_clients: true,
            }
        } else {
            Action::Remove {
                user,
                removes_all_clients: true,
            }
        });
    }
    for added in update.added_participants.iter() {
        let user = String::from_utf8_lossy(added.user.as_slice()).into_owned();
        listed_changes.insert(user.clone(), Some(added.role_index));
        // An external committer listing itself joins (§8.1.1 canOpenJoin).
        actions.push(if view.external && user == actor {
            Action::OpenJoin {
                role: added.role_index,
                clients: 1,
            }
        } else {
            Action::Add {
                clients: added_clients(&user),
                user,
                role: added.role_index,
            }
        });
    }
    Ok(actions)
}

/// The actions of an AppDataUpdate `remove` of `component`: a change to an empty value.
fn component_removal_actions(component: u16, metadata: Option<&RoomMetaData>) -> Result<Vec<Action>, String> {
    Ok(match component {
        // Removing the metadata empties its fields (room_uri is not one of them).
        ROOM_METADATA => metadata_changes(
            metadata,
            &RoomMetaData {
                room_uri: metadata.map(|m| m.room_uri.clone()).unwrap_or_default(),
                ..RoomMetaData::default()
            },
        )?
        .into_iter()
        .map(|field| Action::Metadata { field })
        .collect(),
        id if id == PolicyComponent::ROLES_LIST.0 => vec![Action::UpdateRoles {
            roles: RoleData { roles: Vec::new() },
        }],
        id if id == PolicyComponent::PREAUTH_LIST.0 => vec![Action::UpdatePreauth {
            preauth: PreAuthData::default(),
        }],
        id if id == PolicyComponent::BASE_ROOM_POLICY.0 => vec![Action::UpdateBasePolicy {
            base_policy: BaseRoomPolicy::default(),
        }],
        _ => Vec::new(),
    })
}

/// MLS Adds and Removes of clients of users whose entry stays as it is (not in
/// `listed_changes`); an external commit of a listed user's client adds that client.
fn client_actions(
    view: &CommitView,
    list: &[(String, u32)],
    committer: &str,
    listed_changes: &BTreeMap<String, Option<u32>>,
    out: &mut BTreeMap<String, Vec<Action>>,
) {
    // (proposer, user) -> clients added.
    let mut client_adds: BTreeMap<(String, String), u32> = BTreeMap::new();
    if view.external && !listed_changes.contains_key(committer) {
        client_adds.insert((committer.to_owned(), committer.to_owned()), 1);
    }
    for (client, sender) in &view.added {
        let user = user_of(client);
        if !listed_changes.contains_key(&user) {
            *client_adds.entry((actor_of(sender, committer), user)).or_default() += 1;
        }
    }
    for ((proposer, user), n) in client_adds {
        // Clients of a user whose entry stays as it is: its own clients when it proposes them
        // (§8.1.1 canAddOwnClient); proposed by another user, an add of a listed user.
        let action = if proposer == user {
            Action::AddOwnClient { clients: n }
        } else {
            let role = list.iter().find(|(u, _)| *u == user).map_or(0, |(_, r)| *r);
            Action::Add { user, role, clients: n }
        };
        out.entry(proposer).or_default().push(action);
    }
    let mut kicked = BTreeSet::new();
    for (client, sender) in &view.removed {
        let user = user_of(client);
        if listed_changes.contains_key(&user) {
            continue;
        }
        let actor = actor_of(sender, committer);
        if actor == user {
            out.entry(actor).or_default().push(Action::RemoveOwnClient);
        } else if kicked.insert(user.clone()) {
            out.entry(actor).or_default().push(Action::Kick { user });
        }
    }
}

/// The room metadata fields (§8.2) `new` changes from `old`; `Err` when it changes room_uri,
/// which no capability covers.
fn metadata_changes(old: Option<&RoomMetaData>, new: &RoomMetaData) -> Result<Vec<MetadataField>, String> {
    // A room without (readable) metadata gets its first value: its room_uri is no change.
    let empty = RoomMetaData {
        room_uri: new.room_uri.clone(),
        ..RoomMetaData::default()
    };
    let old = old.unwrap_or(&empty);
    if new.room_uri != old.room_uri {
        return Err(format!(
            "room-policy-03 §8.2: a room metadata update changes room_uri (from {:?} to {:?}), which no capability authorizes",
            String::from_utf8_lossy(old.room_uri.uri.as_slice()),
            String::from_utf8_lossy(new.room_uri.uri.as_slice()),
        ));
    }
    let fields = [
        (MetadataField::Name, old.room_name != new.room_name),
        (
            MetadataField::Description,
            old.room_descriptions != new.room_descriptions,
        ),
        (MetadataField::Avatar, old.room_avatar != new.room_avatar),
        (MetadataField::Subject, old.room_subject != new.room_subject),
        (MetadataField::Mood, old.room_mood != new.room_mood),
    ];
    Ok(fields
        .into_iter()
        .filter(|(_, changed)| *changed)
        .map(|(f, _)| f)
        .collect())
}
