//! Implied values (draft-ietf-mimi-content-08 §4.6, App. A.2): what a receiver knows about a
//! message without it being sent, as the `MessageDerivedValues` array.

use serde::{Deserialize, Serialize};

use super::{DecodeError, array, bstr, parse_whole, shape, tstr, uint};
use crate::codec::cbor::Value;
use crate::codec::hexbytes;

/// `MessageDerivedValues` with `hubAcceptedTimestamp` as `MsecsSinceEpoch`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MessageDerivedValues {
    #[serde(with = "hexbytes")]
    pub message_id: Vec<u8>,
    pub hub_accepted_timestamp: u64,
    #[serde(with = "hexbytes")]
    pub mls_group_id: Vec<u8>,
    pub sender_leaf_index: u64,
    pub sender_client_url: String,
    pub sender_user_url: String,
    pub room_url: String,
}

impl MessageDerivedValues {
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let item = parse_whole(bytes)?;
        let f = array(&item, "MessageDerivedValues", 7)?;
        if let Value::Tag(..) = f[1].value {
            return Err(shape(
                "hubAcceptedTimestamp",
                "ExtendedTime (tag 1001) is not supported",
            ));
        }
        Ok(MessageDerivedValues {
            message_id: bstr(&f[0], "messageId")?,
            hub_accepted_timestamp: uint(&f[1], "hubAcceptedTimestamp")?,
            mls_group_id: bstr(&f[2], "mlsGroupId")?,
            sender_leaf_index: uint(&f[3], "senderLeafIndex")?,
            sender_client_url: tstr(&f[4], "senderClientUrl")?,
            sender_user_url: tstr(&f[5], "senderUserUrl")?,
            room_url: tstr(&f[6], "roomUrl")?,
        })
    }
}
