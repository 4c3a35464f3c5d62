//! What a provider's users do, the flows of draft-ietf-mimi-protocol-06 §3: create a room (§3.1),
//! add a user (§3.2 from the hub, §3.3 via a follower), send a message (§3.4), leave (§3.5),
//! remove a user, commit pending proposals; and what they observe (messages, room state). These
//! are the driver's user, room and message operations; the scenario runner calls them on the
//! simulated providers and on the built-in implementation.
//!
//! A user acts through its first client with a view of the room. Handshakes go to the room's hub
//! (the domain of the room id): in-process when this provider is the hub, else over `/update`;
//! key material of a user of another provider is fetched through the hub (PROT-05). Results are
//! JSON as the driver returns them; a refusal by the hub is a result (`accepted: false` with the
//! draft's code), not an error.

use serde_json::{Value, json};

pub use super::act_error::ActError;
use super::act_error::mls;
use super::faults::Fault;
use super::hub;
use super::outbound::{fetch_key_packages, send_submit, send_update};
use super::participants;
use super::peer_faults::PeerFault;
use super::state::{ProviderState, Shared, digest, lock};
use crate::codec::content::{ExternalPart, MimiContent, NestedPart, PartBody};
use crate::codec::protocol::common::Protocol;
use crate::codec::protocol::ratchet_tree::{RatchetTreeArm, RatchetTreeOption, RatchetTreeRepresentation};
use crate::codec::protocol::submit::{SubmitMessageRequest, SubmitResponseCode};
use crate::codec::protocol::update::{
    GroupInfoArm, GroupInfoOption, GroupInfoRepresentation, HandshakeArm, HandshakeBundle, UpdateRequest,
    UpdateResponseCode, UpdateRoomResponse,
};
use crate::codec::protocol::{self, IdentifierUri, Optional, VecOf};
use crate::mls::{
    PARTICIPANT_LIST, ROOM_METADATA, Room, RoomChanges, RoomConfig, WIRE_FORMAT_GROUP_INFO, WIRE_FORMAT_WELCOME,
    mls_message_body, user_of_client,
};

/// What a room starts with besides its creator.
#[derive(Debug, Clone, Default)]
pub struct RoomSetup {
    /// The creator's role (default [`participants::CREATOR_ROLE`]).
    pub role: Option<u32>,
    /// Further GroupContext components: the room policy's (draft-ietf-mimi-room-policy-03
    /// §10.1), e.g. the roles list (0x0025) and the base room policy (0x0027).
    pub components: Vec<(u16, Vec<u8>)>,
}

/// §3.1: `user` (a user URI of this provider) creates room `name` here, this provider its hub,
/// with the user as the only participant; the user's other clients are added at once.
pub async fn create_room(
    state: &Shared,
    user: &str,
    name: &str,
    ciphersuite: u16,
    setup: RoomSetup,
) -> Result<Value, ActError> {
    let ciphersuite = openmls::prelude::Ciphersuite::try_from(ciphersuite).map_err(mls)?;
    let (room, view, group_info, uplink, others) = {
        let st = lock(state);
        let room = st.room_uri(name);
        let clients = st
            .users
            .get(user)
            .filter(|c| !c.is_empty())
            .cloned()
            .ok_or_else(|| ActError::UnknownUser(user.to_owned()))?;
        // The room lists its hub in external_senders (§7.4): this provider, or the server-only
        // implementation whose clients the harness plays.
        let uplink = st.uplink.clone();
        let hub = match &uplink {
            Some(u) => u.hub_sender.clone().ok_or_else(|| {
                ActError::Failed(
                    "the implementation gave no external_sender in `configure`: a room cannot list it as hub".into(),
                )
            })?,
            None => st.hub.external_sender(),
        };
        let config = RoomConfig {
            ciphersuite,
            room_id: room.clone(),
            hub,
            participant_list: participants::encode(&[(
                user.to_owned(),
                setup.role.unwrap_or(participants::CREATOR_ROLE),
            )]),
            room_metadata: initial_metadata(&room),
            rules: participants::rules(),
            components: setup.components,
        };
        let view = Room::create(clients[0].clone(), config).map_err(mls)?;
        let group_info = view.group_info().map_err(mls)?;
        (room, view, group_info, uplink, clients.len() - 1)
    };
    let first = view.client().uri().to_owned();
    match uplink {
        Some(uplink) => uplink.host(&first, &room, group_info).await?,
        None => hub::host(&mut lock(state), &room, &group_info).map_err(ActError::Mls)?,
    }
    lock(state).rooms.insert((first.clone(), room.clone()), view);
    if others > 0 {
        let key_packages = fetch_key_packages(state, user, &room, user, ciphersuite.into()).await?;
        let key_packages: Vec<Vec<u8>> = key_packages
            .into_iter()
            .filter(|(c, _)| *c != first)
            .map(|(_, kp)| kp)
            .collect();
        let changes = RoomChanges {
            add: key_packages,
            ..RoomChanges::default()
        };
        let answer = commit_and_send(state, &first, &room, changes).await?;
        if answer["accepted"] != json!(true) {
            return Ok(answer);
        }
    }
    let epoch = lock(state).rooms.get(&(first, room.clone())).map_or(0, Room::epoch);
    Ok(json!({"accepted": true, "room": room, "epoch": epoch}))
}

