//! draft-ietf-mimi-protocol-06 §7.6 Room Metadata: Uri, UTF8String, RichDescription,
//! RoomMetaData (the `room_metadata` component 0x0023 and its RoomMetaUpdate, same format).

use serde::{Deserialize, Serialize};
use tls_codec::{TlsDeserializeBytes, TlsSerialize, TlsSize};

use crate::codec::tls::{Opaque, VecOf};

/// §7.6 `Uri`: a valid URI. JSON: its bytes in hex.
#[derive(Debug, Clone, Default, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Uri {
    pub uri: Opaque,
}

/// §7.6 `UTF8String`: UTF-8 without NUL. JSON: its bytes in hex.
#[derive(Debug, Clone, Default, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Utf8String {
    pub string: Opaque,
}

/// §7.6 `RichDescription`; an empty media_type means text/plain;charset=utf-8.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct RichDescription {
    pub media_type: Opaque,
    pub language_tag: Opaque,
    pub description_content: Opaque,
}

/// §7.6 `RoomMetaData`.
#[derive(Debug, Clone, Default, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct RoomMetaData {
    pub room_uri: Uri,
    pub room_name: Utf8String,
    pub room_descriptions: VecOf<RichDescription>,
    /// An https URI resolving to an avatar image.
    pub room_avatar: Uri,
    pub room_subject: Utf8String,
    pub room_mood: Utf8String,
}
