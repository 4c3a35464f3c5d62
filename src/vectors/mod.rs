//! Test-vector files (Wycheproof-style JSON, one folder per draft under `vectors/`): their
//! model, loading with errors that name the file, case and field, and the built-in set.

mod verify;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

pub use verify::{Fixtures, VerifyOutcome, verify_against_reference};

use crate::codec::content::{MessageDerivedValues, MessageStatusReport, MimiContent, PartIndex};
use crate::codec::hexbytes;
use crate::validate::Kind;

/// The schema id every vector file declares.
pub const SCHEMA: &str = "mimi-conformance/vectors/v1";

/// The vector files built into the binary: every `*.json` under `vectors/`, sorted by path
/// (listed by `build.rs`, so a new file needs no registration).
pub const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/embedded_vectors.rs"));

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Content documents to decode, with their message IDs.
    Content,
    /// Content models to encode.
    Encode,
    /// Message-status reports.
    Status,
    /// Derived values (App. A.2).
    Implied,
    /// Errors in the draft's own examples.
    Findings,
    /// Structs of the TLS presentation language (protocol-06 §5, §7), by draft name.
    Tls,
    /// Room-policy role sets (room-policy-03 Appendix A), by name.
    #[serde(rename = "policy-fixtures")]
    PolicyFixtures,
    /// Authorization decisions against a fixture (room-policy-03 §3, §4, §8).
    #[serde(rename = "policy-decision")]
    PolicyDecision,
    /// Room-policy structs (Appendix B), as `tls` cases are.
    #[serde(rename = "policy-codec")]
    PolicyCodec,
}

/// Wycheproof's verdicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Valid,
    Invalid,
    /// Either answer conforms (e.g. floats, which §6.2 only discourages).
    Acceptable,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FileIn {
    schema: String,
    kind: FileKind,
    draft: String,
    rev: String,
    source: String,
    #[serde(default)]
    generator: Option<String>,
    #[serde(default)]
    flags: BTreeMap<String, String>,
    #[serde(default)]
    requirements: BTreeMap<String, String>,
    tests: Vec<CaseIn>,
}

/// One case as written; which fields it needs depends on the file's kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CaseIn {
    tc_id: u64,
    slug: String,
    section: String,
    result: Verdict,
    #[serde(default)]
    flags: Vec<String>,
    comment: String,
    #[serde(default, with = "hexbytes::option")]
    cbor: Option<Vec<u8>>,
    #[serde(default)]
    sender: Option<String>,
    #[serde(default)]
    room: Option<String>,
    #[serde(default)]
    rule: Option<String>,
    #[serde(default)]
    req: Option<String>,
    #[serde(default)]
    content: Option<MimiContent>,
    #[serde(default)]
    of: Option<String>,
    #[serde(default, rename = "where")]
    where_: Option<String>,
    #[serde(default)]
    field: Option<String>,
    #[serde(default, with = "hexbytes::option")]
    found: Option<Vec<u8>>,
    #[serde(default)]
    expected: Option<Value>,
    /// `kind: tls`: the struct's draft name, its encoding, and which reading of -06 applies.
    #[serde(default, rename = "struct")]
    structure: Option<String>,
    #[serde(default, with = "hexbytes::option")]
    hex: Option<Vec<u8>>,
    #[serde(default)]
    reading: Option<Reading>,
    /// `policy-fixtures`: the role set's name and RoleData JSON.
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    roles: Option<Value>,
    /// `policy-decision`: the fixture it runs against, and the rest of `policy.decide`'s params.
    #[serde(default)]
    fixture: Option<String>,
    #[serde(default)]
    participants: Option<Value>,
    #[serde(default, rename = "base_policy")]
    base_policy: Option<Value>,
    #[serde(default)]
    preauth: Option<Value>,
    #[serde(default)]
    change: Option<Value>,
}

/// Which reading of the draft's inconsistencies a case is decoded under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reading {
    Default,
    Alternative,
}

/// A loaded vector file.
#[derive(Debug, Clone)]
pub struct VectorFile {
    pub path: String,
    pub kind: FileKind,
    pub draft: String,
    pub rev: String,
    pub source: String,
    pub cases: Vec<Case>,
}

/// What every case has.
#[derive(Debug, Clone)]
pub struct CaseHead {
    pub tc_id: u64,
    pub slug: String,
    pub section: String,
    pub result: Verdict,
    pub flags: Vec<String>,
    pub comment: String,
}

/// One case, typed by its file's kind.
#[derive(Debug, Clone)]
pub struct Case {
    pub head: CaseHead,
    pub body: CaseBody,
}

