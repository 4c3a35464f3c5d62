//! The hub's view of a room's MLS group (draft-ietf-mimi-protocol-06 §2, §4.2, §7.1, §7.4).
//!
//! The hub is not a member: it follows the group with an openmls `PublicGroup`, built from a
//! GroupInfo and the ratchet tree, and processes every handshake message (a PublicMessage,
//! §4.2). §7.1: "the Hub is the arbiter that decides if a state change is valid"; before a
//! commit is merged, [`HubRoom::process`] checks, in this order:
//!
//! 1. the message is for this group and the current epoch (`WrongGroup`, `WrongEpoch`);
//! 2. openmls accepts it (signature, membership tag, proposal and tree validation: RFC 9420
//!    §12.2 ff.; `Refused`);
//! 3. the committer is a member or joins by external commit; proposals come from members or from
//!    a listed external sender, i.e. the hub or a follower (§7.3, §7.4; `CommitterNotAMember`,
//!    `UnexpectedSender`);
//! 4. the new GroupContext still has an `external_senders` extension holding the hub
//!    (PROT-31, PROT-32; `NoExternalSenders`, `HubNotAnExternalSender`);
//! 5. every member client after the commit belongs to a user in the new participant list
//!    (draft-ietf-mimi-arch-02 §4.1: "A client may be a member of the E2EE state of a room only
//!    if its user is a participant in the room"; `NotAParticipant`). The participant list's
//!    users are read by a caller-supplied [`ParticipantsDecoder`].

use std::collections::{BTreeMap, BTreeSet};

use openmls::component::ComponentId;
use openmls::prelude::tls_codec::{DeserializeBytes as _, Serialize as _};
use openmls::prelude::{
    BasicCredential, ContentType, ExternalProposal, ExternalSender, GroupContext, MlsMessageBodyIn, MlsMessageIn,
    OpenMlsProvider, ProcessedMessageContent, ProposalStore, ProtocolMessage, PublicGroup, RatchetTreeIn, Sender,
    SenderExtensionIndex, StagedCommit,
};
use openmls_basic_credential::SignatureKeyPair;
use openmls_rust_crypto::OpenMlsRustCrypto;

use super::client::user_of_client;
use super::{
    AppDataRules, CIPHERSUITES, PARTICIPANT_LIST, ParticipantsDecoder, ROOM_METADATA, credential_identity,
    resolve_app_data_updates,
};

/// The hub provider's MLS identity: a basic credential whose identity is the provider URI
/// (e.g. `mimi://hub.example`) and a signature key. Its [`ExternalSender`] entry goes into every
/// room's `external_senders` extension (§7.4).
pub struct HubIdentity {
    uri: String,
    signer: SignatureKeyPair,
}

impl std::fmt::Debug for HubIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubIdentity")
            .field("uri", &self.uri)
            .finish_non_exhaustive()
    }
}

/// Errors of [`HubIdentity::new`].
#[derive(Debug, thiserror::Error)]
pub enum NewHubError {
    /// The signature key could not be generated.
    #[error("cannot generate the hub's signature key: {0}")]
    SignatureKey(String),
}

impl HubIdentity {
    /// A hub named by its provider URI, with a fresh Ed25519 signature key.
    pub fn new(provider_uri: &str) -> Result<Self, NewHubError> {
        let _mls = super::timing::scope();
        let signer = SignatureKeyPair::new(CIPHERSUITES[0].signature_algorithm())
            .map_err(|e| NewHubError::SignatureKey(format!("{e:?}")))?;
        Ok(Self {
            uri: provider_uri.to_owned(),
            signer,
        })
    }

    /// The provider URI.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// SignWithLabel with the hub's signature key (its `external_senders` entry's), e.g. for the
    /// GroupInfoResponse of §5.6.
    pub fn sign_with_label(&self, label: &str, content: &[u8]) -> Result<Vec<u8>, super::labeled::LabeledError> {
        super::labeled::sign_with_label(&self.signer, label, content)
    }

    /// The hub's signature public key (its `external_senders` entry's).
    pub fn signature_public_key(&self) -> Vec<u8> {
        self.signer.to_public_vec()
    }

    /// The hub's entry for the `external_senders` extension.
    pub fn external_sender(&self) -> ExternalSender {
        ExternalSender::new(
            self.signer.to_public_vec().into(),
            BasicCredential::new(self.uri.as_bytes().to_vec()).into(),
        )
    }
}

mod errors;
use errors::Violation;
pub use errors::{FollowRoomError, HubProcessError, HubProposeError};

