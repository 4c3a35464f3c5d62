//! draft-ietf-mimi-protocol-06 §5.3 Update Room State (`POST /update/{roomId}`): HandshakeBundle,
//! GroupInfoOption, UpdateRequest, UpdateRoomResponse.
//!
//! HandshakeBundle's `select (proposalOrCommit.content.content_type)` looks inside the MLSMessage
//! (see [`super::mls_peek::peek_mls`]); -06 leaves that select without its closing `};` (reading
//! PROT-X08: the select ends before the struct does).

use serde::{Deserialize, Serialize};
use tls_codec::{DeserializeBytes, Error, Serialize as _};

use super::Reading;
use super::common::{GroupInfoBytes, MlsMessageBytes, ProposalRef, WelcomeBytes, arm_mismatch, size_by_serializing};
use super::mls_object::read_mls_messages;
use super::mls_peek::{ContentType, peek_mls};
use super::ratchet_tree::{PartialGroupInfo, RatchetTreeOption};
use crate::codec::tls::{Opaque, Optional, VecOf, open_enum};

/// §5.3 `HandshakeBundle`: a proposal or commit (an MLSMessage holding a PublicMessage or
/// SemiPrivateMessage) and what its content type adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandshakeBundle {
    #[serde(rename = "proposalOrCommit")]
    pub proposal_or_commit: MlsMessageBytes,
    #[serde(flatten)]
    pub arm: HandshakeArm,
}

/// The select arm of [`HandshakeBundle`], chosen by the content type of `proposalOrCommit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HandshakeArm {
    /// `case commit`: the Welcome and GroupInfo omit the ratchet_tree.
    Commit {
        /// §5.3 `optional<Welcome>`: a bare RFC 9420 Welcome, not an MLSMessage.
        welcome: Optional<WelcomeBytes>,
        #[serde(rename = "groupInfoOption")]
        group_info_option: GroupInfoOption,
        #[serde(rename = "ratchetTreeOption")]
        ratchet_tree_option: RatchetTreeOption,
    },
    /// `case proposal`: further proposals, §5.3 `MLSMessage moreProposals<V>`.
    Proposal {
        #[serde(rename = "moreProposals")]
        more_proposals: VecOf<MlsMessageBytes>,
    },
}

impl HandshakeBundle {
    /// Decodes with the given reading (which says what wire format a SemiPrivateMessage has).
    pub fn read_with<'a>(bytes: &'a [u8], reading: &Reading) -> Result<(Self, &'a [u8]), Error> {
        let (proposal_or_commit, r) = MlsMessageBytes::read_with(bytes, reading.semiprivate_wire_format)?;
        let peek = peek_mls(proposal_or_commit.as_slice(), reading.semiprivate_wire_format)?;
        // §5.3: the hub must be able to read it, so a PublicMessage or SemiPrivateMessage only.
        if peek.wire_format == super::mls_peek::WireFormat::PRIVATE_MESSAGE {
            return Err(peek.wire_format.no_arm());
        }
        let (arm, r) = match peek.content_type {
            Some(ContentType::COMMIT) => {
                let (welcome, r) = Optional::tls_deserialize_bytes(r)?;
                let (group_info_option, r) = GroupInfoOption::tls_deserialize_bytes(r)?;
                let (ratchet_tree_option, r) = RatchetTreeOption::tls_deserialize_bytes(r)?;
                let arm = HandshakeArm::Commit {
                    welcome,
                    group_info_option,
                    ratchet_tree_option,
                };
                (arm, r)
            }
            Some(ContentType::PROPOSAL) => {
                let (more_proposals, r) = read_mls_messages(r, reading.semiprivate_wire_format)?;
                (HandshakeArm::Proposal { more_proposals }, r)
            }
            Some(ct) => return Err(ct.no_arm()),
            None => return Err(peek.wire_format.no_arm()),
        };
        Ok((
            HandshakeBundle {
                proposal_or_commit,
                arm,
            },
            r,
        ))
    }

    /// Encodes; the arm must match the content type of `proposalOrCommit`.
    pub fn write_with<W: std::io::Write>(&self, w: &mut W, reading: &Reading) -> Result<usize, Error> {
        let peek = peek_mls(self.proposal_or_commit.as_slice(), reading.semiprivate_wire_format)?;
        let n = self.proposal_or_commit.tls_serialize(w)?;
        Ok(n + match (peek.content_type, &self.arm) {
            (
                Some(ContentType::COMMIT),
                HandshakeArm::Commit {
                    welcome,
                    group_info_option,
                    ratchet_tree_option,
                },
            ) => {
                welcome.tls_serialize(w)?
                    + group_info_option.tls_serialize(w)?
                    + ratchet_tree_option.tls_serialize(w)?
            }
            (Some(ContentType::PROPOSAL), HandshakeArm::Proposal { more_proposals }) => {
                more_proposals.tls_serialize(w)?
            }
            (Some(ct), _) => return Err(arm_mismatch("HandshakeBundle", "content_type", ct)),
            (None, _) => return Err(arm_mismatch("HandshakeBundle", "wire_format", peek.wire_format)),
        })
    }
}

