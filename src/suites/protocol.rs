//! Protocol tests (draft-ietf-mimi-protocol-06): one per scenario under `scenarios/protocol/`,
//! and one or two per wire-format vector under `vectors/protocol/` (through `wire.decode` and
//! `wire.encode`, for implementations that expose their codecs).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::SuiteError;
use crate::driver::messages::{WireDecodeParams, WireDecodeResult, WireEncodeParams, WireEncodeResult};
use crate::driver::{Driver, ops};
use crate::harness::scenario::Scenario;
use crate::harness::{Check, Outcome, Target, Test, Transcript};
use crate::spec::Catalogs;
use crate::vectors::{CaseBody, FileKind, VectorFile, Verdict};

/// What a wire-format test does.
#[derive(Debug, Clone)]
pub enum WireCheck {
    /// `wire.decode` must accept and give exactly this JSON.
    Decode {
        structure: String,
        bytes: Vec<u8>,
        reading: Option<String>,
        expected: Value,
    },
    /// `wire.encode` must give exactly these bytes.
    Encode {
        structure: String,
        value: Value,
        reading: Option<String>,
        bytes: Vec<u8>,
    },
    /// `wire.decode` must reject.
    Reject {
        /// A valid encoding of the same struct: it must be accepted first, or the rejection
        /// proves nothing (an implementation that knows no struct rejects everything).
        control: Option<Vec<u8>>,
        structure: String,
        bytes: Vec<u8>,
        reading: Option<String>,
        rule: String,
    },
}

pub fn tests(files: &[VectorFile], scenarios: &[Scenario], catalogs: &Catalogs) -> Result<Vec<Test>, SuiteError> {
    let mut out = Vec::new();
    for s in scenarios.iter().filter(|s| s.id.starts_with("protocol/")) {
        out.extend(scenario_tests(s.clone(), catalogs)?);
    }
    out.extend(wire_tests(files, catalogs, "draft-ietf-mimi-protocol")?);
    Ok(out)
}

fn spec_refs(reqs: &[String], catalogs: &Catalogs, what: &str) -> Result<Vec<crate::spec::SpecRef>, SuiteError> {
    reqs.iter()
        .map(|r| {
            catalogs
                .spec_ref(r)
                .ok_or_else(|| SuiteError(format!("{what}: requirement {r} is not in any catalog")))
        })
        .collect()
}

/// One test per ciphersuite of the scenario's matrix; with more than one, each id ends in
/// `@cs<N>`.
pub(super) fn scenario_tests(s: Scenario, catalogs: &Catalogs) -> Result<Vec<Test>, SuiteError> {
    let spec = spec_refs(&s.requirements, catalogs, &format!("scenario {}", s.id))?;
    let several = s.params.ciphersuite.len() > 1;
    let s = Arc::new(s);
    Ok(s.params
        .ciphersuite
        .iter()
        .map(|cs| Test {
            id: if several {
                format!("{}@cs{cs}", s.id)
            } else {
                s.id.clone()
            },
            title: if several {
                format!("{} (ciphersuite {cs})", s.title)
            } else {
                s.title.clone()
            },
            spec: spec.clone(),
            op: None,
            target: Target::Iut,
            check: Check::Scenario(s.clone(), *cs),
            known_erratum: None,
        })
        .collect())
}

/// Tests of `draft`'s TLS structs (`tls` and `policy-codec` files) through `wire.decode` and
/// `wire.encode`.
pub(super) fn wire_tests(files: &[VectorFile], catalogs: &Catalogs, draft: &str) -> Result<Vec<Test>, SuiteError> {
    let tls = || {
        files
            .iter()
            .filter(|f| matches!(f.kind, FileKind::Tls | FileKind::PolicyCodec) && f.draft == draft)
            .flat_map(|f| f.cases.iter().map(move |c| (f, c)))
    };
    let short = super::short_name(draft);
    // A valid case checks the requirement its struct's invalid cases name.
    let mut req_of: BTreeMap<&str, &str> = BTreeMap::new();
    for (_, c) in tls() {
        if let CaseBody::Tls {
            structure,
            req: Some(r),
            ..
        } = &c.body
        {
            req_of.entry(structure.as_str()).or_insert(r.as_str());
        }
    }
    // One valid encoding per struct (default reading), for the reject tests' control.
    let mut valid_sample: BTreeMap<&str, &[u8]> = BTreeMap::new();
    for (_, c) in tls() {
        if let CaseBody::Tls {
            structure,
            bytes,
            alternative: false,
            expected: Some(_),
            ..
        } = &c.body
        {
            valid_sample.entry(structure.as_str()).or_insert(bytes.as_slice());
        }
    }
    let mut out = Vec::new();
    for (file, c) in tls() {
        let CaseBody::Tls {
            structure,
            bytes,
            alternative,
            rule,
            req,
            expected,
        } = &c.body
        else {
            continue;
        };
        let h = &c.head;
        let slug = h.slug.strip_prefix("invalid-").unwrap_or(&h.slug);
        let reading = alternative.then(|| "alternative".to_owned());
        let what = format!("{}#{}", file.path, h.tc_id);
        let mut push =
            |verb: &str, op: &'static str, title: String, req: &str, check: WireCheck| -> Result<(), SuiteError> {
                out.push(Test {
                    id: format!("{short}/{}/{verb}-{slug}", h.section),
                    title,
                    spec: spec_refs(&[req.to_owned()], catalogs, &what)?,
                    op: Some(op),
                    target: Target::Iut,
                    check: Check::Driver(Arc::new(check)),
                    known_erratum: None,
                });
                Ok(())
            };
        match (h.result, expected, rule) {
            (Verdict::Valid, Some(value), _) => {
                let req = req
                    .as_deref()
                    .or(req_of.get(structure.as_str()).copied())
                    .unwrap_or("PROT-S01");
                push(
                    "decode",
                    ops::WIRE_DECODE,
                    format!("decode a {structure}: {}", h.comment),
                    req,
                    WireCheck::Decode {
                        structure: structure.clone(),
                        bytes: bytes.clone(),
                        reading: reading.clone(),
                        expected: value.clone(),
                    },
                )?;
                push(
                    "encode",
                    ops::WIRE_ENCODE,
                    format!("encode a {structure}: {}", h.comment),
                    req,
                    WireCheck::Encode {
                        structure: structure.clone(),
                        value: value.clone(),
                        reading,
                        bytes: bytes.clone(),
                    },
                )?;
            }
            (_, _, Some(rule)) => push(
                "reject",
                ops::WIRE_DECODE,
                format!("reject a {structure}: {}", h.comment),
                req.as_deref().unwrap_or("PROT-S01"),
                WireCheck::Reject {
                    control: valid_sample.get(structure.as_str()).map(|b| b.to_vec()),
                    structure: structure.clone(),
                    bytes: bytes.clone(),
                    reading,
                    rule: rule.clone(),
                },
            )?,
            _ => return Err(SuiteError(format!("{what}: a case with neither expected nor rule"))),
        }
    }
    Ok(out)
}