#[derive(Debug, Clone)]
pub enum CaseBody {
    /// A content document. `expected` is present for valid and acceptable cases; `rule` for
    /// invalid and acceptable ones.
    Content {
        cbor: Vec<u8>,
        sender: String,
        room: String,
        rule: Option<Kind>,
        /// The requirement a valid case exercises beyond decoding (e.g. CONT-R04).
        req: Option<String>,
        expected: Option<ContentExpected>,
    },
    Encode {
        content: MimiContent,
        req: String,
        cbor: Vec<u8>,
    },
    Status {
        cbor: Vec<u8>,
        rule: Option<Kind>,
        expected: Option<MessageStatusReport>,
    },
    Implied {
        cbor: Vec<u8>,
        of: String,
        expected: MessageDerivedValues,
    },
    Finding {
        cbor: Vec<u8>,
        location: String,
        field: String,
        found: Vec<u8>,
        expected: Vec<u8>,
    },
    /// A struct's bytes and, for a valid case, its JSON; for an invalid one, the decode rule.
    Tls {
        structure: String,
        bytes: Vec<u8>,
        alternative: bool,
        rule: Option<String>,
        req: Option<String>,
        expected: Option<Value>,
    },
    /// A named role set: its RoleData JSON and TLS encoding.
    PolicyFixture { name: String, roles: Value, bytes: Vec<u8> },
    /// `policy.decide` against a fixture: the params besides the roles, and the decision.
    PolicyDecision {
        fixture: String,
        participants: Value,
        base_policy: Option<Value>,
        preauth: Option<Value>,
        change: Value,
        /// `{allowed, rule, capability?}`.
        expected: Value,
        req: String,
    },
}

/// Expected outputs of a content document.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContentExpected {
    #[serde(with = "hexbytes")]
    pub message_id: Vec<u8>,
    #[serde(rename = "messageId07", with = "hexbytes")]
    pub message_id_07: Vec<u8>,
    pub content: MimiContent,
    #[serde(default)]
    pub part_indices: Vec<PartIndex>,
}

/// A vector file that cannot be used, and why: the file, the case and the field.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}: {what}")]
pub struct VectorError {
    pub file: String,
    pub what: String,
}

impl VectorFile {
    /// Reads a file from disk.
    pub fn read(path: &Path) -> Result<Self, VectorError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| VectorError {
            file: name.clone(),
            what: format!("cannot read: {e}"),
        })?;
        Self::parse(&name, &text)
    }

    /// Parses a file's text; `name` is how errors name it.
    pub fn parse(name: &str, text: &str) -> Result<Self, VectorError> {
        let err = |what: String| VectorError {
            file: name.to_owned(),
            what,
        };
        let de = &mut serde_json::Deserializer::from_str(text);
        let file: FileIn = serde_path_to_error::deserialize(de).map_err(|e| {
            let inner = e.inner();
            err(format!(
                "line {}, column {}: at `{}`: {}",
                inner.line(),
                inner.column(),
                e.path(),
                inner
            ))
        })?;
        if file.schema != SCHEMA {
            return Err(err(format!("schema is {:?}, expected {SCHEMA:?}", file.schema)));
        }
        let mut cases = Vec::with_capacity(file.tests.len());
        for (i, c) in file.tests.into_iter().enumerate() {
            let at = format!("tests[{i}] (tcId {}, {})", c.tc_id, c.slug);
            let case = typed(file.kind, c).map_err(|what| err(format!("{at}: {what}")))?;
            cases.push(case);
        }
        let mut seen = BTreeMap::new();
        for c in &cases {
            if let Some(prev) = seen.insert(c.head.tc_id, &c.head.slug) {
                return Err(err(format!(
                    "tcId {} is used by {prev} and {}",
                    c.head.tc_id, c.head.slug
                )));
            }
        }
        let _ = (file.generator, file.flags, file.requirements);
        Ok(VectorFile {
            path: name.to_owned(),
            kind: file.kind,
            draft: file.draft,
            rev: file.rev,
            source: file.source,
            cases,
        })
    }

    /// The files built into the binary.
    pub fn embedded() -> Result<Vec<Self>, VectorError> {
        EMBEDDED.iter().map(|(name, text)| Self::parse(name, text)).collect()
    }
}

