//! The errors of [`super::Room`]'s operations, one enum per operation (as openmls's
//! `group/mls_group/errors.rs`): each variant names what was refused and carries openmls's reason.

use openmls::prelude::{
    CommitBuilderStageError, CreateCommitError, CreateMessageError, ExportGroupInfoError, ExternalCommitBuilderError,
    ExternalCommitBuilderFinalizeError, InvalidExtensionError, KeyPackageVerifyError, MergeCommitError,
    MergePendingCommitError, NewGroupError, ProcessMessageError, StageCommitError, WelcomeError, WireFormat,
};

use super::super::{AppDataUpdateError, StorageError};

/// Errors of [`Room::create`](super::Room::create).
#[derive(Debug, thiserror::Error)]
pub enum CreateRoomError {
    /// The GroupContext extensions are not valid together.
    #[error("invalid GroupContext extensions: {0}")]
    Extensions(#[from] InvalidExtensionError),
    /// openmls refused to create the group.
    #[error("cannot create the group: {0}")]
    Group(#[from] NewGroupError<StorageError>),
}

/// Errors of [`Room::join`](super::Room::join).
#[derive(Debug, thiserror::Error)]
pub enum JoinRoomError {
    /// The bytes are not an MLSMessage.
    #[error("not an MLSMessage: {0}")]
    Decode(openmls::prelude::tls_codec::Error),
    /// The MLSMessage is not a Welcome.
    #[error("the MLSMessage is a {0:?}, not a Welcome")]
    NotAWelcome(WireFormat),
    /// openmls refused the Welcome (no matching KeyPackage, bad signature, ...).
    #[error("Welcome refused: {0}")]
    Welcome(#[from] WelcomeError<StorageError>),
}

/// Errors of [`Room::join_external`](super::Room::join_external).
#[derive(Debug, thiserror::Error)]
pub enum ExternalJoinError {
    /// The GroupInfo bytes are not an MLSMessage.
    #[error("GroupInfo: not an MLSMessage: {0}")]
    Decode(openmls::prelude::tls_codec::Error),
    /// The MLSMessage is not a GroupInfo.
    #[error("the MLSMessage is a {0:?}, not a GroupInfo")]
    NotAGroupInfo(WireFormat),
    /// The ratchet tree bytes do not decode.
    #[error("ratchet tree: {0}")]
    RatchetTreeDecode(openmls::prelude::tls_codec::Error),
    /// openmls refused the GroupInfo or tree.
    #[error("GroupInfo refused: {0}")]
    GroupInfo(#[from] ExternalCommitBuilderError<StorageError>),
    /// openmls could not build the external commit.
    #[error("cannot build the external commit: {0}")]
    Create(#[from] CreateCommitError),
    /// openmls could not finish the join.
    #[error("cannot finish the external join: {0}")]
    Finalize(#[from] ExternalCommitBuilderFinalizeError<StorageError>),
    /// The commit could not be encoded.
    #[error("cannot encode the external commit: {0}")]
    Encode(#[from] openmls::prelude::tls_codec::Error),
    /// An AppDataUpdate does not apply to the room's component.
    #[error(transparent)]
    AppData(#[from] AppDataUpdateError),
}

/// Errors of [`Room::commit`](super::Room::commit) and its shorthands.
#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    /// A commit of this client is still waiting for [`Room::confirm_commit`](super::Room::confirm_commit) or
    /// [`Room::discard_commit`](super::Room::discard_commit).
    #[error("a commit is already pending")]
    PendingCommit,
    /// `add[index]` is not an MLSMessage.
    #[error("key package {index}: not an MLSMessage: {source}")]
    KeyPackageDecode {
        /// Position in [`RoomChanges::add`](super::RoomChanges::add).
        index: usize,
        /// The codec error.
        source: openmls::prelude::tls_codec::Error,
    },
    /// `add[index]` is an MLSMessage of another kind.
    #[error("key package {index}: the MLSMessage is a {wire_format:?}, not a KeyPackage")]
    NotAKeyPackage {
        /// Position in [`RoomChanges::add`](super::RoomChanges::add).
        index: usize,
        /// What it is.
        wire_format: WireFormat,
    },
    /// `add[index]` does not verify (signature, version, ciphersuite, lifetime, ...).
    #[error("key package {index}: invalid: {source}")]
    InvalidKeyPackage {
        /// Position in [`RoomChanges::add`](super::RoomChanges::add).
        index: usize,
        /// Why it is invalid.
        source: KeyPackageVerifyError,
    },
    /// A client to remove is not a member.
    #[error("{0} is not a member of the group")]
    UnknownMember(String),
    /// An AppDataUpdate payload cannot be applied.
    #[error(transparent)]
    AppDataUpdate(#[from] AppDataUpdateError),
    /// openmls could not build the commit.
    #[error("cannot build the commit: {0}")]
    Create(#[from] CreateCommitError),
    /// openmls could not stage the commit.
    #[error("cannot stage the commit: {0}")]
    Stage(#[from] CommitBuilderStageError<StorageError>),
    /// An output message could not be encoded.
    #[error("cannot encode the commit's messages: {0}")]
    Encode(#[from] openmls::prelude::tls_codec::Error),
}

/// Errors of [`Room::confirm_commit`](super::Room::confirm_commit).
#[derive(Debug, thiserror::Error)]
pub enum ConfirmCommitError {
    /// There is no pending commit.
    #[error("no commit is pending")]
    NoPendingCommit,
    /// openmls could not merge it.
    #[error("cannot merge the pending commit: {0}")]
    Merge(#[from] MergePendingCommitError<StorageError>),
}

/// Errors of [`Room::process`](super::Room::process).
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    /// The bytes are not an MLSMessage.
    #[error("not an MLSMessage: {0}")]
    Decode(openmls::prelude::tls_codec::Error),
    /// The MLSMessage is not a PublicMessage or PrivateMessage.
    #[error("the MLSMessage is a {0:?}, not a group message")]
    NotAGroupMessage(WireFormat),
    /// openmls refused the message (wrong group or epoch, bad signature or membership tag,
    /// undecryptable, invalid proposals, ...).
    #[error("message refused: {0}")]
    Refused(#[from] ProcessMessageError<StorageError>),
    /// A NewMemberProposal (external join proposal): MIMI rooms are joined by Welcome or
    /// external commit.
    #[error("external join proposals are not used in MIMI rooms")]
    ExternalJoinProposal,
    /// An AppDataUpdate in the commit cannot be applied.
    #[error(transparent)]
    AppDataUpdate(#[from] AppDataUpdateError),
    /// openmls could not stage a commit with AppDataUpdate proposals.
    #[error("cannot stage the commit: {0}")]
    Stage(#[from] StageCommitError),
    /// openmls could not merge the commit.
    #[error("cannot merge the commit: {0}")]
    Merge(#[from] MergeCommitError<StorageError>),
    /// openmls could not merge this client's own pending commit.
    #[error("cannot merge the pending commit: {0}")]
    MergePending(#[from] MergePendingCommitError<StorageError>),
    /// The proposal could not be stored.
    #[error("cannot store the proposal: {0:?}")]
    StoreProposal(StorageError),
}

/// Errors of [`Room::send`](super::Room::send).
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// openmls could not create the message (e.g. pending proposals, evicted).
    #[error("cannot create the application message: {0}")]
    Create(#[from] CreateMessageError),
    /// The message could not be encoded.
    #[error("cannot encode the application message: {0}")]
    Encode(#[from] openmls::prelude::tls_codec::Error),
}

/// Errors of [`Room::propose_leave`](super::Room::propose_leave).
#[derive(Debug, thiserror::Error)]
pub enum ProposeError {
    /// A client to remove is not a member.
    #[error("{0} is not a member of the group")]
    UnknownMember(String),
    /// openmls could not create the Remove proposal.
    #[error("cannot create the Remove proposal: {0}")]
    Remove(#[from] openmls::prelude::ProposeRemoveMemberError<StorageError>),
    /// openmls could not create the AppDataUpdate proposal.
    #[error("cannot create the AppDataUpdate proposal: {0}")]
    AppDataUpdate(#[from] openmls::prelude::ProposalError<StorageError>),
    /// A proposal could not be encoded.
    #[error("cannot encode the proposal: {0}")]
    Encode(#[from] openmls::prelude::tls_codec::Error),
}

/// Errors of [`Room::group_info`](super::Room::group_info).
#[derive(Debug, thiserror::Error)]
pub enum GroupInfoError {
    /// openmls could not export it.
    #[error("cannot export the GroupInfo: {0}")]
    Export(#[from] ExportGroupInfoError),
    /// It could not be encoded.
    #[error("cannot encode the GroupInfo: {0}")]
    Encode(#[from] openmls::prelude::tls_codec::Error),
}
