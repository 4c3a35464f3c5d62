//! The reference implementation's content operations (draft-ietf-mimi-content-08).

use serde_json::Value;

use super::{Fault, Reference, to_value};
use crate::codec::content::{ContentRev, MessageStatusReport, MimiContent, PartBody, message_id};
use crate::driver::DriverError;
use crate::driver::messages::{
    CborParams, DecodeResult, EncodeParams, EncodeResult, MessageIdParams, MessageIdResult, Rejection,
    StatusDecodeResult,
};
use crate::validate::{Finding, Kind, Options, validate_content, validate_status};

impl Reference {
    /// The findings this implementation acts on: all but the skipped ones, and never the mere
    /// use of floats (§6.2 discourages them; it does not forbid them).
    fn counts(&self, f: &Finding) -> bool {
        f.kind != Kind::FloatUsed && !self.has(Fault::Skip(f.kind))
    }

    fn rejection(&self, f: &Finding) -> Rejection {
        if self.has(Fault::DecoderNamesAnotherRule) {
            return Rejection {
                reason: Some("malformed".into()),
                rule: Some(crate::validate::Kind::MalformedCbor.slug().to_owned()),
                section: Some("A.1".into()),
            };
        }
        Rejection {
            reason: Some(f.to_string()),
            rule: Some(f.kind.slug().to_owned()),
            section: self.catalogs.get(f.kind.req()).map(|(_, r)| r.section.clone()),
        }
    }

    pub(super) fn content_decode(&self, p: CborParams) -> Result<Value, DriverError> {
        let report = validate_content(&p.cbor, Options::default());
        let first = report.findings.iter().find(|f| self.counts(f));
        let result = match (first, report.content) {
            (None, Some(c)) => accepted(self.decoder_faults(c)),
            (Some(_), Some(c)) if self.has(Fault::DecoderNeverRejects) => accepted(self.decoder_faults(c)),
            (_, None) if self.has(Fault::DecoderNeverRejects) => accepted(MimiContent::empty()),
            (Some(f), _) => rejected(self.rejection(f)),
            (None, None) => rejected(Rejection {
                reason: Some("does not decode".into()),
                ..Rejection::default()
            }),
        };
        to_value(&result)
    }

    fn decoder_faults(&self, mut c: MimiContent) -> MimiContent {
        use crate::codec::content::ExtensionKey;
        if self.has(Fault::DecoderDropsUnknownExtensions) {
            c.extensions.retain(|x| matches!(x.key, ExtensionKey::Int(1 | 2)));
        }
        if self.has(Fault::DecoderSwapsSenderRoom) {
            for x in &mut c.extensions {
                x.key = match x.key {
                    ExtensionKey::Int(1) => ExtensionKey::Int(2),
                    ExtensionKey::Int(2) => ExtensionKey::Int(1),
                    ref k => k.clone(),
                };
            }
        }
        let normalise = self.has(Fault::DecoderNormalisesDisposition);
        let reverse = self.has(Fault::DecoderReversesParts);
        visit_mut(&mut c.nested_part, &mut |p| {
            if normalise && p.disposition > 8 {
                p.disposition = 1;
            }
            if let (true, PartBody::Multi { parts, .. }) = (reverse, &mut p.body) {
                parts.reverse();
            }
        });
        c
    }

    pub(super) fn content_encode(&self, p: EncodeParams) -> Result<Value, DriverError> {
        let cbor = super::faulty_cbor::encode(&p.content, self.behaviour.faults);
        to_value(&EncodeResult { cbor })
    }

    pub(super) fn content_message_id(&self, p: MessageIdParams) -> Result<Value, DriverError> {
        if self.has(Fault::MessageIdOverReencoding)
            && let Some(c) = validate_content(&p.cbor, Options::default()).content
        {
            let p = MessageIdParams { cbor: c.encode(), ..p };
            return self.message_id_of(p, c);
        }
        let content = MimiContent::decode(&p.cbor)
            .map_err(|e| DriverError::invalid_params(format!("cbor is not MIMI content: {e}")))?;
        self.message_id_of(p, content)
    }

    fn message_id_of(&self, p: MessageIdParams, content: MimiContent) -> Result<Value, DriverError> {
        let rev = match (self.rev, self.has(Fault::MessageIdWrongRevision)) {
            (r, false) => r,
            (ContentRev::Rev08, true) => ContentRev::Rev07,
            (ContentRev::Rev07, true) => ContentRev::Rev08,
        };
        let salt: &[u8] = if self.has(Fault::MessageIdNoSaltSuffix) {
            &[]
        } else {
            &content.salt
        };
        let id = message_id(rev, &p.sender, &p.room, &p.cbor, salt)
            .map_err(|e| DriverError::invalid_params(e.to_string()))?;
        let mut id = id.to_vec();
        if self.has(Fault::MessageIdTruncated) {
            id.truncate(31);
        }
        to_value(&MessageIdResult { message_id: id })
    }

    pub(super) fn status_decode(&self, p: CborParams) -> Result<Value, DriverError> {
        let report = validate_status(&p.cbor);
        let first = report.findings.iter().find(|f| self.counts(f));
        let result = match (first, report.status) {
            (None, Some(mut s)) => {
                if self.has(Fault::StatusDropsLastEntry) {
                    s.statuses.pop();
                }
                StatusDecodeResult {
                    accepted: true,
                    status: Some(s),
                    rejection: Rejection::default(),
                }
            }
            (Some(_), s) if self.has(Fault::DecoderNeverRejects) => StatusDecodeResult {
                accepted: true,
                status: Some(s.unwrap_or(MessageStatusReport { statuses: Vec::new() })),
                rejection: Rejection::default(),
            },
            (Some(f), _) => StatusDecodeResult {
                accepted: false,
                status: None,
                rejection: self.rejection(f),
            },
            (None, None) => StatusDecodeResult {
                accepted: false,
                status: None,
                rejection: Rejection {
                    reason: Some("does not decode".into()),
                    ..Rejection::default()
                },
            },
        };
        to_value(&result)
    }
}

fn accepted(content: MimiContent) -> DecodeResult {
    DecodeResult {
        accepted: true,
        content: Some(content),
        rejection: Rejection::default(),
    }
}

fn rejected(rejection: Rejection) -> DecodeResult {
    DecodeResult {
        accepted: false,
        content: None,
        rejection,
    }
}

fn visit_mut(p: &mut crate::codec::content::NestedPart, f: &mut impl FnMut(&mut crate::codec::content::NestedPart)) {
    f(p);
    if let PartBody::Multi { parts, .. } = &mut p.body {
        for c in parts {
            visit_mut(c, f);
        }
    }
}
