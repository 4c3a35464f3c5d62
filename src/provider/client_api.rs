//! The reference as a server-only provider: its users' clients are programs of their own (the
//! harness's), which reach it through a client API, here the driver's server-only operations.
//! It keeps what a real provider keeps for them: the users and their client URIs, the KeyPackages
//! they published (handed out from §5.2 keyMaterial, each once), and a mailbox per client of what
//! the hub fanned out to them (§5.5), which the client collects.
//!
//! * `user.provision`: a user and its clients' URIs, no keys.
//! * `client.publish`: KeyPackages of one client, checked (they decode, validate, and are of a
//!   ciphersuite the reference offers).
//! * `room.host`: the reference becomes the hub of a room one of its clients created.
//! * `client.submit`: a client's request (keyMaterial, update, submitMessage, groupInfo), answered
//!   by the reference as hub or key holder, or forwarded to the room's hub, as for its own
//!   clients ([`super::outbound::through_provider`]).
//! * `client.inbox`: the client's mailbox, emptied.

use super::outbound;
use super::state::{Shared, lock};
use crate::driver::DriverError;
use crate::driver::messages::{
    ClientEndpoint, ClientInboxResult, ClientPublishParams, ClientSubmitParams, ClientSubmitResult, InboxMessage,
    RoomHostParams, UserProvisionParams,
};

/// More KeyPackages than this per client are refused (a hostile harness must not fill memory).
const MAX_PUBLISHED: usize = 64;

/// `user.provision`.
pub fn provision(state: &Shared, p: UserProvisionParams) -> Result<(), DriverError> {
    let mut st = lock(state);
    let domain = st.domain.clone();
    super::state::local_name(&domain, "u", &p.user).map_err(DriverError::invalid_params)?;
    if p.clients.is_empty() || p.clients.len() > super::state::MAX_CLIENTS {
        return Err(DriverError::invalid_params(format!(
            "clients: {} URIs, not within 1..={}",
            p.clients.len(),
            super::state::MAX_CLIENTS
        )));
    }
    for client in &p.clients {
        match crate::mls::user_of_client(client) {
            Ok(user) if user == p.user => {}
            _ => {
                return Err(DriverError::invalid_params(format!(
                    "{client:?} is not a client URI of {}",
                    p.user
                )));
            }
        }
    }
    if st.users.contains_key(&p.user) || st.accounts.users.contains_key(&p.user) {
        return Err(DriverError::failed(format!("user {} exists already", p.user)));
    }
    st.accounts.users.insert(p.user, p.clients);
    Ok(())
}

/// `client.publish`.
pub fn publish(state: &Shared, p: ClientPublishParams) -> Result<(), DriverError> {
    let mut st = lock(state);
    if !st.accounts.has_client(&p.client) {
        return Err(DriverError::failed(format!("no client {} is provisioned", p.client)));
    }
    let mut checked = Vec::new();
    for (i, bytes) in p.key_packages.iter().enumerate() {
        let kp = super::key_material::published_key_package(bytes)
            .map_err(|e| DriverError::invalid_params(format!("key_packages[{i}]: {e}")))?;
        checked.push(kp);
    }
    let list = st.accounts.key_packages.entry(p.client.clone()).or_default();
    if list.len() + checked.len() > MAX_PUBLISHED {
        return Err(DriverError::failed(format!(
            "{} would hold more than {MAX_PUBLISHED} KeyPackages",
            p.client
        )));
    }
    list.extend(checked);
    Ok(())
}

/// `room.host`.
pub fn host(state: &Shared, p: RoomHostParams) -> Result<(), DriverError> {
    let mut st = lock(state);
    if !st.accounts.has_client(&p.client) {
        return Err(DriverError::failed(format!("no client {} is provisioned", p.client)));
    }
    let domain = st.domain.clone();
    super::state::local_name(&domain, "r", &p.room)
        .map_err(|e| DriverError::failed(format!("{e} (a room is hosted on its hub, this provider)")))?;
    if st.hosted.contains_key(&p.room) {
        return Err(DriverError::failed(format!("{} is hosted already", p.room)));
    }
    super::hub::host(&mut st, &p.room, &p.group_info)
        .map_err(|e| DriverError::failed(format!("cannot host {}: {e}", p.room)))?;
    st.accounts.join(&p.client, &p.room);
    Ok(())
}

/// `client.submit`.
pub async fn submit(state: &Shared, p: ClientSubmitParams) -> Result<ClientSubmitResult, DriverError> {
    if !lock(state).accounts.has_client(&p.client) {
        return Err(DriverError::failed(format!("no client {} is provisioned", p.client)));
    }
    let target = match (p.endpoint, &p.target) {
        (ClientEndpoint::KeyMaterial, Some(t)) => t.clone(),
        (ClientEndpoint::KeyMaterial, None) => {
            return Err(DriverError::invalid_params("a keyMaterial request needs `target`"));
        }
        (_, _) => String::new(),
    };
    if p.endpoint != ClientEndpoint::KeyMaterial {
        lock(state).accounts.join(&p.client, &p.room);
    }
    let (status, body) = outbound::through_provider(state, &p.client, p.endpoint, &p.room, &target, p.body)
        .await
        .map_err(|e| DriverError::failed(e.to_string()))?;
    Ok(ClientSubmitResult { status, body })
}

/// `client.inbox`.
pub fn inbox(state: &Shared, client: &str) -> Result<ClientInboxResult, DriverError> {
    let mut st = lock(state);
    if !st.accounts.has_client(client) {
        return Err(DriverError::failed(format!("no client {client} is provisioned")));
    }
    let messages = st
        .accounts
        .mailboxes
        .remove(client)
        .unwrap_or_default()
        .into_iter()
        .map(|(room, message)| InboxMessage { room, message })
        .collect();
    Ok(ClientInboxResult { messages })
}
