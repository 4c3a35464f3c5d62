//! Running a content check through the driver's `content.*` and `status.decode` operations, and
//! the checks of the draft's own data.

use std::time::Duration;

use super::Check;
use super::compare::same_model;
use crate::codec::content::{ContentRev, MessageDerivedValues, MimiContent};
use crate::driver::messages::{
    CborParams, DecodeResult, EncodeParams, EncodeResult, MessageIdParams, MessageIdResult, Rejection,
    StatusDecodeResult,
};
use crate::driver::{CallError, Driver, ErrorCode, ops};
use crate::harness::{Cause, Outcome, Status, Transcript};
use crate::validate::Kind;

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
                let r: DecodeResult = match decoded(driver, ops::CONTENT_DECODE, cbor, timeout, tr).await {
                    Ok(r) => r,
                    Err(o) => return o,
                };
                match (r.accepted, r.content) {
                    (true, got) => same_answer("decoded content", "content", expected, got),
                    (false, _) => valid_but_rejected("valid content was rejected", r.rejection),
                }
            }
            Check::DecodeAcceptable { cbor, expected, rule } => {
                let r: DecodeResult = match decoded(driver, ops::CONTENT_DECODE, cbor, timeout, tr).await {
                    Ok(r) => r,
                    Err(o) => return o,
                };
                match (r.accepted, r.content) {
                    (true, got) => same_answer("decoded content", "content", expected, got),
                    (false, _) => Outcome {
                        message: format!("rejected ({}), which is acceptable for {}", r.rejection, rule.slug()),
                        rejection: Some(r.rejection),
                        ..Outcome::pass()
                    },
                }
            }
            Check::DecodeInvalid { cbor, rule, section } => {
                let r: DecodeResult = match decoded(driver, ops::CONTENT_DECODE, cbor, timeout, tr).await {
                    Ok(r) => r,
                    Err(o) => return o,
                };
                rejected(r.accepted, *rule, section, r.rejection)
            }
            Check::Encode { content, cbor } => encode(driver, timeout, tr, content, cbor).await,
            Check::MessageId {
                sender,
                room,
                cbor,
                expected,
                other_rev,
                rev,
            } => message_id(driver, timeout, tr, (sender, room, cbor), expected, other_rev, *rev).await,
            Check::MessageIdOfBytes {
                sender,
                room,
                cbor,
                expected,
                reencoded,
                other_rev,
            } => {
                message_id_of_bytes(
                    driver,
                    timeout,
                    tr,
                    (sender, room, cbor),
                    expected,
                    reencoded,
                    other_rev,
                )
                .await
            }
            Check::StatusValid { cbor, expected } => {
                let r: StatusDecodeResult = match decoded(driver, ops::STATUS_DECODE, cbor, timeout, tr).await {
                    Ok(r) => r,
                    Err(o) => return o,
                };
                match (r.accepted, r.status) {
                    (true, got) => same_answer("decoded status report", "status", expected, got),
                    (false, _) => valid_but_rejected("a valid status report was rejected", r.rejection),
                }
            }
            Check::StatusInvalid { cbor, rule, section } => {
                let r: StatusDecodeResult = match decoded(driver, ops::STATUS_DECODE, cbor, timeout, tr).await {
                    Ok(r) => r,
                    Err(o) => return o,
                };
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

/// `content.encode` of a model must give exactly the vector's bytes; a difference in key order alone is
/// one cause.
async fn encode(
    driver: &Driver,
    timeout: Duration,
    tr: &mut Transcript,
    content: &MimiContent,
    cbor: &[u8],
) -> Outcome {
    let r: EncodeResult = call!(
        driver,
        ops::CONTENT_ENCODE,
        EncodeParams {
            content: content.clone()
        },
        timeout,
        tr
    );
    if r.cbor == cbor {
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
    let (mut sorted_theirs, mut sorted_ours) = (r.cbor.clone(), cbor.to_vec());
    sorted_theirs.sort_unstable();
    sorted_ours.sort_unstable();
    if only_order && sorted_theirs == sorted_ours {
        o.cause = Some(Cause::MapKeysNotSorted);
    }
    o
}

/// `content.messageId` must give `expected`; the other revision's ID is named as such.
async fn message_id(
    driver: &Driver,
    timeout: Duration,
    tr: &mut Transcript,
    (sender, room, cbor): (&str, &str, &[u8]),
    expected: &[u8],
    other_rev: &[u8],
    rev: ContentRev,
) -> Outcome {
    let p = MessageIdParams {
        sender: sender.to_owned(),
        room: room.to_owned(),
        cbor: cbor.to_vec(),
    };
    let r: MessageIdResult = call!(driver, ops::CONTENT_MESSAGE_ID, p, timeout, tr);
    if r.message_id == expected {
        Outcome::pass()
    } else {
        let mut o = Outcome::mismatch("message ID (§3.3)", hex::encode(expected), hex::encode(&r.message_id));
        if r.message_id == other_rev {
            let other = if rev == ContentRev::Rev08 {
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

/// `content.messageId` of bytes not deterministically encoded: a refusal is allowed, an ID must be
/// over the bytes given (a re-encoding's ID is its own cause).
async fn message_id_of_bytes(
    driver: &Driver,
    timeout: Duration,
    tr: &mut Transcript,
    (sender, room, cbor): (&str, &str, &[u8]),
    expected: &[u8],
    reencoded: &[u8],
    other_rev: &[u8],
) -> Outcome {
    tr.cbor("input (not deterministically encoded)", cbor);
    let p = MessageIdParams {
        sender: sender.to_owned(),
        room: room.to_owned(),
        cbor: cbor.to_vec(),
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
    if r.message_id == expected {
        Outcome::pass()
    } else if r.message_id == reencoded {
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
        if r.message_id == other_rev {
            o.with_cause(Cause::MessageIdOtherRevision)
        } else {
            o
        }
    }
}

/// The answer of the decoding operation `op` to `cbor` (kept in the transcript as the input).
async fn decoded<R: serde::de::DeserializeOwned>(
    driver: &Driver,
    op: &str,
    cbor: &[u8],
    timeout: Duration,
    tr: &mut Transcript,
) -> Result<R, Outcome> {
    tr.cbor("input", cbor);
    let params = CborParams { cbor: cbor.to_vec() };
    driver
        .call(op, &params, timeout, &mut tr.exchanges)
        .await
        .map_err(crate::harness::call_failed)
}

/// What the implementation accepted against the model it should give (`field`: the member of
/// its answer that carries the model).
fn same_answer<T: serde::Serialize + PartialEq>(what: &str, field: &str, expected: &T, got: Option<T>) -> Outcome {
    match got {
        Some(got) => same_model(what, expected, &got),
        None => Outcome::fail(format!("accepted without a `{field}` model")),
    }
}

/// A valid input the implementation refused: a failure that keeps its reason.
fn valid_but_rejected(what: &str, rejection: Rejection) -> Outcome {
    let actual = format!("rejected: {rejection}");
    Outcome {
        rejection: Some(rejection),
        ..Outcome::mismatch(what, "accepted", actual)
    }
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
