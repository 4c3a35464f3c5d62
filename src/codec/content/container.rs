//! The top-level container, `mimiContent` (draft-ietf-mimi-content-08 §3.5, §4.1, App. A.1).

use serde::{Deserialize, Serialize};

use super::{
    DecodeError, Encoder, Extension, NestedPart, Path, array, bstr, encoder, extensions, infallible, nullable,
    parse_whole, shape, uint,
};
use crate::codec::cbor::{Item, Value};
use crate::codec::hexbytes;

/// A MIMI content message, field for field as the CDDL `mimiContent` array.
///
/// Decoded values are not yet checked against the draft's rules (sizes, ranges, depth): that
/// is `content::validate`'s job, which names each broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MimiContent {
    /// `bstr .size 16`, cryptographically random (§4.1).
    #[serde(with = "hexbytes")]
    pub salt: Vec<u8>,
    /// `null / MessageId`: the message this one edits or deletes.
    #[serde(with = "hexbytes::option")]
    pub replaces: Option<Vec<u8>>,
    /// Zero length means no topic.
    #[serde(with = "hexbytes")]
    pub topic_id: Vec<u8>,
    pub expires: Option<Expiration>,
    #[serde(with = "hexbytes::option")]
    pub in_reply_to: Option<Vec<u8>>,
    /// In wire order; the encoder sorts them.
    pub extensions: Vec<Extension>,
    pub nested_part: NestedPart,
}

/// `Expiration = [relative: bool, time: uint .size 4]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expiration {
    pub relative: bool,
    pub time: u64,
}

impl MimiContent {
    /// Content with every field empty and a null body: what a careless decoder might invent.
    pub fn empty() -> Self {
        MimiContent {
            salt: vec![0; 16],
            replaces: None,
            topic_id: Vec::new(),
            expires: None,
            in_reply_to: None,
            extensions: Vec::new(),
            nested_part: NestedPart {
                disposition: 0,
                language: String::new(),
                body: super::PartBody::Null,
            },
        }
    }

    /// The value of the senderUri extension (key 1), if it is text.
    pub fn sender_uri(&self) -> Option<String> {
        self.extension_text(extensions::SENDER_URI)
    }

    /// The value of the roomUri extension (key 2), if it is text.
    pub fn room_uri(&self) -> Option<String> {
        self.extension_text(extensions::ROOM_URI)
    }

    fn extension_text(&self, key: i64) -> Option<String> {
        self.extensions
            .iter()
            .find(|x| x.key == super::ExtensionKey::Int(key))
            .and_then(|x| x.value.as_text())
    }

    /// Decodes one whole content document.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        Self::from_item(&parse_whole(bytes)?, bytes)
    }

    pub(crate) fn from_item(item: &Item, input: &[u8]) -> Result<Self, DecodeError> {
        let f = array(item, "mimiContent", 7)?;
        Ok(MimiContent {
            salt: bstr(&f[0], "salt")?,
            replaces: nullable(&f[1], "replaces", bstr)?,
            topic_id: bstr(&f[2], "topicId")?,
            expires: nullable(&f[3], "expires", Expiration::from_item)?,
            in_reply_to: nullable(&f[4], "inReplyTo", bstr)?,
            extensions: extensions::from_item(&f[5], "mimiExtensions", input)?,
            nested_part: NestedPart::from_item(&f[6], &Path::Root("nestedPart"))?,
        })
    }

    /// The deterministic encoding (§6.1).
    pub fn encode(&self) -> Vec<u8> {
        let mut e = encoder();
        self.encode_to(&mut e);
        e.into_writer()
    }

    pub(crate) fn encode_to(&self, e: &mut Encoder) {
        infallible(e.array(7).and_then(|e| e.bytes(&self.salt)));
        encode_nullable_bytes(e, self.replaces.as_deref());
        infallible(e.bytes(&self.topic_id));
        match self.expires {
            None => infallible(e.null()),
            Some(x) => infallible(e.array(2).and_then(|e| e.bool(x.relative)).and_then(|e| e.u64(x.time))),
        };
        encode_nullable_bytes(e, self.in_reply_to.as_deref());
        extensions::encode_to(&self.extensions, e);
        self.nested_part.encode_to(e);
    }
}

impl Expiration {
    fn from_item(item: &Item, path: &str) -> Result<Self, DecodeError> {
        let f = array(item, path, 2)?;
        let relative = match f[0].value {
            Value::Bool(b) => b,
            ref other => {
                return Err(shape(
                    "expires.relative",
                    format!("{}, expected bool", other.type_name()),
                ));
            }
        };
        Ok(Expiration {
            relative,
            time: uint(&f[1], "expires.time")?,
        })
    }
}

fn encode_nullable_bytes(e: &mut Encoder, b: Option<&[u8]>) {
    match b {
        None => infallible(e.null()),
        Some(b) => infallible(e.bytes(b)),
    };
}
