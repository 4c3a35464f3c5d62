//! draft-mahy-mls-ratchet-tree-options (cited by draft-ietf-mimi-protocol-06 §5.3, §5.5, §5.6):
//! RatchetTreeOption (§3), the `ratchet_tree_source_domains` DomainList (§3.1) and
//! PartialGroupInfo (§4).
//!
//! The enum names the second value `httpsUri(2)` while the select says `case httpsUrl`; both are
//! read as value 2 (no effect on the bytes).

use serde::{Deserialize, Serialize};
use tls_codec::{DeserializeBytes, Error, TlsDeserializeBytes, TlsSerialize, TlsSize};

use super::common::{Extension, arm_mismatch, size_by_serializing};
use crate::codec::tls::{Opaque, VecOf, open_enum};

open_enum! {
    /// §3 `RatchetTreeRepresentation`; selects the arm of [`RatchetTreeOption`].
    RatchetTreeRepresentation(u8) {
        RESERVED = 0 => "reserved",
        FULL = 1 => "full",
        HTTPS_URI = 2 => "httpsUri",
        OUT_OF_BAND = 3 => "outOfBand",
        DISTRIBUTION_SERVICE = 4 => "distributionService",
    }
}

/// §3 `RatchetTreeOption`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatchetTreeOption {
    pub representation: RatchetTreeRepresentation,
    #[serde(flatten)]
    pub arm: RatchetTreeArm,
}

/// The select arm of [`RatchetTreeOption`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RatchetTreeArm {
    /// `case httpsUrl`: an HTTPS URL and a signature over the tree.
    HttpsUri {
        ratchet_tree_url: Opaque,
        tree_signature: Opaque,
    },
    /// `case full`: `Node ratchet_tree<V>`, held as the bytes inside the vector (the RFC 9420
    /// Node structs one after another; byte-exact).
    Full { ratchet_tree: Opaque },
    /// `case outOfBand`: a signature over the tree.
    OutOfBand { tree_signature: Opaque },
    /// `case distributionService`: `struct {}`.
    None {},
}

impl tls_codec::Serialize for RatchetTreeOption {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        use RatchetTreeRepresentation as R;
        let n = self.representation.tls_serialize(w)?;
        Ok(n + match (self.representation, &self.arm) {
            (R::FULL, RatchetTreeArm::Full { ratchet_tree }) => ratchet_tree.tls_serialize(w)?,
            (
                R::HTTPS_URI,
                RatchetTreeArm::HttpsUri {
                    ratchet_tree_url,
                    tree_signature,
                },
            ) => ratchet_tree_url.tls_serialize(w)? + tree_signature.tls_serialize(w)?,
            (R::OUT_OF_BAND, RatchetTreeArm::OutOfBand { tree_signature }) => tree_signature.tls_serialize(w)?,
            (R::DISTRIBUTION_SERVICE, RatchetTreeArm::None {}) => 0,
            (v, _) => return Err(arm_mismatch("RatchetTreeOption", "representation", v)),
        })
    }
}

impl DeserializeBytes for RatchetTreeOption {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        use RatchetTreeRepresentation as R;
        let (representation, r) = R::tls_deserialize_bytes(bytes)?;
        let (arm, r) = match representation {
            R::FULL => {
                let (ratchet_tree, r) = Opaque::tls_deserialize_bytes(r)?;
                (RatchetTreeArm::Full { ratchet_tree }, r)
            }
            R::HTTPS_URI => {
                let (ratchet_tree_url, r) = Opaque::tls_deserialize_bytes(r)?;
                let (tree_signature, r) = Opaque::tls_deserialize_bytes(r)?;
                let arm = RatchetTreeArm::HttpsUri {
                    ratchet_tree_url,
                    tree_signature,
                };
                (arm, r)
            }
            R::OUT_OF_BAND => {
                let (tree_signature, r) = Opaque::tls_deserialize_bytes(r)?;
                (RatchetTreeArm::OutOfBand { tree_signature }, r)
            }
            R::DISTRIBUTION_SERVICE => (RatchetTreeArm::None {}, r),
            v => return Err(v.no_arm()),
        };
        Ok((RatchetTreeOption { representation, arm }, r))
    }
}

size_by_serializing!(RatchetTreeOption);

open_enum! {
    /// §4 `RatchetTreePresence`. Open: no layout depends on it, so an unknown value decodes.
    RatchetTreePresence(u8) {
        NO_RATCHET_TREE = 0 => "no_ratchet_tree",
        PRESENT = 1 => "present",
        REMOVED = 2 => "removed",
        ADDED = 3 => "added",
    }
}

/// §4 `PartialGroupInfo`: what a hub cannot rebuild of a GroupInfo from the handshakes.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct PartialGroupInfo {
    pub ratchet_tree_presence: RatchetTreePresence,
    /// GroupInfo extensions excluding ratchet_tree.
    pub group_info_extensions: VecOf<Extension>,
    pub signature: Opaque,
}

/// §3.1 `Domain`.
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct Domain {
    pub domain: Opaque,
}

/// §3.1 `DomainList` (the `ratchet_tree_source_domains` GroupContext extension).
#[derive(Debug, Clone, PartialEq, Eq, TlsSize, TlsSerialize, TlsDeserializeBytes, Serialize, Deserialize)]
pub struct DomainList {
    pub domains: VecOf<Domain>,
}
