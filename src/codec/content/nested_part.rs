//! Message bodies (draft-ietf-mimi-content-08 §4.4, §4.5): `NestedPart` with its four
//! cardinalities, and part indices (§4.4, App. B.3).

use serde::{Deserialize, Serialize};

use super::{DecodeError, Encoder, Path, bstr, infallible, shape, tstr, uint};
use crate::codec::cbor::{Item, Value};
use crate::codec::hexbytes;

/// `NestedPart = [disposition, language, (NullPart // SinglePart // ExternalPart // MultiPart)]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NestedPart {
    /// `baseDispos / $extDispos / unknownDispos`, 0..255; unknown values render (§9.1).
    pub disposition: u64,
    /// "" or comma-separated language tags.
    pub language: String,
    #[serde(flatten)]
    pub body: PartBody,
}

/// The cardinality-dependent rest of a `NestedPart`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cardinality", rename_all = "lowercase")]
pub enum PartBody {
    /// `nullpart = 0`: no body, as in a delete or an unlike.
    Null,
    /// `single = 1`.
    #[serde(rename_all = "camelCase")]
    Single {
        content_type: String,
        #[serde(with = "hexbytes")]
        content: Vec<u8>,
    },
    /// `external = 2`.
    External(ExternalPart),
    /// `multi = 3`: `partSemantics` chooseOne(0), singleUnit(1), processAll(2).
    #[serde(rename_all = "camelCase")]
    Multi {
        part_semantics: u64,
        parts: Vec<NestedPart>,
    },
}

/// `ExternalPart` (§4.5): content fetched from a URL, optionally AEAD-encrypted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalPart {
    pub content_type: String,
    pub url: String,
    /// `uint .size 4`; 0 = never.
    pub expires: u64,
    /// `uint .size 8`; 0 = unknown.
    pub size: u64,
    /// IANA AEAD algorithm id (`uint .size 2`); 0 = not encrypted.
    pub enc_alg: u64,
    #[serde(with = "hexbytes")]
    pub key: Vec<u8>,
    #[serde(with = "hexbytes")]
    pub nonce: Vec<u8>,
    #[serde(with = "hexbytes")]
    pub aad: Vec<u8>,
    /// IANA Named Information hash id (`uint .size 1`).
    pub hash_alg: u64,
    #[serde(with = "hexbytes")]
    pub content_hash: Vec<u8>,
    pub description: String,
    pub filename: String,
}

/// The wire value of a part's cardinality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cardinality {
    Null,
    Single,
    External,
    Multi,
}

/// Where a part sits in depth-first order (App. B.3): `cid:<index>@local.invalid` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartIndex {
    pub index: usize,
    /// The top-level part is depth 1.
    pub depth: usize,
    pub cardinality: Cardinality,
}

impl PartBody {
    pub fn cardinality(&self) -> Cardinality {
        match self {
            PartBody::Null => Cardinality::Null,
            PartBody::Single { .. } => Cardinality::Single,
            PartBody::External(_) => Cardinality::External,
            PartBody::Multi { .. } => Cardinality::Multi,
        }
    }
}

