//! The follower's side of a room (draft-ietf-mimi-protocol-06 §5.5): `POST /v1/notify/{roomId}`
//! from the hub, one or more FanoutMessages one after another, answered `201` with no body.
//!
//! * A Welcome goes to the local client whose KeyPackage it names (its KeyPackageRefs, recorded
//!   when the KeyPackage was handed out); the client joins the room from it.
//! * A commit, proposal or application message goes to every local client with a view of the
//!   room; an application message lands in the provider's inbox with the hub's timestamp.
//! * A request whose body repeats one this hub sent before is answered 201 and not processed
//!   again (PROT-19, PROT-20).
//! * What a client cannot process (an invalid commit, a Welcome for nobody) is recorded in
//!   [`ProviderState::problems`]: for a simulated follower, those are findings about the hub.

use axum::http::StatusCode;

use super::faults::Fault;
use super::participants;
use super::state::{Delivered, ProviderState, digest};
use crate::codec::protocol::Reading;
use crate::codec::protocol::fanout::{FanoutArm, FanoutMessage};
use crate::mls::{Received, Room, welcome_recipients};

/// §5.5: processes a /notify body from `from` (the hub's domain) for `room`; the status and body
/// of the answer.
pub fn deliver(state: &mut ProviderState, from: &str, room: &str, body: &[u8]) -> (StatusCode, Vec<u8>) {
    let faults = state.behaviour.faults;
    let accepted = if faults.has(Fault::NotifyAnswers200) {
        (StatusCode::OK, b"ok".to_vec())
    } else {
        (StatusCode::CREATED, Vec::new())
    };
    // Only what was taken counts as seen: a body refused once is refused again.
    let seen = (from.to_owned(), digest(body));
    if state.notified.contains(&seen) {
        if faults.has(Fault::NotifyRefusesDuplicates) {
            return (StatusCode::CONFLICT, b"duplicate".to_vec());
        }
        return accepted;
    }
    let messages = match FanoutMessage::read_all(body, &Reading::default()) {
        Ok(m) => m,
        Err(_) if faults.has(Fault::NotifyAcceptsMalformedBody) => return accepted,
        Err(e) => {
            let why = format!("/notify for {room}: not a list of FanoutMessages: {e}");
            state.problems.push(why.clone());
            return (StatusCode::BAD_REQUEST, why.into_bytes());
        }
    };
    state.notified.insert(seen);
    for message in messages {
        apply(state, room, &message, None);
    }
    accepted
}

/// One FanoutMessage of `room` that a server-only implementation delivered to `client`, a client
/// the harness plays (`client.inbox`): the client joins from a Welcome, processes a handshake or
/// an application message. What it cannot process is recorded in [`ProviderState::problems`].
pub fn receive(state: &mut ProviderState, client: &str, room: &str, message: &FanoutMessage) {
    apply(state, room, message, Some(client));
}

/// One FanoutMessage for the local clients (`only`: for that one client only).
fn apply(state: &mut ProviderState, room: &str, message: &FanoutMessage, only: Option<&str>) {
    // The clients served without their keys get it as it came, to collect (client_api.rs).
    if only.is_none() {
        queue_for_accounts(state, room, message);
    }
    let bytes = message.message.as_slice();
    if let FanoutArm::Welcome { .. } = message.arm {
        join(state, room, bytes, only);
        return;
    }
    // A proposal comes with the moreProposals of its HandshakeBundle (§5.5).
    let mut batch = vec![bytes];
    if let FanoutArm::Proposal { more_proposals } = &message.arm {
        batch.extend(more_proposals.iter().map(|p| p.as_slice()));
    }
    for bytes in batch {
        process(state, room, bytes, message.timestamp, only);
    }
}

/// Queues `message` for the clients of [`ProviderState::accounts`] it is for: a Welcome for those
/// whose KeyPackage it names (they join the room), anything else for those in the room.
fn queue_for_accounts(state: &mut ProviderState, room: &str, message: &FanoutMessage) {
    if state.accounts.users.is_empty() {
        return;
    }
    let Ok(encoded) = crate::codec::protocol::encode(message) else {
        return;
    };
    let recipients = match message.arm {
        FanoutArm::Welcome { .. } => welcome_recipients(message.message.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|r| state.handed_out.get(r).cloned())
            .filter(|c| state.accounts.has_client(c))
            .collect(),
        _ => state.accounts.members_of(room),
    };
    for client in recipients {
        state.accounts.join(&client, room);
        state.accounts.deliver_to(&client, room, encoded.clone());
    }
}

/// One group message for every local client in the room (but the one that sent it). There may
/// be none yet: the Commit that adds this provider's user comes before the Welcome.
fn process(state: &mut ProviderState, room: &str, bytes: &[u8], timestamp: u64, only: Option<&str>) {
    let hash = digest(bytes);
    for client in state.clients_in(room) {
        if only.is_some_and(|o| o != client) || state.own_messages.contains(&(client.clone(), hash)) {
            continue;
        }
        let key = (client.clone(), room.to_owned());
        let Some(view) = state.rooms.get_mut(&key) else {
            continue;
        };
        if !view.is_active() {
            continue;
        }
        match view.process(bytes) {
            Ok(Received::Application { sender, data }) => state.inbox.push(Delivered {
                client,
                room: room.to_owned(),
                sender,
                data,
                timestamp,
            }),
            Ok(_) => {}
            Err(e) => state
                .problems
                .push(format!("/notify for {room}: {client} cannot process the message: {e}")),
        }
    }
}

/// A Welcome: each local client it names joins (`only`: that client only).
fn join(state: &mut ProviderState, room: &str, welcome: &[u8], only: Option<&str>) {
    let recipients = match welcome_recipients(welcome) {
        Ok(r) => r,
        Err(e) => {
            state
                .problems
                .push(format!("/notify for {room}: a Welcome that does not decode: {e}"));
            return;
        }
    };
    let mut joined = 0;
    for reference in recipients {
        let Some(uri) = state.handed_out.get(&reference).cloned() else {
            continue;
        };
        if state.accounts.has_client(&uri) {
            joined += 1;
            continue;
        }
        if only.is_some_and(|o| o != uri) {
            continue;
        }
        let Some(client) = state.users.values().flatten().find(|c| c.uri() == uri).cloned() else {
            continue;
        };
        match Room::join(client, welcome, participants::rules()) {
            Ok(view) => {
                state.rooms.insert((uri, room.to_owned()), view);
                joined += 1;
            }
            Err(e) => state
                .problems
                .push(format!("/notify for {room}: {uri} cannot join from the Welcome: {e}")),
        }
    }
    if joined == 0 {
        let whose = only.unwrap_or(&state.domain).to_owned();
        state.problems.push(format!(
            "/notify for {room}: a Welcome for none of {whose}'s KeyPackages"
        ));
    }
}
