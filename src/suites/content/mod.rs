//! Content tests (draft-ietf-mimi-content-08, draft-mahy-mimi-message-status-01): every vector
//! becomes one or more tests against the implementation's `content.*` operations, plus checks
//! of the draft's own data. `run.rs` runs them; `compare.rs` names the first difference of two
//! models.

mod compare;
mod run;

use std::sync::Arc;

use super::SuiteError;
use crate::codec::content::{ContentRev, MessageDerivedValues, MessageStatusReport, MimiContent};
use crate::driver::ops;
use crate::harness::{Target, Test};
use crate::spec::{Catalogs, SpecRef};
use crate::validate::Kind;
use crate::vectors::{CaseBody, CaseHead, FileKind, VectorFile, Verdict};

/// What a test does.
#[derive(Debug, Clone)]
pub enum Check {
    /// `content.decode` must accept and give exactly this model.
    DecodeValid {
        cbor: Vec<u8>,
        expected: MimiContent,
    },
    /// `content.decode` may reject; if it accepts, the model must be this.
    DecodeAcceptable {
        cbor: Vec<u8>,
        expected: MimiContent,
        rule: Kind,
    },
    /// `content.decode` must reject.
    DecodeInvalid {
        cbor: Vec<u8>,
        rule: Kind,
        /// The vector's section: a rejection naming another is `other-reason`.
        section: String,
    },
    /// `content.encode` must give exactly these bytes.
    Encode {
        content: MimiContent,
        cbor: Vec<u8>,
    },
    /// `content.messageId` must give `expected`; `other_rev` is the other revision's ID, named
    /// in the failure if that is what came back.
    MessageId {
        sender: String,
        room: String,
        cbor: Vec<u8>,
        expected: Vec<u8>,
        other_rev: Vec<u8>,
        rev: ContentRev,
    },
    /// `content.messageId` of bytes that are not deterministically encoded: refusing them is
    /// allowed; an ID must be over the bytes as given (`expected`), not over a re-encoding
    /// (`reencoded`, the ID a decoder that re-encodes would give).
    MessageIdOfBytes {
        sender: String,
        room: String,
        cbor: Vec<u8>,
        expected: Vec<u8>,
        reencoded: Vec<u8>,
        /// The other content revision's ID of the bytes.
        other_rev: Vec<u8>,
    },
    StatusValid {
        cbor: Vec<u8>,
        expected: MessageStatusReport,
    },
    StatusInvalid {
        cbor: Vec<u8>,
        rule: Kind,
        section: String,
    },
    /// The draft's derived values decode, and name the message ID of the example they derive from.
    Implied {
        cbor: Vec<u8>,
        expected: MessageDerivedValues,
        example_id: Vec<u8>,
    },
    /// The draft's bytes hold `expected` in `field` (today they hold `found`).
    DraftBytes {
        cbor: Vec<u8>,
        field: String,
        expected: Vec<u8>,
    },
}