/// What [`HubRoom::process`] accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubEvent {
    /// A commit, checked and merged.
    Commit {
        /// The committer's client URI.
        committer: String,
        /// The new epoch.
        epoch: u64,
        /// The clients it added: client URI and the KeyPackageRef of its KeyPackage (how a
        /// Welcome is routed, §5.5).
        added: Vec<(String, Vec<u8>)>,
        /// The client URIs it removed.
        removed: Vec<String>,
    },
    /// A proposal, stored for the next commit.
    Proposal {
        /// The sender's identity (a client URI, or an external sender's URI).
        sender: String,
    },
    /// An application message (a PrivateMessage) of the current epoch. The hub cannot read it.
    Application {
        /// Its epoch.
        epoch: u64,
    },
}

/// What a commit does, as the hub sees it before accepting it: for a policy check (e.g.
/// draft-ietf-mimi-room-policy) that the caller of [`HubRoom::process_with`] supplies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitView {
    /// The committer's client URI.
    pub committer: String,
    /// Client URIs of the members it adds, each with the identity of the proposal's sender.
    pub added: Vec<(String, String)>,
    /// Client URIs of the members it removes, each with the identity of the proposal's sender.
    pub removed: Vec<(String, String)>,
    /// Its AppDataUpdate `update` operations: the sender's identity (a client URI, or an
    /// external sender's), the component and the payload, in the order they apply.
    pub updates: Vec<(String, ComponentId, Vec<u8>)>,
    /// Its AppDataUpdate `remove` operations: the sender's identity and the component.
    pub removed_components: Vec<(String, ComponentId)>,
    /// An external commit: the committer joins with it (§5.6).
    pub external: bool,
}

/// The group id and epoch a GroupInfo (a serialized MLSMessage) claims, unverified: whether the
/// GroupInfo a commit comes with is that of the epoch the commit makes.
pub fn group_info_epoch(message: &[u8]) -> Option<(Vec<u8>, u64)> {
    let message = MlsMessageIn::tls_deserialize_exact_bytes(message).ok()?;
    let MlsMessageBodyIn::GroupInfo(info) = message.extract() else {
        return None;
    };
    Some((info.group_id().as_slice().to_vec(), info.epoch().as_u64()))
}

/// The hub's view of one room's MLS group.
pub struct HubRoom {
    group: PublicGroup,
    provider: OpenMlsRustCrypto,
    hub: ExternalSender,
    rules: AppDataRules,
    /// Whether commits are refused when a member's user is not a participant (off only for a
    /// deliberately broken hub).
    participants_checked: bool,
    /// Whether commits are refused when the group loses the hub as external sender (off only
    /// for a deliberately broken hub).
    external_senders_checked: bool,
}

impl std::fmt::Debug for HubRoom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubRoom")
            .field("group_id", &String::from_utf8_lossy(self.group.group_id().as_slice()))
            .field("epoch", &self.epoch())
            .finish_non_exhaustive()
    }
}

impl HubRoom {
    /// Starts following a room from its GroupInfo (a serialized MLSMessage) and ratchet tree
    /// (TLS-serialized; `None` takes it from the GroupInfo's ratchet_tree extension). `hub` is the
    /// hub's own external_senders entry. The room's current state must already satisfy the rules
    /// of the module documentation (4 and 5).
    pub fn follow(
        hub: ExternalSender,
        group_info: &[u8],
        ratchet_tree: Option<&[u8]>,
        rules: AppDataRules,
        participants: &ParticipantsDecoder,
    ) -> Result<Self, FollowRoomError> {
        let _mls = super::timing::scope();
        let message = MlsMessageIn::tls_deserialize_exact_bytes(group_info).map_err(FollowRoomError::Decode)?;
        let wire_format = message.wire_format();
        let MlsMessageBodyIn::GroupInfo(group_info) = message.extract() else {
            return Err(FollowRoomError::NotAGroupInfo(wire_format));
        };
        let tree = match ratchet_tree {
            Some(bytes) => {
                RatchetTreeIn::tls_deserialize_exact_bytes(bytes).map_err(FollowRoomError::RatchetTreeDecode)?
            }
            None => group_info
                .extensions()
                .ratchet_tree()
                .ok_or(FollowRoomError::MissingRatchetTree)?
                .ratchet_tree()
                .clone(),
        };
        let provider = OpenMlsRustCrypto::default();
        let (group, _) = PublicGroup::from_external(
            provider.crypto(),
            provider.storage(),
            tree,
            group_info,
            ProposalStore::new(),
        )?;
        let members: Vec<String> = group
            .members()
            .map(|member| credential_identity(&member.credential))
            .collect();
        check_state(group.group_context(), &hub, &members, participants)?;
        Ok(Self {
            group,
            provider,
            hub,
            rules,
            participants_checked: true,
            external_senders_checked: true,
        })
    }

