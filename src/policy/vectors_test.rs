//! Every case of `vectors/policy/*.json` against the codec and the engine: the vectors are
//! generated from the draft by an independent implementation (`tools/policy-vectors/`), so a
//! disagreement is a bug on one side.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::*;
use crate::codec::policy::{PolicyStruct, RoleData, decode_json, encode_json};

const FIXTURES: &str = include_str!("../../vectors/policy/fixtures.json");
const DECISIONS: &str = include_str!("../../vectors/policy/decisions.json");
const CODEC: &str = include_str!("../../vectors/policy/codec.json");

fn file(text: &str, kind: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(text).unwrap();
    assert_eq!(v["schema"], "mimi-conformance/vectors/v1");
    assert_eq!(v["kind"], kind);
    assert_eq!(v["draft"], "draft-ietf-mimi-room-policy");
    assert_eq!(v["rev"], "03");
    v["tests"].as_array().unwrap().clone()
}

fn fixtures() -> BTreeMap<String, RoleData> {
    file(FIXTURES, "policy-fixtures")
        .into_iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_owned(),
                serde_json::from_value(f["roles"].clone()).unwrap(),
            )
        })
        .collect()
}

fn params(case: &Value, fixtures: &BTreeMap<String, RoleData>) -> DecideParams {
    DecideParams {
        room_policy: RoomPolicy {
            roles: fixtures[case["fixture"].as_str().unwrap()].clone(),
            base_policy: case
                .get("base_policy")
                .map(|v| serde_json::from_value(v.clone()).unwrap()),
            preauth: case.get("preauth").map(|v| serde_json::from_value(v.clone()).unwrap()),
        },
        participants: serde_json::from_value(case["participants"].clone()).unwrap(),
        change: serde_json::from_value(case["change"].clone()).unwrap(),
    }
}

