//! What a provider sends its peers for its clients and as hub: a client's request for a room
//! (§5.2 to §5.6) to its own provider in process, over HTTPS to the room's hub, or through an
//! uplink ([`through_provider`]); the key material a client fetches (PROT-05: through the hub);
//! the hub's §5.5 fan-out with its one retry (PROT-18); every request sent, logged.

use std::collections::BTreeSet;

use super::act_error::{ActError, mls, status_error};
use super::faults::Fault;
use super::hub::{self, Notify};
use super::peer_faults::PeerFault;
use super::state::{Exchange, Shared, digest, domain_of, lock};
use super::{key_material, notify};
use crate::codec::protocol::common::{Credential, Protocol};
use crate::codec::protocol::key_material::ClientMaterial;
use crate::codec::protocol::submit::SubmitMessageResponse;
use crate::codec::protocol::update::UpdateRoomResponse;
use crate::codec::protocol::{
    self, CipherSuite, IdentifierUri, KeyMaterialRequest, KeyMaterialResponse, RequiredCapabilities, VecOf,
};
use crate::driver::messages::ClientEndpoint;

/// One KeyPackage per client of `target` in `ciphersuite`: from this provider's own store for
/// its own users, else with a KeyMaterialRequest (§5.2) to the target's provider, through the
/// room's hub unless this provider is the hub (PROT-05). Returns (client URI, KeyPackage).
pub(crate) async fn fetch_key_packages(
    state: &Shared,
    actor: &str,
    room: &str,
    target: &str,
    ciphersuite: u16,
) -> Result<Vec<(String, Vec<u8>)>, ActError> {
    let without_room = lock(state).behaviour.faults.has(Fault::KeyMaterialRequestWithoutRoom);
    let request = KeyMaterialRequest {
        protocol: Protocol::MLS10,
        requesting_user: IdentifierUri::new(actor),
        target_user: IdentifierUri::new(target),
        // PROT-06: the room the KeyPackages are for.
        room_id: IdentifierUri::new(if without_room { "" } else { room }),
        acceptable_ciphersuites: VecOf(vec![CipherSuite(ciphersuite)]),
        required_capabilities: RequiredCapabilities {
            extension_types: VecOf(Vec::new()),
            proposal_types: VecOf(Vec::new()),
            credential_types: VecOf(Vec::new()),
        },
        // The reference neither signs nor checks the request signature (catalog: PROT-I02).
        requester_signature_key: Vec::new().into(),
        requester_credential: Credential::basic(actor.as_bytes()),
        key_material_request_signature: Vec::new().into(),
    };
    let body = protocol::encode(&request).map_err(mls)?;
    let client = lock(state)
        .users
        .get(actor)
        .and_then(|c| c.first())
        .map(|c| c.uri().to_owned())
        .ok_or_else(|| ActError::UnknownUser(actor.to_owned()))?;
    let (status, bytes) = through_provider(state, &client, ClientEndpoint::KeyMaterial, room, target, body).await?;
    if status != 200 {
        return Err(status_error("keyMaterial", status, &bytes));
    }
    let response: KeyMaterialResponse = protocol::decode(&bytes).map_err(|e| ActError::Answer {
        endpoint: "keyMaterial",
        expected: "KeyMaterialResponse",
        why: e.to_string(),
    })?;
    let found: Vec<(String, Vec<u8>)> = response
        .clients
        .iter()
        .filter_map(|c| match &c.material {
            ClientMaterial::KeyPackage { key_package } => Some((
                String::from_utf8_lossy(c.client_uri.uri.as_slice()).into_owned(),
                key_package.as_slice().to_vec(),
            )),
            _ => None,
        })
        .collect();
    if found.is_empty() {
        return Err(ActError::NoKeyMaterial(
            target.to_owned(),
            format!("user status {}", response.user_status.name().unwrap_or("unknown")),
        ));
    }
    Ok(found)
}

/// What the hub does with a request body for a room: its answer and the notifies to send first.
pub(crate) type HubEndpoint<T> =
    fn(&mut super::state::ProviderState, &str, &[u8]) -> Result<(T, Vec<Notify>), hub::Refusal>;

/// A request of local `client` for `room` to its provider, as a client sends it (§5.2 to §5.6):
/// this provider answers it itself when it is the room's hub (or holds `target`'s key
/// material), then fans out what it changed; otherwise it forwards it over HTTPS: a keyMaterial
/// request through the room's hub (straight to the target's provider when it is the hub,
/// PROT-05), the others to the hub. For the harness playing a server-only implementation's
/// clients the implementation does all that: the request goes through the [`Uplink`]. The
/// status and body of the answer.
///
/// [`Uplink`]: super::uplink::Uplink
pub(crate) async fn through_provider(
    state: &Shared,
    client: &str,
    endpoint: ClientEndpoint,
    room: &str,
    target: &str,
    body: Vec<u8>,
) -> Result<(u16, Vec<u8>), ActError> {
    let (uplink, own) = {
        let st = lock(state);
        (st.uplink.clone(), st.domain.clone())
    };
    if let Some(uplink) = uplink {
        let target = (endpoint == ClientEndpoint::KeyMaterial).then_some(target);
        return uplink.submit(client, endpoint, room, target, body).await;
    }
    let hub_domain = domain_of(room).unwrap_or_default().to_owned();
    if endpoint == ClientEndpoint::KeyMaterial {
        let target_domain = domain_of(target).unwrap_or_default().to_owned();
        if target_domain == own {
            let answer = key_material::answer(&mut lock(state), target, &body);
            return Ok(match encoded(answer.map(|a| (a, Vec::new()))) {
                Ok((bytes, _)) => (200, bytes),
                Err((status, why)) => (status.as_u16(), why.into_bytes()),
            });
        }
        let via = if own == hub_domain { &target_domain } else { &hub_domain };
        return post_logged(state, via, endpoint.name(), target, body).await;
    }
    if hub_domain == own {
        let answer = {
            let mut st = lock(state);
            match endpoint {
                ClientEndpoint::Update => encoded(hub::update(&mut st, room, &body)),
                ClientEndpoint::SubmitMessage => encoded(hub::submit(&mut st, room, &body)),
                _ => encoded(super::group_info::answer(&mut st, room, &body)),
            }
        };
        return Ok(match answer {
            Ok((bytes, notifies)) => {
                fan_out(state, notifies).await;
                (200, bytes)
            }
            Err((status, why)) => (status.as_u16(), why.into_bytes()),
        });
    }
    post_logged(state, &hub_domain, endpoint.name(), room, body).await
}

