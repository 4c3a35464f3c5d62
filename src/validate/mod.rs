//! Checks of untrusted content against the draft's rules. Each finding names the rule it
//! breaks ([`Kind`]), which names its requirement id, section and level in the catalog
//! (`spec/draft-ietf-mimi-content-08.yaml`).

mod content;
mod encoding;
mod status;

pub use content::{ContentReport, Options, validate_content};
pub use status::{StatusReport, validate_status};

use serde::Serialize;

use crate::spec::Level;

/// Every rule the content validator knows, one variant per way to break it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    MalformedCbor,
    Truncated,
    TrailingBytes,
    CddlShape,
    ValueOutOfRange,
    UnknownCardinality,
    KnownExtensionType,
    SaltLength,
    MessageIdLength,
    UnknownHashAlg,
    TooFewParts,
    EncAlgZeroWithKey,
    UnknownPartSemantics,
    DuplicateExtensionKey,
    CidReference,
    NonShortestArgument,
    IndefiniteLength,
    UnsortedMapKeys,
    NonShortestFloat,
    BignumNotPreferred,
    LengthFirstKeyOrder,
    ExtensionKeyType,
    NestedMapKeyType,
    IntegerKeyRange,
    NanEncoding,
    InvalidUtf8,
    FloatUsed,
    NestingDepth,
    ExtensionDepth,
    TopicIdTooLong,
    TooManyParts,
    ExpiryWindow,
    // draft-mahy-mimi-message-status-01
    StatusMessageId,
    StatusValue,
    StatusShape,
}

impl Kind {
    pub const ALL: [Kind; 35] = [
        Kind::MalformedCbor,
        Kind::Truncated,
        Kind::TrailingBytes,
        Kind::CddlShape,
        Kind::ValueOutOfRange,
        Kind::UnknownCardinality,
        Kind::KnownExtensionType,
        Kind::SaltLength,
        Kind::MessageIdLength,
        Kind::UnknownHashAlg,
        Kind::TooFewParts,
        Kind::EncAlgZeroWithKey,
        Kind::UnknownPartSemantics,
        Kind::DuplicateExtensionKey,
        Kind::CidReference,
        Kind::NonShortestArgument,
        Kind::IndefiniteLength,
        Kind::UnsortedMapKeys,
        Kind::NonShortestFloat,
        Kind::BignumNotPreferred,
        Kind::LengthFirstKeyOrder,
        Kind::ExtensionKeyType,
        Kind::NestedMapKeyType,
        Kind::IntegerKeyRange,
        Kind::NanEncoding,
        Kind::InvalidUtf8,
        Kind::FloatUsed,
        Kind::NestingDepth,
        Kind::ExtensionDepth,
        Kind::TopicIdTooLong,
        Kind::TooManyParts,
        Kind::ExpiryWindow,
        Kind::StatusMessageId,
        Kind::StatusValue,
        Kind::StatusShape,
    ];

