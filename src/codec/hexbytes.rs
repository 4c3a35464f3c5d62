//! Lowercase-hex serde for byte fields: the driver protocol carries bytes as hex strings.

use serde::{Deserialize, Deserializer, Serializer, de::Error};

/// `#[serde(with = "hexbytes")]` for `Vec<u8>`.
pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&hex::encode(bytes))
}

/// Accepts upper or lower case; rejects odd lengths and non-hex characters.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
    hex::decode(s.as_ref()).map_err(|e| D::Error::custom(format!("invalid hex: {e}")))
}

/// `#[serde(with = "hexbytes::option")]` for `Option<Vec<u8>>` (JSON `null` for `None`).
pub mod option {
    use super::*;

    pub fn serialize<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
        match bytes {
            Some(b) => super::serialize(b, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        let s = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.map(|s| hex::decode(s.as_ref()).map_err(|e| D::Error::custom(format!("invalid hex: {e}"))))
            .transpose()
    }
}

/// `#[serde(with = "hexbytes::list")]` for `Vec<Vec<u8>>`: a JSON array of hex strings.
pub mod list {
    use serde::ser::SerializeSeq as _;

    use super::*;

    pub fn serialize<S: Serializer>(items: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(items.len()))?;
        for item in items {
            seq.serialize_element(&hex::encode(item))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        Vec::<std::borrow::Cow<'de, str>>::deserialize(d)?
            .iter()
            .map(|s| hex::decode(s.as_ref()).map_err(|e| D::Error::custom(format!("invalid hex: {e}"))))
            .collect()
    }
}
