//! draft-ietf-mimi-protocol-06 §5.6 then §5.3, as a user of the reference does it: an external
//! join. The joining client claims the room's GroupInfo from the hub (a signed
//! GroupInfoRequest; the answer encrypted to it), checks that the hub's `hub_sender` is the
//! room's external sender, and sends its external commit as an UpdateRequest.

use serde_json::{Value, json};
use tls_codec::DeserializeBytes as _;

use super::act_error::{ActError, mls};
use super::actions::{commit_bundle, update_result};
use super::faults::Fault;
use super::outbound::{send_to_hub, send_update};
use super::participants;
use super::peer_faults::PeerFault;
use super::state::{Shared, digest, domain_of, lock};
use crate::codec::protocol::common::ExternalSender;
use crate::codec::protocol::update::{UpdateRequest, UpdateResponseCode};
use crate::codec::protocol::{self, VecOf};
use crate::driver::messages::ClientEndpoint;
use crate::mls::{PARTICIPANT_LIST, Room};

/// §5.6 then §5.3: `user` joins `room` by external commit with a client of its not yet in the
/// room. The client claims the GroupInfo from the hub (`POST /groupInfo`); with `role` the
/// commit also lists the user (an open join, room-policy-03 §8.1.1), without it the user is
/// listed already (a new client of its own). A refusal at either step is a result:
/// `{accepted: false, code}` with the GroupInfoCode or the UpdateResponseCode.
pub async fn join(state: &Shared, user: &str, room: &str, role: Option<u32>) -> Result<Value, ActError> {
    use super::group_info;
    use crate::codec::protocol::group_info::{GroupInfoCode, GroupInfoResponse};
    let (client, request) = {
        let st = lock(state);
        let clients = st
            .users
            .get(user)
            .ok_or_else(|| ActError::UnknownUser(user.to_owned()))?;
        let outside = |c: &&std::sync::Arc<crate::mls::MlsClient>| {
            !st.rooms
                .get(&(c.uri().to_owned(), room.to_owned()))
                .is_some_and(Room::is_active)
        };
        let client = clients
            .iter()
            .find(outside)
            .cloned()
            .ok_or_else(|| ActError::Mls(format!("every client of {user} is in {room} already")))?;
        let bad =
            st.behaviour.faults.has(Fault::ClientBadGroupInfoRequest) || st.has_fault(PeerFault::BadGroupInfoSignature);
        let identity = match (st.has_fault(PeerFault::ForeignGroupInfoCredential), domain_of(room)) {
            (true, Some(hub)) => client
                .uri()
                .replacen(&format!("mimi://{}/", st.domain), &format!("mimi://{hub}/"), 1),
            _ => client.uri().to_owned(),
        };
        let request = group_info::request(&client, &identity, crate::mls::CIPHERSUITES[0], bad).map_err(mls)?;
        (client, request)
    };
    let answer: GroupInfoResponse = send_to_hub(
        state,
        client.uri(),
        room,
        ClientEndpoint::GroupInfo,
        request.body.clone(),
    )
    .await?;
    if answer.status != GroupInfoCode::SUCCESS {
        return Ok(json!({"accepted": false, "code": answer.status.name().unwrap_or("unknown")}));
    }
    let claimed =
        group_info::read(&request, room, &answer).map_err(|why| ActError::Failed(format!("groupInfo: {why}")))?;
    let updates = role
        .map(|role| vec![(PARTICIPANT_LIST, participants::add(user, role))])
        .unwrap_or_default();
    let (view, out) = Room::join_external(
        client.clone(),
        &claimed.group_info,
        Some(&claimed.ratchet_tree),
        participants::rules(),
        updates,
    )
    .map_err(mls)?;
    // §5.6: hub_sender is the hub's external_senders entry: its key must be the room's.
    let senders: VecOf<ExternalSender> = view
        .external_senders()
        .and_then(|b| VecOf::<ExternalSender>::tls_deserialize_exact_bytes(&b).ok())
        .unwrap_or_default();
    if !senders
        .iter()
        .any(|s| s.signature_key.as_slice() == claimed.hub_sender_key.as_slice())
    {
        return Err(ActError::Failed(
            "groupInfo: §5.6: hub_sender's signature key is not in the room's external_senders".into(),
        ));
    }
    let commit = out.commit.clone();
    let body = protocol::encode(&UpdateRequest {
        bundle: commit_bundle(out)?,
    })
    .map_err(mls)?;
    lock(state)
        .own_messages
        .insert((client.uri().to_owned(), digest(&commit)));
    let answer = send_update(state, client.uri(), room, body).await?;
    let epoch = view.epoch();
    if answer.response_code == UpdateResponseCode::SUCCESS {
        lock(state)
            .rooms
            .insert((client.uri().to_owned(), room.to_owned()), view);
    }
    Ok(update_result(&answer, Some(epoch)))
}