impl tls_codec::Serialize for HandshakeBundle {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        self.write_with(w, &Reading::default())
    }
}

impl DeserializeBytes for HandshakeBundle {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        Self::read_with(bytes, &Reading::default())
    }
}

open_enum! {
    /// §5.3 `GroupInfoRepresentation`; selects the arm of [`GroupInfoOption`].
    GroupInfoRepresentation(u8) {
        RESERVED = 0 => "reserved",
        FULL = 1 => "full",
        PARTIAL = 2 => "partial",
    }
}

/// §5.3 `GroupInfoOption`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfoOption {
    pub representation: GroupInfoRepresentation,
    #[serde(flatten)]
    pub arm: GroupInfoArm,
}

/// The select arm of [`GroupInfoOption`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GroupInfoArm {
    /// `case full`: §5.3 `GroupInfo groupInfo`, a bare RFC 9420 GroupInfo, not an MLSMessage.
    Full {
        #[serde(rename = "groupInfo")]
        group_info: GroupInfoBytes,
    },
    /// `case partial`: draft-mahy-mls-ratchet-tree-options PartialGroupInfo.
    Partial {
        #[serde(rename = "partialGroupInfo")]
        partial_group_info: PartialGroupInfo,
    },
}

impl tls_codec::Serialize for GroupInfoOption {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        let n = self.representation.tls_serialize(w)?;
        Ok(n + match (self.representation, &self.arm) {
            (GroupInfoRepresentation::FULL, GroupInfoArm::Full { group_info }) => group_info.tls_serialize(w)?,
            (GroupInfoRepresentation::PARTIAL, GroupInfoArm::Partial { partial_group_info }) => {
                partial_group_info.tls_serialize(w)?
            }
            (v, _) => return Err(arm_mismatch("GroupInfoOption", "representation", v)),
        })
    }
}

impl DeserializeBytes for GroupInfoOption {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (representation, r) = GroupInfoRepresentation::tls_deserialize_bytes(bytes)?;
        let (arm, r) = match representation {
            GroupInfoRepresentation::FULL => {
                let (group_info, r) = GroupInfoBytes::tls_deserialize_bytes(r)?;
                (GroupInfoArm::Full { group_info }, r)
            }
            GroupInfoRepresentation::PARTIAL => {
                let (partial_group_info, r) = PartialGroupInfo::tls_deserialize_bytes(r)?;
                (GroupInfoArm::Partial { partial_group_info }, r)
            }
            v => return Err(v.no_arm()),
        };
        Ok((GroupInfoOption { representation, arm }, r))
    }
}

/// §5.3 `UpdateRequest`: `select (room.protocol) { case mls10: HandshakeBundle bundle; }`. The
/// room's protocol is not on the wire; rooms are mls10, so the body is the HandshakeBundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateRequest {
    pub bundle: HandshakeBundle,
}

impl UpdateRequest {
    pub fn read_with<'a>(bytes: &'a [u8], reading: &Reading) -> Result<(Self, &'a [u8]), Error> {
        let (bundle, r) = HandshakeBundle::read_with(bytes, reading)?;
        Ok((UpdateRequest { bundle }, r))
    }

    pub fn write_with<W: std::io::Write>(&self, w: &mut W, reading: &Reading) -> Result<usize, Error> {
        self.bundle.write_with(w, reading)
    }
}