    /// The slug used in vector files (`"rule": "salt-length"`).
    pub fn slug(self) -> &'static str {
        self.info().0
    }

    /// The requirement id in the catalog.
    pub fn req(self) -> &'static str {
        self.info().1
    }

    /// The level at which a document breaking this rule is wrong: MUST for the CDDL and the
    /// BCP 14 rules, SHOULD for §9.1's "should be logged and discarded" and §6.2's floats.
    pub fn level(self) -> Level {
        match self {
            Kind::FloatUsed | Kind::TopicIdTooLong | Kind::TooManyParts | Kind::ExpiryWindow | Kind::UnknownHashAlg => {
                Level::Should
            }
            _ => Level::Must,
        }
    }

    /// Whether the rule is one of §6.1's deterministic encoding: content breaking only it still
    /// has a model, whose re-encoding differs from its bytes.
    pub fn is_deterministic_encoding(self) -> bool {
        matches!(
            self,
            Kind::NonShortestArgument
                | Kind::IndefiniteLength
                | Kind::UnsortedMapKeys
                | Kind::NonShortestFloat
                | Kind::BignumNotPreferred
                | Kind::LengthFirstKeyOrder
        )
    }

    pub fn from_slug(slug: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.slug() == slug)
    }

    fn info(self) -> (&'static str, &'static str) {
        match self {
            Kind::MalformedCbor => ("malformed-cbor", "CONT-S01"),
            Kind::Truncated => ("truncated", "CONT-S01"),
            Kind::TrailingBytes => ("trailing-bytes", "CONT-S01"),
            Kind::CddlShape => ("cddl-shape", "CONT-S01"),
            Kind::ValueOutOfRange => ("value-out-of-range", "CONT-S01"),
            Kind::UnknownCardinality => ("unknown-cardinality", "CONT-S01"),
            Kind::KnownExtensionType => ("known-extension-type", "CONT-S10"),
            Kind::SaltLength => ("salt-length", "CONT-S02"),
            Kind::MessageIdLength => ("message-id-length", "CONT-S03"),
            Kind::UnknownHashAlg => ("unknown-hash-alg", "CONT-S04"),
            Kind::TooFewParts => ("too-few-parts", "CONT-S05"),
            Kind::EncAlgZeroWithKey => ("enc-alg-zero-with-key", "CONT-S06"),
            Kind::UnknownPartSemantics => ("unknown-part-semantics", "CONT-S07"),
            Kind::DuplicateExtensionKey => ("duplicate-extension-key", "CONT-05"),
            Kind::CidReference => ("cid-reference", "CONT-06"),
            Kind::NonShortestArgument => ("non-shortest-argument", "CONT-09"),
            Kind::IndefiniteLength => ("indefinite-length", "CONT-09"),
            Kind::UnsortedMapKeys => ("unsorted-map-keys", "CONT-09"),
            Kind::NonShortestFloat => ("non-shortest-float", "CONT-09"),
            Kind::BignumNotPreferred => ("bignum-not-preferred", "CONT-09"),
            Kind::LengthFirstKeyOrder => ("length-first-key-order", "CONT-10"),
            Kind::ExtensionKeyType => ("extension-key-type", "CONT-D1"),
            Kind::NestedMapKeyType => ("nested-map-key-type", "CONT-D2"),
            Kind::IntegerKeyRange => ("integer-key-range", "CONT-D3"),
            Kind::NanEncoding => ("nan-encoding", "CONT-D4"),
            Kind::InvalidUtf8 => ("invalid-utf8", "CONT-D5"),
            Kind::FloatUsed => ("float-used", "CONT-D6"),
            Kind::NestingDepth => ("nesting-depth", "CONT-13"),
            Kind::ExtensionDepth => ("extension-depth", "CONT-14"),
            Kind::TopicIdTooLong => ("topic-id-too-long", "CONT-R01"),
            Kind::TooManyParts => ("too-many-parts", "CONT-R02"),
            Kind::ExpiryWindow => ("expiry-window", "CONT-R03"),
            Kind::StatusMessageId => ("status-message-id", "STAT-01"),
            Kind::StatusValue => ("status-value", "STAT-02"),
            Kind::StatusShape => ("status-shape", "STAT-03"),
        }
    }
}

/// One broken rule, where it was found and what was there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    /// Byte offset of the offending item, when known.
    pub at: Option<usize>,
    pub detail: String,
}

impl Finding {
    pub fn new(kind: Kind, at: impl Into<Option<usize>>, detail: impl Into<String>) -> Self {
        Finding {
            kind,
            at: at.into(),
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} [{}, {}]: {}",
            self.kind.slug(),
            self.kind.req(),
            self.kind.level(),
            self.detail
        )?;
        if let Some(at) = self.at {
            write!(f, " (byte {at})")?;
        }
        Ok(())
    }
}

/// At most this many findings of one kind are kept: a hostile document must not make the
/// report unbounded.
const MAX_PER_KIND: usize = 8;

/// Findings collected during one validation.
#[derive(Default)]
pub(crate) struct Findings(Vec<Finding>);

impl Findings {
    pub(crate) fn push(&mut self, f: Finding) {
        if self.0.iter().filter(|x| x.kind == f.kind).count() < MAX_PER_KIND {
            self.0.push(f);
        }
    }

    pub(crate) fn into_sorted(mut self) -> Vec<Finding> {
        self.0.sort_by_key(|f| (f.kind, f.at));
        self.0
    }
}