/// The room_metadata a new room starts with (§7.6): its room_uri, every other field empty.
fn initial_metadata(room: &str) -> Vec<u8> {
    let metadata = protocol::RoomMetaData {
        room_uri: protocol::room_metadata::Uri {
            uri: protocol::Opaque(room.as_bytes().to_vec()),
        },
        ..Default::default()
    };
    protocol::encode(&metadata).expect("a RoomMetaData encodes")
}

/// §3.2 and §3.3: `actor` adds user `target` (of any provider) to `room` with `role` (default
/// [`participants::PARTICIPANT_ROLE`]), in one commit with the participant-list update (PROT-11).
/// `clients`: how many of the target's clients are added, the first the key material names (all
/// without it); the others may join later with [`add_own_client`].
pub async fn add(
    state: &Shared,
    actor: &str,
    room: &str,
    target: &str,
    role: Option<u32>,
    clients: Option<usize>,
) -> Result<Value, ActError> {
    let (client, ciphersuite) = {
        let st = lock(state);
        let (client, view) = view_of(&st, actor, room)?;
        (client, u16::from(view.ciphersuite()))
    };
    let key_packages = fetch_key_packages(state, actor, room, target, ciphersuite).await?;
    let (skip_list, twice) = {
        let st = lock(state);
        (
            st.has_fault(PeerFault::SkipParticipantList),
            st.has_fault(PeerFault::DoubleParticipantUpdate),
        )
    };
    let role = role.unwrap_or(participants::PARTICIPANT_ROLE);
    let update = (PARTICIPANT_LIST, participants::add(target, role));
    let updates = match (skip_list, twice) {
        (true, _) => Vec::new(),
        (false, false) => vec![update],
        (false, true) => {
            // The committer's own view must not refuse what it is about to send.
            if let Some(view) = lock(state).rooms.get_mut(&(client.clone(), room.to_owned())) {
                view.set_rules(participants::lenient_rules());
            }
            // Two different proposals (identical ones would be one): the second with another role.
            vec![update, (PARTICIPANT_LIST, participants::add(target, role + 1))]
        }
    };
    let mut updates = updates;
    if lock(state).has_fault(PeerFault::DoubleMetadataUpdate) {
        // Two different whole RoomMetaData values (§7.6: full replacement); the content does not
        // matter to the rule.
        updates.push((ROOM_METADATA, b"first".to_vec()));
        updates.push((ROOM_METADATA, b"second".to_vec()));
    }
    let changes = RoomChanges {
        add: key_packages
            .into_iter()
            .take(clients.unwrap_or(usize::MAX))
            .map(|(_, kp)| kp)
            .collect(),
        update: updates,
        drop_external_senders: lock(state).has_fault(PeerFault::DropExternalSenders),
        ..RoomChanges::default()
    };
    commit_and_send(state, &client, room, changes).await
}

