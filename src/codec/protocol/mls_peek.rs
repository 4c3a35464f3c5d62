//! The peek into an MLSMessage (RFC 9420 §6) that the `select (message.wire_format)` and
//! `select (….content_type)` arms of protocol-06 need, without checking anything else.

use std::borrow::Cow;

use tls_codec::Error;

use crate::codec::tls::{Rule, open_enum, read_span};

open_enum! {
    /// RFC 9420 §6 `WireFormat` (uint16). SemiPrivateMessage has no code point yet (TBD1 in
    /// draft-mahy-mls-semiprivatemessage); see [`super::Reading::semiprivate_wire_format`].
    WireFormat(u16) {
        PUBLIC_MESSAGE = 1 => "mls_public_message",
        PRIVATE_MESSAGE = 2 => "mls_private_message",
        WELCOME = 3 => "mls_welcome",
        GROUP_INFO = 4 => "mls_group_info",
        KEY_PACKAGE = 5 => "mls_key_package",
    }
}

open_enum! {
    /// RFC 9420 §6 `ContentType` (uint8).
    ContentType(u8) {
        APPLICATION = 1 => "application",
        PROPOSAL = 2 => "proposal",
        COMMIT = 3 => "commit",
    }
}

/// What [`Rule::MlsMessageShape`] says of a message too short for its framing.
pub(crate) const MLS_SHAPES: &[&str] = &[
    "MLSMessage too short for its header",
    "PublicMessage too short for its content_type",
    "PrivateMessage too short for its content_type",
];

/// What an MLSMessage's framing says about it, without checking anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MlsPeek {
    pub wire_format: WireFormat,
    /// For PublicMessage, PrivateMessage and SemiPrivateMessage.
    pub content_type: Option<ContentType>,
}

/// Reads `wire_format` and (for framed content) `content_type` from an MLSMessage:
/// PublicMessage = group_id<V>, epoch, Sender, authenticated_data<V>, content_type;
/// PrivateMessage and SemiPrivateMessage = group_id<V>, epoch, content_type.
///
/// Decoders call it on a message that [`super::mls_object`] has already framed (parsed whole), so
/// there it only reads; encoders call it on the bytes they are given, which nothing has checked.
pub fn peek_mls(bytes: &[u8], semiprivate: Option<u16>) -> Result<MlsPeek, Error> {
    let head = bytes.get(..4).ok_or_else(|| short(0))?;
    let wire_format = WireFormat(u16::from_be_bytes([head[2], head[3]]));
    let body = &bytes[4..];
    let private_like = wire_format == WireFormat::PRIVATE_MESSAGE || Some(wire_format.0) == semiprivate;
    let content_type = if wire_format == WireFormat::PUBLIC_MESSAGE {
        let (_group_id, r) = read_span(body).map_err(|_| short(1))?;
        let r = r.get(8..).ok_or_else(|| short(1))?;
        let sender_type = *r.first().ok_or_else(|| short(1))?;
        // member(1) and external(2) carry a uint32; new_member_proposal(3), new_member_commit(4) none.
        let r = match sender_type {
            1 | 2 => r.get(5..),
            _ => r.get(1..),
        }
        .ok_or_else(|| short(1))?;
        let (_aad, r) = read_span(r).map_err(|_| short(1))?;
        Some(ContentType(*r.first().ok_or_else(|| short(1))?))
    } else if private_like {
        let (_group_id, r) = read_span(body).map_err(|_| short(2))?;
        Some(ContentType(*r.get(8).ok_or_else(|| short(2))?))
    } else {
        None
    };
    Ok(MlsPeek {
        wire_format,
        content_type,
    })
}

/// The error for a message too short for its framing (`MLS_SHAPES[which]`).
pub(crate) fn short(which: usize) -> Error {
    Rule::MlsMessageShape {
        what: Cow::Borrowed(MLS_SHAPES[which]),
    }
    .into()
}
