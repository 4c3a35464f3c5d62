//! The message-status report of draft-mahy-mimi-message-status-01:
//! `MessageStatusReport = [* PerMessageStatus]`, `PerMessageStatus = [messageId, status]`.

use serde::{Deserialize, Serialize};

use super::{DecodeError, Encoder, Path, array, bstr, encoder, infallible, parse_whole, shape, uint};
use crate::codec::cbor::Value;
use crate::codec::hexbytes;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageStatusReport {
    pub statuses: Vec<PerMessageStatus>,
}

/// One message's status: unread 0, delivered 1, read 2, expired 3, deleted 4, hidden 5,
/// error 6; 7..255 unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PerMessageStatus {
    #[serde(with = "hexbytes")]
    pub message_id: Vec<u8>,
    pub status: u64,
}

impl MessageStatusReport {
    /// Decodes the shape; sizes and ranges are `content::validate_status`'s job.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let item = parse_whole(bytes)?;
        let Value::Array(entries) = &item.value else {
            return Err(shape(
                "MessageStatusReport",
                format!("{}, expected an array", item.value.type_name()),
            ));
        };
        let statuses = entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let path = Path::Index(&Path::Root("MessageStatusReport"), i);
                let f = array(entry, path, 2)?;
                Ok(PerMessageStatus {
                    message_id: bstr(&f[0], Path::Field(&path, "messageId"))?,
                    status: uint(&f[1], Path::Field(&path, "status"))?,
                })
            })
            .collect::<Result<_, DecodeError>>()?;
        Ok(MessageStatusReport { statuses })
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut e: Encoder = encoder();
        infallible(e.array(self.statuses.len() as u64));
        for s in &self.statuses {
            infallible(
                e.array(2)
                    .and_then(|e| e.bytes(&s.message_id))
                    .and_then(|e| e.u64(s.status)),
            );
        }
        e.into_writer()
    }
}