/// `actor` removes user `target` from `room`: the target's clients and its participant-list
/// entry in one commit (§5.3: "simultaneous with the MLS removal").
pub async fn remove(state: &Shared, actor: &str, room: &str, target: &str) -> Result<Value, ActError> {
    let (client, changes) = {
        let st = lock(state);
        let (client, view) = view_of(&st, actor, room)?;
        let list = view.component(PARTICIPANT_LIST).unwrap_or_default();
        let update = participants::remove(&list, target)
            .ok_or_else(|| ActError::Mls(format!("{target} is not on the participant list")))?;
        let changes = RoomChanges {
            remove: clients_of(view, target),
            update: vec![(PARTICIPANT_LIST, update)],
            ..RoomChanges::default()
        };
        (client, changes)
    };
    commit_and_send(state, &client, room, changes).await
}

/// `actor` gives `target` the role `role` in `room` (draft-ietf-mimi-room-policy-03 §8.1): role 1
/// bans, and the commit then also removes all the target's clients (a banned user is not a
/// participant, §5.3 of the protocol draft); from role 1 it unbans.
pub async fn set_role(state: &Shared, actor: &str, room: &str, target: &str, role: u32) -> Result<Value, ActError> {
    let (client, changes) = {
        let st = lock(state);
        let (client, view) = view_of(&st, actor, room)?;
        let list = view.component(PARTICIPANT_LIST).unwrap_or_default();
        let update = participants::change_role(&list, target, role)
            .ok_or_else(|| ActError::Mls(format!("{target} is not on the participant list")))?;
        let remove = if role == participants::BANNED_ROLE {
            clients_of(view, target)
        } else {
            Vec::new()
        };
        let changes = RoomChanges {
            remove,
            update: vec![(PARTICIPANT_LIST, update)],
            ..RoomChanges::default()
        };
        (client, changes)
    };
    commit_and_send(state, &client, room, changes).await
}

/// `actor` sets a GroupContext component of `room` to `value` (a whole new value: the room
/// policy's components are replaced, room-policy-03 §6).
pub async fn set_component(
    state: &Shared,
    actor: &str,
    room: &str,
    component: u16,
    value: Vec<u8>,
) -> Result<Value, ActError> {
    let client = view_of(&lock(state), actor, room)?.0;
    let changes = RoomChanges {
        update: vec![(component, value)],
        ..RoomChanges::default()
    };
    commit_and_send(state, &client, room, changes).await
}

/// `actor` removes a GroupContext component of `room` (an AppDataUpdate `remove`,
/// draft-ietf-mls-extensions; for the room policy's components the hub reads it as a change to
/// an empty value).
pub async fn remove_component(state: &Shared, actor: &str, room: &str, component: u16) -> Result<Value, ActError> {
    let client = view_of(&lock(state), actor, room)?.0;
    let changes = RoomChanges {
        remove_component: vec![component],
        ..RoomChanges::default()
    };
    commit_and_send(state, &client, room, changes).await
}

/// §3.5: `user` leaves `room`: Remove proposals for all its clients and the participant-list
/// update removing it, sent to the hub as one HandshakeBundle; another member commits them.
pub async fn leave(state: &Shared, user: &str, room: &str) -> Result<Value, ActError> {
    let body = {
        let mut st = lock(state);
        let (client, view) = view_of(&st, user, room)?;
        let list = view.component(PARTICIPANT_LIST).unwrap_or_default();
        let update = participants::remove(&list, user)
            .ok_or_else(|| ActError::Mls(format!("{user} is not on the participant list")))?;
        let own = clients_of(view, user);
        let view = st
            .rooms
            .get_mut(&(client.clone(), room.to_owned()))
            .ok_or_else(|| not_in(user, room))?;
        let proposals = view.propose_leave(&own, PARTICIPANT_LIST, update).map_err(mls)?;
        (proposal_request(&mut st, &client, proposals)?, client)
    };
    let (body, client) = body;
    let answer = send_update(state, &client, room, body).await?;
    Ok(update_result(&answer, None))
}

