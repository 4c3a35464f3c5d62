//! A MIMI room's MLS group as a member client sees it (draft-ietf-mimi-protocol-06 §4.2, §7).
//!
//! The group is created the way §7 asks of a MIMI room:
//!
//! - group id = the room id's bytes (§3.1 creates the group for the room);
//! - handshake messages as PublicMessage (`PURE_PLAINTEXT_WIRE_FORMAT_POLICY`), so that the hub,
//!   which is not a member, can follow and check every commit (§4.2); application messages are
//!   PrivateMessages;
//! - the ratchet_tree extension in GroupInfo and Welcome, so that joiners and the hub need no
//!   separate tree;
//! - an `external_senders` extension holding the hub's credential and signature key (§7.4,
//!   PROT-31/PROT-32);
//! - an `app_data_dictionary` extension holding the participant list (`0x0022`, §7.5) and the
//!   room metadata (`0x0023`, §7.6) as opaque bytes from the caller;
//! - required capabilities: the `app_data_dictionary` extension, the `AppDataUpdate` proposal
//!   and basic credentials.
//!
//! A commit made here stays pending until the hub has accepted it: [`Room::confirm_commit`]
//! merges it, [`Room::discard_commit`] drops it.

use std::sync::Arc;

use openmls::component::ComponentId;
use openmls::prelude::tls_codec::{DeserializeBytes as _, Serialize as _};
use openmls::prelude::{
    AppDataDictionary, AppDataDictionaryExtension, AppDataUpdateProposal, Ciphersuite, CredentialType, Extension,
    ExtensionType, Extensions, ExternalSender, GroupId, KeyPackageIn, LeafNodeIndex, LeafNodeParameters, MlsGroup,
    MlsGroupCreateConfig, MlsGroupJoinConfig, MlsMessageBodyIn, MlsMessageIn, OpenMlsProvider,
    PURE_PLAINTEXT_WIRE_FORMAT_POLICY, ProcessedMessageContent, Proposal, ProposalType, ProtocolVersion, RatchetTreeIn,
    RequiredCapabilitiesExtension, StagedWelcome, WireFormat,
};

use super::client::MlsClient;
use super::{
    AppDataRules, PARTICIPANT_LIST, ROOM_METADATA, StorageError, credential_identity, resolve_app_data_updates,
};

/// What [`Room::create`] needs.
#[derive(Debug, Clone)]
pub struct RoomConfig {
    /// One of [`super::CIPHERSUITES`].
    pub ciphersuite: Ciphersuite,
    /// The room id (e.g. `mimi://a.example/r/clubhouse`); its bytes are the MLS group id.
    pub room_id: String,
    /// The hub's entry for the `external_senders` extension (§7.4), e.g.
    /// [`super::HubIdentity::external_sender`].
    pub hub: ExternalSender,
    /// The initial `participant_list` component value (`ParticipantListData`, §7.5).
    pub participant_list: Vec<u8>,
    /// The initial `room_metadata` component value (`RoomMetaData`, §7.6).
    pub room_metadata: Vec<u8>,
    /// How AppDataUpdate payloads apply to component values.
    pub rules: AppDataRules,
    /// Further GroupContext components (e.g. the room policy's roles list, 0x0025).
    pub components: Vec<(ComponentId, Vec<u8>)>,
}

/// The changes one commit makes. Everything in one commit: e.g. the participant-list update that
/// adds a user together with the Add of that user's clients (PROT-11: "committed either before
/// or simultaneously with the corresponding MLS operation").
#[derive(Debug, Clone, Default)]
pub struct RoomChanges {
    /// KeyPackages of clients to add: bare (§5.2) or in MLSMessages.
    pub add: Vec<Vec<u8>>,
    /// Client URIs of members to remove.
    pub remove: Vec<String>,
    /// AppDataUpdate `update` operations: component id and the update payload.
    pub update: Vec<(ComponentId, Vec<u8>)>,
    /// AppDataUpdate `remove` operations: component ids.
    pub remove_component: Vec<ComponentId>,
    /// A GroupContextExtensions proposal that keeps every extension but `external_senders`
    /// (breaks PROT-31: only a misbehaving party sends it).
    pub drop_external_senders: bool,
}

