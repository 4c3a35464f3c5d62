//! Validation of one MIMI content document (draft-ietf-mimi-content-08): encoding (§6.1),
//! data model (§6.2), depth (§6.3), structure (§3.3, §4.1–4.5, App. A.1) and the per-document
//! receiver rules of §9.1.

use super::{Finding, Findings, Kind, encoding};
use crate::codec::cbor::{self, ParseError};
use crate::codec::content::{DecodeError, HASH_ALG_SHA256, MimiContent, NestedPart, PartBody, PartIndex};

/// NestedParts nest at most this deep, the top-level part being level 1 (§6.3).
pub const MAX_NESTING: usize = 4;
/// §9.1: more body parts than this is nonsensical.
pub const MAX_PARTS: usize = 1024;
/// §9.1: a longer topicId is nonsensical.
pub const MAX_TOPIC_ID: usize = 4096;
const YEAR_SECS: u64 = 365 * 24 * 3600;

/// What the validator may assume about the receiver.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The receiver's clock, in seconds since the UNIX epoch: enables the §9.1 expiry window.
    pub now: Option<u64>,
}

/// Everything the validator found in one document.
#[derive(Debug, Clone)]
pub struct ContentReport {
    pub findings: Vec<Finding>,
    /// The decoded content, when the shape allowed decoding.
    pub content: Option<MimiContent>,
}

impl ContentReport {
    /// Whether any MUST-level rule is broken.
    pub fn breaks_must(&self) -> bool {
        self.findings.iter().any(|f| f.kind.level() == crate::spec::Level::Must)
    }
}

/// Checks every rule on `bytes`, reporting each broken one.
pub fn validate_content(bytes: &[u8], opts: Options) -> ContentReport {
    let mut out = Findings::default();
    let parsed = match cbor::parse(bytes) {
        Ok(p) => p,
        Err(e) => {
            out.push(parse_finding(&e));
            return ContentReport {
                findings: out.into_sorted(),
                content: None,
            };
        }
    };
    if parsed.end < bytes.len() {
        out.push(Finding::new(
            Kind::TrailingBytes,
            parsed.end,
            format!("{} byte(s) after the content item", bytes.len() - parsed.end),
        ));
    }
    encoding::check(bytes, &parsed.item, Some(5), &mut out);
    let content = match MimiContent::from_item(&parsed.item, bytes) {
        Ok(c) => {
            structure(&c, opts, &mut out);
            Some(c)
        }
        Err(e) => {
            out.push(decode_finding(&e));
            None
        }
    };
    ContentReport {
        findings: out.into_sorted(),
        content,
    }
}

/// Maps a parse failure to the rule it breaks; a nesting bomb is charged to the field it is in.
pub(crate) fn parse_finding(e: &ParseError) -> Finding {
    match e {
        ParseError::Truncated { at } => Finding::new(Kind::Truncated, *at, e.to_string()),
        ParseError::Malformed { at, .. } => Finding::new(Kind::MalformedCbor, *at, e.to_string()),
        ParseError::TooDeep { at, path } => {
            let kind = match path.first() {
                Some(5) => Kind::ExtensionDepth,
                Some(6) => Kind::NestingDepth,
                _ => Kind::MalformedCbor,
            };
            Finding::new(kind, *at, e.to_string())
        }
    }
}

pub(crate) fn decode_finding(e: &DecodeError) -> Finding {
    match e {
        DecodeError::Cbor(p) => parse_finding(p),
        DecodeError::TrailingBytes { .. } => Finding::new(Kind::TrailingBytes, None, e.to_string()),
        DecodeError::Shape { .. } => Finding::new(Kind::CddlShape, None, e.to_string()),
        DecodeError::UnknownCardinality { .. } => Finding::new(Kind::UnknownCardinality, None, e.to_string()),
        DecodeError::InvalidUtf8 { .. } => Finding::new(Kind::InvalidUtf8, None, e.to_string()),
    }
}

fn structure(c: &MimiContent, opts: Options, out: &mut Findings) {
    if c.salt.len() != 16 {
        out.push(Finding::new(
            Kind::SaltLength,
            None,
            format!("salt is {} bytes, not 16", c.salt.len()),
        ));
    }
    for (name, id) in [("replaces", &c.replaces), ("inReplyTo", &c.in_reply_to)] {
        if let Some(id) = id {
            message_id_rules(name, id, out);
        }
    }
    if c.topic_id.len() > MAX_TOPIC_ID {
        out.push(Finding::new(
            Kind::TopicIdTooLong,
            None,
            format!("topicId is {} octets (more than {MAX_TOPIC_ID})", c.topic_id.len()),
        ));
    }
    if let Some(x) = c.expires {
        if x.time > u64::from(u32::MAX) {
            out.push(Finding::new(
                Kind::ValueOutOfRange,
                None,
                format!("expires.time {} exceeds uint .size 4", x.time),
            ));
        }
        expiry_window(x.relative, x.time, opts, out);
    }
    for x in &c.extensions {
        use crate::codec::content::ExtensionKey;
        if matches!(x.key, ExtensionKey::Int(1 | 2)) && x.value.as_text().is_none() {
            out.push(Finding::new(
                Kind::KnownExtensionType,
                None,
                format!("extension {:?} (senderUri/roomUri) must be a tstr", x.key),
            ));
        }
    }
    parts(&c.nested_part, out);
}

