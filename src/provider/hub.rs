//! The hub's side of a room (draft-ietf-mimi-protocol-06 §5.3, §5.4, §5.5): `POST
//! /v1/update/{roomId}` and `POST /v1/submitMessage/{roomId}`, answered after the hub has fanned
//! out what it accepted with `POST /v1/notify/{roomId}` to every provider with a participant.
//!
//! ```text
//!   follower ──update (HandshakeBundle)──► hub: HubRoom::process ─ accepted ─► notify to each provider
//!            ◄── UpdateRoomResponse {success, accepted_timestamp} ◄─────────── (after the fan-out)
//! ```
//!
//! * A commit is checked by [`crate::mls::HubRoom::process`] (MLS validity, epoch, every member a
//!   participant, the hub still an external sender, the proposals it cached included) and its
//!   Commit fanned out to the providers of the participants before and after it (so removed
//!   clients see their removal, PROT-16); its Welcome goes to the providers of the clients it
//!   adds, found by the KeyPackageRefs in the Welcome (§5.5).
//! * Proposals (the leave of §3.5) are stored and fanned out with the same moreProposals
//!   (PROT-17).
//! * An application message is accepted from a participant only (PROT-12), for the current epoch
//!   (older: `epochTooOld`), and fanned out to the providers of the current participants only.
//! * A body that does not decode is answered 400 (reading PROT-X12); a room this provider does not
//!   host, 404. Every refusal of the draft is in the body: wrongEpoch with currentEpoch,
//!   notAllowed for what breaks a rule, invalidProposal for a proposal that does not process.
//!   -06 has no code for a commit that is not valid MLS; the reference answers notAllowed.

use std::collections::BTreeSet;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;

use super::faults::{Fault, FaultSet};
use super::participants;
use super::state::{HostedRoom, ProviderState, domain_of};
use crate::codec::protocol::common::Protocol;
use crate::codec::protocol::fanout::{FanoutArm, FanoutMessage};
use crate::codec::protocol::ratchet_tree::RatchetTreeOption;
use crate::codec::protocol::submit::{
    SubmitMessageRequest, SubmitMessageResponse, SubmitResponseArm, SubmitResponseCode,
};
use crate::codec::protocol::update::{
    GroupInfoArm, GroupInfoOption, HandshakeArm, UpdateRequest, UpdateResponseArm, UpdateResponseCode,
    UpdateRoomResponse,
};
use crate::codec::protocol::{self, MlsMessageBytes, Optional, VecOf, WelcomeBytes};
use crate::mls::{
    HubEvent, HubProcessError, HubRoom, WIRE_FORMAT_GROUP_INFO, WIRE_FORMAT_WELCOME, mls_message, welcome_recipients,
};

/// A /notify the hub is to send: the body (one FanoutMessage) to `domain` for `room`.
#[derive(Debug, Clone)]
pub struct Notify {
    pub domain: String,
    pub room: String,
    pub body: Vec<u8>,
}

/// Why a request gets no in-body answer: the HTTP status and a reason.
pub type Refusal = (StatusCode, String);

/// Milliseconds since the UNIX epoch (§5.3 `accepted_timestamp`).
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Starts hosting `room` from its creator's GroupInfo.
pub fn host(state: &mut ProviderState, room: &str, group_info: &[u8]) -> Result<(), String> {
    let group = HubRoom::follow(
        state.hub.external_sender(),
        group_info,
        None,
        if state.behaviour.faults.has(Fault::HubLenientParticipantUpdates) {
            participants::lenient_rules()
        } else {
            participants::rules()
        },
        &participants::users,
    )
    .map_err(|e| e.to_string())?;
    let group_info = group_info.to_vec();
    let hosted = HostedRoom {
        group,
        group_info,
        pending: Vec::new(),
    };
    state.hosted.insert(room.to_owned(), hosted);
    Ok(())
}