/// `actor` removes every client of `target` from `room` and leaves the participant list as it
/// is: MLS Removes only, in one commit (draft-ietf-mimi-room-policy-03 §8.1.2 canKick: "removal
/// of another participant's clients, without changing the Participant List").
pub async fn kick(state: &Shared, actor: &str, room: &str, target: &str) -> Result<Value, ActError> {
    let (client, remove) = {
        let st = lock(state);
        let (client, view) = view_of(&st, actor, room)?;
        (client, clients_of(view, target))
    };
    if remove.is_empty() {
        return Err(ActError::Mls(format!("{target} has no client in {room}")));
    }
    let changes = RoomChanges {
        remove,
        ..RoomChanges::default()
    };
    commit_and_send(state, &client, room, changes).await
}

/// `user` adds those of its clients that are not yet members of `room`: MLS Adds only, no
/// participant-list change, committed by its client in the room (draft-ietf-mimi-room-policy-03
/// §8.1.1 canAddOwnClient: "can add other clients that share the same user identity (via Add
/// proposals) if the holder's client is already a member of the corresponding MLS group").
pub async fn add_own_client(state: &Shared, user: &str, room: &str) -> Result<Value, ActError> {
    let (client, ciphersuite, members) = {
        let st = lock(state);
        let (client, view) = view_of(&st, user, room)?;
        (client, u16::from(view.ciphersuite()), clients_of(view, user))
    };
    let add: Vec<Vec<u8>> = fetch_key_packages(state, user, room, user, ciphersuite)
        .await?
        .into_iter()
        .filter(|(c, _)| !members.contains(c))
        .map(|(_, kp)| kp)
        .collect();
    if add.is_empty() {
        return Err(ActError::Mls(format!("every client of {user} is in {room} already")));
    }
    let changes = RoomChanges {
        add,
        ..RoomChanges::default()
    };
    commit_and_send(state, &client, room, changes).await
}

/// `user` proposes the Remove of one of its other clients in `room` (the last member client
/// that is not the acting one), without a participant-list change, sent to the hub as a
/// HandshakeBundle; another member commits it (draft-ietf-mimi-room-policy-03 §8.1.2
/// canRemoveOwnClient: "can propose to remove its own client using an MLS Remove [...] this
/// action cannot be committed by the leaving user").
pub async fn remove_own_client(state: &Shared, user: &str, room: &str) -> Result<Value, ActError> {
    let body = {
        let mut st = lock(state);
        let (client, view) = view_of(&st, user, room)?;
        let other = clients_of(view, user)
            .into_iter()
            .rfind(|c| *c != client)
            .ok_or_else(|| ActError::Mls(format!("{user} has no other client in {room}")))?;
        let view = st
            .rooms
            .get_mut(&(client.clone(), room.to_owned()))
            .ok_or_else(|| not_in(user, room))?;
        let proposals = view.propose_remove(&[other]).map_err(mls)?;
        (proposal_request(&mut st, &client, proposals)?, client)
    };
    let (body, client) = body;
    let answer = send_update(state, &client, room, body).await?;
    Ok(update_result(&answer, None))
}

/// The UpdateRequest of `client`'s `proposals` (the first as `proposal_or_commit`, the others as
/// moreProposals), each remembered as the client's own.
fn proposal_request(st: &mut ProviderState, client: &str, proposals: Vec<Vec<u8>>) -> Result<Vec<u8>, ActError> {
    for p in &proposals {
        st.own_messages.insert((client.to_owned(), digest(p)));
    }
    let mut proposals = proposals.into_iter();
    let first = proposals.next().unwrap_or_default();
    let bundle = HandshakeBundle {
        proposal_or_commit: first.into(),
        arm: HandshakeArm::Proposal {
            more_proposals: VecOf(proposals.map(Into::into).collect()),
        },
    };
    protocol::encode(&UpdateRequest { bundle }).map_err(mls)
}