impl NestedPart {
    pub(crate) fn from_item(item: &Item, path: &Path<'_>) -> Result<Self, DecodeError> {
        let Value::Array(f) = &item.value else {
            return Err(shape(
                path,
                format!("{}, expected a NestedPart array", item.value.type_name()),
            ));
        };
        if f.len() < 3 {
            return Err(shape(
                path,
                format!("NestedPart of {} elements, expected at least 3", f.len()),
            ));
        }
        let field = |name: &'static str| Path::Field(path, name);
        let disposition = uint(&f[0], field("disposition"))?;
        let language = tstr(&f[1], field("language"))?;
        let cardinality = uint(&f[2], field("cardinality"))?;
        let rest = &f[3..];
        let want = |n: usize| {
            if rest.len() == n {
                Ok(())
            } else {
                Err(shape(
                    path,
                    format!("cardinality {cardinality} takes {} elements, found {}", n + 3, f.len()),
                ))
            }
        };
        let body = match cardinality {
            0 => {
                want(0)?;
                PartBody::Null
            }
            1 => {
                want(2)?;
                PartBody::Single {
                    content_type: tstr(&rest[0], field("contentType"))?,
                    content: bstr(&rest[1], field("content"))?,
                }
            }
            2 => {
                want(12)?;
                PartBody::External(ExternalPart {
                    content_type: tstr(&rest[0], field("contentType"))?,
                    url: tstr(&rest[1], field("url"))?,
                    expires: uint(&rest[2], field("expires"))?,
                    size: uint(&rest[3], field("size"))?,
                    enc_alg: uint(&rest[4], field("encAlg"))?,
                    key: bstr(&rest[5], field("key"))?,
                    nonce: bstr(&rest[6], field("nonce"))?,
                    aad: bstr(&rest[7], field("aad"))?,
                    hash_alg: uint(&rest[8], field("hashAlg"))?,
                    content_hash: bstr(&rest[9], field("contentHash"))?,
                    description: tstr(&rest[10], field("description"))?,
                    filename: tstr(&rest[11], field("filename"))?,
                })
            }
            3 => {
                want(2)?;
                let part_semantics = uint(&rest[0], field("partSemantics"))?;
                let Value::Array(items) = &rest[1].value else {
                    return Err(shape(
                        field("parts"),
                        format!("{}, expected an array", rest[1].value.type_name()),
                    ));
                };
                let parts = items
                    .iter()
                    .enumerate()
                    .map(|(i, p)| NestedPart::from_item(p, &Path::Index(&Path::Field(path, "parts"), i)))
                    .collect::<Result<_, _>>()?;
                PartBody::Multi { part_semantics, parts }
            }
            value => {
                return Err(DecodeError::UnknownCardinality {
                    path: field("cardinality").to_string(),
                    value,
                });
            }
        };
        Ok(NestedPart {
            disposition,
            language,
            body,
        })
    }

    pub(crate) fn encode_to(&self, e: &mut Encoder) {
        let extra = match &self.body {
            PartBody::Null => 0,
            PartBody::Single { .. } | PartBody::Multi { .. } => 2,
            PartBody::External(_) => 12,
        };
        infallible(
            e.array(3 + extra)
                .and_then(|e| e.u64(self.disposition))
                .and_then(|e| e.str(&self.language)),
        );
        match &self.body {
            PartBody::Null => {
                infallible(e.u8(0));
            }
            PartBody::Single { content_type, content } => {
                infallible(e.u8(1).and_then(|e| e.str(content_type)).and_then(|e| e.bytes(content)));
            }
            PartBody::External(x) => {
                infallible(
                    e.u8(2)
                        .and_then(|e| e.str(&x.content_type))
                        .and_then(|e| e.str(&x.url))
                        .and_then(|e| e.u64(x.expires))
                        .and_then(|e| e.u64(x.size))
                        .and_then(|e| e.u64(x.enc_alg))
                        .and_then(|e| e.bytes(&x.key))
                        .and_then(|e| e.bytes(&x.nonce))
                        .and_then(|e| e.bytes(&x.aad))
                        .and_then(|e| e.u64(x.hash_alg))
                        .and_then(|e| e.bytes(&x.content_hash))
                        .and_then(|e| e.str(&x.description))
                        .and_then(|e| e.str(&x.filename)),
                );
            }
            PartBody::Multi { part_semantics, parts } => {
                infallible(
                    e.u8(3)
                        .and_then(|e| e.u64(*part_semantics))
                        .and_then(|e| e.array(parts.len() as u64)),
                );
                for p in parts {
                    p.encode_to(e);
                }
            }
        }
    }

    /// Every part in depth-first order, this one first (App. B.3).
    pub fn part_indices(&self) -> Vec<PartIndex> {
        let mut out = Vec::new();
        self.visit(1, &mut |p, depth| {
            out.push(PartIndex {
                index: out.len(),
                depth,
                cardinality: p.body.cardinality(),
            })
        });
        out
    }

    /// Calls `f` on every part, depth-first, with its depth (this part = `depth`).
    pub fn visit<'a>(&'a self, depth: usize, f: &mut impl FnMut(&'a NestedPart, usize)) {
        f(self, depth);
        if let PartBody::Multi { parts, .. } = &self.body {
            for p in parts {
                p.visit(depth + 1, f);
            }
        }
    }
}
