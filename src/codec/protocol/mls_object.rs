//! The RFC 9420 objects that draft-ietf-mimi-protocol-06 embeds whole in its structs:
//! `MLSMessage` (RFC 9420 §6), `KeyPackage` (§10), `Welcome` (§12.4.3.1) and `GroupInfo`
//! (§12.4.3). None has a length prefix of its own: a reader learns where one ends only by parsing
//! it. Each type here holds the raw bytes of exactly one object.
//!
//! * Decoding lets openmls 0.9 parse the object and keeps the slice it consumed, so a round trip
//!   is byte-exact (nothing is re-serialized). It goes through openmls' `Deserialize` impls (an
//!   `io::Read` over the slice), not `DeserializeBytes`: tls_codec 0.5's
//!   `VLBytes::tls_deserialize_bytes`, which the derived `DeserializeBytes` of KeyPackageIn,
//!   Welcome and VerifiableGroupInfo reach, `debug_assert`s on a vector longer than the input, so
//!   a truncated object would panic in debug builds instead of failing.
//! * An MLSMessage's header is read here first: too short for `version` and `wire_format` is
//!   [`Rule::MlsMessageShape`]; a `version` other than mls10 or a `wire_format` without an
//!   RFC 9420 arm is [`Rule::BadEnumValue`] (the rest cannot be delimited). Whatever openmls
//!   refuses after that is [`Rule::MalformedMlsObject`], truncation included.
//! * Parsing is syntax only: no signature, membership tag or lifetime is checked. openmls does
//!   refuse some syntactically well-formed objects, e.g. a cipher suite it does not know (outside
//!   RFC 9420's 1–7) or a KeyPackage whose version differs from its MLSMessage's: this codec
//!   cannot frame those.
//! * SemiPrivateMessage (draft-mahy-mls-semiprivatemessage) has no code point yet and openmls
//!   cannot parse it. Under a [`super::Reading`] that names its wire format, it is framed here by
//!   the draft's layout (group_id<V>, epoch, content_type, then six `<V>` fields), without looking
//!   inside the fields. Without one, its wire format is unknown and decoding fails naming it.
//! * Encoding writes the bytes as they are, unchecked: a test may need to send a malformed object.

use openmls::messages::Welcome;
use openmls::messages::group_info::VerifiableGroupInfo;
use openmls::prelude::{KeyPackageIn, MlsMessageIn};
use std::borrow::Cow;

use tls_codec::{Deserialize, DeserializeBytes, Error, Serialize, Size};

use super::common::ProtocolVersion;
use super::mls_peek::{WireFormat, short};
use crate::codec::tls::{Rule, VecOf, read_span};

/// Declares a newtype over the raw bytes of one RFC 9420 object: the same API and JSON (lowercase
/// hex) as [`super::Opaque`], but no length header on the wire.
macro_rules! mls_object {
    ($(#[$meta:meta])* $name:ident, $frame:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(#[serde(with = "crate::codec::hexbytes")] pub Vec<u8>);

        impl $name {
            pub fn as_slice(&self) -> &[u8] {
                &self.0
            }
        }

        impl From<Vec<u8>> for $name {
            fn from(b: Vec<u8>) -> Self {
                $name(b)
            }
        }

        impl From<&[u8]> for $name {
            fn from(b: &[u8]) -> Self {
                $name(b.to_vec())
            }
        }

        impl Size for $name {
            fn tls_serialized_len(&self) -> usize {
                self.0.len()
            }
        }

        impl Serialize for $name {
            fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
                w.write_all(&self.0)?;
                Ok(self.0.len())
            }
        }

        impl DeserializeBytes for $name {
            fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
                let len = $frame(bytes)?;
                Ok(($name(bytes[..len].to_vec()), &bytes[len..]))
            }
        }
    };
}

mls_object!(
    /// An RFC 9420 §6 `MLSMessage`: `version`, `wire_format`, then a PublicMessage,
    /// PrivateMessage, Welcome, GroupInfo or KeyPackage (or, under a reading that gives it a code
    /// point, a SemiPrivateMessage). -06 embeds one in HandshakeBundle (`proposalOrCommit`,
    /// `moreProposals`, §5.3), SubmitMessageRequest (`appMessage`, §5.4), FanoutMessage
    /// (`message`, `moreProposals`, `externalProposals`, §5.5) and PendingProposal (`proposal`,
    /// §5.6). Decoding it alone recognises no SemiPrivateMessage: see [`MlsMessageBytes::read_with`].
    MlsMessageBytes,
    |b| frame_mls_message(b, None)
);

mls_object!(
    /// An RFC 9420 §10 `KeyPackage` itself, not an MLSMessage: -06 writes `KeyPackage keyPackage`
    /// in ClientKeyMaterial (§5.2) and `KeyPackage clientKeyPackages<V>` in ConsentEntry (§5.7).
    /// It starts with its own `version` and `cipher_suite`.
    KeyPackageBytes,
    |b| frame_with::<KeyPackageIn>(b, "KeyPackage")
);

