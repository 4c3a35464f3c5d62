//! The pieces every protocol struct is built from: `opaque x<V>` and `T x<V>` with the RFC 9420
//! §2.1.2 variable-length header, `optional<T>`, open enums for code points, and the peek into an
//! MLSMessage that the `select (message.wire_format)` and `select (….content_type)` arms need.
//!
//! Every reader here works on the slice it is given: a declared length is checked against the
//! bytes that are left before anything is allocated, and vector elements are read from exactly
//! the declared span (tls_codec's own `VLBytes` reader `debug_assert`s on an over-long length,
//! so it is not used for decoding).

use tls_codec::{DeserializeBytes, Error, Serialize, Size};

/// Why a reader stopped, beyond what `tls_codec::Error` can say. It travels inside
/// `Error::DecodingError` (so that derived impls compose) and is turned back into a
/// [`super::ProtocolDecodeError`] by the top-level decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fail {
    /// A vector's length header declares more bytes than are left.
    OverLong { declared: u64, left: usize },
    /// A length header uses the reserved 0b11 prefix.
    BadLengthPrefix,
    /// A length header is not in its shortest form (RFC 9420 §2.1.2).
    NonMinimalLength { value: u64, header: usize },
    /// A code point with no arm where the layout of what follows depends on it.
    UnknownEnum { name: &'static str, value: u64 },
    /// An `optional<T>` presence octet other than 0 or 1.
    BadPresence(u8),
    /// An MLSMessage too short or malformed to find its wire format or content type.
    MlsShape(&'static str),
    /// An embedded RFC 9420 object (one of [`MLS_OBJECTS`]) that does not parse.
    MlsObject { object: &'static str, detail: String },
}

const TAG: &str = "mimi-protocol|";

impl From<Fail> for Error {
    fn from(f: Fail) -> Error {
        let s = match f {
            Fail::OverLong { declared, left } => format!("over-long|{declared}|{left}"),
            Fail::BadLengthPrefix => "bad-length-prefix".to_owned(),
            Fail::NonMinimalLength { value, header } => format!("non-minimal|{value}|{header}"),
            Fail::UnknownEnum { name, value } => format!("unknown-enum|{name}|{value}"),
            Fail::BadPresence(b) => format!("bad-presence|{b}"),
            Fail::MlsShape(what) => format!("mls-shape|{what}"),
            Fail::MlsObject { object, detail } => format!("mls-object|{object}|{detail}"),
        };
        Error::DecodingError(format!("{TAG}{s}"))
    }
}

/// The enum names a [`Fail::UnknownEnum`] can carry (so that the decoded error keeps a
/// `&'static str`).
pub(crate) const ENUM_NAMES: &[&str] = &[
    "Protocol",
    "KeyMaterialClientCode",
    "UpdateResponseCode",
    "SubmitResponseCode",
    "GroupInfoRepresentation",
    "RatchetTreeRepresentation",
    "ConsentOperation",
    "SearchIdentifierType",
    "CredentialType",
    "WireFormat",
    "ContentType",
    "ProtocolVersion",
];

/// The RFC 9420 objects a [`Fail::MlsObject`] can name (kept `&'static str` like enum names).
pub(crate) const MLS_OBJECTS: &[&str] = &["MLSMessage", "KeyPackage", "Welcome", "GroupInfo", "SemiPrivateMessage"];

impl Fail {
    /// Recovers a `Fail` from the message of an `Error::DecodingError` built by `From<Fail>`.
    pub(crate) fn parse(msg: &str) -> Option<Fail> {
        let rest = msg.strip_prefix(TAG)?;
        let mut it = rest.split('|');
        let kind = it.next()?;
        let mut num = || it.next().and_then(|s| s.parse::<u64>().ok());
        Some(match kind {
            "over-long" => {
                let declared = num()?;
                let left = num()? as usize;
                Fail::OverLong { declared, left }
            }
            "bad-length-prefix" => Fail::BadLengthPrefix,
            "non-minimal" => {
                let value = num()?;
                let header = num()? as usize;
                Fail::NonMinimalLength { value, header }
            }
            "unknown-enum" => {
                let name = rest.split('|').nth(1)?;
                let name = ENUM_NAMES.iter().find(|n| **n == name)?;
                let value = rest.split('|').nth(2)?.parse().ok()?;
                Fail::UnknownEnum { name, value }
            }
            "bad-presence" => Fail::BadPresence(num()? as u8),
            "mls-shape" => {
                let what = rest.split('|').nth(1)?;
                Fail::MlsShape(MLS_SHAPES.iter().find(|n| **n == what)?)
            }
            "mls-object" => {
                // The detail is free text and may hold '|': split off the object name only.
                let (object, detail) = rest.split_once('|')?.1.split_once('|')?;
                let object = MLS_OBJECTS.iter().find(|n| **n == object)?;
                Fail::MlsObject {
                    object,
                    detail: detail.to_owned(),
                }
            }
            _ => return None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Variable-length header (RFC 9420 §2.1.2)

/// Size of the shortest header for `len`.
pub(crate) fn vlen_size(len: usize) -> usize {
    match len {
        0..=0x3f => 1,
        0x40..=0x3fff => 2,
        _ => 4,
    }
}

/// Writes the shortest header for `len`; lengths of 2^30 and more cannot be expressed.
pub(crate) fn write_vlen<W: std::io::Write>(len: usize, w: &mut W) -> Result<usize, Error> {
    let n = match len {
        0..=0x3f => {
            w.write_all(&[len as u8])?;
            1
        }
        0x40..=0x3fff => {
            w.write_all(&(0x4000u16 | len as u16).to_be_bytes())?;
            2
        }
        0x4000..=0x3fff_ffff => {
            w.write_all(&(0x8000_0000u32 | len as u32).to_be_bytes())?;
            4
        }
        _ => return Err(Error::InvalidVectorLength),
    };
    Ok(n)
}

/// Reads a length header and splits off the span it declares: `(span, rest)`.
pub(crate) fn read_span(bytes: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    let first = *bytes.first().ok_or(Error::EndOfStream)?;
    let header = match first >> 6 {
        0 => 1,
        1 => 2,
        2 => 4,
        _ => return Err(Fail::BadLengthPrefix.into()),
    };
    let head = bytes.get(..header).ok_or(Error::EndOfStream)?;
    let mut value = u64::from(first & 0x3f);
    for b in &head[1..] {
        value = (value << 8) | u64::from(*b);
    }
    if vlen_size(value as usize) != header {
        return Err(Fail::NonMinimalLength { value, header }.into());
    }
    let rest = &bytes[header..];
    if value > rest.len() as u64 {
        return Err(Fail::OverLong {
            declared: value,
            left: rest.len(),
        }
        .into());
    }
    Ok(rest.split_at(value as usize))
}

// ---------------------------------------------------------------------------------------------
// opaque x<V>

/// `opaque x<V>`: bytes behind a variable-length header. JSON: lowercase hex.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Opaque(#[serde(with = "crate::codec::hexbytes")] pub Vec<u8>);

impl Opaque {
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }
}

impl From<&[u8]> for Opaque {
    fn from(b: &[u8]) -> Self {
        Opaque(b.to_vec())
    }
}

impl From<Vec<u8>> for Opaque {
    fn from(b: Vec<u8>) -> Self {
        Opaque(b)
    }
}

impl Size for Opaque {
    fn tls_serialized_len(&self) -> usize {
        vlen_size(self.0.len()) + self.0.len()
    }
}

impl Serialize for Opaque {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        let n = write_vlen(self.0.len(), w)?;
        w.write_all(&self.0)?;
        Ok(n + self.0.len())
    }
}

impl DeserializeBytes for Opaque {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (span, rest) = read_span(bytes)?;
        Ok((Opaque(span.to_vec()), rest))
    }
}

// ---------------------------------------------------------------------------------------------
// T x<V>

/// `T x<V>`: elements read from exactly the span the header declares. JSON: an array.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct VecOf<T>(pub Vec<T>);

impl<T> Default for VecOf<T> {
    fn default() -> Self {
        VecOf(Vec::new())
    }
}

impl<T> From<Vec<T>> for VecOf<T> {
    fn from(v: Vec<T>) -> Self {
        VecOf(v)
    }
}

impl<T> std::ops::Deref for VecOf<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: Size> Size for VecOf<T> {
    fn tls_serialized_len(&self) -> usize {
        let body: usize = self.0.iter().map(Size::tls_serialized_len).sum();
        vlen_size(body) + body
    }
}

impl<T: Serialize> Serialize for VecOf<T> {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        let body: usize = self.0.iter().map(Size::tls_serialized_len).sum();
        let mut n = write_vlen(body, w)?;
        for e in &self.0 {
            n += e.tls_serialize(w)?;
        }
        Ok(n)
    }
}

impl<T: DeserializeBytes> DeserializeBytes for VecOf<T> {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (mut span, rest) = read_span(bytes)?;
        let mut out = Vec::new();
        while !span.is_empty() {
            let (e, next) = T::tls_deserialize_bytes(span)?;
            // Every element here is at least one octet; this guards against a loop anyway.
            if next.len() == span.len() {
                return Err(Error::DecodingError("vector element consumed no bytes".into()));
            }
            out.push(e);
            span = next;
        }
        Ok((VecOf(out), rest))
    }
}

// ---------------------------------------------------------------------------------------------
// optional<T>

/// Reads `optional<T>`: a presence octet 0 or 1, then `T` if 1.
pub(crate) fn read_optional<T: DeserializeBytes>(bytes: &[u8]) -> Result<(Option<T>, &[u8]), Error> {
    let (p, rest) = u8::tls_deserialize_bytes(bytes)?;
    match p {
        0 => Ok((None, rest)),
        1 => {
            let (v, rest) = T::tls_deserialize_bytes(rest)?;
            Ok((Some(v), rest))
        }
        b => Err(Fail::BadPresence(b).into()),
    }
}

/// `optional<T>` as a field type, so that derived structs can hold one. JSON: `null` or the
/// value; the key must be present (so that select arms stay distinguishable in JSON).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct Optional<T>(pub Option<T>);

impl<'de, T: serde::de::DeserializeOwned> serde::Deserialize<'de> for Optional<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        // `Value` asks for any value, so a missing key is an error rather than `None`.
        let v = serde_json::Value::deserialize(d)?;
        if v.is_null() {
            return Ok(Optional(None));
        }
        T::deserialize(v).map(|t| Optional(Some(t))).map_err(D::Error::custom)
    }
}

