//! Room-policy tests (draft-ietf-mimi-room-policy-03): authorization decisions through
//! `policy.decide`, the Appendix A role sets and the Appendix B structs through `wire.decode` /
//! `wire.encode`. Enforcement over the wire (the hub's `/update`) comes with the protocol core.

use std::time::Duration;

use serde_json::Value;

use super::protocol::WireCheck;
use super::{Check, SuiteError};
use crate::driver::{Driver, ops};
use crate::harness::{Outcome, Target, Test, Transcript};
use crate::spec::Catalogs;
use crate::vectors::{CaseBody, Fixtures, VectorFile};

const DRAFT: &str = "draft-ietf-mimi-room-policy";

/// A decision the implementation's policy engine must make.
#[derive(Debug, Clone)]
pub struct PolicyCheck {
    pub params: Value,
    pub allowed: bool,
    /// The rule the reference names (informative: implementations name rules their own way).
    pub rule: String,
}

pub fn tests(files: &[VectorFile], catalogs: &Catalogs) -> Result<Vec<Test>, SuiteError> {
    let mut out = decision_tests(files, catalogs)?;
    out.extend(super::protocol::wire_tests(files, catalogs, DRAFT)?);
    Ok(out)
}

/// The decision and fixture tests of `files`.
pub(super) fn decision_tests(files: &[VectorFile], catalogs: &Catalogs) -> Result<Vec<Test>, SuiteError> {
    let fixtures = Fixtures::from_files(files);
    let spec = |req: &str, what: &str| {
        catalogs
            .spec_ref(req)
            .ok_or_else(|| SuiteError(format!("{what}: requirement {req} is not in any catalog")))
    };
    let mut out = Vec::new();
    for file in files.iter().filter(|f| f.draft == DRAFT) {
        for c in &file.cases {
            let h = &c.head;
            let what = format!("{}#{}", file.path, h.tc_id);
            match &c.body {
                body @ CaseBody::PolicyDecision { expected, req, .. } => {
                    let params = fixtures
                        .decide_params(body)
                        .ok_or_else(|| SuiteError(format!("{what}: unknown fixture")))?;
                    let allowed = expected["allowed"].as_bool().unwrap_or(false);
                    // The id names the case, not the verdict: correcting a vector keeps its id.
                    out.push(Test {
                        id: format!("policy/{}/{}", h.section, h.slug),
                        title: h.comment.clone(),
                        spec: vec![spec(req, &what)?],
                        op: Some(ops::POLICY_DECIDE),
                        target: Target::Iut,
                        check: Check::Policy(Box::new(PolicyCheck {
                            params,
                            allowed,
                            rule: expected["rule"].as_str().unwrap_or_default().to_owned(),
                        })),
                        known_erratum: None,
                    });
                }
                CaseBody::PolicyFixture { name, roles, bytes } => {
                    for (verb, op, check) in [
                        (
                            "decode",
                            ops::WIRE_DECODE,
                            WireCheck::Decode {
                                structure: "RoleData".into(),
                                bytes: bytes.clone(),
                                reading: None,
                                expected: roles.clone(),
                            },
                        ),
                        (
                            "encode",
                            ops::WIRE_ENCODE,
                            WireCheck::Encode {
                                structure: "RoleData".into(),
                                value: roles.clone(),
                                reading: None,
                                bytes: bytes.clone(),
                            },
                        ),
                    ] {
                        out.push(Test {
                            id: format!("policy/{}/{verb}-role-set-{name}", h.section),
                            title: format!("{verb} the {name} role set: {}", h.comment),
                            spec: vec![spec("POL-S01", &what)?],
                            op: Some(op),
                            target: Target::Iut,
                            check: Check::Wire(Box::new(check)),
                            known_erratum: None,
                        });
                    }
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

impl PolicyCheck {
    pub async fn run(&self, driver: &Driver, timeout: Duration, tr: &mut Transcript) -> Outcome {
        let r: Value = call!(driver, ops::POLICY_DECIDE, self.params, timeout, tr);
        let Some(allowed) = r.get("allowed").and_then(Value::as_bool) else {
            return Outcome::fail(format!("policy.decide result without a boolean `allowed`: {r}"));
        };
        let their_rule = r.get("rule").and_then(Value::as_str).unwrap_or("(none)");
        let word = |a: bool| if a { "allowed" } else { "denied" };
        if allowed == self.allowed {
            let mut o = Outcome::pass();
            if their_rule != self.rule {
                o.message = format!(
                    "{}, naming rule {their_rule} (the reference names {})",
                    word(allowed),
                    self.rule
                );
            }
            o
        } else {
            Outcome::mismatch(
                "authorization decision",
                format!("{} by rule {}", word(self.allowed), self.rule),
                format!("{} by rule {their_rule}", word(allowed)),
            )
        }
    }
}