mls_object!(
    /// An RFC 9420 §12.4.3.1 `Welcome` itself (cipher_suite, secrets, encrypted_group_info), not
    /// an MLSMessage: -06 §5.3 writes `optional<Welcome> welcome` in HandshakeBundle. (The Welcome
    /// that §5.5 fans out is an MLSMessage: `MLSMessage message` of wire format mls_welcome.)
    WelcomeBytes,
    |b| frame_with::<Welcome>(b, "Welcome")
);

mls_object!(
    /// An RFC 9420 §12.4.3 `GroupInfo` itself (GroupInfoTBS fields, then the signature), not an
    /// MLSMessage: -06 writes `GroupInfo groupInfo` in GroupInfoOption (§5.3, case full) and in
    /// GroupInfoRatchetTreeTBE (§5.6). Read as openmls' VerifiableGroupInfo.
    GroupInfoBytes,
    |b| frame_with::<VerifiableGroupInfo>(b, "GroupInfo")
);

impl MlsMessageBytes {
    /// Decodes one MLSMessage; `semiprivate` is the wire format of a SemiPrivateMessage, if the
    /// reading has one ([`super::Reading::semiprivate_wire_format`]).
    pub fn read_with(bytes: &[u8], semiprivate: Option<u16>) -> Result<(Self, &[u8]), Error> {
        let len = frame_mls_message(bytes, semiprivate)?;
        Ok((MlsMessageBytes(bytes[..len].to_vec()), &bytes[len..]))
    }
}

/// Reads `MLSMessage x<V>` under `semiprivate`: every element is read from exactly the declared
/// span, as [`VecOf`] does.
pub(crate) fn read_mls_messages(
    bytes: &[u8],
    semiprivate: Option<u16>,
) -> Result<(VecOf<MlsMessageBytes>, &[u8]), Error> {
    let (mut span, rest) = read_span(bytes)?;
    let mut out = Vec::new();
    while !span.is_empty() {
        let (m, next) = MlsMessageBytes::read_with(span, semiprivate)?;
        out.push(m);
        span = next;
    }
    Ok((VecOf(out), rest))
}

/// The length of the MLSMessage at the start of `bytes`.
fn frame_mls_message(bytes: &[u8], semiprivate: Option<u16>) -> Result<usize, Error> {
    let head = bytes.get(..4).ok_or_else(|| short(0))?;
    let version = ProtocolVersion(u16::from_be_bytes([head[0], head[1]]));
    if version != ProtocolVersion::MLS10 {
        return Err(version.no_arm());
    }
    let wire_format = WireFormat(u16::from_be_bytes([head[2], head[3]]));
    // An RFC 9420 code point keeps its meaning even if a reading names it for SemiPrivateMessage.
    if wire_format.is_known() {
        frame_with::<MlsMessageIn>(bytes, "MLSMessage")
    } else if Some(wire_format.0) == semiprivate {
        Ok(4 + frame_semiprivate(&bytes[4..])?)
    } else {
        Err(wire_format.no_arm())
    }
}

/// The length of the `T` at the start of `bytes`, as openmls parses it.
fn frame_with<T: Deserialize>(bytes: &[u8], object: &'static str) -> Result<usize, Error> {
    let mut rest = bytes;
    T::tls_deserialize(&mut rest).map_err(|e| malformed(object, e))?;
    Ok(bytes.len() - rest.len())
}

/// The length of a draft-mahy-mls-semiprivatemessage `SemiPrivateMessage`: group_id<V>, uint64
/// epoch, ContentType content_type, authenticated_data<V>, partial_context_hash<V>,
/// keys_for_external_receivers<V>, framed_content_tbs_hash<V>, encrypted_sender_data<V>,
/// ciphertext<V>.
fn frame_semiprivate(body: &[u8]) -> Result<usize, Error> {
    let fail = |e: Error| malformed("SemiPrivateMessage", e);
    let (_group_id, r) = read_span(body).map_err(fail)?;
    let mut r = r.get(8 + 1..).ok_or_else(|| fail(Error::EndOfStream))?;
    for _ in 0..6 {
        r = read_span(r).map_err(fail)?.1;
    }
    Ok(body.len() - r.len())
}

/// The error for an embedded `object` that does not parse, with a short reason.
fn malformed(object: &'static str, e: Error) -> Error {
    let detail = match e {
        Error::EndOfStream => "the input ends inside it".to_owned(),
        other => Rule::from_tls(other).to_string(),
    };
    Rule::MalformedMlsObject {
        object: Cow::Borrowed(object),
        detail,
    }
    .into()
}