/// `user` commits the proposals its client has received (e.g. after a leave, §3.5).
pub async fn commit(state: &Shared, user: &str, room: &str) -> Result<Value, ActError> {
    let client = view_of(&lock(state), user, room)?.0;
    commit_and_send(state, &client, room, RoomChanges::default()).await
}

/// What a user sends: a text, or an asset (an ExternalPart) of a media type.
#[derive(Debug, Clone, Copy)]
pub enum Outgoing<'a> {
    Text(&'a str),
    /// draft-ietf-mimi-content-08 §4.5 ExternalPart with this content type.
    Asset(&'a str),
}

/// §3.4: `user` sends a message to `room` (MIMI content, §4 of draft-ietf-mimi-content). An asset
/// whose media type the room's asset policy does not permit is not sent (room-policy-03 §6.4,
/// POL-08): the result is `accepted: false` with code `refusedByClient`, and nothing goes out.
pub async fn send(state: &Shared, user: &str, room: &str, what: Outgoing<'_>) -> Result<Value, ActError> {
    let body = {
        let mut st = lock(state);
        let (client, view) = view_of(&st, user, room)?;
        if let Outgoing::Asset(media_type) = what
            && !st.behaviour.faults.has(Fault::ClientIgnoresAssetPolicy)
            && let Some(policy) = view.component(crate::codec::policy::ComponentId::ASSET_POLICY.0)
        {
            let refusal = crate::codec::policy::decode::<crate::codec::policy::AssetPolicy>("AssetPolicy", &policy)
                .map_err(|e| format!("room-policy-03 §6.4: the room's asset policy does not decode: {e}"))
                .and_then(|p| crate::policy::media_type_allowed(&p, media_type));
            if let Err(reason) = refusal {
                return Ok(json!({"accepted": false, "code": "refusedByClient", "reason": reason}));
            }
        }
        let sending_uri = if st.has_fault(PeerFault::ForeignSendingUri) {
            st.user_uri("nobody")
        } else {
            user.to_owned()
        };
        let content = outgoing_content(&client, &st.domain, what);
        let view = st
            .rooms
            .get_mut(&(client.clone(), room.to_owned()))
            .ok_or_else(|| not_in(user, room))?;
        let mut message = view.send(&content).map_err(mls)?;
        if st.has_fault(PeerFault::CorruptMessage) {
            corrupt(&mut message);
        }
        st.own_messages.insert((client.clone(), digest(&message)));
        let request = SubmitMessageRequest {
            protocol: Protocol::MLS10,
            app_message: message.into(),
            sending_uri: IdentifierUri::new(&sending_uri),
        };
        (protocol::encode(&request).map_err(mls)?, client)
    };
    let (body, client) = body;
    let answer = send_submit(state, &client, room, body).await?;
    let accepted = answer.status_code == SubmitResponseCode::ACCEPTED;
    let mut result = json!({"accepted": accepted, "code": answer.status_code.name().unwrap_or("unknown")});
    merge_arm(&mut result, &answer.arm);
    Ok(result)
}

/// Resends the last UpdateRequest this provider sent for `room` (a stale handshake: the hub must
/// answer wrongEpoch).
pub async fn replay(state: &Shared, room: &str) -> Result<Value, ActError> {
    let body = lock(state)
        .last_update
        .get(room)
        .cloned()
        .ok_or_else(|| ActError::Mls(format!("nothing was sent for {room} yet")))?;
    let answer = send_update(state, "", room, body).await?;
    Ok(update_result(&answer, None))
}

/// The messages `user`'s first client in `room` received, in order: sender, timestamp, and the
/// text of a text message or the media type of an asset.
pub fn messages(state: &Shared, user: &str, room: &str) -> Result<Value, ActError> {
    let st = lock(state);
    let (client, _) = view_of(&st, user, room)?;
    let list: Vec<Value> = st
        .inbox
        .iter()
        .filter(|d| d.client == client && d.room == room)
        .map(|d| {
            let mut entry = json!({"sender": d.sender, "text": null, "accepted_timestamp": d.timestamp});
            match MimiContent::decode(&d.data).map(|c| c.nested_part.body) {
                Ok(PartBody::Single { content, .. }) => entry["text"] = json!(String::from_utf8(content).ok()),
                Ok(PartBody::External(x)) => entry["media_type"] = json!(x.content_type),
                _ => {}
            }
            entry
        })
        .collect();
    Ok(json!({"messages": list}))
}

/// `user`'s view of `room` (its first client's): epoch, epoch authenticator, members and
/// participants.
pub fn room_state(state: &Shared, user: &str, room: &str) -> Result<Value, ActError> {
    let st = lock(state);
    let (_, view) = view_of(&st, user, room)?;
    let mut members = view.members();
    members.sort();
    let participants: Vec<Value> = view
        .component(PARTICIPANT_LIST)
        .and_then(|l| participants::decode(&l).ok())
        .unwrap_or_default()
        .into_iter()
        .map(|(user, role)| json!({"user": user, "role": role}))
        .collect();
    Ok(json!({
        "epoch": view.epoch(),
        "epoch_authenticator": hex::encode(view.epoch_authenticator()),
        "members": members,
        "participants": participants,
        "active": view.is_active(),
    }))
}

/// The first client of `user` with an active view of `room`.
fn view_of<'a>(st: &'a ProviderState, user: &str, room: &str) -> Result<(String, &'a Room), ActError> {
    let clients = st
        .users
        .get(user)
        .ok_or_else(|| ActError::UnknownUser(user.to_owned()))?;
    clients
        .iter()
        .find_map(|c| {
            st.rooms
                .get(&(c.uri().to_owned(), room.to_owned()))
                .filter(|v| v.is_active())
                .map(|v| (c.uri().to_owned(), v))
        })
        .ok_or_else(|| not_in(user, room))
}

