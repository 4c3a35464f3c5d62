//! The message ID (draft-ietf-mimi-content-08 §3.3).
//!
//! ```text
//! hash_output = SHA-256( senderUriLength || senderUri || roomUriLength || roomUri
//!                        || message || salt )      ; lengths: big-endian uint16 (new in -08)
//! messageId   = hashAlg (0x01) || hash_output[0..31]
//! ```
//! Revision -07 hashed the same fields without the two length prefixes.

use sha2::{Digest, Sha256};

/// IANA Named Information hash algorithm id of SHA-256, the only one the draft uses.
pub const HASH_ALG_SHA256: u8 = 0x01;

/// Which revision's message-ID formula to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum ContentRev {
    #[serde(rename = "07")]
    Rev07,
    #[default]
    #[serde(rename = "08")]
    Rev08,
}

impl ContentRev {
    pub fn as_str(self) -> &'static str {
        match self {
            ContentRev::Rev07 => "07",
            ContentRev::Rev08 => "08",
        }
    }
}

/// Why a message ID cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageIdError {
    #[error("{which} URI is {len} bytes; the uint16 length prefix of §3.3 holds at most 65535")]
    UriTooLong { which: &'static str, len: usize },
}

/// The 32-byte message ID of `content` (the serialized content, whose salt is `salt`).
pub fn message_id(
    rev: ContentRev,
    sender_uri: &str,
    room_uri: &str,
    content: &[u8],
    salt: &[u8],
) -> Result<[u8; 32], MessageIdError> {
    let mut h = Sha256::new();
    match rev {
        ContentRev::Rev08 => {
            for (which, uri) in [("sender", sender_uri), ("room", room_uri)] {
                let len = u16::try_from(uri.len()).map_err(|_| MessageIdError::UriTooLong { which, len: uri.len() })?;
                h.update(len.to_be_bytes());
                h.update(uri.as_bytes());
            }
        }
        ContentRev::Rev07 => {
            h.update(sender_uri.as_bytes());
            h.update(room_uri.as_bytes());
        }
    }
    h.update(content);
    h.update(salt);
    let digest = h.finalize();
    let mut id = [0u8; 32];
    id[0] = HASH_ALG_SHA256;
    id[1..].copy_from_slice(&digest[..31]);
    Ok(id)
}
