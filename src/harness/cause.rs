//! Causes: one behaviour of an implementation that fails many tests, recognised from what it
//! answered, so that a report can say "37 failures, one cause" and list them under it.

use serde::{Deserialize, Serialize};

/// A diagnosed cause shared by failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    /// The message ID of the other content revision (-07: no uint16 length prefixes).
    MessageIdOtherRevision,
    /// The message ID of a re-encoding of the content, not of the bytes given.
    MessageIdOverReencoding,
    /// An encoding whose only fault is the order of map keys (insertion order, not the
    /// deterministic length-first order of RFC 8949 §4.2.1).
    MapKeysNotSorted,
    /// A directory without one of the endpoint keys.
    DirectoryLacksEndpoint,
}

impl Cause {
    pub fn id(self) -> &'static str {
        match self {
            Cause::MessageIdOtherRevision => "message-id-other-revision",
            Cause::MessageIdOverReencoding => "message-id-over-reencoding",
            Cause::MapKeysNotSorted => "map-keys-not-sorted",
            Cause::DirectoryLacksEndpoint => "directory-lacks-endpoint",
        }
    }

    /// One line for the report.
    pub fn title(self) -> &'static str {
        match self {
            Cause::MessageIdOtherRevision => {
                "the message ID is the other content revision's formula (-07 hashes without the uint16 length prefixes)"
            }
            Cause::MessageIdOverReencoding => {
                "the message ID hashes a re-encoding of the content, not the bytes received"
            }
            Cause::MapKeysNotSorted => {
                "map keys are written in insertion order, not in deterministic order (RFC 8949 §4.2.1)"
            }
            Cause::DirectoryLacksEndpoint => "the directory lacks an endpoint the suite needs",
        }
    }
}