fn not_in(user: &str, room: &str) -> ActError {
    ActError::NotInRoom(user.to_owned(), room.to_owned())
}

/// The member clients of `user` in `view`.
fn clients_of(view: &Room, user: &str) -> Vec<String> {
    view.members()
        .into_iter()
        .filter(|m| user_of_client(m).is_ok_and(|u| u == user))
        .collect()
}

/// The MIMI content of `what`, sent by `client` of provider `domain`; an asset is an unencrypted
/// ExternalPart on the provider's asset host.
fn outgoing_content(client: &str, domain: &str, what: Outgoing) -> Vec<u8> {
    let (tag, body) = match what {
        Outgoing::Text(text) => (
            text,
            PartBody::Single {
                content_type: "text/plain;charset=utf-8".into(),
                content: text.as_bytes().to_vec(),
            },
        ),
        Outgoing::Asset(media_type) => (
            media_type,
            PartBody::External(ExternalPart {
                content_type: media_type.to_owned(),
                url: format!("https://assets.{domain}/{}", hex::encode(digest(client.as_bytes()))),
                ..ExternalPart::default()
            }),
        ),
    };
    let salt = digest(format!("{client}/{}/{tag}", hub::now_ms()).as_bytes())[..16].to_vec();
    MimiContent {
        salt,
        nested_part: NestedPart {
            disposition: 1,
            language: "en".into(),
            body,
        },
        ..MimiContent::empty()
    }
    .encode()
}

/// Flips the middle byte: inside the signed content of a PublicMessage (the trailing bytes are
/// tags only members can verify), inside the ciphertext of a PrivateMessage.
fn corrupt(message: &mut [u8]) {
    let middle = message.len() / 2;
    if let Some(byte) = message.get_mut(middle) {
        *byte ^= 0x01;
    }
}