/// `MessageId = bstr .size 32` whose first octet is a known hash algorithm (§3.3, §9.1).
pub(crate) fn message_id_rules(name: &str, id: &[u8], out: &mut Findings) {
    if id.len() != 32 {
        out.push(Finding::new(
            Kind::MessageIdLength,
            None,
            format!("{name} is {} bytes, not 32", id.len()),
        ));
    } else if id[0] != HASH_ALG_SHA256 {
        out.push(Finding::new(
            Kind::UnknownHashAlg,
            None,
            format!(
                "{name} starts with hash algorithm {:#04x}; only sha-256 (0x01) is known",
                id[0]
            ),
        ));
    }
}

fn expiry_window(relative: bool, time: u64, opts: Options, out: &mut Findings) {
    let Some(now) = opts.now else { return };
    let too_far = if relative {
        time > YEAR_SECS
    } else {
        time > now.saturating_add(YEAR_SECS) || time.saturating_add(YEAR_SECS) < now
    };
    if too_far {
        out.push(Finding::new(
            Kind::ExpiryWindow,
            None,
            format!(
                "expiry {time} ({}) is more than a year from now ({now})",
                if relative { "relative" } else { "absolute" }
            ),
        ));
    }
}

fn parts(root: &NestedPart, out: &mut Findings) {
    let mut deepest = 0;
    let mut all: Vec<&NestedPart> = Vec::new();
    root.visit(1, &mut |p, depth| {
        deepest = deepest.max(depth);
        all.push(p);
    });
    if deepest > MAX_NESTING {
        out.push(Finding::new(
            Kind::NestingDepth,
            None,
            format!("NestedParts nest {deepest} levels deep (at most {MAX_NESTING})"),
        ));
    }
    if all.len() > MAX_PARTS {
        out.push(Finding::new(
            Kind::TooManyParts,
            None,
            format!("{} body parts (more than {MAX_PARTS})", all.len()),
        ));
    }
    let indices = root.part_indices();
    for (i, p) in all.iter().enumerate() {
        if p.disposition > 255 {
            out.push(Finding::new(
                Kind::ValueOutOfRange,
                None,
                format!("part {i}: disposition {} exceeds 255", p.disposition),
            ));
        }
        match &p.body {
            PartBody::Null => {}
            // Content IDs live in text formats that link (HTML, Markdown); binary parts are not scanned.
            PartBody::Single { content, content_type } if content_type.starts_with("text/") => {
                cid_references(i, content, &indices, out)
            }
            PartBody::Single { .. } => {}
            PartBody::External(x) => {
                for (name, v, max) in [
                    ("expires", x.expires, u64::from(u32::MAX)),
                    ("encAlg", x.enc_alg, u64::from(u16::MAX)),
                    ("hashAlg", x.hash_alg, u64::from(u8::MAX)),
                ] {
                    if v > max {
                        out.push(Finding::new(
                            Kind::ValueOutOfRange,
                            None,
                            format!("part {i}: {name} {v} exceeds {max}"),
                        ));
                    }
                }
                if x.enc_alg == 0 && !(x.key.is_empty() && x.nonce.is_empty() && x.aad.is_empty()) {
                    out.push(Finding::new(
                        Kind::EncAlgZeroWithKey,
                        None,
                        format!("part {i}: encAlg 0 (not encrypted) with a non-empty key, nonce or aad"),
                    ));
                }
            }
            PartBody::Multi { part_semantics, parts } => {
                if parts.len() < 2 {
                    out.push(Finding::new(
                        Kind::TooFewParts,
                        None,
                        format!("part {i}: MultiPart with {} part(s)", parts.len()),
                    ));
                }
                if *part_semantics > 2 {
                    out.push(Finding::new(
                        Kind::UnknownPartSemantics,
                        None,
                        format!("part {i}: partSemantics {part_semantics} is not chooseOne, singleUnit or processAll"),
                    ));
                }
            }
        }
    }
}

/// `cid:<partIndex>@local.invalid` may name only a SinglePart or ExternalPart (§4.4).
fn cid_references(from: usize, content: &[u8], indices: &[PartIndex], out: &mut Findings) {
    use crate::codec::content::Cardinality;
    let Ok(text) = std::str::from_utf8(content) else {
        return;
    };
    for (pos, _) in text.match_indices("cid:") {
        let rest = &text[pos + 4..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || !rest[digits..].starts_with("@local.invalid") {
            continue;
        }
        let target = rest[..digits]
            .parse::<usize>()
            .ok()
            .and_then(|n| indices.get(n).map(|p| (n, p)));
        match target {
            Some((_, p)) if matches!(p.cardinality, Cardinality::Single | Cardinality::External) => {}
            Some((n, p)) => out.push(Finding::new(
                Kind::CidReference,
                None,
                format!("part {from} references cid:{n}, a {:?} part", p.cardinality),
            )),
            None => out.push(Finding::new(
                Kind::CidReference,
                None,
                format!(
                    "part {from} references cid:{}, but there are {} parts",
                    &rest[..digits],
                    indices.len()
                ),
            )),
        }
    }
}