fn typed(kind: FileKind, c: CaseIn) -> Result<Case, String> {
    fn need<T>(v: Option<T>, field: &str) -> Result<T, String> {
        v.ok_or_else(|| format!("missing field `{field}`"))
    }
    fn expected<T: serde::de::DeserializeOwned>(v: Option<Value>) -> Result<T, String> {
        serde_path_to_error::deserialize(need(v, "expected")?)
            .map_err(|e| format!("at `expected.{}`: {}", e.path(), e.inner()))
    }
    let rule = |c: &CaseIn| -> Result<Option<Kind>, String> {
        c.rule
            .as_deref()
            .map(|s| Kind::from_slug(s).ok_or_else(|| format!("unknown rule {s:?}")))
            .transpose()
    };
    let body = match kind {
        FileKind::Content => {
            let rule = rule(&c)?;
            if c.result != Verdict::Valid && rule.is_none() {
                return Err("an invalid or acceptable case needs `rule`".into());
            }
            if let (Some(k), Some(r)) = (rule, &c.req)
                && k.req() != r
            {
                return Err(format!("rule {} belongs to {}, but `req` says {r}", k.slug(), k.req()));
            }
            CaseBody::Content {
                cbor: need(c.cbor, "cbor")?,
                sender: need(c.sender, "sender")?,
                room: need(c.room, "room")?,
                rule,
                req: c.req,
                expected: match c.result {
                    Verdict::Invalid => None,
                    _ => Some(expected(c.expected)?),
                },
            }
        }
        FileKind::Encode => {
            let cbor = match need(c.expected, "expected")?.get("cbor").and_then(Value::as_str) {
                Some(h) => hex::decode(h).map_err(|e| format!("`expected.cbor` is not hex: {e}"))?,
                None => return Err("missing field `expected.cbor`".into()),
            };
            CaseBody::Encode {
                content: need(c.content, "content")?,
                req: need(c.req, "req")?,
                cbor,
            }
        }
        FileKind::Status => {
            let rule = rule(&c)?;
            let expected = match c.result {
                Verdict::Valid => {
                    #[derive(Deserialize)]
                    struct E {
                        status: MessageStatusReport,
                    }
                    Some(expected::<E>(c.expected)?.status)
                }
                _ => None,
            };
            CaseBody::Status {
                cbor: need(c.cbor, "cbor")?,
                rule,
                expected,
            }
        }
        FileKind::Implied => {
            #[derive(Deserialize)]
            struct E {
                derived: MessageDerivedValues,
            }
            CaseBody::Implied {
                cbor: need(c.cbor, "cbor")?,
                of: need(c.of, "of")?,
                expected: expected::<E>(c.expected)?.derived,
            }
        }
        FileKind::PolicyFixtures => CaseBody::PolicyFixture {
            name: need(c.name, "name")?,
            roles: need(c.roles, "roles")?,
            bytes: need(c.hex, "hex")?,
        },
        FileKind::PolicyDecision => {
            let expected = need(c.expected, "expected")?;
            if !expected.get("allowed").is_some_and(Value::is_boolean) {
                return Err("`expected.allowed` must be true or false".into());
            }
            CaseBody::PolicyDecision {
                fixture: need(c.fixture, "fixture")?,
                participants: need(c.participants, "participants")?,
                base_policy: c.base_policy,
                preauth: c.preauth,
                change: need(c.change, "change")?,
                expected,
                req: need(c.req, "req")?,
            }
        }
        FileKind::Tls | FileKind::PolicyCodec => {
            let valid = c.result == Verdict::Valid;
            if !valid && c.rule.is_none() {
                return Err("an invalid case needs `rule`".into());
            }
            CaseBody::Tls {
                structure: need(c.structure, "struct")?,
                bytes: need(c.hex, "hex")?,
                alternative: c.reading == Some(Reading::Alternative),
                rule: c.rule,
                req: c.req,
                expected: if valid {
                    Some(need(c.expected, "expected")?)
                } else {
                    None
                },
            }
        }
        FileKind::Findings => {
            let expected = match need(c.expected, "expected")? {
                Value::String(h) => hex::decode(h).map_err(|e| format!("`expected` is not hex: {e}"))?,
                _ => return Err("`expected` must be a hex string".into()),
            };
            CaseBody::Finding {
                cbor: need(c.cbor, "cbor")?,
                location: need(c.where_, "where")?,
                field: need(c.field, "field")?,
                found: need(c.found, "found")?,
                expected,
            }
        }
    };
    Ok(Case {
        head: CaseHead {
            tc_id: c.tc_id,
            slug: c.slug,
            section: c.section,
            result: c.result,
            flags: c.flags,
            comment: c.comment,
        },
        body,
    })
}
