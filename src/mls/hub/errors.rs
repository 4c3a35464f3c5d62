//! The errors of [`HubRoom`](super::HubRoom)'s operations, one enum per operation, and the
//! MIMI rule a room state breaks ([`Violation`]), shared by following a room and by processing
//! a commit.

use openmls::prelude::{
    ContentType, CreationFromExternalError, MergeCommitError, ProposeRemoveMemberError, PublicProcessMessageError,
    StageCommitError, WireFormat,
};

use super::super::client::ClientUriError;
use super::super::{AppDataUpdateError, StorageError};

/// Errors of [`HubRoom::propose_remove`](super::HubRoom::propose_remove).
#[derive(Debug, thiserror::Error)]
pub enum HubProposeError {
    /// The identity is not the one this room view was created for.
    #[error("the identity {0} is not this room's hub")]
    NotThisHub(String),
    /// The hub is not in the external_senders extension (PROT-32), so it cannot propose.
    #[error("PROT-32 (§7.4): the hub is not in the external_senders extension")]
    HubNotAnExternalSender,
    /// The client to remove is not a member.
    #[error("{0} is not a member of the group")]
    UnknownMember(String),
    /// openmls could not create the proposal.
    #[error("cannot create the proposal: {0}")]
    Create(#[from] ProposeRemoveMemberError<StorageError>),
    /// The proposal could not be encoded.
    #[error("cannot encode the proposal: {0}")]
    Encode(#[from] openmls::prelude::tls_codec::Error),
}

/// A room state that breaks a MIMI rule (shared by [`FollowRoomError`] and [`HubProcessError`]).
pub(super) enum Violation {
    NoExternalSenders,
    HubNotAnExternalSender,
    NoParticipantList,
    ParticipantListUnreadable(String),
    ClientUri(ClientUriError),
    NotAParticipant { client: String, user: String },
}

/// Errors of [`HubRoom::follow`](super::HubRoom::follow).
#[derive(Debug, thiserror::Error)]
pub enum FollowRoomError {
    /// The GroupInfo bytes are not an MLSMessage.
    #[error("GroupInfo: not an MLSMessage: {0}")]
    Decode(openmls::prelude::tls_codec::Error),
    /// The MLSMessage is not a GroupInfo.
    #[error("the MLSMessage is a {0:?}, not a GroupInfo")]
    NotAGroupInfo(WireFormat),
    /// The ratchet tree bytes do not decode.
    #[error("ratchet tree: {0}")]
    RatchetTreeDecode(openmls::prelude::tls_codec::Error),
    /// No ratchet tree was given and the GroupInfo has no ratchet_tree extension.
    #[error("no ratchet tree: none given and none in the GroupInfo")]
    MissingRatchetTree,
    /// openmls refused the GroupInfo and tree (signature, tree hash, leaf validation, ...).
    #[error("GroupInfo refused: {0}")]
    Refused(#[from] CreationFromExternalError<StorageError>),
    /// PROT-31: the group has no external_senders extension.
    #[error("PROT-31 (§7.4): the group has no external_senders extension")]
    NoExternalSenders,
    /// PROT-32: the external_senders extension does not hold the hub.
    #[error("PROT-32 (§7.4): the external_senders extension does not contain the hub")]
    HubNotAnExternalSender,
    /// The app_data_dictionary has no participant_list component (§7.5).
    #[error("§7.5: the app_data_dictionary has no participant_list component")]
    NoParticipantList,
    /// The participant list does not decode.
    #[error("§7.5: the participant list does not decode: {0}")]
    ParticipantListUnreadable(String),
    /// A member's identity is not a client URI.
    #[error(transparent)]
    ClientUri(ClientUriError),
    /// A member client's user is not a participant (arch §4.1).
    #[error("arch §4.1: client {client} is a member but its user {user} is not a participant")]
    NotAParticipant {
        /// The member client's URI.
        client: String,
        /// Its user's URI.
        user: String,
    },
}

/// Errors of [`HubRoom::process`](super::HubRoom::process): each rejected message gets the variant of the rule it breaks.
#[derive(Debug, thiserror::Error)]
pub enum HubProcessError {
    /// The bytes are not an MLSMessage.
    #[error("not an MLSMessage: {0}")]
    InvalidMessage(openmls::prelude::tls_codec::Error),
    /// The MLSMessage is not a PublicMessage or PrivateMessage.
    #[error("the MLSMessage is a {0:?}, not a group message")]
    NotAGroupMessage(WireFormat),
    /// The message is for another group.
    #[error("the message is for group {got:?}, not {expected:?}")]
    WrongGroup {
        /// This room's group id.
        expected: Vec<u8>,
        /// The message's group id.
        got: Vec<u8>,
    },
    /// §4.2: proposals and commits travel as PublicMessage so the hub can follow the group.
    #[error("§4.2: a {0:?} sent as PrivateMessage; handshake messages must be PublicMessages")]
    HandshakeNotPublic(ContentType),
    /// The message is not for the current epoch.
    #[error("wrong epoch: the room is at epoch {expected}, the message is for epoch {got}")]
    WrongEpoch {
        /// The hub's epoch.
        expected: u64,
        /// The message's epoch.
        got: u64,
    },
    /// openmls refused the message (signature, membership tag, invalid proposals or path, ...).
    #[error("message refused: {0}")]
    Refused(#[from] PublicProcessMessageError),
    /// A commit whose sender is neither a member nor a joiner by external commit.
    #[error("§7.3: only member clients commit; the commit's sender is {sender}")]
    CommitterNotAMember {
        /// The sender as openmls reports it.
        sender: String,
    },
    /// A proposal from a sender MIMI does not use (a NewMemberProposal).
    #[error("§7.4: proposals come from members or listed external senders, not {sender}")]
    UnexpectedSender {
        /// The sender as openmls reports it.
        sender: String,
    },
    /// openmls returned content a hub cannot receive.
    #[error("unexpected content for the hub: {0}")]
    UnexpectedContent(&'static str),
    /// An AppDataUpdate in the commit cannot be applied.
    #[error(transparent)]
    AppDataUpdate(#[from] AppDataUpdateError),
    /// openmls could not stage the commit with its AppDataUpdate results.
    #[error("cannot stage the commit: {0}")]
    Stage(#[from] StageCommitError),
    /// PROT-31: after the commit the group has no external_senders extension.
    #[error("PROT-31 (§7.4): after the commit the group has no external_senders extension")]
    NoExternalSenders,
    /// PROT-32: after the commit the external_senders extension does not hold the hub.
    #[error("PROT-32 (§7.4): after the commit external_senders does not contain the hub")]
    HubNotAnExternalSender,
    /// After the commit the app_data_dictionary has no participant_list component (§7.5).
    #[error("§7.5: after the commit the app_data_dictionary has no participant_list component")]
    NoParticipantList,
    /// The new participant list does not decode.
    #[error("§7.5: the new participant list does not decode: {0}")]
    ParticipantListUnreadable(String),
    /// A member's identity is not a client URI.
    #[error(transparent)]
    ClientUri(ClientUriError),
    /// After the commit a member client's user is not a participant (arch §4.1).
    #[error(
        "arch §4.1: after the commit client {client} is a member but its user {user} is not a \
         participant"
    )]
    NotAParticipant {
        /// The member client's URI.
        client: String,
        /// Its user's URI.
        user: String,
    },
    /// The proposal could not be stored.
    #[error("cannot store the proposal: {0:?}")]
    StoreProposal(StorageError),
    /// §3.5: a proposal the hub accepted earlier is not in the commit ("the next committer
    /// must include them").
    #[error("§3.5: the commit leaves out {0} proposal(s) the hub accepted before it")]
    MissingProposals(usize),
    /// The caller's check of the commit (its room policy) refused it.
    #[error("{0}")]
    Policy(String),
    /// The accepted commit could not be merged.
    #[error("cannot merge the commit: {0}")]
    Merge(#[from] MergeCommitError<StorageError>),
}

impl From<Violation> for FollowRoomError {
    fn from(v: Violation) -> Self {
        match v {
            Violation::NoExternalSenders => Self::NoExternalSenders,
            Violation::HubNotAnExternalSender => Self::HubNotAnExternalSender,
            Violation::NoParticipantList => Self::NoParticipantList,
            Violation::ParticipantListUnreadable(e) => Self::ParticipantListUnreadable(e),
            Violation::ClientUri(e) => Self::ClientUri(e),
            Violation::NotAParticipant { client, user } => Self::NotAParticipant { client, user },
        }
    }
}

impl From<Violation> for HubProcessError {
    fn from(v: Violation) -> Self {
        match v {
            Violation::NoExternalSenders => Self::NoExternalSenders,
            Violation::HubNotAnExternalSender => Self::HubNotAnExternalSender,
            Violation::NoParticipantList => Self::NoParticipantList,
            Violation::ParticipantListUnreadable(e) => Self::ParticipantListUnreadable(e),
            Violation::ClientUri(e) => Self::ClientUri(e),
            Violation::NotAParticipant { client, user } => Self::NotAParticipant { client, user },
        }
    }
}
