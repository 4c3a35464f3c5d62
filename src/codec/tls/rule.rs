//! The rules a TLS-presentation decode can break, one vocabulary for every draft family, and
//! how a rule travels through `tls_codec`.
//!
//! Derived impls compose through `tls_codec::Error`, whose only open variant is
//! `DecodingError(String)`: a [`Rule`] rides in it as tagged JSON ([`From<Rule> for Error`]) and
//! comes back out unchanged at the top-level decode ([`Rule::from_tls`]). This is the one place
//! that happens.

use std::borrow::Cow;

use tls_codec::Error;

/// Why a reader stopped. [`Rule::slug`] is the name vector files and `wire.decode` answers use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum Rule {
    #[error("the input ends inside a fixed-size field or a length header")]
    Truncated,
    #[error("{count} trailing byte(s) after the struct")]
    TrailingBytes { count: usize },
    /// A code point where the layout of what follows depends on it, with no arm here: unknown,
    /// or known but not allowed in this select (an `mls_private_message` in a HandshakeBundle).
    #[error("{enum_name} value {value} is unknown or has no arm here")]
    BadEnumValue { enum_name: Cow<'static, str>, value: u64 },
    #[error("a vector declares {declared} byte(s) but only {left} are left")]
    OverLongVector { declared: u64, left: usize },
    #[error("a vector length header uses the reserved prefix 0b11")]
    BadLengthPrefix,
    #[error("vector length {value} is encoded in {header} octets, not the fewest (RFC 9420 §2.1.2)")]
    NonMinimalLength { value: u64, header: usize },
    /// The elements of a vector do not end exactly where its declared length does.
    #[error("a vector's elements do not end where its declared length of {declared} byte(s) does")]
    VectorLengthMismatch { declared: u64 },
    #[error("optional<T> presence octet {value:#04x}, expected 0 or 1")]
    BadOptionalPresence { value: u8 },
    #[error("bool octet {value:#04x} is neither false(0) nor true(1)")]
    BadBool { value: u8 },
    /// An MLSMessage too short or malformed to find its wire format or content type.
    #[error("{what}")]
    MlsMessageShape { what: Cow<'static, str> },
    /// An embedded RFC 9420 object that does not parse.
    #[error("the embedded {object} does not parse as RFC 9420 defines it: {detail}")]
    MalformedMlsObject { object: Cow<'static, str>, detail: String },
    /// No struct of any family has the name asked for.
    #[error("no struct is named {name:?}")]
    UnknownStruct { name: String },
    /// Anything else `tls_codec` or openmls reported.
    #[error("{detail}")]
    Malformed { detail: String },
}

/// Every slug a rejection can name, in [`Rule`]'s order (`docs/driver.md` lists them).
pub const RULES: [&str; 13] = [
    "truncated",
    "trailing-bytes",
    "bad-enum-value",
    "over-long-vector",
    "bad-length-prefix",
    "non-minimal-length",
    "vector-length-mismatch",
    "bad-optional-presence",
    "bad-bool",
    "mls-message-shape",
    "malformed-mls-object",
    "unknown-struct",
    "malformed",
];

impl Rule {
    /// The slug vectors and the driver name this rule by.
    pub fn slug(&self) -> &'static str {
        RULES[match self {
            Rule::Truncated => 0,
            Rule::TrailingBytes { .. } => 1,
            Rule::BadEnumValue { .. } => 2,
            Rule::OverLongVector { .. } => 3,
            Rule::BadLengthPrefix => 4,
            Rule::NonMinimalLength { .. } => 5,
            Rule::VectorLengthMismatch { .. } => 6,
            Rule::BadOptionalPresence { .. } => 7,
            Rule::BadBool { .. } => 8,
            Rule::MlsMessageShape { .. } => 9,
            Rule::MalformedMlsObject { .. } => 10,
            Rule::UnknownStruct { .. } => 11,
            Rule::Malformed { .. } => 12,
        }]
    }

    /// The rule a `tls_codec` error carries: the one [`From<Rule>`] put in, `truncated` for the
    /// end of the input, `malformed` for anything else.
    pub fn from_tls(e: Error) -> Rule {
        match e {
            Error::EndOfStream => Rule::Truncated,
            Error::DecodingError(msg) => match msg.strip_prefix(TAG).map(serde_json::from_str) {
                Some(Ok(rule)) => rule,
                _ => Rule::Malformed { detail: msg },
            },
            other => Rule::Malformed {
                detail: other.to_string(),
            },
        }
    }
}

/// Marks a `DecodingError` that holds a [`Rule`].
const TAG: &str = "\u{1}mimi-tls:";

impl From<Rule> for Error {
    fn from(rule: Rule) -> Error {
        // A `Rule` is plain data (strings and integers): it always serializes.
        let json = serde_json::to_string(&rule).expect("a Rule serializes to JSON");
        Error::DecodingError(format!("{TAG}{json}"))
    }
}

/// Why bytes do not decode as the struct `ty`: the one decode error of every TLS family
/// (protocol-06, room-policy-03), from the codec to the driver's answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{ty}: {rule}")]
pub struct DecodeError {
    /// The draft's name of the struct asked for.
    pub ty: &'static str,
    pub rule: Rule,
}

impl DecodeError {
    /// The error of decoding `ty` that `e` carries.
    pub fn from_tls(ty: &'static str, e: Error) -> Self {
        DecodeError {
            ty,
            rule: Rule::from_tls(e),
        }
    }

    /// The slug of the rule broken.
    pub fn slug(&self) -> &'static str {
        self.rule.slug()
    }
}

/// Why a value does not encode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodeError {
    #[error("no struct is named {name:?}")]
    UnknownStruct { name: String },
    #[error("{ty}: the JSON does not describe one: {detail}")]
    Json { ty: &'static str, detail: String },
    /// A select arm that does not match its tag, a vector longer than 2^30-1 bytes.
    #[error("{ty}: cannot encode: {detail}")]
    Encoding { ty: &'static str, detail: String },
}

impl EncodeError {
    /// The error of encoding `ty` that `e` carries.
    pub fn from_tls(ty: &'static str, e: Error) -> Self {
        EncodeError::Encoding {
            ty,
            detail: match e {
                Error::EncodingError(s) => s,
                other => other.to_string(),
            },
        }
    }
}

/// An error for a code point with no arm here.
pub fn bad_enum(enum_name: &'static str, value: u64) -> Error {
    Rule::BadEnumValue {
        enum_name: Cow::Borrowed(enum_name),
        value,
    }
    .into()
}

/// Decodes one whole `T` from `bytes` with `read`; `ty` names it in errors, and anything after
/// it is [`Rule::TrailingBytes`].
pub fn decode_whole<'a, T>(
    ty: &'static str,
    bytes: &'a [u8],
    read: impl FnOnce(&'a [u8]) -> Result<(T, &'a [u8]), Error>,
) -> Result<T, DecodeError> {
    let (value, rest) = read(bytes).map_err(|e| DecodeError::from_tls(ty, e))?;
    if !rest.is_empty() {
        return Err(DecodeError {
            ty,
            rule: Rule::TrailingBytes { count: rest.len() },
        });
    }
    Ok(value)
}