/// The messages a commit produced, serialized as MLSMessages.
#[derive(Debug, Clone)]
pub struct CommitOutput {
    /// The Commit (a PublicMessage).
    pub commit: Vec<u8>,
    /// The Welcome for added clients, if any were added.
    pub welcome: Option<Vec<u8>>,
    /// The GroupInfo of the new epoch (with the ratchet tree).
    pub group_info: Option<Vec<u8>>,
}

/// What [`Room::process`] found in a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// An application message.
    Application {
        /// The sender's client URI.
        sender: String,
        /// The plaintext.
        data: Vec<u8>,
    },
    /// A proposal, now stored for the next commit.
    Proposal {
        /// The sender's identity (a client URI, or the hub's URI for an external proposal).
        sender: String,
    },
    /// A PrivateMessage this client sent itself, fanned back (it cannot decrypt it).
    Own,
    /// A commit, merged (for this client's own pending commit, fanned back by the hub: the
    /// pending commit is merged).
    Commit {
        /// The committer's client URI.
        committer: String,
        /// The new epoch.
        epoch: u64,
        /// Whether this client was removed by it.
        removed: bool,
    },
}

mod errors;
pub use errors::{
    CommitError, ConfirmCommitError, CreateRoomError, ExternalJoinError, GroupInfoError, JoinRoomError, ProcessError,
    ProposeError, SendError,
};

/// Why bytes are not a KeyPackage.
enum KeyPackageForm {
    Decode(openmls::prelude::tls_codec::Error),
    Other(WireFormat),
}

/// A KeyPackage given bare (as draft-ietf-mimi-protocol-06 §5.2 carries it) or in an MLSMessage
/// (as [`MlsClient::key_packages`] makes it): bytes that are a whole MLSMessage are read as one,
/// anything else as a bare KeyPackage.
fn key_package_in(bytes: &[u8]) -> Result<KeyPackageIn, KeyPackageForm> {
    use openmls::prelude::tls_codec::Deserialize as _;
    if let Ok(message) = MlsMessageIn::tls_deserialize_exact(bytes) {
        let wire_format = message.wire_format();
        return match message.extract() {
            MlsMessageBodyIn::KeyPackage(key_package) => Ok(key_package),
            _ => Err(KeyPackageForm::Other(wire_format)),
        };
    }
    // The reader-based decoders: the slice-based ones of openmls panic on some truncations.
    KeyPackageIn::tls_deserialize_exact(bytes).map_err(KeyPackageForm::Decode)
}

/// The KeyPackageRefs a Welcome (a serialized MLSMessage) is encrypted to, one per new member:
/// how a provider finds the client it is for (draft-ietf-mimi-protocol-06 §5.5).
pub fn welcome_recipients(welcome: &[u8]) -> Result<Vec<Vec<u8>>, JoinRoomError> {
    let _mls = super::timing::scope();
    let message = MlsMessageIn::tls_deserialize_exact_bytes(welcome).map_err(JoinRoomError::Decode)?;
    let wire_format = message.wire_format();
    let MlsMessageBodyIn::Welcome(welcome) = message.extract() else {
        return Err(JoinRoomError::NotAWelcome(wire_format));
    };
    Ok(welcome
        .secrets()
        .iter()
        .map(|secret| secret.new_member().as_slice().to_vec())
        .collect())
}

/// The MLS group of a MIMI room, as one member client sees it.
pub struct Room {
    client: Arc<MlsClient>,
    group: MlsGroup,
    rules: AppDataRules,
}

impl std::fmt::Debug for Room {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Room")
            .field("client", &self.client.uri())
            .field("room_id", &self.room_id())
            .field("epoch", &self.epoch())
            .finish_non_exhaustive()
    }
}

/// The join configuration of every member: PublicMessage handshakes (§4.2), ratchet tree in
/// GroupInfo.
fn join_config() -> MlsGroupJoinConfig {
    MlsGroupJoinConfig::builder()
        .wire_format_policy(PURE_PLAINTEXT_WIRE_FORMAT_POLICY)
        .use_ratchet_tree_extension(true)
        .build()
}