/// A hub endpoint's answer, encoded.
pub(crate) fn encoded<T: protocol::Message>(
    answer: Result<(T, Vec<Notify>), hub::Refusal>,
) -> Result<(Vec<u8>, Vec<Notify>), hub::Refusal> {
    let (answer, notifies) = answer?;
    let bytes =
        protocol::encode(&answer).map_err(|e| (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok((bytes, notifies))
}

/// Sends `client`'s request body for `room` to the room's hub ([`through_provider`]), decoding
/// the answer as `T`; a status other than 200 is an error.
pub(crate) async fn send_to_hub<T: protocol::Message>(
    state: &Shared,
    client: &str,
    room: &str,
    endpoint: ClientEndpoint,
    body: Vec<u8>,
) -> Result<T, ActError> {
    let (status, bytes) = through_provider(state, client, endpoint, room, "", body).await?;
    if status != 200 {
        return Err(status_error(endpoint.name(), status, &bytes));
    }
    protocol::decode(&bytes).map_err(|e| ActError::Answer {
        endpoint: endpoint.name(),
        expected: T::NAME,
        why: e.to_string(),
    })
}

/// Sends an UpdateRequest body to the hub of `room` (§5.3).
pub(crate) async fn send_update(
    state: &Shared,
    client: &str,
    room: &str,
    body: Vec<u8>,
) -> Result<UpdateRoomResponse, ActError> {
    send_to_hub(state, client, room, ClientEndpoint::Update, body).await
}

/// Sends a SubmitMessageRequest body to the hub of `room` (§5.4).
pub(crate) async fn send_submit(
    state: &Shared,
    client: &str,
    room: &str,
    body: Vec<u8>,
) -> Result<SubmitMessageResponse, ActError> {
    send_to_hub(state, client, room, ClientEndpoint::SubmitMessage, body).await
}

/// §5.5: sends each notify (to this provider itself in-process), retrying once what a follower
/// refuses with 429 or 5xx (PROT-18). A follower that does not end up answering 201 is recorded in
/// [`super::state::ProviderState::problems`].
pub async fn fan_out(state: &Shared, notifies: Vec<Notify>) {
    let (own, times, never_retry) = {
        let st = lock(state);
        let times = if st.has_fault(PeerFault::DuplicateNotify) { 2 } else { 1 };
        (
            st.domain.clone(),
            times,
            st.behaviour.faults.has(Fault::HubNeverRetries),
        )
    };
    let mut done = BTreeSet::new();
    for n in notifies {
        if !done.insert((n.domain.clone(), digest(&n.body))) {
            continue;
        }
        for _ in 0..times {
            if n.domain == own {
                let mut st = lock(state);
                notify::deliver(&mut st, &own, &n.room, &n.body);
                continue;
            }
            let mut outcome = post_logged(state, &n.domain, "notify", &n.room, n.body.clone()).await;
            // PROT-18: a hub SHOULD retry a /notify that was not accepted. The reference retries
            // once, shortly, after a 429 or 5xx (Retry-After is not read: a known gap).
            if matches!(outcome, Ok((429 | 500..=599, _))) && !never_retry {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                outcome = post_logged(state, &n.domain, "notify", &n.room, n.body.clone()).await;
            }
            let problem = match outcome {
                Ok((201, body)) if body.is_empty() => None,
                Ok((201, _)) => Some(format!("/notify to {}: a 201 with a body (§5.5: no body)", n.domain)),
                Ok((status, _)) => Some(format!("/notify to {}: HTTP {status}, not 201 (§5.5)", n.domain)),
                Err(e) => Some(format!("/notify to {}: {e}", n.domain)),
            };
            if let Some(p) = problem {
                lock(state).problems.push(p);
            }
        }
    }
}

/// POSTs to a peer's `endpoint` for `value` (a room or user URI), at the URL of its directory,
/// and logs the exchange.
pub(crate) async fn post_logged(
    state: &Shared,
    domain: &str,
    endpoint: &str,
    value: &str,
    body: Vec<u8>,
) -> Result<(u16, Vec<u8>), ActError> {
    let peers = lock(state)
        .peers
        .clone()
        .ok_or_else(|| ActError::Transport("the provider has no peers configured".into()))?;
    let result = peers.post(domain, endpoint, value, body.clone()).await;
    let (path, status, response) = result.clone().unwrap_or_default();
    lock(state).log.push(Exchange {
        sent: true,
        peer: domain.to_owned(),
        endpoint: endpoint.to_owned(),
        path,
        body,
        status,
        response,
    });
    result.map(|(_, status, bytes)| (status, bytes)).map_err(|e| match e {
        super::state::PeerError::Silent(..) => ActError::Timeout(e.to_string()),
        super::state::PeerError::Other(m) => ActError::Transport(m),
    })
}
