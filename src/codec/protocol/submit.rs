//! draft-ietf-mimi-protocol-06 §5.4 Submit a Message (`POST /submitMessage/{roomId}`):
//! SubmitMessageRequest, Frank, SubmitMessageResponse.
//!
//! Readings (NOTES §9 item 3 and 4): the response's `select (statusCode)` says `case success`
//! where the enum's value 0 is named `accepted` — the arm is read as that of `accepted(0)`
//! (PROT-X03); `IdentifierURI sendingUri` is read as `IdentifierUri` and `optional Frank frank`
//! as `optional<Frank>` (PROT-X04).

use serde::{Deserialize, Serialize};
use tls_codec::{DeserializeBytes, Error, TlsDeserializeBytes, TlsSerialize, TlsSize};

use super::common::{CipherSuite, IdentifierUri, MlsMessageBytes, Protocol, arm_mismatch, size_by_serializing};
use crate::codec::tls::{Bytes32, Opaque, Optional, open_enum};

/// §5.4 `SubmitMessageRequest`; the mls10 arm's fields sit here directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitMessageRequest {
    pub protocol: Protocol,
    /// §5.4 `MLSMessage appMessage`: a PrivateMessage holding an application message.
    pub app_message: MlsMessageBytes,
    pub sending_uri: IdentifierUri,
}

impl tls_codec::Serialize for SubmitMessageRequest {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        self.protocol.require_mls10()?;
        Ok(self.protocol.tls_serialize(w)? + self.app_message.tls_serialize(w)? + self.sending_uri.tls_serialize(w)?)
    }
}

impl DeserializeBytes for SubmitMessageRequest {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (protocol, r) = Protocol::tls_deserialize_bytes(bytes)?;
        protocol.require_mls10()?;
        let (app_message, r) = MlsMessageBytes::tls_deserialize_bytes(r)?;
        let (sending_uri, r) = IdentifierUri::tls_deserialize_bytes(r)?;
        let req = SubmitMessageRequest {
            protocol,
            app_message,
            sending_uri,
        };
        Ok((req, r))
    }
}

open_enum! {
    /// §5.4 `SubmitResponseCode`; selects the arm of [`SubmitMessageResponse`].
    SubmitResponseCode(u8) {
        ACCEPTED = 0 => "accepted",
        NOT_ALLOWED = 1 => "notAllowed",
        EPOCH_TOO_OLD = 2 => "epochTooOld",
    }
}

/// §5.4 `Frank`: what the hub adds to a franked message (§5.4.1.2).
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct Frank {
    pub server_frank: Bytes32,
    pub franking_signature_ciphersuite: CipherSuite,
    pub franking_integrity_signature: Opaque,
}

/// §5.4 `SubmitMessageResponse`; the mls10 arm's fields sit here directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubmitMessageResponse {
    pub protocol: Protocol,
    pub status_code: SubmitResponseCode,
    #[serde(flatten)]
    pub arm: SubmitResponseArm,
}

/// The `select (statusCode)` arm of [`SubmitMessageResponse`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SubmitResponseArm {
    /// `accepted` (written `case success` in -06): acceptance time, then `optional<Frank>`.
    Accepted {
        accepted_timestamp: u64,
        frank: Optional<Frank>,
    },
    /// `epochTooOld`: the group's current epoch.
    EpochTooOld {
        #[serde(rename = "currentEpoch")]
        current_epoch: u64,
    },
    /// `notAllowed`: nothing.
    None {},
}

impl tls_codec::Serialize for SubmitMessageResponse {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        self.protocol.require_mls10()?;
        let n = self.protocol.tls_serialize(w)? + self.status_code.tls_serialize(w)?;
        Ok(n + match (self.status_code, &self.arm) {
            (
                SubmitResponseCode::ACCEPTED,
                SubmitResponseArm::Accepted {
                    accepted_timestamp,
                    frank,
                },
            ) => accepted_timestamp.tls_serialize(w)? + frank.tls_serialize(w)?,
            (SubmitResponseCode::EPOCH_TOO_OLD, SubmitResponseArm::EpochTooOld { current_epoch }) => {
                current_epoch.tls_serialize(w)?
            }
            (SubmitResponseCode::NOT_ALLOWED, SubmitResponseArm::None {}) => 0,
            (c, _) => return Err(arm_mismatch("SubmitMessageResponse", "statusCode", c)),
        })
    }
}

impl DeserializeBytes for SubmitMessageResponse {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (protocol, r) = Protocol::tls_deserialize_bytes(bytes)?;
        protocol.require_mls10()?;
        let (status_code, r) = SubmitResponseCode::tls_deserialize_bytes(r)?;
        let (arm, r) = match status_code {
            SubmitResponseCode::ACCEPTED => {
                let (accepted_timestamp, r) = u64::tls_deserialize_bytes(r)?;
                let (frank, r) = Optional::tls_deserialize_bytes(r)?;
                let arm = SubmitResponseArm::Accepted {
                    accepted_timestamp,
                    frank,
                };
                (arm, r)
            }
            SubmitResponseCode::EPOCH_TOO_OLD => {
                let (current_epoch, r) = u64::tls_deserialize_bytes(r)?;
                (SubmitResponseArm::EpochTooOld { current_epoch }, r)
            }
            SubmitResponseCode::NOT_ALLOWED => (SubmitResponseArm::None {}, r),
            c => return Err(c.no_arm()),
        };
        let resp = SubmitMessageResponse {
            protocol,
            status_code,
            arm,
        };
        Ok((resp, r))
    }
}

size_by_serializing!(SubmitMessageRequest, SubmitMessageResponse);