impl Room {
    /// Creates the room's group with `client` as its only member.
    pub fn create(client: Arc<MlsClient>, config: RoomConfig) -> Result<Self, CreateRoomError> {
        let _mls = super::timing::scope();
        let mut dictionary = AppDataDictionary::new();
        dictionary.insert(PARTICIPANT_LIST, config.participant_list);
        dictionary.insert(ROOM_METADATA, config.room_metadata);
        for (id, value) in config.components {
            dictionary.insert(id, value);
        }
        let extensions = Extensions::from_vec(vec![
            Extension::RequiredCapabilities(RequiredCapabilitiesExtension::new(
                &[ExtensionType::AppDataDictionary],
                &[ProposalType::AppDataUpdate],
                &[CredentialType::Basic],
            )),
            // §7.4: "MUST therefore contain an external_senders extension. That extension MUST
            // contain at least the Certificate of the Hub." (PROT-31, PROT-32)
            Extension::ExternalSenders(vec![config.hub]),
            // §7.2: room state in the app_data_dictionary GroupContext extension.
            Extension::AppDataDictionary(AppDataDictionaryExtension::new(dictionary)),
        ])?;
        let create_config = MlsGroupCreateConfig::builder()
            .ciphersuite(config.ciphersuite)
            .wire_format_policy(PURE_PLAINTEXT_WIRE_FORMAT_POLICY)
            .use_ratchet_tree_extension(true)
            .capabilities(MlsClient::capabilities())
            .with_group_context_extensions(extensions)
            .build();
        let group = MlsGroup::new_with_group_id(
            client.provider(),
            client.signer(),
            &create_config,
            GroupId::from_slice(config.room_id.as_bytes()),
            client.credential().clone(),
        )?;
        Ok(Self {
            client,
            group,
            rules: config.rules,
        })
    }

    /// Joins a room from a Welcome (a serialized MLSMessage) addressed to one of `client`'s
    /// KeyPackages; the ratchet tree comes from the Welcome's GroupInfo.
    pub fn join(client: Arc<MlsClient>, welcome: &[u8], rules: AppDataRules) -> Result<Self, JoinRoomError> {
        let _mls = super::timing::scope();
        let message = MlsMessageIn::tls_deserialize_exact_bytes(welcome).map_err(JoinRoomError::Decode)?;
        let wire_format = message.wire_format();
        let MlsMessageBodyIn::Welcome(welcome) = message.extract() else {
            return Err(JoinRoomError::NotAWelcome(wire_format));
        };
        let group = StagedWelcome::new_from_welcome(client.provider(), &join_config(), welcome, None)?
            .into_group(client.provider())?;
        Ok(Self { client, group, rules })
    }

    /// Joins a room by external commit (RFC 9420 §12.4.3.2), as a new device of a participant
    /// does (draft-ietf-mimi-protocol-06 §3.6), from a GroupInfo (a serialized MLSMessage) and
    /// the ratchet tree (TLS-serialized; `None` takes it from the GroupInfo's ratchet_tree
    /// extension). Returns the room, already in the new epoch, and the Commit to send to the
    /// hub; if the hub rejects the commit, drop the room.
    pub fn join_external(
        client: Arc<MlsClient>,
        group_info: &[u8],
        ratchet_tree: Option<&[u8]>,
        rules: AppDataRules,
        updates: Vec<(ComponentId, Vec<u8>)>,
    ) -> Result<(Self, CommitOutput), ExternalJoinError> {
        let _mls = super::timing::scope();
        let message = MlsMessageIn::tls_deserialize_exact_bytes(group_info).map_err(ExternalJoinError::Decode)?;
        let wire_format = message.wire_format();
        let MlsMessageBodyIn::GroupInfo(group_info) = message.extract() else {
            return Err(ExternalJoinError::NotAGroupInfo(wire_format));
        };
        let mut builder = MlsGroup::external_commit_builder().with_config(join_config());
        if let Some(bytes) = ratchet_tree {
            let tree =
                RatchetTreeIn::tls_deserialize_exact_bytes(bytes).map_err(ExternalJoinError::RatchetTreeDecode)?;
            builder = builder.with_ratchet_tree(tree);
        }
        let provider = client.provider();
        let mut builder = builder.build_group(provider, group_info, client.credential().clone())?;
        for (id, update) in updates {
            builder = builder.add_app_data_update_proposal(AppDataUpdateProposal::update(id, update));
        }
        let mut stage = builder
            .leaf_node_parameters(
                LeafNodeParameters::builder()
                    .with_capabilities(MlsClient::capabilities())
                    .build(),
            )
            .load_psks(provider.storage())?;
        // As in `commit`: the new dictionary, computed exactly as receivers will.
        let proposals: Vec<AppDataUpdateProposal> = stage.app_data_update_proposals().cloned().collect();
        let updates = resolve_app_data_updates(stage.app_data_dictionary_updater(), &proposals, &rules)?;
        stage.with_app_data_dictionary_updates(updates);
        let (group, bundle) = stage
            .build(provider.rand(), provider.crypto(), client.signer(), |_| true)?
            .finalize(provider)?;
        let (commit, welcome, group_info) = bundle.into_messages();
        let out = CommitOutput {
            commit: commit.tls_serialize_detached()?,
            welcome: welcome.map(|m| m.tls_serialize_detached()).transpose()?,
            group_info: group_info.map(|m| m.tls_serialize_detached()).transpose()?,
        };
        Ok((Self { client, group, rules }, out))
    }