/// The domains of the participants of a hosted room.
fn participant_domains(room: &HubRoom) -> BTreeSet<String> {
    room.participant_list()
        .and_then(|list| participants::users(&list).ok())
        .unwrap_or_default()
        .iter()
        .filter_map(|u| domain_of(u).map(str::to_owned))
        .collect()
}

fn fanout(timestamp: u64, message: &[u8], arm: FanoutArm) -> Vec<u8> {
    let message = FanoutMessage {
        timestamp,
        protocol: None,
        message: message.to_vec().into(),
        arm,
    };
    protocol::encode(&message).unwrap_or_default()
}

fn update_response(code: UpdateResponseCode, description: &str, arm: UpdateResponseArm) -> UpdateRoomResponse {
    UpdateRoomResponse {
        response_code: code,
        error_description: description.as_bytes().to_vec().into(),
        arm,
    }
}

fn not_allowed(why: impl std::fmt::Display) -> UpdateRoomResponse {
    update_response(
        UpdateResponseCode::NOT_ALLOWED,
        &why.to_string(),
        UpdateResponseArm::None {},
    )
}

/// §5.3: the answer to an UpdateRequest for `room`, and the notifies to send before answering.
pub fn update(
    state: &mut ProviderState,
    room: &str,
    body: &[u8],
) -> Result<(UpdateRoomResponse, Vec<Notify>), Refusal> {
    let faults = state.behaviour.faults;
    let request: UpdateRequest = match protocol::decode(body) {
        Ok(r) => r,
        Err(e) if faults.has(Fault::HubAcceptsMalformedBodies) => return Ok((not_allowed(e), Vec::new())),
        Err(e) => return Err((StatusCode::BAD_REQUEST, format!("not an UpdateRequest: {e}"))),
    };
    let own = state.domain.clone();
    let parent = parent_participants(state, room);
    let hosted = state
        .hosted
        .get_mut(room)
        .ok_or_else(|| (StatusCode::NOT_FOUND, format!("{own} is not the hub of {room}")))?;
    let bundle = request.bundle;
    let update = Update {
        room,
        own: &own,
        parent,
        faults,
        first: bundle.proposal_or_commit.as_slice().to_vec(),
        before: participant_domains(&hosted.group),
    };
    hosted
        .group
        .check_participants(!faults.has(Fault::HubAcceptsNonParticipants));
    hosted
        .group
        .check_external_senders(!faults.has(Fault::HubAcceptsLosingExternalSender));
    match bundle.arm {
        HandshakeArm::Commit {
            welcome,
            ratchet_tree_option,
            group_info_option,
        } => commit(hosted, &update, welcome.0, group_info_option, ratchet_tree_option),
        HandshakeArm::Proposal { more_proposals } => Ok(proposals(hosted, &update, more_proposals.0)),
    }
}

/// What the hub knows of an /update besides the room it hosts.
struct Update<'a> {
    room: &'a str,
    /// This hub's domain.
    own: &'a str,
    /// The participants of the room's parent, for a parent-dependent room (room-policy-03 §5).
    parent: Option<BTreeSet<String>>,
    faults: FaultSet,
    /// The HandshakeBundle's `proposal_or_commit`.
    first: Vec<u8>,
    /// The domains of the room's participants before the request.
    before: BTreeSet<String>,
}

