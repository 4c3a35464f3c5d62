//! The MLS side of the suite's simulated providers: MIMI clients, the MLS group of a room as a
//! member sees it, and the hub's view of that group.
//!
//! draft-ietf-mimi-protocol-06 §4.2 and §7.2: "Each room is represented cryptographically by an
//! MLS group." Room state that lives in the GroupContext is carried as application components in
//! the `app_data_dictionary` extension of draft-ietf-mls-extensions (participant list `0x0022`,
//! §7.5; room metadata `0x0023`, §7.6), and changes to it travel as `AppDataUpdate` proposals.
//! Commits and proposals are PublicMessages so that the hub, which is not a member, can follow the
//! group (§4.2); application messages are PrivateMessages.
//!
//! ```text
//!   client.rs  MlsClient    one MIMI client: basic credential = client URI, signature key,
//!                           its own OpenMlsRustCrypto provider, one-time KeyPackages
//!   room.rs    Room         the room's MLS group as a member client sees it: create, add /
//!                           remove clients, AppDataUpdate, process, send, join from a Welcome
//!   hub.rs     HubRoom      the hub's PublicGroup: follows every handshake message and checks
//!                           each commit against the MIMI rules before accepting it
//!
//!        alice: Room ──commit──► HubRoom::process ── accepted ──► alice: Room::confirm_commit
//!                                     │                           bob:   Room::join(welcome)
//!                                     └─ rejected: NotAParticipant, WrongEpoch, ...
//! ```
//!
//! Everything is openmls 0.9 with its `extensions-draft` feature; no MLS is written here. The
//! TLS codecs of the MIMI components (ParticipantListData, ParticipantListUpdate, RoomMetaData)
//! live elsewhere: this module treats component values as opaque bytes, and the caller supplies
//! how an `AppDataUpdate` payload applies to a value ([`AppDataRules`]) and how the hub reads the
//! users out of a participant list (a [`ParticipantsDecoder`]).
//!
//! Identifiers: a client's credential identity is its client URI, and the user of a client is
//! derived from it by [`user_of_client`] (see there for the URI forms).

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;

use openmls::component::ComponentId;
use openmls::prelude::Ciphersuite;

pub mod client;
pub mod hub;
pub mod labeled;
pub mod room;
pub mod timing;

pub use client::{ClientUriError, KeyPackageError, MlsClient, NewClientError, user_of_client};
pub use hub::{
    CommitView, FollowRoomError, HubEvent, HubIdentity, HubProcessError, HubProposeError, HubRoom, NewHubError,
    group_info_epoch,
};
pub use room::{
    CommitError, CommitOutput, ConfirmCommitError, CreateRoomError, ExternalJoinError, GroupInfoError, JoinRoomError,
    ProcessError, ProposeError, Received, Room, RoomChanges, RoomConfig, SendError, welcome_recipients,
};

/// `participant_list` application component (draft-ietf-mimi-protocol-06 §7.5, §10.4):
/// GroupContext, value `ParticipantListData`, updates `ParticipantListUpdate`.
pub const PARTICIPANT_LIST: ComponentId = 0x0022;

/// `room_metadata` application component (draft-ietf-mimi-protocol-06 §7.6, §10.4): GroupContext,
/// value `RoomMetaData`, updates are a whole `RoomMetaData` (full replacement).
pub const ROOM_METADATA: ComponentId = 0x0023;

/// The ciphersuites the simulated clients offer: 1 (MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519)
/// and 3 (MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519).
pub const CIPHERSUITES: [Ciphersuite; 2] = [
    Ciphersuite::MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519,
    Ciphersuite::MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519,
];

/// RFC 9420 §6 `WireFormat` of a Welcome.
pub const WIRE_FORMAT_WELCOME: u16 = 3;
/// RFC 9420 §6 `WireFormat` of a GroupInfo.
pub const WIRE_FORMAT_GROUP_INFO: u16 = 4;

/// The body of a serialized MLSMessage (its `version` and `wire_format` removed): how
/// draft-ietf-mimi-protocol-06 §5.3 carries a Welcome or GroupInfo bare. `None` if the bytes
/// are not an mls10 MLSMessage of `wire_format`.
pub fn mls_message_body(message: &[u8], wire_format: u16) -> Option<&[u8]> {
    let mut header = [0u8; 4];
    header[..2].copy_from_slice(&1u16.to_be_bytes());
    header[2..].copy_from_slice(&wire_format.to_be_bytes());
    message.strip_prefix(&header[..])
}

