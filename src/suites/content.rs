//! Content tests (draft-ietf-mimi-content-08, draft-mahy-mimi-message-status-01): every vector
//! becomes one or more tests against the implementation's `content.*` operations, plus checks
//! of the draft's own data.

use std::time::Duration;

use serde_json::Value;

use super::SuiteError;
use crate::codec::content::{ContentRev, MessageDerivedValues, MessageStatusReport, MimiContent};
use crate::driver::messages::{
    CborParams, DecodeResult, EncodeParams, EncodeResult, MessageIdParams, MessageIdResult, StatusDecodeResult,
};
use crate::driver::{Driver, ops};
use crate::harness::{Outcome, Status, Target, Test, Transcript};
use crate::spec::{Catalogs, SpecRef};
use crate::validate::Kind;
use crate::vectors::{CaseBody, FileKind, VectorFile, Verdict};

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
    StatusValid {
        cbor: Vec<u8>,
        expected: MessageStatusReport,
    },
    StatusInvalid {
        cbor: Vec<u8>,
        rule: Kind,
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
    let spec = |req: &str, file: &VectorFile| {
        catalogs
            .spec_ref(req)
            .ok_or_else(|| SuiteError(format!("{}: requirement {req} is not in any catalog", file.path)))
    };
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
        let d = super::short_name(&file.draft);
        for case in &file.cases {
            let h = &case.head;
            // The verb in the id says valid or invalid; the slug need not repeat it.
            let slug = ["valid-", "invalid-", "encode-"]
                .iter()
                .fold(h.slug.as_str(), |s, p| s.strip_prefix(p).unwrap_or(s));
            let mut test = |id: String, title: String, reqs: Vec<SpecRef>, op: Option<&'static str>, check: Check| {
                let target = if op.is_some() { Target::Iut } else { Target::Draft };
                let check = super::Check::Content(Box::new(check));
                out.push(Test {
                    id,
                    title,
                    spec: reqs,
                    op,
                    target,
                    check,
                    known_erratum: None,
                });
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
                ) => match (h.result, expected) {
                    (Verdict::Valid, Some(e)) => {
                        let mut reqs = vec![spec("CONT-S01", file)?];
                        if let Some(r) = req.as_deref().filter(|r| *r != "CONT-S01") {
                            reqs.push(spec(r, file)?);
                        }
                        test(
                            format!("{d}/{}/decode-{slug}", h.section),
                            format!("decode {} ({}) and accept it unchanged", h.slug, h.comment),
                            reqs,
                            Some(ops::CONTENT_DECODE),
                            Check::DecodeValid {
                                cbor: cbor.clone(),
                                expected: e.content.clone(),
                            },
                        );
                        test(
                            format!("{d}/6.1/encode-{slug}"),
                            format!("encode the model of {} deterministically", h.slug),
                            vec![spec("CONT-09", file)?],
                            Some(ops::CONTENT_ENCODE),
                            Check::Encode {
                                content: e.content.clone(),
                                cbor: cbor.clone(),
                            },
                        );
                        let (expected, other_rev) = match rev {
                            ContentRev::Rev08 => (e.message_id.clone(), e.message_id_07.clone()),
                            ContentRev::Rev07 => (e.message_id_07.clone(), e.message_id.clone()),
                        };
                        test(
                            format!("{d}/3.3/message-id-{slug}"),
                            format!("compute the message ID of {}", h.slug),
                            vec![spec("CONT-S08", file)?],
                            Some(ops::CONTENT_MESSAGE_ID),
                            Check::MessageId {
                                sender: sender.clone(),
                                room: room.clone(),
                                cbor: cbor.clone(),
                                expected,
                                other_rev,
                                rev,
                            },
                        );
                    }
                    (Verdict::Acceptable, Some(e)) => {
                        let rule = rule.unwrap_or(Kind::FloatUsed);
                        test(
                            format!("{d}/{}/decode-{slug}", h.section),
                            format!("decode {} ({}); rejecting it is acceptable", h.slug, h.comment),
                            vec![spec(rule.req(), file)?],
                            Some(ops::CONTENT_DECODE),
                            Check::DecodeAcceptable {
                                cbor: cbor.clone(),
                                expected: e.content.clone(),
                                rule,
                            },
                        );
                    }
                    (_, _) => {
                        let rule = rule.ok_or_else(|| SuiteError(format!("{}: {} has no rule", file.path, h.slug)))?;
                        test(
                            format!("{d}/{}/reject-{slug}", h.section),
                            format!("reject {}", h.comment),
                            vec![spec(rule.req(), file)?],
                            Some(ops::CONTENT_DECODE),
                            Check::DecodeInvalid {
                                cbor: cbor.clone(),
                                rule,
                            },
                        );
                    }
                },
                (CaseBody::Encode { content, req, cbor }, _) => test(
                    format!("{d}/{}/encode-{slug}", h.section),
                    format!("encode {}", h.comment),
                    vec![spec(req, file)?],
                    Some(ops::CONTENT_ENCODE),
                    Check::Encode {
                        content: content.clone(),
                        cbor: cbor.clone(),
                    },
                ),
                (CaseBody::Status { cbor, rule, expected }, _) => match (expected, rule) {
                    (Some(e), _) => test(
                        format!("{d}/{}/decode-{slug}", h.section),
                        format!("decode {}", h.comment),
                        vec![spec("STAT-01", file)?, spec("STAT-02", file)?, spec("STAT-03", file)?],
                        Some(ops::STATUS_DECODE),
                        Check::StatusValid {
                            cbor: cbor.clone(),
                            expected: e.clone(),
                        },
                    ),
                    (None, Some(rule)) => test(
                        format!("{d}/{}/reject-{slug}", h.section),
                        format!("reject {}", h.comment),
                        vec![spec(rule.req(), file)?],
                        Some(ops::STATUS_DECODE),
                        Check::StatusInvalid {
                            cbor: cbor.clone(),
                            rule: *rule,
                        },
                    ),
                    (None, None) => {
                        return Err(SuiteError(format!(
                            "{}: {} has neither expected nor rule",
                            file.path, h.slug
                        )));
                    }
                },
                (CaseBody::Implied { cbor, of, expected }, _) => {
                    let example_id = example_ids.get(of.as_str()).ok_or_else(|| {
                        SuiteError(format!("{}: {} derives from unknown case {of}", file.path, h.slug))
                    })?;
                    test(
                        format!("{d}/{}/{}", h.section, h.slug),
                        format!("the draft's derived values decode and name {of}'s message ID"),
                        vec![spec("CONT-S08", file)?],
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
                    out.push(Test {
                        id: format!("{d}/{}/draft-{}", h.section, h.slug),
                        title: format!("{location}: {field} holds the -08 value"),
                        spec: vec![spec("CONT-S08", file)?],
                        op: None,
                        target: Target::Draft,
                        check: super::Check::Content(Box::new(Check::DraftBytes {
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

impl Check {
    pub async fn run(&self, driver: &Driver, timeout: Duration, tr: &mut Transcript) -> Outcome {
        match self {
            Check::DecodeValid { cbor, expected } => {
                tr.cbor("input", cbor);
                let r: DecodeResult = call!(
                    driver,
                    ops::CONTENT_DECODE,
                    CborParams { cbor: cbor.clone() },
                    timeout,
                    tr
                );
                match (r.accepted, r.content) {
                    (true, Some(got)) => same_model("decoded content", expected, &got),
                    (true, None) => Outcome::fail("accepted without a `content` model"),
                    (false, _) => Outcome::mismatch(
                        "valid content was rejected",
                        "accepted",
                        format!("rejected: {}", r.rejection.reason.unwrap_or_default()),
                    ),
                }
            }
            Check::DecodeAcceptable { cbor, expected, rule } => {
                tr.cbor("input", cbor);
                let r: DecodeResult = call!(
                    driver,
                    ops::CONTENT_DECODE,
                    CborParams { cbor: cbor.clone() },
                    timeout,
                    tr
                );
                match (r.accepted, r.content) {
                    (true, Some(got)) => same_model("decoded content", expected, &got),
                    (true, None) => Outcome::fail("accepted without a `content` model"),
                    (false, _) => Outcome {
                        status: Status::Pass,
                        message: format!(
                            "rejected ({}), which is acceptable for {}",
                            r.rejection.reason.unwrap_or_default(),
                            rule.slug()
                        ),
                    },
                }
            }
            Check::DecodeInvalid { cbor, rule } => {
                tr.cbor("input", cbor);
                let r: DecodeResult = call!(
                    driver,
                    ops::CONTENT_DECODE,
                    CborParams { cbor: cbor.clone() },
                    timeout,
                    tr
                );
                rejected(r.accepted, *rule, r.rejection.rule.as_deref())
            }
            Check::Encode { content, cbor } => {
                let r: EncodeResult = call!(
                    driver,
                    ops::CONTENT_ENCODE,
                    EncodeParams {
                        content: content.clone()
                    },
                    timeout,
                    tr
                );
                if &r.cbor == cbor {
                    return Outcome::pass();
                }
                tr.cbor("expected", cbor);
                tr.cbor("actual", &r.cbor);
                let at = cbor
                    .iter()
                    .zip(&r.cbor)
                    .position(|(a, b)| a != b)
                    .unwrap_or(cbor.len().min(r.cbor.len()));
                // Show the bytes around the first difference.
                let window = |b: &[u8]| {
                    let to = (at + 48).min(b.len());
                    let from = at.saturating_sub(16).min(to);
                    format!("[{from}..{to}] {}", hex::encode(&b[from..to]))
                };
                let mut o = Outcome::mismatch(
                    &format!(
                        "encoding differs from byte {at} ({} bytes expected, {} given)",
                        cbor.len(),
                        r.cbor.len()
                    ),
                    window(cbor),
                    window(&r.cbor),
                );
                let broken = crate::validate::validate_content(&r.cbor, Default::default());
                if let Some(f) = broken.findings.first() {
                    o.message.push_str(&format!("\nThe encoding breaks {f}"));
                }
                o
            }
            Check::MessageId {
                sender,
                room,
                cbor,
                expected,
                other_rev,
                rev,
            } => {
                let p = MessageIdParams {
                    sender: sender.clone(),
                    room: room.clone(),
                    cbor: cbor.clone(),
                };
                let r: MessageIdResult = call!(driver, ops::CONTENT_MESSAGE_ID, p, timeout, tr);
                if &r.message_id == expected {
                    Outcome::pass()
                } else {
                    let mut o =
                        Outcome::mismatch("message ID (§3.3)", hex::encode(expected), hex::encode(&r.message_id));
                    if &r.message_id == other_rev {
                        let other = if *rev == ContentRev::Rev08 {
                            "-07 (no uint16 length prefixes)"
                        } else {
                            "-08"
                        };
                        o.message.push_str(&format!(
                            "\nThis is the {other} formula's ID; --content-rev selects the revision."
                        ));
                    } else if r.message_id.len() != 32 {
                        o.message.push_str(&format!(
                            "\nA message ID is 32 bytes; this one is {}.",
                            r.message_id.len()
                        ));
                    }
                    o
                }
            }
            Check::StatusValid { cbor, expected } => {
                tr.cbor("input", cbor);
                let r: StatusDecodeResult = call!(
                    driver,
                    ops::STATUS_DECODE,
                    CborParams { cbor: cbor.clone() },
                    timeout,
                    tr
                );
                match (r.accepted, r.status) {
                    (true, Some(got)) => same_model("decoded status report", expected, &got),
                    (true, None) => Outcome::fail("accepted without a `status` model"),
                    (false, _) => Outcome::mismatch(
                        "a valid status report was rejected",
                        "accepted",
                        format!("rejected: {}", r.rejection.reason.unwrap_or_default()),
                    ),
                }
            }
            Check::StatusInvalid { cbor, rule } => {
                tr.cbor("input", cbor);
                let r: StatusDecodeResult = call!(
                    driver,
                    ops::STATUS_DECODE,
                    CborParams { cbor: cbor.clone() },
                    timeout,
                    tr
                );
                rejected(r.accepted, *rule, r.rejection.rule.as_deref())
            }
            Check::Implied {
                cbor,
                expected,
                example_id,
            } => {
                tr.cbor("draft bytes", cbor);
                match MessageDerivedValues::decode(cbor) {
                    Err(e) => Outcome::fail(format!("the derived values do not decode: {e}")),
                    Ok(got) if &got != expected => same_model("derived values", expected, &got),
                    Ok(got) if &got.message_id != example_id => Outcome::mismatch(
                        "messageId of the derived values vs. the example's message ID",
                        hex::encode(example_id),
                        hex::encode(&got.message_id),
                    ),
                    Ok(_) => Outcome::pass(),
                }
            }
            Check::DraftBytes { cbor, field, expected } => {
                tr.cbor("draft bytes", cbor);
                match draft_field(cbor, field) {
                    Err(e) => Outcome::fail(e),
                    Ok(got) if &got == expected => Outcome::pass(),
                    Ok(got) => Outcome::mismatch(
                        &format!("{field} in the draft's bytes"),
                        hex::encode(expected),
                        hex::encode(got),
                    ),
                }
            }
        }
    }
}

fn rejected(accepted: bool, rule: Kind, their_rule: Option<&str>) -> Outcome {
    if accepted {
        return Outcome::mismatch(
            &format!("content breaking {} ({}) was accepted", rule.slug(), rule.req()),
            "rejected",
            "accepted",
        );
    }
    match their_rule {
        Some(r) if r != rule.slug() => Outcome {
            status: Status::Pass,
            message: format!("rejected, naming rule {r} (the vector breaks {})", rule.slug()),
        },
        _ => Outcome::pass(),
    }
}

/// The field a draft finding is about: `inReplyTo` of content, or `messageId` of derived values.
fn draft_field(cbor: &[u8], field: &str) -> Result<Vec<u8>, String> {
    match field {
        "messageId" => MessageDerivedValues::decode(cbor)
            .map(|d| d.message_id)
            .map_err(|e| e.to_string()),
        "inReplyTo" | "replaces" => {
            let c = MimiContent::decode(cbor).map_err(|e| e.to_string())?;
            let v = if field == "inReplyTo" {
                c.in_reply_to
            } else {
                c.replaces
            };
            v.ok_or_else(|| format!("{field} is null"))
        }
        other => Err(format!("unknown field {other:?}")),
    }
}

/// Compares two models through their JSON form, naming the first difference.
fn same_model<T: serde::Serialize + PartialEq>(what: &str, expected: &T, actual: &T) -> Outcome {
    if expected == actual {
        return Outcome::pass();
    }
    let (e, a) = (
        serde_json::to_value(expected).unwrap_or_default(),
        serde_json::to_value(actual).unwrap_or_default(),
    );
    match first_difference(&e, &a, String::new()) {
        Some((path, e, a)) => Outcome::mismatch(&format!("{what} differs at `{path}`"), e, a),
        None => Outcome::mismatch(what, e, a),
    }
}

fn first_difference(e: &Value, a: &Value, path: String) -> Option<(String, Value, Value)> {
    match (e, a) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                first_difference(x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null), p)
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, format!("{path}[{i}]"))),
        _ if e == a => None,
        _ => Some((
            if path.is_empty() { "(root)".into() } else { path },
            e.clone(),
            a.clone(),
        )),
    }
}