/// §5.3 `case commit`: the commit checked (MLS, §7.4, §7.5, §7.6, the room policy) and, if it
/// is accepted, fanned out: the Commit to the providers of the participants before and after it,
/// the Welcome to the providers of the clients it adds.
fn commit(
    hosted: &mut HostedRoom,
    update: &Update,
    welcome: Option<WelcomeBytes>,
    group_info_option: GroupInfoOption,
    ratchet_tree_option: RatchetTreeOption,
) -> Result<(UpdateRoomResponse, Vec<Notify>), Refusal> {
    let (faults, room, first) = (update.faults, update.room, update.first.as_slice());
    // The GroupInfo must be the one of the epoch this commit makes: the hub gives it to
    // external joiners (§5.6). A partial GroupInfo leaves the hub without one.
    let next_info = match &group_info_option.arm {
        GroupInfoArm::Full { group_info } => mls_message(WIRE_FORMAT_GROUP_INFO, group_info.as_slice()),
        GroupInfoArm::Partial { .. } => Vec::new(),
    };
    let next_epoch = Some((hosted.group.group_id().to_vec(), hosted.group.epoch() + 1));
    let policy = super::enforce::room_policy(&hosted.group).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))?;
    // The check reads the room before the commit; the group is borrowed again to process
    // it, so it works on a snapshot of what it needs.
    let snapshot = super::enforce::Snapshot::of(&hosted.group);
    let decoder: &crate::mls::ParticipantsDecoder = &participants::users;
    let event = hosted.group.process_with(first, decoder, &|view| {
        if !next_info.is_empty() && crate::mls::group_info_epoch(&next_info) != next_epoch {
            return Err("§5.3: the GroupInfo is not one of this room at the epoch the commit makes".into());
        }
        one_metadata_update(view, faults)?;
        if !faults.has(Fault::HubSkipsComponentRules) {
            super::enforce::component_rules(view, update.own, policy.as_ref().map(|p| &p.roles))?;
            if let Some(parent) = &update.parent {
                super::enforce::within_parent(view, parent)?;
            }
        }
        match &policy {
            Some(policy) => super::enforce::check(policy, &snapshot, view, faults),
            None => Ok(()),
        }
    });
    let (added, epoch, committer) = match event {
        Ok(HubEvent::Commit {
            added,
            epoch,
            committer,
            ..
        }) => (added, epoch, committer),
        Ok(other) => return Ok((not_allowed(format!("not a commit: {other:?}")), Vec::new())),
        Err(e) => return Ok(refused_commit(update, e)),
    };
    hosted.group_info = next_info;
    hosted.pending.clear();
    let timestamp = now_ms();
    let after = participant_domains(&hosted.group);
    let body = fanout(
        timestamp,
        first,
        FanoutArm::Commit {
            external_proposals: VecOf(Vec::new()),
        },
    );
    let targets: BTreeSet<String> = if faults.has(Fault::HubNotifiesSenderOnly) {
        domain_of(&committer).map(str::to_owned).into_iter().collect()
    } else {
        update.before.union(&after).cloned().collect()
    };
    let mut notifies = notify_all(&targets, room, &body);
    if let Some(welcome) = welcome.filter(|_| !faults.has(Fault::HubDropsWelcome)) {
        // Bare in the HandshakeBundle (§5.3), an MLSMessage in the FanoutMessage (§5.5).
        let welcome = mls_message(WIRE_FORMAT_WELCOME, welcome.as_slice());
        let recipients = welcome_recipients(&welcome).unwrap_or_default();
        let domains: BTreeSet<String> = added
            .iter()
            .filter(|(_, reference)| recipients.contains(reference))
            .filter_map(|(client, _)| domain_of(client).map(str::to_owned))
            .collect();
        let body = fanout(
            timestamp,
            welcome.as_slice(),
            FanoutArm::Welcome { ratchet_tree_option },
        );
        notifies.extend(notify_all(&domains, room, &body));
    }
    tracing::debug!(room, epoch, "hub accepted a commit");
    let arm = UpdateResponseArm::Success {
        accepted_timestamp: timestamp,
    };
    Ok((update_response(UpdateResponseCode::SUCCESS, "", arm), notifies))
}

/// The answer to a commit the hub refused: wrongEpoch with the room's epoch, notAllowed for the
/// rest (and, from a broken hub, the refused commit fanned out all the same).
fn refused_commit(update: &Update, e: HubProcessError) -> (UpdateRoomResponse, Vec<Notify>) {
    let mut notifies = Vec::new();
    if update.faults.has(Fault::HubFansOutRefused) {
        let arm = FanoutArm::Commit {
            external_proposals: VecOf(Vec::new()),
        };
        notifies = notify_all(&update.before, update.room, &fanout(now_ms(), &update.first, arm));
    }
    let answer = match e {
        HubProcessError::WrongEpoch { expected, .. } if !update.faults.has(Fault::HubWrongEpochAsNotAllowed) => {
            wrong_epoch(expected)
        }
        e => not_allowed(e),
    };
    (answer, notifies)
}