    /// Switches the participant check of commits on or off (a fault knob: off, the hub accepts
    /// members whose users are not participants).
    pub fn check_participants(&mut self, on: bool) {
        self.participants_checked = on;
    }

    /// Switches the external_senders check of commits on or off (a fault knob: off, the hub
    /// accepts a commit that removes it from the group's external senders).
    pub fn check_external_senders(&mut self, on: bool) {
        self.external_senders_checked = on;
    }

    /// The current epoch.
    pub fn epoch(&self) -> u64 {
        self.group.group_context().epoch().as_u64()
    }

    /// The group id (the room id's bytes).
    pub fn group_id(&self) -> &[u8] {
        self.group.group_id().as_slice()
    }

    /// The client URIs of the members, in leaf order.
    pub fn members(&self) -> Vec<String> {
        self.group
            .members()
            .map(|member| credential_identity(&member.credential))
            .collect()
    }

    /// The current value of an application component of the GroupContext.
    pub fn component(&self, id: ComponentId) -> Option<Vec<u8>> {
        self.group
            .group_context()
            .extensions()
            .app_data_dictionary()
            .and_then(|extension| extension.dictionary().get(&id))
            .map(<[u8]>::to_vec)
    }

    /// The participant list component (§7.5).
    pub fn participant_list(&self) -> Option<Vec<u8>> {
        self.component(PARTICIPANT_LIST)
    }

    /// The room metadata component (§7.6).
    pub fn room_metadata(&self) -> Option<Vec<u8>> {
        self.component(ROOM_METADATA)
    }

    /// The ratchet tree of the current epoch, TLS-serialized (what the hub hands to joiners
    /// with the GroupInfo, §5.6).
    pub fn ratchet_tree(&self) -> Result<Vec<u8>, openmls::prelude::tls_codec::Error> {
        self.group.export_ratchet_tree().tls_serialize_detached()
    }

    /// A Remove proposal for a member client, sent by the hub as an external sender (§7.3: "Any
    /// party involved in a room (follower server, Hub or clients) can send proposals"; e.g. when
    /// a participant was removed or banned, §5.3). Returned as a serialized MLSMessage
    /// (PublicMessage); the hub stores it by processing it like any other proposal.
    pub fn propose_remove(&self, hub: &HubIdentity, client: &str) -> Result<Vec<u8>, HubProposeError> {
        let _mls = super::timing::scope();
        if hub.external_sender() != self.hub {
            return Err(HubProposeError::NotThisHub(hub.uri().to_owned()));
        }
        let index = self
            .group
            .group_context()
            .extensions()
            .external_senders()
            .and_then(|senders| senders.iter().position(|sender| *sender == self.hub))
            .and_then(|index| u32::try_from(index).ok())
            .ok_or(HubProposeError::HubNotAnExternalSender)?;
        let leaf = self
            .group
            .members()
            .find(|member| credential_identity(&member.credential) == client)
            .ok_or_else(|| HubProposeError::UnknownMember(client.to_owned()))?
            .index;
        let message = ExternalProposal::new_remove::<OpenMlsRustCrypto>(
            leaf,
            self.group.group_id().clone(),
            self.group.group_context().epoch(),
            &hub.signer,
            SenderExtensionIndex::new(index),
        )?;
        Ok(message.tls_serialize_detached()?)
    }

    /// Processes one message sent to the hub. A proposal is stored; a commit is checked (module
    /// documentation) and merged only if every check passes, so a rejected commit leaves the
    /// room unchanged; an application message is only checked for group and epoch.
    pub fn process(&mut self, message: &[u8], participants: &ParticipantsDecoder) -> Result<HubEvent, HubProcessError> {
        self.process_with(message, participants, &|_| Ok(()))
    }

