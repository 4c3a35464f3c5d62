//! Octet strings with a meaning beyond their bytes: `opaque x[32]` ([`Bytes32`], fixed size, no
//! header) and an `opaque x<V>` that holds text ([`Text`]).

use serde::{Deserialize, Deserializer, Serializer};
use tls_codec::{DeserializeBytes, Error, Serialize, SerializeBytes, Size};

use super::vectors::opaque;

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

/// An `opaque x<V>` that holds text (a role name, a URI, a domain). The draft does not say the
/// bytes are UTF-8, so any bytes decode; JSON shows UTF-8 as a string and anything else as
/// `{"hex": "…"}`, so the model stays lossless.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Text(pub Vec<u8>);

impl Text {
    /// The text, when it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.as_bytes().to_vec())
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.as_str() {
            Some(s) => f.write_str(s),
            None => write!(f, "0x{}", hex::encode(&self.0)),
        }
    }
}

impl Size for Text {
    fn tls_serialized_len(&self) -> usize {
        opaque::tls_serialized_len(&self.0)
    }
}

impl SerializeBytes for Text {
    fn tls_serialize_bytes(&self) -> Result<Vec<u8>, Error> {
        opaque::tls_serialize_bytes(&self.0)
    }
}

impl DeserializeBytes for Text {
    fn tls_deserialize_bytes(bytes: &[u8]) -> Result<(Self, &[u8]), Error> {
        opaque::tls_deserialize_bytes(bytes).map(|(v, r)| (Text(v), r))
    }
}

impl serde::Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_str() {
            Some(t) => s.serialize_str(t),
            None => {
                #[derive(serde::Serialize)]
                struct Hex<'a> {
                    #[serde(with = "crate::codec::hexbytes")]
                    hex: &'a Vec<u8>,
                }
                serde::Serialize::serialize(&Hex { hex: &self.0 }, s)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum In {
            Text(String),
            Hex {
                #[serde(with = "crate::codec::hexbytes")]
                hex: Vec<u8>,
            },
        }
        Ok(match In::deserialize(d)? {
            In::Text(t) => Text(t.into_bytes()),
            In::Hex { hex } => Text(hex),
        })
    }
}
