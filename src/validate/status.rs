//! Validation of a message-status report (draft-mahy-mimi-message-status-01 §4).

use super::{Finding, Findings, Kind, encoding};
use crate::codec::cbor::{self, Value};
use crate::codec::content::{MessageStatusReport, PerMessageStatus};

#[derive(Debug, Clone)]
pub struct StatusReport {
    pub findings: Vec<Finding>,
    /// What could be read, rule-breaking entries included; `None` if not even an array.
    pub status: Option<MessageStatusReport>,
}

pub fn validate_status(bytes: &[u8]) -> StatusReport {
    let mut out = Findings::default();
    let parsed = match cbor::parse(bytes) {
        Ok(p) => p,
        Err(e) => {
            out.push(super::content::parse_finding(&e));
            return StatusReport {
                findings: out.into_sorted(),
                status: None,
            };
        }
    };
    if parsed.end < bytes.len() {
        out.push(Finding::new(
            Kind::TrailingBytes,
            parsed.end,
            "bytes after the status report",
        ));
    }
    encoding::check(bytes, &parsed.item, None, &mut out);
    let mut statuses = Vec::new();
    let Value::Array(entries) = &parsed.item.value else {
        out.push(Finding::new(
            Kind::StatusShape,
            0,
            "MessageStatusReport is not an array",
        ));
        return StatusReport {
            findings: out.into_sorted(),
            status: None,
        };
    };
    for (i, e) in entries.iter().enumerate() {
        let at = e.span.start;
        let fields = match &e.value {
            Value::Array(f) if f.len() == 2 => f,
            other => {
                out.push(Finding::new(
                    Kind::StatusShape,
                    at,
                    format!("entry {i} is a {} (expected a 2-element array)", describe(other)),
                ));
                continue;
            }
        };
        // Wrong sizes are findings, but the entry is kept so that the caller can decide.
        let message_id = match &fields[0].value {
            Value::Bytes(b) => {
                if b.len() != 32 {
                    let what = format!("entry {i}: messageId is {} bytes, not 32", b.len());
                    out.push(Finding::new(Kind::StatusMessageId, at, what));
                }
                b.to_vec()
            }
            other => {
                let what = format!("entry {i}: messageId is a {}", describe(other));
                out.push(Finding::new(Kind::StatusMessageId, at, what));
                continue;
            }
        };
        let status = match fields[1].value {
            Value::Uint(n) => {
                if n > 255 {
                    out.push(Finding::new(
                        Kind::StatusValue,
                        at,
                        format!("entry {i}: status {n} exceeds 255"),
                    ));
                }
                n
            }
            ref other => {
                out.push(Finding::new(
                    Kind::StatusValue,
                    at,
                    format!("entry {i}: status is {}", describe(other)),
                ));
                continue;
            }
        };
        statuses.push(PerMessageStatus { message_id, status });
    }
    StatusReport {
        findings: out.into_sorted(),
        status: Some(MessageStatusReport { statuses }),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Bytes(b) => format!("{}-byte bstr", b.len()),
        Value::Array(a) => format!("{}-element array", a.len()),
        Value::Uint(n) => format!("uint {n}"),
        other => other.type_name().to_owned(),
    }
}