    /// [`HubRoom::process`], and a commit must also pass `check` (which sees what it does) before
    /// it is merged.
    pub fn process_with(
        &mut self,
        message: &[u8],
        participants: &ParticipantsDecoder,
        check: &dyn Fn(&CommitView) -> Result<(), String>,
    ) -> Result<HubEvent, HubProcessError> {
        let _mls = super::timing::scope();
        let message = MlsMessageIn::tls_deserialize_exact_bytes(message).map_err(HubProcessError::InvalidMessage)?;
        let wire_format = message.wire_format();
        let message: ProtocolMessage = message
            .try_into_protocol_message()
            .map_err(|_| HubProcessError::NotAGroupMessage(wire_format))?;
        if message.group_id() != self.group.group_id() {
            return Err(HubProcessError::WrongGroup {
                expected: self.group_id().to_vec(),
                got: message.group_id().as_slice().to_vec(),
            });
        }
        if message.epoch().as_u64() != self.epoch() {
            return Err(HubProcessError::WrongEpoch {
                expected: self.epoch(),
                got: message.epoch().as_u64(),
            });
        }
        if let ProtocolMessage::PrivateMessage(_) = &message {
            return match message.content_type() {
                ContentType::Application => Ok(HubEvent::Application { epoch: self.epoch() }),
                other => Err(HubProcessError::HandshakeNotPublic(other)),
            };
        }

        let processed = self.group.process_message(self.provider.crypto(), message)?;
        let sender = processed.sender().clone();
        let sender_identity = credential_identity(processed.credential());
        let staged = match processed.into_content() {
            ProcessedMessageContent::ProposalMessage(proposal) => {
                if !matches!(sender, Sender::Member(_) | Sender::External(_)) {
                    return Err(HubProcessError::UnexpectedSender {
                        sender: format!("{sender:?}"),
                    });
                }
                self.group
                    .add_proposal(self.provider.storage(), *proposal)
                    .map_err(HubProcessError::StoreProposal)?;
                return Ok(HubEvent::Proposal {
                    sender: sender_identity,
                });
            }
            ProcessedMessageContent::ExternalJoinProposalMessage(_) => {
                return Err(HubProcessError::UnexpectedSender {
                    sender: format!("{sender:?}"),
                });
            }
            // openmls yields none of these for a PublicMessage processed by a non-member.
            ProcessedMessageContent::ApplicationMessage(_) => {
                return Err(HubProcessError::UnexpectedContent("an application message"));
            }
            ProcessedMessageContent::OwnPendingCommit | ProcessedMessageContent::OwnPrivateMessage => {
                return Err(HubProcessError::UnexpectedContent("the hub's own message"));
            }
            ProcessedMessageContent::StagedCommitMessage(staged) => *staged,
            ProcessedMessageContent::UnresolvedAppDataCommit(unresolved) => {
                let updates = resolve_app_data_updates(
                    self.group.app_data_dictionary_updater(),
                    unresolved.app_data_update_proposals(),
                    &self.rules,
                )?;
                self.group
                    .stage_app_data_commit(self.provider.crypto(), *unresolved, updates)?
            }
        };

        // §7.3: "only clients can send commits".
        if !matches!(sender, Sender::Member(_) | Sender::NewMemberCommit) {
            return Err(HubProcessError::CommitterNotAMember {
                sender: format!("{sender:?}"),
            });
        }
        let members = if self.participants_checked {
            self.members_after(&staged, &sender)
        } else {
            Vec::new()
        };
        match check_state(staged.group_context(), &self.hub, &members, participants) {
            Err(Violation::NoExternalSenders | Violation::HubNotAnExternalSender) if !self.external_senders_checked => {
            }
            other => other?,
        }
        let included: BTreeSet<_> = staged
            .queued_proposals()
            .map(|p| p.proposal_reference_ref().clone())
            .collect();
        let missing = self
            .group
            .queued_proposals(self.provider.storage())
            .map_err(HubProcessError::StoreProposal)?
            .into_iter()
            .filter(|(reference, _)| !included.contains(reference))
            .count();
        // An external joiner cannot include proposals by reference (RFC 9420 §12.4.3.2); the
        // proposals it leaves out die with the epoch (draft-ietf-mimi-protocol-06 §5.3).
        if missing > 0 && !matches!(sender, Sender::NewMemberCommit) {
            return Err(HubProcessError::MissingProposals(missing));
        }
        let mut view = self.commit_view(&staged, &sender_identity);
        view.external = matches!(sender, Sender::NewMemberCommit);
        check(&view).map_err(HubProcessError::Policy)?;
        let added = staged
            .add_proposals()
            .map(|add| {
                let key_package = add.add_proposal().key_package();
                let reference = key_package
                    .hash_ref(self.provider.crypto())
                    .map(|r| r.as_slice().to_vec())
                    .unwrap_or_default();
                (credential_identity(key_package.leaf_node().credential()), reference)
            })
            .collect();
        let removed = staged
            .remove_proposals()
            .filter_map(|remove| {
                self.group
                    .leaf(remove.remove_proposal().removed())
                    .map(|leaf| credential_identity(leaf.credential()))
            })
            .collect();
        self.group.merge_commit(self.provider.storage(), staged)?;
        Ok(HubEvent::Commit {
            committer: sender_identity,
            epoch: self.epoch(),
            added,
            removed,
        })
    }