impl crate::harness::DriverCheck for WireCheck {
    fn family(&self) -> crate::harness::Family {
        crate::harness::Family::Wire
    }

    fn run<'a>(&'a self, driver: &'a Driver, timeout: Duration, tr: &'a mut Transcript) -> crate::harness::Running<'a> {
        Box::pin(self.run_on(driver, timeout, tr))
    }
}

impl WireCheck {
    async fn run_on(&self, driver: &Driver, timeout: Duration, tr: &mut Transcript) -> Outcome {
        match self {
            WireCheck::Decode {
                structure,
                bytes,
                reading,
                expected,
            } => {
                let p = WireDecodeParams {
                    structure: structure.clone(),
                    hex: bytes.clone(),
                    reading: reading.clone(),
                };
                let r: WireDecodeResult = call!(driver, ops::WIRE_DECODE, p, timeout, tr);
                match (r.accepted, r.value) {
                    (true, Some(v)) if &v == expected => Outcome::pass(),
                    (true, Some(v)) => Outcome::mismatch(&format!("decoded {structure}"), expected, v),
                    (true, None) => Outcome::fail("accepted without a `value`"),
                    (false, _) => Outcome::mismatch(
                        &format!("a valid {structure} was rejected"),
                        "accepted",
                        format!("rejected: {}", r.rejection.reason.unwrap_or_default()),
                    ),
                }
            }
            WireCheck::Encode {
                structure,
                value,
                reading,
                bytes,
            } => {
                let p = WireEncodeParams {
                    structure: structure.clone(),
                    value: value.clone(),
                    reading: reading.clone(),
                };
                let r: WireEncodeResult = call!(driver, ops::WIRE_ENCODE, p, timeout, tr);
                if &r.hex == bytes {
                    Outcome::pass()
                } else {
                    Outcome::mismatch(&format!("encoded {structure}"), hex::encode(bytes), hex::encode(&r.hex))
                }
            }
            WireCheck::Reject {
                control,
                structure,
                bytes,
                reading,
                rule,
            } => {
                if let Some(valid) = control {
                    let p = WireDecodeParams {
                        structure: structure.clone(),
                        hex: valid.clone(),
                        reading: None,
                    };
                    let r: WireDecodeResult = call!(driver, ops::WIRE_DECODE, p, timeout, tr);
                    if !r.accepted {
                        return Outcome::fail(format!(
                            "a valid {structure} (the control) is rejected too ({}): rejecting this one proves nothing",
                            r.rejection.reason.unwrap_or_default()
                        ));
                    }
                }
                let p = WireDecodeParams {
                    structure: structure.clone(),
                    hex: bytes.clone(),
                    reading: reading.clone(),
                };
                let r: WireDecodeResult = call!(driver, ops::WIRE_DECODE, p, timeout, tr);
                if r.accepted {
                    Outcome::mismatch(
                        &format!("a {structure} breaking {rule} was accepted"),
                        "rejected",
                        "accepted",
                    )
                } else {
                    // A rule of the codec's vocabulary (one for every struct) that is not the one
                    // broken: another reason. A name outside it (an implementation's own word) is
                    // only kept.
                    let other = r
                        .rejection
                        .rule
                        .as_deref()
                        .is_some_and(|theirs| theirs != rule && crate::codec::tls::RULES.contains(&theirs));
                    Outcome {
                        message: if other {
                            format!(
                                "rejected for another reason ({}); the input breaks rule {rule}",
                                r.rejection
                            )
                        } else {
                            String::new()
                        },
                        other_reason: other,
                        rejection: Some(r.rejection),
                        ..Outcome::pass()
                    }
                }
            }
        }
    }
}