impl tls_codec::Serialize for UpdateRequest {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        self.bundle.tls_serialize(w)
    }
}

impl DeserializeBytes for UpdateRequest {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        Self::read_with(bytes, &Reading::default())
    }
}

open_enum! {
    /// §5.3 `UpdateResponseCode`; selects the arm of [`UpdateRoomResponse`].
    UpdateResponseCode(u8) {
        SUCCESS = 0 => "success",
        WRONG_EPOCH = 1 => "wrongEpoch",
        NOT_ALLOWED = 2 => "notAllowed",
        INVALID_PROPOSAL = 3 => "invalidProposal",
    }
}

/// §5.3 `UpdateRoomResponse`. `string errorDescription` is read as `opaque<V>` holding UTF-8
/// (reading PROT-X07; -06 defines no `string` type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRoomResponse {
    pub response_code: UpdateResponseCode,
    pub error_description: Opaque,
    #[serde(flatten)]
    pub arm: UpdateResponseArm,
}

/// The select arm of [`UpdateRoomResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UpdateResponseArm {
    /// `success`: the hub acceptance time in milliseconds since the UNIX epoch.
    Success { accepted_timestamp: u64 },
    /// `wrongEpoch`: the group's current epoch.
    WrongEpoch {
        #[serde(rename = "currentEpoch")]
        current_epoch: u64,
    },
    /// `invalidProposal`: the ProposalRefs of the invalid proposals.
    InvalidProposal {
        #[serde(rename = "invalidProposals")]
        invalid_proposals: VecOf<ProposalRef>,
    },
    /// `notAllowed`: nothing.
    None {},
}

impl tls_codec::Serialize for UpdateRoomResponse {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        let n = self.response_code.tls_serialize(w)? + self.error_description.tls_serialize(w)?;
        Ok(n + match (self.response_code, &self.arm) {
            (UpdateResponseCode::SUCCESS, UpdateResponseArm::Success { accepted_timestamp }) => {
                accepted_timestamp.tls_serialize(w)?
            }
            (UpdateResponseCode::WRONG_EPOCH, UpdateResponseArm::WrongEpoch { current_epoch }) => {
                current_epoch.tls_serialize(w)?
            }
            (UpdateResponseCode::INVALID_PROPOSAL, UpdateResponseArm::InvalidProposal { invalid_proposals }) => {
                invalid_proposals.tls_serialize(w)?
            }
            (UpdateResponseCode::NOT_ALLOWED, UpdateResponseArm::None {}) => 0,
            (c, _) => return Err(arm_mismatch("UpdateRoomResponse", "responseCode", c)),
        })
    }
}

impl DeserializeBytes for UpdateRoomResponse {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (response_code, r) = UpdateResponseCode::tls_deserialize_bytes(bytes)?;
        let (error_description, r) = Opaque::tls_deserialize_bytes(r)?;
        let (arm, r) = match response_code {
            UpdateResponseCode::SUCCESS => {
                let (accepted_timestamp, r) = u64::tls_deserialize_bytes(r)?;
                (UpdateResponseArm::Success { accepted_timestamp }, r)
            }
            UpdateResponseCode::WRONG_EPOCH => {
                let (current_epoch, r) = u64::tls_deserialize_bytes(r)?;
                (UpdateResponseArm::WrongEpoch { current_epoch }, r)
            }
            UpdateResponseCode::INVALID_PROPOSAL => {
                let (invalid_proposals, r) = VecOf::tls_deserialize_bytes(r)?;
                (UpdateResponseArm::InvalidProposal { invalid_proposals }, r)
            }
            UpdateResponseCode::NOT_ALLOWED => (UpdateResponseArm::None {}, r),
            c => return Err(c.no_arm()),
        };
        let resp = UpdateRoomResponse {
            response_code,
            error_description,
            arm,
        };
        Ok((resp, r))
    }
}

size_by_serializing!(HandshakeBundle, GroupInfoOption, UpdateRequest, UpdateRoomResponse);
