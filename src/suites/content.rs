//! Content tests (draft-ietf-mimi-content-08, draft-mahy-mimi-message-status-01): every vector
//! becomes one or more tests against the implementation's `content.*` operations, plus checks
//! of the draft's own data.

use std::time::Duration;

use serde_json::Value;

use super::SuiteError;
use crate::codec::content::{ContentRev, MessageDerivedValues, MessageStatusReport, MimiContent};
use crate::driver::messages::Rejection;
use crate::driver::messages::{
    CborParams, DecodeResult, EncodeParams, EncodeResult, MessageIdParams, MessageIdResult, StatusDecodeResult,
};
use crate::driver::{CallError, ErrorCode};
use crate::driver::{Driver, ops};
use crate::harness::{Cause, Outcome, Status, Target, Test, Transcript};
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
                let check = crate::harness::Check::Driver(std::sync::Arc::new(check));
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
                        if let Some(check) = of_bytes_as_given(cbor, sender, room, rule, rev) {
                            test(
                                format!("{d}/3.3/message-id-of-bytes-as-given-{slug}"),
                                format!(
                                    "compute the message ID of {} ({}) over the bytes given, or refuse",
                                    h.slug,
                                    rule.slug()
                                ),
                                vec![spec("CONT-S08", file)?],
                                Some(ops::CONTENT_MESSAGE_ID),
                                check,
                            );
                        }
                        test(
                            format!("{d}/{}/reject-{slug}", h.section),
                            format!("reject {}", h.comment),
                            vec![spec(rule.req(), file)?],
                            Some(ops::CONTENT_DECODE),
                            Check::DecodeInvalid {
                                cbor: cbor.clone(),
                                rule,
                                section: h.section.clone(),
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
                            section: h.section.clone(),
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
                        check: crate::harness::Check::Driver(std::sync::Arc::new(Check::DraftBytes {
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

impl crate::harness::DriverCheck for Check {
    fn family(&self) -> crate::harness::Family {
        crate::harness::Family::Content
    }

    fn run<'a>(&'a self, driver: &'a Driver, timeout: Duration, tr: &'a mut Transcript) -> crate::harness::Running<'a> {
        Box::pin(self.run_on(driver, timeout, tr))
    }
}

impl Check {
    async fn run_on(&self, driver: &Driver, timeout: Duration, tr: &mut Transcript) -> Outcome {
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
                    (false, _) => Outcome {
                        rejection: Some(r.rejection.clone()),
                        ..Outcome::mismatch(
                            "valid content was rejected",
                            "accepted",
                            format!("rejected: {}", r.rejection),
                        )
                    },
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
                        message: format!("rejected ({}), which is acceptable for {}", r.rejection, rule.slug()),
                        rejection: Some(r.rejection),
                        ..Outcome::pass()
                    },
                }
            }
            Check::DecodeInvalid { cbor, rule, section } => {
                tr.cbor("input", cbor);
                let r: DecodeResult = call!(
                    driver,
                    ops::CONTENT_DECODE,
                    CborParams { cbor: cbor.clone() },
                    timeout,
                    tr
                );
                rejected(r.accepted, *rule, section, r.rejection)
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
                // The same bytes in another order, breaking only key order: one cause.
                let only_order = !broken.findings.is_empty()
                    && broken
                        .findings
                        .iter()
                        .all(|f| matches!(f.kind, Kind::UnsortedMapKeys | Kind::LengthFirstKeyOrder));
                let (mut sorted_theirs, mut sorted_ours) = (r.cbor.clone(), cbor.clone());
                sorted_theirs.sort_unstable();
                sorted_ours.sort_unstable();
                if only_order && sorted_theirs == sorted_ours {
                    o.cause = Some(Cause::MapKeysNotSorted);
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
                        o.cause = Some(Cause::MessageIdOtherRevision);
                    } else if r.message_id.len() != 32 {
                        o.message.push_str(&format!(
                            "\nA message ID is 32 bytes; this one is {}.",
                            r.message_id.len()
                        ));
                    }
                    o
                }
            }
            Check::MessageIdOfBytes {
                sender,
                room,
                cbor,
                expected,
                reencoded,
                other_rev,
            } => {
                tr.cbor("input (not deterministically encoded)", cbor);
                let p = MessageIdParams {
                    sender: sender.clone(),
                    room: room.clone(),
                    cbor: cbor.clone(),
                };
                let r: MessageIdResult = match driver
                    .call(ops::CONTENT_MESSAGE_ID, &p, timeout, &mut tr.exchanges)
                    .await
                {
                    Ok(r) => r,
                    Err(CallError::Driver(e)) if e.code != ErrorCode::Unsupported => {
                        return Outcome::new(
                            Status::Pass,
                            format!("refused ({e}), which is allowed for bytes that are not deterministically encoded"),
                        );
                    }
                    Err(e) => return crate::harness::call_failed(e),
                };
                if &r.message_id == expected {
                    Outcome::pass()
                } else if &r.message_id == reencoded {
                    Outcome::mismatch(
                        "message ID (§3.3) of the bytes as given",
                        hex::encode(expected),
                        format!(
                            "{} (the ID of a re-encoding of these bytes)",
                            hex::encode(&r.message_id)
                        ),
                    )
                    .with_cause(Cause::MessageIdOverReencoding)
                } else {
                    let o = Outcome::mismatch(
                        "message ID (§3.3) of the bytes as given",
                        hex::encode(expected),
                        hex::encode(&r.message_id),
                    );
                    if &r.message_id == other_rev {
                        o.with_cause(Cause::MessageIdOtherRevision)
                    } else {
                        o
                    }
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
                    (false, _) => Outcome {
                        rejection: Some(r.rejection.clone()),
                        ..Outcome::mismatch(
                            "a valid status report was rejected",
                            "accepted",
                            format!("rejected: {}", r.rejection),
                        )
                    },
                }
            }
            Check::StatusInvalid { cbor, rule, section } => {
                tr.cbor("input", cbor);
                let r: StatusDecodeResult = call!(
                    driver,
                    ops::STATUS_DECODE,
                    CborParams { cbor: cbor.clone() },
                    timeout,
                    tr
                );
                rejected(r.accepted, *rule, section, r.rejection)
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

/// An invalid input's outcome: rejected passes, keeping the implementation's reason; a reason
/// naming another rule or section than the one the input breaks is a pass marked `other-reason`.
fn rejected(accepted: bool, rule: Kind, section: &str, theirs: Rejection) -> Outcome {
    if accepted {
        return Outcome::mismatch(
            &format!("content breaking {} ({}) was accepted", rule.slug(), rule.req()),
            "rejected",
            "accepted",
        );
    }
    let other = match (&theirs.rule, &theirs.section) {
        (Some(r), _) => r != rule.slug(),
        (None, Some(s)) => s != section,
        (None, None) => false,
    };
    Outcome {
        message: if other {
            format!(
                "rejected for another reason ({theirs}); the input breaks rule {} (section {section})",
                rule.slug()
            )
        } else {
            String::new()
        },
        other_reason: other,
        rejection: Some(theirs),
        ..Outcome::pass()
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

/// Compares two models through their JSON form, naming the first difference by field name, and
/// an extension by its key (not its position: a misread key moves entries).
fn same_model<T: serde::Serialize + PartialEq>(what: &str, expected: &T, actual: &T) -> Outcome {
    if expected == actual {
        return Outcome::pass();
    }
    let (e, a) = (
        serde_json::to_value(expected).unwrap_or_default(),
        serde_json::to_value(actual).unwrap_or_default(),
    );
    match first_difference(&e, &a, String::new()) {
        Some((path, e, a)) => Outcome::mismatch(&format!("{what}: expected {e}, got {a} at `{path}`"), e, a),
        None => Outcome::mismatch(what, e, a),
    }
}

/// The key of an Extension's JSON form (`key`, or `keyCbor` for a key §6.2 forbids).
fn extension_key(v: &Value) -> Option<String> {
    // An external part has a `key` too (its encryption key), and a `cardinality`.
    let o = v.as_object().filter(|o| !o.contains_key("cardinality"))?;
    o.get("key")
        .map(|k| k.to_string())
        .or_else(|| o.get("keyCbor").map(|k| format!("keyCbor {k}")))
}

/// What stands for a member one side lacks.
fn absent() -> Value {
    Value::String("(absent)".into())
}

fn first_difference(e: &Value, a: &Value, path: String) -> Option<(String, Value, Value)> {
    let keyed = |v: &[Value]| !v.is_empty() && v.iter().all(|x| extension_key(x).is_some());
    match (e, a) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let (xe, ya) = (
                    x.get(k).cloned().unwrap_or_else(absent),
                    y.get(k).cloned().unwrap_or_else(absent),
                );
                first_difference(&xe, &ya, p)
            })
        }
        // Extensions: matched by key; then their order, which the model keeps as on the wire.
        (Value::Array(x), Value::Array(y)) if keyed(x) || keyed(y) => {
            let find = |v: &[Value], k: &str| v.iter().find(|e| extension_key(e).as_deref() == Some(k)).cloned();
            for ex in x {
                let k = extension_key(ex).unwrap_or_default();
                let at = format!("{path}[key {k}]");
                match find(y, &k) {
                    None => return Some((at, ex.clone(), absent())),
                    Some(ay) => {
                        if let Some(d) = first_difference(ex, &ay, at) {
                            return Some(d);
                        }
                    }
                }
            }
            if let Some(ay) = y
                .iter()
                .find(|ay| find(x, &extension_key(ay).unwrap_or_default()).is_none())
            {
                let k = extension_key(ay).unwrap_or_default();
                return Some((format!("{path}[key {k}]"), absent(), ay.clone()));
            }
            let order = |v: &[Value]| Value::from(v.iter().filter_map(extension_key).collect::<Vec<_>>());
            (e != a).then(|| (format!("{path} (order of keys)"), order(x), order(y)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_misread_extension_key_is_named_by_key_not_position() {
        let e = json!({"extensions": [{"key": 1, "text": "a"}, {"key": "org.example.flag", "cbor": "f5"}]});
        let a = json!({"extensions": [{"key": "rg.example.flag", "cbor": "f5"}, {"key": 1, "text": "a"}]});
        let (path, want, got) = first_difference(&e, &a, String::new()).expect("a difference");
        assert_eq!(path, "extensions[key \"org.example.flag\"]");
        assert_eq!(want, json!({"key": "org.example.flag", "cbor": "f5"}));
        assert_eq!(got, absent());
    }

    #[test]
    fn the_same_extensions_in_another_order_say_so() {
        let e = json!({"extensions": [{"key": 1, "text": "a"}, {"key": 2, "text": "b"}]});
        let a = json!({"extensions": [{"key": 2, "text": "b"}, {"key": 1, "text": "a"}]});
        let (path, want, got) = first_difference(&e, &a, String::new()).expect("a difference");
        assert_eq!(
            (path.as_str(), want, got),
            ("extensions (order of keys)", json!(["1", "2"]), json!(["2", "1"]))
        );
    }

    #[test]
    fn a_value_difference_names_its_field() {
        let e = json!({"nestedPart": {"disposition": 1, "language": ""}});
        let a = json!({"nestedPart": {"disposition": 9, "language": ""}});
        let o = same_model("decoded content", &e, &a);
        assert!(
            o.message
                .starts_with("decoded content: expected 1, got 9 at `nestedPart.disposition`"),
            "{}",
            o.message
        );
    }
}
