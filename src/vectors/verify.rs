//! Checks that each vector says what the draft's rules say: every valid case decodes clean,
//! round-trips and has the stated message IDs; every invalid case breaks exactly the rule it
//! names. This is how a vector author (or a working-group participant) validates new vectors;
//! the IUT is checked separately, by the suite built from the same files.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Case, CaseBody, ContentExpected, VectorFile, Verdict};
use crate::codec::content::{ContentRev, MessageDerivedValues, MimiContent, message_id};
use crate::validate::{Kind, Options, validate_content, validate_status};

/// What the reference validator makes of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyOutcome {
    Consistent,
    Inconsistent(String),
}

/// What a case may need from other files: the room-policy fixtures, by name.
#[derive(Debug, Clone, Default)]
pub struct Fixtures(BTreeMap<String, Value>);

impl Fixtures {
    pub fn from_files(files: &[VectorFile]) -> Self {
        Fixtures(
            files
                .iter()
                .flat_map(|f| &f.cases)
                .filter_map(|c| match &c.body {
                    CaseBody::PolicyFixture { name, roles, .. } => Some((name.clone(), roles.clone())),
                    _ => None,
                })
                .collect(),
        )
    }

    /// The RoleData JSON of role set `name`.
    pub fn roles(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// The `policy.decide` params of a decision case; `None` if its fixture is unknown.
    pub fn decide_params(&self, body: &CaseBody) -> Option<Value> {
        let CaseBody::PolicyDecision {
            fixture,
            participants,
            base_policy,
            preauth,
            change,
            ..
        } = body
        else {
            return None;
        };
        Some(json!({
            "room_policy": {"roles": self.0.get(fixture)?, "base_policy": base_policy, "preauth": preauth},
            "participants": participants,
            "change": change,
        }))
    }
}

/// Checks `case` with the reference codecs, validator and policy engine.
pub fn verify_against_reference(case: &Case, fixtures: &Fixtures) -> VerifyOutcome {
    match check(case, fixtures) {
        Ok(()) => VerifyOutcome::Consistent,
        Err(why) => VerifyOutcome::Inconsistent(why),
    }
}

fn kinds(findings: &[crate::validate::Finding]) -> Vec<Kind> {
    let mut k: Vec<Kind> = findings.iter().map(|f| f.kind).collect();
    k.dedup();
    k
}

fn check(case: &Case, fixtures: &Fixtures) -> Result<(), String> {
    match &case.body {
        CaseBody::Content {
            cbor,
            sender,
            room,
            rule,
            expected,
            ..
        } => {
            let decoded = check_content_rules(case.head.result, cbor, *rule)?;
            match expected {
                Some(e) => check_content_expected(decoded.ok_or("does not decode")?, cbor, sender, room, e),
                None => Ok(()),
            }
        }
        CaseBody::Encode { content, cbor, .. } => {
            if &content.encode() != cbor {
                return Err(format!("the reference encodes it as {}", hex::encode(content.encode())));
            }
            let found = kinds(&validate_content(cbor, Options::default()).findings);
            if found.is_empty() {
                Ok(())
            } else {
                Err(format!("expected bytes break {:?}", slugs(&found)))
            }
        }
        CaseBody::Status { cbor, rule, expected } => {
            let report = validate_status(cbor);
            let found = kinds(&report.findings);
            match (expected, rule) {
                (Some(e), _) if found.is_empty() && report.status.as_ref() == Some(e) => Ok(()),
                (Some(_), _) => Err(format!(
                    "valid status report gives {:?} / {:?}",
                    slugs(&found),
                    report.status
                )),
                (None, Some(r)) if found == [*r] => Ok(()),
                (None, r) => Err(format!(
                    "breaks {:?}, the vector says {:?}",
                    slugs(&found),
                    r.map(Kind::slug)
                )),
            }
        }
        CaseBody::Implied { cbor, expected, .. } => match MessageDerivedValues::decode(cbor) {
            Ok(d) if &d == expected => Ok(()),
            Ok(d) => Err(format!("decodes to {d:?}")),
            Err(e) => Err(e.to_string()),
        },
        CaseBody::Tls {
            structure,
            bytes,
            alternative,
            rule,
            expected,
            ..
        } => {
            use crate::codec::tls;
            match (tls::decode_named(structure, bytes, *alternative), expected, rule) {
                (Ok(got), Some(want), _) if &got == want => {
                    let again = tls::encode_named(structure, want, *alternative).map_err(|e| e.to_string())?;
                    if &again == bytes {
                        Ok(())
                    } else {
                        Err(format!("re-encodes as {}", hex::encode(again)))
                    }
                }
                (Ok(got), Some(_), _) => Err(format!("decodes to {got}")),
                (Err(e), Some(_), _) => Err(format!("does not decode: {e}")),
                (Err(e), None, Some(r)) if e.slug() == r => Ok(()),
                (Err(e), None, r) => Err(format!("fails with {} ({e}), the vector says {r:?}", e.slug())),
                (Ok(got), None, _) => Err(format!("an invalid case decodes to {got}")),
            }
        }
        CaseBody::PolicyFixture { roles, bytes, .. } => {
            let decoded = crate::codec::tls::decode_named("RoleData", bytes, false).map_err(|e| e.to_string())?;
            if &decoded == roles {
                Ok(())
            } else {
                Err(format!("the fixture's bytes decode to {decoded}"))
            }
        }
        body @ CaseBody::PolicyDecision { expected, .. } => {
            let params = fixtures.decide_params(body).ok_or("unknown fixture")?;
            let params: crate::policy::DecideParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
            let decision = crate::policy::decide(&params).map_err(|e| e.to_string())?;
            let got = serde_json::to_value(&decision).map_err(|e| e.to_string())?;
            for field in ["allowed", "rule", "capability"] {
                if expected.get(field).unwrap_or(&Value::Null) != got.get(field).unwrap_or(&Value::Null) {
                    return Err(format!("the reference decides {got}, the vector says {expected}"));
                }
            }
            Ok(())
        }
        CaseBody::Finding { found, expected, .. } => {
            if found == expected {
                Err("a finding whose found and expected values agree is no finding".into())
            } else {
                Ok(())
            }
        }
    }
}

/// A content case breaks exactly the rule it names (invalid), or none (valid, acceptable); the
/// decoded document, if any.
fn check_content_rules(result: Verdict, cbor: &[u8], rule: Option<Kind>) -> Result<Option<MimiContent>, String> {
    let report = validate_content(cbor, Options::default());
    let mut found = kinds(&report.findings);
    // Floats are only discouraged (§6.2): they never count as the rule a case breaks.
    found.retain(|k| *k != Kind::FloatUsed);
    match result {
        Verdict::Invalid => {
            let rule = rule.ok_or("invalid case without a rule")?;
            if found != [rule] {
                return Err(format!(
                    "breaks {:?}, the vector says exactly [{}]",
                    slugs(&found),
                    rule.slug()
                ));
            }
        }
        Verdict::Valid | Verdict::Acceptable => {
            if !found.is_empty() {
                return Err(format!(
                    "a {result:?} case breaks {:?}: {}",
                    slugs(&found),
                    report.findings[0]
                ));
            }
            if result == Verdict::Acceptable && !report.findings.iter().any(|f| Some(f.kind) == rule) {
                return Err(format!("an acceptable case that does not show {rule:?}"));
            }
        }
    }
    Ok(report.content)
}

/// A content case's bytes decode to `expected.content`, re-encode to themselves and have the
/// stated message IDs and part indices.
fn check_content_expected(
    got: MimiContent,
    cbor: &[u8],
    sender: &str,
    room: &str,
    e: &ContentExpected,
) -> Result<(), String> {
    if got != e.content {
        return Err("decodes to another model than `expected.content`".into());
    }
    if got.encode() != cbor {
        return Err("the deterministic encoding of the model differs from the vector's bytes".into());
    }
    for (rev, want) in [
        (ContentRev::Rev08, &e.message_id),
        (ContentRev::Rev07, &e.message_id_07),
    ] {
        let id = message_id(rev, sender, room, cbor, &got.salt).map_err(|e| e.to_string())?;
        if id.as_slice() != want.as_slice() {
            return Err(format!(
                "the -{} message ID is {}, the vector says {}",
                rev.as_str(),
                hex::encode(id),
                hex::encode(want)
            ));
        }
    }
    if !e.part_indices.is_empty() && got.nested_part.part_indices() != e.part_indices {
        return Err("part indices differ from `expected.partIndices`".into());
    }
    Ok(())
}

fn slugs(k: &[Kind]) -> Vec<&'static str> {
    k.iter().map(|k| k.slug()).collect()
}