impl<T> Default for Optional<T> {
    fn default() -> Self {
        Optional(None)
    }
}

impl<T: Size> Size for Optional<T> {
    fn tls_serialized_len(&self) -> usize {
        1 + self.0.as_ref().map_or(0, Size::tls_serialized_len)
    }
}

impl<T: Serialize> Serialize for Optional<T> {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        match &self.0 {
            None => 0u8.tls_serialize(w),
            Some(v) => Ok(1u8.tls_serialize(w)? + v.tls_serialize(w)?),
        }
    }
}

impl<T: DeserializeBytes> DeserializeBytes for Optional<T> {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let (v, rest) = read_optional(bytes)?;
        Ok((Optional(v), rest))
    }
}

// ---------------------------------------------------------------------------------------------
// Open enums

/// Declares an open enum over an unsigned integer, as rustls's `enum_builder!` does: a newtype
/// that holds any value (an unknown one still decodes and prints), named constants, and the
/// draft's name of each known value. JSON: the draft's name when known, else the number.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident($int:ty) { $( $(#[$vmeta:meta])* $konst:ident = $value:literal => $text:literal ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub $int);

        #[allow(dead_code)]
        impl $name {
            $( $(#[$vmeta])* pub const $konst: $name = $name($value); )*

            /// The draft's name of this value, if it has one.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $( $value => Some($text), )*
                    _ => None,
                }
            }

            /// The value with this draft name.
            pub fn from_name(name: &str) -> Option<$name> {
                match name {
                    $( $text => Some($name($value)), )*
                    _ => None,
                }
            }

            /// Whether the draft defines this value.
            pub fn is_known(self) -> bool {
                self.name().is_some()
            }

            /// An error for a select arm that this value does not have.
            pub(crate) fn unknown(self) -> tls_codec::Error {
                $crate::codec::protocol::wire::Fail::UnknownEnum {
                    name: stringify!($name),
                    value: u64::from(self.0),
                }
                .into()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, "{}({:#x})", stringify!($name), self.0),
                }
            }
        }

        impl tls_codec::Size for $name {
            fn tls_serialized_len(&self) -> usize {
                std::mem::size_of::<$int>()
            }
        }

        impl tls_codec::Serialize for $name {
            fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, tls_codec::Error> {
                self.0.tls_serialize(w)
            }
        }

        impl tls_codec::DeserializeBytes for $name {
            fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), tls_codec::Error> {
                let (v, rest) = <$int>::tls_deserialize_bytes(bytes)?;
                Ok(($name(v), rest))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self.name() {
                    Some(n) => s.serialize_str(n),
                    None => s.serialize_u64(u64::from(self.0)),
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                use serde::de::Error as _;
                #[derive(serde::Deserialize)]
                #[serde(untagged)]
                enum Repr {
                    Num(u64),
                    Name(String),
                }
                match Repr::deserialize(d)? {
                    Repr::Num(n) => <$int>::try_from(n)
                        .map($name)
                        .map_err(|_| D::Error::custom(format!("{} value {n} out of range", stringify!($name)))),
                    Repr::Name(s) => $name::from_name(&s)
                        .ok_or_else(|| D::Error::custom(format!("unknown {} name {s:?}", stringify!($name)))),
                }
            }
        }
    };
}
pub(crate) use open_enum;