fn wrong_epoch(expected: u64) -> UpdateRoomResponse {
    let arm = UpdateResponseArm::WrongEpoch {
        current_epoch: expected,
    };
    update_response(
        UpdateResponseCode::WRONG_EPOCH,
        &format!("the room is at epoch {expected}"),
        arm,
    )
}

/// §5.3 `case proposal`: each proposal processed, stored as pending (§5.6) and fanned out to the
/// providers of the participants with the same moreProposals (PROT-17).
fn proposals(
    hosted: &mut HostedRoom,
    update: &Update,
    more_proposals: Vec<MlsMessageBytes>,
) -> (UpdateRoomResponse, Vec<Notify>) {
    let (faults, first) = (update.faults, update.first.as_slice());
    let decoder: &crate::mls::ParticipantsDecoder = &participants::users;
    for (i, proposal) in std::iter::once(first)
        .chain(more_proposals.iter().map(|p| p.as_slice()))
        .enumerate()
    {
        match hosted.group.process(proposal, decoder) {
            Ok(HubEvent::Proposal { .. }) => {}
            Ok(other) => {
                return (
                    not_allowed(format!("message {i} is not a proposal: {other:?}")),
                    Vec::new(),
                );
            }
            Err(HubProcessError::WrongEpoch { expected, .. }) if !faults.has(Fault::HubWrongEpochAsNotAllowed) => {
                return (wrong_epoch(expected), Vec::new());
            }
            Err(e) => {
                let arm = UpdateResponseArm::InvalidProposal {
                    invalid_proposals: VecOf(Vec::new()),
                };
                let why = format!("proposal {i}: {e}");
                return (
                    update_response(UpdateResponseCode::INVALID_PROPOSAL, &why, arm),
                    Vec::new(),
                );
            }
        }
    }
    let accepted_at = now_ms();
    hosted.pending.extend(
        std::iter::once(first.to_vec())
            .chain(more_proposals.iter().map(|p| p.as_slice().to_vec()))
            .map(|p| (p, accepted_at)),
    );
    let mut more = more_proposals;
    if faults.has(Fault::HubReordersMoreProposals) {
        more.reverse();
    }
    let body = fanout(
        now_ms(),
        first,
        FanoutArm::Proposal {
            more_proposals: VecOf(more),
        },
    );
    let arm = UpdateResponseArm::Success {
        accepted_timestamp: now_ms(),
    };
    (
        update_response(UpdateResponseCode::SUCCESS, "", arm),
        notify_all(&update.before, update.room, &body),
    )
}

/// The participants of `room`'s parent room, when `room` is parent-dependent (room-policy-03 §5)
/// and this hub hosts the parent.
fn parent_participants(state: &ProviderState, room: &str) -> Option<BTreeSet<String>> {
    let hosted = state.hosted.get(room)?;
    let bytes = hosted
        .group
        .component(crate::codec::policy::ComponentId::BASE_ROOM_POLICY.0)?;
    let base: crate::codec::policy::BaseRoomPolicy = crate::codec::policy::decode("BaseRoomPolicy", &bytes).ok()?;
    let parent = base.parent_room.first().filter(|_| base.parent_dependant)?;
    let parent = String::from_utf8_lossy(&parent.uri.0).into_owned();
    let list = state.hosted.get(&parent)?.group.participant_list()?;
    participants::users(&list).ok()
}

/// §7.6: "Only a single Room metadata update is valid per commit" (PROT-I13).
fn one_metadata_update(view: &crate::mls::CommitView, faults: FaultSet) -> Result<(), String> {
    let n = view
        .updates
        .iter()
        .filter(|(_, id, _)| *id == crate::mls::ROOM_METADATA)
        .count();
    if n > 1 && !faults.has(Fault::HubAcceptsDoubleMetadata) {
        return Err(format!("§7.6: {n} room metadata updates in one commit; one is valid"));
    }
    Ok(())
}

