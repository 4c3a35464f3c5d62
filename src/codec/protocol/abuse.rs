//! draft-ietf-mimi-protocol-06 §5.9 Report abuse (`POST /reportAbuse/{roomId}`): AbusiveMessage,
//! AbuseType, AbuseReport. No layout depends on AbuseType, so it is open.

use serde::{Deserialize, Serialize};
use tls_codec::{TlsDeserializeBytes, TlsSerialize, TlsSize};

use super::common::{AppDataDictionary, IdentifierUri};
use super::submit::Frank;
use crate::codec::tls::{Opaque, VecOf, open_enum};

/// §5.9 `AbusiveMessage`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct AbusiveMessage {
    /// The allegedly abusive message content (for example a MIMI content message).
    pub message_content: Opaque,
    pub frank: Frank,
    pub accepted_timestamp: u64,
}

open_enum! {
    /// §5.9 `AbuseType`: -06 defines only `reserved(0)` (the taxonomy is a TODO).
    AbuseType(u8) {
        RESERVED = 0 => "reserved",
    }
}

/// §5.9 `AbuseReport`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AbuseReport {
    pub reporting_user: IdentifierUri,
    pub alleged_abuser_uri: IdentifierUri,
    pub reason_code: AbuseType,
    /// UTF-8, may be empty.
    pub note: Opaque,
    pub messages: VecOf<AbusiveMessage>,
    #[serde(rename = "abuse_extensions")]
    pub abuse_extensions: AppDataDictionary,
}