// ---------------------------------------------------------------------------------------------
// Peeking into an MLSMessage (RFC 9420 §6)

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
    let head = bytes.get(..4).ok_or(Fail::MlsShape(MLS_SHAPES[0]))?;
    let wire_format = WireFormat(u16::from_be_bytes([head[2], head[3]]));
    let body = &bytes[4..];
    let private_like = wire_format == WireFormat::PRIVATE_MESSAGE || Some(wire_format.0) == semiprivate;
    let content_type = if wire_format == WireFormat::PUBLIC_MESSAGE {
        let short = |_| Error::from(Fail::MlsShape(MLS_SHAPES[1]));
        let (_group_id, r) = read_span(body).map_err(short)?;
        let r = r.get(8..).ok_or(Fail::MlsShape(MLS_SHAPES[1]))?;
        let sender_type = *r.first().ok_or(Fail::MlsShape(MLS_SHAPES[1]))?;
        // member(1) and external(2) carry a uint32; new_member_proposal(3), new_member_commit(4) none.
        let r = match sender_type {
            1 | 2 => r.get(5..),
            _ => r.get(1..),
        }
        .ok_or(Fail::MlsShape(MLS_SHAPES[1]))?;
        let (_aad, r) = read_span(r).map_err(short)?;
        Some(ContentType(*r.first().ok_or(Fail::MlsShape(MLS_SHAPES[1]))?))
    } else if private_like {
        let short = |_| Error::from(Fail::MlsShape(MLS_SHAPES[2]));
        let (_group_id, r) = read_span(body).map_err(short)?;
        Some(ContentType(*r.get(8).ok_or(Fail::MlsShape(MLS_SHAPES[2]))?))
    } else {
        None
    };
    Ok(MlsPeek {
        wire_format,
        content_type,
    })
}