fn notify_all(domains: &BTreeSet<String>, room: &str, body: &[u8]) -> Vec<Notify> {
    domains
        .iter()
        .map(|domain| Notify {
            domain: domain.clone(),
            room: room.to_owned(),
            body: body.to_vec(),
        })
        .collect()
}

fn submit_response(code: SubmitResponseCode, arm: SubmitResponseArm) -> SubmitMessageResponse {
    SubmitMessageResponse {
        protocol: Protocol::MLS10,
        status_code: code,
        arm,
    }
}

/// §5.4: the answer to a SubmitMessageRequest for `room`, and the notifies to send before
/// answering. `from` is the domain of the requesting provider.
pub fn submit(
    state: &mut ProviderState,
    room: &str,
    body: &[u8],
) -> Result<(SubmitMessageResponse, Vec<Notify>), Refusal> {
    let faults = state.behaviour.faults;
    let request: SubmitMessageRequest = match protocol::decode(body) {
        Ok(r) => r,
        Err(_) if faults.has(Fault::HubAcceptsMalformedBodies) => {
            let refused = submit_response(SubmitResponseCode::NOT_ALLOWED, SubmitResponseArm::None {});
            return Ok((refused, Vec::new()));
        }
        Err(e) => return Err((StatusCode::BAD_REQUEST, format!("not a SubmitMessageRequest: {e}"))),
    };
    let own = state.domain.clone();
    let hosted = state
        .hosted
        .get_mut(room)
        .ok_or_else(|| (StatusCode::NOT_FOUND, format!("{own} is not the hub of {room}")))?;
    let sender = String::from_utf8_lossy(request.sending_uri.uri.as_slice()).into_owned();
    let users = hosted
        .group
        .participant_list()
        .and_then(|list| participants::users(&list).ok())
        .unwrap_or_default();
    let refused = (
        submit_response(SubmitResponseCode::NOT_ALLOWED, SubmitResponseArm::None {}),
        Vec::new(),
    );
    // PROT-12: a user who is not (or no longer) an active participant sends nothing.
    if !users.contains(&sender) && !faults.has(Fault::HubSubmitAnySender) {
        return Ok(refused);
    }
    // room-policy-03 §8: the sender's role must hold canSendMessage.
    let policy = super::enforce::room_policy(&hosted.group).map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e))?;
    if let Some(policy) = policy {
        let snapshot = super::enforce::Snapshot::of(&hosted.group);
        if super::enforce::may_send(&policy, &snapshot, &sender, faults).is_err() {
            return Ok(refused);
        }
    }
    match hosted
        .group
        .process(request.app_message.as_slice(), &participants::users)
    {
        Ok(HubEvent::Application { .. }) => {}
        Err(HubProcessError::WrongEpoch { expected, got }) if got < expected => {
            let arm = SubmitResponseArm::EpochTooOld {
                current_epoch: expected,
            };
            return Ok((submit_response(SubmitResponseCode::EPOCH_TOO_OLD, arm), Vec::new()));
        }
        // A newer epoch than the hub's, a handshake message, another group: notAllowed (§5.4).
        Ok(_) | Err(_) => return Ok(refused),
    }
    let timestamp = now_ms();
    let body = fanout(
        timestamp,
        request.app_message.as_slice(),
        FanoutArm::Application { frank: Optional(None) },
    );
    let mut domains: BTreeSet<String> = users.iter().filter_map(|u| domain_of(u).map(str::to_owned)).collect();
    if faults.has(Fault::HubFansOutToRemoved) {
        domains.extend(state.peers.iter().flat_map(|p| p.addrs.keys().cloned()));
    }
    let arm = SubmitResponseArm::Accepted {
        accepted_timestamp: timestamp,
        frank: Optional(None),
    };
    Ok((
        submit_response(SubmitResponseCode::ACCEPTED, arm),
        notify_all(&domains, room, &body),
    ))
}