    /// The client this view belongs to.
    pub fn client(&self) -> &MlsClient {
        &self.client
    }

    /// The room id (the group id's bytes as UTF-8, lossily).
    pub fn room_id(&self) -> String {
        String::from_utf8_lossy(self.group.group_id().as_slice()).into_owned()
    }

    /// The current epoch.
    pub fn epoch(&self) -> u64 {
        self.group.epoch().as_u64()
    }

    /// The client URIs of the members, in leaf order.
    pub fn members(&self) -> Vec<String> {
        self.group
            .members()
            .map(|member| credential_identity(&member.credential))
            .collect()
    }

    /// Whether this client is still a member (false once a commit removed it).
    pub fn is_active(&self) -> bool {
        self.group.is_active()
    }

    /// The epoch authenticator (RFC 9420 §8.7): equal for all members in the same epoch.
    pub fn epoch_authenticator(&self) -> Vec<u8> {
        self.group.epoch_authenticator().as_slice().to_vec()
    }

    /// The current value of an application component of the GroupContext.
    pub fn component(&self, id: ComponentId) -> Option<Vec<u8>> {
        self.group
            .extensions()
            .app_data_dictionary()
            .and_then(|extension| extension.dictionary().get(&id))
            .map(<[u8]>::to_vec)
    }

    /// The group's `external_senders` extension, TLS-serialized (RFC 9420 §12.1.8.1:
    /// `ExternalSender external_senders<V>`), if it has one.
    pub fn external_senders(&self) -> Option<Vec<u8>> {
        self.group
            .extensions()
            .external_senders()
            .and_then(|senders| senders.tls_serialize_detached().ok())
    }

    /// The GroupInfo of the current epoch, signed by this client, with the ratchet tree
    /// extension, as a serialized MLSMessage.
    pub fn group_info(&self) -> Result<Vec<u8>, GroupInfoError> {
        let _mls = super::timing::scope();
        let message = self
            .group
            .export_group_info(self.client.provider().crypto(), self.client.signer(), true)?;
        Ok(message.tls_serialize_detached()?)
    }

    /// The ratchet tree of the current epoch, TLS-serialized.
    pub fn ratchet_tree(&self) -> Result<Vec<u8>, openmls::prelude::tls_codec::Error> {
        self.group.export_ratchet_tree().tls_serialize_detached()
    }