    /// What `staged`, committed by `committer`, does (see [`CommitView`]).
    fn commit_view(&self, staged: &StagedCommit, committer: &str) -> CommitView {
        use openmls::prelude::{AppDataUpdateOperation, Proposal};
        let sender_of = |sender: &Sender| match sender {
            Sender::Member(index) => self
                .group
                .leaf(*index)
                .map_or_else(|| committer.to_owned(), |leaf| credential_identity(leaf.credential())),
            Sender::External(_) => "external".to_owned(),
            _ => committer.to_owned(),
        };
        let mut view = CommitView {
            committer: committer.to_owned(),
            added: Vec::new(),
            removed: Vec::new(),
            updates: Vec::new(),
            removed_components: Vec::new(),
            external: false,
        };
        for queued in staged.queued_proposals() {
            let sender = sender_of(queued.sender());
            match queued.proposal() {
                Proposal::Add(add) => view
                    .added
                    .push((credential_identity(add.key_package().leaf_node().credential()), sender)),
                Proposal::Remove(remove) => {
                    if let Some(leaf) = self.group.leaf(remove.removed()) {
                        view.removed.push((credential_identity(leaf.credential()), sender));
                    }
                }
                Proposal::AppDataUpdate(update) => match update.operation() {
                    AppDataUpdateOperation::Update(payload) => {
                        view.updates
                            .push((sender, update.component_id(), payload.as_slice().to_vec()))
                    }
                    AppDataUpdateOperation::Remove => view.removed_components.push((sender, update.component_id())),
                },
                _ => {}
            }
        }
        view
    }

    /// The member client URIs once `staged` (sent by `sender`) is applied: removes drop leaves,
    /// updates and the committer's update path replace the leaf's credential, adds and an
    /// external committer's leaf are new.
    fn members_after(&self, staged: &StagedCommit, sender: &Sender) -> Vec<String> {
        let mut leaves: BTreeMap<u32, String> = self
            .group
            .members()
            .map(|member| (member.index.u32(), credential_identity(&member.credential)))
            .collect();
        for remove in staged.remove_proposals() {
            leaves.remove(&remove.remove_proposal().removed().u32());
        }
        for update in staged.update_proposals() {
            if let Sender::Member(index) = update.sender() {
                leaves.insert(
                    index.u32(),
                    credential_identity(update.update_proposal().leaf_node().credential()),
                );
            }
        }
        let mut members: Vec<String> = Vec::new();
        if let Some(leaf) = staged.update_path_leaf_node() {
            let identity = credential_identity(leaf.credential());
            match sender {
                Sender::Member(index) => {
                    leaves.insert(index.u32(), identity);
                }
                _ => members.push(identity),
            }
        }
        members.extend(leaves.into_values());
        members.extend(
            staged
                .add_proposals()
                .map(|add| credential_identity(add.add_proposal().key_package().leaf_node().credential())),
        );
        members
    }
}

/// Rules 4 and 5 of the module documentation, on a GroupContext and its member client URIs.
fn check_state(
    context: &GroupContext,
    hub: &ExternalSender,
    members: &[String],
    participants: &ParticipantsDecoder,
) -> Result<(), Violation> {
    let extensions = context.extensions();
    // PROT-31: "Each MLS group associated with a MIMI room MUST therefore contain an
    // external_senders extension."
    let external_senders = extensions.external_senders().ok_or(Violation::NoExternalSenders)?;
    // PROT-32: "That extension MUST contain at least the Certificate of the Hub."
    if !external_senders.contains(hub) {
        return Err(Violation::HubNotAnExternalSender);
    }
    // §7.5 participant list, arch §4.1 participants and members.
    let list = extensions
        .app_data_dictionary()
        .and_then(|extension| extension.dictionary().get(&PARTICIPANT_LIST))
        .ok_or(Violation::NoParticipantList)?;
    let users: BTreeSet<String> = participants(list).map_err(Violation::ParticipantListUnreadable)?;
    for client in members {
        let user = user_of_client(client).map_err(Violation::ClientUri)?;
        if !users.contains(&user) {
            return Err(Violation::NotAParticipant {
                client: client.clone(),
                user,
            });
        }
    }
    Ok(())
}