pub fn tests(files: &[VectorFile], catalogs: &Catalogs, rev: ContentRev) -> Result<Vec<Test>, SuiteError> {
    let example_ids: std::collections::BTreeMap<&str, &[u8]> = files
        .iter()
        .flat_map(|f| &f.cases)
        .filter_map(|c| match &c.body {
            CaseBody::Content { expected: Some(e), .. } => Some((c.head.slug.as_str(), e.message_id.as_slice())),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for file in files {
        for case in &file.cases {
            let h = &case.head;
            let mut at = Building {
                file,
                h,
                d: super::short_name(&file.draft),
                // The verb in the id says valid or invalid; the slug need not repeat it.
                slug: ["valid-", "invalid-", "encode-"]
                    .iter()
                    .fold(h.slug.as_str(), |s, p| s.strip_prefix(p).unwrap_or(s)),
                catalogs,
                out: &mut out,
            };
            match (&case.body, file.kind) {
                (
                    CaseBody::Content {
                        cbor,
                        sender,
                        room,
                        rule,
                        req,
                        expected,
                    },
                    _,
                ) => at.content(ContentCase {
                    cbor,
                    sender,
                    room,
                    rule: *rule,
                    req: req.as_deref(),
                    expected: expected.as_ref().map(|e| (&e.content, &e.message_id, &e.message_id_07)),
                    rev,
                })?,
                (CaseBody::Encode { content, req, cbor }, _) => {
                    let (id, title) = (at.id(&h.section, "encode"), format!("encode {}", h.comment));
                    let reqs = vec![at.spec(req)?];
                    at.test(
                        id,
                        title,
                        reqs,
                        Some(ops::CONTENT_ENCODE),
                        Check::Encode {
                            content: content.clone(),
                            cbor: cbor.clone(),
                        },
                    );
                }
                (CaseBody::Status { cbor, rule, expected }, _) => at.status(cbor, *rule, expected.as_ref())?,
                (CaseBody::Implied { cbor, of, expected }, _) => {
                    let example_id = example_ids.get(of.as_str()).ok_or_else(|| {
                        SuiteError(format!("{}: {} derives from unknown case {of}", file.path, h.slug))
                    })?;
                    let reqs = vec![at.spec("CONT-S08")?];
                    at.test(
                        format!("{}/{}/{}", at.d, h.section, h.slug),
                        format!("the draft's derived values decode and name {of}'s message ID"),
                        reqs,
                        None,
                        Check::Implied {
                            cbor: cbor.clone(),
                            expected: expected.clone(),
                            example_id: example_id.to_vec(),
                        },
                    );
                }
                (
                    CaseBody::Finding {
                        cbor,
                        location,
                        field,
                        found,
                        expected,
                    },
                    FileKind::Findings,
                ) => {
                    let spec = vec![at.spec("CONT-S08")?];
                    at.out.push(Test {
                        id: format!("{}/{}/draft-{}", at.d, h.section, h.slug),
                        title: format!("{location}: {field} holds the -08 value"),
                        spec,
                        op: None,
                        target: Target::Draft,
                        check: crate::harness::Check::Driver(Arc::new(Check::DraftBytes {
                            cbor: cbor.clone(),
                            field: field.clone(),
                            expected: expected.clone(),
                        })),
                        known_erratum: Some(format!(
                            "draft erratum in {location}: {field} is {} where -08 gives {} ({})",
                            hex::encode(found),
                            hex::encode(expected),
                            h.comment
                        )),
                    });
                }
                (CaseBody::Finding { .. }, _) => {}
                // Protocol and policy cases: their suites'.
                (CaseBody::Tls { .. } | CaseBody::PolicyFixture { .. } | CaseBody::PolicyDecision { .. }, _) => {}
            }
        }
    }
    Ok(out)
}

/// The tests of one vector case being built.
struct Building<'a> {
    file: &'a VectorFile,
    h: &'a CaseHead,
    /// The draft's short name, the ids' first segment.
    d: &'a str,
    slug: &'a str,
    catalogs: &'a Catalogs,
    out: &'a mut Vec<Test>,
}

/// A content case's fields (`expected`: the model and the -08 and -07 message IDs).
struct ContentCase<'a> {
    cbor: &'a [u8],
    sender: &'a str,
    room: &'a str,
    rule: Option<Kind>,
    req: Option<&'a str>,
    expected: Option<(&'a MimiContent, &'a Vec<u8>, &'a Vec<u8>)>,
    rev: ContentRev,
}

impl Building<'_> {
    fn spec(&self, req: &str) -> Result<SpecRef, SuiteError> {
        self.catalogs
            .spec_ref(req)
            .ok_or_else(|| SuiteError(format!("{}: requirement {req} is not in any catalog", self.file.path)))
    }

    /// `<draft>/<section>/<verb>-<slug>`.
    fn id(&self, section: &str, verb: &str) -> String {
        format!("{}/{section}/{verb}-{}", self.d, self.slug)
    }

    fn test(&mut self, id: String, title: String, spec: Vec<SpecRef>, op: Option<&'static str>, check: Check) {
        self.out.push(Test {
            id,
            title,
            spec,
            op,
            target: if op.is_some() { Target::Iut } else { Target::Draft },
            check: crate::harness::Check::Driver(Arc::new(check)),
            known_erratum: None,
        });
    }

    /// A valid case: decode, encode and message ID; an acceptable one: decode; an invalid one:
    /// reject (and, when it breaks only the deterministic encoding, the ID of its bytes).
    fn content(&mut self, c: ContentCase) -> Result<(), SuiteError> {
        let h = self.h;
        match (h.result, c.expected) {
            (Verdict::Valid, Some((content, id_08, id_07))) => {
                let mut reqs = vec![self.spec("CONT-S01")?];
                if let Some(r) = c.req.filter(|r| *r != "CONT-S01") {
                    reqs.push(self.spec(r)?);
                }
                self.test(
                    self.id(&h.section, "decode"),
                    format!("decode {} ({}) and accept it unchanged", h.slug, h.comment),
                    reqs,
                    Some(ops::CONTENT_DECODE),
                    Check::DecodeValid {
                        cbor: c.cbor.to_vec(),
                        expected: content.clone(),
                    },
                );
                self.test(
                    self.id("6.1", "encode"),
                    format!("encode the model of {} deterministically", h.slug),
                    vec![self.spec("CONT-09")?],
                    Some(ops::CONTENT_ENCODE),
                    Check::Encode {
                        content: content.clone(),
                        cbor: c.cbor.to_vec(),
                    },
                );
                let (expected, other_rev) = match c.rev {
                    ContentRev::Rev08 => (id_08.clone(), id_07.clone()),
                    ContentRev::Rev07 => (id_07.clone(), id_08.clone()),
                };
                self.test(
                    self.id("3.3", "message-id"),
                    format!("compute the message ID of {}", h.slug),
                    vec![self.spec("CONT-S08")?],
                    Some(ops::CONTENT_MESSAGE_ID),
                    Check::MessageId {
                        sender: c.sender.to_owned(),
                        room: c.room.to_owned(),
                        cbor: c.cbor.to_vec(),
                        expected,
                        other_rev,
                        rev: c.rev,
                    },
                );
            }
            (Verdict::Acceptable, Some((content, ..))) => {
                let rule = c.rule.unwrap_or(Kind::FloatUsed);
                self.test(
                    self.id(&h.section, "decode"),
                    format!("decode {} ({}); rejecting it is acceptable", h.slug, h.comment),
                    vec![self.spec(rule.req())?],
                    Some(ops::CONTENT_DECODE),
                    Check::DecodeAcceptable {
                        cbor: c.cbor.to_vec(),
                        expected: content.clone(),
                        rule,
                    },
                );
            }
            (_, _) => {
                let rule = c
                    .rule
                    .ok_or_else(|| SuiteError(format!("{}: {} has no rule", self.file.path, h.slug)))?;
                if let Some(check) = of_bytes_as_given(c.cbor, c.sender, c.room, rule, c.rev) {
                    self.test(
                        self.id("3.3", "message-id-of-bytes-as-given"),
                        format!(
                            "compute the message ID of {} ({}) over the bytes given, or refuse",
                            h.slug,
                            rule.slug()
                        ),
                        vec![self.spec("CONT-S08")?],
                        Some(ops::CONTENT_MESSAGE_ID),
                        check,
                    );
                }
                self.test(
                    self.id(&h.section, "reject"),
                    format!("reject {}", h.comment),
                    vec![self.spec(rule.req())?],
                    Some(ops::CONTENT_DECODE),
                    Check::DecodeInvalid {
                        cbor: c.cbor.to_vec(),
                        rule,
                        section: h.section.clone(),
                    },
                );
            }
        }
        Ok(())
    }

    /// A status report case: decode a valid one, reject an invalid one.
    fn status(
        &mut self,
        cbor: &[u8],
        rule: Option<Kind>,
        expected: Option<&MessageStatusReport>,
    ) -> Result<(), SuiteError> {
        let h = self.h;
        match (expected, rule) {
            (Some(e), _) => {
                let reqs = vec![self.spec("STAT-01")?, self.spec("STAT-02")?, self.spec("STAT-03")?];
                self.test(
                    self.id(&h.section, "decode"),
                    format!("decode {}", h.comment),
                    reqs,
                    Some(ops::STATUS_DECODE),
                    Check::StatusValid {
                        cbor: cbor.to_vec(),
                        expected: e.clone(),
                    },
                );
            }
            (None, Some(rule)) => {
                let reqs = vec![self.spec(rule.req())?];
                self.test(
                    self.id(&h.section, "reject"),
                    format!("reject {}", h.comment),
                    reqs,
                    Some(ops::STATUS_DECODE),
                    Check::StatusInvalid {
                        cbor: cbor.to_vec(),
                        rule,
                        section: h.section.clone(),
                    },
                );
            }
            (None, None) => {
                return Err(SuiteError(format!(
                    "{}: {} has neither expected nor rule",
                    self.file.path, h.slug
                )));
            }
        }
        Ok(())
    }
}

/// The message-ID check of an invalid case that breaks only the deterministic encoding (§6.1),
/// when its re-encoding differs from its bytes: the ID over the bytes and over the re-encoding.
fn of_bytes_as_given(cbor: &[u8], sender: &str, room: &str, rule: Kind, rev: ContentRev) -> Option<Check> {
    if !rule.is_deterministic_encoding() {
        return None;
    }
    let model = crate::validate::validate_content(cbor, Default::default()).content?;
    let reencoding = model.encode();
    let other = match rev {
        ContentRev::Rev08 => ContentRev::Rev07,
        ContentRev::Rev07 => ContentRev::Rev08,
    };
    let id_in = |rev, bytes: &[u8]| crate::codec::content::message_id(rev, sender, room, bytes, &model.salt).ok();
    let id = |bytes: &[u8]| id_in(rev, bytes);
    (reencoding != cbor).then_some(())?;
    Some(Check::MessageIdOfBytes {
        sender: sender.to_owned(),
        room: room.to_owned(),
        cbor: cbor.to_vec(),
        expected: id(cbor)?.to_vec(),
        reencoded: id(&reencoding)?.to_vec(),
        other_rev: id_in(other, cbor)?.to_vec(),
    })
}
