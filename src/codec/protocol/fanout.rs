//! draft-ietf-mimi-protocol-06 §5.5 Fanout Messages and Room Events (`POST /notify/{roomId}`):
//! FanoutMessage. A request body may hold several FanoutMessages one after another
//! ([`FanoutMessage::read_all`]).
//!
//! -06 writes `select (protocol)` though the struct has no `protocol` field, and selects on
//! `message.wire_format` with labels that are partly content types (application, proposal,
//! commit) and partly a wire format (welcome). Readings (NOTES §9 item 5, PROT-X05):
//!
//! * no `protocol` field is on the wire (the room is mls10); [`Reading::fanout_protocol_field`]
//!   selects the other reading, a `Protocol protocol` right after `timestamp`;
//! * `welcome` is the arm of wire format mls_welcome; `application`, `proposal` and `commit` are
//!   the arms of a PublicMessage, PrivateMessage or SemiPrivateMessage by its `content_type`. Any
//!   other MLSMessage (GroupInfo, KeyPackage, an unknown wire format) has no arm: decoding fails
//!   naming the wire format.

use serde::{Deserialize, Serialize};
use tls_codec::{DeserializeBytes, Error, Serialize as _};

use super::Reading;
use super::common::{MlsMessageBytes, Protocol, arm_mismatch, size_by_serializing};
use super::mls_object::read_mls_messages;
use super::mls_peek::{ContentType, MlsPeek, WireFormat, peek_mls};
use super::ratchet_tree::RatchetTreeOption;
use super::submit::Frank;
use crate::codec::tls::{Optional, VecOf};

/// §5.5 `FanoutMessage`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FanoutMessage {
    /// The hub acceptance time in milliseconds since the UNIX epoch.
    pub timestamp: u64,
    /// Present only under the reading with a protocol field ([`Reading::fanout_protocol_field`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<Protocol>,
    /// §5.5 `MLSMessage message`: a PrivateMessage (application), a PublicMessage or SemiPrivateMessage
    /// (proposal or commit), or a Welcome.
    pub message: MlsMessageBytes,
    #[serde(flatten)]
    pub arm: FanoutArm,
}

/// The select arm of [`FanoutMessage`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FanoutArm {
    /// `case welcome`.
    Welcome {
        #[serde(rename = "ratchetTreeOption")]
        ratchet_tree_option: RatchetTreeOption,
    },
    /// `case proposal`: the moreProposals of the HandshakeBundle (§5.5: MUST be the same).
    Proposal {
        #[serde(rename = "moreProposals")]
        more_proposals: VecOf<MlsMessageBytes>,
    },
    /// `case commit`: replacement proposals stapled to an external commit.
    Commit {
        #[serde(rename = "externalProposals")]
        external_proposals: VecOf<MlsMessageBytes>,
    },
    /// `case application`: `optional<Frank>`.
    Application { frank: Optional<Frank> },
}

/// Which arm an MLSMessage selects.
enum Kind {
    Application,
    Welcome,
    Proposal,
    Commit,
}

fn kind(peek: MlsPeek) -> Result<Kind, Error> {
    match (peek.wire_format, peek.content_type) {
        (WireFormat::WELCOME, _) => Ok(Kind::Welcome),
        (_, Some(ContentType::APPLICATION)) => Ok(Kind::Application),
        (_, Some(ContentType::PROPOSAL)) => Ok(Kind::Proposal),
        (_, Some(ContentType::COMMIT)) => Ok(Kind::Commit),
        (_, Some(ct)) => Err(ct.no_arm()),
        (wf, None) => Err(wf.no_arm()),
    }
}

impl FanoutMessage {
    /// Decodes one FanoutMessage under `reading`.
    pub fn read_with<'a>(bytes: &'a [u8], reading: &Reading) -> Result<(Self, &'a [u8]), Error> {
        let (timestamp, r) = u64::tls_deserialize_bytes(bytes)?;
        let (protocol, r) = if reading.fanout_protocol_field {
            let (p, r) = Protocol::tls_deserialize_bytes(r)?;
            p.require_mls10()?;
            (Some(p), r)
        } else {
            (None, r)
        };
        let (message, r) = MlsMessageBytes::read_with(r, reading.semiprivate_wire_format)?;
        let peek = peek_mls(message.as_slice(), reading.semiprivate_wire_format)?;
        let (arm, r) = match kind(peek)? {
            Kind::Application => {
                let (frank, r) = Optional::tls_deserialize_bytes(r)?;
                (FanoutArm::Application { frank }, r)
            }
            Kind::Welcome => {
                let (ratchet_tree_option, r) = RatchetTreeOption::tls_deserialize_bytes(r)?;
                (FanoutArm::Welcome { ratchet_tree_option }, r)
            }
            Kind::Proposal => {
                let (more_proposals, r) = read_mls_messages(r, reading.semiprivate_wire_format)?;
                (FanoutArm::Proposal { more_proposals }, r)
            }
            Kind::Commit => {
                let (external_proposals, r) = read_mls_messages(r, reading.semiprivate_wire_format)?;
                (FanoutArm::Commit { external_proposals }, r)
            }
        };
        let m = FanoutMessage {
            timestamp,
            protocol,
            message,
            arm,
        };
        Ok((m, r))
    }

    /// Decodes a whole `/notify` body: one or more FanoutMessages, back to back.
    pub fn read_all(bytes: &[u8], reading: &Reading) -> Result<Vec<Self>, Error> {
        let mut out = Vec::new();
        let mut r = bytes;
        loop {
            let (m, rest) = Self::read_with(r, reading)?;
            out.push(m);
            if rest.is_empty() {
                return Ok(out);
            }
            r = rest;
        }
    }

    /// Encodes under `reading`; the arm must match what `message` is.
    pub fn write_with<W: std::io::Write>(&self, w: &mut W, reading: &Reading) -> Result<usize, Error> {
        let peek = peek_mls(self.message.as_slice(), reading.semiprivate_wire_format)?;
        let mut n = self.timestamp.tls_serialize(w)?;
        if reading.fanout_protocol_field {
            let p = self.protocol.unwrap_or(Protocol::MLS10);
            p.require_mls10()?;
            n += p.tls_serialize(w)?;
        }
        n += self.message.tls_serialize(w)?;
        Ok(n + match (kind(peek)?, &self.arm) {
            (Kind::Application, FanoutArm::Application { frank }) => frank.tls_serialize(w)?,
            (Kind::Welcome, FanoutArm::Welcome { ratchet_tree_option }) => ratchet_tree_option.tls_serialize(w)?,
            (Kind::Proposal, FanoutArm::Proposal { more_proposals }) => more_proposals.tls_serialize(w)?,
            (Kind::Commit, FanoutArm::Commit { external_proposals }) => external_proposals.tls_serialize(w)?,
            _ => return Err(arm_mismatch("FanoutMessage", "message.wire_format", peek.wire_format)),
        })
    }
}

impl tls_codec::Serialize for FanoutMessage {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        self.write_with(w, &Reading::default())
    }
}

impl DeserializeBytes for FanoutMessage {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        Self::read_with(bytes, &Reading::default())
    }
}

size_by_serializing!(FanoutMessage);