/// A bare Welcome or GroupInfo wrapped into an mls10 MLSMessage of `wire_format` (what a
/// FanoutMessage carries, §5.5).
pub fn mls_message(wire_format: u16, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 4);
    out.extend_from_slice(&1u16.to_be_bytes());
    out.extend_from_slice(&wire_format.to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// Reads the set of user URIs out of a participant list value (`ParticipantListData`, §7.5).
/// The error is a human-readable reason.
pub type ParticipantsDecoder = dyn Fn(&[u8]) -> Result<BTreeSet<String>, String>;

type ResolveFn = dyn Fn(ComponentId, Option<&[u8]>, &[u8]) -> Result<Vec<u8>, String> + Send + Sync;

/// How the payload of an `AppDataUpdate` proposal's `update` operation turns the component's
/// current value into its new value.
///
/// draft-ietf-mls-extensions leaves the update format to each component: for `room_metadata` the
/// update is the whole new value (§7.6, "full replacement"), for `participant_list` it is a
/// `ParticipantListUpdate` diff (§7.5). Every party (committer, receivers, hub) must apply the
/// same rules, because the resulting dictionary is part of the new GroupContext.
#[derive(Clone)]
pub struct AppDataRules {
    resolve: Arc<ResolveFn>,
}

impl AppDataRules {
    /// Every update payload is the component's new value (full replacement).
    pub fn replace() -> Self {
        Self::new(|_, _, update| Ok(update.to_vec()))
    }

    /// Rules given by a function `(component, current value, update payload) -> new value`.
    pub fn new(
        resolve: impl Fn(ComponentId, Option<&[u8]>, &[u8]) -> Result<Vec<u8>, String> + Send + Sync + 'static,
    ) -> Self {
        Self {
            resolve: Arc::new(resolve),
        }
    }

    /// The new value of `component` after applying `update` to `current`.
    pub fn apply(&self, component: ComponentId, current: Option<&[u8]>, update: &[u8]) -> Result<Vec<u8>, String> {
        (self.resolve)(component, current, update)
    }
}

impl Default for AppDataRules {
    fn default() -> Self {
        Self::replace()
    }
}

impl fmt::Debug for AppDataRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppDataRules(..)")
    }
}

/// Applies the AppDataUpdate proposals of one commit, in the order openmls gives them (sorted by
/// component id), to the dictionary seen through `updater`. Several updates of one component in
/// a commit apply one after the other.
fn resolve_app_data_updates<'a>(
    mut updater: openmls::prelude::AppDataDictionaryUpdater<'_>,
    proposals: impl IntoIterator<Item = &'a openmls::prelude::AppDataUpdateProposal>,
    rules: &AppDataRules,
) -> Result<Option<openmls::prelude::AppDataUpdates>, AppDataUpdateError> {
    use openmls::component::ComponentData;
    use openmls::prelude::AppDataUpdateOperation;
    use std::collections::BTreeMap;

    // The value each component has so far in this commit (None: removed).
    let mut current: BTreeMap<ComponentId, Option<Vec<u8>>> = BTreeMap::new();
    for proposal in proposals {
        let id = proposal.component_id();
        match proposal.operation() {
            AppDataUpdateOperation::Update(update) => {
                let old = match current.get(&id) {
                    Some(value) => value.as_deref(),
                    None => updater.old_value(id),
                };
                let new = rules
                    .apply(id, old, update.as_slice())
                    .map_err(|reason| AppDataUpdateError { component: id, reason })?;
                updater.set(ComponentData::from_parts(id, new.clone().into()));
                current.insert(id, Some(new));
            }
            AppDataUpdateOperation::Remove => {
                updater.remove(&id);
                current.insert(id, None);
            }
        }
    }
    Ok(updater.changes())
}

/// An `AppDataUpdate` payload that the [`AppDataRules`] could not apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("AppDataUpdate of component {component:#06x} cannot be applied: {reason}")]
pub struct AppDataUpdateError {
    /// The component the update is for.
    pub component: ComponentId,
    /// Why the rules refused it.
    pub reason: String,
}

/// The storage error type of the provider every party uses.
pub type StorageError = openmls_rust_crypto::MemoryStorageError;

/// The identity (client URI) in a basic credential, or a printable stand-in for anything else.
fn credential_identity(credential: &openmls::prelude::Credential) -> String {
    match openmls::prelude::BasicCredential::try_from(credential.clone()) {
        Ok(basic) => String::from_utf8_lossy(basic.identity()).into_owned(),
        Err(_) => format!("<{:?} credential>", credential.credential_type()),
    }
}

#[cfg(test)]
mod mls_test;