    /// Builds and stages one commit with `changes` and the proposals received so far. The commit
    /// stays pending until [`Room::confirm_commit`] or [`Room::discard_commit`].
    pub fn commit(&mut self, changes: RoomChanges) -> Result<CommitOutput, CommitError> {
        let _mls = super::timing::scope();
        if self.group.pending_commit().is_some() {
            return Err(CommitError::PendingCommit);
        }
        let provider = self.client.provider();
        let mut key_packages = Vec::with_capacity(changes.add.len());
        for (index, bytes) in changes.add.iter().enumerate() {
            let key_package = key_package_in(bytes).map_err(|source| match source {
                KeyPackageForm::Decode(source) => CommitError::KeyPackageDecode { index, source },
                KeyPackageForm::Other(wire_format) => CommitError::NotAKeyPackage { index, wire_format },
            })?;
            let key_package = key_package
                .validate(provider.crypto(), ProtocolVersion::Mls10)
                .map_err(|source| CommitError::InvalidKeyPackage { index, source })?;
            key_packages.push(key_package);
        }
        let removed = changes
            .remove
            .iter()
            .map(|uri| self.leaf_of(uri).ok_or_else(|| CommitError::UnknownMember(uri.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        let app_data_proposals = changes
            .update
            .into_iter()
            .map(|(id, update)| AppDataUpdateProposal::update(id, update))
            .chain(changes.remove_component.into_iter().map(AppDataUpdateProposal::remove))
            .map(|proposal| Proposal::AppDataUpdate(Box::new(proposal)));

        let without_senders = changes.drop_external_senders.then(|| {
            let mut extensions = self.group.extensions().clone();
            extensions.remove(ExtensionType::ExternalSenders);
            extensions
        });
        let mut builder = self
            .group
            .commit_builder()
            .propose_adds(key_packages)
            .propose_removals(removed);
        // openmls wants a GroupContextExtensions proposal before the AppDataUpdates.
        if let Some(extensions) = without_senders {
            builder = builder.propose_group_context_extensions(extensions)?;
        }
        let mut stage = builder
            .add_proposals(app_data_proposals)
            .load_psks(provider.storage())?;
        // The committer computes the new dictionary from the AppDataUpdate proposals (its own and
        // the stored ones) exactly as receivers will.
        let proposals: Vec<AppDataUpdateProposal> = stage.app_data_update_proposals().cloned().collect();
        let updates = resolve_app_data_updates(stage.app_data_dictionary_updater(), &proposals, &self.rules)?;
        stage.with_app_data_dictionary_updates(updates);
        let bundle = stage
            .build(provider.rand(), provider.crypto(), self.client.signer(), |_| true)?
            .stage_commit(provider)?;
        let (commit, welcome, group_info) = bundle.into_messages();
        Ok(CommitOutput {
            commit: commit.tls_serialize_detached()?,
            welcome: welcome.map(|m| m.tls_serialize_detached()).transpose()?,
            group_info: group_info.map(|m| m.tls_serialize_detached()).transpose()?,
        })
    }

    /// A commit adding the clients of `key_packages`.
    pub fn add_clients(&mut self, key_packages: &[Vec<u8>]) -> Result<CommitOutput, CommitError> {
        self.commit(RoomChanges {
            add: key_packages.to_vec(),
            ..RoomChanges::default()
        })
    }

    /// A commit removing the member clients named by their URIs.
    pub fn remove_clients(&mut self, clients: &[&str]) -> Result<CommitOutput, CommitError> {
        self.commit(RoomChanges {
            remove: clients.iter().map(|c| (*c).to_owned()).collect(),
            ..RoomChanges::default()
        })
    }

    /// A commit with one AppDataUpdate `update` of `component`.
    pub fn update_component(&mut self, component: ComponentId, update: Vec<u8>) -> Result<CommitOutput, CommitError> {
        self.commit(RoomChanges {
            update: vec![(component, update)],
            ..RoomChanges::default()
        })
    }

    /// A Remove proposal of each of `clients`, without a participant-list change (a user's own
    /// client: draft-ietf-mimi-room-policy-03 §8.1.2 canRemoveOwnClient), each a serialized
    /// MLSMessage (PublicMessage); another member commits them.
    pub fn propose_remove(&mut self, clients: &[String]) -> Result<Vec<Vec<u8>>, ProposeError> {
        let _mls = super::timing::scope();
        let provider = self.client.provider();
        let mut out = Vec::with_capacity(clients.len() + 1);
        for uri in clients {
            let leaf = self
                .leaf_of(uri)
                .ok_or_else(|| ProposeError::UnknownMember(uri.clone()))?;
            let (message, _) = self.group.propose_remove_member(provider, self.client.signer(), leaf)?;
            out.push(message.tls_serialize_detached()?);
        }
        Ok(out)
    }

    /// The proposals with which a user leaves (§3.5): a Remove of each of `clients` (the user's
    /// member clients, this one included) and one AppDataUpdate of `component` with `update`
    /// (the participant-list change that removes the user). Each is a serialized MLSMessage
    /// (PublicMessage); another member commits them.
    pub fn propose_leave(
        &mut self,
        clients: &[String],
        component: ComponentId,
        update: Vec<u8>,
    ) -> Result<Vec<Vec<u8>>, ProposeError> {
        let mut out = self.propose_remove(clients)?;
        let _mls = super::timing::scope();
        let provider = self.client.provider();
        let (message, _) = self.group.propose_app_data_update(
            provider,
            self.client.signer(),
            component,
            openmls::prelude::AppDataUpdateOperation::Update(update.into()),
        )?;
        out.push(message.tls_serialize_detached()?);
        Ok(out)
    }

    /// Replaces how this member applies AppDataUpdates (a simulated provider misbehaving).
    pub fn set_rules(&mut self, rules: AppDataRules) {
        self.rules = rules;
    }

    /// The room's ciphersuite.
    pub fn ciphersuite(&self) -> Ciphersuite {
        self.group.ciphersuite()
    }

    /// Merges this client's pending commit (after the hub accepted it).
    pub fn confirm_commit(&mut self) -> Result<(), ConfirmCommitError> {
        let _mls = super::timing::scope();
        if self.group.pending_commit().is_none() {
            return Err(ConfirmCommitError::NoPendingCommit);
        }
        self.group.merge_pending_commit(self.client.provider())?;
        Ok(())
    }

    /// Drops this client's pending commit (the hub rejected it).
    pub fn discard_commit(&mut self) -> Result<(), StorageError> {
        self.group.clear_pending_commit(self.client.provider().storage())
    }

    /// Sends `data` as an application message (a PrivateMessage), serialized as an MLSMessage.
    pub fn send(&mut self, data: &[u8]) -> Result<Vec<u8>, SendError> {
        let _mls = super::timing::scope();
        let message = self
            .group
            .create_message(self.client.provider(), self.client.signer(), data)?;
        Ok(message.tls_serialize_detached()?)
    }

    /// Processes an incoming group message: an application message is decrypted, a proposal is
    /// stored for the next commit, a commit is applied (its AppDataUpdate proposals through the
    /// room's [`AppDataRules`]) and merged.
    pub fn process(&mut self, message: &[u8]) -> Result<Received, ProcessError> {
        let _mls = super::timing::scope();
        let provider = self.client.provider();
        let message = MlsMessageIn::tls_deserialize_exact_bytes(message).map_err(ProcessError::Decode)?;
        let wire_format = message.wire_format();
        let message = message
            .try_into_protocol_message()
            .map_err(|_| ProcessError::NotAGroupMessage(wire_format))?;
        let processed = self.group.process_message(provider, message)?;
        let sender = credential_identity(processed.credential());
        match processed.into_content() {
            ProcessedMessageContent::ApplicationMessage(application) => Ok(Received::Application {
                sender,
                data: application.into_bytes(),
            }),
            ProcessedMessageContent::ProposalMessage(proposal) => {
                self.group
                    .store_pending_proposal(provider.storage(), *proposal)
                    .map_err(ProcessError::StoreProposal)?;
                Ok(Received::Proposal { sender })
            }
            ProcessedMessageContent::ExternalJoinProposalMessage(_) => Err(ProcessError::ExternalJoinProposal),
            // The hub fanned out this client's own pending commit: it was accepted.
            ProcessedMessageContent::OwnPendingCommit => {
                self.group.merge_pending_commit(provider)?;
                Ok(self.committed(sender))
            }
            ProcessedMessageContent::OwnPrivateMessage => Ok(Received::Own),
            ProcessedMessageContent::StagedCommitMessage(staged) => {
                self.group.merge_staged_commit(provider, *staged)?;
                Ok(self.committed(sender))
            }
            ProcessedMessageContent::UnresolvedAppDataCommit(unresolved) => {
                let updates = resolve_app_data_updates(
                    self.group.app_data_dictionary_updater(),
                    unresolved.app_data_update_proposals(),
                    &self.rules,
                )?;
                let staged = self.group.stage_app_data_commit(provider, *unresolved, updates)?;
                self.group.merge_staged_commit(provider, staged)?;
                Ok(self.committed(sender))
            }
        }
    }

    fn committed(&self, committer: String) -> Received {
        Received::Commit {
            committer,
            epoch: self.epoch(),
            removed: !self.group.is_active(),
        }
    }

    fn leaf_of(&self, client_uri: &str) -> Option<LeafNodeIndex> {
        self.group
            .members()
            .find(|member| credential_identity(&member.credential) == client_uri)
            .map(|member| member.index)
    }
}
