//! Room-policy tests (draft-ietf-mimi-room-policy-03): authorization decisions through
//! `policy.decide`, the Appendix A role sets and the Appendix B structs through `wire.decode` /
//! `wire.encode`. Enforcement over the wire (the hub's `/update`) comes with the protocol core.
//!
//! Each denial is denied by one rule only (src/policy/vectors_test.rs proves it) and is paired
//! with an allowed control of the same kind of change: a denial test asks for both verdicts, so
//! an engine that denies everything fails it, and its note names the control.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::SuiteError;
use super::protocol::WireCheck;
use crate::driver::{Driver, ops};
use crate::harness::{Check, Outcome, Target, Test, Transcript};
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
    /// For a denial: the allowed change of the same kind it is paired with (the vector's
    /// `expected.control`). An engine that denies everything would pass every denial; the test
    /// passes only if the implementation also allows its control.
    pub control: Option<Control>,
}

/// The control of a denial: another decision test, which must be allowed.
#[derive(Debug, Clone)]
pub struct Control {
    /// Its test id.
    pub id: String,
    pub params: Value,
}

pub fn tests(
    files: &[VectorFile],
    scenarios: &[crate::harness::scenario::Scenario],
    catalogs: &Catalogs,
) -> Result<Vec<Test>, SuiteError> {
    let mut out = decision_tests(files, catalogs)?;
    // The hub enforcing the policy over the wire: scenarios/policy/.
    for s in scenarios.iter().filter(|s| s.id.starts_with("policy/")) {
        out.extend(super::protocol::scenario_tests(s.clone(), catalogs)?);
    }
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
        // Every decision case of the file by tcId, for the controls of the denials.
        let decisions: BTreeMap<u64, Control> = file
            .cases
            .iter()
            .filter_map(|c| {
                let params = fixtures.decide_params(&c.body)?;
                let id = format!("policy/{}/{}", c.head.section, c.head.slug);
                Some((c.head.tc_id, Control { id, params }))
            })
            .collect();
        for c in &file.cases {
            let h = &c.head;
            let what = format!("{}#{}", file.path, h.tc_id);
            match &c.body {
                body @ CaseBody::PolicyDecision { expected, req, .. } => {
                    let params = fixtures
                        .decide_params(body)
                        .ok_or_else(|| SuiteError(format!("{what}: unknown fixture")))?;
                    let allowed = expected["allowed"].as_bool().unwrap_or(false);
                    let control = match expected
                        .get("control")
                        .map(|t| t.as_u64().and_then(|t| decisions.get(&t)))
                    {
                        None => None,
                        Some(Some(control)) if !allowed => Some(control.clone()),
                        Some(_) => {
                            return Err(SuiteError(format!("{what}: `expected.control` names no decision case")));
                        }
                    };
                    // The id names the case, not the verdict: correcting a vector keeps its id.
                    out.push(Test {
                        id: format!("policy/{}/{}", h.section, h.slug),
                        title: h.comment.clone(),
                        spec: vec![spec(req, &what)?],
                        op: Some(ops::POLICY_DECIDE),
                        target: Target::Iut,
                        check: Check::Driver(Arc::new(PolicyCheck {
                            params,
                            allowed,
                            rule: expected["rule"].as_str().unwrap_or_default().to_owned(),
                            control,
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
                            check: Check::Driver(Arc::new(check)),
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

impl crate::harness::DriverCheck for PolicyCheck {
    fn family(&self) -> crate::harness::Family {
        crate::harness::Family::Policy
    }

    fn run<'a>(&'a self, driver: &'a Driver, timeout: Duration, tr: &'a mut Transcript) -> crate::harness::Running<'a> {
        Box::pin(self.run_on(driver, timeout, tr))
    }
}

impl PolicyCheck {
    async fn run_on(&self, driver: &Driver, timeout: Duration, tr: &mut Transcript) -> Outcome {
        let r: Value = call!(driver, ops::POLICY_DECIDE, self.params, timeout, tr);
        let Some(allowed) = r.get("allowed").and_then(Value::as_bool) else {
            return Outcome::fail(format!("policy.decide result without a boolean `allowed`: {r}"));
        };
        let their_rule = r.get("rule").and_then(Value::as_str).unwrap_or("(none)");
        let word = |a: bool| if a { "allowed" } else { "denied" };
        if allowed == self.allowed
            && let Some(control) = &self.control
        {
            let r: Value = call!(driver, ops::POLICY_DECIDE, control.params, timeout, tr);
            let rule = r.get("rule").and_then(Value::as_str).unwrap_or("(none)");
            let got = match r.get("allowed").and_then(Value::as_bool) {
                Some(true) => None,
                Some(false) => Some(format!("denied by rule {rule}")),
                None => Some(format!("a result without a boolean `allowed`: {r}")),
            };
            if let Some(got) = got {
                return Outcome::mismatch(
                    &format!(
                        "denied as expected, but its control {} is not allowed: the denial shows no rule at work",
                        control.id
                    ),
                    format!("{} allowed", control.id),
                    format!("{} {got}", control.id),
                );
            }
        }
        if allowed == self.allowed {
            let mut o = Outcome::pass();
            if their_rule != self.rule {
                o.message = format!(
                    "{}, naming rule {their_rule} (the reference names {})",
                    word(allowed),
                    self.rule
                );
            }
            if let Some(control) = &self.control {
                if o.message.is_empty() {
                    o.message = word(allowed).to_owned();
                }
                o.message = format!("{}; its control {} allowed", o.message, control.id);
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