#[test]
fn fixtures_encode_to_their_hex_and_back() {
    for f in file(FIXTURES, "policy-fixtures") {
        let name = f["name"].as_str().unwrap();
        let bytes = hex::decode(f["hex"].as_str().unwrap()).unwrap();
        let roles: RoleData = serde_json::from_value(f["roles"].clone()).unwrap();
        assert_eq!(
            hex::encode(roles.encode().unwrap()),
            f["hex"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(RoleData::decode(&bytes).unwrap(), roles, "{name}");
        assert_eq!(serde_json::to_value(&roles).unwrap(), f["roles"], "{name}");
    }
}

#[test]
fn every_decision_case_matches_the_engine() {
    let fixtures = fixtures();
    let mut failures = Vec::new();
    let cases = file(DECISIONS, "policy-decision");
    for case in &cases {
        let slug = case["slug"].as_str().unwrap();
        let d = decide(&params(case, &fixtures)).unwrap_or_else(|e| panic!("{slug}: {e}"));
        let exp = &case["expected"];
        let got_cap = d.capability.map(|c| c.to_string());
        let want_cap = exp.get("capability").and_then(Value::as_str).map(str::to_owned);
        if d.allowed != exp["allowed"].as_bool().unwrap() || d.rule.slug() != exp["rule"] || got_cap != want_cap {
            failures.push(format!(
                "{slug}: engine {} {} {:?} ({}); vector {exp}",
                d.allowed, d.rule, got_cap, d.reason
            ));
            continue;
        }
        assert_eq!(d.section, case["section"].as_str().unwrap(), "{slug}");
        assert_eq!(d.rule.req(), case["req"].as_str().unwrap(), "{slug}");
        assert_eq!(case["result"] == "valid", d.allowed, "{slug}");
    }
    assert!(
        failures.is_empty(),
        "{} of {}:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(cases.len() >= 150);
}

#[test]
fn decision_params_round_trip_through_json() {
    let fixtures = fixtures();
    for case in file(DECISIONS, "policy-decision").iter().take(40) {
        let p = params(case, &fixtures);
        let back: DecideParams = serde_json::from_value(serde_json::to_value(&p).unwrap()).unwrap();
        assert_eq!(back, p);
    }
}

#[test]
fn every_fault_changes_some_decision() {
    let fixtures = fixtures();
    let cases = file(DECISIONS, "policy-decision");
    for fault in PolicyFault::ALL {
        let faults = BTreeSet::from([fault]);
        let caught = cases.iter().any(|case| {
            let p = params(case, &fixtures);
            decide_with(&p, &faults).unwrap().allowed != case["expected"]["allowed"].as_bool().unwrap()
        });
        assert!(caught, "no decision vector catches fault {}", fault.name());
        assert_eq!(PolicyFault::from_name(fault.name()), Some(fault));
    }
}

/// Every deny vector is denied by the rule it names and by nothing else: with exactly the fault
/// that switches that rule off ([`Rule::fault`]), the engine allows it. A vector two rules deny
/// cannot tell whether an implementation enforces the one it names.
#[test]
fn every_deny_vector_has_a_single_cause() {
    let fixtures = fixtures();
    let mut offending = Vec::new();
    let mut denies = 0;
    for case in file(DECISIONS, "policy-decision") {
        if case["expected"]["allowed"].as_bool().unwrap() {
            continue;
        }
        denies += 1;
        let id = format!("tcId {} ({})", case["tcId"], case["slug"].as_str().unwrap());
        let p = params(&case, &fixtures);
        let rule = Rule::from_slug(case["expected"]["rule"].as_str().unwrap()).unwrap();
        let d = decide(&p).unwrap();
        if d.allowed || d.rule != rule {
            offending.push(format!(
                "{id}: without faults {} by {}, not denied by {rule}",
                d.allowed, d.rule
            ));
            continue;
        }
        let Some(fault) = rule.fault() else {
            offending.push(format!("{id}: rule {rule} has no fault to switch it off"));
            continue;
        };
        let d = decide_with(&p, &BTreeSet::from([fault])).unwrap();
        if !d.allowed {
            offending.push(format!(
                "{id}: with {} (switching off {rule}) still denied by {}",
                fault.name(),
                d.rule
            ));
        }
    }
    assert!(
        offending.is_empty(),
        "{} of {denies} deny vectors without a single cause:\n{}",
        offending.len(),
        offending.join("\n")
    );
    assert!(denies >= 100);
}

/// Every deny vector names an allowed control of the same kind of change (`expected.control`), so
/// that an engine denying everything cannot pass the deny vectors alone.
#[test]
fn every_deny_vector_has_an_allowed_control() {
    let fixtures = fixtures();
    let cases = file(DECISIONS, "policy-decision");
    let by_id: BTreeMap<u64, &Value> = cases.iter().map(|c| (c["tcId"].as_u64().unwrap(), c)).collect();
    let ops = |c: &Value| -> Vec<(Value, Value)> {
        c["change"]["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["op"].clone(), a.get("field").cloned().unwrap_or(Value::Null)))
            .collect()
    };
    let mut offending = Vec::new();
    for case in cases.iter().filter(|c| !c["expected"]["allowed"].as_bool().unwrap()) {
        let id = format!("tcId {} ({})", case["tcId"], case["slug"].as_str().unwrap());
        let Some(control) = case["expected"]["control"].as_u64().and_then(|t| by_id.get(&t)) else {
            offending.push(format!("{id}: no control"));
            continue;
        };
        if !decide(&params(control, &fixtures)).unwrap().allowed {
            offending.push(format!("{id}: control {} is denied", control["tcId"]));
        }
        // The same changes; for a rule that denies a combination of changes, the same first one.
        let combination = matches!(
            Rule::from_slug(case["expected"]["rule"].as_str().unwrap()),
            Some(Rule::RoleUpdateWithMembershipChange | Rule::PreauthUpdateWithMembershipChange)
        );
        let (mine, theirs) = (ops(case), ops(control));
        if (combination && mine[0] != theirs[0]) || (!combination && mine != theirs) {
            offending.push(format!(
                "{id}: control {} makes another kind of change",
                control["tcId"]
            ));
        }
    }
    assert!(offending.is_empty(), "{}", offending.join("\n"));
}

#[test]
fn every_fault_switches_off_some_rule() {
    for fault in PolicyFault::ALL {
        assert!(
            Rule::ALL.iter().any(|r| r.fault() == Some(fault)),
            "{} is the fault of no rule",
            fault.name()
        );
    }
}

#[test]
fn every_codec_case_matches_the_codec() {
    let cases = file(CODEC, "policy-codec");
    for case in &cases {
        let slug = case["slug"].as_str().unwrap();
        let name = case["struct"].as_str().unwrap();
        let bytes = hex::decode(case["hex"].as_str().unwrap()).unwrap();
        let got = decode_json(name, &bytes).unwrap_or_else(|| panic!("{slug}: unknown struct {name}"));
        match case["result"].as_str().unwrap() {
            "valid" => {
                let json = got.unwrap_or_else(|e| panic!("{slug}: {e}"));
                assert_eq!(json, case["expected"], "{slug}");
                assert_eq!(encode_json(name, &json).unwrap().unwrap(), bytes, "{slug}");
            }
            _ => {
                let err = got.expect_err(slug);
                assert_eq!(err.slug(), case["rule"].as_str().unwrap(), "{slug}: {err}");
            }
        }
    }
    assert!(cases.len() >= 20);
}

#[test]
fn every_rule_the_vectors_name_is_known() {
    for case in file(DECISIONS, "policy-decision") {
        assert!(Rule::from_slug(case["expected"]["rule"].as_str().unwrap()).is_some());
    }
}

#[test]
fn every_rule_names_a_catalog_requirement_of_its_section() {
    let catalogs = crate::spec::Catalogs::from_sources([(
        "spec/draft-ietf-mimi-room-policy-03.yaml".to_owned(),
        include_str!("../../spec/draft-ietf-mimi-room-policy-03.yaml").to_owned(),
    )])
    .unwrap();
    for rule in Rule::ALL {
        let (_, req) = catalogs
            .get(rule.req())
            .unwrap_or_else(|| panic!("{rule}: {} is not in the catalog", rule.req()));
        assert_eq!(req.section, rule.section(), "{rule}");
        assert!(req.testable, "{rule}: {} is not testable", rule.req());
    }
    let (_, codec) = catalogs.get("POL-S01").unwrap();
    assert!(codec.testable);
}

#[test]
fn hostile_prefixes_and_byte_flips_never_panic() {
    let mut inputs: Vec<Vec<u8>> = file(FIXTURES, "policy-fixtures")
        .iter()
        .map(|f| hex::decode(f["hex"].as_str().unwrap()).unwrap())
        .collect();
    inputs.extend(
        file(CODEC, "policy-codec")
            .iter()
            .map(|c| hex::decode(c["hex"].as_str().unwrap()).unwrap()),
    );
    for bytes in inputs.iter().take(12) {
        for name in crate::codec::policy::STRUCT_NAMES {
            for n in (0..bytes.len()).step_by(7) {
                let _ = decode_json(name, &bytes[..n]);
            }
            for i in (0..bytes.len()).step_by(13) {
                for v in [0x00, 0x3f, 0x7f, 0xbf, 0xff] {
                    let mut b = bytes.clone();
                    b[i] = v;
                    let _ = decode_json(name, &b);
                }
            }
        }
    }
}