/// Commits `changes` from `client`'s view of `room` and sends the commit to the hub; merges it
/// if the hub accepts it, drops it otherwise.
async fn commit_and_send(state: &Shared, client: &str, room: &str, changes: RoomChanges) -> Result<Value, ActError> {
    let key = (client.to_owned(), room.to_owned());
    let body = {
        let mut st = lock(state);
        let corrupt_it = st.has_fault(PeerFault::CorruptMessage);
        let view = st
            .rooms
            .get_mut(&key)
            .ok_or_else(|| ActError::NotInRoom(client.to_owned(), room.to_owned()))?;
        let mut out = view.commit(changes).map_err(mls)?;
        if corrupt_it {
            corrupt(&mut out.commit);
        }
        let commit = out.commit.clone();
        let bundle = commit_bundle(out)?;
        let body = protocol::encode(&UpdateRequest { bundle }).map_err(mls)?;
        st.own_messages.insert((client.to_owned(), digest(&commit)));
        st.last_update.insert(room.to_owned(), body.clone());
        body
    };
    let answer = send_update(state, client, room, body).await;
    let mut st = lock(state);
    let Some(view) = st.rooms.get_mut(&key) else {
        return answer.map(|a| update_result(&a, None));
    };
    match &answer {
        Ok(a) if a.response_code == UpdateResponseCode::SUCCESS => view.confirm_commit().map_err(mls)?,
        _ => view.discard_commit().map_err(mls)?,
    }
    let epoch = view.epoch();
    answer.map(|a| update_result(&a, Some(epoch)))
}

/// The HandshakeBundle of a commit (§5.3): the Welcome and the GroupInfo bare, not as
/// MLSMessages; the ratchet tree left to the hub, which follows the group (the Welcome carries it
/// too).
pub(crate) fn commit_bundle(out: crate::mls::CommitOutput) -> Result<HandshakeBundle, ActError> {
    let group_info = out
        .group_info
        .as_deref()
        .and_then(|g| mls_message_body(g, WIRE_FORMAT_GROUP_INFO))
        .ok_or_else(|| ActError::Mls("the commit came without a GroupInfo".into()))?
        .to_vec();
    let welcome = match out.welcome.as_deref() {
        Some(w) => Some(
            mls_message_body(w, WIRE_FORMAT_WELCOME)
                .ok_or_else(|| ActError::Mls("the commit's Welcome is not an MLSMessage".into()))?
                .to_vec(),
        ),
        None => None,
    };
    Ok(HandshakeBundle {
        proposal_or_commit: out.commit.into(),
        arm: HandshakeArm::Commit {
            welcome: Optional(welcome.map(Into::into)),
            group_info_option: GroupInfoOption {
                representation: GroupInfoRepresentation::FULL,
                arm: GroupInfoArm::Full {
                    group_info: group_info.into(),
                },
            },
            ratchet_tree_option: RatchetTreeOption {
                representation: RatchetTreeRepresentation::DISTRIBUTION_SERVICE,
                arm: RatchetTreeArm::None {},
            },
        },
    })
}

/// Adds the members of a response's select arm (its JSON object) to `result`.
fn merge_arm(result: &mut Value, arm: &impl serde::Serialize) {
    if let (Ok(Value::Object(arm)), Some(r)) = (serde_json::to_value(arm), result.as_object_mut()) {
        r.extend(arm);
    }
}

/// The driver's JSON of an UpdateRoomResponse.
pub(crate) fn update_result(answer: &UpdateRoomResponse, epoch: Option<u64>) -> Value {
    let mut result = json!({
        "accepted": answer.response_code == UpdateResponseCode::SUCCESS,
        "code": answer.response_code.name().unwrap_or("unknown"),
        "description": String::from_utf8_lossy(answer.error_description.as_slice()),
    });
    merge_arm(&mut result, &answer.arm);
    if let Some(epoch) = epoch {
        result["epoch"] = json!(epoch);
    }
    result
}