// ---------------------------------------------------------------------------------------------
// Fixed-size octet strings

/// `uint8 x[32]` / `opaque x[32]`: exactly 32 octets, no header. JSON: lowercase hex.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Bytes32(pub [u8; 32]);

impl Size for Bytes32 {
    fn tls_serialized_len(&self) -> usize {
        32
    }
}

impl Serialize for Bytes32 {
    fn tls_serialize<W: std::io::Write>(&self, w: &mut W) -> Result<usize, Error> {
        w.write_all(&self.0)?;
        Ok(32)
    }
}

impl DeserializeBytes for Bytes32 {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        let head = bytes.get(..32).ok_or(Error::EndOfStream)?;
        let mut a = [0u8; 32];
        a.copy_from_slice(head);
        Ok((Bytes32(a), &bytes[32..]))
    }
}

impl serde::Serialize for Bytes32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::codec::hexbytes::serialize(&self.0, s)
    }
}

impl<'de> serde::Deserialize<'de> for Bytes32 {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        let v = crate::codec::hexbytes::deserialize(d)?;
        let a: [u8; 32] = v
            .try_into()
            .map_err(|v: Vec<u8>| D::Error::custom(format!("{} octets, expected 32", v.len())))?;
        Ok(Bytes32(a))
    }
}
